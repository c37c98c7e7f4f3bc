/*
 * test-vp4pb.c: shredding traces straight from protobuf (vp4-pb.c) gives
 * the Parquet file, byte for byte, that unpacking, combining and
 * shredding the TracesData (tq_vp4_rows_add) gives: on the real-client
 * fixtures and on tempo-gen traces (every attribute value type, events,
 * links), each trace in several parts with repeated spans, with and
 * without dedicated columns.  Malformed protobuf is refused with the byte
 * offset, and a failed trace fails the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "gen.h"
#include "limits.h"
#include "trace.h"
#include "t.h"

/* One trace: its parts as concatenated TracesData protobuf. */
struct tr {
	uint8_t		 id[TQ_TRACE_ID_LEN];
	struct tq_buf	 pb;
	size_t		 parts;
};

struct set {
	struct tr	*t;
	size_t		 n, cap;
};

static int
mem_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	return tq_buf_append(arg, p, len) == 0 ? 0 :
	    tq_err_set(err, TQ_ENOMEM, "out of memory");
}

/* add_record splits a record by trace and appends each part. */
static void
add_record(struct set *S, const void *pb, size_t len)
{
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td, **parts;
	size_t n, i, j;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (tq_otlp_pb_decode(pb, len, &a, &td, &e) != 0 ||
	    tq_trace_split(td, &a, &parts, &n, NULL, &e) != 0) {
		printf("# %s\n", e.msg);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *id = parts[i]->resource_spans[0]->
		    scope_spans[0]->spans[0]->trace_id.data;

		for (j = 0; j < S->n && memcmp(S->t[j].id, id,
		    TQ_TRACE_ID_LEN) != 0; j++)
			;
		if (j == S->n) {
			if (S->n == S->cap) {
				S->cap = S->cap ? 2 * S->cap : 64;
				S->t = realloc(S->t, S->cap * sizeof(*S->t));
			}
			memcpy(S->t[j].id, id, TQ_TRACE_ID_LEN);
			tq_buf_init(&S->t[j].pb, TQ_MAX_RECORD);
			S->t[j].parts = 0;
			S->n++;
		}
		tq_otlp_pb_encode(parts[i], &S->t[j].pb, &e);
		S->t[j].parts++;
	}
	tq_arena_release(&a);
}

static int
cmp_tr(const void *x, const void *y)
{
	return memcmp(((const struct tr *)x)->id, ((const struct tr *)y)->id,
	    TQ_TRACE_ID_LEN);
}

/* repeat_first appends every trace's first part again: all repeats. */
static void
repeat_first(struct set *S)
{
	struct tq_arena a;
	struct tq_err e;
	size_t i;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	for (i = 0; i < S->n; i += 3) {
		Tq__TracesData *td;

		tq_arena_reset(&a);
		if (tq_otlp_pb_unpack(S->t[i].pb.data, S->t[i].pb.len, &a, &td,
		    &e) == 0 && td->n_resource_spans > 0) {
			Tq__TracesData first = *td;

			first.n_resource_spans = 1;
			tq_otlp_pb_encode(&first, &S->t[i].pb, &e);
		}
	}
	tq_arena_release(&a);
}

static void
set_free(struct set *S)
{
	size_t i;

	for (i = 0; i < S->n; i++)
		tq_buf_release(&S->t[i].pb);
	free(S->t);
	memset(S, 0, sizeof(*S));
}

/*
 * split_parts cuts the TracesData at pb into at most max parts, a
 * ResourceSpans field each (the rest in the last); returns how many.
 */
static size_t
split_parts(const uint8_t *pb, size_t len, struct tq_pb_part *parts,
    size_t max)
{
	size_t n = 0, at = 0;

	while (at < len) {
		size_t start = at, flen = 0, shift = 0;

		at++;			/* the key: field 1, one byte */
		while (at < len) {
			flen |= (size_t)(pb[at] & 0x7f) << shift;
			shift += 7;
			if (pb[at++] < 0x80)
				break;
		}
		at += flen;
		if (n < max) {
			parts[n].p = pb + start;
			parts[n++].len = (at < len ? at : len) - start;
		} else
			parts[n - 1].len = (at < len ? at : len) -
			    (size_t)((const uint8_t *)parts[n - 1].p - pb);
	}
	return n;
}

/*
 * write_set writes the set as one Parquet file into out, the old way (unpack,
 * combine, tq_vp4_rows_add) or the new (tq_vp4_rows_add_trace); *dropped
 * counts repeated spans.
 */
static int
write_set(const struct tq_vp4 *m, const struct set *S, bool direct,
    bool in_parts, struct tq_buf *out, size_t *dropped)
{
	struct tq_parquet_writer *w = NULL;
	struct tq_vp4_rows *rows = NULL;
	struct tq_arena a;
	struct tq_err e;
	size_t i, c;
	int rc;

	*dropped = 0;
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if ((rc = tq_parquet_writer_new(tq_vp4_schema(m), NULL, mem_write, out,
	    &w, &e)) != 0 || (rc = tq_vp4_rows_new(m, &rows, &e)) != 0)
		goto out;
	for (c = 0; c < tq_vp4_schema(m)->n_columns; c++) {
		struct tq_parquet_column_opts o;

		tq_vp4_column_opts(m, (int)c, &o);
		tq_parquet_writer_set_column(w, (int)c, &o, &e);
	}
	for (i = 0; i < S->n && rc == 0; i++) {
		const struct tr *t = &S->t[i];

		tq_arena_reset(&a);
		if (direct) {
			struct tq_vp4_trace vt;
			struct tq_pb_part parts[64];
			size_t np;

			/* In parts: one a ResourceSpans (the last ones
			 * together), each read where it lies. */
			np = in_parts ? split_parts(t->pb.data, t->pb.len, parts,
			    64) : 0;
			rc = in_parts ? tq_vp4_trace_parse_parts(parts, np, &a,
			    &vt, &e) : tq_vp4_trace_parse(t->pb.data, t->pb.len,
			    &a, &vt, &e);
			if (rc == 0)
				rc = tq_vp4_rows_add_trace(rows, &vt, &e);
			*dropped += vt.dropped;
		} else {
			Tq__TracesData *td, *one;
			struct tq_trace_info info;
			size_t d = 0;

			if ((rc = tq_otlp_pb_unpack(t->pb.data, t->pb.len, &a,
			    &td, &e)) == 0 && (rc = tq_trace_combine(&td, 1, &a,
			    &one, &d, &e)) == 0 && (rc = tq_trace_info(one, &a,
			    &info, &e)) == 0)
				rc = tq_vp4_rows_add(rows, one, &info, &e);
			*dropped += d;
		}
		if (rc == 0 && (i % 5 == 4 || i == S->n - 1))
			rc = tq_vp4_rows_write(rows, w, &e);
	}
	if (rc == 0)
		rc = tq_parquet_writer_close(w, &e);
out:
	if (rc != 0)
		printf("# %s: %s\n", direct ? "direct" : "unpacked", e.msg);
	tq_parquet_writer_free(w);
	tq_vp4_rows_free(rows);
	tq_arena_release(&a);
	return rc;
}

static void
compare(const struct set *S, const struct tq_block_dedicated *ded,
    size_t nded, const char *name)
{
	struct tq_buf x, y;
	struct tq_vp4 *m;
	struct tq_err e;
	size_t dx = 0, dy = 0;
	bool ok;

	tq_vp4_new(ded, nded, &m, &e);
	tq_buf_init(&x, 1 << 30);
	tq_buf_init(&y, 1 << 30);
	ok = write_set(m, S, false, false, &x, &dx) == 0 &&
	    write_set(m, S, true, false, &y, &dy) == 0;
	if (ok && dx != dy)
		printf("# repeated spans: unpacked %zu, direct %zu\n", dx, dy);
	T_OK(ok && S->n > 0 && dx == dy && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0, name);
	T_OK(dy > 0, "... with repeated spans dropped both ways");
	tq_buf_reset(&y);
	ok = write_set(m, S, true, true, &y, &dy) == 0;
	T_OK(ok && dx == dy && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0,
	    "... and the same read in parts where they lie");
	tq_buf_release(&x);
	tq_buf_release(&y);
	tq_vp4_free(m);
}

static void
test_fixtures(const struct tq_block_dedicated *ded, size_t nded)
{
	struct set S = { 0 };
	size_t i, len;
	char name[128];
	int pass;

	/* Each capture twice: every trace then has two copies of each
	 * part, the second all repeats. */
	for (pass = 0; pass < 2; pass++)
		for (i = 1; i <= 3; i++) {
			char rel[64];
			unsigned char *body;

			snprintf(rel, sizeof(rel), "otlp-proto/%06zu.body.pb", i);
			if ((body = t_slurp(t_fixtures(), rel, &len)) == NULL)
				continue;
			add_record(&S, body, len);
			free(body);
		}
	qsort(S.t, S.n, sizeof(*S.t), cmp_tr);
	snprintf(name, sizeof(name), "fixtures, %zu dedicated: %zu traces, "
	    "the same file both ways", nded, S.n);
	compare(&S, ded, nded, name);
	set_free(&S);
}

static void
test_gen(const struct tq_block_dedicated *ded, size_t nded)
{
	struct tq_gen_opts o;
	struct tq_gen *g;
	struct tq_arena tmp;
	struct tq_buf b;
	struct tq_err e;
	struct set S = { 0 };
	Tq__TracesData *td;
	size_t multi = 0, i;
	char name[128];

	tq_gen_opts_default(&o);
	o.seed = 11;
	o.traces = 200;
	o.batch = 7;		/* small records: traces in many parts */
	tq_arena_init(&tmp, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&b, TQ_MAX_RECORD);
	if (tq_gen_new(&o, &g, &e) == 0) {
		while (tq_gen_next(g, &tmp, &td, &e) == 1) {
			tq_buf_reset(&b);
			tq_otlp_pb_encode(td, &b, &e);
			add_record(&S, b.data, b.len);
			tq_arena_reset(&tmp);
		}
		tq_gen_free(g);
	}
	tq_buf_release(&b);
	tq_arena_release(&tmp);
	repeat_first(&S);
	qsort(S.t, S.n, sizeof(*S.t), cmp_tr);
	for (i = 0; i < S.n; i++)
		multi += S.t[i].parts > 1;
	snprintf(name, sizeof(name), "tempo-gen, %zu dedicated: %zu traces "
	    "(%zu in parts), the same file both ways", nded, S.n, multi);
	compare(&S, ded, nded, name);
	T_OK(multi > 10, "tempo-gen: many traces arrive in parts");
	set_free(&S);
}

/* lenf appends field num (below 16) of wire type 2 holding n bytes at p. */
static void
lenf(struct tq_buf *b, unsigned num, const void *p, size_t n)
{
	uint8_t h[6];
	size_t k = 0, v = n;

	h[k++] = (uint8_t)(num << 3 | 2);
	for (; v >= 0x80; v >>= 7)
		h[k++] = (uint8_t)(v | 0x80);
	h[k++] = (uint8_t)v;
	tq_buf_append(b, h, k);
	tq_buf_append(b, p, n);
}

/*
 * test_shapes compares the two ways on attributes written by hand in
 * shapes protobuf-c never writes: NULs inside keys and values (a C
 * string ends there), fields out of order or repeated, unknown fields,
 * long keys, values that are not strings.  The span comes twice, so its
 * repeat is dropped.
 */
static void
test_shapes(void)
{
	static const uint8_t kvs[][48] = {
		/* key "a\0b", value "x\0y": the short shape */
		{ 0x0a, 3, 'a', 0, 'b', 0x12, 5, 0x0a, 3, 'x', 0, 'y' },
		/* key "n", int 300 */
		{ 0x0a, 1, 'n', 0x12, 3, 0x18, 0xac, 0x02 },
		/* value before key, bool */
		{ 0x12, 2, 0x10, 1, 0x0a, 1, 'b' },
		/* key twice (the last counts), double */
		{ 0x0a, 1, 'z', 0x0a, 1, 'd', 0x12, 9, 0x21, 0, 0, 0, 0, 0,
		    0, 0xf0, 0x3f },
		/* an unknown field after the value */
		{ 0x0a, 1, 'u', 0x12, 3, 0x0a, 1, 'v', 0x18, 7 },
		/* a value of two strings (the last counts) */
		{ 0x0a, 1, 's', 0x12, 6, 0x0a, 1, 'p', 0x0a, 1, 'q' },
		/* a string, then an unknown field, in the value */
		{ 0x0a, 1, 'w', 0x12, 6, 0x0a, 2, 'r', 's', 0x40, 1 },
		/* no value */
		{ 0x0a, 1, 'e' },
		/* key "http.method", value "GET\0X" */
		{ 0x0a, 11, 'h', 't', 't', 'p', '.', 'm', 'e', 't', 'h', 'o',
		    'd', 0x12, 7, 0x0a, 5, 'G', 'E', 'T', 0, 'X' },
	};
	static const size_t kv_len[] = { 12, 8, 7, 17, 10, 11, 11, 3, 22 };
	uint8_t id[TQ_TRACE_ID_LEN], sid[8], ts[8];
	struct tq_buf kv, span, ss, rs, td;
	char longkey[300];
	struct set S = { 0 };
	struct tq_err e;
	uint64_t t0 = 1700000000000000000ull;
	size_t i, n, at;
	int k;

	tq_buf_init(&kv, 1 << 20);
	tq_buf_init(&span, 1 << 20);
	tq_buf_init(&ss, 1 << 20);
	tq_buf_init(&rs, 1 << 20);
	tq_buf_init(&td, 1 << 20);
	memset(id, 0x5a, sizeof(id));
	memset(sid, 0x11, sizeof(sid));
	lenf(&span, 1, id, sizeof(id));
	lenf(&span, 2, sid, sizeof(sid));
	lenf(&span, 5, "shapes", 6);
	for (k = 0; k < 2; k++) {
		uint64_t t = t0 + (uint64_t)k * 1000;
		uint8_t tag = (uint8_t)((7 + k) << 3 | 1);

		for (i = 0; i < 8; i++)
			ts[i] = (uint8_t)(t >> (8 * i));
		tq_buf_append(&span, &tag, 1);
		tq_buf_append(&span, ts, 8);
	}
	for (i = 0; i < sizeof(kv_len) / sizeof(kv_len[0]); i++)
		lenf(&span, 9, kvs[i], kv_len[i]);
	/* A key of 300 bytes: lengths of two bytes. */
	memset(longkey, 'k', sizeof(longkey));
	lenf(&kv, 1, longkey, sizeof(longkey));
	lenf(&kv, 2, "\x0a\x01v", 3);
	lenf(&span, 9, kv.data, kv.len);
	/* Keys of 1 to 40 bytes with a NUL at each place, or none: the
	 * NUL is looked for a few words at a time. */
	for (n = 1; n <= 40; n++)
		for (at = 0; at <= n; at++) {
			char key[40];

			for (i = 0; i < n; i++)
				key[i] = (char)('a' + (n + i) % 26);
			if (at < n)
				key[at] = '\0';
			tq_buf_reset(&kv);
			lenf(&kv, 1, key, n);
			lenf(&kv, 2, "\x0a\x01w", 3);
			lenf(&span, 9, kv.data, kv.len);
		}
	lenf(&ss, 2, span.data, span.len);
	lenf(&rs, 2, ss.data, ss.len);
	lenf(&td, 1, rs.data, rs.len);
	if (tq_otlp_pb_check(td.data, td.len, NULL, &e) != 0)
		printf("# %s\n", e.msg);
	T_EQ_INT(tq_otlp_pb_check(td.data, td.len, NULL, &e), 0,
	    "shapes: the hand-written record is valid protobuf");
	S.t = calloc(1, sizeof(*S.t));
	S.n = S.cap = 1;
	memcpy(S.t[0].id, id, sizeof(id));
	tq_buf_init(&S.t[0].pb, TQ_MAX_RECORD);
	tq_buf_append(&S.t[0].pb, td.data, td.len);
	tq_buf_append(&S.t[0].pb, td.data, td.len);
	S.t[0].parts = 2;
	compare(&S, NULL, 0, "shapes: attributes written by hand, the same "
	    "file both ways");
	set_free(&S);
	tq_buf_release(&kv);
	tq_buf_release(&span);
	tq_buf_release(&ss);
	tq_buf_release(&rs);
	tq_buf_release(&td);
}

/* kvf appends a KeyValue field num of key and the AnyValue bytes val. */
static void
kvf(struct tq_buf *b, unsigned num, const char *key, const void *val,
    size_t n)
{
	struct tq_buf kv;

	tq_buf_init(&kv, 1 << 16);
	lenf(&kv, 1, key, strlen(key));
	lenf(&kv, 2, val, n);
	lenf(b, num, kv.data, kv.len);
	tq_buf_release(&kv);
}

/* resource_spans appends a ResourceSpans of resource r (0 to 2), with a
 * span of trace id, to td. */
static void
resource_spans(struct tq_buf *td, int r, const uint8_t *id, uint8_t sid)
{
	/* An array of two ints; a kvlist {"k": "v"}; bytes. */
	static const uint8_t arr[] = { 0x2a, 8, 0x0a, 2, 0x18, 1, 0x0a, 2,
	    0x18, 2 };
	static const uint8_t kvl[] = { 0x32, 10, 0x0a, 8, 0x0a, 1, 'k', 0x12,
	    3, 0x0a, 1, 'v' };
	static const uint8_t byt[] = { 0x3a, 3, 1, 2, 3 };
	static const uint8_t mixed[] = { 0x2a, 9, 0x0a, 2, 0x18, 1, 0x0a, 3,
	    0x0a, 1, 'x' };
	static const char *const svc[3] = { "\x0a\x04" "cart", "\x0a\x04" "shop",
	    "\x0a\x03" "ads" };
	struct tq_buf res, span, ss, rs;
	uint8_t spanid[8], ts[8], tag;
	uint64_t t = 1700000000000000000ull + sid;
	size_t i;

	tq_buf_init(&res, 1 << 16);
	tq_buf_init(&span, 1 << 16);
	tq_buf_init(&ss, 1 << 16);
	tq_buf_init(&rs, 1 << 16);
	kvf(&res, 1, "service.name", svc[r], strlen(svc[r]));
	if (r != 2) {
		/* Well-known and dedicated columns, and every kind of value
		 * the typed lists or OTLP/JSON hold. */
		kvf(&res, 1, "k8s.pod.name", "\x0a\x05pod-1", 7);
		kvf(&res, 1, "host.name", "\x0a\x02h1", 4);
		kvf(&res, 1, "n", "\x18\x2a", 2);
		kvf(&res, 1, "d", "\x21\0\0\0\0\0\0\xf0\x3f", 9);
		kvf(&res, 1, "b", "\x10\x01", 2);
		kvf(&res, 1, "arr", arr, sizeof(arr));
		kvf(&res, 1, "kvl", kvl, sizeof(kvl));
		kvf(&res, 1, "byt", byt, sizeof(byt));
		kvf(&res, 1, "mixed", mixed, sizeof(mixed));
		kvf(&res, 1, "none", "", 0);
	}
	if (r == 1)
		kvf(&res, 1, "empty.array", "\x2a\x00", 2);
	memset(spanid, sid, sizeof(spanid));
	lenf(&span, 1, id, TQ_TRACE_ID_LEN);
	lenf(&span, 2, spanid, sizeof(spanid));
	lenf(&span, 5, "op", 2);
	for (tag = 7 << 3 | 1; tag <= (8 << 3 | 1); tag += 8) {
		for (i = 0; i < 8; i++)
			ts[i] = (uint8_t)(t >> (8 * i));
		tq_buf_append(&span, &tag, 1);
		tq_buf_append(&span, ts, 8);
		t += 1000;
	}
	lenf(&ss, 2, span.data, span.len);
	lenf(&rs, 1, res.data, res.len);
	lenf(&rs, 2, ss.data, ss.len);
	lenf(td, 1, rs.data, rs.len);
	tq_buf_release(&res);
	tq_buf_release(&span);
	tq_buf_release(&ss);
	tq_buf_release(&rs);
}

/*
 * test_resources compares the two ways on traces that share their
 * resources, first or second in a trace by turns: the direct way copies
 * what a resource shredded to the times it comes again, which must be
 * what shredding it gives there.
 */
static void
test_resources(const struct tq_block_dedicated *ded, size_t nded)
{
	struct set S = { 0 };
	struct tq_buf td;
	size_t i;
	char name[128];

	S.n = S.cap = 12;
	S.t = calloc(S.n, sizeof(*S.t));
	tq_buf_init(&td, 1 << 20);
	for (i = 0; i < S.n; i++) {
		struct tr *t = &S.t[i];

		memset(t->id, 0x30, sizeof(t->id));
		t->id[0] = (uint8_t)(i + 1);
		tq_buf_reset(&td);
		resource_spans(&td, i % 2 == 0 ? 0 : 1, t->id, 1);
		resource_spans(&td, i % 2 == 0 ? 1 : 0, t->id, 2);
		if (i % 3 == 0)
			resource_spans(&td, 2, t->id, 3);
		tq_buf_init(&t->pb, TQ_MAX_RECORD);
		/* Twice: the second part all repeats. */
		tq_buf_append(&t->pb, td.data, td.len);
		tq_buf_append(&t->pb, td.data, td.len);
		t->parts = 2;
	}
	snprintf(name, sizeof(name), "resources repeated, %zu dedicated: the "
	    "same file both ways", nded);
	compare(&S, ded, nded, name);
	tq_buf_release(&td);
	set_free(&S);
}

/*
 * parts_fail says whether parsing (and shredding) a trace in n parts
 * fails with want and msg; a failed row must leave the rows failed.
 */
static bool
parts_fail(const struct tq_pb_part *parts, size_t n, int want,
    const char *msg)
{
	struct tq_vp4_trace t;
	struct tq_vp4_rows *rows = NULL;
	struct tq_vp4 *m = NULL;
	struct tq_arena a;
	struct tq_err e;
	int rc;

	memset(&e, 0, sizeof(e));
	tq_arena_init(&a, 1 << 20);
	rc = tq_vp4_trace_parse_parts(parts, n, &a, &t, &e);
	if (rc == 0 && tq_vp4_new(NULL, 0, &m, &e) == 0 &&
	    tq_vp4_rows_new(m, &rows, &e) == 0) {
		struct tq_err e2;

		rc = tq_vp4_rows_add_trace(rows, &t, &e);
		if (rc != 0 && tq_vp4_rows_add_trace(rows, &t, &e2) == 0)
			rc = 0;
	}
	tq_vp4_rows_free(rows);
	tq_vp4_free(m);
	tq_arena_release(&a);
	if (rc != want || strstr(e.msg, msg) == NULL)
		printf("# got %d (%s)\n", rc, e.msg);
	return rc == want && strstr(e.msg, msg) != NULL;
}

/* refused says whether pb, in one part, fails with want and msg. */
static bool
refused(const void *pb, size_t len, int want, const char *msg)
{
	struct tq_pb_part part = { pb, len };

	return parts_fail(&part, 1, want, msg);
}

/*
 * parts_refused says whether a trace in two parts, good (len bytes) then
 * bad (blen), fails with want and msg: byte offsets count from the first
 * part's start, as if the parts were one.
 */
static bool
parts_refused(const uint8_t *good, size_t len, const uint8_t *bad,
    size_t blen, int want, const char *msg)
{
	struct tq_pb_part parts[2] = { { good, len }, { bad, blen } };

	return parts_fail(parts, 2, want, msg);
}

/* test_malformed_parts: errors in a second part name their byte as if
 * the parts were one message. */
static void
test_malformed_parts(const uint8_t *good, size_t len)
{
	uint8_t b[64];
	char msg[64];

	memcpy(b, good, len);
	b[28] = 0x28;	/* name (5) as a varint */
	snprintf(msg, sizeof(msg), "byte %zu: Span field 5: wrong wire type 0",
	    len + 28);
	T_OK(parts_refused(good, len, b, len, TQ_ECORRUPT, msg),
	    "malformed parts: a wrong wire type in the second part");
	/* An attribute cut short, found when shredded (in a span of its
	 * own: a repeat of the first would be dropped unread). */
	memcpy(b, good, len);
	b[26] = 0xcc;
	b[1] += 4;
	b[3] += 4;
	b[5] += 4;
	b[len] = 0x4a;
	b[len + 1] = 0x02;
	b[len + 2] = 0x0a;
	b[len + 3] = 0x05;
	snprintf(msg, sizeof(msg), "byte %zu: KeyValue: malformed", 2 * len + 2);
	T_OK(parts_refused(good, len, b, len + 4, TQ_ECORRUPT, msg),
	    "malformed parts: an attribute in the second part, when shredded");
}

static void
test_malformed(void)
{
	/* TracesData { ResourceSpans { ScopeSpans { Span {...} } } } */
	static const uint8_t good[] = {
		0x0a, 0x1c, 0x12, 0x1a, 0x12, 0x18,
		0x0a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0x12, 0x02, 0xaa, 0xbb, 0x2a, 0x00,
	};
	uint8_t b[sizeof(good) + 16];
	struct tq_vp4_trace t;
	struct tq_arena a;
	struct tq_err e;

	tq_arena_init(&a, 1 << 20);
	T_OK(tq_vp4_trace_parse(good, sizeof(good), &a, &t, &e) == 0 &&
	    t.n_spans == 1 && t.id[15] == 16, "malformed: the base case parses");
	tq_arena_release(&a);
	T_OK(refused(good, sizeof(good) - 3, TQ_ECORRUPT,
	    "byte 0: TracesData: malformed"), "malformed: cut short");
	memcpy(b, good, sizeof(good));
	b[28] = 0x28;	/* name (5) as a varint */
	T_OK(refused(b, sizeof(good), TQ_ECORRUPT,
	    "byte 28: Span field 5: wrong wire type 0"),
	    "malformed: a known field of the wrong wire type");
	memcpy(b, good, sizeof(good));
	b[6] = 0xff;	/* a key varint running to the end */
	memset(b + 7, 0xff, sizeof(good) - 7);
	T_OK(refused(b, sizeof(good), TQ_ECORRUPT, "byte 6: Span: malformed"),
	    "malformed: a bad varint");
	/* An attribute (Span field 9) whose KeyValue is cut short. */
	memcpy(b, good, sizeof(good));
	b[1] += 4;
	b[3] += 4;
	b[5] += 4;
	b[sizeof(good)] = 0x4a;
	b[sizeof(good) + 1] = 0x02;
	b[sizeof(good) + 2] = 0x0a;
	b[sizeof(good) + 3] = 0x05;
	T_OK(refused(b, sizeof(good) + 4, TQ_ECORRUPT,
	    "KeyValue: malformed"), "malformed: an attribute, when shredded");
	T_OK(refused("", 0, TQ_EINVAL, "no spans"), "malformed: no spans");
	test_malformed_parts(good, sizeof(good));
}

int
main(void)
{
	static const struct tq_block_dedicated ded[] = {
		{ TQ_BLOCK_SCOPE_SPAN, "http.route" },
		{ TQ_BLOCK_SCOPE_SPAN, "db.system" },
		{ TQ_BLOCK_SCOPE_RESOURCE, "host.name" },
		{ TQ_BLOCK_SCOPE_RESOURCE, "telemetry.sdk.language" },
	};

	test_fixtures(NULL, 0);
	test_fixtures(ded, 4);
	test_gen(NULL, 0);
	test_gen(ded, 4);
	test_shapes();
	test_resources(NULL, 0);
	test_resources(ded, 4);
	test_malformed();
	return t_done();
}
