/*
 * http.c: the HTTP/1.1 server over libmicrohttpd (see http.h).
 *
 * libmicrohttpd runs a pool of worker threads, each an epoll loop over its
 * share of the connections.  We bind the listening socket ourselves (so a
 * failure says why) and hand it over.  For each request the access
 * callback is called once at the headers, then once per piece of body,
 * then once more at the end, when the route's handler runs.  Request
 * objects and their body buffers are kept on free lists so that a busy
 * server stops calling malloc for them.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"
#include "limits.h"

#define MAX_REPLY_HEADERS	8

/* Why a body being received was refused (the rest of it is dropped). */
enum overflow {
	OVER_NONE,
	OVER_LIMIT,	/* past the route's cap: 413 */
	OVER_BUSY,	/* past the server's in-flight cap: 503 */
	OVER_NOMEM,	/* out of memory: 503 */
};
#define REPLY_HEADER_SPACE	512

struct tq_http_request {
	struct tq_http_server	*srv;
	struct MHD_Connection	*conn;
	const struct tq_http_route *route;
	const char		*method;
	const char		*path;
	struct tq_buf		 body;
	bool			 answered;
	enum overflow		 overflow;	/* why the body was refused */
	size_t			 counted;	/* body bytes in srv->inflight */
	size_t			 dropped;	/* body bytes dropped after that */
	unsigned		 nhdr;
	size_t			 hdr_used;
	char			*hdr[MAX_REPLY_HEADERS][2];	/* into hdr_space */
	char			 hdr_space[REPLY_HEADER_SPACE];
	char			 peer[80];
	struct tq_http_request	*next;	/* on the free list */
};

struct tq_http_server {
	struct MHD_Daemon	*daemon;
	int			 lfd;	/* ours until the daemon starts */
	unsigned		 port;
	struct tq_http_config	 cfg;
	pthread_mutex_t		 mu;	/* guards everything below */
	pthread_cond_t		 idle;	/* signalled when active drops */
	unsigned		 active;	/* requests begun, not completed */
	atomic_size_t		 inflight;	/* body bytes being received */
	bool			 quiesced;
	struct tq_http_request	*free_reqs;
	unsigned		 nfree_reqs;
	struct tq_buf		 pool[TQ_HTTP_BODY_POOL];
	unsigned		 npool;
};

/* Bodies above this capacity are freed rather than kept for reuse. */
#define POOL_BUF_MAX	(1u * 1024 * 1024)

static void
logmsg(struct tq_http_server *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
logmsg(struct tq_http_server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (s->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_arg, line);
}

/* libmicrohttpd's messages carry their own format strings. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct tq_http_server *s = cls;
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	s->cfg.log(s->cfg.log_arg, line);
}

void
tq_http_server_recycle(struct tq_http_server *s, struct tq_buf *b)
{
	if (b->data != NULL && b->cap <= POOL_BUF_MAX) {
		pthread_mutex_lock(&s->mu);
		if (s->npool < TQ_HTTP_BODY_POOL) {
			s->pool[s->npool] = *b;
			s->pool[s->npool].len = 0;
			s->npool++;
			pthread_mutex_unlock(&s->mu);
			tq_buf_init(b, 0);
			return;
		}
		pthread_mutex_unlock(&s->mu);
	}
	tq_buf_release(b);
}

/* req_new takes a request object and a body buffer from the free lists. */
static struct tq_http_request *
req_new(struct tq_http_server *s)
{
	struct tq_http_request *r;

	pthread_mutex_lock(&s->mu);
	if ((r = s->free_reqs) != NULL) {
		s->free_reqs = r->next;
		s->nfree_reqs--;
	}
	s->active++;
	pthread_mutex_unlock(&s->mu);
	if (r == NULL && (r = calloc(1, sizeof(*r))) == NULL) {
		pthread_mutex_lock(&s->mu);
		s->active--;
		pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->mu);
		return NULL;
	}
	if (r->body.data == NULL) {
		pthread_mutex_lock(&s->mu);
		if (s->npool > 0)
			r->body = s->pool[--s->npool];
		pthread_mutex_unlock(&s->mu);
	}
	r->srv = s;
	r->conn = NULL;
	r->route = NULL;
	r->answered = false;
	r->overflow = OVER_NONE;
	r->counted = 0;
	r->dropped = 0;
	r->nhdr = 0;
	r->hdr_used = 0;
	r->peer[0] = '\0';
	r->next = NULL;
	r->body.len = 0;
	r->body.max = s->cfg.max_body;
	return r;
}

/* req_done returns r to the free list and counts the request finished. */
static void
req_done(struct tq_http_server *s, struct tq_http_request *r)
{
	atomic_fetch_sub(&s->inflight, r->counted);
	r->counted = 0;
	if (r->body.cap > POOL_BUF_MAX)
		tq_buf_release(&r->body);
	pthread_mutex_lock(&s->mu);
	if (s->nfree_reqs < s->cfg.threads * 4 + TQ_HTTP_BODY_POOL) {
		r->next = s->free_reqs;
		s->free_reqs = r;
		s->nfree_reqs++;
		r = NULL;
	}
	s->active--;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
	if (r != NULL) {
		tq_buf_release(&r->body);
		free(r);
	}
}

int
tq_http_reply_header(struct tq_http_request *r, const char *name,
    const char *value)
{
	size_t nl = strlen(name) + 1, vl = strlen(value) + 1;

	if (r->nhdr == MAX_REPLY_HEADERS ||
	    nl + vl > sizeof(r->hdr_space) - r->hdr_used)
		return TQ_ELIMIT;
	r->hdr[r->nhdr][0] = r->hdr_space + r->hdr_used;
	memcpy(r->hdr[r->nhdr][0], name, nl);
	r->hdr_used += nl;
	r->hdr[r->nhdr][1] = r->hdr_space + r->hdr_used;
	memcpy(r->hdr[r->nhdr][1], value, vl);
	r->hdr_used += vl;
	r->nhdr++;
	return 0;
}

int
tq_http_reply(struct tq_http_request *r, int status,
    const char *content_type, const void *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ok = MHD_YES;
	unsigned i;

	if (r->answered)
		return TQ_EINVAL;
	r->answered = true;
	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return TQ_ENOMEM;
	if (content_type != NULL)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    content_type);
	for (i = 0; ok == MHD_YES && i < r->nhdr; i++)
		ok = MHD_add_response_header(resp, r->hdr[i][0], r->hdr[i][1]);
	if (ok == MHD_YES)
		ok = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ok == MHD_YES ? 0 : TQ_ENOMEM;
}

int
tq_http_reply_text(struct tq_http_request *r, int status, const char *fmt,
    ...)
{
	char text[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(text) - 2)
		n = (int)sizeof(text) - 2;
	text[n++] = '\n';
	text[n] = '\0';
	return tq_http_reply(r, status, "text/plain; charset=utf-8", text,
	    (size_t)n);
}

const char *
tq_http_request_method(const struct tq_http_request *r)
{
	return r->method;
}

const char *
tq_http_request_path(const struct tq_http_request *r)
{
	return r->path;
}

const char *
tq_http_request_header(const struct tq_http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
tq_http_request_query(const struct tq_http_request *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const unsigned char *
tq_http_request_body(const struct tq_http_request *r, size_t *len)
{
	*len = r->body.len;
	return r->body.data;
}

struct tq_http_server *
tq_http_request_server(const struct tq_http_request *r)
{
	return r->srv;
}

void
tq_http_request_take_body(struct tq_http_request *r, struct tq_buf *out)
{
	size_t max = r->body.max;

	*out = r->body;
	tq_buf_init(&r->body, max);
}

const char *
tq_http_request_peer(const struct tq_http_request *r)
{
	struct tq_http_request *w = (struct tq_http_request *)(uintptr_t)r;
	const union MHD_ConnectionInfo *ci;
	char host[64], serv[16];
	socklen_t alen;

	if (r->peer[0] != '\0')
		return r->peer;
	snprintf(w->peer, sizeof(w->peer), "unknown");
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return r->peer;
	alen = ci->client_addr->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, alen, host, sizeof(host), serv,
	    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(w->peer, sizeof(w->peer),
		    ci->client_addr->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		    host, serv);
	return r->peer;
}

/*
 * account makes r's share of the server's in-flight body bytes at least
 * need.  Returns false when that would pass the server's cap.
 */
static bool
account(struct tq_http_server *s, struct tq_http_request *r, size_t need)
{
	size_t more, was;

	if (need <= r->counted)
		return true;
	more = need - r->counted;
	was = atomic_fetch_add(&s->inflight, more);
	if (was + more > s->cfg.max_inflight) {
		atomic_fetch_sub(&s->inflight, more);
		return false;
	}
	r->counted = need;
	return true;
}

/* busy answers 503 because of the in-flight cap. */
static void
busy(struct tq_http_request *r)
{
	tq_http_reply_header(r, "Retry-After", "1");
	tq_http_reply_text(r, 503, "server busy: more than %zu bytes of "
	    "request bodies in flight", r->srv->cfg.max_inflight);
}

/* route_find returns the route for method and path; *path_known says
 * whether some route has the path (for 405 rather than 404). */
static const struct tq_http_route *
route_find(const struct tq_http_server *s, const char *method,
    const char *path, bool *path_known)
{
	const struct tq_http_route *rt;
	size_t i;
	bool match;

	*path_known = false;
	for (i = 0; i < s->cfg.nroutes; i++) {
		rt = &s->cfg.routes[i];
		if (rt->prefix)
			match = strncmp(path, rt->path, strlen(rt->path)) == 0;
		else
			match = strcmp(path, rt->path) == 0;
		if (!match)
			continue;
		*path_known = true;
		if (rt->method == NULL || strcmp(rt->method, method) == 0)
			return rt;
	}
	return NULL;
}

/*
 * begin handles the headers of a new request: routing, the shutdown and
 * Content-Length checks, and room for the body.
 */
static void
begin(struct tq_http_server *s, struct tq_http_request *r)
{
	const struct tq_http_route *rt;
	const char *cl;
	unsigned long long n;
	bool known, quiesced;
	char *end;

	pthread_mutex_lock(&s->mu);
	quiesced = s->quiesced;
	pthread_mutex_unlock(&s->mu);
	if (quiesced) {
		tq_http_reply_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
		tq_http_reply_text(r, 503, "server is shutting down");
		return;
	}
	if ((rt = route_find(s, r->method, r->path, &known)) == NULL) {
		if (known)
			tq_http_reply_text(r, 405, "method %s not allowed on %s",
			    r->method, r->path);
		else
			tq_http_reply_text(r, 404, "%s: not found", r->path);
		return;
	}
	r->route = rt;
	if (rt->max_body != 0 && rt->max_body < s->cfg.max_body)
		r->body.max = rt->max_body;
	cl = tq_http_request_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && *end == '\0' &&
		    n > r->body.max) {
			tq_http_reply_text(r, 413,
			    "request body of %llu bytes exceeds the limit of "
			    "%zu bytes", n, r->body.max);
			return;
		}
		if (errno == 0 && end != cl && *end == '\0' && n > 0) {
			if (!account(s, r, (size_t)n))
				busy(r);
			else if (tq_buf_reserve(&r->body, (size_t)n) != 0)
				tq_http_reply_text(r, 503, "out of memory");
		}
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct tq_http_server *s = cls;
	struct tq_http_request *r = *req_cls;
	int rc;

	(void)version;
	if (r == NULL) {
		if ((r = req_new(s)) == NULL)
			return MHD_NO;
		*req_cls = r;
		r->conn = c;
		r->method = method;
		r->path = url;
		begin(s, r);
		return MHD_YES;
	}
	r->conn = c;
	if (*upload_size > 0) {
		/*
		 * libmicrohttpd cannot answer in the middle of a body, so
		 * once over the cap the rest is read and dropped, up to
		 * TQ_MAX_BODY bytes; past that the connection is closed.
		 */
		if (r->overflow == OVER_NONE && r->body.len + *upload_size <=
		    r->body.max && !account(s, r, r->body.len + *upload_size))
			r->overflow = OVER_BUSY;
		if (r->overflow == OVER_NONE &&
		    (rc = tq_buf_append(&r->body, upload, *upload_size)) != 0)
			r->overflow = rc == TQ_ELIMIT ? OVER_LIMIT : OVER_NOMEM;
		if (r->overflow != OVER_NONE) {
			r->dropped += *upload_size;
			if (r->dropped > TQ_MAX_BODY)
				return MHD_NO;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->overflow == OVER_LIMIT)
		tq_http_reply_text(r, 413, "request body exceeds the limit of "
		    "%zu bytes", r->body.max);
	else if (r->overflow == OVER_BUSY)
		busy(r);
	else if (r->overflow == OVER_NOMEM)
		tq_http_reply_text(r, 503, "out of memory");
	if (!r->answered) {
		r->route->handler(r, r->route->arg);
		if (!r->answered)
			tq_http_reply_text(r, 500, "internal error: no reply");
	}
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct tq_http_server *s = cls;
	struct tq_http_request *r = *req_cls;
	static const char *const why[] = {
		[MHD_REQUEST_TERMINATED_WITH_ERROR] = "connection error",
		[MHD_REQUEST_TERMINATED_TIMEOUT_REACHED] = "timed out",
		[MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN] = "server shut down",
		[MHD_REQUEST_TERMINATED_READ_ERROR] = "client went away",
		[MHD_REQUEST_TERMINATED_CLIENT_ABORT] = "client aborted",
	};

	if (r == NULL)
		return;
	r->conn = c;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && s->cfg.log != NULL &&
	    (size_t)toe < sizeof(why) / sizeof(why[0]) && why[toe] != NULL)
		logmsg(s, "%s: %s %s: %s", tq_http_request_peer(r), r->method,
		    r->path, why[toe]);
	*req_cls = NULL;
	req_done(s, r);
}

/*
 * listen_on parses addr, binds and listens.  Returns the socket or -1
 * after setting err.
 */
static int
listen_on(const char *addr, struct tq_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], *p;
	const char *colon, *port;
	size_t hl;
	int fd = -1, one = 1, gai, saved = 0;

	if ((colon = strrchr(addr, ':')) == NULL || colon[1] == '\0') {
		tq_err_set(err, TQ_EINVAL, "%s: address is not HOST:PORT", addr);
		return -1;
	}
	port = colon + 1;
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    strtoul(port, NULL, 10) > 65535) {
		tq_err_set(err, TQ_EINVAL, "%s: bad port", addr);
		return -1;
	}
	hl = (size_t)(colon - addr);
	if (hl >= sizeof(host)) {
		tq_err_set(err, TQ_EINVAL, "%s: host too long", addr);
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	p = host;
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		p = host + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (*p == '\0' || strcmp(p, "*") == 0)
		p = NULL;
	if ((gai = getaddrinfo(p, port, &hints, &res)) != 0) {
		tq_err_set(err, TQ_EINVAL, "%s: %s", addr, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		errno = saved;
		tq_err_sys(err, addr);
	}
	return fd;
}

static unsigned
cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > TQ_HTTP_MAX_THREADS ? TQ_HTTP_MAX_THREADS :
	    (unsigned)n;
}

int
tq_http_server_new(const struct tq_http_config *cfg,
    struct tq_http_server **out, struct tq_err *err)
{
	struct tq_http_server *s;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned flags;
	size_t i;

	for (i = 0; i < cfg->nroutes; i++)
		if (cfg->routes[i].path == NULL ||
		    cfg->routes[i].handler == NULL)
			return tq_err_set(err, TQ_EINVAL,
			    "route %zu: no path or handler", i);
	if (cfg->addr == NULL)
		return tq_err_set(err, TQ_EINVAL, "no address to listen on");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "out of memory");
	s->cfg = *cfg;
	s->lfd = -1;
	if (s->cfg.threads == 0)
		s->cfg.threads = cpu_count();
	if (s->cfg.threads > TQ_HTTP_MAX_THREADS)
		s->cfg.threads = TQ_HTTP_MAX_THREADS;
	if (s->cfg.timeout == 0)
		s->cfg.timeout = TQ_HTTP_TIMEOUT;
	if (s->cfg.max_conns == 0)
		s->cfg.max_conns = TQ_HTTP_MAX_CONNS;
	if (s->cfg.max_body == 0 || s->cfg.max_body > TQ_MAX_BODY)
		s->cfg.max_body = TQ_MAX_BODY;
	if (s->cfg.max_inflight == 0 ||
	    s->cfg.max_inflight > TQ_HTTP_MAX_INFLIGHT)
		s->cfg.max_inflight = TQ_HTTP_MAX_INFLIGHT;
	atomic_init(&s->inflight, 0);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	if ((s->lfd = listen_on(cfg->addr, err)) == -1) {
		int rc = err != NULL ? err->code : TQ_EIO;

		tq_http_server_free(s);
		return rc;
	}
	if (getsockname(s->lfd, (struct sockaddr *)&ss, &sl) == 0)
		s->port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	if (s->cfg.log != NULL)
		flags |= MHD_USE_ERROR_LOG;
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s,
	    MHD_OPTION_LISTEN_SOCKET, s->lfd,
	    MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout,
	    MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_conns,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)TQ_HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_END);
	if (s->daemon == NULL) {
		tq_http_server_free(s);
		return tq_err_set(err, TQ_EIO, "%s: cannot start the HTTP "
		    "server", cfg->addr);
	}
	s->lfd = -1;	/* the daemon's now: it closes it */
	*out = s;
	return 0;
}

unsigned
tq_http_server_port(const struct tq_http_server *s)
{
	return s->port;
}

void
tq_http_server_quiesce(struct tq_http_server *s)
{
	MHD_socket fd;

	pthread_mutex_lock(&s->mu);
	if (s->quiesced) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	s->quiesced = true;
	pthread_mutex_unlock(&s->mu);
	if (s->daemon != NULL &&
	    (fd = MHD_quiesce_daemon(s->daemon)) != MHD_INVALID_SOCKET)
		close(fd);
}

bool
tq_http_server_drain(struct tq_http_server *s, unsigned timeout_ms)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (s->active > 0 &&
	    pthread_cond_timedwait(&s->idle, &s->mu, &until) == 0)
		;
	done = s->active == 0;
	pthread_mutex_unlock(&s->mu);
	return done;
}

void
tq_http_server_free(struct tq_http_server *s)
{
	struct tq_http_request *r;
	unsigned i;

	if (s == NULL)
		return;
	if (s->daemon != NULL)
		MHD_stop_daemon(s->daemon);
	if (s->lfd != -1)
		close(s->lfd);
	while ((r = s->free_reqs) != NULL) {
		s->free_reqs = r->next;
		tq_buf_release(&r->body);
		free(r);
	}
	for (i = 0; i < s->npool; i++)
		tq_buf_release(&s->pool[i]);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
