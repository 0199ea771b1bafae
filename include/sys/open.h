/* SPDX-License-Identifier: GPL-2.0 */
/* <sys/open.h> - otyp of open(9E)/close(9E) (Solaris values). */
#ifndef _XXDDI_SYS_OPEN_H
#define _XXDDI_SYS_OPEN_H

#define OTYP_BLK	0
#define OTYP_MNT	1
#define OTYP_CHR	2	/* the only one xxddi passes */
#define OTYP_SWP	3
#define OTYP_LYR	4
#define OTYPCNT		5

#endif /* _XXDDI_SYS_OPEN_H */
