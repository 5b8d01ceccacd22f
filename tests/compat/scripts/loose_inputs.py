"""Inputs scripts pass that are looser than the annotations: float bounds and steps, NumPy."""

import math
import warnings

import numpy as np
import optuna

N_FEATURES = 11


def objective(trial):
    k = trial.suggest_int("k", 1, N_FEATURES / 2)  # a float bound, truncated to 5
    lr = trial.suggest_categorical("lr", np.array([0.1, 0.01, 0.001]))
    for epoch in np.arange(3.0):  # float steps
        trial.report(lr * (epoch + 1), epoch)
    return k * lr


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each library words its notes differently
        study.optimize(objective, n_trials=15)
    assert all(1 <= t.params["k"] <= 5 for t in study.trials)
    assert {t.params["lr"] for t in study.trials} <= {0.1, 0.01, 0.001}
    assert sorted(study.trials[0].intermediate_values) == [0, 1, 2]

    # A failed objective is logged, not warned: a run under "warnings as errors" goes on.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: math.nan, n_trials=1)
    assert study.trials[-1].state == optuna.trial.TrialState.FAIL

    # Telling a finished trial again raises ValueError.
    trial = study.ask()
    study.tell(trial, 1.0)
    try:
        study.tell(trial, 2.0)
    except ValueError:
        pass
    else:
        raise AssertionError("a second tell was accepted")
    print("ok")
