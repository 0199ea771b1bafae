#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fault_inject.sh - allocation failures in every xxmem path, in the guest of
# the sanitizer lane (tools/xxmem-sanitize; needs CONFIG_FAILSLAB,
# CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS).
#
# For each operation below, the N-th fallible slab or page allocation made by
# the calling thread fails, for N = 1, 2, ... until the operation makes fewer
# than N of them (bin/fault_nth arms /proc/thread-self/fail-nth just before
# the system call, so only that call's allocations count):
#   insmod xxmem.ko (loader and init), insmod of the test driver
#   xxsegmap.ko (its own copy of the DDI layer), open /dev/xxmem,
#   mmap, the refault after MADV_DONTNEED, ioctl REGION_INFO, mmap of
#   ivshmem's BAR 2 (when xxmem has bound one), and the PCI
#   probe (bind through sysfs) of the first function bound to xxmem, when
#   QEMU gave the guest one (edu, ivshmem-plain).
# Every outcome must be clean: success or an errno, never SIGBUS, wrong data
# or a half-loaded module (a failed insmod leaves neither the module nor
# /dev/xxmem behind; a successful one gives a working device that unloads),
# and the kernel log must show no BUG/WARNING/Oops/KASAN/UBSAN/lockdep report.
# xxmem-sanitize runs its kmemleak check afterwards.
#
# The kernel prints a stack dump for every failed page allocation (that is
# expected here), so the console level is lowered to errors while this
# runs (warnings and the dumps stay in the kernel log) and the kernel log
# is checked here, after each attempt.
#
# Prints one TAP line per operation.  Environment: XXMEM_DIR (default
# /xxmem), FI_UMEM_SIZE (bytes per data-model view, default 16384: small, so
# that the module's own allocations are not drowned in page allocations),
# FI_MAX (give up a sweep after this many attempts, default 3000), FI_STEP
# (fail every STEP-th allocation only, N = 1, 1 + STEP, ...; default 1: each
# attempt costs about half a second under TCG, a full run about 1000).

XXMEM_DIR=${XXMEM_DIR:-/xxmem}
NTH=$XXMEM_DIR/bin/fault_nth
SEGMAP=$XXMEM_DIR/selftests/drivers/xxsegmap.ko
DBG=/sys/kernel/debug
DEV=/dev/xxmem
UMEM=${FI_UMEM_SIZE:-16384}
MAX=${FI_MAX:-3000}
STEP=${FI_STEP:-1}
# What xxmem-guest treats as a kernel problem, minus "Call Trace" (every
# failed page allocation dumps its stack).  (The driver's own
# cmn_err(CE_WARN) lines say "warning:", which is not one.)
LOG_BAD='BUG:|WARNING:|Oops|KASAN|general protection|UBSAN|kernel BUG|Kernel panic'
# shellcheck source=selftests/tap_lib.sh
. "$XXMEM_DIR/selftests/tap_lib.sh"
xxmem_paths "$XXMEM_DIR"
printk_saved=

say() {
	diag "fault_inject: $*"
}

# Kernel messages since the last call; fail if one is a problem report.
# Shell patterns first: an exec per attempt less, and this runs hundreds
# of times under TCG.
klog_clean() {
	_k=$(dmesg -c 2>/dev/null)
	case $_k in
	*BUG:* | *WARNING:* | *Oops* | *KASAN* | *"general protection"* | \
	*UBSAN* | *"kernel BUG"* | *"Kernel panic"*) ;;
	*) return 0 ;;
	esac
	printf '%s\n' "$_k" >/tmp/fi.dmesg
	grep -E "$LOG_BAD" /tmp/fi.dmesg >/dev/null || return 0
	echo "kernel log after $1:" >>/tmp/fi.detail
	grep -E -A 12 "$LOG_BAD" /tmp/fi.dmesg | head -n 40 >>/tmp/fi.detail
	return 1
}

# rmmod if loaded, retried (references drop just after a process exits).
unload() {
	unload_loaded "$1" /dev/null
}

# The device works: a page of region 0 mapped, written and read back, with
# nothing armed (one exec; xxmemctl checks it once more after each sweep).
dev_works() {
	[ -c "$DEV" ] && "$NTH" 0 mmap "$DEV" 4096 >/dev/null 2>&1
}

# Checks after one attempt; $1 is the module, $2 fault_nth's result.
post_load() {
	if [ "$2" = ok ]; then
		if [ "$1" = xxmem ] && ! dev_works; then
			echo "loaded, but /dev/xxmem does not work" >>/tmp/fi.detail
			return 1
		fi
		unload "$1" && return 0
		echo "loaded, but rmmod $1 fails" >>/tmp/fi.detail
		return 1
	fi
	if [ -d "/sys/module/$1" ]; then
		echo "insmod failed ($2), but $1 is loaded" >>/tmp/fi.detail
		return 1
	fi
	if [ "$1" = xxmem ] && [ -e "$DEV" ]; then
		echo "insmod failed ($2), but $DEV exists" >>/tmp/fi.detail
		return 1
	fi
	return 0
}
post_load_xxsegmap() { post_load xxsegmap "$1"; }
post_load_xxmem() { post_load xxmem "$1"; }

post_dev() {
	dev_works && return 0
	echo "after $1: /dev/xxmem does not work" >>/tmp/fi.detail
	return 1
}

# After a sweep that leaves xxmem loaded: the device works for xxmemctl.
after_sweep() {
	[ -d /sys/module/xxmem ] || return 0
	xxmemctl_works && return 0
	echo "after the sweep: xxmemctl write/read fails" >>/tmp/fi.detail
	return 1
}

# After a bind attempt of $PCI_BDF: bound and unbindable, or not bound.
post_bind() {
	if [ "$1" = ok ]; then
		if [ ! -e "$PCI_DRV/$PCI_BDF" ]; then
			echo "bind succeeded, but $PCI_BDF is not bound" >>/tmp/fi.detail
			return 1
		fi
		echo "$PCI_BDF" >"$PCI_DRV/unbind" 2>/dev/null && return 0
		echo "bound, but unbind $PCI_BDF fails" >>/tmp/fi.detail
		return 1
	fi
	[ -e "$PCI_DRV/$PCI_BDF" ] || return 0
	echo "bind failed ($1), but $PCI_BDF is bound" >>/tmp/fi.detail
	return 1
}

# sweep NAME POSTCHECK FAULT_NTH_ARGS...
sweep() {
	_name=$1
	_post=$2
	shift 2
	_n=1
	_tries=0
	_bad=0
	_tally=
	: >/tmp/fi.detail
	while :; do
		if [ "$_n" -gt "$MAX" ]; then
			echo "more than $MAX allocations: gave up" >>/tmp/fi.detail
			_bad=$((_bad + 1))
			break
		fi
		_out=$("$NTH" "$_n" "$@" 2>&1)
		_rc=$?
		case $_out in
		fired=1\ *) _fired=1 ;;
		fired=0\ *) _fired=0 ;;
		*) _fired=x ;;
		esac
		_res=${_out#*result=}
		_res=${_res%% *}
		if [ "$_rc" -ne 0 ] || [ "$_fired" = x ]; then
			echo "N=$_n: $_out (exit status $_rc)" >>/tmp/fi.detail
			_bad=$((_bad + 1))
		fi
		$_post "$_res" || _bad=$((_bad + 1))
		klog_clean "N=$_n" || _bad=$((_bad + 1))
		[ "$_fired" = 1 ] || break
		_tally="$_tally $_res"
		_tries=$((_tries + 1))
		_n=$((_n + STEP))
		# Stop at the first few problems; they repeat.
		[ "$_bad" -ge 5 ] && break
	done
	after_sweep || _bad=$((_bad + 1))
	_tally=$(echo "$_tally" | tr ' ' '\n' | grep . | sort | uniq -c |
		awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
	if [ "$_bad" -eq 0 ] && [ "$_tries" -eq 0 ]; then
		report 0 "fault injection: $_name: makes no allocation that can fail, works"
	elif [ "$_bad" -eq 0 ]; then
		report 0 "fault injection: $_name: $_tries allocations failed in turn, all clean (${_tally:-none})"
	else
		report 1 "fault injection: $_name: $_bad problem(s) (N=1..$_n; ${_tally:-none})"
		sed 's/^/# /' /tmp/fi.detail | head -n 80
	fi
}

setup() {
	for d in failslab fail_page_alloc; do
		if [ ! -d "$DBG/$d" ]; then
			report 1 "fault injection: $DBG/$d is missing"
			exit 1
		fi
		# fail-nth alone decides; no random failures anywhere else.
		echo 0 >"$DBG/$d/probability"
		echo 0 >"$DBG/$d/verbose"
		# GFP_KERNEL allocations are the ones that matter.
		echo N >"$DBG/$d/ignore-gfp-wait"
	done
	echo 0 >"$DBG/fail_page_alloc/min-order"
	for f in "$NTH" "$XXMEMCTL" "$SEGMAP" "$XXMEM_DIR/xxmem.ko"; do
		if [ ! -e "$f" ]; then
			report 1 "fault injection: $f is missing"
			exit 1
		fi
	done
	printk_saved=$(cat /proc/sys/kernel/printk)
	echo 4 >/proc/sys/kernel/printk
	unload xxmem
	unload xxsegmap
	unload xxmmap
	dmesg -c >/dev/null
}

cleanup() {
	[ -n "$printk_saved" ] && echo "$printk_saved" >/proc/sys/kernel/printk
}

setup
say "umem_size=$UMEM FI_STEP=$STEP"

# A driver module of its own (xxmem is not loaded): every failure of its
# load unwinds its DDI layer too (a leaked DDI object WARNs).
sweep "insmod xxsegmap.ko" post_load_xxsegmap load "$SEGMAP"

sweep "insmod xxmem.ko umem_size=$UMEM" post_load_xxmem \
	load "$XXMEM_DIR/xxmem.ko" "umem_size=$UMEM"
if insmod "$XXMEM_DIR/xxmem.ko" "umem_size=$UMEM"; then
	sweep "open $DEV" post_dev open "$DEV"
	sweep "mmap $DEV ($UMEM bytes)" post_dev mmap "$DEV" "$UMEM"
	sweep "refault after MADV_DONTNEED" post_dev fault "$DEV" "$UMEM"
	sweep "ioctl REGION_INFO" post_dev info "$DEV"
	PCI_DRV=/sys/bus/pci/drivers/xxmem
	# A BAR mapping (devmap_devmem_setup, its register mapping):
	# 64 KiB of ivshmem's BAR 2 between the host's and the guest's
	# round-trip patterns.
	IVS_NODE=
	for _l in "$PCI_DRV"/0000:*; do
		[ "$(cat "$_l/vendor" 2>/dev/null)" = 0x1af4 ] &&
			[ "$(cat "$_l/device" 2>/dev/null)" = 0x1110 ] &&
			for _m in "$_l"/misc/*; do
				[ -e "$_m" ] && IVS_NODE=/dev/${_m##*/}
			done
	done
	if [ -z "$IVS_NODE" ]; then
		report_skip "fault injection: mmap of a BAR" "no ivshmem function bound to xxmem"
	else
		sweep "mmap $IVS_NODE BAR 2 (64 KiB)" post_dev \
			mmap "$IVS_NODE" 65536 2 0x40000
	fi
	PCI_BDF=
	for _l in "$PCI_DRV"/0000:*; do
		[ -e "$_l" ] && PCI_BDF=${_l##*/} && break
	done
	if [ -z "$PCI_BDF" ]; then
		report_skip "fault injection: PCI probe" "no PCI function bound to xxmem"
	elif echo "$PCI_BDF" >"$PCI_DRV/unbind"; then
		sweep "PCI probe of $PCI_BDF" post_bind \
			write "$PCI_DRV/bind" "$PCI_BDF"
		echo "$PCI_BDF" >"$PCI_DRV/bind" ||
			say "cannot bind $PCI_BDF again"
	else
		report 1 "fault injection: PCI probe: cannot unbind $PCI_BDF"
	fi
	unload xxmem
	report $? "fault injection: rmmod xxmem afterwards"
else
	report 1 "fault injection: insmod xxmem.ko without injection"
fi

cleanup
say "failed=$failed"
[ "$failed" -eq 0 ]
