"""Interfaces shared by every benchmark problem.

A benchmark problem is anything with a ``name``, a ``kind`` ("synthetic",
"mixed" or "ml"), a known (or conventional) optimum ``f_star``, an
``objective(trial)`` written against the Optuna-compatible trial API and a
``regret(value)``.  All problems are *minimised*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class TrialLike(Protocol):
    """The subset of the trial API that benchmark objectives use.

    Both ``tunekit`` and ``optuna`` trials satisfy it.
    """

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float: ...

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int: ...

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any: ...

    def report(self, value: float, step: int) -> None: ...

    def should_prune(self) -> bool: ...


@runtime_checkable
class Problem(Protocol):
    """A minimisation benchmark problem."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def f_star(self) -> float: ...

    def objective(self, trial: TrialLike) -> float: ...

    def regret(self, value: float) -> float: ...


class FixedParamsTrial:
    """A trial that answers every ``suggest_*`` call from a fixed parameter dict.

    Used to evaluate an objective at a known configuration (e.g. the optimum)
    without a study.  Values are checked against the suggested ranges/choices,
    so a typo in a configuration fails loudly instead of silently being used.

    Parameters
    ----------
    params
        Parameter name -> value.  Every parameter the objective suggests must be present.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params: dict[str, Any] = dict(params)
        self.suggested: dict[str, Any] = {}
        self.intermediate_values: dict[int, float] = {}

    def _lookup(self, name: str) -> Any:
        if name not in self.params:
            raise KeyError(
                f"parameter {name!r} is suggested but missing from {sorted(self.params)}"
            )
        value = self.params[name]
        self.suggested[name] = value
        return value

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        value = float(self._lookup(name))
        if not low <= value <= high:
            raise ValueError(f"{name}={value} is outside [{low}, {high}]")
        return value

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        value = self._lookup(name)
        if int(value) != value or not low <= value <= high or (value - low) % step:
            raise ValueError(
                f"{name}={value} is not an integer in range({low}, {high + 1}, {step})"
            )
        return int(value)

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        value = self._lookup(name)
        if value not in choices:
            raise ValueError(f"{name}={value!r} is not one of {list(choices)}")
        return value

    def report(self, value: float, step: int) -> None:
        self.intermediate_values[step] = float(value)

    def should_prune(self) -> bool:
        return False
