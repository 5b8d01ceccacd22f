"""The objective value of every complete trial against its number, with the best value so far.

Several studies share one axes (one colour each), or, with ``error_bar=True``, are summarised
per trial number by the mean and standard deviation across studies, as Optuna does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.study import StudyDirection
from tunekit.trial import FrozenTrial
from tunekit.visualization._utils import (
    BEST_COLOR,
    COMPLETE_COLOR,
    DEFAULT_TARGET_NAME,
    INFEASIBLE_COLOR,
    as_study_list,
    check_target,
    complete_trials,
    import_pyplot,
    is_feasible,
    target_values,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_optimization_history"]

_logger = logging.get_logger(__name__)


@dataclass
class _History:
    """One study's complete trials with finite values, in number order."""

    study_name: str
    numbers: np.ndarray  # int
    values: np.ndarray
    feasible: np.ndarray  # bool
    best: np.ndarray | None  # best feasible value so far (NaN before the first); None for a target


def _history_of(study: Study, target: Callable[[FrozenTrial], float] | None) -> _History:
    trials = complete_trials(study)
    values = target_values(trials, target)
    # NaN and +-inf cannot be drawn; they are left out of the points and of the best value.
    keep = np.isfinite(values)
    trials = [t for t, k in zip(trials, keep, strict=True) if k]
    values = values[keep]
    feasible = np.array([is_feasible(t) for t in trials], dtype=bool)
    best = None
    if target is None:
        # A user-defined target has no known direction, so only the objective gets a best line.
        feasible_values = np.where(feasible, values, np.nan)
        accumulate = np.fmax if study.direction == StudyDirection.MAXIMIZE else np.fmin
        best = accumulate.accumulate(feasible_values) if len(values) else feasible_values
    return _History(
        study_name=study.study_name,
        numbers=np.array([t.number for t in trials], dtype=int),
        values=values,
        feasible=feasible,
        best=best,
    )


def plot_optimization_history(
    study: Study | Sequence[Study],
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> Axes:
    """Plot the value of every complete trial and the best value so far, against trial number.

    Trials that violate recorded constraints are drawn in grey and do not count for the best
    value. The y axis is linear; call ``ax.set_yscale("log")`` for values spanning decades.

    Parameters
    ----------
    study
        A study, or a sequence of studies to compare (one colour each).
    target
        The value to plot for each trial, e.g. ``lambda t: t.values[1]`` or
        ``lambda t: t.duration.total_seconds()``. Required for a multi-objective study. No best
        line is drawn for a target, since its better direction is unknown.
    target_name
        The y-axis label and the points' legend entry.
    error_bar
        Summarise several studies: at each trial number, the mean of the values of the studies
        whose trial with that number is complete, with one standard deviation as an error bar,
        and the mean best value with a one-standard-deviation band.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (an empty one, with a logged warning, when there is nothing to plot).

    Raises
    ------
    ValueError
        If a study has several objectives and ``target`` is None.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_optimization_history
    >>> study = tunekit.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=20)
    >>> ax = plot_optimization_history(study)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Trial', 'Objective Value')
    """
    studies = as_study_list(study)
    for each in studies:
        check_target(each, target)
    plt = import_pyplot()
    from matplotlib.ticker import MaxNLocator

    _, ax = plt.subplots(layout="tight")
    ax.set_title("Optimization History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel(target_name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not studies:
        _logger.warning("plot_optimization_history: there are no studies to plot.")
        return ax
    histories = [_history_of(s, target) for s in studies]
    if all(len(h.numbers) == 0 for h in histories):
        _logger.warning("plot_optimization_history: there are no complete trials to plot.")
        return ax
    if error_bar:
        _draw_mean_and_spread(ax, histories, target_name)
    else:
        _draw_each(ax, histories, target_name)
    handles, labels = ax.get_legend_handles_labels()
    # Matplotlib lists lines before error bars; the points come first in reading order.
    order = sorted(range(len(labels)), key=lambda i: labels[i].startswith("Best Value"))
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    if len(studies) > 1 and not error_bar:
        # Two entries per study would cover the points, and study names can be long: the
        # legend goes under the axes, which the tight layout shortens to make room.
        ax.legend(
            handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize="small"
        )
    else:
        ax.legend(handles, labels, loc="best")
    return ax


def _draw_each(ax: Axes, histories: list[_History], target_name: str) -> None:
    single = len(histories) == 1
    for i, history in enumerate(histories):
        point_color = COMPLETE_COLOR if single else f"C{i % 10}"
        best_color = BEST_COLOR if single else f"C{i % 10}"
        suffix = "" if single else f" of {history.study_name}"
        feasible = history.feasible
        ax.scatter(
            history.numbers[feasible],
            history.values[feasible],
            color=point_color,
            s=20,
            alpha=0.8,
            label=target_name + suffix,
            zorder=2,
        )
        if not feasible.all():
            ax.scatter(
                history.numbers[~feasible],
                history.values[~feasible],
                color=INFEASIBLE_COLOR,
                s=20,
                label="Infeasible Trial" + suffix,
                zorder=2,
            )
        if history.best is not None:
            # The best value holds until the next improvement: a step, not a slope.
            ax.plot(
                history.numbers,
                history.best,
                color=best_color,
                drawstyle="steps-post",
                label="Best Value" + suffix,
                zorder=3,
            )


def _mean_and_std_by_number(
    histories: list[_History], pick: Callable[[_History], tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trial numbers where some study has a value, and the mean and std of those values."""
    size = max(int(h.numbers.max()) for h in histories if len(h.numbers)) + 1
    picked = [pick(h) for h in histories]
    total = np.zeros(size)
    count = np.zeros(size)
    for numbers, values in picked:
        np.add.at(total, numbers, values)
        np.add.at(count, numbers, 1)
    mean = np.divide(total, count, out=np.zeros(size), where=count > 0)
    # A second pass over the deviations keeps the std exact when values are large and close.
    squared_deviation = np.zeros(size)
    for numbers, values in picked:
        np.add.at(squared_deviation, numbers, (values - mean[numbers]) ** 2)
    present = count > 0
    std = np.sqrt(squared_deviation[present] / count[present])
    return np.flatnonzero(present), mean[present], std


def _draw_mean_and_spread(ax: Axes, histories: list[_History], target_name: str) -> None:
    def feasible_values(h: _History) -> tuple[np.ndarray, np.ndarray]:
        return h.numbers[h.feasible], h.values[h.feasible]

    numbers, mean, std = _mean_and_std_by_number(histories, feasible_values)
    if len(numbers) == 0:
        _logger.warning("plot_optimization_history: there are no feasible trials to plot.")
        return
    ax.errorbar(
        numbers,
        mean,
        yerr=std,
        fmt="o",
        markersize=4,
        capsize=2,
        elinewidth=1,
        color=COMPLETE_COLOR,
        label=target_name,
        zorder=2,
    )
    if histories[0].best is None:
        return

    def best_values(h: _History) -> tuple[np.ndarray, np.ndarray]:
        assert h.best is not None
        defined = ~np.isnan(h.best)
        return h.numbers[defined], h.best[defined]

    numbers, mean, std = _mean_and_std_by_number(histories, best_values)
    ax.plot(numbers, mean, color=BEST_COLOR, drawstyle="steps-post", label="Best Value", zorder=3)
    ax.fill_between(
        numbers, mean - std, mean + std, step="post", color=BEST_COLOR, alpha=0.2, linewidth=0
    )
