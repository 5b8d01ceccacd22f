"""The one storage suite: every backend (in-memory, SQLite, PostgreSQL, MySQL) must pass it.

The ``backend``/``storage`` fixtures (conftest.py) run each test on every backend;
``rdb_backend`` on the database ones only (several processes, several storage objects).
"""

from __future__ import annotations

import contextlib
import datetime
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.exceptions import (
    DuplicatedStudyError,
    StorageInternalError,
    UpdateFinishedTrialError,
)
from tunekit.storages.base import StudyDirection
from tunekit.storages.heartbeat import RetryFailedTrialCallback, RetryHeartbeatStaleTrialCallback
from tunekit.trial import TrialState, create_trial

MIN, MAX = StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE
FLOAT = FloatDistribution(0.0, 1.0)


def _new_running_trial(storage, study_id):
    return storage.create_new_trial(study_id)


# ------------------------------------------------------------------------------- studies


def test_create_and_find_study(storage):
    study_id = storage.create_new_study([MIN], "alpha")
    other_id = storage.create_new_study([MAX, MIN], "beta")
    assert study_id != other_id
    assert storage.get_study_id_from_name("alpha") == study_id
    assert storage.get_study_name_from_id(other_id) == "beta"
    assert storage.get_study_directions(study_id) == [MIN]
    assert storage.get_study_directions(other_id) == [MAX, MIN]
    with pytest.raises(DuplicatedStudyError, match="alpha"):
        storage.create_new_study([MIN], "alpha")
    with pytest.raises(KeyError, match="gamma"):
        storage.get_study_id_from_name("gamma")
    with pytest.raises(KeyError):
        storage.get_study_name_from_id(other_id + 1000)
    with pytest.raises(KeyError):
        storage.get_all_trials(other_id + 1000)


def test_generated_study_names_are_unique(storage):
    first = storage.create_new_study([MIN])
    second = storage.create_new_study([MIN])
    assert storage.get_study_name_from_id(first) != storage.get_study_name_from_id(second)


def test_study_names_are_case_sensitive(storage):
    upper = storage.create_new_study([MIN], "Study")
    lower = storage.create_new_study([MIN], "study")
    assert upper != lower


def test_study_attrs(storage):
    study_id = storage.create_new_study([MIN], "attrs")
    storage.set_study_user_attr(study_id, "a", {"nested": [1, 2.5, None]})
    storage.set_study_user_attr(study_id, "a", "replaced")
    storage.set_study_user_attr(study_id, "b", 3)
    storage.set_study_system_attr(study_id, "s", [1, 2])
    assert storage.get_study_user_attrs(study_id) == {"a": "replaced", "b": 3}
    assert storage.get_study_system_attrs(study_id) == {"s": [1, 2]}
    with pytest.raises(KeyError):
        storage.set_study_user_attr(study_id + 1000, "a", 1)
    with pytest.raises(KeyError):
        storage.get_study_user_attrs(study_id + 1000)


def test_named_constraints_round_trip(storage):
    # trial.set_constraint(key, value) writes "constraints:<key>"; a constraints_func writes a
    # list under "constraints". Both come back exactly, and FrozenTrial.constraints merges them.
    study_id = storage.create_new_study([MIN], "constrained")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_system_attr(trial_id, "constraints", [0.5, -1.25])
    storage.set_trial_system_attr(trial_id, "constraints:memory (GiB)", -0.125)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    trial = storage.get_trial(trial_id)
    assert trial.system_attrs == {"constraints": [0.5, -1.25], "constraints:memory (GiB)": -0.125}
    assert trial.constraints == {"0": 0.5, "1": -1.25, "memory (GiB)": -0.125}


def test_get_all_studies(storage):
    first = storage.create_new_study([MIN], "one")
    second = storage.create_new_study([MAX, MAX], "two")
    storage.set_study_user_attr(second, "u", 1)
    storage.set_study_system_attr(second, "s", 2)
    studies = {s.study_name: s for s in storage.get_all_studies()}
    assert set(studies) == {"one", "two"}
    assert studies["one"]._study_id == first and studies["one"].directions == [MIN]
    assert studies["two"].directions == [MAX, MAX]
    assert studies["two"].user_attrs == {"u": 1} and studies["two"].system_attrs == {"s": 2}


def test_delete_study(storage):
    study_id = storage.create_new_study([MIN], "doomed")
    keep_id = storage.create_new_study([MIN], "kept")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_param(trial_id, "x", 0.5, FLOAT)
    storage.set_trial_user_attr(trial_id, "u", 1)
    storage.set_trial_intermediate_value(trial_id, 0, 1.0)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    kept_trial = storage.create_new_trial(keep_id)
    storage.delete_study(study_id)
    with pytest.raises(KeyError):
        storage.get_study_id_from_name("doomed")
    with pytest.raises(KeyError):
        storage.delete_study(study_id)
    assert [s.study_name for s in storage.get_all_studies()] == ["kept"]
    assert storage.get_trial(kept_trial).number == 0
    # The name can be used again.
    storage.create_new_study([MIN], "doomed")


# -------------------------------------------------------------------------------- trials


def test_trial_lifecycle(storage):
    study_id = storage.create_new_study([MIN], "life")
    trial_id = storage.create_new_trial(study_id)
    trial = storage.get_trial(trial_id)
    assert trial.number == 0 and trial.state == TrialState.RUNNING
    assert trial.datetime_start is not None and trial.datetime_complete is None
    storage.set_trial_param(trial_id, "x", 0.25, FLOAT)
    storage.set_trial_param(trial_id, "n", 3.0, IntDistribution(0, 10))
    storage.set_trial_param(trial_id, "c", 1.0, CategoricalDistribution(["a", "b", None]))
    storage.set_trial_intermediate_value(trial_id, 0, 0.5)
    storage.set_trial_intermediate_value(trial_id, 3, 0.25)
    storage.set_trial_user_attr(trial_id, "note", {"k": [1, "two"]})
    storage.set_trial_system_attr(trial_id, "sys", 7)
    running = storage.get_trial(trial_id)
    assert running.params == {"x": 0.25, "n": 3, "c": "b"}
    assert running.intermediate_values == {0: 0.5, 3: 0.25}
    assert running.user_attrs == {"note": {"k": [1, "two"]}}
    assert running.system_attrs == {"sys": 7}
    assert storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.125])
    done = storage.get_trial(trial_id)
    assert done.state == TrialState.COMPLETE and done.value == 0.125
    assert done.datetime_complete is not None and done.datetime_complete >= done.datetime_start
    assert storage.get_all_trials(study_id) == [done]
    assert storage.get_trial_id_from_study_id_trial_number(study_id, 0) == trial_id
    assert storage.get_trial_number_from_id(trial_id) == 0
    assert storage.get_best_trial(study_id).value == 0.125
    with pytest.raises(KeyError):
        storage.get_trial_id_from_study_id_trial_number(study_id, 1)
    with pytest.raises(KeyError):
        storage.get_trial(trial_id + 1000)


def test_params_keep_suggestion_order(storage):
    study_id = storage.create_new_study([MIN], "order")
    trial_id = storage.create_new_trial(study_id)
    names = ["zeta", "alpha", "mu", "beta", "omega"]
    for index, name in enumerate(names):
        storage.set_trial_param(trial_id, name, index / 10, FLOAT)
    assert list(storage.get_trial(trial_id).params) == names
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.0])
    assert list(storage.get_all_trials(study_id)[0].params) == names


def test_multi_objective_values(storage):
    study_id = storage.create_new_study([MIN, MAX, MIN], "multi")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [3.0, -1.5, 0.0])
    assert storage.get_trial(trial_id).values == [3.0, -1.5, 0.0]


def test_nan_and_inf_round_trip(storage):
    study_id = storage.create_new_study([MIN, MAX], "nonfinite")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_intermediate_value(trial_id, 0, math.nan)
    storage.set_trial_intermediate_value(trial_id, 1, math.inf)
    storage.set_trial_intermediate_value(trial_id, 2, -math.inf)
    storage.set_trial_intermediate_value(trial_id, 3, 1e-310)  # subnormal
    storage.set_trial_user_attr(trial_id, "nan", math.nan)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [math.inf, -math.inf])
    added = create_trial(values=[-math.inf, 1.5], intermediate_values={0: math.nan, 5: math.inf})
    storage.create_new_trial(study_id, template_trial=added)
    first, second = storage.get_all_trials(study_id)
    iv = first.intermediate_values
    assert math.isnan(iv[0]) and iv[1] == math.inf and iv[2] == -math.inf and iv[3] == 1e-310
    assert first.values == [math.inf, -math.inf]
    assert math.isnan(first.user_attrs["nan"])
    assert second.values == [-math.inf, 1.5]
    assert math.isnan(second.intermediate_values[0]) and second.intermediate_values[5] == math.inf
    # A fresh read (no cache) agrees.
    assert storage.get_trial(first._trial_id).values == [math.inf, -math.inf]


def test_finished_trial_never_changes(storage):
    study_id = storage.create_new_study([MIN], "final")
    for final_state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_param(trial_id, "x", 0.5, FLOAT)
        values = [1.0] if final_state == TrialState.COMPLETE else None
        storage.set_trial_state_values(trial_id, final_state, values)
        before = storage.get_trial(trial_id)
        attempts = [
            (storage.set_trial_param, (trial_id, "y", 0.5, FLOAT)),
            (storage.set_trial_intermediate_value, (trial_id, 1, 2.0)),
            (storage.set_trial_user_attr, (trial_id, "u", 1)),
            (storage.set_trial_system_attr, (trial_id, "s", 1)),
            (storage.set_trial_state_values, (trial_id, TrialState.FAIL)),
            (storage.set_trial_state_values, (trial_id, TrialState.COMPLETE, [0.0])),
        ]
        for method, args in attempts:
            with pytest.raises(UpdateFinishedTrialError):
                method(*args)
        # Claiming a finished trial is refused, not an error (it is no longer WAITING).
        assert storage.set_trial_state_values(trial_id, TrialState.RUNNING) is False
        assert storage.get_trial(trial_id) == before


def test_unknown_trial_is_a_key_error(storage):
    storage.create_new_study([MIN], "s")
    with pytest.raises(KeyError):
        storage.set_trial_param(10_000, "x", 0.5, FLOAT)
    with pytest.raises(KeyError):
        storage.set_trial_user_attr(10_000, "x", 1)
    with pytest.raises(KeyError):
        storage.set_trial_state_values(10_000, TrialState.COMPLETE, [1.0])


def test_incompatible_distribution_is_refused(storage):
    study_id = storage.create_new_study([MIN], "dists")
    first = storage.create_new_trial(study_id)
    storage.set_trial_param(first, "x", 0.5, FLOAT)
    second = storage.create_new_trial(study_id)
    # Another range of the same kind is allowed (a dynamic space) ...
    storage.set_trial_param(second, "x", 2.0, FloatDistribution(0.0, 5.0))
    with pytest.raises(ValueError, match="distribution"):
        storage.set_trial_param(second, "y", 1.0, CategoricalDistribution(["a", "b"])) or (
            storage.set_trial_param(second, "x", 1.0, IntDistribution(0, 3))
        )
    third = storage.create_new_trial(study_id)
    with pytest.raises(ValueError):
        storage.set_trial_param(third, "x", 1.0, IntDistribution(0, 3))
    assert storage.get_trial(third).params == {}


def test_waiting_trial_is_claimed_once(storage):
    study_id = storage.create_new_study([MIN], "queue")
    template = create_trial(
        state=TrialState.WAITING,
        params={"x": 0.75},
        distributions={"x": FLOAT},
        system_attrs={"fixed_params": {"x": 0.75}},
    )
    waiting_id = storage.create_new_trial(study_id, template_trial=template)
    waiting = storage.get_trial(waiting_id)
    assert waiting.state == TrialState.WAITING and waiting.datetime_start is None
    assert waiting.params == {"x": 0.75}
    assert storage._pop_waiting_trial_id(study_id) == waiting_id
    assert storage._pop_waiting_trial_id(study_id) is None
    assert storage.set_trial_state_values(waiting_id, TrialState.RUNNING) is False
    claimed = storage.get_trial(waiting_id)
    assert claimed.state == TrialState.RUNNING and claimed.datetime_start is not None


def test_waiting_trials_are_claimed_in_number_order(storage):
    study_id = storage.create_new_study([MIN], "fifo")
    ids = [
        storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
        for _ in range(3)
    ]
    assert [storage._pop_waiting_trial_id(study_id) for _ in range(4)] == [*ids, None]


def test_get_all_trials_filters_and_copies(storage):
    study_id = storage.create_new_study([MIN], "filter")
    states = [TrialState.COMPLETE, TrialState.RUNNING, TrialState.PRUNED, TrialState.FAIL]
    for state in states:
        trial_id = storage.create_new_trial(study_id)
        if state != TrialState.RUNNING:
            values = [float(len(state.name))] if state == TrialState.COMPLETE else None
            storage.set_trial_state_values(trial_id, state, values)
    trials = storage.get_all_trials(study_id)
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert [t.state for t in trials] == states
    finished = storage.get_all_trials(study_id, states=(TrialState.PRUNED, TrialState.FAIL))
    assert [t.number for t in finished] == [2, 3]
    assert storage.get_n_trials(study_id) == 4
    assert storage.get_n_trials(study_id, TrialState.COMPLETE) == 1
    copied = storage.get_all_trials(study_id, deepcopy=True)
    copied[0].user_attrs["mutated"] = True
    assert "mutated" not in storage.get_all_trials(study_id)[0].user_attrs


def test_claim_study_key(storage):
    study_id = storage.create_new_study([MIN], "claims")
    other = storage.create_new_study([MIN], "claims2")
    long_key = "grid:" + "x" * 1000
    assert storage.claim_study_key(study_id, "point-1") is True
    assert storage.claim_study_key(study_id, "point-1") is False
    assert storage.claim_study_key(other, "point-1") is True
    assert storage.claim_study_key(study_id, long_key) is True
    assert storage.claim_study_key(study_id, long_key) is False
    assert storage.claim_study_key(study_id, long_key + "y") is True
    with pytest.raises(KeyError):
        storage.claim_study_key(other + 1000, "point-1")


def test_add_trial_copies_everything(storage):
    study_id = storage.create_new_study([MIN], "copy")
    source = create_trial(
        value=2.5,
        params={"x": 0.5, "c": "b"},
        distributions={"x": FLOAT, "c": CategoricalDistribution(["a", "b"])},
        user_attrs={"u": [1]},
        system_attrs={"s": {"k": 1}},
        intermediate_values={1: 0.5, 0: 1.0},
    )
    trial_id = storage.create_new_trial(study_id, template_trial=source)
    copied = storage.get_trial(trial_id)
    assert copied.number == 0 and copied.state == TrialState.COMPLETE
    assert copied.params == {"x": 0.5, "c": "b"} and copied.value == 2.5
    assert copied.user_attrs == {"u": [1]} and copied.system_attrs == {"s": {"k": 1}}
    assert copied.intermediate_values == {0: 1.0, 1: 0.5}
    assert copied.datetime_start == source.datetime_start
    assert copied.datetime_complete == source.datetime_complete


def test_study_api_on_every_backend(storage):
    study = tunekit.create_study(storage=storage, study_name="api", direction="maximize")

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        layers = trial.suggest_int("layers", 1, 3)
        for step in range(3):
            trial.report(x * step, step)
        return -(x**2) + layers

    study.optimize(objective, n_trials=8)
    study.enqueue_trial({"x": 0.0, "layers": 3})
    study.optimize(objective, n_trials=1)
    assert study.trials[-1].params == {"x": 0.0, "layers": 3}
    assert study.best_value == 3.0
    assert [t.number for t in study.trials] == list(range(9))
    loaded = tunekit.load_study(study_name="api", storage=storage)
    assert loaded.trials == study.trials


# --------------------------------------------------------------------- threads, one process


def test_trial_numbers_gap_free_under_threads(storage):
    study_id = storage.create_new_study([MIN], "threads")
    created: list[int] = []
    lock = threading.Lock()

    def writer() -> None:
        for _ in range(8):
            trial_id = storage.create_new_trial(study_id)
            with lock:
                created.append(trial_id)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(storage.get_trial(trial_id).number for trial_id in created)
    assert numbers == list(range(32))
    assert [t.number for t in storage.get_all_trials(study_id)] == list(range(32))


def test_claims_under_threads_have_one_winner(storage):
    study_id = storage.create_new_study([MIN], "race")
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def claimer() -> None:
        barrier.wait()
        results.append(storage.claim_study_key(study_id, "the-point"))

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_optimize_with_threads(storage):
    study = tunekit.create_study(storage=storage, study_name="n_jobs")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=12, n_jobs=3)
    trials = study.trials
    assert [t.number for t in trials] == list(range(12))
    assert all(t.state == TrialState.COMPLETE for t in trials)


# ------------------------------------------------------------- several storage objects


def test_second_storage_sees_updates(rdb_backend):
    writer, reader = rdb_backend.make(), rdb_backend.make()
    study_id = writer.create_new_study([MIN], "shared")
    first = writer.create_new_trial(study_id)
    assert [t.state for t in reader.get_all_trials(study_id)] == [TrialState.RUNNING]
    writer.set_trial_param(first, "x", 0.5, FLOAT)
    writer.set_trial_intermediate_value(first, 0, 1.0)
    assert reader.get_all_trials(study_id)[0].params == {"x": 0.5}
    writer.set_trial_state_values(first, TrialState.COMPLETE, [1.0])
    second = writer.create_new_trial(study_id)
    trials = reader.get_all_trials(study_id)
    assert [(t.number, t.state) for t in trials] == [
        (0, TrialState.COMPLETE),
        (1, TrialState.RUNNING),
    ]
    assert trials[0].intermediate_values == {0: 1.0}
    writer.set_trial_state_values(second, TrialState.FAIL)
    assert [t.state for t in reader.get_all_trials(study_id)] == [
        TrialState.COMPLETE,
        TrialState.FAIL,
    ]
    # The reader's cached finished trial is what a fresh storage reads.
    assert rdb_backend.make().get_all_trials(study_id) == reader.get_all_trials(study_id)


def _raw_engine(url):
    import sqlalchemy as sa

    return sa.create_engine(url)


def test_reads_miss_nothing_when_commits_interleave(rdb_backend):
    """Transactions from two connections commit out of number order; a reader misses nothing.

    A reader that kept a cursor on ids, numbers or timestamps would skip the trial that
    committed last with the lower number.
    """
    import sqlalchemy as sa

    from tunekit.storages.rdb import models

    storage = rdb_backend.make()
    study_id = storage.create_new_study([MIN], "interleave")
    done = storage.create_new_trial(study_id)
    storage.set_trial_state_values(done, TrialState.COMPLETE, [0.0])
    assert len(storage.get_all_trials(study_id)) == 1

    engine = _raw_engine(rdb_backend.url)
    now = datetime.datetime.now()
    try:
        # Connection A takes number 1 and, uncommitted, writes its trial.
        conn_a = engine.connect()
        tx_a = conn_a.begin()
        if rdb_backend.name == "sqlite":
            pass  # SQLite has one writer: A's trial is written after B's below.
        else:
            conn_a.execute(
                sa.insert(models.trials).values(
                    study_id=study_id,
                    number=1,
                    state=int(TrialState.COMPLETE),
                    datetime_start=now,
                    datetime_complete=now,
                )
            )
        # Connection B writes number 2 and commits first.
        with engine.begin() as conn_b:
            conn_b.execute(
                sa.insert(models.trials).values(
                    study_id=study_id,
                    number=2,
                    state=int(TrialState.COMPLETE),
                    datetime_start=now,
                    datetime_complete=now,
                )
            )
        seen = storage.get_all_trials(study_id)
        assert [t.number for t in seen] == [0, 2]
        if rdb_backend.name == "sqlite":
            tx_a.rollback()
            tx_a = conn_a.begin()
            conn_a.execute(
                sa.insert(models.trials).values(
                    study_id=study_id,
                    number=1,
                    state=int(TrialState.COMPLETE),
                    datetime_start=now,
                    datetime_complete=now,
                )
            )
        trial_id = conn_a.execute(
            sa.select(models.trials.c.trial_id).where(
                models.trials.c.study_id == study_id, models.trials.c.number == 1
            )
        ).scalar()
        conn_a.execute(
            sa.insert(models.trial_values).values(
                trial_id=trial_id, objective=0, value=5.0, value_kind=0
            )
        )
        tx_a.commit()
        conn_a.close()
        with engine.begin() as connection:
            connection.execute(
                sa.update(models.studies)
                .where(models.studies.c.study_id == study_id)
                .values(next_trial_number=3)
            )
    finally:
        engine.dispose()
    seen = storage.get_all_trials(study_id)
    assert [t.number for t in seen] == [0, 1, 2]
    assert seen[1].value == 5.0
    # And a trial created through the storage afterwards gets the next number.
    assert storage.get_trial(storage.create_new_trial(study_id)).number == 3


def test_uncommitted_trial_is_invisible_then_read(rdb_backend):
    import sqlalchemy as sa

    from tunekit.storages.rdb import models

    storage = rdb_backend.make()
    study_id = storage.create_new_study([MIN], "uncommitted")
    running = storage.create_new_trial(study_id)
    assert len(storage.get_all_trials(study_id)) == 1
    engine = _raw_engine(rdb_backend.url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(
                sa.update(models.trials)
                .where(models.trials.c.trial_id == running)
                .values(state=int(TrialState.COMPLETE), datetime_complete=datetime.datetime.now())
            )
            connection.execute(
                sa.insert(models.trial_values).values(
                    trial_id=running, objective=0, value=1.5, value_kind=0
                )
            )
            # Not committed: the reader still sees a running trial without a value.
            assert storage.get_all_trials(study_id)[0].state == TrialState.RUNNING
            transaction.commit()
    finally:
        engine.dispose()
    trial = storage.get_all_trials(study_id)[0]
    assert trial.state == TrialState.COMPLETE and trial.value == 1.5


@contextlib.contextmanager
def _commit_later(seconds: float, commit):
    """Run ``commit`` from another thread after ``seconds``; yields the event it then sets.

    The body runs meanwhile; leaving the block waits for the thread.
    """
    released = threading.Event()

    def release() -> None:
        time.sleep(seconds)
        commit()
        released.set()

    thread = threading.Thread(target=release)
    thread.start()
    try:
        yield released
    finally:
        thread.join()


def test_sqlite_writer_waits_for_a_locked_database(tmp_path):
    import sqlalchemy as sa

    from tunekit.storages.rdb import RDBStorage

    url = f"sqlite:///{tmp_path / 'locked.db'}"
    storage = RDBStorage(url)
    study_id = storage.create_new_study([MIN], "locked")
    engine = sa.create_engine(url, connect_args={"isolation_level": None})
    holder = engine.connect()
    holder.exec_driver_sql("BEGIN IMMEDIATE")
    with _commit_later(0.5, lambda: holder.exec_driver_sql("COMMIT")) as released:
        trial_id = storage.create_new_trial(study_id)  # waits for the lock, then succeeds
    assert released.is_set()
    assert storage.get_trial(trial_id).number == 0
    holder.close()
    engine.dispose()


def test_sqlite_new_file_waits_for_a_writer_before_entering_wal_mode(tmp_path):
    # Switching a file to WAL while another process holds its write lock fails at once, without
    # the busy timeout (fresh workers racing to open one new file hit this): RDBStorage waits.
    import sqlite3

    from tunekit.storages.rdb import RDBStorage

    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x INTEGER)")  # a rollback-journal file, not yet WAL
    holder.execute("BEGIN IMMEDIATE")
    with _commit_later(0.3, lambda: holder.execute("COMMIT")) as released:
        storage = RDBStorage(f"sqlite:///{path}")
    assert released.is_set()
    holder.close()
    assert storage.create_new_study([MIN], "after-wait") >= 0
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# ------------------------------------------------------------------------- heartbeats


def test_heartbeat_fails_stale_trial_and_retries_it(rdb_backend):
    storage = rdb_backend.make(
        heartbeat_interval=1,
        grace_period=1,
        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
    )
    assert storage.is_heartbeat_enabled() and storage.get_heartbeat_interval() == 1
    study = tunekit.create_study(storage=storage, study_name="beats")
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.report(0.5, 0)
    storage.record_heartbeat(trial._trial_id)
    alive = study.ask()  # beats now and stays fresh
    storage.record_heartbeat(alive._trial_id)
    assert storage._get_stale_trial_ids(study._study_id) == []
    deadline = time.monotonic() + 30
    while trial._trial_id not in storage._get_stale_trial_ids(study._study_id):
        storage.record_heartbeat(alive._trial_id)
        assert time.monotonic() < deadline, "the trial never became stale"
        time.sleep(0.2)
    retried = study.ask()  # fails the stale trial, enqueues its retry, and runs it
    failed = storage.get_trial(trial._trial_id)
    assert failed.state == TrialState.FAIL
    assert storage.get_trial(alive._trial_id).state == TrialState.RUNNING
    assert retried.params == {"x": trial.params["x"]}
    assert retried.system_attrs["failed_trial"] == trial.number
    assert RetryHeartbeatStaleTrialCallback.retry_history(storage.get_trial(retried._trial_id)) == [
        trial.number
    ]
    assert storage.get_trial(retried._trial_id).intermediate_values == {}


def test_retry_callback_respects_max_retry(storage):
    study = tunekit.create_study(storage=storage, study_name="retry")
    callback = RetryHeartbeatStaleTrialCallback(max_retry=1, inherit_intermediate_values=True)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.report(1.0, 3)
    study.tell(trial, state=TrialState.FAIL)
    callback(study, study.trials[0])
    retry = study.trials[1]
    assert retry.state == TrialState.WAITING and retry.params == trial.params
    assert retry.intermediate_values == {3: 1.0}
    again = study.ask()
    study.tell(again, state=TrialState.FAIL)
    callback(study, study.trials[1])  # the chain already failed twice: max_retry=1 stops it
    assert len(study.trials) == 2
    with pytest.raises(ValueError, match="max_retry"):
        RetryHeartbeatStaleTrialCallback(max_retry=-1)


def test_heartbeat_callback_names_of_optuna_5_and_before(rdb_backend):
    callback = RetryHeartbeatStaleTrialCallback(max_retry=1)
    storage = rdb_backend.make(heartbeat_interval=1, heartbeat_stale_trial_callback=callback)
    assert storage.get_heartbeat_stale_trial_callback() is callback
    assert storage.failed_trial_callback is callback
    with pytest.warns(FutureWarning, match="get_heartbeat_stale_trial_callback"):
        assert storage.get_failed_trial_callback() is callback
    # The names before Optuna 4.9 still work, with a FutureWarning each.
    with pytest.warns(FutureWarning, match="RetryHeartbeatStaleTrialCallback"):
        old = RetryFailedTrialCallback(max_retry=1)
    assert isinstance(old, RetryHeartbeatStaleTrialCallback)
    with pytest.warns(FutureWarning, match="heartbeat_stale_trial_callback"):
        storage = rdb_backend.make(heartbeat_interval=1, failed_trial_callback=old)
    assert storage.get_heartbeat_stale_trial_callback() is old
    with pytest.raises(ValueError, match="not both"):
        rdb_backend.make(
            heartbeat_interval=1, heartbeat_stale_trial_callback=callback, failed_trial_callback=old
        )


# ------------------------------------------------------------------------- bad input


def test_bad_urls_give_one_clear_error(tmp_path):
    from tunekit.storages.rdb import RDBStorage

    with pytest.raises(ValueError, match="not a database URL"):
        RDBStorage("no-scheme-here")
    with pytest.raises(ValueError, match="supports"):
        RDBStorage("oracle://u:p@localhost/db")
    with pytest.raises(StorageInternalError) as info:
        RDBStorage("postgresql+psycopg://user:s3cret@127.0.0.1:1/tunekit")
    message = str(info.value)
    assert "s3cret" not in message and "***" in message and "127.0.0.1:1" in message
    with pytest.raises(ImportError, match=r"tunekit\[mysql\]"):
        RDBStorage("mysql+mysqldb://user:s3cret@127.0.0.1:1/tunekit")
    with pytest.raises(ValueError, match="heartbeat_interval"):
        RDBStorage(f"sqlite:///{tmp_path / 'a.db'}", heartbeat_interval=0)
    with pytest.raises(TypeError, match="url"):
        RDBStorage(None)  # type: ignore[arg-type]


def test_newer_schema_is_refused_and_older_is_not_rewritten(tmp_path):
    import sqlalchemy as sa

    from tunekit.storages.rdb import SCHEMA_VERSION, RDBStorage, models, upgrade

    url = f"sqlite:///{tmp_path / 'versions.db'}"
    assert upgrade(url) == SCHEMA_VERSION
    assert upgrade(url) == SCHEMA_VERSION  # idempotent
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(models.version_table).values(
                schema_version=SCHEMA_VERSION + 1, library_version="9.9"
            )
        )
    with pytest.raises(StorageInternalError, match="newer"):
        RDBStorage(url)
    with engine.begin() as connection:
        connection.execute(sa.delete(models.version_table))
        connection.execute(
            sa.insert(models.version_table).values(schema_version=0, library_version="0.0")
        )
    with pytest.raises(StorageInternalError, match="older"):
        RDBStorage(url)
    engine.dispose()


def test_skip_table_creation_needs_tables(tmp_path):
    from tunekit.storages.rdb import RDBStorage

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(StorageInternalError, match="no tunekit tables"):
        RDBStorage(url, skip_table_creation=True)
    RDBStorage(url)
    RDBStorage(url, skip_table_creation=True).create_new_study([MIN], "ok")


def test_url_string_is_a_storage(tmp_path):
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    study = tunekit.create_study(storage=url, study_name="by-url")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(tunekit.load_study(study_name="by-url", storage=url).trials) == 2


def test_import_tunekit_does_not_import_sqlalchemy():
    code = "import sys, tunekit; print('sqlalchemy' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_storage_pickles(rdb_backend):
    import pickle

    storage = rdb_backend.make()
    study_id = storage.create_new_study([MIN], "pickled")
    storage.create_new_trial(study_id)
    copy = pickle.loads(pickle.dumps(storage))
    assert [t.number for t in copy.get_all_trials(study_id)] == [0]
    copy._engine.dispose()


# ----------------------------------------------------------------- several processes


def _objective(trial):
    return sum(trial.suggest_float(f"x{i}", -1, 1) ** 2 for i in range(3))


def _optimize_worker(url: str, study_name: str, n_trials: int) -> None:
    study = tunekit.load_study(study_name=study_name, storage=url)
    study.optimize(_objective, n_trials=n_trials)


def _create_or_load_worker(url: str, study_name: str, queue) -> None:
    try:
        study = tunekit.create_study(storage=url, study_name=study_name, load_if_exists=True)
        study.optimize(_objective, n_trials=2)
        queue.put(("ok", study._study_id))
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(error)))


def _pop_waiting_worker(url: str, study_id: int, queue) -> None:
    from tunekit.storages.rdb import RDBStorage

    storage = RDBStorage(url)
    claimed = []
    while (trial_id := storage._pop_waiting_trial_id(study_id)) is not None:
        claimed.append(trial_id)
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.0])
    queue.put(claimed)


def _run_processes(target, args_list, context="spawn", timeout=240):
    ctx = multiprocessing.get_context(context)
    processes = [ctx.Process(target=target, args=args) for args in args_list]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout)
    for process in processes:
        if process.is_alive():
            process.kill()
    assert [p.exitcode for p in processes] == [0] * len(processes)


def _use_inherited_storage(storage, study_id: int) -> None:
    for _ in range(3):
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_param(trial_id, "x", 0.5, FLOAT)
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.5])


@pytest.mark.slow
def test_forked_child_uses_the_parents_storage(rdb_backend):
    storage = rdb_backend.make()
    study_id = storage.create_new_study([MIN], "forked")
    storage.create_new_trial(study_id)  # the parent's pool now holds a connection
    _run_processes(_use_inherited_storage, [(storage, study_id)] * 2, context="fork")
    storage.create_new_trial(study_id)  # the parent's connections still work
    trials = storage.get_all_trials(study_id)
    assert [t.number for t in trials] == list(range(8))
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 6


@pytest.mark.slow
def test_processes_write_gap_free_numbers(rdb_backend):
    storage = rdb_backend.make()
    tunekit.create_study(storage=storage, study_name="procs")
    _run_processes(_optimize_worker, [(rdb_backend.url, "procs", 10)] * 4, context="fork")
    trials = tunekit.load_study(study_name="procs", storage=rdb_backend.url).trials
    assert [t.number for t in trials] == list(range(40))
    assert all(t.state == TrialState.COMPLETE and len(t.params) == 3 for t in trials)


@pytest.mark.slow
def test_fresh_processes_race_to_create_one_study(rdb_backend):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    _run_processes(_create_or_load_worker, [(rdb_backend.url, "raced", queue)] * 4)
    results = [queue.get(timeout=10) for _ in range(4)]
    assert all(kind == "ok" for kind, _ in results), results
    assert len({study_id for _, study_id in results}) == 1
    storage = rdb_backend.make()
    assert [s.study_name for s in storage.get_all_studies()] == ["raced"]
    trials = storage.get_all_trials(results[0][1])
    assert [t.number for t in trials] == list(range(8))


@pytest.mark.slow
def test_processes_never_claim_the_same_waiting_trial(rdb_backend):
    storage = rdb_backend.make()
    study_id = storage.create_new_study([MIN], "queue")
    waiting = [
        storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
        for _ in range(30)
    ]
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    _run_processes(_pop_waiting_worker, [(rdb_backend.url, study_id, queue)] * 3, context="fork")
    claimed = [trial_id for _ in range(3) for trial_id in queue.get(timeout=10)]
    assert sorted(claimed) == sorted(waiting)  # each exactly once


def _hanging_worker(url: str, marker: str) -> None:
    from tunekit.storages.rdb import RDBStorage

    storage = RDBStorage(url, heartbeat_interval=1, grace_period=2)
    study = tunekit.load_study(study_name="killed", storage=storage)

    def objective(trial):
        value = _objective(trial)
        if trial.number == 3:
            Path(marker).write_text(str(trial.number))
            time.sleep(600)  # killed here
        return value

    study.optimize(objective, n_trials=10)


@pytest.mark.slow
def test_killed_worker_trial_fails_via_heartbeat(rdb_backend, tmp_path):
    storage = rdb_backend.make(
        heartbeat_interval=1,
        grace_period=2,
        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=2),
    )
    study = tunekit.create_study(storage=storage, study_name="killed")
    marker = tmp_path / "started"
    ctx = multiprocessing.get_context("fork")
    worker = ctx.Process(target=_hanging_worker, args=(rdb_backend.url, str(marker)))
    worker.start()
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert worker.is_alive() and time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    before = study.trials
    assert [t.state for t in before] == [TrialState.COMPLETE] * 3 + [TrialState.RUNNING]
    stale = before[3]
    while stale._trial_id not in storage._get_stale_trial_ids(study._study_id):
        assert time.monotonic() < deadline, "the killed trial never became stale"
        time.sleep(0.2)
    study.optimize(_objective, n_trials=2)
    after = study.trials
    assert after[:3] == before[:3]  # untouched
    assert after[3].state == TrialState.FAIL
    retry = after[4]
    assert retry.state == TrialState.COMPLETE and retry.params == stale.params
    assert retry.system_attrs["failed_trial"] == 3
    assert [t.number for t in after] == list(range(6))


# ------------------------------------------------------------ the suite's own skip rules


def _run_one_server_test(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    test_id = f"{Path(__file__).name}::test_trial_lifecycle[postgresql]"
    return subprocess.run(
        [sys.executable, "-m", "pytest", test_id, "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=Path(__file__).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_missing_server_skips_locally_and_fails_under_ci():
    unreachable = "postgresql+psycopg://tunekit:s3cret@127.0.0.1:1/tunekit"
    local = _run_one_server_test({"CI": None, "TUNEKIT_TEST_POSTGRES_URL": unreachable})
    assert local.returncode == 0, local.stdout
    assert "not reachable" in local.stdout and "s3cret" not in local.stdout
    in_ci = _run_one_server_test({"CI": "true", "TUNEKIT_TEST_POSTGRES_URL": None})
    assert in_ci.returncode == 1, in_ci.stdout
    assert "TUNEKIT_TEST_POSTGRES_URL is not set" in in_ci.stdout


def test_wrong_password_is_one_clear_error(rdb_backend):
    if rdb_backend.name == "sqlite":
        pytest.skip("SQLite has no password")
    import sqlalchemy as sa

    from tunekit.storages.rdb import RDBStorage

    wrong = sa.make_url(rdb_backend.url).set(password="not-the-password")
    with pytest.raises(StorageInternalError) as info:
        RDBStorage(wrong.render_as_string(hide_password=False))
    message = str(info.value)
    assert "not-the-password" not in message and "***" in message
    assert str(wrong.port) in message


def test_best_trial(storage):
    for direction, expected in ((MIN, 1), (MAX, 0)):
        study_id = storage.create_new_study([direction], f"best-{direction.name}")
        with pytest.raises(ValueError, match="No trials are completed"):
            storage.get_best_trial(study_id)
        for value in (3.0, 1.0, 1.0, 2.0, 3.0):
            trial_id = storage.create_new_trial(study_id)
            storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [value])
        failed = storage.create_new_trial(study_id)
        storage.set_trial_state_values(failed, TrialState.FAIL)
        assert storage.get_best_trial(study_id).number == expected
    multi = storage.create_new_study([MIN, MIN], "best-multi")
    with pytest.raises(RuntimeError):
        storage.get_best_trial(multi)


def test_an_optuna_database_is_named_not_silently_ignored(tmp_path):
    # tunekit keeps its own tables; opening a database where Optuna keeps its studies says so
    # (once, when tunekit's tables are created beside Optuna's) instead of looking empty.
    sa = pytest.importorskip("sqlalchemy")
    from tunekit.storages.rdb import RDBStorage

    url = f"sqlite:///{tmp_path / 'optuna.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("studies", "trials", "version_info"):
            connection.execute(sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.warns(UserWarning, match="holds Optuna's tables.*not visible to tunekit"):
        storage = RDBStorage(url)
    with pytest.raises(KeyError, match="'exp'.*also holds Optuna's tables"):
        tunekit.load_study(study_name="exp", storage=storage)
    study = tunekit.create_study(study_name="exp", storage=storage)  # its own study works
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(tunekit.load_study(study_name="exp", storage=url).trials) == 2
