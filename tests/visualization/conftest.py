"""Studies every plot is drawn for: pruned, failed and conditional trials, and two objectives."""

from __future__ import annotations

import math

import pytest

import tunekit
from tunekit.trial import TrialState

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _objective(trial: tunekit.Trial) -> float:
    """A conditional space: the classifier's own parameters exist only when it is chosen."""
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    classifier = trial.suggest_categorical("classifier", ["svm", "forest"])
    if classifier == "svm":
        c = trial.suggest_float("svm_c", 1e-3, 1e3, log=True)
        base = (math.log10(c) - 1.0) ** 2
    else:
        depth = trial.suggest_int("forest_depth", 2, 32, log=True)
        base = 0.5 + abs(depth - 8) / 8
    loss = base + (math.log10(lr) + 3.0) ** 2
    for step in range(5):
        trial.report(loss * (5 - step), step)
        if trial.number % 4 == 3 and step == 2:
            raise tunekit.TrialPruned()
    if trial.number % 7 == 5:
        raise RuntimeError("a failed trial")
    return loss


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def study() -> tunekit.Study:
    """40 trials: COMPLETE, PRUNED (with intermediate values) and FAIL, over a conditional space."""
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=40, catch=(RuntimeError,))
    states = {t.state for t in study.trials}
    assert {TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL} <= states
    return study


@pytest.fixture
def multi_objective_study() -> tunekit.Study:
    def objective(trial: tunekit.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return x + 0.1 * y, (1.0 - x) ** 2 + 0.1 * y

    study = tunekit.create_study(
        directions=["minimize", "minimize"], sampler=tunekit.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=30)
    return study


@pytest.fixture
def empty_study() -> tunekit.Study:
    return tunekit.create_study()
