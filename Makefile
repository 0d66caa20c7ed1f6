# secretctl — make targets. `make test` is the test command CI runs.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/secretctl

.PHONY: build test test-aws lint vet fmt docs docs-check golden bench snapshot release-check clean demo scan-self

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/secretctl

# The whole test suite, race detector on. Integration tests use the
# PostgreSQL and MariaDB on 127.0.0.1 and kumo in-process; under CI=true a
# test that cannot reach a service fails instead of skipping.
test:
	$(GO) test -race -count=1 -timeout 40m ./...

# Against real AWS (needs credentials and a region; creates and deletes
# secrets named secretctl-test-*).
test-aws:
	SECRETCTL_TEST_AWS=1 $(GO) test -count=1 -run AWS ./internal/store/awssm/...

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

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
