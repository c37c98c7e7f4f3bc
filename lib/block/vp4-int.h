/*
 * vp4-int.h: what the vParquet4 mapping's files share (vp4.c builds the
 * schema and shreds decoded traces, vp4-pb.c shreds traces straight from
 * their protobuf encoding): the mapping, the per-column row buffers and
 * the helpers that append levels and values to them.
 */
#ifndef TQ_VP4_INT_H
#define TQ_VP4_INT_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"

struct tq_vp4 {
	struct tq_parquet_schema	*schema;
	const char			*ded_span[TQ_BLOCK_MAX_DEDICATED];
	const char			*ded_res[TQ_BLOCK_MAX_DEDICATED];
	size_t				 n_span, n_res;
	char				*names;	/* copies of the dedicated names */
};

#define N_RES_WELL_KNOWN	8

/* One column's buffered entries, laid out as a struct tq_parquet_batch. */
struct cbuf {
	uint32_t	*lv;		/* n_levels: def | rep << 16 each */
	size_t		 cap_levels;
	struct tq_buf	 vals;		/* fixed-size values */
	struct tq_buf	 off;		/* BYTE_ARRAY: uint32_t offsets, from 0 */
	struct tq_buf	 data;		/* BYTE_ARRAY: the bytes */
	size_t		 n_levels;
	size_t		 n_values;
	uint16_t	 max_def;
	uint16_t	 max_rep;
	int		 type;
};

/* A list (or optional group) field: its columns and its levels. */
struct lst {
	int	first, n;	/* columns of the subtree */
	int	rep;		/* repetition level of a further element */
	int	def;		/* definition level of a present element */
};

/*
 * The columns of one vParquet4 Attribute list: key to vuns are seven
 * columns in a row, in this order (as the schema has them, which
 * attr_cols checks), so a shredder may reach them all from key.
 */
struct acols {
	struct lst	list;
	int		key, is_array, value, vint, vdouble, vbool, vuns;
};

struct tq_vp4_memo;

struct tq_vp4_rows {
	const struct tq_vp4	*m;
	struct tq_vp4_memo	*memo;		/* vp4-pb.c: NULL until used */
	struct cbuf		*c;
	size_t			 n_cols;
	size_t			 rows;
	size_t			 bytes;		/* roughly, buffered */
	int			 failed;	/* sticky */
	struct tq_buf		 hex;		/* scratch */
	/* Column numbers and lists, by name. */
	int			 trace_id, trace_id_text;
	int			 start, end, dur, root_svc, root_name;
	struct lst		 stats;
	int			 stats_key, stats_spans, stats_errors;
	struct lst		 rs;
	struct acols		 res_attrs;
	int			 res_dropped, res_svc, res_wk[N_RES_WELL_KNOWN];
	int			 res_ded[TQ_BLOCK_MAX_DEDICATED];
	struct lst		 ss;
	int			 sc_name, sc_version, sc_dropped;
	struct acols		 sc_attrs;
	struct lst		 sp;
	int			 span_id, parent_span_id, parent_id, left, right;
	int			 name, kind, trace_state, sp_start, sp_dur;
	int			 status_code, status_msg, sp_dropped;
	struct acols		 sp_attrs;
	struct lst		 ev;
	int			 ev_time, ev_name, ev_dropped;
	struct acols		 ev_attrs;
	int			 ev_dropped_count;
	struct lst		 lk;
	int			 lk_trace_id, lk_span_id, lk_state, lk_dropped;
	struct acols		 lk_attrs;
	int			 lk_dropped_count;
	int			 http_method, http_url, http_status;
	int			 sp_ded[TQ_BLOCK_MAX_DEDICATED];
};

/* tq_vp4_memo_free frees what vp4-pb.c keeps of resources shredded
 * (NULL allowed). */
void	tq_vp4_memo_free(struct tq_vp4_memo *memo);

/* copy_short copies n bytes (at most 16) as a few overlapping words,
 * without a call: most keys and values are that short. */
static inline void
copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* put appends n bytes to b; a failure sticks to R. */
static inline void
put(struct tq_vp4_rows *R, struct tq_buf *b, const void *p, size_t n)
{
	int rc;

	if (b->cap - b->len >= n && b->max - b->len >= n) {
		if (n <= 16)
			copy_short(b->data + b->len, p, n);
		else
			memcpy(b->data + b->len, p, n);
		b->len += n;
	} else if ((rc = tq_buf_append(b, p, n)) != 0 && R->failed == 0)
		R->failed = rc;
}

/* Levels a column buffers at most (within the row group's buffer). */
#define CBUF_MAX_LEVELS	((size_t)(TQ_PARQUET_MAX_ROW_GROUP_BUF / 4))

/*
 * A column has a value at most for each of its levels, and makes room for
 * it with the level's: 8 bytes (the widest number) in vals, or 4 (its
 * end offset) in off for byte arrays, whose off starts with a 0.  So a
 * number or an offset goes in without a check; the bytes of byte arrays
 * are checked (put).
 */
#define CBUF_ROOM(c)	((c)->type == TQ_PARQUET_BYTE_ARRAY ? 4u : 8u)

/* grow_levels makes room for more levels in c, and for their values;
 * false (and R failed) if it cannot. */
static inline bool
grow_levels(struct tq_vp4_rows *R, struct cbuf *c)
{
	size_t cap = c->cap_levels ? 2 * c->cap_levels : 1024;
	struct tq_buf *b = c->type == TQ_PARQUET_BYTE_ARRAY ? &c->off :
	    &c->vals;
	uint32_t *lv;
	int rc = TQ_ELIMIT;

	if (cap > CBUF_MAX_LEVELS)
		cap = CBUF_MAX_LEVELS;
	/* The values' room first: levels never outnumber it. */
	if (cap <= c->cap_levels || (rc = tq_buf_reserve(b, (cap + 1) *
	    CBUF_ROOM(c) - b->len)) != 0 || (lv = realloc(c->lv,
	    cap * sizeof(*lv))) == NULL) {
		if (R->failed == 0)
			R->failed = rc != 0 ? rc : TQ_ENOMEM;
		return false;
	}
	c->lv = lv;
	c->cap_levels = cap;
	return true;
}

/*
 * level adds one entry's levels to column col: one 32-bit store, as the
 * levels of some 150 columns are written at once (the Parquet writer
 * takes them packed so).  Returns the column, or NULL (and R
 * failed) when there is no room: then no value may follow.
 */
static inline struct cbuf *
level(struct tq_vp4_rows *R, int col, int rep, int def)
{
	struct cbuf *c = &R->c[col];

	if (c->n_levels == c->cap_levels && !grow_levels(R, c))
		return NULL;
	c->lv[c->n_levels++] = (uint32_t)(uint16_t)def |
	    (uint32_t)(uint16_t)rep << 16;
	return c;
}

/* off_put appends the end offset of c's value just added (its room was
 * made with its level). */
static inline void
off_put(struct cbuf *c)
{
	uint32_t end = (uint32_t)c->data.len;

	memcpy(c->off.data + c->off.len, &end, 4);
	c->off.len += 4;
	c->n_values++;
}

/* null_at adds an absent entry at definition level def to column col. */
static inline void
null_at(struct tq_vp4_rows *R, int col, int rep, int def)
{
	level(R, col, rep, def);
}

/* empty adds an empty list (or absent optional field) l to its columns:
 * the same levels to each. */
static inline void
empty(struct tq_vp4_rows *R, const struct lst *l, int rep)
{
	const uint32_t lv = (uint32_t)(uint16_t)(l->def - 1) |
	    (uint32_t)(uint16_t)rep << 16;
	struct cbuf *c = R->c + l->first, *end = c + l->n;

	for (; c < end; c++) {
		if (c->n_levels == c->cap_levels && !grow_levels(R, c))
			continue;
		c->lv[c->n_levels++] = lv;
	}
}

/* v_fixed adds a number of n bytes (at most 8: see CBUF_ROOM). */
static inline void
v_fixed(struct tq_vp4_rows *R, int col, int rep, const void *p, size_t n)
{
	struct cbuf *c = level(R, col, rep, R->c[col].max_def);

	if (c == NULL)
		return;
	memcpy(c->vals.data + c->vals.len, p, n);
	c->vals.len += n;
	c->n_values++;
}

static inline void
v_i32(struct tq_vp4_rows *R, int col, int rep, int32_t v)
{
	v_fixed(R, col, rep, &v, 4);
}

static inline void
v_i64(struct tq_vp4_rows *R, int col, int rep, int64_t v)
{
	v_fixed(R, col, rep, &v, 8);
}

static inline void
v_bool(struct tq_vp4_rows *R, int col, int rep, bool v)
{
	uint8_t b = v;

	v_fixed(R, col, rep, &b, 1);
}

/* v_bytes adds a BYTE_ARRAY value. */
static inline void
v_bytes(struct tq_vp4_rows *R, int col, int rep, const void *p, size_t n)
{
	struct cbuf *c = level(R, col, rep, R->c[col].max_def);

	if (c == NULL)
		return;
	put(R, &c->data, p, n);
	off_put(c);
	R->bytes += n;
}

static inline void
v_str(struct tq_vp4_rows *R, int col, int rep, const char *s)
{
	if (s == NULL)
		s = "";
	v_bytes(R, col, rep, s, strlen(s));
}

#endif
