"""enqueue_trial: known-good configurations first, then the sampler takes over."""

import optuna


def objective(trial):
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    units = trial.suggest_int("units", 16, 256, log=True)
    return (lr - 0.01) ** 2 + abs(units - 64) / 1000


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial({"lr": 0.01, "units": 64})
    study.enqueue_trial({"lr": 0.001}, user_attrs={"source": "paper"})
    study.optimize(objective, n_trials=10)
    first, second = study.trials[0], study.trials[1]
    assert first.params == {"lr": 0.01, "units": 64}
    assert second.params["lr"] == 0.001 and second.user_attrs == {"source": "paper"}
    assert study.best_trial.number == 0
    print("enqueued trials ran first:", first.params, second.params)
