#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make run` shows, inside the guest: load xxmem, print the
# region table, and let a 64-bit and a 32-bit process each write and read
# their data model's view of region 0.  With QEMU's edu and ivshmem-plain
# devices (bound to xxmem as /dev/xxmem1, /dev/xxmem2, ...): read edu's ID
# register through a user mapping of BAR 0, and the ivshmem round trip -
# read what the host wrote at offset 0 of BAR 2, write the guest pattern at
# 0x80000 for the host to check after power-off (tools/xxmem-ivshmem).
set -e
cd /xxmem
# shellcheck source=selftests/tap_lib.sh
. selftests/tap_lib.sh

say() {
	printf '\n== %s\n' "$*"
}

hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

say "insmod xxmem.ko umem_size=64K"
insmod xxmem.ko umem_size=64K
ls -l /dev/xxmem

say "xxmemctl info (a 64-bit process)"
xxmemctl info
say "xxmemctl32 info (a 32-bit process)"
xxmemctl32 info

say "a 64-bit process writes region 0 through its mapping"
xxmemctl write 0 0 "$(hex 'hello from an LP64 process')"
say "a 32-bit process writes region 0 through its mapping"
xxmemctl32 write 0 0 "$(hex 'hello from an ILP32 process')"

say "the LP64 view (read by another 64-bit process)"
xxmemctl read 0 0 64
say "the ILP32 view (read by another 32-bit process)"
xxmemctl32 read 0 0 64

# The /dev/xxmemN of the first PCI function VENDOR DEVICE, if xxmem has it.
xxmem_node() {
	_bdf=$(pci_find "$1" "$2") && pci_node "$_bdf"
}

# The guest pattern of tools/xxmem-ivshmem (4096 bytes, 64 lines of 64).
guest_pattern() {
	k=0
	for l in a b c d e f g h i j k l m n o p q r s t u v w x y z \
		 a b c d e f g h i j k l m n o p q r s t u v w x y z \
		 a b c d e f g h i j k l; do
		line=$(printf 'xxmem-ivshmem guest line %02d ' "$k")
		while [ "${#line}" -lt 63 ]; do
			line=$line$l
		done
		printf '%s\n' "$line"
		k=$((k + 1))
	done
}

if [ -e /dev/xxmem1 ]; then
	ls -l /dev/xxmem[0-9]*
	edu=$(xxmem_node 0x1234 0x11e8) || edu=
	ivs=$(xxmem_node 0x1af4 0x1110) || ivs=
	if [ -n "$edu" ]; then
		say "QEMU edu is $edu (under $(readlink -f "/sys/class/misc/${edu#/dev/}/device")): its BARs"
		xxmemctl -d "$edu" info
		say "edu's ID register (BAR 0 + 0), read through a user mapping"
		printf 'by a 64-bit process: %s\n' "$(xxmemctl -d "$edu" peek32 0 0)"
		printf 'by a 32-bit process: %s\n' "$(xxmemctl32 -d "$edu" peek32 0 0)"
		say "edu's liveness register (BAR 0 + 4) returns the inverse of what was written"
		xxmemctl -d "$edu" poke32 0 4 0x12345678
		printf 'poke32 0x12345678, peek32: %s\n' "$(xxmemctl -d "$edu" peek32 0 4)"
	fi
	if [ -n "$ivs" ]; then
		say "ivshmem is $ivs: BAR 2 is a host file, mapped write-combining"
		xxmemctl -d "$ivs" info
		say "what the host wrote at BAR 2 + 0 (tools/xxmem-ivshmem prepare)"
		xxmemctl -d "$ivs" read 2 0 128
		say "the guest writes its pattern at BAR 2 + 0x80000 (the host checks it after power-off)"
		xxmemctl -d "$ivs" write 2 0x80000 "$(guest_pattern | od -An -v -tx1 | tr -d ' \n')"
		xxmemctl32 -d "$ivs" read 2 0x80000 128
	fi
fi

say "rmmod"
rmmod xxmem
echo "done"
