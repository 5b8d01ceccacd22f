"""Tests of Study.trials_dataframe (tunekit/_dataframe.py)."""

from __future__ import annotations

import sys

import pytest

import tunekit
from tunekit.samplers import RandomSampler
from tunekit.trial import Trial, TrialState, create_trial

pd = pytest.importorskip("pandas")


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.ERROR)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _objective(trial: Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    trial.set_user_attr("u", 1)
    trial.report(0.5, 0)
    if trial.number == 1:
        trial.suggest_int("n", 0, 3)
    return x


def _study() -> tunekit.Study:
    study = tunekit.create_study(sampler=RandomSampler(seed=0))
    study.optimize(_objective, n_trials=3)
    study.add_trial(create_trial(state=TrialState.FAIL))
    return study


def test_default_columns() -> None:
    study = _study()
    frame = study.trials_dataframe()
    assert list(frame.columns) == [
        "number",
        "value",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_n",
        "params_x",
        "user_attrs_u",
        "state",
    ]
    assert frame["state"].tolist() == ["COMPLETE", "COMPLETE", "COMPLETE", "FAIL"]
    assert frame["number"].tolist() == [0, 1, 2, 3]
    assert frame["value"].tolist()[:3] == [t.value for t in study.trials[:3]]
    assert pd.isna(frame["value"].iloc[3])
    assert frame["params_x"].tolist()[:3] == [t.params["x"] for t in study.trials[:3]]
    assert pd.isna(frame["params_n"].iloc[0]) and frame["params_n"].iloc[1] in (0, 1, 2, 3)
    assert frame["duration"].iloc[0] == study.trials[0].duration


def test_multi_index() -> None:
    frame = _study().trials_dataframe(multi_index=True)
    assert list(frame.columns) == [
        ("number", ""),
        ("value", ""),
        ("datetime_start", ""),
        ("datetime_complete", ""),
        ("duration", ""),
        ("params", "n"),
        ("params", "x"),
        ("user_attrs", "u"),
        ("state", ""),
    ]
    assert frame[("state", "")].tolist()[0] == "COMPLETE"


def test_chosen_attrs() -> None:
    study = _study()
    frame = study.trials_dataframe(attrs=("number", "intermediate_values", "state"))
    assert list(frame.columns) == ["number", "intermediate_values_0", "state"]
    assert frame["intermediate_values_0"].tolist()[:3] == [0.5, 0.5, 0.5]
    with pytest.raises(ValueError, match=r"unknown attrs \['colour'\]"):
        study.trials_dataframe(attrs=("number", "colour"))


def test_fail_reason_shows_in_system_attrs() -> None:
    study = tunekit.create_study()
    study.optimize(lambda t: None, n_trials=1)
    frame = study.trials_dataframe()
    assert frame["state"].tolist() == ["FAIL"]
    assert "None" in frame["system_attrs_fail_reason"].iloc[0]


def test_multi_objective() -> None:
    study = tunekit.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=2)
    frame = study.trials_dataframe()
    assert list(frame.columns) == [
        "number",
        "values_0",
        "values_1",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_x",
        "state",
    ]
    assert frame["values_1"].tolist() == [1.0, 1.0]
    study.set_metric_names(["loss", "accuracy"])
    assert list(study.trials_dataframe().columns)[1:3] == ["values_loss", "values_accuracy"]
    multi = study.trials_dataframe(multi_index=True)
    assert ("values", "loss") in multi.columns


def test_empty_study() -> None:
    frame = tunekit.create_study().trials_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 0


def test_same_columns_as_optuna() -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    ours, theirs = tunekit.create_study(), optuna.create_study()
    ours.optimize(_objective, n_trials=3)
    theirs.optimize(_objective, n_trials=3)
    for attrs in [
        (
            "number",
            "value",
            "datetime_start",
            "datetime_complete",
            "duration",
            "params",
            "user_attrs",
            "system_attrs",
            "state",
        ),
        ("number", "params", "intermediate_values"),
    ]:
        for multi_index in (False, True):
            assert list(ours.trials_dataframe(attrs, multi_index).columns) == list(
                theirs.trials_dataframe(attrs, multi_index).columns
            )


def test_constraints_get_a_column_each_as_in_optuna() -> None:
    study = tunekit.create_study()
    for value, constraints in [(1.0, {"c": 0.5}), (2.0, {"c": -1.0, "d": 2.0})]:
        study.add_trial(create_trial(value=value, constraints=constraints))
    frame = study.trials_dataframe(attrs=("number", "constraints"))
    assert list(frame.columns) == ["number", "constraints_c", "constraints_d"]
    assert frame["constraints_c"].tolist() == [0.5, -1.0]
    assert frame["constraints_d"].isna().tolist() == [True, False]


def test_a_named_single_objective_names_its_column() -> None:
    study = tunekit.create_study()
    study.set_metric_names(["loss"])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert list(study.trials_dataframe(attrs=("number", "value")).columns) == [
        "number",
        "value_loss",
    ]
    frame = study.trials_dataframe(attrs=("number", "value"), multi_index=True)
    assert list(frame.columns) == [("number", ""), ("value", "loss")]
    assert frame[("value", "loss")].tolist() == [t.value for t in study.trials]


def test_missing_pandas_gives_a_clear_import_error(monkeypatch) -> None:
    study = _study()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pandas.*pip install 'tunekit\[pandas\]'"):
        study.trials_dataframe()


def test_intermediate_steps_sort_as_numbers() -> None:
    study = tunekit.create_study()

    def objective(trial: Trial) -> float:
        for step in (10, 2, 0):
            trial.report(float(step), step)
        return 0.0

    study.optimize(objective, n_trials=1)
    frame = study.trials_dataframe(attrs=("number", "intermediate_values"))
    assert list(frame.columns) == [
        "number",
        "intermediate_values_0",
        "intermediate_values_2",
        "intermediate_values_10",
    ]
    multi = study.trials_dataframe(attrs=("intermediate_values",), multi_index=True)
    assert list(multi.columns) == [("intermediate_values", s) for s in (0, 2, 10)]
