"""Acquisition functions on top of :class:`~tunekit.samplers.gp.model.GaussianProcess`.

Conventions
-----------
* The objective is **minimised**; every acquisition function returns a tensor of shape
  ``(...)`` for inputs ``(..., d)`` that is to be **maximised**, and is differentiable
  w.r.t. the continuous input dimensions.
* Everything is computed in the GP's *model space* (warped, standardised targets), so
  ``best_f`` and ``xi`` are model-space quantities.  ``xi`` is thus measured in units of
  the standard deviation of the (warped) observations.

Log expected improvement
------------------------
With ``z = (best_f - xi - mu) / sigma`` the expected improvement is
``EI = sigma * h(z)`` with ``h(z) = phi(z) + z Phi(z)``, so
``log EI = log sigma + log h(z)``.  ``h`` underflows for ``z < -38`` in float64 and loses
all relative accuracy well before that, which makes EI's landscape flat (zero gradient)
far from the incumbent.  :func:`log_h` follows Ament et al. (2023), "Unexpected
Improvements to Expected Improvement for Bayesian Optimization", eq. (9):

* ``z > -1``: ``log(phi(z) + z Phi(z))`` directly;
* ``-1/sqrt(eps) < z <= -1``: writing ``Phi(z) = erfcx(-z/sqrt2) exp(-z^2/2) / 2``,
  ``log h(z) = -z^2/2 - log(2 pi)/2 + log1mexp(log(erfcx(-z/sqrt2) |z|) + log(pi/2)/2)``;
* ``z <= -1/sqrt(eps)``: the asymptote ``-z^2/2 - log(2 pi)/2 - 2 log|z|``.

We deviate in one detail: the paper switches to the asymptote at ``-1/sqrt(eps)``, but
there the bracket ``1 - |z| sqrt(pi/2) erfcx(-z/sqrt2) ~ 1/z^2`` is already at the float64
resolution and rounding can make it ``<= 0`` (NaN).  We therefore switch at ``z = -1000``
and use the next terms of the asymptotic series of ``erfcx``,
``bracket = z^-2 (1 - 3 z^-2 + 15 z^-4 - 105 z^-6 + ...)``, whose truncation error there
(``945 z^-8 ~ 1e-21``) is far below float64 precision.

Each branch is evaluated on inputs masked into its own domain ("double where") so that
unused branches produce neither NaN values nor NaN gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

import numpy as np
import scipy.special
import torch

from tunekit.samplers._special import log1mexp
from tunekit.samplers.gp.model import GaussianProcess

__all__ = [
    "AcquisitionFunction",
    "LogExpectedImprovement",
    "LogProbabilityOfImprovement",
    "LowerConfidenceBound",
    "LogConstrainedExpectedImprovement",
    "add_pending",
    "log_h",
    "log_expected_improvement",
    "log_probability_of_improvement",
    "log_probability_of_feasibility",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_SQRT_PI_OVER_2 = 0.5 * math.log(math.pi / 2.0)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
# Below this z the bracket 1 - |z| sqrt(pi/2) erfcx(-z/sqrt2) (~ 1/z^2 <= 1e-6) loses
# digits to cancellation, while its asymptotic series is exact to float64 precision.
_ASYMPTOTIC_Z = -1000.0


class AcquisitionFunction(Protocol):
    """Anything mapping candidates ``(..., d)`` to scores ``(...)`` to be maximised.

    The classes here also have ``value_and_gradient(X)``: the same scores and their input
    gradients for ``(m, d)`` NumPy points, in closed form.  The local search
    (:func:`~tunekit.samplers.gp.optimize.optimize_acquisition`) uses it when present and
    otherwise differentiates the call with autograd.
    """

    def __call__(self, X: torch.Tensor) -> torch.Tensor: ...


def log_h(z: torch.Tensor) -> torch.Tensor:
    """Numerically stable ``log(phi(z) + z Phi(z))`` (Ament et al. 2023, eq. 9).

    Accurate to float64 precision for every finite ``z`` (see the module docstring for the
    three branches); the gradient is finite and positive everywhere.
    """
    return _LogH.apply(z)


class _LogH(torch.autograd.Function):
    """:func:`log_h` with its closed-form derivative ``Phi(z) / h(z)`` (as ``h' = Phi``).

    The three branches are evaluated without an autograd graph; the derivative is computed
    in log space, ``exp(log Phi(z) - log h(z))``, so it stays finite where ``h`` underflows.
    """

    @staticmethod
    def forward(ctx: object, z: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            value = _log_h_value(z)
        ctx.save_for_backward(z, value)  # type: ignore[attr-defined]
        return value

    @staticmethod
    def backward(ctx: object, grad_output: torch.Tensor) -> torch.Tensor:
        z, value = ctx.saved_tensors  # type: ignore[attr-defined]
        return grad_output * torch.exp(torch.special.log_ndtr(z) - value)


def _log_h_value(z: torch.Tensor) -> torch.Tensor:
    """The value of :func:`log_h` for a tensor (computed by :func:`_log_h_numpy`)."""
    return torch.from_numpy(_log_h_numpy(z.detach().cpu().numpy())).to(z.device)


def _log_h_numpy(x: np.ndarray) -> np.ndarray:
    """:func:`log_h` in NumPy/SciPy, branch by branch on the elements that need each branch.

    A handful of scalar special functions on a few points per call cost a fraction of the
    equivalent torch kernels' dispatch, and only the branches some element needs are
    evaluated.
    """
    out = np.empty_like(x)
    direct = x > -1.0
    tail = x <= _ASYMPTOTIC_Z
    middle = ~(direct | tail)
    zd = x[direct]
    out[direct] = np.log(np.exp(-0.5 * zd * zd - _LOG_SQRT_2PI) + zd * scipy.special.ndtr(zd))
    if middle.any():
        magnitude = -x[middle]
        log_bracket = np.log(scipy.special.erfcx(magnitude * _INV_SQRT2) * magnitude)
        log_bracket = log_bracket + _LOG_SQRT_PI_OVER_2  # log(|z| sqrt(pi/2) erfcx), < 0
        out[middle] = -0.5 * magnitude**2 - _LOG_SQRT_2PI + log1mexp(log_bracket)
    if tail.any():
        zt = x[tail]
        inverse_square = 1.0 / zt**2
        series = inverse_square * (-3.0 + inverse_square * (15.0 - 105.0 * inverse_square))
        out[tail] = -0.5 * zt**2 - _LOG_SQRT_2PI - 2.0 * np.log(-zt) + np.log1p(series)
    return out


# Closed-form value and gradient (the local search's path, see
# GaussianProcess.posterior_with_gradient).  Each ``*_terms`` function returns the value and
# its derivatives with respect to the posterior mean and variance; ``_value_and_gradient``
# turns those into input gradients.  Variances arrive clamped at 1e-12, as in the torch
# functions.


def _log_ei_terms(
    mean: np.ndarray, variance: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log EI`` below ``threshold`` and its derivatives: with ``r = Phi(z) / h(z)``,
    ``d/d mean = -r / sigma`` and ``d/d variance = (1 - r z) / (2 variance)``."""
    sigma = np.sqrt(variance)
    z = (threshold - mean) / sigma
    log_h_z = _log_h_numpy(z)
    ratio = np.exp(scipy.special.log_ndtr(z) - log_h_z)
    return np.log(sigma) + log_h_z, -ratio / sigma, (1.0 - ratio * z) / (2.0 * variance)


def _log_pi_terms(
    mean: np.ndarray, variance: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log P(f < threshold)`` and its derivatives (``d log Phi / dz = phi(z) / Phi(z)``)."""
    sigma = np.sqrt(variance)
    z = (threshold - mean) / sigma
    log_cdf = scipy.special.log_ndtr(z)
    ratio = np.exp(-0.5 * z * z - _LOG_SQRT_2PI - log_cdf)
    return log_cdf, -ratio / sigma, -ratio * z / (2.0 * variance)


def _upper_confidence_terms(
    mean: np.ndarray, variance: np.ndarray, beta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``-mean + sqrt(beta) sigma`` and its derivatives."""
    sigma = np.sqrt(variance)
    root_beta = math.sqrt(beta)
    return -mean + root_beta * sigma, -np.ones_like(sigma), root_beta / (2.0 * sigma)


def _value_and_gradient(
    model: GaussianProcess,
    X: np.ndarray,
    terms: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """``terms`` of the posterior at ``X`` and, by the chain rule, their input gradients."""
    posterior = model.posterior_with_gradient(X)
    value, d_mean, d_variance = terms(posterior.mean, posterior.variance)
    return value, (
        d_mean[:, None] * posterior.mean_gradient
        + d_variance[:, None] * posterior.variance_gradient
    )


def _standard_deviation(variance: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(variance.clamp_min(1e-12))


def log_expected_improvement(
    mean: torch.Tensor, variance: torch.Tensor, best_f: float | torch.Tensor, xi: float = 0.0
) -> torch.Tensor:
    """``log E[max(best_f - xi - f, 0)]`` for ``f ~ N(mean, variance)`` (minimisation)."""
    sigma = _standard_deviation(variance)
    z = (best_f - xi - mean) / sigma
    return torch.log(sigma) + log_h(z)


def log_probability_of_improvement(
    mean: torch.Tensor, variance: torch.Tensor, best_f: float | torch.Tensor, xi: float = 0.0
) -> torch.Tensor:
    """``log P(f < best_f - xi)`` via ``log_ndtr`` (stable for very negative ``z``)."""
    z = (best_f - xi - mean) / _standard_deviation(variance)
    return torch.special.log_ndtr(z)


class LogExpectedImprovement:
    """Log expected improvement over ``best_f - xi``.

    Parameters
    ----------
    model
        The fitted GP.
    best_f
        Incumbent in model space; default ``model.best_value`` (best real observation).
    xi
        Exploration margin (model-space units): improvement is measured relative to
        ``best_f - xi``, so ``xi > 0`` discounts tiny improvements near the incumbent.
    """

    def __init__(
        self, model: GaussianProcess, best_f: float | None = None, xi: float = 0.0
    ) -> None:
        self.model = model
        self.best_f = model.best_value if best_f is None else float(best_f)
        self.xi = float(xi)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        mean, variance = self.model.posterior(X)
        return log_expected_improvement(mean, variance, self.best_f, self.xi)

    def value_and_gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(m,)`` and input gradients ``(m, d)`` at ``(m, d)`` points, in NumPy."""
        return _value_and_gradient(
            self.model, X, partial(_log_ei_terms, threshold=self.best_f - self.xi)
        )


class LogProbabilityOfImprovement:
    """Log probability of improving on ``best_f - xi`` (see :class:`LogExpectedImprovement`)."""

    def __init__(
        self, model: GaussianProcess, best_f: float | None = None, xi: float = 0.0
    ) -> None:
        self.model = model
        self.best_f = model.best_value if best_f is None else float(best_f)
        self.xi = float(xi)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        mean, variance = self.model.posterior(X)
        return log_probability_of_improvement(mean, variance, self.best_f, self.xi)

    def value_and_gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(m,)`` and input gradients ``(m, d)`` at ``(m, d)`` points, in NumPy."""
        return _value_and_gradient(
            self.model, X, partial(_log_pi_terms, threshold=self.best_f - self.xi)
        )


class LowerConfidenceBound:
    """Negated lower confidence bound ``-(mu - sqrt(beta) sigma)`` (maximise it).

    GP-UCB of Srinivas et al. (2010) written for minimisation; ``beta`` trades
    exploration (large) against exploitation (small).
    """

    def __init__(self, model: GaussianProcess, beta: float = 2.0) -> None:
        if beta < 0:
            raise ValueError("beta must be non-negative.")
        self.model = model
        self.beta = float(beta)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        mean, variance = self.model.posterior(X)
        return -mean + math.sqrt(self.beta) * _standard_deviation(variance)

    def value_and_gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(m,)`` and input gradients ``(m, d)`` at ``(m, d)`` points, in NumPy."""
        return _value_and_gradient(self.model, X, partial(_upper_confidence_terms, beta=self.beta))


def log_probability_of_feasibility(
    constraint_models: Sequence[GaussianProcess], X: torch.Tensor
) -> torch.Tensor:
    """``sum_i log P(c_i(x) <= 0)`` under independent constraint GPs.

    Each constraint GP was fitted on raw constraint values; the bound ``0`` is mapped into
    that model's space with its (monotone) output transform.
    """
    total = torch.zeros(X.shape[:-1], dtype=torch.float64, device=X.device)
    for constraint_model in constraint_models:
        threshold = _feasibility_threshold(constraint_model)
        mean, variance = constraint_model.posterior(X)
        total = total + torch.special.log_ndtr((threshold - mean) / _standard_deviation(variance))
    return total


def _feasibility_threshold(constraint_model: GaussianProcess) -> float:
    """The feasibility bound ``c = 0`` in the constraint model's (transformed) space."""
    return float(constraint_model.output_transform(np.float64(0.0)))


class LogConstrainedExpectedImprovement:
    """``log EI(x) + sum_i log P(c_i(x) <= 0)`` (Gardner et al. 2014, constrained EI).

    Parameters
    ----------
    model
        GP of the objective.
    constraint_models
        One GP per constraint ``c_i``, fitted on the raw constraint values (feasible when
        ``c_i <= 0``), on the same inputs and device.
    feasible_mask
        Boolean mask over the objective model's real observations, ``True`` where the
        trial was feasible.  The incumbent is the best *feasible* observation; if there is
        none, the acquisition is the log probability of feasibility alone (find a feasible
        point first).  ``None`` treats every observation as feasible.
    xi
        Exploration margin, as in :class:`LogExpectedImprovement`.
    """

    def __init__(
        self,
        model: GaussianProcess,
        constraint_models: Sequence[GaussianProcess],
        feasible_mask: np.ndarray | Sequence[bool] | None = None,
        xi: float = 0.0,
    ) -> None:
        self.model = model
        self.constraint_models = list(constraint_models)
        self.xi = float(xi)
        observed = model.targets[: model.n_observed].detach().cpu().numpy()
        if feasible_mask is None:
            mask = np.ones(observed.shape[0], dtype=bool)
        else:
            mask = np.asarray(feasible_mask, dtype=bool).ravel()
            if mask.shape[0] != observed.shape[0]:
                raise ValueError("feasible_mask must have one entry per observation.")
        self.best_f: float | None = float(observed[mask].min()) if mask.any() else None

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        log_feasibility = log_probability_of_feasibility(self.constraint_models, X)
        if self.best_f is None:
            return log_feasibility
        mean, variance = self.model.posterior(X)
        return log_expected_improvement(mean, variance, self.best_f, self.xi) + log_feasibility

    def value_and_gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(m,)`` and input gradients ``(m, d)`` at ``(m, d)`` points, in NumPy."""
        X = np.asarray(X, dtype=np.float64).reshape(-1, self.model.dims.dim)
        parts = [
            _value_and_gradient(
                constraint_model,
                X,
                partial(
                    _log_pi_terms,
                    threshold=_feasibility_threshold(constraint_model),
                ),
            )
            for constraint_model in self.constraint_models
        ]
        if self.best_f is not None:
            parts.append(
                _value_and_gradient(
                    self.model, X, partial(_log_ei_terms, threshold=self.best_f - self.xi)
                )
            )
        value, gradient = np.zeros(X.shape[0]), np.zeros(X.shape)
        for part_value, part_gradient in parts:
            value, gradient = value + part_value, gradient + part_gradient
        return value, gradient


def add_pending(
    model: GaussianProcess, X_pending: torch.Tensor | np.ndarray | None
) -> GaussianProcess:
    """Condition ``model`` on its own posterior mean at pending points (kriging believer).

    Running trials of other workers are treated as if they had returned the current
    posterior mean.  The mean surface is unchanged but the variance collapses around the
    pending points, so EI there drops to ~0 and a parallel worker proposes something else.
    The incumbent (:attr:`GaussianProcess.best_value`) still only uses real observations.

    Parameters
    ----------
    model
        Fitted GP (hyper-parameters are kept, not refitted).
    X_pending
        Pending points, shape ``(p, d)`` in the internal space; ``None`` or empty returns
        ``model`` itself.
    """
    if X_pending is None:
        return model
    pending = torch.as_tensor(X_pending, dtype=torch.float64, device=model.device).reshape(
        -1, model.dims.dim
    )
    if pending.shape[0] == 0:
        return model
    with torch.no_grad():
        believed_mean, _ = model.posterior(pending)
    return model.condition_on_observations(pending, believed_mean)
