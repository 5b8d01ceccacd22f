"""Covariance function of the GP surrogate, and the internal search-space conventions.

Internal space
--------------
The sampler hands this package observations ``X`` of shape ``(n, d)`` (torch or NumPy,
float64) in an *internal space*:

* **continuous** dimensions lie in ``[0, 1]`` (log-transformed before the affine scaling
  when the distribution has ``log=True``);
* **stepped** dimensions (integers, or floats with ``step``) with ``k = n_steps[j]`` grid
  points also lie in ``[0, 1]``; grid point ``i`` (``0 <= i < k``) is stored at the *bin
  centre* ``(i + 0.5) / k``.  The interval ``[0, 1]`` is split into ``k`` equal bins and
  :func:`round_to_grid` maps every value to the centre of its bin, so a uniform draw from
  ``[0, 1]`` picks every grid point with probability ``1 / k`` and no grid point sits on
  the boundary.  Only *linear* grids are supported this way; a log-scaled integer should
  be passed as continuous (``n_steps[j] = 0``) and rounded by the sampler;
* **categorical** dimensions hold the *index* of the choice as a float
  (``0.0, 1.0, ..., k - 1``); for them ``n_steps[j]`` is the number of choices ``k``.

Kernel
------
:class:`MaternHammingKernel` is the product

.. math::

    k(x, x') = s \\, k_{5/2}(r) \\, \\exp\\Big(-\\sum_{j \\in C} [x_j \\neq x'_j] / \\ell_j\\Big),
    \\qquad r^2 = \\sum_{j \\notin C} (\\tilde x_j - \\tilde x'_j)^2 / \\ell_j^2,

where ``C`` is the set of categorical dimensions, ``x~`` is ``x`` with stepped dimensions
rounded by :func:`round_to_grid` (so the surrogate is exactly piecewise constant between
grid points and a candidate can never be "between" two integers), ``s`` is the output
scale and ``k_{5/2}(r) = (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)`` is the Matern-5/2
correlation (Rasmussen & Williams 2006, eq. 4.17).  The categorical factor is the
exponentiated weighted Hamming distance; ``l_j`` plays the role of a lengthscale: large
``l_j`` means the choice hardly matters, small ``l_j`` makes different choices nearly
uncorrelated.  Every dimension therefore has exactly one lengthscale, which keeps the
hyper-parameter vector and its prior uniform across dimension types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np
import torch

__all__ = [
    "SearchSpaceDims",
    "MaternHammingKernel",
    "ScaledPoints",
    "matern52_from_squared_distance",
    "matern52_with_slope",
    "round_to_grid",
    "grid_index_to_unit",
    "unit_to_grid_index",
]

ArrayOrTensor = TypeVar("ArrayOrTensor", np.ndarray, torch.Tensor)

# Below this squared distance the Matern kernel is evaluated at r = sqrt(_MIN_SQUARED_DISTANCE)
# instead of r = 0.  ``sqrt`` has an infinite derivative at 0, which would turn the (zero)
# gradient of k(x, x) into NaN; the value error, ~5/6 * 1e-36, is far below float64 precision.
_MIN_SQUARED_DISTANCE = 1e-36


class ScaledPoints(NamedTuple):
    """Points prepared for :meth:`MaternHammingKernel.cross_with_slope`."""

    numerical: torch.Tensor  # numerical dimensions divided by their lengthscales, (n, p)
    squared_norms: torch.Tensor  # row norms of ``numerical`` squared, (n,)
    categorical: torch.Tensor  # categorical dimensions (choice indices), (n, c)


@dataclass(frozen=True, eq=False)
class SearchSpaceDims:
    """Per-dimension metadata of the internal search space.

    Parameters
    ----------
    is_categorical
        Boolean mask of shape ``(d,)``; ``True`` where the dimension holds a choice index.
    n_steps
        Integer array of shape ``(d,)``: the number of grid points of a stepped dimension,
        the number of choices of a categorical dimension, and ``0`` for a continuous one.
    """

    is_categorical: np.ndarray
    n_steps: np.ndarray | None = None

    def __post_init__(self) -> None:
        is_categorical = np.asarray(self.is_categorical, dtype=bool).reshape(-1)
        if self.n_steps is None:
            n_steps = np.zeros(is_categorical.shape, dtype=np.int64)
        else:
            n_steps = np.asarray(self.n_steps, dtype=np.int64).reshape(-1)
        if n_steps.shape != is_categorical.shape:
            raise ValueError(
                f"is_categorical and n_steps must have the same length, got "
                f"{is_categorical.shape[0]} and {n_steps.shape[0]}."
            )
        if np.any(n_steps < 0):
            raise ValueError("n_steps must be non-negative.")
        if np.any(is_categorical & (n_steps < 1)):
            raise ValueError("Categorical dimensions need n_steps[j] = number of choices >= 1.")
        object.__setattr__(self, "is_categorical", is_categorical)
        object.__setattr__(self, "n_steps", n_steps)

    @classmethod
    def continuous(cls, dim: int) -> SearchSpaceDims:
        """Metadata for ``dim`` purely continuous dimensions."""
        return cls(is_categorical=np.zeros(dim, dtype=bool), n_steps=np.zeros(dim, dtype=np.int64))

    @property
    def dim(self) -> int:
        """Number of dimensions ``d``."""
        return int(self.is_categorical.shape[0])

    @property
    def is_stepped(self) -> np.ndarray:
        """Mask of numerical dimensions restricted to a grid."""
        return (~self.is_categorical) & (self.n_steps > 0)

    @property
    def is_continuous(self) -> np.ndarray:
        """Mask of dimensions that are free in ``[0, 1]``."""
        return (~self.is_categorical) & (self.n_steps == 0)

    @property
    def is_discrete(self) -> np.ndarray:
        """Mask of dimensions searched combinatorially (categorical or stepped)."""
        return self.is_categorical | self.is_stepped


def grid_index_to_unit(index: ArrayOrTensor, n_steps: ArrayOrTensor | int) -> ArrayOrTensor:
    """Map grid index ``i`` of a ``k``-point grid to its bin centre ``(i + 0.5) / k``."""
    return (index + 0.5) / n_steps


def unit_to_grid_index(unit_value: ArrayOrTensor, n_steps: ArrayOrTensor | int) -> ArrayOrTensor:
    """Map a value in ``[0, 1]`` to the index ``clip(floor(u * k), 0, k - 1)`` of its bin."""
    if isinstance(unit_value, torch.Tensor):
        k = torch.as_tensor(n_steps, dtype=unit_value.dtype, device=unit_value.device)
        return torch.minimum(torch.clamp(torch.floor(unit_value * k), min=0.0), k - 1.0)
    k_np = np.asarray(n_steps, dtype=np.float64)
    return np.clip(np.floor(np.asarray(unit_value) * k_np), 0.0, k_np - 1.0)


def round_to_grid(
    X: ArrayOrTensor,
    n_steps: np.ndarray | torch.Tensor,
    is_categorical: np.ndarray | torch.Tensor | None = None,
) -> ArrayOrTensor:
    """Round the stepped dimensions of ``X`` to their bin centres ``(i + 0.5) / k``.

    Parameters
    ----------
    X
        Points of shape ``(..., d)`` in the internal space (NumPy array or torch tensor).
    n_steps
        Shape ``(d,)``; ``k > 0`` grid points for stepped dimensions, ``0`` for continuous.
    is_categorical
        Optional shape ``(d,)`` mask; categorical dimensions are left untouched even though
        their ``n_steps`` entry (the number of choices) is positive.

    Returns
    -------
    Same type and shape as ``X``.  Continuous and categorical dimensions are unchanged;
    the operation is idempotent and (for tensors) has zero gradient in rounded dimensions.
    """
    steps_np = np.asarray(
        n_steps.detach().cpu().numpy() if isinstance(n_steps, torch.Tensor) else n_steps,
        dtype=np.int64,
    )
    mask_np = steps_np > 0
    if is_categorical is not None:
        cat_np = np.asarray(
            is_categorical.detach().cpu().numpy()
            if isinstance(is_categorical, torch.Tensor)
            else is_categorical,
            dtype=bool,
        )
        mask_np &= ~cat_np
    if not mask_np.any():
        return X
    # Continuous dimensions get a dummy k = 1 so the vectorised formula stays finite; the
    # `where` below discards them.
    k_np = np.where(mask_np, steps_np, 1).astype(np.float64)
    if isinstance(X, torch.Tensor):
        k = torch.as_tensor(k_np, dtype=X.dtype, device=X.device)
        mask = torch.as_tensor(mask_np, device=X.device)
        rounded = grid_index_to_unit(unit_to_grid_index(X, k), k)
        return torch.where(mask, rounded, X)
    X_np = np.asarray(X, dtype=np.float64)
    rounded_np = grid_index_to_unit(unit_to_grid_index(X_np, k_np), k_np)
    return np.where(mask_np, rounded_np, X_np)


def matern52_with_slope(
    squared_distance: ArrayOrTensor, factor: ArrayOrTensor
) -> tuple[ArrayOrTensor, ArrayOrTensor]:
    """``factor * k_{5/2}`` given ``r^2``, and its derivative with respect to ``r^2``.

    ``d k / d(r^2) = -(5/6) (1 + sqrt5 r) exp(-sqrt5 r)``: the closed-form gradients of the
    posterior (input gradients) and of the MAP objective (lengthscale gradients) both follow
    from it.  NumPy arrays or torch tensors alike, so the host and device paths share the
    formula; ``r^2`` must be non-negative (no clamp: no autograd passes through here).
    """
    if isinstance(squared_distance, torch.Tensor):
        sqrt, exp = torch.sqrt, torch.exp
    else:
        sqrt, exp = np.sqrt, np.exp
    sqrt5_r = math.sqrt(5.0) * sqrt(squared_distance)
    decay = factor * exp(-sqrt5_r)
    value = (1.0 + sqrt5_r + (5.0 / 3.0) * squared_distance) * decay
    return value, (-5.0 / 6.0) * (1.0 + sqrt5_r) * decay


def matern52_from_squared_distance(squared_distance: torch.Tensor) -> torch.Tensor:
    """Matern-5/2 correlation ``(1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)`` given ``r^2``.

    Taking ``r^2`` (not ``r``) avoids a ``sqrt`` in callers and lets the quadratic term use
    the exact ``r^2``; ``r`` itself is computed from a clamped ``r^2`` so gradients at
    ``r = 0`` are finite (see ``_MIN_SQUARED_DISTANCE``).
    """
    sqrt5_r = math.sqrt(5.0) * torch.sqrt(squared_distance.clamp_min(_MIN_SQUARED_DISTANCE))
    return (1.0 + sqrt5_r + (5.0 / 3.0) * squared_distance) * torch.exp(-sqrt5_r)


class MaternHammingKernel:
    """Matern-5/2 ARD kernel on numerical dims times an exponentiated Hamming kernel.

    See the module docstring for the formula.  Hyper-parameters are passed on every call
    (functional style) so that the marginal-likelihood optimiser can differentiate with
    respect to them without any module state.

    Parameters
    ----------
    dims
        Metadata of the internal search space.
    device
        Torch device the kernel's index tensors live on (``"cpu"`` or ``"cuda"``).

    Notes
    -----
    A call is the differentiable reference (the GP builds ``K(X, X)`` with it).  The
    posterior's queries go through :meth:`cross_with_slope`, with the training points scaled
    once per model (:meth:`scale_points`); both form ``r^2`` by the ``|a|^2 + |b|^2 - 2 a.b``
    expansion.  :meth:`features` forms the exact per-dimension differences once for the
    marginal-likelihood fit, where ``X`` does not change.
    """

    def __init__(self, dims: SearchSpaceDims, device: torch.device | str = "cpu") -> None:
        self.dims = dims
        self.device = torch.device(device)
        self._n_steps = torch.as_tensor(dims.n_steps, device=self.device)
        self._is_categorical = torch.as_tensor(dims.is_categorical, device=self.device)
        self._numerical_index = torch.as_tensor(
            np.flatnonzero(~dims.is_categorical), dtype=torch.long, device=self.device
        )
        self._categorical_index = torch.as_tensor(
            np.flatnonzero(dims.is_categorical), dtype=torch.long, device=self.device
        )
        self._has_stepped = bool(dims.is_stepped.any())

    def prepare_inputs(self, X: torch.Tensor) -> torch.Tensor:
        """Round stepped dimensions of ``X`` (shape ``(n, d)``) to their grid."""
        if not self._has_stepped:
            return X
        return round_to_grid(X, self.dims.n_steps, self.dims.is_categorical)

    def scale_points(self, X: torch.Tensor, lengthscales: torch.Tensor) -> ScaledPoints:
        """``X`` prepared for :meth:`cross_with_slope` (the GP caches its training points)."""
        with torch.no_grad():
            X = self.prepare_inputs(X)
            numerical = X[:, self._numerical_index] / lengthscales[self._numerical_index]
            return ScaledPoints(
                numerical, (numerical * numerical).sum(-1), X[:, self._categorical_index]
            )

    def __call__(
        self,
        X1: torch.Tensor,
        X2: torch.Tensor,
        lengthscales: torch.Tensor,
        outputscale: torch.Tensor,
    ) -> torch.Tensor:
        """Covariance matrix between ``X1`` (``(n1, d)``) and ``X2`` (``(n2, d)``).

        Parameters
        ----------
        X1, X2
            Points in the internal space; stepped dimensions are rounded here.
        lengthscales
            Shape ``(d,)``, positive; one per dimension (see module docstring).
        outputscale
            Scalar tensor, positive.

        Returns
        -------
        torch.Tensor
            Shape ``(n1, n2)``, differentiable w.r.t. continuous inputs and hyper-parameters.
        """
        X1 = self.prepare_inputs(X1)
        X2 = self.prepare_inputs(X2)
        covariance = outputscale.expand(X1.shape[0], X2.shape[0])
        if self._numerical_index.numel() > 0:
            scale = lengthscales[self._numerical_index]
            A = X1[:, self._numerical_index] / scale
            B = X2[:, self._numerical_index] / scale
            # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b: one matrix product instead of an (n1, n2, d)
            # difference tensor.  The rounding error, ~1e-16 |a|^2, is far below anything
            # the GP can resolve.
            squared_distance = (
                (A * A).sum(-1)[:, None] + (B * B).sum(-1)[None, :] - 2.0 * (A @ B.T)
            ).clamp_min(0.0)
            covariance = covariance * matern52_from_squared_distance(squared_distance)
        if self._categorical_index.numel() > 0:
            A = X1[:, self._categorical_index]
            B = X2[:, self._categorical_index]
            mismatch = (A[:, None, :] != B[None, :, :]).to(X1.dtype)
            hamming = mismatch @ (1.0 / lengthscales[self._categorical_index])
            covariance = covariance * torch.exp(-hamming)
        return covariance

    def cross_with_slope(
        self,
        X1: torch.Tensor,
        X2: ScaledPoints,
        lengthscales: torch.Tensor,
        outputscale: torch.Tensor,
        with_slope: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Covariance ``K`` (``(n1, n2)``) and its derivative with respect to ``r^2``.

        ``X2`` comes from :meth:`scale_points` with the same ``lengthscales``.
        ``dK/dx1_j = slope * 2 (x1_j - x2_j) / l_j^2`` for a continuous dimension ``j``: the
        closed-form input gradient the posterior uses (no autograd graph).  Computed without
        gradients; ``with_slope=False`` returns ``None`` for the derivative.
        """
        with torch.no_grad():
            X1_scaled = self.scale_points(X1, lengthscales)
            factor = outputscale.expand(X1.shape[0], X2.numerical.shape[0])
            if self._categorical_index.numel() > 0:
                mismatch = (X1_scaled.categorical[:, None, :] != X2.categorical[None, :, :]).to(
                    X1.dtype
                )
                factor = factor * torch.exp(
                    -(mismatch @ (1.0 / lengthscales[self._categorical_index]))
                )
            if self._numerical_index.numel() == 0:
                return factor, torch.zeros_like(factor) if with_slope else None
            squared_distance = (
                X1_scaled.squared_norms[:, None]
                + X2.squared_norms[None, :]
                - 2.0 * (X1_scaled.numerical @ X2.numerical.T)
            ).clamp_min(0.0)
            covariance, slope = matern52_with_slope(squared_distance, factor)
            return covariance, slope if with_slope else None

    def features(self, X1: torch.Tensor, X2: torch.Tensor) -> torch.Tensor:
        """Per-dimension distances between ``X1`` (``(n1, d)``) and ``X2`` (``(n2, d)``).

        Shape ``(n1, n2, d)``: squared differences of the (grid-rounded) numerical
        dimensions, ``1.0``/``0.0`` mismatches of the categorical ones.  They do not depend on
        the hyper-parameters, so the marginal-likelihood fit computes them once and then
        only contracts them with new lengthscales (:meth:`from_features`).
        """
        X1 = self.prepare_inputs(X1)
        X2 = self.prepare_inputs(X2)
        difference = X1[:, None, :] - X2[None, :, :]
        if self._categorical_index.numel() == 0:
            return difference * difference
        return torch.where(
            self._is_categorical, (difference != 0).to(X1.dtype), difference * difference
        )

    def from_features(
        self, features: torch.Tensor, lengthscales: torch.Tensor, outputscale: torch.Tensor
    ) -> torch.Tensor:
        """Covariance from :meth:`features`: one contraction with the inverse lengthscales."""
        # Numerical dims enter r^2 through 1 / l^2, categorical ones the Hamming sum through 1 / l.
        inverse = torch.where(self._is_categorical, 1.0 / lengthscales, lengthscales**-2)
        if self._categorical_index.numel() == 0:
            return outputscale * matern52_from_squared_distance(features @ inverse)
        covariance = outputscale * torch.exp(
            -(features[..., self._categorical_index] @ inverse[self._categorical_index])
        )
        if self._numerical_index.numel() > 0:
            squared_distance = features[..., self._numerical_index] @ inverse[self._numerical_index]
            covariance = covariance * matern52_from_squared_distance(squared_distance)
        return covariance
