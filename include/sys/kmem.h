/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/kmem.h> - kernel memory allocation (kmem_alloc(9F)) on kvmalloc.
 *
 * KM_SLEEP may sleep and does not fail for the sizes drivers use (Linux
 * may still refuse a huge request: check the result); KM_NOSLEEP does not
 * sleep and may fail.  kmem_free() takes the size as on Solaris (unused).
 */
#ifndef _XXDDI_SYS_KMEM_H
#define _XXDDI_SYS_KMEM_H

#include <linux/mm.h>
#include <linux/slab.h>

#define KM_SLEEP	0x0000
#define KM_NOSLEEP	0x0001
#define KM_PUSHPAGE	0x0004	/* treated as KM_NOSLEEP */
#define KM_NORMALPRI	0x0008	/* ignored */

static inline gfp_t i_kmem_gfp(int flag)
{
	return (flag & (KM_NOSLEEP | KM_PUSHPAGE)) ?
	       GFP_NOWAIT | __GFP_NOWARN : GFP_KERNEL;
}

/**
 * kmem_alloc() - allocate kernel memory (kmem_alloc(9F))
 * @size: bytes
 * @flag: KM_SLEEP or KM_NOSLEEP
 *
 * Context: KM_SLEEP: process context, may sleep; KM_NOSLEEP: any but NMI
 * (KM_NOSLEEP memory comes from the slab allocator only).
 * Return: the memory, or NULL (size 0, or no memory).
 */
static inline void *kmem_alloc(size_t size, int flag)
{
	if (!size)
		return NULL;
	if (flag & (KM_NOSLEEP | KM_PUSHPAGE))
		return kmalloc(size, i_kmem_gfp(flag));
	return kvmalloc(size, GFP_KERNEL);
}

/**
 * kmem_zalloc() - allocate zeroed kernel memory (kmem_zalloc(9F))
 * @size: bytes
 * @flag: KM_SLEEP or KM_NOSLEEP
 *
 * Context: as kmem_alloc().
 * Return: the zeroed memory, or NULL.
 */
static inline void *kmem_zalloc(size_t size, int flag)
{
	if (!size)
		return NULL;
	if (flag & (KM_NOSLEEP | KM_PUSHPAGE))
		return kzalloc(size, i_kmem_gfp(flag));
	return kvzalloc(size, GFP_KERNEL);
}

/**
 * kmem_free() - free memory from kmem_alloc()/kmem_zalloc() (kmem_free(9F))
 * @buf:  the memory; NULL is a no-op
 * @size: its size in bytes (unused)
 *
 * Context: process context (the memory may be vmalloc'ed).
 */
static inline void kmem_free(void *buf, size_t size)
{
	kvfree(buf);
}

#endif /* _XXDDI_SYS_KMEM_H */
