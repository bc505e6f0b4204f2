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
# Flags for the demo launcher, e.g. make run DEMO_ARGS='--kubeconfig ~/.kube/config'.
DEMO_ARGS ?=

.PHONY: run test bench stop

# The quick start: the demo fleet of examples/ on local staging and production control planes (started for it and
# stopped with it), or on the cluster of GRANARY_KUBECONFIG; GRANARY_DEMO_EXIT_WHEN_READY=1 runs it headless.
# See deploy/local/README.md ("demo").
run:
	$(BOOTSTRAP)
	dotnet build -c Release --nologo -v quiet silo/Host && dotnet build -c Release --nologo -v quiet deploy/local/demo
	$(ENV) && dotnet deploy/local/demo/bin/Release/net10.0/granary-demo.dll $(DEMO_ARGS) -- dotnet silo/Host/bin/Release/net10.0/granary.dll run

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
