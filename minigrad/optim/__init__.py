"""minigrad.optim: optimizers (SGD, Adam, AdamW) and learning-rate schedulers
(``minigrad.optim.lr_scheduler``), with PyTorch's names, defaults and update formulas."""
from . import lr_scheduler
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD", "lr_scheduler"]
