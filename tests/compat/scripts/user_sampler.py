"""A user-written sampler on BaseSampler: simulated annealing over the shared search space."""

import numpy as np
import optuna


class SimulatedAnnealingSampler(optuna.samplers.BaseSampler):
    def __init__(self, temperature=100, seed=None):
        self._rng = np.random.RandomState(seed)
        self._independent_sampler = optuna.samplers.RandomSampler(seed=seed)
        self._temperature = temperature
        self._current_trial = None

    def sample_relative(self, study, trial, search_space):
        if search_space == {}:
            return {}
        complete = study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.COMPLETE])
        if not complete:
            return {}
        prev_trial = complete[-1]
        if self._current_trial is None or prev_trial.value <= self._current_trial.value:
            probability = 1.0
        else:
            probability = np.exp((self._current_trial.value - prev_trial.value) / self._temperature)
        self._temperature *= 0.9
        if self._rng.uniform(0, 1) < probability:
            self._current_trial = prev_trial
        params = {}
        for name, distribution in search_space.items():
            if not isinstance(distribution, optuna.distributions.FloatDistribution):
                raise NotImplementedError("only floats")
            current = self._current_trial.params[name]
            width = (distribution.high - distribution.low) * 0.1
            low = max(distribution.low, current - width)
            high = min(distribution.high, current + width)
            params[name] = self._rng.uniform(low, high)
        return params

    def infer_relative_search_space(self, study, trial):
        return optuna.search_space.intersection_search_space(study.get_trials(deepcopy=False))

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -5, 5)
    return x**2 + y


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = SimulatedAnnealingSampler(seed=0)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=100)
    assert study.best_value < -1.0, study.best_value
    print(f"best value {study.best_value:.3f}")
