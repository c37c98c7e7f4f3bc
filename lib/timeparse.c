/*
 * timeparse.c: times and durations on command lines and in queries
 * (see timeparse.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"

#define NS_PER_SEC	1000000000LL

int64_t
tq_timeparse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* unit_ns returns the length of the unit at s in ns and its length in *n. */
static int64_t
unit_ns(const char *s, size_t *n)
{
	static const struct { const char *name; int64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
		{ "ms", 1000000 }, { "s", NS_PER_SEC }, { "m", 60 * NS_PER_SEC },
		{ "h", 3600 * NS_PER_SEC }, { "d", 86400 * NS_PER_SEC },
	};
	size_t i, len;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		len = strlen(units[i].name);
		if (strncmp(s, units[i].name, len) == 0) {
			/* "m" must not match the start of "ms". */
			if (len == 1 && s[0] == 'm' && s[1] == 's')
				continue;
			*n = len;
			return units[i].ns;
		}
	}
	return 0;
}

int
tq_timeparse_duration(const char *s, int64_t *out_ns, struct tq_err *err)
{
	const char *p = s;
	double total = 0;
	bool neg = false;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p == '\0')
		return tq_err_set(err, TQ_ESYNTAX, "%s: empty duration", s);
	while (*p != '\0') {
		char *end;
		double v;
		int64_t u;
		size_t n;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return tq_err_set(err, TQ_ESYNTAX,
			    "%s: expected a number at \"%s\"", s, p);
		v = strtod(p, &end);
		if (end == p)
			return tq_err_set(err, TQ_ESYNTAX, "%s: bad number", s);
		if ((u = unit_ns(end, &n)) == 0)
			return tq_err_set(err, TQ_ESYNTAX,
			    "%s: unknown unit at \"%s\" (ns us ms s m h d)", s, end);
		total += v * (double)u;
		p = end + n;
	}
	if (total > 9.2e18)
		return tq_err_set(err, TQ_ESYNTAX, "%s: duration too long", s);
	*out_ns = (int64_t)(neg ? -total : total);
	return 0;
}

/* days_from_civil counts days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* digits reads exactly n digits at *p. */
static bool
digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return false;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return true;
}

static int
parse_rfc3339(const char *s, int64_t *out_ns, struct tq_err *err)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, oh, om;
	int64_t frac = 0, scale = NS_PER_SEC, off = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
	    *p++ != '-' || !digits(&p, 2, &d) ||
	    (*p != 'T' && *p != 't' && *p != ' ') || !(p++, digits(&p, 2, &h)) ||
	    *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
	    !digits(&p, 2, &sec))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		goto bad;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;

		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om))
			goto bad;
		off = sign * ((int64_t)oh * 3600 + om * 60);
	} else
		goto bad;
	if (*p != '\0')
		goto bad;
	*out_ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec - off) * NS_PER_SEC) + frac;
	return 0;
bad:
	return tq_err_set(err, TQ_ESYNTAX,
	    "%s: not a time (RFC 3339, unix seconds or now-1h)", s);
}

int
tq_timeparse_time(const char *s, int64_t now_ns, int64_t *out_ns,
    struct tq_err *err)
{
	int64_t d;
	char *end;
	double v;
	int rc;

	if (strncmp(s, "now", 3) == 0) {
		if (s[3] == '\0') {
			*out_ns = now_ns;
			return 0;
		}
		if (s[3] != '-' && s[3] != '+')
			return tq_err_set(err, TQ_ESYNTAX, "%s: not a time", s);
		if ((rc = tq_timeparse_duration(s + 4, &d, err)) != 0)
			return rc;
		*out_ns = s[3] == '-' ? now_ns - d : now_ns + d;
		return 0;
	}
	if (strlen(s) >= 10 && s[4] == '-')
		return parse_rfc3339(s, out_ns, err);
	v = strtod(s, &end);
	if (end == s || *end != '\0' || !isdigit((unsigned char)s[0]) ||
	    v > 9.2e9)
		return tq_err_set(err, TQ_ESYNTAX,
		    "%s: not a time (RFC 3339, unix seconds or now-1h)", s);
	/* Whole seconds exactly; only a fraction goes through double. */
	*out_ns = (int64_t)strtoll(s, NULL, 10) * NS_PER_SEC +
	    (int64_t)((v - (double)(int64_t)v) * 1e9 + 0.5);
	return 0;
}
