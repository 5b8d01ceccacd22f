"""Tests of the mixed-type and conditional benchmark problems."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.problems import PROBLEMS, FixedParamsTrial
from benchmarks.problems.mixed import PROBLEMS as MIXED_PROBLEMS
from benchmarks.problems.mixed import MixedProblem

MIXED = sorted(MIXED_PROBLEMS.values(), key=lambda problem: problem.name)
MIXED_IDS = [problem.name for problem in MIXED]


def test_registered_with_kind_mixed() -> None:
    assert set(MIXED_PROBLEMS) == {"mixed_quadratic", "conditional"}
    for name, problem in MIXED_PROBLEMS.items():
        assert problem.name == name
        assert problem.kind == "mixed"
        assert PROBLEMS[name] is problem


@pytest.mark.parametrize("problem", MIXED, ids=MIXED_IDS)
def test_optimum_gives_f_star(problem: MixedProblem, fake_trial) -> None:
    assert problem.evaluate(problem.optimum) == pytest.approx(problem.f_star, abs=1e-12)
    trial = fake_trial(fixed=problem.optimum)
    value = problem.objective(trial)
    assert value == pytest.approx(problem.f_star, abs=1e-12)
    assert problem.regret(value) == pytest.approx(0.0, abs=1e-12)
    # The optimum lists exactly the parameters that are active there.
    assert trial.params.keys() == problem.optimum.keys()


@pytest.mark.parametrize("problem", MIXED, ids=MIXED_IDS)
def test_random_configurations_never_beat_f_star(problem: MixedProblem, random_trial) -> None:
    rng = np.random.default_rng(0)
    values = [problem.objective(random_trial(rng)) for _ in range(3000)]
    assert min(values) >= problem.f_star
    assert all(np.isfinite(values))


@pytest.mark.parametrize("problem", MIXED, ids=MIXED_IDS)
def test_objective_with_midpoint_fake_trial(problem: MixedProblem, fake_trial) -> None:
    value = problem.objective(fake_trial())
    assert isinstance(value, float)
    assert problem.regret(value) >= 0.0


def test_mixed_quadratic_uses_all_parameter_types(fake_trial) -> None:
    problem = MIXED_PROBLEMS["mixed_quadratic"]
    trial = fake_trial(fixed={"lr": 1e-2, "n_units": 32, "activation": "tanh"})
    # (log10(1e-2) + 3)^2 + ((32 - 24) / 8)^2 + 0.3
    assert problem.objective(trial) == pytest.approx(1.0 + 1.0 + 0.3)
    assert isinstance(trial.params["n_units"], int)


@pytest.mark.parametrize(
    ("fixed", "active", "best_value"),
    [
        ({"kind": "a", "a_x": 1.0}, {"kind", "a_x"}, 0.6),
        ({"kind": "b", "b_lr": 1e-2, "b_n": 7}, {"kind", "b_lr", "b_n"}, 0.3),
        ({"kind": "c", "c_mode": "flat"}, {"kind", "c_mode"}, 0.5),
        ({"kind": "c", "c_mode": "peaked", "c_z": 0.25}, {"kind", "c_mode", "c_z"}, 0.1),
    ],
)
def test_conditional_branches(fixed: dict, active: set, best_value: float, fake_trial) -> None:
    problem = MIXED_PROBLEMS["conditional"]
    trial = fake_trial(fixed=fixed)
    assert problem.objective(trial) == pytest.approx(best_value, abs=1e-12)
    assert set(trial.params) == active


def test_fixed_params_trial_validates_values() -> None:
    problem = MIXED_PROBLEMS["mixed_quadratic"]
    with pytest.raises(KeyError, match="n_units"):
        problem.evaluate({"lr": 1e-3, "activation": "relu"})
    with pytest.raises(ValueError, match="lr"):
        problem.evaluate({"lr": 10.0, "n_units": 24, "activation": "relu"})
    with pytest.raises(ValueError, match="n_units"):
        problem.evaluate({"lr": 1e-3, "n_units": 2.5, "activation": "relu"})
    with pytest.raises(ValueError, match="activation"):
        problem.evaluate({"lr": 1e-3, "n_units": 24, "activation": "gelu"})
    trial = FixedParamsTrial({"x": 3})
    with pytest.raises(ValueError):
        trial.suggest_int("x", 0, 10, step=2)
    trial.report(0.5, 1)
    assert trial.intermediate_values == {1: 0.5}
    assert trial.should_prune() is False


def test_runs_under_a_real_optuna_study() -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for name in ("mixed_quadratic", "conditional", "branin", "hartmann6"):
        problem = PROBLEMS[name]
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        study.optimize(problem.objective, n_trials=20)
        assert len(study.trials) == 20
        assert problem.regret(study.best_value) >= -1e-9
