/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private structures of xxddi, the DDI compatibility layer.  Drivers see
 * only the opaque types of include/sys/; these are the Linux objects behind
 * them.
 */
#ifndef _XXDDI_IMPL_H
#define _XXDDI_IMPL_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <sys/sunddi.h>

/*
 * struct ddi_driver - one installed driver (mod_install).
 * @ops:       the driver's dev_ops
 * @owner:     the driver's module: every open file of its nodes holds a
 *             reference on it, so an open file or a mapping pins the driver
 * @name:      driver name (the module's name)
 * @lock:      protects @instances
 * @instances: attached dev_info
 */
struct ddi_driver {
	struct dev_ops *ops;
	struct module *owner;
	const char *name;
	struct mutex lock;		/* protects @instances */
	struct list_head instances;
};

/*
 * struct dev_info - a device instance (dev_info_t).
 * @drv:      the driver
 * @instance: instance number
 * @link:     in drv->instances
 * @minors:   minor nodes created by ddi_create_minor_node()
 * @priv:     ddi_set_driver_private() data
 */
struct dev_info {
	struct ddi_driver *drv;
	int instance;
	struct list_head link;
	struct list_head minors;
	void *priv;
};

/*
 * struct ddi_minor_node - a character node: a Linux misc device.
 * @ref:    one for the creator, one per open file
 * @dip:    the instance (valid while the driver is loaded)
 * @dev:    the DDI device number handed to entry points
 * @misc:   the Linux misc device (/dev/@name)
 * @link:   in dip->minors
 * @name:   node name
 */
struct ddi_minor_node {
	struct kref ref;
	struct dev_info *dip;
	dev_t dev;
	struct list_head link;
	struct miscdevice misc;
	char name[32];
};

/*
 * struct ddi_umem_cookie - kernel memory from ddi_umem_alloc().
 * @ref:    one for the allocator, one per devmap handle that maps it
 * @kva:    kernel virtual address (vmap of @pages)
 * @size:   bytes, a page multiple
 * @npages: number of pages
 * @pages:  the pages, order 0, zeroed
 */
struct ddi_umem_cookie {
	struct kref ref;
	void *kva;
	size_t size;
	unsigned long npages;
	struct page **pages;
};

void i_ddi_umem_hold(struct ddi_umem_cookie *cp);
void i_ddi_umem_rele(struct ddi_umem_cookie *cp);

/* devmap_handle.dh_type */
#define DEVMAP_TYPE_NONE	0
#define DEVMAP_TYPE_UMEM	1

/*
 * struct devmap_handle - one contiguous piece of a user mapping
 * (devmap_cookie_t).
 * @link:     in the segment's handle list, in user offset order
 * @dev:      device number
 * @dip:      instance that set the handle up
 * @uoff:     user (mmap) offset of the handle's first byte
 * @len:      bytes, a page multiple
 * @prot:     protection requested by mmap(2), with PROT_USER
 * @maxprot:  the highest protection the driver allows (set up time)
 * @type:     DEVMAP_TYPE_*; NONE until a *_setup() succeeded
 * @cookie:   umem: the memory (holds a reference)
 * @koff:     umem: byte offset of the handle's first byte in @cookie
 * @setup_len: bytes the setup call exported
 * @error:    errno of the last failed setup call on this handle
 */
struct devmap_handle {
	struct list_head link;
	dev_t dev;
	struct dev_info *dip;
	u64 uoff;
	size_t len;
	uint_t prot;
	uint_t maxprot;
	int type;
	struct ddi_umem_cookie *cookie;
	size_t koff;
	size_t setup_len;
	int error;
};

/*
 * struct devmap_seg - the devmap segment of one mmap(2): its handles.
 * VMAs split from or forked off the original share it (refcounted); it
 * is immutable once mmap returned.
 */
struct devmap_seg {
	struct kref ref;
	dev_t dev;
	struct list_head handles;
};

int i_devmap_setup_vma(struct ddi_minor_node *mn, struct vm_area_struct *vma);

#endif /* _XXDDI_IMPL_H */
