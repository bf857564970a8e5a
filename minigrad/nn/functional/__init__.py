"""minigrad.nn.functional: the CNN ops (conv2d, max_pool2d, softmax, log_softmax,
cross_entropy, matmul, linear), relu, and the ops the layers add (dropout, nll_loss,
mse_loss, batch_norm), with PyTorch's signatures."""
from .activation import log_softmax, softmax
from .batch_norm import batch_norm
from .conv import conv2d
from .dropout import dropout
from .linear import linear, matmul
from .loss import cross_entropy
from .mse_loss import mse_loss
from .nll_loss import nll_loss
from .pooling import max_pool2d
from .relu import relu

__all__ = ["batch_norm", "conv2d", "cross_entropy", "dropout", "linear", "log_softmax", "matmul",
           "max_pool2d", "mse_loss", "nll_loss", "relu", "softmax"]

