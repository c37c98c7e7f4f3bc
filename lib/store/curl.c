/*
 * curl.c: libcurl for the HTTP stores, loaded with dlopen(3) when one is
 * opened.  A program on a directory store then never loads libcurl, nor
 * the thirty-odd libraries it needs in turn, at start: tempo-get of one
 * trace ID on a directory spent more time loading them than looking up.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "store-int.h"

/* The soname of libcurl's ABI 4, the one <curl/curl.h> describes. */
#define CURL_SONAME	"libcurl.so.4"

#define SYM(f)	{ "curl_" #f, offsetof(struct store_curl, f) }

int
store_curl_open(struct store_curl *c, struct tq_err *err)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} syms[] = {
		SYM(easy_cleanup), SYM(easy_getinfo), SYM(easy_init),
		SYM(easy_perform), SYM(easy_reset), SYM(easy_setopt),
		SYM(easy_strerror), SYM(global_init), SYM(multi_add_handle),
		SYM(multi_cleanup), SYM(multi_info_read), SYM(multi_init),
		SYM(multi_perform), SYM(multi_poll), SYM(multi_remove_handle),
		SYM(multi_setopt), SYM(multi_strerror), SYM(slist_append),
		SYM(slist_free_all),
	};
	const char *why;
	void *h, *f;
	size_t i;

	/*
	 * Never unloaded (RTLD_NODELETE): libcurl and the TLS library under
	 * it keep process-wide state and exit handlers, as a linked library
	 * would.  Opening it again only counts a reference.
	 */
	if ((h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL |
	    RTLD_NODELETE)) == NULL) {
		why = dlerror();
		return tq_err_set(err, TQ_EUNSUPPORTED, "HTTP stores need "
		    "libcurl: %s", why != NULL ? why : CURL_SONAME);
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((f = dlsym(h, syms[i].name)) == NULL) {
			dlclose(h);
			return tq_err_set(err, TQ_EUNSUPPORTED, "HTTP stores "
			    "need libcurl 7.85 or later: %s has no %s",
			    CURL_SONAME, syms[i].name);
		}
		/* POSIX: a data pointer from dlsym holds a function's. */
		memcpy((char *)c + syms[i].off, &f, sizeof(f));
	}
	c->handle = h;
	return 0;
}

void
store_curl_close(struct store_curl *c)
{
	if (c->handle != NULL)
		dlclose(c->handle);
	memset(c, 0, sizeof(*c));
}
