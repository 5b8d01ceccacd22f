"""Backends for the shared storage suite: in-memory, SQLite, PostgreSQL, MySQL/MariaDB.

A server backend takes its URL from ``TUNEKIT_TEST_POSTGRES_URL`` / ``TUNEKIT_TEST_MYSQL_URL``
(``storage/postgres.sh start`` and ``storage/mariadb.sh start`` print one). Without it, or with
a server that cannot be reached, its tests skip with a message; under ``CI=true`` that is a
failure instead, so CI can never pass by skipping the databases.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tunekit.storages import BaseStorage, InMemoryStorage

_SERVER_ENV = {"postgresql": "TUNEKIT_TEST_POSTGRES_URL", "mysql": "TUNEKIT_TEST_MYSQL_URL"}
_reachability: dict[str, str | None] = {}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(message: str) -> None:
    if _in_ci():
        pytest.fail(f"{message} (CI=true: a database test must run, not skip)", pytrace=False)
    pytest.skip(message)


def server_url(backend: str) -> str:
    """The test server's URL, or skip (fail under CI) when it is not set or not reachable."""
    env = _SERVER_ENV[backend]
    url = os.environ.get(env, "")
    if not url:
        _unavailable(
            f"{env} is not set; start a server with storage/{'postgres' if backend == 'postgresql' else 'mariadb'}.sh start"
        )
    if url not in _reachability:
        import sqlalchemy as sa

        try:
            engine = sa.create_engine(url)
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            engine.dispose()
            _reachability[url] = None
        except Exception as error:  # noqa: BLE001 - any failure means unreachable
            _reachability[url] = f"{type(error).__name__}: {error}".splitlines()[0]
    problem = _reachability[url]
    if problem is not None:
        masked = url
        try:
            import sqlalchemy as sa

            masked = sa.make_url(url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001
            pass
        _unavailable(f"{env}={masked} is not reachable: {problem}")
    return url


def drop_tunekit_tables(url: str) -> None:
    import sqlalchemy as sa

    from tunekit.storages.rdb import models

    engine = sa.create_engine(url)
    try:
        models.metadata.drop_all(engine)
    finally:
        engine.dispose()


class Backend:
    """Makes storage objects that share one database (or, in memory, one object)."""

    def __init__(self, name: str, url: str | None) -> None:
        self.name = name
        self.url = url
        self._made: list[Any] = []
        self._memory: InMemoryStorage | None = None

    @property
    def is_rdb(self) -> bool:
        return self.url is not None

    def make(self, **kwargs: Any) -> BaseStorage:
        if self.url is None:
            if self._memory is None:
                self._memory = InMemoryStorage()
            return self._memory
        from tunekit.storages.rdb import RDBStorage

        storage = RDBStorage(self.url, **kwargs)
        self._made.append(storage)
        return storage

    def close(self) -> None:
        for storage in self._made:
            storage._engine.dispose()


def _make_backend(name: str, tmp_path: Path) -> Backend:
    if name == "inmemory":
        return Backend(name, None)
    if name == "sqlite":
        return Backend(name, f"sqlite:///{tmp_path / 'study.db'}")
    url = server_url(name)
    drop_tunekit_tables(url)
    return Backend(name, url)


_ALL = [
    "inmemory",
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgresql),
    pytest.param("mysql", marks=pytest.mark.mysql),
]
_RDB = _ALL[1:]


@pytest.fixture(params=_ALL)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    made = _make_backend(request.param, tmp_path)
    yield made
    made.close()


@pytest.fixture(params=_RDB)
def rdb_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    made = _make_backend(request.param, tmp_path)
    yield made
    made.close()


@pytest.fixture
def storage(backend: Backend) -> BaseStorage:
    return backend.make()
