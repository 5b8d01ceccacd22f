"""The eleven parametric learning-curve families of Domhan, Springenberg & Hutter (IJCAI 2015).

Each family is a function ``f(x | theta)`` of the training step ``x >= 1`` (Table 1 of the paper).
Every family here is evaluated for a whole *batch* of parameter vectors at once:
``theta`` has shape ``(n_walkers, n_params)``, ``x`` has shape ``(n_steps,)`` and the result has
shape ``(n_walkers, n_steps)``, computed as one broadcast array expression (no Python loop over
walkers or steps), because the MCMC of :mod:`tunekit.pruners.curve.posterior` evaluates every
family for every walker at every iteration.

Step convention
---------------
``trial.report(value, step)`` steps are 0-based, the families need ``x >= 1`` (``log x``,
``1 / x`` and ``x ** -alpha`` all misbehave at 0). We always use ``x = step + 1``, whatever the
first reported step is (see :func:`step_to_x`). A training run of ``max_resource`` steps
(steps ``0 .. max_resource - 1``) therefore ends at ``x = max_resource``.

Parameter ranges
----------------
The paper puts flat priors on each family's parameters "within ranges that keep each family
sane" without listing them. Our ranges assume the metric has been mapped to roughly ``[0, 1]``
(accuracies are used as they are, other metrics are rescaled by
:mod:`tunekit.pruners.curve.predict`) and that ``x`` runs up to a few thousand steps. Within its
ranges every family is *non-decreasing* in ``x`` (a curve that the model should follow goes
up; losses are negated first). Two consequences are used in the posterior: a combination with
positive weights is non-decreasing too, so its minimum and maximum over ``[1, m]`` are at
``x = 1`` and ``x = m``, and checking the paper's "predictions inside the metric's bounds at all
steps" needs only those two points.

One deviation from Table 1: ``ilog2`` is ``c - a / log(x)`` in the paper, which is infinite at
``x = 1``; we evaluate it at ``log(x + 1)`` so that it is finite at every step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares

__all__ = [
    "ALL_FAMILIES",
    "CurveFamily",
    "FamilyFit",
    "family_by_name",
    "step_to_x",
]

FloatArray = NDArray[np.float64]
CurveFunction = Callable[[FloatArray, FloatArray], FloatArray]
GuessFunction = Callable[[FloatArray, FloatArray], FloatArray]

# Values closer than this to zero are treated as zero when a guess takes a logarithm.
_TINY = 1e-6


def step_to_x(step: ArrayLike) -> FloatArray:
    """Map 0-based reported steps to the families' ``x = step + 1``.

    Parameters
    ----------
    step
        Step indices as passed to ``trial.report(value, step)``.

    Returns
    -------
    numpy.ndarray
        ``step + 1`` as floats.

    Examples
    --------
    >>> step_to_x([0, 1, 9]).tolist()
    [1.0, 2.0, 10.0]
    """
    return np.asarray(step, dtype=float) + 1.0


def _columns(theta: FloatArray) -> FloatArray:
    """View ``(n_walkers, n_params)`` as ``n_params`` columns of shape ``(n_walkers, 1)``.

    Unpacking the result gives one column per parameter; the columns broadcast against ``x`` of
    shape ``(n_steps,)`` to ``(n_walkers, n_steps)``.
    """
    return theta.T[:, :, None]


# ---------------------------------------------------------------------------------------------
# The curve functions. Each takes x of shape (n_steps,) and theta of shape (n_walkers, n_params)
# and returns (n_walkers, n_steps). Powers are written as exp(p * log x) because numpy's pow is
# slower than exp and x-only terms such as log x cost nothing next to the (walker, step) arrays.
# ---------------------------------------------------------------------------------------------


def _vapor_pressure(x: FloatArray, theta: FloatArray) -> FloatArray:
    a, b, c = _columns(theta)
    return np.exp(a + b / x + c * np.log(x))


def _pow3(x: FloatArray, theta: FloatArray) -> FloatArray:
    c, a, alpha = _columns(theta)
    return c - a * np.exp(-alpha * np.log(x))


def _log_log_linear(x: FloatArray, theta: FloatArray) -> FloatArray:
    a, b = _columns(theta)
    return np.log(a * np.log(x) + b)


def _hill3(x: FloatArray, theta: FloatArray) -> FloatArray:
    # y_max x^eta / (kappa^eta + x^eta) = y_max / (1 + (kappa / x)^eta): no overflow for big x.
    y_max, eta, kappa = _columns(theta)
    return y_max / (1.0 + np.exp(eta * (np.log(kappa) - np.log(x))))


def _log_power(x: FloatArray, theta: FloatArray) -> FloatArray:
    # (x / e^b)^c = exp(c (log x - b))
    a, b, c = _columns(theta)
    return a / (1.0 + np.exp(c * (np.log(x) - b)))


def _pow4(x: FloatArray, theta: FloatArray) -> FloatArray:
    c, a, b, alpha = _columns(theta)
    return c - np.exp(-alpha * np.log(a * x + b))


def _mmf(x: FloatArray, theta: FloatArray) -> FloatArray:
    # (kappa x)^delta = exp(delta (log kappa + log x))
    alpha, beta, kappa, delta = _columns(theta)
    return alpha - (alpha - beta) / (1.0 + np.exp(delta * (np.log(kappa) + np.log(x))))


def _exp4(x: FloatArray, theta: FloatArray) -> FloatArray:
    c, a, b, alpha = _columns(theta)
    return c - np.exp(b - a * np.exp(alpha * np.log(x)))


def _janoschek(x: FloatArray, theta: FloatArray) -> FloatArray:
    alpha, beta, kappa, delta = _columns(theta)
    return alpha - (alpha - beta) * np.exp(-kappa * np.exp(delta * np.log(x)))


def _weibull(x: FloatArray, theta: FloatArray) -> FloatArray:
    alpha, beta, kappa, delta = _columns(theta)
    return alpha - (alpha - beta) * np.exp(-np.exp(delta * (np.log(kappa) + np.log(x))))


def _ilog2(x: FloatArray, theta: FloatArray) -> FloatArray:
    # log(x + 1) instead of the paper's log(x): finite at x = 1 (see the module docstring).
    c, a = _columns(theta)
    return c - a / np.log(x + 1.0)


# ---------------------------------------------------------------------------------------------
# Initial guesses from the observed curve: cheap closed forms through the first and last
# points, refined afterwards by least squares (CurveFamily.fit). They only need to land in the
# basin of a reasonable fit, not to be good.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CurveSummary:
    """First/last level and x of a curve, smoothed over a few points against noise."""

    x_first: float
    x_last: float
    y_first: float
    y_last: float
    # A plausible asymptote a little above the last level.
    y_top: float

    @classmethod
    def of(cls, x: FloatArray, y: FloatArray) -> _CurveSummary:
        k = max(1, min(3, len(y) // 4))
        y_first = float(np.mean(y[:k]))
        y_last = float(np.mean(y[-k:]))
        rise = max(y_last - y_first, 0.01)
        return cls(float(x[0]), float(x[-1]), y_first, y_last, y_last + 0.1 * rise + 0.01)


def _guess_vapor_pressure(x: FloatArray, y: FloatArray) -> FloatArray:
    s = _CurveSummary.of(x, y)
    # With c = 0: a + b / x_first = log y_first and a + b / x_last = log y_top.
    log_first = math.log(max(s.y_first, _TINY))
    log_last = math.log(max(s.y_top, _TINY))
    span = 1.0 / s.x_first - 1.0 / s.x_last
    b = (log_first - log_last) / span if span > 0 else -1.0
    b = min(b, -0.01)
    return np.array([log_last - b / s.x_last, b, 0.01])


def _guess_pow3(x: FloatArray, y: FloatArray) -> FloatArray:
    s = _CurveSummary.of(x, y)
    alpha = 0.5
    a = (s.y_top - s.y_first) * s.x_first**alpha
    return np.array([s.y_top, max(a, 0.01), alpha])


def _guess_log_log_linear(x: FloatArray, y: FloatArray) -> FloatArray:
    # exp(y) = a log x + b is linear in (a, b).
    design = np.column_stack([np.log(x), np.ones_like(x)])
    (a, b), *_ = np.linalg.lstsq(design, np.exp(np.clip(y, -5.0, 5.0)), rcond=None)
    return np.array([max(a, 0.001), max(b, 0.05)])


def _line_through(u: FloatArray, v: FloatArray) -> tuple[float, float] | None:
    """Least-squares ``v = slope * u + intercept`` over the finite pairs (None if < 2)."""
    finite = np.isfinite(u) & np.isfinite(v)
    if finite.sum() < 2 or np.ptp(u[finite]) == 0:
        return None
    slope, intercept = np.polyfit(u[finite], v[finite], 1)
    return float(slope), float(intercept)


def _guess_hill3(x: FloatArray, y: FloatArray) -> FloatArray:
    # y / (y_max - y) = (x / kappa)^eta: log of it is linear in log x (a logit regression).
    s = _CurveSummary.of(x, y)
    y_max = s.y_top
    with np.errstate(all="ignore"):
        logit = np.log(np.clip(y, _TINY, None) / np.clip(y_max - y, _TINY, None))
    line = _line_through(np.log(x), logit)
    if line is None or line[0] <= 0:
        return np.array([y_max, 1.0, max(s.x_last / 4.0, 1.0)])
    eta, intercept = line
    return np.array([y_max, eta, math.exp(min(-intercept / eta, 9.0))])


def _guess_log_power(x: FloatArray, y: FloatArray) -> FloatArray:
    # The same curve as hill3 with c = -eta and b = log kappa.
    y_max, eta, kappa = _guess_hill3(x, y)
    return np.array([y_max, math.log(max(kappa, _TINY)), -eta])


def _guess_pow4(x: FloatArray, y: FloatArray) -> FloatArray:
    s = _CurveSummary.of(x, y)
    # With alpha = 1: a x + b = 1 / (c - y) through the first and last points.
    gap_first = max(s.y_top - s.y_first, 0.01)
    gap_last = max(s.y_top - s.y_last, 0.005)
    span = s.x_last - s.x_first
    a = (1.0 / gap_last - 1.0 / gap_first) / span if span > 0 else 0.1
    a = max(a, 0.001)
    b = max(1.0 / gap_first - a * s.x_first, 0.01)
    return np.array([s.y_top, a, b, 1.0])


def _start_and_top(x: FloatArray, y: FloatArray) -> tuple[_CurveSummary, float, float]:
    """Summary, asymptote guess and a value at x = 0 a little below the first level."""
    s = _CurveSummary.of(x, y)
    return s, s.y_top, s.y_first - 0.05 * (s.y_top - s.y_first) - 0.01


def _gap_fraction(y: FloatArray, alpha: float, beta: float) -> FloatArray:
    """``(alpha - y) / (alpha - beta)`` in (0, 1): how much of the rise is still to come."""
    return np.clip((alpha - y) / (alpha - beta), _TINY, 1.0 - _TINY)


def _guess_mmf(x: FloatArray, y: FloatArray) -> FloatArray:
    # (alpha - beta) / (alpha - y) - 1 = (kappa x)^delta: linear in log x after a log.
    s, alpha, beta = _start_and_top(x, y)
    with np.errstate(all="ignore"):
        line = _line_through(np.log(x), np.log(1.0 / _gap_fraction(y, alpha, beta) - 1.0))
    if line is None or line[0] <= 0:
        return np.array([alpha, beta, 1.0 / max(s.x_last / 4.0, 1.0), 1.0])
    delta, intercept = line
    return np.array([alpha, beta, math.exp(min(intercept / delta, 2.0)), delta])


def _guess_exp4(x: FloatArray, y: FloatArray) -> FloatArray:
    s = _CurveSummary.of(x, y)
    alpha = 0.5
    # log(c - y) = b - a x^alpha through the first and last points.
    log_gap_first = math.log(max(s.y_top - s.y_first, 0.01))
    log_gap_last = math.log(max(s.y_top - s.y_last, 0.005))
    span = s.x_last**alpha - s.x_first**alpha
    a = (log_gap_first - log_gap_last) / span if span > 0 else 0.1
    a = max(a, 0.001)
    return np.array([s.y_top, a, log_gap_first + a * s.x_first**alpha, alpha])


def _guess_janoschek(x: FloatArray, y: FloatArray) -> FloatArray:
    # -log((alpha - y) / (alpha - beta)) = kappa x^delta: log of it is linear in log x.
    s, alpha, beta = _start_and_top(x, y)
    with np.errstate(all="ignore"):
        line = _line_through(np.log(x), np.log(-np.log(_gap_fraction(y, alpha, beta))))
    if line is None or line[0] <= 0:
        return np.array([alpha, beta, 1.0 / max(s.x_last / 4.0, 1.0), 1.0])
    delta, intercept = line
    return np.array([alpha, beta, math.exp(min(intercept, 2.0)), delta])


def _guess_weibull(x: FloatArray, y: FloatArray) -> FloatArray:
    # Same regression as Janoschek; here kappa^delta is the x^delta coefficient.
    alpha, beta, coefficient, delta = _guess_janoschek(x, y)
    return np.array([alpha, beta, coefficient ** (1.0 / delta), delta])


def _guess_ilog2(x: FloatArray, y: FloatArray) -> FloatArray:
    # y = c - a / log(x + 1) is linear in (c, a).
    design = np.column_stack([np.ones_like(x), -1.0 / np.log(x + 1.0)])
    (c, a), *_ = np.linalg.lstsq(design, y, rcond=None)
    return np.array([c, max(a, 0.001)])


# ---------------------------------------------------------------------------------------------
# The family object.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyFit:
    """A least-squares fit of one family to an observed curve.

    Attributes
    ----------
    family
        The fitted family.
    params
        Best-fit parameters, shape ``(n_params,)``, inside the family's ranges.
    rss
        Residual sum of squares of the fit.
    covariance
        Gauss-Newton (Laplace) covariance of the parameters, ``s^2 (J^T J)^-1`` with
        ``s^2 = rss / (n - n_params)``, used to spread the initial MCMC walkers.
    """

    family: CurveFamily
    params: FloatArray
    rss: float
    covariance: FloatArray


@dataclass(frozen=True, eq=False)
class CurveFamily:
    """One parametric learning-curve family, vectorised over a batch of parameter vectors.

    Parameters
    ----------
    name
        Short identifier, e.g. ``"pow3"``.
    formula
        The curve in words, for documentation.
    param_names
        Names of the parameters, in the order of ``theta``'s columns.
    lower, upper
        Flat-prior ranges of the parameters (inclusive). Within them the family is finite and
        non-decreasing in ``x``.
    function
        ``function(x, theta) -> (n_walkers, n_steps)`` for 2-D ``theta``.
    guess
        ``guess(x, y) -> (n_params,)``: a rough starting point for least squares.
    ordered
        Optional pair ``(i, j)`` of parameter indices with the extra constraint
        ``theta[i] >= theta[j]`` (asymptote above the start value), which keeps the family
        non-decreasing.

    Examples
    --------
    >>> import numpy as np
    >>> pow3 = family_by_name("pow3")
    >>> theta = np.array([[0.9, 0.5, 1.0], [0.8, 0.4, 0.5]])  # two walkers: (c, a, alpha)
    >>> pow3.evaluate(np.array([1.0, 4.0]), theta).round(3).tolist()
    [[0.4, 0.775], [0.4, 0.6]]
    """

    name: str
    formula: str
    param_names: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    function: CurveFunction
    guess: GuessFunction
    ordered: tuple[int, int] | None = None

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return len(self.param_names)

    @cached_property
    def lower_array(self) -> FloatArray:
        """Lower ends of the parameter ranges, shape ``(n_params,)``."""
        return np.asarray(self.lower, dtype=float)

    @cached_property
    def upper_array(self) -> FloatArray:
        """Upper ends of the parameter ranges, shape ``(n_params,)``."""
        return np.asarray(self.upper, dtype=float)

    def evaluate(self, x: ArrayLike, theta: ArrayLike) -> FloatArray:
        """Evaluate the family at steps ``x`` for one or many parameter vectors.

        Parameters
        ----------
        x
            Steps, ``x >= 1``, shape ``(n_steps,)`` (a scalar is treated as one step).
        theta
            Parameters, shape ``(n_params,)`` or ``(n_walkers, n_params)``.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_steps,)`` for 1-D ``theta``, ``(n_walkers, n_steps)`` for 2-D ``theta``.
            Parameters outside the ranges may give ``nan`` or ``inf``; no warning is emitted.

        Examples
        --------
        >>> family_by_name("ilog2").evaluate([1.0], [0.9, 0.1]).round(4).tolist()
        [0.7557]
        """
        x_arr = np.atleast_1d(np.asarray(x, dtype=float))
        theta_arr = np.asarray(theta, dtype=float)
        single = theta_arr.ndim == 1
        batch = theta_arr.reshape(1, -1) if single else theta_arr
        if batch.shape[1] != self.n_params:
            raise ValueError(
                f"{self.name} takes {self.n_params} parameters, got theta of shape "
                f"{theta_arr.shape}"
            )
        with np.errstate(all="ignore"):
            values = self.function(x_arr, batch)
        return values[0] if single else values

    def in_support(self, theta: ArrayLike) -> NDArray[np.bool_]:
        """Whether each parameter vector lies inside the ranges (and the ordering constraint).

        Parameters
        ----------
        theta
            Shape ``(n_walkers, n_params)``.

        Returns
        -------
        numpy.ndarray
            Boolean mask of shape ``(n_walkers,)``.

        Examples
        --------
        >>> family_by_name("pow3").in_support([[0.9, 0.5, 1.0], [0.9, -0.5, 1.0]]).tolist()
        [True, False]
        """
        theta_arr = np.atleast_2d(np.asarray(theta, dtype=float))
        inside = np.all((theta_arr >= self.lower_array) & (theta_arr <= self.upper_array), axis=1)
        if self.ordered is not None:
            above, below = self.ordered
            inside &= theta_arr[:, above] >= theta_arr[:, below]
        return inside

    def clip(self, theta: ArrayLike) -> FloatArray:
        """Move parameters strictly inside the ranges (and restore the ordering constraint).

        Examples
        --------
        >>> family_by_name("pow3").clip([2.0, -1.0, 1.0]).round(4).tolist()
        [1.5, 0.0, 1.0]
        """
        theta_arr = np.array(theta, dtype=float)
        lower, upper = self.lower_array, self.upper_array
        margin = 1e-6 * (upper - lower)
        theta_arr = np.clip(theta_arr, lower + margin, upper - margin)
        if self.ordered is not None:
            above, below = self.ordered
            low_end = np.minimum(theta_arr[..., below], theta_arr[..., above] - margin[above])
            theta_arr[..., below] = np.maximum(low_end, lower[below] + margin[below])
        return theta_arr

    def initial_guess(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """A rough parameter vector for the observed curve, strictly inside the ranges.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(1.0, 11.0)
        >>> guess = family_by_name("pow3").initial_guess(x, 0.9 - 0.5 / x)
        >>> bool(family_by_name("pow3").in_support(guess[None, :])[0])
        True
        """
        x_arr = np.asarray(x, dtype=float)
        y_arr = np.asarray(y, dtype=float)
        try:
            raw = np.asarray(self.guess(x_arr, y_arr), dtype=float)
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):
            raw = 0.5 * (self.lower_array + self.upper_array)
        if not np.all(np.isfinite(raw)):
            raw = np.where(np.isfinite(raw), raw, 0.5 * (self.lower_array + self.upper_array))
        return self.clip(raw)

    def fit(self, x: ArrayLike, y: ArrayLike, *, max_nfev: int = 60) -> FamilyFit | None:
        """Least-squares fit of this family alone to ``(x, y)`` inside its ranges.

        The paper initialises each family's MCMC parameters from such a fit and drops the
        families whose fit fails (Section 3.2); ``None`` means failed.

        Parameters
        ----------
        x, y
            The observed curve (``x >= 1``), finite values only.
        max_nfev
            Function-evaluation budget of :func:`scipy.optimize.least_squares`. Fits are only
            starting points for the MCMC, so a small budget is enough.

        Returns
        -------
        FamilyFit or None
            ``None`` when the optimiser raises or returns non-finite values.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(1.0, 21.0)
        >>> fit = family_by_name("pow3").fit(x, 0.9 - 0.5 * x ** -0.7)
        >>> fit.params.round(2).tolist()
        [0.9, 0.5, 0.7]
        """
        x_arr = np.asarray(x, dtype=float)
        y_arr = np.asarray(y, dtype=float)
        start = self.initial_guess(x_arr, y_arr)

        def residuals(theta: FloatArray) -> FloatArray:
            with np.errstate(all="ignore"):
                res = self.function(x_arr, theta[None, :])[0] - y_arr
            # A huge but finite residual steers the optimiser back instead of aborting it.
            return np.where(np.isfinite(res), res, 1e3)

        try:
            result = least_squares(
                residuals,
                start,
                bounds=(self.lower_array, self.upper_array),
                method="trf",
                x_scale="jac",
                max_nfev=max_nfev,
            )
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return None
        params = self.clip(result.x)
        res = residuals(params)
        rss = float(res @ res)
        if not np.isfinite(rss) or np.any(np.abs(res) >= 1e3):
            return None
        return FamilyFit(self, params, rss, self.laplace_covariance(result.jac, rss, len(y_arr)))

    def laplace_covariance(self, jacobian: FloatArray, rss: float, n_points: int) -> FloatArray:
        """Gauss-Newton covariance ``s^2 (J^T J + R)^-1`` of a least-squares fit.

        Parameters
        ----------
        jacobian
            Jacobian of the residuals at the fit, shape ``(n_points, n_params)``.
        rss
            Residual sum of squares at the fit.
        n_points
            Number of observed points.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_params, n_params)``. ``s^2 = rss / (n_points - n_params)``; the ridge
            ``R`` (a standard deviation of a quarter of the range in directions the data do
            not determine) keeps it finite for too few points or saturated parameters.

        Examples
        --------
        >>> import numpy as np
        >>> pow3 = family_by_name("pow3")
        >>> cov = pow3.laplace_covariance(np.ones((10, 3)), rss=0.0, n_points=10)
        >>> cov.shape
        (3, 3)
        """
        width = self.upper_array - self.lower_array
        # Flat directions (too few points, saturated parameters) get a ridge instead of
        # an infinite variance.
        noise_var = max(rss / max(n_points - self.n_params, 1), 1e-8)
        jtj = np.asarray(jacobian.T @ jacobian, dtype=float)
        if not np.all(np.isfinite(jtj)):
            return np.diag((0.01 * width) ** 2)
        ridge = noise_var / (0.25 * width) ** 2
        covariance = noise_var * np.linalg.inv(jtj + np.diag(ridge))
        return 0.5 * (covariance + covariance.T)


ALL_FAMILIES: tuple[CurveFamily, ...] = (
    CurveFamily(
        "vapor_pressure",
        "exp(a + b / x + c log x)",
        ("a", "b", "c"),
        (-10.0, -1000.0, 0.0),
        (1.0, 0.0, 1.0),
        _vapor_pressure,
        _guess_vapor_pressure,
    ),
    CurveFamily(
        "pow3",
        "c - a x^(-alpha)",
        ("c", "a", "alpha"),
        (0.0, 0.0, 0.0),
        (1.5, 3.0, 3.0),
        _pow3,
        _guess_pow3,
    ),
    CurveFamily(
        "log_log_linear",
        "log(a log x + b)",
        ("a", "b"),
        (0.0, 0.01),
        (2.0, 10.0),
        _log_log_linear,
        _guess_log_log_linear,
    ),
    CurveFamily(
        "hill3",
        "y_max x^eta / (kappa^eta + x^eta)",
        ("y_max", "eta", "kappa"),
        (0.0, 0.0, 0.0),
        (1.5, 10.0, 10000.0),
        _hill3,
        _guess_hill3,
    ),
    CurveFamily(
        "log_power",
        "a / (1 + (x / e^b)^c)",
        ("a", "b", "c"),
        (0.0, -5.0, -5.0),
        (1.5, 10.0, 0.0),
        _log_power,
        _guess_log_power,
    ),
    CurveFamily(
        "pow4",
        "c - (a x + b)^(-alpha)",
        ("c", "a", "b", "alpha"),
        (0.0, 0.0, 0.0, 0.0),
        (1.5, 10.0, 10.0, 5.0),
        _pow4,
        _guess_pow4,
    ),
    CurveFamily(
        "mmf",
        "alpha - (alpha - beta) / (1 + (kappa x)^delta)",
        ("alpha", "beta", "kappa", "delta"),
        (0.0, -1.0, 0.0, 0.0),
        (1.5, 1.5, 10.0, 5.0),
        _mmf,
        _guess_mmf,
        ordered=(0, 1),
    ),
    CurveFamily(
        "exp4",
        "c - exp(-a x^alpha + b)",
        ("c", "a", "b", "alpha"),
        (0.0, 0.0, -10.0, 0.0),
        (1.5, 10.0, 10.0, 3.0),
        _exp4,
        _guess_exp4,
    ),
    CurveFamily(
        "janoschek",
        "alpha - (alpha - beta) exp(-kappa x^delta)",
        ("alpha", "beta", "kappa", "delta"),
        (0.0, -1.0, 0.0, 0.0),
        (1.5, 1.5, 10.0, 5.0),
        _janoschek,
        _guess_janoschek,
        ordered=(0, 1),
    ),
    CurveFamily(
        "weibull",
        "alpha - (alpha - beta) exp(-(kappa x)^delta)",
        ("alpha", "beta", "kappa", "delta"),
        (0.0, -1.0, 0.0, 0.0),
        (1.5, 1.5, 10.0, 5.0),
        _weibull,
        _guess_weibull,
        ordered=(0, 1),
    ),
    CurveFamily(
        "ilog2",
        "c - a / log(x + 1)",
        ("c", "a"),
        (0.0, 0.0),
        (1.5, 5.0),
        _ilog2,
        _guess_ilog2,
    ),
)

_BY_NAME = {family.name: family for family in ALL_FAMILIES}


def family_by_name(name: str) -> CurveFamily:
    """Look a family up by its name.

    Examples
    --------
    >>> family_by_name("weibull").param_names
    ('alpha', 'beta', 'kappa', 'delta')
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown curve family {name!r}; known: {sorted(_BY_NAME)}") from None
