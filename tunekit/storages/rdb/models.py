"""The database schema of :class:`~tunekit.storages.rdb.RDBStorage`, as SQLAlchemy Core tables.

Every table name starts with ``tunekit_`` so that a database can hold tunekit's tables beside
others (Optuna's included) without a clash. ``storage/README.md`` describes what the schema
promises; :data:`SCHEMA_VERSION` is the version these tables are, recorded in
``tunekit_version``. A change to the tables raises :data:`SCHEMA_VERSION` and adds a step to
:mod:`tunekit.storages.rdb.migrations`.

Float columns cannot hold every float on every backend (SQLite turns NaN into NULL, MySQL's
DOUBLE has no infinities), so each float is a pair: the number, NULL unless finite, and a small
integer kind (:data:`FINITE`, :data:`POS_INF`, :data:`NEG_INF`, :data:`NAN`).
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

__all__ = [
    "SCHEMA_VERSION",
    "metadata",
    "version_table",
    "studies",
    "study_attrs",
    "study_claims",
    "trials",
    "trial_params",
    "trial_values",
    "trial_intermediate_values",
    "trial_attrs",
    "encode_float",
    "decode_float",
]

SCHEMA_VERSION = 1

FINITE, POS_INF, NEG_INF, NAN = 0, 1, 2, 3

# MySQL/MariaDB: keys compare byte-wise (the default collation ignores case, so "A" and "a" would
# be one study), datetimes keep microseconds, and JSON texts may exceed 64 KiB.
_Key = sa.String(512).with_variant(mysql.VARCHAR(512, collation="utf8mb4_bin"), "mysql", "mariadb")
_Text = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_Double = sa.Double()
_MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

metadata = sa.MetaData()

version_table = sa.Table(
    "tunekit_version",
    metadata,
    sa.Column("schema_version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("library_version", sa.String(64), nullable=False),
    **_MYSQL,
)

studies = sa.Table(
    "tunekit_studies",
    metadata,
    sa.Column("study_id", sa.Integer, primary_key=True),
    sa.Column("study_name", _Key, nullable=False, unique=True),
    # JSON list of direction names, e.g. ["MINIMIZE"]; fixed at creation.
    sa.Column("directions", sa.String(512), nullable=False),
    # The number the next trial of this study gets. The row is locked by the transaction that
    # creates a trial, which makes numbers unique and gap-free under concurrent writers.
    sa.Column("next_trial_number", sa.Integer, nullable=False, server_default="0"),
    **_MYSQL,
)

study_attrs = sa.Table(
    "tunekit_study_attrs",
    metadata,
    sa.Column("study_id", sa.Integer, sa.ForeignKey("tunekit_studies.study_id"), primary_key=True),
    sa.Column("is_system", sa.Boolean, primary_key=True),
    sa.Column("attr_key", _Key, primary_key=True),
    sa.Column("value_json", _Text, nullable=False),
    **_MYSQL,
)

study_claims = sa.Table(
    "tunekit_study_claims",
    metadata,
    sa.Column("study_id", sa.Integer, sa.ForeignKey("tunekit_studies.study_id"), primary_key=True),
    # The claimed key, or "sha256:<hex digest>" for keys longer than 255 characters.
    sa.Column("claim_key", _Key, primary_key=True),
    **_MYSQL,
)

trials = sa.Table(
    "tunekit_trials",
    metadata,
    sa.Column("trial_id", sa.Integer, primary_key=True),
    sa.Column("study_id", sa.Integer, sa.ForeignKey("tunekit_studies.study_id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    # TrialState's integer value: 0 RUNNING, 1 COMPLETE, 2 PRUNED, 3 FAIL, 4 WAITING.
    sa.Column("state", sa.SmallInteger, nullable=False),
    sa.Column("datetime_start", _DateTime, nullable=True),
    sa.Column("datetime_complete", _DateTime, nullable=True),
    # Seconds since the epoch, by the database's clock, of the worker's last heartbeat.
    sa.Column("heartbeat", _Double, nullable=True),
    sa.UniqueConstraint("study_id", "number", name="tunekit_trials_study_number"),
    sa.Index("tunekit_trials_study_state", "study_id", "state"),
    **_MYSQL,
)

trial_params = sa.Table(
    "tunekit_trial_params",
    metadata,
    # Increases with every insert: the order of a trial's params is the order of suggestion.
    sa.Column("param_id", sa.Integer, primary_key=True),
    sa.Column("trial_id", sa.Integer, sa.ForeignKey("tunekit_trials.trial_id"), nullable=False),
    sa.Column("param_name", _Key, nullable=False),
    sa.Column("param_value", _Double, nullable=True),
    sa.Column("value_kind", sa.SmallInteger, nullable=False),
    sa.Column("distribution_json", _Text, nullable=False),
    sa.UniqueConstraint("trial_id", "param_name", name="tunekit_trial_params_trial_name"),
    **_MYSQL,
)

trial_values = sa.Table(
    "tunekit_trial_values",
    metadata,
    sa.Column("trial_id", sa.Integer, sa.ForeignKey("tunekit_trials.trial_id"), primary_key=True),
    sa.Column("objective", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", _Double, nullable=True),
    sa.Column("value_kind", sa.SmallInteger, nullable=False),
    **_MYSQL,
)

trial_intermediate_values = sa.Table(
    "tunekit_trial_intermediate_values",
    metadata,
    sa.Column("trial_id", sa.Integer, sa.ForeignKey("tunekit_trials.trial_id"), primary_key=True),
    sa.Column("step", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", _Double, nullable=True),
    sa.Column("value_kind", sa.SmallInteger, nullable=False),
    **_MYSQL,
)

trial_attrs = sa.Table(
    "tunekit_trial_attrs",
    metadata,
    sa.Column("trial_id", sa.Integer, sa.ForeignKey("tunekit_trials.trial_id"), primary_key=True),
    sa.Column("is_system", sa.Boolean, primary_key=True),
    sa.Column("attr_key", _Key, primary_key=True),
    sa.Column("value_json", _Text, nullable=False),
    **_MYSQL,
)


def encode_float(value: float) -> tuple[float | None, int]:
    """Split a float into (the number or None, its kind) for storage."""
    if math.isfinite(value):
        return value, FINITE
    if math.isnan(value):
        return None, NAN
    return None, POS_INF if value > 0 else NEG_INF


_NON_FINITE = {POS_INF: math.inf, NEG_INF: -math.inf, NAN: math.nan}


def decode_float(value: float | None, kind: int) -> float:
    """Join what :func:`encode_float` split."""
    if kind == FINITE:
        assert value is not None
        return float(value)
    return _NON_FINITE[kind]
