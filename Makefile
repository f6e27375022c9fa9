# The same commands the README and CI use.
GORELEASER := github.com/goreleaser/goreleaser/v2@v2.12.7
VERSION    ?= dev
LDFLAGS    := -X github.com/bokuctl/bokuctl/internal/build.Version=$(VERSION) \
              -X github.com/bokuctl/bokuctl/internal/build.Commit=$(shell git rev-parse --short HEAD 2>/dev/null) \
              -X github.com/bokuctl/bokuctl/internal/build.Date=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)

.PHONY: build test lint docs demo release-check bench

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bokuctl .

test:
	go test ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The reference is generated into a temporary folder beside docs/reference
# and swapped in only when generation succeeded: a failed build leaves the
# committed reference as it was. The generator is not part of bokuctl.
docs:
	@set -e; tmp=$$(mktemp -d docs/.reference.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	go run ./tools/gendocs --dir "$$tmp" --format markdown; \
	chmod 755 "$$tmp"; \
	if [ -d docs/reference ]; then rm -rf docs/.reference.old; mv docs/reference docs/.reference.old; fi; \
	mv "$$tmp" docs/reference; rm -rf docs/.reference.old; \
	echo "Wrote docs/reference."

demo:
	go run . sandbox demo

release-check:
	go run $(GORELEASER) check

bench:
	bash bench/startup.sh 20
