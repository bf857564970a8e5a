"""minigrad.nn.functional: the CNN ops (conv2d, max_pool2d, softmax, log_softmax,
cross_entropy, matmul, linear), relu, and the ops the layers add (dropout, nll_loss,
mse_loss, l1/smooth_l1/huber losses, binary cross-entropy, batch_norm, layer_norm,
normalize, one_hot), with PyTorch's signatures.

Each file is one family of front ends and lists what it exports in its ``__all__``; this
package exports their union, so a front end added to a file needs no entry here.
"""
import sys as _sys

from .activation import *  # noqa: F401,F403
from .batch_norm import *  # noqa: F401,F403
from .binary_cross_entropy import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .mse_loss import *  # noqa: F401,F403
from .nll_loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .one_hot import *  # noqa: F401,F403
from .pad import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .regression_loss import *  # noqa: F401,F403
from .relu import *  # noqa: F401,F403

_FILES = ('activation', 'batch_norm', 'binary_cross_entropy', 'conv', 'dropout', 'linear', 'loss',
          'mse_loss', 'nll_loss', 'normalization', 'one_hot', 'pad', 'pooling', 'regression_loss',
          'relu')
__all__ = sorted(name for f in _FILES for name in _sys.modules[f"{__name__}.{f}"].__all__)
