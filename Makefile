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

## test: the whole test suite, the real-engine scenarios (test/realhost) included
# -p 4: the long stack-level package starts without queuing behind the unit
# tests, which mostly wait on jsii's pipes (bench/README.md: -8% on 2 cores).
# -timeout: the real-engine package (test/realhost) runs for several minutes.
# A cold machine spends minutes compiling aws-cdk-go before any test runs:
# go build -v names each package as it compiles it, so the wait says what it
# is. Libraries only (no linking); on a warm build cache it prints nothing.
test: deps $(CFNDIFF_STAMP) compose-plugin
	@echo "==> compiling the packages the tests use (a cold build cache compiles aws-cdk-go: several minutes)"
	go build -v $$(go list -deps -test -f '{{if and .GoFiles (ne .Name "main") (not .ForTest) (not .Standard)}}{{.ImportPath}}{{end}}' ./...)
	@echo "==> go vet ./..."
	go vet ./...
	@echo "==> go test -p 4 ./... (a line per package as it finishes; ./test synthesizes every stack variant, ./test/realhost deploys on a real engine)"
	go test -p 4 -timeout 30m ./...

.PHONY: compose-plugin figures
## compose-plugin: build the pinned Docker Compose v2 plugin into the cache, once per version (5-9 minutes)
# Not needed where docker has no engine to drive, or already has Compose v2.
compose-plugin:
	@if ! command -v docker >/dev/null; then
		echo "compose-plugin: no docker CLI here, the real-engine tests will skip: not building the plugin"
	elif [ ! -x "$$(tools/compose/plugin.sh path)" ] && docker compose up --help 2>/dev/null | grep -q -- --wait; then
		echo "compose-plugin: using the system's Docker Compose $$(docker compose version --short)"
	else
		tools/compose/plugin.sh build
	fi

## figures: run the real-engine scenarios and copy their figures table into README.md
figures: compose-plugin
	go test -count=1 -timeout 30m ./test/realhost -args -figures-readme=$(CURDIR)/README.md

.PHONY: shipline-session
## shipline-session: run the README's session of the shipline command against moto and copy it into README.md
shipline-session:
	go test -count=1 -run TestReadmeSession ./cmd/shipline -args -session-readme=$(CURDIR)/README.md

.PHONY: diagram diagram-check diff-fixtures

## diagram: redraw README.md's pipeline diagrams: the default stack from a fresh synth, the two-environment example as the stack tests synthesize it
diagram: deps
	cdk synth --quiet
	go run ./tools/diagram -template cdk.out/PipelineStack.template.json -readme README.md
	go test -count=1 ./test -run '^TestReadmeEnvironmentsDiagram$$' -update

## diagram-check: fail when one of README.md's pipeline diagrams is stale
diagram-check: deps
	cdk synth --quiet
	go run ./tools/diagram -template cdk.out/PipelineStack.template.json -readme README.md -check
	go test -count=1 ./test -run '^TestReadmeEnvironmentsDiagram$$'

## diff-fixtures: re-record the template pairs tools/diffcomment is tested on, refresh its goldens
diff-fixtures: deps $(CFNDIFF_STAMP)
	bash tools/diffcomment/testdata/record.sh
	go test -count=1 ./tools/diffcomment/diffreport -update

.PHONY: docs
## docs: regenerate the README's config reference, pipeline diagram and Go snippets
docs: deps
	go run ./tools/snippets README.md docs/*.md
	go run ./tools/configref -readme README.md
	go run ./tools/diagram -template test/testdata/PipelineStack.golden.json -readme README.md
	go test -count=1 ./test -run '^TestReadmeEnvironmentsDiagram$$' -update

BENCH_PEER_STAMP := bench/peer/node_modules/.package-lock.json

.PHONY: bench
## bench: synth and test-suite speed against a plain aws-cdk-lib peer (bench/README.md); BENCH_FLAGS=-quick for a short run
bench: deps $(BENCH_PEER_STAMP)
	go run ./bench/cmd/bench $(BENCH_FLAGS)

$(BENCH_PEER_STAMP): bench/peer/package.json bench/peer/package-lock.json
	cd bench/peer && npm ci --no-audit --no-fund
