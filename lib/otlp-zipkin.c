/*
 * otlp-zipkin.c: Zipkin v2 JSON span arrays to OTLP (see otlp.h).
 *
 * The translation is the OpenTelemetry Collector's Zipkin receiver's, which
 * is what Tempo runs:
 *   - traceId (up to 32 hex digits) is left-padded to 16 bytes, id and
 *     parentId (up to 16) to 8; a parentId equal to id is dropped;
 *   - kind CLIENT, SERVER, PRODUCER, CONSUMER map to the OTLP kinds; a
 *     span without kind is SPAN_KIND_UNSPECIFIED unless its "span.kind"
 *     tag says otherwise (the exporters leave INTERNAL spans without kind);
 *   - timestamp and duration are microseconds, possibly fractional
 *     (1767225600000215.8): the decimal text is converted to nanoseconds
 *     exactly, never through a double.  A span without timestamp starts at
 *     0 and gets the attribute otel.zipkin.absentField.startTime = true;
 *   - localEndpoint.serviceName becomes the resource's service.name (or
 *     the attribute an "otlp.service.name.source" tag names), and
 *     tags named by the resource semantic conventions (service.*, host.*,
 *     k8s.*, telemetry.*, process.*, cloud.*, deployment.*, ...) become
 *     resource attributes; spans are grouped into one ResourceSpans per
 *     distinct resource, in order of first appearance;
 *   - otel.scope.name/version (or the older otel.library.name/version)
 *     tags become the instrumentation scope, one ScopeSpans per scope;
 *   - otel.status_code (OK, ERROR, UNSET in any case, or the proto names)
 *     and otel.status_description give the status; an "error" tag makes
 *     it ERROR, its value (unless "true") being the message when there is
 *     no other; these tags are not kept as attributes, nor is
 *     w3c.tracestate, which becomes the trace state;
 *   - the remaining tags become string attributes; the endpoints' ipv4 or
 *     ipv6 and port become net.host.ip/net.host.port and, with the remote
 *     serviceName, peer.service/net.peer.ip/net.peer.port;
 *   - annotations become events named by their value; the collector's own
 *     exporter's form "name|{json attributes}|dropped count" gives the
 *     event attributes too, and its tags otlp.link.0, otlp.link.1, ...
 *     ("traceid|spanid|tracestate|{json}|dropped") give links.  Where the
 *     collector fails the whole request on a malformed one of these, we
 *     keep the value as it is (event name, tag).
 * "debug" and "shared" must be booleans and are not represented in OTLP,
 * as in the collector (Tempo gives shared SERVER spans new IDs when it
 * returns a trace, not on ingest).
 *
 * jansson turns every number with a fraction or exponent into a double,
 * so a first pass over the text wraps such numbers into strings marked by
 * a leading NUL ("\u0000" followed by the number's text), which cannot
 * come from the input because the same pass rejects \u0000 in strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "limits.h"
#include "otlp.h"
#include "otlp-json-int.h"

#define MARK		"\"\\u0000"	/* what a wrapped number starts with */
#define MARK_LEN	(sizeof(MARK) - 1)

/*
 * number_len returns the length of the JSON number at s[0..n), 0 if s does
 * not start with a valid one; *real tells whether it has a fraction or an
 * exponent.
 */
static size_t
number_len(const char *s, size_t n, int *real)
{
	size_t i = 0, d;

	*real = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else {
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && s[i] == '.') {
		*real = 1;
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*real = 1;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i;
}

/*
 * wrap_reals copies buf into out with every real number wrapped as a
 * marked string (see the top of the file).  *wrapped is how many were.
 * Returns 0, TQ_ECORRUPT for \u0000 in a string, or a tq_buf error.
 */
static int
wrap_reals(const char *buf, size_t len, struct tq_buf *out, size_t *wrapped,
    struct tq_err *err)
{
	size_t i = 0, run = 0, n;
	int real, rc;

	*wrapped = 0;
	while (i < len) {
		if (buf[i] == '"') {
			for (i++; i < len && buf[i] != '"'; i++) {
				if (buf[i] != '\\')
					continue;
				if (len - i >= 6 &&
				    memcmp(buf + i, "\\u0000", 6) == 0)
					return tq_err_set(err, TQ_ECORRUPT,
					    "Zipkin JSON: byte %zu: \\u0000 in "
					    "a string", i);
				i++;
			}
			i++;
			continue;
		}
		if (buf[i] != '-' && (buf[i] < '0' || buf[i] > '9')) {
			i++;
			continue;
		}
		if ((n = number_len(buf + i, len - i, &real)) == 0) {
			i++;
			continue;
		}
		if (real) {
			if ((rc = tq_buf_append(out, buf + run, i - run)) != 0 ||
			    (rc = tq_buf_append(out, MARK, MARK_LEN)) != 0 ||
			    (rc = tq_buf_append(out, buf + i, n)) != 0 ||
			    (rc = tq_buf_putc(out, '"')) != 0)
				return tq_err_set(err, rc,
				    "Zipkin JSON: %s", tq_strerror(rc));
			run = i + n;
			(*wrapped)++;
		}
		i += n;
	}
	if (*wrapped > 0 && (rc = tq_buf_append(out, buf + run, len - run)) != 0)
		return tq_err_set(err, rc, "Zipkin JSON: %s", tq_strerror(rc));
	return 0;
}

/*
 * micros_to_nanos converts the decimal text of a JSON number of
 * microseconds to nanoseconds, rounding to the nearest nanosecond.
 * Returns -1 for a negative or malformed number or one past UINT64_MAX ns.
 */
static int
micros_to_nanos(const char *s, size_t n, uint64_t *out)
{
	char dig[64];
	size_t nd = 0, i = 0, keep, k;
	long exp = 0, e = 0;
	int eneg = 0, seen = 0;
	uint64_t v = 0;

	if (n > 0 && s[0] == '-')
		return -1;
	for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			seen = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (nd == 0 && s[i] == '0') {
			if (seen)
				exp--;
			continue;
		}
		if (nd < sizeof(dig)) {
			dig[nd++] = s[i];
			if (seen)
				exp--;
		} else if (!seen)
			exp++;		/* digits past what can matter */
	}
	if (i < n) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == n)
			return -1;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		}
	}
	exp += (eneg ? -e : e) + 3;	/* value = dig * 10^exp ns */
	if (nd == 0) {
		*out = 0;
		return 0;
	}
	if (exp >= 0) {
		if ((long)nd + exp > 20)
			return -1;
		keep = nd;
	} else
		keep = (long)nd + exp > 0 ? (size_t)((long)nd + exp) : 0;
	for (k = 0; k < keep; k++) {
		unsigned d = (unsigned)(dig[k] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	for (; exp > 0; exp--) {
		if (v > UINT64_MAX / 10)
			return -1;
		v *= 10;
	}
	/* Round half up on the first digit dropped. */
	if (keep < nd && (long)nd + exp >= 0 && dig[keep] >= '5') {
		if (v == UINT64_MAX)
			return -1;
		v++;
	}
	*out = v;
	return 0;
}

/* is_mark tells whether v is a number wrapped by wrap_reals. */
static int
is_mark(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	    json_string_value(v)[0] == '\0';
}

/* get_micros reads a JSON number of microseconds as nanoseconds. */
static int
get_micros(struct tq_jctx *c, const json_t *v, uint64_t *ns)
{
	json_int_t i;

	if (json_is_integer(v)) {
		i = json_integer_value(v);
		if (i < 0)
			return tq_jctx_fail(c, TQ_ECORRUPT, "negative");
		if ((uint64_t)i > UINT64_MAX / 1000)
			return tq_jctx_fail(c, TQ_ECORRUPT, "out of range");
		*ns = (uint64_t)i * 1000;
		return 0;
	}
	if (!is_mark(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not a number");
	if (micros_to_nanos(json_string_value(v) + 1,
	    json_string_length(v) - 1, ns) != 0)
		return tq_jctx_fail(c, TQ_ECORRUPT, "%s is out of range",
		    json_string_value(v) + 1);
	return 0;
}

/* get_str checks that v is a string (not a wrapped number). */
static int
get_str(struct tq_jctx *c, const json_t *v, const char **s, size_t *n)
{
	*s = NULL;
	*n = 0;
	if (!json_is_string(v) || is_mark(v))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not a string");
	*s = json_string_value(v);
	*n = json_string_length(v);
	if (*n > TQ_MAX_STRING)
		return tq_jctx_fail(c, TQ_ELIMIT, "string of %zu bytes", *n);
	return 0;
}

/* get_zid reads a hex ID of at most 2 * n digits, left-padded to n bytes. */
static int
get_zid(struct tq_jctx *c, const json_t *v, size_t n, int optional,
    ProtobufCBinaryData *out)
{
	char hex[2 * TQ_TRACE_ID_LEN];
	const char *s;
	size_t len;
	uint8_t *p;
	int rc;

	if ((rc = get_str(c, v, &s, &len)) != 0)
		return rc;
	if (len == 0 && optional) {
		out->len = 0;
		out->data = NULL;
		return 0;
	}
	if (len == 0 || len > 2 * n)
		return tq_jctx_fail(c, TQ_ECORRUPT, "not 1 to %zu hex digits",
		    2 * n);
	memset(hex, '0', 2 * n - len);
	memcpy(hex + 2 * n - len, s, len);
	if ((p = tq_arena_alloc(c->a, n)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	if (!tq_hex_decode(p, n, hex, 2 * n))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not 1 to %zu hex digits",
		    2 * n);
	out->data = p;
	out->len = n;
	return 0;
}

/* The resource semantic conventions' namespaces: such tags go to the
 * resource.  Each entry is a prefix (ending in '.') or a whole name. */
static const char *const resource_keys[] = {
	"aws.ecs.", "aws.eks.", "aws.log.", "browser.", "cloud.",
	"container.", "deployment.", "device.", "faas.", "gcp.cloud_run.",
	"gcp.gce.", "heroku.", "host.", "k8s.", "opencensus.", "os.", "process.",
	"service.", "telemetry.", "webengine.",
};

static int
is_resource_key(const char *k)
{
	size_t i, n;

	for (i = 0; i < sizeof(resource_keys) / sizeof(resource_keys[0]);
	    i++) {
		n = strlen(resource_keys[i]);
		if (strncmp(k, resource_keys[i], n) == 0)
			return 1;
	}
	return 0;
}

/* A tag of one span, borrowed from the jansson tree. */
struct ztag {
	const char	*key;
	const char	*val;
	size_t		 vlen;
};

static int
ztag_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ztag *)a)->key,
	    ((const struct ztag *)b)->key);
}

/* A resource or scope group, found by its key through struct htab. */
struct zgroup {
	const char	*key;
	size_t		 keylen;
	uint64_t	 hash;
	struct zgroup	*res;		/* a scope's resource */
	struct zgroup	*next;		/* next group of the same kind */
	size_t		 count;		/* scopes of a resource, spans of a scope */
	size_t		 fill;
	Tq__ResourceSpans *rs;
	Tq__ScopeSpans	*ss;
};

struct htab {
	size_t		 cap;		/* a power of two */
	struct zgroup	**slot;
};

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

/* htab_get finds the group of key, or the empty slot it would go in. */
static struct zgroup **
htab_get(struct htab *t, const char *key, size_t keylen, uint64_t h)
{
	size_t i = (size_t)h & (t->cap - 1);
	struct zgroup *g;

	while ((g = t->slot[i]) != NULL) {
		if (g->hash == h && g->keylen == keylen &&
		    memcmp(g->key, key, keylen) == 0)
			break;
		i = (i + 1) & (t->cap - 1);
	}
	return &t->slot[i];
}

/* What one Zipkin span becomes before it is placed in its group. */
struct zspan {
	Tq__Span	*span;
	struct zgroup	*scope;
};

/* struct zdec is the state of one tq_zipkin_json_decode call. */
struct zdec {
	struct tq_jctx	 c;
	struct htab	 res, scopes;
	struct zgroup	*first_res, *last_res;
	struct tq_buf	 key;		/* scratch for group keys */
};

/* key_add appends a length-prefixed part to the scratch key. */
static int
key_add(struct zdec *z, const char *s, size_t n)
{
	uint64_t len = n;
	int rc;

	if ((rc = tq_buf_append(&z->key, &len, sizeof(len))) != 0 ||
	    (rc = tq_buf_append(&z->key, s, n)) != 0)
		return tq_jctx_fail(&z->c, rc, "%s", tq_strerror(rc));
	return 0;
}

/*
 * find_group returns the group whose key is the scratch key, creating it
 * (keyed by a copy) if new; *created says which.
 */
static int
find_group(struct zdec *z, struct htab *t, struct zgroup **out, int *created)
{
	uint64_t h = fnv1a((const char *)z->key.data, z->key.len);
	struct zgroup **slot, *g;

	slot = htab_get(t, (const char *)z->key.data, z->key.len, h);
	*created = *slot == NULL;
	if (*slot == NULL) {
		if ((g = tq_arena_calloc(z->c.a, 1, sizeof(*g))) == NULL ||
		    (g->key = tq_arena_memdup(z->c.a, z->key.data,
		    z->key.len)) == NULL)
			return tq_jctx_fail(&z->c, TQ_ENOMEM, "out of memory");
		g->keylen = z->key.len;
		g->hash = h;
		*slot = g;
	}
	*out = *slot;
	return 0;
}

/* An endpoint's fields. */
struct zendpoint {
	const char	*service, *ip;
	size_t		 service_len, ip_len;
	int64_t		 port;
};

static int
dec_endpoint(struct tq_jctx *c, const json_t *o, struct zendpoint *ep)
{
	const json_t *v;
	const char *k, *s;
	size_t n;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not an object");
	json_object_foreach((json_t *)o, k, v) {
		if (json_is_null(v))
			continue;
		if (strcmp(k, "port") == 0) {
			if ((rc = tq_jctx_key(c, "port")) != 0)
				return rc;
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 65535)
				return tq_jctx_fail(c, TQ_ECORRUPT,
				    "not a port number");
			ep->port = json_integer_value(v);
			tq_jctx_pop(c);
			continue;
		}
		if (strcmp(k, "serviceName") == 0) {
			if ((rc = tq_jctx_key(c, "serviceName")) != 0 ||
			    (rc = get_str(c, v, &ep->service,
			    &ep->service_len)) != 0)
				return rc;
		} else if (strcmp(k, "ipv4") == 0 || strcmp(k, "ipv6") == 0) {
			if ((rc = tq_jctx_key(c, k[3] == '4' ? "ipv4" :
			    "ipv6")) != 0 || (rc = get_str(c, v, &s, &n)) != 0)
				return rc;
			/* As the collector: ipv6 wins when both are set. */
			if (n > 0 && (ep->ip == NULL || k[3] == '6')) {
				ep->ip = s;
				ep->ip_len = n;
			}
		} else
			continue;
		tq_jctx_pop(c);
	}
	return 0;
}

/*
 * status_code maps otel.status_code: the specification's OK, ERROR and
 * UNSET, in any case (older exporters wrote "Ok"), or the proto names.
 */
static int
status_code(const char *s)
{
	if (strncmp(s, "STATUS_CODE_", 12) == 0)
		s += 12;
	if (strcasecmp(s, "OK") == 0)
		return TQ__STATUS__STATUS_CODE__STATUS_CODE_OK;
	if (strcasecmp(s, "ERROR") == 0)
		return TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR;
	return TQ__STATUS__STATUS_CODE__STATUS_CODE_UNSET;
}

/*
 * attr_json parses the attribute part of the collector's own Zipkin
 * encodings (an annotation "name|{json}|dropped", a tag "otlp.link.N" =
 * "traceid|spanid|tracestate|{json}|dropped"): a JSON object whose
 * strings, booleans and numbers (integral ones as int) become attributes.
 * Returns 0, 1 when s is not such an object, or an error code.
 */
static int
attr_json(struct tq_jctx *c, const char *s, size_t n, size_t *nkv,
    Tq__KeyValue ***kvs)
{
	json_t *o;
	json_error_t je;
	const json_t *v;
	const char *k;
	double d;
	int rc = 0;

	if ((o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return json_error_code(&je) == json_error_out_of_memory ?
		    tq_jctx_fail(c, TQ_ENOMEM, "out of memory") : 1;
	*nkv = 0;
	if (!json_is_object(o)) {
		rc = 1;
		goto out;
	}
	if ((*kvs = tq_arena_calloc(c->a, json_object_size(o) + 1,
	    sizeof(**kvs))) == NULL) {
		rc = tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			rc = tq_jctx_kv_string(c, *kvs, nkv, k, strlen(k),
			    json_string_value(v), json_string_length(v));
		else if (json_is_boolean(v))
			rc = tq_jctx_kv_bool(c, *kvs, nkv, k, json_is_true(v));
		else if (json_is_integer(v))
			rc = tq_jctx_kv_int(c, *kvs, nkv, k,
			    json_integer_value(v));
		else if (json_is_real(v)) {
			d = json_real_value(v);
			if (d == (double)(int64_t)d && d >= -9.2e18 &&
			    d <= 9.2e18)
				rc = tq_jctx_kv_int(c, *kvs, nkv, k, (int64_t)d);
			else if ((rc = tq_jctx_kv_int(c, *kvs, nkv, k,
			    0)) == 0) {
				(*kvs)[*nkv - 1]->value->value_case =
				    TQ__ANY_VALUE__VALUE_DOUBLE_VALUE;
				(*kvs)[*nkv - 1]->value->double_value = d;
			}
		}
		if (rc != 0)
			break;
	}
out:
	json_decref(o);
	return rc;
}

/* parse_u32 reads all of s[0..n) as a decimal uint32; -1 if it is not. */
static int
parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * split_pipes finds the '|' separators of s[0..n): first after the first
 * field, last before the last one.  Returns how many there are.
 */
static size_t
split_pipes(const char *s, size_t n, size_t *first, size_t *last)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '|') {
			if (count++ == 0)
				*first = i;
			*last = i;
		}
	return count;
}

/*
 * annotation_attrs reads an annotation value "name|{json}|dropped" into
 * e's name, attributes and dropped count, as the collector does; any
 * other value is the event's name as it is.
 */
static int
annotation_attrs(struct tq_jctx *c, const char *val, size_t n,
    Tq__Span__Event *e)
{
	size_t first = 0, last = 0;
	int rc;

	if (split_pipes(val, n, &first, &last) >= 2 &&
	    parse_u32(val + last + 1, n - last - 1,
	    &e->dropped_attributes_count) == 0) {
		if ((rc = attr_json(c, val + first + 1, last - first - 1,
		    &e->n_attributes, &e->attributes)) < 0)
			return rc;
		if (rc == 0) {
			n = first;
			if (n == 0)
				return 0;
		} else {
			e->dropped_attributes_count = 0;
			e->n_attributes = 0;
		}
	}
	if (n > 0 && (e->name = tq_arena_strndup(c->a, val, n)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	return 0;
}

static int
span_kind(const char *s, int lower)
{
	static const char *const up[] = { "CLIENT", "SERVER", "PRODUCER",
	    "CONSUMER", "INTERNAL" };
	static const char *const low[] = { "client", "server", "producer",
	    "consumer", "internal" };
	static const int kinds[] = { TQ__SPAN__SPAN_KIND__SPAN_KIND_CLIENT,
	    TQ__SPAN__SPAN_KIND__SPAN_KIND_SERVER,
	    TQ__SPAN__SPAN_KIND__SPAN_KIND_PRODUCER,
	    TQ__SPAN__SPAN_KIND__SPAN_KIND_CONSUMER,
	    TQ__SPAN__SPAN_KIND__SPAN_KIND_INTERNAL };
	size_t i;

	/* The span's own kind has no INTERNAL in Zipkin; the tag may. */
	for (i = 0; i < (lower ? 5u : 4u); i++)
		if (strcmp(s, lower ? low[i] : up[i]) == 0)
			return kinds[i];
	return TQ__SPAN__SPAN_KIND__SPAN_KIND_UNSPECIFIED;
}

/* dec_annotations turns annotations into events. */
static int
dec_annotations(struct tq_jctx *c, const json_t *arr, Tq__Span *s)
{
	const json_t *o, *v;
	Tq__Span__Event *e;
	const char *k, *str;
	size_t i, n, slen;
	int rc;

	if (!json_is_array(arr))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not an array");
	if ((n = json_array_size(arr)) == 0)
		return 0;
	if ((s->events = tq_arena_calloc(c->a, n, sizeof(*s->events))) ==
	    NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if ((rc = tq_jctx_index(c, i)) != 0)
			return rc;
		o = json_array_get(arr, i);
		if (!json_is_object(o))
			return tq_jctx_fail(c, TQ_ECORRUPT, "not an object");
		if ((e = tq_arena_alloc(c->a, sizeof(*e))) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		tq__span__event__init(e);
		json_object_foreach((json_t *)o, k, v) {
			if (json_is_null(v))
				continue;
			if (strcmp(k, "timestamp") == 0) {
				if ((rc = tq_jctx_key(c, "timestamp")) != 0 ||
				    (rc = get_micros(c, v,
				    &e->time_unix_nano)) != 0)
					return rc;
			} else if (strcmp(k, "value") == 0) {
				if ((rc = tq_jctx_key(c, "value")) != 0 ||
				    (rc = get_str(c, v, &str, &slen)) != 0 ||
				    (rc = annotation_attrs(c, str, slen,
				    e)) != 0)
					return rc;
			} else
				continue;
			tq_jctx_pop(c);
		}
		s->events[s->n_events++] = e;
		tq_jctx_pop(c);
	}
	return 0;
}

/* dec_tags collects the tags object into tags[0..*n), all strings. */
static int
dec_tags(struct tq_jctx *c, const json_t *o, struct ztag **tags, size_t *n)
{
	const json_t *v;
	const char *k;
	size_t len;
	int rc;

	*n = 0;
	if (!json_is_object(o))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not an object");
	if (json_object_size(o) == 0)
		return 0;
	if ((*tags = tq_arena_calloc(c->a, json_object_size(o),
	    sizeof(**tags))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	json_object_foreach((json_t *)o, k, v) {
		/* Tag names go in the path as they are: they are data. */
		if ((rc = tq_jctx_key(c, k)) != 0)
			return rc;
		if (json_is_null(v)) {
			tq_jctx_pop(c);
			continue;
		}
		if ((rc = get_str(c, v, &(*tags)[*n].val, &len)) != 0)
			return rc;
		if (strlen(k) > TQ_MAX_STRING)
			return tq_jctx_fail(c, TQ_ELIMIT, "long tag name");
		(*tags)[*n].key = k;
		(*tags)[*n].vlen = len;
		(*n)++;
		tq_jctx_pop(c);
	}
	return 0;
}

/* take finds tag key, removes it from tags and returns it, or NULL. */
static struct ztag *
take(struct ztag *tags, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tags[i].key != NULL && strcmp(tags[i].key, key) == 0) {
			tags[i].key = NULL;
			return &tags[i];
		}
	return NULL;
}

/*
 * link_tag reads an "otlp.link.N" tag value, "traceid|spanid|tracestate|
 * {json}|dropped", into a new link of s.  Returns 0, 1 when the value is
 * not in that form (the tag then stays an attribute), or an error code.
 */
static int
link_tag(struct tq_jctx *c, const struct ztag *t, Tq__Span *s)
{
	const char *v = t->val, *p2, *p3;
	Tq__Span__Link *l;
	size_t first = 0, last = 0;
	int rc;

	if (split_pipes(v, t->vlen, &first, &last) < 4 ||
	    (p2 = memchr(v + first + 1, '|', t->vlen - first - 1)) == NULL ||
	    (p3 = memchr(p2 + 1, '|', (size_t)(v + t->vlen - p2 - 1))) ==
	    NULL || p3 >= v + last)
		return 1;
	if ((l = tq_arena_alloc(c->a, sizeof(*l))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	tq__span__link__init(l);
	if (parse_u32(v + last + 1, t->vlen - last - 1,
	    &l->dropped_attributes_count) != 0)
		return 1;
	if (first > 0) {
		if ((l->trace_id.data = tq_arena_alloc(c->a,
		    TQ_TRACE_ID_LEN)) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		if (!tq_hex_decode(l->trace_id.data, TQ_TRACE_ID_LEN, v, first))
			return 1;
		l->trace_id.len = TQ_TRACE_ID_LEN;
	}
	if (p2 > v + first + 1) {
		if ((l->span_id.data = tq_arena_alloc(c->a,
		    TQ_SPAN_ID_LEN)) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		if (!tq_hex_decode(l->span_id.data, TQ_SPAN_ID_LEN,
		    v + first + 1, (size_t)(p2 - v - first - 1)))
			return 1;
		l->span_id.len = TQ_SPAN_ID_LEN;
	}
	if (p3 > p2 + 1 && (l->trace_state = tq_arena_strndup(c->a, p2 + 1,
	    (size_t)(p3 - p2 - 1))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	if ((rc = attr_json(c, p3 + 1, (size_t)(v + last - p3 - 1),
	    &l->n_attributes, &l->attributes)) != 0)
		return rc;
	s->links[s->n_links++] = l;
	return 0;
}

/* dec_span converts one Zipkin span and finds its resource and scope. */
static int
dec_span(struct zdec *z, const json_t *o, struct zspan *out)
{
	struct tq_jctx *c = &z->c;
	struct zendpoint local, remote;
	struct ztag *tags = NULL, *t, *scope_name, *scope_version, *rtags;
	struct zgroup *res, *scope;
	const json_t *v, *jtrace = NULL, *jid = NULL;
	const char *k, *str;
	uint64_t ts = 0, dur = 0;
	const char *sn_key = "service.name";
	size_t ntags = 0, nres = 0, nattr, nlinks, i, n, sn_len = 12;
	char key[32];
	Tq__Span *s;
	int rc, created, has_ts = 0;

	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	if (!json_is_object(o))
		return tq_jctx_fail(c, TQ_ECORRUPT, "not an object");
	if ((s = tq_arena_alloc(c->a, sizeof(*s))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	tq__span__init(s);
	json_object_foreach((json_t *)o, k, v) {
		if (json_is_null(v))
			continue;
		if (strcmp(k, "traceId") == 0) {
			if ((rc = tq_jctx_key(c, "traceId")) != 0 ||
			    (rc = get_zid(c, v, TQ_TRACE_ID_LEN, 0,
			    &s->trace_id)) != 0)
				return rc;
			jtrace = v;
		} else if (strcmp(k, "id") == 0) {
			if ((rc = tq_jctx_key(c, "id")) != 0 ||
			    (rc = get_zid(c, v, TQ_SPAN_ID_LEN, 0,
			    &s->span_id)) != 0)
				return rc;
			jid = v;
		} else if (strcmp(k, "parentId") == 0) {
			if ((rc = tq_jctx_key(c, "parentId")) != 0 ||
			    (rc = get_zid(c, v, TQ_SPAN_ID_LEN, 1,
			    &s->parent_span_id)) != 0)
				return rc;
		} else if (strcmp(k, "name") == 0) {
			if ((rc = tq_jctx_key(c, "name")) != 0 ||
			    (rc = get_str(c, v, &str, &n)) != 0)
				return rc;
			if (n > 0 && (s->name = tq_arena_strndup(c->a, str,
			    n)) == NULL)
				return tq_jctx_fail(c, TQ_ENOMEM,
				    "out of memory");
		} else if (strcmp(k, "kind") == 0) {
			if ((rc = tq_jctx_key(c, "kind")) != 0 ||
			    (rc = get_str(c, v, &str, &n)) != 0)
				return rc;
			s->kind = span_kind(str, 0);
		} else if (strcmp(k, "timestamp") == 0) {
			if ((rc = tq_jctx_key(c, "timestamp")) != 0 ||
			    (rc = get_micros(c, v, &ts)) != 0)
				return rc;
			has_ts = ts != 0;
		} else if (strcmp(k, "duration") == 0) {
			if ((rc = tq_jctx_key(c, "duration")) != 0 ||
			    (rc = get_micros(c, v, &dur)) != 0)
				return rc;
		} else if (strcmp(k, "localEndpoint") == 0) {
			if ((rc = tq_jctx_key(c, "localEndpoint")) != 0 ||
			    (rc = dec_endpoint(c, v, &local)) != 0)
				return rc;
		} else if (strcmp(k, "remoteEndpoint") == 0) {
			if ((rc = tq_jctx_key(c, "remoteEndpoint")) != 0 ||
			    (rc = dec_endpoint(c, v, &remote)) != 0)
				return rc;
		} else if (strcmp(k, "annotations") == 0) {
			if ((rc = tq_jctx_key(c, "annotations")) != 0 ||
			    (rc = dec_annotations(c, v, s)) != 0)
				return rc;
		} else if (strcmp(k, "tags") == 0) {
			if ((rc = tq_jctx_key(c, "tags")) != 0 ||
			    (rc = dec_tags(c, v, &tags, &ntags)) != 0)
				return rc;
		} else if (strcmp(k, "debug") == 0 || strcmp(k, "shared") == 0) {
			if ((rc = tq_jctx_key(c, k[0] == 'd' ? "debug" :
			    "shared")) != 0)
				return rc;
			if (!json_is_boolean(v))
				return tq_jctx_fail(c, TQ_ECORRUPT,
				    "not a boolean");
		} else
			continue;
		tq_jctx_pop(c);
	}
	if (jtrace == NULL)
		return tq_jctx_fail(c, TQ_ECORRUPT, "no traceId");
	if (jid == NULL)
		return tq_jctx_fail(c, TQ_ECORRUPT, "no id");
	if (s->parent_span_id.len > 0 &&
	    memcmp(s->parent_span_id.data, s->span_id.data, TQ_SPAN_ID_LEN) == 0)
		s->parent_span_id.len = 0;
	if (dur > UINT64_MAX - ts)
		return tq_jctx_fail(c, TQ_ECORRUPT,
		    "timestamp plus duration is out of range");
	s->start_time_unix_nano = ts;
	s->end_time_unix_nano = ts + dur;

	/* Tags the translation consumes. */
	if ((t = take(tags, ntags, "w3c.tracestate")) != NULL &&
	    t->vlen > 0 && (s->trace_state = tq_arena_strndup(c->a, t->val,
	    t->vlen)) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	if ((t = take(tags, ntags, "span.kind")) != NULL &&
	    s->kind == TQ__SPAN__SPAN_KIND__SPAN_KIND_UNSPECIFIED)
		s->kind = span_kind(t->val, 1);
	if ((t = take(tags, ntags, "otel.status_code")) != NULL) {
		if ((s->status = tq_arena_alloc(c->a, sizeof(*s->status))) ==
		    NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		tq__status__init(s->status);
		s->status->code = status_code(t->val);
		if ((t = take(tags, ntags, "otel.status_description")) !=
		    NULL && t->vlen > 0 && (s->status->message =
		    tq_arena_strndup(c->a, t->val, t->vlen)) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	}
	if ((t = take(tags, ntags, "error")) != NULL) {
		if (s->status == NULL) {
			if ((s->status = tq_arena_alloc(c->a,
			    sizeof(*s->status))) == NULL)
				return tq_jctx_fail(c, TQ_ENOMEM,
				    "out of memory");
			tq__status__init(s->status);
		}
		s->status->code = TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR;
		if (s->status->message[0] == '\0' && t->vlen > 0 &&
		    strcmp(t->val, "true") != 0 && (s->status->message =
		    tq_arena_strndup(c->a, t->val, t->vlen)) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	}
	/* Links, as the collector's exporter wrote them: otlp.link.0, 1, ... */
	for (i = 0; i < ntags; i++)
		if (tags[i].key != NULL &&
		    strncmp(tags[i].key, "otlp.link.", 10) == 0)
			break;
	for (nlinks = 0; i < ntags && nlinks < 128; nlinks++) {
		snprintf(key, sizeof(key), "otlp.link.%zu", nlinks);
		for (i = 0; i < ntags; i++)
			if (tags[i].key != NULL && strcmp(tags[i].key, key) == 0)
				break;
		if (i == ntags)
			break;
	}
	if (nlinks > 0 && (s->links = tq_arena_calloc(c->a, nlinks,
	    sizeof(*s->links))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	for (n = 0; n < nlinks; n++) {
		snprintf(key, sizeof(key), "otlp.link.%zu", n);
		for (i = 0; tags[i].key == NULL || strcmp(tags[i].key, key) != 0;
		    i++)
			;
		if ((rc = link_tag(c, &tags[i], s)) < 0)
			return rc;
		if (rc == 0)
			tags[i].key = NULL;	/* else it stays an attribute */
	}
	if ((scope_name = take(tags, ntags, "otel.scope.name")) == NULL)
		scope_name = take(tags, ntags, "otel.library.name");
	else
		take(tags, ntags, "otel.library.name");
	if ((scope_version = take(tags, ntags, "otel.scope.version")) == NULL)
		scope_version = take(tags, ntags, "otel.library.version");
	else
		take(tags, ntags, "otel.library.version");

	/*
	 * Resource tags move to the front of tags, sorted, so the group key
	 * does not depend on their order; the rest keep theirs.
	 */
	if ((t = take(tags, ntags, "otlp.service.name.source")) != NULL &&
	    t->vlen > 0) {
		sn_key = t->val;
		sn_len = t->vlen;
	}
	for (i = 0; i < ntags; i++) {
		if (tags[i].key == NULL)
			continue;
		if (local.service_len > 0 && strcmp(tags[i].key, sn_key) == 0) {
			tags[i].key = NULL;
			continue;
		}
		if (!is_resource_key(tags[i].key))
			continue;
		if (i != nres) {
			struct ztag tmp = tags[i];

			memmove(&tags[nres + 1], &tags[nres],
			    (i - nres) * sizeof(*tags));
			tags[nres] = tmp;
		}
		nres++;
	}
	rtags = tags;
	if (nres > 1)
		qsort(rtags, nres, sizeof(*rtags), ztag_cmp);

	/* The resource group. */
	tq_buf_reset(&z->key);
	if ((rc = key_add(z, sn_key, sn_len)) != 0 ||
	    (rc = key_add(z, local.service, local.service_len)) != 0)
		return rc;
	for (i = 0; i < nres; i++)
		if ((rc = key_add(z, rtags[i].key, strlen(rtags[i].key))) != 0 ||
		    (rc = key_add(z, rtags[i].val, rtags[i].vlen)) != 0)
			return rc;
	if ((rc = find_group(z, &z->res, &res, &created)) != 0)
		return rc;
	if (created) {
		Tq__Resource *r;
		size_t na = 0;

		if ((res->rs = tq_arena_alloc(c->a, sizeof(*res->rs))) ==
		    NULL || (r = tq_arena_alloc(c->a, sizeof(*r))) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		tq__resource_spans__init(res->rs);
		tq__resource__init(r);
		if ((r->attributes = tq_arena_calloc(c->a, nres + 1,
		    sizeof(*r->attributes))) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		if (local.service_len > 0 && (rc = tq_jctx_kv_string(c,
		    r->attributes, &na, sn_key, sn_len, local.service,
		    local.service_len)) != 0)
			return rc;
		for (i = 0; i < nres; i++)
			if ((rc = tq_jctx_kv_string(c, r->attributes, &na,
			    rtags[i].key, strlen(rtags[i].key), rtags[i].val,
			    rtags[i].vlen)) != 0)
				return rc;
		r->n_attributes = na;
		res->rs->resource = r;
		if (z->last_res != NULL)
			z->last_res->next = res;
		else
			z->first_res = res;
		z->last_res = res;
	}

	/* The scope group, within the resource. */
	if ((rc = key_add(z, "", 0)) != 0 ||
	    (rc = key_add(z, scope_name != NULL ? scope_name->val : "",
	    scope_name != NULL ? scope_name->vlen : 0)) != 0 ||
	    (rc = key_add(z, scope_version != NULL ? scope_version->val : "",
	    scope_version != NULL ? scope_version->vlen : 0)) != 0 ||
	    (rc = find_group(z, &z->scopes, &scope, &created)) != 0)
		return rc;
	if (created) {
		Tq__InstrumentationScope *is;

		if ((scope->ss = tq_arena_alloc(c->a, sizeof(*scope->ss))) ==
		    NULL || (is = tq_arena_alloc(c->a, sizeof(*is))) == NULL)
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		tq__scope_spans__init(scope->ss);
		tq__instrumentation_scope__init(is);
		if ((scope_name != NULL && scope_name->vlen > 0 &&
		    (is->name = tq_arena_strndup(c->a, scope_name->val,
		    scope_name->vlen)) == NULL) ||
		    (scope_version != NULL && scope_version->vlen > 0 &&
		    (is->version = tq_arena_strndup(c->a, scope_version->val,
		    scope_version->vlen)) == NULL))
			return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
		scope->ss->scope = is;
		scope->res = res;
		res->count++;
	}
	scope->count++;

	/* The remaining tags and the endpoints become attributes. */
	nattr = 6;
	for (i = nres; i < ntags; i++)
		nattr += tags[i].key != NULL;
	if ((s->attributes = tq_arena_calloc(c->a, nattr,
	    sizeof(*s->attributes))) == NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	for (i = nres; i < ntags; i++)
		if (tags[i].key != NULL && (rc = tq_jctx_kv_string(c,
		    s->attributes, &s->n_attributes, tags[i].key,
		    strlen(tags[i].key), tags[i].val, tags[i].vlen)) != 0)
			return rc;
	if ((local.ip != NULL && (rc = tq_jctx_kv_string(c, s->attributes,
	    &s->n_attributes, "net.host.ip", 11, local.ip,
	    local.ip_len)) != 0) ||
	    (local.port > 0 && (rc = tq_jctx_kv_int(c, s->attributes,
	    &s->n_attributes, "net.host.port", local.port)) != 0) ||
	    (remote.service_len > 0 && (rc = tq_jctx_kv_string(c,
	    s->attributes, &s->n_attributes, "peer.service", 12,
	    remote.service, remote.service_len)) != 0) ||
	    (remote.ip != NULL && (rc = tq_jctx_kv_string(c, s->attributes,
	    &s->n_attributes, "net.peer.ip", 11, remote.ip,
	    remote.ip_len)) != 0) ||
	    (remote.port > 0 && (rc = tq_jctx_kv_int(c, s->attributes,
	    &s->n_attributes, "net.peer.port", remote.port)) != 0) ||
	    (!has_ts && (rc = tq_jctx_kv_bool(c, s->attributes,
	    &s->n_attributes, "otel.zipkin.absentField.startTime", 1)) != 0))
		return rc;
	out->span = s;
	out->scope = scope;
	return 0;
}

static int
htab_init(struct tq_jctx *c, struct htab *t, size_t n)
{
	t->cap = 16;
	while (t->cap < 2 * n)
		t->cap *= 2;
	if ((t->slot = tq_arena_calloc(c->a, t->cap, sizeof(*t->slot))) ==
	    NULL)
		return tq_jctx_fail(c, TQ_ENOMEM, "out of memory");
	return 0;
}

int
tq_zipkin_json_decode(const char *buf, size_t len, struct tq_arena *a,
    Tq__TracesData **out, struct tq_err *err)
{
	struct zdec z;
	struct zspan *zs = NULL;
	struct zgroup *res, *scope;
	struct tq_buf wrapped;
	Tq__TracesData *td;
	Tq__ResourceSpans *rs;
	json_t *root = NULL;
	size_t nwrapped, n, i, nres;
	int rc;

	tq_buf_init(&wrapped, (size_t)TQ_MAX_JSON_LINE * 2);
	tq_buf_init(&z.key, TQ_MAX_JSON_LINE);
	if (len > TQ_MAX_JSON_LINE) {
		rc = tq_err_set(err, TQ_ELIMIT, "Zipkin JSON: document of %zu "
		    "bytes is over the limit of %u", len,
		    (unsigned)TQ_MAX_JSON_LINE);
		goto out;
	}
	if ((rc = wrap_reals(buf, len, &wrapped, &nwrapped, err)) != 0)
		goto out;
	if (nwrapped == 0)
		rc = tq_json_load(buf, len, 0, "Zipkin JSON", &root, err);
	else if ((rc = tq_json_load((const char *)wrapped.data, wrapped.len,
	    JSON_ALLOW_NUL, "Zipkin JSON", &root, err)) != 0 &&
	    rc == TQ_ECORRUPT) {
		/* Say where in the text as it was: wrapping moved it. */
		tq_err_clear(err);
		if ((rc = tq_json_load(buf, len, 0, "Zipkin JSON", &root,
		    err)) == 0)
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "Zipkin JSON: malformed numbers");
	}
	if (rc != 0)
		goto out;
	tq_jctx_init(&z.c, a, err);
	z.first_res = z.last_res = NULL;
	if (!json_is_array(root)) {
		rc = tq_jctx_fail(&z.c, TQ_ECORRUPT, "not an array of spans");
		goto out;
	}
	n = json_array_size(root);
	if ((td = tq_arena_alloc(a, sizeof(*td))) == NULL ||
	    (n > 0 && (zs = tq_arena_calloc(a, n, sizeof(*zs))) == NULL)) {
		rc = tq_jctx_fail(&z.c, TQ_ENOMEM, "out of memory");
		goto out;
	}
	tq__traces_data__init(td);
	if ((rc = htab_init(&z.c, &z.res, n)) != 0 ||
	    (rc = htab_init(&z.c, &z.scopes, n)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = tq_jctx_index(&z.c, i)) != 0 ||
		    (rc = dec_span(&z, json_array_get(root, i), &zs[i])) != 0)
			goto out;
		tq_jctx_pop(&z.c);
	}

	/* Size every array, then place the spans in order. */
	nres = 0;
	for (res = z.first_res; res != NULL; res = res->next) {
		nres++;
		if ((res->rs->scope_spans = tq_arena_calloc(a, res->count,
		    sizeof(*res->rs->scope_spans))) == NULL) {
			rc = tq_jctx_fail(&z.c, TQ_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (nres > 0 && (td->resource_spans = tq_arena_calloc(a, nres,
	    sizeof(*td->resource_spans))) == NULL) {
		rc = tq_jctx_fail(&z.c, TQ_ENOMEM, "out of memory");
		goto out;
	}
	for (res = z.first_res; res != NULL; res = res->next)
		td->resource_spans[td->n_resource_spans++] = res->rs;
	for (i = 0; i < n; i++) {
		scope = zs[i].scope;
		if (scope->ss->spans == NULL) {
			if ((scope->ss->spans = tq_arena_calloc(a, scope->count,
			    sizeof(*scope->ss->spans))) == NULL) {
				rc = tq_jctx_fail(&z.c, TQ_ENOMEM,
				    "out of memory");
				goto out;
			}
			rs = scope->res->rs;
			rs->scope_spans[rs->n_scope_spans++] = scope->ss;
		}
		scope->ss->spans[scope->ss->n_spans++] = zs[i].span;
	}
	*out = td;
out:
	json_decref(root);
	tq_buf_release(&wrapped);
	tq_buf_release(&z.key);
	return rc;
}
