# Công dân số Cao Bằng — build, run, test, lint, bench.
GO       ?= go
BIN      := bin/congdanso
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

.PHONY: run test build setup lint bench fuzz soak clean

## run: build and start `congdanso serve --demo` on the embedded Temporal server
run: setup build
	./$(BIN) serve --demo

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/congdanso

setup:
	@bash scripts/setup.sh

## test: the whole suite against real PostgreSQL and in-process Temporal
test: setup build
	@rm -f bin/figures.txt
	@CONGDANSO_BIN=$(abspath $(BIN)) CONGDANSO_FIGURES=$(abspath bin/figures.txt) $(GO) test -count=1 -timeout 80m ./...; \
	  s=$$?; echo "--- figures (crash, PostgreSQL restart) ---"; cat bin/figures.txt 2>/dev/null; exit $$s

lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(WORKFLOWCHECK) ./workflows/...

## bench: go test benchmarks of the hot pure code
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./worktime/ ./policy/ ./reports/ ./api/...

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
