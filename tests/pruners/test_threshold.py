"""ThresholdPruner on real studies."""

from __future__ import annotations

import math

import pytest

import tunekit
from tunekit.pruners.threshold import ThresholdPruner
from tunekit.trial import TrialState


def _decisions(study: tunekit.study.Study, curve: dict[int, float]) -> list[bool]:
    """Report ``curve`` in a new trial, asking should_prune() after every step."""
    trial = study.ask()
    decisions = []
    for step, value in curve.items():
        trial.report(value, step)
        decisions.append(trial.should_prune())
    study.tell(trial, state=TrialState.PRUNED)
    return decisions


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_prunes_outside_the_band_in_either_direction(direction: str) -> None:
    # The band is absolute: the same values give the same decisions whatever the direction.
    study = tunekit.create_study(direction=direction, pruner=ThresholdPruner(lower=0.0, upper=1.0))
    assert _decisions(study, {0: 0.5, 1: 1.0, 2: 0.0, 3: 1.5}) == [False, False, False, True]
    assert _decisions(study, {0: 0.5, 1: -0.1}) == [False, True]
    # Only the latest value matters: back inside the band is not pruned.
    assert _decisions(study, {0: 2.0, 1: 0.5}) == [True, False]


def test_one_sided_bounds() -> None:
    study = tunekit.create_study(pruner=ThresholdPruner(upper=10.0))
    assert _decisions(study, {0: -1e30, 1: 10.0, 2: 10.5}) == [False, False, True]
    study = tunekit.create_study(direction="maximize", pruner=ThresholdPruner(lower=0.2))
    assert _decisions(study, {0: 1e30, 1: 0.2, 2: 0.1}) == [False, False, True]


def test_nan_is_pruned_after_warmup() -> None:
    study = tunekit.create_study(pruner=ThresholdPruner(upper=1.0, n_warmup_steps=2))
    assert _decisions(study, {0: math.nan, 1: math.nan, 2: math.nan}) == [False, False, True]


def test_never_prunes_during_warmup() -> None:
    study = tunekit.create_study(pruner=ThresholdPruner(lower=0.0, n_warmup_steps=3))
    assert _decisions(study, {step: -5.0 for step in range(6)}) == [False] * 3 + [True] * 3


def test_interval_steps() -> None:
    study = tunekit.create_study(
        pruner=ThresholdPruner(upper=0.0, n_warmup_steps=1, interval_steps=2)
    )
    decisions = _decisions(study, {step: 1.0 for step in range(8)})
    assert [step for step, prune in enumerate(decisions) if prune] == [1, 3, 5, 7]


def test_optimize_stops_diverging_trials() -> None:
    def objective(trial: tunekit.trial.Trial) -> float:
        growth = trial.suggest_float("growth", 0.5, 1.5)
        loss = 1.0
        for epoch in range(20):
            loss *= growth
            trial.report(loss, epoch)
            if trial.should_prune():
                raise tunekit.TrialPruned()
        return loss

    study = tunekit.create_study(
        sampler=tunekit.samplers.RandomSampler(seed=0), pruner=ThresholdPruner(upper=5.0)
    )
    study.optimize(objective, n_trials=30)
    for trial in study.trials:
        diverges = trial.params["growth"] ** 20 > 5.0
        assert (trial.state == TrialState.PRUNED) == diverges
        if diverges:  # stopped at the first value above the bound
            assert trial.params["growth"] ** (trial.last_step + 1) > 5.0
            assert trial.params["growth"] ** trial.last_step <= 5.0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "lower"),
        ({"lower": 2.0, "upper": 1.0}, ValueError, "lower"),
        ({"lower": "0"}, TypeError, "lower"),
        ({"upper": math.nan}, ValueError, "upper"),
        ({"upper": 1.0, "n_warmup_steps": -1}, ValueError, "n_warmup_steps"),
        ({"upper": 1.0, "interval_steps": 0}, ValueError, "interval_steps"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ThresholdPruner(**kwargs)
