# SPDX-License-Identifier: GPL-2.0
#
# tap_lib.sh - TAP output and module handling shared by the guest scripts
# (busybox sh; sourced).
#
# TAP: a test is "tap_begin NAME" (or a script's own begin calling it),
# any number of "fail MESSAGE", then "end"; end prints "ok N NAME" or
# "not ok N NAME" and counts the failures in $failed.  "end_as NAME" ends a
# test that had no begin, under NAME; "result STATUS NAME" prints one whose
# outcome is a status (0 passed); "skip NAME [REASON]" prints a skipped
# one.  diag prints "# " lines, bail a "Bail out!" and exits.
#
# The runner scripts (run_guest.sh, badinput.sh, fault_inject.sh) print
# unnumbered lines of their own between the suites' TAP: "report STATUS
# TEXT" prints "ok - TEXT" or "not ok - TEXT" (counted in $failed),
# "report_skip TEXT REASON" a skipped one.  skip_unless NAME REASON CMD...
# skips test NAME unless CMD succeeds; script_start PLAN prints the header
# of a root-only script with a $TMP of its own.
#
# Modules: is_loaded, unload_mod (rmmod, retried), unload_loaded,
# load_fresh (unloaded first, then insmod), remember_xxmem (how a script
# found xxmem), rmmod_refused (rmmod must fail while a mapping or file
# holds the module), wait_until, mount_debugfs, xxmem_paths (the staged
# module and xxmemctl), xxmemctl_works.  PCI: pci_find (a function by
# vendor and device), pci_node (its /dev/xxmemN).

n=0
failed=0
cur_fail=0
cur_name=

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

bail() {
	echo "Bail out! $*"
	exit 1
}

tap_begin() {
	cur_name=$1
	cur_fail=0
}

fail() {
	diag "${cur_name:+$cur_name: }$*"
	cur_fail=1
}

# tap_line STATUS TEXT: "ok TEXT" if STATUS is 0, else "not ok TEXT"
# (counted in $failed)
tap_line() {
	if [ "$1" -eq 0 ]; then
		echo "ok $2"
	else
		echo "not ok $2"
		failed=$((failed + 1))
	fi
}

# result STATUS NAME: test NAME passed if STATUS is 0
result() {
	n=$((n + 1))
	tap_line "$1" "$n $2"
}

end_as() {
	result "$cur_fail" "$1"
	cur_fail=0
}

end() {
	end_as "$cur_name"
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP${2:+ $2}"
}

# pat_absent: why the x86 PAT memtype list (PAT_LIST) cannot be read here:
# another architecture has no PAT (arm64 keeps the memory type in the
# page table entry alone), or PAT is off
PAT_LIST=/sys/kernel/debug/x86/pat_memtype_list
pat_absent() {
	case $(uname -m) in
	x86_64|i?86) echo "$PAT_LIST not available (PAT off?)" ;;
	*) echo "x86 only: $(uname -m) has no PAT memtypes" ;;
	esac
}

# skip_unless NAME REASON CMD...: CMD succeeds; else test NAME is skipped
# for REASON, and skip_unless fails
skip_unless() {
	_sn=$1
	_sr=$2
	shift 2
	"$@" && return 0
	skip "$_sn" "$_sr"
	return 1
}

# all_executable FILE...: every FILE is executable
all_executable() {
	for _f in "$@"; do
		[ -x "$_f" ] || return 1
	done
}

# report STATUS TEXT: an unnumbered result line
report() {
	tap_line "$1" "- $2"
}

report_skip() {
	echo "ok - $1 # SKIP $2"
}

# module_ko NAME DIR: the file to insmod for module NAME: DIR/NAME.ko
# (the guest's staged tree), else the installed module (make install,
# dkms) that modinfo names; nothing if there is neither
module_ko() {
	if [ -f "$2/$1.ko" ]; then
		echo "$2/$1.ko"
	else
		modinfo -n "$1" 2>/dev/null | grep '^/'
	fi
}

# xxmem_paths DIR: KO (module_ko's xxmem.ko: DIR's, else the installed
# one; empty if none), XXMEMCTL and XXMEMCTL32 in the staged tree DIR (the
# environment's XXMEMCTL and XXMEMCTL32 win); the caller's variables
# shellcheck disable=SC2034
xxmem_paths() {
	KO=$(module_ko xxmem "$1")
	XXMEMCTL=${XXMEMCTL:-$1/bin/xxmemctl}
	XXMEMCTL32=${XXMEMCTL32:-$1/bin/xxmemctl32}
}

# script_start PLAN: the TAP header of a script that runs as root with a
# directory $TMP of its own; the script's cleanup runs at its exit
script_start() {
	echo "TAP version 13"
	echo "1..$1"
	[ "$(id -u)" = 0 ] || bail "must run as root"
	mkdir -p "$TMP" || bail "cannot create $TMP"
	trap cleanup EXIT
	trap 'exit 1' INT TERM
}

# skip_all REASON: the whole script is skipped (kselftest's exit status
# 4); for what a kselftest user's machine may lack, before script_start
skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

# remember_xxmem: succeeds if xxmem is loaded; sets was_loaded (1 if so)
# and orig_size (its umem_size), so that a script leaves it as it found it
# shellcheck disable=SC2034
remember_xxmem() {
	was_loaded=0
	orig_size=
	is_loaded xxmem || return 1
	was_loaded=1
	orig_size=$(cat /sys/module/xxmem/parameters/umem_size 2>/dev/null)
}

# load_as_found ERRFILE: insmod KO as remember_xxmem found it loaded
# (its umem_size); insmod's messages go to ERRFILE
load_as_found() {
	insmod "$KO" ${orig_size:+"umem_size=$orig_size"} 2>"$1"
}

# xxmem_as_found ERRFILE: xxmem loaded again as remember_xxmem found it,
# or left unloaded if it was not; says what failed
xxmem_as_found() {
	if is_loaded xxmem && ! unload_mod xxmem "$1"; then
		diag "cannot unload xxmem: $(cat "$1")"
	elif [ "$was_loaded" -eq 1 ] && ! load_as_found "$1"; then
		diag "cannot reload xxmem: $(cat "$1")"
	fi
}

# xxmemctl_works: a byte that one xxmemctl process writes through a
# mapping of xxmem's region 0 another reads back, as a user would
xxmemctl_works() {
	"$XXMEMCTL" write 0 0 a5 >/dev/null 2>&1 &&
		"$XXMEMCTL" read 0 0 1 2>/dev/null | grep -q ' a5 '
}

# /sys/module/NAME exists exactly while the (loadable) module is loaded.
is_loaded() {
	[ -d "/sys/module/$1" ]
}

# wait_until TENTHS CMD...: run CMD every 0.1 s until it succeeds, at most
# TENTHS times more; fails if it never did.
wait_until() {
	_t=$1
	shift
	while ! "$@"; do
		[ "$_t" -le 0 ] && return 1
		_t=$((_t - 1))
		sleep 0.1
	done
	return 0
}

# unload_mod NAME [ERRFILE]: rmmod NAME, retried for two seconds (the last
# reference may drop just after a process exits, or a while after a busy
# run's many processes).  rmmod's messages go to ERRFILE; without one they
# are quiet until the last try.  Sets unload_retries to the number of
# failed tries.
unload_mod() {
	unload_retries=0
	while ! rmmod "$1" 2>"${2:-/dev/null}"; do
		unload_retries=$((unload_retries + 1))
		if [ "$unload_retries" -ge 20 ]; then
			[ -n "${2:-}" ] && return 1
			rmmod "$1"
			return
		fi
		sleep 0.1
	done
	return 0
}

# unload_loaded NAME [ERRFILE]: NAME is not loaded (any more)
unload_loaded() {
	! is_loaded "$1" || unload_mod "$@"
}

# load_fresh KO [PARAM...]: KO's module loaded anew with PARAMs (unloaded
# first if it is loaded).  On failure, load_err (the caller's) says what
# failed.
# shellcheck disable=SC2034
load_fresh() {
	_m=${1##*/}
	_m=${_m%%.ko*}
	load_err=
	if ! unload_loaded "$_m"; then
		load_err="$_m is loaded and cannot be unloaded"
		return 1
	fi
	if ! insmod "$@"; then
		load_err="insmod $*: failed"
		return 1
	fi
}

# debugfs mounted (the callback trace, the DDI counts, fault injection)
mount_debugfs() {
	grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
}

# rmmod_refused MODULE WHILE: rmmod MODULE fails while WHILE (a mapping or
# an open file holds it), and the module stays; a failure is the current
# test's
rmmod_refused() {
	if rmmod "$1" 2>"${TMPDIR:-/tmp}/rmmod.err"; then
		fail "rmmod $1 succeeded while $2"
	else
		diag "rmmod while $2: $(cat "${TMPDIR:-/tmp}/rmmod.err")"
	fi
	is_loaded "$1" || fail "$1 unloaded while $2"
}

# --- the PCI functions of QEMU's devices, and their nodes -------------------

# pci_find VENDOR DEVICE: the first PCI function VENDOR DEVICE (in BDF
# order), or nothing
pci_find() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor" 2>/dev/null)" = "$1" ] || continue
		[ "$(cat "$_d/device" 2>/dev/null)" = "$2" ] || continue
		echo "${_d##*/}"
		return 0
	done
	return 1
}

# pci_node BDF: the /dev/xxmemN of function BDF, or nothing if it has none
pci_node() {
	for _m in /sys/bus/pci/devices/"$1"/misc/xxmem*; do
		[ -e "$_m" ] || continue
		echo "/dev/${_m##*/}"
		return 0
	done
	return 1
}
