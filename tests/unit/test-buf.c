/*
 * test-buf.c: buffers keep their cap; arenas align, grow and reset;
 * times and durations parse as documented.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "timeparse.h"
#include "t.h"

static void
test_buf(void)
{
	struct tq_buf b;
	char big[100];

	tq_buf_init(&b, 10);
	T_EQ_INT(tq_buf_append(&b, "hello", 5), 0, "buf: append under cap");
	T_EQ_INT(tq_buf_printf(&b, "%d", 1234), 0, "buf: printf under cap");
	T_EQ_INT(b.len, 9, "buf: length counts appended bytes");
	T_EQ_INT(tq_buf_append(&b, "xy", 2), TQ_ELIMIT, "buf: append past cap fails");
	T_EQ_INT(b.len, 9, "buf: failed append changes nothing");
	T_EQ_INT(tq_buf_putc(&b, '!'), 0, "buf: putc up to cap");
	T_OK(memcmp(b.data, "hello1234!", 10) == 0, "buf: contents");
	tq_buf_release(&b);

	memset(big, 'a', sizeof(big));
	tq_buf_init(&b, 1 << 20);
	for (int i = 0; i < 1000; i++)
		tq_buf_append(&b, big, sizeof(big));
	T_EQ_INT(b.len, 100000, "buf: grows past its first allocation");
	tq_buf_release(&b);
}

static void
test_arena(void)
{
	struct tq_arena a;
	void *p, *q, *big;

	tq_arena_init(&a, 1 << 20);
	p = tq_arena_alloc(&a, 3);
	q = tq_arena_alloc(&a, 5);
	T_OK(p != NULL && q != NULL, "arena: small allocations");
	T_OK(((uintptr_t)p % 16) == 0 && ((uintptr_t)q % 16) == 0,
	    "arena: allocations are 16-byte aligned");
	big = tq_arena_alloc(&a, 500000);
	T_OK(big != NULL, "arena: big allocation gets its own chunk");
	memset(big, 1, 500000);
	T_OK(tq_arena_alloc(&a, 16) != NULL, "arena: small after big");
	T_OK(tq_arena_alloc(&a, 2 << 20) == NULL, "arena: over the cap is NULL");
	T_EQ_STR(tq_arena_strndup(&a, "abcdef", 3), "abc", "arena: strndup");
	tq_arena_reset(&a);
	T_EQ_INT(a.used, 0, "arena: reset forgets allocations");
	T_OK(tq_arena_alloc(&a, 1000) != NULL, "arena: usable after reset");
	tq_arena_release(&a);
}

static void
test_time(void)
{
	struct tq_err e;
	int64_t ns;

	T_EQ_INT(tq_timeparse_time("2026-01-01T00:00:00Z", 0, &ns, &e), 0,
	    "time: RFC 3339");
	T_EQ_INT(ns, 1767225600LL * 1000000000, "time: RFC 3339 value");
	T_EQ_INT(tq_timeparse_time("2026-01-01T01:00:00.25+01:00", 0, &ns, &e),
	    0, "time: RFC 3339 with offset");
	T_EQ_INT(ns, 1767225600250000000LL, "time: offset and fraction");
	T_EQ_INT(tq_timeparse_time("1767225600", 0, &ns, &e), 0, "time: unix");
	T_EQ_INT(ns, 1767225600LL * 1000000000, "time: unix value");
	T_EQ_INT(tq_timeparse_time("now-1h30m", 10000LL * 1000000000, &ns, &e),
	    0, "time: now-1h30m");
	T_EQ_INT(ns, 4600LL * 1000000000, "time: now-1h30m value");
	T_EQ_INT(tq_timeparse_time("yesterday", 0, &ns, &e), TQ_ESYNTAX,
	    "time: garbage is a syntax error");
	T_EQ_INT(tq_timeparse_duration("1.5s", &ns, &e), 0, "duration: 1.5s");
	T_EQ_INT(ns, 1500000000, "duration: 1.5s value");
	T_EQ_INT(tq_timeparse_duration("2ms500us", &ns, &e), 0, "duration: 2ms500us");
	T_EQ_INT(ns, 2500000, "duration: 2ms500us value");
	T_EQ_INT(tq_timeparse_duration("5x", &ns, &e), TQ_ESYNTAX,
	    "duration: unknown unit");
}

int
main(void)
{
	test_buf();
	test_arena();
	test_time();
	return t_done();
}
