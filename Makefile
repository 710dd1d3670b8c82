# onewindow: `make run` serves the demo on http://127.0.0.1:8080, `make test` runs every test.
# Only Go is needed; PostgreSQL/Redis tests run when ONEWINDOW_TEST_POSTGRES_DSN /
# ONEWINDOW_TEST_REDIS_ADDR are set (as scripts/ci.sh does) and are skipped otherwise.
GO ?= go
SWAG := $(GO) run github.com/swaggo/swag/cmd/swag@v1.16.6

.PHONY: run build test docs lint bench gobench web

run:
	$(GO) run . serve --demo

build:
	$(GO) build -o onewindow .

test:
	$(GO) test -timeout 30m ./...

# Regenerate the OpenAPI document in docs/ from the handlers' annotations (a test checks it).
docs:
	$(SWAG) init -g main.go -o docs --quiet

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Every scenario of `onewindow bench` with its defaults (package bench); BENCH_FLAGS adds flags,
# e.g. make bench BENCH_FLAGS="--open 1000,10000,100000". gobench runs the Go micro-benchmarks.
bench:
	$(GO) run . bench $(BENCH_FLAGS)

gobench:
	$(GO) test -run='^$$' -bench=. ./...

# Rebuild the workbench (web/) into web/dist, which is committed and embedded in the binary;
# needs Node.js 20+. A test (web/embed_test.go) fails when web/dist is older than web/src.
web:
	cd web && npm ci && npm run build
