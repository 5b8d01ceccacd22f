"""Quickstart: tune a scikit-learn classifier on a dataset that ships with scikit-learn.

Run it with ``python examples/quickstart.py``. The study lives in ``quickstart.db`` (SQLite, the
embedded default), so running the script again continues the same study.
"""

import sklearn.datasets
import sklearn.ensemble
import sklearn.model_selection
import sklearn.svm

import tunekit

X, y = sklearn.datasets.load_digits(return_X_y=True)


def objective(trial: tunekit.Trial) -> float:
    classifier = trial.suggest_categorical("classifier", ["svc", "random_forest"])
    if classifier == "svc":
        model = sklearn.svm.SVC(
            C=trial.suggest_float("svc_C", 1e-3, 1e3, log=True),
            gamma=trial.suggest_float("svc_gamma", 1e-5, 1e-1, log=True),
        )
    else:
        model = sklearn.ensemble.RandomForestClassifier(
            n_estimators=trial.suggest_int("rf_n_estimators", 10, 200, log=True),
            max_depth=trial.suggest_int("rf_max_depth", 2, 32, log=True),
            random_state=0,
        )
    return sklearn.model_selection.cross_val_score(model, X, y, cv=3).mean()


if __name__ == "__main__":
    study = tunekit.create_study(
        direction="maximize",
        storage="sqlite:///quickstart.db",
        study_name="quickstart-digits",
        load_if_exists=True,
    )
    study.optimize(objective, n_trials=30)
    best = study.best_trial
    print(f"Best trial #{best.number}: accuracy {best.value:.4f} with {best.params}")
