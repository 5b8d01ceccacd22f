"""tunekit's TPESampler against Optuna's default TPESampler, side by side in one process.

Two measurements:

1. Quality: median log10 simple regret (floored at 1e-12) after ``--n-trials`` evaluations on
   Branin, Camelback, Goldstein-Price, Hartmann3, Hartmann6 and Rosenbrock5
   (``benchmarks.problems``), over the seeds given. Both samplers run with their defaults
   (``tunekit...TPESampler(seed=s)``, ``optuna.samplers.TPESampler(seed=s)``). A one-sided
   Mann-Whitney U test says whether tunekit's regrets are lower.
2. Overhead: the median wall time of ``ask`` + 5 suggestions + ``tell`` over trials 990-1010 of
   one 5-D study (in-memory storage, the full history), multivariate against multivariate; the
   ratio tunekit/Optuna.

Run, e.g.::

    python benchmarks/tpe_vs_optuna.py --seeds 1000-1019
    python benchmarks/tpe_vs_optuna.py --seeds 0-9 --no-overhead

Tuning was done on seeds 0-79; the reported figures use seeds 1000-1019.
"""

from __future__ import annotations

import argparse
import logging as std_logging
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import mannwhitneyu

# Run as a script from anywhere: make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tunekit  # noqa: E402
from benchmarks.problems import get_problem  # noqa: E402
from tunekit.samplers.tpe import TPESampler  # noqa: E402

PROBLEMS = ("branin", "camelback", "goldstein_price", "hartmann3", "hartmann6", "rosenbrock5")
REGRET_FLOOR = 1e-12


def _parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-")
            seeds.extend(range(int(first), int(last) + 1))
        else:
            seeds.append(int(part))
    return seeds


def _log_regret(problem, best_value: float) -> float:
    return math.log10(max(problem.regret(best_value), REGRET_FLOOR))


def run_tunekit(problem_name: str, seed: int, n_trials: int) -> float:
    problem = get_problem(problem_name)
    study = tunekit.create_study(sampler=TPESampler(seed=seed))
    study.optimize(problem.objective, n_trials=n_trials)
    return _log_regret(problem, study.best_value)


def run_optuna(problem_name: str, seed: int, n_trials: int) -> float:
    import optuna

    problem = get_problem(problem_name)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(problem.objective, n_trials=n_trials)
    return _log_regret(problem, study.best_value)


def _overhead(create_study, n_total: int, window: tuple[int, int]) -> float:
    """Median seconds of ask + 5 suggestions + tell for trials in ``window``."""
    study = create_study()
    rng = np.random.default_rng(0)
    times = []
    for number in range(n_total):
        start = time.perf_counter()
        trial = study.ask()
        x = [trial.suggest_float(f"x{i}", -5.0, 5.0) for i in range(5)]
        value = float(np.sum(np.square(x)) + 0.01 * rng.standard_normal())
        study.tell(trial, value)
        elapsed = time.perf_counter() - start
        if window[0] <= number <= window[1]:
            times.append(elapsed)
    return float(np.median(times))


def measure_overhead(n_total: int = 1011) -> tuple[float, float]:
    import optuna

    window = (990, 1010)
    tunekit_seconds = _overhead(
        lambda: tunekit.create_study(sampler=TPESampler(seed=0, multivariate=True)), n_total, window
    )
    optuna_seconds = _overhead(
        lambda: optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0, multivariate=True)),
        n_total,
        window,
    )
    return tunekit_seconds, optuna_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1000-1019", help="e.g. 0-9 or 1000-1019 or 1,2,3")
    parser.add_argument("--n-trials", type=int, default=100)
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--no-overhead", action="store_true", help="skip the overhead measurement")
    parser.add_argument("--no-quality", action="store_true", help="skip the regret table")
    args = parser.parse_args()

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    std_logging.getLogger("optuna").setLevel(std_logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    seeds = _parse_seeds(args.seeds)

    if not args.no_quality:
        print(f"median log10 simple regret, {args.n_trials} evaluations, seeds {args.seeds}")
        print(f"{'problem':<16}{'tunekit':>9}{'optuna':>9}{'diff':>8}{'p(MWU)':>9}")
        for name in args.problems.split(","):
            ours = [run_tunekit(name, s, args.n_trials) for s in seeds]
            theirs = [run_optuna(name, s, args.n_trials) for s in seeds]
            p_value = mannwhitneyu(ours, theirs, alternative="less").pvalue
            diff = np.median(ours) - np.median(theirs)
            print(
                f"{name:<16}{np.median(ours):>9.2f}{np.median(theirs):>9.2f}"
                f"{diff:>8.2f}{p_value:>9.3f}",
                flush=True,
            )

    if not args.no_overhead:
        ours, theirs = measure_overhead()
        print(
            f"overhead per trial at ~1000 trials (5-D, multivariate): tunekit {ours * 1e3:.2f} ms, "
            f"optuna {theirs * 1e3:.2f} ms, ratio {ours / theirs:.3f}"
        )


if __name__ == "__main__":
    main()
