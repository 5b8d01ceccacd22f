"""Gaussian-process regression surrogate with MAP-fitted hyper-parameters.

Pipeline (:func:`fit_gp`)
-------------------------
1. **Output transform** (:class:`OutputTransform`).  ``y`` (to be minimised) is optionally
   *warped* and then standardised to zero mean and unit variance.  The warp protects the
   model from a few huge (bad) values that would otherwise dominate the variance and
   flatten the surrogate around the interesting small values.  Rule: with
   ``m = median(y)`` and the robust scale ``rho = 1.4826 * MAD(y)`` (falling back to
   ``IQR / 1.349``), compute ``z = (y - m) / rho``; if ``n >= 3`` and
   ``max(z) > warp_threshold`` (default 3: some value lies more than three robust standard
   deviations above the median) every value is replaced by the *upper-tail log*
   ``z if z <= 0 else log1p(z)``.  The warp is strictly increasing and continuously
   differentiable, so minimisers and the incumbent are preserved; it keeps the geometry
   of the better half of the data (where the minimum is) untouched and compresses only
   the bad tail.  BO concentrates samples near the optimum, so the MAD shrinks and even
   polynomial growth (Rosenbrock, Goldstein-Price) puts the early samples hundreds of
   robust spreads above the median; unwarped, those values set the output scale and the
   model is nearly flat where the minimum is.  Warping them measurably helped (seeds 0-9,
   100 evaluations, median log10 regret; threshold 1000, which warped only penalty-style
   plateaus, vs 3): Rosenbrock5 2.39 vs 0.91, Goldstein-Price -1.92 vs -4.16, and no worse
   on Branin, Camelback, Hartmann3/6 (seeds 0-7).
2. **Kernel** -- :class:`~tunekit.samplers.gp.kernel.MaternHammingKernel` with one
   lengthscale per dimension and an output scale, plus a Gaussian noise variance.
3. **MAP estimate** of ``theta = (log lengthscales, log outputscale, log noise variance)``
   by minimising ``-log p(y | theta) - log p(theta)`` with L-BFGS-B (scipy), gradients
   from torch autograd.  The kernel's per-dimension distances are computed once per fit
   (:meth:`~.kernel.MaternHammingKernel.features`), and the Gaussian likelihood is an
   autograd function with its closed-form gradient (R&W eq. 5.9), which is several times
   cheaper than differentiating through the Cholesky factorisation.  Priors
   (:class:`HyperparameterPrior`) are independent normals on the log-parameters, i.e.
   log-normal priors: for lengthscales ``log l ~ N(0, 1)`` (:meth:`~HyperparameterPrior.box`:
   about the width of the unit box; the dimension-scaled prior of Hvarfner, Hellsten &
   Nardi (2024), :meth:`~HyperparameterPrior.hvarfner`, is available but let the model
   settle in local optima of 6-D problems), for the noise ``log sigma^2 ~ N(-4, 1)`` (that
   paper / BoTorch's current default) and for the output scale ``log s ~ N(0, 1)`` (``y`` is
   standardised).
   Several starts are run: the warm start ``initial_params`` (the previous fit), the
   prior median, and ``n_restarts`` draws from the prior; the lowest objective wins.
4. **Noise.**  The variance is bounded below by ``noise_floor`` (``1e-6`` in standardised
   units).  With ``deterministic_objective=True`` it is *fixed* at that floor (only there
   for numerical stability); otherwise it is a free hyper-parameter in
   ``[noise_floor, 10]``.

All linear algebra goes through Cholesky factorisations (:func:`robust_cholesky`, which
retries with jitter ``1e-8, 1e-6, 1e-4``) and triangular solves; no matrix is inverted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import scipy.optimize
import torch

from tunekit.samplers.gp.kernel import MaternHammingKernel, SearchSpaceDims

__all__ = [
    "NOISE_FLOOR",
    "DEFAULT_WARP_THRESHOLD",
    "CholeskyError",
    "GPHyperparameters",
    "HyperparameterPrior",
    "OutputTransform",
    "GaussianProcess",
    "fit_gp",
    "robust_cholesky",
]

ArrayOrTensor = TypeVar("ArrayOrTensor", np.ndarray, torch.Tensor)

#: Smallest noise variance (standardised units) ever used; the whole noise when the
#: objective is declared deterministic.
NOISE_FLOOR = 1e-6
#: Diagonal jitter tried in turn when a Cholesky factorisation fails.
CHOLESKY_JITTERS = (0.0, 1e-8, 1e-6, 1e-4)
# Box constraints of the log hyper-parameters during the MAP search.  Inputs live in
# [0, 1] and outputs are standardised, so these bounds are wide but keep the kernel
# matrix away from exactly singular or overflowing configurations.
_LOG_LENGTHSCALE_BOUNDS = (math.log(1e-3), math.log(1e3))
_LOG_OUTPUTSCALE_BOUNDS = (math.log(1e-3), math.log(1e3))
_LOG_NOISE_UPPER = math.log(10.0)
# Posterior variances are clamped here so that sqrt / log of them stay finite.
_MIN_POSTERIOR_VARIANCE = 1e-12
#: Default ``warp_threshold`` of :class:`OutputTransform` (robust standard deviations).
DEFAULT_WARP_THRESHOLD = 3.0
# L-BFGS-B stops when every projected gradient component of the negative log posterior is
# below this: the hyper-parameters need not be exact, and a warm start from the previous
# trial's fit then converges in a few iterations (SciPy's default, 1e-5, took twice as many
# evaluations for the same regrets).
_MAP_GTOL = 1e-2
_MAD_TO_STD = 1.4826  # 1 / Phi^{-1}(3/4): MAD of a normal distribution is 0.6745 sigma.
_IQR_TO_STD = 1.349  # IQR of a normal distribution is 1.349 sigma.


class CholeskyError(RuntimeError):
    """Raised when a matrix is not positive definite even after the largest jitter."""


def robust_cholesky(
    matrix: torch.Tensor, jitters: Sequence[float] = CHOLESKY_JITTERS
) -> tuple[torch.Tensor, float]:
    """Lower Cholesky factor of a symmetric matrix, adding diagonal jitter on failure.

    Parameters
    ----------
    matrix
        Symmetric matrix of shape ``(n, n)``.
    jitters
        Values added to the diagonal in turn until ``torch.linalg.cholesky_ex`` succeeds.

    Returns
    -------
    (L, jitter)
        ``L @ L.T == matrix + jitter * I``.

    Raises
    ------
    CholeskyError
        If every jitter fails (or the matrix contains non-finite values).
    """
    identity = torch.eye(matrix.shape[-1], dtype=matrix.dtype, device=matrix.device)
    for jitter in jitters:
        candidate = matrix if jitter == 0.0 else matrix + jitter * identity
        factor, info = torch.linalg.cholesky_ex(candidate)
        if int(info.item()) == 0 and bool(torch.isfinite(factor).all()):
            return factor, float(jitter)
    raise CholeskyError(
        f"Matrix of size {matrix.shape[-1]} is not positive definite even with jitter "
        f"{jitters[-1]:g}."
    )


@dataclass(frozen=True, eq=False)
class GPHyperparameters:
    """Kernel and likelihood hyper-parameters, stored as logarithms.

    Attributes
    ----------
    log_lengthscales
        Shape ``(d,)``, one per input dimension.
    log_outputscale
        Log of the kernel amplitude ``s``.
    log_noise_variance
        Log of the Gaussian noise variance (standardised units).
    """

    log_lengthscales: np.ndarray
    log_outputscale: float
    log_noise_variance: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "log_lengthscales", np.asarray(self.log_lengthscales, dtype=np.float64).ravel()
        )
        object.__setattr__(self, "log_outputscale", float(self.log_outputscale))
        object.__setattr__(self, "log_noise_variance", float(self.log_noise_variance))

    @property
    def dim(self) -> int:
        """Number of input dimensions."""
        return int(self.log_lengthscales.shape[0])

    @property
    def lengthscales(self) -> np.ndarray:
        """Lengthscales ``exp(log_lengthscales)``."""
        return np.exp(self.log_lengthscales)

    @property
    def outputscale(self) -> float:
        """Kernel amplitude ``s``."""
        return math.exp(self.log_outputscale)

    @property
    def noise_variance(self) -> float:
        """Gaussian noise variance."""
        return math.exp(self.log_noise_variance)

    def to_array(self) -> np.ndarray:
        """Flat vector ``[log_lengthscales..., log_outputscale, log_noise_variance]``."""
        return np.concatenate(
            [self.log_lengthscales, [self.log_outputscale, self.log_noise_variance]]
        )

    @classmethod
    def from_array(cls, array: np.ndarray | Sequence[float]) -> GPHyperparameters:
        """Inverse of :meth:`to_array`."""
        vector = np.asarray(array, dtype=np.float64).ravel()
        return cls(vector[:-2], vector[-2], vector[-1])


@dataclass(frozen=True)
class HyperparameterPrior:
    """Independent normal priors on the log hyper-parameters (log-normal on the values).

    Use :meth:`box` for the default prior, :meth:`hvarfner` for the dimension-scaled one.
    """

    log_lengthscale_mean: float
    log_lengthscale_std: float
    log_outputscale_mean: float = 0.0
    log_outputscale_std: float = 1.0
    log_noise_mean: float = -4.0
    log_noise_std: float = 1.0

    @classmethod
    def box(cls, dim: int) -> HyperparameterPrior:
        """The default: ``log l ~ N(0, 1)``, lengthscales about the width of the unit box.

        A lengthscale beyond ``e^2 ~ 7`` box widths is a two-sigma event, so the model cannot
        call a dimension irrelevant on thin evidence and stays uncertain away from the data.
        With the wider :meth:`hvarfner` prior (median ``l ~ 10`` in 6-D) half the Hartmann6
        runs settled in its local optimum (seeds 0-11: 7 of 12 escaped with this prior, 5 of
        16 with that one); Rosenbrock5 improved too.
        """
        del dim  # the same for every dimension
        return cls(log_lengthscale_mean=0.0, log_lengthscale_std=1.0)

    @classmethod
    def hvarfner(cls, dim: int) -> HyperparameterPrior:
        """Prior of Hvarfner et al. (2024): ``log l ~ N(sqrt(2) + log(d) / 2, sqrt(3))``.

        Scaling the lengthscale location with ``sqrt(d)`` keeps the prior function
        complexity roughly constant as the dimension grows.
        """
        return cls(
            log_lengthscale_mean=math.sqrt(2.0) + 0.5 * math.log(max(dim, 1)),
            log_lengthscale_std=math.sqrt(3.0),
        )

    def log_density(self, theta: torch.Tensor, include_noise: bool = True) -> torch.Tensor:
        """Log prior density (up to a constant) of ``theta`` laid out as in :class:`GPHyperparameters`."""

        def normal_log_density(value: torch.Tensor, mean: float, std: float) -> torch.Tensor:
            return -0.5 * (((value - mean) / std) ** 2).sum()

        log_density = normal_log_density(
            theta[:-2], self.log_lengthscale_mean, self.log_lengthscale_std
        ) + normal_log_density(theta[-2], self.log_outputscale_mean, self.log_outputscale_std)
        if include_noise:
            log_density = log_density + normal_log_density(
                theta[-1], self.log_noise_mean, self.log_noise_std
            )
        return log_density

    def median(self, dim: int) -> GPHyperparameters:
        """Prior median (also the mode in log space); the default MAP starting point."""
        return GPHyperparameters(
            np.full(dim, self.log_lengthscale_mean), self.log_outputscale_mean, self.log_noise_mean
        )

    def sample(self, dim: int, rng: np.random.Generator) -> GPHyperparameters:
        """One draw from the prior (used as a random restart)."""
        return GPHyperparameters(
            rng.normal(self.log_lengthscale_mean, self.log_lengthscale_std, size=dim),
            rng.normal(self.log_outputscale_mean, self.log_outputscale_std),
            rng.normal(self.log_noise_mean, self.log_noise_std),
        )


@dataclass(frozen=True)
class OutputTransform:
    """Monotone map from raw objective values to the GP's (model) space.

    ``model_value = (warp(y) - mean) / std`` where ``warp`` is the identity or the
    upper-tail log ``z if z <= 0 else log1p(z)`` with ``z = (y - warp_center) / warp_scale``;
    see the module docstring for when the warp is switched on.  Being strictly increasing,
    the transform maps thresholds (``best value``, a constraint bound ``0``) consistently.
    """

    is_warped: bool
    warp_center: float
    warp_scale: float
    mean: float
    std: float

    @classmethod
    def fit(
        cls, y: np.ndarray, warp_threshold: float | None = DEFAULT_WARP_THRESHOLD
    ) -> OutputTransform:
        """Choose the warp and the standardisation for observations ``y`` of shape ``(n,)``."""
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.size == 0:
            raise ValueError("Cannot fit an output transform on zero observations.")
        center = float(np.median(y))
        scale = _MAD_TO_STD * float(np.median(np.abs(y - center)))
        if scale <= 0.0:
            q25, q75 = np.percentile(y, [25.0, 75.0])
            scale = float(q75 - q25) / _IQR_TO_STD
        is_warped = (
            warp_threshold is not None
            and y.size >= 3
            and scale > 0.0
            and float(np.max(y - center)) > warp_threshold * scale
        )
        if not is_warped:
            center, scale = 0.0, 1.0
        warped = _upper_tail_log(y, center, scale) if is_warped else y
        mean = float(np.mean(warped))
        std = float(np.std(warped))
        if not np.isfinite(std) or std <= 1e-12 * max(1.0, abs(mean)):
            std = 1.0  # constant (or single) observation: only centre it
        return cls(bool(is_warped), center, scale, mean, std)

    def __call__(self, values: ArrayOrTensor) -> ArrayOrTensor:
        """Map raw values (NumPy or torch, any shape) into model space."""
        if self.is_warped:
            values = _upper_tail_log(values, self.warp_center, self.warp_scale)
        return (values - self.mean) / self.std


def _upper_tail_log(values: ArrayOrTensor, center: float, scale: float) -> ArrayOrTensor:
    """``z if z <= 0 else log1p(z)`` for ``z = (values - center) / scale`` (C1 at 0)."""
    z = (values - center) / scale
    if isinstance(z, torch.Tensor):
        return torch.where(z > 0, torch.log1p(z.clamp_min(0.0)), z)
    return np.where(z > 0, np.log1p(np.clip(z, 0.0, None)), z)


class GaussianProcess:
    """Exact GP regression with fixed hyper-parameters, in model (transformed) space.

    Usually built by :func:`fit_gp`.  Prior mean is zero (targets are standardised).

    Parameters
    ----------
    X
        Training inputs, shape ``(n, d)``, internal space.
    targets
        Training targets in model space, shape ``(n,)`` (already transformed).
    dims
        Search-space metadata.
    params
        Kernel / noise hyper-parameters.
    output_transform
        The raw-to-model-space map used to produce ``targets`` (kept for the sampler and
        for constraint thresholds).
    n_observed
        Number of leading rows that are real observations; the remaining rows are
        fantasies added by :meth:`condition_on_observations`.  Defaults to ``n``.
    device
        Torch device for all tensors.
    """

    def __init__(
        self,
        X: torch.Tensor | np.ndarray,
        targets: torch.Tensor | np.ndarray,
        dims: SearchSpaceDims,
        params: GPHyperparameters,
        output_transform: OutputTransform,
        n_observed: int | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.device = torch.device(device)
        self.dims = dims
        self.params = params
        self.output_transform = output_transform
        self.kernel = MaternHammingKernel(dims, self.device)
        X_tensor = torch.as_tensor(X, dtype=torch.float64, device=self.device)
        self.X_train = self.kernel.prepare_inputs(X_tensor.reshape(-1, dims.dim)).detach()
        self.targets = (
            torch.as_tensor(targets, dtype=torch.float64, device=self.device).reshape(-1).detach()
        )
        if self.targets.shape[0] != self.X_train.shape[0]:
            raise ValueError("X and targets must have the same number of rows.")
        if params.dim != dims.dim:
            raise ValueError(f"params have {params.dim} lengthscales for {dims.dim} dims.")
        self.n_observed = self.X_train.shape[0] if n_observed is None else int(n_observed)
        self._lengthscales = torch.as_tensor(
            params.lengthscales, dtype=torch.float64, device=self.device
        )
        self._outputscale = torch.tensor(
            params.outputscale, dtype=torch.float64, device=self.device
        )
        covariance = self.kernel(
            self.X_train, self.X_train, self._lengthscales, self._outputscale
        ) + params.noise_variance * torch.eye(
            self.X_train.shape[0], dtype=torch.float64, device=self.device
        )
        self._cholesky, self.jitter = robust_cholesky(covariance)
        # Constant per model: the training points as the posterior's kernel calls need them.
        self._train_scaled = self.kernel.scale_points(self.X_train, self._lengthscales)
        self._continuous_mask = torch.as_tensor(
            dims.is_continuous, dtype=torch.float64, device=self.device
        )
        # alpha = K^{-1} y, via two triangular solves.
        self._alpha = torch.cholesky_solve(self.targets[:, None], self._cholesky)[:, 0]

    @classmethod
    def from_observations(
        cls,
        X: torch.Tensor | np.ndarray,
        y: np.ndarray,
        dims: SearchSpaceDims,
        params: GPHyperparameters,
        warp_threshold: float | None = DEFAULT_WARP_THRESHOLD,
        device: torch.device | str = "cpu",
    ) -> GaussianProcess:
        """Build a GP on raw ``y`` with *given* hyper-parameters (no fitting)."""
        y_np = _validated_targets(y)
        transform = OutputTransform.fit(y_np, warp_threshold)
        return cls(X, transform(y_np), dims, params, transform, device=device)

    @property
    def best_value(self) -> float:
        """Smallest *observed* target in model space (fantasies excluded)."""
        return float(self.targets[: self.n_observed].min().item())

    def posterior(
        self, Xq: torch.Tensor, include_noise: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and variance of the latent function at ``Xq``.

        Parameters
        ----------
        Xq
            Query points of shape ``(..., d)``; differentiable (continuous dimensions).
        include_noise
            Add the noise variance (predictive distribution of a new observation).

        Returns
        -------
        (mean, variance)
            Each of shape ``(...)``, in model space; the variance is clamped at ``1e-12``.
        """
        Xq = torch.as_tensor(Xq, dtype=torch.float64, device=self.device)
        batch_shape = Xq.shape[:-1]
        mean, variance = _Posterior.apply(Xq.reshape(-1, self.dims.dim), self)
        if include_noise:
            variance = variance + self.params.noise_variance
        return mean.reshape(batch_shape), variance.reshape(batch_shape)

    def condition_on_observations(
        self, X_new: torch.Tensor | np.ndarray, targets_new: torch.Tensor | np.ndarray
    ) -> GaussianProcess:
        """A new GP with the same hyper-parameters and extra (model-space) observations.

        The extra rows count as fantasies: :attr:`best_value` still only looks at the
        real observations.
        """
        X_new_tensor = torch.as_tensor(X_new, dtype=torch.float64, device=self.device).reshape(
            -1, self.dims.dim
        )
        targets_new_tensor = torch.as_tensor(
            targets_new, dtype=torch.float64, device=self.device
        ).reshape(-1)
        return GaussianProcess(
            torch.cat([self.X_train, X_new_tensor.detach()]),
            torch.cat([self.targets, targets_new_tensor.detach()]),
            self.dims,
            self.params,
            self.output_transform,
            n_observed=self.n_observed,
            device=self.device,
        )


class _Posterior(torch.autograd.Function):
    """Posterior mean and variance at ``(m, d)`` query points, with closed-form input gradients.

    The acquisition's local search differentiates the posterior hundreds of times per trial;
    the known gradients (one extra triangular solve) cost a fraction of autograd's pass
    through the kernel and the triangular solve.  With ``w = K^-1 k(X, x)``:
    ``d mean = sum_i alpha_i dk_i`` and ``d var = -2 sum_i w_i dk_i``.
    """

    @staticmethod
    def forward(
        ctx: Any, Xq: torch.Tensor, gp: GaussianProcess
    ) -> tuple[torch.Tensor, torch.Tensor]:
        cross, slope = gp.kernel.cross_with_slope(
            Xq, gp._train_scaled, gp._lengthscales, gp._outputscale, ctx.needs_input_grad[0]
        )
        mean = cross @ gp._alpha
        # v = L^{-1} k(X, x*);  var = k(x*, x*) - |v|^2   (Rasmussen & Williams, Alg. 2.1)
        v = torch.linalg.solve_triangular(gp._cholesky, cross.T, upper=False)
        variance = gp._outputscale - (v * v).sum(0)
        clamped = variance < _MIN_POSTERIOR_VARIANCE
        ctx.save_for_backward(Xq, slope, v, clamped)
        ctx.gp = gp
        ctx.mark_non_differentiable(clamped)
        return mean, variance.clamp_min(_MIN_POSTERIOR_VARIANCE)

    @staticmethod
    def backward(
        ctx: Any, grad_mean: torch.Tensor, grad_variance: torch.Tensor
    ) -> tuple[torch.Tensor, None]:
        Xq, slope, v, clamped = ctx.saved_tensors
        gp: GaussianProcess = ctx.gp
        weights = torch.linalg.solve_triangular(gp._cholesky.T, v, upper=True)  # K^-1 k, (n, m)
        grad_variance = torch.where(clamped, 0.0, grad_variance)
        coefficient = slope * (
            grad_mean[:, None] * gp._alpha[None, :] - 2.0 * grad_variance[:, None] * weights.T
        )
        inverse_squared = 2.0 / gp._lengthscales**2
        gradient = inverse_squared * (
            Xq * coefficient.sum(1, keepdim=True) - coefficient @ gp.X_train
        )
        # Categorical and stepped inputs are piecewise constant: zero gradient.
        gradient = gradient * gp._continuous_mask
        return gradient, None


def _validated_targets(y: np.ndarray | Sequence[float] | torch.Tensor) -> np.ndarray:
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y_np = np.asarray(y, dtype=np.float64).ravel()
    if y_np.size == 0:
        raise ValueError("At least one observation is required to fit a GP.")
    if not np.all(np.isfinite(y_np)):
        raise ValueError("Objective values must be finite; filter or clip them first.")
    return y_np


class _GaussianNegativeLogLikelihood(torch.autograd.Function):
    """``-log N(y | 0, K)`` with the closed-form gradient ``(K^-1 - a a^T) / 2``, ``a = K^-1 y``.

    Autograd's generic Cholesky backward costs several times the forward pass on the small
    matrices of a GP fit; the known gradient (R&W eq. 5.9) needs one ``cholesky_inverse``.
    """

    @staticmethod
    def forward(ctx: Any, covariance: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        cholesky, _ = robust_cholesky(covariance)
        alpha = torch.cholesky_solve(targets[:, None], cholesky)[:, 0]
        ctx.save_for_backward(cholesky, alpha)
        n = targets.shape[0]
        return (
            0.5 * (targets * alpha).sum()
            + torch.log(torch.diagonal(cholesky)).sum()
            + 0.5 * n * math.log(2.0 * math.pi)
        )

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor, None]:
        cholesky, alpha = ctx.saved_tensors
        gradient = 0.5 * (torch.cholesky_inverse(cholesky) - torch.outer(alpha, alpha))
        return grad_output * gradient, None


def _negative_log_posterior(
    theta: torch.Tensor,
    features: torch.Tensor,
    targets: torch.Tensor,
    kernel: MaternHammingKernel,
    prior: HyperparameterPrior,
    include_noise_prior: bool,
) -> torch.Tensor:
    """``-log N(y | 0, K_theta + sigma^2 I) - log p(theta)`` (R&W eq. 2.30 + prior)."""
    n = features.shape[0]
    lengthscales = torch.exp(theta[:-2])
    outputscale = torch.exp(theta[-2])
    noise_variance = torch.exp(theta[-1])
    covariance = kernel.from_features(features, lengthscales, outputscale) + torch.diag_embed(
        noise_variance.expand(n)
    )
    negative_log_likelihood = _GaussianNegativeLogLikelihood.apply(covariance, targets)
    return negative_log_likelihood - prior.log_density(theta, include_noise_prior)


def fit_gp(
    X: torch.Tensor | np.ndarray,
    y: np.ndarray | Sequence[float] | torch.Tensor,
    dims: SearchSpaceDims,
    *,
    deterministic_objective: bool = False,
    initial_params: GPHyperparameters | np.ndarray | None = None,
    prior: HyperparameterPrior | None = None,
    n_restarts: int = 2,
    prior_median_start: bool = True,
    noise_floor: float = NOISE_FLOOR,
    warp_threshold: float | None = DEFAULT_WARP_THRESHOLD,
    max_iter: int = 200,
    seed: int | None = None,
    device: torch.device | str = "cpu",
) -> GaussianProcess:
    """Fit a GP to minimisation targets ``y`` by maximum a posteriori hyper-parameters.

    Parameters
    ----------
    X
        Observed inputs, shape ``(n, d)``, internal space (see :mod:`.kernel`).
    y
        Observed objective values, shape ``(n,)``, to be minimised; must be finite.
    dims
        Search-space metadata.
    deterministic_objective
        Fix the noise variance at ``noise_floor`` instead of fitting it.
    initial_params
        Warm start, typically ``previous_model.params``; ignored if its dimension differs.
    prior
        Hyper-parameter prior; default :meth:`HyperparameterPrior.box`.
    n_restarts
        Number of extra random starts drawn from the prior (besides the warm start and
        the prior median).
    prior_median_start
        Also start from the prior median.  Without a (valid) warm start it is always used.
    noise_floor
        Lower bound of the noise variance in standardised units.
    warp_threshold
        See :class:`OutputTransform`; ``None`` disables warping.
    max_iter
        Maximum L-BFGS-B iterations per start.
    seed
        Seed of the random restarts.
    device
        Torch device (``"cpu"`` or ``"cuda"``).

    Returns
    -------
    GaussianProcess
        Conditioned on the data, with the MAP hyper-parameters in ``.params``.
    """
    device = torch.device(device)
    y_np = _validated_targets(y)
    X_tensor = torch.as_tensor(X, dtype=torch.float64, device=device).reshape(-1, dims.dim)
    if X_tensor.shape[0] != y_np.shape[0]:
        raise ValueError(f"X has {X_tensor.shape[0]} rows but y has {y_np.shape[0]} values.")
    prior = HyperparameterPrior.box(dims.dim) if prior is None else prior
    transform = OutputTransform.fit(y_np, warp_threshold)
    targets = torch.as_tensor(transform(y_np), dtype=torch.float64, device=device)
    kernel = MaternHammingKernel(dims, device)
    features = kernel.features(X_tensor, X_tensor)  # rounds the stepped dimensions

    log_noise_floor = math.log(noise_floor)
    noise_bounds = (
        (log_noise_floor, log_noise_floor)  # equal bounds pin the variable in L-BFGS-B
        if deterministic_objective
        else (log_noise_floor, max(_LOG_NOISE_UPPER, log_noise_floor))
    )
    bounds = [_LOG_LENGTHSCALE_BOUNDS] * dims.dim + [_LOG_OUTPUTSCALE_BOUNDS, noise_bounds]
    lower = np.array([b[0] for b in bounds])
    upper = np.array([b[1] for b in bounds])

    rng = np.random.default_rng(seed)
    starts: list[np.ndarray] = []
    if initial_params is not None:
        warm = (
            initial_params.to_array()
            if isinstance(initial_params, GPHyperparameters)
            else np.asarray(initial_params, dtype=np.float64).ravel()
        )
        if warm.shape == lower.shape and np.all(np.isfinite(warm)):
            starts.append(warm)
    if prior_median_start or not starts:
        starts.append(prior.median(dims.dim).to_array())
    starts.extend(prior.sample(dims.dim, rng).to_array() for _ in range(n_restarts))

    def objective(theta_np: np.ndarray) -> tuple[float, np.ndarray]:
        theta = torch.tensor(theta_np, dtype=torch.float64, device=device, requires_grad=True)
        try:
            loss = _negative_log_posterior(
                theta, features, targets, kernel, prior, not deterministic_objective
            )
        except CholeskyError:
            return math.inf, np.zeros_like(theta_np)
        if not bool(torch.isfinite(loss)):
            return math.inf, np.zeros_like(theta_np)
        (gradient,) = torch.autograd.grad(loss, theta)
        return float(loss.item()), gradient.detach().cpu().numpy()

    best_theta = np.clip(starts[0], lower, upper)
    best_loss = math.inf
    for start in starts:
        start = np.clip(start, lower, upper)
        start_loss, _ = objective(start)
        if not math.isfinite(start_loss):
            continue
        result = scipy.optimize.minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": max_iter, "gtol": _MAP_GTOL},
        )
        # L-BFGS-B never returns a point worse than its start, but guard anyway.
        theta, loss = (
            (result.x, float(result.fun)) if result.fun <= start_loss else (start, start_loss)
        )
        if loss < best_loss:
            best_theta, best_loss = np.clip(theta, lower, upper), loss
    params = GPHyperparameters.from_array(best_theta)
    return GaussianProcess(X_tensor, targets, dims, params, transform, device=device)
