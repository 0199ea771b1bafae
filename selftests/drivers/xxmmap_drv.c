// SPDX-License-Identifier: GPL-2.0
/*
 * xxmmap - a selftest driver that maps its "device memory" only through
 * the legacy mmap(9E) entry point.
 *
 * It has no devmap(9E), no segmap(9E) and no D_DEVMAP flag, so xxddi
 * dispatches mmap(2) of /dev/xxmmap to its legacy path, as Solaris' specfs
 * does: mmap(9E) is asked for every page of the range with the mapping's
 * maximum protection when mmap(2) runs, and again for each page at fault
 * time with the page's current protection.
 *
 * The device memory is 512 bytes, the first bytes of one page from
 * ddi_umem_alloc(9F); byte i holds (i * 7 + 3) & 0xff and the rest of the
 * page stays zero.  It is read-only: a protection with PROT_WRITE gets -1.
 *
 * Module parameters (for the selftests):
 *   mmap_calls  (read-only) how many times mmap(9E) has been called
 *   refuse      when set, mmap(9E) answers -1 for every offset
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <sys/types.h>
#include <sys/param.h>
#include <sys/mman.h>
#include <sys/cred.h>
#include <sys/modctl.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>

#include "xxmmap.h"

/* Per-instance soft state. */
struct xxmmap_state {
	dev_info_t *dip;
	ddi_umem_cookie_t cookie;	/* one page */
	caddr_t kva;
};

static void *xxmmap_statep;

/* ---- module parameters ---- */

static atomic_t mmap_calls = ATOMIC_INIT(0);

static int mmap_calls_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;		/* a counter, not a setting */
}

static int mmap_calls_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n",
			 atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops mmap_calls_ops = {
	.set = mmap_calls_set,
	.get = mmap_calls_get,
};

module_param_cb(mmap_calls, &mmap_calls_ops, &mmap_calls, 0444);
MODULE_PARM_DESC(mmap_calls, "number of calls of mmap(9E) since the module was loaded");

static bool refuse;
module_param(refuse, bool, 0644);
MODULE_PARM_DESC(refuse, "when set, mmap(9E) refuses every offset (returns -1)");

/* ---- entry points ---- */

static int xxmmap_open(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	if (otyp != OTYP_CHR)
		return EINVAL;
	if (!ddi_get_soft_state(xxmmap_statep, getminor(*devp)))
		return ENXIO;
	return 0;
}

static int xxmmap_close(dev_t dev, int flag, int otyp, cred_t *credp)
{
	return 0;
}

/*
 * mmap(9E): the page frame number that backs device offset @off for a
 * mapping with protection @prot (PROT_USER included), or -1 if @off is
 * outside the device memory or @prot asks for more than it allows.
 */
static int xxmmap(dev_t dev, off_t off, int prot)
{
	struct xxmmap_state *xsp;
	ulong_t pfn;

	atomic_inc(&mmap_calls);
	if (READ_ONCE(refuse))
		return -1;
	if (prot & PROT_WRITE)
		return -1;
	xsp = ddi_get_soft_state(xxmmap_statep, getminor(dev));
	if (!xsp)
		return -1;
	if (off < 0 || off >= XXMMAP_DEVSIZE)
		return -1;
	pfn = hat_getkpfnum(xsp->kva + off);
	if (pfn == PFN_INVALID || pfn > INT_MAX)
		return -1;
	return (int)pfn;
}

/* ---- attach / detach ---- */

static int xxmmap_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxmmap_state *xsp;
	int i;

	if (cmd != DDI_ATTACH)
		return DDI_FAILURE;
	if (ddi_soft_state_zalloc(xxmmap_statep, instance) != DDI_SUCCESS)
		return DDI_FAILURE;
	xsp = ddi_get_soft_state(xxmmap_statep, instance);
	xsp->dip = dip;
	xsp->kva = ddi_umem_alloc(XXMMAP_DEVSIZE, DDI_UMEM_SLEEP,
				  &xsp->cookie);
	if (!xsp->kva) {
		cmn_err(CE_WARN, "xxmmap%d: cannot allocate device memory",
			instance);
		goto fail;
	}
	for (i = 0; i < XXMMAP_DEVSIZE; i++)
		xsp->kva[i] = (char)XXMMAP_BYTE(i);
	if (ddi_create_minor_node(dip, "xxmmap", S_IFCHR, instance,
				  DDI_PSEUDO, 0) != DDI_SUCCESS)
		goto fail_umem;
	return DDI_SUCCESS;

fail_umem:
	ddi_umem_free(xsp->cookie);
fail:
	ddi_soft_state_free(xxmmap_statep, instance);
	return DDI_FAILURE;
}

static int xxmmap_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxmmap_state *xsp = ddi_get_soft_state(xxmmap_statep, instance);

	if (cmd != DDI_DETACH || !xsp)
		return DDI_FAILURE;
	ddi_remove_minor_node(dip, NULL);
	ddi_umem_free(xsp->cookie);
	ddi_soft_state_free(xxmmap_statep, instance);
	return DDI_SUCCESS;
}

/* Only mmap(9E): no cb_devmap, no cb_segmap, no D_DEVMAP. */
static struct cb_ops xxmmap_cb_ops = {
	xxmmap_open,			/* cb_open */
	xxmmap_close,			/* cb_close */
	nodev,				/* cb_strategy */
	nodev,				/* cb_print */
	nodev,				/* cb_dump */
	nodev,				/* cb_read */
	nodev,				/* cb_write */
	nodev,				/* cb_ioctl */
	nodev,				/* cb_devmap */
	xxmmap,				/* cb_mmap */
	nodev,				/* cb_segmap */
	nochpoll,			/* cb_chpoll */
	ddi_prop_op,			/* cb_prop_op */
	NULL,				/* cb_str */
	D_NEW | D_MP | D_64BIT,		/* cb_flag */
	CB_REV,				/* cb_rev */
	nodev,				/* cb_aread */
	nodev				/* cb_awrite */
};

static struct dev_ops xxmmap_dev_ops = {
	DEVO_REV,			/* devo_rev */
	0,				/* devo_refcnt */
	NULL,				/* devo_getinfo: xxddi finds instances itself */
	nulldev,			/* devo_identify */
	nulldev,			/* devo_probe */
	xxmmap_attach,			/* devo_attach */
	xxmmap_detach,			/* devo_detach */
	nodev,				/* devo_reset */
	&xxmmap_cb_ops,			/* devo_cb_ops */
	NULL,				/* devo_bus_ops */
	NULL,				/* devo_power */
	ddi_quiesce_not_needed		/* devo_quiesce */
};

static struct modldrv xxmmap_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "xxmmap: device memory through mmap(9E)",
	.drv_dev_ops = &xxmmap_dev_ops,
};

static struct modlinkage xxmmap_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &xxmmap_modldrv, NULL },
};

/* _init(9E) */
static int __init xxmmap_init(void)
{
	int error;

	error = ddi_soft_state_init(&xxmmap_statep,
				    sizeof(struct xxmmap_state), 1);
	if (error)
		return -error;
	error = mod_install(&xxmmap_modlinkage);
	if (error) {
		ddi_soft_state_fini(&xxmmap_statep);
		return -error;
	}
	return 0;
}

/* _fini(9E) */
static void __exit xxmmap_exit(void)
{
	mod_remove(&xxmmap_modlinkage);
	ddi_soft_state_fini(&xxmmap_statep);
}

module_init(xxmmap_init);
module_exit(xxmmap_exit);

MODULE_DESCRIPTION("xxddi selftest driver: 512 bytes of read-only device memory through the legacy mmap(9E) entry point");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
