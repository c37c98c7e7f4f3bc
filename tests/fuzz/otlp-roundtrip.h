/*
 * otlp-roundtrip.h: the check the JSON fuzz targets share.  A decoded
 * model must encode as OTLP/JSON, decode back to a model that encodes to
 * the same text, and its protobuf encoding must pass the protobuf check
 * with the same span count.  Aborts (a fuzzer finding) otherwise.
 */
#ifndef TQ_OTLP_ROUNDTRIP_H
#define TQ_OTLP_ROUNDTRIP_H

#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "otlp.h"

static void
otlp_round_trip(const Tq__TracesData *td, struct tq_arena *a)
{
	struct tq_buf j1, j2, pb;
	struct tq_err e;
	Tq__TracesData *td2;
	size_t nspans;

	tq_buf_init(&j1, TQ_MAX_RECORD);
	tq_buf_init(&j2, TQ_MAX_RECORD);
	tq_buf_init(&pb, TQ_MAX_RECORD);
	if (tq_otlp_json_encode(td, &j1, &e) != 0 ||
	    tq_otlp_json_decode((const char *)j1.data, j1.len, a, &td2,
	    &e) != 0 ||
	    tq_otlp_json_encode(td2, &j2, &e) != 0 ||
	    j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0)
		abort();
	if (tq_otlp_pb_encode(td, &pb, &e) != 0 ||
	    tq_otlp_pb_check(pb.data, pb.len, &nspans, &e) != 0 ||
	    nspans != tq_otlp_span_count(td))
		abort();
	tq_buf_release(&j1);
	tq_buf_release(&j2);
	tq_buf_release(&pb);
}

#endif
