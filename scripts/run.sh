#!/usr/bin/env bash
# Install, migrate, load the seeds and serve the site on http://127.0.0.1:8000 (SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh requirements.txt
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_seeds
echo "Newsroom is starting on http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
echo "Create an account for the admin with: .venv/bin/python manage.py createsuperuser"
exec .venv/bin/python manage.py runserver "${NEWSROOM_ADDR:-127.0.0.1:8000}"
