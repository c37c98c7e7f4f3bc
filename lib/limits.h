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

/* ---- HTTP server (lib/http.c), body decompression (lib/inflate.c) and
 * tempo-recv.  Programs may lower these with options. ---- */
/* zstd window a compressed body may ask for (2^N bytes of decoder memory). */
#define TQ_INFLATE_ZSTD_WINDOW_LOG	24
/* Output grown per decompression step. */
#define TQ_INFLATE_STEP		(64u * 1024)
/* Per-connection memory libmicrohttpd uses for headers and read buffers. */
#define TQ_HTTP_CONN_MEMORY	(256u * 1024)
/* Connections one server accepts at once. */
#define TQ_HTTP_MAX_CONNS	1024
/* Seconds a connection may stay idle (a stalled body included). */
#define TQ_HTTP_TIMEOUT		10
/* Worker threads of one server; the default is the number of CPUs. */
#define TQ_HTTP_MAX_THREADS	64
/* Bytes of request bodies one server holds while receiving them (all
 * connections together); past this requests get 503 with Retry-After. */
#define TQ_HTTP_MAX_INFLIGHT	(128u * 1024 * 1024)
/* Request bodies kept for reuse by one server (each up to its route's cap). */
#define TQ_HTTP_BODY_POOL	16
/* Bytes of accepted requests waiting for tempo-recv's writer; past this
 * requests get 503 with Retry-After. */
#define TQ_RECV_QUEUE		(256u * 1024 * 1024)
/* Tenants (and so open output files) of one tempo-recv with -o '%t'. */
#define TQ_RECV_MAX_TENANTS	256

/*
 * tempo-gen (lib/gen.c).  The generator's own output, not input, but
 * bounded all the same so a mistyped option fails instead of swapping.
 */
/* Spans per generated record. */
#define TQ_GEN_MAX_BATCH	100000u
/* --huge-attr: one attribute value, well inside one record. */
#define TQ_GEN_MAX_HUGE_ATTR	(16u * 1024 * 1024)
/* --huge-trace: spans of the one huge trace (about 500 bytes each). */
#define TQ_GEN_MAX_HUGE_TRACE	1000000u
/* Memory for the spans of one generated trace. */
#define TQ_GEN_MAX_TRACE_ARENA	(1024u * 1024 * 1024)

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

/* ---- TraceQL (lib/traceql/) ---- */
/* TraceQL: a query's text, its tree's arena, and how deep
 * parentheses, braces and operator chains may nest (a query nested deeper
 * is a parse error, never a stack overflow). */
#define TQ_QL_MAX_QUERY		(1u * 1024 * 1024)
#define TQ_QL_MAX_ARENA		(64u * 1024 * 1024)
#define TQ_QL_MAX_DEPTH		128
/* Height of a TraceQL tree: long chains such as a || b || ... (queries
 * generated by tools) are fine up to here. */
#define TQ_QL_MAX_HEIGHT	2000
/* Backtracking steps of one regex match (PCRE2 match limit): a
 * pathological pattern fails the query instead of hanging it. */
#define TQ_QL_REGEX_MATCH_LIMIT	1000000u
/* Memory of one batch's evaluation (fetched columns, spansets). */
#define TQ_QL_MAX_EVAL_ARENA	(2048u * 1024 * 1024)
/* Spansets of one trace while a pipeline runs (by() groups). */
#define TQ_QL_MAX_SETS		100000
/* Attribute values a block's search keeps from its scan for building
 * results (lib/search/block.c); past it, the build reads them again. */
#define TQ_SEARCH_MAX_MEMO	(64u * 1024 * 1024)
/* Bytes of the matching traces' numbers a block's scan keeps for its
 * build (4 a trace); past it, the build tries every recent trace. */
#define TQ_SEARCH_MAX_HITS	(16u * 1024 * 1024)

/* ---- Tags (lib/tags.c, tempo-ql --tags and --tag-values) ---- */
/* Names per scope, or values, one tag query keeps: by default (Grafana
 * asks for 5000) and at most. */
#define TQ_TAGS_DEFAULT_LIMIT	5000
#define TQ_TAGS_MAX_LIMIT	1000000
/* Text of the names or values one collection holds at once (before the
 * limit trims them). */
#define TQ_TAGS_MAX_BYTES	(256u * 1024 * 1024)
/* Matching traces whose values a tag query with a filter looks at. */
#define TQ_TAGS_MAX_QUERY_TRACES	10000

/* ---- Block inspection (lib/inspect.c, tempo-get --inspect) ---- */
/* Distinct attribute keys totalled; the rest go under the key "". */
#define TQ_INSPECT_MAX_KEYS	100000
/* Memory for those keys' text. */
#define TQ_INSPECT_MAX_KEY_BYTES	(64u * 1024 * 1024)
/* Trace IDs one tempo-get run looks up. */
#define TQ_GET_MAX_IDS		100000

/* Bloom shards a block keeps for its next lookups (each 100 KB), when
 * it has no more than this many. */
#define TQ_BLOCK_CACHED_SHARDS	64

/* ---- A block's values filter (lib/block/values.c) ---- */
/* Distinct values it holds: a block with more gets none, since reading a
 * larger filter (2 MiB at this count) would cost a search more than the
 * dictionary pages it saves. */
#define TQ_BLOCK_MAX_VALUES	(1u << 20)
/* Columns it covers, and the length of a column's path. */
#define TQ_BLOCK_MAX_VALUES_COLS	4096
#define TQ_BLOCK_MAX_VALUES_PATH	1024

/* ---- Shredding repeated resources (lib/block/vp4-pb.c) ---- */
/* Resources whose column entries are kept for reuse (direct-mapped by
 * the hash of their bytes), and the entries' bytes one may have. */
#define TQ_VP4_MEMO_SLOTS	128
#define TQ_VP4_MEMO_MAX_BYTES	(64u * 1024)

#endif
