"""The documentation site: it builds under ``mkdocs build --strict``, and its examples run.

* The strict build fails on any warning: a broken link, a docstring that does not parse, an API
  name the reference pages cannot find. The built reference pages must show the main names.
* Every ``python`` block of the guide pages listed in ``RUNNABLE_PAGES`` is run, and the lines it
  claims to print (``# ...`` comments right after a ``print(...)`` line) must be printed.

mkdocs and mkdocstrings come with the ``docs`` extra. Without them the build test skips, except
under ``CI=true``, where it fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import tunekit

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Pages whose every ``python`` block is a complete script that runs as it stands.
RUNNABLE_PAGES = ("define-by-run.md", "samplers.md", "visualization.md", "sklearn.md")

# Built reference page -> names it must show.
EXPECTED_NAMES = {
    "reference/tunekit/index.html": ["create_study", "load_study", "FixedTrial", "TrialPruned"],
    "reference/study/index.html": ["create_study", "Study", "optimize", "enqueue_trial", "tell"],
    "reference/trial/index.html": ["suggest_float", "suggest_int", "suggest_categorical", "report"],
    "reference/distributions/index.html": ["FloatDistribution", "json_to_distribution"],
    "reference/samplers/index.html": [
        "TPESampler",
        "GPSampler",
        "RandomSampler",
        "GridSampler",
        "BruteForceSampler",
        "PartialFixedSampler",
    ],
    "reference/pruners/index.html": [
        "MedianPruner",
        "HyperbandPruner",
        "LearningCurvePruner",
        "predict_final",
    ],
    "reference/storages/index.html": [
        "InMemoryStorage",
        "RDBStorage",
        "RetryHeartbeatStaleTrialCallback",
    ],
    "reference/visualization/index.html": ["plot_optimization_history", "plot_param_importances"],
    "reference/importance/index.html": ["get_param_importances", "FanovaImportanceEvaluator"],
    "reference/integration/index.html": ["OptunaSearchCV"],
    "reference/exceptions/index.html": ["TunekitError", "DuplicatedStudyError"],
    "reference/logging/index.html": ["set_verbosity"],
}

# Built reference page -> objects that must have their own entry (an anchor), so that e.g. the
# suggest_* methods are documented on Trial itself, not only on its base class.
EXPECTED_ANCHORS = {
    "reference/trial/index.html": [
        "tunekit.trial.Trial.suggest_float",
        "tunekit.trial.Trial.suggest_int",
        "tunekit.trial.Trial.suggest_categorical",
        "tunekit.trial.Trial.report",
        "tunekit.trial.Trial.should_prune",
        "tunekit.trial.FixedTrial",
    ],
    "reference/study/index.html": [
        "tunekit.study.Study.optimize",
        "tunekit.study.Study.best_params",
        "tunekit.study.create_study",
    ],
    "reference/samplers/index.html": ["tunekit.samplers.TPESampler"],
    "reference/pruners/index.html": [
        "tunekit.pruners.LearningCurvePruner",
        "tunekit.pruners.curve.predict_final",
    ],
}


def _require_mkdocs() -> None:
    missing = [
        name
        for name in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python")
        if importlib.util.find_spec(name.split(".")[0]) is None
        or importlib.util.find_spec(name) is None
    ]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (pip install -e '.[docs]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: the docs build must run under CI=true")
    pytest.skip(message)


def test_mkdocs_build_is_strict_clean_and_shows_the_api(tmp_path: Path) -> None:
    _require_mkdocs()
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert "WARNING" not in result.stderr, result.stderr[-5000:]
    for page, names in EXPECTED_NAMES.items():
        html = (site / page).read_text(encoding="utf-8")
        absent = [name for name in names if name not in html]
        assert not absent, f"{page} does not show {absent}"
    for page, anchors in EXPECTED_ANCHORS.items():
        html = (site / page).read_text(encoding="utf-8")
        absent = [anchor for anchor in anchors if f'id="{anchor}"' not in html]
        assert not absent, f"{page} has no entry for {absent}"
    # The Sphinx roles of the docstrings became links, not raw ``:class:`` text.
    study_page = (site / "reference/study/index.html").read_text(encoding="utf-8")
    assert ":func:" not in study_page and ":class:" not in study_page
    assert 'href="#tunekit.study.create_study"' in study_page


# ----------------------------------------------------------------- runnable examples


def _python_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def _claimed_output(block: str) -> list[str]:
    """The ``# ...`` comment lines that directly follow a ``print(...)`` line."""
    claimed: list[str] = []
    after_print = False
    for line in block.splitlines():
        stripped = line.strip()
        if after_print and stripped.startswith("# "):
            claimed.append(stripped[2:])
            continue
        after_print = stripped.startswith("print(")
    return claimed


def _runnable_blocks() -> list[pytest.param]:
    params = []
    for page in RUNNABLE_PAGES:
        if not (DOCS / page).exists():
            continue
        for index, block in enumerate(_python_blocks(page)):
            params.append(pytest.param(page, block, id=f"{page}-{index}"))
    return params


# Which optional package a block needs, from what it imports.
_OPTIONAL_IMPORTS = {
    "matplotlib": "matplotlib",
    "sklearn": "sklearn",
    "torch": "torch",
    "pandas": "pandas",
    "sqlite:///": "sqlalchemy",
    "tunekit.visualization": "matplotlib",
    "tunekit.importance": "sklearn",
    "tunekit.integration": "sklearn",
}


@pytest.mark.parametrize(("page", "block"), _runnable_blocks())
def test_guide_examples_run_and_print_what_they_claim(
    page: str, block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for marker, package in _OPTIONAL_IMPORTS.items():
        if marker in block:
            pytest.importorskip(package)
    monkeypatch.chdir(tmp_path)  # files the examples write (SQLite, PNGs) land here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    stdout = io.StringIO()
    verbosity = tunekit.logging.get_verbosity()
    torch_threads = None
    if "import torch" in block:
        import torch

        # One thread, as CI runs torch: small models only lose time to thread hand-offs.
        torch_threads = torch.get_num_threads()
        torch.set_num_threads(1)
    try:
        with contextlib.redirect_stdout(stdout), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            exec(compile(block, f"<{page}>", "exec"), {"__name__": "__main__"})
    finally:
        tunekit.logging.set_verbosity(verbosity)
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
        if "matplotlib" in sys.modules:
            import matplotlib.pyplot as plt

            plt.close("all")
    printed = [line.strip() for line in stdout.getvalue().splitlines()]
    position = 0
    for claimed in _claimed_output(block):
        assert claimed in printed[position:], (
            f"{page}: the example claims to print {claimed!r}; it printed {printed!r}"
        )
        position = printed.index(claimed, position) + 1


def test_every_runnable_page_has_examples() -> None:
    assert len(_python_blocks("define-by-run.md")) >= 10


# ----------------------------------------------------------------- the docstring rewriter


def _load_docstring_markup():
    spec = importlib.util.spec_from_file_location(
        "docstring_markup", DOCS / "scripts" / "docstring_markup.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_doctest_blocks_are_fenced_once() -> None:
    pytest.importorskip("griffe")
    markup = _load_docstring_markup()
    text = "Example\n-------\n>>> 1 + 1\n2\n\nAfter.\n```python\n>>> x\n```"
    assert markup.fence_doctests(text) == (
        "Example\n-------\n```pycon\n>>> 1 + 1\n2\n```\n\nAfter.\n```python\n>>> x\n```"
    )


def test_sphinx_roles_become_optional_autorefs() -> None:
    pytest.importorskip("griffe")
    markup = _load_docstring_markup()
    known = {
        "tunekit.study.Study": "tunekit.study.Study",
        "Trial.report": "tunekit.trial.Trial.report",
    }
    text = "See :class:`~tunekit.study.Study`, :meth:`Trial.report` and :mod:`logging`."
    rewritten = markup.rewrite_roles(text, known.get)
    assert rewritten == (
        'See <autoref identifier="tunekit.study.Study" optional><code>Study</code></autoref>, '
        '<autoref identifier="tunekit.trial.Trial.report" optional><code>Trial.report</code>'
        "</autoref> and `logging`."
    )
