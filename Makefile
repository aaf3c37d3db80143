# shipline — the two set-up commands are `make synth` and `make test`.
SHELL := bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c

NPM_STAMP := node_modules/.package-lock.json
# The pinned Node 22 and CDK CLI from package.json come first: jsii (which
# drives aws-cdk-lib from Go) and the CLI both use the `node` on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

CFNDIFF_STAMP := tools/diffcomment/cfndiff/node_modules/.package-lock.json

.PHONY: synth test deps
deps: $(NPM_STAMP)
	@echo "==> go mod download (on a cold machine: aws-cdk-go alone is an 82 MB download)"
	go mod download

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

# The CDK's template diff engine, which tools/diffcomment and its tests run.
$(CFNDIFF_STAMP): tools/diffcomment/cfndiff/package.json tools/diffcomment/cfndiff/package-lock.json
	cd tools/diffcomment/cfndiff && npm ci --no-audit --no-fund

## synth: synthesize the default stack into cdk.out/ (offline, no AWS account)
synth: deps
	cdk synth --quiet

## test: the whole test suite
# -p 4: the long stack-level package starts without queuing behind the unit
# tests, which mostly wait on jsii's pipes (bench/README.md: -8% on 2 cores).
# A cold machine spends minutes compiling aws-cdk-go before any test runs:
# go build -v names each package as it compiles it, so the wait says what it
# is. Libraries only (no linking); on a warm build cache it prints nothing.
test: deps $(CFNDIFF_STAMP)
	@echo "==> compiling the packages the tests use (a cold build cache compiles aws-cdk-go: several minutes)"
	go build -v $$(go list -deps -test -f '{{if and .GoFiles (ne .Name "main") (not .ForTest) (not .Standard)}}{{.ImportPath}}{{end}}' ./...)
	@echo "==> go vet ./..."
	go vet ./...
	@echo "==> go test -p 4 ./... (a line per package as it finishes; ./test synthesizes every stack variant)"
	go test -p 4 ./...

.PHONY: diagram diagram-check diff-fixtures

## diagram: redraw the pipeline diagram in README.md from a fresh synth
diagram: deps
	cdk synth --quiet
	go run ./tools/diagram -template cdk.out/PipelineStack.template.json -readme README.md

## diagram-check: fail when README.md's pipeline diagram is stale
diagram-check: deps
	cdk synth --quiet
	go run ./tools/diagram -template cdk.out/PipelineStack.template.json -readme README.md -check

## diff-fixtures: re-record the template pairs tools/diffcomment is tested on, refresh its goldens
diff-fixtures: deps $(CFNDIFF_STAMP)
	bash tools/diffcomment/testdata/record.sh
	go test ./tools/diffcomment/... -update

.PHONY: docs
## docs: regenerate the README's config reference, pipeline diagram and Go snippets
docs: deps
	go run ./tools/snippets README.md docs/*.md
	go run ./tools/configref -readme README.md
	go run ./tools/diagram -template test/testdata/PipelineStack.golden.json -readme README.md

BENCH_PEER_STAMP := bench/peer/node_modules/.package-lock.json

.PHONY: bench
## bench: synth and test-suite speed against a plain aws-cdk-lib peer (bench/README.md); BENCH_FLAGS=-quick for a short run
bench: deps $(BENCH_PEER_STAMP)
	go run ./bench/cmd/bench $(BENCH_FLAGS)

$(BENCH_PEER_STAMP): bench/peer/package.json bench/peer/package-lock.json
	cd bench/peer && npm ci --no-audit --no-fund
