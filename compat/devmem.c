// SPDX-License-Identifier: GPL-2.0
/*
 * Device registers in a devmap(9E) mapping: devmap_devmem_setup(9F) and
 * devmap_devmem_remap(9F), the register counterpart of umem.c's
 * devmap_umem_setup(9F).  Register sets are numbered as for
 * ddi_regs_map_setup(9F) (regs.c).  A devmem handle holds the reservation
 * of its register set's memory type (struct devmap_regs, shared by the
 * handles mapping that set) while user translations of it may exist; the
 * reservation outlives them until the device detaches.
 */
#include <linux/capability.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include "impl.h"

/*
 * The memory type reservations of register sets in user mappings, one per
 * register set and caching: a handle takes a reference on the reservation
 * of its register set instead of making one of its own.  When the last
 * handle is gone, the reservation is kept for the next mapping until the
 * device detaches (as a graphics driver reserves its aperture's memory
 * type once), unless a mapping of the other caching needs its registers.
 */
static LIST_HEAD(i_devmap_regs_list);
static DEFINE_MUTEX(i_devmap_regs_lock);	/* protects the list */

static void i_devmap_regs_free(struct devmap_regs *regs)
{
	if (regs->va)
		iounmap(regs->va);
	else
		arch_io_free_memtype_wc(regs->phys, regs->len);
	kfree(regs);
}

/* Move a kept reservation to @free: nothing maps its registers. */
static void i_devmap_regs_drop_kept(struct devmap_regs *regs,
				    struct list_head *free)
{
	list_move(&regs->link, free);
	atomic_long_dec(&xxddi_stats.regs_kept);
}

static void i_devmap_regs_free_list(struct list_head *free)
{
	struct devmap_regs *regs, *tmp;

	list_for_each_entry_safe(regs, tmp, free, link)
		i_devmap_regs_free(regs);
}

/*
 * The last handle is gone; called with i_devmap_regs_lock, drops it.  The
 * reservation is kept while its device is attached, freed after.
 */
static __ddi_hot void i_devmap_regs_release(struct kref *ref)
{
	struct devmap_regs *regs = container_of(ref, struct devmap_regs, ref);

	atomic_long_dec(&xxddi_stats.regmaps);
	if (regs->dip) {
		regs->kept = true;
		atomic_long_inc(&xxddi_stats.regs_kept);
		mutex_unlock(&i_devmap_regs_lock);
		return;
	}
	list_del(&regs->link);
	mutex_unlock(&i_devmap_regs_lock);
	i_devmap_regs_free(regs);
}

/**
 * i_devmap_regs_rele() - drop a devmem handle's reference on its registers'
 * memory type reservation
 * @regs: the reservation; kept with the last reference while its device is
 *        attached, else released
 *
 * Context: process context, may sleep; takes i_devmap_regs_lock (a leaf).
 */
__ddi_hot void i_devmap_regs_rele(struct devmap_regs *regs)
{
	kref_put_mutex(&regs->ref, i_devmap_regs_release, &i_devmap_regs_lock);
}

/**
 * i_devmap_regs_detach() - release the memory type reservations kept for
 * a device that is detaching
 * @dip: the device; its user mappings are revoked already
 *
 * A reservation that a handle still holds (a revoked mapping not unmapped
 * yet) goes with its last handle.
 *
 * Context: process context, may sleep; takes i_devmap_regs_lock.
 */
void i_devmap_regs_detach(dev_info_t *dip)
{
	struct devmap_regs *regs, *tmp;
	LIST_HEAD(free);

	mutex_lock(&i_devmap_regs_lock);
	list_for_each_entry_safe(regs, tmp, &i_devmap_regs_list, link) {
		if (regs->dip != dip)
			continue;
		regs->dip = NULL;
		if (regs->kept)
			i_devmap_regs_drop_kept(regs, &free);
	}
	mutex_unlock(&i_devmap_regs_lock);
	i_devmap_regs_free_list(&free);
}

/*
 * Reserve the memory type @cache for the register set [@phys, @phys +
 * @len) of @dip, or take a reference on its reservation.  The user
 * translations need the memory type only, not a kernel mapping:
 * write-combining is reserved alone (arch_io_reserve_memtype_wc(), as
 * io_mapping_init_wc() does); uncached registers are mapped with ioremap(),
 * whose reservation only the kernel's own code can make without a mapping.
 * Kept reservations of the other caching that overlap the registers are
 * released first, so that the new one gets the memory type it asks for.
 * Called with nothing held; may sleep (i_devmap_regs_lock is held across
 * the reservation, so that one register set gets one).
 */
static __ddi_hot struct devmap_regs *i_devmap_regs_map(dev_info_t *dip,
						       resource_size_t phys,
						       size_t len, int cache)
{
	struct devmap_regs *regs, *tmp, *found = NULL;
	LIST_HEAD(free);

	mutex_lock(&i_devmap_regs_lock);
	list_for_each_entry_safe(regs, tmp, &i_devmap_regs_list, link) {
		if (regs->dip == dip && regs->cache == cache &&
		    regs->phys == phys && regs->len == len)
			found = regs;
		else if (regs->kept && regs->phys < phys + len &&
			 phys < regs->phys + regs->len)
			i_devmap_regs_drop_kept(regs, &free);
	}
	if (!list_empty(&free))
		i_devmap_regs_free_list(&free);
	regs = found;
	if (regs && regs->kept) {
		regs->kept = false;
		kref_init(&regs->ref);
		atomic_long_dec(&xxddi_stats.regs_kept);
		atomic_long_inc(&xxddi_stats.regmaps);
	} else if (regs) {
		kref_get(&regs->ref);
	}
	if (regs)
		goto out;
	regs = kzalloc(sizeof(*regs), GFP_KERNEL);
	if (!regs)
		goto out;
	kref_init(&regs->ref);
	regs->dip = dip;
	regs->phys = phys;
	regs->len = len;
	regs->cache = cache;
	if (cache == DEVMAP_CACHE_WC) {
		if (arch_io_reserve_memtype_wc(phys, len))
			goto fail;
	} else {
		regs->va = ioremap(phys, len);
		if (!regs->va)
			goto fail;
	}
	list_add(&regs->link, &i_devmap_regs_list);
	atomic_long_inc(&xxddi_stats.regmaps);
	goto out;
fail:
	kfree(regs);
	regs = NULL;
out:
	mutex_unlock(&i_devmap_regs_lock);
	return regs;
}

/*
 * Check register set @rnumber, [@roff, @roff + @len), @maxprot and
 * @accattrp for @dhp, as devmap_devmem_setup(9F) takes them: the physical
 * address, the bytes of the whole register set (a page multiple) and the
 * DEVMAP_CACHE_* caching, or a positive errno.
 */
static __ddi_hot int i_devmem_resolve(struct devmap_handle *dhp,
				      dev_info_t *dip, uint_t rnumber,
				      offset_t roff, size_t len, uint_t maxprot,
				      ddi_device_acc_attr_t *accattrp,
				      resource_size_t *physp,
				      resource_size_t *setlenp, int *cachep)
{
	uchar_t order = accattrp ? accattrp->devacc_attr_dataorder :
				   DDI_STRICTORDER_ACC;
	struct resource *r;
	resource_size_t size;

	if (order > DDI_STORECACHING_OK_ACC || roff < 0 ||
	    !PAGE_ALIGNED(roff) || len == 0 || !PAGE_ALIGNED(len))
		return EINVAL;
	if (i_ddi_reg_resource(dip, rnumber, &r) != DDI_SUCCESS ||
	    (r->flags & IORESOURCE_IO))
		return EINVAL;
	size = r->flags ? resource_size(r) : 0;
	if (size && !PAGE_ALIGNED(size)) {
		if (!i_ddi_reg_page_exclusive(r))
			return ENXIO;
		size = PAGE_ALIGN(size);
	}
	if ((u64)roff >= size || len > size - roff ||
	    !PAGE_ALIGNED(r->start))
		return ENXIO;
	if ((dhp->prot & maxprot) != dhp->prot)
		return EACCES;
	if (!capable(CAP_SYS_RAWIO) ||
	    security_locked_down(LOCKDOWN_PCI_ACCESS))
		return EPERM;
	if (order == DDI_MERGING_OK_ACC || order == DDI_LOADCACHING_OK_ACC) {
		if (!(r->flags & IORESOURCE_PREFETCH))
			return EINVAL;
		*cachep = DEVMAP_CACHE_WC;
	} else if (order == DDI_STRICTORDER_ACC) {
		*cachep = DEVMAP_CACHE_UC;
	} else {
		*cachep = (r->flags & IORESOURCE_PREFETCH) ?
			  DEVMAP_CACHE_WC : DEVMAP_CACHE_UC;
	}
	*physp = r->start + roff;
	*setlenp = size;
	return 0;
}

/**
 * devmap_devmem_setup() - export device memory (registers) through a devmap
 * handle (devmap_devmem_setup(9F))
 * @dhc:         the handle devmap(9E) was given
 * @dip:         the device (a PCI instance)
 * @callbackops: devmap_callback_ctl(9S), or NULL
 * @rnumber:     register set, 1, 2, ...: the implemented BARs in order (see
 *               ddi_regs_map_setup())
 * @roff:        byte offset in the register set; page aligned
 * @len:         bytes; page aligned (a register set smaller than a page may
 *               be mapped as one whole page if no other device register
 *               lies in that page)
 * @maxprot:     the highest protection user mappings may have
 * @flags:       DEVMAP_DEFAULTS, or DEVMAP_ALLOW_REMAP with optional
 *               DEVMAP_MAPPING_INVALID
 * @accattrp:    access attributes; the data order selects the caching:
 *               DDI_STRICTORDER_ACC (or NULL) uncached;
 *               DDI_MERGING_OK_ACC and DDI_LOADCACHING_OK_ACC
 *               write-combining; DDI_UNORDERED_OK_ACC and
 *               DDI_STORECACHING_OK_ACC write-combining on prefetchable
 *               memory and uncached otherwise (Linux never maps MMIO
 *               write-back)
 *
 * Mapping device memory needs CAP_SYS_RAWIO, as the PCI sysfs resource
 * files and /dev/mem do, and is refused under kernel lockdown.  Device
 * memory mappings are shared only, VM_IO | VM_PFNMAP, never copied on
 * write.  The handle holds the reservation of the register set's memory
 * type (x86 PAT: write-combining reserved alone, uncached by an ioremap()
 * of the register set), one per register set and caching, shared by the
 * handles mapping it, for as long as user translations of them may exist,
 * and kept for the next mapping until @dip detaches; the translations
 * take that memory type - handles without devmap_access are loaded at
 * mmap(2) time (in one pass over the page tables), or with 2 MiB PMD
 * (1 GiB PUD) entries at first access where the kernel has huge PFN maps
 * (PUD entries in them); the others at fault time.  Unlike a whole-VMA
 * io_remap_pfn_range(), whose reservation belongs to the VMA, this lets
 * the mapping be split and lets detach revoke it at any time.
 *
 * Context: process context, from devmap(9E) (mmap_lock held).
 * Return: 0, or -1 (DDI_FAILURE), as on Solaris.  The reason is kept in
 * the handle, and mmap(2) fails with it where Linux has a more specific
 * errno than Solaris' ENXIO: EACCES (protection beyond @maxprot), EPERM
 * (no CAP_SYS_RAWIO, or lockdown), ENOMEM (no memory, or no memory type,
 * for the registers); else ENXIO (bad handle or arguments, unaligned
 * @roff/@len, a configuration space or I/O port register set,
 * write-combining on non-prefetchable memory, @roff + @len beyond the
 * register set, an absent register set, or a page shared with another
 * device's registers - illumos does not check this).
 */
__ddi_hot int devmap_devmem_setup(devmap_cookie_t dhc, dev_info_t *dip,
				  struct devmap_callback_ctl *callbackops,
				  uint_t rnumber, offset_t roff, size_t len,
				  uint_t maxprot, uint_t flags,
				  ddi_device_acc_attr_t *accattrp)
{
	struct devmap_handle *dhp = dhc;
	resource_size_t phys, setlen;
	int cache, err = EINVAL;

	if (!dhp)
		return DDI_FAILURE;
	if (dhp->type != DEVMAP_TYPE_NONE ||
	    (callbackops && callbackops->devmap_rev != DEVMAP_OPS_REV) ||
	    (flags & ~DEVMAP_SETUP_FLAGS) ||
	    ((flags & DEVMAP_MAPPING_INVALID) &&
	     !(flags & DEVMAP_ALLOW_REMAP)))
		goto out;
	err = i_devmem_resolve(dhp, dip, rnumber, roff, len, maxprot, accattrp,
			       &phys, &setlen, &cache);
	if (err)
		goto out;
	err = ENOMEM;
	dhp->regs = i_devmap_regs_map(dip, phys - roff, setlen, cache);
	if (!dhp->regs)
		goto out;
	dhp->cache = cache;
	dhp->pfn = PHYS_PFN(phys);
	dhp->invalid = flags & DEVMAP_MAPPING_INVALID;
	dhp->setup_len = len;
	dhp->maxprot = maxprot;
	dhp->flags = flags;
	dhp->callbackops = callbackops;
	dhp->dip = dip;
	dhp->type = DEVMAP_TYPE_DEVMEM;
	return DDI_SUCCESS;
out:
	dhp->error = err;
	return DDI_FAILURE;
}

/**
 * devmap_devmem_remap() - point a device memory handle at other registers,
 * or revoke its access (devmap_devmem_remap(9F))
 * @dhc:      a handle set up by devmap_devmem_setup() with
 *            DEVMAP_ALLOW_REMAP
 * @dip:      the device
 * @rnumber:  register set, 1, 2, ...: the implemented BARs in order
 * @roff:     byte offset in the register set; page aligned
 * @len:      bytes; page aligned, at least the handle's length
 * @maxprot:  the highest protection; must still allow the mapping's
 * @flags:    0, or DEVMAP_MAPPING_INVALID: the handle maps nothing from
 *            now on (@rnumber, @roff, @len and @accattrp are ignored) and
 *            every access to it gets SIGBUS, until a later remap without
 *            the flag - what hermon and tavor do in devmap_dup(9E) to
 *            keep a fork child off the parent's registers
 * @accattrp: access attributes, as for devmap_devmem_setup(); the caching
 *            they select must be the handle's (a mapping has one)
 *
 * Every translation of the handle's range is unloaded first (in every
 * process: Linux zaps by file range, see devmap_unload()), so the next
 * access loads the new registers or finds the handle invalid.
 *
 * Context: process context, may sleep; from devmap(9E)'s callbacks
 * (devmap_access(9E), devmap_dup(9E)) or a context management function,
 * which serialise it with the handle's faults.
 * Return: 0, or -1 (DDI_FAILURE), as on Solaris: not a device memory
 * handle, no DEVMAP_ALLOW_REMAP, other @flags, a protection beyond
 * @maxprot, or any reason devmap_devmem_setup() would refuse the range;
 * the handle is unchanged then.
 */
int devmap_devmem_remap(devmap_cookie_t dhc, dev_info_t *dip,
			uint_t rnumber, offset_t roff, size_t len,
			uint_t maxprot, uint_t flags,
			ddi_device_acc_attr_t *accattrp)
{
	struct devmap_handle *dhp = dhc;
	struct devmap_regs *regs, *old;
	resource_size_t phys, setlen;
	int cache;

	if (!dhp || dhp->type != DEVMAP_TYPE_DEVMEM ||
	    !(dhp->flags & DEVMAP_ALLOW_REMAP) ||
	    (flags & ~DEVMAP_MAPPING_INVALID) ||
	    (dhp->prot & maxprot) != dhp->prot)
		return DDI_FAILURE;
	if (flags & DEVMAP_MAPPING_INVALID) {
		WRITE_ONCE(dhp->invalid, true);
		devmap_unload(dhp, dhp->uoff, 0);
		dhp->maxprot = maxprot;
		return DDI_SUCCESS;
	}
	if (len < dhp->len ||
	    i_devmem_resolve(dhp, dip, rnumber, roff, len, maxprot, accattrp,
			     &phys, &setlen, &cache) || cache != dhp->cache)
		return DDI_FAILURE;
	regs = i_devmap_regs_map(dip, phys - roff, setlen, cache);
	if (!regs)
		return DDI_FAILURE;
	devmap_unload(dhp, dhp->uoff, 0);
	old = dhp->regs;
	dhp->regs = regs;
	dhp->pfn = PHYS_PFN(phys);
	dhp->maxprot = maxprot;
	WRITE_ONCE(dhp->invalid, false);
	if (old)
		i_devmap_regs_rele(old);
	return DDI_SUCCESS;
}
