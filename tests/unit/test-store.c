/*
 * test-store.c: the store module without a network: key rules, URL
 * forms, SigV4 against AWS's published examples, the XML scanner,
 * base64, and the local-directory store end to end.  The cloud backends
 * are tested against emulators by tests/bats/store-*.bats.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-int.h"
#include "t.h"

static void
test_keys(void)
{
	T_OK(tq_store_key_valid("t/b/meta.json"), "plain key");
	T_OK(tq_store_key_valid("a b+c/é"), "spaces and UTF-8");
	T_OK(tq_store_key_valid("..a/b..") , "dots inside names");
	T_OK(!tq_store_key_valid(""), "empty");
	T_OK(!tq_store_key_valid("/abs"), "absolute");
	T_OK(!tq_store_key_valid("a/../b"), "dot-dot segment");
	T_OK(!tq_store_key_valid(".."), "dot-dot alone");
	T_OK(!tq_store_key_valid("a/./b"), "dot segment");
	T_OK(!tq_store_key_valid("a//b"), "empty segment");
	T_OK(!tq_store_key_valid("a/"), "trailing slash");
	T_OK(!tq_store_key_valid("a\nb"), "control character");
	T_OK(!tq_store_key_valid("a\\b"), "backslash");
}

/* sig returns the Signature= part of an Authorization value. */
static const char *
sig(const struct tq_buf *b)
{
	const char *p = strstr((const char *)b->data, "Signature=");

	return p != NULL ? p + 10 : "";
}

static void
test_sigv4(void)
{
	/* AWS S3 docs, "Signature Calculations for the Authorization
	 * Header", examples GET Object and GET Bucket Lifecycle. */
	const char *empty =
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	struct store_kv h1[] = {
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "range", "bytes=0-9" },
		{ "x-amz-content-sha256", empty },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct store_kv h2[] = {
		{ "x-amz-date", "20130524T000000Z" },
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-content-sha256", empty },
	};
	struct store_kv q2[] = { { "lifecycle", "" } };
	struct store_kv q3[] = { { "prefix", "J" }, { "max-keys", "2" } };
	struct tq_buf b;

	tq_buf_init(&b, 4096);
	T_EQ_INT(sigv4_sign("GET", "/test.txt", NULL, 0, h1, 4, empty,
	    "20130524T000000Z", "us-east-1", "s3", "AKIAIOSFODNN7EXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", &b), 0, "sign GET");
	T_EQ_STR(sig(&b),
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	    "GET Object signature");
	T_OK(strstr((char *)b.data, "Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
	    "us-east-1/s3/aws4_request, SignedHeaders=host;range;"
	    "x-amz-content-sha256;x-amz-date,") != NULL, "credential scope");
	tq_buf_reset(&b);
	T_EQ_INT(sigv4_sign("GET", "/", q2, 1, h2, 3, empty,
	    "20130524T000000Z", "us-east-1", "s3", "AKIAIOSFODNN7EXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", &b), 0, "sign ?lifecycle");
	T_EQ_STR(sig(&b),
	    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
	    "GET Bucket Lifecycle signature (headers given unsorted)");
	tq_buf_reset(&b);
	T_EQ_INT(sigv4_sign("GET", "/", q3, 2, h2, 3, empty,
	    "20130524T000000Z", "us-east-1", "s3", "AKIAIOSFODNN7EXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", &b), 0, "sign list");
	T_EQ_STR(sig(&b),
	    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
	    "List Objects signature (query sorted)");
	tq_buf_release(&b);
}

struct xml_seen {
	char	all[1024];
};

static int
xml_collect(void *arg, const char *path, const char *text, size_t len)
{
	struct xml_seen *s = arg;
	size_t n = strlen(s->all);

	snprintf(s->all + n, sizeof(s->all) - n, "%s=%.*s;", path, (int)len,
	    text);
	return 0;
}

static void
test_xml(void)
{
	const char *doc = "<?xml version=\"1.0\"?>\n<R a=\"1\"><!-- c -->"
	    "<K>a &amp; b &lt;&#233;&#x41;&gt;</K><E/><C><![CDATA[x<y]]></C>"
	    "<N><K>z</K></N></R>";
	const char *bad[] = { "<R><K>x</R>", "<R>&bogus;</R>", "<R", "</R>",
	    "<R>&#0;</R>", "<R><![CDATA[x</R>" };
	struct xml_seen s;
	struct tq_err e;
	struct tq_buf b;
	size_t i;

	memset(&s, 0, sizeof(s));
	T_EQ_INT(xml_walk(doc, strlen(doc), xml_collect, &s, &e), 0, "xml ok");
	T_EQ_STR(s.all, "R/K=a & b <\xc3\xa9" "A>;R/E=;R/C=x<y;R/N/K=z;R/N=;R=;",
	    "xml paths, entities, CDATA, empty elements");
	memset(&s, 0, sizeof(s));
	T_EQ_INT(xml_walk("<R\0a>x</R\0a>", 12, xml_collect, &s, &e),
	    TQ_ECORRUPT, "a NUL byte (found by fuzzing)");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		T_EQ_INT(xml_walk(bad[i], strlen(bad[i]), xml_collect, &s, &e),
		    TQ_ECORRUPT, bad[i]);
	}
	tq_buf_init(&b, 256);
	T_EQ_INT(xml_escape(&b, "a<b>&\"'"), 0, "escape");
	tq_buf_putc(&b, '\0');
	T_EQ_STR((char *)b.data, "a&lt;b&gt;&amp;&quot;&apos;", "xml escape");
	tq_buf_release(&b);
}

static void
test_base64(void)
{
	struct tq_buf b;
	unsigned char out[16];
	size_t n;

	tq_buf_init(&b, 256);
	base64_encode(&b, "foobar", 6, false);
	T_EQ_STR((char *)b.data, "Zm9vYmFy", "base64 6");
	tq_buf_reset(&b);
	base64_encode(&b, "foob", 4, false);
	T_EQ_STR((char *)b.data, "Zm9vYg==", "base64 padding");
	tq_buf_reset(&b);
	base64_encode(&b, "\xfb\xff", 2, true);
	T_EQ_STR((char *)b.data, "-_8", "base64url without padding");
	T_EQ_INT(base64_decode("Zm9vYg==", out, sizeof(out), &n), 0, "decode");
	T_OK(n == 4 && memcmp(out, "foob", 4) == 0, "decoded bytes");
	T_EQ_INT(base64_decode("Zm9v!", out, sizeof(out), &n), -1,
	    "decode refuses junk");
	T_EQ_INT(base64_decode("Zm9vYmFyZm9vYmFyZm9vYmFy", out, 8, &n), -1,
	    "decode refuses overflow");
	tq_buf_release(&b);
}

static int
collect(void *arg, const char *key, uint64_t size, bool is_prefix)
{
	struct tq_buf *b = arg;

	return tq_buf_printf(b, "%s%s:%llu ", key, is_prefix ? "(p)" : "",
	    (unsigned long long)size);
}

static int
stop_after_one(void *arg, const char *key, uint64_t size, bool is_prefix)
{
	(void)key;
	(void)size;
	(void)is_prefix;
	(*(int *)arg)++;
	return 42;
}

/* A visit that reads bytes 2..5 and then byte 9 of the object. */
struct visit_log {
	uint64_t	size;
	char		got[5];
	uint64_t	past_off;	/* then a read from here, to the end */
	int		past_rc;
};

static int
visit_some(void *arg, uint64_t size, tq_store_read_fn read, void *obj,
    struct tq_err *err)
{
	struct visit_log *v = arg;
	char tail[4];
	int rc;

	v->size = size;
	if ((rc = read(obj, 2, 4, v->got, err)) != 0 ||
	    (rc = read(obj, 9, 1, v->got + 4, err)) != 0)
		return rc;
	v->past_rc = read(obj, v->past_off, sizeof(tail), tail, err);
	return 7;
}

static void
test_file(void)
{
	char dir[] = "/tmp/test-store-XXXXXX", url[64], path[128];
	struct tq_store *s = NULL;
	struct tq_store_req r[3];
	const char *keys[] = { "t/b1/bloom-0", "t/b1/nope" };
	struct tq_err e;
	struct tq_buf b, l;
	char range[8];
	uint64_t size;
	int fd, n = 0;
	DIR *d;
	struct dirent *de;

	T_OK(mkdtemp(dir) != NULL, "temp dir");
	snprintf(url, sizeof(url), "file://%s", dir);
	T_EQ_INT(tq_store_open(url, NULL, &s, &e), 0, "open file:// URL");
	T_EQ_STR(tq_store_kind(s), "file", "kind");
	T_EQ_INT(tq_store_put(s, "t/b1/data.parquet", "0123456789", 10, &e), 0,
	    "put creates directories");
	T_EQ_INT(tq_store_put(s, "t/b1/bloom-0", "", 0, &e), 0, "put empty");
	T_EQ_INT(tq_store_put(s, "t.x", "dot", 3, &e), 0, "put t.x");
	T_EQ_INT(tq_store_put(s, "t/a", "aa", 2, &e), 0, "put t/a");
	T_EQ_INT(tq_store_put(s, "t/b1/data.parquet", "abcdefghij", 10, &e), 0,
	    "put replaces");
	T_EQ_INT(tq_store_put(s, "../x", "x", 1, &e), TQ_EINVAL, "refuse ..");
	T_EQ_INT(tq_store_put(s, "/etc/x", "x", 1, &e), TQ_EINVAL,
	    "refuse absolute");

	tq_buf_init(&b, 5);
	T_EQ_INT(tq_store_get(s, "t/a", &b, &e), 0, "get");
	T_OK(b.len == 2 && memcmp(b.data, "aa", 2) == 0, "get bytes");
	tq_buf_reset(&b);
	T_EQ_INT(tq_store_get(s, "t/b1/data.parquet", &b, &e), TQ_ELIMIT,
	    "get over the cap");
	tq_buf_reset(&b);
	T_EQ_INT(tq_store_get(s, "t/none", &b, &e), TQ_ENOTFOUND, "get missing");
	T_EQ_INT(tq_store_get(s, "t/b1", &b, &e), TQ_ENOTFOUND,
	    "a directory is no object");
	tq_buf_release(&b);
	T_EQ_INT(tq_store_get_range(s, "t/b1/data.parquet", 7, 3, range, &e), 0,
	    "range");
	T_OK(memcmp(range, "hij", 3) == 0, "range bytes (the new content)");
	T_EQ_INT(tq_store_get_range(s, "t/b1/data.parquet", 8, 3, range, &e),
	    TQ_ECORRUPT, "range past the end");
	{
		struct tq_store_object *o = NULL, *none = NULL, *bad = NULL;

		T_EQ_INT(tq_store_object_new(s, "t/b1/data.parquet", &o, &e), 0,
		    "object: new");
		T_EQ_INT(tq_store_object_read(o, 2, 3, range, &e), 0,
		    "object: a range");
		T_OK(memcmp(range, "cde", 3) == 0, "object: its bytes");
		/* Replaced by rename: the open object reads on as opened. */
		T_EQ_INT(tq_store_put(s, "t/b1/data.parquet", "ABCDEFGHIJ", 10,
		    &e), 0, "object: the object replaced");
		T_OK(tq_store_object_read(o, 7, 3, range, &e) == 0 &&
		    memcmp(range, "hij", 3) == 0, "object: reads go on from "
		    "the file opened");
		T_EQ_INT(tq_store_object_read(o, 8, 3, range, &e), TQ_ECORRUPT,
		    "object: a range past the end");
		tq_store_object_close(o);
		T_OK(tq_store_object_read(o, 7, 3, range, &e) == 0 &&
		    memcmp(range, "HIJ", 3) == 0, "object: after close, the "
		    "next read opens the new one");
		T_EQ_INT(tq_store_object_read(o, 0, 0, range, &e), 0,
		    "object: an empty range");
		T_EQ_INT(tq_store_object_new(s, "t/none", &none, &e), 0,
		    "object: new, for a missing key");
		T_EQ_INT(tq_store_object_read(none, 0, 1, range, &e),
		    TQ_ENOTFOUND, "object: a missing object at the first read");
		T_EQ_INT(tq_store_object_new(s, "../x", &bad, &e), TQ_EINVAL,
		    "object: a bad key refused");
		tq_store_object_free(none);
		tq_store_object_free(o);
		T_EQ_INT(tq_store_put(s, "t/b1/data.parquet", "abcdefghij", 10,
		    &e), 0, "object: the object put back");
	}
	{
		struct visit_log v = { 0, "", 7, 0 };
		uint64_t vb = 99;

		T_EQ_INT(tq_store_visit(s, "t/b1/data.parquet", 1 << 20,
		    visit_some, &v, &vb, &e), 7, "visit: fn's return");
		T_EQ_INT(v.size, 10, "visit: the object's size");
		T_OK(memcmp(v.got, "cdefj", 5) == 0, "visit: the ranges read");
		T_EQ_INT(v.past_rc, TQ_ECORRUPT, "visit: a range past the end");
		T_EQ_INT(vb, 5, "visit: only the bytes read are counted");
		T_EQ_INT(tq_store_visit(s, "t/none", 1 << 20, visit_some, &v,
		    &vb, &e), TQ_ENOTFOUND, "visit: a missing object");
		T_EQ_INT(vb, 0, "visit: nothing read of a missing object");
	}
	T_EQ_INT(tq_store_head(s, "t/b1/data.parquet", &size, &e), 0, "head");
	T_EQ_INT(size, 10, "head size");
	T_EQ_INT(tq_store_head(s, "t/zz", &size, &e), TQ_ENOTFOUND,
	    "head missing");

	snprintf(path, sizeof(path), "%s/in", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	T_OK(fd != -1 && write(fd, "streamed", 8) == 8 &&
	    lseek(fd, 0, SEEK_SET) == 0, "source file");
	T_EQ_INT(tq_store_put_fd(s, "u/v", fd, &e), 0, "put_fd");
	close(fd);
	unlink(path);

	tq_buf_init(&l, 4096);
	T_EQ_INT(tq_store_list(s, "", NULL, collect, &l, &e), 0, "list all");
	tq_buf_putc(&l, '\0');
	T_EQ_STR((char *)l.data, "t.x:3 t/a:2 t/b1/bloom-0:0 "
	    "t/b1/data.parquet:10 u/v:8 ", "list in byte order of whole keys");
	tq_buf_reset(&l);
	T_EQ_INT(tq_store_list(s, "", "/", collect, &l, &e), 0, "list top");
	tq_buf_putc(&l, '\0');
	T_EQ_STR((char *)l.data, "t.x:3 t/(p):0 u/(p):0 ",
	    "delimiter rolls up prefixes");
	tq_buf_reset(&l);
	T_EQ_INT(tq_store_list(s, "t/", "/", collect, &l, &e), 0, "list t/");
	tq_buf_putc(&l, '\0');
	T_EQ_STR((char *)l.data, "t/a:2 t/b1/(p):0 ", "one level below t/");
	tq_buf_reset(&l);
	T_EQ_INT(tq_store_list(s, "t/b1/d", NULL, collect, &l, &e), 0,
	    "list a partial name");
	tq_buf_putc(&l, '\0');
	T_EQ_STR((char *)l.data, "t/b1/data.parquet:10 ", "partial prefix");
	T_EQ_INT(tq_store_list(s, "", NULL, stop_after_one, &n, &e), 42,
	    "the callback stops the listing");
	T_EQ_INT(n, 1, "called once");
	T_EQ_INT(tq_store_list(s, "../", NULL, collect, &l, &e), TQ_EINVAL,
	    "bad prefix");
	tq_buf_release(&l);

	memset(r, 0, sizeof(r));
	r[0].key = "t/a";
	r[1].key = "t/b1/data.parquet";
	r[1].off = 2;
	r[1].len = 3;
	r[2].key = "t/missing";
	tq_buf_init(&r[0].buf, 100);
	tq_buf_init(&r[1].buf, 100);
	tq_buf_init(&r[2].buf, 100);
	T_EQ_INT(tq_store_get_many(s, r, 3, &e), 0, "get_many");
	T_OK(r[0].rc == 0 && r[0].buf.len == 2, "batch: whole object");
	T_OK(r[1].rc == 0 && r[1].buf.len == 3 &&
	    memcmp(r[1].buf.data, "cde", 3) == 0, "batch: range");
	T_EQ_INT(r[2].rc, TQ_ENOTFOUND, "batch: missing one");
	tq_buf_release(&r[0].buf);
	tq_buf_release(&r[1].buf);
	tq_buf_release(&r[2].buf);

	T_EQ_INT(tq_store_delete(s, "t/a", &e), 0, "delete");
	T_EQ_INT(tq_store_delete(s, "t/a", &e), 0, "delete again is fine");
	T_EQ_INT(tq_store_delete_many(s, keys, 2, &e), 0, "delete many");
	T_EQ_INT(tq_store_delete(s, "u/v", &e), 0, "delete u/v");
	snprintf(path, sizeof(path), "%s/u", dir);
	T_OK(access(path, F_OK) == -1, "empty directories go with the object");
	/* No temporary files are left behind. */
	snprintf(path, sizeof(path), "%s/t/b1", dir);
	if ((d = opendir(path)) != NULL) {
		n = 0;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' || strlen(de->d_name) > 2)
				n++;
		closedir(d);
		T_EQ_INT(n, 1, "only data.parquet is left in t/b1");
	}
	tq_store_delete(s, "t/b1/data.parquet", &e);
	tq_store_delete(s, "t.x", &e);
	tq_store_free(s);
	T_EQ_INT(rmdir(dir), 0, "the store is empty again");

	T_EQ_INT(tq_store_open("/nonexistent/dir", NULL, &s, &e), TQ_EIO,
	    "missing directory");
	T_EQ_INT(tq_store_open("file://rel/dir", NULL, &s, &e), TQ_EINVAL,
	    "file URL must be absolute");
	T_EQ_INT(tq_store_open("ftp://x/y", NULL, &s, &e), TQ_EINVAL,
	    "unknown scheme");
	T_OK(strstr(e.msg, "unknown store scheme") != NULL, "says why");
}

static void
test_credentials(void)
{
	struct tq_store *s = NULL;
	struct tq_err e;

	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", "topsecret", 1);
	T_EQ_INT(tq_store_open("s3://bkt/p", NULL, &s, &e), TQ_EINVAL,
	    "s3 without an access key");
	T_OK(strstr(e.msg, "AWS_ACCESS_KEY_ID") != NULL &&
	    strstr(e.msg, "topsecret") == NULL, "names the variable, not the secret");
	unsetenv("AZURE_STORAGE_CONNECTION_STRING");
	unsetenv("AZURE_STORAGE_ACCOUNT");
	T_EQ_INT(tq_store_open("az://c/p", NULL, &s, &e), TQ_EINVAL,
	    "azure without an account");
	setenv("AZURE_STORAGE_ACCOUNT", "acct", 1);
	setenv("AZURE_STORAGE_KEY", "not base64!", 1);
	T_EQ_INT(tq_store_open("az://c/p", NULL, &s, &e), TQ_EINVAL,
	    "azure with a bad key");
	unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	unsetenv("GCS_HMAC_ACCESS_KEY_ID");
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	T_EQ_INT(tq_store_open("gs://b/p", NULL, &s, &e), TQ_EINVAL,
	    "gcs without credentials");
	setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent.json", 1);
	T_EQ_INT(tq_store_open("gs://b/p", NULL, &s, &e), TQ_EINVAL,
	    "gcs with a missing key file");
	setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "tok", 1);
	T_EQ_INT(tq_store_open("gs://b/p", NULL, &s, &e), 0, "gcs with a token");
	T_EQ_STR(tq_store_kind(s), "gs", "gs kind");
	tq_store_free(s);
	{
		struct tq_store_opts o;

		tq_store_opts_init(&o);
		o.gcs_api = TQ_STORE_GCS_JSON;
		unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
		unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
		setenv("GCS_HMAC_ACCESS_KEY_ID", "k", 1);
		setenv("GCS_HMAC_SECRET", "s", 1);
		T_EQ_INT(tq_store_open("gs://b/p", &o, &s, &e), TQ_EINVAL,
		    "the JSON API forced with HMAC keys only");
		o.gcs_api = TQ_STORE_GCS_XML;
		T_EQ_INT(tq_store_open("gs://b/p", &o, &s, &e), 0,
		    "HMAC keys with the XML API");
		tq_store_free(s);
		unsetenv("GCS_HMAC_ACCESS_KEY_ID");
		unsetenv("GCS_HMAC_SECRET");
	}
	T_EQ_INT(tq_store_open("s3:///p", NULL, &s, &e), TQ_EINVAL,
	    "s3 without a bucket");
}

static void
test_gcs_json_url(void)
{
	const char *ep = "https://storage.googleapis.com";
	struct store_kv head[] = { { "fields", "size" } };
	struct store_kv media[] = { { "uploadType", "media" } };
	struct store_kv list[] = { { "prefix", "pre/t/" }, { "delimiter", "/" },
	    { "pageToken", "Cg==+/x" } };
	struct tq_buf b;

	tq_buf_init(&b, 4096);
	T_EQ_INT(gcs_json_url(&b, ep, "bkt", "pre/a b/c+d%\xc3\xa9?#&=", false,
	    false, head, 1), 0, "metadata URL");
	T_EQ_STR((char *)b.data, "https://storage.googleapis.com/storage/v1/b/"
	    "bkt/o/pre%2Fa%20b%2Fc%2Bd%25%C3%A9%3F%23%26%3D?fields=size",
	    "object name: one path part, '/' and the rest encoded");
	tq_buf_reset(&b);
	T_EQ_INT(gcs_json_url(&b, ep, "bkt", "t/blk/data.parquet", false, true,
	    NULL, 0), 0, "media URL");
	T_EQ_STR((char *)b.data, "https://storage.googleapis.com/storage/v1/b/"
	    "bkt/o/t%2Fblk%2Fdata.parquet?alt=media", "alt=media download");
	tq_buf_reset(&b);
	T_EQ_INT(gcs_json_url(&b, ep, "bkt", "t/m e", true, false, media, 1), 0,
	    "upload URL");
	T_EQ_STR((char *)b.data, "https://storage.googleapis.com/upload/storage/"
	    "v1/b/bkt/o?uploadType=media&name=t%2Fm%20e",
	    "upload endpoint, name as a parameter");
	tq_buf_reset(&b);
	T_EQ_INT(gcs_json_url(&b, "http://127.0.0.1:9", "b.k-t", NULL, false,
	    false, list, 3), 0, "list URL");
	T_EQ_STR((char *)b.data, "http://127.0.0.1:9/storage/v1/b/b.k-t/o?"
	    "prefix=pre%2Ft%2F&delimiter=%2F&pageToken=Cg%3D%3D%2B%2Fx",
	    "objects.list: parameters encoded");
	tq_buf_reset(&b);
	T_EQ_INT(gcs_json_url(&b, ep, "bkt", NULL, false, false, NULL, 0), 0,
	    "bare list URL");
	T_EQ_STR((char *)b.data, "https://storage.googleapis.com/storage/v1/b/"
	    "bkt/o", "no parameters, no '?'");
	tq_buf_release(&b);
	tq_buf_init(&b, 40);
	T_EQ_INT(gcs_json_url(&b, ep, "bkt", "a/long/name", false, true, NULL,
	    0), TQ_ENOMEM, "a URL over the buffer's cap fails");
	tq_buf_release(&b);
}

int
main(void)
{
	test_keys();
	test_sigv4();
	test_xml();
	test_base64();
	test_file();
	test_credentials();
	test_gcs_json_url();
	return t_done();
}
