"""``study.optimize(..., n_jobs=k, processes=True)``: k worker processes on one database.

Threads (``n_jobs`` alone, as in Optuna) share one interpreter and its GIL; processes do not, at
the price of needing a storage that several processes can share (an RDB URL). The workers are
forked, so the objective may be a closure or a lambda (nothing is pickled); each child drops the
database connections it inherited and reseeds its sampler so the workers do not repeat each
other. ``n_trials`` and ``timeout`` bound the whole group, not each worker.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from tunekit.storages.memory import InMemoryStorage

if TYPE_CHECKING:
    from tunekit.study import Study
    from tunekit.trial import FrozenTrial, Trial


def _check_shareable(study: Study) -> None:
    if isinstance(study._storage, InMemoryStorage):
        raise ValueError(
            "optimize(processes=True) needs a storage that several processes share, such as "
            "storage='sqlite:///study.db' or a PostgreSQL/MySQL URL; an in-memory storage lives "
            "in one process (use n_jobs threads without processes=True instead)."
        )


def _optimize_in_processes(
    study: Study,
    func: Callable[[Trial], Any],
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: tuple[type[BaseException], ...],
    callbacks: Iterable[Callable[[Study, FrozenTrial], None]],
    gc_after_trial: bool,
) -> None:
    _check_shareable(study)
    if "fork" not in multiprocessing.get_all_start_methods():
        raise RuntimeError("optimize(processes=True) needs the 'fork' start method (Linux, macOS).")
    context = multiprocessing.get_context("fork")
    remaining = context.Value("q", -1 if n_trials is None else n_trials)
    stop = context.Event()
    errors = context.SimpleQueue()
    deadline = None if timeout is None else time.time() + timeout
    workers = [
        context.Process(
            target=_worker,
            args=(
                study,
                func,
                remaining,
                stop,
                deadline,
                catch,
                list(callbacks),
                gc_after_trial,
                errors,
            ),
            daemon=True,
        )
        for _ in range(n_jobs)
    ]
    # Connections must not cross the fork: the children open their own.
    study._storage.remove_session()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    if failures:
        raise RuntimeError("A worker process failed:\n" + failures[0])
    crashed = [w.exitcode for w in workers if w.exitcode != 0]
    if crashed:
        raise RuntimeError(f"{len(crashed)} worker process(es) died (exit codes {crashed}).")


def _take_trial(study: Study, remaining: Any, stop: Any, deadline: float | None) -> bool:
    if stop.is_set() or (deadline is not None and time.time() >= deadline):
        return False
    is_exhausted = getattr(study.sampler, "_is_exhausted", None)
    if is_exhausted is not None and is_exhausted(study):
        return False
    with remaining.get_lock():
        if remaining.value == 0:
            return False
        if remaining.value > 0:
            remaining.value -= 1
    return True


def _worker(
    study: Study,
    func: Callable[[Trial], Any],
    remaining: Any,
    stop: Any,
    deadline: float | None,
    catch: tuple[type[BaseException], ...],
    callbacks: list[Callable[[Study, FrozenTrial], None]],
    gc_after_trial: bool,
    errors: Any,
) -> None:
    import gc

    from tunekit._optimize import _run_trial

    after_fork = getattr(study._storage, "_after_fork", None)
    if after_fork is not None:
        after_fork()
    study.sampler.reseed_rng()
    try:
        while _take_trial(study, remaining, stop, deadline):
            frozen = _run_trial(study, func, catch)
            if frozen is None:
                break
            for callback in callbacks:
                callback(study, frozen)
            if study._stop_flag:
                break
            if gc_after_trial:
                gc.collect()
    except BaseException:  # noqa: BLE001 - reported to the parent, which re-raises
        errors.put(traceback.format_exc())
        stop.set()
        raise SystemExit(1) from None
    finally:
        if study._stop_flag:
            stop.set()
        study._storage.remove_session()
