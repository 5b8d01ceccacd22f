"""The search space shared by a study's trials, for samplers that model parameters jointly.

In a define-by-run study each trial may have its own parameters. The *intersection* search space
holds the parameters that every finished trial has, each with one distribution; a joint model
(multivariate TPE, the GP) works on it, and the other parameters are sampled independently.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from tunekit.distributions import BaseDistribution
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["intersection_search_space", "IntersectionSearchSpace"]


def _fold(
    space: dict[str, BaseDistribution] | None, trial: FrozenTrial
) -> dict[str, BaseDistribution]:
    if space is None:
        return dict(trial.distributions)
    return {
        name: distribution
        for name, distribution in space.items()
        if trial.distributions.get(name) == distribution
    }


def _included_states(include_pruned: bool) -> tuple[TrialState, ...]:
    if include_pruned:
        return (TrialState.COMPLETE, TrialState.PRUNED)
    return (TrialState.COMPLETE,)


def intersection_search_space(
    trials: list[FrozenTrial], include_pruned: bool = False
) -> dict[str, BaseDistribution]:
    """The parameters (with identical distributions) of every COMPLETE trial in ``trials``.

    PRUNED trials count too when ``include_pruned``. Names come back sorted.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study()
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     if x > 0.5:
    ...         trial.suggest_int("n", 1, 3)
    ...     return x
    >>> study.optimize(objective, n_trials=10)
    >>> sorted(intersection_search_space(study.trials))
    ['x']
    """
    states = _included_states(include_pruned)
    space: dict[str, BaseDistribution] | None = None
    for trial in trials:
        if trial.state in states:
            space = _fold(space, trial)
    return dict(sorted((space or {}).items()))


class IntersectionSearchSpace:
    """:func:`intersection_search_space` over a study, folding in each finished trial once.

    ``calculate(study)`` costs time in the number of trials not yet folded, not in the study's
    length: a cursor advances over the prefix of finished trials (finished trials never change).

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> list(IntersectionSearchSpace().calculate(study))
    ['x']
    """

    def __init__(self, include_pruned: bool = False) -> None:
        self._states = _included_states(include_pruned)
        # One fold per study (or per view of a study, such as a Hyperband bracket): a study's id
        # is unique only within its storage, so the name tells two storages apart.
        self._folds: dict[tuple[Any, ...], _Fold] = {}

    def calculate(self, study: Study) -> dict[str, BaseDistribution]:
        """Return the intersection search space of ``study``'s finished trials, names sorted."""
        study_key = (study._study_id, study.study_name, getattr(study, "_view_key", None))
        fold = self._folds.get(study_key)
        if fold is None:
            fold = self._folds[study_key] = _Fold()
        return fold.update(study, self._states)


class _Fold:
    """The running intersection over one study's trials, with its cursor."""

    def __init__(self) -> None:
        self._space: dict[str, BaseDistribution] | None = None
        # Every trial numbered below the cursor is finished and folded; finished trials past it
        # (a running one blocks the cursor) are remembered individually.
        self._cursor = 0
        self._folded_past_cursor: set[int] = set()

    def update(self, study: Study, states: tuple[TrialState, ...]) -> dict[str, BaseDistribution]:
        trials = study._get_trials(deepcopy=False, states=None, use_cache=True)
        # Trials come in number order (a Hyperband bracket may leave numbers out).
        start = bisect.bisect_left(trials, self._cursor, key=lambda t: t.number)
        advancing = True
        for trial in trials[start:]:
            finished = trial.state.is_finished()
            if finished and trial.number not in self._folded_past_cursor:
                if trial.state in states:
                    self._space = _fold(self._space, trial)
                if not advancing:
                    self._folded_past_cursor.add(trial.number)
            if advancing and finished:
                self._cursor = trial.number + 1
                self._folded_past_cursor.discard(trial.number)
            else:
                advancing = False
        return dict(sorted((self._space or {}).items()))
