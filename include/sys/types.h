/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/types.h> - the Solaris basic types a DDI driver uses, each defined
 * on the Linux type of the same width.
 */
#ifndef _XXDDI_SYS_TYPES_H
#define _XXDDI_SYS_TYPES_H

#include <linux/types.h>

typedef unsigned char	uchar_t;
typedef unsigned short	ushort_t;
typedef unsigned int	uint_t;
typedef unsigned long	ulong_t;
typedef long long	offset_t;	/* 64-bit file/device offset */
typedef char		*caddr_t;	/* kernel virtual address */
typedef unsigned int	major_t;
typedef unsigned int	minor_t;
typedef long		intptr_t;	/* integer that holds a pointer */

typedef enum { B_FALSE = 0, B_TRUE = 1 } boolean_t;

/* Credentials: Solaris' cred_t is Linux's struct cred. */
typedef struct cred	cred_t;

#endif /* _XXDDI_SYS_TYPES_H */
