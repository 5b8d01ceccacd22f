"""Parameter-importance plot: a horizontal bar per parameter, a bar group per objective."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tunekit import logging
from tunekit.trial import FrozenTrial
from tunekit.visualization import _utils

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tunekit.importance import BaseImportanceEvaluator
    from tunekit.study import Study

__all__ = ["plot_param_importances"]

_logger = logging.get_logger(__name__)

# Room to the right of the longest bar for its value label, as a fraction of that bar.
_LABEL_ROOM = 0.18


def _importance_label(value: float) -> str:
    return "<0.01" if value < 0.01 else f"{value:.2f}"


def _objective_value(index: int) -> Callable[[FrozenTrial], float]:
    def value(trial: FrozenTrial) -> float:
        return trial.values[index]

    return value


def plot_param_importances(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = _utils.DEFAULT_TARGET_NAME,
) -> Axes:
    """Plot how much each parameter mattered, as horizontal bars labelled with their value.

    The importances are those of :func:`tunekit.importance.get_param_importances` (normalised to
    sum to 1; fANOVA unless ``evaluator`` says otherwise), the most important parameter on top.
    For a multi-objective study without ``target``, each objective gets its own bar in every
    parameter's group, named after :meth:`~tunekit.study.Study.set_metric_names` or
    ``f"{target_name} {i}"``, as Optuna does; parameters are then ordered by their mean
    importance over the objectives.

    Parameters
    ----------
    study
        The study to assess; a study with no COMPLETE trial logs a warning and gets empty Axes.
    evaluator
        The importance method (see :mod:`tunekit.importance`); fANOVA by default.
    params
        The parameters to assess; by default those that every COMPLETE trial has.
    target
        The value whose importances to plot, e.g. ``lambda t: t.values[0]``; by default the
        objective (every objective of a multi-objective study).
    target_name
        The legend label of the bars.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes with the bars.

    Examples
    --------
    >>> import tunekit
    >>> from tunekit.visualization.matplotlib import plot_param_importances
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -1.0, 1.0)
    ...     y = trial.suggest_float("y", -1.0, 1.0)
    ...     return x**2 + 0.01 * y
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=30)
    >>> ax = plot_param_importances(study)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['y', 'x']
    """
    from tunekit.importance import get_param_importances

    plt = _utils.import_pyplot()
    if params is not None:
        # Checked here so that every evaluator, including users' own, gets a clear error.
        _utils.param_names(study.get_trials(deepcopy=False), params)
    fig, ax = plt.subplots(layout="tight")
    ax.set_title("Hyperparameter Importances")
    ax.set_xlabel("Hyperparameter Importance")
    ax.set_ylabel("Hyperparameter")

    if target is None and study._is_multi_objective():
        metric_names = study.metric_names
        targets: list[Callable[[FrozenTrial], float] | None] = [
            _objective_value(i) for i in range(len(study.directions))
        ]
        names = [
            metric_names[i] if metric_names else f"{target_name} {i}"
            for i in range(len(study.directions))
        ]
    else:
        targets, names = [target], [target_name]

    if not _utils.finite_trials(_utils.complete_trials(study), targets[0])[0]:
        _logger.warning("plot_param_importances: the study has no completed trials to assess.")
        return ax

    importances = [
        get_param_importances(study, evaluator=evaluator, params=params, target=t) for t in targets
    ]
    params_shown = list(dict.fromkeys(name for result in importances for name in result))
    if not params_shown:  # params=[]
        return ax
    table = np.array([[result.get(p, 0.0) for p in params_shown] for result in importances])
    # Least important first: barh stacks upwards, so the most important ends on top.
    order = np.argsort(table.mean(axis=0), kind="stable")
    params_shown = [params_shown[i] for i in order]
    table = table[:, order]

    positions = np.arange(len(params_shown), dtype=float)
    height = 0.8 / len(targets)
    colors = [_utils.COMPLETE_COLOR] if len(targets) == 1 else plt.get_cmap("tab10").colors
    # The first objective's bar is the top one of each group, matching the legend's order.
    for k, (row, name) in enumerate(zip(table, names, strict=True)):
        offset = (len(targets) - 1) / 2 * height - k * height
        bars = ax.barh(
            positions + offset, row, height=height, label=name, color=colors[k % len(colors)]
        )
        ax.bar_label(bars, labels=[_importance_label(v) for v in row], padding=3, fontsize=9)
    ax.set_yticks(positions, params_shown)
    ax.set_xlim(0.0, max(float(table.max()), 1e-12) * (1.0 + _LABEL_ROOM))
    ax.legend(loc="lower right")
    return ax
