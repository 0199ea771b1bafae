// SPDX-License-Identifier: GPL-2.0
/*
 * devmap_test - kselftest for the Solaris devmap framework of xxddi.
 *
 * Regions 1-3 of /dev/xxmem (xxmem.ko) and the two test drivers of
 * selftests/drivers exercise what a ported Solaris driver relies on:
 *
 *   scatter  region 1: eight separate 64K chunks; devmap(9E) sets *maplen
 *            to the end of a chunk, so one mmap(2) is served by one handle
 *            per chunk; devmap_map/devmap_unmap/devmap_dup callbacks with
 *            Solaris' argument shapes (whole, head, tail, hole).
 *   status   region 2: read-only (maxprot PROT_READ), a struct xxmem_status
 *            in the caller's data model layout.
 *   ctx      region 3: one page, one owner at a time (devmap_do_ctxmgt).
 *   legacy   /dev/xxmmap: a driver with only mmap(9E).
 *   segmap   /dev/xxsegmap: a driver with its own segmap(9E).
 *
 * The callbacks of regions 1 and 3 are logged by xxmem to a debugfs file
 * (XXMEM_TRACE, default /sys/kernel/debug/xxmem/trace); writing it clears
 * it.  The tests clear it, act, and compare the lines with what Solaris
 * would call.  The fail_map file next to it makes the Nth devmap_map call
 * fail (the unwind test).  Counters are compared as deltas, so the suite
 * does not need a freshly loaded module; module parameters the tests change
 * (xxmem's ctx_timeout_ms, xxmmap's refuse) are restored.
 *
 * Helper mode (used by status_other_model_mmap_in_our_layout with the
 * binary of the other data model):
 *   devmap_test --map-print    map one page of region 0, print
 *                              "<pid> 0x<address>", exit
 *
 * Environment: XXMEM_DEV (default /dev/xxmem), XXMEM_TRACE,
 * XXMEM_PEER (the binary of the other data model; else the cross-model test
 * is skipped), XXMMAP_DEV (default /dev/xxmmap), XXSEGMAP_DEV (default
 * /dev/xxsegmap).  The driver tests skip when their node does not exist.
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
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xxmem.h"
#include "drivers/xxmmap.h"
#include "drivers/xxsegmap.h"
#include "vm_util.h"

/* The harness itself is not -Wextra clean (an unused signal handler argument). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define XX_TRACE_DEFAULT	"/sys/kernel/debug/xxmem/trace"
#define XXMMAP_DEV_DEFAULT	"/dev/xxmmap"
#define XXSEGMAP_DEV_DEFAULT	"/dev/xxsegmap"

#define XXMEM_PARAMS		"/sys/module/xxmem/parameters/"
#define XXMMAP_PARAMS		"/sys/module/xxmmap/parameters/"

#define CHUNK			((uint64_t)XXMEM_SCATTER_CHUNK_SIZE)
#define SCATTER_SIZE		((uint64_t)XXMEM_SCATTER_CHUNKS * CHUNK)

/* The default of xxmem's ctx_timeout_ms. */
#define CTX_TIMEOUT_DEFAULT_MS	20

static const char *trace_path(void)
{
	return env_or("XXMEM_TRACE", XX_TRACE_DEFAULT);
}

/* Read exactly len bytes at off (looping over short reads); bytes read. */
static ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return got ? (ssize_t)got : -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* ---- module parameters ---- */

static bool param_read(const char *path, long *val)
{
	char buf[64];
	ssize_t n;
	char *end;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (buf[0] == 'Y' || buf[0] == 'N') {	/* bool parameters */
		*val = buf[0] == 'Y';
		return true;
	}
	errno = 0;
	*val = strtol(buf, &end, 0);
	return !errno && end != buf;
}

/* ---- the callback trace ---- */

#define TR_NONE		(-1L)	/* "-" */
#define TR_ABSENT	(-2L)	/* no such field on the line */
#define TR_MAX		1024

/* One trace line, e.g. "unmap dh=3 off=0x10000000000 len=0x1000 new1=- new2=3". */
struct tev {
	char kind[16];		/* map, unmap, dup, access, ctxswitch */
	long dh, new_id, new1, new2, from, to;
	uint64_t off, len;
	bool has_off, has_len;
	bool failed;		/* "map off=... len=... failed" */
	char type[16], rw[16];
};

struct trace {
	int n;
	bool bad;		/* a line did not parse */
	char *raw;
	struct tev ev[TR_MAX];
};

static bool trace_clear(void)
{
	int fd = open(trace_path(), O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, "0\n", 2) == 2;
	close(fd);
	return ok;
}

static long tr_id(const char *v)
{
	char *end;
	long id;

	if (!strcmp(v, "-"))
		return TR_NONE;
	errno = 0;
	id = strtol(v, &end, 10);
	if (errno || end == v || *end || id < 0)
		return LONG_MIN;
	return id;
}

static bool tr_parse_line(char *line, struct tev *e)
{
	char *save = NULL, *tok, *val;
	char *end;

	memset(e, 0, sizeof(*e));
	e->dh = e->new_id = e->new1 = e->new2 = e->from = e->to = TR_ABSENT;
	tok = strtok_r(line, " \t", &save);
	if (!tok || strlen(tok) >= sizeof(e->kind))
		return false;
	strcpy(e->kind, tok);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		val = strchr(tok, '=');
		if (!val && !strcmp(tok, "failed")) {
			e->failed = true;
			continue;
		}
		if (!val)
			return false;
		*val++ = '\0';
		if (!strcmp(tok, "off") || !strcmp(tok, "len")) {
			uint64_t v;

			errno = 0;
			v = strtoull(val, &end, 0);
			if (errno || end == val || *end)
				return false;
			if (tok[0] == 'o') {
				e->off = v;
				e->has_off = true;
			} else {
				e->len = v;
				e->has_len = true;
			}
		} else if (!strcmp(tok, "type") || !strcmp(tok, "rw")) {
			char *dst = tok[0] == 't' ? e->type : e->rw;

			if (strlen(val) >= sizeof(e->type))
				return false;
			strcpy(dst, val);
		} else {
			long *dst = NULL, id = tr_id(val);

			if (!strcmp(tok, "dh"))
				dst = &e->dh;
			else if (!strcmp(tok, "new"))
				dst = &e->new_id;
			else if (!strcmp(tok, "new1"))
				dst = &e->new1;
			else if (!strcmp(tok, "new2"))
				dst = &e->new2;
			else if (!strcmp(tok, "from"))
				dst = &e->from;
			else if (!strcmp(tok, "to"))
				dst = &e->to;
			if (!dst || id == LONG_MIN)
				return false;
			*dst = id;
		}
	}
	return true;
}

/* Read and parse the trace; NULL if it cannot be read. */
static struct trace *trace_get(void)
{
	struct trace *t;
	size_t cap = 8192, got = 0;
	char *buf, *line, *save = NULL, *copy;
	ssize_t n;
	int fd;

	fd = open(trace_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	buf = malloc(cap);
	if (!t || !buf)
		goto fail;
	for (;;) {
		if (got + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	t->raw = buf;
	copy = strdup(buf);
	if (!copy) {
		free(buf);
		free(t);
		return NULL;
	}
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!*line)
			continue;
		if (t->n >= TR_MAX) {
			t->bad = true;
			break;
		}
		if (!tr_parse_line(line, &t->ev[t->n]))
			t->bad = true;
		else
			t->n++;
	}
	free(copy);
	return t;
fail:
	close(fd);
	free(buf);
	free(t);
	return NULL;
}

static void trace_free(struct trace *t)
{
	if (t) {
		free(t->raw);
		free(t);
	}
}

static int tr_count(const struct trace *t, const char *kind)
{
	int i, n = 0;

	for (i = 0; i < t->n; i++)
		n += !strcmp(t->ev[i].kind, kind);
	return n;
}

/* Index of the k-th (0-based) line of a kind, or -1. */
static int tr_nth(const struct trace *t, const char *kind, int k)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->ev[i].kind, kind) && k-- == 0)
			return i;
	}
	return -1;
}

/* Index of "unmap dh=DH off=OFF len=LEN new1=N1 new2=N2", or -1. */
static int tr_find_unmap(const struct trace *t, long dh, uint64_t off,
			 uint64_t len, long n1, long n2)
{
	const struct tev *e;
	int i;

	for (i = 0; i < t->n; i++) {
		e = &t->ev[i];
		if (!strcmp(e->kind, "unmap") && e->dh == dh && e->off == off &&
		    e->len == len && e->new1 == n1 && e->new2 == n2)
			return i;
	}
	return -1;
}

/* Index of "dup dh=DH new=...", or -1. */
static int tr_find_dup(const struct trace *t, long dh)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->ev[i].kind, "dup") && t->ev[i].dh == dh)
			return i;
	}
	return -1;
}

/* Get the trace or fail the test; log it when a check fails. */
#define TRACE_GET(_t) do {						\
	(_t) = trace_get();						\
	ASSERT_TRUE((_t) != NULL) TH_LOG("cannot read %s: %s", trace_path(),	\
				     strerror(errno));			\
	EXPECT_FALSE((_t)->bad) TH_LOG("unparsable trace:\n%s", (_t)->raw);	\
} while (0)

#define TRACE_CLEAR() \
	ASSERT_TRUE(trace_clear()) TH_LOG("cannot clear %s: %s", trace_path(), \
					  strerror(errno))

#define EXPECT_UNMAP(_t, _dh, _off, _len, _n1, _n2)				\
	EXPECT_LE(0, tr_find_unmap(_t, _dh, _off, _len, _n1, _n2))		\
		TH_LOG("no line \"unmap dh=%ld off=0x%" PRIx64 " len=0x%" PRIx64 \
		       " new1=%s new2=%s\" (new1/new2: %ld/%ld) in:\n%s",	\
		       (long)(_dh), (uint64_t)(_off), (uint64_t)(_len),	\
		       (_n1) < 0 ? "-" : "id", (_n2) < 0 ? "-" : "id",		\
		       (long)(_n1), (long)(_n2), (_t)->raw)

/* munmap(@_addr, @_len) into a fresh trace @_t of @_n lines. */
#define MUNMAP_TRACED(_t, _addr, _len, _n) do {				\
	TRACE_CLEAR();								\
	ASSERT_EQ(0, munmap(_addr, _len));					\
	TRACE_GET(_t);								\
	EXPECT_EQ(_n, (_t)->n) TH_LOG("trace:\n%s", (_t)->raw);		\
} while (0)

/* munmap(@_addr, @_len) makes one trace line: the unmap of @_len at @_off. */
#define EXPECT_MUNMAP_ONE(_addr, _len, _dh, _off, _n1, _n2) do {		\
	struct trace *__t;							\
										\
	MUNMAP_TRACED(__t, _addr, _len, 1);					\
	EXPECT_UNMAP(__t, _dh, _off, _len, _n1, _n2);				\
	trace_free(__t);							\
} while (0)

/* ---- status (region 2) ---- */

static bool status_read(int fd, struct xxmem_status *st)
{
	memset(st, 0, sizeof(*st));
	return pread_full(fd, st, sizeof(*st),
			  XXMEM_REGION_OFFSET(XXMEM_REGION_STATUS)) ==
	       (ssize_t)sizeof(*st);
}

#define STATUS_READ(_fd, _st) \
	ASSERT_TRUE(status_read(_fd, _st)) \
		TH_LOG("pread of region 2: %s", strerror(errno))

/* ===================================================================== */
/* Regions and the device's own read(9E)                                 */
/* ===================================================================== */

FIXTURE(regions) {
	int fd;
	size_t pg;
};

FIXTURE_SETUP(regions)
{
	self->pg = page_size();
	ASSERT_OPEN_DEV(self->fd, O_RDWR);
}

FIXTURE_TEARDOWN(regions)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(regions, region_table_has_scatter_status_ctx)
{
	static const struct {
		uint32_t index;
		const char *name;
		uint64_t size;	/* 0: one page */
		uint32_t maxprot, flags;
	} want[] = {
		{ XXMEM_REGION_SCATTER, "scatter", SCATTER_SIZE,
		  PROT_READ | PROT_WRITE, 0 },
		{ XXMEM_REGION_STATUS, "status", 0, PROT_READ,
		  XXMEM_REGION_PER_MODEL },
		{ XXMEM_REGION_CTX, "ctx", 0, PROT_READ | PROT_WRITE, 0 },
	};
	struct xxmem_region_info ri;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(want); k++) {
		ASSERT_EQ(0, region_info(self->fd, want[k].index, &ri))
			TH_LOG("XXMEM_IOC_REGION_INFO %u: %s", want[k].index,
			       strerror(errno));
		EXPECT_EQ(want[k].index, ri.index);
		ASSERT_TRUE(memchr(ri.name, '\0', sizeof(ri.name)) != NULL);
		EXPECT_STREQ(want[k].name, ri.name);
		EXPECT_EQ(XXMEM_REGION_OFFSET(want[k].index), ri.offset);
		EXPECT_EQ(want[k].size ? want[k].size : self->pg, ri.size)
			TH_LOG("region %u size", want[k].index);
		EXPECT_EQ(want[k].maxprot, ri.maxprot)
			TH_LOG("region %u maxprot", want[k].index);
		EXPECT_EQ((__u32)XXMEM_CACHE_WB, ri.cache);
		EXPECT_EQ(want[k].flags, ri.flags) TH_LOG("region %u flags", want[k].index);
	}
	EXPECT_EQ(-1, region_info(self->fd, XXMEM_REGION_CTX + 1, &ri));
	EXPECT_EQ(EINVAL, errno);
}

/* Solaris: MAP_PRIVATE needs a devmap_access callback; xxddi refuses it always. */
TEST_F(regions, map_private_is_einval_everywhere)
{
	uint32_t r;

	for (r = XXMEM_REGION_UMEM; r <= XXMEM_REGION_CTX; r++) {
		uint64_t off = XXMEM_REGION_OFFSET(r);

		EXPECT_MAP_ERR(0, self->fd, off, self->pg, PROT_READ, MAP_SHARED);
		EXPECT_MAP_ERR(EINVAL, self->fd, off, self->pg, PROT_READ, MAP_PRIVATE);
		if (r != XXMEM_REGION_STATUS)
			EXPECT_MAP_ERR(EINVAL, self->fd, off, self->pg,
				       PROT_READ | PROT_WRITE, MAP_PRIVATE);
	}
}

/* maxprot per region: status has no PROT_WRITE, none has PROT_EXEC. */
TEST_F(regions, maxprot_enforced_per_region)
{
	uint32_t r;

	EXPECT_MAP_ERR(EACCES, self->fd, XXMEM_REGION_OFFSET(XXMEM_REGION_STATUS),
		       self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	EXPECT_MAP_ERR(0, self->fd, XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER),
		       self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	EXPECT_MAP_ERR(0, self->fd, XXMEM_REGION_OFFSET(XXMEM_REGION_CTX),
		       self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (dev_noexec(xx_dev()))
		SKIP(return, "%s is on a noexec mount: PROT_EXEC not checked", xx_dev());
	for (r = XXMEM_REGION_SCATTER; r <= XXMEM_REGION_CTX; r++)
		EXPECT_MAP_ERR(EACCES, self->fd, XXMEM_REGION_OFFSET(r), self->pg,
			       PROT_READ | PROT_EXEC, MAP_SHARED);
}

/* Linux: O_RDONLY + MAP_SHARED loses PROT_WRITE from maxprot (Solaris too). */
TEST_F(regions, rdonly_fd_prot_write_is_eacces)
{
	uint8_t *p;
	int fd, rc, err;
	uint32_t r;

	fd = open(xx_dev(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (r = XXMEM_REGION_UMEM; r <= XXMEM_REGION_CTX; r++) {
		uint64_t off = XXMEM_REGION_OFFSET(r);

		EXPECT_MAP_ERR(EACCES, fd, off, self->pg, PROT_READ | PROT_WRITE,
			       MAP_SHARED);
		p = xx_mmap(fd, off, self->pg, PROT_READ, MAP_SHARED);
		err = errno;
		EXPECT_FALSE(map_failed(p))
			TH_LOG("region %u O_RDONLY PROT_READ: %s", r, strerror(err));
		if (map_failed(p))
			continue;
		rc = mprotect(p, self->pg, PROT_READ | PROT_WRITE);
		err = errno;
		EXPECT_EQ(-1, rc) TH_LOG("region %u: mprotect(PROT_WRITE) succeeded", r);
		if (rc) {
			EXPECT_EQ(EACCES, err) TH_LOG("region %u: %s", r, strerror(err));
		}
		EXPECT_EQ(0, munmap(p, self->pg));
	}
	close(fd);
}

TEST_F(regions, range_beyond_region_is_enxio)
{
	uint64_t sc = XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER);
	uint64_t st = XXMEM_REGION_OFFSET(XXMEM_REGION_STATUS);
	uint64_t cx = XXMEM_REGION_OFFSET(XXMEM_REGION_CTX);
	size_t pg = self->pg;

	EXPECT_MAP_ERR(0, self->fd, sc + SCATTER_SIZE - pg, pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, sc + SCATTER_SIZE, pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, sc + SCATTER_SIZE - pg, 2 * pg, PROT_READ,
		       MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, sc, SCATTER_SIZE + pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, st + pg, pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, st, 2 * pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, cx + pg, pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, cx, 2 * pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, XXMEM_REGION_OFFSET(XXMEM_REGION_CTX + 1), pg,
		       PROT_READ, MAP_SHARED);
}

/* read(9E): region 0 through the driver is the caller's model's view. */
TEST_F(regions, read_region0_is_own_model_view)
{
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	uint8_t *p, *buf;

	ASSERT_MAP(p, self->fd, 0, 2 * pg, PROT_READ | PROT_WRITE);
	pat_fill(p, 0, 2 * pg, seed);
	buf = malloc(2 * pg);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ((ssize_t)(2 * pg), pread_full(self->fd, buf, 2 * pg, 0))
		TH_LOG("pread region 0: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(buf, 0, 2 * pg, seed))
		TH_LOG("read(2) of region 0 differs from our mapping");
	/* An unaligned read inside a page. */
	ASSERT_EQ(10, pread_full(self->fd, buf, 10, pg + 3));
	EXPECT_EQ(0, memcmp(buf, p + pg + 3, 10));
	free(buf);
	EXPECT_EQ(0, munmap(p, 2 * pg));
}

TEST_F(regions, read_past_region_end_is_zero_unknown_region_enxio)
{
	uint64_t sc = XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER);
	uint64_t st = XXMEM_REGION_OFFSET(XXMEM_REGION_STATUS);
	uint64_t cx = XXMEM_REGION_OFFSET(XXMEM_REGION_CTX);
	struct xxmem_region_info ri;
	char buf[64];
	ssize_t n;

	ASSERT_EQ(0, region_info(self->fd, XXMEM_REGION_UMEM, &ri));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), (off_t)ri.size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), (off_t)(sc + SCATTER_SIZE)));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), (off_t)(sc + SCATTER_SIZE + 12345)));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), (off_t)(st + self->pg)));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), (off_t)(cx + self->pg)));

	/* A read across the end stops there. */
	n = pread(self->fd, buf, 16, (off_t)(sc + SCATTER_SIZE - 8));
	EXPECT_EQ(8, n) TH_LOG("pread across the end of region 1: %zd", n);

	n = pread(self->fd, buf, sizeof(buf),
		  (off_t)XXMEM_REGION_OFFSET(XXMEM_REGION_CTX + 1));
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ENXIO, errno) TH_LOG("read of region 4: %s", strerror(errno));
	n = pread(self->fd, buf, sizeof(buf), (off_t)XXMEM_REGION_OFFSET(15));
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ENXIO, errno) TH_LOG("read of region 15: %s", strerror(errno));
}

/* Linux: PROT_NONE drops the translations; restoring a permitted prot works. */
TEST_F(regions, mprotect_none_then_access_segv_and_restore)
{
	static const uint32_t regs[] = { XXMEM_REGION_UMEM, XXMEM_REGION_SCATTER };
	uint32_t seed = new_seed();
	size_t len = 2 * self->pg;
	int status, err;
	uint8_t *p;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(regs); k++) {
		uint64_t off = XXMEM_REGION_OFFSET(regs[k]);

		p = xx_mmap(self->fd, off, len, PROT_READ | PROT_WRITE, MAP_SHARED);
		err = errno;
		ASSERT_FALSE(map_failed(p))
			TH_LOG("mmap region %u: %s", regs[k], strerror(err));
		pat_fill(p, off, len, seed);
		ASSERT_EQ(0, mprotect(p, len, PROT_NONE))
			TH_LOG("mprotect(PROT_NONE): %s", strerror(errno));
		status = touch_in_child(p, false);
		EXPECT_TRUE(killed_by(status, SIGSEGV))
			TH_LOG("region %u: read of a PROT_NONE page: status 0x%x",
			       regs[k], status);
		status = touch_in_child(p + self->pg, true);
		EXPECT_TRUE(killed_by(status, SIGSEGV))
			TH_LOG("region %u: write to a PROT_NONE page: status 0x%x",
			       regs[k], status);
		ASSERT_EQ(0, mprotect(p, len, PROT_READ | PROT_WRITE))
			TH_LOG("region %u: mprotect back to PROT_READ|PROT_WRITE: %s",
			       regs[k], strerror(errno));
		EXPECT_EQ(-1, pat_check(p, off, len, seed))
			TH_LOG("region %u: data changed across PROT_NONE", regs[k]);
		pat_fill(p, off, len, seed ^ 0x5a5a5a5aU);
		EXPECT_EQ(-1, pat_check(p, off, len, seed ^ 0x5a5a5a5aU));
		EXPECT_EQ(0, munmap(p, len));
		seed ^= 0x01010101U;
	}
}

/* ===================================================================== */
/* Region 1: discontiguous chunks, devmap_map/unmap/dup                  */
/* ===================================================================== */

FIXTURE(scatter) {
	int fd;
	size_t pg;
	uint64_t base;
};

FIXTURE_SETUP(scatter)
{
	struct xxmem_region_info ri;

	self->pg = page_size();
	self->base = XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER);
	ASSERT_OPEN_DEV(self->fd, O_RDWR);
	ASSERT_EQ(0, region_info(self->fd, XXMEM_REGION_SCATTER, &ri))
		TH_LOG("no region 1: %s", strerror(errno));
	ASSERT_EQ(SCATTER_SIZE, ri.size);
	ASSERT_EQ(0, access(trace_path(), R_OK | W_OK))
		TH_LOG("%s: %s (debugfs mounted?)", trace_path(), strerror(errno));
}

FIXTURE_TEARDOWN(scatter)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* devmap(9E)'s *maplen ends at each chunk: one handle per chunk, in order. */
TEST_F(scatter, scatter_one_mmap_uses_one_handle_per_chunk)
{
	long ids[XXMEM_SCATTER_CHUNKS];
	struct trace *t;
	uint8_t *p;
	int k, j, i, err;

	TRACE_CLEAR();
	p = xx_mmap(self->fd, self->base, SCATTER_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap region 1: %s", strerror(err));
	TRACE_GET(t);
	EXPECT_EQ(XXMEM_SCATTER_CHUNKS, t->n) TH_LOG("trace:\n%s", t->raw);
	ASSERT_EQ(XXMEM_SCATTER_CHUNKS, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	for (k = 0; k < XXMEM_SCATTER_CHUNKS; k++) {
		const struct tev *e = &t->ev[tr_nth(t, "map", k)];

		ids[k] = e->dh;
		EXPECT_LE(0, e->dh) TH_LOG("map line %d: no dh", k);
		EXPECT_EQ(self->base + (uint64_t)k * CHUNK, e->off)
			TH_LOG("map line %d (handles in order):\n%s", k, t->raw);
		EXPECT_EQ(CHUNK, e->len) TH_LOG("map line %d:\n%s", k, t->raw);
		for (j = 0; j < k; j++) {
			EXPECT_NE(ids[j], ids[k]) TH_LOG("handles %d and %d share an id", j, k);
		}
	}
	trace_free(t);

	/* Touching every page calls no map callback again. */
	for (i = 0; i < (int)(SCATTER_SIZE / self->pg); i++)
		set_byte(p, (size_t)i * self->pg, (uint8_t)i);

	TRACE_CLEAR();
	ASSERT_EQ(0, munmap(p, SCATTER_SIZE));
	TRACE_GET(t);
	EXPECT_EQ(XXMEM_SCATTER_CHUNKS, tr_count(t, "unmap")) TH_LOG("trace:\n%s", t->raw);
	for (k = 0; k < XXMEM_SCATTER_CHUNKS; k++) {
		EXPECT_UNMAP(t, ids[k], self->base + (uint64_t)k * CHUNK, CHUNK,
			     TR_NONE, TR_NONE);
	}
	trace_free(t);
}

/* A mapping from the middle of chunk 0: handles of 60K, 64K, 4K. */
TEST_F(scatter, scatter_mmap_from_mid_chunk)
{
	uint64_t off = self->base + 4096, len = 2 * CHUNK;
	uint64_t want_off[3] = { off, self->base + CHUNK, self->base + 2 * CHUNK };
	uint64_t want_len[3] = { CHUNK - 4096, CHUNK, 4096 };
	uint32_t seed = new_seed();
	long ids[3];
	struct trace *t;
	uint8_t *p, *buf;
	int k;

	if (self->pg != 4096)
		SKIP(return, "page size %zu: the 4K offsets assume 4K pages", self->pg);
	TRACE_CLEAR();
	ASSERT_MAP(p, self->fd, off, (size_t)len, PROT_READ | PROT_WRITE);
	TRACE_GET(t);
	ASSERT_EQ(3, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	for (k = 0; k < 3; k++) {
		const struct tev *e = &t->ev[tr_nth(t, "map", k)];

		ids[k] = e->dh;
		EXPECT_EQ(want_off[k], e->off) TH_LOG("handle %d:\n%s", k, t->raw);
		EXPECT_EQ(want_len[k], e->len) TH_LOG("handle %d:\n%s", k, t->raw);
	}
	trace_free(t);

	/* The data lands at the right device offsets. */
	pat_fill(p, off - self->base, (size_t)len, seed);
	buf = malloc((size_t)len);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ((ssize_t)len, pread_full(self->fd, buf, (size_t)len, off));
	EXPECT_EQ(-1, pat_check(buf, off - self->base, (size_t)len, seed));
	free(buf);

	TRACE_CLEAR();
	ASSERT_EQ(0, munmap(p, (size_t)len));
	TRACE_GET(t);
	for (k = 0; k < 3; k++) {
		EXPECT_UNMAP(t, ids[k], want_off[k], want_len[k], TR_NONE, TR_NONE);
	}
	EXPECT_EQ(3, t->n) TH_LOG("trace:\n%s", t->raw);
	trace_free(t);
}

/* Each page written through one mapping is in its chunk: read(9E) and a second mapping agree. */
TEST_F(scatter, scatter_pages_land_in_right_chunk)
{
	size_t npages = (size_t)(SCATTER_SIZE / self->pg);
	uint32_t seed = new_seed();
	uint8_t *p, *q, *buf;
	size_t i;
	int err;

	p = xx_mmap(self->fd, self->base, SCATTER_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(err));
	/* Distinct per page: the pattern depends on the device offset. */
	pat_fill(p, 0, SCATTER_SIZE, seed);

	buf = malloc(self->pg);
	ASSERT_TRUE(buf != NULL);
	for (i = 0; i < npages; i++) {
		uint64_t off = i * self->pg;

		ASSERT_EQ((ssize_t)self->pg,
			  pread_full(self->fd, buf, self->pg, self->base + off))
			TH_LOG("pread page %zu: %s", i, strerror(errno));
		EXPECT_EQ(-1, pat_check(buf, off, self->pg, seed))
			TH_LOG("page %zu (chunk %" PRIu64 ") differs through read(2)", i,
			       off / CHUNK);
	}
	free(buf);

	ASSERT_MAP(q, self->fd, self->base, SCATTER_SIZE, PROT_READ);
	EXPECT_EQ(-1, pat_check(q, 0, SCATTER_SIZE, seed));
	EXPECT_EQ(0, munmap(q, SCATTER_SIZE));

	/* A mapping across a chunk boundary sees both sides. */
	ASSERT_MAP(q, self->fd, self->base + 3 * CHUNK - self->pg, 2 * self->pg,
		   PROT_READ);
	EXPECT_EQ(-1, pat_check(q, 3 * CHUNK - self->pg, 2 * self->pg, seed));
	EXPECT_EQ(0, munmap(q, 2 * self->pg));

	/* And writes to a chunk through the driver's mapping stay in that chunk. */
	ASSERT_EQ(0, madvise(p, SCATTER_SIZE, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(p, 0, SCATTER_SIZE, seed)) TH_LOG("after refault");
	EXPECT_EQ(0, munmap(p, SCATTER_SIZE));
}

/*
 * The unmap tests map four pages inside chunk 2 (one handle): offset
 * base + 2 * CHUNK + 4 pages.  Returns the mapping and the handle id.
 */
static uint8_t *map_four(struct __test_metadata *_metadata, int fd, uint64_t off,
			 size_t pg, uint32_t seed, long *id)
{
	struct trace *t;
	uint8_t *p;

	*id = TR_ABSENT;
	if (!trace_clear())
		return NULL;
	p = xx_mmap(fd, off, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (map_failed(p)) {
		TH_LOG("mmap: %s", strerror(errno));
		return NULL;
	}
	t = trace_get();
	if (!t)
		return NULL;
	if (t->n == 1 && !strcmp(t->ev[0].kind, "map") && t->ev[0].off == off &&
	    t->ev[0].len == 4 * pg)
		*id = t->ev[0].dh;
	else
		TH_LOG("want one line \"map dh=N off=0x%" PRIx64 " len=0x%zx\", got:\n%s",
		       off, 4 * pg, t->raw);
	trace_free(t);
	pat_fill(p, off, 4 * pg, seed);
	return p;
}

/* map_four() at @_off of the fixture's node; the test fails without a handle. */
#define MAP_FOUR(_p, _off, _seed, _id) do {					\
	(_p) = map_four(_metadata, self->fd, _off, self->pg, _seed, &(_id));	\
	ASSERT_TRUE((_p) != NULL);						\
	ASSERT_LE(0, (_id));							\
} while (0)

/*
 * Part of a mapping is unmapped: the rest, @len at @p (device offset @off),
 * keeps its data, also when faulted in again, and @gone faults SIGSEGV.
 */
static void expect_rest_kept(struct __test_metadata *_metadata, uint8_t *p,
			     uint64_t off, size_t len, uint32_t seed, void *gone)
{
	int status;

	EXPECT_EQ(-1, pat_check(p, off, len, seed));
	ASSERT_EQ(0, madvise(p, len, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(p, off, len, seed)) TH_LOG("after refault");
	status = touch_in_child(gone, false);
	EXPECT_TRUE(killed_by(status, SIGSEGV))
		TH_LOG("the unmapped page: status 0x%x", status);
}

#define UNMAP_OFF(_self)	((_self)->base + 2 * CHUNK + 4 * (_self)->pg)

TEST_F(scatter, devmap_unmap_whole_handle)
{
	uint64_t off = UNMAP_OFF(self);
	uint8_t *p;
	long id;

	MAP_FOUR(p, off, new_seed(), id);
	EXPECT_MUNMAP_ONE(p, 4 * self->pg, id, off, TR_NONE, TR_NONE);
}

/*
 * The head (unmap(dhp, off, len, NULL, NULL, dhp, ...)) or the tail
 * (unmap(dhp, off, len, dhp, ..., NULL, NULL)) of map_four's mapping
 * removed: the handle keeps the rest.
 */
static void unmap_end_keeps_handle(struct __test_metadata *_metadata,
				   FIXTURE_DATA(scatter) *self, bool head)
{
	uint64_t off = UNMAP_OFF(self);
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	size_t gone = head ? 0 : 3 * pg, rest = head ? pg : 0;
	uint8_t *p;
	long id;

	MAP_FOUR(p, off, seed, id);
	EXPECT_MUNMAP_ONE(p + gone, pg, id, off + gone, head ? TR_NONE : id,
			  head ? id : TR_NONE);
	expect_rest_kept(_metadata, p + rest, off + rest, 3 * pg, seed, p + gone);
	EXPECT_MUNMAP_ONE(p + rest, 3 * pg, id, off + rest, TR_NONE, TR_NONE);
}

TEST_F(scatter, devmap_unmap_head_keeps_handle)
{
	unmap_end_keeps_handle(_metadata, self, true);
}

TEST_F(scatter, devmap_unmap_tail_keeps_handle)
{
	unmap_end_keeps_handle(_metadata, self, false);
}

/* A hole: unmap(dhp, off, len, dhp, ..., newdhp, ...) - the tail gets a new handle. */
TEST_F(scatter, devmap_unmap_hole_splits_handle)
{
	uint64_t off = UNMAP_OFF(self);
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	struct trace *t;
	uint8_t *p, *buf;
	long id, id2 = TR_ABSENT;
	int status, i;

	MAP_FOUR(p, off, seed, id);
	MUNMAP_TRACED(t, p + pg, 2 * pg, 1);
	i = tr_nth(t, "unmap", 0);
	ASSERT_LE(0, i) TH_LOG("no unmap line:\n%s", t->raw);
	id2 = t->ev[i].new2;
	EXPECT_LE(0, id2) TH_LOG("hole: new2 must be a new handle:\n%s", t->raw);
	EXPECT_NE(id, id2) TH_LOG("hole: new2 must be a new handle:\n%s", t->raw);
	EXPECT_UNMAP(t, id, off + pg, 2 * pg, id, id2);
	trace_free(t);

	/* Both pieces still map the right pages, also after a refault. */
	EXPECT_EQ(-1, pat_check(p, off, pg, seed)) TH_LOG("head piece");
	EXPECT_EQ(-1, pat_check(p + 3 * pg, off + 3 * pg, pg, seed)) TH_LOG("tail piece");
	ASSERT_EQ(0, madvise(p, pg, MADV_DONTNEED));
	ASSERT_EQ(0, madvise(p + 3 * pg, pg, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(p, off, pg, seed)) TH_LOG("head piece after refault");
	EXPECT_EQ(-1, pat_check(p + 3 * pg, off + 3 * pg, pg, seed))
		TH_LOG("tail piece after refault");
	pat_fill(p + 3 * pg, off + 3 * pg, pg, seed ^ 1);
	buf = malloc(pg);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ((ssize_t)pg, pread_full(self->fd, buf, pg, off + 3 * pg));
	EXPECT_EQ(-1, pat_check(buf, off + 3 * pg, pg, seed ^ 1))
		TH_LOG("write through the new handle's piece landed elsewhere");
	free(buf);
	status = touch_in_child(p + 2 * pg, false);
	EXPECT_TRUE(killed_by(status, SIGSEGV)) TH_LOG("the hole: status 0x%x", status);

	/* Unmapping both pieces at once: each handle whole. */
	MUNMAP_TRACED(t, p, 4 * pg, 2);
	EXPECT_UNMAP(t, id, off, pg, TR_NONE, TR_NONE);
	EXPECT_UNMAP(t, id2, off + 3 * pg, pg, TR_NONE, TR_NONE);
	trace_free(t);
}

/* An munmap across a chunk boundary: the tail of one handle, the head of the next. */
TEST_F(scatter, devmap_unmap_across_handles)
{
	uint64_t off = self->base + CHUNK - 2 * self->pg;
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	long a = TR_ABSENT, b = TR_ABSENT;
	struct trace *t;
	uint8_t *p;

	TRACE_CLEAR();
	ASSERT_MAP(p, self->fd, off, 4 * pg, PROT_READ | PROT_WRITE);
	TRACE_GET(t);
	ASSERT_EQ(2, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	a = t->ev[tr_nth(t, "map", 0)].dh;
	b = t->ev[tr_nth(t, "map", 1)].dh;
	EXPECT_EQ(off, t->ev[tr_nth(t, "map", 0)].off);
	EXPECT_EQ(2 * pg, t->ev[tr_nth(t, "map", 0)].len);
	EXPECT_EQ(off + 2 * pg, t->ev[tr_nth(t, "map", 1)].off);
	EXPECT_EQ(2 * pg, t->ev[tr_nth(t, "map", 1)].len);
	trace_free(t);
	pat_fill(p, off - self->base, 4 * pg, seed);

	MUNMAP_TRACED(t, p + pg, 2 * pg, 2);
	EXPECT_UNMAP(t, a, off + pg, pg, a, TR_NONE);
	EXPECT_UNMAP(t, b, off + 2 * pg, pg, TR_NONE, b);
	trace_free(t);

	EXPECT_EQ(-1, pat_check(p, off - self->base, pg, seed));
	EXPECT_EQ(-1, pat_check(p + 3 * pg, off - self->base + 3 * pg, pg, seed));
	ASSERT_EQ(0, madvise(p, pg, MADV_DONTNEED));
	ASSERT_EQ(0, madvise(p + 3 * pg, pg, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(p, off - self->base, pg, seed)) TH_LOG("after refault");
	EXPECT_EQ(-1, pat_check(p + 3 * pg, off - self->base + 3 * pg, pg, seed))
		TH_LOG("after refault");

	MUNMAP_TRACED(t, p, 4 * pg, 2);
	EXPECT_UNMAP(t, a, off, pg, TR_NONE, TR_NONE);
	EXPECT_UNMAP(t, b, off + 3 * pg, pg, TR_NONE, TR_NONE);
	trace_free(t);
}

/* Shrinking with mremap is a tail unmap; moving keeps the handles. */
TEST_F(scatter, mremap_keeps_handles_consistent)
{
	uint64_t off = UNMAP_OFF(self);
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	struct trace *t;
	uint8_t *p, *q, *hole;
	long id;

	MAP_FOUR(p, off, seed, id);

	TRACE_CLEAR();
	q = mremap(p, 4 * pg, 3 * pg, 0);
	ASSERT_EQ((uintptr_t)p, (uintptr_t)q) TH_LOG("mremap shrink: %s", strerror(errno));
	TRACE_GET(t);
	EXPECT_EQ(1, t->n) TH_LOG("trace:\n%s", t->raw);
	EXPECT_UNMAP(t, id, off + 3 * pg, pg, id, TR_NONE);
	trace_free(t);

	/* Move it somewhere else: no handle is created or dropped. */
	hole = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(hole));
	TRACE_CLEAR();
	q = mremap(p, 3 * pg, 3 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	ASSERT_EQ((uintptr_t)hole, (uintptr_t)q) TH_LOG("mremap move: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(q, off, 3 * pg, seed)) TH_LOG("data after the move");
	ASSERT_EQ(0, madvise(q, 3 * pg, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(q, off, 3 * pg, seed)) TH_LOG("refault after the move");
	TRACE_GET(t);
	EXPECT_EQ(0, tr_count(t, "map") + tr_count(t, "unmap") + tr_count(t, "dup"))
		TH_LOG("a move mapped, unmapped or duplicated a handle:\n%s", t->raw);
	trace_free(t);

	/* A hole in the moved mapping still splits the same handle. */
	MUNMAP_TRACED(t, q + pg, pg, 1);
	if (t->n >= 1) {
		EXPECT_EQ(id, t->ev[0].dh) TH_LOG("trace:\n%s", t->raw);
		EXPECT_EQ(off + pg, t->ev[0].off) TH_LOG("trace:\n%s", t->raw);
		EXPECT_EQ(id, t->ev[0].new1) TH_LOG("trace:\n%s", t->raw);
	}
	trace_free(t);
	EXPECT_EQ(0, munmap(q, 3 * pg));
}

/* The mapping is VM_DONTEXPAND: growing it is refused. */
TEST_F(scatter, mremap_grow_is_efault)
{
	uint8_t *p;

	ASSERT_MAP(p, self->fd, self->base, self->pg, PROT_READ | PROT_WRITE);
	EXPECT_NO_GROW(p, self->pg, MREMAP_MAYMOVE);
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* fork: devmap_dup per handle; the child shares the memory. */
TEST_F(scatter, devmap_dup_at_fork)
{
	uint64_t off = self->base + CHUNK - 2 * self->pg;
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	long ids[2], nids[2];
	struct trace *t;
	int status, k, i;
	uint8_t *p;
	pid_t pid;

	TRACE_CLEAR();
	ASSERT_MAP(p, self->fd, off, 4 * pg, PROT_READ | PROT_WRITE);
	TRACE_GET(t);
	ASSERT_EQ(2, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	ids[0] = t->ev[tr_nth(t, "map", 0)].dh;
	ids[1] = t->ev[tr_nth(t, "map", 1)].dh;
	trace_free(t);
	pat_fill(p, off, 4 * pg, seed);

	TRACE_CLEAR();
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* PTEs are not copied: these reads fault the pages in. */
		if (pat_check(p, off, 4 * pg, seed) != -1)
			_exit(1);
		pat_fill(p, off, 4 * pg, seed ^ 0x77777777U);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status))
		TH_LOG("child status 0x%x (exit 1: the parent's data not seen)", status);
	EXPECT_EQ(-1, pat_check(p, off, 4 * pg, seed ^ 0x77777777U))
		TH_LOG("the child's writes are not seen by the parent");

	TRACE_GET(t);
	EXPECT_EQ(2, tr_count(t, "dup")) TH_LOG("trace:\n%s", t->raw);
	for (k = 0; k < 2; k++) {
		i = tr_find_dup(t, ids[k]);
		nids[k] = TR_ABSENT;
		EXPECT_LE(0, i) TH_LOG("no dup line for dh=%ld:\n%s", ids[k], t->raw);
		if (i < 0)
			continue;
		nids[k] = t->ev[i].new_id;
		EXPECT_LE(0, nids[k]) TH_LOG("dup dh=%ld: no new id:\n%s", ids[k], t->raw);
		EXPECT_NE(ids[0], nids[k]) TH_LOG("the child's handle reuses an id");
		EXPECT_NE(ids[1], nids[k]) TH_LOG("the child's handle reuses an id");
	}
	EXPECT_NE(nids[0], nids[1]);
	/* The child's exit unmaps its handles, whole. */
	EXPECT_UNMAP(t, nids[0], off, 2 * pg, TR_NONE, TR_NONE);
	EXPECT_UNMAP(t, nids[1], off + 2 * pg, 2 * pg, TR_NONE, TR_NONE);
	EXPECT_EQ(-1, tr_find_unmap(t, ids[0], off, 2 * pg, TR_NONE, TR_NONE))
		TH_LOG("the child's exit unmapped the parent's handle");
	trace_free(t);
	EXPECT_EQ(0, munmap(p, 4 * pg));
}

/* MADV_DONTFORK: the child gets no mapping and no devmap_dup runs. */
TEST_F(scatter, madv_dontfork_no_dup_child_segv)
{
	struct trace *t;
	int status, err;
	uint8_t *p;

	p = xx_mmap(self->fd, self->base, 2 * self->pg, PROT_READ | PROT_WRITE,
		    MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(err));
	set_byte(p, 0, 0x42);
	ASSERT_EQ(0, madvise(p, 2 * self->pg, MADV_DONTFORK))
		TH_LOG("madvise(MADV_DONTFORK): %s", strerror(errno));
	TRACE_CLEAR();
	status = touch_in_child(p, false);
	EXPECT_TRUE(killed_by(status, SIGSEGV)) TH_LOG("child status 0x%x", status);
	TRACE_GET(t);
	EXPECT_EQ(0, tr_count(t, "dup")) TH_LOG("trace:\n%s", t->raw);
	EXPECT_EQ(0, tr_count(t, "unmap")) TH_LOG("trace:\n%s", t->raw);
	trace_free(t);
	EXPECT_EQ(0x42, byte_at(p, 0));
	EXPECT_EQ(0, munmap(p, 2 * self->pg));
}

/*
 * Check that the handles in a trace balance: every handle that came to be
 * (map, dup, the new handle of a hole) is unmapped whole exactly once, and
 * no line names a handle that does not exist.  Returns the number of
 * problems; the first is described in why.
 */
static int tr_balance(const struct trace *t, char *why, size_t whylen)
{
	long live[TR_MAX];
	int nlive = 0, bad = 0, i, k;

	why[0] = '\0';
#define TR_BAD(...) do {						\
		if (!bad++)						\
			snprintf(why, whylen, __VA_ARGS__);		\
	} while (0)
	for (i = 0; i < t->n; i++) {
		const struct tev *e = &t->ev[i];
		int at = -1;

		for (k = 0; k < nlive; k++) {
			if (live[k] == e->dh)
				at = k;
		}
		if (!strcmp(e->kind, "map")) {
			if (e->failed)
				continue;
			if (at >= 0)
				TR_BAD("line %d: dh=%ld mapped twice", i + 1, e->dh);
			else
				live[nlive++] = e->dh;
		} else if (!strcmp(e->kind, "dup")) {
			if (at < 0)
				TR_BAD("line %d: dup of unknown dh=%ld", i + 1, e->dh);
			live[nlive++] = e->new_id;
		} else if (!strcmp(e->kind, "unmap")) {
			if (at < 0) {
				TR_BAD("line %d: unmap of unknown dh=%ld", i + 1, e->dh);
				continue;
			}
			if (e->new1 >= 0 && e->new1 != e->dh)
				TR_BAD("line %d: new1 is not the handle itself", i + 1);
			if (e->new2 >= 0 && e->new2 != e->dh) {
				if (e->new1 != e->dh)
					TR_BAD("line %d: a new handle without a hole", i + 1);
				live[nlive++] = e->new2;
			}
			if (e->new1 == TR_NONE && e->new2 == TR_NONE)
				live[at] = live[--nlive];
		} else if (!strcmp(e->kind, "access") && at < 0) {
			TR_BAD("line %d: access to unknown dh=%ld", i + 1, e->dh);
		}
		if (nlive >= TR_MAX - 1) {
			TR_BAD("too many handles");
			break;
		}
	}
	if (nlive)
		TR_BAD("%d handle(s) never unmapped whole, e.g. dh=%ld", nlive, live[0]);
#undef TR_BAD
	return bad;
}

/*
 * Split, move, fork and unmap one mapping: the handles stay consistent
 * (each one unmapped whole exactly once) and the data stays in place.
 */
TEST_F(scatter, devmap_handles_balance_after_split_move_fork)
{
	uint64_t off = self->base + 3 * CHUNK;
	uint32_t seed = new_seed();
	size_t pg = self->pg;
	uint8_t *p, *q, *dst;
	struct trace *t;
	char why[160];
	int status;
	pid_t pid;

	TRACE_CLEAR();
	ASSERT_MAP(p, self->fd, off, 8 * pg, PROT_READ | PROT_WRITE);
	pat_fill(p, off, 8 * pg, seed);

	/* A hole at page 2: pages 0-1 and 3-7 remain. */
	ASSERT_EQ(0, munmap(p + 2 * pg, pg));
	/* Move pages 4-5 elsewhere: pages 3 and 6-7 stay. */
	dst = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(dst));
	q = mremap(p + 4 * pg, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ((uintptr_t)dst, (uintptr_t)q) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(p, off, 2 * pg, seed));
	EXPECT_EQ(-1, pat_check(p + 3 * pg, off + 3 * pg, pg, seed));
	EXPECT_EQ(-1, pat_check(q, off + 4 * pg, 2 * pg, seed)) TH_LOG("moved pages");
	EXPECT_EQ(-1, pat_check(p + 6 * pg, off + 6 * pg, 2 * pg, seed));

	/* A child inherits all four pieces and reads them. */
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (pat_check(p, off, 2 * pg, seed) != -1 ||
		    pat_check(p + 3 * pg, off + 3 * pg, pg, seed) != -1 ||
		    pat_check(q, off + 4 * pg, 2 * pg, seed) != -1 ||
		    pat_check(p + 6 * pg, off + 6 * pg, 2 * pg, seed) != -1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status)) TH_LOG("child status 0x%x (1: wrong data)", status);

	/* Shrink the moved piece, then unmap everything. */
	q = mremap(q, 2 * pg, pg, 0);
	ASSERT_EQ((uintptr_t)dst, (uintptr_t)q) TH_LOG("mremap shrink: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(q, off + 4 * pg, pg, seed));
	EXPECT_EQ(0, munmap(p, 8 * pg));
	EXPECT_EQ(0, munmap(q, pg));

	TRACE_GET(t);
	EXPECT_EQ(0, tr_balance(t, why, sizeof(why))) TH_LOG("%s; trace:\n%s", why, t->raw);
	trace_free(t);
}

/* xxmem's debugfs hook: the Nth devmap_map call from now on fails. */
static bool fail_map_set(int n)
{
	char path[PATH_MAX], val[16];
	const char *tp = trace_path();
	const char *slash = strrchr(tp, '/');

	if (!slash)
		return false;
	snprintf(path, sizeof(path), "%.*s/fail_map", (int)(slash - tp), tp);
	snprintf(val, sizeof(val), "%d", n);
	return param_write(path, val);
}

/*
 * Solaris: a devmap_map failure for handle k fails the mmap with ENXIO
 * after devmap_unmap of handles 0..k-1; nothing stays mapped.
 */
TEST_F(scatter, devmap_map_failure_unwinds_earlier_handles)
{
	struct xxmem_status s0, s1;
	struct trace *t;
	long a, b;
	int i, e;

	STATUS_READ(self->fd, &s0);
	TRACE_CLEAR();
	ASSERT_TRUE(fail_map_set(3)) TH_LOG("cannot write xxmem/fail_map: %s",
					    strerror(errno));
	e = map_errno(self->fd, self->base, SCATTER_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED);
	fail_map_set(0);
	EXPECT_EQ(ENXIO, e) TH_LOG("mmap with the 3rd devmap_map failing: %s",
				   e ? strerror(e) : "succeeded");
	TRACE_GET(t);
	ASSERT_LE(3, t->n) TH_LOG("trace:\n%s", t->raw);
	EXPECT_EQ(5, t->n) TH_LOG("trace:\n%s", t->raw);
	/* Handles 0 and 1 were mapped, handle 2's devmap_map failed... */
	for (i = 0; i < 3; i++) {
		EXPECT_STREQ("map", t->ev[i].kind) TH_LOG("trace:\n%s", t->raw);
		EXPECT_EQ(self->base + (uint64_t)i * CHUNK, t->ev[i].off);
		EXPECT_EQ(i == 2, t->ev[i].failed) TH_LOG("trace:\n%s", t->raw);
	}
	a = t->ev[0].dh;
	b = t->ev[1].dh;
	/* ...so both got devmap_unmap, whole. */
	EXPECT_UNMAP(t, a, self->base, CHUNK, TR_NONE, TR_NONE);
	EXPECT_UNMAP(t, b, self->base + CHUNK, CHUNK, TR_NONE, TR_NONE);
	trace_free(t);
	STATUS_READ(self->fd, &s1);
	EXPECT_EQ(s0.maps, s1.maps) TH_LOG("a failed mmap was counted");

	/* The first handle failing: nothing to unwind. */
	TRACE_CLEAR();
	ASSERT_TRUE(fail_map_set(1));
	e = map_errno(self->fd, XXMEM_REGION_OFFSET(XXMEM_REGION_CTX), self->pg,
		      PROT_READ | PROT_WRITE, MAP_SHARED);
	fail_map_set(0);
	EXPECT_EQ(ENXIO, e) TH_LOG("ctx mmap with devmap_map failing: %s",
				   e ? strerror(e) : "succeeded");
	TRACE_GET(t);
	EXPECT_EQ(1, t->n) TH_LOG("trace:\n%s", t->raw);
	EXPECT_EQ(0, tr_count(t, "unmap")) TH_LOG("trace:\n%s", t->raw);
	trace_free(t);

	/* And the next mmap works again. */
	EXPECT_MAP_ERR(0, self->fd, self->base, SCATTER_SIZE, PROT_READ, MAP_SHARED);
}

/* ===================================================================== */
/* Region 2: the read-only status structure in the caller's layout       */
/* ===================================================================== */

FIXTURE(status) {
	int fd;
	size_t pg;
	uint64_t base;
};

FIXTURE_SETUP(status)
{
	self->pg = page_size();
	self->base = XXMEM_REGION_OFFSET(XXMEM_REGION_STATUS);
	ASSERT_OPEN_DEV(self->fd, O_RDWR);
}

FIXTURE_TEARDOWN(status)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* maxprot PROT_READ: PROT_WRITE is EACCES at mmap and at mprotect; writes fault. */
TEST_F(status, status_is_read_only)
{
	uint8_t *p;
	int rc, err, status;

	EXPECT_MAP_ERR(EACCES, self->fd, self->base, self->pg, PROT_READ | PROT_WRITE,
		       MAP_SHARED);
	EXPECT_MAP_ERR(EACCES, self->fd, self->base, self->pg, PROT_WRITE, MAP_SHARED);
	ASSERT_MAP(p, self->fd, self->base, self->pg, PROT_READ);
	rc = mprotect(p, self->pg, PROT_READ | PROT_WRITE);
	err = errno;
	EXPECT_EQ(-1, rc) TH_LOG("mprotect(PROT_WRITE) succeeded");
	if (rc) {
		EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_WRITE): %s", strerror(err));
	}
	status = touch_in_child(p, true);
	EXPECT_TRUE(killed_by(status, SIGSEGV))
		TH_LOG("write through a PROT_READ mapping: status 0x%x", status);
	(void)byte_at(p, 0);
	EXPECT_EQ(0, munmap(p, self->pg));
}

TEST_F(status, status_counts_opens_and_maps)
{
	struct xxmem_status s0, s1, s2, s3, s4;
	uint8_t *p, *q;
	int fd;

	STATUS_READ(self->fd, &s0);
	fd = open(xx_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	STATUS_READ(self->fd, &s1);
	EXPECT_EQ(s0.opens + 1, s1.opens) TH_LOG("open(2) not counted");
	EXPECT_EQ(s0.maps, s1.maps);

	ASSERT_MAP(p, fd, 0, 2 * self->pg, PROT_READ | PROT_WRITE);
	STATUS_READ(self->fd, &s2);
	EXPECT_EQ(s1.opens, s2.opens);
	EXPECT_EQ(s1.maps + 1, s2.maps) TH_LOG("mmap(2) not counted");
	EXPECT_EQ(s1.handles + 1, s2.handles) TH_LOG("region 0: one handle");
	EXPECT_EQ((long)getpid(), s2.last_pid);
	EXPECT_EQ((uintptr_t)p, (uintptr_t)s2.last_addr);

	ASSERT_MAP(q, fd, XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER), SCATTER_SIZE,
		   PROT_READ);
	STATUS_READ(self->fd, &s3);
	EXPECT_EQ(s2.maps + 1, s3.maps);
	EXPECT_EQ(s2.handles + XXMEM_SCATTER_CHUNKS, s3.handles)
		TH_LOG("region 1: one handle per chunk");
	EXPECT_EQ((uintptr_t)q, (uintptr_t)s3.last_addr);

	/* Failed mmaps count nothing. */
	EXPECT_MAP_ERR(EINVAL, fd, 0, self->pg, PROT_READ, MAP_PRIVATE);
	EXPECT_MAP_ERR(ENXIO, fd, XXMEM_REGION_OFFSET(XXMEM_REGION_CTX + 1), self->pg,
		       PROT_READ, MAP_SHARED);
	STATUS_READ(self->fd, &s4);
	EXPECT_EQ(s3.maps, s4.maps) TH_LOG("a failed mmap was counted");
	EXPECT_EQ((uintptr_t)s3.last_addr, (uintptr_t)s4.last_addr);
	EXPECT_EQ(s3.opens, s4.opens);

	EXPECT_EQ(0, munmap(q, SCATTER_SIZE));
	EXPECT_EQ(0, munmap(p, 2 * self->pg));
	close(fd);
}

/* The structure's long and pointer members read correctly in our own data model. */
TEST_F(status, status_layout_matches_model)
{
	volatile struct xxmem_status *st;
	struct xxmem_status s;
	uint8_t *p, *page;
	int err, status;
	size_t i;
	pid_t pid;

	st = xx_mmap(self->fd, self->base, self->pg, PROT_READ, MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed((void *)st)) TH_LOG("mmap region 2: %s", strerror(err));
	/* Our mapping of the status page is itself the last mmap. */
	EXPECT_EQ((long)getpid(), st->last_pid);
	EXPECT_EQ((uintptr_t)st, (uintptr_t)st->last_addr);

	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);
	EXPECT_EQ((long)getpid(), st->last_pid) TH_LOG("live view");
	EXPECT_EQ((uintptr_t)p, (uintptr_t)st->last_addr) TH_LOG("live view");
	EXPECT_LE(0, st->opens);
	EXPECT_LE(1, st->maps);
	EXPECT_LE(st->maps, st->handles);

	/* read(9E) gives the same layout. */
	STATUS_READ(self->fd, &s);
	EXPECT_EQ(st->opens, s.opens);
	EXPECT_EQ(st->maps, s.maps);
	EXPECT_EQ(st->handles, s.handles);
	EXPECT_EQ(st->last_pid, s.last_pid);
	EXPECT_EQ((uintptr_t)st->last_addr, (uintptr_t)s.last_addr);

	/* Nothing but the structure on the page. */
	page = (uint8_t *)st;
	for (i = sizeof(struct xxmem_status); i < self->pg; i++) {
		if (page[i])
			break;
	}
	EXPECT_EQ(self->pg, i) TH_LOG("non-zero byte at 0x%zx past the structure", i);

	/* Another process of our model: its pid and address. */
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *c = xx_mmap(self->fd, 0, 3 * self->pg, PROT_READ, MAP_SHARED);

		if (map_failed(c))
			_exit(1);
		if (st->last_pid != (long)getpid())
			_exit(2);
		_exit(st->last_addr == c ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status))
		TH_LOG("child status 0x%x (1: mmap, 2: last_pid, 3: last_addr)", status);
	EXPECT_EQ((long)pid, st->last_pid);
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, munmap((void *)st, self->pg));
}

/* A process of the other data model maps: we see it in our own layout. */
TEST_F(status, status_other_model_mmap_in_our_layout)
{
	const char *peer = getenv("XXMEM_PEER");
	unsigned long long addr = 0;
	struct xxmem_status s;
	char out[128];
	long pid = 0;
	int pfd[2], status;
	pid_t c;

	if (!peer || !*peer)
		SKIP(return, "XXMEM_PEER (the other data model's binary) not set");
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	c = fork_flushed();
	ASSERT_LE(0, c);
	if (c == 0) {
		if (dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(126);
		execl(peer, peer, "--map-print", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	read_all(pfd[0], out, sizeof(out));
	ASSERT_EQ(c, waitpid(c, &status, 0));
	ASSERT_TRUE(exited_ok(status)) TH_LOG("%s --map-print: status 0x%x", peer, status);
	ASSERT_EQ(2, sscanf(out, "%ld %llx", &pid, &addr)) TH_LOG("output: %s", out);
	EXPECT_EQ((long)c, pid);

	STATUS_READ(self->fd, &s);
	EXPECT_EQ(pid, s.last_pid) TH_LOG("last_pid in our layout");
	if (addr <= UINTPTR_MAX) {
		EXPECT_EQ((uintptr_t)addr, (uintptr_t)s.last_addr)
			TH_LOG("peer address 0x%llx", addr);
	} else {
		EXPECT_EQ((uintptr_t)0, (uintptr_t)s.last_addr)
			TH_LOG("a 64-bit address 0x%llx does not fit our pointers", addr);
	}
}

/* Faults served by the driver (region 3's devmap_access) are counted. */
TEST_F(status, status_faults_counted)
{
	struct xxmem_status s0, s1, s2;
	uint8_t *p;

	ASSERT_MAP(p, self->fd, XXMEM_REGION_OFFSET(XXMEM_REGION_CTX), self->pg,
		   PROT_READ | PROT_WRITE);
	STATUS_READ(self->fd, &s0);
	(void)byte_at(p, 0);
	STATUS_READ(self->fd, &s1);
	EXPECT_EQ(s0.faults + 1, s1.faults) TH_LOG("one touch, one fault");
	(void)byte_at(p, 8);	/* loaded: no fault */
	ASSERT_EQ(0, madvise(p, self->pg, MADV_DONTNEED));
	(void)byte_at(p, 16);
	STATUS_READ(self->fd, &s2);
	EXPECT_EQ(s1.faults + 1, s2.faults) TH_LOG("refault after MADV_DONTNEED");
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* ===================================================================== */
/* Region 3: context management (devmap_do_ctxmgt)                       */
/* ===================================================================== */

FIXTURE(ctx) {
	int fd;
	size_t pg;
	uint64_t base;
	long timeout_ms;
	long saved_timeout_ms;	/* to restore, or -1 */
};

FIXTURE_SETUP(ctx)
{
	self->saved_timeout_ms = -1;
	self->pg = page_size();
	self->base = XXMEM_REGION_OFFSET(XXMEM_REGION_CTX);
	ASSERT_OPEN_DEV(self->fd, O_RDWR);
	if (!param_read(XXMEM_PARAMS "ctx_timeout_ms", &self->timeout_ms)) {
		TH_LOG("cannot read " XXMEM_PARAMS "ctx_timeout_ms; assuming %d ms",
		       CTX_TIMEOUT_DEFAULT_MS);
		self->timeout_ms = CTX_TIMEOUT_DEFAULT_MS;
	}
	ASSERT_EQ(0, access(trace_path(), R_OK | W_OK))
		TH_LOG("%s: %s (debugfs mounted?)", trace_path(), strerror(errno));
}

FIXTURE_TEARDOWN(ctx)
{
	char buf[32];

	if (self->saved_timeout_ms >= 0) {
		snprintf(buf, sizeof(buf), "%ld", self->saved_timeout_ms);
		param_write(XXMEM_PARAMS "ctx_timeout_ms", buf);
	}
	if (self->fd >= 0)
		close(self->fd);
}

static bool tok_read(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

static bool tok_write(int fd)
{
	return write(fd, "t", 1) == 1;
}

#define CTX_ROUNDS	10

/* A child's own mapping of region 3 (at off, pg bytes), or NULL */
/* ctx_waits_for_owner_timeout's measuring slack: one tick at HZ=250 */
#define CTX_TICK_SLACK_MS	4

static volatile uint32_t *ctx_map(int fd, uint64_t off, size_t pg)
{
	void *p = xx_mmap(fd, off, pg, PROT_READ | PROT_WRITE, MAP_SHARED);

	return map_failed(p) ? NULL : p;
}

/*
 * Child of ctx_single_owner_alternates: map region 3, then K rounds of
 * "wait, check the parent's value, write the next one, pass the token".
 */
static int ctx_child(int fd, uint64_t off, size_t pg, int rfd, int wfd)
{
	volatile uint32_t *w = ctx_map(fd, off, pg);
	int i;

	if (!w)
		return 10;
	if (!tok_write(wfd))
		return 11;
	for (i = 0; i < CTX_ROUNDS; i++) {
		if (!tok_read(rfd))
			return 12;
		if (w[0] != (uint32_t)(2 * i))
			return 20 + i;
		w[0] = (uint32_t)(2 * i + 1);
		if (!tok_write(wfd))
			return 13;
	}
	return 0;
}

/*
 * A child to pass tokens with: two pipes and a fork.  Returns the child's
 * pid in the parent and 0 in the child; *rfd and *wfd are the caller's
 * ends (each side reads what the other writes).
 */
static pid_t fork_with_pipes(struct __test_metadata *_metadata, int *rfd,
			     int *wfd)
{
	int c2p[2], p2c[2];
	pid_t pid;

	ASSERT_EQ(0, pipe2(c2p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p2c, O_CLOEXEC));
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		*rfd = p2c[0];
		*wfd = c2p[1];
	} else {
		close(c2p[1]);
		close(p2c[0]);
		*rfd = c2p[0];
		*wfd = p2c[1];
	}
	return pid;
}

/* The parent's CTX_ROUNDS rounds against ctx_child, through w. */
static void ctx_parent_rounds(struct __test_metadata *_metadata,
			      volatile uint32_t *w, int rfd, int wfd)
{
	int i;

	ASSERT_TRUE(tok_read(rfd)) TH_LOG("child died before mapping");
	for (i = 0; i < CTX_ROUNDS; i++) {
		if (i > 0) {
			ASSERT_TRUE(tok_read(rfd)) TH_LOG("child died in round %d", i);
			EXPECT_EQ((uint32_t)(2 * i - 1), w[0])
				TH_LOG("round %d: the child's write not seen", i);
		}
		w[0] = (uint32_t)(2 * i);
		ASSERT_TRUE(tok_write(wfd));
	}
	ASSERT_TRUE(tok_read(rfd)) TH_LOG("child died in the last round");
	EXPECT_EQ((uint32_t)(2 * CTX_ROUNDS - 1), w[0]) TH_LOG("last write not seen");
}

/*
 * The trace of ctx_single_owner_alternates: two maps, a switch per round,
 * and the context alternating between the two handles: each switch is
 * from the previous owner, or from none once the owner's handle was
 * unmapped (the child's exit).
 */
static void ctx_check_alternation(struct __test_metadata *_metadata,
				  const struct trace *t)
{
	long a = TR_ABSENT, b = TR_ABSENT, last_to = TR_ABSENT;
	int i;

	EXPECT_EQ(2, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	if (tr_count(t, "map") == 2) {
		a = t->ev[tr_nth(t, "map", 0)].dh;
		b = t->ev[tr_nth(t, "map", 1)].dh;
	}
	EXPECT_LE(2 * CTX_ROUNDS - 1, tr_count(t, "ctxswitch"))
		TH_LOG("trace:\n%s", t->raw);
	EXPECT_LE(2 * CTX_ROUNDS, tr_count(t, "access")) TH_LOG("trace:\n%s", t->raw);
	for (i = 0; i < t->n; i++) {
		const struct tev *e = &t->ev[i];

		if (!strcmp(e->kind, "unmap") && e->dh == last_to &&
		    e->new1 == TR_NONE && e->new2 == TR_NONE) {
			last_to = TR_NONE;
			continue;
		}
		if (strcmp(e->kind, "ctxswitch"))
			continue;
		EXPECT_TRUE(e->to == a || e->to == b)
			TH_LOG("line %d: switch to a handle that is not ours:\n%s", i, t->raw);
		if (last_to != TR_ABSENT) {
			EXPECT_EQ(last_to, e->from)
				TH_LOG("line %d: from is not the previous owner:\n%s", i, t->raw);
			EXPECT_NE(last_to, e->to)
				TH_LOG("line %d: switch to the owner itself:\n%s", i, t->raw);
		}
		last_to = e->to;
	}
}

/* Two processes write alternately: each touch by the non-owner switches the context. */
TEST_F(ctx, ctx_single_owner_alternates)
{
	struct xxmem_status s0, s1;
	volatile uint32_t *w;
	int rfd, wfd, status, err;
	struct trace *t;
	pid_t pid;

	STATUS_READ(self->fd, &s0);
	TRACE_CLEAR();
	w = xx_mmap(self->fd, self->base, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed((void *)w)) TH_LOG("mmap region 3: %s", strerror(err));

	pid = fork_with_pipes(_metadata, &rfd, &wfd);
	if (pid == 0) {
		/* The child maps region 3 itself. */
		munmap((void *)w, self->pg);
		_exit(ctx_child(self->fd, self->base, self->pg, rfd, wfd));
	}
	ctx_parent_rounds(_metadata, w, rfd, wfd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status))
		TH_LOG("child status 0x%x (exit 20+i: the parent's round i value not seen)",
		       status);
	close(rfd);
	close(wfd);

	STATUS_READ(self->fd, &s1);
	EXPECT_LE(s0.ctx_switches + 2 * CTX_ROUNDS - 1, s1.ctx_switches)
		TH_LOG("ctx_switches %ld -> %ld for %d alternating rounds",
		       s0.ctx_switches, s1.ctx_switches, CTX_ROUNDS);

	TRACE_GET(t);
	ctx_check_alternation(_metadata, t);
	trace_free(t);
	EXPECT_EQ(0, munmap((void *)w, self->pg));
}

/*
 * Child of ctx_waits_for_owner_timeout: map region 3, take the context with
 * a write, send the time it started, hold the mapping until the parent's
 * token.
 */
static int ctx_owner_child(int fd, uint64_t off, size_t pg, int rfd, int wfd)
{
	volatile uint32_t *cw = ctx_map(fd, off, pg);
	int64_t t0;

	if (!cw)
		return 10;
	t0 = now_ns();		/* before the context is loaded for us */
	cw[0] = 0xa0a0a0a0U;
	if (write(wfd, &t0, sizeof(t0)) != (ssize_t)sizeof(t0))
		return 11;
	/* Hold the mapping until the parent is done. */
	tok_read(rfd);
	return 0;
}

/*
 * The trace of ctx_waits_for_owner_timeout: the switch from the child's
 * handle to the parent's, and the access lines of both (handle, page,
 * kind of access).
 */
static void ctx_check_handover(struct __test_metadata *_metadata,
			       const struct trace *t, uint64_t base, size_t pg)
{
	long a, b;
	int i, found = 0;

	ASSERT_EQ(2, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	a = t->ev[tr_nth(t, "map", 0)].dh;
	b = t->ev[tr_nth(t, "map", 1)].dh;
	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->ev[i].kind, "ctxswitch") && t->ev[i].from == a &&
		    t->ev[i].to == b)
			found = 1;
	}
	EXPECT_TRUE(found) TH_LOG("no \"ctxswitch from=%ld to=%ld\":\n%s", a, b, t->raw);
	i = tr_nth(t, "access", 0);
	ASSERT_LE(0, i) TH_LOG("trace:\n%s", t->raw);
	EXPECT_EQ(a, t->ev[i].dh);
	EXPECT_EQ(base, t->ev[i].off);
	EXPECT_EQ((uint64_t)pg, t->ev[i].len);
	EXPECT_STREQ("access", t->ev[i].type);
	EXPECT_STREQ("write", t->ev[i].rw);
	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->ev[i].kind, "access") && t->ev[i].dh == b)
			break;
	}
	ASSERT_GT(t->n, i) TH_LOG("no access line for dh=%ld:\n%s", b, t->raw);
	EXPECT_STREQ("read", t->ev[i].rw);
}

/* A process touching the context waits until the owner's timeout expired. */
TEST_F(ctx, ctx_waits_for_owner_timeout)
{
	int rfd, wfd, status, err;
	int64_t t_a0 = 0, t1, t2;
	volatile uint32_t *w;
	struct trace *t;
	long want_ms;
	pid_t pid;

	/* A longer timeout makes the wait stand out on a slow machine. */
	want_ms = self->timeout_ms;
	if (param_write(XXMEM_PARAMS "ctx_timeout_ms", "250")) {
		self->saved_timeout_ms = self->timeout_ms;
		want_ms = 250;
	}
	TH_LOG("ctx_timeout_ms %ld", want_ms);

	TRACE_CLEAR();
	pid = fork_with_pipes(_metadata, &rfd, &wfd);
	if (pid == 0)
		_exit(ctx_owner_child(self->fd, self->base, self->pg, rfd, wfd));
	ASSERT_EQ((ssize_t)sizeof(t_a0), read(rfd, &t_a0, sizeof(t_a0)))
		TH_LOG("child died before touching the context");

	w = xx_mmap(self->fd, self->base, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed((void *)w)) TH_LOG("mmap region 3: %s", strerror(err));
	t1 = now_ns();
	EXPECT_EQ(0xa0a0a0a0U, w[0]) TH_LOG("the owner's write not seen");
	t2 = now_ns();
	TH_LOG("first touch took %" PRId64 " us, %" PRId64 " us after the owner's",
	       (t2 - t1) / 1000, (t2 - t_a0) / 1000);
	/*
	 * The kernel holds the context for the timeout rounded up to clock
	 * ticks, plus one: at least 252 ms of 250 at HZ=250.  Measured here
	 * with CLOCK_MONOTONIC from before the owner's access, 126 runs gave
	 * 254.7 ms and more but one, 249.6 ms (6.1, arm64 under TCG; cause
	 * not found): the check allows one tick of 4 ms below the timeout.
	 */
	EXPECT_LE((want_ms - CTX_TICK_SLACK_MS) * 1000000LL, t2 - t_a0)
		TH_LOG("the context changed owner %" PRId64 " us after the owner took it; "
		       "ctx_timeout_ms is %ld", (t2 - t_a0) / 1000, want_ms);

	ASSERT_TRUE(tok_write(wfd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status)) TH_LOG("child status 0x%x", status);
	close(rfd);
	close(wfd);

	TRACE_GET(t);
	ctx_check_handover(_metadata, t, self->base, self->pg);
	trace_free(t);
	EXPECT_EQ(0, munmap((void *)w, self->pg));
}

/* fork: the child inherits the ctx mapping (dup) and takes the context in turn. */
TEST_F(ctx, ctx_fork_child_dups_and_switches)
{
	volatile uint32_t *w;
	struct trace *t;
	int status, err, i, found = 0;
	long a, na = TR_ABSENT;
	pid_t pid;

	TRACE_CLEAR();
	w = xx_mmap(self->fd, self->base, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	err = errno;
	ASSERT_FALSE(map_failed((void *)w)) TH_LOG("mmap region 3: %s", strerror(err));
	w[1] = 0x12345678U;
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (w[1] != 0x12345678U)
			_exit(1);
		w[1] = 0x87654321U;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status)) TH_LOG("child status 0x%x", status);
	EXPECT_EQ(0x87654321U, w[1]) TH_LOG("the child's write not seen");

	TRACE_GET(t);
	ASSERT_EQ(1, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	a = t->ev[tr_nth(t, "map", 0)].dh;
	i = tr_find_dup(t, a);
	EXPECT_LE(0, i) TH_LOG("no dup line:\n%s", t->raw);
	if (i >= 0)
		na = t->ev[i].new_id;
	EXPECT_NE(a, na);
	/* The child took the context from us; our next touch took it back. */
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->ev[i].kind, "ctxswitch"))
			continue;
		if (t->ev[i].from == a && t->ev[i].to == na)
			found |= 1;
		else if ((found & 1) && t->ev[i].to == a &&
			 (t->ev[i].from == na || t->ev[i].from == TR_NONE))
			found |= 2;
	}
	EXPECT_EQ(3, found)
		TH_LOG("want \"ctxswitch from=%ld to=%ld\", then one to %ld:\n%s",
		       a, na, a, t->raw);
	EXPECT_UNMAP(t, na, self->base, self->pg, TR_NONE, TR_NONE);
	trace_free(t);
	EXPECT_EQ(0, munmap((void *)w, self->pg));
}

#define CTX_STRESS_ROUNDS	25

/* One side of ctx_map_unmap_while_switching: map, write, check, unmap. */
static int ctx_stress(int fd, uint64_t off, size_t pg, uint32_t tag)
{
	volatile uint32_t *w;
	int i;

	for (i = 0; i < CTX_STRESS_ROUNDS; i++) {
		w = xx_mmap(fd, off, pg, PROT_READ | PROT_WRITE, MAP_SHARED);
		if (map_failed((void *)w))
			return 10;
		w[2 + tag] = tag << 16 | (uint32_t)i;
		if (w[2 + tag] != (tag << 16 | (uint32_t)i))
			return 11;	/* our own word changed under us */
		if (i & 1)
			(void)w[2 + !tag];
		if (munmap((void *)w, pg))
			return 12;
	}
	return 0;
}

/*
 * Two processes map, touch and unmap the context page over and over: every
 * switch, unload and unmap race with the other side's; the handles balance
 * and the kernel log stays clean.
 */
TEST_F_TIMEOUT(ctx, ctx_map_unmap_while_switching, 120)
{
	struct trace *t;
	char why[160];
	int status, rc;
	pid_t pid;

	TRACE_CLEAR();
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ctx_stress(self->fd, self->base, self->pg, 1));
	rc = ctx_stress(self->fd, self->base, self->pg, 0);
	EXPECT_EQ(0, rc) TH_LOG("parent: 10 mmap, 11 own word changed, 12 munmap");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(exited_ok(status)) TH_LOG("child status 0x%x", status);

	TRACE_GET(t);
	EXPECT_EQ(2 * CTX_STRESS_ROUNDS, tr_count(t, "map")) TH_LOG("trace:\n%s", t->raw);
	EXPECT_LE(2 * CTX_STRESS_ROUNDS, tr_count(t, "access"));
	EXPECT_EQ(0, tr_balance(t, why, sizeof(why))) TH_LOG("%s; trace:\n%s", why, t->raw);
	trace_free(t);
}

/*
 * The setup of the fixtures of a test driver's node ($_env, else _dflt):
 * absent (its tests skip) while the driver is not loaded, else open.
 */
#define NODE_SETUP(_env, _dflt, _oflags) do {					\
	const char *__dev = env_or(_env, _dflt);				\
										\
	self->pg = page_size();							\
	self->fd = -1;								\
	if (access(__dev, F_OK)) {						\
		self->absent = true;						\
	} else {								\
		self->fd = open(__dev, (_oflags) | O_CLOEXEC);			\
		ASSERT_LE(0, self->fd)						\
			TH_LOG("open %s: %s", __dev, strerror(errno));		\
	}									\
} while (0)

/* ===================================================================== */
/* /dev/xxmmap: the legacy mmap(9E) entry point                          */
/* ===================================================================== */

FIXTURE(legacy) {
	int fd;		/* O_RDONLY */
	size_t pg;
	bool absent;
};

FIXTURE_SETUP(legacy)
{
	NODE_SETUP("XXMMAP_DEV", XXMMAP_DEV_DEFAULT, O_RDONLY);
}

FIXTURE_TEARDOWN(legacy)
{
	param_write(XXMMAP_PARAMS "refuse", "0");
	if (self->fd >= 0)
		close(self->fd);
}

#define NEED_NODE(_dev) do {							\
	if (self->absent)							\
		SKIP(return, "%s does not exist (test driver not loaded)", _dev); \
} while (0)

static bool mmap_calls(long *n)
{
	return param_read(XXMMAP_PARAMS "mmap_calls", n);
}

TEST_F(legacy, legacy_mmap_reads_device_memory)
{
	uint8_t *p;
	int err, rc;
	size_t i;

	NEED_NODE(XXMMAP_DEV_DEFAULT);
	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);
	for (i = 0; i < XXMMAP_DEVSIZE; i++) {
		if (p[i] != XXMMAP_BYTE(i))
			break;
	}
	EXPECT_EQ((size_t)XXMMAP_DEVSIZE, i)
		TH_LOG("byte %zu is 0x%02x, want 0x%02x", i, p[i], XXMMAP_BYTE(i));
	for (i = XXMMAP_DEVSIZE; i < self->pg; i++) {
		if (p[i])
			break;
	}
	EXPECT_EQ(self->pg, i) TH_LOG("byte %zu past the device memory is not zero", i);

	/* The driver refuses PROT_WRITE: mprotect cannot add it (fd read-only). */
	rc = mprotect(p, self->pg, PROT_READ | PROT_WRITE);
	err = errno;
	EXPECT_EQ(-1, rc) TH_LOG("mprotect(PROT_WRITE) succeeded");
	if (rc) {
		EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_WRITE): %s", strerror(err));
	}
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* Solaris: maxprot includes PROT_WRITE for a writable fd, which this driver refuses. */
TEST_F(legacy, legacy_mmap_writable_fd_is_enxio)
{
	int fd;

	NEED_NODE(XXMMAP_DEV_DEFAULT);
	fd = open(env_or("XXMMAP_DEV", XXMMAP_DEV_DEFAULT), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_MAP_ERR(ENXIO, fd, 0, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, fd, 0, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	close(fd);
	/* O_RDONLY + PROT_WRITE: the VFS says EACCES before the driver is asked. */
	EXPECT_MAP_ERR(EACCES, self->fd, 0, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
}

/* mmap(9E) is asked for every page at mmap time: a page past the device is ENXIO. */
TEST_F(legacy, legacy_mmap_offset_past_device_is_enxio)
{
	NEED_NODE(XXMMAP_DEV_DEFAULT);
	EXPECT_MAP_ERR(0, self->fd, 0, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, self->pg, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, 0, 2 * self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, 16 * self->pg, self->pg, PROT_READ, MAP_SHARED);
}

TEST_F(legacy, legacy_mmap_private_is_einval)
{
	NEED_NODE(XXMMAP_DEV_DEFAULT);
	EXPECT_MAP_ERR(EINVAL, self->fd, 0, self->pg, PROT_READ, MAP_PRIVATE);
}

/* mmap(9E) runs at mmap time and again at the first touch of the page. */
TEST_F(legacy, legacy_mmap_called_again_at_fault)
{
	long c0, c1, c2, c3, c4, c5;
	uint8_t *p, *q;

	NEED_NODE(XXMMAP_DEV_DEFAULT);
	ASSERT_TRUE(mmap_calls(&c0)) TH_LOG("cannot read " XXMMAP_PARAMS "mmap_calls");
	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);
	ASSERT_TRUE(mmap_calls(&c1));
	EXPECT_LE(c0 + 1, c1) TH_LOG("mmap(9E) not called at mmap time");

	EXPECT_EQ(XXMMAP_BYTE(5), byte_at(p, 5));
	ASSERT_TRUE(mmap_calls(&c2));
	EXPECT_EQ(c1 + 1, c2) TH_LOG("mmap(9E) not called (once) at the first touch");

	EXPECT_EQ(XXMMAP_BYTE(6), byte_at(p, 6));
	ASSERT_TRUE(mmap_calls(&c3));
	EXPECT_EQ(c2, c3) TH_LOG("a loaded page faulted again");

	/* A second mapping: its own validation and its own fault. */
	ASSERT_MAP(q, self->fd, 0, self->pg, PROT_READ);
	ASSERT_TRUE(mmap_calls(&c4));
	EXPECT_LE(c3 + 1, c4) TH_LOG("mmap(9E) not called for the second mmap");
	EXPECT_EQ(XXMMAP_BYTE(7), byte_at(q, 7));
	ASSERT_TRUE(mmap_calls(&c5));
	EXPECT_EQ(c4 + 1, c5) TH_LOG("mmap(9E) not called at the second mapping's fault");
	EXPECT_EQ(0, munmap(q, self->pg));
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* Solaris: mmap(9E) returning -1 at fault time is SIGBUS. */
TEST_F(legacy, legacy_mmap_refused_at_fault_is_sigbus)
{
	uint8_t *p, *q;
	int status;

	NEED_NODE(XXMMAP_DEV_DEFAULT);
	ASSERT_MAP(p, self->fd, 0, self->pg, PROT_READ);
	ASSERT_MAP(q, self->fd, 0, self->pg, PROT_READ);
	EXPECT_EQ(XXMMAP_BYTE(1), byte_at(p, 1));

	ASSERT_TRUE(param_write(XXMMAP_PARAMS "refuse", "1"))
		TH_LOG("cannot set " XXMMAP_PARAMS "refuse: %s", strerror(errno));
	/* mmap time: refused is ENXIO. */
	EXPECT_MAP_ERR(ENXIO, self->fd, 0, self->pg, PROT_READ, MAP_SHARED);
	/* A page loaded before stays loaded. */
	EXPECT_EQ(XXMMAP_BYTE(2), byte_at(p, 2));
	/*
	 * A mapping made before refuse was set, never touched: the fault asks
	 * mmap(9E) again.  (MADV_DONTNEED cannot drop the loaded page: Linux
	 * refuses it on a VM_PFNMAP mapping.)
	 */
	status = touch_in_child(q, false);
	EXPECT_TRUE(killed_by(status, SIGBUS))
		TH_LOG("first touch: status 0x%x, want SIGBUS", status);

	ASSERT_TRUE(param_write(XXMMAP_PARAMS "refuse", "0"));
	EXPECT_EQ(XXMMAP_BYTE(3), byte_at(q, 3)) TH_LOG("works again once accepted");
	EXPECT_EQ(0, munmap(q, self->pg));
	EXPECT_EQ(0, munmap(p, self->pg));
}

/* ===================================================================== */
/* /dev/xxsegmap: segmap(9E) and ddi_devmap_segmap(9F)                   */
/* ===================================================================== */

FIXTURE(segmap) {
	int fd;
	size_t pg;
	bool absent;
};

FIXTURE_SETUP(segmap)
{
	NODE_SETUP("XXSEGMAP_DEV", XXSEGMAP_DEV_DEFAULT, O_RDWR);
}

FIXTURE_TEARDOWN(segmap)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* segmap(9E) returns ENXIO for a range beyond the device: mmap(2) gets it. */
TEST_F(segmap, segmap_range_error_passes_through_enxio)
{
	size_t pg = self->pg;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	EXPECT_MAP_ERR(ENXIO, self->fd, XXSEG_PAGES * pg, pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, 0, (XXSEG_PAGES + 1) * pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, 3 * pg, 2 * pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, 64 * pg, pg, PROT_READ, MAP_SHARED);
}

TEST_F(segmap, segmap_private_passes_through_einval)
{
	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	EXPECT_MAP_ERR(EINVAL, self->fd, 0, self->pg, PROT_READ, MAP_PRIVATE);
	EXPECT_MAP_ERR(EINVAL, self->fd, 0, self->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

/* Whatever errno segmap(9E) returns is what mmap(2) fails with. */
TEST_F(segmap, segmap_any_errno_passes_through)
{
	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	EXPECT_MAP_ERR(EPERM, self->fd, 3 * self->pg, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(EPERM, self->fd, 3 * self->pg, self->pg, PROT_READ | PROT_WRITE,
		       MAP_SHARED);
}

/* devmap(9E) -1 inside ddi_devmap_segmap: ENXIO, passed through by segmap(9E). */
TEST_F(segmap, segmap_devmap_failure_is_enxio)
{
	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	EXPECT_MAP_ERR(ENXIO, self->fd, 2 * self->pg, self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, self->pg, 2 * self->pg, PROT_READ, MAP_SHARED);
	EXPECT_MAP_ERR(ENXIO, self->fd, 0, 3 * self->pg, PROT_READ | PROT_WRITE,
		       MAP_SHARED);
}

TEST_F(segmap, segmap_maps_through_ddi_devmap_segmap)
{
	size_t pg = self->pg, i;
	uint8_t *p, *q;
	int k;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	ASSERT_MAP(p, self->fd, 0, 2 * pg, PROT_READ | PROT_WRITE);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < pg; i++) {
			if (p[k * pg + i] != XXSEG_BYTE(k))
				break;
		}
		EXPECT_EQ(pg, i) TH_LOG("page %d byte %zu is 0x%02x, want 0x%02x", k, i,
					p[k * pg + i], XXSEG_BYTE(k));
	}

	/* An offset mapping starts at that page; writes are shared. */
	ASSERT_MAP(q, self->fd, pg, pg, PROT_READ);
	EXPECT_EQ(XXSEG_BYTE(1), byte_at(q, 0));
	set_byte(p, pg + 100, 0x5c);
	EXPECT_EQ(0x5c, byte_at(q, 100)) TH_LOG("write not seen through the other mapping");
	set_byte(p, pg + 100, XXSEG_BYTE(1));
	EXPECT_EQ(0, munmap(q, pg));
	EXPECT_EQ(0, munmap(p, 2 * pg));
}

/*
 * ddi_umem_alloc(DDI_UMEM_TRASH): every page of the cookie is its one
 * scratch page, so a write through any page of any mapping of it is seen
 * at the same offset of every page of every mapping.
 */
/* devmap_access(9E) calls of xxsegmap's pair window so far. */
static uint32_t pair_faults(struct __test_metadata *_metadata, int fd)
{
	uint32_t n = 0;

	EXPECT_EQ(0, ioctl(fd, XXSEG_IOC_PAIR_FAULTS, &n))
		TH_LOG("XXSEG_IOC_PAIR_FAULTS: %s", strerror(errno));
	return n;
}

/*
 * devmap_load(9F) of a handle of another mmap(2) of the faulting process,
 * from devmap_access(9E), as winlock(4D) loads a new owner's lock and
 * unlock pages: a fault on one mapping of xxsegmap's pair window loads
 * both, so the second mapping is read without a fault of its own.
 */
TEST_F(segmap, access_loads_the_processes_other_mapping)
{
	size_t pg = self->pg;
	uint8_t *p, *q, v;
	uint32_t n0;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	p = xx_mmap(self->fd, XXSEG_PAIR_OFF, pg, PROT_READ | PROT_WRITE,
		    MAP_SHARED);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(errno));
	q = xx_mmap(self->fd, XXSEG_PAIR_OFF, pg, PROT_READ | PROT_WRITE,
		    MAP_SHARED);
	ASSERT_FALSE(map_failed(q)) TH_LOG("mmap: %s", strerror(errno));
	n0 = pair_faults(_metadata, self->fd);
	v = byte_at(p, 29);
	EXPECT_EQ(n0 + 1, pair_faults(_metadata, self->fd));
	EXPECT_EQ(v, byte_at(q, 29));
	EXPECT_EQ(n0 + 1, pair_faults(_metadata, self->fd))
		TH_LOG("the second mapping faulted: it was not loaded");
	set_byte(q, 29, (uint8_t)~v);
	EXPECT_EQ((uint8_t)~v, byte_at(p, 29));
	set_byte(p, 29, v);
	EXPECT_EQ(n0 + 1, pair_faults(_metadata, self->fd));
	EXPECT_EQ(0, munmap(q, pg));
	EXPECT_EQ(0, munmap(p, pg));
}

/*
 * ... but only a handle of the faulting process: a child's own mapping of
 * the pair window pairs with the parent's, and the child's fault must not
 * load the parent's mapping (devmap_load of it fails with EINVAL and the
 * driver serves the child's access alone); the parent's first access
 * faults.
 */
TEST_F(segmap, access_does_not_load_another_processes_mapping)
{
	size_t pg = self->pg;
	int status, fd = self->fd;
	uint32_t n0;
	uint8_t *p;
	pid_t pid;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	p = xx_mmap(fd, XXSEG_PAIR_OFF, pg, PROT_READ, MAP_SHARED);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(errno));
	n0 = pair_faults(_metadata, fd);
	pid = fork_flushed();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *q;

		no_core_dumps();
		q = xx_mmap(fd, XXSEG_PAIR_OFF, pg, PROT_READ, MAP_SHARED);
		if (map_failed(q))
			_exit(2);
		(void)byte_at(q, 3);
		_exit(munmap(q, pg) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child status 0x%x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(n0 + 1, pair_faults(_metadata, fd));
	(void)byte_at(p, 3);
	EXPECT_EQ(n0 + 2, pair_faults(_metadata, fd))
		TH_LOG("the child's fault loaded the parent's mapping");
	EXPECT_EQ(0, munmap(p, pg));
}

TEST_F(segmap, trash_cookie_pages_are_one_scratch_page)
{
	size_t pg = self->pg, n = XXSEG_TRASH_PAGES, k;
	uint8_t v = (uint8_t)(new_seed() | 1);
	uint8_t *p, *q;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	p = xx_mmap(self->fd, XXSEG_TRASH_OFF, n * pg, PROT_READ | PROT_WRITE,
		    MAP_SHARED);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(errno));
	q = xx_mmap(self->fd, XXSEG_TRASH_OFF + 2 * pg, pg, PROT_READ, MAP_SHARED);
	ASSERT_FALSE(map_failed(q)) TH_LOG("mmap page 2: %s", strerror(errno));
	set_byte(p, 3 * pg + 17, v);
	for (k = 0; k < n; k++)
		EXPECT_EQ(v, byte_at(p, k * pg + 17)) TH_LOG("page %zu", k);
	EXPECT_EQ(v, byte_at(q, 17));
	set_byte(p, 17, (uint8_t)~v);
	EXPECT_EQ((uint8_t)~v, byte_at(q, 17));
	EXPECT_EQ((uint8_t)~v, byte_at(p, 3 * pg + 17));
	/* another offset of the page is not touched by those writes */
	set_byte(p, pg + 18, 0);
	EXPECT_EQ(0, byte_at(p, 2 * pg + 18));
	EXPECT_EQ((uint8_t)~v, byte_at(p, 2 * pg + 17));
	EXPECT_EQ(0, munmap(q, pg));
	EXPECT_EQ(0, munmap(p, n * pg));
}

/*
 * DEVMAP_USE_PAGESIZE: the handle is never mapped with 2 MiB entries (a
 * page mapping, populated by mmap), while the same 4 MiB without the flag
 * is a PFN map of 2 MiB entries where xxddi has them (Linux 6.12).  Both
 * map the same memory.
 */
TEST_F(segmap, use_pagesize_handle_gets_no_2mib_entries)
{
	const size_t len = XXSEG_BIG_SIZE, mib2 = 2UL << 20;
	uint32_t seed = new_seed();
	uint8_t *p, *q;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	p = xx_mmap(self->fd, XXSEG_BIG_OFF, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_FALSE(map_failed(p)) TH_LOG("mmap: %s", strerror(errno));
	q = xx_mmap(self->fd, XXSEG_BIG2_OFF, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_FALSE(map_failed(q)) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_FALSE(is_pfnmap(p)) TH_LOG("VmFlags:%s", vm_flags_at(p));
	/* 32-bit processes get no 2 MiB placement, but may be lucky */
	if (sizeof(long) == 8 || (uintptr_t)q % mib2 == 0)
		EXPECT_EQ(huge_pfnmap("xxsegmap"), is_pfnmap(q))
			TH_LOG("VmFlags:%s", vm_flags_at(q));
	pat_fill(p, 0, len, seed);
	EXPECT_EQ(-1, pat_check(q, 0, len, seed));
	pat_fill(q, 0, len, ~seed);
	EXPECT_EQ(-1, pat_check(p, 0, len, ~seed));
	EXPECT_EQ(0, munmap(q, len));
	EXPECT_EQ(0, munmap(p, len));
}

/* XXSEG_IOC_LOCK of [@addr, @addr + @len) for writing: 0 or the errno. */
static int seg_lock(int fd, const void *addr, size_t len, uint32_t flags)
{
	struct xxseg_lock lk = {
		.addr = (uintptr_t)addr, .len = len, .flags = flags,
	};

	return ioctl(fd, XXSEG_IOC_LOCK, &lk) ? errno : 0;
}

/*
 * ddi_umem_lock(9F): a process' own pages, locked down by the driver, are
 * what another mapping of the device maps (devmap_umem_setup with the
 * cookie): writes are seen both ways, and the pages stay mapped after
 * ddi_umem_unlock while the mapping exists.  Unaligned or unmapped ranges
 * and bad flags are refused with ddi_umem_lock's errno.
 */
TEST_F(segmap, umem_lock_exports_the_callers_pages)
{
	size_t pg = self->pg, len = 2 * self->pg;
	uint32_t seed = new_seed();
	uint8_t *buf, *q, *hole;

	NEED_NODE(XXSEGMAP_DEV_DEFAULT);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(buf));
	pat_fill(buf, 0, len, seed);

	/* nothing locked: the window maps nothing, unlock has nothing */
	EXPECT_MAP_ERR(ENXIO, self->fd, XXSEG_LOCK_OFF, pg, PROT_READ, MAP_SHARED);
	EXPECT_EQ(-1, ioctl(self->fd, XXSEG_IOC_UNLOCK));
	EXPECT_EQ(ENXIO, errno);
	/* bad requests */
	EXPECT_EQ(EINVAL, seg_lock(self->fd, buf + 1, pg, DDI_UMEMLOCK_WRITE));
	EXPECT_EQ(EINVAL, seg_lock(self->fd, buf, pg + 1, DDI_UMEMLOCK_WRITE));
	EXPECT_EQ(EINVAL, seg_lock(self->fd, buf, 0, DDI_UMEMLOCK_WRITE));
	EXPECT_EQ(EINVAL, seg_lock(self->fd, buf, pg, 0));
	EXPECT_EQ(EINVAL, seg_lock(self->fd, buf, pg, 0x100));
	hole = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(map_failed(hole));
	EXPECT_EQ(EFAULT, seg_lock(self->fd, hole, pg, DDI_UMEMLOCK_WRITE));
	EXPECT_EQ(0, munmap(hole, pg));
	EXPECT_EQ(EFAULT, seg_lock(self->fd, hole, pg, DDI_UMEMLOCK_READ));

	ASSERT_EQ(0, seg_lock(self->fd, buf, len, DDI_UMEMLOCK_READ | DDI_UMEMLOCK_WRITE));
	EXPECT_EQ(EBUSY, seg_lock(self->fd, buf, pg, DDI_UMEMLOCK_WRITE));
	/* the cookie is 2 pages: a third is beyond it */
	EXPECT_MAP_ERR(ENXIO, self->fd, XXSEG_LOCK_OFF, 3 * pg, PROT_READ, MAP_SHARED);
	q = xx_mmap(self->fd, XXSEG_LOCK_OFF, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (map_failed(q)) {
		int err = errno;

		ioctl(self->fd, XXSEG_IOC_UNLOCK);	/* for the next run */
		ASSERT_FALSE(map_failed(q)) TH_LOG("mmap: %s", strerror(err));
	}
	EXPECT_EQ(-1, pat_check(q, 0, len, seed));
	pat_fill(q, 0, len, ~seed);
	EXPECT_EQ(-1, pat_check(buf, 0, len, ~seed)) TH_LOG("the device's writes");
	set_byte(buf, pg + 9, (uint8_t)~byte_at(buf, pg + 9));
	EXPECT_EQ(byte_at(buf, pg + 9), byte_at(q, pg + 9));

	/* unlocked: the mapping keeps the pages; the window is empty again */
	EXPECT_EQ(0, ioctl(self->fd, XXSEG_IOC_UNLOCK));
	EXPECT_MAP_ERR(ENXIO, self->fd, XXSEG_LOCK_OFF, pg, PROT_READ, MAP_SHARED);
	set_byte(q, 5, 0x3c);
	EXPECT_EQ(0x3c, byte_at(buf, 5));
	EXPECT_EQ(0, munmap(q, len));
	EXPECT_EQ(0, munmap(buf, len));
}

/* ---- helper mode ---------------------------------------------------- */

static int helper_main(int argc, char **argv)
{
	void *p;
	int fd;

	if (argc != 2 || strcmp(argv[1], "--map-print"))
		return -1;
	fd = open(xx_dev(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "# devmap_test --map-print: open: %s\n", strerror(errno));
		return 1;
	}
	p = xx_mmap(fd, 0, page_size(), PROT_READ, MAP_SHARED);
	if (map_failed(p)) {
		fprintf(stderr, "# devmap_test --map-print: mmap: %s\n", strerror(errno));
		return 1;
	}
	printf("%ld 0x%llx\n", (long)getpid(), (unsigned long long)(uintptr_t)p);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc = helper_mode(argc, argv, "--map", helper_main);

	return rc >= 0 ? rc : test_harness_run(argc, argv);
}
