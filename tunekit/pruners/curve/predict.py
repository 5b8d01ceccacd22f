"""Predict a trial's final value from its partial learning curve, and the pruning decision.

:func:`predict_final` runs the Bayesian extrapolation of Domhan, Springenberg & Hutter (IJCAI
2015): least-squares fits of the eleven families (:mod:`~tunekit.pruners.curve.fitting`), then
the affine-invariant ensemble MCMC (:mod:`~tunekit.pruners.curve.sampler`) on the combined model
(:mod:`~tunekit.pruners.curve.posterior`), and returns posterior samples of ``f_comb(m)``, the
curve at the last step ``m``. :func:`probability_of_improvement` turns them into the paper's
decision quantity ``P(y_m >= y_best)`` (stop when it is below ``delta = 0.05``).

Conventions
-----------
* Steps: a curve given as a sequence has its ``i``-th value at 0-based step ``i``; a mapping is
  ``{step: value}`` with 0-based steps as reported by ``trial.report(value, step)``. The model
  uses ``x = step + 1``; ``max_resource`` is the number of steps of a full run, so the final
  step ``max_resource - 1`` is ``x = max_resource``.
* Direction: the model assumes curves that go *up*. For a metric to minimise
  (``maximize=False``, e.g. a loss) the curve is negated internally and every returned number
  (mean, samples) is back in the metric's own units.
* Scale: the families' ranges assume values in about ``[0, 1]``. With two finite ``bounds`` the
  metric is mapped affinely onto ``[0, 1]`` (accuracies in ``(0, 1)`` are used as they are, an
  error rate in ``(0, 1)`` to minimise becomes ``1 - error``). With only the bound on the good
  side (a loss with ``bounds=(0, None)``) that bound maps to 1 and the worst observed value to
  0; with only the bound on the bad side, the bound maps to 0 and the best observed value to
  0.5; with ``bounds=None`` the observed range maps to ``[0, 0.5]``. The families' ranges then
  leave room to improve by about the observed range again. A warm start keeps the map of the
  decision it continues.
* Samples: :attr:`CurvePrediction.samples` are posterior samples of the noiseless final value
  ``f_comb(m)`` (what the paper compares with ``y_best``); ``include_noise=True`` adds the
  observation noise ``N(0, sigma^2)`` for a predictive of the *observed* final value. On the
  synthetic curves of the calibration test the central 90% interval of the noisy predictive
  covered the observed final value in 92% of curves, that of the noiseless samples the
  noiseless ``f(m)`` in 84%: every family is non-decreasing, so a curve that has already
  flattened is predicted to rise a little further (an optimistic bias, the safe side for
  pruning).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tunekit.pruners.curve.families import ALL_FAMILIES, step_to_x
from tunekit.pruners.curve.fitting import fit_families
from tunekit.pruners.curve.posterior import CurvePosterior, initial_ensemble, repair_ensemble
from tunekit.pruners.curve.sampler import run_stretch_sampler

__all__ = [
    "CurvePrediction",
    "CurveState",
    "SamplerSettings",
    "predict_final",
    "probability_of_improvement",
]

FloatArray = NDArray[np.float64]
Bounds = tuple[float | None, float | None]
CurveInput = Mapping[int, float] | Sequence[float] | NDArray[np.floating]


@dataclass(frozen=True)
class SamplerSettings:
    """MCMC settings of :func:`predict_final`.

    A *step* moves every block of coordinates of every walker once (see
    :func:`~tunekit.pruners.curve.sampler.run_stretch_sampler`). The defaults were chosen with
    the calibration test of ``tests/pruners/curve/test_predict.py`` (central 90% predictive
    intervals cover the final value of 92-93% of synthetic curves, 89-93% after chains of warm
    starts) and the latency benchmark ``benchmarks/curve_latency.py`` (cold decisions on a
    30-point curve in 60-95 ms of CPU time). Fewer burn-in steps leave the intervals wider (the
    initial ensemble is deliberately over-dispersed, see
    :func:`~tunekit.pruners.curve.posterior.initial_ensemble`), more steps cost proportionally
    more time.

    Attributes
    ----------
    n_walkers
        Ensemble size; even, and well above the largest block's dimension (at most 16 here)
        since the walkers only move inside the affine hull they span; also above the total
        dimension 48, so the hull is the whole space.
    burn_in
        Steps discarded after a cold start (walkers drawn around least-squares fits).
    warm_burn_in
        Steps discarded after a warm start (walkers of the previous decision of the same
        trial, which are already close to the new posterior).
    thin
        Keep one step in ``thin`` after burn-in.
    fit_iterations
        Levenberg-Marquardt iterations of the cold-start least-squares fits.
    families_per_block
        Families moved together by one block update of the stretch move (see
        :meth:`~tunekit.pruners.curve.posterior.CurvePosterior.blocks`).
    weight_block
        Also move all family weights together in one block each step.
    evaluation_dtype
        Floating type used to evaluate the curves inside the MCMC. ``numpy.float32`` evaluates
        long curves (hundreds of points) about 1.5 times faster; it is not the default because
        exponentials of extreme parameters underflow to subnormal float32 numbers, which some
        CPUs process very slowly (we measured decisions of 67 to 110 ms for the same curve).
        The log likelihood is summed in float64 either way.

    Examples
    --------
    >>> SamplerSettings(n_walkers=128).n_walkers
    128
    """

    n_walkers: int = 100
    burn_in: int = 25
    warm_burn_in: int = 8
    thin: int = 1
    fit_iterations: int = 15
    families_per_block: int = 3
    weight_block: bool = True
    evaluation_dtype: type[np.floating] = np.float64


@dataclass(frozen=True)
class _ModelSpace:
    """Affine map between the metric ``y`` and the model's increasing, about-unit scale ``z``.

    ``z = (sign * y - offset) / scale``; ``bounds`` are the metric's bounds in ``z``.
    """

    sign: float
    offset: float
    scale: float
    bounds: Bounds

    @classmethod
    def for_curve(cls, y: FloatArray, bounds: Bounds | None, maximize: bool) -> _ModelSpace:
        sign = 1.0 if maximize else -1.0
        low, high = (None, None) if bounds is None else bounds
        # Bounds of u = sign * y (the increasing version of the metric).
        if maximize:
            u_low, u_high = low, high
        else:
            u_low = None if high is None else -high
            u_high = None if low is None else -low
        u = sign * y
        if u_low is not None and u_high is not None:
            if not u_high > u_low:
                raise ValueError(f"bounds must satisfy low < high, got {bounds}")
            return cls(sign, u_low, u_high - u_low, (0.0, 1.0))
        spread = float(u.max() - u.min())
        if u_high is not None:
            # The bound is the top of the scale, the worst observed value its bottom.
            scale = float(u_high - u.min())
            scale = scale if scale > 0 else 1.0
            return cls(sign, u_high - scale, scale, (None, 1.0))
        if u_low is not None:
            # The bound is the bottom, the best observed value halfway up.
            scale = 2.0 * float(u.max() - u_low)
            scale = scale if scale > 0 else 1.0
            return cls(sign, u_low, scale, (0.0, None))
        scale = 2.0 * spread if spread > 0 else max(abs(float(u.mean())), 1.0)
        return cls(sign, float(u.min()), scale, (None, None))

    def to_model(self, y: ArrayLike) -> FloatArray:
        return (self.sign * np.asarray(y, dtype=float) - self.offset) / self.scale

    def to_metric(self, z: ArrayLike) -> FloatArray:
        return self.sign * (np.asarray(z, dtype=float) * self.scale + self.offset)


@dataclass(frozen=True)
class CurveState:
    """What a later decision of the same trial needs to warm-start its MCMC.

    Attributes
    ----------
    positions
        Final walker positions of the previous run, shape ``(n_walkers, n_dim)``.
    horizon
        The ``x`` of the final step the walkers were sampled for.
    model_space
        The metric-to-model map the positions refer to (kept fixed across warm starts).
    n_observed
        Number of curve points the positions were sampled with.
    bounds, maximize
        The ``bounds`` and direction of that decision; a warm start needs the same.
    """

    positions: FloatArray
    horizon: float
    model_space: _ModelSpace
    n_observed: int
    bounds: Bounds | None
    maximize: bool


@dataclass(frozen=True)
class CurvePrediction:
    """Posterior prediction of a curve's value at its final step.

    Attributes
    ----------
    mean
        Posterior mean of the final value (``nan`` when ``ok`` is False).
    std
        Posterior standard deviation of the final value.
    samples
        Posterior (predictive) samples of the final value, in the metric's units.
    state
        Warm-start state for the next decision of the same trial (``None`` if not ``ok``).
    ok
        False when no usable prediction could be made (too few points, failed fits, ...).
    reason
        Why ``ok`` is False (empty otherwise).
    maximize
        Direction of the metric the prediction was made for.
    n_observed
        Number of finite curve points used.
    acceptance_rate
        MCMC acceptance rate (a diagnostic; ``nan`` if no MCMC ran).

    Examples
    --------
    >>> import numpy as np
    >>> p = CurvePrediction(0.8, 0.02, np.array([0.78, 0.8, 0.82]), None)
    >>> p.interval(0.5)
    (0.79, 0.81)
    """

    mean: float
    std: float
    samples: FloatArray
    state: CurveState | None
    ok: bool = True
    reason: str = ""
    maximize: bool = True
    n_observed: int = 0
    acceptance_rate: float = math.nan

    @classmethod
    def unusable(
        cls, reason: str, *, maximize: bool = True, n_observed: int = 0
    ) -> CurvePrediction:
        """A prediction flagged ``ok=False`` that carries ``reason``.

        Examples
        --------
        >>> CurvePrediction.unusable("too few points").ok
        False
        """
        return cls(math.nan, math.nan, np.empty(0), None, False, reason, maximize, n_observed)

    def interval(self, probability: float = 0.9) -> tuple[float, float]:
        """Central credible interval of the final value holding ``probability`` of the samples.

        Examples
        --------
        >>> import numpy as np
        >>> low, high = CurvePrediction(0.5, 0.1, np.linspace(0.0, 1.0, 101), None).interval(0.9)
        >>> round(low, 6), round(high, 6)
        (0.05, 0.95)
        """
        if not self.ok or len(self.samples) == 0:
            return (math.nan, math.nan)
        tail = 0.5 * (1.0 - probability)
        low, high = np.quantile(self.samples, [tail, 1.0 - tail])
        return (float(low), float(high))


def _as_curve(curve: CurveInput) -> tuple[FloatArray, FloatArray]:
    """0-based steps and values of a mapping or a sequence."""
    if isinstance(curve, Mapping):
        items = sorted((int(step), float(value)) for step, value in curve.items())
        steps = np.array([step for step, _ in items], dtype=float)
        values = np.array([value for _, value in items], dtype=float)
    else:
        values = np.asarray(curve, dtype=float).ravel()
        steps = np.arange(len(values), dtype=float)
    return steps, values


def probability_of_improvement(
    prediction: CurvePrediction, best_value: float, maximize: bool | None = None
) -> float:
    """``P(y_m >= best_value)`` (or ``<=`` when minimising) from the posterior samples.

    The paper's decision quantity (Domhan et al. 2015, Section 4): a run is stopped when this
    probability of beating the best final value seen so far is below ``delta`` (0.05).

    Parameters
    ----------
    prediction
        A prediction from :func:`predict_final`.
    best_value
        The best final value so far, in the metric's units.
    maximize
        Direction; defaults to the prediction's own (``prediction.maximize``). For a
        minimised metric the fraction of samples ``<= best_value`` is returned.

    Returns
    -------
    float
        A probability in ``[0, 1]``, or ``nan`` when the prediction is not ``ok`` (the caller
        should then not stop the run).

    Examples
    --------
    >>> import numpy as np
    >>> p = CurvePrediction(0.8, 0.1, np.array([0.6, 0.7, 0.8, 0.9]), None)
    >>> probability_of_improvement(p, 0.75)
    0.5
    >>> probability_of_improvement(p, 0.75, maximize=False)
    0.5
    """
    if not prediction.ok or len(prediction.samples) == 0:
        return math.nan
    direction = prediction.maximize if maximize is None else maximize
    if direction:
        return float(np.mean(prediction.samples >= best_value))
    return float(np.mean(prediction.samples <= best_value))


def predict_final(
    curve: CurveInput,
    max_resource: float,
    *,
    n_samples: int = 500,
    seed: int | np.random.Generator | None = None,
    bounds: Bounds | None = (0.0, 1.0),
    maximize: bool = True,
    warm_start: CurveState | None = None,
    include_noise: bool = False,
    min_points: int = 3,
    settings: SamplerSettings | None = None,
) -> CurvePrediction:
    """Predict the value of a learning curve at its final step by Bayesian extrapolation.

    Parameters
    ----------
    curve
        The observed curve: a sequence of values at steps ``0, 1, 2, ...`` or a mapping
        ``{step: value}`` (``trial.intermediate_values``), 0-based steps. ``nan``/``inf`` values
        are dropped.
    max_resource
        Number of steps of a full run; the prediction is for ``x = max_resource`` (step
        ``max_resource - 1``).
    n_samples
        Number of posterior samples returned (``n_walkers`` per kept MCMC step).
    seed
        Seed or ``numpy.random.Generator`` of the MCMC, for reproducible decisions.
    bounds
        ``(low, high)`` of the metric, either end ``None`` when unbounded; ``None`` for no
        bounds. Default ``(0, 1)`` (accuracies). For a loss use ``(0, None)`` with
        ``maximize=False``. Posterior curves leave these bounds nowhere up to ``max_resource``.
    maximize
        Whether larger values are better. ``False`` negates the curve internally (the model
        assumes increasing curves); results are in the metric's own units.
    warm_start
        :attr:`CurvePrediction.state` of the previous decision for the same trial. Its walkers
        start the MCMC, which then needs only a short burn-in. Ignored (cold start) when it does
        not fit, e.g. for another ``max_resource``.
    include_noise
        Add observation noise to the samples (predictive of the observed final value).
    min_points
        Fewer finite points than this give an unusable prediction.
    settings
        MCMC settings, see :class:`SamplerSettings`.

    Returns
    -------
    CurvePrediction
        ``ok=False`` (with a ``reason``) instead of raising for too few points, values outside
        ``bounds`` or failed fits.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(1, 31)
    >>> observed = 0.9 - 0.6 * x**-0.7 + np.random.default_rng(0).normal(0, 0.01, 30)
    >>> prediction = predict_final(observed, max_resource=100, seed=0)
    >>> prediction.ok, bool(abs(prediction.mean - (0.9 - 0.6 * 100**-0.7)) < 0.05)
    (True, True)
    >>> later = predict_final(list(observed) + [0.86], 100, seed=1, warm_start=prediction.state)
    >>> later.ok
    True
    """
    config = settings or SamplerSettings()
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    steps, values = _as_curve(curve)
    finite = np.isfinite(values) & np.isfinite(steps)
    steps, values = steps[finite], values[finite]
    n_observed = len(values)
    if n_observed < max(min_points, 1):
        return CurvePrediction.unusable(
            f"{n_observed} finite point(s), need at least {min_points}",
            maximize=maximize,
            n_observed=n_observed,
        )
    if np.any(steps < 0):
        return CurvePrediction.unusable("negative steps", maximize=maximize, n_observed=n_observed)
    horizon = float(max_resource)
    if not horizon >= 1.0:
        raise ValueError(f"max_resource must be >= 1, got {max_resource}")
    if bounds is not None:
        low, high = bounds
        if (low is not None and np.any(values < low)) or (
            high is not None and np.any(values > high)
        ):
            return CurvePrediction.unusable(
                f"observed values outside bounds {bounds}", maximize=maximize, n_observed=n_observed
            )
    x = step_to_x(steps)

    def posterior_in(space: _ModelSpace) -> CurvePosterior:
        return CurvePosterior(
            x,
            space.to_model(values),
            horizon,
            bounds=space.bounds,
            families=ALL_FAMILIES,
            dtype=config.evaluation_dtype,
        )

    walkers = None
    if (
        warm_start is not None
        and warm_start.horizon == horizon
        and warm_start.bounds == bounds
        and warm_start.maximize == maximize
        and warm_start.positions.shape[0] == config.n_walkers
    ):
        # Same map to the model scale as before, so that the walkers keep their meaning.
        model_space = warm_start.model_space
        posterior = posterior_in(model_space)
        walkers = repair_ensemble(posterior, warm_start.positions, rng)
        burn_in = config.warm_burn_in
    if walkers is None:
        model_space = _ModelSpace.for_curve(values, bounds, maximize)
        posterior = posterior_in(model_space)
        fits = fit_families(x, posterior.y, ALL_FAMILIES, n_iterations=config.fit_iterations)
        walkers = initial_ensemble(posterior, fits, config.n_walkers, rng)
        burn_in = config.burn_in
    if walkers is None:
        return CurvePrediction.unusable(
            "no family could be fitted to the curve", maximize=maximize, n_observed=n_observed
        )

    n_kept = max(1, math.ceil(n_samples / config.n_walkers))
    with np.errstate(all="ignore"):
        run = run_stretch_sampler(
            posterior.ensemble_target(config.families_per_block, config.weight_block),
            walkers,
            n_burn_in=burn_in,
            n_kept=n_kept,
            thin=config.thin,
            rng=rng,
            blocks=posterior.blocks(config.families_per_block, config.weight_block),
        )
    draws = run.samples[:n_samples]
    final_z = posterior.predict(draws)
    if include_noise:
        final_z = final_z + posterior.sigma(draws) * rng.standard_normal(len(draws))
    if not np.all(np.isfinite(final_z)):
        return CurvePrediction.unusable(
            "non-finite posterior predictions", maximize=maximize, n_observed=n_observed
        )
    samples = model_space.to_metric(final_z)
    state = CurveState(run.final_positions, horizon, model_space, n_observed, bounds, maximize)
    return CurvePrediction(
        float(np.mean(samples)),
        float(np.std(samples)),
        samples,
        state,
        True,
        "",
        maximize,
        n_observed,
        run.acceptance_rate,
    )
