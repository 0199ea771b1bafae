#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# alone_test.sh - every driver module of the project loads on its own, with
# no other module loaded, and beside the others: the DDI layer is linked
# into each (no xxddi.ko).  TAP version 13 output; runs in the guest as
# root (busybox sh) before anything else is loaded.
#
# Usage: alone_test.sh [DIR]   DIR holds xxmem.ko, bin/xxmemctl and
#                              selftests/drivers/{xxmmap,xxsegmap}.ko (/xxmem)
#
# For each module, alone: insmod succeeds with /proc/modules empty
# before, lists only that module after, its node is a character device, it
# has its own /sys/module/MODULE/parameters/huge_pfnmap and debugfs
# MODULE/ddi_stats (its minor nodes counted), rmmod leaves /proc/modules
# empty and logs no leaked DDI object.  Then all three together, each with
# its own counts, and xxmem's region 0 works (xxmemctl).

DIR=${1:-/xxmem}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/ddi_lib.sh
. "$HERE/ddi_lib.sh"
# shellcheck source=selftests/tap_lib.sh
. "$HERE/tap_lib.sh"
xxmem_paths "$DIR"
MODS="xxmem xxmmap xxsegmap"
PLAN=5


ko_of() {
	case $1 in
	xxmem) echo "$DIR/xxmem.ko" ;;
	*) echo "$DIR/selftests/drivers/$1.ko" ;;
	esac
}

loaded() {
	cut -d' ' -f1 /proc/modules | sort | tr '\n' ' '
}

# check_loaded MODULE: its node, parameter and counts, as a driver of its own
check_loaded() {
	[ -c "/dev/$1" ] || fail "$1: /dev/$1 is not a character device"
	case $(cat "/sys/module/$1/parameters/huge_pfnmap" 2>/dev/null) in
	Y | N) ;;
	*) fail "$1: no /sys/module/$1/parameters/huge_pfnmap" ;;
	esac
	_s=$(ddi_stats "$1")
	if [ ! -r "$_s" ]; then
		fail "$1: no $_s"
	elif ! awk '$1 == "minor_nodes" && $2 >= 1 { ok = 1 } END { exit !ok }' "$_s"; then
		fail "$1: $_s: $(tr '\n' ' ' <"$_s") (want its minor nodes)"
	fi
	ddi_no_mappings "$1" >/dev/null || fail "$1: mappings counted in $_s"
}

# smoke: a byte through a mapping of xxmem's region 0
smoke() {
	xxmemctl_works || fail "xxmem: xxmemctl write/read of region 0 fails"
}

echo "TAP version 13"
echo "1..$PLAN"
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# 1-3: each module alone
for m in $MODS; do
	ko=$(ko_of "$m")
	leaks=$(ddi_leak_reports "$m")
	if [ -n "$(loaded)" ]; then
		fail "modules loaded before: $(loaded)"
	elif [ ! -f "$ko" ]; then
		fail "$ko not found"
	elif ! insmod "$ko"; then
		fail "insmod $ko failed"
	else
		[ "$(loaded)" = "$m " ] ||
			fail "/proc/modules after insmod $m: $(loaded)"
		check_loaded "$m"
		[ "$m" = xxmem ] && smoke
		unload_mod "$m" || fail "rmmod $m failed"
		[ -z "$(loaded)" ] || fail "left after rmmod $m: $(loaded)"
		[ "$(ddi_leak_reports "$m")" = "$leaks" ] ||
			fail "rmmod $m reported leaked DDI objects"
	fi
	end_as "insmod $m.ko alone: /dev/$m, its own huge_pfnmap and ddi_stats; rmmod leaves nothing"
done

# 4-5: all three together, each with its own DDI layer
all_loaded=1
for m in $MODS; do
	if ! insmod "$(ko_of "$m")"; then
		fail "insmod $m beside: $(loaded)"
		all_loaded=0
	fi
done
if [ "$all_loaded" -eq 1 ]; then
	for m in $MODS; do
		check_loaded "$m"
	done
	smoke
fi
end_as "xxmem, xxmmap and xxsegmap loaded together, each with its own node, parameter and counts"

# in the order they were loaded: none depends on another
for m in $MODS; do
	if [ -d "/sys/module/$m" ]; then
		unload_mod "$m" || fail "rmmod $m failed"
	fi
done
[ -z "$(loaded)" ] || fail "left after rmmod of all three: $(loaded)"
dmesg | grep -q 'DDI objects leaked' && fail "leak reports: $(dmesg | grep 'DDI objects leaked' | tr '\n' ' ')"
end_as "the three unload in the order they were loaded and report no leaked DDI object"

diag "alone_test: $n tests, $failed failed"
[ "$failed" -eq 0 ]
