"""Tests of tunekit.distributions: validation, contains, JSON, the unit representation."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    from_unit,
    json_to_distribution,
    n_grid_points,
    to_unit,
)

settings.register_profile("tunekit-distributions", deadline=None, max_examples=60)
PROFILE = settings.get_profile("tunekit-distributions")


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("cls", [FloatDistribution, IntDistribution])
def test_low_above_high_names_both(cls) -> None:
    with pytest.raises(ValueError, match=r"low=5.*high=1"):
        cls(5, 1)


@pytest.mark.parametrize("low", [0.0, -1.0])
def test_float_log_needs_positive_low(low: float) -> None:
    with pytest.raises(ValueError, match=rf"`low`.*log=True.*low={low!r}"):
        FloatDistribution(low, 1.0, log=True)


def test_int_log_needs_low_at_least_one() -> None:
    with pytest.raises(ValueError, match=r"`low`.*log=True.*low=0"):
        IntDistribution(0, 10, log=True)


@pytest.mark.parametrize("step", [0.0, -0.5])
def test_float_step_must_be_positive(step: float) -> None:
    with pytest.raises(ValueError, match=rf"`step`.*step={step!r}"):
        FloatDistribution(0.0, 1.0, step=step)


@pytest.mark.parametrize("step", [0, -2])
def test_int_step_must_be_positive(step: int) -> None:
    with pytest.raises(ValueError, match=rf"`step`.*step={step!r}"):
        IntDistribution(0, 10, step=step)


def test_float_log_with_step_is_refused() -> None:
    with pytest.raises(ValueError, match=r"`step` and `log`.*step=0.1"):
        FloatDistribution(0.1, 1.0, log=True, step=0.1)


def test_int_log_with_step_is_refused() -> None:
    with pytest.raises(ValueError, match=r"`step`.*log.*step=2"):
        IntDistribution(1, 11, log=True, step=2)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("which", ["low", "high"])
def test_float_bounds_must_be_finite(bad: float, which: str) -> None:
    kwargs = {"low": 0.0, "high": 1.0, which: bad}
    with pytest.raises(ValueError, match=rf"`{which}`.*finite.*{bad!r}"):
        FloatDistribution(**kwargs)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_int_bounds_must_be_finite(bad: float) -> None:
    with pytest.raises(ValueError, match=r"`high`"):
        IntDistribution(0, bad)  # type: ignore[arg-type]


def test_bounds_must_be_numbers() -> None:
    with pytest.raises(TypeError, match=r"`low`.*'a'"):
        FloatDistribution("a", 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"`high`.*True"):
        IntDistribution(0, True)  # type: ignore[arg-type]


def test_int_bounds_that_are_not_integers_are_truncated_with_a_warning() -> None:
    # As Optuna does (int()), so suggest_int("k", 1, n / 2) keeps working.
    with pytest.warns(UserWarning, match=r"`high` should be an integer, got high=5.5; .* 5\."):
        distribution = IntDistribution(0, 5.5)  # type: ignore[arg-type]
    assert (distribution.low, distribution.high, distribution.step) == (0, 5, 1)
    with pytest.warns(UserWarning, match=r"`step`.*step=2.5"):
        assert IntDistribution(0, 10, step=2.5).step == 2  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert IntDistribution(1.0, 4.0).high == 4  # type: ignore[arg-type]


def test_categorical_empty_choices() -> None:
    with pytest.raises(ValueError, match=r"`choices`.*\[\]"):
        CategoricalDistribution([])


def test_categorical_container_choices_warn_and_work() -> None:
    # Optuna accepts lists and dicts as choices with a warning; so does tunekit.
    with pytest.warns(UserWarning) as record:
        distribution = CategoricalDistribution([[1, 2], 3, {"a": [1]}])
    assert [str(w.message).split("; ")[1] for w in record] == [
        "[1, 2] (list) is kept as is, but a database stores it as JSON (a tuple comes back as a list).",
        "{'a': [1]} (dict) is kept as is, but a database stores it as JSON (a tuple comes back as a list).",
    ]
    assert distribution.to_internal_repr([1, 2]) == 0
    assert distribution.to_internal_repr((1, 2)) == 0  # a tuple matches its list
    assert distribution.to_internal_repr({"a": [1]}) == 2
    assert distribution.to_external_repr(2) == {"a": [1]}
    with pytest.raises(ValueError, match="not one of the choices"):
        distribution.to_internal_repr([2, 1])
    # A database round trip turns tuples into lists; the distribution stays the same one.
    with pytest.warns(UserWarning):
        tuples = CategoricalDistribution([(64, 64), (128,)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stored choices were warned about when suggested
        restored = json_to_distribution(distribution_to_json(tuples))
    assert restored.choices == ([64, 64], [128])
    assert restored == tuples and hash(restored) == hash(tuples)


def test_categorical_other_objects_warn_that_they_cannot_be_stored() -> None:
    marker = object()
    with pytest.warns(UserWarning, match="cannot be stored in a database"):
        distribution = CategoricalDistribution([marker, {1, 2}])
    assert distribution.to_internal_repr(marker) == 0


def test_categorical_choices_from_a_numpy_array_are_python_numbers() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        distribution = CategoricalDistribution(np.array([0.1, 0.01]))
    assert distribution.choices == (0.1, 0.01)
    assert all(type(c) is float for c in distribution.choices)
    assert distribution.to_internal_repr(np.float64(0.01)) == 1


def test_categorical_choices_must_be_a_sequence() -> None:
    with pytest.raises(TypeError, match=r"`choices`.*'abc'"):
        CategoricalDistribution("abc")  # type: ignore[arg-type]


def test_categorical_odd_choice_type_warns() -> None:
    with pytest.warns(UserWarning, match=r"\(1\+2j\)"):
        CategoricalDistribution([1 + 2j, 1])


def test_float_step_not_dividing_range_warns_and_lowers_high() -> None:
    with pytest.warns(UserWarning, match=r"high.*lowered to 0.9"):
        d = FloatDistribution(0.0, 1.0, step=0.3)
    assert d.high == pytest.approx(0.9)
    assert d.contains(0.9)
    assert not d.contains(1.0)


def test_float_step_dividing_range_in_decimal_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = FloatDistribution(0.0, 0.3, step=0.1)
    assert d.high == 0.3
    assert n_grid_points(d) == 4


def test_int_step_not_dividing_range_warns_and_lowers_high() -> None:
    with pytest.warns(UserWarning, match=r"lowered to 9"):
        d = IntDistribution(1, 10, step=2)
    assert d.high == 9


# ------------------------------------------------------------------------------ contains


def test_float_contains() -> None:
    d = FloatDistribution(-1.0, 1.0)
    assert d.contains(0.0) and d.contains(-1) and d.contains(1.0)
    assert not d.contains(1.5)
    assert not d.contains(math.nan)
    assert not d.contains("0.5")
    assert not d.contains(None)
    assert not d.contains(True)


def test_float_step_contains() -> None:
    d = FloatDistribution(0.0, 1.0, step=0.1)
    assert d.contains(0.3)  # 0.30000000000000004 in binary arithmetic
    assert d.contains(0.7)
    assert not d.contains(0.35)


def test_float_step_contains_grid_points_far_from_zero() -> None:
    # Regression: 529727.8999999999 is the grid point 529727.90 up to float rounding.
    d = FloatDistribution(-69941.94, 642132.89, step=0.01)
    assert d.contains(529727.8999999999)
    assert not d.contains(529727.905)
    values = from_unit(d, np.linspace(0.0, 1.0, 2001))
    assert all(d.contains(float(v)) for v in values)


def test_int_contains() -> None:
    d = IntDistribution(0, 10, step=2)
    assert d.contains(4) and d.contains(10) and d.contains(np.int64(6))
    assert not d.contains(3)
    assert not d.contains(12)
    assert not d.contains(True)


def test_categorical_contains_tells_true_from_one() -> None:
    d = CategoricalDistribution([1, "a", None])
    assert d.contains(1) and d.contains("a") and d.contains(None)
    assert not d.contains(True)
    assert not d.contains("b")
    assert d.to_internal_repr(None) == 2
    assert d.to_external_repr(1) == "a"


def test_categorical_bool_and_int_choices_are_distinct() -> None:
    d = CategoricalDistribution([True, 1, 1.5])
    assert d.to_internal_repr(True) == 0
    assert d.to_internal_repr(1) == 1
    assert d.to_internal_repr(1.5) == 2


def test_categorical_nan_choice() -> None:
    d = CategoricalDistribution([math.nan, 0.0])
    assert d.to_internal_repr(math.nan) == 0
    assert d == CategoricalDistribution([math.nan, 0.0])


def test_single() -> None:
    assert FloatDistribution(1.0, 1.0).single()
    assert not FloatDistribution(1.0, 2.0).single()
    assert IntDistribution(3, 3).single()
    assert CategoricalDistribution(["only"]).single()
    assert not CategoricalDistribution(["a", "b"]).single()


def test_equality_and_hash() -> None:
    assert FloatDistribution(0, 1) == FloatDistribution(0.0, 1.0)
    assert hash(FloatDistribution(0, 1)) == hash(FloatDistribution(0.0, 1.0))
    assert FloatDistribution(0, 1) != FloatDistribution(0, 1, log=False, step=0.5)
    assert FloatDistribution(0, 1) != IntDistribution(0, 1)
    assert CategoricalDistribution([1, 2]) != CategoricalDistribution([True, 2])
    assert len({CategoricalDistribution(["a"]), CategoricalDistribution(("a",))}) == 1


def test_compatibility() -> None:
    check_distribution_compatibility(FloatDistribution(0, 1), FloatDistribution(-5, 5))
    with pytest.raises(ValueError, match="kind"):
        check_distribution_compatibility(FloatDistribution(0, 1), IntDistribution(0, 1))
    with pytest.raises(ValueError, match="log"):
        check_distribution_compatibility(
            FloatDistribution(0.1, 1), FloatDistribution(0.1, 1, log=True)
        )
    with pytest.raises(ValueError, match="choices"):
        check_distribution_compatibility(
            CategoricalDistribution(["a"]), CategoricalDistribution(["b"])
        )


# ------------------------------------------------------------------------------ JSON


@pytest.mark.parametrize(
    "distribution",
    [
        FloatDistribution(0.0, 1.0),
        FloatDistribution(1e-5, 1.0, log=True),
        FloatDistribution(-1.0, 1.0, step=0.25),
        IntDistribution(0, 10),
        IntDistribution(1, 1024, log=True),
        IntDistribution(0, 10, step=5),
        CategoricalDistribution(["a", 1, 2.5, None, True]),
    ],
)
def test_json_round_trip(distribution) -> None:
    text = distribution_to_json(distribution)
    loaded = json.loads(text)
    assert loaded["name"] == type(distribution).__name__
    assert set(loaded) == {"name", "attributes"}
    assert json_to_distribution(text) == distribution


def test_json_matches_optunas_attribute_names() -> None:
    assert json.loads(distribution_to_json(IntDistribution(0, 4, step=2)))["attributes"] == {
        "low": 0,
        "high": 4,
        "log": False,
        "step": 2,
    }
    assert json.loads(distribution_to_json(CategoricalDistribution(("x", "y")))) == {
        "name": "CategoricalDistribution",
        "attributes": {"choices": ["x", "y"]},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"name": "UniformDistribution", "attributes": {"low": 0.0, "high": 2.0}}',
            FloatDistribution(0.0, 2.0),
        ),
        (
            '{"name": "LogUniformDistribution", "attributes": {"low": 0.001, "high": 1.0}}',
            FloatDistribution(0.001, 1.0, log=True),
        ),
        (
            '{"name": "DiscreteUniformDistribution", '
            '"attributes": {"low": 0.0, "high": 1.0, "q": 0.5}}',
            FloatDistribution(0.0, 1.0, step=0.5),
        ),
        (
            '{"name": "IntUniformDistribution", "attributes": {"low": 0, "high": 8, "step": 2}}',
            IntDistribution(0, 8, step=2),
        ),
        (
            '{"name": "IntUniformDistribution", "attributes": {"low": 0, "high": 8}}',
            IntDistribution(0, 8),
        ),
        (
            '{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 64}}',
            IntDistribution(1, 64, log=True),
        ),
    ],
)
def test_json_reads_optunas_legacy_names(text: str, expected) -> None:
    assert json_to_distribution(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"name": "FloatDistribution"}',
        '{"name": "NoSuchDistribution", "attributes": {}}',
    ],
)
def test_json_bad_input(text: str) -> None:
    with pytest.raises(ValueError):
        json_to_distribution(text)


def test_optuna_json_is_read_the_same() -> None:
    optuna = pytest.importorskip("optuna")
    for distribution in (
        optuna.distributions.FloatDistribution(0.5, 2.0, step=0.5),
        optuna.distributions.IntDistribution(1, 100, log=True),
        optuna.distributions.CategoricalDistribution(["a", None, 3]),
    ):
        text = optuna.distributions.distribution_to_json(distribution)
        ours = json_to_distribution(text)
        assert json.loads(distribution_to_json(ours)) == json.loads(text)
        # And Optuna reads what tunekit writes.
        assert optuna.distributions.json_to_distribution(distribution_to_json(ours)) == distribution


# ------------------------------------------------------------------------------ unit space


def test_n_grid_points() -> None:
    assert n_grid_points(FloatDistribution(0, 1)) == 0
    assert n_grid_points(FloatDistribution(0, 1, step=0.25)) == 5
    assert n_grid_points(IntDistribution(0, 10, step=5)) == 3
    assert n_grid_points(CategoricalDistribution("abc" and ["a", "b", "c"])) == 3


def test_unit_of_linear_float_is_affine() -> None:
    d = FloatDistribution(-2.0, 2.0)
    np.testing.assert_allclose(to_unit(d, [-2.0, 0.0, 2.0]), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(from_unit(d, [0.0, 0.25, 1.0]), [-2.0, -1.0, 2.0])


def test_unit_of_log_float_is_log_affine() -> None:
    d = FloatDistribution(1e-4, 1.0, log=True)
    np.testing.assert_allclose(to_unit(d, [1e-4, 1e-2, 1.0]), [0.0, 0.5, 1.0])


def test_unit_of_int_gives_each_point_equal_width() -> None:
    d = IntDistribution(0, 3)
    # Four points, each owning a quarter of [0, 1].
    np.testing.assert_allclose(to_unit(d, [0, 1, 2, 3]), [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_array_equal(
        from_unit(d, [0.0, 0.24, 0.26, 0.74, 0.76, 1.0]), [0, 0, 1, 2, 3, 3]
    )


def test_unit_of_single_value() -> None:
    d = FloatDistribution(2.0, 2.0)
    np.testing.assert_array_equal(to_unit(d, [2.0]), [0.5])
    np.testing.assert_array_equal(from_unit(d, [0.0, 0.7]), [2.0, 2.0])


def test_unit_is_clipped() -> None:
    d = FloatDistribution(0.0, 1.0)
    np.testing.assert_array_equal(from_unit(d, [-0.5, 1.5]), [0.0, 1.0])


def test_unit_refuses_categorical() -> None:
    with pytest.raises(TypeError):
        to_unit(CategoricalDistribution(["a"]), [0])
    with pytest.raises(TypeError):
        from_unit(CategoricalDistribution(["a"]), [0.5])


# ----------------------------------------------------------------------- property tests


@st.composite
def numeric_distributions(draw):
    kind = draw(st.sampled_from(["float", "float_log", "float_step", "int", "int_log", "int_step"]))
    if kind.startswith("int"):
        if kind == "int_log":
            low = draw(st.integers(1, 1000))
        else:
            low = draw(st.integers(-1000, 1000))
        high = low + draw(st.integers(0, 2000))
        step = draw(st.integers(1, 50)) if kind == "int_step" else 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return IntDistribution(low, high, log=kind == "int_log", step=step)
    if kind == "float_log":
        low = draw(st.floats(1e-8, 1e3))
        high = low * draw(st.floats(1.0, 1e6))
        return FloatDistribution(low, high, log=True)
    scale = draw(st.sampled_from([1e1, 1e4, 1e6]))
    low = draw(st.floats(-scale, scale))
    high = low + draw(st.floats(0.0, scale))
    if kind == "float_step":
        step = draw(st.sampled_from([0.001, 0.01, 0.1, 0.25, 0.5, 1.0, 3.0]))
        low = round(low, 3)
        high = round(max(high, low), 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return FloatDistribution(low, high, step=step)
    return FloatDistribution(low, high)


@PROFILE
@given(numeric_distributions(), st.floats(0.0, 1.0))
def test_from_unit_is_always_inside_and_on_the_grid(distribution, u: float) -> None:
    value = float(from_unit(distribution, u))
    assert distribution.low <= value <= distribution.high
    assert distribution.contains(value), (distribution, u, value)


@PROFILE
@given(numeric_distributions(), st.floats(0.0, 1.0))
def test_unit_round_trip_stays_in_the_same_cell(distribution, u: float) -> None:
    value = from_unit(distribution, u)
    back = float(to_unit(distribution, value))
    assert 0.0 <= back <= 1.0 + 1e-9
    # Mapping the unit point of the value back gives the same value (same grid cell).
    assert float(from_unit(distribution, back)) == pytest.approx(float(value), rel=1e-9, abs=1e-9)
    k = n_grid_points(distribution)
    if k > 1 and not distribution.log:
        # A linear discrete distribution: the cell of u and of back is the same of k.
        cell = min(int(u * k), k - 1)
        assert abs(back * k - (cell + 0.5)) <= 0.5 + 1e-6


@PROFILE
@given(numeric_distributions(), st.data())
def test_contains_and_internal_repr_round_trip(distribution, data) -> None:
    u = data.draw(st.floats(0.0, 1.0))
    value = float(from_unit(distribution, u))
    if isinstance(distribution, IntDistribution):
        value = int(value)
    internal = distribution.to_internal_repr(value)
    assert distribution.to_external_repr(internal) == value
    assert distribution._contains(internal)
    assert json_to_distribution(distribution_to_json(distribution)) == distribution


@PROFILE
@given(
    st.lists(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        min_size=1,
        max_size=8,
        unique_by=lambda c: (type(c).__name__, c),
    )
)
def test_categorical_round_trip(choices) -> None:
    d = CategoricalDistribution(choices)
    for index, choice in enumerate(choices):
        assert d.contains(choice)
        assert d.to_internal_repr(choice) == index
        assert d.to_external_repr(index) == choice
    assert json_to_distribution(distribution_to_json(d)) == d


def test_the_legacy_classes_make_the_distribution_they_stand_for() -> None:
    from tunekit.distributions import (
        DiscreteUniformDistribution,
        IntLogUniformDistribution,
        IntUniformDistribution,
        LogUniformDistribution,
        UniformDistribution,
    )

    cases = [
        (lambda: UniformDistribution(0.0, 1.0), FloatDistribution(0.0, 1.0)),
        (lambda: LogUniformDistribution(1e-5, 1.0), FloatDistribution(1e-5, 1.0, log=True)),
        (lambda: DiscreteUniformDistribution(0.0, 1.0, 0.25), FloatDistribution(0, 1, step=0.25)),
        (lambda: IntUniformDistribution(0, 10, step=2), IntDistribution(0, 10, step=2)),
        (lambda: IntLogUniformDistribution(1, 64), IntDistribution(1, 64, log=True)),
    ]
    for make, expected in cases:
        with pytest.warns(FutureWarning, match="deprecated in Optuna v3.0.0"):
            assert make() == expected
