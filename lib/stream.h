/*
 * stream.h: the span stream, the pipe between programs (tempo-stream(5)).
 *
 * Exactly the OpenTelemetry Collector file exporter's formats:
 *   proto  repeated [u32 big-endian length][TracesData protobuf]
 *   json   one OTLP/JSON TracesData per line
 * either optionally wrapped in zstd frames.
 *
 * Readers detect the format from the first bytes and are liberal: besides
 * the two stream formats they take gzip or zstd compressed input, a JSON
 * value spread over several lines, a Zipkin v2 JSON span array ('[') and,
 * as the whole input, one bare ExportTraceServiceRequest protobuf (the
 * body an OTLP/HTTP client posts).  Writers emit exactly one format.
 *
 * The collector format has no tenant field: a stream belongs to one
 * tenant, chosen by the programs at both ends (tempo-recv -o 'dir/%t.pb',
 * tempo-pack --tenant).
 */
#ifndef TQ_STREAM_H
#define TQ_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "otlp.h"

enum tq_stream_format {
	TQ_STREAM_PROTO,
	TQ_STREAM_JSON,
};

struct tq_stream_reader;
struct tq_stream_writer;

/*
 * tq_stream_reader_new reads the stream from fd (not closed by the reader),
 * naming it name in error messages.  Returns 0 or TQ_ENOMEM; *out is owned
 * by the caller.
 */
int	tq_stream_reader_new(int fd, const char *name,
	    struct tq_stream_reader **out, struct tq_err *err);

/* tq_stream_reader_free frees r (NULL allowed). */
void	tq_stream_reader_free(struct tq_stream_reader *r);

/*
 * tq_stream_reader_next reads and decodes the next record into *td,
 * allocated from a.  Returns 1 with a record, 0 at the end of input, or a
 * negative code with err saying "byte N: reason" (N is the record's offset
 * in the uncompressed stream).  After TQ_ECORRUPT the caller may call again
 * to skip the bad record (--skip-bad); if the stream cannot be resynced
 * (a corrupt length prefix, broken compression) the same error repeats and
 * tq_stream_reader_fatal() is true.
 */
int	tq_stream_reader_next(struct tq_stream_reader *r, struct tq_arena *a,
	    Tq__TracesData **td, struct tq_err *err);

/*
 * tq_stream_reader_next_pb is tq_stream_reader_next for callers that pass
 * records on: *pb is the record as checked TracesData protobuf, valid until
 * the next call.  Proto records are not unpacked at all; JSON and Zipkin
 * records are decoded and re-encoded.
 */
int	tq_stream_reader_next_pb(struct tq_stream_reader *r,
	    const uint8_t **pb, size_t *len, struct tq_err *err);

/* tq_stream_reader_fatal tells whether the last error ended the stream. */
int	tq_stream_reader_fatal(const struct tq_stream_reader *r);

/*
 * tq_stream_reader_pending tells whether bytes already read from fd wait
 * to be decoded, so a caller that polls fd before calling next knows that
 * next will not block for them.
 */
int	tq_stream_reader_pending(const struct tq_stream_reader *r);

/* tq_stream_reader_records returns the number of records read so far. */
uint64_t tq_stream_reader_records(const struct tq_stream_reader *r);

/*
 * tq_stream_writer_new writes format to fd (not closed by the writer),
 * compressed with zstd at zstd_level when zstd_level > 0.  Output is
 * buffered; records are never split between two write(2) calls unless a
 * record is larger than the buffer.  Returns 0 or TQ_ENOMEM.
 */
int	tq_stream_writer_new(int fd, enum tq_stream_format format,
	    int zstd_level, struct tq_stream_writer **out, struct tq_err *err);

/* tq_stream_writer_write appends td as one record. */
int	tq_stream_writer_write(struct tq_stream_writer *w,
	    const Tq__TracesData *td, struct tq_err *err);

/*
 * tq_stream_writer_write_pb appends one record given as TracesData
 * protobuf bytes that the caller has checked (tq_otlp_pb_check).  For the
 * proto format they are copied as they are.
 */
int	tq_stream_writer_write_pb(struct tq_stream_writer *w,
	    const void *pb, size_t len, struct tq_err *err);

/*
 * tq_stream_writer_flush hands everything buffered to the kernel (ending a
 * zstd block so readers can decode it now).  Returns 0 or TQ_EIO (EPIPE
 * included: the reader went away).
 */
int	tq_stream_writer_flush(struct tq_stream_writer *w, struct tq_err *err);

/* tq_stream_writer_close flushes and ends the zstd frame; fd stays open. */
int	tq_stream_writer_close(struct tq_stream_writer *w, struct tq_err *err);

/* tq_stream_writer_free frees w without flushing (NULL allowed). */
void	tq_stream_writer_free(struct tq_stream_writer *w);

/*
 * tq_stream_format_parse maps "proto" or "json" to a format.  Returns 0 or
 * TQ_EINVAL.
 */
int	tq_stream_format_parse(const char *name, enum tq_stream_format *out);

#endif
