"""BasePruner: decides from a trial's reported curve whether to stop it early."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["BasePruner"]


class BasePruner(abc.ABC):
    """Base class of pruners.

    ``prune(study, trial)`` reads ``trial.intermediate_values`` and, where it needs them, the
    other trials' curves from ``study`` and returns True to stop the trial. Pruners never raise on
    short or noisy curves: too little data means continue.

    Example
    -------
    >>> import tunekit
    >>> class StopAboveOne(tunekit.pruners.BasePruner):
    ...     def prune(self, study, trial):
    ...         step = trial.last_step
    ...         return step is not None and trial.intermediate_values[step] > 1.0
    """

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True if ``trial`` should stop now."""
