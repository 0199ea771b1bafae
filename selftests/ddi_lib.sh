# SPDX-License-Identifier: GPL-2.0
#
# ddi_lib.sh - the DDI layer's per-module state, for the guest scripts
# (busybox sh; sourced).  The layer is linked into each driver module
# (xxmem, xxmmap, xxsegmap): each has its own live-object counts in debugfs
# MODULE/ddi_stats while loaded, and its mod_remove logs
# "MODULE: DDI objects leaked after ..." (and WARNs) if any count is not
# zero once the driver is detached.

# ddi_stats MODULE: the path of MODULE's counts
ddi_stats() {
	echo "/sys/kernel/debug/$1/ddi_stats"
}

# ddi_leak_reports MODULE: how many leak reports of MODULE the kernel
# log holds (compare before and after an rmmod)
ddi_leak_reports() {
	dmesg | grep -c "$1: DDI objects leaked" || true
}

# ddi_no_mappings MODULE: succeeds if MODULE's counts show no devmap
# handle, segment or VMA (every mapping of it is gone); prints the counts
ddi_no_mappings() {
	_f=$(ddi_stats "$1")
	[ -r "$_f" ] || { echo "no $_f"; return 1; }
	tr '\n' ' ' <"$_f"
	awk '($1 == "handles" || $1 == "segments" || $1 == "vmas") && $2 != 0 { bad = 1 }
	     END { exit bad }' "$_f"
}
