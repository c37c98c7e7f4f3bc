/*
 * otlp-json.c: OTLP/JSON, both ways (see otlp.h).
 *
 * The decoder parses with jansson and walks the tree into the protobuf-c
 * model, allocating everything from the caller's arena; the jansson tree
 * is freed before returning.  It follows the OTLP JSON mapping of the
 * OpenTelemetry protocol specification: trace and span IDs as hex (either
 * case; "" means absent), lowerCamelCase field names with the protobuf
 * snake_case names also accepted, enums as numbers or names, 64-bit
 * integers as JSON strings or numbers, doubles as numbers or the strings
 * "NaN", "Infinity", "-Infinity", bytes as base64, null as the default
 * value, unknown fields ignored.
 *
 * The encoder writes the text straight into a struct tq_buf, in the field
 * order of the .proto files, omitting default values as the proto3 JSON
 * mapping does (fields of a oneof, such as an AnyValue's, are always
 * written).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "limits.h"
#include "otlp.h"
#include "otlp-json-int.h"

/* Longest field name we know, in either spelling, plus room to spare. */
#define KEYBUF	40

/* ---- the walk context (otlp-json-int.h) ---- */

void
tq_jctx_init(struct tq_jctx *c, struct tq_arena *a, struct tq_err *err)
{
	c->a = a;
	c->err = err;
	c->nframes = 0;
}

int
tq_jctx_key(struct tq_jctx *c, const char *key)
{
	if (c->nframes == TQ_JPATH_MAX)
		return tq_jctx_fail(c, TQ_ELIMIT, "nested deeper than %d",
		    TQ_JPATH_MAX);
	c->frames[c->nframes].key = key;
	c->frames[c->nframes].index = 0;
	c->nframes++;
	return 0;
}

int
tq_jctx_index(struct tq_jctx *c, size_t index)
{
	if (c->nframes == TQ_JPATH_MAX)
		return tq_jctx_fail(c, TQ_ELIMIT, "nested deeper than %d",
		    TQ_JPATH_MAX);
	c->frames[c->nframes].key = NULL;
	c->frames[c->nframes].index = index;
	c->nframes++;
	return 0;
}

void
tq_jctx_pop(struct tq_jctx *c)
{
	if (c->nframes > 0)
		c->nframes--;
}

int
tq_jctx_fail(struct tq_jctx *c, int code, const char *fmt, ...)
{
	char path[384], msg[256];
	size_t i, len = 0;
	va_list ap;
	int n;

	path[0] = '\0';
	for (i = 0; i < c->nframes && len < sizeof(path); i++) {
		const struct tq_jframe *f = &c->frames[i];

		if (f->key != NULL)
			n = snprintf(path + len, sizeof(path) - len, "%s%s",
			    len > 0 ? "." : "", f->key);
		else
			n = snprintf(path + len, sizeof(path) - len, "[%zu]",
			    f->index);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path[0] == '\0')
		return tq_err_set(c->err, code, "%s", msg);
	return tq_err_set(c->err, code, "%s: %s", path, msg);
}

int
tq_json_load(const char *buf, size_t len, size_t flags, const char *what,
    json_t **out, struct tq_err *err)
{
	json_error_t je;
	json_t *root;

	if (len > TQ_MAX_JSON_LINE)
		return tq_err_set(err, TQ_ELIMIT,
		    "%s: document of %zu bytes is over the limit of %u",
		    what, len, (unsigned)TQ_MAX_JSON_LINE);
	if ((root = json_loadb(buf, len, flags, &je)) == NULL) {
		switch (json_error_code(&je)) {
		case json_error_out_of_memory:
			return tq_err_set(err, TQ_ENOMEM, "%s: out of memory",
			    what);
		case json_error_stack_overflow:
			return tq_err_set(err, TQ_ELIMIT,
			    "%s: byte %d: JSON nested deeper than %d", what,
			    je.position, JSON_PARSER_MAX_DEPTH);
		default:
			/* Our words for what jansson names by its flag. */
			if (strstr(je.text, "JSON_ALLOW_NUL") != NULL)
				return tq_err_set(err, TQ_ECORRUPT,
				    "%s: byte %d: \\u0000 in a string", what,
				    je.position);
			return tq_err_set(err, TQ_ECORRUPT, "%s: byte %d: %s",
			    what, je.position, je.text);
		}
	}
	*out = root;
	return 0;
}

int
tq_jctx_string(struct tq_jctx *c, const json_t *v, char **out)
{
	size_t n;

	if (json_is_null(v)) {
		*out = (char *)protobuf_c_empty_string;
		return 0;
	}
	if (!json_is_string(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not a string");
	n = json_string_length(v);
	if (n == 0) {
		*out = (char *)protobuf_c_empty_string;
		return 0;
	}
	if (n > TQ_MAX_STRING)
		return tq_jctx_fail(c, TQ_ELIMIT, "string of %zu bytes", n);
	if ((*out = tq_arena_strndup(c->a, json_string_value(v), n)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	return 0;
}

/* new_kv allocates a KeyValue and its AnyValue together. */
static Tq__KeyValue *
new_kv(struct tq_arena *a)
{
	struct {
		Tq__KeyValue	kv;
		Tq__AnyValue	av;
	} *p;

	if ((p = tq_arena_alloc(a, sizeof(*p))) == NULL)
		return NULL;
	tq__key_value__init(&p->kv);
	tq__any_value__init(&p->av);
	p->kv.value = &p->av;
	return &p->kv;
}

int
tq_jctx_kv_string(struct tq_jctx *c, Tq__KeyValue **kvs, size_t *n,
    const char *key, size_t keylen, const char *val, size_t vallen)
{
	Tq__KeyValue *kv;

	if ((kv = new_kv(c->a)) == NULL ||
	    (kv->key = tq_arena_strndup(c->a, key, keylen)) == NULL ||
	    (kv->value->string_value = tq_arena_strndup(c->a, val,
	    vallen)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	kv->value->value_case = TQ__ANY_VALUE__VALUE_STRING_VALUE;
	kvs[(*n)++] = kv;
	return 0;
}

int
tq_jctx_kv_int(struct tq_jctx *c, Tq__KeyValue **kvs, size_t *n,
    const char *key, int64_t val)
{
	Tq__KeyValue *kv;

	if ((kv = new_kv(c->a)) == NULL ||
	    (kv->key = tq_arena_strndup(c->a, key, strlen(key))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	kv->value->value_case = TQ__ANY_VALUE__VALUE_INT_VALUE;
	kv->value->int_value = val;
	kvs[(*n)++] = kv;
	return 0;
}

int
tq_jctx_kv_bool(struct tq_jctx *c, Tq__KeyValue **kvs, size_t *n,
    const char *key, int val)
{
	Tq__KeyValue *kv;

	if ((kv = new_kv(c->a)) == NULL ||
	    (kv->key = tq_arena_strndup(c->a, key, strlen(key))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	kv->value->value_case = TQ__ANY_VALUE__VALUE_BOOL_VALUE;
	kv->value->bool_value = val != 0;
	kvs[(*n)++] = kv;
	return 0;
}

/* ---- decoding scalars ---- */

/*
 * norm_key maps a snake_case field name to lowerCamelCase in buf, so the
 * decoder compares one spelling.  Names without '_' come back as they are;
 * names too long for buf cannot be ours and come back unchanged too.
 */
static const char *
norm_key(const char *k, char buf[KEYBUF])
{
	size_t i, j;

	if (strchr(k, '_') == NULL)
		return k;
	for (i = j = 0; k[i] != '\0'; i++) {
		if (j + 1 >= KEYBUF)
			return k;
		if (k[i] == '_' && k[i + 1] >= 'a' && k[i + 1] <= 'z' && j > 0)
			buf[j++] = (char)(k[++i] - 'a' + 'A');
		else
			buf[j++] = k[i];
	}
	buf[j] = '\0';
	return buf;
}

/* parse_u64 reads a plain decimal number, all of s[0..n). */
static int
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * get_u64 reads an unsigned 64-bit integer given as a JSON number or a
 * decimal string.  max bounds it (UINT32_MAX for uint32 fields).
 */
static int
get_u64(struct tq_jctx *c, const json_t *v, uint64_t max, uint64_t *out)
{
	uint64_t u;
	double d;

	*out = 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return tq_jctx_fail(c, TQ_ECORRUPT, "negative");
		u = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		if (parse_u64(json_string_value(v), json_string_length(v),
		    &u) != 0)
			return tq_jctx_fail(c, TQ_ECORRUPT,
			    "not an unsigned integer");
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (!(d >= 0 && d < 18446744073709551616.0) || d != floor(d))
			return tq_jctx_fail(c, TQ_ECORRUPT,
			    "not an unsigned integer");
		u = (uint64_t)d;
	} else
		return tq_jctx_fail(c, TQ_ECORRUPT,
		    "not a number or a string");
	if (u > max)
		return tq_jctx_fail(c, TQ_ECORRUPT, "%llu is out of range",
		    (unsigned long long)u);
	*out = u;
	return 0;
}

/* get_i64 reads a signed 64-bit integer (number or decimal string). */
static int
get_i64(struct tq_jctx *c, const json_t *v, int64_t *out)
{
	const char *s;
	uint64_t u;
	size_t n;
	double d;
	int neg;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (!(d >= -9223372036854775808.0 &&
		    d < 9223372036854775808.0) || d != floor(d))
			return tq_jctx_fail(c, TQ_ECORRUPT, "not an integer");
		*out = (int64_t)d;
		return 0;
	}
	if (!json_is_string(v))
		return tq_jctx_fail(c, TQ_ECORRUPT,
		    "not a number or a string");
	s = json_string_value(v);
	n = json_string_length(v);
	neg = n > 0 && s[0] == '-';
	if (parse_u64(s + neg, n - (size_t)neg, &u) != 0 ||
	    u > (uint64_t)INT64_MAX + (uint64_t)neg)
		return tq_jctx_fail(c, TQ_ECORRUPT, "not a 64-bit integer");
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* get_double reads a number, a numeric string, "NaN" or "[-]Infinity". */
static int
get_double(struct tq_jctx *c, const json_t *v, double *out)
{
	const char *s;
	char *end;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return tq_jctx_fail(c, TQ_ECORRUPT,
		    "not a number or a string");
	s = json_string_value(v);
	if (strcmp(s, "NaN") == 0)
		*out = NAN;
	else if (strcmp(s, "Infinity") == 0)
		*out = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*out = -INFINITY;
	else {
		/* A number in a string: digits, sign, point and exponent only
		 * (strtod alone would also take "inf", hex and spaces). */
		if (s[0] == '\0' || s[strspn(s, "0123456789+-.eE")] != '\0')
			return tq_jctx_fail(c, TQ_ECORRUPT, "not a number");
		errno = 0;
		*out = strtod(s, &end);
		if (*end != '\0' || errno == ERANGE)
			return tq_jctx_fail(c, TQ_ECORRUPT, "not a number");
	}
	return 0;
}

static int
get_u32(struct tq_jctx *c, const json_t *v, uint32_t *out)
{
	uint64_t u;
	int rc;

	if ((rc = get_u64(c, v, UINT32_MAX, &u)) != 0)
		return rc;
	*out = (uint32_t)u;
	return 0;
}

/*
 * get_enum reads an enum given as its number or as one of the names in
 * names[0..n) (index = value).
 */
static int
get_enum(struct tq_jctx *c, const json_t *v, const char *const *names,
    size_t n, int *out)
{
	size_t k;
	double d;

	*out = 0;
	if (json_is_number(v)) {
		d = json_number_value(v);
		if (d != floor(d))
			return tq_jctx_fail(c, TQ_ECORRUPT, "not an integer");
		if (d < INT32_MIN || d > INT32_MAX)
			return tq_jctx_fail(c, TQ_ECORRUPT, "out of range");
		*out = (int)d;
		return 0;
	}
	if (!json_is_string(v))
		return tq_jctx_fail(c, TQ_ECORRUPT,
		    "not a number or a string");
	for (k = 0; k < n; k++)
		if (strcmp(json_string_value(v), names[k]) == 0) {
			*out = (int)k;
			return 0;
		}
	return tq_jctx_fail(c, TQ_ECORRUPT, "unknown value");
}

/*
 * get_id reads a hex trace or span ID of n bytes; "" (or null) leaves it
 * absent.
 */
static int
get_id(struct tq_jctx *c, const json_t *v, size_t n, ProtobufCBinaryData *out)
{
	uint8_t *p;

	if (!json_is_string(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not a string");
	if (json_string_length(v) == 0) {
		out->len = 0;
		out->data = NULL;
		return 0;
	}
	if ((p = tq_arena_alloc(c->a, n)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	if (!tq_hex_decode(p, n, json_string_value(v), json_string_length(v)))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not %zu hex digits",
		    2 * n);
	out->data = p;
	out->len = n;
	return 0;
}

/* b64val maps a base64 digit (standard or URL-safe) to its value. */
static int
b64val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/*
 * get_bytes decodes base64 (standard or URL-safe alphabet, padding
 * optional, as the protobuf JSON mapping allows).
 */
static int
get_bytes(struct tq_jctx *c, const json_t *v, ProtobufCBinaryData *out)
{
	const unsigned char *s;
	size_t n, i, len = 0;
	uint32_t acc = 0;
	int bits = 0, d;
	uint8_t *p;

	if (!json_is_string(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not a string");
	s = (const unsigned char *)json_string_value(v);
	n = json_string_length(v);
	while (n > 0 && s[n - 1] == '=' && len < 2) {
		n--;
		len++;
	}
	if (n % 4 == 1)
		return tq_jctx_fail(c, TQ_ECORRUPT, "bad base64 length");
	if ((p = tq_arena_alloc(c->a, n / 4 * 3 + 2)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	len = 0;
	for (i = 0; i < n; i++) {
		if ((d = b64val(s[i])) < 0)
			return tq_jctx_fail(c, TQ_ECORRUPT,
			    "bad base64 at character %zu", i);
		acc = acc << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[len++] = (uint8_t)(acc >> bits);
		}
	}
	out->data = len > 0 ? p : NULL;
	out->len = len;
	return 0;
}

/* ---- decoding messages ---- */

static int	dec_anyvalue(struct tq_jctx *, const json_t *, int,
		    Tq__AnyValue *);

/* need_object checks that v is a JSON object. */
static int
need_object(struct tq_jctx *c, const json_t *v)
{
	if (!json_is_object(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not an object");
	return 0;
}

/*
 * need_array checks that v is a JSON array and allocates a pointer array
 * for its elements in *out (NULL when empty); *n is its size.
 */
static int
need_array(struct tq_jctx *c, const json_t *v, size_t *n, void ***out)
{
	*n = 0;
	*out = NULL;
	if (!json_is_array(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not an array");
	*n = json_array_size(v);
	*out = NULL;
	if (*n > 0 && (*out = tq_arena_calloc(c->a, *n, sizeof(void *))) ==
	    NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	return 0;
}

/* dec_kvs decodes an array of KeyValue at AnyValue depth depth. */
static int
dec_kvs(struct tq_jctx *c, const json_t *arr, int depth, size_t *n_out,
    Tq__KeyValue ***out)
{
	Tq__KeyValue **kvs;
	const json_t *o, *v;
	const char *k;
	char kb[KEYBUF];
	size_t i, n;
	int rc, has_value;

	if ((rc = need_array(c, arr, &n, (void ***)&kvs)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = tq_jctx_index(c, i)) != 0)
			return rc;
		o = json_array_get(arr, i);
		if ((rc = need_object(c, o)) != 0)
			return rc;
		if ((kvs[i] = new_kv(c->a)) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		has_value = 0;
		json_object_foreach((json_t *)o, k, v) {
			const char *nk = norm_key(k, kb);

			if (strcmp(nk, "key") == 0) {
				if ((rc = tq_jctx_key(c, "key")) != 0 ||
				    (rc = tq_jctx_string(c, v,
				    &kvs[i]->key)) != 0)
					return rc;
				tq_jctx_pop(c);
			} else if (strcmp(nk, "value") == 0 &&
			    !json_is_null(v)) {
				if ((rc = tq_jctx_key(c, "value")) != 0 ||
				    (rc = dec_anyvalue(c, v, depth,
				    kvs[i]->value)) != 0)
					return rc;
				tq_jctx_pop(c);
				has_value = 1;
			}
		}
		/* A KeyValue without "value" has no AnyValue at all. */
		if (!has_value)
			kvs[i]->value = NULL;
		tq_jctx_pop(c);
	}
	*n_out = n;
	*out = kvs;
	return 0;
}

/* dec_values decodes an ArrayValue or KeyValueList object ("values"). */
static int
dec_values(struct tq_jctx *c, const json_t *o, int depth, int kvlist,
    Tq__AnyValue *out)
{
	const json_t *v;
	const char *k;
	Tq__ArrayValue *av = NULL;
	Tq__KeyValueList *kl = NULL;
	Tq__AnyValue **vals;
	size_t i, n;
	int rc;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if (kvlist) {
		if ((kl = tq_arena_alloc(c->a, sizeof(*kl))) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		tq__key_value_list__init(kl);
		out->value_case = TQ__ANY_VALUE__VALUE_KVLIST_VALUE;
		out->kvlist_value = kl;
	} else {
		if ((av = tq_arena_alloc(c->a, sizeof(*av))) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		tq__array_value__init(av);
		out->value_case = TQ__ANY_VALUE__VALUE_ARRAY_VALUE;
		out->array_value = av;
	}
	json_object_foreach((json_t *)o, k, v) {
		if (strcmp(k, "values") != 0 || json_is_null(v))
			continue;
		if ((rc = tq_jctx_key(c, "values")) != 0)
			return rc;
		if (kvlist) {
			if ((rc = dec_kvs(c, v, depth + 1, &kl->n_values,
			    &kl->values)) != 0)
				return rc;
		} else {
			if ((rc = need_array(c, v, &n, (void ***)&vals)) != 0)
				return rc;
			for (i = 0; i < n; i++) {
				if ((vals[i] = tq_arena_alloc(c->a,
				    sizeof(**vals))) == NULL)
					return tq_jctx_fail(c, TQ_ENOMEM,
					    "out of memory");
				tq__any_value__init(vals[i]);
				if ((rc = tq_jctx_index(c, i)) != 0 ||
				    (rc = dec_anyvalue(c, json_array_get(v, i),
				    depth + 1, vals[i])) != 0)
					return rc;
				tq_jctx_pop(c);
			}
			av->n_values = n;
			av->values = vals;
		}
		tq_jctx_pop(c);
	}
	return 0;
}

/*
 * dec_anyvalue decodes an AnyValue object; depth counts the arrays and
 * kvlists around it.  {} is a value with nothing set.
 */
static int
dec_anyvalue(struct tq_jctx *c, const json_t *o, int depth, Tq__AnyValue *out)
{
	static const char *const names[] = { NULL, "stringValue", "boolValue",
	    "intValue", "doubleValue", "arrayValue", "kvlistValue",
	    "bytesValue" };
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	size_t which;
	int rc;

	if (depth > TQ_MAX_DEPTH)
		return tq_jctx_fail(c, TQ_ELIMIT,
		    "values nested deeper than %d", TQ_MAX_DEPTH);
	if ((rc = need_object(c, o)) != 0)
		return rc;
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		for (which = 1; which < sizeof(names) / sizeof(names[0]);
		    which++)
			if (strcmp(nk, names[which]) == 0)
				break;
		if (which == sizeof(names) / sizeof(names[0]) ||
		    json_is_null(v))
			continue;
		if (out->value_case != TQ__ANY_VALUE__VALUE__NOT_SET)
			return tq_jctx_fail(c, TQ_ECORRUPT,
			    "more than one value");
		if ((rc = tq_jctx_key(c, names[which])) != 0)
			return rc;
		switch (which) {
		case TQ__ANY_VALUE__VALUE_STRING_VALUE:
			rc = tq_jctx_string(c, v, &out->string_value);
			break;
		case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
			if (!json_is_boolean(v))
				rc = tq_jctx_fail(c, TQ_ECORRUPT,
				    "not a boolean");
			else
				out->bool_value = json_is_true(v);
			break;
		case TQ__ANY_VALUE__VALUE_INT_VALUE:
			rc = get_i64(c, v, &out->int_value);
			break;
		case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
			rc = get_double(c, v, &out->double_value);
			break;
		case TQ__ANY_VALUE__VALUE_ARRAY_VALUE:
			rc = dec_values(c, v, depth, 0, out);
			break;
		case TQ__ANY_VALUE__VALUE_KVLIST_VALUE:
			rc = dec_values(c, v, depth, 1, out);
			break;
		case TQ__ANY_VALUE__VALUE_BYTES_VALUE:
			rc = get_bytes(c, v, &out->bytes_value);
			break;
		}
		if (rc != 0)
			return rc;
		out->value_case = (Tq__AnyValue__ValueCase)which;
		tq_jctx_pop(c);
	}
	return 0;
}

/*
 * Field helpers: each enters the field's path frame, decodes, leaves.
 * The key given is the canonical (lowerCamelCase) name.
 */
static int
f_string(struct tq_jctx *c, const char *key, const json_t *v, char **out)
{
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 ||
	    (rc = tq_jctx_string(c, v, out)) != 0)
		return rc;
	tq_jctx_pop(c);
	return 0;
}

static int
f_u32(struct tq_jctx *c, const char *key, const json_t *v, uint32_t *out)
{
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 || (rc = get_u32(c, v, out)) != 0)
		return rc;
	tq_jctx_pop(c);
	return 0;
}

static int
f_u64(struct tq_jctx *c, const char *key, const json_t *v, uint64_t *out)
{
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 ||
	    (rc = get_u64(c, v, UINT64_MAX, out)) != 0)
		return rc;
	tq_jctx_pop(c);
	return 0;
}

static int
f_id(struct tq_jctx *c, const char *key, const json_t *v, size_t n,
    ProtobufCBinaryData *out)
{
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 || (rc = get_id(c, v, n, out)) != 0)
		return rc;
	tq_jctx_pop(c);
	return 0;
}

static int
f_kvs(struct tq_jctx *c, const char *key, const json_t *v, size_t *n,
    Tq__KeyValue ***out)
{
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 ||
	    (rc = dec_kvs(c, v, 1, n, out)) != 0)
		return rc;
	tq_jctx_pop(c);
	return 0;
}

/* f_strings decodes an array of strings (EntityRef's key lists). */
static int
f_strings(struct tq_jctx *c, const char *key, const json_t *v, size_t *n,
    char ***out)
{
	size_t i;
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 ||
	    (rc = need_array(c, v, n, (void ***)out)) != 0)
		return rc;
	for (i = 0; i < *n; i++) {
		if ((rc = tq_jctx_index(c, i)) != 0 ||
		    (rc = tq_jctx_string(c, json_array_get(v, i),
		    &(*out)[i])) != 0)
			return rc;
		tq_jctx_pop(c);
	}
	tq_jctx_pop(c);
	return 0;
}

/*
 * f_list decodes a repeated message field with dec, which allocates each
 * element.
 */
typedef int	dec_fn(struct tq_jctx *, const json_t *, void **);

static int
f_list(struct tq_jctx *c, const char *key, const json_t *v, dec_fn *dec,
    size_t *n, void ***out)
{
	size_t i;
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 ||
	    (rc = need_array(c, v, n, out)) != 0)
		return rc;
	for (i = 0; i < *n; i++) {
		if ((rc = tq_jctx_index(c, i)) != 0 ||
		    (rc = dec(c, json_array_get(v, i), &(*out)[i])) != 0)
			return rc;
		tq_jctx_pop(c);
	}
	tq_jctx_pop(c);
	return 0;
}

/* f_msg decodes a singular message field with dec. */
static int
f_msg(struct tq_jctx *c, const char *key, const json_t *v, dec_fn *dec,
    void **out)
{
	int rc;

	if ((rc = tq_jctx_key(c, key)) != 0 || (rc = dec(c, v, out)) != 0)
		return rc;
	tq_jctx_pop(c);
	return 0;
}

/* alloc_msg allocates size bytes and runs init on them. */
static void *
alloc_msg(struct tq_jctx *c, size_t size)
{
	void *p;

	if ((p = tq_arena_alloc(c->a, size)) == NULL)
		tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	return p;
}

static int
dec_entity_ref(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__EntityRef *e;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((e = alloc_msg(c, sizeof(*e))) == NULL)
		return TQ_ENOMEM;
	tq__entity_ref__init(e);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "schemaUrl") == 0)
			rc = f_string(c, "schemaUrl", v, &e->schema_url);
		else if (strcmp(nk, "type") == 0)
			rc = f_string(c, "type", v, &e->type);
		else if (strcmp(nk, "idKeys") == 0)
			rc = f_strings(c, "idKeys", v, &e->n_id_keys,
			    &e->id_keys);
		else if (strcmp(nk, "descriptionKeys") == 0)
			rc = f_strings(c, "descriptionKeys", v,
			    &e->n_description_keys, &e->description_keys);
		if (rc != 0)
			return rc;
	}
	*out = e;
	return 0;
}

static int
dec_resource(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__Resource *r;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((r = alloc_msg(c, sizeof(*r))) == NULL)
		return TQ_ENOMEM;
	tq__resource__init(r);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "attributes") == 0)
			rc = f_kvs(c, "attributes", v, &r->n_attributes,
			    &r->attributes);
		else if (strcmp(nk, "droppedAttributesCount") == 0)
			rc = f_u32(c, "droppedAttributesCount", v,
			    &r->dropped_attributes_count);
		else if (strcmp(nk, "entityRefs") == 0)
			rc = f_list(c, "entityRefs", v, dec_entity_ref,
			    &r->n_entity_refs, (void ***)&r->entity_refs);
		if (rc != 0)
			return rc;
	}
	*out = r;
	return 0;
}

static int
dec_scope(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__InstrumentationScope *s;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((s = alloc_msg(c, sizeof(*s))) == NULL)
		return TQ_ENOMEM;
	tq__instrumentation_scope__init(s);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "name") == 0)
			rc = f_string(c, "name", v, &s->name);
		else if (strcmp(nk, "version") == 0)
			rc = f_string(c, "version", v, &s->version);
		else if (strcmp(nk, "attributes") == 0)
			rc = f_kvs(c, "attributes", v, &s->n_attributes,
			    &s->attributes);
		else if (strcmp(nk, "droppedAttributesCount") == 0)
			rc = f_u32(c, "droppedAttributesCount", v,
			    &s->dropped_attributes_count);
		if (rc != 0)
			return rc;
	}
	*out = s;
	return 0;
}

static const char *const kind_names[] = { "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER" };
static const char *const code_names[] = { "STATUS_CODE_UNSET",
    "STATUS_CODE_OK", "STATUS_CODE_ERROR" };

static int
dec_status(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__Status *s;
	const json_t *v;
	const char *k;
	int rc = 0, code;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((s = alloc_msg(c, sizeof(*s))) == NULL)
		return TQ_ENOMEM;
	tq__status__init(s);
	json_object_foreach((json_t *)o, k, v) {
		if (json_is_null(v))
			continue;
		if (strcmp(k, "message") == 0)
			rc = f_string(c, "message", v, &s->message);
		else if (strcmp(k, "code") == 0) {
			if ((rc = tq_jctx_key(c, "code")) != 0 ||
			    (rc = get_enum(c, v, code_names, 3, &code)) != 0)
				return rc;
			s->code = (Tq__Status__StatusCode)code;
			tq_jctx_pop(c);
		}
		if (rc != 0)
			return rc;
	}
	*out = s;
	return 0;
}

static int
dec_event(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__Span__Event *e;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((e = alloc_msg(c, sizeof(*e))) == NULL)
		return TQ_ENOMEM;
	tq__span__event__init(e);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "timeUnixNano") == 0)
			rc = f_u64(c, "timeUnixNano", v, &e->time_unix_nano);
		else if (strcmp(nk, "name") == 0)
			rc = f_string(c, "name", v, &e->name);
		else if (strcmp(nk, "attributes") == 0)
			rc = f_kvs(c, "attributes", v, &e->n_attributes,
			    &e->attributes);
		else if (strcmp(nk, "droppedAttributesCount") == 0)
			rc = f_u32(c, "droppedAttributesCount", v,
			    &e->dropped_attributes_count);
		if (rc != 0)
			return rc;
	}
	*out = e;
	return 0;
}

static int
dec_link(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__Span__Link *l;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((l = alloc_msg(c, sizeof(*l))) == NULL)
		return TQ_ENOMEM;
	tq__span__link__init(l);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "traceId") == 0)
			rc = f_id(c, "traceId", v, TQ_TRACE_ID_LEN,
			    &l->trace_id);
		else if (strcmp(nk, "spanId") == 0)
			rc = f_id(c, "spanId", v, TQ_SPAN_ID_LEN, &l->span_id);
		else if (strcmp(nk, "traceState") == 0)
			rc = f_string(c, "traceState", v, &l->trace_state);
		else if (strcmp(nk, "attributes") == 0)
			rc = f_kvs(c, "attributes", v, &l->n_attributes,
			    &l->attributes);
		else if (strcmp(nk, "droppedAttributesCount") == 0)
			rc = f_u32(c, "droppedAttributesCount", v,
			    &l->dropped_attributes_count);
		else if (strcmp(nk, "flags") == 0)
			rc = f_u32(c, "flags", v, &l->flags);
		if (rc != 0)
			return rc;
	}
	*out = l;
	return 0;
}

static int
dec_span(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__Span *s;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0, kind;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((s = alloc_msg(c, sizeof(*s))) == NULL)
		return TQ_ENOMEM;
	tq__span__init(s);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		switch (nk[0]) {
		case 'a':
			if (strcmp(nk, "attributes") == 0)
				rc = f_kvs(c, "attributes", v,
				    &s->n_attributes, &s->attributes);
			break;
		case 'd':
			if (strcmp(nk, "droppedAttributesCount") == 0)
				rc = f_u32(c, "droppedAttributesCount", v,
				    &s->dropped_attributes_count);
			else if (strcmp(nk, "droppedEventsCount") == 0)
				rc = f_u32(c, "droppedEventsCount", v,
				    &s->dropped_events_count);
			else if (strcmp(nk, "droppedLinksCount") == 0)
				rc = f_u32(c, "droppedLinksCount", v,
				    &s->dropped_links_count);
			break;
		case 'e':
			if (strcmp(nk, "endTimeUnixNano") == 0)
				rc = f_u64(c, "endTimeUnixNano", v,
				    &s->end_time_unix_nano);
			else if (strcmp(nk, "events") == 0)
				rc = f_list(c, "events", v, dec_event,
				    &s->n_events, (void ***)&s->events);
			break;
		case 'f':
			if (strcmp(nk, "flags") == 0)
				rc = f_u32(c, "flags", v, &s->flags);
			break;
		case 'k':
			if (strcmp(nk, "kind") == 0) {
				if ((rc = tq_jctx_key(c, "kind")) != 0 ||
				    (rc = get_enum(c, v, kind_names, 6,
				    &kind)) != 0)
					return rc;
				s->kind = (Tq__Span__SpanKind)kind;
				tq_jctx_pop(c);
			}
			break;
		case 'l':
			if (strcmp(nk, "links") == 0)
				rc = f_list(c, "links", v, dec_link,
				    &s->n_links, (void ***)&s->links);
			break;
		case 'n':
			if (strcmp(nk, "name") == 0)
				rc = f_string(c, "name", v, &s->name);
			break;
		case 'p':
			if (strcmp(nk, "parentSpanId") == 0)
				rc = f_id(c, "parentSpanId", v, TQ_SPAN_ID_LEN,
				    &s->parent_span_id);
			break;
		case 's':
			if (strcmp(nk, "spanId") == 0)
				rc = f_id(c, "spanId", v, TQ_SPAN_ID_LEN,
				    &s->span_id);
			else if (strcmp(nk, "startTimeUnixNano") == 0)
				rc = f_u64(c, "startTimeUnixNano", v,
				    &s->start_time_unix_nano);
			else if (strcmp(nk, "status") == 0)
				rc = f_msg(c, "status", v, dec_status,
				    (void **)&s->status);
			break;
		case 't':
			if (strcmp(nk, "traceId") == 0)
				rc = f_id(c, "traceId", v, TQ_TRACE_ID_LEN,
				    &s->trace_id);
			else if (strcmp(nk, "traceState") == 0)
				rc = f_string(c, "traceState", v,
				    &s->trace_state);
			break;
		}
		if (rc != 0)
			return rc;
	}
	*out = s;
	return 0;
}

static int
dec_scope_spans(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__ScopeSpans *ss;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((ss = alloc_msg(c, sizeof(*ss))) == NULL)
		return TQ_ENOMEM;
	tq__scope_spans__init(ss);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "scope") == 0)
			rc = f_msg(c, "scope", v, dec_scope,
			    (void **)&ss->scope);
		else if (strcmp(nk, "spans") == 0)
			rc = f_list(c, "spans", v, dec_span, &ss->n_spans,
			    (void ***)&ss->spans);
		else if (strcmp(nk, "schemaUrl") == 0)
			rc = f_string(c, "schemaUrl", v, &ss->schema_url);
		if (rc != 0)
			return rc;
	}
	*out = ss;
	return 0;
}

static int
dec_resource_spans(struct tq_jctx *c, const json_t *o, void **out)
{
	Tq__ResourceSpans *rs;
	const json_t *v;
	const char *k, *nk;
	char kb[KEYBUF];
	int rc = 0;

	if ((rc = need_object(c, o)) != 0)
		return rc;
	if ((rs = alloc_msg(c, sizeof(*rs))) == NULL)
		return TQ_ENOMEM;
	tq__resource_spans__init(rs);
	json_object_foreach((json_t *)o, k, v) {
		nk = norm_key(k, kb);
		if (json_is_null(v))
			continue;
		if (strcmp(nk, "resource") == 0)
			rc = f_msg(c, "resource", v, dec_resource,
			    (void **)&rs->resource);
		else if (strcmp(nk, "scopeSpans") == 0)
			rc = f_list(c, "scopeSpans", v, dec_scope_spans,
			    &rs->n_scope_spans, (void ***)&rs->scope_spans);
		else if (strcmp(nk, "schemaUrl") == 0)
			rc = f_string(c, "schemaUrl", v, &rs->schema_url);
		if (rc != 0)
			return rc;
	}
	*out = rs;
	return 0;
}

int
tq_otlp_json_decode(const char *buf, size_t len, struct tq_arena *a,
    Tq__TracesData **out, struct tq_err *err)
{
	struct tq_jctx c;
	Tq__TracesData *td;
	json_t *root = NULL;
	const json_t *v;
	const char *k;
	char kb[KEYBUF];
	int rc;

	if ((rc = tq_json_load(buf, len, 0, "OTLP/JSON", &root, err)) != 0)
		return rc;
	tq_jctx_init(&c, a, err);
	if ((rc = need_object(&c, root)) != 0)
		goto out;
	if ((td = alloc_msg(&c, sizeof(*td))) == NULL) {
		rc = TQ_ENOMEM;
		goto out;
	}
	tq__traces_data__init(td);
	json_object_foreach(root, k, v) {
		if (strcmp(norm_key(k, kb), "resourceSpans") != 0 ||
		    json_is_null(v))
			continue;
		if ((rc = f_list(&c, "resourceSpans", v, dec_resource_spans,
		    &td->n_resource_spans,
		    (void ***)&td->resource_spans)) != 0)
			goto out;
	}
	*out = td;
out:
	json_decref(root);
	return rc;
}

/* ---- encoding ---- */

/*
 * struct w is the encoder's output with a sticky error: helpers do nothing
 * once one failed, and tq_otlp_json_encode checks rc at the end.
 */
struct w {
	struct tq_buf	*b;
	int		 rc;
};

static void
w_raw(struct w *w, const char *s, size_t n)
{
	struct tq_buf *b = w->b;

	if (w->rc != 0)
		return;
	if (b->cap - b->len < n && (w->rc = tq_buf_reserve(b, n)) != 0)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

#define W_LIT(w, s)	w_raw((w), (s), sizeof(s) - 1)

/* esc[c] is the escape for byte c, or 0 when c goes out as it is. */
static const char esc[256] = {
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
	[0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x08] = 'b', [0x09] = 't',
	[0x0a] = 'n', [0x0b] = 'u', [0x0c] = 'f', [0x0d] = 'r', [0x0e] = 'u',
	[0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
	[0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u',
	[0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
	[0x1e] = 'u', [0x1f] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/* w_str writes s as a JSON string, escaping quotes, backslashes and
 * control characters; other bytes (UTF-8) go out as they are. */
static void
w_str(struct w *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p;
	char e[6];

	W_LIT(w, "\"");
	for (; *p != '\0'; p++) {
		if (esc[*p] == 0)
			continue;
		w_raw(w, (const char *)run, (size_t)(p - run));
		e[0] = '\\';
		e[1] = esc[*p];
		if (e[1] == 'u') {
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			w_raw(w, e, 6);
		} else
			w_raw(w, e, 2);
		run = p + 1;
	}
	w_raw(w, (const char *)run, (size_t)(p - run));
	W_LIT(w, "\"");
}

/* w_u64 writes v in decimal, in quotes when quoted. */
static void
w_u64(struct w *w, uint64_t v, int quoted)
{
	char d[24];
	size_t i = sizeof(d);

	if (quoted)
		d[--i] = '"';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (quoted)
		d[--i] = '"';
	w_raw(w, d + i, sizeof(d) - i);
}

static void
w_i64(struct w *w, int64_t v)
{
	if (v < 0) {
		W_LIT(w, "\"-");
		w_u64(w, 0 - (uint64_t)v, 0);
		W_LIT(w, "\"");
	} else
		w_u64(w, (uint64_t)v, 1);
}

/*
 * w_double writes the shortest %g form that reads back as the same
 * double (negative zero as -0.0); NaN and the infinities as the proto3
 * JSON strings.  A locale's
 * decimal comma is turned back into a point.
 */
static void
w_double(struct w *w, double d)
{
	char b[40];
	int prec, n = 0;

	if (isnan(d)) {
		W_LIT(w, "\"NaN\"");
		return;
	}
	if (isinf(d)) {
		if (d > 0)
			W_LIT(w, "\"Infinity\"");
		else
			W_LIT(w, "\"-Infinity\"");
		return;
	}
	if (d == 0 && signbit(d)) {
		/* "-0" would read back as the integer 0. */
		W_LIT(w, "-0.0");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(b, sizeof(b), "%.*g", prec, d);
		if (strtod(b, NULL) == d)
			break;
	}
	for (int i = 0; i < n; i++)
		if (b[i] == ',')
			b[i] = '.';
	w_raw(w, b, (size_t)n);
}

static void
w_hex(struct w *w, const ProtobufCBinaryData *id)
{
	char h[2 * 64 + 1];
	size_t off;

	W_LIT(w, "\"");
	for (off = 0; off < id->len; off += 64) {
		size_t n = id->len - off < 64 ? id->len - off : 64;

		tq_hex_encode(h, id->data + off, n);
		w_raw(w, h, 2 * n);
	}
	W_LIT(w, "\"");
}

static void
w_base64(struct w *w, const ProtobufCBinaryData *bin)
{
	static const char dig[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *p = bin->data;
	char q[4];
	size_t i;

	W_LIT(w, "\"");
	for (i = 0; i + 3 <= bin->len; i += 3) {
		q[0] = dig[p[i] >> 2];
		q[1] = dig[(p[i] & 3) << 4 | p[i + 1] >> 4];
		q[2] = dig[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		q[3] = dig[p[i + 2] & 63];
		w_raw(w, q, 4);
	}
	if (bin->len - i == 1) {
		q[0] = dig[p[i] >> 2];
		q[1] = dig[(p[i] & 3) << 4];
		q[2] = q[3] = '=';
		w_raw(w, q, 4);
	} else if (bin->len - i == 2) {
		q[0] = dig[p[i] >> 2];
		q[1] = dig[(p[i] & 3) << 4 | p[i + 1] >> 4];
		q[2] = dig[(p[i + 1] & 15) << 2];
		q[3] = '=';
		w_raw(w, q, 4);
	}
	W_LIT(w, "\"");
}

/*
 * w_key starts a member: a comma unless it is the object's first, then
 * the quoted name and colon, given as one literal ("\"name\":").
 */
static void
w_key(struct w *w, int *first, const char *k, size_t n)
{
	if (!*first)
		W_LIT(w, ",");
	*first = 0;
	w_raw(w, k, n);
}

#define W_KEY(w, first, lit)	w_key((w), (first), (lit), sizeof(lit) - 1)

static int
has_str(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static void	w_kvs(struct w *, size_t, Tq__KeyValue *const *);

static void
w_anyvalue(struct w *w, const Tq__AnyValue *v)
{
	size_t i;

	switch (v->value_case) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		W_LIT(w, "{\"stringValue\":");
		w_str(w, v->string_value != NULL ? v->string_value : "");
		break;
	case TQ__ANY_VALUE__VALUE_BOOL_VALUE:
		if (v->bool_value)
			W_LIT(w, "{\"boolValue\":true");
		else
			W_LIT(w, "{\"boolValue\":false");
		break;
	case TQ__ANY_VALUE__VALUE_INT_VALUE:
		W_LIT(w, "{\"intValue\":");
		w_i64(w, v->int_value);
		break;
	case TQ__ANY_VALUE__VALUE_DOUBLE_VALUE:
		W_LIT(w, "{\"doubleValue\":");
		w_double(w, v->double_value);
		break;
	case TQ__ANY_VALUE__VALUE_ARRAY_VALUE:
		W_LIT(w, "{\"arrayValue\":{");
		if (v->array_value != NULL && v->array_value->n_values > 0) {
			W_LIT(w, "\"values\":[");
			for (i = 0; i < v->array_value->n_values; i++) {
				if (i > 0)
					W_LIT(w, ",");
				w_anyvalue(w, v->array_value->values[i]);
			}
			W_LIT(w, "]");
		}
		W_LIT(w, "}");
		break;
	case TQ__ANY_VALUE__VALUE_KVLIST_VALUE:
		W_LIT(w, "{\"kvlistValue\":{");
		if (v->kvlist_value != NULL && v->kvlist_value->n_values > 0) {
			W_LIT(w, "\"values\":");
			w_kvs(w, v->kvlist_value->n_values,
			    v->kvlist_value->values);
		}
		W_LIT(w, "}");
		break;
	case TQ__ANY_VALUE__VALUE_BYTES_VALUE:
		W_LIT(w, "{\"bytesValue\":");
		w_base64(w, &v->bytes_value);
		break;
	default:
		W_LIT(w, "{");
		break;
	}
	W_LIT(w, "}");
}

/* w_kvs writes a KeyValue array. */
static void
w_kvs(struct w *w, size_t n, Tq__KeyValue *const *kvs)
{
	size_t i;
	int first;

	W_LIT(w, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			W_LIT(w, ",");
		W_LIT(w, "{");
		first = 1;
		if (has_str(kvs[i]->key)) {
			W_KEY(w, &first, "\"key\":");
			w_str(w, kvs[i]->key);
		}
		if (kvs[i]->value != NULL) {
			W_KEY(w, &first, "\"value\":");
			w_anyvalue(w, kvs[i]->value);
		}
		W_LIT(w, "}");
	}
	W_LIT(w, "]");
}

static void
w_attrs(struct w *w, int *first, size_t n, Tq__KeyValue *const *kvs,
    uint32_t dropped)
{
	if (n > 0) {
		W_KEY(w, first, "\"attributes\":");
		w_kvs(w, n, kvs);
	}
	if (dropped != 0) {
		W_KEY(w, first, "\"droppedAttributesCount\":");
		w_u64(w, dropped, 0);
	}
}

static void
w_strings(struct w *w, size_t n, char *const *s)
{
	size_t i;

	W_LIT(w, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			W_LIT(w, ",");
		w_str(w, s[i] != NULL ? s[i] : "");
	}
	W_LIT(w, "]");
}

static void
w_resource(struct w *w, const Tq__Resource *r)
{
	const Tq__EntityRef *e;
	size_t i;
	int first = 1, f2;

	W_LIT(w, "{");
	w_attrs(w, &first, r->n_attributes, r->attributes,
	    r->dropped_attributes_count);
	if (r->n_entity_refs > 0) {
		W_KEY(w, &first, "\"entityRefs\":[");
		for (i = 0; i < r->n_entity_refs; i++) {
			e = r->entity_refs[i];
			if (i > 0)
				W_LIT(w, ",");
			W_LIT(w, "{");
			f2 = 1;
			if (has_str(e->schema_url)) {
				W_KEY(w, &f2, "\"schemaUrl\":");
				w_str(w, e->schema_url);
			}
			if (has_str(e->type)) {
				W_KEY(w, &f2, "\"type\":");
				w_str(w, e->type);
			}
			if (e->n_id_keys > 0) {
				W_KEY(w, &f2, "\"idKeys\":");
				w_strings(w, e->n_id_keys, e->id_keys);
			}
			if (e->n_description_keys > 0) {
				W_KEY(w, &f2, "\"descriptionKeys\":");
				w_strings(w, e->n_description_keys,
				    e->description_keys);
			}
			W_LIT(w, "}");
		}
		W_LIT(w, "]");
	}
	W_LIT(w, "}");
}

static void
w_scope(struct w *w, const Tq__InstrumentationScope *s)
{
	int first = 1;

	W_LIT(w, "{");
	if (has_str(s->name)) {
		W_KEY(w, &first, "\"name\":");
		w_str(w, s->name);
	}
	if (has_str(s->version)) {
		W_KEY(w, &first, "\"version\":");
		w_str(w, s->version);
	}
	w_attrs(w, &first, s->n_attributes, s->attributes,
	    s->dropped_attributes_count);
	W_LIT(w, "}");
}

static void
w_event(struct w *w, const Tq__Span__Event *e)
{
	int first = 1;

	W_LIT(w, "{");
	if (e->time_unix_nano != 0) {
		W_KEY(w, &first, "\"timeUnixNano\":");
		w_u64(w, e->time_unix_nano, 1);
	}
	if (has_str(e->name)) {
		W_KEY(w, &first, "\"name\":");
		w_str(w, e->name);
	}
	w_attrs(w, &first, e->n_attributes, e->attributes,
	    e->dropped_attributes_count);
	W_LIT(w, "}");
}

static void
w_link(struct w *w, const Tq__Span__Link *l)
{
	int first = 1;

	W_LIT(w, "{");
	if (l->trace_id.len > 0) {
		W_KEY(w, &first, "\"traceId\":");
		w_hex(w, &l->trace_id);
	}
	if (l->span_id.len > 0) {
		W_KEY(w, &first, "\"spanId\":");
		w_hex(w, &l->span_id);
	}
	if (has_str(l->trace_state)) {
		W_KEY(w, &first, "\"traceState\":");
		w_str(w, l->trace_state);
	}
	w_attrs(w, &first, l->n_attributes, l->attributes,
	    l->dropped_attributes_count);
	if (l->flags != 0) {
		W_KEY(w, &first, "\"flags\":");
		w_u64(w, l->flags, 0);
	}
	W_LIT(w, "}");
}

static void
w_span(struct w *w, const Tq__Span *s)
{
	size_t i;
	int first = 1, f2;

	W_LIT(w, "{");
	if (s->trace_id.len > 0) {
		W_KEY(w, &first, "\"traceId\":");
		w_hex(w, &s->trace_id);
	}
	if (s->span_id.len > 0) {
		W_KEY(w, &first, "\"spanId\":");
		w_hex(w, &s->span_id);
	}
	if (has_str(s->trace_state)) {
		W_KEY(w, &first, "\"traceState\":");
		w_str(w, s->trace_state);
	}
	if (s->parent_span_id.len > 0) {
		W_KEY(w, &first, "\"parentSpanId\":");
		w_hex(w, &s->parent_span_id);
	}
	if (s->flags != 0) {
		W_KEY(w, &first, "\"flags\":");
		w_u64(w, s->flags, 0);
	}
	if (has_str(s->name)) {
		W_KEY(w, &first, "\"name\":");
		w_str(w, s->name);
	}
	if (s->kind != 0) {
		W_KEY(w, &first, "\"kind\":");
		if (s->kind < 0) {
			W_LIT(w, "-");
			w_u64(w, 0 - (uint64_t)(int64_t)s->kind, 0);
		} else
			w_u64(w, (uint64_t)s->kind, 0);
	}
	if (s->start_time_unix_nano != 0) {
		W_KEY(w, &first, "\"startTimeUnixNano\":");
		w_u64(w, s->start_time_unix_nano, 1);
	}
	if (s->end_time_unix_nano != 0) {
		W_KEY(w, &first, "\"endTimeUnixNano\":");
		w_u64(w, s->end_time_unix_nano, 1);
	}
	w_attrs(w, &first, s->n_attributes, s->attributes,
	    s->dropped_attributes_count);
	if (s->n_events > 0) {
		W_KEY(w, &first, "\"events\":[");
		for (i = 0; i < s->n_events; i++) {
			if (i > 0)
				W_LIT(w, ",");
			w_event(w, s->events[i]);
		}
		W_LIT(w, "]");
	}
	if (s->dropped_events_count != 0) {
		W_KEY(w, &first, "\"droppedEventsCount\":");
		w_u64(w, s->dropped_events_count, 0);
	}
	if (s->n_links > 0) {
		W_KEY(w, &first, "\"links\":[");
		for (i = 0; i < s->n_links; i++) {
			if (i > 0)
				W_LIT(w, ",");
			w_link(w, s->links[i]);
		}
		W_LIT(w, "]");
	}
	if (s->dropped_links_count != 0) {
		W_KEY(w, &first, "\"droppedLinksCount\":");
		w_u64(w, s->dropped_links_count, 0);
	}
	if (s->status != NULL) {
		W_KEY(w, &first, "\"status\":{");
		f2 = 1;
		if (has_str(s->status->message)) {
			W_KEY(w, &f2, "\"message\":");
			w_str(w, s->status->message);
		}
		if (s->status->code != 0) {
			W_KEY(w, &f2, "\"code\":");
			if (s->status->code < 0) {
				W_LIT(w, "-");
				w_u64(w, 0 - (uint64_t)(int64_t)s->status->code,
				    0);
			} else
				w_u64(w, (uint64_t)s->status->code, 0);
		}
		W_LIT(w, "}");
	}
	W_LIT(w, "}");
}

static void
w_scope_spans(struct w *w, const Tq__ScopeSpans *ss)
{
	size_t i;
	int first = 1;

	W_LIT(w, "{");
	if (ss->scope != NULL) {
		W_KEY(w, &first, "\"scope\":");
		w_scope(w, ss->scope);
	}
	if (ss->n_spans > 0) {
		W_KEY(w, &first, "\"spans\":[");
		for (i = 0; i < ss->n_spans && w->rc == 0; i++) {
			if (i > 0)
				W_LIT(w, ",");
			w_span(w, ss->spans[i]);
		}
		W_LIT(w, "]");
	}
	if (has_str(ss->schema_url)) {
		W_KEY(w, &first, "\"schemaUrl\":");
		w_str(w, ss->schema_url);
	}
	W_LIT(w, "}");
}

int
tq_otlp_json_encode(const Tq__TracesData *td, struct tq_buf *out,
    struct tq_err *err)
{
	const Tq__ResourceSpans *rs;
	struct w w = { out, 0 };
	size_t i, j, start = out->len;
	int first;

	W_LIT(&w, "{");
	if (td->n_resource_spans > 0) {
		W_LIT(&w, "\"resourceSpans\":[");
		for (i = 0; i < td->n_resource_spans && w.rc == 0; i++) {
			rs = td->resource_spans[i];
			if (i > 0)
				W_LIT(&w, ",");
			W_LIT(&w, "{");
			first = 1;
			if (rs->resource != NULL) {
				W_KEY(&w, &first, "\"resource\":");
				w_resource(&w, rs->resource);
			}
			if (rs->n_scope_spans > 0) {
				W_KEY(&w, &first, "\"scopeSpans\":[");
				for (j = 0; j < rs->n_scope_spans; j++) {
					if (j > 0)
						W_LIT(&w, ",");
					w_scope_spans(&w, rs->scope_spans[j]);
				}
				W_LIT(&w, "]");
			}
			if (has_str(rs->schema_url)) {
				W_KEY(&w, &first, "\"schemaUrl\":");
				w_str(&w, rs->schema_url);
			}
			W_LIT(&w, "}");
		}
		W_LIT(&w, "]");
	}
	W_LIT(&w, "}");
	if (w.rc != 0) {
		out->len = start;
		return tq_err_set(err, w.rc, "OTLP/JSON encode: %s",
		    w.rc == TQ_ELIMIT ? "output over the buffer's limit" :
		    tq_strerror(w.rc));
	}
	return 0;
}

int
tq_otlp_json_anyvalue_encode(const Tq__AnyValue *v, struct tq_buf *out,
    struct tq_err *err)
{
	struct w w = { out, 0 };
	size_t start = out->len;

	w_anyvalue(&w, v);
	if (w.rc != 0) {
		out->len = start;
		return tq_err_set(err, w.rc, "AnyValue JSON encode: %s",
		    tq_strerror(w.rc));
	}
	return 0;
}

int
tq_otlp_json_anyvalue_decode(const char *buf, size_t len, struct tq_arena *a,
    Tq__AnyValue **out, struct tq_err *err)
{
	struct tq_jctx c;
	Tq__AnyValue *v;
	json_t *root = NULL;
	int rc;

	if ((rc = tq_json_load(buf, len, 0, "AnyValue JSON", &root, err)) != 0)
		return rc;
	tq_jctx_init(&c, a, err);
	if ((rc = need_object(&c, root)) != 0)
		goto out;
	if ((v = alloc_msg(&c, sizeof(*v))) == NULL) {
		rc = TQ_ENOMEM;
		goto out;
	}
	tq__any_value__init(v);
	if ((rc = dec_anyvalue(&c, root, 0, v)) == 0)
		*out = v;
out:
	json_decref(root);
	return rc;
}
