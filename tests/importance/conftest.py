"""Studies built from known data, so importances can be checked against known answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tunekit
from tunekit.distributions import BaseDistribution, FloatDistribution
from tunekit.trial import create_trial

StudyFactory = Callable[..., tunekit.Study]


@pytest.fixture
def study_from_columns() -> StudyFactory:
    """``factory(distributions, columns, values, directions=None)``: one COMPLETE trial per row.

    ``columns[name]`` holds the trials' values of parameter ``name`` (external representation);
    ``values`` is one objective value per trial, or a (n_trials, n_objectives) array.
    """

    def factory(
        distributions: dict[str, BaseDistribution],
        columns: dict[str, Any],
        values: Any,
        directions: list[str] | None = None,
    ) -> tunekit.Study:
        study = tunekit.create_study(directions=directions or ["minimize"])
        values = np.asarray(values, dtype=float)
        trials = []
        for row in range(values.shape[0]):
            params = {name: _python_scalar(columns[name][row]) for name in distributions}
            objective = values[row]
            trials.append(
                create_trial(
                    params=params,
                    distributions=distributions,
                    value=float(objective) if objective.ndim == 0 else None,
                    values=None if objective.ndim == 0 else [float(v) for v in objective],
                )
            )
        study.add_trials(trials)
        return study

    return factory


def _python_scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@pytest.fixture
def uniform_study(study_from_columns: StudyFactory) -> Callable[..., tunekit.Study]:
    """``factory(function, n_params, n_trials, seed)``: parameters x0.. uniform on [0, 1]."""

    def factory(
        function: Callable[[np.ndarray], np.ndarray], n_params: int, n_trials: int, seed: int
    ) -> tunekit.Study:
        inputs = np.random.default_rng(seed).random((n_trials, n_params))
        names = [f"x{i}" for i in range(n_params)]
        return study_from_columns(
            {name: FloatDistribution(0.0, 1.0) for name in names},
            {name: inputs[:, i] for i, name in enumerate(names)},
            function(inputs),
        )

    return factory
