// SPDX-License-Identifier: GPL-2.0
/*
 * hermon_test - the hermon-style test driver (selftests/drivers/xxhermon)
 * end to end, with two processes:
 *
 *   umem   /dev/xxhermon: user memory one process locked with
 *          umem_lockmemory() (XXH_IOC_LOCK) mapped by another through
 *          devmap_umem_setup(); the cleanup callback when the locking
 *          process unmaps the memory or exits; RLIMIT_MEMLOCK accounting
 *          (VmPin); devmap_umem_setup()'s IOMEM_DATA_* caching, checked in
 *          the page table entry
 *   uar    /dev/xxhermonN (a PCI function bound to xxhermon, QEMU edu):
 *          the UAR page, register set 1, read through the mapping; a fork
 *          child's copy is revoked in devmap_dup (SIGBUS)
 *
 * hermon_test --hold-locked is a helper for hermon_test.sh (see
 * hold_locked()).
 *
 * Env: XXHERMON_DEV (default /dev/xxhermon), XXHERMON_UAR (the PCI node;
 * default: the first /dev/xxhermonN), XXHERMON_UAR_ID (the 32-bit word at
 * offset 0 of the UAR page, default edu's 0x010000ed).  Tests skip without
 * their node.  The ioctl structures have one layout for both data models,
 * so the 32-bit build checks the ILP32 ioctl path with the same tests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm_util.h"
#include "drivers/xxhermon.h"

/* The harness itself is not -Wextra clean (an unused signal handler argument). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define XXH_DEV_DEFAULT		"/dev/xxhermon"
#define XXH_STATS		"/sys/kernel/debug/xxhermon/ddi_stats"

static int xxh_lock(int fd, void *p, size_t len)
{
	struct xxh_lock lk = {
		.addr = (uintptr_t)p,
		.len = len,
		.flags = DDI_UMEMLOCK_READ | DDI_UMEMLOCK_WRITE,
	};

	return ioctl(fd, XXH_IOC_LOCK, &lk) ? errno : 0;
}

static struct xxh_status xxh_status(int fd)
{
	struct xxh_status st;

	memset(&st, 0xff, sizeof(st));
	if (ioctl(fd, XXH_IOC_STATUS, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* Wait (up to 5 s) until the driver has seen @n cleanup callbacks. */
static bool wait_cleanups(int fd, uint32_t n)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (xxh_status(fd).cleanups == n)
			return true;
		usleep(10000);
	}
	return false;
}

/* A "NAME value" line of a file (ddi_stats, /proc/self/status), or -1. */
static long file_value(const char *path, const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && (line[n] == ' ' || line[n] == '\t'))
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The caller's pinned memory in kB (VmPin of /proc/self/status). */
static long vm_pin_kb(void)
{
	return file_value("/proc/self/status", "VmPin:");
}

static long live_cookies(void)
{
	return file_value(XXH_STATS, "umem_cookies");
}

/*
 * Wait (up to 2 s) until @get returns @want: the pins go when the cleanup
 * work drops its reference, just after the driver's callback.  The last
 * value read.
 */
static long settle(long (*get)(void), long want)
{
	long v = get();
	int i;

	for (i = 0; i < 200 && v != want; i++) {
		usleep(10000);
		v = get();
	}
	return v;
}

/* A shared read-write mapping of @len bytes of @fd at @off. */
static void *map_dev(int fd, uint64_t off, size_t len)
{
	return xx_mmap(fd, off, len, PROT_READ | PROT_WRITE, MAP_SHARED);
}

/* mmap's errno for a shared read-write mapping; 0 if it maps. */
static int map_dev_errno(int fd, uint64_t off, size_t len)
{
	return map_errno(fd, off, len, PROT_READ | PROT_WRITE, MAP_SHARED);
}

/* Send or receive one byte on a pipe; false on a short transfer. */
static bool put_byte(int fd, char c)
{
	return write(fd, &c, 1) == 1;
}

static char get_byte(int fd)
{
	char c = 0;

	return read(fd, &c, 1) == 1 ? c : 0;
}

/* ---- locked user memory ---- */

/* A test body's first statement: skip when its fixture found no node. */
#define NEED_NODE() do {						\
	if (self->fd < 0)						\
		SKIP(return, "no node");				\
} while (0)

FIXTURE(umem) {
	int fd;
	size_t pg;
	bool no_callbacks;	/* the kernel has no MMU notifiers */
};

/*
 * A test body's first statement when it locks memory: umem_lockmemory
 * with a cleanup callback needs MMU notifiers (EOPNOTSUPP without them,
 * as in the sanitizer lane's minimal debug kernel).
 */
#define NEED_LOCKS() do {						\
	NEED_NODE();							\
	if (self->no_callbacks)						\
		SKIP(return, "no CONFIG_MMU_NOTIFIER in this kernel: "	\
		     "umem_lockmemory takes no cleanup callback");	\
} while (0)

/* @len bytes of the process' own memory, each byte @fill; NULL on failure. */
static uint8_t *user_pages(size_t len, int fill)
{
	uint8_t *q = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (q == MAP_FAILED)
		return NULL;
	memset(q, fill, len);
	return q;
}

/* Can the driver lock memory here?  (Locks and unlocks one page.) */
static bool callbacks_missing(int fd, size_t pg)
{
	uint8_t *p = user_pages(pg, 0);
	int err;

	if (!p)
		return false;
	err = xxh_lock(fd, p, pg);
	if (!err)
		ioctl(fd, XXH_IOC_UNLOCK);
	munmap(p, pg);
	return err == EOPNOTSUPP;
}

FIXTURE_SETUP(umem)
{
	const char *dev = env_or("XXHERMON_DEV", XXH_DEV_DEFAULT);

	self->pg = (size_t)sysconf(_SC_PAGESIZE);
	self->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		SKIP(return, "%s: %s", dev, strerror(errno));
	ASSERT_EQ(0U, xxh_status(self->fd).locked)
		TH_LOG("a region is locked from an earlier test");
	self->no_callbacks = callbacks_missing(self->fd, self->pg);
}

FIXTURE_TEARDOWN(umem)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The child of locked_memory_shared_with_second_process: locks len bytes of
 * its memory ('C') through fd, answers the parent's steps on the pipes
 * (rfd, wfd) and exits when told.  Its exit status: 0, or 10-12 for the
 * step that failed.
 */
static int locking_child(int fd, size_t pg, size_t len, int rfd, int wfd)
{
	uint8_t *q = user_pages(len, 'C');
	int err;

	if (!q)
		return 10;
	err = xxh_lock(fd, q, len);
	put_byte(wfd, err ? 'E' : 'L');
	if (err)
		return 11;
	/* the parent wrote 'P' at page 1 through its mapping */
	if (get_byte(rfd) != 'w')
		return 12;
	put_byte(wfd, q[pg] == 'P' ? 'y' : 'n');
	q[0] = 'D';	/* for the parent to see */
	put_byte(wfd, 'd');
	get_byte(rfd);	/* exit when told */
	return 0;
}

/*
 * A child locks its memory; the parent maps it through the driver; each
 * sees the other's writes.  The child exits: the cleanup callback unlocks
 * the region, new mappings fail, the parent's mapping keeps the pages and
 * their last contents until it unmaps them.
 */
TEST_F(umem, locked_memory_shared_with_second_process)
{
	NEED_LOCKS();
	size_t len = 2 * self->pg;
	struct xxh_status st0 = xxh_status(self->fd);
	uint32_t before = st0.cleanups;
	int to_child[2], to_parent[2], status;
	long cookies;
	uint8_t *p;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	cookies = live_cookies();
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(locking_child(self->fd, self->pg, len, to_child[0],
				    to_parent[1]));
	ASSERT_EQ('L', get_byte(to_parent[0])) TH_LOG("the child's lock failed");
	EXPECT_EQ(1U, xxh_status(self->fd).locked);

	p = map_dev(self->fd, XXH_UMEM_OFF, len);
	ASSERT_TRUE((void *)p != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ('C', p[0]);
	EXPECT_EQ('C', p[len - 1]);
	p[self->pg] = 'P';
	ASSERT_TRUE(put_byte(to_child[1], 'w'));
	EXPECT_EQ('y', get_byte(to_parent[0]))
		TH_LOG("the child did not see the parent's write");
	ASSERT_EQ('d', get_byte(to_parent[0]));
	EXPECT_EQ('D', p[0]) TH_LOG("the parent did not see the child's write");
	if (cookies >= 0)
		EXPECT_EQ(cookies + 1, live_cookies());

	/* the locking process exits: cleanup callback, the driver unlocks */
	ASSERT_TRUE(put_byte(to_child[1], 'x'));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status)) TH_LOG("child status 0x%x", status);
	ASSERT_TRUE(wait_cleanups(self->fd, before + 1))
		TH_LOG("no cleanup callback");
	EXPECT_EQ(st0.cleanup_unlocks + 1,
		  xxh_status(self->fd).cleanup_unlocks);
	EXPECT_EQ(0U, xxh_status(self->fd).locked);
	EXPECT_EQ(ENXIO, map_dev_errno(self->fd, XXH_UMEM_OFF, len));

	/* the mapping still holds the pages, with their last contents */
	EXPECT_EQ('D', p[0]);
	EXPECT_EQ('P', p[self->pg]);
	p[0] = 'Q';
	EXPECT_EQ('Q', p[0]);
	if (cookies >= 0)
		EXPECT_EQ(cookies + 1, live_cookies());
	ASSERT_EQ(0, munmap(p, len));
	if (cookies >= 0)
		EXPECT_EQ(cookies, settle(live_cookies, cookies))
			TH_LOG("pages still pinned");
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* len bytes of this process' memory (filled with fill), locked through fd */
static uint8_t *locked_pages(struct __test_metadata *_metadata, int fd,
			     size_t len, int fill)
{
	uint8_t *q = user_pages(len, fill);

	ASSERT_TRUE(q != NULL);
	ASSERT_EQ(0, xxh_lock(fd, q, len));
	return q;
}

/* munmap(2) of the locked range: callback, the pins and VmPin go. */
TEST_F(umem, munmap_of_locked_range_calls_cleanup)
{
	NEED_LOCKS();
	size_t len = 4 * self->pg;
	uint32_t before = xxh_status(self->fd).cleanups;
	long pin0 = vm_pin_kb();
	uint8_t *q;

	q = locked_pages(_metadata, self->fd, len, 1);
	if (pin0 >= 0)
		EXPECT_EQ(pin0 + (long)(len / 1024), vm_pin_kb());
	/* unmapping one page of it is enough, as on illumos */
	ASSERT_EQ(0, munmap(q + self->pg, self->pg));
	ASSERT_TRUE(wait_cleanups(self->fd, before + 1));
	EXPECT_EQ(0U, xxh_status(self->fd).locked);
	if (pin0 >= 0)
		EXPECT_EQ(pin0, settle(vm_pin_kb, pin0))
			TH_LOG("pins left after cleanup");
	munmap(q, len);
	usleep(100000);
	EXPECT_EQ(before + 1U, xxh_status(self->fd).cleanups)
		TH_LOG("the callback came more than once");
}

/* ddi_umem_unlock() first: no callback at the later munmap(2). */
TEST_F(umem, unlock_before_munmap_no_callback)
{
	NEED_LOCKS();
	size_t len = 2 * self->pg;
	uint32_t before = xxh_status(self->fd).cleanups;
	long pin0 = vm_pin_kb();
	uint8_t *q;

	q = locked_pages(_metadata, self->fd, len, 2);
	ASSERT_EQ(0, ioctl(self->fd, XXH_IOC_UNLOCK));
	if (pin0 >= 0)
		EXPECT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, munmap(q, len));
	usleep(100000);
	EXPECT_EQ(before, xxh_status(self->fd).cleanups);
	EXPECT_EQ(-1, ioctl(self->fd, XXH_IOC_UNLOCK));
	EXPECT_EQ(ENXIO, errno);
}

/* Bad requests: a clear errno and nothing locked. */
TEST_F(umem, bad_lock_requests)
{
	NEED_LOCKS();
	size_t len = 2 * self->pg;
	uint8_t *q;

	q = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE((void *)q != MAP_FAILED);
	EXPECT_EQ(EINVAL, xxh_lock(self->fd, q + 1, self->pg));
	EXPECT_EQ(EINVAL, xxh_lock(self->fd, q, 0));
	ASSERT_EQ(0, munmap(q + self->pg, self->pg));
	EXPECT_EQ(EFAULT, xxh_lock(self->fd, q, len));
	EXPECT_EQ(0U, xxh_status(self->fd).locked);
	ASSERT_EQ(0, xxh_lock(self->fd, q, self->pg));
	EXPECT_EQ(EBUSY, xxh_lock(self->fd, q, self->pg));
	/* locked memory cannot be mapped uncached */
	EXPECT_EQ(ENXIO, map_dev_errno(self->fd, XXH_UMEM_UC_OFF, self->pg));
	EXPECT_EQ(0, ioctl(self->fd, XXH_IOC_UNLOCK));
	munmap(q, self->pg);
}

/* The caching bits of the page table entry at @p, or 0 with a log. */
static uint32_t pte_cache(int fd, void *p)
{
	struct xxh_pte pte = { .addr = (uintptr_t)p };

	if (ioctl(fd, XXH_IOC_PTE, &pte))
		return 0;
	return pte.cache;
}

/* IOMEM_DATA_*: one attribute each, the user mapping's caching. */
TEST_F(umem, iomem_data_caching_of_kernel_memory)
{
	NEED_NODE();
	static const struct {
		uint64_t off;
		uint32_t want;
		const char *name;
	} win[] = {
		{ XXH_CACHED_OFF, XXH_PTE_WB, "IOMEM_DATA_CACHED" },
		{ XXH_UNCACHED_OFF, XXH_PTE_UC, "IOMEM_DATA_UNCACHED" },
		{ XXH_WC_OFF, XXH_PTE_WC, "IOMEM_DATA_UC_WR_COMBINE" },
	};
	volatile uint8_t *p[3];
	struct xxh_pte probe = { 0 };
	uint32_t cache;
	bool pte_ok;
	size_t i;

	probe.addr = (uintptr_t)&probe;
	pte_ok = ioctl(self->fd, XXH_IOC_PTE, &probe) == 0 || errno != ENOTTY;
	for (i = 0; i < 3; i++) {
		p[i] = map_dev(self->fd, win[i].off, self->pg);
		ASSERT_TRUE((void *)p[i] != MAP_FAILED)
			TH_LOG("%s: %s", win[i].name, strerror(errno));
		EXPECT_EQ(XXH_KMEM_FILL, p[i][0]) TH_LOG("%s", win[i].name);
		EXPECT_FALSE(is_pfnmap((void *)p[i])) TH_LOG("%s", win[i].name);
		if (!pte_ok)
			continue;
		cache = pte_cache(self->fd, (void *)p[i]);
		EXPECT_TRUE((cache & win[i].want) != 0)
			TH_LOG("%s: pte caching 0x%x", win[i].name, cache);
		if (i)
			EXPECT_TRUE((cache & XXH_PTE_WB) == 0)
				TH_LOG("%s is write-back", win[i].name);
	}
	/* one memory behind all three */
	p[1][1] = 0x11;
	p[2][2] = 0x22;
	EXPECT_EQ(0x11, p[0][1]);
	EXPECT_EQ(0x22, p[0][2]);
	p[0][1] = XXH_KMEM_FILL;
	p[0][2] = XXH_KMEM_FILL;
	/* at most one caching attribute */
	EXPECT_EQ(ENXIO, map_dev_errno(self->fd, XXH_BOTH_OFF, self->pg));
	for (i = 0; i < 3; i++)
		munmap((void *)p[i], self->pg);
}

/* ---- the UAR page of a PCI instance ---- */

FIXTURE(uar) {
	int fd;
	size_t pg;
	uint32_t id;
};

/* The first /dev/xxhermonN, N >= 1, into @buf; false if none. */
static bool find_uar_node(char *buf, size_t len)
{
	struct dirent *e;
	bool found = false;
	DIR *d = opendir("/dev");

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		if (!strncmp(e->d_name, "xxhermon", 8) && e->d_name[8] >= '1' &&
		    e->d_name[8] <= '9') {
			snprintf(buf, len, "/dev/%s", e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

FIXTURE_SETUP(uar)
{
	char node[300];
	const char *dev = getenv("XXHERMON_UAR");

	self->pg = (size_t)sysconf(_SC_PAGESIZE);
	self->id = (uint32_t)strtoul(env_or("XXHERMON_UAR_ID", "0x010000ed"),
				     NULL, 0);
	if (!dev || !*dev) {
		if (!find_uar_node(node, sizeof(node))) {
			self->fd = -1;
			SKIP(return, "no PCI function bound to xxhermon");
		}
		dev = node;
	}
	self->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		SKIP(return, "%s: %s", dev, strerror(errno));
}

FIXTURE_TEARDOWN(uar)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The UAR page is the device's register set 1: its first word reads. */
TEST_F(uar, uar_page_is_register_set_1)
{
	NEED_NODE();
	volatile uint32_t *p = map_dev(self->fd, 0, self->pg);

	ASSERT_TRUE((void *)p != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_TRUE(is_pfnmap((void *)p));
	EXPECT_EQ(self->id, p[0]);
	munmap((void *)p, self->pg);
	/* one page at offset 0, nothing else */
	EXPECT_EQ(ENXIO, map_dev_errno(self->fd, self->pg, self->pg));
	EXPECT_EQ(ENXIO, map_dev_errno(self->fd, 0, 2 * self->pg));
}

/* devmap_dup revokes the child's UAR page: SIGBUS; the parent keeps it. */
TEST_F(uar, fork_child_loses_uar_page)
{
	NEED_NODE();
	volatile uint32_t *p = map_dev(self->fd, 0, self->pg);
	int status;

	ASSERT_TRUE((void *)p != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(self->id, p[0]);
	status = touch_in_child((void *)p, false);
	EXPECT_TRUE(killed_by(status, SIGBUS))
		TH_LOG("child status 0x%x, want SIGBUS", status);
	EXPECT_EQ(self->id, p[0]) TH_LOG("the parent lost its UAR page");
	munmap((void *)p, self->pg);
}

/*
 * hermon_test --hold-locked: lock 4 pages through the driver, close the
 * node (the region stays locked: the driver holds it), print "locked" and
 * wait for a line on stdin - meanwhile the driver is unloaded, which must
 * unlock the region -, then exit 0 if nothing is pinned any more (VmPin),
 * 1 if something is, 2 if the lock failed.  The exit that follows must not
 * call a cleanup callback into the unloaded driver.
 */
static int hold_locked(void)
{
	const char *dev = env_or("XXHERMON_DEV", XXH_DEV_DEFAULT);
	size_t len = 4 * (size_t)sysconf(_SC_PAGESIZE);
	char line[16];
	uint8_t *q;
	long pin;
	int fd;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	q = user_pages(len, 3);
	if (fd < 0 || !q)
		return 2;
	switch (xxh_lock(fd, q, len)) {
	case 0:
		break;
	case EOPNOTSUPP:	/* no MMU notifiers: no cleanup callback */
		printf("no-callbacks\n");
		return 3;
	default:
		return 2;
	}
	close(fd);
	printf("locked VmPin=%ld\n", vm_pin_kb());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 2;
	pin = settle(vm_pin_kb, 0);
	printf("after unload VmPin=%ld\n", pin);
	return pin == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--hold-locked"))
		return hold_locked();
	return test_harness_run(argc, argv);
}
