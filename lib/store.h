/*
 * store.h: object storage behind one interface.
 *
 * A store is opened from a URL: a plain path or file:///abs/dir (a local
 * directory), s3://bucket/prefix, gs://bucket/prefix or
 * az://container/prefix.  Keys are '/'-separated relative names such as
 * "single-tenant/<blockID>/meta.json", always relative to the URL's
 * prefix; keys with "..", "." or empty segments, or a leading '/', are
 * refused with TQ_EINVAL.
 *
 * Errors: a missing object is TQ_ENOTFOUND, distinct from failures; a
 * failed request is TQ_EIO with err->msg naming the operation, the key,
 * the HTTP status and the service's error code and message (never a
 * credential).  The cloud backends retry requests (all are safe to
 * repeat) on 5xx, 429 and network errors with exponential backoff and
 * jitter (honouring Retry-After), and reuse connections.  Credentials come from the
 * environment (see tempo-storage(7)).
 *
 * A store object may be used from several threads at once: each call
 * in progress has connections of its own (the cloud backends keep idle
 * ones for the next call).  Within one thread, tq_store_get_many() is
 * the way to run many requests at once.
 */
#ifndef TQ_STORE_H
#define TQ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct tq_store;

/*
 * How S3 URLs name the bucket: automatically (virtual-hosted,
 * bucket.host/key, on AWS; path-style with an endpoint override or a
 * bucket name with dots), always in the path (endpoint/bucket/key), or
 * always in the host name.
 */
enum {
	TQ_STORE_ADDR_AUTO = 0,
	TQ_STORE_ADDR_PATH,
	TQ_STORE_ADDR_VIRTUAL,
};

/*
 * Which GCS API a gs:// store speaks: chosen by the credentials (the JSON
 * API with an OAuth2 token, the XML API with HMAC keys; see
 * tempo-storage(7)), or forced.
 */
enum {
	TQ_STORE_GCS_AUTO = 0,
	TQ_STORE_GCS_JSON,
	TQ_STORE_GCS_XML,
};

struct tq_store_opts {
	const char	*endpoint;	/* http(s)://host[:port] override, or NULL */
	const char	*region;	/* S3 region, or NULL for $AWS_REGION/us-east-1 */
	bool		 insecure;	/* do not verify TLS certificates */
	int		 addressing;	/* S3: TQ_STORE_ADDR_* */
	int		 gcs_api;	/* GCS: TQ_STORE_GCS_*; AUTO reads
					   $TEMPO_GCS_API (json or xml) */
	long		 connect_timeout_ms;	/* per connection attempt */
	long		 timeout_ms;	/* a transfer stalled this long fails */
	int		 retries;	/* extra attempts after a retryable failure */
	int		 concurrency;	/* requests in flight in batches and uploads */
	size_t		 part_size;	/* multipart/block size; also the threshold */
};

/*
 * tq_store_opts_init fills o with the defaults: no endpoint override, TLS
 * verified, 10 s connect and 60 s stall timeouts, 4 retries, 8 requests in
 * flight, 8 MiB parts.  The environment is read by tq_store_open, not here.
 */
void	tq_store_opts_init(struct tq_store_opts *o);

/*
 * tq_store_open opens the store named by url with opts (NULL for the
 * defaults).  An endpoint override may also come from
 * $AWS_ENDPOINT_URL_S3 or $AWS_ENDPOINT_URL (s3), $TEMPO_GCS_ENDPOINT (gs)
 * or the Azure connection string.  A local
 * directory must exist.  On success *out is a new store owned by the
 * caller (tq_store_free).  Returns 0, TQ_EINVAL (bad URL or missing
 * credentials, said in err), TQ_EIO or TQ_ENOMEM.
 */
int	tq_store_open(const char *url, const struct tq_store_opts *opts,
	    struct tq_store **out, struct tq_err *err);

/* tq_store_free closes s and frees it (NULL allowed). */
void	tq_store_free(struct tq_store *s);

/* tq_store_kind returns "file", "s3", "gs" or "az". */
const char	*tq_store_kind(const struct tq_store *s);

/*
 * tq_store_get appends the whole object key to out, which must have been
 * initialised by the caller with a cap (tq_buf_init): a larger object
 * fails with TQ_ELIMIT.  Returns 0, TQ_ENOTFOUND, TQ_ELIMIT, TQ_EIO,
 * TQ_EINVAL or TQ_ENOMEM.  On failure out may hold part of the object.
 */
int	tq_store_get(struct tq_store *s, const char *key, struct tq_buf *out,
	    struct tq_err *err);

/*
 * tq_store_get_range reads exactly len bytes of key starting at byte off
 * into dst.  A range that ends past the object's end is TQ_ECORRUPT (the
 * caller's offsets came from a footer that lies).  Returns 0,
 * TQ_ENOTFOUND, TQ_ECORRUPT, TQ_EIO or TQ_EINVAL.
 */
int	tq_store_get_range(struct tq_store *s, const char *key, uint64_t off,
	    size_t len, void *dst, struct tq_err *err);

/*
 * A tq_store_object reads ranges of one object and keeps what makes the
 * next read cheap: a directory store opens the file at the first read
 * and keeps it open until tq_store_object_close or _free (the ranges of
 * a block's scan cost one open, and come from the object opened even if
 * it is replaced meanwhile); the other stores make a ranged request per
 * read.  One thread at a time.
 */
struct tq_store_object;

/* tq_store_object_new makes one for key; nothing is read yet.  Returns
 * 0, TQ_EINVAL (a bad key) or TQ_ENOMEM. */
int	tq_store_object_new(struct tq_store *s, const char *key,
	    struct tq_store_object **out, struct tq_err *err);
/* tq_store_object_read is tq_store_get_range of the object. */
int	tq_store_object_read(struct tq_store_object *o, uint64_t off,
	    size_t len, void *dst, struct tq_err *err);
/* tq_store_object_close lets go of what o keeps open; the next read opens
 * the object again. */
void	tq_store_object_close(struct tq_store_object *o);
void	tq_store_object_free(struct tq_store_object *o);

/*
 * A tq_store_read_fn reads len bytes at off of the object being visited
 * into dst; a range past its end is TQ_ECORRUPT.
 */
typedef int	(*tq_store_read_fn)(void *obj, uint64_t off, size_t len,
		    void *dst, struct tq_err *err);
/*
 * A tq_store_visit_fn gets the object's size and read(obj, ...) to read
 * any ranges of it; its return is tq_store_visit's.
 */
typedef int	(*tq_store_visit_fn)(void *arg, uint64_t size,
		    tq_store_read_fn read, void *obj, struct tq_err *err);

/*
 * tq_store_visit opens object key once, one request to the store, and
 * calls fn(arg, size, read, obj, err), which reads what it needs of the
 * object until it returns.  A directory store reads just those ranges
 * (for a probe of a few words of a large object); the others fetch the
 * object whole, up to max bytes (TQ_ELIMIT past that), and serve the
 * ranges from memory.  *bytes gets the bytes that came from the store,
 * also on failure.  Returns fn's code, TQ_ENOTFOUND, TQ_ELIMIT, TQ_EIO,
 * TQ_EINVAL or TQ_ENOMEM.
 */
int	tq_store_visit(struct tq_store *s, const char *key, size_t max,
	    tq_store_visit_fn fn, void *arg, uint64_t *bytes,
	    struct tq_err *err);

/*
 * tq_store_get_fd streams the whole object key to the file descriptor fd
 * (a file or a pipe), without holding it in memory; an interrupted
 * transfer is resumed where it stopped.  Returns 0, TQ_ENOTFOUND, TQ_EIO
 * or TQ_EINVAL; on failure fd may have received part of the object.
 */
int	tq_store_get_fd(struct tq_store *s, const char *key, int fd,
	    struct tq_err *err);

/*
 * tq_store_head stores the size of key in *size.  Returns 0,
 * TQ_ENOTFOUND, TQ_EIO or TQ_EINVAL.
 */
int	tq_store_head(struct tq_store *s, const char *key, uint64_t *size,
	    struct tq_err *err);

/*
 * tq_store_put writes len bytes at data as the object key, replacing it.
 * The object is visible whole or not at all.  Returns 0, TQ_EIO,
 * TQ_EINVAL or TQ_ENOMEM.
 */
int	tq_store_put(struct tq_store *s, const char *key, const void *data,
	    size_t len, struct tq_err *err);

/*
 * tq_store_put_fd writes everything read from fd (from its current
 * position to end of file; a pipe works) as the object key.  At most
 * concurrency * part_size bytes are held in memory: larger data goes up
 * as an S3 multipart upload (aborted on failure), Azure blocks, or a GCS
 * resumable upload (cancelled on failure).  The object is visible whole
 * or not at all.  Errors as tq_store_put.
 */
int	tq_store_put_fd(struct tq_store *s, const char *key, int fd,
	    struct tq_err *err);

/* tq_store_put_file is tq_store_put_fd on the file at path. */
int	tq_store_put_file(struct tq_store *s, const char *key,
	    const char *path, struct tq_err *err);

/*
 * A tq_store_list_fn receives each entry of a listing: a key (relative to
 * the store, like every key) and its size, or, when is_prefix is true, a
 * common prefix ending in the delimiter ("tenant/") with size 0.  The
 * strings are valid during the call only.  A non-zero return stops the
 * listing, and tq_store_list returns that value.
 */
typedef int	(*tq_store_list_fn)(void *arg, const char *key, uint64_t size,
		    bool is_prefix);

/*
 * tq_store_list calls fn for every key starting with prefix ("" for all),
 * in byte order.  With delim "/" the keys below the next '/' after prefix
 * are rolled up into one prefix entry (list tenants with prefix "", the
 * blocks of a tenant with prefix "tenant/"); NULL lists everything below.
 * Pages are followed to the end.  Returns 0, fn's non-zero value, TQ_EIO,
 * TQ_ECORRUPT (an unreadable listing) or TQ_ENOMEM.
 */
int	tq_store_list(struct tq_store *s, const char *prefix,
	    const char *delim, tq_store_list_fn fn, void *arg,
	    struct tq_err *err);

/*
 * tq_store_delete removes key; a key that does not exist is not an error.
 * Returns 0, TQ_EIO or TQ_EINVAL.
 */
int	tq_store_delete(struct tq_store *s, const char *key,
	    struct tq_err *err);

/*
 * tq_store_delete_many removes the n keys (S3: DeleteObjects, 1000 a
 * request; others: concurrent deletes).  Missing keys are not errors.
 * Returns 0 or the first failure (TQ_EIO, TQ_EINVAL), naming its key.
 */
int	tq_store_delete_many(struct tq_store *s, const char *const *keys,
	    size_t n, struct tq_err *err);

/*
 * One request of a batch.  The caller sets key, off and len (len 0: the
 * whole object from off) and initialises buf with its cap; rc and err
 * are the request's own outcome (0, TQ_ENOTFOUND, TQ_ELIMIT, TQ_ECORRUPT
 * for a short range, TQ_EIO ...), and buf receives the bytes.
 */
struct tq_store_req {
	const char	*key;
	uint64_t	 off;
	size_t		 len;
	struct tq_buf	 buf;
	int		 rc;
	struct tq_err	 err;
};

/*
 * tq_store_get_many runs the n independent gets in reqs with up to
 * opts.concurrency in flight (over one curl multi handle, sharing
 * connections), retrying each on its own.  Returns 0 when every request
 * ran (look at each rc: a missing object is not a batch failure), or
 * TQ_ENOMEM / TQ_EIO when the batch itself could not run.
 */
int	tq_store_get_many(struct tq_store *s, struct tq_store_req *reqs,
	    size_t n, struct tq_err *err);

/*
 * tq_store_key_valid checks key (as described above) and returns true
 * when it is acceptable.
 */
bool	tq_store_key_valid(const char *key);

#endif
