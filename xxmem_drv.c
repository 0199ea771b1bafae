// SPDX-License-Identifier: GPL-2.0
/*
 * xxmem - export kernel memory to user space through the Solaris devmap
 * model.
 *
 * This is written as a Solaris DDI driver (attach/detach, soft state,
 * devmap(9E), ioctl(9E)) on top of xxddi, the compatibility layer in
 * compat/; it reads almost as it would on Solaris.
 *
 * The regions (include/uapi/xxmem.h):
 * 0 "umem"    kernel memory from ddi_umem_alloc(9F).  The buffer holds two
 *             views of umem_size bytes: 64-bit (LP64) callers map the
 *             first, 32-bit (ILP32) callers are redirected to the second,
 *             as in the devmap example of "Writing Device Drivers".
 * 1 "scatter" XXMEM_SCATTER_CHUNKS separate allocations; one mmap(2) of
 *             them is served by one devmap handle per chunk (*maplen ends
 *             at the chunk's end).  Its handles have map/dup/unmap
 *             callbacks that log to debugfs (xxmem/trace); writing N to
 *             xxmem/fail_map makes the Nth devmap_map call from then fail.
 * 2 "status"  a read-only struct xxmem_status, kept in the LP64 layout for
 *             64-bit callers and in the ILP32 layout for 32-bit callers.
 * 3 "ctx"     one page that one process at a time may have loaded: its
 *             devmap_access callback goes through devmap_do_ctxmgt(9F).
 *             Its handles are set up DEVMAP_MAPPING_INVALID and get the
 *             page with devmap_umem_remap(9F) when they take the context.
 * mmap(2) goes through xxsegmap(), which counts successful mappings.
 *
 * xxmem is also a PCI driver (QEMU's edu and ivshmem by ID; any function
 * through new_id or driver_override): each bound function is an instance
 * N >= 1 with its own node /dev/xxmemN whose region i is BAR i, mapped with
 * devmap_devmem_setup(9F): non-prefetchable BARs uncached, prefetchable
 * ones write-combining (uncached too with bar_uncached=Y).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <sys/types.h>
#include <sys/param.h>
#include <sys/mman.h>
#include <sys/cred.h>
#include <sys/modctl.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include <sys/cmn_err.h>
#include "include/uapi/xxmem.h"
#include "version.h"

#define XXMEM_UMEM_MAX		SZ_1G	/* upper bound of umem_size */
#define XXMEM_REGION_MASK	(XXMEM_REGION_OFFSET(1) - 1)

#define XX_NREGIONS		4
#define XX_NBARS		6		/* regions of a PCI instance */
#define XX_EDU_VENDOR		0x1234
#define XX_EDU_DEVICE		0x11e8
#define XX_EDU_ID		0x010000ed	/* edu's identification register */
#define XX_SCATTER_SIZE		(XXMEM_SCATTER_CHUNKS * XXMEM_SCATTER_CHUNK_SIZE)
#define XX_TRACE_SIZE		(16 * 1024)

/* struct xxmem_status as a 64-bit and as a 32-bit process sees it */
struct xx_status64 {
	s64 opens, maps, faults, handles, ctx_switches, last_pid;
	u64 last_addr;
};

struct xx_status32 {
	s32 opens, maps, faults, handles, ctx_switches, last_pid;
	u32 last_addr;
};

/* Per-instance soft state. */
struct xxstate {
	dev_info_t *dip;
	bool pci;			/* a PCI function (instance >= 1) */
	ddi_acc_handle_t regs_handle;	/* PCI: BAR 0 registers */
	uint_t rnumber[XX_NBARS];	/* PCI: register set of BAR i, 0: none */
	caddr_t regs;
	ddi_umem_cookie_t ucookie;	/* region 0: 2 * umem_size bytes */
	caddr_t umem_kva;
	size_t umem_size;		/* bytes of one view */
	ddi_umem_cookie_t scookie[XXMEM_SCATTER_CHUNKS];	/* region 1 */
	caddr_t skva[XXMEM_SCATTER_CHUNKS];
	ddi_umem_cookie_t stcookie;	/* region 2: LP64 page, ILP32 page */
	caddr_t stkva;
	ddi_umem_cookie_t ccookie;	/* region 3 */
	caddr_t ckva;

	spinlock_t stlock;		/* protects st and the status pages */
	struct xx_status64 st;

	struct mutex ctxlock;		/* protects ctx_owner* */
	devmap_cookie_t ctx_owner;
	int ctx_owner_id;

	struct mutex trlock;		/* protects tr* */
	char *trbuf;
	size_t trlen;
	struct dentry *dbgdir;
	u32 fail_map;			/* debugfs: the Nth devmap_map fails */
};

/* A handle's private data (devmap_map/dup/unmap). */
struct xx_hpriv {
	struct xxstate *xsp;
	int id;
};

static void *xx_statep;
static atomic_t xx_handle_ids = ATOMIC_INIT(0);

/* ---- module parameter: umem_size ---- */

static unsigned long umem_size = SZ_1M;

static int umem_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long size;
	char *end;

	size = memparse(val, &end);
	if (end == val || (*end && *end != '\n') || size == 0 ||
	    size > XXMEM_UMEM_MAX) {
		pr_err("umem_size=%s: need a size from 1 byte to 1G (K/M/G suffixes allowed)\n",
		       val);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = PAGE_ALIGN(size);
	return 0;
}

static const struct kernel_param_ops umem_size_ops = {
	.set = umem_size_set,
	.get = param_get_ulong,
};

module_param_cb(umem_size, &umem_size_ops, &umem_size, 0444);
MODULE_PARM_DESC(umem_size,
		 "bytes of kernel memory in each data model's view of region 0, with K/M/G suffixes; rounded up to pages (default 1M, max 1G)");

static unsigned int ctx_timeout_ms = 20;
module_param(ctx_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ctx_timeout_ms,
		 "milliseconds a process keeps region 3's context before another may take it (default 20)");

static bool bar_fork_revoke;
module_param(bar_fork_revoke, bool, 0644);
MODULE_PARM_DESC(bar_fork_revoke,
		 "revoke a fork child's copy of a BAR mapping with devmap_devmem_remap(DEVMAP_MAPPING_INVALID), as hermon(4D) does: the child's accesses get SIGBUS (boolean, default N: the child shares it)");

static bool bar_uncached;
module_param(bar_uncached, bool, 0644);
MODULE_PARM_DESC(bar_uncached,
		 "map prefetchable BARs uncached too (DDI_STRICTORDER_ACC), for new mappings (boolean, default N: write-combining)");

/* ---- status (region 2) and trace (debugfs) ---- */

/* Copy the counters into both layouts of the status page.  stlock held. */
static void xx_status_publish(struct xxstate *xsp)
{
	struct xx_status64 *lp = (struct xx_status64 *)xsp->stkva;
	struct xx_status32 *ip = (struct xx_status32 *)(xsp->stkva + PAGESIZE);
	struct xx_status64 *st = &xsp->st;

	lockdep_assert_held(&xsp->stlock);
	WRITE_ONCE(lp->opens, st->opens);
	WRITE_ONCE(lp->maps, st->maps);
	WRITE_ONCE(lp->faults, st->faults);
	WRITE_ONCE(lp->handles, st->handles);
	WRITE_ONCE(lp->ctx_switches, st->ctx_switches);
	WRITE_ONCE(lp->last_pid, st->last_pid);
	WRITE_ONCE(lp->last_addr, st->last_addr);
	WRITE_ONCE(ip->opens, (s32)st->opens);
	WRITE_ONCE(ip->maps, (s32)st->maps);
	WRITE_ONCE(ip->faults, (s32)st->faults);
	WRITE_ONCE(ip->handles, (s32)st->handles);
	WRITE_ONCE(ip->ctx_switches, (s32)st->ctx_switches);
	WRITE_ONCE(ip->last_pid, (s32)st->last_pid);
	/* a 64-bit caller's address means nothing to a 32-bit reader */
	WRITE_ONCE(ip->last_addr,
		   st->last_addr > U32_MAX ? 0 : (u32)st->last_addr);
}

/* Count one event in @counter, a member of xsp->st. */
static void xx_count(struct xxstate *xsp, s64 *counter)
{
	spin_lock(&xsp->stlock);
	(*counter)++;
	xx_status_publish(xsp);
	spin_unlock(&xsp->stlock);
}

static void xx_status_mapped(struct xxstate *xsp, caddr_t addr)
{
	if (xsp->pci)
		return;
	spin_lock(&xsp->stlock);
	xsp->st.maps++;
	xsp->st.last_pid = ddi_get_pid();
	xsp->st.last_addr = (uintptr_t)addr;
	xx_status_publish(xsp);
	spin_unlock(&xsp->stlock);
}

static __printf(2, 3) void xx_trace(struct xxstate *xsp, const char *fmt, ...)
{
	va_list args;

	mutex_lock(&xsp->trlock);
	if (xsp->trbuf && xsp->trlen < XX_TRACE_SIZE - 1) {
		va_start(args, fmt);
		xsp->trlen += vscnprintf(xsp->trbuf + xsp->trlen,
					 XX_TRACE_SIZE - xsp->trlen, fmt, args);
		va_end(args);
		if (xsp->trlen < XX_TRACE_SIZE - 1)
			xsp->trbuf[xsp->trlen++] = '\n';
	}
	mutex_unlock(&xsp->trlock);
}

static ssize_t xx_trace_read(struct file *filp, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct xxstate *xsp = filp->private_data;
	size_t len;
	ssize_t ret;
	char *copy;

	/*
	 * Copy out of the lock: copying to user space may fault and take
	 * mmap_lock, which the mmap path holds when it logs.
	 */
	copy = kmalloc(XX_TRACE_SIZE, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	mutex_lock(&xsp->trlock);
	len = xsp->trlen;
	memcpy(copy, xsp->trbuf, len);
	mutex_unlock(&xsp->trlock);
	ret = simple_read_from_buffer(buf, count, ppos, copy, len);
	kfree(copy);
	return ret;
}

/* Any write clears the trace. */
static ssize_t xx_trace_write(struct file *filp, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct xxstate *xsp = filp->private_data;

	mutex_lock(&xsp->trlock);
	xsp->trlen = 0;
	mutex_unlock(&xsp->trlock);
	return count;
}

static const struct file_operations xx_trace_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = xx_trace_read,
	.write = xx_trace_write,
	.llseek = default_llseek,
};

/* ---- regions ---- */

/*
 * Region i of a PCI instance is BAR i (the user ABI); the DDI numbers the
 * register sets 1, 2, ... over the implemented BARs only.  Note which set
 * each BAR is; a BAR that is not implemented has none (0).
 */
static void xx_bar_rnumbers(struct xxstate *xsp)
{
	uint_t rnumber, bar;
	int nregs = 0;

	memset(xsp->rnumber, 0, sizeof(xsp->rnumber));
	ddi_dev_nregs(xsp->dip, &nregs);
	for (rnumber = 1; rnumber < (uint_t)nregs; rnumber++)
		if (ddi_dev_regbar(xsp->dip, rnumber, &bar) == DDI_SUCCESS &&
		    bar < XX_NBARS)
			xsp->rnumber[bar] = rnumber;
}

/*
 * debugfs xxmem<instance>/regs of a PCI instance: the register sets as the
 * DDI reports them, one line each: "rnumber size bar" (ddi_dev_nregs(9F),
 * ddi_dev_regsize(9F), ddi_dev_regbar(); bar -1 is configuration space).
 */
static int xx_regs_show(struct seq_file *m, void *unused)
{
	struct xxstate *xsp = m->private;
	uint_t rnumber, bar;
	int nregs = 0;
	off_t size;

	if (ddi_dev_nregs(xsp->dip, &nregs) != DDI_SUCCESS)
		return -ENODEV;
	for (rnumber = 0; rnumber < (uint_t)nregs; rnumber++) {
		if (ddi_dev_regsize(xsp->dip, rnumber, &size) != DDI_SUCCESS)
			return -EIO;
		if (ddi_dev_regbar(xsp->dip, rnumber, &bar) != DDI_SUCCESS)
			seq_printf(m, "%u %lld -1\n", rnumber, (long long)size);
		else
			seq_printf(m, "%u %lld %u\n", rnumber, (long long)size,
				   bar);
	}
	/* one past the last set is no register set */
	if (ddi_dev_regsize(xsp->dip, nregs, &size) == DDI_SUCCESS)
		return -EIO;
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xx_regs);

/* Is register set @rnumber mapped write-combining: prefetchable? */
static bool xx_bar_wc(struct xxstate *xsp, uint_t rnumber)
{
	uint_t flags = 0;

	ddi_dev_regflags(xsp->dip, rnumber, &flags);
	return (flags & DDI_REG_PREFETCH) && !READ_ONCE(bar_uncached);
}

/*
 * The access attributes for register set @rnumber: write-combining if
 * prefetchable (and not bar_uncached).
 */
static void xx_bar_attr(struct xxstate *xsp, uint_t rnumber,
			ddi_device_acc_attr_t *attr)
{
	attr->devacc_attr_version = DDI_DEVICE_ATTR_V0;
	attr->devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC;
	attr->devacc_attr_dataorder = xx_bar_wc(xsp, rnumber) ?
				      DDI_MERGING_OK_ACC : DDI_STRICTORDER_ACC;
	attr->devacc_attr_access = DDI_DEFAULT_ACC;
}

/* Region @ri->index of a PCI instance: BAR ri->index. */
static int xx_region_info_pci(struct xxstate *xsp,
			      struct xxmem_region_info *ri)
{
	u32 index = ri->index;
	offset_t size = 0;
	bool wc = false;

	if (index >= XX_NBARS)
		return EINVAL;
	memset(ri, 0, sizeof(*ri));
	ri->index = index;
	ri->offset = XXMEM_REGION_OFFSET(index);
	ri->flags = XXMEM_REGION_DEVICE;
	snprintf(ri->name, sizeof(ri->name), "bar%u", index);
	if (xsp->rnumber[index]) {
		ddi_dev_regmapsize(xsp->dip, xsp->rnumber[index], &size);
		wc = xx_bar_wc(xsp, xsp->rnumber[index]);
	}
	ri->size = size;
	ri->maxprot = size ? PROT_READ | PROT_WRITE : 0;
	ri->cache = wc ? XXMEM_CACHE_WC : XXMEM_CACHE_UC;
	return 0;
}

/* Fill @ri for region ri->index of @xsp; EINVAL past the last region. */
static int xx_region_info(struct xxstate *xsp, struct xxmem_region_info *ri)
{
	static const char * const names[XX_NREGIONS] = {
		"umem", "scatter", "status", "ctx"
	};
	u32 index = ri->index;

	if (xsp->pci)
		return xx_region_info_pci(xsp, ri);
	if (index >= XX_NREGIONS)
		return EINVAL;
	memset(ri, 0, sizeof(*ri));
	ri->index = index;
	ri->offset = XXMEM_REGION_OFFSET(index);
	ri->maxprot = PROT_READ | PROT_WRITE;
	ri->cache = XXMEM_CACHE_WB;
	strscpy(ri->name, names[index], sizeof(ri->name));
	switch (index) {
	case XXMEM_REGION_UMEM:
		ri->flags = XXMEM_REGION_PER_MODEL;
		ri->size = xsp->umem_size;
		break;
	case XXMEM_REGION_SCATTER:
		ri->size = XX_SCATTER_SIZE;
		break;
	case XXMEM_REGION_STATUS:
		ri->flags = XXMEM_REGION_PER_MODEL;
		ri->size = PAGESIZE;
		ri->maxprot = PROT_READ;
		break;
	case XXMEM_REGION_CTX:
		ri->size = PAGESIZE;
		break;
	}
	return 0;
}

/*
 * The kernel address and size of what a caller of data model @model sees
 * of region @region (for read(9E)); the scatter region is per chunk.
 */
static caddr_t xx_region_kva(struct xxstate *xsp, u64 region, u64 roff,
			     model_t model, size_t *size)
{
	bool ilp32 = ddi_model_convert_from(model) == DDI_MODEL_ILP32;

	switch (region) {
	case XXMEM_REGION_UMEM:
		*size = xsp->umem_size;
		return xsp->umem_kva + (ilp32 ? xsp->umem_size : 0);
	case XXMEM_REGION_SCATTER:
		*size = XX_SCATTER_SIZE;
		if (roff >= XX_SCATTER_SIZE)
			return NULL;
		return xsp->skva[roff / XXMEM_SCATTER_CHUNK_SIZE] -
		       rounddown(roff, XXMEM_SCATTER_CHUNK_SIZE);
	case XXMEM_REGION_STATUS:
		*size = PAGESIZE;
		return xsp->stkva + (ilp32 ? PAGESIZE : 0);
	case XXMEM_REGION_CTX:
		*size = PAGESIZE;
		return xsp->ckva;
	}
	return NULL;
}

/* ---- devmap callbacks ---- */

static struct xx_hpriv *xx_hpriv_alloc(struct xxstate *xsp)
{
	struct xx_hpriv *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (p) {
		p->xsp = xsp;
		p->id = atomic_inc_return(&xx_handle_ids);
	}
	return p;
}

static int xx_hid(void *pvtp)
{
	return pvtp ? ((struct xx_hpriv *)pvtp)->id : 0;
}

/* devmap_map(9E): give the handle an id and log it. */
static int xx_map(devmap_cookie_t dhp, dev_t dev, uint_t flags, offset_t off,
		  size_t len, void **pvtp)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	struct xx_hpriv *p;

	if (!xsp)
		return ENXIO;
	/* fault injection for tests: debugfs xxmem/fail_map = N */
	if (READ_ONCE(xsp->fail_map) && --xsp->fail_map == 0) {
		xx_trace(xsp, "map off=0x%llx len=0x%zx failed", off, len);
		return EIO;
	}
	p = xx_hpriv_alloc(xsp);
	if (!p)
		return ENOMEM;
	*pvtp = p;
	xx_trace(xsp, "map dh=%d off=0x%llx len=0x%zx", p->id, off, len);
	return 0;
}

/* devmap_dup(9E): the child's handle gets an id of its own. */
static int xx_dup(devmap_cookie_t dhp, void *pvtp, devmap_cookie_t new_dhp,
		  void **new_pvtp)
{
	struct xx_hpriv *p = pvtp, *n;

	if (!p)
		return ENXIO;
	n = xx_hpriv_alloc(p->xsp);
	if (!n)
		return ENOMEM;
	*new_pvtp = n;
	xx_trace(p->xsp, "dup dh=%d new=%d", p->id, n->id);
	return 0;
}

/*
 * devmap_unmap(9E): log which of Solaris' four shapes happened; the part
 * of a hole after the range is a new handle with an id of its own.
 */
static void xx_unmap(devmap_cookie_t dhp, void *pvtp, offset_t off,
		     size_t len, devmap_cookie_t new_dhp1, void **new_pvtp1,
		     devmap_cookie_t new_dhp2, void **new_pvtp2)
{
	struct xx_hpriv *p = pvtp, *n = NULL;
	char id1[16] = "-", id2[16] = "-";
	struct xxstate *xsp;

	if (!p)
		return;
	xsp = p->xsp;
	if (new_dhp1) {
		*new_pvtp1 = p;
		snprintf(id1, sizeof(id1), "%d", p->id);
	}
	if (new_dhp2 && new_dhp2 == dhp) {
		*new_pvtp2 = p;
		snprintf(id2, sizeof(id2), "%d", p->id);
	} else if (new_dhp2) {
		n = xx_hpriv_alloc(xsp);
		*new_pvtp2 = n;
		snprintf(id2, sizeof(id2), "%d", xx_hid(n));
	}
	xx_trace(xsp, "unmap dh=%d off=0x%llx len=0x%zx new1=%s new2=%s",
		 p->id, off, len, id1, id2);
	if (!new_dhp1 && !new_dhp2) {
		mutex_lock(&xsp->ctxlock);
		if (xsp->ctx_owner == dhp)
			xsp->ctx_owner = NULL;
		mutex_unlock(&xsp->ctxlock);
		kfree(p);
	}
}

/* The context switch of region 3: the old owner loses its translations. */
static int xx_ctxmgt(devmap_cookie_t dhp, void *pvtp, offset_t off,
		     size_t len, uint_t type, uint_t rw)
{
	struct xx_hpriv *p = pvtp;
	struct xxstate *xsp = p->xsp;
	int error;

	mutex_lock(&xsp->ctxlock);
	if (xsp->ctx_owner != dhp) {
		char from[16] = "-";

		if (xsp->ctx_owner) {
			devmap_unload(xsp->ctx_owner, off, len);
			snprintf(from, sizeof(from), "%d", xsp->ctx_owner_id);
		}
		/* the handle was set up with no memory: give it the page */
		error = devmap_umem_remap(dhp, xsp->dip, xsp->ccookie, 0,
					  PAGESIZE,
					  PROT_READ | PROT_WRITE | PROT_USER,
					  DEVMAP_DEFAULTS, NULL);
		if (error) {
			mutex_unlock(&xsp->ctxlock);
			return error;
		}
		xsp->ctx_owner = dhp;
		xsp->ctx_owner_id = p->id;
		xx_count(xsp, &xsp->st.ctx_switches);
		xx_trace(xsp, "ctxswitch from=%s to=%d", from, p->id);
	}
	error = devmap_load(dhp, off, len, type, rw);
	mutex_unlock(&xsp->ctxlock);
	return error;
}

/* devmap_access(9E) of region 3. */
static int xx_ctx_access(devmap_cookie_t dhp, void *pvtp, offset_t off,
			 size_t len, uint_t type, uint_t rw)
{
	struct xx_hpriv *p = pvtp;

	if (!p)
		return -1;
	xx_count(p->xsp, &p->xsp->st.faults);
	xx_trace(p->xsp, "access dh=%d off=0x%llx len=0x%zx type=%s rw=%s",
		 p->id, off, len,
		 type == DEVMAP_LOCK ? "lock" :
		 type == DEVMAP_UNLOCK ? "unlock" : "access",
		 rw == S_WRITE ? "write" : "read");
	return devmap_do_ctxmgt(dhp, pvtp, off, len, type, rw, xx_ctxmgt);
}

static struct devmap_callback_ctl xx_scatter_callbacks = {
	.devmap_rev = DEVMAP_OPS_REV,
	.devmap_map = xx_map,
	.devmap_dup = xx_dup,
	.devmap_unmap = xx_unmap,
};

static struct devmap_callback_ctl xx_ctx_callbacks = {
	.devmap_rev = DEVMAP_OPS_REV,
	.devmap_map = xx_map,
	.devmap_access = xx_ctx_access,
	.devmap_dup = xx_dup,
	.devmap_unmap = xx_unmap,
};

/* devmap_map(9E) of a BAR handle under bar_fork_revoke: note the instance. */
static int xx_bar_map(devmap_cookie_t dhp, dev_t dev, uint_t flags,
		      offset_t off, size_t len, void **pvtp)
{
	*pvtp = ddi_get_soft_state(xx_statep, getminor(dev));
	return *pvtp ? 0 : ENXIO;
}

/*
 * devmap_dup(9E) of a BAR handle under bar_fork_revoke: the child's handle
 * maps nothing from now on, hermon's way of keeping a child off its
 * parent's registers.  A remap failure is logged, not returned (returning
 * it would revoke the child's access by another path): the child then
 * keeps its access, which pci_test sees.
 */
static int xx_bar_dup(devmap_cookie_t dhp, void *pvtp,
		      devmap_cookie_t new_dhp, void **new_pvtp)
{
	struct xxstate *xsp = pvtp;

	*new_pvtp = xsp;
	if (devmap_devmem_remap(new_dhp, xsp->dip, 0, 0, 0,
				PROT_READ | PROT_WRITE | PROT_USER,
				DEVMAP_MAPPING_INVALID, NULL) != DDI_SUCCESS)
		cmn_err(CE_NOTE, "xxmem%d: devmap_devmem_remap failed",
			ddi_get_instance(xsp->dip));
	return 0;
}

static struct devmap_callback_ctl xx_bar_callbacks = {
	DEVMAP_OPS_REV,
	xx_bar_map,
	NULL,			/* devmap_access */
	xx_bar_dup,
	NULL			/* devmap_unmap */
};

/* ---- entry points ---- */

static int xxopen(dev_t *devp, int flag, int otyp, cred_t *credp)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(*devp));

	if (otyp != OTYP_CHR)
		return EINVAL;
	if (!xsp)
		return ENXIO;
	if (!xsp->pci)
		xx_count(xsp, &xsp->st.opens);
	return 0;
}

static int xxclose(dev_t dev, int flag, int otyp, cred_t *credp)
{
	return 0;
}

static int xxioctl(dev_t dev, int cmd, intptr_t arg, int mode,
		   cred_t *credp, int *rvalp)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	struct xxmem_region_info ri;
	u32 model;
	int err;

	if (!xsp)
		return ENXIO;
	switch ((unsigned int)cmd) {
	case XXMEM_IOC_REGION_INFO:
		if (ddi_copyin((void __user *)arg, &ri, sizeof(ri), mode))
			return EFAULT;
		err = xx_region_info(xsp, &ri);
		if (err)
			return err;
		if (ddi_copyout(&ri, (void __user *)arg, sizeof(ri), mode))
			return EFAULT;
		return 0;
	case XXMEM_IOC_GET_MODEL:
		model = ddi_model_convert_from(mode & FMODELS) ==
			DDI_MODEL_ILP32 ? XXMEM_MODEL_ILP32 : XXMEM_MODEL_LP64;
		if (ddi_copyout(&model, (void __user *)arg, sizeof(model),
				mode))
			return EFAULT;
		return 0;
	default:
		return ENOTTY;
	}
}

/*
 * read(9E): the file offset selects the region as for mmap(2); the data
 * comes from the driver's own kernel addresses, which makes it a check of
 * what user mappings wrote.
 */
static int xxread(dev_t dev, struct uio *uiop, cred_t *credp)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	u64 region, roff;
	int error = 0;

	if (!xsp || xsp->pci || uiop->uio_loffset < 0)
		return ENXIO;
	region = (u64)uiop->uio_loffset >> XXMEM_REGION_SHIFT;
	if (region >= XX_NREGIONS)
		return ENXIO;
	while (uiop->uio_resid > 0 && !error) {
		size_t size, n;
		caddr_t base;

		roff = (u64)uiop->uio_loffset & XXMEM_REGION_MASK;
		base = xx_region_kva(xsp, region, roff, get_udatamodel(),
				     &size);
		if (!base || roff >= size)
			break;		/* end of the region */
		n = size - roff;
		if (region == XXMEM_REGION_SCATTER)
			n = XXMEM_SCATTER_CHUNK_SIZE -
			    roff % XXMEM_SCATTER_CHUNK_SIZE;
		error = uiomove(base + roff, n, UIO_READ, uiop);
	}
	return error;
}

/* devmap(9E) of region 1: one handle up to the end of the chunk. */
static int xx_devmap_scatter(struct xxstate *xsp, devmap_cookie_t handle,
			     u64 roff, size_t len, size_t *maplen)
{
	size_t coff = roff % XXMEM_SCATTER_CHUNK_SIZE;
	size_t n = min_t(size_t, len, XXMEM_SCATTER_CHUNK_SIZE - coff);

	if (roff >= XX_SCATTER_SIZE || len > XX_SCATTER_SIZE - roff)
		return -1;
	*maplen = n;
	return devmap_umem_setup(handle, xsp->dip, &xx_scatter_callbacks,
				 xsp->scookie[roff / XXMEM_SCATTER_CHUNK_SIZE],
				 coff, n, PROT_READ | PROT_WRITE | PROT_USER,
				 DEVMAP_DEFAULTS, NULL);
}

/* devmap(9E) of a PCI instance: region = BAR, device memory. */
static int xx_devmap_bar(struct xxstate *xsp, devmap_cookie_t handle,
			 u64 region, u64 roff, size_t len, size_t *maplen)
{
	ddi_device_acc_attr_t attr;
	uint_t rnumber;

	if (region >= XX_NBARS || !xsp->rnumber[region])
		return -1;
	rnumber = xsp->rnumber[region];
	xx_bar_attr(xsp, rnumber, &attr);
	*maplen = len;
	if (READ_ONCE(bar_fork_revoke))
		return devmap_devmem_setup(handle, xsp->dip, &xx_bar_callbacks,
					   rnumber, roff, len,
					   PROT_READ | PROT_WRITE | PROT_USER,
					   DEVMAP_ALLOW_REMAP, &attr);
	return devmap_devmem_setup(handle, xsp->dip, NULL, rnumber, roff,
				   len, PROT_READ | PROT_WRITE | PROT_USER,
				   DEVMAP_DEFAULTS, &attr);
}

/*
 * devmap(9E): map [off, off + len) of the device.  off selects the region
 * (XXMEM_REGION_OFFSET) and the offset within it.
 */
static int xxdevmap(dev_t dev, devmap_cookie_t handle, offset_t off,
		    size_t len, size_t *maplen, uint_t model)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	bool ilp32 = ddi_model_convert_from(model) == DDI_MODEL_ILP32;
	u64 region = (u64)off >> XXMEM_REGION_SHIFT;
	u64 roff = (u64)off & XXMEM_REGION_MASK;
	clock_t timeout;
	int error;

	if (!xsp || off < 0)
		return -1;

	/* round up len to a multiple of a page size */
	len = ptob(btopr(len));
	if (xsp->pci)
		return xx_devmap_bar(xsp, handle, region, roff, len, maplen);
	switch (region) {
	case XXMEM_REGION_UMEM:
		/* check if the requested range is ok */
		if (roff >= xsp->umem_size || len > xsp->umem_size - roff)
			return -1;
		if (ilp32)
			/* request from a 32-bit application: the second view */
			roff += xsp->umem_size;
		/* export the memory to the application */
		error = devmap_umem_setup(handle, xsp->dip, NULL,
					  xsp->ucookie, roff, len,
					  PROT_READ | PROT_WRITE | PROT_USER,
					  DEVMAP_DEFAULTS, NULL);
		*maplen = len;
		break;
	case XXMEM_REGION_SCATTER:
		error = xx_devmap_scatter(xsp, handle, roff, len, maplen);
		break;
	case XXMEM_REGION_STATUS:
		if (roff != 0 || len != PAGESIZE)
			return -1;
		/* read-only, in the caller's layout */
		error = devmap_umem_setup(handle, xsp->dip, NULL,
					  xsp->stcookie, ilp32 ? PAGESIZE : 0,
					  len, PROT_READ | PROT_USER,
					  DEVMAP_DEFAULTS, NULL);
		*maplen = len;
		break;
	case XXMEM_REGION_CTX:
		if (roff != 0 || len != PAGESIZE)
			return -1;
		/* no translation until the handle takes the context */
		error = devmap_umem_setup(handle, xsp->dip, &xx_ctx_callbacks,
					  NULL, 0, len,
					  PROT_READ | PROT_WRITE | PROT_USER,
					  DEVMAP_MAPPING_INVALID |
					  DEVMAP_ALLOW_REMAP, NULL);
		timeout = (clock_t)READ_ONCE(ctx_timeout_ms) * 1000;
		if (!error)
			devmap_set_ctx_timeout(handle, drv_usectohz(timeout));
		*maplen = len;
		break;
	default:
		return -1;
	}
	if (!error)
		xx_count(xsp, &xsp->st.handles);
	return error;
}

/*
 * segmap(9E): map through devmap(9E); counts the mapping and its caller in
 * the status region.
 */
static int xxsegmap(dev_t dev, off_t off, struct as *asp, caddr_t *addrp,
		    off_t len, unsigned int prot, unsigned int maxprot,
		    unsigned int flags, cred_t *credp)
{
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, getminor(dev));
	int error;

	if (!xsp)
		return ENXIO;
	error = ddi_devmap_segmap(dev, off, asp, addrp, len, prot, maxprot,
				  flags, credp);
	if (!error)
		xx_status_mapped(xsp, *addrp);
	return error;
}

/* ---- attach / detach ---- */

/* Free the memory of every region; NULL cookies are skipped. */
static void xx_free_regions(struct xxstate *xsp)
{
	int i;

	ddi_umem_free(xsp->ccookie);
	ddi_umem_free(xsp->stcookie);
	for (i = 0; i < XXMEM_SCATTER_CHUNKS; i++)
		ddi_umem_free(xsp->scookie[i]);
	ddi_umem_free(xsp->ucookie);
}

static int xx_alloc_regions(struct xxstate *xsp)
{
	int i;

	xsp->umem_kva = ddi_umem_alloc(2 * xsp->umem_size, DDI_UMEM_SLEEP,
				       &xsp->ucookie);
	if (!xsp->umem_kva)
		return ENOMEM;
	/* separate allocations: physically discontiguous from each other */
	for (i = 0; i < XXMEM_SCATTER_CHUNKS; i++) {
		xsp->skva[i] = ddi_umem_alloc(XXMEM_SCATTER_CHUNK_SIZE,
					      DDI_UMEM_SLEEP,
					      &xsp->scookie[i]);
		if (!xsp->skva[i])
			return ENOMEM;
	}
	xsp->stkva = ddi_umem_alloc(2 * PAGESIZE, DDI_UMEM_SLEEP,
				    &xsp->stcookie);
	xsp->ckva = ddi_umem_alloc(PAGESIZE, DDI_UMEM_SLEEP, &xsp->ccookie);
	if (!xsp->stkva || !xsp->ckva)
		return ENOMEM;
	return 0;
}

/*
 * attach(9E) of a PCI function: map BAR 0's registers; an edu device must
 * identify itself.
 */
static int xxattach_pci(dev_info_t *dip, struct xxstate *xsp)
{
	int instance = ddi_get_instance(dip);
	ddi_device_acc_attr_t attr = {
		.devacc_attr_version = DDI_DEVICE_ATTR_V0,
		.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
		.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
	};
	char name[16];
	uint32_t id;
	int ret;

	xsp->pci = true;
	xx_bar_rnumbers(xsp);
	if (!xsp->rnumber[0]) {
		cmn_err(CE_WARN, "xxmem%d: BAR 0 is not implemented", instance);
		return DDI_FAILURE;
	}
	ret = ddi_regs_map_setup(dip, xsp->rnumber[0], &xsp->regs, 0, 0, &attr,
				 &xsp->regs_handle);
	if (ret != DDI_SUCCESS) {
		cmn_err(CE_WARN, "xxmem%d: cannot map BAR 0 registers (%d)",
			instance, ret);
		return DDI_FAILURE;
	}
	if (ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
			     "vendor-id", 0) == XX_EDU_VENDOR &&
	    ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
			     "device-id", 0) == XX_EDU_DEVICE) {
		id = ddi_get32(xsp->regs_handle, (uint32_t *)xsp->regs);
		if (id != XX_EDU_ID) {
			cmn_err(CE_WARN, "xxmem%d: edu identification 0x%08x, expected 0x%08x",
				instance, id, XX_EDU_ID);
			goto fail;
		}
	}
	snprintf(name, sizeof(name), "xxmem%d", instance);
	if (ddi_create_minor_node(dip, name, S_IFCHR, instance, DDI_PSEUDO,
				  0) != DDI_SUCCESS)
		goto fail;
	xsp->dbgdir = debugfs_create_dir(name, NULL);
	debugfs_create_file("regs", 0400, xsp->dbgdir, xsp, &xx_regs_fops);
	return DDI_SUCCESS;
fail:
	ddi_regs_map_free(&xsp->regs_handle);
	return DDI_FAILURE;
}

static int xxattach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxstate *xsp;
	int nregs;

	if (cmd != DDI_ATTACH)
		return DDI_FAILURE;
	if (ddi_soft_state_zalloc(xx_statep, instance) != DDI_SUCCESS)
		return DDI_FAILURE;
	xsp = ddi_get_soft_state(xx_statep, instance);
	xsp->dip = dip;
	if (ddi_dev_nregs(dip, &nregs) == DDI_SUCCESS) {
		if (xxattach_pci(dip, xsp) == DDI_SUCCESS)
			return DDI_SUCCESS;
		ddi_soft_state_free(xx_statep, instance);
		return DDI_FAILURE;
	}
	xsp->umem_size = umem_size;
	spin_lock_init(&xsp->stlock);
	mutex_init(&xsp->ctxlock);
	mutex_init(&xsp->trlock);
	if (xx_alloc_regions(xsp)) {
		cmn_err(CE_WARN, "xxmem%d: cannot allocate 2 x %zu bytes and the other regions",
			instance, xsp->umem_size);
		goto fail;
	}
	xsp->trbuf = kzalloc(XX_TRACE_SIZE, GFP_KERNEL);
	if (!xsp->trbuf)
		goto fail;
	xsp->dbgdir = debugfs_create_dir("xxmem", NULL);
	debugfs_create_file("trace", 0600, xsp->dbgdir, xsp, &xx_trace_fops);
	debugfs_create_u32("fail_map", 0600, xsp->dbgdir, &xsp->fail_map);
	if (ddi_create_minor_node(dip, "xxmem", S_IFCHR, instance,
				  DDI_PSEUDO, 0) != DDI_SUCCESS)
		goto fail_debugfs;
	return DDI_SUCCESS;

fail_debugfs:
	debugfs_remove_recursive(xsp->dbgdir);
fail:
	kfree(xsp->trbuf);
	xx_free_regions(xsp);
	mutex_destroy(&xsp->trlock);
	mutex_destroy(&xsp->ctxlock);
	ddi_soft_state_free(xx_statep, instance);
	return DDI_FAILURE;
}

static int xxdetach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	int instance = ddi_get_instance(dip);
	struct xxstate *xsp = ddi_get_soft_state(xx_statep, instance);

	if (cmd != DDI_DETACH || !xsp)
		return DDI_FAILURE;
	/* revokes every user mapping of the node first */
	ddi_remove_minor_node(dip, NULL);
	if (xsp->pci) {
		debugfs_remove_recursive(xsp->dbgdir);
		ddi_regs_map_free(&xsp->regs_handle);
		ddi_soft_state_free(xx_statep, instance);
		return DDI_SUCCESS;
	}
	debugfs_remove_recursive(xsp->dbgdir);
	kfree(xsp->trbuf);
	xx_free_regions(xsp);
	mutex_destroy(&xsp->trlock);
	mutex_destroy(&xsp->ctxlock);
	ddi_soft_state_free(xx_statep, instance);
	return DDI_SUCCESS;
}

static struct cb_ops xx_cb_ops = {
	xxopen,				/* cb_open */
	xxclose,			/* cb_close */
	nodev,				/* cb_strategy */
	nodev,				/* cb_print */
	nodev,				/* cb_dump */
	xxread,				/* cb_read */
	nodev,				/* cb_write */
	xxioctl,			/* cb_ioctl */
	xxdevmap,			/* cb_devmap */
	nodev,				/* cb_mmap */
	xxsegmap,			/* cb_segmap */
	nochpoll,			/* cb_chpoll */
	ddi_prop_op,			/* cb_prop_op */
	NULL,				/* cb_str */
	D_NEW | D_MP | D_64BIT | D_DEVMAP,	/* cb_flag */
	CB_REV,				/* cb_rev */
	nodev,				/* cb_aread */
	nodev				/* cb_awrite */
};

/* Bound by default (Solaris: driver_aliases); others via new_id. */
static const struct pci_device_id xx_pci_ids[] = {
	{ PCI_DEVICE(XX_EDU_VENDOR, XX_EDU_DEVICE) },		/* QEMU edu */
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },	/* ivshmem */
	{ }
};
MODULE_DEVICE_TABLE(pci, xx_pci_ids);

static struct dev_ops xx_dev_ops = {
	DEVO_REV,			/* devo_rev */
	0,				/* devo_refcnt */
	NULL,				/* devo_getinfo: xxddi finds instances itself */
	nulldev,			/* devo_identify */
	nulldev,			/* devo_probe */
	xxattach,			/* devo_attach */
	xxdetach,			/* devo_detach */
	nodev,				/* devo_reset */
	&xx_cb_ops,			/* devo_cb_ops */
	NULL,				/* devo_bus_ops */
	NULL,				/* devo_power */
	ddi_quiesce_not_needed,		/* devo_quiesce */
	xx_pci_ids			/* devo_pci_ids (Linux): driver_aliases */
};

static struct modldrv modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "xxmem: kernel memory through devmap(9E)",
	.drv_dev_ops = &xx_dev_ops,
};

static struct modlinkage modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &modldrv, NULL },
};

/* _init(9E) */
static int __init xxmem_init(void)
{
	int error;

	error = ddi_soft_state_init(&xx_statep, sizeof(struct xxstate), 1);
	if (error)
		return -error;
	error = mod_install(&modlinkage);
	if (error) {
		ddi_soft_state_fini(&xx_statep);
		return -error;
	}
	return 0;
}

/* _fini(9E) */
static void __exit xxmem_exit(void)
{
	mod_remove(&modlinkage);
	ddi_soft_state_fini(&xx_statep);
}

module_init(xxmem_init);
module_exit(xxmem_exit);

MODULE_DESCRIPTION("Kernel and device memory for user space through the Solaris devmap model");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(XXMEM_VERSION);
