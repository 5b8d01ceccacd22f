"""Tests of the HPOlib synthetic benchmark functions and the problem registry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from benchmarks.problems import PROBLEMS, get_problem
from benchmarks.problems.synthetic import (
    PROBLEMS as SYNTHETIC_PROBLEMS,
)
from benchmarks.problems.synthetic import (
    SyntheticProblem,
    ackley,
    branin,
    camelback,
    goldstein_price,
    hartmann3,
    hartmann6,
    rosenbrock,
)

SYNTHETIC = sorted(SYNTHETIC_PROBLEMS.values(), key=lambda problem: problem.name)
SYNTHETIC_IDS = [problem.name for problem in SYNTHETIC]


def _close(value: float, expected: float, tolerance: float = 1e-9) -> bool:
    # 1e-9 relative for large values, absolute for values near 0.
    return abs(value - expected) <= tolerance * max(1.0, abs(expected))


def _uniform_points(problem: SyntheticProblem, n: int, seed: int) -> np.ndarray:
    low, high = np.array(problem.bounds).T
    return np.random.default_rng(seed).uniform(low, high, size=(n, problem.dim))


def test_registry_contains_the_hpolib_functions() -> None:
    assert set(SYNTHETIC_PROBLEMS) == {
        "branin",
        "camelback",
        "goldstein_price",
        "hartmann3",
        "hartmann6",
        "rosenbrock2",
        "rosenbrock5",
        "rosenbrock10",
        "levy10",
        "ackley10",
    }
    for name, problem in SYNTHETIC_PROBLEMS.items():
        assert problem.name == name
        assert problem.kind == "synthetic"
        assert PROBLEMS[name] is problem


def test_get_problem_unknown_name_lists_available() -> None:
    assert get_problem("branin") is PROBLEMS["branin"]
    with pytest.raises(KeyError) as info:
        get_problem("no_such_problem")
    message = str(info.value)
    assert "no_such_problem" in message
    assert "branin" in message and "svm_digits" in message


@pytest.mark.parametrize(
    ("name", "dim", "bounds"),
    [
        ("branin", 2, ((-5.0, 10.0), (0.0, 15.0))),
        ("camelback", 2, ((-3.0, 3.0), (-2.0, 2.0))),
        ("goldstein_price", 2, ((-2.0, 2.0),) * 2),
        ("hartmann3", 3, ((0.0, 1.0),) * 3),
        ("hartmann6", 6, ((0.0, 1.0),) * 6),
        ("rosenbrock2", 2, ((-5.0, 10.0),) * 2),
        ("rosenbrock5", 5, ((-5.0, 10.0),) * 5),
        ("rosenbrock10", 10, ((-5.0, 10.0),) * 10),
        ("levy10", 10, ((-10.0, 10.0),) * 10),
        ("ackley10", 10, ((-32.768, 32.768),) * 10),
    ],
)
def test_bounds_and_dimensions(name: str, dim: int, bounds: tuple) -> None:
    problem = SYNTHETIC_PROBLEMS[name]
    assert problem.dim == dim
    assert problem.bounds == bounds
    assert problem.log == (False,) * dim


@pytest.mark.parametrize(
    ("name", "literature_f_star"),
    [
        ("branin", 0.397887357729738),
        ("camelback", -1.0316284534898774),
        ("goldstein_price", 3.0),
        ("hartmann3", -3.86278214782076),
        ("hartmann6", -3.32236801141551),
        ("rosenbrock2", 0.0),
        ("rosenbrock5", 0.0),
        ("rosenbrock10", 0.0),
        ("levy10", 0.0),
        ("ackley10", 0.0),
    ],
)
def test_f_star_matches_literature(name: str, literature_f_star: float) -> None:
    # Literature values are printed with ~15 significant digits.
    assert SYNTHETIC_PROBLEMS[name].f_star == pytest.approx(literature_f_star, rel=1e-13, abs=1e-13)


@pytest.mark.parametrize("problem", SYNTHETIC, ids=SYNTHETIC_IDS)
def test_value_at_every_minimizer_is_f_star(problem: SyntheticProblem) -> None:
    assert problem.minimizers
    for minimizer in problem.minimizers:
        assert all(
            low <= x <= high for x, (low, high) in zip(minimizer, problem.bounds, strict=True)
        )
        assert _close(problem(np.array(minimizer)), problem.f_star)


@pytest.mark.parametrize("problem", SYNTHETIC, ids=SYNTHETIC_IDS)
def test_no_random_point_is_below_f_star(problem: SyntheticProblem) -> None:
    points = _uniform_points(problem, 10_000, seed=0)
    values = problem(points)
    assert isinstance(values, np.ndarray)
    assert values.shape == (10_000,)
    assert np.all(np.isfinite(values))
    assert values.min() >= problem.f_star - 1e-9


@pytest.mark.parametrize("problem", SYNTHETIC, ids=SYNTHETIC_IDS)
def test_vectorised_and_single_point_calls_agree(problem: SyntheticProblem) -> None:
    points = _uniform_points(problem, 64, seed=1)
    batched = problem(points)
    one_by_one = np.array([problem(point) for point in points])
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-12, atol=1e-12)
    single = problem(points[0])
    assert isinstance(single, float)
    # A (1, d) batch is still a batch.
    assert problem(points[:1]).shape == (1,)


@pytest.mark.parametrize("name", ["camelback", "hartmann3", "hartmann6"])
def test_local_search_from_refined_minimizer_finds_nothing_lower(name: str) -> None:
    problem = SYNTHETIC_PROBLEMS[name]
    for minimizer in problem.minimizers:
        result = minimize(problem, np.array(minimizer), method="L-BFGS-B", bounds=problem.bounds)
        assert result.fun >= problem.f_star - 1e-12


@pytest.mark.parametrize(
    ("name", "point", "rounded_f_star"),
    [
        # Rounded minimisers as printed in the literature still land within 1e-6.
        ("camelback", (0.0898, -0.7126), -1.0316),
        ("camelback", (-0.0898, 0.7126), -1.0316),
        ("hartmann3", (0.114614, 0.555649, 0.852547), -3.86278),
        ("hartmann6", (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573), -3.32237),
    ],
)
def test_literature_minimizers_give_literature_values(
    name: str, point: tuple[float, ...], rounded_f_star: float
) -> None:
    problem = SYNTHETIC_PROBLEMS[name]
    value = problem(np.array(point))
    assert value == pytest.approx(rounded_f_star, abs=1e-4)
    assert 0.0 <= value - problem.f_star < 1e-6


def test_values_worked_out_by_hand() -> None:
    # branin(0, 0) = (-6)^2 + 10 (1 - 1/(8 pi)) + 10.
    assert branin(np.array([0.0, 0.0])) == pytest.approx(56.0 - 10.0 / (8.0 * math.pi), rel=1e-14)
    # camelback(1, 1) = (4 - 2.1 + 1/3) + 1 + 0.
    assert camelback(np.array([1.0, 1.0])) == pytest.approx(4.0 - 2.1 + 1.0 / 3.0 + 1.0, rel=1e-14)
    # goldstein_price(0, 0) = (1 + 19) * (30 + 0).
    assert goldstein_price(np.array([0.0, 0.0])) == pytest.approx(600.0, rel=1e-14)
    # rosenbrock(0, ..., 0) = d - 1.
    assert rosenbrock(np.zeros(7)) == pytest.approx(6.0, rel=1e-14)
    # ackley(1, ..., 1) = 20 (1 - exp(-0.2)), since cos(2 pi) = 1.
    assert ackley(np.ones(10)) == pytest.approx(20.0 * (1.0 - math.exp(-0.2)), rel=1e-12)
    # Every Hartmann term is negative, and term i equals -alpha_i at its centre P_i.
    alpha = (1.0, 1.2, 3.0, 3.2)
    centres3 = [
        (0.3689, 0.1170, 0.2673),
        (0.4699, 0.4387, 0.7470),
        (0.1091, 0.8732, 0.5547),
        (0.03815, 0.5743, 0.8828),
    ]
    values3 = hartmann3(np.array(centres3))
    assert np.all(values3 < -np.array(alpha)) and np.all(values3 > -sum(alpha))
    centres6 = [
        (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
        (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
        (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
        (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
    ]
    values6 = hartmann6(np.array(centres6))
    assert np.all(values6 < -np.array(alpha)) and np.all(values6 > -sum(alpha))


def test_wrong_dimension_is_rejected() -> None:
    with pytest.raises(ValueError, match="coordinates"):
        branin(np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        hartmann6(np.zeros((2, 3, 6)))


@pytest.mark.parametrize("problem", SYNTHETIC, ids=SYNTHETIC_IDS)
def test_objective_with_fake_trial(problem: SyntheticProblem, fake_trial) -> None:
    trial = fake_trial()
    value = problem.objective(trial)
    midpoint = np.array([(low + high) / 2.0 for low, high in problem.bounds])
    assert list(trial.params) == [f"x{i}" for i in range(problem.dim)]
    assert value == problem(midpoint)
    assert problem.regret(value) == value - problem.f_star
    assert problem.regret(value) >= -1e-9


@pytest.mark.parametrize("problem", SYNTHETIC, ids=SYNTHETIC_IDS)
def test_objective_at_minimizer_has_zero_regret(problem: SyntheticProblem, fake_trial) -> None:
    minimizer = problem.minimizers[0]
    trial = fake_trial(fixed={f"x{i}": x for i, x in enumerate(minimizer)})
    assert abs(problem.regret(problem.objective(trial))) <= 1e-9 * max(1.0, abs(problem.f_star))


def test_problem_is_frozen_and_validates_dimensions() -> None:
    problem = SYNTHETIC_PROBLEMS["branin"]
    with pytest.raises(AttributeError):
        problem.f_star = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        SyntheticProblem("bad", ((0.0, 1.0),), 0.0, ((0.0, 0.0),), rosenbrock)
    with pytest.raises(ValueError):
        SyntheticProblem("bad", ((0.0, 1.0),), 0.0, ((0.0,),), rosenbrock, log=(False, True))


def test_log_flag_is_passed_to_the_trial(fake_trial) -> None:
    problem = SyntheticProblem(
        name="log_sphere",
        bounds=((1e-3, 1e3), (-1.0, 1.0)),
        f_star=0.0,
        minimizers=((1.0, 0.0),),
        function=lambda x: float(np.log10(x[0]) ** 2 + x[1] ** 2),
        log=(True, False),
    )
    trial = fake_trial()
    problem.objective(trial)
    # The fake answers a log-scale float with the geometric midpoint.
    assert trial.params["x0"] == pytest.approx(1.0)
    assert trial.params["x1"] == 0.0


def test_every_registered_problem_satisfies_the_problem_protocol() -> None:
    from benchmarks.problems import Problem

    assert len(PROBLEMS) == 16
    for name, problem in PROBLEMS.items():
        assert isinstance(problem, Problem), name
        assert problem.kind in {"synthetic", "mixed", "ml"}
        assert problem.regret(problem.f_star) == 0.0
