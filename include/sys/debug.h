/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/debug.h> - assertions.  ASSERT* check only in DEBUG builds, as on
 * Solaris; VERIFY* always check.  A failed check is a WARN_ON_ONCE, not a
 * panic: a driver bug must not take Linux down.
 */
#ifndef _XXDDI_SYS_DEBUG_H
#define _XXDDI_SYS_DEBUG_H

#include <linux/bug.h>
#include <linux/types.h>

#define VERIFY(x)		((void)WARN_ON_ONCE(!(x)))
#define VERIFY3T(x, op, y, type)					\
	do {								\
		type _l = (type)(x), _r = (type)(y);			\
									\
		VERIFY(_l op _r);					\
	} while (0)
#define VERIFY3S(x, op, y)	VERIFY3T(x, op, y, s64)
#define VERIFY3U(x, op, y)	VERIFY3T(x, op, y, u64)
#define VERIFY3P(x, op, y)	VERIFY3T(x, op, y, uintptr_t)
#define VERIFY0(x)		VERIFY((x) == 0)

#ifdef DEBUG
#define ASSERT(x)		VERIFY(x)
#define ASSERT3S(x, op, y)	VERIFY3S(x, op, y)
#define ASSERT3U(x, op, y)	VERIFY3U(x, op, y)
#define ASSERT3P(x, op, y)	VERIFY3P(x, op, y)
#define ASSERT0(x)		VERIFY0(x)
#else
#define ASSERT(x)		((void)sizeof(!(x)))
#define ASSERT3S(x, op, y)	((void)sizeof(x), (void)sizeof(y))
#define ASSERT3U(x, op, y)	((void)sizeof(x), (void)sizeof(y))
#define ASSERT3P(x, op, y)	((void)sizeof(x), (void)sizeof(y))
#define ASSERT0(x)		((void)sizeof((x) == 0))
#endif

#endif /* _XXDDI_SYS_DEBUG_H */
