/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version shims: the only place in xxmem that knows how Linux
 * kernels differ.  Not part of the DDI layer (compat/, include/sys/),
 * which includes it as it would a kernel header.
 *
 * Each difference is keyed by a HAVE_* macro that names a kernel feature,
 * never by a version number.  The macros come from config/xxmem_config.h,
 * generated before the build by compiling one tiny test per feature against
 * the target kernel (config/conftest.sh, config/tests/<feature>.c).  The
 * code elsewhere is written against the newest API; this header supplies it
 * on older kernels, or a small xx_ wrapper where the two cannot share a name.
 *
 * Kernels built and tested: see "Supported kernels" in README.md.
 */
#ifndef _XX_KERNEL_SHIMS_H
#define _XX_KERNEL_SHIMS_H

#include <linux/mm.h>
#include "xxmem_config.h"

#ifndef HAVE_VM_FLAGS_SET
/*
 * vm_flags_set() / vm_flags_clear(): vma->vm_flags became read-only in
 * Linux 6.3 (commit bc292ab00f6c, "mm: introduce vma->vm_flags wrapper
 * functions"); before it, drivers wrote the field directly under the
 * mmap lock, which is what these do.
 */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#ifndef HAVE_ZAP_SPECIAL_VMA_RANGE
/*
 * zap_special_vma_range(): removes the entries of [addr, addr + size) of a
 * VM_PFNMAP / VM_MIXEDMAP mapping, the whole range inside @vma.  Linux 7.1
 * renamed zap_vma_ptes(), which does the same, to it.
 */
static inline void zap_special_vma_range(struct vm_area_struct *vma,
					 unsigned long addr,
					 unsigned long size)
{
	zap_vma_ptes(vma, addr, size);
}
#endif

/*
 * The order argument of vm_operations_struct.huge_fault(): an enum
 * page_entry_size before Linux 6.6, the page order from commit
 * 1d024e7a8dab ("mm: remove enum page_entry_size").  Declare a handler as
 *	static vm_fault_t f(struct vm_fault *vmf, xx_fault_order_t o)
 * and read the order with xx_fault_order(o).
 */
#ifdef HAVE_HUGE_FAULT_ORDER
typedef unsigned int xx_fault_order_t;

static inline unsigned int xx_fault_order(xx_fault_order_t order)
{
	return order;
}
#else
typedef enum page_entry_size xx_fault_order_t;

static inline unsigned int xx_fault_order(xx_fault_order_t pe_size)
{
	switch (pe_size) {
	case PE_SIZE_PMD:
		return PMD_SHIFT - PAGE_SHIFT;
	case PE_SIZE_PUD:
		return PUD_SHIFT - PAGE_SHIFT;
	default:
		return 0;
	}
}
#endif

/*
 * Huge PFN maps (HAVE_HUGE_PFNMAP, Linux 6.12): a VM_PFNMAP mapping may
 * hold PMD entries.  XX_HUGE_PFNMAP says whether the running kernel's
 * build has them; there, xx_vmf_insert_pfn_pmd() maps the PMD of @vmf to
 * the 2 MiB-aligned frame @pfn.
 */
#ifdef HAVE_HUGE_PFNMAP
#include <linux/huge_mm.h>

#define XX_HUGE_PFNMAP	1

/*
 * vmf_insert_pfn_pmd() and vmf_insert_pfn_pud() took a pfn_t (HAVE_PFN_T)
 * until Linux 6.17 removed the type ("mm: Remove pfn_t type"); they take
 * the frame number since.  xx_huge_pfn() makes their frame argument.
 */
#ifdef HAVE_PFN_T
#include <linux/pfn_t.h>

#define xx_huge_pfn(pfn)	__pfn_to_pfn_t(pfn, PFN_DEV)
#else
#define xx_huge_pfn(pfn)	(pfn)
#endif

static inline vm_fault_t xx_vmf_insert_pfn_pmd(struct vm_fault *vmf,
					       unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pmd(vmf, xx_huge_pfn(pfn), write);
}

#else
#define XX_HUGE_PFNMAP	0
#endif

/*
 * PUD entries in PFN maps (HAVE_HUGE_PFNMAP_PUD, Linux 6.12 on x86_64):
 * XX_HUGE_PFNMAP_PUD says whether the running kernel's build has them;
 * there, xx_vmf_insert_pfn_pud() maps the PUD of @vmf to the 1 GiB-aligned
 * frame @pfn.
 */
#if defined(HAVE_HUGE_PFNMAP) && defined(HAVE_HUGE_PFNMAP_PUD)
#define XX_HUGE_PFNMAP_PUD	1

static inline vm_fault_t xx_vmf_insert_pfn_pud(struct vm_fault *vmf,
					       unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pud(vmf, xx_huge_pfn(pfn), write);
}
#else
#define XX_HUGE_PFNMAP_PUD	0
#endif

#endif /* _XX_KERNEL_SHIMS_H */
