// SPDX-License-Identifier: GPL-2.0
/*
 * Small DDI services: hat_getkpfnum(9F), drv_usectohz(9F), ddi_get_pid(9F)
 * and uiomove(9F).
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <sys/sunddi.h>
#include "impl.h"

/**
 * hat_getkpfnum() - page frame number of a kernel address (hat_getkpfnum(9F))
 * @addr: a kernel virtual address: from ddi_regs_map_setup() (a memory
 *        register set), the kernel's direct map (kmalloc, page allocator)
 *        or vmalloc space (vmalloc, vmap - which is where ddi_umem_alloc()
 *        memory lives)
 *
 * Context: any (vmalloc addresses: not from NMI).
 * Return: the frame number of the page holding @addr, or PFN_INVALID for an
 * address of neither kind.
 */
ulong_t hat_getkpfnum(caddr_t addr)
{
	ulong_t pfn = i_ddi_regs_kpfnum(addr);

	if (pfn != PFN_INVALID)
		return pfn;
	if (is_vmalloc_addr(addr))
		return vmalloc_to_pfn(addr);
	if (virt_addr_valid(addr))
		return PHYS_PFN(__pa(addr));
	return PFN_INVALID;
}

/**
 * drv_usectohz() - microseconds to clock ticks (drv_usectohz(9F))
 * @microsecs: a time in microseconds, >= 0
 *
 * Context: any.
 * Return: the number of jiffies that covers @microsecs (rounded up).
 */
clock_t drv_usectohz(clock_t microsecs)
{
	if (microsecs <= 0)
		return 0;
	return usecs_to_jiffies(microsecs);
}

/**
 * ddi_get_pid() - process ID of the caller (ddi_get_pid(9F))
 *
 * Context: process context.
 * Return: the calling process' ID (its thread group ID).
 */
pid_t ddi_get_pid(void)
{
	return task_tgid_nr(current);
}

/**
 * uiomove() - move data between a kernel buffer and a uio (uiomove(9F))
 * @address: the kernel buffer
 * @nbytes:  bytes to move at most (fewer if the request is smaller)
 * @rwflag:  UIO_READ: from @address to the caller; UIO_WRITE: the reverse
 * @uio_p:   the request; its offset advances and its residue shrinks by
 *           what was moved
 *
 * Context: process context, may sleep (page faults).
 * Return: 0, or EFAULT if the caller's buffer is not accessible.
 */
int uiomove(void *address, size_t nbytes, enum uio_rw rwflag,
	    struct uio *uio_p)
{
	size_t n = min_t(size_t, nbytes, uio_p->uio_resid);
	size_t done;

	if (rwflag == UIO_READ)
		done = copy_to_iter(address, n, uio_p->uio_iter);
	else
		done = copy_from_iter(address, n, uio_p->uio_iter);
	uio_p->uio_resid -= done;
	uio_p->uio_loffset += done;
	return done == n ? 0 : EFAULT;
}

/**
 * xxddi_nodev() - nodev(9F): what an entry point that is not provided does
 *
 * Drivers name it as nodev in cb_ops(9S)/dev_ops(9S) slots (<sys/ddi.h>);
 * xxddi recognises it there and never calls it through a slot's type.
 *
 * Context: any.
 * Return: ENXIO.
 */
int xxddi_nodev(void)
{
	return ENXIO;
}

/**
 * xxddi_nulldev() - nulldev(9F): an entry point that does nothing
 *
 * Context: any.
 * Return: 0.
 */
int xxddi_nulldev(void)
{
	return 0;
}

/**
 * nochpoll() - the cb_chpoll of a driver that does not support poll(2)
 * (nochpoll(9F))
 * @dev:      the device
 * @events:   requested events
 * @anyyet:   whether other descriptors already have events
 * @reventsp: returned events (untouched)
 * @phpp:     poll head (untouched)
 *
 * Context: any.
 * Return: ENXIO.
 */
int nochpoll(dev_t dev, short events, int anyyet, short *reventsp,
	     struct pollhead **phpp)
{
	return ENXIO;
}

/**
 * ddi_quiesce_not_needed() - devo_quiesce of a device that needs no
 * quiescing (ddi_quiesce_not_needed(9F))
 * @dip: the device
 *
 * Context: any.
 * Return: DDI_SUCCESS.
 */
int ddi_quiesce_not_needed(dev_info_t *dip)
{
	return DDI_SUCCESS;
}

/**
 * ddi_quiesce_not_supported() - devo_quiesce of a device that cannot be
 * quiesced (ddi_quiesce_not_needed(9F))
 * @dip: the device
 *
 * Context: any.
 * Return: DDI_FAILURE.
 */
int ddi_quiesce_not_supported(dev_info_t *dip)
{
	return DDI_FAILURE;
}
