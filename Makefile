# secretctl — make targets. `make test` is the test command CI runs.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/secretctl
TOOLBIN   := $(shell $(GO) env GOPATH)/bin

# Lint tools, pinned: staticcheck 2026.2.2 (supports go1.26) and goimports.
STATICCHECK_VERSION := v0.8.2
GOIMPORTS_VERSION   := v0.52.0
LOCAL_IMPORTS       := github.com/secretctl/secretctl

.PHONY: build test fuzz test-aws lint lint-tools vet fmt docs docs-check golden bench snapshot release-check clean demo scan-self

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/secretctl

# The whole test suite, race detector on. Integration tests use the
# PostgreSQL and MariaDB on 127.0.0.1 and kumo in-process; under CI=true a
# test that cannot reach a service fails instead of skipping.
test:
	$(GO) test -race -count=1 -timeout 40m ./...

# Every fuzz target for FUZZTIME each (60s), one after another; a crasher
# is written to the package's testdata/fuzz. Plain `go test` runs the seeds.
fuzz:
	FUZZTIME=$${FUZZTIME:-60s} GO=$(GO) ./scripts/fuzz.sh

# Against real AWS (needs credentials and a region; creates and deletes
# secrets named secretctl-test-*).
test-aws:
	SECRETCTL_TEST_AWS=1 $(GO) test -count=1 -run AWS ./internal/store/awssm/...

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# gofmt, go vet, import grouping (standard library, then third-party, then
# github.com/secretctl/...; testdata holds scan fixtures and is left as it
# is) and staticcheck. CI runs this target.
lint: vet lint-tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@out=$$($(TOOLBIN)/goimports -local $(LOCAL_IMPORTS) -l $$(git ls-files '*.go' ':!:testdata/*' ':!:*/testdata/*')); if [ -n "$$out" ]; then echo "imports need grouping (goimports -local $(LOCAL_IMPORTS) -w FILE):"; echo "$$out"; exit 1; fi
	$(TOOLBIN)/staticcheck ./...

# Installs the pinned lint tools into $(TOOLBIN) (quick once built).
lint-tools:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GO) install golang.org/x/tools/cmd/goimports@$(GOIMPORTS_VERSION)

docs:
	$(GO) run ./internal/tools/gendocs docs/cli

docs-check: docs
	@git diff --exit-code --stat -- docs/cli || (echo "docs/cli is out of date: run make docs"; exit 1)
	@test -z "$$(git status --porcelain -- docs/cli)" || (echo "docs/cli has new files: run make docs and commit"; exit 1)

golden:
	$(GO) test ./... -update

# The main job on the embedded backend, in a throwaway store.
demo: build
	./scripts/demo.sh ./$(BIN)

scan-self: build
	./$(BIN) scan . --no-color

bench: build
	./bench/run.sh

snapshot:
	goreleaser release --snapshot --clean

release-check:
	goreleaser check

clean:
	rm -rf bin dist
