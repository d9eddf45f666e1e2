"""The TUI's columns: live %CPU and RSS by default, masks by name, sources told."""

from __future__ import annotations

import signal
from dataclasses import replace

from sigtui.processes import parse_columns
from sigtui.processes.model import ProcessSnapshot, Source
from sigtui.processes.sample import SampleSource, sample_snapshot
from sigtui.ui.app import make_app
from sigtui.ui.options import Deps, Options
from tests.pilot import settle

SIZE = (130, 40)


class RecordingSource(SampleSource):
    """The sample, remembering which files the app asked the scanner to read."""

    def __init__(self, *snapshots: ProcessSnapshot) -> None:
        super().__init__(*snapshots)
        self.sources = Source.NONE
        self.asked: list[Source] = []

    def set_sources(self, sources: Source) -> None:
        self.asked.append(sources)
        self.sources = sources


def cells(app: object, pid: int) -> dict[str, str]:
    view = app.main.view  # type: ignore[attr-defined]
    row = next(r for r in view.rows if r.info.pid == pid)
    return {c.name: text for c, text in zip(view.columns, row.cells, strict=True)}


async def test_default_columns_show_live_cpu_and_rss() -> None:
    app = make_app(
        Options(interval=3600), Deps(source=SampleSource(), hostname="t", self_pid=4200)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = cells(app, 4151)
        assert shown["%cpu"] == "97.0"
        assert shown["rss"] == "148736"


async def test_sorting_by_cpu_is_numeric() -> None:
    app = make_app(
        Options(interval=3600), Deps(source=SampleSource(), hostname="t", self_pid=4200)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        index = [c.name for c in app.main.view.columns].index("%cpu")
        app.main.view.set_sort(index, reverse=True)
        app.main.table.rows_changed()
        await settle(app, pilot)
        top = [r.info.pid for r in app.main.view.rows[:3]]
        assert top == [4151, 4200, 980]  # 97.0, 3.0, 1.0 (not "97.0" < "3.0")


async def test_chosen_columns_tell_the_scanner_what_to_read() -> None:
    source = RecordingSource()
    app = make_app(
        Options(interval=3600), Deps(source=source, hostname="t", self_pid=4200)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        scans = source.scans
        app.main.show_columns(parse_columns("pid,wchan,pending,args"))
        await settle(app, pilot)
        assert source.asked[-1] == Source.WCHAN | Source.STATUS | Source.SIGNALS
        # A file not read so far: scanned again at once, not a refresh later.
        assert source.scans == scans + 1
        app.main.show_columns(parse_columns("pid,args"))
        await settle(app, pilot)
        assert source.asked[-1] == Source.NONE
        assert source.scans == scans + 1


async def test_signal_masks_read_as_names_on_screen() -> None:
    snapshot = sample_snapshot()
    pending = 1 << (signal.SIGHUP - 1) | 1 << (signal.SIGUSR1 - 1)
    processes = tuple(
        replace(
            p,
            status_more=replace(p.status_more, pending=pending),  # type: ignore[type-var]
        )
        if p.pid == 4242
        else p
        for p in snapshot.processes
    )
    source = SampleSource(ProcessSnapshot(processes, snapshot.uptime))
    app = make_app(
        Options(columns="pid,pending,blocked,args", interval=3600),
        Deps(source=source, hostname="t", self_pid=4200),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert cells(app, 4242)["pending"] == "HUP,USR1"
        assert cells(app, 4242)["blocked"] == "-"
