"""to_copy through the driver (``minigrad.device.move``, which counts the transfer): from
the host to the device for a CPU tensor (``cuda/driver.py`` registers the same pair for a
GPU one, device to host); backward copies the gradient back to the source."""
from __future__ import annotations

from minigrad.device import move


def forward(g, x):
    """x (any shape) on ``g.source`` -> (the same values on ``g.target``, nothing saved)."""
    return move(x, g.target), None


def backward(g, grad_out, saved, needs_input_grad):
    """grad_out on ``g.target`` -> (the gradient on ``g.source``,)."""
    return (move(grad_out, g.source),)
