# ActionLab: `make run` serves the app with demo data; `make test` runs the test suite.
.PHONY: run test lint typecheck check install clean bench bench-reminders bench-notifications \
	screenshots

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

# The HTTP benchmark on the scale dataset in PostgreSQL (docs/performance.md); not in `test`.
bench: install
	bin/bench

# The weekly reminders' throughput: N reminders (50,000 unless N=...) planned and sent by two
# Celery workers through Redis (REDIS_URL, else database 6), in a scratch PostgreSQL database.
bench-reminders: install
	DEBUG=1 $(PY) manage.py bench_reminders --reminders $(or $(N),50000)

# A burst of event notifications: one event announced to N members at once (README).
bench-notifications: install
	DEBUG=1 $(PY) manage.py bench_notifications --notifications $(or $(N),10000)

# The README's screenshots of each role's home (docs/screenshots), taken with Chromium from
# the demo in a scratch SQLite database; OUTPUT=folder saves them elsewhere.
screenshots: install
	DEBUG=1 $(PY) manage.py screenshots $(if $(OUTPUT),--output $(OUTPUT))

check: lint typecheck
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
