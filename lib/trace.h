/*
 * trace.h: operations on one trace's spans, whatever store they came from.
 *
 * A trace is a Tq__TracesData whose spans all share one trace ID.  Parts of
 * a trace arrive in several batches and live in several blocks; readers
 * combine them here (de-duplicating spans by span ID and kind, as Tempo
 * does), and writers derive the trace-level columns (start, end, root
 * service and span name, per-service counts) and the nested-set numbers
 * that TraceQL's structural operators use.
 */
#ifndef TQ_TRACE_H
#define TQ_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "otlp.h"

/* A span with the resource and scope it belongs to. */
struct tq_trace_span {
	Tq__Span		*span;
	Tq__ResourceSpans	*rs;
	Tq__ScopeSpans		*ss;
	int32_t			 left;		/* nested set, from 1 */
	int32_t			 right;
	int32_t			 parent;	/* parent's left; -1 at a root */
};

/* Per-service counts of a trace (vParquet4 ServiceStats). */
struct tq_trace_service {
	const char	*name;
	uint32_t	 spans;
	uint32_t	 errors;
};

/* What a trace's row carries besides its spans. */
struct tq_trace_info {
	uint8_t			 id[TQ_TRACE_ID_LEN];
	uint64_t		 start_ns;	/* earliest span start */
	uint64_t		 end_ns;	/* latest span end */
	const char		*root_service;	/* "" without a root span */
	const char		*root_name;
	struct tq_trace_service	*services;	/* sorted by name */
	size_t			 n_services;
	struct tq_trace_span	*spans;		/* in document order */
	size_t			 n_spans;
};

/*
 * tq_trace_combine merges n parts of one trace into *out, allocated from a:
 * ResourceSpans with equal resources are joined, ScopeSpans with equal
 * scopes likewise, and of spans with the same span ID and kind only the
 * first is kept.  *dropped (if not NULL) counts the duplicates.  Parts are
 * not modified; *out shares their strings.  Returns 0 or TQ_ENOMEM.
 */
int	tq_trace_combine(Tq__TracesData *const *parts, size_t n,
	    struct tq_arena *a, Tq__TracesData **out, size_t *dropped,
	    struct tq_err *err);

/*
 * tq_trace_info computes info for trace td (all spans of one ID; the ID is
 * taken from the first span), nested-set numbers included: spans are
 * numbered depth first from each root (a span whose parent is absent or
 * not in the trace), children in document order, as Tempo does.  Everything is
 * allocated from a.  Returns 0, TQ_EINVAL (no spans) or TQ_ENOMEM.
 */
int	tq_trace_info(const Tq__TracesData *td, struct tq_arena *a,
	    struct tq_trace_info *info, struct tq_err *err);

/* A span's place in its trace's tree, for tq_trace_number. */
struct tq_trace_node {
	const uint8_t	*id;		/* span ID */
	const uint8_t	*parent_id;	/* parent span ID (any, if parent_len 0) */
	size_t		 id_len;
	size_t		 parent_len;	/* 0 at a root */
	int32_t		 left;		/* out: nested set, from 1 */
	int32_t		 right;
	int32_t		 parent;	/* out: parent's left; -1 at a root */
};

/*
 * tq_trace_number sets left, right and parent of nodes[0..n) (a trace's
 * spans in document order) as tq_trace_info does: depth first from each
 * root, children in document order.  Scratch memory comes from a.
 * Returns 0 or TQ_ENOMEM.
 */
int	tq_trace_number(struct tq_trace_node *nodes, size_t n,
	    struct tq_arena *a);

/*
 * tq_trace_split groups the spans of td by trace ID: *out[i] is a
 * TracesData holding the spans of one trace with their resources and
 * scopes (sharing td's memory), *n their number, in order of first
 * appearance.  Spans whose trace ID is not 16 bytes, or all zero, are
 * left out and counted in *invalid.  Returns 0 or TQ_ENOMEM.
 */
int	tq_trace_split(const Tq__TracesData *td, struct tq_arena *a,
	    Tq__TracesData ***out, size_t *n, size_t *invalid,
	    struct tq_err *err);

/* tq_trace_resource_attr returns resource attribute key's string, or NULL. */
const char *tq_trace_resource_attr(const Tq__ResourceSpans *rs,
	    const char *key);

#endif
