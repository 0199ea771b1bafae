/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/devops.h> - a driver's entry points: cb_ops(9S) and dev_ops(9S).
 *
 * Only the members xxddi implements are present; a driver's designated
 * initialisers for them compile unchanged.  Entry points return 0 or a
 * positive errno, as on Solaris.
 */
#ifndef _XXDDI_SYS_DEVOPS_H
#define _XXDDI_SYS_DEVOPS_H

#include <sys/types.h>
#include <sys/ddidevmap.h>

struct dev_info;
struct pci_device_id;
struct as;
struct uio;

/* cb_flag bits */
#define D_NEW		0x00
#define D_MP		0x20
#define D_64BIT		0x200
#define D_DEVMAP	0x100

/* otyp of open(9E)/close(9E) */
#define OTYP_BLK	0
#define OTYP_CHR	2

/* open(9E) flag / ioctl(9E) mode bits (Solaris values) */
#define FREAD		0x01
#define FWRITE		0x02
#define FNDELAY		0x04
#define FEXCL		0x0400
#define FKIOCTL		0x80000000	/* ioctl from the kernel (unused) */

/**
 * struct cb_ops - character entry points (cb_ops(9S))
 * @cb_open:   open(9E): called for every open(2) of a minor node
 * @cb_close:  close(9E): called when an open file is finally released
 * @cb_ioctl:  ioctl(9E): @mode holds FREAD/FWRITE and the caller's data
 *             model (mode & FMODELS, see ddi_model_convert_from(9F))
 * @cb_read:   read(9E): move data to the caller with uiomove(9F)
 * @cb_devmap: devmap(9E): called by devmap_setup for each handle of an mmap
 * @cb_mmap:   mmap(9E), the legacy entry point: page frame number of
 *             device offset @off for protection @prot, or -1
 * @cb_segmap: segmap(9E): maps the device itself, typically by calling
 *             devmap_setup(9F) or ddi_devmap_segmap(9F); returns an errno
 * @cb_flag:   D_MP | D_64BIT | D_DEVMAP ...
 *
 * mmap(2) is dispatched as Solaris' specfs does: @cb_segmap if present;
 * else devmap_setup if D_DEVMAP is set or there is no @cb_mmap; else the
 * legacy @cb_mmap path.
 */
struct cb_ops {
	int (*cb_open)(dev_t *devp, int flag, int otyp, cred_t *credp);
	int (*cb_close)(dev_t dev, int flag, int otyp, cred_t *credp);
	int (*cb_ioctl)(dev_t dev, int cmd, intptr_t arg, int mode,
			cred_t *credp, int *rvalp);
	int (*cb_read)(dev_t dev, struct uio *uiop, cred_t *credp);
	int (*cb_devmap)(dev_t dev, devmap_cookie_t dhp, offset_t off,
			 size_t len, size_t *maplen, uint_t model);
	int (*cb_mmap)(dev_t dev, off_t off, int prot);
	int (*cb_segmap)(dev_t dev, off_t off, struct as *asp, caddr_t *addrp,
			 off_t len, unsigned int prot, unsigned int maxprot,
			 unsigned int flags, cred_t *credp);
	int cb_flag;
};

typedef enum { DDI_ATTACH = 0, DDI_RESUME = 1 } ddi_attach_cmd_t;
typedef enum { DDI_DETACH = 0, DDI_SUSPEND = 1 } ddi_detach_cmd_t;

/**
 * struct dev_ops - driver operations (dev_ops(9S))
 * @devo_attach:  attach(9E), called once per instance with DDI_ATTACH
 * @devo_detach:  detach(9E), called once per instance with DDI_DETACH
 * @devo_cb_ops:  the character entry points
 * @devo_pci_ids: Linux: the PCI functions the driver binds to (what
 *                Solaris' driver_aliases says); each bound function is an
 *                instance numbered from 1; instance 0 is the pseudo device
 */
struct dev_ops {
	int (*devo_attach)(struct dev_info *dip, ddi_attach_cmd_t cmd);
	int (*devo_detach)(struct dev_info *dip, ddi_detach_cmd_t cmd);
	struct cb_ops *devo_cb_ops;
	const struct pci_device_id *devo_pci_ids;
};

#endif /* _XXDDI_SYS_DEVOPS_H */
