/*
 * meta.c: a block's small JSON objects (see block.h): meta.json in
 * Tempo's key names and the row-group index; block IDs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "block.h"
#include "timeparse.h"

static int
put_time(struct tq_buf *out, const char *key, int64_t s)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)s;

	if (gmtime_r(&t, &tm) == NULL)
		return TQ_EINVAL;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return tq_buf_printf(out, ",\"%s\":\"%s\"", key, buf);
}

int
tq_block_meta_json(const struct tq_block_meta *m, struct tq_buf *out,
    struct tq_err *err)
{
	size_t i;
	int rc;

	rc = tq_buf_printf(out, "{\"format\":\"%s\",\"blockID\":\"%s\","
	    "\"tenantID\":", m->format, m->block_id);
	if (rc == 0) {
		json_t *t = json_string(m->tenant);
		char *s = t != NULL ? json_dumps(t, JSON_ENCODE_ANY) : NULL;

		rc = s != NULL ? tq_buf_puts(out, s) : TQ_ENOMEM;
		free(s);
		json_decref(t);
	}
	if (rc == 0)
		rc = put_time(out, "startTime", m->start_s);
	if (rc == 0)
		rc = put_time(out, "endTime", m->end_s);
	if (rc == 0)
		rc = tq_buf_printf(out, ",\"totalObjects\":%" PRIu64
		    ",\"size\":%" PRIu64 ",\"compactionLevel\":%" PRIu32
		    ",\"indexPageSize\":0,\"totalRecords\":%" PRIu32
		    ",\"bloomShards\":%" PRIu32 ",\"footerSize\":%" PRIu32,
		    m->total_objects, m->size, m->compaction_level,
		    m->total_records, m->bloom_shards, m->footer_size);
	if (rc == 0 && m->n_ded > 0) {
		rc = tq_buf_puts(out, ",\"dedicatedColumns\":[");
		for (i = 0; i < m->n_ded && rc == 0; i++) {
			json_t *n = json_string(m->ded[i].name);
			char *s = n != NULL ? json_dumps(n, JSON_ENCODE_ANY) : NULL;

			if (s == NULL)
				rc = TQ_ENOMEM;
			else
				rc = tq_buf_printf(out, "%s{%s\"n\":%s}",
				    i > 0 ? "," : "",
				    m->ded[i].scope == TQ_BLOCK_SCOPE_RESOURCE ?
				    "\"s\":\"resource\"," : "", s);
			free(s);
			json_decref(n);
		}
		if (rc == 0)
			rc = tq_buf_putc(out, ']');
	}
	if (rc == 0 && m->values_size != 0)
		rc = tq_buf_printf(out, ",\"valuesSize\":%" PRIu32,
		    m->values_size);
	if (rc == 0 && m->replication_factor != 0)
		rc = tq_buf_printf(out, ",\"replicationFactor\":%" PRIu32,
		    m->replication_factor);
	if (rc == 0 && m->compacted_s != 0)
		rc = put_time(out, "compactedTime", m->compacted_s);
	if (rc == 0)
		rc = tq_buf_putc(out, '}');
	if (rc != 0)
		return tq_err_set(err, rc, "meta.json: %s", tq_strerror(rc));
	return 0;
}

static int
get_u64(json_t *o, const char *key, uint64_t *out, struct tq_err *err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return tq_err_set(err, TQ_ECORRUPT,
		    "meta.json: %s: not a non-negative integer", key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
get_u32(json_t *o, const char *key, uint32_t *out, struct tq_err *err)
{
	uint64_t v = *out;
	int rc;

	if ((rc = get_u64(o, key, &v, err)) != 0)
		return rc;
	if (v > UINT32_MAX)
		return tq_err_set(err, TQ_ECORRUPT, "meta.json: %s: too large",
		    key);
	*out = (uint32_t)v;
	return 0;
}

static int
get_time(json_t *o, const char *key, int64_t *out, bool need,
    struct tq_err *err)
{
	json_t *v = json_object_get(o, key);
	int64_t ns;

	if (v == NULL && !need)
		return 0;
	if (!json_is_string(v) ||
	    tq_timeparse_time(json_string_value(v), 0, &ns, NULL) != 0)
		return tq_err_set(err, TQ_ECORRUPT,
		    "meta.json: %s: not an RFC 3339 time", key);
	*out = ns / 1000000000;
	return 0;
}

static int
get_str(json_t *o, const char *key, char *out, size_t size, bool need,
    struct tq_err *err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL && !need)
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= size)
		return tq_err_set(err, TQ_ECORRUPT,
		    "meta.json: %s: missing or not a short string", key);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int
tq_block_meta_parse(const char *text, size_t len, struct tq_block_meta *m,
    struct tq_err *err)
{
	json_error_t je;
	json_t *o, *ded;
	int rc;

	memset(m, 0, sizeof(*m));
	m->bloom_shards = 10;	/* Tempo's legacy default when absent */
	if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return tq_err_set(err, TQ_ECORRUPT, "meta.json: line %d: %s",
		    je.line, je.text);
	if (!json_is_object(o)) {
		rc = tq_err_set(err, TQ_ECORRUPT, "meta.json: not an object");
		goto out;
	}
	if ((rc = get_str(o, "format", m->format, sizeof(m->format), true,
	    err)) != 0 ||
	    (rc = get_str(o, "blockID", m->block_id, sizeof(m->block_id), true,
	    err)) != 0 ||
	    (rc = get_str(o, "tenantID", m->tenant, sizeof(m->tenant), false,
	    err)) != 0 ||
	    (rc = get_time(o, "startTime", &m->start_s, true, err)) != 0 ||
	    (rc = get_time(o, "endTime", &m->end_s, true, err)) != 0 ||
	    (rc = get_time(o, "compactedTime", &m->compacted_s, false,
	    err)) != 0 ||
	    (rc = get_u64(o, "totalObjects", &m->total_objects, err)) != 0 ||
	    (rc = get_u64(o, "size", &m->size, err)) != 0 ||
	    (rc = get_u32(o, "compactionLevel", &m->compaction_level, err)) != 0 ||
	    (rc = get_u32(o, "totalRecords", &m->total_records, err)) != 0 ||
	    (rc = get_u32(o, "bloomShards", &m->bloom_shards, err)) != 0 ||
	    (rc = get_u32(o, "footerSize", &m->footer_size, err)) != 0 ||
	    (rc = get_u32(o, "replicationFactor", &m->replication_factor,
	    err)) != 0 ||
	    (rc = get_u32(o, "valuesSize", &m->values_size, err)) != 0)
		goto out;
	if (m->bloom_shards == 0)
		m->bloom_shards = 10;
	if ((ded = json_object_get(o, "dedicatedColumns")) != NULL &&
	    !json_is_null(ded)) {
		size_t i;
		json_t *c;

		if (!json_is_array(ded)) {
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "meta.json: dedicatedColumns: not an array");
			goto out;
		}
		json_array_foreach(ded, i, c) {
			const char *s = json_string_value(json_object_get(c, "s"));
			const char *t = json_string_value(json_object_get(c, "t"));
			const char *n = json_string_value(json_object_get(c, "n"));

			/* Only string columns of span and resource exist in v4. */
			if (n == NULL || (t != NULL && strcmp(t, "string") != 0) ||
			    (s != NULL && strcmp(s, "span") != 0 &&
			    strcmp(s, "resource") != 0) ||
			    m->n_ded == TQ_BLOCK_MAX_META_DED)
				continue;
			/* Left out, its attribute would seem absent. */
			if (strlen(n) > TQ_BLOCK_MAX_DED_NAME) {
				rc = tq_err_set(err, TQ_EUNSUPPORTED, "meta.json: "
				    "dedicatedColumns[%zu]: a name longer than %d "
				    "bytes", i, TQ_BLOCK_MAX_DED_NAME);
				goto out;
			}
			snprintf(m->ded_names[m->n_ded],
			    sizeof(m->ded_names[m->n_ded]), "%s", n);
			m->ded[m->n_ded].name = m->ded_names[m->n_ded];
			m->ded[m->n_ded].scope = s != NULL &&
			    strcmp(s, "resource") == 0 ? TQ_BLOCK_SCOPE_RESOURCE :
			    TQ_BLOCK_SCOPE_SPAN;
			m->n_ded++;
		}
	}
out:
	json_decref(o);
	return rc;
}

int
tq_block_index_json(const uint8_t (*ids)[TQ_TRACE_ID_LEN], size_t n,
    struct tq_buf *out, struct tq_err *err)
{
	unsigned char b64[32];
	size_t i;
	int rc;

	rc = tq_buf_puts(out, "{\"rowGroups\":[");
	for (i = 0; i < n && rc == 0; i++) {
		EVP_EncodeBlock(b64, ids[i], TQ_TRACE_ID_LEN);
		rc = tq_buf_printf(out, "%s\"%s\"", i > 0 ? "," : "", b64);
	}
	if (rc == 0)
		rc = tq_buf_puts(out, "]}");
	if (rc != 0)
		return tq_err_set(err, rc, "index: %s", tq_strerror(rc));
	return 0;
}

int
tq_block_index_parse(const char *text, size_t len, struct tq_arena *a,
    uint8_t (**ids)[TQ_TRACE_ID_LEN], size_t *n, struct tq_err *err)
{
	json_error_t je;
	json_t *o, *arr, *v;
	uint8_t (*out)[TQ_TRACE_ID_LEN];
	size_t i;
	int rc = 0;

	if ((o = json_loadb(text, len, 0, &je)) == NULL)
		return tq_err_set(err, TQ_ECORRUPT, "index: line %d: %s",
		    je.line, je.text);
	if (!json_is_array(arr = json_object_get(o, "rowGroups"))) {
		rc = tq_err_set(err, TQ_ECORRUPT, "index: no rowGroups array");
		goto out;
	}
	if ((out = tq_arena_calloc(a, json_array_size(arr) + 1,
	    TQ_TRACE_ID_LEN)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "index: out of memory");
		goto out;
	}
	json_array_foreach(arr, i, v) {
		unsigned char raw[32];
		const char *s = json_string_value(v);

		/* 16 bytes are 24 base64 characters and decode to 18. */
		if (s == NULL || strlen(s) != 24 ||
		    EVP_DecodeBlock(raw, (const unsigned char *)s, 24) != 18) {
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "index: rowGroups[%zu]: not a base64 trace ID", i);
			goto out;
		}
		memcpy(out[i], raw, TQ_TRACE_ID_LEN);
	}
	*ids = out;
	*n = json_array_size(arr);
out:
	json_decref(o);
	return rc;
}

int
tq_block_new_id(char id[TQ_BLOCK_ID_LEN + 1], struct tq_err *err)
{
	uint8_t u[16];
	char hex[33];

	if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u))
		return tq_err_sys(err, "getrandom");
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);	/* version 4 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	tq_hex_encode(hex, u, 16);
	snprintf(id, TQ_BLOCK_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex,
	    hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
}
