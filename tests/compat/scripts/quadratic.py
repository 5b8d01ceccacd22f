"""A quadratic with n_trials and a timeout, written against Optuna's API."""

import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", -5, 5)
    return (x - 2) ** 2 + (y + 1) ** 2


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=42))
    study.optimize(objective, n_trials=200, timeout=60)
    assert len(study.trials) == 200
    assert study.best_value < 5.0, study.best_value
    assert set(study.best_params) == {"x", "y"}
    print(f"best value {study.best_value:.4f} at {study.best_params}")
