// SPDX-License-Identifier: GPL-2.0
/*
 * xxddi: the Solaris DDI compatibility layer of xxmem.
 *
 * Like OpenZFS' spl.ko, it is a module of its own that exports one Linux
 * primitive behind each Solaris DDI name; drivers written against
 * include/sys/ (xxmem.ko, the test drivers) link against it.
 */
#include <linux/module.h>
#include "../version.h"

MODULE_DESCRIPTION("Solaris DDI devmap compatibility layer for xxmem");
MODULE_AUTHOR("The xxmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(XXMEM_VERSION);
