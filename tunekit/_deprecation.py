"""One wording for the warnings of the names kept for compatibility with Optuna."""

from __future__ import annotations

import warnings

__all__ = ["warn_deprecated"]


def warn_deprecated(
    name: str, since: str, instead: str | None = None, *, stacklevel: int = 2
) -> None:
    """Warn, with a ``FutureWarning`` as Optuna does, that ``name`` is deprecated.

    ``since`` is the Optuna version that deprecated it; ``instead`` names what to use, and
    without it the warning says the name will be removed. ``stacklevel`` counts as
    :func:`warnings.warn`'s does, from the caller of this function.

    Example
    -------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_deprecated("suggest_uniform", "3.0.0", "suggest_float(name, low, high)")
    >>> print(caught[0].message)
    suggest_uniform has been deprecated in Optuna v3.0.0 and is kept for compatibility; use suggest_float(name, low, high).
    """
    advice = f"use {instead}" if instead else "it will be removed in a future version"
    warnings.warn(
        f"{name} has been deprecated in Optuna v{since} and is kept for compatibility; {advice}.",
        FutureWarning,
        stacklevel=stacklevel + 1,
    )
