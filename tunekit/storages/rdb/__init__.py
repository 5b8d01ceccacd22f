"""Relational-database storage: :class:`RDBStorage` on SQLAlchemy Core, and schema upgrades.

Importing this package imports SQLAlchemy; ``import tunekit`` does not (it loads this package
only when a database URL or ``RDBStorage`` is used).
"""

from tunekit.storages.rdb.migrations import SCHEMA_VERSION, upgrade
from tunekit.storages.rdb.storage import RDBStorage

__all__ = ["RDBStorage", "SCHEMA_VERSION", "upgrade"]
