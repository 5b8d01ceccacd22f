"""The benchmark runner end to end on a tiny budget: records, resume, crash recovery, CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.__main__ import main
from benchmarks.adapters import ADAPTERS, RunResult, SamplerAdapter
from benchmarks.problems import get_problem
from benchmarks.runner import RunKey, make_record, read_records, run_benchmarks

PROBLEMS = ["branin", "mixed_quadratic"]
SEEDS = [0, 1]
BUDGET = 10
SAMPLERS = ["tunekit-random"] + (
    ["optuna-random"] if importlib.util.find_spec("optuna") is not None else []
)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runner") / "results" / "benchmarks.jsonl"
    summary = run_benchmarks(PROBLEMS, SAMPLERS, SEEDS, BUDGET, out, workers=1, progress=False)
    assert summary.completed == len(PROBLEMS) * len(SAMPLERS) * len(SEEDS)
    assert summary.errors == 0
    return out


def test_one_line_per_problem_sampler_seed(results: Path) -> None:
    records = [json.loads(line) for line in _lines(results)]
    keys = sorted((r["problem"], r["sampler"], r["seed"]) for r in records)
    expected = sorted((p, s, seed) for p in PROBLEMS for s in SAMPLERS for seed in SEEDS)
    assert keys == expected


def test_records_hold_consistent_curves_and_timings(results: Path) -> None:
    for record in read_records(results):
        problem = get_problem(record["problem"])
        values = np.array(record["values"], dtype=float)
        assert record["n_evaluations"] == len(values) == BUDGET == record["budget"]
        assert record["n_failed"] == 0
        # best_regret[i] = min(values[: i + 1]) - f*, never increasing.
        expected = np.minimum.accumulate(values) - problem.f_star
        np.testing.assert_allclose(record["best_regret"], expected, rtol=0, atol=1e-12)
        assert np.all(np.diff(record["best_regret"]) <= 0)
        assert record["f_star"] == problem.f_star
        assert record["wall_time_s"] > 0
        assert 0 <= record["objective_time_s"] <= record["wall_time_s"]
        assert record["overhead_s"] == pytest.approx(
            record["wall_time_s"] - record["objective_time_s"]
        )
        assert record["overhead_per_trial_s"] == pytest.approx(record["overhead_s"] / BUDGET)
        assert record["versions"]["numpy"] == np.__version__
        assert record["framework"] == record["sampler"].split("-")[0]
        assert "commit" in record and "finished_at" in record


def test_the_same_seed_gives_the_same_values(results: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.jsonl"
    run_benchmarks(["branin"], ["tunekit-random"], [1], BUDGET, again, progress=False)
    (rerun,) = read_records(again)
    (original,) = [
        r
        for r in read_records(results)
        if (r["problem"], r["sampler"], r["seed"]) == ("branin", "tunekit-random", 1)
    ]
    assert rerun["values"] == original["values"]
    other_seed = [
        r
        for r in read_records(results)
        if (r["problem"], r["sampler"], r["seed"]) == ("branin", "tunekit-random", 0)
    ]
    assert other_seed[0]["values"] != original["values"]


def test_rerunning_resumes_without_duplicates(results: Path, tmp_path: Path) -> None:
    copy = tmp_path / "resume.jsonl"
    copy.write_text(results.read_text())
    n_runs = len(_lines(copy))

    summary = run_benchmarks(PROBLEMS, SAMPLERS, SEEDS, BUDGET, copy, progress=False)
    assert (summary.completed, summary.already_done) == (0, n_runs)
    assert len(_lines(copy)) == n_runs

    # A crash: the last record is lost and the one before is cut mid-write.
    lines = _lines(copy)
    lost = [RunKey.of(json.loads(line)) for line in lines[-2:]]
    copy.write_text("\n".join(lines[:-2]) + "\n" + lines[-2][: len(lines[-2]) // 2])
    summary = run_benchmarks(PROBLEMS, SAMPLERS, SEEDS, BUDGET, copy, progress=False)
    assert (summary.completed, summary.already_done) == (2, n_runs - 2)
    records = read_records(copy)
    keys = [RunKey.of(record) for record in records]
    assert len(keys) == len(set(keys)) == n_runs
    assert set(lost) <= set(keys)

    # A larger budget is a different run.
    summary = run_benchmarks(["branin"], ["tunekit-random"], [0], BUDGET + 2, copy, progress=False)
    assert summary.completed == 1


def test_missing_sampler_is_skipped_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def never_called(problem: object, seed: int, budget: int) -> RunResult:
        raise AssertionError("a missing sampler must not run")

    missing = SamplerAdapter(
        "missing-sampler", "missing", ("benchmarks_no_such_module",), never_called
    )
    monkeypatch.setitem(ADAPTERS, missing.name, missing)
    out = tmp_path / "results.jsonl"
    summary = run_benchmarks(
        ["branin"], ["missing-sampler", "tunekit-random"], [0], 5, out, progress=False
    )
    assert "skipping sampler missing-sampler" in capsys.readouterr().err
    assert (summary.completed, summary.errors) == (1, 0)
    assert [r["sampler"] for r in read_records(out)] == ["tunekit-random"]


def test_a_failing_run_is_reported_and_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crashes(problem: object, seed: int, budget: int) -> RunResult:
        raise RuntimeError("sampler bug")

    monkeypatch.setitem(
        ADAPTERS, "crashing-sampler", SamplerAdapter("crashing-sampler", "x", (), crashes)
    )
    out = tmp_path / "results.jsonl"
    summary = run_benchmarks(["branin"], ["crashing-sampler"], [0, 1], 5, out, progress=False)
    assert (summary.completed, summary.errors) == (0, 2)
    assert "sampler bug" in capsys.readouterr().err
    assert read_records(out) == []


def test_bad_arguments_fail_before_anything_runs(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    with pytest.raises(KeyError, match="unknown benchmark problem 'nope'"):
        run_benchmarks(["nope"], ["tunekit-random"], [0], 5, out, progress=False)
    with pytest.raises(KeyError, match="unknown sampler 'nope'"):
        run_benchmarks(["branin"], ["nope"], [0], 5, out, progress=False)
    with pytest.raises(ValueError, match="budget must be a positive integer, got 0"):
        run_benchmarks(["branin"], ["tunekit-random"], [0], 0, out, progress=False)
    with pytest.raises(ValueError, match="workers must be a positive integer, got 0"):
        run_benchmarks(["branin"], ["tunekit-random"], [0], 5, out, workers=0, progress=False)
    assert not out.exists()


def test_failed_evaluations_do_not_count_towards_the_best() -> None:
    record = make_record(
        "branin", "tunekit-random", 0, 4, [float("nan"), 5.0, float("nan"), 1.0], 1.0, 0.5
    )
    f_star = get_problem("branin").f_star
    assert record["n_failed"] == 2
    assert record["values"][0] is None
    assert record["best_regret"][0] is None
    assert record["best_regret"][1:] == pytest.approx([5.0 - f_star, 5.0 - f_star, 1.0 - f_star])
    json.dumps(record, allow_nan=False)  # strict JSON


def test_command_line_with_two_worker_processes(tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    arguments = [
        "run",
        "--samplers", "tunekit-random",
        "--problems", "branin",
        "--seeds", "2",
        "--seed-start", "7",
        "--budget", "5",
        "--workers", "2",
        "--out", str(out),
        "--no-progress",
    ]  # fmt: skip
    assert main(arguments) == 0
    assert sorted(r["seed"] for r in read_records(out)) == [7, 8]
    assert main(["report", "--input", str(out), "--out", str(tmp_path / "docs")]) == 0
    assert (tmp_path / "docs" / "regret_branin.png").exists()
