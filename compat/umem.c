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

/*
 * The DEVMAP_CACHE_* caching of devmap_umem_setup() @flags (already
 * checked): IOMEM_DATA_CACHED or none is write-back.
 */
static int i_umem_cache(uint_t flags)
{
	switch (flags & IOMEM_DATA_MASK) {
	case IOMEM_DATA_UNCACHED:
		return DEVMAP_CACHE_UC;
	case IOMEM_DATA_UC_WR_COMBINE:
		return DEVMAP_CACHE_WC;
	default:
		return DEVMAP_CACHE_WB;
	}
}

/* Check a umem range and protection for @dhp; 0 or a positive errno. */
static int i_umem_check(struct devmap_handle *dhp,
			struct ddi_umem_cookie *cookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags)
{
	uint_t cache = flags & IOMEM_DATA_MASK;

	if ((flags & DEVMAP_MAPPING_INVALID) && !(flags & DEVMAP_ALLOW_REMAP))
		return EINVAL;
	if (flags & ~(DEVMAP_SETUP_FLAGS | IOMEM_DATA_MASK))
		return EINVAL;
	/* at most one caching attribute, one illumos knows */
	if (cache && cache != IOMEM_DATA_CACHED &&
	    cache != IOMEM_DATA_UNCACHED && cache != IOMEM_DATA_UC_WR_COMBINE)
		return EINVAL;
	/* a process' pages are mapped by PFN: x86 PAT keeps them cached */
	if (cache && cache != IOMEM_DATA_CACHED && cookie && cookie->locked)
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
 *               the handle with 2 MiB entries); at most one caching
 *               attribute: IOMEM_DATA_CACHED (write-back, the default),
 *               IOMEM_DATA_UNCACHED (the user mapping is uncached,
 *               pgprot_noncached()) or IOMEM_DATA_UC_WR_COMBINE
 *               (write-combining, pgprot_writecombine()); the last two
 *               imply DEVMAP_USE_PAGESIZE, are refused for memory from
 *               umem_lockmemory(), and leave the kernel's own mappings of
 *               the memory cached (see README, "Differences from Solaris")
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
__ddi_hot int devmap_umem_setup(devmap_cookie_t dhc, dev_info_t *dip,
				struct devmap_callback_ctl *callbackops,
				ddi_umem_cookie_t ucookie, offset_t off,
				size_t len, uint_t maxprot, uint_t flags,
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
	dhp->cache = i_umem_cache(flags);
	/* uncached and write-combining memory: 4 KiB entries only */
	dhp->flags = dhp->cache == DEVMAP_CACHE_WB ? flags :
		     flags | DEVMAP_USE_PAGESIZE;
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
 * @flags:    DEVMAP_DEFAULTS, or the handle's caching attribute
 *            (IOMEM_DATA_*, as given to devmap_umem_setup(): a mapping
 *            has one caching)
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
	    len < dhp->len || i_umem_cache(flags) != dhp->cache)
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

/* ---- the cleanup callback of umem_lockmemory() ---- */

#if IS_ENABLED(CONFIG_MMU_NOTIFIER)
/*
 * Callback works run here: a workqueue of this module's copy of the layer,
 * so that i_ddi_umem_drain() can wait for every one of them before the
 * module (and the driver's callback in it) goes away.
 */
static struct workqueue_struct *i_umem_cb_wq;
static DEFINE_MUTEX(i_umem_cb_wq_lock);

static struct workqueue_struct *i_umem_cb_wq_get(void)
{
	mutex_lock(&i_umem_cb_wq_lock);
	if (!i_umem_cb_wq)
		i_umem_cb_wq = alloc_workqueue("%s_umemcb", WQ_UNBOUND, 0,
					       KBUILD_MODNAME);
	mutex_unlock(&i_umem_cb_wq_lock);
	return i_umem_cb_wq;
}

/*
 * Invalidation of (part of) the locked range: for munmap(2), mremap(2) and
 * the teardown of the address space at exit (illumos: the AS_UNMAP_EVENT
 * and AS_FREE_EVENT of as_add_callback()), queue the driver's callback the
 * first time.  Other events (protection changes, migration, reclaim of
 * page tables) leave the pins alone.  Runs in any context the mm allows,
 * possibly not blockable: it only queues work.
 */
static bool i_umem_invalidate(struct mmu_interval_notifier *mni,
			      const struct mmu_notifier_range *range,
			      unsigned long cur_seq)
{
	struct ddi_umem_cookie *cp = container_of(mni, struct ddi_umem_cookie,
						  mni);
	bool fire;

	if (range->event != MMU_NOTIFY_UNMAP &&
	    range->event != MMU_NOTIFY_RELEASE)
		return true;
	spin_lock(&cp->cb_lock);
	mmu_interval_set_seq(mni, cur_seq);
	cp->cb_gone = true;
	fire = cp->cb_armed;
	cp->cb_armed = false;
	spin_unlock(&cp->cb_lock);
	if (fire)
		queue_work(i_umem_cb_wq, &cp->cb_work);
	return true;
}

static const struct mmu_interval_notifier_ops i_umem_mni_ops = {
	.invalidate = i_umem_invalidate,
};

/*
 * The callback, in process context (a worker): the driver may sleep and
 * call ddi_umem_unlock() on the cookie.  Then the notifier goes and drops
 * its reference: the last one unpins the pages.
 */
static void i_umem_cb_work(struct work_struct *work)
{
	struct ddi_umem_cookie *cp = container_of(work, struct ddi_umem_cookie,
						  cb_work);

	cp->cbops.cbo_umem_lock_cleanup((ddi_umem_cookie_t *)cp);
	mmu_interval_notifier_remove(&cp->mni);
	i_ddi_umem_rele(cp);
}

/*
 * Register the cleanup callback of @cp on its range [@uaddr, +@size) of
 * the current process, before the pages are pinned (an unmap racing with
 * the pinning is seen).  0 or a positive errno.
 */
static int i_umem_cb_register(struct ddi_umem_cookie *cp,
			      const struct umem_callback_ops *ops,
			      unsigned long uaddr, size_t size)
{
	int err;

	if (!i_umem_cb_wq_get())
		return ENOMEM;
	cp->cbops = *ops;
	spin_lock_init(&cp->cb_lock);
	INIT_WORK(&cp->cb_work, i_umem_cb_work);
	err = mmu_interval_notifier_insert(&cp->mni, current->mm, uaddr, size,
					   &i_umem_mni_ops);
	if (err)
		return -err;
	kref_get(&cp->ref);	/* the notifier's */
	return 0;
}

/*
 * The pages are pinned: arm the callback, unless the range went away
 * meanwhile.  True if armed; else the caller unregisters and fails.
 */
static bool i_umem_cb_arm(struct ddi_umem_cookie *cp)
{
	bool armed;

	spin_lock(&cp->cb_lock);
	armed = !cp->cb_gone;
	cp->cb_armed = armed;
	spin_unlock(&cp->cb_lock);
	return armed;
}

/*
 * Disarm @cp's callback if it is still armed (not yet queued): remove the
 * notifier and drop its reference.  A callback already queued runs anyway
 * (it may follow ddi_umem_unlock(), as on illumos).  May sleep.
 */
static void i_umem_cb_disarm(struct ddi_umem_cookie *cp)
{
	bool armed;

	if (!cp->cbops.cbo_umem_lock_cleanup)
		return;
	spin_lock(&cp->cb_lock);
	armed = cp->cb_armed;
	cp->cb_armed = false;
	spin_unlock(&cp->cb_lock);
	if (armed) {
		mmu_interval_notifier_remove(&cp->mni);
		i_ddi_umem_rele(cp);
	}
}

/**
 * i_ddi_umem_drain() - wait for every queued cleanup callback
 *
 * Called before the layer's leak check at mod_remove(9F): a callback may
 * have been queued for a cookie the driver already unlocked; once this
 * returns, no callback work of this module runs or is pending and the
 * cookies they held are gone.  A callback still queued then runs after
 * the driver's detach(9E): it must find nothing of its own to release.
 *
 * Context: process context, may sleep.
 */
void i_ddi_umem_drain(void)
{
	mutex_lock(&i_umem_cb_wq_lock);
	if (i_umem_cb_wq) {
		destroy_workqueue(i_umem_cb_wq);
		i_umem_cb_wq = NULL;
	}
	mutex_unlock(&i_umem_cb_wq_lock);
}
#else /* !CONFIG_MMU_NOTIFIER */
static int i_umem_cb_register(struct ddi_umem_cookie *cp,
			      const struct umem_callback_ops *ops,
			      unsigned long uaddr, size_t size)
{
	return EOPNOTSUPP;
}

static bool i_umem_cb_arm(struct ddi_umem_cookie *cp)
{
	return true;
}

static void i_umem_cb_disarm(struct ddi_umem_cookie *cp)
{
}

void i_ddi_umem_drain(void)
{
}
#endif /* CONFIG_MMU_NOTIFIER */

/**
 * umem_lockmemory() - lock user pages down for a cookie
 * (umem_lockmemory, illumos' consolidation-private ddi_umem_lock)
 * @addr:       user virtual address in the calling process; page aligned
 * @size:       bytes; page aligned and not 0
 * @flags:      DDI_UMEMLOCK_READ and/or DDI_UMEMLOCK_WRITE (the pages will
 *              be written: they are made private to the process and
 *              writable first), optionally DDI_UMEMLOCK_LONGTERM (held for
 *              an unbounded time: FOLL_LONGTERM, which refuses file pages
 *              of filesystems that cannot have them pinned; needs
 *              @ops_vector, as on illumos)
 * @cookiep:    where to store the cookie; NULL on failure
 * @ops_vector: NULL, or struct umem_callback_ops of UMEM_CALLBACK_VERSION
 *              with a cbo_umem_lock_cleanup function; it is copied.  With
 *              DDI_UMEMLOCK_LONGTERM the cleanup function is called once
 *              when (part of) the range is unmapped (munmap(2),
 *              mremap(2)) or the process' address space goes away (exit,
 *              exec), unless ddi_umem_unlock() came first; without the
 *              flag it is never called (illumos registers it only for
 *              long-term locks)
 * @procp:      the calling process (curproc) or NULL
 *
 * The cookie works with devmap_umem_setup(9F) like one from
 * ddi_umem_alloc(), exporting the process' pages to other mappings; it has
 * no kernel address.  The pages count against the process' RLIMIT_MEMLOCK
 * (unless it has CAP_IPC_LOCK), as pinned memory (mm->pinned_vm, as RDMA
 * does).
 *
 * The cleanup function gets the cookie itself, cast to
 * ddi_umem_cookie_t * (what illumos passes, whatever the prototype says).
 * It runs in process context on a worker thread of the layer, never under
 * mmap_lock: it may sleep, and it should end the driver's use of the
 * cookie with ddi_umem_unlock() (once: unlocking is still the driver's
 * job).  It can run after ddi_umem_unlock() if the unmap and the unlock
 * race, as on illumos.  The pins and the RLIMIT_MEMLOCK charge go when the
 * last of the driver's lock, a queued callback and the devmap mappings of
 * the cookie is gone.  mprotect(2) does not call it (illumos also calls it
 * on a protection change).
 *
 * Context: process context of the process owning @addr, may sleep; not
 * under mmap_lock.
 * Return: 0, or an errno: EINVAL (unaligned @addr or @size, @size 0, bad
 * @flags, @ops_vector of another version or without a cleanup function,
 * DDI_UMEMLOCK_LONGTERM without @ops_vector, @procp not the caller, no
 * user address space); EFAULT (a page of the range is not mapped, or not
 * writable for DDI_UMEMLOCK_WRITE, cannot be locked, or was unmapped while
 * being locked); ENOMEM (no memory, or RLIMIT_MEMLOCK exceeded);
 * EOPNOTSUPP (a cleanup callback on a kernel without MMU notifiers).
 */
int umem_lockmemory(caddr_t addr, size_t size, int flags,
		    ddi_umem_cookie_t *cookiep,
		    struct umem_callback_ops *ops_vector, proc_t *procp)
{
	unsigned long uaddr = (unsigned long)addr, limit;
	bool longterm = flags & DDI_UMEMLOCK_LONGTERM;
	struct ddi_umem_cookie *cp;
	unsigned int gup = 0;
	long pinned;
	int err = ENOMEM;

	if (cookiep)
		*cookiep = NULL;
	if (!cookiep || size == 0 || !PAGE_ALIGNED(uaddr) ||
	    !PAGE_ALIGNED(size) || (procp && procp != curproc) ||
	    !current->mm ||
	    !(flags & (DDI_UMEMLOCK_READ | DDI_UMEMLOCK_WRITE)) ||
	    (flags & ~(DDI_UMEMLOCK_READ | DDI_UMEMLOCK_WRITE |
		       DDI_UMEMLOCK_LONGTERM)))
		return EINVAL;
	if (ops_vector &&
	    (ops_vector->cbo_umem_callback_version != UMEM_CALLBACK_VERSION ||
	     !ops_vector->cbo_umem_lock_cleanup))
		return EINVAL;
	if (longterm && !ops_vector)
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
	if (longterm) {
		err = i_umem_cb_register(cp, ops_vector, uaddr, size);
		if (err)
			goto err_account;
	}

	if (flags & DDI_UMEMLOCK_WRITE)
		gup |= FOLL_WRITE;
	if (longterm)
		gup |= FOLL_LONGTERM;
	pinned = pin_user_pages_fast(uaddr, cp->npages, gup, cp->pages);
	if (pinned != (long)cp->npages) {
		if (pinned > 0)
			unpin_user_pages(cp->pages, pinned);
		err = pinned == -ENOMEM ? ENOMEM : EFAULT;
		goto err_notifier;
	}
	if (longterm && !i_umem_cb_arm(cp)) {
		unpin_user_pages(cp->pages, cp->npages);
		err = EFAULT;
		goto err_notifier;
	}
	cp->locked = true;
	cp->dirty = flags & DDI_UMEMLOCK_WRITE;
	cp->mm = current->mm;
	mmgrab(cp->mm);
	atomic_long_inc(&xxddi_stats.cookies);
	*cookiep = cp;
	return 0;

err_notifier:
#if IS_ENABLED(CONFIG_MMU_NOTIFIER)
	if (longterm)
		mmu_interval_notifier_remove(&cp->mni);
#endif
err_account:
	atomic64_sub(cp->npages, &current->mm->pinned_vm);
	kvfree(cp->pages);
err_cookie:
	kfree(cp);
	return err;
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
 * Drops the locker's reference and, for umem_lockmemory() with a cleanup
 * callback not yet called, removes the callback (it is not called then).
 * Pages still mapped through a devmap handle stay locked until the last
 * such mapping is gone.  Call it once per cookie, also from the cleanup
 * callback.
 *
 * Context: process context, may sleep (Solaris also allows interrupt
 * context); also from the cleanup callback.
 */
void ddi_umem_unlock(ddi_umem_cookie_t cookie)
{
	if (!cookie)
		return;
	i_umem_cb_disarm(cookie);
	i_ddi_umem_rele(cookie);
}
