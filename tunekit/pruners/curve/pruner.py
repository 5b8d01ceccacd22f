"""LearningCurvePruner: the stopping rule of Domhan, Springenberg & Hutter (IJCAI 2015).

At each decision the trial's curve so far is extrapolated to its final step with
:func:`~tunekit.pruners.curve.predict_final` (a weighted combination of eleven parametric curve
families, sampled by MCMC), and the trial stops when the probability that its final value beats
the best final value so far, ``P(y_T >= y_best)``, is below ``threshold`` (the paper's
``delta = 0.05``; for a minimised metric, ``P(y_T <= y_best)``). Each trial's last MCMC state is
kept (in this process) to warm-start its next decision.

One safeguard goes beyond the paper: a curve that still rises in a straight line has not shown
where it will level off, and the families then extrapolate a plateau too confidently (a
warm-up schedule looked hopeless at epoch 5 in the crossing-curve benchmark and ended best).
While the curve's second half is at least half as steep as its first and that pace, kept up at
half speed to the last step, would reach the best value, the trial continues (``hold_rising``).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING, Literal

import numpy as np

from tunekit.pruners.base import BasePruner
from tunekit.pruners.curve.predict import (
    Bounds,
    CurveState,
    SamplerSettings,
    predict_final,
    probability_of_improvement,
)
from tunekit.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["LearningCurvePruner"]


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"LearningCurvePruner: `{name}` must be an int >= {minimum}, got {name}={value!r}."
        )
    return int(value)


class LearningCurvePruner(BasePruner):
    """Stop a trial whose extrapolated learning curve is unlikely to beat the best trial.

    Too few points, a flat, noisy or diverging curve, or a failed fit mean "continue": the pruner
    never raises on a curve.

    Parameters
    ----------
    threshold:
        Stop when the probability of beating the best final value is below this (0.05).
    max_resource:
        Steps in a full run, counting from step 0 (a run reporting steps 0..29 has 30). None:
        the longest curve among the finished trials.
    min_points:
        Decide only once a trial has reported at least this many values.
    interval_steps:
        Decide at every ``interval_steps``-th report (the paper checked periodically).
    n_samples:
        Posterior samples per decision.
    bounds:
        The metric's range, used by the prior (predictions outside get no mass): a pair
        ``(low, high)`` with None for an open side, None for unbounded, or ``"auto"``:
        ``(0, 1)`` when maximising a metric whose values all lie in [0, 1] (an accuracy),
        ``(0, None)`` when minimising non-negative values (a loss), else unbounded.
    seed:
        Seed of the decisions' random numbers.
    hold_rising:
        Do not stop a curve that is still rising in a straight line fast enough to reach the
        best value (see the module's docstring); False applies the paper's rule alone.
    settings:
        MCMC settings (:class:`~tunekit.pruners.curve.SamplerSettings`); None: the defaults.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.pruners.curve import LearningCurvePruner
    >>> study = tunekit.create_study(direction="maximize", pruner=LearningCurvePruner(seed=0))
    """

    def __init__(
        self,
        threshold: float = 0.05,
        max_resource: int | None = None,
        *,
        min_points: int = 5,
        interval_steps: int = 1,
        n_samples: int = 500,
        bounds: Bounds | None | Literal["auto"] = "auto",
        seed: int | None = None,
        settings: SamplerSettings | None = None,
        hold_rising: bool = True,
    ) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise TypeError(f"LearningCurvePruner: `threshold` must be a float, got {threshold!r}.")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(
                f"LearningCurvePruner: `threshold` must be in [0, 1], got threshold={threshold!r}."
            )
        if max_resource is not None:
            max_resource = _check_int("max_resource", max_resource, 2)
        self._min_points = _check_int("min_points", min_points, 3)
        self._interval_steps = _check_int("interval_steps", interval_steps, 1)
        self._n_samples = _check_int("n_samples", n_samples, 10)
        if max_resource is not None and max_resource < self._min_points:
            raise ValueError(
                f"LearningCurvePruner: `max_resource` ({max_resource}) must be >= `min_points` "
                f"({self._min_points})."
            )
        if not (
            bounds is None or bounds == "auto" or (isinstance(bounds, tuple) and len(bounds) == 2)
        ):
            raise ValueError(
                f"LearningCurvePruner: `bounds` must be 'auto', None or a pair (low, high), "
                f"got {bounds!r}."
            )
        if not isinstance(hold_rising, bool):
            raise TypeError(
                f"LearningCurvePruner: `hold_rising` must be a bool, got {hold_rising!r}."
            )
        self._hold_rising = hold_rising
        self._threshold = float(threshold)
        self._max_resource = max_resource
        self._bounds = bounds
        self._settings = settings
        self._rng = np.random.default_rng(seed)
        # Warm-start states by trial id, oldest first; running trials only, so it stays small.
        self._states: OrderedDict[int, CurveState] = OrderedDict()

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        curve = {
            step: value for step, value in trial.intermediate_values.items() if math.isfinite(value)
        }
        if len(curve) < self._min_points or len(curve) % self._interval_steps:
            return False
        maximize = study.direction.name == "MAXIMIZE"
        finished = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,), use_cache=True)
        best = _best_final_value(finished, maximize)
        max_resource = self._max_resource or _longest_curve(finished)
        if best is None or max_resource is None or max(curve) + 1 >= max_resource:
            return False  # nothing to beat yet, or the trial is already at its end
        if self._hold_rising and _rising_straight(curve, best, max_resource, maximize):
            return False
        prediction = predict_final(
            curve,
            max_resource,
            n_samples=self._n_samples,
            seed=self._rng,
            bounds=self._resolve_bounds(curve, maximize),
            maximize=maximize,
            warm_start=self._states.get(trial._trial_id),
            min_points=self._min_points,
            settings=self._settings,
        )
        if not prediction.ok:
            return False
        probability = probability_of_improvement(prediction, best)
        stop = bool(probability < self._threshold)
        self._remember(trial._trial_id, None if stop else prediction.state)
        return stop

    def _resolve_bounds(self, curve: dict[int, float], maximize: bool) -> Bounds | None:
        if self._bounds != "auto":
            return self._bounds  # type: ignore[return-value]
        values = np.fromiter(curve.values(), dtype=float)
        if maximize and values.min() >= 0.0 and values.max() <= 1.0:
            return (0.0, 1.0)
        if not maximize and values.min() >= 0.0:
            return (0.0, None)
        return None

    def _remember(self, trial_id: int, state: CurveState | None) -> None:
        if state is None:
            self._states.pop(trial_id, None)
            return
        self._states[trial_id] = state
        self._states.move_to_end(trial_id)
        while len(self._states) > 256:  # trials that finished without a last decision
            self._states.popitem(last=False)


def _rising_straight(
    curve: dict[int, float], best: float, max_resource: int, maximize: bool
) -> bool:
    """Whether the curve has not begun to bend and its pace, halved, would still reach ``best``."""
    steps = np.fromiter(curve.keys(), dtype=float)
    values = np.fromiter(curve.values(), dtype=float)
    order = np.argsort(steps)  # reports may arrive out of step order
    steps, values = steps[order], values[order]
    if not maximize:  # a falling loss is a rising curve
        values, best = -values, -best
    half = len(steps) // 2
    early = np.polyfit(steps[: half + 1], values[: half + 1], 1)[0]
    late = np.polyfit(steps[half:], values[half:], 1)[0]
    if early <= 0.0 or late < 0.5 * early:
        return False
    remaining = max_resource - 1 - steps[-1]
    return bool(values[-1] + 0.5 * late * remaining >= best)


def _best_final_value(finished: list[FrozenTrial], maximize: bool) -> float | None:
    values = np.fromiter((t.value for t in finished if t.value is not None), dtype=float, count=-1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    return float(values.max() if maximize else values.min())


def _longest_curve(finished: list[FrozenTrial]) -> int | None:
    last_steps = [t.last_step for t in finished if t.last_step is not None]
    return max(last_steps) + 1 if last_steps else None
