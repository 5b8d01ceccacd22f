"""Integrations with other libraries: :class:`OptunaSearchCV` (alias :class:`TunekitSearchCV`).

The classes load scikit-learn on first access, so ``import tunekit.integration`` stays light.

Example
-------
>>> from sklearn.datasets import load_iris
>>> from sklearn.svm import SVC
>>> from tunekit.distributions import FloatDistribution
>>> from tunekit.integration import OptunaSearchCV
>>> search = OptunaSearchCV(
...     SVC(), {"C": FloatDistribution(1e-2, 1e2, log=True)}, n_trials=3, cv=3, random_state=0
... )
>>> X, y = load_iris(return_X_y=True)
>>> search.fit(X, y).best_score_ > 0.5
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["OptunaSearchCV", "TunekitSearchCV"]


def __getattr__(name: str) -> Any:
    # scikit-learn is an optional dependency (the ``tunekit[sklearn]`` extra): import on first use.
    if name in __all__:
        from tunekit.integration import sklearn as _sklearn_module

        value = getattr(_sklearn_module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
