"""Verbosity control, with Optuna's function names.

tunekit logs through the standard :mod:`logging` module under the ``"tunekit"`` logger. By
default one INFO line is written per finished trial to stderr.

Example
-------
>>> import tunekit
>>> tunekit.logging.set_verbosity(tunekit.logging.WARNING)
>>> tunekit.logging.get_verbosity() == tunekit.logging.WARNING
True
>>> tunekit.logging.set_verbosity(tunekit.logging.INFO)
"""

from __future__ import annotations

import logging as _logging
import sys
import threading
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "WARNING",
    "get_logger",
    "get_verbosity",
    "set_verbosity",
    "disable_default_handler",
    "enable_default_handler",
    "disable_propagation",
    "enable_propagation",
]

_ROOT_NAME = "tunekit"
_lock = threading.Lock()
_default_handler: _logging.Handler | None = None


class _StderrHandler(_logging.StreamHandler):
    """A handler that writes to whatever ``sys.stderr`` is at the time of each record.

    A plain ``StreamHandler()`` keeps the stream it saw when created, so output redirected later
    (``contextlib.redirect_stderr``, notebooks, pytest's capture) would miss tunekit's lines.
    """

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass  # always sys.stderr


def _root_logger() -> _logging.Logger:
    return _logging.getLogger(_ROOT_NAME)


def _configure_root_logger() -> None:
    global _default_handler
    with _lock:
        if _default_handler is not None:
            return
        _default_handler = _StderrHandler()
        _default_handler.setFormatter(_logging.Formatter("[%(levelname)s %(asctime)s] %(message)s"))
        root = _root_logger()
        root.addHandler(_default_handler)
        root.setLevel(INFO)
        # The handler above already prints; do not print twice through the root logger.
        root.propagate = False


def get_logger(name: str) -> _logging.Logger:
    """Return the logger ``name``, configuring tunekit's root logger on first use.

    ``"optuna"`` (and ``"optuna.x"``) mean tunekit's own loggers, so an Optuna script's
    ``optuna.logging.get_logger("optuna").addHandler(...)`` receives tunekit's messages.
    """
    _configure_root_logger()
    if name == "optuna" or name.startswith("optuna."):
        name = _ROOT_NAME + name[len("optuna") :]
    return _logging.getLogger(name)


def get_verbosity() -> int:
    """Return the level of tunekit's root logger (``tunekit.logging.INFO`` by default)."""
    _configure_root_logger()
    return _root_logger().getEffectiveLevel()


def set_verbosity(verbosity: int) -> None:
    """Set the level of tunekit's root logger, e.g. ``tunekit.logging.WARNING``."""
    _configure_root_logger()
    _root_logger().setLevel(verbosity)


def disable_default_handler() -> None:
    """Stop writing tunekit's log records to stderr through its own handler."""
    _configure_root_logger()
    assert _default_handler is not None
    _root_logger().removeHandler(_default_handler)


def enable_default_handler() -> None:
    """Write tunekit's log records to stderr through its own handler (the default)."""
    _configure_root_logger()
    assert _default_handler is not None
    _root_logger().addHandler(_default_handler)


def disable_propagation() -> None:
    """Do not pass tunekit's records on to the Python root logger (the default)."""
    _configure_root_logger()
    _root_logger().propagate = False


def enable_propagation() -> None:
    """Pass tunekit's records on to the Python root logger, e.g. for pytest's caplog."""
    _configure_root_logger()
    _root_logger().propagate = True
