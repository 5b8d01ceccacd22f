"""NopPruner: never prunes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunekit.pruners.base import BasePruner
from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["NopPruner"]


class NopPruner(BasePruner):
    """A pruner that never prunes: every trial runs to the end.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study(pruner=tunekit.pruners.NopPruner())
    """

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return False
