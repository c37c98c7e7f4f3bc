/*
 * traceql-int.h: what the files of lib/traceql share and nothing else
 * sees: the tokens of the lexer, the position helper and the printer of
 * one node used in validation messages.
 */
#ifndef TQ_TRACEQL_INT_H
#define TQ_TRACEQL_INT_H

#include "traceql.h"

enum tok {
	T_EOF,
	T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_COMMA,
	T_EQ, T_NEQ, T_RE, T_NRE, T_GT, T_GTE, T_LT, T_LTE,
	T_ADD, T_SUB, T_MUL, T_DIV, T_MOD, T_POW,
	T_AND, T_OR, T_NOT, T_PIPE,
	T_DESC, T_ANCE, T_SIBL,
	T_NOT_CHILD, T_NOT_PARENT, T_NOT_DESC, T_NOT_ANCE,
	T_UNION_CHILD, T_UNION_PARENT, T_UNION_DESC, T_UNION_ANCE, T_UNION_SIBL,
	T_INT, T_FLOAT, T_DURATION, T_STRING,
	T_IDENT,		/* words, keywords included: the parser decides */
	T_ATTR,			/* scope + name, name decoded */
	T_SCOPED_INTRINSIC,	/* span:id, trace:duration, ... */
};

struct token {
	enum tok	 type;
	size_t		 off, end;	/* bytes of the query text */
	int		 line, col;
	int64_t		 i;		/* INT, DURATION */
	double		 f;		/* FLOAT */
	const char	*s;		/* STRING, ATTR name, IDENT (NUL-terminated) */
	size_t		 len;
	enum tq_ql_scope scope;		/* ATTR */
	bool		 parent;	/* ATTR: after parent. */
	enum tq_ql_intrinsic intrinsic;	/* SCOPED_INTRINSIC */
};

/*
 * lex splits text into tokens allocated in a, ending with T_EOF.  Returns
 * 0 or TQ_ESYNTAX / TQ_ENOMEM with "LINE:COL: message" in err.
 */
int	tq_ql_lex(const char *text, size_t len, struct tq_arena *a,
	    struct token **out, size_t *n, struct tq_err *err);

/* tq_ql_tok_text describes a token type for messages ("\"&&\"", "string"). */
const char	*tq_ql_tok_text(enum tok t);

/*
 * tq_ql_print_node appends node as TraceQL text to b (a field expression
 * or any part of a query).  Errors as tq_buf_append.
 */
int	tq_ql_print_node(struct tq_buf *b, const struct tq_ql_node *node);

/* tq_ql_intrinsic_name is how the printer spells intrinsic i. */
const char	*tq_ql_intrinsic_name(enum tq_ql_intrinsic i);

/* tq_ql_scope_name is an attribute scope's prefix without the dot, or "". */
const char	*tq_ql_scope_name(enum tq_ql_scope s);

#endif
