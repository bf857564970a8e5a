#!/usr/bin/env bash
# Set up everything minigrad needs on a fresh Debian machine, idempotently:
# Graphviz's `dot` (apt-get, when we can use it), a virtual environment in .venv and
# an editable install with the test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
      || echo "setup: could not install graphviz with apt-get; graph pictures will give DOT source only" >&2
  else
    echo "setup: Graphviz's dot not found; install it (apt-get install graphviz) for graph pictures" >&2
  fi
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# The stamp skips the reinstall when setup.cfg has not changed since the last one.
if [ ! -f .venv/.minigrad-installed ] || [ setup.cfg -nt .venv/.minigrad-installed ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch .venv/.minigrad-installed
fi
