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
#include "stress.h"

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

/* The thread's random numbers, shadows and scratch pages: false on failure. */
static bool thread_init(struct thr *t)
{
	uint64_t seed = S->seed ^ ((uint64_t)t->slot << 32);
	unsigned int i;

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
	t->bar_dev = S->bar_pages ? S->bar_dev : -1;
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
		return false;
	}
	return true;
}

/* Open the device, probe MADV_DOFORK, read the slots: false on failure. */
static bool thread_start(struct thr *t)
{
	bool ok = false;
	int fd;

	rd_lock();
	t->op = OP_OPEN;
	snprintf(t->what, sizeof(t->what), "open(%s)", S->dev);
	fd = open(S->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail(t, "%s", strerror(errno));
	} else {
		t->fds[0].fd = fd;
		t->fds[0].kind = K_XX;
		t->fds[0].acc = O_RDWR;
		ok = probe_dofork(t, fd);
		if (ok)
			read_slots(t, false);
	}
	rd_unlock();
	return ok;
}

/* The thread's operations, until done or told to stop. */
static void thread_ops(struct thr *t)
{
	unsigned int i;
	int op;

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
}

/* The end: everything unmapped, the slots checked, all closed, in the lock. */
static void thread_end(struct thr *t)
{
	unsigned int i;
	int fd;

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
}

static void *worker_thread(void *arg)
{
	struct thr *t = arg;

	if (!thread_init(t) || !thread_start(t))
		return NULL;
	thread_ops(t);
	thread_end(t);
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
		"UBSAN", "Call Trace", "Call trace",
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
		"              [--timeout SECS] [--log-ops] [--huge-bar]\n");
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

/* The command line of a run. */
struct opts {
	const char *peer, *trace, *dev;
	unsigned int procs, threads, ops, timeout;
	bool seeded, no_pci, log_ops, huge_bar;
	uint64_t seed;
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_SEED = 1, O_PROCS, O_THREADS, O_OPS, O_DEV, O_PEER, O_TRACE,
	       O_NO_PCI, O_PCI_CYCLES, O_TIMEOUT, O_LOG_OPS, O_HUGE_BAR };
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, O_SEED },
		{ "procs", required_argument, NULL, O_PROCS },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "ops", required_argument, NULL, O_OPS },
		{ "dev", required_argument, NULL, O_DEV },
		{ "peer", required_argument, NULL, O_PEER },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "no-pci", no_argument, NULL, O_NO_PCI },
		{ "pci-cycles", required_argument, NULL, O_PCI_CYCLES },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "log-ops", no_argument, NULL, O_LOG_OPS },
		{ "huge-bar", no_argument, NULL, O_HUGE_BAR },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .dev = "/dev/xxmem", .procs = 4, .threads = 3,
			    .ops = 1200, .timeout = 300 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_SEED:
			o->seed = num(optarg);
			o->seeded = true;
			break;
		case O_PROCS:
			o->procs = (unsigned int)num(optarg);
			break;
		case O_THREADS:
			o->threads = (unsigned int)num(optarg);
			break;
		case O_OPS:
			o->ops = (unsigned int)num(optarg);
			break;
		case O_DEV:
			o->dev = optarg;
			break;
		case O_PEER:
			o->peer = optarg;
			break;
		case O_TRACE:
			o->trace = optarg;
			break;
		case O_NO_PCI:
			o->no_pci = true;
			break;
		case O_PCI_CYCLES:
			pci_cycles_max = (unsigned int)num(optarg);
			break;
		case O_TIMEOUT:
			o->timeout = (unsigned int)num(optarg);
			break;
		case O_LOG_OPS:
			o->log_ops = true;
			break;
		case O_HUGE_BAR:
			o->huge_bar = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o->procs || o->procs > MAX_PROCS ||
	    !o->threads || o->threads > MAX_THREADS)
		usage();
	if (!o->seeded) {
		uint64_t s = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);

		o->seed = splitmix(&s);
	}
}

/* The block shared with the workers, in a memfd they map: its fd, or -1. */
static int shared_create(const struct opts *o)
{
	int shfd = memfd_create("xxstress", 0);

	if (shfd < 0 || ftruncate(shfd, sizeof(*S))) {
		perror("memfd");
		return -1;
	}
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED, shfd, 0);
	if (S == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	S->magic = SHARED_MAGIC;
	S->layout = sizeof(*S);
	S->seed = o->seed;
	S->procs = o->procs;
	S->threads = o->threads;
	S->ops = o->ops;
	S->nslots = o->procs * o->threads;
	S->log_ops = o->log_ops;
	snprintf(S->dev, sizeof(S->dev), "%s", o->dev);
	return shfd;
}

/*
 * The region sizes of @dev, each thread's slots of them and of the BAR of
 * an ivshmem function: 0, or the exit status (4: no @dev).
 */
static int slots_size(const struct opts *o)
{
	unsigned int p;
	int fd, i, err;

	fd = open(o->dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		out_line("# stress: %s: %s", o->dev, strerror(err));
		return err == ENOENT ? 4 : 2;
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
	if (!o->no_pci)
		find_pci();
	/*
	 * The BAR slots are in the smallest ivshmem BAR 2, or with
	 * --huge-bar in the largest, which must be 1 GiB: there mappings of
	 * a whole GiB (mmap_range()) get PUD entries where xxmem has them.
	 */
	S->bar_dev = -1;
	S->huge_bar = o->huge_bar;
	for (p = 0; p < S->npci; p++) {
		uint64_t sz = S->pci[p].size[2];

		if (S->pci[p].kind != PCI_IVSHMEM || sz <= BAR_SLOT_BASE)
			continue;
		if (S->bar_dev < 0 ||
		    (o->huge_bar ? sz > S->pci[S->bar_dev].size[2] :
				   sz < S->pci[S->bar_dev].size[2]))
			S->bar_dev = (int32_t)p;
	}
	if (o->huge_bar &&
	    (S->bar_dev < 0 || S->pci[S->bar_dev].size[2] < HUGE_BAR)) {
		out_line("# stress: --huge-bar: no ivshmem function with a 1 GiB BAR 2");
		return 2;
	}
	if (S->bar_dev >= 0)
		S->bar_pages = (uint32_t)((S->pci[S->bar_dev].size[2] -
					   BAR_SLOT_BASE) / PG / S->nslots);
	if (S->bar_pages > BAR_SLOT_MAX)
		S->bar_pages = BAR_SLOT_MAX;
	return 0;
}

/* The run's first lines; 2 if the regions are too small for the threads. */
static int print_plan(const struct opts *o)
{
	out_line("# stress: %s-bit, seed %" PRIu64 " (--seed %" PRIu64 " reproduces each thread's operations)",
		 ABI, o->seed, o->seed);
	out_line("# stress: %u processes%s x %u threads x %u operations, %u PCI functions",
		 o->procs, o->peer ? " (every second one the peer)" : "",
		 o->threads, o->ops, S->npci);
	out_line("# stress: slots per thread: region 0 %u pages, region 1 %u pages, region 3 %u bytes, BAR %u pages",
		 S->r0_pages, S->r1_pages, S->r3_bytes, S->bar_pages);
	if (!S->r0_pages || !S->r1_pages || !S->r3_bytes) {
		out_line("# stress: too many threads for the regions");
		return 2;
	}
	return 0;
}

/* Clear the callback trace (if there is one) and create --trace FILE. */
static int trace_setup(const char *trace)
{
	int fd;

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
	return 0;
}

/* Start the worker processes, every second one the peer's binary. */
static int workers_start(const struct opts *o, int shfd, pid_t *pids)
{
	unsigned int p;

	for (p = 0; p < o->procs; p++) {
		char fdarg[16], parg[16];
		const char *exe = o->peer && (p & 1) ? o->peer : "/proc/self/exe";

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
	return 0;
}

/* Reap worker @w if it is one of @pids: false if it ended badly. */
static bool worker_reaped(const struct opts *o, pid_t *pids, pid_t w, int st,
			  int *alive)
{
	bool ok = true;
	unsigned int p;

	for (p = 0; p < o->procs; p++)
		if (pids[p] == w) {
			pids[p] = 0;
			(*alive)--;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				out_line("# stress: worker %u ended with status 0x%x",
					 p, st);
				ok = false;
			}
		}
	return ok;
}

/*
 * Until every worker has ended: drain the trace, watch the kernel log and
 * the timeout.  True if something went wrong.
 */
static bool workers_wait(const struct opts *o, pid_t *pids, uint64_t t0)
{
	unsigned int p, timeout = o->timeout;
	int alive = (int)o->procs;
	bool bad = false;

	while (alive) {
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG);

		if (w > 0) {
			if (!worker_reaped(o, pids, w, st, &alive))
				bad = true;
			continue;
		}
		if (S->trace_on)
			trace_drain(false);
		if (kmsg_check() && !S->stop) {
			__atomic_store_n(&S->stop, 2, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&S->fail_lines, 1, __ATOMIC_SEQ_CST);
			bad = true;
		}
		if ((uint64_t)now_ns() - t0 > (uint64_t)timeout * 1000000000ull) {
			fail(NULL, "timeout after %u s: stopping the workers", timeout);
			__atomic_store_n(&S->stop, 1, __ATOMIC_SEQ_CST);
			for (p = 0; p < o->procs; p++)
				if (pids[p] > 0)
					kill(pids[p], SIGKILL);
			timeout = UINT_MAX / 2;
		}
		sleep_ms(4);
	}
	return bad;
}

/* The operations line; false if a worker's threads did not all finish. */
static bool report_ops(const struct opts *o, uint64_t *total)
{
	uint64_t sum[NOPS] = { 0 };
	bool ok = true;
	char line[600];
	unsigned int p;
	int k, n = 0;

	for (p = 0; p < o->procs; p++) {
		struct wstat *w = &S->ws[p];

		for (k = 0; k < NOPS; k++) {
			sum[k] += w->ops[k];
			*total += w->ops[k];
		}
		if (w->done != o->threads) {
			out_line("# stress: worker %u: only %" PRIu64 " of %u threads finished",
				 p, (uint64_t)w->done, o->threads);
			ok = false;
		}
	}
	for (k = 0; k < NOPS; k++)
		n += snprintf(line + n, sizeof(line) - n, " %s=%" PRIu64,
			      op_names[k], sum[k]);
	out_line("# stress: operations:%s", line);
	return ok;
}

/* The outcome lines and the last one, PASS or FAIL: true for FAIL. */
static bool report(const struct opts *o, uint64_t t0, bool bad)
{
	uint64_t okc = 0, err = 0, segv = 0, bus = 0, gone = 0, chk = 0,
		 kids = 0, fails = 0, total = 0;
	unsigned int p;

	if (!report_ops(o, &total))
		bad = true;
	for (p = 0; p < o->procs; p++) {
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
		bad = true;
	}
	if (fails || S->fail_lines)
		bad = true;
	out_line("# stress: %s %" PRIu64 " operations in %.1f s, %" PRIu64 " unexpected results, seed %" PRIu64,
		 bad ? "FAIL" : "PASS", total,
		 (double)((uint64_t)now_ns() - t0) / 1e9, fails + (uint64_t)(S->fail_lines > fails ? S->fail_lines - fails : 0),
		 o->seed);
	return bad;
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_PROCS];
	struct opts o;
	bool bad, ub_run;
	int shfd, rc;
	pthread_t ub;
	uint64_t t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "--worker"))
		return worker_main((int)num(argv[2]), (int)num(argv[3]));
	parse_args(argc, argv, &o);
	shfd = shared_create(&o);
	if (shfd < 0)
		return 2;
	rc = slots_size(&o);
	if (!rc)
		rc = print_plan(&o);
	if (!rc)
		rc = trace_setup(o.trace);
	if (rc)
		return rc;

	kmsg_open();
	t0 = (uint64_t)now_ns();
	rc = workers_start(&o, shfd, pids);
	if (rc)
		return rc;
	ub_run = S->npci && pci_cycles_max &&
		 pthread_create(&ub, NULL, unbinder, NULL) == 0;
	if (!ub_run)
		pci_cycles_max = 0;	/* no unbinder */
	bad = workers_wait(&o, pids, t0);
	unbinder_done = 1;
	if (ub_run)
		pthread_join(ub, NULL);
	if (kmsg_check())
		bad = true;
	if (S->trace_on)
		trace_drain(true);
	return report(&o, t0, bad) ? 1 : 0;
}
