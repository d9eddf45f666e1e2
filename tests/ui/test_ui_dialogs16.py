"""The dispositions dialog (D) and the lesson picker (L) take what is typed.

D: typing filters the signals, as in the signal picker (shift+C/I/D/H choose
the disposition, so every letter of a name can be typed), and the dialog opens
again where it was left. L: typing a lesson's number picks it.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from sigtui.lessons import LESSONS
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Options
from sigtui.ui.screens.dispositions import DispositionScreen
from sigtui.ui.screens.lessons import LessonPicker
from tests.pilot import log_text, settle, wait_until
from tests.ui.test_ui_demo import start_demo
from tests.ui.test_ui_lessons import started

SIZE = (140, 45)


def shown(screen: DispositionScreen) -> list[str]:
    return [spec.name for spec in screen.shown]


def highlighted(screen: DispositionScreen) -> str:
    table = screen.query_one("#dispositions-table", DataTable)
    return screen.shown[table.cursor_row].name


async def open_dispositions(pilot: Pilot[int], app: SigtuiApp) -> DispositionScreen:
    await pilot.press("D")
    await wait_until(
        pilot,
        app,
        lambda: isinstance(app.screen, DispositionScreen),
        "the dispositions dialog",
    )
    screen = app.screen
    assert isinstance(screen, DispositionScreen)
    return screen


async def test_typing_filters_the_dispositions_and_shift_letters_choose() -> None:
    app = make_app(Options(interval=0.5))
    async with app.run_test(size=SIZE) as pilot:
        await start_demo(pilot, app)
        screen = await open_dispositions(pilot, app)
        # "chld" and "hup" hold the letters of catch and hold: all are typed.
        await pilot.press(*"chld")
        await settle(app, pilot)
        assert screen.filter_text == "chld"
        assert shown(screen) == ["SIGCHLD"]
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"usr2")
        await settle(app, pilot)
        assert shown(screen) == ["SIGUSR2"]
        await pilot.press("I")
        await wait_until(
            pilot, app, lambda: "SIGUSR2 is now ignore" in log_text(app), "the ack"
        )
        await pilot.press("escape")
        await pilot.press("q")


async def test_the_dispositions_dialog_opens_where_it_was_left() -> None:
    app = make_app(Options(interval=0.5))
    async with app.run_test(size=SIZE) as pilot:
        await start_demo(pilot, app)
        screen = await open_dispositions(pilot, app)
        assert highlighted(screen) == "SIGHUP"
        await pilot.press("down", "down", "down")
        await settle(app, pilot)
        left_at = highlighted(screen)
        assert left_at != "SIGHUP"
        await pilot.press("escape")
        await settle(app, pilot)
        screen = await open_dispositions(pilot, app)
        await settle(app, pilot)
        assert highlighted(screen) == left_at
        # Left on a filtered row, it opens there too, with every signal listed.
        await pilot.press(*"term")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        screen = await open_dispositions(pilot, app)
        await settle(app, pilot)
        assert highlighted(screen) == "SIGTERM"
        assert len(shown(screen)) > 30
        await pilot.press("escape")
        await pilot.press("q")


@pytest.mark.parametrize("typed", ["3", "10"])
async def test_a_typed_number_picks_the_lesson(typed: str) -> None:
    app = make_app(Options(interval=0.5))
    wanted = LESSONS[int(typed) - 1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, LessonPicker), "the picker"
        )
        await pilot.press(*typed, "enter")
        await started(pilot, app, wanted.name)
        await pilot.press("q")
