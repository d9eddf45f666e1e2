"""End-to-end: the settings file through the real command, across runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigtui.config import Settings, parse

from .tmux import (
    SCANNED,
    Sessions,
    TmuxSession,
    has_header,
    quit_cleanly,
    status_line,
)


def start(sessions: Sessions, home: Path, *args: str) -> TmuxSession:
    app = sessions.sigtui(*args, hold=False, config_home=home)
    app.wait_for(has_header, what="the table's header line")
    app.wait_for(SCANNED, what="the first scan in the status line")
    return app


@pytest.mark.slow
def test_a_change_is_kept_for_the_next_run_unless_no_config(
    sessions: Sessions, tmp_path: Path
) -> None:
    path = tmp_path / "sigtui" / "config.toml"
    first = start(sessions, tmp_path)
    assert " · tree" not in status_line(first.capture())
    first.send_keys("t")
    first.wait_for(lambda s: " · tree" in status_line(s), what="tree view on")
    quit_cleanly(first)
    assert parse(path.read_text()) == Settings(tree=True)

    second = start(sessions, tmp_path)
    second.wait_for(
        lambda s: " · tree" in status_line(s), what="tree view from the file"
    )
    quit_cleanly(second)

    third = start(sessions, tmp_path, "--no-config")
    screen = third.capture()
    assert " · tree" not in status_line(screen), screen
    third.send_keys("K")
    third.wait_for(
        lambda s: "kernel threads hidden" not in status_line(s),
        what="kernel threads shown",
    )
    quit_cleanly(third)
    assert parse(path.read_text()) == Settings(tree=True)  # --no-config wrote nothing


def test_a_bad_file_is_named_on_screen_and_left_alone(
    sessions: Sessions, tmp_path: Path
) -> None:
    path = tmp_path / "sigtui" / "config.toml"
    path.parent.mkdir()
    path.write_text("tree = maybe\n")
    app = start(sessions, tmp_path)
    app.wait_for("Settings file ignored", what="the problem in the signal log")
    app.send_keys("t")
    app.wait_for(lambda s: " · tree" in status_line(s), what="tree view on")
    quit_cleanly(app)
    assert path.read_text() == "tree = maybe\n"
