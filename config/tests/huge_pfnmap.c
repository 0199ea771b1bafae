// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_HUGE_PFNMAP: PFN maps (VM_PFNMAP) may hold PMD entries, marked
 * special so that get_user_pages() and the rmap leave them alone, inserted
 * by vmf_insert_pfn_pmd() from a .huge_fault handler.  Linux 6.12, Peter
 * Xu's series "mm: Support huge pfnmaps" ("mm: introduce
 * ARCH_SUPPORTS_HUGE_PFNMAP and special bits to pmd/pud"); x86_64 and arm64
 * select ARCH_SUPPORTS_PMD_PFNMAP, and THP must be on (it is off in
 * PREEMPT_RT kernels).  The argument type of vmf_insert_pfn_pmd() is
 * HAVE_PFN_T's business: only its presence is tested here.
 *
 * conftest-expect: CONFIG_TRANSPARENT_HUGEPAGE CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
 * (a kernel configured so must pass this test: failing it there means the
 * test broke, and conftest.sh stops instead of turning the feature off)
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>

#if !defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) || \
	!defined(CONFIG_TRANSPARENT_HUGEPAGE)
#error "no PMD entries in PFN maps"
#endif

void *conftest_huge_pfnmap(void);
void *conftest_huge_pfnmap(void)
{
	return (void *)vmf_insert_pfn_pmd;
}
