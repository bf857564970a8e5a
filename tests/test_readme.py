"""The README's example runs."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_example_runs(tmp_path, monkeypatch):
    text = open(os.path.join(ROOT, "README.md")).read()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    try:
        exec(compile(code, "README.md", "exec"), scope)
    except RuntimeError as e:  # no Graphviz binary: everything before the render ran
        assert "graphviz" in str(e).lower()
    assert scope["w"].grad is not None and scope["w"].grad.shape == (6, 1, 5, 5)
