# Công dân số Cao Bằng — build, run, test, lint, bench.
GO       ?= go
BIN      := bin/congdanso
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

.PHONY: run test build setup lint bench bench-product bench-province fuzz soak clean browser-setup print-setup test-console bench-queues

## run: build and start `congdanso serve --demo` on the embedded Temporal server
run: setup build
	CONGDANSO_METRICS_ADDR=$${CONGDANSO_METRICS_ADDR:-127.0.0.1:9090} ./$(BIN) serve --demo

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/congdanso

setup:
	@bash scripts/setup.sh

## test: the whole suite against real PostgreSQL and in-process Temporal
test: setup browser-setup print-setup build
	@rm -f bin/figures.txt
	@CONGDANSO_BIN=$(abspath $(BIN)) CONGDANSO_FIGURES=$(abspath bin/figures.txt) $(GO) test -count=1 -timeout 80m ./...; \
	  s=$$?; echo "--- figures (crash, PostgreSQL restart, scale-out) ---"; cat bin/figures.txt 2>/dev/null; exit $$s

## scaleout: the multi-process test alone (temporal on PostgreSQL, 2 APIs, 2 workers,
## SIGKILLs mid-load; prints its figures). SCALEOUT_CASES/WORKERS/KILL/CONCURRENCY/SHARDS tune it.
.PHONY: scaleout
scaleout: setup build
	CONGDANSO_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 30m -v -run '^TestScaleOut' ./integration/

lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(WORKFLOWCHECK) ./workflows/...

## bench: go test benchmarks of the hot pure code
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./worktime/ ./policy/ ./reports/ ./api/...

## bench-product: `congdanso bench` — the product over HTTP against raw Temporal
## and pgx baselines (BENCH_ENGINE=sqlite|postgres|external, see BENCHMARKS.md)
BENCH_ENGINE ?= sqlite
BENCH_ARGS   ?= --n 200 --c 10 --rate 50
bench-product: setup build
	@mkdir -p bench/results
	./$(BIN) bench --engine $(BENCH_ENGINE) $(BENCH_ARGS) --out bench/results/$(BENCH_ENGINE).json 2>$(BIN)-bench-$(BENCH_ENGINE).log

## bench-province: issue 22 part B — open cases at province scale (restart,
## inbox, timers; BENCH_OPEN steps) and the province reports (BENCHMARKS.md, round 2)
BENCH_OPEN ?= 10000,25000,50000
bench-province: setup build
	@mkdir -p bench/results
	./$(BIN) bench --scenario resident --engine $(BENCH_ENGINE) --open $(BENCH_OPEN) --c 16 --out bench/results/resident-$(BENCH_ENGINE).json 2>$(BIN)-bench-resident.log
	./$(BIN) bench --scenario reports --out bench/results/reports.json 2>$(BIN)-bench-reports.log

## fuzz: run every fuzz target for FUZZTIME each (default 20s)
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## soak: SOAK (default 10m) of mixed traffic at 20 req/s against a child server;
## reports whether RSS and goroutines stay flat (±10%) and any error (not in CI)
SOAK ?= 10m
soak: build
	CONGDANSO_BIN=$(abspath $(BIN)) CONGDANSO_SOAK=$(SOAK) $(GO) test -count=1 -v -timeout 0 -run '^TestSoak$$' ./integration/

clean:
	rm -rf bin data

## print-setup: install LibreOffice Calc (headless) and poppler for the Phụ lục I print test (when missing)
print-setup:
	@bash scripts/print-setup.sh

## browser-setup: install Debian's chromium for the console's browser test (when missing)
browser-setup:
	@bash scripts/browser-setup.sh

## test-console: work queues, console and the real-browser e2e test (screenshots in integration/artifacts/console/)
test-console: browser-setup
	$(GO) test -count=1 -timeout 20m -run 'TestTask|TestConsole' ./integration/
	$(GO) test -count=1 -timeout 10m -run 'TestTaskQueuePlansUseIndex' ./postgres/

## bench-queues: the work-queue query at 1M tasks
bench-queues:
	$(GO) test -run '^$$' -bench BenchmarkTaskQueue1M -benchmem ./postgres/
