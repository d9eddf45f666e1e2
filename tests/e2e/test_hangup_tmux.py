"""End-to-end: closing the terminal under an open dialog ends sigtui.

A closed terminal sends SIGHUP. With a dialog open, Textual's shutdown could
then block for ever (its output thread had died on the write error with a full
queue); sigtui must end anyway, and take its demo child with it.
"""

from __future__ import annotations

import subprocess

import psutil
import pytest

from sigtui.demo.naming import CHILD_NAME

from .test_tui_tmux import start_and_wait
from .tmux import DEFAULT_TIMEOUT, Sessions, poll


def _ended(process: psutil.Process) -> bool:
    try:
        return process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_closing_the_terminal_with_the_picker_open_ends_sigtui(
    sessions: Sessions, attempt: int
) -> None:
    app = start_and_wait(sessions, "--interval", "0.2", "--demo")
    app.wait_for("started in its own process group", what="the demo to start")
    app.send_keys("k")
    app.wait_for("Send a signal to process", what="the signal picker")
    sigtui = psutil.Process(app.app_pid())
    demo = [
        child
        for child in sigtui.children(recursive=True)
        if child.name().startswith(CHILD_NAME)  # "demo", "demo-member-1"...
    ]
    assert demo, "the demo child was not found"
    # Hang up the terminal the way closing the window does: end its tmux server
    # (the harness's own kill() would SIGKILL survivors and hide a hang).
    subprocess.run(
        [app.tmux, "-S", str(app.socket), "kill-server"],
        env=app.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=DEFAULT_TIMEOUT,
        check=False,
    )
    poll(
        lambda: True if _ended(sigtui) else None,
        timeout=DEFAULT_TIMEOUT,
        describe=lambda: f"sigtui {sigtui.pid} still running",
        what="sigtui to end after its terminal closed",
    )
    poll(
        lambda: True if all(_ended(p) for p in demo) else None,
        timeout=DEFAULT_TIMEOUT,
        describe=lambda: f"demo processes {[p.pid for p in demo]}",
        what="the demo child to end with sigtui",
    )
