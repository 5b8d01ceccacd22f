from __future__ import annotations

import math

import numpy as np

from tunekit.samplers._special import log1mexp


def test_log1mexp_is_accurate() -> None:
    x = np.array([-1e-20, -1e-5, -0.5, -0.7, -5.0, -50.0])
    expected = [
        math.log(-math.expm1(v)) if v > -math.log(2) else math.log1p(-math.exp(v))
        for v in x.tolist()
    ]
    np.testing.assert_allclose(log1mexp(x), expected, rtol=1e-14)


def test_log1mexp_at_zero_is_minus_infinity() -> None:
    assert log1mexp(np.array([0.0]))[0] == -math.inf
