"""The empirical distribution function of the objective values of complete trials.

For a value ``x`` the curve gives the fraction of complete trials whose value is ``<= x``: a
study whose curve rises earlier (when minimising) found good values more often. It is drawn
exactly, as a step at every observed value, rather than sampled on a grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.trial import FrozenTrial
from tunekit.visualization._utils import (
    COMPLETE_COLOR,
    DEFAULT_TARGET_NAME,
    as_study_list,
    check_target,
    complete_trials,
    finite_trials,
    import_pyplot,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_edf"]

_logger = logging.get_logger(__name__)


def plot_edf(
    study: Study | Sequence[Study],
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Axes:
    """Plot the empirical distribution function of the values of the complete trials.

    One step curve per study, labelled with the study's name (a legend is drawn for two or
    more studies). All curves run from 0 at the smallest value of any study to 1 at the
    largest, so they can be compared over one range. Non-finite values are left out.

    Parameters
    ----------
    study
        A study, or a sequence of studies to compare.
    target
        The value of each trial to use, e.g. ``lambda t: t.values[0]``. Required for a
        multi-objective study.
    target_name
        The x-axis label.

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
    >>> from tunekit.visualization.matplotlib import plot_edf
    >>> study = tunekit.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=20)
    >>> ax = plot_edf(study)
    >>> float(ax.get_lines()[0].get_ydata()[-1])
    1.0
    """
    studies = as_study_list(study)
    for each in studies:
        check_target(each, target)
    plt = import_pyplot()

    _, ax = plt.subplots(layout="tight")
    ax.set_title("Empirical Distribution Function Plot")
    ax.set_xlabel(target_name)
    ax.set_ylabel("Cumulative Probability")
    ax.set_ylim(0.0, 1.02)
    if not studies:
        _logger.warning("plot_edf: there are no studies to plot.")
        return ax
    samples = [np.sort(finite_trials(complete_trials(s), target)[1]) for s in studies]
    if all(len(values) == 0 for values in samples):
        _logger.warning("plot_edf: there are no complete trials with finite values to plot.")
        return ax

    low = min(values[0] for values in samples if len(values))
    high = max(values[-1] for values in samples if len(values))
    for i, (each, values) in enumerate(zip(studies, samples, strict=True)):
        if len(values) == 0:
            continue
        fractions = np.arange(1, len(values) + 1) / len(values)
        # Start at 0 on the common left edge and hold 1 to the common right edge.
        xs = np.concatenate([[low], values, [high]])
        ys = np.concatenate([[0.0], fractions, [1.0]])
        color = COMPLETE_COLOR if len(studies) == 1 else f"C{i % 10}"
        ax.plot(xs, ys, drawstyle="steps-post", color=color, label=each.study_name)
    if len(studies) > 1:
        ax.legend(loc="lower right", fontsize="small")
    return ax
