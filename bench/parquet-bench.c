/*
 * parquet-bench.c: the C side of bench/parquet-decode.sh and
 * bench/parquet-write.sh (built by those scripts against build/libtempo.a).
 *
 *   parquet-bench gen FILE ROWS      write the decode benchmark's file
 *   parquet-bench decode FILE COL N [idx]
 *                                    best of N reads of column COL, all
 *                                    row groups, reusing the column's
 *                                    memory: "values bytes seconds"; with
 *                                    idx, dictionary indices are kept
 *   parquet-bench write ROWS N       best of N writes of a trace-like
 *                                    nested file with ZSTD level 3, from
 *                                    records and from column batches:
 *                                    "rows plain_bytes file_bytes
 *                                    seconds_records seconds_trusted
 *                                    seconds_batches"
 *
 * bytes in decode are the decoded payload: 8 per INT64, the string bytes
 * of BYTE_ARRAY values, 2 per level.  plain_bytes in write is the size of
 * the column data uncompressed and PLAIN encoded (values with their 4-byte
 * string lengths, and 2 bytes per level), the usual meaning of
 * "uncompressed column data".
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "parquet.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(const char *what, const struct tq_err *e)
{
	fprintf(stderr, "parquet-bench: %s: %s\n", what, e->msg);
	exit(1);
}

static int
file_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	if (fwrite(p, 1, len, arg) != len)
		return tq_err_sys(err, "write");
	return 0;
}

static const char *const services[] = { "frontend", "cart", "checkout",
    "payment", "shipping", "email", "currency", "recommendation", "ad",
    "quote", "product-catalog", "accounting", "fraud-detection", "kafka",
    "load-generator", "flagd", "image-provider", "otel-collector",
    "postgres", "redis", "valkey", "jaeger", "grafana", "prometheus",
    "opensearch", "envoy", "nginx", "auth", "users", "search", "orders",
    "inventory", "billing", "notifications", "reviews", "ratings",
    "gateway", "edge", "cdn", "metrics" };
#define NSERVICES (sizeof(services) / sizeof(services[0]))

/* gen: { ts INT64 delta; svc STRING dict; name STRING plain;
 *        l LIST<optional INT64> plain } */
static void
cmd_gen(const char *path, size_t rows)
{
	static const struct tq_parquet_node nodes[] = {
		{ .name = "schema", .num_children = 4 },
		{ .name = "ts", .type = TQ_PARQUET_INT64 },
		{ .name = "svc", .type = TQ_PARQUET_BYTE_ARRAY,
		    .logical = { .kind = TQ_PARQUET_LT_STRING } },
		{ .name = "name", .type = TQ_PARQUET_BYTE_ARRAY,
		    .logical = { .kind = TQ_PARQUET_LT_STRING } },
		{ .name = "l", .repetition = TQ_PARQUET_OPTIONAL,
		    .num_children = 1, .logical = { .kind = TQ_PARQUET_LT_LIST } },
		{ .name = "list", .repetition = TQ_PARQUET_REPEATED,
		    .num_children = 1 },
		{ .name = "element", .repetition = TQ_PARQUET_OPTIONAL,
		    .type = TQ_PARQUET_INT64 },
	};
	struct tq_parquet_column_opts delta = { TQ_PARQUET_DELTA_BINARY_PACKED,
	    false, -1 }, plain = { TQ_PARQUET_PLAIN, false, -1 };
	struct tq_parquet_schema *s;
	struct tq_parquet_writer *w;
	struct tq_parquet_datum rec, f[4], items[8], it[8];
	struct tq_err e;
	char name[64];
	int64_t ts = 1700000000000000000;
	size_t i, k, n;
	FILE *out;

	if (tq_parquet_schema_new(nodes, 7, &s, &e) != 0)
		fail("schema", &e);
	if ((out = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(1);
	}
	if (tq_parquet_writer_new(s, NULL, file_write, out, &w, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 0, &delta, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 2, &plain, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 3, &plain, &e) != 0)
		fail("writer", &e);
	for (i = 0; i < rows; i++) {
		memset(f, 0, sizeof(f));
		rec.kind = TQ_PARQUET_D_GROUP;
		rec.n = 4;
		rec.items = f;
		ts += (int64_t)(rnd() % 5000000);
		f[0].kind = TQ_PARQUET_D_VALUE;
		f[0].v.i64 = ts;
		f[1].kind = TQ_PARQUET_D_VALUE;
		f[1].v.bytes.ptr = (const uint8_t *)services[rnd() % NSERVICES];
		f[1].v.bytes.len = strlen((const char *)f[1].v.bytes.ptr);
		f[2].kind = TQ_PARQUET_D_VALUE;
		n = (size_t)snprintf(name, sizeof(name), "span-%016llx-op%u",
		    (unsigned long long)rnd(), (unsigned)(rnd() % 1000));
		f[2].v.bytes.ptr = (const uint8_t *)name;
		f[2].v.bytes.len = n;
		if (rnd() % 10 == 0)
			f[3].kind = TQ_PARQUET_D_NULL;
		else {
			f[3].kind = TQ_PARQUET_D_GROUP;
			f[3].n = 1;
			f[3].items = items;
			items[0].kind = TQ_PARQUET_D_REPEATED;
			items[0].n = rnd() % 8;
			items[0].items = it;
			for (k = 0; k < items[0].n; k++) {
				it[k].kind = TQ_PARQUET_D_GROUP;
				it[k].n = 1;
				it[k].items = &items[1 + k % 7];
				items[1 + k % 7].kind = rnd() % 8 == 0 ?
				    TQ_PARQUET_D_NULL : TQ_PARQUET_D_VALUE;
				items[1 + k % 7].v.i64 = (int64_t)(rnd() % 100000);
			}
		}
		if (tq_parquet_writer_write_record(w, &rec, &e) != 0)
			fail("record", &e);
	}
	if (tq_parquet_writer_close(w, &e) != 0)
		fail("close", &e);
	tq_parquet_writer_free(w);
	tq_parquet_schema_free(s);
	fclose(out);
}

static int
mem_read(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	(void)err;
	memcpy(dst, (const uint8_t *)arg + off, len);
	return 0;
}

static void
cmd_decode(const char *path, const char *colname, int iters, bool idx)
{
	struct tq_parquet_reader *r;
	struct tq_parquet_column c;
	struct tq_err e;
	struct stat st;
	double best = 1e30, t, elapsed;
	size_t values = 0, bytes = 0, rg, i;
	uint8_t *buf;
	int fd, col, it;
	int flags = TQ_PARQUET_READ_REUSE |
	    (idx ? TQ_PARQUET_READ_DICT_INDICES : 0);

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
		perror(path);
		exit(1);
	}
	buf = malloc((size_t)st.st_size);
	if (buf == NULL || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(1);
	}
	close(fd);
	if (tq_parquet_reader_open(mem_read, buf, (uint64_t)st.st_size, NULL, &r,
	    &e) != 0)
		fail(path, &e);
	if ((col = tq_parquet_schema_find(tq_parquet_reader_schema(r), colname))
	    < 0) {
		fprintf(stderr, "parquet-bench: no column %s\n", colname);
		exit(1);
	}
	memset(&c, 0, sizeof(c));
	for (it = 0; it < iters; it++) {
		values = bytes = 0;
		elapsed = 0;
		for (rg = 0; rg < tq_parquet_reader_num_row_groups(r); rg++) {
			t = now();
			if (tq_parquet_reader_read_column(r, rg, col, flags, &c,
			    &e) != 0)
				fail(colname, &e);
			elapsed += now() - t;
			/* Counting is not decoding: keep it off the clock. */
			values += c.n_values;
			bytes += (c.def ? 2 : 0) * c.n_levels +
			    (c.rep ? 2 : 0) * c.n_levels;
			if (c.type != TQ_PARQUET_BYTE_ARRAY)
				bytes += c.n_values * 8;
			else if (c.idx == NULL)
				bytes += c.data_len;
			else
				for (i = 0; i < c.n_values; i++)
					bytes += c.dict->off[c.idx[i] + 1] -
					    c.dict->off[c.idx[i]];
		}
		if (elapsed < best)
			best = elapsed;
	}
	tq_parquet_column_release(&c);
	printf("%zu %zu %.6f\n", values, bytes, best);
	tq_parquet_reader_free(r);
	free(buf);
}

/*
 * write: a trace-like nested file, one row per trace:
 *   trace_id FLBA(16), root STRING dict, start INT64 delta,
 *   spans LIST<{ span_id FLBA(8), parent FLBA(8), name STRING dict,
 *     svc STRING dict, start INT64 delta, dur INT64 delta, status INT32,
 *     attrs LIST<{ key STRING dict, value optional STRING dict,
 *                  num optional INT64 }> }>
 */
static const struct tq_parquet_node tnodes[] = {
	{ .name = "schema", .num_children = 4 },
	{ .name = "trace_id", .type = TQ_PARQUET_FIXED_LEN_BYTE_ARRAY,
	    .type_length = 16 },
	{ .name = "root", .type = TQ_PARQUET_BYTE_ARRAY,
	    .logical = { .kind = TQ_PARQUET_LT_STRING } },
	{ .name = "start", .type = TQ_PARQUET_INT64 },
	{ .name = "spans", .num_children = 1,
	    .logical = { .kind = TQ_PARQUET_LT_LIST } },
	{ .name = "list", .repetition = TQ_PARQUET_REPEATED, .num_children = 1 },
	{ .name = "element", .num_children = 8 },
	{ .name = "span_id", .type = TQ_PARQUET_FIXED_LEN_BYTE_ARRAY,
	    .type_length = 8 },
	{ .name = "parent", .type = TQ_PARQUET_FIXED_LEN_BYTE_ARRAY,
	    .type_length = 8 },
	{ .name = "name", .type = TQ_PARQUET_BYTE_ARRAY,
	    .logical = { .kind = TQ_PARQUET_LT_STRING } },
	{ .name = "svc", .type = TQ_PARQUET_BYTE_ARRAY,
	    .logical = { .kind = TQ_PARQUET_LT_STRING } },
	{ .name = "start", .type = TQ_PARQUET_INT64 },
	{ .name = "dur", .type = TQ_PARQUET_INT64 },
	{ .name = "status", .type = TQ_PARQUET_INT32 },
	{ .name = "attrs", .num_children = 1,
	    .logical = { .kind = TQ_PARQUET_LT_LIST } },
	{ .name = "list", .repetition = TQ_PARQUET_REPEATED, .num_children = 1 },
	{ .name = "element", .num_children = 3 },
	{ .name = "key", .type = TQ_PARQUET_BYTE_ARRAY,
	    .logical = { .kind = TQ_PARQUET_LT_STRING } },
	{ .name = "value", .repetition = TQ_PARQUET_OPTIONAL,
	    .type = TQ_PARQUET_BYTE_ARRAY,
	    .logical = { .kind = TQ_PARQUET_LT_STRING } },
	{ .name = "num", .repetition = TQ_PARQUET_OPTIONAL,
	    .type = TQ_PARQUET_INT64 },
};

static const char *const keys[] = { "http.method", "http.route",
    "http.status_code", "db.system", "net.peer.name", "rpc.service",
    "user.id", "thread.name" };
static const char *const routes[] = { "/api/cart", "/api/checkout",
    "/api/products/{id}", "/", "/health", "/api/users/{id}/orders" };

struct trace_data {
	struct tq_arena			 arena;
	struct tq_parquet_datum		*recs;
	size_t				 n;
	size_t				 plain;	/* PLAIN bytes of it all */
};

static struct tq_parquet_datum *
val(struct trace_data *t, size_t n)
{
	struct tq_parquet_datum *d = tq_arena_calloc(&t->arena, n ? n : 1,
	    sizeof(*d));

	if (d == NULL) {
		fprintf(stderr, "parquet-bench: out of memory\n");
		exit(1);
	}
	return d;
}

static void
set_bytes(struct trace_data *t, struct tq_parquet_datum *d, const void *p,
    size_t len, int levels)
{
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.bytes.ptr = p;
	d->v.bytes.len = len;
	t->plain += 4 + len + 2 * (size_t)levels;
}

static void
set_fixed(struct trace_data *t, struct tq_parquet_datum *d, size_t len,
    int levels)
{
	uint8_t *p = tq_arena_alloc(&t->arena, len);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd();
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.bytes.ptr = p;
	d->v.bytes.len = len;
	t->plain += len + 2 * (size_t)levels;
}

static void
set_int(struct trace_data *t, struct tq_parquet_datum *d, int64_t v,
    size_t size, int levels)
{
	d->kind = TQ_PARQUET_D_VALUE;
	d->v.i64 = v;
	if (size == 4)
		d->v.i32 = (int32_t)v;
	t->plain += size + 2 * (size_t)levels;
}

static void
make_traces(struct trace_data *t, size_t rows)
{
	int64_t start = 1700000000000000000;
	size_t i, s, a, nspans, nattrs;

	tq_arena_init(&t->arena, (size_t)8 << 30);
	t->recs = val(t, rows);
	t->n = rows;
	t->plain = 0;
	for (i = 0; i < rows; i++) {
		struct tq_parquet_datum *r = &t->recs[i], *f, *sp, *list;
		const char *root;

		start += (int64_t)(rnd() % 100000000);
		r->kind = TQ_PARQUET_D_GROUP;
		r->n = 4;
		r->items = f = val(t, 4);
		set_fixed(t, &f[0], 16, 0);
		root = services[rnd() % NSERVICES];
		set_bytes(t, &f[1], root, strlen(root), 0);
		set_int(t, &f[2], start, 8, 0);
		nspans = 1 + rnd() % 30;
		f[3].kind = TQ_PARQUET_D_GROUP;
		f[3].n = 1;
		f[3].items = list = val(t, 1);
		list->kind = TQ_PARQUET_D_REPEATED;
		list->n = nspans;
		list->items = val(t, nspans);
		for (s = 0; s < nspans; s++) {
			struct tq_parquet_datum *el = &list->items[s], *al;
			const char *svc = services[rnd() % NSERVICES];
			const char *route = routes[rnd() % 6];

			el->kind = TQ_PARQUET_D_GROUP;
			el->n = 1;
			el->items = sp = val(t, 1);
			sp->kind = TQ_PARQUET_D_GROUP;
			sp->n = 8;
			sp->items = f = val(t, 8);
			set_fixed(t, &f[0], 8, 2);
			set_fixed(t, &f[1], 8, 2);
			set_bytes(t, &f[2], route, strlen(route), 2);
			set_bytes(t, &f[3], svc, strlen(svc), 2);
			set_int(t, &f[4], start + (int64_t)(rnd() % 1000000), 8, 2);
			set_int(t, &f[5], (int64_t)(rnd() % 50000000), 8, 2);
			set_int(t, &f[6], (int64_t)(rnd() % 3), 4, 2);
			nattrs = rnd() % 6;
			f[7].kind = TQ_PARQUET_D_GROUP;
			f[7].n = 1;
			f[7].items = al = val(t, 1);
			al->kind = TQ_PARQUET_D_REPEATED;
			al->n = nattrs;
			al->items = val(t, nattrs);
			if (nattrs == 0)
				t->plain += 3 * 4;
			for (a = 0; a < nattrs; a++) {
				struct tq_parquet_datum *ae = &al->items[a], *kv;
				const char *k = keys[rnd() % 8];

				ae->kind = TQ_PARQUET_D_GROUP;
				ae->n = 1;
				ae->items = val(t, 1);
				ae->items->kind = TQ_PARQUET_D_GROUP;
				ae->items->n = 3;
				ae->items->items = kv = val(t, 3);
				set_bytes(t, &kv[0], k, strlen(k), 4);
				if (rnd() % 2) {
					set_bytes(t, &kv[1], route, strlen(route),
					    4);
					kv[2].kind = TQ_PARQUET_D_NULL;
					t->plain += 4;
				} else {
					kv[1].kind = TQ_PARQUET_D_NULL;
					t->plain += 4;
					set_int(t, &kv[2], (int64_t)(rnd() % 600),
					    8, 4);
				}
			}
		}
	}
}

static int
buf_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	(void)err;
	return tq_buf_append(arg, p, len);
}

static int
count_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	(void)p;
	(void)err;
	*(size_t *)arg += len;
	return 0;
}

static void
set_columns(struct tq_parquet_writer *w)
{
	struct tq_parquet_column_opts delta = { TQ_PARQUET_DELTA_BINARY_PACKED,
	    false, -1 }, plain = { TQ_PARQUET_PLAIN, false, -1 };
	struct tq_err e;

	/* Times delta-encoded; IDs plain, as Tempo does; the rest default. */
	if (tq_parquet_writer_set_column(w, 2, &delta, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 7, &delta, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 8, &delta, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 0, &plain, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 3, &plain, &e) != 0 ||
	    tq_parquet_writer_set_column(w, 4, &plain, &e) != 0)
		fail("writer", &e);
}

/*
 * write: records through the shredder, then the same data as column
 * batches with levels (read back from the first file), each timed alone.
 */
static void
cmd_write(size_t rows, int iters)
{
	struct tq_parquet_schema *s;
	struct tq_parquet_writer *w;
	struct tq_parquet_reader *r;
	struct tq_parquet_column *cols;
	struct trace_data t;
	struct tq_buf file;
	struct tq_err e;
	double best = 1e30, best_t = 1e30, best_b = 1e30, dt;
	size_t i, c, out = 0, out_b = 0;
	int it;

	make_traces(&t, rows);
	if (tq_parquet_schema_new(tnodes, sizeof(tnodes) / sizeof(tnodes[0]),
	    &s, &e) != 0)
		fail("schema", &e);
	for (it = 0; it < 2 * iters; it++) {
		/* Even runs check each record first, odd ones trust them. */
		struct tq_parquet_write_opts o = { .codec = TQ_PARQUET_ZSTD,
		    .trusted_records = it % 2 };

		out = 0;
		dt = now();
		if (tq_parquet_writer_new(s, &o, count_write, &out, &w, &e) != 0)
			fail("writer", &e);
		set_columns(w);
		for (i = 0; i < t.n; i++)
			if (tq_parquet_writer_write_record(w, &t.recs[i], &e) != 0)
				fail("record", &e);
		if (tq_parquet_writer_close(w, &e) != 0)
			fail("close", &e);
		tq_parquet_writer_free(w);
		dt = now() - dt;
		if (it % 2 == 0 && dt < best)
			best = dt;
		if (it % 2 == 1 && dt < best_t)
			best_t = dt;
	}

	/* The same rows as shredded columns: write a file, read it back. */
	tq_buf_init(&file, (size_t)4 << 30);
	if (tq_parquet_writer_new(s, NULL, buf_write, &file, &w, &e) != 0)
		fail("writer", &e);
	set_columns(w);
	for (i = 0; i < t.n; i++)
		if (tq_parquet_writer_write_record(w, &t.recs[i], &e) != 0)
			fail("record", &e);
	if (tq_parquet_writer_close(w, &e) != 0)
		fail("close", &e);
	tq_parquet_writer_free(w);
	tq_arena_release(&t.arena);
	if (tq_parquet_reader_open(mem_read, file.data, file.len, NULL, &r,
	    &e) != 0)
		fail("reread", &e);
	cols = calloc(s->n_columns, sizeof(*cols));
	for (c = 0; c < s->n_columns; c++)
		if (tq_parquet_reader_read_column(r, 0, (int)c, 0, &cols[c], &e)
		    != 0)
			fail("reread", &e);
	for (it = 0; it < iters; it++) {
		out_b = 0;
		dt = now();
		if (tq_parquet_writer_new(s, NULL, count_write, &out_b, &w, &e)
		    != 0)
			fail("writer", &e);
		set_columns(w);
		for (c = 0; c < s->n_columns; c++) {
			struct tq_parquet_batch b = {
				.n_levels = cols[c].n_levels, .def = cols[c].def,
				.rep = cols[c].rep, .n_values = cols[c].n_values,
				.b = cols[c].b, .i32 = cols[c].i32,
				.i64 = cols[c].i64, .f32 = cols[c].f32,
				.f64 = cols[c].f64, .off = cols[c].off,
				.data = cols[c].data };

			if (tq_parquet_writer_write(w, (int)c, &b, &e) != 0)
				fail("batch", &e);
		}
		if (tq_parquet_writer_end_rows(w, t.n, &e) != 0 ||
		    tq_parquet_writer_close(w, &e) != 0)
			fail("close", &e);
		tq_parquet_writer_free(w);
		dt = now() - dt;
		if (dt < best_b)
			best_b = dt;
	}
	printf("%zu %zu %zu %.6f %.6f %.6f\n", rows, t.plain, out, best, best_t,
	    best_b);
	for (c = 0; c < s->n_columns; c++)
		tq_parquet_column_release(&cols[c]);
	free(cols);
	tq_parquet_reader_free(r);
	tq_buf_release(&file);
	tq_parquet_schema_free(s);
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		cmd_gen(argv[2], strtoul(argv[3], NULL, 10));
	else if ((argc == 5 || argc == 6) && strcmp(argv[1], "decode") == 0)
		cmd_decode(argv[2], argv[3], atoi(argv[4]), argc == 6);
	else if (argc == 4 && strcmp(argv[1], "write") == 0)
		cmd_write(strtoul(argv[2], NULL, 10), atoi(argv[3]));
	else {
		fprintf(stderr, "usage: parquet-bench gen FILE ROWS | decode FILE "
		    "COL N | write ROWS N\n");
		return 2;
	}
	return 0;
}
