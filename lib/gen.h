/*
 * gen.h: a seeded generator of synthetic traces shaped like a real shop.
 *
 * The traces come from an online shop of up to eleven services (frontend,
 * product-catalog, currency, cart, checkout, payment, inventory, auth,
 * recommendation, email, fraud-detection), each with several instances,
 * making HTTP, gRPC, PostgreSQL, Redis and Kafka calls with the
 * OpenTelemetry semantic-convention attributes the JavaScript SDK's
 * instrumentations record.  Parents in another service are remote (span
 * flags 0x301, else 0x101).  Traces carry every attribute value type
 * (arrays of each scalar type, empty arrays, bytes and key-value lists),
 * non-ASCII strings, events (exceptions with stack traces), links to
 * earlier traces, W3C tracestate and errors that propagate to the root.
 *
 * Everything derives from the seed through the generator's own PRNG and
 * integer arithmetic, so the same options give the same spans, byte for
 * byte, on every machine.  Spans come out as an exporter would send them:
 * in the order they end, cut into records of a given number of spans, so
 * one trace may be split across records and records mix traces.
 */
#ifndef TQ_GEN_H
#define TQ_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "otlp.h"

/* Bounds of the options (tq_gen_new checks them). */
#define TQ_GEN_SERVICES		11	/* services in the shop */
#define TQ_GEN_MAX_INSTANCES	16	/* instances per service */
#define TQ_GEN_MAX_DEPTH	64	/* span tree depth */
#define TQ_GEN_MAX_FANOUT	1000	/* repeated calls under one span */

/* 2026-01-01T00:00:00Z, the default base time, in ns since the epoch. */
#define TQ_GEN_DEFAULT_START	1767225600000000000LL

struct tq_gen_opts {
	uint64_t	seed;
	int64_t		start_ns;	/* the first trace starts here */
	uint64_t	traces;		/* traces to make; 0: no limit */
	uint64_t	spans;		/* stop starting traces at this many
					   spans (whole traces); 0: no limit */
	unsigned	services;	/* 1 .. TQ_GEN_SERVICES */
	unsigned	instances;	/* per service, 1 .. TQ_GEN_MAX_INSTANCES;
					   with 3 or more the last is staging */
	unsigned	depth;		/* 1 .. TQ_GEN_MAX_DEPTH */
	unsigned	fanout;		/* 1 .. TQ_GEN_MAX_FANOUT */
	double		error_rate;	/* share of traces with an error, 0 .. 1 */
	size_t		batch;		/* spans per record, 1 .. TQ_GEN_MAX_BATCH
					   (the TQ_GEN_MAX_* of lib/limits.h) */
	size_t		huge_attr;	/* > 0: the first trace's root has one
					   string attribute app.payload of this
					   many bytes (<= TQ_GEN_MAX_HUGE_ATTR) */
	uint64_t	huge_trace;	/* > 0: the first trace has exactly this
					   many spans (<= TQ_GEN_MAX_HUGE_TRACE) */
};

struct tq_gen;

/* tq_gen_opts_default fills o with the defaults (seed 1, 100 traces). */
void	tq_gen_opts_default(struct tq_gen_opts *o);

/*
 * tq_gen_new checks o and makes a generator; *out is owned by the caller
 * (tq_gen_free).  Returns 0, TQ_EINVAL (err names the bad option) or
 * TQ_ENOMEM.
 */
int	tq_gen_new(const struct tq_gen_opts *o, struct tq_gen **out,
	    struct tq_err *err);

/* tq_gen_free frees g (NULL allowed) and every span it made. */
void	tq_gen_free(struct tq_gen *g);

/*
 * tq_gen_next makes the next record: a TracesData of o->batch spans (fewer
 * in the last one), grouped by resource and scope.  Its top structures are
 * allocated from a; the spans it points to belong to g and stay valid until
 * the next call of tq_gen_next or tq_gen_free.  Returns 1 with *out set, 0
 * when every span has been returned, or TQ_ENOMEM (also when one trace
 * outgrows TQ_GEN_MAX_TRACE_ARENA of lib/limits.h); after an error g can
 * only be freed.
 */
int	tq_gen_next(struct tq_gen *g, struct tq_arena *a,
	    Tq__TracesData **out, struct tq_err *err);

/*
 * tq_gen_stop makes g start no more traces: the following calls of
 * tq_gen_next return the spans of the traces already started, then 0.
 */
void	tq_gen_stop(struct tq_gen *g);

/* tq_gen_traces returns the number of traces started so far. */
uint64_t tq_gen_traces(const struct tq_gen *g);

#endif
