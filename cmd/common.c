/*
 * common.c: option handling, messages and allocation shared by the
 * programs (see common.h).
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "common.h"
#include "timeparse.h"

void
cli_init(struct cli *c, const char *prog)
{
	const char *t;
	uint32_t seed;

	/* jansson seeds its hash tables from /dev/urandom when first used
	 * (open, read, close); one call does it here. */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) ==
	    (ssize_t)sizeof(seed))
		json_object_seed(seed != 0 ? seed : 1);
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->store = getenv("TEMPO_STORE");
	t = getenv("TEMPO_TENANT");
	c->tenant = t != NULL && *t != '\0' ? t : "single-tenant";
}

void
cli_version(const char *prog)
{
	printf("%s %s\n", prog, TQ_VERSION);
}

static int64_t
parse_time(const char *opt, const char *arg, void (*usage)(FILE *))
{
	struct tq_err e;
	int64_t ns;

	if (tq_timeparse_time(arg, tq_timeparse_now(), &ns, &e) != 0) {
		warnx("%s: %s", opt, e.msg);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return ns;
}

/* cli_valid_tenant accepts what Tempo accepts in X-Scope-OrgID. */
int
cli_valid_tenant(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 150 || strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
		return 0;
	for (; *t != '\0'; t++)
		if (!(isalnum((unsigned char)*t) ||
		    strchr("!-_.*'()", *t) != NULL))
			return 0;
	return 1;
}

int
cli_option(struct cli *c, int ch, const char *arg, void (*usage)(FILE *))
{
	switch (ch) {
	case 'f':
		c->format = arg;
		return 1;
	case 'h':
		usage(stdout);
		exit(close_stdout() == 0 ? EXIT_OK : EXIT_FAIL);
	case 'o':
		c->output = arg;
		return 1;
	case 'q':
		c->verbosity--;
		return 1;
	case 's':
		c->store = arg;
		return 1;
	case 't':
		if (!cli_valid_tenant(arg)) {
			warnx("%s: invalid tenant (1 to 150 of A-Z a-z 0-9 !-_.*'())",
			    arg);
			exit(EXIT_USAGE);
		}
		c->tenant = arg;
		return 1;
	case 'v':
		c->verbosity++;
		return 1;
	case 'V':
		cli_version(c->prog);
		exit(close_stdout() == 0 ? EXIT_OK : EXIT_FAIL);
	case OPT_START:
		c->start_ns = parse_time("--start", arg, usage);
		return 1;
	case OPT_END:
		c->end_ns = parse_time("--end", arg, usage);
		return 1;
	default:
		return 0;
	}
}

size_t
cli_size(const char *opt, const char *s, size_t max, void (*usage)(FILE *))
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == 0 && end != s && *s != '-') {
		unsigned shift = 0;

		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		}
		if (*end == 'i' && shift > 0 && end[1] == 'B')
			end += 2;
		else if (*end == 'B' && shift > 0)
			end++;
		if (*end == '\0' && n > 0 && n <= (max >> shift))
			return (size_t)(n << shift);
	}
	warnx("%s: %s: not a size from 1 to %zu bytes", opt, s, max);
	usage(stderr);
	exit(EXIT_USAGE);
}

unsigned
cli_uint(const char *opt, const char *s, unsigned max, void (*usage)(FILE *))
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || n == 0 ||
	    n > max) {
		warnx("%s: %s: not a number from 1 to %u", opt, s, max);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return (unsigned)n;
}

int64_t
cli_duration(const char *opt, const char *s, void (*usage)(FILE *))
{
	struct tq_err e = { 0 };
	int64_t ns = 0;

	if (tq_timeparse_duration(s, &ns, &e) != 0 || ns <= 0) {
		warnx("%s: %s", opt, e.msg[0] == '\0' ?
		    "must be above zero" : e.msg);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return ns;
}

int
cli_output(const struct cli *c)
{
	int fd;

	if (c->output == NULL || strcmp(c->output, "-") == 0)
		return STDOUT_FILENO;
	if ((fd = open(c->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) == -1)
		err(EXIT_FAIL, "%s", c->output);
	return fd;
}

int
close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		/* A closed pipe is the reader's choice, not our failure. */
		if (errno == EPIPE)
			return 0;
		warn("stdout");
		return -1;
	}
	return 0;
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		err(EXIT_FAIL, "malloc");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		err(EXIT_FAIL, "calloc");
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(EXIT_FAIL, "strdup");
	return p;
}
