/*
 * otlp.h: the OpenTelemetry trace data model and its codecs.
 *
 * The model is the protobuf-c code generated from proto/ (types Tq__Span,
 * Tq__TracesData, ...; see build/gen/opentelemetry/proto/).  Decoders
 * allocate everything, strings and byte fields included, from a caller's
 * arena, so a decoded TracesData is freed by resetting that arena and
 * must never be passed to the generated *__free_unpacked functions.
 *
 * Every decoder treats its input as hostile: lengths are checked against
 * lib/limits.h, nesting is bounded by TQ_MAX_DEPTH, strings must be valid
 * UTF-8, and errors name the byte offset (protobuf) or the JSON path.
 *
 * A TracesData and an ExportTraceServiceRequest share one wire format
 * (field 1, repeated ResourceSpans), so the same decoder serves both.
 */
#ifndef TQ_OTLP_H
#define TQ_OTLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"
#include "opentelemetry/proto/trace/v1/trace.pb-c.h"

#include "arena.h"
#include "buf.h"
#include "err.h"

#define TQ_TRACE_ID_LEN	16
#define TQ_SPAN_ID_LEN	8

/*
 * tq_otlp_pb_check walks the protobuf encoding of a TracesData without
 * allocating: wire types, varints, lengths, nesting depth and UTF-8 of
 * every string.  On success *nspans (if not NULL) is the number of spans.
 * Returns 0 or TQ_ECORRUPT / TQ_ELIMIT with the byte offset in err.
 */
int	tq_otlp_pb_check(const void *buf, size_t len, size_t *nspans,
	    struct tq_err *err);

/*
 * tq_otlp_pb_decode checks buf as tq_otlp_pb_check does and unpacks it
 * into *out, allocated from a.  buf need not outlive *out.  Returns 0,
 * TQ_ECORRUPT (also for the rare valid encodings protobuf-c refuses, such
 * as a singular field sent twice empty), TQ_ELIMIT or TQ_ENOMEM (arena
 * full); *out is set only on success.
 */
int	tq_otlp_pb_decode(const void *buf, size_t len, struct tq_arena *a,
	    Tq__TracesData **out, struct tq_err *err);

/*
 * tq_otlp_pb_unpack is tq_otlp_pb_decode without the check, for bytes this
 * process encoded itself (tq_otlp_pb_encode of a decoded TracesData);
 * never for input.  Returns 0 or TQ_ENOMEM.
 */
int	tq_otlp_pb_unpack(const void *buf, size_t len, struct tq_arena *a,
	    Tq__TracesData **out, struct tq_err *err);

/*
 * tq_otlp_pb_anyvalue_decode checks and unpacks the protobuf encoding of
 * one AnyValue into *out, allocated from a, as tq_otlp_pb_decode does for
 * a TracesData.  Returns 0, TQ_ECORRUPT, TQ_ELIMIT or TQ_ENOMEM.
 */
int	tq_otlp_pb_anyvalue_decode(const void *buf, size_t len,
	    struct tq_arena *a, Tq__AnyValue **out, struct tq_err *err);

/*
 * tq_otlp_pb_encode appends the protobuf encoding of td to out.  Returns
 * 0 or the error of tq_buf_reserve (TQ_ELIMIT, TQ_ENOMEM).
 */
int	tq_otlp_pb_encode(const Tq__TracesData *td, struct tq_buf *out,
	    struct tq_err *err);

/*
 * tq_otlp_json_decode parses one OTLP/JSON TracesData (or
 * ExportTraceServiceRequest) document of len bytes into *out, allocated
 * from a.  Follows the OTLP JSON mapping: hex IDs (either case, "" means
 * absent), lowerCamelCase names (snake_case accepted), enums as numbers
 * or names, 64-bit integers as strings or numbers, doubles also as "NaN",
 * "Infinity" or "-Infinity", bytes as base64, null as the default value,
 * unknown fields ignored.  Errors name the JSON path
 * ("resourceSpans[0].scopeSpans[1].spans[3].traceId: not 32 hex digits")
 * or, for malformed JSON, the byte offset.  Returns 0, TQ_ECORRUPT,
 * TQ_ELIMIT (document over TQ_MAX_JSON_LINE, values nested deeper than
 * TQ_MAX_DEPTH) or TQ_ENOMEM (arena full); *out is set only on success.
 */
int	tq_otlp_json_decode(const char *buf, size_t len, struct tq_arena *a,
	    Tq__TracesData **out, struct tq_err *err);

/*
 * tq_otlp_json_encode appends td as one line of OTLP/JSON (no newline):
 * hex IDs, lowerCamelCase names, enums as numbers, 64-bit integers as
 * strings, bytes as base64, non-finite doubles as "NaN"/"Infinity",
 * default values omitted (an AnyValue's value and present messages, even
 * empty, are kept).  Strings in td must be valid UTF-8, as every decoder
 * leaves them.  Returns 0 or the error of tq_buf_reserve; on failure out
 * is left as it was.
 */
int	tq_otlp_json_encode(const Tq__TracesData *td, struct tq_buf *out,
	    struct tq_err *err);

/*
 * tq_otlp_json_anyvalue_encode appends one AnyValue as OTLP/JSON
 * ({"stringValue":"x"}, {"arrayValue":{"values":[...]}}, ...); vParquet4
 * keeps values it has no column for (kvlists, bytes, mixed arrays) so.
 * Returns 0 or the error of tq_buf_reserve.
 */
int	tq_otlp_json_anyvalue_encode(const Tq__AnyValue *v, struct tq_buf *out,
	    struct tq_err *err);

/*
 * tq_otlp_json_anyvalue_decode parses one AnyValue written as above into
 * *out, allocated from a.  Returns 0, TQ_ECORRUPT, TQ_ELIMIT or TQ_ENOMEM.
 */
int	tq_otlp_json_anyvalue_decode(const char *buf, size_t len,
	    struct tq_arena *a, Tq__AnyValue **out, struct tq_err *err);

/*
 * tq_zipkin_json_decode converts a Zipkin v2 JSON span array into OTLP,
 * as the OpenTelemetry Collector's Zipkin receiver does (the rules are at
 * the top of lib/otlp-zipkin.c): kind (none is SPAN_KIND_UNSPECIFIED),
 * localEndpoint.serviceName to service.name and resource-convention tags
 * to the resource, other tags to string attributes, annotations to
 * events, error and otel.status_code tags to status, endpoints to
 * net.host.* and net.peer.* attributes, 64-bit trace IDs left-padded,
 * fractional microsecond timestamps converted exactly.  Spans are grouped
 * into one ResourceSpans per distinct resource (service name and resource
 * tags) and one ScopeSpans per scope, in order of first appearance.
 * Errors name the JSON path ("[3].tags.http.status_code: not a string").
 * Returns 0, TQ_ECORRUPT, TQ_ELIMIT or TQ_ENOMEM; *out is set only on
 * success.
 */
int	tq_zipkin_json_decode(const char *buf, size_t len, struct tq_arena *a,
	    Tq__TracesData **out, struct tq_err *err);

/* tq_otlp_span_count returns the number of spans in td. */
size_t	tq_otlp_span_count(const Tq__TracesData *td);

/*
 * tq_hex_encode writes 2 * n lowercase hex digits and a NUL to dst, which
 * must hold 2 * n + 1 bytes.
 */
void	tq_hex_encode(char *dst, const uint8_t *src, size_t n);

/* tq_hex_value returns the value of hex digit c (either case), or -1. */
int	tq_hex_value(int c);

/*
 * tq_hex_decode reads exactly 2 * n hex digits (either case) from src into
 * dst.  Returns false when srclen != 2 * n or a digit is not hex.
 */
bool	tq_hex_decode(uint8_t *dst, size_t n, const char *src, size_t srclen);

/* tq_utf8_valid tells whether s[0..n) is well-formed UTF-8. */
bool	tq_utf8_valid(const char *s, size_t n);

#endif
