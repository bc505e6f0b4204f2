# Granary developer entry points. Every target bootstraps first (pinned tools, the local
# Kubernetes binaries, private PostgreSQL; a few seconds when already done, minutes the first
# time on a machine); see deploy/local/README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

BOOTSTRAP := deploy/local/bootstrap
# Puts .granary/tools/bin first on PATH and exports GRANARY_POSTGRES; it must share a recipe
# line with the command that needs it, since every line runs in its own shell.
ENV := eval "$$($(BOOTSTRAP) env)"
RESULTS := .granary/test-results
BENCH ?= eventstore

.PHONY: run test bench stop

run:
	$(BOOTSTRAP)
	$(ENV) && dotnet run -c Release --project silo/Host -- run

# LogFilePrefix (not LogFileName) gives each test project its own .trx instead of the last
# project overwriting the others; .ci/run sums them. dotnet test exits non-zero on failures.
test:
	$(BOOTSTRAP)
	rm -rf $(RESULTS)
	$(ENV) && dotnet test Orleans.sln -c Release \
		--logger "console;verbosity=normal" \
		--logger "trx;LogFilePrefix=results" \
		--results-directory $(RESULTS)

bench:
	$(BOOTSTRAP)
	$(ENV) && dotnet run -c Release --project tests/Benchmarks -- $(BENCH)

stop:
	$(BOOTSTRAP) stop-postgres
