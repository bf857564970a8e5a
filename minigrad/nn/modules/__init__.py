"""The layers of minigrad.nn, one family per file, as torch.nn.modules."""
from .activation import LogSoftmax, ReLU, Softmax
from .batchnorm import BatchNorm2d
from .container import ModuleList, Sequential
from .conv import Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import CrossEntropyLoss, MSELoss, NLLLoss
from .pooling import MaxPool2d

__all__ = ["BatchNorm2d", "Conv2d", "CrossEntropyLoss", "Dropout", "Flatten", "Linear",
           "LogSoftmax", "MSELoss", "MaxPool2d", "ModuleList", "NLLLoss", "ReLU", "Sequential",
           "Softmax"]
