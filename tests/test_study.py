"""Tests of tunekit.study: creating/loading studies, ask/tell, enqueue, add_trial, best trials."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from tunekit.pruners import MedianPruner, NopPruner
from tunekit.samplers import RandomSampler, TPESampler
from tunekit.storages import InMemoryStorage
from tunekit.study import MaxTrialsCallback, StudyDirection, StudySummary
from tunekit.trial import Trial, TrialState, create_trial


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _study(**kwargs) -> tunekit.Study:
    kwargs.setdefault("sampler", RandomSampler(seed=0))
    return tunekit.create_study(**kwargs)


# -------------------------------------------------------------------------- create / load


def test_defaults_are_pinned() -> None:
    study = tunekit.create_study()
    assert study.direction == StudyDirection.MINIMIZE
    assert study.directions == [StudyDirection.MINIMIZE]
    # As in Optuna: TPESampler and MedianPruner.
    assert type(study.sampler) is TPESampler
    assert type(study.pruner) is MedianPruner
    assert isinstance(study._storage, InMemoryStorage)
    assert study.study_name.startswith("no-name-")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"direction": "maximize"}, [StudyDirection.MAXIMIZE]),
        ({"direction": "MINIMIZE"}, [StudyDirection.MINIMIZE]),
        ({"direction": StudyDirection.MAXIMIZE}, [StudyDirection.MAXIMIZE]),
        (
            {"directions": ["minimize", StudyDirection.MAXIMIZE]},
            [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE],
        ),
    ],
)
def test_directions(kwargs, expected) -> None:
    assert tunekit.create_study(**kwargs).directions == expected


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"direction": "up"}, ValueError, r"direction 'up'"),
        ({"directions": ["minimize", "down"]}, ValueError, r"direction 'down'"),
        ({"direction": StudyDirection.NOT_SET}, ValueError, r"NOT_SET"),
        ({"direction": 1}, ValueError, r"direction 1"),
        ({"direction": "minimize", "directions": ["minimize"]}, ValueError, "only one"),
        ({"directions": []}, ValueError, "`directions`"),
        ({"directions": "minimize"}, TypeError, r"`directions`.*'minimize'"),
        ({"study_name": 3}, TypeError, r"`study_name`.*3"),
    ],
)
def test_bad_create_study_writes_nothing(kwargs, error, pattern) -> None:
    storage = InMemoryStorage()
    with pytest.raises(error, match=pattern):
        tunekit.create_study(storage=storage, **kwargs)
    assert tunekit.get_all_study_names(storage) == []


def test_bad_storage_argument() -> None:
    with pytest.raises(TypeError, match=r"`storage`.*42"):
        tunekit.create_study(storage=42)  # type: ignore[arg-type]


def test_duplicated_name_raises_unless_load_if_exists() -> None:
    storage = InMemoryStorage()
    first = tunekit.create_study(storage=storage, study_name="s", direction="maximize")
    first.optimize(lambda t: 1.0, n_trials=2)
    with pytest.raises(DuplicatedStudyError, match="'s'"):
        tunekit.create_study(storage=storage, study_name="s")
    assert tunekit.get_all_study_names(storage) == ["s"]
    again = tunekit.create_study(storage=storage, study_name="s", load_if_exists=True)
    assert again.direction == StudyDirection.MAXIMIZE
    assert len(again.trials) == 2
    with pytest.raises(ValueError, match=r"'s'.*maximize.*minimize"):
        tunekit.create_study(
            storage=storage, study_name="s", load_if_exists=True, direction="minimize"
        )
    assert isinstance(DuplicatedStudyError("x"), tunekit.exceptions.TunekitError)


def test_load_study() -> None:
    storage = InMemoryStorage()
    study = tunekit.create_study(storage=storage, study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    loaded = tunekit.load_study(study_name="s", storage=storage)
    assert loaded.trials == study.trials
    assert tunekit.load_study(study_name=None, storage=storage).study_name == "s"
    sampler = RandomSampler(seed=1)
    assert tunekit.load_study(study_name="s", storage=storage, sampler=sampler).sampler is sampler


def test_load_unknown_study_raises_key_error_naming_it() -> None:
    storage = InMemoryStorage()
    tunekit.create_study(storage=storage, study_name="exists")
    with pytest.raises(KeyError, match="'missing'"):
        tunekit.load_study(study_name="missing", storage=storage)
    assert tunekit.get_all_study_names(storage) == ["exists"]


def test_load_study_without_name_needs_exactly_one_study() -> None:
    storage = InMemoryStorage()
    with pytest.raises(ValueError, match=r"`study_name`.*0"):
        tunekit.load_study(study_name=None, storage=storage)
    tunekit.create_study(storage=storage, study_name="a")
    tunekit.create_study(storage=storage, study_name="b")
    with pytest.raises(ValueError, match=r"`study_name`.*2.*'a', 'b'"):
        tunekit.load_study(study_name=None, storage=storage)


def test_delete_study() -> None:
    storage = InMemoryStorage()
    tunekit.create_study(storage=storage, study_name="a").optimize(lambda t: 0.0, n_trials=2)
    tunekit.create_study(storage=storage, study_name="b")
    tunekit.delete_study(study_name="a", storage=storage)
    assert tunekit.get_all_study_names(storage) == ["b"]
    with pytest.raises(KeyError, match="'a'"):
        tunekit.load_study(study_name="a", storage=storage)
    with pytest.raises(KeyError, match="'a'"):
        tunekit.delete_study(study_name="a", storage=storage)
    # The name is free again.
    assert tunekit.create_study(storage=storage, study_name="a").trials == []


def test_copy_study() -> None:
    source_storage, target_storage = InMemoryStorage(), InMemoryStorage()
    source = tunekit.create_study(
        storage=source_storage, study_name="src", directions=["minimize", "maximize"]
    )
    source.set_user_attr("owner", "me")
    source.set_metric_names(["loss", "acc"])

    def objective(trial: Trial):
        x = trial.suggest_float("x", 0, 1)
        trial.set_user_attr("double", 2 * x)
        if trial.number == 2:
            raise ValueError("boom")
        return x, 1 - x

    source.optimize(objective, n_trials=4, catch=ValueError)
    source.enqueue_trial({"x": 0.5})
    tunekit.copy_study(
        from_study_name="src", from_storage=source_storage, to_storage=target_storage
    )
    copied = tunekit.load_study(study_name="src", storage=target_storage)
    assert copied.directions == source.directions
    assert copied.user_attrs == {"owner": "me"}
    assert copied.metric_names == ["loss", "acc"]
    assert len(copied.trials) == 5
    for original, copy_ in zip(source.trials, copied.trials, strict=True):
        assert copy_.number == original.number
        assert copy_.state == original.state
        assert copy_.values == original.values
        assert copy_.params == original.params
        assert copy_.user_attrs == original.user_attrs
        assert copy_.datetime_start == original.datetime_start
    # Same storage, other name; an existing target name is refused.
    tunekit.copy_study(
        from_study_name="src",
        from_storage=source_storage,
        to_storage=source_storage,
        to_study_name="src2",
    )
    assert sorted(tunekit.get_all_study_names(source_storage)) == ["src", "src2"]
    with pytest.raises(DuplicatedStudyError):
        tunekit.copy_study(
            from_study_name="src", from_storage=source_storage, to_storage=target_storage
        )


def test_get_all_study_summaries() -> None:
    storage = InMemoryStorage()
    single = tunekit.create_study(storage=storage, study_name="single", direction="maximize")
    single.set_user_attr("k", 1)
    single.optimize(lambda t: float(t.number), n_trials=3)
    tunekit.create_study(storage=storage, study_name="empty")
    multi = tunekit.create_study(storage=storage, study_name="multi", directions=["minimize"] * 2)
    multi.optimize(lambda t: (1.0, 2.0), n_trials=1)

    summaries = {s.study_name: s for s in tunekit.get_all_study_summaries(storage)}
    assert set(summaries) == {"single", "empty", "multi"}
    assert all(isinstance(s, StudySummary) for s in summaries.values())
    assert summaries["single"].n_trials == 3
    assert summaries["single"].best_trial.number == 2
    assert summaries["single"].direction == StudyDirection.MAXIMIZE
    assert summaries["single"].user_attrs == {"k": 1}
    assert summaries["single"].datetime_start == single.trials[0].datetime_start
    assert summaries["empty"].n_trials == 0
    assert summaries["empty"].best_trial is None
    assert summaries["empty"].datetime_start is None
    assert summaries["multi"].directions == [StudyDirection.MINIMIZE] * 2
    # As in Optuna: summaries sort by creation and compare by value.
    again = tunekit.get_all_study_summaries(storage)
    assert [s.study_name for s in sorted(reversed(again))] == ["single", "empty", "multi"]
    assert again == tunekit.get_all_study_summaries(storage)
    assert summaries["single"] != summaries["empty"]
    with pytest.raises(RuntimeError):
        _ = summaries["multi"].direction
    without = tunekit.get_all_study_summaries(storage, include_best_trial=False)
    assert all(s.best_trial is None for s in without)


# ------------------------------------------------------------------------------- ask / tell


def test_ask_and_tell() -> None:
    study = _study()
    trial = study.ask()
    assert isinstance(trial, Trial)
    assert study.trials[0].state == TrialState.RUNNING
    x = trial.suggest_float("x", 0, 1)
    record = study.tell(trial, x)
    assert record.state == TrialState.COMPLETE
    assert record.value == x
    assert study.trials[0] == record


def test_tell_by_trial_number() -> None:
    study = _study()
    study.ask()
    trial = study.ask()
    record = study.tell(1, 5.0)
    assert record.number == 1 and record.value == 5.0
    assert trial.number == 1
    assert study.trials[0].state == TrialState.RUNNING


def test_tell_unknown_number() -> None:
    study = _study()
    with pytest.raises(ValueError, match="3"):
        study.tell(3, 1.0)
    with pytest.raises(TypeError, match="'a'"):
        study.tell("a", 1.0)  # type: ignore[arg-type]


def test_tell_a_trial_of_another_study() -> None:
    storage = InMemoryStorage()
    a = tunekit.create_study(storage=storage)
    b = tunekit.create_study(storage=storage)
    trial = a.ask()
    with pytest.raises(ValueError, match="another study"):
        b.tell(trial, 1.0)
    assert a.trials[0].state == TrialState.RUNNING


def test_tell_twice_raises_and_changes_nothing() -> None:
    study = _study()
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(UpdateFinishedTrialError, match=r"trial 0.*COMPLETE"):
        study.tell(trial, 2.0)
    with pytest.raises(UpdateFinishedTrialError):
        study.tell(trial, state=TrialState.FAIL)
    assert study.trials[0].value == 1.0
    assert study.trials[0].state == TrialState.COMPLETE
    skipped = study.tell(trial, 2.0, skip_if_finished=True)
    assert skipped.value == 1.0
    assert study.trials[0].value == 1.0


@pytest.mark.parametrize(
    ("directions", "values"),
    [
        (["minimize"], [1.0, 2.0]),
        (["minimize"], []),
        (["minimize", "maximize"], 1.0),
        (["minimize", "maximize"], [1.0, 2.0, 3.0]),
    ],
)
def test_tell_wrong_number_of_values_raises_and_writes_nothing(directions, values) -> None:
    study = _study(directions=directions)
    trial = study.ask()
    n = len(values) if isinstance(values, list) else 1
    with pytest.raises(
        ValueError, match=rf"number of the values {n}.*objectives {len(directions)}"
    ):
        study.tell(trial, values)
    record = study.trials[0]
    assert record.state == TrialState.RUNNING
    assert record.values is None
    assert "fail_reason" not in record.system_attrs
    # The trial can still be told correctly.
    assert study.tell(trial, [0.0] * len(directions)).state == TrialState.COMPLETE


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"values": 1.0, "state": TrialState.PRUNED}, r"values=1.0"),
        ({"values": 1.0, "state": TrialState.FAIL}, r"values=1.0"),
        ({"state": TrialState.COMPLETE}, "required"),
        ({"state": TrialState.RUNNING}, r"`state`.*RUNNING"),
        ({"state": TrialState.WAITING}, r"`state`.*WAITING"),
    ],
)
def test_tell_bad_state_combinations(kwargs, pattern) -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(ValueError, match=pattern):
        study.tell(trial, **kwargs)
    assert study.trials[0].state == TrialState.RUNNING


@pytest.mark.parametrize("value", [math.nan, "abc", None])
def test_tell_infeasible_value_fails_the_trial_with_a_warning(value) -> None:
    study = _study()
    trial = study.ask()
    with pytest.warns(UserWarning, match="Trial 0 failed"):
        record = study.tell(trial, value)
    assert record.state == TrialState.FAIL
    assert record.values is None
    assert record.system_attrs["fail_reason"]


def test_tell_fail_and_pruned() -> None:
    study = _study()
    assert study.tell(study.ask(), state=TrialState.FAIL).state == TrialState.FAIL
    trial = study.ask()
    trial.report(0.7, 4)
    record = study.tell(trial, state=TrialState.PRUNED)
    assert record.state == TrialState.PRUNED
    assert record.value == 0.7


def test_ask_with_fixed_distributions() -> None:
    study = _study()
    trial = study.ask(
        fixed_distributions={
            "x": FloatDistribution(0, 1),
            "n": IntDistribution(1, 3),
            "c": CategoricalDistribution(["a", "b"]),
        }
    )
    params = trial.params
    assert set(params) == {"x", "n", "c"}
    assert study.trials[0].params == params
    # Suggesting them again in the objective returns the same values.
    assert trial.suggest_float("x", 0, 1) == params["x"]
    assert trial.suggest_categorical("c", ["a", "b"]) == params["c"]


@pytest.mark.parametrize(
    ("fixed", "error", "pattern"),
    [
        ([("x", FloatDistribution(0, 1))], TypeError, "`fixed_distributions`"),
        ({"x": (0, 1)}, TypeError, r"fixed_distributions\['x'\].*\(0, 1\)"),
    ],
)
def test_ask_with_bad_fixed_distributions_writes_nothing(fixed, error, pattern) -> None:
    study = _study()
    with pytest.raises(error, match=pattern):
        study.ask(fixed_distributions=fixed)
    assert study.trials == []


def test_direction_of_multi_objective_study() -> None:
    study = _study(directions=["minimize", "maximize"])
    with pytest.raises(RuntimeError, match="directions"):
        _ = study.direction


# ------------------------------------------------------------------------------- enqueue


def test_enqueue_trial() -> None:
    study = _study()
    study.enqueue_trial({"x": 0.25, "c": "b"}, user_attrs={"source": "manual"})
    study.enqueue_trial({"x": 0.75})
    assert [t.state for t in study.trials] == [TrialState.WAITING] * 2
    assert study.trials[0].datetime_start is None

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.suggest_categorical("c", ["a", "b"])
        return x

    study.optimize(objective, n_trials=3)
    first, second, third = study.trials
    assert first.params == {"x": 0.25, "c": "b"}
    assert first.datetime_start is not None and first.datetime_complete >= first.datetime_start
    assert first.user_attrs == {"source": "manual"}
    assert second.params["x"] == 0.75 and second.params["c"] in ("a", "b")
    assert third.state == TrialState.COMPLETE and third.user_attrs == {}


def test_enqueue_trial_skip_if_exists() -> None:
    study = _study()
    study.enqueue_trial({"x": 0.5})
    study.enqueue_trial({"x": 0.5}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    study.enqueue_trial({"x": 0.5}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.enqueue_trial({"x": 0.6}, skip_if_exists=True)
    study.enqueue_trial({"x": 0.5}, skip_if_exists=False)
    assert len(study.trials) == 3


def test_enqueue_trial_skip_if_exists_after_the_trial_sampled_more() -> None:
    study = _study()
    study.enqueue_trial({"x": 0.5})
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=1)
    assert set(study.trials[0].params) == {"x", "y"}
    study.enqueue_trial({"x": 0.5}, skip_if_exists=True)
    assert len(study.trials) == 1
    # A trial that was not enqueued is known by its parameters.
    study.enqueue_trial(dict(study.trials[0].params) | {"x": 0.25})
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=1)
    study.add_trial(
        create_trial(params={"x": 0.75}, distributions={"x": FloatDistribution(0, 1)}, value=1.0)
    )
    study.enqueue_trial({"x": 0.75}, skip_if_exists=True)
    assert len(study.trials) == 3


def test_enqueue_trial_with_ask() -> None:
    study = _study()
    study.enqueue_trial({"n": 7})
    trial = study.ask()
    assert trial.number == 0
    assert trial.suggest_int("n", 0, 10) == 7
    assert study.trials[0].state == TrialState.RUNNING


def test_enqueued_number_out_of_range_warns_and_is_used() -> None:
    study = _study()
    study.enqueue_trial({"x": 5.0, "n": 100})
    trial = study.ask()
    with pytest.warns(UserWarning, match=r"'x'.*5.0"):
        assert trial.suggest_float("x", 0, 1) == 5.0
    with pytest.warns(UserWarning, match=r"'n'.*100"):
        assert trial.suggest_int("n", 0, 10) == 100
    study.tell(trial, 1.0)
    assert study.trials[0].params == {"x": 5.0, "n": 100}


def test_enqueued_categorical_outside_choices_warns_and_is_resampled() -> None:
    study = _study()
    study.enqueue_trial({"c": "z"})
    trial = study.ask()
    with pytest.warns(UserWarning, match=r"'c'.*'z'"):
        value = trial.suggest_categorical("c", ["a", "b"])
    assert value in ("a", "b")


@pytest.mark.parametrize(
    ("suggest", "bad"),
    [
        (lambda t: t.suggest_float("p", 0, 1), "abc"),
        (lambda t: t.suggest_float("p", 0, 1), None),
        (lambda t: t.suggest_int("p", 0, 10), "3"),
        (lambda t: t.suggest_float("p", 0, 1), math.nan),
        (lambda t: t.suggest_float("p", 1e-5, 1, log=True), -1.0),
        (lambda t: t.suggest_float("p", 1e-5, 1, log=True), 0.0),
        (lambda t: t.suggest_int("p", 1, 64, log=True), 0),
    ],
)
def test_enqueued_value_of_the_wrong_type_never_crashes(suggest, bad) -> None:
    study = _study()
    study.enqueue_trial({"p": bad})
    trial = study.ask()
    with pytest.warns(UserWarning, match="'p'"):
        value = suggest(trial)
    assert study.trials[0].params["p"] == value
    assert isinstance(value, (int, float)) and not math.isnan(value)


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_an_enqueued_value_off_a_log_scale_does_not_break_the_sampler(sampler) -> None:
    # -1 has no logarithm: used as given it would put NaN into every later model fit.
    if sampler == "gp":
        pytest.importorskip("torch")
        chosen = tunekit.samplers.GPSampler(seed=0, n_startup_trials=3)
    else:
        chosen = tunekit.samplers.TPESampler(seed=0, n_startup_trials=3)
    study = tunekit.create_study(sampler=chosen)
    study.enqueue_trial({"lr": -1.0})
    with pytest.warns(UserWarning, match=r"'lr'.*-1.0.*sampled instead"):
        study.optimize(lambda t: t.suggest_float("lr", 1e-5, 1, log=True), n_trials=8)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 8
    assert all(1e-5 <= t.params["lr"] <= 1 for t in study.trials)


def test_enqueue_trial_bad_params() -> None:
    study = _study()
    with pytest.raises(TypeError, match=r"`params`.*\[1\]"):
        study.enqueue_trial([1])  # type: ignore[arg-type]
    assert study.trials == []


def test_tell_a_waiting_trial_is_refused() -> None:
    study = _study()
    study.enqueue_trial({"x": 0.5})
    with pytest.raises(ValueError, match="WAITING"):
        study.tell(0, 1.0)
    assert study.trials[0].state == TrialState.WAITING


# ------------------------------------------------------------------------------ add_trial


def test_add_trial_and_add_trials() -> None:
    study = _study()
    study.add_trial(
        create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=3.0)
    )
    study.add_trials(
        [
            create_trial(
                params={"x": 0.1}, distributions={"x": FloatDistribution(0, 1)}, value=1.0
            ),
            create_trial(state=TrialState.FAIL),
            create_trial(state=TrialState.PRUNED, intermediate_values={1: 2.0}, value=2.0),
        ]
    )
    assert [t.number for t in study.trials] == [0, 1, 2, 3]
    assert [t.state for t in study.trials] == [
        TrialState.COMPLETE,
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.PRUNED,
    ]
    assert study.best_trial.number == 1
    assert study.best_params == {"x": 0.1}
    # The study's sampler sees added trials like any other.
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert len(study.trials) == 5


def test_add_trial_with_wrong_number_of_values_writes_nothing() -> None:
    study = _study()
    with pytest.raises(ValueError, match=r"2 values.*1 objectives"):
        study.add_trial(create_trial(values=[1.0, 2.0]))
    assert study.trials == []


def test_a_failed_trial_with_a_value_is_refused() -> None:
    # As in Optuna: a FAIL record has no value (it would confuse best-value bookkeeping).
    study = _study()
    with pytest.raises(ValueError, match=r"A FAIL trial has no values, got \[1.0\]"):
        study.add_trial(create_trial(state=TrialState.FAIL, value=1.0))
    assert study.trials == []
    study.add_trial(create_trial(state=TrialState.FAIL))
    assert study.trials[0].state == TrialState.FAIL


def test_add_trials_checks_every_trial_before_writing() -> None:
    study = _study()
    good = create_trial(value=1.0)
    bad = create_trial(value=1.0)
    bad.state = TrialState.COMPLETE
    bad.values = None
    with pytest.raises(ValueError, match="COMPLETE"):
        study.add_trials([good, bad])
    assert study.trials == []
    with pytest.raises(ValueError, match=r"2 values"):
        study.add_trials([good, create_trial(values=[1.0, 2.0])])
    assert study.trials == []


def test_add_trial_with_incompatible_distribution_writes_nothing() -> None:
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(ValueError):
        study.add_trial(
            create_trial(params={"x": 1}, distributions={"x": IntDistribution(0, 1)}, value=0.0)
        )
    assert len(study.trials) == 1


# -------------------------------------------------------------------------------- best


def test_best_trial_minimize_and_maximize() -> None:
    for direction, expected in (("minimize", -3.0), ("maximize", 4.0)):
        study = _study(direction=direction)
        values = iter([1.0, -3.0, 4.0, 0.0])
        study.optimize(lambda t, values=values: next(values), n_trials=4)
        assert study.best_value == expected
        assert study.best_trial.value == expected


def test_best_trial_ignores_failed_and_pruned_trials() -> None:
    study = _study()
    study.add_trial(
        create_trial(state=TrialState.PRUNED, value=-100.0, intermediate_values={0: -100.0})
    )
    study.add_trial(create_trial(state=TrialState.FAIL))
    study.add_trial(create_trial(value=5.0))
    assert study.best_value == 5.0


def test_best_trial_without_complete_trials() -> None:
    study = _study()
    with pytest.raises(ValueError):
        _ = study.best_trial
    with pytest.raises(ValueError):
        _ = study.best_value
    study.add_trial(create_trial(state=TrialState.FAIL))
    with pytest.raises(ValueError):
        _ = study.best_params
    assert study.best_trials == []


def test_infinite_values_are_complete_and_can_be_best() -> None:
    study = _study()
    values = iter([1.0, -math.inf, math.inf])
    study.optimize(lambda t: next(values), n_trials=3)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3
    assert study.best_value == -math.inf


def test_best_trial_is_refused_for_multi_objective() -> None:
    study = _study(directions=["minimize", "minimize"])
    study.optimize(lambda t: (1.0, 1.0), n_trials=1)
    with pytest.raises(RuntimeError, match="best_trials"):
        _ = study.best_trial
    with pytest.raises(RuntimeError):
        _ = study.best_value


def test_best_trials_is_the_pareto_front() -> None:
    study = _study(directions=["minimize", "maximize"])
    points = [(1.0, 1.0), (2.0, 3.0), (1.0, 0.5), (3.0, 3.0), (0.5, 0.0), (2.0, 3.0), (4.0, 4.0)]
    for point in points:
        study.add_trial(create_trial(values=list(point)))
    front = sorted(t.number for t in study.best_trials)
    # (1, 0.5) is dominated by (1, 1); (3, 3) by (2, 3); the two (2, 3) do not dominate each other.
    assert front == [0, 1, 4, 5, 6]


def test_best_trials_of_single_objective() -> None:
    study = _study()
    for value in (3.0, 1.0, 1.0, 2.0):
        study.add_trial(create_trial(value=value))
    assert sorted(t.number for t in study.best_trials) == [1, 2]


def test_infeasible_trials_are_not_best() -> None:
    study = _study()
    study.add_trial(create_trial(value=0.0, system_attrs={"constraints": [1.0]}))
    study.add_trial(create_trial(value=2.0, system_attrs={"constraints": [-1.0, 0.0]}))
    study.add_trial(create_trial(value=1.0, system_attrs={"constraints": [0.0, 0.5]}))
    study.add_trial(create_trial(value=3.0))
    assert study.best_trial.number == 1
    assert study.best_value == 2.0
    assert [t.number for t in study.best_trials] == [1]


def test_no_feasible_trial() -> None:
    study = _study()
    study.add_trial(create_trial(value=0.0, system_attrs={"constraints": [1.0]}))
    with pytest.raises(ValueError, match="feasible"):
        _ = study.best_trial
    assert study.best_trials == []


def test_constraints_on_a_multi_objective_front() -> None:
    study = _study(directions=["minimize", "minimize"])
    study.add_trial(create_trial(values=[0.0, 0.0], system_attrs={"constraints": [0.1]}))
    study.add_trial(create_trial(values=[1.0, 2.0], system_attrs={"constraints": [0.0]}))
    study.add_trial(create_trial(values=[2.0, 1.0], system_attrs={"constraints": [-1.0]}))
    assert sorted(t.number for t in study.best_trials) == [1, 2]


def test_set_constraint_in_objective_feeds_best_trial() -> None:
    study = _study()

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        trial.set_constraint("x", x)  # feasible when x <= 0
        return -x

    study.optimize(objective, n_trials=30)
    assert study.best_trial.params["x"] <= 0
    feasible = [t.value for t in study.trials if t.params["x"] <= 0]
    assert study.best_value == min(feasible)


# ------------------------------------------------------------------------- attributes etc


def test_study_user_attrs() -> None:
    study = _study()
    study.set_user_attr("dataset", "iris")
    study.set_user_attr("folds", [1, 2])
    assert study.user_attrs == {"dataset": "iris", "folds": [1, 2]}
    study.user_attrs["dataset"] = "changed"
    assert study.user_attrs["dataset"] == "iris"
    with pytest.warns(FutureWarning):
        study.set_system_attr("k", 1)
    assert study.system_attrs["k"] == 1


def test_set_metric_names() -> None:
    study = _study(directions=["minimize", "maximize"])
    assert study.metric_names is None
    study.set_metric_names(["loss", "accuracy"])
    assert study.metric_names == ["loss", "accuracy"]
    with pytest.raises(ValueError, match=r"2 names.*\['loss'\]"):
        study.set_metric_names(["loss"])
    with pytest.raises(TypeError, match=r"\[1, 2\]"):
        study.set_metric_names([1, 2])  # type: ignore[list-item]
    assert study.metric_names == ["loss", "accuracy"]


def test_get_trials_by_state_and_copies() -> None:
    study = _study()
    study.add_trial(create_trial(value=1.0))
    study.add_trial(create_trial(state=TrialState.FAIL))
    study.ask()
    assert [t.number for t in study.get_trials(states=(TrialState.COMPLETE,))] == [0]
    assert [t.number for t in study.get_trials(states=[TrialState.FAIL, TrialState.RUNNING])] == [
        1,
        2,
    ]
    copies = study.get_trials(deepcopy=True)
    copies[0].user_attrs["x"] = 1
    copies[0].params["p"] = 2
    assert study.trials[0].user_attrs == {}
    assert study.trials[0].params == {}


def test_max_trials_callback_validation() -> None:
    with pytest.raises(ValueError, match=r"`n_trials`.*-1"):
        MaxTrialsCallback(-1)
    with pytest.raises(ValueError, match=r"`n_trials`.*2.5"):
        MaxTrialsCallback(2.5)  # type: ignore[arg-type]


def test_study_pickles() -> None:
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    restored = pickle.loads(pickle.dumps(study))
    assert restored.trials == study.trials
    restored.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert len(restored.trials) == 4


def test_optuna_vocabulary() -> None:
    assert tunekit.exceptions.OptunaError is tunekit.exceptions.TunekitError
    assert tunekit.study.Study is tunekit.Study
    assert "Study(" in repr(_study())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tunekit.create_study(direction="maximize").optimize(lambda t: 1.0, n_trials=1)


# ------------------------------------------------------------------ a user-written sampler


class _RecordingSampler(tunekit.samplers.BaseSampler):
    """Samples ``x`` jointly (always 0.25), everything else at the low end; records the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def infer_relative_search_space(self, study, trial):
        self.calls.append(("infer", trial.number))
        return {"x": FloatDistribution(0, 1)}

    def sample_relative(self, study, trial, search_space):
        self.calls.append(("relative", trial.number, sorted(search_space)))
        return {"x": 0.25}

    def sample_independent(self, study, trial, param_name, param_distribution):
        self.calls.append(("independent", trial.number, param_name))
        if isinstance(param_distribution, CategoricalDistribution):
            return param_distribution.choices[0]
        return param_distribution.low

    def before_trial(self, study, trial):
        self.calls.append(("before", trial.number, trial.state))

    def after_trial(self, study, trial, state, values):
        self.calls.append(("after", trial.number, state, values))


def test_user_sampler_hooks_are_called_in_order() -> None:
    sampler = _RecordingSampler()
    study = tunekit.create_study(sampler=sampler)

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_int("y", 3, 9)
        trial.suggest_float("x", 0, 1)  # asked again: no new sampling
        if trial.number == 1:
            trial.report(7.0, 2)
            raise tunekit.TrialPruned()
        return x + y

    study.optimize(objective, n_trials=2)
    assert sampler.calls == [
        ("before", 0, TrialState.RUNNING),
        ("infer", 0),
        ("relative", 0, ["x"]),
        ("independent", 0, "y"),
        ("after", 0, TrialState.COMPLETE, [3.25]),
        ("before", 1, TrialState.RUNNING),
        ("infer", 1),
        ("relative", 1, ["x"]),
        ("independent", 1, "y"),
        ("after", 1, TrialState.PRUNED, [7.0]),
    ]
    assert study.trials[0].params == {"x": 0.25, "y": 3}


def test_relative_value_is_used_only_for_the_same_distribution() -> None:
    sampler = _RecordingSampler()
    study = tunekit.create_study(sampler=sampler)
    trial = study.ask()
    assert trial.suggest_float("x", 0, 2) == 0.0  # another range: sampled independently
    assert ("independent", 0, "x") in sampler.calls


def test_user_sampler_sees_failures() -> None:
    sampler = _RecordingSampler()
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: math.nan, n_trials=1)
    study.optimize(lambda t: 1 / 0, n_trials=1, catch=ZeroDivisionError)
    afters = [c for c in sampler.calls if c[0] == "after"]
    assert afters == [("after", 0, TrialState.FAIL, None), ("after", 1, TrialState.FAIL, None)]
    # The record the sampler got for a failure already holds the reason.
    assert "fail_reason" in study.trials[1].system_attrs


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"sampler": "tpe"}, r"`sampler`.*'tpe'"),
        ({"sampler": RandomSampler}, r"`sampler`.*RandomSampler"),
        ({"pruner": "median"}, r"`pruner`.*'median'"),
        ({"pruner": NopPruner}, r"`pruner`.*NopPruner"),
    ],
)
def test_bad_sampler_or_pruner_writes_nothing(kwargs, pattern) -> None:
    storage = InMemoryStorage()
    with pytest.raises(TypeError, match=pattern):
        tunekit.create_study(storage=storage, **kwargs)
    assert tunekit.get_all_study_names(storage) == []
    tunekit.create_study(storage=storage, study_name="s")
    with pytest.raises(TypeError, match=pattern):
        tunekit.load_study(study_name="s", storage=storage, **kwargs)


def test_copy_study_between_memory_and_sqlite(tmp_path) -> None:
    pytest.importorskip("sqlalchemy")
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    source = tunekit.create_study(study_name="src", sampler=RandomSampler(seed=0))

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 1, step=0.25)
        kind = trial.suggest_categorical("kind", [None, True, "a"])
        for step in range(3):
            trial.report(x * step if step < 2 else float("nan"), step)
        if trial.number == 1:
            raise tunekit.TrialPruned()
        return float("inf") if kind is None else x

    source.optimize(objective, n_trials=6)
    tunekit.copy_study(from_study_name="src", from_storage=source._storage, to_storage=url)
    back = InMemoryStorage()
    tunekit.copy_study(from_study_name="src", from_storage=url, to_storage=back)
    for storage in (url, back):
        copied = tunekit.load_study(study_name="src", storage=storage).trials
        assert len(copied) == len(source.trials)
        for original, copy_ in zip(source.trials, copied, strict=True):
            assert (copy_.number, copy_.state, copy_.values, copy_.params) == (
                original.number,
                original.state,
                original.values,
                original.params,
            )
            assert copy_.distributions == original.distributions
            assert list(copy_.intermediate_values) == list(original.intermediate_values)
            assert np.allclose(
                list(copy_.intermediate_values.values()),
                list(original.intermediate_values.values()),
                equal_nan=True,
            )


@pytest.mark.parametrize("in_database", [False, True])
def test_list_and_dict_choices_run_and_survive_a_database(in_database, tmp_path) -> None:
    # Optuna accepts them (with a warning); a script choosing a layer layout must keep running.
    storage = f"sqlite:///{tmp_path / 'lists.db'}" if in_database else None
    sampler = tunekit.samplers.TPESampler(seed=0)
    study = tunekit.create_study(storage=storage, study_name="lists", sampler=sampler)

    def objective(trial: Trial) -> float:
        layers = trial.suggest_categorical("layers", [[64, 32], [128]])
        config = trial.suggest_categorical("config", [{"lr": 0.1}, {"lr": 0.01}])
        return sum(layers) * config["lr"]

    with pytest.warns(UserWarning, match="kept as is"):
        study.optimize(objective, n_trials=12)
    assert {tuple(t.params["layers"]) for t in study.trials} == {(64, 32), (128,)}
    assert study.best_value == pytest.approx(0.96)
    assert study.best_params == {"layers": [64, 32], "config": {"lr": 0.01}}
    if in_database:
        reloaded = tunekit.load_study(study_name="lists", storage=storage)
        assert [t.params for t in reloaded.trials] == [t.params for t in study.trials]
