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


# A warm-up schedule: slow at first, rising in a near-straight line, ending above the best.
WARM_UP_CURVE = 0.1 + (BEST_CURVE[-1] + 0.01 - 0.1) * (1.0 - (1.0 - (STEPS + 1.0) / 30.0) ** 3)


def _prune_at_step(study: tunekit.Study, curve: np.ndarray, n_points: int) -> bool:
    trial = study.ask()
    for step in range(n_points):
        trial.report(float(curve[step]), step)
    decision = trial.should_prune()
    study.tell(trial, state=TrialState.PRUNED)
    return decision


@pytest.mark.parametrize("direction", ["maximize", "minimize"])
def test_a_straight_rise_that_could_reach_the_best_is_held(direction: str) -> None:
    """At 5 points the warm-up curve has not begun to bend; the paper's rule alone stops it."""
    curve = _as_metric(WARM_UP_CURVE, direction)
    decisions = {}
    for hold in (True, False):
        study = tunekit.create_study(
            direction=direction, pruner=LearningCurvePruner(seed=0, hold_rising=hold)
        )
        _run(study, _as_metric(BEST_CURVE, direction))
        decisions[hold] = _prune_at_step(study, curve, 5)
    assert decisions == {True: False, False: True}


def test_a_bending_hopeless_curve_is_not_held() -> None:
    """The hold needs a straight rise: a curve levelling off far below the best still stops."""
    study = tunekit.create_study(direction="maximize", pruner=LearningCurvePruner(seed=0))
    _run(study, BEST_CURVE)
    assert _prune_at_step(study, HOPELESS_CURVE, 8)


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


def test_hold_rising_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="hold_rising"):
        LearningCurvePruner(hold_rising="yes")  # type: ignore[arg-type]
