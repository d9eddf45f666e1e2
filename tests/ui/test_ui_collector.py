"""Full garbage collections run after a frame, not while a key is answered."""

from __future__ import annotations

import gc

import pytest
from textual.strip import Strip

from sigtui.ui.collector import OVERDUE
from sigtui.ui.screenshots import sample_app
from tests.pilot import wait_until


async def test_a_collection_due_while_a_key_is_answered_waits_for_its_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved = gc.get_threshold()
    app = sample_app()
    order: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            order.append("full pass")

    try:
        async with app.run_test(size=(120, 30)) as pilot:
            collector = app.main.collector
            table = app.main.table
            # Taken over with the freeze of the start's objects, after the
            # first table is shown.
            await wait_until(pilot, app, lambda: collector.running, "the freeze")
            assert gc.get_threshold() == (saved[0], saved[1], saved[2] * OVERDUE)
            gc.collect()

            move, draw = table.action_cursor_down, table.render_line

            def moved_and_allocated() -> None:
                move()
                order.append("key")
                # The key's allocation makes a full pass due, as a filter
                # key's thousands of new lines do.
                for _ in range(saved[2]):
                    gc.collect(1)

            def drawn(y: int) -> Strip:
                if order and order[-1] != "drawn":
                    order.append("drawn")
                return draw(y)

            monkeypatch.setattr(table, "action_cursor_down", moved_and_allocated)
            monkeypatch.setattr(table, "render_line", drawn)
            gc.callbacks.append(note)
            await pilot.press("down")
            await wait_until(pilot, app, lambda: collector.passes > 0, "a full pass")

            assert order == ["key", "drawn", "full pass"]
            assert collector.passes == 1
            assert not collector.due()
            app.exit()
        assert not collector.running
        assert gc.get_threshold() == saved
    finally:
        if note in gc.callbacks:
            gc.callbacks.remove(note)
        gc.set_threshold(*saved)
