"""Trials: the live :class:`Trial` an objective receives, and its record, :class:`FrozenTrial`.

A :class:`Trial` asks the study's sampler for each parameter the objective suggests, writes it
to the storage at once (a worker that dies mid-trial leaves its parameters behind for a retry),
and passes reported intermediate values to the pruner. :class:`FixedTrial` replays a known
configuration without a study; :func:`create_trial` builds a record for :meth:`Study.add_trial`.

Example
-------
>>> import tunekit
>>> def objective(trial):
...     x = trial.suggest_float("x", -10, 10)
...     return (x - 2) ** 2
>>> objective(tunekit.trial.FixedTrial({"x": 2.0}))
0.0
"""

from __future__ import annotations

import abc
import copy
import datetime
import enum
import math
import numbers
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from tunekit import logging
from tunekit._deprecation import warn_deprecated
from tunekit.distributions import (
    BaseDistribution,
    CategoricalChoiceType,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = [
    "BaseTrial",
    "Trial",
    "FixedTrial",
    "FrozenTrial",
    "TrialState",
    "create_trial",
]

_logger = logging.get_logger(__name__)


class TrialState(enum.IntEnum):
    """The life of a trial: WAITING (enqueued) -> RUNNING -> COMPLETE, PRUNED or FAIL."""

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def __repr__(self) -> str:
        return f"TrialState.{self.name}"

    # As Optuna's: print(trial.state) and f"{trial.state}" show the name, not the number.
    def __str__(self) -> str:
        return f"TrialState.{self.name}"

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)

    def is_finished(self) -> bool:
        """COMPLETE, PRUNED and FAIL are final: such a trial never changes again."""
        return self in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


# Constraint values live in a trial's system attributes as Optuna 5.0 keeps them: a sampler's
# ``constraints_func`` stores its whole list under "constraints" (read back as "0", "1", ...),
# ``trial.set_constraint(key, value)`` one named value under "constraints:<key>".
CONSTRAINTS_KEY = "constraints"
_NAMED_CONSTRAINT_PREFIX = CONSTRAINTS_KEY + ":"


def _constraints_from_system_attrs(system_attrs: dict[str, Any]) -> dict[str, float]:
    """Every recorded constraint value by name: the listed ones as "0", "1", ..., then the named."""
    listed = system_attrs.get(CONSTRAINTS_KEY)
    constraints = {} if listed is None else {str(i): float(v) for i, v in enumerate(listed)}
    for key, value in system_attrs.items():
        if key.startswith(_NAMED_CONSTRAINT_PREFIX):
            name = key[len(_NAMED_CONSTRAINT_PREFIX) :]
            if name in constraints:
                warnings.warn(
                    f"The constraint {name!r} set by set_constraint() replaces the value "
                    f"{constraints[name]!r} at that index of the constraints_func result.",
                    UserWarning,
                    stacklevel=3,
                )
            constraints[name] = float(value)
    return constraints


def _is_feasible(trial: FrozenTrial) -> bool:
    """No recorded constraint, or every recorded constraint value ``<= 0``."""
    return all(v <= 0.0 for v in trial.constraints.values())


def _constraint_to_record(
    key: Any, value: Any, system_attrs: dict[str, Any]
) -> tuple[str, float] | None:
    """The system attribute and value that ``set_constraint(key, value)`` records.

    None when ``key`` is already set: as in Optuna 5.0 the first value stays (with a warning),
    so what was recorded is never silently changed.
    """
    if not isinstance(key, str):
        raise TypeError(
            f"set_constraint(): `key` must be the constraint's name (a str), got {key!r}; "
            "record each constraint with its own call, e.g. set_constraint('memory', 0.5)."
        )
    if isinstance(value, bool):
        raise TypeError(f"set_constraint(): the value of {key!r} must be a float, got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"set_constraint(): the value of {key!r} must be a float, got {value!r}."
        ) from None
    if math.isnan(number):
        raise ValueError(f"set_constraint(): the value of {key!r} must not be NaN.")
    attr = _NAMED_CONSTRAINT_PREFIX + key
    if attr in system_attrs:
        warnings.warn(
            f"set_constraint(): the constraint {key!r} is already set to "
            f"{system_attrs[attr]!r}; the new value {number!r} is ignored.",
            UserWarning,
            stacklevel=3,
        )
        return None
    return attr, number


def _check_param_name(name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"A parameter name must be a str, got {name!r} ({type(name).__name__}).")


def _make_distribution(method: str, name: str, factory, *args, **kwargs) -> BaseDistribution:
    """Build a distribution, prefixing any validation error with the call that made it."""
    try:
        return factory(*args, **kwargs)
    except (ValueError, TypeError) as error:
        raise type(error)(f"{method}({name!r}, ...): {error}") from None


def _float_args(name: str, low: float, high: float, step: float | None, log: bool):
    return _make_distribution(
        "suggest_float", name, FloatDistribution, low, high, log=log, step=step
    )


def _int_args(name: str, low: int, high: int, step: int, log: bool):
    return _make_distribution("suggest_int", name, IntDistribution, low, high, log=log, step=step)


def _categorical_args(name: str, choices: Sequence[CategoricalChoiceType]):
    return _make_distribution("suggest_categorical", name, CategoricalDistribution, choices)


def _check_report(step: Any, value: Any) -> tuple[int, float]:
    # Integral floats pass (``for epoch in np.arange(10.0)``), as in Optuna; 1.5 is an error
    # where Optuna would truncate it onto step 1.
    integral = isinstance(step, int) or hasattr(step, "__index__")
    if not integral and isinstance(step, numbers.Real):
        integral = math.isfinite(step) and float(step).is_integer()
    if isinstance(step, bool) or not integral:
        raise TypeError(f"report(): `step` must be an int, got step={step!r}.")
    step = int(step)
    if step < 0:
        raise ValueError(f"report(): `step` must be >= 0, got step={step!r}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"report(): `value` must be a float, got value={value!r} ({type(value).__name__})."
        ) from None
    return step, value


class BaseTrial(abc.ABC):
    """What an objective may call on a trial; implemented by Trial, FixedTrial and FrozenTrial."""

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        """Suggest a float in ``[low, high]`` (log-uniformly if ``log``; on a grid if ``step``)."""
        _check_param_name(name)
        return float(self._suggest(name, _float_args(name, low, high, step, log)))

    def suggest_int(self, name: str, low: int, high: int, step: int = 1, log: bool = False) -> int:
        """Suggest an integer in ``[low, high]`` (log-uniformly if ``log``; on a grid of ``step``)."""
        _check_param_name(name)
        return int(self._suggest(name, _int_args(name, low, high, step, log)))

    @overload
    def suggest_categorical(self, name: str, choices: Sequence[None]) -> None: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[bool]) -> bool: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[int]) -> int: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[float]) -> float: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[str]) -> str: ...
    @overload
    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoiceType]
    ) -> CategoricalChoiceType: ...

    def suggest_categorical(self, name, choices):
        """Suggest one of ``choices`` (None, bool, int, float or str)."""
        _check_param_name(name)
        return self._suggest(name, _categorical_args(name, choices))

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high)``."""
        warn_deprecated("suggest_uniform", "3.0.0", "suggest_float(name, low, high)")
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high, log=True)``."""
        warn_deprecated("suggest_loguniform", "3.0.0", "suggest_float(name, low, high, log=True)")
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high, step=q)``."""
        warn_deprecated(
            "suggest_discrete_uniform", "3.0.0", "suggest_float(name, low, high, step=q)"
        )
        return self.suggest_float(name, low, high, step=q)

    @abc.abstractmethod
    def _suggest(self, name: str, distribution: BaseDistribution) -> Any: ...

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at a step."""

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Whether the pruner says to stop this trial now."""

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute of the trial."""

    @property
    @abc.abstractmethod
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far, by name, in their external values."""

    @property
    @abc.abstractmethod
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distribution of each suggested parameter."""

    @property
    @abc.abstractmethod
    def user_attrs(self) -> dict[str, Any]:
        """The trial's user attributes."""

    @property
    @abc.abstractmethod
    def number(self) -> int:
        """The trial's number in its study: 0, 1, 2, ... in order of creation."""


def _check_same_distribution(name: str, old: BaseDistribution, new: BaseDistribution) -> None:
    # Optuna only warns here and keeps the first value; a silently ignored range is a bug in the
    # objective, so tunekit refuses it (documented in docs/compat.md).
    if old != new:
        raise ValueError(
            f"Parameter {name!r} was already suggested in this trial with {old!r}; "
            f"suggesting it again with {new!r} is not allowed (use another name)."
        )


class Trial(BaseTrial):
    """A trial in progress: the object passed to the objective by :meth:`Study.optimize`.

    Not constructed by users; :meth:`Study.ask` returns one.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study()
    >>> trial = study.ask()
    >>> x = trial.suggest_float("x", 0.0, 1.0)
    >>> study.tell(trial, x ** 2).state
    TrialState.COMPLETE
    """

    def __init__(self, study: Study, trial_id: int) -> None:
        self.study = study
        self._trial_id = trial_id
        self.storage = study._storage
        self._cached_frozen_trial = self.storage.get_trial(trial_id)
        self._relative_search_space: dict[str, BaseDistribution] | None = None
        self._relative_params: dict[str, Any] | None = None

    # Relative (joint) sampling happens on the first suggest, so that a trial that never
    # suggests anything (ask/tell with fixed params, an enqueued trial) costs no model fit.
    @property
    def relative_params(self) -> dict[str, Any]:
        """The parameters the sampler drew jointly for this trial."""
        if self._relative_params is None:
            study = self._study_for_sampler()
            frozen = self._cached_frozen_trial
            self._relative_search_space = study.sampler.infer_relative_search_space(study, frozen)
            self._relative_params = study.sampler.sample_relative(
                study, frozen, self._relative_search_space
            )
        return self._relative_params

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        frozen = self._cached_frozen_trial
        if name in frozen.distributions:
            _check_same_distribution(name, frozen.distributions[name], distribution)
            return frozen.params[name]

        fixed_params = frozen.system_attrs.get("fixed_params", {})
        if name in fixed_params:
            value = fixed_params[name]
            if not distribution.contains(value):
                value = self._out_of_range_fixed_value(name, value, distribution)
        elif distribution.single():
            value = distribution.to_external_repr(_single_internal_value(distribution))
        elif self._is_relative_param(name, distribution):
            value = self.relative_params[name]
        else:
            value = self.study.sampler.sample_independent(
                self._study_for_sampler(), frozen, name, distribution
            )

        internal = distribution.to_internal_repr(value)
        try:
            self.storage.set_trial_param(self._trial_id, name, internal, distribution)
        except ValueError as error:
            # The storage checks the distribution against other trials; name the parameter.
            raise ValueError(f"Parameter {name!r}: {error}") from error
        # Hand back exactly what a reload from the storage would give.
        value = distribution.to_external_repr(internal)
        frozen.distributions = {**frozen.distributions, name: distribution}
        frozen.params = {**frozen.params, name: value}
        return value

    def _out_of_range_fixed_value(self, name: str, value: Any, distribution: BaseDistribution):
        if isinstance(distribution, CategoricalDistribution) or not _is_representable(
            value, distribution
        ):
            warnings.warn(
                f"Fixed parameter {name!r} with value {value!r} is not a value of "
                f"{distribution!r}; a value is sampled instead.",
                UserWarning,
                stacklevel=4,
            )
            frozen = self._cached_frozen_trial
            return self.study.sampler.sample_independent(
                self._study_for_sampler(), frozen, name, distribution
            )
        # Optuna uses an enqueued number even outside its range: the user asked for it.
        warnings.warn(
            f"Fixed parameter {name!r} with value {value!r} is out of the range of "
            f"{distribution!r}; it is used as given.",
            UserWarning,
            stacklevel=4,
        )
        return value

    def _study_for_sampler(self) -> Study:
        """The study as the sampler sees it for this trial.

        A pruner may narrow it with ``_filter_study(study, trial)`` (Hyperband: only the
        trial's bracket); by default it is the study itself.
        """
        filter_study = getattr(self.study.pruner, "_filter_study", None)
        if filter_study is None:
            return self.study
        return filter_study(self.study, self._cached_frozen_trial)

    def _is_relative_param(self, name: str, distribution: BaseDistribution) -> bool:
        params = self.relative_params
        if name not in params:
            return False
        assert self._relative_search_space is not None
        return self._relative_search_space.get(name) == distribution

    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value (e.g. validation accuracy) at ``step``.

        A step reported twice keeps the first value, with a warning (as Optuna).
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.report is not supported for multi-objective optimization."
            )
        step, value = _check_report(step, value)
        frozen = self._cached_frozen_trial
        if step in frozen.intermediate_values:
            warnings.warn(
                f"The reported value is ignored because step {step} is already reported.",
                UserWarning,
                stacklevel=2,
            )
            return
        self.storage.set_trial_intermediate_value(self._trial_id, step, value)
        frozen.intermediate_values = {**frozen.intermediate_values, step: value}

    def should_prune(self) -> bool:
        """Ask the study's pruner whether this trial should stop now."""
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.should_prune is not supported for multi-objective optimization."
            )
        return bool(
            self.study.pruner.prune(self.study, _copy_frozen_trial(self._cached_frozen_trial))
        )

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to this trial."""
        self.storage.set_trial_user_attr(self._trial_id, key, value)
        self._cached_frozen_trial.user_attrs = {**self._cached_frozen_trial.user_attrs, key: value}

    def set_system_attr(self, key: str, value: Any) -> None:
        """Deprecated: for tunekit's own bookkeeping; use :meth:`set_user_attr`."""
        warn_deprecated("Trial.set_system_attr", "3.1.0", "set_user_attr")
        self._set_system_attr(key, value)

    def _set_system_attr(self, key: str, value: Any) -> None:
        self.storage.set_trial_system_attr(self._trial_id, key, value)
        frozen = self._cached_frozen_trial
        frozen.system_attrs = {**frozen.system_attrs, key: value}

    def set_constraint(self, key: str, value: float) -> None:
        """Record the constraint ``key``: the trial is feasible when every value is ``<= 0``.

        As in Optuna 5.0, each constraint is named and set once (setting it again warns and
        keeps the first value). Stored in ``system_attrs["constraints:<key>"]``; read all of a
        trial's constraints with :attr:`constraints`. Constrained samplers (TPE, GP) rank
        infeasible trials below feasible ones and ``Study.best_trial`` skips them.

        Example
        -------
        >>> import tunekit
        >>> study = tunekit.create_study()
        >>> trial = study.ask()
        >>> x = trial.suggest_float("x", 0, 1)
        >>> trial.set_constraint("x_at_most_half", x - 0.5)
        >>> list(trial.constraints)
        ['x_at_most_half']
        """
        record = _constraint_to_record(key, value, self._cached_frozen_trial.system_attrs)
        if record is not None:
            self._set_system_attr(*record)

    @property
    def constraints(self) -> dict[str, float]:
        """The constraint values recorded so far, by name (``{}`` when none)."""
        return _constraints_from_system_attrs(self._cached_frozen_trial.system_attrs)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far, by name, in their external values."""
        return copy.deepcopy(self._cached_frozen_trial.params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distribution of each suggested parameter."""
        return copy.deepcopy(self._cached_frozen_trial.distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The trial's user attributes."""
        return copy.deepcopy(self._cached_frozen_trial.user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """The trial's system attributes (for samplers and tools)."""
        return copy.deepcopy(self._cached_frozen_trial.system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started."""
        return self._cached_frozen_trial.datetime_start

    @property
    def number(self) -> int:
        """The trial's number in its study: 0, 1, 2, ... in order of creation."""
        return self._cached_frozen_trial.number

    def __repr__(self) -> str:
        return f"Trial(number={self.number}, params={self._cached_frozen_trial.params!r})"


def _is_representable(value: Any, distribution: BaseDistribution) -> bool:
    """Whether ``value`` has a stored form under ``distribution``: a number for a number, and a
    positive one on a log scale (the samplers work with its logarithm)."""
    try:
        internal = distribution.to_internal_repr(value)
    except (ValueError, TypeError):
        return False
    if getattr(distribution, "log", False) and not internal > 0:
        return False
    return True


def _single_internal_value(distribution: BaseDistribution) -> float:
    if isinstance(distribution, CategoricalDistribution):
        return 0
    return distribution.low  # type: ignore[attr-defined]


class FixedTrial(BaseTrial):
    """A trial whose parameters are given: re-run an objective on a known configuration.

    Parameters
    ----------
    params:
        The values the objective will receive, by name.
    number:
        The number :attr:`number` reports.

    Example
    -------
    >>> def objective(trial):
    ...     return trial.suggest_int("n", 1, 10) * 2
    >>> objective(FixedTrial({"n": 3}))
    6
    """

    def __init__(self, params: dict[str, Any], number: int = 0) -> None:
        self._params = dict(params)
        self._suggested_params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = {}
        self._datetime_start = datetime.datetime.now()
        self._number = number

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(
                f"The value of the parameter {name!r} is not found in the FixedTrial's params "
                f"{sorted(self._params)!r}."
            )
        if name in self._distributions:
            _check_same_distribution(name, self._distributions[name], distribution)
        value = self._params[name]
        if not distribution.contains(value):
            warnings.warn(
                f"The value {value!r} of parameter {name!r} is outside {distribution!r}.",
                UserWarning,
                stacklevel=3,
            )
        self._suggested_params[name] = value
        self._distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at a step."""
        _check_report(step, value)

    def should_prune(self) -> bool:
        """Whether the pruner says to stop this trial now."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute of the trial."""
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute of the trial."""
        self._system_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Record the constraint ``key`` (``<= 0`` is feasible), as :meth:`Trial.set_constraint`."""
        record = _constraint_to_record(key, value, self._system_attrs)
        if record is not None:
            self._system_attrs[record[0]] = record[1]

    @property
    def constraints(self) -> dict[str, float]:
        """The constraint values recorded so far, by name (``{}`` when none)."""
        return _constraints_from_system_attrs(self._system_attrs)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far, by name, in their external values."""
        return dict(self._suggested_params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distribution of each suggested parameter."""
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The trial's user attributes."""
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """The trial's system attributes (for samplers and tools)."""
        return dict(self._system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started."""
        return self._datetime_start

    @property
    def number(self) -> int:
        """The trial's number in its study: 0, 1, 2, ... in order of creation."""
        return self._number


class FrozenTrial(BaseTrial):
    """The record of a trial: its state, value(s), parameters, curve and attributes.

    Returned by :attr:`Study.trials`, :attr:`Study.best_trial` and the storages. Passing a
    FrozenTrial to an objective replays its parameters, like a :class:`FixedTrial`.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    >>> record = study.trials[0]
    >>> record.state, sorted(record.params)
    (TrialState.COMPLETE, ['x'])
    """

    def __init__(
        self,
        number: int,
        state: TrialState,
        value: float | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
        *,
        values: Sequence[float] | None = None,
    ) -> None:
        if value is not None and values is not None:
            raise ValueError("Specify only one of `value` and `values`.")
        self._number = number
        self.state = state
        self._values: list[float] | None
        if value is not None:
            self._values = [float(value)]
        elif values is not None:
            self._values = [float(v) for v in values]
        else:
            self._values = None
        self.datetime_start = datetime_start
        self.datetime_complete = datetime_complete
        self._params = params
        self._distributions = distributions
        self._user_attrs = user_attrs
        self._system_attrs = system_attrs
        self.intermediate_values = intermediate_values
        self._trial_id = trial_id

    # FrozenTrial is a record; equality compares every field.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number <= other.number

    def __hash__(self) -> int:
        return hash((self._trial_id, self._number))

    def __repr__(self) -> str:
        return (
            f"FrozenTrial(number={self.number}, state={self.state!r}, values={self._values!r}, "
            f"datetime_start={self.datetime_start!r}, datetime_complete={self.datetime_complete!r}, "
            f"params={self._params!r}, user_attrs={self._user_attrs!r}, "
            f"system_attrs={self._system_attrs!r}, intermediate_values={self.intermediate_values!r}, "
            f"distributions={self._distributions!r}, trial_id={self._trial_id!r})"
        )

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(f"The value of the parameter {name!r} is not found in this trial.")
        value = self._params[name]
        if not distribution.contains(value):
            warnings.warn(
                f"The value {value!r} of parameter {name!r} is outside {distribution!r}.",
                UserWarning,
                stacklevel=3,
            )
        return value

    def report(self, value: float, step: int) -> None:
        """Does nothing: a record cannot change (kept so a FrozenTrial can replay an objective)."""

    def should_prune(self) -> bool:
        """Whether the pruner says to stop this trial now."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute of the trial."""
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute of the trial."""
        self._system_attrs[key] = value

    def _validate(self) -> None:
        """Raise ValueError if this record is inconsistent (used by :meth:`Study.add_trial`)."""
        if self.state != TrialState.WAITING and self.datetime_start is None:
            raise ValueError(
                f"`datetime_start` is required for a trial in state {self.state.name}."
            )
        if self.state.is_finished():
            if self.datetime_complete is None:
                raise ValueError("`datetime_complete` is required for a finished trial.")
        elif self.datetime_complete is not None:
            raise ValueError(
                f"`datetime_complete` must be None for a trial in state {self.state.name}."
            )
        if self.state == TrialState.FAIL and self._values is not None:
            raise ValueError(f"A FAIL trial has no values, got {self._values!r}.")
        if self.state == TrialState.COMPLETE:
            if self._values is None:
                raise ValueError("A COMPLETE trial needs `value` or `values`.")
            if any(math.isnan(v) for v in self._values):
                raise ValueError(
                    f"The values of a COMPLETE trial must not be NaN: {self._values!r}."
                )
        if set(self._params) != set(self._distributions):
            raise ValueError(
                f"`params` and `distributions` name different parameters: "
                f"{sorted(self._params)!r} and {sorted(self._distributions)!r}."
            )
        for name, value in self._params.items():
            distribution = self._distributions[name]
            if not distribution.contains(value):
                raise ValueError(
                    f"The value {value!r} of parameter {name!r} is not contained in {distribution!r}."
                )

    @property
    def number(self) -> int:
        """The trial's number in its study: 0, 1, 2, ... in order of creation."""
        return self._number

    @number.setter
    def number(self, value: int) -> None:
        self._number = value

    @property
    def value(self) -> float | None:
        """The objective value; for a multi-objective trial use :attr:`values`."""
        if self._values is None:
            return None
        if len(self._values) > 1:
            raise RuntimeError(
                "This attribute is not available during multi-objective optimization; use `values`."
            )
        return self._values[0]

    @value.setter
    def value(self, v: float | None) -> None:
        self._values = None if v is None else [float(v)]

    @property
    def values(self) -> list[float] | None:
        """The objective values, or None while the trial has none."""
        return None if self._values is None else list(self._values)

    @values.setter
    def values(self, v: Sequence[float] | None) -> None:
        self._values = None if v is None else [float(x) for x in v]

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far, by name, in their external values."""
        return self._params

    @params.setter
    def params(self, params: dict[str, Any]) -> None:
        self._params = params

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distribution of each suggested parameter."""
        return self._distributions

    @distributions.setter
    def distributions(self, value: dict[str, BaseDistribution]) -> None:
        self._distributions = value

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The trial's user attributes."""
        return self._user_attrs

    @user_attrs.setter
    def user_attrs(self, value: dict[str, Any]) -> None:
        self._user_attrs = value

    @property
    def system_attrs(self) -> dict[str, Any]:
        """The trial's system attributes (for samplers and tools)."""
        return self._system_attrs

    @system_attrs.setter
    def system_attrs(self, value: dict[str, Any]) -> None:
        self._system_attrs = value

    @property
    def constraints(self) -> dict[str, float]:
        """Constraint values by name (``<= 0`` feasible; ``{}`` when none were recorded).

        Those from ``trial.set_constraint(key, value)`` under their names, those a sampler's
        ``constraints_func`` returned under ``"0"``, ``"1"``, ... (Optuna 5.0's layout).
        """
        return _constraints_from_system_attrs(self._system_attrs)

    def set_constraint(self, key: str, value: float) -> None:
        """Record the constraint ``key`` on this record (before :meth:`Study.add_trial`)."""
        record = _constraint_to_record(key, value, self._system_attrs)
        if record is not None:
            self._system_attrs[record[0]] = record[1]

    @property
    def last_step(self) -> int | None:
        """The largest reported step, or None if nothing was reported."""
        return max(self.intermediate_values) if self.intermediate_values else None

    @property
    def duration(self) -> datetime.timedelta | None:
        """Wall time from start to completion, or None while running."""
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start


def _copy_frozen_trial(trial: FrozenTrial) -> FrozenTrial:
    """A copy of a record that shares nothing mutable with it, cheaper than ``copy.deepcopy``.

    Parameter values (None, bool, int, float, str) and distributions are immutable, so their
    dicts are copied shallowly; attributes may hold anything and are deep-copied when present.
    """
    new = copy.copy(trial)
    new._params = dict(trial._params)
    new._distributions = dict(trial._distributions)
    new._user_attrs = copy.deepcopy(trial._user_attrs) if trial._user_attrs else {}
    new._system_attrs = copy.deepcopy(trial._system_attrs) if trial._system_attrs else {}
    new.intermediate_values = dict(trial.intermediate_values)
    new._values = None if trial._values is None else list(trial._values)
    return new


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    values: Sequence[float] | None = None,
    params: dict[str, Any] | None = None,
    distributions: dict[str, BaseDistribution] | None = None,
    user_attrs: dict[str, Any] | None = None,
    system_attrs: dict[str, Any] | None = None,
    intermediate_values: dict[int, float] | None = None,
    constraints: dict[str, float] | None = None,
) -> FrozenTrial:
    """Build a trial record to add to a study with :meth:`Study.add_trial`.

    ``constraints`` (name -> value, ``<= 0`` feasible) are recorded as
    :meth:`Trial.set_constraint` records them.

    Example
    -------
    >>> from tunekit.distributions import FloatDistribution
    >>> t = create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=0.25)
    >>> t.value
    0.25
    """
    now = datetime.datetime.now()
    started = None if state == TrialState.WAITING else now
    completed = now if state.is_finished() else None
    trial = FrozenTrial(
        number=-1,
        state=state,
        value=value,
        values=values,
        datetime_start=started,
        datetime_complete=completed,
        params=dict(params or {}),
        distributions=dict(distributions or {}),
        user_attrs=dict(user_attrs or {}),
        system_attrs=dict(system_attrs or {}),
        intermediate_values=dict(intermediate_values or {}),
        trial_id=-1,
    )
    if constraints is not None:
        if not isinstance(constraints, dict):
            raise TypeError(
                f"create_trial(): `constraints` must be a dict of name -> value, got {constraints!r}."
            )
        for key, constraint in constraints.items():
            trial.set_constraint(key, constraint)
    trial._validate()
    return trial
