"""Constraint values from a sampler's ``constraints_func``, stored as Optuna 5.0 stores them.

``constraints_func(frozen_trial)`` returns a sequence of floats, ``<= 0`` meaning satisfied; the
list goes to ``system_attrs["constraints"]`` and reads back as ``FrozenTrial.constraints``
``{"0": ..., "1": ...}``, beside the named values of ``trial.set_constraint(key, value)``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tunekit.trial import CONSTRAINTS_KEY, FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["CONSTRAINTS_KEY", "record_constraints"]


def record_constraints(
    owner: str,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None,
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
    values: Sequence[float] | None,
) -> None:
    """Evaluate ``constraints_func`` on a trial being told COMPLETE or PRUNED; store the values.

    Called from a sampler's ``after_trial`` (before the state is stored, while the trial may
    still be written); the function sees the trial with its final state and values (None for a
    pruned one), as in Optuna. ``owner`` names the sampler in error messages.
    """
    if constraints_func is None or state not in (TrialState.COMPLETE, TrialState.PRUNED):
        return
    finished = copy.copy(trial)
    finished.state = state
    finished.values = values
    raw: Any = constraints_func(finished)
    try:
        constraints = [float(v) for v in raw]
    except (TypeError, ValueError):
        raise TypeError(
            f"{owner}: `constraints_func` must return a sequence of floats, got {raw!r}."
        ) from None
    if any(math.isnan(v) for v in constraints):
        raise ValueError(f"{owner}: `constraints_func` returned NaN: {constraints!r}.")
    study._storage.set_trial_system_attr(trial._trial_id, CONSTRAINTS_KEY, constraints)
