/*
 * tq-mkblock: writes one block from span stream files, for the tests and
 * benchmarks (tempo-pack does this for real, with a WAL and cut rules).
 *
 *	tq-mkblock [-d span:KEY|resource:KEY]... [-r bytes] [-t tenant]
 *	    STORE [FILE...]
 *
 * Every record of every FILE (stdin without one) is read with the stream
 * reader and split by trace ID; the parts of each trace are combined
 * (tq_trace_combine), the traces sorted by ID and written as one block of
 * tenant (default single-tenant) to STORE with row groups of about -r
 * bytes (default the library's) and the -d dedicated columns.  The block
 * ID goes to stdout.  Exit status 0, 1 after a message, 2 on usage errors.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "block.h"
#include "limits.h"
#include "store.h"
#include "stream.h"
#include "trace.h"

struct part {
	const uint8_t	*id;
	size_t		 seq;
	Tq__TracesData	*td;
};

static struct part	*parts;
static size_t		 n_parts, cap_parts;

static void
usage(void)
{
	fprintf(stderr, "usage: tq-mkblock [-d span:KEY|resource:KEY]... "
	    "[-r bytes] [-t tenant] STORE [FILE...]\n");
	exit(2);
}

static int
cmp_part(const void *x, const void *y)
{
	const struct part *a = x, *b = y;
	int c = memcmp(a->id, b->id, TQ_TRACE_ID_LEN);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* read_file adds the trace parts of every record of fd to parts. */
static int
read_file(int fd, const char *name, struct tq_arena *a)
{
	struct tq_stream_reader *r;
	Tq__TracesData *td, **groups;
	struct tq_err e;
	size_t ng, i;
	int rc;

	if (tq_stream_reader_new(fd, name, &r, &e) != 0)
		errx(1, "%s: %s", name, e.msg);
	while ((rc = tq_stream_reader_next(r, a, &td, &e)) == 1) {
		if (tq_trace_split(td, a, &groups, &ng, NULL, &e) != 0)
			errx(1, "%s: %s", name, e.msg);
		for (i = 0; i < ng; i++) {
			if (n_parts == cap_parts) {
				cap_parts = cap_parts ? 2 * cap_parts : 1024;
				parts = realloc(parts, cap_parts * sizeof(*parts));
				if (parts == NULL)
					err(1, "realloc");
			}
			parts[n_parts].id = groups[i]->resource_spans[0]->
			    scope_spans[0]->spans[0]->trace_id.data;
			parts[n_parts].seq = n_parts;
			parts[n_parts].td = groups[i];
			n_parts++;
		}
	}
	tq_stream_reader_free(r);
	if (rc < 0) {
		warnx("%s", e.msg);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct tq_block_dedicated ded[TQ_BLOCK_MAX_META_DED];
	struct tq_block_writer *w = NULL;
	struct tq_block_opts o;
	struct tq_block_meta meta;
	struct tq_store *st = NULL;
	struct tq_arena a, comb;
	struct tq_err e;
	const char *tenant = "single-tenant";
	size_t n_ded = 0, i, j, n_traces = 0;
	char *end;
	int ch, fd, status = 0;

	tq_block_opts_init(&o);
	while ((ch = getopt(argc, argv, "d:r:t:")) != -1) {
		switch (ch) {
		case 'd':
			if (n_ded == TQ_BLOCK_MAX_META_DED)
				usage();
			if (strncmp(optarg, "span:", 5) == 0) {
				ded[n_ded].scope = TQ_BLOCK_SCOPE_SPAN;
				ded[n_ded++].name = optarg + 5;
			} else if (strncmp(optarg, "resource:", 9) == 0) {
				ded[n_ded].scope = TQ_BLOCK_SCOPE_RESOURCE;
				ded[n_ded++].name = optarg + 9;
			} else
				usage();
			break;
		case 'r':
			o.row_group_bytes = strtoull(optarg, &end, 10);
			if (*end != '\0' || o.row_group_bytes == 0)
				usage();
			break;
		case 't':
			tenant = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	o.dedicated = ded;
	o.n_dedicated = n_ded;
	tq_arena_init(&a, (size_t)16 << 30);
	tq_arena_init(&comb, TQ_MAX_DECODE_ARENA);
	if (tq_store_open(argv[0], NULL, &st, &e) != 0)
		errx(1, "%s: %s", argv[0], e.msg);
	if (argc == 1)
		status |= read_file(STDIN_FILENO, "stdin", &a);
	for (i = 1; i < (size_t)argc; i++) {
		if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC)) == -1)
			err(1, "%s", argv[i]);
		status |= read_file(fd, argv[i], &a);
		close(fd);
	}
	if (status != 0)
		return 1;
	qsort(parts, n_parts, sizeof(*parts), cmp_part);
	for (i = 0; i < n_parts; i = j) {
		for (j = i + 1; j < n_parts &&
		    memcmp(parts[i].id, parts[j].id, TQ_TRACE_ID_LEN) == 0; j++)
			;
		n_traces++;
	}
	if (tq_block_writer_new(st, tenant, &o, n_traces, &w, &e) != 0)
		errx(1, "%s", e.msg);
	for (i = 0; i < n_parts; i = j) {
		Tq__TracesData *one[64], **many = one, *td;
		size_t k;

		for (j = i + 1; j < n_parts &&
		    memcmp(parts[i].id, parts[j].id, TQ_TRACE_ID_LEN) == 0; j++)
			;
		if (j - i > 64 && (many = calloc(j - i, sizeof(*many))) == NULL)
			err(1, "calloc");
		for (k = i; k < j; k++)
			many[k - i] = parts[k].td;
		tq_arena_reset(&comb);
		if (tq_trace_combine(many, j - i, &comb, &td, NULL, &e) != 0 ||
		    tq_block_writer_add(w, td, 0, &e) != 0)
			errx(1, "%s", e.msg);
		if (many != one)
			free(many);
	}
	if (tq_block_writer_finish(w, &meta, &e) != 0)
		errx(1, "%s", e.msg);
	printf("%s\n", meta.block_id);
	tq_block_writer_free(w);
	tq_store_free(st);
	tq_arena_release(&comb);
	tq_arena_release(&a);
	free(parts);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
