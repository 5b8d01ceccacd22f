"""GPSampler on one long study: total wall time and the sampler's time per trial at trial 1,000.

Runs ``--trials`` trials (default 1,010) of a synthetic problem (default Levy in 10-D) with
``GPSampler(seed=...)`` and in-memory storage, torch on ``--threads`` threads, and records when
each trial started. A trial's time is the gap to the next trial's start: the sampler's work
(fit + acquisition), the study's bookkeeping and the objective, which for these functions
takes microseconds. Prints the total and the median trial time over windows of trials, and
writes the per-trial times as JSON with ``--out``.

Usage::

    python benchmarks/gp_long.py --problem levy10 --trials 1010 --out gp_long.json
    python benchmarks/gp_long.py --device cuda   # the same study with the GP on a GPU
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

# Run as a script from anywhere: make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tunekit  # noqa: E402
from benchmarks.problems import get_problem  # noqa: E402

WINDOWS = ((90, 110), (240, 260), (490, 510), (740, 760), (990, 1010))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="levy10")
    parser.add_argument("--trials", type=int, default=1010)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2 cores here)")
    parser.add_argument("--device", default="cpu", help='torch device of the GP ("cpu", "cuda")')
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    tunekit.logging.set_verbosity(tunekit.logging.ERROR)
    problem = get_problem(args.problem)
    starts: list[float] = []
    values: list[float] = []

    def objective(trial: tunekit.Trial) -> float:
        starts.append(time.perf_counter())
        value = float(problem.objective(trial))
        values.append(value)
        return value

    sampler = tunekit.samplers.GPSampler(seed=args.seed, device=args.device)
    study = tunekit.create_study(sampler=sampler)
    begin = time.perf_counter()
    study.optimize(objective, n_trials=args.trials)
    total = time.perf_counter() - begin
    # Trial k's time: from its start to the next start (the last one: to the end).
    per_trial = np.diff(np.asarray(starts + [begin + total]))
    print(
        f"{args.problem} on {args.device}: {args.trials} trials in {total:.0f} s"
        f" ({total / 60:.1f} min)"
    )
    print("| trials | median s per trial |\n|---|---|")
    for low, high in WINDOWS:
        if high <= len(per_trial):
            print(f"| {low}-{high - 1} | {float(np.median(per_trial[low:high])):.3f} |")
    best = float(np.min(values))
    print(f"best value {best:.4g}, log10 regret {math.log10(max(problem.regret(best), 1e-12)):.2f}")
    if args.out is not None:
        args.out.write_text(
            json.dumps(
                {
                    "problem": args.problem,
                    "trials": args.trials,
                    "seed": args.seed,
                    "threads": args.threads,
                    "device": args.device,
                    "total_seconds": total,
                    "trial_seconds": per_trial.tolist(),
                    "values": values,
                }
            )
        )


if __name__ == "__main__":
    main()
