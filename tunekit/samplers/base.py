"""BaseSampler: the interface every sampler implements (Optuna's method names and order).

For each trial the study calls, in order:

1. ``before_trial(study, trial)`` once, when the trial is created;
2. ``infer_relative_search_space(study, trial)`` and ``sample_relative(study, trial, space)``
   once, at the trial's first suggestion: the parameters a sampler models jointly;
3. ``sample_independent(study, trial, name, distribution)`` for every other parameter;
4. ``after_trial(study, trial, state, values)`` when the trial is told its result.

Samplers read the history through ``study._get_trials(deepcopy=False, states=..., use_cache=True)``
(the one method a pruner such as Hyperband narrows to a bracket) and keep no state that
correctness depends on: two processes sharing a database see the same history.

Values cross this interface in their *external* form (a float, an int, a choice); the unit space
of :mod:`tunekit.distributions` (:func:`~tunekit.distributions.to_unit`,
:func:`~tunekit.distributions.from_unit`) is where algorithms work.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tunekit.distributions import BaseDistribution
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["BaseSampler", "IndependentSampler"]

# A sampler that has nothing left for a trial (an exhausted grid raced by another worker) says
# why under this system attribute in ``before_trial``; the run loop then records the trial FAIL
# with that reason instead of running the objective.
SKIP_TRIAL_KEY = "skip_trial_reason"


class BaseSampler(abc.ABC):
    """Base class of samplers; subclass it to write your own (an Optuna sampler ports as is).

    Example
    -------
    >>> import tunekit
    >>> class MidpointSampler(tunekit.samplers.BaseSampler):
    ...     def infer_relative_search_space(self, study, trial):
    ...         return {}
    ...     def sample_relative(self, study, trial, search_space):
    ...         return {}
    ...     def sample_independent(self, study, trial, param_name, param_distribution):
    ...         return (param_distribution.low + param_distribution.high) / 2
    >>> study = tunekit.create_study(sampler=MidpointSampler())
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 4), n_trials=1)
    >>> study.best_params
    {'x': 2.0}
    """

    def __str__(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """Return the parameters to sample jointly in :meth:`sample_relative`."""

    @abc.abstractmethod
    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """Sample the parameters of ``search_space`` jointly; external values by name."""

    @abc.abstractmethod
    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        """Sample one parameter outside the relative search space; an external value."""

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:  # noqa: B027
        """Called once when a trial is created, before its objective runs."""

    def after_trial(  # noqa: B027
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        """Called once when a trial is told its result, before the result is stored."""

    def reseed_rng(self) -> None:  # noqa: B027
        """Draw a fresh seed (the study calls it in worker processes so they do not repeat)."""

    def _raise_error_if_multi_objective(self, study: Study) -> None:
        if study._is_multi_objective():
            raise ValueError(
                f"{type(self).__name__} does not support multi-objective optimization."
            )


class IndependentSampler(BaseSampler):
    """A sampler that models no parameters jointly: everything goes to ``sample_independent``.

    The base of RandomSampler, GridSampler and BruteForceSampler.
    """

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}
