// SPDX-License-Identifier: GPL-2.0
/*
 * cmn_err(9F): driver messages in the kernel log.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <sys/cmn_err.h>

/**
 * cmn_err() - print a message (cmn_err(9F))
 * @level: CE_CONT, CE_NOTE or CE_WARN
 * @fmt:   printf format; a leading '!' or '^' (log only / console only on
 *         Solaris) is dropped: Linux has one kernel log
 *
 * CE_NOTE and CE_WARN messages get a newline and a prefix, "NOTICE: " as on
 * Solaris and "warning: " (Solaris: "WARNING: "): kernel log scanners
 * (kselftest, syzkaller, CI) take "WARNING:" for a kernel WARN() report.
 * CE_WARN is logged at KERN_WARNING.
 *
 * Context: any.
 */
void cmn_err(int level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (*fmt == '!' || *fmt == '^')
		fmt++;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	switch (level) {
	case CE_CONT:
		pr_cont("%pV", &vaf);
		break;
	case CE_NOTE:
		pr_notice("NOTICE: %pV\n", &vaf);
		break;
	default:
		pr_warn("warning: %pV\n", &vaf);
		break;
	}
	va_end(args);
}
