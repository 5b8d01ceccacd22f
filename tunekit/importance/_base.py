"""The evaluator interface, :func:`get_param_importances`, and the data evaluators start from.

An evaluator turns a study's COMPLETE trials into one importance per parameter. The shared
preparation (which trials, which parameters, which target, how parameters become features)
lives here so that every evaluator agrees on it:

* numeric parameters become one column each, in the unit representation of
  :func:`tunekit.distributions.to_unit`: ``[0, 1]``, log-transformed where ``log=True``, padded by
  half a step where discrete (so every grid point owns an interval of the same width);
* a categorical parameter with ``k`` choices becomes ``k`` one-hot columns;
* parameters with a single possible value carry no information and get importance 0.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit.distributions import BaseDistribution, CategoricalDistribution, to_unit
from tunekit.logging import get_logger
from tunekit.search_space import intersection_search_space
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["BaseImportanceEvaluator", "get_param_importances"]

_logger = get_logger(__name__)


class BaseImportanceEvaluator(abc.ABC):
    """The interface of a parameter-importance evaluator.

    Subclass it and implement :meth:`evaluate` to plug your own method into
    :func:`tunekit.importance.get_param_importances` (and the importance plot).

    Example
    -------
    >>> import tunekit
    >>> from tunekit.importance import BaseImportanceEvaluator, get_param_importances
    >>> class SpreadEvaluator(BaseImportanceEvaluator):
    ...     '''Importance = how far apart the trials' values of each numeric parameter lie.'''
    ...     def evaluate(self, study, params=None, *, target=None):
    ...         trials = study.get_trials(states=(tunekit.trial.TrialState.COMPLETE,))
    ...         names = params if params is not None else sorted(trials[0].params)
    ...         spread = {n: max(t.params[n] for t in trials) - min(t.params[n] for t in trials)
    ...                   for n in names}
    ...         return dict(sorted(spread.items(), key=lambda item: -item[1]))
    >>> study = tunekit.create_study()
    >>> study.enqueue_trial({"x": 0.0, "y": 0.25})
    >>> study.enqueue_trial({"x": 1.0, "y": 0.75})
    >>> objective = lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1)
    >>> study.optimize(objective, n_trials=2)
    >>> importances = get_param_importances(study, evaluator=SpreadEvaluator())
    >>> {name: round(value, 3) for name, value in importances.items()}
    {'x': 0.667, 'y': 0.333}
    """

    @abc.abstractmethod
    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Return a non-negative importance per parameter, sorted in descending order.

        Parameters
        ----------
        study:
            The study whose COMPLETE trials are assessed.
        params:
            The parameters to assess; ``None`` means those that every COMPLETE trial has.
        target:
            Maps a trial to the value to explain; ``None`` means ``trial.value`` (required for
            a multi-objective study).

        Returns
        -------
        dict[str, float]
            Importances, not necessarily normalised: :func:`get_param_importances` normalises.
        """


@dataclass(frozen=True)
class _ImportanceData:
    """The trials of a study as a regression problem: features, target, and their meaning."""

    # The parameters a model is fitted on (those with more than one possible value), in order.
    names: list[str]
    # Parameters with a single possible value: importance 0 by definition.
    single_names: list[str]
    # (n_trials, n_columns): numeric parameters in [0, 1], categoricals one-hot.
    features: np.ndarray
    # (n_columns,): the index in ``names`` of the parameter each column encodes.
    column_owner: np.ndarray
    # Per parameter in ``names``: the number of choices of a categorical, 0 for a numeric one.
    n_choices: list[int]
    # (n_trials,): the value to explain.
    target_values: np.ndarray
    # Parameter name -> its distribution, for the parameters in ``names``.
    distributions: dict[str, BaseDistribution]

    def with_zero_importances(self, importances: dict[str, float]) -> dict[str, float]:
        """``importances`` plus 0 for the single-valued parameters, sorted in descending order."""
        merged = dict(importances)
        merged.update(dict.fromkeys(self.single_names, 0.0))
        return _sorted_by_importance(merged)


def _sorted_by_importance(importances: dict[str, float]) -> dict[str, float]:
    """The same dictionary with its items in descending order of value (ties keep their order)."""
    return dict(sorted(importances.items(), key=lambda item: -item[1]))


def _check_params_argument(params: Any) -> list[str] | None:
    if params is None:
        return None
    if not isinstance(params, (list, tuple)):
        raise TypeError(
            f"`params` must be a list of parameter names or None, got {params!r} "
            f"({type(params).__name__})."
        )
    for name in params:
        if not isinstance(name, str):
            raise TypeError(
                f"`params` must contain parameter names (str), got {name!r} in params={params!r}."
            )
    return list(dict.fromkeys(params))  # drop repeats, keep the order asked


def _check_target_argument(study: Study, target: Any) -> None:
    if target is not None and not callable(target):
        raise TypeError(
            f"`target` must be a function of a FrozenTrial returning a float, or None; "
            f"got {target!r} ({type(target).__name__})."
        )
    if target is None and study._is_multi_objective():
        raise ValueError(
            "This study is multi-objective: specify `target`, the value whose parameter "
            "importances to evaluate, e.g. target=lambda t: t.values[0]."
        )


def _trials_and_distributions(
    completed: list[FrozenTrial], params: list[str] | None
) -> tuple[list[FrozenTrial], dict[str, BaseDistribution]]:
    """The trials to use and the distribution of each assessed parameter."""
    if params is None:
        # Conditional parameters are left out: only those that every COMPLETE trial shares.
        space = intersection_search_space(completed)
        if not space:
            raise ValueError(
                f"No parameter is shared (with the same distribution) by all {len(completed)} "
                "COMPLETE trials; pass `params=[...]` to assess conditional parameters."
            )
        return completed, space

    known = sorted({name for trial in completed for name in trial.distributions})
    for name in params:
        if all(name not in trial.distributions for trial in completed):
            raise ValueError(
                f"Parameter {name!r} (in params={params!r}) does not appear in any COMPLETE "
                f"trial of the study; its COMPLETE trials have parameters {known}."
            )
    # Conditional parameters asked for by name: use the trials that have all of them.
    trials = [t for t in completed if all(name in t.distributions for name in params)]
    if len(trials) < 2:
        raise ValueError(
            f"Cannot evaluate parameter importances of params={params!r}: only {len(trials)} "
            "COMPLETE trial(s) have all of them; at least 2 are needed."
        )
    distributions: dict[str, BaseDistribution] = {}
    for name in params:
        distributions[name] = trials[0].distributions[name]
        for trial in trials[1:]:
            if trial.distributions[name] != distributions[name]:
                raise ValueError(
                    f"Parameter {name!r} has different distributions in different trials "
                    f"({distributions[name]!r} and {trial.distributions[name]!r}); importances "
                    "need one distribution per parameter."
                )
    return trials, distributions


def _target_values(
    trials: list[FrozenTrial], target: Callable[[FrozenTrial], float] | None
) -> np.ndarray:
    if target is None:
        return np.array([trial.value for trial in trials], dtype=float)
    values = []
    for trial in trials:
        value = target(trial)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(
                f"`target` must return a float, got {value!r} ({type(value).__name__}) "
                f"for trial {trial.number}."
            )
        values.append(float(value))
    return np.array(values, dtype=float)


def _encode(
    trials: list[FrozenTrial], names: list[str], distributions: dict[str, BaseDistribution]
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Features (numeric in [0, 1], categoricals one-hot), each column's owner, choice counts."""
    blocks: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    n_choices: list[int] = []
    for index, name in enumerate(names):
        distribution = distributions[name]
        if isinstance(distribution, CategoricalDistribution):
            choice_index = np.array(
                [distribution.to_internal_repr(trial.params[name]) for trial in trials], dtype=int
            )
            k = len(distribution.choices)
            blocks.append(np.eye(k)[choice_index])
            owners.append(np.full(k, index))
            n_choices.append(k)
        else:
            values = np.array([trial.params[name] for trial in trials], dtype=float)
            blocks.append(to_unit(distribution, values)[:, None])  # type: ignore[arg-type]
            owners.append(np.array([index]))
            n_choices.append(0)
    if not blocks:
        return np.zeros((len(trials), 0)), np.zeros(0, dtype=int), []
    return np.hstack(blocks), np.concatenate(owners), n_choices


def _prepare(
    study: Study,
    params: list[str] | None,
    target: Callable[[FrozenTrial], float] | None,
) -> _ImportanceData:
    """Check the arguments and turn the study's COMPLETE trials into features and a target.

    Trials whose target is NaN or infinite are left out (a model cannot fit them).
    """
    params = _check_params_argument(params)
    _check_target_argument(study, target)
    completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(completed) < 2:
        raise ValueError(
            f"Cannot evaluate parameter importances with {len(completed)} COMPLETE trial(s); "
            "at least 2 are needed."
        )
    trials, distributions = _trials_and_distributions(completed, params)
    target_values = _target_values(trials, target)
    finite = np.isfinite(target_values)
    if not finite.all():
        _logger.info(
            f"Parameter importances leave out {int((~finite).sum())} trial(s) whose target "
            "value is NaN or infinite."
        )
        trials = [trial for trial, keep in zip(trials, finite, strict=True) if keep]
        target_values = target_values[finite]
    if len(trials) < 2:
        raise ValueError(
            f"Cannot evaluate parameter importances: only {len(trials)} COMPLETE trial(s) "
            "have a finite target value; at least 2 are needed."
        )
    names = [name for name, dist in distributions.items() if not dist.single()]
    single_names = [name for name, dist in distributions.items() if dist.single()]
    features, column_owner, n_choices = _encode(trials, names, distributions)
    return _ImportanceData(
        names=names,
        single_names=single_names,
        features=features,
        column_owner=column_owner,
        n_choices=n_choices,
        target_values=target_values,
        distributions={name: distributions[name] for name in names},
    )


def _check_forest_arguments(owner: str, n_trees: Any, max_depth: Any, seed: Any) -> None:
    for name, value in (("n_trees", n_trees), ("max_depth", max_depth)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{owner}: `{name}` must be an integer >= 1, got {name}={value!r}.")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise ValueError(f"{owner}: `seed` must be a non-negative integer or None, got {seed!r}.")


def _fit_forest(data: _ImportanceData, n_trees: int, max_depth: int, seed: int | None) -> Any:
    """A scikit-learn random forest that predicts the target from the features."""
    try:
        from sklearn.ensemble import RandomForestRegressor
    except ImportError as error:
        raise ImportError(
            "Parameter importances need scikit-learn: install it with "
            "`pip install 'tunekit[sklearn]'`."
        ) from error
    forest = RandomForestRegressor(
        n_estimators=n_trees, max_depth=max_depth, min_samples_leaf=1, random_state=seed
    )
    return forest.fit(data.features, data.target_values)


def _normalized(importances: dict[str, float]) -> dict[str, float]:
    """Scale to sum to 1; when every importance is 0 (nothing explains the target), split evenly."""
    total = math.fsum(importances.values())
    if total == 0.0:
        return {name: 1.0 / len(importances) for name in importances}
    return {name: value / total for name, value in importances.items()}


def get_param_importances(
    study: Study,
    *,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    target: Callable[[FrozenTrial], float] | None = None,
    normalize: bool = True,
) -> dict[str, float]:
    """Evaluate how much each parameter mattered, from the study's COMPLETE trials.

    Returns ``{parameter name: importance}`` in descending order of importance. Importances
    are non-negative; with ``normalize=True`` they sum to 1 (when the evaluator finds no
    importance at all, e.g. every trial has the same value, each of the ``n`` parameters gets
    ``1 / n``, as Optuna does).

    Only COMPLETE trials count, and of those only trials with a finite target value. By default
    the parameters assessed are those that every COMPLETE trial has (with one distribution), so
    conditional parameters are left out; name them in ``params`` to assess them, and then only
    the COMPLETE trials that have all of ``params`` are used. ``params=[]`` returns ``{}``.

    Parameters
    ----------
    study:
        The study to assess; it needs at least 2 COMPLETE trials.
    evaluator:
        The method: :class:`~tunekit.importance.FanovaImportanceEvaluator` (the default),
        :class:`~tunekit.importance.MeanDecreaseImpurityImportanceEvaluator`,
        :class:`~tunekit.importance.PedAnovaImportanceEvaluator`, or your own
        :class:`BaseImportanceEvaluator`.
    params:
        The names of the parameters to assess; ``None`` means all that every COMPLETE trial has.
    target:
        The value to explain, as a function of a :class:`~tunekit.trial.FrozenTrial`; ``None``
        means ``trial.value``. Required for a multi-objective study, e.g.
        ``target=lambda t: t.values[0]``.
    normalize:
        Scale the importances to sum to 1. Otherwise they come as the evaluator computes them
        (for fANOVA, each parameter's fraction of the variance; interactions make up the rest).

    Returns
    -------
    dict[str, float]
        The importances, most important parameter first.

    Raises
    ------
    ValueError
        Fewer than 2 COMPLETE trials (with all of ``params``); a name in ``params`` that no
        COMPLETE trial has; no parameter shared by all COMPLETE trials; a multi-objective study
        without ``target``.
    TypeError
        ``evaluator`` has no ``evaluate`` method; ``params`` is not a list of names; ``target``
        is not callable.

    Example
    -------
    >>> import tunekit
    >>> tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    >>> def objective(trial):
    ...     lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    ...     layers = trial.suggest_int("layers", 1, 4)
    ...     return (lr - 1e-3) ** 2 * 1e4 + 0.01 * layers
    >>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=40)
    >>> importances = tunekit.importance.get_param_importances(study)
    >>> list(importances)
    ['lr', 'layers']
    >>> round(sum(importances.values()), 6)
    1.0
    """
    if evaluator is None:
        # Imported here: the fANOVA module builds on this one.
        from tunekit.importance._fanova import FanovaImportanceEvaluator

        evaluator = FanovaImportanceEvaluator()
    # Duck-typed like samplers: any object with Optuna's `evaluate(study, params, *, target)`.
    if not callable(getattr(evaluator, "evaluate", None)):
        raise TypeError(
            "`evaluator` must be a BaseImportanceEvaluator (an object with an `evaluate` "
            f"method), got {evaluator!r} ({type(evaluator).__name__})."
        )
    importances = evaluator.evaluate(study, params=params, target=target)
    importances = {name: float(value) for name, value in importances.items()}
    if normalize and importances:
        importances = _normalized(importances)
    return _sorted_by_importance(importances)
