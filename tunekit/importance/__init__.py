"""Which parameters of a study mattered: importances from its COMPLETE trials.

:func:`get_param_importances` asks an evaluator (fANOVA by default) for one importance per
parameter and returns them sorted, normalised to sum to 1. Write your own evaluator by
subclassing :class:`BaseImportanceEvaluator`. fANOVA and MDI need scikit-learn
(``pip install 'tunekit[sklearn]'``), imported when they run; PED-ANOVA needs only NumPy.

Example
-------
>>> import tunekit
>>> tunekit.logging.set_verbosity(tunekit.logging.WARNING)
>>> def objective(trial):
...     x = trial.suggest_float("x", -1, 1)
...     noise = trial.suggest_float("noise", -1, 1)
...     return x**2 + 0.01 * noise
>>> study = tunekit.create_study(sampler=tunekit.samplers.RandomSampler(seed=0))
>>> study.optimize(objective, n_trials=50)
>>> importances = tunekit.importance.get_param_importances(study)
>>> list(importances)
['x', 'noise']
"""

from tunekit.importance._base import BaseImportanceEvaluator, get_param_importances
from tunekit.importance._fanova import FanovaImportanceEvaluator
from tunekit.importance._mdi import MeanDecreaseImpurityImportanceEvaluator
from tunekit.importance._ped_anova import PedAnovaImportanceEvaluator

__all__ = [
    "BaseImportanceEvaluator",
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
    "get_param_importances",
]
