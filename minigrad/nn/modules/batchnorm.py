"""BatchNorm1d and BatchNorm2d: batch normalisation over the channels of (N, C) features,
(N, C, L) sequences and (N, C, H, W) images. One implementation (_BatchNorm); the
classes differ only in the input dims they accept, as PyTorch's."""
from __future__ import annotations

import numpy as np

from ... import arrays

from ...tensor import Tensor
from .. import functional as F
from .. import init
from .._checks import check_bool, check_int, check_real
from .._inplace import copy_
from ..module import Module
from ..parameter import Parameter
from ._factory import param_dtype, place

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """Batch normalisation per channel (dim 1) of (B, C, *) inputs; the subclasses say
    which numbers of dims they take (``_check_input_dim``).

    Training mode (``model.train()``, the default): normalise with the batch's mean and
    biased variance over every dim but 1, and update the running statistics with the
    unbiased variance; evaluation mode (``model.eval()``): normalise with the running
    statistics. See :func:`minigrad.nn.functional.batch_norm` for the maths::

        y = (x - mean) / sqrt(var + eps) * weight + bias

    State (PyTorch's names, all in ``state_dict``): parameters ``weight`` (ones) and
    ``bias`` (zeros) when ``affine``; buffers ``running_mean`` (zeros), ``running_var``
    (ones) and ``num_batches_tracked`` (an int64 count of training batches) when
    ``track_running_stats``. A checkpoint without ``num_batches_tracked`` loads (the
    count is kept), as PyTorch does for state dicts without version metadata.

    Args:
        num_features: C.
        eps: added to the variance (default 1e-5).
        momentum: weight of the new batch in the running statistics (default 0.1);
            None for a cumulative average (weight 1 / num_batches_tracked).
        affine: learn ``weight`` and ``bias`` (default True).
        track_running_stats: keep running statistics (default True); without them
            evaluation mode normalises with the batch statistics too.
        device, dtype: where and in which float dtype to create the state.
        bias: learn ``bias`` when affine (keyword-only, default True), as PyTorch 2.13.

    Raises ValueError for an input of the wrong number of dims (PyTorch's message)
    and, in training, for a single value per channel.
    """

    # A checkpoint may lack num_batches_tracked (see Module.load_state_dict).
    _optional_state_keys = frozenset({"num_batches_tracked"})

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True):
        super().__init__()
        self.num_features = check_int(num_features, "num_features", 1)
        check_real(eps, "eps")
        if momentum is not None:
            check_real(momentum, "momentum")
        self.eps = eps
        self.momentum = momentum
        self.affine = check_bool(affine, "affine")
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats")
        check_bool(bias, "bias")
        np_dtype = param_dtype(device, dtype).np
        c = self.num_features
        if affine:
            self.weight = Parameter(Tensor._wrap(np.empty(c, dtype=np_dtype)))
            if bias:
                self.bias = Parameter(Tensor._wrap(np.empty(c, dtype=np_dtype)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(c, dtype=np_dtype)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(c, dtype=np_dtype)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()
        place(self, device)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            self.num_batches_tracked._array = arrays.zeros_like(self.num_batches_tracked._array)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"input must be a Tensor, got {type(input).__name__}")
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            count = self.num_batches_tracked
            # In place, on the counter's device (reading it back would cost a copy).
            copy_(count, (count.detach() + 1)._array)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(count.item())
        # Batch statistics in training, and in eval when there are no running ones.
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (B, C) features or (B, C, L) sequences per channel, as
    ``torch.nn.BatchNorm1d``: statistics over B (and L). Typically after a Linear
    layer: ``nn.Sequential(nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU())``.

    Everything else (state, arguments, training and evaluation modes, the maths) is
    :class:`BatchNorm2d`'s. ValueError for an input that is not 2-D or 3-D
    ("expected 2D or 3D input (got 4D input)", PyTorch's message).
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (B, C, H, W) images per channel, as
    ``torch.nn.BatchNorm2d``: statistics over (B, H, W).

    Training mode (``model.train()``, the default): normalise with the batch's mean and
    biased variance, and update the running statistics with the unbiased variance;
    evaluation mode (``model.eval()``): normalise with the running statistics. See
    :class:`_BatchNorm` for the state and arguments (PyTorch's) and
    :func:`minigrad.nn.functional.batch_norm` for the maths. ValueError for an input
    that is not 4-D ("expected 4D input (got 3D input)", PyTorch's message).
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")
