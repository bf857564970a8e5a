"""LeNet-5 and SeedCNN training steps only (default and numpy sets, and PyTorch), the
figures issue 11 compares before and after a change, in one short run:

    .venv/bin/python scripts/bench_steps.py [repeats]
"""
import sys

from minigrad.bench import machine, torch_ref
from minigrad.bench.runner import MODELS, run_models

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
torch = torch_ref.load(machine.threads())
rows = run_models(MODELS, repeats, budget_s=30, torch=torch, sets=["numpy", "numba", "default"])
for r in rows:
    print(f"{r['model']:8s} {r['impl']:8s} step {r['step_ms']:8.2f} ms  "
          f"x torch {r.get('torch_ratio', float('nan')):5.2f}")
