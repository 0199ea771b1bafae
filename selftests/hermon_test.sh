#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hermon_test.sh - the hermon-style test driver (drivers/xxhermon.ko) in the
# guest: loads it, gives it QEMU's edu function through driver_override
# (taken from xxmem if that has it; the UAR tests skip without edu), runs
# hermon_test and hermon_test32, then gives edu back, unloads xxhermon and
# checks that the unload left no DDI object behind.  TAP; busybox sh, root.
#
# Usage: hermon_test.sh [XXMEM_DIR]     (default /xxmem: selftests/ and
#                                         selftests/drivers/ below it)

XXMEM_DIR=${1:-${XXMEM_DIR:-/xxmem}}
ST=$XXMEM_DIR/selftests
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/tap_lib.sh
. "$HERE/tap_lib.sh"
PCI=/sys/bus/pci/devices
EDU=0x1234:0x11e8

edu_bdf=
edu_driver=

# The first edu function, into edu_bdf; its driver's name into edu_driver.
find_edu() {
	for d in "$PCI"/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "$EDU" ] || continue
		edu_bdf=${d##*/}
		if [ -e "$d/driver" ]; then
			edu_driver=$(basename "$(readlink "$d/driver")")
		fi
		return 0
	done
	return 1
}

# Bind edu_bdf to driver $1 ("" for none) through driver_override.
bind_edu() {
	if [ -e "$PCI/$edu_bdf/driver" ]; then
		echo "$edu_bdf" >"$PCI/$edu_bdf/driver/unbind" || return 1
	fi
	echo "$1" >"$PCI/$edu_bdf/driver_override"
	[ -n "$1" ] || return 0
	echo "$edu_bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ -e "/sys/bus/pci/drivers/$1/$edu_bdf" ]
}

uar_node() {
	ls /dev/xxhermon[1-9]* >/dev/null 2>&1
}

echo "TAP version 13"
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

tap_begin "insmod xxhermon.ko"
if is_loaded xxhermon && ! unload_mod xxhermon; then
	fail "xxhermon is loaded and cannot be unloaded"
fi
insmod "$ST/drivers/xxhermon.ko" || bail "insmod $ST/drivers/xxhermon.ko failed"
end

if find_edu; then
	tap_begin "edu $edu_bdf to xxhermon (from ${edu_driver:-no driver})"
	if bind_edu xxhermon && wait_until 50 uar_node; then
		diag "UAR node: $(ls /dev/xxhermon[1-9]*)"
	else
		fail "edu did not bind to xxhermon"
	fi
	end
else
	skip "edu to xxhermon" "no edu function: the UAR tests skip"
fi

for t in hermon_test hermon_test32; do
	tap_begin "$t"
	if [ -x "$ST/$t" ]; then
		"$ST/$t" || fail "$t failed"
	else
		fail "$ST/$t not found"
	fi
	end
done

if [ -n "$edu_bdf" ]; then
	tap_begin "edu $edu_bdf back to ${edu_driver:-no driver}"
	bind_edu "$edu_driver" || fail "edu did not go back"
	echo >"$PCI/$edu_bdf/driver_override"
	end
fi

# The unload with a region still locked by a live process (which closed
# the node): detach unlocks it, the pins go, the process' exit calls
# nothing.
name="rmmod xxhermon with a region locked: pins go, no DDI object left"
tmp=${TMPDIR:-/tmp}/hermon_test.$$
mkdir -p "$tmp"
mkfifo "$tmp/in"
"$ST/hermon_test" --hold-locked <"$tmp/in" >"$tmp/out" 2>&1 &
holder=$!
exec 3>"$tmp/in"
wait_until 50 grep -q -e '^locked' -e '^no-callbacks' "$tmp/out"
if grep -q '^no-callbacks' "$tmp/out"; then
	exec 3>&-
	wait "$holder"
	unload_mod xxhermon "$tmp/rmmod.err" ||
		diag "rmmod xxhermon: $(cat "$tmp/rmmod.err")"
	skip "$name" "no CONFIG_MMU_NOTIFIER in this kernel: umem_lockmemory takes no cleanup callback"
elif ! grep -q '^locked' "$tmp/out"; then
	exec 3>&-
	kill "$holder" 2>/dev/null
	wait "$holder"
	tap_begin "$name"
	fail "the holder did not lock: $(cat "$tmp/out")"
	end
else
	tap_begin "$name"
	mark=$(dmesg | wc -l)
	unload_mod xxhermon "$tmp/rmmod.err" ||
		fail "rmmod: $(cat "$tmp/rmmod.err")"
	echo go >&3
	exec 3>&-
	wait "$holder" || fail "holder status $?: $(cat "$tmp/out")"
	diag "$(cat "$tmp/out")"
	if dmesg | tail -n +"$((mark + 1))" | grep -q 'DDI objects leaked'; then
		fail "$(dmesg | tail -n +"$((mark + 1))" | grep 'DDI objects leaked')"
	fi
	end
fi
rm -rf "$tmp"

echo "# hermon_test.sh: $n tests, $failed failed"
[ "$failed" -eq 0 ]
