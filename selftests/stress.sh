#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh - the randomized stress run of xxmem, in the guest (busybox sh).
#
# For each run (the 64-bit program with 32-bit peers, then the 32-bit one
# with 64-bit peers): load a fresh xxmem.ko, run selftests/stress, check
# that the callback trace balances (every devmap handle created by map,
# dup or a hole split got its final whole unmap), that nothing is left in
# the trace, that rmmod xxmem succeeds, that no x86 PAT memtype is left
# inside the BARs of the PCI functions xxmem had bound (edu, ivshmem; they
# are unbound and rebound during the run), and that xxmem's counts of live
# DDI objects (debugfs xxmem/ddi_stats) are, once the run's processes are
# gone, what they were right after insmod, and that its rmmod reports no
# leaked DDI object.  The guest harness checks the kernel log; stress
# itself stops at the first kernel warning.
#
# The programs are the ones beside this script.  Runs as root (busybox sh
# will do); a kselftest TEST_PROGS script: xxmem is left loaded or
# unloaded as it was found.
#
# Usage: stress.sh [KO_DIR]   KO_DIR holds xxmem.ko (default: XXMEM_DIR,
#                             else /xxmem; without one there, the installed
#                             module is loaded)
# Environment: XXMEM_DIR, UMEM_SIZE (default 1M), STRESS_SEED (default: a
# fresh seed per run, printed), STRESS_OPS (operations per thread),
# STRESS_PROCS, STRESS_THREADS.
#
# Output: TAP version 13; exit status 0 if every test passed, 4 (skipped)
# without an xxmem.ko.

XXMEM_DIR=${XXMEM_DIR:-${1:-/xxmem}}
ST=$(cd "$(dirname "$0")" && pwd)
UMEM_SIZE=${UMEM_SIZE:-1M}
TRACE=/sys/kernel/debug/xxmem/trace
# shellcheck source=selftests/ddi_lib.sh
. "$ST/ddi_lib.sh"
# shellcheck source=selftests/tap_lib.sh
. "$ST/tap_lib.sh"
xxmem_paths "$XXMEM_DIR"
STATS=$(ddi_stats xxmem)
TMP=${TMPDIR:-/tmp}
HUGE_BAR_RUN=
# The tests of one run, for its lines when it cannot start.
TESTS="run trace empty rmmod pat objects"

# Check a drained trace: print "# trace: ..." lines, exit 0 if balanced.
# Every handle id that map, dup or a hole split (new2 other than the
# handle itself) creates must end with an unmap whose new1 and new2 are
# both "-"; unmaps and dups must name live handles.
check_trace() {
	awk '
	function val(s) { sub(/^[a-z0-9]+=/, "", s); return s }
	function bad(msg) { errors++; if (errors <= 20) print "# trace: " msg }
	/^map dh=/ {
		id = val($2)
		if (id in live) bad("line " NR ": map of live handle " id)
		live[id] = 1; made++; next
	}
	/^map off=.* failed$/ { next }
	/^dup dh=/ {
		id = val($2); nw = val($3)
		if (!(id in live)) bad("line " NR ": dup of dead handle " id)
		if (nw in live) bad("line " NR ": dup makes live handle " nw)
		live[nw] = 1; made++; next
	}
	/^unmap dh=/ {
		id = val($2); n1 = val($5); n2 = val($6)
		if (!(id in live)) { bad("line " NR ": unmap of dead handle " id); next }
		if (n1 != "-" && n1 != id) bad("line " NR ": new1=" n1 " is not the handle")
		if (n1 == "-" && n2 == "-") { delete live[id]; gone++; next }
		if (n2 != "-" && n2 != id) {
			if (n2 in live) bad("line " NR ": hole makes live handle " n2)
			live[n2] = 1; made++; nsplit++
		}
		partial++; next
	}
	/^access dh=/ || /^ctxswitch / { other++; next }
	/^$/ { next }
	{ bad("line " NR ": unknown line: " $0) }
	END {
		left = 0
		for (id in live) { left++; if (left <= 10) bad("handle " id " was never unmapped") }
		printf "# trace: %d lines, %d handles made (%d by hole splits), %d partial unmaps, %d final unmaps, %d access/ctxswitch lines, %d left\n", NR, made, nsplit, partial, gone, other, left
		exit (errors > 0)
	}' "$1"
}

# Memory BARs of the PCI functions xxmem binds ("start end" in hex, one per
# line), read while it is loaded.
bar_ranges() {
	for d in /sys/bus/pci/drivers/xxmem/0000:*; do
		[ -r "$d/resource" ] || continue
		while read -r start end flags; do
			[ $((flags & 0x200)) -ne 0 ] && [ $((end)) -gt $((start)) ] &&
				echo "$start $end"
		done <"$d/resource"
	done
}

# PAT memtype entries inside the BARs of BARS_FILE (none once xxmem and its
# mappings are gone: every reservation of a user mapping was released).
pat_left() {
	list=/sys/kernel/debug/x86/pat_memtype_list
	[ -r "$list" ] || return 0
	sed -n 's/^PAT: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\] \(.*\)$/\1 \2 \3/p' "$list" |
	while read -r ps pe type; do
		while read -r bs be; do
			if [ $((ps)) -le $((be)) ] && [ $((pe)) -gt $((bs)) ]; then
				echo "$ps-$pe $type"
				break
			fi
		done <"$1"
	done
}

# run_stress MAIN PEER [SEED]: the stress program MAIN (with PEER as the
# other data model's; SEED, else STRESS_SEED, if given), streamed (a crash
# must not lose it) and kept for the summary
run_stress() {
	_peer=$2
	_seed=${3:-$STRESS_SEED}
	set -- "$1" --trace "$TMP/stress-trace.$1"
	[ -n "$_seed" ] && set -- "$@" --seed "$_seed"
	[ -n "$STRESS_OPS" ] && set -- "$@" --ops "$STRESS_OPS"
	[ -n "$STRESS_PROCS" ] && set -- "$@" --procs "$STRESS_PROCS"
	[ -n "$STRESS_THREADS" ] && set -- "$@" --threads "$STRESS_THREADS"
	[ -x "$ST/$_peer" ] && set -- "$@" --peer "$ST/$_peer"
	[ -n "$HUGE_BAR_RUN" ] && set -- "$@" --huge-bar
	_main=$1
	shift
	{
		"$ST/$_main" "$@" 2>&1
		echo "$?" >"$TMP/stress-rc.$_main"
	} | tee "$TMP/stress-out.$_main"
	_rc=$(cat "$TMP/stress-rc.$_main" 2>/dev/null || echo 1)
	_summary=$(grep '^# stress: \(PASS\|FAIL\) ' "$TMP/stress-out.$_main" |
		tail -n 1 | sed 's/^# stress: //')
	case $_rc in
	0) result 0 "- $tag: ${_summary:-no summary}" ;;
	4) skip "- $tag: no /dev/xxmem" ;;
	*) result 1 "- $tag: exit status $_rc: ${_summary:-no summary}" ;;
	esac
}

# check_trace_after MAIN: the run's callback trace balances, and nothing
# more comes once it is drained
check_trace_after() {
	if [ ! -r "$TRACE" ]; then
		skip "- $tag: handle balance: no $TRACE"
		skip "- $tag: trace empty after the run: no $TRACE"
		return
	fi
	# the workers are gone: what is left belongs to the log too
	cat "$TRACE" >>"$TMP/stress-trace.$1"
	if check_trace "$TMP/stress-trace.$1"; then
		result 0 "- $tag: every devmap handle (map, dup, hole split) got its final unmap"
	else
		result 1 "- $tag: devmap handles balance in the trace"
	fi
	_left=$(wc -c <"$TRACE")
	echo "x" >"$TRACE"
	sleep 0.2
	if [ "$(wc -c <"$TRACE")" -eq 0 ]; then
		result 0 "- $tag: no callbacks after the run ($_left bytes were left, drained)"
	else
		result 1 "- $tag: callbacks after the run: $(head -c 300 "$TRACE")"
	fi
}

# No PAT memtype left inside the BARs xxmem had bound.
check_pat_released() {
	if [ ! -s "$TMP/stress-bars" ]; then
		skip "- $tag: PAT memtypes of the BARs released: no PCI function"
		return
	fi
	if [ ! -r /sys/kernel/debug/x86/pat_memtype_list ]; then
		skip "- $tag: PAT memtypes of the BARs released: $(pat_absent)"
		return
	fi
	_left=$(pat_left "$TMP/stress-bars")
	if [ -z "$_left" ]; then
		result 0 "- $tag: PAT memtypes of the BARs released after rmmod"
	else
		echo "$_left" | head -n 10 | sed 's/^/# PAT entry left: /'
		result 1 "- $tag: PAT memtypes of the BARs released after rmmod ($(echo "$_left" | wc -l) left)"
	fi
}

# A ddi_stats file without its reg_memtypes_kept line: the memory type
# reservations xxmem keeps for the next mapping of a register set (at most
# one per BAR and caching, released at unbind, so rmmod leaves none).
kept_aside() {
	grep -v '^reg_memtypes_kept ' "$1"
}

# xxmem's live DDI objects after the run (stress-stats1) as after insmod
# (stress-stats0) but the kept reservations, and no leak reported at rmmod
# since LEAKS0 reports
check_objects() {
	[ ! -s "$TMP/stress-stats1" ] || kept_aside "$TMP/stress-stats1" >"$TMP/stress-stats1.cmp"
	if [ ! -s "$TMP/stress-stats0" ] || [ ! -s "$TMP/stress-stats1" ]; then
		result 1 "- $tag: xxmem's live DDI objects: no $STATS"
	elif ! kept_aside "$TMP/stress-stats0" | cmp -s - "$TMP/stress-stats1.cmp"; then
		result 1 "- $tag: xxmem's live DDI objects after the run differ from after insmod: $(tr '\n' ' ' <"$TMP/stress-stats1") (after insmod: $(tr '\n' ' ' <"$TMP/stress-stats0"))"
	elif [ "$(ddi_leak_reports xxmem)" != "$1" ]; then
		result 1 "- $tag: rmmod xxmem reported leaked DDI objects: $(dmesg | grep 'xxmem: DDI objects leaked' | tail -n 7 | tr '\n' ' ')"
	else
		result 0 "- $tag: xxmem's live DDI objects (handles, segments, VMAs, umem pages, register mappings, nodes) after the run as after insmod, none left at rmmod: $(tr '\n' ' ' <"$TMP/stress-stats1")"
	fi
}

# one_run MAIN PEER [SEED]: every test of a run
one_run() {
	if [ ! -x "$ST/$1" ]; then
		for _what in $TESTS; do
			result 1 "- $tag: $_what: $ST/$1 not found"
		done
		return
	fi
	if ! load_fresh "$KO" "umem_size=$UMEM_SIZE"; then
		for _what in $TESTS; do
			result 1 "- $tag: $_what: $load_err"
		done
		return
	fi
	# xxmem's live DDI objects with nothing mapped or open
	cat "$STATS" >"$TMP/stress-stats0" 2>/dev/null
	_leaks0=$(ddi_leak_reports xxmem)
	bar_ranges >"$TMP/stress-bars"
	run_stress "$1" "$2" "${3:-}"
	check_trace_after "$1"
	# the same objects as before the run, now that its processes are gone
	cat "$STATS" >"$TMP/stress-stats1" 2>/dev/null
	if unload_mod xxmem "$TMP/rmmod.err"; then
		result 0 "- $tag: rmmod xxmem after the run"
	else
		result 1 "- $tag: rmmod xxmem after the run: $(cat "$TMP/rmmod.err")"
	fi
	check_pat_released
	check_objects "$_leaks0"
}

[ "$(id -u)" = 0 ] || skip_all "must run as root"
[ -n "$KO" ] || skip_all "no $XXMEM_DIR/xxmem.ko and no installed xxmem module"
remember_xxmem
trap 'xxmem_as_found "$TMP/rmmod.err"' EXIT
mount_debugfs

echo "TAP version 13"
# MAIN:PEER[:SEED]; a SEED is a regression case, run every time with it:
# 14215738112462217511 once failed stress32 (REGION_INFO at a bad pointer
# got ENODEV during an unbind; see expect_fd() in stress_model.c).
runs="stress:stress32 stress32:stress stress32:stress:14215738112462217511"
# With an ivshmem function whose BAR 2 is 1 GiB (xxmem-lib.sh's second), one
# more run keeps the threads' BAR slots there and maps the whole GiB now and
# then: PUD entries where xxmem has them (huge_pfnmap_pud), else PMD or 4 KiB
# ones, through the same random operations.
huge_ivshmem() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = 0x1af4 ] || continue
		[ "$(cat "$_d/device")" = 0x1110 ] || continue
		# shellcheck disable=SC2046 # split the resource line
		set -- $(sed -n 3p "$_d/resource")
		[ $(($2 - $1 + 1)) -ge $((1 << 30)) ] && return 0
	done
	return 1
}
nruns=3
huge_ivshmem && nruns=4
echo "1..$((6 * nruns))"

for run in $runs; do
	main=${run%%:*}
	peer=${run#*:}
	seed=${peer#*:}
	[ "$seed" = "$peer" ] && seed=
	peer=${peer%%:*}
	tag="$main (peers: $peer, umem_size=$UMEM_SIZE${seed:+, seed $seed})"
	one_run "$main" "$peer" "$seed"
done
if [ "$nruns" -eq 4 ]; then
	tag="stress (peers: stress32, umem_size=$UMEM_SIZE, BAR slots in the 1 GiB BAR)"
	HUGE_BAR_RUN=1
	one_run stress stress32
	HUGE_BAR_RUN=
fi

echo "# stress.sh: tests=$n failed=$failed"
[ "$failed" -eq 0 ]
