"""Samplers choose the parameter values of each trial.

``TPESampler`` (the default, as in Optuna), ``RandomSampler``, ``GridSampler``,
``BruteForceSampler`` and ``PartialFixedSampler``; subclass ``BaseSampler`` to write your own.
"""

from typing import Any

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


def __getattr__(name: str) -> Any:
    # GPSampler needs torch (the ``tunekit[gp]`` extra): imported on first access only.
    if name == "GPSampler":
        from tunekit.samplers.gp.sampler import GPSampler

        globals()[name] = GPSampler
        return GPSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
