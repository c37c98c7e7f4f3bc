/*
 * tempo-gen: write a seeded, synthetic span stream, or send it as OTLP/HTTP
 * requests to an endpoint at a given rate (tempo-gen(1)).
 *
 * The traces come from lib/gen (a shop of up to eleven services); this
 * file parses the options, paces the records and writes them with the
 * span stream writer, or posts each record as one request body with
 * libcurl, retrying when the receiver says 429, 502, 503 or 504.
 */
#include <curl/curl.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "gen.h"
#include "limits.h"
#include "stream.h"
#include "timeparse.h"

#define PROG		"tempo-gen"
/* Attempts per request when the receiver asks us to come back. */
#define MAX_ATTEMPTS	6
/* Longest wait we honour from Retry-After, in seconds. */
#define MAX_RETRY_AFTER	30
/* Response bodies kept for error messages. */
#define MAX_RESPONSE	4096

enum {
	OPT_BATCH = OPT_FIRST_PROGRAM_OPTION,
	OPT_DEPTH,
	OPT_DURATION,
	OPT_ENDPOINT,
	OPT_ERROR_RATE,
	OPT_FANOUT,
	OPT_HUGE_ATTR,
	OPT_HUGE_TRACE,
	OPT_INSTANCES,
	OPT_RATE,
	OPT_SEED,
	OPT_SERVICES,
	OPT_SPANS,
	OPT_TRACES,
	OPT_ZSTD,
};

static volatile sig_atomic_t interrupted;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: %s [-hqVv] [--batch n] [--depth n] [--duration time]\n"
	    "       [--endpoint url] [--error-rate f] [-f proto|json] "
	    "[--fanout n]\n"
	    "       [-H name:value] [--huge-attr bytes] [--huge-trace spans]\n"
	    "       [--instances n] [-o file] [--rate spans] [--seed n]\n"
	    "       [--services n] [--spans n] [--start time] [-t tenant]\n"
	    "       [--traces n] [--zstd[=level]]\n", PROG);
}

/* bad_arg reports a bad option argument as a usage error. */
static void __attribute__((noreturn))
bad_arg(const char *opt, const char *arg, const char *why)
{
	warnx("%s: %s: %s", opt, arg, why);
	usage(stderr);
	exit(EXIT_USAGE);
}

/*
 * parse_count reads a decimal count from min to max; with size true it
 * also takes a k or m suffix (times 1024 or 1048576).
 */
static uint64_t
parse_count(const char *opt, const char *arg, uint64_t min, uint64_t max,
    bool size)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9')
		bad_arg(opt, arg, "not a number");
	v = strtoull(arg, &end, 10);
	if (size && (*end == 'k' || *end == 'K'))
		mul = 1024, end++;
	else if (size && (*end == 'm' || *end == 'M'))
		mul = 1024 * 1024, end++;
	if (errno != 0 || *end != '\0')
		bad_arg(opt, arg, "not a number");
	if (v > max / mul || v * mul < min || v * mul > max) {
		warnx("%s: %s: not %llu to %llu", opt, arg,
		    (unsigned long long)min, (unsigned long long)max);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return v * mul;
}

static double
parse_real(const char *opt, const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v >= min) ||
	    !(v <= max))
		bad_arg(opt, arg, "not a number in range");
	return v;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleep_s sleeps s seconds, returning early when interrupted. */
static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !interrupted)
		;
}

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The OTLP/HTTP client: one curl handle, so connections are reused. */
struct sender {
	CURL			*h;
	struct curl_slist	*hdrs;
	const char		*url;
	int			 verbosity;
	char			 curlerr[CURL_ERROR_SIZE];
	char			 resp[MAX_RESPONSE];
	size_t			 nresp;
	uint64_t		 requests, retries;
};

static size_t
on_response(char *p, size_t size, size_t n, void *arg)
{
	struct sender *s = arg;
	size_t len = size * n, room = sizeof(s->resp) - 1 - s->nresp;

	memcpy(s->resp + s->nresp, p, len < room ? len : room);
	s->nresp += len < room ? len : room;
	s->resp[s->nresp] = '\0';
	return len;
}

/*
 * sender_init prepares posts to url (with /v1/traces appended when it has
 * no path).  Exits after a message when curl cannot be set up.
 */
static void
sender_init(struct sender *s, const char *url, bool json,
    const char *const *headers, size_t nheaders, const char *tenant,
    int verbosity)
{
	const char *p = strstr(url, "://");
	char line[512];
	size_t i;

	memset(s, 0, sizeof(*s));
	s->verbosity = verbosity;
	if (p == NULL || strchr(p + 3, '/') == NULL) {
		snprintf(line, sizeof(line), "%s/v1/traces", url);
		s->url = xstrdup(line);
	} else {
		s->url = xstrdup(url);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (s->h = curl_easy_init()) == NULL)
		errx(EXIT_FAIL, "curl: cannot initialise");
	s->hdrs = curl_slist_append(s->hdrs, json ?
	    "Content-Type: application/json" :
	    "Content-Type: application/x-protobuf");
	/* No "Expect: 100-continue" round trip before large bodies. */
	s->hdrs = curl_slist_append(s->hdrs, "Expect:");
	if (tenant != NULL) {
		snprintf(line, sizeof(line), "X-Scope-OrgID: %s", tenant);
		s->hdrs = curl_slist_append(s->hdrs, line);
	}
	for (i = 0; i < nheaders; i++)
		s->hdrs = curl_slist_append(s->hdrs, headers[i]);
	if (s->hdrs == NULL)
		errx(EXIT_FAIL, "curl: out of memory");
	curl_easy_setopt(s->h, CURLOPT_URL, s->url);
	curl_easy_setopt(s->h, CURLOPT_POST, 1L);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(s->h, CURLOPT_USERAGENT, PROG "/" TQ_VERSION);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->curlerr);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 60L);
}

static void
sender_release(struct sender *s)
{
	if (s->h != NULL)
		curl_easy_cleanup(s->h);
	curl_slist_free_all(s->hdrs);
	free((char *)s->url);
	curl_global_cleanup();
}

/* first_line cuts s at its first line break, for one-line messages. */
static const char *
first_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/*
 * sender_post posts one body, retrying 429, 502, 503 and 504 after the
 * receiver's Retry-After (or a growing back-off).  Returns 0, or -1 after
 * a message.
 */
static int
sender_post(struct sender *s, const void *body, size_t len)
{
	curl_off_t after;
	CURLcode cc;
	long status;
	double wait;
	int attempt;

	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	for (attempt = 1;; attempt++) {
		s->nresp = 0;
		s->resp[0] = '\0';
		s->curlerr[0] = '\0';
		s->requests++;
		if ((cc = curl_easy_perform(s->h)) != CURLE_OK) {
			warnx("%s: %s", s->url, s->curlerr[0] != '\0' ?
			    s->curlerr : curl_easy_strerror(cc));
			return -1;
		}
		curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300)
			return 0;
		if ((status != 429 && status != 502 && status != 503 &&
		    status != 504) || attempt == MAX_ATTEMPTS) {
			if (attempt > 1)
				warnx("%s: HTTP %ld after %d attempts%s%s",
				    s->url, status, attempt,
				    s->nresp > 0 ? ": " : "",
				    first_line(s->resp));
			else
				warnx("%s: HTTP %ld%s%s", s->url, status,
				    s->nresp > 0 ? ": " : "",
				    first_line(s->resp));
			return -1;
		}
		after = -1;
		if (curl_easy_getinfo(s->h, CURLINFO_RETRY_AFTER, &after) !=
		    CURLE_OK)
			after = -1;
		if (after >= 0)
			wait = after > MAX_RETRY_AFTER ? MAX_RETRY_AFTER :
			    (double)after;
		else
			wait = 0.1 * (double)(1 << (attempt - 1));
		if (s->verbosity >= 0)
			warnx("%s: HTTP %ld, retrying in %.1f s", s->url,
			    status, wait);
		s->retries++;
		sleep_s(wait);
		if (interrupted) {
			warnx("%s: interrupted while waiting to retry", s->url);
			return -1;
		}
	}
}

struct run {
	struct tq_gen_opts	 go;
	enum tq_stream_format	 format;
	const char		*endpoint;
	const char		*tenant;
	const char		**headers;
	size_t			 nheaders;
	double			 rate;		/* spans/s; 0: as fast as possible */
	int64_t			 duration;	/* ns; 0: until the counts are done */
	int			 verbosity;
	int			 zstd;		/* zstd level; 0: none */
};

/* generate makes the records and writes or sends them.  Returns 0 or 1. */
static int
generate(const struct run *run, const struct cli *c)
{
	struct tq_gen *g = NULL;
	struct tq_stream_writer *w = NULL;
	struct sender snd;
	struct tq_arena a;
	struct tq_buf body;
	struct tq_err e;
	Tq__TracesData *td;
	uint64_t spans = 0, records = 0, bytes = 0;
	double t0, elapsed;
	int fd = -1, rc, status = EXIT_FAIL;
	bool sending = run->endpoint != NULL;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&body, TQ_MAX_RECORD);
	memset(&snd, 0, sizeof(snd));
	if ((rc = tq_gen_new(&run->go, &g, &e)) != 0) {
		warnx("%s", e.msg);
		goto out;
	}
	if (sending) {
		sender_init(&snd, run->endpoint, run->format == TQ_STREAM_JSON,
		    run->headers, run->nheaders, run->tenant, run->verbosity);
	} else {
		fd = cli_output(c);
		if (tq_stream_writer_new(fd, run->format, run->zstd, &w, &e) != 0) {
			warnx("%s", e.msg);
			goto out;
		}
	}
	t0 = now_s();
	for (;;) {
		if (interrupted ||
		    (run->duration > 0 && (now_s() - t0) * 1e9 >=
		    (double)run->duration))
			tq_gen_stop(g);
		tq_arena_reset(&a);
		if ((rc = tq_gen_next(g, &a, &td, &e)) < 0) {
			warnx("%s", e.msg);
			goto out;
		}
		if (rc == 0)
			break;
		/* Pace by spans: this record may go at spans / rate. */
		if (run->rate > 0)
			sleep_s(t0 + (double)spans / run->rate - now_s());
		if (sending) {
			tq_buf_reset(&body);
			rc = run->format == TQ_STREAM_JSON ?
			    tq_otlp_json_encode(td, &body, &e) :
			    tq_otlp_pb_encode(td, &body, &e);
			if (rc != 0) {
				warnx("record %llu: %s",
				    (unsigned long long)records + 1,
				    tq_strerror(rc));
				goto out;
			}
			if (sender_post(&snd, body.data, body.len) != 0)
				goto out;
			bytes += body.len;
		} else {
			if (tq_stream_writer_write(w, td, &e) != 0 ||
			    (run->rate > 0 && tq_stream_writer_flush(w, &e) != 0)) {
				warnx("%s: %s", c->output != NULL ? c->output :
				    "stdout", e.msg);
				goto out;
			}
		}
		spans += tq_otlp_span_count(td);
		records++;
	}
	if (w != NULL && tq_stream_writer_close(w, &e) != 0) {
		warnx("%s: %s", c->output != NULL ? c->output : "stdout", e.msg);
		goto out;
	}
	elapsed = now_s() - t0;
	if (run->verbosity > 0) {
		fprintf(stderr, "%s: %llu spans in %llu traces, %llu %s",
		    PROG, (unsigned long long)spans,
		    (unsigned long long)tq_gen_traces(g),
		    (unsigned long long)records,
		    sending ? "requests" : "records");
		if (sending)
			fprintf(stderr, " (%llu bytes, %llu retries)",
			    (unsigned long long)bytes,
			    (unsigned long long)snd.retries);
		fprintf(stderr, ", %.3f s, %.0f spans/s\n", elapsed,
		    elapsed > 0 ? (double)spans / elapsed : 0.0);
	}
	status = EXIT_OK;
out:
	if (sending)
		sender_release(&snd);
	tq_stream_writer_free(w);
	if (fd > STDOUT_FILENO && close(fd) != 0 && status == EXIT_OK) {
		warn("%s", c->output);
		status = EXIT_FAIL;
	}
	tq_gen_free(g);
	tq_buf_release(&body);
	tq_arena_release(&a);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "batch",	required_argument,	NULL, OPT_BATCH },
		{ "depth",	required_argument,	NULL, OPT_DEPTH },
		{ "duration",	required_argument,	NULL, OPT_DURATION },
		{ "endpoint",	required_argument,	NULL, OPT_ENDPOINT },
		{ "error-rate",	required_argument,	NULL, OPT_ERROR_RATE },
		{ "fanout",	required_argument,	NULL, OPT_FANOUT },
		{ "format",	required_argument,	NULL, 'f' },
		{ "header",	required_argument,	NULL, 'H' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "huge-attr",	required_argument,	NULL, OPT_HUGE_ATTR },
		{ "huge-trace",	required_argument,	NULL, OPT_HUGE_TRACE },
		{ "instances",	required_argument,	NULL, OPT_INSTANCES },
		{ "output",	required_argument,	NULL, 'o' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "rate",	required_argument,	NULL, OPT_RATE },
		{ "seed",	required_argument,	NULL, OPT_SEED },
		{ "services",	required_argument,	NULL, OPT_SERVICES },
		{ "spans",	required_argument,	NULL, OPT_SPANS },
		{ "start",	required_argument,	NULL, OPT_START },
		{ "tenant",	required_argument,	NULL, 't' },
		{ "traces",	required_argument,	NULL, OPT_TRACES },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "zstd",	optional_argument,	NULL, OPT_ZSTD },
		{ NULL, 0, NULL, 0 }
	};
	struct run run;
	struct cli c;
	struct sigaction sa;
	struct tq_err e;
	bool start_given = false, tenant_given = false, traces_given = false;
	int ch;

	signal(SIGPIPE, SIG_DFL);	/* closed pipe: end quietly */
	cli_init(&c, PROG);
	memset(&run, 0, sizeof(run));
	tq_gen_opts_default(&run.go);
	run.format = TQ_STREAM_PROTO;
	run.headers = xcalloc((size_t)argc, sizeof(*run.headers));
	while ((ch = getopt_long(argc, argv, "f:H:ho:qt:Vv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_BATCH:
			run.go.batch = parse_count("--batch", optarg, 1,
			    TQ_GEN_MAX_BATCH, false);
			break;
		case OPT_DEPTH:
			run.go.depth = (unsigned)parse_count("--depth", optarg,
			    1, TQ_GEN_MAX_DEPTH, false);
			break;
		case OPT_DURATION:
			if (tq_timeparse_duration(optarg, &run.duration,
			    &e) != 0 || run.duration <= 0)
				bad_arg("--duration", optarg,
				    "not a positive duration");
			break;
		case OPT_ENDPOINT:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0)
				bad_arg("--endpoint", optarg,
				    "not an http:// or https:// URL");
			run.endpoint = optarg;
			break;
		case OPT_ERROR_RATE:
			run.go.error_rate = parse_real("--error-rate", optarg,
			    0, 1);
			break;
		case OPT_FANOUT:
			run.go.fanout = (unsigned)parse_count("--fanout",
			    optarg, 1, TQ_GEN_MAX_FANOUT, false);
			break;
		case 'f':
			if (tq_stream_format_parse(optarg, &run.format) != 0)
				bad_arg("-f", optarg, "not proto or json");
			break;
		case 'H':
			if (strchr(optarg, ':') == NULL || optarg[0] == ':' ||
			    strpbrk(optarg, "\r\n") != NULL)
				bad_arg("-H", optarg, "not name:value");
			run.headers[run.nheaders++] = optarg;
			break;
		case OPT_HUGE_ATTR:
			run.go.huge_attr = parse_count("--huge-attr", optarg,
			    1, TQ_GEN_MAX_HUGE_ATTR, true);
			break;
		case OPT_HUGE_TRACE:
			run.go.huge_trace = parse_count("--huge-trace", optarg,
			    1, TQ_GEN_MAX_HUGE_TRACE, false);
			break;
		case OPT_INSTANCES:
			run.go.instances = (unsigned)parse_count("--instances",
			    optarg, 1, TQ_GEN_MAX_INSTANCES, false);
			break;
		case OPT_RATE:
			run.rate = parse_real("--rate", optarg, 1e-3, 1e9);
			break;
		case OPT_SEED:
			run.go.seed = parse_count("--seed", optarg, 0,
			    UINT64_MAX, false);
			break;
		case OPT_SERVICES:
			run.go.services = (unsigned)parse_count("--services",
			    optarg, 1, TQ_GEN_SERVICES, false);
			break;
		case OPT_SPANS:
			run.go.spans = parse_count("--spans", optarg, 1,
			    UINT64_MAX, false);
			break;
		case OPT_TRACES:
			run.go.traces = parse_count("--traces", optarg, 0,
			    UINT64_MAX, false);
			traces_given = true;
			break;
		case OPT_ZSTD:
			run.zstd = optarg == NULL ? 3 : (int)parse_count(
			    "--zstd", optarg, 1, 19, false);
			break;
		default:
			if (ch == OPT_START)
				start_given = true;
			else if (ch == 't')
				tenant_given = true;
			if (!cli_option(&c, ch, optarg, usage))
				goto usage_error;
		}
	}
	if (optind < argc) {
		warnx("%s: unexpected argument", argv[optind]);
		goto usage_error;
	}
	if (run.endpoint != NULL && (c.output != NULL || run.zstd > 0)) {
		warnx("--endpoint: not with -o or --zstd");
		goto usage_error;
	}
	if (start_given)
		run.go.start_ns = c.start_ns;
	/* --spans or --duration alone: no limit on the number of traces. */
	if (!traces_given && (run.go.spans > 0 || run.duration > 0))
		run.go.traces = 0;
	run.tenant = tenant_given ? c.tenant : NULL;
	run.verbosity = c.verbosity;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ch = generate(&run, &c);
	free(run.headers);
	if (close_stdout() != 0)
		ch = EXIT_FAIL;
	return ch;
usage_error:
	free(run.headers);
	usage(stderr);
	return EXIT_USAGE;
}
