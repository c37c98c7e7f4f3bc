/*
 * tempo-get: find traces by ID in a store, and list or inspect its blocks.
 *
 * For each trace ID it reads every visible block of the tenant whose time
 * range overlaps --start/--end (all blocks without them): the block's
 * bloom shard, then its Parquet footer and one row group (tq_block_find),
 * and combines the parts found in several blocks into one trace
 * (tq_trace_combine).  Traces go out as the span stream's json or proto
 * format, or as a terminal waterfall (-f tree) with the critical path
 * marked.  --explain says on stderr why each block was or was not read.
 *
 * --list prints the tenant's blocks; --inspect one block's meta, row
 * groups, columns and the attributes that take the most bytes.
 *
 * Exit status: 0 every ID found, 3 some ID not found, 1 a run-time
 * error, 2 a usage error.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "arena.h"
#include "block.h"
#include "common.h"
#include "inspect.h"
#include "limits.h"
#include "store.h"
#include "stream.h"
#include "timeparse.h"
#include "trace.h"

#define EXIT_NOTFOUND	3
#define BAR_WIDTH	40
#define TOP_ATTRS	20

enum {
	OPT_EXPLAIN = OPT_FIRST_PROGRAM_OPTION,
	OPT_INSPECT,
	OPT_LIST,
};

enum format {
	FMT_JSON,
	FMT_PROTO,
	FMT_TREE,
	FMT_TABLE,
};

static struct cli	cli;
static bool		explain;
static bool		colour;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tempo-get [-qv] [--explain] [--end time] [-f json|proto|tree]\n"
	    "                 [-o file] [-s store] [--start time] [-t tenant] "
	    "traceid ...\n"
	    "       tempo-get --list [-f table|json] [-s store] [-t tenant]\n"
	    "       tempo-get --inspect blockid [-f table|json] [-s store] "
	    "[-t tenant]\n"
	    "Find traces by ID in a store; list and inspect its blocks.\n"
	    "      --end TIME     only blocks that start before TIME\n"
	    "      --explain      say on stderr why each block was read or not\n"
	    "  -f, --format FMT   json (default when not a terminal), proto or tree;\n"
	    "                     table or json for --list and --inspect\n"
	    "      --inspect ID   one block: meta, row groups, columns, attributes\n"
	    "      --list         the tenant's blocks\n"
	    "  -o, --output FILE  write there instead of stdout\n"
	    "  -q, --quiet        no warnings about traces not found\n"
	    "  -s, --store URL    the store (default $TEMPO_STORE)\n"
	    "      --start TIME   only blocks that end after TIME\n"
	    "  -t, --tenant NAME  the tenant (default single-tenant)\n"
	    "  -v, --verbose      say in how many blocks each trace was found\n"
	    "  -h, --help         this help;  -V, --version  the version\n");
}

/* ---- trace IDs ---- */

/*
 * parse_id reads a trace ID of 1 to 32 hex digits, either case, left-padded
 * with zeros to 32 as Tempo does.  Returns 0, or -1 when it is not one.
 */
static int
parse_id(const char *s, uint8_t id[TQ_TRACE_ID_LEN])
{
	char full[2 * TQ_TRACE_ID_LEN + 1];
	size_t n = strlen(s);

	if (n == 0 || n > 2 * TQ_TRACE_ID_LEN)
		return -1;
	memset(full, '0', sizeof(full) - n - 1);
	memcpy(full + sizeof(full) - n - 1, s, n);
	full[sizeof(full) - 1] = '\0';
	return tq_hex_decode(id, TQ_TRACE_ID_LEN, full, 2 * TQ_TRACE_ID_LEN) ?
	    0 : -1;
}

/* ---- blocks ---- */

struct blocks {
	struct tq_block_meta	*m;
	struct tq_block		**b;	/* opened on first use */
	size_t			 n, cap;
	size_t			 lookups;	/* trace IDs to look up */
};

static int
collect(void *arg, const struct tq_block_meta *m)
{
	struct blocks *bl = arg;

	if (bl->n == bl->cap) {
		bl->cap = bl->cap ? 2 * bl->cap : 64;
		if ((bl->m = realloc(bl->m, bl->cap * sizeof(*bl->m))) == NULL)
			err(EXIT_FAIL, "realloc");
	}
	bl->m[bl->n++] = *m;
	return 0;
}

static void
blocks_free(struct blocks *bl)
{
	size_t i;

	for (i = 0; bl->b != NULL && i < bl->n; i++)
		tq_block_free(bl->b[i]);
	free(bl->b);
	free(bl->m);
}

/*
 * list_blocks fills bl with the tenant's visible blocks, or exits.  Blocks
 * whose meta.json cannot be read are reported and left out; it returns
 * EXIT_FAIL then, so the run ends with status 1 after doing the rest.
 */
static int
list_blocks(struct tq_store *st, struct blocks *bl)
{
	struct tq_err e;
	int rc;

	memset(bl, 0, sizeof(*bl));
	rc = tq_block_list(st, cli.tenant, false, collect, bl, &e);
	if (rc != 0 && rc != TQ_ECORRUPT)
		errx(EXIT_FAIL, "%s", e.msg);
	if (rc == TQ_ECORRUPT)
		warnx("%s", e.msg);
	bl->b = xcalloc(bl->n, sizeof(*bl->b));
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* floor_s converts nanoseconds to whole seconds, rounding down. */
static int64_t
floor_s(int64_t ns)
{
	return ns / 1000000000 - (ns % 1000000000 < 0);
}

/*
 * in_range tells whether block m may hold spans of [--start, --end].
 * meta.json has whole seconds: a block's end second covers up to the
 * next one.
 */
static bool
in_range(const struct tq_block_meta *m)
{
	if (cli.start_ns != 0 && m->end_s < floor_s(cli.start_ns))
		return false;
	if (cli.end_ns != 0 && m->start_s > floor_s(cli.end_ns))
		return false;
	return true;
}

/* age_s is now - end, 0 when that does not fit. */
static int64_t
age_s(int64_t now, int64_t end)
{
	int64_t d;

	return __builtin_sub_overflow(now, end, &d) ? 0 : d;
}

/* ---- output of traces ---- */

struct output {
	enum format		 format;
	int			 fd;
	FILE			*f;	/* tree */
	struct tq_stream_writer	*w;	/* json, proto */
	size_t			 traces;
};

static void
fmt_dur(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.2fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
}

/*
 * put_clean writes s for a terminal: control characters (C0, DEL and,
 * UTF-8 encoded, C1) become '?', so span data cannot send escape
 * sequences.
 */
static void
put_clean(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fputc('?', f);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', f);
			p++;
		} else
			fputc(*p, f);
	}
}

static uint64_t
span_end(const Tq__Span *sp)
{
	return sp->end_time_unix_nano > sp->start_time_unix_nano ?
	    sp->end_time_unix_nano : sp->start_time_unix_nano;
}

/* The tree: spans of tq_trace_info with children sorted by start. */
struct tree {
	struct tq_trace_info	 info;
	size_t			*first;		/* child list of span i */
	size_t			*kids;		/* n_spans - roots entries */
	size_t			*roots;
	size_t			 n_roots;
	size_t			*n_kids;
	bool			*critical;
};

static const struct tq_trace_info *sort_info;

static int
cmp_start(const void *x, const void *y)
{
	const struct tq_trace_span *a = &sort_info->spans[*(const size_t *)x];
	const struct tq_trace_span *b = &sort_info->spans[*(const size_t *)y];

	if (a->span->start_time_unix_nano != b->span->start_time_unix_nano)
		return a->span->start_time_unix_nano <
		    b->span->start_time_unix_nano ? -1 : 1;
	return a->left < b->left ? -1 : a->left > b->left;
}

/*
 * latest returns the one of the n spans idx[] that ends last; of several,
 * the first in idx (the earliest started).
 */
static size_t
latest(const struct tree *t, const size_t *idx, size_t n)
{
	size_t i, best = idx[0];

	for (i = 1; i < n; i++)
		if (span_end(t->info.spans[idx[i]].span) >
		    span_end(t->info.spans[best].span))
			best = idx[i];
	return best;
}

/*
 * tree_build links spans to their children (by the nested-set parents of
 * tq_trace_info), sorts siblings by start time and marks the critical
 * path: from the root that ends last, the child that ends last, and so
 * on down.  Memory comes from a.
 */
static int
tree_build(const Tq__TracesData *td, struct tq_arena *a, struct tree *t,
    struct tq_err *e)
{
	size_t n, i, *by_left, *fill, cur;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = tq_trace_info(td, a, &t->info, e)) != 0)
		return rc;
	n = t->info.n_spans;
	by_left = tq_arena_calloc(a, 2 * n + 2, sizeof(*by_left));
	t->first = tq_arena_calloc(a, n + 1, sizeof(*t->first));
	t->n_kids = tq_arena_calloc(a, n, sizeof(*t->n_kids));
	t->kids = tq_arena_calloc(a, n, sizeof(*t->kids));
	t->roots = tq_arena_calloc(a, n, sizeof(*t->roots));
	t->critical = tq_arena_calloc(a, n, sizeof(*t->critical));
	fill = tq_arena_calloc(a, n, sizeof(*fill));
	if (by_left == NULL || t->first == NULL || t->n_kids == NULL ||
	    t->kids == NULL || t->roots == NULL || t->critical == NULL ||
	    fill == NULL)
		return tq_err_set(e, TQ_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (t->info.spans[i].left > 0 &&
		    (size_t)t->info.spans[i].left <= 2 * n)
			by_left[t->info.spans[i].left] = i + 1;
	for (i = 0; i < n; i++) {
		int32_t p = t->info.spans[i].parent;

		if (p > 0 && (size_t)p <= 2 * n && by_left[p] != 0)
			t->n_kids[by_left[p] - 1]++;
		else
			t->roots[t->n_roots++] = i;
	}
	for (i = 0; i < n; i++)
		t->first[i + 1] = t->first[i] + t->n_kids[i];
	for (i = 0; i < n; i++) {
		int32_t p = t->info.spans[i].parent;

		if (p > 0 && (size_t)p <= 2 * n && by_left[p] != 0) {
			size_t pi = by_left[p] - 1;

			t->kids[t->first[pi] + fill[pi]++] = i;
		}
	}
	sort_info = &t->info;
	qsort(t->roots, t->n_roots, sizeof(*t->roots), cmp_start);
	for (i = 0; i < n; i++)
		if (t->n_kids[i] > 1)
			qsort(t->kids + t->first[i], t->n_kids[i],
			    sizeof(*t->kids), cmp_start);
	if (t->n_roots == 0)
		return 0;
	cur = latest(t, t->roots, t->n_roots);
	for (;;) {
		t->critical[cur] = true;
		if (t->n_kids[cur] == 0)
			break;
		cur = latest(t, t->kids + t->first[cur], t->n_kids[cur]);
	}
	return 0;
}

static void
print_span(FILE *f, const struct tree *t, size_t i, size_t depth)
{
	const struct tq_trace_span *ts = &t->info.spans[i];
	const Tq__Span *sp = ts->span;
	const char *svc = tq_trace_resource_attr(ts->rs, "service.name");
	uint64_t total = t->info.end_ns > t->info.start_ns ?
	    t->info.end_ns - t->info.start_ns : 1;
	uint64_t s = sp->start_time_unix_nano > t->info.start_ns ?
	    sp->start_time_unix_nano - t->info.start_ns : 0;
	uint64_t e = span_end(sp) > t->info.start_ns ?
	    span_end(sp) - t->info.start_ns : 0;
	char bar[BAR_WIDTH + 1], dur[32];
	size_t c0, c1, c;
	bool error = sp->status != NULL &&
	    sp->status->code == TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR;
	bool ok = sp->status != NULL &&
	    sp->status->code == TQ__STATUS__STATUS_CODE__STATUS_CODE_OK;

	if (s > total)
		s = total;
	if (e > total)
		e = total;
	c0 = (size_t)((double)s * BAR_WIDTH / (double)total);
	c1 = (size_t)((double)e * BAR_WIDTH / (double)total + 0.999999);
	if (c0 >= BAR_WIDTH)
		c0 = BAR_WIDTH - 1;
	if (c1 <= c0)
		c1 = c0 + 1;
	if (c1 > BAR_WIDTH)
		c1 = BAR_WIDTH;
	for (c = 0; c < BAR_WIDTH; c++)
		bar[c] = c >= c0 && c < c1 ? (t->critical[i] ? '#' : '=') : ' ';
	bar[BAR_WIDTH] = '\0';
	fmt_dur(span_end(sp) - sp->start_time_unix_nano, dur, sizeof(dur));
	fprintf(f, "|%s%s%s| %9s %c %*s%s", colour && t->critical[i] ?
	    "\033[33m" : "", bar, colour && t->critical[i] ? "\033[0m" : "",
	    dur, t->critical[i] ? '*' : ' ', (int)(2 * (depth < 1000 ? depth :
	    1000)), "", colour && error ? "\033[31m" : "");
	put_clean(f, svc != NULL && *svc != '\0' ? svc : "-");
	fputs(": ", f);
	put_clean(f, sp->name);
	if (error) {
		fputs(" ERROR", f);
		if (*sp->status->message != '\0') {
			fputs(": ", f);
			put_clean(f, sp->status->message);
		}
	} else if (ok)
		fprintf(f, " OK");
	fprintf(f, "%s\n", colour && error ? "\033[0m" : "");
}

/* print_tree writes the waterfall of trace td. */
static int
print_tree(FILE *f, const Tq__TracesData *td, struct tq_arena *a,
    struct tq_err *e)
{
	struct tree t;
	size_t *stack, *depth, sp = 0, i, j, errors = 0, crit = 0;
	char hex[2 * TQ_TRACE_ID_LEN + 1], dur[32];
	int rc;

	if ((rc = tree_build(td, a, &t, e)) != 0)
		return rc;
	for (i = 0; i < t.info.n_spans; i++) {
		const Tq__Span *s = t.info.spans[i].span;

		if (s->status != NULL && s->status->code ==
		    TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR)
			errors++;
		crit += t.critical[i];
	}
	tq_hex_encode(hex, t.info.id, TQ_TRACE_ID_LEN);
	fmt_dur(t.info.end_ns - t.info.start_ns, dur, sizeof(dur));
	fprintf(f, "trace %s  %s  %zu span%s  %zu service%s  %zu error%s  "
	    "critical path %zu span%s\n", hex, dur,
	    t.info.n_spans, t.info.n_spans == 1 ? "" : "s",
	    t.info.n_services, t.info.n_services == 1 ? "" : "s",
	    errors, errors == 1 ? "" : "s", crit, crit == 1 ? "" : "s");
	/* Depth first without recursion: a hostile trace may be deep. */
	stack = tq_arena_calloc(a, t.info.n_spans + 1, sizeof(*stack));
	depth = tq_arena_calloc(a, t.info.n_spans + 1, sizeof(*depth));
	if (stack == NULL || depth == NULL)
		return tq_err_set(e, TQ_ENOMEM, "out of memory");
	for (i = t.n_roots; i-- > 0;) {
		stack[sp] = t.roots[i];
		depth[sp++] = 0;
	}
	while (sp > 0) {
		size_t s = stack[--sp], d = depth[sp];

		print_span(f, &t, s, d);
		for (j = t.n_kids[s]; j-- > 0;) {
			stack[sp] = t.kids[t.first[s] + j];
			depth[sp++] = d + 1;
		}
	}
	return 0;
}

static int
write_trace(struct output *o, const Tq__TracesData *td, struct tq_arena *a,
    struct tq_err *e)
{
	if (o->format == FMT_TREE) {
		if (o->traces++ > 0)
			fputc('\n', o->f);
		return print_tree(o->f, td, a, e);
	}
	o->traces++;
	return tq_stream_writer_write(o->w, td, e);
}

/* ---- finding ---- */

static void
explain_line(const char *hex, const char *block, const char *outcome,
    const struct tq_block_explain *ex)
{
	fprintf(stderr, "tempo-get: explain: %s %s %s reads=%u bytes=%llu "
	    "row_group=", hex, block, outcome, ex->reads,
	    (unsigned long long)ex->bytes);
	if (ex->row_group >= 0)
		fprintf(stderr, "%d\n", ex->row_group);
	else
		fprintf(stderr, "-\n");
}

/* outcome_word maps the library's outcome to the documented word. */
static const char *
outcome_word(int rc, const struct tq_block_explain *ex)
{
	if (rc < 0)
		return "error";
	if (rc == 1)
		return "found";
	if (ex->outcome != NULL && strcmp(ex->outcome, "bloom: absent") == 0)
		return "bloom-absent";
	return "bloom-maybe-not-found";
}

/* mono_ns is a monotonic clock in nanoseconds, for --explain's elapsed. */
static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * get_one looks id up in every block and writes the combined trace.
 * With --explain the total line comes last, after the trace is written,
 * and its elapsed_us covers the whole lookup: the blocks, combining the
 * parts and writing the trace.  Returns EXIT_OK, EXIT_NOTFOUND or
 * EXIT_FAIL (after a message).
 */
static int
get_one(struct tq_store *st, struct blocks *bl, const char *arg,
    const uint8_t id[TQ_TRACE_ID_LEN], struct output *o, struct tq_arena *a)
{
	Tq__TracesData **parts = NULL, *td;
	struct tq_block_explain ex, none = { NULL, -1, 0, 0 };
	struct tq_err e;
	char hex[2 * TQ_TRACE_ID_LEN + 1];
	size_t i, n = 0, blocks_read = 0, reads = 0;
	uint64_t bytes = 0;
	int64_t t0 = explain ? mono_ns() : 0;
	int rc, status = EXIT_OK;

	tq_hex_encode(hex, id, TQ_TRACE_ID_LEN);
	tq_arena_reset(a);
	parts = xcalloc(bl->n, sizeof(*parts));
	for (i = 0; i < bl->n; i++) {
		if (!in_range(&bl->m[i])) {
			if (explain)
				explain_line(hex, bl->m[i].block_id, "time-range",
				    &none);
			continue;
		}
		if (bl->b[i] == NULL) {
			if (tq_block_open_meta(st, &bl->m[i], &bl->b[i],
			    &e) != 0)
				errx(EXIT_FAIL, "%s", e.msg);
			/* One ID: a shard kept would only cost memory. */
			tq_block_keep_shards(bl->b[i], bl->lookups > 1);
		}
		rc = tq_block_find(bl->b[i], id, a, &td, &ex, &e);
		blocks_read++;
		reads += ex.reads;
		bytes += ex.bytes;
		if (explain)
			explain_line(hex, bl->m[i].block_id, outcome_word(rc, &ex),
			    &ex);
		if (rc < 0) {
			warnx("%s: %s", arg, e.msg);
			status = EXIT_FAIL;
		} else if (rc == 1)
			parts[n++] = td;
	}
	if (n > 0) {
		if ((rc = tq_trace_combine(parts, n, a, &td, NULL, &e)) == 0 &&
		    cli.verbosity > 0)
			warnx("%s: found in %zu block%s, %zu spans", arg, n,
			    n == 1 ? "" : "s", tq_otlp_span_count(td));
		if (rc != 0 || (rc = write_trace(o, td, a, &e)) != 0) {
			warnx("%s: %s", arg, e.msg);
			status = EXIT_FAIL;
		}
		if (o->w != NULL && tq_stream_writer_flush(o->w, &e) != 0)
			errx(EXIT_FAIL, "%s: %s", cli.output ? cli.output :
			    "stdout", e.msg);
	}
	free(parts);
	if (explain)
		fprintf(stderr, "tempo-get: explain: %s total blocks=%zu read=%zu "
		    "found=%zu reads=%zu bytes=%llu elapsed_us=%lld\n", hex,
		    bl->n, blocks_read, n, reads, (unsigned long long)bytes,
		    (long long)((mono_ns() - t0) / 1000));
	if (n == 0) {
		if (status == EXIT_OK && cli.verbosity >= 0)
			warnx("%s: trace not found", arg);
		return status == EXIT_OK ? EXIT_NOTFOUND : status;
	}
	return status;
}

static int
get_traces(struct tq_store *st, int argc, char *argv[], enum format fmt)
{
	struct output o;
	struct blocks bl;
	struct tq_arena a;
	struct tq_err e;
	uint8_t (*ids)[TQ_TRACE_ID_LEN];
	int i, rc, status = EXIT_OK;

	if (argc > (int)TQ_GET_MAX_IDS) {
		warnx("more than %u trace IDs", TQ_GET_MAX_IDS);
		usage(stderr);
		return EXIT_USAGE;
	}
	ids = xcalloc((size_t)argc, sizeof(*ids));
	for (i = 0; i < argc; i++)
		if (parse_id(argv[i], ids[i]) != 0) {
			warnx("%s: not a trace ID (1 to 32 hex digits)", argv[i]);
			usage(stderr);
			free(ids);
			return EXIT_USAGE;
		}
	memset(&o, 0, sizeof(o));
	o.format = fmt;
	o.fd = cli_output(&cli);
	if (fmt == FMT_TREE) {
		if (o.fd == STDOUT_FILENO)
			o.f = stdout;
		else if ((o.f = fdopen(o.fd, "w")) == NULL)
			err(EXIT_FAIL, "%s", cli.output);
	} else if (tq_stream_writer_new(o.fd, fmt == FMT_JSON ? TQ_STREAM_JSON :
	    TQ_STREAM_PROTO, 0, &o.w, &e) != 0)
		errx(EXIT_FAIL, "%s", e.msg);
	status = list_blocks(st, &bl);
	bl.lookups = (size_t)argc;
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	for (i = 0; i < argc; i++) {
		rc = get_one(st, &bl, argv[i], ids[i], &o, &a);
		if (rc == EXIT_FAIL || (rc == EXIT_NOTFOUND && status == EXIT_OK))
			status = rc;
	}
	if (o.w != NULL && tq_stream_writer_close(o.w, &e) != 0)
		errx(EXIT_FAIL, "%s: %s", cli.output ? cli.output : "stdout", e.msg);
	tq_stream_writer_free(o.w);
	if (o.f != NULL && o.f != stdout && fclose(o.f) != 0)
		err(EXIT_FAIL, "%s", cli.output);
	if (o.fd != STDOUT_FILENO && o.f == NULL && close(o.fd) != 0)
		err(EXIT_FAIL, "%s", cli.output);
	tq_arena_release(&a);
	blocks_free(&bl);
	free(ids);
	return status;
}

/* ---- listing and inspection ---- */

static void
fmt_time(int64_t s, char *buf, size_t len)
{
	time_t t = (time_t)s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)s);
}

static void
fmt_size(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu%s", (unsigned long long)n, unit[u]);
	else
		snprintf(buf, len, "%.1f%s", v, unit[u]);
}

static void
fmt_age(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 3600)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

/* print_json writes o as one line and frees it. */
static void
print_json(FILE *f, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s == NULL)
		errx(EXIT_FAIL, "out of memory");
	fprintf(f, "%s\n", s);
	free(s);
	json_decref(o);
}

/* meta_json is the fields --list and --inspect share, raw units. */
static json_t *
meta_json(const struct tq_block_meta *m, int64_t now)
{
	json_t *o = json_object();

	json_object_set_new(o, "block_id", json_string(m->block_id));
	json_object_set_new(o, "tenant", json_string(m->tenant));
	json_object_set_new(o, "format", json_string(m->format));
	json_object_set_new(o, "level", json_integer(m->compaction_level));
	json_object_set_new(o, "traces", json_integer((json_int_t)
	    m->total_objects));
	json_object_set_new(o, "size_bytes", json_integer((json_int_t)m->size));
	json_object_set_new(o, "row_groups", json_integer(m->total_records));
	json_object_set_new(o, "bloom_shards", json_integer(m->bloom_shards));
	json_object_set_new(o, "footer_bytes", json_integer(m->footer_size));
	json_object_set_new(o, "start_s", json_integer(m->start_s));
	json_object_set_new(o, "end_s", json_integer(m->end_s));
	json_object_set_new(o, "age_s", json_integer(age_s(now, m->end_s)));
	return o;
}

static int
list(struct tq_store *st, enum format fmt)
{
	struct blocks bl;
	FILE *f = stdout;
	int64_t now = tq_timeparse_now() / 1000000000;
	size_t i;
	int status;

	status = list_blocks(st, &bl);
	if (fmt == FMT_TABLE && bl.n > 0)
		fprintf(f, "%-36s %3s %8s %9s %4s %-20s %-20s %s\n", "BLOCK",
		    "LVL", "TRACES", "SIZE", "RGS", "START", "END", "AGE");
	for (i = 0; i < bl.n; i++) {
		const struct tq_block_meta *m = &bl.m[i];
		char start[32], end[32], size[32], age[32];

		if (fmt == FMT_JSON) {
			print_json(f, meta_json(m, now));
			continue;
		}
		fmt_time(m->start_s, start, sizeof(start));
		fmt_time(m->end_s, end, sizeof(end));
		fmt_size(m->size, size, sizeof(size));
		fmt_age(age_s(now, m->end_s), age, sizeof(age));
		put_clean(f, m->block_id);
		fprintf(f, " %3u %8llu %9s %4u %-20s %-20s %s\n",
		    m->compaction_level,
		    (unsigned long long)m->total_objects, size,
		    m->total_records, start, end, age);
	}
	blocks_free(&bl);
	return status;
}

/* short_path drops the ".list.element" of list columns, for tables. */
static void
short_path(const char *p, char *buf, size_t len)
{
	static const char drop[] = ".list.element";
	size_t o = 0, dl = sizeof(drop) - 1;

	while (*p != '\0' && o + 1 < len) {
		if (strncmp(p, drop, dl) == 0) {
			p += dl;
			continue;
		}
		buf[o++] = *p++;
	}
	buf[o] = '\0';
}

/* names_of joins the names of the bits set in mask with sep. */
static void
names_of(uint32_t mask, const char *(*name)(int), const char *sep,
    char *buf, size_t len, json_t *arr)
{
	size_t o = 0;
	int b;

	buf[0] = '\0';
	for (b = 0; b < 32; b++) {
		if ((mask & (1u << b)) == 0)
			continue;
		if (arr != NULL)
			json_array_append_new(arr, json_string(name(b)));
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o > 0 ? sep : "", name(b));
	}
}

static int
inspect(struct tq_store *st, const char *id, enum format fmt)
{
	const struct tq_inspect_attr *attrs;
	const struct tq_parquet_schema *s;
	const struct tq_block_meta *m;
	struct tq_parquet_reader *pr;
	struct tq_inspect *in = NULL;
	struct tq_block *b = NULL;
	struct tq_err e;
	FILE *f = stdout;
	size_t rg, c, i, n_rg, n_attrs;
	int64_t now = tq_timeparse_now() / 1000000000;
	json_t *o, *ded;

	if (strlen(id) != TQ_BLOCK_ID_LEN || strchr(id, '/') != NULL) {
		warnx("%s: not a block ID", id);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (tq_block_open(st, cli.tenant, id, &b, &e) != 0) {
		warnx("%s", e.msg);
		return EXIT_FAIL;
	}
	m = tq_block_get_meta(b);
	if (tq_inspect_open(st, m, &in, &e) != 0) {
		warnx("%s", e.msg);
		tq_block_free(b);
		return EXIT_FAIL;
	}
	pr = tq_inspect_reader(in);
	s = tq_parquet_reader_schema(pr);
	n_rg = tq_parquet_reader_num_row_groups(pr);

	/* The block. */
	if (fmt == FMT_JSON) {
		json_t *mj = meta_json(m, now);

		o = json_pack("{s:s}", "record", "block");
		json_object_update(o, mj);
		json_decref(mj);
		ded = json_array();
		for (i = 0; i < m->n_ded; i++)
			json_array_append_new(ded, json_pack("{s:s,s:s}", "scope",
			    m->ded[i].scope == TQ_BLOCK_SCOPE_SPAN ? "span" :
			    "resource", "name", m->ded[i].name));
		json_object_set_new(o, "dedicated", ded);
		json_object_set_new(o, "created_by", json_string(
		    tq_parquet_reader_created_by(pr) ?
		    tq_parquet_reader_created_by(pr) : ""));
		json_object_set_new(o, "columns", json_integer((json_int_t)
		    s->n_columns));
		print_json(f, o);
	} else {
		char t0[32], t1[32];

		fmt_time(m->start_s, t0, sizeof(t0));
		fmt_time(m->end_s, t1, sizeof(t1));
		/* Everything from the block's files is cleaned for a terminal. */
		fprintf(f, "block         ");
		put_clean(f, m->block_id);
		fprintf(f, "\ntenant        ");
		put_clean(f, m->tenant);
		fprintf(f, "\nformat        ");
		put_clean(f, m->format);
		fprintf(f, "\ncreated by    ");
		put_clean(f, tq_parquet_reader_created_by(pr) ?
		    tq_parquet_reader_created_by(pr) : "");
		fputc('\n', f);
		fprintf(f, "level         %u\n", m->compaction_level);
		fprintf(f, "traces        %llu\n",
		    (unsigned long long)m->total_objects);
		fprintf(f, "size          %llu bytes\n",
		    (unsigned long long)m->size);
		fprintf(f, "footer        %u bytes\n", m->footer_size);
		fprintf(f, "row groups    %zu\n", n_rg);
		fprintf(f, "columns       %zu\n", s->n_columns);
		fprintf(f, "bloom shards  %u\n", m->bloom_shards);
		fprintf(f, "start         %s\n", t0);
		fprintf(f, "end           %s\n", t1);
		fprintf(f, "dedicated    ");
		for (i = 0; i < m->n_ded; i++) {
			fprintf(f, " %s:", m->ded[i].scope == TQ_BLOCK_SCOPE_SPAN ?
			    "span" : "resource");
			put_clean(f, m->ded[i].name);
		}
		fprintf(f, "%s\n", m->n_ded == 0 ? " none" : "");
		fprintf(f, "\n%-9s %10s %12s %14s\n", "ROW GROUP", "ROWS",
		    "COMPRESSED", "UNCOMPRESSED");
	}

	/* Row groups. */
	for (rg = 0; rg < n_rg; rg++) {
		int64_t comp = 0, unc = 0;

		for (c = 0; c < s->n_columns; c++) {
			const struct tq_parquet_chunk *ch =
			    tq_parquet_reader_chunk(pr, rg, (int)c);

			comp += ch->compressed_size;
			unc += ch->uncompressed_size;
		}
		if (fmt == FMT_JSON)
			print_json(f, json_pack("{s:s,s:I,s:I,s:I,s:I}", "record",
			    "row_group", "row_group", (json_int_t)rg, "rows",
			    (json_int_t)tq_parquet_reader_row_group_rows(pr, rg),
			    "compressed_bytes", (json_int_t)comp,
			    "uncompressed_bytes", (json_int_t)unc));
		else
			fprintf(f, "%-9zu %10lld %12lld %14lld\n", rg,
			    (long long)tq_parquet_reader_row_group_rows(pr, rg),
			    (long long)comp, (long long)unc);
	}

	/* Columns, totalled over the row groups. */
	if (fmt == FMT_TABLE)
		fprintf(f, "\n%12s %14s %-6s %-40s %s\n", "COMPRESSED",
		    "UNCOMPRESSED", "CODEC", "ENCODINGS", "COLUMN");
	for (c = 0; c < s->n_columns; c++) {
		int64_t comp = 0, unc = 0, values = 0;
		uint32_t codecs = 0, encs = 0;
		char codec[128], enc[512], path[1024];
		json_t *ca = NULL, *ea = NULL;

		for (rg = 0; rg < n_rg; rg++) {
			const struct tq_parquet_chunk *ch =
			    tq_parquet_reader_chunk(pr, rg, (int)c);

			comp += ch->compressed_size;
			unc += ch->uncompressed_size;
			values += ch->num_values;
			encs |= ch->encodings;
			if (ch->codec >= 0 && ch->codec < 32)
				codecs |= 1u << ch->codec;
		}
		if (fmt == FMT_JSON) {
			ca = json_array();
			ea = json_array();
		}
		names_of(codecs, tq_parquet_codec_name, ",", codec,
		    sizeof(codec), ca);
		names_of(encs, tq_parquet_encoding_name, ",", enc, sizeof(enc),
		    ea);
		if (fmt == FMT_JSON) {
			print_json(f, json_pack("{s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:I}",
			    "record", "column", "path", s->columns[c].path,
			    "physical_type", tq_parquet_type_name(s->columns[c].type),
			    "codecs", ca, "encodings", ea,
			    "compressed_bytes", (json_int_t)comp,
			    "uncompressed_bytes", (json_int_t)unc,
			    "values", (json_int_t)values));
			continue;
		}
		short_path(s->columns[c].path, path, sizeof(path));
		fprintf(f, "%12lld %14lld %-6s %-40s ", (long long)comp,
		    (long long)unc, codec, enc);
		put_clean(f, path);
		fputc('\n', f);
	}

	/* Attributes by bytes. */
	if (tq_inspect_attrs(in, &attrs, &n_attrs, &e) != 0) {
		warnx("%s", e.msg);
		tq_inspect_free(in);
		tq_block_free(b);
		return EXIT_FAIL;
	}
	if (fmt == FMT_TABLE)
		fprintf(f, "\n%12s %10s %-8s %s\n", "BYTES", "COUNT", "SCOPE",
		    "ATTRIBUTE (generic columns, most bytes first)");
	for (i = 0; i < n_attrs; i++) {
		const struct tq_inspect_attr *at = &attrs[i];

		if (fmt == FMT_JSON) {
			print_json(f, json_pack("{s:s,s:s,s:s,s:I,s:I}", "record",
			    "attribute", "scope", tq_inspect_scope_name(at->scope),
			    "key", at->key, "count", (json_int_t)at->count,
			    "bytes", (json_int_t)at->bytes));
			continue;
		}
		if (i == TOP_ATTRS) {
			fprintf(f, "%12s %10s %-8s (%zu more; -f json lists all)\n",
			    "", "", "", n_attrs - i);
			break;
		}
		fprintf(f, "%12llu %10llu %-8s ", (unsigned long long)at->bytes,
		    (unsigned long long)at->count,
		    tq_inspect_scope_name(at->scope));
		put_clean(f, at->key);
		fputc('\n', f);
	}
	tq_inspect_free(in);
	tq_block_free(b);
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "explain",	no_argument,		NULL, OPT_EXPLAIN },
		{ "inspect",	required_argument,	NULL, OPT_INSPECT },
		{ "list",	no_argument,		NULL, OPT_LIST },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct tq_store *st = NULL;
	struct tq_err e;
	const char *inspect_id = NULL, *nc;
	enum format fmt;
	bool do_list = false;
	int ch, rc;

	signal(SIGPIPE, SIG_DFL);	/* tempo-get ... | head: end quietly */
	cli_init(&cli, "tempo-get");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (cli_option(&cli, ch, optarg, usage))
			continue;
		switch (ch) {
		case OPT_EXPLAIN:
			explain = true;
			break;
		case OPT_INSPECT:
			inspect_id = optarg;
			break;
		case OPT_LIST:
			do_list = true;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (cli.store == NULL || *cli.store == '\0') {
		warnx("no store: give -s or set TEMPO_STORE");
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((do_list || inspect_id != NULL) && (argc > 0 ||
	    (do_list && inspect_id != NULL))) {
		warnx("--list and --inspect take no trace IDs and not each other");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!do_list && inspect_id == NULL && argc == 0) {
		warnx("no trace ID");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli.start_ns != 0 && cli.end_ns != 0 && cli.start_ns > cli.end_ns) {
		warnx("--start is after --end");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (do_list || inspect_id != NULL) {
		if (cli.format == NULL || strcmp(cli.format, "table") == 0)
			fmt = FMT_TABLE;
		else if (strcmp(cli.format, "json") == 0)
			fmt = FMT_JSON;
		else {
			warnx("%s: unknown format (table or json)", cli.format);
			usage(stderr);
			return EXIT_USAGE;
		}
	} else if (cli.format == NULL)
		fmt = cli.output == NULL && isatty(STDOUT_FILENO) ? FMT_TREE :
		    FMT_JSON;
	else if (strcmp(cli.format, "json") == 0)
		fmt = FMT_JSON;
	else if (strcmp(cli.format, "proto") == 0)
		fmt = FMT_PROTO;
	else if (strcmp(cli.format, "tree") == 0)
		fmt = FMT_TREE;
	else {
		warnx("%s: unknown format (json, proto or tree)", cli.format);
		usage(stderr);
		return EXIT_USAGE;
	}
	nc = getenv("NO_COLOR");
	colour = fmt == FMT_TREE && cli.output == NULL &&
	    isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	if (tq_store_open(cli.store, NULL, &st, &e) != 0)
		errx(EXIT_FAIL, "%s: %s", cli.store, e.msg);
	if ((do_list || inspect_id != NULL) && cli.output != NULL &&
	    strcmp(cli.output, "-") != 0 &&
	    freopen(cli.output, "w", stdout) == NULL)
		err(EXIT_FAIL, "%s", cli.output);
	if (do_list)
		rc = list(st, fmt);
	else if (inspect_id != NULL)
		rc = inspect(st, inspect_id, fmt);
	else
		rc = get_traces(st, argc, argv, fmt);
	tq_store_free(st);
	if (close_stdout() != 0)
		return EXIT_FAIL;
	return rc;
}
