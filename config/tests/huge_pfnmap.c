// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_HUGE_PFNMAP: PFN maps (VM_PFNMAP) may hold PMD entries, marked
 * special so that get_user_pages() and the rmap leave them alone, and
 * vmf_insert_pfn_pmd() takes the fault and a pfn_t.  Linux 6.12, Peter
 * Xu's series "mm: Support huge pfnmaps" ("mm: introduce
 * ARCH_SUPPORTS_HUGE_PFNMAP and special bits to pmd/pud"); x86_64 selects
 * ARCH_SUPPORTS_PMD_PFNMAP.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pfn_t.h>

#if !defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) || \
	!defined(CONFIG_TRANSPARENT_HUGEPAGE)
#error "no PMD entries in PFN maps"
#endif

vm_fault_t conftest_huge_pfnmap(struct vm_fault *vmf, unsigned long pfn);
vm_fault_t conftest_huge_pfnmap(struct vm_fault *vmf, unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), true);
}
