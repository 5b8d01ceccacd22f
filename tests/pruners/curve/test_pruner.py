"""LearningCurvePruner on real studies (ask/tell with reported curves)."""

from __future__ import annotations

import numpy as np
import pytest

import tunekit
from tunekit.pruners.curve import LearningCurvePruner
from tunekit.trial import TrialState

STEPS = np.arange(30)
BEST_CURVE = 0.95 - 0.5 * (STEPS + 1.0) ** -0.8
HOPELESS_CURVE = 0.60 - 0.3 * (STEPS + 1.0) ** -0.8


def _as_metric(accuracy: np.ndarray, direction: str) -> np.ndarray:
    return accuracy if direction == "maximize" else 1.0 - accuracy  # a loss decreases


def _run(study: tunekit.Study, curve: np.ndarray) -> int | None:
    """Report ``curve`` step by step; return the step where the trial was pruned, or None."""
    trial = study.ask()
    for step, value in zip(STEPS, curve, strict=True):
        trial.report(float(value), int(step))
        if trial.should_prune():
            study.tell(trial, state=TrialState.PRUNED)
            return int(step)
    study.tell(trial, float(curve[-1]))
    return None


@pytest.mark.parametrize("direction", ["maximize", "minimize"])
def test_prunes_a_hopeless_curve_and_keeps_a_promising_one(direction: str) -> None:
    study = tunekit.create_study(direction=direction, pruner=LearningCurvePruner(seed=0))
    assert _run(study, _as_metric(BEST_CURVE, direction)) is None  # nothing to beat yet
    pruned_at = _run(study, _as_metric(HOPELESS_CURVE, direction))
    assert pruned_at is not None and pruned_at < 10
    # A curve on course to match the best must run to the end.
    assert _run(study, _as_metric(BEST_CURVE + 0.002, direction)) is None


def test_never_prunes_before_min_points() -> None:
    study = tunekit.create_study(
        direction="maximize", pruner=LearningCurvePruner(min_points=8, seed=1)
    )
    _run(study, BEST_CURVE)
    pruned_at = _run(study, HOPELESS_CURVE)
    assert pruned_at is not None and pruned_at >= 7  # 8 points are steps 0..7


def test_odd_curves_continue_and_never_raise() -> None:
    study = tunekit.create_study(direction="maximize", pruner=LearningCurvePruner(seed=2))
    _run(study, BEST_CURVE)
    rng = np.random.default_rng(0)
    odd_curves = [
        np.full(30, 0.5),  # flat
        np.where(STEPS % 3 == 0, np.nan, 0.9),  # NaN holes
        0.9 - 0.02 * STEPS,  # going down
        rng.uniform(0.0, 1.0, 30),  # noise
    ]
    for curve in odd_curves:
        _run(study, curve)  # may prune or not; must not raise
    assert len(study.trials) == 1 + len(odd_curves)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"threshold": 1.5}, "threshold"),
        ({"min_points": 2}, "min_points"),
        ({"max_resource": 3, "min_points": 5}, "max_resource"),
        ({"interval_steps": 0}, "interval_steps"),
        ({"bounds": (0.0, 1.0, 2.0)}, "bounds"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LearningCurvePruner(**kwargs)
