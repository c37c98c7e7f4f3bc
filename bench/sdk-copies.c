/*
 * sdk-copies.c: an OpenTelemetry-SDK-shaped workload for bench/pack.sh,
 * made from the real-client captures.  Each capture (an OTLP/HTTP
 * protobuf body) is written COPIES times as a proto span stream record;
 * in each copy every trace and span ID (parents and links too) is
 * replaced by a fresh pseudo-random one derived from the copy number and
 * the old ID, and the times move on by a second per copy, so the copies
 * are distinct traces that look like what the SDK sent.
 *
 *	sdk-copies COPIES FILE... >out.pb
 *
 * Exit status 0, or 1 after a message.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "hash.h"
#include "limits.h"
#include "otlp.h"

/* fresh replaces the ID b by a pseudo-random one of copy c. */
static void
fresh(ProtobufCBinaryData *b, uint32_t c)
{
	uint64_t h[2];

	if (b->len == 0 || b->len > 16)
		return;
	tq_hash_murmur3_128(b->data, b->len, c + 1, h);
	memcpy(b->data, h, b->len);
}

static void
remap(Tq__TracesData *td, uint32_t c)
{
	uint64_t shift = (uint64_t)c * 1000000000u;
	size_t i, j, k, e;

	for (i = 0; i < td->n_resource_spans; i++)
		for (j = 0; j < td->resource_spans[i]->n_scope_spans; j++) {
			Tq__ScopeSpans *ss = td->resource_spans[i]->scope_spans[j];

			for (k = 0; k < ss->n_spans; k++) {
				Tq__Span *s = ss->spans[k];

				fresh(&s->trace_id, c);
				fresh(&s->span_id, c);
				fresh(&s->parent_span_id, c);
				s->start_time_unix_nano += shift;
				s->end_time_unix_nano += shift;
				for (e = 0; e < s->n_events; e++)
					s->events[e]->time_unix_nano += shift;
				for (e = 0; e < s->n_links; e++) {
					fresh(&s->links[e]->trace_id, c);
					fresh(&s->links[e]->span_id, c);
				}
			}
		}
}

int
main(int argc, char *argv[])
{
	struct tq_arena a;
	struct tq_buf in, out;
	struct tq_err e;
	Tq__TracesData *td;
	unsigned long copies;
	uint32_t c;
	int i;

	if (argc < 3 || (copies = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: sdk-copies COPIES FILE...\n");
		return 2;
	}
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&in, TQ_MAX_RECORD);
	tq_buf_init(&out, TQ_MAX_RECORD + 4);
	for (c = 0; c < copies; c++)
		for (i = 2; i < argc; i++) {
			char chunk[65536];
			ssize_t n;
			uint32_t len;
			int fd;

			if ((fd = open(argv[i], O_RDONLY)) == -1)
				err(1, "%s", argv[i]);
			tq_buf_reset(&in);
			while ((n = read(fd, chunk, sizeof(chunk))) > 0)
				if (tq_buf_append(&in, chunk, (size_t)n) != 0)
					errx(1, "%s: too large", argv[i]);
			close(fd);
			tq_arena_reset(&a);
			if (tq_otlp_pb_decode(in.data, in.len, &a, &td, &e) != 0)
				errx(1, "%s: %s", argv[i], e.msg);
			remap(td, c);
			tq_buf_reset(&out);
			tq_buf_append(&out, "\0\0\0\0", 4);
			if (tq_otlp_pb_encode(td, &out, &e) != 0)
				errx(1, "%s: %s", argv[i], e.msg);
			len = (uint32_t)(out.len - 4);
			out.data[0] = (uint8_t)(len >> 24);
			out.data[1] = (uint8_t)(len >> 16);
			out.data[2] = (uint8_t)(len >> 8);
			out.data[3] = (uint8_t)len;
			if (fwrite(out.data, 1, out.len, stdout) != out.len)
				err(1, "stdout");
		}
	tq_arena_release(&a);
	tq_buf_release(&in);
	tq_buf_release(&out);
	return fflush(stdout) != 0 ? 1 : 0;
}
