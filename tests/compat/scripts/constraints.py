"""Named constraints (Optuna 5.0): set_constraint in the objective, a constraints_func, records."""

import math

import optuna


def objective(trial):
    x = trial.suggest_float("x", -1, 1)
    y = trial.suggest_float("y", -1, 1)
    trial.set_constraint("x_at_most_0", x)
    trial.set_constraint("y_at_least_-0.5", -0.5 - y)
    return -(x + y)  # the constrained optimum is x = 0, y = 1 (value -1)


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for sampler in (
        optuna.samplers.TPESampler(seed=0),
        optuna.samplers.RandomSampler(seed=0),
    ):
        study = optuna.create_study(sampler=sampler)
        study.optimize(objective, n_trials=40)
        first = study.trials[0]
        assert list(first.constraints) == ["x_at_most_0", "y_at_least_-0.5"]
        assert first.constraints["x_at_most_0"] == first.params["x"]
        assert first.system_attrs["constraints:x_at_most_0"] == first.params["x"]
        best = study.best_trial
        assert all(v <= 0 for v in best.constraints.values())
        assert study.best_value == min(
            t.value for t in study.trials if all(v <= 0 for v in t.constraints.values())
        )

    # A sampler's constraints_func: its list reads back as "0", "1", ...
    sampler = optuna.samplers.TPESampler(seed=1, constraints_func=lambda t: [t.params["x"] - 0.5])
    study = optuna.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    assert all(t.constraints == {"0": t.params["x"] - 0.5} for t in study.trials)

    # Records built by hand, and a FixedTrial replay.
    record = optuna.trial.create_trial(
        params={"x": 0.25},
        distributions={"x": optuna.distributions.FloatDistribution(0, 1)},
        value=0.25,
        constraints={"c": 1.5},
    )
    assert record.constraints == {"c": 1.5}
    study = optuna.create_study()
    study.add_trial(record)
    assert study.trials[0].constraints == {"c": 1.5}
    fixed = optuna.trial.FixedTrial({"x": -0.5, "y": 0.0})
    objective(fixed)
    assert fixed.constraints == {"x_at_most_0": -0.5, "y_at_least_-0.5": -0.5}
    try:
        fixed.set_constraint("nan", math.nan)
    except ValueError:
        pass
    else:
        raise AssertionError("NaN constraint accepted")
    print("ok")
