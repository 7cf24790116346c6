# pg.mk — the PostgreSQL extension's targets, included by the root Makefile: make pg (build/pg/regula.so), pg-install (into the server's directories, as root), pgtest (its suite, on servers it starts), pgsoak (the same on a million claims), pgbench (its speed).
# Must not install anything into the system for the tests: tests/pg/run.sh installs the extension into a private copy of the server's tree.
PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
PG_MAKE = $(MAKE) --no-print-directory -C $(B)/pg -f $(CURDIR)/pg/Makefile VPATH=$(CURDIR)/pg \
          REGULA_ROOT=$(CURDIR) REGULA_LIB=$(abspath $(B)/libregula.a) PG_CONFIG=$(PG_CONFIG) with_llvm=no

pg: $(B)/libregula.a
	@mkdir -p $(B)/pg
	@$(PG_MAKE) >/dev/null

pg-install: pg
	@$(PG_MAKE) install

pgtest: deps
	@$(MAKE) --no-print-directory all pg
	@PG_CONFIG=$(PG_CONFIG) tests/pg/run.sh $(B)

# rows per second: the batch path and regula.settle in a query beside regula run (docs/performance.md)
PGBENCH_CLAIMS ?= 100000
pgbench: all pg
	@PG_CONFIG=$(PG_CONFIG) tests/pg/bench.sh $(B) $(PGBENCH_CLAIMS)

.PHONY: pg pg-install pgtest pgbench

# the suite on a million generated claims (not part of make test: ≈ 10 × longer)
pgsoak: deps
	@$(MAKE) --no-print-directory all pg
	@PGTEST_CLAIMS=1000000 PG_CONFIG=$(PG_CONFIG) tests/pg/run.sh $(B)

.PHONY: pgsoak
