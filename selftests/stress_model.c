// SPDX-License-Identifier: GPL-2.0
/*
 * stress_model.c - the model of the stress program: the outcome (errno,
 * signal) each call should have, and the shadows of the thread's data.
 */
#define _GNU_SOURCE
#include "stress.h"

/* Compare a syscall's errno (0: success) with the expected one. */
bool expect(struct thr *t, int got, int want)
{
	if (got == want) {
		atomic_add(want ? &t->ws->experr : &t->ws->ok, 1);
		return true;
	}
	fail(t, "got %s, expected %s", errno_name(got), errno_name(want));
	return false;
}

/* Around an unbind: @want, or ENODEV/ENOENT/ENXIO if the device changed. */
bool expect_pci(struct thr *t, int got, int want, bool may_gone)
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

/* ---- the region table ---- */

/* The address of region offset @roff inside mapping @m. */
void *at(const struct xmap *m, uint64_t roff)
{
	return (void *)(m->addr + (uintptr_t)(roff - m->roff));
}

struct shadow *shadow_of(struct thr *t, int kind, int dev,
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

/*
 * The part of the thread's slot @s that mapping @m maps, [@lo, @hi) in
 * region offsets: false if there is none.
 */
bool slot_in_map(const struct xmap *m, const struct shadow *s, uint64_t *lo,
		 uint64_t *hi)
{
	*lo = m->roff > s->off ? m->roff : s->off;
	*hi = m->roff + m->len < s->off + s->len ? m->roff + m->len :
	      s->off + s->len;
	return *lo < *hi;
}

/* ---- shadows ---- */

/* A shadow of @len bytes at region offset @off, all unknown. */
void shadow_init(struct shadow *s, uint64_t off, size_t len)
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
void shadow_check(struct thr *t, struct shadow *s, size_t o,
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

void shadow_store(struct shadow *s, size_t o, const uint8_t *v,
		  size_t n)
{
	memcpy(s->data + o, v, n);
	memset(s->state + o, 1, n);
}

/* A write that may have partly happened: each byte is old or new. */
void shadow_maybe(struct shadow *s, size_t o, const uint8_t *v,
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
bool fd_gone(const struct xfd *f)
{
	return f->kind == K_PCI && (f->gen != gen_get(f->dev) || (f->gen & 1));
}

/*
 * Compare the errno of a call on @f with @want; on a PCI node also accept
 * ENODEV (ENOENT, ENXIO) if its function may have been unbound meanwhile.
 *
 * Which is right while an unbind runs?  Both, by the order of two events:
 * once ddi_remove_minor_node() has marked the node gone, the DDI layer
 * answers every entry point of an open file with ENODEV before the
 * driver's cb_ioctl (or read, or devmap) is called, so the driver never
 * sees the argument and cannot say EFAULT; a call that entered the driver
 * before that holds the node's SRCU read lock and gets the driver's answer
 * (EFAULT for a bad pointer), the removal waiting for it.  So ENODEV is
 * the right answer for a call that began after the unbind began, and
 * fd_gone() must be asked after the call.  A model that read the
 * generation before the call (stress did, before commit 79792d1) misses an
 * unbind that begins during the call: the failure of stress32 with seed
 * 14215738112462217511 (REGION_INFO at 0xfffff000 got ENODEV, the model
 * wanted EFAULT).  stress.sh runs that seed on every run as a regression
 * case.
 */
bool expect_fd(struct thr *t, const struct xfd *f, int got, int want)
{
	if (f->kind == K_PCI)
		return expect_pci(t, got, want, fd_gone(f));
	return expect(t, got, want);
}

/* ---- mmap expectations ---- */

/*
 * The errno mmap(2) must give (0: success), in the order Linux and the
 * driver check: glibc (32-bit offsets), sys_mmap, do_mmap, the file's
 * mode, then xxdevmap / devmap_devmem_setup.  @driver_err tells whether the
 * failure comes from the driver, i.e. after a MAP_FIXED range was unmapped.
 */
int mmap_expect(const struct xfd *f, unsigned int region, uint64_t off,
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

/* mmap @flags by name, for messages. */
const char *flags_str(int flags, char *buf, size_t n)
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
unsigned int handles_est(struct thr *t)
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

int mprotect_expect(const struct xmap *m, int prot)
{
	if (prot & PROT_EXEC)
		return EACCES;
	if ((prot & PROT_WRITE) && (m->rdonly ||
	    (m->kind == K_XX && m->region == XXMEM_REGION_STATUS)))
		return EACCES;
	return 0;
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
uint32_t dnow(const struct xmap *m)
{
	return m->kind == K_PCI ? ub_done(m->dev) : 0;
}

bool fault_ok(struct thr *t, const struct xmap *m, int r, bool write,
	      const char *how)
{
	return fault_ok_d(t, m, r, write, how, t->dbefore);
}

/* ---- ioctls ---- */

void check_info(struct thr *t, const struct xfd *f,
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
