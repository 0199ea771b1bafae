// SPDX-License-Identifier: GPL-2.0
/*
 * xxhermon - a selftest driver with the user-mapping patterns of an
 * InfiniBand HCA driver (illumos hermon(4D), tavor): written here from
 * scratch as a Solaris driver would be.
 *
 * PCI instances (N >= 1, /dev/xxhermonN; any function given to the driver
 * through driver_override, the test uses QEMU's edu): devmap(9E) at offset
 * 0 exports the process' "UAR" page, page 0 of register set 1 (the first
 * BAR), with devmap_devmem_setup(9F) by "reg" number.  A fork child gets no
 * access to its parent's UAR page: devmap_dup(9E) revokes the child's
 * handle with devmap_devmem_remap(9F, DEVMAP_MAPPING_INVALID), so the
 * child's first touch gets SIGBUS; the parent keeps its access.
 *
 * The pseudo instance (/dev/xxhermon) exports user memory, as an HCA
 * exports a registered memory region:
 *   XXH_IOC_LOCK    locks the caller's pages down with umem_lockmemory()
 *                   (DDI_UMEMLOCK_LONGTERM, with a cleanup callback); one
 *                   region at a time (EBUSY), else umem_lockmemory's errno
 *   XXH_IOC_UNLOCK  ddi_umem_unlock() of the region (ENXIO if none)
 *   XXH_IOC_STATUS  struct xxh_status: whether a region is locked, how
 *                   many cleanup callbacks came and how many of them
 *                   unlocked a region
 * and devmap(9E) at XXH_UMEM_OFF maps the region with devmap_umem_setup()
 * into any process: what one process writes the other reads.
 *
 * When the locking process unmaps the region or exits, the cleanup
 * callback unlocks it and the driver forgets it: new mmap(2)s of the
 * window fail with ENXIO.  A process that mapped the region before keeps
 * its mapping: the pages stay pinned, with their last contents, until it
 * unmaps them (they belong to no other process any more).
 *
 * Kernel memory windows test devmap_umem_setup()'s caching attributes,
 * one page of ddi_umem_alloc() memory each: XXH_CACHED_OFF
 * (IOMEM_DATA_CACHED), XXH_UNCACHED_OFF (IOMEM_DATA_UNCACHED), XXH_WC_OFF
 * (IOMEM_DATA_UC_WR_COMBINE), XXH_BOTH_OFF (UNCACHED | UC_WR_COMBINE: the
 * setup fails, ENXIO) and XXH_UMEM_UC_OFF (the locked region uncached:
 * refused, ENXIO).  XXH_IOC_PTE reports the caching of the caller's page
 * table entry at an address.  All structures have one layout for both
 * data models.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioctl.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <sys/types.h>
#include <sys/param.h>
#include <sys/mman.h>
#include <sys/cred.h>
#include <sys/modctl.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include <sys/cmn_err.h>

#include "xxhermon.h"

#define XXH_UAR_RNUMBER		1	/* register set of the UAR pages */

/* Per-instance soft state. */
struct xxh_state {
	dev_info_t *dip;
	bool pci;			/* a PCI instance: the UAR pages */
	struct mutex lock;		/* protects the region and the counts */
	ddi_umem_cookie_t region;	/* umem_lockmemory'ed user pages */
	size_t region_len;
	u32 cleanups;
	u32 cleanup_unlocks;
	ddi_umem_cookie_t kcookie;	/* one page for the caching windows */
	caddr_t kva;
};

static void *xxh_statep;

static int xxh_open(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	if (otyp != OTYP_CHR)
		return EINVAL;
	if (!ddi_get_soft_state(xxh_statep, getminor(*devp)))
		return ENXIO;
	return 0;
}

static int xxh_close(dev_t dev, int flag, int otyp, cred_t *credp)
{
	return 0;
}

/* ---- the UAR page (PCI instances) ---- */

static int xxh_uar_map(devmap_cookie_t dhp, dev_t dev, uint_t flags,
		       offset_t off, size_t len, void **pvtp)
{
	*pvtp = ddi_get_soft_state(xxh_statep, getminor(dev));
	return *pvtp ? 0 : -1;
}

/*
 * devmap_dup(9E): the child of a fork must not ring its parent's doorbells.
 * Its copy of the handle maps nothing from now on.
 */
static int xxh_uar_dup(devmap_cookie_t dhp, void *pvtp,
		       devmap_cookie_t new_dhp, void **new_pvtp)
{
	struct xxh_state *xsp = pvtp;
	int status;

	status = devmap_devmem_remap(new_dhp, xsp->dip, XXH_UAR_RNUMBER, 0,
				     PAGESIZE, PROT_READ | PROT_WRITE | PROT_USER,
				     DEVMAP_MAPPING_INVALID, NULL);
	if (status != DDI_SUCCESS) {
		cmn_err(CE_WARN, "xxhermon: cannot revoke a child's UAR page");
		return -1;
	}
	*new_pvtp = xsp;
	return 0;
}

static struct devmap_callback_ctl xxh_uar_callbacks = {
	DEVMAP_OPS_REV,			/* devmap_rev */
	xxh_uar_map,			/* devmap_map */
	NULL,				/* devmap_access */
	xxh_uar_dup,			/* devmap_dup */
	NULL,				/* devmap_unmap */
};

static int xxh_devmap_uar(struct xxh_state *xsp, devmap_cookie_t handle,
			  offset_t off, size_t len, size_t *maplen)
{
	ddi_device_acc_attr_t attr = {
		.devacc_attr_version = DDI_DEVICE_ATTR_V0,
		.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
		.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
	};
	int status;

	if (off != 0 || len != PAGESIZE)
		return -1;
	status = devmap_devmem_setup(handle, xsp->dip, &xxh_uar_callbacks,
				     XXH_UAR_RNUMBER, 0, PAGESIZE,
				     PROT_READ | PROT_WRITE | PROT_USER,
				     DEVMAP_ALLOW_REMAP, &attr);
	if (status < 0)
		return -1;
	*maplen = PAGESIZE;
	return 0;
}

/* ---- locked user memory (the pseudo instance) ---- */

/*
 * umem_lockmemory's cleanup callback: the region's process unmapped it or
 * exited.  Like an HCA driver, find the region by its cookie (what the
 * framework passes is the cookie itself) and release it, unless an
 * XXH_IOC_UNLOCK or detach got there first.  Process context.
 */
static void xxh_umem_cleanup(ddi_umem_cookie_t *cookiep)
{
	ddi_umem_cookie_t cookie = (ddi_umem_cookie_t)cookiep;
	struct xxh_state *xsp = ddi_get_soft_state(xxh_statep, 0);
	bool mine;

	if (!xsp)
		return;
	mutex_lock(&xsp->lock);
	xsp->cleanups++;
	mine = xsp->region == cookie;
	if (mine) {
		xsp->region = NULL;
		xsp->cleanup_unlocks++;
	}
	mutex_unlock(&xsp->lock);
	if (mine)
		ddi_umem_unlock(cookie);
}

static struct umem_callback_ops xxh_umem_cbops = {
	UMEM_CALLBACK_VERSION,		/* cbo_umem_callback_version */
	xxh_umem_cleanup,		/* cbo_umem_lock_cleanup */
};

/*
 * The cookie, offset in it and devmap_umem_setup(9F) flags of the window
 * [off, off + len); the region's cookie only under xsp->lock.  ENXIO if
 * the range is in no window or the region is not locked.
 */
static int xxh_window(struct xxh_state *xsp, offset_t off, size_t len,
		      ddi_umem_cookie_t *cookiep, offset_t *koffp,
		      uint_t *flagsp)
{
	static const struct {
		offset_t base;
		uint_t flags;
	} kwin[] = {
		{ XXH_CACHED_OFF, IOMEM_DATA_CACHED },
		{ XXH_UNCACHED_OFF, IOMEM_DATA_UNCACHED },
		{ XXH_WC_OFF, IOMEM_DATA_UC_WR_COMBINE },
		{ XXH_BOTH_OFF, IOMEM_DATA_UNCACHED | IOMEM_DATA_UC_WR_COMBINE },
	};
	int i;

	if (off >= XXH_UMEM_OFF && off < XXH_CACHED_OFF) {
		if (!xsp->region || off - XXH_UMEM_OFF >= xsp->region_len ||
		    len > xsp->region_len - (off - XXH_UMEM_OFF))
			return ENXIO;
		*cookiep = xsp->region;
		*koffp = off - XXH_UMEM_OFF;
		*flagsp = DEVMAP_DEFAULTS;
		return 0;
	}
	if (off == XXH_UMEM_UC_OFF) {
		if (!xsp->region || len > xsp->region_len)
			return ENXIO;
		*cookiep = xsp->region;
		*koffp = 0;
		*flagsp = IOMEM_DATA_UNCACHED;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(kwin); i++) {
		if (off != kwin[i].base || len != PAGESIZE)
			continue;
		*cookiep = xsp->kcookie;
		*koffp = 0;
		*flagsp = kwin[i].flags;
		return 0;
	}
	return ENXIO;
}

static int xxh_devmap(dev_t dev, devmap_cookie_t handle, offset_t off,
		      size_t len, size_t *maplen, uint_t model)
{
	struct xxh_state *xsp = ddi_get_soft_state(xxh_statep, getminor(dev));
	ddi_umem_cookie_t cookie;
	offset_t koff;
	uint_t flags;
	int status;

	if (!xsp)
		return -1;
	if (xsp->pci)
		return xxh_devmap_uar(xsp, handle, off, len, maplen);
	mutex_lock(&xsp->lock);		/* the region stays while set up */
	if (xxh_window(xsp, off, len, &cookie, &koff, &flags)) {
		mutex_unlock(&xsp->lock);
		return -1;
	}
	status = devmap_umem_setup(handle, xsp->dip, NULL, cookie, koff, len,
				   PROT_ALL, flags, NULL);
	mutex_unlock(&xsp->lock);
	if (status < 0)
		return -1;
	*maplen = len;
	return 0;
}

/* ---- XXH_IOC_PTE: the caching of a page table entry ---- */

#if defined(CONFIG_X86)
#define XXH_CACHE_MASK	_PAGE_CACHE_MASK
#elif defined(CONFIG_ARM64)
#define XXH_CACHE_MASK	PTE_ATTRINDX_MASK
#endif

#ifdef XXH_CACHE_MASK
static int xxh_pte_fn(pte_t *ptep, unsigned long addr, void *data)
{
	pte_t pte = ptep_get(ptep);
	u32 *cache = data;
	u64 bits = pte_val(pte) & XXH_CACHE_MASK;

	if (pte_none(pte) || !pte_present(pte))
		return -ENOENT;
	*cache = 0;
	if (bits == (pgprot_val(PAGE_SHARED) & XXH_CACHE_MASK))
		*cache |= XXH_PTE_WB;
	if (bits == (pgprot_val(pgprot_noncached(PAGE_SHARED)) &
		     XXH_CACHE_MASK))
		*cache |= XXH_PTE_UC;
	if (bits == (pgprot_val(pgprot_writecombine(PAGE_SHARED)) &
		     XXH_CACHE_MASK))
		*cache |= XXH_PTE_WC;
	return 0;
}

/* The XXH_PTE_* bits of the caller's entry at @addr, or an errno. */
static int xxh_pte_cache(unsigned long addr, u32 *cache)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int err = ENOENT;

	addr &= PAGE_MASK;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	/* a small device mapping: no 2 MiB entry the walk would trip on */
	if (vma && (vma->vm_flags & (VM_MIXEDMAP | VM_PFNMAP)) &&
	    vma->vm_end - vma->vm_start < PMD_SIZE)
		err = -apply_to_page_range(mm, addr, PAGE_SIZE, xxh_pte_fn,
					   cache);
	mmap_read_unlock(mm);
	return err;
}
#else
static int xxh_pte_cache(unsigned long addr, u32 *cache)
{
	return ENOTTY;
}
#endif

static int xxh_ioctl(dev_t dev, int cmd, intptr_t arg, int mode,
		     cred_t *credp, int *rvalp)
{
	struct xxh_state *xsp = ddi_get_soft_state(xxh_statep, getminor(dev));
	ddi_umem_cookie_t cookie;
	struct xxh_status st;
	struct xxh_lock lk;
	struct xxh_pte pte;
	int error;

	if (!xsp || xsp->pci)
		return ENXIO;
	switch (cmd) {
	case XXH_IOC_LOCK:
		if (ddi_copyin((void __user *)arg, &lk, sizeof(lk), mode))
			return EFAULT;
		if (lk.pad || lk.len > SIZE_MAX)
			return EINVAL;
		/* not under xsp->lock: locking takes the caller's mmap_lock */
		error = umem_lockmemory((caddr_t)(uintptr_t)lk.addr, lk.len,
					lk.flags | DDI_UMEMLOCK_LONGTERM,
					&cookie, &xxh_umem_cbops, curproc);
		if (error)
			return error;
		mutex_lock(&xsp->lock);
		if (xsp->region) {
			mutex_unlock(&xsp->lock);
			ddi_umem_unlock(cookie);
			return EBUSY;
		}
		xsp->region = cookie;
		xsp->region_len = lk.len;
		mutex_unlock(&xsp->lock);
		return 0;
	case XXH_IOC_UNLOCK:
		mutex_lock(&xsp->lock);
		cookie = xsp->region;
		xsp->region = NULL;
		mutex_unlock(&xsp->lock);
		if (!cookie)
			return ENXIO;
		ddi_umem_unlock(cookie);
		return 0;
	case XXH_IOC_STATUS:
		memset(&st, 0, sizeof(st));
		mutex_lock(&xsp->lock);
		st.locked = !!xsp->region;
		st.cleanups = xsp->cleanups;
		st.cleanup_unlocks = xsp->cleanup_unlocks;
		mutex_unlock(&xsp->lock);
		if (ddi_copyout(&st, (void __user *)arg, sizeof(st), mode))
			return EFAULT;
		return 0;
	case XXH_IOC_PTE:
		if (ddi_copyin((void __user *)arg, &pte, sizeof(pte), mode))
			return EFAULT;
		error = xxh_pte_cache((unsigned long)pte.addr, &pte.cache);
		if (error)
			return error;
		if (ddi_copyout(&pte, (void __user *)arg, sizeof(pte), mode))
			return EFAULT;
		return 0;
	}
	return ENOTTY;
}

/* ---- attach / detach ---- */

static int xxh_attach_pci(dev_info_t *dip, struct xxh_state *xsp)
{
	int instance = ddi_get_instance(dip);
	char name[16];
	off_t size;

	if (ddi_dev_regsize(dip, XXH_UAR_RNUMBER, &size) != DDI_SUCCESS) {
		cmn_err(CE_WARN, "xxhermon%d: no register set %d", instance,
			XXH_UAR_RNUMBER);
		return DDI_FAILURE;
	}
	xsp->pci = true;
	snprintf(name, sizeof(name), "xxhermon%d", instance);
	return ddi_create_minor_node(dip, name, S_IFCHR, instance, DDI_PSEUDO,
				     0);
}

static int xxh_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxh_state *xsp;
	int nregs;

	if (cmd != DDI_ATTACH)
		return DDI_FAILURE;
	if (ddi_soft_state_zalloc(xxh_statep, instance) != DDI_SUCCESS)
		return DDI_FAILURE;
	xsp = ddi_get_soft_state(xxh_statep, instance);
	xsp->dip = dip;
	mutex_init(&xsp->lock);
	if (ddi_dev_nregs(dip, &nregs) == DDI_SUCCESS) {
		if (xxh_attach_pci(dip, xsp) == DDI_SUCCESS)
			return DDI_SUCCESS;
		goto fail;
	}
	xsp->kva = ddi_umem_alloc(PAGESIZE, DDI_UMEM_SLEEP, &xsp->kcookie);
	if (!xsp->kva)
		goto fail;
	memset(xsp->kva, XXH_KMEM_FILL, PAGESIZE);
	if (ddi_create_minor_node(dip, "xxhermon", S_IFCHR, instance,
				  DDI_PSEUDO, 0) != DDI_SUCCESS)
		goto fail_umem;
	return DDI_SUCCESS;

fail_umem:
	ddi_umem_free(xsp->kcookie);
fail:
	mutex_destroy(&xsp->lock);
	ddi_soft_state_free(xxh_statep, instance);
	return DDI_FAILURE;
}

static int xxh_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxh_state *xsp = ddi_get_soft_state(xxh_statep, instance);
	ddi_umem_cookie_t cookie;

	if (cmd != DDI_DETACH || !xsp)
		return DDI_FAILURE;
	ddi_remove_minor_node(dip, NULL);
	mutex_lock(&xsp->lock);
	cookie = xsp->region;
	xsp->region = NULL;
	mutex_unlock(&xsp->lock);
	ddi_umem_unlock(cookie);
	ddi_umem_free(xsp->kcookie);
	mutex_destroy(&xsp->lock);
	ddi_soft_state_free(xxh_statep, instance);
	return DDI_SUCCESS;
}

static struct cb_ops xxh_cb_ops = {
	xxh_open,			/* cb_open */
	xxh_close,			/* cb_close */
	nodev,				/* cb_strategy */
	nodev,				/* cb_print */
	nodev,				/* cb_dump */
	nodev,				/* cb_read */
	nodev,				/* cb_write */
	xxh_ioctl,			/* cb_ioctl */
	xxh_devmap,			/* cb_devmap */
	nodev,				/* cb_mmap */
	ddi_devmap_segmap,		/* cb_segmap */
	nochpoll,			/* cb_chpoll */
	ddi_prop_op,			/* cb_prop_op */
	NULL,				/* cb_str */
	D_NEW | D_MP | D_64BIT | D_DEVMAP,	/* cb_flag */
	CB_REV,				/* cb_rev */
	nodev,				/* cb_aread */
	nodev				/* cb_awrite */
};

/* No function is bound by default: the test uses driver_override. */
static const struct pci_device_id xxh_pci_ids[] = {
	{ }
};

static struct dev_ops xxh_dev_ops = {
	DEVO_REV,			/* devo_rev */
	0,				/* devo_refcnt */
	NULL,				/* devo_getinfo: xxddi finds instances itself */
	nulldev,			/* devo_identify */
	nulldev,			/* devo_probe */
	xxh_attach,			/* devo_attach */
	xxh_detach,			/* devo_detach */
	nodev,				/* devo_reset */
	&xxh_cb_ops,			/* devo_cb_ops */
	NULL,				/* devo_bus_ops */
	NULL,				/* devo_power */
	ddi_quiesce_not_needed,		/* devo_quiesce */
	xxh_pci_ids			/* devo_pci_ids (Linux): driver_aliases */
};

static struct modldrv xxh_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "xxhermon: UAR pages and locked user memory",
	.drv_dev_ops = &xxh_dev_ops,
};

static struct modlinkage xxh_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &xxh_modldrv, NULL },
};

/* _init(9E) */
static int __init xxh_init(void)
{
	int error;

	error = ddi_soft_state_init(&xxh_statep, sizeof(struct xxh_state), 1);
	if (error)
		return -error;
	error = mod_install(&xxh_modlinkage);
	if (error) {
		ddi_soft_state_fini(&xxh_statep);
		return -error;
	}
	return 0;
}

/* _fini(9E) */
static void __exit xxh_exit(void)
{
	mod_remove(&xxh_modlinkage);
	ddi_soft_state_fini(&xxh_statep);
}

module_init(xxh_init);
module_exit(xxh_exit);

MODULE_DESCRIPTION("xxddi selftest driver: hermon-style UAR pages and locked user memory");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
