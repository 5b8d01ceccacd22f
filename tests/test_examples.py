"""The example scripts run end to end (with a small budget) and print what they promise."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tunekit
from tunekit.trial import TrialState

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("sklearn") is None,
    reason="the PyTorch example needs torch and scikit-learn",
)
def test_pytorch_pruning_example_prunes_with_both_pruners(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    storage = f"sqlite:///{tmp_path / 'pruning.db'}"
    n_trials, epochs = 8, 6
    completed = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "pytorch_pruning.py"),
            f"--n-trials={n_trials}",
            f"--epochs={epochs}",
            f"--storage={storage}",
            "--seed=0",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = completed.stdout

    for pruner in ("median", "curve"):
        counts = re.search(
            rf"\[{pruner}\] trials: (\d+), complete: (\d+), pruned: (\d+), "
            rf"epochs trained: (\d+) of (\d+)",
            output,
        )
        assert counts, output
        trials, complete, pruned, trained, budget = map(int, counts.groups())
        assert trials == n_trials and complete + pruned == n_trials
        assert complete >= 1 and pruned >= 1
        assert trained < budget == n_trials * epochs
        best = re.search(rf"\[{pruner}\] best: trial (\d+), val_acc=([0-9.]+)", output)
        assert best, output

        # The printed summary is what the database holds.
        study = tunekit.load_study(study_name=f"digits-mlp-{pruner}-seed0", storage=storage)
        assert len(study.trials) == n_trials
        states = [t.state for t in study.trials]
        assert states.count(TrialState.PRUNED) == pruned
        assert study.best_trial.number == int(best.group(1))
        assert study.best_value == pytest.approx(float(best.group(2)), abs=1e-4)
        assert set(study.best_params) == {"lr", "hidden", "dropout", "optimizer"}
        for trial in study.trials:
            reported = sorted(trial.intermediate_values)
            assert reported == list(range(len(reported)))  # one report per epoch, from 0
            if trial.state == TrialState.COMPLETE:
                assert len(reported) == epochs
                assert trial.value == trial.intermediate_values[epochs - 1]
            else:  # pruned after some epoch (the last one included, as in Optuna)
                assert trial.state == TrialState.PRUNED and len(reported) <= epochs
        # a digits MLP after a few epochs is far better than chance (0.1)
        assert study.best_value > 0.8
