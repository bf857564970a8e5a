"""minigrad.ops: one folder per op (or per family of small ops), one file per
implementation. See docs/adding-an-op.md. Nothing here imports minigrad."""
