"""TPESampler on real studies: reproducibility, validity, efficiency, conditional spaces,
multi-objective, constraints, the constant liar and the argument checks."""

from __future__ import annotations

import logging as std_logging
import math
import threading
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tunekit
from tunekit.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from tunekit.samplers import RandomSampler
from tunekit.samplers.tpe import TPESampler
from tunekit.trial import TrialState


@pytest.fixture(autouse=True)
def _quiet() -> None:
    tunekit.logging.set_verbosity(tunekit.logging.WARNING)


def _mixed_objective(trial) -> float:
    x = trial.suggest_float("x", -3.0, 3.0)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 64, log=True)
    k = trial.suggest_int("k", 0, 10, step=2)
    q = trial.suggest_float("q", 0.0, 1.0, step=0.1)
    c = trial.suggest_categorical("c", ["a", "b", None, 3])
    return x**2 + abs(math.log10(lr) + 2) + abs(n - 8) / 8 + k / 10 + q + (c != "b")


# ------------------------------------------------------------------------ reproducibility


@pytest.mark.parametrize("multivariate", [True, False])
def test_same_seed_same_trials(multivariate: bool) -> None:
    def run(seed: int) -> list[dict]:
        study = tunekit.create_study(
            sampler=TPESampler(seed=seed, multivariate=multivariate, n_startup_trials=5)
        )
        study.optimize(_mixed_objective, n_trials=15)
        return [t.params for t in study.trials]

    assert run(3) == run(3)
    assert run(3) != run(4)


# ------------------------------------------------------------------------------ validity


def _space_strategy() -> st.SearchStrategy:
    low = st.integers(-20, 20)
    width = st.integers(0, 30)
    return st.one_of(
        st.tuples(low, width).map(lambda t: FloatDistribution(t[0], t[0] + t[1] + 0.25)),
        st.tuples(low, width).map(
            lambda t: FloatDistribution(t[0] + 21.0, t[0] + 21 + t[1], log=True)
        ),
        st.tuples(low, width).map(lambda t: IntDistribution(t[0], t[0] + t[1])),
        st.tuples(low, width).map(lambda t: IntDistribution(t[0] + 21, t[0] + 21 + t[1], log=True)),
        st.tuples(low, width).map(lambda t: IntDistribution(t[0], t[0] + 3 * t[1], step=3)),
        st.tuples(low, width).map(lambda t: FloatDistribution(t[0], t[0] + 0.5 * t[1], step=0.5)),
        st.lists(
            st.sampled_from(["x", 0, 1.5, None, False]), min_size=1, max_size=4, unique=True
        ).map(CategoricalDistribution),
    )


@settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(
    space=st.lists(_space_strategy(), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
    multivariate=st.booleans(),
)
def test_every_suggested_value_lies_in_its_distribution(space, seed, multivariate) -> None:
    def objective(trial) -> float:
        total = 0.0
        for i, dist in enumerate(space):
            value = trial._suggest(f"p{i}", dist)
            assert dist.contains(value), (dist, value)
            if isinstance(dist, IntDistribution):
                assert isinstance(value, int)
            total += hash(repr(value)) % 7 if isinstance(dist, CategoricalDistribution) else value
        return total

    study = tunekit.create_study(
        sampler=TPESampler(seed=seed, multivariate=multivariate, n_startup_trials=3)
    )
    study.optimize(objective, n_trials=12)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


# ---------------------------------------------------------------------------- efficiency


def _trials_to_reach(sampler, seed: int, budget: int = 80) -> int:
    """Trials until a point within 0.05 (0.5% of the range) of the optimum 1.3 of (x - 1.3)^2."""
    study = tunekit.create_study(sampler=sampler)
    for number in range(budget):
        trial = study.ask()
        x = trial.suggest_float("x", -5.0, 5.0)
        study.tell(trial, (x - 1.3) ** 2)
        if abs(x - 1.3) < 0.05:
            return number + 1
    return budget + 1


def test_finds_the_optimum_region_in_fewer_trials_than_random_search() -> None:
    seeds = range(8)
    tpe = [_trials_to_reach(TPESampler(seed=s), s) for s in seeds]
    random = [_trials_to_reach(RandomSampler(seed=s), s) for s in seeds]
    # Random search needs ~100 trials on average for a 1% window; TPE a few dozen. Both draw
    # the same startup points for a seed, so a lucky early hit is a tie.
    assert np.median(tpe) < 0.5 * np.median(random)
    assert sum(t <= r for t, r in zip(tpe, random, strict=True)) >= 7


# ------------------------------------------------------------------ conditional spaces


@pytest.mark.parametrize(("multivariate", "group"), [(True, False), (True, True), (False, False)])
def test_conditional_and_dynamic_spaces_never_raise(multivariate: bool, group: bool) -> None:
    def objective(trial) -> float:
        kind = trial.suggest_categorical("kind", ["linear", "tree", "net"])
        if kind == "linear":
            return trial.suggest_float("alpha", 1e-5, 1.0, log=True)
        if kind == "tree":
            depth = trial.suggest_int("depth", 1, 8)
            return depth * trial.suggest_float("eta", 0.0, 1.0)
        n_layers = trial.suggest_int("n_layers", 1, 3)
        # Dynamic: one width per layer, and a range that depends on the trial number.
        widths = [trial.suggest_int(f"w{i}", 4, 64, log=True) for i in range(n_layers)]
        upper = 1.0 + trial.number % 3
        return sum(widths) / 64 + trial.suggest_float("drop", 0.0, upper)

    sampler = TPESampler(seed=0, multivariate=multivariate, group=group, n_startup_trials=4)
    study = tunekit.create_study(sampler=sampler)
    study.optimize(objective, n_trials=40)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert {t.params["kind"] for t in study.trials} == {"linear", "tree", "net"}


def _branches(trial) -> float:
    """Three branches; the best (0.1) needs branch "c", then mode "peaked", then z near 0.25."""
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    if kind == "a":
        return 0.6 + (trial.suggest_float("a_x", -5.0, 5.0) - 1.0) ** 2
    if kind == "b":
        lr = trial.suggest_float("b_lr", 1e-4, 1.0, log=True)
        return 0.3 + (math.log10(lr) + 2.0) ** 2 + 0.05 * (trial.suggest_int("b_n", 1, 10) - 7) ** 2
    if trial.suggest_categorical("c_mode", ["flat", "peaked"]) == "flat":
        return 0.5
    return 0.1 + 4.0 * (trial.suggest_float("c_z", 0.0, 1.0) - 0.25) ** 2


@pytest.mark.parametrize(("group", "allowed"), [(False, 0), (True, 1)])
def test_branch_parameters_modelled_alone_do_not_stall_on_a_worse_branch(
    group: bool, allowed: int
) -> None:
    # Only "kind" is in every trial; the branch's parameters are modelled on their own (sampled
    # independently, or as one-parameter groups). With the joint rule's narrow kernels c_z crept
    # from its first values and the search settled for a worse branch on seeds 14 and 17 (with
    # groups: 2, 12 and 14); the univariate rule's kernels start wide.
    stalled = []
    for seed in range(20):
        study = tunekit.create_study(sampler=TPESampler(seed=seed, group=group))
        study.optimize(_branches, n_trials=100)
        if study.best_value > 0.11:
            stalled.append((seed, study.best_value))
    assert len(stalled) <= allowed, stalled


def test_group_decomposition_models_each_branch_jointly() -> None:
    sampler = TPESampler(seed=0, group=True, n_startup_trials=4)
    study = tunekit.create_study(sampler=sampler)

    def objective(trial) -> float:
        if trial.suggest_categorical("branch", ["a", "b"]) == "a":
            return trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
        return trial.suggest_int("z", 0, 5)

    study.optimize(objective, n_trials=12)
    groups = sampler._groups.groups(sampler._groups.calculate(study))
    assert sorted(sorted(g) for g in groups) == [["branch"], ["x", "y"], ["z"]]


@pytest.mark.parametrize(("warn", "expected"), [(None, 0), (True, 1), (False, 0)])
def test_independent_sampling_warns_once_per_parameter_when_asked(caplog, warn, expected) -> None:
    # Optuna 5.0's default (None) is not to warn; True warns once per parameter.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        sampler = TPESampler(seed=0, n_startup_trials=2, warn_independent_sampling=warn)
    study = tunekit.create_study(sampler=sampler)

    def objective(trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if x > 0.5:
            return trial.suggest_float("extra", 0, 1)
        return x

    logger = std_logging.getLogger("tunekit")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(std_logging.WARNING, logger="tunekit"):
            study.optimize(objective, n_trials=30)
    finally:
        logger.removeHandler(caplog.handler)
    messages = [r.getMessage() for r in caplog.records if "independently" in r.getMessage()]
    assert len(messages) == expected


# ------------------------------------------------------------------------ multi-objective


def test_multi_objective_runs_and_improves_on_the_front() -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return x + y, (1 - x) + y  # the front is y = 0

    study = tunekit.create_study(directions=["minimize", "minimize"], sampler=TPESampler(seed=0))
    study.optimize(objective, n_trials=60)
    ys = np.array([t.params["y"] for t in study.trials])
    assert np.median(ys[40:]) < np.median(ys[:10])
    assert np.median(ys[40:]) < 0.2


def test_early_widening_reaches_the_tuned_width_at_trial_60() -> None:
    from tunekit.samplers.tpe.sampler import _early_widening

    assert _early_widening(0) == _early_widening(10) == _early_widening(20) == 3.0
    assert _early_widening(30) == 2.0
    assert _early_widening(60) == _early_widening(1000) == 1.0
    widths = [_early_widening(n) for n in range(200)]
    assert all(a >= b for a, b in zip(widths, widths[1:], strict=False))


def _early_step_sizes(monkeypatch: pytest.MonkeyPatch, widening: float) -> float:
    """Median distance from each of trials 11-25 to the best point before it, over five seeds."""
    import tunekit.samplers.tpe.sampler as tpe_module

    monkeypatch.setattr(tpe_module, "_EARLY_WIDENING", widening)
    steps = []
    for seed in range(5):
        study = tunekit.create_study(sampler=TPESampler(seed=seed))
        study.optimize(
            lambda t: (
                (t.suggest_float("x", 0, 1) - 0.3) ** 2 + (t.suggest_float("y", 0, 1) - 0.7) ** 2
            ),
            n_trials=25,
        )
        points = np.array([[t.params["x"], t.params["y"]] for t in study.trials])
        values = np.array([t.value for t in study.trials])
        for i in range(10, 25):
            best = points[int(np.argmin(values[:i]))]
            steps.append(float(np.linalg.norm(points[i] - best)))
    return float(np.median(steps))


def test_early_trials_search_wider_than_the_tuned_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first TPE trials step further from the best point than kernels at the tuned (late)
    # width would, so the start-up's basin does not capture the search.
    assert _early_step_sizes(monkeypatch, 3.0) > 1.5 * _early_step_sizes(monkeypatch, 1.0)


def test_multi_objective_with_mixed_directions() -> None:
    # Maximise x, minimise n: late trials move to high x and low n (random: 0.5 and 4.5).
    late_x, late_n = [], []
    for seed in range(10):
        study = tunekit.create_study(
            directions=["maximize", "minimize"], sampler=TPESampler(seed=seed, multivariate=True)
        )
        study.optimize(
            lambda t: (t.suggest_float("x", 0, 1), t.suggest_int("n", 0, 9)), n_trials=30
        )
        late_x += [t.params["x"] for t in study.trials[20:]]
        late_n += [t.params["n"] for t in study.trials[20:]]
    assert np.mean(late_x) > 0.7
    assert np.mean(late_n) < 3.5


# ---------------------------------------------------------------------------- constraints


def _late_fraction_near_boundary(with_constraint: bool, seed: int) -> float:
    def objective(trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        if with_constraint:
            trial.set_constraint("x", x - 0.2)  # feasible iff x <= 0.2
        return -x  # unconstrained optimum at x = 1, constrained one at x = 0.2

    study = tunekit.create_study(sampler=TPESampler(seed=seed))
    study.optimize(objective, n_trials=40)
    return float(np.mean([abs(t.params["x"] - 0.2) < 0.15 for t in study.trials[25:]]))


def test_set_constraint_ranks_infeasible_trials_below_feasible_ones() -> None:
    seeds = range(3)
    constrained = np.mean([_late_fraction_near_boundary(True, s) for s in seeds])
    free = np.mean([_late_fraction_near_boundary(False, s) for s in seeds])
    assert free < 0.15
    assert constrained > 0.5


def test_constraints_func_is_stored_and_used() -> None:
    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = TPESampler(seed=0, constraints_func=lambda t: [t.params["x"] - 0.2])
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: -t.suggest_float("x", -1.0, 1.0), n_trials=40)
    assert all(t.constraints == {"0": t.params["x"] - 0.2} for t in study.trials)
    late = np.array([t.params["x"] for t in study.trials[25:]])
    # The unconstrained optimum is x = 1; the constrained one is the boundary x = 0.2.
    assert np.mean(np.abs(late - 0.2) < 0.1) >= 0.5
    assert np.mean(late > 0.6) <= 0.2


# ------------------------------------------------------------------------ constant liar


def test_asking_twice_before_telling_gives_distinct_points() -> None:
    study = tunekit.create_study(sampler=TPESampler(seed=0, n_startup_trials=5))
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=20)
    for _ in range(5):
        first, second = study.ask(), study.ask()
        a = first.suggest_float("x", -5, 5)
        b = second.suggest_float("x", -5, 5)
        assert a != b
        # With the liar the second point is pushed away from the first.
        study.tell(first, (a - 1) ** 2)
        study.tell(second, (b - 1) ** 2)


def test_liar_pushes_parallel_points_apart() -> None:
    def spread(constant_liar: bool) -> float:
        distances = []
        for seed in range(6):
            study = tunekit.create_study(
                sampler=TPESampler(seed=seed, n_startup_trials=5, constant_liar=constant_liar)
            )
            study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=15)
            running = [study.ask() for _ in range(4)]
            xs = np.array([t.suggest_float("x", -5, 5) for t in running])
            distances.append(np.min(np.diff(np.sort(xs))))
        return float(np.median(distances))

    assert spread(True) > spread(False)


def test_threads_with_constant_liar() -> None:
    study = tunekit.create_study(sampler=TPESampler(seed=0, n_startup_trials=4))
    barrier_lock = threading.Lock()
    seen: list[float] = []

    def objective(trial) -> float:
        x = trial.suggest_float("x", -5, 5)
        with barrier_lock:
            seen.append(x)
        return (x - 1) ** 2

    study.optimize(objective, n_trials=30, n_jobs=2)
    assert len(study.trials) == 30
    assert len(set(seen)) == 30


# -------------------------------------------------------------------- arguments, pickling


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_startup_trials": -1}, "n_startup_trials"),
        ({"n_ei_candidates": 0}, "n_ei_candidates"),
        ({"n_ei_candidates": 2.5}, "n_ei_candidates"),
        ({"multivariate": False, "group": True}, "group"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        TPESampler(**kwargs)


def test_bad_prior_weight_raises() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(ValueError, match="prior_weight"):
            TPESampler(prior_weight=-1.0)


@pytest.mark.parametrize(
    "name",
    [
        "consider_prior",
        "prior_weight",
        "consider_magic_clip",
        "consider_endpoints",
        "gamma",
        "weights",
        "warn_independent_sampling",
    ],
)
def test_deprecated_arguments_warn(name: str) -> None:
    value = {"prior_weight": 1.0, "gamma": lambda n: 1, "weights": np.ones}.get(name, True)
    with pytest.warns(FutureWarning, match=name):
        TPESampler(**{name: value})


def test_defaults_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TPESampler()


def test_custom_gamma_and_weights_are_used() -> None:
    calls: list[int] = []

    def gamma(n: int) -> int:
        calls.append(n)
        return 2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        sampler = TPESampler(
            seed=0, gamma=gamma, weights=lambda n: np.linspace(0.5, 1.0, n), n_startup_trials=3
        )
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
    assert calls and calls[-1] == 7


def test_pruned_and_failed_trials_are_handled() -> None:
    def objective(trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 4 == 1:
            trial.report(x, 3)
            raise tunekit.TrialPruned()
        if trial.number % 4 == 2:
            raise RuntimeError("boom")
        return x

    study = tunekit.create_study(sampler=TPESampler(seed=0, n_startup_trials=3))
    study.optimize(objective, n_trials=24, catch=(RuntimeError,))
    states = {t.state for t in study.trials}
    assert {TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL} <= states


def test_sampler_pickles_and_reseeds() -> None:
    import pickle

    sampler = pickle.loads(pickle.dumps(TPESampler(seed=0)))
    sampler.reseed_rng()
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=12)
    assert len(study.trials) == 12


@pytest.mark.parametrize("group", [False, True])
def test_one_sampler_serves_several_studies(group: bool) -> None:
    sampler = TPESampler(seed=0, n_startup_trials=3, group=group)
    for _ in range(2):
        study = tunekit.create_study(sampler=sampler)
        study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 3), n_trials=8)
        assert len(study.trials) == 8


def test_constraints_func_is_called_for_pruned_trials_too() -> None:
    # As in Optuna: COMPLETE and PRUNED trials get constraint values; the function sees the
    # final state (and no values for a pruned trial).
    seen = []

    def constraints(trial):
        seen.append((trial.state, trial.values))
        return [trial.params["x"] - 0.5]

    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = TPESampler(seed=0, constraints_func=constraints)
    study = tunekit.create_study(sampler=sampler)

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 2:
            raise tunekit.TrialPruned()
        if trial.number == 4:
            raise RuntimeError("fails")
        return x

    study.optimize(objective, n_trials=6, catch=(RuntimeError,))
    states = [t.state for t in study.trials]
    assert [bool(t.constraints) for t in study.trials] == [s != TrialState.FAIL for s in states]
    assert [s for s, _ in seen] == [s for s in states if s != TrialState.FAIL]
    assert all(values is None for s, values in seen if s == TrialState.PRUNED)


def test_set_constraint_and_constraints_func_add_up() -> None:
    # A constraints_func list (x >= 0.4) and a named value (x <= 0.6) both count. The objective
    # pushes x up, so the sampler must read the named constraint beside the list to settle at
    # the 0.6 boundary.
    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = TPESampler(seed=0, constraints_func=lambda t: [0.4 - t.params["x"]])

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.set_constraint("x_at_most_0.6", x - 0.6)
        return -x

    study = tunekit.create_study(sampler=sampler)
    study.optimize(objective, n_trials=40)
    assert set(study.trials[-1].constraints) == {"0", "x_at_most_0.6"}
    late = np.array([t.params["x"] for t in study.trials[25:]])
    assert np.mean(np.abs(late - 0.6) < 0.05) >= 0.5
    assert 0.55 <= study.best_params["x"] <= 0.6


def test_a_constraint_recorded_on_one_branch_does_not_bind_the_other() -> None:
    # As in Optuna, a trial without constraint values is feasible. Only the "big" branch has a
    # (violated) constraint; the "small" branch's trials must still count as good ones.
    def objective(trial):
        kind = trial.suggest_categorical("kind", ["small", "big"])
        x = trial.suggest_float("x", 0.0, 1.0)
        if kind == "big":
            trial.set_constraint("memory", 1.0)  # always over budget
            return x - 10.0  # better values, all infeasible
        return x

    study = tunekit.create_study(sampler=TPESampler(seed=0))
    study.optimize(objective, n_trials=40)
    assert study.best_params["kind"] == "small"
    late = [t.params["kind"] for t in study.trials[20:]]
    assert late.count("small") >= 0.7 * len(late)
    assert (
        np.median([t.params["x"] for t in study.trials[20:] if t.params["kind"] == "small"]) < 0.3
    )


def test_three_objectives_with_constraints_run() -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        trial.set_constraint("y", y - 0.8)
        return x, 1 - x, y

    sampler = TPESampler(seed=0, multivariate=True, n_startup_trials=5)
    study = tunekit.create_study(directions=["minimize"] * 3, sampler=sampler)
    study.optimize(objective, n_trials=30)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert np.mean([t.params["y"] for t in study.trials[15:]]) < 0.5


# ------------------------------------------------------------------------ hyperopt settings


def test_hyperopt_parameters_are_hyperopts_tpe() -> None:
    from tunekit.samplers.tpe.sampler import hyperopt_default_gamma, hyperopt_default_weights

    with pytest.warns(FutureWarning, match="hyperopt_parameters"):
        parameters = TPESampler.hyperopt_parameters()
    assert parameters["n_startup_trials"] == 20 and parameters["n_ei_candidates"] == 24
    # ceil(0.25 sqrt(n)), at most 25.
    assert [hyperopt_default_gamma(n) for n in (1, 16, 17, 100, 10_000, 40_000)] == [
        1,
        1,
        2,
        3,
        25,
        25,
    ]
    assert hyperopt_default_weights(0).shape == (0,)
    np.testing.assert_array_equal(hyperopt_default_weights(24), np.ones(24))
    weights = hyperopt_default_weights(30)
    np.testing.assert_allclose(weights[:5], np.linspace(1 / 30, 1, 5))
    np.testing.assert_array_equal(weights[5:], np.ones(25))
    with pytest.warns(FutureWarning):
        sampler = TPESampler(**parameters, seed=0)
    study = tunekit.create_study(sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=40)
    assert study.best_value < 0.5


def test_hyperopt_parameters_match_optunas() -> None:
    optuna = pytest.importorskip("optuna")
    with pytest.warns(FutureWarning) as record:
        ours, theirs = (
            TPESampler.hyperopt_parameters(),
            optuna.samplers.TPESampler.hyperopt_parameters(),
        )
    assert len(record) == 2  # both deprecate it
    assert set(ours) == set(theirs)
    for key in ("gamma", "weights"):
        for n in (0, 1, 5, 24, 25, 26, 100, 1000):
            np.testing.assert_array_equal(ours[key](n), theirs[key](n))
    assert {k: v for k, v in ours.items() if not callable(v)} == {
        k: v for k, v in theirs.items() if not callable(v)
    }
