/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/conf.h> - the device flags of cb_ops(9S) cb_flag (Solaris values).
 *
 * xxddi reads D_DEVMAP (mmap(2) through devmap_setup).  Entry points run
 * concurrently whether or not D_MP is set (drivers must be MT-safe, as
 * every Solaris driver is); D_64BIT and D_U64BIT are accepted (offsets are
 * always 64-bit on Linux); the other bits are ignored.
 */
#ifndef _XXDDI_SYS_CONF_H
#define _XXDDI_SYS_CONF_H

#define D_NEW		0x00	/* new-style driver */
#define D_TAPE		0x08
#define D_MTSAFE	0x0020	/* multi-threaded driver */
#define D_MP		D_MTSAFE
#define D_DEVMAP	0x100	/* mmap(2) through the devmap framework */
#define D_64BIT		0x200	/* 64-bit offsets */
#define D_HOTPLUG	0x4
#define D_U64BIT	0x40000	/* unsigned 64-bit uio offsets */

#endif /* _XXDDI_SYS_CONF_H */
