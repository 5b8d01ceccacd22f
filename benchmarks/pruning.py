"""Pruning benchmark (issue 8): recorded learning curves replayed to every pruner, plus live runs.

Parts
-----
``bank``
    Sample random configurations of ``mlp_digits`` / ``sgd_digits`` (fixed seed), record every
    epoch of each once with the pure curve functions, save to ``benchmarks/data/curves_*.npz``.
``replay``
    Every pruner sees the same trials in the same seeded order; each trial's recorded curve is
    reported epoch by epoch through ask/tell (``trial.report`` / ``trial.should_prune``) and the
    trial stops when pruned.  Reported: total epochs, best final accuracy among trials that ran
    to the end, wall time; median over seeds.
``crossing``
    Same replay on a transformed bank where slow starters end best (comparing trials at the
    same step misleads).
``live``
    TPE + pruner on the real SGD objective (60 trials of up to 30 epochs).

Usage::

    python -m benchmarks.pruning bank --problem sgd --n-configs 300 --workers 2
    python -m benchmarks.pruning replay --problem sgd --seeds 10
    python -m benchmarks.pruning crossing --seeds 10
    python -m benchmarks.pruning live --problem sgd --seeds 10 --trials 60
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tunekit.pruners.base import BasePruner

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_EPOCHS = 30
BANK_SEED = 12345


# --------------------------------------------------------------------------- bank


def _space(problem: str) -> Callable[[Any], dict[str, Any]]:
    from benchmarks.problems import ml

    return {"mlp": ml.mlp_digits_space, "sgd": ml.sgd_digits_space}[problem]


def _curve_function(problem: str) -> Callable[..., NDArray[np.float64]]:
    from benchmarks.problems import ml

    return {"mlp": ml.mlp_learning_curve, "sgd": ml.sgd_learning_curve}[problem]


def sample_configs(problem: str, n_configs: int, seed: int = BANK_SEED) -> list[dict[str, Any]]:
    """Random configurations from the objective's own search space (tunekit RandomSampler)."""
    import tunekit

    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=seed))
    space = _space(problem)
    configs = []
    for _ in range(n_configs):
        trial = study.ask()
        configs.append(space(trial))
        study.tell(trial, 0.0)
    return configs


def _record_one(args: tuple[str, dict[str, Any], int]) -> NDArray[np.float64]:
    problem, config, max_epochs = args
    return _curve_function(problem)(config, max_epochs, 0)


def record_bank(
    problem: str, n_configs: int, workers: int = 2, max_epochs: int = MAX_EPOCHS
) -> Path:
    """Record ``n_configs`` curves of ``problem`` and save them to ``curves_{problem}.npz``."""
    configs = sample_configs(problem, n_configs)
    jobs = [(problem, config, max_epochs) for config in configs]
    start = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            curves = list(pool.map(_record_one, jobs, chunksize=4))
    else:
        curves = [_record_one(job) for job in jobs]
    elapsed = time.perf_counter() - start
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"curves_{problem}.npz"
    np.savez_compressed(
        path,
        configs=np.array(json.dumps(configs)),
        accuracies=np.asarray(curves, dtype=np.float32),
        meta=np.array(
            json.dumps(
                {
                    "problem": problem,
                    "max_epochs": max_epochs,
                    "bank_seed": BANK_SEED,
                    "train_seed": 0,
                    "record_seconds": elapsed,
                    "workers": workers,
                }
            )
        ),
    )
    print(f"saved {path} ({len(curves)} curves, {elapsed:.0f} s)")
    return path


def load_bank(problem: str) -> tuple[list[dict[str, Any]], NDArray[np.float64]]:
    """Configurations and accuracies ``(n_configs, max_epochs)`` of a recorded bank."""
    with np.load(DATA_DIR / f"curves_{problem}.npz") as data:
        configs = json.loads(str(data["configs"]))
        accuracies = np.asarray(data["accuracies"], dtype=np.float64)
    return configs, accuracies


# --------------------------------------------------------------------------- pruners


class _CurvePrunerAdapter(BasePruner):
    """Benchmark-side wrapper of :func:`tunekit.pruners.curve.predict_final` (slot for issue 8).

    Used while ``tunekit.pruners.curve`` exports no finished ``LearningCurvePruner``: it applies
    the paper's rule (stop when ``P(final better than the best finished trial) < delta``) to the
    trial's reported curve, with the reported 1-based epochs mapped to the 0-based steps that
    ``predict_final`` expects, decisions every ``interval_steps`` epochs, warm-started per trial.
    """

    def __init__(
        self,
        max_resource: int,
        *,
        delta: float = 0.05,
        min_points: int = 5,
        interval_steps: int = 1,
        seed: int = 0,
    ) -> None:
        self.max_resource = max_resource
        self.delta = delta
        self.min_points = min_points
        self.interval_steps = interval_steps
        self._rng = np.random.default_rng(seed)
        self._states: dict[int, Any] = {}

    def prune(self, study: Any, trial: Any) -> bool:
        from tunekit.pruners.curve import predict_final, probability_of_improvement
        from tunekit.trial import TrialState

        reported = trial.intermediate_values
        if len(reported) < self.min_points or len(reported) % self.interval_steps:
            return False
        maximize = study.direction.name == "MAXIMIZE"
        finals = [
            t.value
            for t in study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.value is not None and math.isfinite(t.value)
        ]
        if not finals:
            return False
        best = max(finals) if maximize else min(finals)
        curve = {step - 1: value for step, value in reported.items()}
        try:
            prediction = predict_final(
                curve,
                self.max_resource,
                seed=self._rng,
                bounds=(0.0, 1.0),
                maximize=maximize,
                warm_start=self._states.get(trial.number),
                min_points=self.min_points,
            )
        except Exception:  # a failed fit never stops a trial
            return False
        if not prediction.ok:
            return False
        self._states[trial.number] = prediction.state
        stop = bool(probability_of_improvement(prediction, best) < self.delta)
        if stop:
            self._states.pop(trial.number, None)
        return stop


def learning_curve_pruner_factory(
    max_resource: int, interval_steps: int = 1
) -> Callable[[int], Any] | None:
    """Factory of the learning-curve pruner: tunekit's own if exported, else the adapter."""
    try:
        import tunekit.pruners.curve as curve
    except ImportError:
        return None
    own = getattr(curve, "LearningCurvePruner", None)
    if isinstance(own, type) and issubclass(own, BasePruner):
        # Epochs are reported as steps 1..max_resource: a full run has max_resource + 1 steps
        # counted from 0.
        return lambda seed: own(
            max_resource=max_resource + 1, interval_steps=interval_steps, seed=seed
        )
    if hasattr(curve, "predict_final"):
        return lambda seed: _CurvePrunerAdapter(
            max_resource, interval_steps=interval_steps, seed=seed
        )
    return None


@dataclass(frozen=True)
class PrunerSpec:
    """A pruner under test: its label, its library and a ``seed -> pruner`` factory."""

    name: str
    library: str  # "tunekit" or "optuna"
    make: Callable[[int], Any]


def default_pruners(
    max_epochs: int = MAX_EPOCHS,
    *,
    with_optuna: bool = True,
    with_curve: bool = True,
    curve_interval: int = 1,
) -> list[PrunerSpec]:
    """none, tunekit median/SH/Hyperband, the learning-curve pruner, Optuna's median/SH/HB."""
    import tunekit.pruners as tp

    specs = [
        PrunerSpec("none", "tunekit", lambda seed: tp.NopPruner()),
        PrunerSpec("median", "tunekit", lambda seed: tp.MedianPruner()),
        PrunerSpec("sh", "tunekit", lambda seed: tp.SuccessiveHalvingPruner()),
        PrunerSpec(
            "hyperband", "tunekit", lambda seed: tp.HyperbandPruner(max_resource=max_epochs)
        ),
    ]
    if with_curve:
        factory = learning_curve_pruner_factory(max_epochs, curve_interval)
        if factory is not None:
            specs.append(PrunerSpec("learning_curve", "tunekit", factory))
    if with_optuna:
        try:
            import optuna
        except ImportError:
            return specs
        op = optuna.pruners
        specs += [
            PrunerSpec("optuna_median", "optuna", lambda seed: op.MedianPruner()),
            PrunerSpec("optuna_sh", "optuna", lambda seed: op.SuccessiveHalvingPruner()),
            PrunerSpec(
                "optuna_hyperband",
                "optuna",
                lambda seed: op.HyperbandPruner(max_resource=max_epochs),
            ),
        ]
    return specs


# --------------------------------------------------------------------------- replay


@dataclass(frozen=True)
class ReplayRun:
    """One pruner on one seeded order of the bank."""

    pruner: str
    seed: int
    epochs: int  # epochs counted while replaying
    reported_steps: int  # sum over the study's trials of their reported steps (bookkeeping)
    best_final_accuracy: float  # best final accuracy among trials that ran to the end
    n_complete: int
    kept_best: bool  # whether the bank's best final configuration ran to the end
    seconds: float


def _library(name: str) -> Any:
    if name == "optuna":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return optuna
    import tunekit

    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    return tunekit


def replay(accuracies: NDArray[np.float64], spec: PrunerSpec, seed: int) -> ReplayRun:
    """Replay the curves (rows of ``accuracies``) in a seeded order through ``spec``'s pruner.

    Each trial reports the validation *error* ``1 - accuracy`` after every epoch (steps from
    1, the study minimises) and stops as soon as ``should_prune()`` says so.
    """
    lib = _library(spec.library)
    order = np.random.default_rng(seed).permutation(len(accuracies))
    study = lib.create_study(
        direction="minimize",
        pruner=spec.make(seed),
        sampler=lib.samplers.RandomSampler(seed=seed),
    )
    pruned_state = lib.trial.TrialState.PRUNED
    epochs = 0
    complete: list[int] = []
    errors = 1.0 - accuracies
    start = time.perf_counter()
    for index in order:
        trial = study.ask()
        curve = errors[index]
        for epoch in range(1, len(curve) + 1):
            trial.report(float(curve[epoch - 1]), epoch)
            epochs += 1
            if trial.should_prune():
                study.tell(trial, state=pruned_state)
                break
        else:
            study.tell(trial, float(curve[-1]))
            complete.append(int(index))
    seconds = time.perf_counter() - start
    reported = sum(len(t.intermediate_values) for t in study.get_trials(deepcopy=False))
    finals = accuracies[complete, -1]
    best_index = int(np.argmax(accuracies[:, -1]))
    return ReplayRun(
        pruner=spec.name,
        seed=seed,
        epochs=epochs,
        reported_steps=reported,
        best_final_accuracy=float(finals.max()) if len(finals) else math.nan,
        n_complete=len(complete),
        kept_best=best_index in complete,
        seconds=seconds,
    )


_FORKED_JOBS: list[tuple[Any, ...]] = []  # read by forked workers (factories are lambdas)


def _forked_job(index: int) -> Any:
    function, *args = _FORKED_JOBS[index]
    return function(*args)


def _map_jobs(jobs: list[tuple[Any, ...]], workers: int) -> list[Any]:
    """Run ``(function, *args)`` jobs, in ``workers`` forked processes when ``workers > 1``."""
    if workers <= 1:
        return [function(*args) for function, *args in jobs]
    import multiprocessing

    _FORKED_JOBS[:] = jobs
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_forked_job, range(len(jobs))))
    finally:
        _FORKED_JOBS.clear()


def run_replays(
    accuracies: NDArray[np.float64],
    specs: Sequence[PrunerSpec],
    seeds: Sequence[int],
    workers: int = 1,
) -> list[ReplayRun]:
    """All pruners on all seeds (optionally in ``workers`` processes, at most 2)."""
    jobs = [(replay, accuracies, spec, seed) for spec in specs for seed in seeds]
    return _map_jobs(jobs, workers)


def summarise(runs: Sequence[ReplayRun], max_epochs: int, n_trials: int) -> list[dict[str, Any]]:
    """Median over seeds per pruner, with epochs also as a fraction of no pruning's."""
    names = list(dict.fromkeys(run.pruner for run in runs))
    full = max_epochs * n_trials
    by_name = {name: [r for r in runs if r.pruner == name] for name in names}
    reference = by_name.get("none")
    ref_best = float(np.median([r.best_final_accuracy for r in reference])) if reference else None
    rows = []
    for name in names:
        group = by_name[name]
        best = float(np.median([r.best_final_accuracy for r in group]))
        epochs = float(np.median([r.epochs for r in group]))
        rows.append(
            {
                "pruner": name,
                "epochs": epochs,
                "epochs_fraction": epochs / full,
                "best_final_accuracy": best,
                "gap_pp": 100.0 * (ref_best - best) if ref_best is not None else math.nan,
                "kept_best": sum(getattr(r, "kept_best", False) for r in group) / len(group),
                "n_complete": float(np.median([r.n_complete for r in group])),
                "seconds": float(np.median([r.seconds for r in group])),
                "n_seeds": len(group),
            }
        )
    return rows


def markdown_table(rows: Sequence[dict[str, Any]], kept_column: bool = True) -> str:
    """The summary rows as a Markdown table."""
    header = "| pruner | epochs | % of none | best final acc | gap (pp) | complete | "
    header += "kept best | " if kept_column else ""
    header += "wall s |"
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for row in rows:
        line = (
            f"| {row['pruner']} | {row['epochs']:.0f} | {100 * row['epochs_fraction']:.1f} | "
            f"{row['best_final_accuracy']:.4f} | {row['gap_pp']:+.2f} | {row['n_complete']:.0f} | "
        )
        if kept_column:
            line += f"{100 * row['kept_best']:.0f}% | "
        line += f"{row['seconds']:.2f} |"
        lines.append(line)
    return "\n".join(lines)


# --------------------------------------------------------------------------- crossing curves


def crossing_bank(
    accuracies: NDArray[np.float64], top_fraction: float = 0.05, chance: float = 0.1
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Make the best configurations slow starters: curves that cross the others late.

    The ``top_fraction`` of curves with the highest final accuracy get a warm-up: epoch ``t``
    of ``T`` shows ``chance + (a_t - chance) * (1 - (1 - t/T)^3)``, so they start near chance
    and reach their own recorded final accuracy only at the end (the warm-up factor is 1 at
    ``t = T``; final values are unchanged).  Compared at the same early step they look worst,
    although they end best.  Returns the new bank and the indices of the slow starters.
    """
    n_curves, horizon = accuracies.shape
    n_slow = max(1, int(round(top_fraction * n_curves)))
    slow = np.argsort(-accuracies[:, -1], kind="stable")[:n_slow]
    t = np.arange(1, horizon + 1, dtype=float) / horizon
    warm_up = 1.0 - (1.0 - t) ** 3
    out = accuracies.copy()
    out[slow] = chance + (accuracies[slow] - chance) * warm_up
    return out, slow


# --------------------------------------------------------------------------- live


@dataclass(frozen=True)
class LiveRun:
    """TPE plus one pruner on the real objective."""

    pruner: str
    seed: int
    epochs: int
    best_final_accuracy: float
    n_complete: int
    seconds: float


def live(problem: str, spec: PrunerSpec, seed: int, n_trials: int = 60) -> LiveRun:
    """TPE (tunekit) with ``spec``'s pruner on the real objective, ``n_trials`` trials."""
    import tunekit
    from benchmarks.problems import ml

    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    make = {"mlp": ml.make_mlp_objective, "sgd": ml.make_sgd_objective}[problem]
    objective = make(tunekit.TrialPruned, max_epochs=MAX_EPOCHS, seed=0)
    study = tunekit.create_study(
        direction="minimize",
        sampler=tunekit.samplers.TPESampler(seed=seed),
        pruner=spec.make(seed),
    )
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    seconds = time.perf_counter() - start
    trials = study.get_trials(deepcopy=False)
    epochs = sum(len(t.intermediate_values) for t in trials)
    finals = [t.value for t in trials if t.state == tunekit.trial.TrialState.COMPLETE]
    return LiveRun(
        pruner=spec.name,
        seed=seed,
        epochs=epochs,
        best_final_accuracy=1.0 - min(finals) if finals else math.nan,
        n_complete=len(finals),
        seconds=seconds,
    )


# --------------------------------------------------------------------------- CLI


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    bank = sub.add_parser("bank", help="record a bank of curves")
    bank.add_argument("--problem", choices=["mlp", "sgd"], required=True)
    bank.add_argument("--n-configs", type=int, default=300)
    bank.add_argument("--workers", type=int, default=2)
    for name in ("replay", "crossing", "live"):
        p = sub.add_parser(name)
        p.add_argument("--problem", choices=["mlp", "sgd"], default="sgd")
        p.add_argument("--seeds", type=int, default=10)
        p.add_argument("--seed-start", type=int, default=0)
        p.add_argument("--workers", type=int, default=1)
        p.add_argument("--pruners", default="", help="comma-separated subset of pruner names")
        p.add_argument("--no-optuna", action="store_true")
        p.add_argument("--curve-interval", type=int, default=1)
        p.add_argument("--trials", type=int, default=60, help="live: trials per study")
        p.add_argument("--json", type=Path, default=None, help="write the runs as JSON here")
    return parser.parse_args()


def main() -> None:
    """Command-line entry point."""
    args = _parse()
    if args.command == "bank":
        record_bank(args.problem, args.n_configs, workers=min(args.workers, 2))
        return
    specs = default_pruners(
        with_optuna=not args.no_optuna and args.command != "live",
        curve_interval=args.curve_interval,
    )
    if args.pruners:
        wanted = args.pruners.split(",")
        specs = [spec for spec in specs if spec.name in wanted]
    seeds = list(range(args.seed_start, args.seed_start + args.seeds))
    workers = min(args.workers, 2)
    if args.command == "live":
        jobs = [(live, args.problem, spec, seed, args.trials) for spec in specs for seed in seeds]
        runs: list[Any] = _map_jobs(jobs, workers)
        n_trials = args.trials
        kept = False
    else:
        _, accuracies = load_bank(args.problem)
        if args.command == "crossing":
            accuracies, slow = crossing_bank(accuracies)
            print(f"slow starters: {len(slow)} of {len(accuracies)}")
        runs = run_replays(accuracies, specs, seeds, workers=workers)
        n_trials = len(accuracies)
        kept = True
    if args.json is not None:
        args.json.write_text(json.dumps({"runs": [vars(r) for r in runs]}, indent=1))
    rows = summarise(runs, MAX_EPOCHS, n_trials)
    print(markdown_table(rows, kept_column=kept))
    if args.json is not None:
        args.json.write_text(
            json.dumps({"runs": [vars(r) for r in runs], "summary": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
