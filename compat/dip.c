// SPDX-License-Identifier: GPL-2.0
/*
 * Drivers, instances and minor nodes: mod_install(9F), attach(9E) and
 * detach(9E) calls, ddi_create_minor_node(9F), and the Linux
 * file_operations that turn open(2)/close(2)/ioctl(2)/mmap(2) of a node
 * into the driver's cb_ops entry points.
 *
 * A minor node is a misc device.  Every open file holds a reference on the
 * driver's module (the layer is linked into it), so an open
 * file or a mapping keeps the driver loaded (rmmod fails with EAGAIN), as a
 * Solaris driver cannot be unloaded while open or mapped.
 */
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <sys/sunddi.h>
#include <sys/modctl.h>
#include "impl.h"
#include "kernel_shims.h"

struct mod_ops mod_driverops = { .name = "driver" };

/**
 * ddi_get_instance() - instance number of a device (ddi_get_instance(9F))
 * @dip: the device
 *
 * Context: any.
 * Return: the instance number, >= 0.
 */
int ddi_get_instance(dev_info_t *dip)
{
	return dip->instance;
}

/**
 * ddi_driver_name() - name of a device's driver (ddi_driver_name(9F))
 * @dip: the device
 *
 * Context: any.
 * Return: the driver's (module's) name.
 */
const char *ddi_driver_name(dev_info_t *dip)
{
	return dip->drv->name;
}

/**
 * ddi_set_driver_private() - attach driver data to a device (9F)
 * @dip:  the device
 * @data: the driver's pointer
 *
 * Context: any; no locking (the driver serialises, as on Solaris).
 */
void ddi_set_driver_private(dev_info_t *dip, void *data)
{
	dip->priv = data;
}

/**
 * ddi_get_driver_private() - driver data of a device (9F)
 * @dip: the device
 *
 * Context: any.
 * Return: the pointer set with ddi_set_driver_private(), or NULL.
 */
void *ddi_get_driver_private(dev_info_t *dip)
{
	return dip->priv;
}

/* ---- file operations of a minor node ---- */

static void i_ddi_minor_release(struct kref *ref)
{
	struct ddi_minor_node *mn = container_of(ref, struct ddi_minor_node,
						 ref);

	mutex_destroy(&mn->fmap_lock);
	mutex_destroy(&mn->own_lock);
	mutex_destroy(&mn->seg_lock);
	kfree(mn);
	atomic_long_dec(&xxddi_stats.nodes);
}

__ddi_hot void i_ddi_minor_rele(struct ddi_minor_node *mn)
{
	kref_put(&mn->ref, i_ddi_minor_release);
}

/**
 * struct i_ddi_fmap - the address_space of one open file of a node
 * @as:     the file's f_mapping: the VMAs mapping the file (and a fork
 *          child's copies of them) are in its i_mmap tree
 * @link:   in the node's @fmaps
 * @parent: for the file of one devmap mapping (i_ddi_vma_own_file()): the
 *          file mmap(2) was called on, held, so the driver's close(9E)
 *          runs only after the last mapping is gone, as on Solaris
 *
 * Linux removes translations by file range (unmap_mapping_range()), not
 * by VMA.  Each open file has an address_space of its own, and each devmap
 * mapping with callbacks a file of its own, so that devmap_unload(9F) of a
 * handle, a remap or a context switch reaches that mapping's translations
 * only, as illumos unloads a handle in its owner's address space only.
 * Revocation walks them all.
 */
struct i_ddi_fmap {
	struct address_space as;
	struct list_head link;
	struct file *parent;
};

/*
 * Give @filp an address_space of its own (see struct i_ddi_fmap); @inode,
 * which the file holds, is its host, as for the inode's own.
 */
static struct i_ddi_fmap *i_ddi_fmap_create(struct ddi_minor_node *mn,
					    struct inode *inode,
					    struct file *filp)
{
	struct i_ddi_fmap *fm = kzalloc(sizeof(*fm), GFP_KERNEL);

	if (!fm)
		return NULL;
	address_space_init_once(&fm->as);
	fm->as.host = inode;
	fm->as.a_ops = &empty_aops;
	mutex_lock(&mn->fmap_lock);
	list_add(&fm->link, &mn->fmaps);
	mutex_unlock(&mn->fmap_lock);
	filp->f_mapping = &fm->as;
	return fm;
}

/* Free @filp's address_space: no VMA of the file is left. */
static void i_ddi_fmap_destroy(struct ddi_minor_node *mn, struct file *filp)
{
	struct i_ddi_fmap *fm = container_of(filp->f_mapping,
					     struct i_ddi_fmap, as);

	mutex_lock(&mn->fmap_lock);
	list_del(&fm->link);
	mutex_unlock(&mn->fmap_lock);
	filp->f_mapping = file_inode(filp)->i_mapping;
	if (fm->parent)
		fput(fm->parent);
	kfree(fm);
}

/* Is @filp the file of one devmap mapping (not one open(2) returned)? */
static bool i_ddi_fmap_is_own(struct file *filp)
{
	return container_of(filp->f_mapping, struct i_ddi_fmap, as)->parent;
}

/**
 * i_ddi_vma_own_file() - give a new devmap mapping a file of its own
 * @mn:  the node
 * @vma: the new mapping (mmap_lock held for writing), of a file of @mn
 *
 * The file is opened on the same path, credentials and flags, without
 * calling the driver's open(9E) (nor, later, close(9E)): the mapping's
 * translations get an address_space of their own (see struct
 * i_ddi_fmap).  /proc/PID/maps still names the node.
 *
 * Context: process context, may sleep; takes mn->fmap_lock and, to open
 * the file, misc_mtx.
 * Return: 0 or a negative errno (ENODEV: the node is going away, ENOMEM).
 */
int i_ddi_vma_own_file(struct ddi_minor_node *mn, struct vm_area_struct *vma)
{
	struct file *filp = vma->vm_file, *own;

	mutex_lock(&mn->own_lock);
	mn->own_parent = filp;
	WRITE_ONCE(mn->own_opener, current);
	own = dentry_open(&filp->f_path, filp->f_flags, filp->f_cred);
	WRITE_ONCE(mn->own_opener, NULL);
	mn->own_parent = NULL;
	mutex_unlock(&mn->own_lock);
	if (IS_ERR(own))
		return PTR_ERR(own);
	vma_set_file(vma, own);
	fput(own);
	return 0;
}

/**
 * i_ddi_minor_unmap_all() - remove every user translation of a node
 * @mn: the node
 *
 * Every open file's address_space, so every process' mappings of @mn.
 *
 * Context: process context, may sleep; takes mn->fmap_lock, then the
 * i_mmap locks.
 */
void i_ddi_minor_unmap_all(struct ddi_minor_node *mn)
{
	struct i_ddi_fmap *fm;

	mutex_lock(&mn->fmap_lock);
	list_for_each_entry(fm, &mn->fmaps, link)
		unmap_mapping_range(&fm->as, 0, 0, 1);
	mutex_unlock(&mn->fmap_lock);
}

static struct cb_ops *i_ddi_node_cb(struct ddi_minor_node *mn)
{
	return mn->cb;
}

static int i_ddi_fmode(struct file *filp)
{
	int mode = 0;

	if (filp->f_mode & FMODE_READ)
		mode |= FREAD;
	if (filp->f_mode & FMODE_WRITE)
		mode |= FWRITE;
	if (filp->f_flags & O_NONBLOCK)
		mode |= FNDELAY;
	if (filp->f_flags & O_EXCL)
		mode |= FEXCL;
	return mode;
}

/*
 * Entry point calls from file operations are SRCU read-side sections: a
 * node's removal sets ->gone and waits (synchronize_srcu) for the calls in
 * flight, without ever blocking a new caller - which may hold mmap_lock
 * (mmap) or need it (a page fault in ioctl's copy), so a sleeping lock
 * here could deadlock against removal.
 */
DEFINE_STATIC_SRCU(i_ddi_node_srcu);

/* Inside a i_ddi_node_srcu section, a node that is not ->gone stays attached. */
static bool i_ddi_node_gone(struct ddi_minor_node *mn)
{
	return READ_ONCE(mn->gone);
}

static int i_ddi_cdev_open(struct inode *inode, struct file *filp)
{
	struct miscdevice *misc = filp->private_data;
	struct ddi_minor_node *mn = container_of(misc, struct ddi_minor_node,
						 misc);
	struct module *owner = mn->owner;
	struct cb_ops *cb = i_ddi_node_cb(mn);
	struct i_ddi_fmap *fm;
	dev_t dev = mn->dev;
	int err = 0, idx;

	/*
	 * misc_open() calls us under misc_mtx, so the node cannot be
	 * deregistered meanwhile; a driver on its way out refuses the module
	 * reference.
	 */
	if (!try_module_get(owner))
		return -ENODEV;
	fm = i_ddi_fmap_create(mn, inode, filp);
	if (!fm) {
		err = -ENOMEM;
		goto fail_module;
	}
	idx = srcu_read_lock(&i_ddi_node_srcu);
	if (i_ddi_node_gone(mn))
		err = -ENODEV;
	else if (READ_ONCE(mn->own_opener) == current)	/* a mapping's own */
		fm->parent = get_file(mn->own_parent);
	else if (cb->cb_open)
		err = -cb->cb_open(&dev, i_ddi_fmode(filp), OTYP_CHR,
				   (cred_t *)filp->f_cred);
	srcu_read_unlock(&i_ddi_node_srcu, idx);
	if (err)
		goto fail;
	kref_get(&mn->ref);
	filp->private_data = mn;
	return 0;
fail:
	i_ddi_fmap_destroy(mn, filp);
fail_module:
	module_put(owner);
	return err;
}

static int i_ddi_cdev_release(struct inode *inode, struct file *filp)
{
	struct ddi_minor_node *mn = filp->private_data;
	struct module *owner = mn->owner;
	struct cb_ops *cb = i_ddi_node_cb(mn);
	int idx;

	idx = srcu_read_lock(&i_ddi_node_srcu);
	if (cb->cb_close && !i_ddi_node_gone(mn) && !i_ddi_fmap_is_own(filp))
		cb->cb_close(mn->dev, i_ddi_fmode(filp), OTYP_CHR,
			     (cred_t *)filp->f_cred);
	srcu_read_unlock(&i_ddi_node_srcu, idx);
	i_ddi_fmap_destroy(mn, filp);
	kref_put(&mn->ref, i_ddi_minor_release);
	module_put(owner);
	return 0;
}

static long i_ddi_cdev_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	struct ddi_minor_node *mn = filp->private_data;
	struct cb_ops *cb = i_ddi_node_cb(mn);
	int mode = i_ddi_fmode(filp) | ddi_mmap_get_model();
	int rval = 0;
	int err, idx;

	if (!cb->cb_ioctl)
		return -ENOTTY;
	if (in_compat_syscall())
		arg = (unsigned long)compat_ptr(arg);
	idx = srcu_read_lock(&i_ddi_node_srcu);
	if (i_ddi_node_gone(mn))
		err = ENODEV;
	else
		err = cb->cb_ioctl(mn->dev, (int)cmd, (intptr_t)arg, mode,
				   (cred_t *)filp->f_cred, &rval);
	srcu_read_unlock(&i_ddi_node_srcu, idx);
	return err ? -err : rval;
}

/* read(9E) or write(9E) of a node through uiomove(9F)'s struct uio. */
static ssize_t i_ddi_cdev_rw(struct kiocb *iocb, struct iov_iter *iter,
			     enum uio_rw rw)
{
	struct ddi_minor_node *mn = iocb->ki_filp->private_data;
	struct cb_ops *cb = i_ddi_node_cb(mn);
	int (*entry)(dev_t dev, struct uio *uiop, cred_t *credp) =
		rw == UIO_READ ? cb->cb_read : cb->cb_write;
	size_t count = iov_iter_count(iter);
	struct uio uio = {
		.uio_loffset = iocb->ki_pos,
		.uio_resid = count,
		.uio_iter = iter,
	};
	size_t moved;
	int err, idx;

	if (!entry)
		return -EINVAL;
	idx = srcu_read_lock(&i_ddi_node_srcu);
	if (i_ddi_node_gone(mn))
		err = ENODEV;
	else
		err = entry(mn->dev, &uio, (cred_t *)iocb->ki_filp->f_cred);
	srcu_read_unlock(&i_ddi_node_srcu, idx);
	moved = count - uio.uio_resid;
	iocb->ki_pos += moved;
	if (err && !moved)
		return -err;
	return moved;
}

static ssize_t i_ddi_cdev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return i_ddi_cdev_rw(iocb, to, UIO_READ);
}

static ssize_t i_ddi_cdev_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return i_ddi_cdev_rw(iocb, from, UIO_WRITE);
}

/*
 * mmap(2) of a node, dispatched as Solaris' specfs does (spec_char_map):
 * the driver's segmap(9E) if it has one; else devmap_setup if the driver
 * is D_DEVMAP or has no mmap(9E); else the legacy mmap(9E) path.
 */
static __ddi_hot int i_ddi_cdev_mmap_dispatch(struct ddi_minor_node *mn,
					      struct file *filp,
					      struct vm_area_struct *vma)
{
	struct cb_ops *cb = i_ddi_node_cb(mn);

	if (cb->cb_segmap) {
		struct as as = { .a_vma = vma, .a_mn = mn };
		caddr_t addr = (caddr_t)vma->vm_start;

		return -cb->cb_segmap(mn->dev, (off_t)(vma->vm_pgoff << PAGE_SHIFT),
				      &as, &addr,
				      (off_t)(vma->vm_end - vma->vm_start),
				      i_ddi_vma_prot(vma),
				      i_ddi_vma_maxprot(vma),
				      i_ddi_vma_maptype(vma),
				      (cred_t *)filp->f_cred);
	}
	if ((cb->cb_flag & D_DEVMAP) || !cb->cb_mmap)
		return i_devmap_setup_vma(mn, vma);
	return i_mmap_setup_vma(mn, vma);
}

static __ddi_hot int i_ddi_cdev_mmap(struct file *filp,
				     struct vm_area_struct *vma)
{
	struct ddi_minor_node *mn = filp->private_data;
	int err, idx;

	idx = srcu_read_lock(&i_ddi_node_srcu);
	if (i_ddi_node_gone(mn))
		err = -ENODEV;
	else
		err = i_ddi_cdev_mmap_dispatch(mn, filp, vma);
	srcu_read_unlock(&i_ddi_node_srcu, idx);
	return err;
}

#if XX_HUGE_PFNMAP
/*
 * Where a new mapping of a node goes.  The kernel's THP placement puts a
 * mapping of 2 MiB or more at an address congruent to its file offset
 * modulo 2 MiB, so that its 2 MiB pages can be PMD entries.  Where PFN maps
 * have PUD entries, a 64-bit process's mapping of 1 GiB or more (no
 * MAP_FIXED) is placed congruent modulo 1 GiB the same way: a range 1 GiB
 * longer is asked for and the mapping put inside it.  If that range cannot
 * be had, or the caller's address hint is free, it is the THP placement.
 */
static __ddi_hot unsigned long i_ddi_get_unmapped_area(struct file *filp,
						       unsigned long addr,
						       unsigned long len,
						       unsigned long pgoff,
						       unsigned long flags)
{
	unsigned long off = pgoff << PAGE_SHIFT, ret;

	if (!XX_HUGE_PFNMAP_PUD || len < PUD_SIZE || (flags & MAP_FIXED) ||
	    in_compat_syscall() || len > TASK_SIZE - PUD_SIZE)
		return thp_get_unmapped_area(filp, addr, len, pgoff, flags);
	ret = thp_get_unmapped_area(filp, addr, len + PUD_SIZE, pgoff, flags);
	if (IS_ERR_VALUE(ret))
		return thp_get_unmapped_area(filp, addr, len, pgoff, flags);
	if (addr && ret == addr)
		return ret;
	return ret + ((off - ret) & (PUD_SIZE - 1));
}
#else
#define i_ddi_get_unmapped_area	NULL
#endif

static const struct file_operations i_ddi_cdev_fops = {
	.owner = THIS_MODULE,
	.open = i_ddi_cdev_open,
	.release = i_ddi_cdev_release,
	.unlocked_ioctl = i_ddi_cdev_ioctl,
	.compat_ioctl = i_ddi_cdev_ioctl,
	.read_iter = i_ddi_cdev_read_iter,
	.write_iter = i_ddi_cdev_write_iter,
	.mmap = i_ddi_cdev_mmap,
	/* 2 MiB (1 GiB) congruent addresses where PMD (PUD) entries can be */
	.get_unmapped_area = i_ddi_get_unmapped_area,
	.llseek = noop_llseek,
};

/**
 * ddi_create_minor_node() - create a device node (ddi_create_minor_node(9F))
 * @dip:       the device
 * @name:      node name: /dev/@name (at most 31 characters)
 * @spec_type: S_IFCHR (block nodes are not supported)
 * @minor_num: the minor number entry points will see in getminor(dev);
 *             below 2^20
 * @node_type: DDI_PSEUDO or another DDI_NT_* string (informational)
 * @flag:      0 (clone nodes are not supported)
 *
 * The node is a Linux misc device with a dynamic minor and mode 0600.
 *
 * Context: process context, may sleep; from attach(9E).
 * Return: DDI_SUCCESS, or DDI_FAILURE on a bad argument, a name already in
 * use, or a shortage of memory or minors.
 */
int ddi_create_minor_node(dev_info_t *dip, const char *name, int spec_type,
			  minor_t minor_num, const char *node_type, int flag)
{
	struct ddi_minor_node *mn;

	if (!dip || !name || spec_type != S_IFCHR || flag != 0 ||
	    minor_num >= (1U << MINORBITS) ||
	    strlen(name) >= sizeof(mn->name))
		return DDI_FAILURE;

	mn = kzalloc(sizeof(*mn), GFP_KERNEL);
	if (!mn)
		return DDI_FAILURE;
	atomic_long_inc(&xxddi_stats.nodes);
	kref_init(&mn->ref);
	mutex_init(&mn->fmap_lock);
	INIT_LIST_HEAD(&mn->fmaps);
	mutex_init(&mn->own_lock);
	mutex_init(&mn->seg_lock);
	INIT_LIST_HEAD(&mn->segs);
	mn->dip = dip;
	mn->owner = dip->drv->owner;
	mn->cb = &dip->drv->cb;
	strscpy(mn->name, name, sizeof(mn->name));
	mn->misc.minor = MISC_DYNAMIC_MINOR;
	mn->misc.name = mn->name;
	mn->misc.fops = &i_ddi_cdev_fops;
	mn->misc.mode = 0600;
	mn->misc.parent = dip->pdev ? &dip->pdev->dev : NULL;
	mn->dev = MKDEV(MISC_MAJOR, minor_num);
	if (misc_register(&mn->misc)) {
		kfree(mn);
		atomic_long_dec(&xxddi_stats.nodes);
		return DDI_FAILURE;
	}
	list_add_tail(&mn->link, &dip->minors);
	return DDI_SUCCESS;
}

/**
 * ddi_remove_minor_node() - remove device nodes (ddi_remove_minor_node(9F))
 * @dip:  the device
 * @name: the node to remove, or NULL for all of the device's nodes
 *
 * The /dev entry goes at once.  Every user mapping of the node is revoked
 * first: its handles get devmap_unmap(9E), its translations are removed and
 * later accesses get SIGBUS; open files get ENODEV from then on and keep
 * the node's memory until they are closed.  So a device can be detached
 * (Linux unbinds at will) while mapped.
 *
 * Context: process context, may sleep; from detach(9E) or attach failure.
 */
void ddi_remove_minor_node(dev_info_t *dip, const char *name)
{
	struct ddi_minor_node *mn, *tmp;

	list_for_each_entry_safe(mn, tmp, &dip->minors, link) {
		if (name && strcmp(name, mn->name))
			continue;
		list_del(&mn->link);
		misc_deregister(&mn->misc);
		WRITE_ONCE(mn->gone, true);
		synchronize_srcu(&i_ddi_node_srcu);  /* entry points in flight */
		i_devmap_revoke(mn);
		kref_put(&mn->ref, i_ddi_minor_release);
	}
}

/* ---- module linkage ---- */

static struct ddi_driver *i_ddi_linkage_driver(struct modlinkage *modlp)
{
	return modlp->ml_priv;
}

/* Detach @dip and free it (its driver's lock held, or the PCI core's). */
static void i_ddi_detach_one(struct ddi_driver *drv, struct dev_info *dip)
{
	if (drv->ops->devo_detach(dip, DDI_DETACH) != DDI_SUCCESS)
		pr_warn("%s%d: detach failed; removing anyway\n",
			drv->name, dip->instance);
	ddi_remove_minor_node(dip, NULL);
	i_devmap_ctx_free(dip);
	i_devmap_regs_detach(dip);
}

static void i_ddi_detach_all(struct ddi_driver *drv)
{
	struct dev_info *dip, *tmp;

	list_for_each_entry_safe_reverse(dip, tmp, &drv->instances, link) {
		i_ddi_detach_one(drv, dip);
		list_del(&dip->link);
		kfree(dip);
	}
}

/*
 * A PCI function bound to the driver is a new instance, numbered from 1.
 * Like a Solaris PCI nexus, xxddi enables the function and claims its
 * regions before attach(9E) and undoes both after detach(9E).
 */
static int i_ddi_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ddi_driver *drv = container_of(to_pci_driver(pdev->dev.driver),
					      struct ddi_driver, pci);
	struct dev_info *dip;
	int err;

	dip = kzalloc(sizeof(*dip), GFP_KERNEL);
	if (!dip)
		return -ENOMEM;
	dip->drv = drv;
	dip->pdev = pdev;
	INIT_LIST_HEAD(&dip->minors);
	err = ida_alloc_min(&drv->ida, 1, GFP_KERNEL);
	if (err < 0)
		goto err_free;
	dip->instance = err;
	err = pci_enable_device(pdev);
	if (err)
		goto err_ida;
	err = pci_request_regions(pdev, drv->name);
	if (err)
		goto err_disable;
	pci_set_drvdata(pdev, dip);
	if (drv->ops->devo_attach(dip, DDI_ATTACH) != DDI_SUCCESS) {
		err = -ENODEV;
		goto err_regions;
	}
	mutex_lock(&drv->lock);
	list_add_tail(&dip->link, &drv->instances);
	mutex_unlock(&drv->lock);
	return 0;

err_regions:
	ddi_remove_minor_node(dip, NULL);
	i_devmap_ctx_free(dip);
	i_devmap_regs_detach(dip);
	pci_set_drvdata(pdev, NULL);
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_ida:
	ida_free(&drv->ida, dip->instance);
err_free:
	kfree(dip);
	return err;
}

static void i_ddi_pci_remove(struct pci_dev *pdev)
{
	struct dev_info *dip = pci_get_drvdata(pdev);
	struct ddi_driver *drv = dip->drv;

	mutex_lock(&drv->lock);
	list_del(&dip->link);
	mutex_unlock(&drv->lock);
	i_ddi_detach_one(drv, dip);
	pci_set_drvdata(pdev, NULL);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	ida_free(&drv->ida, dip->instance);
	kfree(dip);
}

/*
 * cb_ops(9S) / dev_ops(9S) slots: nodev (or NULL) means "not provided",
 * nulldev "succeeds, does nothing".  Neither is ever called through a
 * slot's type: mod_install() resolves them into the driver's copy of its
 * cb_ops, with these typed stand-ins where the slot is called.
 */
static bool i_ddi_slot_absent(const void *fn)
{
	return !fn || fn == nodev;
}

static bool i_ddi_slot_func(const void *fn)
{
	return !i_ddi_slot_absent(fn) && fn != nulldev;
}

/* cb_open = nodev: every open(2) fails with nodev's ENXIO. */
static int i_ddi_open_nodev(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	return ENXIO;
}

static int i_ddi_rw_nulldev(dev_t dev, struct uio *uiop, cred_t *credp)
{
	return 0;
}

static int i_ddi_ioctl_nulldev(dev_t dev, int cmd, intptr_t arg, int mode,
			       cred_t *credp, int *rvalp)
{
	return 0;
}

/* Why @ops cannot be installed (a member xxddi cannot ignore), or NULL. */
static const char *i_ddi_ops_refusal(const struct dev_ops *ops)
{
	const struct cb_ops *cb = ops->devo_cb_ops;

	if (ops->devo_rev != DEVO_REV)
		return "devo_rev is not DEVO_REV";
	if (!i_ddi_slot_func(ops->devo_attach))
		return "devo_attach is not a function";
	if (!i_ddi_slot_func(ops->devo_detach))
		return "devo_detach is not a function (Linux cannot refuse an unload)";
	if (ops->devo_bus_ops)
		return "devo_bus_ops is set (nexus drivers are not supported)";
	if (!cb)
		return "devo_cb_ops is NULL";
	if (cb->cb_rev < 0 || cb->cb_rev > CB_REV)
		return "cb_rev is not CB_REV";
	if (!i_ddi_slot_absent(cb->cb_strategy) ||
	    !i_ddi_slot_absent(cb->cb_print) || !i_ddi_slot_absent(cb->cb_dump))
		return "cb_strategy, cb_print or cb_dump is set (no block devices)";
	if (!i_ddi_slot_absent(cb->cb_chpoll) && cb->cb_chpoll != nochpoll)
		return "cb_chpoll is set (poll(2) is not supported)";
	if (cb->cb_str)
		return "cb_str is set (STREAMS is not supported)";
	if (!i_ddi_slot_absent(cb->cb_aread) || !i_ddi_slot_absent(cb->cb_awrite))
		return "cb_aread or cb_awrite is set (no asynchronous I/O)";
	if (cb->cb_devmap == nulldev || cb->cb_mmap == nulldev ||
	    cb->cb_segmap == nulldev)
		return "cb_devmap, cb_mmap or cb_segmap is nulldev";
	return NULL;
}

/*
 * Check @drv's dev_ops and make drv->cb, the copy of its cb_ops that the
 * file operations call: NULL for every slot not provided or ignored.
 */
static int i_ddi_install_ops(struct ddi_driver *drv)
{
	const char *why = i_ddi_ops_refusal(drv->ops);
	const struct cb_ops *cb;
	struct cb_ops *c = &drv->cb;

	if (why) {
		pr_warn("%s: mod_install refused: %s\n", drv->name, why);
		return EINVAL;
	}
	cb = drv->ops->devo_cb_ops;
	memset(c, 0, sizeof(*c));
	if (cb->cb_open == nodev)
		c->cb_open = i_ddi_open_nodev;
	else if (i_ddi_slot_func(cb->cb_open))
		c->cb_open = cb->cb_open;
	if (i_ddi_slot_func(cb->cb_close))
		c->cb_close = cb->cb_close;
	if (cb->cb_read == nulldev)
		c->cb_read = i_ddi_rw_nulldev;
	else if (i_ddi_slot_func(cb->cb_read))
		c->cb_read = cb->cb_read;
	if (cb->cb_write == nulldev)
		c->cb_write = i_ddi_rw_nulldev;
	else if (i_ddi_slot_func(cb->cb_write))
		c->cb_write = cb->cb_write;
	if (cb->cb_ioctl == nulldev)
		c->cb_ioctl = i_ddi_ioctl_nulldev;
	else if (i_ddi_slot_func(cb->cb_ioctl))
		c->cb_ioctl = cb->cb_ioctl;
	if (i_ddi_slot_func(cb->cb_devmap))
		c->cb_devmap = cb->cb_devmap;
	if (i_ddi_slot_func(cb->cb_mmap))
		c->cb_mmap = cb->cb_mmap;
	if (i_ddi_slot_func(cb->cb_segmap))
		c->cb_segmap = cb->cb_segmap;
	c->cb_flag = cb->cb_flag;
	c->cb_rev = cb->cb_rev;
	return 0;
}

/**
 * __mod_install() - install a driver (mod_install(9F)); use mod_install()
 * @modlp: the driver's modlinkage, whose first linkage is a struct modldrv
 * @owner: the driver's module (mod_install() passes THIS_MODULE)
 *
 * Creates the driver's pseudo instance, 0, and calls its attach(9E) with
 * DDI_ATTACH; if the dev_ops name PCI functions (devo_pci_ids), registers
 * a Linux PCI driver of the module's name, whose every bound function
 * becomes an instance (1, 2, ...) attached the same way.  Functions can
 * also be bound through the PCI core's new_id and driver_override.
 *
 * Context: process context, may sleep; from the driver's module init.
 * Return: 0, or a positive errno: EINVAL for a malformed linkage, ENOMEM,
 * EBUSY if already installed, ENXIO if attach(9E) of instance 0 failed,
 * or the PCI driver registration's error.
 */
int __mod_install(struct modlinkage *modlp, struct module *owner)
{
	struct modldrv *md;
	struct ddi_driver *drv;
	struct dev_info *dip;
	int err;

	if (!modlp || modlp->ml_rev != MODREV_1 || !modlp->ml_linkage[0])
		return EINVAL;
	if (modlp->ml_priv)
		return EBUSY;
	md = modlp->ml_linkage[0];
	if (md->drv_modops != &mod_driverops || !md->drv_dev_ops)
		return EINVAL;

	drv = kzalloc(sizeof(*drv), GFP_KERNEL);
	dip = kzalloc(sizeof(*dip), GFP_KERNEL);
	if (!drv || !dip) {
		kfree(drv);
		kfree(dip);
		return ENOMEM;
	}
	drv->ops = md->drv_dev_ops;
	drv->owner = owner;
	drv->name = owner ? module_name(owner) : "ddi";
	err = i_ddi_install_ops(drv);
	if (err) {
		kfree(drv);
		kfree(dip);
		return err;
	}
	mutex_init(&drv->lock);
	INIT_LIST_HEAD(&drv->instances);
	ida_init(&drv->ida);
	dip->drv = drv;
	dip->instance = 0;
	INIT_LIST_HEAD(&dip->minors);

	if (drv->ops->devo_attach(dip, DDI_ATTACH) != DDI_SUCCESS) {
		ddi_remove_minor_node(dip, NULL);
		err = ENXIO;
		goto err_free;
	}
	list_add_tail(&dip->link, &drv->instances);
	modlp->ml_priv = drv;
	i_ddi_stats_create(drv);

	if (drv->ops->devo_pci_ids) {
		drv->pci.name = drv->name;
		drv->pci.id_table = drv->ops->devo_pci_ids;
		drv->pci.probe = i_ddi_pci_probe;
		drv->pci.remove = i_ddi_pci_remove;
		err = -__pci_register_driver(&drv->pci, owner, drv->name);
		if (err) {
			i_ddi_stats_remove(drv);
			mutex_lock(&drv->lock);
			i_ddi_detach_all(drv);
			mutex_unlock(&drv->lock);
			modlp->ml_priv = NULL;
			goto err_free_drv;
		}
		drv->pci_registered = true;
	}
	return 0;

err_free:
	kfree(dip);
err_free_drv:
	i_ddi_leak_check(drv->name, "failed mod_install");
	ida_destroy(&drv->ida);
	kfree(drv);
	return err;
}

/**
 * mod_remove() - remove a driver (mod_remove(9F))
 * @modlp: the linkage given to mod_install()
 *
 * Unregisters the PCI driver (detaching the PCI instances), then detaches
 * the pseudo instance (detach(9E) with DDI_DETACH) and removes the nodes.
 * Linux cannot refuse a module unload at this point; the module reference
 * held by every open file and mapping is what keeps a busy driver loaded,
 * so a detach failure is only logged.
 *
 * Context: process context, may sleep; from the driver's module exit.
 * Return: 0, or EINVAL if the driver is not installed.
 */
int mod_remove(struct modlinkage *modlp)
{
	struct ddi_driver *drv = modlp ? i_ddi_linkage_driver(modlp) : NULL;

	if (!drv)
		return EINVAL;
	i_ddi_stats_remove(drv);
	if (drv->pci_registered)
		pci_unregister_driver(&drv->pci);	/* PCI instances */
	mutex_lock(&drv->lock);
	i_ddi_detach_all(drv);
	mutex_unlock(&drv->lock);
	i_ddi_leak_check(drv->name, "mod_remove");
	mutex_destroy(&drv->lock);
	ida_destroy(&drv->ida);
	kfree(drv);
	modlp->ml_priv = NULL;
	return 0;
}
