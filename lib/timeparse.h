/*
 * timeparse.h: the time and duration forms every program accepts.
 *
 * Times (--start, --end): RFC 3339 ("2026-01-02T03:04:05.5Z",
 * "...+01:00"), unix seconds ("1767225600", fractions allowed), "now", and
 * "now-DURATION" or "now+DURATION".  Durations: Go/TraceQL style, a
 * sequence of number and unit, units ns us µs ms s m h d ("1h30m", "1.5s").
 */
#ifndef TQ_TIMEPARSE_H
#define TQ_TIMEPARSE_H

#include <stdint.h>

#include "err.h"

/*
 * tq_timeparse_time parses s into nanoseconds since the epoch; now_ns is
 * the current time for "now" forms.  Returns 0 or TQ_ESYNTAX.
 */
int	tq_timeparse_time(const char *s, int64_t now_ns, int64_t *out_ns,
	    struct tq_err *err);

/* tq_timeparse_duration parses s into nanoseconds.  Returns 0 or TQ_ESYNTAX. */
int	tq_timeparse_duration(const char *s, int64_t *out_ns,
	    struct tq_err *err);

/* tq_timeparse_now returns the current time in nanoseconds since the epoch. */
int64_t	tq_timeparse_now(void);

#endif
