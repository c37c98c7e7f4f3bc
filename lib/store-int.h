/*
 * store-int.h: what the files of lib/store/ share and nobody else sees:
 * the backend table behind struct tq_store, the libcurl request runner
 * (http.c) with its retries, the response sinks, a small XML scanner for
 * the services' listings and errors (xml.c), SigV4 and other crypto
 * helpers (sigv4.c), and the backends' constructors.
 */
#ifndef TQ_STORE_INT_H
#define TQ_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "store.h"

struct store_sink;

/*
 * libcurl's functions that the HTTP stores call, from the library loaded
 * at run time (curl.c): programs that never open an HTTP store never
 * load it.
 */
struct store_curl {
	void		*handle;
	void		(*easy_cleanup)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_perform)(CURL *);
	void		(*easy_reset)(CURL *);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	const char	*(*easy_strerror)(CURLcode);
	CURLcode	(*global_init)(long);
	CURLMcode	(*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	(*multi_cleanup)(CURLM *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLM		*(*multi_init)(void);
	CURLMcode	(*multi_perform)(CURLM *, int *);
	CURLMcode	(*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMcode	(*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	(*multi_setopt)(CURLM *, CURLMoption, ...);
	const char	*(*multi_strerror)(CURLMcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
};

/*
 * store_curl_open loads libcurl into c; store_curl_close lets it go (c
 * may be zeroed or closed already).  Returns 0, or TQ_EUNSUPPORTED when
 * the library or one of its functions is missing (err says which).
 */
int	store_curl_open(struct store_curl *c, struct tq_err *err);
void	store_curl_close(struct store_curl *c);

/* Each backend fills one of these; NULL get_many/del_many use a loop. */
struct store_ops {
	const char *kind;
	void	(*free)(struct tq_store *);
	int	(*get)(struct tq_store *, const char *, struct store_sink *,
		    struct tq_err *);
	int	(*head)(struct tq_store *, const char *, uint64_t *,
		    struct tq_err *);
	int	(*put)(struct tq_store *, const char *, const void *, size_t,
		    struct tq_err *);
	int	(*put_fd)(struct tq_store *, const char *, int,
		    struct tq_err *);
	int	(*list)(struct tq_store *, const char *, const char *,
		    tq_store_list_fn, void *, struct tq_err *);
	int	(*del)(struct tq_store *, const char *, struct tq_err *);
	int	(*del_many)(struct tq_store *, const char *const *, size_t,
		    struct tq_err *);
	int	(*get_many)(struct tq_store *, struct tq_store_req *, size_t,
		    struct tq_err *);
	/* Opens key for *read(*obj, ...) of its ranges until
	 * close_ranges(*obj) (a directory store: the file kept open; key
	 * outlives it); NULL: a ranged get per read. */
	int	(*open_ranges)(struct tq_store *, const char *,
		    tq_store_read_fn *, void **, struct tq_err *);
	void	(*close_ranges)(void *);
	/* NULL: the whole object is fetched and visited in memory. */
	int	(*visit)(struct tq_store *, const char *, tq_store_visit_fn,
		    void *, uint64_t *, struct tq_err *);
};

struct tq_store {
	const struct store_ops	*ops;
	struct tq_store_opts	 opts;
};

/*
 * Where a GET's bytes go: a capped buffer, a fixed caller buffer of
 * exactly len bytes, or a file descriptor.  off and len (0: to the end)
 * give the range; got counts what was delivered, so a retry resumes at
 * off + got.
 */
enum { SINK_BUF, SINK_MEM, SINK_FD };
struct store_sink {
	int		 kind;
	struct tq_buf	*buf;
	unsigned char	*mem;
	int		 fd;
	uint64_t	 off;
	size_t		 len;
	uint64_t	 got;
	uint64_t	 total;		/* object size if a response said it */
	int		 rc;		/* a local failure (write, limit) */
	struct tq_err	 err;
};

/* A header or query parameter, raw (not encoded). */
struct store_kv {
	const char	*name;
	const char	*value;
};

#define HTTP_MAX_KV	12

/*
 * One HTTP request.  The backend fills the first block; the runner fills
 * the results.  The backend's prepare hook builds the URL and the signed
 * headers for each attempt (dates change between retries).
 */
struct http_req {
	const char	*method;
	const char	*key;		/* object key below the prefix, or NULL */
	const char	*what;		/* "get KEY" for messages */
	const char	*full_url;	/* a complete URL to use as is, or NULL */
	struct store_kv	 q[HTTP_MAX_KV];	/* query, in any order */
	int		 nq;
	struct store_kv	 h[HTTP_MAX_KV];	/* extra headers, lowercase names */
	int		 nh;
	const unsigned char *body;
	size_t		 body_len;
	bool		 has_body;
	struct store_sink *sink;	/* 2xx body goes here, else to resp */
	size_t		 resp_max;	/* cap of resp; 0 for the default */

	/* Results. */
	long		 status;
	struct tq_buf	 resp;		/* 2xx body without sink; error bodies */
	uint64_t	 content_length;
	char		 etag[160];
	char		 ms_error[96];	/* x-ms-error-code */
	char		 range[64];	/* the Range header value, or "" */
	char		 got_range[64];	/* the answer's Range header, or "" */
	struct tq_buf	*location;	/* receives a Location header if set */
	bool		 no_retry;	/* fail at once; transient says why */
	bool		 accept_308;	/* 308 (GCS "resume incomplete") is fine */
	bool		 transient;	/* the failure would have been retried */
	char		 payload_hash[65];	/* SigV4, computed once */
	int		 rc;
	struct tq_err	 err;

	/* Runner state. */
	int		 attempt;
	uint64_t	 skip_left;	/* bytes of a 200 to drop before a range */
	long		 retry_after_ms;
	double		 not_before;
	struct curl_slist *slist;
	const struct store_curl *curl;	/* that made slist */
	struct tq_buf	 url;
};

/*
 * prepare builds r->url (reset by the caller) and *hdrs for one attempt.
 * Returns 0 or a TQ_E* code with err set.
 */
typedef int	(*http_prepare_fn)(void *ctx, struct http_req *r,
		    struct curl_slist **hdrs, struct tq_err *err);

/*
 * A set of curl handles (a multi handle and opts.concurrency easy ones,
 * which keep their connections alive): one batch of requests runs on one
 * set at a time.
 */
struct http_conn {
	CURLM		*multi;
	CURL		**easy;
	int		 neasy;
	struct http_conn *next;		/* in the idle list */
};

/*
 * The request runner of a store.  Batches from several threads at once
 * each take a set of handles from the idle list, or make one: a store
 * may be shared by threads, each keeping its own connections.
 */
struct http {
	struct store_curl curl;
	const struct tq_store_opts *opts;
	http_prepare_fn	 prepare;
	void		*ctx;
	pthread_mutex_t	 mu;		/* guards idle and rng */
	bool		 mu_init;
	struct http_conn *idle;
	uint64_t	 rng;
};

/*
 * http_init makes h ready, with one set of handles; http_release frees
 * it (no batch may be running).  prepare(ctx, ...) builds each attempt
 * and must be safe to call from several threads at once.
 */
int	http_init(struct http *h, const struct tq_store_opts *opts,
	    http_prepare_fn prepare, void *ctx, struct tq_err *err);
void	http_release(struct http *h);

/* http_what formats "verb key" for messages into w (n bytes); returns w. */
const char *http_what(char *w, size_t n, const char *verb, const char *key);

/* http_req_init empties r for method; http_req_release frees its memory. */
void	http_req_init(struct http_req *r, const char *method, const char *key,
	    const char *what);
void	http_req_release(struct http_req *r);
void	http_req_query(struct http_req *r, const char *name, const char *value);
void	http_req_header(struct http_req *r, const char *name, const char *value);

/*
 * http_run performs the n requests, up to opts->concurrency at once, each
 * retried on its own.  Each r->rc is 0 for a 2xx, TQ_ENOTFOUND for a 404
 * of an object, TQ_EIO otherwise (r->err says what, with the service's
 * code and message), or the sink's failure.  Returns 0 when all ran, or a
 * failure of the machinery itself.
 */
int	http_run(struct http *h, struct http_req **reqs, size_t n,
	    struct tq_err *err);

/*
 * http_backoff returns how long to wait, in milliseconds, before retry
 * number attempt + 1 (attempt counts from 0): exponential with jitter,
 * at least retry_after_ms (the server's Retry-After, or 0), capped.
 */
long	http_backoff(struct http *h, int attempt, long retry_after_ms);

/* http_run_one runs one request and returns its rc, copying its err. */
int	http_run_one(struct http *h, struct http_req *r, struct tq_err *err);

/*
 * http_get_many runs a tq_store_get_many batch of GETs through h (see
 * store.h for the contract).
 */
int	http_get_many(struct http *h, struct tq_store_req *reqs, size_t n,
	    struct tq_err *err);

/* Sinks. */
void	sink_init(struct store_sink *k, int kind, uint64_t off, size_t len);
int	sink_finish(struct store_sink *k, const char *key, struct tq_err *err);

/*
 * uri_encode appends s to b, percent-encoding every byte but A-Z a-z 0-9
 * - . _ ~ (and '/' when keep_slash).
 */
int	uri_encode(struct tq_buf *b, const char *s, bool keep_slash);

/*
 * xml_walk scans an XML document and calls fn at the end of each element
 * with the element's path ("ListBucketResult/Contents/Key"), and its
 * entity-decoded text (NUL-terminated, valid during the call).  A
 * non-zero return from fn stops the walk and is returned.  Malformed
 * documents give TQ_ECORRUPT.
 */
typedef int	(*xml_fn)(void *arg, const char *path, const char *text,
		    size_t len);
int	xml_walk(const char *doc, size_t len, xml_fn fn, void *arg,
	    struct tq_err *err);

/* xml_escape appends s to b with & < > " ' escaped. */
int	xml_escape(struct tq_buf *b, const char *s);

/* Crypto helpers (OpenSSL). */
void	sha256_hex(const void *p, size_t n, char out[65]);
void	hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
	    unsigned char out[32]);
int	base64_encode(struct tq_buf *b, const void *p, size_t n, bool url);
int	base64_decode(const char *s, unsigned char *out, size_t max,
	    size_t *outlen);

/*
 * sigv4_sign computes the AWS Signature V4 Authorization header value for
 * a request.  hdrs are the signed headers (lowercase names, sorted by the
 * function), query the raw parameters; path is the canonical
 * (already encoded) path.  amzdate is "YYYYMMDDTHHMMSSZ".  Returns 0 or
 * TQ_ENOMEM.
 */
int	sigv4_sign(const char *method, const char *path,
	    const struct store_kv *query, int nq, const struct store_kv *hdrs,
	    int nh, const char *payload_hash, const char *amzdate,
	    const char *region, const char *service, const char *access,
	    const char *secret, struct tq_buf *out);

/*
 * gcs_jwt builds the signed RS256 JWT a service account exchanges for a
 * token: iss client_email, scope, aud token_uri, iat now, exp now + 3600.
 * pem is the account's private key.  Returns 0, TQ_EINVAL (bad key) or
 * TQ_ENOMEM.
 */
int	gcs_jwt(const char *client_email, const char *pem,
	    const char *token_uri, const char *scope, int64_t now,
	    struct tq_buf *out, struct tq_err *err);

/* Backends. url_rest is what follows "scheme://". */
int	store_file_open(const char *dir, const struct tq_store_opts *o,
	    struct tq_store **out, struct tq_err *err);
int	store_s3_open(const char *url_rest, const struct tq_store_opts *o,
	    struct tq_store **out, struct tq_err *err);
int	store_gcs_open(const char *url_rest, const struct tq_store_opts *o,
	    struct tq_store **out, struct tq_err *err);
int	store_azure_open(const char *url_rest, const struct tq_store_opts *o,
	    struct tq_store **out, struct tq_err *err);

/*
 * S3-compatible backend parameters, shared by s3:// and gs:// (the GCS
 * XML API speaks the same protocol with HMAC keys or a bearer token).
 */
struct s3_params {
	const char	*kind;		/* "s3" or "gs" */
	const char	*bucket;
	const char	*prefix;
	const char	*endpoint;	/* scheme://host[:port] */
	const char	*region;
	const char	*access, *secret, *token;	/* SigV4 */
	const char	*bearer;	/* OAuth2 access token instead */
	bool		 path_style;
	bool		 multi_delete;	/* DeleteObjects supported */
};
int	store_s3_new(const struct s3_params *p, const struct tq_store_opts *o,
	    struct tq_store **out, struct tq_err *err);

/*
 * gcs_json_url appends to out the GCS JSON API URL of a request: base is
 * the endpoint ("https://storage.googleapis.com"), object the object's
 * full name (prefix included) or NULL for the bucket's objects.  upload
 * picks the upload endpoint, where the name goes in the name= parameter;
 * media asks for the object's data (alt=media) rather than its metadata.
 * Path parts and parameters are percent-encoded ('/' too).  Returns 0 or
 * TQ_ENOMEM.
 */
int	gcs_json_url(struct tq_buf *out, const char *base, const char *bucket,
	    const char *object, bool upload, bool media,
	    const struct store_kv *q, int nq);

/*
 * store_gcs_json_new opens a gs:// store that speaks the GCS JSON API
 * with the OAuth2 access token bearer.  endpoint is scheme://host[:port].
 */
int	store_gcs_json_new(const char *bucket, const char *prefix,
	    const char *endpoint, const char *bearer,
	    const struct tq_store_opts *o, struct tq_store **out,
	    struct tq_err *err);

/* store_prefix_join returns a new "prefix/key" (prefix may be ""). */
char	*store_prefix_join(const char *prefix, const char *key);

#endif
