# rawpi: `make serve` to run, `make test` to test, `make e2e` for the browser test. Installs and builds as needed.
SHELL := /bin/bash
NODE_MODULES := node_modules/.rawpi-installed
SOURCES := $(shell find server app workers db bench -name '*.ts' 2>/dev/null)
BUILD := dist/.rawpi-built

.PHONY: serve test e2e typecheck build install migrate bench reliability clean

serve: $(BUILD)
	node dist/app/main.js $(ARGS)

# TAP_ARGS: extra tap flags, e.g. a test file to run alone: make test TAP_ARGS=tests/http/request-parser.test.ts
test: $(BUILD)
	npx tsc -p tsconfig.tests.json
	@rm -rf .tap/test-results
	@npx tap $(TAP_ARGS); status=$$?; node tests/tools/summary.mjs; exit $$status

# The browser test: the real server and Debian's Chromium, driven by playwright-core (which never downloads a browser).
e2e: $(BUILD)
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	npx tap tests/e2e/browser.e2e.ts
	@echo "screenshot of the jobs table: $(CURDIR)/tests/e2e/output/table.png"

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

# rawpi vs node:http, memory, and the pi engine vs CLN's pi: about 16 minutes on a quiet machine (3 rounds of about 4, then memory and pi); results in bench/results/.
# Options: make bench ARGS="--duration 5 --rounds 2 --routes hello,healthz --smoke" (node dist/bench/run.js --help).
bench: $(BUILD)
	@bash bench/ensure-tools.sh
	node dist/bench/run.js $(ARGS)

# Hostile input and faults, the long versions (bench/reliability/): fuzz 10^6 inputs, slowloris with 1,000
# connections, kill -9 of a worker and of the master, SIGTERM under load, database locked / disk full / file
# removed. About 5 minutes; exit status 1 if any check fails. Parts and options:
# make reliability ARGS="slowloris sigterm" or ARGS="fuzz --inputs 1000000 --live 1000000 --seed 7".
reliability: $(BUILD)
	node dist/bench/reliability/run.js $(ARGS)

clean:
	rm -rf dist .tap
