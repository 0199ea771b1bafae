// SPDX-License-Identifier: GPL-2.0
/*
 * xxddi: the Solaris DDI compatibility layer of xxmem.
 *
 * Like OpenZFS' spl.ko, it is a module of its own that exports one Linux
 * primitive behind each Solaris DDI name; drivers written against
 * include/sys/ (xxmem.ko, the test drivers) link against it.
 *
 * debugfs xxddi/stats counts the layer's live objects (struct
 * xxddi_stats): with no driver loaded every count is zero, which is how the
 * tests show that nothing leaked.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include "impl.h"
#include "compat/kernel_compat.h"
#include "../version.h"

struct xxddi_stats xxddi_stats;

/* Read-only: whether this build maps 2 MiB blocks with PMD entries. */
static bool huge_pfnmap = XX_HUGE_PFNMAP;
module_param(huge_pfnmap, bool, 0444);
MODULE_PARM_DESC(huge_pfnmap,
		 "Y/N: 2 MiB blocks are mapped with PMD entries (read-only)");

static struct dentry *xxddi_debugfs;

static int xxddi_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "handles %ld\n", atomic_long_read(&xxddi_stats.handles));
	seq_printf(m, "segments %ld\n", atomic_long_read(&xxddi_stats.segs));
	seq_printf(m, "vmas %ld\n", atomic_long_read(&xxddi_stats.vmas));
	seq_printf(m, "umem_cookies %ld\n",
		   atomic_long_read(&xxddi_stats.cookies));
	seq_printf(m, "umem_pages %ld\n",
		   atomic_long_read(&xxddi_stats.umem_pages));
	seq_printf(m, "reg_mappings %ld\n",
		   atomic_long_read(&xxddi_stats.regmaps));
	seq_printf(m, "minor_nodes %ld\n", atomic_long_read(&xxddi_stats.nodes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xxddi_stats);

static int __init xxddi_init(void)
{
	xxddi_debugfs = debugfs_create_dir("xxddi", NULL);
	debugfs_create_file("stats", 0400, xxddi_debugfs, NULL,
			    &xxddi_stats_fops);
	return 0;
}

static void __exit xxddi_exit(void)
{
	debugfs_remove(xxddi_debugfs);
}

module_init(xxddi_init);
module_exit(xxddi_exit);

MODULE_DESCRIPTION("Solaris DDI devmap compatibility layer for xxmem");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(XXMEM_VERSION);
