"""Least-squares fits of all curve families at once (the MCMC's initial positions).

Domhan et al. (2015, Section 3.2) start each family's parameters from a least-squares fit of
that family alone and drop the families whose fit fails. :meth:`CurveFamily.fit
<tunekit.pruners.curve.families.CurveFamily.fit>` does this one family at a time with SciPy, but
eleven SciPy fits cost 20-100 ms, most of it optimiser overhead, more than a whole decision may
take. :func:`fit_families` runs one projected Levenberg-Marquardt iteration for *all* families
together instead: the finite-difference Jacobians are batch evaluations of each family (one
call per family with ``n_params + 1`` parameter rows) and the damped normal equations of all
families are solved as one stacked ``numpy.linalg.solve``. Padding parameters (families with
fewer than the largest number of parameters) have an identity row, so their step is zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tunekit.pruners.curve.families import ALL_FAMILIES, CurveFamily, FamilyFit

__all__ = ["fit_families"]

FloatArray = NDArray[np.float64]


class _PaddedFamilies:
    """The families' ranges as ``(n_families, max_params)`` arrays, padded with ``[0, 1]``."""

    def __init__(self, families: Sequence[CurveFamily]) -> None:
        self.families = tuple(families)
        self.n_params = np.array([f.n_params for f in self.families])
        self.width = int(self.n_params.max())
        shape = (len(self.families), self.width)
        self.lower = np.zeros(shape)
        self.upper = np.ones(shape)
        self.active = np.zeros(shape, dtype=bool)
        for k, family in enumerate(self.families):
            self.lower[k, : family.n_params] = family.lower
            self.upper[k, : family.n_params] = family.upper
            self.active[k, : family.n_params] = True
        self.span = self.upper - self.lower
        # Same margin as CurveFamily.clip: strictly inside the ranges.
        self.margin = 1e-6 * self.span
        ordered = [(k, f.ordered) for k, f in enumerate(self.families) if f.ordered is not None]
        self.ordered_rows = np.array([k for k, _ in ordered], dtype=int)
        self.ordered_above = np.array([pair[0] for _, pair in ordered], dtype=int)
        self.ordered_below = np.array([pair[1] for _, pair in ordered], dtype=int)

    def pad(self, rows: Sequence[FloatArray]) -> FloatArray:
        padded = 0.5 * (self.lower + self.upper)
        for k, row in enumerate(rows):
            padded[k, : len(row)] = row
        return padded

    def project(self, params: FloatArray) -> FloatArray:
        """Clip every family's parameters strictly into its ranges (projected LM)."""
        projected = np.clip(params, self.lower + self.margin, self.upper - self.margin)
        rows, above, below = self.ordered_rows, self.ordered_above, self.ordered_below
        if len(rows):
            # Same rule as CurveFamily.clip: the start level stays below the asymptote.
            low_end = np.minimum(
                projected[rows, below], projected[rows, above] - self.margin[rows, above]
            )
            projected[rows, below] = np.maximum(
                low_end, self.lower[rows, below] + self.margin[rows, below]
            )
        return projected


def _residuals_and_jacobians(
    padded: _PaddedFamilies, x: FloatArray, y: FloatArray, params: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Residuals ``(K, n)`` and forward-difference Jacobians ``(K, max_params, n)``."""
    n_families, width = params.shape
    # Relative steps, taken towards the inside of the ranges so the perturbed point stays valid.
    step = 1e-6 * np.maximum(np.abs(params), 1e-3 * padded.span)
    step = np.where(params + step > padded.upper, -step, step)
    # batch[k, 0] is family k's point, batch[k, 1 + i] the point with parameter i perturbed.
    batch = np.repeat(params[:, None, :], width + 1, axis=1)
    batch[:, 1:, :] += step[:, None, :] * np.eye(width)
    values = np.empty((n_families, width + 1, len(x)))
    with np.errstate(all="ignore"):
        for k, family in enumerate(padded.families):
            p = family.n_params
            values[k, : p + 1] = family.function(x, batch[k, : p + 1, :p])
            values[k, p + 1 :] = values[k, :1]
        residuals = values[:, 0, :] - y
        jacobians = (values[:, 1:, :] - values[:, :1, :]) / step[:, :, None]
    jacobians[~np.isfinite(jacobians)] = 0.0
    return residuals, jacobians


def _costs(residuals: FloatArray) -> FloatArray:
    with np.errstate(all="ignore"):
        costs = np.einsum("kn,kn->k", residuals, residuals)
    return np.where(np.isfinite(costs), costs, np.inf)


def fit_families(
    x: ArrayLike,
    y: ArrayLike,
    families: Sequence[CurveFamily] = ALL_FAMILIES,
    *,
    n_iterations: int = 40,
) -> list[FamilyFit | None]:
    """Fit every family separately to ``(x, y)`` by projected Levenberg-Marquardt, all at once.

    Parameters
    ----------
    x, y
        The observed curve, ``x >= 1``, finite values, at least one point.
    families
        The families to fit.
    n_iterations
        Levenberg-Marquardt iterations (one batched evaluation of every family each).

    Returns
    -------
    list of FamilyFit or None
        One entry per family, ``None`` where the fit failed (no finite residuals even at the
        initial guess). Parameters are inside the family's ranges.

    Examples
    --------
    >>> import numpy as np
    >>> from tunekit.pruners.curve.families import family_by_name
    >>> x = np.arange(1.0, 31.0)
    >>> [fit] = fit_families(x, 0.9 - 0.6 * x**-0.5, [family_by_name("pow3")])
    >>> fit.params.round(3).tolist()
    [0.9, 0.6, 0.5]
    """
    x_arr = np.asarray(x, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    padded = _PaddedFamilies(families)
    n_families, width = len(padded.families), padded.width

    params = padded.pad([f.initial_guess(x_arr, y_arr) for f in padded.families])
    residuals, jacobians = _residuals_and_jacobians(padded, x_arr, y_arr, params)
    costs = _costs(residuals)
    damping = np.full(n_families, 1e-3)
    inactive = np.where(padded.active, 0.0, 1.0)
    identity = np.eye(width)

    for _ in range(n_iterations):
        normal = np.einsum("kin,kjn->kij", jacobians, jacobians)
        gradient = np.einsum("kin,kn->ki", jacobians, np.nan_to_num(residuals))
        diagonal = np.einsum("kii->ki", normal) + inactive + 1e-12
        # Marquardt's scaling of the damping by diag(J^T J).
        system = normal + (damping[:, None] * diagonal + inactive)[:, :, None] * identity
        try:
            delta = -np.linalg.solve(system, gradient[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            delta = -gradient / diagonal
        delta = np.nan_to_num(delta) * padded.active
        trial = padded.project(params + delta)
        trial_residuals, trial_jacobians = _residuals_and_jacobians(padded, x_arr, y_arr, trial)
        trial_costs = _costs(trial_residuals)
        better = trial_costs < costs
        params[better] = trial[better]
        residuals[better] = trial_residuals[better]
        jacobians[better] = trial_jacobians[better]
        improvement = np.where(better, costs - trial_costs, 0.0)
        costs[better] = trial_costs[better]
        damping = np.clip(np.where(better, damping / 3.0, damping * 4.0), 1e-9, 1e9)
        if np.all(improvement <= 1e-10 * np.maximum(costs, 1e-12)) and np.all(damping > 1e3):
            break

    fits: list[FamilyFit | None] = []
    for k, family in enumerate(padded.families):
        if not np.isfinite(costs[k]):
            fits.append(None)
            continue
        p = family.n_params
        fits.append(
            FamilyFit(
                family,
                params[k, :p].copy(),
                float(costs[k]),
                family.laplace_covariance(jacobians[k, :p].T, float(costs[k]), len(x_arr)),
            )
        )
    return fits
