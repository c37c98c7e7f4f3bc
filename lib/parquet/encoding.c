/*
 * encoding.c: the integer encodings of Parquet's Encodings.md: the
 * RLE/bit-packed hybrid (levels, dictionary indices, booleans) and
 * DELTA_BINARY_PACKED (integers, and the lengths of the byte-array delta
 * encodings).  Bit packing is little-endian, least significant bit first.
 */
#include <string.h>

#include "parquet-int.h"

int
pq_bit_width(uint64_t max)
{
	return max == 0 ? 0 : 64 - __builtin_clzll(max);
}

static int
get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	int shift = 0;

	while (p < end && shift <= 63) {
		uint8_t c = *p++;

		x |= (uint64_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0) {
			*pp = p;
			*v = x;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/*
 * unpack extracts n values of bw bits (bw <= 64) starting at bit 0 of in;
 * in has avail bytes.  The caller has checked that n * bw bits fit.
 */
static void
unpack(const uint8_t *in, size_t avail, int bw, uint64_t *out, size_t n)
{
	uint64_t mask = bw == 64 ? ~0ull : (1ull << bw) - 1;
	size_t i, bit = 0;

	if (bw == 0) {
		memset(out, 0, n * sizeof(*out));
		return;
	}
	if (bw <= 56) {
		/* Fast path while a whole 8-byte load stays inside. */
		for (i = 0; i < n && (bit >> 3) + 8 <= avail; i++, bit += bw)
			out[i] = (pq_load64(in + (bit >> 3)) >> (bit & 7)) & mask;
	} else
		i = 0;
	for (; i < n; i++, bit += bw) {
		uint64_t v = 0;
		int got = 0;
		size_t b = bit;

		while (got < bw) {
			int off = (int)(b & 7), take = 8 - off;

			if (take > bw - got)
				take = bw - got;
			v |= (uint64_t)((in[b >> 3] >> off) & ((1u << take) - 1))
			    << got;
			got += take;
			b += (size_t)take;
		}
		out[i] = v;
	}
}

/*
 * unpack8_N unpacks one group of 8 values of N bits (N <= 32) from in,
 * which must have N + 8 readable bytes.  The constant width lets the
 * compiler turn each into straight-line shifts and masks.
 */
#define UNPACK8(N)							\
static void								\
unpack8_##N(const uint8_t *in, uint32_t *out)				\
{									\
	int j;								\
									\
	for (j = 0; j < 8; j++)						\
		out[j] = (uint32_t)((pq_load64(in + (j * N) / 8) >>	\
		    ((j * N) % 8)) & ((1ull << N) - 1));		\
}
UNPACK8(1) UNPACK8(2) UNPACK8(3) UNPACK8(4) UNPACK8(5) UNPACK8(6)
UNPACK8(7) UNPACK8(8) UNPACK8(9) UNPACK8(10) UNPACK8(11) UNPACK8(12)
UNPACK8(13) UNPACK8(14) UNPACK8(15) UNPACK8(16) UNPACK8(17) UNPACK8(18)
UNPACK8(19) UNPACK8(20) UNPACK8(21) UNPACK8(22) UNPACK8(23) UNPACK8(24)
UNPACK8(25) UNPACK8(26) UNPACK8(27) UNPACK8(28) UNPACK8(29) UNPACK8(30)
UNPACK8(31) UNPACK8(32)

/* unpack32_N is unpack8_N for 32 values (4 * N + 8 readable bytes). */
#define UNPACK32(N)							\
static void								\
unpack32_##N(const uint8_t *in, uint32_t *out)				\
{									\
	int j;								\
									\
	_Pragma("GCC unroll 32")					\
	for (j = 0; j < 32; j++)					\
		out[j] = (uint32_t)((pq_load64(in + (j * N) / 8) >>	\
		    ((j * N) % 8)) & ((1ull << N) - 1));		\
}
UNPACK32(1) UNPACK32(2) UNPACK32(3) UNPACK32(4) UNPACK32(5) UNPACK32(6)
UNPACK32(7) UNPACK32(8) UNPACK32(9) UNPACK32(10) UNPACK32(11) UNPACK32(12)
UNPACK32(13) UNPACK32(14) UNPACK32(15) UNPACK32(16) UNPACK32(17)
UNPACK32(18) UNPACK32(19) UNPACK32(20) UNPACK32(21) UNPACK32(22)
UNPACK32(23) UNPACK32(24) UNPACK32(25) UNPACK32(26) UNPACK32(27)
UNPACK32(28) UNPACK32(29) UNPACK32(30) UNPACK32(31) UNPACK32(32)

static void (*const unpack32[33])(const uint8_t *, uint32_t *) = { NULL,
	unpack32_1, unpack32_2, unpack32_3, unpack32_4, unpack32_5,
	unpack32_6, unpack32_7, unpack32_8, unpack32_9, unpack32_10,
	unpack32_11, unpack32_12, unpack32_13, unpack32_14, unpack32_15,
	unpack32_16, unpack32_17, unpack32_18, unpack32_19, unpack32_20,
	unpack32_21, unpack32_22, unpack32_23, unpack32_24, unpack32_25,
	unpack32_26, unpack32_27, unpack32_28, unpack32_29, unpack32_30,
	unpack32_31, unpack32_32 };

/* unpack16_N: the same for levels, straight into 16 bits. */
#define UNPACK16(N)							\
static void								\
unpack16_##N(const uint8_t *in, uint16_t *out)				\
{									\
	int j;								\
									\
	_Pragma("GCC unroll 32")					\
	for (j = 0; j < 32; j++)					\
		out[j] = (uint16_t)((pq_load64(in + (j * N) / 8) >>	\
		    ((j * N) % 8)) & ((1ull << N) - 1));		\
}
/*
 * spread16_N: levels of N <= 3 bits, four at a time: one multiplication
 * puts four copies of 4N bits 16 - N bits apart, so that value i lands
 * at bit 16i, and the copies neither overlap nor carry (16 - N >= 4N).
 */
#define SPREAD16(N)							\
static void								\
unpack16_##N(const uint8_t *in, uint16_t *out)				\
{									\
	const uint64_t mul = 1 | 1ull << (16 - N) |			\
	    1ull << 2 * (16 - N) | 1ull << 3 * (16 - N);		\
	const uint64_t mask = ((1ull << N) - 1) * 0x0001000100010001ull;\
	int k;								\
									\
	_Pragma("GCC unroll 8")						\
	for (k = 0; k < 8; k++) {					\
		uint64_t g = (pq_load64(in + (k * 4 * N) / 8) >>	\
		    ((k * 4 * N) % 8)) & ((1ull << 4 * N) - 1);		\
		uint64_t w = (g * mul) & mask;				\
									\
		out[4 * k] = (uint16_t)w;				\
		out[4 * k + 1] = (uint16_t)(w >> 16);			\
		out[4 * k + 2] = (uint16_t)(w >> 32);			\
		out[4 * k + 3] = (uint16_t)(w >> 48);			\
	}								\
}
SPREAD16(1) SPREAD16(2) SPREAD16(3)
UNPACK16(4) UNPACK16(5) UNPACK16(6)
UNPACK16(7) UNPACK16(8) UNPACK16(9) UNPACK16(10) UNPACK16(11) UNPACK16(12)
UNPACK16(13) UNPACK16(14) UNPACK16(15) UNPACK16(16)

static void (*const unpack16[17])(const uint8_t *, uint16_t *) = { NULL,
	unpack16_1, unpack16_2, unpack16_3, unpack16_4, unpack16_5,
	unpack16_6, unpack16_7, unpack16_8, unpack16_9, unpack16_10,
	unpack16_11, unpack16_12, unpack16_13, unpack16_14, unpack16_15,
	unpack16_16 };

static void (*const unpack8[33])(const uint8_t *, uint32_t *) = { NULL,
	unpack8_1, unpack8_2, unpack8_3, unpack8_4, unpack8_5, unpack8_6,
	unpack8_7, unpack8_8, unpack8_9, unpack8_10, unpack8_11, unpack8_12,
	unpack8_13, unpack8_14, unpack8_15, unpack8_16, unpack8_17,
	unpack8_18, unpack8_19, unpack8_20, unpack8_21, unpack8_22,
	unpack8_23, unpack8_24, unpack8_25, unpack8_26, unpack8_27,
	unpack8_28, unpack8_29, unpack8_30, unpack8_31, unpack8_32 };

/*
 * unpack_groups unpacks groups of 8 values of bw bits from [p, end) into
 * out32 or out16, count values in all (the last group may be cut short).
 */
static void
unpack_groups(const uint8_t *p, const uint8_t *end, int bw, uint32_t *out32,
    uint16_t *out16, size_t count)
{
	uint32_t tmp[8];
	uint8_t pad[48];
	size_t g, k, m;

	if (bw == 0) {
		if (out16)
			memset(out16, 0, count * 2);
		else
			memset(out32, 0, count * 4);
		return;
	}
	g = 0;
	if (out16 == NULL) {
		for (; count - g >= 32 && (size_t)(end - p) >= 4 * (size_t)bw + 8;
		    g += 32, p += 4 * bw)
			unpack32[bw](p, out32 + g);
	} else {
		for (; count - g >= 32 && (size_t)(end - p) >= 4 * (size_t)bw + 8;
		    g += 32, p += 4 * bw)
			unpack16[bw](p, out16 + g);
	}
	for (; g < count; g += 8, p += bw) {
		const uint8_t *src = p;

		m = count - g < 8 ? count - g : 8;
		if ((size_t)(end - p) < (size_t)bw + 8) {
			/* Near the end: work on a padded copy. */
			memset(pad, 0, sizeof(pad));
			memcpy(pad, p, (size_t)(end - p) < sizeof(pad) - 8 ?
			    (size_t)(end - p) : sizeof(pad) - 8);
			src = pad;
		}
		if (out16 == NULL && m == 8) {
			unpack8[bw](src, out32 + g);
			continue;
		}
		unpack8[bw](src, tmp);
		if (out16)
			for (k = 0; k < m; k++)
				out16[g + k] = (uint16_t)tmp[k];
		else
			for (k = 0; k < m; k++)
				out32[g + k] = tmp[k];
	}
}

/*
 * For lim up to 2^30, a value is below it exactly when neither the value
 * nor lim - 1 - value (negative when the value is too large) has bit 30
 * or 31 set: ORed without a branch per value, in a loop the compiler
 * vectorizes (here, where it is not inlined into a decoder that keeps it
 * from doing so).
 */
bool
pq_all_below(const uint32_t *v, size_t n, uint32_t lim)
{
	uint32_t b = 0, top = lim - 1;
	size_t i;

	if (lim == 0)
		return n == 0;
	if (lim > (1u << 30)) {
		for (i = 0; i < n; i++)
			if (v[i] >= lim)
				return false;
		return true;
	}
	for (i = 0; i < n; i++)
		b |= (top - v[i]) | v[i];
	return (b >> 30) == 0;
}

/* levels_check counts the n levels at lv equal to max (at_max not NULL)
 * and says whether any is above it: one pass the compiler can vectorise. */
static bool
levels_check(const uint16_t *lv, size_t n, uint16_t max, int bw,
    size_t *at_max)
{
	uint16_t above = 0;
	size_t i = 0, k = 0;

	/* Uncounted (repetition levels): only what bw bits allow above. */
	if (at_max == NULL) {
		if (max != (1u << bw) - 1)
			for (; i < n; i++)
				above |= (uint16_t)(lv[i] > max);
		return above == 0;
	}

	/* Counted in 16 bits, a stretch at a time, which vectorizes. */
	while (i < n) {
		size_t end = n - i > 32768 ? i + 32768 : n;
		uint16_t at = 0;

		/* A maximum of all ones in bw bits: none can be above. */
		if (max == (1u << bw) - 1)
			for (; i < end; i++)
				at = (uint16_t)(at + (uint16_t)(lv[i] == max));
		else
			for (; i < end; i++) {
				above |= (uint16_t)(lv[i] > max);
				at = (uint16_t)(at + (uint16_t)(lv[i] == max));
			}
		k += at;
	}
	*at_max += k;
	return above == 0;
}

/*
 * One run of the RLE/bit-packed hybrid, cut to the values still wanted:
 * count values, bit-packed at packed (bw bits each), or when packed is
 * NULL all equal to value.
 */
struct rle_run {
	size_t		 count;
	const uint8_t	*packed;
	uint32_t	 value;
};

/* next_run reads the run at *pp (before end; left values still wanted)
 * into *r and steps past it.  Returns 0 or TQ_ECORRUPT. */
static inline int
next_run(const uint8_t **pp, const uint8_t *end, int bw, size_t left,
    struct rle_run *r, struct tq_err *err)
{
	const uint8_t *p = *pp;
	size_t vb = ((size_t)bw + 7) / 8, k;
	uint64_t hdr, n;

	if (get_varint(&p, end, &hdr) != 0)
		return tq_err_set(err, TQ_ECORRUPT, "rle: truncated run "
		    "header");
	n = hdr >> 1;
	if (hdr & 1) {
		/* Groups of 8; padding values are dropped. */
		if (n == 0 || (bw > 0 && n > (uint64_t)(end - p) / (uint64_t)bw))
			return tq_err_set(err, TQ_ECORRUPT, "rle: bit-packed "
			    "run past the end");
		r->count = n > left / 8 + 1 ? left : (size_t)n * 8;
		r->packed = p;
		*pp = p + (size_t)n * (size_t)bw;
	} else {
		if (n == 0)
			return tq_err_set(err, TQ_ECORRUPT, "rle: empty run");
		if ((size_t)(end - p) < vb)
			return tq_err_set(err, TQ_ECORRUPT, "rle: truncated run "
			    "value");
		r->value = 0;
		for (k = 0; k < vb; k++)
			r->value |= (uint32_t)p[k] << (8 * k);
		if (bw < 32 && (r->value >> bw) != 0)
			return tq_err_set(err, TQ_ECORRUPT, "rle: run value "
			    "wider than %d bits", bw);
		r->count = n > left ? left : (size_t)n;
		r->packed = NULL;
		*pp = p + vb;
	}
	if (r->count > left)
		r->count = left;
	return 0;
}

/*
 * rle_decode fills n values into out32 or out16 (whichever is set); for
 * out16, values above max are an error and *at_max (if not NULL) counts
 * those equal to it.
 */
static int
rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out32,
    uint16_t *out16, size_t n, uint16_t max, size_t *at_max,
    struct tq_err *err)
{
	const uint8_t *end = p + len;
	struct rle_run r = { 0, NULL, 0 };
	size_t done = 0, k;

	if (bw < 0 || bw > (out16 ? 16 : 32))
		return tq_err_set(err, TQ_ECORRUPT, "rle: bit width %d", bw);
	for (; done < n; done += r.count) {
		if (next_run(&p, end, bw, n - done, &r, err) != 0)
			return tq_err_prefix(err, TQ_ECORRUPT, "value %zu of %zu",
			    done, n);
		if (r.packed != NULL)
			unpack_groups(r.packed, end, bw, out32 ? out32 + done :
			    NULL, out16 ? out16 + done : NULL, r.count);
		else if (out16)
			for (k = 0; k < r.count; k++)
				out16[done + k] = (uint16_t)r.value;
		else
			for (k = 0; k < r.count; k++)
				out32[done + k] = r.value;
	}
	/* Levels are checked and counted in one pass over them all. */
	if (out16 && !levels_check(out16, n, max, bw, at_max))
		return tq_err_set(err, TQ_ECORRUPT, "rle: level above the "
		    "column's maximum %u", max);
	return 0;
}

bool
pq_rle_all_of(const uint8_t *p, size_t len, int bw, size_t n, uint32_t v)
{
	const uint8_t *end = p + len;
	struct rle_run r = { 0, NULL, 0 };
	struct tq_err e;
	uint32_t tmp[256];
	size_t done, g, m, k;

	if (bw <= 0 || bw > 32)
		return false;
	for (done = 0; done < n; done += r.count) {
		if (next_run(&p, end, bw, n - done, &r, &e) != 0)
			return false;
		if (r.packed == NULL) {
			if (r.value != v)
				return false;
			continue;
		}
		/* Bit-packed (short runs, tails): each value. */
		for (g = 0; g < r.count; g += m) {
			m = r.count - g < 256 ? r.count - g : 256;
			unpack_groups(r.packed + g / 8 * (size_t)bw, end, bw,
			    tmp, NULL, m);
			for (k = 0; k < m; k++)
				if (tmp[k] != v)
					return false;
		}
	}
	return true;
}

int
pq_rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, size_t n,
    struct tq_err *err)
{
	return rle_decode(p, len, bw, out, NULL, n, 0, NULL, err);
}

int
pq_rle_decode16(const uint8_t *p, size_t len, int bw, uint16_t *out,
    size_t n, uint16_t max, size_t *at_max, struct tq_err *err)
{
	if (at_max != NULL)
		*at_max = 0;
	return rle_decode(p, len, bw, NULL, out, n, max, at_max, err);
}

static int
put_varint(struct tq_buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	while (v >= 0x80) {
		tmp[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (uint8_t)v;
	return tq_buf_append(b, tmp, n);
}

/* pack8 packs the 8 values at v, of bw bits each, into bw bytes at o;
 * it may write up to 8 bytes there (the room its callers leave). */
static inline void
pack8(uint8_t *o, const uint64_t *v, int bw)
{
	uint64_t mask = bw == 64 ? ~0ull : (1ull << bw) - 1, acc = 0;
	int k, nbits = 0;

	if (bw <= 8) {
		for (k = 0; k < 8; k++)
			acc |= (v[k] & mask) << (k * bw);
		memcpy(o, &acc, 8);
		return;
	}
	for (k = 0; k < 8; k++) {
		uint64_t x = v[k] & mask;

		acc |= x << nbits;
		if (nbits + bw >= 64) {
			memcpy(o, &acc, 8);
			o += 8;
			acc = nbits ? x >> (64 - nbits) : 0;
			nbits += bw - 64;
		} else
			nbits += bw;
	}
	while (nbits > 0) {
		*o++ = (uint8_t)acc;
		acc >>= 8;
		nbits -= 8;
	}
}

/* pack appends n values of bw bits, LSB first, padded to a whole byte. */
static int
pack(struct tq_buf *b, const uint64_t *v, size_t n, int bw)
{
	size_t bytes = (n * (size_t)bw + 7) / 8, i;
	uint64_t acc = 0;
	int nbits = 0, rc;
	uint8_t *o;

	if ((rc = tq_buf_reserve(b, bytes + 8)) != 0)
		return rc;
	o = b->data + b->len;
	if (n % 8 == 0) {
		for (i = 0; i < n; i += 8, o += bw)
			pack8(o, v + i, bw);
		b->len += bytes;
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t x = bw == 64 ? v[i] : v[i] & ((1ull << bw) - 1);
		int room = 64 - nbits;

		if (bw < room) {
			acc |= x << nbits;
			nbits += bw;
		} else {
			acc |= nbits ? x << nbits : x;
			memcpy(o, &acc, 8);
			o += 8;
			acc = room == 64 ? 0 : (bw == room ? 0 : x >> room);
			nbits = bw - room;
		}
	}
	while (nbits > 0) {
		*o++ = (uint8_t)acc;
		acc >>= 8;
		nbits -= 8;
	}
	b->len += bytes;
	return 0;
}

/*
 * The RLE/bit-packing hybrid: a run of 8 or more equal values becomes an
 * RLE run; otherwise the next 8 values (zero-padded at the end) become a
 * bit-packed group, up to 63 groups per literal run.  A literal run's
 * header, (groups << 1 | 1), is one byte for 63 groups at most: a byte
 * is left for it where the run starts, with room for 63 groups (and the
 * 8 bytes a packer may write) after it, and the groups are packed there
 * as they are found.
 */
struct rle {
	struct tq_buf	*b;
	size_t		 hdr;		/* where the open literal run starts */
	size_t		 ngroups;	/* in it; 0: none open */
	int		 bw;
};

/* open_literals starts a literal run at the end of e->b, with room for
 * the groups of the left values that follow (63 at most). */
static int
open_literals(struct rle *e, size_t left)
{
	size_t groups = (left + 7) / 8 < 63 ? (left + 7) / 8 : 63;
	int rc;

	if ((rc = tq_buf_reserve(e->b, 1 + groups * (size_t)e->bw + 8)) != 0)
		return rc;
	e->hdr = e->b->len;
	return 0;
}

/* group_at is where the next group of the open literal run goes. */
static inline uint8_t *
group_at(const struct rle *e)
{
	return e->b->data + e->hdr + 1 + e->ngroups * (size_t)e->bw;
}

/* flush_literals closes the open literal run, if any. */
static int
flush_literals(struct rle *e)
{
	if (e->ngroups == 0)
		return 0;
	e->b->data[e->hdr] = (uint8_t)(e->ngroups << 1 | 1);
	e->b->len = e->hdr + 1 + e->ngroups * (size_t)e->bw;
	e->ngroups = 0;
	return 0;
}

/* put_run appends an RLE run, without a call while there is room. */
static int
put_run(struct rle *e, uint32_t x, size_t r)
{
	struct tq_buf *b = e->b;
	uint8_t *h;
	uint64_t n = (uint64_t)r << 1;
	size_t k, vb = ((size_t)e->bw + 7) / 8, need = vb + 1;
	int rc;

	for (k = n; k >= 0x80; k >>= 7)
		need++;
	if ((b->cap - b->len < need || b->max - b->len < need) &&
	    (rc = tq_buf_reserve(b, need)) != 0)
		return rc;
	h = b->data + b->len;
	while (n >= 0x80) {
		*h++ = (uint8_t)(n | 0x80);
		n >>= 7;
	}
	*h++ = (uint8_t)n;
	for (k = 0; k < vb; k++)
		*h++ = (uint8_t)(x >> (8 * k));
	b->len += need;
	return 0;
}

/*
 * RLE_ENCODE(NAME, T, BCAST, PACK) defines NAME(v, n, bw, b), the hybrid
 * encoding of n values v of type T at bit width bw appended to b.  BCAST
 * is a 64-bit word of T-sized copies of 1, so that x * BCAST compares
 * with x a word (four or two values) at a time: a run of 8 or more starts
 * at i exactly when the 8 values from i all equal v[i].  PACK(o, g, bw)
 * packs the 8 values at g into bw bytes at o (it may write 8).
 */
#define RLE_ENCODE(NAME, T, BCAST, PACK)				\
static int								\
NAME(const T *v, size_t n, int bw, struct tq_buf *b)			\
{									\
	const size_t per = 8 / sizeof(T);				\
	struct rle e;							\
	uint64_t word, w;						\
	size_t i = 0, r, k;						\
	bool run;							\
	int rc;								\
									\
	e.b = b;							\
	e.ngroups = 0;							\
	e.bw = bw;							\
	while (i + 8 <= n) {						\
		T x = v[i];						\
									\
		word = (uint64_t)x * (BCAST);				\
		for (k = 0, run = true; k < 8 && run; k += per) {	\
			memcpy(&w, v + i + k, 8);			\
			run = w == word;				\
		}							\
		if (run) {						\
			r = 8;						\
			while (i + r + per <= n) {			\
				memcpy(&w, v + i + r, 8);		\
				if (w != word)				\
					break;				\
				r += per;				\
			}						\
			while (i + r < n && v[i + r] == x)		\
				r++;					\
			if ((rc = flush_literals(&e)) != 0 ||		\
			    (rc = put_run(&e, x, r)) != 0)		\
				return rc;				\
			i += r;						\
			continue;					\
		}							\
		if (e.ngroups == 0 && (rc = open_literals(&e, n - i)) != 0) \
			return rc;					\
		PACK(group_at(&e), v + i, bw);				\
		i += 8;							\
		if (++e.ngroups == 63 && (rc = flush_literals(&e)) != 0) \
			return rc;					\
	}								\
	if (i < n) {							\
		/* Fewer than 8 left: a group padded with zeros. */	\
		T t[8] = { 0 };						\
									\
		memcpy(t, v + i, (n - i) * sizeof(*t));			\
		if (e.ngroups == 0 && (rc = open_literals(&e, n - i)) != 0) \
			return rc;					\
		PACK(group_at(&e), t, bw);				\
		e.ngroups++;						\
	}								\
	return flush_literals(&e);					\
}

#define BCAST16	0x0001000100010001ull
#define BCAST32	0x0000000100000001ull

/* Any width: the general packer. */
#define PACK_ANY(NAME, T)						\
static inline void							\
NAME(uint8_t *o, const T *v, int bw)					\
{									\
	uint64_t g[8];							\
	int k;								\
									\
	for (k = 0; k < 8; k++)						\
		g[k] = v[k];						\
	pack8(o, g, bw);						\
}

/*
 * Levels (16-bit, of a few bits each) and the indexes of dictionaries of
 * up to 256 entries have packers of their own for each such width: with
 * the width a constant, a group of 8 is a few shifts straight from the
 * values.
 */
#define PACK_BW(NAME, T, BW)						\
static inline void							\
NAME(uint8_t *o, const T *v, int bw)					\
{									\
	const uint64_t mask = (1ull << (BW)) - 1;			\
	uint64_t acc = 0;						\
	int k;								\
									\
	(void)bw;							\
	for (k = 0; k < 8; k++)						\
		acc |= ((uint64_t)v[k] & mask) << (k * (BW));		\
	memcpy(o, &acc, 8);						\
}

/*
 * PACK16_BW(NAME, BW) is PACK_BW for levels: four 16-bit values read as
 * one word are squeezed to 4 * BW bits by a few shifts of the pairs,
 * then of the halves, not one value at a time.
 */
static inline uint64_t
squeeze4(uint64_t w, int bw)
{
	const uint64_t lane = 0x0001000100010001ull * ((1u << bw) - 1);
	const uint64_t pair = 0x0000000100000001ull * ((1u << 2 * bw) - 1);

	w &= lane;
	w = (w | w >> (16 - bw)) & pair;
	return (w | w >> (32 - 2 * bw)) & ((1ull << 4 * bw) - 1);
}

#define PACK16_BW(NAME, BW)						\
static inline void							\
NAME(uint8_t *o, const uint16_t *v, int bw)				\
{									\
	uint64_t a, b;							\
									\
	(void)bw;							\
	memcpy(&a, v, 8);						\
	memcpy(&b, v + 4, 8);						\
	a = squeeze4(a, (BW)) | squeeze4(b, (BW)) << 4 * (BW);		\
	memcpy(o, &a, 8);						\
}

PACK_ANY(pack16_any, uint16_t)
PACK_ANY(pack32_any, uint32_t)
RLE_ENCODE(rle_encode16_any, uint16_t, BCAST16, pack16_any)
RLE_ENCODE(rle_encode32_any, uint32_t, BCAST32, pack32_any)

PACK16_BW(pack16_1, 1)
PACK16_BW(pack16_2, 2)
PACK16_BW(pack16_3, 3)
PACK16_BW(pack16_4, 4)
RLE_ENCODE(rle_encode16_1, uint16_t, BCAST16, pack16_1)
RLE_ENCODE(rle_encode16_2, uint16_t, BCAST16, pack16_2)
RLE_ENCODE(rle_encode16_3, uint16_t, BCAST16, pack16_3)
RLE_ENCODE(rle_encode16_4, uint16_t, BCAST16, pack16_4)

static int
rle_encode16(const uint16_t *v, size_t n, int bw, struct tq_buf *b)
{
	switch (bw) {
	case 1: return rle_encode16_1(v, n, bw, b);
	case 2: return rle_encode16_2(v, n, bw, b);
	case 3: return rle_encode16_3(v, n, bw, b);
	case 4: return rle_encode16_4(v, n, bw, b);
	default: return rle_encode16_any(v, n, bw, b);
	}
}

/*
 * PACK_BW2(NAME, BW) is PACK_BW for dictionary indexes of 9 to 16 bits:
 * the group's halves in a word each, the second ORed in where the first
 * ends (at a whole byte or half of one).  It may write 16 bytes.
 */
#define PACK_BW2(NAME, BW)						\
static inline void							\
NAME(uint8_t *o, const uint32_t *v, int bw)				\
{									\
	const uint64_t mask = (1ull << (BW)) - 1;			\
	uint64_t lo = 0, hi = 0, t;					\
	int k;								\
									\
	(void)bw;							\
	for (k = 0; k < 4; k++) {					\
		lo |= ((uint64_t)v[k] & mask) << (k * (BW));		\
		hi |= ((uint64_t)v[k + 4] & mask) << (k * (BW));	\
	}								\
	memcpy(o, &lo, 8);						\
	o += 4 * (BW) / 8;						\
	t = (uint64_t)(o[0] & ((1u << (4 * (BW) % 8)) - 1)) |		\
	    hi << (4 * (BW) % 8);					\
	memcpy(o, &t, 8);						\
}

PACK_BW(pack32_1, uint32_t, 1)
PACK_BW(pack32_2, uint32_t, 2)
PACK_BW(pack32_3, uint32_t, 3)
PACK_BW(pack32_4, uint32_t, 4)
PACK_BW(pack32_5, uint32_t, 5)
PACK_BW(pack32_6, uint32_t, 6)
PACK_BW(pack32_7, uint32_t, 7)
PACK_BW(pack32_8, uint32_t, 8)
RLE_ENCODE(rle_encode32_1, uint32_t, BCAST32, pack32_1)
RLE_ENCODE(rle_encode32_2, uint32_t, BCAST32, pack32_2)
RLE_ENCODE(rle_encode32_3, uint32_t, BCAST32, pack32_3)
RLE_ENCODE(rle_encode32_4, uint32_t, BCAST32, pack32_4)
RLE_ENCODE(rle_encode32_5, uint32_t, BCAST32, pack32_5)
RLE_ENCODE(rle_encode32_6, uint32_t, BCAST32, pack32_6)
RLE_ENCODE(rle_encode32_7, uint32_t, BCAST32, pack32_7)
RLE_ENCODE(rle_encode32_8, uint32_t, BCAST32, pack32_8)
PACK_BW2(pack32_9, 9)
PACK_BW2(pack32_10, 10)
PACK_BW2(pack32_11, 11)
PACK_BW2(pack32_12, 12)
PACK_BW2(pack32_13, 13)
PACK_BW2(pack32_14, 14)
PACK_BW2(pack32_15, 15)
PACK_BW2(pack32_16, 16)
RLE_ENCODE(rle_encode32_9, uint32_t, BCAST32, pack32_9)
RLE_ENCODE(rle_encode32_10, uint32_t, BCAST32, pack32_10)
RLE_ENCODE(rle_encode32_11, uint32_t, BCAST32, pack32_11)
RLE_ENCODE(rle_encode32_12, uint32_t, BCAST32, pack32_12)
RLE_ENCODE(rle_encode32_13, uint32_t, BCAST32, pack32_13)
RLE_ENCODE(rle_encode32_14, uint32_t, BCAST32, pack32_14)
RLE_ENCODE(rle_encode32_15, uint32_t, BCAST32, pack32_15)
RLE_ENCODE(rle_encode32_16, uint32_t, BCAST32, pack32_16)

int
pq_rle_encode(const uint32_t *v, size_t n, int bw, struct tq_buf *b)
{
	switch (bw) {
	case 1: return rle_encode32_1(v, n, bw, b);
	case 2: return rle_encode32_2(v, n, bw, b);
	case 3: return rle_encode32_3(v, n, bw, b);
	case 4: return rle_encode32_4(v, n, bw, b);
	case 5: return rle_encode32_5(v, n, bw, b);
	case 6: return rle_encode32_6(v, n, bw, b);
	case 7: return rle_encode32_7(v, n, bw, b);
	case 8: return rle_encode32_8(v, n, bw, b);
	case 9: return rle_encode32_9(v, n, bw, b);
	case 10: return rle_encode32_10(v, n, bw, b);
	case 11: return rle_encode32_11(v, n, bw, b);
	case 12: return rle_encode32_12(v, n, bw, b);
	case 13: return rle_encode32_13(v, n, bw, b);
	case 14: return rle_encode32_14(v, n, bw, b);
	case 15: return rle_encode32_15(v, n, bw, b);
	case 16: return rle_encode32_16(v, n, bw, b);
	default: return rle_encode32_any(v, n, bw, b);
	}
}

int
pq_rle_encode16(const uint16_t *v, size_t n, int bw, struct tq_buf *b)
{
	return rle_encode16(v, n, bw, b);
}

/* ---- DELTA_BINARY_PACKED ---- */

struct delta_hdr {
	uint64_t	block;
	uint64_t	minis;
	uint64_t	total;
	int64_t		first;
};

static int
delta_header(const uint8_t **pp, const uint8_t *end, struct delta_hdr *h,
    struct tq_err *err)
{
	uint64_t z;

	if (get_varint(pp, end, &h->block) != 0 ||
	    get_varint(pp, end, &h->minis) != 0 ||
	    get_varint(pp, end, &h->total) != 0 ||
	    get_varint(pp, end, &z) != 0)
		return tq_err_set(err, TQ_ECORRUPT, "delta: truncated header");
	h->first = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	if (h->block == 0 || h->block % 128 != 0 || h->block > 65536 ||
	    h->minis == 0 || h->block % h->minis != 0 ||
	    (h->block / h->minis) % 32 != 0)
		return tq_err_set(err, TQ_ECORRUPT, "delta: bad block size "
		    "%llu with %llu miniblocks", (unsigned long long)h->block,
		    (unsigned long long)h->minis);
	return 0;
}

int
pq_delta_count(const uint8_t *p, size_t len, size_t *n, struct tq_err *err)
{
	struct delta_hdr h;
	int rc;

	if ((rc = delta_header(&p, p + len, &h, err)) != 0)
		return rc;
	if (h.total > len * 64 + 1)
		return tq_err_set(err, TQ_ECORRUPT, "delta: %llu values in %zu "
		    "bytes", (unsigned long long)h.total, len);
	*n = (size_t)h.total;
	return 0;
}

int
pq_delta_decode(const uint8_t *p, size_t len, int64_t *out, size_t n,
    size_t *used, struct tq_err *err)
{
	const uint8_t *start = p, *end = p + len;
	struct delta_hdr h;
	uint64_t prev, md, tmp[64];
	uint8_t widths[256];
	size_t done, per, m, i, k;
	int rc;

	if ((rc = delta_header(&p, end, &h, err)) != 0)
		return rc;
	if (h.total != n)
		return tq_err_set(err, TQ_ECORRUPT, "delta: %llu values where "
		    "%zu were expected", (unsigned long long)h.total, n);
	if (h.minis > sizeof(widths))
		return tq_err_set(err, TQ_ECORRUPT, "delta: %llu miniblocks",
		    (unsigned long long)h.minis);
	per = (size_t)(h.block / h.minis);
	if (per > 64 * 1024)
		return tq_err_set(err, TQ_ECORRUPT, "delta: bad miniblock");
	prev = (uint64_t)h.first;
	done = 0;
	if (n > 0)
		out[done++] = h.first;
	while (done < n) {
		if (get_varint(&p, end, &md) != 0)
			return tq_err_set(err, TQ_ECORRUPT, "delta: truncated "
			    "block at byte %zu", (size_t)(p - start));
		md = (uint64_t)((int64_t)(md >> 1) ^ -(int64_t)(md & 1));
		if ((size_t)(end - p) < h.minis)
			return tq_err_set(err, TQ_ECORRUPT, "delta: truncated "
			    "bit widths");
		memcpy(widths, p, (size_t)h.minis);
		p += h.minis;
		for (m = 0; m < h.minis && done < n; m++) {
			int bw = widths[m];
			size_t bytes = per * (size_t)bw / 8;
			size_t want = n - done < per ? n - done : per;

			if (bw > 64)
				return tq_err_set(err, TQ_ECORRUPT, "delta: bit "
				    "width %d", bw);
			if ((size_t)(end - p) < bytes)
				return tq_err_set(err, TQ_ECORRUPT, "delta: "
				    "truncated miniblock at byte %zu",
				    (size_t)(p - start));
			if (bw <= 32) {
				/* Groups of 8 through the unrolled unpackers. */
				uint32_t t32[64];

				for (i = 0; i < want; i += 64) {
					size_t c = want - i < 64 ? want - i : 64;

					if (c == 32 && bw > 0 && (size_t)(end - p) >=
					    4 * (size_t)bw + 8 + i * (size_t)bw / 8)
						unpack32[bw](p + i * (size_t)bw / 8,
						    t32);
					else
						unpack_groups(p + i * (size_t)bw / 8,
						    end, bw, t32, NULL, c);
					for (k = 0; k < c; k++) {
						prev += md + t32[k];
						out[done++] = (int64_t)prev;
					}
				}
				p += bytes;
				continue;
			}
			for (i = 0; i < want; i += 64) {
				size_t c = want - i < 64 ? want - i : 64;
				size_t off = i * (size_t)bw / 8;

				unpack(p + off, (size_t)(end - p) - off, bw, tmp,
				    c);
				for (k = 0; k < c; k++) {
					prev += md + tmp[k];
					out[done++] = (int64_t)prev;
				}
			}
			p += bytes;
		}
	}
	*used = (size_t)(p - start);
	return 0;
}

int
pq_delta_encode(const int64_t *v, size_t n, bool is32, struct tq_buf *b)
{
	enum { BLOCK = 128, MINIS = 4, PER = BLOCK / MINIS };
	uint64_t d[BLOCK];
	size_t i, j, m, cnt;
	int rc;

	if ((rc = put_varint(b, BLOCK)) != 0 ||
	    (rc = put_varint(b, MINIS)) != 0 ||
	    (rc = put_varint(b, n)) != 0 ||
	    (rc = put_varint(b, n ? ((uint64_t)v[0] << 1) ^
	    (uint64_t)(v[0] >> 63) : 0)) != 0)
		return rc;
	for (i = 1; i < n; i += BLOCK) {
		int64_t min = INT64_MAX;
		uint8_t widths[MINIS];

		cnt = n - i < BLOCK ? n - i : BLOCK;
		for (j = 0; j < cnt; j++) {
			int64_t delta = is32 ? (int64_t)(int32_t)(uint32_t)
			    ((uint64_t)v[i + j] - (uint64_t)v[i + j - 1]) :
			    (int64_t)((uint64_t)v[i + j] - (uint64_t)v[i + j - 1]);

			d[j] = (uint64_t)delta;
			if (delta < min)
				min = delta;
		}
		for (j = 0; j < cnt; j++) {
			d[j] -= (uint64_t)min;
			if (is32)
				d[j] &= 0xffffffffu;
		}
		for (; j < BLOCK; j++)
			d[j] = 0;
		for (m = 0; m < MINIS; m++) {
			uint64_t or = 0;

			if (m * PER < cnt)
				for (j = m * PER; j < (m + 1) * PER; j++)
					or |= d[j];
			widths[m] = (uint8_t)pq_bit_width(or);
		}
		if ((rc = put_varint(b, ((uint64_t)min << 1) ^
		    (uint64_t)(min >> 63))) != 0 ||
		    (rc = tq_buf_append(b, widths, MINIS)) != 0)
			return rc;
		for (m = 0; m < MINIS && m * PER < cnt; m++)
			if ((rc = pack(b, d + m * PER, PER, widths[m])) != 0)
				return rc;
	}
	return 0;
}
