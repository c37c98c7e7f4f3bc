/*
 * vp4.c: the vParquet4 mapping (see block.h): Tempo's schema, built node
 * by node; OTLP traces shredded straight into column batches; record
 * trees (from the generic assembler) back into traces.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"
#include "trace.h"
#include "vp4-int.h"

#define MAX_NODES	400


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
		/* meta.json must name it whole, or queries would miss it. */
		if (strlen(ded[i].name) > TQ_BLOCK_MAX_DED_NAME) {
			rc = tq_err_set(err, TQ_EINVAL, "dedicated column %.32s...: "
			    "name longer than %d bytes", ded[i].name,
			    TQ_BLOCK_MAX_DED_NAME);
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

#define SPAN_COL	"rs.list.element.ss.list.element.Spans.list.element."

/*
 * Span IDs, start times and durations hardly compress and are what a
 * search result shows of each span: in small pages, a search builds the
 * results of a few traces from their pages alone instead of the whole
 * row group's (bench/traceql-search.sh: about a quarter fewer
 * instructions).  Pages always start a record.  16 KiB costs 0.7 B/span
 * on SDK-shaped spans and nothing on tempo-gen's; 8 KiB cost 1.3.
 */
#define SPAN_ID_TIME_PAGE	(16 * 1024)

/*
 * The columns searches scan most (intrinsics, structure, services and
 * dedicated attributes): a page that zstd shrinks by less than this
 * percent is stored raw, which a search reads without a decompression
 * pass.  tempo-gen's dictionary indices save 25-37% and go raw (a search
 * on a dedicated column or a name takes a sixth to a quarter fewer
 * instructions, for 2.4 more bytes a span); SDK-shaped spans' save 46-64%
 * and stay compressed.
 */
#define SCANNED_MIN_SAVING	40

static const char *const scanned[] = {
	SPAN_COL "Name", SPAN_COL "Kind", SPAN_COL "StatusCode",
	SPAN_COL "NestedSetLeft", SPAN_COL "NestedSetRight", SPAN_COL "ParentID",
	"rs.list.element.Resource.ServiceName",
};

void
tq_vp4_column_opts(const struct tq_vp4 *m, int col,
    struct tq_parquet_column_opts *o)
{
	const struct tq_parquet_column_desc *c = &m->schema->columns[col];
	size_t i;

	o->codec = -1;
	o->dictionary = false;
	o->encoding = TQ_PARQUET_PLAIN;
	o->page_size = 0;
	o->delta_if_smaller = false;
	o->min_saving = 0;
	for (i = 0; i < sizeof(scanned) / sizeof(scanned[0]); i++)
		if (strcmp(c->path, scanned[i]) == 0)
			o->min_saving = SCANNED_MIN_SAVING;
	if (strstr(c->path, ".DedicatedAttributes.String") != NULL)
		o->min_saving = SCANNED_MIN_SAVING;
	if (strcmp(c->path, SPAN_COL "SpanID") == 0 ||
	    strcmp(c->path, SPAN_COL "StartTimeUnixNano") == 0 ||
	    strcmp(c->path, SPAN_COL "DurationNano") == 0)
		o->page_size = SPAN_ID_TIME_PAGE;
	/*
	 * Durations: deltas where they are no larger than zstd makes the
	 * PLAIN bytes (tempo-gen's, from microseconds to seconds), read ten
	 * times quicker by a search on duration; PLAIN where zstd does
	 * better (the JS SDK's, multiples of 512 ns).
	 */
	if (strcmp(c->path, SPAN_COL "DurationNano") == 0)
		o->delta_if_smaller = true;
	/*
	 * As Tempo: the trace IDs and span IDs are random, which no codec
	 * shrinks, so they are stored as they are and read without a
	 * decompression pass; a trace's times and duration are deltas,
	 * which in trace ID order take about 5 of their 8 bytes.
	 */
	if (strcmp(c->path, "TraceID") == 0 ||
	    strcmp(c->path, SPAN_COL "SpanID") == 0)
		o->codec = TQ_PARQUET_UNCOMPRESSED;
	if (strcmp(c->path, "StartTimeUnixNano") == 0 ||
	    strcmp(c->path, "EndTimeUnixNano") == 0 ||
	    strcmp(c->path, "DurationNano") == 0) {
		o->codec = TQ_PARQUET_UNCOMPRESSED;
		o->encoding = TQ_PARQUET_DELTA_BINARY_PACKED;
		return;
	}
	switch (c->type) {
	case TQ_PARQUET_INT32:
	case TQ_PARQUET_INT64:
		/*
		 * PLAIN, which zstd compresses better than the deltas of
		 * values in no order; dictionaries for the numbers that
		 * repeat (counts, kinds, codes, nested-set numbers, integer
		 * attributes), not for times and durations.  On SDK-shaped
		 * spans this stores 46.5 B/span where DELTA_BINARY_PACKED
		 * everywhere took 53 (bench/pack.sh).
		 */
		o->dictionary = strstr(c->path, "Nano") == NULL;
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

/* ---- OTLP to columns ---- */

/*
 * The direct writer shreds traces straight into per-column batches, the
 * levels worked out from the schema's fixed shape, and hands them to the
 * Parquet writer column by column (tq_parquet_writer_write).
 */

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


/* colnum finds the column prefix + name; -1 (and failed) when absent. */
static int
colnum(struct tq_vp4_rows *R, const char *prefix, const char *name)
{
	char path[256];
	int c;

	snprintf(path, sizeof(path), "%s%s", prefix, name);
	if ((c = tq_parquet_schema_find(R->m->schema, path)) < 0)
		R->failed = TQ_EINVAL;
	return c;
}

/*
 * list_at describes the list (or optional field) whose columns have paths
 * starting with prefix; level_col is a column right inside one element
 * (a required leaf of it, or the optional leaf itself), whose maxima are
 * the element's levels.
 */
static void
list_at(struct tq_vp4_rows *R, struct lst *l, const char *prefix,
    int level_col)
{
	const struct tq_parquet_schema *s = R->m->schema;
	size_t i, len = strlen(prefix);

	l->first = -1;
	l->n = 0;
	for (i = 0; i < s->n_columns; i++)
		if (strncmp(s->columns[i].path, prefix, len) == 0) {
			if (l->first < 0)
				l->first = (int)i;
			l->n = (int)i - l->first + 1;
		}
	if (l->first < 0 || level_col < 0) {
		R->failed = TQ_EINVAL;
		return;
	}
	l->rep = s->columns[level_col].max_rep;
	l->def = s->columns[level_col].max_def;
}

static void
attr_cols(struct tq_vp4_rows *R, struct acols *a, const char *prefix)
{
	char p[256];

	snprintf(p, sizeof(p), "%sAttrs.list.element.", prefix);
	a->key = colnum(R, p, "Key");
	a->is_array = colnum(R, p, "IsArray");
	a->value = colnum(R, p, "Value.list.element");
	a->vint = colnum(R, p, "ValueInt.list.element");
	a->vdouble = colnum(R, p, "ValueDouble.list.element");
	a->vbool = colnum(R, p, "ValueBool.list.element");
	a->vuns = colnum(R, p, "ValueUnsupported");
	if (a->is_array != a->key + 1 || a->value != a->key + 2 ||
	    a->vint != a->key + 3 || a->vdouble != a->key + 4 ||
	    a->vbool != a->key + 5 || a->vuns != a->key + 6)
		R->failed = TQ_EINVAL;
	list_at(R, &a->list, p, a->key);
}

static void
dedicated_cols(struct tq_vp4_rows *R, int *cols, const char *prefix)
{
	char p[256];
	int i;

	snprintf(p, sizeof(p), "%sDedicatedAttributes.", prefix);
	for (i = 0; i < TQ_BLOCK_MAX_DEDICATED; i++)
		cols[i] = colnum(R, p, dedicated_names[i]);
}

static void
find_columns(struct tq_vp4_rows *R)
{
	const char *res = "rs.list.element.Resource.";
	const char *ss = "rs.list.element.ss.list.element.";
	const char *sp = "rs.list.element.ss.list.element.Spans.list.element.";
	char sc[128], ev[128], lk[128];
	size_t i;

	snprintf(lk, sizeof(lk), "%sLinks.list.element.", sp);
	R->trace_id = colnum(R, "", "TraceID");
	R->trace_id_text = colnum(R, "", "TraceIDText");
	R->start = colnum(R, "", "StartTimeUnixNano");
	R->end = colnum(R, "", "EndTimeUnixNano");
	R->dur = colnum(R, "", "DurationNano");
	R->root_svc = colnum(R, "", "RootServiceName");
	R->root_name = colnum(R, "", "RootSpanName");
	R->stats_key = colnum(R, "ServiceStats.key_value.", "key");
	R->stats_spans = colnum(R, "ServiceStats.key_value.", "value.SpanCount");
	R->stats_errors = colnum(R, "ServiceStats.key_value.", "value.ErrorCount");
	list_at(R, &R->stats, "ServiceStats.", R->stats_key);

	R->res_svc = colnum(R, res, "ServiceName");
	R->res_dropped = colnum(R, res, "DroppedAttributesCount");
	for (i = 0; i < N_RES_WELL_KNOWN; i++)
		R->res_wk[i] = colnum(R, res, res_columns[i]);
	dedicated_cols(R, R->res_ded, res);
	attr_cols(R, &R->res_attrs, res);
	list_at(R, &R->rs, "rs.", R->res_svc);

	R->sc_name = colnum(R, ss, "Scope.Name");
	R->sc_version = colnum(R, ss, "Scope.Version");
	R->sc_dropped = colnum(R, ss, "Scope.DroppedAttributesCount");
	snprintf(sc, sizeof(sc), "%sScope.", ss);
	attr_cols(R, &R->sc_attrs, sc);
	list_at(R, &R->ss, "rs.list.element.ss.", R->sc_name);

	R->span_id = colnum(R, sp, "SpanID");
	R->parent_span_id = colnum(R, sp, "ParentSpanID");
	R->parent_id = colnum(R, sp, "ParentID");
	R->left = colnum(R, sp, "NestedSetLeft");
	R->right = colnum(R, sp, "NestedSetRight");
	R->name = colnum(R, sp, "Name");
	R->kind = colnum(R, sp, "Kind");
	R->trace_state = colnum(R, sp, "TraceState");
	R->sp_start = colnum(R, sp, "StartTimeUnixNano");
	R->sp_dur = colnum(R, sp, "DurationNano");
	R->status_code = colnum(R, sp, "StatusCode");
	R->status_msg = colnum(R, sp, "StatusMessage");
	R->sp_dropped = colnum(R, sp, "DroppedAttributesCount");
	R->ev_dropped_count = colnum(R, sp, "DroppedEventsCount");
	R->lk_dropped_count = colnum(R, sp, "DroppedLinksCount");
	R->http_method = colnum(R, sp, "HttpMethod");
	R->http_url = colnum(R, sp, "HttpUrl");
	R->http_status = colnum(R, sp, "HttpStatusCode");
	dedicated_cols(R, R->sp_ded, sp);
	attr_cols(R, &R->sp_attrs, sp);
	list_at(R, &R->sp, "rs.list.element.ss.list.element.Spans.",
	    R->span_id);

	snprintf(ev, sizeof(ev), "%sEvents.list.element.", sp);
	R->ev_time = colnum(R, ev, "TimeSinceStartNano");
	R->ev_name = colnum(R, ev, "Name");
	R->ev_dropped = colnum(R, ev, "DroppedAttributesCount");
	attr_cols(R, &R->ev_attrs, ev);
	list_at(R, &R->ev, ev, R->ev_name);

	R->lk_trace_id = colnum(R, lk, "TraceID");
	R->lk_span_id = colnum(R, lk, "SpanID");
	R->lk_state = colnum(R, lk, "TraceState");
	R->lk_dropped = colnum(R, lk, "DroppedAttributesCount");
	attr_cols(R, &R->lk_attrs, lk);
	list_at(R, &R->lk, lk, R->lk_state);
}

static void
cbuf_reset(struct cbuf *c)
{
	tq_buf_reset(&c->vals);
	tq_buf_reset(&c->data);
	/* A BYTE_ARRAY column's offsets start with the 0 put in at first. */
	c->off.len = c->type == TQ_PARQUET_BYTE_ARRAY ? 4 : 0;
	c->n_levels = c->n_values = 0;
}

int
tq_vp4_rows_new(const struct tq_vp4 *m, struct tq_vp4_rows **out,
    struct tq_err *err)
{
	const struct tq_parquet_schema *s = m->schema;
	struct tq_vp4_rows *R;
	size_t i;

	if ((R = calloc(1, sizeof(*R))) == NULL ||
	    (R->c = calloc(s->n_columns, sizeof(*R->c))) == NULL) {
		free(R);
		return tq_err_set(err, TQ_ENOMEM, "vParquet4: out of memory");
	}
	R->m = m;
	R->n_cols = s->n_columns;
	tq_buf_init(&R->hex, 64);
	for (i = 0; i < s->n_columns; i++) {
		struct cbuf *c = &R->c[i];

		/* Offsets are 32 bits: a batch holds less than 2 GiB. */
		tq_buf_init(&c->vals, TQ_PARQUET_MAX_ROW_GROUP_BUF);
		tq_buf_init(&c->off, TQ_PARQUET_MAX_ROW_GROUP_BUF);
		tq_buf_init(&c->data, (size_t)INT32_MAX);
		c->max_def = (uint16_t)s->columns[i].max_def;
		c->max_rep = (uint16_t)s->columns[i].max_rep;
		c->type = s->columns[i].type;
		if (c->type == TQ_PARQUET_BYTE_ARRAY &&
		    tq_buf_append(&c->off, "\0\0\0\0", 4) != 0) {
			tq_vp4_rows_free(R);
			return tq_err_set(err, TQ_ENOMEM,
			    "vParquet4: out of memory");
		}
	}
	find_columns(R);
	if (R->failed) {
		tq_vp4_rows_free(R);
		return tq_err_set(err, TQ_EINVAL,
		    "vParquet4: schema lacks a column");
	}
	*out = R;
	return 0;
}

void
tq_vp4_rows_free(struct tq_vp4_rows *R)
{
	size_t i;

	if (R == NULL)
		return;
	for (i = 0; R->c != NULL && i < R->n_cols; i++) {
		free(R->c[i].lv);
		tq_buf_release(&R->c[i].vals);
		tq_buf_release(&R->c[i].off);
		tq_buf_release(&R->c[i].data);
	}
	tq_buf_release(&R->hex);
	tq_vp4_memo_free(R->memo);
	free(R->c);
	free(R);
}

/* v_opt_str adds an optional string: absent when s is NULL. */
static inline void
v_opt_str(struct tq_vp4_rows *R, int col, int rep, const char *s)
{
	if (s == NULL)
		null_at(R, col, rep, R->c[col].max_def - 1);
	else
		v_str(R, col, rep, s);
}

/* typed_list fills one of an Attribute's value lists: n values or empty. */
static void
typed_list(struct tq_vp4_rows *R, int col, int rep,
    const Tq__AnyValue *const *vals, size_t n, int vcase)
{
	int inner = R->c[col].max_rep;
	size_t i;

	if (n == 0) {
		null_at(R, col, rep, R->c[col].max_def - 1);
		return;
	}
	for (i = 0; i < n; i++) {
		int r = i == 0 ? rep : inner;

		switch (vcase) {
		case TQ__ANY_VALUE__VALUE_STRING_VALUE:
			v_str(R, col, r, vals[i]->string_value);
			break;
		case TQ__ANY_VALUE__VALUE_INT_VALUE:
			v_i64(R, col, r, vals[i]->int_value);
			break;
		case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
			v_fixed(R, col, r, &vals[i]->double_value, 8);
			break;
		default:
			v_bool(R, col, r, vals[i]->bool_value != 0);
			break;
		}
	}
}

/* fill_typed puts n values of type vcase in their list, the others empty. */
static void
fill_typed(struct tq_vp4_rows *R, const struct acols *a, int rep,
    const Tq__AnyValue *const *vals, size_t n, int vcase)
{
	const int cols[4] = { a->value, a->vint, a->vdouble, a->vbool };
	int k, want;

	switch (vcase) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE: want = 0; break;
	case TQ__ANY_VALUE__VALUE_INT_VALUE: want = 1; break;
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE: want = 2; break;
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE: want = 3; break;
	default: want = -1; break;
	}
	for (k = 0; k < 4; k++)
		if (k != want || n == 0)
			null_at(R, cols[k], rep, R->c[cols[k]].max_def - 1);
		else
			typed_list(R, cols[k], rep, vals, n, vcase);
}

/* put_attr adds one Attribute element (see the comment at the top). */
static void
put_attr(struct tq_vp4_rows *R, const struct acols *a, int rep,
    const Tq__KeyValue *kv)
{
	const Tq__AnyValue *v = kv->value;
	int vcase = scalar_case(v);
	struct cbuf *c;

	v_str(R, a->key, rep, kv->key);
	if (vcase != 0) {
		v_bool(R, a->is_array, rep, false);
		fill_typed(R, a, rep, (const Tq__AnyValue *const *)&kv->value, 1,
		    vcase);
		null_at(R, a->vuns, rep, R->c[a->vuns].max_def - 1);
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
			v_bool(R, a->is_array, rep, true);
			fill_typed(R, a, rep,
			    (const Tq__AnyValue *const *)arr->values,
			    arr->n_values, vcase);
			null_at(R, a->vuns, rep, R->c[a->vuns].max_def - 1);
			return;
		}
	}
	/* kvlist, bytes, mixed arrays, empty values: as OTLP/JSON. */
	v_bool(R, a->is_array, rep, false);
	fill_typed(R, a, rep, NULL, 0, 0);
	if (v == NULL || v->value_case == TQ__ANY_VALUE__VALUE__NOT_SET) {
		null_at(R, a->vuns, rep, R->c[a->vuns].max_def - 1);
		return;
	}
	/* Encoded straight into the column's bytes. */
	if ((c = level(R, a->vuns, rep, R->c[a->vuns].max_def)) != NULL) {
		size_t before = c->data.len;
		int rc;

		if ((rc = tq_otlp_json_anyvalue_encode(v, &c->data, NULL)) != 0 &&
		    R->failed == 0)
			R->failed = rc;
		off_put(c);
		R->bytes += c->data.len - before;
	}
}

/*
 * Which attributes have columns of their own: keys[] (the well-known
 * ones, first string value wins) and ded[] (the dedicated ones).
 */
struct classify {
	const char *const	*keys;
	size_t			 n_keys;
	const char *const	*ded;
	size_t			 n_ded;
	const char		*key_val[N_RES_WELL_KNOWN + 1];
	const char		*ded_val[TQ_BLOCK_MAX_DEDICATED];
};

static int
index_of(const char *const *names, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i][0] == key[0] && strcmp(names[i], key) == 0)
			return (int)i;
	return -1;
}

/*
 * put_attrs adds the Attrs list of kvs without those that go to their
 * own columns (string values of cl's keys, and the one at index except),
 * filling cl's values on the way.
 */
static void
put_attrs(struct tq_vp4_rows *R, const struct acols *a, int rep,
    Tq__KeyValue *const *kvs, size_t n, struct classify *cl, size_t except)
{
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		const Tq__KeyValue *kv = kvs[i];
		bool own = false;

		if (i == except)
			continue;
		if (cl != NULL && is_str(kv->value) && kv->key != NULL) {
			int k = index_of(cl->keys, cl->n_keys, kv->key);
			int d = index_of(cl->ded, cl->n_ded, kv->key);

			if (k >= 0 && cl->key_val[k] == NULL)
				cl->key_val[k] = kv->value->string_value;
			if (d >= 0 && cl->ded_val[d] == NULL)
				cl->ded_val[d] = kv->value->string_value;
			own = k >= 0 || d >= 0;
		}
		if (own)
			continue;
		put_attr(R, a, first ? rep : a->list.rep, kv);
		first = 0;
	}
	if (first)
		empty(R, &a->list, rep);
}

static void
put_dedicated(struct tq_vp4_rows *R, const int *cols, int rep,
    const struct classify *cl)
{
	size_t i;

	for (i = 0; i < TQ_BLOCK_MAX_DEDICATED; i++)
		v_opt_str(R, cols[i], rep, i < cl->n_ded ? cl->ded_val[i] : NULL);
}

static void
put_resource(struct tq_vp4_rows *R, int rep, const Tq__Resource *r)
{
	static const char *const wk[N_RES_WELL_KNOWN + 1] = {
		"cluster", "namespace", "pod", "container",
		"k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name",
		"k8s.container.name", "service.name",
	};
	struct classify cl;
	size_t i;

	memset(&cl, 0, sizeof(cl));
	cl.keys = wk;
	cl.n_keys = N_RES_WELL_KNOWN + 1;
	cl.ded = R->m->ded_res;
	cl.n_ded = R->m->n_res;
	put_attrs(R, &R->res_attrs, rep, r != NULL ? r->attributes : NULL,
	    r != NULL ? r->n_attributes : 0, &cl, SIZE_MAX);
	v_i32(R, R->res_dropped, rep,
	    r != NULL ? (int32_t)r->dropped_attributes_count : 0);
	v_str(R, R->res_svc, rep, cl.key_val[N_RES_WELL_KNOWN]);
	for (i = 0; i < N_RES_WELL_KNOWN; i++)
		v_opt_str(R, R->res_wk[i], rep, cl.key_val[i]);
	put_dedicated(R, R->res_ded, rep, &cl);
}

static void
put_scope(struct tq_vp4_rows *R, int rep, const Tq__InstrumentationScope *s)
{
	v_str(R, R->sc_name, rep, s != NULL ? s->name : "");
	v_str(R, R->sc_version, rep, s != NULL ? s->version : "");
	put_attrs(R, &R->sc_attrs, rep, s != NULL ? s->attributes : NULL,
	    s != NULL ? s->n_attributes : 0, NULL, SIZE_MAX);
	v_i32(R, R->sc_dropped, rep,
	    s != NULL ? (int32_t)s->dropped_attributes_count : 0);
}

static void
put_span(struct tq_vp4_rows *R, int rep, const struct tq_trace_span *ts)
{
	static const char *const wk[] = { "http.method", "http.url" };
	const Tq__Span *s = ts->span;
	struct classify cl;
	size_t i, status_kv = SIZE_MAX;

	v_bytes(R, R->span_id, rep, s->span_id.data, s->span_id.len);
	v_bytes(R, R->parent_span_id, rep, s->parent_span_id.data,
	    s->parent_span_id.len);
	v_i32(R, R->parent_id, rep, ts->parent);
	v_i32(R, R->left, rep, ts->left);
	v_i32(R, R->right, rep, ts->right);
	v_str(R, R->name, rep, s->name);
	v_i64(R, R->kind, rep, s->kind);
	v_str(R, R->trace_state, rep, s->trace_state);
	v_i64(R, R->sp_start, rep, (int64_t)s->start_time_unix_nano);
	v_i64(R, R->sp_dur, rep, (int64_t)(s->end_time_unix_nano >
	    s->start_time_unix_nano ? s->end_time_unix_nano -
	    s->start_time_unix_nano : 0));
	v_i64(R, R->status_code, rep, s->status != NULL ? s->status->code : 0);
	v_str(R, R->status_msg, rep, s->status != NULL ? s->status->message : "");
	/* http.status_code has an int column; it then leaves Attrs. */
	for (i = 0; i < s->n_attributes; i++)
		if (strcmp(s->attributes[i]->key, "http.status_code") == 0 &&
		    s->attributes[i]->value != NULL &&
		    s->attributes[i]->value->value_case ==
		    TQ__ANY_VALUE__VALUE_INT_VALUE) {
			status_kv = i;
			break;
		}
	memset(&cl, 0, sizeof(cl));
	cl.keys = wk;
	cl.n_keys = 2;
	cl.ded = R->m->ded_span;
	cl.n_ded = R->m->n_span;
	put_attrs(R, &R->sp_attrs, rep, s->attributes, s->n_attributes, &cl,
	    status_kv);
	v_i32(R, R->sp_dropped, rep, (int32_t)s->dropped_attributes_count);
	if (s->n_events == 0)
		empty(R, &R->ev, rep);
	for (i = 0; i < s->n_events; i++) {
		const Tq__Span__Event *e = s->events[i];
		int r = i == 0 ? rep : R->ev.rep;

		v_i64(R, R->ev_time, r, (int64_t)(e->time_unix_nano >
		    s->start_time_unix_nano ? e->time_unix_nano -
		    s->start_time_unix_nano : 0));
		v_str(R, R->ev_name, r, e->name);
		put_attrs(R, &R->ev_attrs, r, e->attributes, e->n_attributes,
		    NULL, SIZE_MAX);
		v_i32(R, R->ev_dropped, r, (int32_t)e->dropped_attributes_count);
	}
	v_i32(R, R->ev_dropped_count, rep, (int32_t)s->dropped_events_count);
	if (s->n_links == 0)
		empty(R, &R->lk, rep);
	for (i = 0; i < s->n_links; i++) {
		const Tq__Span__Link *l = s->links[i];
		int r = i == 0 ? rep : R->lk.rep;

		v_bytes(R, R->lk_trace_id, r, l->trace_id.data, l->trace_id.len);
		v_bytes(R, R->lk_span_id, r, l->span_id.data, l->span_id.len);
		v_str(R, R->lk_state, r, l->trace_state);
		put_attrs(R, &R->lk_attrs, r, l->attributes, l->n_attributes,
		    NULL, SIZE_MAX);
		v_i32(R, R->lk_dropped, r, (int32_t)l->dropped_attributes_count);
	}
	v_i32(R, R->lk_dropped_count, rep, (int32_t)s->dropped_links_count);
	v_opt_str(R, R->http_method, rep, cl.key_val[0]);
	v_opt_str(R, R->http_url, rep, cl.key_val[1]);
	if (status_kv == SIZE_MAX)
		null_at(R, R->http_status, rep, R->c[R->http_status].max_def - 1);
	else
		v_i64(R, R->http_status, rep,
		    s->attributes[status_kv]->value->int_value);
	put_dedicated(R, R->sp_ded, rep, &cl);
}

int
tq_vp4_rows_add(struct tq_vp4_rows *R, const Tq__TracesData *td,
    const struct tq_trace_info *info, struct tq_err *err)
{
	char hex[2 * TQ_TRACE_ID_LEN + 1], *p = hex;
	size_t i, j, k, si = 0;

	if (R->failed)
		return tq_err_set(err, R->failed, "vParquet4 rows: failed before");
	v_bytes(R, R->trace_id, 0, info->id, TQ_TRACE_ID_LEN);
	/* TraceIDText is Tempo's: hex without leading zeros. */
	tq_hex_encode(hex, info->id, TQ_TRACE_ID_LEN);
	while (*p == '0' && p[1] != '\0')
		p++;
	v_str(R, R->trace_id_text, 0, p);
	if (td->n_resource_spans == 0)
		empty(R, &R->rs, 0);
	for (i = 0; i < td->n_resource_spans; i++) {
		const Tq__ResourceSpans *r = td->resource_spans[i];
		int rr = i == 0 ? 0 : R->rs.rep;

		put_resource(R, rr, r->resource);
		if (r->n_scope_spans == 0)
			empty(R, &R->ss, rr);
		for (j = 0; j < r->n_scope_spans; j++) {
			const Tq__ScopeSpans *s = r->scope_spans[j];
			int sr = j == 0 ? rr : R->ss.rep;

			put_scope(R, sr, s->scope);
			if (s->n_spans == 0)
				empty(R, &R->sp, sr);
			/* info->spans is in this same document order. */
			for (k = 0; k < s->n_spans; k++)
				put_span(R, k == 0 ? sr : R->sp.rep,
				    &info->spans[si++]);
		}
	}
	v_i64(R, R->start, 0, (int64_t)info->start_ns);
	v_i64(R, R->end, 0, (int64_t)info->end_ns);
	v_i64(R, R->dur, 0, (int64_t)(info->end_ns - info->start_ns));
	v_str(R, R->root_svc, 0, info->root_service);
	v_str(R, R->root_name, 0, info->root_name);
	if (info->n_services == 0)
		empty(R, &R->stats, 0);
	for (i = 0; i < info->n_services; i++) {
		int r = i == 0 ? 0 : R->stats.rep;

		v_str(R, R->stats_key, r, info->services[i].name);
		v_i32(R, R->stats_spans, r, (int32_t)info->services[i].spans);
		v_i32(R, R->stats_errors, r, (int32_t)info->services[i].errors);
	}
	R->bytes += 64 * info->n_spans;	/* levels and fixed values, roughly */
	R->rows++;
	if (R->failed)
		return tq_err_set(err, R->failed, "vParquet4 rows: %s",
		    tq_strerror(R->failed));
	return 0;
}

size_t
tq_vp4_rows_bytes(const struct tq_vp4_rows *R)
{
	return R->bytes;
}

int
tq_vp4_rows_write(struct tq_vp4_rows *R, struct tq_parquet_writer *w,
    struct tq_err *err)
{
	size_t i;
	int rc;

	if (R->failed)
		return tq_err_set(err, R->failed, "vParquet4 rows: failed before");
	if (R->rows == 0)
		return 0;
	for (i = 0; i < R->n_cols; i++) {
		struct cbuf *c = &R->c[i];
		struct tq_parquet_batch b;

		memset(&b, 0, sizeof(b));
		b.n_levels = c->n_levels;
		b.lv = c->lv;	/* packed as the writer takes them */
		b.n_values = c->n_values;
		switch (c->type) {
		case TQ_PARQUET_BOOLEAN: b.b = c->vals.data; break;
		case TQ_PARQUET_INT32: b.i32 = (const int32_t *)c->vals.data; break;
		case TQ_PARQUET_INT64: b.i64 = (const int64_t *)c->vals.data; break;
		case TQ_PARQUET_DOUBLE: b.f64 = (const double *)c->vals.data; break;
		default:
			b.off = (const uint32_t *)c->off.data;
			b.data = c->data.data != NULL ? c->data.data :
			    (const uint8_t *)"";
			break;
		}
		if ((rc = tq_parquet_writer_write(w, (int)i, &b, err)) != 0)
			return rc;
		cbuf_reset(c);
	}
	rc = tq_parquet_writer_end_rows(w, R->rows, err);
	R->rows = 0;
	R->bytes = 0;
	return rc;
}

/* ---- records to OTLP ---- */

typedef struct tq_parquet_datum datum;

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
