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
};

/*
 * ql_search compiles the len bytes of query text and runs it with ctx's
 * settings, printing the results on stdout in ctx->format and errors on
 * stderr ("tempo-ql: query:LINE:COL: ...").  Returns the exit status.
 */
int	ql_search(const struct ql_ctx *ctx, const char *text, size_t len);

/*
 * ql_repl reads queries from the terminal with readline until end of
 * input and runs each with ql_search, results as tables.  Returns the
 * exit status.
 */
int	ql_repl(struct ql_ctx *ctx);

#endif
