/* SPDX-License-Identifier: GPL-2.0 */
/* <sys/cred.h> - cred_t is Linux's struct cred (see <sys/types.h>). */
#ifndef _XXDDI_SYS_CRED_H
#define _XXDDI_SYS_CRED_H

#include <linux/cred.h>
#include <sys/types.h>

#endif /* _XXDDI_SYS_CRED_H */
