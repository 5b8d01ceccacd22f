"""Sampler adapters: run one benchmark problem with one optimiser for one seed and budget.

Every adapter answers three questions: is the optimiser installed (:meth:`SamplerAdapter.
unavailable_reason`), can it search this problem's space (:meth:`SamplerAdapter.
unsupported_reason`), and what happened when it ran (:meth:`SamplerAdapter.run`, which returns
the objective values in evaluation order plus the wall time and the time spent inside the
objective).  Optimisers that are missing are skipped with a message, never an import error.

Define-by-run frameworks (tunekit, Optuna) run ``problem.objective`` directly through
``study.optimize``.  Hyperopt and scikit-optimize need their search space up front: it is
derived by :func:`record_search_space`, which runs the problem's search space with a
:class:`RecordingTrial` once per combination of categorical choices, and
:func:`translate_params` maps the optimiser's answer back to the parameter dict that
``problem.objective`` receives through :class:`~benchmarks.problems.FixedParamsTrial`.

Time inside the objective excludes the time spent in ``trial.suggest_*``, ``report`` and
``should_prune``: for a define-by-run sampler that is where the sampling happens, so it counts
as framework time.
"""

from __future__ import annotations

import importlib
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.problems import FixedParamsTrial, Problem
from benchmarks.problems.ml import BenchmarkTrialPruned

__all__ = [
    "ADAPTERS",
    "ParamSpec",
    "RecordingTrial",
    "RunResult",
    "SamplerAdapter",
    "SearchSpace",
    "UnsupportedSearchSpace",
    "get_adapter",
    "record_search_space",
    "translate_params",
]

# A space with more categorical combinations than this is not enumerated.
MAX_CATEGORICAL_COMBINATIONS = 256
# scikit-optimize's default number of random initial points, capped by the budget.
SKOPT_INITIAL_POINTS = 10


# --------------------------------------------------------------------------- search spaces


class UnsupportedSearchSpace(Exception):
    """The problem's search space cannot be expressed for this optimiser."""


@dataclass(frozen=True)
class ParamSpec:
    """One parameter as the objective suggested it.

    Parameters
    ----------
    name
        Parameter name.
    kind
        ``"float"``, ``"int"`` or ``"categorical"``.
    low, high, step, log
        Range of a numeric parameter (``step`` is ``None`` for a continuous float).
    choices
        Choices of a categorical parameter.
    """

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    @property
    def n_grid_points(self) -> int:
        """Number of values of a stepped numeric parameter (``low + k * step``)."""
        assert self.step is not None
        return int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1

    def placeholder(self) -> Any:
        """A valid value used while recording (the (log-)midpoint, snapped to the grid)."""
        if self.kind == "categorical":
            return self.choices[0]
        middle = math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2.0
        if self.step is not None:
            middle = self.low + round((middle - self.low) / self.step) * self.step
            middle = min(middle, self.low + (self.n_grid_points - 1) * self.step)
        return int(middle) if self.kind == "int" else float(middle)


@dataclass
class SpaceNode:
    """A node of the tree of categorical choices.

    ``params`` are the parameters first suggested on this node (before ``branch``, the
    categorical whose value decides what comes next); ``children[i]`` follows choice ``i``.
    """

    params: list[ParamSpec]
    branch: ParamSpec | None = None
    children: list[SpaceNode] = field(default_factory=list)

    def leaves(self, prefix: tuple[ParamSpec, ...] = ()) -> Iterator[tuple[ParamSpec, ...]]:
        """Every root-to-leaf path as the tuple of the parameters active on it."""
        here = prefix + tuple(self.params) + ((self.branch,) if self.branch else ())
        if not self.children:
            yield here
        for child in self.children:
            yield from child.leaves(here)

    def all_params(self) -> Iterator[ParamSpec]:
        """Every parameter in the tree, once per node where it appears."""
        yield from self.params
        if self.branch is not None:
            yield self.branch
        for child in self.children:
            yield from child.all_params()


@dataclass(frozen=True)
class SearchSpace:
    """A problem's search space, derived by :func:`record_search_space`.

    ``flat`` lists the parameters of a fixed-dimension space (the same parameters whatever the
    categorical choices) and is ``None`` for a conditional space; ``tree`` is always set.
    """

    tree: SpaceNode
    flat: tuple[ParamSpec, ...] | None

    @property
    def is_conditional(self) -> bool:
        """Whether the active parameters depend on categorical choices."""
        return self.flat is None


class _OpenChoice(Exception):
    """Raised by :class:`RecordingTrial` at the first categorical with no forced value."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec.name)
        self.spec = spec


class RecordingTrial:
    """A trial that records the distributions an objective asks for.

    Numeric suggestions return a placeholder inside the range; a categorical returns its forced
    value from ``forced`` or, if it has none, stops the objective so that the caller can
    explore each choice in turn.

    Parameters
    ----------
    forced
        Categorical name -> value to return.

    Example
    -------
    >>> trial = RecordingTrial()
    >>> trial.suggest_float("x", 0.0, 2.0)
    1.0
    >>> [spec.name for spec in trial.recorded]
    ['x']
    """

    def __init__(self, forced: Mapping[str, Any] | None = None) -> None:
        self.forced = dict(forced or {})
        self.recorded: list[ParamSpec] = []
        self._values: dict[str, Any] = {}

    def _suggest(self, spec: ParamSpec) -> Any:
        if spec.name in self._values:
            return self._values[spec.name]
        if spec.kind == "categorical":
            if spec.name not in self.forced:
                raise _OpenChoice(spec)
            value = self.forced[spec.name]
        else:
            value = spec.placeholder()
        self.recorded.append(spec)
        self._values[spec.name] = value
        return value

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        spec = ParamSpec(name, "float", float(low), float(high), step, log)
        return self._suggest(spec)

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        return self._suggest(ParamSpec(name, "int", int(low), int(high), int(step), log))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        return self._suggest(ParamSpec(name, "categorical", choices=tuple(choices)))

    def report(self, value: float, step: int) -> None:
        """Ignored."""

    def should_prune(self) -> bool:
        """Always ``True``: a learning-curve objective stops after its first report."""
        return True


def _run_recording(problem: Problem, forced: Mapping[str, Any]) -> tuple[list[ParamSpec], Any]:
    trial = RecordingTrial(forced)
    # ML problems expose their search space separately, which avoids training a model.
    space_function = getattr(problem, "search_space", None) or problem.objective
    try:
        space_function(trial)
    except _OpenChoice as open_choice:
        return trial.recorded, open_choice.spec
    except Exception:  # noqa: BLE001 -- e.g. a pruning signal after the first report
        pass
    return trial.recorded, None


def record_search_space(problem: Problem) -> SearchSpace:
    """Derive ``problem``'s search space by running it with :class:`RecordingTrial`.

    Every combination of categorical choices that the objective reaches is explored, so a
    conditional space (parameters that exist only for some choices) is found as a tree.  The
    objective's control flow may depend on categorical values only, not on numeric ones.

    Raises
    ------
    UnsupportedSearchSpace
        If there are more than ``MAX_CATEGORICAL_COMBINATIONS`` combinations.
    """
    n_leaves = 0

    def explore(forced: dict[str, Any], seen: frozenset[str]) -> SpaceNode:
        nonlocal n_leaves
        recorded, open_spec = _run_recording(problem, forced)
        node = SpaceNode([spec for spec in recorded if spec.name not in seen])
        if open_spec is None:
            n_leaves += 1
            if n_leaves > MAX_CATEGORICAL_COMBINATIONS:
                raise UnsupportedSearchSpace(
                    f"{problem.name}: more than {MAX_CATEGORICAL_COMBINATIONS} "
                    "combinations of categorical choices"
                )
            return node
        node.branch = open_spec
        below = seen | {spec.name for spec in node.params} | {open_spec.name}
        node.children = [
            explore({**forced, open_spec.name: choice}, below) for choice in open_spec.choices
        ]
        return node

    tree = explore({}, frozenset())
    leaves = list(tree.leaves())
    first = leaves[0]
    same_everywhere = all(
        sorted(leaf, key=_by_name) == sorted(first, key=_by_name) for leaf in leaves
    )
    return SearchSpace(tree=tree, flat=first if same_everywhere else None)


def _by_name(spec: ParamSpec) -> str:
    return spec.name


# --------------------------------------------------------------------------- value decoding


def _decode(spec: ParamSpec, raw: Any) -> Any:
    """Map an optimiser's raw answer for ``spec`` to the value the objective expects.

    Categoricals arrive as choice indices; stepped numerics as grid indices; everything is
    clipped into range (``exp(log(high))`` can overshoot ``high`` by an ulp).
    """
    if spec.kind == "categorical":
        index = min(max(int(round(float(raw))), 0), len(spec.choices) - 1)
        return spec.choices[index]
    if spec.step is not None and not spec.log:
        index = min(max(int(round(float(raw))), 0), spec.n_grid_points - 1)
        value = spec.low + index * spec.step
    else:
        value = float(raw)
        if spec.kind == "int":
            value = round(value)
    value = min(max(value, spec.low), spec.high)
    return int(value) if spec.kind == "int" else float(value)


def translate_params(space: SearchSpace, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn an optimiser's answer (flat dict, or hyperopt's nested one) into ``params``.

    Example
    -------
    >>> spec = ParamSpec("units", "int", 1, 8)
    >>> translate_params(SearchSpace(SpaceNode([spec]), (spec,)), {"units": 3.0})
    {'units': 3}
    """
    if space.flat is not None:
        return {spec.name: _decode_or_constant(spec, raw) for spec in space.flat}
    params: dict[str, Any] = {}

    def walk(node: SpaceNode, answer: Mapping[str, Any]) -> None:
        for spec in node.params:
            params[spec.name] = _decode_or_constant(spec, answer)
        if node.branch is not None:
            chosen = answer[_BRANCH_PREFIX + node.branch.name]
            index = int(chosen[_INDEX_KEY])
            params[node.branch.name] = node.branch.choices[index]
            walk(node.children[index], chosen)

    walk(space.tree, raw)
    return params


def _is_searched(spec: ParamSpec) -> bool:
    """Whether the optimiser sees ``spec`` (a numeric range of one value is a constant)."""
    return spec.kind == "categorical" or spec.low != spec.high


def _decode_or_constant(spec: ParamSpec, answer: Mapping[str, Any]) -> Any:
    if not _is_searched(spec):
        return int(spec.low) if spec.kind == "int" else float(spec.low)
    return _decode(spec, answer[spec.name])


_BRANCH_PREFIX = "__branch__"
_INDEX_KEY = "__index__"


# --------------------------------------------------------------------------- timing


class _TimedTrial:
    """Forwards the trial API to ``trial`` and adds up the seconds spent in it."""

    def __init__(self, trial: Any) -> None:
        self._trial = trial
        self.framework_seconds = 0.0

    def _timed(self, method: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return getattr(self._trial, method)(*args, **kwargs)
        finally:
            self.framework_seconds += time.perf_counter() - start

    def suggest_float(self, *args: Any, **kwargs: Any) -> float:
        return self._timed("suggest_float", *args, **kwargs)

    def suggest_int(self, *args: Any, **kwargs: Any) -> int:
        return self._timed("suggest_int", *args, **kwargs)

    def suggest_categorical(self, *args: Any, **kwargs: Any) -> Any:
        return self._timed("suggest_categorical", *args, **kwargs)

    def report(self, *args: Any, **kwargs: Any) -> None:
        self._timed("report", *args, **kwargs)

    def should_prune(self) -> bool:
        return self._timed("should_prune")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._trial, name)


@dataclass
class RunResult:
    """What one optimisation run produced.

    ``values`` are the objective values in evaluation order (NaN for a failed or pruned
    evaluation); ``objective_seconds`` is the time inside the objective, excluding the trial
    API calls.
    """

    values: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    objective_seconds: float = 0.0

    def evaluate(self, problem: Problem, trial: Any) -> float:
        """Run ``problem.objective`` on ``trial``, record its value and its own time."""
        timed = _TimedTrial(trial)
        start = time.perf_counter()
        value = math.nan
        try:
            value = float(problem.objective(timed))
        finally:
            self.objective_seconds += time.perf_counter() - start - timed.framework_seconds
            self.values.append(value)
        return value


def _set_torch_threads() -> None:
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


# --------------------------------------------------------------------------- adapters


@dataclass(frozen=True)
class SamplerAdapter:
    """Runs one optimiser on a benchmark problem.

    Parameters
    ----------
    name
        Name on the command line, e.g. ``"optuna-tpe"``.
    framework
        ``"tunekit"``, ``"optuna"``, ``"hyperopt"`` or ``"skopt"``.
    modules
        Modules that must import for the adapter to be available.
    run_function
        ``run_function(problem, seed, budget) -> RunResult``.
    needs_flat_space
        Whether a conditional search space is unsupported.
    needs_static_space
        Whether the optimiser needs the search space before the first evaluation.

    Example
    -------
    >>> from benchmarks.problems import get_problem
    >>> adapter = get_adapter("tunekit-random")
    >>> adapter.unavailable_reason() is None
    True
    >>> len(adapter.run(get_problem("branin"), seed=0, budget=3).values)
    3
    """

    name: str
    framework: str
    modules: tuple[str, ...]
    run_function: Callable[[Problem, int, int], RunResult] = field(repr=False)
    needs_flat_space: bool = False
    needs_static_space: bool = False

    def unavailable_reason(self) -> str | None:
        """``None`` if the optimiser can be used, else why not."""
        for module in self.modules:
            module_name, _, attribute = module.partition(":")
            try:
                imported = importlib.import_module(module_name)
                if attribute:
                    getattr(imported, attribute)
            except Exception as error:  # noqa: BLE001 -- any import failure means "skip"
                what = f"{module_name}.{attribute}" if attribute else module_name
                return f"{what} is not importable ({type(error).__name__}: {error})"
        return None

    def unsupported_reason(self, problem: Problem) -> str | None:
        """``None`` if this optimiser can search ``problem``'s space, else why not."""
        if not self.needs_static_space:
            return None
        try:
            space = record_search_space(problem)
            if space.is_conditional and self.needs_flat_space:
                return "conditional search space (parameters depend on categorical choices)"
            if self.framework == "hyperopt":
                _hyperopt_space(space)
        except UnsupportedSearchSpace as error:
            return str(error)
        return None

    def run(self, problem: Problem, seed: int, budget: int) -> RunResult:
        """Minimise ``problem`` for ``budget`` evaluations with ``seed``."""
        if budget < 1:
            raise ValueError(f"budget must be a positive integer, got {budget!r}")
        _set_torch_threads()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.run_function(problem, seed, budget)


def _run_define_by_run(
    problem: Problem,
    budget: int,
    framework: Any,
    sampler: Any,
    pruner: Any,
) -> RunResult:
    """Run ``problem.objective`` through ``framework.create_study(...).optimize``."""
    result = RunResult()
    pruned_class = framework.TrialPruned

    def objective(trial: Any) -> float:
        try:
            return result.evaluate(problem, trial)
        except BenchmarkTrialPruned as pruned:
            # The timing proxy hides the trial's package from the problem: re-raise the
            # framework's own pruning signal.
            raise pruned_class(str(pruned)) from pruned

    start = time.perf_counter()
    study = framework.create_study(sampler=sampler, pruner=pruner, direction="minimize")
    _set_torch_threads()
    study.optimize(objective, n_trials=budget, catch=(Exception,))
    result.wall_seconds = time.perf_counter() - start
    return result


def _run_tunekit(sampler_path: str) -> Callable[[Problem, int, int], RunResult]:
    module_name, _, class_name = sampler_path.partition(":")

    def run(problem: Problem, seed: int, budget: int) -> RunResult:
        import tunekit
        from tunekit.pruners import NopPruner

        tunekit.logging.set_verbosity(tunekit.logging.ERROR)
        sampler_class = getattr(importlib.import_module(module_name), class_name)
        return _run_define_by_run(problem, budget, tunekit, sampler_class(seed=seed), NopPruner())

    return run


def _run_optuna(class_name: str, **options: Any) -> Callable[[Problem, int, int], RunResult]:
    def run(problem: Problem, seed: int, budget: int) -> RunResult:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        sampler = getattr(optuna.samplers, class_name)(seed=seed, **options)
        return _run_define_by_run(problem, budget, optuna, sampler, optuna.pruners.NopPruner())

    return run


# ----- hyperopt


def _hyperopt_param(spec: ParamSpec) -> Any:
    from hyperopt import hp

    if spec.kind == "categorical":
        return hp.choice(spec.name, list(range(len(spec.choices))))
    if spec.step is not None and not spec.log:
        # Grid index 0 .. n-1, each with equal mass; decoded by _decode.
        return hp.quniform(spec.name, -0.5, spec.n_grid_points - 0.5, 1)
    if spec.log:
        if spec.kind == "int":
            return hp.qloguniform(spec.name, math.log(spec.low - 0.5), math.log(spec.high + 0.5), 1)
        return hp.loguniform(spec.name, math.log(spec.low), math.log(spec.high))
    return hp.uniform(spec.name, spec.low, spec.high)


def _hyperopt_space(space: SearchSpace) -> dict[str, Any]:
    """Hyperopt's space: a flat dict, or nested ``hp.choice`` of dicts for a conditional one."""
    from hyperopt import hp

    names = [spec.name for spec in (space.flat or tuple(space.tree.all_params()))]
    if len(names) != len(set(names)):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise UnsupportedSearchSpace(
            f"parameters {repeated} appear under several categorical branches; "
            "hyperopt labels must be unique"
        )

    def numeric(specs: Sequence[ParamSpec]) -> dict[str, Any]:
        return {spec.name: _hyperopt_param(spec) for spec in specs if _is_searched(spec)}

    if space.flat is not None:
        return numeric(space.flat)

    def node_space(node: SpaceNode) -> dict[str, Any]:
        answer = numeric(node.params)
        if node.branch is not None:
            options = [
                {_INDEX_KEY: index, **node_space(child)}
                for index, child in enumerate(node.children)
            ]
            answer[_BRANCH_PREFIX + node.branch.name] = hp.choice(node.branch.name, options)
        return answer

    return node_space(space.tree)


def _run_hyperopt(problem: Problem, seed: int, budget: int) -> RunResult:
    import hyperopt
    import numpy as np

    space = record_search_space(problem)
    result = RunResult()

    def objective(raw: Mapping[str, Any]) -> dict[str, Any]:
        params = translate_params(space, raw)
        try:
            loss = result.evaluate(problem, FixedParamsTrial(params))
        except Exception as error:  # noqa: BLE001 -- a failed evaluation is data
            return {"status": hyperopt.STATUS_FAIL, "error": repr(error)}
        if math.isnan(loss):
            return {"status": hyperopt.STATUS_FAIL}
        return {"status": hyperopt.STATUS_OK, "loss": loss}

    start = time.perf_counter()
    hyperopt.fmin(
        objective,
        _hyperopt_space(space),
        algo=hyperopt.tpe.suggest,
        max_evals=budget,
        trials=hyperopt.Trials(),
        rstate=np.random.default_rng(seed),
        show_progressbar=False,
        return_argmin=False,
    )
    result.wall_seconds = time.perf_counter() - start
    return result


# ----- scikit-optimize


def _skopt_dimension(spec: ParamSpec) -> Any:
    from skopt.space import Categorical, Integer, Real

    if spec.kind == "categorical":
        return Categorical(list(range(len(spec.choices))), name=spec.name)
    if spec.step is not None and not spec.log:
        return Integer(0, spec.n_grid_points - 1, name=spec.name)
    prior = "log-uniform" if spec.log else "uniform"
    if spec.kind == "int":
        return Integer(int(spec.low), int(spec.high), prior=prior, name=spec.name)
    return Real(spec.low, spec.high, prior=prior, name=spec.name)


def _run_skopt(problem: Problem, seed: int, budget: int) -> RunResult:
    import skopt

    space = record_search_space(problem)
    if space.flat is None:
        raise UnsupportedSearchSpace(f"{problem.name}: conditional space")
    searched = [spec for spec in space.flat if _is_searched(spec)]
    result = RunResult()

    def objective(point: Sequence[Any]) -> float:
        raw = {spec.name: value for spec, value in zip(searched, point, strict=True)}
        return result.evaluate(problem, FixedParamsTrial(translate_params(space, raw)))

    start = time.perf_counter()
    skopt.gp_minimize(
        objective,
        [_skopt_dimension(spec) for spec in searched],
        n_calls=budget,
        n_initial_points=min(SKOPT_INITIAL_POINTS, budget),
        random_state=seed,
    )
    result.wall_seconds = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------- registry


ADAPTERS: dict[str, SamplerAdapter] = {
    adapter.name: adapter
    for adapter in (
        SamplerAdapter(
            "tunekit-random",
            "tunekit",
            ("tunekit.samplers.random:RandomSampler",),
            _run_tunekit("tunekit.samplers.random:RandomSampler"),
        ),
        SamplerAdapter(
            "tunekit-tpe",
            "tunekit",
            ("tunekit.samplers.tpe:TPESampler",),
            _run_tunekit("tunekit.samplers.tpe:TPESampler"),
        ),
        SamplerAdapter(
            "tunekit-gp",
            "tunekit",
            ("tunekit.samplers.gp:GPSampler",),
            _run_tunekit("tunekit.samplers.gp:GPSampler"),
        ),
        SamplerAdapter("optuna-random", "optuna", ("optuna",), _run_optuna("RandomSampler")),
        SamplerAdapter("optuna-tpe", "optuna", ("optuna",), _run_optuna("TPESampler")),
        SamplerAdapter(
            "optuna-gp",
            "optuna",
            ("optuna", "torch"),
            _run_optuna("GPSampler", warn_independent_sampling=False),
        ),
        SamplerAdapter(
            "hyperopt-tpe",
            "hyperopt",
            ("hyperopt",),
            _run_hyperopt,
            needs_static_space=True,
        ),
        SamplerAdapter(
            "skopt-gp",
            "skopt",
            ("skopt",),
            _run_skopt,
            needs_flat_space=True,
            needs_static_space=True,
        ),
    )
}


def get_adapter(name: str) -> SamplerAdapter:
    """Return the adapter called ``name``.

    Raises
    ------
    KeyError
        If there is none; the message lists the known names.
    """
    try:
        return ADAPTERS[name]
    except KeyError:
        known = ", ".join(ADAPTERS)
        raise KeyError(f"unknown sampler {name!r}; known samplers: {known}") from None
