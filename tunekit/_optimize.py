"""The run loop behind :meth:`Study.optimize`, and :func:`_tell`, which finishes a trial.

A trial's life: ``study.ask()`` creates it RUNNING in the storage (or claims an enqueued one), the
objective runs and suggests parameters (each written at once), then ``_tell`` stores the result.
Failures are data: an exception marks the trial FAIL with the reason in
``system_attrs["fail_reason"]``; NaN, None, a string or the wrong number of values from the
objective does too, with a warning.
"""

from __future__ import annotations

import gc
import math
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from tunekit import logging
from tunekit.exceptions import TrialPruned, UpdateFinishedTrialError
from tunekit.samplers.base import SKIP_TRIAL_KEY
from tunekit.trial import FrozenTrial, Trial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

_logger = logging.get_logger(__name__)

_FAIL_REASON_KEY = "fail_reason"


# ------------------------------------------------------------------------- argument checks


def _check_catch(catch: Any) -> tuple[type[BaseException], ...]:
    if isinstance(catch, type):
        catch = (catch,)
    if isinstance(catch, str):
        raise TypeError(
            f"optimize(): `catch` must be an exception class or a tuple of them, got {catch!r}."
        )
    try:
        catch = tuple(catch)
    except TypeError:
        raise TypeError(
            f"optimize(): `catch` must be an exception class or a tuple of them, got {catch!r}."
        ) from None
    for cls in catch:
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise TypeError(
                f"optimize(): `catch` must hold exception classes, got {cls!r} in {catch!r}."
            )
    return catch


def _check_arguments(n_trials: Any, timeout: Any, n_jobs: Any) -> int:
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0
    ):
        raise ValueError(f"optimize(): `n_trials` must be None or an int >= 0, got {n_trials!r}.")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"optimize(): `timeout` must be None or > 0 seconds, got {timeout!r}.")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"optimize(): `n_jobs` must be -1 or an int >= 1, got {n_jobs!r}.")
    if n_jobs == -1:
        import os

        n_jobs = os.cpu_count() or 1
    return n_jobs


# ---------------------------------------------------------------------------- the run loop


class _Budget:
    """Hands out permission to start trials: n_trials, the timeout and stop(), thread-safe."""

    def __init__(self, study: Study, n_trials: int | None, timeout: float | None) -> None:
        self._study = study
        self._n_trials = n_trials
        self._timeout = timeout
        self._started = 0
        self._time_start = time.monotonic()
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        return time.monotonic() - self._time_start

    def take(self) -> bool:
        with self._lock:
            if self._study._stop_flag:
                return False
            if self._n_trials is not None and self._started >= self._n_trials:
                return False
            if self._timeout is not None and self.elapsed() >= self._timeout:
                return False
            is_exhausted = getattr(self._study.sampler, "_is_exhausted", None)
            if is_exhausted is not None and is_exhausted(self._study):
                return False
            self._started += 1
            return True


class _ProgressBar:
    def __init__(self, enabled: bool, n_trials: int | None, timeout: float | None) -> None:
        self._bar = None
        self._timeout = timeout if n_trials is None else None
        self._lock = threading.Lock()
        if not enabled:
            return
        if n_trials is None and timeout is None:
            warnings.warn(
                "show_progress_bar=True needs n_trials or timeout; no bar is shown.",
                UserWarning,
                stacklevel=4,
            )
            return
        from tqdm.auto import tqdm

        if self._timeout is not None:
            fmt = "{desc} {percentage:3.0f}%|{bar}| {elapsed}/{remaining}"
            self._bar = tqdm(total=self._timeout, bar_format=fmt)
        else:
            self._bar = tqdm(total=n_trials)

    def update(self, study: Study, elapsed: float) -> None:
        if self._bar is None:
            return
        with self._lock:
            if self._timeout is not None:
                self._bar.update(min(elapsed, self._timeout) - self._bar.n)
            else:
                self._bar.update(1)
            if not study._is_multi_objective():
                try:
                    best = study.best_trial
                except ValueError:
                    return
                self._bar.set_description(
                    f"Best trial: {best.number}. Best value: {best.value:.6g}"
                )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _optimize(
    study: Study,
    func: Callable[[Trial], Any],
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: Iterable[type[Exception]] | type[Exception],
    callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None,
    gc_after_trial: bool,
    show_progress_bar: bool,
    processes: bool = False,
) -> None:
    if not callable(func):
        raise TypeError(f"optimize(): `func` must be callable, got {func!r}.")
    catch_classes = _check_catch(catch)
    n_jobs = _check_arguments(n_trials, timeout, n_jobs)
    callback_list = list(callbacks or [])
    if processes:
        from tunekit._processes import _check_shareable

        _check_shareable(study)  # before anything else happens
    if getattr(study._thread_local, "in_optimize_loop", False):
        raise RuntimeError(
            "Nested optimization is not allowed: optimize() is already running in this thread "
            "(called from an objective or a callback)."
        )
    with study._optimize_lock:
        study._n_optimize_running += 1
        if study._n_optimize_running == 1:
            study._stop_flag = False  # a stop() of an earlier run does not carry over
    study._thread_local.in_optimize_loop = True
    progress = None
    try:
        progress = _ProgressBar(show_progress_bar, n_trials, timeout)
        budget = _Budget(study, n_trials, timeout)

        # How many workers are inside work(): after a Ctrl-C the main thread waits for them.
        n_working = 0
        working_changed = threading.Condition()

        def work() -> None:
            nonlocal n_working
            with working_changed:
                n_working += 1
            try:
                study._thread_local.in_optimize_loop = True  # also in n_jobs worker threads
                while budget.take():
                    frozen = _run_trial(study, func, catch_classes)
                    if frozen is None:
                        return
                    for callback in callback_list:
                        callback(study, frozen)
                    progress.update(study, budget.elapsed())
                    if gc_after_trial:
                        gc.collect()
            finally:
                with working_changed:
                    n_working -= 1
                    working_changed.notify_all()

        if processes:
            from tunekit._processes import _optimize_in_processes

            _optimize_in_processes(
                study, func, n_trials, timeout, n_jobs, catch_classes, callback_list, gc_after_trial
            )
        elif n_jobs == 1:
            work()
        else:
            with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                try:
                    futures = [pool.submit(work) for _ in range(n_jobs)]
                    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                except BaseException:
                    # Ctrl-C in the main thread: the workers finish their running trials and
                    # start no new one. Wait for them here, not only in the pool's shutdown: a
                    # Ctrl-C inside submit() can leave a started thread the pool does not join.
                    study._stop_flag = True
                    with working_changed:
                        working_changed.wait_for(lambda: n_working == 0)
                    raise
                if any(f.exception() is not None for f in done):
                    # Let the other threads finish their current trial, then re-raise.
                    study._stop_flag = True
                for future in futures:
                    future.result()
    finally:
        if progress is not None:
            progress.close()
        study._thread_local.in_optimize_loop = False
        with study._optimize_lock:
            study._n_optimize_running -= 1
        study._storage.remove_session()


def _run_trial(
    study: Study, func: Callable[[Trial], Any], catch: tuple[type[BaseException], ...]
) -> FrozenTrial | None:
    """Ask, run the objective, tell; None if the study was stopped before a trial started."""
    with study._ask_lock:
        if study._stop_flag:
            return None
        trial = study.ask()
    skip_reason = trial._cached_frozen_trial.system_attrs.get(SKIP_TRIAL_KEY)
    if skip_reason is not None:
        # The sampler has nothing left for this trial (an exhausted grid raced by another
        # worker): record why, do not run the objective.
        _tell(
            study, trial, None, TrialState.FAIL, False, from_objective=True, fail_reason=skip_reason
        )
        return None

    with _heartbeat(study, trial):
        try:
            value_or_values = func(trial)
            error: BaseException | None = None
        except TrialPruned as pruned:
            value_or_values, error = None, pruned
        except BaseException as exc:  # noqa: BLE001 - every failure is recorded, then re-raised
            value_or_values, error = None, exc
            exc_info = sys.exc_info()

        if error is not None and not isinstance(error, TrialPruned):
            reason = "".join(traceback.format_exception_only(type(error), error)).strip()
            _logger.warning(
                f"Trial {trial.number} failed with parameters: {trial.params} because of the "
                f"following error: {reason}",
                exc_info=exc_info,
            )
        try:
            if isinstance(error, TrialPruned):
                frozen = _tell(study, trial, None, TrialState.PRUNED, False, from_objective=True)
            elif error is not None:
                frozen = _tell(
                    study,
                    trial,
                    None,
                    TrialState.FAIL,
                    False,
                    from_objective=True,
                    fail_reason=reason,
                )
            else:
                frozen = _tell(study, trial, value_or_values, None, False, from_objective=True)
        except UpdateFinishedTrialError:
            # Another worker saw this trial's heartbeats stop and finished it (FAIL) first; that
            # record stands and this late result is not written over it.
            _logger.warning(
                f"Trial {trial.number} was already marked finished by another worker (its "
                f"heartbeat stopped); its result here is not stored."
            )
            frozen = study._storage.get_trial(trial._trial_id)

    if error is not None and not isinstance(error, TrialPruned) and not isinstance(error, catch):
        raise error
    return frozen


class _heartbeat:
    """Beats for a running trial while the objective runs (only on storages with heartbeats)."""

    def __init__(self, study: Study, trial: Trial) -> None:
        self._storage = study._storage
        self._trial_id = trial._trial_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _heartbeat:
        if self._storage.is_heartbeat_enabled():
            interval = self._storage.get_heartbeat_interval()  # type: ignore[attr-defined]
            self._storage.record_heartbeat(self._trial_id)  # type: ignore[attr-defined]

            def beat() -> None:
                while not self._stop.wait(interval):
                    self._storage.record_heartbeat(self._trial_id)  # type: ignore[attr-defined]

            self._thread = threading.Thread(target=beat, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()


def _fail_stale_trials(study: Study) -> None:
    """Mark FAIL the RUNNING trials whose worker stopped beating (storages with heartbeats)."""
    storage = study._storage
    if not storage.is_heartbeat_enabled():
        return
    callback = storage.get_heartbeat_stale_trial_callback()  # type: ignore[attr-defined]
    for trial_id in storage._get_stale_trial_ids(study._study_id):  # type: ignore[attr-defined]
        try:
            storage.set_trial_system_attr(
                trial_id, _FAIL_REASON_KEY, "The worker stopped sending heartbeats."
            )
            if not storage.set_trial_state_values(trial_id, TrialState.FAIL):
                continue
        except UpdateFinishedTrialError:
            continue  # another worker failed it first
        if callback is not None:
            callback(study, storage.get_trial(trial_id))


# ------------------------------------------------------------------------------ telling


def _values_failure(values: Any, n_objectives: int) -> tuple[list[float] | None, str | None]:
    """Convert an objective's result to floats, or say why it cannot be a result."""
    if isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        raw = list(values)
    else:
        raw = [values]
    if len(raw) != n_objectives:
        return None, (
            f"The number of the values {len(raw)} did not match the number of the objectives "
            f"{n_objectives}."
        )
    converted = []
    for value in raw:
        if value is None or isinstance(value, (str, bytes)):
            return None, f"The value {value!r} could not be cast to float."
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None, f"The value {value!r} could not be cast to float."
        if math.isnan(number):
            return None, f"The objective function returned {value!r}."
        converted.append(number)
    return converted, None


def _trial_id_of(study: Study, trial: Trial | int) -> int:
    if isinstance(trial, Trial):
        if trial.study._study_id != study._study_id or trial.study._storage is not study._storage:
            raise ValueError(f"tell(): trial {trial.number} belongs to another study.")
        return trial._trial_id
    if isinstance(trial, int) and not isinstance(trial, bool):
        try:
            return study._storage.get_trial_id_from_study_id_trial_number(study._study_id, trial)
        except KeyError:
            raise ValueError(
                f"tell(): no trial with number {trial} exists in study {study.study_name!r}."
            ) from None
    raise TypeError(f"tell(): `trial` must be a Trial or a trial number, got {trial!r}.")


class _TellFinishedTrialError(UpdateFinishedTrialError, ValueError):
    """``tell`` on a finished trial: Optuna raises ValueError there, so scripts catch that."""


def _tell(
    study: Study,
    trial: Trial | int,
    values: Any,
    state: TrialState | None,
    skip_if_finished: bool,
    *,
    from_objective: bool,
    fail_reason: str | None = None,
) -> FrozenTrial:
    storage = study._storage
    trial_id = _trial_id_of(study, trial)
    frozen = storage.get_trial(trial_id)
    number = frozen.number

    if frozen.state.is_finished():
        if skip_if_finished:
            _logger.info(
                f"Skipped telling trial {number}: it already finished ({frozen.state.name})."
            )
            return frozen
        raise _TellFinishedTrialError(
            f"Cannot tell trial {number}: it already finished with state {frozen.state.name}."
        )
    if frozen.state == TrialState.WAITING:
        raise ValueError(f"Cannot tell trial {number}: it is WAITING and has not been asked yet.")
    if state is not None and state not in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
        raise ValueError(f"tell(): `state` must be COMPLETE, PRUNED, FAIL or None, got {state!r}.")
    if state in (TrialState.PRUNED, TrialState.FAIL) and values is not None:
        raise ValueError(
            f"tell(): values cannot be given with state={state.name} (got values={values!r})."
        )
    if state == TrialState.COMPLETE and values is None:
        raise ValueError("tell(): values are required when state is COMPLETE.")

    n_objectives = len(study.directions)
    value_list: list[float] | None = None
    if state in (None, TrialState.COMPLETE):
        if values is None:
            fail_reason = (
                "The objective function returned None."
                if from_objective
                else "No value was told (tell() without values or state)."
            )
        else:
            value_list, fail_reason = _values_failure(values, n_objectives)
            if (
                fail_reason is not None
                and not from_objective
                and fail_reason.startswith("The number of the values")
            ):
                # A caller of tell() gets an error at the call, with nothing written.
                raise ValueError(f"tell(): {fail_reason}")
        if fail_reason is not None:
            # As in Optuna: a caller of tell() gets a warning, optimize() logs it (a warning
            # would abort a run under `-W error` and ignore tunekit.logging's verbosity).
            if from_objective:
                _logger.warning(f"Trial {number} failed: {fail_reason}")
            else:
                warnings.warn(f"Trial {number} failed: {fail_reason}", UserWarning, stacklevel=3)
            state = TrialState.FAIL
        else:
            state = TrialState.COMPLETE
    elif state == TrialState.PRUNED:
        last_step = frozen.last_step
        if last_step is not None and not math.isnan(frozen.intermediate_values[last_step]):
            value_list = [frozen.intermediate_values[last_step]]

    if state == TrialState.FAIL and fail_reason is not None:
        storage.set_trial_system_attr(trial_id, _FAIL_REASON_KEY, fail_reason)
        frozen.system_attrs[_FAIL_REASON_KEY] = fail_reason
    study.sampler.after_trial(study, frozen, state, value_list)
    storage.set_trial_state_values(trial_id, state, value_list)
    finished = storage.get_trial(trial_id)
    _log_finished_trial(study, finished)
    return finished


def _log_finished_trial(study: Study, trial: FrozenTrial) -> None:
    # Formatting the line reads the best trial: skip it all when nobody listens.
    if not _logger.isEnabledFor(logging.INFO):
        return
    if trial.state == TrialState.PRUNED:
        _logger.info(f"Trial {trial.number} pruned.")
        return
    if trial.state != TrialState.COMPLETE:
        return
    if study._is_multi_objective():
        _logger.info(
            f"Trial {trial.number} finished with values: {trial.values} and parameters: "
            f"{trial.params}."
        )
        return
    try:
        best = study.best_trial
        best_text = f" Best is trial {best.number} with value: {best.value}."
    except ValueError:
        best_text = ""
    _logger.info(
        f"Trial {trial.number} finished with value: {trial.value} and parameters: "
        f"{trial.params}.{best_text}"
    )
