#!/usr/bin/env bash
# The README's test command: a fresh venv, the project with its dev extras, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[dev]'
.venv/bin/python -m compileall -q src  # bytecode even where PYTHONDONTWRITEBYTECODE is set
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/pytest -q "$@"
