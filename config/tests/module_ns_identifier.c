// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MODULE_NS_IDENTIFIER: MODULE_IMPORT_NS() and EXPORT_SYMBOL_NS*()
 * take the symbol namespace as a bare identifier and stringify it.
 * Linux 6.13, commit cdd30ebb1b9f ("module: Convert symbol namespace to
 * string literal"), made them take a string literal, so an identifier no
 * longer compiles.
 */
#include <linux/module.h>

MODULE_IMPORT_NS(XXMEM_CONFTEST_NS);
