"""``torch.backends.mps``: Apple's Metal backend, which minigrad does not have."""


def is_available() -> bool:
    """Always False: minigrad has no MPS device."""
    return False


def is_built() -> bool:
    """Always False: minigrad is not built with MPS."""
    return False
