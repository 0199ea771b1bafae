// SPDX-License-Identifier: GPL-2.0
/*
 * The devmap(9E) framework: from mmap(2) to the driver's devmap entry
 * point, and the user mapping that results.
 *
 * mmap(2) of a node reaches i_devmap_setup_vma() with the new VMA.  Like
 * Solaris' devmap_setup() it calls devmap(9E) with a fresh handle until
 * the handles cover the whole mapping, each call describing the piece from
 * the current offset to the end of one contiguous memory range (*maplen).
 * Then the pages of every handle are inserted, in batches, so the mapping
 * is populated when mmap(2) returns; a .fault handler reinserts pages that
 * were zapped later (MADV_DONTNEED, fork without page-table copy).
 *
 * The handles of one mmap(2) form a devmap segment shared by every VMA
 * split from or forked off the mapping.  Faults look handles up by user
 * (file) offset, which splits, mremap and fork preserve.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include "impl.h"
#include "compat/kernel_compat.h"

static void devmap_seg_release(struct kref *ref)
{
	struct devmap_seg *seg = container_of(ref, struct devmap_seg, ref);
	struct devmap_handle *dhp, *tmp;

	list_for_each_entry_safe(dhp, tmp, &seg->handles, link) {
		list_del(&dhp->link);
		if (dhp->cookie)
			i_ddi_umem_rele(dhp->cookie);
		kfree(dhp);
	}
	kfree(seg);
}

static struct devmap_handle *devmap_find_handle(struct devmap_seg *seg,
						u64 uoff)
{
	struct devmap_handle *dhp;

	list_for_each_entry(dhp, &seg->handles, link)
		if (uoff >= dhp->uoff && uoff - dhp->uoff < dhp->len)
			return dhp;
	return NULL;
}

/* A VMA was copied (fork) or split off: it shares the segment. */
static void devmap_vma_open(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;

	kref_get(&seg->ref);
}

static void devmap_vma_close(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;

	kref_put(&seg->ref, devmap_seg_release);
}

/*
 * Refault a page whose PTE went away.  The page is the handle's own page
 * at the faulting offset; a handle always covers its whole range, so no
 * lookup fails for an address inside the VMA.
 */
static vm_fault_t devmap_vma_fault(struct vm_fault *vmf)
{
	struct devmap_seg *seg = vmf->vma->vm_private_data;
	u64 uoff = (u64)vmf->pgoff << PAGE_SHIFT;
	struct devmap_handle *dhp = devmap_find_handle(seg, uoff);
	struct page *page;

	if (!dhp || dhp->type != DEVMAP_TYPE_UMEM)
		return VM_FAULT_SIGBUS;
	page = dhp->cookie->pages[(dhp->koff + (uoff - dhp->uoff)) >>
				  PAGE_SHIFT];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct devmap_vm_ops = {
	.open = devmap_vma_open,
	.close = devmap_vma_close,
	.fault = devmap_vma_fault,
};

/* Linux VMA protection bits -> Solaris PROT_* (with PROT_USER). */
static uint_t devmap_prot(unsigned long vm_flags, unsigned long r,
			  unsigned long w, unsigned long x)
{
	uint_t prot = PROT_USER;

	if (vm_flags & r)
		prot |= PROT_READ;
	if (vm_flags & w)
		prot |= PROT_WRITE;
	if (vm_flags & x)
		prot |= PROT_EXEC;
	return prot;
}

/* Insert the pages of every umem handle: the mapping is populated. */
static int devmap_populate(struct vm_area_struct *vma, struct devmap_seg *seg)
{
	u64 base = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct devmap_handle *dhp;
	int err;

	list_for_each_entry(dhp, &seg->handles, link) {
		unsigned long addr = vma->vm_start + (dhp->uoff - base);
		struct page **pages = &dhp->cookie->pages[btop(dhp->koff)];
		unsigned long left = btop(dhp->len);

		while (left) {
			unsigned long num = left;

			err = vm_insert_pages(vma, addr, pages, &num);
			if (err)
				return err;
			/* num is now the count of pages not inserted */
			addr += ptob(left - num);
			pages += left - num;
			left = num;
		}
	}
	return 0;
}

/*
 * Call devmap(9E) for successive handles until they cover @vma: Solaris'
 * devmap_setup().  On failure every handle made so far is released.
 */
static int devmap_make_handles(struct ddi_minor_node *mn,
			       struct vm_area_struct *vma,
			       struct devmap_seg *seg)
{
	struct cb_ops *cb = mn->dip->drv->ops->devo_cb_ops;
	uint_t prot = devmap_prot(vma->vm_flags, VM_READ, VM_WRITE, VM_EXEC);
	model_t model = ddi_mmap_get_model();
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	size_t resid = vma->vm_end - vma->vm_start;

	while (resid) {
		struct devmap_handle *dhp;
		size_t maplen = 0;
		int ret;

		dhp = kzalloc(sizeof(*dhp), GFP_KERNEL);
		if (!dhp)
			return -ENOMEM;
		dhp->dev = mn->dev;
		dhp->uoff = off;
		dhp->prot = prot;
		list_add_tail(&dhp->link, &seg->handles);

		ret = cb->cb_devmap(mn->dev, dhp, (offset_t)off, resid,
				    &maplen, model);
		if (ret)
			return dhp->error == EACCES ? -EACCES : -ENXIO;
		if (dhp->type == DEVMAP_TYPE_NONE)
			return -ENXIO;	/* devmap(9E) set nothing up */
		if (maplen == 0 || !PAGE_ALIGNED(maplen))
			return -EINVAL;
		dhp->len = min(maplen, resid);
		if (dhp->setup_len < dhp->len)
			return -EINVAL;	/* *maplen beyond what was set up */
		off += dhp->len;
		resid -= dhp->len;
	}
	return 0;
}

/**
 * i_devmap_setup_vma() - map a node's memory into @vma through devmap(9E)
 * @mn:  the minor node being mapped
 * @vma: the new mapping (mmap_lock held for writing)
 *
 * Only shared mappings are possible: exported memory is never copied on
 * write.  The mapping's VM_MAY* bits are narrowed to the handles' maxprot
 * so that a later mprotect() cannot exceed it.
 *
 * Return: 0, or -ENODEV (no devmap(9E)), -EINVAL (not MAP_SHARED, bad
 * *maplen), -EACCES (protection beyond maxprot), -ENXIO (devmap(9E)
 * failed), -ENOMEM, or an error from inserting the pages.
 */
int i_devmap_setup_vma(struct ddi_minor_node *mn, struct vm_area_struct *vma)
{
	struct cb_ops *cb = mn->dip->drv->ops->devo_cb_ops;
	struct devmap_handle *dhp;
	struct devmap_seg *seg;
	uint_t maxprot = PROT_ALL;
	int err;

	if (!cb->cb_devmap)
		return -ENODEV;
	/* VM_MAYSHARE: mmap clears VM_SHARED for read-only files */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	seg = kzalloc(sizeof(*seg), GFP_KERNEL);
	if (!seg)
		return -ENOMEM;
	kref_init(&seg->ref);
	seg->dev = mn->dev;
	INIT_LIST_HEAD(&seg->handles);

	err = devmap_make_handles(mn, vma, seg);
	if (err)
		goto fail;

	list_for_each_entry(dhp, &seg->handles, link)
		maxprot &= dhp->maxprot;
	if (!(maxprot & PROT_READ))
		vm_flags_clear(vma, VM_MAYREAD);
	if (!(maxprot & PROT_WRITE))
		vm_flags_clear(vma, VM_MAYWRITE);
	if (!(maxprot & PROT_EXEC))
		vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP);

	err = devmap_populate(vma, seg);
	if (err)
		goto fail;	/* mmap_region() zaps what was inserted */

	vma->vm_private_data = seg;
	vma->vm_ops = &devmap_vm_ops;
	return 0;
fail:
	kref_put(&seg->ref, devmap_seg_release);
	return err;
}
