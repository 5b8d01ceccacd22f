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
   **Prior mean** -- zero, or with ``mean_curvature = c > 0`` the centred quadratic
   ``c * sum_j (x_j - 1/2)^2`` over the continuous dimensions of the unit box (model-space
   units): the model is pessimistic where it has seen nothing near the box's faces and
   corners.  A stationary kernel's posterior variance is largest there, so an unmodified
   acquisition spends its exploratory steps on the box's corners; in hyper-parameter
   search the box is usually drawn wide around the optimum (Siivola et al. 2018 make
   the same point).  Data near a face override the prior mean as usual.
3. **MAP estimate** of ``theta = (log lengthscales, log outputscale, log noise variance)``
   by minimising ``-log p(y | theta) - log p(theta)`` with L-BFGS-B (scipy).  The kernel's
   per-dimension distances are computed once per fit
   (:meth:`~.kernel.MaternHammingKernel.features`).  On the CPU the objective and its
   closed-form gradient (R&W eq. 5.9) are evaluated in NumPy
   (:class:`_HostNegativeLogPosterior`: a handful of LAPACK calls, about a third of the
   torch version's time on the matrices of a 100-trial study); on a GPU the torch objective
   is differentiated by autograd, with the Gaussian likelihood as an autograd function with
   the same closed-form gradient.  Priors
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
from typing import Any, NamedTuple, TypeVar

import numpy as np
import scipy.linalg
import scipy.optimize
import torch

from tunekit.samplers.gp.kernel import (
    MaternHammingKernel,
    SearchSpaceDims,
    matern52_with_slope,
    round_to_grid,
)

__all__ = [
    "NOISE_FLOOR",
    "DEFAULT_WARP_THRESHOLD",
    "CholeskyError",
    "GPHyperparameters",
    "HyperparameterPrior",
    "OutputTransform",
    "GaussianProcess",
    "PosteriorWithGradient",
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


class PosteriorWithGradient(NamedTuple):
    """Posterior at ``m`` points and its input gradients (NumPy, float64).

    Returned by :meth:`GaussianProcess.posterior_with_gradient`.  The gradients are zero in
    categorical and stepped dimensions (the model is piecewise constant there), and the
    variance's gradient is zero where the variance is clamped.
    """

    mean: np.ndarray  # (m,)
    variance: np.ndarray  # (m,), clamped at _MIN_POSTERIOR_VARIANCE
    mean_gradient: np.ndarray  # (m, d)
    variance_gradient: np.ndarray  # (m, d)


class _HostFactors(NamedTuple):
    """NumPy copies of what :meth:`GaussianProcess.posterior_with_gradient` needs."""

    cholesky: np.ndarray  # (n, n), lower
    alpha: np.ndarray  # K^-1 y, (n,)
    train: np.ndarray  # training inputs, stepped dimensions rounded, (n, d)
    numerical: np.ndarray  # numerical dimensions of ``train`` / lengthscales, (n, p)
    squared_norms: np.ndarray  # row norms of ``numerical`` squared, (n,)
    categorical: np.ndarray  # categorical dimensions of ``train``, (n, c)
    lengthscales: np.ndarray  # (d,)
    outputscale: float
    continuous: np.ndarray  # (d,) 1.0 where the dimension is continuous


class GaussianProcess:
    """Exact GP regression with fixed hyper-parameters, in model (transformed) space.

    Usually built by :func:`fit_gp`.  The prior mean is zero (targets are standardised) or
    the centred quadratic of ``mean_curvature`` (see the module docstring).

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
    mean_curvature
        ``c`` of the prior mean ``c * sum_j (x_j - 1/2)^2`` over the continuous dimensions;
        ``0`` (the default) is the zero mean.
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
        mean_curvature: float = 0.0,
    ) -> None:
        if not (math.isfinite(mean_curvature) and mean_curvature >= 0.0):
            raise ValueError(f"mean_curvature must be finite and >= 0, got {mean_curvature}.")
        self.device = torch.device(device)
        self.dims = dims
        self.mean_curvature = float(mean_curvature)
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
        # alpha = K^{-1} (y - m(X)), via two triangular solves.
        residuals = self.targets - self.prior_mean(self.X_train)
        self._alpha = torch.cholesky_solve(residuals[:, None], self._cholesky)[:, 0]
        self._host: _HostFactors | None = None

    @classmethod
    def from_observations(
        cls,
        X: torch.Tensor | np.ndarray,
        y: np.ndarray,
        dims: SearchSpaceDims,
        params: GPHyperparameters,
        warp_threshold: float | None = DEFAULT_WARP_THRESHOLD,
        device: torch.device | str = "cpu",
        mean_curvature: float = 0.0,
    ) -> GaussianProcess:
        """Build a GP on raw ``y`` with *given* hyper-parameters (no fitting)."""
        y_np = _validated_targets(y)
        transform = OutputTransform.fit(y_np, warp_threshold)
        return cls(
            X,
            transform(y_np),
            dims,
            params,
            transform,
            device=device,
            mean_curvature=mean_curvature,
        )

    def prior_mean(self, X: torch.Tensor) -> torch.Tensor:
        """The prior mean at ``(..., d)`` points: ``c * sum_j (x_j - 1/2)^2``, continuous ``j``."""
        return _centred_quadratic(X, self._continuous_mask, self.mean_curvature)

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
        flat = Xq.reshape(-1, self.dims.dim)
        mean, variance = _Posterior.apply(flat, self)
        if self.mean_curvature:
            mean = mean + self.prior_mean(flat)
        if include_noise:
            variance = variance + self.params.noise_variance
        return mean.reshape(batch_shape), variance.reshape(batch_shape)

    def posterior_with_gradient(self, Xq: np.ndarray) -> PosteriorWithGradient:
        """Posterior mean and variance at ``(m, d)`` points with their input gradients.

        The same quantities as :meth:`posterior` and its closed-form backward pass, computed in
        NumPy on host copies of the model's factors, without autograd.  The acquisition's
        local search calls this hundreds of times per trial on a handful of points; at those
        sizes torch's per-operation dispatch and the autograd engine cost about three times
        the arithmetic, so this path is the one L-BFGS-B uses, on every device.
        """
        host = self._host_factors()
        dims = self.dims
        Xq = round_to_grid(
            np.asarray(Xq, dtype=np.float64).reshape(-1, dims.dim),
            dims.n_steps,
            dims.is_categorical,
        )
        numerical = ~dims.is_categorical
        cross = np.full((Xq.shape[0], host.train.shape[0]), host.outputscale)
        if dims.is_categorical.any():
            mismatch = Xq[:, None, dims.is_categorical] != host.categorical[None, :, :]
            cross = cross * np.exp(-(mismatch @ (1.0 / host.lengthscales[dims.is_categorical])))
        slope = np.zeros_like(cross)
        if numerical.any():
            scaled = Xq[:, numerical] / host.lengthscales[numerical]
            squared_distance = np.maximum(
                (scaled * scaled).sum(1)[:, None]
                + host.squared_norms[None, :]
                - 2.0 * (scaled @ host.numerical.T),
                0.0,
            )
            cross, slope = matern52_with_slope(squared_distance, cross)
        mean = cross @ host.alpha
        v = scipy.linalg.solve_triangular(host.cholesky, cross.T, lower=True, check_finite=False)
        variance = host.outputscale - (v * v).sum(0)
        weights = scipy.linalg.solve_triangular(
            host.cholesky, v, lower=True, trans="T", check_finite=False
        )  # K^-1 k(X, x), (n, m)
        # dk_i/dx_j = slope_i * 2 (x_j - X_ij) / l_j^2 on continuous dimensions j.
        inverse_squared = host.continuous * 2.0 / host.lengthscales**2

        def input_gradient(coefficient: np.ndarray) -> np.ndarray:
            return inverse_squared * (
                Xq * coefficient.sum(1, keepdims=True) - coefficient @ host.train
            )

        clamped = variance < _MIN_POSTERIOR_VARIANCE
        variance_gradient = input_gradient(-2.0 * slope * weights.T)
        variance_gradient[clamped] = 0.0
        mean_gradient = input_gradient(slope * host.alpha[None, :])
        if self.mean_curvature:
            centred = (Xq - 0.5) * host.continuous
            mean = mean + self.mean_curvature * (centred * centred).sum(1)
            mean_gradient = mean_gradient + 2.0 * self.mean_curvature * centred
        return PosteriorWithGradient(
            mean,
            np.maximum(variance, _MIN_POSTERIOR_VARIANCE),
            mean_gradient,
            variance_gradient,
        )

    def _host_factors(self) -> _HostFactors:
        if self._host is None:
            train = self.X_train.detach().cpu().numpy()
            lengthscales = self._lengthscales.detach().cpu().numpy()
            numerical = (
                train[:, ~self.dims.is_categorical] / lengthscales[~self.dims.is_categorical]
            )
            self._host = _HostFactors(
                cholesky=self._cholesky.detach().cpu().numpy(),
                alpha=self._alpha.detach().cpu().numpy(),
                train=train,
                numerical=numerical,
                squared_norms=(numerical * numerical).sum(1),
                categorical=train[:, self.dims.is_categorical],
                lengthscales=lengthscales,
                outputscale=float(self.params.outputscale),
                continuous=self.dims.is_continuous.astype(np.float64),
            )
        return self._host

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
            mean_curvature=self.mean_curvature,
        )

    def with_params(self, params: GPHyperparameters) -> GaussianProcess:
        """The same observations (and fantasies) under other hyper-parameters."""
        return GaussianProcess(
            self.X_train,
            self.targets,
            self.dims,
            params,
            self.output_transform,
            n_observed=self.n_observed,
            device=self.device,
            mean_curvature=self.mean_curvature,
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


def _centred_quadratic(X: torch.Tensor, mask: torch.Tensor, curvature: float) -> torch.Tensor:
    centred = (X - 0.5) * mask
    return curvature * (centred * centred).sum(-1)


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


class _HostNegativeLogPosterior:
    """:func:`_negative_log_posterior` and its gradient in NumPy, for fits on the CPU.

    The same objective as the torch function, with the gradient in closed form: with
    ``G = (K^-1 - a a^T) / 2`` (R&W eq. 5.9) and ``K_f = s k(r) h`` the noiseless kernel,
    ``d/d log s = sum(G K_f)``, ``d/d log sigma^2 = sigma^2 tr(G)``, a numerical lengthscale's
    ``-2 / l_j^2 sum(G s h k'(r^2) f_j)`` and a categorical one's ``sum(G K_f f_j) / l_j``
    (``f_j`` the per-dimension distances of :meth:`~.kernel.MaternHammingKernel.features`).
    A fit evaluates it tens of times on small matrices, where torch's dispatch and autograd
    cost about as much as the factorisation; in NumPy the whole evaluation is a handful of
    LAPACK calls.
    """

    def __init__(
        self,
        features: np.ndarray,
        targets: np.ndarray,
        dims: SearchSpaceDims,
        prior: HyperparameterPrior,
        include_noise_prior: bool,
    ) -> None:
        n = targets.shape[0]
        self._n, self._dim = n, dims.dim
        self._targets = targets
        self._numerical = ~dims.is_categorical
        self._categorical = dims.is_categorical
        flat = features.reshape(n * n, dims.dim)
        self._numerical_features = np.ascontiguousarray(flat[:, self._numerical])
        self._categorical_features = np.ascontiguousarray(flat[:, self._categorical])
        self._prior_mean = prior.median(dims.dim).to_array()
        prior_std = np.r_[
            np.full(dims.dim, prior.log_lengthscale_std),
            prior.log_outputscale_std,
            prior.log_noise_std,
        ]
        self._prior_precision = prior_std**-2.0
        if not include_noise_prior:
            self._prior_precision[-1] = 0.0

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        # Far outside the MAP bounds the matrix overflows; that is an infinite objective.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._evaluate(theta)

    def _evaluate(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        n, dim = self._n, self._dim
        lengthscales = np.exp(theta[:dim])
        outputscale, noise_variance = np.exp(theta[dim : dim + 2])
        correlation = np.ones(n * n)
        if self._categorical.any():
            correlation = np.exp(
                -(self._categorical_features @ (1.0 / lengthscales[self._categorical]))
            )
        slope = None
        if self._numerical.any():
            squared_distance = self._numerical_features @ lengthscales[self._numerical] ** -2.0
            correlation, slope = matern52_with_slope(squared_distance, correlation)
        noiseless = outputscale * correlation.reshape(n, n)
        covariance = noiseless + noise_variance * np.eye(n)
        cholesky = _host_cholesky(covariance)
        if cholesky is None:
            return math.inf, np.zeros_like(theta)
        alpha = scipy.linalg.cho_solve((cholesky, True), self._targets, check_finite=False)
        value = (
            0.5 * float(self._targets @ alpha)
            + float(np.log(np.diagonal(cholesky)).sum())
            + 0.5 * n * math.log(2.0 * math.pi)
        )
        inverse = scipy.linalg.cho_solve((cholesky, True), np.eye(n), check_finite=False)
        G = 0.5 * (inverse - np.outer(alpha, alpha))
        gradient = np.empty_like(theta)
        weighted = (G * noiseless).ravel()
        if slope is not None:
            gradient[:dim][self._numerical] = (
                -2.0
                * lengthscales[self._numerical] ** -2.0
                * (((G.ravel() * slope) * outputscale) @ self._numerical_features)
            )
        if self._categorical.any():
            gradient[:dim][self._categorical] = (
                weighted @ self._categorical_features
            ) / lengthscales[self._categorical]
        gradient[dim] = weighted.sum()
        gradient[dim + 1] = noise_variance * float(np.trace(G))
        offset = theta - self._prior_mean
        value += 0.5 * float((self._prior_precision * offset * offset).sum())
        gradient += self._prior_precision * offset
        if not math.isfinite(value) or not np.all(np.isfinite(gradient)):
            return math.inf, np.zeros_like(theta)
        return value, gradient


def _host_cholesky(matrix: np.ndarray) -> np.ndarray | None:
    """:func:`robust_cholesky` in NumPy (same jitters); ``None`` where every jitter fails."""
    if not np.all(np.isfinite(matrix)):
        return None
    for jitter in CHOLESKY_JITTERS:
        candidate = matrix if jitter == 0.0 else matrix + jitter * np.eye(matrix.shape[0])
        try:
            return scipy.linalg.cholesky(candidate, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            continue
    return None


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
    mean_curvature: float = 0.0,
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
    mean_curvature
        ``c`` of the centred quadratic prior mean (see :class:`GaussianProcess`); the kernel
        is fitted to the targets' deviations from it.

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
    continuous = torch.as_tensor(dims.is_continuous, dtype=torch.float64, device=device)
    residuals = targets - _centred_quadratic(X_tensor, continuous, mean_curvature)
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

    def autograd_objective(theta_np: np.ndarray) -> tuple[float, np.ndarray]:
        theta = torch.tensor(theta_np, dtype=torch.float64, device=device, requires_grad=True)
        try:
            loss = _negative_log_posterior(
                theta, features, residuals, kernel, prior, not deterministic_objective
            )
        except CholeskyError:
            return math.inf, np.zeros_like(theta_np)
        if not bool(torch.isfinite(loss)):
            return math.inf, np.zeros_like(theta_np)
        (gradient,) = torch.autograd.grad(loss, theta)
        return float(loss.item()), gradient.detach().cpu().numpy()

    # On the CPU the closed-form NumPy objective is the fast path; on a GPU, torch.
    objective = (
        _HostNegativeLogPosterior(
            features.numpy(), residuals.numpy(), dims, prior, not deterministic_objective
        )
        if device.type == "cpu"
        else autograd_objective
    )

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
    return GaussianProcess(
        X_tensor, targets, dims, params, transform, device=device, mean_curvature=mean_curvature
    )
