/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xxsegmap's user ABI (selftests/drivers/xxsegmap_drv.c), shared by the
 * driver and devmap_test: the mmap offsets of /dev/xxsegmap's windows and
 * its ioctls.  The structures have one layout for 32- and 64-bit callers.
 */
#ifndef _XXSEGMAP_H
#define _XXSEGMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XXSEG_PAGES		4	/* pages of device memory, at offset 0 */
#define XXSEG_BYTE(p)		((__u8)(0xA0 + (p)))	/* filling page p */

/* The windows: mmap offsets, each a devmap(9E) mapping of its own. */
#define XXSEG_WIN(i)		((__s64)(i) << 32)	/* window i's offset */
#define XXSEG_TRASH_OFF		XXSEG_WIN(1)	/* DDI_UMEM_TRASH pages */
#define XXSEG_TRASH_PAGES	4
#define XXSEG_BIG_OFF		XXSEG_WIN(2)	/* DEVMAP_USE_PAGESIZE */
#define XXSEG_BIG2_OFF		XXSEG_WIN(3)	/* the same, DEVMAP_DEFAULTS */
#define XXSEG_BIG_SIZE		(4UL << 20)	/* bytes of either */
#define XXSEG_LOCK_OFF		XXSEG_WIN(4)	/* ddi_umem_lock'ed user pages */
#define XXSEG_PAIR_OFF		XXSEG_WIN(5)	/* page 0, loaded in pairs */

/* XXSEG_IOC_LOCK's argument */
struct xxseg_lock {
	__u64 addr;	/* page aligned */
	__u64 len;	/* bytes, page aligned */
	__u32 flags;	/* DDI_UMEMLOCK_READ / DDI_UMEMLOCK_WRITE */
	__u32 pad;
};

#define XXSEG_IOC_LOCK		_IOW('S', 1, struct xxseg_lock)
#define XXSEG_IOC_UNLOCK	_IO('S', 2)
#define XXSEG_IOC_PAIR_FAULTS	_IOR('S', 3, __u32)

#endif /* _XXSEGMAP_H */
