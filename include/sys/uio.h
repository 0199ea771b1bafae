/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <sys/uio.h> - the request read(9E) and write(9E) get, moved with
 * uiomove(9F) (compat/misc.c).
 */
#ifndef _XXDDI_SYS_UIO_H
#define _XXDDI_SYS_UIO_H

#include <sys/types.h>

struct iov_iter;

/* uiomove(9F) direction (Solaris' enum uio_rw) */
enum uio_rw { UIO_READ, UIO_WRITE };

typedef enum uio_rw uio_rw_t;

/**
 * struct uio - a read(9E)/write(9E) request (uio(9S))
 * @uio_loffset: device offset of the transfer (bytes)
 * @uio_resid:   bytes still to move
 * @uio_iter:    Linux' description of the caller's buffers (instead of
 *               Solaris' uio_iov/uio_iovcnt/uio_segflg, which drivers do
 *               not touch when they use uiomove)
 */
struct uio {
	offset_t uio_loffset;
	ssize_t uio_resid;
	struct iov_iter *uio_iter;
};

typedef struct uio uio_t;

int uiomove(void *address, size_t nbytes, enum uio_rw rwflag,
	    struct uio *uio_p);

#endif /* _XXDDI_SYS_UIO_H */
