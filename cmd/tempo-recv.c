/*
 * tempo-recv: receive spans and write them as a span stream.
 *
 * As a server (-l, --otlp-http or --zipkin) it accepts OTLP/HTTP
 * (protobuf and JSON, gzip/deflate/zstd bodies) on POST /v1/traces and
 * Zipkin v2 JSON on POST /api/v2/spans, and writes each request's spans as
 * one stream record.  Without those flags it converts files (OTLP protobuf
 * or JSON, Zipkin JSON, span streams) or stdin to the stream.
 *
 * Server threads (lib/http) check and, for JSON, convert each body to
 * TracesData protobuf, then put it on a queue bounded in bytes; one writer
 * thread owns the outputs, writes records whole and flushes whenever the
 * queue runs empty.  A full queue answers 503 with Retry-After.  An
 * OTLP/HTTP protobuf body is already TracesData on the wire, so it moves
 * from the socket buffer to the output without being decoded.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "common.h"
#include "err.h"
#include "http.h"
#include "inflate.h"
#include "limits.h"
#include "otlp.h"
#include "stream.h"

#define PROG	"tempo-recv"

enum {
	OPT_LISTEN = OPT_FIRST_PROGRAM_OPTION,
	OPT_MAX_BODY,
	OPT_OTLP_HTTP,
	OPT_QUEUE_SIZE,
	OPT_SKIP_BAD,
	OPT_THREADS,
	OPT_TIMEOUT,
	OPT_ZIPKIN,
};

#define DEFAULT_OTLP_HTTP	"127.0.0.1:4318"
#define DEFAULT_ZIPKIN		"127.0.0.1:9411"
#define RETRY_AFTER		"1"	/* seconds, when the queue is full */

/* One output stream: stdout, -o FILE, or one tenant's file of -o '%t'. */
struct output {
	char			 tenant[152];
	int			 fd;
	struct tq_stream_writer	*w;
	bool			 dirty;	/* written since the last flush */
};

/* A request's spans as TracesData protobuf, waiting for the writer. */
struct item {
	struct item		*next;
	struct output		*out;
	struct tq_http_server	*srv;	/* gets buf back; NULL: free it */
	struct tq_buf		 buf;
};

struct recv {
	struct cli		 cli;
	enum tq_stream_format	 format;
	bool			 per_tenant;	/* -o contains %t */

	pthread_mutex_t		 mu;	/* guards outputs and the queue */
	pthread_cond_t		 more;	/* queue got an item or closed */
	struct output		*outs[TQ_RECV_MAX_TENANTS];
	size_t			 nouts;
	struct item		*head, *tail;
	size_t			 queued;	/* bytes in the queue */
	size_t			 queue_max;
	bool			 closing;	/* no more items will come */
	bool			 failed;	/* an output failed: refuse */
	bool			 writer_done;	/* the writer thread ended */
	pthread_cond_t		 done;	/* signalled when it does */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tempo-recv [-qv] [-f format] [-o file] [-t tenant] "
	    "[--skip-bad] [file ...]\n"
	    "       tempo-recv -l | --otlp-http addr | --zipkin addr [-qv] "
	    "[-f format] [-o pattern]\n"
	    "                  [-t tenant] [--max-body size] "
	    "[--queue-size size] [--threads n]\n"
	    "                  [--timeout seconds]\n");
}

/*
 * expand writes pattern with %t replaced by tenant and %% by % into dst.
 * Returns false when the result does not fit.
 */
static bool
expand(char *dst, size_t size, const char *pattern, const char *tenant)
{
	size_t n = 0, tl = strlen(tenant);
	const char *p;

	for (p = pattern; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 't') {
			if (tl >= size - n)
				return false;
			memcpy(dst + n, tenant, tl);
			n += tl;
			p++;
			continue;
		}
		if (p[0] == '%' && p[1] == '%')
			p++;
		if (n + 1 >= size)
			return false;
		dst[n++] = *p;
	}
	dst[n] = '\0';
	return true;
}

/* check_pattern tells whether every % in pattern is %t or %%. */
static bool
check_pattern(const char *pattern, bool *has_tenant)
{
	const char *p;

	*has_tenant = false;
	for (p = pattern; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		if (p[1] == 't')
			*has_tenant = true;
		else if (p[1] != '%')
			return false;
		p++;
	}
	return true;
}

/*
 * output_get returns the output for tenant, opening it on first use
 * (called with R->mu held).  Returns NULL after setting err.
 */
static struct output *
output_get(struct recv *R, const char *tenant, struct tq_err *err)
{
	struct output *o;
	char path[4096];
	size_t i;
	int fd, rc;

	if (!R->per_tenant)
		tenant = "";
	for (i = 0; i < R->nouts; i++)
		if (strcmp(R->outs[i]->tenant, tenant) == 0)
			return R->outs[i];
	if (R->nouts == TQ_RECV_MAX_TENANTS) {
		tq_err_set(err, TQ_ELIMIT, "more than %d tenants",
		    TQ_RECV_MAX_TENANTS);
		return NULL;
	}
	if (R->cli.output == NULL || strcmp(R->cli.output, "-") == 0) {
		fd = STDOUT_FILENO;
		snprintf(path, sizeof(path), "stdout");
	} else {
		if (!expand(path, sizeof(path), R->cli.output, tenant)) {
			tq_err_set(err, TQ_ELIMIT, "%s: path too long",
			    R->cli.output);
			return NULL;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd == -1) {
			tq_err_sys(err, path);
			return NULL;
		}
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		tq_err_set(err, TQ_ENOMEM, "out of memory");
		goto fail;
	}
	snprintf(o->tenant, sizeof(o->tenant), "%s", tenant);
	o->fd = fd;
	if ((rc = tq_stream_writer_new(fd, R->format, 0, &o->w, err)) != 0)
		goto fail;
	R->outs[R->nouts++] = o;
	return o;
fail:
	if (fd != STDOUT_FILENO)
		close(fd);
	free(o);
	return NULL;
}

/*
 * outputs_close flushes and closes every output.  Returns 0, or -1 after
 * reporting a failure.
 */
static int
outputs_close(struct recv *R)
{
	struct tq_err e;
	size_t i;
	int rc = 0;

	for (i = 0; i < R->nouts; i++) {
		struct output *o = R->outs[i];

		if (!R->failed && tq_stream_writer_close(o->w, &e) != 0) {
			warnx("%s: %s", o->tenant[0] != '\0' ? o->tenant :
			    "output", e.msg);
			rc = -1;
		}
		tq_stream_writer_free(o->w);
		if (o->fd != STDOUT_FILENO && close(o->fd) != 0 && rc == 0) {
			warn("%s", o->tenant);
			rc = -1;
		}
		free(o);
	}
	R->nouts = 0;
	return rc;
}

/* The writer thread: drains the queue into the outputs. */
static void *
writer_main(void *arg)
{
	struct recv *R = arg;
	struct item *batch, *it;
	struct tq_err e;
	size_t i, bytes, nouts;
	bool bad = false;

	for (;;) {
		pthread_mutex_lock(&R->mu);
		while (R->head == NULL && !R->closing)
			pthread_cond_wait(&R->more, &R->mu);
		batch = R->head;
		R->head = R->tail = NULL;
		nouts = R->nouts;	/* every output the batch uses */
		pthread_mutex_unlock(&R->mu);
		if (batch == NULL)
			break;
		bytes = 0;
		while ((it = batch) != NULL) {
			batch = it->next;
			bytes += it->buf.len;
			if (!bad) {
				if (tq_stream_writer_write_pb(it->out->w,
				    it->buf.data, it->buf.len, &e) != 0) {
					warnx("%s: %s", it->out->tenant[0] != '\0' ?
					    it->out->tenant : "output", e.msg);
					bad = true;
				}
				it->out->dirty = true;
			}
			if (it->srv != NULL)
				tq_http_server_recycle(it->srv, &it->buf);
			else
				tq_buf_release(&it->buf);
			free(it);
		}
		/* The queue ran empty: make what we have visible. */
		for (i = 0; !bad && i < nouts; i++) {
			if (!R->outs[i]->dirty)
				continue;
			R->outs[i]->dirty = false;
			if (tq_stream_writer_flush(R->outs[i]->w, &e) != 0) {
				warnx("%s: %s", R->outs[i]->tenant[0] != '\0' ?
				    R->outs[i]->tenant : "output", e.msg);
				bad = true;
			}
		}
		pthread_mutex_lock(&R->mu);
		R->queued -= bytes;
		if (bad && !R->failed) {
			/* Reported once; main shuts the servers down. */
			R->failed = true;
			kill(getpid(), SIGUSR1);
		}
		pthread_mutex_unlock(&R->mu);
	}
	pthread_mutex_lock(&R->mu);
	R->writer_done = true;
	pthread_cond_broadcast(&R->done);
	pthread_mutex_unlock(&R->mu);
	return NULL;
}

/*
 * writer_wait waits up to timeout seconds for the writer thread to write
 * what is queued and end.  Returns false when the output is stalled.
 */
static bool
writer_wait(struct recv *R, pthread_t writer, unsigned timeout)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout;
	pthread_mutex_lock(&R->mu);
	R->closing = true;
	pthread_cond_signal(&R->more);
	while (!R->writer_done &&
	    pthread_cond_timedwait(&R->done, &R->mu, &until) == 0)
		;
	done = R->writer_done;
	if (!done)
		warnx("output stalled: %zu bytes of accepted requests not "
		    "written after %u s", R->queued, timeout);
	pthread_mutex_unlock(&R->mu);
	if (done)
		pthread_join(writer, NULL);
	return done;
}

/*
 * enqueue hands buf (moved, left empty) to the writer for tenant's output.
 * Returns 0, or an HTTP status (503 full or shutting down, 500 output
 * failure) with err saying why.
 */
static int
enqueue(struct recv *R, struct tq_http_server *srv, const char *tenant,
    struct tq_buf *buf, struct tq_err *err)
{
	struct item *it;
	struct output *o;

	if ((it = malloc(sizeof(*it))) == NULL) {
		tq_err_set(err, TQ_ENOMEM, "out of memory");
		return 503;
	}
	pthread_mutex_lock(&R->mu);
	if (R->closing || R->failed) {
		pthread_mutex_unlock(&R->mu);
		free(it);
		tq_err_set(err, TQ_EAGAIN, "output closed");
		return 503;
	}
	if (R->queued > 0 && buf->len > R->queue_max - R->queued) {
		pthread_mutex_unlock(&R->mu);
		free(it);
		tq_err_set(err, TQ_EAGAIN, "output queue full (%zu bytes)",
		    R->queued);
		return 503;
	}
	if ((o = output_get(R, tenant, err)) == NULL) {
		pthread_mutex_unlock(&R->mu);
		free(it);
		return 500;
	}
	it->next = NULL;
	it->out = o;
	it->srv = srv;
	it->buf = *buf;
	tq_buf_init(buf, 0);
	R->queued += it->buf.len;
	if (R->tail != NULL)
		R->tail->next = it;
	else
		R->head = it;
	R->tail = it;
	pthread_cond_signal(&R->more);
	pthread_mutex_unlock(&R->mu);
	return 0;
}

/* What one route accepts; the arg of its handler. */
struct route_ctx {
	struct recv		*R;
	bool			 zipkin;
};

/*
 * media_is tells whether the Content-Type value ct is type, ignoring
 * parameters (";charset=utf-8"), blanks and case.
 */
static bool
media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/*
 * decode_json turns a JSON body (OTLP or Zipkin) into TracesData
 * protobuf in out.  Returns 0 or a code with err set.
 */
static int
decode_json(bool zipkin, const unsigned char *body, size_t len,
    struct tq_buf *out, size_t *nspans, struct tq_err *err)
{
	struct tq_arena a;
	Tq__TracesData *td;
	int rc;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (zipkin)
		rc = tq_zipkin_json_decode((const char *)body, len, &a, &td, err);
	else
		rc = tq_otlp_json_decode((const char *)body, len, &a, &td, err);
	if (rc == 0) {
		*nspans = tq_otlp_span_count(td);
		rc = tq_otlp_pb_encode(td, out, err);
	}
	tq_arena_release(&a);
	return rc;
}

/* status_of maps a decoding failure to an HTTP status. */
static int
status_of(int rc)
{
	return rc == TQ_ENOMEM ? 503 : 400;
}

static void
logreq(const struct recv *R, struct tq_http_request *r, const char *tenant,
    int status, size_t nspans, size_t bytes, const char *why)
{
	if (R->cli.verbosity <= 0)
		return;
	if (why != NULL)
		fprintf(stderr, "%s: %s: %s %s: tenant %s: %d: %s\n", PROG,
		    tq_http_request_peer(r), tq_http_request_method(r),
		    tq_http_request_path(r), tenant, status, why);
	else
		fprintf(stderr, "%s: %s: %s %s: tenant %s: %d: %zu spans, "
		    "%zu bytes\n", PROG, tq_http_request_peer(r),
		    tq_http_request_method(r), tq_http_request_path(r), tenant,
		    status, nspans, bytes);
}

/*
 * fail answers r with status and a text body; 503 carries Retry-After.
 */
static void
fail(const struct recv *R, struct tq_http_request *r, const char *tenant,
    int status, const char *msg)
{
	if (status == 503 || status == 429)
		tq_http_reply_header(r, "Retry-After", RETRY_AFTER);
	tq_http_reply_text(r, status, "%s", msg);
	logreq(R, r, tenant, status, 0, 0, msg);
}

/* handle serves POST /v1/traces (OTLP) and the Zipkin routes. */
static void
handle(struct tq_http_request *r, void *arg)
{
	struct route_ctx *ctx = arg;
	struct recv *R = ctx->R;
	struct tq_http_server *srv = tq_http_request_server(r);
	enum tq_inflate_coding coding;
	const char *ct, *tenant;
	const unsigned char *body;
	struct tq_buf pb;
	struct tq_err e;
	size_t len, nspans = 0, wire;
	bool json;
	int rc, status;

	tq_buf_init(&pb, TQ_MAX_INFLATE);
	tenant = tq_http_request_header(r, "X-Scope-OrgID");
	if (tenant == NULL || *tenant == '\0')
		tenant = R->cli.tenant;
	else if (!cli_valid_tenant(tenant)) {
		fail(R, r, "-", 400, "invalid tenant in X-Scope-OrgID "
		    "(1 to 150 of A-Z a-z 0-9 !-_.*'())");
		return;
	}
	ct = tq_http_request_header(r, "Content-Type");
	if (ctx->zipkin) {
		if (strstr(tq_http_request_path(r), "api/v1/spans") != NULL) {
			fail(R, r, tenant, 400, "zipkin v1 is not supported; "
			    "send v2 JSON to /api/v2/spans");
			return;
		}
		/* Zipkin's default when no type is given is v2 JSON. */
		if (ct != NULL && !media_is(ct, "application/json")) {
			fail(R, r, tenant, 415, "unsupported media type, "
			    "supported: [application/json]");
			return;
		}
		json = true;
	} else if (ct != NULL && media_is(ct, "application/x-protobuf"))
		json = false;
	else if (ct != NULL && media_is(ct, "application/json"))
		json = true;
	else {
		fail(R, r, tenant, 415, "unsupported media type, supported: "
		    "[application/json, application/x-protobuf]");
		return;
	}
	if (tq_inflate_coding_parse(tq_http_request_header(r,
	    "Content-Encoding"), &coding, &e) != 0) {
		fail(R, r, tenant, 415, e.msg);
		return;
	}

	body = tq_http_request_body(r, &wire);
	if (coding == TQ_CODING_IDENTITY && !json) {
		/* The pass-through: the body is the record. */
		tq_http_request_take_body(r, &pb);
	} else if (coding != TQ_CODING_IDENTITY) {
		if ((rc = tq_inflate(coding, body, wire, &pb, &e)) != 0) {
			fail(R, r, tenant, rc == TQ_ELIMIT ? 413 :
			    status_of(rc), e.msg);
			goto out;
		}
	}
	if (json) {
		struct tq_buf tmp;

		/* Decode from pb (inflated) or straight from the body. */
		tq_buf_init(&tmp, TQ_MAX_RECORD);
		if (coding == TQ_CODING_IDENTITY)
			rc = decode_json(ctx->zipkin, body, wire, &tmp, &nspans,
			    &e);
		else
			rc = decode_json(ctx->zipkin, pb.data, pb.len, &tmp,
			    &nspans, &e);
		tq_buf_release(&pb);
		pb = tmp;
		if (rc != 0) {
			fail(R, r, tenant, status_of(rc), e.msg);
			goto out;
		}
	} else if ((rc = tq_otlp_pb_check(pb.data, pb.len, &nspans, &e)) != 0) {
		fail(R, r, tenant, status_of(rc), e.msg);
		goto out;
	}
	len = pb.len;
	if (nspans > 0 && (status = enqueue(R, srv, tenant, &pb, &e)) != 0) {
		fail(R, r, tenant, status, e.msg);
		goto out;
	}
	if (ctx->zipkin)
		tq_http_reply(r, 202, NULL, NULL, 0);
	else if (json)
		tq_http_reply(r, 200, "application/json", "{}", 2);
	else
		tq_http_reply(r, 200, "application/x-protobuf", NULL, 0);
	logreq(R, r, tenant, ctx->zipkin ? 202 : 200, nspans, len, NULL);
out:
	if (pb.data != NULL)
		tq_http_server_recycle(srv, &pb);
}

static void
log_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s: %s\n", PROG, line);
}

/* One listening server and its routes. */
struct listener {
	const char		*name;	/* "otlp-http", "zipkin" */
	const char		*addr;
	struct tq_http_route	 route;
	struct route_ctx	 ctx;
	struct tq_http_server	*srv;
};

/*
 * serve runs the servers until SIGTERM or SIGINT (or an output failure),
 * then drains them.  Returns the exit status.
 */
static int
serve(struct recv *R, struct listener *ls, size_t nls, size_t max_body,
    unsigned threads, unsigned timeout)
{
	struct tq_http_config cfg;
	struct tq_err e;
	pthread_t writer;
	sigset_t set;
	size_t i;
	int sig, status = EXIT_OK;

	/* Every thread inherits the mask; only main takes these signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (pthread_create(&writer, NULL, writer_main, R) != 0)
		err(EXIT_FAIL, "writer thread");
	for (i = 0; i < nls; i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.addr = ls[i].addr;
		cfg.threads = threads;
		cfg.timeout = timeout;
		cfg.max_body = max_body;
		cfg.routes = &ls[i].route;
		cfg.nroutes = 1;
		if (R->cli.verbosity > 0) {
			cfg.log = log_line;
			cfg.log_arg = R;
		}
		if (tq_http_server_new(&cfg, &ls[i].srv, &e) != 0) {
			warnx("%s: %s", ls[i].name, e.msg);
			status = EXIT_FAIL;
			goto stop;
		}
		if (R->cli.verbosity > 0)
			fprintf(stderr, "%s: %s: listening on %s (port %u)\n",
			    PROG, ls[i].name, ls[i].addr,
			    tq_http_server_port(ls[i].srv));
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			status = EXIT_FAIL;	/* output failed, reported */
			break;
		}
		if (R->cli.verbosity > 0)
			fprintf(stderr, "%s: %s: draining\n", PROG,
			    sig == SIGINT ? "interrupt" : "terminated");
		break;
	}
stop:
	for (i = 0; i < nls; i++)
		if (ls[i].srv != NULL)
			tq_http_server_quiesce(ls[i].srv);
	for (i = 0; i < nls; i++)
		if (ls[i].srv != NULL &&
		    !tq_http_server_drain(ls[i].srv, (timeout + 1) * 1000))
			warnx("%s: requests still open after %u s", ls[i].name,
			    timeout + 1);
	/* A writer stuck on an output that reads nothing cannot be freed
	 * or joined: leave at once, the thread goes with the process. */
	if (!writer_wait(R, writer, timeout))
		_exit(EXIT_FAIL);
	for (i = 0; i < nls; i++)
		tq_http_server_free(ls[i].srv);
	if (R->failed)
		status = EXIT_FAIL;
	if (outputs_close(R) != 0)
		status = EXIT_FAIL;
	return status;
}

/* convert_one writes the records of the file name (or stdin for "-"). */
static int
convert_one(struct recv *R, struct output *o, const char *name,
    bool skip_bad)
{
	struct tq_stream_reader *rd = NULL;
	const uint8_t *pb;
	struct tq_err e;
	size_t len;
	int fd, rc, status = 0;

	if (strcmp(name, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", name);
		return -1;
	}
	if (tq_stream_reader_new(fd, strcmp(name, "-") == 0 ? "stdin" : name,
	    &rd, &e) != 0) {
		warnx("%s: %s", name, e.msg);
		status = -1;
		goto out;
	}
	for (;;) {
		rc = tq_stream_reader_next_pb(rd, &pb, &len, &e);
		if (rc == 0)
			break;
		if (rc < 0) {
			warnx("%s: %s", strcmp(name, "-") == 0 ? "stdin" : name,
			    e.msg);
			status = -1;
			if (rc == TQ_ECORRUPT && skip_bad &&
			    !tq_stream_reader_fatal(rd))
				continue;
			break;
		}
		if (tq_stream_writer_write_pb(o->w, pb, len, &e) != 0) {
			warnx("output: %s", e.msg);
			R->failed = true;
			status = -1;
			break;
		}
	}
	if (!R->failed && tq_stream_writer_flush(o->w, &e) != 0) {
		warnx("output: %s", e.msg);
		R->failed = true;
		status = -1;
	}
out:
	tq_stream_reader_free(rd);
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}

static int
convert(struct recv *R, int argc, char *argv[], bool skip_bad)
{
	static char dash[] = "-";
	static char *stdin_only[] = { dash, NULL };
	struct output *o;
	struct tq_err e;
	int i, status = EXIT_OK;

	signal(SIGPIPE, SIG_DFL);	/* a filter: end quietly */
	if ((o = output_get(R, R->cli.tenant, &e)) == NULL)
		errx(EXIT_FAIL, "%s", e.msg);
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	for (i = 0; i < argc && !R->failed; i++)
		if (convert_one(R, o, argv[i], skip_bad) != 0)
			status = EXIT_FAIL;
	if (outputs_close(R) != 0)
		status = EXIT_FAIL;
	return status;
}

/* addr_opt maps "none" and "" to NULL (the receiver is off). */
static const char *
addr_opt(const char *a)
{
	return *a == '\0' || strcmp(a, "none") == 0 ? NULL : a;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "listen",	no_argument,		NULL, 'l' },
		{ "max-body",	required_argument,	NULL, OPT_MAX_BODY },
		{ "otlp-http",	required_argument,	NULL, OPT_OTLP_HTTP },
		{ "queue-size",	required_argument,	NULL, OPT_QUEUE_SIZE },
		{ "skip-bad",	no_argument,		NULL, OPT_SKIP_BAD },
		{ "threads",	required_argument,	NULL, OPT_THREADS },
		{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
		{ "zipkin",	required_argument,	NULL, OPT_ZIPKIN },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct recv R;
	struct listener ls[2];
	const char *otlp = NULL, *zipkin = NULL;
	bool listen = false, otlp_set = false, zipkin_set = false;
	bool skip_bad = false;
	size_t max_body = TQ_MAX_BODY, nls = 0;
	unsigned threads = 0, timeout = TQ_HTTP_TIMEOUT;
	int ch, status;

	memset(&R, 0, sizeof(R));
	cli_init(&R.cli, PROG);
	R.queue_max = TQ_RECV_QUEUE;
	while ((ch = getopt_long(argc, argv, "l" CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (cli_option(&R.cli, ch, optarg, usage))
			continue;
		switch (ch) {
		case 'l':
			listen = true;
			break;
		case OPT_MAX_BODY:
			max_body = cli_size("--max-body", optarg, TQ_MAX_BODY,
			    usage);
			break;
		case OPT_OTLP_HTTP:
			otlp = addr_opt(optarg);
			otlp_set = true;
			break;
		case OPT_QUEUE_SIZE:
			R.queue_max = cli_size("--queue-size", optarg,
			    TQ_RECV_QUEUE, usage);
			break;
		case OPT_SKIP_BAD:
			skip_bad = true;
			break;
		case OPT_THREADS:
			threads = cli_uint("--threads", optarg,
			    TQ_HTTP_MAX_THREADS, usage);
			break;
		case OPT_TIMEOUT:
			timeout = cli_uint("--timeout", optarg, 3600, usage);
			break;
		case OPT_ZIPKIN:
			zipkin = addr_opt(optarg);
			zipkin_set = true;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	R.format = TQ_STREAM_PROTO;
	if (R.cli.format != NULL &&
	    tq_stream_format_parse(R.cli.format, &R.format) != 0) {
		warnx("-f: %s: unknown format (proto, json)", R.cli.format);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (R.cli.output != NULL &&
	    !check_pattern(R.cli.output, &R.per_tenant)) {
		warnx("-o: %s: only %%t and %%%% may follow %%", R.cli.output);
		usage(stderr);
		return EXIT_USAGE;
	}
	pthread_mutex_init(&R.mu, NULL);
	pthread_cond_init(&R.more, NULL);
	pthread_cond_init(&R.done, NULL);

	if (!listen && !otlp_set && !zipkin_set) {
		status = convert(&R, argc, argv, skip_bad);
		return close_stdout() != 0 ? EXIT_FAIL : status;
	}
	if (argc > 0) {
		warnx("%s: file arguments are for conversion, not with a server",
		    argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (listen && !otlp_set)
		otlp = DEFAULT_OTLP_HTTP;
	if (listen && !zipkin_set)
		zipkin = DEFAULT_ZIPKIN;
	memset(ls, 0, sizeof(ls));
	if (otlp != NULL) {
		ls[nls].name = "otlp-http";
		ls[nls].addr = otlp;
		ls[nls].route = (struct tq_http_route){ "POST", "/v1/traces",
		    false, max_body, handle, &ls[nls].ctx };
		ls[nls].ctx.R = &R;
		nls++;
	}
	if (zipkin != NULL) {
		ls[nls].name = "zipkin";
		ls[nls].addr = zipkin;
		/* Like Tempo's receiver: any POST path. */
		ls[nls].route = (struct tq_http_route){ "POST", "/",
		    true, max_body, handle, &ls[nls].ctx };
		ls[nls].ctx.R = &R;
		ls[nls].ctx.zipkin = true;
		nls++;
	}
	if (nls == 0) {
		warnx("every receiver is off (none)");
		usage(stderr);
		return EXIT_USAGE;
	}
	status = serve(&R, ls, nls, max_body, threads, timeout);
	if (close_stdout() != 0 && !R.failed)
		status = EXIT_FAIL;
	return status;
}
