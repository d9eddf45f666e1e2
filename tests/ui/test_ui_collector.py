"""The app runs the garbage collector's full passes itself, when no key comes."""

from __future__ import annotations

import gc

from sigtui.ui.collector import NEVER
from tests.pilot import settle, wait_until
from tests.ui.test_ui import build


async def test_after_the_first_scan_full_passes_wait_for_quiet() -> None:
    thresholds = gc.get_threshold()
    app = build()
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(app, pilot)
        collector = app.collector
        assert app.main.scans >= 1
        assert collector.running
        assert gc.get_threshold() == (*thresholds[:2], NEVER)
        assert gc.get_freeze_count() > 0
        # A key is noted as it arrives.
        before = collector.last_input
        await pilot.press("down")
        assert collector.last_input > before
        # Once a pass is due and the keys stop, the app's timer runs one.
        for _ in range(thresholds[2]):
            gc.collect(1)
        await wait_until(
            pilot, app, lambda: collector.collections >= 1, "a quiet full pass"
        )
        assert gc.get_count()[2] == 0
    assert not collector.running
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
