/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/param.h> - page size and the page/byte conversion macros.
 *
 * Solaris' ptob(), btop() and btopr() are macros working in the kernel's
 * base page size; so are these (PAGE_SHIFT of the running architecture).
 */
#ifndef _XXDDI_SYS_PARAM_H
#define _XXDDI_SYS_PARAM_H

#include <linux/mm.h>

#define PAGESIZE	PAGE_SIZE
#define PAGESHIFT	PAGE_SHIFT
#define PAGEOFFSET	(PAGESIZE - 1)
#define PAGEMASK	PAGE_MASK
#define MMU_PAGESIZE	PAGE_SIZE
#define MMU_PAGESHIFT	PAGE_SHIFT

/* pages -> bytes */
#define ptob(x)		((ulong_t)(x) << PAGESHIFT)
/* bytes -> pages, rounded down */
#define btop(x)		((ulong_t)(x) >> PAGESHIFT)
/* bytes -> pages, rounded up */
#define btopr(x)	(((ulong_t)(x) + PAGEOFFSET) >> PAGESHIFT)

#endif /* _XXDDI_SYS_PARAM_H */
