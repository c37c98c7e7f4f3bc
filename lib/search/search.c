/*
 * search.c: TraceQL search results (see search.h): evaluating batches into
 * Tempo's TraceSearchMetadata, merging, ordering, the store-wide search on
 * a thread pool, and the JSON of SearchResponse.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "limits.h"
#include "search-int.h"
#include "store.h"

#define MAX_SHOWN	64
#define MAX_NEEDS	32

struct tq_search_query {
	const struct tq_ql_query	*q;
	struct tq_ql_eval		*ev;
	struct tq_arena			 arena;
	struct tq_ql_field		 shown[MAX_SHOWN];
	const char			*keys[MAX_SHOWN];
	size_t				 nshown;
	struct tq_ql_need		 needs[MAX_NEEDS];
	size_t				 nneeds;
};

void
tq_search_opts_init(struct tq_search_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->limit = 20;
	o->spss = 3;
}

int
tq_search_result_new(struct tq_search_result **out, struct tq_err *err)
{
	struct tq_search_result *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	tq_arena_init(&r->arena, TQ_QL_MAX_EVAL_ARENA);
	*out = r;
	return 0;
}

void
tq_search_result_free(struct tq_search_result *r)
{
	if (r == NULL)
		return;
	tq_arena_release(&r->arena);
	free(r->traces);
	free(r->top);
	free(r);
}

int
tq_search_query_new(const struct tq_ql_query *q, struct tq_search_query **out,
    struct tq_err *err)
{
	struct tq_search_query *sq;
	int rc;

	if ((sq = calloc(1, sizeof(*sq))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	tq_arena_init(&sq->arena, TQ_QL_MAX_ARENA);
	sq->q = q;
	if ((rc = tq_ql_eval_new(q, &sq->ev, err)) != 0) {
		tq_search_query_free(sq);
		return rc;
	}
	sq->nshown = tq_ql_shown_fields(q, &sq->arena, sq->shown, sq->keys,
	    MAX_SHOWN);
	sq->nneeds = tq_ql_needs(q, sq->needs, MAX_NEEDS);
	*out = sq;
	return 0;
}

void
tq_search_query_free(struct tq_search_query *sq)
{
	if (sq == NULL)
		return;
	tq_ql_eval_free(sq->ev);
	tq_arena_release(&sq->arena);
	free(sq);
}

size_t
tq_search_query_needs(const struct tq_search_query *sq,
    const struct tq_ql_need **needs)
{
	*needs = sq->needs;
	return sq->nneeds;
}

/* ---- collecting results ---- */

/* copy_value deep-copies v's strings and arrays into a. */
static bool
copy_value(struct tq_arena *a, const struct tq_ql_value *v,
    struct tq_ql_value *out)
{
	struct tq_ql_value *el;
	uint32_t i;

	*out = *v;
	if (v->type == TQ_QL_T_STRING) {
		char *s = tq_arena_strndup(a, v->len ? v->u.s : "", v->len);

		if (s == NULL)
			return false;
		out->u.s = s;
	} else if (v->type == TQ_QL_T_ARRAY) {
		if ((el = tq_arena_calloc(a, v->len, sizeof(*el))) == NULL)
			return false;
		for (i = 0; i < v->len; i++)
			if (!copy_value(a, &v->u.a[i], &el[i]))
				return false;
		out->u.a = el;
	}
	return true;
}

static const char *
copy_str(struct tq_arena *a, const struct tq_ql_value *v)
{
	if (v->type != TQ_QL_T_STRING)
		return "";
	return tq_arena_strndup(a, v->len ? v->u.s : "", v->len);
}

static bool
push_trace(struct tq_search_result *r, struct tq_search_trace *t)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct tq_search_trace **p = realloc(r->traces, cap * sizeof(*p));

		if (p == NULL)
			return false;
		r->traces = p;
		r->cap = cap;
	}
	r->traces[r->n++] = t;
	return true;
}

/* The fields every result needs, in this order. */
enum { R_TRACE_ID, R_ROOT_SERVICE, R_ROOT_NAME, R_TRACE_START, R_TRACE_END,
	R_SPAN_ID, R_NAME, R_SPAN_START, R_DURATION, R_SERVICE, R_STATUS,
	R_COUNT };

static const struct tq_ql_field result_fields[R_COUNT] = {
	[R_TRACE_ID] = { .intrinsic = TQ_QL_I_TRACE_ID },
	[R_ROOT_SERVICE] = { .intrinsic = TQ_QL_I_ROOT_SERVICE },
	[R_ROOT_NAME] = { .intrinsic = TQ_QL_I_ROOT_NAME },
	[R_TRACE_START] = { .intrinsic = TQ_QL_F_TRACE_START },
	[R_TRACE_END] = { .intrinsic = TQ_QL_F_TRACE_END },
	[R_SPAN_ID] = { .intrinsic = TQ_QL_I_SPAN_ID },
	[R_NAME] = { .intrinsic = TQ_QL_I_NAME },
	[R_SPAN_START] = { .intrinsic = TQ_QL_F_SPAN_START },
	[R_DURATION] = { .intrinsic = TQ_QL_I_DURATION },
	[R_SERVICE] = { .is_attr = true, .scope = TQ_QL_SCOPE_RESOURCE,
	    .name = "service.name", .len = 12, .types = 1u << TQ_QL_T_STRING },
	[R_STATUS] = { .intrinsic = TQ_QL_I_STATUS },
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct tq_search_service *)a)->name,
	    ((const struct tq_search_service *)b)->name);
}

static int
add_services(struct tq_search_trace *t, struct tq_arena *a,
    const struct tq_ql_value *svc, const struct tq_ql_value *status,
    uint32_t first, uint32_t end)
{
	struct tq_search_service *s;
	uint32_t i;
	size_t k, cap = end - first;

	if ((s = tq_arena_calloc(a, cap ? cap : 1, sizeof(*s))) == NULL)
		return TQ_ENOMEM;
	t->services = s;
	t->nservices = 0;
	for (i = first; i < end; i++) {
		const struct tq_ql_value *v = &svc[i];
		size_t len = v->type == TQ_QL_T_STRING ? v->len : 0;
		const char *name = len ? v->u.s : "";

		for (k = 0; k < t->nservices; k++)
			if (strlen(s[k].name) == len &&
			    memcmp(s[k].name, name, len) == 0)
				break;
		if (k == t->nservices) {
			if ((s[k].name = tq_arena_strndup(a, name, len)) == NULL)
				return TQ_ENOMEM;
			t->nservices++;
		}
		s[k].spans++;
		if (status[i].type == TQ_QL_T_STATUS &&
		    status[i].u.i == TQ_QL_STATUS_ERROR)
			s[k].errors++;
	}
	/* In name order, as blocks store them. */
	qsort(s, t->nservices, sizeof(*s), by_name);
	return 0;
}

/* copy_services gives t the n services at svc, names copied to a. */
static int
copy_services(struct tq_search_trace *t, struct tq_arena *a,
    const struct tq_search_service *svc, size_t n)
{
	size_t k;

	if ((t->services = tq_arena_calloc(a, n ? n : 1,
	    sizeof(*t->services))) == NULL)
		return TQ_ENOMEM;
	for (k = 0; k < n; k++) {
		t->services[k] = svc[k];
		if ((t->services[k].name = tq_arena_strndup(a, svc[k].name,
		    strlen(svc[k].name))) == NULL)
			return TQ_ENOMEM;
	}
	t->nservices = n;
	return 0;
}

static int
make_set(struct tq_search_query *sq, const struct tq_ql_set *in,
    const struct tq_ql_value *const *f, const struct tq_ql_value *const *sh,
    const char *const *keys, const struct tq_search_opts *o,
    struct tq_arena *a, struct tq_search_set *out)
{
	size_t i, j, n = in->n;

	if (o->spss > 0 && n > o->spss)
		n = o->spss;
	out->matched = (uint32_t)in->n;
	out->nspans = n;
	if ((out->spans = tq_arena_calloc(a, n ? n : 1, sizeof(*out->spans))) ==
	    NULL || (in->nattrs > 0 && (out->attrs = tq_arena_calloc(a,
	    in->nattrs, sizeof(*out->attrs))) == NULL))
		return TQ_ENOMEM;
	for (i = 0; i < in->nattrs; i++) {
		if ((out->attrs[i].key = tq_arena_strndup(a, in->attrs[i].key,
		    strlen(in->attrs[i].key))) == NULL ||
		    !copy_value(a, &in->attrs[i].val, &out->attrs[i].val))
			return TQ_ENOMEM;
	}
	out->nattrs = in->nattrs;
	for (i = 0; i < n; i++) {
		struct tq_search_span *sp = &out->spans[i];
		uint32_t k = in->spans[i];
		const struct tq_ql_value *id = &f[R_SPAN_ID][k];

		if (id->type == TQ_QL_T_STRING && id->len < sizeof(sp->id)) {
			memcpy(sp->id, id->u.s, id->len);
			sp->id[id->len] = '\0';
		}
		if ((sp->name = copy_str(a, &f[R_NAME][k])) == NULL)
			return TQ_ENOMEM;
		sp->start_ns = (uint64_t)f[R_SPAN_START][k].u.i;
		sp->duration_ns = (uint64_t)f[R_DURATION][k].u.i;
		if (sq->nshown == 0)
			continue;
		if ((sp->attrs = tq_arena_calloc(a, sq->nshown,
		    sizeof(*sp->attrs))) == NULL)
			return TQ_ENOMEM;
		for (j = 0; j < sq->nshown; j++) {
			if (sh[j][k].type == TQ_QL_T_NIL)
				continue;
			sp->attrs[sp->nattrs].key = keys[j];
			if (!copy_value(a, &sh[j][k], &sp->attrs[sp->nattrs].val))
				return TQ_ENOMEM;
			sp->nattrs++;
		}
	}
	return 0;
}

/* top_push records start s in r's min-heap of the limit newest starts. */
static bool
top_push(struct tq_search_result *r, size_t limit, uint64_t s)
{
	size_t i, c;

	if (r->top == NULL && (r->top = calloc(limit, sizeof(*r->top))) == NULL)
		return false;
	if (r->ntop == limit) {
		if (s <= r->top[0])
			return true;
		/* Replace the oldest and sift down. */
		for (i = 0; (c = 2 * i + 1) < r->ntop; i = c) {
			if (c + 1 < r->ntop && r->top[c + 1] < r->top[c])
				c++;
			if (r->top[c] >= s)
				break;
			r->top[i] = r->top[c];
		}
		r->top[i] = s;
		return true;
	}
	for (i = r->ntop++; i > 0 && r->top[(i - 1) / 2] > s; i = (i - 1) / 2)
		r->top[i] = r->top[(i - 1) / 2];
	r->top[i] = s;
	return true;
}

/* too_old says whether a trace starting at s cannot make the results. */
static bool
too_old(const struct tq_search_result *r, size_t limit, uint64_t s)
{
	return limit > 0 && r->ntop == limit && s < r->top[0];
}

bool
tq_search_newer(const struct tq_search_result *r, size_t limit, uint64_t s)
{
	return !too_old(r, limit, s);
}

/* fetch_field fetches result field k of every span of b. */
static int
fetch_field(const struct tq_ql_batch *b, int k, struct tq_arena *a,
    struct tq_ql_value **out, struct tq_err *err)
{
	if ((*out = tq_arena_calloc(a, b->n_spans ? b->n_spans : 1,
	    sizeof(**out))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	return b->fetch(b->arg, &result_fields[k], *out, a, err);
}

/* per_trace says whether result field k is held once per trace. */
static bool
per_trace(int k)
{
	return k == R_TRACE_ID || k == R_ROOT_SERVICE || k == R_ROOT_NAME ||
	    k == R_TRACE_START || k == R_TRACE_END;
}

/*
 * trace_field gives result field k, held once per trace, for each trace
 * of b: from the source's fetch_traces, or a span of each trace.
 */
static int
trace_field(const struct tq_ql_batch *b, int k, struct tq_arena *a,
    struct tq_ql_value **out, struct tq_err *err)
{
	struct tq_ql_value *per;
	size_t t;
	int rc;

	if ((*out = tq_arena_calloc(a, b->n_traces ? b->n_traces : 1,
	    sizeof(**out))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	if (b->fetch_traces != NULL)
		return b->fetch_traces(b->arg, &result_fields[k], *out, a, err);
	if ((rc = fetch_field(b, k, a, &per, err)) != 0)
		return rc;
	for (t = 0; t < b->n_traces; t++)
		if (b->trace_first[t] < b->trace_first[t + 1])
			(*out)[t] = per[b->trace_first[t]];
	return 0;
}

/* build adds the traces of matches m, in batch b, to r. */
static int
build(struct tq_search_query *sq, const struct tq_ql_batch *b,
    tq_search_services_fn services, struct tq_arena *a,
    const struct tq_search_opts *o, struct tq_search_result *r,
    enum tq_search_pass pass, bool *matched, const struct tq_ql_match *m,
    size_t nm, struct tq_ql_value *starts, struct tq_ql_value *ends,
    struct tq_err *err)
{
	const struct tq_ql_value *f[R_COUNT] = { NULL }, *sh[MAX_SHOWN];
	const char *keys[MAX_SHOWN];
	struct tq_search_service *svc = NULL;
	uint32_t *svc_first = NULL;
	size_t i, j;
	int rc;

	/* The keys live in r: a worker's query dies before its results. */
	for (i = 0; i < sq->nshown; i++)
		if ((keys[i] = tq_arena_strndup(&r->arena, sq->keys[i],
		    strlen(sq->keys[i]))) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	f[R_TRACE_START] = starts;
	f[R_TRACE_END] = ends;
	/* Stored service statistics spare reading every span's service. */
	if (services != NULL && (rc = services(b->arg, a, &svc, &svc_first,
	    err)) != 0 && rc != TQ_EUNSUPPORTED)
		return rc;
	for (i = 0; i < R_COUNT + sq->nshown; i++) {
		const struct tq_ql_field *fi = i < R_COUNT ? &result_fields[i] :
		    &sq->shown[i - R_COUNT];
		const struct tq_ql_value *v;

		if (i < R_COUNT && f[i] != NULL)
			continue;	/* fetched above */
		if (svc_first != NULL && (i == R_SERVICE || i == R_STATUS))
			continue;
		if (i < R_COUNT && per_trace((int)i)) {
			struct tq_ql_value *tv;

			if ((rc = trace_field(b, (int)i, a, &tv, err)) != 0)
				return rc;
			f[i] = tv;
			continue;
		}
		if ((v = tq_ql_eval_fetched(sq->ev, fi)) == NULL) {
			/* Not fetched by the evaluation: fetch it now. */
			struct tq_ql_value *nv;

			if ((nv = tq_arena_calloc(a, b->n_spans ?
			    b->n_spans : 1, sizeof(*nv))) == NULL)
				return tq_err_set(err, TQ_ENOMEM,
				    "search: out of memory");
			if ((rc = b->fetch(b->arg, fi, nv, a, err)) != 0)
				return rc;
			v = nv;
		}
		if (i < R_COUNT)
			f[i] = v;
		else
			sh[i - R_COUNT] = v;
	}
	for (i = 0; i < nm; i++) {
		uint32_t tr = m[i].trace, first = b->trace_first[tr];
		uint32_t end = b->trace_first[tr + 1];
		const struct tq_ql_value *id = &f[R_TRACE_ID][tr];
		struct tq_search_trace *t;
		uint64_t start = (uint64_t)f[R_TRACE_START][tr].u.i;
		uint64_t stop = (uint64_t)f[R_TRACE_END][tr].u.i;

		/* The scan pass counted it already. */
		if (pass == TQ_SEARCH_ALL && o->limit > 0 &&
		    !top_push(r, o->limit, start))
			goto nomem;
		if ((t = tq_arena_calloc(&r->arena, 1, sizeof(*t))) == NULL)
			goto nomem;
		if (id->type == TQ_QL_T_STRING)
			(void)tq_hex_decode(t->id, TQ_TRACE_ID_LEN, id->u.s,
			    id->len);
		t->start_ns = start;
		t->end_ns = stop;
		if ((t->root_service = copy_str(&r->arena,
		    &f[R_ROOT_SERVICE][tr])) == NULL ||
		    (t->root_name = copy_str(&r->arena,
		    &f[R_ROOT_NAME][tr])) == NULL ||
		    (t->sets = tq_arena_calloc(&r->arena, m[i].n,
		    sizeof(*t->sets))) == NULL)
			goto nomem;
		if (svc_first != NULL ? copy_services(t, &r->arena,
		    svc + svc_first[tr], svc_first[tr + 1] - svc_first[tr]) :
		    add_services(t, &r->arena, f[R_SERVICE], f[R_STATUS], first,
		    end))
			goto nomem;
		for (j = 0; j < m[i].n; j++)
			if (make_set(sq, &m[i].sets[j], f, sh, keys, o, &r->arena,
			    &t->sets[j]) != 0)
				goto nomem;
		t->nsets = m[i].n;
		if (!push_trace(r, t))
			goto nomem;
		if (matched != NULL)
			matched[m[i].trace] = true;
	}
	return 0;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
}

int
tq_search_batch_pass(struct tq_search_query *sq, const struct tq_ql_batch *b,
    tq_search_services_fn services, struct tq_arena *a,
    const struct tq_search_opts *o, struct tq_search_result *r,
    enum tq_search_pass pass, bool *matched, int64_t *newest,
    struct tq_err *err)
{
	struct tq_ql_value *starts, *ends = NULL;
	struct tq_ql_match *m;
	size_t nm, i, j;
	int rc;

	if (matched != NULL)
		memset(matched, 0, b->n_traces * sizeof(*matched));
	if (newest != NULL)
		*newest = -1;
	if (pass != TQ_SEARCH_BUILD) {
		r->metrics.inspected_traces += b->n_traces;
		r->metrics.inspected_spans += b->n_spans;
	}
	if ((rc = tq_ql_eval_run(sq->ev, b, a, &m, &nm, err)) != 0 || nm == 0)
		return rc;
	/* Trace start times first: with a limit, most matches of a large
	 * search are too old to be shown and need nothing else. */
	if ((rc = trace_field(b, R_TRACE_START, a, &starts, err)) != 0 ||
	    (o->start_ns > 0 && (rc = trace_field(b, R_TRACE_END, a, &ends,
	    err)) != 0))
		return rc;
	for (i = 0, j = 0; i < nm; i++) {
		uint32_t tr = m[i].trace;
		uint64_t start = (uint64_t)starts[tr].u.i;

		if ((ends != NULL &&
		    (uint64_t)ends[tr].u.i < (uint64_t)o->start_ns) ||
		    (o->end_ns > 0 && start > (uint64_t)o->end_ns) ||
		    too_old(r, o->limit, start))
			continue;
		if (pass == TQ_SEARCH_SCAN) {
			if (o->limit > 0 && !top_push(r, o->limit, start))
				return tq_err_set(err, TQ_ENOMEM,
				    "search: out of memory");
			if (newest != NULL && (int64_t)start > *newest)
				*newest = (int64_t)start;
			if (matched != NULL)
				matched[tr] = true;
		}
		m[j++] = m[i];
	}
	if ((nm = j) == 0 || pass == TQ_SEARCH_SCAN)
		return 0;
	/* What follows reads only the matching traces' spans. */
	if (b->only != NULL) {
		uint8_t *want = tq_arena_calloc(a, b->n_traces, 1);

		if (want == NULL)
			return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
		for (i = 0; i < nm; i++)
			want[m[i].trace] = 1;
		b->only(b->arg, want);
	}
	rc = build(sq, b, services, a, o, r, pass, matched, m, nm, starts,
	    ends, err);
	/* want dies with the arena: the batch may be searched again. */
	if (b->only != NULL)
		b->only(b->arg, NULL);
	return rc;
}

int
tq_search_batch(struct tq_search_query *sq, const struct tq_ql_batch *b,
    struct tq_arena *a, const struct tq_search_opts *o,
    struct tq_search_result *r, bool *matched, struct tq_err *err)
{
	return tq_search_batch_pass(sq, b, NULL, a, o, r, TQ_SEARCH_ALL,
	    matched, NULL, err);
}

/* ---- finishing ---- */

static int
by_recency(const void *a, const void *b)
{
	const struct tq_search_trace *x = *(struct tq_search_trace *const *)a;
	const struct tq_search_trace *y = *(struct tq_search_trace *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns > y->start_ns ? -1 : 1;
	return memcmp(x->id, y->id, TQ_TRACE_ID_LEN);
}

/* merge folds trace y (the same ID) into x. */
static bool
merge(struct tq_arena *a, struct tq_search_trace *x,
    const struct tq_search_trace *y)
{
	struct tq_search_set *sets;
	struct tq_search_service *sv;
	size_t i, k, n;

	if (y->start_ns < x->start_ns)
		x->start_ns = y->start_ns;
	if (y->end_ns > x->end_ns)
		x->end_ns = y->end_ns;
	if (*x->root_name == '\0' && *y->root_name != '\0') {
		x->root_name = y->root_name;
		x->root_service = y->root_service;
	}
	if ((sets = tq_arena_calloc(a, x->nsets + y->nsets, sizeof(*sets))) ==
	    NULL || (sv = tq_arena_calloc(a, x->nservices + y->nservices,
	    sizeof(*sv))) == NULL)
		return false;
	if (x->nsets > 0)
		memcpy(sets, x->sets, x->nsets * sizeof(*sets));
	if (y->nsets > 0)
		memcpy(sets + x->nsets, y->sets, y->nsets * sizeof(*sets));
	x->sets = sets;
	x->nsets += y->nsets;
	if (x->nservices > 0)
		memcpy(sv, x->services, x->nservices * sizeof(*sv));
	n = x->nservices;
	for (i = 0; i < y->nservices; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(sv[k].name, y->services[i].name) == 0)
				break;
		if (k == n)
			sv[n++] = y->services[i];
		else {
			sv[k].spans += y->services[i].spans;
			sv[k].errors += y->services[i].errors;
		}
	}
	x->services = sv;
	x->nservices = n;
	return true;
}

static int
set_order(const void *a, const void *b)
{
	const struct tq_search_set *x = a, *y = b;

	if (x->nspans == 0 || y->nspans == 0)
		return x->nspans > 0 ? -1 : y->nspans > 0;
	if (x->spans[0].start_ns != y->spans[0].start_ns)
		return x->spans[0].start_ns < y->spans[0].start_ns ? -1 : 1;
	return strcmp(x->spans[0].id, y->spans[0].id);
}

static int
service_order(const void *a, const void *b)
{
	return strcmp(((const struct tq_search_service *)a)->name,
	    ((const struct tq_search_service *)b)->name);
}

/* by_content orders the parts of one trace by what they hold, not by
 * which block or thread found them first. */
static int
by_id_content(const void *a, const void *b)
{
	const struct tq_search_trace *x = *(struct tq_search_trace *const *)a;
	const struct tq_search_trace *y = *(struct tq_search_trace *const *)b;
	int c = memcmp(x->id, y->id, TQ_TRACE_ID_LEN);

	if (c != 0)
		return c;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if (x->nsets == 0 || y->nsets == 0)
		return x->nsets > 0 ? -1 : y->nsets > 0;
	return set_order(&x->sets[0], &y->sets[0]);
}

void
tq_search_finish(struct tq_search_result *r, const struct tq_search_opts *o)
{
	size_t i, k = 0;

	if (r->n == 0)
		return;
	qsort(r->traces, r->n, sizeof(*r->traces), by_id_content);
	for (i = 0; i < r->n; i++) {
		if (k > 0 && memcmp(r->traces[k - 1]->id, r->traces[i]->id,
		    TQ_TRACE_ID_LEN) == 0 &&
		    merge(&r->arena, r->traces[k - 1], r->traces[i])) {
			/* Parts from several blocks: spansets in time order. */
			qsort(r->traces[k - 1]->sets, r->traces[k - 1]->nsets,
			    sizeof(struct tq_search_set), set_order);
			continue;
		}
		r->traces[k++] = r->traces[i];
	}
	r->n = k;
	for (i = 0; i < r->n; i++)
		if (r->traces[i]->nservices > 1)
			qsort(r->traces[i]->services, r->traces[i]->nservices,
			    sizeof(struct tq_search_service), service_order);
	qsort(r->traces, r->n, sizeof(*r->traces), by_recency);
	if (o->limit > 0 && r->n > o->limit) {
		r->n = o->limit;
		r->limited = true;
	}
}

/* ---- the store ---- */

struct pool {
	pthread_mutex_t		 mu;
	struct tq_store		*store;
	const struct tq_ql_query *q;
	const struct tq_search_opts *o;
	const struct tq_block_meta **blocks;	/* most recent first */
	size_t			 nblocks, next;
	uint64_t		*top;		/* starts found, descending */
	size_t			 ntop;
	bool			 cut;
	int			 rc;
	struct tq_err		 err;
};

struct worker {
	pthread_t		 th;
	struct pool		*p;
	struct tq_search_result	*r;
};

static int
by_end_desc(const void *a, const void *b)
{
	const struct tq_block_meta *x = *(const struct tq_block_meta *const *)a;
	const struct tq_block_meta *y = *(const struct tq_block_meta *const *)b;

	if (x->end_s != y->end_s)
		return x->end_s > y->end_s ? -1 : 1;
	return strcmp(x->block_id, y->block_id);
}

/* note_starts records the start times of traces found, keeping the
 * limit most recent. */
static void
note_starts(struct pool *p, const struct tq_search_result *r, size_t from)
{
	size_t i, j;

	for (i = from; i < r->n && p->o->limit > 0; i++) {
		uint64_t s = r->traces[i]->start_ns;

		if (p->ntop == p->o->limit && s <= p->top[p->ntop - 1])
			continue;
		j = p->ntop < p->o->limit ? p->ntop++ : p->ntop - 1;
		while (j > 0 && p->top[j - 1] < s) {
			p->top[j] = p->top[j - 1];
			j--;
		}
		p->top[j] = s;
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;
	struct tq_search_query *sq = NULL;
	struct tq_err e;
	int rc;

	tq_err_clear(&e);
	if ((rc = tq_search_query_new(p->q, &sq, &e)) != 0)
		goto out;
	for (;;) {
		const struct tq_block_meta *m;
		struct tq_block *b = NULL;
		size_t before;
		uint64_t reads = 0, bytes = 0;

		pthread_mutex_lock(&p->mu);
		if (p->rc != 0 || p->next == p->nblocks) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		m = p->blocks[p->next];
		/* Nothing in this block or any older one can be more recent
		 * than the limit-th trace found: stop. */
		if (p->o->limit > 0 && p->ntop == p->o->limit &&
		    (uint64_t)(m->end_s + 1) * 1000000000u < p->top[p->ntop - 1]) {
			p->cut = true;
			p->next = p->nblocks;
			pthread_mutex_unlock(&p->mu);
			break;
		}
		p->next++;
		pthread_mutex_unlock(&p->mu);
		before = w->r->n;
		if ((rc = tq_block_open_meta(p->store, m, &b, &e)) == 0) {
			rc = tq_search_block(sq, b, p->o, w->r, &e);
			tq_block_io(b, &reads, &bytes);
		}
		tq_block_free(b);
		pthread_mutex_lock(&p->mu);
		w->r->metrics.backend_reads += reads;
		w->r->metrics.inspected_bytes += bytes;
		w->r->metrics.completed_blocks++;
		if (rc == 0)
			note_starts(p, w->r, before);
		pthread_mutex_unlock(&p->mu);
		if (rc != 0)
			goto out;
	}
out:
	tq_search_query_free(sq);
	if (rc != 0) {
		pthread_mutex_lock(&p->mu);
		if (p->rc == 0) {
			p->rc = rc;
			p->err = e;
		}
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

struct listing {
	struct tq_block_meta	*v;
	size_t			 n, cap;
	const struct tq_search_opts *o;
	uint64_t		 bytes;
};

static int
list_block(void *arg, const struct tq_block_meta *m)
{
	struct listing *l = arg;

	if (l->o->start_ns > 0 && (m->end_s + 1) * 1000000000LL < l->o->start_ns)
		return 0;
	if (l->o->end_ns > 0 && m->start_s * 1000000000LL > l->o->end_ns)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct tq_block_meta *p = realloc(l->v, cap * sizeof(*p));

		if (p == NULL)
			return TQ_ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = *m;
	l->bytes += m->size;
	return 0;
}

/* adopt moves worker result w's traces into r (w's arena goes too). */
static int
adopt(struct tq_search_result *r, struct tq_search_result *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!push_trace(r, w->traces[i]))
			return TQ_ENOMEM;
	r->metrics.inspected_traces += w->metrics.inspected_traces;
	r->metrics.inspected_spans += w->metrics.inspected_spans;
	r->metrics.inspected_bytes += w->metrics.inspected_bytes;
	r->metrics.backend_reads += w->metrics.backend_reads;
	r->metrics.completed_blocks += w->metrics.completed_blocks;
	r->metrics.skipped_row_groups += w->metrics.skipped_row_groups;
	r->metrics.skipped_blocks += w->metrics.skipped_blocks;
	return tq_arena_adopt(&r->arena, &w->arena);
}

int
tq_search_store(struct tq_store *s, const char *tenant,
    const struct tq_ql_query *q, const struct tq_search_opts *o,
    struct tq_search_result *r, struct tq_err *err)
{
	struct listing l = { NULL, 0, 0, o, 0 };
	const struct tq_block_meta **order = NULL;
	struct worker *w = NULL;
	size_t k;
	struct pool p;
	long ncpu;
	int i, nthreads = o->threads, started = 0, rc;

	memset(&p, 0, sizeof(p));
	if ((rc = tq_block_list(s, tenant, false, list_block, &l, err)) != 0)
		goto out;
	/* Metas are large: sort pointers to them. */
	if ((order = calloc(l.n ? l.n : 1, sizeof(*order))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "search: out of memory");
		goto out;
	}
	for (k = 0; k < l.n; k++)
		order[k] = &l.v[k];
	qsort(order, l.n, sizeof(*order), by_end_desc);
	r->metrics.total_blocks = (uint32_t)l.n;
	r->metrics.total_block_bytes = l.bytes;
	if (nthreads <= 0)
		nthreads = (ncpu = sysconf(_SC_NPROCESSORS_ONLN)) > 0 ?
		    (int)ncpu : 1;
	if ((size_t)nthreads > l.n)
		nthreads = l.n > 0 ? (int)l.n : 1;
	pthread_mutex_init(&p.mu, NULL);
	p.store = s;
	p.q = q;
	p.o = o;
	p.blocks = order;
	p.nblocks = l.n;
	tq_err_clear(&p.err);
	if ((w = calloc((size_t)nthreads, sizeof(*w))) == NULL ||
	    (o->limit > 0 && (p.top = calloc(o->limit, sizeof(*p.top))) ==
	    NULL)) {
		rc = tq_err_set(err, TQ_ENOMEM, "search: out of memory");
		goto done;
	}
	for (i = 0; i < nthreads; i++) {
		w[i].p = &p;
		if ((rc = tq_search_result_new(&w[i].r, err)) != 0)
			break;
		/* One worker works here: a thread would only cost its start. */
		if (nthreads == 1) {
			work(&w[i]);
			started = 1;
			break;
		}
		if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0) {
			rc = tq_err_set(err, TQ_ENOMEM, "search: no threads");
			tq_search_result_free(w[i].r);
			w[i].r = NULL;
			break;
		}
		started++;
	}
	for (i = 0; i < started && nthreads > 1; i++)
		pthread_join(w[i].th, NULL);
	if (rc == 0 && p.rc != 0) {
		rc = p.rc;
		*err = p.err;
	}
	for (i = 0; i < started; i++)
		if (rc == 0)
			rc = adopt(r, w[i].r) == 0 ? 0 :
			    tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	if (rc == 0) {
		tq_search_finish(r, o);
		r->limited = r->limited || p.cut;
	}
done:
	for (i = 0; i < nthreads && w != NULL; i++)
		tq_search_result_free(w[i].r);
	free(w);
	free(p.top);
	pthread_mutex_destroy(&p.mu);
out:
	free(order);
	free(l.v);
	return rc;
}

/* ---- JSON ---- */

static int
json_str(struct tq_buf *b, const char *s, size_t n)
{
	size_t i;
	int rc = tq_buf_putc(b, '"');

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			rc = tq_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			rc = tq_buf_printf(b, "\\u%04x", c);
		else
			rc = tq_buf_putc(b, c);
	}
	return rc ? rc : tq_buf_putc(b, '"');
}

/* go_duration appends ns as Go's time.Duration.String() does. */
static int
go_duration(struct tq_buf *b, int64_t ns)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";
	char frac[32];
	uint64_t whole, part, div;
	int digits, len;

	if (u == 0)
		return tq_buf_puts(b, "0s");
	if (u < 1000)
		return tq_buf_printf(b, "%s%" PRIu64 "ns", sign, u);
	if (u < 1000000000) {
		const char *unit = u < 1000000 ? "µs" : "ms";

		div = u < 1000000 ? 1000 : 1000000;
		digits = u < 1000000 ? 3 : 6;
		whole = u / div;
		part = u % div;
		len = snprintf(frac, sizeof(frac), "%0*" PRIu64, digits, part);
		while (len > 0 && frac[len - 1] == '0')
			frac[--len] = '\0';
		return tq_buf_printf(b, "%s%" PRIu64 "%s%s%s", sign, whole,
		    len ? "." : "", frac, unit);
	}
	whole = u / 1000000000u;
	part = u % 1000000000u;
	len = snprintf(frac, sizeof(frac), "%09" PRIu64, part);
	while (len > 0 && frac[len - 1] == '0')
		frac[--len] = '\0';
	if (whole >= 3600)
		return tq_buf_printf(b, "%s%" PRIu64 "h%" PRIu64 "m%" PRIu64
		    "%s%ss", sign, whole / 3600, whole / 60 % 60, whole % 60,
		    len ? "." : "", frac);
	if (whole >= 60)
		return tq_buf_printf(b, "%s%" PRIu64 "m%" PRIu64 "%s%ss", sign,
		    whole / 60, whole % 60, len ? "." : "", frac);
	return tq_buf_printf(b, "%s%" PRIu64 "%s%ss", sign, whole,
	    len ? "." : "", frac);
}

static const char *const status_names[] = { "error", "ok", "unset" };
static const char *const kind_names[] = { "unspecified", "internal",
	"client", "server", "producer", "consumer" };

int
tq_ql_value_text(const struct tq_ql_value *v, struct tq_buf *out)
{
	uint32_t i;
	int rc = 0;

	switch (v->type) {
	case TQ_QL_T_NIL: return tq_buf_puts(out, "nil");
	case TQ_QL_T_INT: return tq_buf_printf(out, "%" PRId64, v->u.i);
	case TQ_QL_T_FLOAT: return tq_buf_printf(out, "%.17g", v->u.f);
	case TQ_QL_T_BOOL: return tq_buf_puts(out, v->u.b ? "true" : "false");
	case TQ_QL_T_DURATION: return go_duration(out, v->u.i);
	case TQ_QL_T_STRING: return tq_buf_append(out, v->u.s, v->len);
	case TQ_QL_T_STATUS:
		return tq_buf_puts(out, v->u.i >= 0 && v->u.i < 3 ?
		    status_names[v->u.i] : "unset");
	case TQ_QL_T_KIND:
		return tq_buf_puts(out, v->u.i >= 0 && v->u.i < 6 ?
		    kind_names[v->u.i] : "unspecified");
	case TQ_QL_T_ARRAY:
		rc = tq_buf_putc(out, '[');
		for (i = 0; i < v->len && rc == 0; i++) {
			if (i > 0)
				rc = tq_buf_puts(out, ", ");
			if (rc == 0)
				rc = tq_ql_value_text(&v->u.a[i], out);
		}
		return rc ? rc : tq_buf_putc(out, ']');
	default:
		return 0;
	}
}

/* json_any appends v as an OTLP/JSON AnyValue. */
static int
json_any(struct tq_buf *b, const struct tq_ql_value *v)
{
	struct tq_buf t;
	uint32_t i;
	int rc;

	switch (v->type) {
	case TQ_QL_T_INT:
		return tq_buf_printf(b, "{\"intValue\":\"%" PRId64 "\"}", v->u.i);
	case TQ_QL_T_FLOAT:
		if (v->u.f != v->u.f || v->u.f - v->u.f != 0)
			return tq_buf_printf(b, "{\"doubleValue\":\"%s\"}",
			    v->u.f != v->u.f ? "NaN" : v->u.f > 0 ? "Infinity" :
			    "-Infinity");
		return tq_buf_printf(b, "{\"doubleValue\":%.17g}", v->u.f);
	case TQ_QL_T_BOOL:
		return tq_buf_printf(b, "{\"boolValue\":%s}",
		    v->u.b ? "true" : "false");
	case TQ_QL_T_STRING:
		if ((rc = tq_buf_puts(b, "{\"stringValue\":")) != 0 ||
		    (rc = json_str(b, v->u.s, v->len)) != 0)
			return rc;
		return tq_buf_putc(b, '}');
	case TQ_QL_T_ARRAY:
		rc = tq_buf_puts(b, "{\"arrayValue\":{\"values\":[");
		for (i = 0; i < v->len && rc == 0; i++) {
			if (i > 0)
				rc = tq_buf_putc(b, ',');
			if (rc == 0)
				rc = json_any(b, &v->u.a[i]);
		}
		return rc ? rc : tq_buf_puts(b, "]}}");
	case TQ_QL_T_NIL:
		return tq_buf_puts(b, "{}");
	default:		/* durations, status, kind: as text */
		tq_buf_init(&t, 4096);
		if ((rc = tq_ql_value_text(v, &t)) == 0 &&
		    (rc = tq_buf_puts(b, "{\"stringValue\":")) == 0 &&
		    (rc = json_str(b, (const char *)t.data, t.len)) == 0)
			rc = tq_buf_putc(b, '}');
		tq_buf_release(&t);
		return rc;
	}
}

static int
json_kvs(struct tq_buf *b, const struct tq_ql_kv *kv, size_t n)
{
	size_t i;
	int rc = tq_buf_puts(b, "\"attributes\":[");

	for (i = 0; i < n && rc == 0; i++) {
		if ((i > 0 && (rc = tq_buf_putc(b, ',')) != 0) ||
		    (rc = tq_buf_puts(b, "{\"key\":")) != 0 ||
		    (rc = json_str(b, kv[i].key, strlen(kv[i].key))) != 0 ||
		    (rc = tq_buf_puts(b, ",\"value\":")) != 0 ||
		    (rc = json_any(b, &kv[i].val)) != 0)
			return rc;
		rc = tq_buf_putc(b, '}');
	}
	return rc ? rc : tq_buf_putc(b, ']');
}

static int
json_set(struct tq_buf *b, const struct tq_search_set *s)
{
	size_t i;
	int rc = tq_buf_puts(b, "{\"spans\":[");

	for (i = 0; i < s->nspans && rc == 0; i++) {
		const struct tq_search_span *sp = &s->spans[i];

		if ((i > 0 && (rc = tq_buf_putc(b, ',')) != 0) ||
		    (rc = tq_buf_printf(b, "{\"spanID\":\"%s\",\"name\":",
		    sp->id)) != 0 ||
		    (rc = json_str(b, sp->name, strlen(sp->name))) != 0 ||
		    (rc = tq_buf_printf(b, ",\"startTimeUnixNano\":\"%" PRIu64
		    "\",\"durationNanos\":\"%" PRIu64 "\"", sp->start_ns,
		    sp->duration_ns)) != 0)
			return rc;
		if (sp->nattrs > 0 && ((rc = tq_buf_putc(b, ',')) != 0 ||
		    (rc = json_kvs(b, sp->attrs, sp->nattrs)) != 0))
			return rc;
		rc = tq_buf_putc(b, '}');
	}
	if (rc == 0)
		rc = tq_buf_printf(b, "],\"matched\":%" PRIu32, s->matched);
	if (rc == 0 && s->nattrs > 0 && ((rc = tq_buf_putc(b, ',')) != 0 ||
	    (rc = json_kvs(b, s->attrs, s->nattrs)) != 0))
		return rc;
	return rc ? rc : tq_buf_putc(b, '}');
}

int
tq_search_trace_json(const struct tq_search_trace *t, struct tq_buf *out)
{
	char id[2 * TQ_TRACE_ID_LEN + 1];
	const char *root = *t->root_name != '\0' || *t->root_service != '\0' ?
	    t->root_service : "<root span not yet received>";
	size_t i;
	int rc;

	tq_hex_encode(id, t->id, TQ_TRACE_ID_LEN);
	if ((rc = tq_buf_printf(out, "{\"traceID\":\"%s\",\"rootServiceName\":",
	    id)) != 0 || (rc = json_str(out, root, strlen(root))) != 0)
		return rc;
	if (*t->root_name != '\0' && ((rc = tq_buf_puts(out,
	    ",\"rootTraceName\":")) != 0 || (rc = json_str(out, t->root_name,
	    strlen(t->root_name))) != 0))
		return rc;
	if ((rc = tq_buf_printf(out, ",\"startTimeUnixNano\":\"%" PRIu64
	    "\",\"durationMs\":%" PRIu64, t->start_ns,
	    (t->end_ns - t->start_ns) / 1000000u)) != 0)
		return rc;
	if (t->nsets > 0 && ((rc = tq_buf_puts(out, ",\"spanSet\":")) != 0 ||
	    (rc = json_set(out, &t->sets[0])) != 0))
		return rc;
	rc = tq_buf_puts(out, ",\"spanSets\":[");
	for (i = 0; i < t->nsets && rc == 0; i++)
		if ((i == 0 || (rc = tq_buf_putc(out, ',')) == 0))
			rc = json_set(out, &t->sets[i]);
	if (rc == 0)
		rc = tq_buf_puts(out, "],\"serviceStats\":{");
	for (i = 0; i < t->nservices && rc == 0; i++) {
		if ((i > 0 && (rc = tq_buf_putc(out, ',')) != 0) ||
		    (rc = json_str(out, t->services[i].name,
		    strlen(t->services[i].name))) != 0)
			return rc;
		rc = tq_buf_printf(out, ":{\"spanCount\":%" PRIu32, 
		    t->services[i].spans);
		if (rc == 0 && t->services[i].errors > 0)
			rc = tq_buf_printf(out, ",\"errorCount\":%" PRIu32,
			    t->services[i].errors);
		if (rc == 0)
			rc = tq_buf_putc(out, '}');
	}
	return rc ? rc : tq_buf_puts(out, "}}");
}

int
tq_search_json(const struct tq_search_result *r, struct tq_buf *out)
{
	const struct tq_search_metrics *m = &r->metrics;
	size_t i;
	int rc = tq_buf_puts(out, "{\"traces\":[");

	for (i = 0; i < r->n && rc == 0; i++)
		if (i == 0 || (rc = tq_buf_putc(out, ',')) == 0)
			rc = tq_search_trace_json(r->traces[i], out);
	if (rc == 0)
		rc = tq_buf_printf(out, "],\"metrics\":{\"inspectedTraces\":%"
		    PRIu64 ",\"inspectedBytes\":\"%" PRIu64 "\",\"totalBlocks\":%"
		    PRIu32 ",\"completedJobs\":%" PRIu32 ",\"totalJobs\":%" PRIu32
		    ",\"totalBlockBytes\":\"%" PRIu64 "\",\"inspectedSpans\":\"%"
		    PRIu64 "\"", m->inspected_traces, m->inspected_bytes,
		    m->total_blocks, m->completed_blocks, m->total_blocks,
		    m->total_block_bytes, m->inspected_spans);
	if (rc == 0 && r->limited)
		rc = tq_buf_puts(out,
		    ",\"additionalMetrics\":{\"limitReached\":\"1\"}");
	return rc ? rc : tq_buf_puts(out, "}}");
}
