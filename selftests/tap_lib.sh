# SPDX-License-Identifier: GPL-2.0
#
# tap_lib.sh - TAP output and module handling shared by the guest scripts
# (busybox sh; sourced).
#
# TAP: a test is "tap_begin NAME" (or a script's own begin calling it),
# any number of "fail MESSAGE", then "end"; end prints "ok N NAME" or
# "not ok N NAME" and counts the failures in $failed.  "end_as NAME" ends a
# test that had no begin, under NAME; "skip NAME REASON" prints a skipped
# one.  diag prints "# " lines, bail a "Bail out!" and exits.

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

end_as() {
	n=$((n + 1))
	if [ "$cur_fail" -eq 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=$((failed + 1))
	fi
	cur_fail=0
}

end() {
	end_as "$cur_name"
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
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

# unload_mod NAME [ERRFILE]: rmmod NAME, retried for a second (the last
# reference may drop just after a process exits).  rmmod's messages go to
# ERRFILE; without one they are quiet until the last try.  Sets
# unload_retries to the number of failed tries.
unload_mod() {
	unload_retries=0
	while ! rmmod "$1" 2>"${2:-/dev/null}"; do
		unload_retries=$((unload_retries + 1))
		if [ "$unload_retries" -ge 10 ]; then
			[ -n "${2:-}" ] && return 1
			rmmod "$1"
			return
		fi
		sleep 0.1
	done
	return 0
}
