"""The command palette (ctrl+p) over the main screen: every action, every lesson.

The palette is opened with its key, searched by typing, and its list read
from the widget, as a user sees it.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from sigtui.lessons import LESSONS
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.keys import MAIN_KEYS
from sigtui.ui.options import Options
from tests.pilot import settle, wait_until
from tests.ui.test_ui_lessons import started

SIZE = (120, 40)


def offered(app: SigtuiApp) -> list[str]:
    """The palette's commands as listed, each one's title (its first line)."""
    listed = app.screen.query_one(CommandList)
    return [
        str(listed.get_option_at_index(i).prompt).split("\n", 1)[0]
        for i in range(listed.option_count)
    ]


async def search(
    pilot: Pilot[int], app: SigtuiApp, text: str, wanted: list[str]
) -> list[str]:
    """Type into the open palette; wait until its list shows all of ``wanted``.

    Returns:
        The titles listed then.
    """
    await pilot.press(*text)
    await wait_until(
        pilot,
        app,
        lambda: set(wanted) <= set(offered(app)),
        f"{wanted} for {text!r}, have {offered(app)}",
    )
    return offered(app)


async def open_palette(pilot: Pilot[int], app: SigtuiApp) -> None:
    """Open the palette with its key over the main screen."""
    await settle(app, pilot)
    await pilot.press("ctrl+p")
    await wait_until(
        pilot, app, lambda: isinstance(app.screen, CommandPalette), "palette"
    )


async def test_every_action_of_the_main_screen_is_in_the_palette() -> None:
    app = make_app(Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_palette(pilot, app)
        await settle(app, pilot)
        titles = set(offered(app))
        for binding in MAIN_KEYS:
            assert binding.description in titles, binding  # type: ignore[union-attr]


async def test_every_lesson_is_in_the_palette_and_starts_from_it() -> None:
    app = make_app(Options(interval=0.5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_palette(pilot, app)
        wanted = [f"Lesson {lesson.number}: {lesson.title}" for lesson in LESSONS]
        await search(pilot, app, "lesson", wanted)
        await pilot.press("escape")
        await settle(app, pilot)
        third = LESSONS[2]
        await open_palette(pilot, app)
        wanted = [f"Lesson 3: {third.title}"]
        titles = await search(pilot, app, f"lesson 3: {third.title}", wanted)
        assert titles[0] == wanted[0], titles
        await pilot.press("enter")
        await started(pilot, app, third.name)
        await pilot.press("q")
