"""Load test of the database storages: k worker processes run one study through one URL.

For each backend (SQLite file, PostgreSQL) and each k in ``--workers``, starting from an empty
database, k fresh processes run ``--total`` trials together of a trivial 5-parameter objective
with the random sampler (`--sampler tpe`: each library's TPESampler). Reports trials/s, p50/p99 milliseconds per trial, and checks that every
trial is COMPLETE and the numbers are 0..N-1 without gaps. When Optuna is installed, its
RDBStorage runs the same load on the same database (its study created before its workers
start: Optuna's workers fail when they race to create the schema), and the ratio is printed.

Usage::

    export TUNEKIT_TEST_POSTGRES_URL=$(storage/postgres.sh start)
    python benchmarks/storage_load.py --workers 1 2 4 8 --total 400
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STUDY = "load"


def _objective(trial) -> float:
    return sum(trial.suggest_float(f"x{i}", -5.0, 5.0) ** 2 for i in range(5))


def _worker(
    library: str, url: str, n_trials: int, seed: int, start, queue, sampler_name: str = "random"
) -> None:
    """Run n_trials in a fresh process; report (start, end, per-trial ms, error)."""
    try:
        if library == "tunekit":
            import tunekit as lib

            lib.logging.set_verbosity(lib.logging.WARNING)
        else:
            import optuna as lib

            lib.logging.set_verbosity(lib.logging.WARNING)
        stamps: list[float] = []
        start.wait()
        began = time.perf_counter()
        wall_began = time.time()
        # Each library's own defaults: tunekit's TPE is multivariate, Optuna's is not.
        sampler_class = {"random": "RandomSampler", "tpe": "TPESampler"}[sampler_name]
        sampler = getattr(lib.samplers, sampler_class)(seed=seed)
        if library == "tunekit":
            # Fresh processes on an empty database race to create the schema and the study.
            study = lib.create_study(
                storage=url, study_name=STUDY, sampler=sampler, load_if_exists=True
            )
        else:
            study = lib.load_study(storage=url, study_name=STUDY, sampler=sampler)
        stamps.append(time.perf_counter())
        study.optimize(
            _objective,
            n_trials=n_trials,
            callbacks=[lambda _study, _trial: stamps.append(time.perf_counter())],
        )
        per_trial = [1000 * (b - a) for a, b in zip(stamps, stamps[1:], strict=False)]
        queue.put((wall_began, wall_began + time.perf_counter() - began, per_trial, None))
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        queue.put((0.0, 0.0, [], repr(error)))


def _empty_database(url: str) -> None:
    """Drop tunekit's and Optuna's tables (and nothing else) so each run starts empty."""
    import sqlalchemy as sa

    from tunekit.storages.rdb import models

    names = set(models.metadata.tables)
    try:
        from optuna.storages._rdb import models as optuna_models

        names |= set(optuna_models.BaseModel.metadata.tables) | {"alembic_version"}
    except ImportError:
        pass
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine, only=lambda name, _meta: name in names)
    metadata.drop_all(engine)
    engine.dispose()


def _check(library: str, url: str, expected: int) -> str:
    if library == "tunekit":
        import tunekit as lib
    else:
        import optuna as lib
    trials = lib.load_study(study_name=STUDY, storage=url).trials
    problems = []
    if len(trials) != expected:
        problems.append(f"{len(trials)} trials, expected {expected}")
    if sorted(t.number for t in trials) != list(range(len(trials))):
        problems.append("numbers not 0..N-1")
    not_complete = sum(1 for t in trials if t.state.name != "COMPLETE")
    if not_complete:
        problems.append(f"{not_complete} not COMPLETE")
    return "ok" if not problems else "; ".join(problems)


def run(
    library: str, url: str, k: int, total: int, sampler_name: str = "random"
) -> dict[str, object]:
    _empty_database(url)
    if library == "optuna":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        optuna.create_study(storage=url, study_name=STUDY)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    queue = context.Queue()
    share = [total // k + (1 if i < total % k else 0) for i in range(k)]
    processes = [
        context.Process(
            target=_worker, args=(library, url, share[i], i, start, queue, sampler_name)
        )
        for i in range(k)
    ]
    for process in processes:
        process.start()
    time.sleep(3.0 + 0.5 * k)  # let every process finish its imports before the clock starts
    start.set()
    reports = [queue.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    errors = [error for *_, error in reports if error is not None]
    began = min(r[0] for r in reports if r[3] is None) if len(errors) < k else 0.0
    ended = max(r[1] for r in reports if r[3] is None) if len(errors) < k else 0.0
    per_trial = sorted(ms for r in reports for ms in r[2])
    check = _check(library, url, total) if not errors else f"errors: {errors[:2]}"
    return {
        "library": library,
        "k": k,
        "trials": total,
        "trials_per_s": total / (ended - began) if ended > began else float("nan"),
        "p50_ms": statistics.median(per_trial) if per_trial else float("nan"),
        "p99_ms": per_trial[min(len(per_trial) - 1, int(0.99 * len(per_trial)))]
        if per_trial
        else float("nan"),
        "check": check,
    }


def long_study(url: str, n_trials: int) -> None:
    """One process, one long study: is the cost of a trial flat in the study's length?"""
    import tunekit

    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    _empty_database(url)
    study = tunekit.create_study(storage=url, sampler=tunekit.samplers.RandomSampler(seed=0))
    stamps = [time.perf_counter()]
    study.optimize(
        _objective,
        n_trials=n_trials,
        callbacks=[lambda _study, _trial: stamps.append(time.perf_counter())],
    )
    per_trial = [1000 * (b - a) for a, b in zip(stamps, stamps[1:], strict=False)]
    early = statistics.median(per_trial[100:200])
    late = statistics.median(per_trial[-100:])
    print(
        f"long study on {url.split(':')[0]}: median ms per trial at trials 100-199 {early:.1f}, "
        f"at trials {n_trials - 100}-{n_trials - 1} {late:.1f} (ratio {late / early:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--total", type=int, default=400, help="trials per run (all workers)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=os.environ.get("TUNEKIT_TEST_POSTGRES_URL"))
    parser.add_argument("--no-optuna", action="store_true", help="skip Optuna's RDBStorage")
    parser.add_argument("--sampler", choices=["random", "tpe"], default="random")
    parser.add_argument(
        "--long", type=int, default=0, help="instead: one process, one study of this many trials"
    )
    args = parser.parse_args()
    if args.long:
        for backend in args.backends:
            if backend == "sqlite":
                url = f"sqlite:///{tempfile.mkdtemp(prefix='tunekit-long-')}/long.db"
            elif args.postgres_url:
                url = args.postgres_url
            else:
                continue
            long_study(url, args.long)
        return

    libraries = ["tunekit"]
    if not args.no_optuna:
        try:
            import optuna  # noqa: F401

            libraries.append("optuna")
        except ImportError:
            print("optuna is not installed: tunekit only (pip install 'tunekit[bench]').")

    tmp = tempfile.mkdtemp(prefix="tunekit-load-")
    rows = []
    for backend in args.backends:
        if backend == "postgresql" and not args.postgres_url:
            print("postgresql: no URL (--postgres-url or TUNEKIT_TEST_POSTGRES_URL); skipped.")
            continue
        for k in args.workers:
            for library in libraries:
                if backend == "sqlite":
                    url = f"sqlite:///{tmp}/{library}-{k}.db"
                else:
                    url = args.postgres_url
                row = run(library, url, k, args.total, args.sampler) | {"backend": backend}
                rows.append(row)
                print(
                    f"{backend:10s} {library:8s} k={k:<2d} {row['trials']:5d} trials "
                    f"{row['trials_per_s']:8.1f} trials/s  p50 {row['p50_ms']:7.1f} ms  "
                    f"p99 {row['p99_ms']:7.1f} ms  {row['check']}",
                    flush=True,
                )

    print(
        "\n| backend | workers | tunekit trials/s | p50 ms | p99 ms | optuna trials/s | ratio | checks |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        if row["library"] != "tunekit":
            continue
        other = next(
            (
                r
                for r in rows
                if r["library"] == "optuna"
                and r["backend"] == row["backend"]
                and r["k"] == row["k"]
            ),
            None,
        )
        optuna_rate = f"{other['trials_per_s']:.1f}" if other else "-"
        ratio = f"{row['trials_per_s'] / other['trials_per_s']:.1f}x" if other else "-"
        checks = row["check"] if other is None else f"{row['check']} / {other['check']}"
        print(
            f"| {row['backend']} | {row['k']} | {row['trials_per_s']:.1f} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {optuna_rate} | {ratio} | {checks} |"
        )


if __name__ == "__main__":
    main()
