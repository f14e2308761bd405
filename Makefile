# Museo Commerce — every target installs what it needs and skips what is already there.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help lock install intent-model infra-install infra-up infra-down infra-status run test test-unit \
        test-integration test-e2e test-security test-rules test-env promtool kustomize jaeger chaos bench bench-intent \
        bench-recs docs lint typecheck clean

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

# KAFKA_BROKERS=3 (or MUSEO_KAFKA_BROKERS=3): three KRaft nodes with SASL/SCRAM and ACLs,
# replication 3, min ISR 2 (deploy/local/kafka_cluster.py); unset: the one PLAINTEXT node.
BROKERS_ENV := $(if $(KAFKA_BROKERS),MUSEO_KAFKA_BROKERS=$(KAFKA_BROKERS))

infra-up: install ## Start Kafka and Redis in the background (reused if already up). KAFKA_BROKERS=3: three secured brokers
	@$(BROKERS_ENV) $(BIN)/python -m deploy.local.infra up

infra-down: ## Stop the background Kafka and Redis (KAFKA_BROKERS=3: the three brokers)
	@$(BROKERS_ENV) $(BIN)/python -m deploy.local.infra down

infra-status: ## Show whether Kafka and Redis answer
	@$(BROKERS_ENV) $(BIN)/python -m deploy.local.infra status

# The intent model is trained once per corpus version and cached: done here, before any server
# starts, so a fresh clone's first intent server does not spend its start-up timeout training.
intent-model: $(STAMP)
	@$(BIN)/python -m services.mcp_workers.intent.model

run: install intent-model ## Start the whole system (Kafka, Redis, services, demo catalog); Ctrl-C stops it. TRACING=1 adds Jaeger, KAFKA_BROKERS=3 three secured brokers
	@MUSEO_TRACING=$(TRACING) $(BROKERS_ENV) $(BIN)/python -m deploy.local.launcher

jaeger: $(STAMP) ## Build Jaeger v2 from the Go module proxy into the cache folder (once; long)
	@$(BIN)/python -m deploy.local.tools jaeger >/dev/null

# `make test` runs on its own Kafka, Redis and data folder (.local/test-data, removed
# afterwards; ports 20000 away from the developer's: 29092/29093/26379 by default, or
# MUSEO_TEST_KAFKA_PORT/MUSEO_TEST_KAFKA_CONTROLLER_PORT/MUSEO_TEST_REDIS_PORT), so the
# developer's own broker and Redis (`make run`) never see a test topic or key; the hygiene
# check then proves it. KAFKA_BOOTSTRAP_SERVERS/REDIS_URL, when set, still win (tests/conftest.py).
TEST_DATA := $(CURDIR)/.local/test-data
test_port = $${$(1):-$$(p=$${$(2):-$(3)}; [ $$p -ge 30000 ] && echo $$((p-20000)) || echo $$((p+20000)))}
TEST_ENV := MUSEO_KAFKA_PORT=$(call test_port,MUSEO_TEST_KAFKA_PORT,MUSEO_KAFKA_PORT,9092) \
  MUSEO_KAFKA_CONTROLLER_PORT=$(call test_port,MUSEO_TEST_KAFKA_CONTROLLER_PORT,MUSEO_KAFKA_CONTROLLER_PORT,9093) \
  MUSEO_REDIS_PORT=$(call test_port,MUSEO_TEST_REDIS_PORT,MUSEO_REDIS_PORT,6379) \
  MUSEO_DATA_DIR=$(TEST_DATA) MUSEO_AUTH_STATE_DIR=$(TEST_DATA)/auth MUSEO_SPOOL_DIR=$(TEST_DATA)/spool \
  MUSEO_CACHE_DIR=$${MUSEO_CACHE_DIR:-$(CURDIR)/.local}

test: install test-rules kustomize ## Run alert-rule, unit, integration, security and e2e tests on their own Kafka/Redis
	@env $(TEST_ENV) $(BIN)/python -m services.mcp_workers.intent.model
	@rc=0; env $(TEST_ENV) $(BIN)/pytest -q -ra tests/unit tests/integration tests/security tests/e2e || rc=$$?; \
	  env $(TEST_ENV) $(BIN)/python -m deploy.local.infra down >/dev/null 2>&1; \
	  rm -rf $(TEST_DATA); $(BIN)/python -m deploy.local.hygiene || rc=$$?; exit $$rc

kustomize: $(STAMP) ## Where kubectl is missing, build kustomize (renders deploy/k8s for its tests) once
	@command -v kubectl >/dev/null || $(BIN)/python -m deploy.local.tools kustomize >/dev/null

promtool: $(STAMP) ## Build promtool from the Go module proxy into the cache folder (once)
	@$(BIN)/python -m deploy.local.tools promtool >/dev/null

test-rules: promtool ## Check the Prometheus alert rules and run their promtool unit tests
	@P=$$($(BIN)/python -m deploy.local.tools promtool) && \
	  $$P check rules deploy/monitoring/alerts.yml && \
	  $$P test rules deploy/monitoring/tests/alerts_test.yml

chaos: install ## SIGKILL each service of an isolated system under load; print recovery and loss per kill (KAFKA_BROKERS=3: and a broker)
	@$(BROKERS_ENV) $(BIN)/python -m deploy.chaos $(CHAOS_ARGS)

test-unit: $(STAMP) ## Unit tests only (no broker)
	$(BIN)/pytest -q tests/unit

test-integration: install ## Integration tests (real Kafka + Redis)
	$(BIN)/pytest -q tests/integration

test-e2e: install ## End-to-end tests through the gateway
	$(BIN)/pytest -q tests/e2e

test-security: install ## Attacks, rate limits and schemathesis through the running gateway
	$(BIN)/pytest -q -ra tests/security

bench: install ## Whole-stack table (floor, hop, search, recs, chat, ingest, idle CPU, caches), then the focused benches
	@$(BIN)/python tests/bench/bench_stack.py
	@$(BIN)/python -m deploy.local.infra up
	@for b in tests/bench/bench_platform.py tests/bench/bench_search.py tests/bench/bench_import.py \
	          tests/bench/bench_import_http.py tests/bench/bench_basket.py tests/bench/bench_ingest.py \
	          tests/bench/bench_gateway_more.py tests/bench/bench_notifications.py; do \
	  if [ -f $$b ]; then echo "== $$b"; $(BIN)/python $$b || exit 1; fi; done

bench-intent: install ## Intent accuracy (held-out, unseen phrasings, fresh phrasings), confusion matrices, admin confidence, latency
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

test-env: ## Print the ports and folders `make test` uses
	@env $(TEST_ENV) env | grep -E '^MUSEO_(KAFKA|REDIS|DATA|AUTH|SPOOL|CACHE)' | sort
