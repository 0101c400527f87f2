# gitlab-mock: a GitLab-compatible mock server for integration tests.
# Needs only Go; modules come from the Go module proxy via go.mod/go.sum.

GO       ?= go
ARGS     ?=
FUZZTIME ?= 30s
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN      ?= bin/gitlab-mock

# Every Go module in the repository (the root and internal/tools/image).
MODULES = $(shell find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)

.PHONY: all run test bench loadtest soak fixtures fuzz lint build clean
.PHONY: image docker

all: lint test build

## run: start the mock on http://127.0.0.1:8080 (extra flags: make run ARGS="-addr :9090")
run:
	$(GO) run ./cmd/gitlab-mock $(ARGS)

## test: race-enabled tests of every module
test:
	@set -e; for m in $(MODULES); do \
		echo "==> go test -race ./... in $$m"; \
		(cd $$m && $(GO) test -race ./...); \
	done

## bench: benchmarks of every package (the budgets in design.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## loadtest: the budgets of design.md measured in one run (mock vs bare net/http, 100k users, binary)
loadtest:
	$(GO) run ./bench/loadtest $(ARGS)

## soak: 60 s of mixed concurrent load; asserts no 500s, no goroutine leak, stable memory
SOAKTIME ?= 60s
soak:
	$(GO) test -race -run '^TestSoak$$' -v -timeout 10m ./mock/ -args -soak=$(SOAKTIME)

## fixtures: write N generated users (with keys, emails, tokens) to fixtures-N.yaml
USERS ?= 100000
fixtures:
	$(GO) run ./bench/genfixtures -users $(USERS) -o fixtures-$(USERS).yaml

## fuzz: run each fuzz target for FUZZTIME (default 30s)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		list="$$($(GO) test -list 'Fuzz.*' $$pkg)"; \
		for target in $$(echo "$$list" | grep '^Fuzz' || true); do \
			echo "==> $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## lint: gofmt and go vet
lint:
	@files="$$(gofmt -l .)"; \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$files"; exit 1; \
	fi
	$(GO) vet ./...

## build: static binary in bin/gitlab-mock
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/gitlab-mock

## image: the container image without a Docker engine (bin/gitlab-mock-image.tar for
## `docker load`, bin/image-oci as an OCI layout), from a linux build of bin/gitlab-mock
IMAGE_TAR ?= bin/gitlab-mock-image.tar
IMAGE_OCI ?= bin/image-oci
image:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/gitlab-mock
	cd internal/tools/image && $(GO) run . -binary "$(CURDIR)/$(BIN)" -version "$(VERSION)" \
		-oci "$(CURDIR)/$(IMAGE_OCI)" -tar "$(CURDIR)/$(IMAGE_TAR)"

## docker: the same image with a Docker engine, from the Dockerfile
docker:
	docker build --build-arg VERSION=$(VERSION) -t gitlab-mock:$(VERSION) -t gitlab-mock:latest .

## clean: remove build output
clean:
	rm -rf bin
