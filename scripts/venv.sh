#!/usr/bin/env bash
# Create or update .venv with the Python named in .python-version (Django 6.1
# needs Python >= 3.12). Usage: scripts/venv.sh [requirements file]
set -euo pipefail
cd "$(dirname "$0")/.."

requirements="${1:-requirements.txt}"
wanted="$(cat .python-version)"

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }

find_python() {
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)/versions/$wanted/bin/python")
  fi
  candidates+=("$HOME/.pyenv/versions/$wanted/bin/python" python3.13 python3.12 python3)
  for candidate in "${candidates[@]}"; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [ -x .venv/bin/python ] && ! python_ok .venv/bin/python; then
  echo "The existing .venv uses Python < 3.12; recreating it." >&2
  rm -rf .venv
fi

if [ ! -x .venv/bin/python ]; then
  if ! python="$(find_python)"; then
    cat >&2 <<MSG
Newsroom needs Python 3.12 or newer (Django 6.1 requires it), and none was found.
Install Python $wanted, for example with pyenv:  pyenv install $wanted
or your system's package (python3.13), then run this command again.
MSG
    exit 1
  fi
  echo "Creating .venv with $python ($("$python" --version))"
  "$python" -m venv .venv
fi

# Reinstall only when the requirements change.
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$requirements"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
