from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tunekit.samplers.gp.acquisition import LogExpectedImprovement, add_pending
from tunekit.samplers.gp.kernel import SearchSpaceDims, round_to_grid
from tunekit.samplers.gp.model import fit_gp
from tunekit.samplers.gp.optimize import optimize_acquisition, sample_candidates


def wavy(X: torch.Tensor) -> torch.Tensor:
    """Multimodal toy acquisition on continuous dims, maximum 0 at (0.3, 0.7)."""
    center = torch.tensor([0.3, 0.7], dtype=X.dtype, device=X.device)
    distance = ((X[..., :2] - center) ** 2).sum(-1)
    return -distance + 0.01 * torch.cos(40.0 * (X[..., 0] - 0.3)) - 0.01


def test_sample_candidates_respect_the_space_and_the_seed() -> None:
    dims = SearchSpaceDims(np.array([False, False, True]), np.array([0, 5, 4]))
    candidates = sample_candidates(dims, 256, seed=3)
    assert candidates.shape == (256, 3) and candidates.dtype == torch.float64
    assert ((candidates[:, 0] >= 0) & (candidates[:, 0] < 1)).all()
    np.testing.assert_allclose(
        round_to_grid(candidates, dims.n_steps, dims.is_categorical).numpy(), candidates.numpy()
    )
    assert set(candidates[:, 2].tolist()) == {0.0, 1.0, 2.0, 3.0}
    assert torch.equal(candidates, sample_candidates(dims, 256, seed=3))
    assert not torch.equal(candidates, sample_candidates(dims, 256, seed=4))


def test_local_optimisation_beats_the_sweep_and_converges() -> None:
    dims = SearchSpaceDims.continuous(2)
    result = optimize_acquisition(wavy, dims, n_sweep=64, n_local=5, seed=0)
    assert result.value >= result.sweep_value
    assert result.value > result.sweep_value + 1e-6  # 64 points cannot hit the optimum
    np.testing.assert_allclose(result.x, [0.3, 0.7], atol=2e-3)
    assert result.value == wavy(torch.as_tensor(result.x)[None]).item()
    assert result.value > -1e-6


def test_result_is_reproducible_for_a_seed() -> None:
    dims = SearchSpaceDims(np.array([False, False, True]), np.array([0, 8, 3]))

    def acquisition(X: torch.Tensor) -> torch.Tensor:
        return wavy(X) + 0.05 * (X[..., 2] == 1.0) - (X[..., 1] - 0.4) ** 2

    first = optimize_acquisition(acquisition, dims, n_sweep=128, seed=7)
    second = optimize_acquisition(acquisition, dims, n_sweep=128, seed=7)
    np.testing.assert_array_equal(first.x, second.x)
    assert first.value == second.value


def test_categorical_and_stepped_dimensions_are_searched() -> None:
    # dims: continuous, categorical with 5 choices (best: 3), stepped with 300 grid points
    # (best: index 137, found by the exponential neighbour search, not exhaustively).
    dims = SearchSpaceDims(np.array([False, True, False]), np.array([0, 5, 300]))
    bonus = torch.tensor([0.0, 0.1, 0.2, 1.0, 0.3], dtype=torch.float64)
    target_step = (137 + 0.5) / 300

    def acquisition(X: torch.Tensor) -> torch.Tensor:
        category = X[..., 1].long()
        return -((X[..., 0] - 0.3) ** 2) + bonus[category] - (X[..., 2] - target_step).abs()

    # Two sweep points only: categories 3 and the right grid index are not among them,
    # so they have to be reached by the discrete coordinate search.
    result = optimize_acquisition(acquisition, dims, n_sweep=2, n_local=2, seed=0)
    sweep = sample_candidates(dims, 2, seed=0)
    assert 3.0 not in sweep[:, 1].tolist()
    assert result.x[1] == 3.0
    assert result.x[2] == target_step
    assert abs(result.x[0] - 0.3) < 1e-3
    assert result.value >= result.sweep_value


def test_falls_back_to_the_sweep_when_local_search_fails() -> None:
    dims = SearchSpaceDims.continuous(1)

    def nan_off_sweep(X: torch.Tensor) -> torch.Tensor:
        # Finite only at the two warm-start points: every gradient step lands on NaN.
        allowed = torch.tensor([0.5, 0.25], dtype=X.dtype)
        on_grid = torch.isin(X[..., 0], allowed)
        return torch.where(on_grid, -X[..., 0], torch.full_like(X[..., 0], math.nan))

    result = optimize_acquisition(
        nan_off_sweep, dims, n_sweep=0, warm_start_points=np.array([[0.5], [0.25]]), seed=0
    )
    assert result.value == result.sweep_value == -0.25
    np.testing.assert_array_equal(result.x, result.sweep_x)


def test_log_ei_optimum_beats_sweep_on_a_fitted_model() -> None:
    rng = np.random.default_rng(0)
    dims = SearchSpaceDims(np.array([False, False, True]), np.array([0, 10, 3]))
    X = np.column_stack([rng.random(15), rng.random(15), rng.integers(0, 3, 15)])
    X = round_to_grid(X, dims.n_steps, dims.is_categorical)
    y = (X[:, 0] - 0.6) ** 2 + (X[:, 1] - 0.35) ** 2 + 0.3 * (X[:, 2] != 2)
    model = fit_gp(X, y, dims, deterministic_objective=True, seed=0)
    acquisition = LogExpectedImprovement(model)
    result = optimize_acquisition(
        acquisition, dims, n_sweep=512, warm_start_points=X[np.argsort(y)[:2]], seed=1
    )
    assert result.value >= result.sweep_value
    check = acquisition(torch.as_tensor(result.x)[None]).item()
    assert check == pytest.approx(result.value, rel=1e-12)
    assert np.isfinite(result.value)
    np.testing.assert_array_equal(
        round_to_grid(result.x[None], dims.n_steps, dims.is_categorical)[0], result.x
    )


def test_pending_point_makes_the_next_proposal_differ() -> None:
    dims = SearchSpaceDims.continuous(2)
    X = sample_candidates(dims, 8, seed=2).numpy()
    y = (X[:, 0] - 0.3) ** 2 + (X[:, 1] - 0.6) ** 2
    model = fit_gp(X, y, dims, deterministic_objective=True, seed=0)
    first = optimize_acquisition(LogExpectedImprovement(model), dims, n_sweep=256, seed=0)
    believer = add_pending(model, first.x[None])
    second = optimize_acquisition(LogExpectedImprovement(believer), dims, n_sweep=256, seed=0)
    assert np.linalg.norm(second.x - first.x) > 1e-2


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu() -> None:
    rng = np.random.default_rng(1)
    dims = SearchSpaceDims(np.array([False, True]), np.array([0, 3]))
    X = np.column_stack([rng.random(12), rng.integers(0, 3, 12)])
    y = np.sin(6 * X[:, 0]) + 0.5 * X[:, 1]
    results = []
    for device in ("cpu", "cuda"):
        model = fit_gp(X, y, dims, seed=0, device=device)
        mean, var = model.posterior(torch.as_tensor(X, device=device))
        assert mean.device.type == device
        result = optimize_acquisition(
            LogExpectedImprovement(model), dims, n_sweep=256, seed=0, device=device
        )
        results.append((model.params.to_array(), mean.cpu().numpy(), result))
    (cpu_params, cpu_mean, cpu_result), (gpu_params, gpu_mean, gpu_result) = results
    np.testing.assert_allclose(gpu_params, cpu_params, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(gpu_mean, cpu_mean, atol=1e-4)
    assert gpu_result.x[1] == cpu_result.x[1]
    assert gpu_result.value == pytest.approx(cpu_result.value, abs=1e-3)


def test_closed_form_and_autograd_local_searches_agree() -> None:
    rng = np.random.default_rng(5)
    dims = SearchSpaceDims(np.array([False, False, False, True]), np.array([0, 0, 0, 3]))
    X = np.column_stack([rng.random((20, 3)), rng.integers(0, 3, 20)])
    y = np.sin(4 * X[:, 0]) + (X[:, 1] - 0.4) ** 2 - X[:, 2] * X[:, 0] + 0.2 * X[:, 3]
    acquisition = LogExpectedImprovement(fit_gp(X, y, dims, seed=0))
    closed_form = optimize_acquisition(acquisition, dims, n_sweep=256, seed=3)
    # A plain callable has no value_and_gradient: the local search differentiates it by autograd.
    autograd = optimize_acquisition(lambda Z: acquisition(Z), dims, n_sweep=256, seed=3)
    assert closed_form.sweep_value == autograd.sweep_value
    assert closed_form.value > closed_form.sweep_value
    assert closed_form.value == pytest.approx(autograd.value, rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(closed_form.x, autograd.x, atol=1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quadratic_prior_mean_moves_exploration_off_the_corners(seed: int) -> None:
    # A narrow well sampled around its centre: the zero-mean model's expected improvement
    # peaks at a corner of the box, where the posterior variance is largest; the centred
    # quadratic prior mean makes the faces less promising, so fewer coordinates sit on a bound.
    rng = np.random.default_rng(seed)
    X = np.clip(0.4 + 0.12 * rng.standard_normal((40, 6)), 0.0, 1.0)
    y = -np.exp(-8.0 * ((X - 0.4) ** 2).sum(1))
    dims = SearchSpaceDims.continuous(6)

    def coordinates_on_a_bound(mean_curvature: float) -> int:
        model = fit_gp(X, y, dims, seed=0, mean_curvature=mean_curvature)
        x = optimize_acquisition(LogExpectedImprovement(model), dims, seed=0).x
        return int((np.minimum(x, 1.0 - x) < 1e-6).sum())

    assert coordinates_on_a_bound(0.0) == 6
    assert coordinates_on_a_bound(1.0) < 6
