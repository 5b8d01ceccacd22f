"""Parameter distributions: what a trial may suggest for one parameter.

Three classes describe every search space (Optuna's names and JSON format):

* :class:`FloatDistribution` ``(low, high, log=False, step=None)``
* :class:`IntDistribution` ``(low, high, log=False, step=1)``
* :class:`CategoricalDistribution` ``(choices)``

Values travel in two representations. The *external* one is what the objective sees (a float,
an int, a choice). The *internal* one is a float stored by the storages: the value itself for
numbers, the index of the choice for categoricals.

Samplers share a third, the *unit* representation (:func:`to_unit` / :func:`from_unit`): numbers
mapped to [0, 1], log-transformed first where ``log=True``. Discrete distributions (ints, stepped
floats) with ``k`` grid points are padded by half a step on each side, so grid point ``i`` owns an
interval of the same width (exactly ``[i/k, (i+1)/k]`` on a linear scale) and rounding a uniform
draw gives every point the same chance.

Example
-------
>>> from tunekit.distributions import FloatDistribution, distribution_to_json
>>> d = FloatDistribution(1e-5, 1e-1, log=True)
>>> d.contains(1e-3)
True
>>> distribution_to_json(FloatDistribution(0.0, 1.0))
'{"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0, "log": false, "step": null}}'
"""

from __future__ import annotations

import abc
import copy
import decimal
import json
import math
import warnings
from collections.abc import Sequence
from typing import Any, Union

import numpy as np

from tunekit._deprecation import warn_deprecated

__all__ = [
    "BaseDistribution",
    "FloatDistribution",
    "IntDistribution",
    "CategoricalDistribution",
    "CategoricalChoiceType",
    "distribution_to_json",
    "json_to_distribution",
    "check_distribution_compatibility",
    "to_unit",
    "from_unit",
    "n_grid_points",
    "UniformDistribution",
    "LogUniformDistribution",
    "DiscreteUniformDistribution",
    "IntUniformDistribution",
    "IntLogUniformDistribution",
]

CategoricalChoiceType = Union[None, bool, int, float, str]  # noqa: UP007 - a runtime alias


class BaseDistribution(abc.ABC):
    """The interface of every distribution."""

    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        """Turn a stored float into the value the objective sees."""
        return param_value_in_internal_repr

    @abc.abstractmethod
    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        """Turn a value the objective saw into the float the storages keep."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Whether only one value is possible."""

    @abc.abstractmethod
    def _contains(self, param_value_in_internal_repr: float) -> bool:
        """Whether an internal value lies in this distribution."""

    def contains(self, value: Any) -> bool:
        """Whether an external value lies in this distribution (on its grid, among its choices)."""
        try:
            internal = self.to_internal_repr(value)
        except (ValueError, TypeError):
            return False
        return self._contains(internal)

    def _asdict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseDistribution) or type(self) is not type(other):
            return NotImplemented
        return self._asdict() == other._asdict()

    def __hash__(self) -> int:
        return hash(
            (type(self).__name__, *sorted((k, _hashable(v)) for k, v in self._asdict().items()))
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._asdict().items())
        return f"{type(self).__name__}({args})"


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _check_finite_bound(name: str, value: Any, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"{owner}: `{name}` must be a number, got {value!r} ({type(value).__name__})."
        )
    if not math.isfinite(value):
        raise ValueError(f"{owner}: `{name}` must be finite, got {value!r}.")
    return value


def _lowered_high(low: float, high: float, step: float, owner: str) -> float:
    """The largest grid point ``low + k * step`` not above ``high``, warning if it moves ``high``.

    Decimal arithmetic avoids declaring 0.3 off the grid of step 0.1 because of binary rounding.
    """
    d_low, d_high, d_step = (decimal.Decimal(str(v)) for v in (low, high, step))
    span = d_high - d_low
    if span % d_step == 0:
        return high
    new_high = float((span // d_step) * d_step + d_low)
    warnings.warn(
        f"{owner}: the range [{low}, {high}] is not divisible by step={step}; "
        f"`high` is lowered to {new_high}.",
        UserWarning,
        stacklevel=4,
    )
    return new_high


class FloatDistribution(BaseDistribution):
    """A float in ``[low, high]``, optionally on a log scale or on a grid of ``step``.

    Parameters
    ----------
    low, high:
        The bounds, both included; finite, ``low <= high``.
    log:
        Sample on a log scale (``low`` must be > 0). Cannot be combined with ``step``.
    step:
        The grid spacing: values are ``low + k * step``. If ``high - low`` is not a multiple of
        ``step``, ``high`` is lowered to the last grid point with a warning (as Optuna does).

    Example
    -------
    >>> FloatDistribution(0.0, 1.0, step=0.25).contains(0.5)
    True
    """

    def __init__(
        self, low: float, high: float, log: bool = False, step: float | None = None
    ) -> None:
        owner = "FloatDistribution"
        low = float(_check_finite_bound("low", low, owner))
        high = float(_check_finite_bound("high", high, owner))
        if log and step is not None:
            raise ValueError(
                f"{owner}: `step` and `log` cannot be used together (step={step!r}, log=True)."
            )
        if step is not None:
            step = float(_check_finite_bound("step", step, owner))
            if step <= 0:
                raise ValueError(f"{owner}: `step` must be > 0, got step={step!r}.")
        if low > high:
            raise ValueError(
                f"{owner}: `low` <= `high` is required, got low={low!r}, high={high!r}."
            )
        if log and low <= 0.0:
            raise ValueError(f"{owner}: `low` must be > 0 when log=True, got low={low!r}.")
        if step is not None:
            high = _lowered_high(low, high, step, owner)
        self.low = low
        self.high = high
        self.log = bool(log)
        self.step = step

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        return self.high - self.low < self.step or self.low == self.high

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if not (self.low <= value <= self.high):
            return False
        if self.step is None:
            return True
        nearest = self.low + round((value - self.low) / self.step) * self.step
        # Off the grid by less than 1e-8 steps, plus the rounding error of float arithmetic at
        # this magnitude (a grid point of [-7e4, 6e5] with step 0.01 is off by ~1e-10).
        tolerance = 1e-8 * self.step + 1e-12 * max(abs(value), abs(self.low))
        return abs(value - nearest) <= tolerance

    def to_internal_repr(self, param_value_in_external_repr: float) -> float:
        value = param_value_in_external_repr
        if isinstance(value, (bool, str)) or value is None:
            raise ValueError(f"FloatDistribution: {value!r} is not a float.")
        value = float(value)
        if math.isnan(value):
            raise ValueError("FloatDistribution: NaN is not a valid parameter value.")
        return value

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


class IntDistribution(BaseDistribution):
    """An integer in ``[low, high]``, optionally on a log scale or on a grid of ``step``.

    Parameters
    ----------
    low, high:
        The bounds, both included; ``low <= high``.
    log:
        Sample on a log scale (``low`` must be >= 1, ``step`` must be 1).
    step:
        The grid spacing (>= 1): values are ``low + k * step``; ``high`` is lowered with a warning
        when ``high - low`` is not a multiple of it.

    Example
    -------
    >>> IntDistribution(16, 512, log=True).contains(100)
    True
    """

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        owner = "IntDistribution"
        for name, value in (("low", low), ("high", high), ("step", step)):
            _check_finite_bound(name, value, owner)
            if float(value) != int(value):
                # Optuna truncates as int() does; scripts pass bounds like n_features / 2.
                warnings.warn(
                    f"{owner}: `{name}` should be an integer, got {name}={value!r}; "
                    f"it is truncated to {int(value)}.",
                    UserWarning,
                    stacklevel=3,
                )
        low, high, step = int(low), int(high), int(step)
        if step <= 0:
            raise ValueError(f"{owner}: `step` must be >= 1, got step={step!r}.")
        if log and step != 1:
            raise ValueError(
                f"{owner}: `step` must be 1 when log=True (step and log cannot be combined), "
                f"got step={step!r}."
            )
        if low > high:
            raise ValueError(
                f"{owner}: `low` <= `high` is required, got low={low!r}, high={high!r}."
            )
        if log and low < 1:
            raise ValueError(f"{owner}: `low` must be >= 1 when log=True, got low={low!r}.")
        if (high - low) % step != 0:
            new_high = low + (high - low) // step * step
            warnings.warn(
                f"{owner}: the range [{low}, {high}] is not divisible by step={step}; "
                f"`high` is lowered to {new_high}.",
                UserWarning,
                stacklevel=3,
            )
            high = new_high
        self.low = low
        self.high = high
        self.log = bool(log)
        self.step = step

    def single(self) -> bool:
        return self.low == self.high

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if not (self.low <= value <= self.high):
            return False
        return (value - self.low) % self.step == 0

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return int(param_value_in_internal_repr)

    def to_internal_repr(self, param_value_in_external_repr: int) -> float:
        value = param_value_in_external_repr
        if isinstance(value, (bool, str)) or value is None:
            raise ValueError(f"IntDistribution: {value!r} is not an integer.")
        value = float(value)
        if math.isnan(value):
            raise ValueError("IntDistribution: NaN is not a valid parameter value.")
        return value

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


class CategoricalDistribution(BaseDistribution):
    """One of a fixed sequence of choices (None, bool, int, float or str).

    The internal representation is the index of the choice in ``choices``. Other choices work
    with a warning, as in Optuna: lists and dicts of those types (a layer layout, a config) are
    kept in a database as JSON, where a tuple comes back as a list (and still matches); other
    objects work in memory only. A NumPy array of choices gives its values as Python numbers.

    Example
    -------
    >>> d = CategoricalDistribution(["adam", "sgd"])
    >>> d.to_internal_repr("sgd")
    1
    """

    def __init__(self, choices: Sequence[CategoricalChoiceType]) -> None:
        owner = "CategoricalDistribution"
        if getattr(choices, "ndim", None) == 1 and hasattr(choices, "tolist"):
            choices = choices.tolist()  # a NumPy array: its values as Python numbers
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
            raise TypeError(
                f"{owner}: `choices` must be a list or tuple of choices, got {choices!r}."
            )
        if len(choices) == 0:
            raise ValueError(
                f"{owner}: `choices` must contain at least one element, got {choices!r}."
            )
        for choice in choices:
            if _is_plain_choice(choice):
                continue
            # Optuna accepts any object with a warning; lists and dicts (a layer layout, a
            # config) are common. A database keeps them as JSON, where a tuple becomes a list.
            stored = (
                "a database stores it as JSON (a tuple comes back as a list)"
                if _is_json_container(choice)
                else "it cannot be stored in a database"
            )
            warnings.warn(
                f"{owner}: choices should be None, bool, int, float or str; {choice!r} "
                f"({type(choice).__name__}) is kept as is, but {stored}.",
                UserWarning,
                stacklevel=3,
            )
        self.choices = tuple(choices)

    def to_external_repr(self, param_value_in_internal_repr: float) -> CategoricalChoiceType:
        return self.choices[int(param_value_in_internal_repr)]

    def to_internal_repr(self, param_value_in_external_repr: CategoricalChoiceType) -> int:
        index = _index_of_choice(self.choices, param_value_in_external_repr)
        if index is None:
            raise ValueError(
                f"CategoricalDistribution: {param_value_in_external_repr!r} is not one of "
                f"the choices {list(self.choices)!r}."
            )
        return index

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        index = int(param_value_in_internal_repr)
        return index == param_value_in_internal_repr and 0 <= index < len(self.choices)

    def _asdict(self) -> dict[str, Any]:
        return {"choices": self.choices}

    def __hash__(self) -> int:
        return hash(("CategoricalDistribution", tuple(_choice_key(c) for c in self.choices)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CategoricalDistribution):
            return NotImplemented
        return [_choice_key(c) for c in self.choices] == [_choice_key(c) for c in other.choices]


def _choice_key(choice: Any) -> tuple[str, Any]:
    """A hashable key that tells True from 1, treats NaN as equal to NaN, and compares lists
    and tuples by their items (a tuple choice comes back from a database as a list)."""
    if isinstance(choice, float) and math.isnan(choice):
        return ("float", "nan")
    if isinstance(choice, (list, tuple)):
        return ("sequence", tuple(_choice_key(item) for item in choice))
    if isinstance(choice, dict):
        return ("dict", tuple(sorted((repr(k), _choice_key(v)) for k, v in choice.items())))
    try:
        hash(choice)
    except TypeError:
        return ("object", id(choice))  # an unhashable object is only equal to itself
    return (type(choice).__name__, choice)


def _is_plain_choice(value: Any) -> bool:
    """None, bool, int, float or str: a choice every storage keeps as it is."""
    return value is None or isinstance(value, (bool, int, float, str))


def _is_json_container(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_plain_choice(v) or _is_json_container(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) for k in value) and _is_json_container(list(value.values()))
    return False


def _index_of_choice(choices: tuple, value: Any) -> int | None:
    key = _choice_key(value)
    for i, choice in enumerate(choices):
        if _choice_key(choice) == key:
            return i
    # Accept numpy scalars and ints given for floats (e.g. 1 for 1.0), as Python equality does,
    # but never a bool for a number or the other way round.
    for i, choice in enumerate(choices):
        if isinstance(choice, bool) != isinstance(value, bool):
            continue
        try:
            if choice == value:
                return i
        except Exception:  # noqa: BLE001 - an odd object's __eq__ is not our concern
            continue
    return None


# ------------------------------------------------------------------------ the legacy classes
# Optuna's pre-3.0 distributions, kept (deprecated) in Optuna 5.0: each makes the Float- or
# IntDistribution it stands for, so a study never sees two kinds of one parameter.


def _legacy(name: str, replacement: str) -> None:
    warn_deprecated(name, "3.0.0", f"{replacement} (it returns that distribution)", stacklevel=3)


def UniformDistribution(low: float, high: float) -> FloatDistribution:
    """Deprecated: ``FloatDistribution(low, high)``."""
    _legacy("UniformDistribution", "FloatDistribution(low, high)")
    return FloatDistribution(low, high)


def LogUniformDistribution(low: float, high: float) -> FloatDistribution:
    """Deprecated: ``FloatDistribution(low, high, log=True)``."""
    _legacy("LogUniformDistribution", "FloatDistribution(low, high, log=True)")
    return FloatDistribution(low, high, log=True)


def DiscreteUniformDistribution(low: float, high: float, q: float) -> FloatDistribution:
    """Deprecated: ``FloatDistribution(low, high, step=q)``."""
    _legacy("DiscreteUniformDistribution", "FloatDistribution(low, high, step=q)")
    return FloatDistribution(low, high, step=q)


def IntUniformDistribution(low: int, high: int, step: int = 1) -> IntDistribution:
    """Deprecated: ``IntDistribution(low, high, step=step)``."""
    _legacy("IntUniformDistribution", "IntDistribution(low, high, step=step)")
    return IntDistribution(low, high, step=step)


def IntLogUniformDistribution(low: int, high: int, step: int = 1) -> IntDistribution:
    """Deprecated: ``IntDistribution(low, high, log=True)``."""
    _legacy("IntLogUniformDistribution", "IntDistribution(low, high, log=True)")
    return IntDistribution(low, high, log=True, step=step)


# ----------------------------------------------------------------------------- JSON round trip

_LEGACY_NAMES = {
    "UniformDistribution": lambda a: FloatDistribution(a["low"], a["high"]),
    "LogUniformDistribution": lambda a: FloatDistribution(a["low"], a["high"], log=True),
    "DiscreteUniformDistribution": lambda a: FloatDistribution(a["low"], a["high"], step=a["q"]),
    "IntUniformDistribution": lambda a: IntDistribution(a["low"], a["high"], step=a.get("step", 1)),
    "IntLogUniformDistribution": lambda a: IntDistribution(a["low"], a["high"], log=True),
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialise a distribution in Optuna's JSON format ``{"name": ..., "attributes": {...}}``."""
    attributes = dist._asdict()
    if isinstance(dist, CategoricalDistribution):
        attributes = {"choices": list(dist.choices)}
    return json.dumps({"name": type(dist).__name__, "attributes": attributes})


def json_to_distribution(json_str: str) -> BaseDistribution:
    """Read a distribution written by :func:`distribution_to_json` (or by Optuna, old names too)."""
    try:
        loaded = json.loads(json_str)
        name, attributes = loaded["name"], loaded["attributes"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"Not a distribution in JSON: {json_str!r} ({error}).") from None
    if name == "FloatDistribution":
        return FloatDistribution(**attributes)
    if name == "IntDistribution":
        return IntDistribution(**attributes)
    if name == "CategoricalDistribution":
        choices = attributes["choices"]
        if all(_is_plain_choice(c) for c in choices):
            return CategoricalDistribution(choices)
        # Lists and dicts were warned about when they were suggested; reading them back (every
        # worker, every load) does not warn again.
        stored = CategoricalDistribution.__new__(CategoricalDistribution)
        stored.choices = tuple(choices)
        return stored
    if name in _LEGACY_NAMES:
        return _LEGACY_NAMES[name](attributes)
    raise ValueError(f"Unknown distribution {name!r} in {json_str!r}.")


def check_distribution_compatibility(
    dist_old: BaseDistribution, dist_new: BaseDistribution
) -> None:
    """Raise ValueError if two distributions of one parameter name cannot share a study.

    Numbers may change their range between trials (a dynamic space); they may not change kind
    (float/int/categorical) or scale (log). Categorical choices may not change.
    """
    if type(dist_old) is not type(dist_new):
        raise ValueError(
            f"Cannot set different distribution kind to the same parameter name: "
            f"{dist_old!r} and {dist_new!r}."
        )
    if isinstance(dist_old, (FloatDistribution, IntDistribution)):
        assert isinstance(dist_new, (FloatDistribution, IntDistribution))
        if dist_old.log != dist_new.log:
            raise ValueError(
                f"Cannot change `log` of the same parameter: {dist_old!r} and {dist_new!r}."
            )
        return
    if dist_old != dist_new:
        raise ValueError(
            f"Cannot set different choices to the same categorical parameter: "
            f"{dist_old!r} and {dist_new!r}."
        )


def _copy(dist: BaseDistribution) -> BaseDistribution:
    return copy.copy(dist)


# ------------------------------------------------------------------- the unit representation


def n_grid_points(dist: BaseDistribution) -> int:
    """How many values a discrete distribution allows; 0 for a continuous float.

    For a categorical this is the number of choices.
    """
    if isinstance(dist, CategoricalDistribution):
        return len(dist.choices)
    if isinstance(dist, IntDistribution):
        return (dist.high - dist.low) // dist.step + 1
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        return int(round((dist.high - dist.low) / dist.step)) + 1
    return 0


def _unit_bounds(dist: FloatDistribution | IntDistribution) -> tuple[float, float]:
    """The bounds of the transformed (log where asked, padded where discrete) interval."""
    low, high = float(dist.low), float(dist.high)
    half_step = 0.0
    if isinstance(dist, IntDistribution) or dist.step is not None:
        half_step = 0.5 * float(dist.step)
    low, high = low - half_step, high + half_step
    if dist.log:
        return math.log(low), math.log(high)
    return low, high


def to_unit(dist: FloatDistribution | IntDistribution, values: Any) -> np.ndarray:
    """Map external numeric values into [0, 1] (log-transformed first where ``log=True``).

    A distribution with a single value maps everything to 0.5.
    """
    if isinstance(dist, CategoricalDistribution):
        raise TypeError("to_unit is for numeric distributions; categoricals use choice indices.")
    values = np.asarray(values, dtype=float)
    low, high = _unit_bounds(dist)
    transformed = np.log(values) if dist.log else values
    if high == low:
        return np.full_like(transformed, 0.5)
    return (transformed - low) / (high - low)


def from_unit(dist: FloatDistribution | IntDistribution, unit: Any) -> np.ndarray:
    """Map points of [0, 1] back to external values: untransform, snap to the grid, clip.

    Every returned value satisfies ``dist.contains``. Integers come back as a float array of
    integral values; callers convert with ``int`` when they need Python ints.
    """
    if isinstance(dist, CategoricalDistribution):
        raise TypeError("from_unit is for numeric distributions; categoricals use choice indices.")
    unit = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
    low, high = _unit_bounds(dist)
    transformed = low + unit * (high - low)
    values = np.exp(transformed) if dist.log else transformed
    if isinstance(dist, IntDistribution) or dist.step is not None:
        step = float(dist.step)
        values = np.round((values - dist.low) / step) * step + dist.low
    return np.clip(values, dist.low, dist.high)
