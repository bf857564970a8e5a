"""The package list setup.py finds, and that an installed (non-editable) minigrad works."""
import os
import runpy
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _declared_packages(monkeypatch):
    import setuptools
    found = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kw: found.update(kw))
    monkeypatch.chdir(ROOT)
    runpy.run_path(os.path.join(ROOT, "setup.py"))
    return set(found["packages"])


def _packages_on_disk():
    found = set()
    for top, prefix in (("minigrad", "minigrad"), ("ops", "minigrad.ops"), ("models", "minigrad.models")):
        base = os.path.join(ROOT, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            if "__init__.py" in filenames:
                rel = os.path.relpath(dirpath, base)
                found.add(prefix if rel == "." else prefix + "." + rel.replace(os.sep, "."))
    return found


def test_setup_finds_every_package(monkeypatch):
    assert _declared_packages(monkeypatch) == _packages_on_disk()


def test_repository_checkout_mounts_ops_and_models():
    import minigrad
    import minigrad.models
    import minigrad.ops.conv2d

    assert os.path.dirname(minigrad.ops.conv2d.__file__) == os.path.join(ROOT, "ops", "conv2d")
    assert os.path.dirname(minigrad.models.__file__) == os.path.join(ROOT, "models")


@pytest.mark.slow
def test_non_editable_install_works_outside_the_checkout(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--target", str(target), ROOT],
                   check=True, cwd=tmp_path)
    code = ("import minigrad, minigrad.ops.conv2d.numpy, minigrad.models, os;"
            "print(minigrad.__file__);"
            "print(minigrad.implementations('conv2d', 'cpu'))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env=env,
                         capture_output=True, text=True).stdout
    assert out.splitlines()[0].startswith(str(target))
    assert "'naive', 'numpy'" in out
    assert os.path.isdir(target / "minigrad" / "ops" / "conv2d")
