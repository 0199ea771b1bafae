/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/errno.h> - error numbers.  Entry points and the DDI functions that
 * return an errno use Linux's numbers under the Solaris names, which are
 * the same names (ENXIO, EINVAL, EFAULT ...); the values differ from
 * Solaris' only for the rarer codes, which drivers compare by name.
 */
#ifndef _XXDDI_SYS_ERRNO_H
#define _XXDDI_SYS_ERRNO_H

#include <linux/errno.h>

#endif /* _XXDDI_SYS_ERRNO_H */
