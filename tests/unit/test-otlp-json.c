/*
 * test-otlp-json.c: OTLP/JSON decoding and encoding (lib/otlp-json.c).
 *
 * The real-client fixtures give the same requests as OTLP/JSON and as
 * protobuf: decoding either must give the same model (compared by packing
 * both with protobuf-c), and JSON -> model -> JSON and pb -> JSON -> pb
 * must keep every field.  Hand-written documents cover every AnyValue
 * kind, snake_case names, enum names, numbers given as strings and the
 * errors, each with the JSON path it must name.
 *
 * Fixtures come from $TQ_FIXTURES, else ../shared/fixtures/real-clients
 * (tests run from the top of the checkout).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "limits.h"
#include "otlp.h"
#include "t.h"

static struct tq_arena arena;

/* pack returns td's protobuf encoding (malloc'd) in *len. */
static uint8_t *
pack(const Tq__TracesData *td, size_t *len)
{
	uint8_t *p;

	*len = tq__traces_data__get_packed_size(td);
	p = malloc(*len + 1);
	tq__traces_data__pack(td, p);
	return p;
}

static int
same_model(const Tq__TracesData *a, const Tq__TracesData *b)
{
	size_t na, nb;
	uint8_t *pa = pack(a, &na), *pb = pack(b, &nb);
	int same = na == nb && memcmp(pa, pb, na) == 0;

	free(pa);
	free(pb);
	return same;
}

/* decode parses a NUL-terminated document; returns the code. */
static int
decode(const char *json, Tq__TracesData **td, struct tq_err *err)
{
	tq_err_clear(err);
	return tq_otlp_json_decode(json, strlen(json), &arena, td, err);
}

/* encode returns td as JSON text in a static buffer. */
static const char *
encode(const Tq__TracesData *td)
{
	static char out[8192];
	struct tq_buf b;
	struct tq_err err;

	tq_buf_init(&b, 1 << 20);
	if (tq_otlp_json_encode(td, &b, &err) != 0 || b.len >= sizeof(out))
		snprintf(out, sizeof(out), "encode failed: %s", err.msg);
	else {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	}
	tq_buf_release(&b);
	return out;
}

static void
test_fixtures(void)
{
	char path[1024], name[64];
	char *json, *pbbuf;
	size_t jlen, plen, n1, n2;
	Tq__TracesData *tj, *tp, *t2;
	struct tq_buf b;
	struct tq_err err;
	uint8_t *p1, *p2;
	int i;

	for (i = 1; i <= 3; i++) {
		snprintf(path, sizeof(path), "%s/otlp-json/%06d.body.json",
		    t_fixtures(), i);
		json = (char *)t_slurp(NULL, path, &jlen);
		snprintf(path, sizeof(path), "%s/otlp-proto/%06d.body.pb",
		    t_fixtures(), i);
		pbbuf = (char *)t_slurp(NULL, path, &plen);
		snprintf(name, sizeof(name), "fixture %d: files found", i);
		T_OK(json != NULL && pbbuf != NULL, name);
		if (json == NULL || pbbuf == NULL) {
			free(json);
			free(pbbuf);
			continue;
		}
		tq_arena_reset(&arena);
		snprintf(name, sizeof(name), "fixture %d: JSON decodes", i);
		T_EQ_INT(tq_otlp_json_decode(json, jlen, &arena, &tj, &err), 0,
		    name);
		snprintf(name, sizeof(name), "fixture %d: pb decodes", i);
		T_EQ_INT(tq_otlp_pb_decode(pbbuf, plen, &arena, &tp, &err), 0,
		    name);
		snprintf(name, sizeof(name), "fixture %d: span count", i);
		T_EQ_INT(tq_otlp_span_count(tj), i == 3 ? 20 : 100, name);
		snprintf(name, sizeof(name),
		    "fixture %d: JSON and pb bodies give the same model", i);
		T_OK(same_model(tj, tp), name);

		/* JSON -> model -> JSON -> model. */
		tq_buf_init(&b, TQ_MAX_RECORD);
		T_EQ_INT(tq_otlp_json_encode(tj, &b, &err), 0,
		    "fixture: encodes");
		snprintf(name, sizeof(name),
		    "fixture %d: JSON round trip keeps every field", i);
		T_OK(tq_otlp_json_decode((char *)b.data, b.len, &arena, &t2,
		    &err) == 0 && same_model(tj, t2), name);
		tq_buf_release(&b);

		/* pb -> JSON -> pb. */
		tq_buf_init(&b, TQ_MAX_RECORD);
		T_EQ_INT(tq_otlp_json_encode(tp, &b, &err), 0,
		    "fixture: pb model encodes as JSON");
		T_EQ_INT(tq_otlp_json_decode((char *)b.data, b.len, &arena,
		    &t2, &err), 0, "fixture: encoded JSON decodes");
		p1 = pack(tp, &n1);
		p2 = pack(t2, &n2);
		snprintf(name, sizeof(name),
		    "fixture %d: pb -> JSON -> pb gives the same bytes", i);
		T_OK(n1 == n2 && memcmp(p1, p2, n1) == 0, name);
		free(p1);
		free(p2);
		tq_buf_release(&b);
		free(json);
		free(pbbuf);
	}
}

#define SPAN_DOC(span) \
	"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" span "]}]}]}"
#define ATTR_DOC(value) \
	SPAN_DOC("{\"attributes\":[{\"key\":\"k\",\"value\":" value "}]}")

/* first_span returns the first span of td, or NULL. */
static Tq__Span *
first_span(Tq__TracesData *td)
{
	if (td == NULL || td->n_resource_spans == 0 ||
	    td->resource_spans[0]->n_scope_spans == 0 ||
	    td->resource_spans[0]->scope_spans[0]->n_spans == 0)
		return NULL;
	return td->resource_spans[0]->scope_spans[0]->spans[0];
}

/* attr decodes ATTR_DOC(value) and returns the value, or NULL. */
static Tq__AnyValue *
attr(const char *doc)
{
	Tq__TracesData *td;
	struct tq_err err;
	Tq__Span *s;

	if (decode(doc, &td, &err) != 0) {
		printf("# %s\n", err.msg);
		return NULL;
	}
	if ((s = first_span(td)) == NULL || s->n_attributes != 1)
		return NULL;
	return s->attributes[0]->value;
}

static void
test_anyvalue(void)
{
	Tq__AnyValue *v;
	Tq__TracesData *td;
	struct tq_err err;

	v = attr(ATTR_DOC("{\"stringValue\":\"h\\u00e9\\\"llo\"}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_STRING_VALUE &&
	    strcmp(v->string_value, "h\xc3\xa9\"llo") == 0, "any: string");
	v = attr(ATTR_DOC("{\"boolValue\":true}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_BOOL_VALUE &&
	    v->bool_value, "any: bool");
	v = attr(ATTR_DOC("{\"intValue\":-42}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_INT_VALUE &&
	    v->int_value == -42, "any: int as number");
	v = attr(ATTR_DOC("{\"intValue\":\"-9223372036854775808\"}"));
	T_OK(v != NULL && v->int_value == INT64_MIN, "any: int64 min as string");
	v = attr(ATTR_DOC("{\"intValue\":\"9223372036854775807\"}"));
	T_OK(v != NULL && v->int_value == INT64_MAX, "any: int64 max as string");
	v = attr(ATTR_DOC("{\"intValue\":1e3}"));
	T_OK(v != NULL && v->int_value == 1000, "any: integral exponent form");
	v = attr(ATTR_DOC("{\"doubleValue\":0.518864}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_DOUBLE_VALUE &&
	    v->double_value == 0.518864, "any: double");
	v = attr(ATTR_DOC("{\"doubleValue\":3}"));
	T_OK(v != NULL && v->double_value == 3.0, "any: double as integer");
	v = attr(ATTR_DOC("{\"doubleValue\":\"NaN\"}"));
	T_OK(v != NULL && isnan(v->double_value), "any: NaN");
	v = attr(ATTR_DOC("{\"doubleValue\":\"-Infinity\"}"));
	T_OK(v != NULL && isinf(v->double_value) && v->double_value < 0,
	    "any: -Infinity");
	v = attr(ATTR_DOC("{\"doubleValue\":\"2.5\"}"));
	T_OK(v != NULL && v->double_value == 2.5, "any: double as string");
	v = attr(ATTR_DOC("{\"bytesValue\":\"AAEC/w==\"}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_BYTES_VALUE &&
	    v->bytes_value.len == 4 &&
	    memcmp(v->bytes_value.data, "\x00\x01\x02\xff", 4) == 0,
	    "any: bytes (base64)");
	v = attr(ATTR_DOC("{\"bytesValue\":\"AAEC_w\"}"));
	T_OK(v != NULL && v->bytes_value.len == 4 &&
	    v->bytes_value.data[3] == 0xff, "any: bytes, URL-safe, unpadded");
	v = attr(ATTR_DOC("{\"arrayValue\":{\"values\":[{\"stringValue\":\"a\"},"
	    "{\"intValue\":\"1\"},{\"arrayValue\":{}}]}}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_ARRAY_VALUE &&
	    v->array_value->n_values == 3 &&
	    v->array_value->values[1]->int_value == 1 &&
	    v->array_value->values[2]->array_value->n_values == 0,
	    "any: array, nested and empty");
	v = attr(ATTR_DOC("{\"kvlistValue\":{\"values\":[{\"key\":\"x\","
	    "\"value\":{\"boolValue\":false}}]}}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_KVLIST_VALUE &&
	    v->kvlist_value->n_values == 1 &&
	    strcmp(v->kvlist_value->values[0]->key, "x") == 0,
	    "any: kvlist");
	v = attr(ATTR_DOC("{}"));
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE__NOT_SET,
	    "any: empty value");
	v = attr(ATTR_DOC("{\"string_value\":\"s\",\"other\":[1,{}]}"));
	T_OK(v != NULL && strcmp(v->string_value, "s") == 0,
	    "any: snake_case name, unknown field ignored");

	/* Encoding writes every kind back the proto3 JSON way. */
	T_EQ_INT(decode(SPAN_DOC("{\"attributes\":["
	    "{\"key\":\"s\",\"value\":{\"stringValue\":\"\"}},"
	    "{\"key\":\"b\",\"value\":{\"boolValue\":false}},"
	    "{\"key\":\"i\",\"value\":{\"intValue\":0}},"
	    "{\"key\":\"n\",\"value\":{\"intValue\":-7}},"
	    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.1}},"
	    "{\"key\":\"e\",\"value\":{\"doubleValue\":1e300}},"
	    "{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
	    "{\"key\":\"inf\",\"value\":{\"doubleValue\":\"Infinity\"}},"
	    "{\"key\":\"y\",\"value\":{\"bytesValue\":\"YWI=\"}},"
	    "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{}]}}},"
	    "{\"key\":\"kv\",\"value\":{\"kvlistValue\":{\"values\":"
	    "[{\"key\":\"z\"}]}}},"
	    "{\"value\":{\"arrayValue\":{}}},"
	    "{\"key\":\"none\"}]}"), &td, &err), 0, "any: all kinds decode");
	T_EQ_STR(encode(td), SPAN_DOC("{\"attributes\":["
	    "{\"key\":\"s\",\"value\":{\"stringValue\":\"\"}},"
	    "{\"key\":\"b\",\"value\":{\"boolValue\":false}},"
	    "{\"key\":\"i\",\"value\":{\"intValue\":\"0\"}},"
	    "{\"key\":\"n\",\"value\":{\"intValue\":\"-7\"}},"
	    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.1}},"
	    "{\"key\":\"e\",\"value\":{\"doubleValue\":1e+300}},"
	    "{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
	    "{\"key\":\"inf\",\"value\":{\"doubleValue\":\"Infinity\"}},"
	    "{\"key\":\"y\",\"value\":{\"bytesValue\":\"YWI=\"}},"
	    "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{}]}}},"
	    "{\"key\":\"kv\",\"value\":{\"kvlistValue\":{\"values\":"
	    "[{\"key\":\"z\"}]}}},"
	    "{\"value\":{\"arrayValue\":{}}},"
	    "{\"key\":\"none\"}]}"), "any: every kind encodes");
}

static void
test_span_fields(void)
{
	Tq__TracesData *td, *t2;
	struct tq_err err;
	Tq__Span *s;
	const char *out;

	/* snake_case names, enum names, numbers as strings and numbers. */
	T_EQ_INT(decode("{\"resource_spans\":[{\"resource\":{\"attributes\":"
	    "[],\"dropped_attributes_count\":\"3\"},\"schema_url\":\"r\","
	    "\"scope_spans\":[{\"scope\":{\"name\":\"lib\",\"version\":\"1\","
	    "\"dropped_attributes_count\":1},\"schema_url\":\"s\",\"spans\":[{"
	    "\"trace_id\":\"5B8EFFF798038103D269B633813FC60C\","
	    "\"span_id\":\"EEE19B7EC3C1B174\","
	    "\"parent_span_id\":\"\",\"trace_state\":\"a=b\","
	    "\"flags\":\"769\",\"name\":\"op\",\"kind\":\"SPAN_KIND_CONSUMER\","
	    "\"start_time_unix_nano\":1767225600000000001,"
	    "\"end_time_unix_nano\":\"18446744073709551615\","
	    "\"dropped_attributes_count\":1,\"dropped_events_count\":2,"
	    "\"dropped_links_count\":3,"
	    "\"events\":[{\"time_unix_nano\":\"5\",\"name\":\"ev\","
	    "\"dropped_attributes_count\":4}],"
	    "\"links\":[{\"trace_id\":\"00000000000000000000000000000001\","
	    "\"span_id\":\"0000000000000002\",\"trace_state\":\"x=y\","
	    "\"flags\":256,\"dropped_attributes_count\":5}],"
	    "\"status\":{\"code\":\"STATUS_CODE_ERROR\",\"message\":\"bad\"},"
	    "\"future_field\":{\"deep\":[1,2,3]}}]}]}]}", &td, &err), 0,
	    "span: snake_case document decodes");
	s = first_span(td);
	T_OK(s != NULL, "span: present");
	if (s == NULL)
		return;
	T_OK(s->trace_id.len == 16 && s->trace_id.data[0] == 0x5b &&
	    s->trace_id.data[15] == 0x0c, "span: upper-case hex trace ID");
	T_OK(s->span_id.len == 8 && s->span_id.data[7] == 0x74,
	    "span: span ID");
	T_EQ_INT(s->parent_span_id.len, 0, "span: empty parent ID is absent");
	T_EQ_STR(s->trace_state, "a=b", "span: trace state");
	T_EQ_INT(s->flags, 769, "span: flags as a string");
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_CONSUMER,
	    "span: kind by name");
	T_OK(s->start_time_unix_nano == 1767225600000000001ull,
	    "span: start time as a number, exact");
	T_OK(s->end_time_unix_nano == UINT64_MAX, "span: end time as a string");
	T_EQ_INT(s->dropped_events_count, 2, "span: dropped events");
	T_EQ_INT(s->n_events, 1, "span: events");
	T_EQ_INT(s->events[0]->time_unix_nano, 5, "span: event time");
	T_EQ_INT(s->events[0]->dropped_attributes_count, 4,
	    "span: event dropped attributes");
	T_EQ_INT(s->n_links, 1, "span: links");
	T_EQ_INT(s->links[0]->flags, 256, "span: link flags");
	T_EQ_INT(s->links[0]->span_id.data[7], 2, "span: link span ID");
	T_OK(s->status != NULL && s->status->code == 2 &&
	    strcmp(s->status->message, "bad") == 0, "span: status by name");
	T_EQ_INT(decode(SPAN_DOC("{\"kind\":2.0,\"status\":{\"code\":1}}"),
	    &t2, &err), 0, "span: integral enum numbers decode");
	T_OK(first_span(t2)->kind == 2 && first_span(t2)->status->code == 1,
	    "span: kind 2.0 and code 1");
	T_EQ_INT(td->resource_spans[0]->resource->dropped_attributes_count, 3,
	    "resource: dropped attributes");
	T_EQ_STR(td->resource_spans[0]->schema_url, "r", "resource schema URL");
	T_EQ_STR(td->resource_spans[0]->scope_spans[0]->scope->version, "1",
	    "scope version");

	out = encode(td);
	T_EQ_STR(out, "{\"resourceSpans\":[{\"resource\":"
	    "{\"droppedAttributesCount\":3},\"scopeSpans\":[{\"scope\":"
	    "{\"name\":\"lib\",\"version\":\"1\",\"droppedAttributesCount\":1},"
	    "\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\","
	    "\"spanId\":\"eee19b7ec3c1b174\",\"traceState\":\"a=b\","
	    "\"flags\":769,\"name\":\"op\",\"kind\":5,"
	    "\"startTimeUnixNano\":\"1767225600000000001\","
	    "\"endTimeUnixNano\":\"18446744073709551615\","
	    "\"droppedAttributesCount\":1,\"events\":[{\"timeUnixNano\":\"5\","
	    "\"name\":\"ev\",\"droppedAttributesCount\":4}],"
	    "\"droppedEventsCount\":2,\"links\":[{\"traceId\":"
	    "\"00000000000000000000000000000001\",\"spanId\":"
	    "\"0000000000000002\",\"traceState\":\"x=y\","
	    "\"droppedAttributesCount\":5,\"flags\":256}],"
	    "\"droppedLinksCount\":3,\"status\":{\"message\":\"bad\","
	    "\"code\":2}}],\"schemaUrl\":\"s\"}],\"schemaUrl\":\"r\"}]}",
	    "span: encodes lowerCamelCase, lowercase hex, enums as numbers");
	T_EQ_INT(decode(out, &t2, &err), 0, "span: encoded form decodes");
	T_OK(same_model(td, t2), "span: round trip keeps every field");

	/* Defaults: present-but-empty messages stay, default scalars go. */
	T_EQ_INT(decode(SPAN_DOC("{\"traceId\":\"\",\"kind\":0,\"flags\":0,"
	    "\"name\":\"\",\"startTimeUnixNano\":\"0\",\"attributes\":[],"
	    "\"events\":[{}],\"links\":null,\"status\":{\"code\":0}}"), &td,
	    &err), 0, "defaults: decode");
	T_EQ_STR(encode(td), SPAN_DOC("{\"events\":[{}],\"status\":{}}"),
	    "defaults: omitted on output");
	T_EQ_INT(decode("{}", &td, &err), 0, "empty document decodes");
	T_EQ_INT(td->n_resource_spans, 0, "empty document has no spans");
	T_EQ_STR(encode(td), "{}", "empty TracesData encodes as {}");
	T_EQ_INT(decode("{\"resourceSpans\":[{}]}", &td, &err), 0,
	    "empty ResourceSpans decodes");
	T_EQ_STR(encode(td), "{\"resourceSpans\":[{}]}",
	    "empty ResourceSpans encodes");

	/* Entity references (resource v1 development fields). */
	T_EQ_INT(decode("{\"resourceSpans\":[{\"resource\":{\"entityRefs\":"
	    "[{\"type\":\"service\",\"schemaUrl\":\"u\",\"idKeys\":"
	    "[\"service.name\"],\"description_keys\":[\"a\",\"b\"]}]}}]}",
	    &td, &err), 0, "entity refs decode");
	T_EQ_STR(encode(td), "{\"resourceSpans\":[{\"resource\":{\"entityRefs\":"
	    "[{\"schemaUrl\":\"u\",\"type\":\"service\",\"idKeys\":"
	    "[\"service.name\"],\"descriptionKeys\":[\"a\",\"b\"]}]}}]}",
	    "entity refs encode");
}

static void
test_escaping(void)
{
	Tq__TracesData *td, *t2;
	struct tq_err err;
	Tq__Span *s;

	T_EQ_INT(decode(SPAN_DOC("{\"name\":\"q\\\" b\\\\ \\n\\t\\r\\b\\f"
	    "\\u0001\\u001f \\u00e9\\ud83d\\ude80 /\"}"), &td, &err), 0,
	    "escapes decode");
	s = first_span(td);
	T_EQ_STR(s->name, "q\" b\\ \n\t\r\b\f\x01\x1f \xc3\xa9\xf0\x9f\x9a\x80 /",
	    "escapes: decoded text");
	T_EQ_STR(encode(td), SPAN_DOC("{\"name\":\"q\\\" b\\\\ \\n\\t\\r\\b\\f"
	    "\\u0001\\u001f \xc3\xa9\xf0\x9f\x9a\x80 /\"}"),
	    "escapes: encoded text");
	T_EQ_INT(decode(encode(td), &t2, &err), 0, "escapes: re-decode");
	T_EQ_STR(first_span(t2)->name, s->name, "escapes: round trip");
}

static void
test_encode_limit(void)
{
	Tq__TracesData *td;
	struct tq_buf b;
	struct tq_err err;

	T_EQ_INT(decode(SPAN_DOC("{\"name\":\"a rather long span name\"}"),
	    &td, &err), 0, "limit: decode");
	tq_buf_init(&b, 30);
	T_EQ_INT(tq_buf_append(&b, "keep", 4), 0, "limit: prefix");
	T_EQ_INT(tq_otlp_json_encode(td, &b, &err), TQ_ELIMIT,
	    "limit: output past the buffer cap fails");
	T_EQ_INT(b.len, 4, "limit: failed encode leaves the buffer as it was");
	tq_buf_release(&b);
}

/* bad checks that doc fails with code and exactly message msg. */
static void
bad(const char *doc, int code, const char *msg)
{
	Tq__TracesData *td;
	struct tq_err err;
	char name[160];

	snprintf(name, sizeof(name), "bad: %.60s", msg);
	T_EQ_INT(decode(doc, &td, &err), code, name);
	T_EQ_STR(err.msg, msg, name);
}

static void
test_bad(void)
{
	char *deep;
	size_t i, n;
	Tq__TracesData *td;
	struct tq_err err;

	bad("", TQ_ECORRUPT, "OTLP/JSON: byte 0: '[' or '{' expected near end of file");
	bad("[]", TQ_ECORRUPT, "not an object");
	bad("{\"resourceSpans\":{}}", TQ_ECORRUPT, "resourceSpans: not an array");
	bad("{\"resourceSpans\":[{},{\"scopeSpans\":[{},{\"spans\":[{},{},{},"
	    "{\"traceId\":\"abc\"}]}]}]}", TQ_ECORRUPT,
	    "resourceSpans[1].scopeSpans[1].spans[3].traceId: "
	    "not 32 hex digits");
	bad(SPAN_DOC("{\"spanId\":\"zzzzzzzzzzzzzzzz\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].spanId: not 16 hex digits");
	bad(SPAN_DOC("{\"parentSpanId\":12}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].parentSpanId: "
	    "not a string");
	bad(SPAN_DOC("{\"name\":5}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].name: not a string");
	bad(SPAN_DOC("{\"kind\":\"SERVER\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].kind: unknown value");
	bad(SPAN_DOC("{\"kind\":2.5}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].kind: not an integer");
	bad(SPAN_DOC("{\"kind\":4294967298}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].kind: out of range");
	bad(SPAN_DOC("{\"kind\":true}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].kind: "
	    "not a number or a string");
	bad(SPAN_DOC("{\"startTimeUnixNano\":-1}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: "
	    "negative");
	bad(SPAN_DOC("{\"endTimeUnixNano\":\"18446744073709551616\"}"),
	    TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: "
	    "not an unsigned integer");
	bad(SPAN_DOC("{\"endTimeUnixNano\":\"12x\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: "
	    "not an unsigned integer");
	bad(SPAN_DOC("{\"flags\":4294967296}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].flags: "
	    "4294967296 is out of range");
	bad(SPAN_DOC("{\"droppedEventsCount\":1.5}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].droppedEventsCount: "
	    "not an unsigned integer");
	bad(SPAN_DOC("{\"events\":[{\"name\":\"e\"},[]]}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].events[1]: "
	    "not an object");
	bad(SPAN_DOC("{\"links\":[{\"traceId\":\"0011\"}]}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].links[0].traceId: "
	    "not 32 hex digits");
	bad(SPAN_DOC("{\"status\":{\"code\":\"ERROR\"}}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].status.code: "
	    "unknown value");
	bad(SPAN_DOC("{\"status\":[]}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].status: not an object");
	bad(ATTR_DOC("{\"intValue\":\"9223372036854775808\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
	    "intValue: not a 64-bit integer");
	bad(ATTR_DOC("{\"intValue\":1.5}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
	    "intValue: not an integer");
	bad(ATTR_DOC("{\"doubleValue\":\"inf\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
	    "doubleValue: not a number");
	bad(ATTR_DOC("{\"boolValue\":\"true\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
	    "boolValue: not a boolean");
	bad(ATTR_DOC("{\"bytesValue\":\"a*==\"}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
	    "bytesValue: bad base64 at character 1");
	bad(ATTR_DOC("{\"stringValue\":\"a\",\"intValue\":1}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: "
	    "more than one value");
	bad(ATTR_DOC("{\"arrayValue\":{\"values\":[{},{\"kvlistValue\":"
	    "{\"values\":[{\"key\":1}]}}]}}"), TQ_ECORRUPT,
	    "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
	    "arrayValue.values[1].kvlistValue.values[0].key: not a string");
	bad("{\"resourceSpans\":[{\"resource\":{\"attributes\":[7]}}]}",
	    TQ_ECORRUPT, "resourceSpans[0].resource.attributes[0]: "
	    "not an object");
	bad("{\"resourceSpans\":[{\"scopeSpans\":[{\"scope\":{\"name\":[]}}]}]}",
	    TQ_ECORRUPT, "resourceSpans[0].scopeSpans[0].scope.name: "
	    "not a string");
	bad("{\"a\":1,}", TQ_ECORRUPT,
	    "OTLP/JSON: byte 8: string or '}' expected near '}'");
	bad("{\"a\":\"\xff\"}", TQ_ECORRUPT,
	    "OTLP/JSON: byte 6: unable to decode byte 0xff near '\"'");
	bad("{\"a\":\"\\ud800\"}", TQ_ECORRUPT,
	    "OTLP/JSON: byte 13: invalid Unicode '\\uD800' near '\"\\ud800\"'");
	bad("{\"a\":\"x\\u0000y\"}", TQ_ECORRUPT,
	    "OTLP/JSON: byte 15: \\u0000 in a string");
	bad("{} {}", TQ_ECORRUPT, "OTLP/JSON: byte 4: end of file expected "
	    "near '{'");

	/*
	 * AnyValue nesting, through arrays and through kvlists (the longer
	 * path): TQ_MAX_DEPTH levels pass, one more fails.
	 */
	n = 4096 + 60 * (TQ_MAX_DEPTH + 1);
	deep = malloc(n);
	for (int kv = 0; kv <= 1; kv++)
	for (int depth = TQ_MAX_DEPTH; depth <= TQ_MAX_DEPTH + 1; depth++) {
		size_t len = (size_t)snprintf(deep, n, "%s",
		    "{\"resourceSpans\":[{\"resource\":{\"attributes\":"
		    "[{\"value\":");
		for (i = 1; i < (size_t)depth; i++)
			len += (size_t)snprintf(deep + len, n - len, "%s", kv ?
			    "{\"kvlistValue\":{\"values\":[{\"value\":" :
			    "{\"arrayValue\":{\"values\":[");
		len += (size_t)snprintf(deep + len, n - len, "{}");
		for (i = 1; i < (size_t)depth; i++)
			len += (size_t)snprintf(deep + len, n - len, "%s",
			    kv ? "}]}}" : "]}}");
		snprintf(deep + len, n - len, "}]}}]}");
		tq_err_clear(&err);
		if (depth == TQ_MAX_DEPTH)
			T_EQ_INT(decode(deep, &td, &err), 0,
			    "depth: TQ_MAX_DEPTH nested values decode");
		else {
			T_EQ_INT(decode(deep, &td, &err), TQ_ELIMIT,
			    "depth: one level more is over the limit");
			T_OK(strstr(err.msg, "values nested deeper than 64") !=
			    NULL && strncmp(err.msg, kv ? "resourceSpans[0]."
			    "resource.attributes[0].value.kvlistValue.values[0]"
			    ".value.kvlistValue" : "resourceSpans[0].resource."
			    "attributes[0].value.arrayValue.values[0].arrayValue",
			    kv ? 81 : 74) == 0,
			    "depth: error names the path and the limit");
		}
	}
	free(deep);

	/* jansson's own limit on raw nesting, in an ignored field. */
	n = 2 * 3000 + 32;
	deep = malloc(n);
	i = (size_t)snprintf(deep, n, "{\"x\":");
	memset(deep + i, '[', 3000);
	memset(deep + i + 3000, ']', 3000);
	snprintf(deep + i + 6000, n - i - 6000, "}");
	T_EQ_INT(decode(deep, &td, &err), TQ_ELIMIT,
	    "depth: deep JSON is over jansson's limit");
	free(deep);
}

/*
 * test_pb_round_trip: a document with every AnyValue kind (NaN and the
 * infinities included) goes JSON -> model -> protobuf -> model -> JSON
 * and comes back as the same text.
 */
static void
test_pb_round_trip(void)
{
	static const char doc[] = "{\"resourceSpans\":[{\"resource\":{"
	    "\"attributes\":[{\"key\":\"r\",\"value\":{\"kvlistValue\":"
	    "{\"values\":[{\"key\":\"b\",\"value\":{\"bytesValue\":"
	    "\"AAEC/w==\"}},{\"key\":\"e\"}]}}}],\"droppedAttributesCount\":2},"
	    "\"scopeSpans\":[{\"scope\":{\"name\":\"s\",\"version\":\"1\"},"
	    "\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\","
	    "\"spanId\":\"eee19b7ec3c1b174\",\"flags\":769,\"name\":\"n\","
	    "\"kind\":3,\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":"
	    "\"18446744073709551615\",\"attributes\":[{\"key\":\"a\","
	    "\"value\":{\"arrayValue\":{\"values\":[{\"doubleValue\":\"NaN\"},"
	    "{\"doubleValue\":\"-Infinity\"},{\"doubleValue\":-0.5},"
	    "{\"doubleValue\":-0.0},{\"doubleValue\":1e-300},"
	    "{\"intValue\":\"-9223372036854775808\"},{\"boolValue\":true},"
	    "{\"stringValue\":\"\\u00e9\\n\"},{}]}}}],\"events\":[{"
	    "\"timeUnixNano\":\"2\",\"name\":\"e\"}],\"links\":[{"
	    "\"traceId\":\"00000000000000000000000000000001\",\"spanId\":"
	    "\"0000000000000002\",\"flags\":256}],\"status\":{\"message\":"
	    "\"m\",\"code\":2}}],\"schemaUrl\":\"u\"}]}]}";
	Tq__TracesData *td, *t2;
	struct tq_buf pb;
	struct tq_err err;
	char first[8192];

	T_EQ_INT(decode(doc, &td, &err), 0, "pb round trip: JSON decodes");
	snprintf(first, sizeof(first), "%s", encode(td));
	tq_buf_init(&pb, 1 << 20);
	T_EQ_INT(tq_otlp_pb_encode(td, &pb, &err), 0,
	    "pb round trip: protobuf encodes");
	T_EQ_INT(tq_otlp_pb_decode(pb.data, pb.len, &arena, &t2, &err), 0,
	    "pb round trip: protobuf decodes");
	T_EQ_STR(encode(t2), first, "pb round trip: same JSON text again");
	T_OK(strstr(first, "{\"doubleValue\":-0.0},{\"doubleValue\":1e-300}") !=
	    NULL, "pb round trip: negative zero keeps its sign");
	tq_buf_release(&pb);
}

/*
 * test_resources: a full arena and an over-long document fail cleanly
 * (ASan checks that the jansson tree is freed on every path).
 */
static void
test_resources(void)
{
	char path[1024], *json;
	size_t len;
	struct tq_arena small;
	struct tq_err err;
	Tq__TracesData *td;

	snprintf(path, sizeof(path), "%s/otlp-json/000003.body.json",
	    t_fixtures());
	json = (char *)t_slurp(NULL, path, &len);
	T_OK(json != NULL, "resources: fixture found");
	if (json == NULL)
		return;
	tq_arena_init(&small, 4096);
	T_EQ_INT(tq_otlp_json_decode(json, len, &small, &td, &err), TQ_ENOMEM,
	    "resources: a full arena is TQ_ENOMEM");
	T_EQ_STR(err.msg, "resourceSpans[0].scopeSpans[0].spans[0].events[0]."
	    "attributes[0].key: out of memory", "resources: the error says where");
	tq_arena_release(&small);
	free(json);
	/* The length is checked before a byte is read. */
	T_EQ_INT(tq_otlp_json_decode("{}", (size_t)TQ_MAX_JSON_LINE + 1,
	    &arena, &td, &err), TQ_ELIMIT,
	    "resources: a document over TQ_MAX_JSON_LINE is refused");
}

int
main(void)
{
	tq_arena_init(&arena, TQ_MAX_DECODE_ARENA);
	test_fixtures();
	test_anyvalue();
	test_span_fields();
	test_escaping();
	test_encode_limit();
	test_bad();
	test_pb_round_trip();
	test_resources();
	tq_arena_release(&arena);
	return t_done();
}
