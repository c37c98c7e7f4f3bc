/*
 * tq-flatten: reads span-stream input (each file argument, or stdin) with
 * the stream reader and prints one JSON object per span, in the shape of
 * the real-client fixtures' ground-truth.jsonl, so the tests can compare
 * what our decoders produce with what the clients sent:
 *
 *   trace_id span_id parent_span_id parent_is_remote trace_state name
 *   service kind status_code status_message start_unix_nano end_unix_nano
 *   duration_nano attributes attribute_types resource scope events links
 *   batch
 *
 * IDs are lowercase hex ("" when absent), times decimal strings, enums
 * their proto names; attribute values are JSON values (arrays as arrays,
 * kvlists as objects, bytes as base64) with their types (string, int,
 * double, bool, bytes, kvlist, array<T>; "array" when empty or mixed) in
 * attribute_types.  batch is the record's number across all the input,
 * from 0.  Exit status 0, or 1 after reporting a bad input.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "arena.h"
#include "limits.h"
#include "otlp.h"
#include "stream.h"

static json_t	*value_json(const Tq__AnyValue *);

static json_t *
hex_json(const ProtobufCBinaryData *id)
{
	char buf[2 * 64 + 1];

	if (id->len == 0 || id->len > 64)
		return json_string("");
	tq_hex_encode(buf, id->data, id->len);
	return json_string(buf);
}

static json_t *
u64_json(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return json_string(buf);
}

static json_t *
base64_json(const ProtobufCBinaryData *b)
{
	static const char dig[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc(b->len / 3 * 4 + 8);
	size_t i, n = 0;
	json_t *j;

	for (i = 0; i < b->len; i += 3) {
		uint32_t v = (uint32_t)b->data[i] << 16;

		if (i + 1 < b->len)
			v |= (uint32_t)b->data[i + 1] << 8;
		if (i + 2 < b->len)
			v |= b->data[i + 2];
		s[n++] = dig[v >> 18];
		s[n++] = dig[(v >> 12) & 63];
		s[n++] = i + 1 < b->len ? dig[(v >> 6) & 63] : '=';
		s[n++] = i + 2 < b->len ? dig[v & 63] : '=';
	}
	s[n] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

/* type_name gives an AnyValue's type in the ground truth's words. */
static const char *
type_name(const Tq__AnyValue *v, char *buf, size_t size)
{
	const char *elem = NULL, *t;
	char tmp[64];
	size_t i;

	if (v == NULL)
		return "empty";
	switch (v->value_case) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		return "string";
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
		return "bool";
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
		return "int";
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
		return "double";
	case TQ__ANY_VALUE__VALUE_BYTES_VALUE:
		return "bytes";
	case TQ__ANY_VALUE__VALUE_KVLIST_VALUE:
		return "kvlist";
	case TQ__ANY_VALUE__VALUE_ARRAY_VALUE:
		for (i = 0; i < v->array_value->n_values; i++) {
			t = type_name(v->array_value->values[i], tmp,
			    sizeof(tmp));
			if (elem != NULL && strcmp(elem, t) != 0)
				return "array";
			elem = t;
		}
		if (elem == NULL || strchr(elem, '<') != NULL)
			return "array";
		snprintf(buf, size, "array<%s>", elem);
		return buf;
	default:
		return "empty";
	}
}

static json_t *
kvs_json(size_t n, Tq__KeyValue *const *kvs)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, kvs[i]->key, value_json(kvs[i]->value));
	return o;
}

static json_t *
value_json(const Tq__AnyValue *v)
{
	json_t *a;
	size_t i;

	if (v == NULL)
		return json_null();
	switch (v->value_case) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		return json_string(v->string_value);
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
		return json_boolean(v->bool_value);
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
		return json_integer(v->int_value);
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
		/* JSON.stringify writes non-finite numbers as null. */
		return isfinite(v->double_value) ?
		    json_real(v->double_value) : json_null();
	case TQ__ANY_VALUE__VALUE_BYTES_VALUE:
		return base64_json(&v->bytes_value);
	case TQ__ANY_VALUE__VALUE_KVLIST_VALUE:
		return kvs_json(v->kvlist_value->n_values,
		    v->kvlist_value->values);
	case TQ__ANY_VALUE__VALUE_ARRAY_VALUE:
		a = json_array();
		for (i = 0; i < v->array_value->n_values; i++)
			json_array_append_new(a,
			    value_json(v->array_value->values[i]));
		return a;
	default:
		return json_null();
	}
}

static json_t *
types_json(size_t n, Tq__KeyValue *const *kvs)
{
	json_t *o = json_object();
	char buf[64];
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, kvs[i]->key, json_string(
		    type_name(kvs[i]->value, buf, sizeof(buf))));
	return o;
}

static const char *
service_of(const Tq__Resource *r)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n_attributes; i++)
		if (strcmp(r->attributes[i]->key, "service.name") == 0 &&
		    r->attributes[i]->value != NULL &&
		    r->attributes[i]->value->value_case ==
		    TQ__ANY_VALUE__VALUE_STRING_VALUE)
			return r->attributes[i]->value->string_value;
	return "";
}

static void
print_span(const Tq__Resource *r, const Tq__ScopeSpans *ss,
    const Tq__Span *s, uint64_t batch)
{
	static const char *const kinds[] = { "SPAN_KIND_UNSPECIFIED",
	    "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
	    "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER" };
	static const char *const codes[] = { "STATUS_CODE_UNSET",
	    "STATUS_CODE_OK", "STATUS_CODE_ERROR" };
	json_t *o = json_object(), *scope, *events, *links, *e;
	const Tq__InstrumentationScope *is = ss->scope;
	int code = s->status != NULL ? (int)s->status->code : 0;
	size_t i;
	char *line;

	json_object_set_new(o, "trace_id", hex_json(&s->trace_id));
	json_object_set_new(o, "span_id", hex_json(&s->span_id));
	json_object_set_new(o, "parent_span_id", hex_json(&s->parent_span_id));
	json_object_set_new(o, "parent_is_remote",
	    json_boolean((s->flags & 0x300) == 0x300));
	json_object_set_new(o, "trace_state", json_string(s->trace_state));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "service", json_string(service_of(r)));
	json_object_set_new(o, "kind", s->kind >= 0 && s->kind <= 5 ?
	    json_string(kinds[s->kind]) : json_integer(s->kind));
	json_object_set_new(o, "status_code", code >= 0 && code <= 2 ?
	    json_string(codes[code]) : json_integer(code));
	json_object_set_new(o, "status_message", json_string(s->status != NULL ?
	    s->status->message : ""));
	json_object_set_new(o, "start_unix_nano",
	    u64_json(s->start_time_unix_nano));
	json_object_set_new(o, "end_unix_nano",
	    u64_json(s->end_time_unix_nano));
	json_object_set_new(o, "duration_nano", u64_json(s->end_time_unix_nano -
	    s->start_time_unix_nano));
	json_object_set_new(o, "attributes", kvs_json(s->n_attributes,
	    s->attributes));
	json_object_set_new(o, "attribute_types", types_json(s->n_attributes,
	    s->attributes));
	json_object_set_new(o, "resource", r != NULL ? kvs_json(r->n_attributes,
	    r->attributes) : json_object());
	scope = json_object();
	json_object_set_new(scope, "name", json_string(is != NULL ? is->name :
	    ""));
	json_object_set_new(scope, "version", json_string(is != NULL ?
	    is->version : ""));
	json_object_set_new(scope, "schema_url", json_string(ss->schema_url));
	json_object_set_new(o, "scope", scope);
	events = json_array();
	for (i = 0; i < s->n_events; i++) {
		e = json_object();
		json_object_set_new(e, "name", json_string(s->events[i]->name));
		json_object_set_new(e, "time_unix_nano",
		    u64_json(s->events[i]->time_unix_nano));
		json_object_set_new(e, "attributes", kvs_json(
		    s->events[i]->n_attributes, s->events[i]->attributes));
		json_object_set_new(e, "attribute_types", types_json(
		    s->events[i]->n_attributes, s->events[i]->attributes));
		json_array_append_new(events, e);
	}
	json_object_set_new(o, "events", events);
	links = json_array();
	for (i = 0; i < s->n_links; i++) {
		e = json_object();
		json_object_set_new(e, "trace_id", hex_json(&s->links[i]->trace_id));
		json_object_set_new(e, "span_id", hex_json(&s->links[i]->span_id));
		json_object_set_new(e, "trace_state",
		    json_string(s->links[i]->trace_state));
		json_object_set_new(e, "attributes", kvs_json(
		    s->links[i]->n_attributes, s->links[i]->attributes));
		json_object_set_new(e, "attribute_types", types_json(
		    s->links[i]->n_attributes, s->links[i]->attributes));
		json_array_append_new(links, e);
	}
	json_object_set_new(o, "links", links);
	json_object_set_new(o, "batch", json_integer((json_int_t)batch));
	line = json_dumps(o, JSON_COMPACT);
	puts(line);
	free(line);
	json_decref(o);
}

/* flatten prints every span of the stream on fd; returns 0 or 1. */
static int
flatten(int fd, const char *name, uint64_t *batch)
{
	struct tq_stream_reader *r = NULL;
	struct tq_arena a;
	struct tq_err err;
	Tq__TracesData *td;
	const Tq__ResourceSpans *rs;
	size_t i, j, k;
	int rc;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if ((rc = tq_stream_reader_new(fd, name, &r, &err)) != 0) {
		fprintf(stderr, "tq-flatten: %s: %s\n", name, err.msg);
		return 1;
	}
	while ((rc = tq_stream_reader_next(r, &a, &td, &err)) == 1) {
		for (i = 0; i < td->n_resource_spans; i++) {
			rs = td->resource_spans[i];
			for (j = 0; j < rs->n_scope_spans; j++)
				for (k = 0; k < rs->scope_spans[j]->n_spans; k++)
					print_span(rs->resource,
					    rs->scope_spans[j],
					    rs->scope_spans[j]->spans[k], *batch);
		}
		(*batch)++;
		tq_arena_reset(&a);
	}
	if (rc < 0)
		fprintf(stderr, "tq-flatten: %s: %s\n", name, err.msg);
	tq_stream_reader_free(r);
	tq_arena_release(&a);
	return rc < 0;
}

int
main(int argc, char *argv[])
{
	uint64_t batch = 0;
	int i, fd, status = 0;

	if (argc < 2)
		return flatten(STDIN_FILENO, "-", &batch);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			fd = STDIN_FILENO;
		else if ((fd = open(argv[i], O_RDONLY)) < 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		status |= flatten(fd, argv[i], &batch);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		status = 1;
	return status;
}
