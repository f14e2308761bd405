# Museo Commerce — every target installs what it needs and skips what is already there.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help lock install infra-install infra-up infra-down infra-status run test test-unit \
        test-integration test-e2e test-security bench bench-intent bench-recs docs lint typecheck clean

help: ## List every target
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

UV_VERSION := 0.13.9

# Installs exactly what uv.lock pins (--frozen: the lock is never re-resolved on install).
# `make lock` re-resolves after a change to pyproject.toml.
$(STAMP): pyproject.toml uv.lock
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is required ($(PY) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/uv --version 2>/dev/null | grep -q '$(UV_VERSION)' || $(BIN)/pip install -q 'uv==$(UV_VERSION)'
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync -q --frozen --extra dev --python $(BIN)/python
	@touch $(STAMP)

lock: ## Re-resolve uv.lock after changing dependencies in pyproject.toml
	@test -x $(BIN)/uv || { $(PY) -m venv $(VENV) && $(BIN)/pip install -q 'uv==$(UV_VERSION)'; }
	$(BIN)/uv lock

install: $(STAMP) infra-install ## Python venv + deps, Kafka jars (Maven), redis-server and chromium (apt)

infra-install: $(STAMP) ## Fetch Kafka jars through Maven; install Debian's redis-server and chromium
	@$(BIN)/python -m deploy.local.infra install

infra-up: install ## Start Kafka and Redis in the background (reused if already up)
	@$(BIN)/python -m deploy.local.infra up

infra-down: ## Stop the background Kafka and Redis
	@$(BIN)/python -m deploy.local.infra down

infra-status: ## Show whether Kafka and Redis answer
	@$(BIN)/python -m deploy.local.infra status

run: install ## Start the whole system (Kafka, Redis, services, demo catalog); Ctrl-C stops it
	@$(BIN)/python -m deploy.local.launcher

test: install ## Run unit, integration, security and e2e tests (starts Kafka/Redis if needed)
	$(BIN)/pytest -q -ra tests/unit tests/integration tests/security tests/e2e

test-unit: $(STAMP) ## Unit tests only (no broker)
	$(BIN)/pytest -q tests/unit

test-integration: install ## Integration tests (real Kafka + Redis)
	$(BIN)/pytest -q tests/integration

test-e2e: install ## End-to-end tests through the gateway
	$(BIN)/pytest -q tests/e2e

test-security: install ## Attacks, rate limits and schemathesis through the running gateway
	$(BIN)/pytest -q -ra tests/security

bench: install ## Print latency/throughput figures (platform, search, import, ingest, recs, notifications)
	@$(BIN)/python -m deploy.local.infra up
	@for b in tests/bench/bench_platform.py tests/bench/bench_search.py tests/bench/bench_import.py \
	          tests/bench/bench_import_http.py tests/bench/bench_basket.py tests/bench/bench_ingest.py \
	          tests/bench/bench_gateway_more.py tests/bench/bench_notifications.py; do \
	  if [ -f $$b ]; then echo "== $$b"; $(BIN)/python $$b || exit 1; fi; done

bench-intent: install ## Intent accuracy (held-out, unseen phrasings), confusion matrices, admin guard, latency
	@$(BIN)/python tests/bench/bench_intent.py --with-system

bench-recs: $(STAMP) ## Recommender as served (REST/MCP/chat, buy_again) vs baselines on real data, with CIs
	@$(BIN)/python tests/bench/bench_recs.py

docs: $(STAMP) ## Write the AsyncAPI document of every topic to docs/asyncapi.json
	@$(BIN)/python -m deploy.asyncapi docs/asyncapi.json

lint: $(STAMP) ## ruff + mypy
	$(BIN)/ruff check libs services clients deploy tests
	$(BIN)/mypy libs services clients deploy

clean: ## Remove the venv, caches and local data (Kafka/Redis data under .local/data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .local/data
