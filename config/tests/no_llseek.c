// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_NO_LLSEEK: the no_llseek name still exists (a NULL .llseek since
 * Linux 6.0).  Linux 6.12, commit cb787f4ac0c2 ("[tree-wide] finally take
 * no_llseek out"), removed it: a file without .llseek is not seekable.
 */
#include <linux/fs.h>

const struct file_operations conftest_no_llseek_fops = {
	.llseek = no_llseek,
};
