/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_util.h - what the test programs read about their own mappings and
 * read and write of the modules in /proc and /sys.
 */
#ifndef XXMEM_VM_UTIL_H
#define XXMEM_VM_UTIL_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The VmFlags of the mapping at @p in /proc/self/smaps, or "". */
static inline const char *vm_flags_at(const void *p)
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
static inline bool is_pfnmap(const void *p)
{
	return strstr(vm_flags_at(p), " pf ") != NULL;
}

/* Contents of a one-line file (newline dropped), or "" */
static inline const char *read_line(const char *path)
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
 * Does the DDI layer of driver module @mod (each has its own: xxmem,
 * xxsegmap, ...) map 2 MiB blocks with PMD entries?
 */
static inline bool huge_pfnmap(const char *mod)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/huge_pfnmap",
		 mod);
	return !strcmp(read_line(path), "Y");
}

/* Write @val to the (module parameter) file @path: all of it, or false. */
static inline bool param_write(const char *path, const char *val)
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

#endif /* XXMEM_VM_UTIL_H */
