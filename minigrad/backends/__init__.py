"""``minigrad.backends``: the parts of ``torch.backends`` that training scripts read
while choosing a device or setting flags. minigrad has neither Apple's MPS nor cuDNN:
``backends.mps.is_available()`` is False (pytorch/examples' mnist asks it), and the
cuDNN flags scripts set (``torch.backends.cudnn.benchmark = True``) are accepted and
change nothing."""
from . import cudnn, mps  # noqa: F401

__all__ = ["cudnn", "mps"]
