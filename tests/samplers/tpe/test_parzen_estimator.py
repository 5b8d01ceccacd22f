"""The Parzen estimator: normalised densities, samples inside the space, the kernels' shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    from_unit,
    to_unit,
)
from tunekit.samplers.tpe.parzen_estimator import ParzenEstimator, ParzenEstimatorParameters

BOTH_RULES = [
    ParzenEstimatorParameters(multivariate=True),
    ParzenEstimatorParameters(multivariate=False),
]


@pytest.mark.parametrize("parameters", BOTH_RULES)
def test_continuous_density_integrates_to_one(parameters: ParzenEstimatorParameters) -> None:
    dist = FloatDistribution(-2.0, 3.0)
    observations = {"x": np.array([-2.0, 0.1, 0.15, 2.9])}
    estimator = ParzenEstimator(observations, {"x": dist}, np.ones(4), parameters)
    grid = np.linspace(-2.0, 3.0, 20001)
    density = np.exp(estimator.log_pdf({"x": grid}))
    # The density lives in the unit space: integrate over it (dx / 5).
    assert np.trapezoid(density, grid) / 5.0 == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(
    "dist",
    [
        IntDistribution(1, 9),
        IntDistribution(0, 12, step=3),
        IntDistribution(1, 100, log=True),
        FloatDistribution(0.0, 1.0, step=0.25),
    ],
)
def test_discrete_masses_sum_to_one_on_the_grid(dist) -> None:
    grid = np.arange(dist.low, dist.high + 1e-9, dist.step)
    observations = {"x": grid[[0] + [len(grid) // 2] * 8].astype(float)}
    estimator = ParzenEstimator(observations, {"x": dist}, np.ones(9))
    masses = np.exp(estimator.log_pdf({"x": grid}))
    assert masses.sum() == pytest.approx(1.0, rel=1e-9)
    # On a linear grid the observed middle value is the most likely one (on a log grid small
    # values own wider cells).
    if not dist.log:
        assert int(np.argmax(masses)) == len(grid) // 2


def test_categorical_kernel_prefers_observed_choices_and_sums_to_one() -> None:
    dist = CategoricalDistribution(["a", "b", "c", "d"])
    estimator = ParzenEstimator({"c": np.array([2, 2, 1])}, {"c": dist}, np.ones(3))
    p = np.exp(estimator.log_pdf({"c": np.arange(4)}))
    assert p.sum() == pytest.approx(1.0)
    assert p[2] > p[1] > p[0] == pytest.approx(p[3])


def test_joint_density_is_a_product_kernel_not_a_product_of_marginals() -> None:
    # Two clusters on the diagonal: the off-diagonal corners must be unlikely.
    space = {"x": FloatDistribution(0.0, 1.0), "y": FloatDistribution(0.0, 1.0)}
    obs = {"x": np.array([0.1, 0.12, 0.9, 0.88]), "y": np.array([0.1, 0.11, 0.9, 0.91])}
    estimator = ParzenEstimator(obs, space, np.ones(4))
    on = estimator.log_pdf({"x": np.array([0.1]), "y": np.array([0.1])})
    off = estimator.log_pdf({"x": np.array([0.1]), "y": np.array([0.9])})
    assert on[0] > off[0] + 1.0  # product of marginals: equal by symmetry


def test_anisotropic_kernels_take_the_shape_of_the_points() -> None:
    rng = np.random.default_rng(0)
    space = {"x": FloatDistribution(0.0, 1.0), "y": FloatDistribution(0.0, 1.0)}
    # Strung out along x, tight along y: a shallow valley.
    observations = {"x": rng.uniform(0.2, 0.8, 12), "y": 0.5 + 0.005 * rng.standard_normal(12)}
    weights = np.linspace(1.0, 0.2, 12)
    isotropic = ParzenEstimator(observations, space, weights)._sigma[:-1]
    shaped = ParzenEstimator(
        observations, space, weights, ParzenEstimatorParameters(anisotropic=True)
    )._sigma[:-1]
    np.testing.assert_allclose(isotropic[:, 0], isotropic[:, 1])
    w = weights / weights.sum()
    spread = np.array(
        [np.sqrt(w @ (v - w @ v) ** 2) for v in (observations["x"], observations["y"])]
    )
    # Each width moves by (spread / geometric mean) ** 0.5 = (s_x / s_y) ** (+-1/4) here.
    factor = (spread[0] / spread[1]) ** 0.25
    assert 1.0 < factor < 4.0
    np.testing.assert_allclose(shaped[:, 0], isotropic[:, 0] * factor)
    np.testing.assert_allclose(shaped[:, 1], np.maximum(isotropic[:, 1] / factor, 1e-3))
    # Beyond a factor of four the shape is clipped.
    flat = {"x": observations["x"], "y": np.full(12, 0.5)}
    clipped = ParzenEstimator(
        flat, space, weights, ParzenEstimatorParameters(anisotropic=True)
    )._sigma[:-1]
    np.testing.assert_allclose(clipped[:, 0], isotropic[:, 0] * 4.0)


def test_anisotropic_kernels_stay_one_grid_step_wide_on_a_shared_integer() -> None:
    # Good points that all chose n = 26 have no spread along n. The shape alone would narrow
    # those kernels to a quarter of the isotropic width, a fraction of a grid step, and put
    # nearly all the mass on 26: the search could never step to 24 (mixed_quadratic's trap).
    rng = np.random.default_rng(0)
    space = {"lr": FloatDistribution(1e-5, 1e-1, log=True), "n": IntDistribution(1, 64)}
    observations = {"lr": 10 ** rng.uniform(-3.5, -2.5, 10), "n": np.full(10, 26)}
    weights = np.ones(10)
    isotropic = ParzenEstimator(observations, space, weights)._sigma[:-1]
    shaped = ParzenEstimator(
        observations, space, weights, ParzenEstimatorParameters(anisotropic=True)
    )
    cell = float(to_unit(space["n"], 26.5) - to_unit(space["n"], 25.5))
    assert isotropic[0, 1] / 4.0 < cell < isotropic[0, 1]
    np.testing.assert_allclose(shaped._sigma[:-1, 1], cell)
    mass = np.exp(shaped.log_pdf({"lr": np.full(3, 1e-3), "n": np.array([24.0, 25.0, 26.0])}))
    assert mass[1] > 0.5 * mass[2] and mass[0] > 0.1 * mass[2]
    # Along the continuous parameter the shape still widens the kernels (up to four times).
    assert np.all(shaped._sigma[:-1, 0] > isotropic[:, 0])


def test_magic_clip_counts_magic_clip_n_when_given() -> None:
    space = {"x": FloatDistribution(0.0, 1.0)}
    observations = {"x": np.array([0.30, 0.301, 0.302])}  # gaps far below either floor
    own = ParzenEstimatorParameters(multivariate=False)
    study = ParzenEstimatorParameters(multivariate=False, magic_clip_n=99)
    sigma_own = ParzenEstimator(observations, space, np.ones(3), own)._sigma[:-1, 0]
    sigma_study = ParzenEstimator(observations, space, np.ones(3), study)._sigma[:-1, 0]
    # Floors 1 / min(100, n + 1): 1/4 for the 3 observations, 1/100 for the 99 the caller
    # counts. The last point's farther neighbour is the prior's centre, 0.198 away.
    np.testing.assert_allclose(sigma_own, [0.25, 0.25, 0.25])
    np.testing.assert_allclose(sigma_study, [0.01, 0.01, 0.198])


def test_anisotropic_density_integrates_to_one() -> None:
    space = {"x": FloatDistribution(0.0, 1.0), "y": FloatDistribution(0.0, 1.0)}
    observations = {"x": np.array([0.1, 0.4, 0.7, 0.9]), "y": np.array([0.5, 0.52, 0.49, 0.5])}
    estimator = ParzenEstimator(
        observations, space, np.ones(4), ParzenEstimatorParameters(anisotropic=True)
    )
    grid = np.linspace(0.0, 1.0, 1201)
    gx, gy = np.meshgrid(grid, grid, indexing="ij")
    density = np.exp(estimator.log_pdf({"x": gx.ravel(), "y": gy.ravel()})).reshape(gx.shape)
    assert np.trapezoid(np.trapezoid(density, grid, axis=1), grid) == pytest.approx(1.0, abs=2e-3)


def test_no_observations_is_the_prior() -> None:
    space = {"x": FloatDistribution(0.0, 1.0), "c": CategoricalDistribution([1, 2])}
    estimator = ParzenEstimator({"x": np.empty(0), "c": np.empty(0, int)}, space, np.empty(0))
    samples = estimator.sample(np.random.default_rng(0), 100)
    assert samples["x"].shape == (100,) and set(samples["c"]) <= {0, 1}
    assert np.all(np.isfinite(estimator.log_pdf(samples)))


def _distributions() -> st.SearchStrategy:
    bounds = st.tuples(st.integers(-50, 50), st.integers(0, 60)).map(lambda t: (t[0], t[0] + t[1]))
    return st.one_of(
        bounds.map(lambda b: FloatDistribution(float(b[0]), float(b[1]) + 0.5)),
        bounds.map(lambda b: FloatDistribution(float(b[0] + 51), float(b[1] + 52), log=True)),
        bounds.map(lambda b: IntDistribution(b[0], b[1])),
        bounds.map(lambda b: IntDistribution(b[0] + 51, b[1] + 51, log=True)),
        bounds.map(lambda b: IntDistribution(b[0], b[0] + 2 * (b[1] - b[0]) + 2, step=2)),
        bounds.map(lambda b: FloatDistribution(float(b[0]), float(b[0]) + 2.0, step=0.5)),
        st.lists(
            st.sampled_from(["a", 1, 2.5, None, True]), min_size=1, max_size=5, unique=True
        ).map(CategoricalDistribution),
    )


@settings(deadline=None, max_examples=40)
@given(
    dists=st.lists(_distributions(), min_size=1, max_size=4),
    n_obs=st.integers(0, 12),
    seed=st.integers(0, 2**16),
    multivariate=st.booleans(),
)
def test_every_sample_lies_in_its_distribution(dists, n_obs, seed, multivariate) -> None:
    rng = np.random.default_rng(seed)
    space = {f"p{i}": d for i, d in enumerate(dists)}
    observations = {}
    for name, dist in space.items():
        if isinstance(dist, CategoricalDistribution):
            observations[name] = rng.integers(len(dist.choices), size=n_obs)
        else:
            observations[name] = from_unit(dist, rng.random(n_obs))
    parameters = ParzenEstimatorParameters(multivariate=multivariate)
    estimator = ParzenEstimator(observations, space, rng.random(n_obs) + 0.1, parameters)
    samples = estimator.sample(rng, 16)
    for name, dist in space.items():
        for value in samples[name]:
            external = (
                dist.to_external_repr(float(value))
                if not isinstance(dist, CategoricalDistribution)
                else dist.choices[int(value)]
            )
            if isinstance(dist, IntDistribution):
                external = int(value)
            assert dist.contains(external), (name, dist, value)
    assert np.all(np.isfinite(estimator.log_pdf(samples)))
