/*
 * err.c: error codes and messages (see err.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

const char *
tq_strerror(int code)
{
	switch (code) {
	case TQ_OK:		return "success";
	case TQ_ENOMEM:		return "out of memory";
	case TQ_EIO:		return "input/output error";
	case TQ_ECORRUPT:	return "corrupt input";
	case TQ_ESYNTAX:	return "syntax error";
	case TQ_ELIMIT:		return "limit exceeded";
	case TQ_EINVAL:		return "invalid argument";
	case TQ_ENOTFOUND:	return "not found";
	case TQ_EUNSUPPORTED:	return "not supported";
	case TQ_EAGAIN:		return "try again";
	default:		return "unknown error";
	}
}

int
tq_err_set(struct tq_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
tq_err_sys(struct tq_err *err, const char *subject)
{
	int saved = errno;
	int code = saved == ENOMEM ? TQ_ENOMEM : TQ_EIO;

	if (err == NULL)
		return code;
	err->code = code;
	err->sys_errno = saved;
	snprintf(err->msg, sizeof(err->msg), "%s: %s", subject,
	    strerror(saved));
	return code;
}

int
tq_err_prefix(struct tq_err *err, int code, const char *fmt, ...)
{
	char head[256], old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	if (old[0] == '\0')
		snprintf(err->msg, sizeof(err->msg), "%s: %s", head,
		    tq_strerror(code));
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", head, old);
	if (err->code == 0)
		err->code = code;
	return err->code;
}

void
tq_err_clear(struct tq_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}
