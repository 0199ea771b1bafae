// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_HUGE_PFNMAP_PUD: PFN maps (VM_PFNMAP) may hold PUD entries (1 GiB
 * on x86_64), inserted by vmf_insert_pfn_pud() from a .huge_fault handler
 * called with the order PUD_ORDER.  Linux 6.12, Peter Xu's series "mm:
 * Support huge pfnmaps" ("mm: introduce ARCH_SUPPORTS_HUGE_PFNMAP and
 * special bits to pmd/pud", "mm/x86: Support large pfn mappings"); x86_64
 * selects ARCH_SUPPORTS_PUD_PFNMAP, and THP must be on.  The argument
 * type of vmf_insert_pfn_pud() (a pfn_t until Linux 6.17, like
 * vmf_insert_pfn_pmd()'s) is HAVE_PFN_T's business: only its presence is
 * tested here.
 *
 * conftest-expect: CONFIG_TRANSPARENT_HUGEPAGE CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
 * (a kernel configured so must pass this test: failing it there means the
 * test broke, and conftest.sh stops instead of turning the feature off)
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>

#if !defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) || \
	!defined(CONFIG_TRANSPARENT_HUGEPAGE)
#error "no PUD entries in PFN maps"
#endif

void *conftest_huge_pfnmap_pud(void);
void *conftest_huge_pfnmap_pud(void)
{
	return (void *)vmf_insert_pfn_pud;
}
