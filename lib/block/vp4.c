/*
 * vp4.c: the vParquet4 mapping (see block.h): Tempo's schema, built node
 * by node; OTLP traces into record trees; record trees back into traces.
 *
 * Tempo's Go structs define the schema (tempodb/encoding/vparquet4):
 * every slice is a three-level LIST (Attrs.list.element), ServiceStats a
 * MAP, uint64 an unsigned INT(64), Go int an INT64.  Attributes become
 * vParquet4 Attribute groups: a scalar fills one element of the list of
 * its type, an array of one type fills that list with IsArray set, and
 * anything else (kvlist, bytes, mixed arrays) is kept as OTLP/JSON in
 * ValueUnsupported.  Well-known resource and span attributes and the
 * block's dedicated ones live in their own columns, not in Attrs.
 */
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"
#include "trace.h"

#define MAX_NODES	400

struct tq_vp4 {
	struct tq_parquet_schema	*schema;
	const char			*ded_span[TQ_BLOCK_MAX_DEDICATED];
	const char			*ded_res[TQ_BLOCK_MAX_DEDICATED];
	size_t				 n_span, n_res;
	char				*names;	/* copies of the dedicated names */
};

/* ---- schema ---- */

struct nodes {
	struct tq_parquet_node	n[MAX_NODES];
	size_t			len;
};

static void
node(struct nodes *b, const char *name, int rep, int children, int type,
    int lt)
{
	struct tq_parquet_node *n = &b->n[b->len++];

	memset(n, 0, sizeof(*n));
	n->name = name;
	n->repetition = rep;
	n->num_children = children;
	n->type = type;
	n->logical.kind = lt;
	if (lt == TQ_PARQUET_LT_INT) {
		n->logical.bit_width = type == TQ_PARQUET_INT32 ? 32 : 64;
		n->logical.is_signed = false;
	}
}

#define REQ	TQ_PARQUET_REQUIRED
#define OPT	TQ_PARQUET_OPTIONAL
#define REP	TQ_PARQUET_REPEATED

static void
group(struct nodes *b, const char *name, int rep, int children)
{
	node(b, name, rep, children, 0, TQ_PARQUET_LT_NONE);
}

static void
str(struct nodes *b, const char *name, int rep)
{
	node(b, name, rep, 0, TQ_PARQUET_BYTE_ARRAY, TQ_PARQUET_LT_STRING);
}

static void
bytes(struct nodes *b, const char *name)
{
	node(b, name, REQ, 0, TQ_PARQUET_BYTE_ARRAY, TQ_PARQUET_LT_NONE);
}

static void
i32(struct nodes *b, const char *name)
{
	node(b, name, REQ, 0, TQ_PARQUET_INT32, TQ_PARQUET_LT_NONE);
}

static void
i64(struct nodes *b, const char *name, int rep)
{
	node(b, name, rep, 0, TQ_PARQUET_INT64, TQ_PARQUET_LT_NONE);
}

static void
u32(struct nodes *b, const char *name)
{
	node(b, name, REQ, 0, TQ_PARQUET_INT32, TQ_PARQUET_LT_INT);
}

static void
u64(struct nodes *b, const char *name)
{
	node(b, name, REQ, 0, TQ_PARQUET_INT64, TQ_PARQUET_LT_INT);
}

/* list opens a LIST of groups of children fields; the caller adds them. */
static void
list(struct nodes *b, const char *name, int children)
{
	node(b, name, REQ, 1, 0, TQ_PARQUET_LT_LIST);
	group(b, "list", REP, 1);
	group(b, "element", REQ, children);
}

static void
list_of(struct nodes *b, const char *name, int type, int lt)
{
	node(b, name, REQ, 1, 0, TQ_PARQUET_LT_LIST);
	group(b, "list", REP, 1);
	node(b, "element", REQ, 0, type, lt);
}

static void
attrs(struct nodes *b)
{
	list(b, "Attrs", 7);
	str(b, "Key", REQ);
	node(b, "IsArray", REQ, 0, TQ_PARQUET_BOOLEAN, TQ_PARQUET_LT_NONE);
	list_of(b, "Value", TQ_PARQUET_BYTE_ARRAY, TQ_PARQUET_LT_STRING);
	list_of(b, "ValueInt", TQ_PARQUET_INT64, TQ_PARQUET_LT_NONE);
	list_of(b, "ValueDouble", TQ_PARQUET_DOUBLE, TQ_PARQUET_LT_NONE);
	list_of(b, "ValueBool", TQ_PARQUET_BOOLEAN, TQ_PARQUET_LT_NONE);
	str(b, "ValueUnsupported", OPT);
}

static const char *const dedicated_names[TQ_BLOCK_MAX_DEDICATED] = {
	"String01", "String02", "String03", "String04", "String05",
	"String06", "String07", "String08", "String09", "String10",
};

static void
dedicated(struct nodes *b)
{
	int i;

	group(b, "DedicatedAttributes", REQ, TQ_BLOCK_MAX_DEDICATED);
	for (i = 0; i < TQ_BLOCK_MAX_DEDICATED; i++)
		str(b, dedicated_names[i], OPT);
}

/* Resource attributes with columns of their own, in column order. */
static const char *const res_columns[] = {
	"Cluster", "Namespace", "Pod", "Container", "K8sClusterName",
	"K8sNamespaceName", "K8sPodName", "K8sContainerName",
};
static const char *const res_keys[] = {
	"cluster", "namespace", "pod", "container", "k8s.cluster.name",
	"k8s.namespace.name", "k8s.pod.name", "k8s.container.name",
};
#define N_RES_WELL_KNOWN	8

static void
build_schema(struct nodes *b)
{
	size_t i;

	group(b, "Trace", REQ, 9);
	bytes(b, "TraceID");
	str(b, "TraceIDText", REQ);
	list(b, "rs", 2);
	  group(b, "Resource", REQ, 12);
	    attrs(b);
	    i32(b, "DroppedAttributesCount");
	    str(b, "ServiceName", REQ);
	    for (i = 0; i < N_RES_WELL_KNOWN; i++)
		    str(b, res_columns[i], OPT);
	    dedicated(b);
	  list(b, "ss", 2);
	    group(b, "Scope", REQ, 4);
	      str(b, "Name", REQ);
	      str(b, "Version", REQ);
	      attrs(b);
	      i32(b, "DroppedAttributesCount");
	    list(b, "Spans", 22);
	      bytes(b, "SpanID");
	      bytes(b, "ParentSpanID");
	      i32(b, "ParentID");
	      i32(b, "NestedSetLeft");
	      i32(b, "NestedSetRight");
	      str(b, "Name", REQ);
	      i64(b, "Kind", REQ);
	      str(b, "TraceState", REQ);
	      u64(b, "StartTimeUnixNano");
	      u64(b, "DurationNano");
	      i64(b, "StatusCode", REQ);
	      str(b, "StatusMessage", REQ);
	      attrs(b);
	      i32(b, "DroppedAttributesCount");
	      list(b, "Events", 4);
	        u64(b, "TimeSinceStartNano");
	        str(b, "Name", REQ);
	        attrs(b);
	        i32(b, "DroppedAttributesCount");
	      i32(b, "DroppedEventsCount");
	      list(b, "Links", 5);
	        bytes(b, "TraceID");
	        bytes(b, "SpanID");
	        str(b, "TraceState", REQ);
	        attrs(b);
	        i32(b, "DroppedAttributesCount");
	      i32(b, "DroppedLinksCount");
	      str(b, "HttpMethod", OPT);
	      str(b, "HttpUrl", OPT);
	      i64(b, "HttpStatusCode", OPT);
	      dedicated(b);
	u64(b, "StartTimeUnixNano");
	u64(b, "EndTimeUnixNano");
	u64(b, "DurationNano");
	str(b, "RootServiceName", REQ);
	str(b, "RootSpanName", REQ);
	node(b, "ServiceStats", REQ, 1, 0, TQ_PARQUET_LT_MAP);
	  group(b, "key_value", REP, 2);
	    str(b, "key", REQ);
	    group(b, "value", REQ, 2);
	      u32(b, "SpanCount");
	      u32(b, "ErrorCount");
}

int
tq_vp4_new(const struct tq_block_dedicated *ded, size_t n,
    struct tq_vp4 **out, struct tq_err *err)
{
	struct tq_vp4 *m;
	struct nodes *b = NULL;
	size_t i, len = 0;
	char *p;
	int rc;

	for (i = 0; i < n; i++)
		len += strlen(ded[i].name) + 1;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->names = malloc(len + 1)) == NULL ||
	    (b = calloc(1, sizeof(*b))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "vParquet4: out of memory");
		goto fail;
	}
	for (i = 0, p = m->names; i < n; i++) {
		size_t *count = ded[i].scope == TQ_BLOCK_SCOPE_SPAN ?
		    &m->n_span : &m->n_res;
		const char **slots = ded[i].scope == TQ_BLOCK_SCOPE_SPAN ?
		    m->ded_span : m->ded_res;

		if (*count == TQ_BLOCK_MAX_DEDICATED || *ded[i].name == '\0') {
			rc = tq_err_set(err, TQ_EINVAL,
			    "dedicated column %s: more than %d in a scope, or "
			    "empty", ded[i].name, TQ_BLOCK_MAX_DEDICATED);
			goto fail;
		}
		strcpy(p, ded[i].name);
		slots[(*count)++] = p;
		p += strlen(p) + 1;
	}
	build_schema(b);
	if ((rc = tq_parquet_schema_new(b->n, b->len, &m->schema, err)) != 0)
		goto fail;
	free(b);
	*out = m;
	return 0;
fail:
	free(b);
	tq_vp4_free(m);
	return rc;
}

void
tq_vp4_free(struct tq_vp4 *m)
{
	if (m == NULL)
		return;
	tq_parquet_schema_free(m->schema);
	free(m->names);
	free(m);
}

const struct tq_parquet_schema *
tq_vp4_schema(const struct tq_vp4 *m)
{
	return m->schema;
}

void
tq_vp4_column_opts(const struct tq_vp4 *m, int col,
    struct tq_parquet_column_opts *o)
{
	const struct tq_parquet_column_desc *c = &m->schema->columns[col];

	o->codec = -1;
	o->dictionary = false;
	o->encoding = TQ_PARQUET_PLAIN;
	switch (c->type) {
	case TQ_PARQUET_INT32:
	case TQ_PARQUET_INT64:
		o->encoding = TQ_PARQUET_DELTA_BINARY_PACKED;
		break;
	case TQ_PARQUET_BYTE_ARRAY:
		/* IDs and per-trace text are unique: no dictionary. */
		if (c->logical.kind != TQ_PARQUET_LT_STRING ||
		    strcmp(c->path, "TraceIDText") == 0)
			o->encoding = TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY;
		else
			o->dictionary = true;
		break;
	case TQ_PARQUET_BOOLEAN:
		o->encoding = TQ_PARQUET_RLE;
		break;
	default:
		break;
	}
}

/* ---- OTLP to records ---- */

typedef struct tq_parquet_datum datum;

/* The builder's state: the arena and the first allocation failure. */
struct wb {
	struct tq_arena	*a;
	int		 failed;
};

static datum *
items(struct wb *w, size_t n)
{
	datum *d;

	if (n == 0)
		return NULL;
	if ((d = tq_arena_calloc(w->a, n, sizeof(*d))) == NULL)
		w->failed = 1;
	return d;
}

static void
d_group(struct wb *w, datum *d, size_t n)
{
	d->kind = TQ_PARQUET_D_GROUP;
	d->n = n;
	d->items = items(w, n);
}

/*
 * d_list makes d a LIST of n elements and returns them: element i is
 * the returned pointer's [i] (each wrapped in its "list" group by us).
 */
static datum *
d_list(struct wb *w, datum *d, size_t n)
{
	datum *rep, *elems;
	size_t i;

	d_group(w, d, 1);
	if (w->failed)
		return NULL;
	rep = &d->items[0];
	rep->kind = TQ_PARQUET_D_REPEATED;
	rep->n = n;
	rep->items = items(w, n);
	elems = items(w, n);
	if (w->failed)
		return NULL;
	for (i = 0; i < n; i++) {
		rep->items[i].kind = TQ_PARQUET_D_GROUP;
		rep->items[i].n = 1;
		rep->items[i].items = &elems[i];
	}
	return elems;
}

static void
d_str(datum *d, const char *s)
{
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.bytes.ptr = (const uint8_t *)(s != NULL ? s : "");
	d->v.bytes.len = s != NULL ? strlen(s) : 0;
}

static void
d_bytes(datum *d, const ProtobufCBinaryData *b)
{
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.bytes.ptr = b->data;
	d->v.bytes.len = b->len;
}

static void
d_i32(datum *d, int32_t v)
{
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.i32 = v;
}

static void
d_i64(datum *d, int64_t v)
{
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.i64 = v;
}

static bool
is_str(const Tq__AnyValue *v)
{
	return v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_STRING_VALUE;
}

/* scalar_case returns the value case of a scalar, 0 for others. */
static int
scalar_case(const Tq__AnyValue *v)
{
	if (v == NULL)
		return 0;
	switch (v->value_case) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
		return v->value_case;
	default:
		return 0;
	}
}

/* fill_lists puts the n values of type vcase into attribute e's lists. */
static void
fill_lists(struct wb *w, datum *e, const Tq__AnyValue *const *vals, size_t n,
    int vcase)
{
	size_t i, k;

	/* e->items: Key IsArray Value ValueInt ValueDouble ValueBool ValueUnsupported */
	for (k = 2; k <= 5; k++) {
		int want = k == 2 ? TQ__ANY_VALUE__VALUE_STRING_VALUE :
		    k == 3 ? TQ__ANY_VALUE__VALUE_INT_VALUE :
		    k == 4 ? TQ__ANY_VALUE__VALUE_DOUBLE_VALUE :
		    TQ__ANY_VALUE__VALUE_BOOL_VALUE;
		datum *el = d_list(w, &e->items[k], want == vcase ? n : 0);

		if (want != vcase || w->failed)
			continue;
		for (i = 0; i < n; i++) {
			el[i].kind = TQ_PARQUET_D_VALUE;
			switch (vcase) {
			case TQ__ANY_VALUE__VALUE_STRING_VALUE:
				d_str(&el[i], vals[i]->string_value);
				break;
			case TQ__ANY_VALUE__VALUE_INT_VALUE:
				el[i].v.i64 = vals[i]->int_value;
				break;
			case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
				el[i].v.f64 = vals[i]->double_value;
				break;
			default:
				el[i].v.b = vals[i]->bool_value != 0;
				break;
			}
		}
	}
}

static void
attr(struct wb *w, datum *e, const Tq__KeyValue *kv)
{
	const Tq__AnyValue *v = kv->value;
	int vcase = scalar_case(v);

	d_group(w, e, 7);
	if (w->failed)
		return;
	d_str(&e->items[0], kv->key);
	e->items[1].kind = TQ_PARQUET_D_VALUE;
	e->items[6].kind = TQ_PARQUET_D_NULL;
	if (vcase != 0) {
		fill_lists(w, e, (const Tq__AnyValue *const *)&kv->value, 1,
		    vcase);
		return;
	}
	if (v != NULL && v->value_case == TQ__ANY_VALUE__VALUE_ARRAY_VALUE &&
	    v->array_value != NULL) {
		const Tq__ArrayValue *arr = v->array_value;
		size_t i;

		vcase = arr->n_values > 0 ? scalar_case(arr->values[0]) : 0;
		for (i = 1; i < arr->n_values && vcase != 0; i++)
			if (scalar_case(arr->values[i]) != vcase)
				vcase = 0;
		if (vcase != 0 || arr->n_values == 0) {
			e->items[1].v.b = true;
			fill_lists(w, e, (const Tq__AnyValue *const *)arr->values,
			    arr->n_values, vcase);
			return;
		}
	}
	/* kvlist, bytes, mixed arrays, empty values: as OTLP/JSON. */
	fill_lists(w, e, NULL, 0, 0);
	if (v != NULL && v->value_case != TQ__ANY_VALUE__VALUE__NOT_SET) {
		struct tq_buf b;
		char *s;

		tq_buf_init(&b, TQ_MAX_RECORD);
		if (tq_otlp_json_anyvalue_encode(v, &b, NULL) != 0 ||
		    (s = tq_arena_strndup(w->a, (const char *)b.data,
		    b.len)) == NULL)
			w->failed = 1;
		else
			d_str(&e->items[6], s);
		tq_buf_release(&b);
	}
}

/* A filter: which attributes stay out of Attrs. */
struct skip {
	const char *const	*keys;
	size_t			 n;
	bool			 need_str;	/* skip only string values */
	const char *const	*keys2;		/* the dedicated ones */
	size_t			 n2;
};

static bool
skipped(const struct skip *s, const Tq__KeyValue *kv)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < s->n; i++)
		if (strcmp(kv->key, s->keys[i]) == 0)
			return is_str(kv->value);
	for (i = 0; i < s->n2; i++)
		if (strcmp(kv->key, s->keys2[i]) == 0)
			return is_str(kv->value);
	return false;
}

static void
attr_list(struct wb *w, datum *d, Tq__KeyValue *const *kvs, size_t n,
    const struct skip *skip)
{
	size_t i, m = 0;
	datum *el;

	for (i = 0; i < n; i++)
		m += !skipped(skip, kvs[i]);
	if ((el = d_list(w, d, m)) == NULL && m > 0)
		return;
	for (i = 0, m = 0; i < n; i++)
		if (!skipped(skip, kvs[i]))
			attr(w, &el[m++], kvs[i]);
}

/* find_str returns the string value of key among kvs, or NULL. */
static const char *
find_str(Tq__KeyValue *const *kvs, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kvs[i]->key, key) == 0 && is_str(kvs[i]->value))
			return kvs[i]->value->string_value;
	return NULL;
}

static void
dedicated_values(struct wb *w, datum *d, Tq__KeyValue *const *kvs, size_t n,
    const char *const *names, size_t nnames)
{
	size_t i;

	d_group(w, d, TQ_BLOCK_MAX_DEDICATED);
	if (w->failed)
		return;
	for (i = 0; i < TQ_BLOCK_MAX_DEDICATED; i++) {
		const char *v = i < nnames ? find_str(kvs, n, names[i]) : NULL;

		if (v == NULL)
			d->items[i].kind = TQ_PARQUET_D_NULL;
		else
			d_str(&d->items[i], v);
	}
}

static void
resource(const struct tq_vp4 *m, struct wb *w, datum *d,
    const Tq__Resource *r)
{
	static const char *const wk[] = {
		"service.name", "cluster", "namespace", "pod", "container",
		"k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name",
		"k8s.container.name",
	};
	struct skip skip = { wk, 9, true, m->ded_res, m->n_res };
	Tq__KeyValue *const *kvs = r != NULL ? r->attributes : NULL;
	size_t n = r != NULL ? r->n_attributes : 0, i;
	const char *svc;

	d_group(w, d, 12);
	if (w->failed)
		return;
	attr_list(w, &d->items[0], kvs, n, &skip);
	d_i32(&d->items[1], r != NULL ? (int32_t)r->dropped_attributes_count : 0);
	svc = find_str(kvs, n, "service.name");
	d_str(&d->items[2], svc);
	for (i = 0; i < N_RES_WELL_KNOWN; i++) {
		const char *v = find_str(kvs, n, res_keys[i]);

		if (v == NULL)
			d->items[3 + i].kind = TQ_PARQUET_D_NULL;
		else
			d_str(&d->items[3 + i], v);
	}
	dedicated_values(w, &d->items[11], kvs, n, m->ded_res, m->n_res);
}

static void
scope(struct wb *w, datum *d, const Tq__InstrumentationScope *s)
{
	d_group(w, d, 4);
	if (w->failed)
		return;
	d_str(&d->items[0], s != NULL ? s->name : "");
	d_str(&d->items[1], s != NULL ? s->version : "");
	attr_list(w, &d->items[2], s != NULL ? s->attributes : NULL,
	    s != NULL ? s->n_attributes : 0, NULL);
	d_i32(&d->items[3], s != NULL ? (int32_t)s->dropped_attributes_count : 0);
}

static void
span(const struct tq_vp4 *m, struct wb *w, datum *d,
    const struct tq_trace_span *ts)
{
	static const char *const wk[] = { "http.method", "http.url" };
	struct skip skip = { wk, 2, true, m->ded_span, m->n_span };
	const Tq__Span *s = ts->span;
	const char *v;
	datum *ev, *lk;
	size_t i, status_kv = SIZE_MAX;

	d_group(w, d, 22);
	if (w->failed)
		return;
	d_bytes(&d->items[0], &s->span_id);
	d_bytes(&d->items[1], &s->parent_span_id);
	d_i32(&d->items[2], ts->parent);
	d_i32(&d->items[3], ts->left);
	d_i32(&d->items[4], ts->right);
	d_str(&d->items[5], s->name);
	d_i64(&d->items[6], s->kind);
	d_str(&d->items[7], s->trace_state);
	d_i64(&d->items[8], (int64_t)s->start_time_unix_nano);
	d_i64(&d->items[9], (int64_t)(s->end_time_unix_nano >
	    s->start_time_unix_nano ? s->end_time_unix_nano -
	    s->start_time_unix_nano : 0));
	d_i64(&d->items[10], s->status != NULL ? s->status->code : 0);
	d_str(&d->items[11], s->status != NULL ? s->status->message : "");
	/* http.status_code has an int column; it then leaves Attrs. */
	for (i = 0; i < s->n_attributes; i++)
		if (strcmp(s->attributes[i]->key, "http.status_code") == 0 &&
		    s->attributes[i]->value != NULL &&
		    s->attributes[i]->value->value_case ==
		    TQ__ANY_VALUE__VALUE_INT_VALUE) {
			status_kv = i;
			break;
		}
	{
		/* Attrs without the well-known and dedicated ones. */
		size_t n = 0, k;
		datum *el;

		for (k = 0; k < s->n_attributes; k++)
			n += k != status_kv && !skipped(&skip, s->attributes[k]);
		el = d_list(w, &d->items[12], n);
		for (k = 0, n = 0; k < s->n_attributes && !w->failed; k++)
			if (k != status_kv && !skipped(&skip, s->attributes[k]))
				attr(w, &el[n++], s->attributes[k]);
	}
	d_i32(&d->items[13], (int32_t)s->dropped_attributes_count);
	ev = d_list(w, &d->items[14], s->n_events);
	for (i = 0; i < s->n_events && !w->failed; i++) {
		const Tq__Span__Event *e = s->events[i];

		d_group(w, &ev[i], 4);
		if (w->failed)
			break;
		d_i64(&ev[i].items[0], (int64_t)(e->time_unix_nano >
		    s->start_time_unix_nano ? e->time_unix_nano -
		    s->start_time_unix_nano : 0));
		d_str(&ev[i].items[1], e->name);
		attr_list(w, &ev[i].items[2], e->attributes, e->n_attributes,
		    NULL);
		d_i32(&ev[i].items[3], (int32_t)e->dropped_attributes_count);
	}
	d_i32(&d->items[15], (int32_t)s->dropped_events_count);
	lk = d_list(w, &d->items[16], s->n_links);
	for (i = 0; i < s->n_links && !w->failed; i++) {
		const Tq__Span__Link *l = s->links[i];

		d_group(w, &lk[i], 5);
		if (w->failed)
			break;
		d_bytes(&lk[i].items[0], &l->trace_id);
		d_bytes(&lk[i].items[1], &l->span_id);
		d_str(&lk[i].items[2], l->trace_state);
		attr_list(w, &lk[i].items[3], l->attributes, l->n_attributes,
		    NULL);
		d_i32(&lk[i].items[4], (int32_t)l->dropped_attributes_count);
	}
	d_i32(&d->items[17], (int32_t)s->dropped_links_count);
	v = find_str(s->attributes, s->n_attributes, "http.method");
	if (v == NULL)
		d->items[18].kind = TQ_PARQUET_D_NULL;
	else
		d_str(&d->items[18], v);
	v = find_str(s->attributes, s->n_attributes, "http.url");
	if (v == NULL)
		d->items[19].kind = TQ_PARQUET_D_NULL;
	else
		d_str(&d->items[19], v);
	if (status_kv == SIZE_MAX)
		d->items[20].kind = TQ_PARQUET_D_NULL;
	else
		d_i64(&d->items[20], s->attributes[status_kv]->value->int_value);
	dedicated_values(w, &d->items[21], s->attributes, s->n_attributes,
	    m->ded_span, m->n_span);
}

/* trimmed_hex is Tempo's TraceIDText: hex without leading zeros. */
static char *
trimmed_hex(struct wb *w, const uint8_t id[TQ_TRACE_ID_LEN])
{
	char hex[2 * TQ_TRACE_ID_LEN + 1], *p = hex;

	tq_hex_encode(hex, id, TQ_TRACE_ID_LEN);
	while (*p == '0' && p[1] != '\0')
		p++;
	return tq_arena_strndup(w->a, p, strlen(p));
}

int
tq_vp4_from_trace(const struct tq_vp4 *m, const Tq__TracesData *td,
    struct tq_arena *a, datum *rec, struct tq_trace_info *out_info,
    struct tq_err *err)
{
	struct wb w = { a, 0 };
	struct tq_trace_info info;
	size_t i, j, k, si = 0;
	datum *rs, *ss, *sp, *kv;
	int rc;

	if ((rc = tq_trace_info(td, a, &info, err)) != 0)
		return rc;
	d_group(&w, rec, 9);
	if (w.failed)
		goto nomem;
	rec->items[0].kind = TQ_PARQUET_D_VALUE;
	rec->items[0].v.bytes.ptr = tq_arena_memdup(a, info.id, TQ_TRACE_ID_LEN);
	rec->items[0].v.bytes.len = TQ_TRACE_ID_LEN;
	d_str(&rec->items[1], trimmed_hex(&w, info.id));
	rs = d_list(&w, &rec->items[2], td->n_resource_spans);
	for (i = 0; i < td->n_resource_spans && !w.failed; i++) {
		const Tq__ResourceSpans *r = td->resource_spans[i];

		d_group(&w, &rs[i], 2);
		if (w.failed)
			break;
		resource(m, &w, &rs[i].items[0], r->resource);
		ss = d_list(&w, &rs[i].items[1], r->n_scope_spans);
		for (j = 0; j < r->n_scope_spans && !w.failed; j++) {
			const Tq__ScopeSpans *s = r->scope_spans[j];

			d_group(&w, &ss[j], 2);
			if (w.failed)
				break;
			scope(&w, &ss[j].items[0], s->scope);
			sp = d_list(&w, &ss[j].items[1], s->n_spans);
			/* info.spans is in this same document order. */
			for (k = 0; k < s->n_spans && !w.failed; k++)
				span(m, &w, &sp[k], &info.spans[si++]);
		}
	}
	if (w.failed)
		goto nomem;
	d_i64(&rec->items[3], (int64_t)info.start_ns);
	d_i64(&rec->items[4], (int64_t)info.end_ns);
	d_i64(&rec->items[5], (int64_t)(info.end_ns - info.start_ns));
	d_str(&rec->items[6], info.root_service);
	d_str(&rec->items[7], info.root_name);
	/* ServiceStats: MAP -> key_value (repeated) -> key, value{2}. */
	d_group(&w, &rec->items[8], 1);
	if (w.failed)
		goto nomem;
	rec->items[8].items[0].kind = TQ_PARQUET_D_REPEATED;
	rec->items[8].items[0].n = info.n_services;
	rec->items[8].items[0].items = kv = items(&w, info.n_services);
	for (i = 0; i < info.n_services && !w.failed; i++) {
		d_group(&w, &kv[i], 2);
		if (w.failed)
			break;
		d_str(&kv[i].items[0], info.services[i].name);
		d_group(&w, &kv[i].items[1], 2);
		if (w.failed)
			break;
		d_i32(&kv[i].items[1].items[0], (int32_t)info.services[i].spans);
		d_i32(&kv[i].items[1].items[1], (int32_t)info.services[i].errors);
	}
	if (w.failed)
		goto nomem;
	if (out_info != NULL)
		*out_info = info;
	return 0;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "vParquet4 row: out of memory");
}

/* ---- records to OTLP ---- */

#define MEMO_SIZE	1024	/* power of two, > 2x the names we look up */

struct memo {
	int		 node;
	const char	*name;	/* our string literal: compared by address */
	int		 pos;	/* child position, -1 when absent */
	int		 child;	/* child node */
};

struct tq_vp4_reader {
	const struct tq_parquet_schema	*s;
	int				*next;	/* node after i's subtree */
	struct memo			 memo[MEMO_SIZE];
	const char			*ded_span[TQ_BLOCK_MAX_DEDICATED];
	const char			*ded_res[TQ_BLOCK_MAX_DEDICATED];
	size_t				 n_span, n_res;
	char				*names;
	struct tq_arena			*a;	/* of the record being read */
	int				 failed;
};

int
tq_vp4_reader_new(const struct tq_parquet_schema *s,
    const struct tq_block_dedicated *ded, size_t n,
    struct tq_vp4_reader **out, struct tq_err *err)
{
	struct tq_vp4_reader *r;
	size_t i, len = 0;
	int j;
	char *p;

	for (i = 0; i < n; i++)
		len += strlen(ded[i].name) + 1;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->next = calloc(s->n_nodes, sizeof(*r->next))) == NULL ||
	    (r->names = malloc(len + 1)) == NULL) {
		tq_vp4_reader_free(r);
		return tq_err_set(err, TQ_ENOMEM, "vParquet4: out of memory");
	}
	r->s = s;
	/* next[i]: walk backwards, a node's subtree ends after its children's. */
	for (j = (int)s->n_nodes - 1; j >= 0; j--) {
		int k, c = j + 1;

		for (k = 0; k < s->nodes[j].num_children; k++)
			c = r->next[c];
		r->next[j] = c;
	}
	for (i = 0; i < MEMO_SIZE; i++)
		r->memo[i].name = NULL;
	for (i = 0, p = r->names; i < n; i++) {
		if (ded[i].scope == TQ_BLOCK_SCOPE_SPAN &&
		    r->n_span < TQ_BLOCK_MAX_DEDICATED)
			r->ded_span[r->n_span++] = p;
		else if (ded[i].scope == TQ_BLOCK_SCOPE_RESOURCE &&
		    r->n_res < TQ_BLOCK_MAX_DEDICATED)
			r->ded_res[r->n_res++] = p;
		strcpy(p, ded[i].name);
		p += strlen(p) + 1;
	}
	if (tq_parquet_schema_find(s, "TraceID") < 0) {
		tq_vp4_reader_free(r);
		return tq_err_set(err, TQ_ECORRUPT,
		    "not a vParquet4 file: no TraceID column");
	}
	*out = r;
	return 0;
}

void
tq_vp4_reader_free(struct tq_vp4_reader *r)
{
	if (r == NULL)
		return;
	free(r->next);
	free(r->names);
	free(r);
}

/* lookup finds child name of group node: its position and node index. */
static int
lookup(struct tq_vp4_reader *r, int node, const char *name, int *child)
{
	size_t h = (((uintptr_t)name >> 3) * 31 + (size_t)node) & (MEMO_SIZE - 1);
	struct memo *m;
	int k, c;

	while ((m = &r->memo[h])->name != NULL) {
		if (m->name == name && m->node == node) {
			*child = m->child;
			return m->pos;
		}
		h = (h + 1) & (MEMO_SIZE - 1);
	}
	m->name = name;
	m->node = node;
	m->pos = -1;
	m->child = -1;
	for (k = 0, c = node + 1; k < r->s->nodes[node].num_children;
	    k++, c = r->next[c])
		if (strcmp(r->s->nodes[c].name, name) == 0) {
			m->pos = k;
			m->child = c;
			break;
		}
	*child = m->child;
	return m->pos;
}

/*
 * field returns the datum of child name of the group d at node, with its
 * node in *child, or NULL when the schema has no such field or it is null.
 */
static const datum *
field(struct tq_vp4_reader *r, int node, const datum *d, const char *name,
    int *child)
{
	int pos = lookup(r, node, name, child);

	if (pos < 0 || d == NULL || d->kind != TQ_PARQUET_D_GROUP ||
	    (size_t)pos >= d->n || d->items[pos].kind == TQ_PARQUET_D_NULL)
		return NULL;
	return &d->items[pos];
}

/* The elements of a list field, whatever convention the writer used. */
struct elems {
	const datum	*rep;	/* the D_REPEATED */
	bool		 wrapped;	/* three-level: element inside each item */
	int		 node;	/* the element's node */
	size_t		 n;
};

static void
elems_of(struct tq_vp4_reader *r, int node, const datum *d, struct elems *e)
{
	const struct tq_parquet_node *nd;
	int rep;

	memset(e, 0, sizeof(*e));
	if (d == NULL || node < 0)
		return;
	nd = &r->s->nodes[node];
	if (nd->repetition == TQ_PARQUET_REPEATED) {
		/* A bare repeated field: each item is an element. */
		e->rep = d;
		e->node = node;
	} else if (nd->num_children == 1 && d->kind == TQ_PARQUET_D_GROUP &&
	    d->n == 1 && r->s->nodes[node + 1].repetition == TQ_PARQUET_REPEATED) {
		rep = node + 1;
		e->rep = &d->items[0];
		/* Three levels when the repeated group wraps one element
		 * (named element, item or array_element, or anything). */
		if (r->s->nodes[rep].num_children == 1 &&
		    r->s->nodes[node].logical.kind == TQ_PARQUET_LT_LIST &&
		    !(r->s->nodes[rep + 1].num_children > 0 &&
		    strcmp(r->s->nodes[rep].name, "array") == 0)) {
			e->wrapped = true;
			e->node = rep + 1;
		} else
			e->node = rep;
	} else
		return;
	if (e->rep->kind != TQ_PARQUET_D_REPEATED) {
		e->rep = NULL;
		return;
	}
	e->n = e->rep->n;
}

static const datum *
elem(const struct elems *e, size_t i)
{
	const datum *it = &e->rep->items[i];

	if (!e->wrapped)
		return it;
	if (it->kind != TQ_PARQUET_D_GROUP || it->n != 1 ||
	    it->items[0].kind == TQ_PARQUET_D_NULL)
		return NULL;
	return &it->items[0];
}

/* list_field is field() followed by elems_of(). */
static void
list_field(struct tq_vp4_reader *r, int node, const datum *d,
    const char *name, struct elems *e)
{
	int child;
	const datum *f = field(r, node, d, name, &child);

	elems_of(r, child, f, e);
}

static void *
ralloc(struct tq_vp4_reader *r, size_t n)
{
	void *p = tq_arena_calloc(r->a, 1, n == 0 ? 1 : n);

	if (p == NULL)
		r->failed = TQ_ENOMEM;
	return p;
}

/* get_str copies a string field; "" when absent. */
static char *
get_str(struct tq_vp4_reader *r, int node, const datum *d, const char *name)
{
	int child;
	const datum *f = field(r, node, d, name, &child);
	char *s;

	if (f == NULL || f->kind != TQ_PARQUET_D_VALUE)
		return (char *)"";
	if ((s = tq_arena_strndup(r->a, (const char *)f->v.bytes.ptr,
	    f->v.bytes.len)) == NULL) {
		r->failed = TQ_ENOMEM;
		return (char *)"";
	}
	return s;
}

/* get_opt_str is get_str with NULL for an absent value. */
static char *
get_opt_str(struct tq_vp4_reader *r, int node, const datum *d,
    const char *name)
{
	int child;

	if (field(r, node, d, name, &child) == NULL)
		return NULL;
	return get_str(r, node, d, name);
}

static void
get_bytes(struct tq_vp4_reader *r, int node, const datum *d,
    const char *name, ProtobufCBinaryData *out)
{
	int child;
	const datum *f = field(r, node, d, name, &child);

	out->len = 0;
	out->data = NULL;
	if (f == NULL || f->kind != TQ_PARQUET_D_VALUE || f->v.bytes.len == 0)
		return;
	if ((out->data = tq_arena_memdup(r->a, f->v.bytes.ptr,
	    f->v.bytes.len)) == NULL)
		r->failed = TQ_ENOMEM;
	else
		out->len = f->v.bytes.len;
}

/* value_i64 reads an integer leaf of either width. */
static bool
value_i64(struct tq_vp4_reader *r, int node, const datum *f, int64_t *v)
{
	if (f == NULL || f->kind != TQ_PARQUET_D_VALUE)
		return false;
	switch (r->s->nodes[node].type) {
	case TQ_PARQUET_INT32:
		*v = r->s->nodes[node].logical.kind == TQ_PARQUET_LT_INT &&
		    !r->s->nodes[node].logical.is_signed ?
		    (int64_t)(uint32_t)f->v.i32 : f->v.i32;
		return true;
	case TQ_PARQUET_INT64:
		*v = f->v.i64;
		return true;
	default:
		return false;
	}
}

static int64_t
get_i64(struct tq_vp4_reader *r, int node, const datum *d, const char *name)
{
	int child;
	int64_t v = 0;
	const datum *f = field(r, node, d, name, &child);

	if (f == NULL || !value_i64(r, child, f, &v))
		v = 0;
	return v;
}

static Tq__KeyValue *
new_kv(struct tq_vp4_reader *r, const char *key, Tq__AnyValue **v)
{
	Tq__KeyValue *kv = ralloc(r, sizeof(*kv));

	*v = ralloc(r, sizeof(**v));
	if (kv == NULL || *v == NULL)
		return NULL;
	tq__key_value__init(kv);
	tq__any_value__init(*v);
	kv->key = (char *)key;
	kv->value = *v;
	return kv;
}

/* read_values fills out with the values of one typed list of an Attribute. */
static size_t
read_values(struct tq_vp4_reader *r, int node, const datum *a,
    const char *name, int vcase, Tq__AnyValue ***out)
{
	struct elems e;
	size_t i;

	list_field(r, node, a, name, &e);
	if (e.n == 0)
		return 0;
	if ((*out = ralloc(r, e.n * sizeof(**out))) == NULL)
		return 0;
	for (i = 0; i < e.n; i++) {
		const datum *v = elem(&e, i);
		Tq__AnyValue *av = ralloc(r, sizeof(*av));

		if (av == NULL)
			return 0;
		tq__any_value__init(av);
		(*out)[i] = av;
		if (v == NULL || v->kind != TQ_PARQUET_D_VALUE)
			continue;
		av->value_case = vcase;
		switch (vcase) {
		case TQ__ANY_VALUE__VALUE_STRING_VALUE:
			if ((av->string_value = tq_arena_strndup(r->a,
			    (const char *)v->v.bytes.ptr, v->v.bytes.len)) == NULL)
				r->failed = TQ_ENOMEM;
			break;
		case TQ__ANY_VALUE__VALUE_INT_VALUE:
			value_i64(r, e.node, v, &av->int_value);
			break;
		case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
			av->double_value = r->s->nodes[e.node].type ==
			    TQ_PARQUET_FLOAT ? v->v.f32 : v->v.f64;
			break;
		default:
			av->bool_value = v->v.b;
			break;
		}
	}
	return e.n;
}

static Tq__KeyValue *
read_attr(struct tq_vp4_reader *r, int node, const datum *a)
{
	static const int cases[4] = {
		TQ__ANY_VALUE__VALUE_STRING_VALUE, TQ__ANY_VALUE__VALUE_INT_VALUE,
		TQ__ANY_VALUE__VALUE_DOUBLE_VALUE, TQ__ANY_VALUE__VALUE_BOOL_VALUE,
	};
	static const char *const lists[4] = {
		"Value", "ValueInt", "ValueDouble", "ValueBool",
	};
	Tq__AnyValue *v, **vals = NULL;
	Tq__KeyValue *kv;
	const datum *f;
	char *uns;
	int child, k;
	size_t n;
	bool is_array = false;

	if ((kv = new_kv(r, get_str(r, node, a, "Key"), &v)) == NULL)
		return NULL;
	if ((f = field(r, node, a, "IsArray", &child)) != NULL &&
	    f->kind == TQ_PARQUET_D_VALUE)
		is_array = f->v.b;
	if ((uns = get_opt_str(r, node, a, "ValueUnsupported")) != NULL) {
		Tq__AnyValue *parsed;

		if (tq_otlp_json_anyvalue_decode(uns, strlen(uns), r->a,
		    &parsed, NULL) == 0)
			kv->value = parsed;
		return kv;
	}
	for (k = 0; k < 4; k++) {
		if ((n = read_values(r, node, a, lists[k], cases[k], &vals)) == 0)
			continue;
		if (!is_array) {
			kv->value = vals[0];
			return kv;
		}
		break;
	}
	if (is_array) {
		Tq__ArrayValue *arr = ralloc(r, sizeof(*arr));

		if (arr == NULL)
			return NULL;
		tq__array_value__init(arr);
		arr->values = vals;
		arr->n_values = k < 4 ? n : 0;
		v->value_case = TQ__ANY_VALUE__VALUE_ARRAY_VALUE;
		v->array_value = arr;
	}
	return kv;
}

/*
 * read_attrs reads the Attrs list of group d at node into *kvs from index
 * first on, leaving room for n_extra more (well-known and dedicated
 * columns) that the caller adds.  Returns the index after the last one.
 */
static size_t
read_attrs(struct tq_vp4_reader *r, int node, const datum *d, size_t first,
    size_t n_extra, Tq__KeyValue ***kvs)
{
	struct elems e;
	size_t i, n = first;

	list_field(r, node, d, "Attrs", &e);
	if ((*kvs = ralloc(r, (first + e.n + n_extra) * sizeof(**kvs))) == NULL)
		return 0;
	for (i = 0; i < e.n; i++) {
		const datum *a = elem(&e, i);
		Tq__KeyValue *kv;

		if (a != NULL && (kv = read_attr(r, e.node, a)) != NULL)
			(*kvs)[n++] = kv;
	}
	return n;
}

static void
add_str_attr(struct tq_vp4_reader *r, Tq__KeyValue **kvs, size_t *n,
    const char *key, char *value)
{
	Tq__AnyValue *v;
	Tq__KeyValue *kv;

	if (value == NULL || (kv = new_kv(r, key, &v)) == NULL)
		return;
	v->value_case = TQ__ANY_VALUE__VALUE_STRING_VALUE;
	v->string_value = value;
	kvs[(*n)++] = kv;
}

static void
add_dedicated(struct tq_vp4_reader *r, int node, const datum *d,
    const char *const *names, size_t nnames, Tq__KeyValue **kvs, size_t *n)
{
	int child;
	const datum *ded = field(r, node, d, "DedicatedAttributes", &child);
	size_t i;

	/* The key is copied: the trace outlives the reader and its names. */
	for (i = 0; i < nnames && ded != NULL; i++) {
		char *value = get_opt_str(r, child, ded, dedicated_names[i]);
		char *key;

		if (value == NULL)
			continue;
		if ((key = tq_arena_strndup(r->a, names[i],
		    strlen(names[i]))) == NULL) {
			r->failed = 1;
			return;
		}
		add_str_attr(r, kvs, n, key, value);
	}
}

static Tq__Resource *
read_resource(struct tq_vp4_reader *r, int node, const datum *d)
{
	Tq__Resource *res = ralloc(r, sizeof(*res));
	char *svc = get_str(r, node, d, "ServiceName");
	size_t i, first = *svc != '\0';

	if (res == NULL)
		return NULL;
	tq__resource__init(res);
	/* service.name first, as Tempo rebuilds it, then the rest. */
	res->n_attributes = read_attrs(r, node, d, first, N_RES_WELL_KNOWN +
	    r->n_res, &res->attributes);
	if (res->attributes == NULL)
		return NULL;
	if (first) {
		size_t zero = 0;

		add_str_attr(r, res->attributes, &zero, "service.name", svc);
	}
	for (i = 0; i < N_RES_WELL_KNOWN; i++)
		add_str_attr(r, res->attributes, &res->n_attributes, res_keys[i],
		    get_opt_str(r, node, d, res_columns[i]));
	add_dedicated(r, node, d, r->ded_res, r->n_res, res->attributes,
	    &res->n_attributes);
	res->dropped_attributes_count = (uint32_t)get_i64(r, node, d,
	    "DroppedAttributesCount");
	return res;
}

static Tq__InstrumentationScope *
read_scope(struct tq_vp4_reader *r, int node, const datum *d)
{
	Tq__InstrumentationScope *s = ralloc(r, sizeof(*s));

	if (s == NULL)
		return NULL;
	tq__instrumentation_scope__init(s);
	if (d == NULL)
		return s;
	s->name = get_str(r, node, d, "Name");
	s->version = get_str(r, node, d, "Version");
	s->n_attributes = read_attrs(r, node, d, 0, 0, &s->attributes);
	s->dropped_attributes_count = (uint32_t)get_i64(r, node, d,
	    "DroppedAttributesCount");
	return s;
}

static Tq__Span__Event *
read_event(struct tq_vp4_reader *r, int node, const datum *d, uint64_t start)
{
	Tq__Span__Event *e = ralloc(r, sizeof(*e));

	if (e == NULL)
		return NULL;
	tq__span__event__init(e);
	e->time_unix_nano = start + (uint64_t)get_i64(r, node, d,
	    "TimeSinceStartNano");
	e->name = get_str(r, node, d, "Name");
	e->n_attributes = read_attrs(r, node, d, 0, 0, &e->attributes);
	e->dropped_attributes_count = (uint32_t)get_i64(r, node, d,
	    "DroppedAttributesCount");
	return e;
}

static Tq__Span__Link *
read_link(struct tq_vp4_reader *r, int node, const datum *d)
{
	Tq__Span__Link *l = ralloc(r, sizeof(*l));

	if (l == NULL)
		return NULL;
	tq__span__link__init(l);
	get_bytes(r, node, d, "TraceID", &l->trace_id);
	get_bytes(r, node, d, "SpanID", &l->span_id);
	l->trace_state = get_str(r, node, d, "TraceState");
	l->n_attributes = read_attrs(r, node, d, 0, 0, &l->attributes);
	l->dropped_attributes_count = (uint32_t)get_i64(r, node, d,
	    "DroppedAttributesCount");
	return l;
}

static Tq__Span *
read_span(struct tq_vp4_reader *r, int node, const datum *d,
    const ProtobufCBinaryData *trace_id)
{
	Tq__Span *s = ralloc(r, sizeof(*s));
	struct elems e;
	char *method, *url, *msg;
	int child;
	size_t i;
	int64_t code;
	const datum *f;

	if (s == NULL)
		return NULL;
	tq__span__init(s);
	s->trace_id = *trace_id;
	get_bytes(r, node, d, "SpanID", &s->span_id);
	get_bytes(r, node, d, "ParentSpanID", &s->parent_span_id);
	s->name = get_str(r, node, d, "Name");
	s->kind = (Tq__Span__SpanKind)get_i64(r, node, d, "Kind");
	s->trace_state = get_str(r, node, d, "TraceState");
	s->start_time_unix_nano = (uint64_t)get_i64(r, node, d,
	    "StartTimeUnixNano");
	s->end_time_unix_nano = s->start_time_unix_nano +
	    (uint64_t)get_i64(r, node, d, "DurationNano");
	code = get_i64(r, node, d, "StatusCode");
	msg = get_str(r, node, d, "StatusMessage");
	if (code != 0 || *msg != '\0') {
		if ((s->status = ralloc(r, sizeof(*s->status))) == NULL)
			return NULL;
		tq__status__init(s->status);
		s->status->code = (Tq__Status__StatusCode)code;
		s->status->message = msg;
	}
	s->n_attributes = read_attrs(r, node, d, 0, 3 + r->n_span,
	    &s->attributes);
	if (s->attributes == NULL)
		return NULL;
	method = get_opt_str(r, node, d, "HttpMethod");
	url = get_opt_str(r, node, d, "HttpUrl");
	add_str_attr(r, s->attributes, &s->n_attributes, "http.method", method);
	add_str_attr(r, s->attributes, &s->n_attributes, "http.url", url);
	if ((f = field(r, node, d, "HttpStatusCode", &child)) != NULL) {
		Tq__AnyValue *v;
		Tq__KeyValue *kv = new_kv(r, "http.status_code", &v);

		if (kv != NULL && value_i64(r, child, f, &v->int_value)) {
			v->value_case = TQ__ANY_VALUE__VALUE_INT_VALUE;
			s->attributes[s->n_attributes++] = kv;
		}
	}
	add_dedicated(r, node, d, r->ded_span, r->n_span, s->attributes,
	    &s->n_attributes);
	s->dropped_attributes_count = (uint32_t)get_i64(r, node, d,
	    "DroppedAttributesCount");
	list_field(r, node, d, "Events", &e);
	if (e.n > 0 && (s->events = ralloc(r, e.n * sizeof(*s->events))) != NULL)
		for (i = 0; i < e.n; i++)
			if (elem(&e, i) != NULL)
				s->events[s->n_events++] = read_event(r, e.node,
				    elem(&e, i), s->start_time_unix_nano);
	s->dropped_events_count = (uint32_t)get_i64(r, node, d,
	    "DroppedEventsCount");
	list_field(r, node, d, "Links", &e);
	if (e.n > 0 && (s->links = ralloc(r, e.n * sizeof(*s->links))) != NULL)
		for (i = 0; i < e.n; i++)
			if (elem(&e, i) != NULL)
				s->links[s->n_links++] = read_link(r, e.node,
				    elem(&e, i));
	s->dropped_links_count = (uint32_t)get_i64(r, node, d,
	    "DroppedLinksCount");
	return s;
}

int
tq_vp4_reader_trace(struct tq_vp4_reader *r, const datum *rec,
    struct tq_arena *a, Tq__TracesData **out, struct tq_err *err)
{
	ProtobufCBinaryData trace_id;
	Tq__TracesData *td;
	struct elems rs, ss, sp;
	size_t i, j, k;
	int child;

	r->a = a;
	r->failed = 0;
	if (rec == NULL || rec->kind != TQ_PARQUET_D_GROUP)
		return tq_err_set(err, TQ_ECORRUPT, "vParquet4: record is not a group");
	get_bytes(r, 0, rec, "TraceID", &trace_id);
	if (trace_id.len != TQ_TRACE_ID_LEN)
		return tq_err_set(err, TQ_ECORRUPT,
		    "vParquet4: TraceID of %zu bytes", trace_id.len);
	if ((td = ralloc(r, sizeof(*td))) == NULL)
		goto nomem;
	tq__traces_data__init(td);
	list_field(r, 0, rec, "rs", &rs);
	if (rs.n > 0 && (td->resource_spans = ralloc(r,
	    rs.n * sizeof(*td->resource_spans))) == NULL)
		goto nomem;
	for (i = 0; i < rs.n; i++) {
		const datum *rd = elem(&rs, i), *res;
		Tq__ResourceSpans *out_rs;

		if (rd == NULL)
			continue;
		if ((out_rs = ralloc(r, sizeof(*out_rs))) == NULL)
			goto nomem;
		tq__resource_spans__init(out_rs);
		if ((res = field(r, rs.node, rd, "Resource", &child)) != NULL)
			out_rs->resource = read_resource(r, child, res);
		list_field(r, rs.node, rd, "ss", &ss);
		if (ss.n > 0 && (out_rs->scope_spans = ralloc(r,
		    ss.n * sizeof(*out_rs->scope_spans))) == NULL)
			goto nomem;
		for (j = 0; j < ss.n; j++) {
			const datum *sd = elem(&ss, j), *sc;
			Tq__ScopeSpans *out_ss;
			int scope_node = -1;

			if (sd == NULL)
				continue;
			if ((out_ss = ralloc(r, sizeof(*out_ss))) == NULL)
				goto nomem;
			tq__scope_spans__init(out_ss);
			sc = field(r, ss.node, sd, "Scope", &scope_node);
			out_ss->scope = read_scope(r, scope_node, sc);
			list_field(r, ss.node, sd, "Spans", &sp);
			if (sp.n > 0 && (out_ss->spans = ralloc(r,
			    sp.n * sizeof(*out_ss->spans))) == NULL)
				goto nomem;
			for (k = 0; k < sp.n; k++)
				if (elem(&sp, k) != NULL)
					out_ss->spans[out_ss->n_spans++] =
					    read_span(r, sp.node, elem(&sp, k),
					    &trace_id);
			out_rs->scope_spans[out_rs->n_scope_spans++] = out_ss;
		}
		td->resource_spans[td->n_resource_spans++] = out_rs;
	}
	if (r->failed)
		goto nomem;
	*out = td;
	return 0;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "vParquet4: out of memory");
}
