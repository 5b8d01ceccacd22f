"""GPSampler: the sampler interface on top of the GP modelling layers."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.samplers.gp import GPSampler
from tunekit.trial import TrialState

BRANIN_MIN = 0.39788735772973816


def _branin(trial: tunekit.Trial) -> float:
    x = trial.suggest_float("x", -5.0, 10.0)
    y = trial.suggest_float("y", 0.0, 15.0)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x**2 + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def _quadratic(trial: tunekit.Trial) -> float:
    x = trial.suggest_float("x", -2.0, 2.0)
    y = trial.suggest_float("y", -2.0, 2.0)
    return (x - 0.5) ** 2 + (y + 0.3) ** 2


def _study(sampler: GPSampler, direction: str = "minimize") -> tunekit.Study:
    return tunekit.create_study(sampler=sampler, direction=direction)


def test_lazy_export_and_samplers_namespace() -> None:
    assert tunekit.samplers.GPSampler is GPSampler


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_startup_trials": -1}, "n_startup_trials"),
        ({"acquisition": "foo"}, "acquisition"),
        ({"xi": -0.1}, "xi"),
        ({"beta": 1.0}, "beta"),
        ({"acquisition": "ucb", "beta": -1.0}, "beta"),
        ({"device": "nonsense"}, "device"),
        ({"acquisition": "pi", "constraints_func": lambda t: [0.0]}, "constraints"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GPSampler(**kwargs)


def test_bad_argument_types() -> None:
    with pytest.raises(TypeError, match="deterministic_objective"):
        GPSampler(deterministic_objective="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="independent_sampler"):
        GPSampler(independent_sampler=object())  # type: ignore[arg-type]


def test_reproducible_for_a_seed() -> None:
    histories = []
    for _ in range(2):
        study = _study(GPSampler(seed=3, n_startup_trials=4))
        study.optimize(_quadratic, n_trials=9)
        histories.append([t.params for t in study.trials])
    assert histories[0] == histories[1]
    other = _study(GPSampler(seed=4, n_startup_trials=4))
    other.optimize(_quadratic, n_trials=9)
    assert [t.params for t in other.trials] != histories[0]


def test_improves_on_startup_on_a_quadratic() -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=5, deterministic_objective=True))
    study.optimize(_quadratic, n_trials=14)
    startup_best = min(t.value for t in study.trials[:5])
    assert study.best_value < min(startup_best, 1e-2)


MIXED_SPACE = {
    "f": FloatDistribution(-1.0, 3.0),
    "flog": FloatDistribution(1e-4, 1e-1, log=True),
    "fstep": FloatDistribution(0.0, 1.0, step=0.25),
    "i": IntDistribution(-3, 7),
    "istep": IntDistribution(0, 20, step=5),
    "ilog": IntDistribution(1, 1000, log=True),
    "c": CategoricalDistribution(["a", 1, None, 2.5]),
}


def _mixed(trial: tunekit.Trial) -> float:
    f = trial.suggest_float("f", -1.0, 3.0)
    flog = trial.suggest_float("flog", 1e-4, 1e-1, log=True)
    fstep = trial.suggest_float("fstep", 0.0, 1.0, step=0.25)
    i = trial.suggest_int("i", -3, 7)
    istep = trial.suggest_int("istep", 0, 20, step=5)
    ilog = trial.suggest_int("ilog", 1, 1000, log=True)
    c = trial.suggest_categorical("c", ["a", 1, None, 2.5])
    return (
        (f - 1) ** 2
        + math.log10(flog) ** 2
        + fstep
        + abs(i)
        + istep / 5
        + math.log(ilog)
        + (0.0 if c is None else 1.0)
    )


def test_mixed_space_values_inside_their_distributions() -> None:
    study = _study(GPSampler(seed=1, n_startup_trials=4))
    study.optimize(_mixed, n_trials=10)
    for trial in study.trials:
        assert trial.state == TrialState.COMPLETE
        for name, dist in MIXED_SPACE.items():
            value = trial.params[name]
            assert dist.contains(value), (name, value)
            if isinstance(dist, IntDistribution):
                assert isinstance(value, int)
    assert study.best_value < min(t.value for t in study.trials[:4])


def test_conditional_and_dynamic_spaces_fall_back_to_independent_sampling() -> None:
    def objective(trial: tunekit.Trial) -> float:
        kind = trial.suggest_categorical("kind", ["linear", "quad"])
        x = trial.suggest_float("x", -1.0, 1.0)
        if kind == "linear":
            return x + trial.suggest_float("slope", 0.0, 1.0)
        # a distribution that changes from trial to trial
        return x**2 + trial.suggest_int(f"n{trial.number % 3}", 0, 3 + trial.number % 2)

    study = _study(GPSampler(seed=0, n_startup_trials=3))
    study.optimize(objective, n_trials=10)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_constraints_prefer_feasible_trials() -> None:
    # Unconstrained optimum (0.5, -0.3); feasible only where x <= -0.5.
    def constraints(trial: tunekit.FrozenTrial) -> list[float]:
        return [trial.params["x"] + 0.5]

    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = GPSampler(seed=0, n_startup_trials=5, constraints_func=constraints)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=16)
    for trial in study.trials:
        assert trial.system_attrs["constraints"] == [trial.params["x"] + 0.5]
    guided = study.trials[5:]
    feasible = [t for t in guided if t.params["x"] <= -0.5]
    assert len(feasible) >= 0.6 * len(guided)
    best_feasible = min(t.value for t in study.trials if t.params["x"] <= -0.5)
    assert best_feasible < 1.0 + 0.05  # the constrained optimum is 1.0 at (-0.5, -0.3)


def test_set_constraint_without_constraints_func() -> None:
    def objective(trial: tunekit.Trial) -> float:
        value = _quadratic(trial)
        trial.set_constraint("y", trial.params["y"] - (-1.0))  # feasible for y <= -1
        return value

    study = _study(GPSampler(seed=2, n_startup_trials=5))
    study.optimize(objective, n_trials=12)
    guided = study.trials[5:]
    assert sum(t.params["y"] <= -1.0 for t in guided) >= 0.6 * len(guided)


def test_named_constraints_are_modelled_by_name_whatever_order_they_were_set_in() -> None:
    # Feasible where x <= 0 and y <= -1; the names come in a different order on odd trials, so
    # a model per position would mix the two up.
    def objective(trial: tunekit.Trial) -> float:
        value = _quadratic(trial)
        limits = [("x", trial.params["x"]), ("y", trial.params["y"] + 1.0)]
        for name, limit in limits if trial.number % 2 else limits[::-1]:
            trial.set_constraint(name, limit)
        return value

    study = _study(GPSampler(seed=3, n_startup_trials=5))
    study.optimize(objective, n_trials=14)
    assert list(study.trials[2].constraints) == ["y", "x"]
    # The constrained optimum of (x - 0.5)^2 + (y + 0.3)^2 is the corner (0, -1), value 0.74:
    # the guided trials close in on it from both sides of the boundaries.
    guided = study.trials[5:]
    near = [abs(t.params["x"]) < 0.1 and abs(t.params["y"] + 1.0) < 0.1 for t in guided]
    assert np.mean(near) >= 0.5
    assert study.best_params["x"] <= 0.0 and study.best_params["y"] <= -1.0
    assert study.best_value < 0.74 + 0.05


def test_a_constraint_recorded_on_one_branch_does_not_bind_the_other() -> None:
    # As in Optuna, a trial without a constraint's value is not bound by it: trials with x > 0
    # record nothing, those with x <= 0 a violated constraint. The best trial and the GP's
    # incumbent are the best trial with x > 0, and the search goes on there much as it would
    # without the constraint (which reaches about 1e-3 by trial 14 on seeds 0-5).
    def objective(trial: tunekit.Trial) -> float:
        value = _quadratic(trial)
        if trial.params["x"] <= 0.0:
            trial.set_constraint("never", 1.0)
        return value

    study = _study(GPSampler(seed=0, n_startup_trials=5))
    study.optimize(objective, n_trials=14)
    assert study.best_params["x"] > 0.0
    assert np.mean([t.params["x"] > 0.0 for t in study.trials[5:]]) >= 0.7
    assert study.best_value < 0.2  # the optimum (0.5, -0.3) lies where nothing binds


def test_pending_trials_give_distinct_points() -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=4, deterministic_objective=True))
    study.optimize(_quadratic, n_trials=6)
    first, second = study.ask(), study.ask()
    p1 = (first.suggest_float("x", -2.0, 2.0), first.suggest_float("y", -2.0, 2.0))
    p2 = (second.suggest_float("x", -2.0, 2.0), second.suggest_float("y", -2.0, 2.0))
    assert np.hypot(p1[0] - p2[0], p1[1] - p2[1]) > 1e-3


def test_maximize_direction() -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=5), direction="maximize")
    study.optimize(lambda t: -_quadratic(t), n_trials=14)
    assert study.best_value > max(-1e-2, max(t.value for t in study.trials[:5]))


def test_non_finite_values_do_not_break_the_fit() -> None:
    def objective(trial: tunekit.Trial) -> float:
        value = _quadratic(trial)
        return math.inf if trial.params["x"] > 1.5 else value

    study = _study(GPSampler(seed=0, n_startup_trials=4))
    study.optimize(objective, n_trials=8)
    assert len(study.trials) == 8


def test_multi_objective_raises_not_implemented() -> None:
    study = tunekit.create_study(
        sampler=GPSampler(seed=0, n_startup_trials=2), directions=["minimize", "minimize"]
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=2)
    with pytest.raises(NotImplementedError, match="multi-objective"):
        study.optimize(
            lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=1
        )


def test_import_error_without_torch_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import tunekit\n"
        "from tunekit.samplers.gp import GPSampler\n"
        "try:\n"
        "    GPSampler()\n"
        "except ImportError as e:\n"
        "    print('IMPORTERROR', e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "IMPORTERROR" in result.stdout
    assert "tunekit[gp]" in result.stdout


def test_import_tunekit_does_not_import_torch() -> None:
    code = "import sys, tunekit, tunekit.samplers; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_branin_regret_within_40_evaluations() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    successes = 0
    for seed in range(10):
        study = _study(GPSampler(seed=seed))
        study.optimize(_branin, n_trials=40)
        successes += study.best_value - BRANIN_MIN < 1e-2
    assert successes >= 8


def test_long_studies_refit_the_hyperparameters_every_n_over_100_trials(monkeypatch) -> None:
    import tunekit.samplers.gp.model as model_module

    fits: list[int] = []
    real_fit = model_module.fit_gp

    def counting_fit(X, y, *args, **kwargs):  # the real fit, counted
        fits.append(len(y))
        return real_fit(X, y, *args, **kwargs)

    monkeypatch.setattr(model_module, "fit_gp", counting_fit)
    rng = np.random.default_rng(0)
    distributions = {"x": FloatDistribution(-2.0, 2.0), "y": FloatDistribution(-2.0, 2.0)}
    study = tunekit.create_study(sampler=GPSampler(seed=0))
    for x, y in rng.uniform(-2, 2, size=(300, 2)):
        params = {"x": float(x), "y": float(y)}
        study.add_trial(
            tunekit.create_trial(
                params=params,
                distributions=distributions,
                value=(x - 0.5) ** 2 + (y + 0.3) ** 2,
            )
        )
    study.optimize(_quadratic, n_trials=7)
    # 300 finished trials: fit, then condition only until 300 // 100 = 3 new trials arrived.
    assert fits == [300, 303, 306]
    assert study.best_value < 0.01


def test_capped_lengthscales_caps_only_the_lengthscales() -> None:
    from tunekit.samplers.gp.model import GPHyperparameters
    from tunekit.samplers.gp.sampler import _capped_lengthscales

    params = GPHyperparameters(np.log([0.5, 4.0, 1.0]), 0.3, -5.0)
    capped = _capped_lengthscales(params, 1.0)
    np.testing.assert_allclose(capped.lengthscales, [0.5, 1.0, 1.0])
    assert capped.log_outputscale == 0.3 and capped.log_noise_variance == -5.0


def test_every_second_proposal_uses_lengthscales_capped_at_one(monkeypatch) -> None:
    import tunekit.samplers.gp.acquisition as acquisition_module
    import tunekit.samplers.gp.model as model_module

    fitted: dict[int, np.ndarray] = {}
    used: dict[int, np.ndarray] = {}
    real_fit = model_module.fit_gp

    def recording_fit(X, y, *args, **kwargs):  # the real fit, its lengthscales recorded
        model = real_fit(X, y, *args, **kwargs)
        fitted[len(y)] = model.params.lengthscales
        return model

    class RecordingEI(acquisition_module.LogExpectedImprovement):
        def __init__(self, model, *args, **kwargs) -> None:
            used[model.n_observed] = model.params.lengthscales
            super().__init__(model, *args, **kwargs)

    monkeypatch.setattr(model_module, "fit_gp", recording_fit)
    monkeypatch.setattr(acquisition_module, "LogExpectedImprovement", RecordingEI)

    def objective(trial: tunekit.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.suggest_float("unused", 0.0, 1.0)  # the fit stretches its lengthscale
        return (x - 0.3) ** 2

    study = _study(GPSampler(seed=0, n_startup_trials=5, deterministic_objective=True))
    study.optimize(objective, n_trials=20)
    assert sorted(used) == list(range(5, 20)) and sorted(fitted) == sorted(used)
    for n, lengthscales in used.items():
        if n % 2 == 1:
            np.testing.assert_allclose(lengthscales, np.minimum(fitted[n], 1.0))
        else:
            np.testing.assert_allclose(lengthscales, fitted[n])
    assert any(fitted[n].max() > 1.0 for n in used if n % 2 == 1)  # the cap did something


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_study_matches_cpu_and_keeps_values_inside_their_distributions() -> None:
    # The whole sampler on the GPU: mixed space, constraints, a pending trial.
    def constraints(trial: tunekit.FrozenTrial) -> list[float]:
        return [trial.params["f"] - 2.0]

    first_guided = {}
    for device in ("cpu", "cuda"):
        with pytest.warns(FutureWarning, match="constraints_func"):
            sampler = GPSampler(
                seed=1, n_startup_trials=5, constraints_func=constraints, device=device
            )
        study = _study(sampler)
        study.optimize(_mixed, n_trials=12)
        pending = study.ask()
        _mixed(pending)  # RUNNING: the next proposal must treat it as pending
        study.optimize(_mixed, n_trials=2)
        for trial in study.trials:
            for name, dist in MIXED_SPACE.items():
                assert dist.contains(trial.params[name]), (device, name, trial.params[name])
        first_guided[device] = study.trials[5].params
    cpu, gpu = first_guided["cpu"], first_guided["cuda"]
    assert {k: v for k, v in gpu.items() if k not in ("f", "flog")} == {
        k: v for k, v in cpu.items() if k not in ("f", "flog")
    }
    assert gpu["f"] == pytest.approx(cpu["f"], abs=1e-3)
    assert math.log10(gpu["flog"]) == pytest.approx(math.log10(cpu["flog"]), abs=1e-3)
