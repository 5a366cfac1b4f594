# rawpi: `make serve` to run, `make test` to test. Installs and builds as needed.
SHELL := /bin/bash
NODE_MODULES := node_modules/.rawpi-installed
SOURCES := $(shell find server app workers db bench -name '*.ts' 2>/dev/null)
BUILD := dist/.rawpi-built

.PHONY: serve test typecheck build install migrate bench clean

serve: $(BUILD)
	node dist/app/main.js $(ARGS)

# TAP_ARGS: extra tap flags, e.g. TAP_ARGS=--reporter=dot (CI) or a test file to run alone.
test: $(BUILD)
	npx tsc -p tsconfig.tests.json
	@rm -rf .tap/test-results
	@npx tap $(TAP_ARGS); status=$$?; node tests/tools/summary.mjs; exit $$status

build: $(BUILD)

install: $(NODE_MODULES)

typecheck: $(NODE_MODULES)
	npx tsc -p tsconfig.tests.json

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@node -e "require('better-sqlite3')" || { echo "better-sqlite3 did not build: is 'allowScripts' in package.json?"; exit 1; }
	@touch $@

$(BUILD): $(NODE_MODULES) $(SOURCES) tsconfig.json
	npx tsc -p tsconfig.json
	@touch $@

migrate: $(BUILD)
	node dist/db/migrate-cli.js $(ARGS)

bench: $(BUILD)
	node dist/bench/run.js $(ARGS)

clean:
	rm -rf dist .tap
