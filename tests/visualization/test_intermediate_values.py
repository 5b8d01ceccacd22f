"""plot_intermediate_values: one curve per reporting trial, pruned ones grey with a cross."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from matplotlib.colors import same_color

import tunekit
from tunekit.trial import TrialState
from tunekit.visualization._utils import COMPLETE_COLOR, PRUNED_COLOR, RUNNING_COLOR
from tunekit.visualization.matplotlib import plot_intermediate_values


@pytest.fixture
def tunekit_records():
    """Log records of tunekit's loggers (they do not propagate to pytest's caplog)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger("tunekit")
    root.addHandler(handler)
    yield records
    root.removeHandler(handler)


def _lines_by_number(ax) -> dict[int, object]:
    lines = {}
    for line in ax.get_lines():
        label = line.get_label()
        assert label.startswith("Trial ")
        lines[int(label.removeprefix("Trial "))] = line
    return lines


def test_one_line_per_trial_with_its_reported_values(study, tmp_path):
    ax = plot_intermediate_values(study)
    ax.figure.savefig(tmp_path / "x.png")

    drawn = study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))
    lines = _lines_by_number(ax)
    assert sorted(lines) == [t.number for t in drawn]
    for trial in drawn:
        steps = sorted(trial.intermediate_values)
        line = lines[trial.number]
        np.testing.assert_array_equal(line.get_xdata(), steps)
        np.testing.assert_allclose(line.get_ydata(), [trial.intermediate_values[s] for s in steps])
    # Failed trials reported values too, but they are not drawn (as in Optuna).
    failed = study.get_trials(states=(TrialState.FAIL,))
    assert failed and all(t.intermediate_values for t in failed)
    assert not {t.number for t in failed} & set(lines)

    assert ax.get_title() == "Intermediate Values Plot"
    assert ax.get_xlabel() == "Step"
    assert ax.get_ylabel() == "Intermediate Value"


def test_pruned_lines_are_grey_with_a_cross_where_they_stopped(study, tmp_path):
    ax = plot_intermediate_values(study)
    ax.figure.savefig(tmp_path / "x.png")
    lines = _lines_by_number(ax)
    pruned = study.get_trials(states=(TrialState.PRUNED,))
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert pruned and complete
    for trial in pruned:
        assert same_color(lines[trial.number].get_color(), PRUNED_COLOR)
        assert max(trial.intermediate_values) == 2  # the fixture prunes at step 2
    for trial in complete:
        assert same_color(lines[trial.number].get_color(), COMPLETE_COLOR)
        assert not same_color(lines[trial.number].get_color(), PRUNED_COLOR)

    (crosses,) = ax.collections
    expected = [(2, t.intermediate_values[2]) for t in pruned]
    np.testing.assert_allclose(crosses.get_offsets(), expected)
    assert same_color(crosses.get_facecolor()[0][:3], PRUNED_COLOR) or same_color(
        crosses.get_edgecolor()[0][:3], PRUNED_COLOR
    )

    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Complete", "Pruned"]
    handle_colors = [h.get_color() for h in legend.legend_handles]
    assert same_color(handle_colors[0], COMPLETE_COLOR)
    assert same_color(handle_colors[1], PRUNED_COLOR)


def test_running_and_infeasible_trials_are_told_apart(tmp_path):
    study = tunekit.create_study()
    feasible = study.ask()
    feasible.report(3.0, 0)
    feasible.report(2.0, 1)
    study.tell(feasible, 2.0)
    infeasible = study.ask()
    infeasible.report(1.0, 0)
    infeasible.set_constraint("c", 1.0)
    study.tell(infeasible, 1.0)
    running = study.ask()
    running.report(5.0, 0)
    running.report(4.0, 3)

    ax = plot_intermediate_values(study)
    ax.figure.savefig(tmp_path / "x.png")
    lines = _lines_by_number(ax)
    assert same_color(lines[0].get_color(), COMPLETE_COLOR) and lines[0].get_linestyle() == "-"
    assert lines[1].get_linestyle() == "--"
    assert same_color(lines[2].get_color(), RUNNING_COLOR)
    np.testing.assert_array_equal(lines[2].get_xdata(), [0, 3])
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend_texts == ["Complete", "Infeasible", "Running"]
    assert len(ax.collections) == 0  # no pruned trial, no crosses


def test_study_without_reports_draws_empty_axes_with_a_warning(tunekit_records, tmp_path):
    study = tunekit.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    ax = plot_intermediate_values(study)
    ax.figure.savefig(tmp_path / "x.png")
    assert not ax.has_data()
    assert ax.get_legend() is None
    assert any("trial.report" in r.getMessage() for r in tunekit_records)


def test_empty_study_draws_empty_axes_with_a_warning(empty_study, tunekit_records, tmp_path):
    ax = plot_intermediate_values(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert not ax.has_data()
    assert ax.get_xlabel() == "Step"
    assert any("no trials" in r.getMessage() for r in tunekit_records)
