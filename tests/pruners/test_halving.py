"""SuccessiveHalvingPruner and HyperbandPruner on real studies."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest

import tunekit
from tunekit.distributions import BaseDistribution
from tunekit.pruners.halving import HyperbandPruner, SuccessiveHalvingPruner
from tunekit.pruners.patient import PatientPruner
from tunekit.samplers.base import BaseSampler
from tunekit.trial import FrozenTrial, TrialState


def _run(study: tunekit.study.Study, curve: dict[int, float]) -> tuple[int | None, FrozenTrial]:
    """Report ``curve`` in a new trial until pruned; (the step it was pruned at or None, record)."""
    trial = study.ask()
    for step, value in curve.items():
        trial.report(value, step)
        if trial.should_prune():
            return step, study.tell(trial, state=TrialState.PRUNED)
    last = curve[max(curve)]
    return None, study.tell(trial, 0.0 if math.isnan(last) else last)


def _flat(value: float, n_steps: int) -> dict[int, float]:
    return {step: value for step in range(n_steps)}


def _rungs(trial: FrozenTrial) -> dict[str, float]:
    return {k: v for k, v in trial.system_attrs.items() if k.startswith("completed_rung_")}


# ------------------------------------------------------------------- successive halving


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_rung_promotion_keeps_the_top_fraction(direction: str) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    study = tunekit.create_study(
        direction=direction, pruner=SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    )
    # Rungs at steps 1, 2, 4, 8. Losses: trial 0 = 0.5, 1 = 0.9, 2 = 0.1, 3 = 0.3.
    step, first = _run(study, _flat(sign * 0.5, 10))
    assert step is None  # alone at every rung: promoted
    assert _rungs(first) == {f"completed_rung_{k}": sign * 0.5 for k in range(4)}

    step, worse = _run(study, _flat(sign * 0.9, 10))
    assert step == 1  # rung 0 holds 0.5, 0.9: the top half is 0.5
    assert _rungs(worse) == {"completed_rung_0": sign * 0.9}

    step, _ = _run(study, _flat(sign * 0.1, 10))
    assert step is None

    # Rung 0 holds 0.5, 0.9, 0.1, 0.3: the top two are promoted, 0.3 among them; rung 1 holds
    # 0.5, 0.1, 0.3: the top one (0.1) only.
    step, middle = _run(study, _flat(sign * 0.3, 10))
    assert step == 2
    assert _rungs(middle) == {"completed_rung_0": sign * 0.3, "completed_rung_1": sign * 0.3}


def test_no_pruning_before_the_first_rung() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=2, reduction_factor=3, min_early_stopping_rate=1)
    study = tunekit.create_study(pruner=pruner)
    _run(study, _flat(0.0, 20))
    # The first rung is at step 2 * 3 ** 1 = 6: a much worse trial runs until then.
    step, worse = _run(study, _flat(1.0, 20))
    assert step == 6
    assert _rungs(worse) == {"completed_rung_0": 1.0}


def test_rung_bookkeeping_is_read_back_from_the_storage() -> None:
    # The rungs a trial passed are read from the storage, not from the caller's (older) record:
    # a later rung is recorded under its own key and rung 0 keeps its value.
    study = tunekit.create_study(pruner=SuccessiveHalvingPruner(min_resource=1, reduction_factor=2))
    _run(study, _flat(1.0, 10))
    trial = study.ask()
    trial.report(0.5, 0)
    trial.report(0.5, 1)
    assert [trial.should_prune() for _ in range(3)] == [False, False, False]
    trial.report(5.0, 2)
    assert trial.should_prune()
    record = study.tell(trial, state=TrialState.PRUNED)
    assert _rungs(record) == {"completed_rung_0": 0.5, "completed_rung_1": 5.0}


def test_nan_at_a_rung_is_pruned() -> None:
    study = tunekit.create_study(pruner=SuccessiveHalvingPruner(min_resource=1, reduction_factor=2))
    _run(study, _flat(1.0, 4))
    step, record = _run(study, {0: 0.1, 1: math.nan, 2: 0.1})
    assert step == 1
    assert record.state == TrialState.PRUNED


def test_auto_min_resource_waits_for_a_completed_trial() -> None:
    study = tunekit.create_study(pruner=SuccessiveHalvingPruner(reduction_factor=2))
    # No trial completed yet: nothing is pruned, not even a hopeless trial.
    trial = study.ask()
    decisions = []
    for step in range(5):
        trial.report(100.0, step)
        decisions.append(trial.should_prune())
    assert decisions == [False] * 5
    study.tell(trial, state=TrialState.PRUNED)

    _run(study, _flat(1.0, 300))  # the longest curve ends at step 299: min_resource = 2
    step, reference = _run(study, _flat(1.0, 300))
    assert step is None
    assert sorted(_rungs(reference)) == [f"completed_rung_{k}" for k in range(8)]  # 2 .. 256
    step, _ = _run(study, _flat(5.0, 300))
    assert step == 2


def test_bootstrap_count_prunes_until_the_rung_is_filled() -> None:
    # As in Optuna: a trial reaching a rung where bootstrap_count values or fewer are recorded
    # (its own included) cannot be promoted, so it stops there.
    study = tunekit.create_study(
        pruner=SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, bootstrap_count=2)
    )
    assert _run(study, _flat(0.1, 3))[0] == 1
    assert _run(study, _flat(0.1, 3))[0] == 1
    # Third at rung 0: values 0.1, 0.1, 0.05 -> promoted; alone at rung 1 -> pruned there.
    assert _run(study, _flat(0.05, 3))[0] == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"min_resource": 0}, ValueError, "min_resource"),
        ({"min_resource": "big"}, ValueError, "min_resource"),
        ({"min_resource": 1.5}, TypeError, "min_resource"),
        ({"reduction_factor": 1}, ValueError, "reduction_factor"),
        ({"min_early_stopping_rate": -1}, ValueError, "min_early_stopping_rate"),
        ({"bootstrap_count": -1}, ValueError, "bootstrap_count"),
        ({"bootstrap_count": 2}, ValueError, "min_resource"),  # needs an explicit min_resource
    ],
)
def test_successive_halving_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        SuccessiveHalvingPruner(**kwargs)


# ----------------------------------------------------------------------------- hyperband


class _RecordingSampler(BaseSampler):
    """Samples uniformly and records which trials each sampler call could see."""

    def __init__(self) -> None:
        self.seen: dict[int, list[set[int]]] = {}
        self._rng = np.random.default_rng(0)

    def _record(self, study: Any, trial: FrozenTrial) -> None:
        visible = {t.number for t in study.get_trials(deepcopy=False)}
        also_private = {t.number for t in study._get_trials(deepcopy=False, use_cache=True)}
        assert visible == also_private
        self.seen.setdefault(trial.number, []).append(visible)

    def infer_relative_search_space(
        self, study: Any, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        self._record(study, trial)
        return {}

    def sample_relative(
        self, study: Any, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self._record(study, trial)
        return {}

    def sample_independent(
        self, study: Any, trial: FrozenTrial, param_name: str, param_distribution: Any
    ) -> Any:
        self._record(study, trial)
        return param_distribution.low + self._rng.random() * (
            param_distribution.high - param_distribution.low
        )


def _curve_objective(n_steps: int):
    def objective(trial: tunekit.trial.Trial) -> float:
        rate = trial.suggest_float("rate", 0.0, 1.0)
        for step in range(n_steps):
            trial.report(rate * (step + 1), step)
            if trial.should_prune():
                raise tunekit.TrialPruned()
        return rate * n_steps

    return objective


def test_brackets_are_a_deterministic_function_of_the_trial_number() -> None:
    first = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    second = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    assert first.n_brackets == 4
    numbers = range(200)
    brackets = [first.bracket_of(n) for n in numbers]
    assert brackets == [second.bracket_of(n) for n in numbers]
    # One cycle holds each bracket's share ceil(n_b * eta**s / (s + 1)): 27, 12, 6 and 4.
    cycle = 27 + 12 + 6 + 4
    assert Counter(brackets[:cycle]) == {0: 27, 1: 12, 2: 6, 3: 4}
    assert brackets[:cycle] == brackets[cycle : 2 * cycle]
    # The shares are interleaved, not in blocks: every bracket appears in the first 10 trials.
    assert set(brackets[:10]) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    ("min_resource", "max_resource", "reduction_factor", "n_brackets"),
    # floor(log_eta(R / r)) + 1, exact at powers of eta (243 = 3 ** 5).
    [(1, 27, 3, 4), (1, 26, 3, 3), (1, 100, 3, 5), (2, 81, 3, 4), (1, 243, 3, 6), (5, 5, 3, 1)],
)
def test_number_of_brackets(
    min_resource: int, max_resource: int, reduction_factor: int, n_brackets: int
) -> None:
    pruner = HyperbandPruner(min_resource, max_resource, reduction_factor)
    assert pruner.n_brackets == n_brackets
    assert {pruner.bracket_of(n) for n in range(500)} == set(range(n_brackets))


def test_bracket_of_a_trial_does_not_depend_on_the_study() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    for name in ("a", "b"):
        sampler = _RecordingSampler()
        study = tunekit.create_study(study_name=name, sampler=sampler, pruner=pruner)
        study.optimize(_curve_objective(9), n_trials=20)
        for number, views in sampler.seen.items():
            bracket = pruner.bracket_of(number)
            assert all({pruner.bracket_of(m) for m in view} == {bracket} for view in views)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_sampler_sees_only_the_trials_of_its_bracket(direction: str) -> None:
    sampler = _RecordingSampler()
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    study = tunekit.create_study(direction=direction, sampler=sampler, pruner=pruner)
    study.optimize(_curve_objective(27), n_trials=60)

    assert sorted(sampler.seen) == list(range(60))
    for number, views in sampler.seen.items():
        bracket = pruner.bracket_of(number)
        expected = {m for m in range(number + 1) if pruner.bracket_of(m) == bracket}
        assert views == [expected] * len(views)
    # The sampler's view is narrower than the study for all but the first trial.
    assert all(len(views[0]) < number + 1 for number, views in sampler.seen.items() if number > 1)


def test_auto_max_resource_shows_all_trials_until_a_trial_completed() -> None:
    sampler = _RecordingSampler()
    pruner = HyperbandPruner(min_resource=1, reduction_factor=3)
    study = tunekit.create_study(sampler=sampler, pruner=pruner)
    assert pruner.n_brackets == 1
    first = study.ask()
    first.suggest_float("rate", 0.0, 1.0)
    second = study.ask()
    second.suggest_float("rate", 0.0, 1.0)
    assert sampler.seen[1][-1] == {0, 1}  # no bracket known yet: the whole study
    for step in range(27):
        first.report(1.0, step)
    study.tell(first, 1.0)
    study.tell(second, state=TrialState.PRUNED)

    assert pruner.n_brackets == 1  # estimated lazily, at the next sampler or pruner call
    study.optimize(_curve_objective(27), n_trials=10)
    assert pruner.n_brackets == 4  # max_resource = 26 + 1 = 27
    for number in range(2, 12):
        bracket = pruner.bracket_of(number)
        assert sampler.seen[number][-1] == {
            m for m in range(number + 1) if pruner.bracket_of(m) == bracket
        }


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_each_bracket_halves_on_its_own_rungs(direction: str) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    study = tunekit.create_study(direction=direction, pruner=pruner)
    rng = np.random.default_rng(0)
    pruned_steps: dict[int, list[int]] = {0: [], 1: [], 2: [], 3: []}
    for loss in rng.uniform(0.0, 1.0, size=120):
        number = len(study.trials)
        step, _ = _run(study, _flat(sign * float(loss), 27))
        if step is not None:
            pruned_steps[pruner.bracket_of(number)].append(step)
    # Bracket b's rungs are at 3 ** (b + k); bracket 3's first rung (27) is past the last step.
    for bracket, steps in pruned_steps.items():
        assert set(steps) <= {3 ** (bracket + k) for k in range(3)}
    assert pruned_steps[0] and pruned_steps[1] and not pruned_steps[3]


def test_trials_compete_only_within_their_bracket() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    assert (pruner.bracket_of(0), pruner.bracket_of(1)) == (0, 1)
    study = tunekit.create_study(pruner=pruner)
    step, best = _run(study, _flat(0.1, 27))  # bracket 0: records rungs at steps 1, 3, 9
    assert step is None
    assert "completed_rung_0" in best.system_attrs
    # Much worse, but first in bracket 1: alone at its rungs (3, 9), so promoted.
    step, worse = _run(study, _flat(0.9, 27))
    assert step is None
    assert _rungs(worse) == {"completed_rung_0": 0.9, "completed_rung_1": 0.9}


def test_patient_pruner_keeps_hyperbands_bracket_view() -> None:
    sampler = _RecordingSampler()
    hyperband = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    study = tunekit.create_study(sampler=sampler, pruner=PatientPruner(hyperband, patience=1))
    study.optimize(_curve_objective(27), n_trials=15)
    for number, views in sampler.seen.items():
        bracket = hyperband.bracket_of(number)
        assert views[-1] == {m for m in range(number + 1) if hyperband.bracket_of(m) == bracket}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"min_resource": 0}, ValueError, "min_resource"),
        ({"max_resource": "max"}, ValueError, "max_resource"),
        ({"max_resource": 0}, ValueError, "max_resource"),
        ({"min_resource": 10, "max_resource": 5}, ValueError, "max_resource"),
        ({"reduction_factor": 1}, ValueError, "reduction_factor"),
        ({"reduction_factor": 2.5}, TypeError, "reduction_factor"),
        ({"bootstrap_count": -1}, ValueError, "bootstrap_count"),
    ],
)
def test_hyperband_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        HyperbandPruner(**kwargs)


def test_grid_sampler_under_hyperband_stops_the_real_study() -> None:
    # The sampler sees a bracket view; stopping must still reach the study itself.
    grid = {"x": [0, 1, 2, 3]}
    study = tunekit.create_study(
        sampler=tunekit.samplers.GridSampler(grid, seed=0),
        pruner=HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3),
    )

    def objective(trial: tunekit.Trial) -> float:
        x = trial.suggest_int("x", 0, 3)
        trial.report(float(x), 1)
        return float(x)

    study.optimize(objective, n_trials=50)
    assert sorted(t.params["x"] for t in study.trials) == [0, 1, 2, 3]
