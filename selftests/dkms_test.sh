#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms_test.sh - in the guest, as root (busybox sh): the modules that dkms
# installed for this kernel load the way a user loads them, and the udev
# rule gives /dev/xxmem to the group xxmem.  TAP version 13 output.
#
# The host (tools/xxmem-check) ran dkms add/build/install against a private
# tree and depmod, and staged /lib/modules/$(uname -r) of that tree as
# XXMEM_DIR/lib/modules.  This script puts it in place, then:
#   modprobe xxmem (one module, no dependency), a write/read smoke test
#   through a mapping, the udev rule applied by busybox mdev (daemon mode, so
#   it reacts to the kernel's uevent as udev would) to a freshly created
#   node, access as a member and a non-member of the group, modprobe -r.
#
# Env: XXMEM_DIR (default /xxmem), XXMEM_VERSION (expected module version).

XXMEM_DIR=${XXMEM_DIR:-/xxmem}
XXMEMCTL=$XXMEM_DIR/bin/xxmemctl
RULES=$XXMEM_DIR/udev/60-xxmem.rules
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
DEV=/dev/xxmem
XXMEM_GID=990
PLAN=8
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/tap_lib.sh
. "$HERE/tap_lib.sh"

# Run a command, its output as diagnostics; its status is the result.
quiet() {
	_out=$("$@" 2>&1)
	_rc=$?
	[ -n "$_out" ] && diag "$_out"
	return $_rc
}

# Translate the udev rule into an mdev.conf line: SUBSYSTEM=="s",
# KERNEL=="glob", GROUP="g", MODE="m"  ->  SUBSYSTEM=s;regex root:g m
rule_to_mdev() {
	sed -n '/^[[:space:]]*#/d; /KERNEL==/p' "$1" | head -n 1 |
		awk -F', *' '{
			for (i = 1; i <= NF; i++) {
				split($i, kv, "=*\"")
				key = kv[1]; val = kv[2]
				gsub(/[[:space:]]/, "", key)
				if (key == "SUBSYSTEM") sub_ = val
				else if (key == "KERNEL") kern = val
				else if (key == "GROUP") grp = val
				else if (key == "MODE") mode = val
			}
			gsub(/\./, "\\.", kern); gsub(/\*/, ".*", kern)
			gsub(/\?/, ".", kern)
			if (kern == "" || grp == "" || mode == "") exit 1
			printf "%s%s root:%s %s\n",
				(sub_ != "" ? "SUBSYSTEM=" sub_ ";" : ""), kern, grp, mode
		}'
}

echo "TAP version 13"
echo "1..$PLAN"
diag "dkms-installed modules for $KVER"

# 1: the installed tree is in place and depmod's index names xxmem.ko,
# with no dependency (the DDI layer is linked in) and no xxddi.ko.
rc=1
if mkdir -p /lib/modules && cp -a "$XXMEM_DIR/lib/modules/$KVER" /lib/modules/ &&
   grep -q '^[^:]*/xxmem\.ko[^:]*:[[:space:]]*$' "$MODDIR/modules.dep" &&
   ! grep -q 'xxddi' "$MODDIR/modules.dep"; then
	rc=0
else
	diag "modules.dep: $(cat "$MODDIR/modules.dep" 2>&1)"
fi
result $rc "modules.dep lists xxmem.ko with no dependency"

# 2: modprobe, as a user loads it: nothing else comes in.  mdev
# watches the uevents from here on, with the rule translated for it.
printf '%s\n' "xxmem:x:$XXMEM_GID:xxuser" >>/etc/group
printf '%s\n' "xxuser:x:1000:1000:xxmem user:/tmp:/bin/sh" >>/etc/passwd
printf '%s\n' "xxuser:x:1000:" >>/etc/group
rc=0
if line=$(rule_to_mdev "$RULES") && [ -n "$line" ]; then
	diag "mdev.conf: $line"
	# Any other device: leave its node alone ("!": no node, no chmod).
	printf '%s\n' "$line" '.* root:root 0600 !' >/etc/mdev.conf
	mdev -d
	sleep 0.2
else
	diag "cannot translate $RULES for mdev"
	rc=1
fi
mdev_rc=$rc
rm -f "$DEV"
rc=1
if quiet modprobe xxmem && [ -d /sys/module/xxmem ] &&
   [ "$(wc -l </proc/modules)" -eq 1 ]; then
	rc=0
else
	diag "loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
fi
result $rc "modprobe xxmem loads xxmem and nothing else"

# 3: the version the kernel reports is the one dkms built.
v=$(cat /sys/module/xxmem/version 2>/dev/null)
diag "xxmem version '$v', expected '${XXMEM_VERSION:-}'"
rc=1
[ -n "$v" ] &&
	{ [ -z "${XXMEM_VERSION:-}" ] || [ "$v" = "$XXMEM_VERSION" ]; } && rc=0
result $rc "module version is the package version"

# 4: smoke test: a write and a read back through a mapping.
rc=1
if quiet "$XXMEMCTL" info &&
   quiet "$XXMEMCTL" write 0 4096 646b6d73 &&
   out=$("$XXMEMCTL" read 0 4096 4 2>&1); then
	diag "$out"
	case $out in
	*"64 6b 6d 73"*) rc=0 ;;
	esac
fi
result $rc "smoke test: write and read back region 0"

# 5: the rule, applied by mdev on the uevent, owns the new node.
rc=1
if [ "$mdev_rc" -eq 0 ]; then
	i=0
	while [ $i -lt 30 ]; do
		st=$(stat -c '%G %a' "$DEV" 2>/dev/null)
		[ "$st" = "xxmem 660" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	diag "$DEV: $(ls -l "$DEV" 2>&1)"
	[ "$st" = "xxmem 660" ] && rc=0
fi
result $rc "udev rule: $DEV is group xxmem, mode 0660"

# 6, 7: a member of the group may use the device, others may not.
rc=1
quiet su -s /bin/sh xxuser -c "$XXMEMCTL read 0 4096 4" && rc=0
result $rc "a member of group xxmem maps $DEV"
rc=1
if su -s /bin/sh nobody -c "$XXMEMCTL info" >/tmp/dkms_test.out 2>&1; then
	diag "$(cat /tmp/dkms_test.out)"
else
	rc=0
fi
result $rc "a user outside group xxmem cannot open $DEV"

# 8: modprobe -r takes it out again.
rc=1
if quiet modprobe -r xxmem && [ ! -d /sys/module/xxmem ]; then
	rc=0
fi
result $rc "modprobe -r xxmem unloads it"

killall mdev 2>/dev/null
diag "dkms_test: $n tests, $failed failed"
[ "$failed" -eq 0 ]
