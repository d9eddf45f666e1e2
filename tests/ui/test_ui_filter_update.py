"""A letter typed into the filter box and the rows it leaves reach the screen together.

Textual paints the box's echo as soon as the screen has nothing else queued;
the table's repaint once came a frame (17 ms or more) later, so that for a
frame the box and the table disagreed. Each screen update is recorded here
with the table's and the box's lines drawn before it.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual._compositor import CompositorUpdate
from textual.strip import Strip
from textual.widgets import Input

from sigtui.processes.filtering import needle_of
from sigtui.processes.layout import haystack
from sigtui.processes.sample import sample_snapshot
from sigtui.ui.app import SigtuiApp
from sigtui.ui.widgets.process_table import ProcessTable
from tests.pilot import settle
from tests.ui.test_ui import SIZE, build, shown_pids

Event = tuple[str, object]

KEYS = [*"ali", "backspace", *"ice", *["backspace"] * 5, *"make", "backspace"]


def matching(typed: str) -> tuple[int, ...]:
    """The sample's pids a filter shows, worked out without the view."""
    needle = needle_of(typed)
    return tuple(
        sorted(
            p.pid
            for p in sample_snapshot().processes
            if not p.kernel_thread and needle in haystack(p)
        )
    )


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    """Screen updates, and the table's and the filter box's lines drawn."""
    seen: list[Event] = []
    display = SigtuiApp._display
    table_line = ProcessTable.render_line
    box_line = Input.render_line

    def displayed(self: SigtuiApp, screen: Any, renderable: Any) -> None:
        display(self, screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            seen.append(("update", None))

    def drawn_table(self: ProcessTable, y: int) -> Strip:
        seen.append(("table", tuple(row.info.pid for row in self.view.rows)))
        return table_line(self, y)

    def drawn_box(self: Input, y: int) -> Strip:
        if self.id == "filter":
            seen.append(("box", self.value))
        return box_line(self, y)

    monkeypatch.setattr(SigtuiApp, "_display", displayed)
    monkeypatch.setattr(ProcessTable, "render_line", drawn_table)
    monkeypatch.setattr(Input, "render_line", drawn_box)
    return seen


async def test_the_update_that_shows_a_letter_shows_the_rows_it_leaves(
    events: list[Event],
) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        # No blinking: a blink's repaint could paint the box between the key
        # and the screen's handling of it, which no handler can prevent.
        app.query_one("#filter", Input).cursor_blink = False
        await settle(app, pilot)
        typed = ""
        for key in KEYS:
            events.clear()
            await pilot.press(key)
            await settle(app, pilot)
            typed = typed[:-1] if key == "backspace" else typed + key
            expected = matching(typed)
            assert shown_pids(app) == list(expected), typed
            # The first update that shows the new text in the box...
            echo = events.index(("box", typed))
            update = events.index(("update", None), echo)
            # ...has the table drawn for the new rows, not the old ones.
            drawn = [rows for kind, rows in events[:update] if kind == "table"]
            assert drawn, f"{typed!r}: the table was drawn after the box's echo"
            assert drawn[-1] == expected, typed
