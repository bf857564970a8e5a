"""Without Numba the registry falls back to the numpy kernels cleanly."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CODE = r"""
import sys
sys.modules["numba"] = None          # makes `import numba` raise ImportError
import minigrad
import minigrad.nn.functional as F
from minigrad.dispatch import registry
for op in ("conv2d", "max_pool2d", "softmax", "log_softmax", "cross_entropy", "matmul",
           "linear"):
    impls = minigrad.implementations(op, "cpu")
    assert "numba" not in impls, (op, impls)
    assert registry.selected(op, "cpu") == "numpy", (op, registry.selected(op, "cpu"))
x = minigrad.randn(2, 1, 8, 8, requires_grad=True)
w = minigrad.randn(3, 1, 3, 3, requires_grad=True)
loss = F.cross_entropy(F.max_pool2d(F.conv2d(x, w), 2).flatten(1), minigrad.tensor([0, 1]))
loss.backward()
assert x.grad is not None and w.grad is not None
try:
    with minigrad.use(conv2d="numba"):
        F.conv2d(x, w)
except RuntimeError as e:
    assert "not available" in str(e), e
else:
    raise AssertionError("use(conv2d='numba') should fail without numba")
print("ok")
"""


def test_without_numba_defaults_fall_back_to_numpy():
    out = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
