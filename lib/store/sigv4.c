/*
 * sigv4.c: AWS Signature Version 4 (HMAC-SHA256 with OpenSSL), as used
 * by S3 and by GCS's XML API with HMAC keys, and the small crypto and
 * base64 helpers the other backends share.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "store-int.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	hex(md, sizeof(md), out);
}

void
hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
    unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key, (int)klen, p, n, out, &len);
}

int
base64_encode(struct tq_buf *b, const void *p, size_t n, bool url)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char urls[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = url ? urls : std;
	const unsigned char *s = p;
	char q[4];
	size_t i;
	int rc;

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = a[s[i] >> 2];
		q[1] = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		q[2] = a[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		q[3] = a[s[i + 2] & 63];
		if ((rc = tq_buf_append(b, q, 4)) != 0)
			return rc;
	}
	if (i < n) {
		q[0] = a[s[i] >> 2];
		if (i + 1 < n) {
			q[1] = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			q[2] = a[(s[i + 1] & 15) << 2];
		} else {
			q[1] = a[(s[i] & 3) << 4];
			q[2] = '=';
		}
		q[3] = '=';
		if ((rc = tq_buf_append(b, q, url ? (i + 1 < n ? 3 : 2) : 4)) != 0)
			return rc;
	}
	return tq_buf_putc(b, '\0') != 0 ? TQ_ENOMEM : (b->len--, 0);
}

int
base64_decode(const char *s, unsigned char *out, size_t max, size_t *outlen)
{
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0, v;

	for (; *s != '\0' && *s != '='; s++) {
		if (*s >= 'A' && *s <= 'Z')
			v = *s - 'A';
		else if (*s >= 'a' && *s <= 'z')
			v = *s - 'a' + 26;
		else if (*s >= '0' && *s <= '9')
			v = *s - '0' + 52;
		else if (*s == '+' || *s == '-')
			v = 62;
		else if (*s == '/' || *s == '_')
			v = 63;
		else
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	*outlen = n;
	return 0;
}

static int
cmp_kv(const void *a, const void *b)
{
	const struct store_kv *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* cmp_qkv orders encoded query pairs by name, then value. */
struct qpair {
	char	*name;
	char	*value;
};

static int
cmp_q(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

static char *
encode_dup(const char *s)
{
	struct tq_buf b;
	char *r;

	tq_buf_init(&b, 64 * 1024);
	if (uri_encode(&b, s, false) != 0 || tq_buf_putc(&b, '\0') != 0) {
		tq_buf_release(&b);
		return NULL;
	}
	r = tq_buf_steal(&b, NULL);
	return r != NULL ? r : strdup("");
}

int
sigv4_sign(const char *method, const char *path, const struct store_kv *query,
    int nq, const struct store_kv *hdrs, int nh, const char *payload_hash,
    const char *amzdate, const char *region, const char *service,
    const char *access, const char *secret, struct tq_buf *out)
{
	struct store_kv h[HTTP_MAX_KV + 4];
	struct qpair q[HTTP_MAX_KV];
	struct tq_buf cr, sts, k;
	unsigned char kd[32], kr[32], ks[32], kn[32], sig[32];
	char crhash[65], sighex[65], date[9];
	int i, rc = TQ_ENOMEM;

	tq_buf_init(&cr, 1024 * 1024);
	tq_buf_init(&sts, 4096);
	tq_buf_init(&k, 1024);
	memset(q, 0, sizeof(q));
	if (nh > HTTP_MAX_KV + 4 || nq > HTTP_MAX_KV) {
		rc = TQ_EINVAL;
		goto out;
	}
	memcpy(h, hdrs, (size_t)nh * sizeof(*h));
	qsort(h, (size_t)nh, sizeof(*h), cmp_kv);
	for (i = 0; i < nq; i++)
		if ((q[i].name = encode_dup(query[i].name)) == NULL ||
		    (q[i].value = encode_dup(query[i].value)) == NULL)
			goto out;
	qsort(q, (size_t)nq, sizeof(*q), cmp_q);

	if (tq_buf_printf(&cr, "%s\n%s\n", method, path) != 0)
		goto out;
	for (i = 0; i < nq; i++)
		if (tq_buf_printf(&cr, "%s%s=%s", i > 0 ? "&" : "", q[i].name,
		    q[i].value) != 0)
			goto out;
	if (tq_buf_putc(&cr, '\n') != 0)
		goto out;
	for (i = 0; i < nh; i++)
		if (tq_buf_printf(&cr, "%s:%s\n", h[i].name, h[i].value) != 0)
			goto out;
	if (tq_buf_putc(&cr, '\n') != 0)
		goto out;
	for (i = 0; i < nh; i++)
		if (tq_buf_printf(&cr, "%s%s", i > 0 ? ";" : "", h[i].name) != 0)
			goto out;
	if (tq_buf_printf(&cr, "\n%s", payload_hash) != 0)
		goto out;
	sha256_hex(cr.data, cr.len, crhash);

	memcpy(date, amzdate, 8);
	date[8] = '\0';
	if (tq_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
	    amzdate, date, region, service, crhash) != 0)
		goto out;
	if (tq_buf_printf(&k, "AWS4%s", secret) != 0)
		goto out;
	hmac_sha256(k.data, k.len, date, 8, kd);
	hmac_sha256(kd, 32, region, strlen(region), kr);
	hmac_sha256(kr, 32, service, strlen(service), ks);
	hmac_sha256(ks, 32, "aws4_request", 12, kn);
	hmac_sha256(kn, 32, sts.data, sts.len, sig);
	hex(sig, 32, sighex);

	if (tq_buf_printf(out, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=",
	    access, date, region, service) != 0)
		goto out;
	for (i = 0; i < nh; i++)
		if (tq_buf_printf(out, "%s%s", i > 0 ? ";" : "", h[i].name) != 0)
			goto out;
	if (tq_buf_printf(out, ", Signature=%s", sighex) != 0)
		goto out;
	rc = 0;
out:
	for (i = 0; i < HTTP_MAX_KV; i++) {
		free(q[i].name);
		free(q[i].value);
	}
	OPENSSL_cleanse(k.data, k.cap);
	tq_buf_release(&k);
	tq_buf_release(&cr);
	tq_buf_release(&sts);
	return rc;
}
