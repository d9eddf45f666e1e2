"""End-to-end: the status line, the footer and the table at 80 and 120 columns.

Issue 16 found, in tmux: at 80x24 with ``--projector --demo`` the status line
lost "projector"; the footer was cut in the middle of a key ("d D", "L Le");
``i`` at 80x24 left no process rows; stray ``▍ ▊`` glyphs in the signal picker
and above the footer.
"""

from __future__ import annotations

import pytest

from sigtui.ui.keys import MAIN_KEYS

from .tmux import SCANNED, Sessions, footer, quit_cleanly, status_line, table_rows

STRAY = set("▉▊▋▌▍▎")
"""Half blocks: a horizontal scrollbar's thumb ends, a tall border's sides."""


def labels() -> list[str]:
    """The footer's keys in order, as ``key description`` (tmux shows them so)."""
    names = {"question_mark": "?", "slash": "/"}
    shown = []
    for binding in MAIN_KEYS:
        assert not isinstance(binding, tuple)
        if binding.show:
            key = binding.key.split(",")[0]
            shown.append(f"{names.get(key, key)} {binding.description}")
    return shown


def whole_keys(screen: str) -> int:
    """How many keys the footer shows, each whole and in order; 0 if one is cut."""
    words = footer(screen).replace("▏", " ").split()
    if words[-2:] == ["^p", "palette"]:
        words = words[:-2]
    every = labels()
    for count in range(len(every), 0, -1):
        if words == " ".join(every[:count]).split():
            return count
    return 0


@pytest.mark.slow
def test_projector_demo_at_80x24_then_120x40(sessions: Sessions) -> None:
    app = sessions.sigtui("--projector", "--demo", hold=False, width=80, height=24)
    # The footer is drawn in its own turn: wait for it too, not only the status.
    screen = app.wait_for(
        lambda s: (
            SCANNED.search(status_line(s)) is not None
            and "demo" in status_line(s)
            and whole_keys(s) >= 8
        ),
        what="the first scan, the demo in the status line and 8 keys in the footer",
    )
    assert "projector" in status_line(screen), screen
    assert not STRAY & set(screen), screen

    app.send_keys("i")
    screen = app.wait_for(
        lambda s: "Parent" in s and "Session" in s, what="the details panel"
    )
    assert len(table_rows(screen)) >= 5, screen
    assert not STRAY & set(screen), screen

    app.resize(120, 40)
    screen = app.wait_for(
        lambda s: whole_keys(s) == len(labels()), what="every key at 120 columns"
    )
    assert "projector" in status_line(screen), screen

    app.send_keys("k")
    screen = app.wait_for("Send a signal", what="the signal picker")
    assert not STRAY & set(screen), screen
    app.send_keys("Escape")
    app.wait_for(lambda s: "Send a signal" not in s, what="the picker closed")
    quit_cleanly(app)
