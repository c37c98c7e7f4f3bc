/*
 * gcs-json.c: Google Cloud Storage through its JSON API, for OAuth2
 * bearer credentials (gcs.c picks it).  Objects are read with
 * GET /storage/v1/b/BUCKET/o/NAME?alt=media (ranges with Range), sized
 * with the metadata GET, listed with objects.list (prefix, delimiter,
 * pageToken) and deleted with DELETE; NAME is percent-encoded, '/'
 * included.  Uploads POST to /upload/storage/v1/b/BUCKET/o: one
 * uploadType=media request for data that fits in one part, otherwise a
 * resumable session whose chunks (multiples of 256 KiB, the last one
 * declaring the total) are PUT to the session URI in turn.  A failed
 * chunk is followed by a status query (an empty PUT, "bytes * /N"),
 * whose 308 answer's Range says what the service kept, and the rest is
 * sent again; a failed upload cancels its session, so nothing is ever
 * visible but a whole object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "limits.h"
#include "store-int.h"

/* Resumable chunks are multiples of this, but for the last one. */
#define GCS_CHUNK_UNIT	(256u * 1024)
/* Session URIs we accept in a Location header. */
#define GCS_MAX_SESSION_URI	16384

struct gcs {
	struct tq_store	 base;
	struct http	 http;
	char		*bucket;
	char		*prefix;	/* "" or ends in '/' */
	char		*endpoint;	/* scheme://host[:port] */
	char		*bearer;
};

static void
gcs_free(struct tq_store *s)
{
	struct gcs *b = (struct gcs *)s;

	if (b == NULL)
		return;
	http_release(&b->http);
	free(b->bucket);
	free(b->prefix);
	free(b->endpoint);
	if (b->bearer != NULL)
		memset(b->bearer, 0, strlen(b->bearer));
	free(b->bearer);
	free(b);
}

static int
put_query(struct tq_buf *out, const struct store_kv *q, int nq, bool first)
{
	int i;

	for (i = 0; i < nq; i++) {
		if (tq_buf_putc(out, first && i == 0 ? '?' : '&') != 0 ||
		    uri_encode(out, q[i].name, false) != 0 ||
		    tq_buf_putc(out, '=') != 0 ||
		    uri_encode(out, q[i].value, false) != 0)
			return TQ_ENOMEM;
	}
	return 0;
}

int
gcs_json_url(struct tq_buf *out, const char *base, const char *bucket,
    const char *object, bool upload, bool media, const struct store_kv *q,
    int nq)
{
	if (tq_buf_puts(out, base) != 0 ||
	    tq_buf_puts(out, upload ? "/upload/storage/v1/b/" :
	    "/storage/v1/b/") != 0 || uri_encode(out, bucket, false) != 0 ||
	    tq_buf_puts(out, "/o") != 0)
		return TQ_ENOMEM;
	if (upload) {
		if (put_query(out, q, nq, true) != 0 ||
		    (object != NULL && (tq_buf_puts(out, nq > 0 ? "&name=" :
		    "?name=") != 0 || uri_encode(out, object, false) != 0)))
			return TQ_ENOMEM;
	} else {
		if (object != NULL && (tq_buf_putc(out, '/') != 0 ||
		    uri_encode(out, object, false) != 0))
			return TQ_ENOMEM;
		if (media && tq_buf_puts(out, "?alt=media") != 0)
			return TQ_ENOMEM;
		if (put_query(out, q, nq, !media) != 0)
			return TQ_ENOMEM;
	}
	if (tq_buf_putc(out, '\0') != 0)
		return TQ_ENOMEM;
	out->len--;
	return 0;
}

static int
add_header(const struct store_curl *c, struct curl_slist **l,
    struct tq_buf *line, const char *name, const char *value)
{
	struct curl_slist *t;

	tq_buf_reset(line);
	if (tq_buf_printf(line, "%s: %s", name, value) != 0 ||
	    (t = c->slist_append(*l, (char *)line->data)) == NULL)
		return TQ_ENOMEM;
	*l = t;
	return 0;
}

/*
 * gcs_prepare builds one attempt: a request with full_url goes there (an
 * upload session), a POST with a key is an upload, a GET with a sink a
 * media download; others address the object or the bucket's objects.
 */
static int
gcs_prepare(void *ctx, struct http_req *r, struct curl_slist **hdrs,
    struct tq_err *err)
{
	struct gcs *b = ctx;
	struct tq_buf name, line;
	struct curl_slist *l = NULL;
	bool ctype = false;
	int i, rc = TQ_ENOMEM;

	tq_buf_init(&name, 2 * TQ_STORE_MAX_KEY + 2);
	tq_buf_init(&line, 64 * 1024);
	if (r->key != NULL && (tq_buf_puts(&name, b->prefix) != 0 ||
	    tq_buf_puts(&name, r->key) != 0 || tq_buf_putc(&name, '\0') != 0))
		goto out;
	if (r->full_url != NULL) {
		if (tq_buf_puts(&r->url, r->full_url) != 0 ||
		    tq_buf_putc(&r->url, '\0') != 0)
			goto out;
		r->url.len--;
	} else if (gcs_json_url(&r->url, b->endpoint, b->bucket,
	    r->key != NULL ? (char *)name.data : NULL,
	    r->key != NULL && strcmp(r->method, "POST") == 0,
	    r->key != NULL && r->sink != NULL, r->q, r->nq) != 0)
		goto out;
	tq_buf_reset(&line);
	if (tq_buf_printf(&line, "Authorization: Bearer %s", b->bearer) != 0 ||
	    (l = b->http.curl.slist_append(NULL, (char *)line.data)) == NULL)
		goto out;
	for (i = 0; i < r->nh; i++) {
		if (strcmp(r->h[i].name, "content-type") == 0)
			ctype = true;
		if (add_header(&b->http.curl, &l, &line, r->h[i].name, r->h[i].value) != 0)
			goto out;
	}
	if (r->range[0] != '\0' && add_header(&b->http.curl, &l, &line, "Range", r->range) != 0)
		goto out;
	/* libcurl would call a body a form otherwise. */
	if (r->has_body && !ctype && add_header(&b->http.curl, &l, &line, "Content-Type",
	    "application/octet-stream") != 0)
		goto out;
	rc = 0;
out:
	if (line.data != NULL)
		memset(line.data, 0, line.cap);
	tq_buf_release(&line);
	tq_buf_release(&name);
	if (rc != 0) {
		b->http.curl.slist_free_all(l);
		return tq_err_set(err, rc, "%s: out of memory", r->what);
	}
	*hdrs = l;
	return 0;
}

static int
gcs_get(struct tq_store *s, const char *key, struct store_sink *k,
    struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "GET", key, http_what(w, sizeof(w), "get", key));
	r.sink = k;
	rc = http_run_one(&b->http, &r, err);
	http_req_release(&r);
	return rc;
}

/* parse_size reads a decimal JSON string ("size" is one) into *v. */
static bool
parse_size(json_t *j, uint64_t *v)
{
	const char *s = json_string_value(j), *p;

	if (s == NULL || *s == '\0' || strlen(s) > 19)
		return false;
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	*v = strtoull(s, NULL, 10);
	return true;
}

static int
gcs_head(struct tq_store *s, const char *key, uint64_t *size,
    struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	struct http_req r;
	json_t *doc = NULL;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "GET", key, http_what(w, sizeof(w), "head", key));
	http_req_query(&r, "fields", "size");
	if ((rc = http_run_one(&b->http, &r, err)) == 0 &&
	    ((doc = json_loadb((char *)r.resp.data, r.resp.len, 0, NULL)) ==
	    NULL || !parse_size(json_object_get(doc, "size"), size)))
		rc = tq_err_set(err, TQ_ECORRUPT,
		    "head %s: metadata without a size", key);
	json_decref(doc);
	http_req_release(&r);
	return rc;
}

static int
gcs_put(struct tq_store *s, const char *key, const void *data, size_t len,
    struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "POST", key, http_what(w, sizeof(w), "put", key));
	http_req_query(&r, "uploadType", "media");
	r.body = data;
	r.body_len = len;
	r.has_body = true;
	rc = http_run_one(&b->http, &r, err);
	http_req_release(&r);
	return rc;
}

static ssize_t
read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = read(fd, p + got, n - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* A resumable upload session. */
struct session {
	struct gcs	*b;
	const char	*key;
	const char	*uri;		/* the session URI */
	uint64_t	 persisted;	/* bytes the service has kept */
	int		 fails;		/* transient failures so far */
	long		 retry_after_ms;	/* of the last failure */
	char		 w[TQ_STORE_MAX_KEY + 32];
};

/*
 * kept reads a 308 answer's Range ("bytes=0-N": N + 1 bytes kept; none:
 * nothing kept) into *n.  Returns false if it is not of that form.
 */
static bool
kept(const char *range, uint64_t *n)
{
	char *end;
	unsigned long long v;

	if (range[0] == '\0') {
		*n = 0;
		return true;
	}
	if (strncmp(range, "bytes=0-", 8) != 0 || range[8] < '0' ||
	    range[8] > '9')
		return false;
	errno = 0;
	v = strtoull(range + 8, &end, 10);
	if (errno != 0 || *end != '\0' || v == UINT64_MAX)
		return false;
	*n = v + 1;
	return true;
}

/* chunk_put's answer when a transient failure wants another try. */
#define CHUNK_AGAIN	1

/*
 * chunk_put sends bytes [from, end) of the object (at data) to the
 * session, or, with from == end, asks what the service holds (a status
 * query, retried as usual).  total is the object's size when known, else
 * -1.  On success *done says whether the object is complete, and
 * ss->persisted is what the service holds.  A chunk is sent once: a
 * transient failure returns CHUNK_AGAIN, its message in err.
 */
static int
chunk_put(struct session *ss, const unsigned char *data, uint64_t from,
    uint64_t end, int64_t total, bool *done, struct tq_err *err)
{
	struct http_req r;
	char cr[96], tot[32];
	int rc;

	if (total >= 0)
		snprintf(tot, sizeof(tot), "%lld", (long long)total);
	else
		snprintf(tot, sizeof(tot), "*");
	if (from < end)
		snprintf(cr, sizeof(cr), "bytes %llu-%llu/%s",
		    (unsigned long long)from, (unsigned long long)(end - 1),
		    tot);
	else
		snprintf(cr, sizeof(cr), "bytes */%s", tot);
	http_req_init(&r, "PUT", ss->key, http_what(ss->w, sizeof(ss->w),
	    from < end ? "upload chunk of" : "upload status of", ss->key));
	r.full_url = ss->uri;
	r.no_retry = from < end;
	r.accept_308 = true;
	http_req_header(&r, "content-range", cr);
	r.body = data;
	r.body_len = (size_t)(end - from);
	r.has_body = true;
	*done = false;
	rc = http_run_one(&ss->b->http, &r, err);
	if (rc == 0 && r.status != 308)
		*done = true;
	else if (rc == 0 && !kept(r.got_range, &ss->persisted))
		rc = tq_err_set(err, TQ_ECORRUPT,
		    "%s: unreadable Range in the answer", ss->w);
	else if (rc == TQ_ENOTFOUND)
		rc = tq_err_set(err, TQ_EIO,
		    "%s: the upload session is gone", ss->w);
	else if (rc != 0 && r.no_retry && r.transient) {
		ss->retry_after_ms = r.retry_after_ms;
		rc = CHUNK_AGAIN;
	}
	http_req_release(&r);
	return rc;
}

/*
 * send_chunk makes the service hold bytes [off, off + len) of the
 * object, which are at buf; the bytes before off are already held.  With
 * total >= 0 this is the last chunk, and the object must end up complete.
 * Failed sends are followed by a status query, and what the service did
 * not keep is sent again, opts.retries times at most.
 */
static int
send_chunk(struct session *ss, const unsigned char *buf, uint64_t off,
    size_t len, int64_t total, struct tq_err *err)
{
	uint64_t end = off + len, before;
	int retries = ss->b->base.opts.retries;
	char msg[sizeof(err->msg)];
	bool done = false, again;
	int rc;

	ss->persisted = off;
	for (;;) {
		before = ss->persisted;
		rc = chunk_put(ss, buf + (ss->persisted - off), ss->persisted,
		    end, total, &done, err);
		if ((again = rc == CHUNK_AGAIN)) {
			if (++ss->fails > retries) {
				snprintf(msg, sizeof(msg), "%s",
				    err != NULL ? err->msg : "");
				return tq_err_set(err, TQ_EIO,
				    "%s (retries exhausted)", msg);
			}
			usleep((useconds_t)http_backoff(&ss->b->http,
			    ss->fails - 1, ss->retry_after_ms) * 1000);
			/* What did the service keep of the failed chunk? */
			rc = chunk_put(ss, NULL, 0, 0, total, &done, err);
		}
		if (rc != 0)
			return rc;
		if (done) {
			if (total < 0)
				return tq_err_set(err, TQ_ECORRUPT,
				    "%s: the service ended the upload early",
				    ss->w);
			return 0;
		}
		if (ss->persisted < off || ss->persisted > end)
			return tq_err_set(err, TQ_ECORRUPT,
			    "%s: the service holds %llu bytes, expected %llu to "
			    "%llu", ss->w, (unsigned long long)ss->persisted,
			    (unsigned long long)off, (unsigned long long)end);
		if (ss->persisted == end && total < 0)
			return 0;
		/* A 308 that kept nothing new counts as a failure. */
		if (!again && ss->persisted <= before && ++ss->fails > retries)
			return tq_err_set(err, TQ_EIO,
			    "%s: the service keeps no more data (retries "
			    "exhausted)", ss->w);
	}
}

/*
 * gcs_put_fd sends data that fits in one chunk with uploadType=media,
 * and larger data through a resumable session, one chunk in memory.
 */
static int
gcs_put_fd(struct tq_store *s, const char *key, int fd, struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	size_t csize = s->opts.part_size / GCS_CHUNK_UNIT * GCS_CHUNK_UNIT;
	unsigned char *buf = NULL, peek;
	struct tq_buf loc;
	struct session ss;
	struct http_req r;
	uint64_t off = 0;
	size_t len, elen;
	ssize_t n, m = 0;
	bool started = false;
	int rc = 0;

	tq_buf_init(&loc, GCS_MAX_SESSION_URI);
	memset(&ss, 0, sizeof(ss));
	if ((buf = malloc(csize)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "put %s: out of memory", key);
		goto out;
	}
	/* A chunk, then one byte more: is there anything after it? */
	if ((n = read_full(fd, buf, csize)) == -1 || (n == (ssize_t)csize &&
	    (m = read_full(fd, &peek, 1)) == -1)) {
		rc = tq_err_sys(err, "read");
		goto out;
	}
	if (n < (ssize_t)csize || m == 0) {
		rc = gcs_put(s, key, buf, (size_t)n, err);
		goto out;
	}
	len = csize;

	http_req_init(&r, "POST", key, http_what(ss.w, sizeof(ss.w),
	    "start upload", key));
	http_req_query(&r, "uploadType", "resumable");
	http_req_header(&r, "content-type", "application/json; charset=UTF-8");
	http_req_header(&r, "x-upload-content-type", "application/octet-stream");
	r.body = (const unsigned char *)"{}";
	r.body_len = 2;
	r.has_body = true;
	r.location = &loc;
	rc = http_run_one(&b->http, &r, err);
	http_req_release(&r);
	if (rc != 0)
		goto out;
	elen = strlen(b->endpoint);
	if (loc.len == 0 || strncmp((char *)loc.data, b->endpoint, elen) != 0 ||
	    ((char *)loc.data)[elen] != '/') {
		/* Never send the token elsewhere; never print the URI. */
		rc = tq_err_set(err, TQ_ECORRUPT, "start upload %s: %s", key,
		    loc.len == 0 ? "no session URI in the answer" :
		    "the session URI is not on the endpoint's host");
		goto out;
	}
	ss.b = b;
	ss.key = key;
	ss.uri = (char *)loc.data;
	started = true;
	/* buf holds len bytes at off, and peek the byte after them. */
	while (m == 1) {
		if ((rc = send_chunk(&ss, buf, off, len, -1, err)) != 0)
			goto out;
		off += len;
		buf[0] = peek;
		m = 0;
		if ((n = read_full(fd, buf + 1, csize - 1)) == -1 ||
		    (n == (ssize_t)csize - 1 && (m = read_full(fd, &peek, 1)) ==
		    -1)) {
			rc = tq_err_sys(err, "read");
			goto out;
		}
		len = (size_t)n + 1;
	}
	rc = send_chunk(&ss, buf, off, len, (int64_t)(off + len), err);
	if (rc == 0)
		started = false;
out:
	if (started) {
		/* Cancel the session; its own failure changes nothing. */
		http_req_init(&r, "DELETE", key, http_what(ss.w, sizeof(ss.w),
		    "cancel upload", key));
		r.full_url = ss.uri;
		http_run_one(&b->http, &r, NULL);
		http_req_release(&r);
	}
	tq_buf_release(&loc);
	free(buf);
	return rc;
}

struct entry {
	const char	*name;
	uint64_t	 size;
	bool		 is_prefix;
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

/*
 * list_page hands the items and prefixes of one objects.list answer to
 * fn, merged in byte order, and sets *next to its nextPageToken (a new
 * string) or NULL.
 */
static int
list_page(struct gcs *b, const struct tq_buf *resp, tq_store_list_fn fn,
    void *arg, char **next, struct tq_err *err)
{
	json_error_t je;
	json_t *doc, *items, *prefixes, *v;
	struct entry *e = NULL;
	size_t ni, np, n = 0, i, pl = strlen(b->prefix);
	int rc = 0;

	*next = NULL;
	if ((doc = json_loadb((const char *)resp->data, resp->len, 0, &je)) ==
	    NULL || !json_is_object(doc))
		return tq_err_set(err, TQ_ECORRUPT, "list: byte %d: %s",
		    doc == NULL ? je.position : 0, doc == NULL ? je.text :
		    "not a JSON object");
	items = json_object_get(doc, "items");
	prefixes = json_object_get(doc, "prefixes");
	if ((items != NULL && !json_is_array(items)) ||
	    (prefixes != NULL && !json_is_array(prefixes))) {
		rc = tq_err_set(err, TQ_ECORRUPT,
		    "list: items or prefixes not an array");
		goto out;
	}
	ni = json_array_size(items);
	np = json_array_size(prefixes);
	if ((e = calloc(ni + np + 1, sizeof(*e))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "list: out of memory");
		goto out;
	}
	for (i = 0; i < ni; i++) {
		v = json_array_get(items, i);
		e[n].name = json_string_value(json_object_get(v, "name"));
		if (e[n].name == NULL || !parse_size(json_object_get(v, "size"),
		    &e[n].size)) {
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "list: items[%zu]: no name or size", i);
			goto out;
		}
		n++;
	}
	for (i = 0; i < np; i++) {
		if ((e[n].name = json_string_value(json_array_get(prefixes,
		    i))) == NULL) {
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "list: prefixes[%zu]: not a string", i);
			goto out;
		}
		e[n++].is_prefix = true;
	}
	qsort(e, n, sizeof(*e), entry_cmp);
	for (i = 0; i < n && rc == 0; i++)
		/* Skip what is not ours, should the service answer oddly. */
		if (strncmp(e[i].name, b->prefix, pl) == 0 &&
		    e[i].name[pl] != '\0')
			rc = fn(arg, e[i].name + pl, e[i].size, e[i].is_prefix);
	if (rc != 0)
		goto out;
	if ((v = json_object_get(doc, "nextPageToken")) != NULL) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "list: nextPageToken is not a string");
		else if ((*next = strdup(json_string_value(v))) == NULL)
			rc = tq_err_set(err, TQ_ENOMEM, "list: out of memory");
	}
out:
	free(e);
	json_decref(doc);
	return rc;
}

static int
gcs_list(struct tq_store *s, const char *prefix, const char *delim,
    tq_store_list_fn fn, void *arg, struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	struct http_req r;
	char *full = NULL, *tok = NULL, *next = NULL;
	long pages = 0;
	int rc = 0;

	if ((full = store_prefix_join(b->prefix, prefix)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "list: out of memory");
	do {
		http_req_init(&r, "GET", NULL, "list");
		r.resp.max = TQ_STORE_MAX_RESPONSE;
		http_req_query(&r, "prefix", full);
		if (delim != NULL)
			http_req_query(&r, "delimiter", delim);
		http_req_query(&r, "fields",
		    "items(name,size),prefixes,nextPageToken");
		if (tok != NULL)
			http_req_query(&r, "pageToken", tok);
		if ((rc = http_run_one(&b->http, &r, err)) == 0)
			rc = list_page(b, &r.resp, fn, arg, &next, err);
		else if (rc == TQ_ENOTFOUND)
			rc = tq_err_set(err, TQ_EIO, "list: HTTP 404");
		http_req_release(&r);
		free(tok);
		tok = next;
		next = NULL;
	} while (rc == 0 && tok != NULL && ++pages < 1000000);
	free(tok);
	free(full);
	return rc;
}

static int
gcs_del(struct tq_store *s, const char *key, struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "DELETE", key, http_what(w, sizeof(w), "delete", key));
	rc = http_run_one(&b->http, &r, err);
	http_req_release(&r);
	if (rc == TQ_ENOTFOUND) {
		tq_err_clear(err);
		rc = 0;
	}
	return rc;
}

/* gcs_del_many deletes in batches, opts.concurrency requests at once. */
static int
gcs_del_many(struct tq_store *s, const char *const *keys, size_t n,
    struct tq_err *err)
{
	struct gcs *b = (struct gcs *)s;
	struct http_req *reqs = NULL, **rp = NULL;
	char (*w)[TQ_STORE_MAX_KEY + 16] = NULL;
	size_t batch = 256, i, j, m;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((reqs = calloc(batch, sizeof(*reqs))) == NULL ||
	    (rp = calloc(batch, sizeof(*rp))) == NULL ||
	    (w = calloc(batch, sizeof(*w))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "delete: out of memory");
		goto out;
	}
	for (i = 0; i < n && rc == 0; i += m) {
		m = n - i < batch ? n - i : batch;
		for (j = 0; j < m; j++) {
			http_req_init(&reqs[j], "DELETE", keys[i + j],
			    http_what(w[j], sizeof(w[j]), "delete", keys[i + j]));
			rp[j] = &reqs[j];
		}
		rc = http_run(&b->http, rp, m, err);
		for (j = 0; j < m; j++) {
			if (rc == 0 && reqs[j].rc != 0 &&
			    reqs[j].rc != TQ_ENOTFOUND) {
				rc = reqs[j].rc;
				if (err != NULL)
					*err = reqs[j].err;
			}
			http_req_release(&reqs[j]);
		}
	}
out:
	free(reqs);
	free(rp);
	free(w);
	return rc;
}

static int
gcs_get_many(struct tq_store *s, struct tq_store_req *reqs, size_t n,
    struct tq_err *err)
{
	return http_get_many(&((struct gcs *)s)->http, reqs, n, err);
}

static const struct store_ops gcs_ops = {
	.kind = "gs",
	.free = gcs_free,
	.get = gcs_get,
	.head = gcs_head,
	.put = gcs_put,
	.put_fd = gcs_put_fd,
	.list = gcs_list,
	.del = gcs_del,
	.del_many = gcs_del_many,
	.get_many = gcs_get_many,
};

int
store_gcs_json_new(const char *bucket, const char *prefix,
    const char *endpoint, const char *bearer, const struct tq_store_opts *o,
    struct tq_store **out, struct tq_err *err)
{
	const char *hp = strstr(endpoint, "://");
	struct gcs *b;
	size_t pl, el;
	int rc;

	if (hp == NULL || (strncmp(endpoint, "http://", 7) != 0 &&
	    strncmp(endpoint, "https://", 8) != 0))
		return tq_err_set(err, TQ_EINVAL,
		    "%s: the endpoint must be an http:// or https:// URL",
		    endpoint);
	el = strlen(endpoint);
	while (el > 0 && endpoint[el - 1] == '/')
		el--;
	if (el <= (size_t)(hp + 3 - endpoint) ||
	    memchr(hp + 3, '/', el - (size_t)(hp + 3 - endpoint)) != NULL)
		return tq_err_set(err, TQ_EINVAL,
		    "%s: the endpoint takes no path", endpoint);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	b->base.ops = &gcs_ops;
	b->base.opts = *o;
	pl = strlen(prefix);
	b->bucket = strdup(bucket);
	b->endpoint = strndup(endpoint, el);
	b->bearer = strdup(bearer);
	if ((b->prefix = malloc(pl + 2)) != NULL)
		snprintf(b->prefix, pl + 2, "%s%s", prefix,
		    pl > 0 && prefix[pl - 1] != '/' ? "/" : "");
	if (b->bucket == NULL || b->endpoint == NULL || b->bearer == NULL ||
	    b->prefix == NULL) {
		gcs_free(&b->base);
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	}
	if ((rc = http_init(&b->http, &b->base.opts, gcs_prepare, b, err)) !=
	    0) {
		gcs_free(&b->base);
		return rc;
	}
	*out = &b->base;
	return 0;
}
