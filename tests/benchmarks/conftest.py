"""Shared test doubles for the benchmark-problem tests.

``FakeTrial`` and ``RandomTrial`` stand in for the trial API only (suggest_*,
report, should_prune); they let the benchmark problems be tested without a
study and independently of the tunekit core.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# `benchmarks` lives at the repository root, which plain `pytest` (unlike
# `python -m pytest`) does not put on sys.path.
_REPOSITORY_ROOT = str(Path(__file__).resolve().parents[2])
if _REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, _REPOSITORY_ROOT)


class FakeTrial:
    """Answers suggestions with a fixed value if given, else the (log-)midpoint / first choice.

    Parameters
    ----------
    fixed
        Parameter name -> value to return instead of the midpoint.
    prune_after
        ``should_prune()`` returns True once this many values were reported
        (``None``: never prune).
    """

    def __init__(self, fixed: Mapping[str, Any] | None = None, prune_after: int | None = None):
        self.fixed = dict(fixed or {})
        self.prune_after = prune_after
        self.params: dict[str, Any] = {}
        self.reports: dict[int, float] = {}

    def _record(self, name: str, value: Any) -> Any:
        assert name not in self.params, f"{name!r} suggested twice in one trial"
        self.params[name] = value
        return value

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        assert low <= high
        if name in self.fixed:
            return self._record(name, float(self.fixed[name]))
        value = math.sqrt(low * high) if log else (low + high) / 2.0
        if step is not None:
            value = low + round((value - low) / step) * step
        return self._record(name, value)

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        assert low <= high
        if name in self.fixed:
            return self._record(name, int(self.fixed[name]))
        middle = math.sqrt(low * high) if log else (low + high) / 2.0
        return self._record(name, low + round((middle - low) / step) * step)

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        assert len(choices) > 0
        value = self.fixed.get(name, choices[0])
        assert value in choices
        return self._record(name, value)

    def report(self, value: float, step: int) -> None:
        assert step not in self.reports, f"step {step} reported twice"
        self.reports[step] = float(value)

    def should_prune(self) -> bool:
        return self.prune_after is not None and len(self.reports) >= self.prune_after


class RandomTrial(FakeTrial):
    """Answers suggestions with uniform (or log-uniform) random draws inside the ranges."""

    def __init__(self, rng: np.random.Generator):
        super().__init__()
        self.rng = rng

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        if log:
            value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        else:
            value = self.rng.uniform(low, high)
        return self._record(name, min(max(value, low), high))

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        return self._record(name, int(self.rng.choice(np.arange(low, high + 1, step))))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        return self._record(name, choices[int(self.rng.integers(len(choices)))])


@pytest.fixture
def fake_trial() -> type[FakeTrial]:
    """The :class:`FakeTrial` class (call it to make a trial)."""
    return FakeTrial


@pytest.fixture
def random_trial() -> type[RandomTrial]:
    """The :class:`RandomTrial` class (call it with a numpy Generator)."""
    return RandomTrial
