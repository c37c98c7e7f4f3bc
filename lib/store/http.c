/*
 * http.c: the libcurl plumbing of the cloud backends.  One curl multi
 * handle per store keeps connections alive between requests; a pool of
 * opts.concurrency easy handles runs batches.  Each request is retried on
 * its own, with exponential backoff and jitter, on 5xx, 429, 408 and
 * network errors; a download resumes where the failed attempt stopped.
 * Every request the backends send is safe to repeat: GET, HEAD, PUT and
 * DELETE are idempotent, a repeated multipart start only leaves an
 * unused upload id behind (never a visible object), and a repeated
 * multipart completion can at worst fail with NoSuchUpload after the
 * object is complete, which a size check (tempo-put's) settles.  The
 * chunks of a GCS resumable upload are the exception: they are sent
 * once (no_retry), and gcs-json.c asks the service what it kept before
 * sending the rest.  A store may be shared by threads: each batch runs
 * on a set of handles of its own.
 * Messages name the request and carry the
 * service's error code, never a header or a URL (SAS tokens live there).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "limits.h"
#include "store-int.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static uint64_t
rng_next(struct http *h)
{
	uint64_t v;

	/* xorshift64*: jitter only, no secrets. */
	pthread_mutex_lock(&h->mu);
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	v = h->rng * 2685821657736338717ULL;
	pthread_mutex_unlock(&h->mu);
	return v;
}

static void
conn_free(struct http *h, struct http_conn *c)
{
	int i;

	if (c == NULL)
		return;
	if (c->easy != NULL)
		for (i = 0; i < c->neasy; i++)
			if (c->easy[i] != NULL)
				h->curl.easy_cleanup(c->easy[i]);
	free(c->easy);
	if (c->multi != NULL)
		h->curl.multi_cleanup(c->multi);
	free(c);
}

/* conn_new makes a set of opts->concurrency handles. */
static struct http_conn *
conn_new(struct http *h, const struct tq_store_opts *opts)
{
	struct http_conn *c;
	int i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->multi = h->curl.multi_init()) == NULL ||
	    (c->easy = calloc((size_t)opts->concurrency, sizeof(CURL *))) ==
	    NULL) {
		conn_free(h, c);
		return NULL;
	}
	c->neasy = opts->concurrency;
	h->curl.multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)opts->concurrency);
	for (i = 0; i < c->neasy; i++)
		if ((c->easy[i] = h->curl.easy_init()) == NULL) {
			conn_free(h, c);
			return NULL;
		}
	return c;
}

int
http_init(struct http *h, const struct tq_store_opts *opts,
    http_prepare_fn prepare, void *ctx, struct tq_err *err)
{
	struct timespec ts;

	memset(h, 0, sizeof(*h));
	h->opts = opts;
	h->prepare = prepare;
	h->ctx = ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)h;
	if (h->rng == 0)
		h->rng = 1;
	if (pthread_mutex_init(&h->mu, NULL) != 0)
		return tq_err_set(err, TQ_ENOMEM, "libcurl: no mutex");
	h->mu_init = true;
	if (store_curl_open(&h->curl, err) != 0) {
		http_release(h);
		return TQ_EUNSUPPORTED;
	}
	if (h->curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		http_release(h);
		return tq_err_set(err, TQ_EIO, "libcurl initialisation failed");
	}
	if ((h->idle = conn_new(h, opts)) == NULL) {
		http_release(h);
		return tq_err_set(err, TQ_ENOMEM, "libcurl: out of memory");
	}
	return 0;
}

void
http_release(struct http *h)
{
	struct http_conn *c;

	while ((c = h->idle) != NULL) {
		h->idle = c->next;
		conn_free(h, c);
	}
	if (h->mu_init)
		pthread_mutex_destroy(&h->mu);
	h->mu_init = false;
	store_curl_close(&h->curl);
}

void
http_req_init(struct http_req *r, const char *method, const char *key,
    const char *what)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->key = key;
	r->what = what;
	tq_buf_init(&r->resp, TQ_STORE_MAX_ERRBODY);
	tq_buf_init(&r->url, 2 * TQ_STORE_MAX_KEY + 8192);
}

void
http_req_release(struct http_req *r)
{
	tq_buf_release(&r->resp);
	tq_buf_release(&r->url);
	if (r->slist != NULL)
		r->curl->slist_free_all(r->slist);
	r->slist = NULL;
}

void
http_req_query(struct http_req *r, const char *name, const char *value)
{
	if (r->nq < HTTP_MAX_KV) {
		r->q[r->nq].name = name;
		r->q[r->nq].value = value;
		r->nq++;
	}
}

void
http_req_header(struct http_req *r, const char *name, const char *value)
{
	if (r->nh < HTTP_MAX_KV) {
		r->h[r->nh].name = name;
		r->h[r->nh].value = value;
		r->nh++;
	}
}

int
uri_encode(struct tq_buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	int rc;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || (keep_slash && *p == '/'))
			rc = tq_buf_putc(b, *p);
		else
			rc = tq_buf_printf(b, "%%%c%c", hex[*p >> 4],
			    hex[*p & 15]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Response state per easy handle while a request runs. */
static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_req *r = arg;
	struct store_sink *k = r->sink;
	size_t n = size * nmemb, skip = 0;
	const unsigned char *p = (const unsigned char *)data;
	ssize_t w;

	if (k == NULL || r->status < 200 || r->status > 299) {
		/* Error bodies and listings: keep what fits, cut the rest. */
		if (k == NULL && r->status >= 200 && r->status <= 299) {
			if (tq_buf_append(&r->resp, p, n) != 0) {
				k = NULL;
				tq_err_set(&r->err, TQ_ELIMIT,
				    "%s: answer larger than %zu bytes",
				    r->what, r->resp.max);
				r->rc = TQ_ELIMIT;
				return 0;
			}
			return n;
		}
		if (r->resp.len < r->resp.max)
			tq_buf_append(&r->resp, p, n < r->resp.max - r->resp.len ?
			    n : r->resp.max - r->resp.len);
		return n;
	}
	/* A 200 to a ranged request carries the whole object: skip. */
	if (r->status == 200 && r->skip_left > 0) {
		if (r->skip_left >= n) {
			r->skip_left -= n;
			return n;
		}
		skip = (size_t)r->skip_left;
		r->skip_left = 0;
	}
	p += skip;
	n -= skip;
	if (k->len > 0 && k->got + n > k->len)
		n = (size_t)(k->len - k->got);
	switch (k->kind) {
	case SINK_BUF:
		if (tq_buf_append(k->buf, p, n) != 0) {
			k->rc = tq_err_set(&k->err, TQ_ELIMIT,
			    "%s: object larger than %zu bytes", r->key,
			    k->buf->max);
			return 0;
		}
		break;
	case SINK_MEM:
		memcpy(k->mem + k->got, p, n);
		break;
	default: {
		size_t left = n;

		while (left > 0) {
			if ((w = write(k->fd, p, left)) == -1) {
				if (errno == EINTR)
					continue;
				k->rc = tq_err_sys(&k->err, "write");
				return 0;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	}
	k->got += n;
	return size * nmemb;
}

static bool
hdr_is(const char *line, size_t n, const char *name, const char **val,
    size_t *vlen)
{
	size_t l = strlen(name);

	if (n <= l || strncasecmp(line, name, l) != 0 || line[l] != ':')
		return false;
	line += l + 1;
	n -= l + 1;
	while (n > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
	    line[n - 1] == ' '))
		n--;
	*val = line;
	*vlen = n;
	return true;
}

static void
copy_val(char *dst, size_t max, const char *v, size_t n)
{
	if (n >= max)
		n = max - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_req *r = arg;
	size_t n = size * nmemb, vlen;
	const char *v;
	char tmp[64];

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue, say). */
		const char *sp = memchr(data, ' ', n);

		r->status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
		r->etag[0] = r->ms_error[0] = r->got_range[0] = '\0';
		if (r->location != NULL)
			tq_buf_reset(r->location);
		r->retry_after_ms = 0;
		r->content_length = 0;
		return n;
	}
	if (hdr_is(data, n, "location", &v, &vlen) && r->location != NULL) {
		tq_buf_reset(r->location);
		if (tq_buf_append(r->location, v, vlen) != 0 ||
		    tq_buf_putc(r->location, '\0') != 0) {
			r->rc = tq_err_set(&r->err, TQ_ELIMIT,
			    "%s: Location header over %zu bytes", r->what,
			    r->location->max);
			return 0;
		}
		r->location->len--;
	} else if (hdr_is(data, n, "range", &v, &vlen))
		copy_val(r->got_range, sizeof(r->got_range), v, vlen);
	else if (hdr_is(data, n, "etag", &v, &vlen))
		copy_val(r->etag, sizeof(r->etag), v, vlen);
	else if (hdr_is(data, n, "x-ms-error-code", &v, &vlen))
		copy_val(r->ms_error, sizeof(r->ms_error), v, vlen);
	else if (hdr_is(data, n, "retry-after", &v, &vlen)) {
		copy_val(tmp, sizeof(tmp), v, vlen);
		r->retry_after_ms = strtol(tmp, NULL, 10) * 1000;
	} else if (hdr_is(data, n, "content-range", &v, &vlen) &&
	    r->sink != NULL) {
		const char *slash = memchr(v, '/', vlen);

		if (slash != NULL && slash[1] != '*') {
			copy_val(tmp, sizeof(tmp), slash + 1,
			    vlen - (size_t)(slash + 1 - v));
			r->sink->total = strtoull(tmp, NULL, 10);
		}
	}
	return n;
}

/* setup prepares easy handle e for the next attempt of r. */
static int
setup(struct http *h, CURL *e, struct http_req *r)
{
	const struct tq_store_opts *o = h->opts;
	struct curl_slist *hd = NULL;
	int rc;

	h->curl.easy_reset(e);
	h->curl.slist_free_all(r->slist);
	r->slist = NULL;
	tq_buf_reset(&r->url);
	tq_buf_reset(&r->resp);
	r->status = 0;
	r->skip_left = 0;
	r->range[0] = '\0';
	if (r->sink != NULL) {
		struct store_sink *k = r->sink;
		uint64_t from = k->off + k->got;

		r->skip_left = from;
		if (k->len > 0)
			snprintf(r->range, sizeof(r->range), "bytes=%llu-%llu",
			    (unsigned long long)from,
			    (unsigned long long)(k->off + k->len - 1));
		else if (from > 0)
			snprintf(r->range, sizeof(r->range), "bytes=%llu-",
			    (unsigned long long)from);
	}
	if ((rc = h->prepare(h->ctx, r, &hd, &r->err)) != 0) {
		h->curl.slist_free_all(hd);
		return rc;
	}
	if (r->has_body) {
		struct curl_slist *t;

		if ((t = h->curl.slist_append(hd, "Expect:")) == NULL) {
			h->curl.slist_free_all(hd);
			return tq_err_set(&r->err, TQ_ENOMEM, "out of memory");
		}
		hd = t;
	}
	r->slist = hd;
	r->curl = &h->curl;
	h->curl.easy_setopt(e, CURLOPT_URL, (char *)r->url.data);
	h->curl.easy_setopt(e, CURLOPT_HTTPHEADER, hd);
	h->curl.easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (strcmp(r->method, "HEAD") == 0)
		h->curl.easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (r->has_body) {
		h->curl.easy_setopt(e, CURLOPT_POSTFIELDS, r->body != NULL ?
		    (const char *)r->body : "");
		h->curl.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
	}
	h->curl.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	h->curl.easy_setopt(e, CURLOPT_WRITEDATA, r);
	h->curl.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	h->curl.easy_setopt(e, CURLOPT_HEADERDATA, r);
	h->curl.easy_setopt(e, CURLOPT_PRIVATE, r);
	h->curl.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	h->curl.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	h->curl.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	/* A transfer fails when it moves under 1 byte/s for timeout_ms. */
	h->curl.easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	h->curl.easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    (o->timeout_ms + 999) / 1000);
	h->curl.easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (o->insecure) {
		h->curl.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		h->curl.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

static bool
retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static bool
retryable_status(long s)
{
	return s == 408 || s == 429 || (s >= 500 && s <= 599);
}

struct errinfo {
	char	code[96];
	char	msg[256];
};

static int
err_xml(void *arg, const char *path, const char *text, size_t len)
{
	struct errinfo *e = arg;
	const char *leaf = strrchr(path, '/');

	(void)len;
	if (strncmp(path, "Error/", 6) != 0 || leaf == NULL)
		return 0;
	if (strcmp(leaf, "/Code") == 0 && e->code[0] == '\0')
		snprintf(e->code, sizeof(e->code), "%s", text);
	else if (strcmp(leaf, "/Message") == 0 && e->msg[0] == '\0')
		snprintf(e->msg, sizeof(e->msg), "%s", text);
	return 0;
}

/*
 * err_json reads a JSON API error, {"error": {"code": 404, "message":
 * "...", "errors": [{"reason": "notFound", ...}]}}: the first reason is
 * the code (an OAuth error, {"error": "invalid_token"}, has only a code).
 */
static void
err_json(const struct tq_buf *b, struct errinfo *e)
{
	json_t *doc, *err, *errs, *v;

	if ((doc = json_loadb((const char *)b->data, b->len, 0, NULL)) == NULL)
		return;
	err = json_object_get(doc, "error");
	if (json_is_string(err))
		snprintf(e->code, sizeof(e->code), "%s", json_string_value(err));
	else if (json_is_object(err)) {
		if (json_is_string(v = json_object_get(err, "message")))
			snprintf(e->msg, sizeof(e->msg), "%s",
			    json_string_value(v));
		errs = json_object_get(err, "errors");
		if (json_is_array(errs) && json_is_string(v = json_object_get(
		    json_array_get(errs, 0), "reason")))
			snprintf(e->code, sizeof(e->code), "%s",
			    json_string_value(v));
		else if (json_is_string(v = json_object_get(err, "status")))
			snprintf(e->code, sizeof(e->code), "%s",
			    json_string_value(v));
	}
	json_decref(doc);
}

/* service_error finds the service's error code and message in r. */
static void
service_error(struct http_req *r, struct errinfo *e)
{
	char *nl;

	memset(e, 0, sizeof(*e));
	if (r->resp.len > 0 && r->resp.data[0] == '<')
		xml_walk((const char *)r->resp.data, r->resp.len, err_xml, e,
		    NULL);
	else if (r->resp.len > 0 && r->resp.data[0] == '{')
		err_json(&r->resp, e);
	if (e->code[0] == '\0' && r->ms_error[0] != '\0')
		snprintf(e->code, sizeof(e->code), "%s", r->ms_error);
	/* Azure puts the request id and time on further lines. */
	if ((nl = strchr(e->msg, '\n')) != NULL)
		*nl = '\0';
}

/*
 * missing_container tells a missing bucket from a missing object: by its
 * code on S3 and Azure; the GCS JSON API says "notFound" for both and
 * only its message differs.
 */
static bool
missing_container(const struct errinfo *e)
{
	return strcmp(e->code, "NoSuchBucket") == 0 ||
	    strcmp(e->code, "ContainerNotFound") == 0 ||
	    strcmp(e->msg, "The specified bucket does not exist.") == 0;
}

long
http_backoff(struct http *h, int attempt, long retry_after_ms)
{
	long delay;

	delay = 100L << (attempt < 8 ? attempt : 8);
	if (delay > TQ_STORE_MAX_BACKOFF)
		delay = TQ_STORE_MAX_BACKOFF;
	/* Jitter: between half and all of the backoff. */
	delay = delay / 2 + (long)(rng_next(h) % (uint64_t)(delay / 2 + 1));
	if (retry_after_ms > delay)
		delay = retry_after_ms < TQ_STORE_MAX_BACKOFF ?
		    retry_after_ms : TQ_STORE_MAX_BACKOFF;
	return delay;
}

/*
 * finish classifies the end of one attempt: done (r->rc set) or retry
 * (returns true, r->not_before set).
 */
static bool
finish(struct http *h, CURL *easy, struct http_req *r, CURLcode cc)
{
	struct errinfo e;
	long delay;

	if (r->rc != 0)
		return false;
	if (r->sink != NULL && r->sink->rc != 0) {
		r->rc = r->sink->rc;
		r->err = r->sink->err;
		return false;
	}
	if (cc == CURLE_OK && ((r->status >= 200 && r->status <= 299) ||
	    (r->status == 308 && r->accept_308))) {
		curl_off_t cl = -1;

		if (h->curl.easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		    &cl) == CURLE_OK && cl >= 0)
			r->content_length = (uint64_t)cl;
		if (r->sink != NULL)
			r->rc = sink_finish(r->sink, r->key, &r->err);
		return false;
	}
	r->transient = cc != CURLE_OK ? retryable_curl(cc) :
	    retryable_status(r->status);
	if (r->transient && !r->no_retry && r->attempt < h->opts->retries) {
		delay = http_backoff(h, r->attempt, r->retry_after_ms);
		r->attempt++;
		r->not_before = now_ms() + (double)delay;
		return true;
	}
	if (cc != CURLE_OK) {
		r->rc = tq_err_set(&r->err, TQ_EIO, "%s: %s%s", r->what,
		    h->curl.easy_strerror(cc), r->attempt > 0 ?
		    " (retries exhausted)" : "");
		return false;
	}
	service_error(r, &e);
	/* HEAD answers carry no body: say what the status means. */
	if (e.code[0] == '\0')
		snprintf(e.code, sizeof(e.code), "%s", r->status == 400 ?
		    "(bad request)" : r->status == 401 || r->status == 403 ?
		    "(access denied: check the credentials)" : "");
	if (r->status == 404 && !missing_container(&e)) {
		r->rc = tq_err_set(&r->err, TQ_ENOTFOUND, "%s: no such object",
		    r->what);
		return false;
	}
	if (r->status == 416) {
		r->rc = tq_err_set(&r->err, TQ_ECORRUPT,
		    "%s: range %s starts past the end of the object",
		    r->what, r->range);
		return false;
	}
	r->rc = tq_err_set(&r->err, TQ_EIO, "%s: HTTP %ld%s%s%s%s%s",
	    r->what, r->status, e.code[0] != '\0' ? " " : "", e.code,
	    e.msg[0] != '\0' ? ": " : "", e.msg,
	    r->attempt > 0 ? " (retries exhausted)" : "");
	return false;
}

static int	run_on(struct http *, struct http_conn *, struct http_req **,
		    size_t, struct tq_err *);

int
http_run(struct http *h, struct http_req **reqs, size_t n, struct tq_err *err)
{
	struct http_conn *c;
	int rc;

	pthread_mutex_lock(&h->mu);
	if ((c = h->idle) != NULL)
		h->idle = c->next;
	pthread_mutex_unlock(&h->mu);
	/* Another thread runs a batch: this one gets handles of its own. */
	if (c == NULL && (c = conn_new(h, h->opts)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "libcurl: out of memory");
	rc = run_on(h, c, reqs, n, err);
	pthread_mutex_lock(&h->mu);
	c->next = h->idle;
	h->idle = c;
	pthread_mutex_unlock(&h->mu);
	return rc;
}

/* run_on runs a batch (see http_run) on the handles of c. */
static int
run_on(struct http *h, struct http_conn *c, struct http_req **reqs, size_t n,
    struct tq_err *err)
{
	struct http_req **slot = NULL;
	size_t next = 0, done = 0, i;
	int running = 0, finished, s, rc = 0;
	CURLMcode mc;

	if ((slot = calloc((size_t)c->neasy, sizeof(*slot))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		reqs[i]->attempt = 0;
		reqs[i]->rc = 0;
		reqs[i]->transient = false;
		reqs[i]->not_before = 0;
		tq_err_clear(&reqs[i]->err);
	}
	while (done < n) {
		double t = now_ms(), wait = 1000;
		CURLMsg *m;
		int left;

		/* Fill free slots: due retries first, then new requests. */
		for (s = 0; s < c->neasy; s++) {
			struct http_req *pick = NULL;

			if (slot[s] != NULL)
				continue;
			for (i = 0; i < next && pick == NULL; i++) {
				struct http_req *r = reqs[i];

				if (r->not_before > 0 && r->not_before <= t)
					pick = r;
			}
			if (pick == NULL && next < n)
				pick = reqs[next++];
			if (pick == NULL)
				break;
			pick->not_before = 0;
			if (setup(h, c->easy[s], pick) != 0) {
				pick->rc = pick->err.code != 0 ? pick->err.code :
				    TQ_EIO;
				done++;
				continue;
			}
			if ((mc = h->curl.multi_add_handle(c->multi, c->easy[s])) !=
			    CURLM_OK) {
				rc = tq_err_set(err, TQ_EIO, "libcurl: %s",
				    h->curl.multi_strerror(mc));
				goto out;
			}
			slot[s] = pick;
			running++;
		}
		for (i = 0; i < next; i++)
			if (reqs[i]->not_before > 0 &&
			    reqs[i]->not_before - t < wait)
				wait = reqs[i]->not_before - t;
		if (running == 0) {
			if (done >= n)
				break;
			if (wait > 0)
				usleep((useconds_t)(wait * 1000));
			continue;
		}
		if ((mc = h->curl.multi_perform(c->multi, &left)) != CURLM_OK) {
			rc = tq_err_set(err, TQ_EIO, "libcurl: %s",
			    h->curl.multi_strerror(mc));
			goto out;
		}
		finished = 0;
		while ((m = h->curl.multi_info_read(c->multi, &left)) != NULL) {
			struct http_req *r = NULL;
			CURLcode cc;

			if (m->msg != CURLMSG_DONE)
				continue;
			cc = m->data.result;
			for (s = 0; s < c->neasy; s++)
				if (c->easy[s] == m->easy_handle)
					break;
			if (s == c->neasy)
				continue;
			r = slot[s];
			h->curl.multi_remove_handle(c->multi, c->easy[s]);
			slot[s] = NULL;
			running--;
			if (!finish(h, c->easy[s], r, cc))
				done++;
			finished++;
		}
		/* Freed slots are refilled before waiting again. */
		if (finished > 0)
			continue;
		if (running > 0 && (mc = h->curl.multi_poll(c->multi, NULL, 0,
		    wait < 1 ? 1 : (int)wait, NULL)) != CURLM_OK) {
			rc = tq_err_set(err, TQ_EIO, "libcurl: %s",
			    h->curl.multi_strerror(mc));
			goto out;
		}
	}
out:
	for (s = 0; s < c->neasy; s++)
		if (slot[s] != NULL)
			h->curl.multi_remove_handle(c->multi, c->easy[s]);
	free(slot);
	return rc;
}

int
http_run_one(struct http *h, struct http_req *r, struct tq_err *err)
{
	int rc;

	if ((rc = http_run(h, &r, 1, err)) != 0)
		return rc;
	if (r->rc != 0 && err != NULL)
		*err = r->err;
	return r->rc;
}

int
http_get_many(struct http *h, struct tq_store_req *reqs, size_t n,
    struct tq_err *err)
{
	struct http_req *hr = NULL, **hp = NULL;
	struct store_sink *sinks = NULL;
	size_t i, nv = 0;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((hr = calloc(n, sizeof(*hr))) == NULL ||
	    (hp = calloc(n, sizeof(*hp))) == NULL ||
	    (sinks = calloc(n, sizeof(*sinks))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!tq_store_key_valid(reqs[i].key)) {
			reqs[i].rc = tq_err_set(&reqs[i].err, TQ_EINVAL,
			    "%s: invalid key", reqs[i].key == NULL ? "(null)" :
			    reqs[i].key);
			continue;
		}
		sink_init(&sinks[i], SINK_BUF, reqs[i].off, reqs[i].len);
		sinks[i].buf = &reqs[i].buf;
		http_req_init(&hr[nv], "GET", reqs[i].key, reqs[i].key);
		hr[nv].sink = &sinks[i];
		hp[nv] = &hr[nv];
		nv++;
	}
	rc = http_run(h, hp, nv, err);
	for (i = 0, nv = 0; i < n; i++) {
		if (reqs[i].rc != 0)
			continue;
		reqs[i].rc = hr[nv].rc;
		reqs[i].err = hr[nv].err;
		http_req_release(&hr[nv++]);
	}
out:
	free(hr);
	free(hp);
	free(sinks);
	return rc;
}

const char *
http_what(char *w, size_t n, const char *verb, const char *key)
{
	snprintf(w, n, "%s %s", verb, key);
	return w;
}
