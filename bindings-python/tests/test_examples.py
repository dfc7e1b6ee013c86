"""The docs as tests: the README's Python section, examples/python/quickstart.py and the
notebook run against the installed package."""

import json
import re
import subprocess
import sys

import pytest

from conftest import REPO


def test_readme_python_section_runs(monkeypatch):
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README.md has no ```python block under '## Python'"
    monkeypatch.chdir(REPO)  # the README's paths are relative to the repository root
    namespace = {"__name__": "readme"}  # one session: later blocks use earlier names
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    if "report" in namespace:
        assert namespace["report"].read == 316


def test_quickstart_script_runs(tmp_path):
    script = REPO / "examples" / "python" / "quickstart.py"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "quick.db")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "stored: 2 new, 0 updated" in done.stdout
    assert "contacts in CZ: 1" in done.stdout
    assert "rejected: INVALID_INPUT" in done.stdout


def test_notebook_cells_run(monkeypatch):
    pytest.importorskip("pandas")
    monkeypatch.chdir(REPO / "examples" / "python")  # where a notebook server would run it
    notebook = json.loads((REPO / "examples" / "python" / "quickstart.ipynb").read_text())
    namespace: dict = {"__name__": "notebook"}
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(code_cells) >= 3
    for i, cell in enumerate(code_cells):
        exec(compile("".join(cell["source"]), f"quickstart.ipynb[{i}]", "exec"), namespace)
    assert len(namespace["frame"]) == 2
    assert namespace["report"].read == 316
    assert namespace["exported"].rows == 299  # 297 rows of the file + the 2 added above
