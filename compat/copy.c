// SPDX-License-Identifier: GPL-2.0
/*
 * ddi_copyin(9F) and ddi_copyout(9F): copies between a driver and the
 * caller of its ioctl(9E), a user process or (FKIOCTL) the kernel.
 */
#include <linux/string.h>
#include <linux/uaccess.h>
#include <sys/sunddi.h>
#include <sys/file.h>

/**
 * ddi_copyin() - copy from a caller's buffer (ddi_copyin(9F))
 * @buf:       source: the user address from ioctl(9E)'s arg
 * @driverbuf: destination in the kernel
 * @cn:        bytes
 * @flags:     ioctl(9E)'s mode; FKIOCTL means @buf is a kernel address
 *
 * Context: process context, may sleep (page faults).
 * Return: 0, or -1 if @buf is not fully readable (the caller returns
 * EFAULT).
 */
int ddi_copyin(const void __user *buf, void *driverbuf, size_t cn, int flags)
{
	if (flags & FKIOCTL) {
		memcpy(driverbuf, (__force const void *)buf, cn);
		return 0;
	}
	return copy_from_user(driverbuf, buf, cn) ? -1 : 0;
}

/**
 * ddi_copyout() - copy to a caller's buffer (ddi_copyout(9F))
 * @driverbuf: source in the kernel
 * @buf:       destination: the user address from ioctl(9E)'s arg
 * @cn:        bytes
 * @flags:     ioctl(9E)'s mode; FKIOCTL means @buf is a kernel address
 *
 * Context: process context, may sleep (page faults).
 * Return: 0, or -1 if @buf is not fully writable (the caller returns
 * EFAULT).
 */
int ddi_copyout(const void *driverbuf, void __user *buf, size_t cn, int flags)
{
	if (flags & FKIOCTL) {
		memcpy((__force void *)buf, driverbuf, cn);
		return 0;
	}
	return copy_to_user(buf, driverbuf, cn) ? -1 : 0;
}
