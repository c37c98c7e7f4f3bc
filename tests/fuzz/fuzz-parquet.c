/*
 * fuzz-parquet.c: libFuzzer target for lib/parquet's reader.
 *
 * The input is taken two ways.  As a whole file: footer, page headers and
 * every column of every row group are decoded (values, then dictionary
 * indices), records assembled, and pruning tried, all under a small memory
 * cap.  And, from its first bytes, as one page body handed straight to each
 * decoder: the RLE/bit-packed hybrid, DELTA_BINARY_PACKED and the Thrift
 * skipper.  Any crash, leak or sanitizer report is a bug; errors are fine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parquet.h"
#include "parquet/parquet-int.h"

static void
whole_file(const uint8_t *data, size_t size)
{
	struct tq_parquet_read_opts o = { 1u << 20, 8u << 20 };
	struct tq_parquet_reader *r = NULL;
	const struct tq_parquet_schema *s;
	struct tq_parquet_column *cols, lazy;
	struct tq_parquet_datum *recs;
	struct tq_parquet_value v;
	struct tq_arena a;
	struct tq_err e;
	size_t rg, c, n;
	bool may, ok;

	if (tq_parquet_reader_open_mem(data, size, &o, &r, &e) != 0)
		return;
	s = tq_parquet_reader_schema(r);
	cols = calloc(s->n_columns, sizeof(*cols));
	tq_arena_init(&a, 16u << 20);
	for (rg = 0; cols != NULL && rg < tq_parquet_reader_num_row_groups(r) &&
	    rg < 8; rg++) {
		ok = true;
		for (c = 0; c < s->n_columns; c++) {
			int flags = (int)(c + rg) & 1;

			if (tq_parquet_reader_read_column(r, rg, (int)c, flags,
			    &cols[c], &e) != 0) {
				ok = false;
				continue;
			}
			/* Without definition levels unless some entry is
			 * null: the same entries and values. */
			memset(&lazy, 0, sizeof(lazy));
			if (tq_parquet_reader_read_column(r, rg, (int)c, flags |
			    TQ_PARQUET_READ_DEF_IF_NULLS, &lazy, &e) != 0 ||
			    lazy.n_levels != cols[c].n_levels ||
			    lazy.n_values != cols[c].n_values ||
			    (lazy.def == NULL && cols[c].def != NULL &&
			    cols[c].n_values != cols[c].n_levels))
				abort();
			tq_parquet_column_release(&lazy);
		}
		n = (size_t)tq_parquet_reader_row_group_rows(r, rg);
		if (ok && n < 100000 && (recs = calloc(n + 1, sizeof(*recs)))) {
			tq_parquet_assemble(s, cols, n, &a, recs, &e);
			free(recs);
		}
		for (c = 0; c < s->n_columns; c++) {
			tq_parquet_column_release(&cols[c]);
			memset(&v, 0, sizeof(v));
			v.type = s->columns[c].type;
			v.ptr = data;
			v.len = size < 8 ? size : 8;
			tq_parquet_reader_may_match(r, rg, (int)c, &v, NULL,
			    TQ_PARQUET_PRUNE_STATS | TQ_PARQUET_PRUNE_DICT, &may,
			    &e);
		}
		tq_arena_reset(&a);
	}
	tq_arena_release(&a);
	free(cols);
	tq_parquet_reader_free(r);
}

static void
decoders(const uint8_t *data, size_t size)
{
	struct tq_thrift_reader tr;
	struct pq_page_header h;
	struct tq_err e;
	uint32_t out[1024];
	uint16_t lv[1024];
	int64_t dv[1024];
	size_t used, n, at_max;

	if (size < 2)
		return;
	n = data[1] * 4u;
	pq_rle_decode(data + 2, size - 2, data[0] % 33, out, n, &e);
	pq_rle_decode16(data + 2, size - 2, data[0] % 17, lv, n,
	    (uint16_t)(data[1] % 17), &at_max, &e);
	if (pq_delta_count(data, size, &n, &e) == 0 && n <= 1024)
		pq_delta_decode(data, size, dv, n, &used, &e);
	pq_page_header_decode(data, size, 0, &h, &used, &e);
	tq_thrift_reader_init(&tr, data, size, &e);
	tq_thrift_skip(&tr, TQ_THRIFT_STRUCT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	whole_file(data, size);
	decoders(data, size);
	return 0;
}
