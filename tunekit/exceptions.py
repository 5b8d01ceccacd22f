"""The errors tunekit raises, all under one base class.

``OptunaError`` is an alias of :class:`TunekitError` so that ``except optuna.exceptions.OptunaError``
keeps working after ``import tunekit as optuna``.
"""

from __future__ import annotations


class TunekitError(Exception):
    """Base class of every tunekit error."""


OptunaError = TunekitError


class TrialPruned(TunekitError):
    """Raised from an objective to stop a trial that the pruner judged hopeless.

    Example
    -------
    >>> import tunekit
    >>> def objective(trial):
    ...     for step in range(10):
    ...         trial.report(1.0 / (step + 1), step)
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return 0.1
    """


class CLIUsageError(TunekitError):
    """A command-line call that cannot be carried out as given."""


class StorageInternalError(TunekitError):
    """The storage could not complete an operation (a database error, a lost connection)."""


class DuplicatedStudyError(TunekitError):
    """A study with this name already exists in the storage."""


class UpdateFinishedTrialError(TunekitError, RuntimeError):
    """An attempt to change a trial that is already COMPLETE, PRUNED or FAIL."""


class ExperimentalWarning(Warning):
    """A feature whose interface may still change."""
