/*
 * fuzz-stream.c: libFuzzer target for the span stream reader: format
 * detection, zstd and gzip framing, record framing, JSON value scanning and
 * every decoder behind it, with --skip-bad style resyncing.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "limits.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct tq_stream_reader *r;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;
	int rc, steps = 0;

	if (fd == -1 && (fd = memfd_create("fuzz-stream", 0)) == -1)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (tq_stream_reader_new(fd, "fuzz", &r, &e) != 0)
		abort();
	/* Skip bad records as --skip-bad does, until the end or a fatal error. */
	while ((rc = tq_stream_reader_next(r, &a, &td, &e)) != 0 && steps++ < 10000) {
		if (rc < 0 && tq_stream_reader_fatal(r))
			break;
		tq_arena_reset(&a);
	}
	tq_stream_reader_free(r);
	tq_arena_release(&a);
	return 0;
}
