"""tunekit: define-by-run hyperparameter optimization with Optuna's vocabulary.

Example
-------
>>> import tunekit
>>> def objective(trial):
...     x = trial.suggest_float("x", -10, 10)
...     return (x - 2) ** 2
>>> study = tunekit.create_study()
>>> study.optimize(objective, n_trials=10)
>>> len(study.trials)
10
"""

from tunekit import (
    distributions,
    exceptions,
    logging,
    pruners,
    samplers,
    search_space,
    storages,
    study,
    trial,
)
from tunekit.exceptions import TrialPruned
from tunekit.study import (
    Study,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from tunekit.trial import FixedTrial, FrozenTrial, Trial, create_trial
from tunekit.version import __version__

# Submodules with heavy optional dependencies load on first use, as `tunekit.visualization`.
_LAZY_SUBMODULES = ("importance", "integration", "visualization")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"tunekit.{name}")
    raise AttributeError(f"module 'tunekit' has no attribute {name!r}")


__all__ = [
    "FixedTrial",
    "FrozenTrial",
    "Study",
    "Trial",
    "TrialPruned",
    "__version__",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
    "logging",
    "pruners",
    "samplers",
    "search_space",
    "storages",
    "study",
    "trial",
]
