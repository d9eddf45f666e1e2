"""End-to-end: the TUI's tracing instance goes away on every way sigtui ends.

sigtui runs in a real terminal (tmux) as root, so it traces: its reader
process (``sigtui trace --feed``) owns one tracing instance. After ``q``,
SIGTERM, SIGHUP or SIGKILL of sigtui, the reader must have removed it
(after a SIGKILL of sigtui, through its lifeline). The instances are looked
at through a private mount of tracefs (tests/tracefs.py).
"""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from tests.tracefs import owned_by

from .test_tui_tmux import start_and_wait
from .tmux import DEFAULT_TIMEOUT, Sessions, TmuxSession, poll

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="tracing needs root")


def _reader_of(app: TmuxSession) -> psutil.Process:
    """sigtui's reader process, once its instance exists."""
    sigtui = psutil.Process(app.app_pid())

    def found() -> psutil.Process | None:
        for child in sigtui.children():
            try:
                if "--feed" in child.cmdline() and owned_by(child.pid):
                    return child
            except psutil.NoSuchProcess:
                continue
        return None

    return poll(
        found,
        timeout=DEFAULT_TIMEOUT,
        describe=lambda: f"children of {sigtui.pid}: {sigtui.children()}",
        what="sigtui's trace reader and its instance",
    )


def _ended(process: psutil.Process) -> bool:
    try:
        return process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("how", ["q", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_no_instance_is_left_however_sigtui_ends(sessions: Sessions, how: str) -> None:
    app = start_and_wait(sessions, "--interval", "0.5", trace=True)
    app.wait_for("tracing on", what="tracing to start")
    reader = _reader_of(app)
    if how == "q":
        app.send_keys("q")
    else:
        os.kill(app.app_pid(), getattr(signal, how))
    poll(
        lambda: True if _ended(reader) else None,
        timeout=DEFAULT_TIMEOUT,
        describe=lambda: f"reader {reader.pid} still running",
        what=f"the reader to end after {how}",
    )
    assert owned_by(reader.pid) == set()
