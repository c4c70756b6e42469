#!/usr/bin/env bash
# Run the whole test suite: lint, migrations check, pytest (browser tests included
# when Debian's chromium is installed; installed here when we are root with apt).
# DATABASE_URL selects the database (default SQLite). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh requirements-dev.txt

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium; browser tests will be skipped." >&2
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The dependency rule (pyproject.toml [tool.importlinter]).
.venv/bin/lint-imports --no-cache | sed -n "/^Contracts:/p;/BROKEN/,\$p"
DJANGO_SECRET_KEY=lint-only DJANGO_DEBUG=0 .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Models and migrations differ: run manage.py makemigrations" >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
