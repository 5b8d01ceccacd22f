"""RandomSampler: independent uniform sampling, log-uniform where ``log=True``.

Log-scale parameters are drawn as ``exp(uniform(log low, log high))`` (the same as
``10 ** uniform(log10 low, log10 high)``), so every decade gets the same share of trials; integer
and stepped parameters are snapped to their grid with equal mass per grid point.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    IntDistribution,
    from_unit,
)
from tunekit.samplers.base import IndependentSampler
from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["RandomSampler"]


def _sample_one(rng: np.random.Generator, distribution: BaseDistribution) -> Any:
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(rng.integers(len(distribution.choices)))]
    value = float(from_unit(distribution, rng.random()))  # type: ignore[arg-type]
    return int(value) if isinstance(distribution, IntDistribution) else value


class RandomSampler(IndependentSampler):
    """Sample every parameter independently and uniformly (log-uniformly where ``log=True``).

    Parameters
    ----------
    seed:
        Makes the sequence of suggestions reproducible in one process.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("lr", 1e-5, 1e-1, log=True), n_trials=5)
    >>> all(1e-5 <= t.params["lr"] <= 1e-1 for t in study.trials)
    True
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        with self._lock:
            self._rng = np.random.default_rng()

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        with self._lock:
            return _sample_one(self._rng, param_distribution)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
