"""Figures for the kernel contract (issue 11), measured the same way before and after.

    .venv/bin/python scripts/measure_contract.py

- hops: a ``sys.setprofile`` trace of one ``F.conv2d(x, w)`` call (after a warm-up call),
  forward and then ``backward``: every Python function entered whose code lives in
  minigrad (the package or ``ops/``; generator expressions and comprehensions are not
  counted), and the distinct files they are in. Calls into
  NumPy, Numba's dispatcher and the standard library are not hops of ours.
- memory: the peak of ``tracemalloc`` over one LeNet-5 training step (forward + loss,
  backward, SGD) at batch 256 with the NumPy kernels (NumPy reports its buffers to
  tracemalloc; Numba's own allocator does not, hence the NumPy set), and the bytes of the
  arrays the tape holds between forward and backward (found from the graph's nodes with
  ``gc.get_referents``, each array counted once).
"""
from __future__ import annotations

import gc
import os
import sys
import tracemalloc

import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd.node import Node

ROOTS = tuple(os.path.realpath(p) for p in (os.path.dirname(minigrad.__file__),
                                             os.path.dirname(minigrad.ops.__file__)))


def _ours(filename: str) -> bool:
    return os.path.realpath(filename).startswith(ROOTS)


def trace(fn):
    calls, files = [], set()

    def hook(frame, event, arg):
        # Generator expressions and comprehensions are loops, not hops.
        if (event == "call" and _ours(frame.f_code.co_filename)
                and not frame.f_code.co_name.startswith("<")):
            calls.append(f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_code.co_name}")
            files.add(os.path.realpath(frame.f_code.co_filename))
    sys.setprofile(hook)
    try:
        out = fn()
    finally:
        sys.setprofile(None)
    return out, calls, files


def hops() -> None:
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((2, 3, 8, 8), dtype=np.float32), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal((4, 3, 3, 3), dtype=np.float32), requires_grad=True)
    F.conv2d(x, w).sum().backward()  # warm-up: JIT, discovery, first imports
    x.grad = w.grad = None
    out, fwd, fwd_files = trace(lambda: F.conv2d(x, w))
    grad = minigrad.ones_like(out)
    _, bwd, bwd_files = trace(lambda: out.backward(grad))
    for name, calls, files in (("forward", fwd, fwd_files), ("backward", bwd, bwd_files)):
        print(f"hops {name}: {len(calls)} calls of {len(set(calls))} distinct functions "
              f"over {len(files)} files")
    if "-v" in sys.argv:
        print("  forward:", " > ".join(fwd))
        print("  backward:", " > ".join(bwd))


def _graph_bytes(root: Node) -> int:
    seen_nodes, arrays, stack = set(), {}, [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        todo = [r for r in gc.get_referents(node) if not isinstance(r, Node)]
        visited = set()
        while todo:
            obj = todo.pop()
            if id(obj) in visited or isinstance(obj, (type, type(sys))):
                continue
            visited.add(id(obj))
            if isinstance(obj, np.ndarray):
                base = obj if obj.base is None else obj.base
                if isinstance(base, np.ndarray):
                    arrays[id(base)] = base.nbytes
                continue
            if isinstance(obj, Node):
                stack.append(obj)
                continue
            if isinstance(obj, minigrad.Tensor):  # a leaf edge: its .data is the parameter
                continue
            if callable(obj) and hasattr(obj, "__code__"):  # a closure: its cells only
                todo.extend(c.cell_contents for c in (obj.__closure__ or ()))
                continue
            if isinstance(obj, (tuple, list, dict)) or hasattr(obj, "__dict__") \
                    or hasattr(obj, "__slots__"):
                todo.extend(gc.get_referents(obj))
        for e in node.edges:
            if isinstance(e, Node):
                stack.append(e)
    return sum(arrays.values())


def memory(batch: int = 256) -> None:
    from minigrad.models import LeNet5
    minigrad.manual_seed(0)
    model = LeNet5()
    opt = minigrad.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    y = minigrad.tensor(rng.integers(0, 10, batch))
    with minigrad.use(conv2d="numpy", max_pool2d="numpy", cross_entropy="numpy",
                      matmul="numpy", linear="numpy", softmax="numpy", log_softmax="numpy"):
        for _ in range(2):  # warm-up: the optimizer's state, caches
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        gc.collect()
        tracemalloc.start()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        held = _graph_bytes(loss._node)
        loss.backward()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"LeNet-5 step, batch {batch}, numpy kernels: tracemalloc peak {peak / 2**20:.2f} MiB; "
          f"arrays held by the tape after forward {held / 2**20:.2f} MiB")


if __name__ == "__main__":
    hops()
    memory()
