// SPDX-License-Identifier: GPL-2.0
/*
 * xxmemctl - show the regions of /dev/xxmem and read or write them through
 * a user mapping, the way an application of the devmap model sees them.
 *
 *   xxmemctl [-d DEV] info                       region table and data model
 *   xxmemctl [-d DEV] model                      32 or 64 (XXMEM_IOC_GET_MODEL)
 *   xxmemctl [-d DEV] read REGION OFF LEN        hexdump -C of LEN bytes at OFF
 *   xxmemctl [-d DEV] write REGION OFF HEXBYTES  e.g. write 0 0x10 48656c6c6f
 *   xxmemctl [-d DEV] fill REGION OFF LEN BYTE
 *   xxmemctl [-d DEV] peek32 REGION OFF          print the 32-bit word at OFF
 *   xxmemctl [-d DEV] poke32 REGION OFF VALUE    store a 32-bit word at OFF
 *
 * Numbers take a 0x prefix for hex; OFF and LEN also a K, M or G suffix.
 * Memory is accessed with aligned 32-bit loads and stores where possible,
 * so device registers that want word access can be read too; peek32 and
 * poke32 make exactly one aligned 32-bit access (OFF a multiple of 4), as a
 * device register wants, e.g. on a PCI instance /dev/xxmemN, whose region i
 * is BAR i:
 *   xxmemctl -d /dev/xxmem1 peek32 0 0          QEMU edu's ID, 0x010000ed
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xxmem.h"

#define DEFAULT_DEV	"/dev/xxmem"
#define MAX_REGIONS	256
#define EXIT_USAGE	2

static const char *dev_path = DEFAULT_DEV;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xxmemctl [-d DEV] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  info                       list the regions and the caller's data model\n"
		"  model                      print the caller's data model (32 or 64)\n"
		"  read REGION OFF LEN        hexdump LEN bytes at offset OFF of REGION\n"
		"  write REGION OFF HEXBYTES  write bytes (e.g. 48656c6c6f) at OFF\n"
		"  fill REGION OFF LEN BYTE   set LEN bytes at OFF to BYTE\n"
		"  peek32 REGION OFF          print the 32-bit word at OFF (one aligned load)\n"
		"  poke32 REGION OFF VALUE    store VALUE, 32 bits, at OFF (one aligned store)\n"
		"\n"
		"options:\n"
		"  -d DEV   device node (default " DEFAULT_DEV ")\n"
		"  -h       this help\n"
		"\n"
		"OFF and LEN: decimal or 0x hex, optional K/M/G suffix; peek32 and\n"
		"poke32 want OFF a multiple of 4.\n");
}

/* "xxmemctl: " and the message, on stderr. */
static void __attribute__((format(printf, 1, 0))) vmsg(const char *fmt, va_list ap)
{
	fputs("xxmemctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

static int __attribute__((format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	usage(stderr);
	return EXIT_USAGE;
}

/* N, 0xN, optionally followed by K, M or G when suffix is set. */
static bool parse_num(const char *s, bool suffix, uint64_t *val)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	if (suffix && *end) {
		switch (*end) {
		case 'K': case 'k':
			shift = 10;
			break;
		case 'M': case 'm':
			shift = 20;
			break;
		case 'G': case 'g':
			shift = 30;
			break;
		default:
			return false;
		}
		end++;
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
	}
	if (*end)
		return false;
	*val = v;
	return true;
}

static int open_dev(int flags, int *fd)
{
	*fd = open(dev_path, flags | O_CLOEXEC);
	if (*fd < 0)
		return fail("open %s: %s", dev_path, strerror(errno));
	return 0;
}

static int get_model(int fd, uint32_t *model)
{
	__u32 m = 0;

	if (ioctl(fd, XXMEM_IOC_GET_MODEL, &m))
		return fail("%s: XXMEM_IOC_GET_MODEL: %s", dev_path, strerror(errno));
	*model = m;
	return 0;
}

/* 0 and *ri filled, 1 past the last region (EINVAL), -1 on another error. */
static int region_info(int fd, uint32_t index, struct xxmem_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->index = index;
	if (!ioctl(fd, XXMEM_IOC_REGION_INFO, ri)) {
		ri->name[sizeof(ri->name) - 1] = '\0';
		return 0;
	}
	return errno == EINVAL ? 1 : -1;
}

static int get_region(int fd, uint32_t index, struct xxmem_region_info *ri)
{
	int rc = region_info(fd, index, ri);

	if (rc > 0)
		return fail("%s: region %u does not exist", dev_path, index);
	if (rc < 0)
		return fail("%s: XXMEM_IOC_REGION_INFO %u: %s", dev_path, index,
			    strerror(errno));
	return 0;
}

static void human_size(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && n >= (1ULL << (10 * (u + 1))))
		u++;
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else if (!(n & ((1ULL << (10 * u)) - 1)))
		snprintf(buf, len, "%" PRIu64 " %s", n >> (10 * u), unit[u]);
	else
		snprintf(buf, len, "%.2f %s", (double)n / (double)(1ULL << (10 * u)),
			 unit[u]);
}

static const char *cache_name(uint32_t cache, char *buf, size_t len)
{
	switch (cache) {
	case XXMEM_CACHE_WB:
		return "WB";
	case XXMEM_CACHE_UC:
		return "UC";
	case XXMEM_CACHE_WC:
		return "WC";
	}
	snprintf(buf, len, "?%u", cache);
	return buf;
}

static const char *flags_name(uint32_t flags, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (flags & XXMEM_REGION_PER_MODEL)
		n += snprintf(buf + n, len - n, "%sper-model", n ? "," : "");
	if (flags & XXMEM_REGION_DEVICE)
		n += snprintf(buf + n, len - n, "%sdevice", n ? "," : "");
	flags &= ~(uint32_t)(XXMEM_REGION_PER_MODEL | XXMEM_REGION_DEVICE);
	if (flags && n < len)
		n += snprintf(buf + n, len - n, "%s0x%x", n ? "," : "", flags);
	if (!n)
		snprintf(buf, len, "-");
	return buf;
}

static const char *model_name(uint32_t model)
{
	switch (model) {
	case XXMEM_MODEL_ILP32:
		return "ILP32";
	case XXMEM_MODEL_LP64:
		return "LP64";
	}
	return "unknown";
}

static int cmd_info(char **argv)
{
	struct xxmem_region_info ri;
	char hsize[32], cbuf[16], fbuf[64], sz[64];
	uint32_t i, model = 0;
	int fd, rc;

	(void)argv;
	if (open_dev(O_RDONLY, &fd))
		return EXIT_FAILURE;
	if (get_model(fd, &model))
		goto out;
	printf("device %s, caller data model %s (%u)\n", dev_path, model_name(model),
	       model);
	printf("%-3s  %-15s  %-18s  %-26s  %-4s  %-5s  %s\n",
	       "IDX", "NAME", "OFFSET", "SIZE", "PROT", "CACHE", "FLAGS");
	for (i = 0; i < MAX_REGIONS; i++) {
		rc = region_info(fd, i, &ri);
		if (rc > 0)
			break;
		if (rc < 0) {
			fail("%s: XXMEM_IOC_REGION_INFO %u: %s", dev_path, i,
			     strerror(errno));
			goto out;
		}
		human_size(ri.size, hsize, sizeof(hsize));
		snprintf(sz, sizeof(sz), "%" PRIu64 " (%s)", (uint64_t)ri.size, hsize);
		printf("%3u  %-15s  0x%016" PRIx64 "  %-26s  %c%c%c   %-5s  %s\n",
		       ri.index, ri.name[0] ? ri.name : "-", (uint64_t)ri.offset, sz,
		       ri.maxprot & PROT_READ ? 'r' : '-',
		       ri.maxprot & PROT_WRITE ? 'w' : '-',
		       ri.maxprot & PROT_EXEC ? 'x' : '-',
		       cache_name(ri.cache, cbuf, sizeof(cbuf)),
		       flags_name(ri.flags, fbuf, sizeof(fbuf)));
	}
	printf("%u region%s\n", i, i == 1 ? "" : "s");
	close(fd);
	return EXIT_SUCCESS;
out:
	close(fd);
	return EXIT_FAILURE;
}

static int cmd_model(char **argv)
{
	uint32_t model = 0;
	int fd, rc;

	(void)argv;
	if (open_dev(O_RDONLY, &fd))
		return EXIT_FAILURE;
	rc = get_model(fd, &model);
	close(fd);
	if (rc)
		return EXIT_FAILURE;
	printf("%u\n", model);
	return EXIT_SUCCESS;
}

struct window {
	void *base;		/* the mapping */
	size_t maplen;
	volatile uint8_t *p;	/* the byte at OFF */
};

/* Map the pages of region index that cover [off, off + len). */
static int map_region(int fd, uint32_t index, uint64_t off, uint64_t len, int prot,
		      struct window *w)
{
	struct xxmem_region_info ri;
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t moff, mend;

	if (get_region(fd, index, &ri))
		return -1;
	moff = off & ~(pg - 1);
	mend = (off + len + pg - 1) & ~(pg - 1);
	/* Stay inside this region's offset window, or we would map the next one. */
	if (mend < off + len || mend > XXMEM_REGION_OFFSET(1) || mend - moff > SIZE_MAX)
		return fail("range off 0x%" PRIx64 " len %" PRIu64
			    " leaves region %u's offset window", off, len, index);
	w->maplen = (size_t)(mend - moff);
	w->base = mmap(NULL, w->maplen, prot, MAP_SHARED, fd,
		       (off_t)(ri.offset + moff));
	if ((uintptr_t)w->base == (uintptr_t)MAP_FAILED)
		return fail("mmap region %u off 0x%" PRIx64 " len %zu: %s", index,
			    moff, w->maplen, strerror(errno));
	w->p = (volatile uint8_t *)w->base + (off - moff);
	return 0;
}

/* Open the device and map a window; the mapping alone keeps the device open. */
static int map_window(uint32_t index, uint64_t off, uint64_t len, int prot,
		      struct window *w)
{
	int fd, rc;

	if (len == 0 || off + len < off)
		return fail("bad range: off 0x%" PRIx64 " len %" PRIu64, off, len);
	if (open_dev(prot & PROT_WRITE ? O_RDWR : O_RDONLY, &fd))
		return -1;
	rc = map_region(fd, index, off, len, prot, w);
	close(fd);
	return rc;
}

static void unmap_window(struct window *w)
{
	munmap(w->base, w->maplen);
}

/* Copy out of a mapping with aligned 32-bit loads where both sides allow it. */
static void copy_in(uint8_t *dst, const volatile uint8_t *src, size_t n)
{
	while (n && ((uintptr_t)src & 3)) {
		*dst++ = *src++;
		n--;
	}
	while (n >= 4) {
		uint32_t v = *(const volatile uint32_t *)src;

		memcpy(dst, &v, 4);
		dst += 4;
		src += 4;
		n -= 4;
	}
	while (n--)
		*dst++ = *src++;
}

static void copy_out(volatile uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n && ((uintptr_t)dst & 3)) {
		*dst++ = *src++;
		n--;
	}
	while (n >= 4) {
		uint32_t v;

		memcpy(&v, src, 4);
		*(volatile uint32_t *)dst = v;
		dst += 4;
		src += 4;
		n -= 4;
	}
	while (n--)
		*dst++ = *src++;
}

/* hexdump -C layout, offsets are region offsets; repeated lines become "*". */
static void hexdump(const volatile uint8_t *p, size_t len, uint64_t off)
{
	uint8_t line[16], prev[16];
	bool have_prev = false, squeezed = false;
	size_t pos, n, i;

	for (pos = 0; pos < len; pos += n) {
		n = len - pos < 16 ? len - pos : 16;
		copy_in(line, p + pos, n);
		if (n == 16 && have_prev && !memcmp(line, prev, 16)) {
			if (!squeezed)
				puts("*");
			squeezed = true;
			continue;
		}
		squeezed = false;
		printf("%08" PRIx64 " ", off + pos);
		for (i = 0; i < 16; i++) {
			if (i == 8)
				putchar(' ');
			if (i < n)
				printf(" %02x", line[i]);
			else
				fputs("   ", stdout);
		}
		fputs("  |", stdout);
		for (i = 0; i < n; i++)
			putchar(isprint(line[i]) ? line[i] : '.');
		puts("|");
		memcpy(prev, line, 16);
		have_prev = n == 16;
	}
	printf("%08" PRIx64 "\n", off + len);
}

static int parse_region(const char *s, uint32_t *index)
{
	uint64_t v;

	if (!parse_num(s, false, &v) || v > UINT32_MAX)
		return bad_usage("bad region index '%s'", s);
	*index = (uint32_t)v;
	return 0;
}

static int parse_off_len(const char *os, const char *ls, uint64_t *off, uint64_t *len)
{
	if (!parse_num(os, true, off))
		return bad_usage("bad offset '%s'", os);
	if (ls && (!parse_num(ls, true, len) || *len == 0))
		return bad_usage("bad length '%s'", ls);
	return 0;
}

/* REGION OFF [LEN] of read, write and fill (LEN if @with_len). */
static int parse_window_args(char **argv, bool with_len, uint32_t *index,
			     uint64_t *off, uint64_t *len)
{
	int rc = parse_region(argv[0], index);

	if (!rc)
		rc = parse_off_len(argv[1], with_len ? argv[2] : NULL, off, len);
	return rc;
}

static int cmd_read(char **argv)
{
	struct window w;
	uint32_t index = 0;
	uint64_t off = 0, len = 0;
	int rc;

	rc = parse_window_args(argv, true, &index, &off, &len);
	if (rc)
		return rc;
	if (map_window(index, off, len, PROT_READ, &w))
		return EXIT_FAILURE;
	hexdump(w.p, (size_t)len, off);
	unmap_window(&w);
	return fflush(stdout) ? fail("stdout: %s", strerror(errno)) : EXIT_SUCCESS;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int cmd_write(char **argv)
{
	const char *hex = argv[2];
	struct window w;
	uint32_t index = 0;
	uint64_t off = 0;
	uint8_t *buf;
	size_t n, i;
	int rc;

	rc = parse_window_args(argv, false, &index, &off, NULL);
	if (rc)
		return rc;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	if (n == 0 || n % 2)
		return bad_usage("HEXBYTES needs an even, non-zero number of hex digits");
	n /= 2;
	buf = malloc(n);
	if (!buf)
		return fail("out of memory");
	for (i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(buf);
			return bad_usage("bad hex digit in '%s'", argv[2]);
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	if (map_window(index, off, n, PROT_READ | PROT_WRITE, &w)) {
		free(buf);
		return EXIT_FAILURE;
	}
	copy_out(w.p, buf, n);
	unmap_window(&w);
	free(buf);
	return EXIT_SUCCESS;
}

static int cmd_fill(char **argv)
{
	uint8_t chunk[4096];
	struct window w;
	uint32_t index = 0;
	uint64_t off = 0, len = 0, byte, pos;
	int rc;

	rc = parse_window_args(argv, true, &index, &off, &len);
	if (rc)
		return rc;
	if (!parse_num(argv[3], false, &byte) || byte > 0xff)
		return bad_usage("bad byte '%s' (0..255 or 0x00..0xff)", argv[3]);
	if (map_window(index, off, len, PROT_READ | PROT_WRITE, &w))
		return EXIT_FAILURE;
	memset(chunk, (int)byte, sizeof(chunk));
	for (pos = 0; pos < len; pos += sizeof(chunk)) {
		size_t n = len - pos < sizeof(chunk) ? (size_t)(len - pos) : sizeof(chunk);

		copy_out(w.p + pos, chunk, n);
	}
	unmap_window(&w);
	return EXIT_SUCCESS;
}

/* REGION OFF of peek32/poke32: OFF a multiple of 4. */
static int parse_off32(char **argv, uint32_t *index, uint64_t *off)
{
	int rc = parse_region(argv[0], index);

	if (rc)
		return rc;
	if (!parse_num(argv[1], true, off))
		return bad_usage("bad offset '%s'", argv[1]);
	if (*off % 4)
		return bad_usage("offset '%s' is not a multiple of 4", argv[1]);
	return 0;
}

static int cmd_peek32(char **argv)
{
	struct window w;
	uint32_t index = 0, v;
	uint64_t off = 0;
	int rc;

	rc = parse_off32(argv, &index, &off);
	if (rc)
		return rc;
	if (map_window(index, off, 4, PROT_READ, &w))
		return EXIT_FAILURE;
	v = *(const volatile uint32_t *)w.p;
	unmap_window(&w);
	printf("0x%08" PRIx32 "\n", v);
	return fflush(stdout) ? fail("stdout: %s", strerror(errno)) : EXIT_SUCCESS;
}

static int cmd_poke32(char **argv)
{
	struct window w;
	uint32_t index = 0;
	uint64_t off = 0, v;
	int rc;

	rc = parse_off32(argv, &index, &off);
	if (rc)
		return rc;
	if (!parse_num(argv[2], false, &v) || v > UINT32_MAX)
		return bad_usage("bad value '%s' (0..0xffffffff)", argv[2]);
	if (map_window(index, off, 4, PROT_READ | PROT_WRITE, &w))
		return EXIT_FAILURE;
	*(volatile uint32_t *)w.p = (uint32_t)v;
	unmap_window(&w);
	return EXIT_SUCCESS;
}

struct command {
	const char *name;
	int nargs;
	int (*run)(char **argv);
};

static const struct command commands[] = {
	{ "info",  0, cmd_info },
	{ "model", 0, cmd_model },
	{ "read",  3, cmd_read },
	{ "write", 3, cmd_write },
	{ "fill",  4, cmd_fill },
	{ "peek32", 2, cmd_peek32 },
	{ "poke32", 3, cmd_poke32 },
};

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "+d:h")) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return bad_usage("no command");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	}
	if (!cmd)
		return bad_usage("unknown command '%s'", argv[optind]);
	if (argc - optind - 1 != cmd->nargs)
		return bad_usage("'%s' takes %d argument%s", cmd->name, cmd->nargs,
				 cmd->nargs == 1 ? "" : "s");
	return cmd->run(argv + optind + 1);
}
