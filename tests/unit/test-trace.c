/*
 * test-trace.c: splitting batches by trace, combining parts with span
 * de-duplication, and trace info with nested-set numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "trace.h"
#include "t.h"

static void
test_split_combine(void)
{
	Tq__TracesData *parts[3][64], *all[3];
	Tq__TracesData **groups;
	size_t ngroups[3], invalid, i, j, p, total = 0, traces = 0, dropped;
	struct tq_arena a;
	struct tq_err e;
	int ok = 1;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	for (i = 0; i < 3; i++) {
		char rel[64];
		unsigned char *body;
		size_t len = 0;

		snprintf(rel, sizeof(rel), "otlp-proto/%06zu.body.pb", i + 1);
		body = t_slurp(t_fixtures(), rel, &len);
		T_OK(body != NULL && tq_otlp_pb_decode(body, len, &a, &all[i],
		    &e) == 0, "fixture decodes");
		free(body);
		T_EQ_INT(tq_trace_split(all[i], &a, &groups, &ngroups[i],
		    &invalid, &e), 0, "split: a request by trace");
		T_EQ_INT(invalid, 0, "split: no invalid IDs in real data");
		for (j = 0; j < ngroups[i] && j < 64; j++) {
			const uint8_t *id = groups[j]->resource_spans[0]->
			    scope_spans[0]->spans[0]->trace_id.data;
			Tq__TracesData *g = groups[j];
			size_t r, s, k;

			parts[i][j] = g;
			total += tq_otlp_span_count(g);
			for (r = 0; r < g->n_resource_spans; r++)
				for (s = 0; s < g->resource_spans[r]->n_scope_spans; s++) {
					Tq__ScopeSpans *ss = g->resource_spans[r]->scope_spans[s];

					for (k = 0; k < ss->n_spans; k++)
						if (memcmp(ss->spans[k]->trace_id.data, id, 16) != 0)
							ok = 0;
				}
		}
	}
	T_EQ_INT(total, 220, "split: every span lands in a group");
	T_OK(ok, "split: a group holds one trace ID only");

	/* Combine each trace's parts across the three requests. */
	total = 0;
	for (p = 0; p < ngroups[0] + ngroups[1] + ngroups[2]; p++) {
		size_t r = p < ngroups[0] ? 0 : p < ngroups[0] + ngroups[1] ? 1 : 2;
		size_t idx = p - (r == 0 ? 0 : r == 1 ? ngroups[0] :
		    ngroups[0] + ngroups[1]);
		const uint8_t *id = parts[r][idx]->resource_spans[0]->
		    scope_spans[0]->spans[0]->trace_id.data;
		Tq__TracesData *same[3], *out;
		size_t nsame = 0, q, rr, first = 1;

		/* Only the first occurrence of an ID combines its parts. */
		for (rr = 0; rr <= r && first; rr++)
			for (q = 0; q < ngroups[rr]; q++) {
				if (rr == r && q == idx)
					break;
				if (memcmp(parts[rr][q]->resource_spans[0]->scope_spans[0]->
				    spans[0]->trace_id.data, id, 16) == 0)
					first = 0;
			}
		if (!first)
			continue;
		for (rr = 0; rr < 3; rr++)
			for (q = 0; q < ngroups[rr]; q++)
				if (memcmp(parts[rr][q]->resource_spans[0]->scope_spans[0]->
				    spans[0]->trace_id.data, id, 16) == 0)
					same[nsame++] = parts[rr][q];
		if (tq_trace_combine(same, nsame, &a, &out, &dropped, &e) != 0)
			ok = 0;
		total += tq_otlp_span_count(out);
		traces++;
		if (dropped != 0)
			ok = 0;
	}
	T_EQ_INT(traces, 20, "combine: 20 traces in the fixtures");
	T_EQ_INT(total, 220, "combine: 220 spans, none lost");
	T_OK(ok, "combine: no duplicates among real spans");

	/* The same part twice: every span of the second is a duplicate. */
	{
		Tq__TracesData *twice[2] = { parts[0][0], parts[0][0] }, *out;
		size_t n = tq_otlp_span_count(parts[0][0]);

		T_EQ_INT(tq_trace_combine(twice, 2, &a, &out, &dropped, &e), 0,
		    "combine: a part with itself");
		T_EQ_INT(tq_otlp_span_count(out), n, "combine: spans kept once");
		T_EQ_INT(dropped, n, "combine: duplicates counted");
		T_EQ_INT(out->n_resource_spans, parts[0][0]->n_resource_spans,
		    "combine: equal resources joined");
	}
	tq_arena_release(&a);
}

/* A span of a hand-built trace. */
static Tq__Span *
span(struct tq_arena *a, int id, int parent, const char *name, int err)
{
	Tq__Span *s = tq_arena_alloc(a, sizeof(*s));
	uint8_t *tid = tq_arena_calloc(a, 1, 16), *sid = tq_arena_calloc(a, 1, 8);

	tq__span__init(s);
	tid[0] = 0xab;
	sid[7] = (uint8_t)id;
	s->trace_id.data = tid;
	s->trace_id.len = 16;
	s->span_id.data = sid;
	s->span_id.len = 8;
	if (parent > 0) {
		uint8_t *pid = tq_arena_calloc(a, 1, 8);

		pid[7] = (uint8_t)parent;
		s->parent_span_id.data = pid;
		s->parent_span_id.len = 8;
	}
	s->name = (char *)name;
	s->start_time_unix_nano = 1000 + (uint64_t)id;
	s->end_time_unix_nano = 2000 - (uint64_t)id;
	if (err) {
		s->status = tq_arena_alloc(a, sizeof(*s->status));
		tq__status__init(s->status);
		s->status->code = TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR;
	}
	return s;
}

static Tq__ResourceSpans *
resource(struct tq_arena *a, const char *service, Tq__Span **spans, size_t n)
{
	Tq__ResourceSpans *rs = tq_arena_alloc(a, sizeof(*rs));
	Tq__Resource *r = tq_arena_alloc(a, sizeof(*r));
	Tq__KeyValue *kv = tq_arena_alloc(a, sizeof(*kv));
	Tq__AnyValue *v = tq_arena_alloc(a, sizeof(*v));
	Tq__ScopeSpans *ss = tq_arena_alloc(a, sizeof(*ss));

	tq__resource_spans__init(rs);
	tq__resource__init(r);
	tq__key_value__init(kv);
	tq__any_value__init(v);
	tq__scope_spans__init(ss);
	v->value_case = TQ__ANY_VALUE__VALUE_STRING_VALUE;
	v->string_value = (char *)service;
	kv->key = (char *)"service.name";
	kv->value = v;
	r->attributes = tq_arena_alloc(a, sizeof(kv));
	r->attributes[0] = kv;
	r->n_attributes = 1;
	rs->resource = r;
	ss->spans = spans;
	ss->n_spans = n;
	rs->scope_spans = tq_arena_alloc(a, sizeof(ss));
	rs->scope_spans[0] = ss;
	rs->n_scope_spans = 1;
	return rs;
}

static void
test_info(void)
{
	/*
	 * web: A(1) -> B(2) -> C(3), A -> D(4); db: E(5) whose parent 9 is
	 * missing, so it is a root too.  Spans listed out of tree order.
	 */
	struct tq_arena a;
	struct tq_trace_info info;
	struct tq_err e;
	Tq__TracesData td = TQ__TRACES_DATA__INIT;
	Tq__Span *web[4], *db[1];
	Tq__ResourceSpans *rss[2];
	int32_t want[5][3] = { { 1, 8, -1 }, { 2, 5, 1 }, { 3, 4, 2 },
	    { 6, 7, 1 }, { 9, 10, -1 } };
	size_t i;
	int ok = 1;

	tq_arena_init(&a, 1 << 20);
	web[0] = span(&a, 3, 2, "C", 0);
	web[1] = span(&a, 1, 0, "A", 0);
	web[2] = span(&a, 2, 1, "B", 1);
	web[3] = span(&a, 4, 1, "D", 0);
	db[0] = span(&a, 5, 9, "E", 1);
	rss[0] = resource(&a, "web", web, 4);
	rss[1] = resource(&a, "db", db, 1);
	td.resource_spans = rss;
	td.n_resource_spans = 2;
	T_EQ_INT(tq_trace_info(&td, &a, &info, &e), 0, "info: computes");
	T_EQ_STR(info.root_service, "web", "info: root service");
	T_EQ_STR(info.root_name, "A", "info: root span name");
	T_EQ_INT(info.start_ns, 1001, "info: earliest start");
	T_EQ_INT(info.end_ns, 1999, "info: latest end");
	T_EQ_INT(info.n_services, 2, "info: two services");
	T_EQ_STR(info.services[0].name, "db", "info: services sorted");
	T_EQ_INT(info.services[0].spans * 10 + info.services[0].errors, 11,
	    "info: db has 1 span, 1 error");
	T_EQ_INT(info.services[1].spans * 10 + info.services[1].errors, 41,
	    "info: web has 4 spans, 1 error");
	for (i = 0; i < info.n_spans; i++) {
		int id = info.spans[i].span->span_id.data[7];
		struct tq_trace_span *s = &info.spans[i];

		if (s->left != want[id - 1][0] || s->right != want[id - 1][1] ||
		    s->parent != want[id - 1][2]) {
			printf("#   span %d: %d %d %d\n", id, s->left, s->right,
			    s->parent);
			ok = 0;
		}
	}
	T_OK(ok, "info: nested set numbers (left, right, parent's left)");
	tq_arena_release(&a);
}

int
main(void)
{
	test_split_combine();
	test_info();
	return t_done();
}
