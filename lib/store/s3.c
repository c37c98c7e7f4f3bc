/*
 * s3.c: the S3 backend (s3://bucket/prefix), also used for GCS's XML
 * API (gcs.c).  Requests are signed with AWS Signature V4 (sigv4.c), or
 * carry an OAuth2 bearer token for GCS.  Path-style URLs
 * (endpoint/bucket/key) are used with an endpoint override or when asked
 * for; otherwise virtual-hosted ones (bucket.s3.region.amazonaws.com).
 * Large uploads are multipart uploads, aborted on failure, so a failed
 * put never leaves an object behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "limits.h"
#include "store-int.h"

struct s3 {
	struct tq_store	 base;
	struct http	 http;
	const char	*kind;
	char		*bucket;
	char		*prefix;	/* "" or ends in '/' */
	char		*scheme;	/* "https" */
	char		*hostport;	/* endpoint host[:port] */
	char		*region;
	char		*access, *secret, *token, *bearer;
	bool		 path_style;
	bool		 multi_delete;
};

static void
s3_free(struct tq_store *s)
{
	struct s3 *b = (struct s3 *)s;

	if (b == NULL)
		return;
	http_release(&b->http);
	free(b->bucket);
	free(b->prefix);
	free(b->scheme);
	free(b->hostport);
	free(b->region);
	free(b->access);
	if (b->secret != NULL)
		memset(b->secret, 0, strlen(b->secret));
	free(b->secret);
	free(b->token);
	free(b->bearer);
	free(b);
}

/* s3_prepare builds the URL and signed headers of one attempt. */
static int
s3_prepare(void *ctx, struct http_req *r, struct curl_slist **hdrs,
    struct tq_err *err)
{
	struct s3 *b = ctx;
	struct store_kv sh[HTTP_MAX_KV + 4];
	struct tq_buf path, line, auth;
	char host[512], amzdate[32];
	const char *empty_hash =
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	struct curl_slist *l = NULL, *t;
	struct tm tm;
	time_t now;
	int i, ns = 0, rc = TQ_ENOMEM;

	tq_buf_init(&path, 4 * TQ_STORE_MAX_KEY + 1024);
	tq_buf_init(&line, 64 * 1024);
	tq_buf_init(&auth, 4096);
	if (b->path_style)
		snprintf(host, sizeof(host), "%s", b->hostport);
	else
		snprintf(host, sizeof(host), "%s.%s", b->bucket, b->hostport);
	if (tq_buf_putc(&path, '/') != 0)
		goto out;
	/* Bucket requests go to "/bucket" (path-style) or "/". */
	if (b->path_style && uri_encode(&path, b->bucket, false) != 0)
		goto out;
	if (r->key != NULL && ((b->path_style && tq_buf_putc(&path, '/') != 0) ||
	    uri_encode(&path, b->prefix, true) != 0 ||
	    uri_encode(&path, r->key, true) != 0))
		goto out;
	if (tq_buf_putc(&path, '\0') != 0)
		goto out;
	if (tq_buf_printf(&r->url, "%s://%s%s", b->scheme, host,
	    (char *)path.data) != 0)
		goto out;
	for (i = 0; i < r->nq; i++) {
		if (tq_buf_putc(&r->url, i == 0 ? '?' : '&') != 0 ||
		    uri_encode(&r->url, r->q[i].name, false) != 0)
			goto out;
		/* "?uploads" and "?delete" are sent bare. */
		if (r->q[i].value[0] != '\0' && (tq_buf_putc(&r->url, '=') != 0 ||
		    uri_encode(&r->url, r->q[i].value, false) != 0))
			goto out;
	}
	if (tq_buf_putc(&r->url, '\0') != 0)
		goto out;
	r->url.len--;

	if (b->bearer != NULL) {
		if (tq_buf_printf(&auth, "Authorization: Bearer %s",
		    b->bearer) != 0 || (t = b->http.curl.slist_append(l,
		    (char *)auth.data)) == NULL)
			goto out;
		l = t;
	} else {
		if (r->payload_hash[0] == '\0') {
			if (r->has_body)
				sha256_hex(r->body, r->body_len, r->payload_hash);
			else
				snprintf(r->payload_hash,
				    sizeof(r->payload_hash), "%s", empty_hash);
		}
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(amzdate, sizeof(amzdate), "%Y%m%dT%H%M%SZ", &tm);
		sh[ns++] = (struct store_kv){ "host", host };
		sh[ns++] = (struct store_kv){ "x-amz-content-sha256",
		    r->payload_hash };
		sh[ns++] = (struct store_kv){ "x-amz-date", amzdate };
		if (b->token != NULL)
			sh[ns++] = (struct store_kv){ "x-amz-security-token",
			    b->token };
		for (i = 0; i < r->nh; i++)
			sh[ns++] = r->h[i];
		if (tq_buf_puts(&auth, "Authorization: ") != 0 ||
		    sigv4_sign(r->method, (char *)path.data, r->q, r->nq, sh, ns,
		    r->payload_hash, amzdate, b->region, "s3", b->access,
		    b->secret, &auth) != 0 || tq_buf_putc(&auth, '\0') != 0)
			goto out;
		if ((t = b->http.curl.slist_append(l, (char *)auth.data)) == NULL)
			goto out;
		l = t;
		for (i = 0; i < ns; i++) {
			tq_buf_reset(&line);
			if (tq_buf_printf(&line, "%s: %s", sh[i].name,
			    sh[i].value) != 0 ||
			    (t = b->http.curl.slist_append(l, (char *)line.data)) == NULL)
				goto out;
			l = t;
		}
	}
	if (b->bearer != NULL)
		for (i = 0; i < r->nh; i++) {
			tq_buf_reset(&line);
			if (tq_buf_printf(&line, "%s: %s", r->h[i].name,
			    r->h[i].value) != 0 ||
			    (t = b->http.curl.slist_append(l, (char *)line.data)) == NULL)
				goto out;
			l = t;
		}
	if (r->range[0] != '\0') {
		tq_buf_reset(&line);
		if (tq_buf_printf(&line, "Range: %s", r->range) != 0 ||
		    (t = b->http.curl.slist_append(l, (char *)line.data)) == NULL)
			goto out;
		l = t;
	}
	if (r->has_body && r->nh == 0) {
		if ((t = b->http.curl.slist_append(l,
		    "Content-Type: application/octet-stream")) == NULL)
			goto out;
		l = t;
	}
	rc = 0;
out:
	if (auth.data != NULL)
		memset(auth.data, 0, auth.cap);
	tq_buf_release(&auth);
	tq_buf_release(&path);
	tq_buf_release(&line);
	if (rc != 0) {
		b->http.curl.slist_free_all(l);
		return tq_err_set(err, rc, "%s: out of memory", r->what);
	}
	*hdrs = l;
	return 0;
}

static int
s3_get(struct tq_store *s, const char *key, struct store_sink *k,
    struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "GET", key, http_what(w, sizeof(w), "get", key));
	r.sink = k;
	rc = http_run_one(&b->http, &r, err);
	http_req_release(&r);
	return rc;
}

static int
s3_head(struct tq_store *s, const char *key, uint64_t *size,
    struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "HEAD", key, http_what(w, sizeof(w), "head", key));
	if ((rc = http_run_one(&b->http, &r, err)) == 0)
		*size = r.content_length;
	http_req_release(&r);
	return rc;
}

static int
s3_put(struct tq_store *s, const char *key, const void *data, size_t len,
    struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "PUT", key, http_what(w, sizeof(w), "put", key));
	r.body = data;
	r.body_len = len;
	r.has_body = true;
	rc = http_run_one(&b->http, &r, err);
	http_req_release(&r);
	return rc;
}

/* read_full reads up to n bytes from fd; returns the count or -1. */
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

struct upload_id {
	char	id[1024];
};

static int
upload_id_xml(void *arg, const char *path, const char *text, size_t len)
{
	struct upload_id *u = arg;

	if (strcmp(path, "InitiateMultipartUploadResult/UploadId") == 0 &&
	    len < sizeof(u->id))
		memcpy(u->id, text, len + 1);
	return 0;
}

struct complete_check {
	char	code[96];
	char	msg[256];
};

static int
complete_xml(void *arg, const char *path, const char *text, size_t len)
{
	struct complete_check *c = arg;

	(void)len;
	if (strcmp(path, "Error/Code") == 0)
		snprintf(c->code, sizeof(c->code), "%s", text);
	else if (strcmp(path, "Error/Message") == 0)
		snprintf(c->msg, sizeof(c->msg), "%s", text);
	return 0;
}

/*
 * s3_put_fd sends small data with one PUT and larger data as a
 * multipart upload, up to concurrency parts in flight.
 */
static int
s3_put_fd(struct tq_store *s, const char *key, int fd, struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
	size_t psize = s->opts.part_size, conc = (size_t)s->opts.concurrency;
	unsigned char **bufs = NULL;
	size_t *lens = NULL, nparts = 0, i, nb = 0;
	char **etags = NULL, w[TQ_STORE_MAX_KEY + 32], num[16][16];
	struct http_req *reqs = NULL, **rp = NULL, r;
	struct upload_id up;
	struct complete_check cc;
	struct tq_buf body;
	bool eof = false, started = false;
	ssize_t n;
	int rc = 0;

	tq_buf_init(&body, TQ_STORE_MAX_RESPONSE);
	memset(&up, 0, sizeof(up));
	if (conc > 16)
		conc = 16;
	if (conc < 2)
		conc = 2;
	if ((bufs = calloc(conc, sizeof(*bufs))) == NULL ||
	    (lens = calloc(conc, sizeof(*lens))) == NULL ||
	    (reqs = calloc(conc, sizeof(*reqs))) == NULL ||
	    (rp = calloc(conc, sizeof(*rp))) == NULL ||
	    (etags = calloc(TQ_STORE_MAX_PARTS, sizeof(*etags))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "put %s: out of memory", key);
		goto out;
	}
	for (i = 0; i < conc; i++)
		if ((bufs[i] = malloc(psize)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "put %s: out of memory",
			    key);
			goto out;
		}
	/* Read two parts ahead: one short part is a plain PUT. */
	for (nb = 0; nb < 2 && !eof; nb++) {
		if ((n = read_full(fd, bufs[nb], psize)) == -1) {
			rc = tq_err_sys(err, "read");
			goto out;
		}
		lens[nb] = (size_t)n;
		if ((size_t)n < psize)
			eof = true;
		if (n == 0 && nb > 0)
			break;
	}
	if (nb == 1 || lens[1] == 0) {
		rc = s3_put(s, key, bufs[0], lens[0], err);
		goto out;
	}

	http_req_init(&r, "POST", key, http_what(w, sizeof(w), "start upload", key));
	http_req_query(&r, "uploads", "");
	r.has_body = true;
	rc = http_run_one(&b->http, &r, err);
	memset(&up, 0, sizeof(up));
	if (rc == 0 && (rc = xml_walk((char *)r.resp.data, r.resp.len,
	    upload_id_xml, &up, err)) == 0 && up.id[0] == '\0')
		rc = tq_err_set(err, TQ_ECORRUPT, "start upload %s: no UploadId",
		    key);
	http_req_release(&r);
	if (rc != 0)
		goto out;
	started = true;

	for (;;) {
		/* Fill the batch, then send it. */
		while (nb < conc && !eof) {
			if ((n = read_full(fd, bufs[nb], psize)) == -1) {
				rc = tq_err_sys(err, "read");
				goto out;
			}
			lens[nb] = (size_t)n;
			if ((size_t)n < psize)
				eof = true;
			if (n > 0)
				nb++;
		}
		if (nb == 0)
			break;
		if (nparts + nb > TQ_STORE_MAX_PARTS) {
			rc = tq_err_set(err, TQ_ELIMIT,
			    "put %s: more than %d parts of %zu bytes", key,
			    TQ_STORE_MAX_PARTS, psize);
			goto out;
		}
		for (i = 0; i < nb; i++) {
			snprintf(num[i], sizeof(num[i]), "%zu", nparts + i + 1);
			http_req_init(&reqs[i], "PUT", key, http_what(w, sizeof(w),
			    "upload part of", key));
			http_req_query(&reqs[i], "partNumber", num[i]);
			http_req_query(&reqs[i], "uploadId", up.id);
			reqs[i].body = bufs[i];
			reqs[i].body_len = lens[i];
			reqs[i].has_body = true;
			rp[i] = &reqs[i];
		}
		rc = http_run(&b->http, rp, nb, err);
		for (i = 0; i < nb; i++) {
			if (rc == 0 && reqs[i].rc != 0) {
				rc = reqs[i].rc;
				if (err != NULL)
					*err = reqs[i].err;
			}
			if (rc == 0 && (etags[nparts + i] =
			    strdup(reqs[i].etag)) == NULL)
				rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
			http_req_release(&reqs[i]);
		}
		if (rc != 0)
			goto out;
		nparts += nb;
		nb = 0;
		if (eof)
			break;
	}

	if (tq_buf_puts(&body, "<CompleteMultipartUpload>") != 0) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nparts; i++)
		if (tq_buf_printf(&body, "<Part><PartNumber>%zu</PartNumber><ETag>",
		    i + 1) != 0 || xml_escape(&body, etags[i]) != 0 ||
		    tq_buf_puts(&body, "</ETag></Part>") != 0) {
			rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
			goto out;
		}
	if (tq_buf_puts(&body, "</CompleteMultipartUpload>") != 0) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	http_req_init(&r, "POST", key, http_what(w, sizeof(w), "complete upload",
	    key));
	http_req_query(&r, "uploadId", up.id);
	http_req_header(&r, "content-type", "application/xml");
	r.body = body.data;
	r.body_len = body.len;
	r.has_body = true;
	rc = http_run_one(&b->http, &r, err);
	/* A 200 may still carry an error in its body. */
	memset(&cc, 0, sizeof(cc));
	if (rc == 0 && r.resp.len > 0 && xml_walk((char *)r.resp.data,
	    r.resp.len, complete_xml, &cc, NULL) == 0 && cc.code[0] != '\0')
		rc = tq_err_set(err, TQ_EIO, "complete upload %s: %s: %s", key,
		    cc.code, cc.msg);
	http_req_release(&r);
	if (rc == 0)
		started = false;
out:
	if (started) {
		/* Abort; its own failure changes nothing for the caller. */
		http_req_init(&r, "DELETE", key, http_what(w, sizeof(w),
		    "abort upload", key));
		http_req_query(&r, "uploadId", up.id);
		http_run_one(&b->http, &r, NULL);
		http_req_release(&r);
	}
	if (bufs != NULL)
		for (i = 0; i < conc; i++)
			free(bufs[i]);
	if (etags != NULL)
		for (i = 0; i < TQ_STORE_MAX_PARTS; i++)
			free(etags[i]);
	free(etags);
	free(bufs);
	free(lens);
	free(reqs);
	free(rp);
	tq_buf_release(&body);
	return rc;
}

struct list_state {
	struct s3	*b;
	tq_store_list_fn fn;
	void		*arg;
	char		*key;
	uint64_t	 size;
	bool		 truncated;
	char		*token;
	int		 rc;
};

static int
emit(struct list_state *st, const char *full, uint64_t size, bool pfx)
{
	size_t pl = strlen(st->b->prefix);

	if (strncmp(full, st->b->prefix, pl) != 0 || full[pl] == '\0')
		return 0;	/* not ours: the service answered oddly */
	return st->fn(st->arg, full + pl, size, pfx);
}

static int
list_xml(void *arg, const char *path, const char *text, size_t len)
{
	struct list_state *st = arg;
	int rc;

	if (strncmp(path, "ListBucketResult/", 17) != 0)
		return 0;
	path += 17;
	if (strcmp(path, "Contents/Key") == 0) {
		free(st->key);
		if ((st->key = strdup(text)) == NULL)
			return TQ_ENOMEM;
	} else if (strcmp(path, "Contents/Size") == 0)
		st->size = strtoull(text, NULL, 10);
	else if (strcmp(path, "Contents") == 0 && st->key != NULL) {
		rc = emit(st, st->key, st->size, false);
		free(st->key);
		st->key = NULL;
		st->size = 0;
		return rc;
	} else if (strcmp(path, "CommonPrefixes/Prefix") == 0)
		return emit(st, text, 0, true);
	else if (strcmp(path, "IsTruncated") == 0)
		st->truncated = strcmp(text, "true") == 0;
	else if (strcmp(path, "NextContinuationToken") == 0) {
		free(st->token);
		if ((st->token = strndup(text, len)) == NULL)
			return TQ_ENOMEM;
	}
	return 0;
}

static int
s3_list(struct tq_store *s, const char *prefix, const char *delim,
    tq_store_list_fn fn, void *arg, struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
	struct list_state st;
	struct http_req r;
	char *full = NULL, *tok = NULL;
	int rc = 0, pages = 0;

	memset(&st, 0, sizeof(st));
	st.b = b;
	st.fn = fn;
	st.arg = arg;
	if ((full = store_prefix_join(b->prefix, prefix)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "list: out of memory");
	do {
		http_req_init(&r, "GET", NULL, "list");
		r.what = "list";
		r.resp.max = TQ_STORE_MAX_RESPONSE;
		http_req_query(&r, "list-type", "2");
		http_req_query(&r, "prefix", full);
		if (delim != NULL)
			http_req_query(&r, "delimiter", delim);
		if (tok != NULL)
			http_req_query(&r, "continuation-token", tok);
		rc = http_run_one(&b->http, &r, err);
		st.truncated = false;
		if (rc == 0) {
			rc = xml_walk((char *)r.resp.data, r.resp.len, list_xml,
			    &st, err);
			if (rc == TQ_ENOMEM)
				tq_err_set(err, rc, "list: out of memory");
		}
		http_req_release(&r);
		free(tok);
		tok = st.token;
		st.token = NULL;
		if (rc == 0 && st.truncated && tok == NULL)
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "list: truncated page without a continuation token");
	} while (rc == 0 && st.truncated && ++pages < 1000000);
	free(st.key);
	free(tok);
	free(full);
	return rc;
}

static int
s3_del(struct tq_store *s, const char *key, struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
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

struct del_result {
	char	key[TQ_STORE_MAX_KEY + 1];
	char	code[96];
	char	msg[256];
	bool	any;
};

static int
del_xml(void *arg, const char *path, const char *text, size_t len)
{
	struct del_result *d = arg;

	(void)len;
	if (d->any)
		return 0;
	if (strcmp(path, "DeleteResult/Error/Key") == 0)
		snprintf(d->key, sizeof(d->key), "%s", text);
	else if (strcmp(path, "DeleteResult/Error/Code") == 0)
		snprintf(d->code, sizeof(d->code), "%s", text);
	else if (strcmp(path, "DeleteResult/Error/Message") == 0)
		snprintf(d->msg, sizeof(d->msg), "%s", text);
	else if (strcmp(path, "DeleteResult/Error") == 0)
		d->any = true;
	return 0;
}

static int
s3_del_many(struct tq_store *s, const char *const *keys, size_t n,
    struct tq_err *err)
{
	struct s3 *b = (struct s3 *)s;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct del_result d;
	struct tq_buf body, md5;
	struct http_req r;
	size_t i, j, m;
	int rc = 0;

	if (!b->multi_delete) {
		for (i = 0; i < n; i++)
			if ((rc = s3_del(s, keys[i], err)) != 0)
				return rc;
		return 0;
	}
	tq_buf_init(&body, TQ_STORE_MAX_RESPONSE);
	tq_buf_init(&md5, 64);
	for (i = 0; i < n && rc == 0; i += m) {
		m = n - i < 1000 ? n - i : 1000;
		tq_buf_reset(&body);
		tq_buf_reset(&md5);
		if (tq_buf_puts(&body, "<Delete><Quiet>true</Quiet>") != 0)
			goto nomem;
		for (j = i; j < i + m; j++)
			if (tq_buf_puts(&body, "<Object><Key>") != 0 ||
			    xml_escape(&body, b->prefix) != 0 ||
			    xml_escape(&body, keys[j]) != 0 ||
			    tq_buf_puts(&body, "</Key></Object>") != 0)
				goto nomem;
		if (tq_buf_puts(&body, "</Delete>") != 0)
			goto nomem;
		if (EVP_Digest(body.data, body.len, md, &mdlen, EVP_md5(),
		    NULL) != 1 || base64_encode(&md5, md, mdlen, false) != 0)
			goto nomem;
		http_req_init(&r, "POST", NULL, "delete objects");
		http_req_query(&r, "delete", "");
		http_req_header(&r, "content-md5", (char *)md5.data);
		http_req_header(&r, "content-type", "application/xml");
		r.body = body.data;
		r.body_len = body.len;
		r.has_body = true;
		rc = http_run_one(&b->http, &r, err);
		memset(&d, 0, sizeof(d));
		if (rc == 0 && xml_walk((char *)r.resp.data, r.resp.len,
		    del_xml, &d, NULL) == 0 && d.any)
			rc = tq_err_set(err, TQ_EIO, "delete %s: %s: %s", d.key,
			    d.code, d.msg);
		http_req_release(&r);
	}
	tq_buf_release(&body);
	tq_buf_release(&md5);
	return rc;
nomem:
	tq_buf_release(&body);
	tq_buf_release(&md5);
	return tq_err_set(err, TQ_ENOMEM, "delete: out of memory");
}

static int
s3_get_many(struct tq_store *s, struct tq_store_req *reqs, size_t n,
    struct tq_err *err)
{
	return http_get_many(&((struct s3 *)s)->http, reqs, n, err);
}

static const struct store_ops s3_ops = {
	.kind = "s3",
	.free = s3_free,
	.get = s3_get,
	.head = s3_head,
	.put = s3_put,
	.put_fd = s3_put_fd,
	.list = s3_list,
	.del = s3_del,
	.del_many = s3_del_many,
	.get_many = s3_get_many,
};

static const struct store_ops gs_ops = {
	.kind = "gs",
	.free = s3_free,
	.get = s3_get,
	.head = s3_head,
	.put = s3_put,
	.put_fd = s3_put_fd,
	.list = s3_list,
	.del = s3_del,
	.del_many = s3_del_many,
	.get_many = s3_get_many,
};

static char *
dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = true;
	return d;
}

int
store_s3_new(const struct s3_params *p, const struct tq_store_opts *o,
    struct tq_store **out, struct tq_err *err)
{
	const char *ep = p->endpoint, *hp;
	struct s3 *b;
	bool fail = false;
	size_t pl;
	int rc;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	b->base.ops = strcmp(p->kind, "gs") == 0 ? &gs_ops : &s3_ops;
	b->base.opts = *o;
	b->kind = p->kind;
	b->path_style = p->path_style;
	b->multi_delete = p->multi_delete;
	if ((hp = strstr(ep, "://")) == NULL ||
	    (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0)) {
		s3_free(&b->base);
		return tq_err_set(err, TQ_EINVAL,
		    "%s: the endpoint must be an http:// or https:// URL", ep);
	}
	b->scheme = strndup(ep, (size_t)(hp - ep));
	b->hostport = strdup(hp + 3);
	if (b->hostport != NULL) {
		pl = strlen(b->hostport);
		while (pl > 0 && b->hostport[pl - 1] == '/')
			b->hostport[--pl] = '\0';
		if (pl == 0 || strchr(b->hostport, '/') != NULL) {
			s3_free(&b->base);
			return tq_err_set(err, TQ_EINVAL,
			    "%s: the endpoint takes no path", ep);
		}
	}
	b->bucket = dup_or_null(p->bucket, &fail);
	pl = strlen(p->prefix);
	if ((b->prefix = malloc(pl + 2)) != NULL)
		snprintf(b->prefix, pl + 2, "%s%s", p->prefix,
		    pl > 0 && p->prefix[pl - 1] != '/' ? "/" : "");
	b->region = dup_or_null(p->region, &fail);
	b->access = dup_or_null(p->access, &fail);
	b->secret = dup_or_null(p->secret, &fail);
	b->token = dup_or_null(p->token, &fail);
	b->bearer = dup_or_null(p->bearer, &fail);
	if (fail || b->scheme == NULL || b->hostport == NULL ||
	    b->prefix == NULL) {
		s3_free(&b->base);
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	}
	if ((rc = http_init(&b->http, &b->base.opts, s3_prepare, b, err)) != 0) {
		s3_free(&b->base);
		return rc;
	}
	*out = &b->base;
	return 0;
}

/* bucket_split splits "bucket/prefix" into new strings. */
static int
bucket_split(const char *rest, char **bucket, char **prefix,
    struct tq_err *err)
{
	const char *slash = strchr(rest, '/');
	size_t bl = slash != NULL ? (size_t)(slash - rest) : strlen(rest);

	if (bl == 0 || bl > 255)
		return tq_err_set(err, TQ_EINVAL, "%s: no bucket name", rest);
	if ((*bucket = strndup(rest, bl)) == NULL ||
	    (*prefix = strdup(slash != NULL ? slash + 1 : "")) == NULL) {
		free(*bucket);
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	}
	return 0;
}

int
store_s3_open(const char *rest, const struct tq_store_opts *o,
    struct tq_store **out, struct tq_err *err)
{
	struct s3_params p;
	char *bucket = NULL, *prefix = NULL, ep[512];
	const char *env;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((rc = bucket_split(rest, &bucket, &prefix, err)) != 0)
		return rc;
	p.kind = "s3";
	p.bucket = bucket;
	p.prefix = prefix;
	p.region = o->region;
	if (p.region == NULL && ((env = getenv("AWS_REGION")) == NULL ||
	    *env == '\0'))
		env = getenv("AWS_DEFAULT_REGION");
	if (p.region == NULL)
		p.region = env != NULL && *env != '\0' ? env : "us-east-1";
	p.access = getenv("AWS_ACCESS_KEY_ID");
	p.secret = getenv("AWS_SECRET_ACCESS_KEY");
	p.token = getenv("AWS_SESSION_TOKEN");
	if (p.token != NULL && *p.token == '\0')
		p.token = NULL;
	p.endpoint = o->endpoint;
	if (p.endpoint == NULL && (((env = getenv("AWS_ENDPOINT_URL_S3")) !=
	    NULL && *env != '\0') || ((env = getenv("AWS_ENDPOINT_URL")) !=
	    NULL && *env != '\0')))
		p.endpoint = env;
	/* Custom endpoints (MinIO, emulators) want path-style URLs. */
	if (o->addressing == TQ_STORE_ADDR_AUTO)
		p.path_style = p.endpoint != NULL || strchr(bucket, '.') != NULL;
	else
		p.path_style = o->addressing == TQ_STORE_ADDR_PATH;
	if (p.endpoint == NULL) {
		snprintf(ep, sizeof(ep), "https://s3.%s.amazonaws.com", p.region);
		p.endpoint = ep;
	}
	p.multi_delete = true;
	if (p.access == NULL || *p.access == '\0' || p.secret == NULL ||
	    *p.secret == '\0')
		rc = tq_err_set(err, TQ_EINVAL,
		    "s3://%s: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set",
		    bucket);
	else
		rc = store_s3_new(&p, o, out, err);
	free(bucket);
	free(prefix);
	return rc;
}
