from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import norm

from tunekit.samplers.gp.acquisition import (
    LogConstrainedExpectedImprovement,
    LogExpectedImprovement,
    LogProbabilityOfImprovement,
    LowerConfidenceBound,
    add_pending,
    log_expected_improvement,
    log_h,
    log_probability_of_feasibility,
)
from tunekit.samplers.gp.kernel import SearchSpaceDims
from tunekit.samplers.gp.model import GaussianProcess, GPHyperparameters


def make_model(y: np.ndarray | None = None, seed: int = 0) -> GaussianProcess:
    rng = np.random.default_rng(seed)
    X = rng.random((10, 2))
    if y is None:
        y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2
    params = GPHyperparameters(np.log([0.3, 0.4]), 0.0, math.log(1e-4))
    return GaussianProcess.from_observations(X, y, SearchSpaceDims.continuous(2), params)


def closed_form_ei(mean: np.ndarray, std: np.ndarray, best_f: float, xi: float) -> np.ndarray:
    z = (best_f - xi - mean) / std
    return std * (norm.pdf(z) + z * norm.cdf(z))


def test_log_ei_equals_log_of_closed_form_ei() -> None:
    rng = np.random.default_rng(0)
    mean = rng.normal(0.0, 3.0, 500)
    std = rng.uniform(0.1, 2.0, 500)
    best_f, xi = 0.3, 0.05
    expected = closed_form_ei(mean, std, best_f, xi)
    ours = log_expected_improvement(
        torch.as_tensor(mean), torch.as_tensor(std**2), best_f, xi
    ).numpy()
    usable = (expected > 1e-200) & ((best_f - xi - mean) / std > -8)
    assert usable.sum() > 400
    np.testing.assert_allclose(ours[usable], np.log(expected[usable]), rtol=1e-9, atol=1e-12)


def test_log_h_matches_high_precision_reference_across_branches() -> None:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 80
    z_values = [30.0, 3.0, 0.0, -0.5, -0.999, -1.0, -1.001, -3.0, -10.0, -40.0, -300.0]
    z_values += [-999.9, -1000.0, -1000.1, -1e4, -6.7e7, -6.72e7, -1e9]  # asymptotic branch
    reference = [
        float(mpmath.log(mpmath.npdf(z) + z * mpmath.ncdf(z))) for z in map(mpmath.mpf, z_values)
    ]
    ours = log_h(torch.tensor(z_values, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(ours, reference, rtol=1e-12)


def test_log_ei_is_finite_monotone_and_has_gradient_where_ei_underflows() -> None:
    # z from -10 down to -1e4: closed-form EI is exactly 0 in float64 below z ~ -38.
    mean = torch.linspace(10.0, 1e4, 2000, dtype=torch.float64, requires_grad=True)
    variance = torch.ones_like(mean)
    assert closed_form_ei(np.array([40.0]), np.array([1.0]), 0.0, 0.0)[0] == 0.0
    values = log_expected_improvement(mean, variance, best_f=0.0)
    assert torch.isfinite(values).all()
    assert (values.diff() < 0).all()  # worse mean -> strictly smaller log EI
    (gradient,) = torch.autograd.grad(values.sum(), mean)
    assert torch.isfinite(gradient).all() and (gradient < 0).all()
    z40 = log_expected_improvement(torch.tensor([40.0]), torch.tensor([1.0]), 0.0)
    # Leading asymptotic term: log h(z) ~ -z^2/2 - log(2 pi)/2 - 2 log|z|.
    assert z40.item() == pytest.approx(
        -800 - 0.5 * math.log(2 * math.pi) - 2 * math.log(40), rel=1e-5
    )


def test_log_h_gradient_is_finite_at_branch_points() -> None:
    z = torch.tensor([-1.0, -1.0 - 1e-12, 0.0, -1000.0, -1e8, 50.0], dtype=torch.float64)
    z.requires_grad_(True)
    (gradient,) = torch.autograd.grad(log_h(z).sum(), z)
    assert torch.isfinite(gradient).all() and (gradient > 0).all()


def test_acquisition_classes_use_the_posterior() -> None:
    model = make_model()
    Xq = torch.rand(50, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    mean, var = model.posterior(Xq)
    std = var.sqrt().numpy()

    log_ei = LogExpectedImprovement(model, xi=0.1)(Xq).numpy()
    expected_ei = closed_form_ei(mean.numpy(), std, model.best_value, 0.1)
    finite = expected_ei > 1e-250
    np.testing.assert_allclose(log_ei[finite], np.log(expected_ei[finite]), rtol=1e-8)
    assert (LogExpectedImprovement(model, xi=0.5)(Xq) < LogExpectedImprovement(model)(Xq)).all()

    log_pi = LogProbabilityOfImprovement(model)(Xq).numpy()
    np.testing.assert_allclose(
        log_pi, norm.logcdf((model.best_value - mean.numpy()) / std), rtol=1e-10
    )
    lcb = LowerConfidenceBound(model, beta=4.0)(Xq).numpy()
    np.testing.assert_allclose(lcb, -(mean.numpy() - 2.0 * std), rtol=1e-12)
    with pytest.raises(ValueError):
        LowerConfidenceBound(model, beta=-1.0)


def test_constrained_log_ei() -> None:
    model = make_model()
    rng = np.random.default_rng(0)
    X = model.X_train.numpy()
    constraint_values = X[:, 0] - 0.5  # feasible when x0 <= 0.5
    params = GPHyperparameters(np.log([0.5, 0.5]), 0.0, math.log(1e-6))
    constraint = GaussianProcess.from_observations(
        X, constraint_values, SearchSpaceDims.continuous(2), params
    )
    Xq = torch.as_tensor(rng.random((40, 2)))
    log_pf = log_probability_of_feasibility([constraint], Xq)
    c_mean, c_var = constraint.posterior(Xq)
    threshold = constraint.output_transform(np.float64(0.0))
    expected = norm.logcdf((threshold - c_mean.numpy()) / np.sqrt(c_var.numpy()))
    np.testing.assert_allclose(log_pf.numpy(), expected, rtol=1e-10)
    # Far inside the feasible region feasibility is ~certain, far outside ~impossible.
    edges = log_probability_of_feasibility(
        [constraint], torch.tensor([[0.05, 0.5], [0.95, 0.5]], dtype=torch.float64)
    )
    assert edges[0] > math.log(0.9) and edges[1] < math.log(0.1)

    feasible = constraint_values <= 0
    acquisition = LogConstrainedExpectedImprovement(model, [constraint], feasible)
    assert acquisition.best_f == pytest.approx(model.targets.numpy()[feasible].min())
    np.testing.assert_allclose(
        acquisition(Xq).numpy(),
        (LogExpectedImprovement(model, best_f=acquisition.best_f)(Xq) + log_pf).numpy(),
        rtol=1e-12,
    )
    nothing_feasible = LogConstrainedExpectedImprovement(
        model, [constraint], np.zeros(10, dtype=bool)
    )
    assert nothing_feasible.best_f is None
    np.testing.assert_allclose(nothing_feasible(Xq).numpy(), log_pf.numpy())


def test_add_pending_is_a_kriging_believer() -> None:
    model = make_model()
    pending = torch.tensor([[0.5, 0.5], [0.9, 0.1]], dtype=torch.float64)
    mean_before, var_before = model.posterior(pending)
    fantasised = add_pending(model, pending)
    mean_after, var_after = fantasised.posterior(pending)
    np.testing.assert_allclose(mean_after.numpy(), mean_before.numpy(), atol=1e-4)
    assert (var_after < 1e-2 * var_before).all()
    assert fantasised.best_value == model.best_value
    ei_before = LogExpectedImprovement(model)(pending)
    ei_after = LogExpectedImprovement(fantasised)(pending)
    assert (ei_after < ei_before).all()  # only the improvement the mean promises is left
    assert add_pending(model, None) is model
    assert add_pending(model, np.zeros((0, 2))) is model


def test_log_h_gradient_is_phi_over_h_in_every_branch() -> None:
    # h'(z) = Phi(z), so d log h / dz = Phi(z) / h(z); the custom backward must match it and
    # autograd's numerical check in each branch, far tail included.
    z = torch.tensor(
        [3.0, 0.5, -0.5, -3.0, -30.0, -2000.0], dtype=torch.float64, requires_grad=True
    )
    (gradient,) = torch.autograd.grad(log_h(z).sum(), z)
    z_np = z.detach().numpy()[:4]
    expected = norm.cdf(z_np) / (norm.pdf(z_np) + z_np * norm.cdf(z_np))
    np.testing.assert_allclose(gradient.numpy()[:4], expected, rtol=1e-9)
    # For z -> -inf, Phi(z)/h(z) ~ -z (Mills ratio asymptote).
    assert gradient[-1].item() == pytest.approx(2000.0, rel=1e-5)
    assert torch.autograd.gradcheck(log_h, (z[:5].detach().clone().requires_grad_(),))


def test_closed_form_value_and_gradient_match_autograd_for_every_acquisition() -> None:
    rng = np.random.default_rng(4)
    dims = SearchSpaceDims(np.array([False, False, True, False]), np.array([0, 0, 3, 6]))
    X = rng.random((14, 4))
    X[:, 2] = rng.integers(0, 3, 14)
    params = GPHyperparameters(np.log([0.3, 0.5, 1.0, 0.4]), 0.1, math.log(1e-4))
    y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2 + 0.2 * X[:, 2]
    model = GaussianProcess.from_observations(X, y, dims, params)
    constraint = GaussianProcess.from_observations(X, X[:, 0] - 0.5, dims, params)
    believer = add_pending(model, X[:2] + 0.02)
    acquisitions = {
        "ei": LogExpectedImprovement(model, xi=0.1),
        "pi": LogProbabilityOfImprovement(model, xi=0.05),
        "ucb": LowerConfidenceBound(model, beta=2.0),
        "constrained": LogConstrainedExpectedImprovement(model, [constraint], X[:, 0] < 0.5),
        "infeasible": LogConstrainedExpectedImprovement(model, [constraint], np.zeros(14, bool)),
        "pending": LogExpectedImprovement(believer),
    }
    Xq = rng.random((8, 4))
    Xq[:, 2] = rng.integers(0, 3, 8)
    Xq[0, 0] = 2.5  # far from the data: EI underflows, log EI does not
    for name, acquisition in acquisitions.items():
        tensor = torch.as_tensor(Xq).requires_grad_()
        values = acquisition(tensor)
        (gradient,) = torch.autograd.grad(values.sum(), tensor)
        host_values, host_gradient = acquisition.value_and_gradient(Xq)
        assert np.all(np.isfinite(host_values)), name
        np.testing.assert_allclose(
            host_values, values.detach().numpy(), rtol=1e-9, atol=1e-9, err_msg=name
        )
        np.testing.assert_allclose(
            host_gradient, gradient.numpy(), rtol=1e-7, atol=1e-9, err_msg=name
        )
        assert np.all(host_gradient[:, 2:] == 0), name
