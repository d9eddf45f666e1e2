"""End-to-end: keys typed right after ``/`` (or F3) belong to the box, however fast.

tmux's send-keys writes a whole string at once, as a paste does: every key
after the one that opens the box must land in it, not run as a command (``t``
used to turn the tree on, ``q`` to quit).
"""

from __future__ import annotations

import pytest

from .tmux import SCANNED, Sessions, TmuxSession, has_header, quit_cleanly, status_line


def start_and_wait(sessions: Sessions) -> TmuxSession:
    app = sessions.sigtui(hold=False)
    app.wait_for(has_header, what="the table's header line")
    app.wait_for(SCANNED, what="the first scan in the status line")
    return app


@pytest.mark.parametrize("typed", ["ttt", "zzq", "sleep 200"])
def test_every_key_after_slash_goes_to_the_filter(
    sessions: Sessions, typed: str
) -> None:
    app = start_and_wait(sessions)
    app.type_text("/" + typed)
    screen = app.wait_for(
        lambda s: f"filter: {typed}" in status_line(s), what=f"the filter {typed!r}"
    )
    line = status_line(screen)
    assert "tree" not in line.split(" · "), line
    assert "paused" not in line, line
    assert "tagged" not in line, line
    assert not app.state().dead
    app.send_keys("Escape")  # clears the filter, back to the table
    app.wait_for(lambda s: "filter:" not in status_line(s), what="the filter cleared")
    quit_cleanly(app)
