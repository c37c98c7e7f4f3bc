/*
 * fuzz-traceql-eval.c: libFuzzer target for the TraceQL evaluator.  Every
 * input that compiles to a search query is run over a fixed set of
 * traces (tempo-gen's, whose spans have every attribute type, events,
 * links, errors and deep trees): it must finish with results or a clean
 * error (a regex over its match limit), never crash, leak or hang, and
 * give the same results twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "limits.h"
#include "search.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tq_arena traces_arena;
static struct tq_gen *gen;	/* owns the spans; lives as long as we do */
static struct tq_ql_batch batch;
static bool ready;

/* setup builds the batch once: 20 traces of tempo-gen's seed 1. */
static void
setup(void)
{
	struct tq_gen_opts o;
	Tq__TracesData *td, **parts;
	struct tq_err e;
	size_t n, invalid;

	tq_arena_init(&traces_arena, 1u << 30);
	tq_gen_opts_default(&o);
	o.traces = 20;
	o.batch = TQ_GEN_MAX_BATCH;
	o.error_rate = 0.3;
	if (tq_gen_new(&o, &gen, &e) != 0 ||
	    tq_gen_next(gen, &traces_arena, &td, &e) != 1 ||
	    tq_trace_split(td, &traces_arena, &parts, &n, &invalid, &e) != 0 ||
	    tq_search_otlp_batch(parts, n, &traces_arena, &batch, &e) != 0)
		abort();
	ready = true;
}

static int
run(const struct tq_ql_query *q, struct tq_buf *out)
{
	struct tq_search_query *sq = NULL;
	struct tq_search_result *r = NULL;
	struct tq_search_opts o;
	struct tq_arena a;
	struct tq_err e;
	int rc;

	tq_search_opts_init(&o);
	o.limit = 0;
	tq_arena_init(&a, 1u << 28);
	if ((rc = tq_search_query_new(q, &sq, &e)) == 0 &&
	    (rc = tq_search_result_new(&r, &e)) == 0 &&
	    (rc = tq_search_batch(sq, &batch, &a, &o, r, NULL, &e)) == 0) {
		tq_search_finish(r, &o);
		if (tq_search_json(r, out) != 0)
			abort();
	}
	tq_search_result_free(r);
	tq_search_query_free(sq);
	tq_arena_release(&a);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_ql_query *q = NULL;
	struct tq_buf a, b;
	struct tq_err e;
	int ra, rb;

	if (!ready)
		setup();
	if (tq_ql_compile((const char *)data, size, &q, &e) != 0 ||
	    q->result != TQ_QL_RESULT_SPANSETS) {
		tq_ql_free(q);
		return 0;
	}
	tq_buf_init(&a, 1u << 28);
	tq_buf_init(&b, 1u << 28);
	ra = run(q, &a);
	rb = run(q, &b);
	if (ra != rb || (ra != 0 && ra != TQ_ELIMIT))
		abort();
	if (a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0))
		abort();	/* the same results every time */
	tq_buf_release(&a);
	tq_buf_release(&b);
	tq_ql_free(q);
	return 0;
}
