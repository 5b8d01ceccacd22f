"""OptunaSearchCV: a scikit-learn search estimator whose candidates come from a tunekit study.

Each trial samples the parameters named in ``param_distributions``, cross-validates a clone of
the estimator with them and returns the mean validation score, so the study (TPE by default)
learns which region scores well. With ``enable_pruning=True`` and an estimator that has
``partial_fit``, every fold is trained one ``partial_fit`` call at a time and the mean validation
score is reported after each call, so the study's pruner can stop a poor trial early.
The results are laid out as :class:`sklearn.model_selection.GridSearchCV`'s.
"""

from __future__ import annotations

import inspect
import numbers
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import _safe_indexing, check_random_state, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted

from tunekit import logging
from tunekit.distributions import BaseDistribution
from tunekit.exceptions import TrialPruned
from tunekit.study import Study, StudyDirection, create_study
from tunekit.trial import BaseTrial, FrozenTrial, TrialState

__all__ = ["OptunaSearchCV", "TunekitSearchCV"]

_logger = logging.get_logger(__name__)

# The per-trial results kept as user attributes, under the names cv_results_ uses.
_TIME_KEYS = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")
_TEST_KEYS = ("mean_test_score", "std_test_score")
_TRAIN_KEYS = ("mean_train_score", "std_train_score")

# cross_validate's keyword for fit parameters: ``params`` since scikit-learn 1.4.
_FIT_PARAMS_KEYWORD = (
    "params" if "params" in inspect.signature(cross_validate).parameters else "fit_params"
)


def _check_refit(search: OptunaSearchCV, attr: str) -> None:
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} was constructed with refit=False: `{attr}` needs the "
            "best estimator refit on the whole data. Refit one yourself from `best_params_`."
        )


def _estimator_has(attr: str) -> Callable[[OptunaSearchCV], bool]:
    """For ``available_if``: the refit estimator (or, before fit, the estimator) has ``attr``."""

    def check(search: OptunaSearchCV) -> bool:
        _check_refit(search, attr)
        delegate = (
            search.best_estimator_ if hasattr(search, "best_estimator_") else search.estimator
        )
        getattr(delegate, attr)  # raises AttributeError when absent: hasattr(search, ...) is False
        return True

    return check


def _index_fit_params(
    fit_params: Mapping[str, Any], n_samples: int, indices: np.ndarray
) -> dict[str, Any]:
    """Take the rows ``indices`` of every fit parameter that has one entry per sample."""
    indexed = {}
    for key, value in fit_params.items():
        has_rows = hasattr(value, "__len__") and not isinstance(value, (str, bytes, Mapping))
        if has_rows and _num_samples_or_none(value) == n_samples:
            indexed[key] = _safe_indexing(value, indices)
        else:
            indexed[key] = value
    return indexed


def _num_samples_or_none(value: Any) -> int | None:
    try:
        return _num_samples(value)
    except TypeError:
        return None


class _Objective:
    """What each trial runs: sample, clone, cross-validate (or train step by step), score."""

    def __init__(
        self,
        search: OptunaSearchCV,
        X: Any,
        y: Any,
        splits: list[tuple[np.ndarray, np.ndarray]],
        fit_params: dict[str, Any],
        scorer: Callable,
    ) -> None:
        self.search = search
        self.X = X
        self.y = y
        self.splits = splits
        self.fit_params = fit_params
        self.scorer = scorer
        self.n_samples = _num_samples(X)

    def __call__(self, trial: BaseTrial) -> float:
        params = {
            name: trial._suggest(name, distribution)
            for name, distribution in self.search.param_distributions.items()
        }
        estimator = clone(self.search.estimator).set_params(**params)
        if self.search.enable_pruning:
            return self._partial_fit_and_score(trial, estimator)
        return self._cross_validate(trial, estimator)

    def _cross_validate(self, trial: BaseTrial, estimator: BaseEstimator) -> float:
        try:
            results = cross_validate(
                estimator,
                self.X,
                self.y,
                cv=self.splits,
                scoring=self.scorer,
                error_score=self.search.error_score,
                return_train_score=self.search.return_train_score,
                **{_FIT_PARAMS_KEYWORD: self.fit_params},
            )
        except ValueError as error:
            # scikit-learn raises when every fold failed; with a numeric error_score that is
            # one bad setting, not the end of the search (as in Optuna): each fold scores
            # error_score, so the trial FAILs (NaN) or completes with that score.
            if self.search.error_score == "raise" or "fits failed" not in str(error):
                raise
            warnings.warn(
                f"Every fold failed for {trial.params}; its score is "
                f"error_score={self.search.error_score!r}. {error}",
                FitFailedWarning,
                stacklevel=2,
            )
            n_splits = len(self.splits)
            scores = np.full(n_splits, float(self.search.error_score))
            train = scores if self.search.return_train_score else None
            return _store_results(trial, scores, train, np.zeros(n_splits), np.zeros(n_splits))
        train_scores = results["train_score"] if self.search.return_train_score else None
        return _store_results(
            trial, results["test_score"], train_scores, results["fit_time"], results["score_time"]
        )

    def _partial_fit_and_score(self, trial: BaseTrial, estimator: BaseEstimator) -> float:
        n_splits = len(self.splits)
        fold_estimators = [clone(estimator) for _ in range(n_splits)]
        folds = [self._fold_data(train, test) for train, test in self.splits]
        test_scores = np.full(n_splits, np.nan)
        train_scores = np.full(n_splits, np.nan)
        fit_times = np.zeros(n_splits)
        score_times = np.zeros(n_splits)
        failed = np.zeros(n_splits, dtype=bool)
        extra = {}
        if is_classifier(estimator) and "classes" not in self.fit_params:
            # partial_fit needs every class up front: a fold may not see them all in one call.
            extra["classes"] = np.unique(self.y)

        for step in range(self.search.max_iter):
            for k, (X_train, y_train, X_test, y_test, fold_fit_params) in enumerate(folds):
                if failed[k]:
                    continue
                started = time.perf_counter()
                try:
                    fold_estimators[k].partial_fit(X_train, y_train, **extra, **fold_fit_params)
                except Exception as error:
                    if self.search.error_score == "raise":
                        raise
                    warnings.warn(
                        f"partial_fit failed on fold {k} at step {step}; its score is "
                        f"error_score={self.search.error_score!r}. The error: {error!r}",
                        FitFailedWarning,
                        stacklevel=2,
                    )
                    failed[k] = True
                    test_scores[k] = train_scores[k] = self.search.error_score
                    continue
                fit_times[k] += time.perf_counter() - started
                started = time.perf_counter()
                test_scores[k] = self.scorer(fold_estimators[k], X_test, y_test)
                score_times[k] += time.perf_counter() - started
                if self.search.return_train_score:
                    train_scores[k] = self.scorer(fold_estimators[k], X_train, y_train)

            trial.report(float(np.mean(test_scores)), step)
            if trial.should_prune():
                _store_results(
                    trial,
                    test_scores,
                    train_scores if self.search.return_train_score else None,
                    fit_times,
                    score_times,
                )
                raise TrialPruned(f"Pruned at step {step} (of max_iter={self.search.max_iter}).")

        return _store_results(
            trial,
            test_scores,
            train_scores if self.search.return_train_score else None,
            fit_times,
            score_times,
        )

    def _fold_data(self, train: np.ndarray, test: np.ndarray) -> tuple:
        return (
            _safe_indexing(self.X, train),
            None if self.y is None else _safe_indexing(self.y, train),
            _safe_indexing(self.X, test),
            None if self.y is None else _safe_indexing(self.y, test),
            _index_fit_params(self.fit_params, self.n_samples, train),
        )


def _store_results(
    trial: BaseTrial,
    test_scores: np.ndarray,
    train_scores: np.ndarray | None,
    fit_times: np.ndarray,
    score_times: np.ndarray,
) -> float:
    """Record the per-fold scores and times as user attributes; return the mean test score."""
    test_scores = np.asarray(test_scores, dtype=float)
    values = {
        "mean_fit_time": np.mean(fit_times),
        "std_fit_time": np.std(fit_times),
        "mean_score_time": np.mean(score_times),
        "std_score_time": np.std(score_times),
        "mean_test_score": np.mean(test_scores),
        "std_test_score": np.std(test_scores),
    }
    values.update({f"split{k}_test_score": score for k, score in enumerate(test_scores)})
    if train_scores is not None:
        train_scores = np.asarray(train_scores, dtype=float)
        values["mean_train_score"] = np.mean(train_scores)
        values["std_train_score"] = np.std(train_scores)
        values.update({f"split{k}_train_score": score for k, score in enumerate(train_scores)})
    for key, value in values.items():
        trial.set_user_attr(key, float(value))
    return float(values["mean_test_score"])


def _is_result_key(key: str) -> bool:
    if key in _TIME_KEYS or key in _TEST_KEYS or key in _TRAIN_KEYS:
        return True
    return key.startswith("split") and key.endswith(("_test_score", "_train_score"))


def _rank(scores: np.ndarray) -> np.ndarray:
    """GridSearchCV's ranking: 1 is best, ties share the lowest rank, NaN ranks last."""
    finite = np.where(np.isnan(scores), -np.inf, scores)
    # min-rank of -score: one plus the number of strictly better scores.
    better = (finite[None, :] > finite[:, None]).sum(axis=1)
    ranks = better + 1
    ranks[np.isnan(scores)] = len(scores)
    return ranks.astype(np.int32)


def _cv_results(trials: list[FrozenTrial], param_names: Iterable[str]) -> dict[str, Any]:
    """GridSearchCV's ``cv_results_`` layout, one row per finished trial."""
    n_rows = len(trials)
    results: dict[str, Any] = {}
    result_keys = sorted({key for t in trials for key in t.user_attrs if _is_result_key(key)})
    for key in result_keys:
        results[key] = np.array([t.user_attrs.get(key, np.nan) for t in trials], dtype=float)
    for key in (*_TIME_KEYS, *_TEST_KEYS):
        results.setdefault(key, np.full(n_rows, np.nan))
    # Only COMPLETE trials are ranked (a pruned trial's score is from an unfinished run), so
    # rank 1 is always best_index_.
    complete = np.array([t.state == TrialState.COMPLETE for t in trials], dtype=bool)
    results["rank_test_score"] = _rank(np.where(complete, results["mean_test_score"], np.nan))

    for name in param_names:
        column = np.ma.MaskedArray(np.empty(n_rows, dtype=object), mask=True)
        for row, trial in enumerate(trials):
            if name in trial.params:
                column[row] = trial.params[name]
        results[f"param_{name}"] = column
    results["params"] = [dict(t.params) for t in trials]

    user_keys = sorted({key for t in trials for key in t.user_attrs if not _is_result_key(key)})
    for key in user_keys:
        column = np.ma.MaskedArray(np.empty(n_rows, dtype=object), mask=True)
        for row, trial in enumerate(trials):
            if key in trial.user_attrs:
                column[row] = trial.user_attrs[key]
        results[f"user_attrs_{key}"] = column
    results["trial_number"] = np.array([t.number for t in trials], dtype=int)
    results["state"] = np.array([t.state.name for t in trials], dtype=object)
    return results


class OptunaSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Hyperparameter search with cross-validation, driven by a tunekit study.

    A drop-in for ``optuna.integration.OptunaSearchCV``: the same parameters and attributes.
    Each trial samples a parameter setting from ``param_distributions``, cross-validates a clone
    of ``estimator`` with it and returns the mean validation score; the study (maximising) picks
    the next setting. The best setting is refit on the whole data when ``refit=True``.

    Parameters
    ----------
    estimator : estimator object
        The scikit-learn estimator to tune. It must provide ``score``, or ``scoring`` must be given.
    param_distributions : dict of str to BaseDistribution
        Parameter names (as ``estimator.set_params`` takes them, e.g. ``"svc__C"`` inside a
        pipeline) mapped to :class:`~tunekit.distributions.FloatDistribution`,
        :class:`~tunekit.distributions.IntDistribution` or
        :class:`~tunekit.distributions.CategoricalDistribution`.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None for 5 folds, an int for that many (stratified for a classifier
        with a binary or multiclass target), a splitter, or an iterable of (train, test) index
        arrays. The splits are drawn once per ``fit``, so every trial is scored on the same folds.
    enable_pruning : bool, default=False
        Train each fold with ``partial_fit``, one call per step up to ``max_iter``, reporting the
        mean validation score after each step so the study's pruner can stop the trial. The
        estimator must have ``partial_fit``.
    error_score : 'raise' or float, default=np.nan
        The score of a fold whose fit fails; ``'raise'`` re-raises the error. A NaN mean score
        marks the trial FAIL. The refit always raises.
    max_iter : int, default=1000
        The number of ``partial_fit`` steps per fold when pruning.
    n_jobs : int, default=None
        Trials run at once, in threads (None: 1; -1: one per CPU).
    n_trials : int or None, default=10
        Trials to run; None means until ``timeout``.
    random_state : int, RandomState instance or None, default=None
        Seeds the default sampler (``TPESampler(seed=...)``) and the subsample.
    refit : bool, default=True
        Refit the best setting on the whole data as ``best_estimator_``; ``predict`` and the
        other delegated methods need it.
    return_train_score : bool, default=False
        Also score each fold's training part.
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or callable ``scorer(estimator, X, y)``; None uses the
        estimator's ``score``. One metric only (greater is better).
    study : Study or None, default=None
        A study to run the trials in (its direction must be ``"maximize"``). None creates an
        in-memory study with a seeded TPE sampler. Note that ``sklearn.base.clone`` copies it.
    subsample : float or int, default=1.0
        The part of the data used in the search: a float in (0, 1] is a fraction of the samples,
        an int a count. One random subset is drawn per ``fit`` and shared by all trials; the
        refit uses all the data.
    timeout : float or None, default=None
        Seconds after which no new trial starts.
    verbose : int, default=0
        0 logs warnings only, 1 one line per trial, 2 and above debug messages.
    callbacks : list of callables or None, default=None
        Each called as ``callback(study, frozen_trial)`` after every trial.
    catch : tuple of exception classes, default=()
        Errors in a trial that mark it FAIL and let the search go on; any other error is raised.

    Attributes
    ----------
    best_estimator_ : estimator
        The estimator refit with ``best_params_`` (only with ``refit=True``).
    best_index_ : int
        The row of the best trial in ``cv_results_``.
    best_params_ : dict
        The best parameter setting.
    best_score_ : float
        Its mean cross-validated score.
    best_trial_ : FrozenTrial
        The best trial.
    classes_ : ndarray
        The class labels (classifiers, with ``refit=True``).
    cv_results_ : dict of ndarrays
        As ``GridSearchCV``'s, one row per finished trial of ``study_``: ``params``,
        ``param_<name>`` (masked where a trial lacks it), ``split<k>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``, the fit and score times,
        train scores with ``return_train_score``, ``user_attrs_<key>``, and tunekit's
        ``trial_number`` and ``state``.
    n_features_in_ : int
        Features seen in ``fit`` (with ``refit=True``).
    feature_names_in_ : ndarray
        Feature names seen in ``fit``, when ``X`` had string column names (with ``refit=True``).
    n_splits_ : int
        The number of cross-validation splits.
    n_trials_ : int
        The number of trials in ``study_``.
    refit_time_ : float
        Seconds taken by the refit (with ``refit=True``).
    sample_indices_ : ndarray
        The rows of ``X`` used in the search (all of them when ``subsample=1.0``).
    scorer_ : callable
        The scorer used to score the folds and by :meth:`score`.
    study_ : Study
        The study the trials ran in.
    trials_ : list of FrozenTrial
        All trials of ``study_``.
    user_attrs_ : dict
        The study's user attributes.

    Example
    -------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from tunekit.distributions import FloatDistribution
    >>> from tunekit.integration import OptunaSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = OptunaSearchCV(
    ...     SVC(),
    ...     {"C": FloatDistribution(1e-3, 1e3, log=True),
    ...      "gamma": FloatDistribution(1e-4, 1e1, log=True)},
    ...     cv=3, n_trials=5, random_state=0,
    ... )
    >>> _ = search.fit(X, y)
    >>> sorted(search.best_params_)
    ['C', 'gamma']
    >>> search.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        estimator: BaseEstimator,
        param_distributions: Mapping[str, BaseDistribution],
        *,
        cv: int | Any | None = None,
        enable_pruning: bool = False,
        error_score: numbers.Number | str = np.nan,
        max_iter: int = 1000,
        n_jobs: int | None = None,
        n_trials: int | None = 10,
        random_state: int | np.random.RandomState | None = None,
        refit: bool = True,
        return_train_score: bool = False,
        scoring: str | Callable | None = None,
        study: Study | None = None,
        subsample: float | int = 1.0,
        timeout: float | None = None,
        verbose: int = 0,
        callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
        catch: Iterable[type[Exception]] | type[Exception] = (),
    ) -> None:
        # scikit-learn's contract: store the arguments as given; fit checks them.
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.n_trials = n_trials
        self.random_state = random_state
        self.refit = refit
        self.return_train_score = return_train_score
        self.scoring = scoring
        self.study = study
        self.subsample = subsample
        self.timeout = timeout
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        from sklearn.utils import get_tags

        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags

    @property
    def _estimator_type(self) -> str | None:
        # scikit-learn < 1.6 reads this (is_classifier, check_cv) instead of __sklearn_tags__.
        return getattr(self.estimator, "_estimator_type", None)

    # ---------------------------------------------------------------- checking the arguments

    def _check_params(self) -> None:
        name = type(self).__name__
        if not isinstance(self.param_distributions, Mapping):
            raise TypeError(
                f"{name}: `param_distributions` must be a dict of parameter name to "
                f"distribution, got {self.param_distributions!r}."
            )
        for key, distribution in self.param_distributions.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{name}: parameter names in `param_distributions` must be str, got {key!r}."
                )
            if not isinstance(distribution, BaseDistribution):
                raise TypeError(
                    f"{name}: `param_distributions[{key!r}]` must be a tunekit distribution "
                    "(FloatDistribution, IntDistribution or CategoricalDistribution), got "
                    f"{distribution!r} ({type(distribution).__name__})."
                )
        for flag in ("enable_pruning", "refit", "return_train_score"):
            value = getattr(self, flag)
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name}: `{flag}` must be a bool, got {flag}={value!r}.")
        if not (
            self.error_score == "raise"
            or isinstance(self.error_score, numbers.Real)
            and not isinstance(self.error_score, bool)
        ):
            raise ValueError(
                f"{name}: `error_score` must be 'raise' or a number, got {self.error_score!r}."
            )
        _check_int(name, "max_iter", self.max_iter, minimum=1)
        if self.n_trials is not None:
            _check_int(name, "n_trials", self.n_trials, minimum=1)
        if self.n_jobs is not None:
            _check_int(name, "n_jobs", self.n_jobs, minimum=-1)
            if self.n_jobs == 0:
                raise ValueError(f"{name}: `n_jobs` must not be 0 (use None, -1 or >= 1).")
        _check_int(name, "verbose", self.verbose, minimum=0)
        if self.timeout is not None and (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, numbers.Real)
            or not self.timeout > 0
        ):
            raise ValueError(
                f"{name}: `timeout` must be a positive number or None, got {self.timeout!r}."
            )
        if isinstance(self.scoring, (Mapping, list, tuple, set)):
            raise TypeError(
                f"{name}: `scoring` must be one metric (a str or a callable); multi-metric "
                f"scoring is not supported, got {self.scoring!r}."
            )
        if self.callbacks is not None and not all(callable(c) for c in self.callbacks):
            raise TypeError(
                f"{name}: `callbacks` must be a list of callables, got {self.callbacks!r}."
            )
        if self.study is not None:
            if not isinstance(self.study, Study):
                raise TypeError(
                    f"{name}: `study` must be a tunekit Study or None, got {self.study!r}."
                )
            if self.study._is_multi_objective() or self.study.direction != (
                StudyDirection.MAXIMIZE
            ):
                raise ValueError(
                    f"{name}: the direction of `study` must be 'maximize' (scores are greater "
                    f"is better), got {[d.name.lower() for d in self.study.directions]}."
                )
        if self.enable_pruning and not hasattr(self.estimator, "partial_fit"):
            raise ValueError(
                f"{name}: enable_pruning=True needs an estimator with `partial_fit`; "
                f"{type(self.estimator).__name__} has none."
            )

    def _subsample_indices(self, n_samples: int, rng: np.random.RandomState) -> np.ndarray:
        name = type(self).__name__
        subsample = self.subsample
        if isinstance(subsample, bool) or not isinstance(subsample, numbers.Real):
            raise TypeError(
                f"{name}: `subsample` must be a float in (0, 1] or an int count, got {subsample!r}."
            )
        if isinstance(subsample, numbers.Integral):
            if not 1 <= subsample <= n_samples:
                raise ValueError(
                    f"{name}: an int `subsample` must be in [1, n_samples={n_samples}], "
                    f"got subsample={subsample!r}."
                )
            size = int(subsample)
        else:
            if not 0.0 < subsample <= 1.0:
                raise ValueError(
                    f"{name}: a float `subsample` must be in (0, 1], got subsample={subsample!r}."
                )
            size = max(1, int(round(subsample * n_samples)))
        if size == n_samples:
            return np.arange(n_samples)
        return np.sort(rng.choice(n_samples, size=size, replace=False))

    # ------------------------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any = None, groups: Any = None, **fit_params: Any) -> OptunaSearchCV:
        """Run the search, then refit the best setting on all of ``X`` (with ``refit=True``).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; None for unsupervised estimators.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group-aware splitter (``GroupKFold``).
        **fit_params : dict
            Passed to the estimator's ``fit`` (or ``partial_fit``); per-sample arrays such as
            ``sample_weight`` are split with the folds.

        Returns
        -------
        self : OptunaSearchCV
            The fitted search.
        """
        self._check_params()
        X, y, groups = indexable(X, y, groups)
        n_samples = _num_samples(X)
        rng = check_random_state(self.random_state)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)

        self.sample_indices_ = self._subsample_indices(n_samples, rng)
        if len(self.sample_indices_) < n_samples:
            X_search = _safe_indexing(X, self.sample_indices_)
            y_search = None if y is None else _safe_indexing(y, self.sample_indices_)
            groups_search = None if groups is None else _safe_indexing(groups, self.sample_indices_)
            search_fit_params = _index_fit_params(fit_params, n_samples, self.sample_indices_)
        else:
            X_search, y_search, groups_search = X, y, groups
            search_fit_params = dict(fit_params)

        cv = check_cv(self.cv, y_search, classifier=is_classifier(self.estimator))
        # One set of splits for every trial, even from a shuffling splitter without a seed:
        # the trials' scores stay comparable.
        splits = list(cv.split(X_search, y_search, groups_search))
        self.n_splits_ = len(splits)

        if self.study is None:
            from tunekit.samplers import TPESampler

            seed = int(rng.randint(np.iinfo(np.int32).max))
            self.study_ = create_study(direction="maximize", sampler=TPESampler(seed=seed))
        else:
            self.study_ = self.study

        objective = _Objective(self, X_search, y_search, splits, search_fit_params, self.scorer_)
        old_verbosity = logging.get_verbosity()
        try:
            if self.verbose > 1:
                logging.set_verbosity(logging.DEBUG)
            elif self.verbose == 1:
                logging.set_verbosity(logging.INFO)
            else:
                logging.set_verbosity(logging.WARNING)
            self.study_.optimize(
                objective,
                n_trials=self.n_trials,
                timeout=self.timeout,
                n_jobs=1 if self.n_jobs is None else self.n_jobs,
                catch=self.catch,
                callbacks=self.callbacks,
            )
        finally:
            logging.set_verbosity(old_verbosity)

        self.trials_ = self.study_.trials
        self.n_trials_ = len(self.trials_)
        finished = [t for t in self.trials_ if t.state.is_finished()]
        self.cv_results_ = _cv_results(finished, self.param_distributions)
        completed = [t for t in finished if t.state == TrialState.COMPLETE]
        if not completed:
            states = sorted({t.state.name for t in finished})
            raise ValueError(
                f"{type(self).__name__}: no trial completed (the {len(finished)} finished trials "
                f"are {states}); see `study_.trials` for their errors."
            )
        self.best_trial_ = self.study_.best_trial
        self.best_index_ = int(
            np.flatnonzero(self.cv_results_["trial_number"] == self.best_trial_.number)[0]
        )
        self.user_attrs_ = self.study_.user_attrs

        if self.refit:
            estimator = clone(self.estimator).set_params(**self.best_params_)
            started = time.perf_counter()
            if y is None:
                estimator.fit(X, **fit_params)
            else:
                estimator.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - started
            self.best_estimator_ = estimator
        return self

    # ------------------------------------------------------------------------ the results

    @property
    def best_params_(self) -> dict[str, Any]:
        """The parameters of the best trial."""
        self._check_searched("best_params_")
        return dict(self.best_trial_.params)

    @property
    def best_score_(self) -> float:
        """The mean cross-validated score of the best trial."""
        self._check_searched("best_score_")
        return float(self.best_trial_.value)

    def _check_searched(self, attr: str) -> None:
        # NotFittedError is an AttributeError too: hasattr() stays False before fit.
        if "best_trial_" not in vars(self):
            raise NotFittedError(
                f"This {type(self).__name__} has not been fitted yet: `{attr}` is set by fit()."
            )

    @property
    def n_features_in_(self) -> int:
        """The number of features seen in ``fit`` (needs ``refit=True``)."""
        return self._refit_attribute("n_features_in_")

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The feature names seen in ``fit`` (needs ``refit=True`` and named columns)."""
        return self._refit_attribute("feature_names_in_")

    @property
    def classes_(self) -> np.ndarray:
        """The class labels (a classifier, with ``refit=True``)."""
        _estimator_has("classes_")(self)
        return self._refit_attribute("classes_")

    def _refit_attribute(self, attr: str) -> Any:
        # An AttributeError (not NotFittedError) so that hasattr() is False before fit.
        try:
            check_is_fitted(self, "best_estimator_")
        except NotFittedError as error:
            raise AttributeError(
                f"{type(self).__name__} has no `{attr}`: it is set by fit() with refit=True."
            ) from error
        return getattr(self.best_estimator_, attr)

    def trials_dataframe(self, *args: Any, **kwargs: Any):
        """The trials of ``study_`` as a pandas DataFrame (see :meth:`Study.trials_dataframe`)."""
        check_is_fitted(self, "study_")
        return self.study_.trials_dataframe(*args, **kwargs)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to ``study_`` (after ``fit``)."""
        check_is_fitted(self, "study_")
        self.study_.set_user_attr(key, value)
        self.user_attrs_ = self.study_.user_attrs

    # ------------------------------------------------------------- delegated to the refit

    def score(self, X: Any, y: Any = None) -> float:
        """Score ``X`` with ``scorer_`` and the refit best estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.
        y : array-like of shape (n_samples,), default=None
            Targets; None for unsupervised estimators.

        Returns
        -------
        score : float
            ``scorer_(best_estimator_, X, y)``.
        """
        _check_refit(self, "score")
        check_is_fitted(self)
        return float(self.scorer_(self.best_estimator_, X, y))

    @available_if(_estimator_has("predict"))
    def predict(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict_proba(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict_log_proba(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """``best_estimator_.decision_function(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    @available_if(_estimator_has("score_samples"))
    def score_samples(self, X: Any) -> np.ndarray:
        """``best_estimator_.score_samples(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.score_samples(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X: Any) -> Any:
        """``best_estimator_.transform(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.transform(X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X: Any) -> Any:
        """``best_estimator_.inverse_transform(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.inverse_transform(X)


def _check_int(owner: str, name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{owner}: `{name}` must be an int >= {minimum}, got {name}={value!r}.")


#: tunekit's name for the same class.
TunekitSearchCV = OptunaSearchCV
