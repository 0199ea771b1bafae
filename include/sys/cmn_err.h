/* SPDX-License-Identifier: GPL-2.0 */
/* <sys/cmn_err.h> - console/log messages (cmn_err(9F)) on printk. */
#ifndef _XXDDI_SYS_CMN_ERR_H
#define _XXDDI_SYS_CMN_ERR_H

#include <linux/compiler_attributes.h>

#define CE_CONT		0	/* continuation: KERN_CONT */
#define CE_NOTE		1	/* KERN_NOTICE, "NOTICE: " */
#define CE_WARN		2	/* KERN_WARNING, "warning: " */
/* CE_PANIC and CE_IGNORE are not provided: a driver must not panic Linux. */

void cmn_err(int level, const char *fmt, ...) __printf(2, 3);

#endif /* _XXDDI_SYS_CMN_ERR_H */
