"""Mean decrease impurity: the forest's feature importances, one-hot columns summed."""

from __future__ import annotations

import numpy as np
import pytest

from tunekit.distributions import CategoricalDistribution, FloatDistribution
from tunekit.importance import MeanDecreaseImpurityImportanceEvaluator, get_param_importances

sklearn_ensemble = pytest.importorskip("sklearn.ensemble")

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_only_the_parameter_in_the_objective_matters(uniform_study, seed: int) -> None:
    study = uniform_study(lambda x: (x[:, 0] - 0.3) ** 2, 3, 200, seed)
    importances = get_param_importances(
        study, evaluator=MeanDecreaseImpurityImportanceEvaluator(n_trees=32, seed=seed)
    )
    assert list(importances)[0] == "x0"
    assert importances["x0"] > 0.8


def test_equals_the_forests_feature_importances_with_one_hot_columns_summed(
    study_from_columns,
) -> None:
    rng = np.random.default_rng(0)
    n = 120
    choices = ["a", "b", "c"]
    kind = rng.integers(0, 3, n)
    x = rng.random(n)
    values = np.array([0.0, 1.0, 3.0])[kind] + x
    study = study_from_columns(
        {"kind": CategoricalDistribution(choices), "x": FloatDistribution(0, 1)},
        {"kind": [choices[i] for i in kind], "x": x},
        values,
    )
    importances = MeanDecreaseImpurityImportanceEvaluator(n_trees=10, seed=3).evaluate(study)

    # The same forest fitted by hand on the same encoding: parameters in order kind, x.
    features = np.column_stack([np.eye(3)[kind], x])
    forest = sklearn_ensemble.RandomForestRegressor(n_estimators=10, max_depth=64, random_state=3)
    column_importances = forest.fit(features, values).feature_importances_
    assert importances == pytest.approx(
        {"kind": column_importances[:3].sum(), "x": column_importances[3]}, rel=1e-12
    )
    assert list(importances) == ["kind", "x"]


def test_same_seed_same_importances(uniform_study) -> None:
    study = uniform_study(lambda x: x[:, 0] + x[:, 1] * x[:, 2], 3, 60, 1)

    def run(seed: int) -> dict[str, float]:
        evaluator = MeanDecreaseImpurityImportanceEvaluator(n_trees=8, seed=seed)
        return get_param_importances(study, evaluator=evaluator)

    assert run(4) == run(4)
    assert run(4) != run(5)


def test_constant_objective_gives_an_even_split(uniform_study) -> None:
    study = uniform_study(lambda x: np.zeros(len(x)), 2, 20, 0)
    evaluator = MeanDecreaseImpurityImportanceEvaluator(n_trees=4, seed=0)
    assert get_param_importances(study, evaluator=evaluator, normalize=False) == {
        "x0": 0.0,
        "x1": 0.0,
    }
    assert get_param_importances(study, evaluator=evaluator) == {"x0": 0.5, "x1": 0.5}


def test_bad_arguments_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="MeanDecreaseImpurityImportanceEvaluator: `max_depth`"):
        MeanDecreaseImpurityImportanceEvaluator(max_depth=0)
