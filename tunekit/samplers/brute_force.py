"""BruteForceSampler: enumerate every combination of a discrete define-by-run search space.

The space need not be fixed in advance: the trials so far form a tree (each level a parameter,
each branch a value), and each new trial walks down it choosing, at every parameter, a value
whose subtree still holds untried combinations. When no such value is left the study stops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    _choice_key,
)
from tunekit.samplers.base import IndependentSampler
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["BruteForceSampler"]


def _all_values(distribution: BaseDistribution) -> list[Any]:
    if isinstance(distribution, CategoricalDistribution):
        return list(distribution.choices)
    if isinstance(distribution, IntDistribution):
        return list(range(distribution.low, distribution.high + 1, distribution.step))
    if isinstance(distribution, FloatDistribution) and distribution.step is not None:
        n = int(round((distribution.high - distribution.low) / distribution.step)) + 1
        return [min(distribution.low + i * distribution.step, distribution.high) for i in range(n)]
    raise ValueError(
        f"BruteForceSampler needs discrete parameters; {distribution!r} is continuous "
        f"(give suggest_float a `step`)."
    )


class _Node:
    """One parameter of the tree: its distribution and the subtree below each tried value."""

    def __init__(self) -> None:
        self.distribution: BaseDistribution | None = None
        self.param_name: str | None = None
        # Keyed by _choice_key: 1 and True stay apart, and a list choice (a layer layout)
        # gets a hashable key that a database's copy of it shares.
        self.children: dict[tuple[str, Any], _Node] = {}
        self.is_leaf = False  # a trial ended here (suggested nothing more)

    def add_path(self, path: list[tuple[str, Any, BaseDistribution]], ends: bool) -> None:
        node = self
        for name, value, distribution in path:
            node.param_name, node.distribution = name, distribution
            node = node.children.setdefault(_choice_key(value), _Node())
        if ends:
            node.is_leaf = True

    def is_exhausted(self) -> bool:
        if self.is_leaf:
            return True
        if self.distribution is None:
            return False  # nothing below was ever tried
        values = _all_values(self.distribution)
        return all(
            _choice_key(v) in self.children and self.children[_choice_key(v)].is_exhausted()
            for v in values
        )

    def open_values(self, distribution: BaseDistribution) -> list[Any]:
        return [
            v
            for v in _all_values(distribution)
            if _choice_key(v) not in self.children
            or not self.children[_choice_key(v)].is_exhausted()
        ]


class BruteForceSampler(IndependentSampler):
    """Try every combination of a discrete (possibly conditional) search space once.

    Parameters
    ----------
    seed:
        The order in which open values are chosen.
    avoid_premature_stop:
        Count only finished trials when deciding what is left (a running trial might not take
        the path its parameters so far suggest), at the price of occasional repeats.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study(sampler=tunekit.samplers.BruteForceSampler(seed=0))
    >>> def objective(trial):
    ...     kind = trial.suggest_categorical("kind", ["a", "b"])
    ...     return trial.suggest_int("n", 0, 2) if kind == "a" else 0.5
    >>> study.optimize(objective, n_trials=100)
    >>> len(study.trials)
    4
    """

    def __init__(self, seed: int | None = None, avoid_premature_stop: bool = False) -> None:
        self._rng = np.random.default_rng(seed)
        self._avoid_premature_stop = avoid_premature_stop

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    def _tree(self, study: Study, exclude_number: int | None) -> _Node:
        root = _Node()
        for trial in study._get_trials(deepcopy=False, use_cache=True):
            if trial.number == exclude_number:
                continue
            finished = trial.state.is_finished()
            if self._avoid_premature_stop and not finished:
                continue
            if trial.state == TrialState.WAITING:
                continue
            path = [(n, v, trial.distributions[n]) for n, v in trial.params.items()]
            root.add_path(path, ends=finished)
        return root

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        node = self._tree(study, exclude_number=trial.number)
        for name, value in trial.params.items():
            node.param_name = name
            node = node.children.get(_choice_key(value)) or _Node()
        open_values = node.open_values(param_distribution)
        candidates = open_values or _all_values(param_distribution)
        return candidates[int(self._rng.integers(len(candidates)))]

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        root = self._tree(study, exclude_number=trial.number)
        path = [(n, v, trial.distributions[n]) for n, v in trial.params.items()]
        root.add_path(path, ends=True)
        if root.is_exhausted():
            study._stop_flag = True
