/*
 * file.c: the local-directory store.  Keys are relative paths below the
 * root directory.  A put writes a temporary file in the object's own
 * directory, fsyncs it, renames it over the key and fsyncs the
 * directory, so an object is visible whole or not at all, even after a
 * crash.  Temporary names start with ".tmp-" and are never listed.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "store-int.h"

struct file_store {
	struct tq_store	 base;
	char		*root;
};

#define TMP_PREFIX	".tmp-"

static char *
fpath(struct file_store *f, const char *key, struct tq_err *err)
{
	char *p = store_prefix_join(f->root, key);

	if (p == NULL)
		tq_err_set(err, TQ_ENOMEM, "%s: out of memory", key);
	return p;
}

static int
open_err(const char *verb, const char *key, struct tq_err *err)
{
	if (errno == ENOENT || errno == ENOTDIR)
		return tq_err_set(err, TQ_ENOTFOUND, "%s %s: no such object",
		    verb, key);
	return tq_err_sys(err, key);
}

static int
sink_write(struct store_sink *k, const unsigned char *p, size_t n,
    const char *key, struct tq_err *err)
{
	ssize_t w;
	int rc;

	switch (k->kind) {
	case SINK_BUF:
		if ((rc = tq_buf_append(k->buf, p, n)) != 0)
			return tq_err_set(err, rc, "%s: object larger than %zu bytes",
			    key, k->buf->max);
		break;
	case SINK_MEM:
		memcpy(k->mem + k->got, p, n);
		break;
	default:
		while (n > 0) {
			if ((w = write(k->fd, p, n)) == -1) {
				if (errno == EINTR)
					continue;
				return tq_err_sys(err, "write");
			}
			p += w;
			n -= (size_t)w;
			k->got += (uint64_t)w;
		}
		return 0;
	}
	k->got += n;
	return 0;
}

/*
 * open_object opens key for reading: *fd and its *size (objects are
 * replaced by rename, never written in place, so the size at open holds).
 * A directory is no object.
 */
static int
open_object(struct file_store *f, const char *key, int *fd, uint64_t *size,
    struct tq_err *err)
{
	struct stat st;
	char *path;
	int rc = 0;

	if ((path = fpath(f, key, err)) == NULL)
		return TQ_ENOMEM;
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		rc = open_err("get", key, err);
	else if (fstat(*fd, &st) == -1)
		rc = tq_err_sys(err, key);
	else if (S_ISDIR(st.st_mode))
		rc = tq_err_set(err, TQ_ENOTFOUND, "get %s: no such object",
		    key);
	else
		*size = (uint64_t)st.st_size;
	free(path);
	if (rc != 0 && *fd != -1) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* What file_get reads at a time into a sink that is not a buffer with
 * room: on the heap, as a stack that deep faults in pages of its own. */
#define GET_CHUNK	65536

static int
file_get(struct tq_store *s, const char *key, struct store_sink *k,
    struct tq_err *err)
{
	struct file_store *f = (struct file_store *)s;
	unsigned char *chunk = NULL;	/* for sinks read through a copy */
	uint64_t pos = k->off, len, size = 0;
	ssize_t r;
	size_t want;
	int fd = -1, rc;

	if ((rc = open_object(f, key, &fd, &size, err)) != 0)
		return rc;
	k->total = size;
	/*
	 * Objects are replaced by rename, never written in place: the size
	 * at open is the object's, so a whole read stops there instead of
	 * asking for more to see the end.  A file cut short meanwhile still
	 * ends the read early; a range past the end is reported below.
	 */
	len = k->len > 0 ? k->len : size > pos ?
	    size - pos : 0;
	/* A buffer gets room for what the file holds now, and is read into
	 * straight, in one pread when the file does not grow meanwhile. */
	if (k->kind == SINK_BUF && size > pos) {
		uint64_t left = size - pos;

		if (k->len > 0 && left > k->len)
			left = k->len;
		if (left > SIZE_MAX || (rc = tq_buf_reserve(k->buf,
		    (size_t)left)) != 0) {
			rc = tq_err_set(err, rc == TQ_ENOMEM ? TQ_ENOMEM :
			    TQ_ELIMIT, "%s: object larger than %zu bytes", key,
			    k->buf->max);
			goto out;
		}
	}
	for (;;) {
		want = GET_CHUNK;
		if (k->kind == SINK_BUF && k->buf->cap - k->buf->len > want)
			want = k->buf->cap - k->buf->len;
		if (k->got >= len)
			break;
		if (len - k->got < want)
			want = (size_t)(len - k->got);
		if (k->kind == SINK_MEM)
			r = pread(fd, k->mem + k->got, want, (off_t)pos);
		else if (k->kind == SINK_BUF && k->buf->cap - k->buf->len >= want)
			r = pread(fd, k->buf->data + k->buf->len, want, (off_t)pos);
		else if (chunk == NULL && (chunk = malloc(GET_CHUNK)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "get %s: out of memory",
			    key);
			goto out;
		} else
			r = pread(fd, chunk, want, (off_t)pos);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			rc = tq_err_sys(err, key);
			goto out;
		}
		if (r == 0)
			break;
		pos += (uint64_t)r;
		if (k->kind == SINK_MEM)
			k->got += (uint64_t)r;
		else if (k->kind == SINK_BUF && k->buf->cap - k->buf->len >= want) {
			if ((size_t)r > k->buf->max - k->buf->len) {
				rc = tq_err_set(err, TQ_ELIMIT, "%s: object larger "
				    "than %zu bytes", key, k->buf->max);
				goto out;
			}
			k->buf->len += (size_t)r;
			k->got += (uint64_t)r;
		} else if ((rc = sink_write(k, chunk, (size_t)r, key, err)) != 0)
			goto out;
	}
	rc = sink_finish(k, key, err);
out:
	free(chunk);
	close(fd);
	return rc;
}

/* An open object being visited: reads are preads, counted. */
struct file_obj {
	int		 fd;
	uint64_t	 size;
	uint64_t	 bytes;
	const char	*key;
};

static int
file_obj_read(void *obj, uint64_t off, size_t len, void *dst,
    struct tq_err *err)
{
	struct file_obj *o = obj;
	unsigned char *p = dst;
	ssize_t r;

	if (off > o->size || len > o->size - off)
		return tq_err_set(err, TQ_ECORRUPT, "%s: range %llu+%zu ends "
		    "past the object (%llu bytes)", o->key,
		    (unsigned long long)off, len, (unsigned long long)o->size);
	while (len > 0) {
		if ((r = pread(o->fd, p, len, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return tq_err_sys(err, o->key);
		}
		if (r == 0)
			return tq_err_set(err, TQ_ECORRUPT, "%s: cut short at "
			    "%llu bytes", o->key, (unsigned long long)off);
		p += r;
		off += (uint64_t)r;
		len -= (size_t)r;
		o->bytes += (uint64_t)r;
	}
	return 0;
}

static int
file_visit(struct tq_store *s, const char *key, tq_store_visit_fn fn,
    void *arg, uint64_t *bytes, struct tq_err *err)
{
	struct file_obj o = { -1, 0, 0, key };
	int rc;

	if ((rc = open_object((struct file_store *)s, key, &o.fd, &o.size,
	    err)) == 0) {
		rc = fn(arg, o.size, file_obj_read, &o, err);
		close(o.fd);
	}
	*bytes = o.bytes;
	return rc;
}

/* file_open_ranges opens key for tq_store_object's reads, which the
 * visit's reader serves. */
static int
file_open_ranges(struct tq_store *s, const char *key, tq_store_read_fn *read,
    void **obj, struct tq_err *err)
{
	struct file_obj *o;
	int rc;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "%s: out of memory", key);
	o->key = key;
	if ((rc = open_object((struct file_store *)s, key, &o->fd, &o->size,
	    err)) != 0) {
		free(o);
		return rc;
	}
	*read = file_obj_read;
	*obj = o;
	return 0;
}

static void
file_close_ranges(void *obj)
{
	struct file_obj *o = obj;

	close(o->fd);
	free(o);
}

static int
file_head(struct tq_store *s, const char *key, uint64_t *size,
    struct tq_err *err)
{
	struct file_store *f = (struct file_store *)s;
	struct stat st;
	char *path;
	int rc = 0;

	if ((path = fpath(f, key, err)) == NULL)
		return TQ_ENOMEM;
	if (stat(path, &st) == -1)
		rc = open_err("head", key, err);
	else if (!S_ISREG(st.st_mode))
		rc = tq_err_set(err, TQ_ENOTFOUND, "head %s: no such object", key);
	else
		*size = (uint64_t)st.st_size;
	free(path);
	return rc;
}

/* mkdirs creates the directories leading to the file path (in place). */
static int
mkdirs(char *path, size_t rootlen, const char *key, struct tq_err *err)
{
	char *p;

	for (p = path + rootlen + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0777) == -1 && errno != EEXIST) {
			*p = '/';
			return tq_err_sys(err, key);
		}
		*p = '/';
	}
	return 0;
}

static int
fsync_dir(const char *path, const char *key, struct tq_err *err)
{
	char *dir, *slash;
	int fd, rc = 0;

	if ((dir = strdup(path)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "%s: out of memory", key);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if ((fd = open(slash == NULL ? "." : dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || fsync(fd) == -1)
		rc = tq_err_sys(err, key);
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}

/*
 * put_common writes the object from memory (data) or from fd, through a
 * temporary file renamed into place.
 */
static int
put_common(struct file_store *f, const char *key, const unsigned char *data,
    size_t len, int srcfd, struct tq_err *err)
{
	unsigned char chunk[65536];
	char *path = NULL, *tmp = NULL, *slash;
	size_t plen, off = 0;
	ssize_t n, w;
	int fd = -1, rc = 0;

	if ((path = fpath(f, key, err)) == NULL)
		return TQ_ENOMEM;
	plen = strlen(path);
	if ((tmp = malloc(plen + 32)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "%s: out of memory", key);
		goto out;
	}
	slash = strrchr(path, '/');
	snprintf(tmp, plen + 32, "%.*s%sXXXXXX", (int)(slash - path + 1), path,
	    TMP_PREFIX);
	if ((rc = mkdirs(path, strlen(f->root), key, err)) != 0)
		goto out;
	if ((fd = mkstemp(tmp)) == -1) {
		rc = tq_err_sys(err, key);
		goto out;
	}
	for (;;) {
		const unsigned char *p;

		if (srcfd == -1) {
			if (off == len)
				break;
			p = data + off;
			n = (ssize_t)(len - off);
			off = len;
		} else {
			if ((n = read(srcfd, chunk, sizeof(chunk))) == -1) {
				if (errno == EINTR)
					continue;
				rc = tq_err_sys(err, "read");
				goto out;
			}
			if (n == 0)
				break;
			p = chunk;
		}
		while (n > 0) {
			if ((w = write(fd, p, (size_t)n)) == -1) {
				if (errno == EINTR)
					continue;
				rc = tq_err_sys(err, key);
				goto out;
			}
			p += w;
			n -= w;
		}
	}
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		rc = tq_err_sys(err, key);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		rc = tq_err_sys(err, key);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		rc = tq_err_sys(err, key);
		goto out;
	}
	rc = fsync_dir(path, key, err);
out:
	if (fd != -1)
		close(fd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

static int
file_put(struct tq_store *s, const char *key, const void *data, size_t len,
    struct tq_err *err)
{
	return put_common((struct file_store *)s, key, data, len, -1, err);
}

static int
file_put_fd(struct tq_store *s, const char *key, int fd, struct tq_err *err)
{
	return put_common((struct file_store *)s, key, NULL, 0, fd, err);
}

static int
file_del(struct tq_store *s, const char *key, struct tq_err *err)
{
	struct file_store *f = (struct file_store *)s;
	char *path;
	int rc = 0;

	if ((path = fpath(f, key, err)) == NULL)
		return TQ_ENOMEM;
	if (unlink(path) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = tq_err_sys(err, key);
		goto out;
	}
	if ((rc = fsync_dir(path, key, err)) != 0)
		goto out;
	/*
	 * Directories exist only to hold objects: remove the ones this
	 * delete left empty (rmdir fails on the others, which is fine).
	 */
	for (;;) {
		char *slash = strrchr(path, '/');

		if (slash == NULL || (size_t)(slash - path) <= strlen(f->root))
			break;
		*slash = '\0';
		if (rmdir(path) == -1)
			break;
	}
out:
	free(path);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * walk lists the directory rel (relative to the root, "" or ending in
 * '/'), sorted, calling fn for files whose key starts with prefix;
 * with a delimiter, a subdirectory past the prefix is one prefix entry.
 */
static int
walk(struct file_store *f, const char *rel, const char *prefix, bool delim,
    tq_store_list_fn fn, void *arg, int depth, struct tq_err *err)
{
	char **names = NULL, *dirpath = NULL, *key = NULL;
	size_t nnames = 0, cap = 0, i, plen = strlen(prefix), rlen = strlen(rel);
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int rc = 0;

	if (depth > 64)
		return tq_err_set(err, TQ_ELIMIT, "%s: directories too deep", rel);
	if ((dirpath = store_prefix_join(f->root, rel)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "list: out of memory");
		goto out;
	}
	if ((d = opendir(dirpath)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = tq_err_sys(err, rel[0] == '\0' ? "." : rel);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		char **nn, *full;
		size_t n;

		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0))
			continue;
		/* A directory's type comes with its name; a file's size
		 * needs lstat. */
		if (de->d_type == DT_DIR) {
			st.st_mode = S_IFDIR;
			st.st_size = 0;
		} else if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN) {
			continue;
		} else {
			if ((full = store_prefix_join(dirpath, de->d_name)) ==
			    NULL) {
				rc = tq_err_set(err, TQ_ENOMEM,
				    "list: out of memory");
				goto out;
			}
			if (lstat(full, &st) == -1) {
				free(full);
				if (errno == ENOENT)
					continue;	/* deleted while we list */
				rc = tq_err_sys(err, de->d_name);
				goto out;
			}
			free(full);
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			continue;
		if (nnames == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL) {
				rc = tq_err_set(err, TQ_ENOMEM, "list: out of memory");
				goto out;
			}
			names = nn;
		}
		/*
		 * Directories sort as "name/" so the order is the byte order
		 * of whole keys, as in the cloud stores.  The size of a file
		 * rides after its name's NUL.
		 */
		n = strlen(de->d_name);
		if ((names[nnames] = malloc(n + 2 + sizeof(uint64_t))) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "list: out of memory");
			goto out;
		}
		memcpy(names[nnames], de->d_name, n);
		if (S_ISDIR(st.st_mode))
			names[nnames][n++] = '/';
		names[nnames][n] = '\0';
		memcpy(names[nnames] + n + 1, &(uint64_t){ (uint64_t)st.st_size },
		    sizeof(uint64_t));
		nnames++;
	}
	if (errno != 0) {
		rc = tq_err_sys(err, rel);
		goto out;
	}
	if (nnames > 0)
		qsort(names, nnames, sizeof(*names), cmp_str);
	for (i = 0; i < nnames; i++) {
		size_t nlen = strlen(names[i]), klen = rlen + nlen;
		bool isdir = names[i][nlen - 1] == '/';
		uint64_t size;

		free(key);
		if ((key = malloc(klen + 1)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "list: out of memory");
			goto out;
		}
		memcpy(key, rel, rlen);
		memcpy(key + rlen, names[i], nlen + 1);
		memcpy(&size, names[i] + nlen + 1, sizeof(size));
		/* Skip what cannot match the prefix. */
		if (strncmp(key, prefix, klen < plen ? klen : plen) != 0)
			continue;
		if (isdir) {
			if (delim && klen > plen) {
				if ((rc = fn(arg, key, 0, true)) != 0)
					goto out;
				continue;
			}
			if ((rc = walk(f, key, prefix, delim, fn, arg,
			    depth + 1, err)) != 0)
				goto out;
			continue;
		}
		if (klen < plen)
			continue;
		if ((rc = fn(arg, key, size, false)) != 0)
			goto out;
	}
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(dirpath);
	free(key);
	return rc;
}

static int
file_list(struct tq_store *s, const char *prefix, const char *delim,
    tq_store_list_fn fn, void *arg, struct tq_err *err)
{
	struct file_store *f = (struct file_store *)s;
	const char *slash = strrchr(prefix, '/');
	char *rel, *path;
	struct stat st;
	int rc;

	if (slash == NULL)
		return walk(f, "", prefix, delim != NULL, fn, arg, 0, err);
	/*
	 * Straight to the prefix's directory: what lies outside it cannot
	 * match.  It must be a directory itself, not a link to one, as the
	 * walk from the root would have it.
	 */
	if ((rel = strndup(prefix, (size_t)(slash - prefix) + 1)) == NULL ||
	    (path = store_prefix_join(f->root, rel)) == NULL) {
		free(rel);
		return tq_err_set(err, TQ_ENOMEM, "list: out of memory");
	}
	path[strlen(path) - 1] = '\0';	/* a trailing '/' follows links */
	if (lstat(path, &st) == -1)
		rc = errno == ENOENT || errno == ENOTDIR ? 0 :
		    tq_err_sys(err, rel);
	else
		rc = !S_ISDIR(st.st_mode) ? 0 : walk(f, rel, prefix,
		    delim != NULL, fn, arg, 1, err);
	free(path);
	free(rel);
	return rc;
}

static void
file_free(struct tq_store *s)
{
	struct file_store *f = (struct file_store *)s;

	free(f->root);
	free(f);
}

static const struct store_ops file_ops = {
	.kind = "file",
	.free = file_free,
	.get = file_get,
	.head = file_head,
	.put = file_put,
	.put_fd = file_put_fd,
	.list = file_list,
	.del = file_del,
	.open_ranges = file_open_ranges,
	.close_ranges = file_close_ranges,
	.visit = file_visit,
};

int
store_file_open(const char *dir, const struct tq_store_opts *o,
    struct tq_store **out, struct tq_err *err)
{
	struct file_store *f;
	struct stat st;
	size_t n;

	if (stat(dir, &st) == -1)
		return tq_err_sys(err, dir);
	if (!S_ISDIR(st.st_mode))
		return tq_err_set(err, TQ_EINVAL, "%s: not a directory", dir);
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->root = strdup(dir)) == NULL) {
		free(f);
		return tq_err_set(err, TQ_ENOMEM, "%s: out of memory", dir);
	}
	n = strlen(f->root);
	while (n > 1 && f->root[n - 1] == '/')
		f->root[--n] = '\0';
	f->base.ops = &file_ops;
	f->base.opts = *o;
	*out = &f->base;
	return 0;
}
