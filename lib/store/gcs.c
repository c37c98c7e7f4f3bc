/*
 * gcs.c: Google Cloud Storage (gs://bucket/prefix) at
 * storage.googleapis.com: credentials, and the choice of API.
 * Credentials, in this order: an OAuth2 access token
 * ($GOOGLE_OAUTH_ACCESS_TOKEN), HMAC keys ($GCS_HMAC_ACCESS_KEY_ID,
 * $GCS_HMAC_SECRET), or a service-account key file
 * ($GOOGLE_APPLICATION_CREDENTIALS): a JWT signed with RS256 is exchanged
 * at the file's token_uri for a token.  A token speaks the JSON API
 * (gcs-json.c); HMAC keys the S3-interoperable XML API (s3.c, SigV4
 * signing, no multi-object delete).  opts.gcs_api or $TEMPO_GCS_API
 * forces one: the XML API also takes a token, the JSON API no HMAC keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "limits.h"
#include "store-int.h"

#define GCS_SCOPE "https://www.googleapis.com/auth/devstorage.read_write"

int
gcs_jwt(const char *client_email, const char *pem, const char *token_uri,
    const char *scope, int64_t now, struct tq_buf *out, struct tq_err *err)
{
	static const char header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	BIO *bio = NULL;
	json_t *claims = NULL;
	char *cj = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0, start = out->len;
	int rc = 0;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
		rc = tq_err_set(err, TQ_EINVAL,
		    "service account: unreadable private key");
		goto out;
	}
	if ((claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss",
	    client_email, "scope", scope, "aud", token_uri, "iat",
	    (json_int_t)now, "exp", (json_int_t)(now + 3600))) == NULL ||
	    (cj = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "jwt: out of memory");
		goto out;
	}
	if (base64_encode(out, header, strlen(header), true) != 0 ||
	    tq_buf_putc(out, '.') != 0 ||
	    base64_encode(out, cj, strlen(cj), true) != 0) {
		rc = tq_err_set(err, TQ_ENOMEM, "jwt: out of memory");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, out->data + start,
	    out->len - start) != 1 || (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(md, sig, &siglen, out->data + start,
	    out->len - start) != 1) {
		rc = tq_err_set(err, TQ_EINVAL,
		    "service account: RS256 signing failed (not an RSA key?)");
		goto out;
	}
	if (tq_buf_putc(out, '.') != 0 ||
	    base64_encode(out, sig, siglen, true) != 0)
		rc = tq_err_set(err, TQ_ENOMEM, "jwt: out of memory");
out:
	free(sig);
	free(cj);
	json_decref(claims);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return rc;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	return tq_buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/* read_keyfile reads the key file at path into b (capped). */
static int
read_keyfile(const char *path, struct tq_buf *b, struct tq_err *err)
{
	char chunk[4096];
	ssize_t n;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return tq_err_set(err, TQ_EINVAL, "%s: %s", path,
		    strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = tq_err_set(err, TQ_EINVAL, "%s: %s", path,
			    strerror(errno));
			break;
		}
		if (tq_buf_append(b, chunk, (size_t)n) != 0) {
			rc = tq_err_set(err, TQ_EINVAL,
			    "%s: larger than %zu bytes: not a key file", path,
			    b->max);
			break;
		}
	}
	memset(chunk, 0, sizeof(chunk));
	close(fd);
	return rc;
}

/*
 * exchange trades the service account in the key file at path for an
 * access token (a new string in *token).
 */
static int
exchange(const char *path, const struct tq_store_opts *o, char **token,
    struct tq_err *err)
{
	json_error_t je;
	json_t *kf = NULL, *ans = NULL;
	const char *email, *pem, *uri, *tok;
	struct tq_buf jwt, form, resp, text;
	struct store_curl c;
	struct curl_slist *hd = NULL;
	CURL *e = NULL;
	CURLcode cc;
	long status = 0;
	int rc = 0;

	tq_buf_init(&jwt, 64 * 1024);
	tq_buf_init(&form, 64 * 1024);
	tq_buf_init(&resp, TQ_STORE_MAX_ERRBODY);
	tq_buf_init(&text, TQ_STORE_MAX_KEYFILE);
	memset(&c, 0, sizeof(c));
	if ((rc = store_curl_open(&c, err)) != 0)
		goto out;
	if (c.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = tq_err_set(err, TQ_EIO, "libcurl initialisation failed");
		goto out;
	}
	if ((rc = read_keyfile(path, &text, err)) != 0)
		goto out;
	if ((kf = json_loadb((char *)text.data, text.len,
	    JSON_REJECT_DUPLICATES, &je)) == NULL) {
		rc = tq_err_set(err, TQ_EINVAL, "%s: line %d: %s", path,
		    je.line, je.text);
		goto out;
	}
	if (json_unpack_ex(kf, &je, 0, "{s:s, s:s, s:s}", "client_email",
	    &email, "private_key", &pem, "token_uri", &uri) != 0) {
		rc = tq_err_set(err, TQ_EINVAL, "%s: not a service-account key: %s",
		    path, je.text);
		goto out;
	}
	if ((rc = gcs_jwt(email, pem, uri, GCS_SCOPE, (int64_t)time(NULL),
	    &jwt, err)) != 0)
		goto out;
	if (tq_buf_puts(&form, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3A"
	    "grant-type%3Ajwt-bearer&assertion=") != 0 ||
	    tq_buf_append(&form, jwt.data, jwt.len) != 0) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	if ((e = c.easy_init()) == NULL || (hd = c.slist_append(NULL,
	    "Content-Type: application/x-www-form-urlencoded")) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto out;
	}
	c.easy_setopt(e, CURLOPT_URL, uri);
	c.easy_setopt(e, CURLOPT_HTTPHEADER, hd);
	c.easy_setopt(e, CURLOPT_POSTFIELDS, (char *)form.data);
	c.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)form.len);
	c.easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	c.easy_setopt(e, CURLOPT_WRITEDATA, &resp);
	c.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	c.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	c.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	c.easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	if (o->insecure) {
		c.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		c.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if ((cc = c.easy_perform(e)) != CURLE_OK) {
		rc = tq_err_set(err, TQ_EIO, "token exchange: %s",
		    c.easy_strerror(cc));
		goto out;
	}
	c.easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if ((ans = json_loadb((char *)resp.data, resp.len, 0, &je)) == NULL ||
	    status != 200 || json_unpack(ans, "{s:s}", "access_token", &tok) !=
	    0) {
		const char *what = NULL;

		if (ans != NULL)
			json_unpack(ans, "{s:s}", "error", &what);
		rc = tq_err_set(err, TQ_EIO, "token exchange: HTTP %ld%s%s",
		    status, what != NULL ? ": " : "", what != NULL ? what : "");
		goto out;
	}
	if ((*token = strdup(tok)) == NULL)
		rc = tq_err_set(err, TQ_ENOMEM, "out of memory");
out:
	if (jwt.data != NULL)
		memset(jwt.data, 0, jwt.cap);
	if (resp.data != NULL)
		memset(resp.data, 0, resp.cap);
	if (text.data != NULL)
		memset(text.data, 0, text.cap);
	tq_buf_release(&text);
	tq_buf_release(&jwt);
	tq_buf_release(&form);
	tq_buf_release(&resp);
	if (hd != NULL)
		c.slist_free_all(hd);
	if (e != NULL)
		c.easy_cleanup(e);
	store_curl_close(&c);
	json_decref(ans);
	json_decref(kf);
	return rc;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* gcs_api picks the API: the option, else $TEMPO_GCS_API, else auto. */
static int
gcs_api(const struct tq_store_opts *o, int *api, struct tq_err *err)
{
	const char *v = env("TEMPO_GCS_API");

	*api = o->gcs_api;
	if (*api != TQ_STORE_GCS_AUTO || v == NULL)
		return 0;
	if (strcmp(v, "json") == 0)
		*api = TQ_STORE_GCS_JSON;
	else if (strcmp(v, "xml") == 0)
		*api = TQ_STORE_GCS_XML;
	else
		return tq_err_set(err, TQ_EINVAL,
		    "TEMPO_GCS_API: %s: not json or xml", v);
	return 0;
}

int
store_gcs_open(const char *rest, const struct tq_store_opts *o,
    struct tq_store **out, struct tq_err *err)
{
	struct s3_params p;
	const char *slash = strchr(rest, '/'), *kf;
	char *bucket = NULL, *token = NULL;
	int rc, api;

	memset(&p, 0, sizeof(p));
	if (slash == rest || *rest == '\0')
		return tq_err_set(err, TQ_EINVAL, "gs://%s: no bucket name", rest);
	if ((rc = gcs_api(o, &api, err)) != 0)
		return rc;
	if ((bucket = strndup(rest, slash != NULL ? (size_t)(slash - rest) :
	    strlen(rest))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	p.kind = "gs";
	p.bucket = bucket;
	p.prefix = slash != NULL ? slash + 1 : "";
	p.region = o->region != NULL ? o->region : "auto";
	p.endpoint = o->endpoint != NULL ? o->endpoint :
	    env("TEMPO_GCS_ENDPOINT") != NULL ? env("TEMPO_GCS_ENDPOINT") :
	    "https://storage.googleapis.com";
	p.path_style = true;
	p.multi_delete = false;
	/* HMAC keys sign XML API requests only. */
	if (api != TQ_STORE_GCS_JSON) {
		p.access = env("GCS_HMAC_ACCESS_KEY_ID");
		p.secret = env("GCS_HMAC_SECRET");
	}
	if ((p.bearer = env("GOOGLE_OAUTH_ACCESS_TOKEN")) != NULL) {
		p.access = p.secret = NULL;
	} else if ((p.access == NULL || p.secret == NULL) &&
	    (kf = env("GOOGLE_APPLICATION_CREDENTIALS")) != NULL) {
		p.access = p.secret = NULL;
		if ((rc = exchange(kf, o, &token, err)) != 0)
			goto out;
		p.bearer = token;
	} else if (p.access == NULL || p.secret == NULL) {
		rc = tq_err_set(err, TQ_EINVAL, "gs://%s: no credentials "
		    "(GOOGLE_OAUTH_ACCESS_TOKEN, %sor "
		    "GOOGLE_APPLICATION_CREDENTIALS)", bucket,
		    api == TQ_STORE_GCS_JSON ? "" :
		    "GCS_HMAC_ACCESS_KEY_ID and GCS_HMAC_SECRET, ");
		goto out;
	}
	if (p.bearer != NULL && api != TQ_STORE_GCS_XML)
		rc = store_gcs_json_new(bucket, p.prefix, p.endpoint, p.bearer,
		    o, out, err);
	else
		rc = store_s3_new(&p, o, out, err);
out:
	if (token != NULL)
		memset(token, 0, strlen(token));
	free(token);
	free(bucket);
	return rc;
}
