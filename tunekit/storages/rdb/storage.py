"""RDBStorage: studies in a relational database (SQLite, PostgreSQL, MySQL/MariaDB).

Written on SQLAlchemy Core. Each storage operation is one transaction, and where the database
allows it one statement in autocommit mode, so one round trip: a trial is created by a single
``WITH ... UPDATE ... RETURNING ... INSERT`` on PostgreSQL, a trial's rows are read by one
``UNION ALL`` statement (one consistent snapshot), a parameter is written by one
``INSERT ... SELECT`` that also checks that the trial is not finished.

Trial numbers come from a per-study counter (``tunekit_studies.next_trial_number``) that the
creating transaction increments: the row lock (``BEGIN IMMEDIATE`` on SQLite) serialises
creators, so numbers are unique and gap-free, and a transaction that fails gives its number back.

Reads are incremental: the storage keeps the finished trials of each study it has read (they
never change) and asks the database only for trials it has not seen finished: the unfinished
trial ids it knows, plus every number at or above the first number it has not seen. That
cursor is a gap-free prefix of numbers, not a timestamp or an id, so a trial that commits late
(after a higher number) is still read.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import hashlib
import json
import os
import random
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Container, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from tunekit import logging
from tunekit._deprecation import warn_deprecated
from tunekit.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)
from tunekit.exceptions import (
    DuplicatedStudyError,
    StorageInternalError,
    UpdateFinishedTrialError,
)
from tunekit.storages.base import BaseStorage, FrozenStudy, StudyDirection
from tunekit.storages.rdb import migrations, models
from tunekit.trial import FrozenTrial, TrialState

__all__ = ["RDBStorage"]

_logger = logging.get_logger(__name__)

DEFAULT_STUDY_NAME_PREFIX = "no-name-"
_T = TypeVar("_T")

_RUNNING = int(TrialState.RUNNING)
_WAITING = int(TrialState.WAITING)
_UNFINISHED = (_RUNNING, _WAITING)

# The extra that installs each backend's driver.
_EXTRAS = {
    "postgresql": "pip install 'tunekit[postgresql]' (psycopg 3)",
    "mysql": "pip install 'tunekit[mysql]' (PyMySQL)",
    "mariadb": "pip install 'tunekit[mysql]' (PyMySQL)",
    "sqlite": "pip install 'tunekit[rdb]'",
}

_SQLITE_BUSY_TIMEOUT_MS = 60_000
_MAX_RETRIES = 12

# Storages alive in this process: a forked child must not share their pooled connections.
_LIVE_STORAGES: weakref.WeakSet[RDBStorage] = weakref.WeakSet()


def _dispose_after_fork() -> None:
    for storage in list(_LIVE_STORAGES):
        storage._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_dispose_after_fork)


def _mask(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _create_engine(url: str, engine_kwargs: dict[str, Any] | None = None) -> sa.Engine:
    """Make an engine for ``url`` with the settings each backend needs; clear errors."""
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError as error:
        raise ValueError(
            f"RDBStorage: `url` {url!r} is not a database URL (expected e.g. "
            f"'sqlite:///study.db' or 'postgresql+psycopg://user:password@host/db'): {error}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _EXTRAS:
        raise ValueError(
            f"RDBStorage: `url` {_mask(parsed)} names the backend {backend!r}; tunekit supports "
            f"sqlite, postgresql, mysql and mariadb."
        )
    parsed = _default_driver(parsed)
    kwargs = dict(engine_kwargs or {})
    # rowcount of INSERT ... SELECT tells whether the guarded insert happened.
    kwargs["execution_options"] = {"preserve_rowcount": True, **kwargs.get("execution_options", {})}
    is_sqlite = backend == "sqlite"
    in_memory = is_sqlite and parsed.database in (None, "", ":memory:")
    if is_sqlite:
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", _SQLITE_BUSY_TIMEOUT_MS / 1000)
        connect_args.setdefault("check_same_thread", False)
        kwargs["connect_args"] = connect_args
        if in_memory:
            # One shared connection, so every thread sees the same in-memory database.
            kwargs.setdefault("poolclass", sa.pool.StaticPool)
    else:
        kwargs.setdefault("pool_recycle", 3600)
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except ImportError as error:
        raise ImportError(
            f"RDBStorage: the driver for {_mask(parsed)} is not installed ({error}); "
            f"{_EXTRAS[backend]}."
        ) from None
    except (sa_exc.ArgumentError, TypeError) as error:
        raise ValueError(
            f"RDBStorage: cannot make an engine for {_mask(parsed)} with "
            f"engine_kwargs={engine_kwargs!r}: {error}"
        ) from None
    if is_sqlite:
        _configure_sqlite(engine, in_memory)
    return engine


def _default_driver(url: sa.URL) -> sa.URL:
    """Use the driver tunekit's extras install when the URL names none and the default is absent.

    ``postgresql://`` means psycopg2 to SQLAlchemy and ``mysql://`` means mysqlclient; the
    ``postgresql`` and ``mysql`` extras install psycopg 3 and PyMySQL.
    """
    import importlib.util

    fallbacks = {
        "postgresql": ("psycopg2", "psycopg", "postgresql+psycopg"),
        "mysql": ("MySQLdb", "pymysql", "mysql+pymysql"),
        "mariadb": ("MySQLdb", "pymysql", "mariadb+pymysql"),
    }
    if url.drivername in fallbacks:
        default, fallback, drivername = fallbacks[url.drivername]
        if importlib.util.find_spec(default) is None and importlib.util.find_spec(fallback):
            return url.set(drivername=drivername)
    return url


def _configure_sqlite(engine: sa.Engine, in_memory: bool) -> None:
    # pysqlite's own transaction handling begins transactions lazily (DEFERRED), so two writers
    # that both read first deadlock and one fails at once. Take it over: the driver runs in
    # autocommit mode and every transaction of ours starts with BEGIN IMMEDIATE (the write
    # lock, waited for up to the busy timeout), except single statements run in autocommit.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            # WAL: readers never block the writer nor the writer readers; several processes
            # share one file. synchronous stays at its durable default (FULL).
            _enter_wal_mode(cursor, engine.dialect.loaded_dbapi.OperationalError)
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if not connection.get_execution_options().get("tunekit_autocommit", False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _enter_wal_mode(cursor: Any, operational_error: type[Exception]) -> None:
    """``PRAGMA journal_mode = WAL``, retried while another connection holds the file's lock.

    Switching a new file to WAL takes an exclusive lock, and SQLite answers the other processes
    that race for it with "database is locked" at once, without waiting out the busy timeout
    (four fresh workers on one new file failed this way in CI). Once the file is in WAL mode
    the pragma changes nothing and takes no such lock.
    """
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT_MS / 1000
    delay = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except operational_error as error:
            if "database is locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(2 * delay, 0.1)


def _is_retryable(error: sa_exc.DBAPIError) -> bool:
    """A lock that timed out, a deadlock, a serialisation failure: retrying is safe."""
    original = error.orig
    message = str(original).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    if "busy" in message and "sqlite" in type(original).__module__:
        return True
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    args = getattr(original, "args", ())
    # MySQL: 1213 deadlock, 1205 lock wait timeout.
    return bool(args) and args[0] in (1213, 1205)


def _copy_trial(trial: FrozenTrial) -> FrozenTrial:
    """A copy the caller may change freely; distributions (never mutated) are shared."""
    copied = copy.copy(trial)
    copied.params = dict(trial.params)
    copied.distributions = dict(trial.distributions)
    copied.user_attrs = copy.deepcopy(trial.user_attrs)
    copied.system_attrs = copy.deepcopy(trial.system_attrs)
    copied.intermediate_values = dict(trial.intermediate_values)
    copied.values = trial.values
    return copied


class _StudyCache:
    """What this storage object knows of one study's trials."""

    def __init__(self) -> None:
        # Trials by number for numbers < prefix (every one of them has been read): finished
        # ones are final, unfinished ones are the latest read.
        self.prefix_trials: list[FrozenTrial] = []
        # Trials read with numbers beyond the prefix (a lower number was not visible yet).
        self.beyond: dict[int, FrozenTrial] = {}
        # Ids of the trials last read unfinished: they are read again every time.
        self.unfinished_ids: set[int] = set()
        # The first distribution seen for each parameter name, for compatibility checks.
        self.distributions: dict[str, BaseDistribution] = {}
        # The best COMPLETE trial read so far (single-objective studies).
        self.best: FrozenTrial | None = None

    def offer_best(self, trial: FrozenTrial, maximize: bool) -> None:
        best = self.best
        if best is None:
            self.best = trial
            return
        value, best_value = trial.values[0], best.values[0]
        better = value > best_value if maximize else value < best_value
        # Ties go to the lower number, as a scan in number order would decide.
        if better or (value == best_value and trial.number < best.number):
            self.best = trial


class RDBStorage(BaseStorage):
    """Store studies in a relational database through SQLAlchemy, shared by many processes.

    Parameters
    ----------
    url:
        A SQLAlchemy database URL: ``"sqlite:///study.db"`` (a file; WAL mode, several
        processes of one machine), ``"postgresql+psycopg://user:password@host/db"``
        (``pip install 'tunekit[postgresql]'``) or ``"mysql+pymysql://user:password@host/db"``
        (``pip install 'tunekit[mysql]'``, MySQL 8 or MariaDB 10.5+).
    engine_kwargs:
        Extra keyword arguments for :func:`sqlalchemy.create_engine`.
    skip_compatibility_check:
        Do not compare the database's schema version with this tunekit's.
    heartbeat_interval:
        Seconds between heartbeats of a running trial; None disables heartbeats.
    grace_period:
        Seconds without a heartbeat after which a RUNNING trial is marked FAIL by the next
        worker that asks for a trial (default ``2 * heartbeat_interval``).
    heartbeat_stale_trial_callback:
        Called as ``callback(study, frozen_trial)`` for each trial failed that way, e.g.
        :class:`~tunekit.storages.RetryHeartbeatStaleTrialCallback`.
    failed_trial_callback:
        Its name before Optuna 4.9 (deprecated: a ``FutureWarning``); give one of the two.
    skip_table_creation:
        Do not create the tables when the database has none (they must exist).

    Example
    -------
    >>> import tunekit
    >>> from tunekit.storages.rdb import RDBStorage
    >>> storage = RDBStorage("sqlite:///:memory:")
    >>> study = tunekit.create_study(storage=storage, study_name="shared")
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, n_trials=3)
    >>> len(study.trials)
    3
    """

    def __init__(
        self,
        url: str,
        engine_kwargs: dict[str, Any] | None = None,
        skip_compatibility_check: bool = False,
        *,
        heartbeat_interval: int | float | None = None,
        grace_period: int | float | None = None,
        heartbeat_stale_trial_callback: Callable[[Any, FrozenTrial], None] | None = None,
        failed_trial_callback: Callable[[Any, FrozenTrial], None] | None = None,
        skip_table_creation: bool = False,
    ) -> None:
        if not isinstance(url, str):
            raise TypeError(f"RDBStorage: `url` must be a str, got {url!r} ({type(url).__name__}).")
        if engine_kwargs is not None and not isinstance(engine_kwargs, dict):
            raise TypeError(
                f"RDBStorage: `engine_kwargs` must be a dict or None, got {engine_kwargs!r}."
            )
        for name, value in (
            ("heartbeat_interval", heartbeat_interval),
            ("grace_period", grace_period),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0
            ):
                raise ValueError(
                    f"RDBStorage: `{name}` must be None or > 0 seconds, got {value!r}."
                )
        for name, callback in (
            ("heartbeat_stale_trial_callback", heartbeat_stale_trial_callback),
            ("failed_trial_callback", failed_trial_callback),
        ):
            if callback is not None and not callable(callback):
                raise TypeError(f"RDBStorage: `{name}` must be callable or None, got {callback!r}.")
        if heartbeat_stale_trial_callback is not None and failed_trial_callback is not None:
            raise ValueError(
                "RDBStorage: give one of `heartbeat_stale_trial_callback` and "
                "`failed_trial_callback` (its deprecated name), not both."
            )
        if failed_trial_callback is not None:
            warn_deprecated(
                "RDBStorage: `failed_trial_callback`", "4.9.0", "`heartbeat_stale_trial_callback`"
            )
        self.url = url
        self.engine_kwargs = dict(engine_kwargs or {})
        self.skip_compatibility_check = skip_compatibility_check
        self.skip_table_creation = skip_table_creation
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period
        self.heartbeat_stale_trial_callback = (
            heartbeat_stale_trial_callback or failed_trial_callback
        )
        self._setup(check_schema=True)

    def _setup(self, check_schema: bool) -> None:
        self._engine = _create_engine(self.url, self.engine_kwargs)
        self._masked_url = _mask(self._engine.url)
        self._dialect = self._engine.dialect.name
        if self._dialect == "sqlite":
            self._autocommit_engine = self._engine.execution_options(tunekit_autocommit=True)
        else:
            self._autocommit_engine = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        in_memory_sqlite = self._dialect == "sqlite" and self._engine.url.database in (
            None,
            "",
            ":memory:",
        )
        # One shared connection (in-memory SQLite) must not be used by two threads at once.
        self._serial: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if in_memory_sqlite else contextlib.nullcontext()
        )
        self._lock = threading.RLock()
        self._caches: dict[int, _StudyCache] = {}
        self._finished_by_id: dict[int, FrozenTrial] = {}
        # Running trials this object created or claimed: their worker is their only writer, so
        # the record is kept up to date here, write by write, and read without a round trip.
        self._owned: dict[int, FrozenTrial] = {}
        self._study_of_trial: dict[int, int] = {}
        self._directions: dict[int, list[StudyDirection]] = {}
        self._distribution_json: dict[str, BaseDistribution] = {}
        t = models.trials
        self._query_by_id = self._rows_query(lambda column: column == sa.bindparam("trial_id"))
        # The trials to read: numbers from the prefix on, and the known unfinished ids. Two
        # index-friendly halves (an OR of the two would scan the study's trials).
        wanted = sa.union(
            sa.select(t.c.trial_id).where(
                t.c.study_id == sa.bindparam("study_id"), t.c.number >= sa.bindparam("prefix")
            ),
            sa.select(t.c.trial_id).where(t.c.trial_id.in_(sa.bindparam("ids", expanding=True))),
        )
        self._query_study = self._rows_query(lambda column: column.in_(wanted))
        self._prepare_statements()
        if check_schema:
            try:
                if self.skip_compatibility_check:
                    if not self.skip_table_creation:
                        with self._serial:
                            migrations.ensure_schema(self._engine, create=True)
                    else:
                        with self._serial, self._engine.connect() as connection:
                            connection.execute(sa.select(1))
                else:
                    with self._serial:
                        migrations.ensure_schema(self._engine, create=not self.skip_table_creation)
            except sa_exc.DBAPIError as error:
                self._engine.dispose()
                raise StorageInternalError(
                    f"RDBStorage: cannot use the database {self._masked_url}: "
                    f"{str(error.orig).strip()}. Check that the server is running and reachable, "
                    f"and the user name, password and database name. "
                    f"(Driver: {_EXTRAS.get(self._dialect, '')}.)"
                ) from None
        _LIVE_STORAGES.add(self)

    def _prepare_statements(self) -> None:
        """Build the hot statements once; each call only binds values (no SQL building)."""
        s, t, p = models.studies, models.trials, models.trial_params
        bind = sa.bindparam
        self._stmt_param = sa.insert(p).from_select(
            ["trial_id", "param_name", "param_value", "value_kind", "distribution_json"],
            sa.select(
                t.c.trial_id,
                bind("p_name", type_=sa.String),
                bind("p_value", type_=sa.Double),
                bind("p_kind", type_=sa.SmallInteger),
                bind("p_distribution", type_=sa.Text),
            ).where(t.c.trial_id == bind("p_trial"), t.c.state.in_(_UNFINISHED)),
        )
        self._stmt_claim = (
            sa.update(t)
            .where(t.c.trial_id == bind("c_trial"), t.c.state == _WAITING)
            .values(state=_RUNNING, datetime_start=bind("c_now", type_=t.c.datetime_start.type))
        )
        self._stmt_finish = (
            sa.update(t)
            .where(t.c.trial_id == bind("f_trial"), t.c.state.in_(_UNFINISHED))
            .values(
                state=bind("f_state", type_=sa.SmallInteger),
                datetime_complete=bind("f_now", type_=t.c.datetime_complete.type),
            )
        )
        self._stmt_find_waiting = (
            sa.select(t.c.trial_id)
            .where(t.c.study_id == bind("w_study"), t.c.state == _WAITING)
            .order_by(t.c.number)
            .limit(1)
        )
        if self._dialect in ("mysql", "mariadb"):
            # LAST_INSERT_ID(expr) hands the new counter back in the same round trip.
            self._stmt_counter = (
                sa.update(s)
                .where(s.c.study_id == bind("n_study"))
                .values(next_trial_number=sa.func.last_insert_id(s.c.next_trial_number + 1))
            )
        else:
            self._stmt_counter = (
                sa.update(s)
                .where(s.c.study_id == bind("n_study"))
                .values(next_trial_number=s.c.next_trial_number + 1)
            )
            if self._engine.dialect.update_returning:
                self._stmt_counter = self._stmt_counter.returning(s.c.next_trial_number)
        self._stmt_insert_running = sa.insert(t).values(
            study_id=bind("r_study", type_=sa.Integer),
            number=bind("r_number", type_=sa.Integer),
            state=_RUNNING,
            datetime_start=bind("r_now", type_=t.c.datetime_start.type),
        )
        if self._dialect == "postgresql":
            counter = (
                sa.update(s)
                .where(s.c.study_id == bind("r_study"))
                .values(next_trial_number=s.c.next_trial_number + 1)
                .returning((s.c.next_trial_number - 1).label("number"))
                .cte("counter")
            )
            self._stmt_create_pg = (
                sa.insert(t)
                .from_select(
                    ["study_id", "number", "state", "datetime_start"],
                    sa.select(
                        bind("r_study", type_=sa.Integer),
                        counter.c.number,
                        sa.literal(_RUNNING, sa.SmallInteger),
                        bind("r_now", type_=t.c.datetime_start.type),
                    ),
                )
                .returning(t.c.trial_id, t.c.number)
            )
        self._row_statements: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Any] = {}
        self._distribution_text: dict[BaseDistribution, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        keep = (
            "url",
            "engine_kwargs",
            "skip_compatibility_check",
            "skip_table_creation",
            "heartbeat_interval",
            "grace_period",
            "heartbeat_stale_trial_callback",
        )
        return {name: self.__dict__[name] for name in keep}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup(check_schema=False)

    def __repr__(self) -> str:
        return f"RDBStorage({self._masked_url!r})"

    def _after_fork(self) -> None:
        """In a forked child: drop the parent's pooled connections and locks (idempotent)."""
        # close=False: the parent still uses those sockets; the child only forgets them.
        self._engine.dispose(close=False)
        self._lock = threading.RLock()
        if isinstance(self._serial, type(threading.RLock())):
            self._serial = threading.RLock()
        # Trials the parent runs are not this process's to write.
        self._owned = {}

    # ------------------------------------------------------------------------- plumbing

    def _run(self, operation: Callable[[], _T]) -> _T:
        """Run one storage operation, again with back-off when the database was locked."""
        for attempt in range(_MAX_RETRIES):
            try:
                with self._serial:
                    return operation()
            except sa_exc.DBAPIError as error:
                if isinstance(error, sa_exc.IntegrityError) or not _is_retryable(error):
                    if isinstance(error, sa_exc.OperationalError):
                        raise StorageInternalError(
                            f"RDBStorage({self._masked_url}): {str(error.orig).strip()}"
                        ) from error
                    raise
                if attempt == _MAX_RETRIES - 1:
                    raise StorageInternalError(
                        f"RDBStorage({self._masked_url}): still locked after {_MAX_RETRIES} "
                        f"attempts: {str(error.orig).strip()}"
                    ) from error
                delay = min(0.02 * 2**attempt, 2.0) * random.uniform(0.5, 1.5)
                _logger.debug(f"Database busy ({error.orig}); retrying in {delay:.3f} s.")
                time.sleep(delay)
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with self._engine.begin() as connection:
            yield connection

    @contextlib.contextmanager
    def _single(self) -> Iterator[sa.Connection]:
        """A connection whose statements each commit on their own (one round trip each)."""
        with self._autocommit_engine.connect() as connection:
            yield connection

    def _db_epoch(self) -> sa.ColumnElement[float]:
        """Now, in seconds since the epoch, by the database's clock (heartbeats)."""
        if self._dialect == "postgresql":
            return sa.cast(sa.extract("epoch", sa.func.clock_timestamp()), sa.Double)
        if self._dialect in ("mysql", "mariadb"):
            return sa.cast(sa.func.unix_timestamp(sa.func.now(6)), sa.Double)
        return (sa.func.julianday("now") - 2440587.5) * 86400.0

    def _insert(self, table: sa.Table) -> Any:
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self._dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.mysql import insert
        return insert(table)

    def _upsert(
        self, table: sa.Table, columns: list[str], source: sa.Select, update_columns: list[str]
    ) -> Any:
        stmt = self._insert(table).from_select(columns, source)
        if self._dialect in ("postgresql", "sqlite"):
            keys = [column.name for column in table.primary_key.columns]
            return stmt.on_conflict_do_update(
                index_elements=keys, set_={name: stmt.excluded[name] for name in update_columns}
            )
        return stmt.on_duplicate_key_update({name: stmt.inserted[name] for name in update_columns})

    def _raise_not_updatable(self, connection: sa.Connection, trial_id: int) -> None:
        row = connection.execute(
            sa.select(models.trials.c.number, models.trials.c.state).where(
                models.trials.c.trial_id == trial_id
            )
        ).first()
        if row is None:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        state = TrialState(row.state)
        raise UpdateFinishedTrialError(
            f"Trial#{row.number} has already finished (state {state.name}) and cannot be updated."
        )

    def _distribution(self, text: str) -> BaseDistribution:
        distribution = self._distribution_json.get(text)
        if distribution is None:
            distribution = json_to_distribution(text)
            self._distribution_json[text] = distribution
        return distribution

    def _cache(self, study_id: int) -> _StudyCache:
        cache = self._caches.get(study_id)
        if cache is None:
            cache = self._caches[study_id] = _StudyCache()
        return cache

    # ----------------------------------------------------------------------------- studies

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        directions = [StudyDirection(d) for d in directions]
        if not directions:
            raise ValueError("create_new_study(): `directions` must not be empty.")
        if study_name is None:
            study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        if not isinstance(study_name, str) or not 0 < len(study_name) <= 512:
            raise ValueError(
                f"`study_name` must be a non-empty str of at most 512 characters, got {study_name!r}."
            )
        stmt = sa.insert(models.studies).values(
            study_name=study_name,
            directions=json.dumps([d.name for d in directions]),
            next_trial_number=0,
        )

        def operation() -> int:
            with self._single() as connection:
                return int(connection.execute(stmt).inserted_primary_key[0])

        try:
            study_id = self._run(operation)
        except sa_exc.IntegrityError:
            raise DuplicatedStudyError(
                f"Another study with name {study_name!r} already exists. Use load_if_exists=True "
                f"to load it, or choose another name."
            ) from None
        with self._lock:
            self._directions[study_id] = directions
        _logger.info(f"A new study created in RDB with name: {study_name}")
        return study_id

    def delete_study(self, study_id: int) -> None:
        t = models.trials
        trial_ids = sa.select(t.c.trial_id).where(t.c.study_id == study_id).scalar_subquery()

        def operation() -> None:
            with self._transaction() as connection:
                for table in (
                    models.trial_params,
                    models.trial_values,
                    models.trial_intermediate_values,
                    models.trial_attrs,
                ):
                    if self._dialect in ("mysql", "mariadb"):
                        connection.execute(
                            sa.delete(table).where(
                                table.c.trial_id == t.c.trial_id, t.c.study_id == study_id
                            )
                        )
                    else:
                        connection.execute(sa.delete(table).where(table.c.trial_id.in_(trial_ids)))
                connection.execute(sa.delete(t).where(t.c.study_id == study_id))
                for table in (models.study_attrs, models.study_claims):
                    connection.execute(sa.delete(table).where(table.c.study_id == study_id))
                deleted = connection.execute(
                    sa.delete(models.studies).where(models.studies.c.study_id == study_id)
                ).rowcount
                if deleted == 0:
                    raise KeyError(f"No study with id {study_id} exists in this storage.")

        self._run(operation)
        with self._lock:
            cache = self._caches.pop(study_id, None)
            if cache is not None:
                for trial in cache.prefix_trials:
                    self._finished_by_id.pop(trial._trial_id, None)
                for trial in cache.beyond.values():
                    self._finished_by_id.pop(trial._trial_id, None)
            self._directions.pop(study_id, None)

    def _set_study_attr(self, study_id: int, key: str, value: Any, is_system: bool) -> None:
        if not isinstance(key, str):
            raise TypeError(f"An attribute key must be a str, got {key!r}.")
        s = models.studies
        source = sa.select(
            s.c.study_id,
            sa.literal(is_system, sa.Boolean),
            sa.literal(key, sa.String),
            sa.literal(json.dumps(value), sa.Text),
        ).where(s.c.study_id == study_id)
        stmt = self._upsert(
            models.study_attrs,
            ["study_id", "is_system", "attr_key", "value_json"],
            source,
            ["value_json"],
        )

        def operation() -> int:
            with self._single() as connection:
                return connection.execute(stmt).rowcount

        if self._run(operation) == 0:
            raise KeyError(f"No study with id {study_id} exists in this storage.")

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_id, key, value, is_system=False)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_id, key, value, is_system=True)

    def get_study_id_from_name(self, study_name: str) -> int:
        s = models.studies

        def operation() -> Any:
            with self._single() as connection:
                return connection.execute(
                    sa.select(s.c.study_id, s.c.directions).where(s.c.study_name == study_name)
                ).first()

        row = self._run(operation)
        if row is None:
            hint = ""
            with self._serial, self._engine.connect() as connection:
                if migrations.holds_optuna_tables(connection):
                    hint = (
                        " The database also holds Optuna's tables, which tunekit does not read "
                        "(its studies live in the tunekit_* tables)."
                    )
            raise KeyError(f"No study named {study_name!r} exists in this storage.{hint}")
        with self._lock:
            self._directions[row.study_id] = [
                StudyDirection[name] for name in json.loads(row.directions)
            ]
        return int(row.study_id)

    def _study_row(self, study_id: int) -> Any:
        s = models.studies

        def operation() -> Any:
            with self._single() as connection:
                return connection.execute(
                    sa.select(s.c.study_name, s.c.directions).where(s.c.study_id == study_id)
                ).first()

        row = self._run(operation)
        if row is None:
            raise KeyError(f"No study with id {study_id} exists in this storage.")
        return row

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._study_row(study_id).study_name)

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            known = self._directions.get(study_id)
        if known is not None:
            return list(known)
        directions = [
            StudyDirection[name] for name in json.loads(self._study_row(study_id).directions)
        ]
        with self._lock:
            self._directions[study_id] = directions
        return list(directions)

    def _study_attrs(self, study_id: int, is_system: bool) -> dict[str, Any]:
        s, a = models.studies, models.study_attrs
        query = (
            sa.select(s.c.study_id, a.c.attr_key, a.c.value_json)
            .select_from(
                s.outerjoin(a, sa.and_(a.c.study_id == s.c.study_id, a.c.is_system == is_system))
            )
            .where(s.c.study_id == study_id)
        )

        def operation() -> list[Any]:
            with self._single() as connection:
                return list(connection.execute(query))

        rows = self._run(operation)
        if not rows:
            raise KeyError(f"No study with id {study_id} exists in this storage.")
        return {
            row.attr_key: json.loads(row.value_json) for row in rows if row.attr_key is not None
        }

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self._study_attrs(study_id, is_system=False)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self._study_attrs(study_id, is_system=True)

    def get_all_studies(self) -> list[FrozenStudy]:
        s, a = models.studies, models.study_attrs
        query = (
            sa.select(
                s.c.study_id,
                s.c.study_name,
                s.c.directions,
                a.c.is_system,
                a.c.attr_key,
                a.c.value_json,
            )
            .select_from(s.outerjoin(a, a.c.study_id == s.c.study_id))
            .order_by(s.c.study_id)
        )

        def operation() -> list[Any]:
            with self._single() as connection:
                return list(connection.execute(query))

        studies: dict[int, FrozenStudy] = {}
        for row in self._run(operation):
            study = studies.get(row.study_id)
            if study is None:
                study = studies[row.study_id] = FrozenStudy(
                    study_name=row.study_name,
                    direction=None,
                    directions=[StudyDirection[name] for name in json.loads(row.directions)],
                    user_attrs={},
                    system_attrs={},
                    study_id=int(row.study_id),
                )
            if row.attr_key is not None:
                attrs = study.system_attrs if row.is_system else study.user_attrs
                attrs[row.attr_key] = json.loads(row.value_json)
        return list(studies.values())

    def claim_study_key(self, study_id: int, key: str) -> bool:
        if not isinstance(key, str):
            raise TypeError(f"claim_study_key(): `key` must be a str, got {key!r}.")
        stored_key = (
            key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        )
        s = models.studies
        source = sa.select(s.c.study_id, sa.literal(stored_key, sa.String)).where(
            s.c.study_id == study_id
        )
        stmt = self._insert(models.study_claims).from_select(["study_id", "claim_key"], source)
        if self._dialect in ("postgresql", "sqlite"):
            stmt = stmt.on_conflict_do_nothing()
        else:
            stmt = stmt.prefix_with("IGNORE")

        def operation() -> int:
            with self._single() as connection:
                return connection.execute(stmt).rowcount

        if self._run(operation) == 1:
            return True
        self._study_row(study_id)  # KeyError for an unknown study
        return False

    # ------------------------------------------------------------------------------ trials

    def _next_number(self, connection: sa.Connection, study_id: int) -> int:
        """Take the study's next trial number inside the caller's transaction (row-locked)."""
        result = connection.execute(self._stmt_counter, {"n_study": study_id})
        if self._dialect in ("mysql", "mariadb"):
            if result.rowcount == 0:
                raise KeyError(f"No study with id {study_id} exists in this storage.")
            return int(result.lastrowid) - 1
        if self._engine.dialect.update_returning:
            value = result.scalar()
        else:  # SQLite before 3.35: read the counter back inside the same transaction
            s = models.studies
            value = connection.execute(
                sa.select(s.c.next_trial_number).where(s.c.study_id == study_id)
            ).scalar()
        if value is None:
            raise KeyError(f"No study with id {study_id} exists in this storage.")
        return int(value) - 1

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        if template_trial is None:
            now = datetime.datetime.now()
            trial_id, number = self._run(lambda: self._create_running_trial(study_id, now))
            record = FrozenTrial(
                number=number,
                state=TrialState.RUNNING,
                value=None,
                datetime_start=now,
                datetime_complete=None,
                params={},
                distributions={},
                user_attrs={},
                system_attrs={},
                intermediate_values={},
                trial_id=trial_id,
            )
            with self._lock:
                self._owned[trial_id] = record
        else:
            trial_id, number = self._create_from_template(study_id, template_trial)
        with self._lock:
            self._study_of_trial[trial_id] = study_id
        return trial_id

    def _update_owned(self, trial_id: int, **changes: Any) -> None:
        """Apply a successful write to the record of a trial this object owns (copy on write)."""
        with self._lock:
            record = self._owned.get(trial_id)
            if record is None:
                return
            updated = copy.copy(record)
            for name, value in changes.items():
                setattr(updated, name, value(record) if callable(value) else value)
            self._owned[trial_id] = updated

    def _forget_owned(self, trial_id: int) -> None:
        with self._lock:
            self._owned.pop(trial_id, None)

    def _create_running_trial(self, study_id: int, now: datetime.datetime) -> tuple[int, int]:
        if self._dialect == "postgresql":
            with self._single() as connection:
                row = connection.execute(
                    self._stmt_create_pg, {"r_study": study_id, "r_now": now}
                ).first()
            if row is None:
                raise KeyError(f"No study with id {study_id} exists in this storage.")
            return int(row.trial_id), int(row.number)
        with self._transaction() as connection:
            number = self._next_number(connection, study_id)
            result = connection.execute(
                self._stmt_insert_running, {"r_study": study_id, "r_number": number, "r_now": now}
            )
            return int(result.inserted_primary_key[0]), number

    def _create_from_template(self, study_id: int, template: FrozenTrial) -> tuple[int, int]:
        with self._lock:
            cache = self._cache(study_id)
        for name, distribution in template.distributions.items():
            self._check_distribution(study_id, cache, name, distribution)
        state = int(template.state)
        params = []
        for name, value in template.params.items():
            distribution = template.distributions[name]
            encoded, kind = models.encode_float(float(distribution.to_internal_repr(value)))
            params.append(
                {
                    "param_name": name,
                    "param_value": encoded,
                    "value_kind": kind,
                    "distribution_json": distribution_to_json(distribution),
                }
            )
        values = [
            dict(zip(("value", "value_kind"), models.encode_float(float(v)), strict=True))
            | {"objective": i}
            for i, v in enumerate(template.values or [])
        ]
        intermediate = [
            dict(zip(("value", "value_kind"), models.encode_float(float(v)), strict=True))
            | {"step": int(step)}
            for step, v in template.intermediate_values.items()
        ]
        attrs = [
            {"is_system": False, "attr_key": k, "value_json": json.dumps(v)}
            for k, v in template.user_attrs.items()
        ] + [
            {"is_system": True, "attr_key": k, "value_json": json.dumps(v)}
            for k, v in template.system_attrs.items()
        ]

        def operation() -> tuple[int, int]:
            with self._transaction() as connection:
                number = self._next_number(connection, study_id)
                trial_id = int(
                    connection.execute(
                        sa.insert(models.trials).values(
                            study_id=study_id,
                            number=number,
                            state=state,
                            datetime_start=template.datetime_start,
                            datetime_complete=template.datetime_complete,
                        )
                    ).inserted_primary_key[0]
                )
                for table, rows in (
                    (models.trial_params, params),
                    (models.trial_values, values),
                    (models.trial_intermediate_values, intermediate),
                    (models.trial_attrs, attrs),
                ):
                    if rows:
                        connection.execute(
                            sa.insert(table), [row | {"trial_id": trial_id} for row in rows]
                        )
                return trial_id, number

        return self._run(operation)

    def _check_distribution(
        self, study_id: int, cache: _StudyCache, name: str, distribution: BaseDistribution
    ) -> None:
        with self._lock:
            known = cache.distributions.get(name)
        if known is None:
            p, t = models.trial_params, models.trials
            query = (
                sa.select(p.c.distribution_json)
                .select_from(p.join(t, p.c.trial_id == t.c.trial_id))
                .where(t.c.study_id == study_id, p.c.param_name == name)
                .limit(1)
            )

            def operation() -> Any:
                with self._single() as connection:
                    return connection.execute(query).scalar()

            text = self._run(operation)
            if text is None:
                with self._lock:
                    cache.distributions.setdefault(name, distribution)
                return
            known = self._distribution(text)
            with self._lock:
                cache.distributions.setdefault(name, known)
        check_distribution_compatibility(known, distribution)

    def _study_id_of_trial(self, trial_id: int) -> int:
        with self._lock:
            study_id = self._study_of_trial.get(trial_id)
        if study_id is not None:
            return study_id
        t = models.trials

        def operation() -> Any:
            with self._single() as connection:
                return connection.execute(
                    sa.select(t.c.study_id).where(t.c.trial_id == trial_id)
                ).scalar()

        study_id = self._run(operation)
        if study_id is None:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        with self._lock:
            self._study_of_trial[trial_id] = int(study_id)
        return int(study_id)

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        study_id = self._study_id_of_trial(trial_id)
        with self._lock:
            cache = self._cache(study_id)
        self._check_distribution(study_id, cache, param_name, distribution)
        encoded, kind = models.encode_float(float(param_value_internal))
        text = self._distribution_text.get(distribution)
        if text is None:
            text = self._distribution_text[distribution] = distribution_to_json(distribution)
        values = {
            "p_trial": trial_id,
            "p_name": param_name,
            "p_value": encoded,
            "p_kind": kind,
            "p_distribution": text,
        }

        def operation() -> None:
            with self._single() as connection:
                if connection.execute(self._stmt_param, values).rowcount == 0:
                    self._raise_not_updatable(connection, trial_id)

        try:
            self._run(operation)
        except sa_exc.IntegrityError:
            raise ValueError(
                f"Parameter {param_name!r} is already set in the trial with id {trial_id}."
            ) from None
        except (KeyError, UpdateFinishedTrialError):
            self._forget_owned(trial_id)
            raise
        external = distribution.to_external_repr(models.decode_float(encoded, kind))
        self._update_owned(
            trial_id,
            params=lambda r: {**r.params, param_name: external},
            distributions=lambda r: {**r.distributions, param_name: distribution},
        )

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        state = TrialState(state)
        t = models.trials
        now = datetime.datetime.now()
        if state == TrialState.RUNNING:

            def claim() -> bool:
                with self._single() as connection:
                    claimed = connection.execute(
                        self._stmt_claim, {"c_trial": trial_id, "c_now": now}
                    )
                    if claimed.rowcount == 1:
                        return True
                    exists = connection.execute(
                        sa.select(t.c.trial_id).where(t.c.trial_id == trial_id)
                    ).first()
                if exists is None:
                    raise KeyError(f"No trial with id {trial_id} exists in this storage.")
                return False

            return self._run(claim)

        if state.is_finished():
            update: Any = self._stmt_finish
            bound = {"f_trial": trial_id, "f_state": int(state), "f_now": now}
        else:
            update = (
                sa.update(t)
                .where(t.c.trial_id == trial_id, t.c.state.in_(_UNFINISHED))
                .values(state=int(state))
            )
            bound = {}
        rows = [
            {"objective": i, "value": encoded, "value_kind": kind}
            for i, (encoded, kind) in enumerate(
                models.encode_float(float(v)) for v in (values or [])
            )
        ]

        def finish() -> None:
            if self._dialect == "postgresql" and rows and state.is_finished():
                values = dict(bound)
                for r in rows:
                    values[f"v{r['objective']}"] = r["value"]
                    values[f"k{r['objective']}"] = r["value_kind"]
                with self._single() as connection:
                    inserted = connection.execute(self._finish_with_values_pg(len(rows)), values)
                    if inserted.rowcount == 0:
                        self._raise_not_updatable(connection, trial_id)
                return
            with self._transaction() as connection:
                if connection.execute(update, bound).rowcount == 0:
                    self._raise_not_updatable(connection, trial_id)
                if rows:
                    connection.execute(
                        sa.insert(models.trial_values), [r | {"trial_id": trial_id} for r in rows]
                    )

        try:
            self._run(finish)
        except (KeyError, UpdateFinishedTrialError):
            self._forget_owned(trial_id)
            raise
        with self._lock:
            record = self._owned.pop(trial_id, None)
            if record is not None and state.is_finished():
                finished = copy.copy(record)
                finished.state = state
                finished.values = [
                    models.decode_float(r["value"], r["value_kind"]) for r in rows
                ] or None
                finished.datetime_complete = now
                self._finished_by_id[trial_id] = finished
        return True

    def _finish_with_values_pg(self, n_values: int) -> Any:
        """PostgreSQL: finish a trial and insert its values in one statement (cached per n)."""
        key = ("finish-pg", (), (str(n_values),))
        stmt = self._row_statements.get(key)
        if stmt is None:
            updated = self._stmt_finish.returning(models.trials.c.trial_id).cte("updated")
            selects = [
                sa.select(
                    updated.c.trial_id,
                    sa.literal(i, sa.Integer),
                    sa.cast(sa.bindparam(f"v{i}", type_=sa.Double), sa.Double),
                    sa.bindparam(f"k{i}", type_=sa.SmallInteger),
                )
                for i in range(n_values)
            ]
            source = selects[0] if n_values == 1 else sa.union_all(*selects)
            stmt = sa.insert(models.trial_values).from_select(
                ["trial_id", "objective", "value", "value_kind"], source
            )
            self._row_statements[key] = stmt
        return stmt

    def _set_trial_row(
        self, trial_id: int, table: sa.Table, key_columns: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        """Insert or replace a row of a trial's child table, if the trial is not finished."""
        key = (table.name, tuple(key_columns), tuple(payload))
        stmt = self._row_statements.get(key)
        if stmt is None:
            t = models.trials
            source = sa.select(
                t.c.trial_id,
                *(sa.bindparam(f"x_{k}", type_=table.c[k].type) for k in (*key_columns, *payload)),
            ).where(t.c.trial_id == sa.bindparam("x_trial"), t.c.state.in_(_UNFINISHED))
            stmt = self._upsert(table, ["trial_id", *key_columns, *payload], source, list(payload))
            self._row_statements[key] = stmt
        values = {f"x_{k}": v for k, v in {**key_columns, **payload}.items()}
        values["x_trial"] = trial_id

        def operation() -> None:
            with self._single() as connection:
                if connection.execute(stmt, values).rowcount == 0:
                    self._raise_not_updatable(connection, trial_id)

        try:
            self._run(operation)
        except (KeyError, UpdateFinishedTrialError):
            self._forget_owned(trial_id)
            raise

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        encoded, kind = models.encode_float(float(intermediate_value))
        self._set_trial_row(
            trial_id,
            models.trial_intermediate_values,
            {"step": int(step)},
            {"value": encoded, "value_kind": kind},
        )
        stored = models.decode_float(encoded, kind)
        self._update_owned(
            trial_id,
            intermediate_values=lambda r: dict(
                sorted({**r.intermediate_values, int(step): stored}.items())
            ),
        )

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        text = json.dumps(value)
        self._set_trial_row(
            trial_id,
            models.trial_attrs,
            {"is_system": False, "attr_key": key},
            {"value_json": text},
        )
        self._update_owned(trial_id, user_attrs=lambda r: {**r.user_attrs, key: json.loads(text)})

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        text = json.dumps(value)
        self._set_trial_row(
            trial_id, models.trial_attrs, {"is_system": True, "attr_key": key}, {"value_json": text}
        )
        self._update_owned(
            trial_id, system_attrs=lambda r: {**r.system_attrs, key: json.loads(text)}
        )

    # ------------------------------------------------------------------------------ reading

    def _rows_query(self, match: Callable[[Any], sa.ColumnElement[bool]]) -> sa.CompoundSelect:
        """Every row of the matching trials and their children, as one UNION ALL statement.

        ``match(trial_id_column)`` selects the trials. Columns: kind, trial_id, i1, i2, f1, s1,
        s2, d1, d2; one statement reads one snapshot.
        """
        t = models.trials
        v, iv = models.trial_values, models.trial_intermediate_values
        p, a = models.trial_params, models.trial_attrs

        def null(type_: Any) -> Any:
            return sa.cast(sa.null(), type_)

        def kind(number: int) -> Any:
            return sa.literal_column(str(number), sa.Integer)

        dt = t.c.datetime_start.type
        trial_rows = sa.select(
            kind(0).label("kind"),
            t.c.trial_id.label("trial_id"),
            t.c.number.label("i1"),
            sa.cast(t.c.state, sa.Integer).label("i2"),
            null(sa.Double).label("f1"),
            null(sa.Text).label("s1"),
            null(sa.Text).label("s2"),
            t.c.datetime_start.label("d1"),
            t.c.datetime_complete.label("d2"),
        ).where(match(t.c.trial_id))

        def child(number: int, table: sa.Table, *columns: Any) -> sa.Select:
            return sa.select(kind(number), table.c.trial_id, *columns, null(dt), null(dt)).where(
                match(table.c.trial_id)
            )

        return sa.union_all(
            trial_rows,
            child(
                1,
                v,
                v.c.objective,
                sa.cast(v.c.value_kind, sa.Integer),
                v.c.value,
                null(sa.Text),
                null(sa.Text),
            ),
            child(
                2,
                iv,
                iv.c.step,
                sa.cast(iv.c.value_kind, sa.Integer),
                iv.c.value,
                null(sa.Text),
                null(sa.Text),
            ),
            child(
                3,
                p,
                p.c.param_id,
                sa.cast(p.c.value_kind, sa.Integer),
                p.c.param_value,
                sa.cast(p.c.param_name, sa.Text),
                p.c.distribution_json,
            ),
            child(
                4,
                a,
                sa.cast(a.c.is_system, sa.Integer),
                null(sa.Integer),
                null(sa.Double),
                sa.cast(a.c.attr_key, sa.Text),
                a.c.value_json,
            ),
        )

    def _read_trials(self, query: sa.CompoundSelect, **params: Any) -> list[FrozenTrial]:
        def operation() -> list[Any]:
            with self._single() as connection:
                return list(connection.execute(query, params))

        rows = self._run(operation)
        by_id: dict[int, dict[str, Any]] = {}
        children = []
        for row in rows:
            if row[0] == 0:
                by_id[row[1]] = {
                    "row": row,
                    "values": {},
                    "intermediate": {},
                    "params": [],
                    "user": {},
                    "system": {},
                }
            else:
                children.append(row)
        for kind, trial_id, i1, i2, f1, s1, s2, _d1, _d2 in children:
            record = by_id.get(trial_id)
            if record is None:
                continue
            if kind == 1:
                record["values"][i1] = models.decode_float(f1, i2)
            elif kind == 2:
                record["intermediate"][i1] = models.decode_float(f1, i2)
            elif kind == 3:
                record["params"].append((i1, s1, models.decode_float(f1, i2), s2))
            else:
                record["system" if i1 else "user"][s1] = json.loads(s2)
        trials = []
        for trial_id, record in by_id.items():
            _kind, _id, number, state, _f, _s1, _s2, start, complete = record["row"]
            params: dict[str, Any] = {}
            distributions: dict[str, BaseDistribution] = {}
            for _param_id, name, internal, text in sorted(record["params"], key=lambda p: p[0]):
                distribution = self._distribution(text)
                distributions[name] = distribution
                params[name] = distribution.to_external_repr(internal)
            values = record["values"]
            trials.append(
                FrozenTrial(
                    number=int(number),
                    state=TrialState(state),
                    value=None,
                    values=[values[i] for i in sorted(values)] if values else None,
                    datetime_start=start,
                    datetime_complete=complete,
                    params=params,
                    distributions=distributions,
                    user_attrs=record["user"],
                    system_attrs=record["system"],
                    intermediate_values=dict(sorted(record["intermediate"].items())),
                    trial_id=int(trial_id),
                )
            )
        return trials

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            known = self._owned.get(trial_id) or self._finished_by_id.get(trial_id)
        if known is not None:
            return _copy_trial(known)
        found = self._read_trials(self._query_by_id, trial_id=trial_id)
        if not found:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        return found[0]

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        cache = self._refresh(study_id)
        with self._lock:
            trials = cache.prefix_trials + [cache.beyond[n] for n in sorted(cache.beyond)]
        if states is not None:
            trials = [trial for trial in trials if trial.state in states]
        return copy.deepcopy(trials) if deepcopy else trials

    def _refresh(self, study_id: int) -> _StudyCache:
        """Read what this object has not seen finished of a study into its cache (one query)."""
        directions = self.get_study_directions(study_id)  # cached; KeyError for an unknown study
        with self._lock:
            cache = self._cache(study_id)
            prefix = len(cache.prefix_trials)
            unfinished_ids = sorted(cache.unfinished_ids)
        fresh = self._read_trials(
            self._query_study, study_id=study_id, prefix=prefix, ids=unfinished_ids
        )
        with self._lock:
            self._merge(study_id, cache, fresh, directions)
        return cache

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """The best COMPLETE trial, kept up to date as trials are read (no scan of the study)."""
        if len(self.get_study_directions(study_id)) > 1:
            raise RuntimeError(
                "Best trial is ambiguous for a multi-objective study; use best_trials."
            )
        cache = self._refresh(study_id)
        with self._lock:
            best = cache.best
        if best is None:
            raise ValueError("No trials are completed yet.")
        return _copy_trial(best)

    def _merge(
        self,
        study_id: int,
        cache: _StudyCache,
        fresh: list[FrozenTrial],
        directions: list[StudyDirection],
    ) -> None:
        """Fold freshly read trials into the cache (the caller holds the lock)."""
        maximize = directions[0] == StudyDirection.MAXIMIZE
        single = len(directions) == 1
        prefix_trials = cache.prefix_trials
        prefix = len(prefix_trials)
        for trial in fresh:
            trial_id = trial._trial_id
            number = trial.number
            known = prefix_trials[number] if number < prefix else cache.beyond.get(number)
            if known is not None and known.state.is_finished():
                continue  # final; this read may be older than the one that cached it
            if trial.state.is_finished():
                cache.unfinished_ids.discard(trial_id)
                self._finished_by_id[trial_id] = trial
                if single and trial.state == TrialState.COMPLETE and trial.values:
                    cache.offer_best(trial, maximize)
            else:
                cache.unfinished_ids.add(trial_id)
            self._study_of_trial[trial_id] = study_id
            for name, distribution in trial.distributions.items():
                cache.distributions.setdefault(name, distribution)
            if trial.number < prefix:
                prefix_trials[trial.number] = trial
            else:
                cache.beyond[trial.number] = trial
        while prefix in cache.beyond:
            prefix_trials.append(cache.beyond.pop(prefix))
            prefix += 1

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        t = models.trials

        def operation() -> Any:
            with self._single() as connection:
                return connection.execute(
                    sa.select(t.c.trial_id).where(
                        t.c.study_id == study_id, t.c.number == trial_number
                    )
                ).scalar()

        trial_id = self._run(operation)
        if trial_id is None:
            raise KeyError(f"No trial with number {trial_number} exists in study id {study_id}.")
        return int(trial_id)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        t = models.trials

        def operation() -> Any:
            with self._single() as connection:
                return connection.execute(
                    sa.select(t.c.number).where(t.c.trial_id == trial_id)
                ).scalar()

        number = self._run(operation)
        if number is None:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        return int(number)

    def _pop_waiting_trial_id(self, study_id: int) -> int | None:
        def operation() -> Any:
            with self._single() as connection:
                return connection.execute(self._stmt_find_waiting, {"w_study": study_id}).scalar()

        while True:
            trial_id = self._run(operation)
            if trial_id is None:
                return None
            # Another worker may claim it between the two statements: then look again.
            if self.set_trial_state_values(int(trial_id), TrialState.RUNNING):
                found = self._read_trials(self._query_by_id, trial_id=int(trial_id))
                with self._lock:
                    self._study_of_trial[int(trial_id)] = study_id
                    if found and found[0].state == TrialState.RUNNING:
                        self._owned[int(trial_id)] = found[0]
                return int(trial_id)

    # --------------------------------------------------------------------------- heartbeats

    def is_heartbeat_enabled(self) -> bool:
        return self.heartbeat_interval is not None

    def get_heartbeat_interval(self) -> int | float | None:
        return self.heartbeat_interval

    def get_heartbeat_stale_trial_callback(self) -> Callable[[Any, FrozenTrial], None] | None:
        return self.heartbeat_stale_trial_callback

    def get_failed_trial_callback(self) -> Callable[[Any, FrozenTrial], None] | None:
        """Deprecated name (Optuna 4.9) of :meth:`get_heartbeat_stale_trial_callback`."""
        warn_deprecated(
            "RDBStorage.get_failed_trial_callback()",
            "4.9.0",
            "get_heartbeat_stale_trial_callback()",
        )
        return self.heartbeat_stale_trial_callback

    @property
    def failed_trial_callback(self) -> Callable[[Any, FrozenTrial], None] | None:
        """The same callback under its pre-4.9 name."""
        return self.heartbeat_stale_trial_callback

    def record_heartbeat(self, trial_id: int) -> None:
        """Record that the worker running ``trial_id`` is alive (the database's clock)."""
        t = models.trials
        stmt = (
            sa.update(t)
            .where(t.c.trial_id == trial_id, t.c.state == _RUNNING)
            .values(heartbeat=self._db_epoch())
        )

        def operation() -> None:
            with self._single() as connection:
                connection.execute(stmt)

        self._run(operation)

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        """RUNNING trials of the study whose last heartbeat is older than the grace period."""
        if self.heartbeat_interval is None:
            return []
        grace = self.grace_period if self.grace_period is not None else 2 * self.heartbeat_interval
        t = models.trials
        query = sa.select(t.c.trial_id).where(
            t.c.study_id == study_id,
            t.c.state == _RUNNING,
            t.c.heartbeat.is_not(None),
            t.c.heartbeat < self._db_epoch() - float(grace),
        )

        def operation() -> list[int]:
            with self._single() as connection:
                return [int(row[0]) for row in connection.execute(query)]

        return self._run(operation)

    def remove_session(self) -> None:
        """Nothing to release: connections go back to the pool after every operation."""
