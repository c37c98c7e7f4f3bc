/*
 * vp4-pb.c: vParquet4 rows straight from the protobuf encoding of a trace
 * (see block.h), without protobuf-c objects: the ingester keeps each live
 * trace as concatenated TracesData parts, and this reads them once to
 * combine them (as tq_trace_combine does) and work out the trace-level
 * values, then a second time to shred spans, attributes, events and links
 * into the column buffers of vp4-int.h.  The rows are the ones
 * tq_vp4_rows_add makes of the unpacked, combined trace.
 *
 * Decoding follows protobuf's wire format and OTLP's field numbers
 * (proto/opentelemetry/proto/{trace,common,resource}/v1): a scalar field
 * sent twice keeps its last value, a message field sent twice is merged
 * (but of an attribute's array, kvlist or bytes value only the last one
 * counts), unknown fields are skipped, strings end at their first NUL byte (as
 * protobuf-c's C strings do).  Malformed input (bad varints, lengths past
 * the end, wrong wire types of known fields) is refused with its byte
 * offset; it cannot be read past.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
/* Resources are long: libxxhash's widest vector unit pays (as in wal.c). */
#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<xxh_x86dispatch.h>)
#define XXH_DISPATCH_DISABLE_REPLACE
#include <xxh_x86dispatch.h>
#define MEMO_XXH3	XXH3_64bits_dispatch
#endif
#endif
#ifndef MEMO_XXH3
#define MEMO_XXH3	XXH3_64bits
#endif

#include "block.h"
#include "hash.h"
#include "limits.h"
#include "trace.h"
#include "vp4-int.h"

/* A string or bytes field: where it is, how long (strings cut at NUL). */
struct pstr {
	const uint8_t	*p;
	size_t		 len;
};

/* A resource or scope of the combined trace. */
struct xgroup {
	const uint8_t	*key;		/* all fields but the children */
	size_t		 key_len;
	const uint8_t	*msg, *end;	/* the first ResourceSpans/ScopeSpans */
	uint32_t	 parent;	/* scope: its resource */
	uint32_t	 next;		/* scope: the next of its resource */
	uint32_t	 first, last;	/* resource: its scopes (UINT32_MAX) */
	size_t		 n_spans;	/* kept */
	size_t		 at;		/* scope: its first span in order */
	struct pstr	 svc;		/* resource: service.name */
	bool		 has_svc;
};

/* A span, with the fields parsed once. */
struct xspan {
	const uint8_t	*end;		/* of its message */
	const uint8_t	*lists;		/* its first attribute, event or link */
	struct pstr	 trace_id, span_id, parent, name, state, status_msg;
	int32_t		 kind, status_code;
	uint32_t	 dropped_attrs, dropped_events, dropped_links;
	uint64_t	 start, end_ns;
	uint32_t	 scope;
	int32_t		 left, right, parent_left;
};

struct xtrace {
	const struct tq_pb_part *parts;	/* for byte offsets in errors */
	size_t		 n_parts;
	struct tq_arena	*a;
	struct xgroup	*res, *scopes;
	size_t		 n_res, n_scopes, cap_res, cap_scopes;
	struct xspan	*spans;		/* in document order, then sorted */
	size_t		 n_spans, cap_spans;
	struct tq_trace_service *services;
	size_t		 n_services;
	struct pstr	 root_svc, root_name;
};

/* ---- the wire ---- */

/*
 * One field: its number, wire type and value.  num and wt are kept apart:
 * next to each other, compilers test both with one 64-bit load of what
 * were two 32-bit stores, which stalls store forwarding.
 */
struct fld {
	uint32_t	 num;
	uint64_t	 v;		/* varint, fixed64 or fixed32 */
	unsigned	 wt;
	const uint8_t	*p;		/* wire type 2: the bytes */
	size_t		 len;
};

static inline bool
varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift;

	if (p < end && *p < 0x80) {
		*out = *p;
		*pp = p + 1;
		return true;
	}
	for (shift = 0; shift < 64 && p < end; shift += 7) {
		uint8_t b = *p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*out = v;
			*pp = p;
			return true;
		}
	}
	return false;
}

/* next reads the field at *pp (before end); false when malformed. */
static inline bool
next(const uint8_t **pp, const uint8_t *end, struct fld *f)
{
	uint64_t key;

	f->p = *pp;
	f->len = 0;
	if (!varint(pp, end, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
		return false;
	f->num = (uint32_t)(key >> 3);
	f->wt = key & 7;
	switch (f->wt) {
	case 0:
		return varint(pp, end, &f->v);
	case 1:
		if (end - *pp < 8)
			return false;
		memcpy(&f->v, *pp, 8);
		*pp += 8;
		return true;
	case 5: {
		uint32_t v32;

		if (end - *pp < 4)
			return false;
		memcpy(&v32, *pp, 4);
		f->v = v32;
		*pp += 4;
		return true;
	}
	case 2:
		if (!varint(pp, end, &f->v) || f->v > (uint64_t)(end - *pp))
			return false;
		f->p = *pp;
		f->len = (size_t)f->v;
		*pp += f->len;
		return true;
	default:
		return false;
	}
}

/* zero64 and zero32 are not 0 when a word has a zero byte. */
static inline uint64_t
zero64(uint64_t w)
{
	return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}

static inline uint32_t
zero32(uint32_t w)
{
	return (w - 0x01010101u) & ~w & 0x80808080u;
}

/* cstr makes a string field a C string's worth: up to its first NUL. */
static inline struct pstr
cstr(const struct fld *f)
{
	struct pstr s = { f->p, f->len };
	const uint8_t *p = f->p;
	size_t i, n = f->len;
	uint64_t a, b, c, d;
	uint32_t x, y;

	/* Strings are short and hold no NUL: a few overlapping words tell,
	 * longer ones eight bytes at a time, the tail as the last eight. */
	if (n >= 8 && n <= 32) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		a = zero64(a) | zero64(b);
		if (n > 16) {
			memcpy(&c, p + 8, 8);
			memcpy(&d, p + (n > 24 ? n - 16 : 8), 8);
			a |= zero64(c) | zero64(d);
		}
		if (a == 0)
			return s;
	} else if (n > 32) {
		for (i = 0, a = 0; i + 8 <= n && a == 0; i += 8) {
			memcpy(&b, p + i, 8);
			a = zero64(b);
		}
		memcpy(&b, p + n - 8, 8);
		if ((a | zero64(b)) == 0)
			return s;
	} else if (n >= 4) {
		memcpy(&x, p, 4);
		memcpy(&y, p + n - 4, 4);
		if ((zero32(x) | zero32(y)) == 0)
			return s;
	} else if (n == 0 || (p[0] != 0 && p[n / 2] != 0 && p[n - 1] != 0))
		return s;
	for (i = 0; i < n && p[i] != 0; i++)
		;
	s.len = i;
	return s;
}

static inline struct pstr
bytes_of(const struct fld *f)
{
	struct pstr s = { f->p, f->len };

	return s;
}

/* off_of gives the offset of at (inside a part) in the parts as one. */
static size_t
off_of(const struct xtrace *T, const uint8_t *at)
{
	size_t i, off = 0;

	for (i = 0; i < T->n_parts; i++) {
		const uint8_t *p = T->parts[i].p;

		if (at >= p && at <= p + T->parts[i].len)
			return off + (size_t)(at - p);
		off += T->parts[i].len;
	}
	return off;
}

static int
bad(const struct xtrace *T, const uint8_t *at, const char *what,
    struct tq_err *err)
{
	return tq_err_set(err, TQ_ECORRUPT, "byte %zu: %s: malformed field",
	    off_of(T, at), what);
}

static int
bad_type(const struct xtrace *T, const uint8_t *at, const char *what,
    const struct fld *f, struct tq_err *err)
{
	return tq_err_set(err, TQ_ECORRUPT, "byte %zu: %s field %u: wrong "
	    "wire type %u", off_of(T, at), what, f->num, f->wt);
}

/* ---- combining ---- */

static void *
grow(struct xtrace *T, void *p, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? 2 * *cap : 16;
	void *q;

	if (n < *cap)
		return p;
	if ((q = tq_arena_alloc(T->a, c * size)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(q, p, n * size);
	*cap = c;
	return q;
}

/*
 * group_key finds the fields of a ResourceSpans or ScopeSpans other than
 * its children (field 2), which identify it: a slice of the message when
 * they are together, else a copy.  Returns 0, TQ_ECORRUPT or TQ_ENOMEM.
 */
static int
group_key(struct xtrace *T, const uint8_t *p, const uint8_t *end,
    const uint8_t **key, size_t *len, const char *what, struct tq_err *err)
{
	const uint8_t *start = NULL, *stop = NULL, *at, *q = p;
	bool split = false;
	struct fld f;
	uint8_t *copy;
	size_t n = 0;

	while (q < end) {
		at = q;
		if (!next(&q, end, &f))
			return bad(T, at, what, err);
		if (f.num == 2)
			continue;
		if (start == NULL)
			start = at;
		else if (stop != at)
			split = true;
		stop = q;
		n += (size_t)(q - at);
	}
	if (!split) {
		*key = start != NULL ? start : p;
		*len = n;
		return 0;
	}
	if ((copy = tq_arena_alloc(T->a, n)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
	*key = copy;
	*len = n;
	for (q = p; q < end;) {
		at = q;
		if (!next(&q, end, &f))
			break;
		if (f.num != 2) {
			memcpy(copy, at, (size_t)(q - at));
			copy += q - at;
		}
	}
	return 0;
}

static bool
str_is(const struct pstr *s, const char *name, size_t len)
{
	return s->len == len && memcmp(s->p, name, len) == 0;
}

/* kv_string reads a KeyValue's key and, if its value is a string, that. */
static bool
kv_string(const uint8_t *p, const uint8_t *end, struct pstr *key,
    struct pstr *val)
{
	struct fld f, g;
	bool is_str = false;

	key->p = p;
	key->len = 0;
	while (p < end) {
		if (!next(&p, end, &f))
			return false;
		if (f.num == 1 && f.wt == 2)
			*key = cstr(&f);
		else if (f.num == 2 && f.wt == 2) {
			const uint8_t *q = f.p, *qend = f.p + f.len;

			while (q < qend) {
				if (!next(&q, qend, &g))
					return false;
				if (g.num >= 1 && g.num <= 7)
					is_str = g.num == 1 && g.wt == 2;
				if (is_str && g.num == 1)
					*val = cstr(&g);
			}
		}
	}
	return is_str;
}

/* resource_service finds service.name in a ResourceSpans' resource. */
static int
resource_service(struct xtrace *T, struct xgroup *g, struct tq_err *err)
{
	const uint8_t *p = g->msg, *q, *at;
	struct fld f, h;

	while (p < g->end) {
		if (!next(&p, g->end, &f)) /* walked before */
			break;
		if (f.num != 1 || f.wt != 2)
			continue;
		for (q = f.p; q < f.p + f.len;) {
			struct pstr key, val;

			at = q;
			if (!next(&q, f.p + f.len, &h))
				return bad(T, at, "Resource", err);
			if (h.num != 1 || h.wt != 2)
				continue;
			if (!kv_string(h.p, h.p + h.len, &key, &val))
				continue;
			if (str_is(&key, "service.name", 12)) {
				g->svc = val;
				g->has_svc = true;
				return 0;
			}
		}
	}
	return 0;
}

/* find_group returns the index of the group with key in list, or -1. */
static long
find_group(const struct xgroup *list, uint32_t first, const uint8_t *key,
    size_t len, bool scopes)
{
	uint32_t i;

	if (scopes) {
		for (i = first; i != UINT32_MAX; i = list[i].next)
			if (list[i].key_len == len &&
			    memcmp(list[i].key, key, len) == 0)
				return (long)i;
		return -1;
	}
	for (i = 0; i < first; i++)
		if (list[i].key_len == len && memcmp(list[i].key, key, len) == 0)
			return (long)i;
	return -1;
}

static int
parse_status(struct xtrace *T, struct xspan *s, const uint8_t *p,
    const uint8_t *end, struct tq_err *err)
{
	const uint8_t *at;
	struct fld f;

	while (p < end) {
		at = p;
		if (!next(&p, end, &f))
			return bad(T, at, "Status", err);
		if (f.num == 2) {
			if (f.wt != 2)
				return bad_type(T, at, "Status", &f, err);
			s->status_msg = cstr(&f);
		} else if (f.num == 3) {
			if (f.wt != 0)
				return bad_type(T, at, "Status", &f, err);
			s->status_code = (int32_t)(uint32_t)f.v;
		}
	}
	return 0;
}

/* Wire types of Span fields 1 to 16 (8: unknown). */
static const uint8_t span_wt[17] = {
	8, 2, 2, 2, 2, 2, 0, 1, 1, 2, 0, 2, 0, 2, 0, 2, 5
};

static int
parse_span(struct xtrace *T, struct xspan *s, const uint8_t *p,
    const uint8_t *end, struct tq_err *err)
{
	const uint8_t *at;
	struct fld f;
	int rc;

	/* Field by field: a memset of the whole is slower here. */
	s->end = end;
	s->lists = end;
	s->span_id.p = s->parent.p = s->name.p = s->state.p =
	    s->status_msg.p = s->trace_id.p = p;
	s->span_id.len = s->parent.len = s->name.len = s->state.len =
	    s->status_msg.len = s->trace_id.len = 0;
	s->kind = s->status_code = 0;
	s->dropped_attrs = s->dropped_events = s->dropped_links = 0;
	s->start = s->end_ns = 0;
	/*
	 * The fields a span usually starts with (IDs, trace state, parent,
	 * name, kind, times), in that order with one-byte keys and lengths,
	 * in one go; the loop takes the rest, and whatever differs.
	 */
	if (end - p >= 18 && p[0] == 0x0a && p[1] == 16) {
		s->trace_id.p = p + 2;
		s->trace_id.len = 16;
		p += 18;
	}
	if (end - p >= 10 && p[0] == 0x12 && p[1] == 8) {
		s->span_id.p = p + 2;
		s->span_id.len = 8;
		p += 10;
	}
	if (end - p >= 2 && p[0] == 0x1a && p[1] < 0x80 && p[1] <= end - p - 2) {
		f.p = p + 2;
		f.len = p[1];
		s->state = cstr(&f);
		p += 2 + f.len;
	}
	if (end - p >= 2 && p[0] == 0x22 && (p[1] == 8 || p[1] == 0) &&
	    p[1] <= end - p - 2) {
		s->parent.p = p + 2;
		s->parent.len = p[1];
		p += 2 + p[1];
	}
	if (end - p >= 2 && p[0] == 0x2a && p[1] < 0x80 && p[1] <= end - p - 2) {
		f.p = p + 2;
		f.len = p[1];
		s->name = cstr(&f);
		p += 2 + f.len;
	}
	if (end - p >= 2 && p[0] == 0x30 && p[1] < 0x80) {
		s->kind = p[1];
		p += 2;
	}
	if (end - p >= 9 && p[0] == 0x39) {
		memcpy(&s->start, p + 1, 8);
		p += 9;
	}
	if (end - p >= 9 && p[0] == 0x41) {
		memcpy(&s->end_ns, p + 1, 8);
		p += 9;
	}
	while (p < end) {
		at = p;
		if (!next(&p, end, &f))
			return bad(T, at, "Span", err);
		if (f.num > 16)
			continue;
		if (f.wt != span_wt[f.num])
			return bad_type(T, at, "Span", &f, err);
		switch (f.num) {
		case 1: s->trace_id = bytes_of(&f); break;
		case 2: s->span_id = bytes_of(&f); break;
		case 3: s->state = cstr(&f); break;
		case 4: s->parent = bytes_of(&f); break;
		case 5: s->name = cstr(&f); break;
		case 6: s->kind = (int32_t)(uint32_t)f.v; break;
		case 7: s->start = f.v; break;
		case 8: s->end_ns = f.v; break;
		case 9:
			if (s->lists == end)
				s->lists = at;
			/* The attributes that follow, short ones in one go:
			 * they are read when the span is shredded. */
			while (end - p >= 2 && p[0] == 0x4a && p[1] < 0x80 &&
			    p[1] <= end - p - 2)
				p += 2 + p[1];
			break;
		case 11:
		case 13:
			if (s->lists == end)
				s->lists = at;
			break;
		case 10: s->dropped_attrs = (uint32_t)f.v; break;
		case 12: s->dropped_events = (uint32_t)f.v; break;
		case 14: s->dropped_links = (uint32_t)f.v; break;
		case 15:
			if ((rc = parse_status(T, s, f.p, f.p + f.len, err)) != 0)
				return rc;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* add_group finds or adds the resource (parent UINT32_MAX) or scope. */
static long
add_group(struct xtrace *T, const uint8_t *p, const uint8_t *end,
    uint32_t parent, struct tq_err *err)
{
	bool scope = parent != UINT32_MAX;
	const uint8_t *key = NULL;
	struct xgroup *g;
	size_t len = 0;
	long i;
	int rc;

	if ((rc = group_key(T, p, end, &key, &len, scope ? "ScopeSpans" :
	    "ResourceSpans", err)) != 0)
		return rc;
	i = scope ? find_group(T->scopes, T->res[parent].first, key, len,
	    true) : find_group(T->res, (uint32_t)T->n_res, key, len, false);
	if (i >= 0)
		return i;
	if (scope) {
		if ((T->scopes = grow(T, T->scopes, &T->cap_scopes,
		    T->n_scopes, sizeof(*g))) == NULL)
			goto nomem;
		g = &T->scopes[T->n_scopes];
	} else {
		if ((T->res = grow(T, T->res, &T->cap_res, T->n_res,
		    sizeof(*g))) == NULL)
			goto nomem;
		g = &T->res[T->n_res];
	}
	memset(g, 0, sizeof(*g));
	g->key = key;
	g->key_len = len;
	g->msg = p;
	g->end = end;
	g->parent = parent;
	g->next = g->first = g->last = UINT32_MAX;
	if (!scope) {
		if ((rc = resource_service(T, g, err)) != 0)
			return rc;
		return (long)T->n_res++;
	}
	i = (long)T->n_scopes++;
	if (T->res[parent].last == UINT32_MAX)
		T->res[parent].first = (uint32_t)i;
	else
		T->scopes[T->res[parent].last].next = (uint32_t)i;
	T->res[parent].last = (uint32_t)i;
	return i;
nomem:
	return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
}

static uint64_t
span_hash(const struct xspan *s)
{
	uint64_t h;

	if (s->span_id.len == 8) {
		memcpy(&h, s->span_id.p, 8);
		h ^= (uint64_t)(uint32_t)s->kind << 32;
	} else {
		uint64_t hh[2];

		tq_hash_murmur3_128(s->span_id.p, s->span_id.len,
		    (uint32_t)s->kind, hh);
		h = hh[0];
	}
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ h >> 31;
}

static bool
same_span(const struct xspan *a, const struct xspan *b)
{
	return a->kind == b->kind && a->span_id.len == b->span_id.len &&
	    memcmp(a->span_id.p, b->span_id.p, a->span_id.len) == 0;
}

static int
cmp_service(const void *x, const void *y)
{
	const struct tq_trace_service *a = x, *b = y;

	return strcmp(a->name, b->name);
}

/* walk collects the resources, scopes and spans of every part. */
static int
walk(struct xtrace *T, const uint8_t *p, const uint8_t *end,
    struct tq_err *err)
{
	const uint8_t *at, *rp, *rend, *sp, *send;
	struct fld f, g, h;
	long r, s;
	int rc;

	while (p < end) {
		at = p;
		if (!next(&p, end, &f))
			return bad(T, at, "TracesData", err);
		if (f.num != 1)
			continue;
		if (f.wt != 2)
			return bad_type(T, at, "TracesData", &f, err);
		rp = f.p;
		rend = f.p + f.len;
		if ((r = add_group(T, rp, rend, UINT32_MAX, err)) < 0)
			return (int)r;
		while (rp < rend) {
			at = rp;
			if (!next(&rp, rend, &g)) /* walked by group_key */
				break;
			if (g.num != 2)
				continue;
			if (g.wt != 2)
				return bad_type(T, at, "ResourceSpans", &g,
				    err);
			sp = g.p;
			send = g.p + g.len;
			if ((s = add_group(T, sp, send, (uint32_t)r, err)) < 0)
				return (int)s;
			while (sp < send) {
				at = sp;
				if (!next(&sp, send, &h))
					break;
				if (h.num != 2)
					continue;
				if (h.wt != 2)
					return bad_type(T, at, "ScopeSpans",
					    &h, err);
				if ((T->spans = grow(T, T->spans, &T->cap_spans,
				    T->n_spans, sizeof(*T->spans))) == NULL)
					return tq_err_set(err, TQ_ENOMEM,
					    "trace: out of memory");
				if ((rc = parse_span(T, &T->spans[T->n_spans],
				    h.p, h.p + h.len, err)) != 0)
					return rc;
				T->spans[T->n_spans++].scope = (uint32_t)s;
			}
		}
	}
	return 0;
}

/*
 * combine drops repeated spans (same span ID and kind, the first kept)
 * and orders the rest as the combined trace has them: by resource, then
 * scope, then document order.
 */
static int
combine(struct xtrace *T, size_t *dropped, struct tq_err *err)
{
	size_t size = 16, i, h, n = 0, at = 0;
	uint32_t *slot, r, s;
	struct xspan *out;

	while (size < 2 * T->n_spans)
		size *= 2;
	if ((slot = tq_arena_calloc(T->a, size, sizeof(*slot))) == NULL ||
	    (out = tq_arena_alloc(T->a, (T->n_spans + 1) *
	    sizeof(*out))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
	for (i = 0; i < T->n_spans; i++) {
		struct xspan *sp = &T->spans[i];

		h = span_hash(sp) & (size - 1);
		while (slot[h] != 0 && !same_span(&T->spans[slot[h] - 1], sp))
			h = (h + 1) & (size - 1);
		if (slot[h] != 0) {
			sp->scope = UINT32_MAX;
			continue;
		}
		slot[h] = (uint32_t)i + 1;
		T->scopes[sp->scope].n_spans++;
		T->res[T->scopes[sp->scope].parent].n_spans++;
		n++;
	}
	for (r = 0; r < T->n_res; r++)
		for (s = T->res[r].first; s != UINT32_MAX; s = T->scopes[s].next) {
			T->scopes[s].at = at;
			at += T->scopes[s].n_spans;
		}
	for (i = 0; i < T->n_spans; i++)
		if (T->spans[i].scope != UINT32_MAX)
			out[T->scopes[T->spans[i].scope].at++] = T->spans[i];
	for (r = 0; r < T->n_res; r++)
		for (s = T->res[r].first; s != UINT32_MAX; s = T->scopes[s].next)
			T->scopes[s].at -= T->scopes[s].n_spans;
	*dropped = T->n_spans - n;
	T->spans = out;
	T->n_spans = n;
	return 0;
}

/* describe works out what tq_trace_info would of the combined trace. */
static int
describe(struct xtrace *T, struct tq_vp4_trace *t, struct tq_err *err)
{
	struct tq_trace_node *nodes;
	bool have_root = false;
	size_t i, k;
	uint32_t r, s;
	char *name;

	if ((nodes = tq_arena_alloc(T->a, T->n_spans * sizeof(*nodes))) ==
	    NULL || (T->services = tq_arena_calloc(T->a, T->n_res,
	    sizeof(*T->services))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
	t->start_ns = UINT64_MAX;
	t->end_ns = 0;
	T->root_svc.p = T->root_name.p = (const uint8_t *)"";
	T->root_svc.len = T->root_name.len = 0;
	for (r = 0; r < T->n_res; r++) {
		struct xgroup *g = &T->res[r];
		struct tq_trace_service *ts = NULL;
		struct pstr svc = { (const uint8_t *)"", 0 };

		if (g->n_spans == 0)
			continue;
		if (g->has_svc)
			svc = g->svc;
		/* Names are C strings for sorting and for the column. */
		if ((name = tq_arena_strndup(T->a, (const char *)svc.p,
		    svc.len)) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
		for (k = 0; k < T->n_services && ts == NULL; k++)
			if (strcmp(T->services[k].name, name) == 0)
				ts = &T->services[k];
		if (ts == NULL) {
			ts = &T->services[T->n_services++];
			ts->name = name;
		}
		for (s = g->first; s != UINT32_MAX; s = T->scopes[s].next) {
			struct xgroup *sc = &T->scopes[s];

			for (i = sc->at; i < sc->at + sc->n_spans; i++) {
				const struct xspan *sp = &T->spans[i];

				ts->spans++;
				if (sp->status_code ==
				    TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR)
					ts->errors++;
				if (sp->start < t->start_ns)
					t->start_ns = sp->start;
				if (sp->end_ns > t->end_ns)
					t->end_ns = sp->end_ns;
				if (sp->parent.len == 0 && !have_root) {
					have_root = true;
					T->root_svc = svc;
					T->root_name = sp->name;
				}
			}
		}
	}
	for (i = 0; i < T->n_spans; i++) {
		nodes[i].id = T->spans[i].span_id.p;
		nodes[i].id_len = T->spans[i].span_id.len;
		nodes[i].parent_id = T->spans[i].parent.p;
		nodes[i].parent_len = T->spans[i].parent.len;
	}
	if (tq_trace_number(nodes, T->n_spans, T->a) != 0)
		return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
	for (i = 0; i < T->n_spans; i++) {
		T->spans[i].left = nodes[i].left;
		T->spans[i].right = nodes[i].right;
		T->spans[i].parent_left = nodes[i].parent;
	}
	if (T->spans[0].trace_id.len == TQ_TRACE_ID_LEN)
		memcpy(t->id, T->spans[0].trace_id.p, TQ_TRACE_ID_LEN);
	else
		memset(t->id, 0, TQ_TRACE_ID_LEN);
	if (t->end_ns < t->start_ns)
		t->end_ns = t->start_ns;
	qsort(T->services, T->n_services, sizeof(*T->services), cmp_service);
	return 0;
}

int
tq_vp4_trace_parse(const void *pb, size_t len, struct tq_arena *a,
    struct tq_vp4_trace *t, struct tq_err *err)
{
	struct tq_pb_part part;

	part.p = pb;
	part.len = len;
	return tq_vp4_trace_parse_parts(&part, 1, a, t, err);
}

int
tq_vp4_trace_parse_parts(const struct tq_pb_part *parts, size_t n,
    struct tq_arena *a, struct tq_vp4_trace *t, struct tq_err *err)
{
	struct xtrace *T;
	size_t i;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((T = tq_arena_calloc(a, 1, sizeof(*T))) == NULL ||
	    (T->parts = tq_arena_alloc(a, (n ? n : 1) *
	    sizeof(*parts))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
	/* A copy: offsets in errors are found while the trace is shredded,
	 * after the caller's list may be gone. */
	if (n > 0)
		memcpy((struct tq_pb_part *)T->parts, parts, n * sizeof(*parts));
	T->n_parts = n;
	T->a = a;
	for (i = 0; i < n; i++)
		if ((rc = walk(T, parts[i].p, (const uint8_t *)parts[i].p +
		    parts[i].len, err)) != 0)
			return rc;
	if ((rc = combine(T, &t->dropped, err)) != 0)
		return rc;
	if (T->n_spans == 0)
		return tq_err_set(err, TQ_EINVAL, "trace has no spans");
	if ((rc = describe(T, t, err)) != 0)
		return rc;
	t->n_spans = T->n_spans;
	t->priv = T;
	return 0;
}

/* ---- shredding ---- */

/* An AnyValue as read from the wire. */
struct pval {
	int		 vcase;		/* TQ__ANY_VALUE__VALUE_*, 0 unset */
	struct pstr	 s;		/* string_value */
	int64_t		 i;
	double		 d;
	bool		 b;
	struct pstr	 sub;		/* array_value's bytes */
};

/* A KeyValue: its key, value, and the value's bytes for OTLP/JSON. */
struct pkv {
	struct pstr	 key;
	struct pval	 v;
	struct pstr	 raw;		/* the (last) AnyValue message */
};

/* The shredder's state for one trace. */
struct shred {
	struct tq_vp4_rows	*R;
	struct xtrace		*T;
	int			 rc;		/* first error */
	struct tq_err		*err;
	uint64_t		 res_lens;	/* len_mask of resource keys */
	uint64_t		 span_lens;	/* of span keys */
};

static void
fail(struct shred *S, int rc, const char *what, const uint8_t *at)
{
	if (S->rc != 0)
		return;
	S->rc = rc;
	if (rc == TQ_ECORRUPT)
		tq_err_set(S->err, rc, "byte %zu: %s: malformed field",
		    off_of(S->T, at), what);
	else
		tq_err_set(S->err, rc, "vParquet4 rows: %s", tq_strerror(rc));
}

/* parse_any reads an AnyValue's fields into v (merging, as protobuf does). */
static bool
parse_any(const uint8_t *p, const uint8_t *end, struct pval *v)
{
	struct fld f;

	while (p < end) {
		if (!next(&p, end, &f))
			return false;
		switch (f.num) {
		case 1:
			if (f.wt != 2)
				return false;
			v->vcase = TQ__ANY_VALUE__VALUE_STRING_VALUE;
			v->s = cstr(&f);
			break;
		case 2:
			if (f.wt != 0)
				return false;
			v->vcase = TQ__ANY_VALUE__VALUE_BOOL_VALUE;
			v->b = f.v != 0;
			break;
		case 3:
			if (f.wt != 0)
				return false;
			v->vcase = TQ__ANY_VALUE__VALUE_INT_VALUE;
			v->i = (int64_t)f.v;
			break;
		case 4:
			if (f.wt != 1)
				return false;
			v->vcase = TQ__ANY_VALUE__VALUE_DOUBLE_VALUE;
			memcpy(&v->d, &f.v, 8);
			break;
		case 5:
		case 6:
		case 7:
			if (f.wt != 2)
				return false;
			v->vcase = f.num == 5 ? TQ__ANY_VALUE__VALUE_ARRAY_VALUE :
			    f.num == 6 ? TQ__ANY_VALUE__VALUE_KVLIST_VALUE :
			    TQ__ANY_VALUE__VALUE_BYTES_VALUE;
			v->sub = bytes_of(&f);
			break;
		default:
			break;
		}
	}
	return true;
}

static bool
parse_kv(const uint8_t *p, const uint8_t *end, struct pkv *kv)
{
	size_t len = (size_t)(end - p), klen, vlen;
	struct fld f;

	kv->key.p = p;
	kv->key.len = 0;
	kv->v.vcase = 0;
	kv->raw.p = NULL;
	kv->raw.len = 0;
	/* The usual shape first: a short key, then a short value (a short
	 * string most often); what it gives is what the loop would. */
	if (len >= 4 && p[0] == 0x0a && (klen = p[1]) < 0x80 &&
	    klen + 4 <= len && p[2 + klen] == 0x12 &&
	    (vlen = p[3 + klen]) < 0x80 && klen + 4 + vlen == len) {
		const uint8_t *v = p + 4 + klen;

		f.p = p + 2;
		f.len = klen;
		kv->key = cstr(&f);
		kv->raw.p = v;
		kv->raw.len = vlen;
		if (vlen >= 2 && v[0] == 0x0a && v[1] == vlen - 2) {
			f.p = v + 2;
			f.len = vlen - 2;
			kv->v.vcase = TQ__ANY_VALUE__VALUE_STRING_VALUE;
			kv->v.s = cstr(&f);
			return true;
		}
		/* Next most often a small integer: its varint alone. */
		if (vlen >= 2 && vlen <= 11 && v[0] == 0x18 &&
		    v[vlen - 1] < 0x80) {
			const uint8_t *q = v + 1;
			uint64_t x;

			if (varint(&q, v + vlen, &x) && q == v + vlen) {
				kv->v.vcase = TQ__ANY_VALUE__VALUE_INT_VALUE;
				kv->v.i = (int64_t)x;
				return true;
			}
		}
		return parse_any(v, v + vlen, &kv->v);
	}
	while (p < end) {
		if (!next(&p, end, &f))
			return false;
		if (f.num == 1) {
			if (f.wt != 2)
				return false;
			kv->key = cstr(&f);
		} else if (f.num == 2) {
			if (f.wt != 2 || !parse_any(f.p, f.p + f.len, &kv->v))
				return false;
			kv->raw = bytes_of(&f);
		}
	}
	return true;
}

static int
scalar(int vcase)
{
	switch (vcase) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
		return vcase;
	default:
		return 0;
	}
}

static inline void
put_value(struct tq_vp4_rows *R, int col, int rep, const struct pval *v)
{
	switch (v->vcase) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		v_bytes(R, col, rep, v->s.p, v->s.len);
		break;
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
		v_i64(R, col, rep, v->i);
		break;
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
		v_fixed(R, col, rep, &v->d, 8);
		break;
	default:
		v_bool(R, col, rep, v->b);
		break;
	}
}

/* typed_array fills a typed list with the elements of array arr. */
static void
typed_array(struct tq_vp4_rows *R, int col, int rep, const struct pstr *arr)
{
	const uint8_t *p, *end;
	struct fld f;
	int r = rep;

	for (p = arr->p, end = arr->p + arr->len; p < end;) {
		struct pval e;

		if (!next(&p, end, &f))	/* walked before */
			break;
		if (f.num != 1)
			continue;
		e.vcase = 0;
		parse_any(f.p, f.p + f.len, &e);
		put_value(R, col, r, &e);
		r = R->c[col].max_rep;
	}
}

/* typed_one fills one typed list of an Attribute: the elements of array
 * arr when on, else empty. */
static inline void
typed_one(struct tq_vp4_rows *R, int col, int rep, bool on,
    const struct pstr *arr)
{
	if (!on)
		null_at(R, col, rep, R->c[col].max_def - 1);
	else
		typed_array(R, col, rep, arr);
}

/*
 * fill_typed puts the n elements of type vcase of array arr (NULL when
 * n is 0) in their list, the other lists empty; fill_scalar does one
 * value.
 */
static void
fill_typed(struct shred *S, const struct acols *a, int rep,
    const struct pstr *arr, size_t n, int vcase)
{
	struct tq_vp4_rows *R = S->R;
	bool any = n > 0;

	typed_one(R, a->value, rep, any &&
	    vcase == TQ__ANY_VALUE__VALUE_STRING_VALUE, arr);
	typed_one(R, a->vint, rep, any &&
	    vcase == TQ__ANY_VALUE__VALUE_INT_VALUE, arr);
	typed_one(R, a->vdouble, rep, any &&
	    vcase == TQ__ANY_VALUE__VALUE_DOUBLE_VALUE, arr);
	typed_one(R, a->vbool, rep, any &&
	    vcase == TQ__ANY_VALUE__VALUE_BOOL_VALUE, arr);
}

/*
 * fill_scalar is fill_typed for one scalar value v (of case vcase), the
 * usual attribute: its list gets it, the other three are empty.
 */
static inline void
fill_scalar(struct tq_vp4_rows *R, const struct acols *a, int rep,
    const struct pval *v, int vcase)
{
	switch (vcase) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		v_bytes(R, a->value, rep, v->s.p, v->s.len);
		break;
	default:
		null_at(R, a->value, rep, R->c[a->value].max_def - 1);
		break;
	}
	if (vcase == TQ__ANY_VALUE__VALUE_INT_VALUE)
		v_i64(R, a->vint, rep, v->i);
	else
		null_at(R, a->vint, rep, R->c[a->vint].max_def - 1);
	if (vcase == TQ__ANY_VALUE__VALUE_DOUBLE_VALUE)
		v_fixed(R, a->vdouble, rep, &v->d, 8);
	else
		null_at(R, a->vdouble, rep, R->c[a->vdouble].max_def - 1);
	if (vcase == TQ__ANY_VALUE__VALUE_BOOL_VALUE)
		v_bool(R, a->vbool, rep, v->b);
	else
		null_at(R, a->vbool, rep, R->c[a->vbool].max_def - 1);
}

/* array_case finds the one scalar type of an array's elements (0 if
 * mixed or not scalar) and their number; false when malformed. */
static bool
array_case(const struct pstr *arr, int *vcase, size_t *n)
{
	const uint8_t *p = arr->p, *end = arr->p + arr->len;
	struct fld f;
	int c = -1;

	*n = 0;
	while (p < end) {
		struct pval e;

		if (!next(&p, end, &f))
			return false;
		if (f.num != 1)
			continue;
		e.vcase = 0;
		if (f.wt != 2 || !parse_any(f.p, f.p + f.len, &e))
			return false;
		if (c == -1)
			c = scalar(e.vcase);
		else if (scalar(e.vcase) != c)
			c = 0;
		(*n)++;
	}
	*vcase = c == -1 ? 0 : c;
	return true;
}

/* put_json adds an AnyValue the typed lists cannot hold, as OTLP/JSON. */
static void
put_json(struct shred *S, int col, int rep, const struct pkv *kv)
{
	struct tq_vp4_rows *R = S->R;
	struct cbuf *c = level(R, col, rep, R->c[col].max_def);
	Tq__AnyValue *v;
	size_t before;
	int rc;

	if (c == NULL)
		return;
	before = c->data.len;
	if ((rc = tq_otlp_pb_anyvalue_decode(kv->raw.p, kv->raw.len, S->T->a,
	    &v, S->err)) != 0) {
		if (S->rc == 0)
			S->rc = tq_err_prefix(S->err, rc, "AnyValue at byte %zu",
			    off_of(S->T, kv->raw.p));
	} else if ((rc = tq_otlp_json_anyvalue_encode(v, &c->data,
	    NULL)) != 0 && R->failed == 0)
		R->failed = rc;
	off_put(c);
	R->bytes += c->data.len - before;
}

/*
 * scalar_attr adds the entries of a string attribute (an integer one with
 * is_int) to its seven columns at once, with no more than one look at each
 * column's room, and its key; false (nothing added) when one of them has
 * none left.  The caller adds the value.
 */
static inline bool
scalar_attr(struct tq_vp4_rows *R, const struct acols *a, bool is_int,
    int rep, const struct pkv *kv)
{
	/* The seven columns follow each other (see struct acols). */
	struct cbuf *ck = R->c + a->key, *ci = ck + 1, *cv = ck + 2,
	    *cn = ck + 3, *cd = ck + 4, *cb = ck + 5, *cu = ck + 6;
	const uint32_t r = (uint32_t)(uint16_t)rep << 16;

	if (ck->n_levels == ck->cap_levels || ci->n_levels == ci->cap_levels ||
	    cv->n_levels == cv->cap_levels || cn->n_levels == cn->cap_levels ||
	    cd->n_levels == cd->cap_levels || cb->n_levels == cb->cap_levels ||
	    cu->n_levels == cu->cap_levels)
		return false;
	ck->lv[ck->n_levels++] = ck->max_def | r;
	ci->lv[ci->n_levels++] = ci->max_def | r;
	/* The value's column at its maximum, the others one below. */
	cv->lv[cv->n_levels++] = (uint32_t)(uint16_t)(cv->max_def - is_int) | r;
	cn->lv[cn->n_levels++] = (uint32_t)(uint16_t)(cn->max_def - !is_int) |
	    r;
	cd->lv[cd->n_levels++] = (uint32_t)(uint16_t)(cd->max_def - 1) | r;
	cb->lv[cb->n_levels++] = (uint32_t)(uint16_t)(cb->max_def - 1) | r;
	cu->lv[cu->n_levels++] = (uint32_t)(uint16_t)(cu->max_def - 1) | r;
	ci->vals.data[ci->vals.len++] = 0;	/* IsArray false */
	ci->n_values++;
	put(R, &ck->data, kv->key.p, kv->key.len);
	off_put(ck);
	R->bytes += kv->key.len;
	return true;
}

/* str_attr is put_attr for the usual attribute, a string. */
static inline bool
str_attr(struct tq_vp4_rows *R, const struct acols *a, int rep,
    const struct pkv *kv)
{
	struct cbuf *cv = R->c + a->value;

	if (!scalar_attr(R, a, false, rep, kv))
		return false;
	put(R, &cv->data, kv->v.s.p, kv->v.s.len);
	off_put(cv);
	R->bytes += kv->v.s.len;
	return true;
}

/* int_attr is str_attr for an integer attribute. */
static inline bool
int_attr(struct tq_vp4_rows *R, const struct acols *a, int rep,
    const struct pkv *kv)
{
	struct cbuf *cn = R->c + a->vint;

	if (!scalar_attr(R, a, true, rep, kv))
		return false;
	memcpy(cn->vals.data + cn->vals.len, &kv->v.i, 8);
	cn->vals.len += 8;
	cn->n_values++;
	return true;
}

/* put_attr adds one Attribute element (see vp4.c's put_attr). */
static void
put_attr(struct shred *S, const struct acols *a, int rep,
    const struct pkv *kv, const uint8_t *at)
{
	struct tq_vp4_rows *R = S->R;
	int vcase = scalar(kv->v.vcase);
	size_t n;

	if (vcase == TQ__ANY_VALUE__VALUE_STRING_VALUE &&
	    str_attr(R, a, rep, kv))
		return;
	if (vcase == TQ__ANY_VALUE__VALUE_INT_VALUE && int_attr(R, a, rep, kv))
		return;

	v_bytes(R, a->key, rep, kv->key.p, kv->key.len);
	if (vcase != 0) {
		v_bool(R, a->is_array, rep, false);
		fill_scalar(R, a, rep, &kv->v, vcase);
		null_at(R, a->vuns, rep, R->c[a->vuns].max_def - 1);
		return;
	}
	if (kv->v.vcase == TQ__ANY_VALUE__VALUE_ARRAY_VALUE) {
		if (!array_case(&kv->v.sub, &vcase, &n)) {
			fail(S, TQ_ECORRUPT, "ArrayValue", at);
			vcase = 0;
			n = 1;
		}
		if (vcase != 0 || n == 0) {
			v_bool(R, a->is_array, rep, true);
			fill_typed(S, a, rep, &kv->v.sub, n, vcase);
			null_at(R, a->vuns, rep, R->c[a->vuns].max_def - 1);
			return;
		}
	}
	/* kvlist, bytes, mixed arrays, empty values: as OTLP/JSON. */
	v_bool(R, a->is_array, rep, false);
	fill_typed(S, a, rep, NULL, 0, 0);
	if (kv->v.vcase == 0) {
		null_at(R, a->vuns, rep, R->c[a->vuns].max_def - 1);
		return;
	}
	put_json(S, a->vuns, rep, kv);
}

/* Which string attributes have columns of their own (vp4.c's classify). */
struct classify {
	const char *const	*keys;
	size_t			 n_keys;
	const char *const	*ded;
	size_t			 n_ded;
	struct pstr		 key_val[N_RES_WELL_KNOWN + 1];
	bool			 has_key[N_RES_WELL_KNOWN + 1];
	struct pstr		 ded_val[TQ_BLOCK_MAX_DEDICATED];
	bool			 has_ded[TQ_BLOCK_MAX_DEDICATED];
	uint64_t		 lens;		/* len_mask of keys and ded */
	bool			 status;	/* take http.status_code */
	bool			 has_status;
	int64_t			 status_code;
};

/* classify_init readies cl: no values yet (values are read only where
 * has_key or has_ded say so). */
static inline void
classify_init(struct classify *cl)
{
	size_t i;

	for (i = 0; i < N_RES_WELL_KNOWN + 1; i++)
		cl->has_key[i] = false;
	for (i = 0; i < TQ_BLOCK_MAX_DEDICATED; i++)
		cl->has_ded[i] = false;
	cl->status = cl->has_status = false;
	cl->status_code = 0;
}

static int
index_of(const char *const *names, size_t n, const struct pstr *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i][0] == (key->len > 0 ? key->p[0] : 0) &&
		    strncmp(names[i], (const char *)key->p, key->len) == 0 &&
		    names[i][key->len] == '\0')
			return (int)i;
	return -1;
}

/* len_mask has bit n set for each name of n bytes (63 for longer). */
static uint64_t
len_mask(const char *const *names, size_t n)
{
	uint64_t m = 0;
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		m |= 1ull << (len < 63 ? len : 63);
	}
	return m;
}

/* String attributes with columns of their own (the last one also gives
 * the resource's service name). */
static const char *const res_keys[N_RES_WELL_KNOWN + 1] = {
	"cluster", "namespace", "pod", "container", "k8s.cluster.name",
	"k8s.namespace.name", "k8s.pod.name", "k8s.container.name",
	"service.name",
};
static const char *const span_keys[2] = { "http.method", "http.url" };

/* An Attrs list being filled. */
struct alist {
	const struct acols	*a;
	int			 rep;
	bool			 first;
	struct classify		*cl;
};

/* put_kv adds one KeyValue (at p, len bytes) to list L. */
static void
put_kv(struct shred *S, struct alist *L, const uint8_t *p, size_t len)
{
	struct classify *cl = L->cl;
	struct pkv kv;

	if (!parse_kv(p, p + len, &kv)) {
		fail(S, TQ_ECORRUPT, "KeyValue", p);
		return;
	}
	if (cl != NULL && cl->status && !cl->has_status &&
	    kv.v.vcase == TQ__ANY_VALUE__VALUE_INT_VALUE &&
	    str_is(&kv.key, "http.status_code", 16)) {
		cl->has_status = true;
		cl->status_code = kv.v.i;
		return;
	}
	/* Most keys have a length no name has. */
	if (cl != NULL && kv.v.vcase == TQ__ANY_VALUE__VALUE_STRING_VALUE &&
	    (cl->lens >> (kv.key.len < 63 ? kv.key.len : 63) & 1)) {
		int k = index_of(cl->keys, cl->n_keys, &kv.key);
		int d = index_of(cl->ded, cl->n_ded, &kv.key);

		if (k >= 0 && !cl->has_key[k]) {
			cl->key_val[k] = kv.v.s;
			cl->has_key[k] = true;
		}
		if (d >= 0 && !cl->has_ded[d]) {
			cl->ded_val[d] = kv.v.s;
			cl->has_ded[d] = true;
		}
		if (k >= 0 || d >= 0)
			return;
	}
	put_attr(S, L->a, L->first ? L->rep : L->a->list.rep, &kv, p);
	L->first = false;
}

static void
alist_end(struct shred *S, struct alist *L)
{
	if (L->first)
		empty(S->R, &L->a->list, L->rep);
}

static void
opt_str(struct tq_vp4_rows *R, int col, int rep, bool has,
    const struct pstr *s)
{
	if (!has)
		null_at(R, col, rep, R->c[col].max_def - 1);
	else
		v_bytes(R, col, rep, s->p, s->len);
}

/* put_dedicated fills the dedicated columns cols: those past the ones
 * in use (all, usually) are absent. */
static void
put_dedicated(struct tq_vp4_rows *R, const int *cols, int rep,
    const struct classify *cl)
{
	size_t i;

	for (i = 0; i < cl->n_ded && i < TQ_BLOCK_MAX_DEDICATED; i++)
		opt_str(R, cols[i], rep, cl->has_ded[i], &cl->ded_val[i]);
	for (; i < TQ_BLOCK_MAX_DEDICATED; i++)
		null_at(R, cols[i], rep, R->c[cols[i]].max_def - 1);
}

static void
put_resource(struct shred *S, int rep, const struct xgroup *g)
{
	const char *const *wk = res_keys;
	struct tq_vp4_rows *R = S->R;
	struct classify cl;
	struct alist L;
	const uint8_t *p = g->msg, *q, *at;
	struct fld f, h;
	uint32_t dropped = 0;
	size_t i;

	classify_init(&cl);
	cl.keys = wk;
	cl.n_keys = N_RES_WELL_KNOWN + 1;
	cl.ded = R->m->ded_res;
	cl.n_ded = R->m->n_res;
	cl.lens = S->res_lens;
	L.a = &R->res_attrs;
	L.rep = rep;
	L.first = true;
	L.cl = &cl;
	while (p < g->end) {
		if (!next(&p, g->end, &f)) /* walked before */
			break;
		if (f.num != 1 || f.wt != 2)
			continue;
		for (q = f.p; q < f.p + f.len;) {
			at = q;
			if (!next(&q, f.p + f.len, &h)) {
				fail(S, TQ_ECORRUPT, "Resource", at);
				break;
			}
			if (h.num == 1 && h.wt == 2)
				put_kv(S, &L, h.p, h.len);
			else if (h.num == 2 && h.wt == 0)
				dropped = (uint32_t)h.v;
		}
	}
	alist_end(S, &L);
	v_i32(R, R->res_dropped, rep, (int32_t)dropped);
	if (cl.has_key[N_RES_WELL_KNOWN])
		v_bytes(R, R->res_svc, rep, cl.key_val[N_RES_WELL_KNOWN].p,
		    cl.key_val[N_RES_WELL_KNOWN].len);
	else
		v_bytes(R, R->res_svc, rep, "", 0);
	for (i = 0; i < N_RES_WELL_KNOWN; i++)
		opt_str(R, R->res_wk[i], rep, cl.has_key[i], &cl.key_val[i]);
	put_dedicated(R, R->res_ded, rep, &cl);
}

static void
put_scope(struct shred *S, int rep, const struct xgroup *g)
{
	struct tq_vp4_rows *R = S->R;
	struct pstr name = { (const uint8_t *)"", 0 }, version = name;
	struct alist L = { &R->sc_attrs, rep, true, NULL };
	const uint8_t *p = g->msg, *q, *at;
	struct fld f, h;
	uint32_t dropped = 0;

	while (p < g->end) {
		if (!next(&p, g->end, &f)) /* walked before */
			break;
		if (f.num != 1 || f.wt != 2)
			continue;
		for (q = f.p; q < f.p + f.len;) {
			at = q;
			if (!next(&q, f.p + f.len, &h)) {
				fail(S, TQ_ECORRUPT, "InstrumentationScope", at);
				break;
			}
			if (h.num == 1 && h.wt == 2)
				name = cstr(&h);
			else if (h.num == 2 && h.wt == 2)
				version = cstr(&h);
			else if (h.num == 3 && h.wt == 2)
				put_kv(S, &L, h.p, h.len);
			else if (h.num == 4 && h.wt == 0)
				dropped = (uint32_t)h.v;
		}
	}
	v_bytes(R, R->sc_name, rep, name.p, name.len);
	v_bytes(R, R->sc_version, rep, version.p, version.len);
	alist_end(S, &L);
	v_i32(R, R->sc_dropped, rep, (int32_t)dropped);
}

static void
put_event(struct shred *S, int rep, const struct xspan *sp,
    const uint8_t *p, const uint8_t *end)
{
	struct tq_vp4_rows *R = S->R;
	struct pstr name = { (const uint8_t *)"", 0 };
	struct alist L = { &R->ev_attrs, rep, true, NULL };
	uint64_t time = 0;
	uint32_t dropped = 0;
	const uint8_t *at;
	struct fld f;

	while (p < end) {
		at = p;
		if (!next(&p, end, &f)) {
			fail(S, TQ_ECORRUPT, "Span.Event", at);
			break;
		}
		if (f.num == 1 && f.wt == 1)
			time = f.v;
		else if (f.num == 2 && f.wt == 2)
			name = cstr(&f);
		else if (f.num == 3 && f.wt == 2)
			put_kv(S, &L, f.p, f.len);
		else if (f.num == 4 && f.wt == 0)
			dropped = (uint32_t)f.v;
	}
	v_i64(R, R->ev_time, rep, (int64_t)(time > sp->start ?
	    time - sp->start : 0));
	v_bytes(R, R->ev_name, rep, name.p, name.len);
	alist_end(S, &L);
	v_i32(R, R->ev_dropped, rep, (int32_t)dropped);
}

static void
put_link(struct shred *S, int rep, const uint8_t *p, const uint8_t *end)
{
	struct tq_vp4_rows *R = S->R;
	struct pstr tid = { p, 0 }, sid = tid, state = tid;
	struct alist L = { &R->lk_attrs, rep, true, NULL };
	uint32_t dropped = 0;
	const uint8_t *at;
	struct fld f;

	while (p < end) {
		at = p;
		if (!next(&p, end, &f)) {
			fail(S, TQ_ECORRUPT, "Span.Link", at);
			break;
		}
		if (f.num == 1 && f.wt == 2)
			tid = bytes_of(&f);
		else if (f.num == 2 && f.wt == 2)
			sid = bytes_of(&f);
		else if (f.num == 3 && f.wt == 2)
			state = cstr(&f);
		else if (f.num == 4 && f.wt == 2)
			put_kv(S, &L, f.p, f.len);
		else if (f.num == 5 && f.wt == 0)
			dropped = (uint32_t)f.v;
	}
	v_bytes(R, R->lk_trace_id, rep, tid.p, tid.len);
	v_bytes(R, R->lk_span_id, rep, sid.p, sid.len);
	v_bytes(R, R->lk_state, rep, state.p, state.len);
	alist_end(S, &L);
	v_i32(R, R->lk_dropped, rep, (int32_t)dropped);
}

static void
put_span(struct shred *S, int rep, const struct xspan *s)
{
	const char *const *wk = span_keys;
	struct tq_vp4_rows *R = S->R;
	struct classify cl;
	struct alist L;
	const uint8_t *p = s->lists;
	size_t n_events = 0, n_links = 0;
	struct fld f;

	v_bytes(R, R->span_id, rep, s->span_id.p, s->span_id.len);
	v_bytes(R, R->parent_span_id, rep, s->parent.p, s->parent.len);
	v_i32(R, R->parent_id, rep, s->parent_left);
	v_i32(R, R->left, rep, s->left);
	v_i32(R, R->right, rep, s->right);
	v_bytes(R, R->name, rep, s->name.p, s->name.len);
	v_i64(R, R->kind, rep, s->kind);
	v_bytes(R, R->trace_state, rep, s->state.p, s->state.len);
	v_i64(R, R->sp_start, rep, (int64_t)s->start);
	v_i64(R, R->sp_dur, rep, (int64_t)(s->end_ns > s->start ?
	    s->end_ns - s->start : 0));
	v_i64(R, R->status_code, rep, s->status_code);
	v_bytes(R, R->status_msg, rep, s->status_msg.p, s->status_msg.len);
	classify_init(&cl);
	cl.keys = wk;
	cl.n_keys = 2;
	cl.ded = R->m->ded_span;
	cl.n_ded = R->m->n_span;
	cl.lens = S->span_lens;
	cl.status = true;
	L.a = &R->sp_attrs;
	L.rep = rep;
	L.first = true;
	L.cl = &cl;
	/* The fields were checked by parse_span; those before the first
	 * attribute, event or link are of no interest here. */
	while (p < s->end) {
		/* An attribute of under 128 bytes, the usual, read as is. */
		if (p[0] == 0x4a && s->end - p >= 2 && p[1] < 0x80 &&
		    p[1] <= s->end - p - 2) {
			put_kv(S, &L, p + 2, p[1]);
			p += 2 + p[1];
			continue;
		}
		if (!next(&p, s->end, &f))
			break;
		switch (f.num) {
		case 9:
			put_kv(S, &L, f.p, f.len);
			break;
		case 11:
			put_event(S, n_events++ == 0 ? rep : R->ev.rep, s, f.p,
			    f.p + f.len);
			break;
		case 13:
			put_link(S, n_links++ == 0 ? rep : R->lk.rep, f.p,
			    f.p + f.len);
			break;
		default:
			break;
		}
	}
	alist_end(S, &L);
	v_i32(R, R->sp_dropped, rep, (int32_t)s->dropped_attrs);
	if (n_events == 0)
		empty(R, &R->ev, rep);
	v_i32(R, R->ev_dropped_count, rep, (int32_t)s->dropped_events);
	if (n_links == 0)
		empty(R, &R->lk, rep);
	v_i32(R, R->lk_dropped_count, rep, (int32_t)s->dropped_links);
	opt_str(R, R->http_method, rep, cl.has_key[0], &cl.key_val[0]);
	opt_str(R, R->http_url, rep, cl.has_key[1], &cl.key_val[1]);
	if (!cl.has_status)
		null_at(R, R->http_status, rep, R->c[R->http_status].max_def - 1);
	else
		v_i64(R, R->http_status, rep, cl.status_code);
	put_dedicated(R, R->sp_ded, rep, &cl);
}

/*
 * ---- repeated resources ----
 *
 * A trace's resources are mostly those of traces before it (a process
 * sends the same resource with every batch), and put_resource gives
 * the same column entries for the same bytes, but for the repetition
 * level of its first entry in each column (every column gets one).  So
 * the entries a resource shredded to are kept, keyed by its bytes (the
 * group key: all of its ResourceSpans' fields but the spans), and a
 * resource seen again has them copied.  A slot (picked by the bytes'
 * hash) keeps one resource's entries, and notes the hash of the last
 * resource that came to it: a resource takes the slot over when it
 * comes twice in a row, so unique resources cost a hash.
 */

/* What one column got from a resource. */
struct rcol {
	uint32_t	 n_levels, n_values;
	size_t		 vals, data;	/* bytes */
	size_t		 off;		/* of its entries in the blob */
};

struct rmemo {
	uint64_t	 seen;		/* the hash of the slot's last resource */
	uint64_t	 hash;		/* of key */
	uint8_t		*key;		/* the one kept, or NULL */
	size_t		 key_len;
	size_t		 bytes;		/* R->bytes added */
	uint8_t		*blob;		/* each column's levels, values */
};

struct tq_vp4_memo {
	int		 lo, n;		/* put_resource's columns */
	struct rcol	*cols;		/* n per slot */
	struct rcol	*before;	/* n: the columns before shredding */
	struct rmemo	 slot[TQ_VP4_MEMO_SLOTS];
};

void
tq_vp4_memo_free(struct tq_vp4_memo *M)
{
	size_t i;

	if (M == NULL)
		return;
	for (i = 0; i < TQ_VP4_MEMO_SLOTS; i++) {
		free(M->slot[i].key);
		free(M->slot[i].blob);
	}
	free(M->cols);
	free(M->before);
	free(M);
}

/* res_cols finds the columns put_resource writes: false unless they
 * are the lo .. hi they span (the schema's order, always). */
static bool
res_cols(const struct tq_vp4_rows *R, int *lo, int *hi)
{
	int cols[7 + 2 + N_RES_WELL_KNOWN + TQ_BLOCK_MAX_DEDICATED], n = 0, i;
	const struct acols *a = &R->res_attrs;

	cols[n++] = a->key;
	cols[n++] = a->is_array;
	cols[n++] = a->value;
	cols[n++] = a->vint;
	cols[n++] = a->vdouble;
	cols[n++] = a->vbool;
	cols[n++] = a->vuns;
	cols[n++] = R->res_dropped;
	cols[n++] = R->res_svc;
	for (i = 0; i < N_RES_WELL_KNOWN; i++)
		cols[n++] = R->res_wk[i];
	for (i = 0; i < TQ_BLOCK_MAX_DEDICATED; i++)
		cols[n++] = R->res_ded[i];
	*lo = *hi = cols[0];
	for (i = 0; i < n; i++) {
		if (cols[i] < 0)
			return false;
		*lo = cols[i] < *lo ? cols[i] : *lo;
		*hi = cols[i] > *hi ? cols[i] : *hi;
	}
	return *hi - *lo + 1 == n && a->list.first == *lo && a->list.n == 7;
}

/* memo_of gives R's memo, made on first use; NULL when out of memory or
 * when the schema is not as expected (then resources are shredded). */
static struct tq_vp4_memo *
memo_of(struct tq_vp4_rows *R)
{
	struct tq_vp4_memo *M;
	int lo, hi;

	if (R->memo != NULL)
		return R->memo;
	if (!res_cols(R, &lo, &hi) || (M = calloc(1, sizeof(*M))) == NULL)
		return NULL;
	M->lo = lo;
	M->n = hi - lo + 1;
	if ((M->cols = calloc(TQ_VP4_MEMO_SLOTS * (size_t)M->n,
	    sizeof(*M->cols))) == NULL || (M->before = calloc((size_t)M->n,
	    sizeof(*M->before))) == NULL) {
		tq_vp4_memo_free(M);
		return NULL;
	}
	R->memo = M;
	return M;
}

/* memo_replay appends a kept resource's entries, its first in each
 * column at repetition level rep. */
static void
memo_replay(struct tq_vp4_rows *R, struct tq_vp4_memo *M, size_t slot,
    int rep)
{
	const struct rmemo *e = &M->slot[slot];
	const struct rcol *rc = M->cols + slot * (size_t)M->n;
	const uint8_t *blob = e->blob;
	/* In locals: the stores below could change anything else. */
	struct cbuf *c = R->c + M->lo, *stop = c + M->n;
	const uint32_t r = (uint32_t)(uint16_t)rep << 16;

	for (; c < stop; c++, rc++) {
		const uint8_t *b = blob + rc->off;
		uint32_t k, *lv;

		if (rc->n_levels == 0)
			continue;
		while (c->cap_levels - c->n_levels < rc->n_levels)
			if (!grow_levels(R, c))
				return;
		lv = c->lv + c->n_levels;
		memcpy(lv, b, 4);
		lv[0] = (lv[0] & 0xffff) | r;
		for (k = 1; k < rc->n_levels; k++)
			memcpy(lv + k, b + 4 * (size_t)k, 4);
		c->n_levels += rc->n_levels;
		c->n_values += rc->n_values;
		if (rc->n_values == 0)
			continue;	/* absent: the usual well-known column */
		b += 4 * (size_t)rc->n_levels;
		/* The values' room came with the levels' (CBUF_ROOM). */
		if (c->type == TQ_PARQUET_BYTE_ARRAY) {
			uint32_t base = (uint32_t)c->data.len, end;
			uint8_t *o = c->off.data + c->off.len;

			if (rc->data > 0)
				put(R, &c->data, b + 4 * (size_t)rc->n_values,
				    rc->data);
			for (k = 0; k < rc->n_values; k++) {
				memcpy(&end, b + 4 * (size_t)k, 4);
				end += base;
				memcpy(o + 4 * (size_t)k, &end, 4);
			}
			c->off.len += 4 * (size_t)rc->n_values;
		} else {
			memcpy(c->vals.data + c->vals.len, b, rc->vals);
			c->vals.len += rc->vals;
		}
	}
	R->bytes += e->bytes;
}

/* memo_mark notes the columns' ends before a resource is shredded. */
static void
memo_mark(const struct tq_vp4_rows *R, struct tq_vp4_memo *M)
{
	int i;

	for (i = 0; i < M->n; i++) {
		const struct cbuf *c = &R->c[M->lo + i];
		struct rcol *b = &M->before[i];

		b->n_levels = (uint32_t)c->n_levels;
		b->n_values = (uint32_t)c->n_values;
		b->vals = c->vals.len;
		b->data = c->data.len;
		b->off = c->off.len;
	}
}

/*
 * memo_keep keeps in slot what the columns got since memo_mark, for the
 * resource of key (key_len bytes, of the given hash); bytes is what
 * R->bytes grew by.  A resource too large, or no memory, leaves the slot
 * as it was.
 */
static void
memo_keep(const struct tq_vp4_rows *R, struct tq_vp4_memo *M, size_t slot,
    uint64_t hash, const uint8_t *key, size_t key_len, size_t bytes)
{
	struct rmemo *e = &M->slot[slot];
	struct rcol *rc = M->cols + slot * (size_t)M->n;
	size_t total = 0, at = 0, k;
	uint8_t *blob, *kc;
	int i;

	for (i = 0; i < M->n; i++) {
		const struct cbuf *c = &R->c[M->lo + i];
		const struct rcol *b = &M->before[i];

		rc[i].n_levels = (uint32_t)(c->n_levels - b->n_levels);
		rc[i].n_values = (uint32_t)(c->n_values - b->n_values);
		rc[i].vals = c->vals.len - b->vals;
		rc[i].data = c->data.len - b->data;
		total += 4 * (size_t)rc[i].n_levels + rc[i].vals +
		    4 * (size_t)rc[i].n_values + rc[i].data;
	}
	if (total > TQ_VP4_MEMO_MAX_BYTES || (blob = malloc(total ? total :
	    1)) == NULL)
		return;
	if ((kc = malloc(key_len ? key_len : 1)) == NULL) {
		free(blob);
		return;
	}
	for (i = 0; i < M->n; i++) {
		const struct cbuf *c = &R->c[M->lo + i];
		const struct rcol *b = &M->before[i];

		rc[i].off = at;
		/* (A column's buffers are NULL until it has something.) */
		if (rc[i].n_levels == 0)
			continue;
		memcpy(blob + at, c->lv + b->n_levels,
		    4 * (size_t)rc[i].n_levels);
		at += 4 * (size_t)rc[i].n_levels;
		if (c->type == TQ_PARQUET_BYTE_ARRAY) {
			/* End offsets, from the resource's first byte. */
			for (k = 0; k < rc[i].n_values; k++) {
				uint32_t end;

				memcpy(&end, c->off.data + b->off + 4 * k, 4);
				end -= (uint32_t)b->data;
				memcpy(blob + at, &end, 4);
				at += 4;
			}
			if (rc[i].data > 0)
				memcpy(blob + at, c->data.data + b->data,
				    rc[i].data);
			at += rc[i].data;
		} else if (rc[i].vals > 0) {
			memcpy(blob + at, c->vals.data + b->vals, rc[i].vals);
			at += rc[i].vals;
		}
	}
	memcpy(kc, key, key_len);
	free(e->blob);
	free(e->key);
	e->hash = hash;
	e->blob = blob;
	e->key = kc;
	e->key_len = key_len;
	e->bytes = bytes;
}

/* shred_resource is put_resource, or a copy of what it gave before for
 * the same resource. */
static void
shred_resource(struct shred *S, int rep, const struct xgroup *g)
{
	struct tq_vp4_rows *R = S->R;
	struct tq_vp4_memo *M = memo_of(R);
	struct rmemo *e;
	uint64_t h;
	size_t slot, bytes;

	if (M == NULL) {
		put_resource(S, rep, g);
		return;
	}
	h = MEMO_XXH3(g->key, g->key_len);
	slot = (size_t)(h % TQ_VP4_MEMO_SLOTS);
	e = &M->slot[slot];
	if (e->key != NULL && e->hash == h && e->key_len == g->key_len &&
	    memcmp(e->key, g->key, g->key_len) == 0) {
		memo_replay(R, M, slot, rep);
		return;
	}
	if (e->seen != h) {
		e->seen = h;
		put_resource(S, rep, g);
		return;
	}
	memo_mark(R, M);
	bytes = R->bytes;
	put_resource(S, rep, g);
	if (S->rc == 0 && R->failed == 0)
		memo_keep(R, M, slot, h, g->key, g->key_len, R->bytes - bytes);
}

int
tq_vp4_rows_add_trace(struct tq_vp4_rows *R, const struct tq_vp4_trace *t,
    struct tq_err *err)
{
	struct xtrace *T = t->priv;
	struct shred S = { R, T, 0, err, 0, 0 };
	char hex[2 * TQ_TRACE_ID_LEN + 1], *p = hex;
	size_t i, nr = 0;
	uint32_t r, s;

	if (R->failed)
		return tq_err_set(err, R->failed, "vParquet4 rows: failed before");
	S.res_lens = len_mask(res_keys, N_RES_WELL_KNOWN + 1) |
	    len_mask(R->m->ded_res, R->m->n_res);
	S.span_lens = len_mask(span_keys, 2) |
	    len_mask(R->m->ded_span, R->m->n_span);
	v_bytes(R, R->trace_id, 0, t->id, TQ_TRACE_ID_LEN);
	/* TraceIDText is Tempo's: hex without leading zeros. */
	tq_hex_encode(hex, t->id, TQ_TRACE_ID_LEN);
	while (*p == '0' && p[1] != '\0')
		p++;
	v_bytes(R, R->trace_id_text, 0, p, strlen(p));
	for (r = 0; r < T->n_res; r++) {
		const struct xgroup *g = &T->res[r];
		size_t ns = 0;
		int rr;

		/* Resources and scopes whose spans were all repeats go. */
		if (g->n_spans == 0)
			continue;
		rr = nr++ == 0 ? 0 : R->rs.rep;
		shred_resource(&S, rr, g);
		for (s = g->first; s != UINT32_MAX; s = T->scopes[s].next) {
			const struct xgroup *sc = &T->scopes[s];
			int sr;

			if (sc->n_spans == 0)
				continue;
			sr = ns++ == 0 ? rr : R->ss.rep;
			put_scope(&S, sr, sc);
			for (i = 0; i < sc->n_spans; i++)
				put_span(&S, i == 0 ? sr : R->sp.rep,
				    &T->spans[sc->at + i]);
		}
	}
	v_i64(R, R->start, 0, (int64_t)t->start_ns);
	v_i64(R, R->end, 0, (int64_t)t->end_ns);
	v_i64(R, R->dur, 0, (int64_t)(t->end_ns - t->start_ns));
	v_bytes(R, R->root_svc, 0, T->root_svc.p, T->root_svc.len);
	v_bytes(R, R->root_name, 0, T->root_name.p, T->root_name.len);
	for (i = 0; i < T->n_services; i++) {
		int rp = i == 0 ? 0 : R->stats.rep;

		v_bytes(R, R->stats_key, rp, T->services[i].name,
		    strlen(T->services[i].name));
		v_i32(R, R->stats_spans, rp, (int32_t)T->services[i].spans);
		v_i32(R, R->stats_errors, rp, (int32_t)T->services[i].errors);
	}
	R->bytes += 64 * T->n_spans;	/* levels and fixed values, roughly */
	R->rows++;
	/* A trace half shredded leaves the rows unusable. */
	if (S.rc != 0 && R->failed == 0)
		R->failed = S.rc;
	if (S.rc != 0)
		return S.rc;
	if (R->failed)
		return tq_err_set(err, R->failed, "vParquet4 rows: %s",
		    tq_strerror(R->failed));
	return 0;
}
