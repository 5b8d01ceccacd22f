"""Special functions the samplers share, in NumPy."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["log1mexp"]


def log1mexp(x: np.ndarray) -> np.ndarray:
    """``log(1 - exp(x))`` for ``x <= 0``, accurate near 0 and far below it (Maechler 2012).

    ``log(-expm1(x))`` above ``-log 2``, ``log1p(-exp(x))`` below; ``x = 0`` gives ``-inf``.
    """
    x = np.minimum(x, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(x > -math.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))
