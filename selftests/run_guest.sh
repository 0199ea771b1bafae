#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_guest.sh - run every xxmem selftest suite inside the guest (busybox sh).
#
# Guest layout (XXMEM_DIR, default /xxmem):
#   xxmem.ko bin/xxmemctl bin/xxmemctl32
#   selftests/{xxmem_test,xxmem_test32,module_test.sh,run_guest.sh}
#   selftests/{devmap_test,devmap_test32,alone_test.sh,ddi_lib.sh}
#   selftests/drivers/{xxmmap.ko,xxsegmap.ko}
#   zfs/order zfs/*.ko (optional: OpenZFS' modules, tools/xxmem-zfs)
#
# First, with nothing loaded, alone_test.sh: each driver module loads on
# its own and beside the others.  Then, if zfs/ is staged, OpenZFS' spl.ko
# and zfs.ko (and the kernel modules they need) are loaded in zfs/order and
# stay loaded for every other suite: spl.ko exports Solaris names
# (cmn_err, ddi_copyin, ddi_copyout) that xxmem's DDI layer has too.
#
# Each kselftest binary gets a freshly loaded xxmem.ko, so its memory reads
# zero: umem_size=$UMEM_SIZE (default 1M), except for xxmem_test and
# xxmem_test32, which get $UMEM_SIZE_XXMEM (default 4M: mappings of whole
# 2 MiB blocks, PMD entries where the kernel has huge PFN maps).  TAP output
# passes straight through.
# module_test.sh runs after the xxmem_test suites; then the test drivers
# (xxmmap.ko, xxsegmap.ko) are loaded for devmap_test and devmap_test32, and
# everything this script loaded is unloaded again, each driver after a
# check that none of its mappings is counted any more and followed by one
# that its unload reported no leaked DDI object.  The final line is
#   # run_guest: suites=<n> failed=<m>
# and the exit status is non-zero if any suite failed.

XXMEM_DIR=${XXMEM_DIR:-/xxmem}
ST=$XXMEM_DIR/selftests
KO=$XXMEM_DIR/xxmem.ko
DRV=$ST/drivers
UMEM_SIZE=${UMEM_SIZE:-1M}
UMEM_SIZE_XXMEM=${UMEM_SIZE_XXMEM:-4M}

suites=0
failed=0
zfs_mods=
huge_pfnmap=
# shellcheck source=selftests/ddi_lib.sh
. "$ST/ddi_lib.sh"
# shellcheck source=selftests/tap_lib.sh
. "$ST/tap_lib.sh"

say() {
	echo "# run_guest: $*"
}

# rmmod, retried for a second (the last reference may drop just after exit).
unload_xxmem() {
	unload_mod xxmem
}

finish() {
	say "suites=$suites failed=$failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# --- each module alone, then OpenZFS ------------------------------------------
suites=$((suites + 1))
say "suite alone_test.sh"
sh "$ST/alone_test.sh" "$XXMEM_DIR"
rc=$?
say "alone_test.sh exit status $rc"
[ "$rc" -eq 0 ] || failed=$((failed + 1))

if [ -f "$XXMEM_DIR/zfs/order" ]; then
	suites=$((suites + 1))
	zfs_ok=1
	while read -r ko; do
		if insmod "$XXMEM_DIR/zfs/$ko"; then
			zfs_mods="${ko%%.ko*} $zfs_mods"
		else
			echo "not ok - run_guest: insmod zfs/$ko failed"
			zfs_ok=0
			break
		fi
	done <"$XXMEM_DIR/zfs/order"
	if [ "$zfs_ok" -eq 1 ] && is_loaded spl && is_loaded zfs &&
	   grep -Eq ' [Tt] cmn_err[[:space:]]+\[spl\]$' /proc/kallsyms &&
	   grep -Eq ' [Tt] ddi_copyin[[:space:]]+\[spl\]$' /proc/kallsyms; then
		echo "ok - run_guest: OpenZFS loaded first: $(tr '\n' ' ' <"$XXMEM_DIR/zfs/order")(spl has cmn_err, ddi_copyin, ...)"
	else
		[ "$zfs_ok" -eq 1 ] &&
			echo "not ok - run_guest: OpenZFS loaded, spl exporting cmn_err and ddi_copyin"
		failed=$((failed + 1))
	fi
fi

for t in xxmem_test xxmem_test32; do
	case $t in
	xxmem_test)	peer=xxmem_test32 ;;
	*)		peer=xxmem_test ;;
	esac
	usize=$UMEM_SIZE_XXMEM
	suites=$((suites + 1))
	say "suite $t, umem_size=$usize"

	if [ ! -x "$ST/$t" ]; then
		echo "not ok - run_guest: $ST/$t not found"
		failed=$((failed + 1))
		continue
	fi
	if is_loaded xxmem && ! unload_xxmem; then
		echo "not ok - run_guest: $t: xxmem is loaded and cannot be unloaded"
		failed=$((failed + 1))
		continue
	fi
	if ! insmod "$KO" "umem_size=$usize"; then
		echo "not ok - run_guest: $t: insmod $KO umem_size=$usize failed"
		failed=$((failed + 1))
		continue
	fi
	huge_pfnmap=$(cat /sys/module/xxmem/parameters/huge_pfnmap)
	# The host knows what the build's feature tests must have found: a
	# module without PMD entries on a kernel that has them would only
	# skip the 64M stress run below.
	if [ -n "${XXMEM_EXPECT_HUGE_PFNMAP:-}" ] && [ "$t" = xxmem_test ]; then
		if [ "$huge_pfnmap" = "$XXMEM_EXPECT_HUGE_PFNMAP" ]; then
			echo "ok - run_guest: the loaded xxmem's huge_pfnmap is $huge_pfnmap, as expected for this kernel"
		else
			echo "not ok - run_guest: the loaded xxmem's huge_pfnmap is $huge_pfnmap, expected $XXMEM_EXPECT_HUGE_PFNMAP"
			failed=$((failed + 1))
		fi
	fi

	if [ -x "$ST/$peer" ]; then
		XXMEM_PEER=$ST/$peer
		export XXMEM_PEER
	else
		say "$ST/$peer not found: the cross-model test will skip"
		unset XXMEM_PEER
	fi
	XXMEM_UMEM_SIZE=$usize
	export XXMEM_UMEM_SIZE
	"$ST/$t"
	rc=$?
	say "$t exit status $rc"

	if ! unload_xxmem; then
		echo "not ok - run_guest: $t: rmmod xxmem after the suite failed"
		rc=1
	fi
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done
unset XXMEM_PEER XXMEM_UMEM_SIZE

suites=$((suites + 1))
say "suite module_test.sh"
sh "$ST/module_test.sh" "$XXMEM_DIR"
rc=$?
say "module_test.sh exit status $rc"
[ "$rc" -eq 0 ] || failed=$((failed + 1))

# --- devmap_test: regions 1-3 of xxmem and the test drivers ------------------

# The callback trace lives in debugfs.
if ! grep -q ' /sys/kernel/debug debugfs ' /proc/mounts; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
		say "cannot mount debugfs: the trace tests will fail"
fi

drivers=
for d in xxmmap xxsegmap; do
	if [ ! -f "$DRV/$d.ko" ]; then
		say "$DRV/$d.ko not found: its tests will skip"
		continue
	fi
	if is_loaded "$d" && ! unload_mod "$d"; then
		echo "not ok - run_guest: $d is loaded and cannot be unloaded"
		failed=$((failed + 1))
		continue
	fi
	if insmod "$DRV/$d.ko"; then
		drivers="$d $drivers"
	else
		echo "not ok - run_guest: insmod $DRV/$d.ko failed"
		failed=$((failed + 1))
	fi
done

for t in devmap_test devmap_test32; do
	case $t in
	devmap_test)	peer=devmap_test32 ;;
	*)		peer=devmap_test ;;
	esac
	suites=$((suites + 1))
	say "suite $t, umem_size=$UMEM_SIZE, drivers:${drivers:- none}"

	if [ ! -x "$ST/$t" ]; then
		echo "not ok - run_guest: $ST/$t not found"
		failed=$((failed + 1))
		continue
	fi
	if is_loaded xxmem && ! unload_xxmem; then
		echo "not ok - run_guest: $t: xxmem is loaded and cannot be unloaded"
		failed=$((failed + 1))
		continue
	fi
	if ! insmod "$KO" "umem_size=$UMEM_SIZE"; then
		echo "not ok - run_guest: $t: insmod $KO umem_size=$UMEM_SIZE failed"
		failed=$((failed + 1))
		continue
	fi

	if [ -x "$ST/$peer" ]; then
		XXMEM_PEER=$ST/$peer
		export XXMEM_PEER
	else
		say "$ST/$peer not found: the cross-model test will skip"
		unset XXMEM_PEER
	fi
	"$ST/$t"
	rc=$?
	say "$t exit status $rc"

	if ! unload_xxmem; then
		echo "not ok - run_guest: $t: rmmod xxmem after the suite failed"
		rc=1
	fi
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done
unset XXMEM_PEER

# --- pci_test: the PCI instances (QEMU edu, ivshmem-plain) ------------------
# pci_test and pci_test32 each against a freshly loaded xxmem (their tests
# skip without the devices); then pci_test.sh (sysfs nodes, PAT, unbind and
# rebind, rmmod while mapped), which loads what it needs and leaves xxmem
# as it found it.
for t in pci_test pci_test32; do
	suites=$((suites + 1))
	say "suite $t"
	if [ ! -x "$ST/$t" ]; then
		echo "not ok - run_guest: $ST/$t not found"
		failed=$((failed + 1))
		continue
	fi
	if is_loaded xxmem && ! unload_xxmem; then
		echo "not ok - run_guest: $t: xxmem is loaded and cannot be unloaded"
		failed=$((failed + 1))
		continue
	fi
	if ! insmod "$KO" "umem_size=$UMEM_SIZE"; then
		echo "not ok - run_guest: $t: insmod $KO umem_size=$UMEM_SIZE failed"
		failed=$((failed + 1))
		continue
	fi
	"$ST/$t"
	rc=$?
	say "$t exit status $rc"
	if ! unload_xxmem; then
		echo "not ok - run_guest: $t: rmmod xxmem after the suite failed"
		rc=1
	fi
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done

suites=$((suites + 1))
say "suite pci_test.sh"
if [ -f "$ST/pci_test.sh" ]; then
	PCI_TEST=$ST/pci_test sh "$ST/pci_test.sh" "$XXMEM_DIR"
	rc=$?
	say "pci_test.sh exit status $rc"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
else
	echo "not ok - run_guest: $ST/pci_test.sh not found"
	failed=$((failed + 1))
fi

# --- the bad-input table and the randomized stress ----------------------------
# badinput.sh and stress.sh load and unload xxmem.ko themselves (freshly,
# umem_size=$UMEM_SIZE) and check that rmmod works afterwards; their PCI
# parts need QEMU's edu / ivshmem-plain (and pci-testdev for the I/O BAR
# row), else they are skipped.  Where xxmem maps 2 MiB blocks with PMD
# entries, the stress runs again with slices of region 0 large enough
# (umem_size=64M: about 5 MiB per thread) for mappings of whole blocks: PFN
# maps under random splits, moves, forks and madvise.
runs="badinput.sh:$UMEM_SIZE stress.sh:$UMEM_SIZE"
if [ "$huge_pfnmap" = Y ]; then
	runs="$runs stress.sh:64M"
fi
for r in $runs; do
	s=${r%%:*}
	usize=${r#*:}
	suites=$((suites + 1))
	say "suite $s, umem_size=$usize"
	if [ ! -f "$ST/$s" ]; then
		echo "not ok - run_guest: $ST/$s not found"
		failed=$((failed + 1))
		continue
	fi
	if is_loaded xxmem && ! unload_xxmem; then
		echo "not ok - run_guest: $s: xxmem is loaded and cannot be unloaded"
		failed=$((failed + 1))
		continue
	fi
	UMEM_SIZE=$usize XXMEM_DIR=$XXMEM_DIR sh "$ST/$s"
	rc=$?
	say "$s (umem_size=$usize) exit status $rc"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done

# Unload what this script loaded: each test driver once nothing of it is
# mapped any more (its own DDI counts: no devmap handle, segment or VMA);
# its unload then must report no leaked DDI object.
for d in $drivers; do
	if counts=$(ddi_no_mappings "$d"); then
		echo "ok - run_guest: $d: no mapping left after the suites: $counts"
	else
		echo "not ok - run_guest: $d: mappings left after the suites: $counts"
		failed=$((failed + 1))
	fi
	if ! unload_mod "$d"; then
		echo "not ok - run_guest: rmmod $d failed"
		failed=$((failed + 1))
	fi
done
if is_loaded xxmem && ! unload_xxmem; then
	echo "not ok - run_guest: rmmod xxmem after the suites failed"
	failed=$((failed + 1))
fi

# Every driver module checks at its unload (mod_remove) that all its DDI
# live-object counts (devmap handles, segments, VMAs, umem cookies and
# pages, register mappings, minor nodes) are zero, else it logs them and
# WARNs: no unload of the whole run may have done so.
if dmesg | grep -q 'DDI objects leaked'; then
	echo "not ok - run_guest: DDI objects leaked at an unload: $(dmesg | grep 'DDI objects leaked' | head -n 8 | tr '\n' ' ')"
	failed=$((failed + 1))
else
	echo "ok - run_guest: no unload of xxmem or a test driver left a DDI object behind"
fi

# OpenZFS last, in reverse load order.
if [ -n "$zfs_mods" ]; then
	zfs_left=
	for m in $zfs_mods; do
		unload_mod "$m" || zfs_left="$zfs_left $m"
	done
	if [ -z "$zfs_left" ]; then
		echo "ok - run_guest: OpenZFS unloads after the suites ($zfs_mods)"
	else
		echo "not ok - run_guest: OpenZFS modules left loaded:$zfs_left"
		failed=$((failed + 1))
	fi
fi

finish
