#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pci_test.sh - the PCI instances of xxmem as the system sees them: the
# nodes in sysfs, the PAT memory type of BAR mappings, unbinding while
# mapped (revocation), rebinding, rmmod while mapped, I/O BARs, xxmemctl
# peek32/poke32, 1 GiB PUD entries in a huge BAR.  TAP version 13; runs in the guest as root (busybox sh)
# with QEMU's edu and ivshmem-plain devices (tests skip without them).
#
# Usage: pci_test.sh [KO_DIR]     KO_DIR holds xxmem.ko (/xxmem; else the
#                                 installed module is loaded)
# Env:   PCI_TEST    the pci_test binary for the helper modes (default: next
#                    to this script)
#        XXMEMCTL, XXMEMCTL32  (default: KO_DIR/bin/xxmemctl, xxmemctl32)
#        PCI_TESTS   run only these tests (names, space separated); the
#                    others are reported as skipped
#
# xxmem is left loaded or unloaded as it was found, and every
# function this script unbinds is bound again.

KO_DIR=${1:-/xxmem}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/tap_lib.sh
. "$HERE/tap_lib.sh"
xxmem_paths "$KO_DIR"
PCI_TEST=${PCI_TEST:-$HERE/pci_test}
PCI=/sys/bus/pci/devices
DRV=/sys/bus/pci/drivers/xxmem
PAT=$PAT_LIST
TMP=${TMPDIR:-/tmp}/xxmem_pci_test.$$
PLAN=11

# edu: 0x010000ed in its ID register; the letters "xxme" of the host
# pattern at the start of ivshmem's BAR 2, read as a little-endian word.
EDU_ID=0x010000ed
IVS_HOST_WORD=0x656d7878

# A dmesg line with one of these is a kernel problem (as xxmem-guest sees it).
LOG_BAD='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|Call trace|x86/PAT: .*(freeing invalid|conflicting|failed)|bad p[mu4g]d'

cur_name=
holder=
was_loaded=0
orig_size=
log_mark=0
edu_bdf=
ivs_bdf=
override_bdf=

begin() {
	tap_begin "$1"
	log_mark=$(dmesg | wc -l)
}

# Kernel log lines since begin() that show a problem; fail the test if any.
log_clean() {
	dmesg | tail -n +"$((log_mark + 1))" >"$TMP/dmesg"
	if grep -Eq "$LOG_BAD" "$TMP/dmesg"; then
		fail "kernel log:"
		grep -E -A 12 "$LOG_BAD" "$TMP/dmesg" | head -n 40 | sed 's/^/# /'
	fi
}

load_xxmem() {
	load_as_found "$TMP/insmod.err"
}

unload_xxmem() {
	unload_mod xxmem "$TMP/rmmod.err"
}

# There is an edu or an ivshmem function.
has_pci() {
	[ -n "$edu_bdf$ivs_bdf" ]
}

# each_node FUNC: FUNC BDF NODE for each function (edu, ivshmem); one
# without a node fails the current test
each_node() {
	for _bdf in $edu_bdf $ivs_bdf; do
		if _node=$(pci_node "$_bdf"); then
			"$1" "$_bdf" "$_node"
		else
			fail "$_bdf has no node"
		fi
	done
}

# bar_of BDF: the region the tests map of it (ivshmem's BAR 2, edu's 0)
bar_of() {
	if [ "$1" = "$ivs_bdf" ] || [ "$1" = "$huge_bdf" ]; then
		echo 2
	else
		echo 0
	fi
}

# pci_begin NAME: test NAME begins, or is skipped without a PCI function
pci_begin() {
	skip_unless "$1" "no edu or ivshmem device" has_pci || return 1
	begin "$1"
}

has_node() {
	_nd=$(pci_node "$1") && [ -c "$_nd" ]
}

no_node() {
	! pci_node "$1" >/dev/null && ! [ -e "$2" ]
}

bound_to_xxmem() {
	[ "$(readlink -f "$PCI/$1/driver" 2>/dev/null)" = "$(readlink -f "$DRV")" ]
}

unbind() {
	echo "$1" >"$DRV/unbind" 2>"$TMP/bind.err"
}

bind() {
	echo "$1" >"$DRV/bind" 2>"$TMP/bind.err" && wait_until 50 has_node "$1"
}

# BAR I of BDF: "START END FLAGS" (hex, as in sysfs).
bar_line() {
	sed -n "$(($2 + 1))p" "$PCI/$1/resource"
}

proc_alive() {
	kill -0 "$1" 2>/dev/null
}

ready_or_dead() {
	[ -e "$TMP/ready" ] || ! proc_alive "$holder"
}

# start_holder MODE ARGS...: pci_test MODE ARGS... READYFILE in the
# background, its output in $TMP/holder.out; false if it did not get ready.
start_holder() {
	rm -f "$TMP/ready"
	"$PCI_TEST" "$@" "$TMP/ready" >"$TMP/holder.out" 2>&1 &
	holder=$!
	wait_until 100 ready_or_dead
	[ -e "$TMP/ready" ] && proc_alive "$holder"
}

# hold WHAT MODE ARGS...: start_holder MODE ARGS...; if it does not get
# ready, the current test fails for WHAT and the holder is stopped.
hold() {
	_what=$1
	shift
	start_holder "$@" && return 0
	fail "$_what: holder: $(cat "$TMP/holder.out")"
	stop_holder
	return 1
}

# unbind_held BDF WHILE: unbind BDF while the holder maps or holds it open;
# if that fails, the current test fails and the holder is stopped.
unbind_held() {
	unbind "$1" && return 0
	fail "unbind $1 while $2: $(cat "$TMP/bind.err")"
	stop_holder
	return 1
}

# Has the holder ended (a zombie or gone)?  A process stuck in a kernel
# that oopsed on its way out never does, and wait(1) would hang for good.
holder_done() {
	_s=$(sed 's/.*) //' "/proc/$holder/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$_s" ] || [ "$_s" = Z ]
}

# Reap the holder if it ends within 10 s; its wait status goes to $st
# (255 if it did not end: it is left behind).
reap_holder() {
	if wait_until 100 holder_done; then
		wait "$holder" 2>/dev/null
		st=$?
	else
		st=255
		diag "process $holder did not end (state $(sed 's/.*) //' "/proc/$holder/stat" | cut -d' ' -f1)): see the kernel log"
	fi
	holder=
}

stop_holder() {
	if [ -n "$holder" ]; then
		kill "$holder" 2>/dev/null
		reap_holder
	fi
}

# Signal the holder to act and wait for it; its wait status goes to $st.
poke_holder() {
	kill -USR1 "$holder"
	reap_holder
}

# Bind every function this script knows back to xxmem.
rebind_all() {
	is_loaded xxmem || return 0
	for _b in $edu_bdf $ivs_bdf $huge_bdf; do
		bound_to_xxmem "$_b" && continue
		bind "$_b" || diag "cannot rebind $_b: $(cat "$TMP/bind.err")"
	done
}

cleanup() {
	stop_holder
	if [ -n "$override_bdf" ]; then
		[ -e "$DRV/$override_bdf" ] && echo "$override_bdf" >"$DRV/unbind"
		echo >"$PCI/$override_bdf/driver_override"
	fi
	if [ "$was_loaded" -eq 1 ]; then
		is_loaded xxmem || load_xxmem ||
			diag "cannot reload xxmem: $(cat "$TMP/insmod.err")"
		rebind_all
	elif is_loaded xxmem; then
		unload_xxmem || diag "cannot unload xxmem: $(cat "$TMP/rmmod.err")"
	fi
	rm -rf "$TMP"
}

# --- setup ------------------------------------------------------------------

script_start "$PLAN"
[ -x "$PCI_TEST" ] || bail "$PCI_TEST not found"
if ! remember_xxmem; then
	[ -n "$KO" ] || bail "no $KO_DIR/xxmem.ko and no installed xxmem module"
	load_xxmem || bail "insmod xxmem.ko: $(cat "$TMP/insmod.err")"
fi
if ! grep -q ' /sys/kernel/debug debugfs ' /proc/mounts; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi

edu_bdf=$(pci_find 0x1234 0x11e8)
ivs_bdf=$(pci_find 0x1af4 0x1110)
# the ivshmem function whose BAR 2 is 1 GiB or more (xxmem-lib.sh's second)
huge_bdf=
for d in "$PCI"/*; do
	if [ "$(cat "$d/vendor")" != 0x1af4 ] ||
	   [ "$(cat "$d/device")" != 0x1110 ]; then
		continue
	fi
	# shellcheck disable=SC2046 # split the resource line
	set -- $(bar_line "${d##*/}" 2)
	[ $(($2 - $1 + 1)) -ge $((1 << 30)) ] && huge_bdf=${d##*/} && break
done
diag "edu: ${edu_bdf:-absent}, ivshmem: ${ivs_bdf:-absent}, 1 GiB ivshmem: ${huge_bdf:-absent}"
for b in $edu_bdf $ivs_bdf $huge_bdf; do
	wait_until 50 has_node "$b" || diag "$b has no xxmem node"
done

# --- tests ------------------------------------------------------------------

# Each bound function has one node, /dev/xxmemN (N >= 1, numbered from 1 in
# probe order), whose parent is the PCI device.
t_node_under_pci_device_in_sysfs() {
	pci_begin node_under_pci_device_in_sysfs || return
	nums=
	for b in $edu_bdf $ivs_bdf; do
		bound_to_xxmem "$b" || fail "$b is not bound to xxmem"
		set -- "$PCI/$b"/misc/xxmem*
		if [ "$#" -ne 1 ] || [ ! -e "$1" ]; then
			fail "$b: misc nodes: $*"
			continue
		fi
		name=${1##*/}
		num=${name#xxmem}
		case $num in
		'' | *[!0-9]* | 0) fail "$b: node name $name"; continue ;;
		esac
		nums="$nums $num"
		dev=/dev/$name
		[ -c "$dev" ] || { fail "$dev is not a character device"; continue; }
		# busybox stat: %t/%T are the major/minor in hex
		want=$(cat "$PCI/$b/misc/$name/dev")
		got=$(stat -c '%t %T' "$dev")
		got="$(printf '%d:%d' "0x${got% *}" "0x${got#* }")"
		[ "$want" = "$got" ] || fail "$dev is $got, sysfs says $want"
		[ "$(readlink -f "/sys/class/misc/$name/device")" = \
		  "$(readlink -f "$PCI/$b")" ] ||
			fail "/sys/class/misc/$name/device -> $(readlink -f "/sys/class/misc/$name/device")"
		# shellcheck disable=SC2012 # busybox: ls is the portable way
		mode=$(ls -l "$dev" | cut -c1-10)
		[ "$mode" = "crw-------" ] || fail "$dev mode $mode, want crw-------"
		diag "$b -> $dev ($got)"
	done
	# The PCI instances are 1..k: every function bound to xxmem has one.
	k=0
	for l in "$DRV"/0000:*; do
		[ -e "$l" ] && k=$((k + 1))
	done
	i=1
	while [ "$i" -le "$k" ]; do
		found=0
		for l in "$DRV"/0000:*; do
			[ -e "$l/misc/xxmem$i" ] && found=1
		done
		[ "$found" -eq 1 ] || fail "no function has xxmem$i ($k bound)"
		i=$((i + 1))
	done
	[ -c /dev/xxmem ] || fail "/dev/xxmem (instance 0) is missing"
	end
}

# Count the PAT entries of exactly [START, END) with TYPE ("" = any type).
pat_count() {
	_r=$(printf '[mem 0x%016x-0x%016x]' "$1" "$2")
	if [ -n "$3" ]; then
		grep -cF "$_r $3" "$PAT"
	else
		grep -cF "$_r" "$PAT"
	fi
}

# pat_counts START END TYPE: "ALL OFTYPE", the PAT entries of exactly
# [START, END), all and of TYPE
pat_counts() {
	echo "$(pat_count "$1" "$2" "") $(pat_count "$1" "$2" "$3")"
}

# pat_show START: the PAT entries that begin at START, as diagnostics
pat_show() {
	grep -F "$(printf '[mem 0x%016x-' "$1")" "$PAT" | sed 's/^/# /'
}

# pat_fresh_bind BDF START END: BDF unbound (nothing of xxmem's in the
# PAT), then bound afresh; sets unbound (the PAT entries of exactly
# [START, END) while unbound) and dev (BDF's new node)
pat_fresh_bind() {
	unbind "$1" || { fail "unbind $1: $(cat "$TMP/bind.err")"; return 1; }
	unbound=$(pat_count "$2" "$3" "")
	bind "$1" || { fail "bind $1: $(cat "$TMP/bind.err")"; return 1; }
	dev=$(pci_node "$1")
}

# pat_unbind_released BDF START END: unbinding BDF leaves the PAT entries
# of exactly [START, END) as pat_fresh_bind found them unbound; BDF is
# bound again
pat_unbind_released() {
	if ! unbind "$1"; then
		fail "unbind $1: $(cat "$TMP/bind.err")"
	elif [ "$(pat_count "$2" "$3" "")" -ne "$unbound" ]; then
		fail "$1: $(pat_count "$2" "$3" "") PAT entries of [$(printf '0x%x-0x%x' "$2" "$3")] after unbind, $unbound unbound before"
	fi
	bind "$1" || fail "bind $1: $(cat "$TMP/bind.err")"
}

# Region I of BDF, from a fresh binding: while a process maps it, the PAT
# has one more entry for the whole BAR, of the type the region's cache mode
# says; after munmap xxmem keeps that entry for the next mapping, which
# shares it (still one more while mapped and after); unbinding the function
# releases it.
pat_check_region() {
	_b=$1 _i=$2
	_dev=$(pci_node "$_b") || { fail "$_b has no node"; return; }
	info=$("$PCI_TEST" --region-info "$_dev" "$_i") ||
		{ fail "--region-info $_dev $_i failed"; return; }
	size=$(echo "$info" | sed -n 's/.*size=\([0-9]*\).*/\1/p')
	cache=$(echo "$info" | sed -n 's/.*cache=\([A-Z]*\).*/\1/p')
	[ "${size:-0}" -gt 0 ] || return 0
	case $cache in
	UC) type=uncached-minus ;;
	WC) type=write-combining ;;
	*) fail "$_dev region $_i: cache $cache"; return ;;
	esac
	# shellcheck disable=SC2046 # split the resource line into $1 $2 $3
	set -- $(bar_line "$_b" "$_i")
	start=$(($1))
	end=$((start + size))
	pat_fresh_bind "$_b" "$start" "$end" || return
	_dev=$dev
	# bound afresh: the driver's own entries
	# shellcheck disable=SC2046 # "ALL OFTYPE" into $1 $2
	set -- $(pat_counts "$start" "$end" "$type")
	want="$(($1 + 1)) $(($2 + 1))"
	for _when in "while mapped" "while mapped again"; do
		hold "$_dev region $_i" --hold "$_dev" "$_i" || return
		got=$(pat_counts "$start" "$end" "$type")
		diag "$_dev bar$_i [$(printf '0x%x-0x%x' "$start" "$end")] $cache: $got entries (all, $type) $_when, $1 $2 bound before the first mapping"
		[ "$got" = "$want" ] || {
			fail "$_dev bar$_i: $got PAT entries (all, $type) $_when, want $want:"
			pat_show "$start"
		}
		stop_holder
		wait_until 20 [ "$(pat_counts "$start" "$end" "$type")" = "$want" ] ||
			fail "$_dev bar$_i: $(pat_counts "$start" "$end" "$type") PAT entries (all, $type) after munmap, want $want (kept for the next mapping)"
	done
	pat_unbind_released "$_b" "$start" "$end"
}

t_pat_memtype_matches_region_cache() {
	skip_unless pat_memtype_matches_region_cache "no edu or ivshmem device" has_pci || return
	skip_unless pat_memtype_matches_region_cache "$(pat_absent)" [ -r "$PAT" ] || return
	begin pat_memtype_matches_region_cache
	for _bdf in $edu_bdf $ivs_bdf; do
		for _reg in 0 1 2 3 4 5; do
			pat_check_region "$_bdf" "$_reg"
		done
	done
	log_clean
	end
}

# A BAR mapping splits like any mapping: after munmap of its first page,
# mprotect of a middle page and munmap of a hole every piece still maps its
# own registers (pci_test --split-unmap), and once all pieces are gone the
# PAT holds no more entries at the BAR's start than before (xxmem's kept
# reservation of the BAR, made by a first mapping, is one of them; the
# kernel logs no "x86/PAT: ... freeing invalid memtype"); without a PAT
# (arm64) the split alone.
t_bar_mapping_split_pat_released() {
	skip_unless bar_mapping_split_pat_released "no edu or ivshmem device" has_pci || return
	begin bar_mapping_split_pat_released
	each_node split_pat_released
	log_clean
	end
}

# split_pat_released BDF NODE: the split mappings of its BAR (ivshmem's
# BAR 2, edu's BAR 0), and the PAT after them
split_pat_released() {
	b=$1
	dev=$2
	r=$(bar_of "$b")
	# shellcheck disable=SC2046 # split the resource line
	set -- $(bar_line "$b" "$r")
	start=$(($1))
	prefix=$(printf '[mem 0x%016x-' "$start")
	# one mapping first: the BAR's reservation is then kept (counted before)
	out=$("$PCI_TEST" --map-errno "$dev" "$r" 0 4096 2>&1)
	[ "$out" = ok ] || fail "$dev region $r: a first mapping: $out"
	[ ! -r "$PAT" ] || before=$(grep -cF "$prefix" "$PAT")
	out=$("$PCI_TEST" --split-unmap "$dev" "$r" 2>&1)
	[ "$out" = ok ] || fail "$dev region $r: $out"
	if [ ! -r "$PAT" ]; then
		diag "$dev bar$r: split mappings checked, not the PAT: $(pat_absent)"
		return
	fi
	after=$(grep -cF "$prefix" "$PAT")
	if [ "$after" -ne "$before" ]; then
		fail "$dev bar$r: $after PAT entries at the BAR's start after the split mappings are gone, $before before:"
		pat_show "$start"
	fi
}

# A kept reservation gives way to the other cache mode: after a
# write-combining mapping of ivshmem's BAR 2 is gone (its reservation kept),
# a mapping made with bar_uncached=Y is uncached: its PAT entry for the BAR
# is uncached-minus and the write-combining one is gone; unbinding releases
# what is left.
t_kept_memtype_yields_to_other_cache() {
	_t=kept_memtype_yields_to_other_cache
	skip_unless $_t "no ivshmem device" [ -n "$ivs_bdf" ] || return
	skip_unless $_t "$(pat_absent)" [ -r "$PAT" ] || return
	begin $_t
	b=$ivs_bdf
	size=$("$PCI_TEST" --region-info "$(pci_node "$b")" 2 | sed -n 's/.*size=\([0-9]*\).*/\1/p')
	# shellcheck disable=SC2046 # split the resource line into $1 $2 $3
	set -- $(bar_line "$b" 2)
	start=$(($1))
	end=$((start + ${size:-0}))
	if ! pat_fresh_bind "$b" "$start" "$end"; then
		end
		return
	fi
	uc0=$(pat_count "$start" "$end" uncached-minus)
	out=$("$PCI_TEST" --map-errno "$dev" 2 0 4096 2>&1)
	[ "$out" = ok ] || fail "$dev region 2: $out"
	[ "$(pat_count "$start" "$end" write-combining)" -eq 1 ] ||
		fail "$dev bar2: no write-combining entry kept after munmap"
	echo Y >/sys/module/xxmem/parameters/bar_uncached
	info=$("$PCI_TEST" --region-info "$dev" 2)
	case $info in
	*cache=UC*) ;;
	*) fail "$dev region 2 with bar_uncached=Y: $info" ;;
	esac
	if hold "$dev region 2 uncached" --hold "$dev" 2; then
		got="$(pat_count "$start" "$end" write-combining) $(pat_count "$start" "$end" uncached-minus)"
		diag "$dev bar2 mapped with bar_uncached=Y: $got entries (write-combining, uncached-minus), 0 $uc0 before"
		[ "$got" = "0 $((uc0 + 1))" ] || {
			fail "$dev bar2: $got PAT entries (write-combining, uncached-minus) while mapped uncached, want 0 $((uc0 + 1)):"
			pat_show "$start"
		}
		stop_holder
	fi
	echo N >/sys/module/xxmem/parameters/bar_uncached
	pat_unbind_released "$b" "$start" "$end"
	log_clean
	end
}

# xxmemctl peek32/poke32 reach edu's registers, from both data models.
t_xxmemctl_peek_poke_edu_registers() {
	skip_unless xxmemctl_peek_poke_edu_registers "no edu device" \
		[ -n "$edu_bdf" ] || return
	skip_unless xxmemctl_peek_poke_edu_registers \
		"xxmemctl or xxmemctl32 not found" all_executable "$XXMEMCTL" "$XXMEMCTL32" || return
	begin xxmemctl_peek_poke_edu_registers
	dev=$(pci_node "$edu_bdf")
	for ctl in "$XXMEMCTL" "$XXMEMCTL32"; do
		out=$("$ctl" -d "$dev" peek32 0 0 2>&1)
		[ "$out" = "$EDU_ID" ] || fail "${ctl##*/} peek32 0 0: $out"
		out=$("$ctl" -d "$dev" poke32 0 4 0x0f0f1234 2>&1) ||
			fail "${ctl##*/} poke32 0 4: $out"
		out=$("$ctl" -d "$dev" peek32 0 0x4 2>&1)
		[ "$out" = 0xf0f0edcb ] || fail "${ctl##*/} peek32 0 4 after poke32 0x0f0f1234: $out"
		"$ctl" -d "$dev" peek32 0 2 >/dev/null 2>&1
		[ $? -eq 2 ] || fail "${ctl##*/} peek32 at an unaligned offset: not a usage error"
		if "$ctl" -d "$dev" peek32 0 1M 2>"$TMP/ctl.err"; then
			fail "${ctl##*/} peek32 past the BAR succeeded"
		else
			grep -q "No such device or address" "$TMP/ctl.err" ||
				fail "peek32 past the BAR: $(cat "$TMP/ctl.err")"
		fi
	done
	if [ -n "$ivs_bdf" ]; then
		out=$("$XXMEMCTL" -d "$(pci_node "$ivs_bdf")" peek32 2 0 2>&1)
		[ "$out" = "$IVS_HOST_WORD" ] ||
			fail "xxmemctl peek32 2 0 of ivshmem: $out (host pattern: $IVS_HOST_WORD)"
	fi
	end
}

# An I/O-port BAR is region of size 0 that cannot be mapped: bind a function
# that has one and no driver to xxmem through driver_override.
t_io_bar_is_enxio() {
	iob=
	for d in "$PCI"/*; do
		[ -e "$d/driver" ] && continue
		[ -e "$d/driver_override" ] || continue
		case $(cat "$d/class") in 0x0600*) continue ;; esac	# bridges
		while read -r _ _ f; do
			[ $((f & 0x100)) -ne 0 ] && iob=${d##*/}
		done <"$d/resource"
		[ -n "$iob" ] && break
	done
	if [ -z "$iob" ]; then
		skip io_bar_is_enxio "no unbound function with an I/O BAR"
		return
	fi
	begin io_bar_is_enxio
	override_bdf=$iob
	echo xxmem >"$PCI/$iob/driver_override"
	echo "$iob" >/sys/bus/pci/drivers_probe 2>/dev/null
	if ! wait_until 50 has_node "$iob"; then
		fail "$iob did not bind to xxmem through driver_override"
	else
		dev=$(pci_node "$iob")
		diag "$iob -> $dev"
		i=0
		tested=0
		while [ "$i" -lt 6 ]; do
			# shellcheck disable=SC2046 # split the resource line
			set -- $(bar_line "$iob" "$i")
			if [ $(($3 & 0x100)) -ne 0 ]; then
				tested=$((tested + 1))
				info=$("$PCI_TEST" --region-info "$dev" "$i")
				case $info in
				"size=0 "*"maxprot=0x0 "*) ;;
				*) fail "$dev I/O bar$i: $info" ;;
				esac
				out=$("$PCI_TEST" --map-errno "$dev" "$i" 0 4096)
				[ "$out" = ENXIO ] || fail "mmap of I/O bar$i: $out, want ENXIO"
			fi
			i=$((i + 1))
		done
		[ "$tested" -gt 0 ] || fail "no I/O BAR tested"
		unbind "$iob" || fail "unbind $iob: $(cat "$TMP/bind.err")"
	fi
	echo >"$PCI/$iob/driver_override"
	override_bdf=
	log_clean
	end
}

# Unbind while a process maps a BAR: the node goes, the process lives on,
# and its next access is SIGBUS (128 + 7 from wait); the kernel log stays
# clean.
t_unbind_while_mapped_child_gets_sigbus() {
	pci_begin unbind_while_mapped_child_gets_sigbus || return
	each_node unbind_while_mapped
	sleep 0.2
	log_clean
	end
}

# unbind_while_mapped BDF NODE: a holder maps its BAR; unbind, touch, rebind
unbind_while_mapped() {
	r=$(bar_of "$1")
	hold "$2 region $r" --hold "$2" "$r" || return
	unbind_held "$1" mapped || return
	wait_until 50 no_node "$1" "$2" || fail "$2 still there after unbind"
	proc_alive "$holder" || fail "the holder died at unbind"
	poke_holder
	if [ "$st" -ne 135 ]; then
		fail "$2 region $r: holder's touch after unbind: status $st, want 135 (SIGBUS): $(cat "$TMP/holder.out")"
	else
		diag "$2 region $r: touch after unbind: SIGBUS"
	fi
	bind "$1" || fail "rebind $1: $(cat "$TMP/bind.err")"
}

# An fd opened before the unbind gets ENODEV for ioctl and mmap.
t_open_fd_after_unbind_gets_enodev() {
	pci_begin open_fd_after_unbind_gets_enodev || return
	each_node unbind_while_open
	log_clean
	end
}

# unbind_while_open BDF NODE: a holder has NODE open; unbind, use, rebind
unbind_while_open() {
	hold "$2" --hold-open "$2" || return
	unbind_held "$1" open || return
	wait_until 50 no_node "$1" "$2" || fail "$2 still there after unbind"
	poke_holder
	out=$(cat "$TMP/holder.out")
	diag "$2 after unbind: $out"
	case $out in
	"ioctl=ENODEV mmap=ENODEV "*) ;;
	*) fail "$2 open across unbind: $out (exit $st), want ioctl=ENODEV mmap=ENODEV" ;;
	esac
	[ -e "$2" ] && fail "$2 can still be opened"
	bind "$1" || fail "rebind $1: $(cat "$TMP/bind.err")"
}

# Unbind and bind again: a new node appears under the function and maps.
t_rebind_and_map_again() {
	pci_begin rebind_and_map_again || return
	for b in $edu_bdf $ivs_bdf; do
		old=$(pci_node "$b") || { fail "$b has no node"; continue; }
		if ! unbind "$b"; then
			fail "unbind $b: $(cat "$TMP/bind.err")"
			continue
		fi
		wait_until 50 no_node "$b" "$old" || fail "$old still there after unbind"
		bound_to_xxmem "$b" && fail "$b still bound after unbind"
		if ! bind "$b"; then
			fail "bind $b: $(cat "$TMP/bind.err")"
			continue
		fi
		new=$(pci_node "$b")
		diag "$b: $old -> unbind -> bind -> $new"
		if [ "$b" = "$edu_bdf" ]; then
			out=$("$PCI_TEST" --peek32 "$new" 0 0 2>&1)
			[ "$out" = "$EDU_ID" ] || fail "$new: edu ID after rebind: $out"
		else
			out=$("$PCI_TEST" --peek32 "$new" 2 0 2>&1)
			[ "$out" = "$IVS_HOST_WORD" ] ||
				fail "$new: BAR2 word 0 after rebind: $out, want $IVS_HOST_WORD"
		fi
		# and again, while an old mapping of the same device is revoked
		if start_holder --hold "$new" 0; then
			unbind "$b" || fail "unbind $b: $(cat "$TMP/bind.err")"
			bind "$b" || fail "bind $b: $(cat "$TMP/bind.err")"
			new2=$(pci_node "$b")
			out=$("$PCI_TEST" --map-errno "$new2" 0 0 4096 2>&1)
			[ "$out" = ok ] || fail "$new2: map after the second rebind: $out"
			poke_holder
			[ "$st" -eq 135 ] || fail "old mapping after rebind: status $st, want 135 (SIGBUS)"
		else
			fail "$new: holder: $(cat "$TMP/holder.out")"
			stop_holder
		fi
	done
	log_clean
	end
}

# rmmod fails while a PCI node is mapped (only the mapping holds it: the
# holder closed its fd) and succeeds after munmap and close.
t_rmmod_while_pci_mapped_fails_then_succeeds() {
	pci_begin rmmod_while_pci_mapped_fails_then_succeeds || return
	b=${edu_bdf:-$ivs_bdf}
	dev=$(pci_node "$b")
	if hold "$dev" --hold "$dev" 0; then
		rmmod_refused xxmem "$dev was mapped"
		[ -c "$dev" ] || fail "$dev gone after the failed rmmod"
		bound_to_xxmem "$b" || fail "$b unbound by the failed rmmod"
		poke_holder
		out=$(cat "$TMP/holder.out")
		[ "$st" -eq 0 ] || fail "the mapping after the failed rmmod: status $st: $out"
		if [ "$b" = "$edu_bdf" ]; then
			[ "$out" = "touched $EDU_ID" ] || fail "holder read: $out"
		fi
		if unload_xxmem; then
			is_loaded xxmem && fail "xxmem still loaded"
			[ -e "$dev" ] && fail "$dev still there after rmmod"
		else
			fail "rmmod after munmap and close: $(cat "$TMP/rmmod.err")"
		fi
	fi
	if ! is_loaded xxmem; then
		load_xxmem || fail "insmod: $(cat "$TMP/insmod.err")"
		for b in $edu_bdf $ivs_bdf; do
			wait_until 50 has_node "$b" || fail "$b: no node after insmod"
		done
	fi
	log_clean
	end
}

# A 1 GiB BAR (the second ivshmem's BAR 2) maps with one PUD entry per GiB
# where xxmem has them (huge_pfnmap_pud=Y): a store in every 2 MiB of a
# 1 GiB mapping takes at most one minor fault, at a 1 GiB-aligned address;
# else with PMD entries (one fault per 2 MiB), or, without huge PFN maps,
# prefaulted at mmap (none).  Each store reads back through a one-page
# mapping, and through the mapping moved to an address whose GiB pages do
# not line up with the BAR's (no "bad pud" in the kernel log).  With the huge entries: the split mappings (munmap of the first
# page, mprotect of one, munmap of a hole) still map their own memory and
# leave no PAT entry, and an unbind while mapped revokes them (SIGBUS).
t_huge_bar_pud_entries() {
	skip_unless huge_bar_pud_entries "no ivshmem function with a 1 GiB BAR 2" \
		[ -n "$huge_bdf" ] || return
	begin huge_bar_pud_entries
	pud=$(cat /sys/module/xxmem/parameters/huge_pfnmap_pud)
	pmd=$(cat /sys/module/xxmem/parameters/huge_pfnmap)
	if ! dev=$(pci_node "$huge_bdf"); then
		fail "$huge_bdf has no node"
		end
		return
	fi
	out=$("$PCI_TEST" --huge "$dev" 2 2>&1)
	diag "$dev region 2, 1 GiB: $out (huge_pfnmap=$pmd huge_pfnmap_pud=$pud)"
	faults=$(echo "$out" | sed -n 's/^faults=\([0-9]*\) .*/\1/p')
	case $out in
	"faults="*" ok") ;;
	*) fail "$dev: 1 GiB map, store and read back: $out" ;;
	esac
	if [ -z "$faults" ]; then
		:
	elif [ "$pud" = Y ]; then
		[ "$faults" -le 1 ] ||
			fail "$dev: $faults minor faults for 1 GiB, want at most 1 (a PUD entry)"
		case $out in
		*" aligned=1 "*) ;;
		*) fail "$dev: the 1 GiB mapping is not 1 GiB-aligned: $out" ;;
		esac
	elif [ "$pmd" = Y ]; then
		diag "no PUD entries in this kernel's PFN maps (Linux 6.12 on x86_64 has them): PMD entries, at most one fault per 2 MiB"
		[ "$faults" -le 512 ] ||
			fail "$dev: $faults minor faults for 1 GiB, want at most 512 (PMD entries)"
	else
		diag "no huge PFN maps in this kernel (before Linux 6.12): prefaulted at mmap, no fault"
		[ "$faults" -eq 0 ] ||
			fail "$dev: $faults minor faults after mmap, want 0 (prefaulted)"
	fi
	split_pat_released "$huge_bdf" "$dev"
	unbind_while_mapped "$huge_bdf" "$dev"
	log_clean
	end
}

run() {
	case " ${PCI_TESTS:-$1} " in
	*" $1 "*) "t_$1" ;;
	*) skip "$1" "not in PCI_TESTS" ;;
	esac
}

run node_under_pci_device_in_sysfs
run pat_memtype_matches_region_cache
run bar_mapping_split_pat_released
run kept_memtype_yields_to_other_cache
run xxmemctl_peek_poke_edu_registers
run io_bar_is_enxio
run unbind_while_mapped_child_gets_sigbus
run open_fd_after_unbind_gets_enodev
run rebind_and_map_again
run rmmod_while_pci_mapped_fails_then_succeeds
run huge_bar_pud_entries

[ "$n" -eq "$PLAN" ] || diag "ran $n tests, planned $PLAN"
diag "pci_test.sh: $n tests, $failed failed"
trap - EXIT
cleanup
[ "$failed" -eq 0 ] && [ "$n" -eq "$PLAN" ]
