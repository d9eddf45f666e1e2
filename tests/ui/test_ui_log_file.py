"""--log: every log entry goes to the file; a full disk is reported once."""

from __future__ import annotations

import io
import json

from textual.widgets import Log

from sigtui.ui.app import make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.widgets.signal_log import SignalLog


async def test_log_entries_go_to_the_log_file_as_json_lines() -> None:
    from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource

    sink = io.StringIO()
    app = make_app(
        Options(interval=3600, log_file=sink),
        Deps(source=SampleSource(), self_pid=SAMPLE_SELF_PID),
    )
    async with app.run_test() as pilot:
        await pilot.pause()
        app.main.log_line("hello from a test")
        shown = [str(line) for line in app.query_one("#log", Log).lines]
    entries = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [e["entry"] for e in entries][-1] == "hello from a test"
    assert all(isinstance(e["time"], float) for e in entries)
    assert len(entries) == len(shown)


async def test_a_full_disk_is_reported_once_and_the_app_goes_on() -> None:
    class FullDisk(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    app = make_app(Options(interval=3600, log_file=FullDisk()))
    async with app.run_test() as pilot:
        await pilot.pause()
        app.main.log_line("one")
        app.main.log_line("two")
        await pilot.pause()
        assert app.query_one(SignalLog).file_failed
        assert "two" in str(app.query_one("#log", Log).lines[-1])
