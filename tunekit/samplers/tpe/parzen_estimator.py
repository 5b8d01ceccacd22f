"""The Parzen estimator: a weighted mixture of kernels, one per observation plus a prior.

TPE keeps two of these, ``l(x)`` over the good trials and ``g(x)`` over the rest, and proposes
the candidate that maximises ``log l(x) - log g(x)``. All work happens in the unit space of
:mod:`tunekit.distributions` (numbers mapped to [0, 1], log-transformed where ``log=True``).

Kernels, one factor per parameter (a product kernel when several parameters are modelled
jointly):

* continuous floats: a Gaussian truncated to [0, 1];
* integers and stepped floats: the same Gaussian *discretised*: grid point ``v`` gets the mass the
  truncated Gaussian puts on the cell ``[v - step/2, v + step/2]`` (in unit space). The cells tile
  [0, 1], so no mass falls outside the grid;
* categoricals: the Aitchison-Aitken kernel, ``1 - b`` on the observed choice and ``b / (C - 1)``
  on each other one (Watanabe 2023, Sec. 3.4, "categorical kernel"), with ``b = (C-1)/(C+n)``:
  smoothing that fades as observations accumulate.

The prior (``prior_weight``) is one more kernel: a Gaussian of width 1 at the centre of [0, 1]
for numbers, the uniform distribution for categoricals. It keeps the estimator proper with few
observations and leaves every region some probability (Watanabe 2023, Sec. 3.3).

Bandwidth rule (Watanabe 2023, Sec. 3.2):

* joint (multivariate) model: every kernel gets ``sigma = 0.05 * n ** (-1 / (D + 4))`` of the
  unit range, Scott's rate for ``n`` points in ``D`` dimensions. The scale 0.05 (Optuna uses
  0.2) was tuned on the HPOlib functions: narrower kernels exploit the good group more, and the
  prior kernel keeps the exploration. A data-driven size (Scott's rule on the spread of the good
  points) collapsed onto local optima in our runs and is not used; a data-driven shape is (see
  ``anisotropic`` below). The "magic clip" floor is 0.01 of the range. ``bandwidth_scale``
  multiplies the width: the sampler uses it to shrink the good group's kernels at the rate of
  the whole study, ``(N / n) ** (-1 / (D + 4))`` for ``n`` good of ``N`` finished trials, to
  make the bad group's 0.7 times as wide, and to widen both in the first trials (the good
  group's by ``min(3, 60 / N)``, the bad group's by its square root), so the search does not
  lock onto the basin its start-up trials happened to find. With ``anisotropic`` (the sampler sets it for the good
  group) the kernels take the good points' shape: dimension ``d`` is widened or narrowed by
  ``(s_d / s_geo) ** 0.5``, clipped to [1/4, 4], where ``s_d`` is the weighted spread of the
  good points along ``d`` and ``s_geo`` the geometric mean of the spreads. The overall scale
  stays the fixed one above (it is the shape, not the size, that comes from the data), so a good
  group strung out along a shallow valley (Hartmann3's first coordinate) samples along the
  valley instead of across its steep walls; the width may then go below the magic clip, down to
  ``1e-3``, except along integer and stepped parameters, where it stops at one grid cell (or at
  the isotropic width, if that is narrower): good points that share one grid value have no
  spread there, and a kernel narrower than a cell would never step off that value;
* independent (univariate) model: Bergstra et al. (2011)'s rule: the distance to the farther of
  the two neighbours in sorted order (``consider_endpoints`` counts the domain ends as
  neighbours), clipped below by the magic clip ``1 / min(100, n + 1)`` of Bergstra's code
  (``magic_clip_n`` replaces ``n``: for the good group of a parameter modelled on its own in a
  multivariate study, the sampler passes the number of finished trials that have it);
* without the magic clip the floor is ``1e-3``; widths never exceed the range (1).

Example
-------
>>> import numpy as np
>>> from tunekit.distributions import FloatDistribution
>>> space = {"x": FloatDistribution(0.0, 10.0)}
>>> estimator = ParzenEstimator({"x": np.array([1.0, 2.0, 3.0])}, space, np.ones(3))
>>> samples = estimator.sample(np.random.default_rng(0), 5)
>>> bool(np.all((samples["x"] >= 0) & (samples["x"] <= 10)))
True
>>> estimator.log_pdf(samples).shape
(5,)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from tunekit.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    from_unit,
    to_unit,
)
from tunekit.samplers.tpe import truncnorm

__all__ = ["ParzenEstimator", "ParzenEstimatorParameters"]

_PRIOR_SIGMA = 1.0
# Tuned on HPOlib seeds 0-19 (benchmarks/tpe_vs_optuna.py): narrower than Optuna's 0.2.
_MULTIVARIATE_BANDWIDTH = 0.05
_MULTIVARIATE_MAGIC_CLIP = 0.01
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_MIN_SIGMA_WITHOUT_CLIP = 1e-3
# Anisotropic kernels: per-dimension factor (spread / geometric-mean spread) ** 0.5, within
# [1/4, 4]. The square root is halfway between isotropic kernels and Scott's per-dimension rule;
# the full rule (power 1) lost Hartmann6/Rosenbrock5 what it gained on Hartmann3 (HPOlib
# functions and Levy/Ackley/mixed/conditional, seeds 0-79).
_ANISOTROPY_POWER = 0.5
_ANISOTROPY_LIMITS = (0.25, 4.0)


@dataclass(frozen=True)
class ParzenEstimatorParameters:
    """The knobs of one estimator (all from :class:`~tunekit.samplers.tpe.TPESampler`).

    ``magic_clip_n`` is the count in the univariate magic clip ``1 / min(100, n + 1)``;
    ``None`` counts this estimator's own observations.

    Example
    -------
    >>> ParzenEstimatorParameters(prior_weight=0.5).prior_weight
    0.5
    """

    prior_weight: float = 1.0
    consider_magic_clip: bool = True
    consider_endpoints: bool = False
    multivariate: bool = True
    bandwidth_scale: float = 1.0
    anisotropic: bool = False
    magic_clip_n: int | None = None


def _half_step(dist: BaseDistribution) -> float:
    if isinstance(dist, IntDistribution):
        return 0.5 * dist.step
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        return 0.5 * dist.step
    return 0.0


class ParzenEstimator:
    """A kernel mixture over ``search_space`` fitted to ``observations``.

    Parameters
    ----------
    observations:
        Parameter name -> array of ``n`` values in the internal representation (the number for
        floats and ints, the choice index for categoricals). Numbers outside the current range
        (a dynamic space) are clipped into it.
    search_space:
        Parameter name -> distribution; the estimator models these jointly (a product kernel).
    weights:
        ``n`` non-negative weights of the observations.
    parameters:
        Prior, clipping and bandwidth settings.

    Example
    -------
    >>> import numpy as np
    >>> from tunekit.distributions import CategoricalDistribution
    >>> space = {"c": CategoricalDistribution(["a", "b", "c"])}
    >>> estimator = ParzenEstimator({"c": np.array([0, 0, 0])}, space, np.ones(3))
    >>> p = np.exp(estimator.log_pdf({"c": np.array([0, 1, 2])}))
    >>> bool(p[0] > p[1]) and bool(abs(p.sum() - 1.0) < 1e-12)
    True
    """

    def __init__(
        self,
        observations: dict[str, np.ndarray],
        search_space: dict[str, BaseDistribution],
        weights: np.ndarray,
        parameters: ParzenEstimatorParameters | None = None,
    ) -> None:
        parameters = parameters or ParzenEstimatorParameters()
        self._space = search_space
        weights = np.asarray(weights, dtype=float)
        n = len(weights)
        prior_weight = parameters.prior_weight if n > 0 else 1.0
        all_weights = np.append(weights, prior_weight)
        self._log_weights = np.log(np.maximum(all_weights, 1e-300)) - np.log(all_weights.sum())
        self._weights = all_weights / all_weights.sum()

        self._numeric = [
            k for k, d in search_space.items() if not isinstance(d, CategoricalDistribution)
        ]
        self._categorical = [
            k for k, d in search_space.items() if isinstance(d, CategoricalDistribution)
        ]
        self._half_steps = np.array([_half_step(search_space[k]) for k in self._numeric])
        self._discrete = self._half_steps > 0.0

        n_numeric = len(self._numeric)
        unit = np.empty((n, n_numeric))
        # Width of each observation's grid cell in unit space (0 for continuous parameters);
        # only the anisotropic shape needs it.
        cells = np.zeros((n, n_numeric))
        for j, name in enumerate(self._numeric):
            value = np.asarray(observations[name], dtype=float)
            unit[:, j] = to_unit(search_space[name], value)  # type: ignore[arg-type]
            if self._discrete[j] and parameters.anisotropic:
                lower, upper = self._cell_bounds(j, value)
                cells[:, j] = upper - lower
        unit = np.clip(unit, 0.0, 1.0)
        sigma = self._bandwidths(unit, weights, parameters, cells)
        self._mu = np.vstack([unit, np.full((1, n_numeric), 0.5)])
        self._sigma = np.vstack([sigma, np.full((1, n_numeric), _PRIOR_SIGMA)])
        # Per-kernel constants of the continuous factors (normaliser of the truncation, width),
        # folded into the log-weights once, so a log-density costs one quadratic form per pair.
        cont = ~self._discrete
        self._log_norm = self._log_weights.copy()
        if cont.any():
            mu_c, sigma_c = self._mu[:, cont], self._sigma[:, cont]
            # Means lie in [0, 1], so Phi(b) - Phi(a) >= ~1/2 - no cancellation: plain ndtr.
            mass = ndtr((1.0 - mu_c) / sigma_c) - ndtr(-mu_c / sigma_c)
            self._log_norm -= (np.log(sigma_c) + np.log(mass) + _LOG_SQRT_2PI).sum(axis=1)
            # The quadratic form sum_d ((x_d - mu_kd) / sigma_kd)^2 expanded into two matrix
            # products: (candidates x dims) @ (dims x kernels).
            precision = 1.0 / sigma_c**2
            self._precision_t = precision.T.copy()
            self._scaled_mu_t = (mu_c * precision).T.copy()
            self._log_norm -= 0.5 * (mu_c * mu_c * precision).sum(axis=1)

        # One (n + 1) x C table of choice probabilities per categorical parameter.
        self._log_tables: list[np.ndarray] = []
        for name in self._categorical:
            n_choices = len(search_space[name].choices)  # type: ignore[attr-defined]
            indices = np.asarray(observations[name], dtype=int)
            if n_choices == 1:
                self._log_tables.append(np.zeros((n + 1, 1)))
                continue
            smoothing = (n_choices - 1) / (n_choices + n)
            table = np.full((n + 1, n_choices), smoothing / (n_choices - 1))
            table[np.arange(n), indices] = 1.0 - smoothing
            table[n] = 1.0 / n_choices
            self._log_tables.append(np.log(table))

    # ------------------------------------------------------------------------- bandwidths

    @staticmethod
    def _bandwidths(
        unit: np.ndarray,
        weights: np.ndarray,
        parameters: ParzenEstimatorParameters,
        cells: np.ndarray,
    ) -> np.ndarray:
        n, n_dims = unit.shape
        if n == 0:
            return np.empty((0, n_dims))
        if parameters.multivariate:
            # Scott's rate n^(-1/(D+4)) on a fixed scale of the unit range (see the module notes).
            scale = _MULTIVARIATE_BANDWIDTH * parameters.bandwidth_scale
            sigma = np.full((n, n_dims), scale * n ** (-1.0 / (n_dims + 4)))
            sigma_min = (
                _MULTIVARIATE_MAGIC_CLIP
                if parameters.consider_magic_clip
                else _MIN_SIGMA_WITHOUT_CLIP
            )
            sigma = np.clip(sigma, sigma_min, 1.0)
            if parameters.anisotropic and n >= 3 and n_dims >= 2:
                isotropic = sigma
                shape = _spread_shape(unit, weights)
                sigma = np.clip(sigma * shape[None, :], _MIN_SIGMA_WITHOUT_CLIP, 1.0)
                # Good points that agree on one grid value have no spread along that dimension,
                # but a discretised kernel narrower than its cell puts all its mass on that one
                # value and the search could never step off it: narrow no further than a cell.
                sigma = np.maximum(sigma, np.minimum(isotropic, cells))
            return sigma
        else:
            sigma = np.empty((n, n_dims))
            for j in range(n_dims):  # loop over parameters (a handful), not observations
                sigma[:, j] = _neighbour_bandwidth(unit[:, j], parameters.consider_endpoints)
        count = n if parameters.magic_clip_n is None else parameters.magic_clip_n
        sigma_min = (
            1.0 / min(100, count + 1) if parameters.consider_magic_clip else _MIN_SIGMA_WITHOUT_CLIP
        )
        return np.clip(sigma, sigma_min, 1.0)

    # --------------------------------------------------------------------------- sampling

    def sample(self, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
        """Draw ``size`` points; internal values by name (ints as integral floats)."""
        components = rng.choice(len(self._weights), size=size, p=self._weights)
        result: dict[str, np.ndarray] = {}
        if self._numeric:
            unit = truncnorm.sample(rng, self._mu[components], self._sigma[components])
            for j, name in enumerate(self._numeric):
                result[name] = from_unit(self._space[name], unit[:, j])  # type: ignore[arg-type]
        for name, log_table in zip(self._categorical, self._log_tables, strict=True):
            cumulative = np.cumsum(np.exp(log_table[components]), axis=1)
            u = rng.random(size)[:, None] * cumulative[:, -1:]
            result[name] = np.minimum((u > cumulative).sum(axis=1), log_table.shape[1] - 1)
        return result

    def _cell_bounds(self, j: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The grid cells ``[v - step/2, v + step/2]`` of numeric parameter ``j``'s values, in
        unit space and within [0, 1]."""
        dist = self._space[self._numeric[j]]
        half = self._half_steps[j]
        lower = to_unit(dist, values - half)  # type: ignore[arg-type]
        upper = to_unit(dist, values + half)  # type: ignore[arg-type]
        return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)

    # ---------------------------------------------------------------------- log-densities

    def log_pdf(self, points: dict[str, np.ndarray]) -> np.ndarray:
        """Log-density (log-probability for discrete parts) at ``m`` points: shape ``(m,)``.

        One (points x kernels x parameters) array operation, then a log-sum-exp over kernels.
        """
        m = len(next(iter(points.values()))) if points else 0
        log_kernel = np.zeros((m, len(self._weights)))
        if self._numeric:
            values = np.column_stack([np.asarray(points[k], dtype=float) for k in self._numeric])
            unit = np.empty_like(values)
            lower = np.empty_like(values)
            upper = np.empty_like(values)
            for j, name in enumerate(self._numeric):
                unit[:, j] = to_unit(self._space[name], values[:, j])  # type: ignore[arg-type]
                if self._discrete[j]:
                    lower[:, j], upper[:, j] = self._cell_bounds(j, values[:, j])
            unit = np.clip(unit, 0.0, 1.0)
            cont = ~self._discrete
            if cont.any():
                x = unit[:, cont]
                log_kernel -= 0.5 * ((x * x) @ self._precision_t) - x @ self._scaled_mu_t
            if self._discrete.any():
                disc = self._discrete
                log_kernel += truncnorm.log_interval_mass(
                    lower[:, None, disc],
                    upper[:, None, disc],
                    self._mu[None, :, disc],
                    self._sigma[None, :, disc],
                ).sum(axis=2)
        for name, log_table in zip(self._categorical, self._log_tables, strict=True):
            log_kernel += log_table[:, np.asarray(points[name], dtype=int)].T
        log_kernel += self._log_norm[None, :]
        peak = log_kernel.max(axis=1, keepdims=True)
        return peak[:, 0] + np.log(np.exp(log_kernel - peak).sum(axis=1))


def _spread_shape(unit: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-dimension width factors ``(s_d / s_geo) ** 0.5`` within [1/4, 4] (module notes).

    ``s_d`` is the weighted standard deviation of the ``(n, D)`` points along dimension ``d``.
    """
    total = weights.sum()
    w = weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))
    centre = w @ unit
    spread = np.sqrt(np.maximum(w @ (unit - centre) ** 2, 1e-12))
    ratio = (spread / np.exp(np.log(spread).mean())) ** _ANISOTROPY_POWER
    return np.clip(ratio, *_ANISOTROPY_LIMITS)


def _neighbour_bandwidth(unit: np.ndarray, consider_endpoints: bool) -> np.ndarray:
    """Bergstra et al. (2011): each kernel is as wide as the gap to its farther neighbour.

    The prior's centre (0.5) is a neighbour too; ``consider_endpoints`` adds 0 and 1.
    """
    order = np.argsort(unit, kind="stable")
    sorted_unit = unit[order]
    points = np.sort(np.append(sorted_unit, 0.5))
    # Gaps of each observation in the sorted list that includes the prior's centre.
    positions = np.searchsorted(points, sorted_unit, side="left")
    left = np.where(positions > 0, points[np.maximum(positions - 1, 0)], np.nan)
    right_index = np.minimum(positions + 1, len(points) - 1)
    right = np.where(positions + 1 < len(points), points[right_index], np.nan)
    if consider_endpoints:
        left = np.where(np.isnan(left), 0.0, left)
        right = np.where(np.isnan(right), 1.0, right)
    gap_left = sorted_unit - left
    gap_right = right - sorted_unit
    sigma_sorted = np.fmax(gap_left, gap_right)
    sigma_sorted = np.where(np.isnan(sigma_sorted), 1.0, sigma_sorted)
    sigma = np.empty_like(sigma_sorted)
    sigma[order] = sigma_sorted
    return sigma
