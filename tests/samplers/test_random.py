"""Tests of RandomSampler: bounds, grids, log-uniformity, reproducibility."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.samplers import RandomSampler
from tunekit.trial import Trial

SEEDS = (0, 1, 2)


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)
    yield
    tunekit.logging.set_verbosity(tunekit.logging.INFO)


def _draw(distribution, n: int, seed: int) -> np.ndarray:
    """n independent draws of one parameter through the sampler's interface."""
    sampler = RandomSampler(seed=seed)
    study = tunekit.create_study(sampler=sampler)
    frozen = study._storage.get_trial(study.ask()._trial_id)
    return np.array(
        [sampler.sample_independent(study, frozen, "p", distribution) for _ in range(n)],
        dtype=object,
    )


@st.composite
def numeric_distributions(draw):
    kind = draw(st.sampled_from(["float", "float_log", "float_step", "int", "int_log", "int_step"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a step that does not divide the range
        if kind == "int":
            low = draw(st.integers(-(10**6), 10**6))
            return IntDistribution(low, low + draw(st.integers(0, 10**6)))
        if kind == "int_log":
            low = draw(st.integers(1, 10**4))
            return IntDistribution(low, low + draw(st.integers(0, 10**6)), log=True)
        if kind == "int_step":
            low = draw(st.integers(-1000, 1000))
            return IntDistribution(
                low, low + draw(st.integers(0, 1000)), step=draw(st.integers(1, 40))
            )
        if kind == "float_log":
            low = draw(st.floats(1e-10, 1e4))
            return FloatDistribution(low, low * draw(st.floats(1.0, 1e8)), log=True)
        low = draw(st.floats(-1e6, 1e6))
        high = low + draw(st.floats(0.0, 1e6))
        if kind == "float_step":
            low, high = round(low, 2), round(high, 2)
            step = draw(st.sampled_from([0.01, 0.1, 0.5, 1.0, 7.0]))
            return FloatDistribution(low, max(low, high), step=step)
        return FloatDistribution(low, high)


@settings(deadline=None, max_examples=60)
@given(numeric_distributions(), st.integers(0, 2**31 - 1))
def test_every_value_is_inside_and_on_the_grid(distribution, seed: int) -> None:
    values = _draw(distribution, 30, seed)
    for value in values:
        assert distribution.low <= value <= distribution.high
        assert distribution.contains(value), (distribution, value)
        if isinstance(distribution, IntDistribution):
            assert type(value) is int
        else:
            assert type(value) is float


@settings(deadline=None, max_examples=30)
@given(
    st.lists(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3)),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 1000),
)
def test_categorical_values_are_choices(choices, seed: int) -> None:
    distribution = CategoricalDistribution(choices)
    for value in _draw(distribution, 20, seed):
        assert distribution.contains(value)


@pytest.mark.parametrize("seed", SEEDS)
def test_log_float_is_uniform_in_log_space(seed: int) -> None:
    low, high = 1e-5, 10.0
    values = _draw(FloatDistribution(low, high, log=True), 2000, seed).astype(float)
    logs = np.log(values)
    result = stats.kstest(logs, stats.uniform(loc=math.log(low), scale=math.log(high / low)).cdf)
    assert result.pvalue > 1e-3
    # Every decade gets about the same share (a linear sampler gives 90% to the top decade).
    decades = np.histogram(np.log10(values), bins=6, range=(-5, 1))[0]
    assert decades.min() > 2000 / 6 * 0.7


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_float_is_not_log_uniform(seed: int) -> None:
    # The KS test above can fail: a linear sampler does not pass it.
    low, high = 1e-5, 10.0
    values = _draw(FloatDistribution(low, high), 2000, seed).astype(float)
    result = stats.kstest(
        np.log(values), stats.uniform(loc=math.log(low), scale=math.log(high / low)).cdf
    )
    assert result.pvalue < 1e-6
    assert stats.kstest(values, stats.uniform(loc=low, scale=high - low).cdf).pvalue > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("distribution", "support"),
    [
        (IntDistribution(0, 4), [0, 1, 2, 3, 4]),
        (IntDistribution(-3, 9, step=3), [-3, 0, 3, 6, 9]),
        (FloatDistribution(0.0, 1.0, step=0.25), [0.0, 0.25, 0.5, 0.75, 1.0]),
        (CategoricalDistribution(["a", "b", "c", None, 1]), ["a", "b", "c", None, 1]),
    ],
)
def test_discrete_points_have_equal_mass(distribution, support, seed: int) -> None:
    values = list(_draw(distribution, 2500, seed))
    counts = [sum(1 for v in values if v == point and type(v) is type(point)) for point in support]
    assert sum(counts) == 2500
    # Endpoints included with the same mass as inner points.
    assert stats.chisquare(counts).pvalue > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_log_int_favours_small_values(seed: int) -> None:
    values = _draw(IntDistribution(1, 1000, log=True), 2000, seed).astype(float)
    assert values.min() >= 1 and values.max() <= 1000
    # Uniform in log space: about a third of draws in each of [1, 10), [10, 100), [100, 1000].
    assert 0.2 < np.mean(values < 10) < 0.45
    assert 0.2 < np.mean(values >= 100) < 0.45


def test_same_seed_same_suggestions() -> None:
    def objective(trial: Trial) -> float:
        trial.suggest_int("n", 0, 100)
        trial.suggest_categorical("c", ["a", "b", "c"])
        return trial.suggest_float("x", 1e-3, 1.0, log=True)

    runs = []
    for _ in range(2):
        study = tunekit.create_study(sampler=RandomSampler(seed=42))
        study.optimize(objective, n_trials=10)
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]
    other = tunekit.create_study(sampler=RandomSampler(seed=43))
    other.optimize(objective, n_trials=10)
    assert [t.params for t in other.trials] != runs[0]


def test_reseed_rng_changes_the_sequence() -> None:
    distribution = FloatDistribution(0, 1)
    sampler = RandomSampler(seed=0)
    study = tunekit.create_study(sampler=sampler)
    frozen = study._storage.get_trial(study.ask()._trial_id)
    first = [sampler.sample_independent(study, frozen, "p", distribution) for _ in range(5)]
    sampler.reseed_rng()
    second = [sampler.sample_independent(study, frozen, "p", distribution) for _ in range(5)]
    fresh = RandomSampler(seed=0)
    assert [fresh.sample_independent(study, frozen, "p", distribution) for _ in range(5)] == first
    assert second != first


def test_random_sampler_with_threads() -> None:
    study = tunekit.create_study(sampler=RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", -1, 1), n_trials=60, n_jobs=4)
    values = [t.params["x"] for t in study.trials]
    assert len(values) == 60 and len(set(values)) == 60
    assert all(-1 <= v <= 1 for v in values)


def test_random_sampler_is_default_and_multi_objective() -> None:
    study = tunekit.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_int("y", 0, 3)), n_trials=5)
    assert len(study.best_trials) >= 1


def test_random_sampler_pickles() -> None:
    import pickle

    sampler = pickle.loads(pickle.dumps(RandomSampler(seed=3)))
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2, n_jobs=2)
    assert len(study.trials) == 2
