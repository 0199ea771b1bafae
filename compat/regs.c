// SPDX-License-Identifier: GPL-2.0
/*
 * Device registers: ddi_regs_map_setup(9F), ddi_regs_map_free(9F), the
 * ddi_get*(9F)/ddi_put*(9F)/ddi_rep_*(9F) accessors, ddi_dev_nregs(9F) and
 * ddi_dev_regsize(9F), for PCI instances.
 *
 * Register numbers follow the "reg" property of illumos' PCI binding: 0 is
 * the function's configuration space, 1, 2, ... are its implemented BARs in
 * BAR order.  A 64-bit BAR is one register set and an unimplemented BAR has
 * none, so register set 2 of a device with BAR 0 and a 64-bit BAR 2 is
 * BAR 2.  ddi_dev_regbar() tells a driver which BAR a register set is (what
 * an illumos driver reads from the register field of "reg").
 * Memory BARs are mapped with ioremap()/ioremap_wc() per the access
 * attributes, I/O BARs with pci_iomap_range(); configuration space is not
 * mapped: its handle's "addresses" are offsets from 0 and the accessors call
 * pci_read_config_*()/pci_write_config_*().
 */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <sys/sunddi.h>
#include "impl.h"

/* Register mappings, for hat_getkpfnum() of a register address. */
static LIST_HEAD(i_ddi_regs_list);
static DEFINE_SPINLOCK(i_ddi_regs_lock);

/*
 * Does the last page of @r hold nothing but @r?  (A BAR smaller than a
 * page may share its page with another BAR; mapping that page would expose
 * the other one.)
 */
bool i_ddi_reg_page_exclusive(struct resource *r)
{
	resource_size_t start = round_down(r->start, PAGE_SIZE);
	resource_size_t end = round_up(r->end + 1, PAGE_SIZE) - 1;
	struct pci_dev *pdev = NULL;
	bool ok = true;
	int i;

	if (start == r->start && end == r->end)
		return true;
	/* any other BAR of any function in the same pages? */
	for_each_pci_dev(pdev) {
		for (i = 0; i <= PCI_ROM_RESOURCE; i++) {
			struct resource *o = &pdev->resource[i];

			if (o != r && o->flags && !(o->flags & IORESOURCE_IO) &&
			    o->start <= end && o->end >= start)
				ok = false;
		}
	}
	return ok;
}

/**
 * ddi_dev_nregs() - number of register sets (ddi_dev_nregs(9F))
 * @dip:     the device
 * @resultp: where to store the number: 1 (configuration space) plus the
 *           function's implemented BARs, a 64-bit BAR counting once -
 *           the entries of illumos' PCI "reg" property
 *
 * Context: any.
 * Return: DDI_SUCCESS, or DDI_FAILURE for a device with no registers (a
 * pseudo instance).
 */
int ddi_dev_nregs(dev_info_t *dip, int *resultp)
{
	int i, n = 1;

	if (!dip || !dip->pdev)
		return DDI_FAILURE;
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (dip->pdev->resource[i].flags)
			n++;
	*resultp = n;
	return DDI_SUCCESS;
}

/**
 * ddi_dev_regbar() - the BAR a register set is (xxddi extension)
 * @dip:     the device
 * @rnumber: register set, 1 to ddi_dev_nregs() - 1
 * @barp:    where to store the BAR index, 0 to 5
 *
 * What an illumos driver reads from the register field of the set's "reg"
 * entry (PCI_REG_REG_G()), as a BAR index.
 *
 * Context: any.
 * Return: DDI_SUCCESS, or DDI_FAILURE for configuration space, a number
 * past the last set, or a device that is not a PCI instance.
 */
int ddi_dev_regbar(dev_info_t *dip, uint_t rnumber, uint_t *barp)
{
	int bar;

	if (!dip || !dip->pdev || !barp)
		return DDI_FAILURE;
	bar = i_ddi_reg_bar(dip->pdev, rnumber);
	if (bar < 0)
		return DDI_FAILURE;
	*barp = bar;
	return DDI_SUCCESS;
}

/**
 * ddi_dev_regsize() - size of a register set (ddi_dev_regsize(9F))
 * @dip:     the device
 * @rnumber: 0 (configuration space) or 1, 2, ...: the implemented BARs
 * @resultp: where to store the size in bytes
 *
 * Context: any.
 * Return: DDI_SUCCESS or DDI_FAILURE (bad @rnumber, not a PCI instance).
 */
int ddi_dev_regsize(dev_info_t *dip, uint_t rnumber, off_t *resultp)
{
	struct resource *r;

	if (dip && dip->pdev && rnumber == 0) {
		*resultp = dip->pdev->cfg_size;
		return DDI_SUCCESS;
	}
	if (i_ddi_reg_resource(dip, rnumber, &r) != DDI_SUCCESS)
		return DDI_FAILURE;
	*resultp = resource_size(r);
	return DDI_SUCCESS;
}

/**
 * ddi_dev_regmapsize() - bytes of a register set devmap_devmem_setup() can
 * map (xxddi extension)
 * @dip:     the device
 * @rnumber: register set, 1 to ddi_dev_nregs() - 1
 * @resultp: where to store the size: the register set's size rounded up to
 *           a page where that last page holds no other device registers;
 *           0 for an I/O port set, or a set that shares its page
 *
 * Context: process context.
 * Return: DDI_SUCCESS or DDI_FAILURE (bad @rnumber, not a PCI instance).
 */
int ddi_dev_regmapsize(dev_info_t *dip, uint_t rnumber, offset_t *resultp)
{
	struct resource *r;
	resource_size_t size;

	if (i_ddi_reg_resource(dip, rnumber, &r) != DDI_SUCCESS)
		return DDI_FAILURE;
	size = (r->flags & IORESOURCE_MEM) ? resource_size(r) : 0;
	if (size && (!PAGE_ALIGNED(r->start) ||
		     (!PAGE_ALIGNED(size) && !i_ddi_reg_page_exclusive(r))))
		size = 0;
	*resultp = PAGE_ALIGN(size);
	return DDI_SUCCESS;
}

/* The integer property @name of @dip (the PCI binding's), or false. */
static bool i_ddi_prop_int(dev_info_t *dip, const char *name, int *valp)
{
	struct pci_dev *pdev = dip ? dip->pdev : NULL;

	if (!pdev || !name)
		return false;
	if (!strcmp(name, "vendor-id"))
		*valp = pdev->vendor;
	else if (!strcmp(name, "device-id"))
		*valp = pdev->device;
	else if (!strcmp(name, "revision-id"))
		*valp = pdev->revision;
	else if (!strcmp(name, "class-code"))
		*valp = pdev->class;
	else if (!strcmp(name, "subsystem-vendor-id"))
		*valp = pdev->subsystem_vendor;
	else if (!strcmp(name, "subsystem-id"))
		*valp = pdev->subsystem_device;
	else
		return false;
	return true;
}

/**
 * ddi_prop_get_int() - an integer property of a device (ddi_prop_get_int(9F))
 * @match_dev: DDI_DEV_T_ANY
 * @dip:       the device
 * @flags:     DDI_PROP_DONTPASS (ignored)
 * @name:      "vendor-id", "device-id", "revision-id", "class-code",
 *             "subsystem-vendor-id" or "subsystem-id" (the PCI binding's
 *             properties; the only ones xxddi has)
 * @defvalue:  returned when the property does not exist
 *
 * Context: any.
 * Return: the property's value, or @defvalue.
 */
int ddi_prop_get_int(dev_t match_dev, dev_info_t *dip, uint_t flags,
		     const char *name, int defvalue)
{
	int val;

	return i_ddi_prop_int(dip, name, &val) ? val : defvalue;
}

/**
 * ddi_prop_op() - look a property up for cb_prop_op (ddi_prop_op(9F))
 * @dev:       the device number (unused: properties are per device)
 * @dip:       the device
 * @prop_op:   PROP_LEN, PROP_LEN_AND_VAL_BUF, PROP_LEN_AND_VAL_ALLOC or
 *             PROP_EXISTS
 * @mod_flags: DDI_PROP_DONTPASS, DDI_PROP_CANSLEEP (PROP_LEN_AND_VAL_ALLOC
 *             sleeps only with DDI_PROP_CANSLEEP)
 * @name:      the property: one of ddi_prop_get_int()'s
 * @valuep:    PROP_LEN_AND_VAL_BUF: the buffer; PROP_LEN_AND_VAL_ALLOC: a
 *             caddr_t * that receives memory to free with kmem_free()
 * @lengthp:   in: the buffer's size (PROP_LEN_AND_VAL_BUF); out: the
 *             property's length in bytes (sizeof(int))
 *
 * The usual cb_prop_op value; xxddi's property requests never go through a
 * driver's cb_prop_op.
 *
 * Context: process context with DDI_PROP_CANSLEEP, else any.
 * Return: DDI_PROP_SUCCESS; DDI_PROP_NOT_FOUND (no such property);
 * DDI_PROP_BUF_TOO_SMALL (*@lengthp set to the length needed);
 * DDI_PROP_NO_MEMORY; DDI_PROP_INVAL_ARG (NULL pointers, bad @prop_op).
 */
int ddi_prop_op(dev_t dev, dev_info_t *dip, ddi_prop_op_t prop_op,
		int mod_flags, char *name, caddr_t valuep, int *lengthp)
{
	gfp_t gfp = (mod_flags & DDI_PROP_CANSLEEP) ? GFP_KERNEL : GFP_ATOMIC;
	int val;
	void *buf;

	if (!i_ddi_prop_int(dip, name, &val))
		return DDI_PROP_NOT_FOUND;
	switch (prop_op) {
	case PROP_EXISTS:
		return DDI_PROP_SUCCESS;
	case PROP_LEN:
		if (!lengthp)
			return DDI_PROP_INVAL_ARG;
		*lengthp = sizeof(val);
		return DDI_PROP_SUCCESS;
	case PROP_LEN_AND_VAL_BUF:
		if (!lengthp || !valuep)
			return DDI_PROP_INVAL_ARG;
		if (*lengthp < (int)sizeof(val)) {
			*lengthp = sizeof(val);
			return DDI_PROP_BUF_TOO_SMALL;
		}
		memcpy(valuep, &val, sizeof(val));
		*lengthp = sizeof(val);
		return DDI_PROP_SUCCESS;
	case PROP_LEN_AND_VAL_ALLOC:
		if (!lengthp || !valuep)
			return DDI_PROP_INVAL_ARG;
		buf = kmemdup(&val, sizeof(val), gfp);
		if (!buf)
			return DDI_PROP_NO_MEMORY;
		*(caddr_t *)valuep = buf;
		*lengthp = sizeof(val);
		return DDI_PROP_SUCCESS;
	}
	return DDI_PROP_INVAL_ARG;
}

/**
 * ddi_dev_regflags() - kind of a register set (xxddi extension)
 * @dip:     the device
 * @rnumber: 0 (configuration space) or 1, 2, ...: the implemented BARs
 * @flagsp:  where to store DDI_REG_* bits
 *
 * What a Solaris driver reads from the "assigned-addresses" property.
 *
 * Context: any.
 * Return: DDI_SUCCESS or DDI_FAILURE (bad @rnumber, not a PCI instance).
 */
__ddi_hot int ddi_dev_regflags(dev_info_t *dip, uint_t rnumber, uint_t *flagsp)
{
	struct resource *r;
	uint_t f = 0;

	if (dip && dip->pdev && rnumber == 0) {
		*flagsp = DDI_REG_CONFIG;
		return DDI_SUCCESS;
	}
	if (i_ddi_reg_resource(dip, rnumber, &r) != DDI_SUCCESS)
		return DDI_FAILURE;
	if (r->flags & IORESOURCE_MEM)
		f |= DDI_REG_MEM;
	if (r->flags & IORESOURCE_IO)
		f |= DDI_REG_IO;
	if (r->flags & IORESOURCE_PREFETCH)
		f |= DDI_REG_PREFETCH;
	if (r->flags & IORESOURCE_MEM_64)
		f |= DDI_REG_64BIT;
	*flagsp = f;
	return DDI_SUCCESS;
}

/**
 * ddi_regs_map_setup() - map a register set (ddi_regs_map_setup(9F))
 * @dip:      the device (a PCI instance)
 * @rnumber:  0 (configuration space) or 1, 2, ...: the implemented BARs
 * @addrp:    where to store the kernel address of @offset; accessors take
 *            addresses inside the mapped range
 * @offset:   byte offset in the register set
 * @len:      bytes; 0 with @offset 0 maps the whole set; 0 with another
 *            @offset maps to the end of the set (never past it)
 * @accattrp: access attributes (DDI_DEVICE_ATTR_V0/V1): endianness for the
 *            accessors; data order DDI_MERGING_OK_ACC or
 *            DDI_LOADCACHING_OK_ACC maps a prefetchable memory BAR
 *            write-combining, anything else uncached
 * @handlep:  where to store the access handle
 *
 * Context: process context, may sleep (attach(9E)).
 * Return: DDI_SUCCESS; DDI_ME_RNUMBER_RANGE for a bad or absent register
 * set; DDI_ME_INVAL for @offset/@len outside the set or a bad @accattrp;
 * DDI_REGS_ACC_CONFLICT for write-combining on a register set that is not
 * prefetchable memory; DDI_FAILURE if the mapping fails.
 */
int ddi_regs_map_setup(dev_info_t *dip, uint_t rnumber, caddr_t *addrp,
		       offset_t offset, offset_t len,
		       ddi_device_acc_attr_t *accattrp,
		       ddi_acc_handle_t *handlep)
{
	struct ddi_acc_impl *h;
	off_t size;
	struct resource *r = NULL;
	int bar = 0;
	bool wc;

	if (!addrp || !handlep || !accattrp ||
	    (accattrp->devacc_attr_version != DDI_DEVICE_ATTR_V0 &&
	     accattrp->devacc_attr_version != DDI_DEVICE_ATTR_V1) ||
	    accattrp->devacc_attr_endian_flags > DDI_STRUCTURE_BE_ACC)
		return DDI_ME_INVAL;
	if (ddi_dev_regsize(dip, rnumber, &size) != DDI_SUCCESS || size == 0)
		return DDI_ME_RNUMBER_RANGE;
	if (offset < 0 || len < 0 || offset >= size || len > size - offset)
		return DDI_ME_INVAL;
	if (len == 0)
		len = size - offset;
	wc = accattrp->devacc_attr_dataorder == DDI_MERGING_OK_ACC ||
	     accattrp->devacc_attr_dataorder == DDI_LOADCACHING_OK_ACC;
	if (rnumber) {
		i_ddi_reg_resource(dip, rnumber, &r);
		bar = r - dip->pdev->resource;
		if (wc && !(r->flags & IORESOURCE_PREFETCH))
			return DDI_REGS_ACC_CONFLICT;
	}

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return DDI_FAILURE;
	h->dip = dip;
	h->rnumber = rnumber;
	h->len = len;
	h->attr = *accattrp;
	INIT_LIST_HEAD(&h->link);
	if (rnumber == 0) {
		h->config = true;
	} else if (r->flags & IORESOURCE_IO) {
		h->io = true;
		h->base = pci_iomap_range(dip->pdev, bar, offset, len);
	} else {
		h->phys = r->start + offset;
		h->base = wc ? ioremap_wc(h->phys, len) : ioremap(h->phys, len);
	}
	if (!h->config && !h->base) {
		kfree(h);
		return DDI_FAILURE;
	}
	if (!h->config && !h->io) {
		spin_lock(&i_ddi_regs_lock);
		list_add(&h->link, &i_ddi_regs_list);
		spin_unlock(&i_ddi_regs_lock);
	}
	*addrp = h->config ? (caddr_t)NULL + offset : (__force caddr_t)h->base;
	*handlep = h;
	atomic_long_inc(&xxddi_stats.regmaps);
	return DDI_SUCCESS;
}

/**
 * ddi_regs_map_free() - unmap a register set (ddi_regs_map_free(9F))
 * @handlep: the handle from ddi_regs_map_setup(); set to NULL
 *
 * Context: process context, may sleep (detach(9E)).
 */
void ddi_regs_map_free(ddi_acc_handle_t *handlep)
{
	struct ddi_acc_impl *h = handlep ? *handlep : NULL;

	if (!h)
		return;
	spin_lock(&i_ddi_regs_lock);
	list_del(&h->link);
	spin_unlock(&i_ddi_regs_lock);
	if (h->io)
		pci_iounmap(h->dip->pdev, h->base);
	else if (h->base)
		iounmap(h->base);
	kfree(h);
	*handlep = NULL;
	atomic_long_dec(&xxddi_stats.regmaps);
}

/* Frame number of @addr if it lies in a memory register mapping. */
ulong_t i_ddi_regs_kpfnum(caddr_t addr)
{
	struct ddi_acc_impl *h;
	ulong_t pfn = PFN_INVALID;
	unsigned long a = (unsigned long)addr;

	spin_lock(&i_ddi_regs_lock);
	list_for_each_entry(h, &i_ddi_regs_list, link) {
		unsigned long base = (__force unsigned long)h->base;

		if (a >= base && a - base < h->len) {
			pfn = PHYS_PFN(h->phys + (a - base));
			break;
		}
	}
	spin_unlock(&i_ddi_regs_lock);
	return pfn;
}

/* ---- accessors ---- */

static bool acc_be(struct ddi_acc_impl *h)
{
	return h->attr.devacc_attr_endian_flags == DDI_STRUCTURE_BE_ACC;
}

static bool acc_raw(struct ddi_acc_impl *h)
{
	return h->attr.devacc_attr_endian_flags == DDI_NEVERSWAP_ACC;
}

static int cfg_off(void *dev_addr)
{
	return (int)(uintptr_t)dev_addr;
}

static u64 acc_read(struct ddi_acc_impl *h, void *dev_addr, int size)
{
	void __iomem *a = (__force void __iomem *)dev_addr;
	u32 lo, hi;
	u16 v16;
	u8 v8;

	if (h->config) {
		struct pci_dev *pdev = h->dip->pdev;

		switch (size) {
		case 1:
			pci_read_config_byte(pdev, cfg_off(dev_addr), &v8);
			return v8;
		case 2:
			pci_read_config_word(pdev, cfg_off(dev_addr), &v16);
			return v16;
		case 4:
			pci_read_config_dword(pdev, cfg_off(dev_addr), &lo);
			return lo;
		default:
			pci_read_config_dword(pdev, cfg_off(dev_addr), &lo);
			pci_read_config_dword(pdev, cfg_off(dev_addr) + 4, &hi);
			return ((u64)hi << 32) | lo;
		}
	}
	switch (size) {
	case 1:
		return ioread8(a);
	case 2:
		if (acc_raw(h))
			return __raw_readw(a);
		return acc_be(h) ? ioread16be(a) : ioread16(a);
	case 4:
		if (acc_raw(h))
			return __raw_readl(a);
		return acc_be(h) ? ioread32be(a) : ioread32(a);
	default:
		if (h->io) {
			lo = ioread32(a);
			hi = ioread32(a + 4);
			return acc_be(h) ? swab64(((u64)hi << 32) | lo) :
					   ((u64)hi << 32) | lo;
		}
		if (acc_raw(h))
			return __raw_readq(a);
		return acc_be(h) ? swab64(readq(a)) : readq(a);
	}
}

static void acc_write(struct ddi_acc_impl *h, void *dev_addr, int size,
		      u64 v)
{
	void __iomem *a = (__force void __iomem *)dev_addr;

	if (h->config) {
		struct pci_dev *pdev = h->dip->pdev;

		switch (size) {
		case 1:
			pci_write_config_byte(pdev, cfg_off(dev_addr), v);
			return;
		case 2:
			pci_write_config_word(pdev, cfg_off(dev_addr), v);
			return;
		case 4:
			pci_write_config_dword(pdev, cfg_off(dev_addr), v);
			return;
		default:
			pci_write_config_dword(pdev, cfg_off(dev_addr), v);
			pci_write_config_dword(pdev, cfg_off(dev_addr) + 4,
					       v >> 32);
			return;
		}
	}
	switch (size) {
	case 1:
		iowrite8(v, a);
		return;
	case 2:
		if (acc_raw(h))
			__raw_writew(v, a);
		else if (acc_be(h))
			iowrite16be(v, a);
		else
			iowrite16(v, a);
		return;
	case 4:
		if (acc_raw(h))
			__raw_writel(v, a);
		else if (acc_be(h))
			iowrite32be(v, a);
		else
			iowrite32(v, a);
		return;
	default:
		if (acc_be(h))
			v = swab64(v);
		if (h->io) {
			iowrite32(v, a);
			iowrite32(v >> 32, a + 4);
		} else if (acc_raw(h)) {
			__raw_writeq(v, a);
		} else {
			writeq(v, a);
		}
	}
}

/*
 * The accessors, one pair per width: read or write one datum at @dev_addr
 * (naturally aligned, inside the handle's mapping) with the handle's
 * endianness: DDI_STRUCTURE_LE_ACC (the device is little-endian),
 * DDI_STRUCTURE_BE_ACC (big-endian: bytes swapped on this little-endian
 * host) or DDI_NEVERSWAP_ACC (no swapping).  Context: any (configuration
 * space: may not be called with interrupts disabled on all platforms).
 */

/**
 * ddi_get8() - read 8 bits of a register (ddi_get8(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping
 *
 * Return: the value.
 */
uint8_t ddi_get8(ddi_acc_handle_t handle, uint8_t *dev_addr)
{
	return acc_read(handle, dev_addr, 1);
}

/**
 * ddi_get16() - read 16 bits of a register (ddi_get16(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping, 2-byte aligned
 *
 * Return: the value, in host order.
 */
uint16_t ddi_get16(ddi_acc_handle_t handle, uint16_t *dev_addr)
{
	return acc_read(handle, dev_addr, 2);
}

/**
 * ddi_get32() - read 32 bits of a register (ddi_get32(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping, 4-byte aligned
 *
 * Return: the value, in host order.
 */
uint32_t ddi_get32(ddi_acc_handle_t handle, uint32_t *dev_addr)
{
	return acc_read(handle, dev_addr, 4);
}

/**
 * ddi_get64() - read 64 bits of a register (ddi_get64(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping, 8-byte aligned
 *
 * I/O ports and configuration space are read as two 32-bit halves, low
 * first.
 *
 * Return: the value, in host order.
 */
uint64_t ddi_get64(ddi_acc_handle_t handle, uint64_t *dev_addr)
{
	return acc_read(handle, dev_addr, 8);
}

/**
 * ddi_put8() - write 8 bits of a register (ddi_put8(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping
 * @value:    the value
 */
void ddi_put8(ddi_acc_handle_t handle, uint8_t *dev_addr, uint8_t value)
{
	acc_write(handle, dev_addr, 1, value);
}

/**
 * ddi_put16() - write 16 bits of a register (ddi_put16(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping, 2-byte aligned
 * @value:    the value, in host order
 */
void ddi_put16(ddi_acc_handle_t handle, uint16_t *dev_addr, uint16_t value)
{
	acc_write(handle, dev_addr, 2, value);
}

/**
 * ddi_put32() - write 32 bits of a register (ddi_put32(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping, 4-byte aligned
 * @value:    the value, in host order
 */
void ddi_put32(ddi_acc_handle_t handle, uint32_t *dev_addr, uint32_t value)
{
	acc_write(handle, dev_addr, 4, value);
}

/**
 * ddi_put64() - write 64 bits of a register (ddi_put64(9F))
 * @handle:   access handle
 * @dev_addr: address in the handle's mapping, 8-byte aligned
 * @value:    the value, in host order
 */
void ddi_put64(ddi_acc_handle_t handle, uint64_t *dev_addr, uint64_t value)
{
	acc_write(handle, dev_addr, 8, value);
}

static void acc_rep(struct ddi_acc_impl *h, void *host, void *dev,
		    size_t n, uint_t flags, int size, bool get)
{
	size_t i;

	for (i = 0; i < n; i++) {
		void *hp = host + i * size;
		void *dp = flags == DDI_DEV_NO_AUTOINCR ? dev : dev + i * size;

		if (get) {
			u64 v = acc_read(h, dp, size);

			memcpy(hp, (u8 *)&v, size);	/* little-endian host */
		} else {
			u64 v = 0;

			memcpy(&v, hp, size);
			acc_write(h, dp, size, v);
		}
	}
}

/**
 * ddi_rep_get8() - read repeatedly (ddi_rep_get8(9F))
 * @handle:    access handle
 * @host_addr: destination buffer of @repcount values
 * @dev_addr:  first device address
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR (next device address each time) or
 *             DDI_DEV_NO_AUTOINCR (the same one, a FIFO)
 */
void ddi_rep_get8(ddi_acc_handle_t handle, uint8_t *host_addr,
		  uint8_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 1, true);
}

/**
 * ddi_rep_get16() - read repeatedly (ddi_rep_get16(9F))
 * @handle:    access handle
 * @host_addr: destination buffer
 * @dev_addr:  first device address, 2-byte aligned
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_get16(ddi_acc_handle_t handle, uint16_t *host_addr,
		   uint16_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 2, true);
}

/**
 * ddi_rep_get32() - read repeatedly (ddi_rep_get32(9F))
 * @handle:    access handle
 * @host_addr: destination buffer
 * @dev_addr:  first device address, 4-byte aligned
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_get32(ddi_acc_handle_t handle, uint32_t *host_addr,
		   uint32_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 4, true);
}

/**
 * ddi_rep_get64() - read repeatedly (ddi_rep_get64(9F))
 * @handle:    access handle
 * @host_addr: destination buffer
 * @dev_addr:  first device address, 8-byte aligned
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_get64(ddi_acc_handle_t handle, uint64_t *host_addr,
		   uint64_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 8, true);
}

/**
 * ddi_rep_put8() - write repeatedly (ddi_rep_put8(9F))
 * @handle:    access handle
 * @host_addr: source buffer of @repcount values
 * @dev_addr:  first device address
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_put8(ddi_acc_handle_t handle, uint8_t *host_addr,
		  uint8_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 1, false);
}

/**
 * ddi_rep_put16() - write repeatedly (ddi_rep_put16(9F))
 * @handle:    access handle
 * @host_addr: source buffer
 * @dev_addr:  first device address, 2-byte aligned
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_put16(ddi_acc_handle_t handle, uint16_t *host_addr,
		   uint16_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 2, false);
}

/**
 * ddi_rep_put32() - write repeatedly (ddi_rep_put32(9F))
 * @handle:    access handle
 * @host_addr: source buffer
 * @dev_addr:  first device address, 4-byte aligned
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_put32(ddi_acc_handle_t handle, uint32_t *host_addr,
		   uint32_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 4, false);
}

/**
 * ddi_rep_put64() - write repeatedly (ddi_rep_put64(9F))
 * @handle:    access handle
 * @host_addr: source buffer
 * @dev_addr:  first device address, 8-byte aligned
 * @repcount:  number of values
 * @flags:     DDI_DEV_AUTOINCR or DDI_DEV_NO_AUTOINCR
 */
void ddi_rep_put64(ddi_acc_handle_t handle, uint64_t *host_addr,
		   uint64_t *dev_addr, size_t repcount, uint_t flags)
{
	acc_rep(handle, host_addr, dev_addr, repcount, flags, 8, false);
}
