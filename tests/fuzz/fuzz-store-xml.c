/*
 * fuzz-store-xml.c: libFuzzer target for the store's XML scanner, which
 * reads the storage services' listings, upload ids and error bodies
 * (network input).  The callback checks what the scanner promises: a
 * NUL-terminated text of the stated length and a non-empty path.
 */
#include <stdlib.h>
#include <string.h>

#include "store-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(void *arg, const char *path, const char *text, size_t len)
{
	size_t *n = arg;

	if (path[0] == '\0' || text[len] != '\0')
		abort();
	/* Stop early sometimes, as the list callbacks may. */
	return ++*n > 100000 ? 1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_err e;
	size_t n = 0;
	int rc;

	rc = xml_walk((const char *)data, size, check, &n, &e);
	if (rc != 0 && rc != 1 && rc != TQ_ECORRUPT && rc != TQ_ELIMIT &&
	    rc != TQ_ENOMEM)
		abort();
	return 0;
}
