"""Projector mode: high contrast, fewer columns, a big log, a caption per send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Log, Static

from sigtui.processes import DEFAULT_COLUMNS, parse_columns
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Options
from sigtui.ui.screenshots import sample_app
from sigtui.ui.theme import PROJECTOR_THEME
from sigtui.ui.widgets.process_table import (
    MARK_GROUP,
    MARK_SELF,
    MARK_TAGGED,
)
from tests.pilot import log_text, select, settle, wait_until
from tests.spawn import Spawner
from tests.ui.test_ui_delivery import TERM_IGNORER
from tests.ui.test_ui_demo import send, start_demo

SIZE = (130, 40)


def headers(app: SigtuiApp) -> list[str]:
    return [column.header for column in app.main.view.columns]


def caption_box(app: SigtuiApp) -> Static:
    return app.query_one("#caption", Static)


async def test_projector_flag_and_toggle_key() -> None:
    app = sample_app(Options(projector=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert headers(app) == ["PID", "PGID", "TT", "STAT", "COMMAND"]
        assert app.theme == PROJECTOR_THEME.name
        assert app.screen.has_class("-projector")
        assert caption_box(app).display
        big_log = app.query_one("#log", Log).outer_size.height
        assert "projector" in str(app.query_one("#status", Static).content)
        await pilot.press("J")
        await settle(app, pilot)
        assert headers(app) == [c.header for c in parse_columns(DEFAULT_COLUMNS)]
        assert app.theme != PROJECTOR_THEME.name
        assert not caption_box(app).display
        assert app.query_one("#log", Log).outer_size.height < big_log
        await pilot.press("J")
        await settle(app, pilot)
        assert headers(app)[-1] == "COMMAND"
        assert app.theme == PROJECTOR_THEME.name
        # The cursor stays on the same process through the switches.
        assert app.main.table.current is not None


async def test_marks_are_symbols_not_only_colours() -> None:
    # In the sample data sigtui (pid 4000) runs in a shell's job; tag a row,
    # and put the cursor on a process with group mates.
    app = sample_app(Options(projector=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*["down"] * 9, "space", "up")
        await settle(app, pilot)
        lines = [
            app.main.table.render_line(y).text
            for y in range(app.main.table.size.height)
        ]
        text = "\n".join(lines)
        assert any(line.startswith(MARK_SELF) for line in lines), text
        assert any(line.startswith(MARK_GROUP) for line in lines), text
        assert any(line[1:2] == MARK_TAGGED for line in lines), text
        # The sorted column says so with an arrow, not a colour.
        assert "PID ▲" in lines[0]


def record_toasts(app: SigtuiApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the app's toasts also land in a list: (title or message) each."""
    toasts: list[str] = []
    notify = app.notify

    def recording_notify(message: str, *, title: str = "", **kwargs: Any) -> None:
        toasts.append(title or message)
        notify(message, title=title, **kwargs)

    monkeypatch.setattr(app, "notify", recording_notify)
    return toasts


@pytest.mark.slow
async def test_a_caption_explains_a_caught_signal_to_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(Options(interval=0.3, projector=True))
    titles = record_toasts(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        await send(pilot, app, "term")
        await wait_until(pilot, app, lambda: bool(app.main.caption), "a caption")
        assert app.main.caption == (
            f"SIGTERM asked the demo ({demo_pid}) to terminate. It had a handler, "
            "so it decided for itself: it logged the signal and kept running."
        )
        assert "What just happened: SIGTERM asked" in str(caption_box(app).content)
        # The caption says it; no toast covers the table as well.
        assert "SIGTERM sent" not in titles
        await pilot.press("J")  # out of projector mode: the log says it, no toast
        await send(pilot, app, "usr1")
        await wait_until(
            pilot, app, lambda: "received SIGUSR1" in log_text(app), "the receipt"
        )
        assert "SIGUSR1 sent" not in titles
        await pilot.press("q")


async def test_x_in_projector_mode_captions_the_escalation_without_a_toast(
    spawner: Spawner, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = spawner.python(TERM_IGNORER)
    app = make_app(Options(interval=0.2, projector=True, grace=0.3))
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("x", "y")
        await wait_until(
            pilot, app, lambda: "SIGKILL" in app.main.caption, "escalation"
        )
        assert "SIGKILL ended it" in log_text(app)
        assert toasts == [], toasts
        await pilot.press("q")


LONG = (
    "✓ step 1 of 2 done: The ticker's handler ran and greeted the class, and "
    "the ticks went on: a caught signal does not end the program, whatever it "
    "was sent for."
)


@pytest.mark.parametrize("projector", [True, False])
async def test_long_log_lines_wrap_in_projector_mode(
    projector: bool, tmp_path: Path
) -> None:
    path = tmp_path / "log.jsonl"
    with path.open("a") as log_file:
        app = sample_app(Options(projector=projector, log_file=log_file))
        async with app.run_test(size=(90, 30)) as pilot:
            await settle(app, pilot)
            log = app.query_one("#log", Log)
            before = log.line_count
            app.main.log_line(LONG)
            await settle(app, pilot)
            added = [str(line) for line in log.lines[before:]]
            width = log.scrollable_content_region.width
    if projector:
        # A class cannot scroll sideways: every piece fits, under the text.
        assert len(added) > 1
        assert all(len(line) < width for line in added)
        assert all(line.startswith(" " * 10) for line in added[1:])
        assert " ".join(line.strip() for line in added).endswith(LONG)
    else:
        assert len(added) == 1
        assert added[0].endswith(LONG)
    # The log file keeps each entry whole.
    entries = path.read_text().splitlines()
    assert json.loads(entries[-1])["entry"] == LONG
