# The only commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres test-e2e lint format bench browser clean lock image hooks

# Installs exactly the versions in requirements.lock (hash-checked), then Linkwell itself without
# resolving anything; `pip check` fails if pyproject.toml names a package the lock lacks
# (run `make lock`).
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

## lock: re-resolve requirements.lock (with the dev extra, for `make run`/`make test` and CI)
## from pyproject.toml, requirements-runtime.lock (the container image), the same versions
## without the dev tools, and deploy/mesh-sandbox.lock (the MESH sandbox container); all with
## hashes
lock:
	test -x $(BIN)/uv || { test -d $(VENV) || $(PYTHON) -m venv $(VENV); $(BIN)/pip install --quiet uv; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 --quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal \
	  --python-version 3.11 --quiet -c requirements.lock -o requirements-runtime.lock
	$(BIN)/uv pip compile deploy/mesh-sandbox.in --generate-hashes --universal \
	  --python-version 3.11 --quiet -c requirements.lock -o deploy/mesh-sandbox.lock

## run: install, migrate the embedded SQLite database, load demo data, serve http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/linkwell migrate --no-input
	$(BIN)/linkwell demo
	DEBUG=true $(BIN)/linkwell runserver 127.0.0.1:8000

## test: the whole suite (unit, API, evaluation and browser journeys) on SQLite, with the
## branch coverage gate (pyproject.toml [tool.coverage.report] fail_under)
test: $(STAMP) browser
	$(BIN)/pytest --cov

## test-postgres: the whole suite against PostgreSQL (DATABASE_URL, default the local server)
test-postgres: $(STAMP) browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/pytest

## browser: Debian's chromium for the Playwright journeys (never a browser download)
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; }

## lint: ruff (style and flake8-bandit rules), bandit (medium severity and up), and no model
## change without its migration
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r linkwell -x linkwell/static -ll
	$(BIN)/linkwell makemigrations --check --dry-run

## image: the container image (docs/operations.md), if a docker engine is running
image:
	@if docker info >/dev/null 2>&1; then docker build -t linkwell:latest .; \
	else echo "No docker engine running: the image is not built"; fi

## hooks: check each commit with ruff and the migrations check (.pre-commit-config.yaml)
hooks: $(STAMP)
	$(BIN)/pre-commit install

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the performance benchmarks, run by hand (see bench/README.md)
bench: $(STAMP)
	$(BIN)/python bench/bench_caseload.py
	$(BIN)/python bench/bench_evaluation.py
	$(BIN)/python bench/bench_directory.py
	$(BIN)/python bench/bench_outcomes.py
	$(BIN)/python bench/bench_connections.py
	$(BIN)/python bench/bench_resilience.py
	$(BIN)/python bench/bench_delivery.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
