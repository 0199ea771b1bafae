/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xxhermon's user ABI (selftests/drivers/xxhermon_drv.c), shared by the
 * driver and hermon_test: the mmap offsets of /dev/xxhermon's windows and
 * its ioctls.  The structures have one layout for 32- and 64-bit callers.
 */
#ifndef _XXHERMON_H
#define _XXHERMON_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The windows: mmap offsets, each a devmap(9E) mapping of its own. */
#define XXH_WIN(i)		((__s64)(i) << 32)	/* window i's offset */
#define XXH_UMEM_OFF		XXH_WIN(0)	/* the locked user region */
#define XXH_CACHED_OFF		XXH_WIN(1)	/* IOMEM_DATA_CACHED */
#define XXH_UNCACHED_OFF	XXH_WIN(2)	/* IOMEM_DATA_UNCACHED */
#define XXH_WC_OFF		XXH_WIN(3)	/* IOMEM_DATA_UC_WR_COMBINE */
#define XXH_BOTH_OFF		XXH_WIN(4)	/* both: refused */
#define XXH_UMEM_UC_OFF		XXH_WIN(5)	/* the region uncached: refused */
#define XXH_KMEM_FILL		0x5a	/* byte filling the kernel memory */

/* XXH_IOC_LOCK's argument */
struct xxh_lock {
	__u64 addr;	/* page aligned */
	__u64 len;	/* bytes, page aligned */
	__u32 flags;	/* DDI_UMEMLOCK_READ / DDI_UMEMLOCK_WRITE */
	__u32 pad;
};

/* XXH_IOC_STATUS's result */
struct xxh_status {
	__u32 locked;		/* a region is locked */
	__u32 cleanups;		/* cleanup callbacks since attach */
	__u32 cleanup_unlocks;	/* ... that found the region and unlocked it */
	__u32 pad;
};

/* XXH_IOC_PTE: the caching of the caller's page table entry at addr */
struct xxh_pte {
	__u64 addr;
	__u32 cache;	/* out: XXH_PTE_* bits the entry matches */
	__u32 pad;
};

#define XXH_PTE_WB		0x1	/* the kernel's write-back protection */
#define XXH_PTE_UC		0x2	/* pgprot_noncached() */
#define XXH_PTE_WC		0x4	/* pgprot_writecombine() */

#define XXH_IOC_LOCK		_IOW('H', 1, struct xxh_lock)
#define XXH_IOC_UNLOCK		_IO('H', 2)
#define XXH_IOC_STATUS		_IOR('H', 3, struct xxh_status)
#define XXH_IOC_PTE		_IOWR('H', 4, struct xxh_pte)

#endif /* _XXHERMON_H */
