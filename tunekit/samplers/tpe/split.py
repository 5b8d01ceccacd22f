"""Splitting observations into the good group (for ``l(x)``) and the bad group (for ``g(x)``).

The order, best first:

1. COMPLETE trials that satisfy their constraints (every value ``<= 0``), by objective value;
   with several objectives by non-domination rank, and inside the rank that straddles the
   boundary by greedy hypervolume contribution (MOTPE: Ozaki et al. 2020/2022; the greedy
   hypervolume subset selection of Guerreiro et al. 2016);
2. COMPLETE trials that violate a constraint, by total violation ``sum(max(c, 0))``;
3. PRUNED trials, by the last step they reached (later is better), then by the value there.

The first ``n_below`` are good. RUNNING trials (the constant liar) are never good.

Example
-------
>>> import numpy as np
>>> losses = np.array([[3.0], [1.0], [2.0]])
>>> split_good(losses, np.zeros(3), np.zeros(3, bool), np.zeros(3), np.zeros(3), 1).tolist()
[False, True, False]
"""

from __future__ import annotations

import numpy as np

__all__ = ["split_good", "non_domination_ranks", "hypervolume"]


def split_good(
    losses: np.ndarray,
    violations: np.ndarray,
    pruned: np.ndarray,
    pruned_steps: np.ndarray,
    pruned_losses: np.ndarray,
    n_below: int,
) -> np.ndarray:
    """Boolean mask of the ``n_below`` best finished trials (see the module's order).

    Parameters
    ----------
    losses:
        ``(n, m)`` objective values turned into losses (maximised objectives negated); ignored
        for pruned trials.
    violations:
        ``(n,)`` total constraint violation ``sum(max(c, 0))``, 0 for feasible.
    pruned:
        ``(n,)`` which trials were PRUNED.
    pruned_steps, pruned_losses:
        ``(n,)`` the last step and the (loss-signed) value reported there, for pruned trials.
    n_below:
        How many to call good.
    """
    n = len(violations)
    good = np.zeros(n, dtype=bool)
    n_below = min(n_below, n)
    if n_below <= 0:
        return good
    feasible = ~pruned & (violations <= 0)
    feasible_index = np.flatnonzero(feasible)
    if len(feasible_index) > n_below:
        if losses.shape[1] == 1:
            order = np.argsort(losses[feasible_index, 0], kind="stable")[:n_below]
            good[feasible_index[order]] = True
        else:
            chosen = _select_multi_objective(losses[feasible_index], n_below)
            good[feasible_index[chosen]] = True
        return good
    good[feasible_index] = True
    remaining = n_below - len(feasible_index)
    rest = np.flatnonzero(~feasible)
    # Infeasible complete trials (tier 0) before pruned ones (tier 1).
    tier = pruned[rest].astype(float)
    first_key = np.where(pruned[rest], -pruned_steps[rest], violations[rest])
    second_key = np.where(pruned[rest], pruned_losses[rest], 0.0)
    order = np.lexsort((rest, second_key, first_key, tier))
    good[rest[order[:remaining]]] = True
    return good


def non_domination_ranks(losses: np.ndarray, n_needed: int | None = None) -> np.ndarray:
    """Rank 0 for the Pareto front, 1 for the front once rank 0 is removed, and so on.

    Ranks are assigned until ``n_needed`` points are ranked; the rest get ``-1``. One
    ``(n, n)`` domination matrix; the loop runs over fronts, not points.
    """
    n = len(losses)
    n_needed = n if n_needed is None else min(n_needed, n)
    # dominates[i, j]: i is no worse than j everywhere and better somewhere.
    no_worse = (losses[:, None, :] <= losses[None, :, :]).all(axis=2)
    better = (losses[:, None, :] < losses[None, :, :]).any(axis=2)
    dominates = no_worse & better
    ranks = np.full(n, -1)
    remaining = np.ones(n, dtype=bool)
    rank = 0
    n_ranked = 0
    while n_ranked < n_needed:
        dominated = (dominates & remaining[:, None]).any(axis=0)
        front = remaining & ~dominated
        ranks[front] = rank
        remaining &= ~front
        n_ranked += int(front.sum())
        rank += 1
    return ranks


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """The volume dominated by ``points`` (minimised) and bounded by ``reference``.

    Exact, by slicing along the last objective (HSO, While et al. 2006); fine for the few
    dozen points of a boundary front.
    """
    points = points[(points < reference).all(axis=1)]
    if len(points) == 0:
        return 0.0
    n_objectives = points.shape[1]
    if n_objectives == 1:
        return float(reference[0] - points[:, 0].min())
    if n_objectives == 2:
        order = np.argsort(points[:, 0], kind="stable")
        xs, ys = points[order, 0], points[order, 1]
        best_y = np.minimum.accumulate(ys)
        widths = np.diff(np.append(xs, reference[0]))
        return float(np.sum(widths * (reference[1] - best_y)))
    order = np.argsort(points[:, -1], kind="stable")
    points = points[order]
    levels = np.append(points[:, -1], reference[-1])
    volume = 0.0
    for i in range(len(points)):  # slices along the last objective
        depth = levels[i + 1] - levels[i]
        if depth > 0:
            volume += depth * hypervolume(points[: i + 1, :-1], reference[:-1])
    return volume


def _select_multi_objective(losses: np.ndarray, n_below: int) -> np.ndarray:
    """Indices of ``n_below`` points: whole fronts by rank, the boundary front by hypervolume."""
    ranks = non_domination_ranks(losses, n_below)
    chosen: list[int] = []
    rank = 0
    while True:
        front = np.flatnonzero(ranks == rank)
        if len(chosen) + len(front) <= n_below:
            chosen.extend(front.tolist())
            if len(chosen) == n_below:
                return np.array(chosen, dtype=int)
            rank += 1
            continue
        chosen.extend(_greedy_hypervolume_subset(losses[front], n_below - len(chosen), front))
        return np.array(chosen, dtype=int)


def _greedy_hypervolume_subset(front: np.ndarray, k: int, labels: np.ndarray) -> list[int]:
    """Pick ``k`` points of one front, each time the one adding the most hypervolume."""
    finite = np.where(np.isfinite(front), front, np.nan)
    worst = np.nanmax(finite, axis=0)
    best = np.nanmin(finite, axis=0)
    worst = np.where(np.isnan(worst), 0.0, worst)
    best = np.where(np.isnan(best), 0.0, best)
    span = np.maximum(worst - best, 1e-12)
    reference = worst + 0.1 * span
    # Infinite losses: +inf adds no volume, -inf is clipped far below the rest.
    front = np.clip(front, best - 10.0 * span, reference)
    selected: list[int] = []
    available = list(range(len(front)))
    current = 0.0
    for _ in range(k):
        gains = [hypervolume(front[selected + [i]], reference) - current for i in available]
        best_position = int(np.argmax(gains))
        current += gains[best_position]
        selected.append(available.pop(best_position))
    return [int(labels[i]) for i in selected]
