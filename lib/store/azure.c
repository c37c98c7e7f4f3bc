/*
 * azure.c: Azure Blob Storage (az://container/prefix) over its REST API,
 * authenticated with Shared Key (HMAC-SHA256 of the canonical request
 * with the account key) or a SAS token appended to every URL.
 * Credentials come from $AZURE_STORAGE_CONNECTION_STRING, or
 * $AZURE_STORAGE_ACCOUNT with $AZURE_STORAGE_KEY or
 * $AZURE_STORAGE_SAS_TOKEN.  Large uploads are block blobs: Put Block
 * for each part, then Put Block List, which makes the blob visible at
 * once; uncommitted blocks of a failed upload are never visible.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "store-int.h"

#define AZ_VERSION	"2021-08-06"
#define AZURITE_ACCOUNT	"devstoreaccount1"
#define AZURITE_KEY	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu" \
			"Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

struct az {
	struct tq_store	 base;
	struct http	 http;
	char		*account;
	unsigned char	 key[128];
	size_t		 keylen;
	char		*sas;		/* query string without '?', or NULL */
	char		*origin;	/* scheme://host[:port] */
	char		*basepath;	/* "" or "/devstoreaccount1" */
	char		*container;
	char		*prefix;	/* "" or ends in '/' */
};

static void
az_free(struct tq_store *s)
{
	struct az *a = (struct az *)s;

	if (a == NULL)
		return;
	http_release(&a->http);
	memset(a->key, 0, sizeof(a->key));
	free(a->account);
	if (a->sas != NULL)
		memset(a->sas, 0, strlen(a->sas));
	free(a->sas);
	free(a->origin);
	free(a->basepath);
	free(a->container);
	free(a->prefix);
	free(a);
}

static int
cmp_kv(const void *x, const void *y)
{
	return strcmp(((const struct store_kv *)x)->name,
	    ((const struct store_kv *)y)->name);
}

static int
add_header(const struct store_curl *c, struct curl_slist **l,
    const char *name, const char *value)
{
	char line[2048];
	struct curl_slist *t;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((t = c->slist_append(*l, line)) == NULL)
		return TQ_ENOMEM;
	*l = t;
	return 0;
}

static int
az_prepare(void *ctx, struct http_req *r, struct curl_slist **hdrs,
    struct tq_err *err)
{
	struct az *a = ctx;
	struct store_kv h[HTTP_MAX_KV + 4], q[HTTP_MAX_KV];
	struct tq_buf path, sts, auth;
	struct curl_slist *l = NULL;
	char date[64], clen[32];
	const char *ctype = "";
	unsigned char mac[32];
	struct tm tm;
	time_t now;
	int i, nh = 0, rc = TQ_ENOMEM;

	tq_buf_init(&path, 4 * TQ_STORE_MAX_KEY + 1024);
	tq_buf_init(&sts, 64 * 1024);
	tq_buf_init(&auth, 1024);
	if (tq_buf_printf(&path, "%s/", a->basepath) != 0 ||
	    uri_encode(&path, a->container, false) != 0)
		goto out;
	if (r->key != NULL && (tq_buf_putc(&path, '/') != 0 ||
	    uri_encode(&path, a->prefix, true) != 0 ||
	    uri_encode(&path, r->key, true) != 0))
		goto out;
	if (tq_buf_putc(&path, '\0') != 0)
		goto out;
	path.len--;
	if (tq_buf_printf(&r->url, "%s%s", a->origin, (char *)path.data) != 0)
		goto out;
	for (i = 0; i < r->nq; i++)
		if (tq_buf_putc(&r->url, i == 0 ? '?' : '&') != 0 ||
		    uri_encode(&r->url, r->q[i].name, false) != 0 ||
		    tq_buf_putc(&r->url, '=') != 0 ||
		    uri_encode(&r->url, r->q[i].value, false) != 0)
			goto out;
	if (a->sas != NULL && tq_buf_printf(&r->url, "%c%s",
	    r->nq == 0 ? '?' : '&', a->sas) != 0)
		goto out;
	if (tq_buf_putc(&r->url, '\0') != 0)
		goto out;
	r->url.len--;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	h[nh++] = (struct store_kv){ "x-ms-date", date };
	h[nh++] = (struct store_kv){ "x-ms-version", AZ_VERSION };
	if (r->range[0] != '\0')
		h[nh++] = (struct store_kv){ "x-ms-range", r->range };
	for (i = 0; i < r->nh; i++) {
		if (strcmp(r->h[i].name, "content-type") == 0)
			ctype = r->h[i].value;
		else
			h[nh++] = r->h[i];
	}
	if (r->has_body && ctype[0] == '\0')
		ctype = "application/octet-stream";
	qsort(h, (size_t)nh, sizeof(*h), cmp_kv);
	for (i = 0; i < nh; i++)
		if (add_header(&a->http.curl, &l, h[i].name, h[i].value) != 0)
			goto out;
	if (ctype[0] != '\0' && add_header(&a->http.curl, &l, "Content-Type", ctype) != 0)
		goto out;

	if (a->sas == NULL) {
		clen[0] = '\0';
		if (r->has_body && r->body_len > 0)
			snprintf(clen, sizeof(clen), "%zu", r->body_len);
		if (tq_buf_printf(&sts, "%s\n\n\n%s\n\n%s\n\n\n\n\n\n\n",
		    r->method, clen, ctype) != 0)
			goto out;
		for (i = 0; i < nh; i++)
			if (tq_buf_printf(&sts, "%s:%s\n", h[i].name,
			    h[i].value) != 0)
				goto out;
		if (tq_buf_printf(&sts, "/%s%s", a->account,
		    (char *)path.data) != 0)
			goto out;
		/* Our parameter names are lowercase and unique. */
		memcpy(q, r->q, (size_t)r->nq * sizeof(*q));
		qsort(q, (size_t)r->nq, sizeof(*q), cmp_kv);
		for (i = 0; i < r->nq; i++)
			if (tq_buf_printf(&sts, "\n%s:%s", q[i].name,
			    q[i].value) != 0)
				goto out;
		hmac_sha256(a->key, a->keylen, sts.data, sts.len, mac);
		if (tq_buf_printf(&auth, "SharedKey %s:", a->account) != 0 ||
		    base64_encode(&auth, mac, sizeof(mac), false) != 0 ||
		    add_header(&a->http.curl, &l, "Authorization", (char *)auth.data) != 0)
			goto out;
	}
	rc = 0;
out:
	tq_buf_release(&path);
	tq_buf_release(&sts);
	tq_buf_release(&auth);
	if (rc != 0) {
		a->http.curl.slist_free_all(l);
		return tq_err_set(err, rc, "%s: out of memory", r->what);
	}
	*hdrs = l;
	return 0;
}

static int
az_get(struct tq_store *s, const char *key, struct store_sink *k,
    struct tq_err *err)
{
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "GET", key, http_what(w, sizeof(w), "get", key));
	r.sink = k;
	rc = http_run_one(&((struct az *)s)->http, &r, err);
	http_req_release(&r);
	return rc;
}

static int
az_head(struct tq_store *s, const char *key, uint64_t *size,
    struct tq_err *err)
{
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "HEAD", key, http_what(w, sizeof(w), "head", key));
	if ((rc = http_run_one(&((struct az *)s)->http, &r, err)) == 0)
		*size = r.content_length;
	http_req_release(&r);
	return rc;
}

static int
az_put(struct tq_store *s, const char *key, const void *data, size_t len,
    struct tq_err *err)
{
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "PUT", key, http_what(w, sizeof(w), "put", key));
	http_req_header(&r, "x-ms-blob-type", "BlockBlob");
	r.body = data;
	r.body_len = len;
	r.has_body = true;
	rc = http_run_one(&((struct az *)s)->http, &r, err);
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

/* block_id writes the base64 id of block i (all ids have one length). */
static void
block_id(size_t i, char out[32])
{
	struct tq_buf b;
	char raw[16];

	snprintf(raw, sizeof(raw), "tq-%08zu", i);
	tq_buf_init(&b, 64);
	if (base64_encode(&b, raw, strlen(raw), false) == 0)
		snprintf(out, 32, "%s", (char *)b.data);
	else
		out[0] = '\0';
	tq_buf_release(&b);
}

static int
az_put_fd(struct tq_store *s, const char *key, int fd, struct tq_err *err)
{
	struct az *a = (struct az *)s;
	size_t psize = s->opts.part_size, conc = (size_t)s->opts.concurrency;
	unsigned char **bufs = NULL;
	size_t *lens = NULL, nblocks = 0, i, nb = 0;
	char ids[16][32], w[TQ_STORE_MAX_KEY + 32];
	struct http_req *reqs = NULL, **rp = NULL, r;
	struct tq_buf body;
	bool eof = false;
	ssize_t n;
	int rc = 0;

	tq_buf_init(&body, TQ_STORE_MAX_RESPONSE);
	if (conc > 16)
		conc = 16;
	if (conc < 2)
		conc = 2;
	if ((bufs = calloc(conc, sizeof(*bufs))) == NULL ||
	    (lens = calloc(conc, sizeof(*lens))) == NULL ||
	    (reqs = calloc(conc, sizeof(*reqs))) == NULL ||
	    (rp = calloc(conc, sizeof(*rp))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "put %s: out of memory", key);
		goto out;
	}
	for (i = 0; i < conc; i++)
		if ((bufs[i] = malloc(psize)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "put %s: out of memory",
			    key);
			goto out;
		}
	if (tq_buf_puts(&body,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>") != 0) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		while (nb < conc && !eof) {
			if ((n = read_full(fd, bufs[nb], psize)) == -1) {
				rc = tq_err_sys(err, "read");
				goto out;
			}
			lens[nb] = (size_t)n;
			if ((size_t)n < psize)
				eof = true;
			if (n > 0 || (nblocks == 0 && nb == 0))
				nb++;
		}
		/* Everything in one part: a plain Put Blob. */
		if (nblocks == 0 && nb == 1 && eof) {
			rc = az_put(s, key, bufs[0], lens[0], err);
			goto out;
		}
		if (nb == 0)
			break;
		if (nblocks + nb > TQ_STORE_MAX_PARTS) {
			rc = tq_err_set(err, TQ_ELIMIT,
			    "put %s: more than %d blocks of %zu bytes", key,
			    TQ_STORE_MAX_PARTS, psize);
			goto out;
		}
		for (i = 0; i < nb; i++) {
			block_id(nblocks + i, ids[i]);
			http_req_init(&reqs[i], "PUT", key, http_what(w, sizeof(w),
			    "put block of", key));
			http_req_query(&reqs[i], "comp", "block");
			http_req_query(&reqs[i], "blockid", ids[i]);
			reqs[i].body = bufs[i];
			reqs[i].body_len = lens[i];
			reqs[i].has_body = true;
			rp[i] = &reqs[i];
		}
		rc = http_run(&a->http, rp, nb, err);
		for (i = 0; i < nb; i++) {
			if (rc == 0 && reqs[i].rc != 0) {
				rc = reqs[i].rc;
				if (err != NULL)
					*err = reqs[i].err;
			}
			http_req_release(&reqs[i]);
			if (rc == 0 && tq_buf_printf(&body,
			    "<Latest>%s</Latest>", ids[i]) != 0)
				rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		}
		if (rc != 0)
			goto out;
		nblocks += nb;
		nb = 0;
		if (eof)
			break;
	}
	if (tq_buf_puts(&body, "</BlockList>") != 0) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	http_req_init(&r, "PUT", key, http_what(w, sizeof(w), "put block list",
	    key));
	http_req_query(&r, "comp", "blocklist");
	http_req_header(&r, "content-type", "application/xml");
	r.body = body.data;
	r.body_len = body.len;
	r.has_body = true;
	rc = http_run_one(&a->http, &r, err);
	http_req_release(&r);
out:
	if (bufs != NULL)
		for (i = 0; i < conc; i++)
			free(bufs[i]);
	free(bufs);
	free(lens);
	free(reqs);
	free(rp);
	tq_buf_release(&body);
	return rc;
}

struct list_state {
	struct az	*a;
	tq_store_list_fn fn;
	void		*arg;
	char		*name;
	uint64_t	 size;
	char		*marker;
};

static int
emit(struct list_state *st, const char *full, uint64_t size, bool pfx)
{
	size_t pl = strlen(st->a->prefix);

	if (strncmp(full, st->a->prefix, pl) != 0 || full[pl] == '\0')
		return 0;
	return st->fn(st->arg, full + pl, size, pfx);
}

static int
list_xml(void *arg, const char *path, const char *text, size_t len)
{
	struct list_state *st = arg;
	int rc;

	if (strncmp(path, "EnumerationResults/", 19) != 0)
		return 0;
	path += 19;
	if (strcmp(path, "Blobs/Blob/Name") == 0) {
		free(st->name);
		if ((st->name = strdup(text)) == NULL)
			return TQ_ENOMEM;
	} else if (strcmp(path, "Blobs/Blob/Properties/Content-Length") == 0)
		st->size = strtoull(text, NULL, 10);
	else if (strcmp(path, "Blobs/Blob") == 0 && st->name != NULL) {
		rc = emit(st, st->name, st->size, false);
		free(st->name);
		st->name = NULL;
		st->size = 0;
		return rc;
	} else if (strcmp(path, "Blobs/BlobPrefix/Name") == 0)
		return emit(st, text, 0, true);
	else if (strcmp(path, "NextMarker") == 0 && len > 0) {
		free(st->marker);
		if ((st->marker = strdup(text)) == NULL)
			return TQ_ENOMEM;
	}
	return 0;
}

static int
az_list(struct tq_store *s, const char *prefix, const char *delim,
    tq_store_list_fn fn, void *arg, struct tq_err *err)
{
	struct az *a = (struct az *)s;
	struct list_state st;
	struct http_req r;
	char *full = NULL, *marker = NULL;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	st.a = a;
	st.fn = fn;
	st.arg = arg;
	if ((full = store_prefix_join(a->prefix, prefix)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "list: out of memory");
	do {
		http_req_init(&r, "GET", NULL, "list");
		r.resp.max = TQ_STORE_MAX_RESPONSE;
		http_req_query(&r, "restype", "container");
		http_req_query(&r, "comp", "list");
		if (full[0] != '\0')
			http_req_query(&r, "prefix", full);
		if (delim != NULL)
			http_req_query(&r, "delimiter", delim);
		if (marker != NULL)
			http_req_query(&r, "marker", marker);
		rc = http_run_one(&a->http, &r, err);
		if (rc == 0) {
			rc = xml_walk((char *)r.resp.data, r.resp.len, list_xml,
			    &st, err);
			if (rc == TQ_ENOMEM)
				tq_err_set(err, rc, "list: out of memory");
		}
		http_req_release(&r);
		free(marker);
		marker = st.marker;
		st.marker = NULL;
	} while (rc == 0 && marker != NULL);
	free(marker);
	free(st.name);
	free(full);
	return rc;
}

static int
az_del(struct tq_store *s, const char *key, struct tq_err *err)
{
	struct http_req r;
	char w[TQ_STORE_MAX_KEY + 16];
	int rc;

	http_req_init(&r, "DELETE", key, http_what(w, sizeof(w), "delete", key));
	rc = http_run_one(&((struct az *)s)->http, &r, err);
	http_req_release(&r);
	if (rc == TQ_ENOTFOUND) {
		tq_err_clear(err);
		rc = 0;
	}
	return rc;
}

static int
az_del_many(struct tq_store *s, const char *const *keys, size_t n,
    struct tq_err *err)
{
	struct az *a = (struct az *)s;
	struct http_req *hr = NULL, **hp = NULL;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((hr = calloc(n, sizeof(*hr))) == NULL ||
	    (hp = calloc(n, sizeof(*hp))) == NULL) {
		free(hr);
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		http_req_init(&hr[i], "DELETE", keys[i], keys[i]);
		hp[i] = &hr[i];
	}
	rc = http_run(&a->http, hp, n, err);
	for (i = 0; i < n; i++) {
		if (rc == 0 && hr[i].rc != 0 && hr[i].rc != TQ_ENOTFOUND) {
			rc = hr[i].rc;
			if (err != NULL)
				*err = hr[i].err;
		}
		http_req_release(&hr[i]);
	}
	free(hr);
	free(hp);
	return rc;
}

static int
az_get_many(struct tq_store *s, struct tq_store_req *reqs, size_t n,
    struct tq_err *err)
{
	return http_get_many(&((struct az *)s)->http, reqs, n, err);
}

static const struct store_ops az_ops = {
	.kind = "az",
	.free = az_free,
	.get = az_get,
	.head = az_head,
	.put = az_put,
	.put_fd = az_put_fd,
	.list = az_list,
	.del = az_del,
	.del_many = az_del_many,
	.get_many = az_get_many,
};

/* cs_get finds name's value in a connection string ("k=v;k=v"). */
static char *
cs_get(const char *cs, const char *name)
{
	size_t nl = strlen(name);
	const char *p = cs, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, ';');
		if (strncasecmp(p, name, nl) == 0 && p[nl] == '=')
			return strndup(p + nl + 1, end != NULL ?
			    (size_t)(end - p - nl - 1) : strlen(p + nl + 1));
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
store_azure_open(const char *rest, const struct tq_store_opts *o,
    struct tq_store **out, struct tq_err *err)
{
	const char *slash = strchr(rest, '/'), *cs, *ep = o->endpoint;
	char *key = NULL, *proto = NULL, *suffix = NULL, *blobep = NULL,
	    *dev = NULL, *origin = NULL;
	struct az *a;
	size_t pl;
	int rc = 0;

	if (slash == rest || *rest == '\0')
		return tq_err_set(err, TQ_EINVAL, "az://%s: no container name",
		    rest);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	a->base.ops = &az_ops;
	a->base.opts = *o;
	a->container = strndup(rest, slash != NULL ? (size_t)(slash - rest) :
	    strlen(rest));
	pl = slash != NULL ? strlen(slash + 1) : 0;
	if ((a->prefix = malloc(pl + 2)) != NULL)
		snprintf(a->prefix, pl + 2, "%s%s", slash != NULL ? slash + 1 :
		    "", pl > 0 && slash[pl] != '/' ? "/" : "");
	if ((cs = env("AZURE_STORAGE_CONNECTION_STRING")) != NULL) {
		dev = cs_get(cs, "UseDevelopmentStorage");
		if (dev != NULL && strcasecmp(dev, "true") == 0) {
			a->account = strdup(AZURITE_ACCOUNT);
			key = strdup(AZURITE_KEY);
			blobep = strdup("http://127.0.0.1:10000/" AZURITE_ACCOUNT);
		} else {
			a->account = cs_get(cs, "AccountName");
			key = cs_get(cs, "AccountKey");
			a->sas = cs_get(cs, "SharedAccessSignature");
			blobep = cs_get(cs, "BlobEndpoint");
			proto = cs_get(cs, "DefaultEndpointsProtocol");
			suffix = cs_get(cs, "EndpointSuffix");
		}
	} else {
		const char *v;

		if ((v = env("AZURE_STORAGE_ACCOUNT")) != NULL)
			a->account = strdup(v);
		if ((v = env("AZURE_STORAGE_KEY")) != NULL)
			key = strdup(v);
		else if ((v = env("AZURE_STORAGE_SAS_TOKEN")) != NULL)
			a->sas = strdup(v[0] == '?' ? v + 1 : v);
	}
	if (a->container == NULL || a->prefix == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	if (a->account == NULL && (ep == NULL && blobep == NULL)) {
		rc = tq_err_set(err, TQ_EINVAL, "az://%s: no account "
		    "(AZURE_STORAGE_ACCOUNT or AZURE_STORAGE_CONNECTION_STRING)",
		    a->container);
		goto out;
	}
	if (key == NULL && a->sas == NULL) {
		rc = tq_err_set(err, TQ_EINVAL, "az://%s: no credentials "
		    "(AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or "
		    "AZURE_STORAGE_CONNECTION_STRING)", a->container);
		goto out;
	}
	if (key != NULL && (base64_decode(key, a->key, sizeof(a->key),
	    &a->keylen) != 0 || a->keylen == 0)) {
		rc = tq_err_set(err, TQ_EINVAL,
		    "az://%s: the account key is not base64", a->container);
		goto out;
	}
	/* A SAS needs no account name, if the endpoint is given. */
	if (a->account == NULL && (a->sas == NULL || (ep == NULL &&
	    blobep == NULL))) {
		rc = tq_err_set(err, TQ_EINVAL, "az://%s: no account name",
		    a->container);
		goto out;
	}
	if (ep == NULL)
		ep = blobep;
	if (ep == NULL) {
		size_t n = strlen(a->account) + 64 +
		    (suffix != NULL ? strlen(suffix) : 0);

		if ((origin = malloc(n)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
			goto out;
		}
		snprintf(origin, n, "%s://%s.blob.%s",
		    proto != NULL ? proto : "https", a->account,
		    suffix != NULL ? suffix : "core.windows.net");
		ep = origin;
	}
	{
		const char *hs = strstr(ep, "://"), *ps;
		size_t el = strlen(ep);

		if (hs == NULL || (strncmp(ep, "http://", 7) != 0 &&
		    strncmp(ep, "https://", 8) != 0)) {
			rc = tq_err_set(err, TQ_EINVAL,
			    "%s: the endpoint must be an http:// or https:// URL",
			    ep);
			goto out;
		}
		while (el > 0 && ep[el - 1] == '/')
			el--;
		ps = memchr(hs + 3, '/', el - (size_t)(hs + 3 - ep));
		if (ps == NULL)
			ps = ep + el;
		a->origin = strndup(ep, (size_t)(ps - ep));
		a->basepath = strndup(ps, (size_t)(ep + el - ps));
		if (a->origin == NULL || a->basepath == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
			goto out;
		}
	}
	rc = http_init(&a->http, &a->base.opts, az_prepare, a, err);
out:
	if (key != NULL)
		memset(key, 0, strlen(key));
	free(key);
	free(proto);
	free(suffix);
	free(blobep);
	free(dev);
	free(origin);
	if (rc != 0) {
		az_free(&a->base);
		return rc;
	}
	*out = &a->base;
	return 0;
}
