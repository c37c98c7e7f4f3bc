/*
 * otlp.c: the protobuf side of the OTLP model (see otlp.h): a checking
 * wire walker, decoding into an arena, encoding, and small helpers.
 *
 * protobuf-c trusts its input more than we may: it recurses without a
 * depth bound and does not check UTF-8.  So every buffer is first walked
 * by check_message(), which knows the OTLP schema, allocates nothing and
 * names the byte offset of the first problem; only then does protobuf-c
 * unpack it, with the arena as its allocator.
 */
#include <string.h>

#include "limits.h"
#include "otlp.h"

/* Field kinds of the schema the walker knows. */
enum kind { K_VARINT, K_FIXED32, K_FIXED64, K_BYTES, K_STRING, K_MSG };

/* Message types, indexes into schema[]. */
enum msg {
	M_TRACES_DATA, M_RESOURCE_SPANS, M_RESOURCE, M_ENTITY_REF,
	M_SCOPE_SPANS, M_SCOPE, M_SPAN, M_EVENT, M_LINK, M_STATUS,
	M_KEY_VALUE, M_ANY_VALUE, M_ARRAY_VALUE, M_KV_LIST, M_COUNT
};

struct field {
	unsigned char	num;
	unsigned char	kind;
	unsigned char	msg;	/* for K_MSG */
};

/*
 * Each message's fields, indexed by field number (every OTLP trace field
 * number is below MAX_FIELD); num 0 marks a number the message lacks.
 */
#define MAX_FIELD	17
#define F(n, k)		[n] = { n, k, 0 }
#define FM(n, m)	[n] = { n, K_MSG, m }

static const struct field schema[M_COUNT][MAX_FIELD] = {
	[M_TRACES_DATA] = { FM(1, M_RESOURCE_SPANS) },
	[M_RESOURCE_SPANS] = {
		FM(1, M_RESOURCE), FM(2, M_SCOPE_SPANS), F(3, K_STRING) },
	[M_RESOURCE] = {
		FM(1, M_KEY_VALUE), F(2, K_VARINT), FM(3, M_ENTITY_REF) },
	[M_ENTITY_REF] = {
		F(1, K_STRING), F(2, K_STRING), F(3, K_STRING), F(4, K_STRING) },
	[M_SCOPE_SPANS] = {
		FM(1, M_SCOPE), FM(2, M_SPAN), F(3, K_STRING) },
	[M_SCOPE] = {
		F(1, K_STRING), F(2, K_STRING), FM(3, M_KEY_VALUE),
		F(4, K_VARINT) },
	[M_SPAN] = {
		F(1, K_BYTES), F(2, K_BYTES), F(3, K_STRING), F(4, K_BYTES),
		F(5, K_STRING), F(6, K_VARINT), F(7, K_FIXED64),
		F(8, K_FIXED64), FM(9, M_KEY_VALUE), F(10, K_VARINT),
		FM(11, M_EVENT), F(12, K_VARINT), FM(13, M_LINK),
		F(14, K_VARINT), FM(15, M_STATUS), F(16, K_FIXED32) },
	[M_EVENT] = {
		F(1, K_FIXED64), F(2, K_STRING), FM(3, M_KEY_VALUE),
		F(4, K_VARINT) },
	[M_LINK] = {
		F(1, K_BYTES), F(2, K_BYTES), F(3, K_STRING), FM(4, M_KEY_VALUE),
		F(5, K_VARINT), F(6, K_FIXED32) },
	[M_STATUS] = { F(2, K_STRING), F(3, K_VARINT) },
	[M_KEY_VALUE] = { F(1, K_STRING), FM(2, M_ANY_VALUE) },
	[M_ANY_VALUE] = {
		F(1, K_STRING), F(2, K_VARINT), F(3, K_VARINT),
		F(4, K_FIXED64), FM(5, M_ARRAY_VALUE), FM(6, M_KV_LIST),
		F(7, K_BYTES) },
	[M_ARRAY_VALUE] = { FM(1, M_ANY_VALUE) },
	[M_KV_LIST] = { FM(1, M_KEY_VALUE) },
};

static const char *const msg_names[M_COUNT] = {
	[M_TRACES_DATA] = "TracesData",
	[M_RESOURCE_SPANS] = "ResourceSpans",
	[M_RESOURCE] = "Resource",
	[M_ENTITY_REF] = "EntityRef",
	[M_SCOPE_SPANS] = "ScopeSpans",
	[M_SCOPE] = "InstrumentationScope",
	[M_SPAN] = "Span",
	[M_EVENT] = "Span.Event",
	[M_LINK] = "Span.Link",
	[M_STATUS] = "Status",
	[M_KEY_VALUE] = "KeyValue",
	[M_ANY_VALUE] = "AnyValue",
	[M_ARRAY_VALUE] = "ArrayValue",
	[M_KV_LIST] = "KeyValueList",
};

/*
 * The key byte of each message's attribute field (KeyValue, wire type 2),
 * 0 for messages without: attributes of the usual shape are taken by
 * fast_kv before the field loop looks at them.
 */
static const uint8_t kv_key[M_COUNT] = {
	[M_RESOURCE] = 1 << 3 | 2,
	[M_SCOPE] = 3 << 3 | 2,
	[M_SPAN] = 9 << 3 | 2,
	[M_EVENT] = 3 << 3 | 2,
	[M_LINK] = 4 << 3 | 2,
	[M_KV_LIST] = 1 << 3 | 2,
};

struct walk {
	const uint8_t	*base;
	size_t		 nspans;
	struct tq_err	*err;
};

/* get_varint reads a varint at *p (before end); false when malformed. */
static inline bool
get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift;

	/* Most keys and lengths in OTLP are one byte. */
	if (*p < end && **p < 0x80) {
		*out = *(*p)++;
		return true;
	}
	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		if (shift == 63 && b > 1)
			return false;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*out = v;
			return true;
		}
	}
	return false;
}

static inline const struct field *
find_field(enum msg m, uint64_t num)
{
	if (num >= MAX_FIELD || schema[m][num].num == 0)
		return NULL;
	return &schema[m][num];
}

/*
 * utf8_ok is tq_utf8_valid with the usual case, a short ASCII string
 * (keys, names, codes, IDs), seen as a few overlapping words without a
 * call.
 */
static inline bool
utf8_ok(const uint8_t *p, size_t n)
{
	uint64_t a, b, c, d;
	uint32_t x, y;

	if (n >= 8 && n <= 32) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		if (n > 16) {
			memcpy(&c, p + 8, 8);
			memcpy(&d, p + (n > 24 ? n - 16 : 8), 8);
			a |= c | d;
		}
		if (((a | b) & 0x8080808080808080ULL) == 0)
			return true;
	} else if (n >= 4 && n < 8) {
		memcpy(&x, p, 4);
		memcpy(&y, p + n - 4, 4);
		if (((x | y) & 0x80808080u) == 0)
			return true;
	} else if (n < 4 && (n == 0 || ((p[0] | p[n / 2] | p[n - 1]) &
	    0x80) == 0))
		return true;
	return tq_utf8_valid((const char *)p, n);
}

/*
 * fast_kv accepts the common shape of an attribute in one pass: a key and
 * a string, bool, int or double value, fields in order, one-byte lengths.
 * Anything else (and anything wrong) is left to check_message, which
 * says what is wrong; so fast_kv only ever says yes or "look closer".
 */
static inline bool
fast_kv(const uint8_t *p, const uint8_t *end)
{
	size_t klen, vlen, slen;

	if (end - p < 4 || p[0] != 0x0a || (klen = p[1]) >= 0x80 ||
	    (size_t)(end - p) < 2 + klen + 2)
		return false;
	if (!utf8_ok(p + 2, klen))
		return false;
	p += 2 + klen;
	if (p[0] != 0x12 || (vlen = p[1]) >= 0x80 ||
	    (size_t)(end - p) != 2 + vlen)
		return false;
	p += 2;
	if (vlen == 0)
		return true;
	switch (p[0]) {
	case 0x0a:	/* string_value */
		return vlen >= 2 && (slen = p[1]) < 0x80 && slen == vlen - 2 &&
		    utf8_ok(p + 2, slen);
	case 0x10:	/* bool_value */
	case 0x18:	/* int_value: a varint filling the rest */
		if (vlen < 2 || vlen > 10 || p[vlen - 1] >= 0x80)
			return false;
		for (slen = 1; slen < vlen - 1; slen++)
			if (p[slen] < 0x80)
				return false;
		return true;
	case 0x21:	/* double_value */
		return vlen == 9;
	default:
		return false;
	}
}

/*
 * span_head passes over the fields a span usually starts with, as the
 * SDKs and protobuf-c write them: trace_id and span_id of their sizes,
 * trace_state, parent_span_id (of 8 bytes or none), name, kind, start
 * and end time, in that order with one-byte keys and lengths, checked
 * as check_message would.  It returns where the rest begins: at the
 * first field that differs, check_message takes over.
 */
static inline const uint8_t *
span_head(const uint8_t *p, const uint8_t *end)
{
	size_t n;

	if (end - p >= 18 && p[0] == 0x0a && p[1] == 16)
		p += 18;
	if (end - p >= 10 && p[0] == 0x12 && p[1] == 8)
		p += 10;
	if (end - p >= 2 && p[0] == 0x1a && (n = p[1]) < 0x80 &&
	    n <= (size_t)(end - p - 2) && utf8_ok(p + 2, n))
		p += 2 + n;
	if (end - p >= 10 && p[0] == 0x22 && p[1] == 8)
		p += 10;
	else if (end - p >= 2 && p[0] == 0x22 && p[1] == 0)
		p += 2;
	if (end - p >= 2 && p[0] == 0x2a && (n = p[1]) < 0x80 &&
	    n <= (size_t)(end - p - 2) && utf8_ok(p + 2, n))
		p += 2 + n;
	if (end - p >= 2 && p[0] == 0x30 && p[1] < 0x80)
		p += 2;
	if (end - p >= 9 && p[0] == 0x39)
		p += 9;
	if (end - p >= 9 && p[0] == 0x41)
		p += 9;
	return p;
}

/*
 * fast_status accepts the usual Status in one go: a message (one-byte
 * length) and a one-byte code, each optional, in that order; anything
 * else is left to check_message.
 */
static inline bool
fast_status(const uint8_t *p, const uint8_t *end)
{
	size_t n;

	if (end - p >= 2 && p[0] == 0x12 && (n = p[1]) < 0x80 &&
	    n <= (size_t)(end - p - 2) && utf8_ok(p + 2, n))
		p += 2 + n;
	if (end - p >= 2 && p[0] == 0x18 && p[1] < 0x80)
		p += 2;
	return p == end;
}

static int
check_message(struct walk *w, enum msg m, const uint8_t *p,
    const uint8_t *end, int depth)
{
	const char *name = msg_names[m];

	if (depth > TQ_MAX_DEPTH)
		return tq_err_set(w->err, TQ_ELIMIT,
		    "byte %zu: %s nested deeper than %d", (size_t)(p - w->base),
		    name, TQ_MAX_DEPTH);
	if (m == M_SPAN)
		p = span_head(p, end);
	while (p < end) {
		const uint8_t *at = p, *len_at;
		bool len_ok;
		const struct field *f;
		uint64_t key, len;
		unsigned wt;
		int rc;

		/* An attribute with a one-byte length, checked in one go. */
		if (p[0] == kv_key[m] && kv_key[m] != 0 && end - p >= 2 &&
		    p[1] < 0x80 && p[1] <= end - p - 2 &&
		    fast_kv(p + 2, p + 2 + p[1])) {
			p += 2 + p[1];
			continue;
		}

		/* protobuf-c, like the spec's 29-bit field numbers, wants
		 * keys of at most 5 bytes. */
		if (!get_varint(&p, end, &key) || p - at > 5)
			return tq_err_set(w->err, TQ_ECORRUPT,
			    "byte %zu: %s: bad field key varint",
			    (size_t)(at - w->base), name);
		wt = key & 7;
		if ((key >> 3) == 0 || (key >> 3) > 536870911)
			return tq_err_set(w->err, TQ_ECORRUPT,
			    "byte %zu: %s: invalid field number %llu",
			    (size_t)(at - w->base), name,
			    (unsigned long long)(key >> 3));
		f = find_field(m, key >> 3);
		switch (wt) {
		case 0:
			if (!get_varint(&p, end, &len))
				return tq_err_set(w->err, TQ_ECORRUPT,
				    "byte %zu: %s field %llu: bad varint",
				    (size_t)(at - w->base), name,
				    (unsigned long long)(key >> 3));
			if (f != NULL && f->kind != K_VARINT)
				goto wrong_type;
			break;
		case 1:
		case 5:
			if ((size_t)(end - p) < (wt == 1 ? 8u : 4u))
				return tq_err_set(w->err, TQ_ECORRUPT,
				    "byte %zu: %s field %llu: truncated",
				    (size_t)(at - w->base), name,
				    (unsigned long long)(key >> 3));
			p += wt == 1 ? 8 : 4;
			if (f != NULL &&
			    f->kind != (wt == 1 ? K_FIXED64 : K_FIXED32))
				goto wrong_type;
			break;
		case 2:
			/* Lengths, like keys, take at most 5 bytes. */
			len_at = p;
			len_ok = get_varint(&p, end, &len);
			if (len_ok && p - len_at > 5)
				return tq_err_set(w->err, TQ_ECORRUPT,
				    "byte %zu: %s field %llu: length over 5 bytes",
				    (size_t)(at - w->base), name,
				    (unsigned long long)(key >> 3));
			if (!len_ok || len > (uint64_t)(end - p))
				return tq_err_set(w->err, TQ_ECORRUPT,
				    "byte %zu: %s field %llu: length past the end",
				    (size_t)(at - w->base), name,
				    (unsigned long long)(key >> 3));
			if (f == NULL) {
				p += len;
				break;
			}
			if (f->kind == K_MSG) {
				if (m == M_SCOPE_SPANS && f->msg == M_SPAN)
					w->nspans++;
				if ((f->msg == M_KEY_VALUE && fast_kv(p, p + len)) ||
				    (f->msg == M_STATUS &&
				    fast_status(p, p + len))) {
					p += len;
					break;
				}
				if ((rc = check_message(w, f->msg, p, p + len,
				    depth + 1)) != 0)
					return rc;
			} else if (f->kind == K_STRING) {
				if (!utf8_ok(p, len))
					return tq_err_set(w->err, TQ_ECORRUPT,
					    "byte %zu: %s field %u: invalid UTF-8",
					    (size_t)(p - w->base), name,
					    f->num);
			} else if (f->kind != K_BYTES)
				goto wrong_type;
			p += len;
			break;
		default:
			/* Groups (3, 4) are not in proto3; 6 and 7 do not exist. */
			return tq_err_set(w->err, TQ_ECORRUPT,
			    "byte %zu: %s field %llu: bad wire type %u",
			    (size_t)(at - w->base), name,
			    (unsigned long long)(key >> 3), wt);
		}
		continue;
wrong_type:
		return tq_err_set(w->err, TQ_ECORRUPT,
		    "byte %zu: %s field %u: wrong wire type %u",
		    (size_t)(at - w->base), name, f->num, wt);
	}
	return 0;
}

int
tq_otlp_pb_check(const void *buf, size_t len, size_t *nspans,
    struct tq_err *err)
{
	struct walk w = { buf, 0, err };
	int rc;

	if (len > TQ_MAX_RECORD)
		return tq_err_set(err, TQ_ELIMIT,
		    "message of %zu bytes exceeds the limit of %u", len,
		    TQ_MAX_RECORD);
	if (len == 0) {
		/* An empty message is a valid, empty TracesData. */
		if (nspans != NULL)
			*nspans = 0;
		return 0;
	}
	if ((rc = check_message(&w, M_TRACES_DATA, buf,
	    (const uint8_t *)buf + len, 0)) != 0)
		return rc;
	if (nspans != NULL)
		*nspans = w.nspans;
	return 0;
}

/* The arena behind protobuf-c, remembering whether it ran out. */
struct pb_arena {
	struct tq_arena	*a;
	bool		 full;
};

static void *
arena_alloc(void *data, size_t size)
{
	struct pb_arena *pa = data;
	void *p = tq_arena_alloc(pa->a, size);

	if (p == NULL)
		pa->full = true;
	return p;
}

static void
arena_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

int
tq_otlp_pb_decode(const void *buf, size_t len, struct tq_arena *a,
    Tq__TracesData **out, struct tq_err *err)
{
	int rc;

	if ((rc = tq_otlp_pb_check(buf, len, NULL, err)) != 0)
		return rc;
	return tq_otlp_pb_unpack(buf, len, a, out, err);
}

int
tq_otlp_pb_unpack(const void *buf, size_t len, struct tq_arena *a,
    Tq__TracesData **out, struct tq_err *err)
{
	struct pb_arena pa = { a, false };
	ProtobufCAllocator alloc = { arena_alloc, arena_free, &pa };
	Tq__TracesData *td;

	td = tq__traces_data__unpack(&alloc, len, buf);
	if (td == NULL && pa.full)
		return tq_err_set(err, TQ_ENOMEM,
		    "decoding %zu bytes: out of memory", len);
	/* protobuf-c refuses a few valid encodings the check lets through,
	 * such as a singular field twice with both copies empty. */
	if (td == NULL)
		return tq_err_set(err, TQ_ECORRUPT,
		    "decoding %zu bytes: protobuf-c refuses the message "
		    "(repeated singular fields?)", len);
	*out = td;
	return 0;
}

int
tq_otlp_pb_anyvalue_decode(const void *buf, size_t len, struct tq_arena *a,
    Tq__AnyValue **out, struct tq_err *err)
{
	struct walk w = { buf, 0, err };
	struct pb_arena pa = { a, false };
	ProtobufCAllocator alloc = { arena_alloc, arena_free, &pa };
	Tq__AnyValue *v;
	int rc;

	if (len > TQ_MAX_RECORD)
		return tq_err_set(err, TQ_ELIMIT,
		    "AnyValue of %zu bytes exceeds the limit of %u", len,
		    TQ_MAX_RECORD);
	if ((rc = check_message(&w, M_ANY_VALUE, buf,
	    (const uint8_t *)buf + len, 0)) != 0)
		return rc;
	if ((v = tq__any_value__unpack(&alloc, len, buf)) == NULL)
		return pa.full ? tq_err_set(err, TQ_ENOMEM,
		    "decoding an AnyValue: out of memory") :
		    tq_err_set(err, TQ_ECORRUPT, "decoding an AnyValue: "
		    "protobuf-c refuses it");
	*out = v;
	return 0;
}

int
tq_otlp_pb_encode(const Tq__TracesData *td, struct tq_buf *out,
    struct tq_err *err)
{
	size_t n = tq__traces_data__get_packed_size(td);
	int rc;

	if (n == 0)
		return 0;	/* out->data may still be NULL */
	if ((rc = tq_buf_reserve(out, n)) != 0)
		return tq_err_set(err, rc, "encoding %zu bytes: %s", n,
		    tq_strerror(rc));
	out->len += tq__traces_data__pack(td, out->data + out->len);
	return 0;
}

size_t
tq_otlp_span_count(const Tq__TracesData *td)
{
	size_t i, j, n = 0;

	for (i = 0; i < td->n_resource_spans; i++)
		for (j = 0; j < td->resource_spans[i]->n_scope_spans; j++)
			n += td->resource_spans[i]->scope_spans[j]->n_spans;
	return n;
}

void
tq_hex_encode(char *dst, const uint8_t *src, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 15];
	}
	dst[2 * n] = '\0';
}

int
tq_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
tq_hex_decode(uint8_t *dst, size_t n, const char *src, size_t srclen)
{
	size_t i;

	if (srclen != 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		int hi = tq_hex_value((unsigned char)src[2 * i]);
		int lo = tq_hex_value((unsigned char)src[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		dst[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool
tq_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + n;
	uint64_t acc = 0, chunk;
	size_t i;

	/* Nearly every string is ASCII: OR the bytes together first. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&chunk, s + i, 8);
		acc |= chunk;
	}
	if (n >= 8 && i < n) {
		/* The tail, as the last eight bytes. */
		memcpy(&chunk, s + n - 8, 8);
		acc |= chunk;
	} else
		for (; i < n; i++)
			acc |= s[i];
	if ((acc & 0x8080808080808080ULL) == 0)
		return true;

	while (s < end) {
		/* ASCII runs, eight bytes at a time. */
		if ((size_t)(end - s) >= 8) {
			memcpy(&chunk, s, 8);
			if ((chunk & 0x8080808080808080ULL) == 0) {
				s += 8;
				continue;
			}
		}
		if (*s < 0x80) {
			s++;
		} else if (*s >= 0xc2 && *s <= 0xdf) {
			if (end - s < 2 || (s[1] & 0xc0) != 0x80)
				return false;
			s += 2;
		} else if (*s >= 0xe0 && *s <= 0xef) {
			if (end - s < 3 || (s[1] & 0xc0) != 0x80 ||
			    (s[2] & 0xc0) != 0x80 ||
			    (*s == 0xe0 && s[1] < 0xa0) ||	/* overlong */
			    (*s == 0xed && s[1] > 0x9f))	/* surrogate */
				return false;
			s += 3;
		} else if (*s >= 0xf0 && *s <= 0xf4) {
			if (end - s < 4 || (s[1] & 0xc0) != 0x80 ||
			    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
			    (*s == 0xf0 && s[1] < 0x90) ||	/* overlong */
			    (*s == 0xf4 && s[1] > 0x8f))	/* > U+10FFFF */
				return false;
			s += 4;
		} else
			return false;
	}
	return true;
}
