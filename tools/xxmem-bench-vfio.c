// SPDX-License-Identifier: GPL-2.0
/*
 * xxmem-bench-vfio - the VFIO peer of xxmem-bench's device test: a PCI
 * function bound to vfio-pci and its BAR mapped through the device fd, the
 * way a user-space driver maps it.  The group is a no-IOMMU group
 * (/dev/vfio/noiommu-N, vfio loaded with enable_unsafe_noiommu_mode=1 on a
 * kernel built with CONFIG_VFIO_NOIOMMU) or an IOMMU group behind a real or
 * emulated IOMMU (/dev/vfio/N, type 1); which one does not change how the
 * region is mapped (vfio_pci_core_mmap and its fault handler).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "xxmem-bench.h"

/* Bind the PCI function @bdf to vfio-pci (driver_override). */
static void bind_vfio_pci(const char *bdf)
{
	char path[256], drv[64];

	bound_driver_of(bdf, drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci"))
		return;
	if (drv[0])
		pci_unbind(bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	sysfs_write(path, "vfio-pci");
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	bound_driver_of(bdf, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci"))
		die("%s: not bound to vfio-pci after drivers_probe (driver '%s'; "
		    "is vfio-pci loaded?)", bdf, drv);
}

/*
 * Open @bdf through VFIO and describe BAR @bar: fills @v, returns 0, or -1
 * with @v->why saying what is missing.
 */
int vfio_open_bar(const char *bdf, unsigned int bar, struct vfio_bar *v)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char path[320], link[256], *grp;
	ssize_t n;
	int type;

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = -1;
	bind_vfio_pci(bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(v->why, sizeof(v->why), "%s has no IOMMU group", bdf);
		return -1;
	}
	link[n] = 0;
	grp = strrchr(link, '/');
	grp = grp ? grp + 1 : link;
	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s", grp);
	v->noiommu = access(path, F_OK) == 0;
	if (!v->noiommu)
		snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	v->group = open(path, O_RDWR);
	if (v->group < 0)
		die("open %s: %s", path, strerror(errno));
	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		die("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("VFIO group %s is not viable", grp);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		die("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (v->noiommu)
		type = VFIO_NOIOMMU_IOMMU;
	else if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		type = VFIO_TYPE1v2_IOMMU;
	else
		type = VFIO_TYPE1_IOMMU;
	if (ioctl(v->container, VFIO_SET_IOMMU, type))
		die("VFIO_SET_IOMMU %d: %s", type, strerror(errno));
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0)
		die("VFIO_GROUP_GET_DEVICE_FD %s: %s", bdf, strerror(errno));
	ri.index = VFIO_PCI_BAR0_REGION_INDEX + bar;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("VFIO_DEVICE_GET_REGION_INFO %u: %s", ri.index, strerror(errno));
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || !ri.size) {
		snprintf(v->why, sizeof(v->why),
			 "VFIO region %u of %s cannot be mmapped (flags %#x)",
			 ri.index, bdf, ri.flags);
		vfio_close(v);
		return -1;
	}
	v->offset = ri.offset;
	v->size = ri.size;
	if (strlen(path) >= sizeof(v->group_path))
		die("odd VFIO group path %s", path);
	memcpy(v->group_path, path, strlen(path) + 1);
	return 0;
}

void vfio_close(struct vfio_bar *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->container = v->group = v->device = -1;
}
