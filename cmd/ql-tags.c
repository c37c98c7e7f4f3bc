/*
 * ql-tags.c: tempo-ql --tags and --tag-values (see ql.h): the attribute
 * names of a store's spans, or the values of one TraceQL identifier,
 * collected by lib/tags.c and printed as Tempo's v2 tag replies (-f json
 * or jsonl: one line) or as a table for people.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "limits.h"
#include "ql.h"
#include "tags.h"

/* put_text prints len bytes of p with control characters escaped. */
static void
put_text(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* collect runs the scan of t over ctx's store; returns the exit status. */
static int
collect(const struct ql_ctx *ctx, struct tq_tags *t, const char *what)
{
	struct tq_err e;

	tq_err_clear(&e);
	if (tq_tags_scan(t, ctx->store, ctx->tenant, ctx->start_ns,
	    ctx->end_ns, &e) != 0) {
		warnx("%s: %s", what, e.msg);
		return EXIT_FAIL;
	}
	if (ctx->verbosity > 0)
		warnx("%s: %zu blocks, %llu bytes read%s", what,
		    tq_tags_blocks(t),
		    (unsigned long long)tq_tags_inspected_bytes(t),
		    tq_tags_truncated(t) ? ", cut by the limit" : "");
	return EXIT_OK;
}

/* print writes t in ctx's format; returns the exit status. */
static int
print(const struct ql_ctx *ctx, struct tq_tags *t, bool values)
{
	const struct tq_tags_item *it;
	struct tq_buf b;
	struct tq_err e;
	size_t n, i;
	int scope, rc = EXIT_OK;

	if (ctx->format == QL_FORMAT_JSON || ctx->format == QL_FORMAT_JSONL) {
		tq_buf_init(&b, TQ_TAGS_MAX_BYTES * 2u);
		if (tq_tags_json(t, &b, &e) != 0) {
			warnx("%s", e.msg);
			rc = EXIT_FAIL;
		} else {
			fwrite(b.data, 1, b.len, stdout);
			putchar('\n');
		}
		tq_buf_release(&b);
		return rc;
	}
	if (values) {
		n = tq_tags_values(t, &it);
		printf("%-8s  %s\n", "TYPE", "VALUE");
		for (i = 0; i < n; i++) {
			printf("%-8s  ", tq_tags_type_name(it[i].type));
			put_text(it[i].text, it[i].len);
			putchar('\n');
		}
		return rc;
	}
	printf("%-15s  %s\n", "SCOPE", "TAG");
	for (scope = 0; scope < TQ_TAGS_NSCOPES; scope++) {
		n = tq_tags_names(t, scope, &it);
		for (i = 0; i < n; i++) {
			printf("%-15s  ", tq_tags_scope_name(scope));
			put_text(it[i].text, it[i].len);
			putchar('\n');
		}
	}
	return rc;
}

/* check_ctx refuses what tags cannot do; returns 0 or the exit status. */
static int
check_ctx(const struct ql_ctx *ctx, const char *opt)
{
	if (ctx->store == NULL) {
		warnx("%s needs a store (-s or TEMPO_STORE)", opt);
		return EXIT_USAGE;
	}
	if (ctx->format == QL_FORMAT_STREAM) {
		warnx("%s prints json, jsonl or a table, not a span stream",
		    opt);
		return EXIT_USAGE;
	}
	return 0;
}

int
ql_tags(const struct ql_ctx *ctx, const char *scope)
{
	struct tq_tags *t = NULL;
	struct tq_err e;
	unsigned mask;
	int rc;

	if ((rc = check_ctx(ctx, "--tags")) != 0)
		return rc;
	if (tq_tags_scopes(scope, &mask, &e) != 0) {
		warnx("--scope: %s (give intrinsic, resource, span, event, "
		    "link or instrumentation)", e.msg);
		return EXIT_USAGE;
	}
	if (tq_tags_new(mask, ctx->limit, &t, &e) != 0) {
		warnx("--tags: %s", e.msg);
		return EXIT_USAGE;
	}
	if ((rc = collect(ctx, t, "--tags")) == EXIT_OK)
		rc = print(ctx, t, false);
	tq_tags_free(t);
	return rc;
}

int
ql_tag_values(const struct ql_ctx *ctx, const char *name, const char *query)
{
	struct tq_tags *t = NULL;
	struct tq_err e;
	int rc;

	if ((rc = check_ctx(ctx, "--tag-values")) != 0)
		return rc;
	if (tq_tags_new_values(name, ctx->limit, &t, &e) != 0) {
		warnx("--tag-values: %s", e.msg);
		return EXIT_FAIL;
	}
	if (query != NULL) {
		tq_err_clear(&e);
		if (tq_tags_query(t, ctx->store, ctx->tenant, ctx->start_ns,
		    ctx->end_ns, query, &e) != 0) {
			warnx("--query: %s", e.msg);
			rc = EXIT_FAIL;
		} else {
			rc = print(ctx, t, true);
		}
	} else if ((rc = collect(ctx, t, name)) == EXIT_OK)
		rc = print(ctx, t, true);
	tq_tags_free(t);
	return rc;
}
