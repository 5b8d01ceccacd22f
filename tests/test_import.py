"""`import tunekit` stays light: numpy/scipy only, optional dependencies load on use."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "matplotlib", "pandas", "sklearn", "sqlalchemy", "optuna")


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return {name.split(".")[0] for name in json.loads(output.strip().splitlines()[-1])}


def test_import_tunekit_loads_no_heavy_dependency() -> None:
    loaded = _modules_after("import tunekit")
    assert "tunekit" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_study_with_random_search_loads_no_heavy_dependency() -> None:
    loaded = _modules_after(
        "import tunekit\n"
        "tunekit.logging.set_verbosity(tunekit.logging.WARNING)\n"
        "study = tunekit.create_study()\n"
        "study.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=3)\n"
        "tunekit.create_study(sampler=tunekit.samplers.GridSampler({'x': [0, 1]}))"
    )
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_optuna_module_paths_exist() -> None:
    loaded = _modules_after(
        "from tunekit.trial import Trial, FrozenTrial, TrialState, FixedTrial, create_trial\n"
        "from tunekit.study import Study, StudyDirection, StudySummary, MaxTrialsCallback\n"
        "from tunekit.samplers import BaseSampler, RandomSampler, GridSampler\n"
        "from tunekit.samplers import PartialFixedSampler, BruteForceSampler\n"
        "from tunekit.pruners import BasePruner, NopPruner\n"
        "from tunekit.distributions import FloatDistribution, IntDistribution\n"
        "from tunekit.distributions import CategoricalDistribution\n"
        "from tunekit.storages import BaseStorage, InMemoryStorage\n"
        "from tunekit.search_space import intersection_search_space, IntersectionSearchSpace\n"
        "from tunekit.exceptions import TunekitError, OptunaError, DuplicatedStudyError\n"
        "from tunekit.exceptions import UpdateFinishedTrialError, StorageInternalError\n"
        "from tunekit.exceptions import TrialPruned\n"
        "from tunekit.logging import set_verbosity, get_verbosity, WARNING\n"
        "from tunekit import TrialPruned as _T"
    )
    assert "tunekit" in loaded
