from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tunekit.samplers.gp.kernel import (
    MaternHammingKernel,
    SearchSpaceDims,
    grid_index_to_unit,
    matern52_from_squared_distance,
    matern52_with_slope,
    round_to_grid,
    unit_to_grid_index,
)


def matern52_numpy(r: np.ndarray) -> np.ndarray:
    return (1.0 + math.sqrt(5.0) * r + 5.0 / 3.0 * r**2) * np.exp(-math.sqrt(5.0) * r)


def test_round_to_grid_maps_to_bin_centres() -> None:
    n_steps = np.array([4, 0, 3])
    is_categorical = np.array([False, False, True])
    X = np.array(
        [
            [0.0, 0.123, 2.0],
            [0.26, 0.5, 0.0],
            [0.5, 1.0, 1.0],
            [1.0, 0.0, 2.0],
        ]
    )
    rounded = round_to_grid(X, n_steps, is_categorical)
    np.testing.assert_allclose(rounded[:, 0], [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_array_equal(rounded[:, 1:], X[:, 1:])  # continuous, categorical untouched
    np.testing.assert_array_equal(round_to_grid(rounded, n_steps, is_categorical), rounded)
    torch_rounded = round_to_grid(torch.as_tensor(X), n_steps, is_categorical)
    np.testing.assert_allclose(torch_rounded.numpy(), rounded)


def test_grid_index_round_trip() -> None:
    k = 7
    indices = np.arange(k, dtype=float)
    units = grid_index_to_unit(indices, k)
    assert np.all((units > 0) & (units < 1))
    np.testing.assert_array_equal(unit_to_grid_index(units, k), indices)
    np.testing.assert_array_equal(unit_to_grid_index(np.array([0.0, 1.0]), k), [0.0, k - 1.0])


def test_search_space_dims_validation() -> None:
    dims = SearchSpaceDims(np.array([False, True, False]), np.array([0, 3, 5]))
    np.testing.assert_array_equal(dims.is_continuous, [True, False, False])
    np.testing.assert_array_equal(dims.is_stepped, [False, False, True])
    np.testing.assert_array_equal(dims.is_discrete, [False, True, True])
    assert SearchSpaceDims.continuous(2).dim == 2
    with pytest.raises(ValueError):
        SearchSpaceDims(np.array([True]), np.array([0]))
    with pytest.raises(ValueError):
        SearchSpaceDims(np.array([False, False]), np.array([0]))


def test_kernel_matches_closed_form_on_mixed_space() -> None:
    # dims: continuous, stepped (k = 5), categorical (3 choices)
    dims = SearchSpaceDims(np.array([False, False, True]), np.array([0, 5, 3]))
    lengthscales = np.array([0.3, 0.7, 2.0])
    outputscale = 1.7
    X1 = np.array([[0.1, 0.05, 0.0], [0.5, 0.55, 1.0], [0.9, 0.99, 2.0]])
    X2 = np.array([[0.2, 0.15, 0.0], [0.5, 0.5, 2.0]])

    kernel = MaternHammingKernel(dims)
    K = kernel(
        torch.as_tensor(X1),
        torch.as_tensor(X2),
        torch.as_tensor(lengthscales),
        torch.tensor(outputscale, dtype=torch.float64),
    ).numpy()

    def rounded(X: np.ndarray) -> np.ndarray:
        X = X.copy()
        X[:, 1] = (np.clip(np.floor(X[:, 1] * 5), 0, 4) + 0.5) / 5
        return X

    A, B = rounded(X1), rounded(X2)
    expected = np.empty((3, 2))
    for i in range(3):
        for j in range(2):
            r = math.sqrt(sum(((A[i, m] - B[j, m]) / lengthscales[m]) ** 2 for m in (0, 1)))
            hamming = float(A[i, 2] != B[j, 2]) / lengthscales[2]
            expected[i, j] = outputscale * matern52_numpy(np.array(r)) * math.exp(-hamming)
    np.testing.assert_allclose(K, expected, rtol=1e-12)


def test_kernel_is_positive_semidefinite_and_symmetric() -> None:
    rng = np.random.default_rng(0)
    dims = SearchSpaceDims(np.array([False, False, True]), np.array([0, 4, 3]))
    X = np.column_stack([rng.random(30), rng.random(30), rng.integers(0, 3, 30)])
    K = MaternHammingKernel(dims)(
        torch.as_tensor(X),
        torch.as_tensor(X),
        torch.tensor([0.2, 0.5, 1.0], dtype=torch.float64),
        torch.tensor(1.0, dtype=torch.float64),
    ).numpy()
    np.testing.assert_allclose(K, K.T, atol=1e-14)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    np.testing.assert_allclose(np.diag(K), 1.0)


def test_stepped_dimension_is_rounded_inside_the_kernel() -> None:
    dims = SearchSpaceDims(np.array([False]), np.array([4]))
    kernel = MaternHammingKernel(dims)
    same_bin = torch.tensor([[0.26], [0.49]], dtype=torch.float64)
    K = kernel(same_bin, same_bin, torch.tensor([0.1], dtype=torch.float64), torch.tensor(2.0))
    np.testing.assert_allclose(K.numpy(), 2.0)


def test_kernel_gradient_is_finite_at_coincident_points() -> None:
    dims = SearchSpaceDims.continuous(2)
    X = torch.tensor([[0.3, 0.4]], dtype=torch.float64, requires_grad=True)
    log_lengthscales = torch.tensor([-1.0, 0.0], dtype=torch.float64, requires_grad=True)
    K = MaternHammingKernel(dims)(
        X, X.detach().clone(), torch.exp(log_lengthscales), torch.tensor(1.0, dtype=torch.float64)
    )
    K.sum().backward()
    assert torch.isfinite(X.grad).all() and torch.isfinite(log_lengthscales.grad).all()
    np.testing.assert_allclose(X.grad.numpy(), 0.0, atol=1e-12)


def test_features_and_cross_with_slope_agree_with_the_kernel() -> None:
    # The three evaluation paths (direct, per-dimension features for the fit, and the
    # covariance-with-slope for the posterior) must give the same matrix.
    rng = np.random.default_rng(3)
    dims = SearchSpaceDims(
        is_categorical=np.array([False, True, False, False]), n_steps=np.array([0, 3, 0, 6])
    )
    kernel = MaternHammingKernel(dims)

    def points(n: int) -> torch.Tensor:
        X = rng.random((n, 4))
        X[:, 1] = rng.integers(0, 3, n)
        return torch.as_tensor(X)

    X1, X2 = points(7), points(5)
    lengthscales = torch.tensor([0.3, 0.8, 1.7, 0.5], dtype=torch.float64)
    outputscale = torch.tensor(1.3, dtype=torch.float64)
    direct = kernel(X1, X2, lengthscales, outputscale)
    from_features = kernel.from_features(kernel.features(X1, X2), lengthscales, outputscale)
    covariance, slope = kernel.cross_with_slope(
        X1, kernel.scale_points(X2, lengthscales), lengthscales, outputscale
    )
    np.testing.assert_allclose(from_features.numpy(), direct.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(covariance.numpy(), direct.numpy(), rtol=1e-12, atol=1e-14)
    # slope = dK/d(r^2): check against a finite difference in r^2 along dimension 0.
    h = 1e-6
    shifted = X1.clone()
    shifted[:, 0] += h
    squared_before = (X1[:, None, 0] - kernel.prepare_inputs(X2)[None, :, 0]) ** 2 / 0.3**2
    squared_after = (shifted[:, None, 0] - kernel.prepare_inputs(X2)[None, :, 0]) ** 2 / 0.3**2
    finite = (kernel(shifted, X2, lengthscales, outputscale) - direct) / (
        squared_after - squared_before
    )
    np.testing.assert_allclose(slope.numpy(), finite.numpy(), rtol=1e-4, atol=1e-8)


def test_matern52_with_slope_in_numpy_and_torch() -> None:
    squared_distance = np.array([0.0, 1e-6, 0.3, 1.0, 4.0, 25.0])
    factor = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0])
    value, slope = matern52_with_slope(squared_distance, factor)
    r = np.sqrt(squared_distance)
    closed_form = factor * (1 + math.sqrt(5) * r + 5 * r**2 / 3) * np.exp(-math.sqrt(5) * r)
    np.testing.assert_allclose(value, closed_form, rtol=1e-14)
    # The slope is d value / d(r^2): autograd of the clamped torch version, away from r = 0.
    t = torch.tensor(squared_distance[1:], requires_grad=True)
    (gradient,) = torch.autograd.grad(matern52_from_squared_distance(t).sum(), t)
    np.testing.assert_allclose(slope[1:], factor[1:] * gradient.numpy(), rtol=1e-9)
    assert slope[0] == pytest.approx(-5.0 / 6.0)  # the limit at r = 0
    torch_value, torch_slope = matern52_with_slope(
        torch.as_tensor(squared_distance), torch.as_tensor(factor)
    )
    assert isinstance(torch_value, torch.Tensor)
    np.testing.assert_allclose(torch_value.numpy(), value, rtol=1e-15)
    np.testing.assert_allclose(torch_slope.numpy(), slope, rtol=1e-15)
