// SPDX-License-Identifier: GPL-2.0
/*
 * devmap(9E) segments: the handles of one mmap(2) (struct devmap_seg, made
 * by the devmap_setup loop in devmap_setup.c), how their translations are
 * loaded and removed, the vm_operations of a devmap mapping and the
 * revocation of a node's mappings when it is removed.
 *
 * Handles without a devmap_access(9E) callback are loaded at mmap time
 * (i_devmap_populate(): kernel memory in batches with vm_insert_pages(),
 * registers in one pass over the page tables), so the mapping is
 * populated when mmap(2) returns - except, on kernels with huge PFN maps,
 * the 2 MiB blocks that one PMD entry can map (and the 1 GiB blocks of one
 * PUD entry, where PFN maps have them), which are mapped at their first
 * access (.huge_fault); the others are loaded at fault time through
 * devmap_access, which calls devmap_load(9F), as on Solaris.
 * devmap_unload(9F) removes translations; .open, .close and .mremap keep
 * the handles in step with fork(2), munmap(2) and mremap(2).
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
 * mn->seg_lock (a node's list of segments), i_devmap_faults_lock (the
 * faults being served, for devmap_load() of another segment) and
 * i_devmap_regs_lock (devmem.c's shared register memory types, taken when
 * a devmem handle is set up, remapped or freed) are leaves: nothing else
 * of xxddi's is taken under them (the last makes and frees memory type
 * reservations under it).  A second segment's lock is only ever
 * tried (mutex_trylock) while one is held.  Entry points run inside an
 * SRCU read section of i_ddi_node_srcu, which ddi_remove_minor_node() waits
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
#include "kernel_shims.h"

/* ---- handles and segments ---- */

static __ddi_hot u64 dh_end(struct devmap_handle *dhp)
{
	return dhp->uoff + dhp->len;
}

/*
 * Free a handle.  Its translations must be gone: with a PFN map nothing
 * else keeps the memory or the registers' memory type.
 */
static __ddi_hot void i_devmap_handle_free(struct devmap_handle *dhp)
{
	list_del(&dhp->link);
	i_devmap_ctx_forget(dhp);
	if (dhp->cookie)
		i_ddi_umem_rele(dhp->cookie);
	if (dhp->regs)
		i_devmap_regs_rele(dhp->regs);
	if (dhp != &dhp->seg->first)
		kfree(dhp);
	atomic_long_dec(&xxddi_stats.handles);
}

/**
 * i_devmap_handle_alloc() - a new, empty devmap handle (counted in
 * xxddi_stats)
 * @seg: the new segment the handle is for: its first handle is the one
 *       embedded in it (zeroed with it); NULL, or a later handle: allocated
 * @gfp: allocation flags
 *
 * Return: the handle, zeroed, or NULL.
 */
__ddi_hot struct devmap_handle *i_devmap_handle_alloc(struct devmap_seg *seg,
						      gfp_t gfp)
{
	struct devmap_handle *dhp;

	if (seg && !seg->first_taken) {
		seg->first_taken = true;
		dhp = &seg->first;
	} else {
		dhp = kzalloc(sizeof(*dhp), gfp);
		if (!dhp)
			return NULL;
	}
	atomic_long_inc(&xxddi_stats.handles);
	return dhp;
}

/**
 * i_devmap_seg_alloc() - a new devmap segment for an mmap(2) of a node
 * @mn:  the node (the segment holds a reference on it)
 * @vma: the new mapping
 *
 * The segment is on @mn's list (for revocation), with one reference and no
 * handles.
 *
 * Context: process context, may sleep; takes mn->seg_lock.
 * Return: the segment, or NULL.
 */
__ddi_hot struct devmap_seg *i_devmap_seg_alloc(struct ddi_minor_node *mn,
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

static __ddi_hot void i_devmap_seg_release(struct kref *ref)
{
	struct devmap_seg *seg = container_of(ref, struct devmap_seg, ref);
	struct devmap_handle *dhp, *tmp;

	mutex_lock(&seg->mn->seg_lock);
	list_del(&seg->mn_link);
	mutex_unlock(&seg->mn->seg_lock);
	list_for_each_entry_safe(dhp, tmp, &seg->handles, link)
		i_devmap_handle_free(dhp);
	i_ddi_minor_rele(seg->mn);
	mutex_destroy(&seg->lock);
	kfree(seg);
	atomic_long_dec(&xxddi_stats.segs);
}

/**
 * i_devmap_seg_put() - drop a reference on a segment
 * @seg: the segment; freed with its handles with the last reference
 *
 * Context: process context, may sleep; seg->lock not held.
 */
__ddi_hot void i_devmap_seg_put(struct devmap_seg *seg)
{
	kref_put(&seg->ref, i_devmap_seg_release);
}

static struct devmap_handle *i_devmap_find_handle(struct devmap_seg *seg,
						  u64 uoff)
{
	struct devmap_handle *dhp;

	list_for_each_entry(dhp, &seg->handles, link)
		if (uoff >= dhp->uoff && uoff < dh_end(dhp))
			return dhp;
	return NULL;
}

/* A copy of @dhp for [@start, @end) of its range, or NULL. */
static struct devmap_handle *i_devmap_handle_clone(struct devmap_handle *dhp,
						   u64 start, u64 end, gfp_t gfp)
{
	struct devmap_handle *n = i_devmap_handle_alloc(NULL, gfp);

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
static void i_devmap_handle_trim_head(struct devmap_handle *dhp, u64 start)
{
	dhp->koff += start - dhp->uoff;
	if (dhp->type == DEVMAP_TYPE_DEVMEM)
		dhp->pfn += btop(start - dhp->uoff);
	dhp->len -= start - dhp->uoff;
	dhp->uoff = start;
}

/**
 * i_devmap_seg_unmap() - a range of a segment is no longer mapped
 * @seg:   the segment (seg->lock held)
 * @start: first user offset of the range
 * @end:   user offset just past the range
 *
 * Tell the driver (devmap_unmap(9E), in Solaris' four shapes) and trim,
 * split or free the handles.
 *
 * Context: process context, may sleep.
 */
__ddi_hot void i_devmap_seg_unmap(struct devmap_seg *seg, u64 start, u64 end)
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
			rest = i_devmap_handle_clone(dhp, e, dh_end(dhp),
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
			i_devmap_handle_trim_head(dhp, e);
		else
			i_devmap_handle_free(dhp);
	}
}

/* ---- translations ---- */

/* The page frame behind user offset @off of @dhp (inside the handle). */
static __ddi_hot unsigned long dh_pfn(struct devmap_handle *dhp, u64 off)
{
	if (dhp->type == DEVMAP_TYPE_DEVMEM)
		return dhp->pfn + btop(off - dhp->uoff);
	return page_to_pfn(dhp->cookie->pages[btop(dhp->koff +
						   (off - dhp->uoff))]);
}

/* Map the page at user offset @off of @dhp at @addr of @vma. */
static int i_devmap_insert(struct vm_area_struct *vma, unsigned long addr,
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
static int i_devmap_load_vma(struct vm_area_struct *vma,
			     struct devmap_handle *dhp, u64 start, u64 end,
			   bool fault)
{
	struct devmap_seg *seg = dhp->seg;
	u64 vstart = i_vma_uoff(vma), vend = vstart + vma->vm_end - vma->vm_start;
	u64 off;
	int err;

	if (dhp->type == DEVMAP_TYPE_NONE || dhp->invalid)
		return EINVAL;
	start = max3(start, vstart, dhp->uoff);
	end = min3(end, vend, dh_end(dhp));
	for (off = start; off < end; off += PAGE_SIZE) {
		err = i_devmap_insert(vma, vma->vm_start + (off - vstart), dhp,
				      off);
		if (err)
			return err;
		if (fault && off == (u64)seg->fault_vmf->pgoff << PAGE_SHIFT)
			seg->fault_loaded = true;
	}
	return 0;
}

/*
 * The @size-aligned frame that maps the @size page of @vma at @addr (@size
 * is PMD_SIZE or PUD_SIZE), if that page can be one huge entry: @vma
 * covers it, it lies inside one handle that is loaded without
 * devmap_access(9E), and that handle's memory there is one @size-aligned,
 * physically contiguous block.  0 otherwise.
 */
static __ddi_hot unsigned long i_devmap_huge_pfn(struct vm_area_struct *vma,
						 struct devmap_handle *dhp,
						 unsigned long addr,
						 unsigned long size)
{
	unsigned long haddr = addr & ~(size - 1), pfn, i;
	u64 off;

	if (!XX_HUGE_PFNMAP || haddr < vma->vm_start ||
	    vma->vm_end - haddr < size || !dhp || dhp->invalid ||
	    dhp->type == DEVMAP_TYPE_NONE ||
	    (dhp->flags & DEVMAP_USE_PAGESIZE) ||
	    (dhp->callbackops && dhp->callbackops->devmap_access))
		return 0;
	off = i_vma_uoff(vma) + (haddr - vma->vm_start);
	if (off < dhp->uoff || dh_end(dhp) - off < size)
		return 0;
	pfn = dh_pfn(dhp, off);
	if (!IS_ALIGNED(pfn, size >> PAGE_SHIFT))
		return 0;
	if (dhp->type == DEVMAP_TYPE_UMEM)
		for (i = 1; i < size >> PAGE_SHIFT; i++)
			if (dh_pfn(dhp, off + ptob(i)) != pfn + i)
				return 0;
	return pfn;
}

/* i_devmap_huge_pfn() for a 2 MiB page (a PMD entry). */
static __ddi_hot unsigned long i_devmap_pmd_pfn(struct vm_area_struct *vma,
						struct devmap_handle *dhp,
						unsigned long addr)
{
	return i_devmap_huge_pfn(vma, dhp, addr, PMD_SIZE);
}

/*
 * Resolve a devmap_load/unload range: @off is a user offset inside the
 * handle (rounded down to a page), @len 0 means to the end of the handle.
 */
static int i_devmap_range(struct devmap_handle *dhp, offset_t off, size_t len,
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

static LIST_HEAD(i_devmap_faults);
static DEFINE_SPINLOCK(i_devmap_faults_lock);

static void i_devmap_fault_enter(struct devmap_fault *f, struct devmap_seg *seg)
{
	f->task = current;
	f->seg = seg;
	spin_lock(&i_devmap_faults_lock);
	list_add(&f->link, &i_devmap_faults);
	spin_unlock(&i_devmap_faults_lock);
}

static void i_devmap_fault_exit(struct devmap_fault *f)
{
	spin_lock(&i_devmap_faults_lock);
	list_del(&f->link);
	spin_unlock(&i_devmap_faults_lock);
}

/* The segment whose fault the current task serves, or NULL. */
static struct devmap_seg *i_devmap_fault_seg(void)
{
	struct devmap_seg *seg = NULL;
	struct devmap_fault *f;

	spin_lock(&i_devmap_faults_lock);
	list_for_each_entry(f, &i_devmap_faults, link)
		if (f->task == current)
			seg = f->seg;
	spin_unlock(&i_devmap_faults_lock);
	return seg;
}

/*
 * devmap_load() of @dhp, a handle of another segment of the process whose
 * fault devmap_access(9E) is serving: load it into each VMA of its
 * segment.  The caller holds the faulting segment's lock, so this one is
 * only tried (EAGAIN: the fault is retried).
 */
static int i_devmap_load_other(struct devmap_handle *dhp, offset_t off,
			       size_t len)
{
	struct devmap_seg *seg = dhp->seg;
	struct vm_area_struct *vma;
	u64 start, end;
	int err;

	/*
	 * i_devmap_vma_fault() runs under the mmap lock (a .fault without
	 * .map_pages is retried there when it met only the VMA lock).  Not
	 * mmap_assert_locked(): with CONFIG_DEBUG_VM it calls dump_mm(),
	 * which 6.1 does not export to modules.
	 */
	lockdep_assert_held(&current->mm->mmap_lock);
	if (!mutex_trylock(&seg->lock))
		return EAGAIN;
	err = seg->revoked ? EINVAL : i_devmap_range(dhp, off, len, &start, &end);
	if (!err) {
		VMA_ITERATOR(vmi, current->mm, 0);

		for_each_vma(vmi, vma) {
			if (vma->vm_ops != &i_devmap_vm_ops ||
			    vma->vm_private_data != seg)
				continue;
			err = i_devmap_load_vma(vma, dhp, start, end, false);
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
	struct devmap_seg *fseg = i_devmap_fault_seg();
	u64 start, end;
	int err;

	if (!seg || !fseg || seg->mm != current->mm)
		return EINVAL;
	if (seg != fseg)
		return i_devmap_load_other(dhp, off, len);
	lockdep_assert_held(&seg->lock);
	err = i_devmap_range(dhp, off, len, &start, &end);
	if (err)
		return err;
	return i_devmap_load_vma(seg->fault_vmf->vma, dhp, start, end, true);
}

/**
 * devmap_unload() - remove translations of a handle (devmap_unload(9F))
 * @dhc: the handle; may belong to another process
 * @off: user offset inside the handle; rounded down to a page
 * @len: bytes; 0 means to the end of the handle
 *
 * The next access to the range faults and goes through devmap_access(9E)
 * again.  As on illumos, only the handle's process loses translations:
 * Linux removes them by file range, and each open file of a node has an
 * address_space of its own, so the range is unloaded in the mappings made
 * through the open file @dhc was mapped with - its process', and a fork
 * child's that inherited the file (see README, "Differences from
 * Solaris"); mappings without devmap_access simply fault back in.  (A
 * mapping whose handles have no callbacks shares the file mmap(2) was
 * called on, see i_devmap_needs_own_file().)
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
	err = i_devmap_range(dhp, off, len, &start, &end);
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

/* ---- loading at mmap time ---- */

static __ddi_hot bool i_devmap_has_access_cb(struct devmap_handle *dhp)
{
	return dhp->callbackops && dhp->callbackops->devmap_access;
}

/*
 * A register range being loaded by apply_to_page_range(), with its first
 * page's protection: either the first page is in already (@from_first)
 * and its protection is read from its entry, or @prot is given.
 */
struct devmap_fill {
	struct mm_struct *mm;
	unsigned long addr;	/* the first page's user address */
	unsigned long end;	/* the end of the run being filled */
	unsigned long pfn;	/* the first page's frame */
	pgprot_t prot;		/* the protection of every entry */
	pgprot_t own;		/* the mapping's protection */
	bool from_first;	/* read @prot from the first page's entry */
	bool own_ok;		/* that entry is made with @own */
};

/* i_devmap_fill_ptes() filled the run: apply_to_page_range() stops there */
#define I_DEVMAP_FILLED	1

/*
 * Called once per run of @fill (at most one page table's worth): @pte is
 * the entry of @addr, the run's first page, in a page table that holds the
 * whole run, and apply_to_page_range() holds its lock.  Fill every entry
 * of the run here rather than one per call: the per-entry indirect call is
 * most of the cost of a large register mapping's mmap.
 */
static __ddi_hot int i_devmap_fill_ptes(pte_t *pte, unsigned long addr,
					void *data)
{
	struct devmap_fill *fill = data;
	unsigned long pfn = fill->pfn + ((addr - fill->addr) >> PAGE_SHIFT);
	unsigned long end = fill->end;
	struct mm_struct *mm = fill->mm;
	pgprot_t prot;

	if (fill->from_first && addr == fill->addr) {
		pte_t old = ptep_get(pte);
		pte_t own = pte_mkspecial(pfn_pte(pfn, fill->own));

		if (pte_none(old))
			return -EINVAL;
		fill->prot = pte_pgprot(old);
		fill->own_ok = pte_same(old, own);
		addr += PAGE_SIZE;
		pte++;
		pfn++;
	}
	prot = fill->prot;
	for (; addr < end; addr += PAGE_SIZE, pte++, pfn++) {
		if (!pte_none(ptep_get(pte)))
			return -EBUSY;
		set_pte_at(mm, addr, pte, pte_mkspecial(pfn_pte(pfn, prot)));
	}
	return I_DEVMAP_FILLED;
}

/*
 * Load [@addr, @end) of @vma, a fresh PFN map, from @dhp (no translation
 * there yet).  Kernel memory goes in page by page with vmf_insert_pfn().
 * Registers take the memory type the PAT holds for them (on x86: the one
 * the handle's devmap_regs reserved over the register set, with which
 * every other reservation overlapping it agrees - the PAT refuses or
 * adapts to a conflicting one).  The first mapping of a reservation loads
 * its first page with vmf_insert_pfn(), which looks that type up, and the
 * other pages with that page's protection; where the entry it made is the
 * one the mapping's own protection makes (the reservation has the type
 * asked for: devmap_regs.prot_ok), later mappings of that reservation
 * load every page with their own protection.  Either way one pass over the
 * page tables (apply_to_page_range(), as i915 fills its aperture) writes
 * the entries: that neither looks the memory type up per page, as a
 * partial io_remap_pfn_range() or vmf_insert_pfn() does, nor ties a
 * reservation to the VMA, as a whole-VMA io_remap_pfn_range() does - one
 * that revocation, zapping without the VMA's mmap_lock, could not release
 * safely.
 */
static __ddi_hot int i_devmap_prefault_pfns(struct vm_area_struct *vma,
					    struct devmap_handle *dhp,
					    unsigned long addr,
					    unsigned long end)
{
	u64 off = i_vma_uoff(vma) + (addr - vma->vm_start);
	struct devmap_fill fill = {
		.mm = vma->vm_mm,
		.addr = addr,
		.pfn = dh_pfn(dhp, off),
		.prot = vma->vm_page_prot,
		.own = vma->vm_page_prot,
	};
	unsigned long next;
	int err;

	if (dhp->type != DEVMAP_TYPE_DEVMEM) {
		for (; addr < end; addr += PAGE_SIZE, off += PAGE_SIZE) {
			err = i_devmap_insert(vma, addr, dhp, off);
			if (err)
				return -err;
			cond_resched();
		}
		return 0;
	}
	if (!READ_ONCE(dhp->regs->prot_ok)) {
		err = i_devmap_insert(vma, addr, dhp, off);
		if (err)
			return -err;
		fill.from_first = true;
	}
	for (; addr < end; addr = next) {	/* by page table */
		next = min(end, (addr & PMD_MASK) + PMD_SIZE);
		fill.end = next;
		err = apply_to_page_range(vma->vm_mm, addr, next - addr,
					  i_devmap_fill_ptes, &fill);
		if (err != I_DEVMAP_FILLED)
			return err ? err : -EFAULT;
		if (next < end)
			cond_resched();
	}
	if (fill.from_first && fill.own_ok)
		WRITE_ONCE(dhp->regs->prot_ok, true);
	return 0;
}

/**
 * i_devmap_populate() - load a new mapping's handles at mmap time
 * @vma: the new mapping
 * @seg: its segment
 *
 * Load every handle that needs no devmap_access(9E): the mapping is
 * populated when mmap(2) returns.  Kernel memory in a page mapping goes in
 * by batches (vm_insert_pages()), PFN maps by i_devmap_prefault_pfns(),
 * except the 2 MiB pages that can be PMD entries: their first access maps
 * each whole (i_devmap_vma_huge_fault()).
 *
 * Context: mmap(2), mmap_lock held for writing, may sleep.
 * Return: 0 or a negative errno.
 */
__ddi_hot int i_devmap_populate(struct vm_area_struct *vma,
				struct devmap_seg *seg)
{
	u64 base = i_vma_uoff(vma);
	struct devmap_handle *dhp;
	int err;

	list_for_each_entry(dhp, &seg->handles, link) {
		unsigned long addr = vma->vm_start + (dhp->uoff - base);
		unsigned long end = addr + dhp->len, run = addr;
		unsigned long left = btop(dhp->len);
		struct page **pages;

		if (dhp->type == DEVMAP_TYPE_NONE || dhp->invalid ||
		    i_devmap_has_access_cb(dhp))
			continue;
		if (vma->vm_flags & VM_PFNMAP) {
			/* runs of pages between the PMD-sized blocks */
			while (addr < end) {
				unsigned long next = min(end, (addr & PMD_MASK) +
							 PMD_SIZE);

				if (!i_devmap_pmd_pfn(vma, dhp, addr)) {
					addr = next;
					continue;
				}
				if (run < addr) {
					err = i_devmap_prefault_pfns(vma, dhp,
								     run, addr);
					if (err)
						return err;
				}
				addr = next;
				run = next;
			}
			if (run < end) {
				err = i_devmap_prefault_pfns(vma, dhp, run, end);
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

/**
 * i_devmap_has_pmd() - can some 2 MiB page of a mapping be one PMD entry
 * (i_devmap_pmd_pfn())?
 * @seg: the mapping's segment, with its handles
 * @vma: the mapping
 *
 * Return: true if one can.
 */
__ddi_hot bool i_devmap_has_pmd(struct devmap_seg *seg,
				struct vm_area_struct *vma)
{
	unsigned long addr;

	if (!XX_HUGE_PFNMAP)
		return false;
	for (addr = ALIGN(vma->vm_start, PMD_SIZE);
	     addr < vma->vm_end && vma->vm_end - addr >= PMD_SIZE;
	     addr += PMD_SIZE) {
		u64 uoff = i_vma_uoff(vma) + (addr - vma->vm_start);

		if (i_devmap_pmd_pfn(vma, i_devmap_find_handle(seg, uoff), addr))
			return true;
	}
	return false;
}

/* ---- VMA operations ---- */

/* A fork: the child's VMA gets a segment of its own (devmap_dup(9E)). */
static struct devmap_seg *i_devmap_seg_dup(struct devmap_seg *old,
					   struct vm_area_struct *vma)
{
	u64 start = i_vma_uoff(vma), end = start + vma->vm_end - vma->vm_start;
	struct devmap_seg *seg = i_devmap_seg_alloc(old->mn, vma);
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
		n = i_devmap_handle_clone(dhp, s, e, GFP_KERNEL);
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
		i_devmap_seg_put(seg);
		return NULL;
	}
	return seg;
}

#if XX_HUGE_PFNMAP_PUD
/*
 * mremap(2) is moving a range of @seg to @vma, at an address whose 1 GiB
 * pages do not line up with the range's offsets: Linux 6.12 would meet the
 * old VMA's PUD entries where it expects page tables ("bad pud", the entry
 * dropped).  They are removed first, under the old VMA's write lock; the
 * moved range faults its translations back in.
 */
static void i_devmap_unpud_moved(struct vm_area_struct *vma,
				 struct devmap_seg *seg)
{
	u64 start = i_vma_uoff(vma), end = start + vma->vm_end - vma->vm_start;
	struct vm_area_struct *old;
	unsigned long a;

	VMA_ITERATOR(vmi, vma->vm_mm, 0);

	if (!((vma->vm_start - start) & ~PUD_MASK) ||
	    !(vma->vm_flags & VM_PFNMAP))
		return;
	for_each_vma(vmi, old) {
		u64 os = i_vma_uoff(old), oe = os + old->vm_end - old->vm_start;

		if (old == vma || old->vm_ops != &i_devmap_vm_ops ||
		    old->vm_private_data != seg || os >= end || oe <= start ||
		    ((old->vm_start - os) & ~PUD_MASK))
			continue;
		vma_start_write(old);
		for (a = ALIGN(old->vm_start, PUD_SIZE);
		     a < old->vm_end && old->vm_end - a >= PUD_SIZE;
		     a += PUD_SIZE)
			zap_special_vma_range(old, a, PUD_SIZE);
	}
}
#endif

/*
 * A VMA was split off (munmap, mprotect, mremap), copied by mremap, or
 * copied by fork.  Only a fork changes handles: see struct devmap_seg.
 * vm_operations_struct.open cannot fail, so a fork that cannot duplicate
 * the handles leaves the child a mapping whose every access gets SIGBUS.
 */
static void i_devmap_vma_open(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;

	if (!seg)
		return;
	if (vma->vm_mm == seg->mm) {
#if XX_HUGE_PFNMAP_PUD
		i_devmap_unpud_moved(vma, seg);
#endif
		kref_get(&seg->ref);
		atomic_long_inc(&xxddi_stats.vmas);
		return;
	}
	vma->vm_private_data = i_devmap_seg_dup(seg, vma);
	if (vma->vm_private_data)
		atomic_long_inc(&xxddi_stats.vmas);
}

/* mremap moved [start, end) of the segment: the old VMA's close is not an
 * unmap of those handles.
 */
static int i_devmap_vma_mremap(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;

	if (seg) {
		mutex_lock(&seg->lock);
		seg->moved_start = i_vma_uoff(vma);
		seg->moved_len = vma->vm_end - vma->vm_start;
		mutex_unlock(&seg->lock);
	}
	return 0;
}

static __ddi_hot void i_devmap_vma_close(struct vm_area_struct *vma)
{
	struct devmap_seg *seg = vma->vm_private_data;
	u64 start = i_vma_uoff(vma), len = vma->vm_end - vma->vm_start;

	if (!seg)
		return;
	atomic_long_dec(&xxddi_stats.vmas);
	mutex_lock(&seg->lock);
	if (seg->moved_len && seg->moved_start == start &&
	    seg->moved_len == len)
		seg->moved_len = 0;	/* the source of an mremap move */
	else
		i_devmap_seg_unmap(seg, start, start + len);
	mutex_unlock(&seg->lock);
	i_devmap_seg_put(seg);
}

static uint_t i_devmap_fault_rw(struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_WRITE) ? S_WRITE : S_READ;
}

/*
 * A fault: devmap_access(9E) if the handle has one, which must load the
 * faulting page; else the handle's pages in the 2 MiB around the fault are
 * loaded (what devmap_default_access would do, a batch at a time).
 */
static vm_fault_t i_devmap_vma_fault(struct vm_fault *vmf)
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
	dhp = seg->revoked ? NULL : i_devmap_find_handle(seg, uoff);
	if (!dhp || (dhp->invalid && !dhp->callbackops))
		goto out;
	seg->fault_vmf = vmf;
	seg->fault_loaded = false;
	if (dhp->callbackops && dhp->callbackops->devmap_access) {
		i_devmap_fault_enter(&f, seg);
		err = dhp->callbackops->devmap_access(dhp, dhp->pvtp, uoff,
						      PAGE_SIZE, DEVMAP_ACCESS,
						      i_devmap_fault_rw(vmf));
		i_devmap_fault_exit(&f);
		/* a devmap_load() met a busy segment: try again */
		if (err == EAGAIN && !seg->fault_loaded)
			ret = VM_FAULT_NOPAGE;
	} else {
		u64 around = vmf->address & ~PMD_MASK;
		u64 start = uoff > around ? uoff - around : 0;

		err = i_devmap_load_vma(vmf->vma, dhp, start, start + PMD_SIZE,
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
 * A PMD-sized fault (kernels with huge PFN maps), or a PUD-sized one
 * (kernels with PUD entries in PFN maps): one huge entry when the 2 MiB
 * (1 GiB) page is one contiguous block of a handle without
 * devmap_access(9E) (see i_devmap_huge_pfn()), else the fault falls back
 * to the next smaller size.
 */
static vm_fault_t i_devmap_vma_huge_fault(struct vm_fault *vmf,
					  xx_fault_order_t order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct devmap_seg *seg = vma->vm_private_data;
	unsigned int o = xx_fault_order(order);
	bool write = vma->vm_flags & VM_WRITE;
	vm_fault_t ret = VM_FAULT_FALLBACK;
	unsigned long size, haddr, pfn;
	u64 uoff;

	if (o == PMD_SHIFT - PAGE_SHIFT)
		size = PMD_SIZE;
	else if (XX_HUGE_PFNMAP_PUD && o == PUD_SHIFT - PAGE_SHIFT)
		size = PUD_SIZE;
	else
		return VM_FAULT_FALLBACK;
	haddr = vmf->address & ~(size - 1);
	if (!seg || haddr < vma->vm_start || !(vma->vm_flags & VM_PFNMAP))
		return VM_FAULT_FALLBACK;
	uoff = i_vma_uoff(vma) + (haddr - vma->vm_start);
	mutex_lock(&seg->lock);
	if (seg->revoked) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	pfn = i_devmap_huge_pfn(vma, i_devmap_find_handle(seg, uoff),
				vmf->address, size);
	if (pfn && size == PMD_SIZE)
		ret = xx_vmf_insert_pfn_pmd(vmf, pfn, write);
#if XX_HUGE_PFNMAP_PUD
	else if (pfn)
		ret = xx_vmf_insert_pfn_pud(vmf, pfn, write);
#endif
out:
	mutex_unlock(&seg->lock);
	return ret;
}
#endif

#if XX_HUGE_PFNMAP_PUD
/*
 * A VMA is about to be split at @addr (munmap(2), mprotect(2), mremap(2),
 * madvise(2) or mlock(2) of part of it).  Linux 6.12 splits a PMD entry
 * across @addr first (vma_adjust_trans_huge()), but takes a PUD entry
 * there for a page table (an oops): a PUD entry of @vma around @addr is
 * removed here; the pieces fault their translations back in.  The VMA is
 * write-locked first (mmap_lock is held for writing), as the split would
 * do next, so that no fault under the VMA lock alone maps it again in
 * between.
 */
static int i_devmap_vma_may_split(struct vm_area_struct *vma,
				  unsigned long addr)
{
	unsigned long start = addr & PUD_MASK;

	if (IS_ALIGNED(addr, PUD_SIZE) || !(vma->vm_flags & VM_PFNMAP) ||
	    start < vma->vm_start || vma->vm_end - start < PUD_SIZE)
		return 0;
	vma_start_write(vma);
	zap_special_vma_range(vma, start, PUD_SIZE);
	return 0;
}
#endif

const struct vm_operations_struct i_devmap_vm_ops = {
	.open = i_devmap_vma_open,
	.close = i_devmap_vma_close,
	.mremap = i_devmap_vma_mremap,
	.fault = i_devmap_vma_fault,
#if XX_HUGE_PFNMAP
	.huge_fault = i_devmap_vma_huge_fault,
#endif
#if XX_HUGE_PFNMAP_PUD
	.may_split = i_devmap_vma_may_split,
#endif
};

/* ---- revocation ---- */

/*
 * A segment of @mn not yet in revocation state @state, with a reference,
 * or NULL.
 */
static struct devmap_seg *i_devmap_next_seg(struct ddi_minor_node *mn,
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

	while ((seg = i_devmap_next_seg(mn, DEVMAP_REVOKED))) {
		mutex_lock(&seg->lock);		/* waits for a fault */
		WRITE_ONCE(seg->revoked, DEVMAP_REVOKED);
		mutex_unlock(&seg->lock);
		i_devmap_seg_put(seg);
	}
	i_ddi_minor_unmap_all(mn);
	while ((seg = i_devmap_next_seg(mn, DEVMAP_RELEASED))) {
		mutex_lock(&seg->lock);
		i_devmap_seg_unmap(seg, 0, U64_MAX);
		WRITE_ONCE(seg->revoked, DEVMAP_RELEASED);
		mutex_unlock(&seg->lock);
		i_devmap_seg_put(seg);
	}
}
