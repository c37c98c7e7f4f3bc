/*
 * fuzz-otlp-pb.c: libFuzzer target for the protobuf walker and decoder.
 * Whatever the walker accepts must decode (or be refused as corrupt, for
 * the few encodings protobuf-c does not take), and re-encode to bytes that
 * decode to the same encoding again.
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
	struct tq_buf b1, b2;
	struct tq_err e;
	Tq__TracesData *td, *td2;
	size_t nspans;

	if (tq_otlp_pb_check(data, size, &nspans, &e) != 0)
		return 0;
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&b1, TQ_MAX_RECORD);
	tq_buf_init(&b2, TQ_MAX_RECORD);
	if (tq_otlp_pb_decode(data, size, &a, &td, &e) != 0) {
		if (e.code != TQ_ECORRUPT)
			abort();	/* checked input must decode */
		goto out;
	}
	if (tq_otlp_span_count(td) != nspans)
		abort();
	if (tq_otlp_pb_encode(td, &b1, &e) != 0 ||
	    tq_otlp_pb_decode(b1.data, b1.len, &a, &td2, &e) != 0 ||
	    tq_otlp_pb_encode(td2, &b2, &e) != 0 || b1.len != b2.len ||
	    (b1.len > 0 && memcmp(b1.data, b2.data, b1.len) != 0))
		abort();
out:
	tq_buf_release(&b1);
	tq_buf_release(&b2);
	tq_arena_release(&a);
	return 0;
}
