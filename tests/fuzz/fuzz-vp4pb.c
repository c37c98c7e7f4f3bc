/*
 * fuzz-vp4pb.c: libFuzzer target for reading and shredding a trace
 * straight from protobuf (tq_vp4_trace_parse, tq_vp4_rows_add_trace).
 * Any input is read or refused, never read past; what the protobuf walker
 * accepts must parse (or have no spans), and shredding then succeeds or
 * fails cleanly, leaving the rows failed.
 */
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tq_vp4 *m;
	struct tq_vp4_rows *rows = NULL;
	struct tq_vp4_trace t;
	struct tq_arena a;
	struct tq_err e;
	bool checked;
	int rc;

	if (m == NULL) {
		static const struct tq_block_dedicated ded[] = {
			{ TQ_BLOCK_SCOPE_SPAN, "a" },
			{ TQ_BLOCK_SCOPE_RESOURCE, "b" },
		};

		if (tq_vp4_new(ded, 2, &m, &e) != 0)
			abort();
	}
	checked = tq_otlp_pb_check(data, size, NULL, &e) == 0;
	tq_arena_init(&a, 64u * 1024 * 1024);
	rc = tq_vp4_trace_parse(data, size, &a, &t, &e);
	if (rc != 0) {
		if (checked && rc != TQ_EINVAL && rc != TQ_ENOMEM)
			abort();	/* checked input must parse */
		goto out;
	}
	if (t.n_spans == 0 || tq_vp4_rows_new(m, &rows, &e) != 0)
		abort();
	if (tq_vp4_rows_add_trace(rows, &t, &e) != 0 &&
	    tq_vp4_rows_add_trace(rows, &t, &e) == 0)
		abort();	/* a failed row fails the rows */
out:
	tq_vp4_rows_free(rows);
	tq_arena_release(&a);
	return 0;
}
