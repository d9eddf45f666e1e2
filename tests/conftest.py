"""Shared fixtures, and the guard: no process a test started outlives the session.

The shared fixtures: ``spawner`` (real processes, reaped after the test),
``fifo``, and ``soak`` (the ``--soak`` option). Every test stops what it
starts; the guard checks it. At the end of the session any descendant of the
pytest process that is still running is listed, ended (SIGKILL, by its own
pid: it is our own descendant) and the session fails. Daemons that leave our
process tree (tmux servers) are tracked by the end-to-end tests' own registry
(tests/e2e/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.spawn import Spawner

GRACE = 5.0
"""Seconds a descendant that is already on its way out gets to finish."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--soak``: the long runs (the churn test's full minute)."""
    parser.addoption(
        "--soak",
        action="store_true",
        help="soak lengths: the churn test (tests/e2e) runs a minute, not 15 s",
    )


@pytest.fixture
def soak(request: pytest.FixtureRequest) -> bool:
    """Whether the session runs the soak lengths (``pytest --soak``)."""
    return bool(request.config.getoption("--soak"))


def _running_descendants() -> list[psutil.Process]:
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            continue
    return alive


@pytest.fixture(scope="session", autouse=True)
def private_settings_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Keep every sigtui the tests start away from the real settings file.

    sigtui saves the settings a user changes to ``$XDG_CONFIG_HOME``; tests
    press those keys. The end-to-end sessions each get a directory of their
    own on top of this.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
        yield


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_session() -> Iterator[None]:
    """Fail the session if a test left a process of its own running."""
    yield
    _, still = psutil.wait_procs(_running_descendants(), timeout=GRACE)
    if not still:
        return
    described = []
    for process in still:
        try:
            described.append(f"pid {process.pid}: {' '.join(process.cmdline())}")
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(still, timeout=GRACE)
    if described:
        pytest.fail(
            "tests left processes running (now killed):\n" + "\n".join(described),
            pytrace=False,
        )


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    """Start real processes; every one is stopped and reaped after the test."""
    with Spawner() as spawner:
        yield spawner


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A FIFO and the test's non-blocking read end of it."""
    path = tmp_path / "handler.fifo"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield path, fd
    finally:
        os.close(fd)
