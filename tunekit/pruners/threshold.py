"""ThresholdPruner: stop a trial whose latest value leaves a fixed band (or is NaN)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tunekit.pruners.base import BasePruner
from tunekit.pruners.median import _check_int, _check_real, _step_to_judge
from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["ThresholdPruner"]


class ThresholdPruner(BasePruner):
    """Prune a trial whose latest intermediate value is below ``lower``, above ``upper``, or NaN.

    The band is absolute and ignores the study direction: it catches diverging losses
    (``upper``), accuracies stuck at chance (``lower``) and NaN, as Optuna's ThresholdPruner.

    Parameters
    ----------
    lower:
        Prune when the latest value is strictly below it; None for no lower bound.
    upper:
        Prune when the latest value is strictly above it; None for no upper bound. At least one
        of ``lower`` and ``upper`` is required, and ``lower <= upper``.
    n_warmup_steps:
        No pruning while the trial's latest step is below this.
    interval_steps:
        Judge only every ``interval_steps`` steps after the warm-up.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.threshold import ThresholdPruner
    >>> def objective(trial):
    ...     growth = trial.suggest_float("growth", 0.5, 2.0)
    ...     loss = 1.0
    ...     for epoch in range(10):
    ...         loss *= growth
    ...         trial.report(loss, epoch)
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return loss
    >>> study = tunekit.create_study(pruner=ThresholdPruner(upper=10.0))
    >>> study.optimize(objective, n_trials=10)
    >>> completed = study.get_trials(states=(tunekit.trial.TrialState.COMPLETE,))
    >>> all(t.value <= 10.0 for t in completed)
    True
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ) -> None:
        owner = type(self).__name__
        low = _check_real(owner, "lower", lower, allow_none=True)
        high = _check_real(owner, "upper", upper, allow_none=True)
        if low is None and high is None:
            raise ValueError(f"{owner}: give at least one of `lower` and `upper` (both are None).")
        if low is not None and high is not None and low > high:
            raise ValueError(
                f"{owner}: `lower` must be <= `upper`, got lower={lower!r} and upper={upper!r}."
            )
        self._lower = -math.inf if low is None else low
        self._upper = math.inf if high is None else high
        self._n_warmup_steps = _check_int(owner, "n_warmup_steps", n_warmup_steps, 0)
        self._interval_steps = _check_int(owner, "interval_steps", interval_steps, 1)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = _step_to_judge(trial, self._n_warmup_steps, self._interval_steps)
        if step is None:
            return False
        value = trial.intermediate_values[step]
        return math.isnan(value) or value < self._lower or value > self._upper
