"""Bookkeeping of the pruning benchmark's replay (benchmarks/pruning.py) on a tiny bank slice."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.pruning import (
    DATA_DIR,
    MAX_EPOCHS,
    PrunerSpec,
    crossing_bank,
    default_pruners,
    load_bank,
    run_replays,
    summarise,
)

N_CURVES = 20
SEEDS = (0, 1)


@pytest.fixture(scope="module")
def bank_slice() -> np.ndarray:
    if not (DATA_DIR / "curves_sgd.npz").exists():
        pytest.fail("benchmarks/data/curves_sgd.npz is missing: run `pruning bank --problem sgd`")
    configs, accuracies = load_bank("sgd")
    assert len(configs) == len(accuracies)
    assert accuracies.shape[1] == MAX_EPOCHS
    assert np.all((accuracies >= 0.0) & (accuracies <= 1.0))
    return accuracies[:N_CURVES]


@pytest.fixture(scope="module")
def specs() -> list[PrunerSpec]:
    by_name = {spec.name: spec for spec in default_pruners(with_optuna=False, with_curve=False)}
    return [by_name["none"], by_name["median"]]


def test_replay_bookkeeping(bank_slice: np.ndarray, specs: list[PrunerSpec]) -> None:
    runs = run_replays(bank_slice, specs, SEEDS)
    assert len(runs) == len(specs) * len(SEEDS)
    for run in runs:
        # Epochs counted while replaying equal the steps the study stored.
        assert run.epochs == run.reported_steps
        assert run.n_complete >= 1
    none = {run.seed: run for run in runs if run.pruner == "none"}
    median = {run.seed: run for run in runs if run.pruner == "median"}
    for seed in SEEDS:
        assert none[seed].epochs == N_CURVES * MAX_EPOCHS
        assert none[seed].n_complete == N_CURVES
        assert none[seed].best_final_accuracy == pytest.approx(bank_slice[:, -1].max())
        assert none[seed].kept_best
        assert median[seed].epochs <= none[seed].epochs
        assert median[seed].best_final_accuracy <= none[seed].best_final_accuracy


def test_replay_is_deterministic_per_seed(bank_slice: np.ndarray, specs: list[PrunerSpec]) -> None:
    first = run_replays(bank_slice, specs[1:], [3])[0]
    second = run_replays(bank_slice, specs[1:], [3])[0]
    assert (first.epochs, first.best_final_accuracy) == (second.epochs, second.best_final_accuracy)


def test_summary_is_relative_to_no_pruning(bank_slice: np.ndarray, specs: list[PrunerSpec]) -> None:
    rows = {
        row["pruner"]: row
        for row in summarise(run_replays(bank_slice, specs, SEEDS), MAX_EPOCHS, N_CURVES)
    }
    assert rows["none"]["epochs_fraction"] == 1.0
    assert rows["none"]["gap_pp"] == 0.0
    assert 0.0 < rows["median"]["epochs_fraction"] <= 1.0


def test_crossing_bank_makes_the_best_start_slowly(bank_slice: np.ndarray) -> None:
    crossed, slow = crossing_bank(bank_slice, top_fraction=0.1)
    assert len(slow) == 2
    # Final values are unchanged, early values of the slow starters are the lowest.
    np.testing.assert_allclose(crossed[:, -1], bank_slice[:, -1])
    others = np.setdiff1d(np.arange(len(crossed)), slow)
    assert crossed[slow, 0].max() < np.median(crossed[others, 0])
    assert int(np.argmax(crossed[:, -1])) in slow
