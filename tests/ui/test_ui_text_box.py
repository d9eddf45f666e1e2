"""The filter box: a letter repaints the box and the rows, and lays nothing out.

Textual's Input made each letter a layout of the whole screen (its virtual
width, a layout reactive, is its text's); the box keeps the width without
one, and still scrolls its text to keep the cursor in view.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from sigtui.ui.app import SigtuiApp
from sigtui.ui.widgets.text_box import TextBox
from tests.pilot import settle
from tests.ui.test_ui import build


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which widgets asked for a layout, and each layout of the screen."""
    asked: list[str] = []
    refresh = Widget.refresh
    relayout = Screen._refresh_layout

    def refreshed(self: Widget, *regions: Any, **how: Any) -> Widget:
        if how.get("layout"):
            asked.append(type(self).__name__)
        return refresh(self, *regions, **how)

    def laid_out(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        asked.append("layout")
        relayout(self, *args, **kwargs)

    monkeypatch.setattr(Widget, "refresh", refreshed)
    monkeypatch.setattr(Screen, "_refresh_layout", laid_out)
    return asked


async def filter_box(app: SigtuiApp, pilot: Pilot[int]) -> TextBox:
    """Open the filter box with its key, and return it."""
    await settle(app, pilot)
    await pilot.press("slash")
    await settle(app, pilot)
    return app.query_one("#filter", TextBox)


async def test_typing_into_the_filter_lays_out_nothing(layouts: list[str]) -> None:
    app = build()
    async with app.run_test(size=(110, 30)) as pilot:
        box = await filter_box(app, pilot)
        # "zz" matches nothing, and no letter before it changes the row count
        # either: only the box's own layout requests are left to count.
        await pilot.press("z")
        await settle(app, pilot)
        layouts.clear()
        await pilot.press("z", "backspace", "z")
        await settle(app, pilot)
        assert box.value == "zz"
        assert "TextBox" not in layouts
        assert "layout" not in layouts


async def test_a_long_filter_scrolls_to_keep_the_cursor_in_the_box() -> None:
    app = build()
    async with app.run_test(size=(40, 30)) as pilot:
        box = await filter_box(app, pilot)
        await pilot.press(*"x" * 60)
        await settle(app, pilot)
        assert box.value == "x" * 60
        assert box.virtual_size.width == 61  # the text and the cursor after it
        # Scrolled to the end, as Textual's own Input is (checked against it).
        assert box.max_scroll_x == 61 - box.container_size.width > 0
        assert box.scroll_x == box.max_scroll_x


async def test_a_new_row_count_updates_the_scrollbar_without_a_layout(
    layouts: list[str],
) -> None:
    # The scrollbar is always there: rows that come to fit, or stop fitting,
    # move no column sideways and lay nothing out.
    app = build()
    async with app.run_test(size=(110, 24)) as pilot:
        await filter_box(app, pilot)
        table = app.main.table
        height = table.container_size.height
        width = table.scrollable_content_region.width
        assert len(table.view.rows) + 1 > height  # 16 rows: it scrolls
        table.scroll_to(y=table.max_scroll_y, animate=False)
        await settle(app, pilot)
        layouts.clear()
        await pilot.press("1")  # 12 of the 16 rows: it still scrolls
        await settle(app, pilot)
        rows = len(table.view.rows)
        assert 1 < rows < 16
        assert rows + 1 > height
        assert "layout" not in layouts
        assert table.virtual_size.height == rows + 1
        assert table.vertical_scrollbar.window_virtual_size == rows + 1
        assert table.max_scroll_y == rows + 1 - height
        assert table.scroll_y <= table.max_scroll_y
        await pilot.press("backspace", "u")  # 5 rows fit
        await settle(app, pilot)
        rows = len(table.view.rows)
        assert rows + 1 <= height
        assert "layout" not in layouts
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == rows + 1
        assert table.scroll_y == table.max_scroll_y == 0
        assert table.scrollable_content_region.width == width
        await pilot.press("backspace")  # all 16 again
        await settle(app, pilot)
        assert "layout" not in layouts
        assert table.max_scroll_y == 16 + 1 - height
        assert table.scrollable_content_region.width == width
