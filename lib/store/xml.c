/*
 * xml.c: just enough XML for the storage services' answers (listings,
 * errors, upload ids): elements, text, the five named entities and
 * numeric character references, CDATA; declarations, comments and
 * processing instructions are skipped.  Attributes are ignored.  Every
 * element's text reaches the callback with its slash-separated path.
 */
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "store-int.h"

#define XML_MAX_PATH	512

static int
put_utf8(struct tq_buf *b, unsigned long c)
{
	unsigned char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | (c >> 6));
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (c >> 12));
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (c >> 18));
		u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return tq_buf_append(b, u, n);
}

/* text appends the decoded character data p[0..n) to b. */
static int
text(struct tq_buf *b, const char *p, size_t n, struct tq_err *err,
    size_t at)
{
	const char *end = p + n, *semi;
	int rc;

	while (p < end) {
		if (*p != '&') {
			const char *amp = memchr(p, '&', (size_t)(end - p));
			size_t k = amp != NULL ? (size_t)(amp - p) :
			    (size_t)(end - p);

			if ((rc = tq_buf_append(b, p, k)) != 0)
				return rc;
			p += k;
			continue;
		}
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL || semi - p > 12)
			return tq_err_set(err, TQ_ECORRUPT,
			    "xml: bad entity at byte %zu", at);
		if (p[1] == '#') {
			char *e;
			unsigned long c = p[2] == 'x' ?
			    strtoul(p + 3, &e, 16) : strtoul(p + 2, &e, 10);

			if (e != semi || c == 0 || c > 0x10ffff)
				return tq_err_set(err, TQ_ECORRUPT,
				    "xml: bad character reference at byte %zu", at);
			rc = put_utf8(b, c);
		} else if (semi - p == 4 && memcmp(p, "&amp", 4) == 0)
			rc = tq_buf_putc(b, '&');
		else if (semi - p == 3 && memcmp(p, "&lt", 3) == 0)
			rc = tq_buf_putc(b, '<');
		else if (semi - p == 3 && memcmp(p, "&gt", 3) == 0)
			rc = tq_buf_putc(b, '>');
		else if (semi - p == 5 && memcmp(p, "&quot", 5) == 0)
			rc = tq_buf_putc(b, '"');
		else if (semi - p == 5 && memcmp(p, "&apos", 5) == 0)
			rc = tq_buf_putc(b, '\'');
		else
			return tq_err_set(err, TQ_ECORRUPT,
			    "xml: unknown entity at byte %zu", at);
		if (rc != 0)
			return rc;
		p = semi + 1;
	}
	return 0;
}

int
xml_walk(const char *doc, size_t len, xml_fn fn, void *arg,
    struct tq_err *err)
{
	const char *p = doc, *end = doc + len, *q;
	char path[XML_MAX_PATH + 1];
	size_t plen = 0;
	struct tq_buf t;
	int rc = 0, depth = 0;

	path[0] = '\0';
	tq_buf_init(&t, TQ_STORE_MAX_RESPONSE);
	/* XML has no NUL characters; refusing them keeps texts C strings. */
	if ((q = memchr(doc, '\0', len)) != NULL) {
		p = q;
		goto bad;
	}
	while (p < end) {
		if (*p != '<') {
			q = memchr(p, '<', (size_t)(end - p));
			if (q == NULL)
				q = end;
			if (depth > 0 && (rc = text(&t, p, (size_t)(q - p), err,
			    (size_t)(p - doc))) != 0)
				goto out;
			p = q;
			continue;
		}
		if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			const char *c = p + 9;

			for (q = c; q + 3 <= end && memcmp(q, "]]>", 3) != 0; q++)
				;
			if (q + 3 > end)
				goto bad;
			if ((rc = tq_buf_append(&t, c, (size_t)(q - c))) != 0)
				goto out;
			p = q + 3;
			continue;
		}
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			for (q = p + 4; q + 3 <= end && memcmp(q, "-->", 3) != 0;
			    q++)
				;
			if (q + 3 > end)
				goto bad;
			p = q + 3;
			continue;
		}
		if ((q = memchr(p, '>', (size_t)(end - p))) == NULL)
			goto bad;
		if (p[1] == '?' || p[1] == '!') {
			p = q + 1;
			continue;
		}
		if (p[1] == '/') {
			/* End tag: the element's text goes to fn. */
			const char *slash;

			if (depth == 0)
				goto bad;
			if ((rc = tq_buf_putc(&t, '\0')) != 0)
				goto out;
			t.len--;
			if ((rc = fn(arg, path, (const char *)t.data, t.len)) != 0)
				goto out;
			tq_buf_reset(&t);
			slash = strrchr(path, '/');
			plen = slash != NULL ? (size_t)(slash - path) : 0;
			path[plen] = '\0';
			depth--;
			p = q + 1;
			continue;
		}
		{
			/* Start tag (maybe empty: <a/>). */
			const char *n = p + 1, *ne = n;
			bool empty = q[-1] == '/';
			size_t nl;

			while (ne < q && *ne != ' ' && *ne != '\t' && *ne != '\n' &&
			    *ne != '\r' && *ne != '/')
				ne++;
			nl = (size_t)(ne - n);
			if (nl == 0 || plen + nl + 1 > XML_MAX_PATH ||
			    depth >= 32)
				goto bad;
			if (plen > 0)
				path[plen++] = '/';
			memcpy(path + plen, n, nl);
			plen += nl;
			path[plen] = '\0';
			depth++;
			tq_buf_reset(&t);
			if (empty) {
				const char *slash;

				if ((rc = fn(arg, path, "", 0)) != 0)
					goto out;
				slash = strrchr(path, '/');
				plen = slash != NULL ? (size_t)(slash - path) : 0;
				path[plen] = '\0';
				depth--;
			}
			p = q + 1;
		}
	}
	if (depth != 0)
		goto bad;
	goto out;
bad:
	rc = tq_err_set(err, TQ_ECORRUPT, "xml: malformed at byte %zu",
	    (size_t)(p - doc));
out:
	tq_buf_release(&t);
	return rc;
}

int
xml_escape(struct tq_buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++)
		switch (*s) {
		case '&': rc = tq_buf_puts(b, "&amp;"); break;
		case '<': rc = tq_buf_puts(b, "&lt;"); break;
		case '>': rc = tq_buf_puts(b, "&gt;"); break;
		case '"': rc = tq_buf_puts(b, "&quot;"); break;
		case '\'': rc = tq_buf_puts(b, "&apos;"); break;
		default: rc = tq_buf_putc(b, *s); break;
		}
	return rc;
}
