// SPDX-License-Identifier: GPL-2.0
/*
 * The DDI layer's state in the module it is linked into.
 *
 * The layer is not a module of its own: its objects are linked into each
 * driver module (xxmem.ko, the test drivers) and export nothing, so every
 * driver module loads on its own and none can collide with another
 * Solaris-compat module's exports (OpenZFS' spl.ko exports cmn_err,
 * ddi_copyin, ddi_copyout).  Each module therefore has its own copy of
 * what follows:
 *
 * - debugfs MODULE/ddi_stats counts the layer's live objects (struct
 *   xxddi_stats) while the driver is installed;
 * - when the driver is removed (mod_remove(9F)) or fails to install, every
 *   count must be zero: a count left over is a leak and WARNs;
 * - the read-only parameters huge_pfnmap and huge_pfnmap_pud
 *   (/sys/module/MODULE/parameters/).
 */
#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include "impl.h"
#include "kernel_shims.h"

struct xxddi_stats xxddi_stats;

/* Read-only: whether this build maps 2 MiB blocks with PMD entries. */
static bool huge_pfnmap = XX_HUGE_PFNMAP;
module_param(huge_pfnmap, bool, 0444);
MODULE_PARM_DESC(huge_pfnmap,
		 "Y/N: 2 MiB blocks are mapped with PMD entries (read-only)");

/* Read-only: whether this build maps 1 GiB blocks with PUD entries. */
static bool huge_pfnmap_pud = XX_HUGE_PFNMAP_PUD;
module_param(huge_pfnmap_pud, bool, 0444);
MODULE_PARM_DESC(huge_pfnmap_pud,
		 "Y/N: 1 GiB blocks of device memory are mapped with PUD entries (read-only)");

/* The counts, in the order and with the names ddi_stats shows them. */
static const struct {
	const char *name;
	atomic_long_t *count;
} i_ddi_counts[] = {
	{ "handles", &xxddi_stats.handles },
	{ "segments", &xxddi_stats.segs },
	{ "vmas", &xxddi_stats.vmas },
	{ "umem_cookies", &xxddi_stats.cookies },
	{ "umem_pages", &xxddi_stats.umem_pages },
	{ "reg_mappings", &xxddi_stats.regmaps },
	{ "reg_memtypes_kept", &xxddi_stats.regs_kept },
	{ "minor_nodes", &xxddi_stats.nodes },
};

static int i_ddi_stats_show(struct seq_file *m, void *unused)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(i_ddi_counts); i++)
		seq_printf(m, "%s %ld\n", i_ddi_counts[i].name,
			   atomic_long_read(i_ddi_counts[i].count));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(i_ddi_stats);

/**
 * i_ddi_stats_create() - debugfs NAME/ddi_stats for an installed driver
 * @drv: the driver, attached
 *
 * The file goes into the debugfs directory named after the driver's module
 * if its attach(9E) created one (xxmem/), else into a directory of that
 * name created here and removed with the file.  debugfs is a debugging
 * aid: failures are ignored.
 *
 * Context: process context, may sleep.
 */
void i_ddi_stats_create(struct ddi_driver *drv)
{
	struct dentry *dir = debugfs_lookup(drv->name, NULL);

	if (dir) {
		drv->dbg_stats = debugfs_create_file("ddi_stats", 0400, dir,
						     NULL, &i_ddi_stats_fops);
		dput(dir);
		return;
	}
	drv->dbg_dir = debugfs_create_dir(drv->name, NULL);
	drv->dbg_stats = debugfs_create_file("ddi_stats", 0400, drv->dbg_dir,
					     NULL, &i_ddi_stats_fops);
}

/**
 * i_ddi_stats_remove() - remove what i_ddi_stats_create() created
 * @drv: the driver
 *
 * Context: process context, may sleep.
 */
void i_ddi_stats_remove(struct ddi_driver *drv)
{
	debugfs_remove(drv->dbg_stats);
	drv->dbg_stats = NULL;
	debugfs_remove(drv->dbg_dir);
	drv->dbg_dir = NULL;
}

/**
 * i_ddi_leak_check() - every live-object count is zero, or a WARN
 * @name: the driver's name, for the report
 * @when: what just ended ("mod_remove", "failed mod_install")
 *
 * With the driver detached (or never attached) nothing of the layer may
 * be left: open files and mappings hold the module, so none exists here.
 * umem_lockmemory() cleanup callbacks still queued run first (they may
 * hold the last reference of a cookie).
 *
 * Context: process context, may sleep.
 * Return: true if nothing is left.
 */
bool i_ddi_leak_check(const char *name, const char *when)
{
	bool clean = true;
	size_t i;

	i_ddi_umem_drain();

	for (i = 0; i < ARRAY_SIZE(i_ddi_counts); i++) {
		long n = atomic_long_read(i_ddi_counts[i].count);

		if (n) {
			pr_err("%s: DDI objects leaked after %s: %s %ld\n",
			       name, when, i_ddi_counts[i].name, n);
			clean = false;
		}
	}
	WARN(!clean, "%s: DDI objects leaked after %s\n", name, when);
	return clean;
}
