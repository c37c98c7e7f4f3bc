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

/* ---- Parquet (lib/parquet/) ---- */
/* The footer (FileMetaData) of a Parquet file. */
#define TQ_PARQUET_MAX_FOOTER	(64u * 1024 * 1024)
/* One page, compressed or not, and one dictionary. */
#define TQ_PARQUET_MAX_PAGE	(256u * 1024 * 1024)
/* One column chunk as stored (compressed). */
#define TQ_PARQUET_MAX_CHUNK	(1024u * 1024 * 1024)
/* Memory for one decoded column chunk (levels, values, dictionary). */
#define TQ_PARQUET_MAX_COLUMN_MEM	(2048ull * 1024 * 1024)
/* Schema nodes, nesting depth and row groups of one file. */
#define TQ_PARQUET_MAX_NODES	100000
#define TQ_PARQUET_MAX_DEPTH	64
#define TQ_PARQUET_MAX_ROW_GROUPS	1000000
/* Nesting of Thrift structs in a footer or page header. */
#define TQ_THRIFT_MAX_DEPTH	32
/* Memory a writer may buffer for one row group beyond its target. */
#define TQ_PARQUET_MAX_ROW_GROUP_BUF	(4096ull * 1024 * 1024)

#endif
