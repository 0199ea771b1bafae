/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/devops.h> - a driver's entry points: cb_ops(9S) and dev_ops(9S).
 *
 * Both structures have illumos' members in illumos' order, so a driver's
 * positional initialiser compiles unchanged.  mod_install(9F) checks them:
 * members xxddi does not implement must be NULL, nodev, nulldev or the DDI
 * default named below, and are then ignored; a driver that sets one to a
 * function of its own is refused with a line in the kernel log naming the
 * member.  nodev in a slot means "not provided", as specfs treats it.
 * Entry points return 0 or a positive errno, as on Solaris.
 */
#ifndef _XXDDI_SYS_DEVOPS_H
#define _XXDDI_SYS_DEVOPS_H

#include <sys/types.h>
#include <sys/errno.h>
#include <sys/cred.h>
#include <sys/dditypes.h>
#include <sys/ddidevmap.h>
#include <sys/uio.h>

struct pci_device_id;
struct as;
struct buf;
struct pollhead;
struct streamtab;
struct aio_req;
struct bus_ops;

/* cb_prop_op / ddi_prop_op(9F) request (Solaris' ddi_prop_op_t) */
typedef enum {
	PROP_LEN = 0,			/* property length only */
	PROP_LEN_AND_VAL_BUF = 1,	/* into the caller's buffer */
	PROP_LEN_AND_VAL_ALLOC = 2,	/* into a kmem_alloc'ed buffer */
	PROP_EXISTS = 3			/* does it exist? */
} ddi_prop_op_t;

/**
 * struct cb_ops - character entry points (cb_ops(9S))
 * @cb_open:     open(9E): called for every open(2) of a minor node.
 *               nodev: open(2) fails with ENXIO; NULL or nulldev: it
 *               succeeds without calling the driver
 * @cb_close:    close(9E): called when an open file is finally released
 * @cb_strategy: block entry point: must be nodev/NULL (no block nodes)
 * @cb_print:    block entry point: must be nodev/NULL
 * @cb_dump:     block entry point: must be nodev/NULL
 * @cb_read:     read(9E): move data to the caller with uiomove(9F);
 *               nodev/NULL: read(2) fails with EINVAL
 * @cb_write:    write(9E): move data from the caller with uiomove(9F);
 *               nodev/NULL: write(2) fails with EINVAL
 * @cb_ioctl:    ioctl(9E): @mode holds FREAD/FWRITE and the caller's data
 *               model (mode & FMODELS, see ddi_model_convert_from(9F));
 *               nodev/NULL: ENOTTY (Linux' errno for no ioctl)
 * @cb_devmap:   devmap(9E): called by devmap_setup for each handle of an
 *               mmap
 * @cb_mmap:     mmap(9E), the legacy entry point: page frame number of
 *               device offset @off for protection @prot, or -1
 * @cb_segmap:   segmap(9E): maps the device itself, typically by calling
 *               devmap_setup(9F) or ddi_devmap_segmap(9F); returns an errno
 * @cb_chpoll:   must be nochpoll, nodev or NULL: no poll(2) support (the
 *               node has no poll method; Linux then reports it always
 *               ready)
 * @cb_prop_op:  ignored: xxddi answers property requests itself (as
 *               ddi_prop_op(9F), the usual value, does)
 * @cb_str:      STREAMS: must be NULL
 * @cb_flag:     D_MP | D_64BIT | D_DEVMAP ... (<sys/conf.h>)
 * @cb_rev:      CB_REV (0 is accepted too)
 * @cb_aread:    asynchronous read: must be nodev/NULL (Linux aio on the
 *               node goes through @cb_read)
 * @cb_awrite:   asynchronous write: must be nodev/NULL
 *
 * mmap(2) is dispatched as Solaris' specfs does: @cb_segmap if present;
 * else devmap_setup if D_DEVMAP is set or there is no @cb_mmap; else the
 * legacy @cb_mmap path.  "Not present" is NULL or nodev; nulldev in
 * @cb_devmap, @cb_mmap or @cb_segmap is refused at mod_install.
 */
struct cb_ops {
	int (*cb_open)(dev_t *devp, int flag, int otyp, cred_t *credp);
	int (*cb_close)(dev_t dev, int flag, int otyp, cred_t *credp);
	int (*cb_strategy)(struct buf *bp);
	int (*cb_print)(dev_t dev, char *str);
	int (*cb_dump)(dev_t dev, caddr_t addr, daddr_t blkno, int nblk);
	int (*cb_read)(dev_t dev, struct uio *uiop, cred_t *credp);
	int (*cb_write)(dev_t dev, struct uio *uiop, cred_t *credp);
	int (*cb_ioctl)(dev_t dev, int cmd, intptr_t arg, int mode,
			cred_t *credp, int *rvalp);
	int (*cb_devmap)(dev_t dev, devmap_cookie_t dhp, offset_t off,
			 size_t len, size_t *maplen, uint_t model);
	int (*cb_mmap)(dev_t dev, off_t off, int prot);
	int (*cb_segmap)(dev_t dev, off_t off, struct as *asp, caddr_t *addrp,
			 off_t len, unsigned int prot, unsigned int maxprot,
			 unsigned int flags, cred_t *credp);
	int (*cb_chpoll)(dev_t dev, short events, int anyyet,
			 short *reventsp, struct pollhead **phpp);
	int (*cb_prop_op)(dev_t dev, dev_info_t *dip, ddi_prop_op_t prop_op,
			  int mod_flags, char *name, caddr_t valuep,
			  int *length);
	struct streamtab *cb_str;
	int cb_flag;
	int cb_rev;
	int (*cb_aread)(dev_t dev, struct aio_req *aio, cred_t *credp);
	int (*cb_awrite)(dev_t dev, struct aio_req *aio, cred_t *credp);
};

#define DEVO_REV	4
#define CB_REV		1

/* devo_probe(9E) results (Solaris values) */
#define DDI_PROBE_FAILURE	ENXIO
#define DDI_PROBE_DONTCARE	0
#define DDI_PROBE_PARTIAL	1
#define DDI_PROBE_SUCCESS	2

typedef enum {
	DDI_INFO_DEVT2DEVINFO = 0,	/* dev_t -> dev_info_t * */
	DDI_INFO_DEVT2INSTANCE = 1	/* dev_t -> instance number */
} ddi_info_cmd_t;

typedef enum {
	DDI_ATTACH = 0,
	DDI_RESUME = 1,
	DDI_PM_RESUME = 2
} ddi_attach_cmd_t;

typedef enum {
	DDI_DETACH = 0,
	DDI_SUSPEND = 1,
	DDI_PM_SUSPEND = 2,
	DDI_HOTPLUG_DETACH = 3
} ddi_detach_cmd_t;

typedef enum {
	DDI_RESET_FORCE = 0
} ddi_reset_cmd_t;

/**
 * struct dev_ops - driver operations (dev_ops(9S))
 * @devo_rev:      DEVO_REV (mod_install refuses another revision)
 * @devo_refcnt:   0; ignored
 * @devo_getinfo:  getinfo(9E): ignored (xxddi finds a node's instance
 *                 itself); any value is accepted
 * @devo_identify: obsolete: nulldev, nodev or NULL; ignored
 * @devo_probe:    probe(9E): ignored (instance 0 is a pseudo device; a PCI
 *                 function is bound by its ID); any value is accepted
 * @devo_attach:   attach(9E), called once per instance with DDI_ATTACH
 * @devo_detach:   detach(9E), called once per instance with DDI_DETACH;
 *                 must be a real function: Linux cannot refuse a module
 *                 unload or a PCI unbind
 * @devo_reset:    obsolete reset: ignored
 * @devo_cb_ops:   the character entry points
 * @devo_bus_ops:  nexus drivers: must be NULL
 * @devo_power:    power(9E): ignored (no power management)
 * @devo_quiesce:  quiesce(9E): ignored (Linux' shutdown does not call it;
 *                 ddi_quiesce_not_needed is the usual value)
 * @devo_pci_ids:  Linux only, after illumos' members (a positional
 *                 initialiser of illumos' 12 leaves it NULL): the PCI
 *                 functions the driver binds to (what Solaris'
 *                 driver_aliases says); each bound function is an instance
 *                 numbered from 1; instance 0 is the pseudo device
 */
struct dev_ops {
	int devo_rev;
	int devo_refcnt;
	int (*devo_getinfo)(dev_info_t *dip, ddi_info_cmd_t infocmd,
			    void *arg, void **result);
	int (*devo_identify)(dev_info_t *dip);
	int (*devo_probe)(dev_info_t *dip);
	int (*devo_attach)(dev_info_t *dip, ddi_attach_cmd_t cmd);
	int (*devo_detach)(dev_info_t *dip, ddi_detach_cmd_t cmd);
	int (*devo_reset)(dev_info_t *dip, ddi_reset_cmd_t cmd);
	struct cb_ops *devo_cb_ops;
	struct bus_ops *devo_bus_ops;
	int (*devo_power)(dev_info_t *dip, int component, int level);
	int (*devo_quiesce)(dev_info_t *dip);
	const struct pci_device_id *devo_pci_ids;
};

#endif /* _XXDDI_SYS_DEVOPS_H */
