"""Plots of a study drawn with matplotlib (``pip install 'tunekit[plots]'``).

The names and signatures are those of ``optuna.visualization.matplotlib``; each function returns
the matplotlib ``Axes`` it drew on. Importing this module does not import matplotlib: the first
plot does.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

_MODULE_OF = {
    "plot_contour": "_contour",
    "plot_edf": "_edf",
    "plot_intermediate_values": "_intermediate_values",
    "plot_optimization_history": "_optimization_history",
    "plot_parallel_coordinate": "_parallel_coordinate",
    "plot_param_importances": "_param_importances",
    "plot_pareto_front": "_pareto_front",
    "plot_slice": "_slice",
    "plot_timeline": "_timeline",
}

__all__ = [*sorted(_MODULE_OF), "is_available"]


def is_available() -> bool:
    """Whether matplotlib can be imported, so the plots can be drawn."""
    return importlib.util.find_spec("matplotlib") is not None


def __getattr__(name: str) -> Any:
    if name in _MODULE_OF:
        module = importlib.import_module(f"{__name__}.{_MODULE_OF[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
