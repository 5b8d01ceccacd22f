"""The median stopping rule and its generalisation to any percentile.

A trial is stopped when the best value it has reported so far is worse than a percentile (the
median for :class:`MedianPruner`) of the values that the *completed* trials reported at the same
step. This is the rule Optuna documents for its ``MedianPruner`` and ``PercentilePruner``
("prune if the trial's best intermediate result is worse than the median of intermediate results
of previous trials at the same step"), with Optuna's gates: no pruning before
``n_startup_trials`` trials completed, during the first ``n_warmup_steps`` steps, off the
``interval_steps`` grid, or with fewer than ``n_min_trials`` values at the step.

NaN handling: NaN values of other trials are ignored (they count neither in the percentile nor
towards ``n_min_trials``); a trial whose every reported value is NaN (a diverged run) is pruned,
as in Optuna.

The helpers ``_check_*`` and ``_step_to_judge`` are shared with the other pruner
modules.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.pruners.base import BasePruner
from tunekit.storages.base import StudyDirection
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["MedianPruner", "PercentilePruner"]

_COMPLETE = (TrialState.COMPLETE,)


# ------------------------------------------------------------------------- argument checks


def _check_int(owner: str, name: str, value: Any, minimum: int) -> int:
    """``value`` as an int, or an error naming ``owner(name=value)`` and what is allowed."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: `{name}` must be an int >= {minimum}, got {name}={value!r} "
            f"({type(value).__name__})."
        )
    if value < minimum:
        raise ValueError(f"{owner}: `{name}` must be an int >= {minimum}, got {name}={value!r}.")
    return int(value)


def _check_real(owner: str, name: str, value: Any, *, allow_none: bool = False) -> float | None:
    """``value`` as a float that is not NaN (None passes when ``allow_none``)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        allowed = "a float or None" if allow_none else "a float"
        raise TypeError(
            f"{owner}: `{name}` must be {allowed}, got {name}={value!r} ({type(value).__name__})."
        )
    if math.isnan(value):
        raise ValueError(f"{owner}: `{name}` must not be NaN.")
    return float(value)


# ------------------------------------------------------------------------------- gates


def _is_first_in_interval_step(
    step: int, reported_steps: Any, n_warmup_steps: int, interval_steps: int
) -> bool:
    """True if ``step`` is the first reported step at or after its interval boundary.

    The boundaries are ``n_warmup_steps + k * interval_steps``; a trial that reports every step
    is judged on the boundaries only, one that skips steps at its first step past each boundary.
    """
    boundary = (step - n_warmup_steps) // interval_steps * interval_steps + n_warmup_steps
    earlier = [s for s in reported_steps if s < step]
    previous = max(earlier) if earlier else -1
    return previous < boundary


def _step_to_judge(trial: FrozenTrial, n_warmup_steps: int, interval_steps: int) -> int | None:
    """The trial's last step if a pruner should judge it now (past warm-up, first in its
    interval), else None."""
    step = trial.last_step
    if step is None or step < n_warmup_steps:
        return None
    if not _is_first_in_interval_step(
        step, trial.intermediate_values, n_warmup_steps, interval_steps
    ):
        return None
    return step


def _best_reported_value(trial: FrozenTrial, direction: StudyDirection) -> float:
    """The trial's best intermediate value so far, ignoring NaN; NaN when every value is NaN."""
    values = np.fromiter(trial.intermediate_values.values(), dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return math.nan
    return float(values.max() if direction == StudyDirection.MAXIMIZE else values.min())


def _values_at_step(trials: list[FrozenTrial], step: int) -> np.ndarray:
    """The non-NaN values the ``trials`` reported at ``step``, as one array.

    One pass that only gathers numbers (about what reading the trials costs); the percentile
    itself is one NumPy call.
    """
    values = np.fromiter(
        (t.intermediate_values.get(step, math.nan) for t in trials), dtype=float, count=len(trials)
    )
    return values[~np.isnan(values)]


# ------------------------------------------------------------------------------ pruners


class PercentilePruner(BasePruner):
    """Prune a trial whose best value so far is worse than a percentile of the others at its step.

    At the trial's latest step ``s``, the completed trials' values at ``s`` are collected (NaN
    ignored) and their ``percentile``-th percentile computed, counted from the best side: when
    minimising, the trial is pruned if its best value so far is above the ``percentile``-th
    percentile; when maximising, if it is below the ``(100 - percentile)``-th. ``percentile=25``
    therefore keeps trials in the best quarter; 50 is the median rule.

    Parameters
    ----------
    percentile:
        In ``[0, 100]``: the share of trials kept at each step.
    n_startup_trials:
        No pruning until this many trials have completed in the study.
    n_warmup_steps:
        No pruning while the trial's latest step is below this (steps are assumed to start at 0).
    interval_steps:
        Judge only every ``interval_steps`` steps after the warm-up: at the first reported step
        at or after ``n_warmup_steps + k * interval_steps``.
    n_min_trials:
        No pruning while fewer than this many completed trials reported a (non-NaN) value at
        the trial's latest step.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.median import PercentilePruner
    >>> def objective(trial):
    ...     slope = trial.suggest_float("slope", 0.0, 1.0)
    ...     for step in range(20):
    ...         trial.report(slope * (step + 1), step)
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return slope * 20
    >>> study = tunekit.create_study(
    ...     sampler=tunekit.samplers.RandomSampler(seed=0),
    ...     pruner=PercentilePruner(25.0, n_startup_trials=5, n_warmup_steps=3),
    ... )
    >>> study.optimize(objective, n_trials=30)
    >>> n_pruned = sum(t.state == tunekit.trial.TrialState.PRUNED for t in study.trials)
    >>> n_pruned > 0
    True
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        owner = type(self).__name__
        value = _check_real(owner, "percentile", percentile)
        assert value is not None
        if not 0.0 <= value <= 100.0:
            raise ValueError(
                f"{owner}: `percentile` must be in [0, 100], got percentile={percentile!r}."
            )
        self._percentile = value
        self._n_startup_trials = _check_int(owner, "n_startup_trials", n_startup_trials, 0)
        self._n_warmup_steps = _check_int(owner, "n_warmup_steps", n_warmup_steps, 0)
        self._interval_steps = _check_int(owner, "interval_steps", interval_steps, 1)
        self._n_min_trials = _check_int(owner, "n_min_trials", n_min_trials, 1)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = _step_to_judge(trial, self._n_warmup_steps, self._interval_steps)
        if step is None:
            return False
        completed = study._get_trials(deepcopy=False, states=_COMPLETE, use_cache=True)
        if not completed or len(completed) < self._n_startup_trials:
            return False

        direction = study.direction
        best = _best_reported_value(trial, direction)
        if math.isnan(best):
            return True  # every value this trial reported is NaN: it diverged

        others = _values_at_step(completed, step)
        if others.size < self._n_min_trials:
            return False
        if direction == StudyDirection.MAXIMIZE:
            threshold = float(np.percentile(others, 100.0 - self._percentile))
            return best < threshold
        threshold = float(np.percentile(others, self._percentile))
        return best > threshold  # NaN (from +inf and -inf at the step) compares False: continue


class MedianPruner(PercentilePruner):
    """The median stopping rule: prune a trial whose best value so far is worse than the median
    of the completed trials' values at the same step.

    ``PercentilePruner(50.0, ...)``; the arguments are those of :class:`PercentilePruner`.

    Parameters
    ----------
    n_startup_trials:
        No pruning until this many trials have completed in the study.
    n_warmup_steps:
        No pruning while the trial's latest step is below this.
    interval_steps:
        Judge only every ``interval_steps`` steps after the warm-up.
    n_min_trials:
        No pruning while fewer than this many completed trials reported a value at the step.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.median import MedianPruner
    >>> def objective(trial):
    ...     lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
    ...     loss = 1.0
    ...     for epoch in range(10):
    ...         loss *= 1.0 - lr
    ...         trial.report(loss, epoch)
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return loss
    >>> study = tunekit.create_study(
    ...     sampler=tunekit.samplers.RandomSampler(seed=1),
    ...     pruner=MedianPruner(n_startup_trials=5, n_warmup_steps=2),
    ... )
    >>> study.optimize(objective, n_trials=20)
    >>> study.best_value < 0.5
    True
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        super().__init__(
            50.0,
            n_startup_trials=n_startup_trials,
            n_warmup_steps=n_warmup_steps,
            interval_steps=interval_steps,
            n_min_trials=n_min_trials,
        )
