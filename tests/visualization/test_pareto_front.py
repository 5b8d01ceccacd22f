"""plot_pareto_front: front, dominated and infeasible trials in 2-D and 3-D."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from matplotlib.colors import same_color

import tunekit
from tunekit.study import _pareto_front_mask
from tunekit.trial import TrialState
from tunekit.visualization._utils import BEST_COLOR, COMPLETE_COLOR, INFEASIBLE_COLOR
from tunekit.visualization.matplotlib import plot_pareto_front


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


def _collection(ax, label):
    matches = [c for c in ax.collections if c.get_label() == label]
    assert len(matches) == 1, [c.get_label() for c in ax.collections]
    return matches[0]


def _labels(ax) -> list[str]:
    return [c.get_label() for c in ax.collections]


def _as_set(points) -> set[tuple[float, ...]]:
    return {tuple(np.round(p, 12)) for p in np.asarray(points)}


def _told(rows, directions) -> tunekit.Study:
    study = tunekit.create_study(directions=directions)
    for row in rows:
        study.tell(study.ask(), row)
    return study


def test_front_is_highlighted_and_dominated_trials_are_lighter(multi_objective_study, tmp_path):
    ax = plot_pareto_front(multi_objective_study)
    ax.figure.savefig(tmp_path / "x.png")

    front = _collection(ax, "Best Trial")
    dominated = _collection(ax, "Trial")
    assert _as_set(front.get_offsets()) == _as_set(
        [t.values for t in multi_objective_study.best_trials]
    )
    front_numbers = {t.number for t in multi_objective_study.best_trials}
    others = [t.values for t in multi_objective_study.trials if t.number not in front_numbers]
    assert others  # the fixture has dominated trials
    assert _as_set(dominated.get_offsets()) == _as_set(others)
    assert len(front.get_offsets()) + len(dominated.get_offsets()) == 30

    assert same_color(front.get_facecolor()[0][:3], BEST_COLOR)
    assert same_color(dominated.get_facecolor()[0][:3], COMPLETE_COLOR)
    assert dominated.get_alpha() < 1.0  # lighter than the front

    assert ax.get_title() == "Pareto-front Plot"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Objective 0", "Objective 1")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Trial", "Best Trial"]


def test_staircase_joins_the_front_through_dominated_corners(multi_objective_study, tmp_path):
    ax = plot_pareto_front(multi_objective_study)
    ax.figure.savefig(tmp_path / "x.png")
    (stairs,) = ax.get_lines()
    path = np.column_stack([stairs.get_xdata(), stairs.get_ydata()])
    front = np.array(sorted(t.values for t in multi_objective_study.best_trials))
    np.testing.assert_allclose(path[0::2], front)  # every front point, by first objective
    # Minimising both: x never decreases and y never increases along the boundary.
    assert np.all(np.diff(path[:, 0]) >= 0) and np.all(np.diff(path[:, 1]) <= 0)
    # Each corner is dominated by both of its neighbours (worse in each coordinate).
    corners = path[1::2]
    np.testing.assert_allclose(corners, np.column_stack([front[1:, 0], front[:-1, 1]]))


def test_maximize_direction_decides_the_front(tmp_path):
    rows = [(1.0, 1.0), (2.0, 2.0), (3.0, 1.5), (0.5, 0.1)]
    study = _told(rows, ["maximize", "minimize"])
    ax = plot_pareto_front(study)
    ax.figure.savefig(tmp_path / "x.png")
    # (3, 1.5) beats (2, 2); (1, 1) and (0.5, 0.1) trade off against it.
    assert _as_set(_collection(ax, "Best Trial").get_offsets()) == {
        (3.0, 1.5),
        (1.0, 1.0),
        (0.5, 0.1),
    }
    assert _as_set(_collection(ax, "Trial").get_offsets()) == {(2.0, 2.0)}
    (stairs,) = ax.get_lines()
    # Maximising x and minimising y: corners take the smaller x and the larger y.
    np.testing.assert_allclose(
        np.column_stack([stairs.get_xdata(), stairs.get_ydata()]),
        [[0.5, 0.1], [0.5, 1.0], [1.0, 1.0], [1.0, 1.5], [3.0, 1.5]],
    )


def test_include_dominated_trials_false_draws_only_the_front(multi_objective_study, tmp_path):
    ax = plot_pareto_front(multi_objective_study, include_dominated_trials=False)
    ax.figure.savefig(tmp_path / "x.png")
    assert _labels(ax) == ["Best Trial"]
    assert len(ax.collections[0].get_offsets()) == len(multi_objective_study.best_trials)


def test_names_from_argument_or_metric_names(multi_objective_study, tmp_path):
    ax = plot_pareto_front(multi_objective_study, target_names=["cost", "error"])
    ax.figure.savefig(tmp_path / "x.png")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("cost", "error")
    multi_objective_study.set_metric_names(["time", "loss"])
    ax = plot_pareto_front(multi_objective_study)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time", "loss")
    with pytest.raises(ValueError, match="target_names"):
        plot_pareto_front(multi_objective_study, target_names=["only one"])


def test_axis_order_swaps_the_axes(multi_objective_study, tmp_path):
    ax = plot_pareto_front(multi_objective_study, axis_order=[1, 0])
    ax.figure.savefig(tmp_path / "x.png")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Objective 1", "Objective 0")
    assert _as_set(_collection(ax, "Best Trial").get_offsets()) == _as_set(
        [t.values[::-1] for t in multi_objective_study.best_trials]
    )
    for bad in ([0, 0], [0, 2], [0]):
        with pytest.raises(ValueError, match="axis_order"):
            plot_pareto_front(multi_objective_study, axis_order=bad)
    with pytest.raises(ValueError, match="axis_order and targets"):
        plot_pareto_front(multi_objective_study, axis_order=[1, 0], targets=lambda t: t.values)


def test_targets_choose_what_is_drawn_but_not_the_front(multi_objective_study, tmp_path):
    ax = plot_pareto_front(
        multi_objective_study,
        targets=lambda t: (t.params["x"], t.values[1]),
        target_names=["x", "f1"],
    )
    ax.figure.savefig(tmp_path / "x.png")
    assert _as_set(_collection(ax, "Best Trial").get_offsets()) == _as_set(
        [(t.params["x"], t.values[1]) for t in multi_objective_study.best_trials]
    )
    assert ax.get_lines() == []  # no staircase outside the objectives' space
    with pytest.raises(ValueError, match="sequence of 2 or 3"):
        plot_pareto_front(multi_objective_study, targets=lambda t: t.values[0])
    with pytest.raises(ValueError, match="only 2 or 3 targets"):
        plot_pareto_front(multi_objective_study, targets=lambda t: [*t.values, 0.0, 0.0])


def test_constraints_func_greys_infeasible_and_front_ignores_them(multi_objective_study, tmp_path):
    def constraints(trial):
        return [trial.params["y"] - 0.5]

    ax = plot_pareto_front(multi_objective_study, constraints_func=constraints)
    ax.figure.savefig(tmp_path / "x.png")
    trials = multi_objective_study.trials
    feasible = np.array([constraints(t)[0] <= 0 for t in trials])
    assert 0 < feasible.sum() < len(trials)
    values = np.array([t.values for t in trials])
    on_front = _pareto_front_mask(values[feasible], multi_objective_study.directions)

    infeasible = _collection(ax, "Infeasible Trial")
    assert _as_set(infeasible.get_offsets()) == _as_set(values[~feasible])
    assert same_color(infeasible.get_facecolor()[0][:3], INFEASIBLE_COLOR)
    assert _as_set(_collection(ax, "Best Trial").get_offsets()) == _as_set(
        values[feasible][on_front]
    )
    assert _as_set(_collection(ax, "Feasible Trial").get_offsets()) == _as_set(
        values[feasible][~on_front]
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Infeasible Trial", "Feasible Trial", "Best Trial"]


def test_recorded_constraints_are_used_without_constraints_func(tmp_path):
    study = tunekit.create_study(directions=["minimize", "minimize"])
    for row, constraint in [((0.0, 0.0), 1.0), ((1.0, 2.0), 0.0), ((2.0, 1.0), -1.0)]:
        trial = study.ask()
        trial.set_constraint("c", constraint)
        study.tell(trial, row)
    ax = plot_pareto_front(study)
    ax.figure.savefig(tmp_path / "x.png")
    # (0, 0) would dominate everything, but it is infeasible.
    assert _as_set(_collection(ax, "Infeasible Trial").get_offsets()) == {(0.0, 0.0)}
    assert _as_set(_collection(ax, "Best Trial").get_offsets()) == {(1.0, 2.0), (2.0, 1.0)}


def test_three_objectives_draw_on_3d_axes(tmp_path):
    rng = np.random.default_rng(0)
    rows = rng.random((25, 3))
    study = _told(rows.tolist(), ["minimize", "maximize", "minimize"])
    ax = plot_pareto_front(study, target_names=["a", "b", "c"])
    ax.figure.savefig(tmp_path / "x.png")
    assert ax.name == "3d"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("a", "b", "c")
    front = _pareto_front_mask(rows, study.directions)
    best = _collection(ax, "Best Trial")
    drawn = np.column_stack(best._offsets3d)  # the data coordinates of a 3-D scatter
    assert _as_set(drawn) == _as_set(rows[front])
    assert len(np.column_stack(_collection(ax, "Trial")._offsets3d)) == (~front).sum()
    assert ax.get_lines() == []


def test_wrong_number_of_objectives_needs_targets(study, tmp_path):
    with pytest.raises(ValueError, match="1 objective"):
        plot_pareto_front(study)
    four = _told([[1, 2, 3, 4], [4, 3, 2, 1]], ["minimize"] * 4)
    with pytest.raises(ValueError, match="4 objective"):
        plot_pareto_front(four)
    ax = plot_pareto_front(four, targets=lambda t: t.values[:2])
    ax.figure.savefig(tmp_path / "x.png")
    assert len(_collection(ax, "Best Trial").get_offsets()) == 2


def test_empty_study_draws_empty_axes_with_a_warning(tunekit_records, tmp_path):
    empty = tunekit.create_study(directions=["minimize", "minimize"])
    ax = plot_pareto_front(empty)
    ax.figure.savefig(tmp_path / "x.png")
    assert not ax.has_data()
    assert ax.get_legend() is None
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Objective 0", "Objective 1")
    assert any("no complete trials" in r.getMessage() for r in tunekit_records)

    assert (
        plot_pareto_front(empty, targets=lambda t: t.values, target_names=["a", "b", "c"]).name
        == "3d"
    )
    with pytest.raises(ValueError, match="target_names"):
        plot_pareto_front(empty, targets=lambda t: t.values)


def test_only_complete_trials_are_drawn(tmp_path):
    study = _told([(1.0, 2.0), (2.0, 1.0)], ["minimize", "minimize"])
    study.tell(study.ask(), state=TrialState.FAIL)
    study.tell(study.ask(), state=TrialState.PRUNED)
    ax = plot_pareto_front(study)
    ax.figure.savefig(tmp_path / "x.png")
    assert sum(len(c.get_offsets()) for c in ax.collections) == 2
