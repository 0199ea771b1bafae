# SPDX-License-Identifier: GPL-2.0
#
# xxmem - out-of-tree build wrapper.
#
#   make                 build xxddi.ko and xxmem.ko for KDIR
#   make tools           user-space tools (tools/xxmemctl, 64- and 32-bit)
#   make selftests       kselftest programs (64- and 32-bit)
#   make run             boot a QEMU guest and demonstrate /dev/xxmem
#   make check           build everything, run all tests in the guest;
#                        ends with "N passed, N failed"
#   make clean
#
# KDIR defaults to the running kernel's build tree; `make run` and
# `make check` fetch a Debian kernel and its headers and set it themselves.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: modules

config/xxmem_config.h: FORCE
	@config/conftest.sh $(KDIR) $@

modules: config/xxmem_config.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

selftests:
	$(MAKE) -C selftests

run:
	tools/xxmem-check run

check:
	tools/xxmem-check check

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f config/xxmem_config.h
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all modules tools selftests run check clean FORCE
