/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/model.h> - data model (C type model) of a thread.
 *
 * The values are Solaris' own, so that a driver that stores or compares
 * them behaves as it did there.
 */
#ifndef _XXDDI_SYS_MODEL_H
#define _XXDDI_SYS_MODEL_H

#define DATAMODEL_MASK		0x0FF00000
#define DATAMODEL_ILP32		0x00100000
#define DATAMODEL_LP64		0x00200000
#define DATAMODEL_NONE		0
#ifdef CONFIG_64BIT
#define DATAMODEL_NATIVE	DATAMODEL_LP64
#else
#define DATAMODEL_NATIVE	DATAMODEL_ILP32
#endif

typedef unsigned int model_t;

#endif /* _XXDDI_SYS_MODEL_H */
