/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_util.h - the helpers the xxmem test programs share: mapping a node and
 * asking it about its regions, data patterns, touching memory in a fork
 * child, what a program reads about its own mappings in /proc and what it
 * reads and writes of the modules in /sys.  vm_util.c is linked into every
 * program, 64-bit and -m32.
 */
#ifndef XXMEM_VM_UTIL_H
#define XXMEM_VM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "xxmem.h"

/* mmap, mremap and madvise flags newer than some C libraries */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MADV_KEEPONFORK
#define MADV_KEEPONFORK		19
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define XX_DEV_DEFAULT	"/dev/xxmem"

/* ddi_umem_lock(9F)'s flags (illumos' values), which the test drivers'
 * lock ioctls take (drivers/xxsegmap.h, drivers/xxhermon.h) */
#define DDI_UMEMLOCK_READ	0x01
#define DDI_UMEMLOCK_WRITE	0x02

/* ---- the environment ---- */
const char *env_or(const char *name, const char *dflt);
const char *xx_dev(void);

/* ---- mappings and ioctls of a node ---- */
size_t page_size(void);
bool map_failed(const void *p);
void *xx_mmap(int fd, uint64_t off, size_t len, int prot, int flags);
int map_errno(int fd, uint64_t off, size_t len, int prot, int flags);
int region_info(int fd, uint32_t index, struct xxmem_region_info *ri);
bool dev_noexec(const char *path);

/* ---- data ---- */
uint32_t pat_word(uint64_t off, uint32_t seed);
void pat_fill(void *p, uint64_t off, size_t len, uint32_t seed);
int64_t pat_check(const void *p, uint64_t off, size_t len, uint32_t seed);
uint32_t new_seed(void);
uint8_t byte_at(const void *p, size_t off);
void set_byte(void *p, size_t off, uint8_t v);

/* ---- processes ---- */
void no_core_dumps(void);
pid_t fork_flushed(void);
int touch_in_child(void *p, bool write);
bool exited_ok(int status);
bool killed_by(int status, int sig);
int64_t now_ns(void);
int helper_mode(int argc, char **argv, const char *prefix,
		int (*helper)(int argc, char **argv));

/* ---- strings ---- */
bool parse_u64(const char *s, uint64_t *val);
bool parse_size(const char *s, uint64_t *val);
const char *errno_name(int e);

/* ---- /proc and /sys ---- */
const char *vm_flags_at(const void *p);
bool is_pfnmap(const void *p);
const char *read_line(const char *path);
int read_file(const char *path, char *buf, size_t n);
size_t read_all(int fd, char *buf, size_t size);
int write_file(const char *path, const char *val);
bool huge_pfnmap(const char *mod);
long minor_faults(void);
bool param_write(const char *path, const char *val);
int xxmem_node_of(const char *bdf);

/*
 * kselftest_harness.h checks, for the programs that include it (they are
 * macros: the harness's checks need the test's _metadata).
 */

/* mmap of @_len at @_off fails with @_err (0: succeeds; it is unmapped). */
#define EXPECT_MAP_ERR(_err, _fd, _off, _len, _prot, _flags) do {		\
	int __e = map_errno(_fd, _off, _len, _prot, _flags);			\
	EXPECT_EQ(_err, __e)							\
		TH_LOG("mmap off 0x%" PRIx64 " len 0x%zx prot 0x%x flags 0x%x: %s", \
		       (uint64_t)(_off), (size_t)(_len), (unsigned int)(_prot), \
		       (unsigned int)(_flags), errno_name(__e));		\
} while (0)

/* Open the node under test into @_fd; the test fails if it cannot. */
#define ASSERT_OPEN_DEV(_fd, _oflags) do {					\
	int __e;								\
										\
	(_fd) = open(xx_dev(), (_oflags) | O_CLOEXEC);				\
	__e = errno;								\
	ASSERT_LE(0, (_fd))							\
		TH_LOG("open %s: %s (is xxmem.ko loaded?)", xx_dev(),	\
		       strerror(__e));						\
} while (0)

/* Map @_len at @_off of @_fd shared into @_p; the test fails if that fails. */
#define ASSERT_MAP(_p, _fd, _off, _len, _prot) do {				\
	int __e;								\
										\
	(_p) = xx_mmap(_fd, _off, _len, _prot, MAP_SHARED);			\
	__e = errno;								\
	ASSERT_FALSE(map_failed(_p))						\
		TH_LOG("mmap off 0x%" PRIx64 " len 0x%zx prot 0x%x: %s",	\
		       (uint64_t)(_off), (size_t)(_len), (unsigned int)(_prot),	\
		       strerror(__e));						\
} while (0)

/*
 * mremap(2) cannot grow the mapping @_p of @_len (@_flags: 0 or
 * MREMAP_MAYMOVE): EFAULT.  If it did grow, the test ends here.
 */
#define EXPECT_NO_GROW(_p, _len, _flags) do {					\
	void *__q = mremap(_p, _len, 2 * (_len), _flags);			\
	int __e = errno;							\
										\
	EXPECT_TRUE(map_failed(__q))						\
		TH_LOG("mremap (flags 0x%x) grew the mapping", (_flags));	\
	if (!map_failed(__q)) {							\
		munmap(__q, 2 * (_len));					\
		return;								\
	}									\
	EXPECT_EQ(EFAULT, __e) TH_LOG("mremap: %s", strerror(__e));		\
} while (0)

#endif /* XXMEM_VM_UTIL_H */
