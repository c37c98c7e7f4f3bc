/*
 * otlp.c: batches over OTLP traces in memory (see search.h).  Each trace
 * is walked once by tq_trace_info, which gives its spans in document
 * order with their resource, scope and nested-set numbers; fields are
 * then read straight from the protobuf-c messages.
 */
#include <string.h>

#include "search-int.h"
#include "trace.h"

struct otlp_batch {
	struct tq_trace_info	*info;		/* per trace */
	const struct tq_trace_span **spans;	/* per span of the batch */
	uint32_t		*trace_of;	/* per span */
	uint32_t		*children;	/* per span, childCount */
	size_t			 n_spans;
	const uint8_t		*want;		/* per trace; NULL: all */
};

int64_t
tq_search_status(int64_t otlp)
{
	return otlp == 2 ? TQ_QL_STATUS_ERROR : otlp == 1 ? TQ_QL_STATUS_OK :
	    TQ_QL_STATUS_UNSET;
}

int64_t
tq_search_kind(int64_t otlp)
{
	switch (otlp) {
	case 1: return TQ_QL_KIND_INTERNAL;
	case 2: return TQ_QL_KIND_SERVER;
	case 3: return TQ_QL_KIND_CLIENT;
	case 4: return TQ_QL_KIND_PRODUCER;
	case 5: return TQ_QL_KIND_CONSUMER;
	default: return TQ_QL_KIND_UNSPECIFIED;
	}
}

bool
tq_search_hex(struct tq_arena *a, const uint8_t *p, size_t n,
    struct tq_ql_value *v)
{
	char *s;

	memset(v, 0, sizeof(*v));
	if (n == 0)
		return true;
	if ((s = tq_arena_alloc(a, 2 * n + 1)) == NULL)
		return false;
	tq_hex_encode(s, p, n);
	tq_search_str(v, s, 2 * n);
	return true;
}

void
tq_search_str(struct tq_ql_value *v, const char *s, size_t n)
{
	v->type = TQ_QL_T_STRING;
	v->u.s = s;
	v->len = (uint32_t)n;
}

/* scalar_of converts a scalar AnyValue; false for kvlists, bytes, unset. */
static bool
scalar_of(const Tq__AnyValue *av, struct tq_ql_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (av->value_case) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		tq_search_str(v, av->string_value, strlen(av->string_value));
		return true;
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
		v->type = TQ_QL_T_INT;
		v->u.i = av->int_value;
		return true;
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
		v->type = TQ_QL_T_FLOAT;
		v->u.f = av->double_value;
		return true;
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
		v->type = TQ_QL_T_BOOL;
		v->u.b = av->bool_value != 0;
		return true;
	default:
		return false;
	}
}

/*
 * value_of converts an attribute's value as vParquet4 keeps it: scalars,
 * and arrays whose elements share one scalar type; anything else is
 * "unsupported" and matches nothing (nil).
 */
static bool
value_of(struct tq_arena *a, const Tq__AnyValue *av, struct tq_ql_value *v)
{
	const Tq__ArrayValue *arr;
	struct tq_ql_value *el;
	size_t i;

	if (av == NULL) {
		memset(v, 0, sizeof(*v));
		return true;
	}
	if (av->value_case != TQ__ANY_VALUE__VALUE_ARRAY_VALUE) {
		if (!scalar_of(av, v))
			memset(v, 0, sizeof(*v));
		return true;
	}
	memset(v, 0, sizeof(*v));
	if ((arr = av->array_value) == NULL || arr->n_values == 0)
		return true;
	if ((el = tq_arena_calloc(a, arr->n_values, sizeof(*el))) == NULL)
		return false;
	for (i = 0; i < arr->n_values; i++)
		if (arr->values[i] == NULL || !scalar_of(arr->values[i], &el[i]) ||
		    el[i].type != el[0].type)
			return true;
	v->type = TQ_QL_T_ARRAY;
	v->len = (uint32_t)arr->n_values;
	v->u.a = el;
	return true;
}

static const Tq__AnyValue *
find_kv(Tq__KeyValue *const *kv, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kv[i] != NULL && kv[i]->key != NULL &&
		    strlen(kv[i]->key) == len && memcmp(kv[i]->key, name, len) == 0)
			return kv[i]->value;
	return NULL;
}

/* gather makes an array of the values of one field of a span's events or
 * links (nil without any); el[] has room for n. */
static void
gather(struct tq_ql_value *out, struct tq_ql_value *el, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (el[i].type != TQ_QL_T_NIL) {
			if (el[i].type == TQ_QL_T_ARRAY) {
				/* Flatten one level: any element may match. */
				el[k++] = el[i].u.a[0];
				continue;
			}
			el[k++] = el[i];
		}
	memset(out, 0, sizeof(*out));
	if (k > 0) {
		out->type = TQ_QL_T_ARRAY;
		out->len = (uint32_t)k;
		out->u.a = el;
	}
}

static int
fetch_one(struct otlp_batch *ob, const struct tq_ql_field *f, size_t i,
    struct tq_ql_value *v, struct tq_arena *a)
{
	const struct tq_trace_span *ts = ob->spans[i];
	const struct tq_trace_info *ti = &ob->info[ob->trace_of[i]];
	const Tq__Span *sp = ts->span;
	const Tq__InstrumentationScope *sc = ts->ss->scope;
	const Tq__Resource *res = ts->rs->resource;
	struct tq_ql_value *el;
	size_t k;

	memset(v, 0, sizeof(*v));
	if (f->is_attr) {
		const Tq__AnyValue *av = NULL;

		switch (f->scope) {
		case TQ_QL_SCOPE_NONE:
		case TQ_QL_SCOPE_SPAN:
			av = find_kv(sp->attributes, sp->n_attributes, f->name,
			    f->len);
			if (av != NULL || f->scope == TQ_QL_SCOPE_SPAN)
				break;
			/* FALLTHROUGH */
		case TQ_QL_SCOPE_RESOURCE:
			if (res != NULL)
				av = find_kv(res->attributes, res->n_attributes,
				    f->name, f->len);
			break;
		case TQ_QL_SCOPE_INSTRUMENTATION:
			if (sc != NULL)
				av = find_kv(sc->attributes, sc->n_attributes,
				    f->name, f->len);
			break;
		case TQ_QL_SCOPE_EVENT:
		case TQ_QL_SCOPE_LINK: {
			size_t n = f->scope == TQ_QL_SCOPE_EVENT ? sp->n_events :
			    sp->n_links;

			if (n == 0)
				return 0;
			if ((el = tq_arena_calloc(a, n, sizeof(*el))) == NULL)
				return TQ_ENOMEM;
			for (k = 0; k < n; k++) {
				const Tq__AnyValue *x = f->scope == TQ_QL_SCOPE_EVENT ?
				    find_kv(sp->events[k]->attributes,
				    sp->events[k]->n_attributes, f->name, f->len) :
				    find_kv(sp->links[k]->attributes,
				    sp->links[k]->n_attributes, f->name, f->len);

				if (!value_of(a, x, &el[k]))
					return TQ_ENOMEM;
			}
			gather(v, el, n);
			return 0;
		}
		}
		return value_of(a, av, v) ? 0 : TQ_ENOMEM;
	}
	switch (f->intrinsic) {
	case TQ_QL_I_DURATION:
		v->type = TQ_QL_T_DURATION;
		v->u.i = (int64_t)(sp->end_time_unix_nano - sp->start_time_unix_nano);
		return 0;
	case TQ_QL_I_NAME:
		tq_search_str(v, sp->name, strlen(sp->name));
		return 0;
	case TQ_QL_I_STATUS:
		v->type = TQ_QL_T_STATUS;
		v->u.i = tq_search_status(sp->status ? sp->status->code : 0);
		return 0;
	case TQ_QL_I_STATUS_MESSAGE:
		tq_search_str(v, sp->status ? sp->status->message : "",
		    sp->status ? strlen(sp->status->message) : 0);
		return 0;
	case TQ_QL_I_KIND:
		v->type = TQ_QL_T_KIND;
		v->u.i = tq_search_kind(sp->kind);
		return 0;
	case TQ_QL_I_CHILD_COUNT:
		v->type = TQ_QL_T_INT;
		v->u.i = ob->children[i];
		return 0;
	case TQ_QL_I_SPAN_ID:
		return tq_search_hex(a, sp->span_id.data, sp->span_id.len, v) ?
		    0 : TQ_ENOMEM;
	case TQ_QL_I_PARENT_ID:
		return tq_search_hex(a, sp->parent_span_id.data,
		    sp->parent_span_id.len, v) ? 0 : TQ_ENOMEM;
	case TQ_QL_I_TRACE_DURATION:
		v->type = TQ_QL_T_DURATION;
		v->u.i = (int64_t)(ti->end_ns - ti->start_ns);
		return 0;
	case TQ_QL_I_ROOT_NAME:
		tq_search_str(v, ti->root_name, strlen(ti->root_name));
		return 0;
	case TQ_QL_I_ROOT_SERVICE:
		tq_search_str(v, ti->root_service, strlen(ti->root_service));
		return 0;
	case TQ_QL_I_TRACE_ID:
		return tq_search_hex(a, ti->id, TQ_TRACE_ID_LEN, v) ? 0 :
		    TQ_ENOMEM;
	case TQ_QL_I_EVENT_NAME:
	case TQ_QL_I_EVENT_TIME_SINCE_START:
		if (sp->n_events == 0)
			return 0;
		if ((el = tq_arena_calloc(a, sp->n_events, sizeof(*el))) == NULL)
			return TQ_ENOMEM;
		for (k = 0; k < sp->n_events; k++) {
			const Tq__Span__Event *ev = sp->events[k];

			if (f->intrinsic == TQ_QL_I_EVENT_NAME) {
				tq_search_str(&el[k], ev->name, strlen(ev->name));
			} else {
				el[k].type = TQ_QL_T_DURATION;
				el[k].u.i = (int64_t)(ev->time_unix_nano -
				    sp->start_time_unix_nano);
			}
		}
		gather(v, el, sp->n_events);
		return 0;
	case TQ_QL_I_LINK_TRACE_ID:
	case TQ_QL_I_LINK_SPAN_ID:
		if (sp->n_links == 0)
			return 0;
		if ((el = tq_arena_calloc(a, sp->n_links, sizeof(*el))) == NULL)
			return TQ_ENOMEM;
		for (k = 0; k < sp->n_links; k++) {
			const ProtobufCBinaryData *id =
			    f->intrinsic == TQ_QL_I_LINK_TRACE_ID ?
			    &sp->links[k]->trace_id : &sp->links[k]->span_id;

			if (!tq_search_hex(a, id->data, id->len, &el[k]))
				return TQ_ENOMEM;
		}
		gather(v, el, sp->n_links);
		return 0;
	case TQ_QL_I_INSTR_NAME:
		if (sc != NULL)
			tq_search_str(v, sc->name, strlen(sc->name));
		return 0;
	case TQ_QL_I_INSTR_VERSION:
		if (sc != NULL)
			tq_search_str(v, sc->version, strlen(sc->version));
		return 0;
	case TQ_QL_I_NESTED_SET_LEFT:
	case TQ_QL_I_NESTED_SET_RIGHT:
	case TQ_QL_I_NESTED_SET_PARENT:
		v->type = TQ_QL_T_INT;
		v->u.i = f->intrinsic == TQ_QL_I_NESTED_SET_LEFT ? ts->left :
		    f->intrinsic == TQ_QL_I_NESTED_SET_RIGHT ? ts->right :
		    ts->parent;
		return 0;
	case TQ_QL_F_SPAN_START:
		v->type = TQ_QL_T_INT;
		v->u.i = (int64_t)sp->start_time_unix_nano;
		return 0;
	case TQ_QL_F_TRACE_START:
	case TQ_QL_F_TRACE_END:
		v->type = TQ_QL_T_INT;
		v->u.i = (int64_t)(f->intrinsic == TQ_QL_F_TRACE_START ?
		    ti->start_ns : ti->end_ns);
		return 0;
	default:		/* parent: rejected by validation */
		return 0;
	}
}

static int
otlp_fetch(void *arg, const struct tq_ql_field *f, struct tq_ql_value *out,
    struct tq_arena *a, struct tq_err *err)
{
	struct otlp_batch *ob = arg;
	size_t i;

	for (i = 0; i < ob->n_spans; i++) {
		if (ob->want != NULL && !ob->want[ob->trace_of[i]])
			continue;
		if (fetch_one(ob, f, i, &out[i], a) != 0)
			return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	}
	return 0;
}

static void
otlp_only(void *arg, const uint8_t *want)
{
	struct otlp_batch *ob = arg;

	ob->want = want;
}

int
tq_search_otlp_batch(Tq__TracesData *const *traces, size_t n,
    struct tq_arena *a, struct tq_ql_batch *out, struct tq_err *err)
{
	struct otlp_batch *ob;
	uint32_t *first;
	size_t t, i, k = 0, total = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((ob = tq_arena_calloc(a, 1, sizeof(*ob))) == NULL ||
	    (ob->info = tq_arena_calloc(a, n ? n : 1, sizeof(*ob->info))) == NULL ||
	    (first = tq_arena_calloc(a, n + 1, sizeof(*first))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	for (t = 0; t < n; t++) {
		if ((rc = tq_trace_info(traces[t], a, &ob->info[t], err)) != 0)
			return rc;
		total += ob->info[t].n_spans;
	}
	if ((ob->spans = tq_arena_calloc(a, total ? total : 1,
	    sizeof(*ob->spans))) == NULL ||
	    (ob->trace_of = tq_arena_calloc(a, total ? total : 1,
	    sizeof(*ob->trace_of))) == NULL ||
	    (ob->children = tq_arena_calloc(a, total ? total : 1,
	    sizeof(*ob->children))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	for (t = 0; t < n; t++) {
		const struct tq_trace_info *ti = &ob->info[t];
		size_t base = k;
		uint32_t *by_left;

		first[t] = (uint32_t)k;
		for (i = 0; i < ti->n_spans; i++, k++) {
			ob->spans[k] = &ti->spans[i];
			ob->trace_of[k] = (uint32_t)t;
		}
		/* childCount: left numbers run from 1 to 2 * n_spans. */
		if ((by_left = tq_arena_calloc(a, 2 * ti->n_spans + 2,
		    sizeof(*by_left))) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
		for (i = 0; i < ti->n_spans; i++)
			if (ti->spans[i].left > 0 &&
			    (size_t)ti->spans[i].left <= 2 * ti->n_spans)
				by_left[ti->spans[i].left] = (uint32_t)(i + 1);
		for (i = 0; i < ti->n_spans; i++) {
			int32_t p = ti->spans[i].parent;

			if (p > 0 && (size_t)p <= 2 * ti->n_spans &&
			    by_left[p] != 0)
				ob->children[base + by_left[p] - 1]++;
		}
	}
	first[n] = (uint32_t)k;
	ob->n_spans = total;
	out->n_spans = total;
	out->n_traces = n;
	out->trace_first = first;
	out->fetch = otlp_fetch;
	out->only = otlp_only;
	out->arg = ob;
	return 0;
}
