// SPDX-License-Identifier: GPL-2.0
/*
 * fault_nth - run one operation with the N-th fallible kernel call of this
 * thread failing, for selftests/fault_inject.sh (sanitizer kernel only).
 *
 *   fault_nth N load MODULE [PARAMS]  finit_module(MODULE, PARAMS)
 *   fault_nth N open DEV              open(DEV, O_RDWR)
 *   fault_nth N mmap DEV LEN [REGION [OFF]]
 *                                     mmap LEN bytes at OFF of REGION (default
 *                                     0 and 0), MAP_SHARED read/write; then
 *                                     write and check them
 *   fault_nth N fault DEV LEN         map, MADV_DONTNEED, then touch every
 *                                     page: the refault path fails
 *   fault_nth N info DEV              ioctl XXMEM_IOC_REGION_INFO, region 0
 *   fault_nth N write FILE STRING     write STRING to FILE (a sysfs file:
 *                                     .../drivers/xxmem/bind probes a device)
 *
 * The kernel counts the calls through /proc/thread-self/fail-nth (a task's
 * failslab, fail_page_alloc, ... checks; CONFIG_FAULT_INJECTION): N is
 * written there just before the operation, so exec and setup do not count.
 * Prints one line, "fired=F result=R": F is 1 if the N-th call was reached
 * (and failed), 0 if the operation made fewer calls (or N is 0: nothing is
 * injected, a plain run of the operation); R is "ok", an errno
 * name, or "SIGBUS".  Exit status: 0 for a clean outcome (success or an
 * errno), 2 for SIGBUS or mapped data that reads back wrong, 1 for a usage
 * or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xxmem.h"

static int nth_fd = -1;
static unsigned long armed;	/* N, 0: run without injection */
static sigjmp_buf bus_jmp;

static void die(const char *what)
{
	fprintf(stderr, "fault_nth: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_nth(unsigned long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lu", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		die("write /proc/thread-self/fail-nth");
}

static void arm(unsigned long n)
{
	armed = n;
	if (n)
		write_nth(n);
}

/* Disarm; return 1 if the armed call was reached (the counter ran out). */
static int disarm(void)
{
	char buf[32] = "";
	ssize_t len;

	if (!armed)
		return 0;
	armed = 0;
	len = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		die("read /proc/thread-self/fail-nth");
	write_nth(0);
	return strtoul(buf, NULL, 10) == 0;
}

static const char *err_name(int err)
{
	const char *name = err ? strerrorname_np(err) : "ok";

	return name ? name : "E?";
}

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static int open_dev(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(dev);
	return fd;
}

/* Write a pattern over the mapping and read it back; 0 if it matches. */
static int check_data(volatile uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return -1;
	return 0;
}

/*
 * The fault operation: map, drop the pages, arm, touch a byte of each page.
 * Returns -1 on SIGBUS, else 0; sets *fired.  Its own function so that
 * siglongjmp clobbers nothing main needs.
 */
static int touch_after_dontneed(volatile uint8_t *p, size_t len,
				unsigned long n, int *fired)
{
	static volatile size_t i;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	if (madvise((void *)p, len, MADV_DONTNEED))
		die("madvise");
	signal(SIGBUS, on_sigbus);
	if (sigsetjmp(bus_jmp, 1)) {
		*fired = disarm();
		return -1;
	}
	arm(n);
	for (i = 0; i < len; i += pg)
		p[i] = (uint8_t)n;
	*fired = disarm();
	return 0;
}

static volatile uint8_t *map_at(int fd, size_t len, uint64_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/* What one operation did, for main's line. */
struct outcome {
	int fired;	/* the armed call was reached (and failed) */
	int err;	/* the operation's errno, 0 if it succeeded */
	int bad;	/* mapped data read back wrong */
	int sigbus;	/* the refault raised SIGBUS */
};

/* OP lacks arguments: "fault_nth: OP needs ARGS" */
static void usage_error(const char *op, const char *args)
{
	fprintf(stderr, "fault_nth: %s needs %s\n", op, args);
	exit(1);
}

/* What mmap and fault map: DEV (open), LEN bytes at OFF of REGION. */
struct map_req {
	int fd;
	size_t len;
	uint64_t off;
};

/* mmap's and fault's DEV LEN [REGION [OFF]], DEV opened */
static struct map_req map_req(int argc, char **argv)
{
	struct map_req m = { .off = 0 };

	if (argc < 5)
		usage_error(argv[2], "DEV LEN");
	m.len = strtoul(argv[4], NULL, 0);
	if (argc > 5)
		m.off = XXMEM_REGION_OFFSET(strtoul(argv[5], NULL, 0));
	if (argc > 6)
		m.off += strtoull(argv[6], NULL, 0);
	m.fd = open_dev(argv[3]);
	return m;
}

/* load MODULE [PARAMS]: finit_module */
static void op_load(unsigned long n, int argc, char **argv, struct outcome *o)
{
	int fd = open(argv[3], O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(argv[3]);
	arm(n);
	if (syscall(SYS_finit_module, fd, argc > 4 ? argv[4] : "", 0))
		o->err = errno;
	o->fired = disarm();
	close(fd);
}

/* open DEV */
static void op_open(unsigned long n, int argc, char **argv, struct outcome *o)
{
	int fd;

	(void)argc;
	arm(n);
	fd = open(argv[3], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		o->err = errno;
	o->fired = disarm();
	if (fd >= 0)
		close(fd);
}

/* mmap DEV LEN [REGION [OFF]]: the mmap fails cleanly or its data is right */
static void op_mmap(unsigned long n, int argc, char **argv, struct outcome *o)
{
	struct map_req m = map_req(argc, argv);
	volatile uint8_t *p;

	arm(n);
	p = map_at(m.fd, m.len, m.off);
	if (!p)
		o->err = errno;
	o->fired = disarm();
	if (p) {
		o->bad = check_data(p, m.len, (uint8_t)n);
		munmap((void *)p, m.len);
	}
	close(m.fd);
}

/* fault DEV LEN [REGION [OFF]]: the refault fails cleanly or the data is right */
static void op_fault(unsigned long n, int argc, char **argv, struct outcome *o)
{
	struct map_req m = map_req(argc, argv);
	volatile uint8_t *p = map_at(m.fd, m.len, m.off);

	if (!p)
		die("mmap");
	if (touch_after_dontneed(p, m.len, n, &o->fired)) {
		o->sigbus = 1;
		return;
	}
	o->bad = check_data(p, m.len, (uint8_t)n);
	munmap((void *)p, m.len);
	close(m.fd);
}

/* info DEV: XXMEM_IOC_REGION_INFO of region 0 */
static void op_info(unsigned long n, int argc, char **argv, struct outcome *o)
{
	struct xxmem_region_info ri;
	int fd = open_dev(argv[3]);

	(void)argc;
	memset(&ri, 0, sizeof(ri));
	ri.index = 0;
	arm(n);
	if (ioctl(fd, XXMEM_IOC_REGION_INFO, &ri))
		o->err = errno;
	o->fired = disarm();
	close(fd);
}

/* write FILE STRING */
static void op_write(unsigned long n, int argc, char **argv, struct outcome *o)
{
	size_t slen;
	int fd;

	if (argc < 5)
		usage_error(argv[2], "FILE STRING");
	slen = strlen(argv[4]);
	fd = open(argv[3], O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(argv[3]);
	errno = 0;
	arm(n);
	if (write(fd, argv[4], slen) != (ssize_t)slen)
		o->err = errno ? errno : EIO;
	o->fired = disarm();
	close(fd);
}

static const struct {
	const char *name;
	void (*run)(unsigned long n, int argc, char **argv, struct outcome *o);
} ops[] = {
	{ "load", op_load },
	{ "open", op_open },
	{ "mmap", op_mmap },
	{ "fault", op_fault },
	{ "info", op_info },
	{ "write", op_write },
};

int main(int argc, char **argv)
{
	struct outcome o = { 0 };
	unsigned long n;
	size_t i;

	if (argc < 4) {
		fprintf(stderr,
			"usage: fault_nth N load|open|mmap|fault|info|write ARGS...\n");
		return 1;
	}
	n = strtoul(argv[1], NULL, 10);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[2], ops[i].name))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		fprintf(stderr, "fault_nth: unknown operation '%s'\n", argv[2]);
		return 1;
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		die("/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
	ops[i].run(n, argc, argv, &o);
	if (o.sigbus) {
		printf("fired=%d result=SIGBUS\n", o.fired);
		return 2;
	}
	printf("fired=%d result=%s%s\n", o.fired, err_name(o.err),
	       o.bad ? " data=wrong" : "");
	return o.bad ? 2 : 0;
}
