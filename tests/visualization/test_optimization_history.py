"""plot_optimization_history: the points, the best-so-far step line, several studies, error bars."""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np
import pytest
from matplotlib.colors import same_color

import tunekit
from tunekit.trial import TrialState
from tunekit.visualization._utils import BEST_COLOR, COMPLETE_COLOR, INFEASIBLE_COLOR
from tunekit.visualization.matplotlib import plot_optimization_history


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


def _told(values: list[float | None], direction: str = "minimize", name: str | None = None):
    """A study whose trial i has values[i] (None: pruned)."""
    study = tunekit.create_study(direction=direction, study_name=name)
    for value in values:
        trial = study.ask()
        if value is None:
            study.tell(trial, state=TrialState.PRUNED)
        else:
            study.tell(trial, value)
    return study


def _collection(ax, label):
    matches = [c for c in ax.collections if c.get_label() == label]
    assert len(matches) == 1, [c.get_label() for c in ax.collections]
    return matches[0]


def _line(ax, label):
    matches = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(matches) == 1, [line.get_label() for line in ax.get_lines()]
    return matches[0]


def _legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_points_are_the_complete_trials_and_best_line_is_running_minimum(study, tmp_path):
    ax = plot_optimization_history(study)
    ax.figure.savefig(tmp_path / "x.png")

    complete = study.get_trials(states=(TrialState.COMPLETE,))
    numbers = np.array([t.number for t in complete])
    values = np.array([t.value for t in complete])
    assert len(complete) < len(study.trials)  # pruned and failed trials are not points

    points = _collection(ax, "Objective Value")
    np.testing.assert_allclose(points.get_offsets(), np.column_stack([numbers, values]))
    assert same_color(points.get_facecolor()[0][:3], COMPLETE_COLOR)

    best = _line(ax, "Best Value")
    np.testing.assert_array_equal(best.get_xdata(), numbers)
    np.testing.assert_allclose(best.get_ydata(), np.minimum.accumulate(values))
    assert np.all(np.diff(best.get_ydata()) <= 0)
    assert best.get_drawstyle() == "steps-post"
    assert same_color(best.get_color(), BEST_COLOR)
    assert best.get_ydata()[-1] == pytest.approx(study.best_value)

    assert ax.get_title() == "Optimization History Plot"
    assert ax.get_xlabel() == "Trial"
    assert ax.get_ylabel() == "Objective Value"
    assert _legend_texts(ax) == ["Objective Value", "Best Value"]
    assert ax.get_yscale() == "linear"  # no automatic log scale


def test_best_line_follows_maximize_direction(tmp_path):
    study = _told([1.0, 3.0, 2.0, None, 5.0, 4.0], direction="maximize")
    ax = plot_optimization_history(study)
    ax.figure.savefig(tmp_path / "x.png")
    best = _line(ax, "Best Value")
    np.testing.assert_array_equal(best.get_xdata(), [0, 1, 2, 4, 5])
    np.testing.assert_allclose(best.get_ydata(), [1.0, 3.0, 3.0, 5.0, 5.0])


def test_target_plots_that_value_without_best_line(multi_objective_study, tmp_path):
    ax = plot_optimization_history(
        multi_objective_study, target=lambda t: t.values[1], target_name="second"
    )
    ax.figure.savefig(tmp_path / "x.png")
    trials = multi_objective_study.trials
    points = _collection(ax, "second")
    np.testing.assert_allclose(points.get_offsets()[:, 1], [t.values[1] for t in trials])
    assert ax.get_lines() == []  # a target has no known direction: no best line
    assert ax.get_ylabel() == "second"
    assert _legend_texts(ax) == ["second"]


def test_multi_objective_without_target_is_an_error(multi_objective_study):
    with pytest.raises(ValueError, match="target"):
        plot_optimization_history(multi_objective_study)
    with pytest.raises(ValueError, match="target"):
        plot_optimization_history([_told([1.0]), multi_objective_study])


def test_several_studies_get_one_colour_and_legend_entries_each(study, tmp_path):
    other = _told([2.0, 1.0, 3.0, 0.5], name="other")
    ax = plot_optimization_history([study, other])
    ax.figure.savefig(tmp_path / "x.png")

    mine = _collection(ax, f"Objective Value of {study.study_name}")
    theirs = _collection(ax, "Objective Value of other")
    assert len(mine.get_offsets()) == len(study.get_trials(states=(TrialState.COMPLETE,)))
    np.testing.assert_allclose(theirs.get_offsets(), [[0, 2.0], [1, 1.0], [2, 3.0], [3, 0.5]])
    assert not same_color(mine.get_facecolor()[0], theirs.get_facecolor()[0])

    other_best = _line(ax, "Best Value of other")
    np.testing.assert_allclose(other_best.get_ydata(), [2.0, 1.0, 1.0, 0.5])
    assert same_color(other_best.get_color(), theirs.get_facecolor()[0][:3])
    assert set(_legend_texts(ax)) == {
        f"Objective Value of {study.study_name}",
        f"Best Value of {study.study_name}",
        "Objective Value of other",
        "Best Value of other",
    }


def test_error_bar_is_mean_and_std_over_studies_per_trial_number(tmp_path):
    first = _told([3.0, 1.0, 2.0])
    second = _told([1.0, None, 0.0])  # trial 1 pruned: only the first study counts there
    ax = plot_optimization_history([first, second], error_bar=True)
    ax.figure.savefig(tmp_path / "x.png")

    (container,) = ax.containers
    data_line, _, (bars,) = container.lines
    np.testing.assert_array_equal(data_line.get_xdata(), [0, 1, 2])
    np.testing.assert_allclose(data_line.get_ydata(), [2.0, 1.0, 1.0])
    spans = np.array([[seg[0][1], seg[1][1]] for seg in bars.get_segments()])
    np.testing.assert_allclose(spans, [[1.0, 3.0], [1.0, 1.0], [0.0, 2.0]])  # mean -+ std

    best = _line(ax, "Best Value")
    # Best so far: first [3, 1, 1], second [1, -, 0].
    np.testing.assert_allclose(best.get_ydata(), [2.0, 1.0, 0.5])
    (band,) = [c for c in ax.collections if c is not bars]
    band_y = band.get_paths()[0].vertices[:, 1]
    assert band_y.min() == pytest.approx(0.0)  # 0.5 - 0.5 at trial 2
    assert band_y.max() == pytest.approx(3.0)  # 2 + 1 at trial 0
    assert _legend_texts(ax) == ["Objective Value", "Best Value"]


def test_error_bar_with_target_has_no_best_line(multi_objective_study, tmp_path):
    ax = plot_optimization_history(
        [multi_objective_study], target=lambda t: t.values[0], error_bar=True
    )
    ax.figure.savefig(tmp_path / "x.png")
    assert all(line.get_label() != "Best Value" for line in ax.get_lines())
    assert len(ax.collections) == 1  # the error bars, and no best-value band
    assert _legend_texts(ax) == ["Objective Value"]
    (container,) = ax.containers
    np.testing.assert_allclose(
        container.lines[0].get_ydata(), [t.values[0] for t in multi_objective_study.trials]
    )


def test_infeasible_trials_are_grey_and_do_not_count_as_best(tmp_path):
    study = tunekit.create_study()
    for value, constraint in [(3.0, 0.0), (1.0, 2.0), (2.0, -1.0)]:
        trial = study.ask()
        trial.set_constraint("c", constraint)
        study.tell(trial, value)
    ax = plot_optimization_history(study)
    ax.figure.savefig(tmp_path / "x.png")
    np.testing.assert_allclose(_collection(ax, "Objective Value").get_offsets(), [[0, 3], [2, 2]])
    infeasible = _collection(ax, "Infeasible Trial")
    np.testing.assert_allclose(infeasible.get_offsets(), [[1, 1.0]])
    assert same_color(infeasible.get_facecolor()[0][:3], INFEASIBLE_COLOR)
    np.testing.assert_allclose(_line(ax, "Best Value").get_ydata(), [3.0, 3.0, 2.0])


def test_non_finite_values_are_left_out(tmp_path):
    study = _told([2.0, math.inf, 1.0])
    ax = plot_optimization_history(study)
    ax.figure.savefig(tmp_path / "x.png")
    np.testing.assert_allclose(_collection(ax, "Objective Value").get_offsets(), [[0, 2], [2, 1]])


def test_empty_study_draws_empty_axes_with_a_warning(empty_study, tunekit_records, tmp_path):
    ax = plot_optimization_history(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert not ax.has_data()
    assert ax.get_xlabel() == "Trial"
    assert any("no complete trials" in r.getMessage() for r in tunekit_records)

    ax = plot_optimization_history([])
    assert not ax.has_data()
    assert any("no studies" in r.getMessage() for r in tunekit_records)


def test_study_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="study must be a Study"):
        plot_optimization_history(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="study must be a Study"):
        plot_optimization_history(["not a study"])  # type: ignore[list-item]


def test_tight_layout_afterwards_is_quiet(study, tmp_path):
    # Optuna's docs tell users to call plt.tight_layout() after a plot.
    import matplotlib.pyplot as plt

    ax = plot_optimization_history(study)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plt.tight_layout()
        ax.figure.savefig(tmp_path / "x.png", bbox_inches="tight")
