"""End-to-end check of the GP-EI modelling layers on the Branin function.

Minimises Branin on ``[-5, 10] x [0, 15]`` (mapped to ``[0, 1]^2``) with 10 scrambled
Sobol initial points followed by 30 GP-EI iterations (40 evaluations), for seeds 0-9, and
prints the final simple regret per seed and the mean wall-clock seconds per GP iteration
(fit + acquisition optimisation).  Target: regret < 1e-2 for at least 8 of 10 seeds.

Run with ``python benchmarks/gp_branin_check.py``.  This drives the modelling layers
directly (``fit_gp`` -> ``LogExpectedImprovement`` -> ``optimize_acquisition``) in the
same way ``GPSampler`` is meant to.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from tunekit.samplers.gp.acquisition import LogExpectedImprovement
from tunekit.samplers.gp.kernel import SearchSpaceDims
from tunekit.samplers.gp.model import fit_gp
from tunekit.samplers.gp.optimize import optimize_acquisition, sample_candidates

BRANIN_MINIMUM = 0.397887357729738
LOWER = np.array([-5.0, 0.0])
UPPER = np.array([10.0, 15.0])


def branin(unit_point: np.ndarray) -> float:
    """Branin-Hoo at a point of ``[0, 1]^2`` (affinely mapped to the usual domain)."""
    x1, x2 = LOWER + unit_point * (UPPER - LOWER)
    b = 5.1 / (4.0 * math.pi**2)
    c = 5.0 / math.pi
    t = 1.0 / (8.0 * math.pi)
    return float((x2 - b * x1**2 + c * x1 - 6.0) ** 2 + 10.0 * (1.0 - t) * math.cos(x1) + 10.0)


def run(seed: int, n_initial: int, n_iterations: int, device: str) -> tuple[float, float]:
    """Return (final regret, mean seconds per GP iteration) for one seed."""
    dims = SearchSpaceDims.continuous(2)
    X = sample_candidates(dims, n_initial, seed=seed).numpy()
    y = np.array([branin(x) for x in X])
    params = None
    elapsed = 0.0
    for iteration in range(n_iterations):
        start = time.perf_counter()
        model = fit_gp(
            X,
            y,
            dims,
            deterministic_objective=True,
            initial_params=params,
            seed=seed * 1000 + iteration,
            device=device,
        )
        params = model.params
        acquisition = LogExpectedImprovement(model)
        best_observed = X[np.argsort(y)[:3]]
        result = optimize_acquisition(
            acquisition,
            dims,
            warm_start_points=best_observed,
            seed=seed * 1000 + iteration,
            device=device,
        )
        elapsed += time.perf_counter() - start
        X = np.vstack([X, result.x])
        y = np.append(y, branin(result.x))
    return float(y.min() - BRANIN_MINIMUM), elapsed / max(n_iterations, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=list(range(10)))
    parser.add_argument("--n-initial", type=int, default=10)
    parser.add_argument("--n-iterations", type=int, default=30)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)  # the benchmark shares the machine with other work

    regrets, seconds = [], []
    for seed in args.seeds:
        regret, per_iteration = run(seed, args.n_initial, args.n_iterations, args.device)
        regrets.append(regret)
        seconds.append(per_iteration)
        print(f"seed {seed}: regret {regret:.3e}  ({per_iteration:.3f} s / iteration)", flush=True)
    n_solved = sum(r < 1e-2 for r in regrets)
    print(
        f"regret < 1e-2 on {n_solved}/{len(regrets)} seeds; median regret "
        f"{np.median(regrets):.3e}; mean {np.mean(seconds):.3f} s / iteration"
    )


if __name__ == "__main__":
    main()
