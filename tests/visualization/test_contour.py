"""plot_contour: the objective interpolated over pairs of parameters, with the trials on top."""

from __future__ import annotations

import numpy as np
import pytest

import tunekit
from tunekit.trial import TrialState
from tunekit.visualization.matplotlib import plot_contour
from tunekit.visualization.matplotlib._contour import _interpolate

NAMES = ["classifier", "forest_depth", "lr", "svm_c"]


def _points(ax):
    from matplotlib.collections import PathCollection

    found = [c for c in ax.collections if type(c) is PathCollection]
    assert len(found) <= 1
    return np.asarray(found[0].get_offsets()) if found else np.empty((0, 2))


def _contour_sets(ax) -> list:
    from matplotlib.contour import ContourSet

    return [c for c in ax.collections if isinstance(c, ContourSet)]


def _complete(study):
    return study.get_trials(states=(TrialState.COMPLETE,))


def _colorbar_labels(fig) -> list[str]:
    return [a.get_ylabel() for a in fig.axes if a.get_label() == "<colorbar>"]


def test_matrix_of_pairs_shows_the_trials(study, tmp_path):
    grid = plot_contour(study)
    fig = grid[0, 0].figure
    fig.savefig(tmp_path / "x.png")
    assert isinstance(grid, np.ndarray) and grid.shape == (4, 4)
    assert [ax.get_xlabel() for ax in grid[-1, :]] == NAMES
    assert [ax.get_ylabel() for ax in grid[:, 0]] == NAMES
    for j, name in enumerate(NAMES):
        expected = "log" if name != "classifier" else "linear"
        assert {ax.get_xscale() for ax in grid[:, j]} == {expected}
        assert {ax.get_yscale() for ax in grid[j, :]} == {expected}
    assert [t.get_text() for t in grid[-1, 0].get_xticklabels()] == ["svm", "forest"]
    assert [t.get_text() for t in grid[0, 0].get_yticklabels()] == ["svm", "forest"]
    assert _colorbar_labels(fig) == ["Objective Value"]
    complete = _complete(study)
    for i, y_name in enumerate(NAMES):
        for j, x_name in enumerate(NAMES):
            points = _points(grid[i, j])
            if i == j:
                assert len(points) == 0 and not _contour_sets(grid[i, j])
                continue
            having = [t for t in complete if x_name in t.params and y_name in t.params]
            assert len(points) == len(having)

    # The points are the trials' values (the 4x4 figure is slow to draw: checked here, once).
    having = [t for t in complete if "svm_c" in t.params]
    points = _points(grid[NAMES.index("svm_c"), NAMES.index("lr")])  # x = lr, y = svm_c
    np.testing.assert_allclose(
        sorted(map(tuple, points)), sorted((t.params["lr"], t.params["svm_c"]) for t in having)
    )
    assert _contour_sets(grid[NAMES.index("svm_c"), NAMES.index("lr")])
    # Categories: x at the choice's position.
    points = _points(grid[NAMES.index("lr"), 0])
    expected = [(["svm", "forest"].index(t.params["classifier"]), t.params["lr"]) for t in complete]
    np.testing.assert_allclose(sorted(map(tuple, points)), sorted(expected))

    # Parameters of different branches never meet: no points, no contour, a note.
    ax = grid[NAMES.index("svm_c"), NAMES.index("forest_depth")]
    assert len(_points(ax)) == 0
    assert not _contour_sets(ax)
    assert [t.get_text() for t in ax.texts] == ["no trial has both"]


def test_two_params_give_one_axes(study, tmp_path):
    ax = plot_contour(study, params=["lr", "classifier"], target_name="Loss")
    ax.figure.savefig(tmp_path / "x.png")
    assert not isinstance(ax, np.ndarray)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("lr", "classifier")
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["svm", "forest"]
    assert len(_points(ax)) == len(_complete(study))
    # One band per category, interpolated along lr only.
    assert len(_contour_sets(ax)) == 2
    assert _colorbar_labels(ax.figure) == ["Loss"]


def test_interpolation_is_linear_between_trials():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, 30), rng.uniform(0, 2, 30)
    grid_x, grid_y, grid_z = _interpolate(x, y, 2.0 * x - y)
    inside = np.isfinite(grid_z)
    assert inside.mean() > 0.5
    np.testing.assert_allclose(grid_z[inside], 2.0 * grid_x[inside] - grid_y[inside], atol=1e-9)
    assert _interpolate(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0]), np.ones(3)) is None


def test_contour_levels_cover_the_values(tmp_path):
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=1))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + 10 * t.suggest_float("y", 0, 1), 25)
    ax = plot_contour(study)
    ax.figure.savefig(tmp_path / "x.png")
    (contour,) = [c for c in _contour_sets(ax) if c.filled]
    values = [t.value for t in study.trials]
    assert contour.levels[0] <= min(values) and contour.levels[-1] >= max(values)
    assert ax.get_xscale() == "linear" and ax.get_yscale() == "linear"


def test_fewer_than_two_params_warn_and_give_empty_axes(study, capsys, tmp_path):
    ax = plot_contour(study, params=["lr"])
    ax.figure.savefig(tmp_path / "x.png")
    assert len(ax.collections) == 0
    assert "at least two parameters" in capsys.readouterr().err


def test_unknown_param_is_named(study):
    with pytest.raises(ValueError, match="'nope'"):
        plot_contour(study, params=["lr", "nope"])


def test_multi_objective_needs_a_target(multi_objective_study, tmp_path):
    with pytest.raises(ValueError, match="target"):
        plot_contour(multi_objective_study)
    ax = plot_contour(multi_objective_study, target=lambda t: t.values[0])
    ax.figure.savefig(tmp_path / "x.png")
    assert len(_points(ax)) == len(multi_objective_study.trials)


def test_empty_study_gives_empty_axes(empty_study, tmp_path):
    ax = plot_contour(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert len(ax.collections) == 0
