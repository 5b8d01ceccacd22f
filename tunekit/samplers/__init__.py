"""Samplers choose the parameter values of each trial.

``RandomSampler`` (the default), ``GridSampler``, ``BruteForceSampler`` and
``PartialFixedSampler``; subclass ``BaseSampler`` to write your own.
"""

from tunekit.samplers.base import BaseSampler
from tunekit.samplers.brute_force import BruteForceSampler
from tunekit.samplers.grid import GridSampler
from tunekit.samplers.partial_fixed import PartialFixedSampler
from tunekit.samplers.random import RandomSampler

__all__ = [
    "BaseSampler",
    "BruteForceSampler",
    "GridSampler",
    "PartialFixedSampler",
    "RandomSampler",
]
