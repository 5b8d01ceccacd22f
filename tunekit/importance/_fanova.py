"""fANOVA: the share of the objective's variance that each parameter explains on its own.

Hutter, Hoos & Leyton-Brown (2014), "An efficient approach for assessing hyperparameter
importance" (ICML). A random forest predicts the target from the parameters. Each tree is a
piecewise-constant function over the (bounded) search space: its leaves cut the space into boxes,
one constant per box. Under the uniform measure on the search space, for a tree ``f``:

* the total variance is ``V = sum_l w_l (v_l - mu)^2``, with ``w_l`` the measure of leaf ``l``'s
  box, ``v_l`` its prediction and ``mu = sum_l w_l v_l`` (section 3.1);
* the marginal prediction for a value ``x`` of parameter ``i`` averages ``f`` over every other
  dimension: ``m_i(x) = sum_l [x in box_l along i] v_l w_l^(-i)``, where ``w_l^(-i)`` is the
  measure of the box along every dimension but ``i`` (Theorem 2);
* the main effect of ``i`` is the variance of ``m_i`` over ``i``'s domain, and its importance
  in this tree is ``V_i / V`` (equation 1).

The importance of ``i`` is the mean of these fractions over the trees (trees with no variance
have nothing to divide and are skipped). Fractions of different parameters need not sum to 1:
the rest is interaction between parameters.

The measure is a product over parameters: a numeric parameter is uniform on its unit interval
(log scale where ``log=True``); a categorical one is uniform over its choices, each choice being
the vertex of its one-hot columns, so that invalid mixtures of one-hot columns carry no weight.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.importance._base import (
    BaseImportanceEvaluator,
    _check_forest_arguments,
    _fit_forest,
    _prepare,
)
from tunekit.trial import FrozenTrial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["FanovaImportanceEvaluator"]

_LEAF = -1  # scikit-learn's child index of a leaf


class FanovaImportanceEvaluator(BaseImportanceEvaluator):
    """fANOVA importance: each parameter's main-effect share of a random forest's variance.

    A random forest (scikit-learn's ``RandomForestRegressor``) is fitted to the COMPLETE
    trials; for every tree, the variance of the tree's prediction averaged over all other
    parameters, as a function of one parameter, is divided by the tree's total variance over the
    search space (Hutter, Hoos & Leyton-Brown 2014). The importance is the mean over trees.

    Numeric parameters are seen on their unit scale (log scale where ``log=True``);
    categorical ones are one-hot encoded and assessed as one parameter, uniform over its
    choices. Parameters with a single possible value get 0. The estimate is as good as the
    forest's fit: trials spread over the search space (e.g. from ``RandomSampler``) help.

    Requires scikit-learn (``pip install 'tunekit[sklearn]'``), imported on first use.

    Parameters
    ----------
    n_trees:
        The number of trees in the forest.
    max_depth:
        The maximum depth of each tree.
    seed:
        Seeds the forest; the same seed on the same trials gives the same importances.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.importance import FanovaImportanceEvaluator, get_param_importances
    >>> tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     y = trial.suggest_float("y", 0, 1)
    ...     return 10 * x + y
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=50)
    >>> importances = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    >>> list(importances)
    ['x', 'y']
    >>> importances["x"] > 0.9
    True
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        _check_forest_arguments("FanovaImportanceEvaluator", n_trees, max_depth, seed)
        self._n_trees = int(n_trees)
        self._max_depth = int(max_depth)
        self._seed = seed

    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Each parameter's mean main-effect variance fraction, sorted in descending order.

        See :func:`tunekit.importance.get_param_importances` for ``params`` and ``target``;
        the values are not normalised (their sum is at most 1; the rest is interaction).
        """
        data = _prepare(study, params, target)
        if not data.names:
            return data.with_zero_importances({})
        forest = _fit_forest(data, self._n_trees, self._max_depth, self._seed)
        fraction_sum = np.zeros(len(data.names))
        n_trees_with_variance = 0
        for tree in forest.estimators_:
            fractions = _main_effect_fractions(tree.tree_, data.column_owner, data.n_choices)
            if fractions is not None:
                fraction_sum += fractions
                n_trees_with_variance += 1
        mean_fractions = fraction_sum / max(n_trees_with_variance, 1)
        return data.with_zero_importances(
            {name: float(value) for name, value in zip(data.names, mean_fractions, strict=True)}
        )


def _leaf_boxes(tree: Any, n_columns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each leaf's box ``(lower, upper]`` per column, and its prediction.

    ``tree`` is a fitted scikit-learn ``Tree`` (``estimator.tree_``): a sample goes left when
    ``x[feature] <= threshold``. Boxes are unbounded where no split bounds them. The nodes are
    visited one depth level at a time, every node of a level at once.
    """
    left, right = tree.children_left, tree.children_right
    lower = np.full((tree.node_count, n_columns), -np.inf)
    upper = np.full((tree.node_count, n_columns), np.inf)
    level = np.array([0])
    while level.size:
        parents = level[left[level] != _LEAF]
        left_children, right_children = left[parents], right[parents]
        feature, threshold = tree.feature[parents], tree.threshold[parents]
        for children in (left_children, right_children):
            lower[children] = lower[parents]
            upper[children] = upper[parents]
        upper[left_children, feature] = np.minimum(upper[left_children, feature], threshold)
        lower[right_children, feature] = np.maximum(lower[right_children, feature], threshold)
        level = np.concatenate([left_children, right_children])
    leaves = np.flatnonzero(left == _LEAF)
    return lower[leaves], upper[leaves], tree.value[leaves, 0, 0].astype(float)


def _one_hot_vertices_in_boxes(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """(n_leaves, k): whether choice ``j`` (1 in column ``j``, 0 elsewhere) lies in each box."""
    zero_inside = (lower < 0.0) & (0.0 <= upper)
    one_inside = (lower < 1.0) & (1.0 <= upper)
    # Choice j is inside when column j admits 1 and every other column admits 0.
    n_columns_refusing_zero = (~zero_inside).sum(axis=1, keepdims=True)
    others_admit_zero = (n_columns_refusing_zero - ~zero_inside) == 0
    return one_inside & others_admit_zero


def _numeric_main_effect(
    lower: np.ndarray, upper: np.ndarray, mass_elsewhere: np.ndarray, mean: float
) -> float:
    """The variance over [0, 1] of ``m(x) = sum_l [lower_l < x <= upper_l] mass_elsewhere_l``.

    ``m`` is constant between consecutive box edges: each leaf adds its mass from its lower edge
    to its upper edge, a difference array that a cumulative sum turns into ``m`` per segment.
    """
    lower, upper = np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)
    edges = np.unique(np.concatenate([lower, upper, [0.0, 1.0]]))
    starts, stops = np.searchsorted(edges, lower), np.searchsorted(edges, upper)
    changes = np.bincount(starts, mass_elsewhere, minlength=edges.size) - np.bincount(
        stops, mass_elsewhere, minlength=edges.size
    )
    marginal = np.cumsum(changes)[:-1]  # on the segment [edges[s], edges[s + 1])
    return float(np.sum(np.diff(edges) * (marginal - mean) ** 2))


def _main_effect_fractions(
    tree: Any, column_owner: np.ndarray, n_choices: list[int]
) -> np.ndarray | None:
    """Each parameter's main-effect variance over the tree's total variance; None if it is 0.

    ``column_owner[c]`` is the parameter that column ``c`` encodes; ``n_choices[p]`` is the
    number of one-hot columns of a categorical parameter ``p`` and 0 for a numeric one (one
    column in [0, 1]).
    """
    n_params = len(n_choices)
    lower, upper, values = _leaf_boxes(tree, column_owner.size)
    # measure[l, p]: the share of parameter p's domain that leaf l's box covers.
    measure = np.empty((values.size, n_params))
    chosen: dict[int, np.ndarray] = {}
    for param in range(n_params):
        columns = np.flatnonzero(column_owner == param)
        if n_choices[param]:
            chosen[param] = _one_hot_vertices_in_boxes(lower[:, columns], upper[:, columns])
            measure[:, param] = chosen[param].sum(axis=1) / n_choices[param]
        else:
            column = columns[0]
            measure[:, param] = np.clip(upper[:, column], 0.0, 1.0) - np.clip(
                lower[:, column], 0.0, 1.0
            )
    weights = measure.prod(axis=1)
    mean = float(weights @ values)
    total_variance = float(weights @ (values - mean) ** 2)
    # Rounding leaves a trace of variance in a constant tree: treat it as none.
    if not total_variance > 1e-20 * float(np.max(values**2)):
        return None

    fractions = np.empty(n_params)
    for param in range(n_params):
        mass_elsewhere = values * np.prod(np.delete(measure, param, axis=1), axis=1)
        if n_choices[param]:
            marginal = chosen[param].T @ mass_elsewhere  # one value per choice, equal weights
            main_effect = float(np.mean((marginal - mean) ** 2))
        else:
            column = np.flatnonzero(column_owner == param)[0]
            main_effect = _numeric_main_effect(
                lower[:, column], upper[:, column], mass_elsewhere, mean
            )
        fractions[param] = main_effect / total_variance
    return fractions
