/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xxmem user ABI: the mmap offset layout and the ioctls of /dev/xxmem*.
 *
 * This header is a contract with user space.  Every structure here has the
 * same layout for 32-bit and 64-bit callers (no padding holes, only fixed
 * width types), so one definition serves both data models.
 */
#ifndef _UAPI_XXMEM_H
#define _UAPI_XXMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Region i of an instance is mapped at mmap offset XXMEM_REGION_OFFSET(i);
 * an offset inside the region (bytes, page aligned) is added to that.
 */
#define XXMEM_REGION_SHIFT	40
#define XXMEM_REGION_OFFSET(i)	((__u64)(i) << XXMEM_REGION_SHIFT)

/* xxmem_region_info.cache: how user mappings of the region are cached. */
#define XXMEM_CACHE_WB		0	/* write-back (kernel memory) */
#define XXMEM_CACHE_UC		1	/* uncached (strictly ordered) */
#define XXMEM_CACHE_WC		2	/* write-combining */

/* xxmem_region_info.flags */
#define XXMEM_REGION_PER_MODEL	1	/* ILP32 and LP64 callers see different memory */
#define XXMEM_REGION_DEVICE	2	/* device memory (a PCI BAR) */

/**
 * struct xxmem_region_info - describes one mappable region of an instance
 * @index:   in: the region number, 0 .. (number of regions - 1)
 * @flags:   out: XXMEM_REGION_* bits
 * @offset:  out: mmap offset of the region's first byte
 * @size:    out: size in bytes, a multiple of the page size (0: not mappable)
 * @maxprot: out: the PROT_READ / PROT_WRITE bits a mapping may have
 * @cache:   out: XXMEM_CACHE_*
 * @name:    out: NUL-terminated region name
 */
struct xxmem_region_info {
	__u32 index;
	__u32 flags;
	__u64 offset;
	__u64 size;
	__u32 maxprot;
	__u32 cache;
	char name[16];
};

/* The data model the driver sees for the caller. */
#define XXMEM_MODEL_ILP32	32
#define XXMEM_MODEL_LP64	64

#define XXMEM_IOC_MAGIC		'x'
/* Fill in the region named by .index; EINVAL past the last region. */
#define XXMEM_IOC_REGION_INFO	_IOWR(XXMEM_IOC_MAGIC, 1, struct xxmem_region_info)
/* Store XXMEM_MODEL_ILP32 or XXMEM_MODEL_LP64 into the __u32 argument. */
#define XXMEM_IOC_GET_MODEL	_IOR(XXMEM_IOC_MAGIC, 2, __u32)

#endif /* _UAPI_XXMEM_H */
