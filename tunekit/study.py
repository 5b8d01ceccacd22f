"""Studies: a named optimization task in a storage, and the functions that manage them.

Example
-------
>>> import tunekit
>>> def objective(trial):
...     x = trial.suggest_float("x", -10, 10)
...     return (x - 2) ** 2
>>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=1))
>>> study.optimize(objective, n_trials=20)
>>> study.best_value < 5.0
True
"""

from __future__ import annotations

import copy
import datetime
import math
import threading
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit import logging
from tunekit._deprecation import warn_deprecated
from tunekit.distributions import BaseDistribution
from tunekit.exceptions import DuplicatedStudyError
from tunekit.pruners.base import BasePruner
from tunekit.samplers.base import BaseSampler
from tunekit.storages import BaseStorage, get_storage
from tunekit.storages.base import FrozenStudy, StudyDirection
from tunekit.trial import FrozenTrial, Trial, TrialState, _is_feasible, create_trial

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Study",
    "StudyDirection",
    "StudySummary",
    "MaxTrialsCallback",
    "create_study",
    "load_study",
    "delete_study",
    "copy_study",
    "get_all_study_names",
    "get_all_study_summaries",
]

_logger = logging.get_logger(__name__)

_METRIC_NAMES_KEY = "study:metric_names"
ObjectiveFuncType = Callable[[Trial], "float | Sequence[float]"]


def _check_sampler_and_pruner(sampler: Any, pruner: Any) -> None:
    # Duck-typed, so that a sampler written against Optuna's interface (not a subclass of ours)
    # still works; a string or a class instead of an instance fails here, not at the first trial.
    if sampler is not None and (
        isinstance(sampler, type) or not callable(getattr(sampler, "sample_independent", None))
    ):
        raise TypeError(
            f"`sampler` must be a sampler instance such as RandomSampler(), got {sampler!r}."
        )
    if pruner is not None and (
        isinstance(pruner, type) or not callable(getattr(pruner, "prune", None))
    ):
        raise TypeError(f"`pruner` must be a pruner instance such as NopPruner(), got {pruner!r}.")


def _default_sampler() -> BaseSampler:
    from tunekit.samplers.tpe import TPESampler

    return TPESampler()


def _default_pruner() -> BasePruner:
    from tunekit.pruners.median import MedianPruner

    return MedianPruner()


class Study:
    """A study: the trials of one optimization task, read from and written to a storage.

    Create one with :func:`create_study` or :func:`load_study` rather than directly.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study(direction="maximize")
    >>> study.optimize(lambda trial: trial.suggest_int("n", 0, 5), n_trials=10)
    >>> study.best_value <= 5
    True
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        self.study_name = study_name
        self._storage = get_storage(storage)
        self._study_id = self._storage.get_study_id_from_name(study_name)
        self._directions = self._storage.get_study_directions(self._study_id)
        _check_sampler_and_pruner(sampler, pruner)
        self.sampler = sampler if sampler is not None else _default_sampler()
        self.pruner = pruner if pruner is not None else _default_pruner()
        # Guards the count of optimize() calls running on this study (threads may each run one,
        # as in Optuna); a thread-local flag refuses a nested call from inside an objective.
        self._optimize_lock = threading.Lock()
        self._n_optimize_running = 0
        self._thread_local = threading.local()
        # Serialises "is the study stopped? then ask" across this process's threads, so a
        # sampler that stops the study (an exhausted grid) is obeyed by every thread.
        self._ask_lock = threading.Lock()
        self._stop_flag = False

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_optimize_lock"], state["_ask_lock"], state["_thread_local"]
        state["_n_optimize_running"] = 0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._optimize_lock = threading.Lock()
        self._ask_lock = threading.Lock()
        self._thread_local = threading.local()

    # ------------------------------------------------------------------------- directions

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if self._is_multi_objective():
            raise RuntimeError(
                "This attribute is not available during multi-objective optimization; "
                "use `directions`."
            )
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return list(self._directions)

    def _is_multi_objective(self) -> bool:
        return len(self._directions) > 1

    # ------------------------------------------------------------------------------ trials

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial of the study (deep copies), in number order."""
        return self.get_trials(deepcopy=True, states=None)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The study's trials in number order, optionally only those in ``states``.

        With ``deepcopy=False`` the records are shared: do not modify them.
        """
        return self._get_trials(deepcopy, states, use_cache=False)

    def _get_trials(
        self,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
        use_cache: bool = False,
    ) -> list[FrozenTrial]:
        # The one read that samplers and pruners go through; a Hyperband bracket overrides it.
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    @property
    def best_trial(self) -> FrozenTrial:
        """The best COMPLETE trial (the best feasible one when constraints were recorded)."""
        if self._is_multi_objective():
            raise RuntimeError(
                "A single best trial cannot be retrieved from a multi-objective study; "
                "use `best_trials`."
            )
        best = self._storage.get_best_trial(self._study_id)
        if _is_feasible(best):
            return best
        feasible = [
            t
            for t in self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if _is_feasible(t)
        ]
        if not feasible:
            raise ValueError("No feasible trials are completed yet.")
        pick = max if self.direction == StudyDirection.MAXIMIZE else min
        return copy.deepcopy(pick(feasible, key=lambda t: t.value))

    @property
    def best_value(self) -> float:
        """The best objective value (single-objective studies)."""
        value = self.best_trial.value
        assert value is not None
        return value

    @property
    def best_params(self) -> dict[str, Any]:
        """The parameters of the best trial (single-objective studies)."""
        return self.best_trial.params

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The Pareto front: COMPLETE (feasible) trials that no other trial dominates."""
        trials = [
            t
            for t in self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if _is_feasible(t)
        ]
        if not trials:
            return []
        values = np.array([t.values for t in trials], dtype=float)
        front = _pareto_front_mask(values, self._directions)
        return [copy.deepcopy(t) for t, on_front in zip(trials, front, strict=True) if on_front]

    # --------------------------------------------------------------------------- attributes

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The study's user attributes."""
        return self._storage.get_study_user_attrs(self._study_id)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """The study's system attributes (for samplers and tools)."""
        return self._storage.get_study_system_attrs(self._study_id)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to the study."""
        self._storage.set_study_user_attr(self._study_id, key, value)

    def set_system_attr(self, key: str, value: Any) -> None:
        """Deprecated: for tunekit's own bookkeeping; use :meth:`set_user_attr`."""
        warn_deprecated("Study.set_system_attr", "3.1.0", "set_user_attr")
        self._storage.set_study_system_attr(self._study_id, key, value)

    @property
    def metric_names(self) -> list[str] | None:
        """Names of the objectives set by :meth:`set_metric_names`, or None."""
        return self._storage.get_study_system_attrs(self._study_id).get(_METRIC_NAMES_KEY)

    def set_metric_names(self, metric_names: list[str]) -> None:
        """Name the objectives (used by ``trials_dataframe`` and plots)."""
        if len(metric_names) != len(self._directions):
            raise ValueError(
                f"set_metric_names(): expected {len(self._directions)} names (one per objective), "
                f"got {metric_names!r}."
            )
        if not all(isinstance(name, str) for name in metric_names):
            raise TypeError(f"set_metric_names(): names must be str, got {metric_names!r}.")
        self._storage.set_study_system_attr(self._study_id, _METRIC_NAMES_KEY, list(metric_names))

    # --------------------------------------------------------------------- optimize, ask, tell

    def optimize(
        self,
        func: ObjectiveFuncType,
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        catch: Iterable[type[Exception]] | type[Exception] = (),
        callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
        *,
        processes: bool = False,
    ) -> None:
        """Run ``func`` on new trials until ``n_trials`` ran, ``timeout`` passed, or a stop.

        Parameters
        ----------
        func:
            The objective: takes a :class:`~tunekit.trial.Trial`, returns a float (or a sequence
            of floats for a multi-objective study).
        n_trials:
            How many trials this call runs (None: no limit). Use :class:`MaxTrialsCallback` to
            cap the study's total across workers.
        timeout:
            Seconds after which no new trial starts; running trials finish.
        n_jobs:
            Threads running trials at once (-1: one per CPU), as in Optuna.
        catch:
            Exception classes that mark a trial FAIL and let the study go on; any other
            exception marks the trial FAIL and is re-raised.
        callbacks:
            Called as ``callback(study, frozen_trial)`` after each trial.
        gc_after_trial:
            Run the garbage collector after each trial.
        show_progress_bar:
            Show a tqdm progress bar with the best value so far.
        processes:
            Run the ``n_jobs`` workers as forked processes instead of threads (tunekit's
            addition). Needs a storage the processes share (a database URL); ``n_trials`` and
            ``timeout`` bound the whole group; each worker reseeds its sampler.
        """
        from tunekit._optimize import _optimize

        _optimize(
            self,
            func,
            n_trials=n_trials,
            timeout=timeout,
            n_jobs=n_jobs,
            catch=catch,
            callbacks=callbacks,
            gc_after_trial=gc_after_trial,
            show_progress_bar=show_progress_bar,
            processes=processes,
        )

    def ask(self, fixed_distributions: dict[str, BaseDistribution] | None = None) -> Trial:
        """Start a trial (the oldest enqueued one if any) and return it.

        Parameters in ``fixed_distributions`` are suggested right away, so the returned trial
        already has them in :attr:`Trial.params`.
        """
        if fixed_distributions is not None and not isinstance(fixed_distributions, Mapping):
            raise TypeError(
                f"ask(): `fixed_distributions` must be a dict of name -> distribution, "
                f"got {fixed_distributions!r}."
            )
        for name, distribution in (fixed_distributions or {}).items():
            if not isinstance(distribution, BaseDistribution):
                raise TypeError(
                    f"ask(): fixed_distributions[{name!r}] must be a distribution, "
                    f"got {distribution!r}."
                )
        from tunekit._optimize import _fail_stale_trials

        _fail_stale_trials(self)
        trial_id = self._storage._pop_waiting_trial_id(self._study_id)
        if trial_id is None:
            trial_id = self._storage.create_new_trial(self._study_id)
        self.sampler.before_trial(self, self._storage.get_trial(trial_id))
        trial = Trial(self, trial_id)
        for name, distribution in (fixed_distributions or {}).items():
            trial._suggest(name, distribution)
        return trial

    def tell(
        self,
        trial: Trial | int,
        values: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        """Finish a trial started with :meth:`ask`: store its value(s) or its final state.

        Parameters
        ----------
        trial:
            The trial, or its number.
        values:
            The objective value(s). Required for COMPLETE; not allowed for PRUNED or FAIL.
        state:
            COMPLETE (the default when values are given), PRUNED or FAIL. A PRUNED trial keeps
            its last intermediate value as its value.
        skip_if_finished:
            Return quietly instead of raising when the trial already finished.
        """
        from tunekit._optimize import _tell

        return _tell(self, trial, values, state, skip_if_finished, from_objective=False)

    def stop(self) -> None:
        """Stop :meth:`optimize` after the running trials finish (call it from an objective or a
        callback)."""
        if self._n_optimize_running == 0:
            raise RuntimeError(
                "`Study.stop` is supposed to be invoked inside an objective function or a callback."
            )
        self._stop_flag = True

    # --------------------------------------------------------------------- adding trials

    def enqueue_trial(
        self,
        params: dict[str, Any],
        user_attrs: dict[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue a trial with fixed parameter values; the next :meth:`ask` runs it.

        Parameters the objective asks for but ``params`` lacks are sampled as usual. A value
        outside its distribution is used with a warning (a categorical one not among the choices
        is sampled instead).
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"enqueue_trial(): `params` must be a dict, got {params!r}.")
        if skip_if_exists and self._should_skip_enqueue(params):
            _logger.info(f"Trial with params {params} already exists; not enqueued again.")
            return
        self.add_trial(
            create_trial(
                state=TrialState.WAITING,
                system_attrs={"fixed_params": dict(params)},
                user_attrs=user_attrs,
            )
        )

    def _should_skip_enqueue(self, params: Mapping[str, Any]) -> bool:
        for trial in self.get_trials(deepcopy=False):
            # An enqueued trial is known by the values it was enqueued with (as in Optuna), even
            # after it ran and sampled more parameters; any other trial by its parameters.
            known = trial.system_attrs.get("fixed_params", trial.params)
            if set(known) != set(params):
                continue
            if all(_same_value(known[name], value) for name, value in params.items()):
                return True
        return False

    def add_trial(self, trial: FrozenTrial) -> None:
        """Add a finished (or waiting) trial record, e.g. from :func:`tunekit.trial.create_trial`."""
        self._check_trial_to_add(trial)
        self._storage.create_new_trial(self._study_id, template_trial=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Add several trial records (each checked before any is written)."""
        trials = list(trials)
        for trial in trials:
            self._check_trial_to_add(trial)
        for trial in trials:
            self.add_trial(trial)

    def _check_trial_to_add(self, trial: FrozenTrial) -> None:
        trial._validate()
        if trial.values is not None and len(trial.values) != len(self._directions):
            raise ValueError(
                f"add_trial(): the trial has {len(trial.values)} values but the study has "
                f"{len(self._directions)} objectives."
            )

    # ------------------------------------------------------------------------- dataframe

    def trials_dataframe(
        self,
        attrs: tuple[str, ...] = (
            "number",
            "value",
            "datetime_start",
            "datetime_complete",
            "duration",
            "params",
            "user_attrs",
            "system_attrs",
            "state",
        ),
        multi_index: bool = False,
    ) -> pd.DataFrame:
        """The trials as a pandas DataFrame, one row per trial (needs ``tunekit[pandas]``)."""
        from tunekit._dataframe import _trials_dataframe

        return _trials_dataframe(self, attrs, multi_index)

    def __repr__(self) -> str:
        return f"Study(study_name={self.study_name!r}, directions={self._directions!r})"


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _pareto_front_mask(values: np.ndarray, directions: Sequence[StudyDirection]) -> np.ndarray:
    """Which rows of ``values`` (trials x objectives) no other row dominates."""
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    loss = values * signs  # everything minimised
    n = len(loss)
    on_front = np.ones(n, dtype=bool)
    # Blocks of rows keep the pairwise comparison's memory at block x n.
    block = 512
    for start in range(0, n, block):
        rows = loss[start : start + block, None, :]
        no_worse = np.all(loss[None, :, :] <= rows, axis=2)
        better = np.any(loss[None, :, :] < rows, axis=2)
        on_front[start : start + block] = ~np.any(no_worse & better, axis=1)
    return on_front


# ------------------------------------------------------------------------------- callbacks


class MaxTrialsCallback:
    """Stop a study once it holds ``n_trials`` trials in ``states`` (across all workers).

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=50,
    ...                callbacks=[MaxTrialsCallback(5)])
    >>> len(study.trials)
    5
    """

    def __init__(
        self, n_trials: int, states: Container[TrialState] | None = (TrialState.COMPLETE,)
    ) -> None:
        if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0:
            raise ValueError(
                f"MaxTrialsCallback: `n_trials` must be an int >= 0, got {n_trials!r}."
            )
        self._n_trials = n_trials
        self._states = states

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if len(study.get_trials(deepcopy=False, states=self._states)) >= self._n_trials:
            study.stop()


# ------------------------------------------------------------------------------ summaries


class StudySummary:
    """A short description of a study, from :func:`get_all_study_summaries`."""

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        best_trial: FrozenTrial | None,
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        n_trials: int,
        datetime_start: datetime.datetime | None,
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
    ) -> None:
        self.study_name = study_name
        if directions is None:
            if direction is None:
                raise ValueError("Specify `direction` or `directions`.")
            directions = [direction]
        self._directions = list(directions)
        self.best_trial = best_trial
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self.n_trials = n_trials
        self.datetime_start = datetime_start
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        """The direction of the objective (single-objective studies)."""
        if len(self._directions) > 1:
            raise RuntimeError("This study has several directions; use `directions`.")
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return list(self._directions)

    def __repr__(self) -> str:
        return f"StudySummary(study_name={self.study_name!r}, n_trials={self.n_trials})"

    # As in Optuna: equal when every field is; ordered by study id (creation order).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StudySummary):
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable fields: equal ones need not hash alike

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, StudySummary):
            return NotImplemented
        return self._study_id < other._study_id

    def __le__(self, other: object) -> bool:
        if not isinstance(other, StudySummary):
            return NotImplemented
        return self._study_id <= other._study_id


# ------------------------------------------------------------------- module-level functions


def _parse_directions(
    direction: str | StudyDirection | None,
    directions: Sequence[str | StudyDirection] | None,
) -> list[StudyDirection] | None:
    """Directions as given, or None when the caller gave none (the default is minimise)."""
    if direction is not None and directions is not None:
        raise ValueError("Specify only one of `direction` and `directions`.")
    if direction is not None:
        given: Sequence[Any] = [direction]
    elif directions is not None:
        if isinstance(directions, (str, StudyDirection)):
            raise TypeError(
                f"`directions` must be a list of directions, got {directions!r}; "
                f"use `direction=` for a single objective."
            )
        given = list(directions)
        if not given:
            raise ValueError("`directions` must not be empty.")
    else:
        return None
    parsed = []
    for d in given:
        if isinstance(d, StudyDirection) and d != StudyDirection.NOT_SET:
            parsed.append(d)
        elif isinstance(d, str) and d.lower() in ("minimize", "maximize"):
            parsed.append(StudyDirection[d.upper()])
        else:
            raise ValueError(
                f"Unknown direction {d!r}: use 'minimize' or 'maximize' "
                f"(or StudyDirection.MINIMIZE / StudyDirection.MAXIMIZE)."
            )
    return parsed


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    load_if_exists: bool = False,
    directions: Sequence[str | StudyDirection] | None = None,
) -> Study:
    """Create a study (or load it, with ``load_if_exists=True``).

    Parameters
    ----------
    storage:
        None for in-memory, a database URL (``"sqlite:///runs.db"``) or a storage object.
    sampler, pruner:
        Defaults: :class:`~tunekit.samplers.TPESampler` and :class:`~tunekit.pruners.MedianPruner`,
        as in Optuna.
    study_name:
        A unique name in the storage; generated when None.
    direction, directions:
        ``"minimize"`` (default) or ``"maximize"``; a list for a multi-objective study.
    load_if_exists:
        Load an existing study of this name instead of raising DuplicatedStudyError.

    Example
    -------
    >>> import tunekit
    >>> study = tunekit.create_study(direction="maximize", study_name="demo")
    >>> study.direction
    StudyDirection.MAXIMIZE
    """
    parsed = _parse_directions(direction, directions)
    _check_sampler_and_pruner(sampler, pruner)
    if study_name is not None and not isinstance(study_name, str):
        raise TypeError(f"`study_name` must be a str, got {study_name!r}.")
    storage_obj = get_storage(storage)
    try:
        study_id = storage_obj.create_new_study(parsed or [StudyDirection.MINIMIZE], study_name)
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        assert study_name is not None
        study_id = storage_obj.get_study_id_from_name(study_name)
        stored = storage_obj.get_study_directions(study_id)
        if parsed is not None and parsed != stored:
            raise ValueError(
                f"Study {study_name!r} exists with directions "
                f"{[d.name.lower() for d in stored]}, not {[d.name.lower() for d in parsed]}."
            ) from None
        _logger.info(
            f"Using an existing study with name {study_name!r} instead of creating a new one."
        )
    name = storage_obj.get_study_name_from_id(study_id)
    return Study(study_name=name, storage=storage_obj, sampler=sampler, pruner=pruner)


def load_study(
    *,
    study_name: str | None,
    storage: str | BaseStorage,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Load an existing study; KeyError naming it if there is none.

    ``study_name=None`` loads the only study of a storage that holds exactly one.
    """
    storage_obj = get_storage(storage)
    if study_name is None:
        names = [s.study_name for s in storage_obj.get_all_studies()]
        if len(names) != 1:
            raise ValueError(
                f"load_study(): `study_name` is required when the storage holds {len(names)} "
                f"studies ({names!r})."
            )
        study_name = names[0]
    storage_obj.get_study_id_from_name(study_name)  # KeyError naming the study
    return Study(study_name=study_name, storage=storage_obj, sampler=sampler, pruner=pruner)


def delete_study(*, study_name: str, storage: str | BaseStorage) -> None:
    """Delete a study and all its trials; KeyError naming it if there is none."""
    storage_obj = get_storage(storage)
    storage_obj.delete_study(storage_obj.get_study_id_from_name(study_name))


def copy_study(
    *,
    from_study_name: str,
    from_storage: str | BaseStorage,
    to_storage: str | BaseStorage,
    to_study_name: str | None = None,
) -> None:
    """Copy a study, with its attributes and every trial, into another storage (or name)."""
    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(
        study_name=to_study_name or from_study_name,
        storage=to_storage,
        directions=source.directions,
    )
    for key, value in source.system_attrs.items():
        target._storage.set_study_system_attr(target._study_id, key, value)
    for key, value in source.user_attrs.items():
        target.set_user_attr(key, value)
    for trial in source.get_trials(deepcopy=False):
        target._storage.create_new_trial(target._study_id, template_trial=trial)


def get_all_study_summaries(
    storage: str | BaseStorage, include_best_trial: bool = True
) -> list[StudySummary]:
    """A :class:`StudySummary` for every study in ``storage``."""
    storage_obj = get_storage(storage)
    summaries = []
    for frozen in storage_obj.get_all_studies():
        summaries.append(_summarise(storage_obj, frozen, include_best_trial))
    return summaries


def _summarise(storage: BaseStorage, frozen: FrozenStudy, include_best_trial: bool) -> StudySummary:
    study_id = frozen._study_id
    trials = storage.get_all_trials(study_id, deepcopy=False)
    best = None
    if include_best_trial and len(frozen.directions) == 1:
        try:
            best = storage.get_best_trial(study_id)
        except ValueError:
            best = None
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    return StudySummary(
        study_name=frozen.study_name,
        direction=None,
        directions=frozen.directions,
        best_trial=best,
        user_attrs=frozen.user_attrs,
        system_attrs=frozen.system_attrs,
        n_trials=len(trials),
        datetime_start=min(starts) if starts else None,
        study_id=study_id,
    )


def get_all_study_names(storage: str | BaseStorage) -> list[str]:
    """The names of every study in ``storage``."""
    return [frozen.study_name for frozen in get_storage(storage).get_all_studies()]
