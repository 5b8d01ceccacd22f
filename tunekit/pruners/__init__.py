"""Pruners stop hopeless trials early, from the intermediate values they report.

``NopPruner`` (the default) never prunes; subclass ``BasePruner`` to write your own.
"""

from tunekit.pruners.base import BasePruner
from tunekit.pruners.nop import NopPruner

__all__ = ["BasePruner", "NopPruner"]
