/*
 * store.c: the front of the store module (see store.h): URL parsing,
 * key checks and dispatch to the backends of lib/store/.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "store-int.h"

void
tq_store_opts_init(struct tq_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->retries = 4;
	o->concurrency = 8;
	o->part_size = TQ_STORE_PART_SIZE;
}

bool
tq_store_key_valid(const char *key)
{
	const char *p = key, *seg;
	size_t n;

	if (key == NULL || *key == '\0' || *key == '/' ||
	    strlen(key) > TQ_STORE_MAX_KEY)
		return false;
	while (*p != '\0') {
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return false;
		}
	}
	for (p = key; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

/* prefix_valid accepts "" or a key-like prefix that may end in '/'. */
static bool
prefix_valid(const char *prefix)
{
	char tmp[TQ_STORE_MAX_KEY + 2];
	size_t n = strlen(prefix);

	if (n == 0)
		return true;
	if (n > TQ_STORE_MAX_KEY)
		return false;
	memcpy(tmp, prefix, n + 1);
	if (tmp[n - 1] == '/')
		tmp[n - 1] = '\0';
	return tq_store_key_valid(tmp);
}

char *
store_prefix_join(const char *prefix, const char *key)
{
	size_t a = strlen(prefix), b = strlen(key);
	char *s;

	if ((s = malloc(a + b + 2)) == NULL)
		return NULL;
	memcpy(s, prefix, a);
	if (a > 0 && prefix[a - 1] != '/')
		s[a++] = '/';
	memcpy(s + a, key, b + 1);
	return s;
}

int
tq_store_open(const char *url, const struct tq_store_opts *opts,
    struct tq_store **out, struct tq_err *err)
{
	struct tq_store_opts def;

	if (opts == NULL) {
		tq_store_opts_init(&def);
		opts = &def;
	}
	if (url == NULL || *url == '\0')
		return tq_err_set(err, TQ_EINVAL, "no store given");
	if (opts->concurrency < 1 || opts->retries < 0 ||
	    opts->part_size < TQ_STORE_MIN_PART ||
	    opts->part_size > TQ_STORE_MAX_PART)
		return tq_err_set(err, TQ_EINVAL, "%s: bad store options", url);
	if (strncmp(url, "s3://", 5) == 0)
		return store_s3_open(url + 5, opts, out, err);
	if (strncmp(url, "gs://", 5) == 0)
		return store_gcs_open(url + 5, opts, out, err);
	if (strncmp(url, "az://", 5) == 0)
		return store_azure_open(url + 5, opts, out, err);
	if (strncmp(url, "file://", 7) == 0) {
		if (url[7] != '/')
			return tq_err_set(err, TQ_EINVAL,
			    "%s: file URLs take an absolute path (file:///dir)",
			    url);
		return store_file_open(url + 7, opts, out, err);
	}
	if (strstr(url, "://") != NULL)
		return tq_err_set(err, TQ_EINVAL,
		    "%s: unknown store scheme (file, s3, gs, az)", url);
	return store_file_open(url, opts, out, err);
}

void
tq_store_free(struct tq_store *s)
{
	if (s != NULL)
		s->ops->free(s);
}

const char *
tq_store_kind(const struct tq_store *s)
{
	return s->ops->kind;
}

static int
bad_key(const char *key, struct tq_err *err)
{
	return tq_err_set(err, TQ_EINVAL, "%s: invalid key",
	    key == NULL ? "(null)" : key);
}

int
tq_store_get(struct tq_store *s, const char *key, struct tq_buf *out,
    struct tq_err *err)
{
	struct store_sink k;

	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	sink_init(&k, SINK_BUF, 0, 0);
	k.buf = out;
	return s->ops->get(s, key, &k, err);
}

int
tq_store_get_range(struct tq_store *s, const char *key, uint64_t off,
    size_t len, void *dst, struct tq_err *err)
{
	struct store_sink k;

	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	if (len == 0)
		return 0;
	if (off > UINT64_MAX - len)
		return tq_err_set(err, TQ_EINVAL, "%s: range overflows", key);
	sink_init(&k, SINK_MEM, off, len);
	k.mem = dst;
	return s->ops->get(s, key, &k, err);
}

struct tq_store_object {
	struct tq_store		*s;
	char			*key;
	tq_store_read_fn	 read;	/* with obj, while open */
	void			*obj;
};

int
tq_store_object_new(struct tq_store *s, const char *key,
    struct tq_store_object **out, struct tq_err *err)
{
	struct tq_store_object *o;

	*out = NULL;
	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->key = strdup(key)) == NULL) {
		free(o);
		return tq_err_set(err, TQ_ENOMEM, "%s: out of memory", key);
	}
	o->s = s;
	*out = o;
	return 0;
}

int
tq_store_object_read(struct tq_store_object *o, uint64_t off, size_t len,
    void *dst, struct tq_err *err)
{
	int rc;

	if (o->s->ops->open_ranges == NULL)
		return tq_store_get_range(o->s, o->key, off, len, dst, err);
	if (len == 0)
		return 0;
	if (o->obj == NULL && (rc = o->s->ops->open_ranges(o->s, o->key,
	    &o->read, &o->obj, err)) != 0)
		return rc;
	return o->read(o->obj, off, len, dst, err);
}

void
tq_store_object_close(struct tq_store_object *o)
{
	if (o != NULL && o->obj != NULL) {
		o->s->ops->close_ranges(o->obj);
		o->obj = NULL;
	}
}

void
tq_store_object_free(struct tq_store_object *o)
{
	if (o == NULL)
		return;
	tq_store_object_close(o);
	free(o->key);
	free(o);
}

/* An object fetched whole, for a visit. */
struct mem_obj {
	const unsigned char	*data;
	size_t			 len;
	const char		*key;
};

static int
mem_read(void *obj, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct mem_obj *o = obj;

	if (off > o->len || len > o->len - off)
		return tq_err_set(err, TQ_ECORRUPT, "%s: range %llu+%zu ends "
		    "past the object (%zu bytes)", o->key,
		    (unsigned long long)off, len, o->len);
	memcpy(dst, o->data + off, len);
	return 0;
}

int
tq_store_visit(struct tq_store *s, const char *key, size_t max,
    tq_store_visit_fn fn, void *arg, uint64_t *bytes, struct tq_err *err)
{
	struct tq_buf b;
	struct mem_obj o;
	int rc;

	*bytes = 0;
	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	if (s->ops->visit != NULL)
		return s->ops->visit(s, key, fn, arg, bytes, err);
	tq_buf_init(&b, max);
	rc = tq_store_get(s, key, &b, err);
	*bytes = b.len;
	if (rc == 0) {
		o.data = b.data;
		o.len = b.len;
		o.key = key;
		rc = fn(arg, b.len, mem_read, &o, err);
	}
	tq_buf_release(&b);
	return rc;
}

int
tq_store_get_fd(struct tq_store *s, const char *key, int fd,
    struct tq_err *err)
{
	struct store_sink k;

	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	sink_init(&k, SINK_FD, 0, 0);
	k.fd = fd;
	return s->ops->get(s, key, &k, err);
}

int
tq_store_head(struct tq_store *s, const char *key, uint64_t *size,
    struct tq_err *err)
{
	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	return s->ops->head(s, key, size, err);
}

int
tq_store_put(struct tq_store *s, const char *key, const void *data,
    size_t len, struct tq_err *err)
{
	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	return s->ops->put(s, key, data, len, err);
}

int
tq_store_put_fd(struct tq_store *s, const char *key, int fd,
    struct tq_err *err)
{
	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	return s->ops->put_fd(s, key, fd, err);
}

int
tq_store_put_file(struct tq_store *s, const char *key, const char *path,
    struct tq_err *err)
{
	int fd, rc;

	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return tq_err_sys(err, path);
	rc = s->ops->put_fd(s, key, fd, err);
	close(fd);
	return rc;
}

int
tq_store_list(struct tq_store *s, const char *prefix, const char *delim,
    tq_store_list_fn fn, void *arg, struct tq_err *err)
{
	if (prefix == NULL)
		prefix = "";
	if (!prefix_valid(prefix))
		return tq_err_set(err, TQ_EINVAL, "%s: invalid prefix", prefix);
	if (delim != NULL && strcmp(delim, "/") != 0)
		return tq_err_set(err, TQ_EINVAL,
		    "%s: only \"/\" is a delimiter", delim);
	return s->ops->list(s, prefix, delim, fn, arg, err);
}

int
tq_store_delete(struct tq_store *s, const char *key, struct tq_err *err)
{
	if (!tq_store_key_valid(key))
		return bad_key(key, err);
	return s->ops->del(s, key, err);
}

int
tq_store_delete_many(struct tq_store *s, const char *const *keys, size_t n,
    struct tq_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (!tq_store_key_valid(keys[i]))
			return bad_key(keys[i], err);
	if (s->ops->del_many != NULL)
		return s->ops->del_many(s, keys, n, err);
	for (i = 0; i < n; i++)
		if ((rc = s->ops->del(s, keys[i], err)) != 0)
			return rc;
	return 0;
}

int
tq_store_get_many(struct tq_store *s, struct tq_store_req *reqs, size_t n,
    struct tq_err *err)
{
	struct store_sink k;
	size_t i;

	for (i = 0; i < n; i++) {
		tq_err_clear(&reqs[i].err);
		reqs[i].rc = 0;
	}
	if (s->ops->get_many != NULL)
		return s->ops->get_many(s, reqs, n, err);
	for (i = 0; i < n; i++) {
		if (!tq_store_key_valid(reqs[i].key)) {
			reqs[i].rc = bad_key(reqs[i].key, &reqs[i].err);
			continue;
		}
		sink_init(&k, SINK_BUF, reqs[i].off, reqs[i].len);
		k.buf = &reqs[i].buf;
		reqs[i].rc = s->ops->get(s, reqs[i].key, &k, &reqs[i].err);
	}
	return 0;
}

void
sink_init(struct store_sink *k, int kind, uint64_t off, size_t len)
{
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->fd = -1;
	k->off = off;
	k->len = len;
}

int
sink_finish(struct store_sink *k, const char *key, struct tq_err *err)
{
	if (k->rc != 0) {
		if (err != NULL)
			*err = k->err;
		return k->rc;
	}
	if (k->len > 0 && k->got < k->len)
		return tq_err_set(err, TQ_ECORRUPT,
		    "%s: range %llu+%zu ends past the object (%llu bytes read)",
		    key, (unsigned long long)k->off, k->len,
		    (unsigned long long)k->got);
	return 0;
}
