"""plot_slice: the objective against each parameter, one panel per parameter."""

from __future__ import annotations

import numpy as np
import pytest

import tunekit
from tunekit.trial import TrialState
from tunekit.visualization.matplotlib import plot_slice

NAMES = ["classifier", "forest_depth", "lr", "svm_c"]


def _points(ax):
    from matplotlib.collections import PathCollection

    found = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(found) == 1
    return found[0]


def _complete(study):
    return study.get_trials(states=(TrialState.COMPLETE,))


def _colorbar_labels(fig) -> list[str]:
    return [a.get_ylabel() for a in fig.axes if a.get_label() == "<colorbar>"]


def test_one_panel_per_parameter_with_the_trials_that_have_it(study, tmp_path):
    axes = plot_slice(study)
    axes[0].figure.savefig(tmp_path / "x.png")
    assert isinstance(axes, np.ndarray) and axes.shape == (len(NAMES),)
    assert [ax.get_xlabel() for ax in axes] == NAMES
    complete = _complete(study)
    for ax, name in zip(axes, NAMES, strict=True):
        having = [t for t in complete if name in t.params]
        points = _points(ax)
        offsets = np.asarray(points.get_offsets())
        assert len(offsets) == len(having) > 0
        np.testing.assert_allclose(offsets[:, 1], [t.value for t in having])
        np.testing.assert_array_equal(points.get_array(), [t.number for t in having])
        if name == "classifier":
            expected_x = [["svm", "forest"].index(t.params[name]) for t in having]
        else:
            expected_x = [t.params[name] for t in having]
        np.testing.assert_allclose(offsets[:, 0], expected_x)
    assert axes[0].get_ylabel() == "Objective Value"
    assert _colorbar_labels(axes[0].figure) == ["Trial"]


def test_scales_and_category_labels(study, tmp_path):
    axes = dict(zip(NAMES, plot_slice(study), strict=True))
    axes["lr"].figure.savefig(tmp_path / "x.png")
    assert axes["lr"].get_xscale() == "log"
    assert axes["svm_c"].get_xscale() == "log"
    assert axes["forest_depth"].get_xscale() == "log"
    assert axes["classifier"].get_xscale() == "linear"
    assert [t.get_text() for t in axes["classifier"].get_xticklabels()] == ["svm", "forest"]
    # The narrow log axis (2..32) is labelled with plain numbers, not crowded minor labels.
    depth_labels = [t.get_text() for t in axes["forest_depth"].get_xticklabels()]
    low, high = axes["forest_depth"].get_xlim()
    visible = [
        text
        for text, tick in zip(depth_labels, axes["forest_depth"].get_xticks(), strict=True)
        if low <= tick <= high
    ]
    assert visible and all(text.isdigit() for text in visible)


def test_one_parameter_gives_one_axes(study, tmp_path):
    ax = plot_slice(study, params=["lr"], target_name="Loss")
    ax.figure.savefig(tmp_path / "x.png")
    assert ax.get_xlabel() == "lr"
    assert ax.get_ylabel() == "Loss"
    assert len(_points(ax).get_offsets()) == len(_complete(study))


def test_panels_wrap_after_four(tmp_path):
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: sum(t.suggest_float(f"p{i}", 0, 1) for i in range(5)), n_trials=8)
    axes = plot_slice(study)
    axes[0].figure.savefig(tmp_path / "x.png")
    assert [ax.get_xlabel() for ax in axes] == [f"p{i}" for i in range(5)]
    rows = {round(ax.get_position().y0, 3) for ax in axes}
    assert len(rows) == 2
    # Only the panels and the colour bar: no empty leftover panels.
    assert len(axes[0].figure.axes) == 6


def test_target_on_a_multi_objective_study(multi_objective_study, tmp_path):
    with pytest.raises(ValueError, match="target"):
        plot_slice(multi_objective_study)
    axes = plot_slice(multi_objective_study, target=lambda t: t.values[1], target_name="f1")
    axes[0].figure.savefig(tmp_path / "x.png")
    offsets = np.asarray(_points(axes[0]).get_offsets())
    np.testing.assert_allclose(offsets[:, 1], [t.values[1] for t in multi_objective_study.trials])
    assert axes[0].get_ylabel() == "f1"


def test_unknown_param_is_named(study):
    with pytest.raises(ValueError, match="'missing'"):
        plot_slice(study, params=["missing"])


def test_empty_study_gives_empty_axes(empty_study, tmp_path):
    ax = plot_slice(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert len(ax.collections) == 0
