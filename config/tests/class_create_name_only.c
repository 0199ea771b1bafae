// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_CLASS_CREATE_NAME_ONLY: class_create() takes only the class name.
 * Linux 6.4, commit 1aaba11da9aa ("driver core: class: remove module *
 * from class_create()"); before it, class_create(owner, name) was a macro.
 */
#include <linux/device.h>

struct class *conftest_class_create(void);
struct class *conftest_class_create(void)
{
	return class_create("conftest");
}
