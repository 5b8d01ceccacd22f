"""The Gaussian truncated to an interval: log-masses, log-densities and sampling, vectorised.

Every function takes broadcastable arrays (a kernel's mean ``mu`` and width ``sigma`` against a
batch of points) and works through ``scipy.special.log_ndtr``/``ndtri``, so a whole
(candidates x kernels x parameters) block is one array operation; ``scipy.stats.truncnorm``
would cost a Python call per kernel.

Example
-------
>>> import numpy as np
>>> float(np.exp(log_gauss_mass(np.array(-1.0), np.array(1.0))))  # doctest: +ELLIPSIS
0.6826...
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

from tunekit.samplers._special import log1mexp

__all__ = ["log_gauss_mass", "logpdf", "log_interval_mass", "sample"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def log_gauss_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for standardised bounds ``a <= b``, stable in both tails.

    On the upper tail (``a > 0``) the symmetric form ``Phi(-a) - Phi(-b)`` keeps precision that
    ``1 - tiny`` would lose.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    upper = a > 0.0
    lo = np.where(upper, -b, a)
    hi = np.where(upper, -a, b)
    log_hi = log_ndtr(hi)
    with np.errstate(invalid="ignore"):
        return log_hi + log1mexp(log_ndtr(lo) - log_hi)


def logpdf(
    x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, low: float = 0.0, high: float = 1.0
) -> np.ndarray:
    """Log-density at ``x`` of ``N(mu, sigma^2)`` truncated to ``[low, high]``."""
    z = (x - mu) / sigma
    log_norm = log_gauss_mass((low - mu) / sigma, (high - mu) / sigma)
    return -0.5 * z * z - _LOG_SQRT_2PI - np.log(sigma) - log_norm


def log_interval_mass(
    lower: np.ndarray,
    upper: np.ndarray,
    mu: np.ndarray,
    sigma: np.ndarray,
    low: float = 0.0,
    high: float = 1.0,
) -> np.ndarray:
    """Log-probability that ``N(mu, sigma^2)`` truncated to ``[low, high]`` falls in ``[lower, upper]``.

    This is the discretised kernel: a grid point owns the cell ``[lower, upper]`` around it and
    the cells tile ``[low, high]``, so the masses of all grid points sum to one.
    """
    log_cell = log_gauss_mass((lower - mu) / sigma, (upper - mu) / sigma)
    return log_cell - log_gauss_mass((low - mu) / sigma, (high - mu) / sigma)


def sample(
    rng: np.random.Generator,
    mu: np.ndarray,
    sigma: np.ndarray,
    low: float = 0.0,
    high: float = 1.0,
) -> np.ndarray:
    """Draw one value per element of ``mu``/``sigma`` from the Gaussian truncated to ``[low, high]``.

    Inverse-CDF sampling. Kernel means lie inside ``[low, high]``, so ``Phi(a) <= 1/2 <= Phi(b)``
    and the difference never cancels; a mean outside the interval still gives a value inside it
    (the result is clipped).
    """
    mu, sigma = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float))
    cdf_low = ndtr((low - mu) / sigma)
    cdf_high = ndtr((high - mu) / sigma)
    u = cdf_low + rng.random(mu.shape) * (cdf_high - cdf_low)
    u = np.clip(u, 1e-300, 1.0 - 1e-16)
    return np.clip(mu + sigma * ndtri(u), low, high)
