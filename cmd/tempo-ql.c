/*
 * tempo-ql: TraceQL from the command line.  It searches the blocks of a
 * store, or filters the span stream on stdin like grep, printing Tempo's
 * search results (JSON, JSON lines, a table) or the matching traces as a
 * span stream.  It also checks queries (--check prints valid,
 * parse-error, invalid or unsupported, the three kinds of rejection Tempo
 * has) and shows how they parse (--print, --ast).  The query is the
 * argument, or comes from -e or from a file with -F.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "limits.h"
#include "ql.h"
#include "search.h"
#include "store.h"
#include "stream.h"
#include "trace.h"
#include "traceql.h"

enum {
	OPT_AST = OPT_FIRST_PROGRAM_OPTION,
	OPT_CHECK,
	OPT_LIMIT,
	OPT_PRINT,
	OPT_QUERY,
	OPT_REPL,
	OPT_SCOPE,
	OPT_SPSS,
	OPT_TAG_VALUES,
	OPT_TAGS,
};

enum mode { MODE_SEARCH, MODE_AST, MODE_CHECK, MODE_PRINT, MODE_REPL,
	MODE_TAGS, MODE_TAG_VALUES };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tempo-ql [-hqvV] [-s store] [-t tenant] [--start time] [--end time]\n"
	    "                [-f table|json|jsonl|stream] [--limit N] [--spss N] [-j threads]\n"
	    "                [-o file] [-e query | -F file | query]\n"
	    "       tempo-ql --ast | --check | --print [-e query | -F file | query]\n"
	    "       tempo-ql [-s store] [-t tenant] [--start time] [--end time] [-f format]\n"
	    "                [--limit N] --tags [--scope scope] | --tag-values name [--query query]\n"
	    "       tempo-ql [-s store] [-t tenant] [--start time] [--end time] --repl\n"
	    "  --ast          print the syntax tree of the query\n"
	    "  --check        check the query: print valid, parse-error, invalid or unsupported\n"
	    "  -e, --expr     the query (instead of the argument)\n"
	    "  --end          search traces that start before this time\n"
	    "  -f, --format   table (on a terminal), json (Tempo's SearchResponse),\n"
	    "                 jsonl (one trace per line) or stream (the matching traces)\n"
	    "  -F, --file     read the query from a file (- for stdin)\n"
	    "  -h, --help     show this help\n"
	    "  -j, --threads  blocks searched at once (default: one per CPU)\n"
	    "  --limit        at most N traces, the most recent (default 20; 0: all)\n"
	    "  -o, --output   write the results to a file\n"
	    "  --print        print the query as tempo-ql understands it\n"
	    "  -q, --quiet    no message on stderr with --check\n"
	    "  --query        --tag-values: only of spans matching this query\n"
	    "  --repl         read queries interactively (also from a pipe)\n"
	    "  --scope        --tags: only this scope (intrinsic, resource, span,\n"
	    "                 event, link or instrumentation)\n"
	    "  -s, --store    the store to search (default $TEMPO_STORE; none: the\n"
	    "                 span stream on stdin)\n"
	    "  --spss         spans shown per spanset (default 3; 0: all)\n"
	    "  --start        search traces that end after this time\n"
	    "  --tag-values   the values of an attribute or intrinsic (span.x, .x, name)\n"
	    "  --tags         the attribute names, per scope (--limit: per scope,\n"
	    "                 default 5000)\n"
	    "  -t, --tenant   the tenant (default $TEMPO_TENANT or single-tenant)\n"
	    "  -v, --verbose  print what the search inspected on stderr\n"
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

/* ---- search ---- */

static int
print_buf(struct tq_buf *b)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len)
		return -1;
	tq_buf_reset(b);
	return 0;
}

/* short_duration writes ns for a table column: three digits at most. */
static const char *
short_duration(int64_t ns, char *buf, size_t size)
{
	double v = (double)ns;

	if (ns < 1000)
		snprintf(buf, size, "%" PRId64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.3gµs", v / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3gms", v / 1e6);
	else
		snprintf(buf, size, "%.3gs", v / 1e9);
	return buf;
}

/* table_row prints one row per spanset of t. */
static void
table_row(const struct tq_search_trace *t, struct tq_buf *b)
{
	char id[2 * TQ_TRACE_ID_LEN + 1], when[32], dur[32];
	time_t sec = (time_t)(t->start_ns / 1000000000u);
	struct tm tm;
	struct tq_ql_value d = { .type = TQ_QL_T_DURATION };
	size_t i, j, k;

	tq_hex_encode(id, t->id, TQ_TRACE_ID_LEN);
	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	d.u.i = (int64_t)(t->end_ns - t->start_ns);
	for (i = 0; i < (t->nsets ? t->nsets : 1); i++) {
		const struct tq_search_set *set = t->nsets ? &t->sets[i] : NULL;

		printf("%s  %s  %9s  %-16.16s %-24.24s %7" PRIu32 "  ", id, when,
		    short_duration(d.u.i, dur, sizeof(dur)),
		    *t->root_name || *t->root_service ?
		    t->root_service : "<no root span>", t->root_name,
		    set ? set->matched : 0);
		tq_buf_reset(b);
		for (j = 0; set != NULL && j < set->nattrs; j++) {
			(void)tq_buf_printf(b, "%s%s=", j ? " " : "",
			    set->attrs[j].key);
			(void)tq_ql_value_text(&set->attrs[j].val, b);
		}
		for (j = 0; set != NULL && j < set->nspans; j++) {
			const struct tq_search_span *sp = &set->spans[j];

			(void)tq_buf_printf(b, "%s%s", b->len ? ", " : "",
			    sp->name);
			for (k = 0; k < sp->nattrs; k++) {
				(void)tq_buf_printf(b, "%s%s=", k ? " " : " (",
				    sp->attrs[k].key);
				(void)tq_ql_value_text(&sp->attrs[k].val, b);
			}
			if (sp->nattrs > 0)
				(void)tq_buf_putc(b, ')');
		}
		(void)tq_buf_putc(b, '\0');
		printf("%s\n", (const char *)b->data);
	}
}

/* print_results prints r in ctx's format; returns 0 or -1. */
static int
print_results(const struct ql_ctx *ctx, const struct tq_search_result *r,
    size_t from)
{
	struct tq_buf b;
	size_t i;
	int rc = 0;

	tq_buf_init(&b, SIZE_MAX / 2);
	switch (ctx->format) {
	case QL_FORMAT_JSON:
		if (tq_search_json(r, &b) != 0 || tq_buf_putc(&b, '\n') != 0)
			rc = -1;
		break;
	case QL_FORMAT_JSONL:
		for (i = from; i < r->n && rc == 0; i++)
			if (tq_search_trace_json(r->traces[i], &b) != 0 ||
			    tq_buf_putc(&b, '\n') != 0 || print_buf(&b) != 0)
				rc = -1;
		break;
	case QL_FORMAT_TABLE:
		if (from == 0 && r->n > 0)
			printf("%-32s  %-19s  %9s  %-16s %-24s %7s  %s\n",
			    "TRACE ID", "START (UTC)", "DURATION", "ROOT SERVICE",
			    "ROOT NAME", "MATCHED", "SPANS");
		for (i = from; i < r->n; i++)
			table_row(r->traces[i], &b);
		tq_buf_reset(&b);
		break;
	case QL_FORMAT_STREAM:
		break;
	}
	if (rc == 0)
		rc = print_buf(&b);
	tq_buf_release(&b);
	return rc;
}

static void
report(const struct ql_ctx *ctx, const struct tq_search_result *r,
    double ms)
{
	const struct tq_search_metrics *m = &r->metrics;

	if (r->limited && ctx->verbosity >= 0)
		warnx("the limit of %zu traces was reached: there may be more "
		    "(--limit)", ctx->limit);
	if (ctx->verbosity > 0)
		warnx("%zu traces in %.3f ms; inspected %" PRIu64 " traces, %"
		    PRIu64 " spans, %" PRIu32 "/%" PRIu32 " blocks, %" PRIu64
		    " bytes in %" PRIu64 " reads; %" PRIu32 " blocks and %"
		    PRIu64 " row groups skipped",
		    r->n, ms, m->inspected_traces, m->inspected_spans,
		    m->completed_blocks, m->total_blocks, m->inspected_bytes,
		    m->backend_reads, m->skipped_blocks, m->skipped_row_groups);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
search_store(const struct ql_ctx *ctx, const struct tq_ql_query *q,
    struct tq_search_result *r, struct tq_err *e)
{
	struct tq_search_opts o;

	tq_search_opts_init(&o);
	o.start_ns = ctx->start_ns;
	o.end_ns = ctx->end_ns;
	o.limit = ctx->limit;
	o.spss = ctx->spss;
	o.threads = ctx->threads;
	return tq_search_store(ctx->store, ctx->tenant, q, &o, r, e);
}

/*
 * search_stream evaluates each record of the stream on stdin as it comes:
 * the traces of one record are evaluated whole.  Matches are printed at
 * once (jsonl, stream) or at the end (json, table).
 */
static int
search_stream(const struct ql_ctx *ctx, const struct tq_ql_query *q,
    struct tq_search_result *r, struct tq_err *e)
{
	struct tq_stream_reader *rd = NULL;
	struct tq_stream_writer *w = NULL;
	struct tq_search_query *sq = NULL;
	struct tq_search_opts o;
	struct tq_arena a;
	size_t found = 0;
	bool *matched = NULL;
	int rc;

	tq_search_opts_init(&o);
	o.start_ns = ctx->start_ns;
	o.end_ns = ctx->end_ns;
	o.limit = ctx->limit;
	o.spss = ctx->spss;
	tq_arena_init(&a, TQ_QL_MAX_EVAL_ARENA);
	if ((rc = tq_search_query_new(q, &sq, e)) != 0 ||
	    (rc = tq_stream_reader_new(STDIN_FILENO, "stdin", &rd, e)) != 0 ||
	    (ctx->format == QL_FORMAT_STREAM && (rc = tq_stream_writer_new(
	    STDOUT_FILENO, TQ_STREAM_PROTO, 0, &w, e)) != 0))
		goto out;
	for (;;) {
		Tq__TracesData *td, **parts;
		struct tq_ql_batch b;
		size_t n, invalid, before = r->n, i;

		tq_arena_reset(&a);
		if ((rc = tq_stream_reader_next(rd, &a, &td, e)) <= 0) {
			if (rc < 0)
				tq_err_prefix(e, rc, "stdin");
			break;
		}
		if ((rc = tq_trace_split(td, &a, &parts, &n, &invalid, e)) != 0 ||
		    (rc = tq_search_otlp_batch(parts, n, &a, &b, e)) != 0)
			break;
		free(matched);
		matched = xcalloc(n ? n : 1, sizeof(*matched));
		if ((rc = tq_search_batch(sq, &b, &a, &o, r, matched, e)) != 0)
			break;
		for (i = 0; i < n && w != NULL; i++) {
			if (!matched[i])
				continue;
			if ((rc = tq_stream_writer_write(w, parts[i], e)) != 0)
				goto out;
		}
		found += r->n - before;
		if (w != NULL && r->n > before &&
		    (rc = tq_stream_writer_flush(w, e)) != 0)
			break;
		if (ctx->format == QL_FORMAT_JSONL) {
			if (print_results(ctx, r, before) != 0 ||
			    fflush(stdout) != 0) {
				rc = tq_err_set(e, TQ_EIO, "stdout: write failed");
				break;
			}
		}
		if (ctx->limit > 0 && found >= ctx->limit) {
			r->limited = true;
			rc = 0;
			break;
		}
	}
	if (rc == 0 && w != NULL)
		rc = tq_stream_writer_close(w, e);
out:
	free(matched);
	tq_stream_writer_free(w);
	tq_stream_reader_free(rd);
	tq_search_query_free(sq);
	tq_arena_release(&a);
	return rc;
}

int
ql_search(const struct ql_ctx *ctx, const char *text, size_t len)
{
	struct tq_ql_query *q = NULL;
	struct tq_search_result *r = NULL;
	struct tq_search_opts o;
	struct tq_err e;
	double t0 = now_ms();
	int rc;

	tq_err_clear(&e);
	if ((rc = tq_ql_compile(text, len, &q, &e)) != 0) {
		warnx("query:%s", e.msg);
		return EXIT_FAIL;
	}
	if (q->result != TQ_QL_RESULT_SPANSETS) {
		warnx("query: metrics queries are not run by tempo-ql yet; "
		    "search with a spanset query");
		tq_ql_free(q);
		return EXIT_FAIL;
	}
	if ((rc = tq_search_result_new(&r, &e)) == 0)
		rc = ctx->store != NULL ? search_store(ctx, q, r, &e) :
		    search_stream(ctx, q, r, &e);
	if (rc != 0) {
		warnx("%s", e.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	if (ctx->store == NULL && ctx->format != QL_FORMAT_JSONL &&
	    ctx->format != QL_FORMAT_STREAM) {
		bool limited = r->limited;

		tq_search_opts_init(&o);
		o.limit = ctx->limit;
		tq_search_finish(r, &o);
		r->limited = r->limited || limited;
	}
	if (ctx->format != QL_FORMAT_STREAM &&
	    (ctx->store != NULL || ctx->format != QL_FORMAT_JSONL) &&
	    print_results(ctx, r, 0) != 0) {
		warn("stdout");
		rc = EXIT_FAIL;
		goto out;
	}
	report(ctx, r, now_ms() - t0);
	if (ctx->found != NULL)
		*ctx->found = r->n;
	rc = EXIT_OK;
out:
	tq_search_result_free(r);
	tq_ql_free(q);
	return rc;
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

static enum ql_format parse_format(const char *, bool);

/*
 * store_mode runs the REPL, --tags or --tag-values, which read a store;
 * returns the exit status.
 */
static int
store_mode(enum mode mode, const struct cli *c, struct ql_ctx *ctx, int argc,
    bool limit_given, const char *tag, const char *scope,
    const char *tag_query)
{
	struct tq_err e;
	int rc;

	if (argc > 0) {
		warnx("no query argument with --repl, --tags or --tag-values");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c->store == NULL || *c->store == '\0') {
		warnx("%s needs a store (-s or TEMPO_STORE)", mode == MODE_REPL ?
		    "the REPL" : mode == MODE_TAGS ? "--tags" : "--tag-values");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c->output != NULL && strcmp(c->output, "-") != 0 &&
	    freopen(c->output, "w", stdout) == NULL)
		err(EXIT_FAIL, "%s", c->output);
	tq_err_clear(&e);
	if (tq_store_open(c->store, NULL, &ctx->store, &e) != 0)
		errx(EXIT_FAIL, "%s: %s", c->store, e.msg);
	ctx->tenant = c->tenant;
	ctx->start_ns = c->start_ns;
	ctx->end_ns = c->end_ns;
	ctx->verbosity = c->verbosity;
	ctx->format = parse_format(c->format, false);
	if (mode != MODE_REPL) {
		/* Tags: 0 is their own default, --limit 0 all there are. */
		ctx->limit = !limit_given ? 0 : ctx->limit == 0 ||
		    ctx->limit > TQ_TAGS_MAX_LIMIT ? TQ_TAGS_MAX_LIMIT :
		    ctx->limit;
	}
	rc = mode == MODE_REPL ? ql_repl(ctx) : mode == MODE_TAGS ?
	    ql_tags(ctx, scope) : ql_tag_values(ctx, tag, tag_query);
	tq_store_free(ctx->store);
	return close_stdout() != 0 ? EXIT_FAIL : rc;
}

static enum ql_format
parse_format(const char *f, bool stream_input)
{
	if (f == NULL)
		return isatty(STDOUT_FILENO) ? QL_FORMAT_TABLE : stream_input ?
		    QL_FORMAT_STREAM : QL_FORMAT_JSON;
	if (strcmp(f, "table") == 0)
		return QL_FORMAT_TABLE;
	if (strcmp(f, "json") == 0)
		return QL_FORMAT_JSON;
	if (strcmp(f, "jsonl") == 0)
		return QL_FORMAT_JSONL;
	if (strcmp(f, "stream") == 0)
		return QL_FORMAT_STREAM;
	warnx("%s: unknown format (table, json, jsonl or stream)", f);
	usage(stderr);
	exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "ast",	no_argument,		NULL, OPT_AST },
		{ "check",	no_argument,		NULL, OPT_CHECK },
		{ "expr",	required_argument,	NULL, 'e' },
		{ "file",	required_argument,	NULL, 'F' },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ "print",	no_argument,		NULL, OPT_PRINT },
		{ "query",	required_argument,	NULL, OPT_QUERY },
		{ "repl",	no_argument,		NULL, OPT_REPL },
		{ "scope",	required_argument,	NULL, OPT_SCOPE },
		{ "spss",	required_argument,	NULL, OPT_SPSS },
		{ "tag-values",	required_argument,	NULL, OPT_TAG_VALUES },
		{ "tags",	no_argument,		NULL, OPT_TAGS },
		{ "threads",	required_argument,	NULL, 'j' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *expr = NULL, *file = NULL, *subject = "query";
	const char *tag = NULL, *scope = NULL, *tag_query = NULL;
	enum mode mode = MODE_SEARCH;
	bool limit_given = false;
	struct ql_ctx ctx;
	struct tq_store *st = NULL;
	struct tq_err e;
	struct cli c;
	char *text = NULL, *end;
	unsigned long ul;
	size_t len;
	int ch, rc;

	signal(SIGPIPE, SIG_DFL);
	cli_init(&c, "tempo-ql");
	memset(&ctx, 0, sizeof(ctx));
	ctx.limit = 20;
	ctx.spss = 3;
	while ((ch = getopt_long(argc, argv, "e:F:j:" CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_AST:
		case OPT_CHECK:
		case OPT_PRINT:
		case OPT_REPL:
		case OPT_TAGS:
		case OPT_TAG_VALUES:
			if (mode != MODE_SEARCH) {
				warnx("give one of --ast, --check and --print, "
				    "or one of --repl, --tags and --tag-values");
				usage(stderr);
				return EXIT_USAGE;
			}
			mode = ch == OPT_AST ? MODE_AST : ch == OPT_CHECK ?
			    MODE_CHECK : ch == OPT_PRINT ? MODE_PRINT :
			    ch == OPT_REPL ? MODE_REPL : ch == OPT_TAGS ?
			    MODE_TAGS : MODE_TAG_VALUES;
			tag = optarg;
			break;
		case OPT_QUERY: tag_query = optarg; break;
		case OPT_SCOPE: scope = optarg; break;
		case 'e': expr = optarg; break;
		case 'F': file = optarg; break;
		case 'j':
			ctx.threads = (int)cli_uint("--threads", optarg, 256,
			    usage);
			break;
		case OPT_LIMIT:
		case OPT_SPSS:
			errno = 0;
			ul = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    *optarg == '-' || ul > (ch == OPT_SPSS ? 100000u :
			    10000000u)) {
				warnx("%s: %s: not a count", ch == OPT_LIMIT ?
				    "--limit" : "--spss", optarg);
				usage(stderr);
				return EXIT_USAGE;
			}
			if (ch == OPT_LIMIT) {
				ctx.limit = ul;
				limit_given = true;
			} else {
				ctx.spss = ul;
			}
			break;
		default:
			if (!cli_option(&c, ch, optarg, usage)) {
				usage(stderr);
				return EXIT_USAGE;
			}
		}
	}
	argc -= optind;
	argv += optind;
	if ((scope != NULL && mode != MODE_TAGS) ||
	    (tag_query != NULL && mode != MODE_TAG_VALUES)) {
		warnx("--scope goes with --tags, --query with --tag-values");
		usage(stderr);
		return EXIT_USAGE;
	}
	/* No query on a terminal: the REPL. */
	if (mode == MODE_SEARCH && expr == NULL && file == NULL && argc == 0 &&
	    isatty(STDIN_FILENO))
		mode = MODE_REPL;
	if (mode >= MODE_REPL)
		return store_mode(mode, &c, &ctx, argc, limit_given, tag, scope,
		    tag_query);
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
	} else {
		text = xstrdup(expr != NULL ? expr : argv[0]);
		len = strlen(text);
	}
	if (mode != MODE_SEARCH) {
		rc = run(mode, subject, text, len, c.verbosity);
		goto out;
	}
	ctx.format = parse_format(c.format, c.store == NULL || *c.store == '\0');
	if (ctx.format == QL_FORMAT_STREAM && c.store != NULL &&
	    *c.store != '\0') {
		warnx("-f stream: only when filtering the span stream on stdin");
		usage(stderr);
		free(text);
		return EXIT_USAGE;
	}
	if (c.store != NULL && *c.store != '\0') {
		tq_err_clear(&e);
		if (tq_store_open(c.store, NULL, &st, &e) != 0) {
			warnx("%s: %s", c.store, e.msg);
			free(text);
			return EXIT_FAIL;
		}
	} else if (file != NULL && strcmp(file, "-") == 0) {
		warnx("-F -: stdin holds the span stream; give a store (-s) "
		    "or the query another way");
		free(text);
		return EXIT_USAGE;
	} else if (!limit_given) {
		ctx.limit = 0;		/* a filter passes everything */
	}
	ctx.store = st;
	ctx.tenant = c.tenant;
	ctx.start_ns = c.start_ns;
	ctx.end_ns = c.end_ns;
	ctx.verbosity = c.verbosity;
	rc = ql_search(&ctx, text, len);
	tq_store_free(st);
out:
	free(text);
	return close_stdout() != 0 ? EXIT_FAIL : rc;
}
