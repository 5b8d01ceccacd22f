"""``Study.trials_dataframe``: the trials as a pandas DataFrame (pandas is the `pandas` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tunekit.study import Study

_KNOWN_ATTRS = (
    "number",
    "value",
    "values",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "system_attrs",
    "intermediate_values",
    "state",
    "constraints",
)
# Attributes that hold a dict: one column per key.
_NESTED = ("params", "user_attrs", "system_attrs", "intermediate_values", "constraints")


def _import_pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "Study.trials_dataframe() needs pandas: pip install 'tunekit[pandas]'."
        ) from None
    return pandas


def _trials_dataframe(study: Study, attrs: Sequence[str], multi_index: bool) -> pd.DataFrame:
    pandas = _import_pandas()
    unknown = [a for a in attrs if a not in _KNOWN_ATTRS]
    if unknown:
        raise ValueError(f"trials_dataframe(): unknown attrs {unknown!r}; known: {_KNOWN_ATTRS!r}.")
    attrs = list(attrs)
    multi_objective = study._is_multi_objective()
    # "value" and "values" mean the same column group; which one depends on the study.
    if multi_objective and "value" in attrs:
        attrs[attrs.index("value")] = "values"
    if not multi_objective and "values" in attrs:
        attrs[attrs.index("values")] = "value"
    value_names = study.metric_names or [str(i) for i in range(len(study.directions))]

    rows: list[dict[tuple[str, str], Any]] = []
    for trial in study.get_trials(deepcopy=False):
        row: dict[tuple[str, str], Any] = {}
        for attr in attrs:
            if attr == "state":
                row[(attr, "")] = trial.state.name
            elif attr == "value":
                # A named single objective gets its name, as in Optuna: ("value", "loss").
                row[(attr, study.metric_names[0] if study.metric_names else "")] = trial.value
            elif attr == "values":
                values = trial.values or [None] * len(value_names)
                for name, value in zip(value_names, values, strict=False):
                    row[(attr, name)] = value
            elif attr == "intermediate_values":
                # Steps stay ints (as in Optuna), so they sort as numbers: 2 before 10.
                for step, value in trial.intermediate_values.items():
                    row[(attr, step)] = value
            elif attr in _NESTED:
                for key, value in getattr(trial, attr).items():
                    row[(attr, str(key))] = value
            else:
                row[(attr, "")] = getattr(trial, attr)
        rows.append(row)

    if not rows:
        return pandas.DataFrame()

    def column_order(column: tuple[str, Any]) -> tuple[int, Any]:
        attr, key = column
        # Objectives keep their order; other keys (names, steps) are sorted.
        return (attrs.index(attr), value_names.index(key) if attr == "values" else key)

    columns = sorted({c for row in rows for c in row}, key=column_order)
    frame = pandas.DataFrame(rows, columns=pandas.MultiIndex.from_tuples(columns))
    if not multi_index:
        frame.columns = ["_".join(str(part) for part in c if part != "") for c in columns]
    return frame
