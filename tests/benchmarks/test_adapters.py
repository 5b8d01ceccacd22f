"""Sampler adapters: search-space recording, translation for hyperopt/skopt, short real runs."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest

from benchmarks.adapters import (
    ADAPTERS,
    ParamSpec,
    RecordingTrial,
    SearchSpace,
    SpaceNode,
    get_adapter,
    record_search_space,
    translate_params,
)
from benchmarks.problems import get_problem

requires_hyperopt = pytest.mark.skipif(
    importlib.util.find_spec("hyperopt") is None, reason="hyperopt is not installed"
)
requires_skopt = pytest.mark.skipif(
    importlib.util.find_spec("skopt") is None, reason="scikit-optimize is not installed"
)


def test_recording_trial_records_each_distribution_once() -> None:
    trial = RecordingTrial(forced={"act": "tanh"})
    assert trial.suggest_float("lr", 1e-4, 1e-2, log=True) == pytest.approx(1e-3)
    assert trial.suggest_int("units", 1, 9, step=2) == 5
    assert trial.suggest_categorical("act", ["relu", "tanh"]) == "tanh"
    assert trial.suggest_float("lr", 1e-4, 1e-2, log=True) == pytest.approx(1e-3)
    assert [spec.name for spec in trial.recorded] == ["lr", "units", "act"]
    assert trial.recorded[1] == ParamSpec("units", "int", 1, 9, 2, False)


def test_fixed_dimension_spaces_are_flat() -> None:
    space = record_search_space(get_problem("mixed_quadratic"))
    assert not space.is_conditional
    assert space.flat == (
        ParamSpec("lr", "float", 1e-5, 1e-1, None, True),
        ParamSpec("n_units", "int", 1, 64, 1, False),
        ParamSpec("activation", "categorical", choices=("relu", "tanh", "sigmoid")),
    )
    hartmann6 = record_search_space(get_problem("hartmann6"))
    assert [spec.name for spec in hartmann6.flat] == [f"x{i}" for i in range(6)]
    # ML problems are recorded from their search_space, without training anything.
    sgd = record_search_space(get_problem("sgd_digits"))
    assert [spec.name for spec in sgd.flat] == ["alpha", "eta0", "learning_rate", "loss"]


def test_conditional_space_is_recorded_as_a_tree() -> None:
    space = record_search_space(get_problem("conditional"))
    assert space.is_conditional
    leaves = sorted(tuple(spec.name for spec in leaf) for leaf in space.tree.leaves())
    assert leaves == [
        ("kind", "a_x"),
        ("kind", "b_lr", "b_n"),
        ("kind", "c_mode"),
        ("kind", "c_mode", "c_z"),
    ]


def test_translate_params_decodes_indices_grids_and_clips() -> None:
    space = record_search_space(get_problem("mixed_quadratic"))
    # Non-log integers travel as grid indices (n_units = 1 + index), categoricals as indices.
    params = translate_params(space, {"lr": 0.1 * (1 + 1e-15), "n_units": 22.6, "activation": 2})
    assert params == {"lr": 0.1, "n_units": 24, "activation": "sigmoid"}
    log_int = ParamSpec("width", "int", 16, 256, 1, True)  # log integers travel as values
    log_space = SearchSpace(tree=SpaceNode([log_int]), flat=(log_int,))
    assert translate_params(log_space, {"width": 15.6}) == {"width": 16}
    stepped = ParamSpec("x", "float", 0.0, 1.0, 0.25, False)
    flat = SearchSpace(tree=SpaceNode([stepped]), flat=(stepped,))
    assert translate_params(flat, {"x": 3.0}) == {"x": 0.75}  # grid index 3
    assert translate_params(flat, {"x": 7.0}) == {"x": 1.0}  # clipped to the last point
    conditional = record_search_space(get_problem("conditional"))
    nested = {"__branch__kind": {"__index__": 2, "__branch__c_mode": {"__index__": 1, "c_z": 0.3}}}
    assert translate_params(conditional, nested) == {"kind": "c", "c_mode": "peaked", "c_z": 0.3}


@requires_hyperopt
@pytest.mark.parametrize("problem_name", ["conditional", "mixed_quadratic"])
def test_hyperopt_runs_mixed_and_conditional_spaces(problem_name: str) -> None:
    adapter = get_adapter("hyperopt-tpe")
    problem = get_problem(problem_name)
    assert adapter.unsupported_reason(problem) is None
    result = adapter.run(problem, seed=3, budget=25)  # 20 random + 5 TPE proposals
    values = np.array(result.values)
    assert len(values) == 25 and np.all(np.isfinite(values))
    assert np.all(values >= problem.f_star - 1e-12)
    assert result.objective_seconds <= result.wall_seconds
    again = adapter.run(problem, seed=3, budget=25)
    assert again.values == result.values  # seeded


@requires_skopt
def test_skopt_runs_a_mixed_space_and_skips_the_conditional_one() -> None:
    adapter = get_adapter("skopt-gp")
    if adapter.unavailable_reason() is not None:
        pytest.skip(adapter.unavailable_reason())
    assert "conditional" in adapter.unsupported_reason(get_problem("conditional"))
    problem = get_problem("mixed_quadratic")
    result = adapter.run(problem, seed=0, budget=11)
    assert len(result.values) == 11 and all(math.isfinite(v) for v in result.values)


def test_missing_tunekit_samplers_are_reported_not_raised() -> None:
    for name in ("tunekit-tpe", "tunekit-gp"):
        reason = ADAPTERS[name].unavailable_reason()
        assert reason is None or "is not importable" in reason


def test_unknown_adapter_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known samplers: tunekit-random"):
        get_adapter("tunekit-cmaes")
