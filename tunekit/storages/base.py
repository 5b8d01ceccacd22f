"""The storage interface: every backend (in-memory, SQLite, PostgreSQL, MySQL) implements it.

The storage is the single source of truth of a study. Its contract, checked by the one shared
suite in ``tests/storages``:

* Trial numbers are unique and gap-free per study (0, 1, 2, ...) under concurrent writers.
* A finished trial (COMPLETE, PRUNED, FAIL) never changes again: any write to it raises
  :class:`~tunekit.exceptions.UpdateFinishedTrialError`.
* A WAITING trial is handed to exactly one worker (:meth:`BaseStorage.set_trial_state_values`
  with RUNNING returns False to every other claimant).
* Values round-trip exactly, NaN and +-inf included; parameter values are stored in their internal
  float representation together with their distribution.
* Nothing is written by a call that raises for bad input.

The method names and semantics are Optuna's, so code written against Optuna's storages reads the
same here.
"""

from __future__ import annotations

import abc
import copy
import enum
from collections.abc import Container, Sequence
from typing import Any

from tunekit.distributions import BaseDistribution
from tunekit.trial import FrozenTrial, TrialState

__all__ = ["BaseStorage", "FrozenStudy", "StudyDirection"]


# StudyDirection lives here, beneath both storages and the study, to avoid an import cycle;
# ``tunekit.study.StudyDirection`` is the public name.
class StudyDirection(enum.IntEnum):
    """Whether a study minimises or maximises an objective."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2

    def __repr__(self) -> str:
        return f"StudyDirection.{self.name}"


class FrozenStudy:
    """A record of a study as the storage holds it (name, directions, attributes, id)."""

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
    ) -> None:
        self.study_name = study_name
        if directions is None:
            if direction is None:
                raise ValueError("Specify `direction` or `directions`.")
            directions = [direction]
        self._directions = list(directions)
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        if len(self._directions) > 1:
            raise RuntimeError("This study has several directions; use `directions`.")
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        return list(self._directions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenStudy):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        return f"FrozenStudy(study_name={self.study_name!r}, directions={self._directions!r})"


class BaseStorage(abc.ABC):
    """What a study needs from a storage. Implementations must be thread-safe."""

    # ----------------------------------------------------------------------------- studies

    @abc.abstractmethod
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        """Create a study and return its id; raise DuplicatedStudyError if the name exists."""

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and all its trials; KeyError if there is none with this id."""

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Return the id of a study; KeyError naming the study if there is none."""

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str: ...

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]: ...

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]: ...

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]: ...

    @abc.abstractmethod
    def get_all_studies(self) -> list[FrozenStudy]: ...

    # ------------------------------------------------------------------------------ trials

    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        """Create a trial with the next number and return its id.

        Without a template the trial is RUNNING, started now. With one, its state, values,
        params, attributes and intermediate values are copied (``add_trial``, ``enqueue_trial``).
        """

    @abc.abstractmethod
    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        """Store one parameter of a running trial.

        Raises ValueError if ``distribution`` is incompatible with the distribution this
        parameter name has in the study's other trials (another kind, another scale).
        """

    @abc.abstractmethod
    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Move a trial to ``state`` (with its values when COMPLETE or PRUNED).

        Returns False, changing nothing, when asked to make a trial RUNNING that is no longer
        WAITING (another worker claimed it first). Raises UpdateFinishedTrialError for a
        finished trial.
        """

    @abc.abstractmethod
    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None: ...

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """Return a trial's record; KeyError if there is none with this id."""

    @abc.abstractmethod
    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """Return a study's trials in number order, optionally only those in ``states``.

        With ``deepcopy=False`` the records may be shared with the storage's cache: callers
        must not modify them.
        """

    @abc.abstractmethod
    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int: ...

    @abc.abstractmethod
    def claim_study_key(self, study_id: int, key: str) -> bool:
        """Atomically record ``key`` for a study: True for the first caller, False afterwards.

        A compare-and-set that samplers use to hand a resource (a grid point) to exactly one
        trial across threads, processes and machines.
        """

    # --------------------------------------------------- derived methods (may be overridden)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return self.get_trial(trial_id).number

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        trial = self.get_trial(trial_id)
        return trial.distributions[param_name].to_internal_repr(trial.params[param_name])

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        return self.get_trial(trial_id).params

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        return self.get_trial(trial_id).user_attrs

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        return self.get_trial(trial_id).system_attrs

    def get_n_trials(
        self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None
    ) -> int:
        states = (state,) if isinstance(state, TrialState) else state
        return len(self.get_all_trials(study_id, deepcopy=False, states=states))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """The best COMPLETE trial of a single-objective study; ValueError if there is none."""
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError(
                "Best trial is ambiguous for a multi-objective study; use best_trials."
            )
        completed = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        if not completed:
            raise ValueError("No trials are completed yet.")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        best = pick(completed, key=lambda t: t.value)
        return copy.deepcopy(best)

    def check_trial_is_updatable(self, trial_id: int, trial_state: TrialState) -> None:
        from tunekit.exceptions import UpdateFinishedTrialError

        if trial_state.is_finished():
            number = self.get_trial_number_from_id(trial_id)
            raise UpdateFinishedTrialError(
                f"Trial#{number} has already finished (state {trial_state.name}) and cannot be "
                f"updated."
            )

    def _pop_waiting_trial_id(self, study_id: int) -> int | None:
        """Claim the oldest WAITING trial for this worker (now RUNNING), or None if none is left."""
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.WAITING,)):
            if self.set_trial_state_values(trial._trial_id, TrialState.RUNNING):
                return trial._trial_id
        return None

    # Heartbeats: only storages shared between processes have them (RDBStorage).
    def is_heartbeat_enabled(self) -> bool:
        return False

    def remove_session(self) -> None:  # noqa: B027
        """Release per-thread resources (database sessions); nothing to do by default."""
