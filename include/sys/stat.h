/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/stat.h> - file types; ddi_create_minor_node(9F) takes S_IFCHR
 * (the same value on Linux and Solaris).
 */
#ifndef _XXDDI_SYS_STAT_H
#define _XXDDI_SYS_STAT_H

#include <linux/stat.h>

#endif /* _XXDDI_SYS_STAT_H */
