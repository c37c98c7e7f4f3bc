/*
 * test-block.c: the vParquet4 mapping keeps every span field that the
 * schema has a column for, through our Parquet writer and reader: real
 * client traces go in, are read back by column name, and compare equal
 * span by span (attributes in any order).  Span flags and schema URLs have
 * no vParquet4 column and are not compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "block.h"
#include "gen.h"
#include "limits.h"
#include "store.h"
#include "trace.h"
#include "t.h"

static int
cmp_kv(const void *x, const void *y)
{
	const Tq__KeyValue *a = *(Tq__KeyValue *const *)x;
	const Tq__KeyValue *b = *(Tq__KeyValue *const *)y;

	return strcmp(a->key, b->key);
}

static void
sort_kvs(Tq__KeyValue **kvs, size_t n)
{
	if (n > 1)
		qsort(kvs, n, sizeof(*kvs), cmp_kv);
}

/*
 * canon writes one line per span: the span as OTLP/JSON inside its
 * resource and scope, attributes sorted, fields vParquet4 lacks cleared.
 */
static void
canon(Tq__TracesData *td, struct tq_buf *out)
{
	size_t i, j, k, e;

	for (i = 0; i < td->n_resource_spans; i++) {
		Tq__ResourceSpans *rs = td->resource_spans[i];

		if (rs->resource != NULL)
			sort_kvs(rs->resource->attributes,
			    rs->resource->n_attributes);
		for (j = 0; j < rs->n_scope_spans; j++) {
			Tq__ScopeSpans *ss = rs->scope_spans[j];

			if (ss->scope != NULL)
				sort_kvs(ss->scope->attributes,
				    ss->scope->n_attributes);
			for (k = 0; k < ss->n_spans; k++) {
				Tq__Span *sp = ss->spans[k];
				Tq__ScopeSpans one_ss = *ss;
				Tq__ResourceSpans one_rs = *rs;
				Tq__ScopeSpans *pss = &one_ss;
				Tq__ResourceSpans *prs = &one_rs;
				Tq__TracesData one = TQ__TRACES_DATA__INIT;

				sort_kvs(sp->attributes, sp->n_attributes);
				for (e = 0; e < sp->n_events; e++)
					sort_kvs(sp->events[e]->attributes,
					    sp->events[e]->n_attributes);
				for (e = 0; e < sp->n_links; e++) {
					sort_kvs(sp->links[e]->attributes,
					    sp->links[e]->n_attributes);
					sp->links[e]->flags = 0;
				}
				sp->flags = 0;
				if (sp->status != NULL && sp->status->code == 0 &&
				    *sp->status->message == '\0')
					sp->status = NULL;
				one_ss.spans = &sp;
				one_ss.n_spans = 1;
				one_ss.schema_url = (char *)"";
				one_rs.scope_spans = &pss;
				one_rs.n_scope_spans = 1;
				one_rs.schema_url = (char *)"";
				one.resource_spans = &prs;
				one.n_resource_spans = 1;
				tq_otlp_json_encode(&one, out, NULL);
				tq_buf_putc(out, '\n');
			}
		}
	}
}

static int
cmp_line(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* sorted_lines sorts the lines of b in place and NUL-terminates them. */
static char **
sorted_lines(struct tq_buf *b, size_t *n)
{
	char **lines = malloc((b->len + 1) * sizeof(*lines)), *p, *nl;

	*n = 0;
	tq_buf_putc(b, '\0');
	for (p = (char *)b->data; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		lines[(*n)++] = p;
	}
	qsort(lines, *n, sizeof(*lines), cmp_line);
	return lines;
}

static int
mem_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	return tq_buf_append(arg, p, len) == 0 ? 0 :
	    tq_err_set(err, TQ_ENOMEM, "test: out of memory");
}

static void
test_round_trip(const struct tq_block_dedicated *ded, size_t nded,
    const char *label)
{
	struct tq_parquet_writer *w;
	struct tq_parquet_reader *rd;
	struct tq_vp4_reader *vr;
	struct tq_vp4_rows *rows;
	struct tq_vp4 *m;
	struct tq_arena a;
	struct tq_buf file, want, got;
	struct tq_err e;
	struct tq_parquet_column *cols;
	struct tq_parquet_datum *recs;
	Tq__TracesData *all[3], **groups, *td;
	size_t ntraces = 0, i, ng, nrows, nw, ngot, c, rg;
	char **lw, **lg, name[128];
	int ok, rows_alone_ok = 1;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&file, 1 << 30);
	tq_buf_init(&want, 1 << 30);
	tq_buf_init(&got, 1 << 30);
	T_EQ_INT(tq_vp4_new(ded, nded, &m, &e), 0, "vp4: schema builds");
	T_EQ_INT(tq_parquet_writer_new(tq_vp4_schema(m), NULL, mem_write, &file,
	    &w, &e), 0, "vp4: writer starts");
	T_EQ_INT(tq_vp4_rows_new(m, &rows, &e), 0, "vp4: rows start");
	for (c = 0; c < tq_vp4_schema(m)->n_columns; c++) {
		struct tq_parquet_column_opts o;

		tq_vp4_column_opts(m, (int)c, &o);
		tq_parquet_writer_set_column(w, (int)c, &o, &e);
	}
	/* Every fixture trace, one row each (parts of a request only). */
	for (i = 0; i < 3; i++) {
		char rel[64];
		unsigned char *body;
		size_t len = 0, g;

		snprintf(rel, sizeof(rel), "otlp-proto/%06zu.body.pb", i + 1);
		body = t_slurp(t_fixtures(), rel, &len);
		tq_otlp_pb_decode(body, len, &a, &all[i], &e);
		free(body);
		tq_trace_split(all[i], &a, &groups, &ng, NULL, &e);
		for (g = 0; g < ng; g++) {
			struct tq_trace_info info;

			if (tq_trace_info(groups[g], &a, &info, &e) != 0 ||
			    tq_vp4_rows_add(rows, groups[g], &info, &e) != 0) {
				printf("# %s\n", e.msg);
				break;
			}
			canon(groups[g], &want);
			ntraces++;
		}
	}
	T_EQ_INT(tq_vp4_rows_write(rows, w, &e), 0, "vp4: rows go to the writer");
	T_EQ_INT(tq_parquet_writer_close(w, &e), 0, "vp4: file closes");
	tq_parquet_writer_free(w);
	tq_vp4_rows_free(rows);

	/* Read every row group back through the name-based reader. */
	ok = tq_parquet_reader_open_mem(file.data, file.len, NULL, &rd, &e) == 0;
	T_OK(ok, "vp4: file opens");
	if (!ok)
		printf("# %s\n", e.msg);
	T_EQ_INT(tq_vp4_reader_new(tq_parquet_reader_schema(rd), ded, nded,
	    &vr, &e), 0, "vp4: reader for the file's schema");
	nrows = 0;
	for (rg = 0; ok && rg < tq_parquet_reader_num_row_groups(rd); rg++) {
		const struct tq_parquet_schema *s = tq_parquet_reader_schema(rd);
		size_t n = (size_t)tq_parquet_reader_row_group_rows(rd, rg);

		cols = calloc(s->n_columns, sizeof(*cols));
		recs = calloc(n, sizeof(*recs));
		for (c = 0; c < s->n_columns; c++)
			if (tq_parquet_reader_read_column(rd, rg, (int)c, 0,
			    &cols[c], &e) != 0) {
				printf("# column %zu: %s\n", c, e.msg);
				ok = 0;
			}
		if (ok && tq_parquet_assemble(s, cols, n, &a, recs, &e) != 0) {
			printf("# assemble: %s\n", e.msg);
			ok = 0;
		}
		for (i = 0; ok && i < n; i++) {
			struct tq_parquet_datum one;
			Tq__TracesData *td1;
			struct tq_buf x, y;

			if (tq_vp4_reader_trace(vr, &recs[i], &a, &td, &e) != 0) {
				printf("# read: %s\n", e.msg);
				ok = 0;
				break;
			}
			/* The same row alone, as a lookup rebuilds it. */
			tq_buf_init(&x, 1 << 26);
			tq_buf_init(&y, 1 << 26);
			if (tq_parquet_assemble_rows(s, cols, i, 1, &a, &one,
			    &e) != 0 ||
			    tq_vp4_reader_trace(vr, &one, &a, &td1, &e) != 0)
				rows_alone_ok = 0;
			else {
				canon(td1, &y);
				canon(td, &x);
				if (x.len != y.len || memcmp(x.data, y.data, x.len) != 0)
					rows_alone_ok = 0;
			}
			tq_buf_release(&x);
			tq_buf_release(&y);
			canon(td, &got);
			nrows++;
		}
		for (c = 0; c < s->n_columns; c++)
			tq_parquet_column_release(&cols[c]);
		free(cols);
		free(recs);
	}
	snprintf(name, sizeof(name), "%s: a row rebuilt alone equals the same row "
	    "rebuilt with its row group", label);
	T_OK(rows_alone_ok, name);
	snprintf(name, sizeof(name), "%s: every trace is a row", label);
	T_EQ_INT(nrows, ntraces, name);
	lw = sorted_lines(&want, &nw);
	lg = sorted_lines(&got, &ngot);
	snprintf(name, sizeof(name), "%s: 220 spans back", label);
	T_EQ_INT(ngot, 220, name);
	for (i = 0, ok = nw == ngot; i < nw && i < ngot; i++)
		if (strcmp(lw[i], lg[i]) != 0) {
			printf("#  want %s\n#   got %s\n", lw[i], lg[i]);
			ok = 0;
			break;
		}
	snprintf(name, sizeof(name), "%s: every span field survives", label);
	T_OK(ok, name);
	free(lw);
	free(lg);
	tq_vp4_reader_free(vr);
	tq_parquet_reader_free(rd);
	tq_vp4_free(m);
	tq_buf_release(&file);
	tq_buf_release(&want);
	tq_buf_release(&got);
	tq_arena_release(&a);
}

static int
cmp_trace_id(const void *x, const void *y)
{
	const Tq__TracesData *a = *(Tq__TracesData *const *)x;
	const Tq__TracesData *b = *(Tq__TracesData *const *)y;

	return memcmp(a->resource_spans[0]->scope_spans[0]->spans[0]->trace_id.data,
	    b->resource_spans[0]->scope_spans[0]->spans[0]->trace_id.data, 16);
}

static int
count_block(void *arg, const struct tq_block_meta *m)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

/* fixture_traces gives the fixtures' 20 traces, parts combined, sorted
 * by ID, and returns their number. */
static size_t
fixture_traces(struct tq_arena *a, Tq__TracesData *traces[32])
{
	Tq__TracesData *parts[64], **groups, *td;
	size_t nparts = 0, ntr = 0, i, j, ng;
	struct tq_err e;

	for (i = 0; i < 3; i++) {
		char rel[64];
		unsigned char *body;
		size_t len = 0;

		snprintf(rel, sizeof(rel), "otlp-proto/%06zu.body.pb", i + 1);
		body = t_slurp(t_fixtures(), rel, &len);
		tq_otlp_pb_decode(body, len, a, &td, &e);
		free(body);
		tq_trace_split(td, a, &groups, &ng, NULL, &e);
		for (j = 0; j < ng && nparts < 64; j++)
			parts[nparts++] = groups[j];
	}
	qsort(parts, nparts, sizeof(*parts), cmp_trace_id);
	for (i = 0; i < nparts && ntr < 32; i = j) {
		for (j = i + 1; j < nparts && cmp_trace_id(&parts[i], &parts[j]) == 0; j++)
			;
		tq_trace_combine(parts + i, j - i, a, &traces[ntr++], NULL, &e);
	}
	return ntr;
}

/*
 * test_store writes the fixtures' 20 traces (parts combined) as a block
 * in a directory store, with small row groups, and finds each by ID.
 */
static void
test_store(void)
{
	char dir[] = "/tmp/test-block-XXXXXX", cmd[300];
	struct tq_block_writer *w;
	struct tq_block_opts o;
	struct tq_block_meta meta;
	struct tq_block_explain ex;
	struct tq_block *b;
	struct tq_store *st;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *traces[32], *td;
	size_t ntr, i;
	int found = 0, same = 1, blocks = 0;
	uint8_t missing[16] = { 0xff, 0xfe, 1, 2, 3 };

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (mkdtemp(dir) == NULL)
		return;
	T_EQ_INT(tq_store_open(dir, NULL, &st, &e), 0, "store: directory opens");
	ntr = fixture_traces(&a, traces);
	T_EQ_INT(ntr, 20, "store: 20 traces to write");
	tq_block_opts_init(&o);
	o.row_group_bytes = 20000;	/* several row groups */
	T_EQ_INT(tq_block_writer_new(st, "team-a", &o, ntr, &w, &e), 0,
	    "writer: starts");
	for (i = 0; i < ntr; i++)
		if (tq_block_writer_add(w, traces[i], 0, &e) != 0)
			printf("# add: %s\n", e.msg);
	T_EQ_INT(tq_block_writer_add(w, traces[0], 0, &e), TQ_EINVAL,
	    "writer: a trace out of order is refused");
	T_EQ_INT(tq_block_writer_finish(w, &meta, &e), 0, "writer: finishes");
	tq_block_writer_free(w);
	T_EQ_INT(meta.total_objects, 20, "meta: 20 traces");
	T_OK(meta.total_records > 1, "meta: several row groups");
	T_EQ_INT(meta.bloom_shards, 1, "meta: one bloom shard");
	T_OK(meta.start_s == 1767225600 && meta.end_s >= meta.start_s,
	    "meta: time range in seconds");
	T_EQ_INT(tq_block_list(st, "team-a", false, count_block, &blocks, &e), 0,
	    "list: runs");
	T_EQ_INT(blocks, 1, "list: one visible block");
	T_EQ_INT(tq_block_open(st, "team-a", meta.block_id, &b, &e), 0,
	    "reader: opens by meta.json");
	for (i = 0; i < ntr; i++) {
		const uint8_t *id = traces[i]->resource_spans[0]->scope_spans[0]->
		    spans[0]->trace_id.data;
		struct tq_buf x, y;
		int rc = tq_block_find(b, id, &a, &td, &ex, &e);

		if (rc != 1) {
			printf("# find %zu: %d %s (%s)\n", i, rc, e.msg,
			    ex.outcome ? ex.outcome : "");
			continue;
		}
		found++;
		if (ex.reads > 3)
			same = 0;
		tq_buf_init(&x, 1 << 26);
		tq_buf_init(&y, 1 << 26);
		canon(traces[i], &x);
		canon(td, &y);
		{
			size_t nx, ny, k;
			char **lx = sorted_lines(&x, &nx), **ly = sorted_lines(&y, &ny);

			for (k = 0; k < nx; k++)
				if (nx != ny || strcmp(lx[k], ly[k]) != 0) {
					same = 0;
					break;
				}
			free(lx);
			free(ly);
		}
		tq_buf_release(&x);
		tq_buf_release(&y);
	}
	T_EQ_INT(found, 20, "find: every trace by its ID");
	T_OK(same, "find: every trace whole, in at most 3 reads");
	T_EQ_INT(tq_block_find(b, missing, &a, &td, &ex, &e), 0,
	    "find: an absent ID is not found");
	T_EQ_INT(ex.reads, 0, "find: the block kept its bloom shard: no read");
	tq_block_free(b);
	T_EQ_INT(tq_block_open(st, "team-a", meta.block_id, &b, &e), 0,
	    "reader: opens again");
	T_EQ_INT(tq_block_find(b, missing, &a, &td, &ex, &e), 0,
	    "find: an absent ID is not found in a fresh block");
	T_EQ_INT(ex.reads, 1, "find: a bloom miss costs one read");
	tq_block_free(b);
	T_EQ_INT(tq_block_open(st, "team-a", meta.block_id, &b, &e), 0,
	    "reader: opens a third time");
	tq_block_keep_shards(b, false);
	T_EQ_INT(tq_block_find(b, missing, &a, &td, &ex, &e) +
	    tq_block_find(b, missing, &a, &td, &ex, &e), 0,
	    "find: not found twice, shards not kept");
	T_EQ_INT(ex.reads, 1, "find: a shard not kept is read again");
	T_OK(ex.bytes >= 24 + 8 && ex.bytes <= 24 + 8 * 7,
	    "find: of a shard not kept, the header and a few words");
	T_EQ_INT(tq_block_find(b, traces[0]->resource_spans[0]->scope_spans[0]->
	    spans[0]->trace_id.data, &a, &td, &ex, &e), 1,
	    "find: a trace found, shards not kept");
	tq_block_keep_shards(b, true);
	T_EQ_INT(tq_block_find(b, missing, &a, &td, &ex, &e), 0,
	    "find: not found, shards kept again");
	T_EQ_INT(tq_block_find(b, missing, &a, &td, &ex, &e), 0,
	    "find: not found from the kept shard");
	T_EQ_INT(ex.reads, 0, "find: a kept shard is not read again");
	tq_block_free(b);
	tq_store_free(st);
	tq_arena_release(&a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}


/* write_file writes traces[0..n) as one Parquet file of m's schema into
 * out with the direct writer, in batches of a few rows and two row
 * groups. */
static int
write_file(const struct tq_vp4 *m, Tq__TracesData **traces, size_t n,
    struct tq_buf *out)
{
	struct tq_parquet_writer *w;
	struct tq_vp4_rows *rows = NULL;
	struct tq_arena a;
	struct tq_err e;
	size_t i, c;
	int rc = 0;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (tq_parquet_writer_new(tq_vp4_schema(m), NULL, mem_write, out, &w,
	    &e) != 0 || tq_vp4_rows_new(m, &rows, &e) != 0)
		return -1;
	for (c = 0; c < tq_vp4_schema(m)->n_columns; c++) {
		struct tq_parquet_column_opts o;

		tq_vp4_column_opts(m, (int)c, &o);
		tq_parquet_writer_set_column(w, (int)c, &o, &e);
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct tq_trace_info info;

		rc = tq_trace_info(traces[i], &a, &info, &e);
		if (rc == 0)
			rc = tq_vp4_rows_add(rows, traces[i], &info, &e);
		if (rc == 0 && (i % 7 == 6 || i == n - 1 || i == n / 2))
			rc = tq_vp4_rows_write(rows, w, &e);
		if (rc == 0 && i == n / 2)
			rc = tq_parquet_writer_flush(w, &e);
	}
	if (rc == 0)
		rc = tq_parquet_writer_close(w, &e);
	if (rc != 0)
		printf("# write: %s\n", e.msg);
	tq_parquet_writer_free(w);
	tq_vp4_rows_free(rows);
	tq_arena_release(&a);
	return rc;
}

/* read_back appends canon() of every row of the file to out. */
static int
read_back(const struct tq_buf *file, const struct tq_block_dedicated *ded,
    size_t nded, struct tq_buf *out)
{
	struct tq_parquet_reader *r = NULL;
	struct tq_vp4_reader *vr = NULL;
	const struct tq_parquet_schema *s;
	struct tq_arena a;
	struct tq_err e;
	size_t rg, c, i;
	int rc;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if ((rc = tq_parquet_reader_open_mem(file->data, file->len, NULL, &r,
	    &e)) != 0 || (rc = tq_vp4_reader_new(tq_parquet_reader_schema(r),
	    ded, nded, &vr, &e)) != 0)
		goto out;
	s = tq_parquet_reader_schema(r);
	for (rg = 0; rc == 0 && rg < tq_parquet_reader_num_row_groups(r); rg++) {
		size_t n = (size_t)tq_parquet_reader_row_group_rows(r, rg);
		struct tq_parquet_column *cols = calloc(s->n_columns,
		    sizeof(*cols));
		struct tq_parquet_datum *recs = calloc(n, sizeof(*recs));

		for (c = 0; rc == 0 && c < s->n_columns; c++)
			rc = tq_parquet_reader_read_column(r, rg, (int)c, 0,
			    &cols[c], &e);
		if (rc == 0)
			rc = tq_parquet_assemble(s, cols, n, &a, recs, &e);
		for (i = 0; rc == 0 && i < n; i++) {
			Tq__TracesData *td;

			if ((rc = tq_vp4_reader_trace(vr, &recs[i], &a, &td,
			    &e)) == 0)
				canon(td, out);
		}
		for (c = 0; c < s->n_columns; c++)
			tq_parquet_column_release(&cols[c]);
		free(cols);
		free(recs);
	}
out:
	if (rc != 0)
		printf("# read: %s\n", e.msg);
	tq_vp4_reader_free(vr);
	tq_parquet_reader_free(r);
	tq_arena_release(&a);
	return rc;
}

/*
 * digests appends one line per column of the file: a 64-bit hash of its
 * levels and values over every row group (whatever the encodings and the
 * row group cuts), then the column's path.
 */
static int
digests(const struct tq_buf *file, struct tq_buf *out)
{
	struct tq_parquet_reader *r;
	const struct tq_parquet_schema *s;
	struct tq_err e;
	size_t rg, c, i;
	int rc = 0;

	if (tq_parquet_reader_open_mem(file->data, file->len, NULL, &r, &e) != 0)
		return -1;
	s = tq_parquet_reader_schema(r);
	for (c = 0; c < s->n_columns && rc == 0; c++) {
		XXH3_state_t *h = XXH3_createState();

		XXH3_64bits_reset(h);
		for (rg = 0; rg < tq_parquet_reader_num_row_groups(r); rg++) {
			struct tq_parquet_column col;
			uint64_t nl;
			size_t vb;

			memset(&col, 0, sizeof(col));
			if ((rc = tq_parquet_reader_read_column(r, rg, (int)c, 0,
			    &col, &e)) != 0) {
				tq_parquet_column_release(&col);
				break;
			}
			if (col.def != NULL)
				XXH3_64bits_update(h, col.def, col.n_levels * 2);
			if (col.rep != NULL)
				XXH3_64bits_update(h, col.rep, col.n_levels * 2);
			nl = col.n_levels;
			XXH3_64bits_update(h, &nl, sizeof(nl));
			switch (col.type) {
			case TQ_PARQUET_BYTE_ARRAY:
				for (i = 0; i < col.n_values; i++) {
					uint32_t n = col.off[i + 1] - col.off[i];

					XXH3_64bits_update(h, &n, 4);
				}
				if (col.n_values > 0)
					XXH3_64bits_update(h, col.data,
					    col.off[col.n_values]);
				break;
			case TQ_PARQUET_BOOLEAN:
				XXH3_64bits_update(h, col.b, col.n_values);
				break;
			default:
				vb = col.type == TQ_PARQUET_INT32 ? 4 : 8;
				XXH3_64bits_update(h, col.type == TQ_PARQUET_INT32 ?
				    (void *)col.i32 : col.type == TQ_PARQUET_INT64 ?
				    (void *)col.i64 : (void *)col.f64,
				    col.n_values * vb);
			}
			tq_parquet_column_release(&col);
		}
		tq_buf_printf(out, "%016llx %s\n",
		    (unsigned long long)XXH3_64bits_digest(h), s->columns[c].path);
		XXH3_freeState(h);
	}
	tq_parquet_reader_free(r);
	return rc;
}

/* gen_traces makes n tempo-gen traces, parts combined, sorted by ID. */
static size_t
gen_traces(uint64_t seed, size_t n, struct tq_arena *a, Tq__TracesData ***out)
{
	struct tq_gen_opts o;
	struct tq_gen *g;
	struct tq_arena tmp;
	struct tq_err e;
	Tq__TracesData *td, **groups, **parts = NULL, **traces;
	size_t nparts = 0, cap = 0, ng, i, j, ntr = 0;

	tq_gen_opts_default(&o);
	o.seed = seed;
	o.traces = n;
	tq_arena_init(&tmp, TQ_MAX_DECODE_ARENA);
	if (tq_gen_new(&o, &g, &e) != 0)
		return 0;
	while (tq_gen_next(g, &tmp, &td, &e) == 1) {
		struct tq_buf b;
		Tq__TracesData *copy;

		tq_buf_init(&b, TQ_MAX_RECORD);
		tq_otlp_pb_encode(td, &b, &e);
		tq_otlp_pb_decode(b.data, b.len, a, &copy, &e);
		tq_buf_release(&b);
		tq_trace_split(copy, a, &groups, &ng, NULL, &e);
		for (i = 0; i < ng; i++) {
			if (nparts == cap) {
				cap = cap ? 2 * cap : 256;
				parts = realloc(parts, cap * sizeof(*parts));
			}
			parts[nparts++] = groups[i];
		}
		tq_arena_reset(&tmp);
	}
	tq_gen_free(g);
	tq_arena_release(&tmp);
	qsort(parts, nparts, sizeof(*parts), cmp_trace_id);
	traces = tq_arena_calloc(a, nparts + 1, sizeof(*traces));
	for (i = 0; i < nparts; i = j) {
		for (j = i + 1; j < nparts &&
		    cmp_trace_id(&parts[i], &parts[j]) == 0; j++)
			;
		tq_trace_combine(parts + i, j - i, a, &traces[ntr++], NULL, &e);
	}
	free(parts);
	*out = traces;
	return ntr;
}

/* same_lines says whether two buffers hold the same lines in any order. */
static int
same_lines(struct tq_buf *x, struct tq_buf *y)
{
	size_t nx, ny, i;
	char **lx = sorted_lines(x, &nx), **ly = sorted_lines(y, &ny);
	int same = nx == ny;

	for (i = 0; same && i < nx; i++)
		if (strcmp(lx[i], ly[i]) != 0) {
			printf("#  want %s\n#   got %s\n", lx[i], ly[i]);
			same = 0;
		}
	free(lx);
	free(ly);
	return same;
}

/*
 * test_columns: the direct writer gives the fixtures the levels and
 * values, column by column, that the record-tree writer it replaced gave
 * them (digests in tests/data/block, whatever the encodings), and every
 * span field of tempo-gen traces (every attribute value type, empty
 * arrays, kvlists, bytes) comes back through the reader.
 */
static void
test_columns(const struct tq_block_dedicated *ded, size_t nded,
    const char *label, const char *golden)
{
	struct tq_vp4 *m;
	struct tq_arena a;
	struct tq_buf file, got, want;
	struct tq_err e;
	Tq__TracesData **traces, *td, **groups, *fix[64];
	size_t n, nfix = 0, i, ng, glen = 0;
	unsigned char *gold;
	const char *top = getenv("TQ_TOP");
	char name[160], path[512];

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_vp4_new(ded, nded, &m, &e);
	for (i = 0; i < 3; i++) {
		char rel[64];
		unsigned char *body;
		size_t len = 0, g;

		snprintf(rel, sizeof(rel), "otlp-proto/%06zu.body.pb", i + 1);
		body = t_slurp(t_fixtures(), rel, &len);
		tq_otlp_pb_decode(body, len, &a, &td, &e);
		free(body);
		tq_trace_split(td, &a, &groups, &ng, NULL, &e);
		for (g = 0; g < ng && nfix < 64; g++)
			fix[nfix++] = groups[g];
	}
	snprintf(path, sizeof(path), "%s/tests/data/block/%s",
	    top ? top : ".", golden);
	gold = t_slurp(NULL, path, &glen);
	tq_buf_init(&file, 1 << 30);
	tq_buf_init(&got, 1 << 20);
	tq_buf_init(&want, 1 << 20);
	if (gold != NULL)
		tq_buf_append(&want, gold, glen);
	snprintf(name, sizeof(name), "%s: the fixtures' columns are those of "
	    "tests/data/block/%s", label, golden);
	T_OK(gold != NULL && nfix == 21 && write_file(m, fix, nfix, &file) == 0 &&
	    digests(&file, &got) == 0 && same_lines(&want, &got), name);
	free(gold);
	tq_buf_release(&file);
	tq_buf_release(&got);
	tq_buf_release(&want);

	n = gen_traces(7, 300, &a, &traces);
	tq_buf_init(&file, 1 << 30);
	tq_buf_init(&got, 1 << 30);
	tq_buf_init(&want, 1 << 30);
	for (i = 0; i < n; i++)
		canon(traces[i], &want);
	snprintf(name, sizeof(name), "%s: %zu tempo-gen traces come back whole",
	    label, n);
	T_OK(n == 300 && write_file(m, traces, n, &file) == 0 &&
	    read_back(&file, ded, nded, &got) == 0 && same_lines(&want, &got),
	    name);
	tq_buf_release(&file);
	tq_buf_release(&got);
	tq_buf_release(&want);
	tq_vp4_free(m);
	tq_arena_release(&a);
}


#define SPAN_COL	"rs.list.element.ss.list.element.Spans.list.element."

/* absent asks b's values filter about one string of column. */
static bool
absent(struct tq_block *b, const char *column, const char *v)
{
	struct tq_err e;
	bool out = true;

	if (tq_block_value_absent(b, column, v, strlen(v), &out, &e) != 0)
		printf("# absent %s: %s\n", v, e.msg);
	return out;
}

/*
 * test_values writes the fixtures as a block and asks its values filter:
 * every span name, service and string attribute value the traces hold is
 * possibly there; invented ones are ruled out but for rare false
 * positives; a damaged header is refused.
 */
static void
test_values(void)
{
	char dir[] = "/tmp/test-block-XXXXXX", cmd[300], path[400];
	Tq__TracesData *traces[32];
	struct tq_block_writer *w;
	struct tq_block_values *v;
	struct tq_block_opts o;
	struct tq_block_meta meta;
	struct tq_block *b;
	struct tq_store *st;
	struct tq_arena a;
	struct tq_buf buf;
	struct tq_err e;
	size_t ntr, i, r, s, k, present = 0, missed = 0, ruled_out = 0;
	size_t hlen;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (mkdtemp(dir) == NULL)
		return;
	T_EQ_INT(tq_store_open(dir, NULL, &st, &e), 0, "values: store opens");
	ntr = fixture_traces(&a, traces);
	tq_block_opts_init(&o);
	o.row_group_bytes = 20000;	/* a filter over several row groups */
	tq_block_writer_new(st, "t", &o, ntr, &w, &e);
	for (i = 0; i < ntr; i++)
		tq_block_writer_add(w, traces[i], 0, &e);
	T_EQ_INT(tq_block_writer_finish(w, &meta, &e), 0, "values: block written");
	tq_block_writer_free(w);
	T_OK(meta.values_size > 0, "values: meta.json gives the filter's size");
	T_EQ_INT(tq_block_open(st, "t", meta.block_id, &b, &e), 0,
	    "values: block opens");
	for (i = 0; i < ntr; i++)
		for (r = 0; r < traces[i]->n_resource_spans; r++) {
			Tq__ResourceSpans *rs = traces[i]->resource_spans[r];

			for (k = 0; rs->resource != NULL &&
			    k < rs->resource->n_attributes; k++) {
				Tq__KeyValue *kv = rs->resource->attributes[k];

				if (strcmp(kv->key, "service.name") == 0 &&
				    kv->value != NULL && kv->value->value_case ==
				    TQ__ANY_VALUE__VALUE_STRING_VALUE) {
					present++;
					missed += absent(b, "rs.list.element."
					    "Resource.ServiceName",
					    kv->value->string_value);
				}
			}
			for (s = 0; s < rs->n_scope_spans; s++) {
				Tq__ScopeSpans *ss = rs->scope_spans[s];
				size_t j;

				for (j = 0; j < ss->n_spans; j++) {
					Tq__Span *sp = ss->spans[j];

					present++;
					missed += absent(b, SPAN_COL "Name",
					    sp->name);
					for (k = 0; k < sp->n_attributes; k++) {
						Tq__KeyValue *kv = sp->attributes[k];

						present++;
						missed += absent(b, SPAN_COL
						    "Attrs.list.element.Key",
						    kv->key);
					}
				}
			}
		}
	T_OK(present > 100, "values: many values looked up");
	T_EQ_INT(missed, 0, "values: no value the block holds is ruled out");
	for (i = 0; i < 1000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "no-such-name-%zu", i);
		ruled_out += absent(b, SPAN_COL "Name", name);
	}
	printf("# %zu of 1000 invented names ruled out\n", ruled_out);
	T_OK(ruled_out >= 990, "values: invented names ruled out");
	T_OK(!absent(b, SPAN_COL "DurationNano", "x"),
	    "values: a column it does not cover rules nothing out");
	tq_block_free(b);

	/* The header, as a reader sees it, and damaged. */
	tq_buf_init(&buf, 1 << 24);
	snprintf(path, sizeof(path), "t/%s/values", meta.block_id);
	T_EQ_INT(tq_store_get(st, path, &buf, &e), 0, "values: object read");
	T_EQ_INT(buf.len, meta.values_size, "values: size as meta.json says");
	hlen = tq_block_values_header_len(buf.data, buf.len);
	T_OK(hlen > 20 && hlen < buf.len, "values: header length");
	T_EQ_INT(tq_block_values_parse(buf.data, hlen, &v, &e), 0,
	    "values: header parses");
	T_EQ_INT(tq_block_values_size(v), buf.len, "values: header gives size");
	tq_block_values_free(v);
	T_EQ_INT(tq_block_values_parse(buf.data, hlen - 1, &v, &e), TQ_ECORRUPT,
	    "values: truncated header refused");
	buf.data[hlen - 12] ^= 1;
	T_EQ_INT(tq_block_values_parse(buf.data, hlen, &v, &e), TQ_ECORRUPT,
	    "values: damaged header refused");
	T_OK(strstr(e.msg, "checksum") != NULL, "values: says why");
	buf.data[hlen - 12] ^= 1;
	buf.data[4] = 2;
	T_EQ_INT(tq_block_values_parse(buf.data, hlen, &v, &e), TQ_EUNSUPPORTED,
	    "values: a later version is unsupported");
	buf.data[0] = 'X';
	T_EQ_INT(tq_block_values_parse(buf.data, hlen, &v, &e), TQ_ECORRUPT,
	    "values: not a filter");
	tq_buf_release(&buf);
	tq_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	tq_arena_release(&a);
}

/*
 * A dedicated column's name of TQ_BLOCK_MAX_DED_NAME bytes goes through
 * the mapping and meta.json whole; one byte more is refused by both,
 * never cut (its attribute would seem absent to queries).
 */
static void
test_ded_name(void)
{
	char name[TQ_BLOCK_MAX_DED_NAME + 2];
	struct tq_block_dedicated d = { TQ_BLOCK_SCOPE_SPAN, name };
	struct tq_block_meta m, back;
	struct tq_vp4 *v = NULL;
	struct tq_buf json;
	struct tq_err e;

	memset(name, 'a', sizeof(name) - 1);
	name[TQ_BLOCK_MAX_DED_NAME] = '\0';
	T_EQ_INT(tq_vp4_new(&d, 1, &v, &e), 0, "dedicated name: longest taken");
	tq_vp4_free(v);
	memset(&m, 0, sizeof(m));
	snprintf(m.format, sizeof(m.format), "%s", TQ_BLOCK_FORMAT);
	snprintf(m.block_id, sizeof(m.block_id),
	    "00000000-0000-4000-8000-000000000000");
	m.ded[0] = d;
	m.n_ded = 1;
	tq_buf_init(&json, 1 << 20);
	T_OK(tq_block_meta_json(&m, &json, &e) == 0 &&
	    tq_block_meta_parse((const char *)json.data, json.len, &back,
	    &e) == 0 && back.n_ded == 1 && strcmp(back.ded[0].name, name) == 0,
	    "dedicated name: longest through meta.json whole");
	name[TQ_BLOCK_MAX_DED_NAME] = 'a';
	name[TQ_BLOCK_MAX_DED_NAME + 1] = '\0';
	v = NULL;
	T_EQ_INT(tq_vp4_new(&d, 1, &v, &e), TQ_EINVAL,
	    "dedicated name: one byte longer refused");
	tq_vp4_free(v);
	tq_buf_reset(&json);
	T_OK(tq_block_meta_json(&m, &json, &e) == 0 &&
	    tq_block_meta_parse((const char *)json.data, json.len, &back,
	    &e) == TQ_EUNSUPPORTED && strstr(e.msg, "dedicatedColumns[0]") !=
	    NULL, "dedicated name: one byte longer in meta.json refused");
	tq_buf_release(&json);
}

int
main(void)
{
	static const struct tq_block_dedicated ded[] = {
		{ TQ_BLOCK_SCOPE_SPAN, "rpc.method" },
		{ TQ_BLOCK_SCOPE_SPAN, "db.system" },
		{ TQ_BLOCK_SCOPE_RESOURCE, "host.name" },
	};

	test_round_trip(NULL, 0, "plain");
	test_round_trip(ded, 3, "dedicated");
	test_store();
	test_values();
	test_ded_name();
	test_columns(NULL, 0, "plain", "fixtures-columns.txt");
	test_columns(ded, 3, "dedicated", "fixtures-columns-dedicated.txt");
	return t_done();
}
