"""Tests of the real machine-learning benchmark objectives (small budgets to stay fast)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from benchmarks.problems import PROBLEMS
from benchmarks.problems.ml import (
    PROBLEMS as ML_PROBLEMS,
)
from benchmarks.problems.ml import (
    BenchmarkTrialPruned,
    CrossValidationProblem,
    LearningCurveProblem,
    make_mlp_objective,
    make_sgd_objective,
    mlp_learning_curve,
    pruned_exception_for,
    sgd_learning_curve,
)

# A cheap MLP configuration: large batches, narrow layers.
FAST_MLP_CONFIG = {
    "lr": 3e-3,
    "hidden_width": 32,
    "n_layers": 1,
    "weight_decay": 1e-5,
    "batch_size": 256,
    "optimizer": "adam",
}


class CustomPruned(Exception):
    """Stands in for a framework's TrialPruned."""


def test_registered_with_kind_ml_and_unknown_optimum() -> None:
    assert set(ML_PROBLEMS) == {"svm_digits", "gbm_breast_cancer", "mlp_digits", "sgd_digits"}
    for name, problem in ML_PROBLEMS.items():
        assert problem.name == name
        assert problem.kind == "ml"
        assert problem.f_star == 0.0  # unknown: 0 is a lower bound of any error rate
        assert problem.regret(0.25) == 0.25
        assert PROBLEMS[name] is problem


@pytest.mark.parametrize("name", ["svm_digits", "gbm_breast_cancer"])
def test_cross_validation_objective_is_deterministic_error(name: str, fake_trial) -> None:
    problem = ML_PROBLEMS[name]
    assert isinstance(problem, CrossValidationProblem)
    first = problem.objective(fake_trial())
    second = problem.objective(fake_trial())
    assert 0.0 <= first <= 1.0
    assert first == second
    # Good defaults are far better than chance (10 classes / 2 classes).
    assert problem.evaluate(problem.default_config) < 0.1


def test_cross_validation_seed_changes_the_folds() -> None:
    problem = ML_PROBLEMS["svm_digits"]
    config = {"C": 1.0, "gamma": 3e-3}
    errors = {replace(problem, seed=seed).evaluate(config) for seed in range(3)}
    assert len(errors) > 1


def test_sgd_learning_curve_shape_range_determinism() -> None:
    config = ML_PROBLEMS["sgd_digits"].default_config
    curve = sgd_learning_curve(config, max_epochs=6, seed=0)
    assert curve.shape == (6,)
    assert curve.dtype == np.float64
    assert np.all((curve >= 0.0) & (curve <= 1.0))
    np.testing.assert_array_equal(curve, sgd_learning_curve(config, max_epochs=6, seed=0))
    # Training epoch by epoch: a shorter budget is a prefix of a longer one.
    np.testing.assert_array_equal(curve[:3], sgd_learning_curve(config, max_epochs=3, seed=0))
    assert curve[-1] > 0.8


def test_sgd_objective_reports_errors_every_epoch(fake_trial) -> None:
    problem = replace(ML_PROBLEMS["sgd_digits"], max_epochs=4)
    assert isinstance(problem, LearningCurveProblem)
    trial = fake_trial()
    value = problem.objective(trial)
    assert list(trial.reports) == [1, 2, 3, 4]
    assert value == trial.reports[4]
    assert all(0.0 <= error <= 1.0 for error in trial.reports.values())
    curve = sgd_learning_curve(trial.params, max_epochs=4, seed=0)
    np.testing.assert_allclose([trial.reports[epoch] for epoch in (1, 2, 3, 4)], 1.0 - curve)


def test_sgd_objective_prunes_with_given_exception(fake_trial) -> None:
    objective = make_sgd_objective(CustomPruned, max_epochs=10)
    trial = fake_trial(prune_after=2)
    with pytest.raises(CustomPruned, match="epoch 2"):
        objective(trial)
    assert list(trial.reports) == [1, 2]


def test_default_pruned_exception_comes_from_the_trial_package(fake_trial) -> None:
    trial = fake_trial(prune_after=1)
    with pytest.raises(pruned_exception_for(trial)):
        replace(ML_PROBLEMS["sgd_digits"], max_epochs=3).objective(trial)

    orphan = type("Trial", (), {"__module__": "no_such_package_for_tests.trial"})()
    assert pruned_exception_for(orphan) is BenchmarkTrialPruned


def test_pruned_exception_for_optuna_trials() -> None:
    optuna = pytest.importorskip("optuna")
    assert pruned_exception_for(optuna.trial.FixedTrial({})) is optuna.TrialPruned


def test_optuna_pruner_prunes_sgd_digits() -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Any error above 0 after epoch 1 is pruned, so every trial must end PRUNED.
    study = optuna.create_study(pruner=optuna.pruners.ThresholdPruner(upper=0.0))
    study.optimize(replace(ML_PROBLEMS["sgd_digits"], max_epochs=5).objective, n_trials=2)
    assert [trial.state for trial in study.trials] == [optuna.trial.TrialState.PRUNED] * 2
    assert all(trial.last_step == 1 for trial in study.trials)


def test_mlp_learning_curve_shape_range_determinism() -> None:
    torch = pytest.importorskip("torch")
    threads_before = torch.get_num_threads()
    rng_state_before = torch.random.get_rng_state()
    curve = mlp_learning_curve(FAST_MLP_CONFIG, max_epochs=4, seed=0)
    assert curve.shape == (4,)
    assert np.all((curve >= 0.0) & (curve <= 1.0))
    np.testing.assert_array_equal(curve, mlp_learning_curve(FAST_MLP_CONFIG, max_epochs=4, seed=0))
    np.testing.assert_array_equal(
        curve[:2], mlp_learning_curve(FAST_MLP_CONFIG, max_epochs=2, seed=0)
    )
    assert not np.array_equal(curve, mlp_learning_curve(FAST_MLP_CONFIG, max_epochs=4, seed=1))
    assert curve[-1] > 0.5
    # The caller's torch settings are left alone.
    assert torch.get_num_threads() == threads_before
    assert torch.equal(torch.random.get_rng_state(), rng_state_before)


def test_mlp_objective_reports_and_prunes(fake_trial) -> None:
    pytest.importorskip("torch")
    objective = make_mlp_objective(CustomPruned, max_epochs=3, seed=0)
    trial = fake_trial(fixed=FAST_MLP_CONFIG)
    value = objective(trial)
    assert list(trial.reports) == [1, 2, 3]
    assert 0.0 <= value <= 1.0
    assert value == trial.reports[3]
    curve = mlp_learning_curve(FAST_MLP_CONFIG, max_epochs=3, seed=0)
    assert value == pytest.approx(1.0 - curve[-1])
    assert objective(fake_trial(fixed=FAST_MLP_CONFIG)) == value

    pruned_trial = fake_trial(fixed=FAST_MLP_CONFIG, prune_after=1)
    with pytest.raises(CustomPruned):
        objective(pruned_trial)
    assert list(pruned_trial.reports) == [1]


def test_mlp_objective_with_midpoint_fake_trial(fake_trial) -> None:
    pytest.importorskip("torch")
    problem = replace(ML_PROBLEMS["mlp_digits"], max_epochs=2)
    trial = fake_trial()
    value = problem.objective(trial)
    assert 0.0 <= value <= 1.0
    assert set(trial.params) == {
        "lr",
        "hidden_width",
        "n_layers",
        "weight_decay",
        "batch_size",
        "optimizer",
    }


def test_mlp_rejects_unknown_optimizer() -> None:
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="optimizer"):
        mlp_learning_curve({**FAST_MLP_CONFIG, "optimizer": "lbfgs"}, max_epochs=1)
