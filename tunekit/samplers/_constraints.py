"""Constraint values from a sampler's ``constraints_func``, stored as Optuna stores them.

``constraints_func(frozen_trial)`` returns a sequence of floats, ``<= 0`` meaning satisfied; the
values go to ``system_attrs["constraints"]`` (read back as ``FrozenTrial.constraints``), where
``trial.set_constraint`` puts them too.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

CONSTRAINTS_KEY = "constraints"


def record_constraints(
    owner: str,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None,
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
    values: Sequence[float] | None,
) -> None:
    """Evaluate ``constraints_func`` on a trial being told COMPLETE and store its values.

    Called from a sampler's ``after_trial`` (before the state is stored, while the trial may
    still be written). ``owner`` names the sampler in error messages.
    """
    if constraints_func is None or state != TrialState.COMPLETE:
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
