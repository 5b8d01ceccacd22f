"""The learning curves that trials reported with ``trial.report(value, step)``.

Pruned curves are grey and end in a cross where the pruner stopped them, so what the pruner cut
stands apart from what ran to the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.trial import FrozenTrial, TrialState
from tunekit.visualization._utils import (
    COMPLETE_COLOR,
    PRUNED_COLOR,
    RUNNING_COLOR,
    import_pyplot,
    is_feasible,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_intermediate_values"]

_logger = logging.get_logger(__name__)

_PLOTTED_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
# Legend entry, colour, line style and zorder of each kind of curve.
_STYLES = {
    "Complete": (COMPLETE_COLOR, "-", 3),
    "Infeasible": (COMPLETE_COLOR, "--", 3),
    "Pruned": (PRUNED_COLOR, "-", 2),
    "Running": (RUNNING_COLOR, "-", 4),
}


def _kind(trial: FrozenTrial) -> str:
    if trial.state == TrialState.PRUNED:
        return "Pruned"
    if trial.state == TrialState.RUNNING:
        return "Running"
    return "Complete" if is_feasible(trial) else "Infeasible"


def plot_intermediate_values(study: Study) -> Axes:
    """Plot each trial's reported intermediate values against their steps.

    One line per complete, pruned or running trial that reported something (its label is
    ``"Trial <number>"``). Complete trials are blue (dashed when they violate recorded
    constraints), pruned ones grey with a cross at the step where they were stopped, running
    ones green. The legend names these kinds rather than the trials.

    Parameters
    ----------
    study
        The study whose trials' ``intermediate_values`` are drawn.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (an empty one, with a logged warning, when no trial reported a value).

    Example
    -------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_intermediate_values
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     for step in range(10):
    ...         trial.report(x / (step + 1), step)
    ...     return x / 10
    >>> study = tunekit.create_study()
    >>> study.optimize(objective, n_trials=5)
    >>> ax = plot_intermediate_values(study)
    >>> len(ax.get_lines())
    5
    """
    plt = import_pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    trials = study.get_trials(deepcopy=False, states=_PLOTTED_STATES)
    curves = [t for t in trials if t.intermediate_values]

    _, ax = plt.subplots(layout="tight")
    ax.set_title("Intermediate Values Plot")
    ax.set_xlabel("Step")
    ax.set_ylabel("Intermediate Value")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not trials:
        _logger.warning("plot_intermediate_values: the study has no trials to plot.")
        return ax
    if not curves:
        _logger.warning(
            "plot_intermediate_values: no trial reported intermediate values; "
            "call trial.report(value, step) in the objective (as pruning does)."
        )
        return ax

    kinds_drawn: set[str] = set()
    pruned_ends: list[tuple[float, float]] = []
    for trial in curves:
        steps = np.array(sorted(trial.intermediate_values), dtype=float)
        values = np.array([trial.intermediate_values[int(s)] for s in steps], dtype=float)
        kind = _kind(trial)
        color, linestyle, zorder = _STYLES[kind]
        ax.plot(
            steps,
            values,
            color=color,
            linestyle=linestyle,
            marker=".",
            markersize=4,
            alpha=0.8,
            zorder=zorder,
            label=f"Trial {trial.number}",
        )
        if kind == "Pruned":
            pruned_ends.append((steps[-1], values[-1]))
        kinds_drawn.add(kind)
    if pruned_ends:
        ends = np.array(pruned_ends)
        ax.scatter(ends[:, 0], ends[:, 1], color=PRUNED_COLOR, marker="x", s=30, zorder=2)

    handles = []
    for kind, (color, linestyle, _) in _STYLES.items():
        if kind in kinds_drawn:
            marker = "x" if kind == "Pruned" else "."
            handles.append(
                Line2D([], [], color=color, linestyle=linestyle, marker=marker, label=kind)
            )
    ax.legend(handles=handles, loc="best")
    return ax
