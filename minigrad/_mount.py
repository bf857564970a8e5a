"""Make the top-level ``ops/`` and ``models/`` folders importable as ``minigrad.ops`` and
``minigrad.models`` in every way the project is run.

Installed (``pip install .``), setuptools' package_dir puts them inside the minigrad
package and nothing needs doing. Editable installs map them too. But ``pytest`` or
``python -m minigrad`` from the repository root import the local ``minigrad/`` folder,
which has no ``ops/`` inside: then the sibling folders of the checkout are mounted.
"""
from __future__ import annotations

import importlib.util
import os
import sys


def mount(package_dir: str, name: str) -> None:
    full = f"minigrad.{name}"
    if full in sys.modules or os.path.isdir(os.path.join(package_dir, name)):
        return
    sibling = os.path.join(os.path.dirname(package_dir), name)
    init = os.path.join(sibling, "__init__.py")
    if os.path.isfile(init):
        spec = importlib.util.spec_from_file_location(full, init, submodule_search_locations=[sibling])
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
        # The import system sets this attribute only for modules it loads itself.
        setattr(sys.modules["minigrad"], name, module)
    # Otherwise leave it to the import system (an editable install's finder).
