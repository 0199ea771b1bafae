/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/ddidevmap.h> - device-mapping handles and the devmap(9E) framework.
 */
#ifndef _XXDDI_SYS_DDIDEVMAP_H
#define _XXDDI_SYS_DDIDEVMAP_H

#include <sys/types.h>

struct dev_info;
struct ddi_device_acc_attr;

/*
 * A device-mapping handle (one contiguous piece of a user mapping) and a
 * kernel memory cookie: opaque to drivers, void * as on illumos.
 */
typedef void *devmap_cookie_t;
typedef void *ddi_umem_cookie_t;

/* devmap_umem_setup(9F) / devmap_devmem_setup(9F) flags (Solaris values) */
#define DEVMAP_DEFAULTS		0x00
#define DEVMAP_MAPPING_INVALID	0x01
#define DEVMAP_ALLOW_REMAP	0x02
#define DEVMAP_USE_PAGESIZE	0x04

/* devmap_*_setup flags a driver may pass (Solaris value) */
#define DEVMAP_SETUP_FLAGS \
	(DEVMAP_MAPPING_INVALID | DEVMAP_ALLOW_REMAP | DEVMAP_USE_PAGESIZE)

/*
 * Caching of kernel memory (devmap_umem_setup flags, at most one; Solaris
 * values, declared in its <sys/sunddi.h>, which includes this header)
 */
#define IOMEM_DATA_CACHED		0x10000
#define IOMEM_DATA_UC_WR_COMBINE	0x20000
#define IOMEM_DATA_UNCACHED		0x40000
#define IOMEM_DATA_MASK			0xF0000

/* ddi_umem_alloc(9F) flags (Solaris values) */
#define DDI_UMEM_SLEEP		0x00
#define DDI_UMEM_NOSLEEP	0x01
#define DDI_UMEM_PAGEABLE	0x02
#define DDI_UMEM_TRASH		0x04

/* ddi_umem_lock(9F) flags (Solaris values) */
#define DDI_UMEMLOCK_READ	0x01	/* the pages will be read */
#define DDI_UMEMLOCK_WRITE	0x02	/* the pages will be written */

/*
 * umem_lockmemory() callbacks (Solaris values and layout).  The cleanup
 * callback is given the cookie itself, cast to the declared pointer type,
 * as illumos does; see umem_lockmemory() in compat/umem.c.
 */
#define UMEM_CALLBACK_VERSION	1
struct umem_callback_ops {
	int cbo_umem_callback_version;
	void (*cbo_umem_lock_cleanup)(ddi_umem_cookie_t *cookiep);
};

/* devmap_access(9E) type: Solaris' enum devmap_fault_type */
enum devmap_fault_type {
	DEVMAP_ACCESS,		/* no translation */
	DEVMAP_PROT,		/* protection fault (never passed: SIGSEGV) */
	DEVMAP_LOCK,		/* software locking */
	DEVMAP_UNLOCK		/* software unlocking */
};

/* devmap_access(9E) rw (Solaris' enum seg_rw) */
#define S_OTHER		0
#define S_READ		1
#define S_WRITE		2
#define S_EXEC		3

#define DEVMAP_OPS_REV	1

/**
 * struct devmap_callback_ctl - user mapping events (devmap_callback_ctl(9S))
 * @devmap_rev:    DEVMAP_OPS_REV
 * @devmap_map:    devmap_map(9E): once per handle when mmap(2) set it up,
 *                 in handle order; @off/@len are the handle's user offset
 *                 and length; store private data in *@pvtp.  Non-zero
 *                 fails the mmap with ENXIO (earlier handles get
 *                 devmap_unmap).
 * @devmap_access: devmap_access(9E): at a fault on the handle, before any
 *                 translation exists; must call devmap_load(),
 *                 devmap_do_ctxmgt() or devmap_default_access().
 *                 Non-zero: the access gets SIGBUS, except EAGAIN (a
 *                 devmap_load() of another mapping met its lock held)
 *                 when the faulting page is not loaded: the fault is
 *                 retried.
 * @devmap_dup:    devmap_dup(9E): at fork, per handle of the inherited
 *                 mapping; store the child's private data in *@new_pvtp
 * @devmap_unmap:  devmap_unmap(9E): a range of the handle was unmapped.
 *                 @new_dhp1 is the handle that keeps the part before the
 *                 range (NULL if none), @new_dhp2 the one that keeps the part
 *                 after it (NULL if none); set *@new_pvtp1 / *@new_pvtp2.
 *
 * Context: every callback runs in process context and may sleep.  Locks
 * held (the order is in compat/devmap_seg.c's "Locking"): devmap_map with
 * the mmap lock held for writing and no xxddi lock; devmap_access with the
 * mmap lock held for reading and the mapping's segment lock (so it may
 * take the device context's lock through devmap_do_ctxmgt(), then its own
 * locks); devmap_dup with both processes' mmap locks held for writing and
 * the parent mapping's segment lock; devmap_unmap with the segment lock,
 * and the mmap lock (possibly downgraded to reading by munmap(2)) except
 * at revocation (detach or PCI unbind).  A callback must not take the mmap
 * lock or call back into mmap(2)/munmap(2).
 */
struct devmap_callback_ctl {
	int devmap_rev;
	int (*devmap_map)(devmap_cookie_t dhp, dev_t dev, uint_t flags,
			  offset_t off, size_t len, void **pvtp);
	int (*devmap_access)(devmap_cookie_t dhp, void *pvtp, offset_t off,
			     size_t len, uint_t type, uint_t rw);
	int (*devmap_dup)(devmap_cookie_t dhp, void *pvtp,
			  devmap_cookie_t new_dhp, void **new_pvtp);
	void (*devmap_unmap)(devmap_cookie_t dhp, void *pvtp, offset_t off,
			     size_t len, devmap_cookie_t new_dhp1,
			     void **new_pvtp1, devmap_cookie_t new_dhp2,
			     void **new_pvtp2);
};

struct as;
struct cred;

int devmap_umem_setup(devmap_cookie_t dhp, struct dev_info *dip,
		      struct devmap_callback_ctl *callbackops,
		      ddi_umem_cookie_t cookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags,
		      struct ddi_device_acc_attr *accattrp);

int devmap_devmem_setup(devmap_cookie_t dhp, struct dev_info *dip,
			struct devmap_callback_ctl *callbackops,
			uint_t rnumber, offset_t roff, size_t len,
			uint_t maxprot, uint_t flags,
			struct ddi_device_acc_attr *accattrp);
int devmap_devmem_remap(devmap_cookie_t dhp, struct dev_info *dip,
			uint_t rnumber, offset_t roff, size_t len,
			uint_t maxprot, uint_t flags,
			struct ddi_device_acc_attr *accattrp);
int devmap_umem_remap(devmap_cookie_t dhp, struct dev_info *dip,
		      ddi_umem_cookie_t cookie, offset_t off, size_t len,
		      uint_t maxprot, uint_t flags,
		      struct ddi_device_acc_attr *accattrp);
int devmap_load(devmap_cookie_t dhp, offset_t off, size_t len, uint_t type,
		uint_t rw);
int devmap_unload(devmap_cookie_t dhp, offset_t off, size_t len);
int devmap_default_access(devmap_cookie_t dhp, void *pvtp, offset_t off,
			  size_t len, uint_t type, uint_t rw);
int devmap_do_ctxmgt(devmap_cookie_t dhp, void *pvtp, offset_t off,
		     size_t len, uint_t type, uint_t rw,
		     int (*ctxmgt)(devmap_cookie_t, void *, offset_t, size_t,
				   uint_t, uint_t));
void devmap_set_ctx_timeout(devmap_cookie_t dhp, clock_t ticks);
int devmap_setup(dev_t dev, offset_t off, struct as *as, caddr_t *addrp,
		 size_t len, uint_t prot, uint_t maxprot, uint_t flags,
		 struct cred *cred);
int ddi_devmap_segmap(dev_t dev, off_t off, struct as *as, caddr_t *addrp,
		      off_t len, uint_t prot, uint_t maxprot, uint_t flags,
		      struct cred *cred);

#endif /* _XXDDI_SYS_DDIDEVMAP_H */
