"""The signal log: it follows new entries, scrolls from the keyboard, wraps."""

from __future__ import annotations

from textual.widgets import Log

from sigtui.ui.app import SigtuiApp
from sigtui.ui.options import Options
from sigtui.ui.screenshots import sample_app
from tests.pilot import settle, wait_until


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
