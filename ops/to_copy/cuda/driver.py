"""to_copy of a GPU tensor: device to host, and its backward host to device. The copy
is the CPU rung's own (``minigrad.device.move`` goes either way): one kernel pair
registered on both devices, since the rung is picked by the source's device."""
from ..driver import backward, forward  # noqa: F401
