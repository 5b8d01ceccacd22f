"""Pruners stop hopeless trials early, from the intermediate values they report.

``MedianPruner`` (the default, as in Optuna), ``PercentilePruner``, ``SuccessiveHalvingPruner``,
``HyperbandPruner``, ``ThresholdPruner``, ``PatientPruner``, ``LearningCurvePruner``
(extrapolates each learning curve, Domhan et al. 2015) and ``NopPruner``; subclass
``BasePruner`` to write your own.
"""

from tunekit.pruners.base import BasePruner
from tunekit.pruners.curve import LearningCurvePruner
from tunekit.pruners.halving import HyperbandPruner, SuccessiveHalvingPruner
from tunekit.pruners.median import MedianPruner, PercentilePruner
from tunekit.pruners.nop import NopPruner
from tunekit.pruners.patient import PatientPruner
from tunekit.pruners.threshold import ThresholdPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "LearningCurvePruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
]
