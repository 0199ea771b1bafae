// SPDX-License-Identifier: GPL-2.0
/*
 * stress_ops.c - the operations of a stress worker thread: open, close, mmap,
 * munmap, mprotect, mremap, madvise, access, pread, ioctl and fork.
 */
#define _GNU_SOURCE
#include "stress.h"

static int pci_path(int d, char *buf, size_t n)
{
	return snprintf(buf, n, "/dev/xxmem%d",
			__atomic_load_n(&S->pci[d].node, __ATOMIC_SEQ_CST));
}

static struct xfd *fd_slot(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd < 0)
			return &t->fds[i];
	return NULL;
}

static int nfds(struct thr *t)
{
	int i, n = 0;

	for (i = 0; i < MAX_FDS; i++)
		n += t->fds[i].fd >= 0;
	return n;
}

static struct xfd *pick_fd(struct thr *t)
{
	int i, n = nfds(t), k;

	if (!n)
		return NULL;
	k = (int)rn(&t->rng, n);
	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd >= 0 && k-- == 0)
			return &t->fds[i];
	return NULL;
}

/* open(2) of /dev/xxmem or a PCI node, with a random access mode. */
void op_open(struct thr *t)
{
	struct xfd *f = fd_slot(t);
	static const int accs[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	char path[64];
	int acc, fd, err, d = -1;
	uint32_t g0 = 0, g1;

	if (!f)
		return;
	acc = accs[rn(&t->rng, 5)];
	if (S->npci && chance(&t->rng, 35)) {
		d = (int)rn(&t->rng, S->npci);
		acc = O_RDWR;
		g0 = gen_get(d);
		pci_path(d, path, sizeof(path));
	} else {
		snprintf(path, sizeof(path), "%s", S->dev);
	}
	snprintf(t->what, sizeof(t->what), "open(%s, %s)", path,
		 acc == O_RDWR ? "O_RDWR" : acc == O_RDONLY ? "O_RDONLY" : "O_WRONLY");
	fd = open(path, acc | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (d < 0) {
		if (!expect(t, err, 0))
			return;
	} else {
		g1 = gen_get(d);
		if (!expect_pci(t, err, 0, g0 != g1 || (g0 & 1)))
			return;
	}
	if (fd < 0)
		return;
	f->fd = fd;
	f->kind = d < 0 ? K_XX : K_PCI;
	f->dev = d;
	f->acc = acc;
	f->gen = g0;
}

void op_close(struct thr *t)
{
	struct xfd *f = pick_fd(t);

	if (!f || nfds(t) < 2)
		return;
	snprintf(t->what, sizeof(t->what), "close(%d)", f->fd);
	expect(t, close(f->fd) ? errno : 0, 0);
	f->fd = -1;
}

/* An fd of /dev/xxmem with read access (the thread always keeps one). */
struct xfd *xx_fd(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i].fd >= 0 && t->fds[i].kind == K_XX &&
		    t->fds[i].acc != O_WRONLY)
			return &t->fds[i];
	return NULL;
}

/* ---- mapping bookkeeping ---- */

static struct xmap *map_slot(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!t->maps[i].used)
			return &t->maps[i];
	return NULL;
}

static int nfree_maps(struct thr *t)
{
	int i, n = 0;

	for (i = 0; i < MAX_MAPS; i++)
		n += !t->maps[i].used;
	return n;
}

static struct xmap *pick_map(struct thr *t)
{
	int i, n = MAX_MAPS - nfree_maps(t), k;

	if (!n)
		return NULL;
	k = (int)rn(&t->rng, n);
	for (i = 0; i < MAX_MAPS; i++)
		if (t->maps[i].used && k-- == 0)
			return &t->maps[i];
	return NULL;
}

/*
 * Remove [a, b) from every entry it touches; an entry cut in the middle
 * becomes two.  Needs one free entry per entry cut in the middle.
 */
static void maps_remove(struct thr *t, uintptr_t a, uintptr_t b)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];
		uintptr_t s, e;

		if (!m->used)
			continue;
		s = m->addr;
		e = m->addr + m->len;
		if (b <= s || a >= e)
			continue;
		if (a <= s && b >= e) {
			m->used = false;
		} else if (a <= s) {		/* head */
			m->roff += b - s;
			m->addr = b;
			m->len = e - b;
		} else if (b >= e) {		/* tail */
			m->len = a - s;
		} else {			/* hole */
			struct xmap *n = map_slot(t);

			m->len = a - s;
			if (n) {
				*n = *m;
				n->addr = b;
				n->len = e - b;
				n->roff = m->roff + (b - s);
			}
		}
	}
}

/* Split @m so that [a, b) is an entry of its own; returns it. */
static struct xmap *maps_isolate(struct thr *t, struct xmap *m, uintptr_t a,
				 uintptr_t b)
{
	struct xmap *n;

	if (a > m->addr) {
		n = map_slot(t);
		*n = *m;
		m->len = a - m->addr;
		n->addr = a;
		n->len -= a - m->addr;
		n->roff += a - m->addr;
		m = n;
	}
	if (b < m->addr + m->len) {
		n = map_slot(t);
		*n = *m;
		n->addr = b;
		n->len = m->addr + m->len - b;
		n->roff += b - m->addr;
		m->len = b - m->addr;
	}
	return m;
}

/* Mapping @m in words, for messages. */
void describe_map(char *buf, size_t n, const struct xmap *m)
{
	snprintf(buf, n, "%s%s region %u [0x%" PRIx64 "+0x%zx] at %p prot %d%s%s",
		 m->kind == K_XX ? "xxmem" : "pci", m->kind == K_PCI ?
		 (S->pci[m->dev].bdf) : "", m->region, m->roff, m->len,
		 (void *)m->addr, m->prot, m->rdonly ? " rdonly-fd" : "",
		 m->dontfork ? " dontfork" : "");
}

/* A random page-aligned sub-range of @m: head, tail, hole or all. */
static void pick_subrange(struct thr *t, const struct xmap *m, uintptr_t *a,
			  uintptr_t *b)
{
	size_t pages = m->len / PG, s, e;

	switch (rn(&t->rng, 4)) {
	case 0:				/* head */
		s = 0;
		e = 1 + rn(&t->rng, pages);
		break;
	case 1:				/* tail */
		s = rn(&t->rng, pages);
		e = pages;
		break;
	case 2:				/* hole (or any piece) */
		s = rn(&t->rng, pages);
		e = s + 1 + rn(&t->rng, pages - s);
		break;
	default:
		s = 0;
		e = pages;
		break;
	}
	*a = m->addr + s * PG;
	*b = m->addr + e * PG;
}

/* Choose the arguments of a random mmap of @f (valid most of the time). */
/* The arguments of an mmap call being chosen (region offset @roff). */
struct mmap_call {
	unsigned int r;
	uint64_t size, roff, l;
	int prot, flags;
};

/* A region of @f: mostly the ones that exist, within the handle cap. */
static unsigned int mmap_region(struct thr *t, const struct xfd *f)
{
	static const unsigned int pick[] = { 0, 0, 0, 1, 1, 1, 1, 2, 3, 3 };
	unsigned int r, i;

	if (f->kind == K_XX) {
		r = pick[rn(&t->rng, 10)];
		if ((r == XXMEM_REGION_SCATTER || r == XXMEM_REGION_CTX) &&
		    handles_est(t) >= HANDLE_CAP)
			r = XXMEM_REGION_UMEM;
		return r;
	}
	/* mostly the BARs that exist */
	r = (unsigned int)rn(&t->rng, NBARS);
	if (chance(&t->rng, 70)) {
		for (i = 0; i < NBARS; i++)
			if (S->pci[f->dev].size[(r + i) % NBARS]) {
				r = (r + i) % NBARS;
				break;
			}
	}
	return r;
}

/* Offset and length in region c->r: often around the thread's own slot. */
static void mmap_range(struct thr *t, const struct xfd *f, struct mmap_call *c)
{
	uint64_t pages = c->size / PG;
	struct shadow *s = shadow_of(t, f->kind, f->dev, c->r);

	if (!pages || (c->r == XXMEM_REGION_STATUS && f->kind == K_XX)) {
		c->roff = 0;
		c->l = PG;
	} else if (S->huge_bar && f->kind == K_PCI && c->size >= HUGE_BAR &&
		   chance(&t->rng, 15)) {
		/* a whole GiB: one PUD entry where xxmem has them */
		c->roff = 0;
		c->l = HUGE_BAR;
	} else if (s && s->len && chance(&t->rng, 60)) {
		/* around the own slot, so that accesses can be checked */
		uint64_t sp = s->off / PG, np = (s->len + PG - 1) / PG;
		uint64_t first = sp > 2 ? sp - rn(&t->rng, 3) : sp;

		c->roff = (first + rn(&t->rng, np)) * PG;
		if (c->roff >= c->size)
			c->roff = (pages - 1) * PG;
		c->l = (1 + rn(&t->rng, np + 2)) * PG;
		if (c->l > c->size - c->roff)
			c->l = c->size - c->roff;
	} else {
		c->roff = rn(&t->rng, pages) * PG;
		c->l = (1 + rn(&t->rng, 40)) * PG;
		if (c->l > c->size - c->roff)
			c->l = c->size - c->roff;
	}
}

/*
 * One bad argument (sometimes two): true if it is the file offset itself,
 * set in @off.
 */
static bool mmap_bad_arg(struct thr *t, const struct xfd *f,
			 unsigned int nreg, struct mmap_call *c, uint64_t *off)
{
	switch (rn(&t->rng, 14)) {
	case 0:		/* offset at the end of the region */
		c->roff = c->size;
		break;
	case 1:		/* one page too long */
		c->l = c->size - c->roff + PG;
		break;
	case 2:
		c->l = 0;
		break;
	case 3:		/* unaligned offset */
		c->roff += 1 + rn(&t->rng, PG - 1);
		break;
	case 4:		/* a region that does not exist */
		c->r = nreg + (unsigned int)rn(&t->rng, LP64 ? 300 : 16 - nreg);
		break;
	case 5:
		c->flags = (c->flags & ~0x0f) | MAP_PRIVATE;
		break;
	case 6:
		c->prot |= PROT_EXEC;
		break;
	case 7:		/* no mapping type */
		c->flags &= ~0x0f;
		break;
	case 8:
		c->flags |= MAP_HUGETLB;
		break;
	case 9:
		c->flags = (c->flags & ~0x0f) | MAP_SHARED_VALIDATE | MAP_SYNC;
		break;
	case 10:	/* larger than the address space */
		c->l = (uint64_t)(size_t)-PG;
		break;
	case 11:	/* negative or beyond what 32-bit glibc passes */
		*off = LP64 ? 0xfffff00000000000ull : 1ull << 44;
		return true;
	case 12:	/* offset + length overflows 64 bits */
		*off = 0xfffffffffffff000ull;
		c->l = 2 * PG;
		return true;
	default:	/* write to status */
		if (f->kind == K_XX) {
			c->r = XXMEM_REGION_STATUS;
			c->roff = 0;
			c->l = PG;
			c->prot = PROT_READ | PROT_WRITE;
		}
		break;
	}
	return false;
}

static void mmap_args(struct thr *t, const struct xfd *f, unsigned int *region,
		      uint64_t *off, uint64_t *len, int *prot, int *flags)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ, PROT_READ, PROT_WRITE,
		PROT_NONE, PROT_READ | PROT_EXEC,
	};
	unsigned int nreg = f->kind == K_XX ? NREG0 : NBARS;
	struct mmap_call c = { .r = mmap_region(t, f) };
	bool raw_off = false;

	c.size = f->kind == K_XX ? S->rsize[c.r] : S->pci[f->dev].size[c.r];
	mmap_range(t, f, &c);
	c.prot = prots[rn(&t->rng, 7)];
	c.flags = MAP_SHARED;
	if (chance(&t->rng, 10))
		c.flags = MAP_SHARED_VALIDATE;
	if (chance(&t->rng, 10))
		c.flags |= MAP_POPULATE;
	if (chance(&t->rng, 5))
		c.flags |= MAP_NORESERVE;
	if (chance(&t->rng, 10))
		c.l = c.l - PG + 1 + rn(&t->rng, PG - 1);	/* not a page multiple */
	if (chance(&t->rng, 30))
		raw_off = mmap_bad_arg(t, f, nreg, &c, off);
	*region = c.r;
	if (!raw_off)
		*off = XXMEM_REGION_OFFSET(c.r) + c.roff;
	*len = c.l;
	*prot = c.prot;
	*flags = c.flags;
}

/* Record a new mapping. */
static void map_add(struct thr *t, const struct xfd *f, void *p, uint64_t alen,
		    unsigned int region, uint64_t off, int prot, uint32_t g0,
		    uint32_t d0)
{
	struct xmap *m = map_slot(t);

	if (!m) {
		munmap(p, (size_t)alen);
		return;
	}
	memset(m, 0, sizeof(*m));
	m->used = true;
	m->addr = (uintptr_t)p;
	m->len = (size_t)alen;
	m->kind = f->kind;
	m->dev = f->dev;
	m->region = region;
	m->roff = off & (XXMEM_REGION_OFFSET(1) - 1);
	m->prot = prot;
	m->rdonly = f->acc != O_RDWR;
	m->gen = f->kind == K_PCI ? g0 : 0;
	m->d0 = d0;
	/* made on an fd from before an unbind, or during one */
	if (f->kind == K_PCI && (f->gen != g0 || (g0 & 1)))
		m->gen = UINT32_MAX;
}

/*
 * mmap with random arguments; with @over, MAP_FIXED (or
 * MAP_FIXED_NOREPLACE) over a piece of an own mapping.
 */
/*
 * A failed MAP_FIXED at @fixed: mmap_region had unmapped the old range if
 * the failure came from the driver (@by_driver); an earlier failure leaves
 * it alone.
 */
static void fixed_failed(struct thr *t, uintptr_t fixed, uint64_t alen,
			 int err, bool by_driver)
{
	if (by_driver) {
		maps_remove(t, fixed, fixed + (size_t)alen);
	} else if (!is_mapped(fixed)) {
		fail(t, "MAP_FIXED failed before the driver (%s) but the old mapping is gone",
		     errno_name(err));
		maps_remove(t, fixed, fixed + (size_t)alen);
	}
}

/* Whether the process has no free range of @len bytes. */
static bool no_room(uint64_t len)
{
	void *p = mmap(NULL, (size_t)len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return errno == ENOMEM;
	munmap(p, (size_t)len);
	return false;
}

static void do_mmap(struct thr *t, bool over)
{
	struct xfd *f = pick_fd(t);
	struct xmap *m = NULL;
	unsigned int region;
	uint64_t off, len, alen;
	int prot, flags, want, err;
	bool drv_err, gone = false;
	uintptr_t fixed = 0, b;
	uint32_t g0 = 0, d0 = 0;
	char fl[96];
	void *p;

	if (!f || nfree_maps(t) < 3)
		return;
	if (over) {
		m = pick_map(t);
		if (!m)
			return;
		pick_subrange(t, m, &fixed, &b);
	}
	mmap_args(t, f, &region, &off, &len, &prot, &flags);
	if (over) {
		size_t room = m->addr + m->len - fixed;

		flags |= chance(&t->rng, 15) ? MAP_FIXED_NOREPLACE : MAP_FIXED;
		if (len == 0 && chance(&t->rng, 50))
			len = PG;
		if (len > room)
			len = room < 16 * PG ? room : 16 * PG;
	}
	if (!LP64 && len > SIZE_MAX)
		len = SIZE_MAX & ~(uint64_t)(PG - 1);
	alen = (len + PG - 1) & ~(uint64_t)(PG - 1);
	want = mmap_expect(f, region, off, len, prot, flags, over, &drv_err);
	snprintf(t->what, sizeof(t->what),
		 "mmap(%p%s, 0x%" PRIx64 ", prot %d, %s, fd %d %s%s, off 0x%" PRIx64 ")",
		 (void *)fixed, over ? " over own" : "", len, prot,
		 flags_str(flags, fl, sizeof(fl)), f->fd,
		 f->kind == K_XX ? S->dev : S->pci[f->dev].bdf,
		 f->acc == O_RDWR ? "" : f->acc == O_RDONLY ? " O_RDONLY" : " O_WRONLY",
		 off);
	if (f->kind == K_PCI) {
		d0 = ub_done(f->dev);
		g0 = gen_get(f->dev);
	}
	p = mmap((void *)fixed, (size_t)len, prot, flags, f->fd, (off_t)off);
	err = p == MAP_FAILED ? errno : 0;
	if (f->kind == K_PCI) {
		uint32_t g1 = gen_get(f->dev);

		/* the driver's part may find the node gone */
		gone = f->gen != g1 || (f->gen & 1) || g0 != g1;
		if (gone && (want == 0 || drv_err) &&
		    (err == ENODEV || err == ENOENT || err == ENXIO)) {
			atomic_add(&t->ws->enodev, 1);
			drv_err = true;
			want = err;
		}
	}
	/*
	 * A private writable mapping is charged to the commit limit before
	 * the driver refuses it (EINVAL): one of half a GiB or more (of the
	 * 1 GiB BAR) may not fit the guest's memory, ENOMEM then.
	 */
	if (want == EINVAL && drv_err && err == ENOMEM &&
	    (flags & 0x0f) == MAP_PRIVATE && (prot & PROT_WRITE) &&
	    alen >= HUGE_BAR / 2)
		want = ENOMEM;
	/*
	 * A 32-bit process has 4 GiB of address space for all its threads:
	 * with their other mappings (the whole GiB of the huge BAR now and
	 * then) there may be no free range this long, ENOMEM before the
	 * driver.  Then an anonymous mapping of the length fails too.
	 */
	if (!LP64 && !over && want != err && err == ENOMEM && drv_err &&
	    alen >= HUGE_BAR / 2 && no_room(alen))
		want = ENOMEM;
	if (!expect(t, err, want) || err) {
		if (over && err)
			fixed_failed(t, fixed, alen, err, drv_err && err == want);
		return;
	}
	if (over) {
		if ((uintptr_t)p != fixed)
			fail(t, "MAP_FIXED mapping at %p", p);
		maps_remove(t, fixed, fixed + (size_t)alen);
	}
	map_add(t, f, p, alen, region, off, prot, g0, d0);
}

void op_mmap(struct thr *t)
{
	do_mmap(t, false);
}

void op_mmap_fixed(struct thr *t)
{
	do_mmap(t, true);
}

void op_munmap(struct thr *t)
{
	struct xmap *m = pick_map(t);
	char d[200];
	uintptr_t a, b;

	if (!m)
		return;
	describe_map(d, sizeof(d), m);
	if (chance(&t->rng, 5)) {	/* bad arguments */
		bool zero = chance(&t->rng, 50);

		snprintf(t->what, sizeof(t->what), "munmap(%p, %s) of %s",
			 (void *)(m->addr + (zero ? 0 : 1)), zero ? "0" : "PG", d);
		expect(t, munmap((void *)(m->addr + (zero ? 0 : 1)),
				 zero ? 0 : PG) ? errno : 0, EINVAL);
		return;
	}
	if (nfree_maps(t) < 1)
		return;
	pick_subrange(t, m, &a, &b);
	snprintf(t->what, sizeof(t->what), "munmap([+0x%zx, +0x%zx)) of %s",
		 (size_t)(a - m->addr), (size_t)(b - m->addr), d);
	if (expect(t, munmap((void *)a, b - a) ? errno : 0, 0))
		maps_remove(t, a, b);
}

/* mprotect(2) of a piece of a mapping. */
void op_mprotect(struct thr *t)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_EXEC, PROT_READ | PROT_WRITE,
	};
	struct xmap *m = pick_map(t);
	char d[200];
	uintptr_t a, b;
	int prot, want;

	if (!m || nfree_maps(t) < 2)
		return;
	describe_map(d, sizeof(d), m);
	pick_subrange(t, m, &a, &b);
	prot = prots[rn(&t->rng, 7)];
	want = mprotect_expect(m, prot);
	snprintf(t->what, sizeof(t->what), "mprotect([+0x%zx, +0x%zx), %d) of %s",
		 (size_t)(a - m->addr), (size_t)(b - m->addr), prot, d);
	if (expect(t, mprotect((void *)a, b - a, prot) ? errno : 0, want) &&
	    !want) {
		m = maps_isolate(t, m, a, b);
		m->prot = prot;
	}
}

/* Pick a target range for an mremap move: inside an own entry, not
 * overlapping [a, b). */
static bool move_target(struct thr *t, uintptr_t a, uintptr_t b, size_t len,
			uintptr_t *to)
{
	int tries;

	for (tries = 0; tries < 8; tries++) {
		struct xmap *m = pick_map(t);
		uintptr_t s;

		if (!m || m->len < len)
			continue;
		s = m->addr + rn(&t->rng, (m->len - len) / PG + 1) * PG;
		if (s + len <= a || s >= b) {
			*to = s;
			return true;
		}
	}
	return false;
}

/*
 * The mremap calls a devmap mapping refuses (@kind 0-3): growing (EFAULT,
 * VM_DONTEXPAND), DONTUNMAP (EINVAL), duplicating (EFAULT).
 */
static void mremap_refused(struct thr *t, const struct xmap *m, uintptr_t a,
			   size_t old_len, int kind, const char *d)
{
	size_t new_len;
	void *p;

	switch (kind) {
	case 0:					/* grow in place */
	case 1:					/* grow, may move */
		new_len = old_len + PG * (1 + rn(&t->rng, 4));
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0x%zx -> 0x%zx, %s) of %s",
			 (size_t)(a - m->addr), old_len, new_len,
			 kind ? "MAYMOVE" : "0", d);
		p = mremap((void *)a, old_len, new_len, kind ? MREMAP_MAYMOVE : 0);
		expect(t, p == MAP_FAILED ? errno : 0, EFAULT);
		return;
	case 2:					/* DONTUNMAP */
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0x%zx, MAYMOVE|DONTUNMAP) of %s",
			 (size_t)(a - m->addr), old_len, d);
		p = mremap((void *)a, old_len, old_len,
			   MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		expect(t, p == MAP_FAILED ? errno : 0, EINVAL);
		return;
	default:				/* duplicate (old_len 0) */
		new_len = old_len;
		snprintf(t->what, sizeof(t->what),
			 "mremap(+0x%zx, 0 -> 0x%zx, MAYMOVE) of %s",
			 (size_t)(a - m->addr), new_len, d);
		p = mremap((void *)a, 0, new_len, MREMAP_MAYMOVE);
		expect(t, p == MAP_FAILED ? errno : 0, EFAULT);
		return;
	}
}

/* Shrink [@a, @b) of @m in place: a tail unmap. */
static void mremap_shrink(struct thr *t, const struct xmap *m, uintptr_t a,
			  uintptr_t b, const char *d)
{
	size_t old_len = b - a, new_len;
	void *p;
	int err;

	if (old_len < 2 * PG)
		return;
	new_len = (1 + rn(&t->rng, old_len / PG - 1)) * PG;
	snprintf(t->what, sizeof(t->what),
		 "mremap(+0x%zx, 0x%zx -> 0x%zx) of %s",
		 (size_t)(a - m->addr), old_len, new_len, d);
	p = mremap((void *)a, old_len, new_len, 0);
	err = p == MAP_FAILED ? errno : 0;
	if (expect(t, err, 0) && !err) {
		if ((uintptr_t)p != a)
			fail(t, "moved to %p", p);
		maps_remove(t, a + new_len, b);
	}
}

/* Move [@a, @b) of @m elsewhere, maybe shrinking it. */
static void mremap_move(struct thr *t, const struct xmap *m, uintptr_t a,
			uintptr_t b, const char *d)
{
	size_t old_len = b - a, new_len = old_len;
	struct xmap src = *m, *n;
	uintptr_t to = 0;
	void *p;
	int err;

	if (chance(&t->rng, 30) && old_len > PG)
		new_len = (1 + rn(&t->rng, old_len / PG - 1)) * PG;
	if (!move_target(t, a, b, new_len, &to))
		return;
	snprintf(t->what, sizeof(t->what),
		 "mremap(+0x%zx, 0x%zx -> 0x%zx, MAYMOVE|FIXED to %p) of %s",
		 (size_t)(a - m->addr), old_len, new_len, (void *)to, d);
	/*
	 * Linux's order: unmap the target, unmap the source's tail (shrink),
	 * then move; the pieces of a split BAR mapping keep their registers,
	 * like any other.
	 */
	p = mremap((void *)a, old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)to);
	err = p == MAP_FAILED ? errno : 0;
	if (!expect(t, err, 0) || err)
		return;
	if ((uintptr_t)p != to)
		fail(t, "moved to %p, not %p", p, (void *)to);
	maps_remove(t, to, to + new_len);
	maps_remove(t, a, b);
	n = map_slot(t);
	if (!n) {
		fail(t, "out of map entries");
		return;
	}
	*n = src;
	n->addr = to;
	n->len = new_len;
	n->roff = src.roff + (a - src.addr);
}

void op_mremap(struct thr *t)
{
	struct xmap *m = pick_map(t);
	int kind = (int)rn(&t->rng, 11);
	uintptr_t a, b;
	char d[200];

	if (!m || nfree_maps(t) < 5)
		return;
	describe_map(d, sizeof(d), m);
	pick_subrange(t, m, &a, &b);
	if (kind <= 3)
		mremap_refused(t, m, a, b - a, kind, d);
	else if (kind <= 5)
		mremap_shrink(t, m, a, b, d);
	else
		mremap_move(t, m, a, b, d);
}

/*
 * Is the VMA at @a a PFN map ("pf" in its VmFlags)?  Kernel memory mapped
 * with 2 MiB PMD entries is one (README, "Differences from Solaris").
 */
static bool vma_is_pfnmap(uintptr_t a)
{
	char line[512], perms[8];
	unsigned long lo, hi;
	bool in = false, pf = false;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			if (in)
				break;
			in = a >= lo && a < hi;
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			pf = strstr(line, " pf ") != NULL;
			break;
		}
	}
	fclose(f);
	return pf;
}

/* madvise(2) of a piece of a mapping, with a random advice. */
void op_madvise(struct thr *t)
{
	static const struct { int adv; const char *name; } advs[] = {
		{ MADV_DONTNEED, "DONTNEED" }, { MADV_DONTNEED, "DONTNEED" },
		{ MADV_DONTFORK, "DONTFORK" }, { MADV_DONTFORK, "DONTFORK" },
		{ MADV_DOFORK, "DOFORK" }, { MADV_DOFORK, "DOFORK" },
		{ MADV_KEEPONFORK, "KEEPONFORK" }, { MADV_WILLNEED, "WILLNEED" },
		{ MADV_COLD, "COLD" }, { MADV_PAGEOUT, "PAGEOUT" },
		{ MADV_POPULATE_READ, "POPULATE_READ" },
		{ MADV_POPULATE_WRITE, "POPULATE_WRITE" },
		{ MADV_FREE, "FREE" }, { MADV_DODUMP, "DODUMP" },
		{ MADV_WIPEONFORK, "WIPEONFORK" },
	};
	struct xmap *m = pick_map(t);
	bool pfn, writable;
	int i, adv, want = 0;
	char d[200];
	uintptr_t a, b;

	if (!m || nfree_maps(t) < 2)
		return;
	describe_map(d, sizeof(d), m);
	pick_subrange(t, m, &a, &b);
	i = (int)rn(&t->rng, sizeof(advs) / sizeof(advs[0]));
	adv = advs[i].adv;
	/* BARs are VM_IO | VM_PFNMAP; region 0 may be (2 MiB PMD entries) */
	pfn = m->kind == K_PCI ||
	      (m->kind == K_XX && m->region == 0 && vma_is_pfnmap(a));
	writable = m->prot & PROT_WRITE;
	switch (adv) {
	case MADV_DONTNEED:
	case MADV_COLD:
	case MADV_PAGEOUT:
		want = pfn ? EINVAL : 0;
		break;
	case MADV_DOFORK:		/* VM_IO: refused; else probed */
		want = m->kind == K_PCI ? EINVAL : t->dofork_errno;
		break;
	case MADV_POPULATE_READ:	/* GUP wants VM_READ itself */
		want = pfn || !(m->prot & PROT_READ) ? EINVAL : 0;
		break;
	case MADV_POPULATE_WRITE:
		want = pfn || !writable ? EINVAL : 0;
		break;
	case MADV_FREE:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
		want = EINVAL;
		break;
	default:
		want = 0;
		break;
	}
	/* a revoked BAR: populating faults get SIGBUS -> EFAULT */
	snprintf(t->what, sizeof(t->what), "madvise([+0x%zx, +0x%zx), %s) of %s",
		 (size_t)(a - m->addr), (size_t)(b - m->addr), advs[i].name, d);
	if (expect(t, madvise((void *)a, b - a, adv) ? errno : 0, want) &&
	    !want) {
		/* flag changes split the VMA: keep entries inside one VMA */
		m = maps_isolate(t, m, a, b);
		if (adv == MADV_DONTFORK || adv == MADV_DOFORK)
			m->dontfork = adv == MADV_DONTFORK;
		if (adv == MADV_KEEPONFORK)
			m->keep = true;
	}
}

/*
 * What MADV_DOFORK does to an xxmem mapping that is not VM_IO: Linux
 * refused it for VM_IO only until 7.2, which refuses it for every
 * VM_SPECIAL mapping (and every xxmem mapping is VM_DONTEXPAND).  Asked
 * once per worker on one page of region 1; sets t->dofork_errno.
 */
bool probe_dofork(struct thr *t, int fd)
{
	void *p;

	snprintf(t->what, sizeof(t->what),
		 "probe: madvise(MADV_DOFORK) of a region 1 page");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 XXMEM_REGION_OFFSET(XXMEM_REGION_SCATTER));
	if (p == MAP_FAILED) {
		fail(t, "probe mmap: %s", strerror(errno));
		return false;
	}
	t->dofork_errno = madvise(p, PG, MADV_DOFORK) ? errno : 0;
	munmap(p, PG);
	if (t->dofork_errno && t->dofork_errno != EINVAL) {
		fail(t, "%s", errno_name(t->dofork_errno));
		return false;
	}
	return true;
}

/* guarded_copy/read32 through mapping @m; fault_ok() classifies them. */
static int guarded_copy_m(struct thr *t, const struct xmap *m, void *dst,
			  const void *src, size_t n)
{
	t->dbefore = dnow(m);
	return guarded_copy(t, dst, src, n);
}

static int guarded_read32_m(struct thr *t, const struct xmap *m,
			    const volatile uint32_t *p, uint32_t *v)
{
	t->dbefore = dnow(m);
	return guarded_read32(t, p, v);
}

/* Read and write the part of @m that is in the thread's own slot. */
static void access_slot(struct thr *t, struct xmap *m, struct shadow *s)
{
	uint8_t buf[8192], val[2048];
	uint64_t lo, hi;
	size_t o, n, i;
	uint8_t *p;
	int r;

	if (!slot_in_map(m, s, &lo, &hi))
		return;
	o = (size_t)(lo + rn(&t->rng, hi - lo));	/* region offset */
	n = 1 + rn(&t->rng, sizeof(val));
	if (n > hi - o)
		n = (size_t)(hi - o);
	p = at(m, o);

	if (chance(&t->rng, 60)) {			/* write */
		for (i = 0; i < n; i++)
			val[i] = (uint8_t)rnd(&t->rng);
		r = guarded_copy_m(t, m, p, val, n);
		if (m->kind == K_PCI)
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (fault_ok(t, m, r, true, "write"))
			shadow_store(s, o - s->off, val, n);
		else if (r == -SIGBUS)
			shadow_maybe(s, o - s->off, val, n);
	}
	/* read back a (possibly larger) part */
	lo = o > 512 + lo ? o - 512 : lo;
	n = 1 + rn(&t->rng, sizeof(buf));
	if (n > hi - lo)
		n = (size_t)(hi - lo);
	p = at(m, lo);
	r = guarded_copy_m(t, m, buf, p, n);
	if (fault_ok(t, m, r, false, "read"))
		shadow_check(t, s, lo - s->off, buf, n, "read through the mapping");
}

static void access_status(struct thr *t, struct xmap *m)
{
	struct xxmem_status st;
	int r;

	r = guarded_copy_m(t, m, &st, (void *)m->addr, sizeof(st));
	if (!fault_ok(t, m, r, false, "read status"))
		return;
	/* counters only grow; a mapping exists, so opens and maps > 0 */
	if (st.opens < 1 || st.maps < 1 || st.handles < st.maps ||
	    st.last_pid <= 0)
		fail(t, "status: opens %ld maps %ld handles %ld last_pid %ld",
		     st.opens, st.maps, st.handles, st.last_pid);
	if ((uint32_t)st.opens < t->last_st[0] ||
	    (uint32_t)st.maps < t->last_st[1])
		fail(t, "status counters went back: opens %ld (had %u) maps %ld (had %u)",
		     st.opens, t->last_st[0], st.maps, t->last_st[1]);
	t->last_st[0] = (uint32_t)st.opens;
	t->last_st[1] = (uint32_t)st.maps;
	r = guarded_copy_m(t, m, (void *)m->addr, &st, 8);
	if (r != -SIGSEGV)
		fault_ok(t, m, r, true, "write status");
	else
		atomic_add(&t->ws->segv, 1);
	if (r == 0)
		fail(t, "a write to the read-only status region succeeded");
}

void op_access(struct thr *t)
{
	struct xmap *m = pick_map(t);
	struct shadow *s;
	char d[200];
	uint8_t tmp[64];
	int r;

	if (!m)
		return;
	describe_map(d, sizeof(d), m);
	snprintf(t->what, sizeof(t->what), "access %s", d);
	if (m->kind == K_XX && m->region == XXMEM_REGION_STATUS)
		return access_status(t, m);
	s = shadow_of(t, m->kind, m->dev, m->region);
	if (s && s->len) {
		access_slot(t, m, s);
		return;
	}
	if (m->kind == K_PCI) {
		uint32_t v;

		if (S->pci[m->dev].kind == PCI_EDU && m->region == 0 &&
		    m->roff == 0) {
			r = guarded_read32_m(t, m, (volatile uint32_t *)m->addr, &v);
			if (fault_ok(t, m, r, false, "read edu ID") &&
			    v != EDU_ID)
				fail(t, "edu ID register reads 0x%08x", v);
		} else if (S->pci[m->dev].kind == PCI_IVSHMEM &&
			   m->region == 2) {
			/* another thread's slot: just read */
			r = guarded_copy_m(t, m, tmp, (void *)m->addr, sizeof(tmp));
			fault_ok(t, m, r, false, "read");
		}
		return;
	}
	/* memory outside the own slot: read only, content unknown */
	r = guarded_copy_m(t, m, tmp, (void *)(m->addr + (uintptr_t)rn(&t->rng, m->len / PG) * PG),
			 sizeof(tmp));
	fault_ok(t, m, r, false, "read");
}

/* ---- pread through the driver ---- */

/* pread(2) through the driver, checked against the shadows. */
void op_read(struct thr *t)
{
	struct xfd *f = pick_fd(t);
	static const int regs[] = { 0, 0, 1, 1, 2, 3, 3, 4 };
	struct shadow *s = NULL;
	uint8_t buf[8192];
	unsigned int region;
	uint64_t off;
	size_t n;
	ssize_t got;
	int err, want;

	if (!f)
		return;
	region = (unsigned int)regs[rn(&t->rng, 8)];
	if (region < NREG0 && f->kind == K_XX)
		s = shadow_of(t, K_XX, -1, region);
	n = 1 + rn(&t->rng, sizeof(buf));
	if (s && s->len && chance(&t->rng, 85)) {
		off = s->off + rn(&t->rng, s->len);
		if (n > s->off + s->len - off)
			n = (size_t)(s->off + s->len - off);
	} else if (region < NREG0) {
		off = rn(&t->rng, S->rsize[region] + PG);
		s = NULL;
	} else {
		off = rn(&t->rng, PG);
	}
	off += XXMEM_REGION_OFFSET(region);
	snprintf(t->what, sizeof(t->what), "pread(fd %d %s, %zu, 0x%" PRIx64 ")",
		 f->fd, f->kind == K_XX ? S->dev : S->pci[f->dev].bdf, n, off);

	if (chance(&t->rng, 5)) {		/* bad buffer */
		got = pread(f->fd, NULL, n, (off_t)off);
		err = got < 0 ? errno : 0;
		want = f->acc == O_WRONLY ? EBADF :
		       f->kind == K_PCI || region >= NREG0 ? ENXIO :
		       (off & (XXMEM_REGION_OFFSET(1) - 1)) >= S->rsize[region] ? 0 :
		       EFAULT;
		expect_fd(t, f, err, want);
		return;
	}
	got = pread(f->fd, buf, n, (off_t)off);
	err = got < 0 ? errno : 0;
	if (f->acc == O_WRONLY) {
		expect(t, err, EBADF);
		return;
	}
	if (f->kind == K_PCI) {
		expect_pci(t, err, ENXIO, fd_gone(f));
		return;
	}
	if (region >= NREG0) {
		expect(t, err, ENXIO);
		return;
	}
	if (!expect(t, err, 0))
		return;
	{
		uint64_t roff = off & (XXMEM_REGION_OFFSET(1) - 1);
		uint64_t size = S->rsize[region];
		size_t want_n = roff >= size ? 0 :
				(size_t)(n < size - roff ? n : size - roff);

		if ((size_t)got != want_n)
			fail(t, "read %zd bytes, expected %zu", got, want_n);
		else if (s)
			shadow_check(t, s, (size_t)(roff - s->off), buf,
				     (size_t)got, "pread");
	}
}

/* REGION_INFO with a good pointer: a region's index or one past them. */
static void ioctl_info(struct thr *t, const struct xfd *f, unsigned int nreg,
		       unsigned int k)
{
	struct xxmem_region_info ri;
	uint32_t index;
	int err, want;

	memset(&ri, 0, sizeof(ri));
	index = k == 3 ? nreg + (uint32_t)rn(&t->rng, 1000) :
		(uint32_t)rn(&t->rng, nreg);
	if (chance(&t->rng, 10))
		index = UINT32_MAX - (uint32_t)rn(&t->rng, 3);
	ri.index = index;
	snprintf(t->what, sizeof(t->what),
		 "ioctl(fd %d, REGION_INFO, {index %u})", f->fd, index);
	err = ioctl(f->fd, XXMEM_IOC_REGION_INFO, &ri) ? errno : 0;
	want = index < nreg ? 0 : EINVAL;
	if (expect_fd(t, f, err, want) && !err)
		check_info(t, f, &ri, index);
}

static void ioctl_model(struct thr *t, const struct xfd *f)
{
	uint32_t model = 0;
	int err;

	snprintf(t->what, sizeof(t->what), "ioctl(fd %d, GET_MODEL)", f->fd);
	err = ioctl(f->fd, XXMEM_IOC_GET_MODEL, &model) ? errno : 0;
	if (expect_fd(t, f, err, 0) && !err && model != MODEL)
		fail(t, "model %u, expected %u", model, MODEL);
}

/*
 * REGION_INFO or GET_MODEL with a pointer the copy cannot use: EFAULT, or
 * ENODEV on a PCI node whose function is being unbound (see expect_fd).
 */
static void ioctl_bad_pointer(struct thr *t, const struct xfd *f)
{
	static const uintptr_t bad[] = {
		0, 1, 4096 - 8,
#if UINTPTR_MAX > 0xffffffffu
		(uintptr_t)0xffffffff81000000ull, (uintptr_t)1 << 47,
#else
		0xfffff000u, 0xffffe000u,
#endif
	};
	unsigned int w = (unsigned int)rn(&t->rng, 8);
	unsigned long cmd;
	void *arg;
	int err;

	if (w < 5)
		arg = (void *)bad[w];
	else if (w == 5)
		arg = t->ro_page;	/* readable, index 0: copyout fails */
	else
		arg = t->edge + PG - 8;	/* runs into PROT_NONE */
	cmd = chance(&t->rng, 50) ? XXMEM_IOC_REGION_INFO :
	      XXMEM_IOC_GET_MODEL;
	if (w >= 6) {
		memset(t->edge + PG - 8, 0, 8);
		if (cmd == XXMEM_IOC_GET_MODEL)
			arg = t->edge + PG - 2;
	}
	snprintf(t->what, sizeof(t->what), "ioctl(fd %d, %s, %p)", f->fd,
		 cmd == XXMEM_IOC_REGION_INFO ? "REGION_INFO" : "GET_MODEL",
		 arg);
	err = ioctl(f->fd, cmd, arg) ? errno : 0;
	expect_fd(t, f, err, EFAULT);
}

/*
 * A random place for a struct xxmem_region_info inside both mapping @m and
 * the thread's slot @s: its region offset, or false if there is none.
 */
static bool info_place(struct thr *t, const struct xmap *m,
		       const struct shadow *s, uint64_t *o)
{
	uint64_t lo, hi;

	if (!slot_in_map(m, s, &lo, &hi) ||
	    hi < lo + sizeof(struct xxmem_region_info))
		return false;
	*o = lo + rn(&t->rng, hi - lo - sizeof(struct xxmem_region_info) + 1);
	return true;
}

/* REGION_INFO whose argument is in one of the thread's own xxmem mappings. */
static void ioctl_in_mapping(struct thr *t, const struct xfd *f,
			     unsigned int nreg)
{
	struct xxmem_region_info ri, got;
	struct xmap *m = pick_map(t);
	struct shadow *s;
	uint32_t index;
	int err, rr;
	uint64_t o;
	void *arg;

	if (!m || m->kind != K_XX)
		return;
	s = shadow_of(t, m->kind, m->dev, m->region);
	if (!s || !s->len || !(m->prot & PROT_WRITE) ||
	    !(m->prot & PROT_READ) || !info_place(t, m, s, &o))
		return;
	memset(&ri, 0, sizeof(ri));
	index = (uint32_t)rn(&t->rng, nreg);
	ri.index = index;
	arg = at(m, o);
	rr = guarded_copy_m(t, m, arg, &ri, sizeof(ri.index));
	if (!fault_ok(t, m, rr, true, "write index"))
		return;
	shadow_store(s, (size_t)(o - s->off), (uint8_t *)&ri, sizeof(ri.index));
	snprintf(t->what, sizeof(t->what),
		 "ioctl(fd %d, REGION_INFO, %p in own mapping region %u off 0x%" PRIx64 ")",
		 f->fd, arg, m->region, o);
	err = ioctl(f->fd, XXMEM_IOC_REGION_INFO, arg) ? errno : 0;
	if (!expect_fd(t, f, err, 0) || err)
		return;
	/* the structure now is in device memory: update the shadow */
	rr = guarded_copy_m(t, m, &got, arg, sizeof(got));
	if (!fault_ok(t, m, rr, false, "read back"))
		return;
	check_info(t, f, &got, index);
	shadow_check(t, s, (size_t)(o - s->off), (uint8_t *)&got,
		     sizeof(ri.index), "index in device memory");
	shadow_store(s, (size_t)(o - s->off), (uint8_t *)&got, sizeof(got));
}

/* Unknown commands: the driver's type with other numbers, and others. */
static void ioctl_unknown(struct thr *t, const struct xfd *f)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE
	};
	struct xxmem_region_info ri;
	unsigned long cmd;
	void *arg;
	int err;

	do {
		unsigned int type = chance(&t->rng, 70) ? XXMEM_IOC_MAGIC :
				    (unsigned int)(0xa0 + rn(&t->rng, 16));

		cmd = _IOC(dirs[rn(&t->rng, 4)], type,
			   (unsigned int)rn(&t->rng, 256),
			   (unsigned int)rn(&t->rng, 200));
	} while (cmd == XXMEM_IOC_REGION_INFO || cmd == XXMEM_IOC_GET_MODEL);
	memset(&ri, 0xa5, sizeof(ri));
	arg = chance(&t->rng, 50) ? (void *)&ri : NULL;
	snprintf(t->what, sizeof(t->what), "ioctl(fd %d, 0x%lx, %p)", f->fd, cmd,
		 arg);
	err = ioctl(f->fd, cmd, arg) ? errno : 0;
	expect_fd(t, f, err, ENOTTY);
}

void op_ioctl(struct thr *t)
{
	struct xfd *f = pick_fd(t);
	unsigned int nreg, k;

	if (!f)
		return;
	nreg = f->kind == K_XX ? NREG0 : NBARS;
	k = (unsigned int)rn(&t->rng, 12);
	if (k <= 3)
		ioctl_info(t, f, nreg, k);
	else if (k == 4)
		ioctl_model(t, f);
	else if (k <= 7)
		ioctl_bad_pointer(t, f);
	else if (k <= 9)
		ioctl_in_mapping(t, f, nreg);
	else
		ioctl_unknown(t, f);
}

/* ---- fork while mapped ---- */

/* In a fork child: unmap a piece of one mapping, its own devmap_unmap. */
static void child_unmap_piece(struct thr *t)
{
	uintptr_t a, b;
	int i, got;

	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];

		if (!m->used || m->dontfork || !chance(&t->rng, 30))
			continue;
		pick_subrange(t, m, &a, &b);
		snprintf(t->what, sizeof(t->what), "child munmap");
		got = munmap((void *)a, b - a) ? errno : 0;
		describe_map(t->what, sizeof(t->what), m);
		if (got)
			fail(t, "child munmap [+0x%zx, +0x%zx): got %s, expected success",
			     (size_t)(a - m->addr), (size_t)(b - m->addr),
			     errno_name(got));
		if (!got)	/* what is left is checked below */
			maps_remove(t, a, b);
		break;
	}
}

/* In a fork child: every inherited mapping absent if DONTFORK, else the same data. */
static void child_check_maps(struct thr *t)
{
	uint8_t buf[4096];
	uint64_t lo, hi;
	int i, r;
	size_t n;

	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[i];
		struct shadow *s;

		if (!m->used)
			continue;
		describe_map(t->what, sizeof(t->what), m);
		if (m->dontfork) {
			r = guarded_copy(t, buf, (void *)m->addr, 1);
			if (r != -SIGSEGV)
				fail(t, "MADV_DONTFORK mapping in the child: %s",
				     errno_name(r));
			continue;
		}
		s = shadow_of(t, m->kind, m->dev, m->region);
		if (!s || !s->len || !slot_in_map(m, s, &lo, &hi))
			continue;
		n = (size_t)(hi - lo) < sizeof(buf) ? (size_t)(hi - lo) :
		    sizeof(buf);
		r = guarded_copy_m(t, m, buf, at(m, lo), n);
		if (fault_ok(t, m, r, false, "child read"))
			shadow_check(t, s, (size_t)(lo - s->off), buf, n,
				     "the child's read");
	}
}

/*
 * In a fork child: write into one own slot through a writable inherited
 * mapping, and report it to the parent in @rep.
 */
static void child_write(struct thr *t, struct child_report *rep)
{
	uint64_t lo, hi;
	size_t n, k;
	int i, r;

	for (i = 0; i < MAX_MAPS; i++) {
		struct xmap *m = &t->maps[(i + t->opno) % MAX_MAPS];
		struct shadow *s;

		if (!m->used || m->dontfork || m->kind != K_XX ||
		    !(m->prot & PROT_WRITE))
			continue;
		s = shadow_of(t, m->kind, m->dev, m->region);
		if (!s || !s->len || !slot_in_map(m, s, &lo, &hi))
			continue;
		n = (size_t)(hi - lo) < sizeof(rep->data) ? (size_t)(hi - lo) :
		    sizeof(rep->data);
		for (k = 0; k < n; k++)
			rep->data[k] = (uint8_t)rnd(&t->rng);
		describe_map(t->what, sizeof(t->what), m);
		r = guarded_copy_m(t, m, at(m, lo), rep->data, n);
		if (!fault_ok(t, m, r, true, "child write"))
			break;
		rep->which = (uint32_t)(s - t->sh);
		rep->off = lo - s->off;
		__atomic_store_n(&rep->nw, (uint32_t)n, __ATOMIC_SEQ_CST);
		break;
	}
}

static void child_main(struct thr *t, bool wait_kill)
{
	struct child_report *rep = t->report;
	uint64_t fails0 = atomic_get(&t->ws->fails);

	t->in_child = true;
	alarm(60);
	/* nothing may reach the trace while the parent drains it */
	while (!__atomic_load_n(&rep->go, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	child_unmap_piece(t);
	child_check_maps(t);
	child_write(t, rep);
	__atomic_store_n(&rep->ready, 1, __ATOMIC_SEQ_CST);
	if (wait_kill)
		for (;;)
			pause();
	_exit(atomic_get(&t->ws->fails) != fails0 ? 1 : 0);
}

/* fork(2) while mapped: the child checks, writes, exits or is killed. */
void op_fork(struct thr *t)
{
	struct child_report *rep = t->report;
	bool wait_kill = chance(&t->rng, 30);
	uint64_t fails0 = atomic_get(&t->ws->fails);
	int64_t end;
	int status = 0;
	pid_t pid, w;

	snprintf(t->what, sizeof(t->what), "fork with %d mappings%s",
		 MAX_MAPS - nfree_maps(t), wait_kill ? ", child killed" : "");
	memset(rep, 0, sizeof(*rep));
	trace_move();		/* room for the child's dup and unmap lines */
	pid = fork();
	if (pid < 0) {
		expect(t, errno, 0);
		return;
	}
	if (pid == 0)
		child_main(t, wait_kill);
	/* the child shares the seed sequence; keep ours apart */
	t->rng ^= 0x5bd1e995u;
	rnd(&t->rng);
	atomic_add(&t->ws->children, 1);
	trace_move();		/* the dup lines */
	__atomic_store_n(&rep->go, 1, __ATOMIC_SEQ_CST);
	end = now_ns() + 90LL * 1000000000;
	if (wait_kill) {
		while (!__atomic_load_n(&rep->ready, __ATOMIC_SEQ_CST)) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			if (now_ns() > end)
				break;
			sleep_ms(1);
		}
		kill(pid, SIGKILL);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (now_ns() > end) {
			fail(t, "child %d did not finish", (int)pid);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return;
		}
		sleep_ms(1);
	}
	if (wait_kill && __atomic_load_n(&rep->ready, __ATOMIC_SEQ_CST) &&
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		status = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* the child counted and printed its failures itself */
		if (atomic_get(&t->ws->fails) == fails0)
			fail(t, "child %d ended with status 0x%x", (int)pid,
			     status);
	}
	/* what the child wrote is in the memory now */
	if (rep->nw && rep->which < NSH) {
		struct shadow *s = &t->sh[rep->which];

		if (rep->off + rep->nw <= s->len)
			shadow_store(s, (size_t)rep->off, rep->data, rep->nw);
	}
}
