# mkbulk — see README.md. `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     ?= bin/mkbulk
# The version stamped into the binary: the commit (and -dirty) when built
# from a checkout, so state lock records and plan files say which build
# wrote them.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
export PATH := $(PATH):/usr/local/go/bin

.PHONY: build test lint vet fmt-check demo bench fuzz clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/mkbulk

# gofmt check, go vet, then every test with the race detector (includes the
# testscript end-to-end scripts under cmd/mkbulk/testdata/script/).
test: fmt-check vet
	$(GO) test -race -count=1 -timeout=14m ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint: fmt-check vet

# The whole flow against a local sandbox: build, serve, apply examples/, show
# the files, plan again ("No changes."), stop.
demo: build
	bash scripts/demo.sh $(BIN)

# Benchmarks of DESIGN.md §10, each printed as a ratio against a baseline run
# in the same script.
bench: build
	bash scripts/bench.sh $(BIN)

# Short fuzz runs: the manifest loader, the formatter and the CSV pre-flight
# never panic (go test runs one fuzz target per invocation).
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) ./manifest/
	$(GO) test -run='^$$' -fuzz='^FuzzFormat$$' -fuzztime=$(FUZZTIME) ./manifest/
	$(GO) test -run='^$$' -fuzz='^FuzzScanSource$$' -fuzztime=$(FUZZTIME) ./planner/

clean:
	rm -rf bin
