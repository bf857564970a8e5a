"""minigrad.nn.functional: the CNN ops (conv2d, max_pool2d, softmax, log_softmax,
cross_entropy, matmul, linear) and relu, with PyTorch's signatures."""
from ...tensor_ops.elementwise import unary as _unary
from .activation import log_softmax, softmax
from .conv import conv2d
from .linear import linear, matmul
from .loss import cross_entropy
from .pooling import max_pool2d

__all__ = ["conv2d", "cross_entropy", "linear", "log_softmax", "matmul", "max_pool2d", "relu",
           "softmax"]


def relu(input):
    """max(input, 0), elementwise; gradient 0 at 0."""
    return _unary("relu", input)
