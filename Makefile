# Regula — everything builds and tests from here.
#   make demo   install what is missing, build, settle the bundled sample claims
#   make test   install what is missing, build, run every test
# Generated files and objects go to build/ (normal) and build/asan/ (sanitizers).

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS+= -D_GNU_SOURCE
B       ?= build
# make install PREFIX=… (DESTDIR=… to stage): the regula tool, its man page and
# bash completion, include/regula.h, libregula.a, libregula.so and its
# pkg-config file regula.pc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
LOCALEDIR ?= $(PREFIX)/share/locale
VERSION := $(shell sed -n 's/^#define REGULA_VERSION "\([^"]*\)".*/\1/p' include/regula.h)
SONAME  := libregula.so.0

DEB_PACKAGES := flex bison libffi-dev libreadline-dev libcmocka-dev libjansson-dev libsodium-dev \
                pkg-config python3 lua5.4 lua-cjson libsqlite3-dev clang libclang-rt-14-dev \
                postgresql postgresql-15 postgresql-server-dev-15 postgresql-contrib \
                groff-base gettext locales
# the browser that opens `regula diff --html`'s page in the tests (tests/tools/run.sh):
# installed the same way, but where the package sources have none the rest
# still builds and tests (and that test says it skipped, and why)
DEB_BROWSER  := chromium
# node and npm, for the test of the editor grammar with VS Code's own engine
# (tests/editors/run.sh): installed the same way when the commands are missing;
# without them that engine is skipped (and says why), the grammar's own test runs
DEB_NODE     := nodejs npm

LANG_SRC     := lang/ast.c lang/diag.c lang/file_io.c lang/format.c lang/fullwidth.c lang/i18n.c lang/keywords.c lang/parse.c
LANG_GEN     := $(B)/gen/parser.c $(B)/gen/lexer.c
BYTECODE_SRC := $(wildcard bytecode/*.c)
COMPILER_SRC := $(wildcard compiler/*.c)
VM_SRC       := $(wildcard vm/*.c)
STDLIB_SRC   := $(wildcard stdlib/*.c)
NATIVE_SRC   := $(wildcard native/*.c)
API_SRC      := $(wildcard api/*.c)
DRIVER_SRC   := $(wildcard driver/*.c)
CLI_SRC      := $(wildcard cli/*.c)
REPL_SRC     := $(wildcard repl/*.c)
LSP_SRC      := $(wildcard lsp/*.c)
PO_LANGS     := $(basename $(notdir $(wildcard po/*.po)))
MO_FILES     := $(foreach l,$(PO_LANGS),$(B)/locale/$(l)/LC_MESSAGES/regula.mo)

# ---- layers (docs/architecture.md): each folder is compiled with the include
# paths of the folders it may use, and no others, so that an include that
# points upward does not build ----
INC_bytecode := -Ibytecode
INC_lang     := -Ilang -Ibytecode -I$(B)/gen
INC_compiler := -Icompiler -Ilang -Ibytecode -I$(B)/gen
INC_vm       := -Ivm -Ibytecode
INC_stdlib   := -Istdlib -Ivm -Ibytecode
INC_native   := -Inative -Ivm -Ibytecode
INC_api      := -Iapi -Iinclude -Inative -Istdlib -Ivm -Ibytecode
INC_driver   := -Idriver -Iinclude -Icompiler -Ilang -Ibytecode -Istdlib -Ivm -I$(B)/gen
INC_repl     := -Irepl -Idriver -Iinclude -Iapi -Icompiler -Ilang -Ibytecode -Istdlib -Ivm -I$(B)/gen
INC_lsp      := -Ilsp -Idriver -Iinclude -Icompiler -Ilang -Ibytecode -Istdlib -Ivm -I$(B)/gen
INC_cli      := -Icli -Ilsp -Irepl -Idriver -Iinclude -Iapi -Inative -Icompiler -Ilang -Ibytecode -Istdlib -Ivm -I$(B)/gen
INC_gen      := $(INC_lang)
INC_ALL      := $(INC_cli)
LAYERS       := bytecode lang compiler vm stdlib native api driver repl lsp cli

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

# `make` alone builds the tool (layers-print below comes first in the file)
.DEFAULT_GOAL := all

# `make -s layers-print`: each layer and its include paths, for tests/layers.sh
layers-print:
	@$(foreach l,$(LAYERS),echo "$(l) $(INC_$(l))";)
.PHONY: layers-print

LIBVM_OBJ   := $(call obj,$(BYTECODE_SRC) $(VM_SRC) $(STDLIB_SRC) $(NATIVE_SRC) $(API_SRC)) $(B)/obj/gen/native_text.o
FRONT_OBJ   := $(call obj,$(LANG_SRC) $(COMPILER_SRC)) $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(LANG_GEN))
CLI_OBJ     := $(call obj,$(CLI_SRC) $(REPL_SRC) $(LSP_SRC) $(DRIVER_SRC))
LIBS        := -ljansson -lsodium -lreadline -lffi -lm -lpthread

.PHONY: all deps demo test unit asan golden conformance packtest clean install uninstall lib
all: $(B)/regula $(MO_FILES)
lib: $(B)/libregula.a $(B)/libregula.so

# ---- dependencies: install only what is missing (Debian) ----
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	browser=""; dpkg -s $(DEB_BROWSER) >/dev/null 2>&1 || browser=$(DEB_BROWSER); \
	SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	if [ -n "$$missing$$browser" ]; then $$SUDO apt-get update -qq || exit 1; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi; \
	if [ -n "$$browser" ]; then \
	  echo "installing: $$browser"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$browser >/dev/null || \
	    echo "could not install $$browser: the test of regula diff's page in a browser will skip"; \
	fi; \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "installing: $(DEB_NODE)"; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEB_NODE) >/dev/null || \
	    echo "could not install $(DEB_NODE): the editor grammar's test with VS Code's engine will skip"; \
	fi; \
	if ! locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then \
	  echo "generating the zh_CN.UTF-8 locale"; \
	  $$SUDO localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || \
	    echo "could not generate zh_CN.UTF-8: LANG=zh_CN.UTF-8 is read all the same, --lang zh works"; \
	fi

# ---- front end generation ----
$(B)/gen/parser.c $(B)/gen/parser.h &: lang/parser.y | $(B)/gen
	bison -Wall -Werror -d -o $(B)/gen/parser.c $<
$(B)/gen/lexer.c $(B)/gen/lexer.h &: lang/lexer.l $(B)/gen/parser.h | $(B)/gen
	flex --header-file=$(B)/gen/lexer.h -o $(B)/gen/lexer.c $<

$(B)/gen:
	@mkdir -p $@

# the headers generated native code is compiled with (native/native.h:
# rgn_abi_text), their project includes taken out, as one C string
NATIVE_ABI_HDRS := bytecode/values.h bytecode/calendar.h bytecode/program.h vm/vm.h vm/native_abi.h native/native_rt.h
$(B)/gen/native_text.c: $(NATIVE_ABI_HDRS) | $(B)/gen
	@{ echo '/* generated from the headers native code needs (Makefile): do not edit */'; \
	   echo '#include <stddef.h>'; echo 'const char rgn_abi_text[] ='; \
	   sed -e '/^#include "/d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $(NATIVE_ABI_HDRS); \
	   echo '    "";'; echo 'const size_t rgn_abi_text_len = sizeof rgn_abi_text - 1;'; } > $@.tmp && mv $@.tmp $@
$(B)/obj/gen/native_text.o: $(B)/gen/native_text.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Wno-overlength-strings -fPIC -c -o $@ $<

# generated code is not held to -Wextra's unused-parameter rules
$(B)/obj/gen/%.o: $(B)/gen/%.c $(B)/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_gen) $(CFLAGS) $(WARN) -Wno-unused-parameter -Wno-sign-compare -Wno-shadow -Wno-unused-but-set-variable -MMD -MP -c -o $@ $<

$(B)/obj/%.o: %.c $(B)/gen/parser.h $(B)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_$(firstword $(subst /, ,$*))) $(CFLAGS) $(WARN) -fPIC -MMD -MP -c -o $@ $<

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

$(B)/libregula.a: $(LIBVM_OBJ)
	@rm -f $@
	ar rcs $@ $^

# the shared library exports include/regula.h's regula_* only (api/libregula.map),
# and must not need a symbol of the compiler (--no-undefined)
$(B)/$(SONAME): $(LIBVM_OBJ) api/libregula.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=api/libregula.map -Wl,--no-undefined \
	    -o $@ $(LIBVM_OBJ) -lsodium -lffi -lm -lpthread
$(B)/libregula.so: $(B)/$(SONAME)
	ln -sf $(SONAME) $@

$(B)/regula.pc: api/regula.pc.in FORCE
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' $< > $@.tmp && \
	  if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:
.PHONY: FORCE

install: $(B)/regula $(MO_FILES) $(B)/libregula.a $(B)/libregula.so $(B)/regula.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(B)/regula $(DESTDIR)$(BINDIR)/regula
	install -m 644 docs/regula.1 $(DESTDIR)$(MANDIR)/man1/regula.1
	install -m 644 cli/regula.bash $(DESTDIR)$(BASHCOMPDIR)/regula
	install -m 644 include/regula.h $(DESTDIR)$(INCLUDEDIR)/regula.h
	install -m 644 $(B)/libregula.a $(DESTDIR)$(LIBDIR)/libregula.a
	install -m 755 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libregula.so
	install -m 644 $(B)/regula.pc $(DESTDIR)$(PKGCONFIGDIR)/regula.pc
	for l in $(PO_LANGS); do install -D -m 644 $(B)/locale/$$l/LC_MESSAGES/regula.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/regula.mo; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/regula $(DESTDIR)$(INCLUDEDIR)/regula.h $(DESTDIR)$(LIBDIR)/libregula.a \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libregula.so $(DESTDIR)$(PKGCONFIGDIR)/regula.pc \
	    $(DESTDIR)$(MANDIR)/man1/regula.1 $(DESTDIR)$(BASHCOMPDIR)/regula \
	    $(foreach l,$(PO_LANGS),$(DESTDIR)$(LOCALEDIR)/$(l)/LC_MESSAGES/regula.mo)

# ---- messages in other languages (po/, GNU gettext) ----
# the catalogues of po/LANG.po, compiled to build/locale/LANG/LC_MESSAGES/regula.mo
# (found there by build/regula, installed under $(LOCALEDIR)); `make pot` takes
# the messages out of the sources again into po/regula.pot and merges them into
# every po/LANG.po, where new ones wait untranslated (tests/i18n/run.sh fails on them)
# (the scanner's messages are read from flex's output: xgettext cannot read flex's patterns)
POT_SRC   = $(sort $(LANG_SRC) lang/parser.y $(COMPILER_SRC) $(DRIVER_SRC) $(CLI_SRC) $(REPL_SRC) $(LSP_SRC)) $(B)/gen/lexer.c

$(B)/locale/%/LC_MESSAGES/regula.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

POT_OUT ?= po/regula.pot
pot-file: $(B)/gen/lexer.c
	@xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --add-comments=TRANSLATORS: \
	    --add-location=file --sort-by-file --package-name=regula --package-version=$(VERSION) \
	    --msgid-bugs-address="the Regula maintainers" -o $(POT_OUT) $(POT_SRC)
	@sed -i -e '/^"POT-Creation-Date:/d' -e 's|$(B)/gen/lexer.c|lang/lexer.l|' $(POT_OUT)
pot: pot-file
	@for p in po/*.po; do msgmerge --quiet --update --backup=none --add-location=file $$p po/regula.pot && \
	  msgattrib --no-obsolete --add-location=file -o $$p $$p; done
.PHONY: pot pot-file

# where the installed tool looks for its catalogues when they are not beside it
# in ../share/locale (lang/i18n.c)
$(B)/obj/lang/i18n.o: CPPFLAGS += -DRG_LOCALEDIR='"$(LOCALEDIR)"'

$(B)/regula: $(CLI_OBJ) $(FRONT_OBJ) $(B)/libregula.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(FRONT_OBJ) $(B)/libregula.a $(LIBS)

include tests/tests.mk
include pg/pg.mk

# ---- benchmarks (not part of `make test`: they print figures, nothing asserts a time) ----
# bench/compare: Regula, bench/c and bench/lua on the same claims (docs/performance.md).
BENCH_ARGS ?=
bench: $(B)/regula
	@REGULA=$(B)/regula bench/compare $(BENCH_ARGS)

.PHONY: bench

clean:
	rm -rf build
