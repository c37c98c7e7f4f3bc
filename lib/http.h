/*
 * http.h: the HTTP/1.1 server shared by tempo-recv and tempo-serve.
 *
 * A server listens on one address and routes each request by method and
 * path to a handler.  The body is accumulated whole, up to the route's cap
 * (over it the client gets 413), before the handler runs; the bodies of
 * all connections together are capped too (past it: 503 with
 * Retry-After), so memory stays bounded whatever clients do.  The handler the handler reads headers and body through the
 * accessors below and answers once with tq_http_reply().  Handlers run on
 * the server's worker threads, several at once: they must be thread-safe
 * and must not block for long (answer 503 instead).
 *
 * The request and reply types are transport-neutral on purpose: nothing
 * here exposes libmicrohttpd.  OTLP/gRPC (HTTP/2 over nghttp2, a later
 * addition) will build the same struct tq_http_request from an HTTP/2
 * stream, with the gRPC message (frame header stripped, decompressed per
 * grpc-encoding) as the body, call the same route handlers, and map the
 * reply status to a grpc-status trailer.  That is why the server object is
 * created from a config whose routes say nothing about the wire.
 *
 * Shutdown is two steps: tq_http_server_quiesce() stops accepting and
 * makes requests that start afterwards fail with 503, then
 * tq_http_server_drain() waits for the requests already being received or
 * handled to be answered; tq_http_server_free() closes everything.
 */
#ifndef TQ_HTTP_H
#define TQ_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct tq_http_server;
struct tq_http_request;

/*
 * A handler answers r with tq_http_reply().  A handler that returns
 * without answering makes the server answer 500.  arg is the route's arg.
 */
typedef void (*tq_http_handler)(struct tq_http_request *r, void *arg);

struct tq_http_route {
	const char	*method;	/* "POST"; NULL matches any method */
	const char	*path;		/* "/v1/traces"; see prefix */
	bool		 prefix;	/* path matches as a prefix ("/" all) */
	size_t		 max_body;	/* body cap; 0 takes the server's */
	tq_http_handler	 handler;
	void		*arg;
};

/*
 * Optional logger for events the library sees but no handler does
 * (connection errors, timeouts, internal failures): one line, no newline.
 */
typedef void (*tq_http_logger)(void *arg, const char *line);

struct tq_http_config {
	const char	*addr;		/* "HOST:PORT", "[V6]:PORT", ":PORT"; port 0 picks one */
	unsigned	 threads;	/* worker threads; 0 = number of CPUs */
	unsigned	 timeout;	/* idle seconds per connection; 0 = TQ_HTTP_TIMEOUT */
	unsigned	 max_conns;	/* 0 = TQ_HTTP_MAX_CONNS */
	size_t		 max_body;	/* 0 = TQ_MAX_BODY */
	size_t		 max_inflight;	/* bodies being received, all
					 * together; 0 = TQ_HTTP_MAX_INFLIGHT */
	const struct tq_http_route *routes;	/* first match wins */
	size_t		 nroutes;
	tq_http_logger	 log;		/* NULL: silent */
	void		*log_arg;
};

/*
 * tq_http_server_new binds cfg->addr, listens and starts the worker
 * threads.  cfg->routes (and the strings they point to) must stay valid
 * until tq_http_server_free().  On success *out is a running server owned
 * by the caller.  Returns 0, TQ_EINVAL (bad address or config: err says
 * which), TQ_EIO (bind or listen failed: "127.0.0.1:4318: Address already
 * in use") or TQ_ENOMEM.
 */
int	tq_http_server_new(const struct tq_http_config *cfg,
	    struct tq_http_server **out, struct tq_err *err);

/* tq_http_server_port returns the TCP port the server listens on. */
unsigned tq_http_server_port(const struct tq_http_server *s);

/*
 * tq_http_server_quiesce closes the listening socket: no new connection
 * is accepted, and requests that begin afterwards on kept-alive
 * connections are answered 503 with Connection: close.  Safe to call more
 * than once.
 */
void	tq_http_server_quiesce(struct tq_http_server *s);

/*
 * tq_http_server_drain waits up to timeout_ms for every request that has
 * begun to be answered.  Returns true when none is left.
 */
bool	tq_http_server_drain(struct tq_http_server *s, unsigned timeout_ms);

/*
 * tq_http_server_free stops the threads and closes every connection (a
 * request still being received is dropped; drain first), then frees s.
 * NULL allowed.
 */
void	tq_http_server_free(struct tq_http_server *s);

/*
 * tq_http_server_recycle gives a body buffer taken with
 * tq_http_request_take_body() back to s for reuse by later requests (or
 * frees it), and leaves b empty.  Thread-safe.
 */
void	tq_http_server_recycle(struct tq_http_server *s, struct tq_buf *b);

/* Request accessors: strings are valid until the handler returns. */
const char *tq_http_request_method(const struct tq_http_request *r);
/* The path without the query string. */
const char *tq_http_request_path(const struct tq_http_request *r);
/* The header's value (name case-insensitive), or NULL when absent. */
const char *tq_http_request_header(const struct tq_http_request *r,
	    const char *name);
/* A query string argument, decoded, or NULL when absent. */
const char *tq_http_request_query(const struct tq_http_request *r,
	    const char *key);
/* The body as received (still encoded per Content-Encoding). */
const unsigned char *tq_http_request_body(const struct tq_http_request *r,
	    size_t *len);
/* The server r arrived at (for tq_http_server_recycle). */
struct tq_http_server *tq_http_request_server(const struct tq_http_request *r);
/* The peer as "ADDR:PORT" for logs; valid until the handler returns. */
const char *tq_http_request_peer(const struct tq_http_request *r);

/*
 * tq_http_request_take_body moves the body buffer into *out (which must be
 * empty or released); the request's body is then empty.  The caller owns
 * it and ends it with tq_http_server_recycle() or tq_buf_release().
 */
void	tq_http_request_take_body(struct tq_http_request *r,
	    struct tq_buf *out);

/*
 * tq_http_reply_header adds a header to the reply tq_http_reply() will
 * send; name and value are copied.  At most 8 per reply.  Returns 0 or
 * TQ_ELIMIT.
 */
int	tq_http_reply_header(struct tq_http_request *r, const char *name,
	    const char *value);

/*
 * tq_http_reply answers r with status, content_type (NULL: none) and
 * len bytes of body (copied).  Only the first call counts.  Returns 0,
 * TQ_EINVAL when r was already answered, or TQ_ENOMEM.
 */
int	tq_http_reply(struct tq_http_request *r, int status,
	    const char *content_type, const void *body, size_t len);

/*
 * tq_http_reply_text answers r with a text/plain body made from fmt and a
 * newline.  Returns as tq_http_reply.
 */
int	tq_http_reply_text(struct tq_http_request *r, int status,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
