/*
 * traceql.h: the TraceQL language (man tempo-ql.7): lexer, parser,
 * validator and printer, producing the syntax tree that the evaluator
 * and the metrics engine walk.
 *
 * A query is compiled in two steps that tell apart Tempo's three kinds of
 * rejection: tq_ql_parse fails with TQ_ESYNTAX (a parse error), and
 * tq_ql_validate fails with TQ_EINVAL (an invalid query: type errors, a
 * bad regex, intrinsic = nil, ...) or TQ_EUNSUPPORTED (the query is
 * TraceQL but not something Tempo runs: the parent scope, aggregates
 * compared with aggregates, ...).  tq_ql_compile does both.  Every
 * message starts with "LINE:COL: ", the place in the query text
 * (1-based, columns count bytes).
 *
 * The whole tree lives in the query's arena and is freed at once by
 * tq_ql_free.  Nothing here has global state: a compiled query is read
 * only and may be shared by threads.  Recursion is bounded by the limits
 * of lib/limits.h; every function here runs in 512 KiB of stack.
 */
#ifndef TQ_TRACEQL_H
#define TQ_TRACEQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "err.h"

/* What a node of the tree is. */
enum tq_ql_kind {
	/* Field expressions: inside { }, by(), aggregates, metrics. */
	TQ_QL_STATIC,		/* u.val */
	TQ_QL_ATTR,		/* u.attr: span.x, resource.x, .x, ... */
	TQ_QL_INTRINSIC,	/* u.intrinsic: duration, span:id, ... */
	TQ_QL_BINARY,		/* op lhs rhs: arithmetic, comparison, logic */
	TQ_QL_UNARY,		/* op lhs: NEG, NOT, EXISTS, NOT_EXISTS */

	/* Spanset pipelines (search). */
	TQ_QL_FILTER,		/* { lhs }; lhs NULL for { } */
	TQ_QL_SPANSET_OP,	/* lhs op rhs: && || and structural ops */
	TQ_QL_PIPELINE,		/* items[0] | items[1] | ... */
	TQ_QL_GROUP,		/* by(lhs) */
	TQ_QL_COALESCE,		/* coalesce() */
	TQ_QL_SELECT,		/* select(items...) */
	TQ_QL_AGGREGATE,	/* u.agg(lhs); lhs NULL for count() */
	TQ_QL_SCALAR_OP,	/* lhs op rhs over aggregates/pipelines/statics */
	TQ_QL_SCALAR_FILTER,	/* lhs op rhs, op a comparison */

	/* Metrics. */
	TQ_QL_METRICS,		/* u.metrics: rate(), ..._over_time(lhs) by(items) */
	TQ_QL_METRICS_PIPELINE,	/* lhs (a PIPELINE) | rhs (a METRICS) */
	TQ_QL_METRICS_OP,	/* lhs op rhs, op + - * /, a side may be STATIC */
	TQ_QL_STAGES,		/* lhs then the second stages items[] */
	TQ_QL_TOPK,		/* topk(u.val.i) or bottomk (op says which) */
	TQ_QL_METRICS_FILTER,	/* op lhs (a STATIC): drop failing points */
	TQ_QL_HINT,		/* u.hint.name = lhs (a STATIC) */
};

/* Operators.  Comparisons keep Tempo's spelling in the comments. */
enum tq_ql_op {
	TQ_QL_OP_NONE,
	TQ_QL_OP_ADD, TQ_QL_OP_SUB, TQ_QL_OP_MUL, TQ_QL_OP_DIV,
	TQ_QL_OP_MOD, TQ_QL_OP_POW,
	TQ_QL_OP_EQ, TQ_QL_OP_NEQ, TQ_QL_OP_LT, TQ_QL_OP_LTE,
	TQ_QL_OP_GT, TQ_QL_OP_GTE,
	TQ_QL_OP_RE,		/* =~, fully anchored */
	TQ_QL_OP_NRE,		/* !~, fully anchored */
	TQ_QL_OP_AND, TQ_QL_OP_OR,
	TQ_QL_OP_NOT,		/* unary ! */
	TQ_QL_OP_NEG,		/* unary - */
	TQ_QL_OP_EXISTS,	/* x != nil */
	TQ_QL_OP_NOT_EXISTS,	/* x = nil */
	/* Spanset operators. */
	TQ_QL_OP_SS_AND,	/* && */
	TQ_QL_OP_SS_OR,		/* || */
	TQ_QL_OP_CHILD,		/* > */
	TQ_QL_OP_PARENT,	/* < */
	TQ_QL_OP_DESC,		/* >> */
	TQ_QL_OP_ANCE,		/* << */
	TQ_QL_OP_SIBL,		/* ~ */
	TQ_QL_OP_NOT_CHILD,	/* !> */
	TQ_QL_OP_NOT_PARENT,	/* !< */
	TQ_QL_OP_NOT_DESC,	/* !>> */
	TQ_QL_OP_NOT_ANCE,	/* !<< */
	TQ_QL_OP_NOT_SIBL,	/* !~ */
	TQ_QL_OP_UNION_CHILD,	/* &> */
	TQ_QL_OP_UNION_PARENT,	/* &< */
	TQ_QL_OP_UNION_DESC,	/* &>> */
	TQ_QL_OP_UNION_ANCE,	/* &<< */
	TQ_QL_OP_UNION_SIBL,	/* &~ */
	/* Second stage. */
	TQ_QL_OP_TOPK,
	TQ_QL_OP_BOTTOMK,
};

/* Static types; also the type a validated expression resolves to. */
enum tq_ql_type {
	TQ_QL_T_NIL,
	TQ_QL_T_INT,		/* u.val.i */
	TQ_QL_T_FLOAT,		/* u.val.f */
	TQ_QL_T_DURATION,	/* u.val.i, nanoseconds */
	TQ_QL_T_STRING,		/* u.val.s, u.val.len (may hold NULs) */
	TQ_QL_T_BOOL,		/* u.val.b */
	TQ_QL_T_STATUS,		/* u.val.i, enum tq_ql_status */
	TQ_QL_T_KIND,		/* u.val.i, enum tq_ql_span_kind */
	TQ_QL_T_ATTRIBUTE,	/* not a static: known only per span */
	TQ_QL_T_ARRAY,		/* evaluation only: struct tq_ql_value.u.a */
};

/* TraceQL's numbering, which is not OTLP's. */
enum tq_ql_status { TQ_QL_STATUS_ERROR, TQ_QL_STATUS_OK, TQ_QL_STATUS_UNSET };
enum tq_ql_span_kind {
	TQ_QL_KIND_UNSPECIFIED, TQ_QL_KIND_INTERNAL, TQ_QL_KIND_CLIENT,
	TQ_QL_KIND_SERVER, TQ_QL_KIND_PRODUCER, TQ_QL_KIND_CONSUMER,
};

/* Attribute scopes; .x is TQ_QL_SCOPE_NONE (span or resource). */
enum tq_ql_scope {
	TQ_QL_SCOPE_NONE, TQ_QL_SCOPE_SPAN, TQ_QL_SCOPE_RESOURCE,
	TQ_QL_SCOPE_EVENT, TQ_QL_SCOPE_LINK, TQ_QL_SCOPE_INSTRUMENTATION,
};

enum tq_ql_intrinsic {
	TQ_QL_I_DURATION,		/* duration, span:duration */
	TQ_QL_I_NAME,			/* name, span:name */
	TQ_QL_I_STATUS,			/* status, span:status */
	TQ_QL_I_STATUS_MESSAGE,		/* statusMessage, span:statusMessage */
	TQ_QL_I_KIND,			/* kind, span:kind */
	TQ_QL_I_CHILD_COUNT,		/* childCount, span:childCount */
	TQ_QL_I_SPAN_ID,		/* span:id */
	TQ_QL_I_PARENT_ID,		/* span:parentID */
	TQ_QL_I_TRACE_DURATION,		/* traceDuration, trace:duration */
	TQ_QL_I_ROOT_NAME,		/* rootName, trace:rootName */
	TQ_QL_I_ROOT_SERVICE,		/* rootServiceName, trace:rootService */
	TQ_QL_I_TRACE_ID,		/* trace:id */
	TQ_QL_I_EVENT_NAME,		/* event:name */
	TQ_QL_I_EVENT_TIME_SINCE_START,	/* event:timeSinceStart */
	TQ_QL_I_LINK_TRACE_ID,		/* link:traceID */
	TQ_QL_I_LINK_SPAN_ID,		/* link:spanID */
	TQ_QL_I_INSTR_NAME,		/* instrumentation:name */
	TQ_QL_I_INSTR_VERSION,		/* instrumentation:version */
	TQ_QL_I_NESTED_SET_LEFT,	/* nestedSetLeft */
	TQ_QL_I_NESTED_SET_RIGHT,	/* nestedSetRight */
	TQ_QL_I_NESTED_SET_PARENT,	/* nestedSetParent */
	TQ_QL_I_PARENT,			/* parent: parses, unsupported */
	TQ_QL_I_COUNT_			/* number of intrinsics */
};

enum tq_ql_agg { TQ_QL_AGG_COUNT, TQ_QL_AGG_AVG, TQ_QL_AGG_MAX,
	TQ_QL_AGG_MIN, TQ_QL_AGG_SUM };

enum tq_ql_metric {
	TQ_QL_M_RATE, TQ_QL_M_COUNT_OVER_TIME, TQ_QL_M_MIN_OVER_TIME,
	TQ_QL_M_MAX_OVER_TIME, TQ_QL_M_AVG_OVER_TIME, TQ_QL_M_SUM_OVER_TIME,
	TQ_QL_M_QUANTILE_OVER_TIME, TQ_QL_M_HISTOGRAM_OVER_TIME,
	TQ_QL_M_COMPARE,
};

/* A typed literal. */
struct tq_ql_static {
	enum tq_ql_type	 type;
	bool		 b;
	int64_t		 i;	/* int, duration (ns), status, kind */
	double		 f;
	const char	*s;	/* string bytes, NUL-terminated too */
	size_t		 len;
};

struct tq_ql_node {
	enum tq_ql_kind		 kind;
	enum tq_ql_op		 op;
	int			 line, col;	/* where it starts in the text */
	int			 height;	/* of the subtree, leaves 1 */
	struct tq_ql_node	*lhs, *rhs;
	struct tq_ql_node	**items;	/* PIPELINE stages, SELECT and
						 * METRICS by() attributes,
						 * STAGES second stages */
	size_t			 nitems;
	union {
		struct tq_ql_static	 val;		/* STATIC, TOPK (val.i) */
		struct {
			enum tq_ql_scope scope;
			bool		 parent;	/* parent.[span.|resource.] */
			const char	*name;		/* without the scope */
			size_t		 len;
		} attr;
		enum tq_ql_intrinsic	 intrinsic;
		enum tq_ql_agg		 agg;
		struct {
			enum tq_ql_metric fn;
			const double	*q;		/* quantiles */
			size_t		 nq;
			struct tq_ql_node *filter;	/* compare()'s selection */
			int64_t		 topn;		/* compare(), default 10 */
			int64_t		 start_ns, end_ns; /* compare(), 0 if not given */
			int		 nargs;		/* compare() integers given */
		} metrics;
		struct {
			const char	*name;
		} hint;
	} u;
};

/*
 * The shapes a parsed query takes (the evaluator may rely on them):
 *
 * Search (result TQ_QL_RESULT_SPANSETS): root is a PIPELINE whose stages
 * are FILTER, SPANSET_OP, SCALAR_FILTER, GROUP, COALESCE (never first) or
 * SELECT.  A SPANSET_OP's operands are FILTERs, SPANSET_OPs and wrapped
 * PIPELINEs.  A SCALAR_FILTER compares two scalar expressions: AGGREGATE,
 * STATIC (int, float or duration) and SCALAR_OP over them, or, when the
 * query is a comparison of wrapped pipelines (its only stage), PIPELINEs
 * whose last stage is an AGGREGATE and SCALAR_OPs over those.
 *
 * Metrics (TQ_QL_RESULT_METRICS): root is a METRICS_PIPELINE (lhs a
 * PIPELINE, rhs a METRICS), a METRICS_OP whose operands are
 * METRICS_PIPELINEs, STAGES over one, METRICS_OPs or STATIC numbers, or a
 * STAGES node over either: lhs then items[] of TOPK (op TOPK or BOTTOMK,
 * u.val.i the limit) and METRICS_FILTER (op a comparison, lhs a STATIC).
 *
 * Field expressions (FILTER, GROUP, AGGREGATE, METRICS lhs, by() items,
 * SELECT items) are STATIC, ATTR, INTRINSIC, BINARY and UNARY nodes.
 * "x = nil" and "x != nil" are UNARY NOT_EXISTS and EXISTS of x;
 * "nil = nil" is the STATIC false.  Literal arithmetic is folded.
 * Hints are HINT nodes in the query's hints[], outside the tree.
 */

/* What the query produces. */
enum tq_ql_result {
	TQ_QL_RESULT_SPANSETS,	/* search: spansets per trace */
	TQ_QL_RESULT_METRICS,	/* metrics: series */
};

struct tq_ql_query {
	struct tq_arena		 arena;	/* everything below lives here */
	struct tq_ql_node	*root;
	struct tq_ql_node	**hints;
	size_t			 nhints;
	enum tq_ql_result	 result;
};

/*
 * tq_ql_parse parses the len bytes of text (no NUL needed) into a new
 * query *out, owned by the caller (tq_ql_free).  Literal arithmetic is
 * folded as Tempo does.  Returns 0, TQ_ESYNTAX with "LINE:COL: message"
 * in err (also for nesting deeper than TQ_QL_MAX_DEPTH), TQ_ELIMIT for a
 * query over TQ_QL_MAX_QUERY bytes or TQ_ENOMEM.  *out is untouched on
 * failure.
 */
int	tq_ql_parse(const char *text, size_t len, struct tq_ql_query **out,
	    struct tq_err *err);

/*
 * tq_ql_validate checks the types and the semantics of a parsed query
 * (regexes are compiled with PCRE2 to check them).  Returns 0,
 * TQ_EINVAL for an invalid query, TQ_EUNSUPPORTED for one Tempo parses
 * but does not run, or TQ_ENOMEM; err gets "LINE:COL: message".
 */
int	tq_ql_validate(const struct tq_ql_query *q, struct tq_err *err);

/*
 * tq_ql_compile is tq_ql_parse then tq_ql_validate: *out is set only when
 * both succeed.  Returns what they return.
 */
int	tq_ql_compile(const char *text, size_t len, struct tq_ql_query **out,
	    struct tq_err *err);

/*
 * tq_ql_print appends the query as TraceQL text to out, then a NUL not
 * counted in out->len.  The text parses back to the same tree and never
 * nests deeper than the text q was parsed from: one space around
 * operators, parentheses only where the grammar or precedence needs them,
 * literals in a canonical spelling.  Returns 0, TQ_ENOMEM or TQ_ELIMIT
 * (out's cap).
 */
int	tq_ql_print(const struct tq_ql_query *q, struct tq_buf *out,
	    struct tq_err *err);

/*
 * tq_ql_dump appends the tree as one S-expression line (every field that
 * the evaluator sees, no positions), then a NUL not counted.  Two queries
 * have the same tree exactly when their dumps are equal.  Errors as
 * tq_ql_print.
 */
int	tq_ql_dump(const struct tq_ql_query *q, struct tq_buf *out,
	    struct tq_err *err);

/* tq_ql_free frees q and its whole tree; NULL is allowed. */
void	tq_ql_free(struct tq_ql_query *q);

/* tq_ql_intrinsic_type returns the type intrinsic i resolves to. */
enum tq_ql_type	tq_ql_intrinsic_type(enum tq_ql_intrinsic i);

/* tq_ql_op_text returns an operator's spelling ("=~", "&>>", "topk"). */
const char	*tq_ql_op_text(enum tq_ql_op op);

/* ---- Evaluation ---- */

/*
 * A value of one span while a query runs: type TQ_QL_T_NIL when absent,
 * else a scalar, or TQ_QL_T_ARRAY of len scalars (an array attribute, or
 * the values of a span's events or links: comparisons hold when any
 * element matches, and their negations when none does).  Strings are not
 * NUL-terminated and point into the batch's memory.
 */
struct tq_ql_value {
	uint8_t		 type;		/* enum tq_ql_type */
	uint32_t	 len;		/* STRING bytes, ARRAY elements */
	union {
		int64_t			 i;	/* INT, DURATION, STATUS, KIND */
		double			 f;
		bool			 b;
		const char		*s;
		const struct tq_ql_value *a;
	} u;
};

/*
 * Fields a source serves beyond the language's intrinsics: what search
 * results show.  They share the numbering of enum tq_ql_intrinsic.
 */
enum {
	TQ_QL_F_SPAN_START = TQ_QL_I_COUNT_,	/* int, unix ns */
	TQ_QL_F_TRACE_START,			/* int, unix ns */
	TQ_QL_F_TRACE_END,			/* int, unix ns */
	TQ_QL_F_COUNT_
};

/*
 * A field of a span: an intrinsic or an attribute.  types, for
 * attributes, is the set of value types (1 << TQ_QL_T_*) the query can
 * use, 0 for all: a source may leave values of other types out (nil),
 * as a comparison with a string never holds for a number.
 */
struct tq_ql_field {
	bool		 is_attr;
	int		 intrinsic;	/* enum tq_ql_intrinsic or TQ_QL_F_* */
	enum tq_ql_scope scope;		/* attributes */
	const char	*name;
	size_t		 len;
	unsigned	 types;
};

/*
 * A tq_ql_fetch_fn fills out[0 .. n_spans) with field f of every span of
 * the batch, allocating what it needs from a.  Status and kind use
 * TraceQL's numbering; IDs are lowercase hex strings; event:* and link:*
 * fields and event. and link. attributes are arrays (nil without events
 * or links).  Returns 0 or a negative TQ_E* code with err filled.
 */
typedef int	(*tq_ql_fetch_fn)(void *arg, const struct tq_ql_field *f,
		    struct tq_ql_value *out, struct tq_arena *a,
		    struct tq_err *err);

/*
 * A comparison of a field with a literal, `field op literal`, which a
 * source may test on its stored values without fetching the field: a
 * span satisfies it when it has a value v (of field.types) and
 * tq_ql_cond_holds(c, v).  Spans without a value never do.
 */
struct tq_ql_eval;

struct tq_ql_cond {
	struct tq_ql_field	 field;
	int			 op;	/* enum tq_ql_op: = != < <= > >= =~ !~ */
	struct tq_ql_value	 lit;
	struct tq_ql_eval	*ev;
	const void		*re;	/* the compiled regex of =~ and !~ */
};

/* tq_ql_cond_holds applies c to value v (nil, a scalar or an array) with
 * the evaluator's semantics.  Regex failures are recorded in the run. */
bool	tq_ql_cond_holds(const struct tq_ql_cond *c, const struct tq_ql_value *v);

/*
 * A tq_ql_test_fn sets out[i] (one byte per span of the batch) to whether
 * span i satisfies c.  Returns 0, TQ_EUNSUPPORTED when the source cannot
 * test c itself (the evaluator fetches the field instead), or another
 * negative TQ_E* code with err filled.
 */
typedef int	(*tq_ql_test_fn)(void *arg, const struct tq_ql_cond *c,
		    uint8_t *out, struct tq_arena *a, struct tq_err *err);

/*
 * What the evaluator sees of a set of whole traces: n_spans spans,
 * grouped by trace (trace t holds spans trace_first[t] ..
 * trace_first[t + 1] - 1, in document order), and a source of fields.
 */
struct tq_ql_batch {
	size_t		 n_spans;
	size_t		 n_traces;
	const uint32_t	*trace_first;	/* n_traces + 1 entries */
	tq_ql_fetch_fn	 fetch;
	void		*arg;
	/*
	 * Optional (may be NULL): from now on only the spans of traces t
	 * with want[t] set matter; fetches may leave the others nil.  want
	 * stays valid until the next call; NULL makes every trace matter
	 * again.
	 */
	void		(*only)(void *arg, const uint8_t *want);
	/* Optional: tests conditions on stored values (see above). */
	tq_ql_test_fn	 test;
	/*
	 * Optional: fills out[0 .. n_traces) with a field held once per
	 * trace (trace:id, rootName, rootServiceName, the trace's start and
	 * end), a value per trace rather than per span.
	 */
	tq_ql_fetch_fn	 fetch_traces;
	/*
	 * Optional: points *out at n_spans integers of field f (the
	 * nested-set numbers the structural operators compare) where the
	 * source holds them, 0 for a span without, valid for the batch;
	 * while only() is in force, those of traces not wanted are
	 * unspecified.
	 * TQ_EUNSUPPORTED: the evaluator fetches the field instead.
	 */
	int		(*fetch_ints)(void *arg, const struct tq_ql_field *f,
			    const int32_t **out, struct tq_arena *a,
			    struct tq_err *err);
	/*
	 * Only which traces match matters: the spansets of a query that is
	 * one filter are left out (n 0), as most matches of a large search
	 * are too old to be shown.
	 */
	bool		 traces_only;
};

/* A spanset attribute (by() value, aggregate) or a shown span field. */
struct tq_ql_kv {
	const char		*key;
	struct tq_ql_value	 val;
};

/* One spanset of a trace: span indexes of the batch, ascending. */
struct tq_ql_set {
	uint32_t		*spans;
	size_t			 n;
	struct tq_ql_kv		*attrs;
	size_t			 nattrs;
};

/* The spansets a query found in trace `trace` of a batch. */
struct tq_ql_match {
	uint32_t		 trace;
	struct tq_ql_set	*sets;
	size_t			 n;
};

struct tq_ql_eval;

/*
 * tq_ql_eval_new prepares search query q (validated; result
 * TQ_QL_RESULT_SPANSETS) for evaluation: regexes compiled with PCRE2
 * (JIT where available, matches bounded by TQ_QL_REGEX_MATCH_LIMIT).
 * One evaluator serves one thread; q must outlive it.  Returns 0,
 * TQ_EINVAL (not a search query, bad regex) or TQ_ENOMEM.
 */
int	tq_ql_eval_new(const struct tq_ql_query *q, struct tq_ql_eval **out,
	    struct tq_err *err);

/* tq_ql_eval_free frees e (NULL allowed). */
void	tq_ql_eval_free(struct tq_ql_eval *e);

/*
 * tq_ql_eval_run evaluates the query over batch b: *out gets the traces
 * with at least one spanset, *n their number, in trace order, allocated
 * from a (with the fetched values they point to).  Returns 0 or an error
 * of the fetch callback, TQ_ENOMEM or TQ_ELIMIT (a regex over its match
 * limit).
 */
int	tq_ql_eval_run(struct tq_ql_eval *e, const struct tq_ql_batch *b,
	    struct tq_arena *a, struct tq_ql_match **out, size_t *n,
	    struct tq_err *err);

/*
 * tq_ql_eval_fetched gives field f of every span as the last run fetched
 * it, or NULL when it did not: results can show it without a second
 * fetch.  Valid while the run's arena is.
 */
const struct tq_ql_value *tq_ql_eval_fetched(const struct tq_ql_eval *e,
	    const struct tq_ql_field *f);

/*
 * tq_ql_shown_fields gives the fields a search result shows on its spans
 * (those of conditions and select(), but not name, duration or IDs,
 * which results carry anyway) with the key each is shown under; at most
 * max, allocated from a.  Returns their number.
 */
size_t	tq_ql_shown_fields(const struct tq_ql_query *q, struct tq_arena *a,
	    struct tq_ql_field *fields, const char **keys, size_t max);

/*
 * A condition every result needs some span to meet: field op value, op
 * EQ, LT, LTE, GT or GTE.  A source whose statistics or dictionaries
 * show that no span of a part meets one may skip that part.
 */
struct tq_ql_need {
	struct tq_ql_field	 field;
	enum tq_ql_op		 op;
	struct tq_ql_static	 val;
};

/* tq_ql_needs gives at most max such conditions of q; returns how many. */
size_t	tq_ql_needs(const struct tq_ql_query *q, struct tq_ql_need *needs,
	    size_t max);

#endif
