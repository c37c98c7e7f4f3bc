/*
 * otlp-json-int.h: what the two JSON decoders of the otlp module share
 * (lib/otlp-json.c for OTLP/JSON, lib/otlp-zipkin.c for Zipkin v2): a
 * walk context that knows the JSON path of the value being decoded, so an
 * error can say "resourceSpans[0].scopeSpans[1].spans[3].traceId: not 32
 * hex digits", and small helpers that copy jansson values into the arena.
 *
 * The path is kept as a stack of frames (a field name or an array index)
 * and formatted only when an error is reported, so a successful decode
 * pays one store per level.
 */
#ifndef TQ_OTLP_JSON_INT_H
#define TQ_OTLP_JSON_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "err.h"
#include "limits.h"
#include "otlp.h"

/* Frames of the path: a few fixed levels plus up to four per AnyValue
 * level (kvlistValue.values[i].value). */
#define TQ_JPATH_MAX	(16 + 4 * (TQ_MAX_DEPTH + 1))

struct tq_jframe {
	const char	*key;	/* field name, or NULL for an array index */
	size_t		 index;
};

struct tq_jctx {
	struct tq_arena	*a;
	struct tq_err	*err;
	size_t		 nframes;
	struct tq_jframe frames[TQ_JPATH_MAX];
};

/* tq_jctx_init starts a walk allocating from a, reporting into err. */
void	tq_jctx_init(struct tq_jctx *c, struct tq_arena *a,
	    struct tq_err *err);

/*
 * tq_jctx_key and tq_jctx_index enter a field or an array element (key
 * must outlive the frame: callers pass string literals).  They return
 * TQ_ELIMIT, with the message set, when the path is deeper than
 * TQ_JPATH_MAX; tq_jctx_pop leaves the innermost frame.
 */
int	tq_jctx_key(struct tq_jctx *c, const char *key);
int	tq_jctx_index(struct tq_jctx *c, size_t index);
void	tq_jctx_pop(struct tq_jctx *c);

/*
 * tq_jctx_fail records code and "PATH: message" in the context's err and
 * returns code.
 */
int	tq_jctx_fail(struct tq_jctx *c, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * tq_json_load parses buf[0..len) with jansson.  On failure it returns
 * TQ_ECORRUPT ("byte N: reason"), TQ_ELIMIT (too long or too deep) or
 * TQ_ENOMEM; what names the document kind in the message.  On success
 * *out is a new reference the caller must json_decref().
 */
int	tq_json_load(const char *buf, size_t len, size_t flags,
	    const char *what, json_t **out, struct tq_err *err);

/*
 * tq_jctx_string copies the JSON string v into the arena (the shared
 * empty string for ""), checking it against TQ_MAX_STRING.  Any other JSON
 * type is an error naming the current path.  null gives "".
 */
int	tq_jctx_string(struct tq_jctx *c, const json_t *v, char **out);

/*
 * tq_jctx_kv_string appends one KeyValue with a string value to the
 * arena-allocated KeyValue *kvs[*n]; the caller sized kvs.
 */
int	tq_jctx_kv_string(struct tq_jctx *c, Tq__KeyValue **kvs, size_t *n,
	    const char *key, size_t keylen, const char *val, size_t vallen);

/* tq_jctx_kv_int and tq_jctx_kv_bool do the same with an int or bool. */
int	tq_jctx_kv_int(struct tq_jctx *c, Tq__KeyValue **kvs, size_t *n,
	    const char *key, int64_t val);
int	tq_jctx_kv_bool(struct tq_jctx *c, Tq__KeyValue **kvs, size_t *n,
	    const char *key, int val);

#endif
