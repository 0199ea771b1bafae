/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/ddidevmap.h> - device-mapping handles and the devmap(9E) framework.
 */
#ifndef _XXDDI_SYS_DDIDEVMAP_H
#define _XXDDI_SYS_DDIDEVMAP_H

#include <sys/types.h>

struct dev_info;
struct ddi_umem_cookie;
struct ddi_device_acc_attr;

/* A device-mapping handle: one contiguous piece of a user mapping. */
typedef struct devmap_handle *devmap_cookie_t;
typedef struct ddi_umem_cookie *ddi_umem_cookie_t;

/* devmap_umem_setup(9F) / devmap_devmem_setup(9F) flags (Solaris values) */
#define DEVMAP_DEFAULTS		0x00
#define DEVMAP_MAPPING_INVALID	0x01
#define DEVMAP_ALLOW_REMAP	0x02
#define DEVMAP_USE_PAGESIZE	0x04

/* Caching of kernel memory (devmap_umem_setup flags, at most one) */
#define IOMEM_DATA_CACHED		0x00010000
#define IOMEM_DATA_UNCACHED		0x00020000
#define IOMEM_DATA_UC_WR_COMBINE	0x00040000
#define IOMEM_DATA_MASK			0x00FF0000

/*
 * devmap_callback_ctl(9S).  Callbacks are not yet called by xxddi: a
 * devmap_*_setup() given a non-NULL callbackops fails with EINVAL.
 */
#define DEVMAP_OPS_REV	1

struct devmap_callback_ctl {
	int devmap_rev;
};

int devmap_umem_setup(devmap_cookie_t dhp, struct dev_info *dip,
		      struct devmap_callback_ctl *callbackops,
		      ddi_umem_cookie_t cookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags,
		      struct ddi_device_acc_attr *accattrp);

#endif /* _XXDDI_SYS_DDIDEVMAP_H */
