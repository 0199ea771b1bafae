/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/ddi.h> - device number helpers.
 *
 * A DDI dev_t carries the driver's major number and the minor number the
 * driver gave ddi_create_minor_node(9F) (by convention the instance).  On
 * Linux it is a kdev_t built with MKDEV(); the minor number is the DDI one,
 * not the dynamic misc minor of the Linux node (see README, "Differences
 * from Solaris").
 */
#ifndef _XXDDI_SYS_DDI_H
#define _XXDDI_SYS_DDI_H

#include <linux/kdev_t.h>
#include <sys/types.h>

#define NODEV	((dev_t)0)

int xxddi_nodev(void);
int xxddi_nulldev(void);

/*
 * nodev(9F) and nulldev(9F), for the slots of cb_ops(9S) and dev_ops(9S).
 * Solaris declares them without a prototype so that they fit every slot;
 * here each is its function's address as a void pointer, which GCC
 * converts to any function pointer type.  xxddi never calls a slot that
 * holds one of them through the slot's type: nodev means "not provided"
 * (or ENXIO where Solaris' caller would return nodev's ENXIO, see
 * <sys/devops.h>), nulldev "succeeds, does nothing".  Call them only
 * through a slot, not directly (nodev() does not compile; use ENXIO).
 */
#define nodev	((void *)xxddi_nodev)
#define nulldev	((void *)xxddi_nulldev)

/**
 * getminor() - minor number of a device number (getminor(9F))
 * @dev: a device number handed to an entry point
 *
 * Context: any.
 * Return: the minor number the driver passed to ddi_create_minor_node().
 */
static inline minor_t getminor(dev_t dev)
{
	return MINOR(dev);
}

/**
 * getmajor() - major number of a device number (getmajor(9F))
 * @dev: a device number handed to an entry point
 *
 * Context: any.
 * Return: the major number (the Linux misc major for xxddi nodes).
 */
static inline major_t getmajor(dev_t dev)
{
	return MAJOR(dev);
}

/**
 * makedevice() - build a device number (makedevice(9F))
 * @maj: major number
 * @min: minor number, below 2^20
 *
 * Context: any.
 * Return: the device number.
 */
static inline dev_t makedevice(major_t maj, minor_t min)
{
	return MKDEV(maj, min);
}

#endif /* _XXDDI_SYS_DDI_H */
