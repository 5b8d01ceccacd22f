"""Prune a PyTorch training loop: a small MLP on scikit-learn's digits (no downloads).

Each trial trains an MLP epoch by epoch and reports its validation accuracy after every epoch
(``trial.report(val_acc, epoch)``); when the study's pruner answers ``trial.should_prune()``,
the trial stops (``raise tunekit.TrialPruned``). The same search runs twice, once with each pruner:

* ``MedianPruner``: stop a trial whose accuracy is below the median of earlier trials at the
  same epoch;
* ``LearningCurvePruner``: extrapolate the trial's learning curve to the last epoch and stop it
  when it is unlikely to beat the best trial (Domhan, Springenberg & Hutter, 2015).

Run it with ``python examples/pytorch_pruning.py`` (``--help`` lists the options, such as
``--n-trials``, ``--epochs`` and ``--storage sqlite:///pruning.db``). Needs ``torch`` and
``scikit-learn``. The same ``--seed`` gives the same trials on the same machine.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import tunekit
from tunekit.pruners import BasePruner, LearningCurvePruner, MedianPruner
from tunekit.trial import TrialState

BATCH_SIZE = 64
OPTIMIZERS: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "rmsprop": torch.optim.RMSprop,
}


def load_data(seed: int) -> tuple[torch.Tensor, ...]:
    """The 8x8 digit images as 64 features in [0, 1]; a stratified 75/25 train/validation split."""
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=seed
    )
    return (
        torch.tensor(X_train, dtype=torch.float32),
        torch.tensor(y_train, dtype=torch.long),
        torch.tensor(X_val, dtype=torch.float32),
        torch.tensor(y_val, dtype=torch.long),
    )


def build_model(hidden: int, dropout: float) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Linear(64, hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(dropout),
        torch.nn.Linear(hidden, 10),
    )


def make_objective(data: tuple[torch.Tensor, ...], epochs: int, seed: int):
    X_train, y_train, X_val, y_val = data

    def objective(trial: tunekit.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        hidden = trial.suggest_int("hidden", 8, 256, log=True)
        dropout = trial.suggest_float("dropout", 0.0, 0.5)
        optimizer_name = trial.suggest_categorical("optimizer", list(OPTIMIZERS))

        # Seeded per trial: the same study seed gives the same weights and batches.
        torch.manual_seed(seed * 100_003 + trial.number)
        model = build_model(hidden, dropout)
        optimizer = OPTIMIZERS[optimizer_name](model.parameters(), lr=lr)
        batches = torch.Generator().manual_seed(seed * 100_003 + trial.number)

        val_acc = 0.0
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(len(X_train), generator=batches)
            for start in range(0, len(order), BATCH_SIZE):
                rows = order[start : start + BATCH_SIZE]
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(X_train[rows]), y_train[rows])
                loss.backward()
                optimizer.step()

            model.eval()
            with torch.no_grad():
                val_acc = (model(X_val).argmax(dim=1) == y_val).float().mean().item()
            trial.report(val_acc, epoch)
            if trial.should_prune():
                raise tunekit.TrialPruned(f"pruned after epoch {epoch}")
        return val_acc

    return objective


def make_pruner(name: str, epochs: int, seed: int) -> BasePruner:
    if name == "median":
        # Judge from the third epoch on, once 5 trials have finished.
        return MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    # max_resource: the number of epochs a full run reports, so curves extrapolate to the end.
    return LearningCurvePruner(max_resource=epochs, min_points=min(5, epochs), seed=seed)


def run(pruner_name: str, args: argparse.Namespace) -> tunekit.Study:
    study = tunekit.create_study(
        direction="maximize",
        storage=args.storage,
        study_name=f"digits-mlp-{pruner_name}-seed{args.seed}",
        sampler=tunekit.samplers.TPESampler(seed=args.seed),
        pruner=make_pruner(pruner_name, args.epochs, args.seed),
        load_if_exists=True,
    )
    study.optimize(make_objective(load_data(args.seed), args.epochs, args.seed), args.n_trials)
    return study


def summarise(pruner_name: str, study: tunekit.Study, epochs: int) -> str:
    trials = study.trials
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    epochs_run = sum(len(t.intermediate_values) for t in trials)
    lines = [
        f"[{pruner_name}] trials: {len(trials)}, complete: {len(complete)}, "
        f"pruned: {len(pruned)}, epochs trained: {epochs_run} of {len(trials) * epochs}"
    ]
    if complete:
        best = study.best_trial
        params = ", ".join(
            f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
            for key, value in best.params.items()
        )
        lines.append(
            f"[{pruner_name}] best: trial {best.number}, val_acc={best.value:.4f} ({params})"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-trials", type=int, default=30, help="trials per pruner (30)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs per full trial (20)")
    parser.add_argument(
        "--pruner",
        choices=["median", "curve", "both"],
        default="both",
        help="MedianPruner, LearningCurvePruner, or one study with each (both)",
    )
    parser.add_argument(
        "--storage", default=None, help="a database URL such as sqlite:///pruning.db (in memory)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds data split, sampler, torch (0)")
    args = parser.parse_args(argv)
    if args.n_trials < 1 or args.epochs < 1:
        parser.error(f"--n-trials and --epochs must be >= 1, got {args.n_trials}, {args.epochs}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(1)  # tiny matrices: threads cost more than they give
    np.random.seed(args.seed)
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    names = ["median", "curve"] if args.pruner == "both" else [args.pruner]
    for name in names:
        print(summarise(name, run(name, args), args.epochs))


if __name__ == "__main__":
    main()
