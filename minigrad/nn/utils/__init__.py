"""minigrad.nn.utils, as ``torch.nn.utils``: gradient clipping (clip_grad.py)."""
from .clip_grad import *  # noqa: F401,F403
from .clip_grad import __all__ as _clip_all

__all__ = list(_clip_all)
