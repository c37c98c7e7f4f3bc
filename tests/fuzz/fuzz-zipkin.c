/*
 * fuzz-zipkin.c: libFuzzer target for the Zipkin v2 JSON decoder.
 * Whatever decodes must survive OTLP/JSON encode, decode and encode again
 * unchanged, and its protobuf encoding must pass the protobuf walker.
 */
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "otlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_arena a;
	struct tq_buf j1, j2, pb;
	struct tq_err e;
	Tq__TracesData *td, *td2;
	size_t nspans;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&j1, TQ_MAX_RECORD);
	tq_buf_init(&j2, TQ_MAX_RECORD);
	tq_buf_init(&pb, TQ_MAX_RECORD);
	if (tq_zipkin_json_decode((const char *)data, size, &a, &td, &e) == 0) {
		if (tq_otlp_json_encode(td, &j1, &e) != 0 ||
		    tq_otlp_json_decode((const char *)j1.data, j1.len, &a, &td2,
		    &e) != 0 ||
		    tq_otlp_json_encode(td2, &j2, &e) != 0 ||
		    j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0)
			abort();
		if (tq_otlp_pb_encode(td, &pb, &e) != 0 ||
		    tq_otlp_pb_check(pb.data, pb.len, &nspans, &e) != 0 ||
		    nspans != tq_otlp_span_count(td))
			abort();
	}
	tq_buf_release(&j1);
	tq_buf_release(&j2);
	tq_buf_release(&pb);
	tq_arena_release(&a);
	return 0;
}
