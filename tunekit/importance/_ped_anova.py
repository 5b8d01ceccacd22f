"""PED-ANOVA: importance as the divergence between where the best trials are and where all are.

Watanabe, Bansal and Hutter (IJCAI 2023), "PED-ANOVA: efficiently quantifying hyperparameter
importance in arbitrary subspaces". Take the trials in the top ``gamma'`` quantile of the
objective (the *target* set) and those in the top ``gamma >= gamma'`` quantile (the *region*).
A parameter matters in that region as much as its marginal distribution among the target
trials differs from its distribution over the region, measured by the Pearson divergence

    importance_d = integral of p_region(x) * (p_target(x) / p_region(x) - 1)^2 dx
                 = integral of p_target(x)^2 / p_region(x) dx - 1,

which the paper shows to be proportional to the fANOVA variance that parameter ``d`` explains,
within the region, of the indicator "among the best gamma'". It needs no model fit: two
one-dimensional densities per parameter (0.36 s for 30,000 trials, 0.66x Optuna's time;
``benchmarks/importance_speed.py``).

Densities here, per parameter, on a grid of the unit space of :mod:`tunekit.distributions`:

* numbers: a Gaussian kernel density on the grid (the grid values of an integer or stepped
  parameter with at most 50 of them, otherwise 50 evenly spaced points), with the bandwidth of
  Scott's rule for the target trials, ``1.06 * std * n ** (-1 / 5)`` but no narrower than half
  a grid step, for both densities (so their ratio stays bounded where both are small);
* categoricals: the share of each choice, plus one observation's worth of prior spread evenly
  over the choices (so a choice that no target trial took keeps some mass);
* the region's density is that of the region's trials (``evaluate_on_local=True``: importance
  where the study searched) or uniform over the unit space (``False``: importance in the whole
  search space, uniform on the log scale for a log parameter).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tunekit.distributions import BaseDistribution, to_unit
from tunekit.importance._base import BaseImportanceEvaluator, _ImportanceData, _prepare
from tunekit.logging import get_logger
from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["PedAnovaImportanceEvaluator"]

_logger = get_logger(__name__)

# Grid points for a continuous parameter (and the most grid values used as they are).
_N_GRID = 50
# Fewer target trials than this make the target density mostly kernel (a log message says so).
_FEW_TARGET_TRIALS = 5


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA importance: how differently the best trials are spread over each parameter.

    A parameter's importance is the Pearson divergence between its distribution among the
    trials in the top ``target_quantile`` of the objective and its distribution among those in
    the top ``region_quantile`` (Watanabe et al. 2023; ``gamma'`` and ``gamma`` in the paper).
    It fits no model, so it suits studies of thousands of trials, where
    :class:`FanovaImportanceEvaluator` takes long; it needs neither scikit-learn nor a seed.
    The paper's advice: at least 5 trials in the target quantile.

    Lower values are better when the study's (first) direction is ``minimize``, higher ones
    when it is ``maximize``, also for a custom ``target``.

    Parameters
    ----------
    target_quantile:
        The quantile of trials to explain: ``0.1`` asks which parameters it takes to be among
        the best 10%. ``0 < target_quantile < region_quantile``.
    region_quantile:
        The quantile of trials that defines the region, at most 1: ``1.0`` is every trial,
        ``0.5`` asks what separates the best 10% from the rest of the best half.
    evaluate_on_local:
        ``True``: importance in the region the trials cover. ``False``: in the whole search
        space, the region's density replaced by the uniform one (``region_quantile`` is then
        not used).

    Example
    -------
    >>> import tunekit
    >>> from tunekit.importance import PedAnovaImportanceEvaluator
    >>> tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -1, 1)
    ...     y = trial.suggest_float("y", -1, 1)
    ...     return x**2 + 0.01 * y**2
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=200)
    >>> importances = tunekit.importance.get_param_importances(
    ...     study, evaluator=PedAnovaImportanceEvaluator()
    ... )
    >>> list(importances), importances["x"] > 0.9
    (['x', 'y'], True)
    """

    def __init__(
        self,
        *,
        target_quantile: float = 0.1,
        region_quantile: float = 1.0,
        evaluate_on_local: bool = True,
    ) -> None:
        for name, value in (
            ("target_quantile", target_quantile),
            ("region_quantile", region_quantile),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(
                    f"PedAnovaImportanceEvaluator: `{name}` must be a number, got {value!r}."
                )
        if not 0.0 < target_quantile < region_quantile <= 1.0:
            raise ValueError(
                "PedAnovaImportanceEvaluator: need 0 < target_quantile < region_quantile <= 1 "
                "(the target trials are the best part of the region), got "
                f"target_quantile={target_quantile!r}, region_quantile={region_quantile!r}."
            )
        if not isinstance(evaluate_on_local, bool):
            raise TypeError(
                "PedAnovaImportanceEvaluator: `evaluate_on_local` must be a bool, got "
                f"{evaluate_on_local!r}."
            )
        self._target_quantile = float(target_quantile)
        self._region_quantile = float(region_quantile)
        self._evaluate_on_local = evaluate_on_local

    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Each parameter's Pearson divergence, sorted in descending order (not normalised).

        See :func:`tunekit.importance.get_param_importances` for ``params`` and ``target``.
        """
        data = _prepare(study, params, target)
        if not data.names:
            return data.with_zero_importances({})
        from tunekit.storages.base import StudyDirection

        values = data.target_values
        if study.directions[0] == StudyDirection.MAXIMIZE:
            values = -values
        in_target = _best(values, self._target_quantile)
        in_region = _best(values, self._region_quantile)
        if in_target.sum() < _FEW_TARGET_TRIALS:
            _logger.info(
                f"PED-ANOVA: only {int(in_target.sum())} trial(s) in the top "
                f"{self._target_quantile:g} quantile; with fewer than {_FEW_TARGET_TRIALS} the "
                "importances are rough."
            )
        importances = {}
        for index, name in enumerate(data.names):
            grid_values, choices = _column(data, index)
            if choices:
                p_target = _choice_shares(grid_values[in_target], choices)
                p_region = (
                    _choice_shares(grid_values[in_region], choices)
                    if self._evaluate_on_local
                    else np.full(choices, 1.0 / choices)
                )
            else:
                grid = _grid(data.distributions[name])
                # One bandwidth for both, the target set's (the smaller sample needs the wider
                # kernel): the target trials are among the region's, so with one kernel their
                # density ratio stays bounded, even in the tails.
                bandwidth = _bandwidth(grid_values[in_target], grid)
                p_target = _kernel_density(grid_values[in_target], grid, bandwidth)
                p_region = (
                    _kernel_density(grid_values[in_region], grid, bandwidth)
                    if self._evaluate_on_local
                    else np.full(len(grid), 1.0 / len(grid))
                )
            importances[name] = _pearson_divergence(p_target, p_region)
        return data.with_zero_importances(importances)


def _best(values: np.ndarray, quantile: float) -> np.ndarray:
    """Mask of the trials in the best (lowest) ``quantile``: at least 2, ties at the cut in."""
    count = min(len(values), max(2, math.ceil(quantile * len(values))))
    cut = np.partition(values, count - 1)[count - 1]
    return values <= cut


def _column(data: _ImportanceData, index: int) -> tuple[np.ndarray, int]:
    """One parameter's values: unit-space numbers (0 choices) or choice indices (``C`` choices)."""
    columns = np.flatnonzero(data.column_owner == index)
    n_choices = data.n_choices[index]
    if n_choices:
        return np.argmax(data.features[:, columns], axis=1), n_choices
    return data.features[:, columns[0]], 0


def _grid(distribution: BaseDistribution) -> np.ndarray:
    """The points (unit space) where a number's density is evaluated: its grid values if it
    has at most ``_N_GRID`` of them (integers, stepped floats), else evenly spaced points."""
    step = getattr(distribution, "step", None)
    if step is not None:
        low, high = distribution.low, distribution.high  # type: ignore[attr-defined]
        n_values = int(round((high - low) / step)) + 1
        if n_values <= _N_GRID:
            return to_unit(distribution, low + step * np.arange(n_values))  # type: ignore[arg-type]
    return np.linspace(0.0, 1.0, _N_GRID)


def _bandwidth(points: np.ndarray, grid: np.ndarray) -> float:
    """Scott's rule, ``1.06 * std * n ** (-1 / 5)``, within [half a grid step, 1]."""
    step = float(np.min(np.diff(grid))) if len(grid) > 1 else 1.0
    scott = 1.06 * float(np.std(points)) * len(points) ** (-0.2)
    return min(max(scott, 0.5 * step), 1.0)


def _kernel_density(points: np.ndarray, grid: np.ndarray, bandwidth: float) -> np.ndarray:
    """A Gaussian kernel density of ``points``, as masses on ``grid`` (renormalised there)."""
    density = np.exp(-0.5 * ((grid[None, :] - points[:, None]) / bandwidth) ** 2).sum(axis=0)
    return density / density.sum()


def _choice_shares(indices: np.ndarray, n_choices: int) -> np.ndarray:
    counts = np.bincount(indices, minlength=n_choices).astype(float)
    return (counts + 1.0 / n_choices) / (len(indices) + 1.0)


def _pearson_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """``sum(q * (p / q - 1) ** 2)`` for two distributions on one grid (``q > 0``)."""
    q = np.maximum(q, 1e-300)
    return max(float(np.sum(p * p / q)) - 1.0, 0.0)
