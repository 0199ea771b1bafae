#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make run` shows, inside the guest: load xxmem, print the
# region table, and let a 64-bit and a 32-bit process each write and read
# their data model's view of region 0.
set -e
cd /xxmem

say() {
	printf '\n== %s\n' "$*"
}

hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

say "insmod xxddi.ko; insmod xxmem.ko umem_size=64K"
insmod xxddi.ko
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

say "rmmod"
rmmod xxmem
rmmod xxddi
echo "done"
