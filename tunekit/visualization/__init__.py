"""Plots of a study. ``tunekit.visualization.plot_*`` are the matplotlib plots of
:mod:`tunekit.visualization.matplotlib` (Optuna's plotly figures are not provided)."""

from __future__ import annotations

from typing import Any

from tunekit.visualization import matplotlib
from tunekit.visualization.matplotlib import is_available as is_available

__all__ = [*matplotlib.__all__, "matplotlib"]


def __getattr__(name: str) -> Any:
    if name.startswith("plot_"):
        return getattr(matplotlib, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
