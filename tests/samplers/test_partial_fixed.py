"""Tests of PartialFixedSampler: fixed parameters stay fixed, the base sampler chooses the rest."""

from __future__ import annotations

import pytest

import tunekit
from tunekit.distributions import FloatDistribution
from tunekit.samplers import BaseSampler, PartialFixedSampler, RandomSampler
from tunekit.search_space import IntersectionSearchSpace
from tunekit.trial import Trial, TrialState


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _objective(trial: Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    y = trial.suggest_int("y", -5, 5)
    c = trial.suggest_categorical("c", ["a", "b"])
    return x**2 + y + (c == "b")


def test_fixed_parameters_stay_fixed() -> None:
    sampler = PartialFixedSampler({"y": 2, "c": "b"}, RandomSampler(seed=0))
    study = tunekit.create_study(sampler=sampler)
    study.optimize(_objective, n_trials=20)
    assert {t.params["y"] for t in study.trials} == {2}
    assert {t.params["c"] for t in study.trials} == {"b"}
    assert len({t.params["x"] for t in study.trials}) == 20


def test_fixed_value_outside_the_distribution_warns_and_is_used() -> None:
    study = tunekit.create_study(sampler=PartialFixedSampler({"y": 50}, RandomSampler(seed=0)))
    with pytest.warns(UserWarning, match=r"'y'.*50"):
        study.optimize(_objective, n_trials=1)
    assert study.trials[0].params["y"] == 50


class _RecordingMidpointSampler(BaseSampler):
    """Samples the intersection space jointly at its midpoints; records what it was asked."""

    def __init__(self) -> None:
        self.relative_spaces: list[set[str]] = []
        self.events: list[str] = []
        self._space = IntersectionSearchSpace()

    def infer_relative_search_space(self, study, trial):
        return self._space.calculate(study)

    def sample_relative(self, study, trial, search_space):
        self.relative_spaces.append(set(search_space))
        return {
            name: (d.low + d.high) / 2
            for name, d in search_space.items()
            if isinstance(d, FloatDistribution)
        }

    def sample_independent(self, study, trial, param_name, param_distribution):
        return RandomSampler(seed=trial.number).sample_independent(
            study, trial, param_name, param_distribution
        )

    def before_trial(self, study, trial):
        self.events.append(f"before {trial.number}")

    def after_trial(self, study, trial, state, values):
        self.events.append(f"after {trial.number} {state.name}")

    def reseed_rng(self) -> None:
        self.events.append("reseed")


def test_fixed_parameters_leave_the_relative_search_space() -> None:
    base = _RecordingMidpointSampler()
    study = tunekit.create_study(sampler=PartialFixedSampler({"x": 0.5}, base))

    def objective(trial: Trial) -> float:
        return trial.suggest_float("x", -1, 1) + trial.suggest_float("z", 0, 4)

    study.optimize(objective, n_trials=4)
    assert all("x" not in space for space in base.relative_spaces)
    assert {t.params["x"] for t in study.trials} == {0.5}
    # After the first trial, z is in the intersection space and sampled at its midpoint.
    assert [t.params["z"] for t in study.trials[1:]] == [2.0, 2.0, 2.0]


def test_hooks_are_forwarded_to_the_base_sampler() -> None:
    base = _RecordingMidpointSampler()
    sampler = PartialFixedSampler({"x": 0.0}, base)
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -1, 1), n_trials=2)
    sampler.reseed_rng()
    assert base.events == ["before 0", "after 0 COMPLETE", "before 1", "after 1 COMPLETE", "reseed"]
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match=r"`fixed_params`.*\[1\]"):
        PartialFixedSampler([1], RandomSampler())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"`base_sampler`.*'random'"):
        PartialFixedSampler({}, "random")  # type: ignore[arg-type]
