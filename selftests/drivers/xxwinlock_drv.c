// SPDX-License-Identifier: GPL-2.0
/*
 * xxwinlock - a selftest driver in the pattern of illumos' winlock(4D):
 * inter-process locks whose uncontended acquire and release are a plain
 * store, with the devmap framework doing the rest at fault time.
 *
 * A lock is one page of kernel memory (ddi_umem_alloc(9F)); its first
 * word is the lock.  XXWL_IOC_ALLOC returns the lock's ident, a page-
 * aligned offset; a process maps the ident twice (one page, MAP_SHARED):
 * its first mmap(2) is its lock page, the second its unlock page, both
 * backed by the lock's page.  Acquire: store 1 through the lock page;
 * release: store 0 through the unlock page.
 *
 * Only the owner (the process the lock was last handed to) has
 * translations.  Another process' store faults into devmap_access(9E),
 * which devmap_unload(9F)s the owner's pages - the owner's only, as on
 * illumos: each process keeps its translations of every other lock and
 * of this one until it loses it - and then, if the lock word is 0, hands
 * the lock over with devmap_load(9F) of the new owner's two handles.  If
 * the word is 1 the caller sleeps until the owner releases (its unload
 * unlock page faults) or the lock's timeout expires: then the lock is
 * stolen and the old owner's unlock page is remapped (devmap_umem_remap,
 * handles set up with DEVMAP_ALLOW_REMAP) to a DDI_UMEM_TRASH page, so
 * its late release changes nothing; it gets its own page back with the
 * lock the next time it is handed the lock.
 *
 * A fork child inherits the mappings but, unlike on illumos, no client
 * state: its accesses to them get SIGBUS (devmap_dup(9E) gives its
 * handles no private data).
 *
 * ioctl(9E), one layout for both data models:
 *   XXWL_IOC_ALLOC    struct xxwl_alloc: key 0 makes a new lock, another
 *                     key finds the lock made with it or makes one;
 *                     returns the ident (EAGAIN when all are in use)
 *   XXWL_IOC_FREE     __u32 ident: drops an allocation (EINVAL if none)
 *   XXWL_IOC_TIMEOUT  struct xxwl_timeout: the steal timeout, ms (0: none)
 *   XXWL_IOC_INFO     struct xxwl_info: the lock's owner and counters
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioctl.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <sys/types.h>
#include <sys/param.h>
#include <sys/mman.h>
#include <sys/cred.h>
#include <sys/modctl.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include <sys/cmn_err.h>

#include "xxwinlock.h"

#define XXWL_LOCKS		8
#define XXWL_IDENT(i)		ptob((offset_t)(i) + 1)	/* lock i's offset */
#define XXWL_PROT		(PROT_READ | PROT_WRITE | PROT_USER)

struct xxwl_lock;

/* A process using a lock: the private data of its two handles. */
struct xxwl_client {
	struct list_head link;		/* in lp->clients */
	struct xxwl_lock *lp;
	pid_t pid;
	devmap_cookie_t lockseg;	/* its lock page, if mapped */
	devmap_cookie_t unlockseg;	/* its unlock page, if mapped */
	bool trash;			/* unlockseg maps the trash page */
};

/* A lock; @mutex protects the fields after it and its clients. */
struct xxwl_lock {
	struct xxwl_state *xsp;
	offset_t ident;
	ddi_umem_cookie_t cookie;
	int *word;
	u32 key;
	u32 alloccount;			/* 0: free (once unmapped) */
	struct mutex mutex;
	struct list_head clients;
	struct xxwl_client *owner;
	clock_t timeout;		/* ticks; 0: none */
	wait_queue_head_t wq;
	u32 sleepers, faults, handovers, steals;
};

struct xxwl_state {
	dev_info_t *dip;
	struct mutex lock;		/* protects allocations */
	ddi_umem_cookie_t trash;	/* DDI_UMEM_TRASH, one page */
	struct xxwl_lock locks[XXWL_LOCKS];
};

static void *xxwl_statep;

static struct xxwl_state *xxwl_state(dev_t dev)
{
	return ddi_get_soft_state(xxwl_statep, getminor(dev));
}

/* The lock mapped at @off, or NULL. */
static struct xxwl_lock *xxwl_find(struct xxwl_state *xsp, offset_t off)
{
	offset_t i = btop(off) - 1;

	if (off <= 0 || (off & PAGEOFFSET) || i >= XXWL_LOCKS)
		return NULL;
	return &xsp->locks[i];
}

/* ---- handing the lock over (lp->mutex held) ---- */

/* The caller's client state for @lp; @dhp one of its two handles. */
static struct xxwl_client *xxwl_client(struct xxwl_lock *lp, pid_t pid)
{
	struct xxwl_client *cp;

	list_for_each_entry(cp, &lp->clients, link)
		if (cp->pid == pid)
			return cp;
	return NULL;
}

/* devmap_unload(9F) of one of a client's pages, if it has it mapped. */
static int xxwl_unload(struct xxwl_lock *lp, devmap_cookie_t dhp)
{
	return dhp ? devmap_unload(dhp, lp->ident, PAGESIZE) : 0;
}

/* Make @cp the owner: its lock page and, without waiters, unlock page. */
static int xxwl_give(struct xxwl_state *xsp, struct xxwl_lock *lp,
		     struct xxwl_client *cp, uint_t rw)
{
	int error;

	if (cp->trash) {
		if (devmap_umem_remap(cp->unlockseg, xsp->dip, lp->cookie, 0,
				      PAGESIZE, XXWL_PROT, 0, NULL) < 0)
			return ENOMEM;
		cp->trash = false;
	}
	if (lp->owner != cp)
		lp->handovers++;
	lp->owner = cp;
	error = devmap_load(cp->lockseg, lp->ident, PAGESIZE,
			    DEVMAP_ACCESS, rw);
	if (error || !cp->unlockseg)
		return error;
	if (lp->sleepers)	/* its release must fault, to wake them */
		return xxwl_unload(lp, cp->unlockseg);
	return devmap_load(cp->unlockseg, lp->ident, PAGESIZE, DEVMAP_ACCESS,
			   PROT_WRITE);
}

/*
 * The owner loses the lock: its translations go; when it is stolen
 * (@trash) its unlock page becomes the trash page, so its late release
 * stores where nobody reads.
 */
static int xxwl_giveup(struct xxwl_state *xsp, struct xxwl_lock *lp,
		       bool trash)
{
	struct xxwl_client *owner = lp->owner;
	int error;

	error = xxwl_unload(lp, owner->lockseg);
	if (error)
		return error;
	if (trash && owner->unlockseg) {
		if (devmap_umem_remap(owner->unlockseg, xsp->dip, xsp->trash,
				      0, PAGESIZE, XXWL_PROT, 0, NULL) < 0)
			return ENOMEM;
		owner->trash = true;
	} else {
		error = xxwl_unload(lp, owner->unlockseg);
		if (error)
			return error;
	}
	lp->owner = NULL;
	wake_up_all(&lp->wq);
	return 0;
}

/* Has the lock left @owner? */
static bool xxwl_moved(struct xxwl_lock *lp, struct xxwl_client *owner)
{
	return READ_ONCE(lp->owner) != owner;
}

/* Wait for the owner; steal the lock when the timeout expires. */
static int xxwl_wait(struct xxwl_state *xsp, struct xxwl_lock *lp)
{
	struct xxwl_client *owner;
	long left;

	lp->sleepers++;
	while ((owner = lp->owner)) {
		clock_t t = lp->timeout ? lp->timeout : MAX_SCHEDULE_TIMEOUT;

		mutex_unlock(&lp->mutex);
		left = wait_event_interruptible_timeout(lp->wq,
							xxwl_moved(lp, owner),
							t);
		mutex_lock(&lp->mutex);
		if (left < 0) {
			lp->sleepers--;
			return EINTR;
		}
		if (lp->timeout && left == 0 && lp->owner == owner) {
			cmn_err(CE_NOTE, "xxwinlock: pid %d steals lock %d",
				ddi_get_pid(), (int)btop(lp->ident));
			if (!xxwl_giveup(xsp, lp, true))
				lp->steals++;
		}
	}
	lp->sleepers--;
	return 0;
}

/* The fault of @cp on its handle @dhp: who gets the lock's page. */
static int xxwl_fault(struct xxwl_state *xsp, struct xxwl_lock *lp,
		      struct xxwl_client *cp, devmap_cookie_t dhp, uint_t rw)
{
	struct xxwl_client *owner = lp->owner;
	int error;

	if (!owner)
		return xxwl_give(xsp, lp, cp, rw);
	if (owner == cp) {
		if (dhp == cp->lockseg || !lp->sleepers)
			return xxwl_give(xsp, lp, cp, rw);
		/* a release with waiters: hand over, the store to trash */
		error = xxwl_giveup(xsp, lp, true);
		return error ? error : devmap_load(dhp, lp->ident, PAGESIZE,
						   DEVMAP_ACCESS, rw);
	}
	if (dhp == cp->unlockseg && cp->trash)	/* the loser's late release */
		return devmap_load(dhp, lp->ident, PAGESIZE, DEVMAP_ACCESS, rw);
	/* the owner must not store while the word is read */
	error = xxwl_unload(lp, owner->lockseg);
	if (!error)
		error = xxwl_unload(lp, owner->unlockseg);
	if (error)
		return error;
	if (READ_ONCE(*lp->word)) {
		error = xxwl_wait(xsp, lp);
		if (error)
			return error;
	}
	return xxwl_give(xsp, lp, cp, rw);
}

/* ---- devmap callbacks ---- */

/* devmap_map(9E): the process' first mapping of a lock, then its second. */
static int xxwl_map(devmap_cookie_t dhp, dev_t dev, uint_t flags,
		    offset_t off, size_t len, void **pvtp)
{
	struct xxwl_state *xsp = xxwl_state(dev);
	struct xxwl_lock *lp = xsp ? xxwl_find(xsp, off) : NULL;
	struct xxwl_client *cp;
	int error = 0;

	if (!lp)
		return ENXIO;
	mutex_lock(&lp->mutex);
	cp = xxwl_client(lp, ddi_get_pid());
	if (!cp) {
		cp = kzalloc(sizeof(*cp), GFP_KERNEL);
		if (!cp) {
			error = ENOMEM;
			goto out;
		}
		cp->lp = lp;
		cp->pid = ddi_get_pid();
		list_add(&cp->link, &lp->clients);
	}
	if (!cp->lockseg)
		cp->lockseg = dhp;
	else if (!cp->unlockseg)
		cp->unlockseg = dhp;
	else
		error = EBUSY;		/* a third mapping */
	if (!error)
		*pvtp = cp;
out:
	mutex_unlock(&lp->mutex);
	return error;
}

/* devmap_access(9E) */
static int xxwl_access(devmap_cookie_t dhp, void *pvtp, offset_t off,
		       size_t len, uint_t type, uint_t rw)
{
	struct xxwl_client *cp = pvtp;
	struct xxwl_lock *lp;
	int error;

	if (!cp)		/* a fork child's inherited mapping */
		return EACCES;
	lp = cp->lp;
	mutex_lock(&lp->mutex);
	lp->faults++;
	error = xxwl_fault(lp->xsp, lp, cp, dhp, rw);
	mutex_unlock(&lp->mutex);
	return error;
}

/* devmap_dup(9E): the child is no client (see the top of the file). */
static int xxwl_dup(devmap_cookie_t dhp, void *pvtp, devmap_cookie_t new_dhp,
		    void **new_pvtp)
{
	*new_pvtp = NULL;
	return 0;
}

/* devmap_unmap(9E): a one-page handle goes whole; the owner releases. */
static void xxwl_unmap(devmap_cookie_t dhp, void *pvtp, offset_t off,
		       size_t len, devmap_cookie_t new_dhp1, void **new_pvtp1,
		       devmap_cookie_t new_dhp2, void **new_pvtp2)
{
	struct xxwl_client *cp = pvtp;
	struct xxwl_lock *lp;

	if (!cp)
		return;
	lp = cp->lp;
	mutex_lock(&lp->mutex);
	if (lp->owner == cp)
		(void)xxwl_giveup(lp->xsp, lp, false);
	if (cp->lockseg == dhp)
		cp->lockseg = NULL;
	if (cp->unlockseg == dhp)
		cp->unlockseg = NULL;
	if (!cp->lockseg && !cp->unlockseg) {
		if (lp->owner == cp)	/* giveup failed: nothing is left */
			lp->owner = NULL;
		list_del(&cp->link);
		kfree(cp);
	}
	mutex_unlock(&lp->mutex);
}

static struct devmap_callback_ctl xxwl_callbacks = {
	DEVMAP_OPS_REV,			/* devmap_rev */
	xxwl_map,			/* devmap_map */
	xxwl_access,			/* devmap_access */
	xxwl_dup,			/* devmap_dup */
	xxwl_unmap,			/* devmap_unmap */
};

/* ---- entry points ---- */

static int xxwl_open(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	if (otyp != OTYP_CHR)
		return EINVAL;
	return xxwl_state(*devp) ? 0 : ENXIO;
}

static int xxwl_close(dev_t dev, int flag, int otyp, cred_t *credp)
{
	return 0;
}

/* devmap(9E): one page of an allocated lock, remappable to the trash. */
static int xxwl_devmap(dev_t dev, devmap_cookie_t handle, offset_t off,
		       size_t len, size_t *maplen, uint_t model)
{
	struct xxwl_state *xsp = xxwl_state(dev);
	struct xxwl_lock *lp = xsp ? xxwl_find(xsp, off) : NULL;
	bool live;

	if (!lp || len != PAGESIZE)
		return ENXIO;
	mutex_lock(&xsp->lock);
	live = lp->alloccount > 0;
	mutex_unlock(&xsp->lock);
	if (!live)
		return ENXIO;
	if (devmap_umem_setup(handle, xsp->dip, &xxwl_callbacks, lp->cookie,
			      0, PAGESIZE, XXWL_PROT, DEVMAP_ALLOW_REMAP,
			      NULL) < 0)
		return ENXIO;
	*maplen = PAGESIZE;
	return 0;
}

/* XXWL_IOC_ALLOC under xsp->lock: the lock for @key, made if needed. */
static struct xxwl_lock *xxwl_alloc(struct xxwl_state *xsp, u32 key)
{
	struct xxwl_lock *lp, *free = NULL;

	for (lp = xsp->locks; lp < xsp->locks + XXWL_LOCKS; lp++) {
		if (key && lp->alloccount && lp->key == key)
			goto found;
		mutex_lock(&lp->mutex);
		if (!free && !lp->alloccount && list_empty(&lp->clients))
			free = lp;
		mutex_unlock(&lp->mutex);
	}
	lp = free;
	if (!lp)
		return NULL;
	lp->key = key;
	WRITE_ONCE(*lp->word, 0);
	lp->timeout = 0;
	lp->faults = 0;
	lp->handovers = 0;
	lp->steals = 0;
found:
	lp->alloccount++;
	return lp;
}

static int xxwl_ioctl(dev_t dev, int cmd, intptr_t arg, int mode,
		      cred_t *credp, int *rvalp)
{
	struct xxwl_state *xsp = xxwl_state(dev);
	struct xxwl_timeout to;
	struct xxwl_alloc wa;
	struct xxwl_info wi;
	struct xxwl_lock *lp;
	u32 ident;
	int error = 0;

	if (!xsp)
		return ENXIO;
	switch (cmd) {
	case XXWL_IOC_ALLOC:
		if (ddi_copyin((void __user *)arg, &wa, sizeof(wa), mode))
			return EFAULT;
		mutex_lock(&xsp->lock);
		lp = xxwl_alloc(xsp, wa.key);
		mutex_unlock(&xsp->lock);
		if (!lp)
			return EAGAIN;
		wa.ident = lp->ident;
		return ddi_copyout(&wa, (void __user *)arg, sizeof(wa), mode) ?
			EFAULT : 0;
	case XXWL_IOC_FREE:
		if (ddi_copyin((void __user *)arg, &ident, sizeof(ident), mode))
			return EFAULT;
		lp = xxwl_find(xsp, ident);
		mutex_lock(&xsp->lock);
		if (lp && lp->alloccount)
			lp->alloccount--;
		else
			error = EINVAL;
		mutex_unlock(&xsp->lock);
		return error;
	case XXWL_IOC_TIMEOUT:
		if (ddi_copyin((void __user *)arg, &to, sizeof(to), mode))
			return EFAULT;
		lp = xxwl_find(xsp, to.ident);
		if (!lp)
			return EINVAL;
		mutex_lock(&lp->mutex);
		lp->timeout = drv_usectohz((clock_t)to.msec * 1000);
		wake_up_all(&lp->wq);
		mutex_unlock(&lp->mutex);
		return 0;
	case XXWL_IOC_INFO:
		if (ddi_copyin((void __user *)arg, &wi, sizeof(wi), mode))
			return EFAULT;
		lp = xxwl_find(xsp, wi.ident);
		if (!lp)
			return EINVAL;
		mutex_lock(&lp->mutex);
		wi.owner = lp->owner ? lp->owner->pid : 0;
		wi.faults = lp->faults;
		wi.handovers = lp->handovers;
		wi.steals = lp->steals;
		wi.sleepers = lp->sleepers;
		mutex_unlock(&lp->mutex);
		return ddi_copyout(&wi, (void __user *)arg, sizeof(wi), mode) ?
			EFAULT : 0;
	default:
		return ENOTTY;
	}
}

/* ---- attach / detach ---- */

static void xxwl_free_locks(struct xxwl_state *xsp)
{
	int i;

	for (i = 0; i < XXWL_LOCKS; i++) {
		ddi_umem_free(xsp->locks[i].cookie);
		mutex_destroy(&xsp->locks[i].mutex);
	}
	ddi_umem_free(xsp->trash);
	mutex_destroy(&xsp->lock);
}

static int xxwl_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxwl_state *xsp;
	int i;

	if (cmd != DDI_ATTACH)
		return DDI_FAILURE;
	if (ddi_soft_state_zalloc(xxwl_statep, instance) != DDI_SUCCESS)
		return DDI_FAILURE;
	xsp = ddi_get_soft_state(xxwl_statep, instance);
	xsp->dip = dip;
	mutex_init(&xsp->lock);
	for (i = 0; i < XXWL_LOCKS; i++) {
		struct xxwl_lock *lp = &xsp->locks[i];

		lp->xsp = xsp;
		lp->ident = XXWL_IDENT(i);
		mutex_init(&lp->mutex);
		INIT_LIST_HEAD(&lp->clients);
		init_waitqueue_head(&lp->wq);
		lp->word = (int *)ddi_umem_alloc(PAGESIZE, DDI_UMEM_SLEEP,
						 &lp->cookie);
	}
	(void)ddi_umem_alloc(PAGESIZE, DDI_UMEM_TRASH, &xsp->trash);
	for (i = 0; i < XXWL_LOCKS; i++)
		if (!xsp->locks[i].word)
			goto fail;
	if (!xsp->trash ||
	    ddi_create_minor_node(dip, "xxwinlock", S_IFCHR, instance,
				  DDI_PSEUDO, 0) != DDI_SUCCESS)
		goto fail;
	return DDI_SUCCESS;
fail:
	cmn_err(CE_WARN, "xxwinlock%d: cannot allocate the locks", instance);
	xxwl_free_locks(xsp);
	ddi_soft_state_free(xxwl_statep, instance);
	return DDI_FAILURE;
}

static int xxwl_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxwl_state *xsp = ddi_get_soft_state(xxwl_statep, instance);

	if (cmd != DDI_DETACH || !xsp)
		return DDI_FAILURE;
	ddi_remove_minor_node(dip, NULL);	/* every handle is unmapped */
	xxwl_free_locks(xsp);
	ddi_soft_state_free(xxwl_statep, instance);
	return DDI_SUCCESS;
}

static struct cb_ops xxwl_cb_ops = {
	xxwl_open,			/* cb_open */
	xxwl_close,			/* cb_close */
	nodev,				/* cb_strategy */
	nodev,				/* cb_print */
	nodev,				/* cb_dump */
	nodev,				/* cb_read */
	nodev,				/* cb_write */
	xxwl_ioctl,			/* cb_ioctl */
	xxwl_devmap,			/* cb_devmap */
	nodev,				/* cb_mmap */
	nodev,				/* cb_segmap */
	nochpoll,			/* cb_chpoll */
	ddi_prop_op,			/* cb_prop_op */
	NULL,				/* cb_str */
	D_NEW | D_MP | D_64BIT | D_DEVMAP,	/* cb_flag */
	CB_REV,				/* cb_rev */
	nodev,				/* cb_aread */
	nodev				/* cb_awrite */
};

static struct dev_ops xxwl_dev_ops = {
	DEVO_REV,			/* devo_rev */
	0,				/* devo_refcnt */
	NULL,				/* devo_getinfo: xxddi finds instances itself */
	nulldev,			/* devo_identify */
	nulldev,			/* devo_probe */
	xxwl_attach,			/* devo_attach */
	xxwl_detach,			/* devo_detach */
	nodev,				/* devo_reset */
	&xxwl_cb_ops,			/* devo_cb_ops */
	NULL,				/* devo_bus_ops */
	NULL,				/* devo_power */
	ddi_quiesce_not_needed		/* devo_quiesce */
};

static struct modldrv xxwl_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "xxwinlock: winlock-style locks through devmap(9E)",
	.drv_dev_ops = &xxwl_dev_ops,
};

static struct modlinkage xxwl_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &xxwl_modldrv, NULL },
};

/* _init(9E) */
static int __init xxwl_init(void)
{
	int error;

	error = ddi_soft_state_init(&xxwl_statep, sizeof(struct xxwl_state),
				    1);
	if (error)
		return -error;
	error = mod_install(&xxwl_modlinkage);
	if (error) {
		ddi_soft_state_fini(&xxwl_statep);
		return -error;
	}
	return 0;
}

/* _fini(9E) */
static void __exit xxwl_exit(void)
{
	mod_remove(&xxwl_modlinkage);
	ddi_soft_state_fini(&xxwl_statep);
}

module_init(xxwl_init);
module_exit(xxwl_exit);

MODULE_DESCRIPTION("xxddi selftest driver: winlock(4D)-style locks through devmap_load/devmap_unload");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
