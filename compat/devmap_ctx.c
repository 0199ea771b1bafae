// SPDX-License-Identifier: GPL-2.0
/*
 * devmap(9E) context management: devmap_do_ctxmgt(9F) and
 * devmap_set_ctx_timeout(9F).  A device context (struct devmap_ctx) is
 * shared by every process that maps the device; one handle owns it at a
 * time, and the driver's devmap_contextmgt callback switches it over.
 * ctx->lock nests inside the segment's lock (devmap_seg.c, "Locking").
 */
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <sys/sunddi.h>
#include <sys/ddidevmap.h>
#include "impl.h"

static struct devmap_ctx *i_devmap_get_ctx(struct dev_info *dip)
{
	struct devmap_ctx *ctx;

	if (!dip)
		return NULL;
	ctx = READ_ONCE(dip->ctx);
	if (ctx)
		return ctx;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return NULL;
	mutex_init(&ctx->lock);
	if (cmpxchg(&dip->ctx, NULL, ctx)) {
		kfree(ctx);
		ctx = dip->ctx;
	}
	return ctx;
}

/**
 * i_devmap_ctx_free() - free the device context of an instance
 * @dip: the instance (detach, all mappings gone)
 *
 * Context: process context.
 */
void i_devmap_ctx_free(struct dev_info *dip)
{
	if (!dip->ctx)
		return;
	mutex_destroy(&dip->ctx->lock);
	kfree(dip->ctx);
	dip->ctx = NULL;
}

/**
 * devmap_set_ctx_timeout() - how long a context owner keeps the context
 * (devmap_set_ctx_timeout(9F))
 * @dhc:   a handle of the device
 * @ticks: clock ticks (jiffies; see drv_usectohz()); 0: no minimum
 *
 * Context: process context, may sleep (the device context is created on
 * first use).
 */
void devmap_set_ctx_timeout(devmap_cookie_t dhc, clock_t ticks)
{
	struct devmap_handle *dhp = dhc;
	struct devmap_ctx *ctx = dhp ? i_devmap_get_ctx(dhp->dip) : NULL;

	if (!ctx)
		return;
	mutex_lock(&ctx->lock);
	ctx->timeout = max_t(clock_t, ticks, 0);
	mutex_unlock(&ctx->lock);
}

/**
 * devmap_do_ctxmgt() - serialise access to a device context
 * (devmap_do_ctxmgt(9F))
 * @dhc:    the faulting handle
 * @pvtp:   the driver's private data of @dhp
 * @off:    user offset of the access
 * @len:    bytes
 * @type:   DEVMAP_ACCESS ...
 * @rw:     S_READ / S_WRITE
 * @ctxmgt: the driver's context switch: typically devmap_unload() of the
 *          previous owner's handle and devmap_load() of @dhp; returns 0 or
 *          non-zero
 *
 * The device (instance) has one context.  If another handle owns it and
 * has held it for less than the timeout set by devmap_set_ctx_timeout(),
 * the caller waits until that time is up; then @ctxmgt runs (serialised
 * with every other context switch of the device) and @dhp becomes the
 * owner.  Called from devmap_access(9E).
 *
 * Context: fault context, sleeps; a fatal signal ends the wait with a
 * failure.
 * Return: 0, or -1 if @ctxmgt failed or the wait was interrupted (the
 * access then gets SIGBUS).
 */
int devmap_do_ctxmgt(devmap_cookie_t dhc, void *pvtp, offset_t off,
		     size_t len, uint_t type, uint_t rw,
		     int (*ctxmgt)(devmap_cookie_t, void *, offset_t, size_t,
				   uint_t, uint_t))
{
	struct devmap_handle *dhp = dhc;
	struct devmap_ctx *ctx = dhp ? i_devmap_get_ctx(dhp->dip) : NULL;
	int ret;

	if (!ctx || !ctxmgt)
		return -1;
	mutex_lock(&ctx->lock);
	for (;;) {
		/* one reading of jiffies: the wait can never be negative */
		long wait = (long)(ctx->expires - jiffies);

		if (!ctx->owner || ctx->owner == dhp || wait <= 0)
			break;
		mutex_unlock(&ctx->lock);
		schedule_timeout_killable(wait);
		if (fatal_signal_pending(current))
			return -1;
		mutex_lock(&ctx->lock);
	}
	ret = ctxmgt(dhp, pvtp, off, len, type, rw);
	if (!ret) {
		ctx->owner = dhp;
		/*
		 * The current tick is already partly over: one more makes
		 * the owner keep the context for at least the timeout.
		 */
		ctx->expires = jiffies + ctx->timeout + 1;
	}
	mutex_unlock(&ctx->lock);
	return ret ? -1 : 0;
}

/**
 * i_devmap_ctx_forget() - a handle is freed: it owns its device's context
 * no more
 * @dhp: the handle
 *
 * Context: process context; takes ctx->lock (the segment's lock may be
 * held).
 */
__ddi_hot void i_devmap_ctx_forget(struct devmap_handle *dhp)
{
	struct devmap_ctx *ctx = dhp->dip ? dhp->dip->ctx : NULL;

	if (!ctx)
		return;
	mutex_lock(&ctx->lock);
	if (ctx->owner == dhp)
		ctx->owner = NULL;
	mutex_unlock(&ctx->lock);
}
