"""OptunaSearchCV / TunekitSearchCV: a scikit-learn search estimator driven by a tunekit study."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import BaseEstimator, ClassifierMixin, clone  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.exceptions import FitFailedWarning, NotFittedError  # noqa: E402
from sklearn.linear_model import Ridge, SGDClassifier  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

import tunekit  # noqa: E402
from tunekit.distributions import (  # noqa: E402
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from tunekit.integration import OptunaSearchCV, TunekitSearchCV  # noqa: E402
from tunekit.trial import TrialState  # noqa: E402

SVC_SPACE = {
    "C": FloatDistribution(1e-2, 1e3, log=True),
    "gamma": FloatDistribution(1e-4, 1e1, log=True),
}


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    return load_iris(return_X_y=True)


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)


class _FailingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; ``fit`` raises when ``fail`` is True."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def fit(self, X, y):
        if self.fail:
            raise ValueError("asked to fail")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


# ------------------------------------------------------------------------------- the search


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tuning_svc_on_iris_beats_the_default(iris, seed: int) -> None:
    X, y = iris
    default_score = cross_val_score(SVC(), X, y, cv=3).mean()
    search = OptunaSearchCV(SVC(), SVC_SPACE, cv=3, n_trials=15, random_state=seed).fit(X, y)

    assert search.best_score_ > default_score
    assert set(search.best_params_) == {"C", "gamma"}
    # best_score_ is the cross-validated score of best_params_, as a plain CV would give.
    replayed = cross_val_score(SVC(**search.best_params_), X, y, cv=3).mean()
    assert search.best_score_ == pytest.approx(replayed)
    assert search.best_estimator_.get_params()["C"] == search.best_params_["C"]
    assert search.best_trial_.params == search.best_params_
    assert search.score(X, y) == pytest.approx(search.best_estimator_.score(X, y))
    np.testing.assert_array_equal(search.predict(X), search.best_estimator_.predict(X))
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])
    assert search.n_features_in_ == 4
    assert search.refit_time_ >= 0.0


def test_cv_results_has_gridsearchcv_layout(iris) -> None:
    X, y = iris
    space = {**SVC_SPACE, "kernel": CategoricalDistribution(["rbf", "linear"])}
    search = OptunaSearchCV(
        SVC(), space, cv=4, n_trials=5, random_state=0, return_train_score=True
    ).fit(X, y)
    results = search.cv_results_
    n = 5
    assert search.n_splits_ == 4 and search.n_trials_ == n and len(search.trials_) == n
    for key in (
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "std_score_time",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "mean_train_score",
        "std_train_score",
        "param_C",
        "param_gamma",
        "param_kernel",
        "trial_number",
        "state",
    ):
        assert len(results[key]) == n, key
    for k in range(4):
        assert results[f"split{k}_test_score"].shape == (n,)
        assert results[f"split{k}_train_score"].shape == (n,)
    assert "split4_test_score" not in results
    assert len(results["params"]) == n
    assert all(set(p) == {"C", "gamma", "kernel"} for p in results["params"])

    splits = np.stack([results[f"split{k}_test_score"] for k in range(4)])
    np.testing.assert_allclose(results["mean_test_score"], splits.mean(axis=0))
    np.testing.assert_allclose(results["std_test_score"], splits.std(axis=0))
    assert results["rank_test_score"].min() == 1
    assert results["rank_test_score"][search.best_index_] == 1
    assert results["params"][search.best_index_] == search.best_params_
    assert results["mean_test_score"][search.best_index_] == search.best_score_
    assert list(results["param_C"]) == [p["C"] for p in results["params"]]
    np.testing.assert_array_equal(results["trial_number"], np.arange(n))


def test_user_attrs_and_conditional_params_appear_masked(iris) -> None:
    X, y = iris
    study = tunekit.create_study(direction="maximize")
    search = OptunaSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": IntDistribution(1, 4)},
        cv=2,
        n_trials=2,
        study=study,
    )
    search.fit(X, y)
    # A trial added by hand (another parameter, a user attribute) shows up in cv_results_.
    study.enqueue_trial({"min_samples_leaf": 3}, user_attrs={"note": "manual"})
    study.optimize(lambda t: t.suggest_int("min_samples_leaf", 1, 5) / 10, n_trials=1)
    search.fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 5
    assert results["param_max_depth"].mask.tolist() == [False, False, True, False, False]
    assert results["user_attrs_note"].mask.tolist() == [True, True, False, True, True]
    assert results["user_attrs_note"][2] == "manual"
    assert np.isnan(results["mean_test_score"][2])


def test_pruning_with_partial_fit_prunes_trials(iris) -> None:
    X, y = iris
    X = StandardScaler().fit_transform(X)
    max_iter = 6
    study = tunekit.create_study(
        direction="maximize",
        sampler=tunekit.samplers.RandomSampler(seed=0),
        pruner=tunekit.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
    )
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": FloatDistribution(1e-4, 10.0, log=True)},
        cv=2,
        n_trials=10,
        enable_pruning=True,
        max_iter=max_iter,
        study=study,
    ).fit(X, y)

    states = [t.state for t in search.trials_]
    assert TrialState.PRUNED in states
    for trial in search.trials_:
        steps = sorted(trial.intermediate_values)
        if trial.state == TrialState.COMPLETE:
            assert steps == list(range(max_iter))
            assert trial.value == pytest.approx(trial.intermediate_values[max_iter - 1])
        else:
            assert trial.state == TrialState.PRUNED
            assert len(steps) < max_iter
            # the scores at the pruning step are kept for cv_results_
            assert trial.user_attrs["mean_test_score"] == pytest.approx(
                trial.intermediate_values[steps[-1]]
            )
    results = search.cv_results_
    pruned = results["state"] == "PRUNED"
    assert pruned.sum() == states.count(TrialState.PRUNED)
    assert (results["rank_test_score"][pruned] == len(states)).all()
    assert search.best_trial_.state == TrialState.COMPLETE
    # the refit is a full fit of the best setting
    assert search.best_estimator_.alpha == search.best_params_["alpha"]


def test_per_sample_fit_params_follow_the_subsample_and_the_folds(iris) -> None:
    X, y = iris
    X = StandardScaler().fit_transform(X)
    weights = np.where(y == 0, 0.0, 1.0)  # class 0 carries no weight
    for enable_pruning in (False, True):
        search = OptunaSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": FloatDistribution(1e-4, 1e-2, log=True)},
            cv=2,
            n_trials=2,
            enable_pruning=enable_pruning,
            max_iter=3,
            subsample=0.6,
            random_state=0,
        )
        search.fit(X, y, sample_weight=weights)  # 150 weights: sliced to 90, then per fold
        assert len(search.sample_indices_) == 90
        assert search.best_estimator_.coef_.shape == (3, 4)


def test_pruning_needs_partial_fit(iris) -> None:
    X, y = iris
    search = OptunaSearchCV(SVC(), SVC_SPACE, enable_pruning=True, n_trials=1)
    with pytest.raises(ValueError, match="partial_fit"):
        search.fit(X, y)


def test_works_inside_a_pipeline_and_over_pipeline_params(iris) -> None:
    X, y = iris
    inner = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    search = OptunaSearchCV(
        inner, {"svc__C": SVC_SPACE["C"]}, cv=3, n_trials=3, random_state=0
    ).fit(X, y)
    assert set(search.best_params_) == {"svc__C"}
    assert search.best_estimator_.named_steps["svc"].C == search.best_params_["svc__C"]

    outer = Pipeline(
        [
            ("scale", StandardScaler()),
            ("search", OptunaSearchCV(SVC(), SVC_SPACE, cv=3, n_trials=3, random_state=0)),
        ]
    )
    outer.fit(X, y)
    assert outer.score(X, y) > 0.9
    assert outer.named_steps["search"].n_trials_ == 3


def test_clone_and_get_params() -> None:
    search = TunekitSearchCV(SVC(), SVC_SPACE, n_trials=3, cv=2, random_state=5)
    assert TunekitSearchCV is OptunaSearchCV
    copy = clone(search)
    assert copy is not search
    assert copy.get_params()["n_trials"] == 3 and copy.get_params()["random_state"] == 5
    assert copy.get_params()["estimator__C"] == 1.0
    assert copy.param_distributions == search.param_distributions
    copy.set_params(estimator__C=2.0, n_trials=4)
    assert copy.estimator.C == 2.0 and copy.n_trials == 4
    assert not hasattr(copy, "best_params_") and not hasattr(copy, "n_features_in_")
    # As in Optuna and scikit-learn's searches, the error before fit is NotFittedError.
    with pytest.raises(NotFittedError, match="best_score_"):
        _ = copy.best_score_


def test_a_user_study_receives_the_trials(iris) -> None:
    X, y = iris
    study = tunekit.create_study(direction="maximize", study_name="svc-search")
    search = OptunaSearchCV(SVC(), SVC_SPACE, cv=2, n_trials=3, study=study).fit(X, y)
    assert search.study_ is study
    assert len(study.trials) == 3
    assert study.best_params == search.best_params_
    search.fit(X, y)  # a second fit goes on in the same study
    assert len(study.trials) == 6 and len(search.cv_results_["params"]) == 6
    search.set_user_attr("dataset", "iris")
    assert study.user_attrs["dataset"] == "iris" and search.user_attrs_ == {"dataset": "iris"}


def test_a_minimizing_study_is_refused(iris) -> None:
    X, y = iris
    study = tunekit.create_study(direction="minimize")
    with pytest.raises(ValueError, match="direction of `study` must be 'maximize'"):
        OptunaSearchCV(SVC(), SVC_SPACE, study=study).fit(X, y)


def test_refit_false_has_no_best_estimator(iris) -> None:
    X, y = iris
    search = OptunaSearchCV(SVC(), SVC_SPACE, cv=2, n_trials=2, refit=False).fit(X, y)
    assert set(search.best_params_) == {"C", "gamma"}
    assert not hasattr(search, "best_estimator_")
    assert not hasattr(search, "predict")
    with pytest.raises(AttributeError, match="predict") as raised:
        search.predict(X)
    # scikit-learn's available_if re-raises; the reason is the cause (or the message, < 1.6)
    assert "refit=False" in str(raised.value.__cause__ or raised.value)
    with pytest.raises(AttributeError, match="refit=False"):
        search.score(X, y)


def test_delegated_methods_follow_the_estimator(iris) -> None:
    X, y = iris
    svc_search = OptunaSearchCV(SVC(), SVC_SPACE)
    assert hasattr(svc_search, "predict") and hasattr(svc_search, "decision_function")
    assert not hasattr(svc_search, "predict_proba")  # SVC(probability=False)
    assert not hasattr(svc_search, "transform")
    scaler_search = OptunaSearchCV(
        StandardScaler(), {"with_mean": CategoricalDistribution([True, False])}
    )
    assert hasattr(scaler_search, "transform") and not hasattr(scaler_search, "predict")

    search = OptunaSearchCV(
        SGDClassifier(loss="log_loss", random_state=0),
        {"alpha": FloatDistribution(1e-4, 1.0, log=True)},
        cv=2,
        n_trials=2,
    ).fit(X, y)
    np.testing.assert_allclose(search.predict_proba(X), search.best_estimator_.predict_proba(X))
    np.testing.assert_allclose(
        search.decision_function(X), search.best_estimator_.decision_function(X)
    )


def test_transformer_search_scores_with_a_scorer(iris) -> None:
    X, _ = iris
    from sklearn.decomposition import PCA

    def explained(estimator, X_test, y_test=None):
        return float(estimator.explained_variance_ratio_.sum())

    search = OptunaSearchCV(
        PCA(), {"n_components": IntDistribution(1, 3)}, cv=2, n_trials=4, scoring=explained
    ).fit(X)
    tried = [params["n_components"] for params in search.cv_results_["params"]]
    assert search.best_params_ == {"n_components": max(tried)}  # more components explain more
    assert search.best_score_ == pytest.approx(
        PCA(n_components=max(tried)).fit(X[75:]).explained_variance_ratio_.sum() / 2
        + PCA(n_components=max(tried)).fit(X[:75]).explained_variance_ratio_.sum() / 2
    )
    assert search.transform(X).shape == (150, max(tried))
    np.testing.assert_allclose(search.inverse_transform(search.transform(X)).shape, X.shape)


def test_subsample_uses_part_of_the_data_and_refits_on_all(iris) -> None:
    X, y = iris

    def test_size(estimator, X_test, y_test):
        return float(len(X_test))

    space = {"strategy": CategoricalDistribution(["most_frequent", "prior"])}
    fraction = OptunaSearchCV(
        DummyClassifier(), space, cv=3, n_trials=2, subsample=0.4, scoring=test_size
    ).fit(X, y)
    assert len(fraction.sample_indices_) == 60
    assert len(np.unique(fraction.sample_indices_)) == 60
    assert fraction.best_score_ == 20.0  # a third of the 60 rows per fold
    count = OptunaSearchCV(
        SVC(), SVC_SPACE, cv=3, n_trials=2, subsample=90, scoring=test_size, random_state=0
    ).fit(X, y)
    assert len(count.sample_indices_) == 90 and count.best_score_ == 30.0
    assert count.best_estimator_.shape_fit_ == (150, 4)
    full = OptunaSearchCV(SVC(), SVC_SPACE, cv=3, n_trials=1, scoring=test_size).fit(X, y)
    np.testing.assert_array_equal(full.sample_indices_, np.arange(150))


def test_same_random_state_same_search(iris) -> None:
    X, y = iris

    def run(seed: int) -> list[dict]:
        search = OptunaSearchCV(
            SVC(), SVC_SPACE, cv=2, n_trials=4, subsample=0.5, random_state=seed
        )
        return search.fit(X, y).cv_results_["params"], search.sample_indices_

    first, second, other = run(3), run(3), run(4)
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])
    assert first[0] != other[0]


def test_threads_callbacks_and_verbose(iris) -> None:
    X, y = iris
    seen = []
    search = OptunaSearchCV(
        SVC(),
        SVC_SPACE,
        cv=2,
        n_trials=4,
        n_jobs=2,
        verbose=1,
        callbacks=[lambda study, trial: seen.append(trial.number)],
    ).fit(X, y)
    assert sorted(seen) == [0, 1, 2, 3]
    assert search.n_trials_ == 4
    # verbose only lasts for the fit
    assert tunekit.logging.get_verbosity() == tunekit.logging.WARNING


def test_error_score_raise_and_catch(iris) -> None:
    X, y = iris
    space = {"fail": CategoricalDistribution([True, False])}
    study = tunekit.create_study(direction="maximize")
    study.enqueue_trial({"fail": True})
    with pytest.raises(ValueError, match="asked to fail"):
        OptunaSearchCV(
            _FailingClassifier(), space, cv=2, n_trials=3, error_score="raise", study=study
        ).fit(X, y)

    study = tunekit.create_study(direction="maximize")
    study.enqueue_trial({"fail": True})
    study.enqueue_trial({"fail": False})
    # Every fold of the first trial fails: as in Optuna the trial scores error_score (NaN: it
    # FAILs) and the search goes on, without `catch`.
    with pytest.warns(FitFailedWarning, match="Every fold failed"):
        search = OptunaSearchCV(_FailingClassifier(), space, cv=2, n_trials=2, study=study)
        search.fit(X, y)
    results = search.cv_results_
    assert results["state"].tolist() == ["FAIL", "COMPLETE"]
    assert np.isnan(results["mean_test_score"][0])
    assert results["rank_test_score"].tolist() == [2, 1]
    assert search.best_params_ == {"fail": False}

    # A numeric error_score: the failed setting completes with that score.
    study = tunekit.create_study(direction="maximize")
    study.enqueue_trial({"fail": True})
    study.enqueue_trial({"fail": False})
    with pytest.warns(FitFailedWarning):
        search = OptunaSearchCV(
            _FailingClassifier(), space, cv=2, n_trials=2, study=study, error_score=-1.0
        ).fit(X, y)
    assert search.cv_results_["state"].tolist() == ["COMPLETE", "COMPLETE"]
    assert search.cv_results_["mean_test_score"][0] == -1.0
    assert search.best_params_ == {"fail": False}


def test_no_completed_trial_is_a_clear_error(iris) -> None:
    X, y = iris
    study = tunekit.create_study(direction="maximize")
    study.enqueue_trial({"fail": True})
    search = OptunaSearchCV(
        _FailingClassifier(),
        {"fail": CategoricalDistribution([True])},
        cv=2,
        n_trials=1,
        study=study,
        catch=(ValueError,),
    )
    with pytest.raises(ValueError, match="no trial completed"), pytest.warns(FitFailedWarning):
        search.fit(X, y)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"param_distributions": {"C": [0.1, 1.0]}}, TypeError, r"param_distributions\['C'\]"),
        ({"param_distributions": [("C", 1.0)]}, TypeError, "must be a dict"),
        ({"param_distributions": {1: FloatDistribution(0, 1)}}, TypeError, "must be str"),
        ({"subsample": 0.0}, ValueError, r"subsample=0\.0"),
        ({"subsample": 1.5}, ValueError, r"\(0, 1\]"),
        ({"subsample": 151}, ValueError, "n_samples=150"),
        ({"subsample": "half"}, TypeError, "subsample"),
        ({"n_trials": 0}, ValueError, "n_trials=0"),
        ({"max_iter": 0}, ValueError, "max_iter=0"),
        ({"n_jobs": 0}, ValueError, "n_jobs"),
        ({"timeout": -1}, ValueError, "timeout"),
        ({"error_score": "ignore"}, ValueError, "error_score"),
        ({"refit": "accuracy"}, TypeError, "refit"),
        ({"scoring": ["accuracy", "f1_macro"]}, TypeError, "multi-metric"),
        ({"study": "my-study"}, TypeError, "Study"),
        ({"callbacks": [1]}, TypeError, "callables"),
    ],
)
def test_bad_arguments_are_named_at_fit(iris, kwargs, error, match) -> None:
    X, y = iris
    arguments = {"estimator": SVC(), "param_distributions": SVC_SPACE, "n_trials": 1, "cv": 2}
    search = OptunaSearchCV(**{**arguments, **kwargs})  # construction stores, never checks
    with pytest.raises(error, match=match):
        search.fit(X, y)


def test_feature_names_are_delegated(iris) -> None:
    pandas = pytest.importorskip("pandas")
    X, y = iris
    frame = pandas.DataFrame(X, columns=["a", "b", "c", "d"])
    search = OptunaSearchCV(SVC(), SVC_SPACE, cv=2, n_trials=1).fit(frame, y)
    assert search.feature_names_in_.tolist() == ["a", "b", "c", "d"]


def test_importing_the_package_loads_no_sklearn() -> None:
    code = (
        "import sys, tunekit, tunekit.integration\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
        "assert 'OptunaSearchCV' in dir(tunekit.integration)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -------------------------------------------------------------- scikit-learn's own contract


def _expected_failures(estimator) -> dict[str, str]:
    # The same exemptions scikit-learn grants GridSearchCV, plus max_iter's meaning.
    failures = {
        "check_supervised_y_2d": "DataConversionWarning not caught (as GridSearchCV)",
        "check_non_transformer_estimators_n_iter": (
            "`max_iter` counts partial_fit steps when pruning, not solver iterations: no n_iter_"
        ),
    }
    return failures


def _check_instances() -> list:
    common = {"n_trials": 2, "cv": 2, "error_score": "raise", "random_state": 0}
    return [
        OptunaSearchCV(Ridge(), {"alpha": FloatDistribution(0.1, 1.0)}, **common),
        OptunaSearchCV(DecisionTreeClassifier(), {"max_depth": IntDistribution(1, 4)}, **common),
    ]


try:
    from sklearn.utils.estimator_checks import parametrize_with_checks

    _checks = parametrize_with_checks(_check_instances(), expected_failed_checks=_expected_failures)
except TypeError:  # scikit-learn < 1.6 has no expected_failed_checks
    _checks = pytest.mark.skip(reason="needs scikit-learn >= 1.6")


@_checks
def test_sklearn_estimator_checks(estimator, check) -> None:
    check(estimator)
