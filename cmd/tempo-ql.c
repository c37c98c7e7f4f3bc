/*
 * tempo-ql: TraceQL from the command line.  For now it checks queries
 * (--check prints valid, parse-error, invalid or unsupported, the
 * three kinds of rejection Tempo has) and shows how they parse (--print
 * writes the normalised query, --ast its syntax tree).  The query is the
 * argument, or comes from -e or from a file with -F.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "limits.h"
#include "traceql.h"

enum {
	OPT_AST = OPT_FIRST_PROGRAM_OPTION,
	OPT_CHECK,
	OPT_PRINT,
};

enum mode { MODE_NONE, MODE_AST, MODE_CHECK, MODE_PRINT };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tempo-ql [-hqvV] --ast | --check | --print [-e query | -F file | query]\n"
	    "  --ast          print the syntax tree of the query\n"
	    "  --check        check the query: print valid, parse-error, invalid or unsupported\n"
	    "  -e, --expr     the query (instead of the argument)\n"
	    "  -F, --file     read the query from a file (- for stdin)\n"
	    "  -h, --help     show this help\n"
	    "  --print        print the query as tempo-ql understands it\n"
	    "  -q, --quiet    no message on stderr with --check\n"
	    "  -V, --version  show the version\n");
}

/* read_query reads all of path (stdin for "-") into a new string. */
static char *
read_query(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		err(EXIT_FAIL, "%s", path);
	buf = xmalloc(TQ_QL_MAX_QUERY + 2);
	n = fread(buf, 1, TQ_QL_MAX_QUERY + 1, f);
	if (ferror(f))
		err(EXIT_FAIL, "%s", path);
	if (f != stdin)
		fclose(f);
	if (n > TQ_QL_MAX_QUERY)
		errx(EXIT_FAIL, "%s: query longer than %u bytes", path,
		    TQ_QL_MAX_QUERY);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *
verdict(int rc)
{
	switch (rc) {
	case 0: return "valid";
	case TQ_ESYNTAX: case TQ_ELIMIT: return "parse-error";
	case TQ_EINVAL: return "invalid";
	case TQ_EUNSUPPORTED: return "unsupported";
	default: return NULL;
	}
}

/* run does what mode asks with one query; returns the exit status. */
static int
run(enum mode mode, const char *subject, const char *text, size_t len,
    int verbosity)
{
	struct tq_ql_query *q = NULL;
	struct tq_buf b;
	struct tq_err e;
	const char *word;
	int rc;

	tq_err_clear(&e);
	if (mode == MODE_CHECK) {
		rc = tq_ql_compile(text, len, &q, &e);
		if ((word = verdict(rc)) != NULL)
			printf("%s\n", word);
		if (rc != 0 && (verbosity >= 0 || word == NULL))
			warnx("%s:%s", subject, e.msg);
		tq_ql_free(q);
		return rc == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if ((rc = tq_ql_parse(text, len, &q, &e)) != 0) {
		warnx("%s:%s", subject, e.msg);
		return EXIT_FAIL;
	}
	tq_buf_init(&b, 64u * TQ_QL_MAX_QUERY);
	rc = mode == MODE_AST ? tq_ql_dump(q, &b, &e) : tq_ql_print(q, &b, &e);
	if (rc == 0)
		printf("%s\n", (const char *)b.data);
	else
		warnx("%s: %s", subject, e.msg);
	tq_buf_release(&b);
	tq_ql_free(q);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "ast",	no_argument,		NULL, OPT_AST },
		{ "check",	no_argument,		NULL, OPT_CHECK },
		{ "expr",	required_argument,	NULL, 'e' },
		{ "file",	required_argument,	NULL, 'F' },
		{ "print",	no_argument,		NULL, OPT_PRINT },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *expr = NULL, *file = NULL, *subject = "query";
	enum mode mode = MODE_NONE;
	struct cli c;
	char *text = NULL;
	size_t len;
	int ch, rc;

	signal(SIGPIPE, SIG_DFL);
	cli_init(&c, "tempo-ql");
	while ((ch = getopt_long(argc, argv, "e:F:" CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_AST: mode = MODE_AST; break;
		case OPT_CHECK: mode = MODE_CHECK; break;
		case OPT_PRINT: mode = MODE_PRINT; break;
		case 'e': expr = optarg; break;
		case 'F': file = optarg; break;
		default:
			if (!cli_option(&c, ch, optarg, usage)) {
				usage(stderr);
				return EXIT_USAGE;
			}
		}
	}
	argc -= optind;
	argv += optind;
	if (mode == MODE_NONE) {
		warnx("searching is not built yet: give --check, --print or --ast");
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((expr != NULL) + (file != NULL) + (argc > 0) != 1 || argc > 1) {
		warnx("give one query: an argument, -e query or -F file");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c.output != NULL && strcmp(c.output, "-") != 0 &&
	    freopen(c.output, "w", stdout) == NULL)
		err(EXIT_FAIL, "%s", c.output);
	if (file != NULL) {
		text = read_query(file, &len);
		subject = strcmp(file, "-") == 0 ? "stdin" : file;
		rc = run(mode, subject, text, len, c.verbosity);
	} else {
		const char *q = expr != NULL ? expr : argv[0];

		rc = run(mode, subject, q, strlen(q), c.verbosity);
	}
	free(text);
	return close_stdout() != 0 ? EXIT_FAIL : rc;
}
