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

/* The regions of /dev/xxmem (the kernel-memory instance, 0). */
#define XXMEM_REGION_UMEM	0	/* kernel memory, one view per data model */
#define XXMEM_REGION_SCATTER	1	/* discontiguous chunks, one devmap handle each */
#define XXMEM_REGION_STATUS	2	/* read-only struct xxmem_status */
#define XXMEM_REGION_CTX	3	/* one page, one owner at a time */

/* Region 1 is XXMEM_SCATTER_CHUNKS separate allocations of this many bytes. */
#define XXMEM_SCATTER_CHUNKS		8
#define XXMEM_SCATTER_CHUNK_SIZE	65536

/**
 * struct xxmem_status - region 2, maintained by the driver
 * @opens:        successful open(2)s of the node
 * @maps:         successful mmap(2)s of the node
 * @faults:       page faults the driver served through devmap_access(9E)
 *                (region 3; the other regions are loaded at mmap time)
 * @handles:      devmap handles set up by mmap(2) (an mmap that fails after
 *                setting some up still counts them)
 * @ctx_switches: times the region 3 context changed owner
 * @last_pid:     process ID of the last successful mmap(2) caller
 * @last_addr:    user address that caller's mapping got (NULL if it does not
 *                fit the reader's pointer size)
 *
 * The driver keeps one copy in the LP64 layout (read by 64-bit processes)
 * and one in the ILP32 layout (read by 32-bit processes): each caller maps
 * the copy laid out for its own data model, so this structure, with its
 * long and pointer members, reads correctly compiled either way.
 */
struct xxmem_status {
	long opens;
	long maps;
	long faults;
	long handles;
	long ctx_switches;
	long last_pid;
	void *last_addr;
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
