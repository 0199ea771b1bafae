// SPDX-License-Identifier: GPL-2.0
/*
 * stress - seeded, bounded randomized stress of /dev/xxmem and its PCI nodes.
 *
 * Several worker processes, each with several threads, run a fixed number of
 * random operations at once: open/close; mmap with random region, offset,
 * length, protection and flags (valid and invalid, also MAP_FIXED over an
 * own mapping); munmap of head, tail, hole or all of a mapping; mprotect;
 * mremap (shrink, move, grow, DONTUNMAP); madvise (DONTNEED, DONTFORK,
 * DOFORK, KEEPONFORK, COLD, PAGEOUT, WILLNEED, POPULATE_*, FREE, DODUMP);
 * fork while mapped, the child checking, writing and exiting (or being
 * killed) with its mappings; ioctls with random commands and arguments,
 * including bad pointers and pointers into device mappings; pread through
 * the driver; reads and writes through the mappings.  Meanwhile the parent
 * unbinds and rebinds the PCI functions bound to xxmem (if any), one at a
 * time, while workers map their BARs.
 *
 * Every syscall result is compared with the outcome the README documents
 * (or that Linux gives every shared file mapping): success or one errno;
 * SIGSEGV only where the protection forbids the access; SIGBUS only on a
 * BAR mapping made before an unbind - and always once that unbind has
 * completed (a later access that works is a stale translation).  A BAR
 * mapping splits like any other (partial munmap, mprotect, mremap shrink
 * or move, madvise, MAP_FIXED over a part, also in a fork child): each
 * piece still maps its own part of the BAR, at the same offsets.  A
 * region 0 mapping that the kernel made a PFN map (2 MiB PMD entries;
 * "pf" in /proc/self/smaps) refuses the madvise calls a BAR refuses,
 * except MADV_DOFORK: the kernel refuses that on VM_IO mappings (BARs)
 * always, and on the other VM_SPECIAL ones (every xxmem mapping) from
 * Linux 7.2; each worker asks its kernel once (probe_dofork) instead of
 * keying on a version.
 * Anything else is a failure, and so is a kernel warning:
 * the parent watches /dev/kmsg and stops the run, every thread printing
 * its last operations.
 *
 * Data: each worker thread owns a slice ("slot") of region 0 (its data
 * model's view), region 1 (shared by all processes), region 3 and BAR 2 of
 * an ivshmem function (from 0x81000: below are xxmem-check's round-trip
 * patterns), keeps a shadow copy of it and checks every read through a
 * mapping, through pread(2) and in forked children against it; lost or
 * misplaced data is a failure.
 *
 * Trace: the parent drains /sys/kernel/debug/xxmem/trace (16 KiB) into
 * --trace FILE whenever it fills up, stopping the workers between their
 * operations (a lock that works across data models) so that no line is
 * lost.  A fork is an operation of its own with everyone else stopped (its
 * children's dup and unmap lines can be many); live scatter and ctx
 * handles per thread are capped for the same reason.  stress.sh checks
 * that every devmap handle was unmapped.
 *
 * A seed reproduces each thread's random choices (the interleaving of
 * threads, and so some outcomes, are up to the scheduler).  --peer runs
 * every second worker process as the other data model's binary, so one run
 * covers both.
 *
 * usage: stress [--seed N] [--procs P] [--threads T] [--ops N] [--dev PATH]
 *               [--peer PATH] [--trace FILE] [--no-pci] [--pci-cycles N]
 *               [--timeout SECS] [--log-ops]
 *        stress --worker FD PROC      (internal: a worker process)
 *
 * Output: "# " lines; the last one is "# stress: PASS ..." or
 * "# stress: FAIL ...".  Exit status 0 on PASS, 1 on FAIL, 2 on usage or
 * setup errors, 4 if the device is missing (skip).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xxmem.h"
#include "vm_util.h"

#define PG		4096u
#define LP64		(sizeof(long) == 8)
#define MODEL		(LP64 ? XXMEM_MODEL_LP64 : XXMEM_MODEL_ILP32)
#define ABI		(LP64 ? "64" : "32")

#define MAX_PROCS	16
#define MAX_THREADS	8
#define MAX_PCI		8
#define MAX_FDS		6
#define MAX_MAPS	32
#define HANDLE_CAP	16		/* live region 1 and 3 handles per thread */
#define NBARS		6
#define NREG0		4		/* regions of /dev/xxmem */
#define TRACE_PATH	"/sys/kernel/debug/xxmem/trace"
#define TRACE_CAP	16384		/* XX_TRACE_SIZE in xxmem.c */
#define TRACE_DRAIN	2048		/* drain when the trace holds this much */
#define PCI_DRV		"/sys/bus/pci/drivers/xxmem"
#define EDU_ID		0x010000edu
#define SHARED_MAGIC	0x7878737472657373ull	/* "xxstress" */
#define MAX_FAIL_LINES	60
/*
 * The threads' slots of ivshmem's BAR 2 start here: the pages below hold
 * the patterns of xxmem-check's host/guest round trip (tools/xxmem-ivshmem:
 * host pattern at 0, guest pattern at 0x80000), which the stress only reads.
 */
#define BAR_SLOT_BASE	0x81000u

typedef uint64_t u64a __attribute__((aligned(8)));

/* ---- the block shared by the parent and every worker (both models) ---- */

enum { PCI_OTHER, PCI_EDU, PCI_IVSHMEM };

struct pcidev {
	char bdf[16];
	int32_t node;		/* N of /dev/xxmemN */
	uint32_t gen;		/* even: bound; odd: being unbound or unbound */
	uint32_t kind;		/* PCI_* */
	uint32_t ub_done;	/* unbinds that have completed */
	uint32_t maxprot[NBARS];
	uint32_t cache[NBARS];
	u64a size[NBARS];
};

enum {
	OP_OPEN, OP_CLOSE, OP_MMAP, OP_MMAP_FIXED, OP_MUNMAP, OP_MPROTECT,
	OP_MREMAP, OP_MADVISE, OP_ACCESS, OP_FORK, OP_IOCTL, OP_READ,
	NOPS
};

static const char *const op_names[NOPS] = {
	"open", "close", "mmap", "mmap-fixed", "munmap", "mprotect",
	"mremap", "madvise", "access", "fork", "ioctl", "pread",
};

/* Per worker process statistics (written by its threads, atomically). */
struct wstat {
	u64a ops[NOPS];
	u64a ok;		/* syscalls that succeeded as expected */
	u64a experr;		/* syscalls that failed as expected */
	u64a segv;		/* expected SIGSEGVs */
	u64a sigbus;		/* expected SIGBUSes (revoked BARs) */
	u64a enodev;		/* expected ENODEV/ENOENT around an unbind */
	u64a checked;		/* bytes compared with a shadow */
	u64a children;		/* forked children */
	u64a fails;
	u64a done;		/* threads finished */
};

struct rwl {
	uint32_t rd;		/* readers inside */
	uint32_t wr;		/* a writer wants in or is in */
	uint32_t wm;		/* writers' mutex (drainer, forking threads) */
	uint32_t pad;
};

struct shared {
	u64a magic;
	u64a layout;		/* sizeof(struct shared) of the creator */
	u64a seed;
	uint32_t procs, threads, ops, nslots;
	uint32_t log_ops;
	uint32_t npci;
	uint32_t stop;
	uint32_t fail_lines;
	char dev[64];
	u64a rsize[NREG0];	/* region sizes of /dev/xxmem */
	/* a thread's slot: slot * X .. (slot + 1) * X of each region */
	uint32_t r0_pages, r1_pages, r3_bytes, bar_pages;
	struct rwl lock;
	uint32_t trace_on;	/* the trace exists and is drained */
	uint32_t overflow;	/* the trace filled up: lines may be lost */
	u64a tr_bytes, tr_lines, tr_drains, tr_max;
	char trace_log[128];
	struct pcidev pci[MAX_PCI];
	struct wstat ws[MAX_PROCS];
};

static struct shared *S;

/* ---- small helpers ---- */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void atomic_add(u64a *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static uint64_t atomic_get(const u64a *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static uint32_t gen_get(int d)
{
	return __atomic_load_n(&S->pci[d].gen, __ATOMIC_SEQ_CST);
}

static uint32_t ub_done(int d)
{
	return __atomic_load_n(&S->pci[d].ub_done, __ATOMIC_SEQ_CST);
}

/* One line, one write(2): lines of concurrent processes do not mix. */
static void out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out_line(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

/* ---- random numbers: splitmix64 for seeding, xorshift64* per thread ---- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* uniform in [0, n) (n > 0) */
static uint64_t rn(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static bool chance(uint64_t *s, unsigned int percent)
{
	return rn(s, 100) < percent;
}

/* ---- a lock that works across processes and data models ---- */

static long futex(uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void rd_lock(void)
{
	struct rwl *l = &S->lock;

	for (;;) {
		while (__atomic_load_n(&l->wr, __ATOMIC_SEQ_CST))
			futex(&l->wr, FUTEX_WAIT, 1);
		__atomic_fetch_add(&l->rd, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&l->wr, __ATOMIC_SEQ_CST))
			return;
		__atomic_fetch_sub(&l->rd, 1, __ATOMIC_SEQ_CST);
	}
}

static void rd_unlock(void)
{
	__atomic_fetch_sub(&S->lock.rd, 1, __ATOMIC_SEQ_CST);
}

/*
 * Exclusive: keep new operations out and wait for those running (the
 * drainer, and a thread that forks).  Returns false after @timeout_ms.
 */
static bool ex_lock(unsigned int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000;
	struct rwl *l = &S->lock;

	while (__atomic_exchange_n(&l->wm, 1, __ATOMIC_SEQ_CST)) {
		if (now_ns() > end)
			return false;
		sleep_ms(1);
	}
	__atomic_store_n(&l->wr, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&l->rd, __ATOMIC_SEQ_CST)) {
		if (now_ns() > end) {
			__atomic_store_n(&l->wr, 0, __ATOMIC_SEQ_CST);
			futex(&l->wr, FUTEX_WAKE, INT_MAX);
			__atomic_store_n(&l->wm, 0, __ATOMIC_SEQ_CST);
			return false;
		}
		sleep_ms(1);
	}
	return true;
}

static void ex_unlock(void)
{
	__atomic_store_n(&S->lock.wr, 0, __ATOMIC_SEQ_CST);
	futex(&S->lock.wr, FUTEX_WAKE, INT_MAX);
	__atomic_store_n(&S->lock.wm, 0, __ATOMIC_SEQ_CST);
}

/* ---- the callback trace: drained into S->trace_log under ex_lock ---- */

static int trace_log_fd = -1;


/* Read the whole trace into @buf; returns its length or -1. */
static ssize_t trace_read(char *buf, size_t n)
{
	int fd = open(TRACE_PATH, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (got < n && (r = read(fd, buf + got, n - got)) > 0)
		got += (size_t)r;
	close(fd);
	return (ssize_t)got;
}

/* Move the trace to the log and clear it (ex_lock held). */
static void trace_move(void)
{
	static __thread char buf[TRACE_CAP + 1];
	ssize_t n, i;
	uint64_t lines = 0;

	if (!S->trace_on)
		return;
	n = trace_read(buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	if ((uint64_t)n > atomic_get(&S->tr_max))
		S->tr_max = (uint64_t)n;
	if (n >= TRACE_CAP - 160)
		S->overflow = 1;
	if (trace_log_fd >= 0 && write(trace_log_fd, buf, (size_t)n) != n)
		S->overflow = 1;
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	S->tr_lines += lines;
	S->tr_bytes += (uint64_t)n;
	S->tr_drains++;
	write_file(TRACE_PATH, "0");
}

static void trace_open_log(void)
{
	if (S->trace_on && S->trace_log[0] && trace_log_fd < 0)
		trace_log_fd = open(S->trace_log, O_WRONLY | O_APPEND | O_CLOEXEC);
}

/* ---- a worker thread's state ---- */

enum { K_XX, K_PCI };

struct xfd {
	int fd;			/* -1: free */
	int kind;		/* K_XX or K_PCI */
	int dev;		/* PCI: index in S->pci */
	int acc;		/* O_RDONLY, O_WRONLY, O_RDWR */
	uint32_t gen;		/* PCI: the device's gen at open */
};

/* One entry per piece of a mapping with the same attributes. */
struct xmap {
	bool used;
	uintptr_t addr;
	size_t len;
	int kind, dev;
	unsigned int region;
	uint64_t roff;		/* offset in the region of addr */
	int prot;
	bool rdonly;		/* from an fd without write access */
	bool dontfork;
	bool keep;		/* MADV_KEEPONFORK: VM_WIPEONFORK cleared */
	uint32_t gen;		/* PCI: gen when mapped */
	uint32_t d0;		/* PCI: unbinds completed before the mmap */
};

/* A slice of a region owned by the thread, with its shadow. */
struct shadow {
	uint64_t off;		/* offset in the region */
	size_t len;
	uint8_t *data;		/* expected bytes */
	uint8_t *alt;		/* the other possible value where state 2 */
	uint8_t *state;		/* 0 unknown, 1 known, 2 data or alt */
};

/* What a forked child wrote for its parent to apply. */
struct child_report {
	uint32_t go;		/* the parent drained the dup lines: start */
	uint32_t ready;		/* set when the child is done and waits */
	uint32_t nw;		/* bytes written */
	uint32_t which;		/* shadow index */
	u64a off;		/* offset in the shadow */
	uint8_t data[1024];
};

enum { SH_R0, SH_R1, SH_R3, SH_BAR, NSH };

struct thr {
	int proc, tid, slot;
	uint64_t rng;
	uint64_t opno;
	int op;
	char what[512];		/* the current operation, for messages */
	struct wstat *ws;
	struct xfd fds[MAX_FDS];
	struct xmap maps[MAX_MAPS];
	struct shadow sh[NSH];
	int bar_dev;		/* ivshmem device index for SH_BAR, -1: none */
	struct child_report *report;	/* shared with forked children */
	uint8_t *ro_page;	/* PROT_READ page of zeros */
	uint8_t *edge;		/* page followed by a PROT_NONE page */
	int dofork_errno;	/* MADV_DOFORK on a non-VM_IO xxmem mapping */
	bool in_child;
	/* fault capture */
	sigjmp_buf jb;
	volatile int in_access;
	volatile int fsig, fcode;
	uint32_t dbefore;	/* ub_done before the last access */
	uint32_t last_st[2];	/* last opens, maps seen in region 2 */
	char hist[16][200];	/* the last operations, for the first failure */
	bool dumped;
};

static struct thr *worker_thr;	/* the worker process' threads */

static __thread struct thr *tcur;
static int worker_proc = -1;

/* On a thread's first failure: its last operations, and who maps what. */
static void dump_state(struct thr *t)
{
	unsigned int i, k;
	char line[256];
	FILE *f;

	if (t->dumped || t->in_child || !worker_thr)
		return;
	t->dumped = true;
	for (i = 1; i <= 16; i++) {
		const char *h = t->hist[(t->opno + i) % 16];

		if (*h)
			out_line("#   history p%d.t%d: %s", t->proc, t->tid, h);
	}
	for (k = 0; k < S->threads; k++) {
		struct thr *o = &worker_thr[k];

		for (i = 0; i < MAX_MAPS; i++)
			if (o->maps[i].used)
				out_line("#   entry p%d.t%d: %p-%p region %u off 0x%" PRIx64 " prot %d",
					 o->proc, o->tid, (void *)o->maps[i].addr,
					 (void *)(o->maps[i].addr + o->maps[i].len),
					 o->maps[i].region, o->maps[i].roff,
					 o->maps[i].prot);
	}
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "xxmem"))
			out_line("#   maps: %.*s", (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
}

static void fail(struct thr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct thr *t, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t)
		atomic_add(&t->ws->fails, 1);
	if (__atomic_fetch_add(&S->fail_lines, 1, __ATOMIC_RELAXED) >=
	    MAX_FAIL_LINES)
		return;
	if (t) {
		out_line("# FAIL [%s p%d.t%d%s op %" PRIu64 " %s] %s: %s", ABI,
			 t->proc, t->tid, t->in_child ? " child" : "",
			 t->opno, op_names[t->op], t->what, msg);
		if (getenv("STRESS_DUMP"))
			dump_state(t);
	} else
		out_line("# FAIL [%s] %s", ABI, msg);
}

/* Compare a syscall's errno (0: success) with the expected one. */
static bool expect(struct thr *t, int got, int want)
{
	if (got == want) {
		atomic_add(want ? &t->ws->experr : &t->ws->ok, 1);
		return true;
	}
	fail(t, "got %s, expected %s", errno_name(got), errno_name(want));
	return false;
}

/* Around an unbind: @want, or ENODEV/ENOENT/ENXIO if the device changed. */
static bool expect_pci(struct thr *t, int got, int want, bool may_gone)
{
	if (got == want) {
		atomic_add(want ? &t->ws->experr : &t->ws->ok, 1);
		return true;
	}
	if (may_gone && (got == ENODEV || got == ENOENT || got == ENXIO)) {
		atomic_add(&t->ws->enodev, 1);
		return true;
	}
	fail(t, "got %s, expected %s%s", errno_name(got), errno_name(want),
	     may_gone ? " (or ENODEV: the device was unbound)" : "");
	return false;
}

/* ---- guarded memory access ---- */

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct thr *t = tcur;
	char buf[160];
	int n;

	(void)uc;
	if (t && t->in_access) {
		t->fsig = sig;
		t->fcode = si->si_code;
		t->in_access = 0;
		siglongjmp(t->jb, 1);
	}
	n = snprintf(buf, sizeof(buf),
		     "# FAIL [%s p%d] unexpected signal %d (code %d) at %p outside a checked access\n",
		     ABI, worker_proc, sig, si->si_code, si->si_addr);
	if (write(STDOUT_FILENO, buf, n) < 0)
		_exit(98);
	_exit(99);
}

static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/*
 * Copy @n bytes; returns 0 or -SIGSEGV / -SIGBUS if the access faulted (a
 * write cut short may have stored part of the bytes: see shadow_maybe).
 */
static int guarded_copy(struct thr *t, void *dst, const void *src, size_t n)
{
	if (sigsetjmp(t->jb, 1)) {
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		return -t->fsig;
	}
	t->in_access = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(dst, src, n);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->in_access = 0;
	return 0;
}

static int guarded_read32(struct thr *t, const volatile uint32_t *p,
			  uint32_t *v)
{
	if (sigsetjmp(t->jb, 1))
		return -t->fsig;
	t->in_access = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	*v = *p;
	t->in_access = 0;
	return 0;
}

/* Is [addr, addr + PG) mapped?  (mincore fails with ENOMEM if not.) */
static bool is_mapped(uintptr_t addr)
{
	unsigned char v;

	return mincore((void *)addr, PG, &v) == 0;
}

/* ---- the region table ---- */

/* The address of region offset @roff inside mapping @m. */
static void *at(const struct xmap *m, uint64_t roff)
{
	return (void *)(m->addr + (uintptr_t)(roff - m->roff));
}

static struct shadow *shadow_of(struct thr *t, int kind, int dev,
				unsigned int region)
{
	if (kind == K_XX) {
		if (region == XXMEM_REGION_UMEM)
			return &t->sh[SH_R0];
		if (region == XXMEM_REGION_SCATTER)
			return &t->sh[SH_R1];
		if (region == XXMEM_REGION_CTX)
			return &t->sh[SH_R3];
		return NULL;
	}
	if (dev == t->bar_dev && region == 2)
		return &t->sh[SH_BAR];
	return NULL;
}

/* ---- shadows ---- */

static void shadow_init(struct shadow *s, uint64_t off, size_t len)
{
	s->off = off;
	s->len = len;
	s->data = calloc(1, len ? len : 1);
	s->alt = calloc(1, len ? len : 1);
	s->state = calloc(1, len ? len : 1);
	if (!s->data || !s->alt || !s->state) {
		out_line("# FAIL [%s] out of memory", ABI);
		exit(2);
	}
}

/* Check @n bytes @got read at shadow offset @o; adopt what is unknown. */
static void shadow_check(struct thr *t, struct shadow *s, size_t o,
			 const uint8_t *got, size_t n, const char *how)
{
	size_t i, bad = 0, first = 0;
	uint8_t exp = 0;

	for (i = 0; i < n; i++) {
		uint8_t *st = &s->state[o + i];

		if ((*st == 1 && got[i] != s->data[o + i]) ||
		    (*st == 2 && got[i] != s->data[o + i] &&
		     got[i] != s->alt[o + i])) {
			if (!bad++) {
				first = i;
				exp = s->data[o + i];
			}
		}
		s->data[o + i] = got[i];
		*st = 1;
	}
	atomic_add(&t->ws->checked, n);
	if (bad)
		fail(t, "%s: %zu of %zu bytes differ from the shadow, first at region offset 0x%" PRIx64
			" (read 0x%02x, expected 0x%02x)", how, bad, n,
		     s->off + o + first, got[first], exp);
}

static void shadow_store(struct shadow *s, size_t o, const uint8_t *v,
			 size_t n)
{
	memcpy(s->data + o, v, n);
	memset(s->state + o, 1, n);
}

/* A write that may have partly happened: each byte is old or new. */
static void shadow_maybe(struct shadow *s, size_t o, const uint8_t *v,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s->state[o + i] == 1) {
			s->alt[o + i] = v[i];
			s->state[o + i] = 2;
		} else {
			s->state[o + i] = 0;
		}
	}
}

/* ---- file descriptors ---- */

/*
 * May a call on @f have failed because its PCI function was unbound?  Asked
 * after the call: the unbinder makes the generation odd before it writes
 * "unbind", so an unbind that began at any time before the call returned
 * shows here (asked before the call, it would miss one that began during
 * the call's copyin or the setup before it).
 */
static bool fd_gone(const struct xfd *f)
{
	return f->kind == K_PCI && (f->gen != gen_get(f->dev) || (f->gen & 1));
}

static int pci_path(int d, char *buf, size_t n)
{
	return snprintf(buf, n, "/dev/xxmem%d",
			__atomic_load_n(&S->pci[d].node, __ATOMIC_SEQ_CST));
}

static struct xfd *fd_slot(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd < 0)
			return &t->fds[i];
	return NULL;
}

static int nfds(struct thr *t)
{
	int i, n = 0;

	for (i = 0; i < MAX_FDS; i++)
		n += t->fds[i].fd >= 0;
	return n;
}

static struct xfd *pick_fd(struct thr *t)
{
	int i, n = nfds(t), k;

	if (!n)
		return NULL;
	k = (int)rn(&t->rng, n);
	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd >= 0 && k-- == 0)
			return &t->fds[i];
	return NULL;
}

static void op_open(struct thr *t)
{
	struct xfd *f = fd_slot(t);
	static const int accs[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	char path[64];
	int acc, fd, err, d = -1;
	uint32_t g0 = 0, g1;

	if (!f)
		return;
	acc = accs[rn(&t->rng, 5)];
	if (S->npci && chance(&t->rng, 35)) {
		d = (int)rn(&t->rng, S->npci);
		acc = O_RDWR;
		g0 = gen_get(d);
		pci_path(d, path, sizeof(path));
	} else {
		snprintf(path, sizeof(path), "%s", S->dev);
	}
	snprintf(t->what, sizeof(t->what), "open(%s, %s)", path,
		 acc == O_RDWR ? "O_RDWR" : acc == O_RDONLY ? "O_RDONLY" : "O_WRONLY");
	fd = open(path, acc | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (d < 0) {
		if (!expect(t, err, 0))
			return;
	} else {
		g1 = gen_get(d);
		if (!expect_pci(t, err, 0, g0 != g1 || (g0 & 1)))
			return;
	}
	if (fd < 0)
		return;
	f->fd = fd;
	f->kind = d < 0 ? K_XX : K_PCI;
	f->dev = d;
	f->acc = acc;
	f->gen = g0;
}

static void op_close(struct thr *t)
{
	struct xfd *f = pick_fd(t);

	if (!f || nfds(t) < 2)
		return;
	snprintf(t->what, sizeof(t->what), "close(%d)", f->fd);
	expect(t, close(f->fd) ? errno : 0, 0);
	f->fd = -1;
}

/* An fd of /dev/xxmem with read access (the thread always keeps one). */
static struct xfd *xx_fd(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd >= 0 && t->fds[i].kind == K_XX &&
		    t->fds[i].acc != O_WRONLY)
			return &t->fds[i];
	return NULL;
}

/* ---- mapping bookkeeping ---- */

static struct xmap *map_slot(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!t->maps[i].used)
			return &t->maps[i];
	return NULL;
}

static int nfree_maps(struct thr *t)
{
	int i, n = 0;

	for (i = 0; i < MAX_MAPS; i++)
		n += !t->maps[i].used;
	return n;
}

static struct xmap *pick_map(struct thr *t)
{
	int i, n = MAX_MAPS - nfree_maps(t), k;

	if (!n)
		return NULL;
	k = (int)rn(&t->rng, n);
	for (i = 0; i < MAX_MAPS; i++)
		if (t->maps[i].used && k-- == 0)
			return &t->maps[i];
	return NULL;
}

/*
 * Remove [a, b) from every entry it touches; an entry cut in the middle
 * becomes two.  Needs one free entry per entry cut in the middle.
 */
static void maps_remove(struct thr *t, uintptr_t a, uintptr_t b)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];
		uintptr_t s, e;

		if (!m->used)
			continue;
		s = m->addr;
		e = m->addr + m->len;
		if (b <= s || a >= e)
			continue;
		if (a <= s && b >= e) {
			m->used = false;
		} else if (a <= s) {		/* head */
			m->roff += b - s;
			m->addr = b;
			m->len = e - b;
		} else if (b >= e) {		/* tail */
			m->len = a - s;
		} else {			/* hole */
			struct xmap *n = map_slot(t);

			m->len = a - s;
			if (n) {
				*n = *m;
				n->addr = b;
				n->len = e - b;
				n->roff = m->roff + (b - s);
			}
		}
	}
}

/* Split @m so that [a, b) is an entry of its own; returns it. */
static struct xmap *maps_isolate(struct thr *t, struct xmap *m, uintptr_t a,
				 uintptr_t b)
{
	struct xmap *n;

	if (a > m->addr) {
		n = map_slot(t);
		*n = *m;
		m->len = a - m->addr;
		n->addr = a;
		n->len -= a - m->addr;
		n->roff += a - m->addr;
		m = n;
	}
	if (b < m->addr + m->len) {
		n = map_slot(t);
		*n = *m;
		n->addr = b;
		n->len = m->addr + m->len - b;
		n->roff += b - m->addr;
		m->len = b - m->addr;
	}
	return m;
}

static void describe_map(char *buf, size_t n, const struct xmap *m)
{
	snprintf(buf, n, "%s%s region %u [0x%" PRIx64 "+0x%zx] at %p prot %d%s%s",
		 m->kind == K_XX ? "xxmem" : "pci", m->kind == K_PCI ?
		 (S->pci[m->dev].bdf) : "", m->region, m->roff, m->len,
		 (void *)m->addr, m->prot, m->rdonly ? " rdonly-fd" : "",
		 m->dontfork ? " dontfork" : "");
}

/* A random page-aligned sub-range of @m: head, tail, hole or all. */
static void pick_subrange(struct thr *t, const struct xmap *m, uintptr_t *a,
			  uintptr_t *b)
{
	size_t pages = m->len / PG, s, e;

	switch (rn(&t->rng, 4)) {
	case 0:				/* head */
		s = 0;
		e = 1 + rn(&t->rng, pages);
		break;
	case 1:				/* tail */
		s = rn(&t->rng, pages);
		e = pages;
		break;
	case 2:				/* hole (or any piece) */
		s = rn(&t->rng, pages);
		e = s + 1 + rn(&t->rng, pages - s);
		break;
	default:
		s = 0;
		e = pages;
		break;
	}
	*a = m->addr + s * PG;
	*b = m->addr + e * PG;
}

/* ---- mmap expectations ---- */

/*
 * The errno mmap(2) must give (0: success), in the order Linux and the
 * driver check: glibc (32-bit offsets), sys_mmap, do_mmap, the file's
 * mode, then xxdevmap / devmap_devmem_setup.  @driver_err tells whether the
 * failure comes from the driver, i.e. after a MAP_FIXED range was unmapped.
 */
static int mmap_expect(const struct xfd *f, unsigned int region, uint64_t off,
		       uint64_t len, int prot, int flags, bool overlap,
		       bool *driver_err)
{
	uint64_t alen, pgoff, roff = off & (XXMEM_REGION_OFFSET(1) - 1);
	uint64_t task_size = LP64 ? (1ull << 47) - PG : 0xffffe000ull;
	uint64_t size;
	int type = flags & 0x0f;

	*driver_err = false;
	if (!LP64 && (off >> 44))
		return EINVAL;			/* glibc mmap64 */
	if (off & (PG - 1))
		return EINVAL;
	if (flags & MAP_HUGETLB)
		return EINVAL;
	if (len == 0)
		return EINVAL;
	alen = (len + PG - 1) & ~(uint64_t)(PG - 1);
	if (!LP64)
		alen &= 0xffffffffull;
	if (alen == 0)
		return ENOMEM;
	if (alen > task_size)
		return ENOMEM;
	if ((flags & MAP_FIXED_NOREPLACE) && overlap)
		return EEXIST;
	pgoff = off / PG;
	if (pgoff > (UINT64_MAX - alen) / PG)
		return EOVERFLOW;
	if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		return EOPNOTSUPP;
	if ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE) &&
	    (prot & PROT_WRITE) && f->acc == O_RDONLY)
		return EACCES;
	if ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE ||
	     type == MAP_PRIVATE) && f->acc == O_WRONLY)
		return EACCES;
	if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE &&
	    type != MAP_PRIVATE)
		return EINVAL;

	*driver_err = true;			/* xxsegmap, devmap */
	if ((int64_t)off < 0)
		return EINVAL;			/* devmap_setup: off < 0 */
	if (type == MAP_PRIVATE)
		return EINVAL;
	if (f->kind == K_XX) {
		if (region >= NREG0)
			return ENXIO;
		size = S->rsize[region];
		if (region == XXMEM_REGION_STATUS ||
		    region == XXMEM_REGION_CTX) {
			if (roff != 0 || alen != PG)
				return ENXIO;
		} else if (roff >= size || alen > size - roff) {
			return ENXIO;
		}
		if (prot & PROT_EXEC)
			return EACCES;
		if (region == XXMEM_REGION_STATUS && (prot & PROT_WRITE))
			return EACCES;
		return 0;
	}
	if (region >= NBARS)
		return ENXIO;
	size = S->pci[f->dev].size[region];
	if (!size || roff >= size || alen > size - roff)
		return ENXIO;
	if (prot & PROT_EXEC)
		return EACCES;
	return 0;
}

static const char *flags_str(int flags, char *buf, size_t n)
{
	int type = flags & 0x0f;

	snprintf(buf, n, "%s%s%s%s%s%s%s",
		 type == MAP_SHARED ? "SHARED" : type == MAP_PRIVATE ? "PRIVATE" :
		 type == MAP_SHARED_VALIDATE ? "SHARED_VALIDATE" : "TYPE?",
		 flags & MAP_FIXED ? "|FIXED" : "",
		 flags & MAP_FIXED_NOREPLACE ? "|FIXED_NOREPLACE" : "",
		 flags & MAP_POPULATE ? "|POPULATE" : "",
		 flags & MAP_HUGETLB ? "|HUGETLB" : "",
		 flags & MAP_SYNC ? "|SYNC" : "",
		 flags & MAP_NORESERVE ? "|NORESERVE" : "");
	return buf;
}

/*
 * An upper bound of the thread's live handles with callbacks (region 1:
 * one per chunk an entry touches; region 3: one): each makes trace lines
 * at a fork and at exit, so their number is kept small.
 */
static unsigned int handles_est(struct thr *t)
{
	unsigned int n = 0, i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];

		if (!m->used || m->kind != K_XX)
			continue;
		if (m->region == XXMEM_REGION_SCATTER)
			n += (unsigned int)((m->roff + m->len - 1) / XXMEM_SCATTER_CHUNK_SIZE -
					    m->roff / XXMEM_SCATTER_CHUNK_SIZE + 1);
		else if (m->region == XXMEM_REGION_CTX)
			n++;
	}
	return n;
}

/* Choose the arguments of a random mmap of @f (valid most of the time). */
static void mmap_args(struct thr *t, const struct xfd *f, unsigned int *region,
		      uint64_t *off, uint64_t *len, int *prot, int *flags)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ, PROT_READ, PROT_WRITE,
		PROT_NONE, PROT_READ | PROT_EXEC,
	};
	unsigned int r, nreg = f->kind == K_XX ? NREG0 : NBARS;
	uint64_t size, roff, pages, l;
	struct shadow *s;

	if (f->kind == K_XX) {
		static const unsigned int pick[] = { 0, 0, 0, 1, 1, 1, 1, 2, 3, 3 };

		r = pick[rn(&t->rng, 10)];
		if ((r == XXMEM_REGION_SCATTER || r == XXMEM_REGION_CTX) &&
		    handles_est(t) >= HANDLE_CAP)
			r = XXMEM_REGION_UMEM;
	} else {
		/* mostly the BARs that exist */
		r = (unsigned int)rn(&t->rng, NBARS);
		if (chance(&t->rng, 70)) {
			unsigned int i;

			for (i = 0; i < NBARS; i++)
				if (S->pci[f->dev].size[(r + i) % NBARS]) {
					r = (r + i) % NBARS;
					break;
				}
		}
	}
	size = f->kind == K_XX ? S->rsize[r] : S->pci[f->dev].size[r];
	pages = size / PG;
	s = shadow_of(t, f->kind, f->dev, r);
	if (!pages) {
		roff = 0;
		l = PG;
	} else if (r == XXMEM_REGION_STATUS && f->kind == K_XX) {
		roff = 0;
		l = PG;
	} else if (s && s->len && chance(&t->rng, 60)) {
		/* around the own slot, so that accesses can be checked */
		uint64_t sp = s->off / PG, np = (s->len + PG - 1) / PG;
		uint64_t first = sp > 2 ? sp - rn(&t->rng, 3) : sp;

		roff = (first + rn(&t->rng, np)) * PG;
		if (roff >= size)
			roff = (pages - 1) * PG;
		l = (1 + rn(&t->rng, np + 2)) * PG;
		if (l > size - roff)
			l = size - roff;
	} else {
		roff = rn(&t->rng, pages) * PG;
		l = (1 + rn(&t->rng, 40)) * PG;
		if (l > size - roff)
			l = size - roff;
	}
	*prot = prots[rn(&t->rng, 7)];
	*flags = MAP_SHARED;
	if (chance(&t->rng, 10))
		*flags = MAP_SHARED_VALIDATE;
	if (chance(&t->rng, 10))
		*flags |= MAP_POPULATE;
	if (chance(&t->rng, 5))
		*flags |= MAP_NORESERVE;
	if (chance(&t->rng, 10))
		l = l - PG + 1 + rn(&t->rng, PG - 1);	/* not a page multiple */

	/* one (sometimes two) bad arguments */
	if (chance(&t->rng, 30)) {
		switch (rn(&t->rng, 14)) {
		case 0:		/* offset at the end of the region */
			roff = size;
			break;
		case 1:		/* one page too long */
			l = size - roff + PG;
			break;
		case 2:
			l = 0;
			break;
		case 3:		/* unaligned offset */
			roff += 1 + rn(&t->rng, PG - 1);
			break;
		case 4:		/* a region that does not exist */
			r = nreg + (unsigned int)rn(&t->rng, LP64 ? 300 : 16 - nreg);
			break;
		case 5:
			*flags = (*flags & ~0x0f) | MAP_PRIVATE;
			break;
		case 6:
			*prot |= PROT_EXEC;
			break;
		case 7:		/* no mapping type */
			*flags &= ~0x0f;
			break;
		case 8:
			*flags |= MAP_HUGETLB;
			break;
		case 9:
			*flags = (*flags & ~0x0f) | MAP_SHARED_VALIDATE | MAP_SYNC;
			break;
		case 10:	/* larger than the address space */
			l = (uint64_t)(size_t)-PG;
			break;
		case 11:	/* negative or beyond what 32-bit glibc passes */
			*off = LP64 ? 0xfffff00000000000ull : 1ull << 44;
			*region = r;
			*len = l;
			return;
		case 12:	/* offset + length overflows 64 bits */
			*off = 0xfffffffffffff000ull;
			*region = r;
			*len = 2 * PG;
			return;
		default:	/* write to status */
			if (f->kind == K_XX) {
				r = XXMEM_REGION_STATUS;
				roff = 0;
				l = PG;
				*prot = PROT_READ | PROT_WRITE;
			}
			break;
		}
	}
	*region = r;
	*off = XXMEM_REGION_OFFSET(r) + roff;
	*len = l;
}

/* Record a new mapping. */
static void map_add(struct thr *t, const struct xfd *f, void *p, uint64_t alen,
		    unsigned int region, uint64_t off, int prot, uint32_t g0,
		    uint32_t d0)
{
	struct xmap *m = map_slot(t);

	if (!m) {
		munmap(p, (size_t)alen);
		return;
	}
	memset(m, 0, sizeof(*m));
	m->used = true;
	m->addr = (uintptr_t)p;
	m->len = (size_t)alen;
	m->kind = f->kind;
	m->dev = f->dev;
	m->region = region;
	m->roff = off & (XXMEM_REGION_OFFSET(1) - 1);
	m->prot = prot;
	m->rdonly = f->acc != O_RDWR;
	m->gen = f->kind == K_PCI ? g0 : 0;
	m->d0 = d0;
	/* made on an fd from before an unbind, or during one */
	if (f->kind == K_PCI && (f->gen != g0 || (g0 & 1)))
		m->gen = UINT32_MAX;
}

/*
 * mmap with random arguments; with @over, MAP_FIXED (or
 * MAP_FIXED_NOREPLACE) over a piece of an own mapping.
 */
static void do_mmap(struct thr *t, bool over)
{
	struct xfd *f = pick_fd(t);
	struct xmap *m = NULL;
	unsigned int region;
	uint64_t off, len, alen;
	int prot, flags, want, err;
	bool drv_err, gone = false;
	uintptr_t fixed = 0, b;
	uint32_t g0 = 0, d0 = 0;
	char fl[96];
	void *p;

	if (!f || nfree_maps(t) < 3)
		return;
	if (over) {
		m = pick_map(t);
		if (!m)
			return;
		pick_subrange(t, m, &fixed, &b);
	}
	mmap_args(t, f, &region, &off, &len, &prot, &flags);
	if (over) {
		size_t room = m->addr + m->len - fixed;

		flags |= chance(&t->rng, 15) ? MAP_FIXED_NOREPLACE : MAP_FIXED;
		if (len == 0 && chance(&t->rng, 50))
			len = PG;
		if (len > room)
			len = room < 16 * PG ? room : 16 * PG;
	}
	if (!LP64 && len > SIZE_MAX)
		len = SIZE_MAX & ~(uint64_t)(PG - 1);
	alen = (len + PG - 1) & ~(uint64_t)(PG - 1);
	want = mmap_expect(f, region, off, len, prot, flags, over, &drv_err);
	snprintf(t->what, sizeof(t->what),
		 "mmap(%p%s, 0x%" PRIx64 ", prot %d, %s, fd %d %s%s, off 0x%" PRIx64 ")",
		 (void *)fixed, over ? " over own" : "", len, prot,
		 flags_str(flags, fl, sizeof(fl)), f->fd,
		 f->kind == K_XX ? S->dev : S->pci[f->dev].bdf,
		 f->acc == O_RDWR ? "" : f->acc == O_RDONLY ? " O_RDONLY" : " O_WRONLY",
		 off);
	if (f->kind == K_PCI) {
		d0 = ub_done(f->dev);
		g0 = gen_get(f->dev);
	}
	p = mmap((void *)fixed, (size_t)len, prot, flags, f->fd, (off_t)off);
	err = p == MAP_FAILED ? errno : 0;
	if (f->kind == K_PCI) {
		uint32_t g1 = gen_get(f->dev);

		/* the driver's part may find the node gone */
		gone = f->gen != g1 || (f->gen & 1) || g0 != g1;
		if (gone && (want == 0 || drv_err) &&
		    (err == ENODEV || err == ENOENT || err == ENXIO)) {
			atomic_add(&t->ws->enodev, 1);
			drv_err = true;
			want = err;
		}
	}
	if (!expect(t, err, want) || err) {
		/*
		 * A failed MAP_FIXED: mmap_region had unmapped the old range
		 * if the failure came from the driver; an earlier failure
		 * leaves it alone.
		 */
		if (over && err && drv_err && err == want) {
			maps_remove(t, fixed, fixed + (size_t)alen);
		} else if (over && err && !is_mapped(fixed)) {
			fail(t, "MAP_FIXED failed before the driver (%s) but the old mapping is gone",
			     errno_name(err));
			maps_remove(t, fixed, fixed + (size_t)alen);
		}
		return;
	}
	if (over) {
		if ((uintptr_t)p != fixed)
			fail(t, "MAP_FIXED mapping at %p", p);
		maps_remove(t, fixed, fixed + (size_t)alen);
	}
	map_add(t, f, p, alen, region, off, prot, g0, d0);
}

static void op_mmap(struct thr *t)
{
	do_mmap(t, false);
}

static void op_mmap_fixed(struct thr *t)
{
	do_mmap(t, true);
}

static void op_munmap(struct thr *t)
{
	struct xmap *m = pick_map(t);
	char d[200];
	uintptr_t a, b;

	if (!m)
		return;
	describe_map(d, sizeof(d), m);
	if (chance(&t->rng, 5)) {	/* bad arguments */
		bool zero = chance(&t->rng, 50);

		snprintf(t->what, sizeof(t->what), "munmap(%p, %s) of %s",
			 (void *)(m->addr + (zero ? 0 : 1)), zero ? "0" : "PG", d);
		expect(t, munmap((void *)(m->addr + (zero ? 0 : 1)),
				 zero ? 0 : PG) ? errno : 0, EINVAL);
		return;
	}
	if (nfree_maps(t) < 1)
		return;
	pick_subrange(t, m, &a, &b);
	snprintf(t->what, sizeof(t->what), "munmap([+0x%zx, +0x%zx)) of %s",
		 (size_t)(a - m->addr), (size_t)(b - m->addr), d);
	if (expect(t, munmap((void *)a, b - a) ? errno : 0, 0))
		maps_remove(t, a, b);
}

static int mprotect_expect(const struct xmap *m, int prot)
{
	if (prot & PROT_EXEC)
		return EACCES;
	if ((prot & PROT_WRITE) && (m->rdonly ||
	    (m->kind == K_XX && m->region == XXMEM_REGION_STATUS)))
		return EACCES;
	return 0;
}

static void op_mprotect(struct thr *t)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_EXEC, PROT_READ | PROT_WRITE,
	};
	struct xmap *m = pick_map(t);
	char d[200];
	uintptr_t a, b;
	int prot, want;

	if (!m || nfree_maps(t) < 2)
		return;
	describe_map(d, sizeof(d), m);
	pick_subrange(t, m, &a, &b);
	prot = prots[rn(&t->rng, 7)];
	want = mprotect_expect(m, prot);
	snprintf(t->what, sizeof(t->what), "mprotect([+0x%zx, +0x%zx), %d) of %s",
		 (size_t)(a - m->addr), (size_t)(b - m->addr), prot, d);
	if (expect(t, mprotect((void *)a, b - a, prot) ? errno : 0, want) &&
	    !want) {
		m = maps_isolate(t, m, a, b);
		m->prot = prot;
	}
}

/* Pick a target range for an mremap move: inside an own entry, not
 * overlapping [a, b). */
static bool move_target(struct thr *t, uintptr_t a, uintptr_t b, size_t len,
			uintptr_t *to)
{
	int tries;

	for (tries = 0; tries < 8; tries++) {
		struct xmap *m = pick_map(t);
		uintptr_t s;

		if (!m || m->len < len)
			continue;
		s = m->addr + rn(&t->rng, (m->len - len) / PG + 1) * PG;
		if (s + len <= a || s >= b) {
			*to = s;
			return true;
		}
	}
	return false;
}

static void op_mremap(struct thr *t)
{
	struct xmap *m = pick_map(t), *n;
	char d[200];
	uintptr_t a, b, to = 0;
	size_t old_len, new_len;
	void *p;
	int err, kind = (int)rn(&t->rng, 11);

	if (!m || nfree_maps(t) < 5)
		return;
	describe_map(d, sizeof(d), m);
	pick_subrange(t, m, &a, &b);
	old_len = b - a;
	switch (kind) {
	case 0:					/* grow in place */
	case 1:					/* grow, may move */
		new_len = old_len + PG * (1 + rn(&t->rng, 4));
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0x%zx -> 0x%zx, %s) of %s",
			 (size_t)(a - m->addr), old_len, new_len,
			 kind ? "MAYMOVE" : "0", d);
		p = mremap((void *)a, old_len, new_len, kind ? MREMAP_MAYMOVE : 0);
		expect(t, p == MAP_FAILED ? errno : 0, EFAULT);
		return;
	case 2:					/* DONTUNMAP */
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0x%zx, MAYMOVE|DONTUNMAP) of %s",
			 (size_t)(a - m->addr), old_len, d);
		p = mremap((void *)a, old_len, old_len,
			   MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		expect(t, p == MAP_FAILED ? errno : 0, EINVAL);
		return;
	case 3:					/* duplicate (old_len 0) */
		new_len = old_len;
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0 -> 0x%zx, MAYMOVE) of %s",
			 (size_t)(a - m->addr), new_len, d);
		p = mremap((void *)a, 0, new_len, MREMAP_MAYMOVE);
		expect(t, p == MAP_FAILED ? errno : 0, EFAULT);
		return;
	case 4:					/* shrink in place */
	case 5:
		if (old_len < 2 * PG)
			return;
		new_len = (1 + rn(&t->rng, old_len / PG - 1)) * PG;
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0x%zx -> 0x%zx) of %s",
			 (size_t)(a - m->addr), old_len, new_len, d);
		p = mremap((void *)a, old_len, new_len, 0);
		err = p == MAP_FAILED ? errno : 0;
		if (expect(t, err, 0) && !err) {
			if ((uintptr_t)p != a)
				fail(t, "moved to %p", p);
			maps_remove(t, a + new_len, b);
		}
		return;
	default:				/* move, maybe shrinking */
		new_len = old_len;
		if (chance(&t->rng, 30) && old_len > PG)
			new_len = (1 + rn(&t->rng, old_len / PG - 1)) * PG;
		if (!move_target(t, a, b, new_len, &to))
			return;
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0x%zx -> 0x%zx, MAYMOVE|FIXED to %p) of %s",
			 (size_t)(a - m->addr), old_len, new_len, (void *)to, d);
		{
			struct xmap src = *m;

			/*
			 * Linux's order: unmap the target, unmap the source's
			 * tail (shrink), then move; the pieces of a split BAR
			 * mapping keep their registers, like any other.
			 */
			p = mremap((void *)a, old_len, new_len,
				   MREMAP_MAYMOVE | MREMAP_FIXED, (void *)to);
			err = p == MAP_FAILED ? errno : 0;
			if (!expect(t, err, 0) || err)
				return;
			if ((uintptr_t)p != to)
				fail(t, "moved to %p, not %p", p, (void *)to);
			maps_remove(t, to, to + new_len);
			maps_remove(t, a, b);
			n = map_slot(t);
			if (!n) {
				fail(t, "out of map entries");
				return;
			}
			*n = src;
			n->addr = to;
			n->len = new_len;
			n->roff = src.roff + (a - src.addr);
		}
		return;
	}
}

/*
 * Is the VMA at @a a PFN map ("pf" in its VmFlags)?  Kernel memory mapped
 * with 2 MiB PMD entries is one (README, "Differences from Solaris").
 */
static bool vma_is_pfnmap(uintptr_t a)
{
	char line[512], perms[8];
	unsigned long lo, hi;
	bool in = false, pf = false;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			if (in)
				break;
			in = a >= lo && a < hi;
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			pf = strstr(line, " pf ") != NULL;
			break;
		}
	}
	fclose(f);
	return pf;
}

static void op_madvise(struct thr *t)
{
	static const struct { int adv; const char *name; } advs[] = {
		{ MADV_DONTNEED, "DONTNEED" }, { MADV_DONTNEED, "DONTNEED" },
		{ MADV_DONTFORK, "DONTFORK" }, { MADV_DONTFORK, "DONTFORK" },
		{ MADV_DOFORK, "DOFORK" }, { MADV_DOFORK, "DOFORK" },
		{ MADV_KEEPONFORK, "KEEPONFORK" }, { MADV_WILLNEED, "WILLNEED" },
		{ MADV_COLD, "COLD" }, { MADV_PAGEOUT, "PAGEOUT" },
		{ MADV_POPULATE_READ, "POPULATE_READ" },
		{ MADV_POPULATE_WRITE, "POPULATE_WRITE" },
		{ MADV_FREE, "FREE" }, { MADV_DODUMP, "DODUMP" },
		{ MADV_WIPEONFORK, "WIPEONFORK" },
	};
	struct xmap *m = pick_map(t);
	bool pfn, writable;
	int i, adv, want = 0;
	char d[200];
	uintptr_t a, b;

	if (!m || nfree_maps(t) < 2)
		return;
	describe_map(d, sizeof(d), m);
	pick_subrange(t, m, &a, &b);
	i = (int)rn(&t->rng, sizeof(advs) / sizeof(advs[0]));
	adv = advs[i].adv;
	/* BARs are VM_IO | VM_PFNMAP; region 0 may be (2 MiB PMD entries) */
	pfn = m->kind == K_PCI ||
	      (m->kind == K_XX && m->region == 0 && vma_is_pfnmap(a));
	writable = m->prot & PROT_WRITE;
	switch (adv) {
	case MADV_DONTNEED:
	case MADV_COLD:
	case MADV_PAGEOUT:
		want = pfn ? EINVAL : 0;
		break;
	case MADV_DOFORK:		/* VM_IO: refused; else probed */
		want = m->kind == K_PCI ? EINVAL : t->dofork_errno;
		break;
	case MADV_POPULATE_READ:	/* GUP wants VM_READ itself */
		want = pfn || !(m->prot & PROT_READ) ? EINVAL : 0;
		break;
	case MADV_POPULATE_WRITE:
		want = pfn || !writable ? EINVAL : 0;
		break;
	case MADV_FREE:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
		want = EINVAL;
		break;
	default:
		want = 0;
		break;
	}
	/* a revoked BAR: populating faults get SIGBUS -> EFAULT */
	snprintf(t->what, sizeof(t->what), "madvise([+0x%zx, +0x%zx), %s) of %s",
		 (size_t)(a - m->addr), (size_t)(b - m->addr), advs[i].name, d);
	if (expect(t, madvise((void *)a, b - a, adv) ? errno : 0, want) &&
	    !want) {
		/* flag changes split the VMA: keep entries inside one VMA */
		m = maps_isolate(t, m, a, b);
		if (adv == MADV_DONTFORK || adv == MADV_DOFORK)
			m->dontfork = adv == MADV_DONTFORK;
		if (adv == MADV_KEEPONFORK)
			m->keep = true;
	}
}

/*
 * What MADV_DOFORK does to an xxmem mapping that is not VM_IO: Linux
 * refused it for VM_IO only until 7.2, which refuses it for every
 * VM_SPECIAL mapping (and every xxmem mapping is VM_DONTEXPAND).  Asked
 * once per worker on one page of region 1; sets t->dofork_errno.
 */
static bool probe_dofork(struct thr *t, int fd)
{
	void *p;

	snprintf(t->what, sizeof(t->what),
		 "probe: madvise(MADV_DOFORK) of a region 1 page");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER));
	if (p == MAP_FAILED) {
		fail(t, "probe mmap: %s", strerror(errno));
		return false;
	}
	t->dofork_errno = madvise(p, PG, MADV_DOFORK) ? errno : 0;
	munmap(p, PG);
	if (t->dofork_errno && t->dofork_errno != EINVAL) {
		fail(t, "%s", errno_name(t->dofork_errno));
		return false;
	}
	return true;
}

/* ---- accesses through mappings ---- */

/* May a BAR access fault with SIGBUS (the mapping was revoked)? */
static bool may_sigbus(const struct xmap *m)
{
	return m->kind == K_PCI && (m->gen == UINT32_MAX ||
				    gen_get(m->dev) != m->gen);
}

/*
 * Classify a checked access.  @dbefore: the device's completed unbinds,
 * read before the access (a BAR mapping must be dead once an unbind that
 * began after its mmap started has completed).
 */
static bool fault_ok_d(struct thr *t, const struct xmap *m, int r, bool write,
		       const char *how, uint32_t dbefore)
{
	bool readable = m->prot & (PROT_READ | PROT_WRITE);
	bool allowed = write ? (m->prot & PROT_WRITE) : readable;

	if (r == 0 && m->kind == K_PCI && dbefore != m->d0) {
		fail(t, "%s reached the BAR after %s was unbound (%u unbinds since the mmap): a stale translation",
		     how, S->pci[m->dev].bdf, dbefore - m->d0);
		return false;
	}
	if (r == 0) {
		if (!allowed)
			fail(t, "%s succeeded on a mapping with prot %d", how,
			     m->prot);
		return allowed;
	}
	if (r == -SIGSEGV && !allowed) {
		atomic_add(&t->ws->segv, 1);
		return false;
	}
	if (r == -SIGBUS && may_sigbus(m)) {
		atomic_add(&t->ws->sigbus, 1);
		return false;
	}
	fail(t, "%s: %s (code %d)%s", how, errno_name(r), t->fcode,
	     r == -SIGBUS ? " without an unbind" : "");
	return false;
}

/* The completed unbinds of @m's device now (0 for kernel memory). */
static uint32_t dnow(const struct xmap *m)
{
	return m->kind == K_PCI ? ub_done(m->dev) : 0;
}

/* guarded_copy/read32 through mapping @m; fault_ok() classifies them. */
static int guarded_copy_m(struct thr *t, const struct xmap *m, void *dst,
			  const void *src, size_t n)
{
	t->dbefore = dnow(m);
	return guarded_copy(t, dst, src, n);
}

static int guarded_read32_m(struct thr *t, const struct xmap *m,
			    const volatile uint32_t *p, uint32_t *v)
{
	t->dbefore = dnow(m);
	return guarded_read32(t, p, v);
}

static bool fault_ok(struct thr *t, const struct xmap *m, int r, bool write,
		     const char *how)
{
	return fault_ok_d(t, m, r, write, how, t->dbefore);
}

/* Read and write the part of @m that is in the thread's own slot. */
static void access_slot(struct thr *t, struct xmap *m, struct shadow *s)
{
	uint64_t lo = m->roff > s->off ? m->roff : s->off;
	uint64_t hi = m->roff + m->len < s->off + s->len ?
		      m->roff + m->len : s->off + s->len;
	uint8_t buf[8192], val[2048];
	size_t o, n, i;
	uint8_t *p;
	int r;

	if (lo >= hi)
		return;
	o = (size_t)(lo + rn(&t->rng, hi - lo));	/* region offset */
	n = 1 + rn(&t->rng, sizeof(val));
	if (n > hi - o)
		n = (size_t)(hi - o);
	p = at(m, o);

	if (chance(&t->rng, 60)) {			/* write */
		for (i = 0; i < n; i++)
			val[i] = (uint8_t)rnd(&t->rng);
		r = guarded_copy_m(t, m, p, val, n);
		if (m->kind == K_PCI)
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (fault_ok(t, m, r, true, "write"))
			shadow_store(s, o - s->off, val, n);
		else if (r == -SIGBUS)
			shadow_maybe(s, o - s->off, val, n);
	}
	/* read back a (possibly larger) part */
	lo = o > 512 + lo ? o - 512 : lo;
	n = 1 + rn(&t->rng, sizeof(buf));
	if (n > hi - lo)
		n = (size_t)(hi - lo);
	p = at(m, lo);
	r = guarded_copy_m(t, m, buf, p, n);
	if (fault_ok(t, m, r, false, "read"))
		shadow_check(t, s, lo - s->off, buf, n, "read through the mapping");
}

static void access_status(struct thr *t, struct xmap *m)
{
	struct xxmem_status st;
	int r;

	r = guarded_copy_m(t, m, &st, (void *)m->addr, sizeof(st));
	if (!fault_ok(t, m, r, false, "read status"))
		return;
	/* counters only grow; a mapping exists, so opens and maps > 0 */
	if (st.opens < 1 || st.maps < 1 || st.handles < st.maps ||
	    st.last_pid <= 0)
		fail(t, "status: opens %ld maps %ld handles %ld last_pid %ld",
		     st.opens, st.maps, st.handles, st.last_pid);
	if ((uint32_t)st.opens < t->last_st[0] ||
	    (uint32_t)st.maps < t->last_st[1])
		fail(t, "status counters went back: opens %ld (had %u) maps %ld (had %u)",
		     st.opens, t->last_st[0], st.maps, t->last_st[1]);
	t->last_st[0] = (uint32_t)st.opens;
	t->last_st[1] = (uint32_t)st.maps;
	r = guarded_copy_m(t, m, (void *)m->addr, &st, 8);
	if (r != -SIGSEGV)
		fault_ok(t, m, r, true, "write status");
	else
		atomic_add(&t->ws->segv, 1);
	if (r == 0)
		fail(t, "a write to the read-only status region succeeded");
}

static void op_access(struct thr *t)
{
	struct xmap *m = pick_map(t);
	struct shadow *s;
	char d[200];
	uint8_t tmp[64];
	int r;

	if (!m)
		return;
	describe_map(d, sizeof(d), m);
	snprintf(t->what, sizeof(t->what), "access %s", d);
	if (m->kind == K_XX && m->region == XXMEM_REGION_STATUS)
		return access_status(t, m);
	s = shadow_of(t, m->kind, m->dev, m->region);
	if (s && s->len) {
		access_slot(t, m, s);
		return;
	}
	if (m->kind == K_PCI) {
		uint32_t v;

		if (S->pci[m->dev].kind == PCI_EDU && m->region == 0 &&
		    m->roff == 0) {
			r = guarded_read32_m(t, m, (volatile uint32_t *)m->addr, &v);
			if (fault_ok(t, m, r, false, "read edu ID") &&
			    v != EDU_ID)
				fail(t, "edu ID register reads 0x%08x", v);
		} else if (S->pci[m->dev].kind == PCI_IVSHMEM &&
			   m->region == 2) {
			/* another thread's slot: just read */
			r = guarded_copy_m(t, m, tmp, (void *)m->addr, sizeof(tmp));
			fault_ok(t, m, r, false, "read");
		}
		return;
	}
	/* memory outside the own slot: read only, content unknown */
	r = guarded_copy_m(t, m, tmp, (void *)(m->addr + (uintptr_t)rn(&t->rng, m->len / PG) * PG),
			 sizeof(tmp));
	fault_ok(t, m, r, false, "read");
}

/* ---- pread through the driver ---- */

static void op_read(struct thr *t)
{
	struct xfd *f = pick_fd(t);
	static const int regs[] = { 0, 0, 1, 1, 2, 3, 3, 4 };
	struct shadow *s = NULL;
	uint8_t buf[8192];
	unsigned int region;
	uint64_t off;
	size_t n;
	ssize_t got;
	int err, want;

	if (!f)
		return;
	region = (unsigned int)regs[rn(&t->rng, 8)];
	if (region < NREG0 && f->kind == K_XX)
		s = shadow_of(t, K_XX, -1, region);
	n = 1 + rn(&t->rng, sizeof(buf));
	if (s && s->len && chance(&t->rng, 85)) {
		off = s->off + rn(&t->rng, s->len);
		if (n > s->off + s->len - off)
			n = (size_t)(s->off + s->len - off);
	} else if (region < NREG0) {
		off = rn(&t->rng, S->rsize[region] + PG);
		s = NULL;
	} else {
		off = rn(&t->rng, PG);
	}
	off += XXMEM_REGION_OFFSET(region);
	snprintf(t->what, sizeof(t->what), "pread(fd %d %s, %zu, 0x%" PRIx64 ")",
		 f->fd, f->kind == K_XX ? S->dev : S->pci[f->dev].bdf, n, off);

	if (chance(&t->rng, 5)) {		/* bad buffer */
		got = pread(f->fd, NULL, n, (off_t)off);
		err = got < 0 ? errno : 0;
		want = f->acc == O_WRONLY ? EBADF :
		       f->kind == K_PCI || region >= NREG0 ? ENXIO :
		       (off & (XXMEM_REGION_OFFSET(1) - 1)) >= S->rsize[region] ? 0 :
		       EFAULT;
		if (f->kind == K_PCI)
			expect_pci(t, err, want, fd_gone(f));
		else
			expect(t, err, want);
		return;
	}
	got = pread(f->fd, buf, n, (off_t)off);
	err = got < 0 ? errno : 0;
	if (f->acc == O_WRONLY) {
		expect(t, err, EBADF);
		return;
	}
	if (f->kind == K_PCI) {
		expect_pci(t, err, ENXIO, fd_gone(f));
		return;
	}
	if (region >= NREG0) {
		expect(t, err, ENXIO);
		return;
	}
	if (!expect(t, err, 0))
		return;
	{
		uint64_t roff = off & (XXMEM_REGION_OFFSET(1) - 1);
		uint64_t size = S->rsize[region];
		size_t want_n = roff >= size ? 0 :
				(size_t)(n < size - roff ? n : size - roff);

		if ((size_t)got != want_n)
			fail(t, "read %zd bytes, expected %zu", got, want_n);
		else if (s)
			shadow_check(t, s, (size_t)(roff - s->off), buf,
				     (size_t)got, "pread");
	}
}

/* ---- ioctls ---- */

static void check_info(struct thr *t, const struct xfd *f,
		       const struct xxmem_region_info *ri, uint32_t index)
{
	uint64_t size = f->kind == K_XX ? S->rsize[index] :
			S->pci[f->dev].size[index];

	if (ri->index != index || ri->offset != XXMEM_REGION_OFFSET(index) ||
	    ri->size != size || !memchr(ri->name, 0, sizeof(ri->name)))
		fail(t, "region info %u: index %u offset 0x%" PRIx64 " size 0x%" PRIx64
			" (expected 0x%" PRIx64 ")", index, ri->index,
		     (uint64_t)ri->offset, (uint64_t)ri->size, size);
}

static void op_ioctl(struct thr *t)
{
	struct xfd *f = pick_fd(t);
	struct xxmem_region_info ri;
	unsigned int nreg, k;
	unsigned long cmd;
	uint32_t index, model;
	void *arg;
	int err, want, r;

	if (!f)
		return;
	nreg = f->kind == K_XX ? NREG0 : NBARS;
	k = (unsigned int)rn(&t->rng, 12);
	memset(&ri, 0, sizeof(ri));
	if (k <= 3) {				/* REGION_INFO, good pointer */
		index = k == 3 ? nreg + (uint32_t)rn(&t->rng, 1000) :
			(uint32_t)rn(&t->rng, nreg);
		if (chance(&t->rng, 10))
			index = UINT32_MAX - (uint32_t)rn(&t->rng, 3);
		ri.index = index;
		snprintf(t->what, sizeof(t->what),
			 "ioctl(fd %d, REGION_INFO, {index %u})", f->fd, index);
		err = ioctl(f->fd, XXMEM_IOC_REGION_INFO, &ri) ? errno : 0;
		want = index < nreg ? 0 : EINVAL;
		if (!(f->kind == K_PCI ? expect_pci(t, err, want, fd_gone(f)) :
		      expect(t, err, want)))
			return;
		if (!err)
			check_info(t, f, &ri, index);
		return;
	}
	if (k == 4) {				/* GET_MODEL */
		model = 0;
		snprintf(t->what, sizeof(t->what), "ioctl(fd %d, GET_MODEL)", f->fd);
		err = ioctl(f->fd, XXMEM_IOC_GET_MODEL, &model) ? errno : 0;
		if ((f->kind == K_PCI ? expect_pci(t, err, 0, fd_gone(f)) :
		     expect(t, err, 0)) && !err && model != MODEL)
			fail(t, "model %u, expected %u", model, MODEL);
		return;
	}
	if (k <= 7) {				/* bad pointers */
		static const uintptr_t bad[] = {
			0, 1, 4096 - 8,
#if UINTPTR_MAX > 0xffffffffu
			(uintptr_t)0xffffffff81000000ull, (uintptr_t)1 << 47,
#else
			0xfffff000u, 0xffffe000u,
#endif
		};
		unsigned int w = (unsigned int)rn(&t->rng, 8);

		if (w < 5)
			arg = (void *)bad[w];
		else if (w == 5)
			arg = t->ro_page;	/* readable, index 0: copyout fails */
		else
			arg = t->edge + PG - 8;	/* runs into PROT_NONE */
		cmd = chance(&t->rng, 50) ? XXMEM_IOC_REGION_INFO :
		      XXMEM_IOC_GET_MODEL;
		if (w >= 6) {
			memset(t->edge + PG - 8, 0, 8);
			if (cmd == XXMEM_IOC_GET_MODEL)
				arg = t->edge + PG - 2;
		}
		snprintf(t->what, sizeof(t->what), "ioctl(fd %d, %s, %p)", f->fd,
			 cmd == XXMEM_IOC_REGION_INFO ? "REGION_INFO" : "GET_MODEL",
			 arg);
		err = ioctl(f->fd, cmd, arg) ? errno : 0;
		if (f->kind == K_PCI)
			expect_pci(t, err, EFAULT, fd_gone(f));
		else
			expect(t, err, EFAULT);
		return;
	}
	if (k <= 9) {				/* into an own device mapping */
		struct xmap *m = pick_map(t);
		struct shadow *s;
		uint64_t o;
		int rr;

		if (!m || m->kind != K_XX)
			return;
		s = shadow_of(t, m->kind, m->dev, m->region);
		if (!s || !s->len || !(m->prot & PROT_WRITE) ||
		    !(m->prot & PROT_READ))
			return;
		/* a place for the structure inside both the mapping and the slot */
		{
			uint64_t lo = m->roff > s->off ? m->roff : s->off;
			uint64_t hi = m->roff + m->len < s->off + s->len ?
				      m->roff + m->len : s->off + s->len;

			if (hi < lo + sizeof(ri))
				return;
			o = lo + rn(&t->rng, hi - lo - sizeof(ri) + 1);
		}
		index = (uint32_t)rn(&t->rng, nreg);
		ri.index = index;
		arg = at(m, o);
		rr = guarded_copy_m(t, m, arg, &ri, sizeof(ri.index));
		if (!fault_ok(t, m, rr, true, "write index"))
			return;
		shadow_store(s, (size_t)(o - s->off), (uint8_t *)&ri,
			     sizeof(ri.index));
		snprintf(t->what, sizeof(t->what),
			 "ioctl(fd %d, REGION_INFO, %p in own mapping region %u off 0x%" PRIx64 ")",
			 f->fd, arg, m->region, o);
		err = ioctl(f->fd, XXMEM_IOC_REGION_INFO, arg) ? errno : 0;
		if (f->kind == K_PCI)
			r = expect_pci(t, err, 0, fd_gone(f));
		else
			r = expect(t, err, 0);
		if (!r || err)
			return;
		/* the structure now is in device memory: update the shadow */
		{
			struct xxmem_region_info got;

			rr = guarded_copy_m(t, m, &got, arg, sizeof(got));
			if (!fault_ok(t, m, rr, false, "read back"))
				return;
			check_info(t, f, &got, index);
			shadow_check(t, s, (size_t)(o - s->off), (uint8_t *)&got,
				     sizeof(ri.index), "index in device memory");
			shadow_store(s, (size_t)(o - s->off), (uint8_t *)&got,
				     sizeof(got));
		}
		return;
	}
	/* unknown commands: the driver's type with other numbers, and others */
	do {
		static const unsigned int dirs[] = {
			_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE
		};
		unsigned int type = chance(&t->rng, 70) ? XXMEM_IOC_MAGIC :
				    (unsigned int)(0xa0 + rn(&t->rng, 16));

		cmd = _IOC(dirs[rn(&t->rng, 4)], type,
			   (unsigned int)rn(&t->rng, 256),
			   (unsigned int)rn(&t->rng, 200));
	} while (cmd == XXMEM_IOC_REGION_INFO || cmd == XXMEM_IOC_GET_MODEL);
	memset(&ri, 0xa5, sizeof(ri));
	arg = chance(&t->rng, 50) ? (void *)&ri : NULL;
	snprintf(t->what, sizeof(t->what), "ioctl(fd %d, 0x%lx, %p)", f->fd, cmd,
		 arg);
	err = ioctl(f->fd, cmd, arg) ? errno : 0;
	if (f->kind == K_PCI)
		expect_pci(t, err, ENOTTY, fd_gone(f));
	else
		expect(t, err, ENOTTY);
}

/* ---- fork while mapped ---- */

static void child_main(struct thr *t, bool wait_kill)
{
	struct child_report *rep = t->report;
	uint64_t fails0 = atomic_get(&t->ws->fails);
	int i;

	t->in_child = true;
	alarm(60);
	/* nothing may reach the trace while the parent drains it */
	while (!__atomic_load_n(&rep->go, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	/* first unmap a piece of something: the child's own devmap_unmap */
	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];
		uintptr_t a, b;

		if (!m->used || m->dontfork || !chance(&t->rng, 30))
			continue;
		pick_subrange(t, m, &a, &b);
		snprintf(t->what, sizeof(t->what), "child munmap");
		{
			int got = munmap((void *)a, b - a) ? errno : 0;

			describe_map(t->what, sizeof(t->what), m);
			if (got)
				fail(t, "child munmap [+0x%zx, +0x%zx): got %s, expected success",
				     (size_t)(a - m->addr), (size_t)(b - m->addr),
				     errno_name(got));
			if (!got)	/* what is left is checked below */
				maps_remove(t, a, b);
		}
		break;
	}
	/* every inherited mapping: absent if DONTFORK, else the same data */
	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];
		struct shadow *s;
		uint8_t buf[4096];
		int r;

		if (!m->used)
			continue;
		describe_map(t->what, sizeof(t->what), m);
		if (m->dontfork) {
			r = guarded_copy(t, buf, (void *)m->addr, 1);
			if (r != -SIGSEGV)
				fail(t, "MADV_DONTFORK mapping in the child: %s",
				     errno_name(r));
			continue;
		}
		s = shadow_of(t, m->kind, m->dev, m->region);
		if (s && s->len) {
			uint64_t lo = m->roff > s->off ? m->roff : s->off;
			uint64_t hi = m->roff + m->len < s->off + s->len ?
				      m->roff + m->len : s->off + s->len;
			size_t n;

			if (lo >= hi)
				continue;
			n = (size_t)(hi - lo) < sizeof(buf) ? (size_t)(hi - lo) :
			    sizeof(buf);
			r = guarded_copy_m(t, m, buf, at(m, lo),
					 n);
			if (fault_ok(t, m, r, false, "child read"))
				shadow_check(t, s, (size_t)(lo - s->off), buf, n,
					     "the child's read");
		}
	}
	/* write into one own slot through a writable inherited mapping */
	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[(i + t->opno) % MAX_MAPS];
		struct shadow *s;
		uint64_t lo, hi;
		size_t n, k;
		int r;

		if (!m->used || m->dontfork || m->kind != K_XX ||
		    !(m->prot & PROT_WRITE))
			continue;
		s = shadow_of(t, m->kind, m->dev, m->region);
		if (!s || !s->len)
			continue;
		lo = m->roff > s->off ? m->roff : s->off;
		hi = m->roff + m->len < s->off + s->len ? m->roff + m->len :
		     s->off + s->len;
		if (lo >= hi)
			continue;
		n = (size_t)(hi - lo) < sizeof(rep->data) ? (size_t)(hi - lo) :
		    sizeof(rep->data);
		for (k = 0; k < n; k++)
			rep->data[k] = (uint8_t)rnd(&t->rng);
		describe_map(t->what, sizeof(t->what), m);
		r = guarded_copy_m(t, m, at(m, lo),
				 rep->data, n);
		if (!fault_ok(t, m, r, true, "child write"))
			break;
		rep->which = (uint32_t)(s - t->sh);
		rep->off = lo - s->off;
		__atomic_store_n(&rep->nw, (uint32_t)n, __ATOMIC_SEQ_CST);
		break;
	}
	__atomic_store_n(&rep->ready, 1, __ATOMIC_SEQ_CST);
	if (wait_kill)
		for (;;)
			pause();
	_exit(atomic_get(&t->ws->fails) != fails0 ? 1 : 0);
}

static void op_fork(struct thr *t)
{
	struct child_report *rep = t->report;
	bool wait_kill = chance(&t->rng, 30);
	uint64_t fails0 = atomic_get(&t->ws->fails);
	int64_t end;
	int status = 0;
	pid_t pid, w;

	snprintf(t->what, sizeof(t->what), "fork with %d mappings%s",
		 MAX_MAPS - nfree_maps(t), wait_kill ? ", child killed" : "");
	memset(rep, 0, sizeof(*rep));
	trace_move();		/* room for the child's dup and unmap lines */
	pid = fork();
	if (pid < 0) {
		expect(t, errno, 0);
		return;
	}
	if (pid == 0)
		child_main(t, wait_kill);
	/* the child shares the seed sequence; keep ours apart */
	t->rng ^= 0x5bd1e995u;
	rnd(&t->rng);
	atomic_add(&t->ws->children, 1);
	trace_move();		/* the dup lines */
	__atomic_store_n(&rep->go, 1, __ATOMIC_SEQ_CST);
	end = now_ns() + 90LL * 1000000000;
	if (wait_kill) {
		while (!__atomic_load_n(&rep->ready, __ATOMIC_SEQ_CST)) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			if (now_ns() > end)
				break;
			sleep_ms(1);
		}
		kill(pid, SIGKILL);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (now_ns() > end) {
			fail(t, "child %d did not finish", (int)pid);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return;
		}
		sleep_ms(1);
	}
	if (wait_kill && __atomic_load_n(&rep->ready, __ATOMIC_SEQ_CST) &&
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		status = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* the child counted and printed its failures itself */
		if (atomic_get(&t->ws->fails) == fails0)
			fail(t, "child %d ended with status 0x%x", (int)pid,
			     status);
	}
	/* what the child wrote is in the memory now */
	if (rep->nw && rep->which < NSH) {
		struct shadow *s = &t->sh[rep->which];

		if (rep->off + rep->nw <= s->len)
			shadow_store(s, (size_t)rep->off, rep->data, rep->nw);
	}
}

/* ---- a worker thread ---- */

static const unsigned int op_weight[NOPS] = {
	[OP_OPEN] = 5, [OP_CLOSE] = 4, [OP_MMAP] = 16, [OP_MMAP_FIXED] = 4,
	[OP_MUNMAP] = 8, [OP_MPROTECT] = 6, [OP_MREMAP] = 6, [OP_MADVISE] = 7,
	[OP_ACCESS] = 22, [OP_FORK] = 2, [OP_IOCTL] = 7, [OP_READ] = 6,
};

static int pick_op(struct thr *t)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < NOPS; i++)
		total += op_weight[i];
	r = (unsigned int)rn(&t->rng, total);
	for (i = 0; i < NOPS; i++) {
		if (r < op_weight[i])
			return (int)i;
		r -= op_weight[i];
	}
	return OP_ACCESS;
}

static void run_op(struct thr *t, int op)
{
	t->op = op;
	t->what[0] = 0;
	switch (op) {
	case OP_OPEN: op_open(t); break;
	case OP_CLOSE: op_close(t); break;
	case OP_MMAP: op_mmap(t); break;
	case OP_MMAP_FIXED: op_mmap_fixed(t); break;
	case OP_MUNMAP: op_munmap(t); break;
	case OP_MPROTECT: op_mprotect(t); break;
	case OP_MREMAP: op_mremap(t); break;
	case OP_MADVISE: op_madvise(t); break;
	case OP_ACCESS: op_access(t); break;
	case OP_FORK: op_fork(t); break;
	case OP_IOCTL: op_ioctl(t); break;
	case OP_READ: op_read(t); break;
	}
	if (S->log_ops && t->what[0])
		out_line("# op [%s p%d.t%d #%" PRIu64 "] %s", ABI, t->proc,
			 t->tid, t->opno, t->what);
	snprintf(t->hist[t->opno % 16], sizeof(t->hist[0]), "#%" PRIu64 " %.180s",
		 t->opno, t->what);
	atomic_add(&t->ws->ops[op], 1);
}

/* Read the thread's slots through the driver (the start and the end). */
static void read_slots(struct thr *t, bool check)
{
	static const unsigned int reg[NSH] = { 0, 1, 3, 0 };
	struct xfd *f = xx_fd(t);
	int i;

	if (!f)
		return;
	for (i = 0; i < SH_BAR; i++) {
		struct shadow *s = &t->sh[i];
		uint8_t *buf = malloc(s->len ? s->len : 1);
		ssize_t n;

		if (!buf)
			return;
		snprintf(t->what, sizeof(t->what), "pread own slot of region %u",
			 reg[i]);
		n = pread(f->fd, buf, s->len,
			  (off_t)(XXMEM_REGION_OFFSET(reg[i]) + s->off));
		if (n != (ssize_t)s->len)
			fail(t, "pread: %zd (%s)", n, errno_name(errno));
		else if (check)
			shadow_check(t, s, 0, buf, s->len, "final pread");
		else
			shadow_store(s, 0, buf, s->len);
		free(buf);
	}
}

static void *worker_thread(void *arg)
{
	struct thr *t = arg;
	uint64_t seed = S->seed ^ ((uint64_t)t->slot << 32);
	unsigned int i;
	int fd, op;

	tcur = t;
	t->rng = splitmix(&seed) | 1;
	for (i = 0; i < MAX_FDS; i++)
		t->fds[i].fd = -1;
	shadow_init(&t->sh[SH_R0], (uint64_t)t->slot * S->r0_pages * PG,
		    (size_t)S->r0_pages * PG);
	shadow_init(&t->sh[SH_R1], (uint64_t)t->slot * S->r1_pages * PG,
		    (size_t)S->r1_pages * PG);
	shadow_init(&t->sh[SH_R3], (uint64_t)t->slot * S->r3_bytes,
		    S->r3_bytes);
	t->bar_dev = -1;
	for (i = 0; i < S->npci; i++)
		if (S->pci[i].kind == PCI_IVSHMEM && S->bar_pages)
			t->bar_dev = (int)i;
	shadow_init(&t->sh[SH_BAR],
		    BAR_SLOT_BASE + (uint64_t)t->slot * S->bar_pages * PG,
		    t->bar_dev >= 0 ? (size_t)S->bar_pages * PG : 0);
	t->report = mmap(NULL, sizeof(*t->report), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	t->ro_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->edge = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->report == MAP_FAILED || t->ro_page == MAP_FAILED ||
	    t->edge == MAP_FAILED || mprotect(t->edge + PG, PG, PROT_NONE)) {
		fail(t, "scratch memory: %s", strerror(errno));
		return NULL;
	}

	rd_lock();
	t->op = OP_OPEN;
	snprintf(t->what, sizeof(t->what), "open(%s)", S->dev);
	fd = open(S->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail(t, "%s", strerror(errno));
		rd_unlock();
		return NULL;
	}
	t->fds[0].fd = fd;
	t->fds[0].kind = K_XX;
	t->fds[0].acc = O_RDWR;
	if (!probe_dofork(t, fd)) {
		rd_unlock();
		return NULL;
	}
	read_slots(t, false);
	rd_unlock();

	for (t->opno = 0; t->opno < S->ops; t->opno++) {
		if (__atomic_load_n(&S->stop, __ATOMIC_RELAXED)) {
			/* the kernel complained: show what led to it */
			if (S->stop == 2)
				for (i = 1; i <= 16; i++)
					if (*t->hist[(t->opno + i) % 16])
						out_line("#   history p%d.t%d: %s",
							 t->proc, t->tid,
							 t->hist[(t->opno + i) % 16]);
			break;
		}
		op = pick_op(t);
		if (op == OP_FORK) {
			/* alone: a fork's dup/unmap lines need the whole trace */
			if (!ex_lock(120000)) {
				fail(t, "no exclusive access for a fork in 120 s");
				continue;
			}
			run_op(t, op);
			trace_move();
			ex_unlock();
			continue;
		}
		rd_lock();
		run_op(t, op);
		rd_unlock();
	}

	/* the end: everything unmapped and closed inside the lock */
	rd_lock();
	t->op = OP_MUNMAP;
	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];

		if (!m->used)
			continue;
		describe_map(t->what, sizeof(t->what), m);
		if (munmap((void *)m->addr, m->len))
			fail(t, "final munmap: %s", errno_name(errno));
		m->used = false;
	}
	if (!xx_fd(t)) {
		fd = open(S->dev, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			t->fds[MAX_FDS - 1].fd = fd;
			t->fds[MAX_FDS - 1].kind = K_XX;
			t->fds[MAX_FDS - 1].acc = O_RDONLY;
		}
	}
	t->op = OP_READ;
	read_slots(t, true);
	t->op = OP_CLOSE;
	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd >= 0 && close(t->fds[i].fd))
			fail(t, "final close: %s", errno_name(errno));
	rd_unlock();
	atomic_add(&t->ws->done, 1);
	return NULL;
}

static int worker_main(int shfd, int proc)
{
	struct thr *thr;
	pthread_t tid[MAX_THREADS];
	unsigned int i;

	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED, shfd, 0);
	if (S == MAP_FAILED || S->magic != SHARED_MAGIC ||
	    S->layout != sizeof(*S)) {
		out_line("# FAIL [%s] worker %d: the shared block does not match (layout %zu)",
			 ABI, proc, sizeof(*S));
		return 2;
	}
	close(shfd);
	worker_proc = proc;
	trace_open_log();
	install_handlers();
	thr = calloc(S->threads, sizeof(*thr));
	if (!thr)
		return 2;
	worker_thr = thr;
	for (i = 0; i < S->threads; i++) {
		thr[i].proc = proc;
		thr[i].tid = (int)i;
		thr[i].slot = proc * (int)S->threads + (int)i;
		thr[i].ws = &S->ws[proc];
		if (pthread_create(&tid[i], NULL, worker_thread, &thr[i])) {
			out_line("# FAIL [%s] worker %d: pthread_create", ABI, proc);
			return 2;
		}
	}
	for (i = 0; i < S->threads; i++)
		pthread_join(tid[i], NULL);
	return atomic_get(&S->ws[proc].fails) ? 1 : 0;
}

/* ---- the parent: devices, PCI unbind/rebind, trace drain ---- */

static int read_sysfs(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		buf[--r] = 0;
	return 0;
}

static void find_pci(void)
{
	int n;

	for (n = 1; n < 64 && S->npci < MAX_PCI; n++) {
		struct pcidev *p = &S->pci[S->npci];
		char path[128], link[256], v[32], dv[32];
		ssize_t l;
		int fd, i;

		snprintf(path, sizeof(path), "/sys/class/misc/xxmem%d/device", n);
		l = readlink(path, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		snprintf(p->bdf, sizeof(p->bdf), "%.15s",
			 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", p->bdf);
		read_sysfs(path, v, sizeof(v));
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", p->bdf);
		read_sysfs(path, dv, sizeof(dv));
		p->kind = !strcmp(v, "0x1234") && !strcmp(dv, "0x11e8") ? PCI_EDU :
			  !strcmp(v, "0x1af4") && !strcmp(dv, "0x1110") ?
			  PCI_IVSHMEM : PCI_OTHER;
		p->node = n;
		snprintf(path, sizeof(path), "/dev/xxmem%d", n);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		for (i = 0; i < NBARS; i++) {
			struct xxmem_region_info ri = { .index = (uint32_t)i };

			if (ioctl(fd, XXMEM_IOC_REGION_INFO, &ri) == 0) {
				p->size[i] = ri.size;
				p->maxprot[i] = ri.maxprot;
				p->cache[i] = ri.cache;
			}
		}
		close(fd);
		out_line("# stress: PCI %s as /dev/xxmem%d (%s), BAR sizes %" PRIu64 " %" PRIu64
			 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, p->bdf, n,
			 p->kind == PCI_EDU ? "edu" : p->kind == PCI_IVSHMEM ?
			 "ivshmem" : "other", (uint64_t)p->size[0],
			 (uint64_t)p->size[1], (uint64_t)p->size[2],
			 (uint64_t)p->size[3], (uint64_t)p->size[4],
			 (uint64_t)p->size[5]);
		S->npci++;
	}
}

static volatile int unbinder_done;
static unsigned int pci_cycles_max = 40, pci_cycles;

/* Unbind and rebind one function at a time while the workers run. */
static void *unbinder(void *arg)
{
	uint64_t seed = S->seed ^ 0x0b1d;
	unsigned int d = 0;

	(void)arg;
	while (!unbinder_done && pci_cycles < pci_cycles_max) {
		struct pcidev *p = &S->pci[d];
		char path[160];
		int64_t end;
		int err, n;

		sleep_ms(150 + (unsigned int)rn(&seed, 500));
		if (unbinder_done)
			break;
		__atomic_fetch_add(&p->gen, 1, __ATOMIC_SEQ_CST);	/* odd */
		err = write_file(PCI_DRV "/unbind", p->bdf);
		if (err)
			fail(NULL, "unbind %s: %s", p->bdf, strerror(err));
		__atomic_fetch_add(&p->ub_done, 1, __ATOMIC_SEQ_CST);
		sleep_ms((unsigned int)rn(&seed, 80));
		err = write_file(PCI_DRV "/bind", p->bdf);
		if (err)
			fail(NULL, "bind %s: %s", p->bdf, strerror(err));
		end = now_ns() + 5000000000LL;
		for (;;) {
			n = xxmem_node_of(p->bdf);
			snprintf(path, sizeof(path), "/dev/xxmem%d", n);
			if (n > 0 && access(path, F_OK) == 0)
				break;
			if (now_ns() > end) {
				fail(NULL, "rebind %s: no /dev/xxmemN appeared", p->bdf);
				break;
			}
			sleep_ms(5);
		}
		if (n > 0 && n != p->node)
			__atomic_store_n(&p->node, n, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&p->gen, 1, __ATOMIC_SEQ_CST);	/* even */
		pci_cycles++;
		d = (d + 1) % S->npci;
	}
	return NULL;
}

/* Drain the trace if it is filling up (or always, with @force). */
static void trace_drain(bool force)
{
	static char buf[TRACE_CAP + 1];
	ssize_t n = trace_read(buf, sizeof(buf) - 1);

	if (n < 0 || (!force && n < TRACE_DRAIN))
		return;
	if (!ex_lock(60000)) {
		fail(NULL, "trace drain: workers did not leave their operations for 60 s");
		return;
	}
	trace_move();
	ex_unlock();
}

/*
 * Watch the kernel log: a warning, oops or sanitizer report stops the run
 * at once and makes every thread print its last operations.
 */
static int kmsg_fd = -1;

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

static bool kmsg_check(void)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection", "KASAN",
		"UBSAN", "Call Trace",
	};
	char rec[1024];
	ssize_t n;
	unsigned int i;
	bool found = false;

	while (kmsg_fd >= 0 &&
	       ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE)) {
		const char *msg;

		if (n <= 0)
			continue;	/* EPIPE: records were overwritten */
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(msg, bad[i]))
				break;
		if (i == sizeof(bad) / sizeof(bad[0]))
			continue;
		out_line("# FAIL [%s] kernel log: %.*s", ABI,
			 (int)strcspn(msg, "\n"), msg);
		found = true;
	}
	return found;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: stress [--seed N] [--procs P] [--threads T] [--ops N] [--dev PATH]\n"
		"              [--peer PATH] [--trace FILE] [--no-pci] [--pci-cycles N]\n"
		"              [--timeout SECS] [--log-ops]\n");
	exit(2);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *peer = NULL, *trace = NULL, *dev = "/dev/xxmem";
	unsigned int procs = 4, threads = 3, ops = 1200, timeout = 300;
	bool seeded = false, no_pci = false, log_ops = false;
	uint64_t seed = 0, t0, total = 0, sum[NOPS] = { 0 };
	pid_t pids[MAX_PROCS];
	pthread_t ub;
	int shfd, i, fd, alive, bad = 0;
	unsigned int p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "--worker"))
		return worker_main((int)num(argv[2]), (int)num(argv[3]));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--no-pci")) {
			no_pci = true;
			continue;
		}
		if (!strcmp(a, "--log-ops")) {
			log_ops = true;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(a, "--seed"))
			seed = num(argv[++i]), seeded = true;
		else if (!strcmp(a, "--procs"))
			procs = (unsigned int)num(argv[++i]);
		else if (!strcmp(a, "--threads"))
			threads = (unsigned int)num(argv[++i]);
		else if (!strcmp(a, "--ops"))
			ops = (unsigned int)num(argv[++i]);
		else if (!strcmp(a, "--dev"))
			dev = argv[++i];
		else if (!strcmp(a, "--peer"))
			peer = argv[++i];
		else if (!strcmp(a, "--trace"))
			trace = argv[++i];
		else if (!strcmp(a, "--pci-cycles"))
			pci_cycles_max = (unsigned int)num(argv[++i]);
		else if (!strcmp(a, "--timeout"))
			timeout = (unsigned int)num(argv[++i]);
		else
			usage();
	}
	if (!procs || procs > MAX_PROCS || !threads || threads > MAX_THREADS)
		usage();
	if (!seeded) {
		uint64_t s = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);

		seed = splitmix(&s);
	}

	shfd = memfd_create("xxstress", 0);
	if (shfd < 0 || ftruncate(shfd, sizeof(*S))) {
		perror("memfd");
		return 2;
	}
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED, shfd, 0);
	if (S == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	S->magic = SHARED_MAGIC;
	S->layout = sizeof(*S);
	S->seed = seed;
	S->procs = procs;
	S->threads = threads;
	S->ops = ops;
	S->nslots = procs * threads;
	S->log_ops = log_ops;
	snprintf(S->dev, sizeof(S->dev), "%s", dev);

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		out_line("# stress: %s: %s", dev, strerror(errno));
		return errno == ENOENT ? 4 : 2;
	}
	for (i = 0; i < NREG0; i++) {
		struct xxmem_region_info ri = { .index = (uint32_t)i };

		if (ioctl(fd, XXMEM_IOC_REGION_INFO, &ri)) {
			out_line("# stress: REGION_INFO %d: %s", i, strerror(errno));
			return 2;
		}
		S->rsize[i] = ri.size;
	}
	close(fd);
	S->r0_pages = (uint32_t)(S->rsize[0] / PG / S->nslots);
	S->r1_pages = (uint32_t)(S->rsize[1] / PG / S->nslots);
	S->r3_bytes = (uint32_t)(S->rsize[3] / S->nslots) & ~7u;
	if (!no_pci)
		find_pci();
	for (p = 0; p < S->npci; p++)
		if (S->pci[p].kind == PCI_IVSHMEM &&
		    S->pci[p].size[2] > BAR_SLOT_BASE)
			S->bar_pages = (uint32_t)((S->pci[p].size[2] - BAR_SLOT_BASE) /
						  PG / S->nslots);

	out_line("# stress: %s-bit, seed %" PRIu64 " (--seed %" PRIu64 " reproduces each thread's operations)",
		 ABI, seed, seed);
	out_line("# stress: %u processes%s x %u threads x %u operations, %u PCI functions",
		 procs, peer ? " (every second one the peer)" : "", threads, ops,
		 S->npci);
	out_line("# stress: slots per thread: region 0 %u pages, region 1 %u pages, region 3 %u bytes, BAR %u pages",
		 S->r0_pages, S->r1_pages, S->r3_bytes, S->bar_pages);
	if (!S->r0_pages || !S->r1_pages || !S->r3_bytes) {
		out_line("# stress: too many threads for the regions");
		return 2;
	}

	if (access(TRACE_PATH, R_OK) == 0) {
		S->trace_on = 1;
		write_file(TRACE_PATH, "0");
	} else {
		out_line("# stress: no %s: the trace is not drained", TRACE_PATH);
	}
	if (trace) {
		fd = open(trace, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			perror(trace);
			return 2;
		}
		close(fd);
		snprintf(S->trace_log, sizeof(S->trace_log), "%s", trace);
		trace_open_log();
	}

	kmsg_open();
	t0 = (uint64_t)now_ns();
	for (p = 0; p < procs; p++) {
		char fdarg[16], parg[16];
		const char *exe = peer && (p & 1) ? peer : "/proc/self/exe";

		snprintf(fdarg, sizeof(fdarg), "%d", shfd);
		snprintf(parg, sizeof(parg), "%u", p);
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("fork");
			return 2;
		}
		if (pids[p] == 0) {
			execl(exe, exe, "--worker", fdarg, parg, (char *)NULL);
			out_line("# FAIL exec %s: %s", exe, strerror(errno));
			_exit(2);
		}
	}
	if (S->npci && pci_cycles_max &&
	    pthread_create(&ub, NULL, unbinder, NULL) == 0) {
		/* joined below */
	} else {
		pci_cycles_max = 0;	/* no unbinder */
	}

	alive = (int)procs;
	while (alive) {
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG);

		if (w > 0) {
			for (p = 0; p < procs; p++)
				if (pids[p] == w) {
					pids[p] = 0;
					alive--;
					if (!WIFEXITED(st) || WEXITSTATUS(st)) {
						out_line("# stress: worker %u ended with status 0x%x",
							 p, st);
						bad = 1;
					}
				}
			continue;
		}
		if (S->trace_on)
			trace_drain(false);
		if (kmsg_check() && !S->stop) {
			__atomic_store_n(&S->stop, 2, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&S->fail_lines, 1, __ATOMIC_SEQ_CST);
			bad = 1;
		}
		if ((uint64_t)now_ns() - t0 > (uint64_t)timeout * 1000000000ull) {
			fail(NULL, "timeout after %u s: stopping the workers", timeout);
			__atomic_store_n(&S->stop, 1, __ATOMIC_SEQ_CST);
			for (p = 0; p < procs; p++)
				if (pids[p] > 0)
					kill(pids[p], SIGKILL);
			timeout = UINT_MAX / 2;
		}
		sleep_ms(4);
	}
	unbinder_done = 1;
	if (pci_cycles_max)
		pthread_join(ub, NULL);
	if (kmsg_check())
		bad = 1;
	if (S->trace_on)
		trace_drain(true);

	for (p = 0; p < procs; p++) {
		struct wstat *w = &S->ws[p];
		int k;

		for (k = 0; k < NOPS; k++) {
			sum[k] += w->ops[k];
			total += w->ops[k];
		}
		if (w->done != threads) {
			out_line("# stress: worker %u: only %" PRIu64 " of %u threads finished",
				 p, (uint64_t)w->done, threads);
			bad = 1;
		}
	}
	{
		char line[600];
		int k, o = 0;
		uint64_t okc = 0, err = 0, segv = 0, bus = 0, gone = 0, chk = 0,
			 kids = 0, fails = 0;

		for (k = 0; k < NOPS; k++)
			o += snprintf(line + o, sizeof(line) - o, " %s=%" PRIu64,
				      op_names[k], sum[k]);
		out_line("# stress: operations:%s", line);
		for (p = 0; p < procs; p++) {
			okc += S->ws[p].ok;
			err += S->ws[p].experr;
			segv += S->ws[p].segv;
			bus += S->ws[p].sigbus;
			gone += S->ws[p].enodev;
			chk += S->ws[p].checked;
			kids += S->ws[p].children;
			fails += S->ws[p].fails;
		}
		out_line("# stress: outcomes: %" PRIu64 " succeeded, %" PRIu64 " failed as documented, %" PRIu64
			 " SIGSEGV and %" PRIu64 " SIGBUS as documented, %" PRIu64 " ENODEV/ENOENT around unbinds",
			 okc, err, segv, bus, gone);
		out_line("# stress: %" PRIu64 " bytes checked against shadows, %" PRIu64 " forked children, %u PCI unbind/rebind cycles",
			 chk, kids, pci_cycles);
		if (S->trace_on)
			out_line("# stress: trace: %" PRIu64 " lines in %" PRIu64 " drains, fullest %" PRIu64 " of %d bytes%s",
				 (uint64_t)S->tr_lines, (uint64_t)S->tr_drains,
				 (uint64_t)S->tr_max, TRACE_CAP,
				 S->overflow ? " (OVERFLOW: lines may be lost)" : "");
		if (S->overflow) {
			fail(NULL, "the trace buffer filled up: the handle balance cannot be checked");
			bad = 1;
		}
		if (fails || S->fail_lines)
			bad = 1;
		out_line("# stress: %s %" PRIu64 " operations in %.1f s, %" PRIu64 " unexpected results, seed %" PRIu64,
			 bad ? "FAIL" : "PASS", total,
			 (double)((uint64_t)now_ns() - t0) / 1e9, fails + (uint64_t)(S->fail_lines > fails ? S->fail_lines - fails : 0),
			 seed);
	}
	return bad ? 1 : 0;
}
