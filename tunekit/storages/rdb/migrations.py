"""Schema versions: create the tables, check a database's version, upgrade an old database.

A database records its schema version in ``tunekit_version``. :class:`RDBStorage` refuses a
database whose version is newer than this code knows (an older tunekit must not write to a
newer schema) or older (it is upgraded explicitly, with :func:`upgrade` or ``tunekit storage
upgrade``, never silently). Each upgrade step in :data:`UPGRADE_STEPS` takes a database from
version ``n`` to ``n + 1`` inside one locked transaction where the backend allows it.

Example
-------
>>> from tunekit.storages.rdb import upgrade
>>> upgrade("sqlite:///:memory:")  # creates the tables, or upgrades them to the current version
1
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from tunekit.exceptions import StorageInternalError
from tunekit.storages.rdb import models
from tunekit.version import __version__

__all__ = ["SCHEMA_VERSION", "UPGRADE_STEPS", "ensure_schema", "get_schema_version", "upgrade"]

SCHEMA_VERSION = models.SCHEMA_VERSION

# version n -> the function that takes a database from version n to n + 1.
UPGRADE_STEPS: dict[int, Callable[[sa.Connection], None]] = {}

# Any fixed number: the key of the advisory lock that serialises schema creation.
_SCHEMA_LOCK_KEY = 0x74756E65


@contextlib.contextmanager
def _schema_lock(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that holds the database-wide schema lock.

    Fresh processes that race to create the tables on an empty database take turns here, so
    exactly one creates them and the others find them made.
    """
    dialect = engine.dialect.name
    with engine.connect() as connection:
        if dialect == "postgresql":
            with connection.begin():
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
                yield connection
        elif dialect in ("mysql", "mariadb"):
            # DDL commits implicitly in MySQL: a session-level named lock spans it.
            got = connection.execute(sa.text("SELECT GET_LOCK('tunekit_schema', 120)")).scalar()
            connection.commit()
            if got != 1:
                raise StorageInternalError(
                    "Timed out waiting for the schema lock 'tunekit_schema'."
                )
            try:
                with connection.begin():
                    yield connection
            finally:
                connection.execute(sa.text("SELECT RELEASE_LOCK('tunekit_schema')"))
                connection.commit()
        else:
            # SQLite: the storage's connections begin with BEGIN IMMEDIATE (the write lock).
            with connection.begin():
                yield connection


def get_schema_version(connection: sa.Connection) -> int | None:
    """The schema version recorded in the database, or None when it has no tunekit tables."""
    if not sa.inspect(connection).has_table(models.version_table.name):
        return None
    version = connection.execute(
        sa.select(sa.func.max(models.version_table.c.schema_version))
    ).scalar()
    return None if version is None else int(version)


# Tables an Optuna RDBStorage creates; tunekit does not read them (see storage/README.md).
_OPTUNA_TABLES = ("studies", "trials", "version_info")


def holds_optuna_tables(connection: sa.Connection) -> bool:
    """Whether the database has Optuna's own tables (an Optuna study's database)."""
    return all(sa.inspect(connection).has_table(name) for name in _OPTUNA_TABLES)


def _create(connection: sa.Connection) -> None:
    if holds_optuna_tables(connection):
        url = connection.engine.url.render_as_string(hide_password=True)
        warnings.warn(
            f"The database {url} holds Optuna's tables. tunekit keeps its studies in its own "
            "tunekit_* tables, created now beside them, and does not read Optuna's: the "
            "studies Optuna stored there are not visible to tunekit.",
            UserWarning,
            stacklevel=2,
        )
    models.metadata.create_all(connection, checkfirst=True)
    connection.execute(
        sa.insert(models.version_table).values(
            schema_version=SCHEMA_VERSION, library_version=__version__
        )
    )


def ensure_schema(engine: sa.Engine, *, create: bool = True) -> int:
    """Check (and, when ``create``, make) the schema; return the database's version.

    Raises StorageInternalError for a database newer or older than :data:`SCHEMA_VERSION`.
    """
    url = engine.url.render_as_string(hide_password=True)
    with engine.connect() as connection:
        version = get_schema_version(connection)
        connection.rollback()
    if version is None and create:
        with _schema_lock(engine) as connection:
            version = get_schema_version(connection)
            if version is None:
                _create(connection)
                version = SCHEMA_VERSION
    if version is None:
        raise StorageInternalError(
            f"The database {url} has no tunekit tables and skip_table_creation=True; create them "
            f"with tunekit.storages.rdb.upgrade({url!r}) or `tunekit storage upgrade`."
        )
    _check_version(version, url)
    return version


def _check_version(version: int, url: str) -> None:
    if version > SCHEMA_VERSION:
        raise StorageInternalError(
            f"The database {url} has tunekit schema version {version}, newer than version "
            f"{SCHEMA_VERSION} that this tunekit ({__version__}) knows; upgrade tunekit."
        )
    if version < SCHEMA_VERSION:
        raise StorageInternalError(
            f"The database {url} has tunekit schema version {version}, older than version "
            f"{SCHEMA_VERSION}; upgrade it with `tunekit storage upgrade --storage URL` or "
            f"tunekit.storages.rdb.upgrade(url) (back the database up first)."
        )


def upgrade(url: str, engine_kwargs: dict[str, Any] | None = None) -> int:
    """Create tunekit's tables in the database at ``url``, or upgrade them; return the version.

    Each step runs with the schema lock held, so a concurrent upgrade waits rather than
    applying a step twice.
    """
    from tunekit.storages.rdb.storage import _create_engine

    engine = _create_engine(url, engine_kwargs)
    try:
        masked = engine.url.render_as_string(hide_password=True)
        with _schema_lock(engine) as connection:
            version = get_schema_version(connection)
            if version is None:
                _create(connection)
                return SCHEMA_VERSION
            if version > SCHEMA_VERSION:
                _check_version(version, masked)
            while version < SCHEMA_VERSION:
                if version not in UPGRADE_STEPS:
                    raise StorageInternalError(
                        f"No upgrade step from schema version {version} in this tunekit "
                        f"({__version__}) for {masked}."
                    )
                UPGRADE_STEPS[version](connection)
                version += 1
                connection.execute(
                    sa.insert(models.version_table).values(
                        schema_version=version, library_version=__version__
                    )
                )
            return version
    finally:
        engine.dispose()
