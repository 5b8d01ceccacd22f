"""Command line of the benchmark suite.

Examples
--------
Run the default comparison (resumable: rerun the same command after a crash)::

    python -m benchmarks run --seeds 20 --seed-start 1000 --budget 100 --workers 2 \\
        --out results/benchmarks.jsonl

Write the tables and plots::

    python -m benchmarks report --input results/benchmarks.jsonl --out docs/benchmarks/

List the problems and samplers (and which samplers are installed)::

    python -m benchmarks list
"""

from __future__ import annotations

import os

# Before numpy loads: every run is single-threaded (see benchmarks.runner).
for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from benchmarks.adapters import ADAPTERS  # noqa: E402
from benchmarks.problems import PROBLEMS  # noqa: E402
from benchmarks.report import DEFAULT_CHECKPOINTS, write_report  # noqa: E402
from benchmarks.runner import DEFAULT_PROBLEMS, DEFAULT_SAMPLERS, run_benchmarks  # noqa: E402


def _names(text: str, known: Sequence[str], what: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"--{what}: expected a comma-separated list, got {text!r}")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise argparse.ArgumentTypeError(f"--{what}: unknown {unknown}; known: {', '.join(known)}")
    return names


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _checkpoints(text: str) -> list[int]:
    return sorted({_positive_int(part) for part in text.split(",") if part.strip()})


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m benchmarks`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run (problem, sampler, seed) triples, append results")
    run.add_argument(
        "--samplers",
        type=lambda text: _names(text, list(ADAPTERS), "samplers"),
        default=list(DEFAULT_SAMPLERS),
        help=f"comma-separated; known: {', '.join(ADAPTERS)} (default: all but skopt-gp)",
    )
    run.add_argument(
        "--problems",
        type=lambda text: _names(text, sorted(PROBLEMS), "problems"),
        default=list(DEFAULT_PROBLEMS),
        help=f"comma-separated (default: {','.join(DEFAULT_PROBLEMS)}); see `list`",
    )
    run.add_argument("--seeds", type=_positive_int, default=20, help="number of seeds (20)")
    run.add_argument("--seed-start", type=int, default=1000, help="first seed (1000)")
    run.add_argument("--budget", type=_positive_int, default=100, help="evaluations per run (100)")
    run.add_argument("--workers", type=_positive_int, default=1, help="worker processes (1)")
    run.add_argument("--out", default="results/benchmarks.jsonl", help="JSON-lines results file")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")

    report = commands.add_parser("report", help="write markdown tables and PNG plots")
    report.add_argument("--input", default="results/benchmarks.jsonl", help="results file")
    report.add_argument("--out", default="docs/benchmarks", help="output folder")
    report.add_argument(
        "--checkpoints",
        type=_checkpoints,
        default=list(DEFAULT_CHECKPOINTS),
        help="evaluation counts for the regret tables (25,50,100)",
    )
    report.add_argument("--title", default="Benchmark results", help="heading of results.md")

    commands.add_parser("list", help="list problems and samplers")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    arguments = build_parser().parse_args(argv)
    if arguments.command == "run":
        seeds = range(arguments.seed_start, arguments.seed_start + arguments.seeds)
        summary = run_benchmarks(
            arguments.problems,
            arguments.samplers,
            seeds,
            arguments.budget,
            arguments.out,
            workers=arguments.workers,
            progress=not arguments.no_progress,
        )
        print(
            f"{summary.completed} runs completed, {summary.already_done} already done, "
            f"{summary.skipped} (problem, sampler) pairs skipped, {summary.errors} errors; "
            f"results in {arguments.out}",
            file=sys.stderr,
        )
        return 1 if summary.errors else 0
    if arguments.command == "report":
        written = write_report(
            arguments.input, arguments.out, checkpoints=arguments.checkpoints, title=arguments.title
        )
        for path in written:
            print(path)
        return 0
    for name, problem in sorted(PROBLEMS.items()):
        print(f"problem  {name:<20} {problem.kind:<10} f* = {problem.f_star!r}")
    for name, adapter in ADAPTERS.items():
        reason = adapter.unavailable_reason()
        print(f"sampler  {name:<20} {'available' if reason is None else 'missing: ' + reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
