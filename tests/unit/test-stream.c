/*
 * test-stream.c: the span stream round-trips in every format, detects its
 * input, and reports damage with byte offsets, resyncing where it can.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "limits.h"
#include "stream.h"
#include "t.h"

/* tmpfd returns a read/write descriptor of a new empty temporary file. */
static int
tmpfd(void)
{
	char path[] = "/tmp/test-stream-XXXXXX";
	int fd = mkstemp(path);

	unlink(path);
	return fd;
}

/* fd_of_bytes returns a descriptor reading the given bytes from the start. */
static int
fd_of_bytes(const void *p, size_t n)
{
	int fd = tmpfd();

	if (write(fd, p, n) != (ssize_t)n)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int
fd_of_file(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", t_fixtures(), rel);
	return open(path, O_RDONLY);
}

/* make_td builds a TracesData with nspans spans named "span-i". */
static Tq__TracesData *
make_td(struct tq_arena *a, size_t nspans, size_t name_len)
{
	Tq__TracesData *td = tq_arena_calloc(a, 1, sizeof(*td));
	Tq__ResourceSpans *rs = tq_arena_calloc(a, 1, sizeof(*rs));
	Tq__ScopeSpans *ss = tq_arena_calloc(a, 1, sizeof(*ss));
	size_t i;

	tq__traces_data__init(td);
	tq__resource_spans__init(rs);
	tq__scope_spans__init(ss);
	td->n_resource_spans = 1;
	td->resource_spans = tq_arena_calloc(a, 1, sizeof(rs));
	td->resource_spans[0] = rs;
	rs->n_scope_spans = 1;
	rs->scope_spans = tq_arena_calloc(a, 1, sizeof(ss));
	rs->scope_spans[0] = ss;
	ss->n_spans = nspans;
	ss->spans = tq_arena_calloc(a, nspans, sizeof(Tq__Span *));
	for (i = 0; i < nspans; i++) {
		Tq__Span *sp = tq_arena_calloc(a, 1, sizeof(*sp));
		uint8_t *tid = tq_arena_calloc(a, 1, 16);
		uint8_t *sid = tq_arena_calloc(a, 1, 8);
		char *name = tq_arena_alloc(a, name_len + 1);

		tq__span__init(sp);
		tid[15] = (uint8_t)i;
		sid[7] = (uint8_t)(i + 1);
		sp->trace_id.data = tid;
		sp->trace_id.len = 16;
		sp->span_id.data = sid;
		sp->span_id.len = 8;
		memset(name, 'a' + (int)(i % 26), name_len);
		name[name_len] = '\0';
		sp->name = name;
		sp->start_time_unix_nano = 1767225600000000000ULL + i;
		sp->end_time_unix_nano = sp->start_time_unix_nano + 1000;
		ss->spans[i] = sp;
	}
	return td;
}

/* read_all counts records and spans; returns the first error or 0. */
static int
read_all(int fd, size_t *records, size_t *spans, struct tq_err *e)
{
	struct tq_stream_reader *r;
	struct tq_arena a;
	Tq__TracesData *td;
	int rc;

	*records = *spans = 0;
	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_stream_reader_new(fd, "test", &r, e);
	while ((rc = tq_stream_reader_next(r, &a, &td, e)) == 1) {
		(*records)++;
		*spans += tq_otlp_span_count(td);
		tq_arena_reset(&a);
	}
	tq_stream_reader_free(r);
	tq_arena_release(&a);
	return rc;
}

static void
test_round_trip(enum tq_stream_format fmt, int zlevel, const char *label)
{
	struct tq_stream_writer *w;
	struct tq_arena a;
	struct tq_err e;
	size_t records, spans, i;
	char name[128];
	int fd = tmpfd(), rc;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_stream_writer_new(fd, fmt, zlevel, &w, &e);
	/* Small records, then ones bigger than the reader's chunk. */
	for (i = 0; i < 50; i++)
		tq_stream_writer_write(w, make_td(&a, 3, 10), &e);
	tq_stream_writer_flush(w, &e);
	for (i = 0; i < 3; i++)
		tq_stream_writer_write(w, make_td(&a, 40, 20000), &e);
	T_EQ_INT(tq_stream_writer_close(w, &e), 0, label);
	tq_stream_writer_free(w);
	lseek(fd, 0, SEEK_SET);
	rc = read_all(fd, &records, &spans, &e);
	snprintf(name, sizeof(name), "%s: reads to the end", label);
	T_EQ_INT(rc, 0, name);
	if (rc != 0)
		printf("#   %s\n", e.msg);
	snprintf(name, sizeof(name), "%s: every record", label);
	T_EQ_INT(records, 53, name);
	snprintf(name, sizeof(name), "%s: every span", label);
	T_EQ_INT(spans, 50 * 3 + 3 * 40, name);
	close(fd);
	tq_arena_release(&a);
}

static void
test_pass_through(void)
{
	struct tq_stream_writer *w;
	struct tq_stream_reader *r;
	struct tq_arena a;
	struct tq_buf want;
	struct tq_err e;
	const uint8_t *pb;
	size_t len;
	int fd = tmpfd(), out = tmpfd();

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&want, TQ_MAX_RECORD);
	tq_otlp_pb_encode(make_td(&a, 5, 7), &want, &e);
	tq_stream_writer_new(fd, TQ_STREAM_PROTO, 3, &w, &e);
	tq_stream_writer_write_pb(w, want.data, want.len, &e);
	tq_stream_writer_close(w, &e);
	tq_stream_writer_free(w);
	lseek(fd, 0, SEEK_SET);
	tq_stream_reader_new(fd, "test", &r, &e);
	T_EQ_INT(tq_stream_reader_next_pb(r, &pb, &len, &e), 1,
	    "next_pb: one record through zstd");
	T_OK(len == want.len && memcmp(pb, want.data, len) == 0,
	    "next_pb: the record's bytes are the bytes written");
	T_EQ_INT(tq_stream_reader_next_pb(r, &pb, &len, &e), 0, "next_pb: end");
	tq_stream_reader_free(r);
	close(fd);
	close(out);
	tq_buf_release(&want);
	tq_arena_release(&a);
}

static void
test_detect(void)
{
	struct tq_err e;
	size_t records, spans;
	int fd;

	fd = fd_of_file("otlp-proto/000001.body.pb");
	T_EQ_INT(read_all(fd, &records, &spans, &e), 0,
	    "detect: bare OTLP protobuf body");
	T_EQ_INT(records * 1000 + spans, 1100, "detect: bare body is 1 record, 100 spans");
	close(fd);
	fd = fd_of_file("otlp-proto-gzip/000003.body.pb.gz");
	T_EQ_INT(read_all(fd, &records, &spans, &e), 0,
	    "detect: gzip body");
	T_EQ_INT(records * 1000 + spans, 1020, "detect: gzip body is 1 record, 20 spans");
	close(fd);
	fd = fd_of_file("otlp-json/000002.body.json");
	T_EQ_INT(read_all(fd, &records, &spans, &e), 0, "detect: OTLP/JSON body");
	T_EQ_INT(records * 1000 + spans, 1100, "detect: JSON body is 1 record, 100 spans");
	close(fd);
	fd = fd_of_file("zipkin-json/000001.body.json");
	T_EQ_INT(read_all(fd, &records, &spans, &e), 0, "detect: Zipkin array");
	T_EQ_INT(records * 1000 + spans, 1100, "detect: Zipkin body is 1 record, 100 spans");
	close(fd);
	{
		static const char pretty[] =
		    "{\n  \"resourceSpans\": [\n    {\"scopeSpans\": [{\"spans\": [\n"
		    "      {\"traceId\": \"0102030405060708090a0b0c0d0e0f10\",\n"
		    "       \"spanId\": \"0102030405060708\", \"name\": \"a}b{\\\"\"}\n"
		    "    ]}]}\n  ]\n}\n{}\n";

		fd = fd_of_bytes(pretty, sizeof(pretty) - 1);
		T_EQ_INT(read_all(fd, &records, &spans, &e), 0,
		    "detect: JSON over several lines, braces in strings");
		T_EQ_INT(records * 1000 + spans, 2001,
		    "detect: pretty JSON then {} are 2 records, 1 span");
		close(fd);
	}
	fd = fd_of_bytes("", 0);
	T_EQ_INT(read_all(fd, &records, &spans, &e), 0, "detect: empty input");
	T_EQ_INT(records, 0, "detect: empty input has no records");
	close(fd);
}

static void
test_damage(void)
{
	/* Record 1: valid empty TracesData.  Record 2: bad varint.  Record 3:
	 * valid empty.  Then a truncated record. */
	static const unsigned char stream[] = {
		0, 0, 0, 0,
		0, 0, 0, 2, 0x0a, 0xff,
		0, 0, 0, 0,
		0, 0, 0, 9, 0x0a,
	};
	static const unsigned char huge[] = { 0x7f, 0xff, 0xff, 0xff, 0 };
	struct tq_stream_reader *r;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;
	int fd = fd_of_bytes(stream, sizeof(stream)), rc;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_stream_reader_new(fd, "test", &r, &e);
	T_EQ_INT(tq_stream_reader_next(r, &a, &td, &e), 1, "damage: record 1 ok");
	rc = tq_stream_reader_next(r, &a, &td, &e);
	T_EQ_INT(rc, TQ_ECORRUPT, "damage: record 2 is corrupt");
	T_OK(strncmp(e.msg, "record at byte 4: byte 0: ", 26) == 0,
	    "damage: error names the record's byte 4 and the byte in it");
	T_OK(!tq_stream_reader_fatal(r), "damage: a bad body can be skipped");
	T_EQ_INT(tq_stream_reader_next(r, &a, &td, &e), 1,
	    "damage: record 3 read after skipping");
	rc = tq_stream_reader_next(r, &a, &td, &e);
	T_EQ_INT(rc, TQ_ECORRUPT, "damage: truncated record");
	T_OK(strstr(e.msg, "byte 14: truncated record") != NULL,
	    "damage: truncation names byte 14");
	T_OK(tq_stream_reader_fatal(r), "damage: truncation is fatal");
	T_EQ_INT(tq_stream_reader_next(r, &a, &td, &e), TQ_ECORRUPT,
	    "damage: fatal error repeats");
	tq_stream_reader_free(r);
	close(fd);

	fd = fd_of_bytes(huge, sizeof(huge));
	tq_stream_reader_new(fd, "test", &r, &e);
	T_EQ_INT(tq_stream_reader_next(r, &a, &td, &e), TQ_ECORRUPT,
	    "damage: length over the limit");
	T_OK(strstr(e.msg, "exceeds the limit") != NULL,
	    "damage: length error says so");
	tq_stream_reader_free(r);
	close(fd);
	tq_arena_release(&a);
}

static void
test_zstd_truncated(void)
{
	struct tq_stream_writer *w;
	struct tq_arena a;
	struct tq_err e;
	size_t records, spans;
	off_t size;
	int fd = tmpfd(), rc;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_stream_writer_new(fd, TQ_STREAM_PROTO, 1, &w, &e);
	tq_stream_writer_write(w, make_td(&a, 100, 100), &e);
	tq_stream_writer_close(w, &e);
	tq_stream_writer_free(w);
	size = lseek(fd, 0, SEEK_CUR);
	T_EQ_INT(ftruncate(fd, size - 10), 0, "zstd: cut the frame short");
	lseek(fd, 0, SEEK_SET);
	rc = read_all(fd, &records, &spans, &e);
	T_EQ_INT(rc, TQ_ECORRUPT, "zstd: a cut frame is an error");
	T_OK(strstr(e.msg, "ends inside a frame") != NULL ||
	    strstr(e.msg, "truncated") != NULL, "zstd: error says why");
	close(fd);
	tq_arena_release(&a);
}

int
main(void)
{
	test_round_trip(TQ_STREAM_PROTO, 0, "proto");
	test_round_trip(TQ_STREAM_PROTO, 3, "proto+zstd");
	test_round_trip(TQ_STREAM_JSON, 0, "json");
	test_round_trip(TQ_STREAM_JSON, 5, "json+zstd");
	test_pass_through();
	test_detect();
	test_damage();
	test_zstd_truncated();
	return t_done();
}
