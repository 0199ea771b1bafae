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
