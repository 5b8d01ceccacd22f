"""Groups of parameters that always occur together (``TPESampler(group=True)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunekit.distributions import BaseDistribution
from tunekit.trial import TrialState

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["GroupDecomposition"]


class GroupDecomposition:
    """Groups of parameters that always occur together in finished trials (``group=True``).

    Each finished trial's parameter set splits every group into the part inside it and the part
    outside; names the trial adds form a new group. Distributions are the latest ones seen.
    """

    def __init__(self) -> None:
        self._groups: list[frozenset[str]] = []
        self._distributions: dict[str, BaseDistribution] = {}
        self._seen: set[int] = set()
        self._n_settled = 0
        self._study_id: int | None = None

    def calculate(self, study: Study) -> dict[str, BaseDistribution]:
        if self._study_id is not None and self._study_id != study._study_id:
            raise ValueError("TPESampler(group=True) serves one study.")
        self._study_id = study._study_id
        trials = study._get_trials(deepcopy=False, use_cache=True)
        # Trials before the first unfinished one never change: start after them.
        start = self._n_settled
        while self._n_settled < len(trials) and trials[self._n_settled].state.is_finished():
            self._n_settled += 1
        for trial in trials[start:]:
            # The trials TPE models: a running one may still add parameters, a failed one is
            # not modelled.
            modelled = trial.state in (TrialState.COMPLETE, TrialState.PRUNED)
            if not modelled or trial.number in self._seen:
                continue
            self._seen.add(trial.number)
            names = frozenset(trial.distributions)
            self._distributions.update(trial.distributions)
            split: list[frozenset[str]] = []
            for group in self._groups:
                for part in (group & names, group - names):
                    if part:
                        split.append(part)
            new = names.difference(*self._groups) if self._groups else names
            if new:
                split.append(frozenset(new))
            self._groups = split
        return dict(sorted(self._distributions.items()))

    def groups(self, space: dict[str, BaseDistribution]) -> list[dict[str, BaseDistribution]]:
        result = []
        for group in self._groups:
            sub = {name: space[name] for name in sorted(group) if name in space}
            if sub:
                result.append(sub)
        return result
