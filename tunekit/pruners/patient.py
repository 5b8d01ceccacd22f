"""PatientPruner: wait until a trial stopped improving before asking another pruner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.pruners.base import BasePruner
from tunekit.pruners.median import _check_int, _check_real
from tunekit.storages.base import StudyDirection
from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["PatientPruner"]


class PatientPruner(BasePruner):
    """Give a trial ``patience`` steps to recover from a setback before pruning it.

    With the trial's reported steps in order, the last ``patience + 1`` values (the recent
    window) are compared with the best of the values before them. The trial "lost patience"
    when the best value of the recent window is worse than that earlier best by more than
    ``min_delta`` (in the study's direction); only then is ``wrapped_pruner`` consulted (or,
    with ``wrapped_pruner=None``, the trial is pruned). These are Optuna's semantics: a curve
    that stalls exactly (a plateau) does not lose patience, and ``min_delta`` is the setback
    tolerated. A trial with ``patience + 1`` reported steps or fewer is never pruned. NaN values
    are ignored; a window of NaN only does not prune.

    Parameters
    ----------
    wrapped_pruner:
        The pruner that decides once patience ran out, or None to prune then.
    patience:
        An int >= 0: how many steps after a setback the trial gets to recover.
    min_delta:
        A float >= 0: a setback smaller than this is tolerated for good.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.patient import PatientPruner
    >>> def objective(trial):
    ...     best_epoch = trial.suggest_int("best_epoch", 2, 20)
    ...     for epoch in range(30):
    ...         trial.report((epoch - best_epoch) ** 2, epoch)  # overfits after best_epoch
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return 0.0
    >>> study = tunekit.create_study(pruner=PatientPruner(None, patience=3))
    >>> study.optimize(objective, n_trials=5)
    >>> [t.last_step - t.params["best_epoch"] for t in study.trials]
    [4, 4, 4, 4, 4]
    """

    def __init__(
        self, wrapped_pruner: BasePruner | None, patience: int, min_delta: float = 0.0
    ) -> None:
        owner = type(self).__name__
        if wrapped_pruner is not None and not isinstance(wrapped_pruner, BasePruner):
            raise TypeError(
                f"{owner}: `wrapped_pruner` must be a BasePruner or None, "
                f"got wrapped_pruner={wrapped_pruner!r}."
            )
        self._wrapped_pruner = wrapped_pruner
        self._patience = _check_int(owner, "patience", patience, 0)
        delta = _check_real(owner, "min_delta", min_delta)
        assert delta is not None
        if delta < 0:
            raise ValueError(f"{owner}: `min_delta` must be >= 0, got min_delta={min_delta!r}.")
        self._min_delta = delta

    def _filter_study(self, study: Study, trial: FrozenTrial) -> Any:
        # A wrapped Hyperband keeps its brackets' views for the sampler.
        filter_study = getattr(self._wrapped_pruner, "_filter_study", None)
        return study if filter_study is None else filter_study(study, trial)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        curve = trial.intermediate_values
        if len(curve) <= self._patience + 1:
            return False
        steps = np.sort(np.fromiter(curve.keys(), dtype=np.int64, count=len(curve)))
        values = np.fromiter((curve[s] for s in steps.tolist()), dtype=float, count=steps.size)
        before, recent = values[: -self._patience - 1], values[-self._patience - 1 :]
        before, recent = before[~np.isnan(before)], recent[~np.isnan(recent)]
        if before.size == 0 or recent.size == 0:
            return False
        if study.direction == StudyDirection.MAXIMIZE:
            lost_patience = before.max() - self._min_delta > recent.max()
        else:
            lost_patience = before.min() + self._min_delta < recent.min()
        if not lost_patience:
            return False
        if self._wrapped_pruner is None:
            return True
        return bool(self._wrapped_pruner.prune(study, trial))
