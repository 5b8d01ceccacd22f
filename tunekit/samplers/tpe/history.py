"""The study's trials as arrays for TPE, built incrementally (a cache: it changes only speed).

Example
-------
>>> import tunekit
>>> study = tunekit.create_study()
>>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
>>> trials = study._get_trials(deepcopy=False, use_cache=True)
>>> values, running, losses, *_ = History().arrays(study, trials, -1, ("x",))
>>> values.shape, losses.shape
((3, 1), (3, 1))
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["Arrays", "History"]


class Record:
    """What TPE needs of one trial: internal parameter values and its ranking keys."""

    __slots__ = (
        "names",
        "internal",
        "running",
        "pruned",
        "losses",
        "violation",
        "step",
        "pruned_loss",
    )

    @classmethod
    def of(cls, trial: FrozenTrial, signs: list[float]) -> Record:
        record = cls()
        record.names = frozenset(trial.params)
        record.internal = {
            name: trial.distributions[name].to_internal_repr(value)
            for name, value in trial.params.items()
        }
        record.running = trial.state == TrialState.RUNNING
        record.pruned = trial.state == TrialState.PRUNED
        values = trial.values
        if values is not None and trial.state == TrialState.COMPLETE:
            record.losses = [v * s for v, s in zip(values, signs, strict=True)]
        else:
            record.losses = [math.inf] * len(signs)
        # Total violation; a trial without constraint values is feasible, as in Optuna (a
        # constraint set only on some branches of the objective does not bind the others).
        record.violation = sum(max(c, 0.0) for c in trial.constraints.values())
        step = trial.last_step if record.pruned else None
        record.step = -1.0 if step is None else float(step)
        pruned_loss = math.inf
        if step is not None:
            pruned_loss = trial.intermediate_values[step] * signs[0]
            if math.isnan(pruned_loss):
                pruned_loss = math.inf
        record.pruned_loss = pruned_loss
        return record


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def stack_records(records: list[Record], names: tuple[str, ...], n_objectives: int) -> Arrays:
    """Arrays of ``records``: values (n, d), running, losses (n, m), total constraint
    violations, pruned, last steps and losses at the last step of pruned trials."""
    n = len(records)
    return (
        np.array([[r.internal[k] for k in names] for r in records], dtype=float).reshape(
            n, len(names)
        ),
        np.array([r.running for r in records], dtype=bool),
        np.array([r.losses for r in records], dtype=float).reshape(n, n_objectives),
        np.array([r.violation for r in records], dtype=float),
        np.array([r.pruned for r in records], dtype=bool),
        np.array([r.step for r in records], dtype=float),
        np.array([r.pruned_loss for r in records], dtype=float),
    )


class History:
    """The study's trials as arrays per search space, built incrementally.

    Finished trials never change, so the arrays of the longest run of finished trials at the
    start of the history (the *prefix*) are kept per space and only extended; the few trials
    after it (RUNNING ones, finished ones past a RUNNING one) are stacked afresh each call. A
    cache only: resetting it changes nothing but speed.
    """

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, key: tuple[int, int] | None) -> None:
        self._key = key
        self._prefix: list[Record] = []
        self._prefix_last_number = -1
        self._tail_cache: dict[int, Record] = {}
        self._spaces: dict[tuple[str, ...], tuple[int, Arrays]] = {}

    def arrays(
        self, study: Study, trials: list[FrozenTrial], exclude: int, names: tuple[str, ...]
    ) -> Arrays:
        """Arrays of the trials (but ``exclude``) that have every parameter in ``names``."""
        key = (id(study._storage), study._study_id)
        n_prefix = len(self._prefix)
        if key != self._key or (
            n_prefix
            and (len(trials) < n_prefix or trials[n_prefix - 1].number != self._prefix_last_number)
        ):
            self._reset(key)
            n_prefix = 0
        signs = [1.0 if d.name == "MINIMIZE" else -1.0 for d in study.directions]
        n_objectives = len(signs)
        while n_prefix < len(trials) and trials[n_prefix].state.is_finished():
            record = self._tail_cache.pop(trials[n_prefix].number, None)
            self._prefix.append(
                record if record is not None else Record.of(trials[n_prefix], signs)
            )
            n_prefix += 1
        if n_prefix:
            self._prefix_last_number = trials[n_prefix - 1].number

        name_set = frozenset(names)
        n_seen, cached = self._spaces.get(names, (0, None))
        if cached is None or n_seen < n_prefix:
            new = stack_records(
                [r for r in self._prefix[n_seen:] if name_set <= r.names], names, n_objectives
            )
            cached = (
                new
                if cached is None
                else tuple(  # type: ignore[assignment]
                    np.concatenate([old, part]) for old, part in zip(cached, new, strict=True)
                )
            )
            self._spaces[names] = (n_prefix, cached)  # type: ignore[assignment]

        tail: list[Record] = []
        for trial in trials[n_prefix:]:
            if trial.number == exclude:
                continue
            record = self._tail_cache.get(trial.number)
            if record is None:
                record = Record.of(trial, signs)
                if trial.state.is_finished():
                    self._tail_cache[trial.number] = record
            if name_set <= record.names:
                tail.append(record)
        if not tail:
            return cached  # type: ignore[return-value]
        extra = stack_records(tail, names, n_objectives)
        return tuple(  # type: ignore[return-value]
            np.concatenate([old, part]) for old, part in zip(cached, extra, strict=True)
        )
