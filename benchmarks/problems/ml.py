"""Real machine-learning objectives on data sets that ship with scikit-learn.

No downloads: ``load_digits`` and ``load_breast_cancer`` are bundled with
scikit-learn.  Every objective is a *validation error* in [0, 1] (minimised) and
is deterministic for a given configuration and seed: the data splits, model
initialisation and data shuffling all derive from ``seed``, and every model
runs on one thread (one evaluation therefore costs the same whatever else the
machine is doing, and floating-point reductions happen in a fixed order).

The true optimum of these problems is unknown; ``f_star`` is 0 (a lower
bound of any error rate), so ``regret(value)`` is simply the error.

Two kinds of problems:

* :class:`CrossValidationProblem` (``svm_digits``, ``gbm_breast_cancer``): one
  3-fold cross-validated error per configuration.
* :class:`LearningCurveProblem` (``mlp_digits``, ``sgd_digits``): a model trained
  epoch by epoch on a fixed 2/3-1/3 stratified hold-out split of ``digits``.  The
  objective reports the validation *error* after each epoch with
  ``trial.report(error, epoch)`` (epochs count from 1, so the step equals the
  number of epochs trained) and raises the pruning exception when
  ``trial.should_prune()`` says so.  The error, not the accuracy, is reported so
  that intermediate values point in the same direction as the minimised
  objective, which is what pruners assume.  The pure functions
  :func:`mlp_learning_curve` and :func:`sgd_learning_curve` return the per-epoch
  validation *accuracies*.

scikit-learn and torch are imported lazily, so importing this module is cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np
from numpy.typing import NDArray

from benchmarks.problems.base import TrialLike

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

__all__ = [
    "PROBLEMS",
    "BenchmarkTrialPruned",
    "CrossValidationProblem",
    "LearningCurveProblem",
    "gbm_breast_cancer_error",
    "make_mlp_objective",
    "make_sgd_objective",
    "mlp_learning_curve",
    "pruned_exception_for",
    "sgd_learning_curve",
    "svm_digits_error",
]

Config = Mapping[str, Any]
EpochAccuracies = Generator[float, None, None]

N_FOLDS = 3
# Seed of the hold-out split used by the learning-curve problems.  It is fixed
# (independent of the training seed) so that every curve is measured on the same
# validation set and curves recorded with different seeds stay comparable.
HOLDOUT_SPLIT_SEED = 0
HOLDOUT_VALIDATION_FRACTION = 1.0 / 3.0
# 100 boosting rounds keep one 3-fold evaluation of gbm_breast_cancer well under 1 s
# (0.3-0.6 s on one core).
GBM_MAX_ITER = 100


# --------------------------------------------------------------------------- pruning


class BenchmarkTrialPruned(Exception):
    """Fallback pruning signal for trials whose package defines no ``TrialPruned``."""


def pruned_exception_for(trial: object) -> type[BaseException]:
    """Return the ``TrialPruned`` class of the package that defines ``trial``'s type.

    ``tunekit`` trials give ``tunekit.TrialPruned`` and Optuna trials give
    ``optuna.TrialPruned``; anything else gives :class:`BenchmarkTrialPruned`.
    """
    package = sys.modules.get(type(trial).__module__.partition(".")[0])
    candidate = getattr(package, "TrialPruned", None)
    if isinstance(candidate, type) and issubclass(candidate, BaseException):
        return candidate
    return BenchmarkTrialPruned


# --------------------------------------------------------------------------- data


ArrayT = TypeVar("ArrayT", bound=np.ndarray)


def _frozen(array: ArrayT) -> ArrayT:
    # The arrays below are cached and shared between evaluations: forbid in-place edits.
    array.flags.writeable = False
    return array


@lru_cache(maxsize=1)
def _digits() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    from sklearn.datasets import load_digits

    features, labels = load_digits(return_X_y=True)
    return _frozen(features.astype(np.float64)), _frozen(labels.astype(np.int64))


@lru_cache(maxsize=1)
def _breast_cancer() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    from sklearn.datasets import load_breast_cancer

    features, labels = load_breast_cancer(return_X_y=True)
    return _frozen(features.astype(np.float64)), _frozen(labels.astype(np.int64))


@lru_cache(maxsize=1)
def _digits_holdout() -> tuple[
    NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]
]:
    """Stratified train/validation split of ``digits``, standardised with training statistics."""
    from sklearn.model_selection import train_test_split

    features, labels = _digits()
    x_train, x_valid, y_train, y_valid = train_test_split(
        features,
        labels,
        test_size=HOLDOUT_VALIDATION_FRACTION,
        stratify=labels,
        random_state=HOLDOUT_SPLIT_SEED,
    )
    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0)
    scale[scale == 0.0] = 1.0  # some border pixels are always 0 in the training set
    return (
        _frozen((x_train - mean) / scale),
        _frozen(np.array(y_train)),
        _frozen((x_valid - mean) / scale),
        _frozen(np.array(y_valid)),
    )


def _cross_validated_error(
    estimator: BaseEstimator, features: NDArray[Any], labels: NDArray[Any], seed: int
) -> float:
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from threadpoolctl import threadpool_limits

    folds = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=seed)
    with threadpool_limits(limits=1):
        accuracies = cross_val_score(estimator, features, labels, cv=folds, scoring="accuracy")
    return float(1.0 - np.mean(accuracies))


# --------------------------------------------------------------------------- svm_digits


def svm_digits_space(trial: TrialLike) -> dict[str, Any]:
    """Suggest an RBF-SVM configuration: ``C`` and ``gamma``, both on a log scale."""
    return {
        "C": trial.suggest_float("C", 1e-3, 1e3, log=True),
        "gamma": trial.suggest_float("gamma", 1e-6, 1e0, log=True),
    }


def svm_digits_error(config: Config, seed: int = 0) -> float:
    """3-fold cross-validated error of an RBF ``SVC`` on the raw (0-16) ``digits`` pixels.

    Parameters
    ----------
    config
        ``{"C": float, "gamma": float}``.
    seed
        Seed of the shuffled stratified folds.

    Returns
    -------
    float
        Mean misclassification rate over the folds, in [0, 1].
    """
    from sklearn.svm import SVC

    features, labels = _digits()
    model = SVC(C=float(config["C"]), gamma=float(config["gamma"]), kernel="rbf")
    return _cross_validated_error(model, features, labels, seed)


# --------------------------------------------------------------------------- gbm_breast_cancer


def gbm_breast_cancer_space(trial: TrialLike) -> dict[str, Any]:
    """Suggest a ``HistGradientBoostingClassifier`` configuration."""
    return {
        "learning_rate": trial.suggest_float("learning_rate", 1e-3, 1.0, log=True),
        "max_depth": trial.suggest_int("max_depth", 2, 10),
        "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 2, 64, log=True),
        "l2_regularization": trial.suggest_float("l2_regularization", 1e-6, 1e1, log=True),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 64),
    }


def gbm_breast_cancer_error(config: Config, seed: int = 0) -> float:
    """3-fold cross-validated error of gradient boosting on ``breast_cancer``.

    Parameters
    ----------
    config
        ``learning_rate``, ``max_depth``, ``max_leaf_nodes``, ``l2_regularization``
        and ``min_samples_leaf``.
    seed
        Seed of the shuffled stratified folds and of the booster.

    Returns
    -------
    float
        Mean misclassification rate over the folds, in [0, 1].
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    features, labels = _breast_cancer()
    model = HistGradientBoostingClassifier(
        learning_rate=float(config["learning_rate"]),
        max_depth=int(config["max_depth"]),
        max_leaf_nodes=int(config["max_leaf_nodes"]),
        l2_regularization=float(config["l2_regularization"]),
        min_samples_leaf=int(config["min_samples_leaf"]),
        max_iter=GBM_MAX_ITER,
        early_stopping=False,  # a fixed budget: early stopping would add a hidden split
        random_state=seed,
    )
    return _cross_validated_error(model, features, labels, seed)


# --------------------------------------------------------------------------- mlp_digits


def mlp_digits_space(trial: TrialLike) -> dict[str, Any]:
    """Suggest a configuration of the torch MLP."""
    return {
        "lr": trial.suggest_float("lr", 1e-4, 1e-1, log=True),
        "hidden_width": trial.suggest_int("hidden_width", 16, 256, log=True),
        "n_layers": trial.suggest_int("n_layers", 1, 3),
        "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        # No batch size 16: it costs about 4x the time of 32 on one CPU core.
        "batch_size": trial.suggest_categorical("batch_size", [32, 64, 128, 256]),
        "optimizer": trial.suggest_categorical("optimizer", ["adam", "sgd"]),
    }


def _mlp_epoch_accuracies(config: Config, max_epochs: int, seed: int) -> EpochAccuracies:
    """Train the MLP one epoch at a time, yielding the validation accuracy after each."""
    import torch
    from torch import nn

    x_train, y_train, x_valid, y_valid = (
        torch.as_tensor(np.array(array)) for array in _digits_holdout()
    )
    x_train, x_valid = x_train.float(), x_valid.float()
    n_train = len(y_train)
    batch_size = int(config["batch_size"])
    width = int(config["hidden_width"])

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one core per evaluation; also fixes the reduction order
    try:
        # Seed the initialisation without disturbing the caller's global torch RNG.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            layers: list[nn.Module] = []
            in_features = x_train.shape[1]
            for _ in range(int(config["n_layers"])):
                layers += [nn.Linear(in_features, width), nn.ReLU()]
                in_features = width
            layers.append(nn.Linear(in_features, 10))
            model = nn.Sequential(*layers)

        lr, weight_decay = float(config["lr"]), float(config["weight_decay"])
        if config["optimizer"] == "adam":
            optimizer: torch.optim.Optimizer = torch.optim.Adam(
                model.parameters(), lr=lr, weight_decay=weight_decay
            )
        elif config["optimizer"] == "sgd":
            optimizer = torch.optim.SGD(
                model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay
            )
        else:
            raise ValueError(f"unknown optimizer {config['optimizer']!r}")

        shuffle_generator = torch.Generator().manual_seed(seed)
        loss_function = nn.CrossEntropyLoss()
        for _ in range(max_epochs):
            model.train()
            order = torch.randperm(n_train, generator=shuffle_generator)
            for start in range(0, n_train, batch_size):
                batch = order[start : start + batch_size]
                optimizer.zero_grad(set_to_none=True)
                loss_function(model(x_train[batch]), y_train[batch]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                n_correct = int((model(x_valid).argmax(dim=1) == y_valid).sum())
            # A diverged (NaN) network predicts class 0 everywhere: still a valid accuracy.
            yield n_correct / len(y_valid)
    finally:
        torch.set_num_threads(previous_threads)


def mlp_learning_curve(config: Config, max_epochs: int = 30, seed: int = 0) -> NDArray[np.float64]:
    """Per-epoch validation accuracies of the torch MLP on ``digits``.

    Parameters
    ----------
    config
        ``lr``, ``hidden_width``, ``n_layers``, ``weight_decay``, ``batch_size`` and
        ``optimizer`` (``"adam"`` or ``"sgd"`` with momentum 0.9).
    max_epochs
        Number of epochs to train.
    seed
        Seed of the weight initialisation and of the mini-batch order.

    Returns
    -------
    numpy.ndarray
        Shape ``(max_epochs,)``; entry ``i`` is the accuracy after ``i + 1`` epochs.
    """
    return np.fromiter(_mlp_epoch_accuracies(config, max_epochs, seed), np.float64, max_epochs)


# --------------------------------------------------------------------------- sgd_digits


def sgd_digits_space(trial: TrialLike) -> dict[str, Any]:
    """Suggest an ``SGDClassifier`` configuration (``eta0`` is unused by ``"optimal"``)."""
    return {
        "alpha": trial.suggest_float("alpha", 1e-6, 1e-1, log=True),
        "eta0": trial.suggest_float("eta0", 1e-4, 1e0, log=True),
        "learning_rate": trial.suggest_categorical(
            # No "adaptive": its step-size decay only acts inside fit(), so under
            # partial_fit it behaves exactly like "constant".
            "learning_rate",
            ["constant", "optimal", "invscaling"],
        ),
        "loss": trial.suggest_categorical("loss", ["hinge", "log_loss", "modified_huber"]),
    }


def _sgd_epoch_accuracies(config: Config, max_epochs: int, seed: int) -> EpochAccuracies:
    """Run ``SGDClassifier.partial_fit`` one epoch at a time, yielding validation accuracy."""
    from sklearn.linear_model import SGDClassifier

    x_train, y_train, x_valid, y_valid = _digits_holdout()
    model = SGDClassifier(
        loss=str(config["loss"]),
        alpha=float(config["alpha"]),
        learning_rate=str(config["learning_rate"]),
        eta0=float(config["eta0"]),
        # A RandomState *instance* advances between partial_fit calls, so every epoch
        # sees a new shuffle; an int seed would replay the same order each epoch.
        random_state=np.random.RandomState(seed),
    )
    classes = np.unique(y_train)
    for _ in range(max_epochs):
        model.partial_fit(x_train, y_train, classes=classes)
        yield float(model.score(x_valid, y_valid))


def sgd_learning_curve(config: Config, max_epochs: int = 30, seed: int = 0) -> NDArray[np.float64]:
    """Per-epoch validation accuracies of a linear ``SGDClassifier`` on ``digits``.

    Parameters
    ----------
    config
        ``alpha``, ``eta0``, ``learning_rate`` and ``loss``.
    max_epochs
        Number of ``partial_fit`` passes over the training split.
    seed
        Seed of the per-epoch shuffling.

    Returns
    -------
    numpy.ndarray
        Shape ``(max_epochs,)``; entry ``i`` is the accuracy after ``i + 1`` epochs.
    """
    return np.fromiter(_sgd_epoch_accuracies(config, max_epochs, seed), np.float64, max_epochs)


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class CrossValidationProblem:
    """An ML problem scored by one cross-validated error per configuration.

    Parameters
    ----------
    name
        Short registry name.
    search_space
        Suggests the configuration from a trial and returns it as a dict.
    error
        ``error(config, seed)``: the cross-validated error in [0, 1].
    default_config
        A reasonable configuration inside the search space (for smoke tests).
    seed
        Seed passed to ``error``.
    f_star
        Unknown for real data; 0 is a lower bound, so regret equals the error.
    """

    kind: ClassVar[str] = "ml"

    name: str
    search_space: Callable[[TrialLike], dict[str, Any]] = field(repr=False)
    error: Callable[[Config, int], float] = field(repr=False)
    default_config: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    f_star: float = 0.0

    def objective(self, trial: TrialLike) -> float:
        """Suggest a configuration and return its cross-validated error."""
        return self.evaluate(self.search_space(trial))

    def evaluate(self, config: Config) -> float:
        """Cross-validated error of ``config`` with this problem's seed."""
        return float(self.error(config, self.seed))

    def regret(self, value: float) -> float:
        """``value - f_star`` (the error itself, since ``f_star`` is 0)."""
        return float(value) - self.f_star


@dataclass(frozen=True)
class LearningCurveProblem:
    """An ML problem trained epoch by epoch, with intermediate reports and pruning.

    Parameters
    ----------
    name
        Short registry name.
    search_space
        Suggests the configuration from a trial and returns it as a dict.
    epoch_accuracies
        ``epoch_accuracies(config, max_epochs, seed)``: a generator of the validation
        accuracy after each epoch.
    default_config
        A reasonable configuration inside the search space (for smoke tests).
    max_epochs
        Training budget of one full evaluation.
    seed
        Seed of initialisation and shuffling.
    pruned_exception
        Exception raised when the trial asks to be pruned; ``None`` picks the
        ``TrialPruned`` of the trial's own package (see :func:`pruned_exception_for`).
    f_star
        Unknown for real data; 0 is a lower bound, so regret equals the error.
    """

    kind: ClassVar[str] = "ml"

    name: str
    search_space: Callable[[TrialLike], dict[str, Any]] = field(repr=False)
    epoch_accuracies: Callable[[Config, int, int], EpochAccuracies] = field(repr=False)
    default_config: Mapping[str, Any] = field(default_factory=dict)
    max_epochs: int = 30
    seed: int = 0
    pruned_exception: type[BaseException] | None = None
    f_star: float = 0.0

    def objective(self, trial: TrialLike) -> float:
        """Train epoch by epoch, reporting the validation error; return the final error.

        Raises
        ------
        BaseException
            ``pruned_exception`` (or the trial package's ``TrialPruned``) as soon as
            ``trial.should_prune()`` returns True after a report.
        """
        config = self.search_space(trial)
        pruned_exception = self.pruned_exception or pruned_exception_for(trial)
        epochs = self.epoch_accuracies(config, self.max_epochs, self.seed)
        error = 1.0
        try:
            for epoch, accuracy in enumerate(epochs, start=1):
                error = 1.0 - accuracy
                trial.report(error, epoch)
                if trial.should_prune():
                    raise pruned_exception(
                        f"pruned after epoch {epoch} (validation error {error:.4f})"
                    )
        finally:
            epochs.close()  # stop training promptly when pruned
        return error

    def learning_curve(self, config: Config) -> NDArray[np.float64]:
        """Validation accuracy after each of ``max_epochs`` epochs."""
        curve = self.epoch_accuracies(config, self.max_epochs, self.seed)
        return np.fromiter(curve, np.float64, self.max_epochs)

    def evaluate(self, config: Config) -> float:
        """Validation error after ``max_epochs`` epochs (what an unpruned objective returns)."""
        return float(1.0 - self.learning_curve(config)[-1])

    def regret(self, value: float) -> float:
        """``value - f_star`` (the error itself, since ``f_star`` is 0)."""
        return float(value) - self.f_star


MLP_DEFAULT_CONFIG: dict[str, Any] = {
    "lr": 1e-3,
    "hidden_width": 64,
    "n_layers": 2,
    "weight_decay": 1e-4,
    "batch_size": 32,
    "optimizer": "adam",
}
SGD_DEFAULT_CONFIG: dict[str, Any] = {
    "alpha": 1e-4,
    "eta0": 1e-2,
    "learning_rate": "invscaling",
    "loss": "log_loss",
}

PROBLEMS: dict[str, CrossValidationProblem | LearningCurveProblem] = {
    problem.name: problem
    for problem in (
        CrossValidationProblem(
            name="svm_digits",
            search_space=svm_digits_space,
            error=svm_digits_error,
            default_config={"C": 10.0, "gamma": 1e-3},
        ),
        CrossValidationProblem(
            name="gbm_breast_cancer",
            search_space=gbm_breast_cancer_space,
            error=gbm_breast_cancer_error,
            default_config={
                "learning_rate": 0.1,
                "max_depth": 4,
                "max_leaf_nodes": 16,
                "l2_regularization": 1e-3,
                "min_samples_leaf": 10,
            },
        ),
        LearningCurveProblem(
            name="mlp_digits",
            search_space=mlp_digits_space,
            epoch_accuracies=_mlp_epoch_accuracies,
            default_config=MLP_DEFAULT_CONFIG,
        ),
        LearningCurveProblem(
            name="sgd_digits",
            search_space=sgd_digits_space,
            epoch_accuracies=_sgd_epoch_accuracies,
            default_config=SGD_DEFAULT_CONFIG,
        ),
    )
}


def make_mlp_objective(
    pruned_exception: type[BaseException], max_epochs: int = 30, seed: int = 0
) -> Callable[[TrialLike], float]:
    """Objective of ``mlp_digits`` that raises ``pruned_exception`` when pruned.

    Parameters
    ----------
    pruned_exception
        E.g. ``tunekit.TrialPruned`` or ``optuna.TrialPruned``.
    max_epochs
        Training budget of one full evaluation.
    seed
        Seed of initialisation and shuffling.
    """
    problem = replace(
        PROBLEMS["mlp_digits"], pruned_exception=pruned_exception, max_epochs=max_epochs, seed=seed
    )
    return problem.objective


def make_sgd_objective(
    pruned_exception: type[BaseException], max_epochs: int = 30, seed: int = 0
) -> Callable[[TrialLike], float]:
    """Objective of ``sgd_digits`` that raises ``pruned_exception`` when pruned.

    Parameters are as for :func:`make_mlp_objective`.
    """
    problem = replace(
        PROBLEMS["sgd_digits"], pruned_exception=pruned_exception, max_epochs=max_epochs, seed=seed
    )
    return problem.objective
