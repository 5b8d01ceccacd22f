"""Draw the figures of docs/visualization.md from one small, seeded study.

Run from the repository root (needs matplotlib and scikit-learn):
``python docs/scripts/plot_visualization_examples.py``. It writes
``docs/img/optimization_history.png`` and ``docs/img/param_importances.png``.

The objective is a stand-in for training a network (no data, a fraction of a second for the
whole study), shaped so that the learning rate matters most, the number of layers a little,
the optimizer less and the dropout hardly at all.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import tunekit  # noqa: E402
from tunekit.importance import FanovaImportanceEvaluator  # noqa: E402
from tunekit.visualization import plot_optimization_history, plot_param_importances  # noqa: E402


def objective(trial: tunekit.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 4)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    accuracy = (
        0.95
        - 0.04 * (math.log10(lr) + 2.5) ** 2
        - 0.03 * abs(layers - 3)
        - (0.02 if optimizer == "sgd" else 0.0)
        - 0.004 * dropout
    )
    return max(accuracy, 0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default="docs/img")
    args = parser.parse_args()
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    study = tunekit.create_study(
        study_name="mlp-tpe", direction="maximize", sampler=tunekit.samplers.TPESampler(seed=0)
    )
    study.optimize(objective, n_trials=60)
    ax = plot_optimization_history(study, target_name="validation accuracy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # inside, it hides some trials
    ax.figure.set_size_inches(7.0, 3.8)
    ax.figure.savefig(out_dir / "optimization_history.png", dpi=100, bbox_inches="tight")

    # Importances from uniformly sampled trials: they describe the whole search space, not
    # the region TPE chose to explore (the guide compares the two).
    random_study = tunekit.create_study(
        study_name="mlp-random",
        direction="maximize",
        sampler=tunekit.samplers.RandomSampler(seed=0),
    )
    random_study.optimize(objective, n_trials=60)
    ax = plot_param_importances(random_study, evaluator=FanovaImportanceEvaluator(seed=0))
    ax.figure.set_size_inches(6.0, 3.0)
    ax.figure.savefig(out_dir / "param_importances.png", dpi=100, bbox_inches="tight")

    for name, source in (("TPE", study), ("random", random_study)):
        importances = tunekit.importance.get_param_importances(
            source, evaluator=FanovaImportanceEvaluator(seed=0)
        )
        rounded = {key: round(value, 3) for key, value in importances.items()}
        print(f"{name}: best {source.best_value:.4f}; fANOVA importances {rounded}")


if __name__ == "__main__":
    main()
