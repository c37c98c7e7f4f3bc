/*
 * test-zipkin.c: Zipkin v2 JSON to OTLP (lib/otlp-zipkin.c).
 *
 * Small hand-written span arrays check each rule of the translation field
 * by field; the real-client Zipkin bodies are checked against the ground
 * truth for everything Zipkin carries (see the fixture README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "err.h"
#include "limits.h"
#include "otlp.h"
#include "t.h"

static struct tq_arena arena;

static int
zdecode(const char *json, Tq__TracesData **td, struct tq_err *err)
{
	tq_err_clear(err);
	return tq_zipkin_json_decode(json, strlen(json), &arena, td, err);
}

/* span_at returns span i of td counting across every group. */
static Tq__Span *
span_at(const Tq__TracesData *td, size_t want)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < td->n_resource_spans; i++)
		for (j = 0; j < td->resource_spans[i]->n_scope_spans; j++)
			for (k = 0; k < td->resource_spans[i]->scope_spans[j]->
			    n_spans; k++)
				if (n++ == want)
					return td->resource_spans[i]->
					    scope_spans[j]->spans[k];
	return NULL;
}

/* attr finds key among n attributes. */
static const Tq__AnyValue *
attr(Tq__KeyValue *const *kvs, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kvs[i]->key, key) == 0)
			return kvs[i]->value;
	return NULL;
}

static const char *
str_attr(Tq__KeyValue *const *kvs, size_t n, const char *key)
{
	const Tq__AnyValue *v = attr(kvs, n, key);

	if (v == NULL || v->value_case != TQ__ANY_VALUE__VALUE_STRING_VALUE)
		return NULL;
	return v->string_value;
}

static void
test_full_span(void)
{
	Tq__TracesData *td;
	struct tq_err err;
	const Tq__AnyValue *v;
	Tq__Resource *r;
	Tq__Span *s;

	T_EQ_INT(zdecode("[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\","
	    "\"id\":\"eee19b7ec3c1b174\",\"parentId\":\"eee19b7ec3c1b173\","
	    "\"name\":\"get /api\",\"kind\":\"SERVER\","
	    "\"timestamp\":1472470996199000,\"duration\":207000,"
	    "\"debug\":true,\"shared\":false,"
	    "\"localEndpoint\":{\"serviceName\":\"backend\","
	    "\"ipv4\":\"192.168.99.101\",\"port\":9000},"
	    "\"remoteEndpoint\":{\"serviceName\":\"frontend\","
	    "\"ipv4\":\"172.19.0.2\",\"ipv6\":\"::1\",\"port\":58648},"
	    "\"annotations\":[{\"timestamp\":1472470996238000,"
	    "\"value\":\"foo\"},{\"timestamp\":1472470996403000,"
	    "\"value\":\"bar\"}],"
	    "\"tags\":{\"http.method\":\"GET\",\"http.path\":\"/api\","
	    "\"w3c.tracestate\":\"k=v\",\"host.name\":\"h1\","
	    "\"otel.scope.name\":\"lib\",\"otel.scope.version\":\"2\","
	    "\"service.name\":\"ignored\"},\"unknown\":[1]}]", &td, &err), 0,
	    "full: decodes");
	T_EQ_INT(td->n_resource_spans, 1, "full: one resource");
	s = span_at(td, 0);
	T_OK(s != NULL, "full: one span");
	if (s == NULL)
		return;
	T_OK(s->trace_id.len == 16 && s->trace_id.data[0] == 0x5b &&
	    s->trace_id.data[15] == 0x0c, "full: trace ID");
	T_OK(s->span_id.len == 8 && s->span_id.data[7] == 0x74, "full: span ID");
	T_OK(s->parent_span_id.len == 8 && s->parent_span_id.data[7] == 0x73,
	    "full: parent ID");
	T_EQ_STR(s->name, "get /api", "full: name");
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_SERVER, "full: kind");
	T_OK(s->start_time_unix_nano == 1472470996199000000ull,
	    "full: start = timestamp in ns");
	T_OK(s->end_time_unix_nano == 1472470996406000000ull,
	    "full: end = start + duration");
	T_EQ_STR(s->trace_state, "k=v", "full: w3c.tracestate is the trace state");
	T_OK(s->status == NULL, "full: no status tags, no status");
	T_EQ_INT(s->n_events, 2, "full: annotations become events");
	T_EQ_STR(s->events[1]->name, "bar", "full: event name");
	T_OK(s->events[1]->time_unix_nano == 1472470996403000000ull,
	    "full: event time");
	T_EQ_STR(str_attr(s->attributes, s->n_attributes, "http.method"), "GET",
	    "full: tag as string attribute");
	T_OK(attr(s->attributes, s->n_attributes, "w3c.tracestate") == NULL &&
	    attr(s->attributes, s->n_attributes, "host.name") == NULL &&
	    attr(s->attributes, s->n_attributes, "otel.scope.name") == NULL,
	    "full: consumed tags are not attributes");
	T_EQ_STR(str_attr(s->attributes, s->n_attributes, "net.host.ip"),
	    "192.168.99.101", "full: local ipv4");
	v = attr(s->attributes, s->n_attributes, "net.host.port");
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_INT_VALUE &&
	    v->int_value == 9000, "full: local port as int");
	T_EQ_STR(str_attr(s->attributes, s->n_attributes, "peer.service"),
	    "frontend", "full: remote service");
	T_EQ_STR(str_attr(s->attributes, s->n_attributes, "net.peer.ip"), "::1",
	    "full: remote ipv6 wins over ipv4");
	v = attr(s->attributes, s->n_attributes, "net.peer.port");
	T_OK(v != NULL && v->int_value == 58648, "full: remote port");
	T_EQ_INT(s->n_attributes, 7, "full: no other attributes");
	r = td->resource_spans[0]->resource;
	T_EQ_STR(str_attr(r->attributes, r->n_attributes, "service.name"),
	    "backend", "full: localEndpoint.serviceName is service.name");
	T_EQ_STR(str_attr(r->attributes, r->n_attributes, "host.name"), "h1",
	    "full: resource tag moves to the resource");
	T_EQ_INT(r->n_attributes, 2, "full: resource attributes");
	T_EQ_STR(td->resource_spans[0]->scope_spans[0]->scope->name, "lib",
	    "full: scope name");
	T_EQ_STR(td->resource_spans[0]->scope_spans[0]->scope->version, "2",
	    "full: scope version");
}

static void
test_ids_and_times(void)
{
	Tq__TracesData *td;
	struct tq_err err;
	Tq__Span *s;
	const Tq__AnyValue *v;
	static const uint8_t tid64[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0x46, 0x3a, 0xc3, 0x5c, 0x9f, 0x64, 0x13, 0xad };

	T_EQ_INT(zdecode("["
	    "{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"1\",\"parentId\":\"1\","
	    "\"timestamp\":1767225600000215.8,\"duration\":1.5},"
	    "{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"2\",\"parentId\":\"\","
	    "\"timestamp\":1.7672256e15,\"duration\":0.0005,"
	    "\"annotations\":[{\"timestamp\":1767225600000000.0004,"
	    "\"value\":\"a\"},{\"timestamp\":17672256000000001E-1}]},"
	    "{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"3\",\"duration\":25}"
	    "]", &td, &err), 0, "times: decode");
	s = span_at(td, 0);
	T_OK(s != NULL && s->trace_id.len == 16 &&
	    memcmp(s->trace_id.data, tid64, 16) == 0,
	    "ids: 64-bit trace ID is left-padded");
	T_OK(s != NULL && s->span_id.len == 8 && s->span_id.data[7] == 1 &&
	    s->span_id.data[0] == 0, "ids: short span ID is left-padded");
	T_EQ_INT(s->parent_span_id.len, 0, "ids: parentId equal to id is dropped");
	T_OK(s->start_time_unix_nano == 1767225600000215800ull,
	    "times: fractional microseconds exactly");
	T_OK(s->end_time_unix_nano == 1767225600000217300ull,
	    "times: fractional duration");
	s = span_at(td, 1);
	T_EQ_INT(s->parent_span_id.len, 0, "ids: empty parentId is absent");
	T_OK(s->start_time_unix_nano == 1767225600000000000ull,
	    "times: exponent form");
	T_OK(s->end_time_unix_nano == 1767225600000000001ull,
	    "times: half a nanosecond rounds up");
	T_OK(s->events[0]->time_unix_nano == 1767225600000000000ull,
	    "times: below half a nanosecond rounds down");
	T_OK(s->events[1]->time_unix_nano == 1767225600000000100ull,
	    "times: negative exponent");
	T_OK(s->events[1]->name[0] == '\0', "times: annotation without value");
	s = span_at(td, 2);
	T_OK(s->start_time_unix_nano == 0 && s->end_time_unix_nano == 25000,
	    "times: no timestamp starts at 0");
	v = attr(s->attributes, s->n_attributes,
	    "otel.zipkin.absentField.startTime");
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_BOOL_VALUE &&
	    v->bool_value, "times: absent start is flagged as the collector does");
	T_EQ_INT(td->n_resource_spans, 1, "no endpoint: one resource");
	T_EQ_INT(td->resource_spans[0]->resource->n_attributes, 0,
	    "no endpoint: no service.name");
}

static void
test_kind_status(void)
{
	Tq__TracesData *td;
	struct tq_err err;
	Tq__Span *s;
	int i;

	T_EQ_INT(zdecode("["
	    "{\"traceId\":\"1\",\"id\":\"1\",\"kind\":\"CLIENT\","
	    "\"tags\":{\"otel.status_code\":\"ERROR\",\"error\":\"boom\"}},"
	    "{\"traceId\":\"1\",\"id\":\"2\",\"kind\":\"PRODUCER\","
	    "\"tags\":{\"otel.status_code\":\"OK\"}},"
	    "{\"traceId\":\"1\",\"id\":\"3\",\"kind\":\"CONSUMER\","
	    "\"tags\":{\"error\":\"true\"}},"
	    "{\"traceId\":\"1\",\"id\":\"4\","
	    "\"tags\":{\"otel.status_code\":\"ERROR\","
	    "\"otel.status_description\":\"desc\",\"error\":\"other\"}},"
	    "{\"traceId\":\"1\",\"id\":\"5\",\"tags\":{\"span.kind\":\"internal\","
	    "\"error\":\"\"}},"
	    "{\"traceId\":\"1\",\"id\":\"6\",\"kind\":\"WEIRD\"}"
	    "]", &td, &err), 0, "kind/status: decode");
	s = span_at(td, 0);
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_CLIENT, "kind: CLIENT");
	T_OK(s->status != NULL && s->status->code == 2 &&
	    strcmp(s->status->message, "boom") == 0,
	    "status: ERROR with the error tag as message");
	T_EQ_INT(s->n_attributes, 1, "status: tags consumed");
	s = span_at(td, 1);
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_PRODUCER,
	    "kind: PRODUCER");
	T_OK(s->status != NULL && s->status->code == 1, "status: OK");
	s = span_at(td, 2);
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_CONSUMER,
	    "kind: CONSUMER");
	T_OK(s->status != NULL && s->status->code == 2 &&
	    s->status->message[0] == '\0', "status: error=true, no message");
	s = span_at(td, 3);
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_UNSPECIFIED,
	    "kind: absent is unspecified, as the collector");
	T_OK(s->status != NULL && s->status->code == 2 &&
	    strcmp(s->status->message, "desc") == 0,
	    "status: description wins over the error tag");
	s = span_at(td, 4);
	T_EQ_INT(s->kind, TQ__SPAN__SPAN_KIND__SPAN_KIND_INTERNAL,
	    "kind: span.kind tag");
	T_OK(s->status != NULL && s->status->code == 2, "status: empty error tag");
	for (i = 0; i < 5; i++) {
		s = span_at(td, (size_t)i);
		T_OK(attr(s->attributes, s->n_attributes, "error") == NULL &&
		    attr(s->attributes, s->n_attributes, "span.kind") == NULL,
		    "status: error and span.kind are not attributes");
	}
	s = span_at(td, 5);
	T_EQ_INT(s->kind, 0, "kind: unknown value is unspecified");
}

static void
test_grouping(void)
{
	Tq__TracesData *td;
	struct tq_err err;
	Tq__ResourceSpans *rs;

	T_EQ_INT(zdecode("["
	    "{\"traceId\":\"1\",\"id\":\"1\",\"localEndpoint\":"
	    "{\"serviceName\":\"a\"},\"tags\":{\"service.instance.id\":\"i1\"}},"
	    "{\"traceId\":\"1\",\"id\":\"2\",\"localEndpoint\":"
	    "{\"serviceName\":\"b\"}},"
	    "{\"traceId\":\"1\",\"id\":\"3\",\"localEndpoint\":"
	    "{\"serviceName\":\"a\"},\"tags\":{\"service.instance.id\":\"i1\","
	    "\"otel.library.name\":\"L\"}},"
	    "{\"traceId\":\"1\",\"id\":\"4\",\"localEndpoint\":"
	    "{\"serviceName\":\"a\"},\"tags\":{\"service.instance.id\":\"i2\"}},"
	    "{\"traceId\":\"1\",\"id\":\"5\",\"localEndpoint\":"
	    "{\"serviceName\":\"a\"},\"tags\":{\"service.instance.id\":\"i1\"}}"
	    "]", &td, &err), 0, "group: decode");
	T_EQ_INT(td->n_resource_spans, 3, "group: one resource per endpoint "
	    "and instance");
	rs = td->resource_spans[0];
	T_EQ_INT(rs->n_scope_spans, 2, "group: scopes within a resource");
	T_EQ_INT(rs->scope_spans[0]->n_spans, 2, "group: spans of a scope");
	T_EQ_INT(rs->scope_spans[0]->spans[1]->span_id.data[7], 5,
	    "group: spans keep their order");
	T_EQ_STR(rs->scope_spans[1]->scope->name, "L", "group: library name");
	T_EQ_INT(td->resource_spans[1]->scope_spans[0]->spans[0]->span_id.data[7],
	    2, "group: resources in order of first appearance");
	T_EQ_STR(str_attr(td->resource_spans[2]->resource->attributes,
	    td->resource_spans[2]->resource->n_attributes,
	    "service.instance.id"), "i2", "group: second instance");
	T_EQ_INT(zdecode("[{\"traceId\":\"1\",\"id\":\"1\",\"localEndpoint\":"
	    "{\"serviceName\":\"svc\"},\"tags\":{\"otlp.service.name.source\":"
	    "\"app.name\",\"app.name\":\"x\",\"opencensus.resourcetype\":"
	    "\"k\"}}]", &td, &err), 0, "service name source: decode");
	rs = td->resource_spans[0];
	T_EQ_STR(str_attr(rs->resource->attributes, rs->resource->n_attributes,
	    "app.name"), "svc", "service name source: names the attribute");
	T_OK(str_attr(rs->resource->attributes, rs->resource->n_attributes,
	    "service.name") == NULL, "service name source: no service.name");
	T_EQ_STR(str_attr(rs->resource->attributes, rs->resource->n_attributes,
	    "opencensus.resourcetype"), "k", "opencensus tags are resource");
	T_EQ_INT(span_at(td, 0)->n_attributes, 1,
	    "service name source: only the absent start flag is left");
	T_EQ_INT(zdecode("[]", &td, &err), 0, "empty array decodes");
	T_EQ_INT(td->n_resource_spans, 0, "empty array has no spans");
}

static void
bad(const char *doc, int code, const char *msg)
{
	Tq__TracesData *td;
	struct tq_err err;
	char name[160];

	snprintf(name, sizeof(name), "bad: %.60s", msg);
	T_EQ_INT(zdecode(doc, &td, &err), code, name);
	T_EQ_STR(err.msg, msg, name);
}

#define Z(fields)	"[{\"traceId\":\"1\",\"id\":\"2\"," fields "}]"

static void
test_bad(void)
{
	bad("{}", TQ_ECORRUPT, "not an array of spans");
	bad("[1]", TQ_ECORRUPT, "[0]: not an object");
	bad("[{\"id\":\"1\"}]", TQ_ECORRUPT, "[0]: no traceId");
	bad("[{\"traceId\":\"1\"}]", TQ_ECORRUPT, "[0]: no id");
	bad("[{\"traceId\":\"1\",\"id\":\"2\"},{\"traceId\":"
	    "\"123456789012345678901234567890123\",\"id\":\"1\"}]", TQ_ECORRUPT,
	    "[1].traceId: not 1 to 32 hex digits");
	bad(Z("\"parentId\":\"xyz\""), TQ_ECORRUPT,
	    "[0].parentId: not 1 to 16 hex digits");
	bad(Z("\"name\":1.5"), TQ_ECORRUPT, "[0].name: not a string");
	bad(Z("\"kind\":2"), TQ_ECORRUPT, "[0].kind: not a string");
	bad(Z("\"timestamp\":\"1\""), TQ_ECORRUPT,
	    "[0].timestamp: not a number");
	bad(Z("\"duration\":-5"), TQ_ECORRUPT, "[0].duration: negative");
	bad(Z("\"duration\":-5.5"), TQ_ECORRUPT,
	    "[0].duration: -5.5 is out of range");
	bad(Z("\"timestamp\":1e30"), TQ_ECORRUPT,
	    "[0].timestamp: 1e30 is out of range");
	bad(Z("\"timestamp\":18446744073709551,\"duration\":1000"),
	    TQ_ECORRUPT, "[0]: timestamp plus duration is out of range");
	bad(Z("\"tags\":{\"ok\":\"x\",\"http.status_code\":200}"), TQ_ECORRUPT,
	    "[0].tags.http.status_code: not a string");
	bad(Z("\"tags\":[]"), TQ_ECORRUPT, "[0].tags: not an object");
	bad(Z("\"annotations\":{}"), TQ_ECORRUPT,
	    "[0].annotations: not an array");
	bad(Z("\"annotations\":[{\"timestamp\":1,\"value\":2}]"), TQ_ECORRUPT,
	    "[0].annotations[0].value: not a string");
	bad(Z("\"localEndpoint\":{\"port\":70000}"), TQ_ECORRUPT,
	    "[0].localEndpoint.port: not a port number");
	bad(Z("\"remoteEndpoint\":\"x\""), TQ_ECORRUPT,
	    "[0].remoteEndpoint: not an object");
	bad(Z("\"shared\":\"yes\""), TQ_ECORRUPT, "[0].shared: not a boolean");
	bad(Z("\"name\":\"a\\u0000b\""), TQ_ECORRUPT,
	    "Zipkin JSON: byte 34: \\u0000 in a string");
	bad("[{\"traceId\":\"1\",\"timestamp\":1.5,}]", TQ_ECORRUPT,
	    "Zipkin JSON: byte 33: string or '}' expected near '}'");
	bad("[1.5.5]", TQ_ECORRUPT,
	    "Zipkin JSON: byte 5: ']' expected near '.'");
	bad("[{\"traceId\":\"1\",\"id\":\"2\",\"name\":\"\xc3\x28\"}]",
	    TQ_ECORRUPT, "Zipkin JSON: byte 33: unable to decode byte 0xc3 "
	    "near '\"'");
}

/*
 * same_value tells whether text (n bytes) is the Zipkin exporter's string
 * form of the JSON scalar v: doubles compare as numbers, since JavaScript
 * and jansson print them differently.
 */
static int
same_value(const char *text, size_t n, const json_t *v)
{
	char buf[512], *end;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (json_is_string(v))
		return strcmp(buf, json_string_value(v)) == 0;
	if (json_is_true(v))
		return strcmp(buf, "true") == 0;
	if (json_is_false(v))
		return strcmp(buf, "false") == 0;
	if (json_is_integer(v))
		return strtoll(buf, &end, 10) == json_integer_value(v) &&
		    *end == '\0';
	if (json_is_real(v))
		return strtod(buf, &end) == json_real_value(v) && *end == '\0';
	return 0;
}

/* same_text compares an attribute's string with a ground-truth value. */
static int
same_text(const char *got, const json_t *v)
{
	const json_t *e;
	const char *p, *comma;
	size_t i;

	if (got == NULL)
		return 0;
	if (!json_is_array(v))
		return same_value(got, strlen(got), v);
	p = got;
	json_array_foreach(v, i, e) {
		if (i > 0) {
			if (*p != ',')
				return 0;
			p++;
		}
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		if (!same_value(p, (size_t)(comma - p), e))
			return 0;
		p = comma;
	}
	return *p == '\0';
}

/* hexid renders an ID as lowercase hex. */
static const char *
hexid(const ProtobufCBinaryData *id, char *buf)
{
	if (id->len == 0)
		return "";
	tq_hex_encode(buf, id->data, id->len);
	return buf;
}

/*
 * test_fixtures checks the real-client Zipkin bodies against the ground
 * truth: IDs, name, service, kind (INTERNAL arrives as no kind, so
 * unspecified), status code and message, start within the microsecond,
 * event names and times within the microsecond, and every span attribute
 * as its string form.
 */
static void
test_fixtures(void)
{
	const char *dir = getenv("TQ_FIXTURES");
	static const char *const kinds[] = { "SPAN_KIND_INTERNAL",
	    "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
	    "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER" };
	static const char *const codes[] = { "STATUS_CODE_UNSET",
	    "STATUS_CODE_OK", "STATUS_CODE_ERROR" };
	char path[1024], name[128], h1[40], h2[40];
	json_t *truth, *gt, *ev;
	json_error_t je;
	FILE *f;
	char *body;
	long blen;
	size_t i, j, k, n, total = 0, bad_fields = 0;
	int b;

	if (dir == NULL)
		dir = "../shared/fixtures/real-clients";
	snprintf(path, sizeof(path), "%s/ground-truth.jsonl", dir);
	truth = json_object();
	if ((f = fopen(path, "r")) != NULL) {
		char line[65536];

		while (fgets(line, sizeof(line), f) != NULL) {
			json_t *o = json_loads(line, 0, &je);

			if (o != NULL)
				json_object_set_new(truth, json_string_value(
				    json_object_get(o, "span_id")), o);
		}
		fclose(f);
	}
	T_EQ_INT(json_object_size(truth), 220, "zipkin fixtures: ground truth");
	for (b = 1; b <= 3; b++) {
		Tq__TracesData *td;
		struct tq_err err;

		snprintf(path, sizeof(path), "%s/zipkin-json/%06d.body.json",
		    dir, b);
		if ((f = fopen(path, "rb")) == NULL) {
			T_OK(0, "zipkin fixture: body found");
			continue;
		}
		fseek(f, 0, SEEK_END);
		blen = ftell(f);
		fseek(f, 0, SEEK_SET);
		body = malloc((size_t)blen);
		n = fread(body, 1, (size_t)blen, f);
		fclose(f);
		tq_arena_reset(&arena);
		snprintf(name, sizeof(name), "zipkin fixture %d: decodes", b);
		T_EQ_INT(tq_zipkin_json_decode(body, n, &arena, &td, &err), 0,
		    name);
		free(body);
		snprintf(name, sizeof(name), "zipkin fixture %d: span count", b);
		T_EQ_INT(tq_otlp_span_count(td), b == 3 ? 20 : 100, name);
		for (i = 0; i < tq_otlp_span_count(td); i++) {
			Tq__Span *s = span_at(td, i);
			const Tq__Resource *r = NULL;
			const json_t *attrs;
			const char *key;
			json_t *val;
			uint64_t want;

			for (j = 0; j < td->n_resource_spans; j++)
				for (k = 0; k < td->resource_spans[j]->
				    n_scope_spans; k++)
					for (n = 0; n < td->resource_spans[j]->
					    scope_spans[k]->n_spans; n++)
						if (td->resource_spans[j]->
						    scope_spans[k]->spans[n] == s)
							r = td->resource_spans[j]->
							    resource;
			total++;
			gt = json_object_get(truth, hexid(&s->span_id, h1));
			if (gt == NULL) {
				bad_fields++;
				printf("# span %s not in the ground truth\n", h1);
				continue;
			}
#define CHECK(cond, what) do { if (!(cond)) { bad_fields++; \
	printf("# span %s: %s differs\n", h1, what); } } while (0)
			CHECK(strcmp(hexid(&s->trace_id, h2), json_string_value(
			    json_object_get(gt, "trace_id"))) == 0, "trace_id");
			CHECK(strcmp(hexid(&s->parent_span_id, h2),
			    json_string_value(json_object_get(gt,
			    "parent_span_id"))) == 0, "parent_span_id");
			CHECK(strcmp(s->name, json_string_value(
			    json_object_get(gt, "name"))) == 0, "name");
			CHECK(strcmp(str_attr(r->attributes, r->n_attributes,
			    "service.name"), json_string_value(
			    json_object_get(gt, "service"))) == 0, "service");
			CHECK(s->kind <= 5 && strcmp(kinds[s->kind],
			    json_string_value(json_object_get(gt, "kind"))) ==
			    0, "kind");
			CHECK(strcmp(codes[s->status != NULL ?
			    s->status->code : 0], json_string_value(
			    json_object_get(gt, "status_code"))) == 0,
			    "status_code");
			CHECK(strcmp(s->status != NULL ? s->status->message :
			    "", json_string_value(json_object_get(gt,
			    "status_message"))) == 0, "status_message");
			want = strtoull(json_string_value(json_object_get(gt,
			    "start_unix_nano")), NULL, 10);
			CHECK((s->start_time_unix_nano > want ?
			    s->start_time_unix_nano - want :
			    want - s->start_time_unix_nano) < 1000,
			    "start_unix_nano");
			CHECK(s->n_events == json_array_size(json_object_get(gt,
			    "events")), "events");
			json_array_foreach(json_object_get(gt, "events"), j, ev)
				if (j < s->n_events)
					CHECK(strcmp(s->events[j]->name,
					    json_string_value(json_object_get(ev,
					    "name"))) == 0, "event name");
			/* Span attributes arrive as strings (arrays joined
			 * with commas); each must read back as the value. */
			attrs = json_object_get(gt, "attributes");
			json_object_foreach((json_t *)attrs, key, val)
				CHECK(same_text(str_attr(s->attributes,
				    s->n_attributes, key), val), key);
		}
	}
	T_EQ_INT(total, 220, "zipkin fixtures: every span decoded");
	T_EQ_INT(bad_fields, 0, "zipkin fixtures: every carried field matches");
	json_decref(truth);
}

/* test_resources: a full arena fails cleanly, the error naming the span. */
static void
test_resources(void)
{
	static const char doc[] = "[{\"traceId\":\"1\",\"id\":\"1\","
	    "\"timestamp\":1.5,\"tags\":{\"a\":\"b\"}},"
	    "{\"traceId\":\"1\",\"id\":\"2\",\"timestamp\":2.5,"
	    "\"name\":\"a name long enough to need more room than is left\"}]";
	struct tq_arena small;
	struct tq_err err;
	Tq__TracesData *td;
	size_t max;
	int rc = 0, saw_enomem = 0;

	/* Every arena size up to what it needs fails with TQ_ENOMEM. */
	for (max = 0; max < 8192; max += 16) {
		tq_arena_init(&small, max);
		rc = tq_zipkin_json_decode(doc, sizeof(doc) - 1, &small, &td,
		    &err);
		tq_arena_release(&small);
		if (rc == 0)
			break;
		if (rc != TQ_ENOMEM) {
			saw_enomem = -1;
			break;
		}
		saw_enomem = 1;
	}
	T_EQ_INT(saw_enomem, 1, "resources: small arenas give TQ_ENOMEM");
	T_EQ_INT(rc, 0, "resources: a big enough arena succeeds");
	T_EQ_INT(tq_zipkin_json_decode("[]", (size_t)TQ_MAX_JSON_LINE + 1,
	    &arena, &td, &err), TQ_ELIMIT,
	    "resources: a document over TQ_MAX_JSON_LINE is refused");
}

/*
 * test_collector_forms: the encodings the collector's own Zipkin exporter
 * uses for event attributes and links, and the older status names.
 */
static void
test_collector_forms(void)
{
	Tq__TracesData *td;
	struct tq_err err;
	Tq__Span *s;
	const Tq__AnyValue *v;
	Tq__Span__Event *e;

	T_EQ_INT(zdecode("[{\"traceId\":\"1\",\"id\":\"1\","
	    "\"annotations\":["
	    "{\"timestamp\":1,\"value\":\"cache miss|{\\\"key\\\":\\\"k|1\\\","
	    "\\\"n\\\":5,\\\"f\\\":1.5,\\\"g\\\":2.0,\\\"b\\\":true,"
	    "\\\"x\\\":null}|2\"},"
	    "{\"timestamp\":2,\"value\":\"a|b|c\"},"
	    "{\"timestamp\":3,\"value\":\"|{}|0\"},"
	    "{\"timestamp\":4,\"value\":\"x|{}|-1\"}],"
	    "\"tags\":{\"otel.status_code\":\"Ok\","
	    "\"otlp.link.0\":\"0123456789abcdef0123456789abcdef|"
	    "0123456789abcdef|k=v|{\\\"a\\\":\\\"b|c\\\"}|3\","
	    "\"otlp.link.1\":\"not a link\","
	    "\"otlp.link.2\":\"|||{}|0\","
	    "\"otlp.link.4\":\"|||{}|0\"}}]", &td, &err), 0,
	    "collector forms: decode");
	if ((s = span_at(td, 0)) == NULL) {
		printf("# %s\n", err.msg);
		T_OK(0, "collector forms: span");
		return;
	}
	e = s->events[0];
	T_EQ_STR(e->name, "cache miss", "annotation: name before the first |");
	T_EQ_INT(e->dropped_attributes_count, 2, "annotation: dropped count");
	T_EQ_INT(e->n_attributes, 5, "annotation: attributes (null skipped)");
	T_EQ_STR(str_attr(e->attributes, e->n_attributes, "key"), "k|1",
	    "annotation: string attribute with a |");
	v = attr(e->attributes, e->n_attributes, "n");
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_INT_VALUE &&
	    v->int_value == 5, "annotation: integer attribute");
	v = attr(e->attributes, e->n_attributes, "f");
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_DOUBLE_VALUE &&
	    v->double_value == 1.5, "annotation: double attribute");
	v = attr(e->attributes, e->n_attributes, "g");
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_INT_VALUE &&
	    v->int_value == 2, "annotation: integral double is an int");
	v = attr(e->attributes, e->n_attributes, "b");
	T_OK(v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_BOOL_VALUE &&
	    v->bool_value, "annotation: bool attribute");
	T_EQ_STR(s->events[1]->name, "a|b|c",
	    "annotation: other values with | are the name");
	T_EQ_INT(s->events[1]->n_attributes, 0, "annotation: no attributes");
	T_EQ_STR(s->events[2]->name, "", "annotation: empty name");
	T_EQ_STR(s->events[3]->name, "x|{}|-1",
	    "annotation: bad dropped count keeps the value");
	T_OK(s->status != NULL && s->status->code == 1, "status: Ok");
	T_EQ_INT(s->n_links, 2, "links: otlp.link.0 and .2 (stops at .3)");
	if (s->n_links != 2)
		return;
	T_OK(s->links[0]->trace_id.len == 16 &&
	    s->links[0]->trace_id.data[15] == 0xef &&
	    s->links[0]->span_id.len == 8 && s->links[0]->span_id.data[0] == 1,
	    "links: IDs");
	T_EQ_STR(s->links[0]->trace_state, "k=v", "links: trace state");
	T_EQ_INT(s->links[0]->dropped_attributes_count, 3, "links: dropped");
	T_EQ_STR(str_attr(s->links[0]->attributes, s->links[0]->n_attributes,
	    "a"), "b|c", "links: attributes");
	T_EQ_INT(s->links[1]->trace_id.len, 0, "links: empty IDs are absent");
	T_EQ_STR(str_attr(s->attributes, s->n_attributes, "otlp.link.1"),
	    "not a link", "links: a malformed one stays a tag");
	T_EQ_STR(str_attr(s->attributes, s->n_attributes, "otlp.link.4"),
	    "|||{}|0", "links: one after a gap stays a tag");
	T_EQ_INT(s->n_attributes, 3, "links: nothing else left but the absent start");

	T_EQ_INT(zdecode("[{\"traceId\":\"1\",\"id\":\"1\",\"tags\":"
	    "{\"otel.status_code\":\"STATUS_CODE_ERROR\"}},"
	    "{\"traceId\":\"1\",\"id\":\"2\",\"tags\":"
	    "{\"otel.status_code\":\"unset\"}}]", &td, &err), 0,
	    "status names: decode");
	T_EQ_INT(span_at(td, 0)->status->code, 2, "status: STATUS_CODE_ERROR");
	T_EQ_INT(span_at(td, 1)->status->code, 0, "status: unset");
}

int
main(void)
{
	tq_arena_init(&arena, TQ_MAX_DECODE_ARENA);
	test_full_span();
	test_ids_and_times();
	test_kind_status();
	test_grouping();
	test_collector_forms();
	test_bad();
	test_fixtures();
	test_resources();
	tq_arena_release(&arena);
	return t_done();
}
