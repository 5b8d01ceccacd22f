"""The benchmark report on a committed fixture results file.

``fixtures/results_small.jsonl`` holds 2 problems x 3 samplers x 4 seeds (budget 30), plus a
superseded shorter run, a run whose regret reaches exactly 0, one with a slightly negative
regret, one whose first two evaluations failed, and a half-written last line.  Expected
numbers are recomputed here from the raw JSON, independently of benchmarks.report.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from benchmarks.report import (
    deduplicate,
    log_regret_at,
    mann_whitney_tests,
    mean_ranks,
    overhead_per_trial,
    rank_checkpoint,
    regret_summaries,
    render_markdown,
    write_report,
)
from benchmarks.runner import read_records

FIXTURE = Path(__file__).parent / "fixtures" / "results_small.jsonl"
SAMPLERS = ("tunekit-random", "optuna-random", "hyperopt-tpe")
SEEDS = (1000, 1001, 1002, 1003)


def _raw_records() -> list[dict]:
    """The fixture's complete lines, budget-30 runs only (what deduplication must keep)."""
    records = []
    for line in FIXTURE.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record["budget"] == 30:
            records.append(record)
    return records


def _expected_log_regrets(problem: str, sampler: str, evaluations: int) -> np.ndarray:
    regrets = [
        r["best_regret"][evaluations - 1]
        for r in _raw_records()
        if r["problem"] == problem and r["sampler"] == sampler
    ]
    return np.log10(np.maximum(np.array(regrets, dtype=float), 1e-12))


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return deduplicate(read_records(FIXTURE))


def test_reading_skips_the_half_written_line_and_deduplication_keeps_the_longest_run(
    records: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    all_records = read_records(FIXTURE)
    assert len(all_records) == 25  # 24 runs + the superseded short one; the broken line dropped
    assert "skipping an unreadable line" in capsys.readouterr().err
    assert len(records) == 24
    kept = [
        r
        for r in records
        if (r["problem"], r["sampler"], r["seed"]) == ("branin", "optuna-random", 1000)
    ]
    assert [r["budget"] for r in kept] == [30]


def test_log_regret_is_floored_and_failed_prefix_is_infinite(records: list[dict]) -> None:
    by_key = {(r["problem"], r["sampler"], r["seed"]): r for r in records}
    exact = by_key["branin", "tunekit-random", 1000]
    assert log_regret_at(exact, 25) == -12.0  # regret exactly 0
    assert log_regret_at(by_key["hartmann3", "hyperopt-tpe", 1000], 25) == -12.0  # -1e-15
    failed = by_key["branin", "optuna-random", 1001]
    assert log_regret_at(failed, 1) == math.inf
    assert log_regret_at(failed, 3) == pytest.approx(math.log10(failed["best_regret"][2]))
    assert math.isnan(log_regret_at(exact, 31))  # beyond the run's budget


@pytest.mark.parametrize("evaluations", [10, 25])
def test_median_and_iqr_match_values_computed_from_the_raw_file(
    records: list[dict], evaluations: int
) -> None:
    table = regret_summaries(records, evaluations)
    for problem in ("branin", "hartmann3"):
        for sampler in SAMPLERS:
            expected = _expected_log_regrets(problem, sampler, evaluations)
            summary = table[problem][sampler]
            assert summary.n_seeds == 4
            assert summary.median == pytest.approx(np.median(expected))
            assert summary.iqr == pytest.approx(
                np.percentile(expected, 75) - np.percentile(expected, 25)
            )


def test_mean_ranks_match_a_direct_computation(records: list[dict]) -> None:
    ranks = mean_ranks(records, 25)
    for problem in ("branin", "hartmann3"):
        # (samplers x seeds) log regrets; rank within each seed by counting smaller values.
        matrix = np.array([_expected_log_regrets(problem, s, 25) for s in SAMPLERS])
        expected = [
            np.mean([1 + np.sum(matrix[:, seed] < matrix[row, seed]) for seed in range(4)])
            for row in range(len(SAMPLERS))
        ]
        assert [ranks[problem][s] for s in SAMPLERS] == pytest.approx(expected)
    # Fixture facts: tunekit-random is best on every branin seed except 1001 (hyperopt wins).
    assert ranks["branin"]["tunekit-random"] == pytest.approx(1.25)
    assert ranks["hartmann3"]["hyperopt-tpe"] == pytest.approx(1.0)
    for sampler in SAMPLERS:
        assert ranks["all problems"][sampler] == pytest.approx(
            (ranks["branin"][sampler] + ranks["hartmann3"][sampler]) / 2
        )


def test_overhead_per_trial_is_the_median_over_seeds(records: list[dict]) -> None:
    table = overhead_per_trial(records)
    for sampler in SAMPLERS:
        seconds = [
            r["overhead_per_trial_s"]
            for r in _raw_records()
            if r["sampler"] == sampler and r["problem"] == "branin"
        ]
        assert table["branin"][sampler] == pytest.approx(np.median(seconds))
    assert set(table) == {"branin", "hartmann3", "all problems"}


def test_mann_whitney_tests_are_one_sided_and_give_the_expected_verdicts(
    records: list[dict],
) -> None:
    tests = {(t.problem, t.competitor): t for t in mann_whitney_tests(records, 25)}
    # One tunekit sampler against two competitors on two problems.
    assert set(tests) == {
        (problem, competitor)
        for problem in ("branin", "hartmann3")
        for competitor in ("optuna-random", "hyperopt-tpe")
    }
    for (problem, competitor), test in tests.items():
        ours = _expected_log_regrets(problem, "tunekit-random", 25)
        theirs = _expected_log_regrets(problem, competitor, 25)
        assert test.p_better == pytest.approx(mannwhitneyu(ours, theirs, alternative="less").pvalue)
        assert test.p_worse == pytest.approx(
            mannwhitneyu(ours, theirs, alternative="greater").pvalue
        )
    # All 4 tunekit seeds beat all 4 optuna-random seeds on branin: exact p = 1 / C(8, 4).
    assert tests["branin", "optuna-random"].p_better == pytest.approx(1 / 70)
    assert tests["branin", "optuna-random"].verdict == "better"
    assert tests["hartmann3", "hyperopt-tpe"].p_worse == pytest.approx(1 / 70)
    assert tests["hartmann3", "hyperopt-tpe"].verdict == "worse"
    assert tests["hartmann3", "optuna-random"].verdict == "no significant difference"


def test_rank_checkpoint_is_the_largest_checkpoint_every_run_reaches(records: list[dict]) -> None:
    assert rank_checkpoint(records, (25, 50, 100)) == 25
    assert rank_checkpoint(records, (50, 100)) == 30  # none reached: the shortest run's length


def test_markdown_tables_show_the_computed_numbers(records: list[dict]) -> None:
    markdown = render_markdown(records, checkpoints=(10, 25, 50))
    assert "## log10 regret after 10 evaluations" in markdown
    assert "## log10 regret after 25 evaluations" in markdown
    assert "after 50 evaluations" not in markdown  # beyond the budget of every run
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in markdown.split("## log10 regret after 25 evaluations")[1]
        .split("##")[0]
        .splitlines()
        if line.startswith("| branin") or line.startswith("| hartmann3")
    }
    for problem in ("branin", "hartmann3"):
        medians = {s: np.median(_expected_log_regrets(problem, s, 25)) for s in SAMPLERS}
        best = min(medians, key=medians.__getitem__)
        for sampler in SAMPLERS:
            values = _expected_log_regrets(problem, sampler, 25)
            iqr = np.percentile(values, 75) - np.percentile(values, 25)
            cell = f"{medians[sampler]:.2f} ({iqr:.2f})"
            assert (f"**{cell}**" if sampler == best else cell) in rows[problem]
    assert "| branin | tunekit-random | optuna-random |" in markdown  # the test table
    assert "0.014 | " in markdown  # p = 1/70
    assert "seeds 1000-1003" in markdown
    assert "0123456789abcdef0123456789abcdef01234567" in markdown


def test_write_report_writes_markdown_and_one_png_per_problem(tmp_path: Path) -> None:
    written = write_report(FIXTURE, tmp_path / "docs", checkpoints=(10, 25))
    names = sorted(path.name for path in written)
    assert names == ["regret_branin.png", "regret_hartmann3.png", "results.md"]
    for path in written:
        assert path.exists() and path.stat().st_size > 0
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (tmp_path / "docs" / "results.md").read_text()
    assert "![branin](regret_branin.png)" in markdown


def test_write_report_refuses_an_empty_results_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ValueError, match="no benchmark records"):
        write_report(empty, tmp_path / "docs")
