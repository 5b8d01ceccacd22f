"""Mixed-type and conditional synthetic problems with known optima.

These exercise what the continuous HPOlib functions cannot: integer,
log-scale and categorical parameters, and search spaces whose active
parameters depend on earlier choices (define-by-run conditionality).
Both are cheap closed-form functions written against the trial API, so the
same definition serves the samplers (via :meth:`MixedProblem.objective`) and
the tests (via :meth:`MixedProblem.evaluate` on a parameter dict).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from benchmarks.problems.base import FixedParamsTrial, TrialLike

__all__ = ["PROBLEMS", "MixedProblem", "conditional_branches", "mixed_quadratic"]


@dataclass(frozen=True)
class MixedProblem:
    """A closed-form problem over a mixed or conditional search space.

    Parameters
    ----------
    name
        Short registry name.
    f_star
        Global minimum value.
    optimum
        A parameter dict at which ``f_star`` is attained (only the parameters
        that are active there).
    function
        The objective, written against the trial API.
    """

    kind: ClassVar[str] = "mixed"

    name: str
    f_star: float
    optimum: Mapping[str, Any]
    function: Callable[[TrialLike], float] = field(repr=False)

    def objective(self, trial: TrialLike) -> float:
        """Suggest the parameters from ``trial`` and return the objective value."""
        return float(self.function(trial))

    def evaluate(self, params: Mapping[str, Any]) -> float:
        """Objective value at a fixed parameter dict (must hold every active parameter)."""
        return self.objective(FixedParamsTrial(params))

    def regret(self, value: float) -> float:
        """Simple regret ``value - f_star``."""
        return float(value) - self.f_star


# Additive penalty per activation; "relu" is the best choice.
_ACTIVATION_PENALTY = {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.8}


def mixed_quadratic(trial: TrialLike) -> float:
    """Separable mixed problem: log-float ``lr``, integer ``n_units``, categorical ``activation``.

    ``(log10(lr) + 3)^2 + ((n_units - 24) / 8)^2 + penalty[activation]``, minimised
    (value 0) at ``lr=1e-3, n_units=24, activation="relu"``.  The quadratic is in
    ``log10(lr)`` so that a sampler ignoring ``log=True`` is visibly penalised.
    """
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n_units = trial.suggest_int("n_units", 1, 64)
    activation = trial.suggest_categorical("activation", list(_ACTIVATION_PENALTY))
    return (
        (math.log10(lr) + 3.0) ** 2 + ((n_units - 24) / 8.0) ** 2 + _ACTIVATION_PENALTY[activation]
    )


def conditional_branches(trial: TrialLike) -> float:
    """Conditional problem: the parameters that exist depend on ``kind`` (and on ``c_mode``).

    * ``kind="a"``: ``a_x`` in [-5, 5]; best value 0.6 at ``a_x=1``.
    * ``kind="b"``: ``b_lr`` log in [1e-4, 1] and integer ``b_n`` in [1, 10];
      best value 0.3 at ``b_lr=1e-2, b_n=7``.
    * ``kind="c"``: nested choice ``c_mode``.  ``"flat"`` is a constant 0.5 plateau
      (no further parameters); ``"peaked"`` adds ``c_z`` in [0, 1] with the global
      minimum 0.1 at ``c_z=0.25``.

    Parameter names are unique per branch so that no name is ever suggested with two
    different distributions.
    """
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    if kind == "a":
        x = trial.suggest_float("a_x", -5.0, 5.0)
        return 0.6 + (x - 1.0) ** 2
    if kind == "b":
        lr = trial.suggest_float("b_lr", 1e-4, 1.0, log=True)
        n = trial.suggest_int("b_n", 1, 10)
        return 0.3 + (math.log10(lr) + 2.0) ** 2 + 0.05 * (n - 7) ** 2
    mode = trial.suggest_categorical("c_mode", ["flat", "peaked"])
    if mode == "flat":
        return 0.5
    z = trial.suggest_float("c_z", 0.0, 1.0)
    return 0.1 + 4.0 * (z - 0.25) ** 2


PROBLEMS: dict[str, MixedProblem] = {
    problem.name: problem
    for problem in (
        MixedProblem(
            name="mixed_quadratic",
            f_star=0.0,
            optimum={"lr": 1e-3, "n_units": 24, "activation": "relu"},
            function=mixed_quadratic,
        ),
        MixedProblem(
            name="conditional",
            f_star=0.1,
            optimum={"kind": "c", "c_mode": "peaked", "c_z": 0.25},
            function=conditional_branches,
        ),
    )
}
