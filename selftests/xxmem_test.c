// SPDX-License-Identifier: GPL-2.0
/*
 * xxmem_test - kselftest for the user mappings of /dev/xxmem.
 *
 * Region 0 ("umem") is kernel memory exported the Solaris devmap_umem_setup(9F)
 * way: every caller of one data model shares one view, ILP32 callers share a
 * second view of the same size.  The tests check the mapping rules (MAP_SHARED
 * only, no PROT_EXEC, ENXIO outside the region), the ioctls and the sharing
 * between processes and data models.
 *
 * The runner must load a fresh xxmem.ko before running each binary:
 * fresh_memory_reads_zero runs first and expects untouched memory.
 *
 * Helper modes (handled before the harness runs; used by the tests themselves
 * and by module_test.sh):
 *   xxmem_test --peer-write OFF BYTE   write BYTE at OFF of region 0, exit 0
 *   xxmem_test --peer-read OFF         print the byte at OFF of region 0 (decimal)
 *   xxmem_test --hold READYFILE        map region 0, close the fd, create
 *                                      READYFILE, then sleep until killed
 *   xxmem_test --region-size [INDEX]   print the size of a region in bytes
 *
 * Environment: XXMEM_DEV (default /dev/xxmem), XXMEM_UMEM_SIZE (the umem_size
 * the module was loaded with, e.g. "1M"), XXMEM_PEER (the test binary of the
 * other data model; without it other_model_has_its_own_view is skipped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
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

/* Bulk pattern tests touch at most this much of a (possibly 1G) region. */
#define XX_SPAN_MAX	(4UL << 20)

/* Region indices probed for the end of the table; 32-bit mmap reaches 15. */
#define XX_MAX_REGIONS	64

static const char *xx_argv0;

/* Number of regions (REGION_INFO until EINVAL), or -errno on another error. */
static int region_count(int fd)
{
	struct xxmem_region_info ri;
	int i;

	for (i = 0; i < XX_MAX_REGIONS; i++) {
		if (region_info(fd, (uint32_t)i, &ri))
			return errno == EINVAL ? i : -errno;
	}
	return -E2BIG;
}

static bool name_terminated(const struct xxmem_region_info *ri)
{
	return memchr(ri->name, '\0', sizeof(ri->name)) != NULL;
}

/* Does the kernel take huge faults in file mappings (THP not "never")? */
static bool thp_enabled(void)
{
	return !strstr(read_line("/sys/kernel/mm/transparent_hugepage/enabled"),
		       "[never]");
}

/* Path of this binary, for running our own helper modes. */
static const char *self_path(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		return buf;
	}
	return xx_argv0;
}

/* ELF class of a file: 1 (32-bit), 2 (64-bit), or -1. */
static int elf_class(const char *path)
{
	unsigned char id[5];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, id, sizeof(id));
	close(fd);
	if (n != (ssize_t)sizeof(id) || memcmp(id, "\177ELF", 4))
		return -1;
	return id[4];
}

/*
 * Run "path mode off [byte]"; its stdout goes to out.  Returns the wait
 * status, or -1 if it could not be run.
 */
static int run_helper(const char *path, const char *mode, uint64_t off, int byte,
		      char *out, size_t outsz)
{
	char offs[32], bytes[16];
	char *argv[5];
	int pfd[2], status;
	pid_t pid;

	snprintf(offs, sizeof(offs), "0x%" PRIx64, off);
	snprintf(bytes, sizeof(bytes), "%d", byte);
	argv[0] = (char *)path;
	argv[1] = (char *)mode;
	argv[2] = offs;
	argv[3] = byte >= 0 ? bytes : NULL;
	argv[4] = NULL;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(126);
		execv(path, argv);
		fprintf(stderr, "# exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	read_all(pfd[0], out, outsz);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

FIXTURE(umem) {
	int fd;
	size_t pg;
	size_t size;	/* region 0 size (the same for both data models) */
	size_t span;	/* bytes of region 0 the bulk tests touch */
	struct xxmem_region_info ri;
};

FIXTURE_SETUP(umem)
{
	self->fd = -1;
	self->pg = page_size();
	ASSERT_OPEN_DEV(self->fd, O_RDWR);
	ASSERT_EQ(0, region_info(self->fd, 0, &self->ri))
		TH_LOG("XXMEM_IOC_REGION_INFO 0: %s", strerror(errno));
	ASSERT_LT(0U, self->ri.size);
	ASSERT_EQ(0U, self->ri.size % self->pg);
	ASSERT_GE((uint64_t)SIZE_MAX / 2, self->ri.size);
	self->size = (size_t)self->ri.size;
	self->span = self->size < XX_SPAN_MAX ? self->size : XX_SPAN_MAX;
}

FIXTURE_TEARDOWN(umem)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Declared first: the runner loads a fresh module, so nothing has written yet.
 * Reads the whole region, up to 1G: allow for a slow (TCG) guest.
 */
TEST_F_TIMEOUT(umem, fresh_memory_reads_zero, 300)
{
	const uint64_t *w;
	size_t i, n;
	void *p;

	ASSERT_MAP(p, self->fd, 0, self->size, PROT_READ);
	w = p;
	n = self->size / sizeof(*w);
	for (i = 0; i < n; i++) {
		if (w[i])
			break;
	}
	EXPECT_EQ(n, i)
		TH_LOG("non-zero data at offset 0x%zx (0x%016" PRIx64 "): memory "
		       "not zeroed, or module not reloaded before this run",
		       i * sizeof(*w), w[i]);
	EXPECT_EQ(0, munmap(p, self->size));
}

TEST_F(umem, region_info_umem)
{
	struct xxmem_region_info ri;
	const char *env = getenv("XXMEM_UMEM_SIZE");
	uint64_t want;

	memset(&ri, 0xa5, sizeof(ri));
	ri.index = 0;
	ASSERT_EQ(0, ioctl(self->fd, XXMEM_IOC_REGION_INFO, &ri))
		TH_LOG("XXMEM_IOC_REGION_INFO: %s", strerror(errno));
	EXPECT_EQ(0U, ri.index);
	ASSERT_TRUE(name_terminated(&ri)) TH_LOG("name is not NUL-terminated");
	EXPECT_STREQ("umem", ri.name);
	EXPECT_EQ(XXMEM_REGION_OFFSET(0), ri.offset);
	EXPECT_EQ((__u32)(PROT_READ | PROT_WRITE), ri.maxprot);
	EXPECT_EQ((__u32)XXMEM_CACHE_WB, ri.cache);
	EXPECT_EQ((__u32)XXMEM_REGION_PER_MODEL, ri.flags);
	EXPECT_LT(0U, ri.size);
	EXPECT_EQ(0U, ri.size % self->pg);
	if (env && *env) {
		ASSERT_TRUE(parse_size(env, &want))
			TH_LOG("cannot parse XXMEM_UMEM_SIZE=%s", env);
		want = (want + self->pg - 1) / self->pg * self->pg;
		EXPECT_EQ(want, ri.size)
			TH_LOG("umem_size=%s rounded up to pages", env);
	}
}

TEST_F(umem, region_info_past_last_is_einval)
{
	static const uint32_t far[] = { 0x7fffffffU, 0x80000000U, 0xffffffffU };
	struct xxmem_region_info ri;
	uint32_t i;
	size_t k;
	int rc, err = 0;

	for (i = 0; i < XX_MAX_REGIONS; i++) {
		rc = region_info(self->fd, i, &ri);
		err = errno;
		if (rc)
			break;
		EXPECT_EQ(i, ri.index);
		EXPECT_EQ(XXMEM_REGION_OFFSET(i), ri.offset);
		EXPECT_EQ(0U, ri.size % self->pg) TH_LOG("region %u", i);
		EXPECT_TRUE(name_terminated(&ri)) TH_LOG("region %u", i);
	}
	ASSERT_LT(0U, i) TH_LOG("region 0 missing: %s", strerror(err));
	ASSERT_GT((uint32_t)XX_MAX_REGIONS, i) TH_LOG("REGION_INFO never failed");
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(EINVAL, err) TH_LOG("REGION_INFO %u: %s", i, strerror(err));

	for (k = 0; k < ARRAY_SIZE(far); k++) {
		if (far[k] < i)
			continue;
		rc = region_info(self->fd, far[k], &ri);
		err = errno;
		EXPECT_EQ(-1, rc) TH_LOG("index 0x%x", far[k]);
		EXPECT_EQ(EINVAL, err) TH_LOG("index 0x%x: %s", far[k], strerror(err));
	}
}

TEST_F(umem, get_model_matches_caller)
{
	__u32 model = 0xdeadbeef;
	__u32 want = sizeof(long) == 8 ? XXMEM_MODEL_LP64 : XXMEM_MODEL_ILP32;

	ASSERT_EQ(0, ioctl(self->fd, XXMEM_IOC_GET_MODEL, &model))
		TH_LOG("XXMEM_IOC_GET_MODEL: %s", strerror(errno));
	EXPECT_EQ(want, model);
	EXPECT_EQ((__u32)(sizeof(long) * CHAR_BIT), model);
}

TEST_F(umem, map_write_read_back)
{
	uint32_t seed = new_seed();
	void *p, *q;

	ASSERT_MAP(p, self->fd, 0, self->span, PROT_READ | PROT_WRITE);
	pat_fill(p, 0, self->span, seed);
	EXPECT_EQ(-1, pat_check(p, 0, self->span, seed));

	/* A second mapping of the same range is an alias of the same memory. */
	ASSERT_MAP(q, self->fd, 0, self->span, PROT_READ);
	EXPECT_NE((uintptr_t)p, (uintptr_t)q);
	EXPECT_EQ(-1, pat_check(q, 0, self->span, seed));
	set_byte(p, 5, (uint8_t)(byte_at(q, 5) ^ 0xff));
	EXPECT_EQ(byte_at(p, 5), byte_at(q, 5)) TH_LOG("write not seen through alias");
	pat_fill(p, 0, self->pg, seed);
	ASSERT_EQ(0, munmap(p, self->span));
	ASSERT_EQ(0, munmap(q, self->span));

	/* The data outlives the mappings. */
	ASSERT_MAP(p, self->fd, 0, self->span, PROT_READ);
	EXPECT_EQ(-1, pat_check(p, 0, self->span, seed));
	EXPECT_EQ(0, munmap(p, self->span));
}

/* A mapping at a page offset must start at that page of the region. */
TEST_F(umem, map_at_page_offset_sees_that_page)
{
	size_t npages = self->size / self->pg;
	size_t pick[3], k, off, len;
	uint32_t seed = new_seed(), seed2 = seed ^ 0x5a5a5a5aU;
	uint8_t *whole, *p;
	int err;

	if (npages < 2)
		SKIP(return, "region 0 has a single page");
	pick[0] = 1;
	pick[1] = npages / 2;
	pick[2] = npages - 1;

	ASSERT_MAP(whole, self->fd, 0, self->size, PROT_READ | PROT_WRITE);
	pat_fill(whole, 0, self->pg, seed);
	for (k = 0; k < 3; k++)
		pat_fill(whole + pick[k] * self->pg, pick[k] * self->pg, self->pg, seed);

	for (k = 0; k < 3; k++) {
		off = pick[k] * self->pg;
		len = self->size - off < 2 * self->pg ? self->pg : 2 * self->pg;
		p = xx_mmap(self->fd, off, len, PROT_READ | PROT_WRITE, MAP_SHARED);
		err = errno;
		ASSERT_FALSE(map_failed(p))
			TH_LOG("mmap off 0x%zx: %s", off, strerror(err));
		EXPECT_EQ(-1, pat_check(p, off, self->pg, seed))
			TH_LOG("mapping at offset 0x%zx shows another page", off);
		/* And the other way: write through it, read through the whole. */
		pat_fill(p, off, self->pg, seed2);
		EXPECT_EQ(-1, pat_check(whole + off, off, self->pg, seed2))
			TH_LOG("write at offset 0x%zx landed elsewhere", off);
		EXPECT_EQ(0, munmap(p, len));
		pat_fill(whole + off, off, self->pg, seed);	/* picks may repeat */
	}
	EXPECT_EQ(-1, pat_check(whole, 0, self->pg, seed))
		TH_LOG("page 0 was overwritten through an offset mapping");
	EXPECT_EQ(0, munmap(whole, self->size));
}

/*
 * In a new process that opens and maps region 0 on its own (dropping the
 * inherited mapping @p of @len): write the pattern of @seed over @len, or
 * (!@write) check it there.  Its wait status (exit 10: open, 11: mmap,
 * 12: munmap, 1: data not seen), or -1.
 */
static int pat_in_new_process(void *p, size_t len, bool write, uint32_t seed)
{
	int fd, status;
	pid_t pid;
	void *q;

	pid = fork_flushed();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		munmap(p, len);
		fd = open(xx_dev(), (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			_exit(10);
		q = xx_mmap(fd, 0, len, write ? PROT_READ | PROT_WRITE : PROT_READ,
			    MAP_SHARED);
		if (map_failed(q))
			_exit(11);
		close(fd);
		if (!write)
			_exit(pat_check(q, 0, len, seed) == -1 ? 0 : 1);
		pat_fill(q, 0, len, seed);
		_exit(munmap(q, len) ? 12 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Solaris: processes of one data model share the pages of the cookie. */
TEST_F(umem, two_processes_share_data)
{
	uint32_t seed = new_seed(), seed2 = seed ^ 0xa5a5a5a5U;
	size_t len = self->span;
	int status;
	void *p;

	ASSERT_MAP(p, self->fd, 0, len, PROT_READ | PROT_WRITE);
	pat_fill(p, 0, len, seed2);	/* fault everything in before the child writes */

	status = pat_in_new_process(p, len, true, seed);
	ASSERT_TRUE(exited_ok(status))
		TH_LOG("writer child status 0x%x (exit 10: open, 11: mmap)", status);
	EXPECT_EQ(-1, pat_check(p, 0, len, seed))
		TH_LOG("parent does not see the other process's data");

	/* The other direction: a new process sees what we write now. */
	pat_fill(p, 0, len, seed2);
	status = pat_in_new_process(p, len, false, seed2);
	EXPECT_TRUE(exited_ok(status))
		TH_LOG("reader child status 0x%x (exit 10: open, 11: mmap, 1: data "
		       "not seen)", status);
	EXPECT_EQ(0, munmap(p, len));
}

/* devmap mappings are inherited shared: no copy-on-write after fork. */
TEST_F(umem, fork_child_sees_parent_data)
{
	uint32_t a = new_seed(), b = a ^ 0x11111111U, c = a ^ 0x22222222U;
	size_t len = self->span;
	int c2p[2], p2c[2], status;
	char tok = 'x';
	pid_t pid;
	void *p;

	ASSERT_MAP(p, self->fd, 0, len, PROT_READ | PROT_WRITE);
	pat_fill(p, 0, len, a);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		if (pat_check(p, 0, len, a) != -1)
			_exit(1);	/* parent's data before fork not seen */
		pat_fill(p, 0, len, b);
		if (write(c2p[1], &tok, 1) != 1 || read(p2c[0], &tok, 1) != 1)
			_exit(3);
		if (pat_check(p, 0, len, c) != -1)
			_exit(2);	/* parent's write after fork not seen */
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);
	ASSERT_EQ(1, read(c2p[0], &tok, 1)) TH_LOG("child died early");
	EXPECT_EQ(-1, pat_check(p, 0, len, b)) TH_LOG("child's write not seen by parent");
	pat_fill(p, 0, len, c);
	ASSERT_EQ(1, write(p2c[1], &tok, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status))
		TH_LOG("child status 0x%x (exit 1: pre-fork data, 2: post-fork data)",
		       status);
	close(c2p[0]);
	close(p2c[1]);
	EXPECT_EQ(0, munmap(p, len));
}

/*
 * The Solaris example redirects ILP32 callers to a second copy: a write by the
 * other data model is invisible to us and ours to it, while a process of our
 * model sees ours.
 */
TEST_F(umem, other_model_has_its_own_view)
{
	const char *peer = getenv("XXMEM_PEER");
	const char *me = self_path();
	int our_class = sizeof(void *) == 8 ? 2 : 1;
	uint64_t offs[2];
	uint8_t ours, theirs;
	char out[64];
	unsigned long val;
	uint8_t *p;
	size_t k;
	int status;

	if (!peer || !*peer)
		SKIP(return, "XXMEM_PEER (the other data model's binary) not set");
	ASSERT_NE(our_class, elf_class(peer))
		TH_LOG("XXMEM_PEER=%s is not a binary of the other data model", peer);
	ASSERT_TRUE(me != NULL);

	ASSERT_MAP(p, self->fd, 0, self->size, PROT_READ | PROT_WRITE);

	offs[0] = 0x40 + (uint64_t)getpid() % 256;
	offs[1] = self->size - 1;
	for (k = 0; k < 2; k++) {
		uint64_t off = offs[k];

		ours = (uint8_t)(0x20 + (getpid() + k) % 0x60);
		theirs = (uint8_t)(ours ^ 0x80);
		set_byte(p, off, ours);

		status = run_helper(peer, "--peer-write", off, theirs, out, sizeof(out));
		ASSERT_TRUE(exited_ok(status))
			TH_LOG("%s --peer-write: status 0x%x", peer, status);
		EXPECT_EQ(ours, byte_at(p, off))
			TH_LOG("the other model's write at 0x%" PRIx64 " reached our view",
			       off);

		ours ^= 0x01;
		set_byte(p, off, ours);
		status = run_helper(peer, "--peer-read", off, -1, out, sizeof(out));
		ASSERT_TRUE(exited_ok(status))
			TH_LOG("%s --peer-read: status 0x%x", peer, status);
		val = strtoul(out, NULL, 10);
		EXPECT_EQ((unsigned long)theirs, val)
			TH_LOG("other model read %lu at 0x%" PRIx64 " (ours %u, theirs %u)",
			       val, off, ours, theirs);

		/* Control: a process of our model (this binary) sees our byte. */
		status = run_helper(me, "--peer-read", off, -1, out, sizeof(out));
		ASSERT_TRUE(exited_ok(status))
			TH_LOG("%s --peer-read: status 0x%x", me, status);
		val = strtoul(out, NULL, 10);
		EXPECT_EQ((unsigned long)ours, val)
			TH_LOG("our model read %lu at 0x%" PRIx64 ", want %u", val, off, ours);
	}
	EXPECT_EQ(0, munmap(p, self->size));
}

/* Solaris: a mapping keeps the device open; the fd is not needed any more. */
TEST_F(umem, mapping_outlives_close)
{
	uint32_t seed = new_seed();
	void *p, *q;
	int fd;

	fd = open(xx_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_MAP(p, fd, 0, self->span, PROT_READ | PROT_WRITE);
	ASSERT_EQ(0, close(fd));

	/* A PFN map (2 MiB PMD entries) is first faulted in here. */
	pat_fill(p, 0, self->span, seed);
	/* Drop the translations: they must come back without the fd. */
	if (!is_pfnmap(p))	/* MADV_DONTNEED is EINVAL on PFN maps */
		ASSERT_EQ(0, madvise(p, self->span, MADV_DONTNEED))
			TH_LOG("madvise: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(p, 0, self->span, seed));

	ASSERT_MAP(q, self->fd, 0, self->span, PROT_READ);
	EXPECT_EQ(-1, pat_check(q, 0, self->span, seed));
	EXPECT_EQ(0, munmap(q, self->span));
	EXPECT_EQ(0, munmap(p, self->span));
}

TEST_F(umem, offset_beyond_region_is_enxio)
{
	size_t pg = self->pg;

	/* Control: the last page itself is fine. */
	EXPECT_MAP_ERR(0, self->fd, self->size - pg, pg, PROT_READ, MAP_SHARED);

	EXPECT_MAP_ERR(ENXIO, self->fd, self->size, pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, self->size, pg, PROT_READ | PROT_WRITE,
		       MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, self->size + pg, pg, PROT_READ, MAP_SHARED);
	/* The last page of region 0's offset window, far beyond its size. */
	EXPECT_MAP_ERR(ENXIO, self->fd, XXMEM_REGION_OFFSET(1) - pg, pg, PROT_READ,
		       MAP_SHARED);
}

TEST_F(umem, len_beyond_region_is_enxio)
{
	size_t pg = self->pg;

	/* Control: exactly the whole region is fine. */
	EXPECT_MAP_ERR(0, self->fd, 0, self->size, PROT_READ | PROT_WRITE, MAP_SHARED);

	EXPECT_MAP_ERR(ENXIO, self->fd, 0, self->size + pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, self->size - pg, 2 * pg, PROT_READ, MAP_SHARED);
	if (self->size >= 2 * pg)
		EXPECT_MAP_ERR(ENXIO, self->fd, pg, self->size, PROT_READ | PROT_WRITE,
			       MAP_SHARED);
}

TEST_F(umem, unknown_region_is_enxio)
{
	uint32_t idx[3];
	int n = region_count(self->fd);
	size_t k;

	ASSERT_LT(0, n) TH_LOG("region count: %s", strerror(-n));
	idx[0] = (uint32_t)n;
	idx[1] = 7;
	idx[2] = 15;	/* the highest region a 32-bit mmap offset can name */
	for (k = 0; k < ARRAY_SIZE(idx); k++) {
		if (idx[k] < (uint32_t)n)
			continue;
		EXPECT_MAP_ERR(ENXIO, self->fd, XXMEM_REGION_OFFSET(idx[k]), self->pg,
			       PROT_READ, MAP_SHARED);
	}
}

/* mmap(2) itself: an offset that is not page aligned, or length 0. */
TEST_F(umem, unaligned_offset_is_einval)
{
	EXPECT_MAP_ERR(EINVAL, self->fd, 1, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(EINVAL, self->fd, self->pg / 2, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(EINVAL, self->fd, 0, 0, PROT_READ, MAP_SHARED);
}

/* Solaris: MAP_PRIVATE without a devmap_access callback is EINVAL. */
TEST_F(umem, map_private_is_einval)
{
	EXPECT_MAP_ERR(0, self->fd, 0, self->pg, PROT_READ, MAP_SHARED);

	EXPECT_MAP_ERR(EINVAL, self->fd, 0, self->pg, PROT_READ, MAP_PRIVATE);
	EXPECT_MAP_ERR(EINVAL, self->fd, 0, self->pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE);
}

TEST_F(umem, prot_exec_is_eacces)
{
	if (dev_noexec(xx_dev()))
		SKIP(return, "%s is on a noexec mount: the VFS refuses PROT_EXEC",
		     xx_dev());
	EXPECT_MAP_ERR(0, self->fd, 0, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);

	EXPECT_MAP_ERR(EACCES, self->fd, 0, self->pg, PROT_READ | PROT_EXEC,
		       MAP_SHARED);
	EXPECT_MAP_ERR(EACCES, self->fd, 0, self->pg, PROT_EXEC, MAP_SHARED);
	EXPECT_MAP_ERR(EACCES, self->fd, 0, self->pg,
		       PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED);
}

/* maxprot holds for the life of the mapping, not only at mmap time. */
TEST_F(umem, mprotect_exec_is_eacces)
{
	uint8_t *p;
	int rc, err;

	if (dev_noexec(xx_dev()))
		SKIP(return, "%s is on a noexec mount: the VFS refuses PROT_EXEC",
		     xx_dev());
	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);

	rc = mprotect(p, self->pg, PROT_READ | PROT_EXEC);
	err = errno;
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_READ|PROT_EXEC): %s",
				      rc ? strerror(err) : "succeeded");
	rc = mprotect(p, self->pg, PROT_READ | PROT_WRITE | PROT_EXEC);
	err = errno;
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_RWX): %s",
				      rc ? strerror(err) : "succeeded");
	(void)byte_at(p, 0);	/* still a working mapping */
	EXPECT_EQ(0, munmap(p, self->pg));
}

TEST_F(umem, mprotect_rw_within_maxprot_works)
{
	uint32_t seed = new_seed();
	void *p, *q;

	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);
	ASSERT_EQ(0, mprotect(p, self->pg, PROT_READ | PROT_WRITE))
		TH_LOG("mprotect(PROT_READ|PROT_WRITE): %s", strerror(errno));
	pat_fill(p, 0, self->pg, seed);
	ASSERT_MAP(q, self->fd, 0, self->pg, PROT_READ);
	EXPECT_EQ(-1, pat_check(q, 0, self->pg, seed));
	EXPECT_EQ(0, munmap(q, self->pg));
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* Linux (and Solaris): MAP_SHARED of an fd without write access loses PROT_WRITE. */
TEST_F(umem, rdonly_fd_prot_write_is_eacces)
{
	void *p;
	int fd, rc, err;

	fd = open(xx_dev(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_MAP_ERR(EACCES, fd, 0, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	EXPECT_MAP_ERR(EACCES, fd, 0, self->pg, PROT_WRITE, MAP_SHARED);

	ASSERT_MAP(p, fd, 0, self->pg, PROT_READ);
	rc = mprotect(p, self->pg, PROT_READ | PROT_WRITE);
	err = errno;
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_WRITE): %s",
				      rc ? strerror(err) : "succeeded");
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, close(fd));
}

TEST_F(umem, rdonly_fd_prot_read_works)
{
	uint32_t seed = new_seed(), seed2 = seed ^ 0x33333333U;
	void *w, *r;
	int fd;

	ASSERT_MAP(w, self->fd, 0, self->span, PROT_READ | PROT_WRITE);
	pat_fill(w, 0, self->span, seed);

	fd = open(xx_dev(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_MAP(r, fd, 0, self->span, PROT_READ);
	EXPECT_EQ(-1, pat_check(r, 0, self->span, seed));
	/* Live: a later write through the other mapping shows up. */
	pat_fill(w, 0, self->span, seed2);
	EXPECT_EQ(-1, pat_check(r, 0, self->span, seed2));
	EXPECT_EQ(0, munmap(r, self->span));
	EXPECT_EQ(0, munmap(w, self->span));
	EXPECT_EQ(0, close(fd));
}

/* The mapping is VM_DONTEXPAND: mremap may not grow it (EFAULT). */
TEST_F(umem, mremap_grow_fails)
{
	uint32_t seed = new_seed();
	void *p;

	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ | PROT_WRITE);
	pat_fill(p, 0, self->pg, seed);

	EXPECT_NO_GROW(p, self->pg, MREMAP_MAYMOVE);

	EXPECT_NO_GROW(p, self->pg, 0);

	/* The original mapping is untouched. */
	EXPECT_EQ(-1, pat_check(p, 0, self->pg, seed));
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* Solaris devmap_unmap's "hole" case: both remaining pieces keep working. */
TEST_F(umem, partial_munmap_keeps_rest)
{
	uint32_t seed = new_seed(), seed2 = seed ^ 0x44444444U;
	size_t pg = self->pg;
	uint64_t base = pg;	/* not offset 0, so a wrong split pgoff shows */
	uint8_t *p, *q;
	int status;

	if (self->size < 4 * pg)
		SKIP(return, "region 0 is smaller than 4 pages");
	ASSERT_MAP(p, self->fd, base, 3 * pg, PROT_READ | PROT_WRITE);
	pat_fill(p, base, 3 * pg, seed);
	ASSERT_EQ(0, munmap(p + pg, pg));

	EXPECT_EQ(-1, pat_check(p, base, pg, seed)) TH_LOG("head");
	EXPECT_EQ(-1, pat_check(p + 2 * pg, base + 2 * pg, pg, seed)) TH_LOG("tail");

	/* Refault both pieces through the split mappings. */
	ASSERT_EQ(0, madvise(p, pg, MADV_DONTNEED)) TH_LOG("madvise: %s", strerror(errno));
	ASSERT_EQ(0, madvise(p + 2 * pg, pg, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(p, base, pg, seed)) TH_LOG("head after refault");
	EXPECT_EQ(-1, pat_check(p + 2 * pg, base + 2 * pg, pg, seed))
		TH_LOG("tail after refault");

	/* Writes through the pieces land in the right pages. */
	pat_fill(p, base, pg, seed2);
	pat_fill(p + 2 * pg, base + 2 * pg, pg, seed2);
	ASSERT_MAP(q, self->fd, 0, 4 * pg, PROT_READ);
	EXPECT_EQ(-1, pat_check(q + base, base, pg, seed2));
	EXPECT_EQ(-1, pat_check(q + base + pg, base + pg, pg, seed))
		TH_LOG("the unmapped page's memory changed");
	EXPECT_EQ(-1, pat_check(q + base + 2 * pg, base + 2 * pg, pg, seed2));
	EXPECT_EQ(0, munmap(q, 4 * pg));

	/* The hole is gone. */
	status = touch_in_child(p + pg, false);
	EXPECT_TRUE(killed_by(status, SIGSEGV))
		TH_LOG("touching the hole: status 0x%x, want SIGSEGV", status);

	EXPECT_EQ(0, munmap(p, pg));
	EXPECT_EQ(0, munmap(p + 2 * pg, pg));
}

TEST_F(umem, madv_dontneed_refaults_same_data)
{
	uint32_t seed = new_seed(), seed2 = seed ^ 0x66666666U;
	void *p, *q;

	ASSERT_MAP(p, self->fd, 0, self->span, PROT_READ | PROT_WRITE);
	pat_fill(p, 0, self->span, seed);
	if (is_pfnmap(p)) {	/* 2 MiB PMD entries: a PFN map (README) */
		EXPECT_EQ(-1, madvise(p, self->span, MADV_DONTNEED));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, munmap(p, self->span));
		return;
	}
	ASSERT_EQ(0, madvise(p, self->span, MADV_DONTNEED))
		TH_LOG("madvise(MADV_DONTNEED): %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(p, 0, self->span, seed))
		TH_LOG("data lost or wrong page after MADV_DONTNEED");

	/* The refaulted translations still reach the shared memory. */
	pat_fill(p, 0, self->span, seed2);
	ASSERT_MAP(q, self->fd, 0, self->span, PROT_READ);
	EXPECT_EQ(-1, pat_check(q, 0, self->span, seed2));
	EXPECT_EQ(0, munmap(q, self->span));
	EXPECT_EQ(0, munmap(p, self->span));
}

/*
 * 4 MiB of region 0 at an address the node chooses.  Where xxddi maps
 * 2 MiB blocks with PMD entries (huge_pfnmap=Y: Linux 6.12) the address is
 * 2 MiB aligned, the mapping is a PFN map and touching every page costs at
 * most a fault per 2 MiB; elsewhere it is a page mapping populated by
 * mmap(2): no fault at all.  Either way the data is the region's: seen
 * through a second mapping at an address that is not 2 MiB aligned (page
 * entries), after a page in the middle of a 2 MiB block is unmapped (the
 * PMD entry is split), in a fork child and after mremap moves a block.
 */
TEST_F(umem, large_mapping_uses_pmd_entries)
{
	const size_t mib2 = 2UL << 20, len = 2 * mib2;
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	uint8_t *p, *q, *r, *r2, *m;
	long faults;
	int status;
	pid_t pid;

	if (self->size < len)
		SKIP(return, "region 0 is smaller than 4 MiB (umem_size)");
	p = xx_mmap(self->fd, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(errno));
	/* 32-bit processes get no 2 MiB placement, but may be lucky */
	if (sizeof(long) == 8 || (uintptr_t)p % mib2 == 0)
		EXPECT_EQ(huge_pfnmap("xxmem"), is_pfnmap(p))
			TH_LOG("VmFlags:%s", vm_flags_at(p));
	faults = minor_faults();
	pat_fill(p, 0, len, seed);
	faults = minor_faults() - faults;
	if (!is_pfnmap(p)) {
		EXPECT_EQ(0, faults) TH_LOG("a page mapping is populated by mmap");
	} else {
		EXPECT_EQ(0UL, (uintptr_t)p % mib2) TH_LOG("address %p", p);
		if (thp_enabled())
			EXPECT_GE(2 * (long)(len / mib2), faults)
				TH_LOG("%ld faults to touch 4 MiB", faults);
	}

	/* Page entries: a mapping at an address 1 page past 2 MiB alignment. */
	r = mmap(NULL, len + 2 * mib2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_FALSE(map_failed(r));
	q = (uint8_t *)(((uintptr_t)r + mib2 - 1) / mib2 * mib2) + pg;
	q = mmap(q, len, PROT_READ, MAP_SHARED | MAP_FIXED, self->fd,
		 (off_t)XXMEM_REGION_OFFSET(0));
	ASSERT_FALSE(map_failed(q)) TH_LOG("mmap at %p: %s", q, strerror(errno));
	EXPECT_EQ(-1, pat_check(q, 0, len, seed));

	/* Split the first 2 MiB block's entry: the rest still maps right. */
	ASSERT_EQ(0, munmap(p + 3 * pg, pg));
	EXPECT_EQ(-1, pat_check(p, 0, 3 * pg, seed));
	EXPECT_EQ(-1, pat_check(p + 4 * pg, 4 * pg, len - 4 * pg, seed));
	set_byte(p + 5 * pg, 0, (uint8_t)~byte_at(p + 5 * pg, 0));
	EXPECT_EQ(byte_at(p + 5 * pg, 0), byte_at(q + 5 * pg, 0));
	set_byte(p + 5 * pg, 0, (uint8_t)~byte_at(p + 5 * pg, 0));

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(pat_check(p + mib2, mib2, mib2, seed) == -1 ? 0 : 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status)) TH_LOG("fork child: status 0x%x", status);

	/* Move the second 2 MiB block to another 2 MiB-aligned address. */
	r2 = mmap(NULL, 2 * mib2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(r2));
	m = (uint8_t *)(((uintptr_t)r2 + mib2 - 1) / mib2 * mib2);
	m = mremap(p + mib2, mib2, mib2, MREMAP_MAYMOVE | MREMAP_FIXED, m);
	ASSERT_FALSE(map_failed(m)) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(m, mib2, mib2, seed));

	EXPECT_EQ(0, munmap(p, 3 * pg));
	EXPECT_EQ(0, munmap(p + 4 * pg, mib2 - 4 * pg));
	EXPECT_EQ(0, munmap(r2, 2 * mib2));	/* with the moved block */
	EXPECT_EQ(0, munmap(r, len + 2 * mib2));
}

TEST_F_SIGNAL(umem, munmap_then_access_is_sigsegv, SIGSEGV)
{
	uint8_t *p;

	no_core_dumps();
	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ | PROT_WRITE);
	set_byte(p, 0, 0x5a);
	ASSERT_EQ(0x5a, byte_at(p, 0));
	ASSERT_EQ(0, munmap(p, self->pg));
	(void)byte_at(p, 0);
	TH_LOG("read after munmap did not fault");
}

TEST_F_SIGNAL(umem, write_to_read_only_mapping_is_sigsegv, SIGSEGV)
{
	uint8_t *p;

	no_core_dumps();
	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);
	set_byte(p, 0, (uint8_t)(byte_at(p, 0) + 1));
	TH_LOG("write to a PROT_READ mapping did not fault");
}

TEST_F(umem, unknown_ioctl_is_enotty)
{
	static const unsigned long cmds[] = {
		_IO(XXMEM_IOC_MAGIC, 0),
		_IOR(XXMEM_IOC_MAGIC, 0xfe, __u32),
		_IOWR('y', 1, struct xxmem_region_info),	/* other magic */
		_IOR(XXMEM_IOC_MAGIC, 2, __u64),		/* GET_MODEL, wrong size */
		_IOW(XXMEM_IOC_MAGIC, 1, struct xxmem_region_info), /* wrong dir */
	};
	__u64 buf[8];
	size_t k;
	int rc, err;

	for (k = 0; k < ARRAY_SIZE(cmds); k++) {
		memset(buf, 0, sizeof(buf));
		rc = ioctl(self->fd, cmds[k], buf);
		err = errno;
		EXPECT_EQ(-1, rc) TH_LOG("ioctl 0x%lx succeeded", cmds[k]);
		EXPECT_EQ(ENOTTY, err)
			TH_LOG("ioctl 0x%lx: %s", cmds[k], strerror(err));
	}
}

TEST_F(umem, ioctl_bad_pointer_is_efault)
{
	static const unsigned long cmds[] = {
		XXMEM_IOC_REGION_INFO, XXMEM_IOC_GET_MODEL,
	};
	void *ptrs[5];
	const char *what[5] = {
		"NULL", "(void *)1", "unmapped page", "read-only page",
		"struct crossing into an unmapped page",
	};
	uint8_t *ro, *gone, *two;
	size_t k, j;
	int rc, err;

	ro = mmap(NULL, self->pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(ro));
	gone = mmap(NULL, self->pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(gone));
	ASSERT_EQ(0, munmap(gone, self->pg));
	two = mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(two));
	ASSERT_EQ(0, munmap(two + self->pg, self->pg));

	ptrs[0] = NULL;
	ptrs[1] = (void *)1;
	ptrs[2] = gone;
	ptrs[3] = ro;
	ptrs[4] = two + self->pg - 2;	/* 2 bytes mapped, the rest not */

	for (k = 0; k < ARRAY_SIZE(cmds); k++) {
		for (j = 0; j < ARRAY_SIZE(ptrs); j++) {
			rc = ioctl(self->fd, cmds[k], ptrs[j]);
			err = errno;
			EXPECT_EQ(-1, rc)
				TH_LOG("ioctl 0x%lx on %s succeeded", cmds[k], what[j]);
			EXPECT_EQ(EFAULT, err)
				TH_LOG("ioctl 0x%lx on %s: %s", cmds[k], what[j],
				       strerror(err));
		}
	}
	/* The fd is still fine. */
	{
		__u32 model = 0;

		EXPECT_EQ(0, ioctl(self->fd, XXMEM_IOC_GET_MODEL, &model));
	}
	munmap(ro, self->pg);
	munmap(two, self->pg);
}

/* ---- helper modes ---------------------------------------------------- */

static void helper_die(const char *what)
{
	fprintf(stderr, "# xxmem_test %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Map the page of region 0 holding off; return a pointer to that byte. */
static volatile uint8_t *helper_map_byte(const char *mode, uint64_t off, int oflags)
{
	struct xxmem_region_info ri;
	size_t pg = page_size();
	int prot = oflags == O_RDWR ? PROT_READ | PROT_WRITE : PROT_READ;
	uint8_t *p;
	int fd;

	fd = open(xx_dev(), oflags | O_CLOEXEC);
	if (fd < 0)
		helper_die(mode);
	if (region_info(fd, 0, &ri))
		helper_die(mode);
	if (off >= ri.size) {
		fprintf(stderr, "# xxmem_test %s: offset 0x%" PRIx64
			" beyond region 0 (size 0x%" PRIx64 ")\n",
			mode, off, (uint64_t)ri.size);
		exit(1);
	}
	p = xx_mmap(fd, off / pg * pg, pg, prot, MAP_SHARED);
	if (map_failed(p))
		helper_die(mode);
	close(fd);
	return (volatile uint8_t *)p + off % pg;
}

static int helper_usage(void)
{
	fprintf(stderr,
		"usage: xxmem_test [harness options]\n"
		"       xxmem_test --peer-write OFF BYTE\n"
		"       xxmem_test --peer-read OFF\n"
		"       xxmem_test --hold READYFILE\n"
		"       xxmem_test --region-size [INDEX]\n");
	return 2;
}

static int helper_main(int argc, char **argv)
{
	const char *mode = argv[1];
	uint64_t off, v;

	if (!strcmp(mode, "--peer-write")) {
		if (argc != 4 || !parse_u64(argv[2], &off) ||
		    !parse_u64(argv[3], &v) || v > 255)
			return helper_usage();
		*helper_map_byte(mode, off, O_RDWR) = (uint8_t)v;
		return 0;
	}
	if (!strcmp(mode, "--peer-read")) {
		if (argc != 3 || !parse_u64(argv[2], &off))
			return helper_usage();
		printf("%u\n", *helper_map_byte(mode, off, O_RDONLY));
		return fflush(stdout) ? 1 : 0;
	}
	if (!strcmp(mode, "--hold")) {
		volatile uint8_t *p;
		size_t i, pg = page_size();
		int fd;

		if (argc != 3)
			return helper_usage();
		/* Only the mapping holds the device: helper_map_byte closes the fd. */
		p = helper_map_byte(mode, 0, O_RDWR);
		for (i = 0; i < pg; i++)
			p[i] = (uint8_t)(i ^ 0xa5);
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			helper_die(argv[2]);
		close(fd);
		for (;;)
			pause();
	}
	if (!strcmp(mode, "--region-size")) {
		struct xxmem_region_info ri;
		int fd;

		v = 0;
		if (argc > 3 || (argc == 3 && (!parse_u64(argv[2], &v) ||
					       v > UINT32_MAX)))
			return helper_usage();
		fd = open(xx_dev(), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			helper_die(mode);
		if (region_info(fd, (uint32_t)v, &ri))
			helper_die(mode);
		printf("%" PRIu64 "\n", (uint64_t)ri.size);
		return fflush(stdout) ? 1 : 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int rc;

	xx_argv0 = argv[0];
	rc = helper_mode(argc, argv, "--", helper_main);
	return rc >= 0 ? rc : test_harness_run(argc, argv);
}
