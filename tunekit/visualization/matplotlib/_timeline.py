"""When each trial ran: one horizontal bar per trial from its start to its completion.

Trials that ran at the same time (``n_jobs``, several workers on one database) show as bars that
overlap along the time axis; gaps show where no trial ran. Running trials reach the present.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.trial import FrozenTrial, TrialState
from tunekit.visualization._utils import (
    INFEASIBLE_COLOR,
    STATE_COLORS,
    import_pyplot,
    is_feasible,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_timeline"]

_logger = logging.get_logger(__name__)

_INFEASIBLE = "INFEASIBLE"
# Legend order; a COMPLETE trial that violates recorded constraints is shown as INFEASIBLE.
_KINDS = ("COMPLETE", _INFEASIBLE, "PRUNED", "FAIL", "RUNNING")


def _kind(trial: FrozenTrial) -> str:
    if trial.state == TrialState.COMPLETE and not is_feasible(trial):
        return _INFEASIBLE
    return trial.state.name


def _check_n_recent_trials(n_recent_trials: int | None) -> None:
    if n_recent_trials is None:
        return
    if isinstance(n_recent_trials, bool) or not isinstance(n_recent_trials, (int, np.integer)):
        raise TypeError(f"n_recent_trials must be a positive int or None, got {n_recent_trials!r}.")
    if n_recent_trials <= 0:
        raise ValueError(
            f"n_recent_trials must be a positive int or None, got {n_recent_trials!r}."
        )


def plot_timeline(study: Study, n_recent_trials: int | None = None) -> Axes:
    """Plot each trial as a bar from its start to its completion, coloured by its state.

    The y axis is the trial number and the x axis wall-clock time (the trials' own naive or
    aware datetimes, labelled concisely from microseconds to years). Running trials end at the
    present; waiting trials have not started and are not drawn. The legend lists the states
    present; a complete trial that violates recorded constraints is hatched as ``INFEASIBLE``.

    Parameters
    ----------
    study
        The study whose trials are drawn.
    n_recent_trials
        Draw only the trials with the ``n_recent_trials`` highest numbers; None draws all.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (an empty one, with a logged warning, when there is no trial).

    Raises
    ------
    TypeError
        If ``n_recent_trials`` is neither an int nor None.
    ValueError
        If ``n_recent_trials`` is zero or negative.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_timeline
    >>> study = tunekit.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10, n_jobs=2)
    >>> ax = plot_timeline(study, n_recent_trials=5)
    >>> len(ax.patches)
    5
    """
    _check_n_recent_trials(n_recent_trials)
    plt = import_pyplot()
    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator

    trials = study.get_trials(deepcopy=False)
    if n_recent_trials is not None:
        trials = trials[-n_recent_trials:]
    started = [t for t in trials if t.datetime_start is not None]

    _, ax = plt.subplots(layout="tight")
    ax.set_title("Timeline Plot")
    ax.set_xlabel("Datetime")
    ax.set_ylabel("Trial")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not started:
        _logger.warning("plot_timeline: the study has no started trials to plot.")
        return ax

    left_edge, right_edge = np.inf, -np.inf
    for kind in _KINDS:
        members = [t for t in started if _kind(t) == kind]
        if not members:
            continue
        starts = [t.datetime_start for t in members]
        ends = [_end_of(t) for t in members]
        # Widths from the exact timedeltas: differences of large day numbers lose microseconds.
        widths = np.array([(e - s).total_seconds() for s, e in zip(starts, ends, strict=True)])
        color = INFEASIBLE_COLOR if kind == _INFEASIBLE else STATE_COLORS[TrialState[kind]]
        lefts = mdates.date2num(starts)
        left_edge = min(left_edge, lefts.min(), (lefts + widths / 86400.0).min())
        right_edge = max(right_edge, lefts.max(), (lefts + widths / 86400.0).max())
        ax.barh(
            [t.number for t in members],
            widths / 86400.0,
            left=lefts,
            height=0.8,
            color=color,
            # An edge keeps sub-pixel trials (fast failures in a long study) visible.
            edgecolor=STATE_COLORS[TrialState.COMPLETE] if kind == _INFEASIBLE else color,
            linewidth=0.5,
            hatch="///" if kind == _INFEASIBLE else None,
            label=kind,
        )
    # Bars stick the x limits to the first start; leave a margin on both sides instead.
    margin = 0.03 * (right_edge - left_edge) or 1.0 / 86400.0
    ax.set_xlim(left_edge - margin, right_edge + margin)
    # Aware datetimes are labelled in their own zone (matplotlib would show UTC); naive ones
    # keep their wall-clock time.
    zone = started[0].datetime_start.tzinfo  # type: ignore[union-attr]
    locator = mdates.AutoDateLocator(tz=zone)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))
    ax.legend(loc="upper left", fontsize="small")
    return ax


def _end_of(trial: FrozenTrial) -> datetime.datetime:
    start = trial.datetime_start
    assert start is not None
    end = trial.datetime_complete
    if end is None:
        end = datetime.datetime.now(start.tzinfo)
    if end < start:
        _logger.warning(
            f"plot_timeline: trial {trial.number} completed ({end}) before it started "
            f"({start}); its bar is drawn with the times as recorded."
        )
    return end
