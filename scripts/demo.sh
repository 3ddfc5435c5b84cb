#!/usr/bin/env bash
# The README's main command: a fresh venv, the project, and an assessment of the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
.venv/bin/python -m compileall -q src  # bytecode even where PYTHONDONTWRITEBYTECODE is set
.venv/bin/nutrispine assess examples/maria.yaml "$@"
