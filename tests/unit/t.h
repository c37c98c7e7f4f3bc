/*
 * t.h: a tiny TAP producer for the unit tests (one binary per module).
 *
 *	T_OK(cond, "what is checked");
 *	T_EQ_INT(got, want, "name");  T_EQ_STR(got, want, "name");
 *	return t_done();
 *
 * Every check prints "ok N - name" or "not ok N - name" with the values
 * that differed; t_done prints the plan and returns the exit status.
 */
#ifndef TQ_T_H
#define TQ_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_count, t_failed;

static void __attribute__((unused))
t_ok(int cond, const char *file, int line, const char *name)
{
	t_count++;
	if (cond) {
		printf("ok %d - %s\n", t_count, name);
		return;
	}
	t_failed++;
	printf("not ok %d - %s\n#   at %s:%d\n", t_count, name, file, line);
}

#define T_OK(cond, name)	t_ok(!!(cond), __FILE__, __LINE__, (name))

#define T_EQ_INT(got, want, name) do {					\
	long long t_g_ = (long long)(got), t_w_ = (long long)(want);	\
	t_ok(t_g_ == t_w_, __FILE__, __LINE__, (name));			\
	if (t_g_ != t_w_)						\
		printf("#   got %lld, want %lld\n", t_g_, t_w_);		\
} while (0)

#define T_EQ_STR(got, want, name) do {					\
	const char *t_g_ = (got), *t_w_ = (want);			\
	int t_same_ = t_g_ != NULL && t_w_ != NULL &&			\
	    strcmp(t_g_, t_w_) == 0;					\
	t_ok(t_same_, __FILE__, __LINE__, (name));			\
	if (!t_same_)							\
		printf("#   got \"%s\"\n#  want \"%s\"\n",			\
		    t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)");	\
} while (0)

#define T_EQ_MEM(got, want, n, name) \
	T_OK(memcmp((got), (want), (n)) == 0, (name))

/*
 * t_fixtures returns the folder of the real-client captures: $TQ_FIXTURES,
 * else the team's shared folder beside the checkout (tests run from the
 * top of the tree).
 */
__attribute__((unused)) static const char *
t_fixtures(void)
{
	const char *d = getenv("TQ_FIXTURES");

	return d != NULL ? d : "../shared/fixtures/real-clients";
}

/*
 * t_slurp reads the whole file dir/rel (rel alone when dir is NULL) into
 * a malloc'd buffer with a NUL after its len bytes; NULL when it cannot.
 */
__attribute__((unused)) static unsigned char *
t_slurp(const char *dir, const char *rel, size_t *len)
{
	char path[1024];
	unsigned char *p = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "",
	    rel);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) == (size_t)n) {
			p[n] = '\0';
			*len = (size_t)n;
		} else {
			free(p);
			p = NULL;
		}
	}
	fclose(f);
	return p;
}

static int __attribute__((unused))
t_done(void)
{
	printf("1..%d\n", t_count);
	return t_failed == 0 ? 0 : 1;
}

#endif
