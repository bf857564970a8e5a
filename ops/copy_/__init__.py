"""copy_: write one array's values into another in place, as ``Tensor.copy_`` does for
two tensors of one device, shape and dtype.

What the layers need to change a tensor's values without replacing its array (views,
optimizer state and an earlier ``state_dict()`` keep seeing it): ``nn.init`` and
``load_state_dict`` (host values, moved to the tensor's device first by
``minigrad.arrays.move``, the op to_copy), BatchNorm's running statistics. Off the
tape: no backward.

Kernel contract (docs/tape.md): ``forward(g, dst, src) -> (None, None)`` with ``g`` the
empty :data:`~minigrad.ops._attrs.NONE`; ``src`` has ``dst``'s shape (or broadcasts to
it, on the CPU), dtype and device.

This module imports only the standard library.
"""
IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("driver",)}
DEFAULT = {"cpu": "numpy", "cuda": "driver"}
