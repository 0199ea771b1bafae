/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/mman.h> - the Solaris protection bits that Linux lacks.
 *
 * PROT_READ, PROT_WRITE and PROT_EXEC have the same values on both systems
 * (from <uapi/asm-generic/mman-common.h>).  PROT_USER marks a user mapping;
 * the compat layer adds it to every protection it hands a driver, exactly
 * as Solaris' mmap(2) does, so a driver's maxprot must include it (use
 * PROT_ALL, or PROT_READ | PROT_USER ...).  It lives only inside the
 * kernel: user space never passes it (0x8 is Linux's unused PROT_SEM).
 */
#ifndef _XXDDI_SYS_MMAN_H
#define _XXDDI_SYS_MMAN_H

#include <linux/mman.h>

#define PROT_USER	0x8
#define PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER)

#endif /* _XXDDI_SYS_MMAN_H */
