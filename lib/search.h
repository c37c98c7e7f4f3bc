/*
 * search.h: TraceQL search over blocks and over traces in memory, and
 * Tempo's search results (SearchResponse) built from what it finds.
 *
 * The evaluator (traceql.h) sees batches of whole traces through a fetch
 * callback.  Two sources make batches: OTLP traces in memory (the span
 * stream, tempo-serve's recent traces) and a row group of a block's
 * data.parquet, from which only the columns a query reads are decoded.
 * tq_search_store runs a query over every block of a tenant on a pool of
 * threads, the most recent blocks first, and stops once no unread block
 * can hold a trace more recent than the limit-th found: results are the
 * same every time.
 */
#ifndef TQ_SEARCH_H
#define TQ_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "otlp.h"
#include "traceql.h"

struct tq_store;
struct tq_block;

/* A span of a result: what Tempo's search shows of it. */
struct tq_search_span {
	char			 id[2 * TQ_SPAN_ID_LEN + 1];	/* hex */
	const char		*name;
	uint64_t		 start_ns;
	uint64_t		 duration_ns;
	struct tq_ql_kv		*attrs;		/* shown fields */
	size_t			 nattrs;
};

struct tq_search_set {
	struct tq_search_span	*spans;		/* at most spss */
	size_t			 nspans;
	uint32_t		 matched;	/* before the spss cut */
	struct tq_ql_kv		*attrs;		/* by() values, aggregates */
	size_t			 nattrs;
};

struct tq_search_service {
	const char		*name;
	uint32_t		 spans;
	uint32_t		 errors;
};

/* One trace found: Tempo's TraceSearchMetadata. */
struct tq_search_trace {
	uint8_t			 id[TQ_TRACE_ID_LEN];
	const char		*root_service;	/* "" when no root span */
	const char		*root_name;
	uint64_t		 start_ns;
	uint64_t		 end_ns;
	struct tq_search_set	*sets;
	size_t			 nsets;
	struct tq_search_service *services;
	size_t			 nservices;
};

/* What a search inspected (SearchMetrics). */
struct tq_search_metrics {
	uint64_t	 inspected_traces;
	uint64_t	 inspected_spans;
	uint64_t	 inspected_bytes;	/* bytes read from the store */
	uint64_t	 backend_reads;
	uint32_t	 total_blocks;
	uint32_t	 completed_blocks;
	uint64_t	 total_block_bytes;
	uint64_t	 skipped_row_groups;	/* pruned without decoding */
	uint32_t	 skipped_blocks;	/* ruled out by values filters */
};

/* Results: traces, most recent first once tq_search_finish has run. */
struct tq_search_result {
	struct tq_arena		 arena;		/* everything below */
	struct tq_search_trace	**traces;
	size_t			 n, cap;
	bool			 limited;	/* the limit left traces out */
	struct tq_search_metrics metrics;
	/* The start times of the most recent traces added, at most the
	 * limit, as a min-heap: a match older than top[0] cannot be in
	 * the results and is not built. */
	uint64_t		*top;
	size_t			 ntop;
};

struct tq_search_opts {
	int64_t		 start_ns;	/* traces overlapping [start, end]; */
	int64_t		 end_ns;	/* 0: open */
	size_t		 limit;		/* traces; 0: no limit */
	size_t		 spss;		/* spans per spanset; 0: all */
	int		 threads;	/* 0: the number of CPUs */
};

/* tq_search_opts_init fills o with Tempo's defaults (limit 20, spss 3). */
void	tq_search_opts_init(struct tq_search_opts *o);

/* tq_search_result_new makes an empty result; free with _free. */
int	tq_search_result_new(struct tq_search_result **out, struct tq_err *err);
void	tq_search_result_free(struct tq_search_result *r);

/*
 * A prepared query: the evaluator and the fields results show.  One per
 * thread.
 */
struct tq_search_query;

int	tq_search_query_new(const struct tq_ql_query *q,
	    struct tq_search_query **out, struct tq_err *err);
void	tq_search_query_free(struct tq_search_query *sq);

/*
 * tq_search_otlp_batch makes a batch of the n whole traces (each one
 * trace ID; tq_trace_split makes them) whose fetches read the OTLP
 * messages; everything lives in a.  Returns 0 or TQ_ENOMEM.
 */
int	tq_search_otlp_batch(Tq__TracesData *const *traces, size_t n,
	    struct tq_arena *a, struct tq_ql_batch *out, struct tq_err *err);

/*
 * tq_search_batch evaluates sq over batch b (its memory in a, which the
 * caller resets afterwards) and adds the traces found to r, copied into
 * r's arena.  matched (if not NULL) receives, per trace of the batch,
 * whether it was found.  Returns 0 or an error of the evaluation.
 */
int	tq_search_batch(struct tq_search_query *sq, const struct tq_ql_batch *b,
	    struct tq_arena *a, const struct tq_search_opts *o,
	    struct tq_search_result *r, bool *matched, struct tq_err *err);

/*
 * tq_search_block searches one block: row groups that no result can come
 * from (the query's needs against statistics and dictionaries, the time
 * range) are skipped without reading their data; only the columns the
 * query reads are decoded.  Returns 0 or an error naming the block.
 */
int	tq_search_block(struct tq_search_query *sq, struct tq_block *blk,
	    const struct tq_search_opts *o, struct tq_search_result *r,
	    struct tq_err *err);

/*
 * tq_search_store searches every block of tenant in s whose time range
 * meets the options' and finishes r.  Returns 0, or the first error (a
 * bad block is an error: results would be incomplete).
 */
int	tq_search_store(struct tq_store *s, const char *tenant,
	    const struct tq_ql_query *q, const struct tq_search_opts *o,
	    struct tq_search_result *r, struct tq_err *err);

/*
 * tq_search_finish merges traces found more than once (parts of a trace
 * in several blocks), sorts the most recent first (ties by trace ID) and
 * cuts to the limit, setting r->limited when traces were left out.
 */
void	tq_search_finish(struct tq_search_result *r,
	    const struct tq_search_opts *o);

/*
 * tq_search_trace_json appends one trace as Tempo's TraceSearchMetadata
 * JSON; tq_search_json appends the whole SearchResponse.  Errors as
 * tq_buf_append.
 */
int	tq_search_trace_json(const struct tq_search_trace *t, struct tq_buf *out);
int	tq_search_json(const struct tq_search_result *r, struct tq_buf *out);

/*
 * tq_ql_value_text appends v as search results show it: durations as Go
 * prints them ("1.5s"), status and kind as keywords, arrays in brackets.
 */
int	tq_ql_value_text(const struct tq_ql_value *v, struct tq_buf *out);

#endif
