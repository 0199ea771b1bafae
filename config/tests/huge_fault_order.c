// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_HUGE_FAULT_ORDER: vm_operations_struct.huge_fault() gets the page
 * order of the fault (unsigned int); enum page_entry_size is gone.
 * Linux 6.6, commit 1d024e7a8dab ("mm: remove enum page_entry_size").
 */
#include <linux/mm.h>

/* A redefinition error while the kernel still has the enum. */
enum page_entry_size { CONFTEST_PE_SIZE };

static vm_fault_t conftest_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	return VM_FAULT_FALLBACK;
}

const struct vm_operations_struct conftest_huge_fault_ops = {
	.huge_fault = conftest_huge_fault,
};
