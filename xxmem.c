// SPDX-License-Identifier: GPL-2.0
/*
 * xxmem - export kernel memory to user space through the Solaris devmap
 * model.
 *
 * This is written as a Solaris DDI driver (attach/detach, soft state,
 * devmap(9E), ioctl(9E)) on top of xxddi, the compatibility layer in
 * compat/; it reads almost as it would on Solaris.
 *
 * Region 0, "umem", is kernel memory from ddi_umem_alloc(9F).  The buffer
 * holds two views of umem_size bytes: 64-bit (LP64) callers map the first,
 * 32-bit (ILP32) callers are redirected to the second, as in the devmap
 * example of "Writing Device Drivers" - each data model's processes share
 * memory laid out for that model.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
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
#include "include/uapi/xxmem.h"
#include "version.h"

#define XXMEM_UMEM_MAX		SZ_1G	/* upper bound of umem_size */
#define XXMEM_REGION_MASK	(XXMEM_REGION_OFFSET(1) - 1)

enum { XX_REGION_UMEM, XX_NREGIONS };

/* Per-instance soft state. */
struct xxstate {
	dev_info_t *dip;
	ddi_umem_cookie_t ucookie;	/* 2 * umem_size bytes */
	caddr_t umem_kva;
	size_t umem_size;		/* bytes of one view */
};

static void *xx_statep;

/* ---- module parameter: umem_size ---- */

static unsigned long umem_size = SZ_1M;

static int umem_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long size;
	char *end;

	size = memparse(val, &end);
	if (end == val || (*end && *end != '\n') || size == 0 ||
	    size > XXMEM_UMEM_MAX) {
		pr_err("umem_size=%s: need a size from 1 byte to 1G (K/M/G suffixes allowed)\n",
		       val);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = PAGE_ALIGN(size);
	return 0;
}

static const struct kernel_param_ops umem_size_ops = {
	.set = umem_size_set,
	.get = param_get_ulong,
};

module_param_cb(umem_size, &umem_size_ops, &umem_size, 0444);
MODULE_PARM_DESC(umem_size,
		 "bytes of kernel memory in each data model's view of region 0, with K/M/G suffixes; rounded up to pages (default 1M, max 1G)");

/* ---- regions ---- */

/* Fill @ri for region ri->index of @xsp; EINVAL past the last region. */
static int xx_region_info(struct xxstate *xsp, struct xxmem_region_info *ri)
{
	u32 index = ri->index;

	if (index >= XX_NREGIONS)
		return EINVAL;
	memset(ri, 0, sizeof(*ri));
	ri->index = index;
	ri->offset = XXMEM_REGION_OFFSET(index);
	switch (index) {
	case XX_REGION_UMEM:
		ri->flags = XXMEM_REGION_PER_MODEL;
		ri->size = xsp->umem_size;
		ri->maxprot = PROT_READ | PROT_WRITE;
		ri->cache = XXMEM_CACHE_WB;
		strscpy(ri->name, "umem", sizeof(ri->name));
		break;
	}
	return 0;
}

/* ---- entry points ---- */

static int xxopen(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	if (otyp != OTYP_CHR)
		return EINVAL;
	if (!ddi_get_soft_state(xx_statep, getminor(*devp)))
		return ENXIO;
	return 0;
}

static int xxclose(dev_t dev, int flag, int otyp, cred_t *credp)
{
	return 0;
}

static int xxioctl(dev_t dev, int cmd, intptr_t arg, int mode,
		   cred_t *credp, int *rvalp)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	struct xxmem_region_info ri;
	u32 model;
	int err;

	if (!xsp)
		return ENXIO;
	switch ((unsigned int)cmd) {
	case XXMEM_IOC_REGION_INFO:
		if (ddi_copyin((void __user *)arg, &ri, sizeof(ri), mode))
			return EFAULT;
		err = xx_region_info(xsp, &ri);
		if (err)
			return err;
		if (ddi_copyout(&ri, (void __user *)arg, sizeof(ri), mode))
			return EFAULT;
		return 0;
	case XXMEM_IOC_GET_MODEL:
		model = ddi_model_convert_from(mode & FMODELS) ==
			DDI_MODEL_ILP32 ? XXMEM_MODEL_ILP32 : XXMEM_MODEL_LP64;
		if (ddi_copyout(&model, (void __user *)arg, sizeof(model),
				mode))
			return EFAULT;
		return 0;
	default:
		return ENOTTY;
	}
}

/*
 * devmap(9E): map [off, off + len) of the device.  off selects the region
 * (XXMEM_REGION_OFFSET) and the offset within it.
 */
static int xxdevmap(dev_t dev, devmap_cookie_t handle, offset_t off,
		    size_t len, size_t *maplen, uint_t model)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	u64 region = (u64)off >> XXMEM_REGION_SHIFT;
	u64 roff = (u64)off & XXMEM_REGION_MASK;
	int error;

	if (!xsp || off < 0 || region != XX_REGION_UMEM)
		return -1;

	/* round up len to a multiple of a page size */
	len = ptob(btopr(len));
	/* check if the requested range is ok */
	if (roff >= xsp->umem_size || len > xsp->umem_size - roff)
		return -1;

	if (ddi_model_convert_from(model) == DDI_MODEL_ILP32)
		/* request from a 32-bit application: the second view */
		roff += xsp->umem_size;

	/* export the memory to the application */
	error = devmap_umem_setup(handle, xsp->dip, NULL, xsp->ucookie,
				  roff, len, PROT_READ | PROT_WRITE | PROT_USER,
				  DEVMAP_DEFAULTS, NULL);
	*maplen = len;
	return error;
}

/* ---- attach / detach ---- */

static int xxattach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxstate *xsp;

	if (cmd != DDI_ATTACH)
		return DDI_FAILURE;
	if (ddi_soft_state_zalloc(xx_statep, instance) != DDI_SUCCESS)
		return DDI_FAILURE;
	xsp = ddi_get_soft_state(xx_statep, instance);
	xsp->dip = dip;
	xsp->umem_size = umem_size;
	xsp->umem_kva = ddi_umem_alloc(2 * xsp->umem_size, DDI_UMEM_SLEEP,
				       &xsp->ucookie);
	if (!xsp->umem_kva) {
		cmn_err(CE_WARN, "xxmem%d: cannot allocate 2 x %zu bytes",
			instance, xsp->umem_size);
		goto fail;
	}
	if (ddi_create_minor_node(dip, "xxmem", S_IFCHR, instance,
				  DDI_PSEUDO, 0) != DDI_SUCCESS)
		goto fail_umem;
	return DDI_SUCCESS;

fail_umem:
	ddi_umem_free(xsp->ucookie);
fail:
	ddi_soft_state_free(xx_statep, instance);
	return DDI_FAILURE;
}

static int xxdetach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, instance);

	if (cmd != DDI_DETACH || !xsp)
		return DDI_FAILURE;
	ddi_remove_minor_node(dip, NULL);
	ddi_umem_free(xsp->ucookie);
	ddi_soft_state_free(xx_statep, instance);
	return DDI_SUCCESS;
}

static struct cb_ops xx_cb_ops = {
	.cb_open = xxopen,
	.cb_close = xxclose,
	.cb_ioctl = xxioctl,
	.cb_devmap = xxdevmap,
	.cb_flag = D_NEW | D_MP | D_64BIT | D_DEVMAP,
};

static struct dev_ops xx_dev_ops = {
	.devo_attach = xxattach,
	.devo_detach = xxdetach,
	.devo_cb_ops = &xx_cb_ops,
};

static struct modldrv modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "xxmem: kernel memory through devmap(9E)",
	.drv_dev_ops = &xx_dev_ops,
};

static struct modlinkage modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &modldrv, NULL },
};

/* _init(9E) */
static int __init xxmem_init(void)
{
	int error;

	error = ddi_soft_state_init(&xx_statep, sizeof(struct xxstate), 1);
	if (error)
		return -error;
	error = mod_install(&modlinkage);
	if (error) {
		ddi_soft_state_fini(&xx_statep);
		return -error;
	}
	return 0;
}

/* _fini(9E) */
static void __exit xxmem_exit(void)
{
	mod_remove(&modlinkage);
	ddi_soft_state_fini(&xx_statep);
}

module_init(xxmem_init);
module_exit(xxmem_exit);

MODULE_DESCRIPTION("Kernel and device memory for user space through the Solaris devmap model");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(XXMEM_VERSION);
