"""Slice plot: the objective against each parameter, one panel per parameter.

This module also holds :class:`ParamAxis`, how one parameter is laid on a plot axis (log scale,
categories as labelled positions); the contour and parallel-coordinate plots use it too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit import logging
from tunekit.distributions import CategoricalDistribution, IntDistribution
from tunekit.trial import FrozenTrial
from tunekit.visualization import _utils

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_slice"]

_logger = logging.get_logger(__name__)

# Panels per row: beyond this the slice plot wraps instead of squeezing panels into slivers.
_MAX_COLUMNS = 4


@dataclass(frozen=True)
class ParamAxis:
    """How one parameter's values map onto a plot axis.

    Numbers are plotted as themselves (on a log-scaled axis where the distribution is log);
    categories at positions ``0..k-1`` labelled with the choices, in the distribution's order so
    every plot of a study lists them the same way.
    """

    name: str
    is_log: bool
    is_int: bool
    categories: tuple[str, ...] | None

    @classmethod
    def of(cls, trials: Sequence[FrozenTrial], name: str) -> ParamAxis:
        distribution = _utils.distribution_of(trials, name)
        if not isinstance(distribution, CategoricalDistribution):
            return cls(
                name,
                _utils.is_log_scale(trials, name),
                isinstance(distribution, IntDistribution),
                None,
            )
        labels = [str(c) for c in distribution.choices]
        # A dynamic space may have used other choices in earlier trials: keep them plottable.
        for t in trials:
            if name in t.params and str(t.params[name]) not in labels:
                labels.append(str(t.params[name]))
        return cls(name, False, False, tuple(labels))

    @property
    def is_categorical(self) -> bool:
        return self.categories is not None

    def coordinates(self, values: Sequence[Any]) -> np.ndarray:
        """Where the values go in the axis' data units (category positions for categoricals)."""
        if self.categories is None:
            return np.asarray(values, dtype=float)
        position = {label: i for i, label in enumerate(self.categories)}
        return np.array([position[str(v)] for v in values], dtype=float)

    def to_linear(self, coordinates: np.ndarray) -> np.ndarray:
        """Data units to a space where the axis is linear (log10 on log axes)."""
        return np.log10(coordinates) if self.is_log else np.asarray(coordinates, dtype=float)

    def from_linear(self, linear: np.ndarray) -> np.ndarray:
        return np.power(10.0, linear) if self.is_log else np.asarray(linear, dtype=float)

    def linear_range(self, coordinates: np.ndarray) -> tuple[float, float]:
        """The span to show, in linear units: all categories, or the observed values.

        A single observed value gets half a unit (half a decade on log axes) either side.
        """
        if self.categories is not None:
            low, high = 0.0, float(len(self.categories) - 1)
        elif len(coordinates) == 0:
            return (0.0, 1.0)
        else:
            linear = self.to_linear(coordinates)
            low, high = float(linear.min()), float(linear.max())
        if high - low <= 0.0:
            low, high = low - 0.5, high + 0.5
        return low, high

    def configure(self, ax: Axes, which: str, coordinates: np.ndarray, pad: float = 0.05) -> None:
        """Set ``ax``'s ``which`` ("x" or "y") axis: label, scale, limits and ticks."""
        axis = ax.xaxis if which == "x" else ax.yaxis
        set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
        set_limits = ax.set_xlim if which == "x" else ax.set_ylim
        set_scale = ax.set_xscale if which == "x" else ax.set_yscale
        set_label(self.name)
        low, high = self.linear_range(coordinates)
        if self.categories is not None:
            set_limits(-0.5, len(self.categories) - 0.5)
            axis.set_ticks(range(len(self.categories)), list(self.categories))
            return
        margin = pad * (high - low)
        if self.is_log:
            set_scale("log")
            locator, formatter = log_ticks(10.0**low, 10.0**high)
            axis.set_major_locator(locator)
            axis.set_major_formatter(formatter)
            # No minor ticks: they add nothing readable, and ticks dominate drawing time.
            axis.set_minor_locator(_utils.matplotlib_module("ticker").NullLocator())
        elif self.is_int:
            axis.set_major_locator(_utils.matplotlib_module("ticker").MaxNLocator(integer=True))
        set_limits(*self.from_linear(np.array([low - margin, high + margin])))


def log_ticks(low: float, high: float) -> tuple[Any, Any]:
    """A locator and formatter for a log axis from ``low`` to ``high`` whose labels do not collide.

    Matplotlib labels the minor ticks of an axis spanning about a decade ("2x10^0 3x10^0 ..."),
    which overlap in small panels; narrow spans get 1-2-5 ticks in plain numbers instead, wide
    ones at most six decade ticks.
    """
    ticker = _utils.matplotlib_module("ticker")
    decades = math.log10(high) - math.log10(low)
    if decades < 0.7:
        subs: tuple[float, ...] = tuple(float(s) for s in range(1, 10))
        return ticker.LogLocator(base=10.0, subs=subs), ticker.FuncFormatter(_plain_number)
    if decades < 2.5:
        return ticker.LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)), ticker.FuncFormatter(
            _plain_number
        )
    return ticker.LogLocator(base=10.0, numticks=6), ticker.LogFormatterSciNotation(base=10.0)


def _plain_number(value: float, _position: Any = None) -> str:
    return f"{value:.4g}"


def plot_slice(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = _utils.DEFAULT_TARGET_NAME,
) -> Axes | np.ndarray:
    """Plot the objective against each parameter, one panel per parameter.

    Each finished (COMPLETE) trial with a finite value is a point in the panel of every parameter
    it has, coloured by its trial number (colour bar "Trial"). Log-scale parameters get a log x
    axis; categorical ones are drawn at positions labelled with their choices. Panels share the
    y axis and wrap after four per row.

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
        The y axis label.

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray
        The Axes for one parameter (or none), or a 1-D array of Axes, one per parameter.

    Examples
    --------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_slice
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 1e-3, 10.0, log=True)
    ...     kind = trial.suggest_categorical("kind", ["a", "b"])
    ...     return (x - 1.0) ** 2 + (kind == "b")
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=20)
    >>> axes = plot_slice(study)
    >>> [ax.get_xlabel() for ax in axes]
    ['kind', 'x']
    """
    plt = _utils.import_pyplot()
    _utils.check_target(study, target)
    all_trials = study.get_trials(deepcopy=False)
    names = _utils.param_names(all_trials, params)
    trials, values = _utils.finite_trials(_utils.complete_trials(study), target)
    if not trials or not names:
        _logger.warning("plot_slice: the study has no completed trials with parameters to plot.")
        _, ax = plt.subplots()
        ax.set_title("Slice Plot")
        return ax

    n_columns = min(len(names), _MAX_COLUMNS)
    n_rows = math.ceil(len(names) / n_columns)
    fig, grid = plt.subplots(
        n_rows,
        n_columns,
        sharey=True,
        squeeze=False,
        figsize=(1.0 + 3.2 * n_columns, 0.6 + 3.2 * n_rows),
        layout="constrained",
    )
    axes = grid.ravel()
    for unused in axes[len(names) :]:
        unused.remove()
    axes = axes[: len(names)]

    numbers = np.array([t.number for t in trials], dtype=float)
    norm = _utils.matplotlib_module("colors").Normalize(
        vmin=numbers.min(), vmax=max(numbers.max(), numbers.min() + 1)
    )
    scatter = None
    for ax, name in zip(axes, names, strict=True):
        has = [i for i, t in enumerate(trials) if name in t.params]
        param_axis = ParamAxis.of(all_trials, name)
        x = param_axis.coordinates([trials[i].params[name] for i in has])
        scatter = ax.scatter(
            x,
            values[has],
            c=numbers[has],
            cmap="Blues",
            norm=norm,
            edgecolors="grey",
            linewidths=0.5,
            s=30,
        )
        param_axis.configure(ax, "x", x)
        ax.grid(True, alpha=0.3)
    for row in grid[:, 0]:
        row.set_ylabel(target_name)
    fig.suptitle("Slice Plot")
    colorbar = fig.colorbar(scatter, ax=list(axes))
    colorbar.set_label("Trial")
    return axes[0] if len(axes) == 1 else axes
