"""GridSampler: every point of a given grid, each exactly once, then the study stops.

Each trial claims one grid point through the storage's compare-and-set
(:meth:`~tunekit.storages.BaseStorage.claim_study_key`), so threads, processes and machines
sharing a study never run a point twice. The claimed point is recorded in the trial's
``system_attrs`` (``grid_id`` and ``search_space``), as Optuna does.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit import logging
from tunekit.distributions import BaseDistribution, _is_json_container, _is_plain_choice
from tunekit.samplers.base import SKIP_TRIAL_KEY, IndependentSampler
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["GridSampler"]

_logger = logging.get_logger(__name__)

GridValueType = Any


class GridSampler(IndependentSampler):
    """Try every combination of the given values once.

    Parameters
    ----------
    search_space:
        Parameter name -> the values to try. The objective must suggest exactly these names.
    seed:
        Order in which unclaimed points are tried (random by default, as in Optuna, so that
        workers starting together spread over the grid).

    Example
    -------
    >>> import tunekit
    >>> grid = {"x": [-1, 0, 1], "kind": ["a", "b"]}
    >>> study = tunekit.create_study(sampler=tunekit.samplers.GridSampler(grid, seed=0))
    >>> def objective(trial):
    ...     return trial.suggest_int("x", -1, 1) ** 2 + (trial.suggest_categorical("kind", ["a", "b"]) == "b")
    >>> study.optimize(objective, n_trials=100)
    >>> len(study.trials)
    6
    """

    def __init__(
        self, search_space: Mapping[str, Sequence[GridValueType]], seed: int | None = None
    ) -> None:
        if not isinstance(search_space, Mapping) or not search_space:
            raise ValueError(
                f"GridSampler: `search_space` must be a non-empty dict of name -> values, "
                f"got {search_space!r}."
            )
        # NumPy grids (np.linspace(...), np.int64 values) become Python values, as Optuna takes
        # them too; JSON (the grid key, database storages) needs plain values.
        search_space = {
            name: [v.item() if isinstance(v, np.generic) else v for v in values]
            if isinstance(values, np.ndarray)
            or (isinstance(values, Sequence) and not isinstance(values, (str, bytes)))
            else values
            for name, values in search_space.items()
        }
        for name, values in search_space.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
                raise ValueError(
                    f"GridSampler: search_space[{name!r}] must be a non-empty list of values, "
                    f"got {values!r}."
                )
            for value in values:
                if _is_plain_choice(value):
                    continue
                if not _is_json_container(value):
                    raise ValueError(
                        f"GridSampler: grid values must be None, bool, int, float or str (or "
                        f"lists and dicts of them), got {value!r} in search_space[{name!r}]."
                    )
                # Optuna warns too: categorical choices like a layer layout work, but a
                # database returns a tuple as a list.
                warnings.warn(
                    f"GridSampler: {value!r} in search_space[{name!r}] is not None, bool, int, "
                    "float or str; it is kept as is.",
                    UserWarning,
                    stacklevel=2,
                )
        self._search_space = {name: list(values) for name, values in sorted(search_space.items())}
        self._param_names = list(self._search_space)
        self._all_grids = list(itertools.product(*self._search_space.values()))
        self._n_grids = len(self._all_grids)
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        # The same grid under another sampler instance (another process) gets the same key.
        canonical = json.dumps(self._search_space, sort_keys=True)
        self._grid_key = hashlib.sha1(canonical.encode()).hexdigest()[:16]

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    def _claim_key(self, grid_id: int) -> str:
        return f"grid:{self._grid_key}:{grid_id}"

    def _visited_grid_ids(self, study: Study) -> set[int]:
        visited = set()
        for trial in study._get_trials(deepcopy=False, use_cache=True):
            if (
                trial.system_attrs.get("grid_key") == self._grid_key
                and "grid_id" in trial.system_attrs
            ):
                visited.add(trial.system_attrs["grid_id"])
        return visited

    def _is_exhausted(self, study: Study) -> bool:
        return len(self._visited_grid_ids(study)) >= self._n_grids

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if "grid_id" in trial.system_attrs:
            return  # a retried trial keeps its point
        fixed = trial.system_attrs.get("fixed_params")
        if fixed is not None and set(fixed) >= set(self._param_names):
            return  # an enqueued trial brings its own values
        unvisited = np.setdiff1d(
            np.arange(self._n_grids), np.fromiter(self._visited_grid_ids(study), dtype=int)
        )
        storage = study._storage
        claimed = None
        for grid_id in self._rng.permutation(unvisited):
            if storage.claim_study_key(study._study_id, self._claim_key(int(grid_id))):
                claimed = int(grid_id)
                break
        if claimed is None:
            # Another worker took the last point between our check and our claim. Inside
            # optimize() the trial is then recorded FAIL without running (SKIP_TRIAL_KEY); a
            # trial from ask() re-evaluates a random point, as Optuna does.
            claimed = int(self._rng.integers(self._n_grids))
            storage.set_trial_system_attr(
                trial._trial_id,
                SKIP_TRIAL_KEY,
                "GridSampler: every grid point was already claimed by another worker.",
            )
            warnings.warn(
                "GridSampler: every grid point is already taken; trial "
                f"{trial.number} gets grid point {claimed} again.",
                UserWarning,
                stacklevel=2,
            )
            study._stop_flag = True
        if len(unvisited) <= 1:
            study._stop_flag = True
        storage.set_trial_system_attr(trial._trial_id, "search_space", self._search_space)
        storage.set_trial_system_attr(trial._trial_id, "grid_key", self._grid_key)
        storage.set_trial_system_attr(trial._trial_id, "grid_id", claimed)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._search_space:
            raise ValueError(
                f"GridSampler: the parameter {param_name!r} is not in the grid "
                f"(grid parameters: {self._param_names!r})."
            )
        grid_id = trial.system_attrs["grid_id"]
        value = self._all_grids[grid_id][self._param_names.index(param_name)]
        if not param_distribution.contains(value):
            warnings.warn(
                f"GridSampler: the grid value {value!r} of {param_name!r} is outside "
                f"{param_distribution!r}.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        if self._is_exhausted(study):
            study._stop_flag = True

    def is_exhausted(self, study: Study) -> bool:
        """Whether every grid point has been claimed by a trial of ``study``."""
        return self._is_exhausted(study)
