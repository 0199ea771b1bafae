#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_guest.sh - run every xxmem selftest suite inside the guest (busybox sh).
#
# Guest layout (XXMEM_DIR, default /xxmem):
#   xxddi.ko xxmem.ko bin/xxmemctl bin/xxmemctl32
#   selftests/{xxmem_test,xxmem_test32,module_test.sh,run_guest.sh}
#
# Each kselftest binary gets a freshly loaded xxmem.ko (umem_size=$UMEM_SIZE,
# default 1M), so its memory reads zero; its TAP output passes straight through.
# module_test.sh runs last.  The final line is
#   # run_guest: suites=<n> failed=<m>
# and the exit status is non-zero if any suite failed.

XXMEM_DIR=${XXMEM_DIR:-/xxmem}
ST=$XXMEM_DIR/selftests
KO=$XXMEM_DIR/xxmem.ko
UMEM_SIZE=${UMEM_SIZE:-1M}

suites=0
failed=0

say() {
	echo "# run_guest: $*"
}

# /sys/module/NAME exists exactly while the (loadable) module is loaded.
is_loaded() {
	[ -d "/sys/module/$1" ]
}

# rmmod, retried for a second (the last reference may drop just after exit).
unload_xxmem() {
	_i=0
	while ! rmmod xxmem; do
		_i=$((_i + 1))
		[ "$_i" -ge 10 ] && return 1
		sleep 0.1
	done
	return 0
}

finish() {
	say "suites=$suites failed=$failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

if ! is_loaded xxddi && ! insmod "$XXMEM_DIR/xxddi.ko"; then
	echo "not ok - run_guest: insmod $XXMEM_DIR/xxddi.ko failed"
	suites=1
	failed=1
	finish
fi

for t in xxmem_test xxmem_test32; do
	case $t in
	xxmem_test)	peer=xxmem_test32 ;;
	*)		peer=xxmem_test ;;
	esac
	suites=$((suites + 1))
	say "suite $t, umem_size=$UMEM_SIZE"

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
	XXMEM_UMEM_SIZE=$UMEM_SIZE
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

finish
