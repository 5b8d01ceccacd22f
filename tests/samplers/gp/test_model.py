from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tunekit.samplers.gp.kernel import MaternHammingKernel, SearchSpaceDims
from tunekit.samplers.gp.model import (
    NOISE_FLOOR,
    CholeskyError,
    GaussianProcess,
    GPHyperparameters,
    OutputTransform,
    fit_gp,
    robust_cholesky,
)


def matern52_numpy(A: np.ndarray, B: np.ndarray, lengthscales: np.ndarray) -> np.ndarray:
    r = np.sqrt((((A[:, None, :] - B[None, :, :]) / lengthscales) ** 2).sum(-1))
    return (1.0 + math.sqrt(5.0) * r + 5.0 / 3.0 * r**2) * np.exp(-math.sqrt(5.0) * r)


def draw_from_gp(
    lengthscales: list[float], n: int, seed: int, noise_variance: float = 1e-4
) -> tuple[np.ndarray, np.ndarray]:
    """Sample a function from a Matern-5/2 GP with known lengthscales at random inputs."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(lengthscales)))
    K = matern52_numpy(X, X, np.asarray(lengthscales))
    L = np.linalg.cholesky(K + 1e-9 * np.eye(n))
    y = L @ rng.standard_normal(n) + math.sqrt(noise_variance) * rng.standard_normal(n)
    return X, y


def test_posterior_matches_closed_form() -> None:
    X = np.array([[0.1, 0.2], [0.5, 0.9], [0.8, 0.4]])
    y = np.array([1.0, -2.0, 0.5])
    params = GPHyperparameters(np.log([0.4, 0.6]), math.log(1.3), math.log(0.01))
    model = GaussianProcess.from_observations(
        X, y, SearchSpaceDims.continuous(2), params, warp_threshold=None
    )

    # By hand: standardise y, then mean = k*' K^-1 y and var = s - k*' K^-1 k*.
    targets = (y - y.mean()) / y.std()
    K = 1.3 * matern52_numpy(X, X, np.array([0.4, 0.6])) + 0.01 * np.eye(3)
    Xq = np.array([[0.3, 0.3], [0.5, 0.9], [0.95, 0.05]])
    k_star = 1.3 * matern52_numpy(Xq, X, np.array([0.4, 0.6]))
    expected_mean = k_star @ np.linalg.solve(K, targets)
    expected_var = 1.3 - np.einsum("ij,ji->i", k_star, np.linalg.solve(K, k_star.T))

    mean, var = model.posterior(torch.as_tensor(Xq))
    np.testing.assert_allclose(mean.numpy(), expected_mean, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(var.numpy(), expected_var, rtol=1e-10, atol=1e-12)
    _, noisy_var = model.posterior(torch.as_tensor(Xq), include_noise=True)
    np.testing.assert_allclose(noisy_var.numpy(), expected_var + 0.01, rtol=1e-10)
    assert model.best_value == pytest.approx(targets.min())


def test_quadratic_prior_mean_matches_closed_form() -> None:
    X = np.array([[0.1, 0.2], [0.5, 0.9], [0.8, 0.4]])
    y = np.array([1.0, -2.0, 0.5])
    params = GPHyperparameters(np.log([0.08, 0.1]), math.log(1.3), math.log(0.01))
    dims = SearchSpaceDims.continuous(2)
    model = GaussianProcess.from_observations(
        X, y, dims, params, warp_threshold=None, mean_curvature=0.7
    )

    # mean = m(x*) + k*' K^-1 (y - m(X)) with m(x) = 0.7 |x - 1/2|^2; the variance is unchanged.
    def m(points: np.ndarray) -> np.ndarray:
        return 0.7 * ((points - 0.5) ** 2).sum(-1)

    targets = (y - y.mean()) / y.std()
    K = 1.3 * matern52_numpy(X, X, np.array([0.08, 0.1])) + 0.01 * np.eye(3)
    Xq = np.array([[0.15, 0.25], [0.5, 0.9], [1.0, 0.0], [0.5, 0.5]])
    k_star = 1.3 * matern52_numpy(Xq, X, np.array([0.08, 0.1]))
    expected_mean = m(Xq) + k_star @ np.linalg.solve(K, targets - m(X))
    expected_var = 1.3 - np.einsum("ij,ji->i", k_star, np.linalg.solve(K, k_star.T))

    mean, var = model.posterior(torch.as_tensor(Xq))
    np.testing.assert_allclose(mean.numpy(), expected_mean, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(var.numpy(), expected_var, rtol=1e-10, atol=1e-12)
    # Far from every observation the prediction falls back to the prior mean: worse at a
    # corner than at the centre.
    assert mean[2].item() == pytest.approx(0.7 * 0.5, abs=0.02)
    assert mean[2] > mean[3]
    assert model.best_value == pytest.approx(targets.min())  # observations, not residuals
    # Other hyper-parameters and fantasies keep the prior mean.
    assert model.with_params(params).mean_curvature == 0.7
    assert model.condition_on_observations(Xq[:1], [0.0]).mean_curvature == 0.7
    for bad in (-0.1, math.nan, math.inf):
        with pytest.raises(ValueError, match="mean_curvature"):
            GaussianProcess.from_observations(X, y, dims, params, mean_curvature=bad)


def test_fit_with_a_prior_mean_fits_the_kernel_to_the_deviations() -> None:
    # Targets that are the quadratic prior mean up to a constant leave the kernel a constant
    # to explain: its lengthscales grow far beyond the box, unlike the zero-mean fit's.
    rng = np.random.default_rng(3)
    X = rng.random((20, 3))
    y = ((X - 0.5) ** 2).sum(1)
    dims = SearchSpaceDims.continuous(3)
    transform = OutputTransform.fit(y, warp_threshold=None)
    curvature = 1.0 / transform.std  # the prior mean in standardised units, up to a constant
    zero_mean = fit_gp(X, y, dims, warp_threshold=None, seed=0)
    quadratic = fit_gp(X, y, dims, warp_threshold=None, seed=0, mean_curvature=curvature)
    assert quadratic.mean_curvature == curvature
    assert np.all(quadratic.params.lengthscales > 5.0)
    assert np.all(zero_mean.params.lengthscales < 2.0)
    Xq = torch.as_tensor(rng.random((5, 3)))
    expected = transform(((Xq.numpy() - 0.5) ** 2).sum(1))
    np.testing.assert_allclose(quadratic.posterior(Xq)[0].numpy(), expected, atol=0.05)


def test_posterior_is_batched_and_differentiable() -> None:
    X, y = draw_from_gp([0.3, 0.3], 12, seed=1)
    params = GPHyperparameters(np.log([0.3, 0.3]), 0.0, math.log(1e-4))
    model = GaussianProcess.from_observations(X, y, SearchSpaceDims.continuous(2), params)
    Xq = torch.rand(4, 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    mean, var = model.posterior(Xq)
    assert mean.shape == var.shape == (4, 5)
    flat_mean, _ = model.posterior(Xq.reshape(-1, 2))
    np.testing.assert_allclose(mean.reshape(-1).numpy(), flat_mean.numpy())

    def mean_and_std(points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m, v = model.posterior(points)
        return m, v.sqrt()

    assert torch.autograd.gradcheck(mean_and_std, (Xq[0].clone().requires_grad_(True),))


def test_robust_cholesky_adds_jitter_and_raises_when_hopeless() -> None:
    singular = torch.ones(4, 4, dtype=torch.float64)
    factor, jitter = robust_cholesky(singular)
    assert jitter > 0
    np.testing.assert_allclose((factor @ factor.T).numpy(), singular.numpy() + jitter * np.eye(4))
    with pytest.raises(CholeskyError):
        robust_cholesky(-torch.eye(3, dtype=torch.float64))


def test_output_transform_warps_only_heavy_tails() -> None:
    rng = np.random.default_rng(0)
    light_tailed = rng.random(200)
    assert not OutputTransform.fit(light_tailed).is_warped
    heavy = np.concatenate([rng.standard_normal(30), [1e6, 5e7]])
    transform = OutputTransform.fit(heavy)
    assert transform.is_warped
    warped = transform(heavy)
    assert np.all(np.diff(warped[np.argsort(heavy)]) > 0)  # strictly increasing
    assert abs(warped.mean()) < 1e-12 and warped.std() == pytest.approx(1.0)
    # Without the warp the two outliers squeeze the other points into a ~1e-7 wide band.
    unwarped = OutputTransform.fit(heavy, warp_threshold=None)
    assert not unwarped.is_warped and np.std(unwarped(heavy)[:30]) < 1e-6
    assert np.std(warped[:30]) > 0.1
    # Only the bad (upper) tail is compressed: below the median the map stays affine.
    lower = heavy[heavy <= np.median(heavy)]
    slopes = np.diff(transform(np.sort(lower))) / np.diff(np.sort(lower))
    np.testing.assert_allclose(slopes, slopes[0], rtol=1e-9)
    # Polynomial growth (Rosenbrock-like values) warps too; a huge *good* value does not.
    rosenbrock_like = 100.0 * rng.random(40) ** 4
    assert OutputTransform.fit(rosenbrock_like).is_warped
    assert not OutputTransform.fit(rosenbrock_like, warp_threshold=1e3).is_warped
    assert not OutputTransform.fit(np.concatenate([rng.random(30), [-1e9]])).is_warped
    constant = OutputTransform.fit(np.full(5, 3.0))
    np.testing.assert_allclose(constant(np.full(5, 3.0)), 0.0)


def test_fit_recovers_known_lengthscale() -> None:
    X, y = draw_from_gp([0.2], 60, seed=0)
    model = fit_gp(X, y, SearchSpaceDims.continuous(1), seed=0)
    assert 0.1 < model.params.lengthscales[0] < 0.4
    assert model.params.noise_variance < 1e-2


def test_fit_recovers_relevance_of_dimensions() -> None:
    X, y = draw_from_gp([0.2, 3.0], 60, seed=1)
    model = fit_gp(X, y, SearchSpaceDims.continuous(2), seed=0)
    short, long = model.params.lengthscales
    assert 0.1 < short < 0.4
    assert long > 5 * short


def test_fit_deterministic_noise_is_the_floor_and_warm_start_is_used() -> None:
    X, y = draw_from_gp([0.3], 15, seed=2, noise_variance=0.0)
    dims = SearchSpaceDims.continuous(1)
    model = fit_gp(X, y, dims, deterministic_objective=True, seed=0)
    assert model.params.noise_variance == pytest.approx(NOISE_FLOOR)
    mean, _ = model.posterior(torch.as_tensor(X))
    np.testing.assert_allclose(mean.numpy(), model.targets.numpy(), atol=1e-3)

    warm = fit_gp(
        X, y, dims, deterministic_objective=True, initial_params=model.params, n_restarts=0
    )
    np.testing.assert_allclose(warm.params.to_array(), model.params.to_array(), atol=1e-3)
    # A warm start of the wrong dimension is ignored rather than crashing.
    fit_gp(X, y, dims, initial_params=np.zeros(5), n_restarts=0)


def test_fit_handles_mixed_space_and_duplicate_points() -> None:
    rng = np.random.default_rng(3)
    dims = SearchSpaceDims(np.array([False, False, True]), np.array([0, 6, 3]))
    X = np.column_stack([rng.random(20), rng.random(20), rng.integers(0, 3, 20)])
    X = np.vstack([X, X[:3]])  # exact duplicates must not break the Cholesky
    y = np.sin(6 * X[:, 0]) + X[:, 2] + rng.normal(0, 0.01, X.shape[0])
    model = fit_gp(X, y, dims, seed=0)
    mean, var = model.posterior(torch.as_tensor(X))
    assert torch.isfinite(mean).all() and (var > 0).all()
    # Category matters a lot here, so its Hamming "lengthscale" should not be huge.
    assert model.params.lengthscales[2] < 10


def test_condition_on_observations_keeps_incumbent_and_shrinks_variance() -> None:
    X, y = draw_from_gp([0.3], 8, seed=4)
    params = GPHyperparameters(np.log([0.02]), 0.0, math.log(1e-6))
    model = GaussianProcess.from_observations(X, y, SearchSpaceDims.continuous(1), params)
    # Far (in lengthscales) from every training input, so the prior variance is intact.
    gaps = np.abs(np.linspace(0, 1, 101)[:, None] - X[:, 0][None, :]).min(1)
    new_point = torch.tensor([[np.linspace(0, 1, 101)[gaps.argmax()]]], dtype=torch.float64)
    _, var_before = model.posterior(new_point)
    conditioned = model.condition_on_observations(new_point, torch.tensor([-100.0]))
    _, var_after = conditioned.posterior(new_point)
    assert var_before.item() > 0.5
    assert var_after.item() < 1e-4 * var_before.item()
    assert conditioned.best_value == model.best_value
    assert conditioned.n_observed == 8 and conditioned.X_train.shape[0] == 9


def test_with_params_keeps_observations_and_fantasies() -> None:
    X, y = draw_from_gp([0.3, 0.5], 12, seed=4)
    dims = SearchSpaceDims.continuous(2)
    model = fit_gp(X, y, dims, seed=0)
    other = GPHyperparameters(np.log([0.2, 0.9]), 0.1, math.log(1e-4))
    expected = GaussianProcess.from_observations(X, y, dims, other)
    swapped = model.with_params(other)
    assert swapped.params is other
    Xq = torch.as_tensor(np.random.default_rng(0).random((5, 2)))
    for got, want in zip(swapped.posterior(Xq), expected.posterior(Xq), strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)
    # Fantasised rows stay fantasies: the incumbent is still the best real observation.
    fantasised = model.condition_on_observations(Xq[:1], torch.tensor([-100.0]))
    swapped = fantasised.with_params(other)
    assert swapped.n_observed == 12 and swapped.X_train.shape[0] == 13
    assert swapped.best_value == pytest.approx(expected.best_value)


def test_invalid_inputs_raise() -> None:
    dims = SearchSpaceDims.continuous(1)
    with pytest.raises(ValueError):
        fit_gp(np.zeros((2, 1)), np.array([1.0, np.inf]), dims)
    with pytest.raises(ValueError):
        fit_gp(np.zeros((3, 1)), np.array([1.0, 2.0]), dims)


def test_kernel_and_model_agree() -> None:
    X, y = draw_from_gp([0.25], 6, seed=5)
    dims = SearchSpaceDims.continuous(1)
    params = GPHyperparameters(np.log([0.25]), math.log(2.0), math.log(1e-3))
    model = GaussianProcess.from_observations(X, y, dims, params)
    K = MaternHammingKernel(dims)(
        torch.as_tensor(X), torch.as_tensor(X), torch.tensor([0.25]), torch.tensor(2.0)
    )
    np.testing.assert_allclose(K.numpy(), 2.0 * matern52_numpy(X, X, np.array([0.25])))
    assert model.kernel.dims is dims


def test_closed_form_posterior_gradient_matches_autograd_through_the_kernel() -> None:
    rng = np.random.default_rng(0)
    dims = SearchSpaceDims(
        is_categorical=np.array([False, False, True, False]), n_steps=np.array([0, 0, 3, 5])
    )
    X = rng.random((12, 4))
    X[:, 2] = rng.integers(0, 3, 12)
    params = GPHyperparameters(np.log([0.3, 0.7, 1.5, 0.4]), 0.2, -5.0)
    gp = GaussianProcess.from_observations(X, rng.standard_normal(12), dims, params)
    Xq = torch.as_tensor(rng.random((5, 4)))
    Xq[:, 2] = torch.tensor([0.0, 1.0, 2.0, 1.0, 0.0])
    Xq.requires_grad_()
    weights = torch.arange(5, dtype=torch.float64)

    mean, variance = gp.posterior(Xq)
    (gradient,) = torch.autograd.grad((weights * mean + variance.log()).sum(), Xq)

    # Reference: plain autograd through the kernel and the triangular solve.
    cross = gp.kernel(Xq, gp.X_train, gp._lengthscales, gp._outputscale)
    reference_mean = cross @ gp._alpha
    v = torch.linalg.solve_triangular(gp._cholesky, cross.T, upper=False)
    reference_variance = gp._outputscale - (v * v).sum(0)
    (reference,) = torch.autograd.grad(
        (weights * reference_mean + reference_variance.log()).sum(), Xq
    )
    np.testing.assert_allclose(mean.detach().numpy(), reference_mean.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        variance.detach().numpy(), reference_variance.detach().numpy(), rtol=1e-10
    )
    np.testing.assert_allclose(gradient.numpy(), reference.numpy(), rtol=1e-9, atol=1e-12)
    # Categorical and stepped inputs are piecewise constant.
    assert torch.all(gradient[:, 2:] == 0)
    assert torch.any(gradient[:, :2] != 0)


def test_marginal_likelihood_gradient_passes_gradcheck() -> None:
    from tunekit.samplers.gp.model import _GaussianNegativeLogLikelihood

    generator = torch.Generator().manual_seed(0)
    A = torch.rand(6, 6, dtype=torch.float64, generator=generator)
    K = (A @ A.T + torch.eye(6, dtype=torch.float64)).requires_grad_()
    y = torch.randn(6, dtype=torch.float64, generator=generator)
    assert torch.autograd.gradcheck(
        lambda K: _GaussianNegativeLogLikelihood.apply((K + K.T) / 2, y), (K,)
    )
    # And the value is the Gaussian negative log density.
    value = _GaussianNegativeLogLikelihood.apply(K.detach(), y)
    reference = -torch.distributions.MultivariateNormal(
        torch.zeros(6, dtype=torch.float64), K.detach()
    ).log_prob(y)
    assert value.item() == pytest.approx(reference.item(), rel=1e-12)


def _mixed_model(
    seed: int = 0, mean_curvature: float = 0.0
) -> tuple[GaussianProcess, SearchSpaceDims, np.random.Generator]:
    rng = np.random.default_rng(seed)
    dims = SearchSpaceDims(
        is_categorical=np.array([False, False, True, False]), n_steps=np.array([0, 0, 3, 5])
    )
    X = rng.random((15, 4))
    X[:, 2] = rng.integers(0, 3, 15)
    params = GPHyperparameters(np.log([0.3, 0.7, 1.5, 0.4]), 0.2, -5.0)
    gp = GaussianProcess.from_observations(
        X, rng.standard_normal(15), dims, params, mean_curvature=mean_curvature
    )
    return gp, dims, rng


@pytest.mark.parametrize("mean_curvature", [0.0, 0.8])
def test_host_posterior_with_gradient_matches_the_torch_posterior(mean_curvature: float) -> None:
    gp, _, rng = _mixed_model(mean_curvature=mean_curvature)
    Xq = rng.random((6, 4))
    Xq[:, 2] = [0.0, 1.0, 2.0, 1.0, 0.0, 2.0]
    Xq[5] = gp.X_train[3].numpy()  # a training point: the variance sits at its floor
    host = gp.posterior_with_gradient(Xq)

    tensor = torch.as_tensor(Xq).requires_grad_()
    mean, variance = gp.posterior(tensor)
    (mean_gradient,) = torch.autograd.grad(mean.sum(), tensor)
    (variance_gradient,) = torch.autograd.grad(gp.posterior(tensor)[1].sum(), tensor)
    np.testing.assert_allclose(host.mean, mean.detach().numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(host.variance, variance.detach().numpy(), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(host.mean_gradient, mean_gradient.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(
        host.variance_gradient, variance_gradient.numpy(), rtol=1e-9, atol=1e-11
    )
    # Zero in the categorical and stepped dimensions, not in the continuous ones.
    assert np.all(host.mean_gradient[:, 2:] == 0) and np.all(host.variance_gradient[:, 2:] == 0)
    assert np.all(host.mean_gradient[:5, :2] != 0)
    # A central finite difference agrees with the mean's gradient in a continuous dimension.
    step = np.zeros(4)
    step[1] = 1e-6
    difference = (
        gp.posterior_with_gradient(Xq + step).mean - gp.posterior_with_gradient(Xq - step).mean
    ) / 2e-6
    np.testing.assert_allclose(difference[:5], host.mean_gradient[:5, 1], rtol=1e-5, atol=1e-7)


def test_host_marginal_likelihood_matches_the_torch_objective() -> None:
    from tunekit.samplers.gp.model import (
        HyperparameterPrior,
        _HostNegativeLogPosterior,
        _negative_log_posterior,
    )

    rng = np.random.default_rng(3)
    spaces = [
        SearchSpaceDims(np.array([False, False, True, False]), np.array([0, 0, 3, 5])),
        SearchSpaceDims.continuous(3),
        SearchSpaceDims(np.array([True, True]), np.array([3, 4])),
    ]
    for dims in spaces:
        X = rng.random((20, dims.dim))
        X[:, dims.is_categorical] = rng.integers(0, 3, (20, int(dims.is_categorical.sum())))
        y = rng.standard_normal(20)
        kernel = MaternHammingKernel(dims)
        features = kernel.features(torch.as_tensor(X), torch.as_tensor(X))
        prior = HyperparameterPrior.box(dims.dim)
        for include_noise_prior in (True, False):
            host = _HostNegativeLogPosterior(features.numpy(), y, dims, prior, include_noise_prior)
            for _ in range(3):
                theta_np = np.append(rng.normal(0.0, 0.7, dims.dim + 1), rng.uniform(-6, -1))
                theta = torch.tensor(theta_np, requires_grad=True)
                loss = _negative_log_posterior(
                    theta, features, torch.as_tensor(y), kernel, prior, include_noise_prior
                )
                (gradient,) = torch.autograd.grad(loss, theta)
                value, host_gradient = host(theta_np)
                assert value == pytest.approx(loss.item(), rel=1e-10)
                np.testing.assert_allclose(host_gradient, gradient.numpy(), rtol=1e-7, atol=1e-8)
    # A matrix no jitter can repair (non-finite) gives an infinite objective, not an error.
    assert host(np.full(dims.dim + 2, 800.0))[0] == math.inf
