"""Tables and plots from a benchmark results file.

``python -m benchmarks report --input results/benchmarks.jsonl --out docs/benchmarks/`` writes
``results.md`` (markdown tables) and one ``regret_<problem>.png`` per problem.

Every statistic is computed on the *log10 simple regret*, ``log10(max(regret, 1e-12))``, of
the best value found after ``k`` evaluations (the floor keeps runs that hit the optimum to
machine precision comparable instead of ``-inf``):

* median and IQR (75th minus 25th percentile) over seeds, at each checkpoint ``k``;
* mean rank: on each (problem, seed) the samplers are ranked by log regret at the rank
  checkpoint (1 = best, ties share the average rank), then averaged over seeds and problems;
* framework overhead per trial: wall time minus time inside the objective, divided by the
  number of evaluations; median over seeds;
* one-sided Mann-Whitney U tests (:func:`scipy.stats.mannwhitneyu`, unpaired) of each tunekit
  sampler against each competitor on each problem at the rank checkpoint: ``p(better)`` tests
  "tunekit's regrets are stochastically smaller", ``p(worse)`` the opposite.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.adapters import ADAPTERS
from benchmarks.runner import read_records

__all__ = [
    "DEFAULT_CHECKPOINTS",
    "REGRET_FLOOR",
    "SIGNIFICANCE_LEVEL",
    "RegretSummary",
    "deduplicate",
    "log_regret_at",
    "mann_whitney_tests",
    "mean_ranks",
    "overhead_per_trial",
    "plot_regret_curves",
    "rank_checkpoint",
    "regret_summaries",
    "render_markdown",
    "write_report",
]

DEFAULT_CHECKPOINTS = (25, 50, 100)
REGRET_FLOOR = 1e-12
SIGNIFICANCE_LEVEL = 0.05
Record = dict[str, Any]


# --------------------------------------------------------------------------- selection


def deduplicate(records: Iterable[Record]) -> list[Record]:
    """One record per (problem, sampler, seed): the one with the largest budget (then the last).

    Example
    -------
    >>> short = {"problem": "p", "sampler": "s", "seed": 1, "budget": 10}
    >>> long = {**short, "budget": 50}
    >>> [r["budget"] for r in deduplicate([long, short])]
    [50]
    """
    chosen: dict[tuple[str, str, int], Record] = {}
    for record in records:
        triple = (record["problem"], record["sampler"], int(record["seed"]))
        if triple not in chosen or int(record["budget"]) >= int(chosen[triple]["budget"]):
            chosen[triple] = record
    return list(chosen.values())


def _sampler_order(names: Iterable[str]) -> list[str]:
    """tunekit samplers first, then competitors, in the adapters' order; unknown names last."""
    known = list(ADAPTERS)
    present = set(names)
    ordered = [name for name in known if name in present and name.startswith("tunekit-")]
    ordered += [name for name in known if name in present and not name.startswith("tunekit-")]
    return ordered + sorted(present - set(ordered))


def _is_tunekit(sampler: str) -> bool:
    return sampler.startswith("tunekit-")


def log_regret_at(record: Record, evaluations: int) -> float:
    """``log10(max(best regret after evaluations, REGRET_FLOOR))``; NaN if the run is shorter.

    A run whose evaluations all failed so far has no best value: +inf.

    Example
    -------
    >>> log_regret_at({"best_regret": [1.0, 0.01, 0.0]}, 2)
    -2.0
    >>> log_regret_at({"best_regret": [1.0, 0.01, 0.0]}, 3)
    -12.0
    """
    curve = record["best_regret"]
    if evaluations < 1 or evaluations > len(curve):
        return math.nan
    regret = curve[evaluations - 1]
    if regret is None:
        return math.inf
    return math.log10(max(float(regret), REGRET_FLOOR))


def _log_regret_curve(record: Record, length: int) -> np.ndarray:
    values = np.full(length, np.nan)
    curve = np.array([np.inf if r is None else r for r in record["best_regret"]], dtype=float)
    curve = np.log10(np.maximum(curve[:length], REGRET_FLOOR))
    values[: len(curve)] = curve
    return values


def _by_problem_and_sampler(records: Iterable[Record]) -> dict[str, dict[str, list[Record]]]:
    grouped: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        grouped[record["problem"]][record["sampler"]].append(record)
    for by_sampler in grouped.values():
        for runs in by_sampler.values():
            runs.sort(key=lambda record: int(record["seed"]))
    return grouped


def rank_checkpoint(records: Iterable[Record], checkpoints: Sequence[int]) -> int:
    """The evaluation count for ranks and tests: the largest checkpoint every run reaches.

    Falls back to the shortest run's length when every checkpoint is beyond it.
    """
    shortest = min(len(record["best_regret"]) for record in records)
    reached = [k for k in checkpoints if k <= shortest]
    return max(reached) if reached else shortest


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class RegretSummary:
    """Median and quartiles of the log10 regret over the seeds that reach the checkpoint."""

    median: float
    q25: float
    q75: float
    n_seeds: int

    @property
    def iqr(self) -> float:
        """Interquartile range, ``q75 - q25``."""
        return self.q75 - self.q25


def regret_summaries(
    records: Iterable[Record], evaluations: int
) -> dict[str, dict[str, RegretSummary]]:
    """``{problem: {sampler: RegretSummary}}`` of the log10 regret after ``evaluations``.

    Samplers whose runs are all shorter than ``evaluations`` are left out.
    """
    table: dict[str, dict[str, RegretSummary]] = {}
    for problem, by_sampler in _by_problem_and_sampler(records).items():
        row = {}
        for sampler, runs in by_sampler.items():
            values = np.array([log_regret_at(run, evaluations) for run in runs])
            values = values[~np.isnan(values)]
            if len(values) == 0:
                continue
            q25, median, q75 = np.percentile(values, [25, 50, 75])
            row[sampler] = RegretSummary(float(median), float(q25), float(q75), len(values))
        table[problem] = row
    return table


def mean_ranks(records: Iterable[Record], evaluations: int) -> dict[str, dict[str, float]]:
    """``{problem: {sampler: mean rank}}`` at ``evaluations``, plus ``"all problems"``.

    On each problem only the seeds that every sampler of that problem ran (to at least
    ``evaluations``) count; ``"all problems"`` averages a sampler's per-problem mean ranks.
    """
    from scipy.stats import rankdata

    table: dict[str, dict[str, float]] = {}
    for problem, by_sampler in _by_problem_and_sampler(records).items():
        samplers = _sampler_order(by_sampler)
        regret_by_seed = {
            sampler: {int(run["seed"]): log_regret_at(run, evaluations) for run in runs}
            for sampler, runs in by_sampler.items()
        }
        common_seeds = sorted(
            set.intersection(
                *(
                    {seed for seed, value in by_seed.items() if not math.isnan(value)}
                    for by_seed in regret_by_seed.values()
                )
            )
        )
        if not common_seeds:
            continue
        # (seeds x samplers) matrix, ranked within each seed (row).
        matrix = np.array(
            [[regret_by_seed[sampler][seed] for sampler in samplers] for seed in common_seeds]
        )
        ranks = rankdata(matrix, axis=1).mean(axis=0)
        table[problem] = {
            sampler: float(rank) for sampler, rank in zip(samplers, ranks, strict=True)
        }
    overall: dict[str, list[float]] = defaultdict(list)
    for row in table.values():
        for sampler, rank in row.items():
            overall[sampler].append(rank)
    if table:
        table["all problems"] = {
            sampler: float(np.mean(ranks)) for sampler, ranks in overall.items()
        }
    return table


def overhead_per_trial(records: Iterable[Record]) -> dict[str, dict[str, float]]:
    """``{problem: {sampler: median seconds of overhead per trial}}``, plus ``"all problems"``."""
    table: dict[str, dict[str, float]] = {}
    pooled: dict[str, list[float]] = defaultdict(list)
    for problem, by_sampler in _by_problem_and_sampler(records).items():
        table[problem] = {}
        for sampler, runs in by_sampler.items():
            seconds = [float(run["overhead_per_trial_s"]) for run in runs]
            table[problem][sampler] = float(np.median(seconds))
            pooled[sampler].extend(seconds)
    if table:
        table["all problems"] = {
            sampler: float(np.median(values)) for sampler, values in pooled.items()
        }
    return table


@dataclass(frozen=True)
class MannWhitneyResult:
    """One tunekit sampler against one competitor on one problem."""

    problem: str
    tunekit_sampler: str
    competitor: str
    tunekit_median: float
    competitor_median: float
    p_better: float
    p_worse: float
    n_tunekit: int
    n_competitor: int

    @property
    def verdict(self) -> str:
        """``"better"``, ``"worse"`` or ``"no significant difference"`` at the 5 % level."""
        if self.p_better < SIGNIFICANCE_LEVEL:
            return "better"
        if self.p_worse < SIGNIFICANCE_LEVEL:
            return "worse"
        return "no significant difference"


def mann_whitney_tests(records: Iterable[Record], evaluations: int) -> list[MannWhitneyResult]:
    """One-sided Mann-Whitney U tests of every tunekit sampler against every competitor.

    Tested on the log10 regret after ``evaluations``; pairs with fewer than two runs on a
    side are left out.
    """
    from scipy.stats import mannwhitneyu

    results = []
    for problem, by_sampler in sorted(_by_problem_and_sampler(records).items()):
        samplers = _sampler_order(by_sampler)
        values = {
            sampler: np.array(
                [
                    v
                    for v in (log_regret_at(r, evaluations) for r in by_sampler[sampler])
                    if not math.isnan(v)
                ]
            )
            for sampler in samplers
        }
        for ours in (s for s in samplers if _is_tunekit(s)):
            for theirs in (s for s in samplers if not _is_tunekit(s)):
                x, y = values[ours], values[theirs]
                if len(x) < 2 or len(y) < 2:
                    continue
                results.append(
                    MannWhitneyResult(
                        problem=problem,
                        tunekit_sampler=ours,
                        competitor=theirs,
                        tunekit_median=float(np.median(x)),
                        competitor_median=float(np.median(y)),
                        p_better=float(mannwhitneyu(x, y, alternative="less").pvalue),
                        p_worse=float(mannwhitneyu(x, y, alternative="greater").pvalue),
                        n_tunekit=len(x),
                        n_competitor=len(y),
                    )
                )
    return results


# --------------------------------------------------------------------------- markdown


def _markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _format_log(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _format_seconds(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def _format_p(p: float) -> str:
    return f"{p:.3f}" if p >= 1e-3 else f"{p:.1e}"


def _environment_lines(records: Sequence[Record]) -> list[str]:
    commits = sorted(
        {
            f"{r.get('commit', 'unknown')}{' (dirty)' if r.get('commit_dirty') else ''}"
            for r in records
        }
    )
    versions: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for package, version in record.get("versions", {}).items():
            versions[package].add(version)
    seeds = sorted({int(r["seed"]) for r in records})
    budgets = sorted({int(r["budget"]) for r in records})
    finished = sorted(r["finished_at"] for r in records if r.get("finished_at"))
    seed_text = (
        f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else str(seeds)
    )
    lines = [
        f"- runs: {len(records)} (problems x samplers x seeds); seeds {seed_text}; "
        f"budget{'s' if len(budgets) > 1 else ''} {', '.join(map(str, budgets))} evaluations",
        f"- commit: {', '.join(commits)}",
        "- versions: "
        + ", ".join(f"{package} {'/'.join(sorted(v))}" for package, v in sorted(versions.items())),
    ]
    if finished:
        lines.append(f"- finished between {finished[0]} and {finished[-1]} (UTC)")
    return lines


def render_markdown(
    records: Sequence[Record],
    checkpoints: Sequence[int] = DEFAULT_CHECKPOINTS,
    plot_files: dict[str, str] | None = None,
    title: str = "Benchmark results",
) -> str:
    """The markdown report of deduplicated ``records`` (see the module docstring)."""
    if not records:
        raise ValueError("no benchmark records to report")
    problems = sorted({record["problem"] for record in records})
    samplers = _sampler_order(record["sampler"] for record in records)
    longest = max(len(record["best_regret"]) for record in records)
    table_checkpoints = [k for k in sorted(set(checkpoints)) if k <= longest] or [longest]
    rank_at = rank_checkpoint(records, checkpoints)

    parts = [f"# {title}", "", *_environment_lines(records), ""]
    parts += [
        "All numbers are log10 of the simple regret (best value found minus the known optimum "
        f"f*), floored at {REGRET_FLOOR:g}, so -12 means the optimum was found to machine "
        "precision and lower is better.",
        "",
    ]
    for k in table_checkpoints:
        summaries = regret_summaries(records, k)
        rows = []
        for problem in problems:
            row = summaries.get(problem, {})
            best = min((s.median for s in row.values()), default=math.nan)
            cells = []
            for sampler in samplers:
                summary = row.get(sampler)
                if summary is None:
                    cells.append("–")
                    continue
                text = f"{_format_log(summary.median)} ({_format_log(summary.iqr)})"
                cells.append(f"**{text}**" if summary.median == best else text)
            rows.append([problem, *cells])
        parts += [
            f"## log10 regret after {k} evaluations: median (IQR)",
            "",
            _markdown_table(["problem", *samplers], rows),
            "",
        ]

    ranks = mean_ranks(records, rank_at)
    rank_rows = [
        [problem, *(f"{ranks[problem][s]:.2f}" if s in ranks[problem] else "–" for s in samplers)]
        for problem in [*problems, "all problems"]
        if problem in ranks
    ]
    parts += [
        f"## Mean rank after {rank_at} evaluations (1 = best)",
        "",
        _markdown_table(["problem", *samplers], rank_rows),
        "",
    ]

    overhead = overhead_per_trial(records)
    overhead_rows = [
        [
            problem,
            *(
                _format_seconds(overhead[problem][s]) if s in overhead[problem] else "–"
                for s in samplers
            ),
        ]
        for problem in [*problems, "all problems"]
        if problem in overhead
    ]
    parts += [
        "## Framework overhead per trial (median over seeds)",
        "",
        "Wall time of the run minus the time inside the objective (the `suggest_*` calls count "
        "as framework time), divided by the number of evaluations.",
        "",
        _markdown_table(["problem", *samplers], overhead_rows),
        "",
    ]

    tests = mann_whitney_tests(records, rank_at)
    parts += [f"## Mann-Whitney U tests after {rank_at} evaluations", ""]
    if tests:
        parts += [
            "One-sided, unpaired, on the log10 regrets of the seeds; p(better) tests whether the "
            "tunekit sampler's regrets are stochastically smaller, p(worse) whether larger. "
            f"Verdicts at the {SIGNIFICANCE_LEVEL:g} level, without correction for the number "
            "of tests.",
            "",
            _markdown_table(
                [
                    "problem",
                    "tunekit",
                    "competitor",
                    "median (tunekit)",
                    "median (competitor)",
                    "p(better)",
                    "p(worse)",
                    "verdict",
                ],
                (
                    [
                        test.problem,
                        test.tunekit_sampler,
                        test.competitor,
                        _format_log(test.tunekit_median),
                        _format_log(test.competitor_median),
                        _format_p(test.p_better),
                        _format_p(test.p_worse),
                        test.verdict,
                    ]
                    for test in tests
                ),
            ),
            "",
        ]
    else:
        parts += ["No tunekit sampler and competitor with at least two runs on a problem.", ""]

    if plot_files:
        parts += ["## Regret curves", "", "Median over seeds, with the 25-75 % band.", ""]
        parts += [
            f"![{problem}]({plot_files[problem]})" for problem in problems if problem in plot_files
        ]
        parts.append("")
    return "\n".join(parts)


# --------------------------------------------------------------------------- plots


def plot_regret_curves(
    records: Sequence[Record], out_dir: str | os.PathLike[str]
) -> dict[str, str]:
    """One PNG per problem: median log10 regret vs evaluations with a quartile band.

    Returns ``{problem: file name}`` (relative to ``out_dir``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    files = {}
    for problem, by_sampler in sorted(_by_problem_and_sampler(records).items()):
        figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=110)
        n_seeds = 0
        for index, sampler in enumerate(_sampler_order(by_sampler)):
            runs = by_sampler[sampler]
            length = max(len(run["best_regret"]) for run in runs)
            curves = np.vstack([_log_regret_curve(run, length) for run in runs])
            q25, median, q75 = np.nanpercentile(curves, [25, 50, 75], axis=0)
            evaluations = np.arange(1, length + 1)
            color = f"C{index % 10}"
            style = "-" if _is_tunekit(sampler) else "--"
            # Best-so-far curves are step functions: draw them as steps.
            axes.step(
                evaluations,
                median,
                style,
                where="post",
                color=color,
                label=f"{sampler} ({len(runs)})",
            )
            axes.fill_between(
                evaluations, q25, q75, step="post", color=color, alpha=0.18, linewidth=0
            )
            n_seeds = max(n_seeds, len(runs))
        axes.set_title(f"{problem}: best-so-far regret (median, 25-75 % band)")
        axes.set_xlabel("evaluations")
        axes.set_ylabel(f"log10 simple regret (floor {REGRET_FLOOR:g})")
        axes.grid(alpha=0.3)
        axes.legend(title="sampler (seeds)", fontsize="small")
        figure.tight_layout()
        name = f"regret_{problem}.png"
        figure.savefig(out / name)
        plt.close(figure)
        files[problem] = name
    return files


# --------------------------------------------------------------------------- entry point


def write_report(
    input_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    checkpoints: Sequence[int] = DEFAULT_CHECKPOINTS,
    plots: bool = True,
    title: str = "Benchmark results",
) -> list[Path]:
    """Write ``results.md`` (headed ``title``) and the regret plots for ``input_path``.

    Returns the paths written.

    Raises
    ------
    ValueError
        If ``input_path`` holds no readable record.
    """
    records = deduplicate(read_records(input_path))
    if not records:
        raise ValueError(f"no benchmark records in {str(input_path)!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plot_files = plot_regret_curves(records, out) if plots else {}
    markdown = render_markdown(records, checkpoints, plot_files, title=title)
    results = out / "results.md"
    results.write_text(markdown + "\n", encoding="utf-8")
    return [results, *(out / name for name in plot_files.values())]
