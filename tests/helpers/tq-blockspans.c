/*
 * tq-blockspans: prints "traceid spanid blockid" for every span of every
 * visible block of a tenant in a store, reading each data.parquet whole,
 * so tests can check that spans are all there, once.
 *
 *	tq-blockspans STORE TENANT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"
#include "store.h"

struct ctx {
	struct tq_store	*store;
	int		 status;
};

static int
dump_block(void *arg, const struct tq_block_meta *m)
{
	struct ctx *c = arg;
	struct tq_parquet_reader *pr = NULL;
	struct tq_vp4_reader *vr = NULL;
	const struct tq_parquet_schema *s;
	struct tq_arena a;
	struct tq_buf data;
	struct tq_err e;
	char key[512];
	size_t rg, col, i, j, k, r;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&data, (size_t)1 << 32);
	snprintf(key, sizeof(key), "%s/%s/data.parquet", m->tenant, m->block_id);
	if (tq_store_get(c->store, key, &data, &e) != 0 ||
	    tq_parquet_reader_open_mem(data.data, data.len, NULL, &pr, &e) != 0 ||
	    tq_vp4_reader_new(tq_parquet_reader_schema(pr), m->ded, m->n_ded,
	    &vr, &e) != 0)
		goto fail;
	s = tq_parquet_reader_schema(pr);
	for (rg = 0; rg < tq_parquet_reader_num_row_groups(pr); rg++) {
		size_t n = (size_t)tq_parquet_reader_row_group_rows(pr, rg);
		struct tq_parquet_column *cols = calloc(s->n_columns, sizeof(*cols));
		struct tq_parquet_datum *recs = calloc(n + 1, sizeof(*recs));
		int bad = 0;

		for (col = 0; col < s->n_columns && !bad; col++)
			bad = tq_parquet_reader_read_column(pr, rg, (int)col, 0,
			    &cols[col], &e) != 0;
		if (!bad)
			bad = tq_parquet_assemble(s, cols, n, &a, recs, &e) != 0;
		for (r = 0; r < n && !bad; r++) {
			Tq__TracesData *td;

			if (tq_vp4_reader_trace(vr, &recs[r], &a, &td, &e) != 0) {
				bad = 1;
				break;
			}
			for (i = 0; i < td->n_resource_spans; i++)
				for (j = 0; j < td->resource_spans[i]->n_scope_spans; j++) {
					Tq__ScopeSpans *ss = td->resource_spans[i]->scope_spans[j];

					for (k = 0; k < ss->n_spans; k++) {
						char t[33], sp[17];

						tq_hex_encode(t, ss->spans[k]->trace_id.data, 16);
						tq_hex_encode(sp, ss->spans[k]->span_id.data,
						    ss->spans[k]->span_id.len > 8 ? 8 :
						    ss->spans[k]->span_id.len);
						printf("%s %s %s\n", t, sp, m->block_id);
					}
				}
		}
		for (col = 0; col < s->n_columns; col++)
			tq_parquet_column_release(&cols[col]);
		free(cols);
		free(recs);
		tq_arena_reset(&a);
		if (bad)
			goto fail;
	}
	goto out;
fail:
	fprintf(stderr, "tq-blockspans: %s: %s\n", m->block_id, e.msg);
	c->status = 1;
out:
	tq_vp4_reader_free(vr);
	tq_parquet_reader_free(pr);
	tq_buf_release(&data);
	tq_arena_release(&a);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct ctx c = { NULL, 0 };
	struct tq_err e;

	if (argc != 3) {
		fprintf(stderr, "usage: tq-blockspans store tenant\n");
		return 2;
	}
	if (tq_store_open(argv[1], NULL, &c.store, &e) != 0 ||
	    tq_block_list(c.store, argv[2], false, dump_block, &c, &e) != 0) {
		fprintf(stderr, "tq-blockspans: %s\n", e.msg);
		return 1;
	}
	tq_store_free(c.store);
	return c.status;
}
