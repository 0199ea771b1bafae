/* SPDX-License-Identifier: GPL-2.0 */
/* <sys/dditypes.h> - the device type every DDI entry point takes. */
#ifndef _XXDDI_SYS_DDITYPES_H
#define _XXDDI_SYS_DDITYPES_H

/* A device instance; opaque to drivers (compat/impl.h). */
typedef struct dev_info dev_info_t;

#endif /* _XXDDI_SYS_DDITYPES_H */
