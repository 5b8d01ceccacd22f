"""The `tunekit` command, run as a real subprocess against a SQLite file."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("sqlalchemy")

SPACE = json.dumps(
    {
        "x": {"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0}},
        "n": {"name": "IntDistribution", "attributes": {"low": 1, "high": 3}},
    }
)


def tunekit_cli(*args: str, storage: str | None = None, cwd: pathlib.Path | None = None):
    env = dict(os.environ)
    env.pop("TUNEKIT_STORAGE", None)
    if storage is not None:
        env["TUNEKIT_STORAGE"] = storage
    return subprocess.run(
        [sys.executable, "-m", "tunekit.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def storage(tmp_path: pathlib.Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_round_trip_create_ask_tell_trials_best(storage: str) -> None:
    created = tunekit_cli(
        "create-study", "--study-name", "demo", "--direction", "maximize", storage=storage
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "demo"

    for value in ("0.25", "0.75"):
        asked = tunekit_cli(
            "ask", "--study-name", "demo", "--search-space", SPACE, "-f", "json", storage=storage
        )
        assert asked.returncode == 0, asked.stderr
        trial = json.loads(asked.stdout)
        assert set(trial["params"]) == {"x", "n"}
        assert 0.0 <= trial["params"]["x"] <= 1.0
        told = tunekit_cli(
            "tell",
            "--study-name",
            "demo",
            "--trial-number",
            str(trial["number"]),
            "--values",
            value,
            storage=storage,
        )
        assert told.returncode == 0, told.stderr

    trials = tunekit_cli("trials", "--study-name", "demo", "-f", "json", storage=storage)
    rows = json.loads(trials.stdout)
    assert [(r["number"], r["value"], r["state"]) for r in rows] == [
        (0, 0.25, "COMPLETE"),
        (1, 0.75, "COMPLETE"),
    ]
    best = tunekit_cli("best-trial", "--study-name", "demo", "-f", "json", storage=storage)
    assert json.loads(best.stdout)["number"] == 1

    table = tunekit_cli("trials", "--study-name", "demo", storage=storage)
    assert "| number |" in table.stdout and "COMPLETE" in table.stdout
    names = tunekit_cli("study-names", storage=storage)
    assert names.stdout.split() == ["demo"]
    studies = tunekit_cli("studies", "-f", "json", storage=storage)
    assert json.loads(studies.stdout)[0]["n_trials"] == 2


def test_tell_twice_is_a_one_line_error(storage: str) -> None:
    tunekit_cli("create-study", "--study-name", "s", storage=storage)
    asked = tunekit_cli("ask", "--study-name", "s", storage=storage)  # JSON by default
    number = str(json.loads(asked.stdout)["number"])
    assert (
        tunekit_cli(
            "tell", "--study-name", "s", "--trial-number", number, "--values", "1", storage=storage
        ).returncode
        == 0
    )
    again = tunekit_cli(
        "tell", "--study-name", "s", "--trial-number", number, "--values", "2", storage=storage
    )
    assert again.returncode == 1
    assert "Traceback" not in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert "already finished" in again.stderr
    skipped = tunekit_cli(
        "tell",
        "--study-name",
        "s",
        "--trial-number",
        number,
        "--values",
        "2",
        "--skip-if-finished",
        storage=storage,
    )
    assert skipped.returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("trials", "--study-name", "missing"), "missing"),
        (("ask", "--study-name", "s", "--search-space", "{not json"), "--search-space"),
        (("ask", "--study-name", "s", "--sampler", "NoSuchSampler"), "NoSuchSampler"),
        (("worker", "--study-name", "s", "--objective", "nocolon"), "--objective"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(
    storage: str, args: tuple[str, ...], message: str
) -> None:
    tunekit_cli("create-study", "--study-name", "s", storage=storage)
    result = tunekit_cli(*args, storage=storage)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_storage_is_a_clear_error() -> None:
    result = tunekit_cli("study-names")
    assert result.returncode == 1
    assert "--storage is required" in result.stderr


def test_optunas_options_before_the_command(storage: str, tmp_path: pathlib.Path) -> None:
    # `optuna --storage URL study-names`, `optuna help trials`, -v/-q, --log-file, --debug.
    log = tmp_path / "cli.log"
    created = tunekit_cli(
        "--storage", storage, "--log-file", str(log), "create-study", "--study-name", "s"
    )
    assert created.returncode == 0, created.stderr
    assert "A new study created" in log.read_text()
    names = tunekit_cli("-q", "--storage", storage, "study-names")
    assert names.returncode == 0 and names.stdout.split() == ["s"]
    helped = tunekit_cli("help", "trials")
    assert helped.returncode == 0 and "--study-name" in helped.stdout
    assert tunekit_cli("help").returncode == 0
    debug = tunekit_cli("--debug", "--storage", storage, "trials", "--study-name", "nope")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_bad_url_names_it(tmp_path: pathlib.Path) -> None:
    result = tunekit_cli("study-names", "--storage", "nosuchdb://user:secret@host/db")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr


def test_worker_runs_an_objective_from_a_file(storage: str, tmp_path: pathlib.Path) -> None:
    objective_file = tmp_path / "objective.py"
    objective_file.write_text(
        "def objective(trial):\n    return trial.suggest_float('x', -1, 1) ** 2\n"
    )
    tunekit_cli("create-study", "--study-name", "w", storage=storage)
    result = tunekit_cli(
        "worker",
        "--study-name",
        "w",
        "--objective",
        f"{objective_file}:objective",
        "--n-trials",
        "5",
        "--sampler",
        "RandomSampler",
        "--sampler-kwargs",
        '{"seed": 1}',
        storage=storage,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(
        tunekit_cli("trials", "--study-name", "w", "-f", "json", storage=storage).stdout
    )
    assert len(rows) == 5 and {r["state"] for r in rows} == {"COMPLETE"}


def test_storage_upgrade_on_a_fresh_database(storage: str) -> None:
    result = tunekit_cli("storage", "upgrade", "--storage", storage)
    assert result.returncode == 0, result.stderr
    assert tunekit_cli("study-names", storage=storage).returncode == 0


@pytest.fixture
def plotted_study(storage: str) -> str:
    """A two-parameter study with a pruned trial, written to the SQLite file the CLI reads."""
    import tunekit

    def objective(trial: tunekit.Trial) -> float:
        x = trial.suggest_float("x", 1e-3, 1.0, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        value = (x - 0.1) ** 2 + (0.5 if kind == "b" else 0.0)
        for step in range(3):
            trial.report(value * (3 - step), step)
        if trial.number == 4:
            raise tunekit.TrialPruned()
        return value

    study = tunekit.create_study(
        study_name="p", storage=storage, sampler=tunekit.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=12)
    return storage


@pytest.mark.parametrize("kind", ["optimization-history", "slice", "param_importances"])
def test_plot_writes_a_png(plotted_study: str, tmp_path: pathlib.Path, kind: str) -> None:
    matplotlib_image = pytest.importorskip("matplotlib.image")
    out = tmp_path / f"{kind}.png"
    result = tunekit_cli(
        "plot", kind, "--study-name", "p", "--out", str(out), storage=plotted_study
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    pixels = matplotlib_image.imread(out)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 0.01  # something was drawn, not a blank canvas


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plot", "histogram", "--out", "x.png"), "histogram"),
        (("plot", "slice", "--out", "/no/such/dir/x.png"), "/no/such/dir"),
        (("plot", "slice", "--params", "nope", "--out", "x.png"), "nope"),
        (("plot", "timeline", "--params", "x", "--out", "x.png"), "--params"),
        (("plot", "edf", "--target-index", "3", "--out", "x.png"), "--target-index 3"),
        (("plot", "edf", "--study-name", "missing", "--out", "x.png"), "missing"),
    ],
)
def test_plot_bad_input_is_one_line_and_nonzero(
    plotted_study: str, tmp_path: pathlib.Path, args: tuple[str, ...], message: str
) -> None:
    pytest.importorskip("matplotlib")
    if "--study-name" not in args:
        args = (*args, "--study-name", "p")
    result = tunekit_cli(*args, storage=plotted_study, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
