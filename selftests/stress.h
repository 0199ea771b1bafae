/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress.h - the state and types the parts of the stress program share
 * (stress.c, stress_common.c, stress_model.c, stress_ops.c).
 */
#ifndef XXMEM_STRESS_H
#define XXMEM_STRESS_H

#include <dirent.h>
#include <getopt.h>
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
#define BAR_SLOT_MAX	64u		/* pages of a thread's BAR slot, at most */
#define HUGE_BAR	(1ull << 30)	/* a BAR this large may get PUD entries */

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
	int32_t bar_dev;	/* the ivshmem function of the BAR slots, or -1 */
	uint32_t huge_bar;	/* --huge-bar: it is the one with the 1 GiB BAR */
	struct rwl lock;
	uint32_t trace_on;	/* the trace exists and is drained */
	uint32_t overflow;	/* the trace filled up: lines may be lost */
	u64a tr_bytes, tr_lines, tr_drains, tr_max;
	char trace_log[128];
	struct pcidev pci[MAX_PCI];
	struct wstat ws[MAX_PROCS];
};

/* One line, one write(2): lines of concurrent processes do not mix. */
void out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

void fail(struct thr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const char *const op_names[NOPS];
extern struct shared *S;
extern struct thr *worker_thr;
extern __thread struct thr *tcur;
extern int worker_proc;

static inline void atomic_add(u64a *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static inline uint64_t atomic_get(const u64a *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t gen_get(int d)
{
	return __atomic_load_n(&S->pci[d].gen, __ATOMIC_SEQ_CST);
}

static inline uint32_t ub_done(int d)
{
	return __atomic_load_n(&S->pci[d].ub_done, __ATOMIC_SEQ_CST);
}

/*
 * ---- stress_common.c: output, random numbers, the lock across processes,
 * the trace, failures, guarded accesses ----
 */
void sleep_ms(unsigned int ms);
uint64_t splitmix(uint64_t *s);
uint64_t rnd(uint64_t *s);
uint64_t rn(uint64_t *s, uint64_t n);
bool chance(uint64_t *s, unsigned int percent);
void rd_lock(void);
void rd_unlock(void);
bool ex_lock(unsigned int timeout_ms);
void ex_unlock(void);
ssize_t trace_read(char *buf, size_t n);
void trace_move(void);
void trace_open_log(void);
void install_handlers(void);
int guarded_copy(struct thr *t, void *dst, const void *src, size_t n);
int guarded_read32(struct thr *t, const volatile uint32_t *p,
		   uint32_t *v);
bool is_mapped(uintptr_t addr);

/* ---- stress_model.c: the model of expected outcomes and the shadows ---- */
bool expect(struct thr *t, int got, int want);
bool expect_pci(struct thr *t, int got, int want, bool may_gone);
void *at(const struct xmap *m, uint64_t roff);
struct shadow *shadow_of(struct thr *t, int kind, int dev,
			 unsigned int region);
bool slot_in_map(const struct xmap *m, const struct shadow *s, uint64_t *lo,
		 uint64_t *hi);
void shadow_init(struct shadow *s, uint64_t off, size_t len);
void shadow_check(struct thr *t, struct shadow *s, size_t o,
		  const uint8_t *got, size_t n, const char *how);
void shadow_store(struct shadow *s, size_t o, const uint8_t *v,
		  size_t n);
void shadow_maybe(struct shadow *s, size_t o, const uint8_t *v,
		  size_t n);
bool fd_gone(const struct xfd *f);
bool expect_fd(struct thr *t, const struct xfd *f, int got, int want);
int mmap_expect(const struct xfd *f, unsigned int region, uint64_t off,
		uint64_t len, int prot, int flags, bool overlap,
		bool *driver_err);
const char *flags_str(int flags, char *buf, size_t n);
unsigned int handles_est(struct thr *t);
int mprotect_expect(const struct xmap *m, int prot);
uint32_t dnow(const struct xmap *m);
bool fault_ok(struct thr *t, const struct xmap *m, int r, bool write,
	      const char *how);
void check_info(struct thr *t, const struct xfd *f,
		const struct xxmem_region_info *ri, uint32_t index);

/* ---- stress_ops.c: the operations ---- */
void op_open(struct thr *t);
void op_close(struct thr *t);
struct xfd *xx_fd(struct thr *t);
void describe_map(char *buf, size_t n, const struct xmap *m);
void op_mmap(struct thr *t);
void op_mmap_fixed(struct thr *t);
void op_munmap(struct thr *t);
void op_mprotect(struct thr *t);
void op_mremap(struct thr *t);
void op_madvise(struct thr *t);
bool probe_dofork(struct thr *t, int fd);
void op_access(struct thr *t);
void op_read(struct thr *t);
void op_ioctl(struct thr *t);
void op_fork(struct thr *t);

#endif /* XXMEM_STRESS_H */
