"""plot_timeline: one bar per started trial, from start to completion, coloured by state."""

from __future__ import annotations

import datetime
import logging

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.colors import same_color

import tunekit
from tunekit.trial import TrialState, create_trial
from tunekit.visualization._utils import INFEASIBLE_COLOR, STATE_COLORS
from tunekit.visualization.matplotlib import plot_timeline

DAY = 86400.0


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


def _bars_by_number(ax) -> dict[int, object]:
    bars = {}
    for bar in ax.patches:
        number = round(bar.get_y() + bar.get_height() / 2)
        assert number not in bars
        bars[number] = bar
    return bars


def _study_with_times(spans, tz=None, states=None, system_attrs=None) -> tunekit.Study:
    """Trials added with given (start second, end second) after 10:00:00 on a fixed day."""
    base = datetime.datetime(2026, 1, 5, 10, 0, 0, tzinfo=tz)
    study = tunekit.create_study()
    for i, (start, end) in enumerate(spans):
        state = states[i] if states else TrialState.COMPLETE
        trial = create_trial(
            state=state,
            value=1.0 if state == TrialState.COMPLETE else None,
            system_attrs=(system_attrs or {}).get(i),
        )
        trial.datetime_start = base + datetime.timedelta(seconds=start)
        trial.datetime_complete = base + datetime.timedelta(seconds=end)
        study.add_trial(trial)
    return study


def test_one_bar_per_trial_from_start_to_completion(study, tmp_path):
    ax = plot_timeline(study)
    ax.figure.savefig(tmp_path / "x.png")

    trials = study.trials
    bars = _bars_by_number(ax)
    assert sorted(bars) == [t.number for t in trials]
    for trial in trials:
        bar = bars[trial.number]
        assert bar.get_x() == pytest.approx(mdates.date2num(trial.datetime_start), abs=1e-9)
        assert bar.get_width() * DAY == pytest.approx(
            trial.duration.total_seconds(), rel=1e-6, abs=1e-6
        )
        assert same_color(bar.get_facecolor(), STATE_COLORS[trial.state])

    assert ax.get_title() == "Timeline Plot"
    assert ax.get_xlabel() == "Datetime"
    assert ax.get_ylabel() == "Trial"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["COMPLETE", "PRUNED", "FAIL"]
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


def test_trials_running_at_the_same_time_overlap(tmp_path):
    # Two workers: trial 1 starts while trial 0 runs; trial 2 after both.
    study = _study_with_times([(0, 10), (5, 15), (20, 21)])
    ax = plot_timeline(study)
    ax.figure.savefig(tmp_path / "x.png")
    bars = _bars_by_number(ax)
    spans = {n: (b.get_x(), b.get_x() + b.get_width()) for n, b in bars.items()}
    assert spans[1][0] < spans[0][1]  # overlap in time
    assert spans[2][0] > max(spans[0][1], spans[1][1])
    assert (spans[0][1] - spans[0][0]) * DAY == pytest.approx(10.0, abs=1e-4)
    assert (spans[1][0] - spans[0][0]) * DAY == pytest.approx(5.0, abs=1e-4)
    low, high = ax.get_xlim()  # a margin on both sides, not flush with the first start
    assert low < spans[0][0] and high > spans[2][1]


def test_aware_datetimes_are_labelled_in_their_zone(tmp_path):
    zone = datetime.timezone(datetime.timedelta(hours=9))
    ax = plot_timeline(_study_with_times([(0, 10), (10, 20)], tz=zone))
    ax.figure.savefig(tmp_path / "x.png")
    # 10:00 at UTC+9 is 01:00 UTC; the labels keep the trials' own clock.
    assert ax.xaxis.get_major_formatter().get_offset() == "2026-Jan-05 10:00"
    start = datetime.datetime(2026, 1, 5, 10, 0, 0, tzinfo=zone)
    assert _bars_by_number(ax)[0].get_x() == pytest.approx(mdates.date2num(start))


def test_running_trial_reaches_now_and_waiting_trial_is_not_drawn(tmp_path):
    study = tunekit.create_study()
    study.tell(study.ask(), 1.0)
    running = study.ask()
    study.enqueue_trial({"x": 0.5})
    before = datetime.datetime.now()
    ax = plot_timeline(study)
    after = datetime.datetime.now()
    ax.figure.savefig(tmp_path / "x.png")

    bars = _bars_by_number(ax)
    assert sorted(bars) == [0, 1]  # the waiting trial 2 has no time span
    bar = bars[running.number]
    end = bar.get_x() + bar.get_width()
    assert mdates.date2num(before) - 1e-9 <= end <= mdates.date2num(after) + 1e-9
    assert same_color(bar.get_facecolor(), STATE_COLORS[TrialState.RUNNING])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["COMPLETE", "RUNNING"]


def test_infeasible_complete_trials_are_hatched(tmp_path):
    study = _study_with_times([(0, 1), (1, 2)], system_attrs={1: {"constraints": [0.5]}})
    ax = plot_timeline(study)
    ax.figure.savefig(tmp_path / "x.png")
    bars = _bars_by_number(ax)
    assert same_color(bars[1].get_facecolor(), INFEASIBLE_COLOR)
    assert bars[1].get_hatch() == "///"
    assert bars[0].get_hatch() is None
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["COMPLETE", "INFEASIBLE"]


def test_n_recent_trials_keeps_the_last_ones(study, tmp_path):
    ax = plot_timeline(study, n_recent_trials=10)
    ax.figure.savefig(tmp_path / "x.png")
    assert sorted(_bars_by_number(ax)) == list(range(30, 40))
    assert len(plot_timeline(study, n_recent_trials=1000).patches) == len(study.trials)


@pytest.mark.parametrize("bad", [0, -3])
def test_n_recent_trials_must_be_positive(study, bad):
    with pytest.raises(
        ValueError, match=f"n_recent_trials must be a positive int or None, got {bad}"
    ):
        plot_timeline(study, n_recent_trials=bad)


@pytest.mark.parametrize("bad", [2.5, "3", True])
def test_n_recent_trials_must_be_an_int(study, bad):
    with pytest.raises(TypeError, match="n_recent_trials"):
        plot_timeline(study, n_recent_trials=bad)  # type: ignore[arg-type]


def test_n_recent_trials_accepts_numpy_ints(study):
    ax = plot_timeline(study, n_recent_trials=np.int64(3))
    assert sorted(_bars_by_number(ax)) == [37, 38, 39]


def test_empty_study_draws_empty_axes_with_a_warning(empty_study, tunekit_records, tmp_path):
    ax = plot_timeline(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert len(ax.patches) == 0
    assert ax.get_legend() is None
    assert ax.get_xlabel() == "Datetime"
    assert any("no started trials" in r.getMessage() for r in tunekit_records)


def test_reversed_times_are_warned_about(tunekit_records, tmp_path):
    ax = plot_timeline(_study_with_times([(10, 5)]))
    ax.figure.savefig(tmp_path / "x.png")
    assert len(ax.patches) == 1
    assert any("before it started" in r.getMessage() for r in tunekit_records)
