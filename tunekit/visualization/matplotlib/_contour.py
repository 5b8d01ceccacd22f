"""Contour plot: the objective interpolated over each pair of parameters, with the trials on top."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.storages.base import StudyDirection
from tunekit.trial import FrozenTrial
from tunekit.visualization import _utils
from tunekit.visualization.matplotlib._slice import ParamAxis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_contour"]

_logger = logging.get_logger(__name__)

# Points per side of the interpolation grid, and the number of filled contour levels.
GRID_SIZE = 100
N_LEVELS = 15


def _interpolate(
    x_linear: np.ndarray, y_linear: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The objective on a GRID_SIZE x GRID_SIZE grid over the points' box, linear between them.

    Interpolation happens in the axes' linear units (log10 for log parameters, the index for
    categories) so the contours look straight on the axes they are drawn on. Returns None when
    the points span no area (fewer than three, or all on one line), where a contour is meaningless.
    """
    from scipy.interpolate import griddata
    from scipy.spatial import QhullError

    points = np.unique(np.column_stack([x_linear, y_linear]), axis=0)
    if len(points) < 3 or np.ptp(points[:, 0]) == 0 or np.ptp(points[:, 1]) == 0:
        return None
    grid_x, grid_y = np.meshgrid(
        np.linspace(x_linear.min(), x_linear.max(), GRID_SIZE),
        np.linspace(y_linear.min(), y_linear.max(), GRID_SIZE),
    )
    try:
        grid_z = griddata((x_linear, y_linear), z, (grid_x, grid_y), method="linear")
    except QhullError:  # collinear points that passed the checks above
        return None
    return grid_x, grid_y, grid_z


def _draw_pair(
    ax: Axes,
    x_axis: ParamAxis,
    y_axis: ParamAxis,
    trials: Sequence[FrozenTrial],
    values: np.ndarray,
    levels: np.ndarray,
    cmap: str,
) -> None:
    rows = [i for i, t in enumerate(trials) if x_axis.name in t.params and y_axis.name in t.params]
    if not rows:
        ax.text(
            0.5,
            0.5,
            "no trial has both",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="grey",
            fontsize=8,
        )
        return
    x = x_axis.coordinates([trials[i].params[x_axis.name] for i in rows])
    y = y_axis.coordinates([trials[i].params[y_axis.name] for i in rows])
    z = values[rows]
    style = {"levels": levels, "cmap": cmap}
    if x_axis.is_categorical and y_axis.is_categorical:
        _draw_category_cells(ax, x, y, z, levels, cmap)
    elif x_axis.is_categorical or y_axis.is_categorical:
        # Interpolating across categories would invent values between unrelated choices:
        # each category gets its own band, interpolated along the numeric parameter only.
        swap = x_axis.is_categorical
        category, number = (x, y) if swap else (y, x)
        numeric_axis = y_axis if swap else x_axis
        for position in np.unique(category):
            mine = category == position
            line = numeric_axis.to_linear(number[mine])
            if np.ptp(line) == 0:
                continue
            order = np.argsort(line)
            grid = np.linspace(line.min(), line.max(), GRID_SIZE)
            band_z = np.tile(np.interp(grid, line[order], z[mine][order]), (2, 1))
            band = np.array([position - 0.35, position + 0.35])
            grid = numeric_axis.from_linear(grid)
            if swap:
                ax.contourf(band, grid, band_z.T, **style)
            else:
                ax.contourf(grid, band, band_z, **style)
    else:
        grid = _interpolate(x_axis.to_linear(x), y_axis.to_linear(y), z)
        if grid is not None:
            grid_x, grid_y, grid_z = grid
            grid_x, grid_y = x_axis.from_linear(grid_x), y_axis.from_linear(grid_y)
            ax.contourf(grid_x, grid_y, grid_z, **style)
            ax.contour(
                grid_x, grid_y, grid_z, levels=levels, colors="black", linewidths=0.3, alpha=0.5
            )
    ax.scatter(x, y, c="white", edgecolors="black", linewidths=0.6, s=14, zorder=3)


def _draw_category_cells(
    ax: Axes, x: np.ndarray, y: np.ndarray, z: np.ndarray, levels: np.ndarray, cmap: str
) -> None:
    """Two categorical parameters: one square per observed pair, coloured by its mean value."""
    norm = _utils.matplotlib_module("colors").BoundaryNorm(levels, ncolors=256)
    colormap = _utils.colormap(cmap)
    for cell_x, cell_y in np.unique(np.column_stack([x, y]), axis=0):
        mean = z[(x == cell_x) & (y == cell_y)].mean()
        ax.add_patch(
            _utils.matplotlib_module("patches").Rectangle(
                (cell_x - 0.35, cell_y - 0.35), 0.7, 0.7, facecolor=colormap(norm(mean))
            )
        )


def plot_contour(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = _utils.DEFAULT_TARGET_NAME,
) -> Axes | np.ndarray:
    """Plot the objective as filled contours over each pair of parameters.

    The objective of the finished (COMPLETE) trials with a finite value is interpolated
    linearly (:func:`scipy.interpolate.griddata`) on a grid over each pair of parameters, in the
    axes' linear units (log10 for log parameters, the index for categorical ones); the trials
    having both parameters are drawn as points on top. Pairs that no three trials span (e.g.
    two parameters of different branches of a conditional space) show only their points. All
    panels share one colour scale, whose colour bar is labelled ``target_name``; darker is
    better when minimising.

    Parameters
    ----------
    study
        The study whose trials are plotted.
    params
        The parameters to plot, in this order; all the parameters of the study's trials
        (sorted) by default. An unknown name raises ``ValueError``; fewer than two logs a
        warning and returns empty Axes, as Optuna does.
    target
        The value to plot for each trial; required for a multi-objective study, e.g.
        ``lambda t: t.values[0]``.
    target_name
        The colour bar label.

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray
        One Axes for two parameters (x the first, y the second); for ``n > 2`` an ``(n, n)``
        array whose ``[i, j]`` has ``params[j]`` on x and ``params[i]`` on y (the diagonal is
        left empty).

    Examples
    --------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_contour
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 1e-3, 10.0, log=True)
    ...     y = trial.suggest_float("y", -1.0, 1.0)
    ...     return (x - 1.0) ** 2 + y**2
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=30)
    >>> ax = plot_contour(study, params=["x", "y"])
    >>> ax.get_xscale(), ax.get_xlabel(), ax.get_ylabel()
    ('log', 'x', 'y')
    """
    plt = _utils.import_pyplot()
    _utils.check_target(study, target)
    all_trials = study.get_trials(deepcopy=False)
    names = _utils.param_names(all_trials, params)
    trials, values = _utils.finite_trials(_utils.complete_trials(study), target)
    if not trials:
        _logger.warning("plot_contour: the study has no completed trials to plot.")
        _, ax = plt.subplots()
        ax.set_title("Contour Plot")
        return ax
    if len(names) < 2:
        _logger.warning(f"plot_contour needs at least two parameters; got {names!r}.")
        _, ax = plt.subplots()
        ax.set_title("Contour Plot")
        return ax

    n = len(names)
    size = 6.0 if n == 2 else 2.4 * n
    fig, grid = plt.subplots(
        n if n > 2 else 1,
        n if n > 2 else 1,
        squeeze=False,
        sharex="col",
        sharey="row",
        figsize=(size + 1.4, size),
        layout="constrained",
    )
    axes_of = {name: ParamAxis.of(all_trials, name) for name in names}
    # Each axis spans every trial that has the parameter, so panels in a column line up.
    span_of = {
        name: axes_of[name].coordinates([t.params[name] for t in trials if name in t.params])
        for name in names
    }
    reverse = target is not None or study.direction == StudyDirection.MINIMIZE
    cmap = "Blues_r" if reverse else "Blues"
    high = values.max() if values.max() > values.min() else values.min() + 1.0
    # Round level boundaries, covering every value (interpolation never leaves that range).
    levels = (
        _utils.matplotlib_module("ticker").MaxNLocator(N_LEVELS).tick_values(values.min(), high)
    )

    pairs = (
        [(0, 0, names[0], names[1])]
        if n == 2
        else [(i, j, names[j], names[i]) for i in range(n) for j in range(n)]
    )
    for row, column, x_name, y_name in pairs:
        ax = grid[row, column]
        if x_name != y_name:
            _draw_pair(ax, axes_of[x_name], axes_of[y_name], trials, values, levels, cmap)
        else:
            ax.set_facecolor("#f2f2f2")
        axes_of[x_name].configure(ax, "x", span_of[x_name])
        axes_of[y_name].configure(ax, "y", span_of[y_name])
    if n > 2:
        # A pair-plot layout: names and ticks on the outer edges only.
        for ax in grid.ravel():
            ax.label_outer()
            ax.tick_params(labelsize=8)
        for ax in grid[-1, :]:
            plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")

    fig.suptitle("Contour Plot")
    mappable = _utils.matplotlib_module("cm").ScalarMappable(
        norm=_utils.matplotlib_module("colors").BoundaryNorm(levels, ncolors=256),
        cmap=_utils.colormap(cmap),
    )
    colorbar = fig.colorbar(mappable, ax=list(grid.ravel()))
    colorbar.set_label(target_name)
    return grid[0, 0] if n == 2 else grid
