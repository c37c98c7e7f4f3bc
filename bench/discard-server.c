/*
 * discard-server.c: the ceiling for bench/ingest.sh.  An HTTP/1.1 server
 * with the same libmicrohttpd threading as lib/http.c (internal epoll
 * threads, a pool of one thread per CPU) that reads every request body,
 * throws it away and answers 200 with an empty body.
 *
 *	discard-server PORT [THREADS]
 *
 * Runs until SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <microhttpd.h>

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	static int marker;
	struct MHD_Response *resp;
	enum MHD_Result ok;

	(void)cls; (void)url; (void)method; (void)version; (void)upload;
	if (*req_cls == NULL) {
		*req_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;	/* read and discarded */
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	ok = MHD_add_response_header(resp, "Content-Type",
	    "application/x-protobuf");
	if (ok == MHD_YES)
		ok = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct MHD_Daemon *d;
	unsigned threads;
	sigset_t set;
	int sig;

	if (argc < 2) {
		fprintf(stderr, "usage: discard-server port [threads]\n");
		return 2;
	}
	threads = argc > 2 ? (unsigned)atoi(argv[2]) :
	    (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
	    (uint16_t)atoi(argv[1]), NULL, NULL, on_request, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "discard-server: cannot listen on %s\n", argv[1]);
		return 1;
	}
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
