"""Batch normalisation front end, composed from the tape's mean, arithmetic and sqrt."""
from __future__ import annotations

from ... import dispatch
from ...autograd import version
from ...autograd.function import common_device
from ...ops import update_running_stats as _stats
from ...tensor import Tensor
from .._checks import check_bool, check_real
from ._common import expect_float, expect_same_dtype, expect_tensor
from ...errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

__all__ = ["batch_norm"]


def _check_channel_tensor(t, name: str, input: Tensor, c: int) -> Tensor | None:
    if t is None:
        return None
    t = expect_tensor(t, name)
    expect_same_dtype(input, "input", t, name)
    if tuple(t.shape) != (c,):
        raise RuntimeValueError(f"{name}: expected shape ({c},), one value per channel of input shape "
                         f"{tuple(input.shape)}, got shape {tuple(t.shape)}")
    return t


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation over the channel dim 1, as ``torch.nn.functional.batch_norm``.

    Shapes:
        input:  (B, C), (B, C, L) or (B, C, H, W) (any (B, C, *))
        running_mean, running_var, weight, bias: (C,) or None
        output: input's shape and dtype

    Maths, per channel c, over the n = B * H * W values x of that channel::

        training:  mu = mean(x),  var = mean((x - mu)**2)        (biased: divides by n)
        eval:      mu = running_mean[c],  var = running_var[c]
        y = (x - mu) / sqrt(var + eps) * weight[c] + bias[c]

    In training, when running statistics are given they are updated in place (not on
    the tape; the registry's ``update_running_stats`` op), with the UNBIASED variance as
    PyTorch::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * n / (n - 1)

    Built from the tape's mean, subtraction, multiplication, division and sqrt, so the
    gradient (through mu and var in training mode) comes from theirs.

    Raises TypeError for a non-Tensor, a non-float input or a dtype that differs from
    input's; ValueError for an input with fewer than 2 dims, a (C,) tensor of another
    shape, only one of running_mean/running_var given, no running statistics with
    ``training=False``, or a single value per channel in training (PyTorch's message).

    Differences from PyTorch: running stats must have input's dtype (PyTorch accepts
    float32 statistics beside a float64 input on some paths); shape errors are
    ValueError (PyTorch: RuntimeError).
    """
    input = expect_tensor(input, "input")
    expect_float(input, "input")
    if input.ndim < 2:
        raise RuntimeValueError(f"input: expected a tensor of shape (B, C, *) with at least 2 dims, "
                         f"got shape {tuple(input.shape)}")
    c = input.shape[1]
    running_mean = _check_channel_tensor(running_mean, "running_mean", input, c)
    running_var = _check_channel_tensor(running_var, "running_var", input, c)
    weight = _check_channel_tensor(weight, "weight", input, c)
    bias = _check_channel_tensor(bias, "bias", input, c)
    if (running_mean is None) != (running_var is None):
        raise RuntimeValueError("running_mean and running_var must be given together (or both None)")
    training = check_bool(training, "training")
    momentum = check_real(momentum, "momentum")
    eps = check_real(eps, "eps")

    dims = (0,) + tuple(range(2, input.ndim))
    stat_shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        n = input.numel() // c
        if n <= 1:
            raise RuntimeValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(input.shape)}")
        mean = input.mean(dim=dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dim=dims, keepdim=True)
        if running_mean is not None:
            _update_running(running_mean, running_var, mean.detach().reshape(c),
                            var.detach().reshape(c), n, momentum)
    else:
        if running_mean is None:
            raise RuntimeValueError("running_mean and running_var must be given when training=False "
                             "(they are what evaluation mode normalises with)")
        centered = input - running_mean.detach().reshape(stat_shape)
        var = running_var.detach().reshape(stat_shape)
    out = centered / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(stat_shape)
    if bias is not None:
        out = out + bias.reshape(stat_shape)
    return out


def _update_running(running_mean: Tensor, running_var: Tensor, mean: Tensor, var: Tensor,
                    n: int, momentum: float) -> None:
    # In place on the buffers' own arrays, outside the tape (PyTorch: under no_grad), by
    # one registry op on their device.
    stats = (running_mean, running_var, mean, var)
    dispatch.run("update_running_stats", common_device(stats), _stats.Geometry(momentum, n),
                 *(t._array for t in stats))
    version.bump(running_mean, running_var)
