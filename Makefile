# One non-recursive Makefile for the tempo toolkit.
#
#   make                      every program and build/libtempo.a
#   make check                unit tests and bats suites; last line "N passed, N failed"
#   make SANITIZE=address,undefined check
#   make fuzz [FUZZ_SECONDS=60]
#   make install [PREFIX=/usr/local] [DESTDIR=]
#
# Sources are found by pattern, so a new module (lib/x.c or lib/x/*.c), a new
# program (cmd/tempo-x.c), a unit test (tests/unit/test-x.c), a fuzz target
# (tests/fuzz/fuzz-x.c) or a bats suite needs no change here.  lib/ is an
# -iquote directory: lib/limits.h must not hide the system's <limits.h>.

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O3 -g

PKGS = libprotobuf-c libzstd libcurl openssl jansson libmicrohttpd libnghttp2 \
	libxxhash yaml-0.1 zlib libpcre2-8
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS = $(PKG_LIBS) -lsnappy -lreadline -lpthread -lm

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wwrite-strings -Wformat=2 -Wvla -Wundef
# Messages are cut to fit their buffers on purpose: snprintf truncation is
# the intended behaviour, not a bug to warn about.
# (gcc only: clang has no such warning and would complain of the option).
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN += -Wno-format-truncation
endif
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif

# Sanitized and fuzzing builds live in their own trees so objects never mix.
BUILD = build
ifneq ($(SANITIZE),)
BUILD = build/san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

GEN = $(BUILD)/gen
TQ_CPPFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DTQ_VERSION='"$(VERSION)"' -iquote lib -iquote cmd -I$(GEN) $(PKG_CFLAGS)
ALL_CFLAGS = $(TQ_CPPFLAGS) $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
# --as-needed: a program records only the libraries it calls, so one on a
# directory store starts without libcurl (the HTTP stores dlopen it).
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -Wl,--as-needed

PROTOS := $(shell find proto -name '*.proto' | sort)
PROTO_C := $(patsubst proto/%.proto,$(GEN)/%.pb-c.c,$(PROTOS))
PROTO_H := $(PROTO_C:.c=.h)
LIB_SRC := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(PROTO_C:.c=.o)
CMD_SRC := $(sort $(wildcard cmd/tempo-*.c))
PROGS := $(patsubst cmd/%.c,$(BUILD)/bin/%,$(CMD_SRC))
COMMON_OBJ := $(BUILD)/cmd/common.o
# tempo-ql's other parts (the REPL, tags): cmd/ql-*.c.
QL_OBJ := $(patsubst cmd/%.c,$(BUILD)/cmd/%.o,$(sort $(wildcard cmd/ql-*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
UNITS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))
MAN1 := $(sort $(wildcard man/*.1))
MAN5 := $(sort $(wildcard man/*.5))
MAN7 := $(sort $(wildcard man/*.7))
LIBA = $(BUILD)/libtempo.a

.PHONY: all check unit bats fuzz install uninstall clean lint bench deps
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PROGS) $(BUILD)/tests/helpers

$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h: proto/%.proto
	@mkdir -p $(GEN)
	protoc-c -Iproto -I/usr/include --c_out=$(GEN) $<

$(BUILD)/%.pb-c.o: $(BUILD)/%.pb-c.c $(PROTO_H)
	$(CC) $(TQ_CPPFLAGS) $(CFLAGS) $(SANFLAGS) -w -c -o $@ $<

# Every object may include the generated headers (through lib/otlp.h).
$(BUILD)/lib/%.o: lib/%.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -iquote tests/unit -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(COMMON_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBA) $(LIBS)

$(BUILD)/bin/tempo-ql: $(QL_OBJ)

$(BUILD)/tests/test-%: $(BUILD)/tests/unit/test-%.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# Small C helpers the bats suites use (tests/helpers/*.c, one program each).
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRC))
$(BUILD)/tests/helpers: $(HELPERS)
	@mkdir -p $@
$(BUILD)/tests/helpers/%: $(BUILD)/tests/helpers/%.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# check runs everything and sums the TAP results into one closing line.
check: all $(UNITS)
	@BUILD=$(BUILD) scripts/run-tests.sh $(UNITS)

unit: $(UNITS)
	@BUILD=$(BUILD) scripts/run-tests.sh --unit-only $(UNITS)

bats: all
	@BUILD=$(BUILD) scripts/run-tests.sh --bats-only

# Fuzz targets: clang, libFuzzer, ASan and UBSan, in build/fuzz.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) CC=clang BUILD=build/fuzz \
		SANFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer' \
		build/fuzz/libtempo.a
	@mkdir -p build/fuzz/bin
	@for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang $(TQ_CPPFLAGS) -Ibuild/fuzz/gen -g -O1 -fsanitize=fuzzer,address,undefined \
			-o build/fuzz/bin/$$n $$f build/fuzz/libtempo.a $(LIBS) || exit 1; \
	done
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))

bench: all
	@for b in bench/*.sh; do echo "== $$b"; BUILD=$(BUILD) $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/)
	install -m 644 completions/tempo.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/tempo
	for p in $(notdir $(PROGS)); do \
		ln -sf tempo $(DESTDIR)$(DATADIR)/bash-completion/completions/$$p; done
	install -m 644 completions/_tempo $(DESTDIR)$(DATADIR)/zsh/site-functions/_tempo

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/tempo
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/bash-completion/completions/,$(notdir $(PROGS)))
	rm -f $(DESTDIR)$(DATADIR)/zsh/site-functions/_tempo

lint:
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN7)
	shellcheck scripts/*.sh bench/*.sh .ci/run

deps:
	scripts/deps.sh --test

clean:
	rm -rf build

-include $(wildcard $(BUILD)/lib/*.d $(BUILD)/lib/*/*.d $(BUILD)/cmd/*.d $(BUILD)/tests/*/*.d)
