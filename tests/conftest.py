"""Suite-wide settings: hypothesis profile and the `slow` marker.

Tests marked ``slow`` (multi-process and database integration runs) always run under
``CI=true``; elsewhere they run with ``--slow``. The test command is the same everywhere.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "tunekit", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("tunekit")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="run tests marked slow (on under CI=true)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CI") == "true" or config.getoption("--slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: runs under CI=true or with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
