// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_test - the bad-input table of xxmem, one test per row.
 *
 * Each test feeds /dev/xxmem (or a PCI node /dev/xxmemN) one kind of bad
 * input and checks the outcome the README's "Bad input" table requires:
 * an errno, a signal, or - for MAP_FIXED over an existing mapping - a
 * clean replacement whose old devmap handles all get devmap_unmap, or - for
 * a partial change of a BAR mapping - a split whose pieces still map their
 * own registers.  The same source builds for both data models
 * (badinput_test, badinput_test32); where a row cannot be expressed by a
 * 32-bit caller (offsets of 2^44 and more), the 32-bit test checks what
 * that caller gets instead.
 *
 * Rows on PCI nodes need a function bound to xxmem (QEMU "-device edu",
 * "-device ivshmem-plain"); the I/O BAR row needs QEMU "-device
 * pci-testdev", which it binds to xxmem through driver_override and
 * unbinds again.  Without them those rows are skipped.  The unbind row
 * unbinds and rebinds the edu function.  The unprivileged rows switch to
 * uid/gid 65534 in a child (and make the nodes 0666 for the EPERM row,
 * restoring their mode afterwards).  umem_size 0 / too large / garbage are
 * module parameters: selftests/module_test.sh covers them.
 *
 * Environment: XXMEM_DEV (default /dev/xxmem).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

#define LP64		(sizeof(long) == 8)
#define NREGIONS	4
#define NBARS		6
#define TRACE		"/sys/kernel/debug/xxmem/trace"
#define PCI_DRV		"/sys/bus/pci/drivers/xxmem"
#define EDU_ID		0x010000edu
#define NOBODY		65534
#define CHUNK		XXMEM_SCATTER_CHUNK_SIZE

/* REGION_INFO of region @index into @ri: 0 or the errno. */
static int region_errno(int fd, uint32_t index, struct xxmem_region_info *ri)
{
	return region_info(fd, index, ri) ? errno : 0;
}

/* How a child ended: the signal that killed it, or 0 after exit(0). */
static int child_signal(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -2;
}

/* Touch @p in a child; returns the signal it died of (0: none). */
static int touch_signal(volatile uint8_t *p, bool write)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	return child_signal(pid);
}

/* ---- PCI nodes ---- */

struct pcinode {
	int node;		/* N of /dev/xxmemN, or -1 */
	char bdf[32];
	char path[32];
};

/* A bound function with vendor:device @vd ("0x1234:0x11e8"), or NULL for any. */
static bool find_pci(const char *vd, struct pcinode *pn)
{
	int n;

	for (n = 1; n < 64; n++) {
		char path[320], link[256], v[16], d[16], both[40];
		const char *bdf;
		ssize_t l;

		snprintf(path, sizeof(path), "/sys/class/misc/xxmem%d/device", n);
		l = readlink(path, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		bdf = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
		if (read_file(path, v, sizeof(v)) < 0)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
		if (read_file(path, d, sizeof(d)) < 0)
			continue;
		snprintf(both, sizeof(both), "%s:%s", v, d);
		if (vd && strcmp(both, vd))
			continue;
		pn->node = n;
		snprintf(pn->bdf, sizeof(pn->bdf), "%.31s", bdf);
		snprintf(pn->path, sizeof(pn->path), "/dev/xxmem%d", n);
		return true;
	}
	pn->node = -1;
	return false;
}

/* Wait up to 5 s for @bdf to have an xxmem node again. */
static int wait_node(const char *bdf)
{
	char path[32];
	int i, n;

	for (i = 0; i < 500; i++) {
		n = xxmem_node_of(bdf);
		if (n > 0) {
			snprintf(path, sizeof(path), "/dev/xxmem%d", n);
			if (access(path, F_OK) == 0)
				return n;
		}
		usleep(10000);
	}
	return -1;
}

/* ---- the callback trace ---- */

static bool trace_clear(void)
{
	return write_file(TRACE, "0") == 0;
}

static char *trace_get(void)
{
	static char buf[32768];

	if (read_file(TRACE, buf, sizeof(buf)) < 0)
		return NULL;
	return buf;
}

/*
 * Handles the trace leaves mapped: every handle made by map, dup or a hole
 * split must end with "unmap dh=N ... new1=- new2=-".  Returns the number
 * of such handles still live (or -1 on a malformed line).
 */
static int trace_live(const char *tr)
{
	int live[256], nlive = 0, i;
	const char *l;

	for (l = tr; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int id, nw;
		char n1[16], n2[16];

		if (sscanf(l, "map dh=%d", &id) == 1) {
			if (nlive < 256)
				live[nlive++] = id;
		} else if (sscanf(l, "dup dh=%d new=%d", &id, &nw) == 2) {
			if (nlive < 256)
				live[nlive++] = nw;
		} else if (sscanf(l, "unmap dh=%d off=%*s len=%*s new1=%15s new2=%15s",
				  &id, n1, n2) == 3) {
			if (!strcmp(n1, "-") && !strcmp(n2, "-")) {
				for (i = 0; i < nlive; i++)
					if (live[i] == id)
						break;
				if (i == nlive)
					return -1;
				live[i] = live[--nlive];
			} else if (strcmp(n2, "-") && atoi(n2) != id &&
				   nlive < 256) {
				live[nlive++] = atoi(n2);
			}
		}
	}
	return nlive;
}

/*
 * Without @ids: the line number (from 1) of the @n-th "map dh=" line.
 * With @ids: the handle ids of the first @n map lines go there; returns
 * how many there were.
 */
static int trace_nth_map(const char *tr, int n, int *ids)
{
	const char *l;
	int line = 0, k = 0, id;

	for (l = tr; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		line++;
		if (sscanf(l, "map dh=%d", &id) != 1)
			continue;
		if (ids)
			ids[k] = id;
		if (++k == n)
			return ids ? k : line;
	}
	return k;
}

/* The line number of handle @id's whole unmap, or 0. */
static int trace_final_unmap(const char *tr, int id)
{
	const char *l;
	int line = 0, d;
	char n1[16], n2[16];

	for (l = tr; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		line++;
		if (sscanf(l, "unmap dh=%d off=%*s len=%*s new1=%15s new2=%15s",
			   &d, n1, n2) == 3 && d == id && !strcmp(n1, "-") &&
		    !strcmp(n2, "-"))
			return line;
	}
	return 0;
}

/* ---- credentials ---- */

/* In a child: become uid/gid 65534 (no capabilities left). */
static int become_nobody(void)
{
	gid_t g = NOBODY;

	if (setgroups(1, &g) || setgid(NOBODY) || setuid(NOBODY))
		return errno;
	return 0;
}

/* In a child: stay root but lose CAP_SYS_RAWIO. */
static int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_RAWIO, 0, 0, 0))
		return errno;
	if (syscall(SYS_capget, &hdr, data))
		return errno;
	data[0].effective &= ~(1u << CAP_SYS_RAWIO);
	data[0].permitted &= ~(1u << CAP_SYS_RAWIO);
	data[0].inheritable &= ~(1u << CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data))
		return errno;
	return 0;
}

/* ---- the fixture: /dev/xxmem and its region table ---- */

FIXTURE(bad) {
	int fd;
	size_t pg;
	struct xxmem_region_info ri[NREGIONS];
	/* undone in the teardown */
	char chmodded[4][32];
	mode_t oldmode[4];
	int nchmod;
	char unbound[32];
	char testdev[32];
};

FIXTURE_SETUP(bad)
{
	int i;

	self->pg = page_size();
	self->fd = open(xx_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", xx_dev(), strerror(errno));
	for (i = 0; i < NREGIONS; i++)
		ASSERT_EQ(0, region_errno(self->fd, (uint32_t)i, &self->ri[i]));
}

FIXTURE_TEARDOWN(bad)
{
	char path[96];
	int i;

	for (i = 0; i < self->nchmod; i++)
		if (chmod(self->chmodded[i], self->oldmode[i]))
			TH_LOG("restoring mode %o of %s: %s", self->oldmode[i],
			       self->chmodded[i], strerror(errno));
	if (self->unbound[0] && xxmem_node_of(self->unbound) < 0) {
		write_file(PCI_DRV "/bind", self->unbound);
		wait_node(self->unbound);
	}
	if (self->testdev[0]) {
		write_file(PCI_DRV "/unbind", self->testdev);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
			 self->testdev);
		write_file(path, "\n");
	}
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t roff(unsigned int region)
{
	return XXMEM_REGION_OFFSET(region);
}

/* Row: offset beyond a region -> ENXIO (every region). */
TEST_F(bad, offset_beyond_region_is_enxio)
{
	unsigned int r;

	for (r = 0; r < NREGIONS; r++) {
		EXPECT_EQ(ENXIO, map_errno(self->fd, roff(r) + self->ri[r].size,
					   self->pg, PROT_READ, MAP_SHARED))
			TH_LOG("region %u at its size 0x%" PRIx64, r,
			       (uint64_t)self->ri[r].size);
		EXPECT_EQ(ENXIO, map_errno(self->fd, roff(r) + (1ull << 39),
					   self->pg, PROT_READ, MAP_SHARED))
			TH_LOG("region %u at 2^39", r);
	}
}

/* Row: offset inside, offset + length beyond the region -> ENXIO. */
TEST_F(bad, length_beyond_region_is_enxio)
{
	unsigned int r;

	for (r = 0; r < NREGIONS; r++) {
		uint64_t size = self->ri[r].size;

		EXPECT_EQ(ENXIO, map_errno(self->fd, roff(r) + size - self->pg,
					   2 * self->pg, PROT_READ, MAP_SHARED))
			TH_LOG("region %u: last page + 1", r);
	}
	EXPECT_EQ(ENXIO, map_errno(self->fd, roff(1), self->ri[1].size + self->pg,
				   PROT_READ, MAP_SHARED));
}

/*
 * Row: off + len overflows 64 bits.  64-bit: EOVERFLOW (mmap's own check).
 * 32-bit callers cannot pass such an offset: glibc's mmap64 refuses
 * offsets of 2^44 and more with EINVAL before any system call.
 */
TEST_F(bad, offset_plus_length_overflows_64_bits)
{
	int want = LP64 ? EOVERFLOW : EINVAL;

	EXPECT_EQ(want, map_errno(self->fd, 0xfffffffffffff000ull, 2 * self->pg,
				  PROT_READ, MAP_SHARED));
	EXPECT_EQ(want, map_errno(self->fd, 0xffffffffffff0000ull,
				  1024 * self->pg, PROT_READ, MAP_SHARED));
}

/*
 * Row: an offset with bit 63 set (a negative off_t; region 2^23 and up)
 * -> EINVAL (64-bit: devmap_setup refuses negative offsets; 32-bit: glibc).
 */
TEST_F(bad, negative_offset_is_einval)
{
	EXPECT_EQ(EINVAL, map_errno(self->fd, 0x8000000000000000ull, self->pg,
				    PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, map_errno(self->fd, 0xfffffffffff00000ull, self->pg,
				    PROT_READ, MAP_SHARED));
}

/* Row: length 0 -> EINVAL. */
TEST_F(bad, length_zero_is_einval)
{
	unsigned int r;

	for (r = 0; r < NREGIONS; r++)
		EXPECT_EQ(EINVAL, map_errno(self->fd, roff(r), 0, PROT_READ,
					    MAP_SHARED));
}

/* Row: an offset that is not page aligned -> EINVAL. */
TEST_F(bad, unaligned_offset_is_einval)
{
	EXPECT_EQ(EINVAL, map_errno(self->fd, 0x100, self->pg, PROT_READ,
				    MAP_SHARED));
	EXPECT_EQ(EINVAL, map_errno(self->fd, roff(1) + 1, self->pg, PROT_READ,
				    MAP_SHARED));
}

/* Row: region index past the last (mmap) -> ENXIO. */
TEST_F(bad, region_past_last_is_enxio)
{
	EXPECT_EQ(ENXIO, map_errno(self->fd, roff(NREGIONS), self->pg,
				   PROT_READ, MAP_SHARED));
	EXPECT_EQ(ENXIO, map_errno(self->fd, roff(15), self->pg, PROT_READ,
				   MAP_SHARED));
	if (LP64)
		EXPECT_EQ(ENXIO, map_errno(self->fd, roff(0x7fffff), self->pg,
					   PROT_READ, MAP_SHARED));
}

/* Row: region index past the last (XXMEM_IOC_REGION_INFO) -> EINVAL. */
TEST_F(bad, region_info_past_last_is_einval)
{
	struct xxmem_region_info ri;

	EXPECT_EQ(EINVAL, region_errno(self->fd, NREGIONS, &ri));
	EXPECT_EQ(EINVAL, region_errno(self->fd, 255, &ri));
	EXPECT_EQ(EINVAL, region_errno(self->fd, UINT32_MAX, &ri));
}

/* Row: an absent BAR of a PCI node -> size 0, mmap ENXIO. */
TEST_F(bad, absent_bar_is_enxio)
{
	struct xxmem_region_info ri;
	struct pcinode pn;
	unsigned int b, absent = 0;
	int fd;

	if (!find_pci("0x1234:0x11e8", &pn) && !find_pci(NULL, &pn))
		SKIP(return, "no PCI function bound to xxmem");
	fd = open(pn.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", pn.path, strerror(errno));
	for (b = 0; b < NBARS; b++) {
		ASSERT_EQ(0, region_errno(fd, b, &ri));
		if (ri.size)
			continue;
		absent++;
		EXPECT_EQ(0u, ri.maxprot);
		EXPECT_EQ(ENXIO, map_errno(fd, roff(b), self->pg, PROT_READ,
					   MAP_SHARED)) TH_LOG("%s BAR %u", pn.path, b);
	}
	EXPECT_LT(0u, absent);
	EXPECT_EQ(ENXIO, map_errno(fd, roff(NBARS), self->pg, PROT_READ,
				   MAP_SHARED));
	close(fd);
}

/*
 * Row: an I/O-port BAR -> size 0, mmap ENXIO.  QEMU's pci-testdev
 * (1b36:0005) has one (BAR 1); it is bound to xxmem for this test.
 */
TEST_F(bad, io_bar_is_enxio)
{
	struct xxmem_region_info ri;
	char path[320], res[4096], *line;
	const char *bdf = NULL;
	struct dirent *de;
	int fd, n, b, io = -1;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	while (d && (de = readdir(d))) {
		char v[16], dv[16];

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", de->d_name);
		if (read_file(path, v, sizeof(v)) < 0 || strcmp(v, "0x1b36"))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", de->d_name);
		if (read_file(path, dv, sizeof(dv)) < 0 || strcmp(dv, "0x0005"))
			continue;
		snprintf(self->testdev, sizeof(self->testdev), "%.31s", de->d_name);
		bdf = self->testdev;
		break;
	}
	if (d)
		closedir(d);
	if (!bdf)
		SKIP(return, "no pci-testdev (QEMU -device pci-testdev) for an I/O BAR");

	/* which BAR is I/O: the resource file's flags (IORESOURCE_IO 0x100) */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	ASSERT_LT(0, read_file(path, res, sizeof(res)));
	for (b = 0, line = res; b < NBARS && line; b++) {
		unsigned long long s, e, f;

		if (sscanf(line, "%llx %llx %llx", &s, &e, &f) == 3 &&
		    (f & 0x100) && e > s)
			io = b;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
		if (io >= 0)
			break;
	}
	ASSERT_LE(0, io) TH_LOG("pci-testdev %s has no I/O BAR", bdf);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	ASSERT_EQ(0, write_file(path, "xxmem"));
	ASSERT_EQ(0, write_file(PCI_DRV "/bind", bdf));
	n = wait_node(bdf);
	ASSERT_LT(0, n);
	snprintf(path, sizeof(path), "/dev/xxmem%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, region_errno(fd, (uint32_t)io, &ri));
	EXPECT_EQ(0ull, (unsigned long long)ri.size) TH_LOG("I/O BAR %d of %s", io, bdf);
	EXPECT_EQ(ENXIO, map_errno(fd, roff((unsigned int)io), self->pg,
				   PROT_READ | PROT_WRITE, MAP_SHARED));
	close(fd);
}

/* Row: MAP_PRIVATE -> EINVAL (every region, and a BAR). */
TEST_F(bad, map_private_is_einval)
{
	struct pcinode pn;
	unsigned int r;

	for (r = 0; r < NREGIONS; r++) {
		EXPECT_EQ(EINVAL, map_errno(self->fd, roff(r), self->pg,
					    PROT_READ, MAP_PRIVATE)) TH_LOG("region %u", r);
		EXPECT_EQ(EINVAL, map_errno(self->fd, roff(r), self->pg,
					    PROT_READ | PROT_WRITE, MAP_PRIVATE));
	}
	if (find_pci(NULL, &pn)) {
		int fd = open(pn.path, O_RDWR | O_CLOEXEC);

		ASSERT_LE(0, fd);
		EXPECT_EQ(EINVAL, map_errno(fd, 0, self->pg, PROT_READ,
					    MAP_PRIVATE)) TH_LOG("%s BAR 0", pn.path);
		close(fd);
	}
}

/* Row: PROT_EXEC -> EACCES (every region, and a BAR). */
TEST_F(bad, prot_exec_is_eacces)
{
	struct pcinode pn;
	unsigned int r;

	for (r = 0; r < NREGIONS; r++) {
		EXPECT_EQ(EACCES, map_errno(self->fd, roff(r), self->pg,
					    PROT_READ | PROT_EXEC, MAP_SHARED))
			TH_LOG("region %u", r);
		EXPECT_EQ(EACCES, map_errno(self->fd, roff(r), self->pg,
					    PROT_EXEC, MAP_SHARED));
	}
	if (find_pci(NULL, &pn)) {
		int fd = open(pn.path, O_RDWR | O_CLOEXEC);

		ASSERT_LE(0, fd);
		EXPECT_EQ(EACCES, map_errno(fd, 0, self->pg,
					    PROT_READ | PROT_EXEC, MAP_SHARED));
		close(fd);
	}
}

/* Row: PROT_WRITE on region 2 (status, read-only) -> EACCES. */
TEST_F(bad, prot_write_on_status_is_eacces)
{
	EXPECT_EQ(EACCES, map_errno(self->fd, roff(2), self->pg,
				    PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(EACCES, map_errno(self->fd, roff(2), self->pg, PROT_WRITE,
				    MAP_SHARED));
	EXPECT_EQ(0, map_errno(self->fd, roff(2), self->pg, PROT_READ,
			       MAP_SHARED));
}

/* Row: mprotect upgrade of region 2 to PROT_WRITE -> EACCES. */
TEST_F(bad, mprotect_upgrade_on_status_is_eacces)
{
	volatile struct xxmem_status *st;
	void *p;

	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, self->fd, (off_t)roff(2));
	ASSERT_FALSE(map_failed(p));
	EXPECT_EQ(-1, mprotect(p, self->pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p, self->pg, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* still mapped read-only */
	st = p;
	EXPECT_LT(0, st->opens);
	EXPECT_EQ(SIGSEGV, touch_signal(p, true));
	munmap(p, self->pg);
}

/* Row: mprotect adding PROT_EXEC -> EACCES (every region). */
TEST_F(bad, mprotect_exec_is_eacces)
{
	unsigned int r;

	for (r = 0; r < NREGIONS; r++) {
		void *p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, self->fd,
			       (off_t)roff(r));

		ASSERT_FALSE(map_failed(p));
		EXPECT_EQ(-1, mprotect(p, self->pg, PROT_READ | PROT_EXEC));
		EXPECT_EQ(EACCES, errno) TH_LOG("region %u", r);
		munmap(p, self->pg);
	}
}

/* Row: O_RDONLY fd, PROT_WRITE MAP_SHARED -> EACCES (also by mprotect). */
TEST_F(bad, rdonly_fd_shared_write_is_eacces)
{
	int fd = open(xx_dev(), O_RDONLY | O_CLOEXEC);
	void *p;

	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, map_errno(fd, 0, self->pg, PROT_READ | PROT_WRITE,
				    MAP_SHARED));
	EXPECT_EQ(EACCES, map_errno(fd, roff(1), self->pg, PROT_WRITE,
				    MAP_SHARED));
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_FALSE(map_failed(p));
	EXPECT_EQ(-1, mprotect(p, self->pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->pg);
	close(fd);
}

/* Row: mremap growing a mapping -> EFAULT (in place or moving). */
TEST_F(bad, mremap_grow_is_efault)
{
	unsigned int r;

	for (r = 0; r < 2; r++) {
		void *p = mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE,
			       MAP_SHARED, self->fd, (off_t)roff(r));
		void *q;

		ASSERT_FALSE(map_failed(p));
		/* make room after it, so growing in place would fit */
		munmap((char *)p + self->pg, self->pg);
		q = mremap(p, self->pg, 2 * self->pg, 0);
		EXPECT_TRUE(map_failed(q));
		EXPECT_EQ(EFAULT, errno) TH_LOG("region %u in place", r);
		q = mremap(p, self->pg, 64 * self->pg, MREMAP_MAYMOVE);
		EXPECT_TRUE(map_failed(q));
		EXPECT_EQ(EFAULT, errno) TH_LOG("region %u, may move", r);
		/* "duplicating" a shared mapping (old_len 0) is a grow too */
		q = mremap(p, 0, self->pg, MREMAP_MAYMOVE);
		EXPECT_TRUE(map_failed(q));
		EXPECT_EQ(EFAULT, errno) TH_LOG("region %u, old_len 0", r);
		munmap(p, self->pg);
	}
}

/* Row: mremap with MREMAP_DONTUNMAP -> EINVAL (VM_DONTEXPAND). */
TEST_F(bad, mremap_dontunmap_is_einval)
{
	void *p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, self->fd, 0);
	void *q;

	ASSERT_FALSE(map_failed(p));
	q = mremap(p, self->pg, self->pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
		   NULL);
	EXPECT_TRUE(map_failed(q));
	EXPECT_EQ(EINVAL, errno);
	munmap(p, self->pg);
}

/*
 * Row: MAP_FIXED over an existing mapping -> succeeds and replaces it
 * cleanly: each old devmap handle gets its devmap_unmap (trace) before the
 * new ones are mapped, the old memory keeps its data and is not reachable
 * any more, and every handle ends unmapped.
 */
TEST_F(bad, map_fixed_over_mapping_replaces_it)
{
	size_t len = 2 * CHUNK, i;
	uint8_t buf[16];
	char *p, *q, *r, *tr;
	int left, ids[4];

	if (access(TRACE, R_OK))
		SKIP(return, "no %s (debugfs)", TRACE);
	ASSERT_TRUE(trace_clear());

	/* two handles (one per chunk of region 1), then a fixed replacement */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 (off_t)roff(1));
	ASSERT_FALSE(map_failed(p));
	memset(p, 0x11, len);
	q = mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 self->fd, (off_t)(roff(1) + 4 * CHUNK));
	ASSERT_FALSE(map_failed(q));
	ASSERT_TRUE(p == q);
	memset(q, 0x22, len);
	ASSERT_EQ((ssize_t)sizeof(buf),
		  pread(self->fd, buf, sizeof(buf), (off_t)roff(1)));
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0x11, buf[i]) TH_LOG("the old memory changed");
	ASSERT_EQ((ssize_t)sizeof(buf),
		  pread(self->fd, buf, sizeof(buf), (off_t)(roff(1) + 4 * CHUNK)));
	EXPECT_EQ(0x22, buf[0]);

	tr = trace_get();
	ASSERT_TRUE(tr != NULL);
	/* the old handles' whole unmaps come before the new handles' maps */
	ASSERT_EQ(4, trace_nth_map(tr, 4, ids)) TH_LOG("trace:\n%s", tr);
	EXPECT_LT(trace_final_unmap(tr, ids[0]), trace_nth_map(tr, 3, NULL))
		TH_LOG("trace:\n%s", tr);
	EXPECT_LT(trace_final_unmap(tr, ids[1]), trace_nth_map(tr, 3, NULL))
		TH_LOG("trace:\n%s", tr);
	EXPECT_LT(0, trace_final_unmap(tr, ids[0]));
	EXPECT_LT(0, trace_final_unmap(tr, ids[1]));
	EXPECT_EQ(2, trace_live(tr)) TH_LOG("trace:\n%s", tr);

	/* MAP_FIXED over a middle page: a hole in a handle (a new handle) */
	r = mmap(q + self->pg, self->pg, PROT_READ, MAP_SHARED | MAP_FIXED,
		 self->fd, 0);
	ASSERT_TRUE(q + self->pg == r);
	tr = trace_get();
	EXPECT_TRUE(strstr(tr, "new2=") != NULL) TH_LOG("trace:\n%s", tr);
	EXPECT_EQ(3, trace_live(tr)) TH_LOG("trace:\n%s", tr);
	EXPECT_EQ(0x22, (uint8_t)q[0]);
	EXPECT_EQ(0x22, (uint8_t)q[2 * self->pg]);

	ASSERT_EQ(0, munmap(q, len));
	tr = trace_get();
	left = trace_live(tr);
	EXPECT_EQ(0, left) TH_LOG("handles left mapped; trace:\n%s", tr);
}

/* Row: an unknown ioctl -> ENOTTY. */
TEST_F(bad, unknown_ioctl_is_enotty)
{
	static const unsigned long cmds[] = {
		_IO(XXMEM_IOC_MAGIC, 0), _IO(XXMEM_IOC_MAGIC, 3),
		_IOWR(XXMEM_IOC_MAGIC, 1, uint64_t),	/* REGION_INFO, other size */
		_IOW(XXMEM_IOC_MAGIC, 2, uint32_t),	/* GET_MODEL, other direction */
		_IOWR('y', 1, struct xxmem_region_info), 0x12345678,
	};
	struct xxmem_region_info ri;
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(&ri, 0, sizeof(ri));
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &ri));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd 0x%lx", cmds[i]);
	}
}

/* Row: an ioctl with a bad pointer -> EFAULT. */
TEST_F(bad, ioctl_bad_pointer_is_efault)
{
	void *ro = mmap(NULL, self->pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char *edge = mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *bad[] = { NULL, (void *)1, (void *)(uintptr_t)-4096L, ro,
			edge + self->pg - 8 };
	unsigned int i;

	ASSERT_FALSE(map_failed(ro));
	ASSERT_FALSE(map_failed(edge));
	ASSERT_EQ(0, mprotect(edge + self->pg, self->pg, PROT_NONE));
	memset(edge + self->pg - 8, 0, 8);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, XXMEM_IOC_REGION_INFO, bad[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("REGION_INFO %p", bad[i]);
		EXPECT_EQ(-1, ioctl(self->fd, XXMEM_IOC_GET_MODEL,
				    i == 4 ? (void *)(edge + self->pg - 2) : bad[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("GET_MODEL %p", bad[i]);
	}
	munmap(ro, self->pg);
	munmap(edge, 2 * self->pg);
}

/*
 * Row: mapping after unbind.  The old fd gets ENODEV on mmap, ioctl and
 * read; the old mapping SIGBUS; closing the old fd and the rebound node
 * work.
 */
TEST_F(bad, mapping_after_unbind_is_enodev)
{
	struct xxmem_region_info ri;
	struct pcinode pn;
	volatile uint32_t *id;
	uint32_t model;
	char buf[8];
	int fd, fd2, n;
	void *p;

	if (!find_pci("0x1234:0x11e8", &pn))
		SKIP(return, "no edu function (QEMU -device edu) bound to xxmem");
	fd = open(pn.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap BAR 0: %s", strerror(errno));
	id = p;
	ASSERT_EQ(EDU_ID, *id);

	snprintf(self->unbound, sizeof(self->unbound), "%s", pn.bdf);
	ASSERT_EQ(0, write_file(PCI_DRV "/unbind", pn.bdf));

	EXPECT_EQ(ENODEV, map_errno(fd, 0, self->pg, PROT_READ, MAP_SHARED));
	EXPECT_EQ(-1, ioctl(fd, XXMEM_IOC_REGION_INFO, &ri));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fd, XXMEM_IOC_GET_MODEL, &model));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(SIGBUS, touch_signal((volatile uint8_t *)p, false));
	EXPECT_EQ(SIGBUS, touch_signal((volatile uint8_t *)p, true));
	EXPECT_EQ(-1, access(pn.path, F_OK));

	ASSERT_EQ(0, write_file(PCI_DRV "/bind", pn.bdf));
	n = wait_node(pn.bdf);
	ASSERT_LT(0, n);
	self->unbound[0] = 0;
	/* the old fd and mapping stay dead; the new node works */
	EXPECT_EQ(ENODEV, map_errno(fd, 0, self->pg, PROT_READ, MAP_SHARED));
	EXPECT_EQ(SIGBUS, touch_signal((volatile uint8_t *)p, false));
	snprintf(pn.path, sizeof(pn.path), "/dev/xxmem%d", n);
	fd2 = open(pn.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, region_errno(fd2, 0, &ri));
	EXPECT_EQ(0, map_errno(fd2, 0, self->pg, PROT_READ, MAP_SHARED));
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, close(fd));
	close(fd2);
}

/* The nodes to try as an unprivileged user: /dev/xxmem and every PCI node. */
static int nodes(char paths[][32], int max)
{
	int n = 0, i;

	snprintf(paths[n++], 32, "%.31s", xx_dev());
	for (i = 1; i < 64 && n < max; i++) {
		snprintf(paths[n], 32, "/dev/xxmem%d", i);
		if (access(paths[n], F_OK) == 0)
			n++;
	}
	return n;
}

/*
 * Row: an unprivileged process (uid/gid 65534) opening each node (0600, or
 * 0660 with the udev rule) -> EACCES.
 */
TEST_F(bad, unprivileged_open_is_eacces)
{
	char paths[4][32];
	int n = nodes(paths, 4), i;

	for (i = 0; i < n; i++) {
		struct stat st;
		pid_t pid;
		int status;

		ASSERT_EQ(0, stat(paths[i], &st));
		/* 0600, or 0660 group xxmem with the udev rule: no access for others */
		EXPECT_EQ(0u, st.st_mode & 0007) TH_LOG("%s mode %o", paths[i],
						       st.st_mode & 07777);
		pid = fork();
		if (pid == 0) {
			if (become_nobody())
				_exit(10);
			if (open(paths[i], O_RDWR) >= 0 || errno != EACCES)
				_exit(11);
			if (open(paths[i], O_RDONLY) >= 0 || errno != EACCES)
				_exit(12);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status) TH_LOG("%s: child exit 0x%x (10: setuid, 11/12: open did not fail with EACCES)",
					    paths[i], status);
	}
}

/*
 * Row: an unprivileged process with access to the nodes (made 0666 for
 * the test, their old mode again afterwards): BAR mmap -> EPERM (no
 * CAP_SYS_RAWIO); kernel-memory regions of /dev/xxmem map.
 */
TEST_F(bad, unprivileged_bar_mmap_is_eperm)
{
	char paths[4][32];
	int n = nodes(paths, 4), i;

	if (n < 2)
		SKIP(return, "no PCI function bound to xxmem");
	for (i = 0; i < n; i++) {
		struct stat st;

		ASSERT_EQ(0, stat(paths[i], &st));
		self->oldmode[self->nchmod] = st.st_mode & 07777;
		snprintf(self->chmodded[self->nchmod++], 32, "%.31s", paths[i]);
		ASSERT_EQ(0, chmod(paths[i], 0666));
	}
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			struct xxmem_region_info ri;
			unsigned int b;
			int fd, mapped = 0;

			if (become_nobody())
				_exit(10);
			fd = open(paths[i], O_RDWR);
			if (fd < 0)
				_exit(11);
			if (i == 0) {	/* /dev/xxmem: kernel memory */
				_exit(map_errno(fd, 0, page_size(), PROT_READ | PROT_WRITE,
						MAP_SHARED) ? 12 : 0);
			}
			for (b = 0; b < NBARS; b++) {
				if (region_errno(fd, b, &ri))
					_exit(13);
				if (!ri.size)
					continue;
				mapped++;
				if (map_errno(fd, roff(b), page_size(), PROT_READ,
					      MAP_SHARED) != EPERM)
					_exit(14);
			}
			_exit(mapped ? 0 : 15);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status) TH_LOG("%s: child exit 0x%x (11: open, 12: region 0 mmap, 14: BAR mmap not EPERM)",
					    paths[i], status);
	}
}

/* Row: root without CAP_SYS_RAWIO: BAR mmap -> EPERM. */
TEST_F(bad, no_rawio_bar_mmap_is_eperm)
{
	struct pcinode pn;
	pid_t pid;
	int status;

	if (!find_pci(NULL, &pn))
		SKIP(return, "no PCI function bound to xxmem");
	pid = fork();
	if (pid == 0) {
		int fd = open(pn.path, O_RDWR);

		if (fd < 0)
			_exit(10);
		if (drop_rawio())
			_exit(11);
		_exit(map_errno(fd, 0, page_size(), PROT_READ, MAP_SHARED) == EPERM ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("child exit 0x%x (11: capset, 12: not EPERM)", status);
}

/* Whether @n bytes at @p read what @q reads (32-bit device reads). */
static bool same_regs(const uint8_t *p, const uint8_t *q, size_t n)
{
	const volatile uint32_t *a = (const void *)p, *b = (const void *)q;
	size_t i;

	for (i = 0; i < n / 4; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * Split @p, a 4-page BAR mapping, every way: munmap of the first page,
 * mremap shrinking the rest to two pages, then madvise(MADV_DONTFORK) of
 * page 1 and mprotect(PROT_READ) of page 2 (in the other order with
 * @prot_first: the first of the two splits the two-page piece, the second
 * changes a whole piece).  Each piece must still read what @q, a second
 * whole mapping of the same registers, reads at the same offset.  Returns
 * 0, or the step that failed.
 */
static int split_pieces(uint8_t *p, const uint8_t *q, size_t pg,
			bool prot_first)
{
	if (munmap(p, pg))
		return 1;
	if (!same_regs(p + pg, q + pg, 3 * pg))
		return 2;
	if (mremap(p + pg, 3 * pg, 2 * pg, 0) != p + pg)
		return 3;
	if (!same_regs(p + pg, q + pg, 2 * pg))
		return 4;
	if (prot_first && mprotect(p + 2 * pg, pg, PROT_READ))
		return 5;
	if (madvise(p + pg, pg, MADV_DONTFORK))
		return 6;
	if (!prot_first && mprotect(p + 2 * pg, pg, PROT_READ))
		return 5;
	if (!same_regs(p + pg, q + pg, 2 * pg))
		return 7;
	return 0;
}

/*
 * Row: a partial munmap, mprotect, mremap shrink or MADV_DONTFORK of a BAR
 * mapping succeeds (the mapping splits like any other), also in a fork
 * child, and each piece still maps its own registers: it reads what a
 * second whole mapping of the BAR reads at the same offsets.  munmap of
 * the whole range removes what is left.  On ivshmem's shared memory the
 * pages get a pattern first (their old contents are put back afterwards).
 */
TEST_F(bad, bar_partial_change_splits)
{
	struct xxmem_region_info ri;
	struct pcinode pn;
	uint32_t *saved = NULL;
	unsigned int b;
	uint64_t off;
	size_t i, len = 4 * self->pg;
	bool ivs;
	pid_t pid;
	int fd, status;
	uint8_t *p, *q;

	ivs = find_pci("0x1af4:0x1110", &pn);
	if (!ivs && !find_pci(NULL, &pn))
		SKIP(return, "no PCI function bound to xxmem");
	fd = open(pn.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (b = 0; b < NBARS; b++)
		if (region_errno(fd, b, &ri) == 0 && ri.size >= len)
			break;
	if (b == NBARS) {
		close(fd);
		SKIP(return, "%s has no BAR of 4 pages", pn.path);
	}
	/* ivshmem: between the host and guest patterns of xxmem-ivshmem */
	off = ivs && ri.size >= 0x80000 ? 0x40000 : 0;
	q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)(roff(b) + off));
	ASSERT_FALSE(map_failed(q)) TH_LOG("%s BAR %u: %s", pn.path, b, strerror(errno));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)(roff(b) + off));
	ASSERT_FALSE(map_failed(p)) TH_LOG("%s BAR %u: %s", pn.path, b, strerror(errno));
	if (ivs) {
		saved = malloc(2 * len);
		ASSERT_TRUE(saved != NULL);
		memcpy(saved, q, len);
		for (i = 0; i < len / 4; i++)
			saved[len / 4 + i] = 0x5b000000u ^ (uint32_t)i;
		memcpy(q, saved + len / 4, len);
		__sync_synchronize();
	}
	EXPECT_TRUE(same_regs(p, q, len))
		TH_LOG("%s BAR %u: two mappings differ", pn.path, b);

	/* the child splits its copy; the parent's mapping stays whole */
	pid = fork();
	if (pid == 0)
		_exit(split_pieces(p, q, self->pg, true));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status)
		TH_LOG("%s BAR %u in a fork child: status 0x%x (1-7: the failed step)",
		       pn.path, b, status);
	EXPECT_TRUE(same_regs(p, q, len));

	EXPECT_EQ(0, split_pieces(p, q, self->pg, false))
		TH_LOG("%s BAR %u", pn.path, b);
	EXPECT_EQ(SIGSEGV, touch_signal(p, false));
	EXPECT_EQ(SIGSEGV, touch_signal(p + 3 * self->pg, false));
	/* page 1 is MADV_DONTFORK: absent in a child */
	EXPECT_EQ(SIGSEGV, touch_signal(p + self->pg, false));
	EXPECT_EQ(0, touch_signal(p + 2 * self->pg, false));
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(SIGSEGV, touch_signal(p + 2 * self->pg, false));
	if (saved) {
		memcpy(q, saved, len);
		free(saved);
	}
	EXPECT_EQ(0, munmap(q, len));
	close(fd);
}

/* Row: MAP_SHARED_VALIDATE with a flag the node does not know -> EOPNOTSUPP. */
TEST_F(bad, map_shared_validate_unknown_flag_is_eopnotsupp)
{
	EXPECT_EQ(EOPNOTSUPP, map_errno(self->fd, 0, self->pg, PROT_READ,
					MAP_SHARED_VALIDATE | MAP_SYNC));
	EXPECT_EQ(0, map_errno(self->fd, 0, self->pg, PROT_READ,
			       MAP_SHARED_VALIDATE));
}

int main(int argc, char **argv)
{
	return test_harness_run(argc, argv);
}
