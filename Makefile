# SPDX-License-Identifier: GPL-2.0
#
# xxmem - out-of-tree build wrapper.
#
#   make                 build xxmem.ko for KDIR
#   make install         install it (modules_install + depmod) and the
#                        udev rule; creates the group xxmem
#   make uninstall       remove what make install installed (not the group)
#   make install-udev    only the udev rule and the group (after a dkms
#                        install); make uninstall-udev
#   make tools           user-space tools (tools/xxmemctl, 64- and 32-bit)
#   make selftests       kselftest programs (64- and 32-bit)
#   make run             boot a QEMU guest and demonstrate /dev/xxmem
#   make check           build everything, run all tests in the guest on
#                        each of KERNELS (default: the newest kernel of
#                        bookworm (6.1), bookworm-backports (6.12), trixie,
#                        trixie-backports and sid), including the dkms
#                        round trip; ends "N passed, N failed, N skipped".
#                        Both architectures: x86_64 on KERNELS, arm64 on
#                        ARM64_KERNELS (default 6.1 6.12 trixie-backports,
#                        or KERNELS if given); ARCH=x86_64 or ARCH=arm64
#                        runs one lane.
#                        SUITES="devmap_test stress" runs those suites only
#                        (names: `sh selftests/run_guest.sh --list`, and
#                        lint, ksft, dkms; unknown names fail)
#   make check-build     build the modules (W=1) for KERNELS and
#                        BUILD_KERNELS, without booting
#   make deb             xxmem-dkms_VERSION_all.deb in build/deb/
#   make check-deb       make deb, install it here, build it through dkms
#                        for an extracted kernel tree (ARCH=arm64: an arm64
#                        one), purge it
#   make check-sanitize  build a KASAN/lockdep/kmemleak/UBSAN kernel from
#                        linux-source-6.1 (cached), run the suites, a
#                        kmemleak scan and fault injection under it
#   make bench           boot the guest with an ivshmem device and run
#                        tools/xxmem-bench (KERNEL, default 6.1): tables on
#                        stdout, JSON and a PNG plot in build/bench/
#   make clean
#
# KDIR defaults to the running kernel's build tree, KVER to the release of
# KDIR (or of the running kernel); `make run` and `make check` fetch Debian
# kernels and their headers and set both themselves.  install and uninstall
# take DESTDIR (a staging root: no depmod -a, no group) and INSTALL_MOD_DIR
# (default extra).

SRCDIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VERSION := $(shell sed -n 's/^#define XXMEM_VERSION "\(.*\)"$$/\1/p' \
	     $(SRCDIR)/version.h)

ifeq ($(origin KDIR),undefined)
KVER ?= $(shell uname -r)
KDIR := /lib/modules/$(KVER)/build
else
KVER ?= $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	  $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif

DESTDIR ?=
INSTALL_MOD_DIR ?= extra
UDEVRULESDIR ?= /etc/udev/rules.d
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)

KERNELS ?= 6.1 6.12 trixie trixie-backports sid

# make check's architectures (a lane each): ARCH=x86_64 or ARCH=arm64 on
# the command line picks one, which then runs on KERNELS.  ARCH is kbuild's
# too: the check targets hand it to the scripts as CHECK_ARCHS and keep it
# (and the rest of make's command line) out of their own makes.
ifeq ($(origin ARCH),command line)
CHECK_ARCHS := $(ARCH)
else
CHECK_ARCHS := x86_64 arm64
endif
# The arm64 lane's kernels: KERNELS where the command line names them,
# else bookworm's, bookworm-backports' and the newest 7.x (trixie-backports;
# the lane costs about 12 CPU-minutes with cold caches: see README).
ifeq ($(origin KERNELS),command line)
ARM64_KERNELS ?= $(KERNELS)
else
ARM64_KERNELS ?= 6.1 6.12 trixie-backports
endif
CHECK_ENV = env -u ARCH -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS \
	ARCHS="$(CHECK_ARCHS)" KERNELS="$(KERNELS)" \
	ARM64_KERNELS="$(ARM64_KERNELS)"
BUILD_KERNELS ?= 6.1-rt 6.1-cloud 6.12-rt 6.12-cloud trixie-rt trixie-cloud \
	trixie-backports-rt trixie-backports-cloud sid-rt sid-cloud

# What a source package (dkms, .deb) carries: the module sources only.
MODULE_SRC = Kbuild Makefile dkms.conf version.h xxmem_drv.c README.md \
	compat/ddi.mk \
	config/conftest.sh config/kernel_shims.h \
	$(wildcard $(SRCDIR)/config/tests/*.c) \
	udev/60-xxmem.rules \
	$(shell cd $(SRCDIR) && find compat include -name '*.[ch]' | sort)

all: modules

config/xxmem_config.h: FORCE
	@bash config/conftest.sh $(KDIR) $@

modules: config/xxmem_config.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# KERNELRELEASE: some Debian headers trees (6.1) name the upstream release
# in include/config/kernel.release, not the one the kernel reports.
install: modules install-udev
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KVER) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		modules_install
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
else
	depmod -b $(DESTDIR) $(KVER)
endif

# xxddi.ko: what an install of a release before the one-module layout left.
uninstall: uninstall-udev
	rm -f $(MODDIR)/xxddi.ko* $(MODDIR)/xxmem.ko*
	-rmdir $(MODDIR) 2>/dev/null
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
else
	depmod -b $(DESTDIR) $(KVER)
endif

# The udev rule alone (for a dkms install, which installs only modules).
install-udev:
	install -D -m 644 udev/60-xxmem.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-xxmem.rules
ifeq ($(DESTDIR),)
	getent group xxmem >/dev/null || groupadd --system xxmem
	-test ! -d /run/udev || udevadm control --reload
endif

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-xxmem.rules
ifeq ($(DESTDIR),)
	-test ! -d /run/udev || udevadm control --reload
endif

# Copy the module sources to DEST (a dkms or package source tree).
module-src:
	@test -n "$(DEST)" || { echo "make module-src DEST=DIR" >&2; exit 1; }
	cd $(SRCDIR) && for f in $(patsubst $(SRCDIR)/%,%,$(MODULE_SRC)); do \
		install -D -m 644 $$f $(DEST)/$$f || exit 1; \
	done
	chmod 755 $(DEST)/config/conftest.sh

version:
	@echo $(VERSION)

tools:
	$(MAKE) -C tools

selftests:
	$(MAKE) -C selftests

run:
	$(CHECK_ENV) tools/xxmem-check run

check:
	$(CHECK_ENV) SUITES="$(SUITES)" tools/xxmem-check check

check-build:
	$(CHECK_ENV) KERNELS="$(KERNELS) $(BUILD_KERNELS)" \
		tools/xxmem-check build

deb:
	tools/xxmem-deb build

check-deb:
	$(CHECK_ENV) XXMEM_ARCH=$(firstword $(CHECK_ARCHS)) tools/xxmem-deb check

bench:
	tools/xxmem-bench-run $(BENCH_ARGS)

check-sanitize:
	tools/xxmem-sanitize check

clean-modules:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f config/xxmem_config.h

clean: clean-modules
	-test ! -d tools || $(MAKE) -C tools clean
	-test ! -d selftests || $(MAKE) -C selftests clean
	-test ! -f selftests/drivers/Makefile || \
		$(MAKE) -C selftests/drivers KDIR=$(KDIR) clean
	rm -rf build

.PHONY: all modules install uninstall install-udev uninstall-udev module-src \
	version tools selftests run check check-build deb check-deb bench check-sanitize \
	clean-modules clean FORCE
