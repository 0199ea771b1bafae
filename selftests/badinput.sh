#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# badinput.sh - the bad-input table (badinput_test, badinput_test32, beside
# this script): each binary against a freshly loaded xxmem.ko, which must
# unload afterwards.  PCI rows need QEMU's edu / ivshmem-plain (and
# pci-testdev for the I/O BAR row); without them they are skipped.  Runs
# as root (busybox sh will do); a kselftest TEST_PROGS script: xxmem is
# left loaded or unloaded as it was found.
#
# Usage: badinput.sh [KO_DIR]   KO_DIR holds xxmem.ko (default: XXMEM_DIR,
#                               else /xxmem; without one there, the
#                               installed module is loaded)
# Environment: XXMEM_DIR, UMEM_SIZE (default 1M).
# Output: the binaries' TAP, then one TAP line per binary for the unload;
# exit status 0 if everything passed, 4 (skipped) without an xxmem.ko.

XXMEM_DIR=${XXMEM_DIR:-${1:-/xxmem}}
ST=$(cd "$(dirname "$0")" && pwd)
UMEM_SIZE=${UMEM_SIZE:-1M}
TMP=${TMPDIR:-/tmp}
# shellcheck source=selftests/tap_lib.sh
. "$ST/tap_lib.sh"
xxmem_paths "$XXMEM_DIR"

say() {
	diag "badinput.sh: $*"
}

# node_modes: each /dev/xxmem* node and its mode
node_modes() {
	for _n in /dev/xxmem*; do
		[ -e "$_n" ] && echo "$_n $(stat -c %a "$_n")"
	done
}

[ "$(id -u)" = 0 ] || skip_all "must run as root"
[ -n "$KO" ] || skip_all "no $XXMEM_DIR/xxmem.ko and no installed xxmem module"
remember_xxmem
trap 'xxmem_as_found "$TMP/rmmod.err"' EXIT
mount_debugfs

for t in badinput_test badinput_test32; do
	if [ ! -x "$ST/$t" ]; then
		report 1 "badinput: $ST/$t not found"
		continue
	fi
	if ! load_fresh "$KO" "umem_size=$UMEM_SIZE"; then
		report 1 "badinput: $t: $load_err"
		continue
	fi
	modes=$(node_modes)
	say "suite $t"
	"$ST/$t"
	rc=$?
	say "$t exit status $rc"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
	# the nodes have their modes back (the unprivileged rows make them 0666)
	echo "$modes" | while read -r node mode; do
		[ -e "$node" ] || continue
		now=$(stat -c %a "$node")
		[ "$now" = "$mode" ] ||
			echo "not ok - badinput: $t: $node left with mode $now (was $mode)"
	done | grep . && failed=$((failed + 1))

	if unload_mod xxmem "$TMP/rmmod.err"; then
		report 0 "badinput: $t: rmmod xxmem afterwards"
	else
		report 1 "badinput: $t: rmmod xxmem afterwards: $(cat "$TMP/rmmod.err")"
	fi
done

say "failed=$failed"
[ "$failed" -eq 0 ]
