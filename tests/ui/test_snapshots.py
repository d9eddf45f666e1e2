"""Layout snapshots of the real app on the fixed sample data.

Review ``snapshot_report.html`` after a failure; accept a deliberate change with
``pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import pytest
from textual.app import App
from textual.pilot import Pilot

from sigtui.ui.screenshots import sample_app


class SnapCompare(Protocol):
    def __call__(
        self,
        app: App[int],
        *,
        terminal_size: tuple[int, int] = ...,
        press: list[str] = ...,
        run_before: Callable[[Pilot[int]], Awaitable[None]] | None = ...,
    ) -> bool: ...


async def _settle(pilot: Pilot[int]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_main_screen_with_a_job_selected(
    snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    assert snap_compare(
        sample_app(),
        terminal_size=size,
        run_before=_settle,
        press=["down"] * 9,
    )


def test_tree_view(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        sample_app(), terminal_size=(100, 24), run_before=_settle, press=["t"]
    )
