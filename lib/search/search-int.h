/*
 * search-int.h: what the files of lib/search share: conversions from the
 * stored numbering to TraceQL's, shared by every source of batches.
 */
#ifndef TQ_SEARCH_INT_H
#define TQ_SEARCH_INT_H

#include "search.h"

/* tq_search_status maps an OTLP status code to TraceQL's numbering. */
int64_t	tq_search_status(int64_t otlp);

/* tq_search_kind maps an OTLP span kind to TraceQL's numbering. */
int64_t	tq_search_kind(int64_t otlp);

/*
 * tq_search_hex sets *v to the hex text of the n bytes at p, allocated
 * from a; nil when n is 0.  Returns false when out of memory.
 */
bool	tq_search_hex(struct tq_arena *a, const uint8_t *p, size_t n,
	    struct tq_ql_value *v);

/* tq_search_str sets *v to the n bytes at s (not copied). */
void	tq_search_str(struct tq_ql_value *v, const char *s, size_t n);

/* tq_search_query_needs gives the conditions every result needs (the
 * block source prunes row groups by them). */
size_t	tq_search_query_needs(const struct tq_search_query *sq,
	    const struct tq_ql_need **needs);

/*
 * How tq_search_batch_pass treats a batch.  With a limit, a source that
 * can read a batch twice scans every batch first and builds results only
 * for the batches still holding one of the limit newest matches: most
 * matches of a large search are too old to be shown.
 */
enum tq_search_pass {
	TQ_SEARCH_ALL,		/* count the matches and build them */
	TQ_SEARCH_SCAN,		/* count them only: the limit's heap */
	TQ_SEARCH_BUILD		/* build those a scan counted */
};

/*
 * A source that stores each trace's service statistics (vParquet4's
 * ServiceStats) gives them this way, so that results need not read every
 * span's service and status: trace t of batch arg has (*svc)[(*first)[t]
 * .. (*first)[t + 1]), names in order, living as long as the batch.
 * TQ_EUNSUPPORTED (err untouched): not stored for every trace; results
 * then count the spans.
 */
typedef int (*tq_search_services_fn)(void *arg, struct tq_arena *a,
    struct tq_search_service **svc, uint32_t **first, struct tq_err *err);
/*
 * tq_search_batch_pass is tq_search_batch in one of the passes above;
 * *newest (if not NULL) gets the start of the most recent match a scan
 * counted (-1: none); services may be NULL.  matched (if not NULL, one
 * per trace) marks the traces built, or in a scan those counted: the
 * only ones its build can show.
 */
int	tq_search_batch_pass(struct tq_search_query *sq,
	    const struct tq_ql_batch *b, tq_search_services_fn services,
	    struct tq_arena *a, const struct tq_search_opts *o,
	    struct tq_search_result *r, enum tq_search_pass pass,
	    bool *matched, int64_t *newest, struct tq_err *err);

/* tq_search_newer says whether a match starting at s can still be among
 * r's limit most recent. */
bool	tq_search_newer(const struct tq_search_result *r, size_t limit,
	    uint64_t s);

#endif
