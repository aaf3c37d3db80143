# shipline — the two set-up commands are `make synth` and `make test`.
SHELL := bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c

NPM_STAMP := node_modules/.package-lock.json

.PHONY: synth test deps
deps: $(NPM_STAMP)
	go mod download

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

## synth: synthesize the default stack into cdk.out/ (offline, no AWS account)
synth: deps
	npx --no-install cdk synth --quiet

## test: the whole test suite
test: deps
	go vet ./...
	go test ./...
