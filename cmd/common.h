/*
 * common.h: what every program shares and the library should not know:
 * the common options of DESIGN.md §1, messages, exit statuses and
 * die-on-failure allocation.
 *
 * Each program lists CLI_LONGOPTS in its getopt_long table (after its own
 * options) and passes every option it does not handle itself to
 * cli_option().  Messages follow "prog: subject: reason" through err(3)
 * and warn(3); exit statuses are EXIT_OK, EXIT_FAIL and EXIT_USAGE.
 */
#ifndef TQ_COMMON_H
#define TQ_COMMON_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_OK		0
#define EXIT_FAIL	1	/* something failed at run time */
#define EXIT_USAGE	2	/* bad command line */

/* Long-only option codes, above any character. */
enum {
	OPT_START = 0x100,
	OPT_END,
	OPT_FIRST_PROGRAM_OPTION = 0x200,	/* programs number theirs from here */
};

/* The common options; every short letter here is in CLI_SHORTOPTS. */
#define CLI_SHORTOPTS	"f:ho:qs:t:vV"
#define CLI_LONGOPTS \
	{ "end",	required_argument,	NULL, OPT_END }, \
	{ "format",	required_argument,	NULL, 'f' }, \
	{ "help",	no_argument,		NULL, 'h' }, \
	{ "output",	required_argument,	NULL, 'o' }, \
	{ "quiet",	no_argument,		NULL, 'q' }, \
	{ "start",	required_argument,	NULL, OPT_START }, \
	{ "store",	required_argument,	NULL, 's' }, \
	{ "tenant",	required_argument,	NULL, 't' }, \
	{ "verbose",	no_argument,		NULL, 'v' }, \
	{ "version",	no_argument,		NULL, 'V' }

struct cli {
	const char	*prog;
	const char	*store;		/* -s, default $TEMPO_STORE */
	const char	*tenant;	/* -t, default $TEMPO_TENANT or single-tenant */
	const char	*format;	/* -f, NULL when not given */
	const char	*output;	/* -o, NULL for stdout */
	int64_t		 start_ns;	/* --start, 0 when not given */
	int64_t		 end_ns;	/* --end, 0 when not given */
	int		 verbosity;	/* 0 normal, <0 with -q, >0 with -v */
};

/* cli_init fills c with the defaults and the TEMPO_* environment. */
void	cli_init(struct cli *c, const char *prog);

/*
 * cli_option handles one common option returned by getopt_long.  Returns 1
 * when it was one (and acted on it: -h prints usage and exits 0, -V prints
 * the version and exits 0), 0 when the program must handle ch itself, and
 * exits with EXIT_USAGE after a message when the argument is bad.  usage is
 * the program's usage function.
 */
int	cli_option(struct cli *c, int ch, const char *arg,
	    void (*usage)(FILE *));

/*
 * cli_size reads a byte size for option opt: N, or N with K, M or G
 * (powers of 1024), from 1 to max.  cli_uint reads a count from 1 to max.
 * cli_duration reads a duration (1h30m, 250ms) above zero, in ns.  Each
 * exits with EXIT_USAGE after a message when s is bad.
 */
size_t	cli_size(const char *opt, const char *s, size_t max,
	    void (*usage)(FILE *));
unsigned cli_uint(const char *opt, const char *s, unsigned max,
	    void (*usage)(FILE *));
int64_t	cli_duration(const char *opt, const char *s, void (*usage)(FILE *));

/* cli_valid_tenant tells whether t is a tenant name Tempo accepts. */
int	cli_valid_tenant(const char *t);

/* cli_version prints "prog version" on stdout. */
void	cli_version(const char *prog);

/*
 * cli_output opens c->output for writing (stdout when NULL or "-") and
 * returns its fd; exits with EXIT_FAIL after a message on failure.
 */
int	cli_output(const struct cli *c);

/*
 * close_stdout flushes and closes stdout, reporting a failed write (a full
 * disk must not look like success).  Returns 0 or -1 after a message.
 */
int	close_stdout(void);

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
char	*xstrdup(const char *s);

#endif
