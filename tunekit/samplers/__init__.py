"""Samplers choose the parameter values of each trial.

``TPESampler`` (the default, as in Optuna), ``RandomSampler``, ``GridSampler``,
``BruteForceSampler`` and ``PartialFixedSampler``; subclass ``BaseSampler`` to write your own.
"""

from tunekit.samplers.base import BaseSampler
from tunekit.samplers.brute_force import BruteForceSampler
from tunekit.samplers.grid import GridSampler
from tunekit.samplers.partial_fixed import PartialFixedSampler
from tunekit.samplers.random import RandomSampler
from tunekit.samplers.tpe import TPESampler

__all__ = [
    "BaseSampler",
    "BruteForceSampler",
    "GridSampler",
    "PartialFixedSampler",
    "RandomSampler",
    "TPESampler",
]
