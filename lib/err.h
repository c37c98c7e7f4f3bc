/*
 * err.h: error codes and error context for the whole library.
 *
 * Library functions return 0 or a negative TQ_E* code.  When the caller
 * needs to know where and why, the last parameter is a struct tq_err (NULL
 * allowed) that receives the code, the saved errno and a short message such
 * as "record 3 at byte 4096: truncated length".  The library never prints.
 */
#ifndef TQ_ERR_H
#define TQ_ERR_H

#include <stddef.h>

enum {
	TQ_OK = 0,
	TQ_ENOMEM = -1,		/* out of memory */
	TQ_EIO = -2,		/* system call failed; errno saved */
	TQ_ECORRUPT = -3,	/* malformed input */
	TQ_ESYNTAX = -4,	/* syntax error in a query or option */
	TQ_ELIMIT = -5,		/* input exceeds a limit of lib/limits.h */
	TQ_EINVAL = -6,		/* invalid argument */
	TQ_ENOTFOUND = -7,	/* no such object */
	TQ_EUNSUPPORTED = -8,	/* valid but not supported */
	TQ_EAGAIN = -9,		/* try again later (queue full) */
};

struct tq_err {
	int	code;
	int	sys_errno;	/* errno for TQ_EIO, else 0 */
	char	msg[512];
};

/* tq_strerror returns a static description of code. */
const char	*tq_strerror(int code);

/*
 * tq_err_set records code and a printf-style message in err (if not NULL)
 * and returns code, so callers can write "return tq_err_set(...)".
 */
int	 tq_err_set(struct tq_err *err, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * tq_err_sys records TQ_EIO with the current errno and "subject: strerror"
 * as the message, and returns TQ_EIO (TQ_ENOMEM when errno is ENOMEM).
 */
int	 tq_err_sys(struct tq_err *err, const char *subject);

/*
 * tq_err_prefix puts "context: " in front of err's message, to say where
 * an error from a lower layer happened.  Returns err->code (or code when
 * err is NULL, so "return tq_err_prefix(err, rc, ...)" works either way).
 */
int	 tq_err_prefix(struct tq_err *err, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* tq_err_clear empties err (NULL allowed). */
void	 tq_err_clear(struct tq_err *err);

#endif
