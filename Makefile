# ACD build and test targets. `make test` is what CI runs.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 30s

.PHONY: all build test lint bench fuzz run clean

all: build

build:
	$(GO) build -o bin/acd ./cmd/acd

# The whole suite with the race detector, on SQLite and on a throwaway
# PostgreSQL cluster (skipped with a message when PostgreSQL is missing).
test: lint
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# Benchmarks: audit-log appends/s (grouped commits, SQLite synchronous=FULL),
# checkpointing, verifying a log of 1M entries; report submissions over HTTP
# on SQLite and PostgreSQL with a SIGKILL mid-run; the selection engine against
# tshark, nfpcapd and cat on the same capture; TAXII pages of 1,000 objects
# from a collection of 1M and ingest of 10k objects.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	bench/audit.sh
	bench/reports.sh
	bench/selection.sh
	$(GO) run ./bench/taxii

# Every fuzz target for FUZZTIME each; new interesting inputs land in the
# packages' testdata/fuzz directories.
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

run:
	$(GO) run ./cmd/acd serve --demo

clean:
	rm -rf bin acd-data
