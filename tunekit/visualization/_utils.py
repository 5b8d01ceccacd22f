"""What every plot needs: matplotlib loaded on demand, the target to plot, and how to draw an axis.

Plots read the study once (``study.get_trials(deepcopy=False)``) and never write to it.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from tunekit.trial import FrozenTrial, TrialState, _is_feasible

if TYPE_CHECKING:
    from tunekit.study import Study

DEFAULT_TARGET_NAME = "Objective Value"

# Colours shared by every plot so a study looks the same across figures.
COMPLETE_COLOR = "tab:blue"
BEST_COLOR = "tab:red"
PRUNED_COLOR = "#a0a0a0"
FAIL_COLOR = "tab:red"
RUNNING_COLOR = "tab:green"
WAITING_COLOR = "tab:olive"

STATE_COLORS = {
    TrialState.COMPLETE: COMPLETE_COLOR,
    TrialState.PRUNED: PRUNED_COLOR,
    TrialState.FAIL: FAIL_COLOR,
    TrialState.RUNNING: RUNNING_COLOR,
    TrialState.WAITING: WAITING_COLOR,
}


def import_pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that names the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("tunekit's plots need matplotlib: pip install 'tunekit[plots]'") from exc
    return plt


def matplotlib_module(name: str) -> Any:
    """``matplotlib.<name>`` (``"ticker"``, ``"colors"``, ...), imported when a plot needs it."""
    return importlib.import_module(f"matplotlib.{name}")


def colormap(name: str) -> Any:
    """The registered matplotlib colormap called ``name``."""
    return importlib.import_module("matplotlib").colormaps[name]


def check_target(study: Study, target: Callable[[FrozenTrial], float] | None) -> None:
    """A multi-objective study has no single value to plot unless the caller picks one."""
    if target is None and study._is_multi_objective():
        raise ValueError(
            "this study has several objectives; pass target=lambda t: t.values[i] "
            "to choose the one to plot"
        )


def target_values(
    trials: Sequence[FrozenTrial], target: Callable[[FrozenTrial], float] | None
) -> np.ndarray:
    """The plotted value of each trial (``trial.value`` unless a target is given)."""
    if target is None:
        return np.array([t.value for t in trials], dtype=float)
    return np.array([target(t) for t in trials], dtype=float)


def complete_trials(study: Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def finite_trials(
    trials: Sequence[FrozenTrial], target: Callable[[FrozenTrial], float] | None
) -> tuple[list[FrozenTrial], np.ndarray]:
    """Trials whose plotted value is finite, with those values; NaN and inf cannot be drawn."""
    values = target_values(trials, target)
    keep = np.isfinite(values)
    return [t for t, k in zip(trials, keep, strict=True) if k], values[keep]


def param_names(trials: Sequence[FrozenTrial], params: Sequence[str] | None) -> list[str]:
    """Sorted names of the parameters any trial has, or the requested ones after checking them."""
    seen = sorted({name for t in trials for name in t.params})
    if params is None:
        return seen
    unknown = [p for p in params if p not in seen]
    if unknown:
        raise ValueError(
            f"params={list(params)!r}: {unknown!r} not found in the study's trials; "
            f"known parameters: {seen!r}"
        )
    return list(params)


def distribution_of(trials: Sequence[FrozenTrial], name: str) -> BaseDistribution:
    """The distribution the latest trial used for ``name`` (dynamic spaces may change it)."""
    for t in reversed(trials):
        if name in t.distributions:
            return t.distributions[name]
    raise KeyError(name)


def is_log_scale(trials: Sequence[FrozenTrial], name: str) -> bool:
    dist = distribution_of(trials, name)
    return isinstance(dist, (FloatDistribution, IntDistribution)) and dist.log


def is_categorical(trials: Sequence[FrozenTrial], name: str) -> bool:
    return isinstance(distribution_of(trials, name), CategoricalDistribution)


def category_positions(values: Sequence[Any]) -> tuple[np.ndarray, list[str]]:
    """Positions 0..k-1 for categorical values in first-seen order, with their tick labels."""
    labels: list[str] = []
    index: dict[str, int] = {}
    positions = np.empty(len(values))
    for i, v in enumerate(values):
        key = str(v)
        if key not in index:
            index[key] = len(labels)
            labels.append(key)
        positions[i] = index[key]
    return positions, labels


def is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# Added for the history, timeline and Pareto-front plots (feasibility as Study.best_trial sees it).
INFEASIBLE_COLOR = "#cccccc"


# Feasibility as Study.best_trial sees it: no recorded constraint, or every value <= 0.
is_feasible = _is_feasible


def as_study_list(study: Study | Sequence[Study]) -> list[Study]:
    """One study or a sequence of them, as a list; anything else is a TypeError."""
    from tunekit.study import Study

    if isinstance(study, Study):
        return [study]
    if not isinstance(study, Sequence) or not all(isinstance(s, Study) for s in study):
        raise TypeError(f"study must be a Study or a sequence of Study, got {study!r}.")
    return list(study)
