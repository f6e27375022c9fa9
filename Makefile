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

docs:
	rm -rf docs/reference
	go run . docs --dir docs/reference --format markdown

demo:
	go run . sandbox demo

release-check:
	go run $(GORELEASER) check

bench:
	bash bench/startup.sh 20
