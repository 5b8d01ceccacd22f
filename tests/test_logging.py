"""Tests of tunekit.logging: Optuna's verbosity functions, one INFO line per finished trial."""

from __future__ import annotations

import logging as std_logging

import pytest

import tunekit
from tunekit import logging as tk_logging


@pytest.fixture
def records():
    """Collect tunekit's log records with a handler on its root logger."""
    collected: list[std_logging.LogRecord] = []

    class Collector(std_logging.Handler):
        def emit(self, record: std_logging.LogRecord) -> None:
            collected.append(record)

    handler = Collector(level=std_logging.DEBUG)
    root = std_logging.getLogger("tunekit")
    root.addHandler(handler)
    tk_logging.disable_default_handler()
    yield collected
    tk_logging.enable_default_handler()
    root.removeHandler(handler)
    tk_logging.set_verbosity(tk_logging.INFO)


def test_levels_are_the_standard_ones() -> None:
    assert tk_logging.INFO == std_logging.INFO
    assert tk_logging.WARNING == tk_logging.WARN == std_logging.WARNING
    assert tk_logging.DEBUG == std_logging.DEBUG
    assert tk_logging.ERROR == std_logging.ERROR
    assert tk_logging.CRITICAL == tk_logging.FATAL == std_logging.CRITICAL


def test_default_verbosity_is_info_and_settable() -> None:
    assert tk_logging.get_verbosity() == tk_logging.INFO
    tk_logging.set_verbosity(tk_logging.ERROR)
    try:
        assert tk_logging.get_verbosity() == tk_logging.ERROR
    finally:
        tk_logging.set_verbosity(tk_logging.INFO)


def test_get_logger_is_under_tunekit() -> None:
    logger = tk_logging.get_logger("tunekit.something")
    assert logger.name == "tunekit.something"
    assert logger.parent.name == "tunekit"


def test_a_handler_on_the_optuna_logger_hears_tunekit() -> None:
    # Optuna's tutorials: optuna.logging.get_logger("optuna").addHandler(...).
    import io

    buffer = io.StringIO()
    handler = std_logging.StreamHandler(buffer)
    logger = tk_logging.get_logger("optuna")
    assert logger is tk_logging.get_logger("tunekit")
    assert tk_logging.get_logger("optuna.study").name == "tunekit.study"
    logger.addHandler(handler)
    try:
        tunekit.create_study().optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    finally:
        logger.removeHandler(handler)
    assert "Trial 0 finished" in buffer.getvalue()


def test_one_info_line_per_finished_trial(records) -> None:
    study = tunekit.create_study()

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 1:
            raise tunekit.TrialPruned()
        return x

    study.optimize(objective, n_trials=4)
    info = [r.getMessage() for r in records if r.levelno == std_logging.INFO]
    assert len(info) == 4
    assert info[0].startswith("Trial 0 finished with value:")
    assert "parameters: {'x':" in info[0]
    assert "Best is trial 0" in info[0]
    assert info[1] == "Trial 1 pruned."
    best = study.best_trial
    assert f"Best is trial {best.number} with value: {best.value}" in info[-1]


def test_multi_objective_line(records) -> None:
    study = tunekit.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (1.0, 2.0), n_trials=1)
    info = [r.getMessage() for r in records if r.levelno == std_logging.INFO]
    assert info == ["Trial 0 finished with values: [1.0, 2.0] and parameters: {}."]


def test_failed_trial_logs_a_warning(records) -> None:
    study = tunekit.create_study()

    def objective(trial):
        trial.suggest_int("n", 3, 3)
        raise ValueError("broken objective")

    study.optimize(objective, n_trials=1, catch=ValueError)
    warnings_ = [r for r in records if r.levelno == std_logging.WARNING]
    assert len(warnings_) == 1
    assert "Trial 0 failed" in warnings_[0].getMessage()
    assert "broken objective" in warnings_[0].getMessage()
    assert "{'n': 3}" in warnings_[0].getMessage()
    assert [r for r in records if r.levelno == std_logging.INFO] == []


def test_set_verbosity_warning_silences_trial_lines(records) -> None:
    tk_logging.set_verbosity(tk_logging.WARNING)
    tunekit.create_study().optimize(lambda t: 0.0, n_trials=3)
    assert [r for r in records if r.levelno == std_logging.INFO] == []


def test_default_handler_writes_to_stderr(capfd) -> None:
    tunekit.create_study().optimize(lambda t: 0.0, n_trials=1)
    err = capfd.readouterr().err
    assert "Trial 0 finished with value: 0.0" in err
    tk_logging.disable_default_handler()
    try:
        tunekit.create_study().optimize(lambda t: 0.0, n_trials=1)
        assert "Trial 0 finished" not in capfd.readouterr().err
    finally:
        tk_logging.enable_default_handler()


def test_propagation(caplog) -> None:
    tk_logging.enable_propagation()
    try:
        with caplog.at_level(std_logging.INFO):
            tunekit.create_study().optimize(lambda t: 0.0, n_trials=2)
        assert sum("finished with value" in r.getMessage() for r in caplog.records) == 2
    finally:
        tk_logging.disable_propagation()
    caplog.clear()
    with caplog.at_level(std_logging.INFO):
        tunekit.create_study().optimize(lambda t: 0.0, n_trials=1)
    assert not any("finished with value" in r.getMessage() for r in caplog.records)


def test_default_handler_follows_a_redirected_stderr() -> None:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        tunekit.create_study().optimize(lambda t: 0.0, n_trials=1)
    assert "Trial 0 finished with value: 0.0" in buffer.getvalue()
