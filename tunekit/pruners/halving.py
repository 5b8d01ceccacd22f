"""Asynchronous successive halving (ASHA) and Hyperband.

**Successive halving, asynchronous** (Li et al., "A System for Massively Parallel Hyperparameter
Tuning", MLSys 2020, Algorithm 2). Rung ``k`` sits at step
``min_resource * reduction_factor ** (min_early_stopping_rate + k)``. When a trial reaches a
rung it records its value there (trial system attribute ``completed_rung_<k>``, Optuna's
bookkeeping, so studies move between the two libraries) and is promoted to the next rung only if
the value is in the top ``1 / reduction_factor`` of the values every trial recorded at that rung
so far (at least the single best); otherwise it is pruned. Nothing waits for a rung to fill:
early trials are judged against fewer competitors.

**Hyperband** (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
Optimization", JMLR 18(185), 2018) runs several successive-halving brackets with different
early-stopping rates: bracket ``b`` is ``SuccessiveHalvingPruner(min_early_stopping_rate=b)``.
Bracket ``b`` gets a share of the trials proportional to ``ceil(n_b * eta**s / (s + 1))`` with
``s = n_b - 1 - b`` (``n`` of the paper's Algorithm 1, as Optuna computes it). A trial's bracket
is a function of its number alone (no hash of the study name, unlike Optuna): the brackets'
shares are laid out once in a cycle, interleaved by smooth weighted round robin, and trial
``n`` takes slot ``n mod cycle``. Each bracket sees only its own trials: the pruner compares
within the bracket, and through :meth:`HyperbandPruner._filter_study` (which
:class:`~tunekit.trial.Trial` calls before asking the sampler) the sampler models only them.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.pruners.base import BasePruner
from tunekit.pruners.median import _check_int
from tunekit.storages.base import StudyDirection
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from collections.abc import Container

    # Imported for type hints only: tunekit.study imports the pruners package.
    from tunekit.study import Study

__all__ = ["SuccessiveHalvingPruner", "HyperbandPruner"]

_RUNG_KEY_PREFIX = "completed_rung_"


def _rung_key(rung: int) -> str:
    return f"{_RUNG_KEY_PREFIX}{rung}"


def _current_rung(system_attrs: dict[str, Any]) -> int:
    """The first rung the trial has not recorded a value at."""
    rung = 0
    while _rung_key(rung) in system_attrs:
        rung += 1
    return rung


def _values_at_rung(trials: list[FrozenTrial], key: str) -> np.ndarray:
    """The value each trial recorded under rung ``key`` (NaN where none), as one array."""
    return np.fromiter(
        (t.system_attrs.get(key, math.nan) for t in trials), dtype=float, count=len(trials)
    )


def _estimate_min_resource(trials: list[FrozenTrial]) -> int | None:
    """1% of the longest completed curve (at least 1), or None before any trial completed."""
    last_steps = [
        t.last_step for t in trials if t.state == TrialState.COMPLETE and t.last_step is not None
    ]
    if not last_steps:
        return None
    return max(max(last_steps) // 100, 1)


def _is_promotable(
    value: float, competing: np.ndarray, reduction_factor: int, direction: StudyDirection
) -> bool:
    """True if ``value`` is in the top ``len(competing) // reduction_factor`` (at least 1).

    ``competing`` holds every value recorded at the rung, ``value`` included.
    """
    n_promoted = max(competing.size // reduction_factor, 1)
    if direction == StudyDirection.MAXIMIZE:
        # The n_promoted-th largest value.
        cutoff = np.partition(competing, competing.size - n_promoted)[competing.size - n_promoted]
        return bool(value >= cutoff)
    cutoff = np.partition(competing, n_promoted - 1)[n_promoted - 1]
    return bool(value <= cutoff)


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving (ASHA): keep the top ``1/reduction_factor`` at each rung.

    Parameters
    ----------
    min_resource:
        The step of the first rung (``r`` in the paper), an int >= 1, or ``"auto"``: 1% of the
        longest curve among the first completed trials (at least 1); no pruning until a trial
        completed.
    reduction_factor:
        ``eta``, an int >= 2: rungs are ``reduction_factor`` times apart, and the top
        ``1/reduction_factor`` of a rung is promoted.
    min_early_stopping_rate:
        ``s``, an int >= 0: the first rung is at ``min_resource * reduction_factor ** s``.
    bootstrap_count:
        An int >= 0: a trial reaching a rung where this many values or fewer are recorded
        (its own included) is not promoted; as in Optuna, it is pruned. Requires an explicit
        ``min_resource`` when positive.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.halving import SuccessiveHalvingPruner
    >>> def objective(trial):
    ...     rate = trial.suggest_float("rate", 0.0, 1.0)
    ...     for epoch in range(27):
    ...         trial.report(rate * epoch, epoch)
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return rate * 27
    >>> study = tunekit.create_study(
    ...     direction="maximize",
    ...     sampler=tunekit.samplers.RandomSampler(seed=0),
    ...     pruner=SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    ... )
    >>> study.optimize(objective, n_trials=30)
    >>> "completed_rung_0" in study.trials[1].system_attrs
    True
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        owner = type(self).__name__
        if isinstance(min_resource, str):
            if min_resource != "auto":
                raise ValueError(
                    f"{owner}: `min_resource` must be an int >= 1 or 'auto', "
                    f"got min_resource={min_resource!r}."
                )
            self._min_resource: int | None = None
        else:
            self._min_resource = _check_int(owner, "min_resource", min_resource, 1)
        self._reduction_factor = _check_int(owner, "reduction_factor", reduction_factor, 2)
        self._min_early_stopping_rate = _check_int(
            owner, "min_early_stopping_rate", min_early_stopping_rate, 0
        )
        self._bootstrap_count = _check_int(owner, "bootstrap_count", bootstrap_count, 0)
        if self._bootstrap_count > 0 and self._min_resource is None:
            raise ValueError(
                f"{owner}: bootstrap_count={bootstrap_count!r} > 0 requires an explicit int "
                f"`min_resource`, got min_resource='auto'."
            )

    def _rung_step(self, rung: int) -> int:
        assert self._min_resource is not None
        return self._min_resource * self._reduction_factor ** (self._min_early_stopping_rate + rung)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None:
            return False
        trials: list[FrozenTrial] | None = None
        if self._min_resource is None:
            trials = study._get_trials(deepcopy=False, use_cache=True)
            # Estimated once and kept, as Optuna does: the rungs must not move under a study.
            self._min_resource = _estimate_min_resource(trials)
            if self._min_resource is None:
                return False

        # The rungs this trial passed live in the storage (another call, maybe another process,
        # recorded them); the record the caller holds may predate them.
        system_attrs = study._storage.get_trial_system_attrs(trial._trial_id)
        rung = _current_rung(system_attrs)
        if step < self._rung_step(rung):
            return False
        value = trial.intermediate_values[step]
        if math.isnan(value):
            return True
        if trials is None:
            trials = study._get_trials(deepcopy=False, use_cache=True)
        direction = study.direction
        trial_ids = np.fromiter((t._trial_id for t in trials), dtype=np.int64, count=len(trials))

        while step >= self._rung_step(rung):
            key = _rung_key(rung)
            study._storage.set_trial_system_attr(trial._trial_id, key, value)
            recorded = _values_at_rung(trials, key)
            recorded[trial_ids == trial._trial_id] = math.nan  # its own value is added below
            competing = np.append(recorded[~np.isnan(recorded)], value)
            if competing.size <= self._bootstrap_count:
                return True
            if not _is_promotable(value, competing, self._reduction_factor, direction):
                return True
            rung += 1
        return False


def _bracket_schedule(budgets: list[int]) -> np.ndarray:
    """One cycle of bracket ids, bracket ``b`` appearing ``budgets[b]`` times, interleaved.

    Smooth weighted round robin: each slot adds every bracket's budget to its credit and gives
    the slot to the bracket with the most credit (the lowest id on ties), which pays the cycle
    length. Deterministic, and every prefix of the cycle is close to the target shares.
    """
    budget = np.asarray(budgets, dtype=np.int64)
    total = int(budget.sum())
    credit = np.zeros_like(budget)
    schedule = np.empty(total, dtype=np.int64)
    for slot in range(total):  # once per pruner, over the cycle's slots
        credit += budget
        winner = int(np.argmax(credit))
        credit[winner] -= total
        schedule[slot] = winner
    return schedule


class _BracketStudy:
    """A view of a study that holds only the trials of one Hyperband bracket.

    Reading trials (``trials``, ``get_trials``, ``_get_trials``, ``best_trial``, ``best_value``,
    ``best_params``) sees the bracket only; every other attribute (storage, directions,
    sampler, pruner, user attributes) is the wrapped study's own.
    """

    def __init__(self, study: Study, pruner: HyperbandPruner, bracket_id: int) -> None:
        self._bracket_base_study = study
        self._bracket_pruner = pruner
        self._bracket_id = bracket_id

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes the view does not define: the wrapped study's.
        if name.startswith("_bracket_"):
            raise AttributeError(name)
        return getattr(self._bracket_base_study, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # A sampler that stops the study (``_stop_flag``) must stop the real one.
        if name.startswith("_bracket_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._bracket_base_study, name, value)

    @property
    def _view_key(self) -> tuple[str, int]:
        """Tells caches keyed by study (IntersectionSearchSpace) that this is another view."""
        return ("hyperband-bracket", self._bracket_id)

    def _get_trials(
        self,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
        use_cache: bool = False,
    ) -> list[FrozenTrial]:
        trials = self._bracket_base_study._get_trials(deepcopy, states, use_cache)
        numbers = np.fromiter((t.number for t in trials), dtype=np.int64, count=len(trials))
        in_bracket = self._bracket_pruner._bracket_ids(numbers) == self._bracket_id
        return list(itertools.compress(trials, in_bracket))

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._get_trials(deepcopy, states, use_cache=False)

    @property
    def trials(self) -> list[FrozenTrial]:
        return self.get_trials(deepcopy=True, states=None)

    @property
    def best_trial(self) -> FrozenTrial:
        completed = self._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not completed:
            raise ValueError(f"No trials are completed yet in bracket {self._bracket_id}.")
        values = np.fromiter((t.value for t in completed), dtype=float, count=len(completed))
        direction = self._bracket_base_study.direction
        pick = np.argmax if direction == StudyDirection.MAXIMIZE else np.argmin
        return copy.deepcopy(completed[int(pick(values))])

    @property
    def best_value(self) -> float:
        value = self.best_trial.value
        assert value is not None
        return value

    @property
    def best_params(self) -> dict[str, Any]:
        return self.best_trial.params

    def __repr__(self) -> str:
        return (
            f"_BracketStudy(study_name={self._bracket_base_study.study_name!r}, "
            f"bracket_id={self._bracket_id})"
        )


class HyperbandPruner(BasePruner):
    """Hyperband: several successive-halving brackets, each trial in one bracket.

    Bracket ``b`` (of ``n_b = floor(log_eta(max_resource / min_resource)) + 1``) is
    ``SuccessiveHalvingPruner(min_resource, reduction_factor, min_early_stopping_rate=b,
    bootstrap_count)``: bracket 0 stops trials earliest and gets the most trials. A trial's
    bracket depends on its number only, so every process agrees on it; the sampler sees only the
    trials of the bracket of the trial it samples for (as in Optuna). Two differences from
    Optuna: the bracket comes from the number, not from a hash of the study name and number, and
    the bracket count is exact at powers of ``eta`` (6 brackets for ``R = 243, r = 1, eta = 3``,
    where Optuna's float logarithm gives 5).

    Parameters
    ----------
    min_resource:
        ``r``, an int >= 1: the step of the first rung of the most aggressive bracket.
    max_resource:
        ``R``, an int >= ``min_resource``: the longest a trial runs (its last step + 1), or
        ``"auto"``: the longest curve among completed trials plus 1, fixed once a trial
        completed (until then there is one bracket and no pruning).
    reduction_factor:
        ``eta``, an int >= 2.
    bootstrap_count:
        An int >= 0, passed to every bracket's :class:`SuccessiveHalvingPruner`.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.halving import HyperbandPruner
    >>> def objective(trial):
    ...     rate = trial.suggest_float("rate", 0.0, 1.0)
    ...     for epoch in range(27):
    ...         trial.report(rate * epoch, epoch)
    ...         if trial.should_prune():
    ...             raise tunekit.TrialPruned()
    ...     return rate * 27
    >>> pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    >>> study = tunekit.create_study(
    ...     direction="maximize", sampler=tunekit.samplers.RandomSampler(seed=0), pruner=pruner
    ... )
    >>> study.optimize(objective, n_trials=20)
    >>> pruner.bracket_of(0), pruner.bracket_of(1)
    (0, 1)
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ) -> None:
        owner = type(self).__name__
        self._min_resource = _check_int(owner, "min_resource", min_resource, 1)
        if isinstance(max_resource, str):
            if max_resource != "auto":
                raise ValueError(
                    f"{owner}: `max_resource` must be an int >= min_resource or 'auto', "
                    f"got max_resource={max_resource!r}."
                )
            self._max_resource: int | None = None
        else:
            self._max_resource = _check_int(owner, "max_resource", max_resource, 1)
            if self._max_resource < self._min_resource:
                raise ValueError(
                    f"{owner}: `max_resource` must be >= min_resource={min_resource!r}, "
                    f"got max_resource={max_resource!r}."
                )
        self._reduction_factor = _check_int(owner, "reduction_factor", reduction_factor, 2)
        self._bootstrap_count = _check_int(owner, "bootstrap_count", bootstrap_count, 0)
        self._pruners: list[SuccessiveHalvingPruner] = []
        self._schedule = np.zeros(1, dtype=np.int64)
        self._init_lock = threading.Lock()
        if self._max_resource is not None:
            self._build_brackets(self._max_resource)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_init_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_lock = threading.Lock()

    # ------------------------------------------------------------------------ brackets

    def _build_brackets(self, max_resource: int) -> None:
        eta = self._reduction_factor
        # n_brackets = floor(log_eta(R / r)) + 1, in integers: the float log misses exact powers
        # (Optuna gets 5 brackets for R = 243 = 3**5, r = 1, eta = 3; the paper's s_max + 1 is 6).
        n_brackets = 1
        while self._min_resource * eta**n_brackets <= max_resource:
            n_brackets += 1
        budgets = []
        for bracket_id in range(n_brackets):
            s = n_brackets - 1 - bracket_id
            budgets.append(math.ceil(n_brackets * eta**s / (s + 1)))
        self._budgets = budgets
        self._schedule = _bracket_schedule(budgets)
        self._pruners = [
            SuccessiveHalvingPruner(
                min_resource=self._min_resource,
                reduction_factor=eta,
                min_early_stopping_rate=bracket_id,
                bootstrap_count=self._bootstrap_count,
            )
            for bracket_id in range(n_brackets)
        ]

    def _ensure_brackets(self, study: Study) -> bool:
        """Build the brackets if ``max_resource`` is known or can be estimated; True if built."""
        if self._pruners:
            return True
        with self._init_lock:
            if self._pruners:
                return True
            completed = study._get_trials(
                deepcopy=False, states=(TrialState.COMPLETE,), use_cache=True
            )
            last_steps = [t.last_step for t in completed if t.last_step is not None]
            if not last_steps:
                return False
            self._max_resource = max(last_steps) + 1
            self._build_brackets(self._max_resource)
            return True

    @property
    def n_brackets(self) -> int:
        """The number of brackets (1 while ``max_resource="auto"`` is not yet estimated)."""
        return max(len(self._pruners), 1)

    def _bracket_ids(self, numbers: np.ndarray) -> np.ndarray:
        """The bracket of each trial number (vectorised)."""
        return self._schedule[np.asarray(numbers, dtype=np.int64) % self._schedule.size]

    def bracket_of(self, trial_number: int) -> int:
        """The bracket a trial of this number belongs to (0 before the brackets are known)."""
        return int(self._bracket_ids(np.asarray([trial_number]))[0])

    def _filter_study(self, study: Study, trial: FrozenTrial) -> Study | _BracketStudy:
        """The study as the sampler should see it for ``trial``: only its bracket's trials."""
        if isinstance(study, _BracketStudy) or not self._ensure_brackets(study):
            return study
        return _BracketStudy(study, self, self.bracket_of(trial.number))

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if not self._ensure_brackets(study):
            return False
        bracket_id = self.bracket_of(trial.number)
        return self._pruners[bracket_id].prune(_BracketStudy(study, self, bracket_id), trial)
