// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_VM_FLAGS_SET: vm_flags_set() exists and vma->vm_flags is read-only.
 * Linux 6.3, commit bc292ab00f6c ("mm: introduce vma->vm_flags wrapper
 * functions").
 */
#include <linux/mm.h>

void conftest_vm_flags_set(struct vm_area_struct *vma);
void conftest_vm_flags_set(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO);
}
