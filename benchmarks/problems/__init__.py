"""Benchmark problems: synthetic (HPOlib), mixed/conditional and real ML objectives.

``PROBLEMS`` maps each short name to its problem; every problem has ``name``,
``kind`` ("synthetic", "mixed" or "ml"), ``f_star``, ``objective(trial)`` and
``regret(value)``, and is minimised.
"""

from __future__ import annotations

from benchmarks.problems import mixed, ml, synthetic
from benchmarks.problems.base import FixedParamsTrial, Problem, TrialLike

__all__ = ["PROBLEMS", "FixedParamsTrial", "Problem", "TrialLike", "get_problem"]


def _merge_registries(*registries: dict[str, Problem]) -> dict[str, Problem]:
    merged: dict[str, Problem] = {}
    for registry in registries:
        clashes = merged.keys() & registry.keys()
        if clashes:
            raise RuntimeError(f"benchmark problem names registered twice: {sorted(clashes)}")
        merged.update(registry)
    return merged


PROBLEMS: dict[str, Problem] = _merge_registries(synthetic.PROBLEMS, mixed.PROBLEMS, ml.PROBLEMS)


def get_problem(name: str) -> Problem:
    """Return the registered problem called ``name``.

    Raises
    ------
    KeyError
        If no problem has that name; the message lists the available names.
    """
    try:
        return PROBLEMS[name]
    except KeyError:
        available = ", ".join(sorted(PROBLEMS))
        raise KeyError(f"unknown benchmark problem {name!r}; available: {available}") from None
