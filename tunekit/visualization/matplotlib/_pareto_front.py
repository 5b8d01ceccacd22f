"""The objective values of complete trials in 2 or 3 dimensions, with the Pareto front marked.

A trial is on the front ("best") when no other feasible trial is at least as good in every
objective and better in one (:func:`tunekit.study._pareto_front_mask`, the rule behind
``Study.best_trials``). Infeasible trials (recorded constraints, or ``constraints_func``, > 0) are
grey and are left out when the front is computed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.study import StudyDirection, _pareto_front_mask
from tunekit.trial import FrozenTrial
from tunekit.visualization._utils import (
    BEST_COLOR,
    COMPLETE_COLOR,
    INFEASIBLE_COLOR,
    complete_trials,
    import_pyplot,
    is_feasible,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.study import Study

__all__ = ["plot_pareto_front"]

_logger = logging.get_logger(__name__)


def plot_pareto_front(
    study: Study,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    axis_order: list[int] | None = None,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> Axes:
    """Plot the complete trials' objective values and highlight the Pareto front.

    Two targets give a 2-D scatter, where a dashed staircase joins the front's points (the
    boundary of the region they dominate); three give a 3-D ``Axes`` (``projection="3d"``).
    Front trials are red ("Best Trial"), dominated ones light blue ("Trial", or "Feasible
    Trial" when some are infeasible), infeasible ones grey ("Infeasible Trial").

    Parameters
    ----------
    study
        A study with 2 or 3 objectives, or any study when ``targets`` is given.
    target_names
        Axis labels, one per target; defaults to the study's metric names, or
        ``"Objective 0"``, ``"Objective 1"``, ...
    include_dominated_trials
        Draw the feasible trials that are not on the front too.
    axis_order
        A permutation of the objective indices giving the order of the axes, e.g. ``[1, 0]``
        to swap them. Cannot be combined with ``targets``. (Kept from Optuna 4; Optuna 5
        removed it in favour of ``targets``.)
    constraints_func
        ``f(trial) -> constraint values``; a trial is infeasible when one is ``> 0``. Without it
        the constraints recorded on the trials (``trial.constraints``) are used.
    targets
        ``f(trial) -> 2 or 3 values`` to draw instead of the objective values; the front is
        still the one of the objectives.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a 3-D one for three targets; empty, with a logged warning, when there
        is no complete trial).

    Raises
    ------
    ValueError
        For a study without 2 or 3 objectives and no ``targets``; for ``targets`` that do not
        return 2 or 3 values; for ``target_names`` of the wrong length; for an ``axis_order``
        that is not a permutation, or given together with ``targets``.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_pareto_front
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     return x, (1 - x) ** 2
    >>> study = tunekit.create_study(directions=["minimize", "minimize"])
    >>> study.optimize(objective, n_trials=20)
    >>> ax = plot_pareto_front(study, target_names=["cost", "error"])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('cost', 'error')
    """
    if targets is not None and axis_order is not None:
        raise ValueError(
            "plot_pareto_front: axis_order and targets cannot be used together; "
            "reorder the values inside targets instead."
        )
    n_objectives = len(study.directions)
    if targets is None and n_objectives not in (2, 3):
        raise ValueError(
            f"plot_pareto_front: the study has {n_objectives} objective(s); without `targets` "
            "only 2 or 3 can be drawn. Pass targets=lambda t: (t.values[0], t.values[1])."
        )
    trials = complete_trials(study)
    feasible = np.array([_feasible(t, constraints_func) for t in trials], dtype=bool)
    coordinates = _coordinates(trials, targets)
    n_targets = _count_targets(coordinates, target_names, targets, n_objectives)
    names = _target_names(study, target_names, n_targets)
    order = _axis_order(axis_order, n_targets)

    on_front = np.zeros(len(trials), dtype=bool)
    if feasible.any():
        objective_values = np.array([t.values for t in trials], dtype=float)
        on_front[feasible] = _pareto_front_mask(objective_values[feasible], study.directions)
    if len(trials) == 0:
        _logger.warning("plot_pareto_front: the study has no complete trials to plot.")
    elif not feasible.any():
        _logger.warning("plot_pareto_front: the study has no feasible complete trials.")

    plt = import_pyplot()
    if n_targets == 2:
        _, ax = plt.subplots(layout="tight")
    else:
        ax = plt.figure(layout="tight").add_subplot(projection="3d")
    ax.set_title("Pareto-front Plot")
    ax.set_xlabel(names[order[0]])
    ax.set_ylabel(names[order[1]])
    if n_targets == 3:
        ax.set_zlabel(names[order[2]])
    if len(trials) == 0:
        return ax

    points = coordinates[:, order]
    infeasible = ~feasible
    dominated = feasible & ~on_front
    if infeasible.any():
        _scatter(ax, points[infeasible], color=INFEASIBLE_COLOR, label="Infeasible Trial")
    if include_dominated_trials and dominated.any():
        label = "Feasible Trial" if infeasible.any() else "Trial"
        # Lighter than the front; 3-D depth shading lightens far points further.
        alpha = 0.45 if n_targets == 2 else 0.7
        _scatter(ax, points[dominated], color=COMPLETE_COLOR, alpha=alpha, label=label)
    if on_front.any():
        _scatter(ax, points[on_front], color=BEST_COLOR, label="Best Trial", zorder=3)
        if n_targets == 2 and targets is None:
            directions = [study.directions[i] for i in order]
            staircase = _front_staircase(points[on_front], directions)
            ax.plot(
                staircase[:, 0],
                staircase[:, 1],
                color=BEST_COLOR,
                linestyle="--",
                linewidth=1,
                alpha=0.6,
                zorder=2,
            )
    ax.legend(loc="best")
    return ax


def _feasible(
    trial: FrozenTrial, constraints_func: Callable[[FrozenTrial], Sequence[float]] | None
) -> bool:
    if constraints_func is None:
        return is_feasible(trial)
    return all(c <= 0 for c in constraints_func(trial))


def _coordinates(
    trials: list[FrozenTrial], targets: Callable[[FrozenTrial], Sequence[float]] | None
) -> np.ndarray:
    """The values drawn for each trial, as a (trials x targets) array."""
    if targets is None:
        rows = [t.values for t in trials]
    else:
        rows = []
        for t in trials:
            row = targets(t)
            if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
                raise ValueError(
                    "plot_pareto_front: `targets` must return a sequence of 2 or 3 floats, "
                    f"got {row!r} for trial {t.number}."
                )
            rows.append(list(row))
        if len({len(r) for r in rows}) > 1:
            raise ValueError(
                "plot_pareto_front: `targets` returned sequences of different lengths: "
                f"{sorted({len(r) for r in rows})}."
            )
    if not rows:
        return np.empty((0, 0))
    return np.array(rows, dtype=float)


def _count_targets(
    coordinates: np.ndarray,
    target_names: list[str] | None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None,
    n_objectives: int,
) -> int:
    if len(coordinates):
        n_targets = coordinates.shape[1]
    elif target_names is not None:
        n_targets = len(target_names)
    elif targets is None:
        n_targets = n_objectives
    else:
        raise ValueError(
            "plot_pareto_front: the study has no complete trial to call `targets` on; "
            "pass target_names to say how many axes to draw."
        )
    if n_targets not in (2, 3):
        raise ValueError(f"plot_pareto_front: only 2 or 3 targets can be drawn, got {n_targets}.")
    return n_targets


def _target_names(study: Study, target_names: list[str] | None, n_targets: int) -> list[str]:
    if target_names is None:
        metric_names = study.metric_names
        if metric_names is not None and len(metric_names) == n_targets:
            return list(metric_names)
        return [f"Objective {i}" for i in range(n_targets)]
    if len(target_names) != n_targets:
        raise ValueError(
            f"plot_pareto_front: target_names={target_names!r} must have one name per target "
            f"({n_targets})."
        )
    return list(target_names)


def _axis_order(axis_order: list[int] | None, n_targets: int) -> list[int]:
    if axis_order is None:
        return list(range(n_targets))
    if sorted(axis_order) != list(range(n_targets)):
        raise ValueError(
            f"plot_pareto_front: axis_order={axis_order!r} must be a permutation of "
            f"{list(range(n_targets))!r}."
        )
    return list(axis_order)


def _scatter(ax: Axes, points: np.ndarray, **style: object) -> None:
    coordinates = [points[:, k] for k in range(points.shape[1])]
    ax.scatter(*coordinates, s=24, edgecolors="none", **style)  # type: ignore[arg-type]


def _front_staircase(front: np.ndarray, directions: list[StudyDirection]) -> np.ndarray:
    """Front points joined by the corners of the region they dominate (2-D).

    In minimise-both terms, consecutive front points sorted by the first objective are joined
    through the corner (worse first value, worse second value) of the pair.
    """
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    loss = front * signs
    loss = loss[np.lexsort((loss[:, 1], loss[:, 0]))]
    corners = np.column_stack([loss[1:, 0], loss[:-1, 1]])
    path = np.empty((2 * len(loss) - 1, 2))
    path[0::2] = loss
    path[1::2] = corners
    path *= signs
    # Left to right on the drawn x axis, whichever way its objective goes.
    return path if signs[0] > 0 else path[::-1]
