"""PatientPruner on real studies."""

from __future__ import annotations

import math

import pytest

import tunekit
from tunekit.pruners.median import MedianPruner
from tunekit.pruners.nop import NopPruner
from tunekit.pruners.patient import PatientPruner
from tunekit.trial import TrialState


def _decisions(study: tunekit.study.Study, curve: list[float]) -> list[bool]:
    """Report ``curve`` (steps 0, 1, ...) in a new trial, asking should_prune() after each."""
    trial = study.ask()
    decisions = []
    for step, value in enumerate(curve):
        trial.report(value, step)
        decisions.append(trial.should_prune())
    study.tell(trial, state=TrialState.PRUNED)
    return decisions


def _first_prune(decisions: list[bool]) -> int | None:
    return decisions.index(True) if True in decisions else None


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_prunes_after_patience_steps_without_improvement(direction: str) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    study = tunekit.create_study(direction=direction, pruner=PatientPruner(None, patience=2))
    # Best at step 2, then three worse values: the window of the last 3 has no improvement
    # on the best before it at step 5.
    losses = [3.0, 2.0, 1.0, 1.5, 1.2, 1.1, 1.3]
    assert _first_prune(_decisions(study, [sign * v for v in losses])) == 5
    # A curve that keeps improving, however slowly, is never pruned.
    assert _first_prune(_decisions(study, [sign * (10.0 - 0.01 * i) for i in range(30)])) is None
    # A flat curve does not get worse: not pruned either (Optuna's strict comparison).
    assert _first_prune(_decisions(study, [sign * 1.0] * 10)) is None


def test_too_few_steps_never_prune() -> None:
    study = tunekit.create_study(pruner=PatientPruner(None, patience=3))
    assert _decisions(study, [1.0, 2.0, 3.0, 4.0]) == [False] * 4
    assert _decisions(study, [1.0, 2.0, 3.0, 4.0, 5.0]) == [False] * 4 + [True]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_min_delta_tolerates_small_setbacks(direction: str) -> None:
    # Optuna's rule: prune when the recent window's best is worse than the earlier best by more
    # than min_delta. The best is 0.8 at step 1; the window at step 3 is at best 0.83.
    sign = 1.0 if direction == "minimize" else -1.0
    losses = [1.0, 0.8, 0.85, 0.83, 0.86]
    exact = tunekit.create_study(direction=direction, pruner=PatientPruner(None, patience=1))
    assert _first_prune(_decisions(exact, [sign * v for v in losses])) == 3
    tolerant = tunekit.create_study(
        direction=direction, pruner=PatientPruner(None, patience=1, min_delta=0.05)
    )
    assert _first_prune(_decisions(tolerant, [sign * v for v in losses])) is None


def test_the_wrapped_pruner_decides_once_patience_ran_out() -> None:
    study = tunekit.create_study(pruner=PatientPruner(MedianPruner(n_startup_trials=1), patience=1))
    finished = study.ask()
    for step in range(6):
        finished.report(5.0, step)
    study.tell(finished, 5.0)
    # Stalled but better than the median: the median pruner keeps it.
    assert _first_prune(_decisions(study, [1.0, 1.2, 1.3, 1.4])) is None
    # Stalled and worse than the median: pruned once patience ran out (step 2), not before.
    assert _first_prune(_decisions(study, [9.0, 9.5, 9.6, 9.7])) == 2
    # Worse than the median but still improving: patience is not exhausted, so never asked.
    assert _first_prune(_decisions(study, [9.0, 8.9, 8.8, 8.7])) is None
    # A wrapped pruner that never prunes is never overruled.
    never = tunekit.create_study(pruner=PatientPruner(NopPruner(), patience=0))
    assert _decisions(never, [1.0, 2.0, 3.0]) == [False] * 3


def test_nan_values_are_ignored() -> None:
    study = tunekit.create_study(pruner=PatientPruner(None, patience=1))
    assert _decisions(study, [1.0, math.nan, 2.0, 3.0]) == [False, False, True, True]
    assert _decisions(study, [math.nan] * 5) == [False] * 5
    assert _decisions(study, [1.0, 0.5, math.nan, math.nan]) == [False] * 4


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"wrapped_pruner": None, "patience": -1}, ValueError, "patience"),
        ({"wrapped_pruner": None, "patience": 1.5}, TypeError, "patience"),
        ({"wrapped_pruner": None, "patience": 1, "min_delta": -0.1}, ValueError, "min_delta"),
        ({"wrapped_pruner": None, "patience": 1, "min_delta": math.nan}, ValueError, "min_delta"),
        ({"wrapped_pruner": "median", "patience": 1}, TypeError, "wrapped_pruner"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        PatientPruner(**kwargs)
