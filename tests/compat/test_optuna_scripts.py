"""Scripts written against Optuna's API run unchanged after `import tunekit as optuna`.

Each script in scripts/ uses only Optuna's public API and checks its own results. The test turns
its `import optuna` into `import tunekit as optuna` and runs it in a fresh interpreter; where
Optuna is installed, the original runs too, so the scripts stay honest Optuna programs.
"""

from __future__ import annotations

import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

SCRIPTS = sorted((pathlib.Path(__file__).parent / "scripts").glob("*.py"))
_IMPORT_LINE = re.compile(r"^import optuna$", flags=re.MULTILINE)


def _run(source: str, tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(source)
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_runs_on_tunekit(path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    if "sklearn" in path.read_text():
        pytest.importorskip("sklearn")
    source, n_replaced = _IMPORT_LINE.subn("import tunekit as optuna", path.read_text())
    assert n_replaced == 1
    result = _run(source, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(importlib.util.find_spec("optuna") is None, reason="optuna not installed")
@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_runs_on_optuna(path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    if "sklearn" in path.read_text():
        pytest.importorskip("sklearn")
    result = _run(path.read_text(), tmp_path)
    assert result.returncode == 0, result.stderr
