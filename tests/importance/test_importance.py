"""get_param_importances: which trials and parameters, normalisation, targets, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.importance import (
    BaseImportanceEvaluator,
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    PedAnovaImportanceEvaluator,
    get_param_importances,
)
from tunekit.trial import FrozenTrial, TrialState, create_trial

pytest.importorskip("sklearn")

EVALUATORS = [
    pytest.param(lambda: FanovaImportanceEvaluator(n_trees=16, seed=0), id="fanova"),
    pytest.param(lambda: MeanDecreaseImpurityImportanceEvaluator(n_trees=16, seed=0), id="mdi"),
    pytest.param(lambda: PedAnovaImportanceEvaluator(), id="ped-anova"),
]
UNIT = FloatDistribution(0.0, 1.0)


def _add(study, params, value=None, state=TrialState.COMPLETE, distributions=None):
    distributions = distributions or {name: UNIT for name in params}
    study.add_trial(
        create_trial(state=state, params=params, distributions=distributions, value=value)
    )


class _FixedEvaluator(BaseImportanceEvaluator):
    """Returns fixed importances, and records what it was asked."""

    def __init__(self, importances: dict[str, float]) -> None:
        self.importances = importances
        self.calls: list[tuple] = []

    def evaluate(self, study, params=None, *, target=None):
        self.calls.append((study, params, target))
        return dict(self.importances)


# ------------------------------------------------------------------------ result and normalisation


@pytest.mark.parametrize("make_evaluator", EVALUATORS)
def test_sorted_descending_and_sums_to_one(uniform_study, make_evaluator: Callable) -> None:
    study = uniform_study(lambda x: 3 * x[:, 2] + x[:, 0] + 0.2 * x[:, 1], 3, 120, 0)
    importances = get_param_importances(study, evaluator=make_evaluator())
    assert list(importances) == ["x2", "x0", "x1"]
    assert sum(importances.values()) == pytest.approx(1.0)
    assert all(value >= 0.0 for value in importances.values())


def test_default_evaluator_is_fanova(uniform_study) -> None:
    # On x0 * x1, fANOVA's raw main effects leave 1/7 of the variance to the interaction
    # (MDI's raw importances always sum to 1).
    study = uniform_study(lambda x: x[:, 0] * x[:, 1], 2, 300, 1)
    default = get_param_importances(study, normalize=False)
    assert sum(default.values()) == pytest.approx(6 / 7, abs=0.06)


def test_normalisation_of_a_custom_evaluator_and_its_call() -> None:
    study = tunekit.create_study()
    for x in (0.1, 0.9):
        _add(study, {"a": x, "b": x}, value=x)
    evaluator = _FixedEvaluator({"a": 1.0, "b": 3.0})

    def target(trial: FrozenTrial) -> float:
        return trial.params["a"]

    assert get_param_importances(study, evaluator=evaluator, params=["a", "b"], target=target) == {
        "b": 0.75,
        "a": 0.25,
    }
    assert evaluator.calls == [(study, ["a", "b"], target)]
    assert get_param_importances(study, evaluator=evaluator, normalize=False) == {
        "b": 3.0,
        "a": 1.0,
    }


def test_all_zero_importances_are_split_evenly_when_normalised() -> None:
    study = tunekit.create_study()
    evaluator = _FixedEvaluator({"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0})
    assert get_param_importances(study, evaluator=evaluator) == dict.fromkeys("abcd", 0.25)
    assert get_param_importances(study, evaluator=evaluator, normalize=False) == dict.fromkeys(
        "abcd", 0.0
    )


def test_evaluator_without_evaluate_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="`evaluator` must be a BaseImportanceEvaluator"):
        get_param_importances(tunekit.create_study(), evaluator="fanova")  # type: ignore[arg-type]


def test_base_evaluator_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseImportanceEvaluator()  # type: ignore[abstract]


# -------------------------------------------------------------------------- trials and parameters


@pytest.mark.parametrize("make_evaluator", EVALUATORS)
def test_params_selects_and_orders_nothing_else(uniform_study, make_evaluator: Callable) -> None:
    study = uniform_study(lambda x: x[:, 0] + 2 * x[:, 1] + 3 * x[:, 2], 3, 100, 0)
    importances = get_param_importances(study, evaluator=make_evaluator(), params=["x0", "x2"])
    assert list(importances) == ["x2", "x0"]
    assert sum(importances.values()) == pytest.approx(1.0)


def test_empty_params_gives_an_empty_dict(uniform_study) -> None:
    study = uniform_study(lambda x: x[:, 0], 2, 10, 0)
    assert get_param_importances(study, params=[]) == {}


@pytest.mark.parametrize("make_evaluator", EVALUATORS)
def test_conditional_parameters_only_when_asked(make_evaluator: Callable) -> None:
    study = tunekit.create_study()
    rng = np.random.default_rng(0)
    for _ in range(80):
        x, width = rng.random(), rng.random()
        if x > 0.5:
            _add(study, {"x": x, "width": width}, value=10 * width)
        else:
            _add(study, {"x": x}, value=0.0)

    assert list(get_param_importances(study, evaluator=make_evaluator())) == ["x"]
    # Asked by name, the conditional parameter is assessed on the trials that have it (x > 0.5),
    # where only `width` matters.
    importances = get_param_importances(study, evaluator=make_evaluator(), params=["x", "width"])
    assert list(importances) == ["width", "x"]
    assert importances["width"] > 0.8


@pytest.mark.parametrize("make_evaluator", EVALUATORS)
def test_only_complete_trials_count(make_evaluator: Callable) -> None:
    study = tunekit.create_study()
    rng = np.random.default_rng(1)
    for _ in range(60):
        a, b = rng.random(2)
        _add(study, {"a": a, "b": b}, value=a)
    # Unfinished or failed trials without `b`, or with wild values, change nothing.
    _add(study, {"a": 0.5}, state=TrialState.FAIL)
    _add(study, {"a": 0.5}, value=None, state=TrialState.PRUNED)
    _add(study, {"a": 0.5, "b": 0.5}, state=TrialState.RUNNING)
    importances = get_param_importances(study, evaluator=make_evaluator())
    assert list(importances) == ["a", "b"]

    reference = tunekit.create_study()
    reference.add_trials(study.get_trials(states=(TrialState.COMPLETE,)))
    assert get_param_importances(reference, evaluator=make_evaluator()) == importances


def test_trials_with_a_non_finite_target_are_left_out() -> None:
    study = tunekit.create_study()
    rng = np.random.default_rng(2)
    for _ in range(60):
        a, b = rng.random(2)
        _add(study, {"a": a, "b": b}, value=b)
    reference = tunekit.create_study()
    reference.add_trials(study.get_trials())
    _add(study, {"a": 0.9, "b": 0.1}, value=float("inf"))
    _add(study, {"a": 0.1, "b": 0.9}, value=float("-inf"))
    evaluator = FanovaImportanceEvaluator(n_trees=8, seed=3)
    assert get_param_importances(study, evaluator=evaluator) == get_param_importances(
        reference, evaluator=evaluator
    )


def test_categorical_int_and_log_parameters_together(study_from_columns) -> None:
    rng = np.random.default_rng(4)
    n = 150
    choices = ["relu", "tanh", None, True]
    activation = rng.integers(0, 4, n)
    units = 2 ** rng.integers(4, 10, n)
    lr = 10 ** rng.uniform(-4, -1, n)
    study = study_from_columns(
        {
            "activation": CategoricalDistribution(choices),
            "units": IntDistribution(16, 512, log=True),
            "lr": FloatDistribution(1e-4, 1e-1, log=True),
        },
        {"activation": [choices[i] for i in activation], "units": units, "lr": lr},
        np.array([0.0, 3.0, 1.0, 0.5])[activation] + 0.1 * np.log2(units),
    )
    for evaluator in (
        FanovaImportanceEvaluator(n_trees=16, seed=0),
        MeanDecreaseImpurityImportanceEvaluator(n_trees=16, seed=0),
    ):
        importances = get_param_importances(study, evaluator=evaluator)
        assert list(importances) == ["activation", "units", "lr"]


# ------------------------------------------------------------------------------ multi-objective


@pytest.mark.parametrize("make_evaluator", EVALUATORS)
def test_target_selects_the_objective(study_from_columns, make_evaluator: Callable) -> None:
    inputs = np.random.default_rng(5).random((100, 2))
    study = study_from_columns(
        {"a": UNIT, "b": UNIT},
        {"a": inputs[:, 0], "b": inputs[:, 1]},
        np.column_stack([inputs[:, 0], inputs[:, 1] ** 2]),
        directions=["minimize", "maximize"],
    )
    first = get_param_importances(study, evaluator=make_evaluator(), target=lambda t: t.values[0])
    second = get_param_importances(study, evaluator=make_evaluator(), target=lambda t: t.values[1])
    assert list(first) == ["a", "b"]
    assert list(second) == ["b", "a"]
    with pytest.raises(ValueError, match="multi-objective: specify `target`"):
        get_param_importances(study, evaluator=make_evaluator())


def test_target_on_a_single_objective_study(uniform_study) -> None:
    study = uniform_study(lambda x: x[:, 0], 2, 100, 6)
    importances = get_param_importances(
        study,
        evaluator=FanovaImportanceEvaluator(n_trees=16, seed=0),
        target=lambda t: t.params["x1"] ** 2,
    )
    assert list(importances) == ["x1", "x0"]


# ------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("make_evaluator", EVALUATORS)
@pytest.mark.parametrize("n_complete", [0, 1])
def test_fewer_than_two_complete_trials(make_evaluator: Callable, n_complete: int) -> None:
    study = tunekit.create_study()
    for _ in range(n_complete):
        _add(study, {"x": 0.5}, value=1.0)
    _add(study, {"x": 0.7}, state=TrialState.FAIL)
    with pytest.raises(ValueError, match=f"with {n_complete} COMPLETE trial\\(s\\); at least 2"):
        get_param_importances(study, evaluator=make_evaluator())


def test_asking_for_a_parameter_no_trial_has_names_it() -> None:
    study = tunekit.create_study()
    for x in (0.1, 0.5, 0.9):
        _add(study, {"x": x}, value=x)
    with pytest.raises(ValueError, match=r"Parameter 'lr' \(in params=\['x', 'lr'\]\).*\['x'\]"):
        get_param_importances(study, params=["x", "lr"])


def test_asking_for_parameters_that_too_few_trials_share() -> None:
    study = tunekit.create_study()
    _add(study, {"x": 0.1, "y": 0.2}, value=1.0)
    _add(study, {"x": 0.3}, value=2.0)
    _add(study, {"y": 0.4}, value=3.0)
    with pytest.raises(ValueError, match=r"params=\['x', 'y'\]: only 1 COMPLETE trial"):
        get_param_importances(study, params=["x", "y"])


def test_no_shared_parameter_is_an_error() -> None:
    study = tunekit.create_study()
    _add(study, {"x": 0.1}, value=1.0)
    _add(study, {"y": 0.2}, value=2.0)
    with pytest.raises(ValueError, match="No parameter is shared .* by all 2 COMPLETE trials"):
        get_param_importances(study)


def test_a_parameter_with_two_distributions_is_an_error() -> None:
    study = tunekit.create_study()
    _add(study, {"x": 0.1}, value=1.0)
    _add(study, {"x": 0.2}, value=2.0)
    _add(study, {"x": 1.5}, value=3.0, distributions={"x": FloatDistribution(0.0, 2.0)})
    with pytest.raises(ValueError, match="Parameter 'x' has different distributions"):
        get_param_importances(study, params=["x"])


def test_too_few_finite_targets() -> None:
    study = tunekit.create_study()
    _add(study, {"x": 0.1}, value=1.0)
    _add(study, {"x": 0.2}, value=float("inf"))
    with pytest.raises(ValueError, match="only 1 COMPLETE trial\\(s\\) have a finite target"):
        get_param_importances(study)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"params": "x"}, TypeError, "`params` must be a list"),
        ({"params": ["x", 1]}, TypeError, "must contain parameter names"),
        ({"target": 3}, TypeError, "`target` must be a function"),
        ({"target": lambda t: "high"}, TypeError, "`target` must return a float, got 'high'"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    study = tunekit.create_study()
    _add(study, {"x": 0.1}, value=1.0)
    _add(study, {"x": 0.2}, value=2.0)
    with pytest.raises(error, match=message):
        get_param_importances(study, **kwargs)


def test_missing_scikit_learn_names_the_extra(uniform_study, monkeypatch) -> None:
    study = uniform_study(lambda x: x[:, 0], 2, 10, 0)
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"tunekit\[sklearn\]"):
        get_param_importances(study)


def test_importing_the_module_loads_no_scikit_learn() -> None:
    script = (
        "import sys, json, tunekit\n"
        "tunekit.importance.FanovaImportanceEvaluator()\n"
        "tunekit.importance.MeanDecreaseImpurityImportanceEvaluator()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert json.loads(output.strip().splitlines()[-1]) == []
