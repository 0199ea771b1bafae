/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/sysmacros.h> - arithmetic helpers drivers use (Solaris names, on
 * the kernel's own macros where one exists).
 */
#ifndef _XXDDI_SYS_SYSMACROS_H
#define _XXDDI_SYS_SYSMACROS_H

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <sys/param.h>
#include <sys/ddi.h>

/* Solaris' MIN/MAX compare values of any two types (no type check) */
#ifndef MIN
#define MIN(a, b)	({ typeof(a) _a = (a); typeof(b) _b = (b); \
			   _a < _b ? _a : _b; })
#endif
#ifndef MAX
#define MAX(a, b)	({ typeof(a) _a = (a); typeof(b) _b = (b); \
			   _a < _b ? _b : _a; })
#endif
#define ABS(a)		({ typeof(a) _a = (a); _a < 0 ? -_a : _a; })

/* how many y-sized pieces hold x */
#define howmany(x, y)		DIV_ROUND_UP(x, y)

/* powers of two (ISP2(0) is true, as on Solaris) */
#define ISP2(x)		({ typeof(x) _x = (x); (_x & (_x - 1)) == 0; })
#define IS_P2ALIGNED(v, a)	((((uintptr_t)(v)) & ((uintptr_t)(a) - 1)) == 0)
#define P2ALIGN(x, align)	((x) & -(align))
#define P2PHASE(x, align)	((x) & ((align) - 1))
#define P2NPHASE(x, align)	(-(x) & ((align) - 1))
#define P2ROUNDUP(x, align)	(-(-(x) & -(align)))
#define P2END(x, align)		(-(~(x) & -(align)))
#define P2CROSS(x, y, align)	(((x) ^ (y)) > (align) - 1)
#define P2SAMEHIGHBIT(x, y)	({ typeof(x) _x = (x); typeof(y) _y = (y); \
				   (_x ^ _y) < (_x & _y); })

#endif /* _XXDDI_SYS_SYSMACROS_H */
