/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/sunddi.h> - the Solaris DDI functions xxddi provides.
 *
 * Each function is a thin layer over one Linux primitive; its kernel-doc
 * (in compat/) names the Solaris page it ports and every difference.
 */
#ifndef _XXDDI_SYS_SUNDDI_H
#define _XXDDI_SYS_SUNDDI_H

#include <sys/types.h>
#include <sys/errno.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/open.h>
#include <sys/conf.h>
#include <sys/uio.h>
#include <sys/dditypes.h>
#include <sys/param.h>
#include <sys/proc.h>
#include <sys/model.h>
#include <sys/mman.h>
#include <sys/ddi.h>
#include <sys/devops.h>
#include <sys/ddidevmap.h>

#define DDI_SUCCESS	0
#define DDI_FAILURE	(-1)

/* ddi_regs_map_setup(9F) errors (Solaris values) */
#define DDI_ME_RNUMBER_RANGE	(-6)
#define DDI_ME_INVAL		(-7)
#define DDI_REGS_ACC_CONFLICT	(-10)

/* ddi_create_minor_node(9F) node types */
#define DDI_PSEUDO	"ddi_pseudo"

/* Data models (ddi_model_convert_from(9F), ddi_mmap_get_model(9F)) */
#define DDI_MODEL_MASK		DATAMODEL_MASK
#define DDI_MODEL_ILP32		DATAMODEL_ILP32
#define DDI_MODEL_LP64		DATAMODEL_LP64
#define DDI_MODEL_NATIVE	DATAMODEL_NATIVE
#define DDI_MODEL_NONE		DATAMODEL_NONE
#define FMODELS			DATAMODEL_MASK	/* model bits of ioctl mode */

/* ddi_device_acc_attr(9S) */
#define DDI_DEVICE_ATTR_V0	0x0001
#define DDI_DEVICE_ATTR_V1	0x0002

#define DDI_NEVERSWAP_ACC	0x00
#define DDI_STRUCTURE_LE_ACC	0x01
#define DDI_STRUCTURE_BE_ACC	0x02

#define DDI_STRICTORDER_ACC	0x00
#define DDI_UNORDERED_OK_ACC	0x01
#define DDI_MERGING_OK_ACC	0x02
#define DDI_LOADCACHING_OK_ACC	0x03
#define DDI_STORECACHING_OK_ACC	0x04

#define DDI_DEFAULT_ACC		0x01

typedef struct ddi_device_acc_attr {
	ushort_t devacc_attr_version;
	uchar_t devacc_attr_endian_flags;
	uchar_t devacc_attr_dataorder;
	uchar_t devacc_attr_access;
} ddi_device_acc_attr_t;

/* Register access (compat/regs.c) */
typedef struct ddi_acc_impl *ddi_acc_handle_t;

/* ddi_rep_get*(9F) / ddi_rep_put*(9F) flags */
#define DDI_DEV_NO_AUTOINCR	0x0000
#define DDI_DEV_AUTOINCR	0x0001

/*
 * ddi_dev_regflags() bits (an xxddi extension: what Solaris' "reg" and
 * "assigned-addresses" properties encode)
 */
#define DDI_REG_MEM		0x1	/* memory space */
#define DDI_REG_IO		0x2	/* I/O port space */
#define DDI_REG_PREFETCH	0x4	/* prefetchable memory */
#define DDI_REG_64BIT		0x8	/* 64-bit memory BAR */
#define DDI_REG_CONFIG		0x10	/* configuration space (rnumber 0) */

int ddi_dev_nregs(dev_info_t *dip, int *resultp);
int ddi_dev_regmapsize(dev_info_t *dip, uint_t rnumber, offset_t *resultp);
int ddi_dev_regsize(dev_info_t *dip, uint_t rnumber, off_t *resultp);
int ddi_dev_regflags(dev_info_t *dip, uint_t rnumber, uint_t *flagsp);
int ddi_dev_regbar(dev_info_t *dip, uint_t rnumber, uint_t *barp);
int ddi_regs_map_setup(dev_info_t *dip, uint_t rnumber, caddr_t *addrp,
		       offset_t offset, offset_t len,
		       ddi_device_acc_attr_t *accattrp,
		       ddi_acc_handle_t *handlep);
void ddi_regs_map_free(ddi_acc_handle_t *handlep);

uint8_t ddi_get8(ddi_acc_handle_t handle, uint8_t *dev_addr);
uint16_t ddi_get16(ddi_acc_handle_t handle, uint16_t *dev_addr);
uint32_t ddi_get32(ddi_acc_handle_t handle, uint32_t *dev_addr);
uint64_t ddi_get64(ddi_acc_handle_t handle, uint64_t *dev_addr);
void ddi_put8(ddi_acc_handle_t handle, uint8_t *dev_addr, uint8_t value);
void ddi_put16(ddi_acc_handle_t handle, uint16_t *dev_addr, uint16_t value);
void ddi_put32(ddi_acc_handle_t handle, uint32_t *dev_addr, uint32_t value);
void ddi_put64(ddi_acc_handle_t handle, uint64_t *dev_addr, uint64_t value);
void ddi_rep_get8(ddi_acc_handle_t handle, uint8_t *host_addr,
		  uint8_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_get16(ddi_acc_handle_t handle, uint16_t *host_addr,
		   uint16_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_get32(ddi_acc_handle_t handle, uint32_t *host_addr,
		   uint32_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_get64(ddi_acc_handle_t handle, uint64_t *host_addr,
		   uint64_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_put8(ddi_acc_handle_t handle, uint8_t *host_addr,
		  uint8_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_put16(ddi_acc_handle_t handle, uint16_t *host_addr,
		   uint16_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_put32(ddi_acc_handle_t handle, uint32_t *host_addr,
		   uint32_t *dev_addr, size_t repcount, uint_t flags);
void ddi_rep_put64(ddi_acc_handle_t handle, uint64_t *host_addr,
		   uint64_t *dev_addr, size_t repcount, uint_t flags);

/*
 * Properties (ddi_prop_get_int(9F), ddi_prop_op(9F)): the PCI
 * identification properties
 */
#define DDI_DEV_T_NONE		((dev_t)-1)
#define DDI_DEV_T_ANY		((dev_t)-2)
#define DDI_PROP_DONTPASS	0x0001
#define DDI_PROP_CANSLEEP	0x0002

#define DDI_PROP_SUCCESS	0
#define DDI_PROP_NOT_FOUND	1
#define DDI_PROP_UNDEFINED	2
#define DDI_PROP_NO_MEMORY	3
#define DDI_PROP_INVAL_ARG	4
#define DDI_PROP_BUF_TOO_SMALL	5
#define DDI_PROP_CANNOT_DECODE	6
#define DDI_PROP_CANNOT_ENCODE	7
#define DDI_PROP_END_OF_DATA	8

int ddi_prop_get_int(dev_t match_dev, dev_info_t *dip, uint_t flags,
		     const char *name, int defvalue);
int ddi_prop_op(dev_t dev, dev_info_t *dip, ddi_prop_op_t prop_op,
		int mod_flags, char *name, caddr_t valuep, int *lengthp);

/* The DDI defaults for cb_ops(9S) / dev_ops(9S) slots (compat/misc.c) */
int nochpoll(dev_t dev, short events, int anyyet, short *reventsp,
	     struct pollhead **phpp);
int ddi_quiesce_not_needed(dev_info_t *dip);
int ddi_quiesce_not_supported(dev_info_t *dip);

/* Instances and minor nodes (compat/dip.c) */
int ddi_get_instance(dev_info_t *dip);
const char *ddi_driver_name(dev_info_t *dip);
void ddi_set_driver_private(dev_info_t *dip, void *data);
void *ddi_get_driver_private(dev_info_t *dip);
int ddi_create_minor_node(dev_info_t *dip, const char *name, int spec_type,
			  minor_t minor_num, const char *node_type, int flag);
void ddi_remove_minor_node(dev_info_t *dip, const char *name);

/* Copies to and from an ioctl(9E) caller (compat/copy.c) */
int ddi_copyin(const void __user *buf, void *driverbuf, size_t cn, int flags);
int ddi_copyout(const void *driverbuf, void __user *buf, size_t cn,
		int flags);

/* Soft state (compat/softstate.c) */
int ddi_soft_state_init(void **state_p, size_t size, size_t n_items);
int ddi_soft_state_zalloc(void *state, int item);
void *ddi_get_soft_state(void *state, int item);
void ddi_soft_state_free(void *state, int item);
void ddi_soft_state_fini(void **state_p);

/* Kernel memory for user mappings (compat/umem.c) */
void *ddi_umem_alloc(size_t size, int flag, ddi_umem_cookie_t *cookiep);
void ddi_umem_free(ddi_umem_cookie_t cookie);

/* User memory locked down for mappings (compat/umem.c) */
int ddi_umem_lock(caddr_t addr, size_t len, int flags,
		  ddi_umem_cookie_t *cookiep);
void ddi_umem_unlock(ddi_umem_cookie_t cookie);
/* illumos' consolidation-private form (<sys/esunddi.h> there) */
#define DDI_UMEMLOCK_LONGTERM	0x04
int umem_lockmemory(caddr_t addr, size_t size, int flags,
		    ddi_umem_cookie_t *cookiep,
		    struct umem_callback_ops *ops_vector, proc_t *procp);

/* Kernel virtual address -> page frame number (hat_getkpfnum(9F)) */
#define PFN_INVALID	((ulong_t)-1)
ulong_t hat_getkpfnum(caddr_t addr);

/* Clock ticks (drv_usectohz(9F)): Linux jiffies */
clock_t drv_usectohz(clock_t microsecs);
pid_t ddi_get_pid(void);

/* Data model (compat/model.c) */
model_t ddi_model_convert_from(model_t model);
model_t ddi_mmap_get_model(void);
model_t get_udatamodel(void);

/**
 * ddi_btop() - bytes to pages, rounded down (ddi_btop(9F))
 * @dip:   the device (unused: every device has the kernel's page size)
 * @bytes: a byte count
 *
 * Context: any.
 * Return: @bytes / PAGESIZE.
 */
static inline unsigned long ddi_btop(dev_info_t *dip, unsigned long bytes)
{
	return btop(bytes);
}

/**
 * ddi_btopr() - bytes to pages, rounded up (ddi_btopr(9F))
 * @dip:   the device (unused)
 * @bytes: a byte count
 *
 * Context: any.
 * Return: the number of pages that hold @bytes.
 */
static inline unsigned long ddi_btopr(dev_info_t *dip, unsigned long bytes)
{
	return btopr(bytes);
}

/**
 * ddi_ptob() - pages to bytes (ddi_ptob(9F))
 * @dip:   the device (unused)
 * @pages: a page count
 *
 * Context: any.
 * Return: @pages * PAGESIZE.
 */
static inline unsigned long ddi_ptob(dev_info_t *dip, unsigned long pages)
{
	return ptob(pages);
}

#endif /* _XXDDI_SYS_SUNDDI_H */
