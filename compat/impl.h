/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private structures of xxddi, the DDI compatibility layer (linked into
 * each driver module).  Drivers see only the opaque types of include/sys/;
 * these are the Linux objects behind them.
 */
#ifndef _XXDDI_IMPL_H
#define _XXDDI_IMPL_H

#include <linux/compat.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/mmu_notifier.h>
#include <linux/workqueue.h>
#include <linux/pci.h>
#include <linux/idr.h>
#include <sys/sunddi.h>

/*
 * __ddi_hot marks the functions that every mmap(2) and munmap(2) of a node
 * runs (the cb_ops dispatch, segmap(9E) and devmap(9E) handling, the page
 * table fill, the unmap): the compiler puts functions with the hot
 * attribute in .text.hot, which the module loader places as one block, so
 * that the path spans three or four of the module's 4 KiB text pages, not
 * ten.  Each page is an instruction TLB entry to miss; under QEMU's TCG,
 * where a call or return to another page is a lookup of the translated
 * code, the scattered path made the first BAR mmap after a batch of
 * munmaps take twice sysfs' time (docs/PERFORMANCE.md).
 */
#define __ddi_hot	__attribute__((__hot__))

/**
 * struct ddi_driver - one installed driver (mod_install).
 * @ops:       the driver's dev_ops
 * @cb:        the driver's cb_ops, nodev/nulldev entries resolved
 * @owner:     the driver's module: every open file of its nodes holds a
 *             reference on it, so an open file or a mapping pins the driver
 * @name:      driver name (the module's name)
 * @lock:      protects @instances
 * @instances: attached dev_info
 * @pci:       the Linux PCI driver, if @ops->devo_pci_ids
 * @pci_registered: @pci is registered
 * @ida:       instance numbers of PCI functions (from 1)
 * @dbg_dir:   debugfs directory created for @dbg_stats, if any
 * @dbg_stats: debugfs NAME/ddi_stats (the layer's live objects)
 */
struct ddi_driver {
	struct dev_ops *ops;
	struct cb_ops cb;
	struct module *owner;
	const char *name;
	struct mutex lock;		/* protects @instances */
	struct list_head instances;
	struct pci_driver pci;
	bool pci_registered;
	struct ida ida;
	struct dentry *dbg_dir;
	struct dentry *dbg_stats;
};

/**
 * struct dev_info - a device instance (dev_info_t).
 * @drv:      the driver
 * @instance: instance number
 * @link:     in drv->instances
 * @minors:   minor nodes created by ddi_create_minor_node()
 * @priv:     ddi_set_driver_private() data
 * @ctx:      the device context of devmap_do_ctxmgt()
 * @pdev:     the PCI function, for PCI instances
 */
struct dev_info {
	struct ddi_driver *drv;
	int instance;
	struct list_head link;
	struct list_head minors;
	void *priv;
	struct devmap_ctx *ctx;
	struct pci_dev *pdev;
};

/**
 * struct ddi_minor_node - a character node: a Linux misc device.
 * @ref:    one for the creator, one per open file
 * @dip:    the instance; valid only until the node is removed (@gone)
 * @owner:  the driver's module (open files hold a reference on it)
 * @cb:     the driver's entry points (valid while @owner is loaded)
 * @dev:    the DDI device number handed to entry points
 * @fmaps:  the address_spaces of the node's open files (struct
 *          i_ddi_fmap in dip.c): revocation unmaps them all
 * @fmap_lock: protects @fmaps
 * @own_lock: serialises i_ddi_vma_own_file(), which sets @own_opener and
 *          @own_parent while it opens a mapping's own file
 * @own_opener: the task opening a mapping's own file, or NULL
 * @own_parent: the file that mapping was made on
 * @gone:   the node was removed (detach): entry points are not called any
 *          more; open files get ENODEV, mappings SIGBUS
 * @seg_lock: protects @segs
 * @segs:   devmap segments mapping the node, protected by @seg_lock
 * @misc:   the Linux misc device (/dev/@name)
 * @link:   in dip->minors
 * @name:   node name
 */
struct ddi_minor_node {
	struct kref ref;
	struct dev_info *dip;
	struct module *owner;
	struct cb_ops *cb;
	dev_t dev;
	struct list_head fmaps;
	struct mutex fmap_lock;		/* protects @fmaps */
	struct mutex own_lock;
	struct task_struct *own_opener;
	struct file *own_parent;
	bool gone;
	struct mutex seg_lock;		/* protects @segs */
	struct list_head segs;
	struct list_head link;
	struct miscdevice misc;
	char name[32];
};

/**
 * struct ddi_umem_cookie - kernel memory from ddi_umem_alloc().
 * @ref:    one for the allocator, one per devmap handle that maps it
 * @kva:    kernel virtual address (vmap of @pages)
 * @size:   bytes, a page multiple
 * @npages: number of pages
 * @pages:  the pages, order 0, zeroed
 * @trash:  DDI_UMEM_TRASH: every entry of @pages is the same page, @kva is
 *          NULL
 * @locked: ddi_umem_lock(): @pages are a process' pages, pinned; @kva is
 *          NULL
 * @dirty:  @locked for writing: the pages are marked dirty when unpinned
 * @mm:     @locked: the process' address space (held with mmgrab), whose
 *          pinned_vm counts the pages
 * @cbops:  umem_lockmemory() with a cleanup callback: the driver's vector
 *          (a copy, as illumos keeps)
 * @mni:    the callback's notifier on the locked range of @mm; while it is
 *          registered it holds a reference on the cookie
 * @cb_work: runs the cleanup callback in process context
 * @cb_lock: protects @cb_armed and @cb_gone
 * @cb_armed: the notifier is registered and neither has the callback been
 *          queued nor has ddi_umem_unlock() disarmed it; whoever clears it
 *          removes the notifier and drops its reference
 * @cb_gone: the range was unmapped or its address space torn down
 */
struct ddi_umem_cookie {
	struct kref ref;
	void *kva;
	size_t size;
	unsigned long npages;
	struct page **pages;
	bool trash;
	bool locked;
	bool dirty;
	struct mm_struct *mm;
#if IS_ENABLED(CONFIG_MMU_NOTIFIER)
	struct umem_callback_ops cbops;
	struct mmu_interval_notifier mni;
	struct work_struct cb_work;
	spinlock_t cb_lock;	/* protects cb_armed and cb_gone */
	bool cb_armed;
	bool cb_gone;
#endif
};

void i_ddi_umem_hold(struct ddi_umem_cookie *cp);
void i_ddi_umem_rele(struct ddi_umem_cookie *cp);
void i_ddi_umem_drain(void);

/* devmap_handle.type */
#define DEVMAP_TYPE_NONE	0
#define DEVMAP_TYPE_UMEM	1
#define DEVMAP_TYPE_DEVMEM	2

struct devmap_seg;

/**
 * struct devmap_handle - one contiguous piece of a user mapping
 * (devmap_cookie_t).
 * @link:     in the segment's handle list, in user offset order
 * @seg:      the segment (mapping) the handle belongs to
 * @dev:      device number
 * @dip:      instance that set the handle up
 * @uoff:     user (mmap) offset of the handle's first byte
 * @len:      bytes, a page multiple
 * @prot:     protection requested by mmap(2), with PROT_USER
 * @maxprot:  the highest protection the driver allows (set up time)
 * @flags:    DEVMAP_* flags given at set up
 * @type:     DEVMAP_TYPE_*; NONE until a *_setup() succeeded
 * @invalid:  DEVMAP_MAPPING_INVALID and not remapped yet: nothing to load
 * @cookie:   umem: the memory (holds a reference)
 * @koff:     umem: byte offset of the handle's first byte in @cookie
 * @setup_len: bytes the setup call exported
 * @pfn:      devmem: page frame number of the handle's first page
 * @cache:    devmem: the caching of the mapping (DEVMAP_CACHE_*)
 * @regs:     devmem: the reservation of the registers' memory type, held
 *            while user translations may exist (shared by the handles
 *            split or copied from this one, and other handles it covers)
 * @callbackops: devmap_callback_ctl(9S) or NULL
 * @pvtp:     the driver's private data (devmap_map/dup/unmap)
 * @error:    errno of the last failed setup call on this handle
 *
 * After mmap(2) returned, the fields are protected by the segment's lock.
 */
struct devmap_handle {
	struct list_head link;
	struct devmap_seg *seg;
	dev_t dev;
	struct dev_info *dip;
	u64 uoff;
	size_t len;
	uint_t prot;
	uint_t maxprot;
	uint_t flags;
	int type;
	bool invalid;
	struct ddi_umem_cookie *cookie;
	size_t koff;
	size_t setup_len;
	unsigned long pfn;
	int cache;
	struct devmap_regs *regs;
	struct devmap_callback_ctl *callbackops;
	void *pvtp;
	int error;
};

/**
 * struct devmap_seg - the devmap segment of one mmap(2) (Solaris' segdev):
 * its handles, in user offset order.
 * @ref:      one per VMA using it
 * @lock:     protects @handles, the handles' fields and @fault*
 * @mm:       the address space of its VMAs (a fork gets a segment of its own)
 * @mapping:  the address_space of the file mapped (for devmap_unload: its
 *            process' mappings only, see struct i_ddi_fmap)
 * @mn:       the minor node mapped (a reference held)
 * @handles:  the handles, in user offset order
 * @moved_start: user offset of the last mremap move target, whose old
 *            VMA's close must not unmap the handles
 * @moved_len: its length in bytes
 * @fault_vmf: the fault being served while devmap_access(9E) runs
 * @fault_loaded: devmap_load() mapped the faulting page
 * @mn_link:  in the node's list of segments (for revocation)
 * @revoked:  the device is going away: nothing is loaded any more, every
 *            access gets SIGBUS (DEVMAP_REVOKED), and then the handles
 *            are gone too (DEVMAP_RELEASED)
 * @first:    the memory of the segment's first handle (most mappings have
 *            one): one allocation per mmap(2), not two
 * @first_taken: @first is, or was, a handle (it is used once)
 *
 * Linux splits a VMA for munmap, mprotect and mremap without telling the
 * driver which; all pieces share the segment and handles are found by
 * user (file) offset, which splits preserve.  Handles change only when a
 * VMA goes away (close): then the part of the handles it covered is
 * unmapped, which is what Solaris' segdev_unmap does.
 */
struct devmap_seg {
	struct kref ref;
	struct mutex lock;		/* see above */
	struct list_head mn_link;
	int revoked;
	struct mm_struct *mm;
	struct address_space *mapping;
	struct ddi_minor_node *mn;
	struct list_head handles;
	u64 moved_start;
	u64 moved_len;
	struct vm_fault *fault_vmf;
	bool fault_loaded;
	bool first_taken;
	struct devmap_handle first;
};

/* devmap_seg.revoked */
#define DEVMAP_LIVE		0
#define DEVMAP_REVOKED		1
#define DEVMAP_RELEASED		2

/**
 * struct devmap_regs - the memory type reservation (x86 PAT) of a register
 * set that devmem handles hold while user translations of its registers
 * may exist: the translations take that memory type.  One per register
 * set and caching, shared by the handles mapping it (compat/devmem.c);
 * with the last handle it is kept for the next mapping until the device
 * detaches.
 * @ref:     one per devmem handle using it
 * @link:    in devmem.c's list of reservations
 * @dip:     the device, until it detaches (then NULL: released with the
 *           last handle)
 * @phys:    physical address of the register set, page aligned
 * @len:     bytes, a page multiple
 * @cache:   DEVMAP_CACHE_UC or DEVMAP_CACHE_WC
 * @kept:    no handle holds it (@ref is 0): kept for the next mapping
 * @prot_ok: a translation made by vmf_insert_pfn() (which takes the memory
 *           type the PAT holds) equalled one made with the mapping's own
 *           protection: the reservation got the memory type @cache asked
 *           for, so the protection of a mapping of @cache is the whole
 *           story (set once, never cleared)
 * @va:      uncached: the kernel mapping (ioremap()) that holds the
 *           reservation; write-combining: NULL (arch_io_reserve_memtype_wc())
 */
struct devmap_regs {
	struct kref ref;
	struct list_head link;
	dev_info_t *dip;
	resource_size_t phys;
	size_t len;
	int cache;
	bool kept;
	bool prot_ok;
	void __iomem *va;
};

/**
 * struct xxddi_stats - live objects of the layer in this module, for tests
 * and leak hunting (debugfs MODULE/ddi_stats).  All are zero once the
 * module's driver is removed (compat/main.c).
 * @handles:    devmap handles
 * @segs:       devmap segments (mmap(2) calls)
 * @vmas:       VMAs of devmap and mmap(9E) mappings
 * @cookies:    ddi_umem_alloc() cookies
 * @umem_pages: their pages
 * @regmaps:    register mappings and devmap_regs memtype reservations
 *              that handles hold
 * @regs_kept:  devmap_regs reservations kept for the next mapping (no
 *              handle; bounded: one per register set and caching, freed
 *              when the device detaches)
 * @nodes:      minor nodes, incl. removed ones
 */
struct xxddi_stats {
	atomic_long_t handles;
	atomic_long_t segs;
	atomic_long_t vmas;
	atomic_long_t cookies;
	atomic_long_t umem_pages;
	atomic_long_t regmaps;
	atomic_long_t regs_kept;
	atomic_long_t nodes;
};

extern struct xxddi_stats xxddi_stats;

void i_ddi_stats_create(struct ddi_driver *drv);
void i_ddi_stats_remove(struct ddi_driver *drv);
bool i_ddi_leak_check(const char *name, const char *when);

/**
 * struct devmap_ctx - a device context shared by all processes of a device
 * (devmap_do_ctxmgt(9F)): one owner handle at a time; another handle may
 * take it only after the owner held it for @timeout jiffies.
 * @lock:    protects the rest
 * @owner:   the handle that owns the context, or NULL
 * @expires: jiffies until which @owner keeps it
 * @timeout: devmap_set_ctx_timeout(9F)'s minimum, in jiffies
 */
struct devmap_ctx {
	struct mutex lock;		/* protects the rest */
	struct devmap_handle *owner;
	unsigned long expires;
	clock_t timeout;
};

/**
 * struct as - the address space argument of segmap(9E): the new VMA.
 * @a_vma: the VMA mmap(2) created
 * @a_mn:  the minor node being mapped
 */
struct as {
	struct vm_area_struct *a_vma;
	struct ddi_minor_node *a_mn;
};

/* devmap_handle.cache */
#define DEVMAP_CACHE_WB		0
#define DEVMAP_CACHE_UC		1
#define DEVMAP_CACHE_WC		2

/**
 * struct ddi_acc_impl - a register mapping (ddi_acc_handle_t).
 * @dip:    the device
 * @rnumber: register set
 * @config: configuration space: accessors use pci_{read,write}_config_*
 *          and "addresses" are offsets from NULL
 * @io:     an I/O port BAR (@base is a pci_iomap_range() cookie)
 * @base:   kernel address of the mapped range (MMIO or port cookie)
 * @phys:   physical address of @base (memory BARs)
 * @len:    bytes mapped
 * @attr:   the access attributes
 * @link:   in the list hat_getkpfnum() searches
 */
struct ddi_acc_impl {
	struct dev_info *dip;
	uint_t rnumber;
	bool config;
	bool io;
	void __iomem *base;
	resource_size_t phys;
	size_t len;
	ddi_device_acc_attr_t attr;
	struct list_head link;
};

/*
 * The BAR index of register set @rnumber (1, 2, ...: the implemented BARs
 * in order) of @pdev, or -1 for configuration space or a number past the
 * last implemented BAR.  The upper half of a 64-bit BAR and an
 * unimplemented BAR have no resource flags.
 */
static inline int i_ddi_reg_bar(struct pci_dev *pdev, uint_t rnumber)
{
	int i;

	if (rnumber == 0)
		return -1;
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (pdev->resource[i].flags && --rnumber == 0)
			return i;
	return -1;
}

/*
 * The resource of register set @rnumber (a BAR) of @dip, or an error:
 * DDI_ME_RNUMBER_RANGE for a bad number, configuration space or a
 * non-PCI instance.  Inline: every BAR mmap looks its register set up
 * twice (the driver's ddi_dev_regflags() and devmap_devmem_setup()).
 */
static inline int i_ddi_reg_resource(dev_info_t *dip, uint_t rnumber,
				     struct resource **rp)
{
	int bar;

	if (!dip || !dip->pdev)
		return DDI_ME_RNUMBER_RANGE;
	bar = i_ddi_reg_bar(dip->pdev, rnumber);
	if (bar < 0)
		return DDI_ME_RNUMBER_RANGE;
	*rp = &dip->pdev->resource[bar];
	return DDI_SUCCESS;
}

bool i_ddi_reg_page_exclusive(struct resource *r);
ulong_t i_ddi_regs_kpfnum(caddr_t addr);

/* Linux VMA protection bits @r/@w/@x of @vm_flags -> Solaris PROT_*. */
static inline uint_t i_ddi_prot(unsigned long vm_flags, unsigned long r,
				unsigned long w, unsigned long x)
{
	uint_t prot = PROT_USER;	/* every mapping from mmap(2) is a user's */

	if (vm_flags & r)
		prot |= PROT_READ;
	if (vm_flags & w)
		prot |= PROT_WRITE;
	if (vm_flags & x)
		prot |= PROT_EXEC;
	return prot;
}

/* The protection of @vma as Solaris hands it to a driver (with PROT_USER). */
static inline uint_t i_ddi_vma_prot(struct vm_area_struct *vma)
{
	return i_ddi_prot(vma->vm_flags, VM_READ, VM_WRITE, VM_EXEC);
}

/* The maximum protection of @vma (PROT_WRITE gone for read-only files). */
static inline uint_t i_ddi_vma_maxprot(struct vm_area_struct *vma)
{
	return i_ddi_prot(vma->vm_flags, VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC);
}

/* MAP_SHARED or MAP_PRIVATE (VM_MAYSHARE: mmap drops VM_SHARED for r/o). */
static inline uint_t i_ddi_vma_maptype(struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_MAYSHARE) ? MAP_SHARED : MAP_PRIVATE;
}

/* ddi_mmap_get_model(), inline for the devmap loop of every mmap(2) */
static inline model_t i_ddi_mmap_model(void)
{
	return in_compat_syscall() ? DDI_MODEL_ILP32 : DDI_MODEL_NATIVE;
}

/**
 * i_vma_uoff() - the user (file) offset of a mapping's first byte
 * @vma: the mapping
 *
 * Return: the offset in bytes.
 */
static inline u64 i_vma_uoff(struct vm_area_struct *vma)
{
	return (u64)vma->vm_pgoff << PAGE_SHIFT;
}

/* Keep @mn (and its dev_info's driver) described while a mapping needs it. */
static inline void i_ddi_minor_hold(struct ddi_minor_node *mn)
{
	kref_get(&mn->ref);
}

void i_ddi_minor_rele(struct ddi_minor_node *mn);
void i_ddi_minor_unmap_all(struct ddi_minor_node *mn);
int i_ddi_vma_own_file(struct ddi_minor_node *mn, struct vm_area_struct *vma);
int i_mmap_setup_vma(struct ddi_minor_node *mn, struct vm_area_struct *vma);

/* devmap_setup.c: the devmap_setup(9F) loop */
int i_devmap_setup_vma(struct ddi_minor_node *mn, struct vm_area_struct *vma);

/* devmap_seg.c: segments, loading, vm_operations, revocation */
struct devmap_handle *i_devmap_handle_alloc(struct devmap_seg *seg,
					    gfp_t gfp);
struct devmap_seg *i_devmap_seg_alloc(struct ddi_minor_node *mn,
				      struct vm_area_struct *vma);
void i_devmap_seg_put(struct devmap_seg *seg);
void i_devmap_seg_unmap(struct devmap_seg *seg, u64 start, u64 end);
bool i_devmap_has_pmd(struct devmap_seg *seg, struct vm_area_struct *vma);
int i_devmap_populate(struct vm_area_struct *vma, struct devmap_seg *seg);
extern const struct vm_operations_struct i_devmap_vm_ops;
void i_devmap_revoke(struct ddi_minor_node *mn);

/* devmap_ctx.c: context management */
void i_devmap_ctx_forget(struct devmap_handle *dhp);
void i_devmap_ctx_free(struct dev_info *dip);

/* devmem.c: registers in devmap mappings */
void i_devmap_regs_rele(struct devmap_regs *regs);
void i_devmap_regs_detach(dev_info_t *dip);

#endif /* _XXDDI_IMPL_H */
