// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory for user mappings: ddi_umem_alloc(9F), ddi_umem_free(9F)
 * and devmap_umem_setup(9F); user memory locked down for them:
 * ddi_umem_lock(9F), ddi_umem_unlock(9F), umem_lockmemory.
 *
 * The memory is an array of order-0 pages (split from higher-order blocks
 * where possible) made virtually contiguous in the kernel with vmap(); user
 * mappings insert the same pages.  A cookie is
 * reference counted: every devmap handle that maps it holds a reference, so
 * the pages outlive ddi_umem_free() until the last user mapping is gone
 * (illumos does not track this and leaves stale translations).
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include "impl.h"

/*
 * The locked user pages of @cp go back to their process: unpinned (marked
 * dirty if they were locked for writing) and no longer counted against
 * its RLIMIT_MEMLOCK.
 */
static void i_umem_unpin(struct ddi_umem_cookie *cp)
{
	unpin_user_pages_dirty_lock(cp->pages, cp->npages, cp->dirty);
	atomic64_sub(cp->npages, &cp->mm->pinned_vm);
	mmdrop(cp->mm);
}

static void i_ddi_umem_release(struct kref *ref)
{
	struct ddi_umem_cookie *cp = container_of(ref, struct ddi_umem_cookie,
						  ref);
	unsigned long i;

	if (cp->locked) {
		i_umem_unpin(cp);
	} else if (cp->trash) {
		__free_page(cp->pages[0]);	/* every entry is this page */
		atomic_long_dec(&xxddi_stats.umem_pages);
	} else {
		vunmap(cp->kva);
		for (i = 0; i < cp->npages; i++)
			__free_page(cp->pages[i]);
		atomic_long_sub(cp->npages, &xxddi_stats.umem_pages);
	}
	atomic_long_dec(&xxddi_stats.cookies);
	kvfree(cp->pages);
	kfree(cp);
}

/* Take a reference on @cp for a mapping. */
void i_ddi_umem_hold(struct ddi_umem_cookie *cp)
{
	kref_get(&cp->ref);
}

/* Drop a reference; the last one frees the memory.  May sleep. */
void i_ddi_umem_rele(struct ddi_umem_cookie *cp)
{
	kref_put(&cp->ref, i_ddi_umem_release);
}

/* The largest block order to try for @npages more pages (at most 2 MiB). */
static unsigned int i_umem_order(unsigned long npages)
{
	return min_t(unsigned int, ilog2(npages), PMD_SHIFT - PAGE_SHIFT);
}

/*
 * DDI_UMEM_TRASH: a cookie of @cp->npages entries that all name one zeroed
 * scratch page, and no kernel address.
 */
static void *i_umem_alloc_trash(struct ddi_umem_cookie *cp, gfp_t gfp)
{
	struct page *page = alloc_page(gfp | __GFP_ZERO);
	unsigned long i;

	if (!page)
		return NULL;
	for (i = 0; i < cp->npages; i++)
		cp->pages[i] = page;
	cp->trash = true;
	atomic_long_inc(&xxddi_stats.cookies);
	atomic_long_inc(&xxddi_stats.umem_pages);
	return cp;
}

/**
 * ddi_umem_alloc() - allocate kernel memory to export (ddi_umem_alloc(9F))
 * @size:    bytes; rounded up to a whole number of pages
 * @flag:    DDI_UMEM_SLEEP (wait for memory) or DDI_UMEM_NOSLEEP (fail
 *           rather than wait for reclaim); DDI_UMEM_PAGEABLE is accepted
 *           and allocates locked memory; DDI_UMEM_TRASH allocates a
 *           "trash" cookie for mappings only: every page of it is one
 *           zeroed scratch page of the cookie's own (what one process
 *           writes through it others may read), and there is no kernel
 *           address
 * @cookiep: where to store the cookie for devmap_umem_setup() and
 *           ddi_umem_free()
 *
 * The memory is zeroed, page aligned and virtually contiguous in the
 * kernel; physically it is made of the largest contiguous blocks (up to
 * 2 MiB) the page allocator hands out without reclaim, falling back to
 * single pages.
 *
 * Context: process context; may sleep even with DDI_UMEM_NOSLEEP (the
 * kernel mapping is made with vmap()) - see README, "Differences from
 * Solaris".
 * Return: the kernel virtual address, with *@cookiep set; for
 * DDI_UMEM_TRASH, NULL with *@cookiep set (check the cookie, as on
 * Solaris); NULL with *@cookiep NULL if @size is 0, @flag has an
 * unsupported bit, or memory is short (also with DDI_UMEM_SLEEP: Linux may
 * refuse a large request).
 */
void *ddi_umem_alloc(size_t size, int flag, ddi_umem_cookie_t *cookiep)
{
	gfp_t gfp = (flag & DDI_UMEM_NOSLEEP) ?
		    GFP_NOWAIT | __GFP_NOWARN : GFP_KERNEL;
	struct ddi_umem_cookie *cp;
	unsigned long i;

	if (cookiep)
		*cookiep = NULL;
	if (!cookiep || size == 0 || size > ULONG_MAX - PAGE_SIZE ||
	    (flag & ~(DDI_UMEM_NOSLEEP | DDI_UMEM_PAGEABLE | DDI_UMEM_TRASH)))
		return NULL;

	cp = kzalloc(sizeof(*cp), gfp);
	if (!cp)
		return NULL;
	kref_init(&cp->ref);
	cp->npages = btopr(size);
	cp->size = ptob(cp->npages);
	cp->pages = kvcalloc(cp->npages, sizeof(*cp->pages), gfp);
	if (!cp->pages)
		goto err_cookie;
	if (flag & DDI_UMEM_TRASH) {
		if (!i_umem_alloc_trash(cp, gfp))
			goto err_array;
		*cookiep = cp;
		return NULL;
	}
	for (i = 0; i < cp->npages; ) {
		unsigned int order = i_umem_order(cp->npages - i);
		struct page *page;
		unsigned long j;

		/* large physically contiguous blocks while they come easily */
		for (;;) {
			page = alloc_pages(gfp | __GFP_ZERO |
					   (order ? __GFP_NORETRY | __GFP_NOWARN :
						    0), order);
			if (page || !order)
				break;
			order--;
		}
		if (!page)
			goto err_pages;
		if (order)
			split_page(page, order);
		for (j = 0; j < (1UL << order); j++)
			cp->pages[i++] = page + j;
	}
	cp->kva = vmap(cp->pages, cp->npages, VM_MAP, PAGE_KERNEL);
	if (!cp->kva)
		goto err_pages;
	atomic_long_inc(&xxddi_stats.cookies);
	atomic_long_add(cp->npages, &xxddi_stats.umem_pages);
	*cookiep = cp;
	return cp->kva;

err_pages:
	while (i--)
		__free_page(cp->pages[i]);
err_array:
	kvfree(cp->pages);
err_cookie:
	kfree(cp);
	return NULL;
}

/**
 * ddi_umem_free() - free memory from ddi_umem_alloc() (ddi_umem_free(9F))
 * @ucookie: the cookie; NULL is a no-op
 *
 * Drops the allocator's reference.  Pages still mapped into a process stay
 * allocated until the last such mapping is unmapped; the kernel address
 * must not be used after this call.
 *
 * Context: process context, may sleep.
 */
void ddi_umem_free(ddi_umem_cookie_t ucookie)
{
	if (ucookie)
		i_ddi_umem_rele(ucookie);
}

/* Check a umem range and protection for @dhp; 0 or a positive errno. */
static int i_umem_check(struct devmap_handle *dhp,
			struct ddi_umem_cookie *cookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags)
{
	if ((flags & DEVMAP_MAPPING_INVALID) && !(flags & DEVMAP_ALLOW_REMAP))
		return EINVAL;
	if (flags & ~(DEVMAP_SETUP_FLAGS | IOMEM_DATA_CACHED))
		return EINVAL;
	if (off < 0 || !PAGE_ALIGNED(off) || len == 0 || !PAGE_ALIGNED(len))
		return EINVAL;
	if (!(flags & DEVMAP_MAPPING_INVALID) &&
	    (!cookie || off > cookie->size || len > cookie->size - off))
		return ENXIO;
	if ((dhp->prot & maxprot) != dhp->prot)
		return EACCES;
	return 0;
}

/**
 * devmap_umem_setup() - export kernel memory through a devmap handle
 * (devmap_umem_setup(9F))
 * @dhc:         the handle devmap(9E) was given
 * @dip:         the device
 * @callbackops: devmap_callback_ctl(9S), or NULL
 * @ucookie:      memory from ddi_umem_alloc() (may be NULL with
 *               DEVMAP_MAPPING_INVALID)
 * @off:         byte offset in the memory; page aligned
 * @len:         bytes to export; page aligned and not 0
 * @maxprot:     the highest protection user mappings may have (PROT_READ,
 *               PROT_WRITE, PROT_EXEC, PROT_USER bits); the mmap(2)
 *               protection, which includes PROT_USER, must be within it
 * @flags:       DEVMAP_DEFAULTS, or DEVMAP_ALLOW_REMAP (devmap_umem_remap()
 *               may change the memory later), optionally with
 *               DEVMAP_MAPPING_INVALID (no memory yet: nothing can be loaded
 *               until devmap_umem_remap()); DEVMAP_USE_PAGESIZE (never map
 *               the handle with 2 MiB entries); IOMEM_DATA_CACHED is
 *               accepted (the only caching available for kernel memory)
 * @accattrp:    access attributes; ignored for kernel memory (may be NULL)
 *
 * Records what the handle maps.  Handles without a devmap_access callback
 * are loaded once every handle of the mmap(2) call is set up; the others
 * at fault time.  The handle takes a reference on @cookie that lasts until
 * the mapping is gone.
 *
 * Context: process context, from a devmap(9E) entry point (mmap_lock held).
 * Return: 0 on success, or -1 (DDI_FAILURE), as on Solaris.  The reason is
 * kept in the handle, and mmap(2) fails with it where Linux has a more
 * specific errno than Solaris' ENXIO: EACCES if the requested protection
 * exceeds @maxprot; every other failure is ENXIO (a bad handle,
 * a handle already set up, unaligned @off/@len, @len 0, bad @flags, a
 * @callbackops of another revision, a NULL @ucookie or @off + @len beyond
 * it).
 */
int devmap_umem_setup(devmap_cookie_t dhc, dev_info_t *dip,
		      struct devmap_callback_ctl *callbackops,
		      ddi_umem_cookie_t ucookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags,
		      ddi_device_acc_attr_t *accattrp)
{
	struct devmap_handle *dhp = dhc;
	struct ddi_umem_cookie *cookie = ucookie;
	int err = EINVAL;

	if (!dhp)
		return DDI_FAILURE;
	if (dhp->type != DEVMAP_TYPE_NONE ||
	    (callbackops && callbackops->devmap_rev != DEVMAP_OPS_REV))
		goto out;
	err = i_umem_check(dhp, cookie, off, len, maxprot, flags);
	if (err)
		goto out;

	if (flags & DEVMAP_MAPPING_INVALID) {
		dhp->invalid = true;
	} else {
		i_ddi_umem_hold(cookie);
		dhp->cookie = cookie;
		dhp->koff = off;
	}
	dhp->setup_len = len;
	dhp->maxprot = maxprot;
	dhp->flags = flags;
	dhp->callbackops = callbackops;
	dhp->dip = dip;
	dhp->type = DEVMAP_TYPE_UMEM;
	return DDI_SUCCESS;
out:
	dhp->error = err;
	return DDI_FAILURE;
}

/**
 * devmap_umem_remap() - point a handle at other kernel memory
 * (devmap_umem_remap(9F))
 * @dhc:      a handle set up with DEVMAP_ALLOW_REMAP
 * @dip:      the device
 * @ucookie:   memory from ddi_umem_alloc()
 * @off:      byte offset in the memory; page aligned
 * @len:      bytes; page aligned, at least the handle's length
 * @maxprot:  the highest protection (must still allow the mapping's)
 * @flags:    DEVMAP_DEFAULTS or IOMEM_DATA_CACHED
 * @accattrp: ignored for kernel memory
 *
 * All translations of the handle are unloaded first (devmap_unload()), so
 * the next access loads the new memory.
 *
 * Context: process context, may sleep; typically from devmap_access(9E) or
 * a context management callback.
 * Return: 0, or -1 (DDI_FAILURE), as on Solaris: no DEVMAP_ALLOW_REMAP,
 * bad arguments, a range beyond @ucookie, or a protection beyond @maxprot.
 * The handle is unchanged then.
 */
int devmap_umem_remap(devmap_cookie_t dhc, dev_info_t *dip,
		      ddi_umem_cookie_t ucookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags,
		      ddi_device_acc_attr_t *accattrp)
{
	struct devmap_handle *dhp = dhc;
	struct ddi_umem_cookie *cookie = ucookie;
	struct ddi_umem_cookie *old;

	if (!dhp || dhp->type != DEVMAP_TYPE_UMEM ||
	    !(dhp->flags & DEVMAP_ALLOW_REMAP) ||
	    (flags & (DEVMAP_MAPPING_INVALID | DEVMAP_ALLOW_REMAP)))
		return DDI_FAILURE;
	if (i_umem_check(dhp, cookie, off, len, maxprot, flags) ||
	    len < dhp->len)
		return DDI_FAILURE;
	devmap_unload(dhp, dhp->uoff, 0);
	old = dhp->cookie;
	i_ddi_umem_hold(cookie);
	dhp->cookie = cookie;
	dhp->koff = off;
	dhp->maxprot = maxprot;
	dhp->invalid = false;
	if (old)
		i_ddi_umem_rele(old);
	return 0;
}

/**
 * umem_lockmemory() - lock user pages down for a cookie
 * (umem_lockmemory, illumos' consolidation-private ddi_umem_lock)
 * @addr:       user virtual address in the calling process; page aligned
 * @size:       bytes; page aligned and not 0
 * @flags:      DDI_UMEMLOCK_READ and/or DDI_UMEMLOCK_WRITE (the pages will
 *              be written: they are made private to the process and
 *              writable first), optionally DDI_UMEMLOCK_LONGTERM (held for
 *              an unbounded time: FOLL_LONGTERM, which refuses file pages
 *              of filesystems that cannot have them pinned)
 * @cookiep:    where to store the cookie; NULL on failure
 * @ops_vector: must be NULL (no cleanup callback: the pages stay locked
 *              until ddi_umem_unlock(), even after the process exits)
 * @procp:      the calling process (curproc) or NULL
 *
 * The cookie works with devmap_umem_setup(9F) like one from
 * ddi_umem_alloc(), exporting the process' pages to other mappings; it has
 * no kernel address.  The pages count against the process' RLIMIT_MEMLOCK
 * (unless it has CAP_IPC_LOCK), as pinned memory (mm->pinned_vm, as RDMA
 * does).
 *
 * Context: process context of the process owning @addr, may sleep; not
 * under mmap_lock.
 * Return: 0, or an errno: EINVAL (unaligned @addr or @size, @size 0, bad
 * @flags, @ops_vector or @procp, no user address space); EFAULT (a page of
 * the range is not mapped, or not writable for DDI_UMEMLOCK_WRITE, or
 * cannot be locked); ENOMEM (no memory, or RLIMIT_MEMLOCK exceeded).
 */
int umem_lockmemory(caddr_t addr, size_t size, int flags,
		    ddi_umem_cookie_t *cookiep,
		    struct umem_callback_ops *ops_vector, proc_t *procp)
{
	unsigned long uaddr = (unsigned long)addr, limit;
	struct ddi_umem_cookie *cp;
	unsigned int gup = 0;
	long pinned;

	if (cookiep)
		*cookiep = NULL;
	if (!cookiep || size == 0 || !PAGE_ALIGNED(uaddr) ||
	    !PAGE_ALIGNED(size) || ops_vector ||
	    (procp && procp != curproc) || !current->mm ||
	    !(flags & (DDI_UMEMLOCK_READ | DDI_UMEMLOCK_WRITE)) ||
	    (flags & ~(DDI_UMEMLOCK_READ | DDI_UMEMLOCK_WRITE |
		       DDI_UMEMLOCK_LONGTERM)))
		return EINVAL;
	if (size > TASK_SIZE || uaddr > TASK_SIZE - size)
		return EFAULT;

	cp = kzalloc(sizeof(*cp), GFP_KERNEL);
	if (!cp)
		return ENOMEM;
	kref_init(&cp->ref);
	cp->npages = btop(size);
	cp->size = size;
	cp->pages = kvcalloc(cp->npages, sizeof(*cp->pages), GFP_KERNEL);
	if (!cp->pages)
		goto err_cookie;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	if (atomic64_add_return(cp->npages, &current->mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK))
		goto err_account;

	if (flags & DDI_UMEMLOCK_WRITE)
		gup |= FOLL_WRITE;
	if (flags & DDI_UMEMLOCK_LONGTERM)
		gup |= FOLL_LONGTERM;
	pinned = pin_user_pages_fast(uaddr, cp->npages, gup, cp->pages);
	if (pinned != (long)cp->npages) {
		if (pinned > 0)
			unpin_user_pages(cp->pages, pinned);
		atomic64_sub(cp->npages, &current->mm->pinned_vm);
		kvfree(cp->pages);
		kfree(cp);
		return pinned == -ENOMEM ? ENOMEM : EFAULT;
	}
	cp->locked = true;
	cp->dirty = flags & DDI_UMEMLOCK_WRITE;
	cp->mm = current->mm;
	mmgrab(cp->mm);
	atomic_long_inc(&xxddi_stats.cookies);
	*cookiep = cp;
	return 0;

err_account:
	atomic64_sub(cp->npages, &current->mm->pinned_vm);
	kvfree(cp->pages);
err_cookie:
	kfree(cp);
	return ENOMEM;
}

/**
 * ddi_umem_lock() - lock user pages down (ddi_umem_lock(9F))
 * @addr:    user virtual address in the calling process; page aligned
 * @len:     bytes; page aligned and not 0
 * @flags:   DDI_UMEMLOCK_READ and/or DDI_UMEMLOCK_WRITE
 * @cookiep: where to store the cookie (for devmap_umem_setup(9F)); NULL
 *           on failure
 *
 * umem_lockmemory() without callbacks.  Release with ddi_umem_unlock().
 *
 * Context: process context, may sleep; not under mmap_lock.
 * Return: 0 or an errno, as umem_lockmemory().
 */
int ddi_umem_lock(caddr_t addr, size_t len, int flags,
		  ddi_umem_cookie_t *cookiep)
{
	if (flags & DDI_UMEMLOCK_LONGTERM)
		return EINVAL;
	return umem_lockmemory(addr, len, flags, cookiep, NULL, curproc);
}

/**
 * ddi_umem_unlock() - unlock pages locked by ddi_umem_lock()
 * (ddi_umem_unlock(9F))
 * @cookie: the cookie; NULL is a no-op
 *
 * Drops the locker's reference.  Pages still mapped through a devmap
 * handle stay locked until the last such mapping is gone.
 *
 * Context: process context, may sleep (Solaris also allows interrupt
 * context).
 */
void ddi_umem_unlock(ddi_umem_cookie_t cookie)
{
	if (cookie)
		i_ddi_umem_rele(cookie);
}
