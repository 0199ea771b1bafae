// SPDX-License-Identifier: GPL-2.0
/*
 * pci_test - kselftest for the PCI instances of xxmem: BARs of QEMU's edu
 * (1234:11e8) and ivshmem-plain (1af4:1110) mapped into user space through
 * /dev/xxmemN (devmap_devmem_setup(9F)).
 *
 * The nodes are found by scanning /sys/bus/pci/devices/ * /misc/xxmem* and
 * the functions' vendor and device files; a test that needs a device the
 * guest does not have is skipped.  Every test runs the same from a 64-bit
 * and a 32-bit (-m32, -D_FILE_OFFSET_BITS=64) build.
 *
 * ivshmem's BAR 2 is the guest's window on a host file prepared by
 * tools/xxmem-ivshmem: the host writes HOST pattern at offset 0 before the
 * guest boots, the guest writes GUEST pattern at offset XX_IVS_GUEST_OFF
 * (0x80000) and the host checks it after the guest powered off.  A pattern
 * is 4096 bytes: 64 lines of 64 bytes, line k being
 *     "xxmem-ivshmem WHO line KK " + the letter ('A' for host, 'a' for
 *     guest) + k % 26, repeated to byte 62, then '\n'
 * (WHO is "host" or "guest", KK the line number in two decimal digits).
 *
 * Helper modes (handled before the harness runs; used by pci_test.sh):
 *   pci_test --hold DEV REGION READYFILE
 *       map all of REGION shared read/write, close the fd, create READYFILE,
 *       then wait; on SIGUSR1 read the first 32-bit word through the
 *       mapping, print "touched 0xXXXXXXXX" and exit 0 (SIGBUS if the
 *       mapping was revoked); SIGTERM ends it quietly.
 *   pci_test --hold-open DEV READYFILE
 *       open DEV read/write, create READYFILE, wait for SIGUSR1, then try
 *       XXMEM_IOC_REGION_INFO, mmap of region 0 and read(2) on the open fd
 *       and print "ioctl=E mmap=E read=E" (E: ok or the errno's name).
 *   pci_test --map-errno DEV REGION OFF LEN
 *       mmap LEN bytes at OFF of REGION shared read/write; print ok or the
 *       errno's name.
 *   pci_test --peek32 DEV REGION OFF
 *       print the 32-bit word at OFF of REGION (0xXXXXXXXX) read through a
 *       mapping.
 *   pci_test --split-unmap DEV REGION
 *       map all of REGION, then split the mapping the ways a program may:
 *       munmap of its first page, mprotect of a middle page to read-only,
 *       munmap of a hole; every piece left must read what a second, whole
 *       mapping of REGION reads at the same offsets (each piece still maps
 *       its own registers); then munmap everything.  Print ok or the
 *       failing step.  pci_test.sh checks the PAT.
 *   pci_test --region-info DEV REGION
 *       print "size=N cache=UC|WC|WB flags=0xN maxprot=0xN name=S".
 *   pci_test --find edu|ivshmem
 *       print "DEV BDF" of the first such function bound to xxmem.
 * Exit status of a helper: 0, 1 on failure, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xxmem.h"
#include "vm_util.h"

/* The harness itself is not -Wextra clean (an unused signal handler argument). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define XX_PCI_DEVICES	"/sys/bus/pci/devices"
#define XX_NBARS	6

#define XX_EDU_VENDOR	0x1234
#define XX_EDU_DEVICE	0x11e8
#define XX_IVS_VENDOR	0x1af4
#define XX_IVS_DEVICE	0x1110

/* edu's registers (BAR 0) */
#define EDU_ID		0x00	/* identification: 0x010000ed */
#define EDU_LIVENESS	0x04	/* reads back the bitwise inverse */
#define EDU_FACTORIAL	0x08	/* write n, read n! when done */
#define EDU_STATUS	0x20	/* bit 0: computing the factorial */
#define EDU_ID_VALUE	0x010000edU
#define EDU_STATUS_BUSY	0x01U

/* ivshmem's shared memory (BAR 2) and the patterns of tools/xxmem-ivshmem */
#define XX_IVS_BAR		2
#define XX_IVS_SIZE		(1U << 20)
#define XX_IVS_HOST_OFF		0x0
#define XX_IVS_GUEST_OFF	0x80000
#define XX_PATTERN_SIZE		4096
#define XX_PATTERN_LINE		64

/* struct resource flags as /sys/bus/pci/devices/BDF/resource shows them */
#define XX_IORESOURCE_IO	0x00000100
#define XX_IORESOURCE_MEM	0x00000200
#define XX_IORESOURCE_PREFETCH	0x00002000

struct xx_pcidev {
	bool found;
	char bdf[NAME_MAX + 1];		/* 0000:00:02.0 */
	char node[NAME_MAX + 8];	/* /dev/xxmemN */
	unsigned int instance;	/* N */
	uint64_t start[XX_NBARS], end[XX_NBARS], flags[XX_NBARS];
};

static uint32_t rd32(const void *base, size_t off)
{
	return *(const volatile uint32_t *)((const volatile uint8_t *)base + off);
}

static void wr32(void *base, size_t off, uint32_t v)
{
	*(volatile uint32_t *)((volatile uint8_t *)base + off) = v;
}

static bool read_hex(const char *path, unsigned long *v)
{
	char buf[32], *end;

	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	errno = 0;
	*v = strtoul(buf, &end, 16);
	return !errno && end != buf;
}

/* The resource lines of BDF: BAR i is line i ("start end flags"). */
static bool read_resources(struct xx_pcidev *d)
{
	char path[PATH_MAX];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), XX_PCI_DEVICES "/%s/resource", d->bdf);
	f = fopen(path, "re");
	if (!f)
		return false;
	for (i = 0; i < XX_NBARS; i++) {
		unsigned long long s, e, fl;

		if (fscanf(f, "%llx %llx %llx", &s, &e, &fl) != 3) {
			fclose(f);
			return false;
		}
		d->start[i] = s;
		d->end[i] = e;
		d->flags[i] = fl;
	}
	fclose(f);
	return true;
}

/* The xxmemN node under a PCI function's misc/ directory, if any. */
static bool find_misc_node(const char *bdf, char *node, size_t len,
			   unsigned int *instance)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), XX_PCI_DEVICES "/%s/misc", bdf);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long n;

		if (strncmp(de->d_name, "xxmem", 5) || !de->d_name[5])
			continue;
		n = strtoul(de->d_name + 5, &end, 10);
		if (*end)
			continue;
		snprintf(node, len, "/dev/%s", de->d_name);
		*instance = (unsigned int)n;
		found = true;
		break;
	}
	closedir(dir);
	return found;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The first (lowest BDF) function VENDOR:DEVICE that has an xxmem node. */
static bool find_pcidev(unsigned long vendor, unsigned long device,
			struct xx_pcidev *d)
{
	struct dirent **list;
	int n, i;

	memset(d, 0, sizeof(*d));
	n = scandir(XX_PCI_DEVICES, &list, NULL, name_cmp);
	if (n < 0)
		return false;
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		unsigned long v, dv;

		if (d->found || list[i]->d_name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), XX_PCI_DEVICES "/%s/vendor",
			 list[i]->d_name);
		if (!read_hex(path, &v) || v != vendor)
			goto next;
		snprintf(path, sizeof(path), XX_PCI_DEVICES "/%s/device",
			 list[i]->d_name);
		if (!read_hex(path, &dv) || dv != device)
			goto next;
		snprintf(d->bdf, sizeof(d->bdf), "%s", list[i]->d_name);
		if (find_misc_node(d->bdf, d->node, sizeof(d->node),
				   &d->instance) && read_resources(d))
			d->found = true;
next:
		free(list[i]);
	}
	free(list);
	return d->found;
}

static bool find_by_name(const char *name, struct xx_pcidev *d)
{
	if (!strcmp(name, "edu"))
		return find_pcidev(XX_EDU_VENDOR, XX_EDU_DEVICE, d);
	if (!strcmp(name, "ivshmem"))
		return find_pcidev(XX_IVS_VENDOR, XX_IVS_DEVICE, d);
	return false;
}

/* Bytes of BAR i as the kernel sees it (0: absent). */
static uint64_t bar_size(const struct xx_pcidev *d, int i)
{
	if (!d->flags[i] || d->end[i] < d->start[i])
		return 0;
	return d->end[i] - d->start[i] + 1;
}

/* Region size xxmem must report for BAR i: memory BARs page-rounded. */
static uint64_t expected_region_size(const struct xx_pcidev *d, int i)
{
	uint64_t pg = page_size();

	if (!(d->flags[i] & XX_IORESOURCE_MEM))
		return 0;
	return (bar_size(d, i) + pg - 1) & ~(pg - 1);
}

/* One line of a pattern (see the top of this file). */
static void pattern_line(char *line, const char *who, char letter, int k)
{
	int n = snprintf(line, XX_PATTERN_LINE + 1, "xxmem-ivshmem %s line %02d ",
			 who, k);

	memset(line + n, letter + k % 26, XX_PATTERN_LINE - 1 - (size_t)n);
	line[XX_PATTERN_LINE - 1] = '\n';
}

static void make_pattern(char *buf, bool host)
{
	char line[XX_PATTERN_LINE + 1];
	int k;

	for (k = 0; k < XX_PATTERN_SIZE / XX_PATTERN_LINE; k++) {
		pattern_line(line, host ? "host" : "guest", host ? 'A' : 'a', k);
		memcpy(buf + k * XX_PATTERN_LINE, line, XX_PATTERN_LINE);
	}
}

/* Copy out of device memory with aligned 32-bit loads. */
static void copy_from_dev(void *dst, const void *src, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t v = rd32(src, i);

		memcpy((char *)dst + i, &v, 4);
	}
}

static void copy_to_dev(void *dst, const void *src, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t v;

		memcpy(&v, (const char *)src + i, 4);
		wr32(dst, i, v);
	}
	__sync_synchronize();	/* drain write-combining buffers */
}

/* Offset of the first differing byte, or -1. */
static long first_diff(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* Drop CAP_SYS_RAWIO from the calling process (effective and permitted). */
static int drop_cap_sys_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int idx = CAP_TO_INDEX(CAP_SYS_RAWIO);
	uint32_t mask = CAP_TO_MASK(CAP_SYS_RAWIO);

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[idx].effective &= ~mask;
	data[idx].permitted &= ~mask;
	data[idx].inheritable &= ~mask;
	return (int)syscall(SYS_capset, &hdr, data);
}

static bool have_cap_sys_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &
	       CAP_TO_MASK(CAP_SYS_RAWIO);
}

/*
 * In a child: optionally drop CAP_SYS_RAWIO or become nobody, open NODE
 * read/write and mmap one page of REGION.  Child exit status: the mmap's
 * errno (0: it worked), 100 + step for a setup failure.
 */
#define XX_CHILD_DROP_CAP	1
#define XX_CHILD_NOBODY		2

static int map_in_child(const char *node, uint32_t region, int how)
{
	size_t pg = page_size();
	int status, fd;
	pid_t pid;
	void *p;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct xxmem_region_info ri;

		if (how == XX_CHILD_DROP_CAP && drop_cap_sys_rawio())
			_exit(101);
		if (how == XX_CHILD_DROP_CAP && have_cap_sys_rawio())
			_exit(102);
		if (how == XX_CHILD_NOBODY &&
		    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
			_exit(103);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(104);
		/* the ioctls need no privilege: only the mapping does */
		if (region_info(fd, region, &ri))
			_exit(105);
		p = xx_mmap(fd, XXMEM_REGION_OFFSET(region), pg,
			    PROT_READ | PROT_WRITE, MAP_SHARED);
		if (map_failed(p))
			_exit(errno & 0x7f);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* ---- the tests ------------------------------------------------------- */

FIXTURE(pci) {
	size_t pg;
	struct xx_pcidev edu, ivs;
	int edu_fd, ivs_fd;
};

FIXTURE_SETUP(pci)
{
	int err;

	self->pg = page_size();
	self->edu_fd = -1;
	self->ivs_fd = -1;
	if (find_pcidev(XX_EDU_VENDOR, XX_EDU_DEVICE, &self->edu)) {
		self->edu_fd = open(self->edu.node, O_RDWR | O_CLOEXEC);
		err = errno;
		ASSERT_LE(0, self->edu_fd)
			TH_LOG("open %s (edu %s): %s", self->edu.node,
			       self->edu.bdf, strerror(err));
	}
	if (find_pcidev(XX_IVS_VENDOR, XX_IVS_DEVICE, &self->ivs)) {
		self->ivs_fd = open(self->ivs.node, O_RDWR | O_CLOEXEC);
		err = errno;
		ASSERT_LE(0, self->ivs_fd)
			TH_LOG("open %s (ivshmem %s): %s", self->ivs.node,
			       self->ivs.bdf, strerror(err));
	}
}

FIXTURE_TEARDOWN(pci)
{
	if (self->edu_fd >= 0)
		close(self->edu_fd);
	if (self->ivs_fd >= 0)
		close(self->ivs_fd);
}

/* The 6.1 harness prints only the reason of a skip: name the test in it. */
#define XX_SKIP(_fmt, ...)							\
	SKIP(return, "%s: " _fmt, _metadata->name, ##__VA_ARGS__)

#define NEED_EDU() do {								\
	if (self->edu_fd < 0)							\
		XX_SKIP("no edu function bound to xxmem (QEMU -device edu)");	\
} while (0)

#define NEED_IVS() do {								\
	if (self->ivs_fd < 0)							\
		XX_SKIP("no ivshmem function bound to xxmem (QEMU -device ivshmem-plain)"); \
} while (0)

#define NEED_ANY() do {								\
	if (self->edu_fd < 0 && self->ivs_fd < 0)				\
		XX_SKIP("no edu or ivshmem function bound to xxmem");		\
} while (0)

/* Map LEN bytes at OFF of REGION shared; the test fails if that fails. */
#define MAP_OR_FAIL(_p, _fd, _region, _off, _len, _prot) do {			\
	int __e;								\
	_p = xx_mmap(_fd, XXMEM_REGION_OFFSET(_region) + (_off), _len, _prot,	\
		     MAP_SHARED);						\
	__e = errno;								\
	ASSERT_FALSE(map_failed(_p))						\
		TH_LOG("mmap region %d off 0x%" PRIx64 " len 0x%zx: %s",	\
		       (int)(_region), (uint64_t)(_off), (size_t)(_len),	\
		       strerror(__e));						\
} while (0)

TEST_F(pci, edu_id_register_reads_010000ed)
{
	void *p, *whole;

	NEED_EDU();
	MAP_OR_FAIL(p, self->edu_fd, 0, 0, self->pg, PROT_READ);
	EXPECT_EQ(EDU_ID_VALUE, rd32(p, EDU_ID))
		TH_LOG("edu %s ID register 0x%08x", self->edu.bdf, rd32(p, EDU_ID));
	munmap(p, self->pg);

	/* the whole BAR, read-write, from an fd that is closed afterwards */
	MAP_OR_FAIL(whole, self->edu_fd, 0, 0, 1U << 20, PROT_READ | PROT_WRITE);
	close(self->edu_fd);
	self->edu_fd = -1;
	EXPECT_EQ(EDU_ID_VALUE, rd32(whole, EDU_ID));
	munmap(whole, 1U << 20);
}

#define BAR_FORK_REVOKE	"/sys/module/xxmem/parameters/bar_fork_revoke"

/* Read edu's ID register through @p in a fork child: its wait status. */
static int id_in_child(void *p)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		no_core_dumps();
		_exit(rd32(p, EDU_ID) == EDU_ID_VALUE ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/*
 * devmap_devmem_remap(9F) with DEVMAP_MAPPING_INVALID, as hermon calls it
 * from devmap_dup(9E): with xxmem's bar_fork_revoke=Y a fork child's copy
 * of a BAR mapping maps nothing (SIGBUS), while the parent's still reads
 * the registers; with N (the default) the child reads them too.
 */
TEST_F(pci, devmem_remap_invalid_revokes_fork_child)
{
	void *p;
	int status;

	NEED_EDU();
	if (!param_write(BAR_FORK_REVOKE, "Y"))
		XX_SKIP("cannot set %s: %s", BAR_FORK_REVOKE, strerror(errno));
	p = xx_mmap(self->edu_fd, XXMEM_REGION_OFFSET(0), self->pg,
		    PROT_READ | PROT_WRITE, MAP_SHARED);
	param_write(BAR_FORK_REVOKE, "N");
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap BAR 0: %s", strerror(errno));
	EXPECT_EQ(EDU_ID_VALUE, rd32(p, EDU_ID));
	status = id_in_child(p);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		TH_LOG("fork child: wait status 0x%x", status);
	EXPECT_EQ(EDU_ID_VALUE, rd32(p, EDU_ID)) TH_LOG("the parent's mapping");
	munmap(p, self->pg);

	/* without the parameter the child shares the mapping */
	p = xx_mmap(self->edu_fd, XXMEM_REGION_OFFSET(0), self->pg, PROT_READ,
		    MAP_SHARED);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap BAR 0: %s", strerror(errno));
	status = id_in_child(p);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("fork child: wait status 0x%x", status);
	munmap(p, self->pg);
}

TEST_F(pci, edu_liveness_returns_inverse)
{
	uint32_t vals[] = { 0, 0xffffffffU, 0x12345678U, 0xa5a5a5a5U,
			    (uint32_t)getpid() * 0x9e3779b9U };
	void *a, *b;
	size_t i;

	NEED_EDU();
	MAP_OR_FAIL(a, self->edu_fd, 0, 0, self->pg, PROT_READ | PROT_WRITE);
	/* a second mapping of the same page: both reach the device */
	MAP_OR_FAIL(b, self->edu_fd, 0, 0, self->pg, PROT_READ | PROT_WRITE);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		wr32(a, EDU_LIVENESS, vals[i]);
		EXPECT_EQ(~vals[i], rd32(a, EDU_LIVENESS))
			TH_LOG("wrote 0x%08x", vals[i]);
		EXPECT_EQ(~vals[i], rd32(b, EDU_LIVENESS))
			TH_LOG("wrote 0x%08x, read through another mapping",
			       vals[i]);
	}
	munmap(a, self->pg);
	munmap(b, self->pg);
}

/* Wait for edu's "computing" status bit to clear; false after 10 s. */
static bool edu_wait_idle(void *p)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++) {
		if (!(rd32(p, EDU_STATUS) & EDU_STATUS_BUSY))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

TEST_F(pci, edu_factorial_of_5_is_120)
{
	void *p;

	NEED_EDU();
	MAP_OR_FAIL(p, self->edu_fd, 0, 0, self->pg, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(edu_wait_idle(p)) TH_LOG("edu busy before the test");
	wr32(p, EDU_FACTORIAL, 5);
	ASSERT_TRUE(edu_wait_idle(p))
		TH_LOG("status 0x%08x: still computing after 10 s",
		       rd32(p, EDU_STATUS));
	EXPECT_EQ(120U, rd32(p, EDU_FACTORIAL));
	munmap(p, self->pg);
}

/* Region i of a device against its sysfs resource line. */
static void check_regions(struct __test_metadata *_metadata, int fd,
			  const struct xx_pcidev *d)
{
	struct xxmem_region_info ri;
	char name[16];
	int i;

	for (i = 0; i < XX_NBARS; i++) {
		uint64_t want = expected_region_size(d, i);

		ASSERT_EQ(0, region_info(fd, (uint32_t)i, &ri))
			TH_LOG("%s: REGION_INFO %d: %s", d->node, i,
			       strerror(errno));
		snprintf(name, sizeof(name), "bar%d", i);
		EXPECT_EQ((uint32_t)i, ri.index);
		EXPECT_EQ(XXMEM_REGION_OFFSET(i), ri.offset);
		EXPECT_EQ((uint32_t)XXMEM_REGION_DEVICE, ri.flags);
		EXPECT_STREQ(name, ri.name);
		EXPECT_EQ(want, ri.size)
			TH_LOG("%s bar%d: resource 0x%" PRIx64 "-0x%" PRIx64
			       " flags 0x%" PRIx64, d->node, i, d->start[i],
			       d->end[i], d->flags[i]);
		EXPECT_EQ(want ? (uint32_t)(PROT_READ | PROT_WRITE) : 0U,
			  ri.maxprot) TH_LOG("%s bar%d", d->node, i);
		if (want)
			EXPECT_EQ(d->flags[i] & XX_IORESOURCE_PREFETCH ?
				  (uint32_t)XXMEM_CACHE_WC :
				  (uint32_t)XXMEM_CACHE_UC, ri.cache)
				TH_LOG("%s bar%d: flags 0x%" PRIx64, d->node,
				       i, d->flags[i]);
	}
}

/*
 * The register sets the DDI reports for @d (debugfs xxmem<N>/regs):
 * illumos' PCI "reg" numbering - 0 is configuration space, then one set per
 * implemented BAR in BAR order (a 64-bit BAR once, an absent BAR none),
 * each the size of its BAR.
 */
static void check_reg_numbers(struct __test_metadata *_metadata,
			      const struct xx_pcidev *d, int want_sets)
{
	char path[PATH_MAX];
	long long size;
	unsigned int rnumber = 0;
	int bar, next = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/xxmem%u/regs",
		 d->instance);
	f = fopen(path, "r");
	ASSERT_TRUE(f != NULL) TH_LOG("%s: %s", path, strerror(errno));
	while ((n = fscanf(f, "%u %lld %d", &rnumber, &size, &bar)) == 3) {
		if (rnumber == 0) {
			EXPECT_EQ(-1, bar);
			EXPECT_LE(256, size) TH_LOG("configuration space");
			continue;
		}
		while (next < XX_NBARS && !bar_size(d, next))
			next++;
		ASSERT_GT(XX_NBARS, next)
			TH_LOG("%s: set %u past the implemented BARs", path,
			       rnumber);
		EXPECT_EQ(next, bar) TH_LOG("%s: set %u", path, rnumber);
		EXPECT_EQ((long long)bar_size(d, next), size)
			TH_LOG("%s: set %u (bar %d)", path, rnumber, next);
		next++;
	}
	fclose(f);
	EXPECT_EQ(EOF, n) TH_LOG("%s: malformed line", path);
	EXPECT_EQ((unsigned int)want_sets - 1, rnumber)
		TH_LOG("%s: ddi_dev_nregs", path);
	while (next < XX_NBARS && !bar_size(d, next))
		next++;
	EXPECT_EQ(XX_NBARS, next) TH_LOG("%s: BAR %d has no set", path, next);
}

/* edu has only BAR 0: configuration space and register set 1. */
TEST_F(pci, edu_reg_numbers_are_config_and_bar0)
{
	NEED_EDU();
	check_reg_numbers(_metadata, &self->edu, 2);
}

/*
 * ivshmem-plain: BAR 0 (registers) is set 1, the 64-bit prefetchable BAR 2
 * (shared memory) is set 2, as hermon's "register set 2" is its second BAR.
 */
TEST_F(pci, ivshmem_reg_2_is_bar2)
{
	NEED_IVS();
	ASSERT_NE(0U, bar_size(&self->ivs, 2));
	ASSERT_EQ(0U, bar_size(&self->ivs, 1));
	check_reg_numbers(_metadata, &self->ivs, 3);
}

TEST_F(pci, edu_region_table)
{
	struct xxmem_region_info ri;
	int i;

	NEED_EDU();
	ASSERT_EQ(0, region_info(self->edu_fd, 0, &ri));
	EXPECT_EQ(0U, ri.index);
	EXPECT_EQ(0U, ri.offset);
	EXPECT_EQ((uint64_t)1 << 20, ri.size);
	EXPECT_EQ((uint32_t)XXMEM_REGION_DEVICE, ri.flags);
	EXPECT_EQ((uint32_t)XXMEM_CACHE_UC, ri.cache);
	EXPECT_EQ((uint32_t)(PROT_READ | PROT_WRITE), ri.maxprot);
	EXPECT_STREQ("bar0", ri.name);
	for (i = 1; i < XX_NBARS; i++) {
		ASSERT_EQ(0, region_info(self->edu_fd, (uint32_t)i, &ri));
		EXPECT_EQ(0U, ri.size) TH_LOG("bar%d", i);
		EXPECT_EQ(0U, ri.maxprot) TH_LOG("bar%d", i);
		EXPECT_EQ((uint32_t)XXMEM_REGION_DEVICE, ri.flags);
		EXPECT_EQ(XXMEM_REGION_OFFSET(i), ri.offset);
	}
	check_regions(_metadata, self->edu_fd, &self->edu);
}

TEST_F(pci, ivshmem_reads_host_pattern)
{
	char want[XX_PATTERN_SIZE], got[XX_PATTERN_SIZE];
	long d;
	void *p;

	NEED_IVS();
	make_pattern(want, true);
	MAP_OR_FAIL(p, self->ivs_fd, XX_IVS_BAR, XX_IVS_HOST_OFF,
		    XX_PATTERN_SIZE, PROT_READ);
	copy_from_dev(got, p, sizeof(got));
	munmap(p, XX_PATTERN_SIZE);
	d = first_diff(want, got, sizeof(want));
	EXPECT_EQ(-1, d)
		TH_LOG("BAR2 offset %ld reads 0x%02x, the host pattern has 0x%02x: was the backing file written by 'tools/xxmem-ivshmem prepare FILE' before boot?",
		       d, (uint8_t)got[d < 0 ? 0 : d],
		       (uint8_t)want[d < 0 ? 0 : d]);
}

TEST_F(pci, ivshmem_guest_writes_pattern)
{
	char want[XX_PATTERN_SIZE], got[XX_PATTERN_SIZE];
	void *p, *q;
	long d;

	NEED_IVS();
	make_pattern(want, false);
	MAP_OR_FAIL(p, self->ivs_fd, XX_IVS_BAR, XX_IVS_GUEST_OFF,
		    XX_PATTERN_SIZE, PROT_READ | PROT_WRITE);
	copy_to_dev(p, want, sizeof(want));
	munmap(p, XX_PATTERN_SIZE);

	/* read back through a new mapping of the whole BAR */
	MAP_OR_FAIL(q, self->ivs_fd, XX_IVS_BAR, 0, XX_IVS_SIZE, PROT_READ);
	copy_from_dev(got, (char *)q + XX_IVS_GUEST_OFF, sizeof(got));
	munmap(q, XX_IVS_SIZE);
	d = first_diff(want, got, sizeof(want));
	EXPECT_EQ(-1, d) TH_LOG("BAR2 offset 0x%lx differs",
				(long)XX_IVS_GUEST_OFF + d);
}

TEST_F(pci, ivshmem_bar2_is_wc)
{
	struct xxmem_region_info ri;

	NEED_IVS();
	ASSERT_EQ(0, region_info(self->ivs_fd, XX_IVS_BAR, &ri));
	EXPECT_EQ((uint64_t)XX_IVS_SIZE, ri.size);
	EXPECT_EQ((uint32_t)XXMEM_CACHE_WC, ri.cache);
	EXPECT_EQ((uint32_t)XXMEM_REGION_DEVICE, ri.flags);
	EXPECT_EQ((uint32_t)(PROT_READ | PROT_WRITE), ri.maxprot);
	EXPECT_NE(0U, self->ivs.flags[XX_IVS_BAR] & XX_IORESOURCE_PREFETCH)
		TH_LOG("sysfs: BAR2 flags 0x%" PRIx64 " not prefetchable",
		       self->ivs.flags[XX_IVS_BAR]);
	/* BAR 0 (registers, 256 bytes alone in its page) is uncached */
	ASSERT_EQ(0, region_info(self->ivs_fd, 0, &ri));
	EXPECT_EQ((uint32_t)XXMEM_CACHE_UC, ri.cache);
	check_regions(_metadata, self->ivs_fd, &self->ivs);
}

TEST_F(pci, region_past_last_is_einval)
{
	uint32_t idx[] = { XX_NBARS, XX_NBARS + 1, 64, 0x7fffffffU, 0xffffffffU };
	int fds[2] = { self->edu_fd, self->ivs_fd };
	struct xxmem_region_info ri;
	size_t i;
	int f, rc;

	NEED_ANY();
	for (f = 0; f < 2; f++) {
		if (fds[f] < 0)
			continue;
		EXPECT_EQ(0, region_info(fds[f], XX_NBARS - 1, &ri));
		for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
			rc = region_info(fds[f], idx[i], &ri);
			EXPECT_EQ(-1, rc) TH_LOG("REGION_INFO %u", idx[i]);
			EXPECT_EQ(EINVAL, errno) TH_LOG("REGION_INFO %u: %s",
							idx[i], strerror(errno));
		}
		/* a region that does not exist cannot be mapped either */
		EXPECT_MAP_ERR(ENXIO, fds[f], XXMEM_REGION_OFFSET(XX_NBARS),
			       self->pg, PROT_READ, MAP_SHARED);
	}
}

TEST_F(pci, absent_bar_is_enxio)
{
	int fds[2] = { self->edu_fd, self->ivs_fd };
	const struct xx_pcidev *devs[2] = { &self->edu, &self->ivs };
	int f, i, n = 0;

	NEED_ANY();
	for (f = 0; f < 2; f++) {
		if (fds[f] < 0)
			continue;
		for (i = 0; i < XX_NBARS; i++) {
			uint64_t off = XXMEM_REGION_OFFSET(i);

			if (expected_region_size(devs[f], i)) {
				EXPECT_MAP_ERR(0, fds[f], off, self->pg,
					       PROT_READ, MAP_SHARED);
				continue;
			}
			n++;
			EXPECT_MAP_ERR(ENXIO, fds[f], off, self->pg, PROT_READ,
				       MAP_SHARED);
			EXPECT_MAP_ERR(ENXIO, fds[f], off, self->pg,
				       PROT_READ | PROT_WRITE, MAP_SHARED);
		}
	}
	EXPECT_LT(0, n) TH_LOG("no absent BAR found");
}

TEST_F(pci, offset_past_bar_is_enxio)
{
	size_t pg = self->pg;
	uint64_t r0 = XXMEM_REGION_OFFSET(0);
	uint64_t r2 = XXMEM_REGION_OFFSET(XX_IVS_BAR);
	const int rw = PROT_READ | PROT_WRITE;

	NEED_ANY();
	if (self->edu_fd >= 0) {
		int fd = self->edu_fd;
		uint64_t mib = 1U << 20;

		EXPECT_MAP_ERR(0, fd, r0 + mib - pg, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(0, fd, r0, mib, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r0 + mib, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r0 + mib - pg, 2 * pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r0, mib + pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r0 + 2 * mib, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, XXMEM_REGION_OFFSET(1) - pg, pg, rw,
			       MAP_SHARED);
	}
	if (self->ivs_fd >= 0) {
		int fd = self->ivs_fd;

		/* BAR 0: 256 bytes, one page */
		EXPECT_MAP_ERR(0, fd, r0, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r0 + pg, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r0, 2 * pg, rw, MAP_SHARED);
		/* BAR 2: 1 MiB */
		EXPECT_MAP_ERR(0, fd, r2 + XX_IVS_SIZE - pg, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r2 + XX_IVS_SIZE, pg, rw, MAP_SHARED);
		EXPECT_MAP_ERR(ENXIO, fd, r2 + XX_IVS_SIZE - pg, 2 * pg, rw,
			       MAP_SHARED);
	}
}

TEST_F(pci, map_private_is_einval)
{
	int fds[2] = { self->edu_fd, self->ivs_fd };
	uint64_t offs[2] = { XXMEM_REGION_OFFSET(0),
			     XXMEM_REGION_OFFSET(XX_IVS_BAR) };
	int f;

	NEED_ANY();
	for (f = 0; f < 2; f++) {
		if (fds[f] < 0)
			continue;
		EXPECT_MAP_ERR(0, fds[f], offs[f], self->pg, PROT_READ,
			       MAP_SHARED);
		EXPECT_MAP_ERR(EINVAL, fds[f], offs[f], self->pg, PROT_READ,
			       MAP_PRIVATE);
		EXPECT_MAP_ERR(EINVAL, fds[f], offs[f], self->pg,
			       PROT_READ | PROT_WRITE, MAP_PRIVATE);
	}
}

TEST_F(pci, prot_exec_is_eacces)
{
	int fds[2] = { self->edu_fd, self->ivs_fd };
	const char *nodes[2] = { self->edu.node, self->ivs.node };
	uint64_t offs[2] = { XXMEM_REGION_OFFSET(0),
			     XXMEM_REGION_OFFSET(XX_IVS_BAR) };
	int f, rc, err;
	void *p;

	NEED_ANY();
	for (f = 0; f < 2; f++) {
		if (fds[f] < 0)
			continue;
		if (dev_noexec(nodes[f]))
			XX_SKIP("%s is on a noexec mount: the VFS refuses PROT_EXEC",
				nodes[f]);
		EXPECT_MAP_ERR(EACCES, fds[f], offs[f], self->pg,
			       PROT_READ | PROT_EXEC, MAP_SHARED);
		EXPECT_MAP_ERR(EACCES, fds[f], offs[f], self->pg, PROT_EXEC,
			       MAP_SHARED);
		EXPECT_MAP_ERR(EACCES, fds[f], offs[f], self->pg,
			       PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED);
		/* and later, with mprotect */
		ASSERT_MAP(p, fds[f], offs[f], self->pg, PROT_READ);
		rc = mprotect(p, self->pg, PROT_READ | PROT_EXEC);
		err = errno;
		EXPECT_EQ(-1, rc);
		EXPECT_EQ(EACCES, err) TH_LOG("mprotect: %s", errno_name(err));
		munmap(p, self->pg);
	}
}

TEST_F(pci, no_cap_sys_rawio_is_eperm)
{
	const char *node = NULL;
	struct stat st;
	uint32_t region = 0;
	int status;
	int fd = -1;

	if (self->edu_fd >= 0) {
		node = self->edu.node;
		region = 0;
		fd = self->edu_fd;
	} else if (self->ivs_fd >= 0) {
		node = self->ivs.node;
		region = XX_IVS_BAR;
		fd = self->ivs_fd;
	} else {
		XX_SKIP("no edu or ivshmem function bound to xxmem");
	}
	if (!have_cap_sys_rawio())
		XX_SKIP("the test itself runs without CAP_SYS_RAWIO");
	no_core_dumps();

	/* control: with the capability, the same mapping works */
	EXPECT_MAP_ERR(0, fd, XXMEM_REGION_OFFSET(region), self->pg,
		       PROT_READ | PROT_WRITE, MAP_SHARED);
	EXPECT_EQ(0, map_in_child(node, region, 0));

	/* root without CAP_SYS_RAWIO */
	status = map_in_child(node, region, XX_CHILD_DROP_CAP);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child status 0x%x", status);
	EXPECT_EQ(EPERM, WEXITSTATUS(status))
		TH_LOG("mmap without CAP_SYS_RAWIO: %s%s",
		       WEXITSTATUS(status) >= 100 ? "setup step " : "",
		       WEXITSTATUS(status) >= 100 ? "failed" :
		       errno_name(WEXITSTATUS(status)));

	/* an unprivileged user who may open the node (mode 0666) */
	ASSERT_EQ(0, stat(node, &st));
	ASSERT_EQ(0, chmod(node, 0666));
	status = map_in_child(node, region, XX_CHILD_NOBODY);
	EXPECT_EQ(0, chmod(node, st.st_mode & 07777));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child status 0x%x", status);
	EXPECT_EQ(EPERM, WEXITSTATUS(status))
		TH_LOG("mmap as uid 65534: %s",
		       WEXITSTATUS(status) >= 100 ? "setup failed" :
		       errno_name(WEXITSTATUS(status)));
}

/* ---- helper modes ---------------------------------------------------- */

static volatile sig_atomic_t xx_touch;

static void on_usr1(int sig)
{
	(void)sig;
	xx_touch = 1;
}

static int helper_fail(const char *what)
{
	fprintf(stderr, "pci_test: %s: %s\n", what, strerror(errno));
	return 1;
}

/* An errno as pci_test.sh reads the helper modes' output: "ok" for 0. */
static const char *helper_err(int e)
{
	return e ? errno_name(e) : "ok";
}

static int helper_usage(void)
{
	fprintf(stderr,
		"usage: pci_test [harness options]\n"
		"       pci_test --hold DEV REGION READYFILE\n"
		"       pci_test --hold-open DEV READYFILE\n"
		"       pci_test --map-errno DEV REGION OFF LEN\n"
		"       pci_test --peek32 DEV REGION OFF\n"
		"       pci_test --split-unmap DEV REGION\n"
		"       pci_test --huge DEV REGION\n"
		"       pci_test --region-info DEV REGION\n"
		"       pci_test --find edu|ivshmem\n");
	return 2;
}

static int create_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return helper_fail(path);
	close(fd);
	return 0;
}

/* Block SIGUSR1 (to be taken by sigsuspend) and install its handler. */
static void prepare_usr1(sigset_t *old)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void wait_usr1(const sigset_t *old)
{
	while (!xx_touch)
		sigsuspend(old);
}

/*
 * The DEV REGION arguments of a helper mode: open DEV with @oflags and ask
 * REGION_INFO of REGION.  0, 2 (usage) or 1 (failed, said on stderr).
 */
static int helper_region(char **argv, int oflags, int *fd,
			 struct xxmem_region_info *ri)
{
	uint64_t region;

	if (!parse_u64(argv[3], &region) || region > UINT32_MAX)
		return helper_usage();
	*fd = open(argv[2], oflags | O_CLOEXEC);
	if (*fd < 0)
		return helper_fail(argv[2]);
	if (region_info(*fd, (uint32_t)region, ri))
		return helper_fail("XXMEM_IOC_REGION_INFO");
	return 0;
}

/*
 * helper_region() for a mode taking DEV REGION alone (@argc 4), opened for
 * reading and writing, whose region must have at least @min bytes (and fit
 * a size_t): else ENXIO, said with @what.
 */
static int helper_region_min(int argc, char **argv, uint64_t min,
			     const char *what, int *fd,
			     struct xxmem_region_info *ri)
{
	int rc;

	if (argc != 4)
		return helper_usage();
	rc = helper_region(argv, O_RDWR, fd, ri);
	if (rc)
		return rc;
	if (ri->size < min || ri->size > SIZE_MAX) {
		errno = ENXIO;
		return helper_fail(what);
	}
	return 0;
}

/* --hold DEV REGION READYFILE */
static int mode_hold(int argc, char **argv)
{
	struct xxmem_region_info ri;
	sigset_t old;
	int fd, rc;
	void *p;

	if (argc != 5)
		return helper_usage();
	rc = helper_region(argv, O_RDWR, &fd, &ri);
	if (rc)
		return rc;
	if (!ri.size || ri.size > SIZE_MAX) {
		errno = ENXIO;
		return helper_fail("region size");
	}
	p = xx_mmap(fd, ri.offset, (size_t)ri.size,
		    PROT_READ | PROT_WRITE, MAP_SHARED);
	if (map_failed(p))
		return helper_fail("mmap");
	close(fd);	/* only the mapping holds the node */
	(void)rd32(p, 0);
	no_core_dumps();
	prepare_usr1(&old);
	if (create_ready(argv[4]))
		return 1;
	wait_usr1(&old);
	printf("touched 0x%08x\n", rd32(p, 0));
	return fflush(stdout) ? 1 : 0;
}

/* --hold-open DEV READYFILE */
static int mode_hold_open(int argc, char **argv)
{
	int e_ioctl = 0, e_mmap = 0, e_read = 0;
	struct xxmem_region_info ri;
	sigset_t old;
	void *p;
	int fd;
	char c;

	if (argc != 4)
		return helper_usage();
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return helper_fail(argv[2]);
	prepare_usr1(&old);
	if (create_ready(argv[3]))
		return 1;
	wait_usr1(&old);
	if (region_info(fd, 0, &ri))
		e_ioctl = errno;
	p = xx_mmap(fd, XXMEM_REGION_OFFSET(0), page_size(),
		    PROT_READ, MAP_SHARED);
	if (map_failed(p))
		e_mmap = errno;
	else
		munmap(p, page_size());
	if (pread(fd, &c, 1, 0) < 0)
		e_read = errno;
	printf("ioctl=%s", helper_err(e_ioctl));
	printf(" mmap=%s", helper_err(e_mmap));
	printf(" read=%s\n", helper_err(e_read));
	close(fd);
	return fflush(stdout) ? 1 : 0;
}

/* --map-errno DEV REGION OFF LEN */
static int mode_map_errno(int argc, char **argv)
{
	uint64_t region, off, len;
	int fd, e;

	if (argc != 6 || !parse_u64(argv[3], &region) ||
	    region > UINT32_MAX || !parse_u64(argv[4], &off) ||
	    !parse_u64(argv[5], &len) || !len || len > SIZE_MAX)
		return helper_usage();
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return helper_fail(argv[2]);
	e = map_errno(fd, XXMEM_REGION_OFFSET(region) + off,
		      (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED);
	close(fd);
	printf("%s\n", helper_err(e));
	return fflush(stdout) ? 1 : 0;
}

/* --peek32 DEV REGION OFF */
static int mode_peek32(int argc, char **argv)
{
	size_t pg = page_size();
	uint64_t region, off;
	void *p;
	int fd;

	if (argc != 5 || !parse_u64(argv[3], &region) ||
	    region > UINT32_MAX || !parse_u64(argv[4], &off) ||
	    off % 4 || off >= XXMEM_REGION_OFFSET(1))
		return helper_usage();
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return helper_fail(argv[2]);
	p = xx_mmap(fd, XXMEM_REGION_OFFSET(region) + off / pg * pg,
		    pg, PROT_READ, MAP_SHARED);
	if (map_failed(p))
		return helper_fail("mmap");
	close(fd);
	printf("0x%08x\n", rd32(p, off % pg));
	munmap(p, pg);
	return fflush(stdout) ? 1 : 0;
}

/*
 * Is every page of the pieces of @c (page 0 and the hole at page 3 gone)
 * the same registers as through @whole, with the markers of pages 1..8 in
 * memory (ri->cache 2)?
 */
static bool pieces_match(const char *c, const char *whole, size_t size,
			 size_t pg, const struct xxmem_region_info *ri)
{
	size_t k;

	for (k = 1; k < size / pg; k++) {
		size_t o = k * pg + 0x100;

		if (k == 3)
			continue;
		if (rd32(c, o) != rd32(whole, o) ||
		    (k < 9 && ri->cache == 2 &&
		     rd32(c, o) != (0x5a5a0000 | (uint32_t)k))) {
			fprintf(stderr, "page %zu: 0x%08x through the piece, 0x%08x through the whole mapping\n",
				k, rd32(c, o), rd32(whole, o));
			return false;
		}
	}
	return true;
}

/* --split-unmap DEV REGION */
static int mode_split_unmap(int argc, char **argv)
{
	size_t pg = page_size(), size, k;
	struct xxmem_region_info ri;
	char *c, *whole;
	int fd, rc;

	rc = helper_region_min(argc, argv, 4 * pg, "region smaller than 4 pages",
			       &fd, &ri);
	if (rc)
		return rc;
	size = (size_t)ri.size;
	c = xx_mmap(fd, ri.offset, size, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (map_failed(c))
		return helper_fail("mmap");
	whole = xx_mmap(fd, ri.offset, size, PROT_READ | PROT_WRITE,
			MAP_SHARED);
	if (map_failed(whole))
		return helper_fail("second mmap");
	/* memory (not registers): a marker in each of pages 1..8 */
	for (k = 1; k < 9 && k < size / pg && ri.cache == 2; k++)
		wr32(whole, k * pg + 0x100, 0x5a5a0000 | (uint32_t)k);
	(void)rd32(c, 0);
	if (munmap(c, pg))
		return helper_fail("munmap of the first page");
	if (mprotect(c + 2 * pg, pg, PROT_READ))
		return helper_fail("mprotect of a middle page");
	if (munmap(c + 3 * pg, pg))
		return helper_fail("munmap of a hole");
	if (!pieces_match(c, whole, size, pg, &ri)) {
		errno = EIO;
		return helper_fail("a piece maps other registers");
	}
	for (k = 1; k < 9 && k < size / pg && ri.cache == 2; k++)
		wr32(whole, k * pg + 0x100, 0);
	if (munmap(c + pg, 2 * pg) || munmap(c + 4 * pg, size - 4 * pg) ||
	    munmap(whole, size))
		return helper_fail("munmap of the pieces");
	close(fd);
	printf("ok\n");
	return fflush(stdout) ? 1 : 0;
}

/* The marker mode_huge() stores in 2 MiB block @k. */
static uint32_t huge_marker(size_t k)
{
	return 0x9e000000 | (uint32_t)k;
}

/*
 * Do the markers of the 2 MiB blocks of the GiB at @p read back (@p NULL:
 * through a one-page mapping of each block)?  Each mismatch is said on
 * stderr, up to a few.
 */
static size_t huge_check(int fd, uint64_t off, const char *p, const char *how)
{
	const size_t gib = (size_t)1 << 30, step = (size_t)2 << 20;
	size_t k, bad = 0;
	uint32_t v;

	for (k = 0; k < gib / step; k++) {
		const char *q = p ? p + k * step :
			xx_mmap(fd, off + k * step, page_size(), PROT_READ,
				MAP_SHARED);

		if (map_failed(q))
			return gib;
		v = rd32(q, 0x40);
		if (!p)
			munmap((void *)q, page_size());
		if (v != huge_marker(k) && bad++ < 4)
			fprintf(stderr, "pci_test: block %zu: 0x%08x %s\n",
				k, v, how);
	}
	return bad;
}

/*
 * --huge DEV REGION: map the first GiB of REGION (at least 1 GiB), store a
 * marker in a page of each 2 MiB, read each back through a one-page
 * mapping of its own, then through the mapping moved by mremap(2) to an
 * address 2 MiB off a GiB boundary; print the minor faults the stores
 * took, whether the first mapping was 1 GiB-aligned, and "ok" (or
 * "mismatch").
 */
static int mode_huge(int argc, char **argv)
{
	const size_t gib = (size_t)1 << 30, step = (size_t)2 << 20;
	struct xxmem_region_info ri;
	size_t k, bad;
	char *p, *q, *area;
	long faults;
	int fd, rc;

	if (sizeof(size_t) < 8) {
		errno = ENXIO;
		return helper_fail("a 64-bit process is needed");
	}
	rc = helper_region_min(argc, argv, gib, "region smaller than 1 GiB",
			       &fd, &ri);
	if (rc)
		return rc;
	p = xx_mmap(fd, ri.offset, gib, PROT_READ | PROT_WRITE, MAP_SHARED);
	area = mmap(NULL, 3 * gib, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (map_failed(p) || map_failed(area))
		return helper_fail("mmap of 1 GiB");
	faults = minor_faults();
	for (k = 0; k < gib / step; k++)
		wr32(p, k * step + 0x40, huge_marker(k));
	faults = minor_faults() - faults;
	bad = huge_check(fd, ri.offset, NULL, "through a one-page mapping");
	q = (char *)(((uintptr_t)area + gib - 1) & ~(uintptr_t)(gib - 1)) + step;
	q = mremap(p, gib, gib, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	if (map_failed(q))
		return helper_fail("mremap to 2 MiB past a GiB boundary");
	bad += huge_check(fd, ri.offset, q, "after mremap");
	for (k = 0; k < gib / step; k++)
		wr32(q, k * step + 0x40, 0);
	if (munmap(q, gib))
		return helper_fail("munmap");
	munmap(area, 3 * gib);
	close(fd);
	printf("faults=%ld aligned=%d %s\n", faults,
	       (uintptr_t)p % gib == 0, bad ? "mismatch" : "ok");
	return fflush(stdout) ? 1 : 0;
}

/* --region-info DEV REGION */
static int mode_region_info(int argc, char **argv)
{
	static const char *const cache[] = { "WB", "UC", "WC" };
	struct xxmem_region_info ri;
	int fd, rc;

	if (argc != 4)
		return helper_usage();
	rc = helper_region(argv, O_RDONLY, &fd, &ri);
	if (rc)
		return rc;
	close(fd);
	ri.name[sizeof(ri.name) - 1] = '\0';
	printf("size=%" PRIu64 " cache=%s flags=0x%x maxprot=0x%x name=%s\n",
	       (uint64_t)ri.size, ri.cache < 3 ? cache[ri.cache] : "?",
	       ri.flags, ri.maxprot, ri.name);
	return fflush(stdout) ? 1 : 0;
}

/* --find edu|ivshmem */
static int mode_find(int argc, char **argv)
{
	struct xx_pcidev d;

	if (argc != 3)
		return helper_usage();
	if (!find_by_name(argv[2], &d))
		return 1;
	printf("%s %s\n", d.node, d.bdf);
	return fflush(stdout) ? 1 : 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} helper_modes[] = {
	{ "--hold", mode_hold },
	{ "--hold-open", mode_hold_open },
	{ "--map-errno", mode_map_errno },
	{ "--peek32", mode_peek32 },
	{ "--split-unmap", mode_split_unmap },
	{ "--huge", mode_huge },
	{ "--region-info", mode_region_info },
	{ "--find", mode_find },
};

/* A helper mode's exit status, or -1 if argv[1] is none (a harness option). */
static int helper_main(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(helper_modes) / sizeof(helper_modes[0]); i++) {
		if (!strcmp(argv[1], helper_modes[i].name))
			return helper_modes[i].run(argc, argv);
	}
	if (!strcmp(argv[1], "--help"))
		return helper_usage();
	return -1;
}

int main(int argc, char **argv)
{
	int rc = helper_mode(argc, argv, "--", helper_main);

	return rc >= 0 ? rc : test_harness_run(argc, argv);
}
