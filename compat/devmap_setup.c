// SPDX-License-Identifier: GPL-2.0
/*
 * The devmap_setup(9F) loop: from mmap(2) of a node to the driver's
 * devmap(9E) entry point and a populated devmap segment.
 *
 * mmap(2) of a node reaches i_devmap_setup_vma() with the new VMA (directly,
 * or through the driver's segmap(9E) and devmap_setup(9F)).  Like Solaris'
 * devmap_setup() it calls devmap(9E) with a fresh handle until the handles
 * cover the whole mapping, each call describing the piece from the current
 * offset to the end of one contiguous memory range (*maplen); then it calls
 * devmap_map(9E) for each handle and loads the handles that need no
 * devmap_access(9E).  The segment, its loading, faults and teardown are in
 * devmap_seg.c (with the layer's lock order, "Locking").
 */
#include <linux/mm.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include "impl.h"
#include "kernel_shims.h"

/*
 * Call devmap(9E) for successive handles until they cover @vma: Solaris'
 * devmap_setup() loop.
 */
static __ddi_hot int i_devmap_make_handles(struct devmap_seg *seg,
					   struct vm_area_struct *vma)
{
	struct ddi_minor_node *mn = seg->mn;
	struct cb_ops *cb = mn->cb;
	uint_t prot = i_ddi_vma_prot(vma);
	model_t model = i_ddi_mmap_model();
	u64 off = i_vma_uoff(vma);
	size_t resid = vma->vm_end - vma->vm_start;

	while (resid) {
		struct devmap_handle *dhp;
		size_t maplen = 0;
		int ret;

		dhp = i_devmap_handle_alloc(seg, GFP_KERNEL);
		if (!dhp)
			return -ENOMEM;
		dhp->seg = seg;
		dhp->dev = mn->dev;
		dhp->uoff = off;
		dhp->prot = prot;
		list_add_tail(&dhp->link, &seg->handles);

		ret = cb->cb_devmap(mn->dev, dhp, (offset_t)off, resid,
				    &maplen, model);
		if (ret)	/* protection, permission, memory errors stay */
			return (dhp->error == EACCES || dhp->error == EPERM ||
				dhp->error == ENOMEM) ? -dhp->error : -ENXIO;
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

/*
 * devmap_unload(9F) removes the translations of one mapping only: on Linux
 * that takes an address_space of the mapping's own, so a file of its own
 * (i_ddi_vma_own_file()).  A driver unloads, loads or remaps a handle after
 * devmap(9E) has returned only if it learns of the handle and of its end
 * through callbacks (devmap_map/access/dup/unmap); a mapping whose handles
 * have none, and no DEVMAP_ALLOW_REMAP, keeps the file mmap(2) was called
 * on, which saves an open and a release per mmap (about 16 us of a 4 KiB
 * BAR mapping's 25 us under TCG).
 */
static __ddi_hot bool i_devmap_needs_own_file(struct devmap_seg *seg)
{
	struct devmap_handle *dhp;

	list_for_each_entry(dhp, &seg->handles, link)
		if (dhp->callbackops || (dhp->flags & DEVMAP_ALLOW_REMAP))
			return true;
	return false;
}

/*
 * A mapping is kernel memory or device memory (VM_IO | VM_PFNMAP, one
 * caching mode), not both: Linux keeps one page protection per VMA.
 * Kernel memory is a page mapping (VM_MIXEDMAP: refcounted pages that
 * get_user_pages() can pin), unless the kernel has huge PFN maps and a
 * 2 MiB page of the mapping can be one PMD entry, or a handle maps pages
 * locked by ddi_umem_lock() (anonymous pages, which vm_insert_page()
 * refuses; the cookie keeps them pinned): then it is a PFN map (see
 * README, "Differences from Solaris").  Kernel memory set up uncached or
 * write-combining (IOMEM_DATA_*) is always a page mapping of 4 KiB
 * entries with that caching in its page protection (devmap_umem_setup()
 * sees to it): in an x86 PFN map, PAT would turn RAM back to write-back.
 */
static __ddi_hot int i_devmap_vma_kind(struct devmap_seg *seg,
				       struct vm_area_struct *vma)
{
	struct devmap_handle *first, *dhp;

	first = list_first_entry(&seg->handles, struct devmap_handle, link);
	list_for_each_entry(dhp, &seg->handles, link)
		if (dhp->type != first->type || dhp->cache != first->cache)
			return -EINVAL;
	if (first->type == DEVMAP_TYPE_UMEM) {
		bool pfnmap = i_devmap_has_pmd(seg, vma);

		/* a process' pages (ddi_umem_lock) cannot be vm_insert_page'd */
		list_for_each_entry(dhp, &seg->handles, link)
			pfnmap |= dhp->cookie && dhp->cookie->locked;
		vm_flags_set(vma, pfnmap ? VM_PFNMAP : VM_MIXEDMAP);
	} else {
		vm_flags_set(vma, VM_IO | VM_PFNMAP);
	}
	if (first->cache == DEVMAP_CACHE_WC)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	else if (first->cache == DEVMAP_CACHE_UC)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return 0;
}

/*
 * devmap_map(9E) for each handle, in order; if one fails, the handles
 * before it get devmap_unmap(9E) for their whole range.
 */
static __ddi_hot int i_devmap_call_map(struct devmap_seg *seg,
				       struct vm_area_struct *vma)
{
	uint_t flags = i_ddi_vma_maptype(vma);
	struct devmap_handle *dhp, *done;

	list_for_each_entry(dhp, &seg->handles, link) {
		struct devmap_callback_ctl *cb = dhp->callbackops;

		if (!cb || !cb->devmap_map)
			continue;
		if (cb->devmap_map(dhp, dhp->dev, flags, dhp->uoff, dhp->len,
				   &dhp->pvtp))
			goto unwind;
	}
	return 0;
unwind:
	list_for_each_entry(done, &seg->handles, link) {
		struct devmap_callback_ctl *cb = done->callbackops;

		if (done == dhp)
			break;
		if (cb && cb->devmap_unmap)
			cb->devmap_unmap(done, done->pvtp, done->uoff,
					 done->len, NULL, NULL, NULL, NULL);
	}
	return -ENXIO;
}

/**
 * i_devmap_setup_vma() - map a node's memory into @vma through devmap(9E)
 * @mn:  the minor node being mapped
 * @vma: the new mapping (mmap_lock held for writing)
 *
 * Only shared mappings are possible: exported memory is never copied on
 * write.  The mapping's VM_MAY* bits are narrowed to the handles' maxprot
 * so that a later mprotect() cannot exceed it.  A fork's child faults its
 * translations in (VM_WIPEONFORK: no page table copy), as on Solaris where
 * segdev_dup copies none.
 *
 * Return: 0, or -ENODEV (no devmap(9E)), -EINVAL (not MAP_SHARED, bad
 * *maplen), -EACCES (protection beyond maxprot), -ENXIO (devmap(9E) or
 * devmap_map(9E) failed), -ENOMEM, or an error from inserting the pages.
 */
__ddi_hot int i_devmap_setup_vma(struct ddi_minor_node *mn,
				 struct vm_area_struct *vma)
{
	struct cb_ops *cb = mn->cb;
	struct devmap_handle *dhp;
	struct devmap_seg *seg;
	uint_t maxprot = PROT_ALL;
	int err;

	if (!cb->cb_devmap)
		return -ENODEV;
	if (i_ddi_vma_maptype(vma) != MAP_SHARED)
		return -EINVAL;

	seg = i_devmap_seg_alloc(mn, vma);
	if (!seg)
		return -ENOMEM;
	err = i_devmap_make_handles(seg, vma);
	if (err)
		goto fail;
	if (i_devmap_needs_own_file(seg)) {
		err = i_ddi_vma_own_file(mn, vma);
		if (err)
			goto fail;
		seg->mapping = vma->vm_file->f_mapping;
	}

	err = i_devmap_vma_kind(seg, vma);
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
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_WIPEONFORK);

	err = i_devmap_call_map(seg, vma);
	if (err)
		goto fail;
	err = i_devmap_populate(vma, seg);
	if (err) {
		/*
		 * mmap_region() would zap what was inserted, but only after
		 * the handles (and what they hold) are gone; tell the driver.
		 */
		if (vma->vm_flags & VM_PFNMAP)
			zap_special_vma_range(vma, vma->vm_start,
					      vma->vm_end - vma->vm_start);
		mutex_lock(&seg->lock);
		i_devmap_seg_unmap(seg, i_vma_uoff(vma),
				   i_vma_uoff(vma) + vma->vm_end - vma->vm_start);
		mutex_unlock(&seg->lock);
		goto fail;
	}

	vma->vm_private_data = seg;
	vma->vm_ops = &i_devmap_vm_ops;
	atomic_long_inc(&xxddi_stats.vmas);
	return 0;
fail:
	i_devmap_seg_put(seg);
	return err;
}

/**
 * devmap_setup() - map device memory through devmap(9E), from segmap(9E)
 * (devmap_setup(9F))
 * @dev:     the device
 * @off:     device (user) offset: segmap(9E)'s @off
 * @as:      segmap(9E)'s address space argument
 * @addrp:   segmap(9E)'s address argument (the mapping's address)
 * @len:     bytes: segmap(9E)'s @len
 * @prot:    segmap(9E)'s protection
 * @maxprot: segmap(9E)'s maximum protection
 * @flags:   segmap(9E)'s MAP_* flags
 * @cred:    segmap(9E)'s credentials
 *
 * On Linux mmap(2) has created the mapping before segmap(9E) runs; the
 * arguments must describe it (as segmap passes them through).
 *
 * Context: segmap(9E), mmap_lock held, may sleep.
 * Return: 0 or a positive errno, as the mmap(2) of i_devmap_setup_vma()
 * would fail; EINVAL if the arguments do not match the mapping.
 */
int devmap_setup(dev_t dev, offset_t off, struct as *as, caddr_t *addrp,
		 size_t len, uint_t prot, uint_t maxprot, uint_t flags,
		 struct cred *cred)
{
	struct vm_area_struct *vma = as ? as->a_vma : NULL;

	if (!vma || off < 0 || (u64)off != i_vma_uoff(vma) ||
	    len != vma->vm_end - vma->vm_start ||
	    dev != as->a_mn->dev)
		return EINVAL;
	return -i_devmap_setup_vma(as->a_mn, vma);
}

/**
 * ddi_devmap_segmap() - devmap_setup() with segmap(9E)'s argument types
 * (ddi_devmap_segmap(9F))
 * @dev:     the device
 * @off:     device offset
 * @as:      segmap(9E)'s address space argument
 * @addrp:   segmap(9E)'s address argument
 * @len:     bytes
 * @prot:    protection
 * @maxprot: maximum protection
 * @flags:   MAP_* flags
 * @cred:    credentials
 *
 * Context: segmap(9E), may sleep.
 * Return: as devmap_setup().
 */
__ddi_hot int ddi_devmap_segmap(dev_t dev, off_t off, struct as *as,
				caddr_t *addrp, off_t len, uint_t prot,
				uint_t maxprot, uint_t flags, struct cred *cred)
{
	if (len < 0)
		return EINVAL;
	return devmap_setup(dev, off, as, addrp, len, prot, maxprot, flags,
			    cred);
}
