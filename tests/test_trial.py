"""Tests of tunekit.trial: define-by-run suggestions, reports, FixedTrial, FrozenTrial, create_trial."""

from __future__ import annotations

import datetime
import math
import warnings

import numpy as np
import pytest

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.exceptions import UpdateFinishedTrialError
from tunekit.samplers import RandomSampler
from tunekit.trial import FixedTrial, FrozenTrial, Trial, TrialState, create_trial


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _study(**kwargs) -> tunekit.Study:
    return tunekit.create_study(sampler=RandomSampler(seed=0), **kwargs)


# ----------------------------------------------------------------------------- suggestions


def test_suggest_types_and_ranges() -> None:
    study = _study()
    for _ in range(20):
        trial = study.ask()
        x = trial.suggest_float("x", -1.0, 1.0)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
        n = trial.suggest_int("n", 1, 10)
        m = trial.suggest_int("m", 2, 1024, log=True)
        k = trial.suggest_int("k", 0, 12, step=3)
        c = trial.suggest_categorical("c", [None, True, 2, 3.5, "s"])
        assert type(x) is float and -1.0 <= x <= 1.0
        assert type(lr) is float and 1e-5 <= lr <= 1e-1
        assert q in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert type(n) is int and 1 <= n <= 10
        assert type(m) is int and 2 <= m <= 1024
        assert type(k) is int and k % 3 == 0 and 0 <= k <= 12
        assert c in (None, True, 2, 3.5, "s")
        study.tell(trial, 0.0)
    record = study.trials[0]
    assert record.distributions["lr"] == FloatDistribution(1e-5, 1e-1, log=True)
    assert record.distributions["k"] == IntDistribution(0, 12, step=3)


def test_suggest_categorical_returns_the_choice_with_its_type() -> None:
    study = _study()
    seen = set()
    for _ in range(30):
        trial = study.ask()
        value = trial.suggest_categorical("c", [1, True, "1"])
        seen.add((type(value).__name__, value))
        study.tell(trial, 0.0)
        assert study.trials[-1].params["c"] == value
        assert type(study.trials[-1].params["c"]) is type(value)
    assert seen == {("int", 1), ("bool", True), ("str", "1")}


def test_single_value_distribution_needs_no_sampler() -> None:
    class Exploding(tunekit.samplers.BaseSampler):
        def infer_relative_search_space(self, study, trial):
            return {}

        def sample_relative(self, study, trial, search_space):
            return {}

        def sample_independent(self, study, trial, param_name, param_distribution):
            raise AssertionError("sampled a single-valued parameter")

    study = tunekit.create_study(sampler=Exploding())
    trial = study.ask()
    assert trial.suggest_float("x", 2.0, 2.0) == 2.0
    assert trial.suggest_int("n", 3, 3) == 3
    assert trial.suggest_categorical("c", ["only"]) == "only"


def test_conditional_parameters() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        kind = trial.suggest_categorical("kind", ["svm", "forest"])
        if kind == "svm":
            return trial.suggest_float("C", 1e-3, 1e3, log=True)
        return float(trial.suggest_int("depth", 1, 8))

    study.optimize(objective, n_trials=30)
    for record in study.trials:
        expected = {"kind", "C"} if record.params["kind"] == "svm" else {"kind", "depth"}
        assert set(record.params) == expected
        assert set(record.distributions) == expected
    assert {t.params["kind"] for t in study.trials} == {"svm", "forest"}


def test_loop_dependent_parameters() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        n_layers = trial.suggest_int("n_layers", 1, 4)
        return sum(trial.suggest_int(f"units_{i}", 4, 128, log=True) for i in range(n_layers))

    study.optimize(objective, n_trials=20)
    for record in study.trials:
        n_layers = record.params["n_layers"]
        assert set(record.params) == {"n_layers"} | {f"units_{i}" for i in range(n_layers)}
        assert record.value == sum(record.params[f"units_{i}"] for i in range(n_layers))


def test_same_name_same_distribution_returns_the_same_value() -> None:
    study = _study()
    trial = study.ask()
    first = trial.suggest_float("x", 0.0, 1.0)
    assert all(trial.suggest_float("x", 0.0, 1.0) == first for _ in range(5))
    n = trial.suggest_int("n", 0, 100)
    assert trial.suggest_int("n", 0, 100) == n
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    assert trial.suggest_categorical("c", ("a", "b", "c")) == c
    assert study.trials[0].params == {"x": first, "n": n, "c": c}


@pytest.mark.parametrize(
    "second",
    [
        lambda t: t.suggest_float("x", 0.0, 2.0),
        lambda t: t.suggest_float("x", 0.1, 1.0, log=True),
        lambda t: t.suggest_int("x", 0, 1),
        lambda t: t.suggest_categorical("x", [0.0, 1.0]),
    ],
)
def test_same_name_other_distribution_raises_naming_both(second) -> None:
    study = _study()
    trial = study.ask()
    value = trial.suggest_float("x", 0.0, 1.0)
    with pytest.raises(ValueError) as info:
        second(trial)
    message = str(info.value)
    assert "'x'" in message
    assert "FloatDistribution(low=0.0, high=1.0" in message
    assert message.count("Distribution(") == 2
    assert trial.params == {"x": value}
    assert study.trials[0].params == {"x": value}
    assert study.trials[0].state == TrialState.RUNNING


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda t: t.suggest_float("p", 1.0, 0.0), r"suggest_float\('p'.*low=1.0, high=0.0"),
        (lambda t: t.suggest_int("p", 5, 1), r"suggest_int\('p'.*low=5, high=1"),
        (lambda t: t.suggest_float("p", 0.0, 1.0, log=True), r"'p'.*log=True.*low=0.0"),
        (lambda t: t.suggest_float("p", -1.0, 1.0, log=True), r"'p'.*log=True.*low=-1.0"),
        (lambda t: t.suggest_int("p", 0, 10, log=True), r"'p'.*log=True.*low=0"),
        (lambda t: t.suggest_float("p", 0.0, 1.0, step=0.0), r"'p'.*`step`.*step=0.0"),
        (lambda t: t.suggest_float("p", 0.0, 1.0, step=-0.1), r"'p'.*`step`.*step=-0.1"),
        (lambda t: t.suggest_int("p", 0, 10, step=0), r"'p'.*`step`.*step=0"),
        (lambda t: t.suggest_float("p", 0.1, 1.0, step=0.1, log=True), r"'p'.*step=0.1.*log"),
        (lambda t: t.suggest_int("p", 1, 9, step=2, log=True), r"'p'.*step=2"),
        (lambda t: t.suggest_categorical("p", []), r"'p'.*`choices`.*\[\]"),
        (lambda t: t.suggest_float("p", math.nan, 1.0), r"'p'.*`low`.*finite.*nan"),
        (lambda t: t.suggest_float("p", 0.0, math.inf), r"'p'.*`high`.*finite.*inf"),
        (lambda t: t.suggest_float("p", -math.inf, 0.0), r"'p'.*`low`.*finite.*-inf"),
        (lambda t: t.suggest_int("p", 0, math.inf), r"'p'.*`high`.*finite.*inf"),
    ],
)
def test_bad_suggestion_raises_at_the_call_and_writes_nothing(call, pattern) -> None:
    study = _study()
    trial = study.ask()
    trial.suggest_float("kept", 0.0, 1.0)
    with pytest.raises(ValueError, match=pattern):
        call(trial)
    record = study.trials[0]
    assert set(record.params) == {"kept"}
    assert record.state == TrialState.RUNNING
    assert set(trial.params) == {"kept"}
    # The trial is still usable.
    study.tell(trial, 1.0)
    assert study.trials[0].state == TrialState.COMPLETE


def test_bad_bound_type_raises_type_error() -> None:
    trial = _study().ask()
    with pytest.raises(TypeError, match=r"suggest_float\('p'.*`low`.*'0'"):
        trial.suggest_float("p", "0", 1.0)  # type: ignore[arg-type]


def test_parameter_name_must_be_a_string() -> None:
    trial = _study().ask()
    with pytest.raises(TypeError, match="1"):
        trial.suggest_float(1, 0.0, 1.0)  # type: ignore[arg-type]


def test_step_not_dividing_range_warns_and_lowers_high() -> None:
    study = _study()
    for _ in range(20):
        trial = study.ask()
        with pytest.warns(UserWarning, match=r"lowered to 0.9"):
            value = trial.suggest_float("x", 0.0, 1.0, step=0.3)
        assert any(math.isclose(value, v, abs_tol=1e-12) for v in (0.0, 0.3, 0.6, 0.9))
        with pytest.warns(UserWarning, match=r"lowered to 9"):
            n = trial.suggest_int("n", 1, 10, step=2)
        assert n in (1, 3, 5, 7, 9)
        study.tell(trial, 0.0)
    assert study.trials[0].distributions["n"].high == 9


def test_incompatible_distribution_across_trials_raises_and_writes_nothing() -> None:
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=1)
    trial = study.ask()
    with pytest.raises(ValueError, match="x"):
        trial.suggest_int("x", 0, 1)
    assert study.trials[1].params == {}
    # A changed range of the same kind is a dynamic search space, which is allowed.
    assert 0.0 <= trial.suggest_float("x", 0.0, 5.0) <= 5.0


@pytest.mark.parametrize(
    ("method", "args", "distribution"),
    [
        ("suggest_uniform", (0.0, 2.0), FloatDistribution(0.0, 2.0)),
        ("suggest_loguniform", (1e-3, 1.0), FloatDistribution(1e-3, 1.0, log=True)),
        ("suggest_discrete_uniform", (0.0, 1.0, 0.5), FloatDistribution(0.0, 1.0, step=0.5)),
    ],
)
def test_deprecated_suggest_aliases_warn(method: str, args, distribution) -> None:
    study = _study()
    trial = study.ask()
    with pytest.warns(FutureWarning, match=method):
        value = getattr(trial, method)("x", *args)
    assert distribution.contains(value)
    assert trial.distributions["x"] == distribution
    fixed = FixedTrial({"x": args[0]})
    with pytest.warns(FutureWarning, match=method):
        assert getattr(fixed, method)("x", *args) == args[0]


# -------------------------------------------------------------------------- trial attributes


def test_trial_properties() -> None:
    study = _study()
    study.optimize(lambda t: 0.0, n_trials=2)
    before = datetime.datetime.now()
    trial = study.ask()
    assert trial.number == 2
    assert trial.study is study
    assert isinstance(trial.datetime_start, datetime.datetime)
    assert trial.datetime_start <= datetime.datetime.now()
    assert abs((trial.datetime_start - before).total_seconds()) < 60
    trial.set_user_attr("note", {"a": [1, 2]})
    assert trial.user_attrs == {"note": {"a": [1, 2]}}
    # The trial's dicts are copies: changing them changes nothing.
    trial.user_attrs["note"]["a"].append(3)
    trial.params["x"] = 1
    assert trial.user_attrs == {"note": {"a": [1, 2]}}
    assert trial.params == {}
    x = trial.suggest_float("x", 0, 1)
    assert trial.params == {"x": x}
    assert trial.distributions == {"x": FloatDistribution(0, 1)}
    study.tell(trial, x)
    assert study.trials[2].user_attrs == {"note": {"a": [1, 2]}}


def test_set_constraint_records_named_values_as_optuna_does() -> None:
    study = _study()
    trial = study.ask()
    trial.set_constraint("memory", 0.5)
    trial.set_constraint("latency", np.float32(-1))
    assert trial.system_attrs == {"constraints:memory": 0.5, "constraints:latency": -1.0}
    assert trial.constraints == {"memory": 0.5, "latency": -1.0}
    study.tell(trial, 0.0)
    assert study.trials[0].constraints == {"memory": 0.5, "latency": -1.0}


def test_set_constraint_keeps_the_first_value_of_a_name() -> None:
    study = _study()
    trial = study.ask()
    trial.set_constraint("c", -1.0)
    with pytest.warns(UserWarning, match="'c' is already set to -1.0; the new value 2.0"):
        trial.set_constraint("c", 2.0)
    study.tell(trial, 0.0)
    assert study.trials[0].constraints == {"c": -1.0}
    assert study.best_trial.number == 0


@pytest.mark.parametrize(
    ("key", "value", "error", "match"),
    [
        ("c", math.nan, ValueError, "value of 'c' must not be NaN"),
        ("c", "a", TypeError, "value of 'c' must be a float, got 'a'"),
        ("c", None, TypeError, "value of 'c' must be a float, got None"),
        ("c", True, TypeError, "value of 'c' must be a float, got True"),
        (3, 0.5, TypeError, "`key` must be the constraint's name"),
    ],
)
def test_set_constraint_rejects_bad_input_before_writing(key, value, error, match) -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(error, match=match):
        trial.set_constraint(key, value)
    study.tell(trial, 0.0)
    assert study.trials[0].system_attrs == {}
    assert study.trials[0].constraints == {}


def test_set_constraint_with_a_list_says_how_to_call_it() -> None:
    trial = _study().ask()
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'value'"):
        trial.set_constraint([0.5, -1.0])  # type: ignore[call-arg]


def test_constraints_merge_a_constraints_func_list_and_named_values() -> None:
    # A sampler's constraints_func stores its list under "constraints" (Optuna's old format):
    # the values read back as "0", "1", ... beside the names given to set_constraint.
    record = create_trial(
        value=1.0,
        system_attrs={"constraints": [0.5, -2]},
        constraints={"memory": -0.25},
    )
    assert record.constraints == {"0": 0.5, "1": -2.0, "memory": -0.25}
    assert record.system_attrs == {"constraints": [0.5, -2], "constraints:memory": -0.25}


def test_create_trial_constraints_are_checked() -> None:
    with pytest.raises(TypeError, match="must be a dict of name -> value"):
        create_trial(value=1.0, constraints=[0.5])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        create_trial(value=1.0, constraints={"c": math.nan})


def test_set_system_attr_is_deprecated() -> None:
    study = _study()
    trial = study.ask()
    with pytest.warns(FutureWarning):
        trial.set_system_attr("k", 1)
    assert study.trials[0].system_attrs["k"] == 1


def test_report_and_intermediate_values() -> None:
    study = _study()
    trial = study.ask()
    trial.report(0.5, 0)
    trial.report(0.25, 3)
    with pytest.warns(UserWarning, match="step 3 is already reported"):
        trial.report(0.1, 3)
    assert trial.should_prune() is False
    record = study.tell(trial, 0.2)
    assert record.intermediate_values == {0: 0.5, 3: 0.25}
    assert record.last_step == 3


@pytest.mark.parametrize(
    ("value", "step", "error", "pattern"),
    [
        (1.0, -1, ValueError, r"`step`.*step=-1"),
        (1.0, 1.5, TypeError, r"`step`.*step=1.5"),
        (1.0, math.inf, TypeError, r"`step`.*step=inf"),
        (1.0, "1", TypeError, r"`step`.*step='1'"),
        (1.0, True, TypeError, r"`step`.*step=True"),
        ("abc", 0, TypeError, r"`value`.*'abc'"),
    ],
)
def test_bad_report(value, step, error, pattern) -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(error, match=pattern):
        trial.report(value, step)
    assert study.trials[0].intermediate_values == {}


def test_suggest_int_truncates_float_bounds_with_a_warning() -> None:
    study = _study()
    trial = study.ask()
    with pytest.warns(UserWarning, match=r"`high` should be an integer, got high=5.5"):
        k = trial.suggest_int("k", 1, 11 / 2)
    assert 1 <= k <= 5
    study.tell(trial, 0.0)
    assert study.trials[0].distributions["k"] == IntDistribution(1, 5)


def test_optunas_private_state_module_path_works() -> None:
    # Optuna's user-defined-pruner tutorial: from optuna.trial._state import TrialState.
    from tunekit.trial._state import TrialState as FromThere

    assert FromThere is TrialState


def test_report_takes_integral_float_steps() -> None:
    # for epoch in np.arange(3.0): trial.report(loss, epoch) runs in Optuna too.
    study = _study()
    trial = study.ask()
    for epoch in np.arange(3.0):
        trial.report(float(epoch) / 10, epoch)
    trial.report(0.5, np.float32(3))
    study.tell(trial, 0.0)
    assert study.trials[0].intermediate_values == {0: 0.0, 1: 0.1, 2: 0.2, 3: 0.5}
    assert all(type(step) is int for step in study.trials[0].intermediate_values)


def test_report_and_should_prune_refuse_multi_objective() -> None:
    study = _study(directions=["minimize", "maximize"])
    trial = study.ask()
    with pytest.raises(NotImplementedError):
        trial.report(1.0, 0)
    with pytest.raises(NotImplementedError):
        trial.should_prune()


def test_pruned_trial_keeps_its_last_intermediate_value() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        for step, value in enumerate([3.0, 2.0, 1.5]):
            trial.report(value, step)
        raise tunekit.TrialPruned()

    study.optimize(objective, n_trials=1)
    record = study.trials[0]
    assert record.state == TrialState.PRUNED
    assert record.value == 1.5
    # Nothing reported: no value.
    study.optimize(lambda t: (_ for _ in ()).throw(tunekit.TrialPruned()), n_trials=1)
    assert study.trials[1].state == TrialState.PRUNED
    assert study.trials[1].value is None


def test_pruned_trial_with_a_nan_last_value_has_no_value() -> None:
    study = _study()
    trial = study.ask()
    trial.report(1.0, 0)
    trial.report(math.nan, 1)
    record = study.tell(trial, state=TrialState.PRUNED)
    assert record.state == TrialState.PRUNED
    assert record.value is None
    assert math.isnan(record.intermediate_values[1])


def test_pruner_is_asked_with_the_reported_curve() -> None:
    class PruneAboveOne(tunekit.pruners.BasePruner):
        def prune(self, study, trial):
            return trial.intermediate_values[trial.last_step] > 1.0

    study = tunekit.create_study(pruner=PruneAboveOne())

    def objective(trial: Trial) -> float:
        for step in range(5):
            trial.report(float(step), step)
            if trial.should_prune():
                raise tunekit.TrialPruned()
        return 0.0

    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert study.trials[0].intermediate_values == {0: 0.0, 1: 1.0, 2: 2.0}
    assert study.trials[0].value == 2.0


def test_finished_trial_cannot_be_changed_through_the_trial() -> None:
    study = _study()
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(UpdateFinishedTrialError):
        trial.set_user_attr("k", 1)
    with pytest.raises(UpdateFinishedTrialError):
        trial.report(1.0, 0)
    with pytest.raises(UpdateFinishedTrialError):
        trial.suggest_float("new", 0.0, 1.0)
    assert study.trials[0].user_attrs == {}


# ------------------------------------------------------------------------------ FixedTrial


def test_fixed_trial() -> None:
    trial = FixedTrial({"x": 0.5, "n": 3, "c": "b"}, number=7)
    assert trial.number == 7
    assert trial.suggest_float("x", 0.0, 1.0) == 0.5
    assert trial.suggest_int("n", 1, 5) == 3
    assert trial.suggest_categorical("c", ["a", "b"]) == "b"
    assert trial.params == {"x": 0.5, "n": 3, "c": "b"}
    assert trial.distributions["n"] == IntDistribution(1, 5)
    trial.report(1.0, 0)
    assert trial.should_prune() is False
    trial.set_user_attr("k", "v")
    assert trial.user_attrs == {"k": "v"}
    trial.set_constraint("c", 0.0)
    assert trial.system_attrs == {"constraints:c": 0.0}
    assert trial.constraints == {"c": 0.0}
    assert isinstance(trial.datetime_start, datetime.datetime)


def test_fixed_trial_missing_parameter_names_it() -> None:
    trial = FixedTrial({"x": 0.5})
    with pytest.raises(ValueError, match=r"'y'.*\['x'\]"):
        trial.suggest_float("y", 0.0, 1.0)


def test_fixed_trial_out_of_range_value_warns_and_is_used() -> None:
    trial = FixedTrial({"x": 5.0, "c": "z"})
    with pytest.warns(UserWarning, match=r"5.0.*'x'"):
        assert trial.suggest_float("x", 0.0, 1.0) == 5.0
    with pytest.warns(UserWarning, match=r"'z'.*'c'"):
        assert trial.suggest_categorical("c", ["a"]) == "z"


def test_fixed_trial_same_name_other_distribution_raises() -> None:
    trial = FixedTrial({"x": 0.5})
    trial.suggest_float("x", 0.0, 1.0)
    assert trial.suggest_float("x", 0.0, 1.0) == 0.5
    with pytest.raises(ValueError, match="'x'"):
        trial.suggest_float("x", 0.0, 2.0)


def test_fixed_trial_bad_distribution_raises() -> None:
    with pytest.raises(ValueError, match=r"'x'.*low=1.0, high=0.0"):
        FixedTrial({"x": 0.5}).suggest_float("x", 1.0, 0.0)


def test_frozen_trial_replays_an_objective() -> None:
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0) * 2, n_trials=1)
    record = study.trials[0]
    assert record.suggest_float("x", 0.0, 1.0) * 2 == record.value
    with pytest.raises(ValueError, match="'y'"):
        record.suggest_float("y", 0.0, 1.0)


# ------------------------------------------------------------------------------ FrozenTrial


def test_frozen_trial_properties() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        trial.report(1.0, 2)
        trial.report(0.5, 9)
        trial.set_user_attr("u", 1)
        return trial.suggest_float("x", 0.0, 1.0)

    study.optimize(objective, n_trials=1)
    record = study.trials[0]
    assert record.number == 0
    assert record.state == TrialState.COMPLETE
    assert record.value == record.params["x"]
    assert record.values == [record.value]
    assert record.last_step == 9
    assert record.user_attrs == {"u": 1}
    assert record.constraints == {}
    assert isinstance(record.duration, datetime.timedelta)
    assert record.duration >= datetime.timedelta(0)
    assert record.datetime_complete >= record.datetime_start
    assert record == study.trials[0]


def test_frozen_trial_of_running_trial() -> None:
    study = _study()
    study.ask()
    record = study.trials[0]
    assert record.state == TrialState.RUNNING
    assert record.value is None and record.values is None
    assert record.duration is None
    assert record.datetime_complete is None
    assert record.last_step is None


def test_frozen_trial_value_vs_values_for_multi_objective() -> None:
    study = _study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (1.0, 2.0), n_trials=1)
    record = study.trials[0]
    assert record.values == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="values"):
        _ = record.value


def test_frozen_trial_ordering_and_setters() -> None:
    a = create_trial(value=1.0)
    b = create_trial(value=2.0)
    a.number, b.number = 0, 1
    assert a < b and a <= b and not b < a
    assert sorted([b, a]) == [a, b]
    a.value = 3.0
    assert a.values == [3.0]
    a.values = [4.0]
    assert a.value == 4.0
    with pytest.raises(ValueError, match="only one"):
        FrozenTrial(0, TrialState.COMPLETE, 1.0, None, None, {}, {}, {}, {}, {}, 0, values=[1.0])


def test_trial_state() -> None:
    assert [s.name for s in TrialState] == ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"]
    assert TrialState.COMPLETE.is_finished()
    assert TrialState.PRUNED.is_finished()
    assert TrialState.FAIL.is_finished()
    assert not TrialState.RUNNING.is_finished()
    assert not TrialState.WAITING.is_finished()
    assert repr(TrialState.COMPLETE) == "TrialState.COMPLETE"
    # As in Optuna, printing a state shows its name; it still compares as an int.
    assert str(TrialState.PRUNED) == "TrialState.PRUNED"
    assert f"{TrialState.FAIL}" == "TrialState.FAIL"
    assert TrialState.COMPLETE == 1 and int(TrialState.WAITING) == 4


# ------------------------------------------------------------------------------ create_trial


def test_create_trial() -> None:
    trial = create_trial(
        params={"x": 0.5, "c": "a"},
        distributions={"x": FloatDistribution(0, 1), "c": CategoricalDistribution(["a", "b"])},
        value=0.25,
        user_attrs={"u": 1},
        intermediate_values={0: 1.0, 1: 0.5},
    )
    assert trial.state == TrialState.COMPLETE
    assert trial.value == 0.25
    assert trial.last_step == 1
    assert trial.datetime_start is not None and trial.datetime_complete is not None
    waiting = create_trial(state=TrialState.WAITING)
    assert waiting.datetime_start is None and waiting.datetime_complete is None
    running = create_trial(state=TrialState.RUNNING)
    assert running.datetime_start is not None and running.datetime_complete is None
    multi = create_trial(values=[1.0, 2.0])
    assert multi.values == [1.0, 2.0]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({}, "COMPLETE.*value"),
        ({"value": math.nan}, "NaN"),
        ({"value": 1.0, "values": [1.0]}, "only one"),
        (
            {"value": 1.0, "params": {"x": 0.5}},
            r"\['x'\].*\[\]",
        ),
        (
            {"value": 1.0, "params": {"x": 2.0}, "distributions": {"x": FloatDistribution(0, 1)}},
            r"2.0.*'x'",
        ),
        (
            {
                "value": 1.0,
                "params": {"c": "z"},
                "distributions": {"c": CategoricalDistribution(["a"])},
            },
            r"'z'.*'c'",
        ),
    ],
)
def test_create_trial_validation(kwargs, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        create_trial(**kwargs)


def test_create_trial_infinite_value_is_valid() -> None:
    assert create_trial(value=math.inf).value == math.inf
    assert create_trial(values=[-math.inf, 1.0]).values == [-math.inf, 1.0]


def test_no_warnings_on_a_plain_run() -> None:
    study = _study()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 3), n_trials=5)
