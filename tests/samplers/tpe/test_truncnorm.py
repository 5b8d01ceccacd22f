"""The truncated Gaussian helpers against scipy.stats and numerical integration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tunekit.samplers.tpe import truncnorm


@pytest.mark.parametrize(
    ("a", "b"), [(-1.0, 1.0), (-40.0, -39.0), (39.0, 40.0), (2.0, 2.5), (-0.1, 0.0)]
)
def test_log_gauss_mass_matches_scipy_also_in_the_tails(a: float, b: float) -> None:
    # Reference: the mass on the lower side of 0, where logcdf is accurate far into the tail.
    lo, hi = (a, b) if a <= 0 else (-b, -a)
    log_hi = stats.norm.logcdf(hi)
    expected = log_hi + np.log1p(-np.exp(stats.norm.logcdf(lo) - log_hi))
    got = float(truncnorm.log_gauss_mass(np.array(a), np.array(b)))
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-9)


def test_logpdf_matches_scipy_truncnorm() -> None:
    x = np.linspace(0.0, 1.0, 11)
    mu, sigma = 0.3, 0.2
    expected = stats.truncnorm.logpdf(x, (0 - mu) / sigma, (1 - mu) / sigma, loc=mu, scale=sigma)
    np.testing.assert_allclose(truncnorm.logpdf(x, mu, sigma), expected, rtol=1e-10)


def test_interval_masses_of_a_tiling_sum_to_one() -> None:
    edges = np.linspace(0.0, 1.0, 8)
    mu = np.array([0.0, 0.5, 0.97])[:, None]
    sigma = np.array([0.01, 0.3, 2.0])[:, None]
    masses = np.exp(truncnorm.log_interval_mass(edges[None, :-1], edges[None, 1:], mu, sigma))
    np.testing.assert_allclose(masses.sum(axis=1), 1.0, rtol=1e-10)


def test_samples_stay_inside_and_follow_the_distribution() -> None:
    rng = np.random.default_rng(0)
    mu, sigma = 0.9, 0.3
    draws = truncnorm.sample(rng, np.full(20000, mu), np.full(20000, sigma))
    assert draws.min() >= 0.0 and draws.max() <= 1.0
    reference = stats.truncnorm((0 - mu) / sigma, (1 - mu) / sigma, loc=mu, scale=sigma)
    assert stats.kstest(draws, reference.cdf).pvalue > 1e-3
