// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy mmap(9E) entry point: the driver translates one device offset
 * at a time into a page frame number.
 *
 * As in Solaris' spec_segmap(), mmap(9E) is called for every page of the
 * range when mmap(2) runs, with the mapping's maximum protection; any -1
 * fails the mmap with ENXIO.  Nothing is mapped then: each page fault calls
 * mmap(9E) again for the faulting page with the page's current protection
 * (segdev_faultpage()), and -1 there is SIGBUS.  The frame is inserted with
 * vmf_insert_pfn() into a VM_PFNMAP mapping, so it may be RAM (from
 * hat_getkpfnum() of kernel memory) or device memory; the driver keeps it
 * valid while mapped, as on Solaris.
 */
#include <linux/mm.h>
#include <sys/sunddi.h>
#include "impl.h"
#include "kernel_shims.h"

static void mmap_vma_open(struct vm_area_struct *vma)
{
	i_ddi_minor_hold(vma->vm_private_data);
	atomic_long_inc(&xxddi_stats.vmas);
}

static void mmap_vma_close(struct vm_area_struct *vma)
{
	atomic_long_dec(&xxddi_stats.vmas);
	i_ddi_minor_rele(vma->vm_private_data);
}

static vm_fault_t mmap_vma_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ddi_minor_node *mn = vma->vm_private_data;
	struct cb_ops *cb = mn->cb;
	int pfn;

	if (READ_ONCE(mn->gone))
		return VM_FAULT_SIGBUS;	/* revoked */
	pfn = cb->cb_mmap(mn->dev, (off_t)(vmf->pgoff << PAGE_SHIFT),
			  i_ddi_vma_prot(vma));
	if (pfn == -1)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vma, vmf->address, (unsigned long)pfn);
}

static const struct vm_operations_struct mmap_vm_ops = {
	.open = mmap_vma_open,
	.close = mmap_vma_close,
	.fault = mmap_vma_fault,
};

/**
 * i_mmap_setup_vma() - map a node through its legacy mmap(9E)
 * @mn:  the minor node
 * @vma: the new mapping (mmap_lock held for writing)
 *
 * Return: 0, -EINVAL for anything but MAP_SHARED, -ENXIO if mmap(9E)
 * refuses a page of the range at the mapping's maximum protection.
 */
int i_mmap_setup_vma(struct ddi_minor_node *mn, struct vm_area_struct *vma)
{
	struct cb_ops *cb = mn->cb;
	uint_t maxprot = i_ddi_vma_maxprot(vma);
	unsigned long pg;

	if (i_ddi_vma_maptype(vma) != MAP_SHARED)
		return -EINVAL;
	for (pg = 0; pg < vma_pages(vma); pg++) {
		off_t off = (off_t)((vma->vm_pgoff + pg) << PAGE_SHIFT);

		if (cb->cb_mmap(mn->dev, off, maxprot) == -1)
			return -ENXIO;
	}
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	i_ddi_minor_hold(mn);
	atomic_long_inc(&xxddi_stats.vmas);
	vma->vm_private_data = mn;
	vma->vm_ops = &mmap_vm_ops;
	return 0;
}
