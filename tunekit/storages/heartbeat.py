"""What happens to a trial whose worker stopped sending heartbeats.

With ``RDBStorage(..., heartbeat_interval=...)`` a RUNNING trial whose heartbeat is older than
the grace period is marked FAIL by the next worker that asks for a trial; the storage's
``heartbeat_stale_trial_callback`` is then called with it. :class:`RetryHeartbeatStaleTrialCallback`
is the usual callback: it enqueues the trial again, with its parameters, so the study does not
lose it. ``RetryFailedTrialCallback`` is its name before Optuna 4.9 (deprecated, still works).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tunekit._deprecation import warn_deprecated
from tunekit.trial import FrozenTrial, TrialState, create_trial

if TYPE_CHECKING:
    from tunekit.study import Study

__all__ = ["RetryHeartbeatStaleTrialCallback", "RetryFailedTrialCallback"]

_FAILED_TRIAL_KEY = "failed_trial"
_RETRY_HISTORY_KEY = "retry_history"


class RetryHeartbeatStaleTrialCallback:
    """Enqueue a failed trial again as a WAITING trial with the same parameters.

    The new trial's ``system_attrs`` record the number of the first trial of the chain
    (``"failed_trial"``) and the numbers of every failed attempt (``"retry_history"``); once a
    chain has failed ``max_retry + 1`` times it is not enqueued again.

    Parameters
    ----------
    max_retry:
        How many times one configuration is retried; None retries without limit.
    inherit_intermediate_values:
        Copy the failed trial's reported intermediate values into the retry.

    Example
    -------
    >>> import tunekit
    >>> from tunekit.storages.heartbeat import RetryHeartbeatStaleTrialCallback
    >>> from tunekit.storages.rdb import RDBStorage
    >>> storage = RDBStorage(
    ...     "sqlite:///:memory:",
    ...     heartbeat_interval=60,
    ...     grace_period=120,
    ...     heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=3),
    ... )
    >>> storage.get_heartbeat_stale_trial_callback()._max_retry
    3
    """

    def __init__(self, max_retry: int | None = None, inherit_intermediate_values: bool = False):
        if max_retry is not None and (
            isinstance(max_retry, bool) or not isinstance(max_retry, int) or max_retry < 0
        ):
            raise ValueError(
                f"{type(self).__name__}: `max_retry` must be None or an int >= 0, "
                f"got {max_retry!r}."
            )
        self._max_retry = max_retry
        self._inherit_intermediate_values = bool(inherit_intermediate_values)

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        system_attrs: dict[str, Any] = {
            _FAILED_TRIAL_KEY: trial.number,
            _RETRY_HISTORY_KEY: [],
            **trial.system_attrs,
        }
        # A retry of a retry keeps pointing at the first trial of the chain.
        system_attrs[_RETRY_HISTORY_KEY] = [*system_attrs[_RETRY_HISTORY_KEY], trial.number]
        if self._max_retry is not None and len(system_attrs[_RETRY_HISTORY_KEY]) > self._max_retry:
            return
        study.add_trial(
            create_trial(
                state=TrialState.WAITING,
                params=trial.params,
                distributions=trial.distributions,
                user_attrs=trial.user_attrs,
                system_attrs=system_attrs,
                intermediate_values=(
                    trial.intermediate_values if self._inherit_intermediate_values else None
                ),
            )
        )

    @staticmethod
    def retried_trial_number(trial: FrozenTrial) -> int | None:
        """The number of the first failed trial that ``trial`` retries, or None."""
        return trial.system_attrs.get(_FAILED_TRIAL_KEY)

    @staticmethod
    def retry_history(trial: FrozenTrial) -> list[int]:
        """The numbers of the failed attempts before ``trial``, oldest first."""
        return list(trial.system_attrs.get(_RETRY_HISTORY_KEY, []))


class RetryFailedTrialCallback(RetryHeartbeatStaleTrialCallback):
    """Deprecated name (Optuna 4.9) of :class:`RetryHeartbeatStaleTrialCallback`."""

    def __init__(self, max_retry: int | None = None, inherit_intermediate_values: bool = False):
        warn_deprecated("RetryFailedTrialCallback", "4.9.0", "RetryHeartbeatStaleTrialCallback")
        super().__init__(max_retry, inherit_intermediate_values)
