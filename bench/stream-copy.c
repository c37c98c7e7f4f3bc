/*
 * stream-copy.c: the benchmark's stand-in for "tempo-recv FILE -o /dev/null"
 * until tempo-recv reads files.  It reads a span stream and writes every
 * record to /dev/null as a proto stream, either decoding each record
 * (tq_stream_reader_next, tq_stream_writer_write) or passing the checked
 * protobuf through (tq_stream_reader_next_pb, tq_stream_writer_write_pb).
 *
 *	stream-copy decode|pass FILE
 *
 * prints "records R spans S cpu SECONDS wall SECONDS" (spans are counted
 * in decode mode only) and exits 0, or 1 after a message.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "stream.h"

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct tq_stream_reader *r = NULL;
	struct tq_stream_writer *w = NULL;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;
	const uint8_t *pb;
	size_t len;
	unsigned long long records = 0, spans = 0;
	double cpu0, wall0;
	int in, out, rc, decode, status = 1;

	if (argc != 3 || (strcmp(argv[1], "decode") != 0 &&
	    strcmp(argv[1], "pass") != 0))
		errx(2, "usage: stream-copy decode|pass file");
	decode = strcmp(argv[1], "decode") == 0;
	if ((in = open(argv[2], O_RDONLY)) == -1)
		err(1, "%s", argv[2]);
	if ((out = open("/dev/null", O_WRONLY)) == -1)
		err(1, "/dev/null");
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	wall0 = clock_s(CLOCK_MONOTONIC);
	if (tq_stream_reader_new(in, argv[2], &r, &e) != 0 ||
	    tq_stream_writer_new(out, TQ_STREAM_PROTO, 0, &w, &e) != 0) {
		warnx("%s", e.msg);
		goto out;
	}
	for (;;) {
		if (decode) {
			tq_arena_reset(&a);
			rc = tq_stream_reader_next(r, &a, &td, &e);
			if (rc == 1) {
				spans += tq_otlp_span_count(td);
				rc = tq_stream_writer_write(w, td, &e) == 0 ?
				    1 : -1;
			}
		} else {
			rc = tq_stream_reader_next_pb(r, &pb, &len, &e);
			if (rc == 1)
				rc = tq_stream_writer_write_pb(w, pb, len,
				    &e) == 0 ? 1 : -1;
		}
		if (rc == 0)
			break;
		if (rc < 0) {
			warnx("%s", e.msg);
			goto out;
		}
		records++;
	}
	if (tq_stream_writer_close(w, &e) != 0) {
		warnx("/dev/null: %s", e.msg);
		goto out;
	}
	printf("records %llu spans %llu cpu %.3f wall %.3f\n", records, spans,
	    clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
	    clock_s(CLOCK_MONOTONIC) - wall0);
	status = 0;
out:
	tq_stream_writer_free(w);
	tq_stream_reader_free(r);
	tq_arena_release(&a);
	close(in);
	close(out);
	return status;
}
