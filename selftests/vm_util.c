// SPDX-License-Identifier: GPL-2.0
/*
 * vm_util.c - the helpers the xxmem test programs share (see vm_util.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm_util.h"

/* The value of environment variable @name, or @dflt if unset or empty. */
const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* The node under test: $XXMEM_DEV or /dev/xxmem. */
const char *xx_dev(void)
{
	return env_or("XXMEM_DEV", XX_DEV_DEFAULT);
}

/* The page size of the system. */
size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Did mmap(2) or mremap(2) return MAP_FAILED? */
bool map_failed(const void *p)
{
	return (uintptr_t)p == (uintptr_t)MAP_FAILED;
}

/* mmap(2) of @len at offset @off of @fd, anywhere. */
void *xx_mmap(int fd, uint64_t off, size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd, (off_t)off);
}

/* 0 when the mapping succeeded (it is removed again), else mmap's errno. */
int map_errno(int fd, uint64_t off, size_t len, int prot, int flags)
{
	void *p = xx_mmap(fd, off, len, prot, flags);

	if (map_failed(p))
		return errno;
	munmap(p, len);
	return 0;
}

/* XXMEM_IOC_REGION_INFO of region @index into @ri: ioctl(2)'s result. */
int region_info(int fd, uint32_t index, struct xxmem_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->index = index;
	return ioctl(fd, XXMEM_IOC_REGION_INFO, ri);
}

/* Is @path on a noexec mount (then the VFS, not the driver, refuses exec)? */
bool dev_noexec(const char *path)
{
	struct statvfs st;

	return statvfs(path, &st) == 0 && (st.f_flag & ST_NOEXEC);
}

/*
 * Data patterns: a 32-bit word derived from its offset (in the region or
 * the device) and a seed, so a page mapped at the wrong offset or in the
 * wrong chunk, a stale page or another test's data is seen.
 */
uint32_t pat_word(uint64_t off, uint32_t seed)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= (uint64_t)seed * 0xff51afd7ed558ccdULL;
	x ^= x >> 29;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 32;
	return (uint32_t)x;
}

/* @p maps offset @off; @off and @len are multiples of 4. */
void pat_fill(void *p, uint64_t off, size_t len, uint32_t seed)
{
	volatile uint32_t *w = p;
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = pat_word(off + i * 4, seed);
}

/* Offset of the first word that differs from the pattern, or -1. */
int64_t pat_check(const void *p, uint64_t off, size_t len, uint32_t seed)
{
	const volatile uint32_t *w = p;
	size_t i;

	for (i = 0; i < len / 4; i++) {
		if (w[i] != pat_word(off + i * 4, seed))
			return (int64_t)(off + i * 4);
	}
	return -1;
}

/* A seed no other call (of this or another process) is likely to get. */
uint32_t new_seed(void)
{
	static uint32_t count;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)getpid() * 0x85ebca6bU ^ (uint32_t)ts.tv_nsec ^
	       ++count * 0x27d4eb2fU;
}

/* The byte at @p + @off, read once (volatile). */
uint8_t byte_at(const void *p, size_t off)
{
	return ((const volatile uint8_t *)p)[off];
}

/* Store @v at @p + @off, once (volatile). */
void set_byte(void *p, size_t off, uint8_t v)
{
	((volatile uint8_t *)p)[off] = v;
}

/* No core file for a process that is meant to die of a signal. */
void no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

/* fork(2) with stdio flushed first (nothing is printed twice). */
pid_t fork_flushed(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

/*
 * A program's helper modes, the other processes of its tests ("PROG --MODE
 * ARGS"): if argv[1] starts with @prefix, @helper's result: the exit
 * status, or -1 if argv[1] is no mode of it.  -1 without a mode: main then
 * runs the tests.
 */
int helper_mode(int argc, char **argv, const char *prefix,
		int (*helper)(int argc, char **argv))
{
	if (argc < 2 || strncmp(argv[1], prefix, strlen(prefix)))
		return -1;
	return helper(argc, argv);
}

/* Fork a child that reads (or writes) @p; return its wait status, or -1. */
int touch_in_child(void *p, bool write)
{
	pid_t pid;
	int status;

	pid = fork_flushed();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		no_core_dumps();
		if (write)
			set_byte(p, 0, (uint8_t)(byte_at(p, 0) + 1));
		else
			(void)byte_at(p, 0);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Did wait status @status end with exit(0)? */
bool exited_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Did wait status @status end with signal @sig? */
bool killed_by(int status, int sig)
{
	return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* parse_u64(), and with @suffix parse_size(). */
static bool parse_num(const char *s, uint64_t *val, bool suffix)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (suffix ? *end : '\0') {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (*end)
		return false;
	*val = v;
	return true;
}

/* A whole unsigned number (any base strtoull takes), no sign. */
bool parse_u64(const char *s, uint64_t *val)
{
	return parse_num(s, val, false);
}

/* A size the way a module parameter is written: N[KMG]. */
bool parse_size(const char *s, uint64_t *val)
{
	return parse_num(s, val, true);
}

/*
 * The name of errno @e ("success" for 0; a negative signal number, as the
 * stress model writes a fault, by the signal's name).
 */
const char *errno_name(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{ 0, "success" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENOTTY, "ENOTTY" }, { EOVERFLOW, "EOVERFLOW" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ESPIPE, "ESPIPE" },
		{ -SIGSEGV, "SIGSEGV" }, { -SIGBUS, "SIGBUS" },
	};
	static __thread char other[24];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/*
 * Read @fd to its end into @buf of @size bytes (at most @size - 1 of them,
 * then a NUL) and close it: how many bytes were read.
 */
size_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < size) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return got;
}

/* The VmFlags of the mapping at @p in /proc/self/smaps, or "". */
const char *vm_flags_at(const void *p)
{
	static char flags[520];
	unsigned long lo, hi, a = (unsigned long)p;
	char line[512], perms[8];
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "re");

	flags[0] = '\0';
	if (!f)
		return flags;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			in = a >= lo && a < hi;	/* a mapping's first line */
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, sizeof(flags), "%s ", line + 8);
			break;
		}
	}
	fclose(f);
	return flags;
}

/* Is the mapping at @p a PFN map ("pf" in its VmFlags)? */
bool is_pfnmap(const void *p)
{
	return strstr(vm_flags_at(p), " pf ") != NULL;
}

/* Contents of a one-line file (newline dropped), or "" */
const char *read_line(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/*
 * Read the (sysfs, debugfs) file @path into @buf of @n bytes, trailing
 * newlines dropped: its length, or -1 if it cannot be opened.
 */
int read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = 0;
	while (got && buf[got - 1] == '\n')
		buf[--got] = 0;
	return (int)got;
}

/* Write @val to the (sysfs, debugfs) file @path: 0 or the errno. */
int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? errno : 0;
	close(fd);
	return err;
}

/*
 * Does the DDI layer of driver module @mod (each has its own: xxmem,
 * xxsegmap, ...) map 2 MiB blocks with PMD entries?
 */
bool huge_pfnmap(const char *mod)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/huge_pfnmap",
		 mod);
	return !strcmp(read_line(path), "Y");
}

/* The minor page faults of this process so far (getrusage). */
long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Write @val to the (module parameter) file @path: all of it, or false. */
bool param_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len;
}

/* The instance N of the /dev/xxmemN node of PCI function @bdf, or -1. */
int xxmem_node_of(const char *bdf)
{
	char path[128];
	struct dirent *de;
	int n = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/misc", bdf);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (sscanf(de->d_name, "xxmem%d", &n) == 1)
			break;
	closedir(d);
	return n;
}
