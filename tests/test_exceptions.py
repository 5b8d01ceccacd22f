"""Tests of tunekit.exceptions: one base class, Optuna's names."""

from __future__ import annotations

import pytest

import tunekit
from tunekit import exceptions


@pytest.mark.parametrize(
    "cls",
    [
        exceptions.TrialPruned,
        exceptions.DuplicatedStudyError,
        exceptions.UpdateFinishedTrialError,
        exceptions.StorageInternalError,
        exceptions.CLIUsageError,
    ],
)
def test_every_error_is_a_tunekit_error(cls) -> None:
    assert issubclass(cls, exceptions.TunekitError)
    assert issubclass(cls, exceptions.OptunaError)
    with pytest.raises(exceptions.OptunaError):
        raise cls("message")


def test_optuna_aliases() -> None:
    assert exceptions.OptunaError is exceptions.TunekitError
    assert tunekit.TrialPruned is exceptions.TrialPruned
    assert tunekit.exceptions.TrialPruned is exceptions.TrialPruned


def test_update_finished_trial_error_is_a_runtime_error() -> None:
    assert issubclass(exceptions.UpdateFinishedTrialError, RuntimeError)


def test_experimental_warning_is_a_warning() -> None:
    assert issubclass(exceptions.ExperimentalWarning, Warning)


def test_errors_raised_by_the_api() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.ERROR)
    try:
        storage = tunekit.storages.InMemoryStorage()
        study = tunekit.create_study(storage=storage, study_name="s")
        with pytest.raises(exceptions.DuplicatedStudyError):
            tunekit.create_study(storage=storage, study_name="s")
        trial = study.ask()
        study.tell(trial, 1.0)
        with pytest.raises(exceptions.UpdateFinishedTrialError):
            study.tell(trial, 1.0)
        # Optuna raises ValueError there; scripts that catch it keep working.
        with pytest.raises(ValueError, match="already finished"):
            study.tell(trial, 1.0)
        with pytest.raises(KeyError, match="'nope'"):
            tunekit.load_study(study_name="nope", storage=storage)
    finally:
        tunekit.logging.set_verbosity(tunekit.logging.INFO)
