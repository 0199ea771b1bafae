#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# module_test.sh - load and unload tests of xxmem.ko, TAP version 13 output.
# Runs in the guest as root (busybox sh).
#
# Usage: module_test.sh [KO_DIR]     KO_DIR holds xxmem.ko (/xxmem; else
#                                    the installed module is loaded)
# Env:   XXMEM_TEST  xxmem_test binary (default: next to this script)
#        XXMEMCTL, XXMEMCTL32  (default: KO_DIR/bin/xxmemctl, xxmemctl32)
#
# xxmem is left loaded or unloaded as it was found.

KO_DIR=${1:-/xxmem}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/tap_lib.sh
. "$HERE/tap_lib.sh"
xxmem_paths "$KO_DIR"
XXMEM_TEST=${XXMEM_TEST:-$HERE/xxmem_test}
DEV=/dev/xxmem
TMP=${TMPDIR:-/tmp}/xxmem_module_test.$$
PLAN=7

cur_name=
holder=
was_loaded=0
orig_size=

begin() {
	tap_begin "$1"
	unload_xxmem_quiet
}

load() {
	insmod "$KO" "$@" 2>"$TMP/insmod.err"
}

load_err() {
	cat "$TMP/insmod.err" 2>/dev/null
}

# rmmod, retried for a second (the last reference may drop just after exit).
unload_xxmem() {
	unload_mod xxmem "$TMP/rmmod.err" || return 1
	[ "$unload_retries" -gt 0 ] &&
		diag "rmmod xxmem needed $unload_retries retries"
	return 0
}

# unload_after WHAT: xxmem unloads (if loaded) after WHAT, or the test fails
unload_after() {
	is_loaded xxmem || return 0
	unload_xxmem || fail "rmmod after $1: $(cat "$TMP/rmmod.err")"
}

unload_xxmem_quiet() {
	is_loaded xxmem && ! unload_xxmem && diag "cannot unload xxmem: $(cat "$TMP/rmmod.err")"
	return 0
}

stop_holder() {
	if [ -n "$holder" ]; then
		kill "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
		holder=
	fi
}

proc_alive() {
	kill -0 "$1" 2>/dev/null
}

ready_or_dead() {
	[ -e "$TMP/ready" ] || ! proc_alive "$holder"
}

holds_dev_fd() {
	[ "$(readlink "/proc/$1/fd/$2" 2>/dev/null)" = "$DEV" ]
}

cleanup() {
	stop_holder
	xxmem_as_found "$TMP/insmod.err"
	rm -rf "$TMP"
}

# --- setup ------------------------------------------------------------------

[ -n "$KO" ] || skip_all "no $KO_DIR/xxmem.ko and no installed xxmem module"
script_start "$PLAN"
[ -x "$XXMEM_TEST" ] || bail "$XXMEM_TEST not found"
if remember_xxmem; then
	unload_xxmem || bail "xxmem is loaded and busy: $(cat "$TMP/rmmod.err")"
fi

# --- tests ------------------------------------------------------------------

# umem_size 0, garbage, and more than 1G: insmod fails with EINVAL, nothing stays.
t_insmod_bad_umem_size() {
	begin insmod_bad_umem_size
	for v in 0 abc 2G 1025M; do
		if load "umem_size=$v"; then
			fail "insmod umem_size=$v succeeded"
			unload_xxmem_quiet
			continue
		fi
		grep -q "Invalid argument" "$TMP/insmod.err" ||
			fail "umem_size=$v: want EINVAL, got: $(load_err)"
		is_loaded xxmem && fail "xxmem loaded after umem_size=$v"
		[ -e "$DEV" ] && fail "$DEV exists after umem_size=$v"
		unload_xxmem_quiet
	done
	# Control: a good value loads.
	if load umem_size=64K; then
		unload_xxmem || fail "rmmod after umem_size=64K: $(cat "$TMP/rmmod.err")"
	else
		fail "insmod umem_size=64K failed: $(load_err)"
	fi
	end
}

t_dev_node_mode_0600() {
	begin dev_node_mode_0600
	if load; then
		if wait_until 20 [ -c "$DEV" ]; then
			# shellcheck disable=SC2012 # busybox: ls is the portable way
			mode=$(ls -l "$DEV" | cut -c1-10)
			[ "$mode" = "crw-------" ] || fail "$DEV mode $mode, want crw-------"
		else
			fail "$DEV did not appear"
		fi
		unload_xxmem || fail "rmmod: $(cat "$TMP/rmmod.err")"
	else
		fail "insmod: $(load_err)"
	fi
	end
}

# Solaris: a mapping keeps the device open.  The holder closes its fd after
# mmap, so only the mapping holds the module.
t_rmmod_while_mapped_fails() {
	begin rmmod_while_mapped_fails
	if ! load; then
		fail "insmod: $(load_err)"
		end
		return
	fi
	rm -f "$TMP/ready"
	"$XXMEM_TEST" --hold "$TMP/ready" &
	holder=$!
	wait_until 100 ready_or_dead
	if [ ! -e "$TMP/ready" ]; then
		fail "xxmem_test --hold did not get ready"
		stop_holder
	else
		rmmod_refused xxmem mapped
		[ -c "$DEV" ] || fail "$DEV gone while mapped"
		proc_alive "$holder" || fail "the holder died"
		stop_holder
	fi
	unload_after "the mapping is gone"
	end
}

t_rmmod_while_open_fails() {
	begin rmmod_while_open_fails
	if ! load; then
		fail "insmod: $(load_err)"
		end
		return
	fi
	wait_until 20 [ -c "$DEV" ] || fail "$DEV did not appear"
	sleep 600 3<"$DEV" &
	holder=$!
	if ! wait_until 50 holds_dev_fd "$holder" 3; then
		fail "could not hold $DEV open"
		stop_holder
	else
		rmmod_refused xxmem open
		stop_holder
	fi
	unload_after "close"
	end
}

t_insmod_rmmod_50_cycles() {
	begin insmod_rmmod_50_cycles
	i=0
	while [ "$i" -lt 50 ] && [ "$cur_fail" -eq 0 ]; do
		i=$((i + 1))
		if ! load; then
			fail "cycle $i: insmod: $(load_err)"
			break
		fi
		wait_until 20 [ -c "$DEV" ] || fail "cycle $i: $DEV did not appear"
		if [ $((i % 10)) -eq 1 ]; then
			sz=$("$XXMEM_TEST" --region-size 0)
			[ "$sz" = 1048576 ] || fail "cycle $i: region 0 size '$sz', want 1048576"
		fi
		if ! rmmod xxmem 2>"$TMP/rmmod.err"; then
			fail "cycle $i: rmmod: $(cat "$TMP/rmmod.err")"
			break
		fi
		wait_until 20 [ ! -e "$DEV" ] || fail "cycle $i: $DEV did not go away"
	done
	diag "$i cycles"
	end
}

# Sizes take K/M/G and are rounded up to pages (4 KiB pages assumed: x86).
t_umem_size_suffixes() {
	begin umem_size_suffixes
	for pair in 64K:65536 5000:8192 2M:2097152 1:4096; do
		v=${pair%%:*}
		want=${pair#*:}
		if ! load "umem_size=$v"; then
			fail "insmod umem_size=$v: $(load_err)"
			continue
		fi
		got=$("$XXMEM_TEST" --region-size 0)
		[ "$got" = "$want" ] || fail "umem_size=$v: region 0 size '$got', want $want"
		if [ -x "$XXMEMCTL" ]; then
			"$XXMEMCTL" info >"$TMP/info" 2>&1 || fail "xxmemctl info failed"
			grep -q " umem .* $want (" "$TMP/info" ||
				fail "umem_size=$v: xxmemctl info: $(cat "$TMP/info")"
		fi
		unload_xxmem || fail "rmmod: $(cat "$TMP/rmmod.err")"
	done
	end
}

# The tool through the driver: a write shows in our model's view only.
# expect_read CTL SHOWN WHAT: the 5 bytes at 0x1ffe of region 0, read by
# CTL, print as |SHOWN|; else the test fails for WHAT
expect_read() {
	_out=$("$1" read 0 0x1ffe 5 2>&1)
	case $_out in
	*"|$2|"*) ;;
	*) fail "$3: $_out" ;;
	esac
}

t_xxmemctl_roundtrip() {
	skip_unless xxmemctl_roundtrip "xxmemctl or xxmemctl32 not found" \
		all_executable "$XXMEMCTL" "$XXMEMCTL32" || return
	begin xxmemctl_roundtrip
	if ! load; then
		fail "insmod: $(load_err)"
		end
		return
	fi
	out=$("$XXMEMCTL" model 2>&1)
	[ "$out" = 64 ] || fail "xxmemctl model: $out"
	out=$("$XXMEMCTL32" model 2>&1)
	[ "$out" = 32 ] || fail "xxmemctl32 model: $out"
	out=$("$XXMEMCTL" write 0 0x1ffe 48656c6c6f 2>&1) || fail "xxmemctl write: $out"
	expect_read "$XXMEMCTL" Hello "xxmemctl read"
	expect_read "$XXMEMCTL32" ..... "xxmemctl32 sees the LP64 view"
	out=$("$XXMEMCTL32" fill 0 0x1ffe 5 0x41 2>&1) || fail "xxmemctl32 fill: $out"
	expect_read "$XXMEMCTL32" AAAAA "xxmemctl32 read"
	expect_read "$XXMEMCTL" Hello "xxmemctl read after the ILP32 fill"
	if "$XXMEMCTL" read 0 1M 1 2>"$TMP/ctl.err"; then
		fail "xxmemctl read beyond the region succeeded"
	else
		grep -q "No such device or address" "$TMP/ctl.err" ||
			fail "read beyond the region: $(cat "$TMP/ctl.err")"
	fi
	unload_xxmem || fail "rmmod: $(cat "$TMP/rmmod.err")"
	end
}

t_insmod_bad_umem_size
t_dev_node_mode_0600
t_rmmod_while_mapped_fails
t_rmmod_while_open_fails
t_insmod_rmmod_50_cycles
t_umem_size_suffixes
t_xxmemctl_roundtrip

[ "$n" -eq "$PLAN" ] || diag "ran $n tests, planned $PLAN"
diag "module_test: $n tests, $failed failed"
trap - EXIT
cleanup
[ "$failed" -eq 0 ] && [ "$n" -eq "$PLAN" ]
