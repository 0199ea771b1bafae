/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xxmem-bench.h - what the parts of xxmem-bench share: the error exit,
 * sysfs helpers (xxmem-bench.c) and the VFIO peer (xxmem-bench-vfio.c).
 */
#ifndef XXMEM_BENCH_H
#define XXMEM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...);
/* Write @val to the sysfs file @path; die on failure. */
void sysfs_write(const char *path, const char *val);
/* Unbind PCI function @bdf from its driver; die on failure. */
void pci_unbind(const char *bdf);
/* The name of the driver bound to PCI function @bdf ("" if none). */
void bound_driver_of(const char *bdf, char *buf, size_t n);

/* A BAR of a PCI function opened through VFIO (vfio-pci). */
struct vfio_bar {
	int container, group, device;	/* fds, -1 if not open */
	bool noiommu;			/* a no-IOMMU group */
	uint64_t offset, size;		/* the region's mmap offset and size */
	char group_path[64];		/* /dev/vfio/N or /dev/vfio/noiommu-N */
	char why[160];			/* why not, when vfio_open_bar fails */
};

int vfio_open_bar(const char *bdf, unsigned int bar, struct vfio_bar *v);
void vfio_close(struct vfio_bar *v);

#endif
