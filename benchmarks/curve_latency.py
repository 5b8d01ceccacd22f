"""Latency of one learning-curve decision (``predict_final``), cold and warm-started.

Targets: median below 100 ms for a 30-point curve and below 500 ms for a 300-point curve, with
the default settings (the ones the calibration test in ``tests/pruners/curve`` uses).

A *cold* decision fits the families by least squares and runs the full burn-in; a *warm* one
starts from the walkers of the previous decision of the same trial (the same curve with one
point fewer) and runs the short burn-in.

Both wall-clock and CPU time (``time.process_time``) are reported: on a shared machine the wall
time includes waiting for a core, the CPU time is what a decision costs.

Usage::

    python benchmarks/curve_latency.py [--repeats 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tunekit.pruners.curve.predict import SamplerSettings, predict_final  # noqa: E402


def synthetic_curve(n_points: int, horizon: int, seed: int) -> np.ndarray:
    """An accuracy curve rising like a saturating power law, with observation noise."""
    rng = np.random.default_rng(seed)
    x = np.arange(1, n_points + 1, dtype=float)
    scale = horizon / 10.0
    clean = 0.9 - 0.8 / (1.0 + (x / scale) ** 0.8)
    return np.clip(clean + rng.normal(0.0, 0.01, n_points), 0.001, 0.999)


def measure(n_points: int, horizon: int, repeats: int) -> dict[str, float]:
    """Median/p90 wall and CPU milliseconds of cold and warm decisions."""
    timings: dict[str, list[float]] = {
        "cold_wall": [],
        "cold_cpu": [],
        "warm_wall": [],
        "warm_cpu": [],
    }
    usable = 0
    curve = synthetic_curve(n_points, horizon, seed=n_points)
    predict_final(curve, horizon, seed=0)  # imports, caches
    for repeat in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        previous = predict_final(curve[:-1], horizon, seed=repeat)
        timings["cold_wall"].append(time.perf_counter() - wall)
        timings["cold_cpu"].append(time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        warm = predict_final(curve, horizon, seed=repeat, warm_start=previous.state)
        timings["warm_wall"].append(time.perf_counter() - wall)
        timings["warm_cpu"].append(time.process_time() - cpu)
        usable += int(previous.ok and warm.ok)
    result: dict[str, float] = {"n_points": n_points, "horizon": horizon, "usable": usable}
    for name, values in timings.items():
        ms = sorted(1000.0 * v for v in values)
        result[f"{name}_median_ms"] = statistics.median(ms)
        result[f"{name}_p90_ms"] = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    settings = SamplerSettings()
    rows = [measure(30, 100, args.repeats), measure(300, 1000, args.repeats)]
    if args.json:
        print(json.dumps({"settings": repr(settings), "load": os.getloadavg(), "rows": rows}))
        return
    print(f"settings: {settings}")
    print(f"load average before/after: {os.getloadavg()}")
    print(
        f"{'points':>6} {'mode':>5} {'wall median':>12} {'wall p90':>9} {'cpu median':>11} {'cpu p90':>8}"
    )
    for row in rows:
        for mode in ("cold", "warm"):
            print(
                f"{row['n_points']:>6} {mode:>5} "
                f"{row[f'{mode}_wall_median_ms']:>10.1f}ms {row[f'{mode}_wall_p90_ms']:>7.1f}ms "
                f"{row[f'{mode}_cpu_median_ms']:>9.1f}ms {row[f'{mode}_cpu_p90_ms']:>6.1f}ms"
            )
        print(f"{'':>6} usable predictions: {row['usable']}/{args.repeats}")


if __name__ == "__main__":
    main()
