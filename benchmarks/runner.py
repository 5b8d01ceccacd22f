"""Run every (problem, sampler, seed) triple and append one JSON line per finished run.

The results file is the checkpoint: a run is written (and fsync'ed) as soon as it finishes, and
a restarted command skips every (problem, sampler, seed, budget) already in the file, so a
crashed or interrupted benchmark resumes where it stopped.  A half-written last line (a crash
mid-write) is ignored on reading and that run is redone.

Each run is single-threaded (BLAS, OpenMP and torch limited to one thread) so that runs in
parallel worker processes do not compete for cores and timings stay comparable.

Record fields (one JSON object per line)
----------------------------------------
``schema``, ``problem``, ``problem_kind``, ``f_star``, ``sampler``, ``framework``, ``seed``,
``budget``, ``n_evaluations``, ``n_failed``, ``values`` (objective values in evaluation order,
``null`` for a failed evaluation), ``best_regret`` (best-so-far simple regret after each
evaluation, unfloored; ``null`` before the first success), ``wall_time_s``,
``objective_time_s``, ``overhead_s`` (wall time minus time inside the objective),
``overhead_per_trial_s``, ``finished_at`` (UTC, ISO 8601), ``commit``, ``commit_dirty``,
``versions`` and ``host``.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import multiprocessing
import os
import platform
import subprocess
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from benchmarks.adapters import get_adapter
from benchmarks.problems import get_problem

__all__ = [
    "DEFAULT_PROBLEMS",
    "DEFAULT_SAMPLERS",
    "RESULT_SCHEMA",
    "RunKey",
    "environment_info",
    "make_record",
    "read_records",
    "run_benchmarks",
]

RESULT_SCHEMA = 1
DEFAULT_PROBLEMS = (
    "branin",
    "camelback",
    "goldstein_price",
    "hartmann3",
    "hartmann6",
    "rosenbrock5",
)
DEFAULT_SAMPLERS = (
    "tunekit-random",
    "tunekit-tpe",
    "tunekit-gp",
    "optuna-random",
    "optuna-tpe",
    "optuna-gp",
    "hyperopt-tpe",
)
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
_DISTRIBUTIONS = (
    "tunekit",
    "optuna",
    "hyperopt",
    "scikit-optimize",
    "numpy",
    "scipy",
    "scikit-learn",
    "torch",
)
_REPOSITORY_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, order=True)
class RunKey:
    """Identifies one run; the results file holds at most one record per key."""

    problem: str
    sampler: str
    seed: int
    budget: int

    @classmethod
    def of(cls, record: dict[str, Any]) -> RunKey:
        """The key of a result record."""
        return cls(record["problem"], record["sampler"], int(record["seed"]), int(record["budget"]))


# --------------------------------------------------------------------------- environment


def _git(*arguments: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=_REPOSITORY_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def environment_info() -> dict[str, Any]:
    """Commit, installed versions and host, recorded with every result."""
    versions = {"python": platform.python_version()}
    for distribution in _DISTRIBUTIONS:
        try:
            versions[distribution] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    commit = _git("rev-parse", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit or "unknown",
        "commit_dirty": bool(dirty) if dirty is not None else None,
        "versions": versions,
        "host": {
            "machine": platform.machine(),
            "system": platform.system(),
            "cpu_count": os.cpu_count(),
        },
    }


# --------------------------------------------------------------------------- records


def _json_number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def make_record(
    problem_name: str,
    sampler_name: str,
    seed: int,
    budget: int,
    values: Sequence[float],
    wall_seconds: float,
    objective_seconds: float,
) -> dict[str, Any]:
    """Build the result record of one run (without the environment fields).

    Example
    -------
    >>> record = make_record("branin", "tunekit-random", 0, 3, [5.0, 1.0, 2.0], 0.5, 0.25)
    >>> [round(r, 3) for r in record["best_regret"]]
    [4.602, 0.602, 0.602]
    """
    problem = get_problem(problem_name)
    adapter = get_adapter(sampler_name)
    value_array = np.asarray(values, dtype=np.float64)
    failed = ~np.isfinite(value_array)
    regrets = np.where(failed, np.nan, value_array - problem.f_star)
    # fmin ignores NaN, so failures never improve the best-so-far curve.
    best_regret = np.fmin.accumulate(regrets) if len(regrets) else regrets
    overhead = max(wall_seconds - objective_seconds, 0.0)
    n_evaluations = len(value_array)
    return {
        "schema": RESULT_SCHEMA,
        "problem": problem_name,
        "problem_kind": problem.kind,
        "f_star": problem.f_star,
        "sampler": sampler_name,
        "framework": adapter.framework,
        "seed": int(seed),
        "budget": int(budget),
        "n_evaluations": n_evaluations,
        "n_failed": int(failed.sum()),
        "values": [_json_number(value) for value in value_array],
        "best_regret": [_json_number(value) for value in best_regret],
        "wall_time_s": wall_seconds,
        "objective_time_s": objective_seconds,
        "overhead_s": overhead,
        "overhead_per_trial_s": overhead / max(n_evaluations, 1),
        "finished_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every valid record in a results file (missing file: none).

    Lines that are not complete JSON objects (a crash mid-write) are skipped with a warning
    on stderr.
    """
    path = Path(path)
    if not path.exists():
        return []
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                RunKey.of(record)
            except (ValueError, KeyError, TypeError):
                print(f"{path}:{number}: skipping an unreadable line", file=sys.stderr)
                continue
            records.append(record)
    return records


def _append(stream: TextIO, record: dict[str, Any]) -> None:
    stream.write(json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n")
    stream.flush()
    os.fsync(stream.fileno())


def _open_for_append(path: Path) -> TextIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A crash mid-write can leave a last line without its newline: end it before appending.
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            needs_newline = existing.read(1) != b"\n"
        if needs_newline:
            with path.open("a", encoding="utf-8") as stream:
                stream.write("\n")
    return path.open("a", encoding="utf-8")


# --------------------------------------------------------------------------- single-thread runs


@contextlib.contextmanager
def _single_threaded() -> Iterator[None]:
    """Limit BLAS/OpenMP pools and torch to one thread, restoring them afterwards."""
    saved_environment = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: "1" for name in THREAD_VARIABLES})
    torch = sys.modules.get("torch")
    saved_torch_threads = torch.get_num_threads() if torch is not None else None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limits: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    else:
        limits = threadpool_limits(limits=1)
    try:
        with limits:
            yield
    finally:
        for name, value in saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        torch = sys.modules.get("torch")
        if torch is not None and saved_torch_threads is not None:
            torch.set_num_threads(saved_torch_threads)


# Samplers already warmed up in this process (see _warm_up).
_WARMED_UP: set[str] = set()
WARM_UP_PROBLEM = "branin"
WARM_UP_BUDGET = 12


def _warm_up(sampler: str) -> None:
    """Run ``sampler`` once on a short Branin run, untimed, the first time a process uses it.

    The first run in a process pays for lazy imports (torch for the GP samplers) and caches;
    without this, the first seed that each worker runs would carry that cost as overhead.
    """
    if sampler in _WARMED_UP:
        return
    get_adapter(sampler).run(get_problem(WARM_UP_PROBLEM), seed=0, budget=WARM_UP_BUDGET)
    _WARMED_UP.add(sampler)


def _run_one(key: RunKey) -> tuple[RunKey, dict[str, Any] | None, str | None]:
    """Run one triple; returns (key, record, None) or (key, None, error text)."""
    try:
        with _single_threaded():
            _warm_up(key.sampler)
            result = get_adapter(key.sampler).run(get_problem(key.problem), key.seed, key.budget)
        record = make_record(
            key.problem,
            key.sampler,
            key.seed,
            key.budget,
            result.values,
            result.wall_seconds,
            result.objective_seconds,
        )
    except Exception:  # noqa: BLE001 -- reported by the parent; the other runs go on
        return key, None, traceback.format_exc()
    return key, record, None


def _worker_initializer() -> None:
    # Spawned workers inherit THREAD_VARIABLES from the parent (torch reads them too); this
    # also limits pools that were sized before the variables were read.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)


# --------------------------------------------------------------------------- the run


@dataclass
class RunSummary:
    """What :func:`run_benchmarks` did."""

    completed: int = 0
    already_done: int = 0
    skipped: int = 0
    errors: int = 0


def _plan(
    problems: Sequence[str],
    samplers: Sequence[str],
    seeds: Iterable[int],
    budget: int,
    say: Any,
) -> tuple[list[RunKey], int]:
    """Every runnable key, and the number of (problem, sampler) pairs skipped."""
    runnable_samplers = []
    for sampler in samplers:
        reason = get_adapter(sampler).unavailable_reason()
        if reason is None:
            runnable_samplers.append(sampler)
        else:
            say(f"skipping sampler {sampler}: {reason}")
    seed_list = list(seeds)
    keys = []
    skipped = 0
    for problem_name in problems:
        problem = get_problem(problem_name)
        for sampler in runnable_samplers:
            reason = get_adapter(sampler).unsupported_reason(problem)
            if reason is not None:
                say(f"skipping {sampler} on {problem_name}: {reason}")
                skipped += 1
                continue
            keys.extend(RunKey(problem_name, sampler, seed, budget) for seed in seed_list)
    return keys, skipped


def run_benchmarks(
    problems: Sequence[str],
    samplers: Sequence[str],
    seeds: Iterable[int],
    budget: int,
    out: str | os.PathLike[str],
    workers: int = 1,
    progress: bool = True,
) -> RunSummary:
    """Run every (problem, sampler, seed) triple not yet in ``out`` and append its record.

    Parameters
    ----------
    problems
        Problem names (see ``benchmarks.problems.PROBLEMS``).
    samplers
        Sampler names (see ``benchmarks.adapters.ADAPTERS``); missing optimisers are skipped
        with a message.
    seeds
        Seeds; every sampler gets the same ones.
    budget
        Evaluations per run.
    out
        The JSON-lines results file (created if missing, appended to otherwise).
    workers
        Parallel worker processes; 1 runs everything in this process.
    progress
        Show a tqdm progress bar.

    Returns
    -------
    RunSummary
        Counts of runs completed, already in the file, skipped and failed.

    Example
    -------
    >>> summary = run_benchmarks(["branin"], ["tunekit-random"], [0], 5, "/tmp/doc.jsonl",
    ...                          progress=False)  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    if not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget must be a positive integer, got {budget!r}")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    for problem_name in problems:
        get_problem(problem_name)  # unknown names fail here, before anything runs
    for sampler in samplers:
        get_adapter(sampler)

    def say(message: str) -> None:
        tqdm.write(message, file=sys.stderr)

    summary = RunSummary()
    out_path = Path(out)
    keys, summary.skipped = _plan(problems, samplers, seeds, budget, say)
    done = {RunKey.of(record) for record in read_records(out_path)}
    # Seed-major order: an interrupted benchmark still holds complete, paired seeds.
    pending = sorted((key for key in keys if key not in done), key=lambda k: k.seed)
    summary.already_done = len(keys) - len(pending)
    if summary.already_done:
        say(f"{summary.already_done} runs already in {out_path}: skipping them")
    if not pending:
        return summary

    environment = environment_info()
    with (
        _open_for_append(out_path) as stream,
        tqdm(total=len(pending), unit="run", disable=not progress, desc="benchmarks") as bar,
    ):

        def finish(key: RunKey, record: dict[str, Any] | None, error: str | None) -> None:
            if record is None:
                summary.errors += 1
                say(f"error in {key.sampler} on {key.problem}, seed {key.seed}:\n{error}")
            else:
                _append(stream, {**record, **environment})
                summary.completed += 1
            bar.set_postfix_str(f"{key.problem} {key.sampler} seed {key.seed}", refresh=False)
            bar.update()

        if workers == 1:
            for key in pending:
                finish(*_run_one(key))
        else:
            saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
            os.environ.update({name: "1" for name in THREAD_VARIABLES})  # inherited by workers
            context = multiprocessing.get_context("spawn")  # no fork after torch/BLAS threads
            try:
                with context.Pool(workers, initializer=_worker_initializer) as pool:
                    for outcome in pool.imap_unordered(_run_one, pending):
                        finish(*outcome)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
    return summary
