# SPDX-License-Identifier: GPL-2.0
#
# The DDI layer as objects for a driver module's composite (kbuild
# "<module>-y"), included by the Kbuild files.  The layer is not a module
# of its own: it is linked into every driver module that uses it and
# exports nothing, so no symbol of it can collide with another vendor's
# Solaris-compat module (OpenZFS' spl.ko exports cmn_err, ddi_copyin, ...)
# and each module loads on its own.
#
#   ddi-objs             the layer's objects, relative to compat/
#   $(call ddi-copy,M)   for a second module M in one build: the layer's
#                        objects as M-ddi/*.o, each compiled from a
#                        generated one-line source that includes
#                        compat/*.c (kbuild gives every object to one
#                        module: an object linked into two warns on 6.12)

ddi-objs := main.o dip.o cmn_err.o copy.o devmap_setup.o devmap_seg.o \
	    devmap_ctx.o umem.o devmem.o regs.o softstate.o model.o mmap.o \
	    misc.o

ddi-dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

quiet_cmd_ddi_wrap = GEN     $@
      cmd_ddi_wrap = printf '\043include "%s"\n' $(abspath $<) >$@

define ddi-copy-rule
$$(obj)/$(1)-ddi/%.c: $(ddi-dir)/%.c FORCE
	$$(Q)mkdir -p $$(dir $$@)
	$$(call if_changed,ddi_wrap)
targets += $$(addprefix $(1)-ddi/,$$(ddi-objs:.o=.c))
clean-files += $(1)-ddi
endef

ddi-copy = $(eval $(call ddi-copy-rule,$(1)))$(addprefix $(1)-ddi/,$(ddi-objs))
