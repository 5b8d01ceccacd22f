"""Time to compute PED-ANOVA importances, tunekit's beside Optuna's, on the same trials.

A random-search study of a five-parameter objective (two floats, one of them log-scaled, an
integer, a categorical and an irrelevant float) is built once per size; both evaluators then
run on those trials (Optuna's from a copy of the study), each the best of ``--repeats`` runs.
Both sets of importances are printed, so the agreement can be read beside the times.

Usage::

    python benchmarks/importance_speed.py [--sizes 1000,10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tunekit  # noqa: E402
from tunekit.distributions import distribution_to_json  # noqa: E402
from tunekit.importance import PedAnovaImportanceEvaluator, get_param_importances  # noqa: E402


def objective(trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 8)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"])
    noise = trial.suggest_float("noise", 0.0, 1.0)
    return (
        (x - 0.3) ** 2
        + 0.075 * (math.log10(lr) + 3.0) ** 2
        + 0.006 * (layers - 4) ** 2
        + (0.5 if optimizer == "sgd" else 0.0)
        + 0.01 * noise
    )


def best_time(function, repeats: int) -> tuple[float, dict[str, float]]:
    times, result = [], {}
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import optuna

    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning for `normalize`
    for size in (int(text) for text in args.sizes.split(",")):
        study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
        study.optimize(objective, n_trials=size)
        copy = optuna.create_study()
        copy.add_trials(
            [
                optuna.trial.create_trial(
                    params=trial.params,
                    distributions={
                        name: optuna.distributions.json_to_distribution(distribution_to_json(d))
                        for name, d in trial.distributions.items()
                    },
                    value=trial.value,
                )
                for trial in study.trials
            ]
        )
        ours, ours_result = best_time(
            lambda study=study: get_param_importances(
                study, evaluator=PedAnovaImportanceEvaluator()
            ),
            args.repeats,
        )
        theirs, theirs_result = best_time(
            lambda copy=copy: optuna.importance.get_param_importances(
                copy, evaluator=optuna.importance.PedAnovaImportanceEvaluator()
            ),
            args.repeats,
        )
        print(
            f"{size} trials: tunekit {ours * 1e3:.1f} ms, optuna {theirs * 1e3:.1f} ms, "
            f"ratio {ours / theirs:.2f}"
        )
        print("  tunekit:", {name: round(value, 3) for name, value in ours_result.items()})
        print("  optuna: ", {name: round(value, 3) for name, value in theirs_result.items()})


if __name__ == "__main__":
    main()
