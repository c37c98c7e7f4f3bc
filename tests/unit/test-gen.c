/*
 * test-gen.c: the trace generator is deterministic, independent of the
 * record size, returns spans in end order, keeps traces whole (every
 * parent exists or none is missing), and honours its counts and limits.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "limits.h"
#include "t.h"

/* What a run produced, summed so that record boundaries do not matter. */
struct summary {
	size_t		 spans, records, short_records;
	uint64_t	 hash;		/* sum of a hash of each packed span */
	bool		 ordered;	/* records come in end order */
	bool		 grouped;	/* a resource at most once per record */
	size_t		 nkeys;
	uint8_t		(*keys)[24];	/* trace ID + span ID of every span */
	uint8_t		(*parents)[24];	/* trace ID + parent ID, or zero */
};

static uint64_t
fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static int
cmpkey(const void *a, const void *b)
{
	return memcmp(a, b, 24);
}

static void
add_span(struct summary *s, const Tq__Span *sp)
{
	uint8_t buf[1 << 16], *p = buf;
	size_t n = tq__span__get_packed_size(sp);

	if (n > sizeof(buf))
		p = malloc(n);
	tq__span__pack(sp, p);
	s->hash += fnv(p, n);
	if (p != buf)
		free(p);
	s->keys = realloc(s->keys, (s->nkeys + 1) * sizeof(*s->keys));
	s->parents = realloc(s->parents, (s->nkeys + 1) * sizeof(*s->parents));
	memcpy(s->keys[s->nkeys], sp->trace_id.data, 16);
	memcpy(s->keys[s->nkeys] + 16, sp->span_id.data, 8);
	memset(s->parents[s->nkeys], 0, 24);
	if (sp->parent_span_id.len == 8) {
		memcpy(s->parents[s->nkeys], sp->trace_id.data, 16);
		memcpy(s->parents[s->nkeys] + 16, sp->parent_span_id.data, 8);
	}
	s->nkeys++;
	s->spans++;
}

static int
run(const struct tq_gen_opts *o, struct summary *s)
{
	struct tq_gen *g = NULL;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;
	uint64_t prev_max = 0, lo, hi, end;
	size_t i, j, k, r, n;
	int rc;

	memset(s, 0, sizeof(*s));
	s->ordered = s->grouped = true;
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if ((rc = tq_gen_new(o, &g, &e)) != 0)
		goto out;
	while ((rc = tq_gen_next(g, &a, &td, &e)) == 1) {
		lo = UINT64_MAX;
		hi = 0;
		n = 0;
		for (i = 0; i < td->n_resource_spans; i++) {
			for (r = 0; r < i; r++)
				if (td->resource_spans[r]->resource ==
				    td->resource_spans[i]->resource)
					s->grouped = false;
			for (j = 0; j < td->resource_spans[i]->n_scope_spans;
			    j++) {
				Tq__ScopeSpans *ss =
				    td->resource_spans[i]->scope_spans[j];

				for (k = 0; k < ss->n_spans; k++) {
					end = ss->spans[k]->end_time_unix_nano;
					lo = end < lo ? end : lo;
					hi = end > hi ? end : hi;
					add_span(s, ss->spans[k]);
					n++;
				}
			}
		}
		if (lo < prev_max)
			s->ordered = false;
		prev_max = hi;
		if (n != o->batch)
			s->short_records++;
		s->records++;
		tq_arena_reset(&a);
	}
out:
	tq_gen_free(g);
	tq_arena_release(&a);
	return rc;
}

static void
release(struct summary *s)
{
	free(s->keys);
	free(s->parents);
}

/* parents_exist tells whether every parent is a span of the run. */
static bool
parents_exist(struct summary *s)
{
	static const uint8_t zero[24];
	size_t i;

	qsort(s->keys, s->nkeys, sizeof(*s->keys), cmpkey);
	for (i = 0; i < s->nkeys; i++)
		if (memcmp(s->parents[i], zero, 24) != 0 &&
		    bsearch(s->parents[i], s->keys, s->nkeys, sizeof(*s->keys),
		    cmpkey) == NULL)
			return false;
	return true;
}

/* largest_trace returns the span count of the largest trace (keys sorted). */
static size_t
largest_trace(const struct summary *s)
{
	size_t i, run = 0, max = 0;

	for (i = 0; i < s->nkeys; i++) {
		run = i > 0 && memcmp(s->keys[i], s->keys[i - 1], 16) == 0 ?
		    run + 1 : 1;
		max = run > max ? run : max;
	}
	return max;
}

int
main(void)
{
	struct tq_gen_opts o;
	struct tq_gen *g;
	struct tq_err e;
	struct summary a, b, c;

	tq_gen_opts_default(&o);
	o.traces = 300;
	T_EQ_INT(run(&o, &a), 0, "default run ends cleanly");
	T_OK(a.spans > 300 * 3, "several spans per trace");
	T_OK(a.ordered, "records come in end order");
	T_OK(a.grouped, "each resource once per record");
	T_EQ_INT(a.short_records, 1, "only the last record is short");
	T_OK(parents_exist(&a), "every parent is in the output");

	T_EQ_INT(run(&o, &b), 0, "second run");
	T_OK(a.hash == b.hash && a.spans == b.spans, "same seed, same spans");
	release(&b);

	o.batch = 7;
	T_EQ_INT(run(&o, &b), 0, "batch 7");
	T_OK(a.hash == b.hash && a.spans == b.spans,
	    "the record size does not change the spans");
	T_OK(b.ordered, "batch 7 in end order");
	release(&b);
	o.batch = 1;
	T_EQ_INT(run(&o, &b), 0, "batch 1");
	T_OK(a.hash == b.hash && b.records == a.spans, "one span per record");
	release(&b);

	o.batch = 100;
	o.seed = 2;
	T_EQ_INT(run(&o, &b), 0, "seed 2");
	T_OK(a.hash != b.hash, "another seed, other spans");
	release(&b);
	release(&a);

	tq_gen_opts_default(&o);
	o.traces = 0;
	o.spans = 5000;
	T_EQ_INT(run(&o, &a), 0, "--spans 5000");
	T_OK(a.spans >= 5000 && a.spans < 5000 + 200,
	    "stops after the trace that reaches the span count");
	release(&a);

	tq_gen_opts_default(&o);
	o.traces = 3;
	o.huge_trace = 12345;
	o.fanout = 3;
	o.batch = 1000;
	T_EQ_INT(run(&o, &c), 0, "huge trace");
	T_OK(c.ordered, "huge trace in end order");
	T_OK(parents_exist(&c), "huge trace is whole");
	T_EQ_INT(largest_trace(&c), 12345, "one trace has the huge span count");
	release(&c);

	tq_gen_opts_default(&o);
	o.services = 0;
	T_EQ_INT(tq_gen_new(&o, &g, &e), TQ_EINVAL, "services 0 refused");
	T_OK(strstr(e.msg, "services") != NULL, "message names services");
	tq_gen_opts_default(&o);
	o.batch = 0;
	T_EQ_INT(tq_gen_new(&o, &g, &e), TQ_EINVAL, "batch 0 refused");
	tq_gen_opts_default(&o);
	o.error_rate = 1.5;
	T_EQ_INT(tq_gen_new(&o, &g, &e), TQ_EINVAL, "error rate 1.5 refused");
	tq_gen_opts_default(&o);
	o.huge_trace = TQ_GEN_MAX_HUGE_TRACE + 1;
	T_EQ_INT(tq_gen_new(&o, &g, &e), TQ_EINVAL, "huge trace over limit");
	tq_gen_opts_default(&o);
	o.huge_attr = TQ_GEN_MAX_HUGE_ATTR + 1;
	T_EQ_INT(tq_gen_new(&o, &g, &e), TQ_EINVAL, "huge attr over limit");
	tq_gen_free(NULL);
	return t_done();
}
