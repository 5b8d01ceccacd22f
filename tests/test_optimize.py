"""Tests of the run loop behind Study.optimize (tunekit/_optimize.py)."""

from __future__ import annotations

import gc
import math
import os
import signal
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import tunekit
from tunekit.samplers import RandomSampler
from tunekit.study import MaxTrialsCallback
from tunekit.trial import FrozenTrial, Trial, TrialState


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.ERROR)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _study(**kwargs) -> tunekit.Study:
    kwargs.setdefault("sampler", RandomSampler(seed=0))
    return tunekit.create_study(**kwargs)


def _quadratic(trial: Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def _assert_nothing_running(study: tunekit.Study) -> None:
    assert all(t.state.is_finished() for t in study.trials), [t.state for t in study.trials]


# ----------------------------------------------------------------------------- budget


def test_n_trials() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=7)
    assert [t.number for t in study.trials] == list(range(7))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    study.optimize(_quadratic, n_trials=3)
    assert len(study.trials) == 10
    study.optimize(_quadratic, n_trials=0)
    assert len(study.trials) == 10


def test_timeout_stops_cleanly() -> None:
    study = _study()

    def slow(trial: Trial) -> float:
        time.sleep(0.02)
        return _quadratic(trial)

    study.optimize(slow, timeout=0.2)
    assert len(study.trials) >= 1
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_timeout_and_n_trials_whichever_comes_first() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=5, timeout=60)
    assert len(study.trials) == 5


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"n_trials": -1}, ValueError, r"`n_trials`.*-1"),
        ({"n_trials": 2.5}, ValueError, r"`n_trials`.*2.5"),
        ({"n_trials": True}, ValueError, r"`n_trials`.*True"),
        ({"timeout": 0}, ValueError, r"`timeout`.*0"),
        ({"timeout": -1.0}, ValueError, r"`timeout`.*-1.0"),
        ({"timeout": "1"}, ValueError, r"`timeout`.*'1'"),
        ({"n_jobs": 0}, ValueError, r"`n_jobs`.*0"),
        ({"n_jobs": -2}, ValueError, r"`n_jobs`.*-2"),
        ({"catch": "ValueError"}, TypeError, r"`catch`.*'ValueError'"),
        ({"catch": (ValueError, 3)}, TypeError, r"`catch`.*3"),
        ({"catch": 3}, TypeError, r"`catch`.*3"),
    ],
)
def test_bad_optimize_arguments_write_nothing(kwargs, error, pattern) -> None:
    study = _study()
    with pytest.raises(error, match=pattern):
        study.optimize(_quadratic, **{"n_trials": 3, **kwargs})
    assert study.trials == []
    # The study is not left locked.
    study.optimize(_quadratic, n_trials=1)
    assert len(study.trials) == 1


def test_func_must_be_callable() -> None:
    study = _study()
    with pytest.raises(TypeError, match=r"`func`.*42"):
        study.optimize(42, n_trials=1)  # type: ignore[arg-type]
    assert study.trials == []


def test_nested_optimize_is_refused() -> None:
    study = _study()
    errors = []

    def objective(trial: Trial) -> float:
        try:
            study.optimize(_quadratic, n_trials=1)
        except RuntimeError as error:
            errors.append(str(error))
        return 0.0

    study.optimize(objective, n_trials=1)
    assert len(errors) == 1 and "Nested" in errors[0]
    assert len(study.trials) == 1


def test_nested_optimize_is_refused_in_worker_threads() -> None:
    study = _study()
    errors = []

    def objective(trial: Trial) -> float:
        try:
            study.optimize(_quadratic, n_trials=1)
        except RuntimeError as error:
            errors.append(str(error))
        return 0.0

    study.optimize(objective, n_trials=4, n_jobs=2)
    assert len(errors) == 4
    assert len(study.trials) == 4


def test_optimize_from_several_threads_at_once() -> None:
    # As in Optuna, each thread may run its own optimize() on one study.
    study = _study()
    barrier = threading.Barrier(3, timeout=30)
    errors: list[BaseException] = []

    def objective(trial: Trial) -> float:
        if trial.number < 3:
            barrier.wait()  # all three optimize() calls are running at once
        return _quadratic(trial)

    def run() -> None:
        try:
            study.optimize(objective, n_trials=10)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(t.number for t in study.trials) == list(range(30))
    _assert_nothing_running(study)
    with pytest.raises(RuntimeError):
        study.stop()  # no optimize() is running any more


# ----------------------------------------------------------------------------- threads


def test_n_jobs_runs_trials_in_threads_at_once() -> None:
    study = _study()
    barrier = threading.Barrier(4, timeout=30)
    thread_names = set()

    def objective(trial: Trial) -> float:
        if trial.number < 4:
            barrier.wait()  # breaks (BrokenBarrierError) unless 4 trials run at the same time
        thread_names.add(threading.current_thread().name)
        return _quadratic(trial)

    study.optimize(objective, n_trials=40, n_jobs=4)
    assert len(study.trials) == 40
    assert sorted(t.number for t in study.trials) == list(range(40))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert len(thread_names) == 4


def test_n_jobs_minus_one() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=6, n_jobs=-1)
    assert len(study.trials) == 6


def test_n_jobs_error_is_reraised_and_nothing_is_left_running() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        time.sleep(0.005)
        if trial.number == 5:
            raise ZeroDivisionError("boom")
        return 0.0

    with pytest.raises(ZeroDivisionError, match="boom"):
        study.optimize(objective, n_trials=1000, n_jobs=3)
    _assert_nothing_running(study)
    failed = [t for t in study.trials if t.state == TrialState.FAIL]
    assert [t.number for t in failed] == [5]
    assert len(study.trials) < 1000


def test_n_jobs_with_timeout() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        time.sleep(0.01)
        return _quadratic(trial)

    study.optimize(objective, timeout=0.2, n_jobs=3)
    assert len(study.trials) >= 3
    _assert_nothing_running(study)


# ---------------------------------------------------------------------------- failures


def test_exception_marks_trial_failed_and_is_reraised() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise ValueError("bad model")

    with pytest.raises(ValueError, match="bad model"):
        study.optimize(objective, n_trials=5)
    assert len(study.trials) == 1
    record = study.trials[0]
    assert record.state == TrialState.FAIL
    assert record.values is None
    assert "ValueError" in record.system_attrs["fail_reason"]
    assert "bad model" in record.system_attrs["fail_reason"]
    assert "x" in record.params


@pytest.mark.parametrize(
    "catch",
    [ValueError, (ValueError,), [KeyError, ValueError], (LookupError, Exception)],
)
def test_catch_lets_the_study_go_on(catch) -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        if trial.number % 2:
            raise ValueError(f"odd {trial.number}")
        return 1.0

    study.optimize(objective, n_trials=6, catch=catch)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.FAIL] * 3
    assert study.trials[3].system_attrs["fail_reason"] == "ValueError: odd 3"


def test_catch_takes_subclasses_and_reraises_others() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        if trial.number == 0:
            raise KeyError("k")  # a LookupError
        raise RuntimeError("r")

    with pytest.raises(RuntimeError):
        study.optimize(objective, n_trials=5, catch=LookupError)
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.FAIL]


def test_keyboard_interrupt_leaves_no_running_trial() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        trial.suggest_float("x", 0, 1)
        if trial.number == 2:
            raise KeyboardInterrupt
        return 0.0

    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=10, catch=Exception)
    assert len(study.trials) == 3
    _assert_nothing_running(study)
    assert study.trials[2].state == TrialState.FAIL
    assert "KeyboardInterrupt" in study.trials[2].system_attrs["fail_reason"]
    # The study can be optimized again.
    study.optimize(_quadratic, n_trials=1)
    assert study.trials[3].state == TrialState.COMPLETE


def test_keyboard_interrupt_with_threads() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        time.sleep(0.005)
        if trial.number == 3:
            raise KeyboardInterrupt
        return 0.0

    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=50, n_jobs=2)
    _assert_nothing_running(study)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_the_main_thread_stops_the_workers() -> None:
    # A real SIGINT, as from Ctrl-C, arrives while the main thread waits for the workers.
    study = _study()

    def objective(trial: Trial) -> float:
        if trial.number == 3:
            os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.002)
        return 0.0

    # Python installs its Ctrl-C handler only if SIGINT was not ignored at start-up, and a
    # shell ignores SIGINT in the jobs it starts with `&`: install it here as a terminal would.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            study.optimize(objective, n_trials=5000, n_jobs=3)
    finally:
        signal.signal(signal.SIGINT, previous)
    # The workers finished their running trials and started no new one.
    n_trials = len(study.trials)
    assert n_trials < 200
    _assert_nothing_running(study)
    time.sleep(0.05)
    assert len(study.trials) == n_trials


def test_trial_pruned_is_not_an_error() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        trial.report(0.5, 0)
        if trial.number % 2:
            raise tunekit.TrialPruned()
        return 0.1

    study.optimize(objective, n_trials=4)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.PRUNED] * 2
    assert study.trials[1].value == 0.5
    assert "fail_reason" not in study.trials[1].system_attrs


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        (math.nan, "nan"),
        (float("nan"), "nan"),
        (np.float64("nan"), "nan"),
        (None, "None"),
        ("0.5", "'0.5'"),
        ([1.0, 2.0], "number of the values 2"),
        (object(), "object"),
    ],
)
def test_objective_returning_no_valid_value_fails_with_a_log_line(returned, reason, capfd) -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    study = _study()
    # Logged, not warned (as in Optuna): a run under `-W error` goes on.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: returned, n_trials=1)
    assert "Trial 0 failed" in capfd.readouterr().err
    record = study.trials[0]
    assert record.state == TrialState.FAIL
    assert record.values is None
    assert reason in record.system_attrs["fail_reason"]
    # Not an exception: the study goes on.
    study.optimize(lambda t: returned, n_trials=2)
    assert len(study.trials) == 3
    # tell() warns instead, as Optuna's does.
    trial = study.ask()
    with pytest.warns(UserWarning, match="Trial 3 failed: No value was told"):
        study.tell(trial)


@pytest.mark.parametrize("returned", [math.inf, -math.inf, np.float32(1.5), np.int64(3), 7, [2.0]])
def test_objective_returning_a_number_completes(returned) -> None:
    study = _study()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: returned, n_trials=1)
    record = study.trials[0]
    assert record.state == TrialState.COMPLETE
    expected = returned[0] if isinstance(returned, list) else float(returned)
    assert record.value == expected
    assert type(record.value) is float


def test_multi_objective_wrong_number_of_values_fails(capfd) -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    study = _study(directions=["minimize", "maximize"])
    study.optimize(lambda t: 1.0, n_trials=1)
    assert "number of the values 1" in capfd.readouterr().err
    study.optimize(lambda t: (1.0, math.nan), n_trials=1)
    assert "nan" in capfd.readouterr().err
    study.optimize(lambda t: (1.0, math.inf), n_trials=1)
    assert [t.state for t in study.trials] == [
        TrialState.FAIL,
        TrialState.FAIL,
        TrialState.COMPLETE,
    ]
    assert study.trials[2].values == [1.0, math.inf]


# --------------------------------------------------------------------------- callbacks


def test_callbacks_see_each_finished_trial_in_order() -> None:
    study = _study()
    seen: list[tuple[int, TrialState]] = []
    also: list[int] = []

    def callback(s: tunekit.Study, trial: FrozenTrial) -> None:
        assert s is study
        assert isinstance(trial, FrozenTrial)
        seen.append((trial.number, trial.state))

    def objective(trial: Trial) -> float:
        if trial.number == 1:
            raise ValueError
        if trial.number == 2:
            raise tunekit.TrialPruned()
        return 0.0

    study.optimize(
        objective,
        n_trials=4,
        catch=ValueError,
        callbacks=[callback, lambda s, t: also.append(t.number)],
    )
    assert seen == [
        (0, TrialState.COMPLETE),
        (1, TrialState.FAIL),
        (2, TrialState.PRUNED),
        (3, TrialState.COMPLETE),
    ]
    assert also == [0, 1, 2, 3]


def test_max_trials_callback() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        if trial.number % 3 == 2:
            raise ValueError
        return 0.0

    study.optimize(objective, n_trials=100, catch=ValueError, callbacks=[MaxTrialsCallback(4)])
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 4
    assert len(study.trials) == 5

    study = _study()
    study.optimize(
        objective, n_trials=100, catch=ValueError, callbacks=[MaxTrialsCallback(4, states=None)]
    )
    assert len(study.trials) == 4


def test_max_trials_callback_counts_earlier_runs() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=3)
    study.optimize(_quadratic, n_trials=100, callbacks=[MaxTrialsCallback(5)])
    assert len(study.trials) == 5


def test_max_trials_callback_with_threads() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=200, n_jobs=4, callbacks=[MaxTrialsCallback(10)])
    # Trials already running when the cap is reached finish; none more start.
    assert 10 <= len(study.trials) <= 10 + 3
    _assert_nothing_running(study)


def test_stop_from_the_objective() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        if trial.number == 3:
            trial.study.stop()
        return 0.0

    study.optimize(objective, n_trials=100)
    assert len(study.trials) == 4
    # The stop applies to that run only.
    study.optimize(_quadratic, n_trials=2)
    assert len(study.trials) == 6


def test_stop_from_a_callback() -> None:
    study = _study()

    def callback(s: tunekit.Study, trial: FrozenTrial) -> None:
        if trial.value is not None and trial.number >= 2:
            s.stop()

    study.optimize(_quadratic, n_trials=100, callbacks=[callback])
    assert len(study.trials) == 3


def test_stop_outside_optimize_is_refused() -> None:
    study = _study()
    with pytest.raises(RuntimeError, match="objective function or a callback"):
        study.stop()


def test_stop_with_threads() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        time.sleep(0.002)
        if trial.number == 10:
            trial.study.stop()
        return 0.0

    study.optimize(objective, n_trials=500, n_jobs=3)
    # How many trials the other threads started before trial 10 called stop() depends on
    # timing; none starts after it (the run ends long before 500).
    assert 11 <= len(study.trials) < 100
    _assert_nothing_running(study)


# --------------------------------------------------------------------------- extras


def test_gc_after_trial() -> None:
    collections = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            collections.append(info)

    study = _study()
    gc.callbacks.append(on_gc)
    try:
        study.optimize(_quadratic, n_trials=3, gc_after_trial=True)
        with_gc = len(collections)
        collections.clear()
        gc.disable()
        try:
            study.optimize(_quadratic, n_trials=3, gc_after_trial=False)
        finally:
            gc.enable()
        without_gc = len(collections)
    finally:
        gc.callbacks.remove(on_gc)
    assert with_gc >= 3
    assert without_gc == 0


def test_progress_bar_with_n_trials(capsys) -> None:
    pytest.importorskip("tqdm")
    study = _study()
    study.optimize(_quadratic, n_trials=5, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "5/5" in err
    best = study.best_trial
    assert f"Best trial: {best.number}" in err
    assert "Best value" in err


def test_progress_bar_with_timeout(capsys) -> None:
    pytest.importorskip("tqdm")
    study = _study()
    study.optimize(_quadratic, timeout=0.1, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "Best value" in err
    assert "%|" in err  # a percentage of the time budget, not a trial count
    assert "00:00" in err


def test_progress_bar_without_a_budget_warns() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        if trial.number == 2:
            trial.study.stop()
        return 0.0

    with pytest.warns(UserWarning, match="n_trials or timeout"):
        study.optimize(objective, show_progress_bar=True)
    assert len(study.trials) == 3


def test_progress_bar_multi_objective(capsys) -> None:
    pytest.importorskip("tqdm")
    study = _study(directions=["minimize", "minimize"])
    study.optimize(lambda t: (1.0, 2.0), n_trials=3, show_progress_bar=True)
    assert "3/3" in capsys.readouterr().err


def test_missing_tqdm_leaves_the_study_usable(monkeypatch) -> None:
    study = _study()
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError):
        study.optimize(_quadratic, n_trials=2, show_progress_bar=True)
    assert study.trials == []
    study.optimize(_quadratic, n_trials=2)
    assert len(study.trials) == 2


def test_no_progress_bar_by_default(capsys) -> None:
    _study().optimize(_quadratic, n_trials=3)
    assert "it/s" not in capsys.readouterr().err


def test_optimize_finds_the_quadratic_minimum() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=200)
    assert study.best_value < 0.1
    assert abs(study.best_params["x"] - 2) < 0.4
