"""Learning-curve extrapolation (Domhan, Springenberg & Hutter, IJCAI 2015), NumPy only.

Modules
-------
families
    The eleven parametric curve families, vectorised over a batch of parameter vectors.
fitting
    Least-squares fits of all families at once (the MCMC's starting points).
posterior
    The combined model ``sum_k w_k f_k(x)`` with Gaussian noise, its prior and log posterior.
sampler
    The affine-invariant ensemble sampler (stretch move), vectorised and optionally blocked.
predict
    :func:`predict_final` (posterior of the final value) and :func:`probability_of_improvement`.
pruner
    :class:`LearningCurvePruner`, the paper's stopping rule on top of them.

Example
-------
>>> import numpy as np
>>> from tunekit.pruners.curve import predict_final, probability_of_improvement
>>> accuracy = 0.9 - 0.6 * np.arange(1, 21) ** -0.7
>>> prediction = predict_final(accuracy, max_resource=100, seed=0)
>>> probability_of_improvement(prediction, best_value=0.99) < 0.05
True
"""

from tunekit.pruners.curve.predict import (
    CurvePrediction,
    CurveState,
    SamplerSettings,
    predict_final,
    probability_of_improvement,
)
from tunekit.pruners.curve.pruner import LearningCurvePruner

__all__ = [
    "CurvePrediction",
    "LearningCurvePruner",
    "CurveState",
    "SamplerSettings",
    "predict_final",
    "probability_of_improvement",
]
