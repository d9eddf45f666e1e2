"""benchmarks/minimal_app.py, the floor the cold start is held against, really reads."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence

from textual.widgets import Static

from benchmarks import minimal_app
from sigtui.processes import DEFAULT_COLUMNS, ProcfsScanner, parse_columns
from sigtui.processes.columns import sources_of
from sigtui.processes.model import ProcessSnapshot


async def test_with_a_source_it_shows_ready_only_once_the_scan_is_in() -> None:
    gate = threading.Event()
    scanned: list[int] = []

    class Gated(ProcfsScanner):
        """sigtui's scanner, held until the test has seen the app waiting."""

        def scan(self, names: Sequence[str] | None = None) -> ProcessSnapshot:
            gate.wait(30)
            snapshot = super().scan(names)
            scanned.append(len(snapshot.processes))
            return snapshot

    source = Gated(sources=sources_of(parse_columns(DEFAULT_COLUMNS)))
    app = minimal_app.build(source)
    async with app.run_test() as pilot:
        shown = app.query_one(Static)
        await pilot.pause()
        assert str(shown.render()) == minimal_app.READING
        gate.set()
        deadline = time.monotonic() + 30
        while not scanned or str(shown.render()) == minimal_app.READING:
            assert time.monotonic() < deadline, "the scan never showed"
            await pilot.pause(0.05)
        # Every process read, this one among them.
        assert str(shown.render()) == f"{minimal_app.READY} {scanned[0]}"
        assert scanned[0] > 1
        assert os.getpid() in source.scan().by_pid
        source.close()


async def test_without_a_source_it_shows_ready_at_once() -> None:
    app = minimal_app.build()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert str(app.query_one(Static).render()) == minimal_app.READY
