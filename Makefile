# Carrier-marketing platform: `make run` starts everything on embedded defaults with a demo
# book; `make test` runs the whole suite.  Both create the virtual environment themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SERVICES := accounts marketing documents compliance

.DEFAULT_GOAL := help
.PHONY: help install run stop status test test-fast bench token migrate jsonschema openapi clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the platform with its test tools

run: install ## start every service, worker and the carrier simulator; seed a demo book
	$(BIN)/python -m ops.run start

stop: install ## stop what `make run` started
	$(BIN)/python -m ops.run stop

status: install ## is the platform running?
	$(BIN)/python -m ops.run status

migrate: install ## apply every service's database migrations
	@for s in $(SERVICES); do $(BIN)/python -m services.$$s migrate || exit 1; done

token: install ## print a development bearer token (admin, every program)
	@$(BIN)/python -m services.accounts token --user am.garcia --roles account_manager,producer,admin --programs '*'

test: install ## run the whole suite (RabbitMQ and PostgreSQL tests included)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install ## the suite without the end-to-end tests
	$(BIN)/python -m pytest -m 'not e2e' $(PYTEST_ARGS)

bench: install ## benchmarks against same-run baselines (needs RabbitMQ and PostgreSQL)
	$(BIN)/python -m bench

bench-accounts: install ## accounts at 10k and 100k clients: p50/p95 of the everyday reads (CLIENTS=N to scale)
	$(BIN)/python -m bench.accounts_scale $(if $(CLIENTS),--clients $(CLIENTS))

jsonschema: install ## regenerate the carrier contract's JSON Schema files
	$(BIN)/python -m shared.contracts.jsonschema

clean: ## remove var/ (databases, broker files, documents, logs)
	rm -rf var
