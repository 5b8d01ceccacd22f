"""The combined curve model: log posterior, prior constraints, block moves, initialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunekit.pruners.curve.families import ALL_FAMILIES, family_by_name
from tunekit.pruners.curve.fitting import fit_families
from tunekit.pruners.curve.posterior import CurvePosterior, initial_ensemble, repair_ensemble
from tunekit.pruners.curve.sampler import run_stretch_sampler

X = np.arange(1.0, 21.0)
Y = 0.85 - 0.55 * X**-0.6 + np.random.default_rng(0).normal(0.0, 0.01, len(X))


@pytest.fixture(scope="module")
def posterior() -> CurvePosterior:
    return CurvePosterior(X, Y, horizon=60)


@pytest.fixture(scope="module")
def walkers(posterior: CurvePosterior) -> np.ndarray:
    ensemble = initial_ensemble(posterior, fit_families(X, Y), 64, np.random.default_rng(1))
    assert ensemble is not None
    return ensemble


def test_layout_of_the_flat_vector(posterior: CurvePosterior) -> None:
    # 11 weights + 36 family parameters + log sigma.
    assert posterior.n_dim == 11 + 36 + 1
    assert posterior.lower.shape == posterior.upper.shape == (48,)
    for blocks in (
        posterior.blocks(),
        posterior.blocks(2, weight_block=False),
        posterior.blocks(11),
    ):
        covered = np.unique(np.concatenate(blocks))
        np.testing.assert_array_equal(covered, np.arange(48))


def test_log_likelihood_is_the_gaussian_formula(
    posterior: CurvePosterior, walkers: np.ndarray
) -> None:
    log_prob = posterior.log_prob(walkers)
    assert np.all(np.isfinite(log_prob))
    for walker in walkers[:5]:
        curve = posterior.mean_curve(walker[None, :], X)[0]
        sigma = math.exp(walker[-1])
        expected = -len(X) * math.log(sigma) - float(np.sum((Y - curve) ** 2)) / (2 * sigma**2)
        np.testing.assert_allclose(posterior.log_prob(walker[None, :])[0], expected, rtol=1e-10)


def test_combined_curve_is_the_weighted_family_sum(
    posterior: CurvePosterior, walkers: np.ndarray
) -> None:
    walker = walkers[0]
    weights = walker[:11] / walker[:11].sum()
    expected = sum(
        weights[k] * family.evaluate([7.0, 60.0], posterior.family_params(walker[None, :], k)[0])
        for k, family in enumerate(ALL_FAMILIES)
    )
    np.testing.assert_allclose(posterior.mean_curve(walker[None, :], [7.0, 60.0])[0], expected)
    np.testing.assert_allclose(posterior.predict(walker[None, :]), expected[1:])


def test_vectorised_log_prob_matches_per_walker_loop(
    posterior: CurvePosterior, walkers: np.ndarray
) -> None:
    rng = np.random.default_rng(5)
    # Valid walkers, jittered walkers (some invalid) and walkers far outside the box.
    batch = np.concatenate(
        [
            walkers,
            walkers * (1 + 0.05 * rng.standard_normal(walkers.shape)),
            posterior.upper + 1.0 + rng.random((3, posterior.n_dim)),
        ]
    )
    vectorised = posterior.log_prob(batch)
    one_by_one = np.array([posterior.log_prob(row[None, :])[0] for row in batch])
    np.testing.assert_array_equal(vectorised, one_by_one)
    assert np.all(vectorised[-3:] == -np.inf)


def test_float32_evaluation_is_close_to_float64(walkers: np.ndarray) -> None:
    exact = CurvePosterior(X, Y, 60, dtype=np.float64).log_prob(walkers)
    fast = CurvePosterior(X, Y, 60, dtype=np.float32).log_prob(walkers)
    np.testing.assert_allclose(fast, exact, rtol=1e-4, atol=1e-2)


def _single_family(
    name: str, params: list[float], bounds: tuple[float | None, float | None] = (0.0, 1.0)
):
    family = family_by_name(name)
    posterior = CurvePosterior(X, Y, 60, families=[family], bounds=bounds)
    return posterior, np.array([[1.0, *params, math.log(0.01)]])


def test_prior_requires_positive_weights(posterior: CurvePosterior, walkers: np.ndarray) -> None:
    walker = walkers[:1].copy()
    walker[0, 3] = 0.0
    assert posterior.log_prob(walker)[0] == -np.inf
    walker[0, 3] = -0.2
    assert posterior.log_prob(walker)[0] == -np.inf


def test_prior_requires_parameters_in_their_ranges() -> None:
    posterior, theta = _single_family("pow3", [0.85, 0.55, 0.6])
    assert np.isfinite(posterior.log_prob(theta)[0])
    theta[0, 3] = -0.1  # alpha < 0: a decreasing pow3
    assert posterior.log_prob(theta)[0] == -np.inf


def test_prior_requires_an_increasing_curve() -> None:
    # pow3 with a = 0 is flat: f(1) == f(m) is not increasing.
    posterior, theta = _single_family("pow3", [0.7, 0.0, 0.6])
    assert posterior.log_prob(theta)[0] == -np.inf


def test_prior_keeps_predictions_inside_the_bounds() -> None:
    # c - a x^-alpha with c = 1.3 passes 1 before x = 60.
    params = [1.3, 0.9, 0.5]
    bounded, theta = _single_family("pow3", params)
    assert bounded.log_prob(theta)[0] == -np.inf
    unbounded, theta = _single_family("pow3", params, bounds=(None, None))
    assert np.isfinite(unbounded.log_prob(theta)[0])
    # And below the lower bound at x = 1: c - a = -0.1.
    low, theta = _single_family("pow3", [0.8, 0.9, 0.5], bounds=(0.0, None))
    assert low.log_prob(theta)[0] == -np.inf


def test_ordering_constraint_of_weibull() -> None:
    posterior, theta = _single_family("weibull", [0.85, 0.2, 0.2, 0.8])
    assert np.isfinite(posterior.log_prob(theta)[0])
    theta[0, 1:3] = [0.2, 0.85]  # asymptote below the start: decreasing
    assert posterior.log_prob(theta)[0] == -np.inf


@pytest.mark.parametrize(("families_per_block", "weight_block"), [(1, True), (3, False), (4, True)])
def test_cached_block_moves_agree_with_full_evaluation(
    posterior: CurvePosterior, walkers: np.ndarray, families_per_block: int, weight_block: bool
) -> None:
    rng = np.random.default_rng(9)
    target = posterior.ensemble_target(families_per_block, weight_block)
    positions = walkers.copy()
    np.testing.assert_allclose(target.reset(positions), posterior.log_prob(positions))
    moving = slice(0, 32)
    with np.errstate(all="ignore"):
        for block in posterior.blocks(families_per_block, weight_block) * 2:
            values = positions[moving][:, block] * (
                1 + 0.02 * rng.standard_normal((32, len(block)))
            )
            proposed = target.propose(moving, block, values)
            full = positions[moving].copy()
            full[:, block] = values
            expected = posterior.log_prob(full)
            proposed = np.where(np.isnan(proposed), -np.inf, proposed)
            np.testing.assert_allclose(proposed, expected, rtol=1e-9)
            accepted = np.isfinite(expected) & (rng.random(32) < 0.5)
            target.commit(moving, accepted)
            positions[moving][accepted] = full[accepted]
    # After the accepted moves, the caches still describe the ensemble.
    np.testing.assert_allclose(target.reset(positions), posterior.log_prob(positions))


def test_cached_target_rejects_unknown_blocks(
    posterior: CurvePosterior, walkers: np.ndarray
) -> None:
    target = posterior.ensemble_target()
    target.reset(walkers)
    with pytest.raises(ValueError, match="blocks"):
        target.propose(slice(0, 2), np.array([0, 1]), walkers[:2, :2])


def test_blocked_sampler_on_the_posterior_keeps_walkers_valid(
    posterior: CurvePosterior, walkers: np.ndarray
) -> None:
    with np.errstate(all="ignore"):
        run = run_stretch_sampler(
            posterior.ensemble_target(),
            walkers,
            n_burn_in=5,
            n_kept=3,
            rng=0,
            blocks=posterior.blocks(),
        )
    assert 0.05 < run.acceptance_rate < 0.9
    np.testing.assert_allclose(run.final_log_prob, posterior.log_prob(run.final_positions))
    assert np.all(np.isfinite(run.log_prob))


def test_initial_ensemble_is_valid_and_spread(
    walkers: np.ndarray, posterior: CurvePosterior
) -> None:
    assert walkers.shape == (64, 48)
    assert np.all(np.isfinite(posterior.log_prob(walkers)))
    # Walkers must differ in every coordinate, or the stretch move could never move there.
    assert np.all(walkers.std(axis=0) > 0)


def test_initial_ensemble_without_any_fit_is_none(posterior: CurvePosterior) -> None:
    assert initial_ensemble(posterior, [None] * 11, 16, np.random.default_rng(0)) is None
    with pytest.raises(ValueError):
        initial_ensemble(posterior, [None] * 3, 16, np.random.default_rng(0))


def test_initial_ensemble_handles_fits_that_leave_the_bounds() -> None:
    # Values at the lower bound at first: many single-family fits dip below 0 at x = 1.
    x = np.arange(1.0, 41.0)
    y = np.clip(0.9 - 0.6 * (x / 8.0) ** -0.7, 0.0, 1.0)
    posterior = CurvePosterior(x, y, 200)
    ensemble = initial_ensemble(posterior, fit_families(x, y), 32, np.random.default_rng(0))
    assert ensemble is not None
    assert np.all(np.isfinite(posterior.log_prob(ensemble)))


def test_repair_ensemble_for_a_new_point(posterior: CurvePosterior, walkers: np.ndarray) -> None:
    longer = CurvePosterior(np.append(X, 21.0), np.append(Y, 0.8), horizon=60)
    repaired = repair_ensemble(longer, walkers, np.random.default_rng(0))
    assert repaired is not None
    assert np.all(np.isfinite(longer.log_prob(repaired)))
    # Walkers that are still valid are kept as they are.
    still_valid = np.isfinite(longer.log_prob(walkers))
    np.testing.assert_array_equal(repaired[still_valid], walkers[still_valid])
    # An ensemble of the wrong size, or mostly invalid, is not reused.
    assert repair_ensemble(longer, walkers[:, :10], np.random.default_rng(0)) is None
    assert repair_ensemble(longer, np.zeros_like(walkers), np.random.default_rng(0)) is None


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError):
        CurvePosterior([0.0, 1.0], [0.1, 0.2], 10)  # x must be >= 1
    with pytest.raises(ValueError):
        CurvePosterior([1.0, 2.0], [0.1], 10)
