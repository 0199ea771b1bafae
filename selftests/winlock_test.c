// SPDX-License-Identifier: GPL-2.0
/*
 * winlock_test - winlock(4D)-style locks of the selftest driver xxwinlock
 * (selftests/drivers/xxwinlock_drv.c), between real processes.
 *
 * Each process maps a lock twice, its lock page and its unlock page, and
 * acquires with a store of 1 to the first, releases with a store of 0 to
 * the second.  The driver hands the lock over at fault time with
 * devmap_unload(9F) of the old owner's handles and devmap_load(9F) of the
 * new owner's: the tests count the driver's devmap_access(9E) calls to see
 * which stores faulted, and check who owns the lock and what the lock word
 * holds.  Needs /dev/xxwinlock (insmod xxwinlock.ko); skips without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the harness has unused parameters; the programs build with -Wextra */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "drivers/xxwinlock.h"

#define WL_DEV		"/dev/xxwinlock"

/* One process' view of one lock. */
struct wl {
	int fd;
	uint32_t ident;
	volatile int *lock;	/* store 1: acquire */
	volatile int *unlock;	/* store 0: release */
};

/* Open the device, allocate the lock for @key and map its two pages. */
static int wl_open(struct wl *w, uint32_t key)
{
	struct xxwl_alloc a = { .key = key };
	void *p, *q;

	w->fd = open(WL_DEV, O_RDWR | O_CLOEXEC);
	if (w->fd < 0)
		return -1;
	if (ioctl(w->fd, XXWL_IOC_ALLOC, &a))
		return -1;
	w->ident = a.ident;
	p = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED,
		 w->fd, a.ident);
	q = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED,
		 w->fd, a.ident);
	if (p == MAP_FAILED || q == MAP_FAILED)
		return -1;
	w->lock = p;
	w->unlock = q;
	return 0;
}

static void wl_close(struct wl *w)
{
	munmap((void *)w->lock, getpagesize());
	munmap((void *)w->unlock, getpagesize());
	ioctl(w->fd, XXWL_IOC_FREE, &w->ident);
	close(w->fd);
}

static struct xxwl_info wl_info(struct wl *w)
{
	struct xxwl_info i = { .ident = w->ident };

	if (ioctl(w->fd, XXWL_IOC_INFO, &i))
		i.owner = -errno;
	return i;
}

/* Wait (up to 20 s) until @n processes sleep on the lock. */
static int wl_wait_sleepers(struct wl *w, uint32_t n)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (wl_info(w).sleepers == n)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* A child that opens the lock for @key, acquires it, reports, releases. */
static pid_t wl_contender(uint32_t key, int report)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct wl w;
		char c = 'x';

		if (wl_open(&w, key))
			_exit(2);
		*w.lock = 1;		/* sleeps in the fault while held */
		if (write(report, &c, 1) != 1)
			_exit(3);
		*w.unlock = 0;
		wl_close(&w);
		_exit(0);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

FIXTURE(winlock) {
	struct wl w;
	struct xxwl_info base;
};

/* No timeout, whatever an earlier run left; counters relative to @base. */
FIXTURE_SETUP(winlock)
{
	struct xxwl_timeout t = { .msec = 0 };

	if (access(WL_DEV, F_OK))
		SKIP(return, WL_DEV " missing (insmod xxwinlock.ko)");
	ASSERT_EQ(0, wl_open(&self->w, 0x5eed)) TH_LOG("%s", strerror(errno));
	t.ident = self->w.ident;
	ASSERT_EQ(0, ioctl(self->w.fd, XXWL_IOC_TIMEOUT, &t));
	self->base = wl_info(&self->w);
}

/* Older harnesses run the test after a SKIP in the setup: skip it again. */
#define WL_NEED_DEVICE(self)						\
	do {								\
		if ((self)->w.fd <= 0)					\
			SKIP(return, WL_DEV " missing (insmod xxwinlock.ko)"); \
	} while (0)

FIXTURE_TEARDOWN(winlock)
{
	if (self->w.fd > 0)
		wl_close(&self->w);
}

/* The owner's acquire and release are plain stores after the first fault. */
TEST_F(winlock, uncontended_stores_do_not_fault)
{
	struct xxwl_info i;
	int n;

	WL_NEED_DEVICE(self);
	*self->w.lock = 1;
	i = wl_info(&self->w);
	EXPECT_EQ(getpid(), i.owner);
	*self->w.unlock = 0;
	for (n = 0; n < 1000; n++) {
		*self->w.lock = 1;
		ASSERT_EQ(1, *self->w.unlock);	/* one page, two views */
		*self->w.unlock = 0;
	}
	EXPECT_EQ(0, *self->w.lock);
	EXPECT_EQ(i.faults, wl_info(&self->w).faults);
}

/*
 * Another process takes a free lock: the owner's translations go (its next
 * store faults), the new owner's stay (its own cycles do not fault) - and
 * back again.
 */
TEST_F(winlock, handover_unloads_the_owner_only)
{
	struct xxwl_info before, after;
	int p[2], q[2];
	pid_t pid;
	char c;

	WL_NEED_DEVICE(self);
	*self->w.lock = 1;
	*self->w.unlock = 0;
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	before = wl_info(&self->w);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct xxwl_info i;
		struct wl w;
		int n;

		if (wl_open(&w, 0x5eed) || w.ident != self->w.ident)
			_exit(2);
		*w.lock = 1;		/* faults: the parent's pages go */
		*w.unlock = 0;
		i = wl_info(&w);
		for (n = 0; n < 100; n++) {
			*w.lock = 1;
			*w.unlock = 0;
		}
		if (wl_info(&w).faults != i.faults)
			_exit(4);	/* its translations were unloaded */
		if (write(p[1], "a", 1) != 1 || read(q[0], &c, 1) != 1)
			_exit(3);
		i = wl_info(&w);
		*w.lock = 1;		/* the parent took it: faults */
		*w.unlock = 0;
		n = wl_info(&w).faults == i.faults + 1 ? 0 : 5;
		wl_close(&w);
		_exit(n);
	}
	ASSERT_EQ(1, read(p[0], &c, 1));
	after = wl_info(&self->w);
	EXPECT_EQ(pid, after.owner);
	EXPECT_EQ(before.faults + 1, after.faults);
	EXPECT_EQ(before.handovers + 1, after.handovers);
	*self->w.lock = 1;		/* unloaded: faults, takes it back */
	after = wl_info(&self->w);
	EXPECT_EQ(getpid(), after.owner);
	EXPECT_EQ(before.faults + 2, after.faults);
	*self->w.unlock = 0;
	ASSERT_EQ(1, write(q[1], "b", 1));
	EXPECT_EQ(0, wait_status(pid));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/*
 * Two processes wait on a held lock; each release hands it to one of them.
 * The new owner is given its lock page and has its unlock page unloaded
 * (so that its release wakes the other): unloading one mapping of a
 * process must leave its other mapping of the same lock alone.
 */
TEST_F(winlock, releases_hand_over_to_waiters_in_turn)
{
	pid_t b, c;
	int p[2];
	char x;

	WL_NEED_DEVICE(self);
	*self->w.lock = 1;
	ASSERT_EQ(0, pipe(p));
	b = wl_contender(0x5eed, p[1]);
	ASSERT_EQ(0, wl_wait_sleepers(&self->w, 1));
	c = wl_contender(0x5eed, p[1]);
	ASSERT_EQ(0, wl_wait_sleepers(&self->w, 2));
	EXPECT_EQ(getpid(), wl_info(&self->w).owner);
	*self->w.unlock = 0;		/* faults: hands over */
	ASSERT_EQ(1, read(p[0], &x, 1));
	ASSERT_EQ(1, read(p[0], &x, 1));
	EXPECT_EQ(0, wait_status(b));
	EXPECT_EQ(0, wait_status(c));
	EXPECT_EQ(self->base.steals, wl_info(&self->w).steals);
	EXPECT_EQ(0U, wl_info(&self->w).sleepers);
	close(p[0]);
	close(p[1]);
}

/*
 * A waiter steals a lock held past its timeout; the old owner's unlock
 * page is now the trash page: its late release changes nothing.
 */
TEST_F(winlock, timeout_steals_and_trashes_the_late_release)
{
	struct xxwl_timeout t = { .ident = self->w.ident, .msec = 200 };
	struct xxwl_info i;
	int p[2], q[2];
	pid_t pid;
	char x;

	WL_NEED_DEVICE(self);
	ASSERT_EQ(0, ioctl(self->w.fd, XXWL_IOC_TIMEOUT, &t));
	*self->w.lock = 1;		/* and never released in time */
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct wl w;

		if (wl_open(&w, 0x5eed))
			_exit(2);
		*w.lock = 1;		/* steals after 200 ms */
		if (write(p[1], "s", 1) != 1 || read(q[0], &x, 1) != 1)
			_exit(3);
		if (*w.lock != 1)	/* the old owner's store went elsewhere */
			_exit(4);
		*w.unlock = 0;
		wl_close(&w);
		_exit(0);
	}
	ASSERT_EQ(1, read(p[0], &x, 1));
	i = wl_info(&self->w);
	EXPECT_EQ(pid, i.owner);
	EXPECT_EQ(self->base.steals + 1, i.steals);
	*self->w.unlock = 0;		/* the trash page takes it */
	EXPECT_EQ(0, *self->w.unlock);
	ASSERT_EQ(1, write(q[1], "g", 1));
	EXPECT_EQ(0, wait_status(pid));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* A fork child inherits the mappings, not the lock: SIGBUS. */
TEST_F(winlock, fork_child_is_no_client)
{
	pid_t pid;
	int st;

	WL_NEED_DEVICE(self);
	*self->w.lock = 1;
	*self->w.unlock = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		*self->w.lock = 1;
		_exit(0);
	}
	st = wait_status(pid);
	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGBUS, WTERMSIG(st));
	EXPECT_EQ(getpid(), wl_info(&self->w).owner);
}

TEST_HARNESS_MAIN
