"""Where Optuna keeps ``TrialState`` (``optuna.trial._state``): its tutorials import it from here."""

from tunekit.trial import TrialState

__all__ = ["TrialState"]
