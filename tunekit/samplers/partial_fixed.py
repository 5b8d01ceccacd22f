"""PartialFixedSampler: fix some parameters, let another sampler choose the rest."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tunekit.distributions import BaseDistribution
from tunekit.samplers.base import BaseSampler
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["PartialFixedSampler"]


class PartialFixedSampler(BaseSampler):
    """Use ``fixed_params`` for the parameters they name; ``base_sampler`` for every other.

    Example
    -------
    >>> import tunekit
    >>> sampler = tunekit.samplers.PartialFixedSampler({"y": 0}, tunekit.samplers.RandomSampler(seed=0))
    >>> study = tunekit.create_study(sampler=sampler)
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("y", -1, 1), n_trials=3)
    >>> {t.params["y"] for t in study.trials}
    {0}
    """

    def __init__(self, fixed_params: Mapping[str, Any], base_sampler: BaseSampler) -> None:
        if not isinstance(fixed_params, Mapping):
            raise TypeError(
                f"PartialFixedSampler: `fixed_params` must be a dict, got {fixed_params!r}."
            )
        if not isinstance(base_sampler, BaseSampler):
            raise TypeError(
                f"PartialFixedSampler: `base_sampler` must be a sampler, got {base_sampler!r}."
            )
        self._fixed_params = dict(fixed_params)
        self._base_sampler = base_sampler

    def reseed_rng(self) -> None:
        self._base_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space = self._base_sampler.infer_relative_search_space(study, trial)
        return {name: d for name, d in space.items() if name not in self._fixed_params}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._base_sampler.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._fixed_params:
            return self._base_sampler.sample_independent(
                study, trial, param_name, param_distribution
            )
        value = self._fixed_params[param_name]
        if not param_distribution.contains(value):
            warnings.warn(
                f"PartialFixedSampler: fixed parameter {param_name!r} with value {value!r} is "
                f"outside {param_distribution!r}; it is used as given.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._base_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._base_sampler.after_trial(study, trial, state, values)
