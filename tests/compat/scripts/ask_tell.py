"""Ask-and-tell with pruning by hand and a FixedTrial replay."""

import optuna


def objective(trial):
    x = trial.suggest_float("x", -1, 1)
    for step in range(5):
        trial.report(x * step, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return x**2


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=5))
    for _ in range(20):
        trial = study.ask()
        x = trial.suggest_float("x", -1, 1)
        if x > 0.8:
            trial.report(x, 0)
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            study.tell(trial, x**2)
    distributions = {"y": optuna.distributions.IntDistribution(0, 3)}
    trial = study.ask(fixed_distributions=distributions)
    assert "y" in trial.params
    study.tell(trial, 1.0)
    states = {t.state for t in study.trials}
    assert optuna.trial.TrialState.COMPLETE in states
    assert objective(optuna.trial.FixedTrial({"x": 0.5})) == 0.25
    frame = study.trials_dataframe()
    assert "params_x" in frame.columns and "state" in frame.columns
    print(len(study.trials), "trials;", sorted(s.name for s in states))
