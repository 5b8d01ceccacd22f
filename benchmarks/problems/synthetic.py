"""Synthetic test functions from the HPOlib benchmark collection.

Every function is minimised, vectorised (an ``(n, d)`` array gives an ``(n,)``
array; a ``(d,)`` array gives a float) and ships with its bounds, its global
minimum value ``f_star`` and its known minimiser(s).

Formulas and constants follow the Virtual Library of Simulation Experiments
(S. Surjanovic & D. Bingham, https://www.sfu.ca/~ssurjano/optimization.html);
bounds follow HPOlib (Eggensperger et al., 2013, "Towards an Empirical
Foundation for Assessing Bayesian Optimization of Hyperparameters").

Where the literature only gives a rounded minimiser, the minimiser below was
refined with ``scipy.optimize.minimize`` (L-BFGS-B, ``ftol=gtol=1e-15``,
then Nelder-Mead with ``xatol=fatol=1e-15``) started from the literature
point, and ``f_star`` is the function value at the refined point, printed
with ``repr`` (full float64 precision).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from benchmarks.problems.base import TrialLike

__all__ = [
    "PROBLEMS",
    "SyntheticProblem",
    "ackley",
    "branin",
    "camelback",
    "goldstein_price",
    "hartmann3",
    "hartmann6",
    "levy",
    "rosenbrock",
]

FloatOrArray = float | NDArray[np.float64]


def _as_points(x: ArrayLike, dim: int | None = None) -> tuple[NDArray[np.float64], bool]:
    """Return ``x`` as an ``(n, d)`` float array and whether it was a single point."""
    points = np.asarray(x, dtype=np.float64)
    single = points.ndim == 1
    if single:
        points = points[np.newaxis, :]
    if points.ndim != 2:
        raise ValueError(f"expected an array of shape (n, d) or (d,), got shape {points.shape}")
    if dim is not None and points.shape[1] != dim:
        raise ValueError(f"expected {dim} coordinates per point, got {points.shape[1]}")
    return points, single


def _unwrap(values: NDArray[np.float64], single: bool) -> FloatOrArray:
    return float(values[0]) if single else values


# --------------------------------------------------------------------------- functions


def branin(x: ArrayLike) -> FloatOrArray:
    """Branin-Hoo function on x1 in [-5, 10], x2 in [0, 15].

    ``a (x2 - b x1^2 + c x1 - r)^2 + s (1 - t) cos(x1) + s`` with the standard
    constants below.  Three global minima, f* = 5 / (4 pi).
    """
    points, single = _as_points(x, 2)
    x1, x2 = points[:, 0], points[:, 1]
    a, b, c = 1.0, 5.1 / (4.0 * math.pi**2), 5.0 / math.pi
    r, s, t = 6.0, 10.0, 1.0 / (8.0 * math.pi)
    values = a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1.0 - t) * np.cos(x1) + s
    return _unwrap(values, single)


def camelback(x: ArrayLike) -> FloatOrArray:
    """Six-hump camelback function; two global minima at about +-(0.0898, -0.7126)."""
    points, single = _as_points(x, 2)
    x1, x2 = points[:, 0], points[:, 1]
    values = (4.0 - 2.1 * x1**2 + x1**4 / 3.0) * x1**2 + x1 * x2 + (-4.0 + 4.0 * x2**2) * x2**2
    return _unwrap(values, single)


def goldstein_price(x: ArrayLike) -> FloatOrArray:
    """Goldstein-Price function on [-2, 2]^2; global minimum f(0, -1) = 3 exactly."""
    points, single = _as_points(x, 2)
    x1, x2 = points[:, 0], points[:, 1]
    first = 1.0 + (x1 + x2 + 1.0) ** 2 * (
        19.0 - 14.0 * x1 + 3.0 * x1**2 - 14.0 * x2 + 6.0 * x1 * x2 + 3.0 * x2**2
    )
    second = 30.0 + (2.0 * x1 - 3.0 * x2) ** 2 * (
        18.0 - 32.0 * x1 + 12.0 * x1**2 + 48.0 * x2 - 36.0 * x1 * x2 + 27.0 * x2**2
    )
    return _unwrap(first * second, single)


# Hartmann weights, shared by the 3-D and 6-D variants (Dixon & Szego, 1978).
_HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_HARTMANN3_A = np.array(
    [
        [3.0, 10.0, 30.0],
        [0.1, 10.0, 35.0],
        [3.0, 10.0, 30.0],
        [0.1, 10.0, 35.0],
    ]
)
# P[3, 0] = 0.03815 as in Dixon & Szego (1978) and Hedar's test set; the SFU page
# rounds it to 0.0381, which moves the minimum to -3.8627797873 instead of the
# usual -3.86278214782076 at (0.114614, 0.555649, 0.852547).
_HARTMANN3_P = 1e-4 * np.array(
    [
        [3689.0, 1170.0, 2673.0],
        [4699.0, 4387.0, 7470.0],
        [1091.0, 8732.0, 5547.0],
        [381.5, 5743.0, 8828.0],
    ]
)
_HARTMANN6_A = np.array(
    [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ]
)
_HARTMANN6_P = 1e-4 * np.array(
    [
        [1312.0, 1696.0, 5569.0, 124.0, 8283.0, 5886.0],
        [2329.0, 4135.0, 8307.0, 3736.0, 1004.0, 9991.0],
        [2348.0, 1451.0, 3522.0, 2883.0, 3047.0, 6650.0],
        [4047.0, 8828.0, 8732.0, 5743.0, 1091.0, 381.0],
    ]
)


def _hartmann(
    points: NDArray[np.float64], a: NDArray[np.float64], p: NDArray[np.float64]
) -> NDArray[np.float64]:
    # (n, 1, d) - (1, 4, d) -> (n, 4) weighted squared distances to the four centres.
    distances = np.sum(a[np.newaxis] * (points[:, np.newaxis, :] - p[np.newaxis]) ** 2, axis=2)
    return -(np.exp(-distances) @ _HARTMANN_ALPHA)


def hartmann3(x: ArrayLike) -> FloatOrArray:
    """Hartmann 3-D function on [0, 1]^3 (four local minima)."""
    points, single = _as_points(x, 3)
    return _unwrap(_hartmann(points, _HARTMANN3_A, _HARTMANN3_P), single)


def hartmann6(x: ArrayLike) -> FloatOrArray:
    """Hartmann 6-D function on [0, 1]^6 (six local minima)."""
    points, single = _as_points(x, 6)
    return _unwrap(_hartmann(points, _HARTMANN6_A, _HARTMANN6_P), single)


def rosenbrock(x: ArrayLike) -> FloatOrArray:
    """Rosenbrock function in any dimension d >= 2; minimum 0 at (1, ..., 1)."""
    points, single = _as_points(x)
    head, tail = points[:, :-1], points[:, 1:]
    values = np.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=1)
    return _unwrap(values, single)


def levy(x: ArrayLike) -> FloatOrArray:
    """Levy function in any dimension; minimum 0 at (1, ..., 1)."""
    points, single = _as_points(x)
    w = 1.0 + (points - 1.0) / 4.0
    first = np.sin(math.pi * w[:, 0]) ** 2
    middle = np.sum(
        (w[:, :-1] - 1.0) ** 2 * (1.0 + 10.0 * np.sin(math.pi * w[:, :-1] + 1.0) ** 2), axis=1
    )
    last = (w[:, -1] - 1.0) ** 2 * (1.0 + np.sin(2.0 * math.pi * w[:, -1]) ** 2)
    return _unwrap(first + middle + last, single)


def ackley(x: ArrayLike) -> FloatOrArray:
    """Ackley function (a=20, b=0.2, c=2 pi) in any dimension; minimum 0 at the origin."""
    points, single = _as_points(x)
    a, b, c = 20.0, 0.2, 2.0 * math.pi
    root_mean_square = np.sqrt(np.mean(points**2, axis=1))
    values = (
        -a * np.exp(-b * root_mean_square)
        - np.exp(np.mean(np.cos(c * points), axis=1))
        + a
        + math.e
    )
    return _unwrap(values, single)


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class SyntheticProblem:
    """A box-bounded synthetic minimisation problem with a known optimum.

    Parameters
    ----------
    name
        Short registry name, e.g. ``"branin"``.
    bounds
        ``(low, high)`` per input dimension.
    f_star
        Global minimum value.
    minimizers
        All known global minimisers, one tuple of coordinates each.
    function
        Vectorised function: ``(n, d) -> (n,)`` and ``(d,) -> float``.
    log
        Whether each input is searched on a log scale; defaults to all ``False``.
    """

    kind: ClassVar[str] = "synthetic"

    name: str
    bounds: tuple[tuple[float, float], ...]
    f_star: float
    minimizers: tuple[tuple[float, ...], ...]
    function: Callable[[ArrayLike], FloatOrArray] = field(repr=False)
    log: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if not self.log:
            object.__setattr__(self, "log", (False,) * len(self.bounds))
        if len(self.log) != len(self.bounds):
            raise ValueError(f"{self.name}: log has {len(self.log)} entries for {self.dim} bounds")
        for minimizer in self.minimizers:
            if len(minimizer) != self.dim:
                raise ValueError(f"{self.name}: minimiser {minimizer} has the wrong dimension")

    @property
    def dim(self) -> int:
        """Number of input dimensions."""
        return len(self.bounds)

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names used by :meth:`objective`: ``x0, x1, ...``."""
        return tuple(f"x{i}" for i in range(self.dim))

    def __call__(self, x: ArrayLike) -> FloatOrArray:
        """Evaluate the function at one point ``(d,)`` or many points ``(n, d)``."""
        return self.function(x)

    def objective(self, trial: TrialLike) -> float:
        """Suggest ``x0 .. x{d-1}`` within the bounds and return the function value."""
        point = [
            trial.suggest_float(name, low, high, log=log)
            for name, (low, high), log in zip(self.param_names, self.bounds, self.log, strict=True)
        ]
        return float(self.function(np.asarray(point, dtype=np.float64)))

    def regret(self, value: float) -> float:
        """Simple regret ``value - f_star`` (non-negative for feasible values)."""
        return float(value) - self.f_star


def _box(low: float, high: float, dim: int) -> tuple[tuple[float, float], ...]:
    return ((low, high),) * dim


# Refined optima: L-BFGS-B then Nelder-Mead (tolerances 1e-15, three rounds) from the
# literature minimiser; f_star is the function value there.  1e5 Gaussian perturbations
# of scale 1e-6 around each refined point found no lower value.
CAMELBACK_MINIMIZER: tuple[float, ...] = (0.08984201164752582, -0.7126564041173942)
CAMELBACK_F_STAR = -1.0316284534898774
HARTMANN3_MINIMIZER: tuple[float, ...] = (
    0.11461434563686788,
    0.5556488515528197,
    0.8525469534537825,
)
HARTMANN3_F_STAR = -3.862782147820756
HARTMANN6_MINIMIZER: tuple[float, ...] = (
    0.2016895085397616,
    0.1500106934328758,
    0.4768739736597676,
    0.275332428504474,
    0.31165161522303253,
    0.6573005329464531,
)
HARTMANN6_F_STAR = -3.3223680114155147

_PI = math.pi

PROBLEMS: dict[str, SyntheticProblem] = {
    problem.name: problem
    for problem in (
        SyntheticProblem(
            name="branin",
            bounds=((-5.0, 10.0), (0.0, 15.0)),
            # Exact: the squared term vanishes where cos(x1) = -1, leaving s * t = 5 / (4 pi).
            f_star=5.0 / (4.0 * _PI),
            minimizers=((-_PI, 12.275), (_PI, 2.275), (3.0 * _PI, 2.475)),
            function=branin,
        ),
        SyntheticProblem(
            name="camelback",
            bounds=((-3.0, 3.0), (-2.0, 2.0)),
            # Refined numerically from +-(0.0898, -0.7126); the function is odd-symmetric.
            f_star=CAMELBACK_F_STAR,
            minimizers=(CAMELBACK_MINIMIZER, tuple(-v for v in CAMELBACK_MINIMIZER)),
            function=camelback,
        ),
        SyntheticProblem(
            name="goldstein_price",
            bounds=_box(-2.0, 2.0, 2),
            f_star=3.0,
            minimizers=((0.0, -1.0),),
            function=goldstein_price,
        ),
        SyntheticProblem(
            name="hartmann3",
            bounds=_box(0.0, 1.0, 3),
            # Refined numerically from (0.114614, 0.555649, 0.852547).
            f_star=HARTMANN3_F_STAR,
            minimizers=(HARTMANN3_MINIMIZER,),
            function=hartmann3,
        ),
        SyntheticProblem(
            name="hartmann6",
            bounds=_box(0.0, 1.0, 6),
            # Refined numerically from (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
            f_star=HARTMANN6_F_STAR,
            minimizers=(HARTMANN6_MINIMIZER,),
            function=hartmann6,
        ),
        *(
            SyntheticProblem(
                name=f"rosenbrock{dim}",
                bounds=_box(-5.0, 10.0, dim),
                f_star=0.0,
                minimizers=((1.0,) * dim,),
                function=rosenbrock,
            )
            for dim in (2, 5, 10)
        ),
        SyntheticProblem(
            name="levy10",
            bounds=_box(-10.0, 10.0, 10),
            f_star=0.0,
            minimizers=((1.0,) * 10,),
            function=levy,
        ),
        SyntheticProblem(
            name="ackley10",
            bounds=_box(-32.768, 32.768, 10),
            f_star=0.0,
            minimizers=((0.0,) * 10,),
            function=ackley,
        ),
    )
}
