"""The eleven curve families: values, vectorisation, ranges, initialisation and fits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunekit.pruners.curve.families import ALL_FAMILIES, CurveFamily, family_by_name, step_to_x
from tunekit.pruners.curve.fitting import fit_families

# For each family: (parameters, {x: expected value}), the expected values written out with the
# plain formulas of Domhan et al. (2015, Table 1) in `math` (ilog2 with log(x + 1), see
# families.py), independently of the vectorised implementation.
HAND_COMPUTED: dict[str, tuple[tuple[float, ...], dict[float, float]]] = {
    "vapor_pressure": (
        (-0.1, -2.0, 0.05),
        {1.0: math.exp(-0.1 - 2.0), 10.0: math.exp(-0.1 - 0.2 + 0.05 * math.log(10.0))},
    ),
    "pow3": ((0.9, 0.5, 0.7), {1.0: 0.4, 8.0: 0.9 - 0.5 * 8.0**-0.7}),
    "log_log_linear": (
        (0.3, 1.5),
        {1.0: math.log(1.5), 20.0: math.log(0.3 * math.log(20.0) + 1.5)},
    ),
    "hill3": (
        (0.8, 1.5, 5.0),
        {1.0: 0.8 / (5.0**1.5 + 1.0), 5.0: 0.4, 30.0: 0.8 * 30**1.5 / (5**1.5 + 30**1.5)},
    ),
    "log_power": (
        (0.85, 1.0, -1.2),
        {1.0: 0.85 / (1.0 + math.e**1.2), 40.0: 0.85 / (1.0 + (40.0 / math.e) ** -1.2)},
    ),
    "pow4": ((0.9, 0.5, 1.0, 0.8), {1.0: 0.9 - 1.5**-0.8, 12.0: 0.9 - 7.0**-0.8}),
    "mmf": (
        (0.9, 0.1, 0.2, 1.3),
        {1.0: 0.9 - 0.8 / (1.0 + 0.2**1.3), 25.0: 0.9 - 0.8 / (1.0 + 5.0**1.3)},
    ),
    "exp4": (
        (0.88, 0.6, 0.2, 0.5),
        {1.0: 0.88 - math.exp(-0.6 + 0.2), 16.0: 0.88 - math.exp(-2.4 + 0.2)},
    ),
    "janoschek": (
        (0.9, 0.2, 0.1, 0.8),
        {1.0: 0.9 - 0.7 * math.exp(-0.1), 32.0: 0.9 - 0.7 * math.exp(-0.1 * 32.0**0.8)},
    ),
    "weibull": (
        (0.9, 0.2, 0.1, 0.8),
        {1.0: 0.9 - 0.7 * math.exp(-(0.1**0.8)), 32.0: 0.9 - 0.7 * math.exp(-(3.2**0.8))},
    ),
    "ilog2": ((0.95, 0.3), {1.0: 0.95 - 0.3 / math.log(2.0), 99.0: 0.95 - 0.3 / math.log(100.0)}),
}


def test_all_eleven_families_are_present() -> None:
    assert [f.name for f in ALL_FAMILIES] == list(HAND_COMPUTED)
    assert sum(f.n_params for f in ALL_FAMILIES) == 36


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_family_matches_hand_computed_values(family: CurveFamily) -> None:
    params, expected = HAND_COMPUTED[family.name]
    xs = np.array(list(expected))
    values = family.evaluate(xs, params)
    np.testing.assert_allclose(values, list(expected.values()), rtol=1e-12, atol=1e-12)
    # The hand-computed parameters lie in the family's prior ranges.
    assert family.in_support(np.array([params]))[0]


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_vectorised_evaluation_matches_per_walker_loop(family: CurveFamily) -> None:
    rng = np.random.default_rng(7)
    theta = family.lower_array + (family.upper_array - family.lower_array) * rng.random(
        (9, family.n_params)
    )
    theta = family.clip(theta)
    x = np.array([1.0, 2.0, 5.0, 17.0, 250.0])
    batch = family.evaluate(x, theta)
    assert batch.shape == (9, 5)
    for walker in range(9):
        single = family.evaluate(x, theta[walker])
        assert single.shape == (5,)
        np.testing.assert_allclose(batch[walker], single, rtol=1e-13)
        # ... and one step at a time, as scalars.
        for step, value in zip(x, single, strict=True):
            np.testing.assert_allclose(family.evaluate(step, theta[walker])[0], value, rtol=1e-13)


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_family_is_non_decreasing_within_its_ranges(family: CurveFamily) -> None:
    # The posterior checks the bounds at x = 1 and x = m only; that is exact because every
    # family is non-decreasing for all parameters in its ranges.
    rng = np.random.default_rng(11)
    theta = family.lower_array + (family.upper_array - family.lower_array) * rng.random(
        (2000, family.n_params)
    )
    theta = theta[family.in_support(theta)]
    assert len(theta) > 500
    x = np.unique(np.geomspace(1.0, 5000.0, 200).round(3))
    values = family.evaluate(x, theta)
    finite = np.all(np.isfinite(values), axis=1)
    steps = np.diff(values[finite], axis=1)
    scale = np.maximum(np.abs(values[finite][:, 1:]), 1.0)
    assert np.all(steps >= -1e-9 * scale)


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_wrong_parameter_count_raises(family: CurveFamily) -> None:
    with pytest.raises(ValueError, match="parameters"):
        family.evaluate([1.0, 2.0], np.zeros(family.n_params + 1))


@pytest.mark.parametrize(
    "curve",
    [
        0.85 - 0.6 * np.arange(1.0, 31.0) ** -0.8,  # a typical rising curve
        np.full(30, 0.5),  # flat
        np.linspace(0.6, 0.3, 30),  # going down
        np.array([0.0, 0.0, 0.01]),  # three points at the lower bound
    ],
    ids=["rising", "flat", "falling", "near-zero"],
)
def test_initial_guess_is_strictly_inside_the_ranges(curve: np.ndarray) -> None:
    x = step_to_x(np.arange(len(curve)))
    for family in ALL_FAMILIES:
        guess = family.initial_guess(x, curve)
        assert guess.shape == (family.n_params,)
        assert family.in_support(guess[None, :])[0], family.name
        assert np.all(np.isfinite(family.evaluate(x, guess))), family.name


def test_clip_restores_the_ordering_constraint() -> None:
    mmf = family_by_name("mmf")
    clipped = mmf.clip([0.3, 0.8, 0.1, 1.0])  # beta above alpha: not increasing
    assert clipped[1] <= clipped[0]
    assert mmf.in_support(clipped[None, :])[0]


def test_step_to_x_is_step_plus_one() -> None:
    np.testing.assert_array_equal(step_to_x([0, 4, 99]), [1.0, 5.0, 100.0])


def test_scipy_fit_recovers_noiseless_parameters() -> None:
    x = np.arange(1.0, 41.0)
    fit = family_by_name("pow3").fit(x, 0.9 - 0.5 * x**-0.7)
    assert fit is not None
    np.testing.assert_allclose(fit.params, [0.9, 0.5, 0.7], atol=1e-3)
    assert fit.rss < 1e-8
    assert fit.covariance.shape == (3, 3)


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_batched_least_squares_fits_curves_of_each_family(family: CurveFamily) -> None:
    params, _ = HAND_COMPUTED[family.name]
    x = np.arange(1.0, 41.0)
    noise = np.random.default_rng(3).normal(0.0, 0.005, len(x))
    y = family.evaluate(x, params) + noise
    fits = fit_families(x, y)
    assert len(fits) == len(ALL_FAMILIES)
    own = fits[[f.name for f in ALL_FAMILIES].index(family.name)]
    assert own is not None
    assert family.in_support(own.params[None, :])[0]
    # The family that generated the curve fits it to about the noise level, and at least as
    # well as SciPy's least_squares does on its own (a little slack for local optima).
    rmse = math.sqrt(own.rss / len(x))
    assert rmse < 0.01
    scipy_fit = family.fit(x, y, max_nfev=500)
    assert scipy_fit is not None
    assert own.rss <= 1.5 * scipy_fit.rss + 1e-6


def test_batched_least_squares_survives_odd_curves() -> None:
    x = np.arange(1.0, 6.0)
    for y in (np.full(5, 0.3), np.linspace(0.5, 0.1, 5), np.array([0.0, 1.0, 0.0, 1.0, 0.0])):
        fits = fit_families(x, y)
        assert len(fits) == len(ALL_FAMILIES)
        for fit in fits:
            if fit is not None:
                assert np.isfinite(fit.rss)
                assert fit.family.in_support(fit.params[None, :])[0]
                assert np.all(np.isfinite(fit.covariance))
