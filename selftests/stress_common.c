// SPDX-License-Identifier: GPL-2.0
/*
 * stress_common.c - what every part of the stress program uses: its output,
 * random numbers, the lock across processes and data models, the callback
 * trace, failures and accesses that may fault.
 */
#define _GNU_SOURCE
#include "stress.h"

const char *const op_names[NOPS] = {
	"open", "close", "mmap", "mmap-fixed", "munmap", "mprotect",
	"mremap", "madvise", "access", "fork", "ioctl", "pread",
};

struct shared *S;

/* ---- small helpers ---- */

/* Sleep @ms milliseconds, also across signals. */
void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* One line, one write(2): lines of concurrent processes do not mix. */
void out_line(const char *fmt, ...)
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

/* splitmix64: the next seed from @s. */
uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* xorshift64*: the next random number of state @s. */
uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* uniform in [0, n) (n > 0) */
uint64_t rn(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

/* True in @percent of the calls. */
bool chance(uint64_t *s, unsigned int percent)
{
	return rn(s, 100) < percent;
}

/* ---- a lock that works across processes and data models ---- */

static long futex(uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

/* Take the lock shared: a thread's operation (not a fork). */
void rd_lock(void)
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

/* Drop the lock taken with rd_lock(). */
void rd_unlock(void)
{
	__atomic_fetch_sub(&S->lock.rd, 1, __ATOMIC_SEQ_CST);
}

/*
 * Exclusive: keep new operations out and wait for those running (the
 * drainer, and a thread that forks).  Returns false after @timeout_ms.
 */
bool ex_lock(unsigned int timeout_ms)
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

/* Drop the lock taken with ex_lock(). */
void ex_unlock(void)
{
	__atomic_store_n(&S->lock.wr, 0, __ATOMIC_SEQ_CST);
	futex(&S->lock.wr, FUTEX_WAKE, INT_MAX);
	__atomic_store_n(&S->lock.wm, 0, __ATOMIC_SEQ_CST);
}

/* ---- the callback trace: drained into S->trace_log under ex_lock ---- */

static int trace_log_fd = -1;

/* Read the whole trace into @buf; returns its length or -1. */
ssize_t trace_read(char *buf, size_t n)
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
void trace_move(void)
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

/* Open --trace FILE for appending the drained trace. */
void trace_open_log(void)
{
	if (S->trace_on && S->trace_log[0] && trace_log_fd < 0)
		trace_log_fd = open(S->trace_log, O_WRONLY | O_APPEND | O_CLOEXEC);
}

struct thr *worker_thr;	/* the worker process' threads */

__thread struct thr *tcur;
int worker_proc = -1;

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

/*
 * An unexpected result of thread @t (NULL: the parent): counted, and shown
 * with the operation (the first MAX_FAIL_LINES of the run).
 */
void fail(struct thr *t, const char *fmt, ...)
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

/* SIGSEGV and SIGBUS handlers for guarded accesses. */
void install_handlers(void)
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
int guarded_copy(struct thr *t, void *dst, const void *src, size_t n)
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

int guarded_read32(struct thr *t, const volatile uint32_t *p,
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
bool is_mapped(uintptr_t addr)
{
	unsigned char v;

	return mincore((void *)addr, PG, &v) == 0;
}
