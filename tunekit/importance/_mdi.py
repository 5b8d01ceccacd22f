"""Mean decrease impurity: how much a random forest's splits on a parameter reduce its error.

The cheap estimate: scikit-learn's ``feature_importances_`` of a random forest fitted to the
trials (Breiman 2001; the total decrease in squared error from the splits on each feature,
averaged over trees), with the one-hot columns of a categorical parameter summed back into the
parameter. It is biased towards parameters with many distinct values; fANOVA is the default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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

__all__ = ["MeanDecreaseImpurityImportanceEvaluator"]


class MeanDecreaseImpurityImportanceEvaluator(BaseImportanceEvaluator):
    """Mean-decrease-impurity (MDI) importance of a random forest fitted to the trials.

    Fits scikit-learn's ``RandomForestRegressor`` on the parameters (numeric ones on their unit
    scale, log scale where ``log=True``; categorical ones one-hot) and reads its
    ``feature_importances_``, summing a categorical parameter's one-hot columns. Faster than
    :class:`FanovaImportanceEvaluator`, but favours parameters with many distinct values.

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
    >>> from tunekit.importance import MeanDecreaseImpurityImportanceEvaluator
    >>> tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    ...     return x + (5.0 if optimizer == "sgd" else 0.0)
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=40)
    >>> evaluator = MeanDecreaseImpurityImportanceEvaluator(seed=0)
    >>> list(tunekit.importance.get_param_importances(study, evaluator=evaluator))
    ['optimizer', 'x']
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        _check_forest_arguments("MeanDecreaseImpurityImportanceEvaluator", n_trees, max_depth, seed)
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
        """Each parameter's share of the forest's impurity decrease, sorted in descending order.

        See :func:`tunekit.importance.get_param_importances` for ``params`` and ``target``.
        The values sum to 1, or are all 0 when no tree makes a split (a constant target).
        """
        data = _prepare(study, params, target)
        if not data.names:
            return data.with_zero_importances({})
        forest = _fit_forest(data, self._n_trees, self._max_depth, self._seed)
        per_param = np.bincount(
            data.column_owner, weights=forest.feature_importances_, minlength=len(data.names)
        )
        return data.with_zero_importances(
            {name: float(value) for name, value in zip(data.names, per_param, strict=True)}
        )
