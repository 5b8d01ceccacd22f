"""plot_parallel_coordinate: one polyline per trial across the objective and parameter axes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tunekit
from tunekit.trial import TrialState
from tunekit.visualization.matplotlib import plot_parallel_coordinate
from tunekit.visualization.matplotlib._parallel_coordinate import MISSING_POSITION

NAMES = ["classifier", "forest_depth", "lr", "svm_c"]


def _lines(ax):
    from matplotlib.collections import LineCollection

    found = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(found) == 1
    return found[0]


def _dimension_axes(ax) -> dict:
    """The twin Axes of each vertical axis, by the name each carries as its label."""
    return {a.get_label(): a for a in ax.figure.axes if a is not ax and a.get_label()}


def _tick_labels(axis_owner) -> list[str]:
    return [t.get_text() for t in axis_owner.get_yticklabels()]


def _complete(study):
    return study.get_trials(states=(TrialState.COMPLETE,))


def test_one_polyline_per_complete_trial(study, tmp_path):
    ax = plot_parallel_coordinate(study)
    ax.figure.savefig(tmp_path / "x.png")
    lines = _lines(ax)
    complete = _complete(study)
    segments = lines.get_segments()
    assert len(segments) == len(complete)
    np.testing.assert_allclose(sorted(lines.get_array()), sorted(t.value for t in complete))
    for segment in segments:
        np.testing.assert_array_equal(segment[:, 0], np.arange(1 + len(NAMES)))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Objective Value", *NAMES]
    colorbar_axes = [a for a in ax.figure.axes if a.get_label() == "<colorbar>"]
    assert [a.get_ylabel() for a in colorbar_axes] == ["Objective Value"]


def test_heights_follow_the_study_values(study, tmp_path):
    ax = plot_parallel_coordinate(study)
    ax.figure.savefig(tmp_path / "x.png")
    lines = _lines(ax)
    trial_of = {t.value: t for t in _complete(study)}
    complete = list(trial_of.values())
    values = np.array([t.value for t in complete])
    log_lr = np.log10([t.params["lr"] for t in complete])
    log_c = np.log10([t.params["svm_c"] for t in complete if "svm_c" in t.params])
    choices = ["svm", "forest"]  # the distribution's order
    for value, segment in zip(lines.get_array(), lines.get_segments(), strict=True):
        trial = trial_of[value]
        heights = dict(zip(["objective", *NAMES], segment[:, 1], strict=True))
        assert heights["objective"] == pytest.approx(
            (value - values.min()) / (values.max() - values.min())
        )
        assert heights["lr"] == pytest.approx(
            (math.log10(trial.params["lr"]) - log_lr.min()) / np.ptp(log_lr)
        )
        assert heights["classifier"] == pytest.approx(choices.index(trial.params["classifier"]))
        if "svm_c" in trial.params:
            assert heights["svm_c"] == pytest.approx(
                (math.log10(trial.params["svm_c"]) - log_c.min()) / np.ptp(log_c)
            )
            assert heights["forest_depth"] == MISSING_POSITION
        else:
            assert heights["svm_c"] == MISSING_POSITION
            assert 0.0 <= heights["forest_depth"] <= 1.0


def test_axes_scales_and_tick_labels(study, tmp_path):
    ax = plot_parallel_coordinate(study)
    ax.figure.savefig(tmp_path / "x.png")
    dims = _dimension_axes(ax)
    assert set(NAMES) | {"objective"} <= set(dims)
    assert dims["lr"].get_yscale() == "log"
    assert dims["svm_c"].get_yscale() == "log"
    assert dims["forest_depth"].get_yscale() == "log"
    assert dims["objective"].get_yscale() == "linear"
    assert dims["classifier"].get_yscale() == "linear"
    assert _tick_labels(dims["classifier"]) == ["svm", "forest"]
    # Conditional parameters end with the slot of the trials that lack them.
    assert _tick_labels(dims["svm_c"])[-1] == "None"
    assert _tick_labels(dims["forest_depth"])[-1] == "None"
    assert "None" not in _tick_labels(dims["lr"])
    # Log ticks are labelled in the parameter's units, inside the observed range.
    lrs = [t.params["lr"] for t in _complete(study)]
    ticks = [float(text) for text in _tick_labels(dims["lr"])]
    assert len(ticks) >= 2
    assert all(min(lrs) <= v <= max(lrs) for v in ticks)
    # The twin's limits put the lowest and highest lr at heights 0 and 1 of the shared frame.
    low, high = dims["lr"].get_ylim()
    frame_low, frame_high = ax.get_ylim()
    span = math.log10(max(lrs)) - math.log10(min(lrs))
    assert math.log10(low) == pytest.approx(math.log10(min(lrs)) + frame_low * span)
    assert math.log10(high) == pytest.approx(math.log10(min(lrs)) + frame_high * span)


def test_params_choose_and_order_the_axes(study, tmp_path):
    ax = plot_parallel_coordinate(study, params=["lr", "classifier"])
    ax.figure.savefig(tmp_path / "x.png")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Objective Value", "lr", "classifier"]
    heights = np.array([s[:, 1] for s in _lines(ax).get_segments()])
    assert heights.shape == (len(_complete(study)), 3)
    # Every trial has both: nothing at the missing slot, each axis spans [0, 1].
    np.testing.assert_allclose(heights.min(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(heights.max(axis=0), 1.0)
    assert "None" not in _tick_labels(_dimension_axes(ax)["lr"])


def test_target_and_target_name(study, tmp_path):
    ax = plot_parallel_coordinate(study, target=lambda t: -t.value, target_name="Negated")
    ax.figure.savefig(tmp_path / "x.png")
    lines = _lines(ax)
    np.testing.assert_allclose(
        sorted(lines.get_array()), sorted(-t.value for t in _complete(study))
    )
    assert ax.get_xticklabels()[0].get_text() == "Negated"
    assert [a.get_ylabel() for a in ax.figure.axes if a.get_label() == "<colorbar>"] == ["Negated"]


def test_colour_map_follows_the_direction():
    study = tunekit.create_study(direction="maximize", sampler=tunekit.samplers.RandomSampler(0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    assert _lines(plot_parallel_coordinate(study)).get_cmap().name == "Blues"
    study = tunekit.create_study(direction="minimize", sampler=tunekit.samplers.RandomSampler(0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    lines = _lines(plot_parallel_coordinate(study))
    assert lines.get_cmap().name == "Blues_r"
    # Best (lowest) drawn last, on top, darkest; the worst still visible on white.
    values = lines.get_array()
    assert values[-1] == min(values)
    best, worst = lines.to_rgba(min(values)), lines.to_rgba(max(values))
    assert sum(best[:3]) < sum(worst[:3]) < 2.7


def test_infinite_values_are_left_out(tmp_path):
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(0))
    study.enqueue_trial({"x": 0.5})
    study.optimize(lambda t: math.inf if t.number == 0 else t.suggest_float("x", 0, 1), 6)
    ax = plot_parallel_coordinate(study)
    ax.figure.savefig(tmp_path / "x.png")
    assert len(_lines(ax).get_segments()) == 5


def test_unknown_param_is_named(study):
    with pytest.raises(ValueError, match="'nope'"):
        plot_parallel_coordinate(study, params=["lr", "nope"])


def test_multi_objective_needs_a_target(multi_objective_study, tmp_path):
    with pytest.raises(ValueError, match="target"):
        plot_parallel_coordinate(multi_objective_study)
    ax = plot_parallel_coordinate(multi_objective_study, target=lambda t: t.values[1])
    ax.figure.savefig(tmp_path / "x.png")
    assert len(_lines(ax).get_segments()) == len(multi_objective_study.trials)


def test_empty_study_gives_empty_axes(empty_study, tmp_path):
    ax = plot_parallel_coordinate(empty_study)
    ax.figure.savefig(tmp_path / "x.png")
    assert len(ax.collections) == 0
    assert len(ax.lines) == 0


def test_missing_slot_is_told_apart_from_a_none_choice(tmp_path):
    def objective(trial):
        # Trial 5 never asks for kind, whose choices include None itself.
        kind = trial.suggest_categorical("kind", ["a", None]) if trial.number != 5 else "b"
        if trial.number == 0:
            trial.suggest_float("ghost", 0, 1)
            raise RuntimeError("never completes")
        if kind == "a":
            trial.suggest_float("only_a", 0, 1)
        return trial.number

    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
    study.enqueue_trial({"kind": "a"})
    study.enqueue_trial({"kind": "a"})
    study.enqueue_trial({"kind": None})
    study.optimize(objective, n_trials=6, catch=(RuntimeError,))
    ax = plot_parallel_coordinate(study, params=["ghost", "kind", "only_a"])
    ax.figure.savefig(tmp_path / "x.png")
    dims = _dimension_axes(ax)
    # No completed trial has "ghost": its axis has only the missing slot.
    assert _tick_labels(dims["ghost"]) == ["None"]
    assert _tick_labels(dims["kind"]) == ["a", "None", "(missing)"]
    assert _tick_labels(dims["only_a"])[-1] == "None"
    heights = np.array([s[:, 1] for s in _lines(ax).get_segments()])
    assert (heights[:, 1] == MISSING_POSITION).all()
    assert (heights[:, 2] == MISSING_POSITION).sum() == 1
