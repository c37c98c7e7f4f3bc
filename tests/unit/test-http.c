/*
 * test-http.c: the HTTP server module on 127.0.0.1 with a port of its own
 * choosing, driven by libcurl: routing (exact, prefix, any method, 404,
 * 405), headers and query arguments, bodies (Content-Length, chunked, the
 * cap), reply headers, a handler that forgets to answer, body buffers
 * taken and recycled, the cap on bodies in flight, quiesce and drain.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "t.h"

struct reply {
	long		status;
	char		body[4096];
	size_t		len;
	char		headers[4096];
	size_t		hlen;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;

	if (len > sizeof(r->body) - 1 - r->len)
		len = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;

	if (len > sizeof(r->headers) - 1 - r->hlen)
		len = sizeof(r->headers) - 1 - r->hlen;
	memcpy(r->headers + r->hlen, p, len);
	r->hlen += len;
	r->headers[r->hlen] = '\0';
	return size * n;
}

/*
 * request sends method to path with body (NULL: none) and an extra header
 * (NULL: none); chunked sends the body without Content-Length.
 */
static void
request(unsigned port, const char *method, const char *path,
    const char *body, size_t len, const char *header, int chunked,
    struct reply *out)
{
	struct curl_slist *hdrs = NULL;
	char url[256];
	CURL *c;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	if ((c = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	if (header != NULL)
		hdrs = curl_slist_append(hdrs, header);
	if (chunked)
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
}

/* What the handlers saw, for the checks. */
struct seen {
	pthread_mutex_t	 mu;
	struct tq_http_server *srv;
	size_t		 body_len;
	unsigned char	 first;
	char		 tenant[64];
	char		 query[64];
	char		 path[64];
	int		 taken;
};

static void
echo(struct tq_http_request *r, void *arg)
{
	struct seen *s = arg;
	const unsigned char *body;
	const char *v;
	size_t len;

	body = tq_http_request_body(r, &len);
	pthread_mutex_lock(&s->mu);
	s->body_len = len;
	s->first = len > 0 ? body[0] : 0;
	v = tq_http_request_header(r, "x-scope-orgid");
	snprintf(s->tenant, sizeof(s->tenant), "%s", v != NULL ? v : "(none)");
	v = tq_http_request_query(r, "q");
	snprintf(s->query, sizeof(s->query), "%s", v != NULL ? v : "(none)");
	snprintf(s->path, sizeof(s->path), "%s", tq_http_request_path(r));
	pthread_mutex_unlock(&s->mu);
	tq_http_reply_header(r, "X-Len", len > 0 ? "some" : "none");
	tq_http_reply_text(r, 200, "%s %zu", tq_http_request_method(r), len);
}

static void
take(struct tq_http_request *r, void *arg)
{
	struct seen *s = arg;
	struct tq_buf b;

	tq_http_request_take_body(r, &b);
	pthread_mutex_lock(&s->mu);
	s->taken = (int)b.len;
	pthread_mutex_unlock(&s->mu);
	tq_http_server_recycle(s->srv, &b);
	T_OK(b.data == NULL && b.len == 0, "recycle leaves the buffer empty");
	tq_http_reply(r, 204, NULL, NULL, 0);
}

static void
forget(struct tq_http_request *r, void *arg)
{
	(void)r;
	(void)arg;
}

static void
slow(struct tq_http_request *r, void *arg)
{
	(void)arg;
	usleep(300 * 1000);
	tq_http_reply(r, 200, "text/plain", "slow", 4);
}

struct bg {
	unsigned	port;
	struct reply	rep;
};

static void *
bg_request(void *arg)
{
	struct bg *b = arg;

	request(b->port, "POST", "/slow", "x", 1, NULL, 0, &b->rep);
	return NULL;
}

int
main(void)
{
	struct seen seen = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct tq_http_route routes[] = {
		{ "POST", "/echo", false, 0, echo, &seen },
		{ NULL, "/any/", true, 0, echo, &seen },
		{ "PUT", "/take", false, 100, take, &seen },
		{ "GET", "/forget", false, 0, forget, NULL },
		{ "POST", "/slow", false, 0, slow, NULL },
	};
	struct tq_http_config cfg = {
		.addr = "127.0.0.1:0", .threads = 2, .routes = routes,
		.nroutes = sizeof(routes) / sizeof(routes[0]), .max_body = 1000,
	};
	struct tq_http_server *s = NULL;
	struct tq_err e;
	struct reply rep;
	struct bg bg;
	pthread_t t;
	char big[2000];
	unsigned port;
	int i;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	cfg.addr = "127.0.0.1";
	T_EQ_INT(tq_http_server_new(&cfg, &s, &e), TQ_EINVAL, "no port: EINVAL");
	T_OK(strstr(e.msg, "not HOST:PORT") != NULL, "no port: message");
	cfg.addr = "127.0.0.1:99999";
	T_EQ_INT(tq_http_server_new(&cfg, &s, &e), TQ_EINVAL, "bad port: EINVAL");
	cfg.addr = "127.0.0.1:0";
	T_EQ_INT(tq_http_server_new(&cfg, &s, &e), 0, "server starts on port 0");
	if (s == NULL)
		return t_done();
	seen.srv = s;
	port = tq_http_server_port(s);
	T_OK(port != 0, "server says which port");

	request(port, "POST", "/echo?q=a%20b", "hello", 5,
	    "X-Scope-OrgID: acme", 0, &rep);
	T_EQ_INT(rep.status, 200, "echo: 200");
	T_EQ_STR(rep.body, "POST 5\n", "echo: text reply");
	T_OK(strstr(rep.headers, "X-Len: some") != NULL, "echo: reply header");
	T_OK(strstr(rep.headers, "text/plain") != NULL, "echo: content type");
	T_EQ_STR(seen.tenant, "acme", "echo: header lookup ignores case");
	T_EQ_STR(seen.query, "a b", "echo: query argument decoded");
	T_EQ_STR(seen.path, "/echo", "echo: path without the query");
	T_EQ_INT(seen.first, 'h', "echo: body bytes");

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	request(port, "POST", "/echo", big, 1000, NULL, 1, &rep);
	T_EQ_INT(rep.status, 200, "chunked body at the cap: 200");
	T_EQ_INT(seen.body_len, 1000, "chunked body: every byte");
	request(port, "POST", "/echo", big, 1001, NULL, 0, &rep);
	T_EQ_INT(rep.status, 413, "Content-Length over the cap: 413");
	request(port, "POST", "/echo", big, 1001, NULL, 1, &rep);
	T_EQ_INT(rep.status, 413, "chunked over the cap: 413");
	T_OK(strstr(rep.body, "1000 bytes") != NULL, "413 names the limit");
	request(port, "POST", "/echo", NULL, 0, NULL, 0, &rep);
	T_EQ_INT(rep.status, 200, "no body: 200");
	T_EQ_STR(rep.body, "POST 0\n", "no body: empty");

	request(port, "DELETE", "/any/thing", NULL, 0, NULL, 0, &rep);
	T_EQ_INT(rep.status, 200, "prefix route, any method");
	T_EQ_STR(seen.path, "/any/thing", "prefix route: full path");
	request(port, "GET", "/echo", NULL, 0, NULL, 0, &rep);
	T_EQ_INT(rep.status, 405, "known path, other method: 405");
	request(port, "GET", "/nowhere", NULL, 0, NULL, 0, &rep);
	T_EQ_INT(rep.status, 404, "unknown path: 404");
	T_EQ_STR(rep.body, "/nowhere: not found\n", "404 text");

	request(port, "PUT", "/take", big, 100, NULL, 0, &rep);
	T_EQ_INT(rep.status, 204, "take: 204");
	T_EQ_INT(seen.taken, 100, "take: the whole body moved");
	request(port, "PUT", "/take", big, 101, NULL, 0, &rep);
	T_EQ_INT(rep.status, 413, "route cap below the server's: 413");
	request(port, "PUT", "/take", big, 50, NULL, 0, &rep);
	T_EQ_INT(seen.taken, 50, "take after recycle: fresh body");

	request(port, "GET", "/forget", NULL, 0, NULL, 0, &rep);
	T_EQ_INT(rep.status, 500, "handler without a reply: 500");

	/* Quiesce while a request is being handled: it is answered. */
	bg.port = port;
	pthread_create(&t, NULL, bg_request, &bg);
	usleep(100 * 1000);
	tq_http_server_quiesce(s);
	tq_http_server_quiesce(s);
	T_OK(tq_http_server_drain(s, 5000), "drain: nothing left");
	pthread_join(t, NULL);
	T_EQ_INT(bg.rep.status, 200, "in-flight request answered");
	T_EQ_STR(bg.rep.body, "slow", "in-flight reply body");
	request(port, "POST", "/echo", "x", 1, NULL, 0, &rep);
	T_EQ_INT(rep.status, 0, "quiesced: no new connections");
	tq_http_server_free(s);

	/* The port is free again, and a busy port says why. */
	cfg.addr = "127.0.0.1:0";
	T_EQ_INT(tq_http_server_new(&cfg, &s, &e), 0, "second server starts");
	{
		char addr[64];
		struct tq_http_server *s2 = NULL;

		snprintf(addr, sizeof(addr), "127.0.0.1:%u",
		    tq_http_server_port(s));
		cfg.addr = addr;
		T_EQ_INT(tq_http_server_new(&cfg, &s2, &e), TQ_EIO,
		    "port in use: EIO");
		T_OK(strstr(e.msg, "Address already in use") != NULL,
		    "port in use: message");
		tq_http_server_free(s2);
	}
	tq_http_server_free(s);

	/* The cap on bodies in flight: 503 with Retry-After, then freed. */
	cfg.addr = "127.0.0.1:0";
	cfg.max_inflight = 500;
	T_EQ_INT(tq_http_server_new(&cfg, &s, &e), 0, "capped server starts");
	port = tq_http_server_port(s);
	request(port, "POST", "/echo", big, 800, NULL, 0, &rep);
	T_EQ_INT(rep.status, 503, "Content-Length past the in-flight cap: 503");
	T_OK(strstr(rep.headers, "Retry-After: 1") != NULL, "503 has Retry-After");
	T_OK(strstr(rep.body, "500 bytes of request bodies") != NULL,
	    "503 says why");
	request(port, "POST", "/echo", big, 800, NULL, 1, &rep);
	T_EQ_INT(rep.status, 503, "chunked past the in-flight cap: 503");
	/*
	 * The refused body is given back when libmicrohttpd completes that
	 * connection, which may be just after the client has its 503: wait
	 * (bounded) until a request under the cap goes through.
	 */
	for (i = 0; i < 50; i++) {
		request(port, "POST", "/echo", big, 400, NULL, 0, &rep);
		if (rep.status == 200)
			break;
		usleep(20 * 1000);
	}
	T_EQ_INT(rep.status, 200, "refused bodies are given back");
	/* Each body is given back in its turn (as above, possibly just
	 * after its client has the answer). */
	for (i = 0; i < 3; i++) {
		int tries;

		for (tries = 0; tries < 50; tries++) {
			request(port, "POST", "/echo", big, 400, NULL, i == 1,
			    &rep);
			if (rep.status != 503)
				break;
			usleep(20 * 1000);
		}
		T_EQ_INT(rep.status, 200, "under the cap, again and again: 200");
	}
	tq_http_server_free(s);
	tq_http_server_free(NULL);
	curl_global_cleanup();
	return t_done();
}
