/*
 * test-otlp.c: the protobuf walker accepts every real-client payload and
 * rejects each kind of damage with the byte offset; decode and encode keep
 * every field; hex and UTF-8 helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "otlp.h"
#include "t.h"

static void
test_fixtures(void)
{
	static const size_t want[] = { 100, 100, 20 };
	char path[1024];
	size_t total = 0;

	for (int i = 1; i <= 3; i++) {
		struct tq_arena a;
		struct tq_buf b;
		struct tq_err e;
		Tq__TracesData *td = NULL, *td2 = NULL;
		unsigned char *body;
		size_t len = 0, n = 0;

		snprintf(path, sizeof(path), "otlp-proto/%06d.body.pb", i);
		body = t_slurp(t_fixtures(), path, &len);
		T_OK(body != NULL, "fixture: readable");
		if (body == NULL)
			continue;
		T_EQ_INT(tq_otlp_pb_check(body, len, &n, &e), 0,
		    "fixture: walker accepts the real client's body");
		T_EQ_INT(n, want[i - 1], "fixture: walker counts the spans");
		tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
		T_EQ_INT(tq_otlp_pb_decode(body, len, &a, &td, &e), 0,
		    "fixture: decodes");
		T_EQ_INT(td != NULL ? tq_otlp_span_count(td) : 0, n,
		    "fixture: decoded span count equals the walker's");
		total += n;
		/* Encode, decode again, encode again: a fixed point. */
		tq_buf_init(&b, TQ_MAX_RECORD);
		T_EQ_INT(tq_otlp_pb_encode(td, &b, &e), 0, "fixture: encodes");
		{
			size_t first = b.len;
			unsigned char *copy = malloc(first);

			memcpy(copy, b.data, first);
			T_EQ_INT(tq_otlp_pb_decode(copy, first, &a, &td2, &e), 0,
			    "fixture: re-decodes");
			tq_buf_reset(&b);
			tq_otlp_pb_encode(td2, &b, &e);
			T_OK(b.len == first && memcmp(b.data, copy, first) == 0,
			    "fixture: encode(decode(encode(x))) is stable");
			free(copy);
		}
		tq_buf_release(&b);
		tq_arena_release(&a);
		free(body);
	}
	T_EQ_INT(total, 220, "fixture: 220 spans in three requests");
}

/* check_err runs the walker on bytes and checks code and message. */
static void
check_err(const char *name, const void *p, size_t n, int code,
    const char *needle)
{
	struct tq_err e = { 0 };
	char label[200];
	int rc = tq_otlp_pb_check(p, n, NULL, &e);

	snprintf(label, sizeof(label), "reject %s: code", name);
	T_EQ_INT(rc, code, label);
	snprintf(label, sizeof(label), "reject %s: message has \"%s\"", name,
	    needle);
	T_OK(strstr(e.msg, needle) != NULL, label);
	if (strstr(e.msg, needle) == NULL)
		printf("#   message: %s\n", e.msg);
}

/* wrap puts a tag and the length n in front of buf[0..n). */
static size_t
wrap(unsigned char *buf, size_t n, unsigned char tag)
{
	unsigned char hdr[6];
	size_t h = 0, v = n;

	hdr[h++] = tag;
	do {
		hdr[h++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v > 0);
	memmove(buf + h, buf, n);
	memcpy(buf, hdr, h);
	return n + h;
}

static void
test_bad(void)
{
	/* ResourceSpans of 5 bytes, but only 2 present. */
	static const unsigned char past_end[] = { 0x0a, 0x05, 0x12, 0x00 };
	/* A key varint that never ends. */
	static const unsigned char bad_varint[] = { 0x0a, 0x02, 0xff, 0xff };
	/* Span name (field 5) with a lone continuation byte. */
	unsigned char bad_utf8[] = {
		0x0a, 0x09,			/* ResourceSpans */
		0x12, 0x07,			/* ScopeSpans */
		0x12, 0x05,			/* Span */
		0x2a, 0x03, 'a', 0x80, 'b'	/* name */
	};
	/* Span start time (fixed64) sent as a varint. */
	static const unsigned char wrong_type[] = {
		0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x38, 0x01 };
	static const unsigned char bad_wire[] = { 0x0f };
	/* Found by fuzzing: a key padded to 6 bytes, which protobuf-c refuses. */
	static const unsigned char long_key[] = {
		0xb0, 0x82, 0x8f, 0x8f, 0x8f, 0x00, 0x01 };
	/* Found by fuzzing: a length of 0 padded to 7 bytes. */
	static const unsigned char long_len[] = {
		0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	unsigned char *deep;
	size_t i, n = 0, depth = 200;

	check_err("length past the end", past_end, sizeof(past_end),
	    TQ_ECORRUPT, "byte 0: TracesData field 1: length past the end");
	check_err("bad varint", bad_varint, sizeof(bad_varint), TQ_ECORRUPT,
	    "byte 2: ResourceSpans: bad field key varint");
	check_err("invalid UTF-8", bad_utf8, sizeof(bad_utf8), TQ_ECORRUPT,
	    "byte 8: Span field 5: invalid UTF-8");
	check_err("wrong wire type", wrong_type, sizeof(wrong_type),
	    TQ_ECORRUPT, "Span field 7: wrong wire type 0");
	check_err("bad wire type", bad_wire, sizeof(bad_wire), TQ_ECORRUPT,
	    "bad wire type 7");
	check_err("overlong key", long_key, sizeof(long_key), TQ_ECORRUPT,
	    "byte 0: TracesData: bad field key varint");
	check_err("overlong length", long_len, sizeof(long_len), TQ_ECORRUPT,
	    "byte 0: TracesData field 1: length over 5 bytes");
	check_err("truncated", past_end, 1, TQ_ECORRUPT, "length past the end");

	/*
	 * Arrays nested 200 deep in one resource attribute: the walker must
	 * stop at TQ_MAX_DEPTH instead of recursing (protobuf-c would not).
	 * Built inside out: AnyValue{array_value{values: AnyValue{...}}}.
	 */
	deep = calloc(1, 8 * depth + 64);
	for (i = 0; i < depth; i++) {
		n = wrap(deep, n, 0x0a);	/* ArrayValue.values */
		n = wrap(deep, n, 0x2a);	/* AnyValue.array_value */
	}
	n = wrap(deep, n, 0x12);	/* KeyValue.value */
	n = wrap(deep, n, 0x0a);	/* Resource.attributes */
	n = wrap(deep, n, 0x0a);	/* ResourceSpans.resource */
	n = wrap(deep, n, 0x0a);	/* TracesData.resource_spans */
	check_err("deep nesting", deep, n, TQ_ELIMIT, "nested deeper than");
	free(deep);
}

/* wrap_kv puts one attribute (KeyValue bytes) into a TracesData. */
static size_t
wrap_kv(unsigned char *buf, size_t n)
{
	n = wrap(buf, n, 0x0a);		/* Resource.attributes */
	n = wrap(buf, n, 0x0a);		/* ResourceSpans.resource */
	return wrap(buf, n, 0x0a);	/* TracesData.resource_spans */
}

/*
 * Attributes take a fast path when they have the usual shape; every other
 * shape must still be judged by the full walk, the same way.
 */
static void
test_attribute_shapes(void)
{
	static const struct {
		const char	*name;
		unsigned char	 kv[32];
		size_t		 len;
		int		 rc;
		const char	*msg;
	} cases[] = {
		{ "string", { 0x0a, 1, 'k', 0x12, 3, 0x0a, 1, 'v' }, 8, 0, "" },
		{ "negative int (10-byte varint)", { 0x0a, 1, 'k', 0x12, 11, 0x18,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 },
		    16, 0, "" },
		{ "double", { 0x0a, 1, 'k', 0x12, 9, 0x21, 0, 0, 0, 0, 0, 0,
		    0xf0, 0x3f }, 14, 0, "" },
		{ "empty value", { 0x0a, 1, 'k', 0x12, 0 }, 5, 0, "" },
		{ "value before key", { 0x12, 3, 0x0a, 1, 'v', 0x0a, 1, 'k' },
		    8, 0, "" },
		{ "bad UTF-8 key", { 0x0a, 1, 0xff, 0x12, 0 }, 5, TQ_ECORRUPT,
		    "KeyValue field 1: invalid UTF-8" },
		{ "bad UTF-8 value", { 0x0a, 1, 'k', 0x12, 3, 0x0a, 1, 0xc3 },
		    8, TQ_ECORRUPT, "AnyValue field 1: invalid UTF-8" },
		{ "varint running past the value", { 0x0a, 1, 'k', 0x12, 2,
		    0x18, 0x80 }, 7, TQ_ECORRUPT, "AnyValue field 3: bad varint" },
	};
	unsigned char buf[64];
	char label[128];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tq_err e = { 0 };
		int rc;

		memcpy(buf, cases[i].kv, cases[i].len);
		n = wrap_kv(buf, cases[i].len);
		rc = tq_otlp_pb_check(buf, n, NULL, &e);
		snprintf(label, sizeof(label), "attribute %s: %s", cases[i].name,
		    cases[i].rc == 0 ? "accepted" : "refused");
		T_EQ_INT(rc, cases[i].rc, label);
		if (cases[i].rc != 0) {
			snprintf(label, sizeof(label), "attribute %s: says \"%s\"",
			    cases[i].name, cases[i].msg);
			T_OK(strstr(e.msg, cases[i].msg) != NULL, label);
		}
	}
}

/* Found by fuzzing: a KeyValue whose value comes twice, both empty. */
static void
test_protobuf_c_refusal(void)
{
	static const unsigned char twice[] = {
		0x0a, 0x08, 0x0a, 0x06, 0x0a, 0x04, 0x12, 0x00, 0x12, 0x00 };
	struct tq_arena a;
	struct tq_err e = { 0 };
	Tq__TracesData *td = NULL;

	tq_arena_init(&a, 1 << 20);
	T_EQ_INT(tq_otlp_pb_check(twice, sizeof(twice), NULL, &e), 0,
	    "refusal: the check accepts a repeated singular field");
	T_EQ_INT(tq_otlp_pb_decode(twice, sizeof(twice), &a, &td, &e),
	    TQ_ECORRUPT, "refusal: decode says corrupt, not out of memory");
	T_OK(strstr(e.msg, "protobuf-c refuses") != NULL,
	    "refusal: the message says why");
	tq_arena_release(&a);
}

static void
test_helpers(void)
{
	uint8_t id[8], want[8] = { 0xde, 0xad, 0xbe, 0xef, 0, 1, 0xab, 0xcd };
	char hex[17];

	tq_hex_encode(hex, want, 8);
	T_EQ_STR(hex, "deadbeef0001abcd", "hex: encode lowercase");
	T_OK(tq_hex_decode(id, 8, "DEADBEEF0001abcd", 16) &&
	    memcmp(id, want, 8) == 0, "hex: decode either case");
	T_OK(!tq_hex_decode(id, 8, "deadbeef0001abc", 15), "hex: short fails");
	T_OK(!tq_hex_decode(id, 8, "deadbeef0001abcg", 16), "hex: non-hex fails");
	T_OK(tq_utf8_valid("Jos\xc3\xa9 \xe6\x9d\x8e \xf0\x9f\x9a\x80", 14),
	    "utf8: accented, CJK and emoji");
	T_OK(!tq_utf8_valid("\xc0\xaf", 2), "utf8: overlong rejected");
	T_OK(!tq_utf8_valid("\xed\xa0\x80", 3), "utf8: surrogate rejected");
	T_OK(!tq_utf8_valid("abcdefgh\xe6\x9d", 10), "utf8: truncated rejected");
}

/*
 * Strings are checked for UTF-8 a few words at a time when short: a key
 * of 1 to 40 bytes with a bad byte, or a good two-byte character, at
 * each place is refused, or taken, wherever it falls in the words.
 */
static void
test_utf8_places(void)
{
	uint8_t msg[64];
	size_t n, at, i;
	int bad_refused = 1, good_taken = 1;

	for (n = 1; n <= 40; n++)
		for (at = 0; at < n; at++) {
			int good;

			for (good = 0; good <= 1; good++) {
				uint8_t *k = msg + 8;
				int rc;

				if (good && at + 1 >= n)
					continue;
				/* TracesData{RS{Resource{KeyValue{key}}}}. */
				for (i = 0; i < 4; i++) {
					msg[2 * i] = 0x0a;
					msg[2 * i + 1] = (uint8_t)(n + 6 - 2 * i);
				}
				for (i = 0; i < n; i++)
					k[i] = 'a' + (uint8_t)(i % 26);
				if (good) {
					k[at] = 0xc3;
					k[at + 1] = 0xa9;
				} else
					k[at] = 0xff;
				rc = tq_otlp_pb_check(msg, n + 8, NULL, NULL);
				if (good && rc != 0)
					good_taken = 0;
				if (!good && rc != TQ_ECORRUPT)
					bad_refused = 0;
			}
		}
	T_OK(bad_refused, "utf8: a bad byte anywhere in a short key refused");
	T_OK(good_taken, "utf8: a good character anywhere in one taken");
}

int
main(void)
{
	test_fixtures();
	test_bad();
	test_protobuf_c_refusal();
	test_attribute_shapes();
	test_helpers();
	test_utf8_places();
	return t_done();
}
