/*
 * test-parquet.c: lib/parquet in isolation: the Thrift compact protocol
 * (including skipping unknown fields), the RLE/bit-packed hybrid and
 * DELTA_BINARY_PACKED against the examples of Encodings.md and random
 * round trips, DELTA_BYTE_ARRAY pages built by hand, the batch writer with
 * caller-shredded levels, reading columns back (values and dictionary
 * indices), pruning by statistics and by dictionary with the range reads
 * it costs, record assembly, the golden files of tests/data/parquet, and
 * damaged files, which must fail cleanly.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "parquet.h"
#include "parquet/parquet-int.h"
#include "t.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- Thrift ---- */

static void
test_thrift(void)
{
	struct tq_buf b;
	struct tq_thrift_writer w;
	struct tq_thrift_reader r;
	struct tq_err e;
	int16_t last = 0;
	int id, type, seen = 0, rc;
	int64_t big = 0;
	size_t len, cut;
	const uint8_t *s = NULL;

	tq_buf_init(&b, 1 << 16);
	tq_thrift_writer_init(&w, &b);
	tq_thrift_w_struct_begin(&w);
	tq_thrift_w_i32(&w, 1, -5);
	/* Unknown fields of every shape, to be skipped. */
	tq_thrift_w_list(&w, 2, TQ_THRIFT_STRUCT, 20);
	for (id = 0; id < 20; id++) {
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_binary(&w, 1, "abc", 3);
		tq_thrift_w_bool(&w, 2, id & 1);
		tq_thrift_w_struct_end(&w);
	}
	tq_thrift_w_i8(&w, 3, -2);
	tq_thrift_w_field(&w, 4, TQ_THRIFT_DOUBLE);
	tq_buf_append(&b, "\0\0\0\0\0\0\xf0\x3f", 8);
	tq_thrift_w_field(&w, 5, TQ_THRIFT_MAP);
	tq_buf_append(&b, "\x02\x85", 2);	/* 2 entries: binary -> i32 */
	tq_buf_append(&b, "\x01k\x02\x01q\x04", 6);
	tq_thrift_w_field(&w, 6, TQ_THRIFT_UUID);
	tq_buf_append(&b, "0123456789abcdef", 16);
	tq_thrift_w_list(&w, 7, TQ_THRIFT_TRUE, 3);
	tq_buf_append(&b, "\x01\x02\x01", 3);
	/* Field 300: long form, after a delta too large for short form. */
	tq_thrift_w_i64(&w, 300, INT64_MIN);
	tq_thrift_w_binary(&w, 301, "end", 3);
	tq_thrift_w_struct_end(&w);
	T_EQ_INT(w.rc, 0, "thrift: encode");

	tq_thrift_reader_init(&r, b.data, b.len, &e);
	T_EQ_INT(tq_thrift_struct_begin(&r), 0, "thrift: struct begins");
	while ((rc = tq_thrift_field(&r, &last, &id, &type)) > 0) {
		if (id == 1 && type == TQ_THRIFT_I32) {
			T_EQ_INT(tq_thrift_i32(&r), -5, "thrift: i32 field");
			seen++;
		} else if (id == 300 && type == TQ_THRIFT_I64) {
			big = tq_thrift_i64(&r);
			seen++;
		} else if (id == 301 && type == TQ_THRIFT_BINARY) {
			s = tq_thrift_binary(&r, &len);
			seen++;
		} else
			T_EQ_INT(tq_thrift_skip(&r, type), 0, "thrift: skip");
	}
	T_EQ_INT(rc, 0, "thrift: stop field ends the struct");
	T_EQ_INT(seen, 3, "thrift: known fields found around unknown ones");
	T_OK(big == INT64_MIN, "thrift: i64 with a long-form field id");
	T_OK(s != NULL && len == 3 && memcmp(s, "end", 3) == 0,
	    "thrift: binary after skipped fields");
	T_OK(r.p == r.end, "thrift: whole input consumed");

	/* Every truncation is an error, never a read past the end. */
	for (cut = 0; cut < b.len; cut++) {
		uint8_t *copy = malloc(cut + 1);

		memcpy(copy, b.data, cut);
		tq_thrift_reader_init(&r, copy, cut, &e);
		rc = tq_thrift_skip(&r, TQ_THRIFT_STRUCT);
		free(copy);
		if (rc != TQ_ECORRUPT)
			break;
	}
	T_EQ_INT(cut, b.len, "thrift: every truncation is TQ_ECORRUPT");
	tq_buf_release(&b);

	/* A deep nest of structs stops at the depth limit. */
	tq_buf_init(&b, 1 << 16);
	for (id = 0; id < 100; id++)
		tq_buf_putc(&b, 0x1c);
	tq_thrift_reader_init(&r, b.data, b.len, &e);
	T_EQ_INT(tq_thrift_skip(&r, TQ_THRIFT_STRUCT), TQ_ECORRUPT,
	    "thrift: nesting limit");
	tq_buf_release(&b);
}

/*
 * ref_skip is a plain reference for tq_thrift_skip: the end of a value of
 * type t at p, or NULL where the compact protocol (with our limits: depth,
 * varints of 10 bytes, field ids of 16 bits, element counts no more than
 * the bytes left) says it is bad.
 */
static const uint8_t *
ref_skip(const uint8_t *p, const uint8_t *end, int t, int depth)
{
	uint64_t n = 0, v, i;
	int shift, et, kt;

#define REF_VARINT(x) do {						\
		(x) = 0;						\
		for (shift = 0;; shift += 7) {				\
			if (p >= end || shift > 63)			\
				return NULL;				\
			(x) |= (uint64_t)(*p & 0x7f) << shift;		\
			if (*p++ < 0x80)				\
				break;					\
		}							\
	} while (0)
	if (t == TQ_THRIFT_TRUE || t == TQ_THRIFT_FALSE)
		return p;
	if (t == TQ_THRIFT_I8 || t == TQ_THRIFT_DOUBLE || t == TQ_THRIFT_UUID) {
		n = t == TQ_THRIFT_I8 ? 1 : t == TQ_THRIFT_DOUBLE ? 8 : 16;
		return (uint64_t)(end - p) >= n ? p + n : NULL;
	}
	if (t == TQ_THRIFT_I16 || t == TQ_THRIFT_I32 || t == TQ_THRIFT_I64) {
		REF_VARINT(v);
		return p;
	}
	if (t == TQ_THRIFT_BINARY) {
		REF_VARINT(n);
		return n <= (uint64_t)(end - p) ? p + n : NULL;
	}
	if (++depth > TQ_THRIFT_MAX_DEPTH)
		return NULL;
	if (t == TQ_THRIFT_STRUCT) {
		for (;;) {
			if (p >= end)
				return NULL;
			if ((v = *p++) == 0)
				return p;
			et = (int)(v & 0x0f);
			if ((v >> 4) == 0) {
				REF_VARINT(n);
				if ((int64_t)(n >> 1) > INT16_MAX + (int64_t)(n & 1))
					return NULL;
			}
			if (et == 0 || (p = ref_skip(p, end, et, depth)) == NULL)
				return NULL;
		}
	}
	if (t == TQ_THRIFT_LIST || t == TQ_THRIFT_SET) {
		if (p >= end)
			return NULL;
		et = *p & 0x0f;
		n = *p++ >> 4;
		if (n == 15)
			REF_VARINT(n);
		if (n > (uint64_t)(end - p))
			return NULL;
		kt = et;
		et = et == TQ_THRIFT_TRUE || et == TQ_THRIFT_FALSE ?
		    TQ_THRIFT_I8 : et;
		for (i = 0; i < n; i++)
			if (kt == 0 || (p = ref_skip(p, end, et, depth)) == NULL)
				return NULL;
		return p;
	}
	if (t == TQ_THRIFT_MAP) {
		REF_VARINT(n);
		if (n == 0)
			return p;
		if (n > (uint64_t)(end - p) || p >= end)
			return NULL;
		kt = *p >> 4;
		et = *p++ & 0x0f;
		for (i = 0; i < n; i++) {
			if (kt == 0 || et == 0 || (p = ref_skip(p, end,
			    kt == TQ_THRIFT_TRUE || kt == TQ_THRIFT_FALSE ?
			    TQ_THRIFT_I8 : kt, depth)) == NULL)
				return NULL;
			if ((p = ref_skip(p, end, et == TQ_THRIFT_TRUE ||
			    et == TQ_THRIFT_FALSE ? TQ_THRIFT_I8 : et,
			    depth)) == NULL)
				return NULL;
		}
		return p;
	}
#undef REF_VARINT
	return NULL;
}

/*
 * Skipping (a fast path, and a slow one for errors) agrees with ref_skip
 * on a struct of every shape changed one byte at a time, and a failure
 * names its byte.
 */
static void
test_thrift_skip_mutations(void)
{
	struct tq_thrift_writer w;
	struct tq_thrift_reader r;
	struct tq_buf b;
	struct tq_err e;
	const uint8_t *want;
	uint8_t *copy;
	size_t pos, bad = 0, failed = 0, tried = 0;
	int v, rc, id;

	tq_buf_init(&b, 1 << 16);
	tq_thrift_writer_init(&w, &b);
	tq_thrift_w_struct_begin(&w);
	tq_thrift_w_list(&w, 2, TQ_THRIFT_STRUCT, 3);
	for (id = 0; id < 3; id++) {
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_i64(&w, 1, 123456789);
		tq_thrift_w_list(&w, 2, TQ_THRIFT_BINARY, 2);
		tq_thrift_w_bytes(&w, "rs", 2);
		tq_thrift_w_bytes(&w, "element", 7);
		tq_thrift_w_list(&w, 3, TQ_THRIFT_I32, 2);
		tq_thrift_w_varint_i32(&w, 8);
		tq_thrift_w_varint_i32(&w, -300);
		tq_thrift_w_bool(&w, 4, true);
		tq_thrift_w_struct_end(&w);
	}
	tq_thrift_w_field(&w, 3, TQ_THRIFT_MAP);
	tq_buf_append(&b, "\x01\x85\x01k\x02", 5);
	tq_thrift_w_field(&w, 4, TQ_THRIFT_DOUBLE);
	tq_buf_append(&b, "\0\0\0\0\0\0\xf0\x3f", 8);
	tq_thrift_w_list(&w, 5, TQ_THRIFT_TRUE, 2);
	tq_buf_append(&b, "\x01\x02", 2);
	tq_thrift_w_i32(&w, 400, 7);
	tq_thrift_w_struct_end(&w);
	T_EQ_INT(w.rc, 0, "thrift mutations: encode");
	copy = malloc(b.len);
	for (pos = 0; pos < b.len; pos++)
		for (v = 0; v < 256; v++) {
			memcpy(copy, b.data, b.len);
			copy[pos] = (uint8_t)v;
			want = ref_skip(copy, copy + b.len, TQ_THRIFT_STRUCT, 0);
			tq_thrift_reader_init(&r, copy, b.len, &e);
			rc = tq_thrift_skip(&r, TQ_THRIFT_STRUCT);
			tried++;
			if (rc != 0) {
				failed++;
				if (want != NULL || rc != TQ_ECORRUPT ||
				    strstr(e.msg, " at byte ") == NULL)
					bad++;
			} else if (want != r.p)
				bad++;
		}
	free(copy);
	T_EQ_INT(bad, 0, "thrift mutations: skip agrees with the reference");
	T_OK(failed > tried / 10 && failed < tried,
	    "thrift mutations: some fail, some pass");

	/* A bad type deep inside: the error names that byte. */
	tq_buf_reset(&b);
	tq_thrift_writer_init(&w, &b);
	tq_thrift_w_struct_begin(&w);
	tq_thrift_w_list(&w, 1, TQ_THRIFT_STRUCT, 1);
	tq_thrift_w_struct_begin(&w);
	tq_thrift_w_binary(&w, 1, "abc", 3);
	tq_buf_putc(&b, 0x1e);		/* field 2 of type 14 */
	tq_thrift_reader_init(&r, b.data, b.len, &e);
	T_EQ_INT(tq_thrift_skip(&r, TQ_THRIFT_STRUCT), TQ_ECORRUPT,
	    "thrift: a bad type in a list's struct");
	T_OK(strstr(e.msg, "bad field type at byte 8") != NULL,
	    "thrift: the error names its byte");
	tq_buf_release(&b);
}

/* ---- Encodings ---- */

static void
test_rle(void)
{
	/* Encodings.md: 0..7 bit-packed with bit width 3. */
	static const uint8_t ex[] = { 0x03, 0x88, 0xc6, 0xfa };
	uint32_t out[64], vals[5000], back[5000];
	struct tq_buf b;
	struct tq_err e;
	int i, bw, ok = 1, trial;

	T_EQ_INT(pq_rle_decode(ex, sizeof(ex), 3, out, 8, &e), 0,
	    "rle: spec example decodes");
	for (i = 0; i < 8; i++)
		ok &= out[i] == (uint32_t)i;
	T_OK(ok, "rle: spec example gives 0..7");
	T_EQ_INT(pq_rle_decode(ex, sizeof(ex), 3, out, 9, &e), TQ_ECORRUPT,
	    "rle: asking for more than is there fails");
	/* A run of 300 sevens: header 600 varint, value byte. */
	T_EQ_INT(pq_rle_decode((const uint8_t *)"\xd8\x04\x07", 3, 3, out, 64,
	    &e), 0, "rle: run decodes");
	T_OK(out[0] == 7 && out[63] == 7, "rle: run value");
	T_EQ_INT(pq_rle_decode((const uint8_t *)"\x04\x09", 2, 3, out, 2, &e),
	    TQ_ECORRUPT, "rle: run value wider than the bit width");

	for (trial = 0; trial < 200; trial++) {
		size_t n = 1 + rnd() % 5000, k;

		bw = (int)(rnd() % 21);
		for (k = 0; k < n; k++) {
			/* Mix runs and noise. */
			if (k > 0 && rnd() % 4 != 0)
				vals[k] = vals[k - 1];
			else
				vals[k] = bw ? (uint32_t)(rnd() & ((1u << bw) - 1)) : 0;
		}
		tq_buf_init(&b, 1 << 20);
		if (pq_rle_encode(vals, n, bw, &b) != 0 ||
		    pq_rle_decode(b.data, b.len, bw, back, n, &e) != 0 ||
		    memcmp(vals, back, n * 4) != 0)
			ok = 0;
		tq_buf_release(&b);
	}
	T_OK(ok, "rle: 200 random round trips");
}

/*
 * Levels have encoders of their own for bit widths 1 to 4: they must
 * give the bytes the general encoder gives (runs, groups, the padded
 * last group, 63-group literal runs) and read back.
 */
static void
test_rle_levels(void)
{
	static uint16_t lv[3000], back[3000];
	static uint32_t wide[3000];
	struct tq_buf b16, b32;
	struct tq_err e;
	size_t at_max, want_max;
	int trial, same = 1, round = 1, uncounted = 1;

	for (trial = 0; trial < 400; trial++) {
		size_t n = 1 + rnd() % 3000, k;
		int bw = 1 + trial % 6;
		uint16_t max = (uint16_t)((1u << bw) - 1);

		/* Long runs, short runs and noise, by trial. */
		for (k = 0; k < n; k++) {
			if (k > 0 && rnd() % (2 + trial % 16) != 0)
				lv[k] = lv[k - 1];
			else
				lv[k] = (uint16_t)(rnd() % (max + 1u));
			wide[k] = lv[k];
		}
		tq_buf_init(&b16, 1 << 20);
		tq_buf_init(&b32, 1 << 20);
		if (pq_rle_encode16(lv, n, bw, &b16) != 0 ||
		    pq_rle_encode(wide, n, bw, &b32) != 0 ||
		    b16.len != b32.len || memcmp(b16.data, b32.data,
		    b16.len) != 0)
			same = 0;
		for (k = 0, want_max = 0; k < n; k++)
			want_max += lv[k] == max;
		if (pq_rle_decode16(b16.data, b16.len, bw, back, n, max, &at_max,
		    &e) != 0 || memcmp(lv, back, n * sizeof(*lv)) != 0 ||
		    at_max != want_max)
			round = 0;
		/* Uncounted, as repetition levels: the same levels; with a
		 * maximum below bw bits' (one less), an error when one is
		 * above it. */
		if (pq_rle_decode16(b16.data, b16.len, bw, back, n, max, NULL,
		    &e) != 0 || memcmp(lv, back, n * sizeof(*lv)) != 0 ||
		    (pq_rle_decode16(b16.data, b16.len, bw, back, n,
		    (uint16_t)(max - 1), NULL, &e) == TQ_ECORRUPT) !=
		    (want_max > 0))
			uncounted = 0;
		tq_buf_release(&b16);
		tq_buf_release(&b32);
	}
	T_OK(same, "rle levels: 16-bit encoders give the general bytes");
	T_OK(round, "rle levels: 400 random round trips, levels at the "
	    "maximum counted");
	T_OK(uncounted, "rle levels: uncounted, the same levels, and any "
	    "above the maximum refused");
}

static void
test_delta(void)
{
	/* Encodings.md example 1: 1, 2, 3, 4, 5. */
	static const uint8_t ex[] = { 0x80, 0x01, 0x04, 0x05, 0x02, 0x02,
	    0x00, 0x00, 0x00, 0x00 };
	static int64_t v[3000], back[3000];
	struct tq_buf b;
	struct tq_err e;
	size_t used, n, k;
	int trial, ok = 1;

	T_EQ_INT(pq_delta_decode(ex, sizeof(ex), back, 5, &used, &e), 0,
	    "delta: spec example decodes");
	T_OK(back[0] == 1 && back[4] == 5 && used == sizeof(ex),
	    "delta: spec example values and size");
	T_EQ_INT(pq_delta_decode(ex, sizeof(ex), back, 4, &used, &e),
	    TQ_ECORRUPT, "delta: count mismatch is corrupt");
	T_EQ_INT(pq_delta_decode(ex, 3, back, 5, &used, &e), TQ_ECORRUPT,
	    "delta: truncated header");

	for (trial = 0; trial < 200; trial++) {
		bool is32 = trial % 2;

		n = rnd() % 3000;
		for (k = 0; k < n; k++) {
			switch (rnd() % 4) {
			case 0: v[k] = (int64_t)rnd(); break;
			case 1: v[k] = k ? (int64_t)((uint64_t)v[k - 1] + 1) : 0; break;
			case 2: v[k] = (int64_t)(rnd() % 100) - 50; break;
			default: v[k] = trial & 4 ? INT64_MIN : INT64_MAX;
			}
			if (is32)
				v[k] = (int32_t)v[k];
		}
		tq_buf_init(&b, 1 << 24);
		if (pq_delta_encode(v, n, is32, &b) != 0 ||
		    pq_delta_decode(b.data, b.len, back, n, &used, &e) != 0 ||
		    used != b.len)
			ok = 0;
		for (k = 0; ok && k < n; k++)
			if ((is32 ? (int32_t)back[k] : back[k]) != v[k])
				ok = 0;
		tq_buf_release(&b);
	}
	T_OK(ok, "delta: 200 random round trips, 32 and 64 bit");
}

/* ---- Files in memory ---- */

struct mem {
	struct tq_buf	 b;
	unsigned	 reads;
	size_t		 bytes;
};

static int
mem_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	struct mem *m = arg;

	(void)err;
	return tq_buf_append(&m->b, p, len);
}

static int
mem_read(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct mem *m = arg;

	if (off > m->b.len || len > m->b.len - off)
		return tq_err_set(err, TQ_EIO, "read past the end");
	memcpy(dst, m->b.data + off, len);
	m->reads++;
	m->bytes += len;
	return 0;
}

/*
 * Schema: root { id INT64; tags LIST<optional STRING>; }.  Columns: id
 * (0/0) and tags.list.element (def 3, rep 1).
 */
static const struct tq_parquet_node nested[] = {
	{ "schema", 0, 2, 0, 0, { 0 } },
	{ "id", TQ_PARQUET_REQUIRED, 0, TQ_PARQUET_INT64, 0, { 0 } },
	{ "tags", TQ_PARQUET_OPTIONAL, 1, 0, 0, { .kind = TQ_PARQUET_LT_LIST } },
	{ "list", TQ_PARQUET_REPEATED, 1, 0, 0, { 0 } },
	{ "element", TQ_PARQUET_OPTIONAL, 0, TQ_PARQUET_BYTE_ARRAY, 0,
	    { .kind = TQ_PARQUET_LT_STRING } },
};

/* Three columns under one list: they often have the same levels. */
static const struct tq_parquet_node three[] = {
	{ "schema", 0, 1, 0, 0, { 0 } },
	{ "l", TQ_PARQUET_REPEATED, 3, 0, 0, { 0 } },
	{ "a", TQ_PARQUET_OPTIONAL, 0, TQ_PARQUET_INT64, 0, { 0 } },
	{ "b", TQ_PARQUET_OPTIONAL, 0, TQ_PARQUET_INT64, 0, { 0 } },
	{ "c", TQ_PARQUET_OPTIONAL, 0, TQ_PARQUET_INT64, 0, { 0 } },
};

#define SL_RECS		3000
#define SL_MAX		(4 * SL_RECS)

/* Entries [lo, hi) of a chunk are wanted; pages are counted as asked. */
struct want_range {
	size_t	lo, hi, asked, next;
	bool	in_order;
};

static bool
want_range(void *arg, size_t first, size_t n)
{
	struct want_range *w = arg;

	w->in_order &= first == w->next;
	w->next = first + n;
	w->asked++;
	return first < w->hi && first + n > w->lo;
}

/*
 * some_pages reads column col of r (one row group of small pages, the
 * levels and values given) twice in part: the pages holding entries in
 * the middle third, then none.  The parts hold those entries as written,
 * start records, and leave the other pages undecoded.
 */
static void
some_pages(struct tq_parquet_reader *r, int col, const uint16_t *def,
    const uint16_t *rep, const int64_t *val, size_t n)
{
	struct want_range w = { .lo = n / 3, .hi = n / 2, .in_order = true };
	struct tq_parquet_column c;
	struct tq_err e;
	size_t p, i, covered = 0, values = 0, v0, vi;
	int ok = 1;

	if (tq_parquet_reader_read_some(r, 0, col, 0, want_range, &w, &c,
	    &e) != 0) {
		T_OK(0, "some pages: read");
		return;
	}
	ok &= w.in_order && w.asked > 3 && c.n_parts >= 1;
	for (p = 0; ok && p < c.n_parts; p++) {
		const struct tq_parquet_part *pt = &c.parts[p];

		ok &= pt->first <= w.lo && pt->first + pt->n >= w.hi &&
		    rep[pt->first] == 0 && pt->level == covered;
		/* Values before the part, in the chunk. */
		for (i = 0, v0 = 0; i < pt->first; i++)
			v0 += def[i] == 2;
		ok &= pt->value == values;
		for (i = 0, vi = 0; ok && i < pt->n; i++) {
			size_t at = pt->first + i;

			ok &= c.def[pt->level + i] == def[at] &&
			    c.rep[pt->level + i] == rep[at];
			if (def[at] == 2) {
				ok &= c.i64[pt->value + vi] == val[v0 + vi];
				vi++;
			}
		}
		covered += pt->n;
		values += vi;
	}
	ok &= c.n_levels == covered && c.n_values == values && covered < n;
	T_OK(ok, "some pages: the wanted pages alone, as written");
	w.lo = w.hi = n + 1;
	w.asked = w.next = 0;
	if (tq_parquet_reader_read_some(r, 0, col, TQ_PARQUET_READ_REUSE,
	    want_range, &w, &c, &e) != 0)
		ok = 0;
	T_OK(ok && c.n_parts == 0 && c.n_levels == 0 && c.n_values == 0 &&
	    w.asked > 3, "some pages: none wanted, none decoded");
	tq_parquet_column_release(&c);
}

/*
 * no_rep reads column col of r (its levels and values given) without its
 * repetition levels: none are kept, the rest is as written; a partial read
 * cannot do without them.
 */
static void
no_rep(struct tq_parquet_reader *r, int col, const uint16_t *def,
    const int64_t *val, size_t n)
{
	struct want_range w = { .lo = 0, .hi = n };
	struct tq_parquet_column c;
	struct tq_err e;
	size_t i, at = 0;
	int ok;

	if (tq_parquet_reader_read_column(r, 0, col, TQ_PARQUET_READ_NO_REP,
	    &c, &e) != 0) {
		T_OK(0, "no rep: read");
		return;
	}
	ok = c.rep == NULL && c.n_levels == n;
	for (i = 0; ok && i < n; i++) {
		ok &= c.def[i] == def[i];
		if (def[i] == 2) {
			ok &= at < c.n_values && c.i64[at] == val[at];
			at++;
		}
	}
	T_OK(ok && c.n_values == at, "no rep: no repetition levels, the "
	    "definition levels and values as written");
	T_OK(tq_parquet_reader_read_some(r, 0, col, TQ_PARQUET_READ_NO_REP |
	    TQ_PARQUET_READ_REUSE, want_range, &w, &c, &e) == TQ_EINVAL,
	    "no rep: refused for a partial read");
	tq_parquet_column_release(&c);
}

/*
 * READ_DEF_IF_NULLS, for v1 and v2 pages: columns of records of 1 to 3
 * elements, each with a value (a), or with nulls only in the last fifth
 * (b, pages of none before pages of some).  a keeps no definition
 * levels, whole or in part; b keeps them all once a null shows; values as
 * written either way.
 */
static void
test_def_if_nulls(int version)
{
	static uint16_t def[2][SL_MAX], rep[2][SL_MAX];
	static int64_t val[2][SL_MAX];
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_write_opts o = { .codec = TQ_PARQUET_UNCOMPRESSED,
	    .page_version = version, .page_size = 300 };
	struct want_range wr;
	struct tq_parquet_column c;
	size_t n = 0, nv[2] = { 0, 0 }, rec, k, i, col, at;
	struct tq_err e;
	struct mem m;
	int ok, flags = TQ_PARQUET_READ_DEF_IF_NULLS;

	for (rec = 0; rec < SL_RECS; rec++) {
		size_t len = 1 + rnd() % 3;

		for (k = 0; k < len; k++, n++) {
			rep[0][n] = rep[1][n] = k == 0 ? 0 : 1;
			def[0][n] = 2;
			def[1][n] = rec >= SL_RECS * 4 / 5 && rnd() % 3 == 0 ?
			    1 : 2;
		}
	}
	for (col = 0; col < 2; col++)
		for (k = 0; k < n; k++)
			if (def[col][k] == 2)
				val[col][nv[col]++] = (int64_t)(rnd() % 1000);
	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 24);
	ok = tq_parquet_schema_new(three, 5, &s, &e) == 0 &&
	    tq_parquet_writer_new(s, &o, mem_write, &m, &w, &e) == 0;
	for (col = 0; ok && col < 3; col++) {
		struct tq_parquet_batch b;

		memset(&b, 0, sizeof(b));
		b.n_levels = n;
		b.def = def[col % 2];
		b.rep = rep[col % 2];
		b.n_values = nv[col % 2];
		b.i64 = val[col % 2];
		ok = tq_parquet_writer_write(w, (int)col, &b, &e) == 0;
	}
	ok = ok && tq_parquet_writer_end_rows(w, SL_RECS, &e) == 0 &&
	    tq_parquet_writer_close(w, &e) == 0 &&
	    tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e) == 0;
	T_OK(ok, version == 1 ? "def if nulls v1: written and opened" :
	    "def if nulls v2: written and opened");
	if (!ok)
		goto out;
	memset(&c, 0, sizeof(c));
	for (col = 0; col < 2; col++) {
		ok = tq_parquet_reader_read_column(r, 0, (int)col, flags |
		    TQ_PARQUET_READ_REUSE, &c, &e) == 0 && c.n_levels == n &&
		    c.n_values == nv[col] && (c.def == NULL) == (col == 0);
		for (i = 0, at = 0; ok && i < n; i++) {
			ok &= c.rep[i] == rep[col][i] &&
			    (c.def == NULL || c.def[i] == def[col][i]);
			if (def[col][i] == 2) {
				ok &= c.i64[at] == val[col][at];
				at++;
			}
		}
		T_OK(ok, col ? "def if nulls: with a null, every level kept" :
		    "def if nulls: without, no definition levels");
	}
	/* The middle third of a, in part. */
	memset(&wr, 0, sizeof(wr));
	wr.lo = n / 3;
	wr.hi = 2 * n / 3;
	ok = tq_parquet_reader_read_some(r, 0, 0, flags |
	    TQ_PARQUET_READ_REUSE, want_range, &wr, &c, &e) == 0 &&
	    c.def == NULL && c.n_parts > 0 && c.n_levels < n;
	for (k = 0; ok && k < c.n_parts; k++) {
		const struct tq_parquet_part *pt = &c.parts[k];

		ok &= pt->value == pt->level && pt->level + pt->n <= c.n_levels;
		for (i = 0; ok && i < pt->n; i++)
			ok &= c.i64[pt->value + i] == val[0][pt->first + i];
	}
	T_OK(ok, "def if nulls: in part, values as written");
	tq_parquet_column_release(&c);
out:
	tq_parquet_reader_free(r);
	tq_parquet_writer_free(w);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

/*
 * The writer reuses the encoding of levels equal to ones just encoded,
 * of another column or page: columns a and b written in turns, in small
 * pages (cut between batches and at flush), with levels now the same and
 * now not; c in one batch of records of one level each, empty or a null,
 * whose pages (of as many levels, in the same buffer) differ.  All read
 * back as written.
 */
static void
test_shared_levels(void)
{
	static uint16_t def[3][SL_MAX], rep[3][SL_MAX];
	static int64_t val[3][SL_MAX];
	static size_t start[3][SL_RECS + 1];
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_write_opts o = { .codec = TQ_PARQUET_UNCOMPRESSED,
	    .page_version = 1, .page_size = 300 };
	struct tq_parquet_column c;
	size_t n[3] = { 0, 0, 0 }, nv[3] = { 0, 0, 0 }, rec, k, i, col, at;
	struct tq_err e;
	struct mem m;
	int ok = 1, written = 1, read = 1;

	/* Records of 0 to 3 elements; b copies a's levels in runs of
	 * records. */
	for (col = 0; col < 3; col++)
		for (rec = 0; rec < SL_RECS; rec++) {
			size_t len = rnd() % 4;

			start[col][rec] = n[col];
			if (col == 2) {
				rep[2][n[2]] = 0;
				def[2][n[2]++] = rnd() % 2;
				continue;
			}
			if (col == 1 && (rec / 20) % 2 == 0) {
				for (k = start[0][rec]; k < start[0][rec + 1]; k++) {
					rep[1][n[1]] = rep[0][k];
					def[1][n[1]++] = def[0][k];
				}
				continue;
			}
			if (len == 0) {
				rep[col][n[col]] = 0;
				def[col][n[col]++] = 0;
			}
			for (k = 0; k < len; k++) {
				rep[col][n[col]] = k == 0 ? 0 : 1;
				def[col][n[col]++] = rnd() % 3 == 0 ? 1 : 2;
			}
			/* b copies the end of a's last record too. */
			if (col == 0 && rec + 1 == SL_RECS)
				start[0][SL_RECS] = n[0];
		}
	for (col = 0; col < 3; col++) {
		start[col][SL_RECS] = n[col];
		for (k = 0; k < n[col]; k++)
			if (def[col][k] == 2)
				val[col][nv[col]++] = (int64_t)(rnd() % 1000);
	}
	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 24);
	if (tq_parquet_schema_new(three, 5, &s, &e) != 0 ||
	    tq_parquet_writer_new(s, &o, mem_write, &m, &w, &e) != 0) {
		T_OK(0, "shared levels: writer");
		goto out;
	}
	/* a and b in turns, 37 records at a time; c at once. */
	for (rec = 0; rec < SL_RECS; rec += 37)
		for (col = 0; col < 3; col++) {
			size_t end = rec + 37 < SL_RECS ? rec + 37 : SL_RECS;
			size_t a = start[col][rec], z = start[col][end], v0 = 0;
			struct tq_parquet_batch b;

			if (col == 2) {
				if (rec > 0)
					continue;
				z = start[2][SL_RECS];
			}

			for (k = 0; k < a; k++)
				v0 += def[col][k] == 2;
			memset(&b, 0, sizeof(b));
			b.n_levels = z - a;
			b.def = def[col] + a;
			b.rep = rep[col] + a;
			for (k = a; k < z; k++)
				b.n_values += def[col][k] == 2;
			b.i64 = val[col] + v0;
			if (tq_parquet_writer_write(w, (int)col, &b, &e) != 0)
				written = 0;
		}
	if (tq_parquet_writer_end_rows(w, SL_RECS, &e) != 0 ||
	    tq_parquet_writer_close(w, &e) != 0)
		written = 0;
	T_OK(written, "shared levels: written");
	if (tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e) != 0) {
		T_OK(0, "shared levels: reader");
		goto out;
	}
	for (col = 0; col < 3; col++) {
		if (tq_parquet_reader_read_column(r, 0, (int)col, 0, &c,
		    &e) != 0) {
			read = 0;
			continue;
		}
		if (c.n_levels != n[col] || c.n_values != nv[col])
			ok = 0;
		for (i = 0, at = 0; ok && i < n[col]; i++) {
			ok &= c.def[i] == def[col][i] && c.rep[i] == rep[col][i];
			if (def[col][i] == 2) {
				ok &= c.i64[at] == val[col][at];
				at++;
			}
		}
		tq_parquet_column_release(&c);
	}
	T_OK(read, "shared levels: read");
	T_OK(ok, "shared levels: levels and values as written");
	some_pages(r, 0, def[0], rep[0], val[0], n[0]);
	no_rep(r, 0, def[0], val[0], n[0]);
out:
	tq_parquet_reader_free(r);
	tq_parquet_writer_free(w);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

static void
test_batch_write_read(void)
{
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_write_opts o = { .codec = TQ_PARQUET_SNAPPY,
	    .page_version = 2, .page_size = 64 };
	struct tq_parquet_column c, c2;
	struct tq_err e;
	struct mem m;
	/* Rows: {1,[a,null]} {2,null} {3,[]} {4,[b,a,c]} */
	static const uint16_t def[] = { 3, 2, 0, 1, 3, 3, 3 };
	static const uint16_t rep[] = { 0, 1, 0, 0, 0, 1, 1 };
	static const uint32_t off[] = { 0, 1, 2, 3, 4 };
	static const int64_t ids[] = { 1, 2, 3, 4 };
	static const uint16_t bad_def[] = { 4 };
	struct tq_parquet_batch b1 = { .n_levels = 3, .def = def, .rep = rep,
	    .n_values = 1, .off = off, .data = (const uint8_t *)"abac" };
	struct tq_parquet_batch b2 = { .n_levels = 4, .def = def + 3,
	    .rep = rep + 3, .n_values = 3, .off = off + 1,
	    .data = (const uint8_t *)"abac" };
	struct tq_parquet_batch bi = { .n_levels = 4, .n_values = 4,
	    .i64 = ids };
	struct tq_parquet_batch bad = { .n_levels = 1, .def = bad_def,
	    .rep = rep, .n_values = 0 };
	int ok = 1;
	size_t i;

	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 20);
	T_EQ_INT(tq_parquet_schema_new(nested, 5, &s, &e), 0, "schema: builds");
	T_EQ_INT(s->n_columns, 2, "schema: two columns");
	T_EQ_STR(s->columns[1].path, "tags.list.element", "schema: dotted path");
	T_OK(s->columns[1].max_def == 3 && s->columns[1].max_rep == 1,
	    "schema: levels of a LIST of optional strings");
	T_EQ_INT(tq_parquet_schema_find(s, "id"), 0, "schema: find");
	T_EQ_INT(tq_parquet_writer_new(s, &o, mem_write, &m, &w, &e), 0,
	    "writer: new");
	T_EQ_INT(tq_parquet_writer_write(w, 1, &bad, &e), TQ_EINVAL,
	    "writer: a level above the maximum is refused");
	b1.n_values = 2;
	T_EQ_INT(tq_parquet_writer_write(w, 1, &b1, &e), TQ_EINVAL,
	    "writer: a value count that does not match is refused");
	b1.n_values = 1;
	/* The first batch ends inside record 2: batches may split records. */
	T_EQ_INT(tq_parquet_writer_write(w, 1, &b1, &e), 0, "writer: batch 1");
	T_EQ_INT(tq_parquet_writer_write(w, 1, &b2, &e), 0, "writer: batch 2");
	T_EQ_INT(tq_parquet_writer_end_rows(w, 4, &e), 0, "writer: end rows");
	T_EQ_INT(tq_parquet_writer_flush(w, &e), TQ_EINVAL,
	    "writer: a column short of records is refused at flush");
	T_EQ_INT(tq_parquet_writer_write(w, 0, &bi, &e), 0, "writer: ids");
	T_EQ_INT(tq_parquet_writer_add_kv(w, "k", "v", &e), 0, "writer: kv");
	T_EQ_INT(tq_parquet_writer_close(w, &e), 0, "writer: close");
	tq_parquet_writer_free(w);

	T_EQ_INT(tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e), 0,
	    "reader: open");
	T_EQ_INT(m.reads, 1, "reader: a small file's footer takes one read");
	T_EQ_INT(tq_parquet_reader_num_rows(r), 4, "reader: rows");
	T_EQ_INT(tq_parquet_reader_num_kv(r), 1, "reader: key-value pairs");
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 1, 0, &c, &e), 0,
	    "reader: read tags");
	T_EQ_INT(c.n_levels, 7, "reader: level count");
	for (i = 0; i < 7; i++)
		ok &= c.def[i] == def[i] && c.rep[i] == rep[i];
	T_OK(ok, "reader: levels as written");
	T_OK(c.n_values == 4 && c.off[4] == 4 && memcmp(c.data, "abac", 4) == 0,
	    "reader: values as written");
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 1,
	    TQ_PARQUET_READ_DICT_INDICES, &c2, &e), 0, "reader: as indices");
	T_OK(c2.idx != NULL && c2.dict != NULL && c2.dict->n_values == 3 &&
	    c2.idx[0] == c2.idx[2] && c2.idx[1] != c2.idx[0],
	    "reader: dictionary indices and dictionary");
	tq_parquet_column_release(&c);
	tq_parquet_column_release(&c2);
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 0, 0, &c, &e), 0,
	    "reader: read ids");
	T_OK(c.def == NULL && c.rep == NULL && c.n_values == 4 &&
	    c.i64[3] == 4, "reader: required column has no levels");
	tq_parquet_column_release(&c);
	T_EQ_INT(tq_parquet_reader_read_column(r, 1, 0, 0, &c, &e), TQ_EINVAL,
	    "reader: no such row group");
	tq_parquet_reader_free(r);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

/* What a chunk callback saw. */
struct chunks {
	unsigned	 calls[2];	/* by column */
	size_t		 dict_n[2];	/* of the last call */
	char		 dict[64];	/* column 1's entries, joined by '|' */
	uint32_t	 encodings[2];
};

static int
on_chunk(void *arg, int col, const struct tq_parquet_chunk *meta,
    const uint8_t *dict, size_t dict_len, size_t dict_n, struct tq_err *err)
{
	struct chunks *k = arg;
	size_t at = 0, i, o = 0;
	uint32_t len;

	(void)err;
	if (col < 0 || col > 1)
		return TQ_EINVAL;
	k->calls[col]++;
	k->dict_n[col] = dict_n;
	k->encodings[col] = meta->data_encodings;
	if (col != 1 || dict == NULL)
		return 0;
	for (i = 0; i < dict_n && at + 4 <= dict_len; i++) {
		memcpy(&len, dict + at, 4);
		if (len > dict_len - at - 4 || o + len + 1 >= sizeof(k->dict))
			return TQ_EINVAL;
		memcpy(k->dict + o, dict + at + 4, len);
		o += len;
		k->dict[o++] = '|';
		at += 4 + len;
	}
	k->dict[o] = '\0';
	return 0;
}

/*
 * write_tags writes test_batch_write_read's rows with levels apart or
 * packed (lv) into m, in two batches, first offering the bad ones, which
 * must change nothing; k (not NULL) watches the chunks.  Returns the
 * number of checks that failed.
 */
static int
write_tags(const struct tq_parquet_schema *s, size_t page_size, bool packed,
    struct mem *m, struct chunks *k)
{
	struct tq_parquet_write_opts o = { .codec = TQ_PARQUET_ZSTD,
	    .page_size = page_size };
	struct tq_parquet_writer *w = NULL;
	struct tq_err e;
	static const uint16_t def[] = { 3, 2, 0, 1, 3, 3, 3 };
	static const uint16_t rep[] = { 0, 1, 0, 0, 0, 1, 1 };
	static const uint32_t off[] = { 0, 1, 2, 3, 4 };
	static const int64_t ids[] = { 1, 2, 3, 4 };
	uint32_t lv[7], bad_lv[2] = { 4, 0 }, cont_lv[1] = { 3 | 1u << 16 };
	struct tq_parquet_batch b1 = { .n_levels = 3, .n_values = 1,
	    .off = off, .data = (const uint8_t *)"abac" };
	struct tq_parquet_batch b2 = { .n_levels = 4, .n_values = 3,
	    .off = off + 1, .data = (const uint8_t *)"abac" };
	struct tq_parquet_batch bi = { .n_levels = 4, .n_values = 4,
	    .i64 = ids };
	struct tq_parquet_batch bad = { .n_levels = 2, .lv = bad_lv };
	struct tq_parquet_batch cont = { .n_levels = 1, .lv = cont_lv,
	    .n_values = 1, .off = off, .data = (const uint8_t *)"a" };
	struct tq_parquet_batch both = { .n_levels = 1, .def = def,
	    .rep = rep, .lv = lv };
	int fails = 0;
	size_t i;

	for (i = 0; i < 7; i++)
		lv[i] = def[i] | (uint32_t)rep[i] << 16;
	if (packed) {
		b1.lv = lv;
		b2.lv = lv + 3;
	} else {
		b1.def = def;
		b1.rep = rep;
		b2.def = def + 3;
		b2.rep = rep + 3;
	}
	if (k != NULL) {
		o.on_chunk = on_chunk;
		o.chunk_arg = k;
	}
	tq_buf_reset(&m->b);
	if (tq_parquet_writer_new(s, &o, mem_write, m, &w, &e) != 0)
		return 1;
	fails += tq_parquet_writer_write(w, 1, &bad, &e) != TQ_EINVAL;
	fails += tq_parquet_writer_write(w, 1, &both, &e) != TQ_EINVAL;
	/* A record's continuation cannot open a column. */
	fails += tq_parquet_writer_write(w, 1, &cont, &e) != TQ_EINVAL;
	b1.n_values = 2;
	fails += tq_parquet_writer_write(w, 1, &b1, &e) != TQ_EINVAL;
	b1.n_values = 1;
	fails += tq_parquet_writer_write(w, 1, &b1, &e) != 0;
	fails += tq_parquet_writer_write(w, 1, &b2, &e) != 0;
	fails += tq_parquet_writer_write(w, 0, &bi, &e) != 0;
	fails += tq_parquet_writer_end_rows(w, 4, &e) != 0;
	fails += tq_parquet_writer_close(w, &e) != 0;
	tq_parquet_writer_free(w);
	return fails;
}

/*
 * Levels packed as def | rep << 16 make the very file that levels apart
 * do, whether a batch fits the open page or pages are cut inside it, and
 * bad packed levels are refused as bad levels apart are; a chunk
 * callback sees each chunk with its dictionary.
 */
static void
test_packed_levels(void)
{
	struct tq_parquet_schema *s = NULL;
	struct chunks k;
	struct tq_err e;
	struct mem m, mp;
	size_t ps;

	memset(&m, 0, sizeof(m));
	memset(&mp, 0, sizeof(mp));
	tq_buf_init(&m.b, 1 << 20);
	tq_buf_init(&mp.b, 1 << 20);
	T_EQ_INT(tq_parquet_schema_new(nested, 5, &s, &e), 0, "packed: schema");
	for (ps = 4; ps <= 4096; ps *= 32) {
		T_EQ_INT(write_tags(s, ps, false, &m, NULL), 0,
		    ps == 4 ? "packed: levels apart, bad refused, tiny pages" :
		    "packed: levels apart, bad refused");
		T_EQ_INT(write_tags(s, ps, true, &mp, NULL), 0,
		    ps == 4 ? "packed: levels packed, bad refused, tiny pages" :
		    "packed: levels packed, bad refused");
		T_OK(m.b.len == mp.b.len && memcmp(m.b.data, mp.b.data,
		    m.b.len) == 0, ps == 4 ? "packed: the same file, tiny pages" :
		    "packed: the same file");
	}
	memset(&k, 0, sizeof(k));
	T_EQ_INT(write_tags(s, 4096, true, &mp, &k), 0, "chunks: written");
	T_OK(k.calls[0] == 1 && k.calls[1] == 1, "chunks: one call a chunk");
	T_EQ_STR(k.dict, "a|b|c|", "chunks: the dictionary's entries in order");
	T_OK(k.dict_n[1] == 3 && k.dict_n[0] == 4,
	    "chunks: dictionary sizes");
	T_EQ_INT(k.encodings[1], 1u << TQ_PARQUET_RLE_DICTIONARY,
	    "chunks: data pages' encodings");
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
	tq_buf_release(&mp.b);
}

/* Flat schema for pruning: { n INT64, s STRING }. */
static const struct tq_parquet_node flat[] = {
	{ "schema", 0, 2, 0, 0, { 0 } },
	{ "n", TQ_PARQUET_REQUIRED, 0, TQ_PARQUET_INT64, 0, { 0 } },
	{ "s", TQ_PARQUET_OPTIONAL, 0, TQ_PARQUET_BYTE_ARRAY, 0,
	    { .kind = TQ_PARQUET_LT_STRING } },
};

/*
 * The writer's dictionary guesses each value from the one before (the
 * same again, or what came after it last time): values that follow the
 * pattern, break it, repeat and are absent must all read back as
 * written, one dictionary entry per distinct value.
 */
static void
test_dict_guesses(void)
{
	static const char *const word[5] = { "a", "bb", "ccc",
	    "a much longer value, past sixteen bytes", "" };
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_column c, ci;
	struct tq_buf data;
	struct tq_err e;
	struct mem m;
	enum { N = 600 };
	uint16_t def[N];
	uint32_t off[N + 1];
	int64_t n[N];
	int which[N], ok = 1;
	size_t i, k, v = 0;
	struct tq_parquet_batch bn = { .n_levels = N, .n_values = N, .i64 = n };
	struct tq_parquet_batch bs = { .n_levels = N, .def = def };

	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 22);
	tq_buf_init(&data, 1 << 20);
	off[0] = 0;
	for (i = 0; i < N; i++) {
		/* A cycle of the five words, broken every seventh row and
		 * absent every eleventh; numbers small and large in turn. */
		which[i] = i % 11 == 10 ? -1 :
		    (int)((i % 7 == 6 ? i / 7 : i) % 5);
		n[i] = i % 3 == 0 ? 5000000000ll + (int64_t)(i % 4) :
		    (int64_t)(i % 5);
		def[i] = which[i] >= 0;
		if (which[i] >= 0) {
			tq_buf_append(&data, word[which[i]],
			    strlen(word[which[i]]));
			off[++v] = (uint32_t)data.len;
		}
	}
	bs.n_values = v;
	bs.off = off;
	bs.data = data.data != NULL ? data.data : (const uint8_t *)"";
	tq_parquet_schema_new(flat, 3, &s, &e);
	T_EQ_INT(tq_parquet_writer_new(s, NULL, mem_write, &m, &w, &e), 0,
	    "dict guesses: writer");
	T_OK(tq_parquet_writer_write(w, 0, &bn, &e) == 0 &&
	    tq_parquet_writer_write(w, 1, &bs, &e) == 0 &&
	    tq_parquet_writer_end_rows(w, N, &e) == 0 &&
	    tq_parquet_writer_close(w, &e) == 0, "dict guesses: written");
	tq_parquet_writer_free(w);
	T_EQ_INT(tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e), 0,
	    "dict guesses: reader");
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 1, 0, &c, &e), 0,
	    "dict guesses: strings read");
	for (i = 0, k = 0; i < N; i++) {
		if (c.def[i] != def[i]) {
			ok = 0;
			break;
		}
		if (which[i] < 0)
			continue;
		ok &= c.off[k + 1] - c.off[k] == strlen(word[which[i]]) &&
		    memcmp(c.data + c.off[k], word[which[i]],
		    strlen(word[which[i]])) == 0;
		k++;
	}
	T_OK(ok && k == v && c.n_values == v,
	    "dict guesses: strings as written");
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 1,
	    TQ_PARQUET_READ_DICT_INDICES, &ci, &e), 0,
	    "dict guesses: strings as indices");
	T_OK(ci.dict != NULL && ci.dict->n_values == 5,
	    "dict guesses: one entry per distinct string");
	tq_parquet_column_release(&c);
	tq_parquet_column_release(&ci);
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 0, 0, &c, &e), 0,
	    "dict guesses: numbers read");
	for (i = 0; i < N; i++)
		ok &= c.i64[i] == n[i];
	T_OK(ok && c.n_values == N, "dict guesses: numbers as written");
	tq_parquet_column_release(&c);
	tq_parquet_reader_free(r);
	tq_parquet_schema_free(s);
	tq_buf_release(&data);
	tq_buf_release(&m.b);
}

/*
 * A PLAIN integer column with delta_if_smaller: pages of values that
 * climb steadily come out DELTA_BINARY_PACKED, pages of a few large
 * values repeated (which zstd shrinks far more) PLAIN, in one chunk.
 */
static void
test_delta_if_smaller(void)
{
	struct tq_parquet_column_opts co = { TQ_PARQUET_PLAIN, false, -1, 2048,
	    true, 0 };
	static const int64_t few[4] = { 0x0123456789abcdefll,
	    0x0fedcba987654321ll, 0x0a5a5a5a5a5a5a5all, 0x05a5a5a5a5a5a5a5ll };
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	const struct tq_parquet_chunk *ch;
	struct tq_parquet_column c;
	struct tq_err e;
	struct mem m;
	enum { N = 4000 };
	static int64_t n[N];
	static uint16_t none[N];
	struct tq_parquet_batch bn = { .n_levels = N, .n_values = N, .i64 = n };
	struct tq_parquet_batch bs = { .n_levels = N, .def = none,
	    .data = (const uint8_t *)"" };
	size_t i;
	int ok = 1;

	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 22);
	for (i = 0; i < N; i++)
		n[i] = i < N / 2 ? 1767225600000000000ll + (int64_t)(i * 1000 +
		    i % 7) : few[(i * 7) % 4];
	tq_parquet_schema_new(flat, 3, &s, &e);
	T_EQ_INT(tq_parquet_writer_new(s, NULL, mem_write, &m, &w, &e), 0,
	    "delta if smaller: writer");
	T_EQ_INT(tq_parquet_writer_set_column(w, 0, &co, &e), 0,
	    "delta if smaller: integers take it");
	T_EQ_INT(tq_parquet_writer_set_column(w, 1, &co, &e), TQ_EINVAL,
	    "delta if smaller: strings do not");
	T_OK(tq_parquet_writer_write(w, 0, &bn, &e) == 0 &&
	    tq_parquet_writer_write(w, 1, &bs, &e) == 0 &&
	    tq_parquet_writer_end_rows(w, N, &e) == 0 &&
	    tq_parquet_writer_close(w, &e) == 0, "delta if smaller: written");
	tq_parquet_writer_free(w);
	T_EQ_INT(tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e), 0,
	    "delta if smaller: reader");
	ch = r != NULL ? tq_parquet_reader_chunk(r, 0, 0) : NULL;
	T_OK(ch != NULL && (ch->data_encodings & (1u <<
	    TQ_PARQUET_DELTA_BINARY_PACKED)) && (ch->data_encodings & (1u <<
	    TQ_PARQUET_PLAIN)), "delta if smaller: both encodings in the chunk");
	T_EQ_INT(r != NULL ? tq_parquet_reader_read_column(r, 0, 0, 0, &c,
	    &e) : TQ_EIO, 0, "delta if smaller: read");
	for (i = 0; r != NULL && i < N; i++)
		ok &= c.i64[i] == n[i];
	T_OK(r != NULL && ok && c.n_values == N,
	    "delta if smaller: values as written");
	if (r != NULL)
		tq_parquet_column_release(&c);
	tq_parquet_reader_free(r);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

/*
 * saving_chunk writes the N values at v as column n of a file in pages of
 * 2 KiB, ZSTD with min_saving percent, reads them back and gives the
 * chunk's compressed and uncompressed sizes (0 when anything failed).
 */
static void
saving_chunk(const int64_t *v, size_t n, unsigned min_saving, int64_t *comp,
    int64_t *uncomp)
{
	struct tq_parquet_column_opts co = { TQ_PARQUET_PLAIN, false,
	    TQ_PARQUET_ZSTD, 2048, false, min_saving };
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	const struct tq_parquet_chunk *ch;
	struct tq_parquet_batch b = { .n_levels = n, .n_values = n, .i64 = v };
	static uint16_t none[1 << 13];
	struct tq_parquet_batch bs = { .n_levels = n, .def = none,
	    .data = (const uint8_t *)"" };
	struct tq_parquet_column c;
	struct tq_err e;
	struct mem m;
	size_t i;
	int ok;

	*comp = *uncomp = 0;
	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 22);
	ok = n <= sizeof(none) / sizeof(none[0]) &&
	    tq_parquet_schema_new(flat, 3, &s, &e) == 0 &&
	    tq_parquet_writer_new(s, NULL, mem_write, &m, &w, &e) == 0 &&
	    tq_parquet_writer_set_column(w, 0, &co, &e) == 0 &&
	    tq_parquet_writer_write(w, 0, &b, &e) == 0 &&
	    tq_parquet_writer_write(w, 1, &bs, &e) == 0 &&
	    tq_parquet_writer_end_rows(w, n, &e) == 0 &&
	    tq_parquet_writer_close(w, &e) == 0 &&
	    tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e) == 0 &&
	    (ch = tq_parquet_reader_chunk(r, 0, 0)) != NULL &&
	    tq_parquet_reader_read_column(r, 0, 0, 0, &c, &e) == 0;
	if (ok) {
		for (i = 0; i < n; i++)
			ok &= c.i64[i] == v[i];
		if (ok && c.n_values == n) {
			*comp = ch->compressed_size;
			*uncomp = ch->uncompressed_size;
		}
		tq_parquet_column_release(&c);
	}
	tq_parquet_reader_free(r);
	tq_parquet_writer_free(w);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

/*
 * min_saving: pages that zstd shrinks by less are stored raw (as large as
 * they are, plus a frame's few bytes), those it shrinks by more stay
 * compressed; both read back as written.  Values of 40 random bits in 64
 * save about a third.  Pages of 2 KiB hold about 250 values: eight of
 * them stored raw take some 16000 bytes.
 */
static void
test_min_saving(void)
{
	struct tq_parquet_column_opts co = { TQ_PARQUET_PLAIN, false,
	    TQ_PARQUET_ZSTD, 0, false, 101 };
	enum { N = 4000 };
	static int64_t some[N], same[N], mixed[N];
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct mem m;
	struct tq_err e;
	int64_t c0, u0, c40, u40, cs, us, cm, um;
	size_t i;

	for (i = 0; i < N; i++) {
		some[i] = (int64_t)(rnd() >> 24);
		same[i] = 1767225600000000000ll;
	}
	saving_chunk(some, N, 0, &c0, &u0);
	saving_chunk(some, N, 40, &c40, &u40);
	saving_chunk(same, N, 40, &cs, &us);
	T_OK(u0 > 0 && c0 < u0 && c0 * 100 > u0 * 60,
	    "min saving: zstd saves less than 40% on 40 bits in 64");
	T_OK(u40 == u0 && c40 >= u40 && c40 < u40 + u40 / 20,
	    "min saving: those pages stored raw at 40%");
	T_OK(us > 0 && cs * 10 < us, "min saving: pages zstd shrinks by more "
	    "stay compressed");
	/* Five pages of 48 random bits (a quarter saved at most), then
	 * repeats: the page that saved too little by over five points has
	 * the next three stored untried, then the repeats are compressed. */
	for (i = 0; i < N; i++)
		mixed[i] = i < 5 * 256 ? (int64_t)(rnd() >> 16) : same[i];
	saving_chunk(mixed, N, 40, &cm, &um);
	T_OK(um > 30000 && cm > 15000 && cm < 17000, "min saving: three pages "
	    "stored untried after one that saved far too little, then tried");
	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 16);
	T_OK(tq_parquet_schema_new(flat, 3, &s, &e) == 0 &&
	    tq_parquet_writer_new(s, NULL, mem_write, &m, &w, &e) == 0 &&
	    tq_parquet_writer_set_column(w, 0, &co, &e) == TQ_EINVAL,
	    "min saving: above 100% refused");
	tq_parquet_writer_free(w);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

/*
 * pq_store's ZSTD frames of raw blocks: zstd gives back the bytes stored,
 * at each size where the frame's content size field or the block count
 * changes; pq_decompress reads them as any page.
 */
static void
test_zstd_store(void)
{
	static const size_t sizes[] = { 0, 1, 255, 256, 65791, 65792,
	    131072, 131073, 300000 };
	struct pq_codec_ctx cc = { NULL, NULL };
	struct tq_buf out, back;
	struct tq_err e;
	size_t i, k;
	uint8_t *src = malloc(300000);
	int ok = src != NULL;

	for (k = 0; ok && k < 300000; k++)
		src[k] = (uint8_t)(k * 2654435761u >> 13);
	tq_buf_init(&out, 1 << 20);
	tq_buf_init(&back, 1 << 20);
	for (i = 0; ok && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long long fcs;

		tq_buf_reset(&out);
		tq_buf_reset(&back);
		ok = pq_store(&cc, TQ_PARQUET_ZSTD, 3, src, sizes[i], &out,
		    &e) == 0 && out.len <= sizes[i] + 9 + 3 *
		    (sizes[i] / 131072 + 1) && tq_buf_reserve(&back,
		    sizes[i] + 1) == 0;
		fcs = ok ? ZSTD_getFrameContentSize(out.data, out.len) : 0;
		ok = ok && fcs == sizes[i] && ZSTD_decompress(back.data,
		    sizes[i] + 1, out.data, out.len) == sizes[i] &&
		    (sizes[i] == 0 || memcmp(back.data, src, sizes[i]) == 0) &&
		    pq_decompress(&cc, TQ_PARQUET_ZSTD, out.data, out.len,
		    back.data, sizes[i], &e) == 0 &&
		    (sizes[i] == 0 || memcmp(back.data, src, sizes[i]) == 0);
		if (!ok)
			printf("#   at %zu bytes\n", sizes[i]);
	}
	T_OK(ok, "zstd store: raw frames read back by zstd and the reader");
	tq_buf_reset(&out);
	T_OK(pq_store(&cc, TQ_PARQUET_UNCOMPRESSED, 0, src, 100, &out,
	    &e) == 0 && out.len == 100 && memcmp(out.data, src, 100) == 0,
	    "zstd store: other codecs as pq_compress");
	pq_codec_ctx_release(&cc);
	tq_buf_release(&out);
	tq_buf_release(&back);
	free(src);
}

static void
test_prune(void)
{
	static const char *const fruit[3][2] = { { "apple", "cherry" },
	    { "banana", "damson" }, { "elder", "fig" } };
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_datum rec, f[2];
	struct tq_parquet_value lo, hi, key;
	struct tq_err e;
	struct mem m;
	bool may;
	int g, i, got[3];
	size_t before;

	memset(&m, 0, sizeof(m));
	tq_buf_init(&m.b, 1 << 24);
	tq_parquet_schema_new(flat, 3, &s, &e);
	T_EQ_INT(tq_parquet_writer_new(s, NULL, mem_write, &m, &w, &e), 0,
	    "prune: writer");
	for (g = 0; g < 3; g++) {
		for (i = 0; i < 100; i++) {
			const char *v = fruit[g][i % 2];

			memset(f, 0, sizeof(f));
			rec.kind = TQ_PARQUET_D_GROUP;
			rec.n = 2;
			rec.items = f;
			f[0].kind = TQ_PARQUET_D_VALUE;
			f[0].v.i64 = g * 100 + i;
			f[1].kind = i == 7 ? TQ_PARQUET_D_NULL : TQ_PARQUET_D_VALUE;
			f[1].v.bytes.ptr = (const uint8_t *)v;
			f[1].v.bytes.len = strlen(v);
			if (tq_parquet_writer_write_record(w, &rec, &e) != 0)
				break;
		}
		T_EQ_INT(tq_parquet_writer_flush(w, &e), 0, "prune: row group");
	}
	f[0].kind = TQ_PARQUET_D_NULL;
	T_EQ_INT(tq_parquet_writer_write_record(w, &rec, &e), TQ_EINVAL,
	    "prune: a record missing a required field is refused");
	T_EQ_INT(tq_parquet_writer_close(w, &e), 0, "prune: close");
	tq_parquet_writer_free(w);
	T_EQ_INT(tq_parquet_reader_open(mem_read, &m, m.b.len, NULL, &r, &e), 0,
	    "prune: open");
	T_EQ_INT(tq_parquet_reader_num_row_groups(r), 3, "prune: 3 row groups");

	memset(&lo, 0, sizeof(lo));
	lo.type = TQ_PARQUET_INT64;
	hi = lo;
	lo.i64 = 150;
	hi.i64 = 160;
	for (g = 0; g < 3; g++) {
		tq_parquet_reader_may_match(r, (size_t)g, 0, &lo, &hi,
		    TQ_PARQUET_PRUNE_STATS, &may, &e);
		got[g] = may;
	}
	T_OK(!got[0] && got[1] && !got[2], "prune: n in [150,160] by stats");

	memset(&key, 0, sizeof(key));
	key.type = TQ_PARQUET_BYTE_ARRAY;
	key.ptr = (const uint8_t *)"banana";
	key.len = 6;
	for (g = 0; g < 3; g++) {
		tq_parquet_reader_may_match(r, (size_t)g, 1, &key, &key,
		    TQ_PARQUET_PRUNE_STATS, &may, &e);
		got[g] = may;
	}
	T_OK(got[0] && got[1] && !got[2],
	    "prune: stats alone cannot rule out banana in apple..cherry");
	before = m.bytes;
	m.reads = 0;
	T_EQ_INT(tq_parquet_reader_may_match(r, 0, 1, &key, &key,
	    TQ_PARQUET_PRUNE_STATS | TQ_PARQUET_PRUNE_DICT, &may, &e), 0,
	    "prune: with the dictionary");
	T_OK(!may, "prune: the dictionary rules banana out of row group 0");
	T_OK(m.reads == 1 && m.bytes - before <
	    (size_t)tq_parquet_reader_chunk(r, 0, 1)->compressed_size,
	    "prune: one read, of the dictionary page only");
	tq_parquet_reader_may_match(r, 1, 1, &key, &key,
	    TQ_PARQUET_PRUNE_STATS | TQ_PARQUET_PRUNE_DICT, &may, &e);
	T_OK(may, "prune: row group 1 holds banana");
	T_EQ_INT(tq_parquet_reader_chunk(r, 0, 1)->stats.null_count, 1,
	    "prune: null count in the statistics");
	tq_parquet_reader_free(r);
	tq_parquet_schema_free(s);
	tq_buf_release(&m.b);
}

/*
 * finish_file wraps the pages in file (after its magic) as the one column
 * chunk of a one-row-group file: footer, length and magic.
 */
static void
finish_file(struct tq_buf *file, const struct tq_parquet_schema *s,
    int64_t nvalues, int64_t dict_off, uint32_t data_encodings)
{
	struct tq_parquet_chunk ch;
	struct pq_row_group rg;
	struct pq_file_meta fm;
	uint32_t flen;

	memset(&ch, 0, sizeof(ch));
	ch.codec = TQ_PARQUET_UNCOMPRESSED;
	ch.encodings = data_encodings;
	ch.data_encodings = data_encodings;
	ch.num_values = nvalues;
	ch.dict_page_offset = dict_off;
	ch.data_page_offset = 4;
	ch.compressed_size = ch.uncompressed_size = (int64_t)file->len - 4;
	memset(&rg, 0, sizeof(rg));
	rg.num_rows = nvalues;
	rg.chunks = &ch;
	memset(&fm, 0, sizeof(fm));
	fm.version = 1;
	fm.schema = s;
	fm.num_rows = nvalues;
	fm.n_row_groups = 1;
	fm.row_groups = &rg;
	fm.page_type = PQ_PAGE_DATA;
	flen = (uint32_t)file->len;
	pq_meta_encode(&fm, file);
	flen = (uint32_t)file->len - flen;
	tq_buf_append(file, &flen, 4);
	tq_buf_append(file, "PAR1", 4);
}

/* add_page appends a page header of type and encoding, and its body. */
static void
add_page(struct tq_buf *file, int type, int encoding, int32_t n,
    const void *body, size_t len)
{
	struct pq_page_header h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.num_values = n;
	h.encoding = encoding;
	h.uncompressed_size = h.compressed_size = (int32_t)len;
	pq_page_header_encode(&h, file);
	tq_buf_append(file, body, len);
}

/*
 * A DELTA_BYTE_ARRAY page, built by hand (we never write one): the values
 * "apple", "applesauce", "apricot", "" share prefixes 0, 5, 2, 0.
 */
static void
test_delta_byte_array(void)
{
	static const int64_t pre[] = { 0, 5, 2, 0 }, suf[] = { 5, 5, 5, 0 };
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_column c;
	struct tq_buf file, body;
	struct tq_err e;
	static const struct tq_parquet_node one[] = {
		{ .name = "schema", .num_children = 1 },
		{ .name = "v", .type = TQ_PARQUET_BYTE_ARRAY,
		    .logical = { .kind = TQ_PARQUET_LT_STRING } },
	};

	tq_parquet_schema_new(one, 2, &s, &e);
	tq_buf_init(&file, 1 << 20);
	tq_buf_init(&body, 1 << 20);
	pq_delta_encode(pre, 4, true, &body);
	pq_delta_encode(suf, 4, true, &body);
	tq_buf_append(&body, "applesaucericot", 15);
	tq_buf_append(&file, "PAR1", 4);
	add_page(&file, PQ_PAGE_DATA, TQ_PARQUET_DELTA_BYTE_ARRAY, 4, body.data,
	    body.len);
	finish_file(&file, s, 4, -1, 1u << TQ_PARQUET_DELTA_BYTE_ARRAY);
	T_EQ_INT(tq_parquet_reader_open_mem(file.data, file.len, NULL, &r, &e),
	    0, "delta byte array: open");
	T_EQ_INT(tq_parquet_reader_read_column(r, 0, 0, 0, &c, &e), 0,
	    "delta byte array: decode");
	T_OK(c.n_values == 4 && c.off[4] == 22 &&
	    memcmp(c.data, "appleapplesauceapricot", 22) == 0,
	    "delta byte array: prefixes restored");
	tq_parquet_column_release(&c);
	tq_parquet_reader_free(r);
	tq_parquet_schema_free(s);
	tq_buf_release(&file);
	tq_buf_release(&body);
}

/*
 * Dictionary indices past the dictionary are corruption, whichever way
 * the index width relates to the dictionary's size.
 */
static void
test_dict_index_range(void)
{
	static const int64_t dict[3] = { 10, 20, 30 };
	/* bit width, then one RLE run of 4 copies of the index */
	static const uint8_t ok2[] = { 2, 0x08, 0x02 }, bad2[] = { 2, 0x08,
	    0x03 }, bad3[] = { 3, 0x08, 0x05 }, bad30[] = { 30, 0x08, 0xff,
	    0xff, 0xff, 0x3f }, bad31[] = { 31, 0x08, 0x00, 0x00, 0x00,
	    0x40 }, bad32[] = { 32, 0x08, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t *const bodies[] = { ok2, bad2, bad3, bad30, bad31,
	    bad32 };
	static const size_t lens[] = { 3, 3, 3, 6, 6, 6 };
	static const struct tq_parquet_node one[] = {
		{ .name = "schema", .num_children = 1 },
		{ .name = "v", .type = TQ_PARQUET_INT64 },
	};
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_reader *r = NULL;
	struct tq_parquet_column c;
	struct tq_buf file;
	struct tq_err e;
	int i, rc[6];

	tq_parquet_schema_new(one, 2, &s, &e);
	for (i = 0; i < 6; i++) {
		memset(&c, 0, sizeof(c));
		tq_buf_init(&file, 1 << 20);
		tq_buf_append(&file, "PAR1", 4);
		add_page(&file, PQ_PAGE_DICT, TQ_PARQUET_PLAIN, 3, dict,
		    sizeof(dict));
		add_page(&file, PQ_PAGE_DATA, TQ_PARQUET_RLE_DICTIONARY, 4,
		    bodies[i], lens[i]);
		finish_file(&file, s, 4, 4, 1u << TQ_PARQUET_RLE_DICTIONARY);
		rc[i] = tq_parquet_reader_open_mem(file.data, file.len, NULL,
		    &r, &e);
		if (rc[i] == 0)
			rc[i] = tq_parquet_reader_read_column(r, 0, 0, 0, &c, &e);
		if (i == 0)
			T_OK(rc[0] == 0 && c.n_values == 4 && c.i64[3] == 30,
			    "dictionary: index 2 of 3 decodes");
		tq_parquet_column_release(&c);
		tq_parquet_reader_free(r);
		r = NULL;
		tq_buf_release(&file);
	}
	T_OK(rc[1] == TQ_ECORRUPT && rc[2] == TQ_ECORRUPT &&
	    rc[3] == TQ_ECORRUPT && rc[4] == TQ_ECORRUPT &&
	    rc[5] == TQ_ECORRUPT, "dictionary: indices 3, 5, 2^30-1, 2^30 and "
	    "2^32-1 of 3 are corrupt");
	tq_parquet_schema_free(s);
}

/* ---- Golden files and damage ---- */

static uint8_t *
slurp(const char *name, size_t *len)
{
	char path[512];
	const char *top = getenv("TQ_TOP");
	FILE *f;
	uint8_t *p;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/parquet/%s",
	    top ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n);
	if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* read_all reads and assembles every row group; returns 0 or the error. */
static int
read_all(const uint8_t *p, size_t len, size_t max_mem, int64_t *sum_id)
{
	struct tq_parquet_read_opts o = { .max_memory = max_mem };
	struct tq_parquet_reader *r = NULL;
	const struct tq_parquet_schema *s;
	struct tq_parquet_column *cols = NULL;
	struct tq_parquet_datum *recs = NULL;
	struct tq_arena a;
	struct tq_err e;
	size_t rg, c, i, n;
	int rc;

	tq_arena_init(&a, 64u << 20);
	if ((rc = tq_parquet_reader_open_mem(p, len, &o, &r, &e)) != 0)
		goto out;
	s = tq_parquet_reader_schema(r);
	cols = calloc(s->n_columns, sizeof(*cols));
	for (rg = 0; rg < tq_parquet_reader_num_row_groups(r); rg++) {
		n = (size_t)tq_parquet_reader_row_group_rows(r, rg);
		for (c = 0; c < s->n_columns; c++)
			if ((rc = tq_parquet_reader_read_column(r, rg, (int)c,
			    (int)c & 1, &cols[c], &e)) != 0)
				goto out;
		if (n > 1000000 || (recs = calloc(n + 1, sizeof(*recs))) == NULL) {
			rc = TQ_ELIMIT;
			goto out;
		}
		if ((rc = tq_parquet_assemble(s, cols, n, &a, recs, &e)) != 0)
			goto out;
		if (sum_id != NULL && cols[0].type == TQ_PARQUET_INT64)
			for (i = 0; i < cols[0].n_values; i++)
				*sum_id += cols[0].i64[i];
		free(recs);
		recs = NULL;
		for (c = 0; c < s->n_columns; c++)
			tq_parquet_column_release(&cols[c]);
		tq_arena_reset(&a);
	}
out:
	if (cols != NULL)
		for (c = 0; c < tq_parquet_reader_schema(r)->n_columns; c++)
			tq_parquet_column_release(&cols[c]);
	free(cols);
	free(recs);
	tq_arena_release(&a);
	tq_parquet_reader_free(r);
	return rc;
}

static void
test_golden(void)
{
	static const char *const names[] = { "duckdb-v1-zstd.parquet",
	    "duckdb-v2-snappy.parquet", "duckdb-gzip.parquet",
	    "ours-mixed-v2.parquet", "ours-dict-v1.parquet" };
	char msg[128];
	size_t i, len, k;
	uint8_t *p;
	int64_t sum;
	int bad, rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = slurp(names[i], &len);
		snprintf(msg, sizeof(msg), "golden: %s is there", names[i]);
		T_OK(p != NULL, msg);
		if (p == NULL)
			continue;
		sum = 0;
		snprintf(msg, sizeof(msg), "golden: %s reads", names[i]);
		T_EQ_INT(read_all(p, len, 0, &sum), 0, msg);
		snprintf(msg, sizeof(msg), "golden: %s ids", names[i]);
		/* 0..299 in DuckDB's files, 0..n-1 in ours. */
		T_OK(sum == (i < 3 ? 299 * 300 / 2 : i == 3 ? 59 * 60 / 2 :
		    39 * 40 / 2), msg);
		snprintf(msg, sizeof(msg), "golden: %s under a small memory "
		    "cap is TQ_ELIMIT", names[i]);
		T_EQ_INT(read_all(p, len, 2048, NULL), TQ_ELIMIT, msg);

		/* Every truncation, and random damage, fails cleanly. */
		bad = 0;
		for (k = 0; k < len; k += 1 + k / 64) {
			rc = read_all(p, k, 0, NULL);
			bad |= rc == 0;
		}
		snprintf(msg, sizeof(msg), "golden: %s truncated never reads",
		    names[i]);
		T_OK(!bad, msg);
		for (k = 0; k < 300; k++) {
			uint8_t *q = malloc(len);
			size_t at = rnd() % len;

			memcpy(q, p, len);
			q[at] ^= (uint8_t)(1 + rnd() % 255);
			if (k % 3 == 0 && at + 4 < len)
				memset(q + at, 0xff, 4);
			rc = read_all(q, len, 64u << 20, NULL);
			bad |= rc > 0;
			free(q);
		}
		snprintf(msg, sizeof(msg), "golden: %s damaged 300 ways, no crash",
		    names[i]);
		T_OK(!bad, msg);
		free(p);
	}
}

static void
test_schema_errors(void)
{
	struct tq_parquet_schema *s = NULL;
	struct tq_err e;
	static const struct tq_parquet_node short_tree[] = {
		{ "schema", 0, 3, 0, 0, { 0 } },
		{ "a", 0, 0, TQ_PARQUET_INT32, 0, { 0 } },
	};
	static const struct tq_parquet_node bad_list[] = {
		{ "schema", 0, 1, 0, 0, { 0 } },
		{ "l", 1, 1, 0, 0, { .kind = TQ_PARQUET_LT_LIST } },
		{ "x", 0, 0, TQ_PARQUET_INT32, 0, { 0 } },
	};
	static const struct tq_parquet_node bad_flba[] = {
		{ "schema", 0, 1, 0, 0, { 0 } },
		{ "f", 0, 0, TQ_PARQUET_FIXED_LEN_BYTE_ARRAY, 0, { 0 } },
	};

	static const struct tq_parquet_node lists[] = {
		{ .name = "schema", .num_children = 3 },
		/* three-level */
		{ .name = "a", .num_children = 1,
		    .logical = { .kind = TQ_PARQUET_LT_LIST } },
		{ .name = "list", .repetition = 2, .num_children = 1 },
		{ .name = "element", .type = TQ_PARQUET_INT32 },
		/* two-level: repeated leaf */
		{ .name = "b", .num_children = 1,
		    .logical = { .kind = TQ_PARQUET_LT_LIST } },
		{ .name = "x", .repetition = 2, .type = TQ_PARQUET_INT32 },
		/* two-level: repeated group named <list>_tuple */
		{ .name = "c", .num_children = 1,
		    .logical = { .kind = TQ_PARQUET_LT_LIST } },
		{ .name = "c_tuple", .repetition = 2, .num_children = 1 },
		{ .name = "y", .type = TQ_PARQUET_INT32 },
	};

	T_EQ_INT(pq_schema_build(lists, 9, true, false, &s, &e), 0,
	    "schema: legacy lists read");
	T_OK(tq_parquet_schema_list_element(s, 1) == 3 &&
	    tq_parquet_schema_list_element(s, 4) == 5 &&
	    tq_parquet_schema_list_element(s, 6) == 7 &&
	    tq_parquet_schema_list_element(s, 2) == -1,
	    "schema: list elements, three- and two-level");
	tq_parquet_schema_free(s);
	T_EQ_INT(tq_parquet_schema_new(short_tree, 2, &s, &e), TQ_ECORRUPT,
	    "schema: children missing");
	T_EQ_INT(tq_parquet_schema_new(bad_list, 3, &s, &e), TQ_EINVAL,
	    "schema: LIST without a repeated group");
	T_EQ_INT(tq_parquet_schema_new(bad_flba, 2, &s, &e), TQ_ECORRUPT,
	    "schema: FIXED_LEN_BYTE_ARRAY without a length");
}

int
main(void)
{
	test_thrift();
	test_thrift_skip_mutations();
	test_rle();
	test_rle_levels();
	test_delta();
	test_schema_errors();
	test_batch_write_read();
	test_packed_levels();
	test_shared_levels();
	test_def_if_nulls(1);
	test_def_if_nulls(2);
	test_prune();
	test_dict_guesses();
	test_delta_if_smaller();
	test_zstd_store();
	test_min_saving();
	test_delta_byte_array();
	test_dict_index_range();
	test_golden();
	return t_done();
}
