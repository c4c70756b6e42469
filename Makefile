# The two commands in the README: `make run` and `make test`.
.PHONY: run test test-postgres lint format bench

run:
	scripts/run.sh

test:
	scripts/test.sh

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom} scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
