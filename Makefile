# Two commands for a user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test bench lint venv demo-full clean

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

## make test: the whole suite (SQLite by default; set DATABASE_URL for PostgreSQL)
test: venv
	$(BIN)/python -m pytest

## make bench: benchmarks, figures printed with ratios against a reference measured in the same run
bench: venv
	$(BIN)/python bench/run.py

lint: venv
	$(BIN)/ruff check xinzhi bench

clean:
	rm -rf $(VENV) var
