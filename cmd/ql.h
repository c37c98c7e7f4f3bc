/*
 * ql.h: the parts of tempo-ql (cmd/tempo-ql.c, cmd/ql-*.c) and what they
 * share: where the spans come from and how results are printed.
 */
#ifndef TQ_CMD_QL_H
#define TQ_CMD_QL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tq_store;

/* Output formats of a search. */
enum ql_format {
	QL_FORMAT_TABLE,	/* for people: one row per spanset */
	QL_FORMAT_JSON,		/* Tempo's SearchResponse */
	QL_FORMAT_JSONL,	/* one TraceSearchMetadata per line */
	QL_FORMAT_STREAM,	/* the matching traces as a span stream */
};

/* A search's setting, from the command line; the REPL reuses it. */
struct ql_ctx {
	struct tq_store	*store;		/* NULL: the span stream on stdin */
	const char	*tenant;
	int64_t		 start_ns;	/* 0: open */
	int64_t		 end_ns;	/* 0: open */
	size_t		 limit;		/* traces */
	size_t		 spss;		/* spans per spanset */
	int		 threads;
	enum ql_format	 format;
	int		 verbosity;
	/* If not NULL, ql_search stores the number of traces it printed
	 * there (the REPL shows it with the query's time). */
	size_t		*found;
};

/*
 * ql_search compiles the len bytes of query text and runs it with ctx's
 * settings, printing the results on stdout in ctx->format and errors on
 * stderr ("tempo-ql: query:LINE:COL: ...").  Returns the exit status.
 */
int	ql_search(const struct ql_ctx *ctx, const char *text, size_t len);

/*
 * ql_tags prints the attribute names of the store's spans (scope NULL:
 * every scope), shaped as Tempo's /api/v2/search/tags reply, or as a
 * table.  ql_tag_values prints the values of the TraceQL identifier name
 * (span.x, resource.x, .x, an intrinsic) as /api/v2/search/tag/NAME/values
 * does, only of spans matching query when it is not NULL.  Both return
 * the exit status.
 */
int	ql_tags(const struct ql_ctx *ctx, const char *scope);
int	ql_tag_values(const struct ql_ctx *ctx, const char *name,
	    const char *query);

/*
 * ql_repl reads queries from the terminal with readline until end of
 * input and runs each with ql_search, results as tables.  Returns the
 * exit status.
 */
int	ql_repl(struct ql_ctx *ctx);

#endif
