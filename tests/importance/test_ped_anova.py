"""PED-ANOVA: known answers, the local/global switch, directions, and argument errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import tunekit
from tunekit.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    to_unit,
)
from tunekit.importance import PedAnovaImportanceEvaluator, get_param_importances
from tunekit.importance._ped_anova import _best, _grid, _pearson_divergence

UNIT = FloatDistribution(0.0, 1.0)


def _random_columns(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x": rng.random(n),
        "noise": rng.random(n),
        "units": rng.integers(1, 9, n),
        "optimizer": rng.choice(["adam", "sgd", "rmsprop"], n),
    }


SPACE = {
    "x": UNIT,
    "noise": UNIT,
    "units": IntDistribution(1, 8),
    "optimizer": CategoricalDistribution(["adam", "sgd", "rmsprop"]),
}


def _objective(columns: dict[str, np.ndarray]) -> np.ndarray:
    return (
        (columns["x"] - 0.3) ** 2
        + 0.02 * (columns["units"] - 4) ** 2
        + 0.3 * (columns["optimizer"] == "sgd")
    )


def test_ranks_what_the_objective_depends_on(study_from_columns) -> None:
    columns = _random_columns(400)
    study = study_from_columns(SPACE, columns, _objective(columns))
    importances = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    assert list(importances)[-1] == "noise"
    assert importances["noise"] < 0.05
    assert min(importances["x"], importances["units"], importances["optimizer"]) > 0.1


def test_a_parameter_that_decides_the_best_trials_alone_takes_nearly_all(
    study_from_columns,
) -> None:
    columns = _random_columns(400)
    study = study_from_columns(SPACE, columns, np.abs(columns["x"] - 0.5))
    importances = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    assert importances["x"] > 0.9


def test_maximising_f_is_minimising_minus_f(study_from_columns) -> None:
    columns = _random_columns(300, seed=1)
    values = _objective(columns)
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.2)
    low = get_param_importances(study_from_columns(SPACE, columns, values), evaluator=evaluator)
    high = get_param_importances(
        study_from_columns(SPACE, columns, -values, directions=["maximize"]), evaluator=evaluator
    )
    assert low == pytest.approx(high, rel=1e-12)
    # Maximising f itself picks the worst trials instead: a different answer.
    worst = get_param_importances(
        study_from_columns(SPACE, columns, values, directions=["maximize"]), evaluator=evaluator
    )
    assert worst != pytest.approx(low, rel=1e-3)


def test_global_importance_counts_where_the_study_did_not_search(study_from_columns) -> None:
    # ``narrow`` was only ever tried in [0, 0.1] of its range and does not affect the value:
    # no importance within the region searched, a large one against the whole search space.
    rng = np.random.default_rng(2)
    n = 300
    columns = {"x": rng.random(n), "narrow": 0.1 * rng.random(n)}
    study = study_from_columns({"x": UNIT, "narrow": UNIT}, columns, (columns["x"] - 0.5) ** 2)

    def raw(local: bool) -> dict[str, float]:
        evaluator = PedAnovaImportanceEvaluator(evaluate_on_local=local)
        return get_param_importances(study, evaluator=evaluator, normalize=False)

    local, whole = raw(True), raw(False)
    assert local["narrow"] < 0.1 * local["x"]
    assert whole["narrow"] > 5.0 * local["narrow"]
    assert whole["narrow"] > 1.0


def test_region_quantile_asks_what_separates_the_best_from_the_good(study_from_columns) -> None:
    # x decides the best half; within it, only y orders the trials.
    rng = np.random.default_rng(3)
    n = 600
    columns = {"x": rng.random(n), "y": rng.random(n)}
    values = np.where(columns["x"] < 0.5, 0.0, 10.0) + columns["y"]
    study = study_from_columns({"x": UNIT, "y": UNIT}, columns, values)
    everything = get_param_importances(
        study, evaluator=PedAnovaImportanceEvaluator(target_quantile=0.1, region_quantile=1.0)
    )
    best_half = get_param_importances(
        study, evaluator=PedAnovaImportanceEvaluator(target_quantile=0.1, region_quantile=0.5)
    )
    assert list(best_half) == ["y", "x"] and best_half["x"] < 0.05
    # Over all trials x matters too (it halves the space); y more (the best tenth of y).
    assert everything["x"] > 0.1


def test_needs_no_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if scikit-learn were not installed (fANOVA and MDI would raise ImportError).
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1) ** 2 + 0 * t.suggest_int("n", 1, 3), n_trials=60
    )
    importances = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    assert list(importances) == ["x", "n"]


# ---------------------------------------------------------------------------------- pieces


def test_best_takes_the_quantile_at_least_two_and_ties_at_the_cut() -> None:
    values = np.array([5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    assert np.flatnonzero(_best(values, 0.3)).tolist() == [1, 2, 3]
    assert _best(values, 0.01).sum() == 2
    assert _best(values, 1.0).all()
    assert _best(np.array([1.0, 1.0, 1.0, 2.0]), 0.25).tolist() == [True, True, True, False]


def test_grid_uses_the_values_of_a_small_integer_or_stepped_range() -> None:
    small = IntDistribution(1, 5)
    assert _grid(small).tolist() == pytest.approx(to_unit(small, np.arange(1.0, 6.0)).tolist())
    assert len(_grid(FloatDistribution(0.0, 1.0, step=0.25))) == 5
    assert len(_grid(IntDistribution(1, 1000))) == 50
    log_int = IntDistribution(1, 8, log=True)
    assert _grid(log_int).tolist() == pytest.approx(to_unit(log_int, np.arange(1.0, 9.0)).tolist())
    assert len(_grid(UNIT)) == 50


def test_pearson_divergence_of_known_distributions() -> None:
    uniform = np.full(4, 0.25)
    assert _pearson_divergence(uniform, uniform) == 0.0
    # Half the mass on each of two of four cells: sum(p^2 / q) - 1 = 2 * 0.25 / 0.25 - 1 = 1.
    assert _pearson_divergence(np.array([0.5, 0.5, 0.0, 0.0]), uniform) == pytest.approx(1.0)


# ------------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"target_quantile": 0.0}, ValueError, "0 < target_quantile < region_quantile <= 1"),
        ({"target_quantile": 0.5, "region_quantile": 0.5}, ValueError, "region_quantile=0.5"),
        ({"region_quantile": 1.5}, ValueError, "region_quantile=1.5"),
        ({"target_quantile": "0.1"}, TypeError, "`target_quantile` must be a number"),
        ({"region_quantile": True}, TypeError, "`region_quantile` must be a number"),
        ({"evaluate_on_local": "yes"}, TypeError, "`evaluate_on_local` must be a bool"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        PedAnovaImportanceEvaluator(**kwargs)
