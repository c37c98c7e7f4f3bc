/*
 * trace.c: combining, splitting and describing traces (see trace.h).
 *
 * Everything is allocated from the caller's arena and shares strings and
 * byte fields with the input, so these operations copy pointers, not data.
 * Hash tables are open-addressed with linear probing, sized to at most half
 * full; trace and span IDs are random enough to hash by their bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "trace.h"

/* vec: a growable array of pointers in an arena (old copies are garbage). */
struct vec {
	void	**v;
	size_t	  n, cap;
};

static int
vec_push(struct vec *vec, struct tq_arena *a, void *p)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 4;
		void **v = tq_arena_alloc(a, cap * sizeof(*v));

		if (v == NULL)
			return TQ_ENOMEM;
		if (vec->n > 0)
			memcpy(v, vec->v, vec->n * sizeof(*v));
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = p;
	return 0;
}

/* table_size returns a power of two at least twice n. */
static size_t
table_size(size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	return size;
}

/*
 * key_hash places an ID in a lookup table: span IDs (8 bytes) and trace
 * IDs (16), random numbers already, by a multiplication or two; other
 * lengths by murmur3.
 */
static uint64_t
key_hash(const uint8_t *p, size_t n, uint64_t extra)
{
	uint64_t h[2], a, b;

	if (n == 8 || n == 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		a = (a ^ extra << 32) * 0x9e3779b97f4a7c15ull ^
		    b * 0xc2b2ae3d27d4eb4full;
		return a ^ a >> 31;
	}
	tq_hash_murmur3_128(p, n, (uint32_t)extra, h);
	return h[0];
}

/* ---- split ---- */

struct group {
	const uint8_t		*id;
	Tq__TracesData		*td;
	struct vec		 rs;	/* Tq__ResourceSpans copies */
	const Tq__ResourceSpans	*last_rs;
	Tq__ResourceSpans	*cur_rs;
	struct vec		 ss;	/* of cur_rs */
	const Tq__ScopeSpans	*last_ss;
	Tq__ScopeSpans		*cur_ss;
	struct vec		 spans;	/* of cur_ss */
};

static bool
valid_trace_id(const ProtobufCBinaryData *id)
{
	static const uint8_t zero[TQ_TRACE_ID_LEN];

	return id->len == TQ_TRACE_ID_LEN &&
	    memcmp(id->data, zero, TQ_TRACE_ID_LEN) != 0;
}

/* close_scope and close_resource move the open copies into their parents. */
static void
close_scope(struct group *g)
{
	if (g->cur_ss == NULL)
		return;
	g->cur_ss->spans = (Tq__Span **)g->spans.v;
	g->cur_ss->n_spans = g->spans.n;
	g->cur_ss = NULL;
	g->last_ss = NULL;
	memset(&g->spans, 0, sizeof(g->spans));
}

static void
close_resource(struct group *g)
{
	close_scope(g);
	if (g->cur_rs == NULL)
		return;
	g->cur_rs->scope_spans = (Tq__ScopeSpans **)g->ss.v;
	g->cur_rs->n_scope_spans = g->ss.n;
	g->cur_rs = NULL;
	g->last_rs = NULL;
	memset(&g->ss, 0, sizeof(g->ss));
}

static int
group_add(struct group *g, struct tq_arena *a, const Tq__ResourceSpans *rs,
    const Tq__ScopeSpans *ss, Tq__Span *span)
{
	if (g->last_rs != rs) {
		close_resource(g);
		if ((g->cur_rs = tq_arena_memdup(a, rs, sizeof(*rs))) == NULL ||
		    vec_push(&g->rs, a, g->cur_rs) != 0)
			return TQ_ENOMEM;
		g->last_rs = rs;
	}
	if (g->last_ss != ss) {
		close_scope(g);
		if ((g->cur_ss = tq_arena_memdup(a, ss, sizeof(*ss))) == NULL ||
		    vec_push(&g->ss, a, g->cur_ss) != 0)
			return TQ_ENOMEM;
		g->last_ss = ss;
	}
	return vec_push(&g->spans, a, span);
}

int
tq_trace_split(const Tq__TracesData *td, struct tq_arena *a,
    Tq__TracesData ***out, size_t *n, size_t *invalid, struct tq_err *err)
{
	struct group **table, *g;
	struct vec groups = { 0 };
	size_t i, j, k, size, nspans = tq_otlp_span_count(td), bad = 0;

	size = table_size(nspans);
	if ((table = tq_arena_calloc(a, size, sizeof(*table))) == NULL)
		goto nomem;
	for (i = 0; i < td->n_resource_spans; i++) {
		const Tq__ResourceSpans *rs = td->resource_spans[i];

		for (j = 0; j < rs->n_scope_spans; j++) {
			const Tq__ScopeSpans *ss = rs->scope_spans[j];

			for (k = 0; k < ss->n_spans; k++) {
				Tq__Span *span = ss->spans[k];
				size_t h;

				if (!valid_trace_id(&span->trace_id)) {
					bad++;
					continue;
				}
				h = key_hash(span->trace_id.data, 16, 0) & (size - 1);
				while ((g = table[h]) != NULL &&
				    memcmp(g->id, span->trace_id.data, 16) != 0)
					h = (h + 1) & (size - 1);
				if (g == NULL) {
					if ((g = tq_arena_calloc(a, 1, sizeof(*g))) == NULL ||
					    (g->td = tq_arena_alloc(a, sizeof(*g->td))) == NULL ||
					    vec_push(&groups, a, g) != 0)
						goto nomem;
					tq__traces_data__init(g->td);
					g->id = span->trace_id.data;
					table[h] = g;
				}
				if (group_add(g, a, rs, ss, span) != 0)
					goto nomem;
			}
		}
	}
	for (i = 0; i < groups.n; i++) {
		g = groups.v[i];
		close_resource(g);
		g->td->resource_spans = (Tq__ResourceSpans **)g->rs.v;
		g->td->n_resource_spans = g->rs.n;
		groups.v[i] = g->td;
	}
	*out = (Tq__TracesData **)groups.v;
	*n = groups.n;
	if (invalid != NULL)
		*invalid = bad;
	return 0;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "splitting traces: out of memory");
}

/* ---- combine ---- */

/* packed returns the protobuf encoding of m in the arena, for comparing. */
static uint8_t *
packed(const ProtobufCMessage *m, struct tq_arena *a, size_t *len)
{
	uint8_t *p;

	*len = m == NULL ? 0 : protobuf_c_message_get_packed_size(m);
	if ((p = tq_arena_alloc(a, *len)) == NULL)
		return NULL;
	if (m != NULL)
		protobuf_c_message_pack(m, p);
	return p;
}

/* An output resource or scope with the encoding that identifies it. */
struct slot {
	const uint8_t	*key;
	size_t		 key_len;
	void		*copy;		/* Tq__ResourceSpans or Tq__ScopeSpans */
	struct vec	 children;	/* scope copies, or spans */
	struct vec	 scopes;	/* of a resource: struct slot */
};

static bool
same_key(const struct slot *s, const uint8_t *key, size_t len)
{
	return s->key_len == len && memcmp(s->key, key, len) == 0;
}

/* key_of identifies a resource or scope by its encoding and schema URL. */
static uint8_t *
key_of(const ProtobufCMessage *m, const char *schema_url, struct tq_arena *a,
    size_t *len)
{
	size_t n, u = schema_url != NULL ? strlen(schema_url) : 0;
	uint8_t *p = packed(m, a, &n), *k;

	if (p == NULL || (k = tq_arena_alloc(a, n + u + 1)) == NULL)
		return NULL;
	memcpy(k, p, n);
	if (u > 0)
		memcpy(k + n, schema_url, u);
	k[n + u] = 0xff;	/* separates encoding and URL unambiguously enough */
	*len = n + u + 1;
	return k;
}

int
tq_trace_combine(Tq__TracesData *const *parts, size_t n, struct tq_arena *a,
    Tq__TracesData **out, size_t *dropped, struct tq_err *err)
{
	struct vec resources = { 0 };
	Tq__TracesData *td;
	const Tq__Span **seen;
	size_t p, i, j, k, r, size, total = 0, dups = 0;

	for (p = 0; p < n; p++)
		total += tq_otlp_span_count(parts[p]);
	size = table_size(total);
	if ((seen = tq_arena_calloc(a, size, sizeof(*seen))) == NULL ||
	    (td = tq_arena_alloc(a, sizeof(*td))) == NULL)
		goto nomem;
	tq__traces_data__init(td);
	for (p = 0; p < n; p++) {
		for (i = 0; i < parts[p]->n_resource_spans; i++) {
			const Tq__ResourceSpans *rs = parts[p]->resource_spans[i];
			struct slot *rslot = NULL, *sslot;
			uint8_t *key;
			size_t len;

			if ((key = key_of((const ProtobufCMessage *)rs->resource,
			    rs->schema_url, a, &len)) == NULL)
				goto nomem;
			for (r = 0; r < resources.n && rslot == NULL; r++)
				if (same_key(resources.v[r], key, len))
					rslot = resources.v[r];
			if (rslot == NULL) {
				if ((rslot = tq_arena_calloc(a, 1, sizeof(*rslot))) == NULL ||
				    (rslot->copy = tq_arena_memdup(a, rs, sizeof(*rs))) == NULL ||
				    vec_push(&resources, a, rslot) != 0)
					goto nomem;
				rslot->key = key;
				rslot->key_len = len;
			}
			for (j = 0; j < rs->n_scope_spans; j++) {
				const Tq__ScopeSpans *ss = rs->scope_spans[j];

				if ((key = key_of((const ProtobufCMessage *)ss->scope,
				    ss->schema_url, a, &len)) == NULL)
					goto nomem;
				sslot = NULL;
				for (r = 0; r < rslot->scopes.n && sslot == NULL; r++)
					if (same_key(rslot->scopes.v[r], key, len))
						sslot = rslot->scopes.v[r];
				if (sslot == NULL) {
					if ((sslot = tq_arena_calloc(a, 1, sizeof(*sslot))) == NULL ||
					    (sslot->copy = tq_arena_memdup(a, ss, sizeof(*ss))) == NULL ||
					    vec_push(&rslot->scopes, a, sslot) != 0)
						goto nomem;
					sslot->key = key;
					sslot->key_len = len;
				}
				for (k = 0; k < ss->n_spans; k++) {
					const Tq__Span *span = ss->spans[k];
					const Tq__Span *o;
					size_t h;

					h = key_hash(span->span_id.data,
					    span->span_id.len, span->kind) & (size - 1);
					while ((o = seen[h]) != NULL &&
					    !(o->kind == span->kind &&
					    o->span_id.len == span->span_id.len &&
					    memcmp(o->span_id.data, span->span_id.data,
					    span->span_id.len) == 0))
						h = (h + 1) & (size - 1);
					if (o != NULL) {
						dups++;
						continue;
					}
					seen[h] = span;
					if (vec_push(&sslot->children, a,
					    (void *)(uintptr_t)span) != 0)
						goto nomem;
				}
			}
		}
	}
	/* Lay the slots out as a TracesData; empty scopes are dropped. */
	if ((td->resource_spans = tq_arena_alloc(a,
	    resources.n * sizeof(*td->resource_spans))) == NULL)
		goto nomem;
	for (r = 0; r < resources.n; r++) {
		struct slot *rslot = resources.v[r];
		Tq__ResourceSpans *rs = rslot->copy;

		rs->n_scope_spans = 0;
		if ((rs->scope_spans = tq_arena_alloc(a,
		    rslot->scopes.n * sizeof(*rs->scope_spans))) == NULL)
			goto nomem;
		for (j = 0; j < rslot->scopes.n; j++) {
			struct slot *sslot = rslot->scopes.v[j];
			Tq__ScopeSpans *ss = sslot->copy;

			if (sslot->children.n == 0)
				continue;
			ss->spans = (Tq__Span **)sslot->children.v;
			ss->n_spans = sslot->children.n;
			rs->scope_spans[rs->n_scope_spans++] = ss;
		}
		if (rs->n_scope_spans > 0)
			td->resource_spans[td->n_resource_spans++] = rs;
	}
	*out = td;
	if (dropped != NULL)
		*dropped = dups;
	return 0;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "combining a trace: out of memory");
}

/* ---- info ---- */

const char *
tq_trace_resource_attr(const Tq__ResourceSpans *rs, const char *key)
{
	size_t i;

	if (rs->resource == NULL)
		return NULL;
	for (i = 0; i < rs->resource->n_attributes; i++) {
		const Tq__KeyValue *kv = rs->resource->attributes[i];

		if (strcmp(kv->key, key) == 0 && kv->value != NULL &&
		    kv->value->value_case == TQ__ANY_VALUE__VALUE_STRING_VALUE)
			return kv->value->string_value;
	}
	return NULL;
}

static int
cmp_service(const void *x, const void *y)
{
	const struct tq_trace_service *a = x, *b = y;

	return strcmp(a->name, b->name);
}

int
tq_trace_number(struct tq_trace_node *s, size_t n, struct tq_arena *a)
{
	size_t size = table_size(n), i, h, top;
	int32_t *slot, *first_child, *next_sibling, *last_child, *parent;
	size_t *stack;
	uint8_t *done;
	int32_t counter = 1;

	slot = tq_arena_alloc(a, size * sizeof(*slot));
	first_child = tq_arena_alloc(a, n * sizeof(*first_child));
	last_child = tq_arena_alloc(a, n * sizeof(*last_child));
	next_sibling = tq_arena_alloc(a, n * sizeof(*next_sibling));
	parent = tq_arena_alloc(a, n * sizeof(*parent));
	stack = tq_arena_alloc(a, (n + 1) * sizeof(*stack));
	done = tq_arena_calloc(a, n, 1);
	if (slot == NULL || first_child == NULL || last_child == NULL ||
	    next_sibling == NULL || parent == NULL || stack == NULL ||
	    done == NULL)
		return TQ_ENOMEM;
	memset(slot, 0xff, size * sizeof(*slot));
	for (i = 0; i < n; i++) {
		first_child[i] = last_child[i] = next_sibling[i] = -1;
		parent[i] = -1;
		h = key_hash(s[i].id, s[i].id_len, 0) & (size - 1);
		while (slot[h] != -1 && !(s[slot[h]].id_len == s[i].id_len &&
		    memcmp(s[slot[h]].id, s[i].id, s[i].id_len) == 0))
			h = (h + 1) & (size - 1);
		if (slot[h] == -1)
			slot[h] = (int32_t)i;
	}
	for (i = 0; i < n; i++) {
		int32_t p;

		if (s[i].parent_len == 0)
			continue;
		h = key_hash(s[i].parent_id, s[i].parent_len, 0) & (size - 1);
		while ((p = slot[h]) != -1 && !(s[p].id_len == s[i].parent_len &&
		    memcmp(s[p].id, s[i].parent_id, s[i].parent_len) == 0))
			h = (h + 1) & (size - 1);
		if (p == -1 || (size_t)p == i)
			continue;
		parent[i] = p;
		if (last_child[p] == -1)
			first_child[p] = (int32_t)i;
		else
			next_sibling[last_child[p]] = (int32_t)i;
		last_child[p] = (int32_t)i;
	}
	/* Roots in document order; a cycle's spans are numbered as roots. */
	for (i = 0; i < n; i++) {
		if (parent[i] != -1 || done[i])
			continue;
		top = 0;
		stack[top++] = i;
		s[i].left = counter++;
		s[i].parent = -1;
		done[i] = 1;
		while (top > 0) {
			size_t cur = stack[top - 1];
			int32_t c = first_child[cur];

			/* Visit the next unvisited child, or close cur. */
			while (c != -1 && done[c])
				c = next_sibling[c];
			if (c == -1) {
				s[cur].right = counter++;
				top--;
				continue;
			}
			first_child[cur] = next_sibling[c];
			s[c].left = counter++;
			s[c].parent = s[cur].left;
			done[c] = 1;
			stack[top++] = (size_t)c;
		}
	}
	/* Spans only reachable through a cycle. */
	for (i = 0; i < n; i++)
		if (!done[i]) {
			s[i].left = counter++;
			s[i].right = counter++;
			s[i].parent = -1;
			done[i] = 1;
		}
	return 0;
}

/* number_spans gives info's spans their nested-set numbers. */
static int
number_spans(struct tq_trace_info *info, struct tq_arena *a)
{
	struct tq_trace_node *nodes;
	size_t i, n = info->n_spans;

	if ((nodes = tq_arena_alloc(a, (n ? n : 1) * sizeof(*nodes))) == NULL)
		return TQ_ENOMEM;
	for (i = 0; i < n; i++) {
		const Tq__Span *sp = info->spans[i].span;

		nodes[i].id = sp->span_id.data;
		nodes[i].id_len = sp->span_id.len;
		nodes[i].parent_id = sp->parent_span_id.data;
		nodes[i].parent_len = sp->parent_span_id.len;
	}
	if (tq_trace_number(nodes, n, a) != 0)
		return TQ_ENOMEM;
	for (i = 0; i < n; i++) {
		info->spans[i].left = nodes[i].left;
		info->spans[i].right = nodes[i].right;
		info->spans[i].parent = nodes[i].parent;
	}
	return 0;
}

int
tq_trace_info(const Tq__TracesData *td, struct tq_arena *a,
    struct tq_trace_info *info, struct tq_err *err)
{
	size_t i, j, k, n = tq_otlp_span_count(td), m = 0;
	bool have_root = false;

	memset(info, 0, sizeof(*info));
	if (n == 0)
		return tq_err_set(err, TQ_EINVAL, "trace has no spans");
	if ((info->spans = tq_arena_calloc(a, n, sizeof(*info->spans))) == NULL ||
	    (info->services = tq_arena_calloc(a, n, sizeof(*info->services))) == NULL)
		goto nomem;
	info->start_ns = UINT64_MAX;
	info->root_service = info->root_name = "";
	for (i = 0; i < td->n_resource_spans; i++) {
		Tq__ResourceSpans *rs = td->resource_spans[i];
		const char *svc = tq_trace_resource_attr(rs, "service.name");
		struct tq_trace_service *ts = NULL;

		if (svc == NULL)
			svc = "";
		for (k = 0; k < info->n_services && ts == NULL; k++)
			if (strcmp(info->services[k].name, svc) == 0)
				ts = &info->services[k];
		for (j = 0; j < rs->n_scope_spans; j++) {
			Tq__ScopeSpans *ss = rs->scope_spans[j];

			for (k = 0; k < ss->n_spans; k++) {
				Tq__Span *sp = ss->spans[k];

				if (ts == NULL) {
					ts = &info->services[info->n_services++];
					ts->name = svc;
				}
				ts->spans++;
				if (sp->status != NULL && sp->status->code ==
				    TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR)
					ts->errors++;
				if (sp->start_time_unix_nano < info->start_ns)
					info->start_ns = sp->start_time_unix_nano;
				if (sp->end_time_unix_nano > info->end_ns)
					info->end_ns = sp->end_time_unix_nano;
				if (sp->parent_span_id.len == 0 && !have_root) {
					have_root = true;
					info->root_service = svc;
					info->root_name = sp->name;
				}
				info->spans[m].span = sp;
				info->spans[m].rs = rs;
				info->spans[m].ss = ss;
				m++;
			}
		}
	}
	info->n_spans = m;
	if (info->spans[0].span->trace_id.len == TQ_TRACE_ID_LEN)
		memcpy(info->id, info->spans[0].span->trace_id.data,
		    TQ_TRACE_ID_LEN);
	if (info->end_ns < info->start_ns)
		info->end_ns = info->start_ns;
	qsort(info->services, info->n_services, sizeof(*info->services),
	    cmp_service);
	if (number_spans(info, a) != 0)
		goto nomem;
	return 0;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "trace info: out of memory");
}
