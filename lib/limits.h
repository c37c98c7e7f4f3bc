/*
 * limits.h: every size limit of the library, in one place.
 *
 * Input from the network or from files is hostile: each length read from
 * it is checked against one of these before anything is allocated.
 * Programs may lower (never raise past these) limits with options.
 */
#ifndef TQ_LIMITS_H
#define TQ_LIMITS_H

/* One span stream record or one decoded request body. */
#define TQ_MAX_RECORD		(64u * 1024 * 1024)
/* Memory for decoding one record: its arena (structures plus copies). */
#define TQ_MAX_DECODE_ARENA	(512u * 1024 * 1024)
/* A request body as received (compressed), default for tempo-recv. */
#define TQ_MAX_BODY		(20u * 1024 * 1024)
/* Nesting of AnyValue arrays and kvlists (and of any JSON document). */
#define TQ_MAX_DEPTH		64
/* Decompressed size of a gzip or zstd body: zip bombs stop here. */
#define TQ_MAX_INFLATE		TQ_MAX_RECORD
/* One JSON line of the span stream. */
#define TQ_MAX_JSON_LINE	TQ_MAX_RECORD
/* A single attribute key or string value (Tempo's max_attribute_bytes
 * is a separate, lower, configurable limit applied by tempo-pack). */
#define TQ_MAX_STRING		TQ_MAX_RECORD
/* Span stream output buffered before a write(2). */
#define TQ_STREAM_OUTBUF	(1u * 1024 * 1024)

/* --- Object storage (lib/store) --- */
/* A key below the store's prefix (S3 allows 1024 bytes in all). */
#define TQ_STORE_MAX_KEY	1024
/* Multipart part / Azure block size: default, and the range allowed (S3
 * parts are 5 MiB at least except the last; Azure blocks 4000 MiB at most). */
#define TQ_STORE_PART_SIZE	(8u * 1024 * 1024)
#define TQ_STORE_MIN_PART	(5u * 1024 * 1024)
#define TQ_STORE_MAX_PART	(512u * 1024 * 1024)
/* S3 and Azure allow 10000 parts or 50000 blocks; we stop at 10000. */
#define TQ_STORE_MAX_PARTS	10000
/* A listing page or other XML/JSON answer held in memory. */
#define TQ_STORE_MAX_RESPONSE	(16u * 1024 * 1024)
/* An error body kept to report the service's code and message. */
#define TQ_STORE_MAX_ERRBODY	(64u * 1024)
/* Longest wait between retries, whatever Retry-After says (ms). */
#define TQ_STORE_MAX_BACKOFF	20000
/* A service-account key file for GCS. */
#define TQ_STORE_MAX_KEYFILE	(64u * 1024)

#endif
