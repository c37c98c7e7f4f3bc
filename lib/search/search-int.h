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

#endif
