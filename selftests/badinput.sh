#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# badinput.sh - the bad-input table (badinput_test, badinput_test32) in the
# guest (busybox sh): each binary against a freshly loaded xxmem.ko, which
# must unload afterwards.  PCI rows need QEMU's edu / ivshmem-plain (and
# pci-testdev for the I/O BAR row); without them they are skipped.
#
# Environment: XXMEM_DIR (default /xxmem), UMEM_SIZE (default 1M).
# Output: the binaries' TAP, then one TAP line per binary for the unload;
# exit status 0 if everything passed.

XXMEM_DIR=${XXMEM_DIR:-/xxmem}
ST=$XXMEM_DIR/selftests
UMEM_SIZE=${UMEM_SIZE:-1M}
failed=0

say() {
	echo "# badinput.sh: $*"
}

grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

for t in badinput_test badinput_test32; do
	if [ ! -x "$ST/$t" ]; then
		echo "not ok - badinput: $ST/$t not found"
		failed=$((failed + 1))
		continue
	fi
	if [ -d /sys/module/xxmem ] && ! rmmod xxmem; then
		echo "not ok - badinput: $t: xxmem is loaded and busy"
		failed=$((failed + 1))
		continue
	fi
	if ! insmod "$XXMEM_DIR/xxmem.ko" "umem_size=$UMEM_SIZE"; then
		echo "not ok - badinput: $t: insmod xxmem.ko failed"
		failed=$((failed + 1))
		continue
	fi
	modes=$(for n in /dev/xxmem*; do [ -e "$n" ] && echo "$n $(stat -c %a "$n")"; done)
	say "suite $t"
	"$ST/$t"
	rc=$?
	say "$t exit status $rc"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
	# the nodes have their modes back (the unprivileged rows make them 0666)
	echo "$modes" | while read -r n m; do
		[ -e "$n" ] || continue
		now=$(stat -c %a "$n")
		[ "$now" = "$m" ] ||
			echo "not ok - badinput: $t: $n left with mode $now (was $m)"
	done | grep . && failed=$((failed + 1))

	i=0
	while ! rmmod xxmem 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge 20 ] && break
		sleep 0.1
	done
	if [ -d /sys/module/xxmem ]; then
		echo "not ok - badinput: $t: rmmod xxmem afterwards: $(rmmod xxmem 2>&1)"
		failed=$((failed + 1))
	else
		echo "ok - badinput: $t: rmmod xxmem afterwards"
	fi
done

say "failed=$failed"
[ "$failed" -eq 0 ]
