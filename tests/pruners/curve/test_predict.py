"""predict_final / probability_of_improvement: behaviour, robustness and calibration."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunekit.pruners.curve.families import ALL_FAMILIES
from tunekit.pruners.curve.predict import (
    CurvePrediction,
    SamplerSettings,
    predict_final,
    probability_of_improvement,
)

STEPS = np.arange(30)
RISING = 0.9 - 0.6 * (STEPS + 1.0) ** -0.7 + np.random.default_rng(0).normal(0.0, 0.01, 30)
TRUE_FINAL = 0.9 - 0.6 * 100.0**-0.7


@pytest.fixture(scope="module")
def prediction() -> CurvePrediction:
    return predict_final(RISING, 100, seed=0)


def test_prediction_of_a_rising_curve(prediction: CurvePrediction) -> None:
    assert prediction.ok and prediction.reason == ""
    assert prediction.n_observed == 30
    assert abs(prediction.mean - TRUE_FINAL) < 0.03
    assert 0.0 < prediction.std < 0.05
    assert prediction.samples.shape == (500,)
    assert np.all((prediction.samples >= 0.0) & (prediction.samples <= 1.0))
    low, high = prediction.interval(0.9)
    assert low < prediction.mean < high
    # The final value is predicted at least as high as the smoothed end of the curve.
    assert prediction.mean > RISING[-5:].mean() - 0.01
    assert 0.05 < prediction.acceptance_rate < 0.9


def test_seed_makes_predictions_reproducible(prediction: CurvePrediction) -> None:
    again = predict_final(RISING, 100, seed=0)
    np.testing.assert_array_equal(again.samples, prediction.samples)


def test_mapping_with_zero_based_steps_equals_sequence(prediction: CurvePrediction) -> None:
    as_mapping = predict_final(
        {int(s): float(v) for s, v in zip(STEPS, RISING, strict=True)}, 100, seed=0
    )
    np.testing.assert_array_equal(as_mapping.samples, prediction.samples)


def test_warm_start_continues_the_previous_decision(prediction: CurvePrediction) -> None:
    assert prediction.state is not None
    longer = np.append(RISING, 0.9 - 0.6 * 31.0**-0.7)
    warm = predict_final(longer, 100, seed=1, warm_start=prediction.state)
    cold = predict_final(longer, 100, seed=1)
    assert warm.ok and cold.ok
    assert warm.n_observed == 31
    assert abs(warm.mean - cold.mean) < 0.02
    assert abs(warm.mean - TRUE_FINAL) < 0.03
    # A state for another horizon is not reused (cold start instead), and still works.
    other = predict_final(longer, 200, seed=1, warm_start=prediction.state)
    assert other.ok and other.state is not None and other.state.horizon == 200


def test_warm_start_for_a_loss_keeps_its_scale() -> None:
    x = STEPS + 1.0
    loss = 0.3 + 2.0 * x**-0.8 + np.random.default_rng(4).normal(0.0, 0.01, len(x))
    first = predict_final(loss[:-1], 100, seed=0, bounds=(0.0, None), maximize=False)
    warm = predict_final(
        loss, 100, seed=1, bounds=(0.0, None), maximize=False, warm_start=first.state
    )
    assert warm.ok and warm.state is not None
    assert warm.state.model_space == first.state.model_space
    assert abs(warm.mean - (0.3 + 2.0 * 100.0**-0.8)) < 0.05
    # Another direction or other bounds: the state does not apply and is not used.
    flipped = predict_final(loss, 100, seed=1, bounds=None, maximize=False, warm_start=first.state)
    assert flipped.ok and flipped.state.bounds is None


def test_include_noise_widens_the_predictive(prediction: CurvePrediction) -> None:
    noisy = predict_final(RISING, 100, seed=0, include_noise=True)
    assert noisy.std > prediction.std
    assert abs(noisy.mean - prediction.mean) < 0.01


def test_n_samples_and_settings() -> None:
    few = predict_final(
        RISING, 100, seed=0, n_samples=250, settings=SamplerSettings(n_walkers=50, burn_in=10)
    )
    assert few.ok and few.samples.shape == (250,)


@pytest.mark.parametrize(
    ("curve", "reason"),
    [
        ([0.1, 0.2], "need at least 3"),
        ([], "need at least 3"),
        ([math.nan, 0.2, math.inf, 0.3], "need at least 3"),
        ([0.1, 0.2, 1.5, 0.6], "outside bounds"),
        ({-2: 0.1, -1: 0.2, 0: 0.3}, "negative steps"),
    ],
)
def test_unusable_curves_are_flagged_not_raised(curve: object, reason: str) -> None:
    result = predict_final(curve, 100, seed=0)
    assert not result.ok
    assert reason in result.reason
    assert math.isnan(result.mean) and result.samples.size == 0 and result.state is None
    assert math.isnan(probability_of_improvement(result, 0.5))
    assert result.interval() == (math.nan, math.nan)


def test_nan_and_inf_values_are_dropped() -> None:
    curve = {int(s): float(v) for s, v in zip(STEPS, RISING, strict=True)}
    curve[5] = math.nan
    curve[12] = math.inf
    result = predict_final(curve, 100, seed=0)
    assert result.ok and result.n_observed == 28
    assert abs(result.mean - TRUE_FINAL) < 0.03


@pytest.mark.parametrize(
    "curve",
    [
        np.full(20, 0.42),  # flat, noiseless
        0.42 + np.random.default_rng(1).normal(0.0, 0.01, 20),  # flat, noisy
        np.linspace(0.8, 0.4, 20),  # going down
        np.array([0.5, 0.1, 0.9, 0.2, 0.8, 0.3]),  # zig-zag
        np.zeros(10),  # at the lower bound
        np.ones(10),  # at the upper bound
    ],
    ids=["flat", "flat-noisy", "falling", "zigzag", "zeros", "ones"],
)
def test_odd_curves_do_not_crash(curve: np.ndarray) -> None:
    result = predict_final(curve, 50, seed=0)
    if result.ok:
        assert np.isfinite(result.mean) and np.all(np.isfinite(result.samples))
        assert np.all((result.samples >= 0.0) & (result.samples <= 1.0))
    else:
        assert result.reason


def test_flat_curve_is_predicted_flat() -> None:
    result = predict_final(0.42 + np.random.default_rng(1).normal(0.0, 0.005, 20), 50, seed=0)
    assert result.ok
    assert abs(result.mean - 0.42) < 0.02


def test_minimising_a_loss_without_upper_bound() -> None:
    x = STEPS + 1.0
    loss = 0.3 + 2.0 * x**-0.8 + np.random.default_rng(2).normal(0.0, 0.01, len(x))
    true_final = 0.3 + 2.0 * 100.0**-0.8
    result = predict_final(loss, 100, seed=0, bounds=(0.0, None), maximize=False)
    assert result.ok and not result.maximize
    # Back in loss units: below the last observed losses, above the bound.
    assert result.mean < loss[-5:].mean() + 0.01
    assert abs(result.mean - true_final) < 0.05
    assert np.all(result.samples >= 0.0)
    # Probability of beating a best loss: fraction of samples <= best.
    assert probability_of_improvement(result, 10.0) == 1.0
    assert probability_of_improvement(result, 0.0) == 0.0
    assert probability_of_improvement(result, 0.1, maximize=False) == probability_of_improvement(
        result, 0.1
    )


def test_minimising_an_error_rate_in_unit_bounds() -> None:
    error = 1.0 - RISING
    result = predict_final(error, 100, seed=0, maximize=False)
    assert result.ok
    assert abs(result.mean - (1.0 - TRUE_FINAL)) < 0.03


def test_unbounded_metric_on_any_scale() -> None:
    x = STEPS + 1.0
    reward = 150.0 - 120.0 * x**-0.5 + np.random.default_rng(3).normal(0.0, 1.0, len(x))
    result = predict_final(reward, 100, seed=0, bounds=None)
    assert result.ok
    assert abs(result.mean - (150.0 - 12.0)) < 8.0


def test_probability_of_improvement_counts_samples() -> None:
    samples = np.array([0.60, 0.70, 0.75, 0.80, 0.90])
    maximising = CurvePrediction(float(samples.mean()), float(samples.std()), samples, None)
    assert probability_of_improvement(maximising, 0.75) == pytest.approx(0.6)
    assert probability_of_improvement(maximising, 0.95) == 0.0
    assert probability_of_improvement(maximising, 0.75, maximize=False) == pytest.approx(0.6)
    minimising = CurvePrediction(0.75, 0.1, samples, None, maximize=False)
    assert probability_of_improvement(minimising, 0.70) == pytest.approx(0.4)


def test_paper_decision_rule_on_a_hopeless_curve(prediction: CurvePrediction) -> None:
    # A best final accuracy far above this curve's reach: stop (P < delta = 0.05).
    assert probability_of_improvement(prediction, 0.99) < 0.05
    # A best value it has already passed: continue.
    assert probability_of_improvement(prediction, 0.5) > 0.95


# -- calibration ---------------------------------------------------------------------------------


def synthetic_curves(n_curves: int, seed: int) -> list[dict[str, object]]:
    """Curves of a random family with random parameters from the family's prior ranges.

    Kept when the noiseless curve starts at 0.05 or more, ends at 0.95 or less and rises by at
    least 0.1 over a horizon of 50-100 steps; 30-40% of the horizon is observed with Gaussian
    noise (sd 0.003-0.02). The final *observed* value ``y_m = f(m) + noise`` is the truth.
    """
    rng = np.random.default_rng(seed)
    curves: list[dict[str, object]] = []
    while len(curves) < n_curves:
        family = ALL_FAMILIES[rng.integers(len(ALL_FAMILIES))]
        horizon = int(rng.integers(50, 101))
        n_observed = round(rng.uniform(0.3, 0.4) * horizon)
        candidates = family.lower_array + (family.upper_array - family.lower_array) * rng.random(
            (2000, family.n_params)
        )
        candidates = candidates[family.in_support(candidates)]
        values = family.evaluate(np.arange(1.0, horizon + 1.0), candidates)
        keep = (
            np.all(np.isfinite(values), axis=1)
            & (values[:, 0] >= 0.05)
            & (values[:, -1] <= 0.95)
            & (values[:, -1] - values[:, 0] >= 0.1)
        )
        if not keep.any():
            continue
        clean = values[rng.choice(np.flatnonzero(keep))]
        noise_sd = rng.uniform(0.003, 0.02)
        observed = clean[:n_observed] + noise_sd * rng.standard_normal(n_observed)
        if np.any(observed <= 0.0) or np.any(observed >= 1.0):
            continue
        final = clean[-1] + noise_sd * rng.standard_normal()
        curves.append(
            {
                "family": family.name,
                "horizon": horizon,
                "observed": observed,
                "clean_final": clean[-1],
                "final": final,
            }
        )
    return curves


def test_calibration_on_synthetic_curves() -> None:
    """Central 90% predictive intervals cover the observed final value in 80-97% of curves.

    The predictive includes the observation noise (``include_noise=True``) and is compared with
    the noisy final observation ``y_m``; the posterior mean is compared with the noiseless final
    value ``f(m)``. Default settings (the ones the latency benchmark measures), fixed seeds.
    """
    curves = synthetic_curves(200, seed=2015)
    covered, errors, unusable = [], [], 0
    for i, curve in enumerate(curves):
        result = predict_final(curve["observed"], curve["horizon"], seed=i, include_noise=True)
        if not result.ok:
            unusable += 1
            continue
        low, high = result.interval(0.9)
        covered.append(low <= curve["final"] <= high)
        errors.append(abs(result.mean - curve["clean_final"]))
    coverage = float(np.mean(covered))
    assert unusable <= 2
    assert 0.80 <= coverage <= 0.97, f"coverage {coverage:.3f}"
    assert float(np.median(errors)) < 0.015
    assert float(np.mean(errors)) < 0.03


def test_calibration_after_chains_of_warm_starts() -> None:
    """Coverage stays in range when every decision warm-starts from the previous one.

    Each curve is decided cold with 3 points fewer, then warm-started point by point, as a
    pruner would do; the last warm decision is scored like the cold calibration test.
    """
    curves = synthetic_curves(100, seed=42)
    covered = []
    for i, curve in enumerate(curves):
        observed = curve["observed"]
        n = len(observed)
        state = predict_final(observed[: n - 3], curve["horizon"], seed=i).state
        for k in range(n - 2, n + 1):
            result = predict_final(
                observed[:k],
                curve["horizon"],
                seed=1000 * i + k,
                include_noise=True,
                warm_start=state,
            )
            state = result.state
        assert result.ok
        low, high = result.interval(0.9)
        covered.append(low <= curve["final"] <= high)
    coverage = float(np.mean(covered))
    assert 0.80 <= coverage <= 0.97, f"coverage {coverage:.3f}"
