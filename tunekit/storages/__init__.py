"""Storages: where studies and trials live.

* :class:`InMemoryStorage` - this process only; the default when no storage is given.
* ``RDBStorage(url)`` - a database through SQLAlchemy (SQLite file, PostgreSQL, MySQL/MariaDB),
  shared by many processes and machines. Anywhere a storage is taken, a URL string works too.
"""

from __future__ import annotations

from typing import Any

from tunekit.storages.base import BaseStorage
from tunekit.storages.heartbeat import RetryFailedTrialCallback, RetryHeartbeatStaleTrialCallback
from tunekit.storages.memory import InMemoryStorage

__all__ = [
    "BaseStorage",
    "InMemoryStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "get_storage",
]


def __getattr__(name: str) -> Any:
    # RDBStorage pulls in SQLAlchemy; load it only when someone asks for it.
    if name == "RDBStorage":
        from tunekit.storages.rdb import RDBStorage

        return RDBStorage
    raise AttributeError(f"module 'tunekit.storages' has no attribute {name!r}")


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Turn what a user passed as ``storage=`` into a storage object.

    None gives a new :class:`InMemoryStorage`; a string is a database URL for ``RDBStorage``.
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, str):
        try:
            from tunekit.storages.rdb import RDBStorage
        except ModuleNotFoundError as error:
            raise ImportError(
                f"storage={storage!r} needs SQLAlchemy: pip install 'tunekit[rdb]'."
            ) from error
        return RDBStorage(storage)
    if isinstance(storage, BaseStorage):
        return storage
    raise TypeError(
        f"`storage` must be None, a database URL or a storage object, got {storage!r} "
        f"({type(storage).__name__})."
    )
