"""Tests of GridSampler: every grid point exactly once, also under threads; then the study stops."""

from __future__ import annotations

import itertools
import time

import pytest

import tunekit
from tunekit.samplers import GridSampler
from tunekit.storages import InMemoryStorage
from tunekit.trial import Trial, TrialState

GRID = {"x": [-2, -1, 0, 1, 2], "kind": ["a", "b", "c"], "lr": [0.001, 0.01]}
N_POINTS = 5 * 3 * 2


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _objective(trial: Trial) -> float:
    x = trial.suggest_int("x", -2, 2)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    lr = trial.suggest_float("lr", 1e-3, 1e-2, log=True)
    return x**2 + ord(kind) + lr


def _points(study: tunekit.Study) -> list[tuple]:
    return [(t.params["x"], t.params["kind"], t.params["lr"]) for t in study.trials]


def _all_points() -> set[tuple]:
    return set(itertools.product(GRID["x"], GRID["kind"], GRID["lr"]))


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_every_point_exactly_once_then_stop(seed) -> None:
    study = tunekit.create_study(sampler=GridSampler(GRID, seed=seed))
    study.optimize(_objective, n_trials=1000)
    points = _points(study)
    assert len(points) == N_POINTS
    assert set(points) == _all_points()
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_every_point_exactly_once_with_threads() -> None:
    study = tunekit.create_study(sampler=GridSampler(GRID, seed=0))

    def objective(trial: Trial) -> float:
        time.sleep(0.001)
        return _objective(trial)

    study.optimize(objective, n_trials=1000, n_jobs=4)
    points = _points(study)
    assert len(points) == N_POINTS
    assert set(points) == _all_points()


def test_without_n_trials_the_study_stops_when_exhausted() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [0, 1, 2]}))
    study.optimize(lambda t: t.suggest_int("x", 0, 2))
    assert sorted(t.params["x"] for t in study.trials) == [0, 1, 2]
    # An exhausted grid starts no new trial.
    study.optimize(lambda t: t.suggest_int("x", 0, 2), n_trials=5)
    assert len(study.trials) == 3


def test_grid_resumes_across_optimize_calls_and_sampler_instances() -> None:
    storage = InMemoryStorage()
    study = tunekit.create_study(storage=storage, study_name="g", sampler=GridSampler(GRID))
    study.optimize(_objective, n_trials=7)
    assert len(study.trials) == 7
    # Another worker (another sampler instance of the same grid) finishes the rest.
    other = tunekit.load_study(study_name="g", storage=storage, sampler=GridSampler(GRID))
    other.optimize(_objective)
    assert len(other.trials) == N_POINTS
    assert set(_points(other)) == _all_points()


def test_interleaved_workers_never_repeat_a_point() -> None:
    storage = InMemoryStorage()
    grid = {"x": list(range(12))}
    tunekit.create_study(storage=storage, study_name="g")
    workers = [
        tunekit.load_study(study_name="g", storage=storage, sampler=GridSampler(grid, seed=s))
        for s in range(3)
    ]
    trials = [w.ask() for w in workers for _ in range(4)]
    for trial in trials:
        trial.suggest_int("x", 0, 11)
    xs = [t.params["x"] for t in trials]
    assert sorted(xs) == list(range(12))


def test_grid_records_its_point() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [0.5, 1.5]}))
    study.optimize(lambda t: t.suggest_float("x", 0, 2), n_trials=2)
    for trial in study.trials:
        grid_id = trial.system_attrs["grid_id"]
        assert [0.5, 1.5][grid_id] == trial.params["x"]
        assert trial.system_attrs["search_space"] == {"x": [0.5, 1.5]}


def test_failed_trials_use_up_their_point() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [0, 1, 2, 3]}))

    def objective(trial: Trial) -> float:
        x = trial.suggest_int("x", 0, 3)
        if x == 1:
            raise ValueError("x=1 breaks")
        return x

    study.optimize(objective, catch=ValueError)
    assert sorted(t.params["x"] for t in study.trials) == [0, 1, 2, 3]
    assert sum(t.state == TrialState.FAIL for t in study.trials) == 1


def test_parameter_outside_the_grid_fails_the_trial() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [0, 1]}))

    def objective(trial: Trial) -> float:
        return trial.suggest_int("x", 0, 1) + trial.suggest_float("y", 0, 1)

    with pytest.raises(ValueError, match=r"'y'.*\['x'\]"):
        study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_grid_value_outside_the_distribution_warns() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [5.0]}))
    with pytest.warns(UserWarning, match=r"5.0.*'x'"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[0].params["x"] == 5.0


def test_enqueued_trial_with_grid() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [0, 1]}))
    study.enqueue_trial({"x": 7})
    study.optimize(lambda t: t.suggest_int("x", 0, 10), n_trials=1)
    assert study.trials[0].params["x"] == 7
    assert "grid_id" not in study.trials[0].system_attrs
    study.optimize(lambda t: t.suggest_int("x", 0, 10))
    assert sorted(t.params["x"] for t in study.trials) == [0, 1, 7]


def test_same_seed_same_order() -> None:
    orders = []
    for _ in range(2):
        study = tunekit.create_study(sampler=GridSampler(GRID, seed=5))
        study.optimize(_objective)
        orders.append(_points(study))
    assert orders[0] == orders[1]


def test_ask_past_the_end_warns_and_reevaluates() -> None:
    study = tunekit.create_study(sampler=GridSampler({"x": [0, 1]}))
    study.optimize(lambda t: t.suggest_int("x", 0, 1))
    with pytest.warns(UserWarning, match="already taken"):
        trial = study.ask()
    assert trial.suggest_int("x", 0, 1) in (0, 1)


@pytest.mark.parametrize(
    ("space", "pattern"),
    [
        ({}, r"`search_space`.*\{\}"),
        ([("x", [1])], r"`search_space`"),
        ({"x": []}, r"search_space\['x'\].*\[\]"),
        ({"x": "abc"}, r"search_space\['x'\].*'abc'"),
        ({"x": [{1, 2}]}, r"\{1, 2\}.*search_space\['x'\]"),
        ({"x": [[1, object()]]}, r"search_space\['x'\]"),
    ],
)
def test_bad_search_space(space, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        GridSampler(space)  # type: ignore[arg-type]


def test_numpy_grids_are_accepted_as_in_optuna() -> None:
    np = pytest.importorskip("numpy")
    sampler = GridSampler({"x": np.linspace(0.0, 1.0, 3), "n": [np.int64(1), np.int64(2)]})
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 3))
    points = {(t.params["x"], t.params["n"]) for t in study.trials}
    assert points == {(x, n) for x in (0.0, 0.5, 1.0) for n in (1, 2)}
    assert all(type(t.params["n"]) is int for t in study.trials)
    assert study.trials[0].system_attrs["search_space"] == {"n": [1, 2], "x": [0.0, 0.5, 1.0]}
    # The same grid given as plain lists is the same grid (the same claim key).
    assert GridSampler({"x": [0.0, 0.5, 1.0], "n": [1, 2]})._grid_key == sampler._grid_key


def test_list_values_work_with_a_warning_as_in_optuna() -> None:
    with pytest.warns(UserWarning, match=r"\[64, 32\] in search_space\['layers'\]"):
        sampler = GridSampler({"layers": [[64, 32], [128]], "lr": [0.1, 0.01]})
    study = tunekit.create_study(sampler=sampler)
    with pytest.warns(UserWarning):
        study.optimize(
            lambda t: (
                sum(t.suggest_categorical("layers", [[64, 32], [128]]))
                * t.suggest_categorical("lr", [0.1, 0.01])
            )
        )
    assert sorted((tuple(t.params["layers"]), t.params["lr"]) for t in study.trials) == [
        ((64, 32), 0.01),
        ((64, 32), 0.1),
        ((128,), 0.01),
        ((128,), 0.1),
    ]
