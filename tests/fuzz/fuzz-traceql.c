/*
 * fuzz-traceql.c: libFuzzer target for the TraceQL front end.  Any input
 * must parse or fail cleanly (no crash, no leak, nesting bounded); a
 * query that parses must print to text that parses to the same tree
 * (equal dumps) and prints the same again, and validation must give the
 * same verdict on both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "traceql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_ql_query *a = NULL, *b = NULL;
	struct tq_buf pa, pb, da, db;
	struct tq_err e;

	tq_buf_init(&pa, 1u << 28);
	tq_buf_init(&pb, 1u << 28);
	tq_buf_init(&da, 1u << 28);
	tq_buf_init(&db, 1u << 28);
	if (tq_ql_parse((const char *)data, size, &a, &e) != 0)
		goto out;
	if (tq_ql_print(a, &pa, &e) != 0 || tq_ql_dump(a, &da, &e) != 0)
		abort();
	if (tq_ql_parse((const char *)pa.data, pa.len, &b, &e) != 0)
		abort();	/* printed text must parse */
	if (tq_ql_print(b, &pb, &e) != 0 || tq_ql_dump(b, &db, &e) != 0)
		abort();
	if (pa.len != pb.len || memcmp(pa.data, pb.data, pa.len) != 0)
		abort();	/* printing is stable */
	if (da.len != db.len || memcmp(da.data, db.data, da.len) != 0)
		abort();	/* same tree */
	if (tq_ql_validate(a, &e) != tq_ql_validate(b, &e))
		abort();
out:
	tq_ql_free(a);
	tq_ql_free(b);
	tq_buf_release(&pa);
	tq_buf_release(&pb);
	tq_buf_release(&da);
	tq_buf_release(&db);
	return 0;
}
