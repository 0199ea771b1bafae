/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xxwinlock's user ABI (selftests/drivers/xxwinlock_drv.c), shared by the
 * driver and winlock_test: the ioctls of /dev/xxwinlock.  The structures
 * have one layout for 32- and 64-bit callers.
 */
#ifndef _XXWINLOCK_H
#define _XXWINLOCK_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* XXWL_IOC_ALLOC */
struct xxwl_alloc {
	__u32 key;	/* in: 0 for a new lock */
	__u32 ident;	/* out: the offset to map */
};

/* XXWL_IOC_TIMEOUT */
struct xxwl_timeout {
	__u32 ident;
	__u32 msec;	/* 0: wait for the owner forever */
};

/* XXWL_IOC_INFO */
struct xxwl_info {
	__u32 ident;		/* in */
	__s32 owner;		/* pid of the owner, 0 if none */
	__u32 faults;		/* devmap_access(9E) calls */
	__u32 handovers;	/* the lock given to another process */
	__u32 steals;		/* ... after a timeout */
	__u32 sleepers;		/* processes waiting now */
};

#define XXWL_IOC_ALLOC		_IOWR('W', 1, struct xxwl_alloc)
#define XXWL_IOC_FREE		_IOW('W', 2, __u32)
#define XXWL_IOC_TIMEOUT	_IOW('W', 3, struct xxwl_timeout)
#define XXWL_IOC_INFO		_IOWR('W', 4, struct xxwl_info)

#endif /* _XXWINLOCK_H */
