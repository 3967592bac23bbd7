# Two commands for a user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

CHROMIUM ?= /usr/bin/chromium
SOFFICE  ?= /usr/bin/soffice

.PHONY: run test bench lint venv browser office redis rehearse-deploy clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## make run: install, migrate, load reference + demo data (first run only), serve on http://$(HOST):$(PORT)
run: venv
	$(BIN)/xinzhi serve --addr $(HOST):$(PORT)

## make test: the whole suite (SQLite by default; set DATABASE_URL for PostgreSQL), browser tests included,
## in parallel processes (pytest-xdist: one per CPU core; TEST_WORKERS=0 runs it in one process)
TEST_WORKERS ?= auto
test: venv browser office redis
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## make bench: benchmarks, figures printed with ratios against a reference measured in the same run
bench: venv
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } >/dev/null 2>&1; } || echo "wrk not installed: the web bench uses Python client threads" >&2
	$(BIN)/python bench/run.py

## browser: Debian's Chromium (and CJK fonts) for the browser tests; Playwright drives it, no browser download
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium fonts-noto-cjk (or set CHROMIUM=/path)" >&2; exit 1; fi; }

## office: LibreOffice Writer (headless) — the report tests open every DOCX the way an office suite does
office:
	@test -x $(SOFFICE) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer >/dev/null; \
	  else echo "The report tests need LibreOffice: sudo apt-get install libreoffice-writer (or set SOFFICE=/path/to/soffice)" >&2; exit 1; fi; }

## redis: the job tests run a real worker on Redis (127.0.0.1:6379); started here when installed but not running
redis:
	@$(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null || { \
	  if ! command -v redis-server >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; fi; \
	  if command -v redis-server >/dev/null; then redis-server --daemonize yes --save "" >/dev/null && sleep 1; \
	  else echo "The job tests need Redis: sudo apt-get install redis-server (they fail without it)" >&2; fi; }

## make rehearse-deploy: boot the recipe of deploy/ on this machine (the units' commands, nginx with TLS, PostgreSQL
## on 127.0.0.1:5432, Redis) and measure an upgrade under read load; not part of `make test` (docs/operations.md)
rehearse-deploy: venv redis
	@command -v nginx >/dev/null && command -v openssl >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null; \
	  else echo "The rehearsal needs nginx and openssl: sudo apt-get install nginx openssl" >&2; exit 1; fi; }
	$(BIN)/python deploy/rehearse.py

## make lint: ruff; dead code (vulture, whitelist in scripts/vulture_whitelist.py); template lines ≤ 160 characters
lint: venv
	$(BIN)/ruff check xinzhi bench
	$(BIN)/python scripts/deadcode.py
	$(BIN)/python scripts/template_width.py

clean:
	rm -rf $(VENV) var
