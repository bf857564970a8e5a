"""minigrad.optim: optimizers (SGD, Adam, AdamW, Adadelta, Adagrad, RMSprop) and
learning-rate schedulers (``minigrad.optim.lr_scheduler``), with PyTorch's names,
defaults and update formulas."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD",
           "lr_scheduler"]
