"""InMemoryStorage: studies held in this process's memory (the default when no URL is given).

Thread-safe: one lock guards every read and write, so ``n_jobs > 1`` threads share it safely.
Records are copy-on-write: an update builds a new FrozenTrial and swaps it in, so a list
returned with ``deepcopy=False`` is a consistent snapshot that later writes do not disturb.
"""

from __future__ import annotations

import copy
import datetime
import threading
import uuid
from collections.abc import Container, Sequence
from typing import Any

from tunekit.distributions import BaseDistribution, check_distribution_compatibility
from tunekit.exceptions import DuplicatedStudyError
from tunekit.storages.base import BaseStorage, FrozenStudy, StudyDirection
from tunekit.trial import FrozenTrial, TrialState, _copy_frozen_trial

__all__ = ["InMemoryStorage"]

DEFAULT_STUDY_NAME_PREFIX = "no-name-"


class _StudyRecord:
    def __init__(self, name: str, directions: list[StudyDirection]) -> None:
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trials: list[FrozenTrial] = []
        self.param_distributions: dict[str, BaseDistribution] = {}
        self.claimed_keys: set[str] = set()
        self.best_trial_number: int | None = None


class InMemoryStorage(BaseStorage):
    """Keep studies in memory; lost when the process ends.

    Example
    -------
    >>> import tunekit
    >>> storage = tunekit.storages.InMemoryStorage()
    >>> study = tunekit.create_study(storage=storage, study_name="demo")
    >>> tunekit.get_all_study_names(storage)
    ['demo']
    """

    def __init__(self) -> None:
        self._studies: dict[int, _StudyRecord] = {}
        self._study_id_by_name: dict[str, int] = {}
        # trial id -> (study id, trial number)
        self._trial_location: dict[int, tuple[int, int]] = {}
        self._next_study_id = 0
        self._next_trial_id = 0
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # ----------------------------------------------------------------------------- studies

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        with self._lock:
            if study_name is None:
                study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
            if study_name in self._study_id_by_name:
                raise DuplicatedStudyError(
                    f"Another study with name {study_name!r} already exists. Use "
                    f"load_if_exists=True to load it, or choose another name."
                )
            study_id = self._next_study_id
            self._next_study_id += 1
            self._studies[study_id] = _StudyRecord(study_name, list(directions))
            self._study_id_by_name[study_name] = study_id
            return study_id

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            record = self._study(study_id)
            for trial in record.trials:
                del self._trial_location[trial._trial_id]
            del self._study_id_by_name[record.name]
            del self._studies[study_id]

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).user_attrs[key] = copy.deepcopy(value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).system_attrs[key] = copy.deepcopy(value)

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            if study_name not in self._study_id_by_name:
                raise KeyError(f"No study named {study_name!r} exists in this storage.")
            return self._study_id_by_name[study_name]

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._study(study_id).directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).system_attrs)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._lock:
            return [
                FrozenStudy(
                    study_name=record.name,
                    direction=None,
                    directions=list(record.directions),
                    user_attrs=copy.deepcopy(record.user_attrs),
                    system_attrs=copy.deepcopy(record.system_attrs),
                    study_id=study_id,
                )
                for study_id, record in self._studies.items()
            ]

    def claim_study_key(self, study_id: int, key: str) -> bool:
        with self._lock:
            claimed = self._study(study_id).claimed_keys
            if key in claimed:
                return False
            claimed.add(key)
            return True

    # ------------------------------------------------------------------------------ trials

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        with self._lock:
            record = self._study(study_id)
            number = len(record.trials)
            trial_id = self._next_trial_id
            self._next_trial_id += 1
            if template_trial is None:
                trial = FrozenTrial(
                    number=number,
                    state=TrialState.RUNNING,
                    value=None,
                    datetime_start=datetime.datetime.now(),
                    datetime_complete=None,
                    params={},
                    distributions={},
                    user_attrs={},
                    system_attrs={},
                    intermediate_values={},
                    trial_id=trial_id,
                )
            else:
                for name, distribution in template_trial.distributions.items():
                    self._check_and_register_distribution(record, name, distribution)
                trial = copy.deepcopy(template_trial)
                trial.number = number
                trial._trial_id = trial_id
            record.trials.append(trial)
            self._trial_location[trial_id] = (study_id, number)
            if trial.state == TrialState.COMPLETE:
                self._update_best(record, trial)
            return trial_id

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        with self._lock:
            record, trial = self._updatable_trial(trial_id)
            self._check_and_register_distribution(record, param_name, distribution)
            self._replace(
                record,
                trial,
                params={
                    **trial.params,
                    param_name: distribution.to_external_repr(param_value_internal),
                },
                distributions={**trial.distributions, param_name: distribution},
            )

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        with self._lock:
            record, trial = self._trial(trial_id)
            if state == TrialState.RUNNING and trial.state != TrialState.WAITING:
                return False
            self.check_trial_is_updatable(trial_id, trial.state)
            changes: dict[str, Any] = {"state": state}
            if values is not None:
                changes["values"] = [float(v) for v in values]
            now = datetime.datetime.now()
            if state == TrialState.RUNNING:
                changes["datetime_start"] = now
            if state.is_finished():
                changes["datetime_complete"] = now
            new_trial = self._replace(record, trial, **changes)
            if state == TrialState.COMPLETE:
                self._update_best(record, new_trial)
            return True

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        with self._lock:
            record, trial = self._updatable_trial(trial_id)
            self._replace(
                record,
                trial,
                intermediate_values={
                    **trial.intermediate_values,
                    int(step): float(intermediate_value),
                },
            )

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            record, trial = self._updatable_trial(trial_id)
            self._replace(record, trial, user_attrs={**trial.user_attrs, key: copy.deepcopy(value)})

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            record, trial = self._updatable_trial(trial_id)
            self._replace(
                record, trial, system_attrs={**trial.system_attrs, key: copy.deepcopy(value)}
            )

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            return _copy_frozen_trial(self._trial(trial_id)[1])

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._study(study_id).trials
            if states is not None:
                trials = [t for t in trials if t.state in states]
            else:
                trials = list(trials)
        return [_copy_frozen_trial(t) for t in trials] if deepcopy else trials

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if not 0 <= trial_number < len(trials):
                raise KeyError(
                    f"No trial with number {trial_number} exists in study "
                    f"{self._study(study_id).name!r}."
                )
            return trials[trial_number]._trial_id

    def get_trial_number_from_id(self, trial_id: int) -> int:
        with self._lock:
            return self._trial(trial_id)[1].number

    def get_n_trials(
        self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None
    ) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if state is None:
                return len(trials)
            states = (state,) if isinstance(state, TrialState) else state
            return sum(1 for t in trials if t.state in states)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        with self._lock:
            record = self._study(study_id)
            if len(record.directions) > 1:
                raise RuntimeError(
                    "Best trial is ambiguous for a multi-objective study; use best_trials."
                )
            if record.best_trial_number is None:
                raise ValueError("No trials are completed yet.")
            return _copy_frozen_trial(record.trials[record.best_trial_number])

    # ---------------------------------------------------------------------------- helpers

    def _study(self, study_id: int) -> _StudyRecord:
        if study_id not in self._studies:
            raise KeyError(f"No study with id {study_id} exists in this storage.")
        return self._studies[study_id]

    def _trial(self, trial_id: int) -> tuple[_StudyRecord, FrozenTrial]:
        if trial_id not in self._trial_location:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        study_id, number = self._trial_location[trial_id]
        record = self._studies[study_id]
        return record, record.trials[number]

    def _updatable_trial(self, trial_id: int) -> tuple[_StudyRecord, FrozenTrial]:
        record, trial = self._trial(trial_id)
        self.check_trial_is_updatable(trial_id, trial.state)
        return record, trial

    @staticmethod
    def _replace(record: _StudyRecord, trial: FrozenTrial, **changes: Any) -> FrozenTrial:
        new_trial = copy.copy(trial)
        for name, value in changes.items():
            setattr(new_trial, name, value)
        record.trials[trial.number] = new_trial
        return new_trial

    @staticmethod
    def _check_and_register_distribution(
        record: _StudyRecord, name: str, distribution: BaseDistribution
    ) -> None:
        if name in record.param_distributions:
            check_distribution_compatibility(record.param_distributions[name], distribution)
        record.param_distributions[name] = distribution

    @staticmethod
    def _update_best(record: _StudyRecord, trial: FrozenTrial) -> None:
        if len(record.directions) > 1 or trial.values is None:
            return
        if record.best_trial_number is None:
            record.best_trial_number = trial.number
            return
        best_value = record.trials[record.best_trial_number].value
        assert best_value is not None and trial.value is not None
        if record.directions[0] == StudyDirection.MAXIMIZE:
            better = trial.value > best_value
        else:
            better = trial.value < best_value
        if better:
            record.best_trial_number = trial.number
