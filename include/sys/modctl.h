/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/modctl.h> - module linkage: mod_install(9F) / mod_remove(9F).
 *
 * A driver's module init calls mod_install(&modlinkage) as Solaris' _init()
 * does; xxddi then creates the driver's instances and attaches them.  Today
 * a driver is a pseudo driver with one instance, 0.
 */
#ifndef _XXDDI_SYS_MODCTL_H
#define _XXDDI_SYS_MODCTL_H

#include <linux/module.h>
#include <sys/devops.h>

#define MODREV_1	1

struct mod_ops {
	const char *name;
};

extern struct mod_ops mod_driverops;

/**
 * struct modldrv - a driver's linkage (modldrv(9S))
 * @drv_modops:   &mod_driverops
 * @drv_linkinfo: one-line description
 * @drv_dev_ops:  the driver's dev_ops
 */
struct modldrv {
	struct mod_ops *drv_modops;
	const char *drv_linkinfo;
	struct dev_ops *drv_dev_ops;
};

/**
 * struct modlinkage - module linkage (modlinkage(9S))
 * @ml_rev:     MODREV_1
 * @ml_linkage: NULL-terminated list; xxddi uses the first, a struct modldrv
 * @ml_priv:    xxddi's private state while installed (leave zero)
 */
struct modlinkage {
	int ml_rev;
	void *ml_linkage[4];
	void *ml_priv;
};

int __mod_install(struct modlinkage *modlp, struct module *owner);
int mod_remove(struct modlinkage *modlp);

/* mod_install(9F): the calling module owns the driver's device nodes. */
#define mod_install(modlp)	__mod_install((modlp), THIS_MODULE)

#endif /* _XXDDI_SYS_MODCTL_H */
