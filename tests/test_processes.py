"""optimize(processes=True): forked workers on one shared database."""

from __future__ import annotations

import pathlib

import pytest

import tunekit
from tunekit.trial import TrialState

pytest.importorskip("sqlalchemy")


def _sqlite_url(tmp_path: pathlib.Path) -> str:
    return f"sqlite:///{tmp_path / 'study.db'}"


@pytest.mark.slow
def test_processes_share_the_trial_budget_and_numbers(tmp_path: pathlib.Path) -> None:
    url = _sqlite_url(tmp_path)
    study = tunekit.create_study(storage=url, sampler=tunekit.samplers.RandomSampler(seed=0))
    offset = 3.0  # a closure: forked workers need no pickling

    study.optimize(
        lambda t: t.suggest_float("x", -1, 1) ** 2 + offset, n_trials=24, n_jobs=3, processes=True
    )

    trials = tunekit.load_study(study_name=study.study_name, storage=url).trials
    assert [t.number for t in trials] == list(range(24))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert all(t.value >= offset for t in trials)
    # Each worker reseeds its sampler, so the workers do not repeat each other's points.
    assert len({t.params["x"] for t in trials}) == 24


@pytest.mark.slow
def test_processes_stop_from_a_callback(tmp_path: pathlib.Path) -> None:
    url = _sqlite_url(tmp_path)
    study = tunekit.create_study(storage=url)
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1),
        n_trials=200,
        n_jobs=2,
        processes=True,
        callbacks=[tunekit.study.MaxTrialsCallback(6)],
    )
    n_complete = len(study.get_trials(states=(TrialState.COMPLETE,)))
    # Each worker stops after the callback sees 6 complete trials; the other may finish one more.
    assert 6 <= n_complete <= 7


@pytest.mark.slow
def test_processes_report_a_worker_error(tmp_path: pathlib.Path) -> None:
    study = tunekit.create_study(storage=_sqlite_url(tmp_path))

    def objective(trial: tunekit.Trial) -> float:
        raise ZeroDivisionError("boom")

    with pytest.raises(RuntimeError, match="ZeroDivisionError: boom"):
        study.optimize(objective, n_trials=4, n_jobs=2, processes=True)
    assert {t.state for t in study.trials} == {TrialState.FAIL}


def test_processes_refuse_an_in_memory_storage() -> None:
    study = tunekit.create_study()
    with pytest.raises(ValueError, match=r"processes=True\) needs a storage"):
        study.optimize(lambda t: 0.0, n_trials=2, n_jobs=2, processes=True)
    assert study.trials == []


@pytest.mark.slow
def test_grid_points_run_exactly_once_across_processes(tmp_path: pathlib.Path) -> None:
    grid = {"x": list(range(6)), "y": [0.0, 0.5]}
    study = tunekit.create_study(
        storage=_sqlite_url(tmp_path), sampler=tunekit.samplers.GridSampler(grid, seed=0)
    )

    def objective(trial: tunekit.Trial) -> float:
        return trial.suggest_int("x", 0, 5) + trial.suggest_float("y", 0.0, 0.5)

    study.optimize(objective, n_trials=100, n_jobs=3, processes=True)
    completed = study.get_trials(states=(TrialState.COMPLETE,))
    points = sorted((t.params["x"], t.params["y"]) for t in completed)
    assert points == sorted((x, y) for x in range(6) for y in (0.0, 0.5))
    # A worker that lost the race for the last point records why and runs nothing.
    others = [t for t in study.trials if t.state != TrialState.COMPLETE]
    assert all(
        t.state == TrialState.FAIL and "grid point" in t.system_attrs["fail_reason"] for t in others
    )
