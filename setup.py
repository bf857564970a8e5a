"""The package list, found from the folders (setup.cfg declares everything else).

``ops/`` and ``models/`` live at the top level (the design card) and install inside the
minigrad namespace (setup.cfg's ``package_dir``); every folder with an ``__init__.py``
under them is a package, so a new op folder needs no entry here.
"""
from setuptools import find_packages, setup


def _mounted(folder: str) -> list[str]:
    return [f"minigrad.{folder}"] + [f"minigrad.{folder}.{p}" for p in find_packages(folder)]


setup(packages=find_packages(include=["minigrad", "minigrad.*"]) + _mounted("ops")
      + _mounted("models"))
