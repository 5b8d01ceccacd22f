"""MedianPruner and PercentilePruner on real studies (ask/tell and optimize)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tunekit
from tunekit.pruners.median import MedianPruner, PercentilePruner
from tunekit.trial import TrialState


def _complete(study: tunekit.study.Study, curve: dict[int, float]) -> None:
    """Run one trial that reports ``curve`` and completes with its last value."""
    trial = study.ask()
    for step, value in curve.items():
        trial.report(value, step)
    last = curve[max(curve)]
    study.tell(trial, 0.0 if math.isnan(last) else last)


def _decisions(study: tunekit.study.Study, curve: dict[int, float]) -> list[bool]:
    """Report ``curve`` in a new trial, asking should_prune() after every step; then prune it."""
    trial = study.ask()
    decisions = []
    for step, value in curve.items():
        trial.report(value, step)
        decisions.append(trial.should_prune())
    study.tell(trial, state=TrialState.PRUNED)
    return decisions


def _flat(value: float, n_steps: int = 10) -> dict[int, float]:
    return {step: value for step in range(n_steps)}


def _sign(direction: str) -> float:
    """Multiply a loss by this to get the same ranking in ``direction``."""
    return 1.0 if direction == "minimize" else -1.0


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_bad_trial_is_pruned_and_good_trial_is_not(direction: str) -> None:
    sign = _sign(direction)
    study = tunekit.create_study(direction=direction, pruner=MedianPruner(n_startup_trials=5))
    for loss in (1.0, 1.1, 1.2, 1.3, 1.4):
        _complete(study, _flat(sign * loss))

    assert _decisions(study, _flat(sign * 2.0)) == [True] * 10
    assert _decisions(study, _flat(sign * 0.5)) == [False] * 10
    # The median (1.2) itself is not worse than the median.
    assert _decisions(study, _flat(sign * 1.2)) == [False] * 10


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_never_prunes_before_n_startup_trials_completed(direction: str) -> None:
    sign = _sign(direction)
    study = tunekit.create_study(direction=direction, pruner=MedianPruner(n_startup_trials=3))
    _complete(study, _flat(sign * 1.0))
    _complete(study, _flat(sign * 1.0))
    # Pruned and failed trials do not count as completed.
    _decisions(study, _flat(sign * 1.0))
    failed = study.ask()
    failed.report(sign * 1.0, 0)
    study.tell(failed, state=TrialState.FAIL)

    assert _decisions(study, _flat(sign * 100.0)) == [False] * 10
    _complete(study, _flat(sign * 1.0))
    assert _decisions(study, _flat(sign * 100.0)) == [True] * 10


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_never_prunes_during_warmup(direction: str) -> None:
    sign = _sign(direction)
    study = tunekit.create_study(
        direction=direction, pruner=MedianPruner(n_startup_trials=1, n_warmup_steps=4)
    )
    _complete(study, _flat(sign * 1.0))
    assert _decisions(study, _flat(sign * 100.0, n_steps=7)) == [False] * 4 + [True] * 3
    # Even a trial whose every value is NaN runs through the warm-up.
    assert _decisions(study, _flat(math.nan, n_steps=6)) == [False] * 4 + [True] * 2


def test_interval_steps_judges_only_the_first_step_of_each_interval() -> None:
    study = tunekit.create_study(
        pruner=MedianPruner(n_startup_trials=1, n_warmup_steps=2, interval_steps=3)
    )
    _complete(study, _flat(1.0, n_steps=12))
    decisions = _decisions(study, _flat(5.0, n_steps=12))
    assert [step for step, prune in enumerate(decisions) if prune] == [2, 5, 8, 11]

    # A trial that skips steps is judged at its first step past each boundary.
    sparse = {0: 5.0, 3: 5.0, 4: 5.0, 7: 5.0, 9: 5.0}
    assert _decisions(study, sparse) == [False, True, False, True, True]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_compares_the_trials_best_value_so_far(direction: str) -> None:
    # Optuna's rule: the trial's best value over its steps, against the others at this step.
    sign = _sign(direction)
    study = tunekit.create_study(direction=direction, pruner=MedianPruner(n_startup_trials=1))
    _complete(study, {0: sign * 1.0, 1: sign * 1.0})
    assert _decisions(study, {0: sign * 0.5, 1: sign * 5.0}) == [False, False]
    assert _decisions(study, {0: sign * 2.0, 1: sign * 0.9}) == [True, False]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_nan_values_of_other_trials_are_ignored(direction: str) -> None:
    sign = _sign(direction)
    study = tunekit.create_study(direction=direction, pruner=MedianPruner(n_startup_trials=1))
    for loss in (math.nan, math.nan, math.nan, 1.0, 3.0):
        _complete(study, {0: sign * 1.0, 1: sign * loss, 2: sign * 1.0})
    # The median at step 1 is 2.0, from the two numbers; NaN neither counts nor poisons it.
    assert _decisions(study, {1: sign * 2.5}) == [True]
    assert _decisions(study, {1: sign * 1.5}) == [False]
    # A NaN in the trial's own curve is skipped when taking its best value.
    assert _decisions(study, {0: sign * 0.5, 1: math.nan}) == [False, False]


def test_nan_values_do_not_count_towards_n_min_trials() -> None:
    study = tunekit.create_study(pruner=MedianPruner(n_startup_trials=1, n_min_trials=3))
    for loss in (math.nan, math.nan, 1.0, 3.0):
        _complete(study, {0: 1.0, 1: loss})
    assert _decisions(study, {1: 10.0}) == [False]
    _complete(study, {0: 1.0, 1: 2.0})
    assert _decisions(study, {1: 10.0}) == [True]


def test_steps_that_no_completed_trial_reached_do_not_prune() -> None:
    study = tunekit.create_study(pruner=MedianPruner(n_startup_trials=1))
    _complete(study, _flat(1.0, n_steps=3))
    assert _decisions(study, {5: 100.0, 6: 100.0}) == [False, False]


@pytest.mark.parametrize(
    ("direction", "kept", "pruned"),
    # The completed trials report 1..8 at the step; 25% are kept, counted from the best side.
    [("minimize", 2.5, 3.0), ("maximize", 6.5, 6.0)],
)
def test_percentile_keeps_the_best_share(direction: str, kept: float, pruned: float) -> None:
    study = tunekit.create_study(
        direction=direction, pruner=PercentilePruner(25.0, n_startup_trials=8)
    )
    for value in range(1, 9):
        _complete(study, {0: float(value)})
    # np.percentile(1..8, 25) = 2.75 and np.percentile(1..8, 75) = 6.25.
    assert _decisions(study, {0: kept}) == [False]
    assert _decisions(study, {0: pruned}) == [True]


def test_median_over_thousands_of_trials_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(2001, 3))
    study = tunekit.create_study(pruner=MedianPruner(n_startup_trials=5))
    for row in values:
        study.add_trial(
            tunekit.trial.create_trial(
                value=float(row[-1]), intermediate_values=dict(enumerate(row.tolist()))
            )
        )
    median = float(np.median(values[:, 2]))
    assert _decisions(study, {2: median + 1e-9}) == [True]
    assert _decisions(study, {2: median - 1e-9}) == [False]


def test_optimize_prunes_slow_learners_and_keeps_the_best() -> None:
    def objective(trial: tunekit.trial.Trial) -> float:
        rate = trial.suggest_float("rate", 0.01, 0.5)
        loss = 1.0
        for epoch in range(20):
            loss *= 1.0 - rate
            trial.report(loss, epoch)
            if trial.should_prune():
                raise tunekit.TrialPruned()
        return loss

    study = tunekit.create_study(
        sampler=tunekit.samplers.RandomSampler(seed=3),
        pruner=MedianPruner(n_startup_trials=5, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=40)
    states = [t.state for t in study.trials]
    assert states.count(TrialState.PRUNED) >= 10
    best_rate = max(t.params["rate"] for t in study.trials)
    assert study.best_params["rate"] == best_rate


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_startup_trials": -1}, ValueError, "n_startup_trials"),
        ({"n_warmup_steps": -2}, ValueError, "n_warmup_steps"),
        ({"interval_steps": 0}, ValueError, "interval_steps"),
        ({"n_min_trials": 0}, ValueError, "n_min_trials"),
        ({"n_startup_trials": 1.5}, TypeError, "n_startup_trials"),
        ({"interval_steps": True}, TypeError, "interval_steps"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        MedianPruner(**kwargs)
    with pytest.raises(error, match=message):
        PercentilePruner(50.0, **kwargs)


@pytest.mark.parametrize("percentile", [-0.1, 100.5, math.nan, "50"])
def test_bad_percentile_is_named(percentile: object) -> None:
    with pytest.raises((ValueError, TypeError), match="percentile"):
        PercentilePruner(percentile)  # type: ignore[arg-type]
