# tests.mk — the test targets, included by the Makefile.
# Unit tests are discovered: every tests/unit/test_*.c is one cmocka program,
# linked with the front end and the VM libraries (archives, so that a test may
# stand in its own fakes for what it isolates).

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

$(B)/libfront.a: $(FRONT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/tests/%: tests/unit/%.c $(B)/libfront.a $(B)/libregula.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_ALL) -Itests/unit $(CFLAGS) $(WARN) -MMD -MP -MF $@.d -MT $@ -o $@ $< $(B)/libfront.a $(B)/libregula.a -lcmocka $(LIBS)

# what each test includes (stub_vm.h, cli/json_arena.c), so that a change to it rebuilds the test
-include $(wildcard $(B)/tests/*.d)

unit-build: $(UNIT_BIN)
unit: $(UNIT_BIN)
	@tests/run_suite.sh unit $(UNIT_BIN)

# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
asan:
	@$(MAKE) --no-print-directory B=build/asan CFLAGS="$(ASAN_FLAGS)" unit-build build/asan/regula >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run_suite.sh asan $(patsubst $(B)/%,build/asan/%,$(UNIT_BIN))

golden: $(B)/regula $(MO_FILES)
	@tests/golden/run.sh $(B)/regula

# the catalogues of po/ complete and current, the choice of language, the install
i18ntest: $(B)/regula $(MO_FILES)
	@tests/i18n/run.sh $(B)

conformance: $(B)/regula
	@tests/conformance/run.sh $(B)/regula

packtest: $(B)/regula
	@$(B)/regula test policies/ | tee $(B)/packtest.out; tail -1 $(B)/packtest.out | grep -q ' 0 failed'
	@$(B)/regula fmt --check policies/ || { echo "packtest: the files above are not formatted: run regula fmt -w policies/"; exit 1; }

# docs/bytecode.md's generated tables, printed from bytecode/opcodes.h and bytecode/program.h
$(B)/doc-tests/bytecode_tables: tests/docs/bytecode_tables.c bytecode/opcodes.c bytecode/opcodes.h bytecode/program.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_bytecode) $(CFLAGS) $(WARN) -o $@ tests/docs/bytecode_tables.c bytecode/opcodes.c

doctest: $(B)/regula $(B)/doc-tests/bytecode_tables
	@tests/docs/run.sh $(B)/regula
	@tests/docs/tables.sh $(B)/doc-tests/bytecode_tables

# ---- the embedding API: tests/embed/run.sh (library builds under sanitizers,
# install, --allow-extern, the example service). The API tests and the stress
# test see include/regula.h alone and link libregula.a, never the compiler. ----
TSAN_FLAGS := -O1 -g -fsanitize=thread
EMBED_LIBS := -lffi -lm -lpthread

$(B)/embed-tests/api_test: tests/embed/api_test.c tests/embed/hostlib.c $(B)/libregula.a include/regula.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(WARN) -o $@ tests/embed/api_test.c tests/embed/hostlib.c $(B)/libregula.a $(EMBED_LIBS)

$(B)/embed-tests/stress: tests/embed/stress.c $(B)/libregula.a include/regula.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(WARN) -o $@ tests/embed/stress.c $(B)/libregula.a $(EMBED_LIBS)

embed-build: $(B)/regula $(B)/libregula.a $(B)/libregula.so
	@$(MAKE) --no-print-directory B=$(B)/san/asan CFLAGS="$(ASAN_FLAGS)" $(B)/san/asan/embed-tests/api_test >/dev/null
	@$(MAKE) --no-print-directory B=$(B)/san/tsan CFLAGS="$(TSAN_FLAGS)" $(B)/san/tsan/embed-tests/stress >/dev/null

embed: embed-build
	@tests/embed/run.sh $(B)

.PHONY: embed embed-build

# ---- the settlement service under kill -9 (not part of `make test`, which runs
# 20,000 claims and 5 kills): SOAK_CLAIMS generated claims, SOAK_KILLS kill -9 at
# random points each followed by a rerun, ending with the output, ledger, results
# and claims of an undisturbed run (tests/embed/service.py; SOAK_SEED repeats one). ----
SOAK_CLAIMS ?= 200000
SOAK_KILLS ?= 10
SOAK_DIR = $(abspath $(B))/soak-service
soak-service: $(B)/regula $(B)/libregula.a $(B)/libregula.so $(B)/regula.pc
	@rm -rf $(SOAK_DIR) && mkdir -p $(SOAK_DIR)
	@$(MAKE) --no-print-directory B=$(B) install PREFIX=$(SOAK_DIR)/prefix >/dev/null
	@$(MAKE) --no-print-directory -C examples/settlement-service O=$(SOAK_DIR) CFLAGS="-O2 -g" \
	    PKG_CONFIG_PATH=$(SOAK_DIR)/prefix/lib/pkgconfig LDFLAGS=-Wl,-rpath,$(SOAK_DIR)/prefix/lib >/dev/null
	@$(B)/regula compile policies -o $(SOAK_DIR)/seed.rgc
	@python3 tests/embed/service.py $(SOAK_DIR)/settle $(B)/regula $(SOAK_DIR)/seed.rgc $(SOAK_DIR)/work --only kill \
	    --claims $(SOAK_CLAIMS) --kills $(SOAK_KILLS) $(if $(SOAK_SEED),--seed $(SOAK_SEED))

.PHONY: soak-service

test: deps
	@$(MAKE) --no-print-directory all unit-build
	@tests/run_all.sh $(B)

demo: deps
	@$(MAKE) --no-print-directory all
	@$(B)/regula run --pack policies/ examples/claims.jsonl | tee $(B)/demo.out
	@python3 tests/conformance/summary.py $(B)/demo.out

.PHONY: unit-build unit asan golden conformance packtest doctest i18ntest

# ---- fuzzing (clang + libFuzzer; not part of `make test`) ----
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE $(patsubst -I$(B)/gen,,$(INC_ALL))
FUZZ_SECONDS ?= 60
build/fuzz/%: tests/fuzz/%.c lang/parser.y lang/lexer.l $(LANG_SRC) $(BYTECODE_SRC) $(COMPILER_SRC) $(VM_SRC) $(STDLIB_SRC) $(API_SRC)
	@mkdir -p build/fuzz/gen
	bison -d -o build/fuzz/gen/parser.c lang/parser.y
	flex --header-file=build/fuzz/gen/lexer.h -o build/fuzz/gen/lexer.c lang/lexer.l
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ibuild/fuzz/gen -o $@ $< build/fuzz/gen/parser.c build/fuzz/gen/lexer.c \
	    $(LANG_SRC) $(BYTECODE_SRC) $(COMPILER_SRC) $(VM_SRC) $(STDLIB_SRC) $(API_SRC) -ljansson -lffi -lm -lpthread

# the claim reader alone: the VM calls are tests/unit/stub_vm.h's stand-ins; the
# front end compiles the seed pack whose claim schema the stand-in program takes
build/fuzz/fuzz_claim: tests/fuzz/fuzz_claim.c tests/unit/stub_vm.h lang/parser.y lang/lexer.l $(LANG_SRC) $(COMPILER_SRC) \
                       stdlib/claim_json.c stdlib/json_scan.c stdlib/result_json.c $(BYTECODE_SRC) vm/value_text.c
	@mkdir -p build/fuzz/gen
	bison -d -o build/fuzz/gen/parser.c lang/parser.y
	flex --header-file=build/fuzz/gen/lexer.h -o build/fuzz/gen/lexer.c lang/lexer.l
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ibuild/fuzz/gen -Itests/unit -o $@ tests/fuzz/fuzz_claim.c build/fuzz/gen/parser.c \
	    build/fuzz/gen/lexer.c $(LANG_SRC) $(COMPILER_SRC) stdlib/claim_json.c stdlib/json_scan.c stdlib/result_json.c \
	    $(BYTECODE_SRC) vm/value_text.c -ljansson -lm

fuzz: build/fuzz/fuzz_parser build/fuzz/fuzz_loader build/fuzz/fuzz_claim
	build/fuzz/fuzz_parser -max_total_time=$(FUZZ_SECONDS) -max_len=4096 tests/fuzz/corpus/parser
	build/fuzz/fuzz_loader -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/loader
	build/fuzz/fuzz_claim -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/claim.dict tests/fuzz/corpus/claim

.PHONY: fuzz

# the REPL: scripted sessions with golden output, then a session on a pseudo-terminal
repltest: $(B)/regula $(MO_FILES)
	@tests/repl/run.sh $(B)/regula

.PHONY: repltest

# the tools: regula test's choices, coverage and JSON, regula diff (text and its
# HTML page in headless Chromium), progress, the man page, completion, install
tooltest: $(B)/regula
	@tests/tools/run.sh $(B)/regula

.PHONY: tooltest

# the language server: a scripted editor session (tests/lsp/lsp_test.py), with
# the tool and again with its AddressSanitizer + UBSan build (a leak fails it)
lsptest: $(B)/regula
	@tests/lsp/run.sh $(B)/regula
	@$(MAKE) --no-print-directory B=build/asan CFLAGS="$(ASAN_FLAGS)" build/asan/regula >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 tests/lsp/run.sh build/asan/regula "lsp under asan"

.PHONY: lsptest

# the editor package (editors/): the TextMate grammar tokenizes the seed pack,
# with tests/editors/textmate.py and with VS Code's vscode-textmate when node is here
editortest:
	@tests/editors/run.sh $(B)

.PHONY: editortest
