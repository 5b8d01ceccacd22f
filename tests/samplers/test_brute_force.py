"""Tests of BruteForceSampler: every combination of a (conditional) discrete space, once."""

from __future__ import annotations

import itertools

import pytest

import tunekit
from tunekit.samplers import BruteForceSampler
from tunekit.trial import Trial, TrialState


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _paths(study: tunekit.Study) -> list[tuple]:
    return [tuple(sorted(t.params.items(), key=lambda kv: kv[0])) for t in study.trials]


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_fixed_space_is_enumerated_once(seed) -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=seed))

    def objective(trial: Trial) -> float:
        a = trial.suggest_int("a", 0, 2)
        b = trial.suggest_categorical("b", ["x", "y"])
        c = trial.suggest_float("c", 0.0, 1.0, step=0.5)
        d = trial.suggest_int("d", 0, 4, step=2)
        return a + c + d + (b == "y")

    study.optimize(objective, n_trials=1000)
    paths = [(t.params["a"], t.params["b"], t.params["c"], t.params["d"]) for t in study.trials]
    expected = set(itertools.product([0, 1, 2], ["x", "y"], [0.0, 0.5, 1.0], [0, 2, 4]))
    assert len(paths) == len(expected) == 54
    assert set(paths) == expected


def test_conditional_space_is_enumerated_once() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=0))

    def objective(trial: Trial) -> float:
        model = trial.suggest_categorical("model", ["linear", "tree", "knn"])
        if model == "linear":
            trial.suggest_categorical("penalty", ["l1", "l2"])
        elif model == "tree":
            depth = trial.suggest_int("depth", 1, 3)
            if depth > 1:
                trial.suggest_categorical("split", ["gini", "entropy"])
        return 0.0

    study.optimize(objective)  # stops by itself
    paths = _paths(study)
    expected = {
        (("model", "linear"), ("penalty", "l1")),
        (("model", "linear"), ("penalty", "l2")),
        (("depth", 1), ("model", "tree")),
        (("depth", 2), ("model", "tree"), ("split", "gini")),
        (("depth", 2), ("model", "tree"), ("split", "entropy")),
        (("depth", 3), ("model", "tree"), ("split", "gini")),
        (("depth", 3), ("model", "tree"), ("split", "entropy")),
        (("model", "knn"),),
    }
    assert len(paths) == len(expected)
    assert set(paths) == expected


def test_loop_dependent_space_is_enumerated_once() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=3))

    def objective(trial: Trial) -> float:
        n_layers = trial.suggest_int("n_layers", 1, 3)
        return sum(trial.suggest_categorical(f"w{i}", [0, 1]) for i in range(n_layers))

    study.optimize(objective)
    assert len(study.trials) == 2 + 4 + 8
    assert len(set(_paths(study))) == 14


def test_bool_and_int_values_are_distinct() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(lambda t: float(t.suggest_categorical("v", [1, True, 1.5, "1"]) == 1))
    values = [t.params["v"] for t in study.trials]
    assert len(values) == 4
    assert {(type(v).__name__, v) for v in values} == {
        ("int", 1),
        ("bool", True),
        ("float", 1.5),
        ("str", "1"),
    }


def test_failed_and_pruned_trials_count_as_tried() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=0))

    def objective(trial: Trial) -> float:
        x = trial.suggest_int("x", 0, 3)
        if x == 1:
            raise ValueError
        if x == 2:
            raise tunekit.TrialPruned()
        return x

    study.optimize(objective, catch=ValueError)
    assert sorted(t.params["x"] for t in study.trials) == [0, 1, 2, 3]
    assert {t.state for t in study.trials} == {
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.PRUNED,
    }


def test_with_threads_every_combination_is_tried() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=0))

    def objective(trial: Trial) -> float:
        return trial.suggest_int("a", 0, 3) + trial.suggest_int("b", 0, 3)

    study.optimize(objective, n_trials=200, n_jobs=2)
    combos = {(t.params["a"], t.params["b"]) for t in study.trials}
    assert combos == set(itertools.product(range(4), range(4)))
    assert all(t.state.is_finished() for t in study.trials)


def test_continuous_parameter_is_refused() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler())
    with pytest.raises(ValueError, match=r"continuous.*step"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_single_valued_space() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler())
    study.optimize(lambda t: t.suggest_int("x", 4, 4), n_trials=10)
    assert len(study.trials) == 1


def test_list_choices_are_enumerated_like_any_other() -> None:
    study = tunekit.create_study(sampler=BruteForceSampler(seed=0))
    with pytest.warns(UserWarning, match="kept as is"):
        study.optimize(lambda t: sum(t.suggest_categorical("layers", [[64, 32], [128], [8]])))
    assert sorted(tuple(t.params["layers"]) for t in study.trials) == [(8,), (64, 32), (128,)]
