/*
 * otlp-json.c: throughput of the OTLP/JSON decoder and encoder (and of the
 * Zipkin decoder) on the files given, run by bench/otlp-json.sh.
 *
 *	otlp-json [-s seconds] [-z zipkin.json]... file.json...
 *
 * Each phase repeats over all files for about the given time (default 1 s)
 * and prints spans/s and MB/s of JSON text (read for decoding, written for
 * encoding).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "limits.h"
#include "otlp.h"

struct input {
	char	*data;
	size_t	 len;
	size_t	 spans;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
load(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (in->data = malloc((size_t)n)) == NULL ||
	    fread(in->data, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	in->len = (size_t)n;
	return 0;
}

typedef int	decoder(const char *, size_t, struct tq_arena *,
		    Tq__TracesData **, struct tq_err *);

/* run_decode decodes every input over and over for secs seconds. */
static int
run_decode(const char *what, decoder *dec, struct input *in, int n,
    double secs)
{
	struct tq_arena a;
	struct tq_err err;
	Tq__TracesData *td;
	double t0 = now(), t;
	size_t bytes = 0, spans = 0;
	int i;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	do {
		for (i = 0; i < n; i++) {
			if (dec(in[i].data, in[i].len, &a, &td, &err) != 0) {
				fprintf(stderr, "otlp-json: %s\n", err.msg);
				return -1;
			}
			in[i].spans = tq_otlp_span_count(td);
			bytes += in[i].len;
			spans += in[i].spans;
			tq_arena_reset(&a);
		}
	} while ((t = now() - t0) < secs);
	printf("%-14s %10.0f spans/s %8.1f MB/s\n", what, spans / t,
	    bytes / t / 1e6);
	tq_arena_release(&a);
	return 0;
}

/* run_encode encodes the decoded inputs over and over. */
static int
run_encode(struct input *in, int n, double secs)
{
	struct tq_arena a;
	struct tq_buf b;
	struct tq_err err;
	Tq__TracesData **td;
	double t0, t;
	size_t bytes = 0, spans = 0;
	int i;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&b, TQ_MAX_RECORD);
	td = calloc((size_t)n, sizeof(*td));
	for (i = 0; i < n; i++)
		if (tq_otlp_json_decode(in[i].data, in[i].len, &a, &td[i],
		    &err) != 0)
			return -1;
	t0 = now();
	do {
		for (i = 0; i < n; i++) {
			tq_buf_reset(&b);
			if (tq_otlp_json_encode(td[i], &b, &err) != 0) {
				fprintf(stderr, "otlp-json: %s\n", err.msg);
				return -1;
			}
			bytes += b.len;
			spans += in[i].spans;
		}
	} while ((t = now() - t0) < secs);
	printf("%-14s %10.0f spans/s %8.1f MB/s\n", "json encode", spans / t,
	    bytes / t / 1e6);
	free(td);
	tq_buf_release(&b);
	tq_arena_release(&a);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct input *in, *zin;
	double secs = 1;
	int ch, n = 0, nz = 0;

	in = calloc((size_t)argc, sizeof(*in));
	zin = calloc((size_t)argc, sizeof(*zin));
	while ((ch = getopt(argc, argv, "s:z:")) != -1) {
		switch (ch) {
		case 's':
			secs = atof(optarg);
			break;
		case 'z':
			if (load(optarg, &zin[nz++]) != 0)
				return 1;
			break;
		default:
			fprintf(stderr, "usage: otlp-json [-s seconds] "
			    "[-z zipkin.json]... file.json...\n");
			return 2;
		}
	}
	for (; optind < argc; optind++)
		if (load(argv[optind], &in[n++]) != 0)
			return 1;
	if (n > 0 && (run_decode("json decode", tq_otlp_json_decode, in, n,
	    secs) != 0 || run_encode(in, n, secs) != 0))
		return 1;
	if (nz > 0 && run_decode("zipkin decode", tq_zipkin_json_decode, zin,
	    nz, secs) != 0)
		return 1;
	return 0;
}
