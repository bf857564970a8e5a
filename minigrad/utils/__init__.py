"""``minigrad.utils``: PyTorch's ``torch.utils`` names. ``minigrad.utils.data`` is
:mod:`minigrad.data` itself, under a second name, so that ``from torch.utils.data
import DataLoader, Dataset, TensorDataset`` becomes ``from minigrad.utils.data import
...`` with only the import line changed, and both names give the same classes.

The alias covers the submodules too (``import minigrad.utils.data.dataloader``): a
finder on ``sys.meta_path`` answers any ``minigrad.utils.data.<x>`` with the module
``minigrad.data.<x>``, imported once under its own name. Without it Python would load
minigrad/data/<x>.py a second time under the alias, and its classes would be
different objects from minigrad.data's.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

from .. import data

_ALIAS = __name__ + ".data"      # minigrad.utils.data
_TARGET = data.__name__          # minigrad.data


class _Aliased(importlib.abc.Loader):
    """Loads nothing: hands back the module already imported under its own name."""

    def __init__(self, module):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        # Already executed under its own name. The import system has just set the
        # module's __spec__ to the alias's: put its own back.
        module.__spec__ = self.spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Maps ``minigrad.utils.data[.x]`` to ``minigrad.data[.x]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        module = importlib.import_module(_TARGET + fullname[len(_ALIAS):])
        return importlib.util.spec_from_loader(fullname, _Aliased(module))


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())
sys.modules[_ALIAS] = data

__all__ = ["data"]
