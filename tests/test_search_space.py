"""Tests of tunekit.search_space: the intersection search space, batch and incremental."""

from __future__ import annotations

import numpy as np
import pytest

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.search_space import IntersectionSearchSpace, intersection_search_space
from tunekit.trial import TrialState, create_trial


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.ERROR)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


X = FloatDistribution(0, 1)
N = IntDistribution(0, 5)
C = CategoricalDistribution(["a", "b"])


def _trial(state=TrialState.COMPLETE, **params):
    distributions = {"x": X, "n": N, "c": C}
    value = 0.0 if state == TrialState.COMPLETE else None
    return create_trial(
        state=state,
        value=value,
        params=params,
        distributions={name: distributions[name] for name in params},
    )


def test_intersection_of_trials() -> None:
    trials = [_trial(x=0.5, n=1, c="a"), _trial(x=0.1, n=2), _trial(x=0.2, n=3, c="b")]
    assert intersection_search_space(trials) == {"n": N, "x": X}
    assert list(intersection_search_space(trials)) == ["n", "x"]  # names sorted


def test_only_finished_states_count() -> None:
    trials = [
        _trial(x=0.5, n=1),
        _trial(TrialState.PRUNED, x=0.5),
        _trial(TrialState.FAIL, c="a"),
        _trial(TrialState.RUNNING, c="a"),
    ]
    assert intersection_search_space(trials) == {"n": N, "x": X}
    assert intersection_search_space(trials, include_pruned=True) == {"x": X}


def test_a_changed_distribution_leaves_the_space() -> None:
    other_x = create_trial(
        value=0.0, params={"x": 0.5, "n": 1}, distributions={"x": FloatDistribution(0, 2), "n": N}
    )
    assert intersection_search_space([_trial(x=0.5, n=1), other_x]) == {"n": N}


def test_empty() -> None:
    assert intersection_search_space([]) == {}
    assert intersection_search_space([_trial(TrialState.FAIL, x=0.1)]) == {}
    study = tunekit.create_study()
    assert IntersectionSearchSpace().calculate(study) == {}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("include_pruned", [False, True])
def test_incremental_matches_batch_under_any_finishing_order(
    seed: int, include_pruned: bool
) -> None:
    rng = np.random.default_rng(seed)
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=seed))
    incremental = IntersectionSearchSpace(include_pruned=include_pruned)
    running = []
    for _ in range(60):
        if running and rng.random() < 0.5:
            trial = running.pop(int(rng.integers(len(running))))
            outcome = rng.choice(["complete", "pruned", "fail"], p=[0.6, 0.2, 0.2])
            if outcome == "complete":
                study.tell(trial, 0.0)
            elif outcome == "pruned":
                study.tell(trial, state=TrialState.PRUNED)
            else:
                study.tell(trial, state=TrialState.FAIL)
        else:
            trial = study.ask()
            for name, distribution in (("x", X), ("n", N), ("c", C)):
                if rng.random() < 0.85:
                    trial._suggest(name, distribution)
            running.append(trial)
        expected = intersection_search_space(study.trials, include_pruned=include_pruned)
        assert incremental.calculate(study) == expected


def test_incremental_starts_over_for_another_study() -> None:
    # Two in-memory studies both have id 0 in their own storage: the space must not carry over.
    space = IntersectionSearchSpace()
    first = tunekit.create_study()
    first.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert space.calculate(first) == {"x": X}
    second = tunekit.create_study()
    second.optimize(lambda t: t.suggest_int("n", 0, 5), n_trials=2)
    assert second._study_id == first._study_id
    assert space.calculate(second) == {"n": N}
    assert space.calculate(first) == {"x": X}
