/*
 * fuzz-zipkin.c: libFuzzer target for the Zipkin v2 JSON decoder:
 * whatever decodes must pass otlp_round_trip.
 */
#include "otlp-roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (tq_zipkin_json_decode((const char *)data, size, &a, &td, &e) == 0)
		otlp_round_trip(td, &a);
	tq_arena_release(&a);
	return 0;
}
