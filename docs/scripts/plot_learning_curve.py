"""Draw docs/img/learning_curve_extrapolation.png: a partial learning curve extrapolated by
``tunekit.pruners.curve.predict_final``, as the pruning guide shows it.

Run from the repository root (needs matplotlib): ``python docs/scripts/plot_learning_curve.py``.
The curve is synthetic (a pow3-like accuracy curve with noise, fixed seeds), so the figure is
the same on every run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tunekit.pruners.curve import predict_final, probability_of_improvement  # noqa: E402
from tunekit.pruners.curve.families import step_to_x  # noqa: E402
from tunekit.pruners.curve.posterior import CurvePosterior  # noqa: E402

MAX_RESOURCE = 60  # epochs of a full run
OBSERVED = 15  # epochs the trial has run so far
BEST_FINAL = 0.88  # the best final accuracy among the finished trials


def true_curve(steps: np.ndarray) -> np.ndarray:
    return 0.86 - 0.55 * (steps + 1.0) ** -0.65


def posterior_curves(observed: np.ndarray, prediction, steps: np.ndarray) -> np.ndarray:
    """The combined curve of every final MCMC walker, over ``steps``, in the metric's units."""
    state = prediction.state
    space = state.model_space
    x_observed = step_to_x(np.arange(len(observed), dtype=float))
    posterior = CurvePosterior(
        x_observed, space.to_model(observed), state.horizon, bounds=space.bounds
    )
    return space.to_metric(posterior.mean_curve(state.positions, step_to_x(steps)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/img/learning_curve_extrapolation.png")
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    all_steps = np.arange(MAX_RESOURCE, dtype=float)
    observed = true_curve(all_steps[:OBSERVED]) + rng.normal(0.0, 0.008, OBSERVED)

    prediction = predict_final(observed, max_resource=MAX_RESOURCE, n_samples=2000, seed=0)
    assert prediction.ok, prediction.reason
    p_improve = probability_of_improvement(prediction, BEST_FINAL)
    low, high = prediction.interval(0.9)

    curves = posterior_curves(observed, prediction, all_steps)
    band_low, band_high = np.percentile(curves, [5, 95], axis=0)

    figure, (ax, hist_ax) = plt.subplots(
        1, 2, figsize=(8.0, 4.2), sharey=True, gridspec_kw={"width_ratios": [5, 1], "wspace": 0.04}
    )
    ax.fill_between(
        all_steps,
        band_low,
        band_high,
        color="tab:blue",
        alpha=0.18,
        label="90% band of the posterior curves",
    )
    for curve in curves[:25]:
        ax.plot(all_steps, curve, color="tab:blue", alpha=0.25, linewidth=0.7)
    ax.plot(all_steps, curves.mean(axis=0), color="tab:blue", linewidth=2, label="posterior mean")
    ax.plot(
        all_steps,
        true_curve(all_steps),
        color="0.3",
        linestyle=":",
        label="the curve the trial would have followed",
    )
    ax.plot(
        all_steps[:OBSERVED],
        observed,
        "o",
        color="black",
        markersize=4,
        label=f"reported values (steps 0-{OBSERVED - 1})",
    )
    ax.axhline(
        BEST_FINAL,
        color="tab:red",
        linestyle="--",
        linewidth=1,
        label=f"best final value so far ({BEST_FINAL})",
    )
    ax.axvline(OBSERVED - 0.5, color="0.6", linewidth=0.8)
    ax.set_xlabel("step (epoch)")
    ax.set_ylabel("validation accuracy")
    ax.set_xlim(0, MAX_RESOURCE - 1)
    ax.set_ylim(0.3, 0.95)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(
        f"predict_final: final value {prediction.mean:.3f} "
        f"(90%: {low:.3f}-{high:.3f}); P(beat {BEST_FINAL}) = {p_improve:.2f}",
        fontsize=9,
    )

    hist_ax.hist(prediction.samples, bins=40, orientation="horizontal", color="tab:blue", alpha=0.6)
    hist_ax.axhline(BEST_FINAL, color="tab:red", linestyle="--", linewidth=1)
    hist_ax.set_xlabel(f"samples at\nstep {MAX_RESOURCE - 1}", fontsize=8)
    hist_ax.set_xticks([])

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110, bbox_inches="tight")
    print(f"wrote {out}: mean {prediction.mean:.4f}, P(improve) {p_improve:.3f}")


if __name__ == "__main__":
    main()
