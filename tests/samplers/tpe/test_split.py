"""Good/bad splitting: objective order, constraints, pruned trials, MOTPE with hypervolume."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tunekit.samplers.tpe.split import hypervolume, non_domination_ranks, split_good


def _split(losses, violations=None, pruned=None, steps=None, pruned_losses=None, n_below=1):
    losses = np.asarray(losses, dtype=float)
    if losses.ndim == 1:
        losses = losses[:, None]
    n = len(losses)
    return split_good(
        losses,
        np.zeros(n) if violations is None else np.asarray(violations, dtype=float),
        np.zeros(n, bool) if pruned is None else np.asarray(pruned, bool),
        np.zeros(n) if steps is None else np.asarray(steps, dtype=float),
        np.zeros(n) if pruned_losses is None else np.asarray(pruned_losses, dtype=float),
        n_below,
    )


def test_single_objective_takes_the_smallest_losses() -> None:
    assert _split([5.0, 1.0, 3.0, 2.0], n_below=2).tolist() == [False, True, False, True]


def test_infeasible_trials_rank_below_feasible_ones() -> None:
    good = _split([0.0, 0.1, 5.0, 6.0], violations=[1.0, 0.5, 0.0, 0.0], n_below=2)
    assert good.tolist() == [False, False, True, True]
    # Not enough feasible trials: the least violating infeasible one fills the group.
    good = _split([0.0, 0.1, 5.0, 6.0], violations=[1.0, 0.5, 0.0, 0.0], n_below=3)
    assert good.tolist() == [False, True, True, True]


def test_pruned_trials_rank_after_complete_ones_by_step_then_value() -> None:
    good = _split(
        [1.0, np.inf, np.inf, np.inf],
        pruned=[False, True, True, True],
        steps=[0, 3, 5, 5],
        pruned_losses=[0, 0.0, 2.0, 1.0],
        n_below=2,
    )
    assert good.tolist() == [True, False, False, True]


def test_non_domination_ranks() -> None:
    losses = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0], [5.0, 5.0]])
    assert non_domination_ranks(losses).tolist() == [0, 0, 0, 1, 2]


def test_hypervolume_two_and_three_objectives() -> None:
    points = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])
    assert hypervolume(points, np.array([4.0, 4.0])) == pytest.approx(6.0)
    cube = np.array([[0.0, 0.0, 0.0]])
    assert hypervolume(cube, np.array([2.0, 3.0, 4.0])) == pytest.approx(24.0)
    # Inclusion-exclusion for two boxes in 3-D: 2*1*1 + 1*2*2 - their overlap 1*1*1.
    pair = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    assert hypervolume(pair, np.array([2.0, 2.0, 2.0])) == pytest.approx(5.0)


def test_motpe_fills_the_boundary_front_by_hypervolume() -> None:
    # The front has 5 points; 3 are wanted: greedy hypervolume keeps the extremes and the knee
    # rather than the crowded pair.
    front = np.array([[0.0, 10.0], [10.0, 0.0], [3.0, 3.0], [3.1, 2.9], [2.9, 3.1]])
    dominated = np.array([[11.0, 11.0]])
    good = _split(np.vstack([front, dominated]), n_below=3)
    assert good[5] == False  # noqa: E712
    assert good.sum() == 3
    chosen = set(np.flatnonzero(good))
    assert len(chosen & {2, 3, 4}) >= 1 and len(chosen & {2, 3, 4}) <= 2
    # Whole fronts first: with n_below=5 the dominated point stays out.
    assert _split(np.vstack([front, dominated]), n_below=5).tolist() == [True] * 5 + [False]


def test_greedy_choice_maximises_hypervolume_among_pairs() -> None:
    rng = np.random.default_rng(0)
    angles = rng.uniform(0, np.pi / 2, 6)
    front = np.column_stack([np.cos(angles), np.sin(angles)])
    good = _split(front, n_below=2)
    ref = front.max(axis=0) + 0.1 * (front.max(axis=0) - front.min(axis=0))
    best = max(hypervolume(front[list(pair)], ref) for pair in itertools.combinations(range(6), 2))
    # Greedy is within the (1 - 1/e) guarantee of the best pair; usually it is the best.
    assert hypervolume(front[good], ref) >= (1 - 1 / np.e) * best
