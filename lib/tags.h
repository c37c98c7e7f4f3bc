/*
 * tags.h: the attribute names of a store's spans and the values of one
 * of them, as Tempo's tag endpoints give them (/api/v2/search/tags and
 * /api/v2/search/tag/NAME/values, reference/tempo.md §1.2), for
 * tempo-ql --tags and --tag-values and for tempo-serve.
 *
 * A struct tq_tags collects either names (per scope: resource, span,
 * event, link, instrumentation; the intrinsic scope is Tempo's fixed
 * list) or the typed values of one TraceQL identifier (span.x,
 * resource.x, .x, event.x, link.x, instrumentation.x or an intrinsic).
 * Blocks are read column by column: the Key columns of the Attrs lists,
 * dictionaries alone where they cover a column chunk, the well-known
 * columns (service.name, k8s.*, http.*) and the block's dedicated
 * columns; the value columns only of row groups whose Key dictionary
 * holds the name.  Columns are found by name, so blocks of other
 * writers read the same.
 *
 * Results are sorted (names bytewise; values by type, then numbers by
 * value and text bytewise), without duplicates and without empty
 * strings, and bounded: at most limit names per scope, or limit values,
 * the first ones in that order, whatever the order of the blocks.
 * A struct tq_tags serves one thread at a time; tq_tags_merge combines
 * the collections of several.
 */
#ifndef TQ_TAGS_H
#define TQ_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct tq_block;
struct tq_store;

/* Scopes of tag names, in the order of Tempo's v2 reply. */
enum tq_tags_scope {
	TQ_TAGS_INTRINSIC,
	TQ_TAGS_RESOURCE,
	TQ_TAGS_SPAN,
	TQ_TAGS_EVENT,
	TQ_TAGS_LINK,
	TQ_TAGS_INSTRUMENTATION,
	TQ_TAGS_NSCOPES
};

#define TQ_TAGS_ALL	((1u << TQ_TAGS_NSCOPES) - 1)

/* Types of tag values (the "type" of Tempo's TagValue), in sort order. */
enum tq_tags_type {
	TQ_TAGS_STRING,
	TQ_TAGS_INT,
	TQ_TAGS_FLOAT,
	TQ_TAGS_BOOL,
	TQ_TAGS_DURATION,
	TQ_TAGS_KEYWORD,
};

/* One name or value: NUL-terminated text, valid while the set lives. */
struct tq_tags_item {
	int		 type;		/* enum tq_tags_type; names: STRING */
	const char	*text;
	size_t		 len;
};

struct tq_tags;

/*
 * tq_tags_scopes reads a scope parameter: NULL or "" is every scope
 * (TQ_TAGS_ALL), else one of intrinsic, resource, span, event, link and
 * instrumentation.  Returns 0 with *mask set, or TQ_EINVAL ("invalid
 * scope: X", as Tempo answers).
 */
int	tq_tags_scopes(const char *name, unsigned *mask, struct tq_err *err);

/* tq_tags_scope_name returns "intrinsic", "resource", ... or "?". */
const char *tq_tags_scope_name(int scope);

/* tq_tags_type_name returns "string", "int", ... or "?". */
const char *tq_tags_type_name(int type);

/*
 * tq_tags_new starts a collection of the names of the scopes in mask (a
 * set of 1 << enum tq_tags_scope), at most limit per scope (0: the
 * default, TQ_TAGS_DEFAULT_LIMIT; at most TQ_TAGS_MAX_LIMIT).  *out is
 * owned by the caller.  Returns 0, TQ_EINVAL or TQ_ENOMEM.
 */
int	tq_tags_new(unsigned mask, size_t limit, struct tq_tags **out,
	    struct tq_err *err);

/*
 * tq_tags_new_values starts a collection of the values of the TraceQL
 * identifier ident (NUL-terminated: "span.http.method", ".x",
 * "resource.\"a b\"", "status", "span:name"), at most limit of them.
 * Returns 0, TQ_EINVAL ("please provide a valid tagName: ...", as
 * Tempo) or TQ_ENOMEM.
 */
int	tq_tags_new_values(const char *ident, size_t limit,
	    struct tq_tags **out, struct tq_err *err);

/* tq_tags_free frees t and everything it collected (NULL allowed). */
void	tq_tags_free(struct tq_tags *t);

/*
 * tq_tags_needs_data tells whether t's answer comes from the blocks:
 * false for names of the intrinsic scope alone, and for identifiers
 * whose values are fixed (status and kind keywords) or never listed
 * (durations, IDs, nested-set numbers).
 */
bool	tq_tags_needs_data(const struct tq_tags *t);

/*
 * tq_tags_block adds what block b holds: it opens b's data.parquet and
 * reads only the columns t needs.  The bytes read are counted in the
 * inspected bytes.  Returns 0, TQ_ELIMIT (the kept text passed
 * TQ_TAGS_MAX_BYTES), TQ_ENOMEM or an error of the Parquet reader or
 * the store (err names the object and row group).
 */
int	tq_tags_block(struct tq_tags *t, struct tq_block *b,
	    struct tq_err *err);

/*
 * tq_tags_scan adds every visible block of tenant in s whose time range
 * meets [start_ns, end_ns] (0: open at that end), in block ID order.
 * Returns 0 or the first error (of tq_block_list, tq_block_open_meta or
 * tq_tags_block), err naming the block.
 */
int	tq_tags_scan(struct tq_tags *t, struct tq_store *s, const char *tenant,
	    int64_t start_ns, int64_t end_ns, struct tq_err *err);

/*
 * tq_tags_query adds the values of t's identifier in the spans matching
 * query (a TraceQL search) among the blocks of tenant in s whose time
 * range meets [start_ns, end_ns]: the query runs with select() of the
 * identifier, block after block in block ID order, until the blocks
 * read have given TQ_TAGS_MAX_QUERY_TRACES matching traces (then the
 * result is truncated).  An attribute is found by
 * its name among the fields the matching spans show, so a query that
 * also shows an attribute of that name in another scope adds its values
 * too.  Returns 0, TQ_EINVAL (t collects names, the query is not a
 * search), the errors of tq_ql_compile (prefixed "query") or of the
 * search.
 */
int	tq_tags_query(struct tq_tags *t, struct tq_store *s, const char *tenant,
	    int64_t start_ns, int64_t end_ns, const char *query,
	    struct tq_err *err);

/*
 * tq_tags_add adds one value of the given type (len bytes of text, kept
 * as given: the decimal or "true" form for numbers and booleans) to a
 * values collection, for callers that find values themselves (a query's
 * matching spans).  Empty text is ignored.  Returns 0, TQ_EINVAL (t
 * collects names), TQ_ELIMIT or TQ_ENOMEM.
 */
int	tq_tags_add(struct tq_tags *t, int type, const char *text, size_t len,
	    struct tq_err *err);

/*
 * tq_tags_merge adds everything src collected (names or values, as dst
 * does) and its inspected bytes to dst.  Returns 0, TQ_EINVAL (they
 * collect different things), TQ_ELIMIT or TQ_ENOMEM.
 */
int	tq_tags_merge(struct tq_tags *dst, const struct tq_tags *src,
	    struct tq_err *err);

/*
 * tq_tags_names gives the sorted names of one scope of a names
 * collection (the fixed list for TQ_TAGS_INTRINSIC; nothing for a scope
 * not asked for).  tq_tags_values gives the sorted values of a values
 * collection (the fixed answer when there is one).  The array is valid
 * until t is changed or freed.  Both return the number of items.
 */
size_t	tq_tags_names(struct tq_tags *t, int scope,
	    const struct tq_tags_item **out);
size_t	tq_tags_values(struct tq_tags *t, const struct tq_tags_item **out);

/* tq_tags_inspected_bytes gives the bytes read from the store so far. */
uint64_t tq_tags_inspected_bytes(const struct tq_tags *t);

/* tq_tags_blocks gives the number of blocks read so far. */
size_t	tq_tags_blocks(const struct tq_tags *t);

/*
 * tq_tags_truncated tells whether the limit left out names or values
 * that were found.
 */
bool	tq_tags_truncated(const struct tq_tags *t);

/*
 * tq_tags_json appends Tempo's v2 reply for t: for names
 * {"scopes":[{"name":"intrinsic","tags":[...]},...],"metrics":
 * {"inspectedBytes":"N"}} (every scope asked for when only one was,
 * else the intrinsic scope and the scopes that have names); for values
 * {"tagValues":[{"type":"string","value":"x"},...],"metrics":{...}}.
 * Text that is not valid UTF-8 is written with U+FFFD in its place.
 * Returns 0 or an error of tq_buf_reserve (TQ_ELIMIT, TQ_ENOMEM).
 */
int	tq_tags_json(struct tq_tags *t, struct tq_buf *out, struct tq_err *err);

/*
 * tq_tags_json_v1 appends Tempo's v1 reply for a names collection: every
 * name of the scopes asked for in one sorted list, the intrinsic ones
 * only when the intrinsic scope alone was asked for:
 * {"tagNames":[...],"metrics":{"inspectedBytes":"N"}}; for a values
 * collection {"tagValues":["a","b"],"metrics":{...}}.  Errors as
 * tq_tags_json.
 */
int	tq_tags_json_v1(struct tq_tags *t, struct tq_buf *out,
	    struct tq_err *err);

#endif
