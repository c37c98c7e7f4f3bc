/*
 * thrift.c: the Thrift compact protocol, as much as Parquet's footer and
 * page headers need: structs, fields, varint and zigzag integers, binary,
 * lists, bools, and skipping any value of an unknown field.
 */
#include <string.h>

#include "parquet-int.h"

void
tq_thrift_reader_init(struct tq_thrift_reader *r, const void *p, size_t len,
    struct tq_err *err)
{
	r->base = p;
	r->p = p;
	r->end = r->base + len;
	r->depth = 0;
	r->rc = 0;
	r->err = err;
}

int
tq_thrift_fail(struct tq_thrift_reader *r, const char *what)
{
	if (r->rc == 0)
		r->rc = tq_err_set(r->err, TQ_ECORRUPT, "thrift: %s at byte %zu",
		    what, (size_t)(r->p - r->base));
	r->p = r->end;
	return r->rc;
}

static uint64_t
varint_long(struct tq_thrift_reader *r)
{
	uint64_t v = 0;
	int shift = 0;

	while (r->p < r->end) {
		uint8_t c = *r->p++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0)
			return v;
		shift += 7;
		if (shift > 63) {
			tq_thrift_fail(r, "varint too long");
			return 0;
		}
	}
	tq_thrift_fail(r, "truncated varint");
	return 0;
}

/* varint reads an unsigned varint; most in a footer are one byte. */
static inline uint64_t
varint(struct tq_thrift_reader *r)
{
	if (r->p < r->end && *r->p < 0x80)
		return *r->p++;
	return varint_long(r);
}

static int64_t
zigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int
tq_thrift_struct_begin(struct tq_thrift_reader *r)
{
	if (r->rc != 0)
		return r->rc;
	if (++r->depth > TQ_THRIFT_MAX_DEPTH)
		return tq_thrift_fail(r, "structs nested too deep");
	return 0;
}

void
tq_thrift_struct_end(struct tq_thrift_reader *r)
{
	r->depth--;
}

int
tq_thrift_field(struct tq_thrift_reader *r, int16_t *last, int *id, int *type)
{
	uint8_t c;
	int delta;

	*id = 0;
	*type = 0;
	if (r->rc != 0)
		return r->rc;
	if (r->p >= r->end)
		return tq_thrift_fail(r, "truncated struct");
	c = *r->p++;
	if (c == 0)
		return 0;
	*type = c & 0x0f;
	delta = c >> 4;
	if (delta != 0)
		*id = *last + delta;
	else {
		int64_t v = zigzag(varint(r));

		if (v < INT16_MIN || v > INT16_MAX)
			return tq_thrift_fail(r, "bad field id");
		*id = (int)v;
	}
	if (r->rc != 0)
		return r->rc;
	if (*type == 0 || *type > TQ_THRIFT_UUID)
		return tq_thrift_fail(r, "bad field type");
	*last = (int16_t)*id;
	return 1;
}

int64_t
tq_thrift_i64(struct tq_thrift_reader *r)
{
	return zigzag(varint(r));
}

int32_t
tq_thrift_i32(struct tq_thrift_reader *r)
{
	int64_t v = zigzag(varint(r));

	if (v < INT32_MIN || v > INT32_MAX) {
		tq_thrift_fail(r, "i32 out of range");
		return 0;
	}
	return (int32_t)v;
}

int
tq_thrift_i8(struct tq_thrift_reader *r)
{
	if (r->p >= r->end) {
		tq_thrift_fail(r, "truncated byte");
		return 0;
	}
	return (int8_t)*r->p++;
}

bool
tq_thrift_bool(struct tq_thrift_reader *r, int type)
{
	if (type == TQ_THRIFT_TRUE)
		return true;
	if (type == TQ_THRIFT_FALSE)
		return false;
	tq_thrift_fail(r, "bool field of another type");
	return false;
}

double
tq_thrift_double(struct tq_thrift_reader *r)
{
	double d = 0;

	if (r->end - r->p < 8) {
		tq_thrift_fail(r, "truncated double");
		return 0;
	}
	memcpy(&d, r->p, 8);
	r->p += 8;
	return d;
}

const uint8_t *
tq_thrift_binary(struct tq_thrift_reader *r, size_t *len)
{
	uint64_t n = varint(r);
	const uint8_t *p;

	if (r->rc != 0)
		return NULL;
	if (n > (uint64_t)(r->end - r->p)) {
		tq_thrift_fail(r, "binary longer than its struct");
		return NULL;
	}
	p = r->p;
	r->p += n;
	*len = (size_t)n;
	return p;
}

int
tq_thrift_list(struct tq_thrift_reader *r, int *etype, size_t *n)
{
	uint8_t c;
	uint64_t size;

	if (r->rc != 0)
		return r->rc;
	if (r->p >= r->end)
		return tq_thrift_fail(r, "truncated list");
	c = *r->p++;
	*etype = c & 0x0f;
	size = c >> 4;
	if (size == 15)
		size = varint(r);
	if (r->rc != 0)
		return r->rc;
	/* Booleans and all else take one byte or more each. */
	if (size > (uint64_t)(r->end - r->p))
		return tq_thrift_fail(r, "list longer than its input");
	*n = (size_t)size;
	return 0;
}

/*
 * skip_struct_slow passes over the fields of a struct with the checks
 * tq_thrift_field and tq_thrift_skip make, failing at the first bad byte
 * with its offset.
 */
static int
skip_struct_slow(struct tq_thrift_reader *r)
{
	uint64_t n;
	uint8_t c;
	int t;

	if (tq_thrift_struct_begin(r) != 0)
		return r->rc;
	while (r->rc == 0) {
		if (r->p >= r->end) {
			tq_thrift_fail(r, "truncated struct");
			break;
		}
		if ((c = *r->p++) == 0)
			break;
		t = c & 0x0f;
		if ((c >> 4) == 0) {
			int64_t v = zigzag(varint(r));

			if (r->rc == 0 && (v < INT16_MIN || v > INT16_MAX)) {
				tq_thrift_fail(r, "bad field id");
				break;
			}
		}
		switch (t) {
		case TQ_THRIFT_TRUE:
		case TQ_THRIFT_FALSE:
			break;
		case TQ_THRIFT_I16:
		case TQ_THRIFT_I32:
		case TQ_THRIFT_I64:
			varint(r);
			break;
		case TQ_THRIFT_BINARY:
			n = varint(r);
			if (r->rc == 0 && n > (uint64_t)(r->end - r->p))
				tq_thrift_fail(r, "binary longer than its struct");
			else if (r->rc == 0)
				r->p += n;
			break;
		case TQ_THRIFT_STRUCT:
			skip_struct_slow(r);
			break;
		default:
			if (t == 0 || t > TQ_THRIFT_UUID)
				tq_thrift_fail(r, "bad field type");
			else
				tq_thrift_skip(r, t);
			break;
		}
	}
	tq_thrift_struct_end(r);
	return r->rc;
}

/*
 * The fast skip: fast_struct and fast_value pass over a struct or a value
 * of type t at p, depth being the nesting depth it starts at, with the
 * cursor in a local and no error bookkeeping.  They accept exactly what
 * the slow path (skip_struct_slow, tq_thrift_skip) accepts and end where
 * it ends; on anything it would reject they return NULL, and the caller
 * runs the slow path from the same place for the error and its offset.
 * Footers are mostly column chunks skipped this way.
 */
static const uint8_t *fast_struct(const uint8_t *p, const uint8_t *end,
    int depth);
static const uint8_t *fast_list(const uint8_t *p, const uint8_t *end,
    int depth);

/* fast_varint passes over a varint of at most 10 bytes. */
static inline const uint8_t *
fast_varint(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *stop;

	if (p < end && *p < 0x80)
		return p + 1;
	stop = end - p > 10 ? p + 10 : end;
	while (p < stop)
		if (*p++ < 0x80)
			return p;
	return NULL;
}

/* fast_uvarint reads a varint's value into *v. */
static inline const uint8_t *
fast_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift <= 63 && p < end; shift += 7) {
		x |= (uint64_t)(*p & 0x7f) << shift;
		if (*p++ < 0x80) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

/* fast_binary passes over a length and that many bytes. */
static inline const uint8_t *
fast_binary(const uint8_t *p, const uint8_t *end)
{
	uint64_t n;

	if (p < end && *p < 0x80)
		n = *p++;
	else if ((p = fast_uvarint(p, end, &n)) == NULL)
		return NULL;
	return n <= (uint64_t)(end - p) ? p + n : NULL;
}

/* fast_value passes over a value of one of the other types. */
static const uint8_t *
fast_value(const uint8_t *p, const uint8_t *end, int t, int depth)
{
	uint64_t n, i;
	int vt, kt;

	switch (t) {
	case TQ_THRIFT_TRUE:
	case TQ_THRIFT_FALSE:
		return p;
	case TQ_THRIFT_I8:
		return p < end ? p + 1 : NULL;
	case TQ_THRIFT_I16:
	case TQ_THRIFT_I32:
	case TQ_THRIFT_I64:
		return fast_varint(p, end);
	case TQ_THRIFT_DOUBLE:
		return end - p >= 8 ? p + 8 : NULL;
	case TQ_THRIFT_UUID:
		return end - p >= 16 ? p + 16 : NULL;
	case TQ_THRIFT_BINARY:
		return fast_binary(p, end);
	case TQ_THRIFT_STRUCT:
		return fast_struct(p, end, depth);
	case TQ_THRIFT_LIST:
	case TQ_THRIFT_SET:
		return fast_list(p, end, depth);
	case TQ_THRIFT_MAP:
		if ((p = fast_uvarint(p, end, &n)) == NULL || n == 0)
			return p;
		if (n > (uint64_t)(end - p) || p >= end ||
		    ++depth > TQ_THRIFT_MAX_DEPTH)
			return NULL;
		kt = *p >> 4;
		vt = *p++ & 0x0f;
		if (kt == TQ_THRIFT_TRUE || kt == TQ_THRIFT_FALSE)
			kt = TQ_THRIFT_I8;
		if (vt == TQ_THRIFT_TRUE || vt == TQ_THRIFT_FALSE)
			vt = TQ_THRIFT_I8;
		for (i = 0; i < n && p != NULL; i++)
			if ((p = fast_value(p, end, kt, depth)) != NULL)
				p = fast_value(p, end, vt, depth);
		return p;
	default:
		return NULL;
	}
}

/* fast_list passes over a list or set header and its elements. */
static const uint8_t *
fast_list(const uint8_t *p, const uint8_t *end, int depth)
{
	uint64_t n, i;
	int et;

	if (p >= end)
		return NULL;
	et = *p & 0x0f;
	n = *p++ >> 4;
	if (n == 15 && (p = fast_uvarint(p, end, &n)) == NULL)
		return NULL;
	if (n > (uint64_t)(end - p) || ++depth > TQ_THRIFT_MAX_DEPTH)
		return NULL;
	/* The common element types without a call each. */
	switch (et) {
	case TQ_THRIFT_STRUCT:
		for (i = 0; i < n && p != NULL; i++)
			p = fast_struct(p, end, depth);
		return p;
	case TQ_THRIFT_BINARY:
		for (i = 0; i < n && p != NULL; i++)
			p = fast_binary(p, end);
		return p;
	case TQ_THRIFT_I16:
	case TQ_THRIFT_I32:
	case TQ_THRIFT_I64:
		for (i = 0; i < n && p != NULL; i++)
			p = fast_varint(p, end);
		return p;
	case TQ_THRIFT_TRUE:
	case TQ_THRIFT_FALSE:
		et = TQ_THRIFT_I8;
		break;
	}
	for (i = 0; i < n && p != NULL; i++)
		p = fast_value(p, end, et, depth);
	return p;
}

static const uint8_t *
fast_struct(const uint8_t *p, const uint8_t *end, int depth)
{
	uint64_t v;
	int64_t id;
	uint8_t c;

	if (++depth > TQ_THRIFT_MAX_DEPTH)
		return NULL;
	while (p < end) {
		if ((c = *p++) == 0)
			return p;
		if ((c >> 4) == 0) {
			if ((p = fast_uvarint(p, end, &v)) == NULL)
				return NULL;
			id = zigzag(v);
			if (id < INT16_MIN || id > INT16_MAX)
				return NULL;
		}
		switch (c & 0x0f) {
		case TQ_THRIFT_TRUE:
		case TQ_THRIFT_FALSE:
			continue;
		case TQ_THRIFT_I16:
		case TQ_THRIFT_I32:
		case TQ_THRIFT_I64:
			p = fast_varint(p, end);
			break;
		case TQ_THRIFT_BINARY:
			p = fast_binary(p, end);
			break;
		case TQ_THRIFT_STRUCT:
			p = fast_struct(p, end, depth);
			break;
		case TQ_THRIFT_LIST:
			p = fast_list(p, end, depth);
			break;
		default:
			p = fast_value(p, end, c & 0x0f, depth);
			break;
		}
		if (p == NULL)
			return NULL;
	}
	return NULL;
}

/* skip_struct takes the fast path, and the slow one when that fails. */
static int
skip_struct(struct tq_thrift_reader *r)
{
	const uint8_t *q;

	if (r->rc != 0)
		return r->rc;
	if ((q = fast_struct(r->p, r->end, r->depth)) != NULL) {
		r->p = q;
		return 0;
	}
	return skip_struct_slow(r);
}

int
tq_thrift_skip(struct tq_thrift_reader *r, int type)
{
	size_t i, n = 0, len;
	int et = 0, rc, kt, vt;

	if (r->rc != 0)
		return r->rc;
	switch (type) {
	case TQ_THRIFT_TRUE:
	case TQ_THRIFT_FALSE:
		return 0;
	case TQ_THRIFT_I8:
		if (r->p >= r->end)
			return tq_thrift_fail(r, "truncated byte");
		r->p++;
		return 0;
	case TQ_THRIFT_I16:
	case TQ_THRIFT_I32:
	case TQ_THRIFT_I64:
		varint(r);
		return r->rc;
	case TQ_THRIFT_DOUBLE:
		tq_thrift_double(r);
		return r->rc;
	case TQ_THRIFT_UUID:
		if (r->end - r->p < 16)
			return tq_thrift_fail(r, "truncated uuid");
		r->p += 16;
		return 0;
	case TQ_THRIFT_BINARY:
		tq_thrift_binary(r, &len);
		return r->rc;
	case TQ_THRIFT_LIST:
	case TQ_THRIFT_SET:
		if ((rc = tq_thrift_list(r, &et, &n)) != 0)
			return rc;
		if (tq_thrift_struct_begin(r) != 0)
			return r->rc;
		/* The common element types without a call each. */
		if (et == TQ_THRIFT_BINARY)
			for (i = 0; i < n && r->rc == 0; i++)
				tq_thrift_binary(r, &len);
		else if (et == TQ_THRIFT_I16 || et == TQ_THRIFT_I32 ||
		    et == TQ_THRIFT_I64)
			for (i = 0; i < n && r->rc == 0; i++)
				varint(r);
		else
			for (i = 0; i < n && r->rc == 0; i++)
				tq_thrift_skip(r, et == TQ_THRIFT_TRUE ||
				    et == TQ_THRIFT_FALSE ? TQ_THRIFT_I8 : et);
		tq_thrift_struct_end(r);
		return r->rc;
	case TQ_THRIFT_MAP:
		n = varint(r);
		if (r->rc != 0 || n == 0)
			return r->rc;
		if (n > (size_t)(r->end - r->p) || r->p >= r->end)
			return tq_thrift_fail(r, "map longer than its input");
		kt = *r->p >> 4;
		vt = *r->p & 0x0f;
		r->p++;
		if (tq_thrift_struct_begin(r) != 0)
			return r->rc;
		for (i = 0; i < n && r->rc == 0; i++) {
			tq_thrift_skip(r, kt == TQ_THRIFT_TRUE ||
			    kt == TQ_THRIFT_FALSE ? TQ_THRIFT_I8 : kt);
			tq_thrift_skip(r, vt == TQ_THRIFT_TRUE ||
			    vt == TQ_THRIFT_FALSE ? TQ_THRIFT_I8 : vt);
		}
		tq_thrift_struct_end(r);
		return r->rc;
	case TQ_THRIFT_STRUCT:
		return skip_struct(r);
	default:
		return tq_thrift_fail(r, "unknown type");
	}
}

/* ---- Encoder ---- */

void
tq_thrift_writer_init(struct tq_thrift_writer *w, struct tq_buf *b)
{
	w->b = b;
	w->depth = 0;
	w->last[0] = 0;
	w->rc = 0;
}

static void
put(struct tq_thrift_writer *w, const void *p, size_t n)
{
	int rc;

	if (w->rc == 0 && (rc = tq_buf_append(w->b, p, n)) != 0)
		w->rc = rc;
}

static void
put_varint(struct tq_thrift_writer *w, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	while (v >= 0x80) {
		tmp[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (uint8_t)v;
	put(w, tmp, n);
}

static uint64_t
to_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void
tq_thrift_w_struct_begin(struct tq_thrift_writer *w)
{
	if (w->depth + 1 >= TQ_THRIFT_MAX_DEPTH) {
		w->rc = TQ_ELIMIT;
		return;
	}
	w->last[++w->depth] = 0;
}

void
tq_thrift_w_struct_end(struct tq_thrift_writer *w)
{
	uint8_t z = 0;

	put(w, &z, 1);
	if (w->depth > 0)
		w->depth--;
}

void
tq_thrift_w_field(struct tq_thrift_writer *w, int id, int type)
{
	int delta = id - w->last[w->depth];
	uint8_t c;

	if (delta > 0 && delta <= 15) {
		c = (uint8_t)(delta << 4 | type);
		put(w, &c, 1);
	} else {
		c = (uint8_t)type;
		put(w, &c, 1);
		put_varint(w, to_zigzag(id));
	}
	w->last[w->depth] = (int16_t)id;
}

void
tq_thrift_w_bool(struct tq_thrift_writer *w, int id, bool v)
{
	tq_thrift_w_field(w, id, v ? TQ_THRIFT_TRUE : TQ_THRIFT_FALSE);
}

void
tq_thrift_w_i8(struct tq_thrift_writer *w, int id, int v)
{
	uint8_t c = (uint8_t)v;

	tq_thrift_w_field(w, id, TQ_THRIFT_I8);
	put(w, &c, 1);
}

void
tq_thrift_w_i32(struct tq_thrift_writer *w, int id, int32_t v)
{
	tq_thrift_w_field(w, id, TQ_THRIFT_I32);
	put_varint(w, to_zigzag(v));
}

void
tq_thrift_w_i64(struct tq_thrift_writer *w, int id, int64_t v)
{
	tq_thrift_w_field(w, id, TQ_THRIFT_I64);
	put_varint(w, to_zigzag(v));
}

void
tq_thrift_w_binary(struct tq_thrift_writer *w, int id, const void *p,
    size_t len)
{
	tq_thrift_w_field(w, id, TQ_THRIFT_BINARY);
	tq_thrift_w_bytes(w, p, len);
}

void
tq_thrift_w_list(struct tq_thrift_writer *w, int id, int etype, size_t n)
{
	uint8_t c;

	tq_thrift_w_field(w, id, TQ_THRIFT_LIST);
	if (n < 15) {
		c = (uint8_t)(n << 4 | (size_t)etype);
		put(w, &c, 1);
	} else {
		c = (uint8_t)(0xf0 | etype);
		put(w, &c, 1);
		put_varint(w, n);
	}
}

void
tq_thrift_w_varint_i32(struct tq_thrift_writer *w, int32_t v)
{
	put_varint(w, to_zigzag(v));
}

void
tq_thrift_w_bytes(struct tq_thrift_writer *w, const void *p, size_t len)
{
	put_varint(w, len);
	put(w, p, len);
}
