#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_guest.sh - run the xxmem selftest suites inside the guest (busybox sh).
#
# Usage: run_guest.sh           every suite of SUITE_TABLE, in its order
#        run_guest.sh --list    the words SUITES accepts: each row's name and
#                               file, one a line (any sh, no guest needed)
#
# Environment: XXMEM_DIR (default /xxmem); SUITES (names of suites to run,
# separated by spaces; empty: all; a name that is not in the table is an
# error); UMEM_SIZE (default 1M), UMEM_SIZE_XXMEM (default 4M);
# XXMEM_EXPECT_HUGE_PFNMAP (Y or N, from the host: what the build's feature
# tests must have found).
#
# Guest layout (XXMEM_DIR):
#   xxmem.ko bin/xxmemctl bin/xxmemctl32
#   selftests/{xxmem_test,xxmem_test32,module_test.sh,run_guest.sh}
#   selftests/{devmap_test,devmap_test32,alone_test.sh,ddi_lib.sh,tap_lib.sh}
#   selftests/drivers/{xxmmap.ko,xxsegmap.ko,xxwinlock.ko,xxhermon.ko}
#   selftests/{hermon_test,hermon_test32,hermon_test.sh}
#   zfs/order zfs/*.ko (optional: OpenZFS' modules, tools/xxmem-zfs)
#
# The suites, in SUITE_TABLE's order: alone_test.sh, with nothing loaded
# (each driver module loads on its own and beside the others); zfs, if
# zfs/ is staged: OpenZFS' spl.ko and zfs.ko (and the kernel modules they
# need) loaded in zfs/order, staying loaded for every later suite (spl.ko
# exports Solaris names - cmn_err, ddi_copyin, ddi_copyout - that xxmem's
# DDI layer has too); then the kselftest binaries, each against a freshly
# loaded xxmem.ko (its memory reads zero) with the module parameters of its
# row, and the scripts, which load what they need themselves.  The test
# drivers (xxmmap.ko, xxsegmap.ko, xxwinlock.ko) are loaded before the
# first suite whose row asks for them and stay loaded until the end.  TAP
# output passes straight through.
#
# Last, everything this script loaded is unloaded again, each test driver
# after a check that none of its mappings is counted any more, and the
# kernel log must show that no unload reported a leaked DDI object.  The
# final line is
#   # run_guest: suites=<n> failed=<m>
# and the exit status is non-zero if any suite failed.

# shellcheck disable=SC2317 # functions called through for_each_row

XXMEM_DIR=${XXMEM_DIR:-/xxmem}
UMEM_SIZE=${UMEM_SIZE:-1M}
UMEM_SIZE_XXMEM=${UMEM_SIZE_XXMEM:-4M}

# One row per suite run:
#   NAME FILE KIND UMEM PEER NEEDS
# NAME is what SUITES selects (FILE selects the row too); KIND is "ksft"
# (a kselftest binary run here against a fresh xxmem.ko umem_size=UMEM,
# with XXMEM_PEER=selftests/PEER and XXMEM_UMEM_SIZE=UMEM), "script" (sh
# FILE XXMEM_DIR; it loads what it needs), "fresh" (sh FILE with
# UMEM_SIZE=UMEM, xxmem unloaded first) or "zfs"; NEEDS is a comma
# list of: drivers (the test drivers loaded), huge (only where xxmem maps
# whole 2 MiB blocks with PMD entries: huge_pfnmap=Y).  "-" is empty.
#
# xxmem_test gets UMEM_SIZE_XXMEM (mappings of whole 2 MiB blocks, PMD
# entries where the kernel has huge PFN maps); the stress runs again with
# slices of region 0 large enough (umem_size=64M: about 5 MiB per thread)
# for mappings of whole blocks: PFN maps under random splits, moves, forks
# and madvise.  badinput.sh and stress.sh check that rmmod works after
# them; their PCI parts need QEMU's edu / ivshmem-plain (and pci-testdev
# for the I/O BAR row), else they are skipped.  pci_test.sh (sysfs nodes,
# PAT, unbind and rebind, rmmod while mapped) leaves xxmem as it found it.
# hermon_test.sh loads xxhermon.ko, lends it the edu function, runs
# hermon_test and hermon_test32 and unloads it again.
SUITE_TABLE="
alone_test	alone_test.sh	script	-	-	-
zfs	-	zfs	-	-	-
xxmem_test	xxmem_test	ksft	$UMEM_SIZE_XXMEM	xxmem_test32	-
xxmem_test32	xxmem_test32	ksft	$UMEM_SIZE_XXMEM	xxmem_test	-
module_test	module_test.sh	script	-	-	-
devmap_test	devmap_test	ksft	$UMEM_SIZE	devmap_test32	drivers
devmap_test32	devmap_test32	ksft	$UMEM_SIZE	devmap_test	drivers
pci_test	pci_test	ksft	$UMEM_SIZE	-	drivers
pci_test32	pci_test32	ksft	$UMEM_SIZE	-	drivers
pci_test.sh	pci_test.sh	script	-	-	drivers
hermon_test	hermon_test.sh	script	-	-	-
winlock_test	winlock_test	ksft	$UMEM_SIZE	-	drivers
winlock_test32	winlock_test32	ksft	$UMEM_SIZE	-	drivers
badinput	badinput.sh	fresh	$UMEM_SIZE	-	drivers
stress	stress.sh	fresh	$UMEM_SIZE	-	drivers
stress	stress.sh	fresh	64M	-	drivers,huge
"

# for_each_row FUNCTION: FUNCTION NAME FILE KIND UMEM PEER NEEDS per row
for_each_row() {
	_ifs=$IFS
	IFS='
'
	for _row in $SUITE_TABLE; do
		IFS=$_ifs
		# shellcheck disable=SC2086 # the row's fields
		"$1" $_row
	done
	IFS=$_ifs
}

list_name() {
	echo "$1"
}

list_file() {
	[ "$2" = - ] || echo "$2"
}

# known_words: what SUITES accepts, each row's name and file, once
known_words() {
	{ for_each_row list_name; for_each_row list_file; } | awk '!seen[$0]++'
}

if [ "${1:-}" = --list ]; then
	known_words
	exit 0
fi

ST=$XXMEM_DIR/selftests
KO=$XXMEM_DIR/xxmem.ko
DRV=$ST/drivers

# shellcheck source=selftests/ddi_lib.sh
. "$ST/ddi_lib.sh"
# shellcheck source=selftests/tap_lib.sh
. "$ST/tap_lib.sh"

suites=0
failed=0
zfs_mods=
drivers=
drivers_done=0
huge_pfnmap=

say() {
	echo "# run_guest: $*"
}

# A failed step of the runner: a result line of its own.
not_ok() {
	report 1 "run_guest: $*"
}

# selected NAME FILE: SUITES is empty or names the row
selected() {
	[ -z "${SUITES:-}" ] && return 0
	case " $SUITES " in
	*" $1 "* | *" $2 "*) return 0 ;;
	esac
	return 1
}

# check_known: every word of SUITES is known
check_known() {
	_known=" $(known_words | tr '\n' ' ')"
	for _s in ${SUITES:-}; do
		case $_known in
		*" $_s "*) ;;
		*)
			not_ok "unknown suite '$_s' in SUITES (known:$_known)"
			return 1
			;;
		esac
	done
}

# fresh_xxmem NAME UMEM: xxmem.ko loaded anew with umem_size=UMEM (UMEM
# "-": xxmem only unloaded)
fresh_xxmem() {
	if [ "$2" = - ]; then
		unload_loaded xxmem && return 0
		not_ok "$1: xxmem is loaded and cannot be unloaded"
		return 1
	fi
	if ! load_fresh "$KO" "umem_size=$2"; then
		not_ok "$1: $load_err"
		return 1
	fi
	huge_pfnmap=$(cat /sys/module/xxmem/parameters/huge_pfnmap)
}

# The host knows what the build's feature tests must have found: a module
# without PMD entries on a kernel that has them would only skip the 64M
# stress run.
check_huge_pfnmap() {
	[ -n "${XXMEM_EXPECT_HUGE_PFNMAP:-}" ] || return 0
	if [ "$huge_pfnmap" = "$XXMEM_EXPECT_HUGE_PFNMAP" ]; then
		report 0 "run_guest: the loaded xxmem's huge_pfnmap is $huge_pfnmap, as expected for this kernel"
	else
		not_ok "the loaded xxmem's huge_pfnmap is $huge_pfnmap, expected $XXMEM_EXPECT_HUGE_PFNMAP"
	fi
}

# The huge_pfnmap of this build of xxmem, if no suite has loaded it yet.
probe_huge_pfnmap() {
	[ -n "$huge_pfnmap" ] && return 0
	fresh_xxmem "huge_pfnmap" "$UMEM_SIZE" && unload_mod xxmem
}

# --- what some suites need ------------------------------------------------------

# OpenZFS first, if staged; it stays loaded for every later suite.
load_zfs() {
	_ok=1
	while read -r _ko; do
		if insmod "$XXMEM_DIR/zfs/$_ko"; then
			zfs_mods="${_ko%%.ko*} $zfs_mods"
		else
			echo "not ok - run_guest: insmod zfs/$_ko failed"
			_ok=0
			break
		fi
	done <"$XXMEM_DIR/zfs/order"
	if [ "$_ok" -eq 1 ] && is_loaded spl && is_loaded zfs &&
	   grep -Eq ' [Tt] cmn_err[[:space:]]+\[spl\]$' /proc/kallsyms &&
	   grep -Eq ' [Tt] ddi_copyin[[:space:]]+\[spl\]$' /proc/kallsyms; then
		report 0 "run_guest: OpenZFS loaded first: $(tr '\n' ' ' <"$XXMEM_DIR/zfs/order")(spl has cmn_err, ddi_copyin, ...)"
		return 0
	fi
	[ "$_ok" -eq 1 ] &&
		echo "not ok - run_guest: OpenZFS loaded, spl exporting cmn_err and ddi_copyin"
	return 1
}

# The test drivers (xxmmap.ko, xxsegmap.ko, xxwinlock.ko), and debugfs for the callback
# trace; once.
load_drivers() {
	[ "$drivers_done" -eq 1 ] && return 0
	drivers_done=1
	mount_debugfs || say "cannot mount debugfs: the trace tests will fail"
	for _d in xxmmap xxsegmap xxwinlock; do
		if [ ! -f "$DRV/$_d.ko" ]; then
			say "$DRV/$_d.ko not found: its tests will skip"
		elif load_fresh "$DRV/$_d.ko"; then
			drivers="$_d $drivers"
		else
			not_ok "$load_err"
		fi
	done
}

# --- one suite ------------------------------------------------------------------

# run_ksft NAME UMEM PEER: a kselftest binary against a fresh xxmem.ko
# (a failure to load it is counted already)
run_ksft() {
	fresh_xxmem "$1" "$2" || return 0
	[ "$1" = xxmem_test ] && check_huge_pfnmap
	if [ "$3" = - ]; then
		unset XXMEM_PEER
	elif [ -x "$ST/$3" ]; then
		XXMEM_PEER=$ST/$3
		export XXMEM_PEER
	else
		say "$ST/$3 not found: the cross-model test will skip"
		unset XXMEM_PEER
	fi
	XXMEM_UMEM_SIZE=$2 "$ST/$1"
	_rc=$?
	unset XXMEM_PEER
	say "$1 exit status $_rc"
	if ! unload_mod xxmem; then
		echo "not ok - run_guest: $1: rmmod xxmem after the suite failed"
		_rc=1
	fi
	return "$_rc"
}

# run_suite NAME FILE KIND UMEM PEER NEEDS: one row of SUITE_TABLE, if
# SUITES selects it; counts it, and its failure.
run_suite() {
	selected "$1" "$2" || return 0
	case ,$6, in
	*,drivers,*) load_drivers ;;
	esac
	case ,$6, in
	*,huge,*)
		probe_huge_pfnmap
		[ "$huge_pfnmap" = Y ] || return 0
		;;
	esac
	if [ "$3" = zfs ]; then
		[ -f "$XXMEM_DIR/zfs/order" ] || return 0
		suites=$((suites + 1))
		load_zfs || failed=$((failed + 1))
		return 0
	fi
	suites=$((suites + 1))
	_line="suite $2"
	[ "$4" = - ] || _line="$_line, umem_size=$4"
	[ "$drivers_done" -eq 1 ] && _line="$_line, drivers:${drivers:- none}"
	say "$_line"
	if [ ! -e "$ST/$2" ]; then
		not_ok "$ST/$2 not found"
		return 0
	fi
	case $3 in
	ksft)
		run_ksft "$2" "$4" "$5"
		;;
	script)
		PCI_TEST=$ST/pci_test sh "$ST/$2" "$XXMEM_DIR"
		;;
	fresh)
		fresh_xxmem "$2" - || return 0
		UMEM_SIZE=$4 XXMEM_DIR=$XXMEM_DIR sh "$ST/$2"
		;;
	esac
	_rc=$?
	[ "$3" = ksft ] || say "$2 exit status $_rc"
	[ "$_rc" -eq 0 ] || failed=$((failed + 1))
}

# --- after the suites -------------------------------------------------------------

# Unload what this script loaded: each test driver once nothing of it is
# mapped any more (its own DDI counts: no devmap handle, segment or VMA);
# its unload then must report no leaked DDI object.
unload_all() {
	for _d in $drivers; do
		if _counts=$(ddi_no_mappings "$_d"); then
			report 0 "run_guest: $_d: no mapping left after the suites: $_counts"
		else
			not_ok "$_d: mappings left after the suites: $_counts"
		fi
		unload_mod "$_d" || not_ok "rmmod $_d failed"
	done
	unload_loaded xxmem || not_ok "rmmod xxmem after the suites failed"
}

# Every driver module checks at its unload (mod_remove) that all its DDI
# live-object counts (devmap handles, segments, VMAs, umem cookies and
# pages, register mappings, minor nodes) are zero, else it logs them and
# WARNs: no unload of the whole run may have done so.
check_no_leak_reported() {
	if dmesg | grep -q 'DDI objects leaked'; then
		not_ok "DDI objects leaked at an unload: $(dmesg | grep 'DDI objects leaked' | head -n 8 | tr '\n' ' ')"
	else
		report 0 "run_guest: no unload of xxmem or a test driver left a DDI object behind"
	fi
}

# OpenZFS last, in reverse load order.
unload_zfs() {
	[ -n "$zfs_mods" ] || return 0
	_left=
	for _m in $zfs_mods; do
		unload_mod "$_m" || _left="$_left $_m"
	done
	if [ -z "$_left" ]; then
		report 0 "run_guest: OpenZFS unloads after the suites ($zfs_mods)"
	else
		not_ok "OpenZFS modules left loaded:$_left"
	fi
}

finish() {
	say "suites=$suites failed=$failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# (the 32-bit programs: i386 on x86_64, armhf on aarch64)
say "machine $(uname -m), kernel $(uname -r)"
check_known || finish
for_each_row run_suite
unload_all
check_no_leak_reported
unload_zfs
finish
