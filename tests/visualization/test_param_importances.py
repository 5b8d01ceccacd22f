"""plot_param_importances: horizontal bars of get_param_importances, one group per objective."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.importance import BaseImportanceEvaluator, get_param_importances
from tunekit.trial import TrialState
from tunekit.visualization.matplotlib import plot_param_importances


class CorrelationEvaluator(BaseImportanceEvaluator):
    """Importance = |Pearson correlation| between a parameter and the target.

    Numbers are correlated on the scale they were sampled on (log10 where ``log=True``),
    categories by their index among the choices. Only trials having all ``params`` count.
    """

    def evaluate(self, study, params=None, *, target=None):
        trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if params is None:
            params = sorted(set.intersection(*(set(t.params) for t in trials)))
        trials = [t for t in trials if all(p in t.params for p in params)]
        y = np.array([t.value if target is None else target(t) for t in trials])
        importances = {}
        for name in params:
            distribution = trials[-1].distributions[name]
            raw = [t.params[name] for t in trials]
            if isinstance(distribution, CategoricalDistribution):
                x = np.array([distribution.choices.index(v) for v in raw], dtype=float)
            elif (
                isinstance(distribution, (FloatDistribution, IntDistribution)) and distribution.log
            ):
                x = np.log10(raw)
            else:
                x = np.array(raw, dtype=float)
            importances[name] = abs(float(np.corrcoef(x, y)[0, 1]))
        return dict(sorted(importances.items(), key=lambda item: -item[1]))


def _bars(ax) -> list:
    return list(ax.containers)


def _legend_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _check_bars_match(ax, expected: dict[str, float]) -> None:
    """One bar per parameter, widths = importances, most important on top, labelled values."""
    (bars,) = _bars(ax)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == list(expected)[::-1]
    widths = [patch.get_width() for patch in bars.patches]
    np.testing.assert_allclose(widths, [expected[n] for n in names])
    centres = [patch.get_y() + patch.get_height() / 2 for patch in bars.patches]
    np.testing.assert_allclose(centres, ax.get_yticks())
    labels = [t.get_text() for t in ax.texts]
    assert labels == [("<0.01" if expected[n] < 0.01 else f"{expected[n]:.2f}") for n in names]
    assert ax.get_xlim()[1] > max(widths)


def test_bars_are_the_evaluator_importances(study, tmp_path):
    ax = plot_param_importances(study, evaluator=CorrelationEvaluator())
    ax.figure.savefig(tmp_path / "x.png")
    expected = get_param_importances(study, evaluator=CorrelationEvaluator())
    assert list(expected) == ["lr", "classifier"]  # the shared parameters; lr drives the loss
    assert math.isclose(sum(expected.values()), 1.0)
    _check_bars_match(ax, expected)
    assert ax.get_xlabel() == "Hyperparameter Importance"
    assert ax.get_ylabel() == "Hyperparameter"
    assert _legend_labels(ax) == ["Objective Value"]


def test_params_and_target(study, tmp_path):
    params = ["lr", "svm_c"]  # svm_c is conditional: only the svm trials count

    def target(t):
        return -t.value

    ax = plot_param_importances(
        study, evaluator=CorrelationEvaluator(), params=params, target=target, target_name="Neg"
    )
    ax.figure.savefig(tmp_path / "x.png")
    expected = get_param_importances(
        study, evaluator=CorrelationEvaluator(), params=params, target=target
    )
    _check_bars_match(ax, expected)
    assert _legend_labels(ax) == ["Neg"]


def test_default_evaluator_is_fanova(study, tmp_path):
    pytest.importorskip("sklearn")
    from tunekit.importance import FanovaImportanceEvaluator

    ax = plot_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    ax.figure.savefig(tmp_path / "x.png")
    _check_bars_match(ax, get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0)))
    ax = plot_param_importances(study)  # evaluator=None: fANOVA with a random seed
    (bars,) = _bars(ax)
    assert len(bars.patches) == 2
    assert sum(p.get_width() for p in bars.patches) == pytest.approx(1.0)


def test_multi_objective_gets_one_bar_group_per_objective(multi_objective_study, tmp_path):
    study = multi_objective_study
    ax = plot_param_importances(study, evaluator=CorrelationEvaluator())
    ax.figure.savefig(tmp_path / "x.png")
    assert _legend_labels(ax) == ["Objective Value 0", "Objective Value 1"]
    groups = _bars(ax)
    assert len(groups) == 2
    names = [t.get_text() for t in ax.get_yticklabels()]
    for objective, bars in enumerate(groups):
        expected = get_param_importances(
            study, evaluator=CorrelationEvaluator(), target=lambda t, i=objective: t.values[i]
        )
        np.testing.assert_allclose(
            [p.get_width() for p in bars.patches], [expected[n] for n in names]
        )
    # In each group the bars sit side by side around the parameter's tick, first objective on top.
    for tick, first, second in zip(
        ax.get_yticks(), groups[0].patches, groups[1].patches, strict=True
    ):
        assert first.get_y() > second.get_y()
        centre = (first.get_y() + first.get_height() + second.get_y()) / 2
        assert centre == pytest.approx(tick)

    study.set_metric_names(["cost", "error"])
    ax = plot_param_importances(study, evaluator=CorrelationEvaluator())
    assert _legend_labels(ax) == ["cost", "error"]

    ax = plot_param_importances(
        study, evaluator=CorrelationEvaluator(), target=lambda t: t.values[1], target_name="error"
    )
    _check_bars_match(
        ax,
        get_param_importances(
            study, evaluator=CorrelationEvaluator(), target=lambda t: t.values[1]
        ),
    )


def test_unknown_param_is_named(study):
    with pytest.raises(ValueError, match="'nope'"):
        plot_param_importances(study, evaluator=CorrelationEvaluator(), params=["lr", "nope"])


def test_empty_study_gives_empty_axes(empty_study, tmp_path):
    ax = plot_param_importances(empty_study, evaluator=CorrelationEvaluator())
    ax.figure.savefig(tmp_path / "x.png")
    assert _bars(ax) == []
    assert ax.get_title() == "Hyperparameter Importances"
