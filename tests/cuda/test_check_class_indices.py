"""An out-of-range class index is refused the same way on both devices: cross_entropy
and nll_loss raise the CPU's ValueError, on cuda at the next copy to the host (or
``minigrad.cuda.synchronize()``), through the op check_class_indices and the device's
error word. Until then nothing is read back, and after the error work goes on."""
from __future__ import annotations

import importlib
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.ops import check_class_indices as decl

from _guard import count_device_reads

_device = importlib.import_module("minigrad.device")  # minigrad.device is also a function

LOSSES = {"cross_entropy": lambda x, t, **kw: F.cross_entropy(x, t, **kw),
          "nll_loss": lambda x, t, **kw: F.nll_loss(F.log_softmax(x, dim=1), t, **kw)}


def _inputs(device, target):
    x = minigrad.tensor(np.random.default_rng(0).standard_normal((len(target), 4)),
                        device=device)
    return x, minigrad.tensor(np.array(target, np.int64), device=device)


def _message(device, loss, target, **kw):
    """The ValueError's message for ``target`` on ``device``: raised by the call on the
    CPU, by reading the loss back on cuda."""
    x, t = _inputs(device, target)
    with pytest.raises(ValueError) as info:
        out = LOSSES[loss](x, t, **kw)
        out.item()
    return str(info.value)


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_the_same_error_on_both_devices(loss):
    target = [0, 9, 3]
    cpu, gpu = _message("cpu", loss, target), _message("cuda", loss, target)
    assert cpu == gpu
    assert cpu.startswith("target: class index 9 at position 1 is out of range")
    assert "C=4 classes, or ignore_index=-100" in cpu


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_cuda_raises_at_the_read_not_before(loss):
    x, t = _inputs("cuda", [1, -3])
    with count_device_reads() as reads:
        out = LOSSES[loss](x, t, reduction="none")  # queued: nothing comes back
    assert reads.count == 0
    with pytest.raises(ValueError, match="class index -3 at position 1"):
        out.cpu()
    # The word was cleared: the same tensor reads fine now (its bad row is NaN), and a
    # good call raises nothing.
    values = out.cpu().numpy()
    assert np.isfinite(values[0]) and np.isnan(values[1])
    x, t = _inputs("cuda", [1, 2])
    assert np.isfinite(LOSSES[loss](x, t).item())


def test_synchronize_raises_it_too():
    x, t = _inputs("cuda", [4])
    F.cross_entropy(x, t)
    with pytest.raises(ValueError, match="class index 4 at position 0"):
        minigrad.cuda.synchronize()
    minigrad.cuda.synchronize()  # reported once


def test_ignore_index_and_empty_targets_pass():
    for target, ignore in (([7, 0, 7], 7), ([-100, 3], -100)):
        x, t = _inputs("cuda", target)
        assert not np.isnan(F.cross_entropy(x, t, ignore_index=ignore, reduction="sum").item())
    empty = minigrad.tensor(np.zeros(0, np.int64), device="cuda")
    minigrad.dispatch.run("check_class_indices", "cuda", decl.declare(3, -100), empty._array)
    minigrad.cuda.synchronize()


def test_several_bad_indices_report_one_of_them():
    target = np.array([0, 5, 1, -1, 8])
    with pytest.raises(ValueError) as info:
        minigrad.dispatch.run("check_class_indices", "cuda", decl.declare(3, -100),
                              minigrad.tensor(target, device="cuda")._array)
        minigrad.cuda.synchronize()
    position, value = map(int, re.search(r"index (-?\d+) at position (\d+)",
                                         str(info.value)).groups()[::-1])
    assert position in (1, 3, 4) and target[position] == value


def test_reads_without_a_check_copy_only_the_tensor():
    """The error word is read only after a checking kernel was queued."""
    minigrad.cuda.synchronize()
    a = minigrad.tensor([1.0, 2.0], device="cuda")
    with count_device_reads() as reads:
        a.cpu()
    assert reads.count == 1
    x, t = _inputs("cuda", [1])
    loss = F.cross_entropy(x, t)
    with count_device_reads() as reads:
        loss.item()
    assert reads.count == 2  # the loss, then the 40-byte word
    assert not _device._errors.armed


@given(st.lists(st.integers(-3, 7), min_size=0, max_size=12), st.integers(1, 5),
       st.sampled_from([-100, -1, 2]))
def test_cuda_refuses_exactly_what_the_cpu_refuses(values, n_classes, ignore_index):
    """The two rungs against each other on drawn targets: the same verdict, and the
    index cuda names is one the CPU would refuse."""
    target = np.array(values, np.int64)
    g = decl.declare(n_classes, ignore_index)
    try:
        minigrad.dispatch.run("check_class_indices", "cpu", g, target)
        cpu_error = None
    except ValueError as e:
        cpu_error = str(e)
    try:
        minigrad.dispatch.run("check_class_indices", "cuda", g,
                              minigrad.tensor(target, device="cuda")._array)
        minigrad.cuda.synchronize()
        gpu_error = None
    except ValueError as e:
        gpu_error = str(e)
    assert (cpu_error is None) == (gpu_error is None), (cpu_error, gpu_error)
    if gpu_error is not None:
        value, position = map(int, re.search(r"index (-?\d+) at position (\d+)",
                                             gpu_error).groups())
        assert target[position] == value and value != ignore_index
        assert not 0 <= value < n_classes
