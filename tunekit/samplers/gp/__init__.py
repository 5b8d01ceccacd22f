"""Gaussian-process Bayesian optimisation building blocks (requires ``torch``).

Three layers, as in BoTorch:

* :mod:`.kernel` -- internal-space conventions (:func:`round_to_grid`) and the
  Matern-5/2 x Hamming kernel;
* :mod:`.model` -- :func:`fit_gp` (MAP hyper-parameters) and :class:`GaussianProcess`;
* :mod:`.acquisition` -- log-EI, log-PI, LCB, constrained log-EI, :func:`add_pending`;
* :mod:`.optimize` -- :func:`optimize_acquisition` (Sobol sweep + local search).

Attributes are imported lazily so that ``import tunekit.samplers.gp`` does not import
torch (an optional dependency) until something from it is actually used.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SearchSpaceDims": "kernel",
    "MaternHammingKernel": "kernel",
    "round_to_grid": "kernel",
    "grid_index_to_unit": "kernel",
    "unit_to_grid_index": "kernel",
    "NOISE_FLOOR": "model",
    "DEFAULT_WARP_THRESHOLD": "model",
    "CholeskyError": "model",
    "GPHyperparameters": "model",
    "HyperparameterPrior": "model",
    "OutputTransform": "model",
    "GaussianProcess": "model",
    "fit_gp": "model",
    "robust_cholesky": "model",
    "LogExpectedImprovement": "acquisition",
    "LogProbabilityOfImprovement": "acquisition",
    "LowerConfidenceBound": "acquisition",
    "LogConstrainedExpectedImprovement": "acquisition",
    "add_pending": "acquisition",
    "log_expected_improvement": "acquisition",
    "log_probability_of_feasibility": "acquisition",
    "AcquisitionOptimum": "optimize",
    "optimize_acquisition": "optimize",
    "sample_candidates": "optimize",
    "GPSampler": "sampler",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
