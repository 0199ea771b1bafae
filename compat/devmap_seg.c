// SPDX-License-Identifier: GPL-2.0
/*
 * The devmap(9E) framework: from mmap(2) to the driver's devmap entry
 * point, the handles of the resulting mapping, its callbacks
 * (devmap_callback_ctl(9S)) and context management.
 *
 * mmap(2) of a node reaches i_devmap_setup_vma() with the new VMA (directly,
 * or through the driver's segmap(9E) and devmap_setup(9F)).  Like Solaris'
 * devmap_setup() it calls devmap(9E) with a fresh handle until the handles
 * cover the whole mapping, each call describing the piece from the current
 * offset to the end of one contiguous memory range (*maplen); then it calls
 * devmap_map(9E) for each handle.  Handles without a devmap_access(9E)
 * callback are loaded at once (kernel memory in batches with
 * vm_insert_pages(), registers by a partial io_remap_pfn_range()), so the
 * mapping is populated when mmap(2) returns - except, on kernels with huge
 * PFN maps, the 2 MiB blocks that one PMD entry can map, which are mapped
 * at their first access (.huge_fault); the others are loaded at fault time
 * through devmap_access, as on Solaris.
 *
 * The handles of one mmap(2) form a devmap segment (see struct devmap_seg).
 *
 * Locking, outermost first:
 *
 *   mmap_lock (the kernel's; held by whoever calls into a VMA)
 *     seg->lock (struct devmap_seg: its handles, revocation state, the
 *                fault being served)
 *       ctx->lock (struct devmap_ctx: the device context's owner and
 *                  expiry; devmap_do_ctxmgt() holds it around ctxmgt)
 *         the driver's own locks, taken in its callbacks
 *           i_mmap_rwsem (the kernel's; unmap_mapping_range() in
 *                         devmap_unload() and revocation)
 *
 * mn->seg_lock (a node's list of segments) and devmap_faults_lock (the
 * faults being served, for devmap_load() of another segment) are leaves:
 * nothing else is taken under them.  A second segment's lock is only ever
 * tried (mutex_trylock) while one is held.  Entry points run inside an
 * SRCU read section of ddi_node_srcu, which ddi_remove_minor_node() waits
 * for before it revokes the node's mappings (see dip.c).
 *
 * Where each devmap_callback_ctl(9S) callback runs (all may sleep):
 *   devmap_map(9E)    mmap(2): mmap_lock held for writing; the segment is
 *                     not yet visible, so no xxddi lock is held.
 *   devmap_access(9E) a page fault: mmap_lock held for reading (a fault
 *                     met under the VMA lock alone is retried under it) and
 *                     the segment's lock; devmap_load(), devmap_unload(),
 *                     devmap_do_ctxmgt() (ctx->lock) and
 *                     devmap_default_access() may be called.
 *   devmap_dup(9E)    fork(2): the parent's and the child's mmap_lock held
 *                     for writing and the parent segment's lock.
 *   devmap_unmap(9E)  munmap(2), mremap(2), exit and the rest of VMA
 *                     removal: mmap_lock held (munmap(2) may have
 *                     downgraded it to reading) and the segment's lock; at
 *                     revocation (detach, PCI unbind) the segment's lock
 *                     only, no mmap_lock.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include "impl.h"
#include "compat/kernel_compat.h"

/* ---- handles and segments ---- */

static u64 dh_end(struct devmap_handle *dhp)
{
	return dhp->uoff + dhp->len;
}

static void devmap_ctx_forget(struct devmap_handle *dhp)
{
	struct devmap_ctx *ctx = dhp->dip ? dhp->dip->ctx : NULL;

	if (!ctx)
		return;
	mutex_lock(&ctx->lock);
	if (ctx->owner == dhp)
		ctx->owner = NULL;
	mutex_unlock(&ctx->lock);
}

static void devmap_regs_release(struct kref *ref)
{
	struct devmap_regs *regs = container_of(ref, struct devmap_regs, ref);

	iounmap(regs->va);
	kfree(regs);
	atomic_long_dec(&xxddi_stats.regmaps);
}

/*
 * Free a handle.  Its translations must be gone: with a PFN map nothing
 * else keeps the memory or the registers' memory type.
 */
static void devmap_handle_free(struct devmap_handle *dhp)
{
	list_del(&dhp->link);
	devmap_ctx_forget(dhp);
	if (dhp->cookie)
		i_ddi_umem_rele(dhp->cookie);
	if (dhp->regs)
		kref_put(&dhp->regs->ref, devmap_regs_release);
	kfree(dhp);
	atomic_long_dec(&xxddi_stats.handles);
}

static struct devmap_handle *devmap_handle_alloc(gfp_t gfp)
{
	struct devmap_handle *dhp = kzalloc(sizeof(*dhp), gfp);

	if (dhp)
		atomic_long_inc(&xxddi_stats.handles);
	return dhp;
}

static struct devmap_seg *devmap_seg_alloc(struct ddi_minor_node *mn,
					   struct vm_area_struct *vma)
{
	struct devmap_seg *seg = kzalloc(sizeof(*seg), GFP_KERNEL);

	if (!seg)
		return NULL;
	atomic_long_inc(&xxddi_stats.segs);
	kref_init(&seg->ref);
	mutex_init(&seg->lock);
	INIT_LIST_HEAD(&seg->handles);
	seg->mm = vma->vm_mm;
	seg->mapping = vma->vm_file->f_mapping;
	seg->mn = mn;
	i_ddi_minor_hold(mn);
	mutex_lock(&mn->seg_lock);
	list_add(&seg->mn_link, &mn->segs);
	mutex_unlock(&mn->seg_lock);
	return seg;
}

static void devmap_seg_release(struct kref *ref)
{
	struct devmap_seg *seg = container_of(ref, struct devmap_seg, ref);
	struct devmap_handle *dhp, *tmp;

	mutex_lock(&seg->mn->seg_lock);
	list_del(&seg->mn_link);
	mutex_unlock(&seg->mn->seg_lock);
	list_for_each_entry_safe(dhp, tmp, &seg->handles, link)
		devmap_handle_free(dhp);
	i_ddi_minor_rele(seg->mn);
	mutex_destroy(&seg->lock);
	kfree(seg);
	atomic_long_dec(&xxddi_stats.segs);
}

static void devmap_seg_put(struct devmap_seg *seg)
{
	kref_put(&seg->ref, devmap_seg_release);
}

static struct devmap_handle *devmap_find_handle(struct devmap_seg *seg,
						u64 uoff)
{
	struct devmap_handle *dhp;

	list_for_each_entry(dhp, &seg->handles, link)
		if (uoff >= dhp->uoff && uoff < dh_end(dhp))
			return dhp;
	return NULL;
}

/* A copy of @dhp for [@start, @end) of its range, or NULL. */
static struct devmap_handle *devmap_handle_clone(struct devmap_handle *dhp,
						 u64 start, u64 end, gfp_t gfp)
{
	struct devmap_handle *n = devmap_handle_alloc(gfp);

	if (!n)
		return NULL;
	*n = *dhp;
	INIT_LIST_HEAD(&n->link);
	n->koff += start - dhp->uoff;
	if (n->type == DEVMAP_TYPE_DEVMEM)
		n->pfn += btop(start - dhp->uoff);
	n->uoff = start;
	n->len = end - start;
	n->pvtp = NULL;
	if (n->cookie)
		i_ddi_umem_hold(n->cookie);
	if (n->regs)
		kref_get(&n->regs->ref);
	return n;
}

/* Trim @dhp to start at @start (its head is gone). */
static void devmap_handle_trim_head(struct devmap_handle *dhp, u64 start)
{
	dhp->koff += start - dhp->uoff;
	if (dhp->type == DEVMAP_TYPE_DEVMEM)
		dhp->pfn += btop(start - dhp->uoff);
	dhp->len -= start - dhp->uoff;
	dhp->uoff = start;
}

/*
 * [@start, @end) of the segment's user offsets is no longer mapped:
 * tell the driver (devmap_unmap(9E), in Solaris' four shapes) and trim,
 * split or free the handles.
 */
static void devmap_seg_unmap(struct devmap_seg *seg, u64 start, u64 end)
{
	struct devmap_handle *dhp, *tmp;

	lockdep_assert_held(&seg->lock);
	list_for_each_entry_safe(dhp, tmp, &seg->handles, link) {
		u64 s = max(start, dhp->uoff), e = min(end, dh_end(dhp));
		struct devmap_callback_ctl *cb = dhp->callbackops;
		bool head = s > dhp->uoff, tail = e < dh_end(dhp);
		struct devmap_handle *rest = NULL;

		if (s >= e)
			continue;
		if (head && tail)	/* a hole: the part after gets a handle */
			rest = devmap_handle_clone(dhp, e, dh_end(dhp),
						   GFP_KERNEL | __GFP_NOFAIL);
		if (cb && cb->devmap_unmap) {
			if (head && tail)
				cb->devmap_unmap(dhp, dhp->pvtp, s, e - s,
						 dhp, &dhp->pvtp,
						 rest, &rest->pvtp);
			else if (head)
				cb->devmap_unmap(dhp, dhp->pvtp, s, e - s,
						 dhp, &dhp->pvtp, NULL, NULL);
			else if (tail)
				cb->devmap_unmap(dhp, dhp->pvtp, s, e - s,
						 NULL, NULL, dhp, &dhp->pvtp);
			else
				cb->devmap_unmap(dhp, dhp->pvtp, s, e - s,
						 NULL, NULL, NULL, NULL);
		}
		if (rest)
			list_add(&rest->link, &dhp->link);
		if (head)
			dhp->len = s - dhp->uoff;
		else if (tail)
			devmap_handle_trim_head(dhp, e);
		else
			devmap_handle_free(dhp);
	}
}

static u64 vma_uoff(struct vm_area_struct *vma)
{
	return (u64)vma->vm_pgoff << PAGE_SHIFT;
}

/* ---- translations ---- */

/* The page frame behind user offset @off of @dhp (inside the handle). */
static unsigned long dh_pfn(struct devmap_handle *dhp, u64 off)
{
	if (dhp->type == DEVMAP_TYPE_DEVMEM)
		return dhp->pfn + btop(off - dhp->uoff);
	return page_to_pfn(dhp->cookie->pages[btop(dhp->koff +
						   (off - dhp->uoff))]);
}

/* Map the page at user offset @off of @dhp at @addr of @vma. */
static int devmap_insert(struct vm_area_struct *vma, unsigned long addr,
			 struct devmap_handle *dhp, u64 off)
{
	vm_fault_t vmret;
	int err;

	if (vma->vm_flags & VM_PFNMAP) {
		vmret = vmf_insert_pfn(vma, addr, dh_pfn(dhp, off));
		if (vmret & VM_FAULT_OOM)
			return ENOMEM;
		return (vmret & VM_FAULT_ERROR) ? EFAULT : 0;
	}
	err = vm_insert_page(vma, addr, pfn_to_page(dh_pfn(dhp, off)));
	return err == -EBUSY ? 0 : -err;	/* EBUSY: already loaded */
}

/*
 * Load [@start, @end) of @dhp's user offsets into @vma (as far as @vma
 * maps them).  If @fault is set, note whether the faulting page of the
 * segment was loaded.
 */
static int devmap_load_vma(struct vm_area_struct *vma,
			   struct devmap_handle *dhp, u64 start, u64 end,
			   bool fault)
{
	struct devmap_seg *seg = dhp->seg;
	u64 vstart = vma_uoff(vma), vend = vstart + vma->vm_end - vma->vm_start;
	u64 off;
	int err;

	if (dhp->type == DEVMAP_TYPE_NONE || dhp->invalid)
		return EINVAL;
	start = max3(start, vstart, dhp->uoff);
	end = min3(end, vend, dh_end(dhp));
	for (off = start; off < end; off += PAGE_SIZE) {
		err = devmap_insert(vma, vma->vm_start + (off - vstart), dhp,
				    off);
		if (err)
			return err;
		if (fault && off == (u64)seg->fault_vmf->pgoff << PAGE_SHIFT)
			seg->fault_loaded = true;
	}
	return 0;
}

/*
 * The 2 MiB-aligned frame that maps the 2 MiB page of @vma at @addr, if
 * that page can be one PMD entry: @vma covers it, it lies inside one
 * handle that is loaded without devmap_access(9E), and that handle's memory
 * there is one 2 MiB-aligned, physically contiguous block.  0 otherwise.
 */
static unsigned long devmap_pmd_pfn(struct vm_area_struct *vma,
				    struct devmap_handle *dhp,
				    unsigned long addr)
{
	unsigned long haddr = addr & PMD_MASK, pfn, i;
	u64 off;

	if (!XX_HUGE_PFNMAP || haddr < vma->vm_start ||
	    vma->vm_end - haddr < PMD_SIZE || !dhp || dhp->invalid ||
	    dhp->type == DEVMAP_TYPE_NONE ||
	    (dhp->flags & DEVMAP_USE_PAGESIZE) ||
	    (dhp->callbackops && dhp->callbackops->devmap_access))
		return 0;
	off = vma_uoff(vma) + (haddr - vma->vm_start);
	if (off < dhp->uoff || dh_end(dhp) - off < PMD_SIZE)
		return 0;
	pfn = dh_pfn(dhp, off);
	if (!IS_ALIGNED(pfn, PTRS_PER_PMD))
		return 0;
	if (dhp->type == DEVMAP_TYPE_UMEM)
		for (i = 1; i < PTRS_PER_PMD; i++)
			if (dh_pfn(dhp, off + ptob(i)) != pfn + i)
				return 0;
	return pfn;
}

/*
 * Resolve a devmap_load/unload range: @off is a user offset inside the
 * handle (rounded down to a page), @len 0 means to the end of the handle.
 */
static int devmap_range(struct devmap_handle *dhp, offset_t off, size_t len,
			u64 *start, u64 *end)
{
	u64 s;

	if (off < 0 || (u64)off < dhp->uoff || (u64)off >= dh_end(dhp))
		return EINVAL;
	s = round_down((u64)off, PAGE_SIZE);
	if (len == 0) {
		*end = dh_end(dhp);
	} else {
		if (len > dh_end(dhp) - s)
			return EINVAL;
		*end = s + PAGE_ALIGN(len + ((u64)off - s));
		*end = min(*end, dh_end(dhp));
	}
	*start = s;
	return 0;
}

/*
 * The devmap_access(9E) callbacks running now, by task: devmap_load() of a
 * handle in another segment (another mmap(2)) of the faulting process
 * needs to know that the caller is one.
 */
struct devmap_fault {
	struct list_head link;
	struct task_struct *task;
	struct devmap_seg *seg;		/* the faulting segment, locked */
};

static LIST_HEAD(devmap_faults);
static DEFINE_SPINLOCK(devmap_faults_lock);

static void devmap_fault_enter(struct devmap_fault *f, struct devmap_seg *seg)
{
	f->task = current;
	f->seg = seg;
	spin_lock(&devmap_faults_lock);
	list_add(&f->link, &devmap_faults);
	spin_unlock(&devmap_faults_lock);
}

static void devmap_fault_exit(struct devmap_fault *f)
{
	spin_lock(&devmap_faults_lock);
	list_del(&f->link);
	spin_unlock(&devmap_faults_lock);
}

/* The segment whose fault the current task serves, or NULL. */
static struct devmap_seg *devmap_fault_seg(void)
{
	struct devmap_seg *seg = NULL;
	struct devmap_fault *f;

	spin_lock(&devmap_faults_lock);
	list_for_each_entry(f, &devmap_faults, link)
		if (f->task == current)
			seg = f->seg;
	spin_unlock(&devmap_faults_lock);
	return seg;
}

static const struct vm_operations_struct devmap_vm_ops;

/*
 * devmap_load() of @dhp, a handle of another segment of the process whose
 * fault devmap_access(9E) is serving: load it into each VMA of its
 * segment.  The caller holds the faulting segment's lock, so this one is
 * only tried (EAGAIN: the fault is retried).
 */
static int devmap_load_other(struct devmap_handle *dhp, offset_t off,
			     size_t len)
{
	struct devmap_seg *seg = dhp->seg;
	struct vm_area_struct *vma;
	u64 start, end;
	int err;

	/*
	 * devmap_vma_fault() runs under the mmap lock (a .fault without
	 * .map_pages is retried there when it met only the VMA lock).  Not
	 * mmap_assert_locked(): with CONFIG_DEBUG_VM it calls dump_mm(),
	 * which 6.1 does not export to modules.
	 */
	lockdep_assert_held(&current->mm->mmap_lock);
	if (!mutex_trylock(&seg->lock))
		return EAGAIN;
	err = seg->revoked ? EINVAL : devmap_range(dhp, off, len, &start, &end);
	if (!err) {
		VMA_ITERATOR(vmi, current->mm, 0);

		for_each_vma(vmi, vma) {
			if (vma->vm_ops != &devmap_vm_ops ||
			    vma->vm_private_data != seg)
				continue;
			err = devmap_load_vma(vma, dhp, start, end, false);
			if (err)
				break;
		}
	}
	mutex_unlock(&seg->lock);
	return err;
}

/**
 * devmap_load() - load translations of a handle (devmap_load(9F))
 * @dhc:  the handle
 * @off:  user offset (the devmap(9E) offset space) inside the handle;
 *        rounded down to a page
 * @len:  bytes; 0 means to the end of the handle
 * @type: DEVMAP_ACCESS, DEVMAP_LOCK or DEVMAP_UNLOCK (informational)
 * @rw:   S_READ, S_WRITE or S_OTHER (informational: the page is mapped with
 *        the mapping's protection)
 *
 * Only from the faulting context: a devmap_access(9E) callback (or the
 * ctxmgt function of devmap_do_ctxmgt()) running for a fault of the
 * process that owns @dhc - the faulting handle or any other handle of that
 * process, in the same mapping or another one (winlock(4D) loads the lock
 * and unlock pages of the new owner).  Pages already loaded are left alone.
 *
 * Context: fault context (mmap_lock held), may sleep.
 * Return: 0, or a positive errno: EINVAL outside the handle, outside a
 * fault of the handle's process, or for a handle with no memory
 * (DEVMAP_MAPPING_INVALID not remapped); ENOMEM; EAGAIN if another thread
 * of the process holds @dhc's mapping (a devmap_access(9E) callback that
 * returns it has its fault retried).
 */
int devmap_load(devmap_cookie_t dhc, offset_t off, size_t len, uint_t type,
		uint_t rw)
{
	struct devmap_handle *dhp = dhc;
	struct devmap_seg *seg = dhp ? dhp->seg : NULL;
	struct devmap_seg *fseg = devmap_fault_seg();
	u64 start, end;
	int err;

	if (!seg || !fseg || seg->mm != current->mm)
		return EINVAL;
	if (seg != fseg)
		return devmap_load_other(dhp, off, len);
	lockdep_assert_held(&seg->lock);
	err = devmap_range(dhp, off, len, &start, &end);
	if (err)
		return err;
	return devmap_load_vma(seg->fault_vmf->vma, dhp, start, end, true);
}

/**
 * devmap_unload() - remove translations of a handle (devmap_unload(9F))
 * @dhc: the handle; may belong to another process
 * @off: user offset inside the handle; rounded down to a page
 * @len: bytes; 0 means to the end of the handle
 *
 * The next access to the range faults and goes through devmap_access(9E)
 * again.  Linux removes translations by file range: every mapping of this
 * device range, in any process, is unloaded (see README, "Differences
 * from Solaris"); mappings without devmap_access simply fault back in.
 *
 * Context: process context, may sleep; must not hold the i_mmap lock.
 * Return: 0, or EINVAL for a range outside the handle.
 */
int devmap_unload(devmap_cookie_t dhc, offset_t off, size_t len)
{
	struct devmap_handle *dhp = dhc;
	u64 start, end;
	int err;

	if (!dhp || !dhp->seg)
		return EINVAL;
	err = devmap_range(dhp, off, len, &start, &end);
	if (err)
		return err;
	unmap_mapping_range(dhp->seg->mapping, start, end - start, 1);
	return 0;
}

/**
 * devmap_default_access() - the default devmap_access(9E)
 * @dhp:  the handle
 * @pvtp: the driver's private data (unused)
 * @off:  user offset of the access
 * @len:  bytes
 * @type: DEVMAP_ACCESS ...
 * @rw:   S_READ / S_WRITE
 *
 * Context: fault context.
 * Return: devmap_load(@dhp, @off, @len, @type, @rw).
 */
int devmap_default_access(devmap_cookie_t dhp, void *pvtp, offset_t off,
			  size_t len, uint_t type, uint_t rw)
{
	return devmap_load(dhp, off, len, type, rw);
}

/* ---- context management ---- */

static struct devmap_ctx *devmap_get_ctx(struct dev_info *dip)
{
	struct devmap_ctx *ctx;

	if (!dip)
		return NULL;
	ctx = READ_ONCE(dip->ctx);
	if (ctx)
		return ctx;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return NULL;
	mutex_init(&ctx->lock);
	if (cmpxchg(&dip->ctx, NULL, ctx)) {
		kfree(ctx);
		ctx = dip->ctx;
	}
	return ctx;
}

/* Free the context of @dip (detach, all mappings gone). */
void i_devmap_ctx_free(struct dev_info *dip)
{
	if (!dip->ctx)
		return;
	mutex_destroy(&dip->ctx->lock);
	kfree(dip->ctx);
	dip->ctx = NULL;
}

/**
 * devmap_set_ctx_timeout() - how long a context owner keeps the context
 * (devmap_set_ctx_timeout(9F))
 * @dhc:   a handle of the device
 * @ticks: clock ticks (jiffies; see drv_usectohz()); 0: no minimum
 *
 * Context: process context, may sleep (the device context is created on
 * first use).
 */
void devmap_set_ctx_timeout(devmap_cookie_t dhc, clock_t ticks)
{
	struct devmap_handle *dhp = dhc;
	struct devmap_ctx *ctx = dhp ? devmap_get_ctx(dhp->dip) : NULL;

	if (!ctx)
		return;
	mutex_lock(&ctx->lock);
	ctx->timeout = max_t(clock_t, ticks, 0);
	mutex_unlock(&ctx->lock);
}

/**
 * devmap_do_ctxmgt() - serialise access to a device context
 * (devmap_do_ctxmgt(9F))
 * @dhc:    the faulting handle
 * @pvtp:   the driver's private data of @dhp
 * @off:    user offset of the access
 * @len:    bytes
 * @type:   DEVMAP_ACCESS ...
 * @rw:     S_READ / S_WRITE
 * @ctxmgt: the driver's context switch: typically devmap_unload() of the
 *          previous owner's handle and devmap_load() of @dhp; returns 0 or
 *          non-zero
 *
 * The device (instance) has one context.  If another handle owns it and
 * has held it for less than the timeout set by devmap_set_ctx_timeout(),
 * the caller waits until that time is up; then @ctxmgt runs (serialised
 * with every other context switch of the device) and @dhp becomes the
 * owner.  Called from devmap_access(9E).
 *
 * Context: fault context, sleeps; a fatal signal ends the wait with a
 * failure.
 * Return: 0, or -1 if @ctxmgt failed or the wait was interrupted (the
 * access then gets SIGBUS).
 */
int devmap_do_ctxmgt(devmap_cookie_t dhc, void *pvtp, offset_t off,
		     size_t len, uint_t type, uint_t rw,
		     int (*ctxmgt)(devmap_cookie_t, void *, offset_t, size_t,
				   uint_t, uint_t))
{
	struct devmap_handle *dhp = dhc;
	struct devmap_ctx *ctx = dhp ? devmap_get_ctx(dhp->dip) : NULL;
	int ret;

	if (!ctx || !ctxmgt)
		return -1;
	mutex_lock(&ctx->lock);
	while (ctx->owner && ctx->owner != dhp &&
	       time_before(jiffies, ctx->expires)) {
		long wait = (long)(ctx->expires - jiffies);

		mutex_unlock(&ctx->lock);
		schedule_timeout_killable(wait);
		if (fatal_signal_pending(current))
			return -1;
		mutex_lock(&ctx->lock);
	}
	ret = ctxmgt(dhp, pvtp, off, len, type, rw);
	if (!ret) {
		ctx->owner = dhp;
		/*
		 * The current tick is already partly over: one more makes
		 * the owner keep the context for at least the timeout.
		 */
		ctx->expires = jiffies + ctx->timeout + 1;
	}
	mutex_unlock(&ctx->lock);
	return ret ? -1 : 0;
}

/* ---- VMA operations ---- */

/* A fork: the child's VMA gets a segment of its own (devmap_dup(9E)). */
static struct devmap_seg *devmap_seg_dup(struct devmap_seg *old,
					 struct vm_area_struct *vma)
{
	u64 start = vma_uoff(vma), end = start + vma->vm_end - vma->vm_start;
	struct devmap_seg *seg = devmap_seg_alloc(old->mn, vma);
	struct devmap_handle *dhp, *n;
	bool failed = false;

	if (!seg)
		return NULL;
	mutex_lock(&old->lock);
	if (old->revoked)	/* the child's accesses get SIGBUS too */
		WRITE_ONCE(seg->revoked, DEVMAP_RELEASED);
	list_for_each_entry(dhp, &old->handles, link) {
		u64 s = max(start, dhp->uoff), e = min(end, dh_end(dhp));
		struct devmap_callback_ctl *cb = dhp->callbackops;

		if (s >= e || old->revoked)
			continue;
		n = devmap_handle_clone(dhp, s, e, GFP_KERNEL);
		if (!n) {
			failed = true;
			break;
		}
		n->seg = seg;
		list_add_tail(&n->link, &seg->handles);
		if (cb && cb->devmap_dup &&
		    cb->devmap_dup(dhp, dhp->pvtp, n, &n->pvtp))
			n->invalid = true;	/* the child's access: SIGBUS */
	}
	mutex_unlock(&old->lock);
	if (failed) {
		devmap_seg_put(seg);
		return NULL;
	}
	return seg;
}

/*
 * A VMA was split off (munmap, mprotect, mremap), copied by mremap, or
 * copied by fork.  Only a fork changes handles: see struct devmap_seg.
 * vm_operations_struct.open cannot fail, so a fork that cannot duplicate
 * the handles leaves the child a mapping whose every access gets SIGBUS.
 */
static void devmap_vma_open(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;

	if (!seg)
		return;
	if (vma->vm_mm == seg->mm) {
		kref_get(&seg->ref);
		atomic_long_inc(&xxddi_stats.vmas);
		return;
	}
	vma->vm_private_data = devmap_seg_dup(seg, vma);
	if (vma->vm_private_data)
		atomic_long_inc(&xxddi_stats.vmas);
}

/* mremap moved [start, end) of the segment: the old VMA's close is not an
 * unmap of those handles.
 */
static int devmap_vma_mremap(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;

	if (seg) {
		mutex_lock(&seg->lock);
		seg->moved_start = vma_uoff(vma);
		seg->moved_len = vma->vm_end - vma->vm_start;
		mutex_unlock(&seg->lock);
	}
	return 0;
}

static void devmap_vma_close(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;
	u64 start = vma_uoff(vma), len = vma->vm_end - vma->vm_start;

	if (!seg)
		return;
	atomic_long_dec(&xxddi_stats.vmas);
	mutex_lock(&seg->lock);
	if (seg->moved_len && seg->moved_start == start &&
	    seg->moved_len == len)
		seg->moved_len = 0;	/* the source of an mremap move */
	else
		devmap_seg_unmap(seg, start, start + len);
	mutex_unlock(&seg->lock);
	devmap_seg_put(seg);
}

static uint_t devmap_fault_rw(struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_WRITE) ? S_WRITE : S_READ;
}

/*
 * A fault: devmap_access(9E) if the handle has one, which must load the
 * faulting page; else the handle's pages in the 2 MiB around the fault are
 * loaded (what devmap_default_access would do, a batch at a time).
 */
static vm_fault_t devmap_vma_fault(struct vm_fault *vmf)
{
	struct devmap_seg *seg = vmf->vma->vm_private_data;
	u64 uoff = (u64)vmf->pgoff << PAGE_SHIFT;
	struct devmap_handle *dhp;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct devmap_fault f;
	int err;

	if (!seg)
		return VM_FAULT_SIGBUS;
	mutex_lock(&seg->lock);
	dhp = seg->revoked ? NULL : devmap_find_handle(seg, uoff);
	if (!dhp || (dhp->invalid && !dhp->callbackops))
		goto out;
	seg->fault_vmf = vmf;
	seg->fault_loaded = false;
	if (dhp->callbackops && dhp->callbackops->devmap_access) {
		devmap_fault_enter(&f, seg);
		err = dhp->callbackops->devmap_access(dhp, dhp->pvtp, uoff,
						      PAGE_SIZE, DEVMAP_ACCESS,
						      devmap_fault_rw(vmf));
		devmap_fault_exit(&f);
		/* a devmap_load() met a busy segment: try again */
		if (err == EAGAIN && !seg->fault_loaded)
			ret = VM_FAULT_NOPAGE;
	} else {
		u64 around = vmf->address & ~PMD_MASK;
		u64 start = uoff > around ? uoff - around : 0;

		err = devmap_load_vma(vmf->vma, dhp, start, start + PMD_SIZE,
				      true);
	}
	if (!err && seg->fault_loaded)
		ret = VM_FAULT_NOPAGE;
	seg->fault_vmf = NULL;
out:
	mutex_unlock(&seg->lock);
	return ret;
}

#if XX_HUGE_PFNMAP
/*
 * A PMD-sized fault (kernels with huge PFN maps): one PMD entry when the
 * 2 MiB page is one contiguous block of a handle without devmap_access(9E)
 * (see devmap_pmd_pfn()), else the fault falls back to pages.
 */
static vm_fault_t devmap_vma_huge_fault(struct vm_fault *vmf,
					xx_fault_order_t order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct devmap_seg *seg = vma->vm_private_data;
	u64 uoff = vma_uoff(vma) + ((vmf->address & PMD_MASK) - vma->vm_start);
	vm_fault_t ret = VM_FAULT_FALLBACK;
	unsigned long pfn;

	if (!seg || xx_fault_order(order) != PMD_SHIFT - PAGE_SHIFT ||
	    (vmf->address & PMD_MASK) < vma->vm_start)
		return VM_FAULT_FALLBACK;
	mutex_lock(&seg->lock);
	if (seg->revoked) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	pfn = devmap_pmd_pfn(vma, devmap_find_handle(seg, uoff), vmf->address);
	if (pfn && (vma->vm_flags & VM_PFNMAP))
		ret = xx_vmf_insert_pfn_pmd(vmf, pfn,
					    vma->vm_flags & VM_WRITE);
out:
	mutex_unlock(&seg->lock);
	return ret;
}
#endif

static const struct vm_operations_struct devmap_vm_ops = {
	.open = devmap_vma_open,
	.close = devmap_vma_close,
	.mremap = devmap_vma_mremap,
	.fault = devmap_vma_fault,
#if XX_HUGE_PFNMAP
	.huge_fault = devmap_vma_huge_fault,
#endif
};

/* ---- mmap ---- */

static bool devmap_has_access_cb(struct devmap_handle *dhp)
{
	return dhp->callbackops && dhp->callbackops->devmap_access;
}

/*
 * Load [@addr, @end) of @vma, a fresh PFN map, from @dhp (no translation
 * there yet).  Registers go in with io_remap_pfn_range(), all but the last
 * page: a remap of less than the whole VMA takes the memory type the
 * handle's devmap_regs reserved (x86 looks it up, as vmf_insert_pfn()
 * does) and ties no reservation to the VMA - one that revocation, zapping
 * without the VMA's mmap_lock, could not release safely.  The rest goes in
 * page by page with vmf_insert_pfn().
 */
static int devmap_prefault_pfns(struct vm_area_struct *vma,
				struct devmap_handle *dhp, unsigned long addr,
				unsigned long end)
{
	u64 off = vma_uoff(vma) + (addr - vma->vm_start);
	int err;

	if (dhp->type == DEVMAP_TYPE_DEVMEM && end - addr > PAGE_SIZE) {
		err = io_remap_pfn_range(vma, addr, dh_pfn(dhp, off),
					 end - PAGE_SIZE - addr,
					 vma->vm_page_prot);
		if (err)
			return err;
		off += end - PAGE_SIZE - addr;
		addr = end - PAGE_SIZE;
	}
	for (; addr < end; addr += PAGE_SIZE, off += PAGE_SIZE) {
		err = devmap_insert(vma, addr, dhp, off);
		if (err)
			return -err;
		cond_resched();
	}
	return 0;
}

/*
 * Load every handle that needs no devmap_access(9E): the mapping is
 * populated when mmap(2) returns.  Kernel memory in a page mapping goes in
 * by batches (vm_insert_pages()), PFN maps by devmap_prefault_pfns(),
 * except the 2 MiB pages that can be PMD entries: their first access maps
 * each whole (devmap_vma_huge_fault()).
 */
static int devmap_populate(struct vm_area_struct *vma, struct devmap_seg *seg)
{
	u64 base = vma_uoff(vma);
	struct devmap_handle *dhp;
	int err;

	list_for_each_entry(dhp, &seg->handles, link) {
		unsigned long addr = vma->vm_start + (dhp->uoff - base);
		unsigned long end = addr + dhp->len, run = addr;
		unsigned long left = btop(dhp->len);
		struct page **pages;

		if (dhp->type == DEVMAP_TYPE_NONE || dhp->invalid ||
		    devmap_has_access_cb(dhp))
			continue;
		if (vma->vm_flags & VM_PFNMAP) {
			/* runs of pages between the PMD-sized blocks */
			while (addr < end) {
				unsigned long next = min(end, (addr & PMD_MASK) +
							 PMD_SIZE);

				if (!devmap_pmd_pfn(vma, dhp, addr)) {
					addr = next;
					continue;
				}
				if (run < addr) {
					err = devmap_prefault_pfns(vma, dhp,
								   run, addr);
					if (err)
						return err;
				}
				addr = next;
				run = next;
			}
			if (run < end) {
				err = devmap_prefault_pfns(vma, dhp, run, end);
				if (err)
					return err;
			}
			continue;
		}
		pages = &dhp->cookie->pages[btop(dhp->koff)];
		while (left) {
			unsigned long num = left;

			err = vm_insert_pages(vma, addr, pages, &num);
			/* EFAULT: no memory for a page table (the range is ours) */
			if (err)
				return err == -EFAULT ? -ENOMEM : err;
			/* num is now the count of pages not inserted */
			addr += ptob(left - num);
			pages += left - num;
			left = num;
		}
	}
	return 0;
}

/*
 * Call devmap(9E) for successive handles until they cover @vma: Solaris'
 * devmap_setup() loop.
 */
static int devmap_make_handles(struct devmap_seg *seg,
			       struct vm_area_struct *vma)
{
	struct ddi_minor_node *mn = seg->mn;
	struct cb_ops *cb = mn->cb;
	uint_t prot = i_ddi_vma_prot(vma);
	model_t model = ddi_mmap_get_model();
	u64 off = vma_uoff(vma);
	size_t resid = vma->vm_end - vma->vm_start;

	while (resid) {
		struct devmap_handle *dhp;
		size_t maplen = 0;
		int ret;

		dhp = devmap_handle_alloc(GFP_KERNEL);
		if (!dhp)
			return -ENOMEM;
		dhp->seg = seg;
		dhp->dev = mn->dev;
		dhp->uoff = off;
		dhp->prot = prot;
		list_add_tail(&dhp->link, &seg->handles);

		ret = cb->cb_devmap(mn->dev, dhp, (offset_t)off, resid,
				    &maplen, model);
		if (ret)	/* protection, permission, memory errors stay */
			return (dhp->error == EACCES || dhp->error == EPERM ||
				dhp->error == ENOMEM) ? -dhp->error : -ENXIO;
		if (dhp->type == DEVMAP_TYPE_NONE)
			return -ENXIO;	/* devmap(9E) set nothing up */
		if (maplen == 0 || !PAGE_ALIGNED(maplen))
			return -EINVAL;
		dhp->len = min(maplen, resid);
		if (dhp->setup_len < dhp->len)
			return -EINVAL;	/* *maplen beyond what was set up */
		off += dhp->len;
		resid -= dhp->len;
	}
	return 0;
}

/* Can some 2 MiB page of @vma be one PMD entry (devmap_pmd_pfn())? */
static bool devmap_has_pmd(struct devmap_seg *seg, struct vm_area_struct *vma)
{
	unsigned long addr;

	if (!XX_HUGE_PFNMAP)
		return false;
	for (addr = ALIGN(vma->vm_start, PMD_SIZE);
	     addr < vma->vm_end && vma->vm_end - addr >= PMD_SIZE;
	     addr += PMD_SIZE) {
		u64 uoff = vma_uoff(vma) + (addr - vma->vm_start);

		if (devmap_pmd_pfn(vma, devmap_find_handle(seg, uoff), addr))
			return true;
	}
	return false;
}

/*
 * A mapping is kernel memory or device memory (VM_IO | VM_PFNMAP, one
 * caching mode), not both: Linux keeps one page protection per VMA.
 * Kernel memory is a page mapping (VM_MIXEDMAP: refcounted pages that
 * get_user_pages() can pin), unless the kernel has huge PFN maps and a
 * 2 MiB page of the mapping can be one PMD entry, or a handle maps pages
 * locked by ddi_umem_lock() (anonymous pages, which vm_insert_page()
 * refuses; the cookie keeps them pinned): then it is a PFN map (see
 * README, "Differences from Solaris").
 */
static int devmap_vma_kind(struct devmap_seg *seg, struct vm_area_struct *vma)
{
	struct devmap_handle *first, *dhp;

	first = list_first_entry(&seg->handles, struct devmap_handle, link);
	list_for_each_entry(dhp, &seg->handles, link)
		if (dhp->type != first->type || dhp->cache != first->cache)
			return -EINVAL;
	if (first->type == DEVMAP_TYPE_UMEM) {
		bool pfnmap = devmap_has_pmd(seg, vma);

		/* a process' pages (ddi_umem_lock) cannot be vm_insert_page'd */
		list_for_each_entry(dhp, &seg->handles, link)
			pfnmap |= dhp->cookie && dhp->cookie->locked;
		vm_flags_set(vma, pfnmap ? VM_PFNMAP : VM_MIXEDMAP);
		return 0;
	}
	vm_flags_set(vma, VM_IO | VM_PFNMAP);
	if (first->cache == DEVMAP_CACHE_WC)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	else if (first->cache == DEVMAP_CACHE_UC)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return 0;
}

/*
 * devmap_map(9E) for each handle, in order; if one fails, the handles
 * before it get devmap_unmap(9E) for their whole range.
 */
static int devmap_call_map(struct devmap_seg *seg, struct vm_area_struct *vma)
{
	uint_t flags = i_ddi_vma_maptype(vma);
	struct devmap_handle *dhp, *done;

	list_for_each_entry(dhp, &seg->handles, link) {
		struct devmap_callback_ctl *cb = dhp->callbackops;

		if (!cb || !cb->devmap_map)
			continue;
		if (cb->devmap_map(dhp, dhp->dev, flags, dhp->uoff, dhp->len,
				   &dhp->pvtp))
			goto unwind;
	}
	return 0;
unwind:
	list_for_each_entry(done, &seg->handles, link) {
		struct devmap_callback_ctl *cb = done->callbackops;

		if (done == dhp)
			break;
		if (cb && cb->devmap_unmap)
			cb->devmap_unmap(done, done->pvtp, done->uoff,
					 done->len, NULL, NULL, NULL, NULL);
	}
	return -ENXIO;
}

/**
 * i_devmap_setup_vma() - map a node's memory into @vma through devmap(9E)
 * @mn:  the minor node being mapped
 * @vma: the new mapping (mmap_lock held for writing)
 *
 * Only shared mappings are possible: exported memory is never copied on
 * write.  The mapping's VM_MAY* bits are narrowed to the handles' maxprot
 * so that a later mprotect() cannot exceed it.  A fork's child faults its
 * translations in (VM_WIPEONFORK: no page table copy), as on Solaris where
 * segdev_dup copies none.
 *
 * Return: 0, or -ENODEV (no devmap(9E)), -EINVAL (not MAP_SHARED, bad
 * *maplen), -EACCES (protection beyond maxprot), -ENXIO (devmap(9E) or
 * devmap_map(9E) failed), -ENOMEM, or an error from inserting the pages.
 */
int i_devmap_setup_vma(struct ddi_minor_node *mn, struct vm_area_struct *vma)
{
	struct cb_ops *cb = mn->cb;
	struct devmap_handle *dhp;
	struct devmap_seg *seg;
	uint_t maxprot = PROT_ALL;
	int err;

	if (!cb->cb_devmap)
		return -ENODEV;
	if (i_ddi_vma_maptype(vma) != MAP_SHARED)
		return -EINVAL;

	seg = devmap_seg_alloc(mn, vma);
	if (!seg)
		return -ENOMEM;
	err = devmap_make_handles(seg, vma);
	if (err)
		goto fail;

	err = devmap_vma_kind(seg, vma);
	if (err)
		goto fail;
	list_for_each_entry(dhp, &seg->handles, link)
		maxprot &= dhp->maxprot;
	if (!(maxprot & PROT_READ))
		vm_flags_clear(vma, VM_MAYREAD);
	if (!(maxprot & PROT_WRITE))
		vm_flags_clear(vma, VM_MAYWRITE);
	if (!(maxprot & PROT_EXEC))
		vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_WIPEONFORK);

	err = devmap_call_map(seg, vma);
	if (err)
		goto fail;
	err = devmap_populate(vma, seg);
	if (err) {
		/*
		 * mmap_region() would zap what was inserted, but only after
		 * the handles (and what they hold) are gone; tell the driver.
		 */
		if (vma->vm_flags & VM_PFNMAP)
			zap_special_vma_range(vma, vma->vm_start,
					      vma->vm_end - vma->vm_start);
		mutex_lock(&seg->lock);
		devmap_seg_unmap(seg, vma_uoff(vma),
				 vma_uoff(vma) + vma->vm_end - vma->vm_start);
		mutex_unlock(&seg->lock);
		goto fail;
	}

	vma->vm_private_data = seg;
	vma->vm_ops = &devmap_vm_ops;
	atomic_long_inc(&xxddi_stats.vmas);
	return 0;
fail:
	devmap_seg_put(seg);
	return err;
}

/* Map [@phys, @phys + @len) of registers into the kernel with @cache. */
static struct devmap_regs *devmap_regs_map(resource_size_t phys, size_t len,
					   int cache)
{
	struct devmap_regs *regs = kzalloc(sizeof(*regs), GFP_KERNEL);

	if (!regs)
		return NULL;
	kref_init(&regs->ref);
	regs->va = cache == DEVMAP_CACHE_WC ? ioremap_wc(phys, len) :
					      ioremap(phys, len);
	if (!regs->va) {
		kfree(regs);
		return NULL;
	}
	atomic_long_inc(&xxddi_stats.regmaps);
	return regs;
}

/*
 * Check register set @rnumber, [@roff, @roff + @len), @maxprot and
 * @accattrp for @dhp, as devmap_devmem_setup(9F) takes them: the physical
 * address and the DEVMAP_CACHE_* caching, or a positive errno.
 */
static int devmem_resolve(struct devmap_handle *dhp, dev_info_t *dip,
			  uint_t rnumber, offset_t roff, size_t len,
			  uint_t maxprot, ddi_device_acc_attr_t *accattrp,
			  resource_size_t *physp, int *cachep)
{
	uchar_t order = accattrp ? accattrp->devacc_attr_dataorder :
				   DDI_STRICTORDER_ACC;
	struct resource *r;
	resource_size_t size;

	if (order > DDI_STORECACHING_OK_ACC || roff < 0 ||
	    !PAGE_ALIGNED(roff) || len == 0 || !PAGE_ALIGNED(len))
		return EINVAL;
	if (i_ddi_reg_resource(dip, rnumber, &r) != DDI_SUCCESS ||
	    (r->flags & IORESOURCE_IO))
		return EINVAL;
	size = r->flags ? resource_size(r) : 0;
	if (size && !PAGE_ALIGNED(size)) {
		if (!i_ddi_reg_page_exclusive(r))
			return ENXIO;
		size = PAGE_ALIGN(size);
	}
	if ((u64)roff >= size || len > size - roff ||
	    !PAGE_ALIGNED(r->start))
		return ENXIO;
	if ((dhp->prot & maxprot) != dhp->prot)
		return EACCES;
	if (!capable(CAP_SYS_RAWIO) ||
	    security_locked_down(LOCKDOWN_PCI_ACCESS))
		return EPERM;
	if (order == DDI_MERGING_OK_ACC || order == DDI_LOADCACHING_OK_ACC) {
		if (!(r->flags & IORESOURCE_PREFETCH))
			return EINVAL;
		*cachep = DEVMAP_CACHE_WC;
	} else if (order == DDI_STRICTORDER_ACC) {
		*cachep = DEVMAP_CACHE_UC;
	} else {
		*cachep = (r->flags & IORESOURCE_PREFETCH) ?
			  DEVMAP_CACHE_WC : DEVMAP_CACHE_UC;
	}
	*physp = r->start + roff;
	return 0;
}

/**
 * devmap_devmem_setup() - export device memory (registers) through a devmap
 * handle (devmap_devmem_setup(9F))
 * @dhc:         the handle devmap(9E) was given
 * @dip:         the device (a PCI instance)
 * @callbackops: devmap_callback_ctl(9S), or NULL
 * @rnumber:     register set, 1, 2, ...: the implemented BARs in order (see
 *               ddi_regs_map_setup())
 * @roff:        byte offset in the register set; page aligned
 * @len:         bytes; page aligned (a register set smaller than a page may
 *               be mapped as one whole page if no other device register
 *               lies in that page)
 * @maxprot:     the highest protection user mappings may have
 * @flags:       DEVMAP_DEFAULTS, or DEVMAP_ALLOW_REMAP with optional
 *               DEVMAP_MAPPING_INVALID
 * @accattrp:    access attributes; the data order selects the caching:
 *               DDI_STRICTORDER_ACC (or NULL) uncached;
 *               DDI_MERGING_OK_ACC and DDI_LOADCACHING_OK_ACC
 *               write-combining; DDI_UNORDERED_OK_ACC and
 *               DDI_STORECACHING_OK_ACC write-combining on prefetchable
 *               memory and uncached otherwise (Linux never maps MMIO
 *               write-back)
 *
 * Mapping device memory needs CAP_SYS_RAWIO, as the PCI sysfs resource
 * files and /dev/mem do, and is refused under kernel lockdown.  Device
 * memory mappings are shared only, VM_IO | VM_PFNMAP, never copied on
 * write.  The handle maps the registers into the kernel as
 * ddi_regs_map_setup() does (ioremap() or ioremap_wc()), which reserves
 * their memory type (x86 PAT) for as long as user translations of them may
 * exist; the translations take that memory type - handles without
 * devmap_access are loaded at mmap(2) time (a partial io_remap_pfn_range()
 * and vmf_insert_pfn()), or with 2 MiB PMD entries at first access where
 * the kernel has huge PFN maps; the others at fault time.  Unlike a
 * whole-VMA io_remap_pfn_range(), whose reservation belongs to the VMA,
 * this lets the mapping be split and lets detach revoke it at any time.
 *
 * Context: process context, from devmap(9E) (mmap_lock held).
 * Return: 0, or -1 (DDI_FAILURE), as on Solaris.  The reason is kept in
 * the handle, and mmap(2) fails with it where Linux has a more specific
 * errno than Solaris' ENXIO: EACCES (protection beyond @maxprot), EPERM
 * (no CAP_SYS_RAWIO, or lockdown), ENOMEM (no memory for the kernel
 * mapping); else ENXIO (bad handle or arguments, unaligned @roff/@len, a
 * configuration space or I/O port register set, write-combining on
 * non-prefetchable memory, @roff + @len beyond the register set, an absent
 * register set, or a page shared with another device's registers -
 * illumos does not check this).
 */
int devmap_devmem_setup(devmap_cookie_t dhc, dev_info_t *dip,
			struct devmap_callback_ctl *callbackops,
			uint_t rnumber, offset_t roff, size_t len,
			uint_t maxprot, uint_t flags,
			ddi_device_acc_attr_t *accattrp)
{
	struct devmap_handle *dhp = dhc;
	resource_size_t phys;
	int cache, err = EINVAL;

	if (!dhp)
		return DDI_FAILURE;
	if (dhp->type != DEVMAP_TYPE_NONE ||
	    (callbackops && callbackops->devmap_rev != DEVMAP_OPS_REV) ||
	    (flags & ~DEVMAP_SETUP_FLAGS) ||
	    ((flags & DEVMAP_MAPPING_INVALID) &&
	     !(flags & DEVMAP_ALLOW_REMAP)))
		goto out;
	err = devmem_resolve(dhp, dip, rnumber, roff, len, maxprot, accattrp,
			     &phys, &cache);
	if (err)
		goto out;
	err = ENOMEM;
	dhp->regs = devmap_regs_map(phys, len, cache);
	if (!dhp->regs)
		goto out;
	dhp->cache = cache;
	dhp->pfn = PHYS_PFN(phys);
	dhp->invalid = flags & DEVMAP_MAPPING_INVALID;
	dhp->setup_len = len;
	dhp->maxprot = maxprot;
	dhp->flags = flags;
	dhp->callbackops = callbackops;
	dhp->dip = dip;
	dhp->type = DEVMAP_TYPE_DEVMEM;
	return DDI_SUCCESS;
out:
	dhp->error = err;
	return DDI_FAILURE;
}

/**
 * devmap_devmem_remap() - point a device memory handle at other registers,
 * or revoke its access (devmap_devmem_remap(9F))
 * @dhc:      a handle set up by devmap_devmem_setup() with
 *            DEVMAP_ALLOW_REMAP
 * @dip:      the device
 * @rnumber:  register set, 1, 2, ...: the implemented BARs in order
 * @roff:     byte offset in the register set; page aligned
 * @len:      bytes; page aligned, at least the handle's length
 * @maxprot:  the highest protection; must still allow the mapping's
 * @flags:    0, or DEVMAP_MAPPING_INVALID: the handle maps nothing from
 *            now on (@rnumber, @roff, @len and @accattrp are ignored) and
 *            every access to it gets SIGBUS, until a later remap without
 *            the flag - what hermon and tavor do in devmap_dup(9E) to
 *            keep a fork child off the parent's registers
 * @accattrp: access attributes, as for devmap_devmem_setup(); the caching
 *            they select must be the handle's (a mapping has one)
 *
 * Every translation of the handle's range is unloaded first (in every
 * process: Linux zaps by file range, see devmap_unload()), so the next
 * access loads the new registers or finds the handle invalid.
 *
 * Context: process context, may sleep; from devmap(9E)'s callbacks
 * (devmap_access(9E), devmap_dup(9E)) or a context management function,
 * which serialise it with the handle's faults.
 * Return: 0, or -1 (DDI_FAILURE), as on Solaris: not a device memory
 * handle, no DEVMAP_ALLOW_REMAP, other @flags, a protection beyond
 * @maxprot, or any reason devmap_devmem_setup() would refuse the range;
 * the handle is unchanged then.
 */
int devmap_devmem_remap(devmap_cookie_t dhc, dev_info_t *dip,
			uint_t rnumber, offset_t roff, size_t len,
			uint_t maxprot, uint_t flags,
			ddi_device_acc_attr_t *accattrp)
{
	struct devmap_handle *dhp = dhc;
	struct devmap_regs *regs, *old;
	resource_size_t phys;
	int cache;

	if (!dhp || dhp->type != DEVMAP_TYPE_DEVMEM ||
	    !(dhp->flags & DEVMAP_ALLOW_REMAP) ||
	    (flags & ~DEVMAP_MAPPING_INVALID) ||
	    (dhp->prot & maxprot) != dhp->prot)
		return DDI_FAILURE;
	if (flags & DEVMAP_MAPPING_INVALID) {
		WRITE_ONCE(dhp->invalid, true);
		devmap_unload(dhp, dhp->uoff, 0);
		dhp->maxprot = maxprot;
		return DDI_SUCCESS;
	}
	if (len < dhp->len ||
	    devmem_resolve(dhp, dip, rnumber, roff, len, maxprot, accattrp,
			   &phys, &cache) || cache != dhp->cache)
		return DDI_FAILURE;
	regs = devmap_regs_map(phys, len, cache);
	if (!regs)
		return DDI_FAILURE;
	devmap_unload(dhp, dhp->uoff, 0);
	old = dhp->regs;
	dhp->regs = regs;
	dhp->pfn = PHYS_PFN(phys);
	dhp->maxprot = maxprot;
	WRITE_ONCE(dhp->invalid, false);
	if (old)
		kref_put(&old->ref, devmap_regs_release);
	return DDI_SUCCESS;
}

/*
 * A segment of @mn not yet in revocation state @state, with a reference,
 * or NULL.
 */
static struct devmap_seg *devmap_next_seg(struct ddi_minor_node *mn,
					  int state)
{
	struct devmap_seg *seg;

	mutex_lock(&mn->seg_lock);
	list_for_each_entry(seg, &mn->segs, mn_link) {
		if (READ_ONCE(seg->revoked) < state &&
		    kref_get_unless_zero(&seg->ref)) {
			mutex_unlock(&mn->seg_lock);
			return seg;
		}
	}
	mutex_unlock(&mn->seg_lock);
	return NULL;
}

/**
 * i_devmap_revoke() - the node's device is going away: unmap everything
 * @mn: the minor node, being removed (detach)
 *
 * No translation is loaded any more and later accesses get SIGBUS; every
 * translation is removed; then every handle of every mapping of the node
 * gets devmap_unmap(9E), while the driver is still attached, and is freed
 * (in this order, as a PFN map's translations hold nothing): no process
 * keeps a mapping of memory or registers the driver is about to release.
 *
 * Context: process context, may sleep; mn->gone is set.
 */
void i_devmap_revoke(struct ddi_minor_node *mn)
{
	struct devmap_seg *seg;

	while ((seg = devmap_next_seg(mn, DEVMAP_REVOKED))) {
		mutex_lock(&seg->lock);		/* waits for a fault */
		WRITE_ONCE(seg->revoked, DEVMAP_REVOKED);
		mutex_unlock(&seg->lock);
		devmap_seg_put(seg);
	}
	if (mn->inode)
		unmap_mapping_range(mn->inode->i_mapping, 0, 0, 1);
	while ((seg = devmap_next_seg(mn, DEVMAP_RELEASED))) {
		mutex_lock(&seg->lock);
		devmap_seg_unmap(seg, 0, U64_MAX);
		WRITE_ONCE(seg->revoked, DEVMAP_RELEASED);
		mutex_unlock(&seg->lock);
		devmap_seg_put(seg);
	}
}

/**
 * devmap_setup() - map device memory through devmap(9E), from segmap(9E)
 * (devmap_setup(9F))
 * @dev:     the device
 * @off:     device (user) offset: segmap(9E)'s @off
 * @as:      segmap(9E)'s address space argument
 * @addrp:   segmap(9E)'s address argument (the mapping's address)
 * @len:     bytes: segmap(9E)'s @len
 * @prot:    segmap(9E)'s protection
 * @maxprot: segmap(9E)'s maximum protection
 * @flags:   segmap(9E)'s MAP_* flags
 * @cred:    segmap(9E)'s credentials
 *
 * On Linux mmap(2) has created the mapping before segmap(9E) runs; the
 * arguments must describe it (as segmap passes them through).
 *
 * Context: segmap(9E), mmap_lock held, may sleep.
 * Return: 0 or a positive errno, as the mmap(2) of i_devmap_setup_vma()
 * would fail; EINVAL if the arguments do not match the mapping.
 */
int devmap_setup(dev_t dev, offset_t off, struct as *as, caddr_t *addrp,
		 size_t len, uint_t prot, uint_t maxprot, uint_t flags,
		 struct cred *cred)
{
	struct vm_area_struct *vma = as ? as->a_vma : NULL;

	if (!vma || off < 0 || (u64)off != vma_uoff(vma) ||
	    len != vma->vm_end - vma->vm_start ||
	    dev != as->a_mn->dev)
		return EINVAL;
	return -i_devmap_setup_vma(as->a_mn, vma);
}

/**
 * ddi_devmap_segmap() - devmap_setup() with segmap(9E)'s argument types
 * (ddi_devmap_segmap(9F))
 * @dev:     the device
 * @off:     device offset
 * @as:      segmap(9E)'s address space argument
 * @addrp:   segmap(9E)'s address argument
 * @len:     bytes
 * @prot:    protection
 * @maxprot: maximum protection
 * @flags:   MAP_* flags
 * @cred:    credentials
 *
 * Context: segmap(9E), may sleep.
 * Return: as devmap_setup().
 */
int ddi_devmap_segmap(dev_t dev, off_t off, struct as *as, caddr_t *addrp,
		      off_t len, uint_t prot, uint_t maxprot, uint_t flags,
		      struct cred *cred)
{
	if (len < 0)
		return EINVAL;
	return devmap_setup(dev, off, as, addrp, len, prot, maxprot, flags,
			    cred);
}
