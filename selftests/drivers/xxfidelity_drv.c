// SPDX-License-Identifier: GPL-2.0
/*
 * xxfidelity - a compile-time check that include/sys/ matches illumos.
 *
 * Built with the other test drivers by `make check` (a failed assertion
 * fails the build).  It includes the headers the way an illumos driver
 * does, initialises cb_ops(9S) and dev_ops(9S) positionally as illumos
 * drivers do, and asserts, against the numbers illumos' headers define
 * (sys/devops.h, sys/conf.h, sys/file.h, sys/open.h, sys/ddidevmap.h,
 * sys/sunddi.h, sys/ddipropdefs.h), every constant, the member order of
 * the structures drivers initialise positionally and the prototypes whose
 * argument types differ between Linux and illumos.  Loading it does
 * nothing.
 */
#include <linux/build_bug.h>
#include <linux/module.h>
#include <linux/stddef.h>
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/file.h>
#include <sys/open.h>
#include <sys/cred.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/conf.h>
#include <sys/mman.h>
#include <sys/modctl.h>
#include <sys/kmem.h>
#include <sys/debug.h>
#include <sys/sysmacros.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include <sys/devops.h>

#define SAME_TYPE(a, b)	__builtin_types_compatible_p(a, b)
/* the function @fn has the prototype of the function pointer type @ptype */
#define PROTO(fn, ptype)	SAME_TYPE(typeof(fn) *, ptype)

/* <sys/sunddi.h>: register access, umem, return values */
static_assert(DDI_SUCCESS == 0 && DDI_FAILURE == -1);
static_assert(DDI_DEV_NO_AUTOINCR == 0 && DDI_DEV_AUTOINCR == 1);
static_assert(IOMEM_DATA_CACHED == 0x10000);
static_assert(IOMEM_DATA_UC_WR_COMBINE == 0x20000);
static_assert(IOMEM_DATA_UNCACHED == 0x40000);
static_assert(IOMEM_DATA_MASK == 0xF0000);
static_assert(DDI_ME_RNUMBER_RANGE == -6 && DDI_ME_INVAL == -7);
static_assert(DDI_REGS_ACC_CONFLICT == -10);
static_assert(DDI_DEVICE_ATTR_V0 == 1 && DDI_DEVICE_ATTR_V1 == 2);
static_assert(DDI_NEVERSWAP_ACC == 0 && DDI_STRUCTURE_LE_ACC == 1 &&
	      DDI_STRUCTURE_BE_ACC == 2);
static_assert(DDI_STRICTORDER_ACC == 0 && DDI_UNORDERED_OK_ACC == 1 &&
	      DDI_MERGING_OK_ACC == 2 && DDI_LOADCACHING_OK_ACC == 3 &&
	      DDI_STORECACHING_OK_ACC == 4);
static_assert(offsetof(ddi_device_acc_attr_t, devacc_attr_version) == 0);
static_assert(offsetof(ddi_device_acc_attr_t, devacc_attr_endian_flags) == 2);
static_assert(offsetof(ddi_device_acc_attr_t, devacc_attr_dataorder) == 3);
static_assert(offsetof(ddi_device_acc_attr_t, devacc_attr_access) == 4);
static_assert(DDI_MODEL_ILP32 == 0x00100000 && DDI_MODEL_LP64 == 0x00200000 &&
	      DDI_MODEL_MASK == 0x0FF00000 && DDI_MODEL_NONE == 0);
static_assert(DDI_DEV_T_NONE == (dev_t)-1 && DDI_DEV_T_ANY == (dev_t)-2);
static_assert(DDI_PROP_DONTPASS == 1 && DDI_PROP_CANSLEEP == 2);
static_assert(DDI_PROP_SUCCESS == 0 && DDI_PROP_NOT_FOUND == 1 &&
	      DDI_PROP_UNDEFINED == 2 && DDI_PROP_NO_MEMORY == 3 &&
	      DDI_PROP_INVAL_ARG == 4 && DDI_PROP_BUF_TOO_SMALL == 5 &&
	      DDI_PROP_CANNOT_DECODE == 6 && DDI_PROP_CANNOT_ENCODE == 7 &&
	      DDI_PROP_END_OF_DATA == 8);
static_assert(PROP_LEN == 0 && PROP_LEN_AND_VAL_BUF == 1 &&
	      PROP_LEN_AND_VAL_ALLOC == 2 && PROP_EXISTS == 3);

/* <sys/ddidevmap.h> */
static_assert(DEVMAP_DEFAULTS == 0 && DEVMAP_MAPPING_INVALID == 1 &&
	      DEVMAP_ALLOW_REMAP == 2 && DEVMAP_USE_PAGESIZE == 4);
static_assert(DEVMAP_SETUP_FLAGS == 7);
static_assert(DEVMAP_ACCESS == 0 && DEVMAP_PROT == 1 && DEVMAP_LOCK == 2 &&
	      DEVMAP_UNLOCK == 3);
static_assert(DEVMAP_OPS_REV == 1);
static_assert(DDI_UMEM_SLEEP == 0 && DDI_UMEM_NOSLEEP == 1 &&
	      DDI_UMEM_PAGEABLE == 2 && DDI_UMEM_TRASH == 4);
static_assert(S_OTHER == 0 && S_READ == 1 && S_WRITE == 2 && S_EXEC == 3);
static_assert(DDI_UMEMLOCK_READ == 1 && DDI_UMEMLOCK_WRITE == 2 &&
	      DDI_UMEMLOCK_LONGTERM == 4 && UMEM_CALLBACK_VERSION == 1);
static_assert(SAME_TYPE(devmap_cookie_t, void *));
static_assert(SAME_TYPE(ddi_umem_cookie_t, void *));
static_assert(offsetof(struct devmap_callback_ctl, devmap_rev) == 0);
static_assert(offsetof(struct devmap_callback_ctl, devmap_map) ==
	      sizeof(void *));
static_assert(offsetof(struct devmap_callback_ctl, devmap_access) ==
	      2 * sizeof(void *));
static_assert(offsetof(struct devmap_callback_ctl, devmap_dup) ==
	      3 * sizeof(void *));
static_assert(offsetof(struct devmap_callback_ctl, devmap_unmap) ==
	      4 * sizeof(void *));

/* <sys/devops.h>, <sys/conf.h>, <sys/file.h>, <sys/open.h> */
static_assert(DEVO_REV == 4 && CB_REV == 1);
static_assert(DDI_INFO_DEVT2DEVINFO == 0 && DDI_INFO_DEVT2INSTANCE == 1);
static_assert(DDI_ATTACH == 0 && DDI_RESUME == 1 && DDI_PM_RESUME == 2);
static_assert(DDI_DETACH == 0 && DDI_SUSPEND == 1 && DDI_PM_SUSPEND == 2 &&
	      DDI_HOTPLUG_DETACH == 3);
static_assert(DDI_RESET_FORCE == 0);
static_assert(DDI_PROBE_FAILURE == 6 /* ENXIO */ && DDI_PROBE_DONTCARE == 0 &&
	      DDI_PROBE_PARTIAL == 1 && DDI_PROBE_SUCCESS == 2);
static_assert(D_NEW == 0 && D_MP == 0x20 && D_DEVMAP == 0x100 &&
	      D_64BIT == 0x200 && D_HOTPLUG == 0x4 && D_U64BIT == 0x40000);
static_assert(FREAD == 1 && FWRITE == 2 && FNDELAY == 4 && FEXCL == 0x400 &&
	      FNONBLOCK == 0x80 && FKIOCTL == 0x80000000);
static_assert(OTYP_BLK == 0 && OTYP_MNT == 1 && OTYP_CHR == 2 &&
	      OTYP_SWP == 3 && OTYP_LYR == 4);
static_assert(PROT_USER == 8 && PROT_ALL == 0xf);
static_assert(MODREV_1 == 1);

/* cb_ops: illumos' 18 members, in order (the ints share one slot on LP64) */
#define CB_AT(m, slot)	static_assert(offsetof(struct cb_ops, m) == \
				      (slot) * sizeof(void *))
CB_AT(cb_open, 0);
CB_AT(cb_close, 1);
CB_AT(cb_strategy, 2);
CB_AT(cb_print, 3);
CB_AT(cb_dump, 4);
CB_AT(cb_read, 5);
CB_AT(cb_write, 6);
CB_AT(cb_ioctl, 7);
CB_AT(cb_devmap, 8);
CB_AT(cb_mmap, 9);
CB_AT(cb_segmap, 10);
CB_AT(cb_chpoll, 11);
CB_AT(cb_prop_op, 12);
CB_AT(cb_str, 13);
CB_AT(cb_flag, 14);
static_assert(offsetof(struct cb_ops, cb_rev) ==
	      offsetof(struct cb_ops, cb_flag) + sizeof(int));
static_assert(offsetof(struct cb_ops, cb_aread) ==
	      ALIGN(offsetof(struct cb_ops, cb_rev) + sizeof(int),
		    sizeof(void *)));
static_assert(offsetof(struct cb_ops, cb_awrite) ==
	      offsetof(struct cb_ops, cb_aread) + sizeof(void *));
static_assert(sizeof(struct cb_ops) ==
	      offsetof(struct cb_ops, cb_awrite) + sizeof(void *));

/* dev_ops: illumos' 12 members, in order; xxddi's one member after them */
#define DEVO_AT(m, off)	static_assert(offsetof(struct dev_ops, m) == (off))
DEVO_AT(devo_rev, 0);
DEVO_AT(devo_refcnt, sizeof(int));
DEVO_AT(devo_getinfo, ALIGN(2 * sizeof(int), sizeof(void *)));
#define DEVO_PTR(m, n)	DEVO_AT(m, offsetof(struct dev_ops, devo_getinfo) + \
				(n) * sizeof(void *))
DEVO_PTR(devo_identify, 1);
DEVO_PTR(devo_probe, 2);
DEVO_PTR(devo_attach, 3);
DEVO_PTR(devo_detach, 4);
DEVO_PTR(devo_reset, 5);
DEVO_PTR(devo_cb_ops, 6);
DEVO_PTR(devo_bus_ops, 7);
DEVO_PTR(devo_power, 8);
DEVO_PTR(devo_quiesce, 9);
DEVO_PTR(devo_pci_ids, 10);

/* modldrv / modlinkage as drivers initialise them */
static_assert(offsetof(struct modldrv, drv_modops) == 0);
static_assert(offsetof(struct modldrv, drv_linkinfo) == sizeof(void *));
static_assert(offsetof(struct modldrv, drv_dev_ops) == 2 * sizeof(void *));
static_assert(offsetof(struct modlinkage, ml_linkage) == sizeof(void *));

/* prototypes whose argument types differ between the two systems */
static_assert(PROTO(ddi_dev_regsize,
		    int (*)(dev_info_t *, uint_t, off_t *)));
static_assert(PROTO(ddi_regs_map_setup,
		    int (*)(dev_info_t *, uint_t, caddr_t *, offset_t,
			    offset_t, ddi_device_acc_attr_t *,
			    ddi_acc_handle_t *)));
static_assert(PROTO(devmap_umem_setup,
		    int (*)(devmap_cookie_t, dev_info_t *,
			    struct devmap_callback_ctl *,
			    ddi_umem_cookie_t, offset_t, size_t, uint_t,
			    uint_t, ddi_device_acc_attr_t *)));
static_assert(PROTO(devmap_devmem_setup,
		    int (*)(devmap_cookie_t, dev_info_t *,
			    struct devmap_callback_ctl *, uint_t,
			    offset_t, size_t, uint_t, uint_t,
			    ddi_device_acc_attr_t *)));
static_assert(PROTO(devmap_devmem_remap,
		    int (*)(devmap_cookie_t, dev_info_t *, uint_t, offset_t,
			    size_t, uint_t, uint_t,
			    ddi_device_acc_attr_t *)));
static_assert(PROTO(ddi_umem_lock,
		    int (*)(caddr_t, size_t, int, ddi_umem_cookie_t *)));
static_assert(PROTO(ddi_umem_unlock, void (*)(ddi_umem_cookie_t)));
static_assert(PROTO(umem_lockmemory,
		    int (*)(caddr_t, size_t, int, ddi_umem_cookie_t *,
			    struct umem_callback_ops *, proc_t *)));
static_assert(PROTO(ddi_umem_alloc,
		    void *(*)(size_t, int, ddi_umem_cookie_t *)));
static_assert(PROTO(ddi_devmap_segmap,
		    int (*)(dev_t, off_t, struct as *, caddr_t *, off_t,
			    uint_t, uint_t, uint_t, cred_t *)));
static_assert(PROTO(nochpoll,
		    int (*)(dev_t, short, int, short *,
			    struct pollhead **)));
static_assert(PROTO(ddi_prop_op,
		    int (*)(dev_t, dev_info_t *, ddi_prop_op_t, int,
			    char *, caddr_t, int *)));
static_assert(PROTO(ddi_quiesce_not_needed,
		    int (*)(dev_info_t *)));

/* An illumos driver's positional initialisers compile as they are. */
static int xxfid_devmap(dev_t dev, devmap_cookie_t dhp, offset_t off,
			size_t len, size_t *maplen, uint_t model)
{
	return ENXIO;
}

static int xxfid_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	return DDI_FAILURE;
}

static int xxfid_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	return DDI_SUCCESS;
}

static struct cb_ops xxfid_cb_ops = {
	nulldev,		/* open */
	nulldev,		/* close */
	nodev,			/* strategy */
	nodev,			/* print */
	nodev,			/* dump */
	nodev,			/* read */
	nodev,			/* write */
	nodev,			/* ioctl */
	xxfid_devmap,		/* devmap */
	nodev,			/* mmap */
	ddi_devmap_segmap,	/* segmap */
	nochpoll,		/* poll */
	ddi_prop_op,		/* cb_prop_op */
	NULL,			/* streamtab */
	D_NEW | D_MP | D_DEVMAP,	/* driver compatibility flag */
	CB_REV,			/* rev */
	nodev,			/* aread */
	nodev			/* awrite */
};

static struct dev_ops xxfid_dev_ops = {
	DEVO_REV,		/* devo_rev */
	0,			/* refcnt */
	NULL,			/* getinfo */
	nulldev,		/* identify */
	nulldev,		/* probe */
	xxfid_attach,		/* attach */
	xxfid_detach,		/* detach */
	nodev,			/* reset */
	&xxfid_cb_ops,		/* driver operations */
	NULL,			/* bus operations */
	NULL,			/* power */
	ddi_quiesce_not_needed,	/* quiesce */
};

static struct modldrv xxfid_modldrv = {
	&mod_driverops,
	"xxfidelity: positional initialisers",
	&xxfid_dev_ops,
};

/*
 * Never installed: the check is the compilation (__used keeps the
 * initialisers from being discarded).
 */
static struct modlinkage xxfid_modlinkage __used = {
	MODREV_1,
	{ &xxfid_modldrv, NULL }
};

MODULE_DESCRIPTION("xxddi compile-time fidelity check against illumos");
MODULE_LICENSE("GPL");
