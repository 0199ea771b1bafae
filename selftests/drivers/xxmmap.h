/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xxmmap's user ABI (selftests/drivers/xxmmap_drv.c), shared by the driver
 * and devmap_test: /dev/xxmmap maps its device memory with the legacy
 * mmap(9E) entry point only.
 */
#ifndef _XXMMAP_H
#define _XXMMAP_H

#include <linux/types.h>

#define XXMMAP_DEVSIZE		512	/* bytes of device memory */
/* byte i of the device memory */
#define XXMMAP_BYTE(i)		((__u8)(((i) * 7 + 3) & 0xff))

#endif /* _XXMMAP_H */
