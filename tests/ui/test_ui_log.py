"""The signal log: it follows new entries, scrolls from the keyboard, wraps."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Log

from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Options
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.screenshots import sample_app
from tests.pilot import log_text, select, settle, wait_until
from tests.spawn import Spawner
from tests.ui.test_ui_demo import send, start_demo


def the_log(app: SigtuiApp) -> Log:
    return app.query_one("#log", Log)


def shown(app: SigtuiApp) -> str:
    """The log's lines as they are on screen now."""
    log = the_log(app)
    return "\n".join(log.render_line(y).text for y in range(log.size.height))


async def test_log_follows_new_entries_after_projector_mode_is_off() -> None:
    # Bug 1: turning projector mode off shrank the log, which then stayed
    # above its end and stopped following; only the mouse wheel helped.
    app = sample_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("J")
        for n in range(20):
            app.main.log_line(f"entry {n}")
        await settle(app, pilot)
        await pilot.press("J")
        await settle(app, pilot)
        app.main.log_line("the newest entry")
        await settle(app, pilot)
        assert "the newest entry" in shown(app), shown(app)
        assert the_log(app).is_vertical_scroll_end


async def test_log_scrolls_from_the_keyboard_and_stays_where_the_user_put_it() -> None:
    app = sample_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for n in range(30):
            app.main.log_line(f"entry {n}")
        await settle(app, pilot)
        assert "entry 29" in shown(app)
        # Tab reaches the log; the usual keys scroll it.
        await pilot.press("tab")
        await settle(app, pilot)
        assert the_log(app).has_focus
        await pilot.press("pageup")
        await wait_until(
            pilot, app, lambda: "entry 29" not in shown(app), "the log scrolled up"
        )
        top = the_log(app).scroll_y
        # Scrolled up, it stays put while entries come in.
        app.main.log_line("while reading")
        await settle(app, pilot)
        assert the_log(app).scroll_y == top
        # End goes back to the newest, and it follows again.
        await pilot.press("end")
        await settle(app, pilot)
        app.main.log_line("followed again")
        await settle(app, pilot)
        assert "followed again" in shown(app), shown(app)
        # Tab goes back to the table, whose keys work again.
        await pilot.press("tab")
        await settle(app, pilot)
        assert app.main.table.has_focus


def widest(app: SigtuiApp) -> int:
    return max(len(str(line)) for line in the_log(app).lines)


async def test_projector_flag_wraps_the_opening_line() -> None:
    # Bug 5: the opening line was logged before the log had a width.
    app = sample_app(Options(projector=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        log = the_log(app)
        assert widest(app) <= log.scrollable_content_region.width, log.lines


async def test_projector_mode_wraps_earlier_entries_and_unwraps_them() -> None:
    app = sample_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        long = "a long entry " + "word " * 30 + "the end"
        app.main.log_line(long)
        await settle(app, pilot)
        log = the_log(app)
        assert any(long in str(line) for line in log.lines)
        await pilot.press("J")
        await settle(app, pilot)
        assert widest(app) <= log.scrollable_content_region.width, log.lines
        assert not any(long in str(line) for line in log.lines)
        await pilot.press("J")
        await settle(app, pilot)
        # Off again: one line an entry, the long one whole.
        assert any(long in str(line) for line in log.lines), log.lines
        assert str(log.lines[-1]).endswith("projector mode off")


def entries_about(app: SigtuiApp, signal: str) -> list[str]:
    return [line for line in log_text(app).splitlines() if signal in line]


async def test_one_send_to_the_demo_is_one_entry_completed_in_place(
    tmp_path: Path,
) -> None:
    # It was five lines: delivered, the outcome, sent, received, in the
    # order they arrived.
    path = tmp_path / "log.jsonl"
    with path.open("w") as log_file:
        app = make_app(Options(interval=0.3, log_file=log_file))
        async with app.run_test(size=(160, 50)) as pilot:
            demo_pid = await start_demo(pilot, app)
            await send(pilot, app, "cont")
            await wait_until(
                pilot,
                app,
                lambda: "received SIGCONT" in log_text(app) and app.main.caption,
                "the receipt and the outcome",
            )
            await settle(app, pilot)
            entries = entries_about(app, "SIGCONT")
            assert len(entries) == 1, log_text(app)
            entry = entries[0]
            # The demo was running: SIGCONT continued nothing, and it caught it.
            parts = ("SIGCONT delivered", "sent SIGCONT to demo", "still running")
            for part in parts:
                assert part in entry
            assert f"demo ({demo_pid}) received SIGCONT from pid" in entry
            assert "SI_USER" in entry
            app.main.stop_demo()
    # The file keeps every event, one JSON line each.
    events = [json.loads(line)["entry"] for line in path.read_text().splitlines()]
    about = [event for event in events if "SIGCONT" in event or "continued" in event]
    assert len(about) >= 3, events


async def test_identical_sends_collapse_into_a_count() -> None:
    app = sample_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        for _ in range(4):
            await send(pilot, app, "usr1")
            await wait_until(
                pilot, app, lambda: isinstance(app.screen, ConfirmSend), "confirm"
            )
            await pilot.press("y")
            await settle(app, pilot)  # the send worker watched and ended
        entries = entries_about(app, "SIGUSR1")
        assert len(entries) == 1, log_text(app)
        entry = entries[0]
        assert "×4" in entry, log_text(app)  # noqa: RUF001


COLON_IN_NAME = """
import ctypes, signal
ctypes.CDLL(None).prctl(15, b"job: 1", 0, 0, 0)  # PR_SET_NAME
signal.signal(signal.SIGUSR1, lambda *_: None)
ready()
park()
"""


async def test_a_send_entry_is_completed_with_the_whole_result(
    spawner: Spawner,
) -> None:
    # The result used to be cut at the first ": ", inside the name here.
    child = spawner.python(COLON_IN_NAME)
    app = make_app(Options(interval=0.2))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press(*"usr1", "enter")
        name = f"process {child.pid} (job: 1)"
        await wait_until(
            pilot, app, lambda: "still running" in log_text(app), "the outcome"
        )
        assert f"SIGUSR1 → {name} · SIGUSR1 delivered to {name}." in log_text(app)
