"""The ``tunekit`` command: studies and trials from the shell, and workers for schedulers.

Optuna's command names and flags (``--study-name``, ``--storage``, ``-f table|json|yaml``) so its
CLI docs apply; ``TUNEKIT_STORAGE`` is the default ``--storage``. Bad input ends with one line
on stderr and exit status 1, never a traceback.

Example
-------
.. code-block:: bash

    export TUNEKIT_STORAGE=sqlite:///runs.db
    tunekit create-study --study-name demo --direction maximize
    tunekit ask --study-name demo --search-space '{"x": {"name": "FloatDistribution",
        "attributes": {"low": 0, "high": 1}}}'
    tunekit tell --study-name demo --trial-number 0 --values 0.9
    tunekit best-trial --study-name demo -f json
    tunekit worker --study-name demo --objective mypkg.train:objective --n-trials 50
    tunekit plot optimization-history --study-name demo --out history.png
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.util
import json
import math
import os
import pathlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tunekit.exceptions import CLIUsageError, TunekitError

_STORAGE_ENV = "TUNEKIT_STORAGE"


# ----------------------------------------------------------------------------- output


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.timedelta)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "name") and type(value).__module__.startswith("tunekit"):
        return value.name  # enums: TrialState, StudyDirection
    return value


def _format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    header = "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |"
    body = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    return "\n".join([rule, header, rule, *body, rule])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _print(rows: list[dict[str, Any]] | dict[str, Any], fmt: str) -> None:
    rows = _jsonable(rows)
    if fmt == "json":
        print(json.dumps(rows, indent=2))
    elif fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise CLIUsageError("-f yaml needs PyYAML: pip install pyyaml.") from None
        print(yaml.safe_dump(rows, sort_keys=False).rstrip())
    else:
        print(_format_table(rows if isinstance(rows, list) else [rows]))


def _trial_row(trial: Any, flatten: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {"number": trial.number}
    if trial.values is not None and len(trial.values) > 1:
        row["values"] = trial.values
    else:
        row["value"] = trial.values[0] if trial.values else None
    row.update(
        {
            "datetime_start": trial.datetime_start,
            "datetime_complete": trial.datetime_complete,
            "duration": trial.duration,
            "params": trial.params,
            "user_attrs": trial.user_attrs,
            "state": trial.state.name,
        }
    )
    if flatten:
        params = row.pop("params")
        attrs = row.pop("user_attrs")
        row.update({f"params_{k}": v for k, v in params.items()})
        row.update({f"user_attrs_{k}": v for k, v in attrs.items()})
    return row


# ---------------------------------------------------------------------------- commands


def _storage_url(args: argparse.Namespace) -> str:
    # The command's own --storage, then the one given before the command (Optuna's place).
    url = args.storage or getattr(args, "global_storage", None) or os.environ.get(_STORAGE_ENV)
    if not url:
        raise CLIUsageError(f"--storage is required (or set {_STORAGE_ENV}).")
    return url


def _load(args: argparse.Namespace, sampler: Any = None):
    import tunekit

    return tunekit.load_study(
        study_name=args.study_name, storage=_storage_url(args), sampler=sampler
    )


def _cmd_create_study(args: argparse.Namespace) -> None:
    import tunekit

    study = tunekit.create_study(
        storage=_storage_url(args),
        study_name=args.study_name,
        direction=args.direction,
        directions=args.directions,
        load_if_exists=args.skip_if_exists,
    )
    print(study.study_name)


def _cmd_delete_study(args: argparse.Namespace) -> None:
    import tunekit

    tunekit.delete_study(study_name=args.study_name, storage=_storage_url(args))


def _cmd_study_names(args: argparse.Namespace) -> None:
    import tunekit

    for name in tunekit.get_all_study_names(_storage_url(args)):
        print(name)


def _cmd_studies(args: argparse.Namespace) -> None:
    import tunekit

    rows = []
    for summary in tunekit.get_all_study_summaries(_storage_url(args), include_best_trial=False):
        rows.append(
            {
                "name": summary.study_name,
                "direction": [d.name for d in summary.directions],
                "n_trials": summary.n_trials,
                "datetime_start": summary.datetime_start,
            }
        )
    _print(rows, args.format)


def _cmd_set_user_attr(args: argparse.Namespace) -> None:
    _load(args).set_user_attr(args.key, args.value)


def _cmd_trials(args: argparse.Namespace) -> None:
    trials = _load(args).get_trials(deepcopy=False)
    _print([_trial_row(t, args.flatten) for t in trials], args.format)


def _cmd_best_trial(args: argparse.Namespace) -> None:
    _print(_trial_row(_load(args).best_trial, args.flatten), args.format)


def _cmd_best_trials(args: argparse.Namespace) -> None:
    _print([_trial_row(t, args.flatten) for t in _load(args).best_trials], args.format)


def _parse_json_arg(name: str, text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CLIUsageError(f"{name} is not valid JSON ({error.msg}): {text!r}.") from None


def _make_sampler(name: str | None, kwargs_text: str | None) -> Any:
    if name is None:
        if kwargs_text is not None:
            raise CLIUsageError("--sampler-kwargs needs --sampler.")
        return None
    import tunekit.samplers

    cls = getattr(tunekit.samplers, name, None)
    if cls is None:
        raise CLIUsageError(f"--sampler {name!r} is not a sampler in tunekit.samplers.")
    kwargs = _parse_json_arg("--sampler-kwargs", kwargs_text) or {}
    if not isinstance(kwargs, dict):
        raise CLIUsageError(f"--sampler-kwargs must be a JSON object, got {kwargs_text!r}.")
    return cls(**kwargs)


def _cmd_ask(args: argparse.Namespace) -> None:
    from tunekit.distributions import json_to_distribution

    space = _parse_json_arg("--search-space", args.search_space) or {}
    if not isinstance(space, dict):
        raise CLIUsageError(f"--search-space must be a JSON object, got {args.search_space!r}.")
    distributions = {}
    for name, text in space.items():
        try:
            distributions[name] = json_to_distribution(json.dumps(text))
        except (ValueError, TypeError, KeyError) as error:
            raise CLIUsageError(f"--search-space: parameter {name!r}: {error}") from None
    study = _load(args, sampler=_make_sampler(args.sampler, args.sampler_kwargs))
    trial = study.ask(fixed_distributions=distributions)
    _print({"number": trial.number, "params": trial.params}, args.format)


def _cmd_tell(args: argparse.Namespace) -> None:
    from tunekit.trial import TrialState

    state = None if args.state is None else TrialState[args.state.upper()]
    values = args.values
    if values is not None and len(values) == 1:
        values = values[0]
    _load(args).tell(args.trial_number, values, state=state, skip_if_finished=args.skip_if_finished)


def _cmd_storage_upgrade(args: argparse.Namespace) -> None:
    try:
        from tunekit.storages.rdb import upgrade
    except ImportError as error:
        raise CLIUsageError(f"storage upgrade needs the RDB storage: {error}") from None
    upgrade(_storage_url(args))


def _import_objective(spec: str) -> Callable[..., Any]:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise CLIUsageError(
            f"--objective must look like module:function or file.py:function, got {spec!r}."
        )
    if module_name.endswith(".py"):
        path = pathlib.Path(module_name)
        if not path.is_file():
            raise CLIUsageError(f"--objective: no file {module_name!r}.")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise CLIUsageError(f"--objective: cannot import {module_name!r}: {error}") from None
    objective = getattr(module, attr, None)
    if not callable(objective):
        raise CLIUsageError(f"--objective: {module_name!r} has no callable {attr!r}.")
    return objective


def _cmd_worker(args: argparse.Namespace) -> None:
    objective = _import_objective(args.objective)
    study = _load(args, sampler=_make_sampler(args.sampler, args.sampler_kwargs))
    study.optimize(objective, n_trials=args.n_trials, timeout=args.timeout)


# Names of `tunekit plot KIND`: the plot_* functions of tunekit.visualization, dashed.
_PLOT_KINDS = (
    "contour",
    "edf",
    "intermediate-values",
    "optimization-history",
    "parallel-coordinate",
    "param-importances",
    "pareto-front",
    "slice",
    "timeline",
)
_PLOTS_WITH_PARAMS = {"contour", "parallel-coordinate", "param-importances", "slice"}
_PLOTS_WITH_TARGET = _PLOTS_WITH_PARAMS | {"edf", "optimization-history"}


def _cmd_plot(args: argparse.Namespace) -> None:
    kind = args.kind.replace("_", "-")
    if kind not in _PLOT_KINDS:
        raise CLIUsageError(
            f"unknown plot kind {args.kind!r}; choose one of {', '.join(_PLOT_KINDS)}"
        )
    out = pathlib.Path(args.out)
    if not out.parent.is_dir():
        raise CLIUsageError(f"--out {args.out!r}: directory {str(out.parent)!r} does not exist")
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError("plots need matplotlib: pip install 'tunekit[plots]'") from error
    matplotlib.use("Agg")  # files only: no window, no display needed

    import numpy as np

    from tunekit import visualization

    study = _load(args)
    kwargs: dict[str, Any] = {}
    if args.params is not None:
        if kind not in _PLOTS_WITH_PARAMS:
            raise CLIUsageError(f"--params does not apply to the {kind} plot")
        kwargs["params"] = args.params
    if args.target_index is not None or args.target_name is not None:
        if kind not in _PLOTS_WITH_TARGET:
            raise CLIUsageError(f"--target-index/--target-name do not apply to the {kind} plot")
    if args.target_index is not None:
        n_objectives = len(study.directions)
        if not 0 <= args.target_index < n_objectives:
            raise CLIUsageError(
                f"--target-index {args.target_index}: the study has {n_objectives} objective(s)"
            )
        index = args.target_index
        kwargs["target"] = lambda trial: trial.values[index]
    if args.target_name is not None:
        kwargs["target_name"] = args.target_name
    plot = getattr(visualization, "plot_" + kind.replace("-", "_"))
    axes = np.atleast_1d(plot(study, **kwargs))
    figure = axes.flat[0].figure
    figure.savefig(out, dpi=args.dpi, bbox_inches="tight")
    print(out)


# ------------------------------------------------------------------------------ parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tunekit", description="tunekit studies from the shell.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    # Optuna's options before the command: `optuna --storage URL trials --study-name s` runs
    # as `tunekit --storage URL trials --study-name s`.
    parser.add_argument(
        "--storage", dest="global_storage", default=None, help="database URL for the command"
    )
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="count", default=0, help="log more")
    loudness.add_argument("-q", "--quiet", action="count", default=0, help="log less")
    parser.add_argument("--log-file", default=None, help="also write the log to this file")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    commands = parser.add_subparsers(dest="command")
    help_cmd = commands.add_parser("help", help="Show the help of tunekit or of a command.")
    help_cmd.add_argument("topic", nargs="?", default=None, help="a command")
    help_cmd.set_defaults(handler=None)

    def command(
        name: str, handler: Callable, help_text: str, study: bool = True, fmt: bool = False
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--storage", help=f"database URL (default: ${_STORAGE_ENV})")
        if study:
            sub.add_argument("--study-name", required=True, help="the study's name")
        if fmt:
            sub.add_argument("-f", "--format", choices=["table", "json", "yaml"], default="table")
        sub.set_defaults(handler=handler)
        return sub

    sub = command("create-study", _cmd_create_study, "Create a study; print its name.", study=False)
    sub.add_argument("--study-name", default=None)
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--direction", choices=["minimize", "maximize"], default=None)
    group.add_argument("--directions", nargs="+", choices=["minimize", "maximize"], default=None)
    sub.add_argument("--skip-if-exists", action="store_true", help="load the study if it exists")

    command("delete-study", _cmd_delete_study, "Delete a study and its trials.")
    command("study-names", _cmd_study_names, "List the studies' names.", study=False)
    command("studies", _cmd_studies, "List the studies.", study=False, fmt=True)

    study_cmd = commands.add_parser("study", help="Study subcommands.")
    study_sub = study_cmd.add_subparsers(dest="study_command")
    sub = study_sub.add_parser("set-user-attr", help="Set a user attribute of a study.")
    sub.add_argument("--storage")
    sub.add_argument("--study-name", required=True)
    sub.add_argument("-k", "--key", required=True)
    sub.add_argument("-v", "--value", required=True)
    sub.set_defaults(handler=_cmd_set_user_attr)

    for name, handler, text in (
        ("trials", _cmd_trials, "List a study's trials."),
        ("best-trial", _cmd_best_trial, "Show the best trial."),
        ("best-trials", _cmd_best_trials, "Show the Pareto-front trials."),
    ):
        sub = command(name, handler, text, fmt=True)
        sub.add_argument("--flatten", action="store_true", help="one column per param / attr")

    sub = command("ask", _cmd_ask, "Start a trial; print its number and params.", fmt=True)
    sub.set_defaults(format="json")  # as in Optuna: scripts parse what `ask` prints
    sub.add_argument("--search-space", default=None, help="JSON: name -> distribution JSON")
    sub.add_argument("--sampler", default=None, help="a class in tunekit.samplers")
    sub.add_argument("--sampler-kwargs", default=None, help="JSON keyword arguments")

    sub = command("tell", _cmd_tell, "Finish a trial with its value(s) or state.")
    sub.add_argument("--trial-number", type=int, required=True)
    sub.add_argument("--values", type=float, nargs="+", default=None)
    sub.add_argument("--state", choices=["complete", "pruned", "fail"], default=None)
    sub.add_argument("--skip-if-finished", action="store_true")

    storage_cmd = commands.add_parser("storage", help="Storage subcommands.")
    storage_sub = storage_cmd.add_subparsers(dest="storage_command")
    sub = storage_sub.add_parser("upgrade", help="Upgrade a database's schema to this version.")
    sub.add_argument("--storage")
    sub.set_defaults(handler=_cmd_storage_upgrade)

    sub = command("worker", _cmd_worker, "Run trials of a study (one worker process).")
    sub.add_argument("--objective", required=True, help="module:function or file.py:function")
    sub.add_argument("--n-trials", type=int, default=None)
    sub.add_argument("--timeout", type=float, default=None)
    sub.add_argument("--sampler", default=None, help="a class in tunekit.samplers")
    sub.add_argument("--sampler-kwargs", default=None, help="JSON keyword arguments")

    sub = command(
        "plot", _cmd_plot, "Draw a plot of a study into an image file (needs matplotlib)."
    )
    sub.add_argument("kind", help=f"one of: {', '.join(_PLOT_KINDS)}")
    sub.add_argument("--out", required=True, help="the image file; its suffix picks the format")
    sub.add_argument("--params", nargs="+", default=None, help="the parameters to plot")
    sub.add_argument("--target-index", type=int, default=None, help="objective to plot (0-based)")
    sub.add_argument("--target-name", default=None, help="the objective's axis label")
    sub.add_argument("--dpi", type=int, default=100)
    return parser


def _configure_logging(args: argparse.Namespace) -> None:
    import logging as std_logging

    from tunekit import logging

    if args.verbose or args.quiet:
        # Each -v one level more (INFO, then DEBUG), each -q one level less (ERROR, CRITICAL).
        levels = [logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG]
        index = min(max(2 + args.verbose - args.quiet, 0), len(levels) - 1)
        logging.set_verbosity(levels[index])
    if args.log_file:
        handler = std_logging.FileHandler(args.log_file)
        handler.setFormatter(std_logging.Formatter("[%(levelname)s %(asctime)s] %(message)s"))
        std_logging.getLogger("tunekit").addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tunekit`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from tunekit.version import __version__

        print(__version__)
        return 0
    if args.command == "help":
        if args.topic is None:
            parser.print_help()
            return 0
        parser.parse_args([args.topic, "--help"])  # prints the command's help and exits 0
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    _configure_logging(args)
    try:
        handler(args)
    except (TunekitError, KeyError, ValueError, TypeError, ImportError, RuntimeError) as error:
        if args.debug:
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"tunekit {args.command}: error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
