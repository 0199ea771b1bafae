/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place in xxmem that knows how Linux kernels differ.
 *
 * Each difference is keyed by a HAVE_* macro that names a kernel feature,
 * never by a version number.  The macros come from config/xxmem_config.h,
 * generated before the build by compiling one tiny test per feature against
 * the target kernel (see config/conftest.sh).
 */
#ifndef _XXDDI_KERNEL_COMPAT_H
#define _XXDDI_KERNEL_COMPAT_H

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

#endif /* _XXDDI_KERNEL_COMPAT_H */
