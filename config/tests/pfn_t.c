// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PFN_T: vmf_insert_pfn_pmd() takes a pfn_t (a frame number with
 * PFN_DEV/PFN_MAP flags, from <linux/pfn_t.h>).  Linux 6.17 removed the
 * type (Alistair Popple's series "mm: Remove pfn_t type"): the function
 * takes the frame number as an unsigned long.
 *
 * Where huge PFN maps exist, one of the two forms must compile, so a broken
 * test cannot go unnoticed: kernel_shims.h then calls the other form and
 * the build fails.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pfn_t.h>

vm_fault_t conftest_pfn_t(struct vm_fault *vmf, unsigned long pfn);
vm_fault_t conftest_pfn_t(struct vm_fault *vmf, unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), true);
}
