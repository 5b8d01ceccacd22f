"""Maximisation of an acquisition function over the mixed internal search space.

Strategy (:func:`optimize_acquisition`)
---------------------------------------
1. **Sweep.**  ``n_sweep`` scrambled Sobol points (plus optional warm-start points such
   as the best observations) are mapped into the space -- stepped dimensions rounded to
   their bin centres, categorical dimensions to ``floor(u * k)`` -- and scored in a single
   batched call.
2. **Local search** from the ``n_local`` best sweep points, alternating for up to
   ``max_rounds`` rounds:

   * continuous dimensions: L-BFGS-B (scipy) on the *sum* of the acquisition values of
     the starting points with box bounds ``[0, 1]``; the points do not interact, so the
     gradient of the sum is the stack of the individual gradients and the starts are
     optimised in a single batched call per iteration (as BoTorch's
     ``gen_candidates_scipy`` does).  Values and gradients come from the acquisition's
     closed-form NumPy ``value_and_gradient`` where it has one (every acquisition of this
     package), otherwise from autograd.  The best start runs on its own, the others together
     (a line search shared with starts in other basins can overshoot its peak), and the
     variables are scaled by the model's lengthscales.  Discrete dimensions are held fixed;
   * discrete dimensions, one at a time (coordinate search): every choice of a
     categorical, every grid point of a stepped dimension with at most
     ``max_exhaustive_steps`` points, otherwise the neighbours ``i +- 1, 2, 4, ...``; the
     best alternative replaces the current value only if it scores strictly higher.

   A start is only ever replaced by a point with a higher acquisition value, so the
   search is monotone.
3. **Guarantee.**  The returned point is on the grid (stepped dimensions rounded,
   categoricals integral) and its acquisition value is at least that of the best sweep
   candidate; if local search did not beat it (e.g. NaNs), the best sweep point is returned.
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import numpy as np
import scipy.optimize
import torch

from tunekit.samplers.gp.acquisition import AcquisitionFunction
from tunekit.samplers.gp.kernel import SearchSpaceDims, grid_index_to_unit, round_to_grid

# Tolerance of the local search's L-BFGS-B on the projected gradient of the summed
# acquisition; the proposal only needs to be good to a fraction of a lengthscale.
_ACQ_GTOL = 1e-2

__all__ = ["AcquisitionOptimum", "optimize_acquisition", "sample_candidates"]


class AcquisitionOptimum(NamedTuple):
    """Result of :func:`optimize_acquisition`.

    Attributes
    ----------
    x
        Best point found, shape ``(d,)``, internal space, on the grid.
    value
        Its acquisition value.
    sweep_x
        Best point of the Sobol sweep (incl. warm starts), shape ``(d,)``.
    sweep_value
        Its acquisition value; always ``<= value``.
    """

    x: np.ndarray
    value: float
    sweep_x: np.ndarray
    sweep_value: float


def sample_candidates(
    dims: SearchSpaceDims,
    n_samples: int,
    seed: int | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Scrambled Sobol points mapped into the internal space.

    Parameters
    ----------
    dims
        Search-space metadata.
    n_samples
        Number of points (a power of two keeps the Sobol balance properties).
    seed
        Scrambling seed; the same seed gives the same points.
    device
        Torch device of the result.

    Returns
    -------
    torch.Tensor
        Shape ``(n_samples, d)``, float64: continuous dimensions in ``[0, 1)``, stepped
        dimensions at bin centres, categorical dimensions holding integral indices.
    """
    engine = torch.quasirandom.SobolEngine(dimension=dims.dim, scramble=True, seed=seed)
    unit = engine.draw(n_samples, dtype=torch.float64).to(device)
    categorical = torch.as_tensor(dims.is_categorical, device=unit.device)
    n_choices = torch.as_tensor(
        np.where(dims.is_categorical, dims.n_steps, 1), dtype=torch.float64, device=unit.device
    )
    indices = torch.minimum(torch.floor(unit * n_choices), n_choices - 1.0)
    return round_to_grid(torch.where(categorical, indices, unit), dims.n_steps, dims.is_categorical)


def _score(acquisition: AcquisitionFunction, X: torch.Tensor) -> torch.Tensor:
    """Acquisition values without gradients, NaN mapped to ``-inf``."""
    with torch.no_grad():
        values = acquisition(X)
    return torch.nan_to_num(values, nan=-math.inf)


def _autograd_value_and_gradient(
    acquisition: AcquisitionFunction, device: torch.device, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Values and input gradients of any differentiable ``acquisition`` at ``(m, d)`` points."""
    X = torch.tensor(points, dtype=torch.float64, device=device, requires_grad=True)
    values = acquisition(X)
    (gradient,) = torch.autograd.grad(values.sum(), X)
    return values.detach().cpu().numpy(), gradient.cpu().numpy()


def _optimize_continuous(
    acquisition: AcquisitionFunction,
    X: torch.Tensor,
    values: torch.Tensor,
    continuous_index: torch.Tensor,
    max_iter: int,
    scale: np.ndarray,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Batched L-BFGS-B over the continuous dimensions; rows only move if they improve.

    The variables are ``x / scale`` (the GP's lengthscales): in those units the acquisition
    varies about equally fast along every axis, which L-BFGS-B's first steps assume.
    """
    n_points, n_continuous = X.shape[0], continuous_index.numel()
    base = X.detach().clone()
    scale_row = np.tile(scale, n_points)

    def assemble(continuous_values: torch.Tensor) -> torch.Tensor:
        full = base.clone()
        full[:, continuous_index] = continuous_values
        return full

    # Acquisitions of this package have a closed-form NumPy path (several times cheaper per
    # call on the few points L-BFGS-B moves); any other callable is differentiated by autograd.
    value_and_gradient = getattr(acquisition, "value_and_gradient", None) or partial(
        _autograd_value_and_gradient, acquisition, X.device
    )
    base_host = base.cpu().numpy()
    continuous_host = continuous_index.cpu().numpy()

    def negative_total(flat: np.ndarray) -> tuple[float, np.ndarray]:
        full = base_host.copy()
        full[:, continuous_host] = flat.reshape(n_points, n_continuous) * scale
        values, gradients = value_and_gradient(full)
        total = -float(values.sum())
        if not math.isfinite(total):
            return math.inf, np.zeros_like(flat)
        return total, -(gradients[:, continuous_host] * scale).ravel()

    start = base[:, continuous_index].cpu().numpy().ravel() / scale_row
    result = scipy.optimize.minimize(
        negative_total,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(np.zeros_like(scale_row), 1.0 / scale_row, strict=True)),
        options={"maxiter": max_iter, "gtol": _ACQ_GTOL},
    )
    optimized = torch.as_tensor(
        np.clip(result.x * scale_row, 0.0, 1.0).reshape(n_points, n_continuous),
        dtype=torch.float64,
        device=X.device,
    )
    X_new = assemble(optimized)
    new_values = _score(acquisition, X_new)
    improved = new_values > values
    return torch.where(improved[:, None], X_new, X), torch.where(improved, new_values, values)


def _discrete_choices(
    current: torch.Tensor, n_steps: int, is_categorical: bool, max_exhaustive_steps: int
) -> torch.Tensor:
    """Candidate values of one discrete dimension for each row, shape ``(n_points, c)``."""
    n_points = current.shape[0]
    device = current.device
    if is_categorical or n_steps <= max_exhaustive_steps:
        indices = torch.arange(n_steps, dtype=torch.float64, device=device).expand(n_points, -1)
    else:
        # Exponentially spaced neighbours around the current grid index: O(log k) values.
        current_index = torch.clamp(torch.floor(current * n_steps), 0, n_steps - 1)
        magnitudes = 2.0 ** torch.arange(
            math.ceil(math.log2(n_steps)), dtype=torch.float64, device=device
        )
        offsets = torch.cat([-magnitudes.flip(0), magnitudes])
        indices = torch.clamp(current_index[:, None] + offsets[None, :], 0, n_steps - 1)
    if is_categorical:
        return indices
    return grid_index_to_unit(indices, float(n_steps))


def _optimize_discrete(
    acquisition: AcquisitionFunction,
    X: torch.Tensor,
    values: torch.Tensor,
    dims: SearchSpaceDims,
    max_exhaustive_steps: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One pass of coordinate search over the discrete dimensions (batched over rows)."""
    n_points, dim = X.shape
    for j in np.flatnonzero(dims.is_discrete):
        choices = _discrete_choices(
            X[:, j], int(dims.n_steps[j]), bool(dims.is_categorical[j]), max_exhaustive_steps
        )
        n_choices = choices.shape[1]
        candidates = X[:, None, :].expand(n_points, n_choices, dim).clone()
        candidates[:, :, j] = choices
        candidate_values = _score(acquisition, candidates.reshape(-1, dim)).reshape(
            n_points, n_choices
        )
        best_values, best_choice = candidate_values.max(dim=1)
        improved = best_values > values
        chosen = candidates[torch.arange(n_points, device=X.device), best_choice]
        X = torch.where(improved[:, None], chosen, X)
        values = torch.where(improved, best_values, values)
    return X, values


def _choose_starts(values: torch.Tensor, n_local: int) -> torch.Tensor:
    """Indices of the ``n_local`` best finite sweep scores, best first."""
    finite = torch.nonzero(torch.isfinite(values)).flatten()
    n_starts = min(n_local, int(finite.numel()))
    return finite[torch.topk(values[finite], n_starts).indices]


def optimize_acquisition(
    acquisition: AcquisitionFunction,
    dims: SearchSpaceDims,
    *,
    n_sweep: int = 2048,
    n_local: int = 10,
    warm_start_points: torch.Tensor | np.ndarray | None = None,
    max_iter: int = 200,
    max_rounds: int = 3,
    max_exhaustive_steps: int = 64,
    lengthscales: np.ndarray | None = None,
    seed: int | None = None,
    device: torch.device | str = "cpu",
) -> AcquisitionOptimum:
    """Maximise ``acquisition`` over the internal search space described by ``dims``.

    Parameters
    ----------
    acquisition
        Callable mapping ``(m, d)`` float64 tensors to ``(m,)`` scores (higher is better),
        differentiable w.r.t. continuous dimensions.
    dims
        Search-space metadata (see :class:`~tunekit.samplers.gp.kernel.SearchSpaceDims`).
    n_sweep
        Number of Sobol candidates scored in the initial sweep.
    n_local
        Number of best sweep candidates used as local-search starts.
    warm_start_points
        Extra candidates, shape ``(w, d)``, added to the sweep (e.g. the best observed
        points, so that local refinement around the incumbent is always tried).
    max_iter
        L-BFGS-B iteration limit per continuous phase.
    max_rounds
        Maximum number of (continuous, discrete) alternations.
    max_exhaustive_steps
        Stepped dimensions with at most this many grid points are searched exhaustively.
    lengthscales
        The model's lengthscales, shape ``(d,)``: the local search works in ``x / l``
        (capped at ``l = 1``, the width of the box) so that its steps suit every axis.
    seed
        Seed of the Sobol scrambling; the whole procedure is deterministic given it.
    device
        Torch device the candidates live on (must match the acquisition's model).

    Returns
    -------
    AcquisitionOptimum
    """
    if n_sweep < 0:
        raise ValueError("n_sweep must be non-negative.")
    if n_sweep == 0 and warm_start_points is None:
        raise ValueError("n_sweep must be positive when no warm-start points are given.")
    device = torch.device(device)
    pieces = [sample_candidates(dims, n_sweep, seed, device)] if n_sweep > 0 else []
    if warm_start_points is not None:
        warm = torch.as_tensor(warm_start_points, dtype=torch.float64, device=device).reshape(
            -1, dims.dim
        )
        pieces.append(round_to_grid(warm, dims.n_steps, dims.is_categorical))
    candidates = torch.cat(pieces)
    if candidates.shape[0] == 0:
        raise ValueError("No candidates: n_sweep is 0 and warm_start_points is empty.")

    sweep_values = _score(acquisition, candidates)
    best_sweep = int(torch.argmax(sweep_values).item())
    sweep_x, sweep_value = candidates[best_sweep], sweep_values[best_sweep]

    start_index = _choose_starts(sweep_values, n_local)
    X, values = candidates[start_index], sweep_values[start_index]

    continuous_index = torch.as_tensor(
        np.flatnonzero(dims.is_continuous), dtype=torch.long, device=device
    )
    has_discrete = bool(dims.is_discrete.any())
    scale = (
        np.ones(continuous_index.numel())
        if lengthscales is None
        else np.clip(np.asarray(lengthscales, dtype=np.float64)[dims.is_continuous], 1e-3, 1.0)
    )
    for _ in range(max_rounds if X.shape[0] > 0 else 0):
        previous = values.clone()
        if continuous_index.numel() > 0:
            # The best start is refined on its own: a line search shared with starts in
            # other basins can overshoot its (sharper) peak.
            groups = [slice(0, 1), slice(1, None)]
            pieces = [
                _optimize_continuous(
                    acquisition, X[rows], values[rows], continuous_index, max_iter, scale
                )
                for rows in groups
                if X[rows].shape[0] > 0
            ]
            X = torch.cat([piece[0] for piece in pieces])
            values = torch.cat([piece[1] for piece in pieces])
        if has_discrete:
            X, values = _optimize_discrete(acquisition, X, values, dims, max_exhaustive_steps)
        if not has_discrete or not bool((values > previous).any()):
            break

    best_x, best_value = sweep_x, sweep_value
    if X.shape[0] > 0:
        # Re-score after snapping to the grid (a no-op unless the acquisition is odd) so
        # the reported value is exactly that of the returned point.
        X = round_to_grid(X, dims.n_steps, dims.is_categorical)
        final_values = _score(acquisition, X)
        best_local = int(torch.argmax(final_values).item())
        if final_values[best_local] > sweep_value:
            best_x, best_value = X[best_local], final_values[best_local]
    return AcquisitionOptimum(
        x=best_x.detach().cpu().numpy().copy(),
        value=float(best_value.item()),
        sweep_x=sweep_x.detach().cpu().numpy().copy(),
        sweep_value=float(sweep_value.item()),
    )
