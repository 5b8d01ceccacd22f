"""GPSampler: Bayesian optimisation with a Gaussian process and (log) expected improvement.

The sampler glues the modelling layers of :mod:`tunekit.samplers.gp` to the sampler interface:

1. the relative search space (an :class:`~tunekit.search_space.IntersectionSearchSpace` without
   single-value parameters) is encoded into the internal space of :mod:`.kernel`: numbers through
   :func:`~tunekit.distributions.to_unit` (log first where ``log=True``; linear ints and stepped
   floats become ``k``-point grids, log ints stay continuous and are rounded on the way back),
   categoricals as the choice index;
2. a GP is fitted to the completed trials (values negated when maximising), warm-started from
   the previous fit (past 200 trials the hyper-parameters are refitted after every ``n / 100``
   new trials and kept in between); every second proposal caps the fitted lengthscales at the
   width of the box, so that no dimension is written off as irrelevant for good; other
   workers' RUNNING trials are added as kriging-believer observations;
3. the acquisition (log-EI, log-PI or UCB; log constrained EI with constraints) is maximised by
   :func:`~.optimize.optimize_acquisition` and the optimum mapped back to external values.

Parameters outside the relative search space (conditional or dynamic spaces) and all
parameters of the first ``n_startup_trials`` trials go to the independent sampler.

``torch`` is imported only when the sampler is constructed (the ``tunekit[gp]`` extra).
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tunekit._deprecation import warn_deprecated
from tunekit.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    from_unit,
    n_grid_points,
    to_unit,
)
from tunekit.samplers._constraints import record_constraints
from tunekit.samplers.base import BaseSampler
from tunekit.samplers.random import RandomSampler
from tunekit.search_space import IntersectionSearchSpace
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["GPSampler"]

_logger = logging.getLogger(__name__)

_ACQUISITIONS = ("ei", "pi", "ucb")
_N_WARM_STARTS = 3
_PRIOR_START_EVERY = 5
_REFIT_EVERY_FRACTION = 100
# Every second proposal comes from the model with its lengthscales capped at the width of the
# box (see _sample_relative).
_CAPPED_EVERY = 2
_MAX_LENGTHSCALE = 1.0
# Curvature of the objective model's prior mean, c * sum_j (x_j - 1/2)^2 in standardised units
# (1.5 at a corner of the unit box): keeps exploratory proposals off the box's faces and corners,
# where a stationary kernel's variance is largest (see tunekit/samplers/gp/model.py). Hartmann6,
# 100 evaluations: the global basin found on 83 against 73 of seeds 0-119 and on 80 against 70
# of seeds 200-319; Rosenbrock5 median log10 regret 1.15 -> 0.68 (seeds 0-59), the other four
# problems the same or better. The price: Rosenbrock moved to [-2, 1]^2, its optimum in a
# corner, found exactly by trial 50 on 20 of 30 seeds against 29; Branin with four irrelevant
# parameters (60 evaluations, seeds 0-11) -3.80 -> -3.32, the kernel explaining their share of
# the bowl.
_PRIOR_MEAN_CURVATURE = 1.0


def _import_torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError as error:
        raise ImportError(
            "GPSampler needs PyTorch, which is not installed. Install the extra with "
            "`pip install tunekit[gp]` (or `pip install torch`)."
        ) from error


class GPSampler(BaseSampler):
    """Gaussian-process Bayesian optimisation (Matern-5/2 x Hamming kernel, log-EI).

    Parameters
    ----------
    seed
        Seed of the sampler (the GP restarts, the Sobol sweeps and the independent sampler).
    independent_sampler
        Sampler for the startup trials and for parameters outside the relative search space;
        default :class:`~tunekit.samplers.RandomSampler` seeded with ``seed``.
    n_startup_trials
        Number of completed trials sampled independently before the GP is used.
    deterministic_objective
        Pin the GP's noise variance at a tiny floor instead of fitting it.
    constraints_func
        Deprecated (as in Optuna 5.0; use ``trial.set_constraint(key, value)``):
        ``f(frozen_trial) -> constraint values``, called after each completed or pruned trial;
        ``<= 0`` means feasible. Results are stored in ``system_attrs["constraints"]`` and read
        back, with the named values of ``trial.set_constraint(key, value)``, as
        ``FrozenTrial.constraints``. Either source turns on constrained log-EI: log-EI over the
        best feasible value plus the log probability of feasibility of one GP per constraint
        name.
    warn_independent_sampling
        Log a warning (once per parameter) when a parameter is sampled independently after the
        startup trials.
    acquisition
        ``"ei"`` (log expected improvement, default), ``"pi"`` (log probability of improvement)
        or ``"ucb"`` (upper confidence bound with ``beta``). With constraints only ``"ei"`` is
        available.
    xi
        Exploration margin of EI/PI, ``>= 0``, in the GP's *standardised* units: improvement is
        measured over ``best - xi`` where the objective was standardised to unit spread (its
        values are roughly divided by their standard deviation, see
        :class:`~tunekit.samplers.gp.OutputTransform`). ``xi=0.01`` thus asks for improvements
        of about 1% of the spread of the observed values, whatever the user's scale.
    beta
        Exploration weight of UCB, ``mean + sqrt(beta) * std`` (standardised units); default
        ``2.0``. Only valid with ``acquisition="ucb"``.
    device
        Torch device of the model (``"cpu"`` or ``"cuda"``).

    Notes
    -----
    Multi-objective studies raise :class:`NotImplementedError` at the first GP-based trial.
    The plan: one GP per objective and log expected hypervolume improvement (qLogEHVI) over the
    Pareto front, with the same encoding, pending points and acquisition optimiser.

    The sampler never calls ``torch.set_num_threads``; set it in the calling program.

    Example
    -------
    >>> import tunekit
    >>> sampler = tunekit.samplers.GPSampler(seed=0, n_startup_trials=5)
    >>> study = tunekit.create_study(sampler=sampler)
    >>> study.optimize(lambda t: (t.suggest_float("x", -2, 2) - 1) ** 2, n_trials=12)
    >>> abs(study.best_params["x"] - 1) < 0.1
    True
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        n_startup_trials: int = 10,
        deterministic_objective: bool = False,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        warn_independent_sampling: bool = True,
        acquisition: str = "ei",
        xi: float = 0.0,
        beta: float | None = None,
        device: str = "cpu",
    ) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"GPSampler: `seed` must be an int or None, got {seed!r}.")
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise TypeError(
                "GPSampler: `independent_sampler` must be a BaseSampler or None, got "
                f"{independent_sampler!r}."
            )
        if (
            isinstance(n_startup_trials, bool)
            or not isinstance(n_startup_trials, (int, np.integer))
            or n_startup_trials < 0
        ):
            raise ValueError(
                f"GPSampler: `n_startup_trials` must be an int >= 0, got {n_startup_trials!r}."
            )
        for name, flag in (
            ("deterministic_objective", deterministic_objective),
            ("warn_independent_sampling", warn_independent_sampling),
        ):
            if not isinstance(flag, bool):
                raise TypeError(f"GPSampler: `{name}` must be a bool, got {flag!r}.")
        if constraints_func is not None and not callable(constraints_func):
            raise TypeError(
                f"GPSampler: `constraints_func` must be callable or None, got {constraints_func!r}."
            )
        if acquisition not in _ACQUISITIONS:
            raise ValueError(
                f"GPSampler: `acquisition` must be one of {list(_ACQUISITIONS)}, got "
                f"{acquisition!r}."
            )
        if (
            isinstance(xi, bool)
            or not isinstance(xi, (int, float))
            or not (math.isfinite(xi) and xi >= 0)
        ):
            raise ValueError(f"GPSampler: `xi` must be a finite float >= 0, got {xi!r}.")
        if beta is not None:
            if acquisition != "ucb":
                raise ValueError(
                    f"GPSampler: `beta` is only used with acquisition='ucb', got beta={beta!r} "
                    f"with acquisition={acquisition!r}."
                )
            if (
                isinstance(beta, bool)
                or not isinstance(beta, (int, float))
                or not (math.isfinite(beta) and beta >= 0)
            ):
                raise ValueError(f"GPSampler: `beta` must be a finite float >= 0, got {beta!r}.")
        if acquisition != "ei" and constraints_func is not None:
            raise ValueError(
                f"GPSampler: constraints need acquisition='ei', got acquisition={acquisition!r}."
            )
        torch = _import_torch()
        try:
            torch.device(device)
        except (RuntimeError, TypeError) as error:
            raise ValueError(f"GPSampler: `device` {device!r} is not a torch device.") from error

        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._independent_sampler = (
            RandomSampler(seed=seed) if independent_sampler is None else independent_sampler
        )
        self._n_startup_trials = int(n_startup_trials)
        self._deterministic = deterministic_objective
        if constraints_func is not None:
            warn_deprecated(
                "GPSampler: `constraints_func`", "5.0.0", "`trial.set_constraint(key, value)`"
            )
        self._constraints_func = constraints_func
        self._warn_independent_sampling = warn_independent_sampling
        self._acquisition = acquisition
        self._xi = float(xi)
        self._beta = 2.0 if beta is None else float(beta)
        self._device = device
        self._lock = threading.Lock()
        self._search_space = IntersectionSearchSpace(include_pruned=True)
        self._space_key: tuple[int, int] | None = None
        self._last_params: Any = None
        self._last_fit_n = 0
        self._last_constraint_params: dict[str, Any] = {}
        self._warned: set[str] = set()

    # ----------------------------------------------------------------------------- state

    def reseed_rng(self) -> None:
        with self._lock:
            self._rng = np.random.default_rng()
        self._independent_sampler.reseed_rng()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --------------------------------------------------------------------- the interface

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        with self._lock:
            key = (id(study._storage), study._study_id)
            if key != self._space_key:
                self._space_key = key
                self._search_space = IntersectionSearchSpace(include_pruned=True)
                self._last_params = None
                self._last_constraint_params = {}
            space = self._search_space.calculate(study)
        return {name: dist for name, dist in space.items() if not dist.single()}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        completed = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,), use_cache=True)
        names = sorted(search_space)
        completed = [t for t in completed if all(n in t.params for n in names)]
        if len(completed) < max(self._n_startup_trials, 1):
            return {}
        if study._is_multi_objective():
            raise NotImplementedError(
                "GPSampler does not support multi-objective studies yet (planned: one GP per "
                "objective with log expected hypervolume improvement). Use TPESampler or "
                "NSGAIISampler for multi-objective optimisation."
            )
        with self._lock:
            return self._sample_relative(study, trial, search_space, names, completed)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._warn_independent_sampling and param_name not in self._warned:
            n_complete = len(
                study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,), use_cache=True)
            )
            if n_complete >= max(self._n_startup_trials, 1):
                self._warned.add(param_name)
                _logger.warning(
                    f"The parameter {param_name!r} in trial#{trial.number} is sampled "
                    f"independently by {self._independent_sampler} instead of by the GPSampler "
                    "(it is not in every trial, or it is new). Further warnings for it are "
                    "suppressed."
                )
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        record_constraints("GPSampler", self._constraints_func, study, trial, state, values)
        self._independent_sampler.after_trial(study, trial, state, values)

    # -------------------------------------------------------------------------- sampling

    def _sample_relative(
        self,
        study: Study,
        trial: FrozenTrial,
        search_space: dict[str, BaseDistribution],
        names: list[str],
        completed: list[FrozenTrial],
    ) -> dict[str, Any]:
        from tunekit.samplers.gp.acquisition import (
            LogConstrainedExpectedImprovement,
            LogExpectedImprovement,
            LogProbabilityOfImprovement,
            LowerConfidenceBound,
            add_pending,
        )
        from tunekit.samplers.gp.kernel import SearchSpaceDims
        from tunekit.samplers.gp.model import GaussianProcess, fit_gp
        from tunekit.samplers.gp.optimize import optimize_acquisition

        distributions = [search_space[n] for n in names]
        dims = _dims(distributions)
        X = _encode(distributions, [[t.params[n] for n in names] for t in completed])
        sign = -1.0 if study.direction.name == "MAXIMIZE" else 1.0
        y = _finite(sign * np.array([t.value for t in completed], dtype=np.float64))
        assert isinstance(dims, SearchSpaceDims)

        running = [
            t
            for t in study._get_trials(deepcopy=False, states=(TrialState.RUNNING,), use_cache=True)
            if t.number != trial.number and all(n in t.params for n in names)
        ]
        X_pending = (
            _encode(distributions, [[t.params[n] for n in names] for t in running])
            if running
            else None
        )

        seeds = self._rng.integers(0, 2**31 - 1, size=3)
        n = len(completed)
        if (
            self._last_params is not None
            and self._last_params.dim == dims.dim
            and n - self._last_fit_n < n // _REFIT_EVERY_FRACTION
        ):
            # Long studies: the hyper-parameters of a GP on hundreds of points barely move per
            # trial, and a fit costs tens of O(n^3) factorisations; refit after n/100 new
            # trials (every trial below 200) and otherwise only condition on the new data.
            model = GaussianProcess.from_observations(
                X,
                y,
                dims,
                self._last_params,
                device=self._device,
                mean_curvature=_PRIOR_MEAN_CURVATURE,
            )
        else:
            model = fit_gp(
                X,
                y,
                dims,
                deterministic_objective=self._deterministic,
                initial_params=self._last_params,
                # Warm-started from the previous fit, the posterior mode moves little per
                # trial: the warm start alone suffices, with the prior median as a second start
                # every few trials (a way out of a stale mode); random restarts only for the
                # first fit.
                n_restarts=0 if self._last_params is not None else 2,
                prior_median_start=n % _PRIOR_START_EVERY == 0,
                seed=int(seeds[0]),
                device=self._device,
                mean_curvature=_PRIOR_MEAN_CURVATURE,
            )
            self._last_params = model.params
            self._last_fit_n = n
        if n % _CAPPED_EVERY == 1:
            # A second opinion that keeps every dimension relevant. Once the search has
            # converged in one basin, the points there barely vary along the dimensions the
            # basin is flat in, the fit stretches those lengthscales to several box widths and
            # the acquisition never moves along them again. Capped at one box width (a
            # Matern-5/2 correlation of about 0.5 end to end), they stay uncertain. Hartmann6,
            # 120 seeds (0-71, 100-147), 100 evaluations: the global basin was found on 77
            # seeds with every second proposal capped, 78 with every one, 65 with none (14
            # seeds escaped only with it, 2 only without). The price is paid where parameters
            # really are irrelevant: Branin with four dummy parameters, 60 evaluations, seeds
            # 0-11, median log10 regret -3.77 uncapped, -3.30 capped every second proposal,
            # -1.77 capped every time.
            if np.any(model.params.lengthscales > _MAX_LENGTHSCALE):
                model = model.with_params(_capped_lengthscales(model.params, _MAX_LENGTHSCALE))
        model = add_pending(model, X_pending)

        constraints = [t.constraints for t in completed]
        constrained = self._constraints_func is not None or any(constraints)
        if constrained:
            acquisition = self._constrained_acquisition(
                model,
                X,
                X_pending,
                dims,
                constraints,
                int(seeds[1]),
                fit_gp,
                add_pending,
                LogConstrainedExpectedImprovement,
            )
        elif self._acquisition == "ei":
            acquisition = LogExpectedImprovement(model, xi=self._xi)
        elif self._acquisition == "pi":
            acquisition = LogProbabilityOfImprovement(model, xi=self._xi)
        else:
            acquisition = LowerConfidenceBound(model, beta=self._beta)

        warm_starts = X[np.argsort(y, kind="stable")[:_N_WARM_STARTS]]
        result = optimize_acquisition(
            acquisition,
            dims,
            warm_start_points=warm_starts,
            seed=int(seeds[2]),
            # Ten local starts were no clear gain over five (before the prior mean: Hartmann6 escaped
            # on 77 against 73 of seeds 0-119 and 70 against 70 of seeds 200-319; Branin 0.15
            # better, Hartmann3 0.03 worse, seeds 0-59), for 3-14% more time.
            n_local=5,
            # Forty iterations reach the regrets of two hundred (Branin, Hartmann6, seeds 0-1)
            # at about half the sampler's time.
            max_iter=40,
            lengthscales=model.params.lengthscales,
            device=self._device,
        )
        return _decode(names, distributions, np.asarray(result.x, dtype=np.float64))

    def _constrained_acquisition(
        self,
        model: Any,
        X: np.ndarray,
        X_pending: np.ndarray | None,
        dims: Any,
        constraints: list[dict[str, float]],
        seed: int,
        fit_gp: Callable[..., Any],
        add_pending: Callable[..., Any],
        acquisition_class: Callable[..., Any],
    ) -> Any:
        # A constraint a trial did not record does not bind it (as in Optuna: one set only on
        # some branches of the objective does not apply to the others).
        feasible = np.array([all(v <= 0.0 for v in c.values()) for c in constraints])
        # One GP per constraint name, over every trial: where the name is missing it is taken
        # as satisfied, at the most feasible value seen (or 0). Fitted to the recording trials
        # alone, the model would revert to their (violated) mean away from them and steer the
        # search to wherever it is most uncertain.
        names = list(dict.fromkeys(name for c in constraints for name in c))
        previous = self._last_constraint_params
        constraint_models = []
        new_params = {}
        for i, name in enumerate(names):
            values = np.array([c.get(name, np.nan) for c in constraints], dtype=np.float64)
            missing = np.isnan(values)
            values[missing] = min(0.0, float(np.min(values[~missing])))
            c_model = fit_gp(
                X,
                _finite(values),
                dims,
                deterministic_objective=self._deterministic,
                initial_params=previous.get(name),
                seed=seed + i,
                device=self._device,
            )
            new_params[name] = c_model.params
            constraint_models.append(add_pending(c_model, X_pending))
        self._last_constraint_params = new_params
        return acquisition_class(model, constraint_models, feasible_mask=feasible, xi=self._xi)


# ---------------------------------------------------------------------------- encoding


def _capped_lengthscales(params: Any, max_lengthscale: float) -> Any:
    """``params`` with every lengthscale at most ``max_lengthscale``."""
    array = params.to_array().copy()
    array[: params.dim] = np.minimum(array[: params.dim], math.log(max_lengthscale))
    return type(params).from_array(array)


def _is_stepped(dist: BaseDistribution) -> bool:
    """Linear ints and stepped floats live on a grid; log ints stay continuous (log space)."""
    if isinstance(dist, IntDistribution):
        return not dist.log
    return isinstance(dist, FloatDistribution) and dist.step is not None


def _dims(distributions: list[BaseDistribution]) -> Any:
    from tunekit.samplers.gp.kernel import SearchSpaceDims

    is_categorical = np.array([isinstance(d, CategoricalDistribution) for d in distributions])
    n_steps = np.array(
        [
            n_grid_points(d) if (is_cat or _is_stepped(d)) else 0
            for d, is_cat in zip(distributions, is_categorical, strict=True)
        ],
        dtype=np.int64,
    )
    return SearchSpaceDims(is_categorical=is_categorical, n_steps=n_steps)


def _encode(distributions: list[BaseDistribution], rows: list[list[Any]]) -> np.ndarray:
    """External values (one row per trial) to the internal space, shape ``(n, d)``."""
    X = np.empty((len(rows), len(distributions)), dtype=np.float64)
    for j, dist in enumerate(distributions):
        column = [row[j] for row in rows]
        if isinstance(dist, CategoricalDistribution):
            X[:, j] = [dist.to_internal_repr(v) for v in column]
        else:
            assert isinstance(dist, (FloatDistribution, IntDistribution))
            X[:, j] = to_unit(dist, np.asarray(column, dtype=np.float64))
    return np.clip(X, 0.0, np.inf)


def _decode(names: list[str], distributions: list[BaseDistribution], x: np.ndarray) -> dict:
    """One internal point back to external values by name."""
    from tunekit.samplers.gp.kernel import unit_to_grid_index

    params: dict[str, Any] = {}
    for name, dist, value in zip(names, distributions, x, strict=True):
        if isinstance(dist, CategoricalDistribution):
            index = int(np.clip(int(value), 0, len(dist.choices) - 1))
            params[name] = dist.to_external_repr(index)
            continue
        assert isinstance(dist, (FloatDistribution, IntDistribution))
        if _is_stepped(dist):
            k = n_grid_points(dist)
            index = float(unit_to_grid_index(np.float64(value), k))
            external = min(dist.low + index * dist.step, dist.high)
        else:
            external = float(from_unit(dist, value))
        params[name] = (
            int(round(external)) if isinstance(dist, IntDistribution) else float(external)
        )
    return params


def _finite(values: np.ndarray) -> np.ndarray:
    """Clip infinite values to the finite range (fit_gp rejects them); all-infinite -> 0."""
    finite = np.isfinite(values)
    if finite.all():
        return values
    if not finite.any():
        return np.zeros_like(values)
    low, high = float(values[finite].min()), float(values[finite].max())
    spread = max(high - low, 1.0)
    out = values.copy()
    out[np.isposinf(values) | np.isnan(values)] = high + spread
    out[np.isneginf(values)] = low - spread
    return out
