"""fANOVA: exact against brute force on single trees, and known variance splits on forests."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tunekit.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from tunekit.importance import FanovaImportanceEvaluator, get_param_importances
from tunekit.importance._fanova import _leaf_boxes, _main_effect_fractions

sklearn_tree = pytest.importorskip("sklearn.tree")

SEEDS = (0, 1, 2)


# ------------------------------------------------------------------ exact, against brute force


def _cells(edges_per_dim: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Midpoints and widths of the cells between consecutive edges, per dimension."""
    midpoints = [(e[:-1] + e[1:]) / 2 for e in edges_per_dim]
    widths = [np.diff(e) for e in edges_per_dim]
    return midpoints, widths


def _brute_force_fractions(
    predict, axes_points: list[np.ndarray], axes_weights: list[np.ndarray]
) -> np.ndarray:
    """Main-effect fractions by evaluating ``predict`` on the full product grid of the axes.

    Axis ``i`` is a list of points (each a row of the model's input block for that axis) with
    weights summing to 1; the grid's weight is the product.
    """
    shape = [len(w) for w in axes_weights]
    index_grid = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1)
    index_grid = index_grid.reshape(-1, len(shape))
    rows = np.hstack([axes_points[i][index_grid[:, i]] for i in range(len(shape))])
    prediction = predict(rows).reshape(shape)
    weight = np.ones(shape)
    for i, w in enumerate(axes_weights):
        weight = weight * w.reshape([-1 if j == i else 1 for j in range(len(shape))])
    mean = np.sum(weight * prediction)
    total = np.sum(weight * (prediction - mean) ** 2)
    fractions = []
    for i, w in enumerate(axes_weights):
        others = tuple(j for j in range(len(shape)) if j != i)
        marginal = np.sum(weight * prediction, axis=others) / w
        fractions.append(np.sum(w * (marginal - mean) ** 2) / total)
    return np.array(fractions)


def _thresholds_of(tree, column: int) -> np.ndarray:
    inner = tree.tree_.children_left != -1
    return tree.tree_.threshold[inner & (tree.tree_.feature == column)]


@pytest.mark.parametrize("seed", SEEDS)
def test_numeric_fractions_equal_brute_force_over_the_trees_cells(seed: int) -> None:
    rng = np.random.default_rng(seed)
    inputs = rng.random((300, 3))
    target = np.sin(6 * inputs[:, 0]) + 2 * inputs[:, 1] * inputs[:, 2] + 0.1 * rng.normal(size=300)
    tree = sklearn_tree.DecisionTreeRegressor(max_depth=6, random_state=seed)
    tree.fit(inputs, target)

    fractions = _main_effect_fractions(tree.tree_, np.arange(3), [0, 0, 0])

    # The tree is constant between its thresholds: one point per cell integrates it exactly.
    edges = [np.unique(np.r_[0.0, _thresholds_of(tree, c), 1.0]) for c in range(3)]
    midpoints, widths = _cells(edges)
    expected = _brute_force_fractions(
        tree.predict, [m[:, None] for m in midpoints], [w for w in widths]
    )
    np.testing.assert_allclose(fractions, expected, rtol=1e-9, atol=1e-12)
    assert 0.0 < fractions.sum() <= 1.0 + 1e-12


def test_numeric_fractions_match_a_dense_regular_grid() -> None:
    rng = np.random.default_rng(7)
    inputs = rng.random((200, 2))
    target = (inputs[:, 0] > 0.3) * 2.0 + inputs[:, 1] + inputs[:, 0] * inputs[:, 1]
    tree = sklearn_tree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(inputs, target)

    fractions = _main_effect_fractions(tree.tree_, np.arange(2), [0, 0])

    # An independent check that knows nothing of thresholds: average on a fine regular grid.
    n = 801
    points = (np.arange(n) + 0.5) / n
    weights = np.full(n, 1.0 / n)
    expected = _brute_force_fractions(tree.predict, [points[:, None]] * 2, [weights] * 2)
    np.testing.assert_allclose(fractions, expected, atol=5e-3)


def test_categorical_fractions_equal_brute_force_over_choices_and_cells() -> None:
    rng = np.random.default_rng(3)
    n = 400
    choice = rng.integers(0, 4, n)
    numeric = rng.random((n, 2))
    inputs = np.hstack([numeric[:, :1], np.eye(4)[choice], numeric[:, 1:]])
    effect = np.array([0.0, 1.0, -0.5, 2.0])
    target = effect[choice] * (1 + numeric[:, 0]) + np.cos(5 * numeric[:, 1])
    tree = sklearn_tree.DecisionTreeRegressor(max_depth=7, random_state=0).fit(inputs, target)
    column_owner = np.array([0, 1, 1, 1, 1, 2])

    fractions = _main_effect_fractions(tree.tree_, column_owner, [0, 4, 0])

    edges = [np.unique(np.r_[0.0, _thresholds_of(tree, c), 1.0]) for c in (0, 5)]
    midpoints, widths = _cells(edges)
    expected = _brute_force_fractions(
        tree.predict,
        [midpoints[0][:, None], np.eye(4), midpoints[1][:, None]],
        [widths[0], np.full(4, 0.25), widths[1]],
    )
    np.testing.assert_allclose(fractions, expected, rtol=1e-9, atol=1e-12)


def test_leaf_boxes_partition_the_space_and_hold_the_leaf_predictions() -> None:
    rng = np.random.default_rng(11)
    inputs = rng.random((150, 3))
    target = inputs @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=150) * 0.1
    tree = sklearn_tree.DecisionTreeRegressor(max_depth=6, random_state=0).fit(inputs, target)

    lower, upper, values = _leaf_boxes(tree.tree_, 3)

    probes = rng.random((2000, 3))
    inside = np.all((lower[None] < probes[:, None]) & (probes[:, None] <= upper[None]), axis=2)
    np.testing.assert_array_equal(inside.sum(axis=1), 1)  # every point in exactly one leaf
    np.testing.assert_allclose(values[inside.argmax(axis=1)], tree.predict(probes))


def test_a_constant_tree_has_no_fractions() -> None:
    inputs = np.random.default_rng(0).random((20, 2))
    tree = sklearn_tree.DecisionTreeRegressor().fit(inputs, np.full(20, 3.0))
    assert _main_effect_fractions(tree.tree_, np.arange(2), [0, 0]) is None


# ----------------------------------------------------------------- forests, known variance split


@pytest.mark.parametrize("seed", SEEDS)
def test_only_the_parameter_in_the_objective_matters(uniform_study, seed: int) -> None:
    study = uniform_study(lambda x: (x[:, 0] - 0.3) ** 2, 3, 200, seed)
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(n_trees=32, seed=seed)
    )
    assert list(importances)[0] == "x0"
    assert importances["x0"] > 0.8


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("a, b", [(2.0, 1.0), (1.0, 1.0), (1.0, 3.0)])
def test_additive_linear_function_splits_variance_as_a2_over_a2_plus_b2(
    uniform_study, seed: int, a: float, b: float
) -> None:
    study = uniform_study(lambda x: a * x[:, 0] + b * x[:, 1], 2, 300, seed)
    raw = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(n_trees=32, seed=seed), normalize=False
    )
    expected = a**2 / (a**2 + b**2)
    assert raw["x0"] / (raw["x0"] + raw["x1"]) == pytest.approx(expected, abs=0.05)
    # No interaction: the main effects explain (nearly) all of the forest's variance.
    assert 0.9 < raw["x0"] + raw["x1"] <= 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_product_leaves_a_seventh_of_the_variance_to_the_interaction(
    uniform_study, seed: int
) -> None:
    # f = x * z on [0, 1]^2: Var f = 1/9 - 1/16 = 7/144, each main effect Var(x / 2) = 3/144.
    study = uniform_study(lambda x: x[:, 0] * x[:, 1], 2, 400, seed)
    raw = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(n_trees=32, seed=seed), normalize=False
    )
    assert raw["x0"] == pytest.approx(3 / 7, abs=0.06)
    assert raw["x1"] == pytest.approx(3 / 7, abs=0.06)


@pytest.mark.parametrize("seed", SEEDS)
def test_log_parameters_are_assessed_on_their_log_scale(study_from_columns, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    lr = 10 ** rng.uniform(-5, -1, n)
    z = rng.random(n)
    # A step at 1e-3 splits the log range in half (variance 1/4); on a linear scale it would
    # cut off 1% of the range (variance ~0.01). z adds 0.25^2 / 12 * 4 = 1/48.
    values = (lr < 1e-3) + 0.5 * z
    study = study_from_columns(
        {"lr": FloatDistribution(1e-5, 1e-1, log=True), "z": FloatDistribution(0, 1)},
        {"lr": lr, "z": z},
        values,
    )
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(n_trees=32, seed=seed)
    )
    assert importances["lr"] == pytest.approx(12 / 13, abs=0.04)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_parameter_is_one_parameter_uniform_over_its_choices(
    study_from_columns, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    choices = ["adam", "sgd", "rmsprop"]
    optimizer = rng.integers(0, 3, n)
    x = rng.random(n)
    effect = np.array([0.0, 1.0, 2.0])  # variance over equally likely choices: 2/3
    values = effect[optimizer] + 2.0 * x  # variance of 2x: 1/3
    study = study_from_columns(
        {"optimizer": CategoricalDistribution(choices), "x": FloatDistribution(0, 1)},
        {"optimizer": [choices[i] for i in optimizer], "x": x},
        values,
    )
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(n_trees=32, seed=seed)
    )
    assert set(importances) == {"optimizer", "x"}
    assert importances["optimizer"] == pytest.approx(2 / 3, abs=0.05)


@pytest.mark.parametrize("seed", SEEDS)
def test_integer_and_stepped_parameters(study_from_columns, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    layers = rng.integers(1, 9, n)
    dropout = rng.integers(0, 6, n) * 0.1
    study = study_from_columns(
        {"layers": IntDistribution(1, 8), "dropout": FloatDistribution(0.0, 0.5, step=0.1)},
        {"layers": layers, "dropout": dropout},
        (layers - 4.5) ** 2 + 0.1 * dropout,
    )
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(n_trees=32, seed=seed)
    )
    assert list(importances) == ["layers", "dropout"]
    assert importances["layers"] > 0.95


def test_same_seed_same_importances_and_other_seed_other_importances(uniform_study) -> None:
    study = uniform_study(lambda x: x[:, 0] + 0.5 * x[:, 1] * x[:, 2], 3, 80, 0)

    def run(seed: int) -> dict[str, float]:
        return get_param_importances(
            study, evaluator=FanovaImportanceEvaluator(n_trees=16, seed=seed), normalize=False
        )

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_constant_objective_gives_an_even_split_or_zeros(uniform_study) -> None:
    study = uniform_study(lambda x: np.full(len(x), 2.5), 3, 30, 0)
    evaluator = FanovaImportanceEvaluator(n_trees=8, seed=0)
    assert get_param_importances(study, evaluator=evaluator, normalize=False) == {
        "x0": 0.0,
        "x1": 0.0,
        "x2": 0.0,
    }
    assert get_param_importances(study, evaluator=evaluator) == pytest.approx(
        {"x0": 1 / 3, "x1": 1 / 3, "x2": 1 / 3}
    )


def test_single_valued_parameter_gets_zero(study_from_columns) -> None:
    rng = np.random.default_rng(0)
    x = rng.random(40)
    study = study_from_columns(
        {"x": FloatDistribution(0, 1), "fixed": IntDistribution(3, 3)},
        {"x": x, "fixed": np.full(40, 3)},
        x**2,
    )
    importances = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    assert importances == {"x": 1.0, "fixed": 0.0}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_trees": 0}, "n_trees"),
        ({"max_depth": 1.5}, "max_depth"),
        ({"n_trees": True}, "n_trees"),
        ({"seed": -1}, "seed"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_bad_arguments_are_rejected_by_name(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=f"FanovaImportanceEvaluator: `{message}`"):
        FanovaImportanceEvaluator(**kwargs)


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        FanovaImportanceEvaluator(64)  # type: ignore[misc]


def test_a_categorical_that_alone_decides_the_tree_gets_everything() -> None:
    inputs = np.array(list(itertools.product([0.0, 1.0], repeat=2)))
    valid = inputs[inputs.sum(axis=1) == 1]
    tree = sklearn_tree.DecisionTreeRegressor().fit(valid, [0.0, 1.0])
    fractions = _main_effect_fractions(tree.tree_, np.array([0, 0]), [2])
    np.testing.assert_allclose(fractions, [1.0])
