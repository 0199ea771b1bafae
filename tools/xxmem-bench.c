// SPDX-License-Identifier: GPL-2.0
/*
 * xxmem-bench - xxmem's mappings side by side with the kernel's own, in one
 * run: medians and spread of interleaved repetitions, and the ratios the
 * performance goals of issues 6 and 16 are stated in.
 *
 *   1  mmap + first touch of every page: xxmem umem vs anonymous memory
 *      (fault on touch, MAP_POPULATE), a resident memfd (shmem) and
 *      /dev/zero MAP_SHARED; ns/page, ratio to the best peer, minor faults
 *   2  sequential read and write bandwidth of a populated mapping: xxmem
 *      umem vs anonymous memory; a first and a second write pass over
 *      fresh mappings
 *   3  mmap + munmap of a one-page mapping: xxmem vs /dev/zero
 *   4  device memory: the ivshmem BAR through xxmem's device region (when
 *      the driver has one: XXMEM_REGION_DEVICE on the function's node) vs
 *      the same BAR through sysfs resource2 and resource2_wc, and a second
 *      ivshmem function's BAR through VFIO (xxmem-bench-vfio.c), at
 *      4 KiB to 1 GiB
 *   5  the scatter region (one devmap handle per chunk) vs umem of the same
 *      size; random 8-byte reads over 64 MiB: xxmem vs THP anonymous memory
 *
 * Every measurement is a set of repetitions; within one repetition each
 * peer runs once, the starting peer rotating, so slow drifts of the
 * machine (TCG, a busy host) hit every peer alike.  The tables give each
 * peer's median, IQR and range, and its median over the best peer's.  A
 * goal's ratio is the median of the per-repetition (paired) ratios, whose
 * two samples were taken next to each other.
 *
 * Output: Markdown tables on stdout, JSON with every sample (-o), and the
 * ns/page-vs-size series for gnuplot (-p).  Progress goes to stderr.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "xxmem.h"
#include "xxmem-bench.h"

#define KiB		1024UL
#define MiB		(1024UL * KiB)

#define MAX_REPS	201
#define MAX_RESULTS	192
#define MAX_SIZES	8
#define MAX_BATCH	256
#define BATCH_BYTES	(1 * MiB)	/* small mappings: this much per sample */
#define BW_BYTES	(64 * MiB)	/* bandwidth: at least this much per sample */
#define CYCLES		400		/* 1-page mmap+munmap cycles per sample */
#define RAND_SIZE	(64 * MiB)
#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110

/* ---- options ---- */

static const char *dev_path = "/dev/xxmem";
static const char *bar_dev_path;	/* NULL: the ivshmem function's node */
static const char *json_path;
static const char *plot_path;
static const char *label = "";
static int reps = 41;
static int reps_large = 15;		/* at 256 MiB; 0: same as reps */
/*
 * BAR map+touch up to SMALL_BAR: a sample takes about a millisecond and
 * the paired ratios spread by +-20 % under TCG, so more repetitions.
 */
static int reps_small_bar = MAX_REPS;	/* 0: same as reps */
#define SMALL_BAR	(1 * MiB)
static int cpu = -2;			/* -2: default, -1: do not pin */
static long nreads = 1L << 21;
static char tests[8] = "12345";
static uint64_t sizes[MAX_SIZES];
static int nsizes;

static long page_size;
static volatile uint64_t sink;

/* ---- results ---- */

struct result {
	char test[24];		/* map_touch, bw_read, cycle, dev_map_touch, ... */
	char peer[32];		/* a key: xxmem, anon, anon_populate, ... */
	char label[96];		/* how the tables name the peer */
	uint64_t size;		/* bytes per mapping (0: not applicable) */
	const char *unit;
	bool higher_better;
	int n;
	double v[MAX_REPS];
	bool has_faults;	/* map/touch tests: faults and munmap time */
	double flt_map[MAX_REPS];	/* minor faults during mmap(), per mapping */
	double flt_touch[MAX_REPS];	/* ... during the touch, per mapping */
	double unmap[MAX_REPS];		/* munmap ns/page */
	double map_part[MAX_REPS];	/* mmap() ns/page, part of v[] */
	double touch_part[MAX_REPS];	/* touch ns/page, part of v[] */
	int pos[MAX_REPS];		/* bandwidth: place in its repetition */
	char note[96];
};

static struct result results[MAX_RESULTS];
static int nresults;

struct goal {
	char name[96];
	char cmp[4];		/* "<=" or ">=" or "==" */
	double target;
	double ratio;		/* NAN: not measured */
	double lo, hi;		/* paired ratios' IQR, NAN if none */
	double rom;		/* ratio of the two medians, NAN if none */
	const char *what;	/* "ratio", or "faults" for a count */
	const char *status;	/* met, not met, n/a */
	char note[320];
};

static struct goal goals[48];
static int ngoals;

/* ---- helpers ---- */

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("xxmem-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static double now_ns(void);
static double t_begin;

static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xxmem-bench: [%5.1f s] ",
		t_begin ? (now_ns() - t_begin) / 1e9 : 0.0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Copy a string into a fixed buffer, truncating (labels, notes, names). */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static const char *size_str(uint64_t size, char *buf, size_t n)
{
	if (size >= MiB && size % MiB == 0)
		snprintf(buf, n, "%" PRIu64 " MiB", size / MiB);
	else if (size >= KiB && size % KiB == 0)
		snprintf(buf, n, "%" PRIu64 " KiB", size / KiB);
	else
		snprintf(buf, n, "%" PRIu64 " B", size);
	return buf;
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (toupper((unsigned char)*end)) {
	case 'K': v *= KiB; end++; break;
	case 'M': v *= MiB; end++; break;
	case 'G': v *= 1024 * MiB; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return false;
	*out = v;
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n values, linear interpolation between ranks. */
static double quantile(const double *v, int n, double q)
{
	double s[MAX_REPS], pos;
	int i;

	if (n <= 0)
		return NAN;
	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	pos = q * (n - 1);
	i = (int)pos;
	if (i >= n - 1)
		return s[n - 1];
	return s[i] + (pos - i) * (s[i + 1] - s[i]);
}

static double median(const struct result *r)
{
	return quantile(r->v, r->n, 0.5);
}

static struct result *new_result(const char *test, const char *peer,
				 const char *lbl, uint64_t size,
				 const char *unit, bool higher_better)
{
	struct result *r;

	if (nresults == MAX_RESULTS)
		die("too many results");
	r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	copy_str(r->test, sizeof(r->test), test);
	copy_str(r->peer, sizeof(r->peer), peer);
	copy_str(r->label, sizeof(r->label), lbl);
	r->size = size;
	r->unit = unit;
	r->higher_better = higher_better;
	return r;
}

static struct result *find_result(const char *test, const char *peer,
				  uint64_t size)
{
	int i;

	for (i = 0; i < nresults; i++)
		if (!strcmp(results[i].test, test) &&
		    !strcmp(results[i].peer, peer) && results[i].size == size)
			return &results[i];
	return NULL;
}

static int reps_for(uint64_t size)
{
	return (size >= 256 * MiB && reps_large) ? reps_large : reps;
}

/* Repetitions of the device test: those of BAR sizes up to SMALL_BAR. */
static int dev_reps(void)
{
	return reps_small_bar > reps ? reps_small_bar : reps;
}

/* ---- mapping peers ---- */

struct peer {
	const char *key;
	const char *label;
	int fd;			/* -1: anonymous */
	int flags;
	off_t off;
	int advice;		/* madvise() after mmap, 0: none */
	bool align;		/* place it at a 2 MiB / 1 GiB boundary */
};

/*
 * An address aligned to the largest page-table entry @len can use (1 GiB,
 * else 2 MiB; 0 below 2 MiB): a hole reserved with an anonymous
 * PROT_NONE mapping, trimmed to @len.  What VFIO users (QEMU, DPDK) do for
 * BARs, so that VFIO's huge faults can use PMD and PUD entries.
 */
static void *aligned_hole(size_t len)
{
	size_t al = len >= 1024 * MiB ? 1024 * MiB : len >= 2 * MiB ? 2 * MiB : 0;
	uintptr_t b, a;
	void *base;

	if (!al)
		return NULL;
	base = mmap(NULL, len + al, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("mmap hole of %zu bytes: %s", len + al, strerror(errno));
	b = (uintptr_t)base;
	a = (b + al - 1) & ~(uintptr_t)(al - 1);
	if (a > b)
		munmap(base, a - b);
	if (b + len + al > a + len)
		munmap((void *)(a + len), b + len + al - (a + len));
	return (void *)a;
}

static void *peer_map(const struct peer *p, size_t len)
{
	void *hint = p->align ? aligned_hole(len) : NULL;
	void *a = mmap(hint, len, PROT_READ | PROT_WRITE,
		       p->flags | (hint ? MAP_FIXED : 0), p->fd, p->off);

	if (a == MAP_FAILED)
		die("mmap %s (%zu bytes): %s", p->label, len, strerror(errno));
	if (p->advice && madvise(a, len, p->advice))
		die("madvise %s: %s", p->label, strerror(errno));
	return a;
}

static void touch_pages(void *a, size_t len)
{
	volatile char *c = a;
	size_t off;

	for (off = 0; off < len; off += (size_t)page_size)
		c[off] = (char)off;
}

/* Map @len bytes of @p, store to each page once and unmap them. */
static void store_every_page(const struct peer *p, size_t len)
{
	void *a = peer_map(p, len);

	touch_pages(a, len);
	munmap(a, len);
}

/*
 * One sample of "mmap + first touch": @batch mappings of @len bytes (so
 * that small mappings give a measurable time), each store-touched once per
 * page.  The fault counters are read outside the timed parts.  @r NULL:
 * the same work, untimed (a warm-up).
 */
static void map_touch_sample(const struct peer *p, size_t len, int batch,
			     struct result *r)
{
	void *maps[MAX_BATCH];
	double t0, t1, t2, t3, t4, t5, pages;
	long f0, f1, f2;
	int i, k = r ? r->n : 0;

	f0 = minflt();
	t0 = now_ns();
	for (i = 0; i < batch; i++)
		maps[i] = peer_map(p, len);
	t1 = now_ns();
	f1 = minflt();
	t2 = now_ns();
	for (i = 0; i < batch; i++)
		touch_pages(maps[i], len);
	t3 = now_ns();
	f2 = minflt();
	t4 = now_ns();
	for (i = 0; i < batch; i++)
		munmap(maps[i], len);
	t5 = now_ns();
	if (!r)
		return;

	pages = (double)batch * (double)(len / (size_t)page_size);
	r->v[k] = ((t1 - t0) + (t3 - t2)) / pages;
	r->flt_map[k] = (double)(f1 - f0) / batch;
	r->flt_touch[k] = (double)(f2 - f1) / batch;
	r->unmap[k] = (t5 - t4) / pages;
	r->map_part[k] = (t1 - t0) / pages;
	r->touch_part[k] = (t3 - t2) / pages;
	r->has_faults = true;
	r->n++;
}

static int batch_for(uint64_t len)
{
	uint64_t b = BATCH_BYTES / len;

	return b < 1 ? 1 : b > MAX_BATCH ? MAX_BATCH : (int)b;
}

/*
 * Run map+touch for @npeers peers at one size, interleaved: repetition i
 * starts with peer i mod npeers.
 */
static void map_touch_set(const char *test, const struct peer *peers,
			  int npeers, uint64_t len, int nrep)
{
	struct result *res[8];
	int i, j, batch = batch_for(len);
	char sz[32];

	for (j = 0; j < npeers; j++)
		res[j] = new_result(test, peers[j].key, peers[j].label, len,
				    "ns/page", false);
	for (i = 0; i < nrep; i++)
		for (j = 0; j < npeers; j++) {
			int k = (i + j) % npeers;

			map_touch_sample(&peers[k], len, batch, res[k]);
		}
	progress("%s %s: %d reps x %d peers done", test,
		 size_str(len, sz, sizeof(sz)), nrep, npeers);
}

/* ---- system facts ---- */

static char sys_cpu[128] = "unknown";
static char sys_kernel[160];
static char sys_thp[64] = "unknown";
static char sys_clock[64] = "unknown";
static long sys_mem_kb;
static long sys_ncpu;
static int kver_major, kver_minor;
static uint64_t umem_size;
static uint64_t scatter_size;

static void read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (fgets(buf, (int)n, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void system_facts(void)
{
	struct utsname u;
	char line[256];
	FILE *f;

	uname(&u);
	snprintf(sys_kernel, sizeof(sys_kernel), "%s %s", u.release, u.version);
	sscanf(u.release, "%d.%d", &kver_major, &kver_minor);
	sys_ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *c = strchr(line, ':');

			if (!strncmp(line, "model name", 10) && c) {
				c += 1 + (c[1] == ' ');
				c[strcspn(c, "\n")] = 0;
				copy_str(sys_cpu, sizeof(sys_cpu), c);
				break;
			}
		}
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %ld", &sys_mem_kb) == 1)
				break;
		fclose(f);
	}
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", sys_thp,
		  sizeof(sys_thp));
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  sys_clock, sizeof(sys_clock));
}

/* 6.12 and later have huge PFN mappings: the 6.12 goal set applies. */
static bool huge_pfn_kernel(void)
{
	return kver_major > 6 || (kver_major == 6 && kver_minor >= 12);
}

/* AnonHugePages of the whole process, in kB. */
static long anon_huge_kb(void)
{
	char line[256];
	long kb = 0, v;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld", &v) == 1)
			kb = v;
	fclose(f);
	return kb;
}

/* VmPTE of the process (kB): the page tables of its mappings. */
static long vm_pte_kb(void)
{
	char line[256];
	long kb = -1, v;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld", &v) == 1)
			kb = v;
	fclose(f);
	return kb;
}

static int region_info(int fd, uint32_t index, struct xxmem_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->index = index;
	return ioctl(fd, XXMEM_IOC_REGION_INFO, ri);
}

/* ---- 1: mmap + first touch ---- */

/*
 * Page tables one populated mapping of @len costs (kB, VmPTE delta): 4 KiB
 * PTEs need len / 512 bytes of them (128 kB per 64 MiB); a mapping made of
 * PMD entries needs none (x86 deposits no page table for a PFN or device
 * PMD, unlike an anonymous THP's, so this does not work for those).
 * Faults cannot tell the two apart once a mapping is prefaulted.
 */
static long xx_pte_kb = -1;

static long pte_cost(const struct peer *p, size_t len)
{
	long before = vm_pte_kb(), after;
	void *a = peer_map(p, len);

	touch_pages(a, len);
	after = vm_pte_kb();
	munmap(a, len);
	return before < 0 || after < 0 ? -1 : after - before;
}

static int xx_fd = -1;
static int memfd = -1;
static int zero_fd = -1;

static void test_map_touch(void)
{
	struct peer peers[] = {
		{ "xxmem", "xxmem umem", xx_fd, MAP_SHARED,
		  (off_t)XXMEM_REGION_OFFSET(XXMEM_REGION_UMEM), 0, false },
		{ "anon", "anon (fault on touch)", -1,
		  MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, false },
		{ "anon_populate", "anon MAP_POPULATE", -1,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0, 0, false },
		{ "memfd", "memfd/shmem (resident)", memfd, MAP_SHARED, 0, 0, false },
		{ "devzero", "/dev/zero MAP_SHARED", zero_fd, MAP_SHARED, 0, 0, false },
	};
	int s;

	for (s = 0; s < nsizes; s++)
		map_touch_set("map_touch", peers, 5, sizes[s], reps_for(sizes[s]));
	if (umem_size >= 64 * MiB) {
		xx_pte_kb = pte_cost(&peers[0], 64 * MiB);
	}
}

/* ---- 2: sequential bandwidth ---- */

static double read_pass(const void *a, size_t len)
{
	const uint64_t *q = a;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i, n = len / sizeof(*q);

	for (i = 0; i < n; i += 4) {
		s0 += q[i];
		s1 += q[i + 1];
		s2 += q[i + 2];
		s3 += q[i + 3];
	}
	sink += s0 + s1 + s2 + s3;
	return (double)len;
}

static double write_pass(void *a, size_t len, uint64_t v)
{
	uint64_t *q = a;
	size_t i, n = len / sizeof(*q);

	for (i = 0; i < n; i++)
		q[i] = v + i;
	return (double)len;
}

/* MiB/s of @passes sequential passes over a populated mapping. */
static double bw_sample(void *a, size_t len, int passes, bool write)
{
	double t0, t1, bytes = 0;
	int i;

	t0 = now_ns();
	for (i = 0; i < passes; i++)
		bytes += write ? write_pass(a, len, (uint64_t)i) :
				 read_pass(a, len);
	t1 = now_ns();
	return bytes / MiB / ((t1 - t0) / 1e9);
}

/*
 * Bandwidth of @n populated mappings, interleaved: read, then write, each
 * peer in turn (rotating).  Each timed sample follows an untimed pass of
 * the same kind over the same mapping: under TCG a pass whose translations
 * are not in the emulator's software TLB pays a page walk in C for every
 * 4 KiB page (about as long as storing the 4 KiB), and whether they still
 * are after the other peers' passes depends on where the kernel placed the
 * mappings (QEMU's TLB is direct-mapped by virtual address).  That cost,
 * not the memory, made xxmem's write ratio swing between runs (0.77-1.03
 * on 6.12); the first/second write pass test shows it.
 */
static void bw_set(const char *prefix, void **maps, const char **keys,
		   const char **labels, int n, uint64_t len, int nrep)
{
	struct result *rd[4], *wr[4];

	if (n > 4)
		die("bw_set: too many peers");
	char tname[24];
	int passes = (int)(BW_BYTES / len), i, j;

	if (passes < 1)
		passes = 1;
	for (j = 0; j < n; j++) {
		snprintf(tname, sizeof(tname), "%sbw_read", prefix);
		rd[j] = new_result(tname, keys[j], labels[j], len, "MiB/s", true);
		snprintf(tname, sizeof(tname), "%sbw_write", prefix);
		wr[j] = new_result(tname, keys[j], labels[j], len, "MiB/s", true);
	}
	for (j = 0; j < n; j++) {		/* warm-up pass */
		bw_sample(maps[j], len, 1, true);
		bw_sample(maps[j], len, 1, false);
	}
	for (i = 0; i < nrep; i++) {
		for (j = 0; j < n; j++) {
			int k = (i + j) % n;

			bw_sample(maps[k], len, 1, false);
			rd[k]->pos[rd[k]->n] = j;
			rd[k]->v[rd[k]->n++] = bw_sample(maps[k], len, passes,
							 false);
		}
		for (j = 0; j < n; j++) {
			int k = (i + j) % n;

			bw_sample(maps[k], len, 1, true);
			wr[k]->pos[wr[k]->n] = j;
			wr[k]->v[wr[k]->n++] = bw_sample(maps[k], len, passes,
							 true);
		}
	}
}

static void *aligned_anon(size_t len, int advice, void **base, size_t *blen);
static void test_write_passes(uint64_t len, int nrep);
static long anon_huge_kb(void);

/*
 * xxmem vs anonymous memory as the kernel gives it (THP "always" makes
 * most of a large mapping huge pages: the goal's peer), and, for
 * information, anonymous memory held to 4 KiB pages (MADV_NOHUGEPAGE).
 */
static void test_bandwidth(void)
{
	static const char *keys[] = { "xxmem", "anon", "anon_4k" };
	static const char *labels[] = {
		"xxmem umem", "anon (populated)", "anon MADV_NOHUGEPAGE"
	};
	struct peer xx = { "xxmem", "xxmem umem", xx_fd, MAP_SHARED, 0, 0, false };
	struct peer an = { "anon", "anon", -1,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0, 0, false };
	int s;

	for (s = 0; s < nsizes; s++) {
		uint64_t len = sizes[s];
		void *maps[3], *base;
		size_t blen;
		struct result *r;
		long huge, pte;
		char sz[32];

		if (len < 2 * MiB || len > 64 * MiB)
			continue;
		pte = vm_pte_kb();
		maps[0] = peer_map(&xx, len);
		write_pass(maps[0], len, 0);
		pte = vm_pte_kb() - pte;
		huge = anon_huge_kb();
		maps[1] = peer_map(&an, len);
		huge = anon_huge_kb() - huge;
		maps[2] = aligned_anon(len, MADV_NOHUGEPAGE, &base, &blen);
		bw_set("", maps, keys, labels, 3, len, reps);
		munmap(maps[0], len);
		munmap(maps[1], len);
		munmap(base, blen);
		r = find_result("bw_read", "anon", len);
		snprintf(r->note, sizeof(r->note), "AnonHugePages %ld kB of %" PRIu64,
			 huge, len / KiB);
		r = find_result("bw_read", "xxmem", len);
		snprintf(r->note, sizeof(r->note),
			 "page tables +%ld kB (4 KiB PTEs: %" PRIu64 " kB)", pte,
			 len / (2 * MiB) * 4);
		if (len == 64 * MiB)
			test_write_passes(len, reps);
		progress("bandwidth %s done", size_str(len, sz, sizeof(sz)));
	}
}

/*
 * Where a write-bandwidth gap could come from, taken apart: each
 * repetition maps every peer afresh with MAP_POPULATE (xxmem's shared
 * mapping is populated by read faults, anonymous memory by write faults),
 * then times a first and a second write pass over it, separately, the
 * peers' order rotating.  The first pass carries whatever the first store
 * to a page costs (a write fault or a dirty bit to set, the emulator's
 * first store to a guest page); the second is the steady state, as in the
 * bandwidth table, which uses long-lived mappings after a warm-up pass.
 * Minor faults during the first pass go into flt_touch.
 */
static void test_write_passes(uint64_t len, int nrep)
{
	static const char *keys[] = { "xxmem", "anon", "anon_4k" };
	static const char *labels[] = {
		"xxmem umem", "anon (THP)", "anon MADV_NOHUGEPAGE"
	};
	struct peer pr[3] = {
		{ "xxmem", "xxmem umem", xx_fd, MAP_SHARED | MAP_POPULATE, 0, 0, false },
		{ "anon", "anon", -1,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0, 0, false },
		{ "anon_4k", "anon 4k", -1,
		  MAP_PRIVATE | MAP_ANONYMOUS, 0, MADV_NOHUGEPAGE, false },
	};
	struct result *w1[3], *w2[3];
	long pte, xx_pte = -1;
	int i, j;

	for (j = 0; j < 3; j++) {
		w1[j] = new_result("bw_write_first", keys[j], labels[j], len,
				   "MiB/s", true);
		w2[j] = new_result("bw_write_second", keys[j], labels[j], len,
				   "MiB/s", true);
		w1[j]->has_faults = false;
	}
	for (i = 0; i < nrep; i++)
		for (j = 0; j < 3; j++) {
			int k = (i + j) % 3;
			void *a, *base = NULL;
			size_t blen = 0;
			long f0;

			if (k == 2) {
				a = aligned_anon(len, MADV_NOHUGEPAGE, &base, &blen);
			} else {
				pte = vm_pte_kb();
				a = peer_map(&pr[k], len);
				if (k == 0 && i == 0)
					xx_pte = vm_pte_kb() - pte;
			}
			f0 = minflt();
			w1[k]->pos[w1[k]->n] = j;
			w1[k]->v[w1[k]->n] = bw_sample(a, len, 1, true);
			w1[k]->flt_touch[w1[k]->n++] = (double)(minflt() - f0);
			w2[k]->pos[w2[k]->n] = j;
			w2[k]->v[w2[k]->n++] = bw_sample(a, len, 1, true);
			if (base)
				munmap(base, blen);
			else
				munmap(a, len);
		}
	for (j = 0; j < 3; j++)
		snprintf(w1[j]->note, sizeof(w1[j]->note),
			 "minor faults in the pass: %.0f",
			 quantile(w1[j]->flt_touch, w1[j]->n, 0.5));
	snprintf(w2[0]->note, sizeof(w2[0]->note),
		 "page tables +%ld kB after MAP_POPULATE", xx_pte);
}

/* ---- 3: one-page mmap + munmap cycle ---- */

#define SPLIT_BATCH	64

/* mmap @p at @addr, a hole the caller made (never over a mapping). */
static void *map_at(const struct peer *p, void *addr, size_t len)
{
	void *a = mmap(addr, len, PROT_READ | PROT_WRITE,
		       p->flags | MAP_FIXED_NOREPLACE, p->fd, p->off);

	if (a == MAP_FAILED)
		die("mmap %s at %p: %s", p->label, addr, strerror(errno));
	return a;
}

/* ns per mmap+munmap cycle of one page at @slot, with a store if @touch. */
static double cycle_sample(const struct peer *p, char *slot, bool touch)
{
	size_t len = (size_t)page_size;
	double t0 = now_ns();
	int c;

	for (c = 0; c < CYCLES; c++) {
		void *a = map_at(p, slot, len);

		if (touch)
			*(volatile char *)a = 1;
		munmap(a, len);
	}
	return (now_ns() - t0) / CYCLES;
}

/*
 * Where a one-page mapping lands decides what its munmap costs: if no
 * other mapping shares its 2 MiB, the page table the prefault (or the
 * first touch) allocated is freed again with a TLB flush; if one does, it
 * stays.  Both layouts are made explicit inside a reservation:
 *
 *   base + 0      a live anonymous page; the "kept" slot is the next page
 *   base + 4 MiB  a 4 MiB hole; the "alone" slot is at base + 5 MiB
 *
 * and a slot alone in its 512 GiB, at LONE_SLOT, where the PMD and PUD
 * pages are made and freed too: what mmap(NULL) of a page gets in a process
 * as small as this one, whose mmap area holds nothing else.  The goal row
 * is the "alone in its 2 MiB" layout.
 */
#define LONE_SLOT	((char *)0x300000000000UL + 256 * 1024 * MiB)

/*
 * Round @i of a cycle test at @slot: one sample of each of the three
 * peers into @r, the first peer rotating from round to round.
 */
static void cycle_round(struct result **r, const struct peer *peers,
			char *slot, bool touch, int i)
{
	int j, k;

	for (j = 0; j < 3; j++) {
		k = (i + j) % 3;
		r[k]->v[r[k]->n++] = cycle_sample(&peers[k], slot, touch);
	}
}

static void test_cycle(void)
{
	struct peer peers[] = {
		{ "xxmem", "xxmem umem", xx_fd, MAP_SHARED, 0, 0, false },
		{ "devzero", "/dev/zero MAP_SHARED", zero_fd, MAP_SHARED, 0, 0, false },
		{ "anon", "anon", -1, MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, false },
	};
	struct result *alone[3], *touched[3], *keep[3], *far[3];
	struct result *smap[2], *sunmap[2];
	size_t len = (size_t)page_size;
	char *resv, *base, *kept_slot, *alone_slot;
	int i, j, c;

	resv = mmap(NULL, 16 * MiB, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED)
		die("mmap reservation: %s", strerror(errno));
	base = (char *)(((uintptr_t)resv + 2 * MiB - 1) &
			~(uintptr_t)(2 * MiB - 1));
	munmap(base, len);
	map_at(&peers[2], base, len);
	*(volatile char *)base = 1;
	kept_slot = base + len;
	munmap(kept_slot, len);
	munmap(base + 4 * MiB, 4 * MiB);
	alone_slot = base + 5 * MiB;

	for (j = 0; j < 3; j++) {
		alone[j] = new_result("cycle", peers[j].key, peers[j].label,
				      len, "ns/cycle", false);
		touched[j] = new_result("cycle_touch", peers[j].key,
					peers[j].label, len, "ns/cycle", false);
		keep[j] = new_result("cycle_keep", peers[j].key, peers[j].label,
				     len, "ns/cycle", false);
		far[j] = new_result("cycle_lone", peers[j].key, peers[j].label,
				    len, "ns/cycle", false);
	}
	for (j = 0; j < 2; j++) {
		smap[j] = new_result("cycle_mmap", peers[j].key, peers[j].label,
				     len, "ns/mmap", false);
		sunmap[j] = new_result("cycle_munmap", peers[j].key,
				       peers[j].label, len, "ns/munmap", false);
	}
	for (i = 0; i < reps; i++) {
		cycle_round(alone, peers, alone_slot, false, i);
		cycle_round(touched, peers, alone_slot, true, i);
		cycle_round(keep, peers, kept_slot, false, i);
		cycle_round(far, peers, LONE_SLOT, false, i);
		/* The two halves apart: SPLIT_BATCH mmaps, then the munmaps. */
		for (j = 0; j < 2; j++) {
			int k = (i + j) % 2;
			double t0, t1, t2;

			t0 = now_ns();
			for (c = 0; c < SPLIT_BATCH; c++)
				map_at(&peers[k], alone_slot + (size_t)c * len, len);
			t1 = now_ns();
			for (c = 0; c < SPLIT_BATCH; c++)
				munmap(alone_slot + (size_t)c * len, len);
			t2 = now_ns();
			smap[k]->v[smap[k]->n++] = (t1 - t0) / SPLIT_BATCH;
			sunmap[k]->v[sunmap[k]->n++] = (t2 - t1) / SPLIT_BATCH;
		}
	}
	munmap(resv, 16 * MiB);
	progress("1-page mmap+munmap cycles done");
}

/* ---- 4: device memory ---- */

static char ivshmem_bdf[32];
static uint64_t ivshmem_bar_size;
static char dev_note[160] = "";
static struct xxmem_region_info bar_region;
static int bar_fd = -1;

static bool read_hex(const char *dir, const char *name, unsigned long *v)
{
	char path[512], buf[32] = "";

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	read_line(path, buf, sizeof(buf));
	return sscanf(buf, "%lx", v) == 1;
}

/*
 * The ivshmem functions, by address: the first is the one xxmem binds; the
 * second, if any, is given to vfio-pci (a BAR cannot be bound to two
 * drivers at once); sysfs maps the third, unbound all along, if there is
 * one, else the first while xxmem is unbound from it.
 */
static char vfio_bdf[32];
static char sysfs_bdf[32];
static bool sysfs_apart;	/* sysfs has a function of its own */

static bool find_ivshmem(void)
{
	const char *base = "/sys/bus/pci/devices";
	struct dirent **names;
	int i, n, found = 0;

	n = scandir(base, &names, NULL, alphasort);
	if (n < 0)
		return false;
	for (i = 0; i < n; i++) {
		char dir[512];
		unsigned long ven, dev;

		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && found < 3 &&
		    read_hex(dir, "vendor", &ven) && read_hex(dir, "device", &dev) &&
		    ven == IVSHMEM_VENDOR && dev == IVSHMEM_DEVICE) {
			char *to = found == 0 ? ivshmem_bdf :
				   found == 1 ? vfio_bdf : sysfs_bdf;

			copy_str(to, sizeof(ivshmem_bdf), names[i]->d_name);
			found++;
		}
		free(names[i]);
	}
	free(names);
	sysfs_apart = found == 3;
	if (!sysfs_apart)
		copy_str(sysfs_bdf, sizeof(sysfs_bdf), ivshmem_bdf);
	return found > 0;
}

/*
 * xxmem's node for the ivshmem function: the misc device whose parent is
 * the PCI function (/sys/bus/pci/devices/BDF/misc/xxmemN), else
 * /dev/xxmem1.
 */
static char bar_node[64];

static void find_bar_node(void)
{
	char dir[128];
	struct dirent *e;
	DIR *d;

	if (bar_dev_path) {
		copy_str(bar_node, sizeof(bar_node), bar_dev_path);
		return;
	}
	copy_str(bar_node, sizeof(bar_node), "/dev/xxmem1");
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/misc", ivshmem_bdf);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "xxmem", 5) && strlen(e->d_name) < 32) {
			snprintf(bar_node, sizeof(bar_node), "/dev/%s", e->d_name);
			break;
		}
	closedir(d);
}

/*
 * xxmem's device region for the shared memory BAR: region 2 (BAR 2) if it
 * is a device region, else the largest device region of the node.  No
 * node, or no device region: bar_fd stays -1 and xxmem's column is n/a.
 */
static void find_bar_region(void)
{
	struct xxmem_region_info ri, best = { 0 };
	uint32_t i;

	find_bar_node();
	bar_fd = open(bar_node, O_RDWR);
	if (bar_fd < 0)
		return;
	for (i = 0; i < 256; i++) {
		if (region_info(bar_fd, i, &ri))
			break;
		if (!(ri.flags & XXMEM_REGION_DEVICE) || !ri.size)
			continue;
		if (i == 2) {
			best = ri;
			break;
		}
		if (ri.size > best.size)
			best = ri;
	}
	if (best.size) {
		bar_region = best;
		return;
	}
	close(bar_fd);
	bar_fd = -1;
}

/* The size of BAR 2 of PCI function @bdf (its sysfs resource2 file). */
static uint64_t bar2_size(const char *bdf)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource2", bdf);
	if (stat(path, &st))
		die("stat %s: %s", path, strerror(errno));
	return (uint64_t)st.st_size;
}

static int open_resource(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s",
		 sysfs_bdf, name);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* Write a pattern through a mapping and read it back: is the BAR there? */
static bool bar_works(const struct peer *p, size_t len)
{
	volatile uint64_t *q = peer_map(p, len);
	size_t i, n = len / sizeof(*q);
	bool ok = true;

	for (i = 0; i < n; i += 509)
		q[i] = 0x5a5a000000000000ULL ^ i;
	for (i = 0; i < n && ok; i += 509)
		ok = q[i] == (0x5a5a000000000000ULL ^ i);
	munmap((void *)q, len);
	return ok;
}

/*
 * While xxmem is bound to the function its BARs are claimed, and with
 * CONFIG_IO_STRICT_DEVMEM the sysfs resource files refuse mmap (EINVAL).
 * So sysfs maps a function of its own, unbound for the run, when there is
 * a third: every repetition then measures all peers side by side.  With
 * two functions each repetition has two phases, their order alternating:
 * xxmem bound (its BAR region measured), and the function unbound
 * (resource2 and resource2_wc measured), so the samples of a pair are a
 * phase and an unbind or bind apart.  Without an xxmem node there is one
 * phase.
 */
static char bar_driver[64];
static bool bar_bound;		/* the function is bound to bar_driver */
static char sysfs_driver[64];	/* the driver sysfs' own function had */

void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		die("write %s to %s: %s", val, path, strerror(errno));
	close(fd);
}

void pci_unbind(const char *bdf)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	sysfs_write(path, bdf);
}

static void pci_bind(const char *driver, const char *bdf)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", driver);
	sysfs_write(path, bdf);
}

/* Turn memory decoding of unbound function @bdf on, if it is off. */
static void pci_enable(const char *bdf)
{
	char path[256], en[16] = "";

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", bdf);
	read_line(path, en, sizeof(en));
	if (en[0] == '0')
		sysfs_write(path, "1");
}

static void set_bound(bool bound)
{
	if (!bar_driver[0] || bound == bar_bound)
		return;
	bar_bound = bound;
	if (bound) {
		pci_bind(bar_driver, ivshmem_bdf);
		find_bar_region();
		if (bar_fd < 0)
			die("no device region on %s after binding %s to %s",
			    bar_node, ivshmem_bdf, bar_driver);
	} else {
		if (bar_fd >= 0)
			close(bar_fd);
		bar_fd = -1;
		pci_unbind(ivshmem_bdf);
	}
}

void bound_driver_of(const char *bdf, char *buf, size_t n)
{
	char path[256], link[256];
	ssize_t len;
	char *b;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return;
	link[len] = 0;
	b = strrchr(link, '/');
	copy_str(buf, n, b ? b + 1 : link);
}

/*
 * Device sizes (-S): map+touch of the BAR at these sizes, as far as the
 * BAR is large enough.
 */
static uint64_t dev_sizes[MAX_SIZES];
static int ndev_sizes;
static struct vfio_bar vfio_bar;
static char vfio_note[320] = "";

/* The VFIO peer: the second ivshmem function through vfio-pci. */
static bool open_vfio_peer(struct peer *vf, char *lbl, size_t n)
{
	if (!vfio_bdf[0]) {
		snprintf(vfio_note, sizeof(vfio_note),
			 "no second ivshmem function for vfio-pci");
		return false;
	}
	if (vfio_open_bar(vfio_bdf, 2, &vfio_bar)) {
		copy_str(vfio_note, sizeof(vfio_note), vfio_bar.why);
		return false;
	}
	snprintf(lbl, n, "VFIO %s BAR2 (%s)", vfio_bdf,
		 vfio_bar.noiommu ? "no-IOMMU" : "type1 IOMMU");
	*vf = (struct peer){ "vfio", lbl, vfio_bar.device, MAP_SHARED,
			     (off_t)vfio_bar.offset, 0, true };
	if (!bar_works(vf, (size_t)page_size))
		die("%s does not read back what was written", lbl);
	snprintf(vfio_note, sizeof(vfio_note), "%s, group %s", lbl,
		 vfio_bar.group_path);
	return true;
}

/*
 * Peers: 0 xxmem (the first ivshmem function bound to xxmem), 1 and 2
 * sysfs resource2 and resource2_wc of the third function (unbound), 3 VFIO
 * (the second function, bound to vfio-pci all along); each repetition
 * measures the four in one phase, the first of them rotating.  Without a
 * third function sysfs maps the first, and each repetition has two phases
 * in alternating order: bound (xxmem and VFIO, rotating) and unbound (the
 * two sysfs files, rotating).
 */
#define NDEV	4

static void test_device(void)
{
	struct peer xx, sys[2], vf;
	struct result *mt[MAX_SIZES][NDEV], *rd[NDEV], *wr[NDEV];
	uint64_t lim, bw_len = 0;
	char drv[64], sz[32];
	static char xlbl[160], vlbl[200];
	bool have_vfio;
	int i, s, j, ph, nph, batch[MAX_SIZES];

	if (!find_ivshmem()) {
		snprintf(dev_note, sizeof(dev_note),
			 "no ivshmem device (1af4:1110) in this machine");
		progress("%s: device tests skipped", dev_note);
		return;
	}
	ivshmem_bar_size = bar2_size(ivshmem_bdf);
	lim = ivshmem_bar_size;
	if (sysfs_apart) {
		uint64_t size = bar2_size(sysfs_bdf);

		if (size < lim)
			lim = size;
	}

	bound_driver_of(ivshmem_bdf, drv, sizeof(drv));
	find_bar_region();
	if (bar_fd >= 0) {
		const char *node = strrchr(bar_node, '/');

		if (!drv[0])
			die("%s has a device region but %s has no driver",
			    bar_node, ivshmem_bdf);
		copy_str(bar_driver, sizeof(bar_driver), drv);
		bar_bound = true;
		snprintf(xlbl, sizeof(xlbl), "xxmem %s region %u %.16s (%s)",
			 node ? node + 1 : bar_node, bar_region.index,
			 bar_region.name,
			 bar_region.cache == XXMEM_CACHE_WC ? "WC" :
			 bar_region.cache == XXMEM_CACHE_UC ? "UC" : "WB");
		xx = (struct peer){ "xxmem", xlbl, -1, MAP_SHARED,
				    (off_t)bar_region.offset, 0, false };
		if (bar_region.size < lim)
			lim = bar_region.size;
		if (!bar_works(&(struct peer){ "xxmem", xlbl, bar_fd, MAP_SHARED,
					       (off_t)bar_region.offset, 0, false },
			       (size_t)page_size))
			die("%s does not read back what was written", xlbl);
	} else if (drv[0]) {
		die("%s is bound to %s, which claims its BARs: sysfs resource "
		    "mmap would fail", ivshmem_bdf, drv);
	} else if (!sysfs_apart) {
		/* Memory decoding on (the BIOS usually did it already). */
		pci_enable(ivshmem_bdf);
	}
	if (sysfs_apart) {
		bound_driver_of(sysfs_bdf, sysfs_driver, sizeof(sysfs_driver));
		if (sysfs_driver[0])
			pci_unbind(sysfs_bdf);
		pci_enable(sysfs_bdf);
	}
	have_vfio = open_vfio_peer(&vf, vlbl, sizeof(vlbl));
	if (have_vfio && vfio_bar.size < lim)
		lim = vfio_bar.size;
	if (!have_vfio)
		progress("no VFIO peer: %s", vfio_note);

	if (!sysfs_apart)
		set_bound(false);
	sys[0] = (struct peer){ "resource2", "sysfs resource2 (UC)",
				open_resource("resource2"), MAP_SHARED, 0, 0, false };
	sys[1] = (struct peer){ "resource2_wc", "sysfs resource2_wc (WC)",
				open_resource("resource2_wc"), MAP_SHARED, 0, 0, false };
	for (j = 0; j < 2; j++)
		if (!bar_works(&sys[j], (size_t)page_size))
			die("%s of %s does not read back what was written",
			    sys[j].label, sysfs_bdf);

	/*
	 * The BARs are sparse files on the host: the first store to each of
	 * their pages costs the host a page-cache allocation, which would
	 * land on whichever peer touches a page first.  Store to every page
	 * of each BAR once before measuring.
	 */
	store_every_page(&sys[0], (size_t)lim);
	if (sysfs_apart && bar_driver[0]) {
		xx.fd = bar_fd;
		store_every_page(&xx, (size_t)lim);
	}
	if (have_vfio)
		store_every_page(&vf, (size_t)lim);

	for (s = 0; s < ndev_sizes; s++) {
		uint64_t len = dev_sizes[s];

		batch[s] = batch_for(len);
		for (j = 0; j < NDEV; j++)
			mt[s][j] = NULL;
		if (len > lim)
			continue;
		if (bar_driver[0])
			mt[s][0] = new_result("dev_map_touch", "xxmem", xx.label,
					      len, "ns/page", false);
		for (j = 0; j < 2; j++)
			mt[s][1 + j] = new_result("dev_map_touch", sys[j].key,
						  sys[j].label, len, "ns/page",
						  false);
		if (have_vfio)
			mt[s][3] = new_result("dev_map_touch", "vfio", vf.label,
					      len, "ns/page", false);
		if (len >= 2 * MiB && len <= 64 * MiB)
			bw_len = len;
	}
	for (j = 0; j < NDEV; j++)
		rd[j] = wr[j] = NULL;
	for (j = 0; bw_len && j < NDEV; j++) {
		const struct peer *p = j == 0 ? &xx : j == 3 ? &vf : &sys[j - 1];

		if ((j == 0 && !bar_driver[0]) || (j == 3 && !have_vfio))
			continue;
		rd[j] = new_result("dev_bw_read", p->key, p->label, bw_len,
				   "MiB/s", true);
		wr[j] = new_result("dev_bw_write", p->key, p->label, bw_len,
				   "MiB/s", true);
	}

	nph = sysfs_apart ? 1 : 2;
	for (i = 0; i < dev_reps(); i++) {
		for (ph = 0; ph < nph; ph++) {
			bool bound = nph == 1 || (ph == 0) == (i % 2 == 0);
			const struct peer *pp[NDEV];
			int idx[NDEV], np = 0, k;

			if (bound) {
				if (bar_driver[0]) {
					set_bound(true);
					xx.fd = bar_fd;
					idx[np] = 0;
					pp[np++] = &xx;
				}
				if (have_vfio) {
					idx[np] = 3;
					pp[np++] = &vf;
				}
			}
			if (nph == 1 || !bound) {
				if (!sysfs_apart)
					set_bound(false);
				idx[np] = 1;
				pp[np++] = &sys[0];
				idx[np] = 2;
				pp[np++] = &sys[1];
			}
			for (s = 0; s < ndev_sizes; s++) {
				if (dev_sizes[s] > lim ||
				    (i >= reps && dev_sizes[s] > SMALL_BAR))
					continue;
				for (k = 0; k < np; k++) {
					int m = (i + k) % np;

					/*
					 * Untimed first, the same peer and
					 * size: under TCG an mmap after
					 * other code pays for the emulator's
					 * translations that code displaced
					 * (a munmap of 1 MiB flushes its
					 * whole TLB), and the peers'
					 * phase-mates differ - sysfs'
					 * resource2 and resource2_wc share
					 * their code, xxmem and VFIO do not.
					 */
					map_touch_sample(pp[m], dev_sizes[s],
							 batch[s], NULL);
					map_touch_sample(pp[m], dev_sizes[s],
							 batch[s], mt[s][idx[m]]);
				}
			}
			for (k = 0; bw_len && i < reps && k < np; k++) {
				int m = (i + k) % np, e = idx[m];
				void *a = peer_map(pp[m], bw_len);
				int passes = (int)(BW_BYTES / bw_len);

				touch_pages(a, bw_len);
				bw_sample(a, bw_len, 1, false);
				rd[e]->v[rd[e]->n++] =
					bw_sample(a, bw_len, passes, false);
				wr[e]->v[wr[e]->n++] =
					bw_sample(a, bw_len, passes, true);
				munmap(a, bw_len);
			}
		}
	}
	set_bound(true);		/* as found */
	close(sys[0].fd);
	close(sys[1].fd);
	if (sysfs_driver[0])
		pci_bind(sysfs_driver, sysfs_bdf);
	if (bar_fd >= 0)
		close(bar_fd);
	bar_fd = -1;
	if (have_vfio)
		vfio_close(&vfio_bar);
	progress("device memory (%s, BAR2 %s, %s; sysfs: %s; VFIO: %s) done",
		 ivshmem_bdf, size_str(ivshmem_bar_size, sz, sizeof(sz)),
		 !bar_driver[0] ? "no xxmem BAR region" :
		 sysfs_apart ? "xxmem bound" : "xxmem bound/unbound per repetition",
		 sysfs_bdf, vfio_note);
}

/* ---- 5: scatter vs umem; random reads ---- */

static double rand_sample(const void *a, size_t len, long n, uint64_t seed)
{
	const uint64_t *q = a;
	unsigned int bits = 0;
	uint64_t x = seed, s = 0;
	double t0;
	long i;

	while ((1UL << (bits + 1)) <= len / sizeof(*q))
		bits++;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		s += q[x >> (64 - bits)];
	}
	sink += s;
	return (now_ns() - t0) / (double)n;
}

/* A 2 MiB-aligned anonymous buffer of @len bytes with @advice, populated. */
static void *aligned_anon(size_t len, int advice, void **base, size_t *blen)
{
	uintptr_t a;

	*blen = len + 2 * MiB;
	*base = mmap(NULL, *blen, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*base == MAP_FAILED)
		die("mmap anon %zu: %s", *blen, strerror(errno));
	a = ((uintptr_t)*base + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1);
	if (madvise((void *)a, len, advice))
		die("madvise: %s", strerror(errno));
	touch_pages((void *)a, len);
	return (void *)a;
}

static long thp_kb;

static void test_scatter_random(void)
{
	struct peer sc[] = {
		{ "scatter", "xxmem scatter (8 handles)", xx_fd, MAP_SHARED,
		  (off_t)XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER), 0, false },
		{ "xxmem", "xxmem umem (1 handle)", xx_fd, MAP_SHARED, 0, 0, false },
	};
	struct result *rr[3];
	void *maps[3], *base[2];
	size_t blen[2];
	long before;
	int i, j;

	if (scatter_size && scatter_size <= umem_size)
		map_touch_set("scatter_map_touch", sc, 2, scatter_size, reps);
	else
		progress("scatter test skipped (scatter %" PRIu64
			 " bytes, umem %" PRIu64 ")", scatter_size, umem_size);

	if (umem_size < RAND_SIZE) {
		progress("random reads skipped: umem_size below 64 MiB");
		return;
	}
	maps[0] = peer_map(&sc[1], RAND_SIZE);
	before = anon_huge_kb();
	maps[1] = aligned_anon(RAND_SIZE, MADV_HUGEPAGE, &base[0], &blen[0]);
	thp_kb = anon_huge_kb() - before;
	maps[2] = aligned_anon(RAND_SIZE, MADV_NOHUGEPAGE, &base[1], &blen[1]);
	rr[0] = new_result("rand_read", "xxmem", "xxmem umem", RAND_SIZE,
			   "ns/read", false);
	rr[1] = new_result("rand_read", "anon_thp", "anon MADV_HUGEPAGE",
			   RAND_SIZE, "ns/read", false);
	rr[2] = new_result("rand_read", "anon_4k", "anon MADV_NOHUGEPAGE",
			   RAND_SIZE, "ns/read", false);
	snprintf(rr[1]->note, sizeof(rr[1]->note),
		 "AnonHugePages %ld kB of %lu", thp_kb, RAND_SIZE / KiB);
	for (j = 0; j < 3; j++)			/* warm-up */
		rand_sample(maps[j], RAND_SIZE, nreads / 4, 1);
	for (i = 0; i < reps; i++)
		for (j = 0; j < 3; j++) {
			int k = (i + j) % 3;

			rr[k]->v[rr[k]->n++] = rand_sample(maps[k], RAND_SIZE,
							   nreads, 2 * (uint64_t)i + 1);
		}
	munmap(maps[0], RAND_SIZE);
	munmap(base[0], blen[0]);
	munmap(base[1], blen[1]);
	progress("random reads done (THP: %ld kB)", thp_kb);
}

/* ---- goals ---- */

/*
 * Paired ratios a[i]/b[i]: sample i of every peer comes from repetition i,
 * taken next to each other, so a load change of the host (TCG shares the
 * machine) cancels out of the pair.  Their median is the goal ratio; the
 * 25th and 75th percentile its spread.
 */
static void paired_ratio(const struct result *a, const struct result *b,
			 bool invert, double *med, double *lo, double *hi)
{
	double r[MAX_REPS];
	int i, n = a->n < b->n ? a->n : b->n;

	for (i = 0; i < n; i++)
		r[i] = invert ? b->v[i] / a->v[i] : a->v[i] / b->v[i];
	*med = quantile(r, n, 0.5);
	*lo = quantile(r, n, 0.25);
	*hi = quantile(r, n, 0.75);
}

static struct goal *add_goal(const char *name, const char *cmp, double target)
{
	struct goal *g = &goals[ngoals++];

	memset(g, 0, sizeof(*g));
	copy_str(g->name, sizeof(g->name), name);
	copy_str(g->cmp, sizeof(g->cmp), cmp);
	g->target = target;
	g->ratio = g->lo = g->hi = g->rom = NAN;
	g->status = "n/a";
	g->what = "ratio";
	return g;
}

static void judge(struct goal *g)
{
	bool ok;

	if (isnan(g->ratio))
		return;
	if (!strcmp(g->cmp, "<="))
		ok = g->ratio <= g->target;
	else if (!strcmp(g->cmp, ">="))
		ok = g->ratio >= g->target;
	else
		ok = g->ratio == g->target;
	g->status = ok ? "met" : "not met";
}

/*
 * A ratio goal: a/b (times), or b/a when @invert (throughputs, or times
 * turned into speeds): the median of the paired ratios.
 */
static void ratio_goal(struct goal *g, const struct result *a,
		       const struct result *b, bool invert)
{
	if (!a || !b || !a->n || !b->n) {
		snprintf(g->note, sizeof(g->note), "not measured in this run");
		return;
	}
	g->rom = invert ? median(b) / median(a) : median(a) / median(b);
	paired_ratio(a, b, invert, &g->ratio, &g->lo, &g->hi);
	judge(g);
}

/*
 * Bandwidth goals: anonymous memory as the kernel gives it is mostly THP;
 * note xxmem's ratio to anonymous memory held to 4 KiB pages as well, the
 * same page size as xxmem's mapping.
 */
static void note_4k(struct goal *g, const char *test)
{
	const struct result *a = find_result(test, "anon_4k", 64 * MiB);
	const struct result *b = find_result(test, "xxmem", 64 * MiB);
	double med, lo, hi;

	if (!a || !b || !a->n || !b->n || g->note[0])
		return;
	paired_ratio(a, b, true, &med, &lo, &hi);
	snprintf(g->note, sizeof(g->note),
		 "xxmem / anon MADV_NOHUGEPAGE (4 KiB pages, as xxmem's): %.3f",
		 med);
}

/*
 * The paired ratios xxmem / anon of @test at 64 MiB split by which of the
 * two ran first in the repetition: a medians' pair that differs by more
 * than the noise is an order effect of the measurement.
 */
static void order_split(const char *test, double *xx_first, double *anon_first)
{
	const struct result *a = find_result(test, "anon", 64 * MiB);
	const struct result *b = find_result(test, "xxmem", 64 * MiB);
	double r1[MAX_REPS], r2[MAX_REPS];
	int i, n1 = 0, n2 = 0, n;

	*xx_first = *anon_first = NAN;
	if (!a || !b)
		return;
	n = a->n < b->n ? a->n : b->n;
	for (i = 0; i < n; i++) {
		if (b->pos[i] < a->pos[i])
			r1[n1++] = b->v[i] / a->v[i];
		else
			r2[n2++] = b->v[i] / a->v[i];
	}
	*xx_first = quantile(r1, n1, 0.5);
	*anon_first = quantile(r2, n2, 0.5);
}

/* The write-bandwidth goal's note: 4 KiB peer, order, first/second pass. */
static void write_note(struct goal *g)
{
	const struct result *x1 = find_result("bw_write_first", "xxmem", 64 * MiB);
	const struct result *a1 = find_result("bw_write_first", "anon", 64 * MiB);
	const struct result *x2 = find_result("bw_write_second", "xxmem", 64 * MiB);
	const struct result *a2 = find_result("bw_write_second", "anon", 64 * MiB);
	double f, s2, lo, hi, o1, o2;
	size_t len = strlen(g->note);

	order_split("bw_write", &o1, &o2);
	if (!isnan(o1))
		len += (size_t)snprintf(g->note + len, sizeof(g->note) - len,
					"; xxmem ran first %.3f, anon first %.3f",
					o1, o2);
	if (x1 && a1 && x2 && a2 && len < sizeof(g->note)) {
		paired_ratio(a1, x1, true, &f, &lo, &hi);
		paired_ratio(a2, x2, true, &s2, &lo, &hi);
		snprintf(g->note + len, sizeof(g->note) - len,
			 "; fresh mapping: 1st pass %.3f, 2nd pass %.3f", f, s2);
	}
}

/* Minor faults per mapping of a map+touch result: its mmap's and touch's. */
static double faults_per_map(const struct result *r)
{
	return quantile(r->flt_map, r->n, 0.5) + quantile(r->flt_touch, r->n, 0.5);
}

/* A goal on the faults per mapping of @r (none measured: left n/a). */
static struct goal *fault_goal(const char *name, double target,
			       const struct result *r)
{
	struct goal *g = add_goal(name, "<=", target);

	g->what = "faults";
	if (r) {
		g->ratio = faults_per_map(r);
		judge(g);
	}
	return g;
}

static void bar_goals(bool big);

static void evaluate_goals(void)
{
	bool big = huge_pfn_kernel();
	const struct result *xx64 = find_result("map_touch", "xxmem", 64 * MiB);
	const struct result *pop64 = find_result("map_touch", "anon_populate",
						 64 * MiB);
	struct goal *g;
	const char *only612 = "applies to kernels with huge PFN maps (6.12+)";
	char pmd_note[96] = "";
	const char *only61 = "applies to kernels without huge PFN maps (6.1)";

	if (xx_pte_kb >= 0)
		snprintf(pmd_note, sizeof(pmd_note),
			 "xxmem's 64 MiB mapping has %s (page tables +%ld kB)",
			 xx_pte_kb >= 64 ? "4 KiB PTEs, no PMD entries" :
					   "PMD entries", xx_pte_kb);
	g = add_goal("6.12: mmap+touch 64 MiB xxmem / anon MAP_POPULATE", "<=", 0.25);
	ratio_goal(g, xx64, pop64, false);
	if (big && pmd_note[0])
		copy_str(g->note, sizeof(g->note), pmd_note);
	if (!big) {
		g->status = "n/a";
		copy_str(g->note, sizeof(g->note), only612);
	}
	g = fault_goal("6.12: minor faults per 64 MiB xxmem mapping (mmap + touch)",
		       32, xx64);
	if (big && pmd_note[0])
		snprintf(g->note, sizeof(g->note), "%s; %s",
			 g->ratio == 0 ? "prefaulted" : "faulted in by 2 MiB",
			 pmd_note);
	if (!big) {
		g->status = "n/a";
		copy_str(g->note, sizeof(g->note), only612);
	}
	g = add_goal("6.12: random 8-byte reads 64 MiB xxmem / anon THP (speed)",
		     ">=", 1.0);
	ratio_goal(g, find_result("rand_read", "xxmem", RAND_SIZE),
		   find_result("rand_read", "anon_thp", RAND_SIZE), true);
	if (!big) {
		g->status = "n/a";
		copy_str(g->note, sizeof(g->note), only612);
	}

	g = add_goal("6.1: mmap+touch 64 MiB xxmem / anon MAP_POPULATE", "<=", 0.6);
	ratio_goal(g, xx64, pop64, false);
	if (big) {
		g->status = "n/a";
		copy_str(g->note, sizeof(g->note), only61);
	}
	g = add_goal("6.1: minor faults after mmap, 64 MiB xxmem mapping", "==", 0);
	g->what = "faults";
	if (xx64) {
		g->ratio = quantile(xx64->flt_touch, xx64->n, 1.0);  /* the worst */
		judge(g);
	}
	if (big) {
		g->status = "n/a";
		copy_str(g->note, sizeof(g->note), only61);
	}

	/* ratio_goal(a = anon, b = xxmem, invert): xxmem's over anon's */
	g = add_goal("sequential read 64 MiB xxmem / anon (bandwidth)", ">=", 0.95);
	ratio_goal(g, find_result("bw_read", "anon", 64 * MiB),
		   find_result("bw_read", "xxmem", 64 * MiB), true);
	note_4k(g, "bw_read");
	g = add_goal("sequential write 64 MiB xxmem / anon (bandwidth)", ">=", 0.95);
	ratio_goal(g, find_result("bw_write", "anon", 64 * MiB),
		   find_result("bw_write", "xxmem", 64 * MiB), true);
	note_4k(g, "bw_write");
	write_note(g);
	g = add_goal("1-page mmap+munmap cycle xxmem / /dev/zero (alone in its 2 MiB)",
		     "<=", 1.2);
	ratio_goal(g, find_result("cycle", "xxmem", (uint64_t)page_size),
		   find_result("cycle", "devzero", (uint64_t)page_size), false);
	bar_goals(big);
}

/*
 * Issue 16: at every BAR size, xxmem's map+touch against sysfs resource2
 * (<= 1.0 where the kernel has huge PFN maps, 6.12+; <= 1.2 on 6.1) and
 * against VFIO (<= 1.0, 6.12+); and a 1 GiB-aligned 1 GiB BAR mapping
 * faulted in with one PUD entry (<= 1 fault) where the kernel has PUD PFN
 * maps (x86-64 from 6.12).
 */
static void bar_goals(bool big)
{
	const char *only612 = "applies to kernels with huge PFN maps (6.12+)";
	struct goal *g;
	char name[96], sz[32];
	int s;

	for (s = 0; s < ndev_sizes; s++) {
		uint64_t len = dev_sizes[s];
		const struct result *a = find_result("dev_map_touch", "xxmem", len);
		const struct result *b = find_result("dev_map_touch", "resource2", len);
		const struct result *v = find_result("dev_map_touch", "vfio", len);

		size_str(len, sz, sizeof(sz));
		if (!b)
			continue;
		snprintf(name, sizeof(name),
			 "BAR map+touch %s xxmem / sysfs resource2 (%s)", sz,
			 big ? "6.12+" : "6.1");
		g = add_goal(name, "<=", big ? 1.0 : 1.2);
		if (a)
			ratio_goal(g, a, b, false);
		else
			snprintf(g->note, sizeof(g->note),
				 "no xxmem BAR region (XXMEM_REGION_DEVICE on %s)",
				 bar_node[0] ? bar_node : "/dev/xxmem1");
		snprintf(name, sizeof(name), "BAR map+touch %s xxmem / VFIO (6.12+)",
			 sz);
		g = add_goal(name, "<=", 1.0);
		if (a && v)
			ratio_goal(g, a, v, false);
		else
			copy_str(g->note, sizeof(g->note),
				 v ? "no xxmem BAR region" : vfio_note);
		if (!big) {
			g->status = "n/a";
			copy_str(g->note, sizeof(g->note), only612);
		}
	}
	{
		const struct result *a = find_result("dev_map_touch", "xxmem",
						     1024 * MiB);
		const struct result *v = find_result("dev_map_touch", "vfio",
						     1024 * MiB);

		g = fault_goal("minor faults per 1 GiB BAR mapping, xxmem (PUD entry, 6.12+)",
			       1, a);
		if (a) {
			if (v)
				snprintf(g->note, sizeof(g->note),
					 "VFIO: %.0f; 512 = PMD entries, 262144 = PTEs",
					 faults_per_map(v));
		} else {
			copy_str(g->note, sizeof(g->note),
				 "no 1 GiB BAR mapping measured");
		}
		if (!big) {
			g->status = "n/a";
			copy_str(g->note, sizeof(g->note), only612);
		}
	}
}

/* ---- output: Markdown ---- */

static void fmt_num(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v >= 1000)
		snprintf(buf, n, "%.0f", v);
	else if (v >= 100)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

/* Goal ratios: three decimals, so that a value printed equal to its
 * target is never judged against it the other way. */
static void fmt_ratio(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v == floor(v))
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.3f", v);
}

static double best_other(const char *test, uint64_t size, bool higher)
{
	double best = NAN;
	int i;

	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		double m;

		if (strcmp(r->test, test) || r->size != size ||
		    !strcmp(r->peer, "xxmem") || !r->n)
			continue;
		m = median(r);
		if (isnan(best) || (higher ? m > best : m < best))
			best = m;
	}
	return best;
}

/*
 * One table: every result of @test.  Ratio column: median over the best
 * peer that is not xxmem (higher_better: best = fastest throughput).
 */
static void print_table(const char *title, const char *test, bool show_faults,
			const char *na_row)
{
	char sz[32], a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
	bool any = false, xx_seen = false;
	uint64_t last = 0;
	int i;

	for (i = 0; i < nresults; i++)
		if (!strcmp(results[i].test, test))
			any = true;
	if (!any && !na_row)
		return;
	printf("\n### %s\n\n", title);
	if (show_faults) {
		printf("| size | peer | ns/page median | IQR | min - max | ratio to best peer | of which mmap | of which touch | minflt/map in mmap | minflt/map in touch | munmap ns/page |\n");
		printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	} else {
		printf("| size | peer | median | IQR | min - max | ratio to best peer |\n");
		printf("|---|---|---:|---:|---:|---:|\n");
	}
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		double m, best;

		if (strcmp(r->test, test))
			continue;
		if (na_row && last && r->size != last && !xx_seen)
			printf("| %s | %s | n/a (no xxmem BAR region) | | | |%s\n",
			       size_str(last, sz, sizeof(sz)), na_row,
			       show_faults ? " | | | | |" : "");
		if (r->size != last)
			xx_seen = false;
		last = r->size;
		if (!strcmp(r->peer, "xxmem"))
			xx_seen = true;
		m = median(r);
		best = best_other(test, r->size, r->higher_better);
		fmt_num(m, a, sizeof(a));
		fmt_num(quantile(r->v, r->n, 0.25), b, sizeof(b));
		fmt_num(quantile(r->v, r->n, 0.75), c, sizeof(c));
		fmt_num(quantile(r->v, r->n, 0), d, sizeof(d));
		fmt_num(quantile(r->v, r->n, 1), e, sizeof(e));
		fmt_num(m / best, f, sizeof(f));	/* value / best value */
		printf("| %s | %s%s%s | %s %s | %s - %s | %s - %s | %s |",
		       size_str(r->size, sz, sizeof(sz)), r->label,
		       r->note[0] ? " — " : "", r->note, a, r->unit, b, c, d, e,
		       isnan(best) ? "-" : f);
		if (show_faults) {
			fmt_num(quantile(r->flt_map, r->n, 0.5), g, sizeof(g));
			fmt_num(quantile(r->flt_touch, r->n, 0.5), h, sizeof(h));
			fmt_num(quantile(r->unmap, r->n, 0.5), a, sizeof(a));
			fmt_num(quantile(r->map_part, r->n, 0.5), b, sizeof(b));
			fmt_num(quantile(r->touch_part, r->n, 0.5), c, sizeof(c));
			printf(" %s | %s | %s | %s | %s |", b, c, g, h, a);
		}
		printf("\n");
	}
	if (na_row && last && !xx_seen)
		printf("| %s | %s | n/a (no xxmem BAR region) | | | |%s\n",
		       size_str(last, sz, sizeof(sz)), na_row,
		       show_faults ? " | | | | |" : "");
	if (na_row && !last)
		printf("| - | %s | n/a (%s) | | | |%s\n", na_row,
		       dev_note[0] ? dev_note : "not run",
		       show_faults ? " | | | | |" : "");
}

static void print_goals(void)
{
	int i;

	printf("\n### Goals (issues 6 and 16)\n\n");
	printf("Ratio: median of the per-repetition (paired) ratios; IQR: theirs; "
	       "also the ratio of the two medians.\n\n");
	printf("| goal | ratio (or faults) | paired IQR | ratio of medians | target | status |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < ngoals; i++) {
		const struct goal *g = &goals[i];
		char r[32], lo[32], hi[32], rom[32], iqr[72];

		fmt_ratio(g->ratio, r, sizeof(r));
		fmt_ratio(g->rom, rom, sizeof(rom));
		fmt_ratio(g->lo, lo, sizeof(lo));
		fmt_ratio(g->hi, hi, sizeof(hi));
		if (isnan(g->lo))
			snprintf(iqr, sizeof(iqr), "-");
		else
			snprintf(iqr, sizeof(iqr), "%s - %s", lo, hi);
		printf("| goal: %s | %s | %s | %s | %s %g | %s%s%s |\n", g->name,
		       r, iqr, rom, g->cmp, g->target, g->status,
		       g->note[0] ? " — " : "", g->note);
	}
}

static void print_goal_lines(void)
{
	int i;

	printf("\n");
	for (i = 0; i < ngoals; i++) {
		const struct goal *g = &goals[i];
		char r[32];

		fmt_ratio(g->ratio, r, sizeof(r));
		printf("goal: %s: %s %s (target %s %g) %s%s%s\n", g->name,
		       g->what, r, g->cmp, g->target, g->status,
		       g->note[0] ? " — " : "", g->note);
	}
}

static void print_markdown(double elapsed)
{
	char sz[32];

	printf("## xxmem-bench\n\n");
	printf("- kernel: %s\n", sys_kernel);
	printf("- guest CPU: %s, %ld online; memory %ld MiB; THP %s; clocksource %s\n",
	       sys_cpu, sys_ncpu, sys_mem_kb / 1024, sys_thp, sys_clock);
	if (label[0])
		printf("- machine: %s\n", label);
	printf("- umem_size %s; %d interleaved repetitions per measurement",
	       size_str(umem_size, sz, sizeof(sz)), reps);
	if (reps_large && reps_large != reps)
		printf(" (%d at 256 MiB)", reps_large);
	if (dev_reps() != reps)
		printf(" (%d for BAR map+touch up to 1 MiB)", dev_reps());
	printf("; run took %.0f s\n", elapsed);
	printf("- ratios: median / median of the best peer that is not xxmem; "
	       "IQR = 25th - 75th percentile\n");

	print_table("1. mmap + first touch of every page", "map_touch", true, NULL);
	if (xx_pte_kb >= 0)
		printf("\nPage tables of one populated 64 MiB xxmem umem mapping "
		       "(VmPTE delta): %ld kB (4 KiB PTEs: 128 kB and up; "
		       "PMD entries only: about 0).\n", xx_pte_kb);
	print_table("2. sequential read bandwidth (populated mapping)", "bw_read",
		    false, NULL);
	print_table("2. sequential write bandwidth (populated mapping)", "bw_write",
		    false, NULL);
	print_table("2. first write pass over a fresh MAP_POPULATE mapping "
		    "(xxmem: read-populated, anon: write-populated; peers' order "
		    "rotating)", "bw_write_first", false, NULL);
	print_table("2. second write pass over the same mapping",
		    "bw_write_second", false, NULL);
	print_table("3. 1-page mmap + munmap cycle, the mapping alone in its 2 MiB "
		    "(its page table made and freed each cycle)", "cycle", false, NULL);
	print_table("3. the same with a store to the page (information)",
		    "cycle_touch", false, NULL);
	print_table("3. 1-page mmap + munmap cycle next to a live page: the page "
		    "table stays (information)", "cycle_keep", false, NULL);
	print_table("3. 1-page mmap + munmap cycle alone in its 512 GiB: three page "
		    "tables made and freed, as for mmap(NULL) in a small static "
		    "process (information)", "cycle_lone", false, NULL);
	print_table("3. mmap alone: 64 one-page mappings side by side, alone in "
		    "their 2 MiB (information)", "cycle_mmap", false, NULL);
	print_table("3. munmap alone: of those 64 mappings (information)",
		    "cycle_munmap", false, NULL);
	if (strchr(tests, '4')) {
		if (ivshmem_bdf[0])
			printf("\n(ivshmem at %s, BAR2 %s: xxmem%s; sysfs: %s%s; "
			       "VFIO peer: %s)\n", ivshmem_bdf,
			       size_str(ivshmem_bar_size, sz, sizeof(sz)),
			       sysfs_apart ? "" : " and sysfs", sysfs_bdf,
			       sysfs_apart ? " (unbound, peers side by side)" :
					     " (while xxmem is unbound)",
			       vfio_note[0] ? vfio_note : "none");
		print_table("4. device memory: map + touch of the ivshmem BAR",
			    "dev_map_touch", true, "xxmem BAR region");
		print_table("4. device memory: sequential read", "dev_bw_read",
			    false, ivshmem_bdf[0] ? "xxmem BAR region" : NULL);
		print_table("4. device memory: sequential write", "dev_bw_write",
			    false, ivshmem_bdf[0] ? "xxmem BAR region" : NULL);
	}
	print_table("5. scatter region (8 handles) vs umem (1 handle): mmap + touch",
		    "scatter_map_touch", true, NULL);
	print_table("5. random 8-byte reads over 64 MiB", "rand_read", false, NULL);
	print_goals();
	print_goal_lines();
}

/* ---- output: JSON and plot data ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static void json_array(FILE *f, const double *v, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_num(f, v[i]);
	}
	fputc(']', f);
}

static void write_json(const char *path, double elapsed)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "{\n  \"tool\": \"xxmem-bench\",\n  \"format\": 1,\n");
	fprintf(f, "  \"system\": {\"kernel\": ");
	json_str(f, sys_kernel);
	fprintf(f, ", \"cpu\": ");
	json_str(f, sys_cpu);
	fprintf(f, ", \"ncpu\": %ld, \"mem_total_kb\": %ld, \"thp\": ", sys_ncpu,
		sys_mem_kb);
	json_str(f, sys_thp);
	fprintf(f, ", \"clocksource\": ");
	json_str(f, sys_clock);
	fprintf(f, ", \"label\": ");
	json_str(f, label);
	fprintf(f, ", \"page_size\": %ld},\n", page_size);
	fprintf(f, "  \"umem_size\": %" PRIu64 ", \"scatter_size\": %" PRIu64
		", \"reps\": %d, \"reps_256m\": %d, \"reps_bar_1m\": %d, "
		"\"elapsed_s\": %.1f,\n",
		umem_size, scatter_size, reps, reps_large ? reps_large : reps,
		dev_reps(), elapsed);
	fprintf(f, "  \"xxmem_pte_kb_64m\": %ld,\n", xx_pte_kb);
	fprintf(f, "  \"ivshmem\": {\"bdf\": ");
	json_str(f, ivshmem_bdf);
	fprintf(f, ", \"bar_size\": %" PRIu64 ", \"xxmem_bar_region\": ",
		ivshmem_bar_size);
	if (bar_region.size) {
		fprintf(f, "{\"index\": %u, \"name\": ", bar_region.index);
		json_str(f, bar_region.name);
		fprintf(f, ", \"size\": %llu}", (unsigned long long)bar_region.size);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"note\": ");
	json_str(f, dev_note);
	fprintf(f, ", \"sysfs_bdf\": ");
	json_str(f, sysfs_bdf);
	fprintf(f, ", \"vfio\": ");
	json_str(f, vfio_note);
	fprintf(f, "},\n  \"results\": [\n");
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		fprintf(f, "    {\"test\": ");
		json_str(f, r->test);
		fprintf(f, ", \"peer\": ");
		json_str(f, r->peer);
		fprintf(f, ", \"label\": ");
		json_str(f, r->label);
		fprintf(f, ", \"size\": %" PRIu64 ", \"unit\": ", r->size);
		json_str(f, r->unit);
		fprintf(f, ", \"n\": %d, \"median\": ", r->n);
		json_num(f, median(r));
		fprintf(f, ", \"p25\": ");
		json_num(f, quantile(r->v, r->n, 0.25));
		fprintf(f, ", \"p75\": ");
		json_num(f, quantile(r->v, r->n, 0.75));
		fprintf(f, ", \"min\": ");
		json_num(f, quantile(r->v, r->n, 0));
		fprintf(f, ", \"max\": ");
		json_num(f, quantile(r->v, r->n, 1));
		if (r->has_faults) {
			fprintf(f, ", \"minflt_mmap\": ");
			json_num(f, quantile(r->flt_map, r->n, 0.5));
			fprintf(f, ", \"minflt_touch\": ");
			json_num(f, quantile(r->flt_touch, r->n, 0.5));
			fprintf(f, ", \"munmap_ns_per_page\": ");
			json_num(f, quantile(r->unmap, r->n, 0.5));
			fprintf(f, ", \"mmap_ns_per_page\": ");
			json_num(f, quantile(r->map_part, r->n, 0.5));
			fprintf(f, ", \"touch_ns_per_page\": ");
			json_num(f, quantile(r->touch_part, r->n, 0.5));
		}
		if (r->note[0]) {
			fprintf(f, ", \"note\": ");
			json_str(f, r->note);
		}
		fprintf(f, ", \"samples\": ");
		json_array(f, r->v, r->n);
		fprintf(f, "}%s\n", i + 1 < nresults ? "," : "");
	}
	fprintf(f, "  ],\n  \"goals\": [\n");
	for (i = 0; i < ngoals; i++) {
		const struct goal *g = &goals[i];

		fprintf(f, "    {\"name\": ");
		json_str(f, g->name);
		fprintf(f, ", \"cmp\": ");
		json_str(f, g->cmp);
		fprintf(f, ", \"target\": ");
		json_num(f, g->target);
		fprintf(f, ", \"ratio\": ");
		json_num(f, g->ratio);
		fprintf(f, ", \"ratio_of_medians\": ");
		json_num(f, g->rom);
		fprintf(f, ", \"paired_p25\": ");
		json_num(f, g->lo);
		fprintf(f, ", \"paired_p75\": ");
		json_num(f, g->hi);
		fprintf(f, ", \"status\": ");
		json_str(f, g->status);
		fprintf(f, ", \"note\": ");
		json_str(f, g->note);
		fprintf(f, "}%s\n", i + 1 < ngoals ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

/*
 * gnuplot data: one block per peer of the map+touch tests (blocks separated
 * by two blank lines), a header line naming the peer, then
 * "bytes median p25 p75" per size.
 */
static void write_plot(const char *path)
{
	static const char *const tests_plotted[] = { "map_touch", "dev_map_touch" };
	FILE *f = fopen(path, "w");
	bool done[MAX_RESULTS] = { false };
	int t, i, j;

	if (!f)
		die("%s: %s", path, strerror(errno));
	for (t = 0; t < 2; t++)
		for (i = 0; i < nresults; i++) {
			const struct result *r = &results[i];

			if (done[i] || strcmp(r->test, tests_plotted[t]))
				continue;
			fprintf(f, "\"%s%s\" median p25 p75\n",
				t ? "ivshmem BAR: " : "", r->label);
			for (j = i; j < nresults; j++) {
				const struct result *q = &results[j];

				if (strcmp(q->test, r->test) ||
				    strcmp(q->peer, r->peer))
					continue;
				done[j] = true;
				fprintf(f, "%" PRIu64 " %.6g %.6g %.6g\n", q->size,
					median(q), quantile(q->v, q->n, 0.25),
					quantile(q->v, q->n, 0.75));
			}
			fprintf(f, "\n\n");
		}
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

/* ---- main ---- */

/* A comma-separated list of sizes (4K,64K,1G) into @out; returns how many. */
static int parse_size_list(const char *arg, uint64_t *out)
{
	char *list = strdup(arg), *tok, *save = NULL;
	int n = 0;

	if (!list)
		die("out of memory");
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_SIZES || !parse_size(tok, &out[n]))
			die("bad size list '%s'", arg);
		n++;
	}
	free(list);
	return n;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xxmem-bench [options]\n"
		"\n"
		"  -d DEV     xxmem node with the umem and scatter regions (default /dev/xxmem)\n"
		"  -D DEV     xxmem node of the ivshmem function (default: the one under\n"
		"             /sys/bus/pci/devices/BDF/misc/, else /dev/xxmem1)\n"
		"  -o FILE    write the results as JSON\n"
		"  -p FILE    write ns/page per size and peer as gnuplot data\n"
		"  -r N       interleaved repetitions per measurement (default 41, 1..%d)\n"
		"  -R N       repetitions at 256 MiB (default 15; 0: as -r)\n"
		"  -B N       repetitions of BAR map+touch up to 1 MiB (default %d;\n"
		"             0: as -r; never fewer than -r)\n"
		"  -s LIST    mapping sizes, e.g. 4K,2M,64M,256M (default: those of\n"
		"             4K,2M,64M,256M that fit in umem_size)\n"
		"  -S LIST    device (BAR) sizes (default 4K,64K,1M,64M,1G, as far as\n"
		"             the BAR and the VFIO region are large enough)\n"
		"  -t LIST    tests to run, digits 1-5 (default 12345)\n"
		"  -n N       random reads per sample (default %ld)\n"
		"  -c CPU     pin to this CPU (default 1 if online, else 0; -1: no pinning)\n"
		"  -l TEXT    free-form machine description stored with the results\n"
		"  -h         this help\n"
		"\n"
		"Needs root, xxmem.ko loaded; /dev/xxmem1 and an ivshmem device are optional.\n",
		MAX_REPS, MAX_REPS, nreads);
}

int main(int argc, char **argv)
{
	static const uint64_t default_sizes[] = {
		4 * KiB, 2 * MiB, 64 * MiB, 256 * MiB
	};
	struct xxmem_region_info ri;
	bool sizes_given = false;
	double t_start;
	int opt, s;

	while ((opt = getopt(argc, argv, "d:D:o:p:r:R:B:s:S:t:n:c:l:h")) != -1) {
		switch (opt) {
		case 'd': dev_path = optarg; break;
		case 'D': bar_dev_path = optarg; break;
		case 'o': json_path = optarg; break;
		case 'p': plot_path = optarg; break;
		case 'r': reps = atoi(optarg); break;
		case 'R': reps_large = atoi(optarg); break;
		case 'B': reps_small_bar = atoi(optarg); break;
		case 'n': nreads = atol(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'l': label = optarg; break;
		case 't':
			copy_str(tests, sizeof(tests), optarg);
			break;
		case 's':
			nsizes = parse_size_list(optarg, sizes);
			sizes_given = true;
			break;
		case 'S':
			ndev_sizes = parse_size_list(optarg, dev_sizes);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || reps < 1 || reps > MAX_REPS || reps_large < 0 ||
	    reps_large > MAX_REPS || reps_small_bar < 0 ||
	    reps_small_bar > MAX_REPS || nreads < 1) {
		usage(stderr);
		return 2;
	}

	if (!ndev_sizes) {
		static const uint64_t def_dev[] = {
			4 * KiB, 64 * KiB, 1 * MiB, 64 * MiB, 1024 * MiB
		};

		memcpy(dev_sizes, def_dev, sizeof(def_dev));
		ndev_sizes = 5;
	}
	page_size = sysconf(_SC_PAGESIZE);
	system_facts();
	if (cpu == -2)
		cpu = sys_ncpu > 1 ? 1 : 0;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			progress("cannot pin to CPU %d: %s", cpu, strerror(errno));
	}

	if (reps < 15 || (reps_large && reps_large < 15))
		progress("warning: fewer than 15 repetitions; issue 6 asks for at least 15");

	xx_fd = open(dev_path, O_RDWR);
	if (xx_fd < 0)
		die("open %s: %s (is xxmem.ko loaded?)", dev_path, strerror(errno));
	if (region_info(xx_fd, XXMEM_REGION_UMEM, &ri))
		die("XXMEM_IOC_REGION_INFO 0: %s", strerror(errno));
	umem_size = ri.size;
	if (!region_info(xx_fd, XXMEM_REGION_SCATTER, &ri))
		scatter_size = ri.size;
	if (!sizes_given)
		for (s = 0; s < 4; s++)
			if (default_sizes[s] <= umem_size)
				sizes[nsizes++] = default_sizes[s];
	for (s = 0; s < nsizes; s++) {
		if (sizes[s] > umem_size)
			die("size %" PRIu64 " exceeds umem_size %" PRIu64
			    " (insmod xxmem.ko umem_size=...)", sizes[s], umem_size);
		if (sizes[s] % (uint64_t)page_size)
			die("size %" PRIu64 " is not a multiple of the page size",
			    sizes[s]);
	}

	/* Peers' backing objects, made once, outside every measurement. */
	zero_fd = open("/dev/zero", O_RDWR);
	if (zero_fd < 0)
		die("/dev/zero: %s", strerror(errno));
	memfd = memfd_create("xxmem-bench", 0);
	if (memfd < 0)
		die("memfd_create: %s", strerror(errno));
	{
		uint64_t max = 0;

		for (s = 0; s < nsizes; s++)
			if (sizes[s] > max)
				max = sizes[s];
		if (fallocate(memfd, 0, 0, (off_t)max))
			die("fallocate memfd %" PRIu64 ": %s", max, strerror(errno));
	}

	t_start = now_ns();
	t_begin = t_start;
	if (strchr(tests, '1'))
		test_map_touch();
	if (strchr(tests, '2'))
		test_bandwidth();
	if (strchr(tests, '3'))
		test_cycle();
	if (strchr(tests, '4'))
		test_device();
	if (strchr(tests, '5'))
		test_scatter_random();
	close(memfd);
	evaluate_goals();

	print_markdown((now_ns() - t_start) / 1e9);
	if (json_path)
		write_json(json_path, (now_ns() - t_start) / 1e9);
	if (plot_path)
		write_plot(plot_path);
	return 0;
}
