// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_ZAP_SPECIAL_VMA_RANGE: the PTEs of a range of a VM_PFNMAP /
 * VM_MIXEDMAP mapping are removed with zap_special_vma_range().  Linux 7.1
 * renamed zap_vma_ptes() (same arguments, no return value) to it.
 */
#include <linux/mm.h>

void conftest_zap_special_vma_range(struct vm_area_struct *vma);
void conftest_zap_special_vma_range(struct vm_area_struct *vma)
{
	zap_special_vma_range(vma, vma->vm_start, PAGE_SIZE);
}
