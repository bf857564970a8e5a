"""``torch.backends.cudnn``: minigrad's CUDA kernels are its own (Numba), not cuDNN's.
The flags exist so scripts can set them; minigrad reads none of them (its kernels are
deterministic and not autotuned)."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Always False: minigrad does not use cuDNN."""
    return False


def version():
    """None: no cuDNN."""
    return None
