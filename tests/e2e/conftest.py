"""Fixtures of the end-to-end tests: private tmux servers and helper processes.

Every test in this folder is marked ``e2e``: CI runs them in its serial phase.
Every process the tests start is tracked; at the end of the session the tests
fail if any is still alive (after killing them, each by its own pid).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .tmux import Processes, ProcessRegistry, Sessions

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``e2e``."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def process_registry() -> Iterator[ProcessRegistry]:
    """Track what the tests start; fail the session if any of it outlives it."""
    registry = ProcessRegistry()
    yield registry
    leftovers = registry.kill_leftovers()
    if leftovers:
        pytest.fail(
            "the end-to-end tests left processes running (now killed):\n"
            + "\n".join(leftovers),
            pytrace=False,
        )


@pytest.fixture
def sessions(process_registry: ProcessRegistry) -> Iterator[Sessions]:
    """Start sigtui (or another command) in private tmux servers, killed after."""
    started = Sessions(process_registry)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def processes(process_registry: ProcessRegistry) -> Iterator[Processes]:
    """Start marker processes, killed by pid and reaped after the test."""
    started = Processes(process_registry)
    try:
        yield started
    finally:
        started.close()
