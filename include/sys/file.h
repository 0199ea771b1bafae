/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/file.h> - the open-mode bits open(9E), close(9E) and ioctl(9E) get
 * in their flag/mode argument (Solaris values).
 */
#ifndef _XXDDI_SYS_FILE_H
#define _XXDDI_SYS_FILE_H

#define FREAD		0x01
#define FWRITE		0x02
#define FNDELAY		0x04
#define FAPPEND		0x08
#define FSYNC		0x10
#define FNONBLOCK	0x80
#define FCREAT		0x0100
#define FTRUNC		0x0200
#define FEXCL		0x0400
#define FNOCTTY		0x0800
#define FKIOCTL		0x80000000	/* ioctl from the kernel (never set) */

#endif /* _XXDDI_SYS_FILE_H */
