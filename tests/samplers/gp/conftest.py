"""Shared configuration for the GP modelling-layer tests (skipped without torch)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

try:
    import torch
except ImportError:  # torch is the optional "gp" extra
    collect_ignore_glob = ["test_*.py"]
else:

    @pytest.fixture(autouse=True)
    def _single_torch_thread() -> Iterator[None]:
        """Keep torch on one thread: the tests are tiny and the machine is shared."""
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        yield
        torch.set_num_threads(previous)
