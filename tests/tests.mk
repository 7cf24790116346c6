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

# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, then the
# sanitized regula over the seed pack, the conformance claims and the REPL sessions
# (with its message catalogue beside it, for the session in Chinese)
asan:
	@$(MAKE) --no-print-directory B=build/asan CFLAGS="$(ASAN_FLAGS)" unit-build build/asan/regula \
	    $(patsubst $(B)/%,build/asan/%,$(MO_FILES)) >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run_suite.sh asan $(patsubst $(B)/%,build/asan/%,$(UNIT_BIN))
	@tests/sanitized_cli.sh build/asan/regula

golden: $(B)/regula $(MO_FILES)
	@tests/golden/run.sh $(B)/regula
	@tests/limits.sh $(B)/regula

# the catalogues of po/ complete and current, the choice of language, the install
i18ntest: $(B)/regula $(MO_FILES)
	@tests/i18n/run.sh $(B)

conformance: $(B)/regula
	@tests/conformance/run.sh $(B)/regula

# native code against the interpreter, byte for byte (tests/native/run.sh)
nativetest: $(B)/regula
	@tests/native/run.sh $(B)/regula

packtest: $(B)/regula
	@$(B)/regula test policies/ | tee $(B)/packtest.out; tail -1 $(B)/packtest.out | grep -q ' 0 failed'
	@$(B)/regula fmt --check policies/ || { echo "packtest: the files above are not formatted: run regula fmt -w policies/"; exit 1; }
	@tests/scale.sh $(B)/regula

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
EMBED_LIBS := -lsodium -lffi -lm -lpthread

$(B)/embed-tests/api_test: tests/embed/api_test.c tests/embed/hostlib.c $(B)/libregula.a include/regula.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(WARN) -o $@ tests/embed/api_test.c tests/embed/hostlib.c $(B)/libregula.a $(EMBED_LIBS)

$(B)/embed-tests/tamper_test: tests/embed/tamper_test.c $(B)/libregula.a include/regula.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(WARN) -o $@ tests/embed/tamper_test.c $(B)/libregula.a $(EMBED_LIBS) -ljansson

$(B)/embed-tests/stress: tests/embed/stress.c $(B)/libregula.a include/regula.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(WARN) -o $@ tests/embed/stress.c $(B)/libregula.a $(EMBED_LIBS)

embed-build: $(B)/regula $(B)/libregula.a $(B)/libregula.so
	@$(MAKE) --no-print-directory B=$(B)/san/asan CFLAGS="$(ASAN_FLAGS)" $(B)/san/asan/embed-tests/api_test \
	    $(B)/san/asan/embed-tests/tamper_test >/dev/null
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

# ---- the soak (not part of `make test`): SOAK_N generated claims (10 million)
# through `regula run` and the settlement service, memory and progress sampled
# (tests/soak.py; figures in docs/performance.md, "Soak"). Needs about 600 bytes
# of disk a claim in $(B)/soak. ----
SOAK_N ?= 10000000
soak: $(B)/regula $(B)/libregula.a $(B)/libregula.so $(B)/regula.pc
	@rm -rf $(abspath $(B))/soak && mkdir -p $(abspath $(B))/soak
	@$(MAKE) --no-print-directory B=$(B) install PREFIX=$(abspath $(B))/soak/prefix >/dev/null
	@$(MAKE) --no-print-directory -C examples/settlement-service O=$(abspath $(B))/soak CFLAGS="-O2 -g" \
	    PKG_CONFIG_PATH=$(abspath $(B))/soak/prefix/lib/pkgconfig LDFLAGS=-Wl,-rpath,$(abspath $(B))/soak/prefix/lib >/dev/null
	@$(B)/regula compile policies -o $(abspath $(B))/soak/seed.rgc
	@python3 tests/soak.py $(B)/regula $(abspath $(B))/soak/settle $(abspath $(B))/soak/seed.rgc $(abspath $(B))/soak/work \
	    --claims $(SOAK_N)

.PHONY: soak

test: deps
	@$(MAKE) --no-print-directory all unit-build
	@tests/run_all.sh $(B)

demo: deps
	@$(MAKE) --no-print-directory all
	@$(B)/regula run --pack policies/ examples/claims.jsonl | tee $(B)/demo.out
	@python3 tests/conformance/summary.py $(B)/demo.out

.PHONY: unit-build unit asan golden conformance packtest nativetest doctest i18ntest

# ---- fuzzing (clang + libFuzzer): `make fuzz` FUZZ_SECONDS a target from the
# saved corpus (tests/fuzz/corpus, which it grows); `make fuzz-ci` (in make test)
# FUZZ_RUNS inputs a target with a fixed seed, from a copy of the corpus.
# Objects are built once (build/fuzz/obj) for the three targets. ----
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined
FUZZ_CFLAGS := -g -O1 -D_GNU_SOURCE $(patsubst -I$(B)/gen,,$(INC_ALL)) -Ibuild/fuzz/gen
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 3000
FUZZ_GEN := build/fuzz/gen/parser.c build/fuzz/gen/lexer.c
fuzz_obj = $(patsubst %.c,build/fuzz/obj/%.o,$(1))
FUZZ_FRONT := $(call fuzz_obj,$(FUZZ_GEN) $(LANG_SRC) $(BYTECODE_SRC) $(COMPILER_SRC))
FUZZ_VM := $(call fuzz_obj,$(VM_SRC) $(STDLIB_SRC) $(NATIVE_SRC) $(API_SRC) $(B)/gen/native_text.c)
FUZZ_CLAIM := $(call fuzz_obj,stdlib/claim_json.c stdlib/json_scan.c stdlib/result_json.c vm/value_text.c)

$(FUZZ_GEN) &: lang/parser.y lang/lexer.l
	@mkdir -p build/fuzz/gen
	bison -d -o build/fuzz/gen/parser.c lang/parser.y
	flex --header-file=build/fuzz/gen/lexer.h -o build/fuzz/gen/lexer.c lang/lexer.l

build/fuzz/obj/%.o: %.c $(FUZZ_GEN)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find build/fuzz/obj -name '*.d' 2>/dev/null)

build/fuzz/fuzz_parser build/fuzz/fuzz_loader: build/fuzz/%: tests/fuzz/%.c $(FUZZ_FRONT) $(FUZZ_VM)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_FRONT) $(FUZZ_VM) -lsodium -lffi -lm -lpthread

# the claim reader alone: the VM calls are tests/unit/stub_vm.h's stand-ins; the
# front end compiles the seed pack whose claim schema the stand-in program takes
build/fuzz/fuzz_claim: tests/fuzz/fuzz_claim.c tests/unit/stub_vm.h $(FUZZ_FRONT) $(FUZZ_CLAIM)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_CFLAGS) -Itests/unit -o $@ tests/fuzz/fuzz_claim.c $(FUZZ_FRONT) \
	    $(FUZZ_CLAIM) -ljansson -lsodium -lm

FUZZ_TARGETS := build/fuzz/fuzz_parser build/fuzz/fuzz_loader build/fuzz/fuzz_claim

fuzz: $(FUZZ_TARGETS)
	build/fuzz/fuzz_parser -max_total_time=$(FUZZ_SECONDS) -max_len=131072 tests/fuzz/corpus/parser
	build/fuzz/fuzz_loader -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/loader
	build/fuzz/fuzz_claim -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/claim.dict tests/fuzz/corpus/claim

fuzz-ci:
	@$(MAKE) --no-print-directory -j2 $(FUZZ_TARGETS) >build/fuzz-build.log 2>&1 || \
	    { tail -30 build/fuzz-build.log; echo "fuzz: 0 passed, 1 failed"; exit 1; }
	@tests/fuzz/run.sh $(FUZZ_RUNS)

.PHONY: fuzz fuzz-ci

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
