# ActionLab: `make run` serves the app with demo data; `make test` runs the test suite.
.PHONY: run test lint typecheck check install clean

VENV := .venv
PY := $(VENV)/bin/python

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt package-lock.json bin/bootstrap
	bin/bootstrap
	@touch $@

run: install
	bin/dev

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	DEBUG=1 $(VENV)/bin/mypy .

check: lint typecheck
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
