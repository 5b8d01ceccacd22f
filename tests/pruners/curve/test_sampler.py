"""The vectorised stretch-move ensemble sampler, on targets with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from tunekit.pruners.curve.sampler import (
    EnsembleTarget,
    FullEvaluationTarget,
    run_stretch_sampler,
    stretch_factors,
)

MEAN = np.array([1.0, -2.0, 0.5, 3.0])
# A correlated covariance with very different scales: the stretch move is affine invariant, so
# it should not care.
_A = np.array(
    [[2.0, 0.0, 0.0, 0.0], [1.5, 0.5, 0.0, 0.0], [0.0, 0.3, 0.1, 0.0], [0.2, 0.0, 0.0, 5.0]]
)
COVARIANCE = _A @ _A.T
PRECISION = np.linalg.inv(COVARIANCE)


def gaussian_log_prob(theta: np.ndarray) -> np.ndarray:
    centred = theta - MEAN
    return -0.5 * np.einsum("wi,ij,wj->w", centred, PRECISION, centred)


def initial_walkers(n_walkers: int, seed: int) -> np.ndarray:
    # Deliberately off-centre and too narrow: the sampler has to find the target.
    return MEAN + 3.0 + 0.1 * np.random.default_rng(seed).standard_normal((n_walkers, len(MEAN)))


def check_moments(samples: np.ndarray) -> None:
    standard_errors = np.sqrt(np.diag(COVARIANCE))
    # Means within 0.15 standard deviations, variances within 20%.
    np.testing.assert_array_less(np.abs(samples.mean(axis=0) - MEAN), 0.15 * standard_errors)
    np.testing.assert_allclose(np.var(samples, axis=0), np.diag(COVARIANCE), rtol=0.2)


def test_stretch_move_recovers_a_correlated_gaussian() -> None:
    run = run_stretch_sampler(
        gaussian_log_prob, initial_walkers(32, 0), n_burn_in=400, n_kept=1000, thin=2, rng=1
    )
    assert run.chain.shape == (1000, 32, 4)
    assert 0.2 < run.acceptance_rate < 0.8
    check_moments(run.samples)
    np.testing.assert_allclose(run.log_prob[-1], gaussian_log_prob(run.chain[-1]))


def test_blocked_stretch_move_recovers_a_correlated_gaussian() -> None:
    run = run_stretch_sampler(
        gaussian_log_prob,
        initial_walkers(32, 2),
        n_burn_in=400,
        n_kept=1000,
        thin=2,
        rng=3,
        blocks=[[0, 1], [2], [3, 0]],
    )
    check_moments(run.samples)


def test_sampler_is_reproducible_with_a_seed() -> None:
    first = run_stretch_sampler(
        gaussian_log_prob, initial_walkers(8, 0), n_burn_in=5, n_kept=5, rng=42
    )
    second = run_stretch_sampler(
        gaussian_log_prob, initial_walkers(8, 0), n_burn_in=5, n_kept=5, rng=42
    )
    np.testing.assert_array_equal(first.chain, second.chain)


def test_thinning_and_warm_continuation() -> None:
    run = run_stretch_sampler(
        gaussian_log_prob, initial_walkers(16, 0), n_burn_in=3, n_kept=4, thin=5, rng=0
    )
    assert run.chain.shape == (4, 16, 4)
    # The final positions are the last kept ones when the run ends on a kept step.
    np.testing.assert_array_equal(run.final_positions, run.chain[-1])
    more = run_stretch_sampler(gaussian_log_prob, run.final_positions, n_burn_in=0, n_kept=2, rng=1)
    assert more.chain.shape == (2, 16, 4)


def test_walkers_never_leave_the_support() -> None:
    def half_plane(theta: np.ndarray) -> np.ndarray:
        return np.where(theta[:, 0] > 0.0, -0.5 * np.sum(theta**2, axis=1), -np.inf)

    start = np.abs(np.random.default_rng(0).standard_normal((20, 3))) + 0.1
    run = run_stretch_sampler(half_plane, start, n_burn_in=50, n_kept=200, rng=0)
    assert np.all(run.samples[:, 0] > 0.0)
    # The half-normal's mean is sqrt(2 / pi).
    assert abs(run.samples[:, 0].mean() - np.sqrt(2.0 / np.pi)) < 0.1


def test_stretch_factors_follow_g_of_z() -> None:
    z = stretch_factors(np.random.default_rng(0), 200_000, scale=2.0)
    assert z.min() >= 0.5 and z.max() <= 2.0
    # g(z) ∝ 1/sqrt(z) on [1/2, 2]: normaliser 2 (sqrt(2) - sqrt(1/2)) = sqrt(2), mean
    # ∫ z g(z) dz = (2/3)(2^1.5 - 2^-1.5) / sqrt(2) = 7/6.
    assert abs(z.mean() - 7.0 / 6.0) < 0.005


def test_full_evaluation_target_is_an_ensemble_target() -> None:
    target = FullEvaluationTarget(gaussian_log_prob)
    assert isinstance(target, EnsembleTarget)
    positions = initial_walkers(4, 0)
    np.testing.assert_allclose(target.reset(positions), gaussian_log_prob(positions))
    values = positions[:2, [1]] + 1.0
    moved = positions[:2].copy()
    moved[:, 1] += 1.0
    np.testing.assert_allclose(
        target.propose(slice(0, 2), np.array([1]), values), gaussian_log_prob(moved)
    )


@pytest.mark.parametrize(
    ("walkers", "kwargs"),
    [
        (np.zeros((5, 2)), {}),  # odd
        (np.zeros((2, 2)), {}),  # too few
        (np.zeros(8), {}),  # not 2-D
        (np.zeros((8, 2)), {"thin": 0}),
        (np.zeros((8, 2)), {"n_kept": -1}),
    ],
)
def test_invalid_arguments_raise(walkers: np.ndarray, kwargs: dict[str, int]) -> None:
    settings = {"n_burn_in": 1, "n_kept": 1, **kwargs}
    with pytest.raises(ValueError):
        run_stretch_sampler(gaussian_log_prob, walkers, **settings)
