"""plot_edf: an exact step EDF per study over the values of its complete trials."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest

import tunekit
from tunekit.trial import TrialState
from tunekit.visualization.matplotlib import plot_edf


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


def _told(values: list[float], name: str | None = None) -> tunekit.Study:
    study = tunekit.create_study(study_name=name)
    for value in values:
        study.tell(study.ask(), value)
    return study


def _edf_at(line, x: float) -> float:
    """The height of a steps-post line at x (the last vertex at or left of x)."""
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    return float(ys[np.searchsorted(xs, x, side="right") - 1])


def test_single_study_is_the_exact_edf_of_complete_values(study, tmp_path):
    ax = plot_edf(study)
    ax.figure.savefig(tmp_path / "x.png")

    values = np.sort([t.value for t in study.get_trials(states=(TrialState.COMPLETE,))])
    (line,) = ax.get_lines()
    assert line.get_drawstyle() == "steps-post"
    np.testing.assert_allclose(line.get_xdata()[1:-1], values)
    np.testing.assert_allclose(line.get_ydata()[1:-1], np.arange(1, len(values) + 1) / len(values))
    assert line.get_ydata()[0] == 0.0 and line.get_ydata()[-1] == 1.0
    assert np.all(np.diff(line.get_ydata()) >= 0)
    for x in values:  # the fraction of values <= x, at every observed x
        assert _edf_at(line, x) == pytest.approx(np.mean(values <= x))

    assert ax.get_title() == "Empirical Distribution Function Plot"
    assert ax.get_xlabel() == "Objective Value"
    assert ax.get_ylabel() == "Cumulative Probability"
    assert ax.get_legend() is None  # one study: nothing to tell apart
    assert ax.get_ylim()[0] == 0.0


def test_ties_count_once_each(tmp_path):
    ax = plot_edf(_told([2.0, 1.0, 2.0, 4.0]))
    ax.figure.savefig(tmp_path / "x.png")
    (line,) = ax.get_lines()
    assert _edf_at(line, 1.0) == 0.25
    assert _edf_at(line, 2.0) == 0.75
    assert _edf_at(line, 3.0) == 0.75
    assert _edf_at(line, 4.0) == 1.0


def test_several_studies_share_the_range_and_get_a_legend(tmp_path):
    low = _told([1.0, 2.0, 3.0], name="low")
    high = _told([2.0, 5.0], name="high")
    ax = plot_edf([low, high], target_name="loss")
    ax.figure.savefig(tmp_path / "x.png")
    first, second = ax.get_lines()
    assert first.get_label() == "low" and second.get_label() == "high"
    # Both run from the smallest value of any study to the largest.
    for line in (first, second):
        assert line.get_xdata()[0] == 1.0 and line.get_xdata()[-1] == 5.0
    assert _edf_at(first, 2.5) == pytest.approx(2 / 3)
    assert _edf_at(second, 2.5) == pytest.approx(1 / 2)
    assert _edf_at(second, 1.5) == 0.0
    assert first.get_color() != second.get_color()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["low", "high"]
    assert ax.get_xlabel() == "loss"


def test_multi_objective_needs_a_target(multi_objective_study, tmp_path):
    with pytest.raises(ValueError, match="target"):
        plot_edf(multi_objective_study)
    ax = plot_edf(multi_objective_study, target=lambda t: t.values[1], target_name="f1")
    ax.figure.savefig(tmp_path / "x.png")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(
        line.get_xdata()[1:-1], np.sort([t.values[1] for t in multi_objective_study.trials])
    )
    assert ax.get_xlabel() == "f1"


def test_non_finite_values_are_left_out(tmp_path):
    ax = plot_edf(_told([1.0, math.inf, 3.0, -math.inf]))
    ax.figure.savefig(tmp_path / "x.png")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata()[1:-1], [1.0, 3.0])
    np.testing.assert_allclose(line.get_ydata()[1:-1], [0.5, 1.0])


def test_study_without_complete_trials_draws_no_line(empty_study, tunekit_records, tmp_path):
    ax = plot_edf(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert ax.get_lines() == []
    assert ax.get_xlabel() == "Objective Value"
    assert any("no complete trials" in r.getMessage() for r in tunekit_records)

    # An empty study next to a full one: only the full one has a line.
    ax = plot_edf([empty_study, _told([1.0, 2.0], name="full")])
    assert [line.get_label() for line in ax.get_lines()] == ["full"]

    assert not plot_edf([]).has_data()
    assert any("no studies" in r.getMessage() for r in tunekit_records)
