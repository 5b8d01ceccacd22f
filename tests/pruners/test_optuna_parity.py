"""The classic pruners decide as Optuna's do: the same curves, replayed through both libraries.

Skipped when Optuna is not installed (it is a comparison target, never a dependency).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tunekit
from tunekit.pruners.halving import SuccessiveHalvingPruner
from tunekit.pruners.median import MedianPruner, PercentilePruner
from tunekit.pruners.patient import PatientPruner
from tunekit.pruners.threshold import ThresholdPruner

optuna = pytest.importorskip("optuna")


def _curves(
    seed: int, n_trials: int = 40, n_steps: int = 30
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Noisy decaying curves; some skip steps, some turn NaN."""
    rng = np.random.default_rng(seed)
    curves = []
    for _ in range(n_trials):
        scale, rate = rng.uniform(0.1, 1.0), rng.uniform(0.01, 0.3)
        values = scale * np.exp(-rate * np.arange(n_steps)) + rng.normal(0.0, 0.03, n_steps)
        if rng.random() < 0.05:
            values[rng.integers(n_steps) :] = math.nan
        if rng.random() < 0.3:
            steps = np.sort(rng.choice(n_steps, n_steps // 2, replace=False))
        else:
            steps = np.arange(n_steps)
        curves.append((steps, values))
    return curves


def _replay(library: Any, pruner: Any, direction: str, curves: list) -> list[int]:
    """The step each trial was pruned at (-1: completed), asking after every report."""
    sign = 1.0 if direction == "minimize" else -1.0
    study = library.create_study(direction=direction, pruner=pruner)
    pruned_at = []
    for steps, values in curves:
        trial = study.ask()
        for step in steps.tolist():
            trial.report(sign * float(values[step]), step)
            if trial.should_prune():
                pruned_at.append(step)
                study.tell(trial, state=library.trial.TrialState.PRUNED)
                break
        else:
            pruned_at.append(-1)
            last = float(values[steps[-1]])
            study.tell(trial, 1.0 if math.isnan(last) else sign * last)
    return pruned_at


_PRUNERS: dict[str, Callable[[Any], Any]] = {
    "median": lambda p: p.MedianPruner(),
    "median_gated": lambda p: p.MedianPruner(3, 5, 4, n_min_trials=3),
    "percentile": lambda p: p.PercentilePruner(25.0, 2, 2, 3),
    "halving_auto": lambda p: p.SuccessiveHalvingPruner(),
    "halving": lambda p: p.SuccessiveHalvingPruner(1, 3, 1, 2),
    "threshold": lambda p: p.ThresholdPruner(
        lower=-0.5, upper=0.5, n_warmup_steps=2, interval_steps=3
    ),
    "patient": lambda p: p.PatientPruner(None, 3, 0.01),
    "patient_median": lambda p: p.PatientPruner(p.MedianPruner(), 2),
}


class _TunekitPruners:
    MedianPruner = MedianPruner
    PercentilePruner = PercentilePruner
    SuccessiveHalvingPruner = SuccessiveHalvingPruner
    ThresholdPruner = ThresholdPruner
    PatientPruner = PatientPruner


@pytest.mark.parametrize("name", sorted(_PRUNERS))
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_same_decisions_as_optuna(name: str, direction: str) -> None:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    make = _PRUNERS[name]
    for seed in range(2):
        curves = _curves(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's experimental and NaN warnings
            expected = _replay(optuna, make(optuna.pruners), direction, curves)
        assert _replay(tunekit, make(_TunekitPruners), direction, curves) == expected
        assert any(step >= 0 for step in expected)  # the comparison exercised pruning
