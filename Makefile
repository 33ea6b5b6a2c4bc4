# Safety Portal: `make run` for a demo on this machine, `make test` for the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo runs in debug mode on SQLite with eager tasks; production never uses make.
DEV := DEBUG=true

.PHONY: run test install migrate demo lint clean bench

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(DEV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV) $(BIN)/python manage.py load_demo

run: demo
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# One test process per core, each with its own test database; `make test TEST_WORKERS=0` runs
# them in this process (to debug with pdb). Tests are handed out one by one in pytest-django's order,
# so in each process the tests that empty the database (transaction=True) run after all the rest,
# which rely on the rows the migrations install (roles, starter policies).
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

# Not part of `make test`: needs PostgreSQL and Redis, takes about a quarter of an hour and
# writes bench/RESULTS.md (bench/README.md says what it measures).
bench: install
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var/*.sqlite3
