"""Parallel-coordinate plot: each trial a polyline across one vertical axis per parameter."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit import logging
from tunekit.storages.base import StudyDirection
from tunekit.trial import FrozenTrial
from tunekit.visualization import _utils
from tunekit.visualization.matplotlib._slice import ParamAxis, log_ticks

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_parallel_coordinate"]

_logger = logging.get_logger(__name__)

# Every axis is drawn on [0, 1]; a trial without the parameter meets the axis at a "None" slot
# (as in Optuna) this far below it, so missing values stay visible but never pass for the
# smallest value.
MISSING_POSITION = -0.15
_MARGIN = 0.04
_MISSING_LABEL = "None"


def _dimension(
    ax: Axes,
    position: int,
    param_axis: ParamAxis | None,
    coordinates: np.ndarray,
    present: np.ndarray,
    y_range: tuple[float, float],
) -> np.ndarray:
    """Draw one vertical axis (a twin of ``ax`` with its own scale) and return the trials' heights.

    ``param_axis`` is None for the objective. Heights are the linear position of each value
    between the axis' lowest and highest value (log10 for log parameters, the index for
    categories), or ``MISSING_POSITION`` where the trial lacks the parameter.
    """
    ticker = _utils.matplotlib_module("ticker")
    is_log = param_axis is not None and param_axis.is_log
    categories = param_axis.categories if param_axis is not None else None
    linear = np.full(len(present), np.nan)
    if param_axis is None:
        linear[present] = coordinates
        low, high = float(coordinates.min()), float(coordinates.max())
        if high <= low:
            low, high = low - 0.5, high + 0.5
    else:
        linear[present] = param_axis.to_linear(coordinates)
        low, high = param_axis.linear_range(coordinates)
    heights = np.where(present, (linear - low) / (high - low), MISSING_POSITION)

    def to_data(height: float) -> float:
        value = low + height * (high - low)
        return 10.0**value if is_log else value

    twin = ax.twinx()
    twin.set_label(param_axis.name if param_axis is not None else "objective")
    if is_log:
        twin.set_yscale("log")
    twin.set_ylim(to_data(y_range[0]), to_data(y_range[1]))
    for spine in twin.spines.values():
        spine.set_visible(False)
    side = "left" if position == 0 else "right"
    spine = twin.spines[side]
    spine.set_visible(True)
    spine.set_position(("data", position))
    spine.set_bounds(to_data(0.0), to_data(1.0))
    twin.yaxis.set_ticks_position(side)
    twin.tick_params(axis="y", labelsize=8)

    if not present.any():  # only the missing slot: value ticks would describe nothing
        ticks, labels = [], []
    elif categories is not None:
        ticks = [float(i) for i in range(len(categories))]
        labels = list(categories)
    else:
        lowest, highest = to_data(0.0), to_data(1.0)
        if is_log:
            locator = log_ticks(lowest, highest)[0]
        else:
            is_int = param_axis is not None and param_axis.is_int
            locator = ticker.MaxNLocator(nbins=6, integer=is_int)
        tolerance = 1e-9 * max(abs(lowest), abs(highest), 1e-300)
        ticks = [
            float(v)
            for v in locator.tick_values(lowest, highest)
            if lowest - tolerance <= v <= highest + tolerance
        ]
        if len(ticks) < 2:
            ticks = [lowest, highest]
        labels = [f"{v:.4g}" for v in ticks]
    if not present.all():
        ticks.append(to_data(MISSING_POSITION))
        # Optuna's label, unless None is itself one of the choices.
        labels.append(_MISSING_LABEL if _MISSING_LABEL not in (categories or ()) else "(missing)")
    twin.yaxis.set_major_locator(ticker.FixedLocator(ticks))
    twin.yaxis.set_major_formatter(ticker.FixedFormatter(labels))
    twin.yaxis.set_minor_locator(ticker.NullLocator())
    return heights


def plot_parallel_coordinate(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = _utils.DEFAULT_TARGET_NAME,
) -> Axes:
    """Plot each trial as a polyline across one vertical axis per parameter.

    The leftmost axis is the objective, then one axis per parameter. Each finished (COMPLETE)
    trial with a finite value is one polyline, coloured by its value (colour bar labelled
    ``target_name``; darker is better when minimising). Log-scale parameters get a log axis
    with ticks in the parameter's own units; categorical ones list their choices. A trial that
    lacks a parameter (a conditional space) is still drawn: it crosses that axis at a "None"
    slot below the axis' range, as Optuna does, so no trial is dropped.

    Each vertical axis is a twin of the returned Axes whose ``get_label()`` is the parameter's
    name ("objective" for the objective); the polylines are one ``LineCollection`` on the
    returned Axes, in the axes' normalised [0, 1] heights.

    Parameters
    ----------
    study
        The study whose trials are plotted.
    params
        The parameters to plot, in this order; all the parameters of the study's trials
        (sorted) by default. An unknown name raises ``ValueError``.
    target
        The value to plot for each trial; required for a multi-objective study, e.g.
        ``lambda t: t.values[0]``.
    target_name
        The name of the objective axis and of the colour bar.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes holding the polylines.

    Examples
    --------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_parallel_coordinate
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 1e-3, 10.0, log=True)
    ...     kind = trial.suggest_categorical("kind", ["a", "b"])
    ...     return (x - 1.0) ** 2 + (kind == "b")
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=20)
    >>> ax = plot_parallel_coordinate(study)
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['Objective Value', 'kind', 'x']
    """
    plt = _utils.import_pyplot()
    _utils.check_target(study, target)
    all_trials = study.get_trials(deepcopy=False)
    names = _utils.param_names(all_trials, params)
    trials, values = _utils.finite_trials(_utils.complete_trials(study), target)
    fig, ax = plt.subplots(figsize=(2.0 + 1.6 * (len(names) + 1), 4.8), layout="constrained")
    ax.set_title("Parallel Coordinate Plot")
    if not trials:
        _logger.warning("plot_parallel_coordinate: the study has no completed trials to plot.")
        return ax

    collections = _utils.matplotlib_module("collections")
    colors = _utils.matplotlib_module("colors")
    reverse = target is not None or study.direction == StudyDirection.MINIMIZE
    # Draw the worst trials first so the best ones end on top.
    order = np.argsort(values, kind="stable")
    if reverse:
        order = order[::-1]
    trials = [trials[i] for i in order]
    values = values[order]

    any_missing = any(name not in t.params for t in trials for name in names)
    y_range = (MISSING_POSITION - _MARGIN if any_missing else -_MARGIN, 1.0 + _MARGIN)
    columns = [_dimension(ax, 0, None, values, np.ones(len(trials), bool), y_range)]
    for position, name in enumerate(names, start=1):
        present = np.array([name in t.params for t in trials])
        param_axis = ParamAxis.of(all_trials, name)
        coordinates = param_axis.coordinates([t.params[name] for t in trials if name in t.params])
        columns.append(_dimension(ax, position, param_axis, coordinates, present, y_range))
    heights = np.column_stack(columns)  # (trials, axes)
    positions = np.arange(len(columns), dtype=float)
    segments = np.stack([np.broadcast_to(positions, heights.shape), heights], axis=-1)

    norm = colors.Normalize(vmin=values.min(), vmax=max(values.max(), values.min() + 1e-12))
    lines = collections.LineCollection(
        list(segments), cmap=_line_colormap(reverse), norm=norm, linewidths=1.2
    )
    lines.set_array(values)
    ax.add_collection(lines)
    ax.set_ylim(*y_range)
    ax.set_xlim(
        -0.15 if len(columns) > 1 else -0.5, positions[-1] + (0.15 if len(columns) > 1 else 0.5)
    )
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(positions, [target_name, *names])
    if len(columns) > 4:
        plt.setp(ax.get_xticklabels(), rotation=25, ha="right", rotation_mode="anchor")
    colorbar = fig.colorbar(lines, ax=ax, pad=0.06)
    colorbar.set_label(target_name)
    return ax


def _line_colormap(reverse: bool) -> Any:
    """Blues (reversed when smaller is better) without its palest fifth, which vanishes on white."""
    name = "Blues_r" if reverse else "Blues"
    shades = np.linspace(0.0, 0.8, 256) if reverse else np.linspace(0.2, 1.0, 256)
    colors = _utils.matplotlib_module("colors")
    return colors.ListedColormap(_utils.colormap(name)(shades), name=name)
