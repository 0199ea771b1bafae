/* SPDX-License-Identifier: GPL-2.0 */
/* The one version source: MODULE_VERSION of xxmem.ko and dkms.conf. */
#define XXMEM_VERSION "0.1.0"
