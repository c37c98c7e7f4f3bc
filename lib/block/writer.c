/*
 * writer.c: writing a block (see block.h).
 *
 * Traces arrive sorted by ID.  Each becomes one vParquet4 row; a row group
 * is cut when the protobuf size of its traces passes the target, and its
 * last trace ID goes to the index.  data.parquet is written to a
 * temporary file (bounded memory: one row group buffered) and uploaded
 * when complete, then the bloom shards, the index and the values filter
 * (built from the dictionaries as each row group goes out); meta.json
 * last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "bloom.h"
#include "limits.h"
#include "store.h"
#include "trace.h"

/* Shredded rows go to the Parquet writer past this many bytes: little
 * enough that the writer finds them still in the cache. */
#define ROWS_BATCH	(512u * 1024)

struct tq_block_writer {
	struct tq_store			*store;
	struct tq_block_opts		 o;
	struct tq_block_meta		 meta;
	struct tq_vp4			*vp4;
	struct tq_parquet_writer	*pq;
	struct tq_vp4_rows		*rows;	/* shredded, not yet written */
	struct tq_bloom			*bloom;
	struct tq_block_values_builder	*values;
	struct tq_arena			 arena;	/* one trace's row */
	int				 fd;	/* data.parquet, unlinked */
	uint64_t			 written;
	uint8_t				 last_id[TQ_TRACE_ID_LEN];
	uint8_t				(*rg_last)[TQ_TRACE_ID_LEN];
	size_t				 n_rg, cap_rg;
	size_t				 rg_bytes;	/* of the open row group */
	size_t				 rg_rows;
	int64_t				 start_ns, end_ns;
};

void
tq_block_opts_init(struct tq_block_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->row_group_bytes = 8u * 1024 * 1024;
	o->zstd_level = 3;
	o->bloom_fp = TQ_BLOOM_FP;
	o->bloom_shard_bytes = TQ_BLOOM_SHARD_BYTES;
	o->replication_factor = 1;
}

static int
file_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	struct tq_block_writer *w = arg;
	const char *c = p;

	while (len > 0) {
		ssize_t n = write(w->fd, c, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return tq_err_sys(err, "data.parquet");
		}
		c += n;
		len -= (size_t)n;
		w->written += (uint64_t)n;
	}
	return 0;
}

/* values_chunk hands a chunk just written to the values filter. */
static int
values_chunk(void *arg, int col, const struct tq_parquet_chunk *meta,
    const uint8_t *dict, size_t dict_len, size_t dict_n, struct tq_err *err)
{
	struct tq_block_writer *w = arg;

	return tq_block_values_builder_add(w->values, col, meta, dict, dict_len,
	    dict_n, err);
}

int
tq_block_writer_new(struct tq_store *s, const char *tenant,
    const struct tq_block_opts *o, size_t est_traces,
    struct tq_block_writer **out, struct tq_err *err)
{
	struct tq_parquet_write_opts po = { 0 };
	struct tq_block_writer *w;
	const char *dir;
	char path[4096];
	size_t c;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "block: out of memory");
	w->fd = -1;
	w->store = s;
	if (o != NULL)
		w->o = *o;
	else
		tq_block_opts_init(&w->o);
	tq_arena_init(&w->arena, TQ_MAX_DECODE_ARENA);
	w->start_ns = INT64_MAX;
	snprintf(w->meta.format, sizeof(w->meta.format), "%s", TQ_BLOCK_FORMAT);
	if (strlen(tenant) >= sizeof(w->meta.tenant)) {
		rc = tq_err_set(err, TQ_EINVAL, "%s: tenant too long", tenant);
		goto fail;
	}
	snprintf(w->meta.tenant, sizeof(w->meta.tenant), "%s", tenant);
	if ((rc = tq_block_new_id(w->meta.block_id, err)) != 0 ||
	    (rc = tq_vp4_new(w->o.dedicated, w->o.n_dedicated, &w->vp4,
	    err)) != 0 ||
	    (rc = tq_vp4_rows_new(w->vp4, &w->rows, err)) != 0 ||
	    (rc = tq_bloom_new(est_traces, w->o.bloom_fp,
	    w->o.bloom_shard_bytes, &w->bloom, err)) != 0)
		goto fail;
	for (c = 0; c < w->o.n_dedicated && c < TQ_BLOCK_MAX_META_DED; c++) {
		snprintf(w->meta.ded_names[c], sizeof(w->meta.ded_names[c]),
		    "%s", w->o.dedicated[c].name);
		w->meta.ded[c].name = w->meta.ded_names[c];
		w->meta.ded[c].scope = w->o.dedicated[c].scope;
		w->meta.n_ded++;
	}
	dir = w->o.tmpdir != NULL ? w->o.tmpdir : getenv("TMPDIR");
	snprintf(path, sizeof(path), "%s/tempo-block-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	if ((w->fd = mkstemp(path)) == -1) {
		rc = tq_err_sys(err, path);
		goto fail;
	}
	unlink(path);		/* gone however the process ends */
	po.codec = TQ_PARQUET_ZSTD;
	po.zstd_level = w->o.zstd_level;
	/* Version 1 pages: their levels are compressed with the values, which
	 * halves the size of the deeply nested attribute columns. */
	po.page_version = 1;
	po.row_group_size = SIZE_MAX;	/* we cut row groups ourselves */
	po.created_by = "tempo (vParquet4) " TQ_VERSION;
	/* The values filter takes the dictionaries as row groups go out. */
	if ((rc = tq_block_values_builder_new(tq_vp4_schema(w->vp4),
	    &w->values, err)) != 0)
		goto fail;
	po.on_chunk = values_chunk;
	po.chunk_arg = w;
	if ((rc = tq_parquet_writer_new(tq_vp4_schema(w->vp4), &po, file_write,
	    w, &w->pq, err)) != 0)
		goto fail;
	for (c = 0; c < tq_vp4_schema(w->vp4)->n_columns; c++) {
		struct tq_parquet_column_opts co;

		tq_vp4_column_opts(w->vp4, (int)c, &co);
		if ((rc = tq_parquet_writer_set_column(w->pq, (int)c, &co,
		    err)) != 0)
			goto fail;
	}
	*out = w;
	return 0;
fail:
	tq_block_writer_free(w);
	return rc;
}

void
tq_block_writer_free(struct tq_block_writer *w)
{
	if (w == NULL)
		return;
	tq_parquet_writer_free(w->pq);
	tq_vp4_rows_free(w->rows);
	tq_vp4_free(w->vp4);
	tq_bloom_free(w->bloom);
	tq_block_values_builder_free(w->values);
	tq_arena_release(&w->arena);
	if (w->fd != -1)
		close(w->fd);
	free(w->rg_last);
	free(w);
}

/* end_row_group flushes the open row group and records its last ID. */
static int
end_row_group(struct tq_block_writer *w, struct tq_err *err)
{
	int rc;

	if (w->rg_rows == 0)
		return 0;
	if ((rc = tq_vp4_rows_write(w->rows, w->pq, err)) != 0 ||
	    (rc = tq_parquet_writer_flush(w->pq, err)) != 0)
		return rc;
	if (w->n_rg == w->cap_rg) {
		size_t cap = w->cap_rg ? 2 * w->cap_rg : 16;
		void *p = realloc(w->rg_last, cap * TQ_TRACE_ID_LEN);

		if (p == NULL)
			return tq_err_set(err, TQ_ENOMEM, "block: out of memory");
		w->rg_last = p;
		w->cap_rg = cap;
	}
	memcpy(w->rg_last[w->n_rg++], w->last_id, TQ_TRACE_ID_LEN);
	w->rg_bytes = 0;
	w->rg_rows = 0;
	return 0;
}

/* added counts a trace whose row is in and cuts what is due. */
static int
added(struct tq_block_writer *w, const uint8_t *id, uint64_t start_ns,
    uint64_t end_ns, size_t size, struct tq_err *err)
{
	tq_bloom_add(w->bloom, id);
	memcpy(w->last_id, id, TQ_TRACE_ID_LEN);
	w->meta.total_objects++;
	if ((int64_t)start_ns < w->start_ns)
		w->start_ns = (int64_t)start_ns;
	if ((int64_t)end_ns > w->end_ns)
		w->end_ns = (int64_t)end_ns;
	w->rg_rows++;
	w->rg_bytes += size;
	if (w->rg_bytes >= w->o.row_group_bytes)
		return end_row_group(w, err);
	if (tq_vp4_rows_bytes(w->rows) >= ROWS_BATCH)
		return tq_vp4_rows_write(w->rows, w->pq, err);
	return 0;
}

/* in_order says whether a trace of id may follow the last one. */
static int
in_order(const struct tq_block_writer *w, const uint8_t *id,
    struct tq_err *err)
{
	if (w->meta.total_objects > 0 &&
	    memcmp(id, w->last_id, TQ_TRACE_ID_LEN) <= 0)
		return tq_err_set(err, TQ_EINVAL,
		    "block: traces out of order or repeated");
	return 0;
}

int
tq_block_writer_add(struct tq_block_writer *w, const Tq__TracesData *td,
    size_t size_hint, struct tq_err *err)
{
	struct tq_trace_info info;
	int rc;

	tq_arena_reset(&w->arena);
	/* The ID is checked before the row is shredded: a refused trace
	 * leaves the block as it was. */
	if ((rc = tq_trace_info(td, &w->arena, &info, err)) != 0 ||
	    (rc = in_order(w, info.id, err)) != 0 ||
	    (rc = tq_vp4_rows_add(w->rows, td, &info, err)) != 0)
		return rc;
	return added(w, info.id, info.start_ns, info.end_ns, size_hint != 0 ?
	    size_hint : tq__traces_data__get_packed_size(td), err);
}

int
tq_block_writer_add_pb(struct tq_block_writer *w, const void *pb,
    size_t len, struct tq_err *err)
{
	struct tq_pb_part part;

	part.p = pb;
	part.len = len;
	return tq_block_writer_add_pb_parts(w, &part, 1, err);
}

int
tq_block_writer_add_pb_parts(struct tq_block_writer *w,
    const struct tq_pb_part *parts, size_t n, struct tq_err *err)
{
	struct tq_vp4_trace t;
	size_t i, len = 0;
	int rc;

	for (i = 0; i < n; i++)
		len += parts[i].len;
	tq_arena_reset(&w->arena);
	if ((rc = tq_vp4_trace_parse_parts(parts, n, &w->arena, &t,
	    err)) != 0 || (rc = in_order(w, t.id, err)) != 0 ||
	    (rc = tq_vp4_rows_add_trace(w->rows, &t, err)) != 0)
		return rc;
	return added(w, t.id, t.start_ns, t.end_ns, len, err);
}

/* footer_size reads the footer length from the file's last 8 bytes. */
static int
footer_size(struct tq_block_writer *w, uint32_t *out, struct tq_err *err)
{
	unsigned char tail[8];

	if (pread(w->fd, tail, 8, (off_t)w->written - 8) != 8)
		return tq_err_sys(err, "data.parquet");
	*out = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 |
	    (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
	return 0;
}

/* put_obj stores one object of the block from memory. */
static int
put_obj(struct tq_block_writer *w, const char *name, const void *p,
    size_t len, struct tq_err *err)
{
	char key[512];

	snprintf(key, sizeof(key), "%s/%s/%s", w->meta.tenant,
	    w->meta.block_id, name);
	return tq_store_put(w->store, key, p, len, err);
}

int
tq_block_writer_finish(struct tq_block_writer *w, struct tq_block_meta *meta,
    struct tq_err *err)
{
	struct tq_buf b;
	char key[512], name[32];
	unsigned i;
	int rc;

	tq_buf_init(&b, 64u * 1024 * 1024);
	if (w->meta.total_objects == 0) {
		rc = tq_err_set(err, TQ_EINVAL, "block: no traces");
		goto out;
	}
	if ((rc = end_row_group(w, err)) != 0 ||
	    (rc = tq_parquet_writer_close(w->pq, err)) != 0 ||
	    (rc = footer_size(w, &w->meta.footer_size, err)) != 0)
		goto out;
	w->meta.size = w->written;
	w->meta.total_records = (uint32_t)w->n_rg;
	w->meta.bloom_shards = tq_bloom_shards(w->bloom);
	w->meta.start_s = w->start_ns / 1000000000;
	w->meta.end_s = (w->end_ns + 999999999) / 1000000000;
	w->meta.compaction_level = w->o.compaction_level;
	w->meta.replication_factor = w->o.replication_factor;
	/* Data, bloom and index first; meta.json last makes it visible. */
	snprintf(key, sizeof(key), "%s/%s/data.parquet", w->meta.tenant,
	    w->meta.block_id);
	if (lseek(w->fd, 0, SEEK_SET) != 0) {
		rc = tq_err_sys(err, "data.parquet");
		goto out;
	}
	if ((rc = tq_store_put_fd(w->store, key, w->fd, err)) != 0)
		goto out;
	for (i = 0; i < w->meta.bloom_shards; i++) {
		tq_buf_reset(&b);
		snprintf(name, sizeof(name), "bloom-%u", i);
		if ((rc = tq_bloom_shard_encode(w->bloom, i, &b, err)) != 0 ||
		    (rc = put_obj(w, name, b.data, b.len, err)) != 0)
			goto out;
	}
	tq_buf_reset(&b);
	if ((rc = tq_block_index_json((const uint8_t (*)[TQ_TRACE_ID_LEN])
	    w->rg_last, w->n_rg, &b, err)) != 0 ||
	    (rc = put_obj(w, "index", b.data, b.len, err)) != 0)
		goto out;
	tq_buf_reset(&b);
	if ((rc = tq_block_values_builder_finish(w->values, &b, err)) != 0 ||
	    (b.len > 0 &&
	    (rc = put_obj(w, "values", b.data, b.len, err)) != 0))
		goto out;
	w->meta.values_size = (uint32_t)b.len;
	if (w->o.before_publish != NULL &&
	    (rc = w->o.before_publish(w->o.publish_arg, &w->meta, err)) != 0)
		goto out;
	tq_buf_reset(&b);
	if ((rc = tq_block_meta_json(&w->meta, &b, err)) != 0 ||
	    (rc = put_obj(w, "meta.json", b.data, b.len, err)) != 0)
		goto out;
	if (meta != NULL) {
		size_t d;

		*meta = w->meta;
		for (d = 0; d < meta->n_ded; d++)
			meta->ded[d].name = meta->ded_names[d];
	}
out:
	tq_buf_release(&b);
	return rc;
}
