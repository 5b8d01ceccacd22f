"""Choose a classifier and its conditional hyperparameters on a bundled dataset."""

import optuna
import sklearn.datasets
import sklearn.ensemble
import sklearn.model_selection
import sklearn.svm


def objective(trial):
    x, y = sklearn.datasets.load_iris(return_X_y=True)
    classifier_name = trial.suggest_categorical("classifier", ["SVC", "RandomForest"])
    if classifier_name == "SVC":
        svc_c = trial.suggest_float("svc_c", 1e-10, 1e10, log=True)
        classifier = sklearn.svm.SVC(C=svc_c, gamma="auto")
    else:
        rf_max_depth = trial.suggest_int("rf_max_depth", 2, 32, log=True)
        classifier = sklearn.ensemble.RandomForestClassifier(
            max_depth=rf_max_depth, n_estimators=10, random_state=0
        )
    score = sklearn.model_selection.cross_val_score(classifier, x, y, n_jobs=1, cv=3)
    return score.mean()


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=3))
    study.optimize(objective, n_trials=15)
    assert study.best_value > 0.9
    for trial in study.trials:
        expected = (
            {"classifier", "svc_c"}
            if trial.params["classifier"] == "SVC"
            else {
                "classifier",
                "rf_max_depth",
            }
        )
        assert set(trial.params) == expected
    print(study.best_trial)
