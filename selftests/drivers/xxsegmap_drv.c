// SPDX-License-Identifier: GPL-2.0
/*
 * xxsegmap - a selftest driver with its own segmap(9E) entry point.
 *
 * xxddi dispatches mmap(2) of /dev/xxsegmap to segmap(9E), which checks the
 * request itself and then hands it to ddi_devmap_segmap(9F), the devmap
 * framework's own segmap; every errno either of them returns reaches
 * mmap(2) unchanged.
 *
 * The device is four pages of kernel memory from ddi_umem_alloc(9F), page
 * p filled with the byte 0xA0 + p.  Only pages 0 and 1 can actually be
 * mapped: devmap(9E) refuses anything touching pages 2 or 3, and segmap(9E)
 * refuses a mapping that starts at page 3 with EPERM, an errno of its own.
 *
 * segmap(9E) returns:
 *   ENXIO   the range is not inside the four pages
 *   EINVAL  the mapping is not MAP_SHARED
 *   EPERM   the range starts at page 3
 *   else    whatever ddi_devmap_segmap() returns (ENXIO when devmap(9E)
 *           fails, i.e. for a range reaching page 2)
 *
 * Three windows far above the device test devmap_umem_setup(9F) options;
 * each is mapped whole or in part, through ddi_devmap_segmap():
 *   XXSEG_TRASH_OFF  4 pages of a DDI_UMEM_TRASH cookie: every page is
 *                    the cookie's one scratch page
 *   XXSEG_BIG_OFF    4 MiB of kernel memory with DEVMAP_USE_PAGESIZE
 *   XXSEG_BIG2_OFF   the same 4 MiB with DEVMAP_DEFAULTS (2 MiB entries
 *                    where xxddi has huge PFN maps)
 *   XXSEG_LOCK_OFF   the user pages the last XXSEG_IOC_LOCK locked down
 *                    with ddi_umem_lock(9F) (ENXIO while none are)
 *   XXSEG_PAIR_OFF   page 0 again, one page, with a devmap_access(9E)
 *                    callback: the two latest mappings of the window
 *                    form a pair, and a fault on one of them
 *                    devmap_load(9F)s both when they belong to the
 *                    faulting process (devmap_load of a handle of another
 *                    mmap(2) of that process, as winlock(4D) does)
 *
 * ioctl(9E): XXSEG_IOC_LOCK (struct xxseg_lock: a page-aligned user
 * address, length and DDI_UMEMLOCK_* flags; EBUSY while pages are locked,
 * else ddi_umem_lock's errno), XXSEG_IOC_UNLOCK (ddi_umem_unlock; ENXIO
 * if nothing is locked) and XXSEG_IOC_PAIR_FAULTS (the number of
 * devmap_access calls of the XXSEG_PAIR_OFF window, a __u32, since the
 * driver was attached).  The structure has one layout for both models.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioctl.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
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

#include "xxsegmap.h"

#define XXSEG_SIZE		ptob(XXSEG_PAGES)
#define XXSEG_MAPPABLE		ptob(2)			/* devmap(9E) serves pages 0-1 */

#define XXSEG_TRASH_SIZE	ptob(XXSEG_TRASH_PAGES)
#define XXSEG_LOCK_MAX		SZ_1M		/* window size; the cookie's */

/* Per-instance soft state. */
struct xxseg_state {
	dev_info_t *dip;
	ddi_umem_cookie_t cookie;	/* XXSEG_PAGES pages */
	caddr_t kva;
	ddi_umem_cookie_t tcookie;	/* DDI_UMEM_TRASH, XXSEG_TRASH_SIZE */
	ddi_umem_cookie_t bcookie;	/* XXSEG_BIG_SIZE */
	struct mutex lock;		/* protects lcookie and pair */
	ddi_umem_cookie_t lcookie;	/* ddi_umem_lock'ed user pages */
	devmap_cookie_t pair[2];	/* latest handles of XXSEG_PAIR_OFF */
	unsigned int pair_next;		/* pair slot the next one takes */
	u32 pair_faults;		/* devmap_access calls of the pair */
};

static void *xxseg_statep;

/* ---- entry points ---- */

static int xxseg_open(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	if (otyp != OTYP_CHR)
		return EINVAL;
	if (!ddi_get_soft_state(xxseg_statep, getminor(*devp)))
		return ENXIO;
	return 0;
}

static int xxseg_close(dev_t dev, int flag, int otyp, cred_t *credp)
{
	return 0;
}

/*
 * devmap_map(9E) of an XXSEG_PAIR_OFF handle: it takes the older pair slot
 * (a process of its own: the handle's private data is the state).
 */
static int xxseg_pair_map(devmap_cookie_t dhp, dev_t dev, uint_t flags,
			  offset_t off, size_t len, void **pvtp)
{
	struct xxseg_state *xsp = ddi_get_soft_state(xxseg_statep,
						     getminor(dev));

	if (!xsp)
		return ENXIO;
	mutex_lock(&xsp->lock);
	xsp->pair[xsp->pair_next] = dhp;
	xsp->pair_next ^= 1;
	mutex_unlock(&xsp->lock);
	*pvtp = xsp;
	return 0;
}

/*
 * devmap_access(9E) of an XXSEG_PAIR_OFF handle: load it and the other
 * handle of the pair.  The other handle may be another process' (a fork
 * child's, which has no slot, or a second process'): devmap_load() then
 * fails with EINVAL and the access is still served.
 */
static int xxseg_pair_access(devmap_cookie_t dhp, void *pvtp, offset_t off,
			     size_t len, uint_t type, uint_t rw)
{
	struct xxseg_state *xsp = pvtp;
	devmap_cookie_t other = NULL;
	int error;

	if (!xsp)	/* a fork child's handle */
		return devmap_default_access(dhp, pvtp, off, len, type, rw);
	mutex_lock(&xsp->lock);
	xsp->pair_faults++;
	error = devmap_load(dhp, off, len, type, rw);
	if (xsp->pair[0] == dhp)
		other = xsp->pair[1];
	else if (xsp->pair[1] == dhp)
		other = xsp->pair[0];
	if (!error && other) {
		error = devmap_load(other, XXSEG_PAIR_OFF, PAGESIZE, type, rw);
		if (error == EINVAL)	/* not the faulting process' */
			error = 0;
	}
	mutex_unlock(&xsp->lock);
	return error;
}

/* devmap_unmap(9E) of an XXSEG_PAIR_OFF handle: it leaves its slot. */
static void xxseg_pair_unmap(devmap_cookie_t dhp, void *pvtp, offset_t off,
			     size_t len, devmap_cookie_t new_dhp1,
			     void **new_pvtp1, devmap_cookie_t new_dhp2,
			     void **new_pvtp2)
{
	struct xxseg_state *xsp = pvtp;
	int i;

	if (!xsp)
		return;
	mutex_lock(&xsp->lock);
	for (i = 0; i < 2; i++)
		if (xsp->pair[i] == dhp)
			xsp->pair[i] = NULL;
	mutex_unlock(&xsp->lock);
}

static struct devmap_callback_ctl xxseg_pair_callbacks = {
	DEVMAP_OPS_REV,			/* devmap_rev */
	xxseg_pair_map,			/* devmap_map */
	xxseg_pair_access,		/* devmap_access */
	NULL,				/* devmap_dup */
	xxseg_pair_unmap,		/* devmap_unmap */
};

/*
 * The window [off, off + len) lies in: its cookie, offset in it and
 * devmap_umem_setup(9F) flags.  false if it is in none.
 */
static bool xxseg_window(struct xxseg_state *xsp, offset_t off, size_t len,
			 ddi_umem_cookie_t *cookiep, offset_t *koffp,
			 uint_t *flagsp)
{
	static const struct {
		offset_t base;
		size_t size;
		uint_t flags;
	} win[] = {
		{ XXSEG_TRASH_OFF, XXSEG_TRASH_SIZE, DEVMAP_DEFAULTS },
		{ XXSEG_BIG_OFF, XXSEG_BIG_SIZE, DEVMAP_USE_PAGESIZE },
		{ XXSEG_BIG2_OFF, XXSEG_BIG_SIZE, DEVMAP_DEFAULTS },
		{ XXSEG_LOCK_OFF, XXSEG_LOCK_MAX, DEVMAP_DEFAULTS },
		{ XXSEG_PAIR_OFF, PAGESIZE, DEVMAP_DEFAULTS },
	};
	ddi_umem_cookie_t cookies[] = { xsp->tcookie, xsp->bcookie,
					 xsp->bcookie, xsp->lcookie,
					 xsp->cookie };
	int i;

	for (i = 0; i < ARRAY_SIZE(win); i++) {
		if (off < win[i].base || off - win[i].base >= win[i].size ||
		    len > win[i].size - (off - win[i].base))
			continue;
		*cookiep = cookies[i];
		*koffp = off - win[i].base;
		*flagsp = win[i].flags;
		return true;
	}
	return false;
}

static int xxseg_devmap(dev_t dev, devmap_cookie_t handle, offset_t off,
			size_t len, size_t *maplen, uint_t model)
{
	struct xxseg_state *xsp = ddi_get_soft_state(xxseg_statep,
						     getminor(dev));
	ddi_umem_cookie_t wcookie;
	offset_t koff;
	uint_t wflags;
	int error;

	if (!xsp)
		return -1;
	mutex_lock(&xsp->lock);		/* lcookie stays while it is set up */
	if (xxseg_window(xsp, off, len, &wcookie, &koff, &wflags)) {
		error = devmap_umem_setup(handle, xsp->dip,
					  off == XXSEG_PAIR_OFF ?
					  &xxseg_pair_callbacks : NULL,
					  wcookie, koff, len, PROT_ALL, wflags,
					  NULL);
		mutex_unlock(&xsp->lock);
		if (error)
			return -1;
		*maplen = len;
		return 0;
	}
	mutex_unlock(&xsp->lock);
	if (!xsp || off < 0 || off >= XXSEG_MAPPABLE ||
	    len > XXSEG_MAPPABLE - off)
		return -1;
	error = devmap_umem_setup(handle, xsp->dip, NULL, xsp->cookie, off,
				  len, PROT_ALL, DEVMAP_DEFAULTS, NULL);
	if (error)
		return error;
	*maplen = len;
	return 0;
}

/*
 * ioctl(9E): lock the caller's pages down for the XXSEG_LOCK_OFF window, or
 * unlock them.
 */
static int xxseg_ioctl(dev_t dev, int cmd, intptr_t arg, int mode,
		       cred_t *credp, int *rvalp)
{
	struct xxseg_state *xsp = ddi_get_soft_state(xxseg_statep,
						     getminor(dev));
	ddi_umem_cookie_t cookie;
	struct xxseg_lock lk;
	u32 faults;
	int error;

	if (!xsp)
		return ENXIO;
	switch (cmd) {
	case XXSEG_IOC_LOCK:
		if (ddi_copyin((void __user *)arg, &lk, sizeof(lk), mode))
			return EFAULT;
		if (lk.len > XXSEG_LOCK_MAX || lk.pad)
			return EINVAL;
		/* not under xsp->lock: locking takes the caller's mmap_lock */
		error = ddi_umem_lock((caddr_t)(uintptr_t)lk.addr, lk.len,
				      lk.flags, &cookie);
		if (error)
			return error;
		mutex_lock(&xsp->lock);
		if (xsp->lcookie) {
			mutex_unlock(&xsp->lock);
			ddi_umem_unlock(cookie);
			return EBUSY;
		}
		xsp->lcookie = cookie;
		mutex_unlock(&xsp->lock);
		return 0;
	case XXSEG_IOC_UNLOCK:
		mutex_lock(&xsp->lock);
		cookie = xsp->lcookie;
		xsp->lcookie = NULL;
		mutex_unlock(&xsp->lock);
		if (!cookie)
			return ENXIO;
		ddi_umem_unlock(cookie);
		return 0;
	case XXSEG_IOC_PAIR_FAULTS:
		mutex_lock(&xsp->lock);
		faults = xsp->pair_faults;
		mutex_unlock(&xsp->lock);
		if (ddi_copyout(&faults, (void __user *)arg, sizeof(faults),
				mode))
			return EFAULT;
		return 0;
	}
	return ENOTTY;
}

/*
 * segmap(9E): check the request, then map it through the devmap framework.
 * Every errno is returned to mmap(2) as it is.
 */
static int xxseg_segmap(dev_t dev, off_t off, struct as *asp, caddr_t *addrp,
			off_t len, unsigned int prot, unsigned int maxprot,
			unsigned int flags, cred_t *credp)
{
	struct xxseg_state *xsp = ddi_get_soft_state(xxseg_statep,
						     getminor(dev));
	ddi_umem_cookie_t wcookie;
	offset_t koff;
	uint_t wflags;

	if (xsp && len >= 0 &&
	    xxseg_window(xsp, off, len, &wcookie, &koff, &wflags))
		return ddi_devmap_segmap(dev, off, asp, addrp, len, prot,
					 maxprot, flags, credp);
	if (off < 0 || len < 0 || off > XXSEG_SIZE || len > XXSEG_SIZE - off)
		return ENXIO;
	if ((flags & MAP_TYPE) != MAP_SHARED)
		return EINVAL;
	if (off == ptob(3))
		return EPERM;	/* any errno passes through */
	return ddi_devmap_segmap(dev, off, asp, addrp, len, prot, maxprot,
				 flags, credp);
}

/* ---- attach / detach ---- */

static int xxseg_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxseg_state *xsp;
	int p;

	if (cmd != DDI_ATTACH)
		return DDI_FAILURE;
	if (ddi_soft_state_zalloc(xxseg_statep, instance) != DDI_SUCCESS)
		return DDI_FAILURE;
	xsp = ddi_get_soft_state(xxseg_statep, instance);
	xsp->dip = dip;
	mutex_init(&xsp->lock);
	xsp->kva = ddi_umem_alloc(XXSEG_SIZE, DDI_UMEM_SLEEP, &xsp->cookie);
	if (!xsp->kva) {
		cmn_err(CE_WARN, "xxsegmap%d: cannot allocate %lu bytes",
			instance, XXSEG_SIZE);
		goto fail;
	}
	for (p = 0; p < XXSEG_PAGES; p++)
		memset(xsp->kva + ptob(p), XXSEG_BYTE(p), PAGESIZE);
	/* a trash cookie has no kernel address: check the cookie */
	(void)ddi_umem_alloc(XXSEG_TRASH_SIZE, DDI_UMEM_TRASH, &xsp->tcookie);
	if (!xsp->tcookie ||
	    !ddi_umem_alloc(XXSEG_BIG_SIZE, DDI_UMEM_SLEEP, &xsp->bcookie)) {
		cmn_err(CE_WARN, "xxsegmap%d: cannot allocate the windows",
			instance);
		goto fail_umem;
	}
	if (ddi_create_minor_node(dip, "xxsegmap", S_IFCHR, instance,
				  DDI_PSEUDO, 0) != DDI_SUCCESS)
		goto fail_umem;
	return DDI_SUCCESS;

fail_umem:
	ddi_umem_free(xsp->bcookie);
	ddi_umem_free(xsp->tcookie);
	ddi_umem_free(xsp->cookie);
fail:
	mutex_destroy(&xsp->lock);
	ddi_soft_state_free(xxseg_statep, instance);
	return DDI_FAILURE;
}

static int xxseg_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxseg_state *xsp = ddi_get_soft_state(xxseg_statep, instance);

	if (cmd != DDI_DETACH || !xsp)
		return DDI_FAILURE;
	ddi_remove_minor_node(dip, NULL);
	ddi_umem_unlock(xsp->lcookie);
	mutex_destroy(&xsp->lock);
	ddi_umem_free(xsp->bcookie);
	ddi_umem_free(xsp->tcookie);
	ddi_umem_free(xsp->cookie);
	ddi_soft_state_free(xxseg_statep, instance);
	return DDI_SUCCESS;
}

static struct cb_ops xxseg_cb_ops = {
	xxseg_open,			/* cb_open */
	xxseg_close,			/* cb_close */
	nodev,				/* cb_strategy */
	nodev,				/* cb_print */
	nodev,				/* cb_dump */
	nodev,				/* cb_read */
	nodev,				/* cb_write */
	xxseg_ioctl,			/* cb_ioctl */
	xxseg_devmap,			/* cb_devmap */
	nodev,				/* cb_mmap */
	xxseg_segmap,			/* cb_segmap */
	nochpoll,			/* cb_chpoll */
	ddi_prop_op,			/* cb_prop_op */
	NULL,				/* cb_str */
	D_NEW | D_MP | D_64BIT | D_DEVMAP,	/* cb_flag */
	CB_REV,				/* cb_rev */
	nodev,				/* cb_aread */
	nodev				/* cb_awrite */
};

static struct dev_ops xxseg_dev_ops = {
	DEVO_REV,			/* devo_rev */
	0,				/* devo_refcnt */
	NULL,				/* devo_getinfo: xxddi finds instances itself */
	nulldev,			/* devo_identify */
	nulldev,			/* devo_probe */
	xxseg_attach,			/* devo_attach */
	xxseg_detach,			/* devo_detach */
	nodev,				/* devo_reset */
	&xxseg_cb_ops,			/* devo_cb_ops */
	NULL,				/* devo_bus_ops */
	NULL,				/* devo_power */
	ddi_quiesce_not_needed		/* devo_quiesce */
};

static struct modldrv xxseg_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "xxsegmap: kernel memory through segmap(9E)",
	.drv_dev_ops = &xxseg_dev_ops,
};

static struct modlinkage xxseg_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &xxseg_modldrv, NULL },
};

/* _init(9E) */
static int __init xxseg_init(void)
{
	int error;

	error = ddi_soft_state_init(&xxseg_statep, sizeof(struct xxseg_state),
				    1);
	if (error)
		return -error;
	error = mod_install(&xxseg_modlinkage);
	if (error) {
		ddi_soft_state_fini(&xxseg_statep);
		return -error;
	}
	return 0;
}

/* _fini(9E) */
static void __exit xxseg_exit(void)
{
	mod_remove(&xxseg_modlinkage);
	ddi_soft_state_fini(&xxseg_statep);
}

module_init(xxseg_init);
module_exit(xxseg_exit);

MODULE_DESCRIPTION("xxddi selftest driver: kernel memory through segmap(9E) and ddi_devmap_segmap(9F)");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
