"""The layers of minigrad.nn, one family per file, as torch.nn.modules.

Each file lists what it exports in its ``__all__``; this package exports their union, so
a layer added to a file needs no entry here.
"""
import sys as _sys

from .activation import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403

_FILES = ('activation', 'batchnorm', 'container', 'conv', 'dropout', 'flatten', 'lazy', 'linear', 'loss',
          'normalization', 'padding', 'pooling')
__all__ = sorted(name for f in _FILES for name in _sys.modules[f"{__name__}.{f}"].__all__)
