"""Two objectives: the Pareto front of best_trials."""

import optuna


def objective(trial):
    x = trial.suggest_float("x", 0, 5)
    y = trial.suggest_float("y", 0, 3)
    cost = 4 * x**2 + 4 * y**2
    error = (x - 5) ** 2 + (y - 5) ** 2
    return cost, error


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        directions=["minimize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=1)
    )
    study.optimize(objective, n_trials=60)
    front = study.best_trials
    assert 1 <= len(front) <= 60
    for a in front:
        for b in front:
            dominated = (
                all(p <= q for p, q in zip(b.values, a.values, strict=True))
                and b.values != a.values
            )
            assert not dominated
    print(f"{len(front)} trials on the Pareto front")
