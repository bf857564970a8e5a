#!/usr/bin/env bash
# Set up everything minigrad needs on a fresh Debian machine, idempotently:
# Graphviz's `dot` and the Fashion-MNIST dataset (apt-get, when we can use it), a
# virtual environment in .venv and an editable install with the test extras. Safe to
# run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# What apt-get should add: Graphviz's dot (graph pictures) and the Fashion-MNIST IDX
# files (/usr/share/datasets/fashion-mnist, the default root of `minigrad train`).
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq || echo "setup: apt-get update failed; trying the install anyway" >&2
    for pkg in "${need[@]}"; do  # one at a time: one missing package must not stop the other
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null \
        || echo "setup: could not install $pkg with apt-get" >&2
    done
  fi
  command -v dot >/dev/null 2>&1 \
    || echo "setup: Graphviz's dot not found; install it (apt-get install graphviz) for graph pictures; without it they are DOT source only" >&2
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] \
    || echo "setup: Fashion-MNIST not found; install it (apt-get install dataset-fashion-mnist) or pass --data-root DIR to minigrad train" >&2
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# dev: the tests; bench: matplotlib, for the training curve and the speedup graphs;
# docs: mkdocs and mkdocstrings, for the documentation site (built by the tests);
# cuda: the CUDA 12 toolkit from pip (NVVM, ptxas), for a GPU and for the compile gate.
EXTRAS=dev,bench,docs,cuda
# The stamp (holding the extras installed) skips the reinstall when neither setup.cfg
# nor the extras have changed since the last one.
STAMP=.venv/.minigrad-installed
if [ ! -f "$STAMP" ] || [ setup.cfg -nt "$STAMP" ] || [ "$(cat "$STAMP")" != "$EXTRAS" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
  echo "$EXTRAS" > "$STAMP"
fi
