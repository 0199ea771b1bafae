/* SPDX-License-Identifier: GPL-2.0 */
/* <sys/proc.h> - a process: proc_t is Linux' task_struct, curproc current. */
#ifndef _XXDDI_SYS_PROC_H
#define _XXDDI_SYS_PROC_H

#include <linux/sched.h>

typedef struct task_struct proc_t;

#define curproc		current

#endif /* _XXDDI_SYS_PROC_H */
