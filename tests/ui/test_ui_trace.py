"""The traced log in the TUI: scopes, floods, losses, SIGCHLD, details, exits (pilot).

Most tests drive the app on the sample data through a fake feed
(:class:`~sigtui.ui.screenshots.SampleFeed`), handing it records from another
thread as the real feed does. The first tests trace for real: a ``sleep``
the test starts, killed from a shell the test starts, or by sigtui itself.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from sigtui.processes.sample import SampleSource, sample_snapshot, without
from sigtui.trace.feed import FeedState
from sigtui.trace.records import Exited, Fate, Lost, Record
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens import main as main_screen
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.screens.main import TRACE_SHOWN
from sigtui.ui.screenshots import SampleFeed, sample_app, sample_signal
from sigtui.ui.widgets.signal_log import SignalLog
from tests.pilot import log_text, select, settle, wait_until

SIZE = (130, 36)

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="tracing needs root (CI runs as root)"
)


def static_text(widget: Static) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    content = widget.content
    console.print(Text(content) if isinstance(content, str) else content)
    return " ".join(console.export_text().split())


def title(app: SigtuiApp) -> str:
    return str(app.query_one(SignalLog).border_title)


def status(app: SigtuiApp) -> str:
    return str(app.query_one("#status", Static).render())


def details(app: SigtuiApp) -> str:
    return static_text(app.query_one("#details-body", Static))


def feed_of(app: SigtuiApp) -> SampleFeed:
    feed = app.main.trace_feed
    assert isinstance(feed, SampleFeed)
    return feed


def push(app: SigtuiApp, records: Sequence[Record]) -> None:
    """Hand records to the app from another thread, as the real feed does."""
    thread = threading.Thread(target=feed_of(app).push, args=(records,))
    thread.start()
    thread.join()


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A sleep of the test's own, in its own group; killed and reaped after."""
    sleep = shutil.which("sleep")
    assert sleep is not None
    process = subprocess.Popen([sleep, "600"], start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def reaped(process: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: process.poll() is not None


# -- real tracing ---------------------------------------------------------------


async def _traced_app(pilot: Pilot[int], app: SigtuiApp) -> None:
    await wait_until(
        pilot,
        app,
        lambda: app.main.trace_state.on or "tracing off" in log_text(app),
        "tracing to start",
    )
    assert app.main.trace_state.on, app.main.trace_state.sentence


async def _traced_and_selected(pilot: Pilot[int], app: SigtuiApp, pid: int) -> None:
    await _traced_app(pilot, app)
    await select(app, pilot, pid)


@needs_root
async def test_who_killed_a_sleep_from_a_shell(
    sleeper: subprocess.Popen[bytes],
) -> None:
    app = make_app(Options(interval=0.2, trace=True))
    async with app.run_test(size=SIZE) as pilot:
        await _traced_and_selected(pilot, app, sleeper.pid)
        await pilot.press("i")
        assert "Traced: pid" in title(app)
        shell = subprocess.Popen(["sh", "-c", f"kill -TERM {sleeper.pid}"])
        assert shell.wait(20) == 0
        sleeper.wait(20)
        who = f"killed by SIGTERM from {shell.pid} (sh)"
        await wait_until(
            pilot,
            app,
            lambda: (
                f"SIGTERM {shell.pid} (sh) → {sleeper.pid} (sleep)" in log_text(app)
            ),
            "the traced SIGTERM in the log",
        )
        assert f"{sleeper.pid} (sleep) {who}" in log_text(app)
        await wait_until(pilot, app, lambda: who in details(app), "the details")
        await wait_until(
            pilot,
            app,
            # Short or long, as the width allows; the details say it all.
            lambda: f"{sleeper.pid} killed by SIGTERM" in status(app),
            "the status line",
        )
        assert f"SIGTERM from {shell.pid} (sh), killed it" in details(app)
        row = app.main.table.current
        assert row is not None
        assert row.info.pid == sleeper.pid
        assert row.gone


@needs_root
async def test_a_send_by_sigtui_gets_its_traced_fate(
    sleeper: subprocess.Popen[bytes],
) -> None:
    app = make_app(Options(interval=0.2, trace=True))
    async with app.run_test(size=SIZE) as pilot:
        await _traced_and_selected(pilot, app, sleeper.pid)
        await pilot.press("k", "enter")  # SIGTERM is preselected
        await wait_until(pilot, app, reaped(sleeper), "the sleep to end")
        await wait_until(
            pilot,
            app,
            lambda: "traced: killed it after" in log_text(app),
            "the traced fate in the send's entry",
        )
        line = next(x for x in log_text(app).splitlines() if "traced: killed" in x)
        assert f"SIGTERM → process {sleeper.pid}" in line
        # The outcome stays last, however the trace and the watch raced.
        await wait_until(
            pilot, app, lambda: "exited" in log_text(app), "the watched outcome"
        )
        line = next(x for x in log_text(app).splitlines() if "traced: killed" in x)
        assert line.endswith(f"process {sleeper.pid} (sleep): exited")
        # Paired with the send, so not logged a second time on its own.
        assert f"({os.getpid()}) → {sleeper.pid}" not in log_text(app)


@needs_root
async def test_the_machine_scope_shows_signals_of_others() -> None:
    app = make_app(Options(interval=0.5, trace=True))
    async with app.run_test(size=SIZE) as pilot:
        await _traced_app(pilot, app)
        for _ in range(3):
            await pilot.press("w")
        assert "Traced: the whole machine" in title(app)
        sleep = shutil.which("sleep")
        assert sleep is not None
        process = subprocess.Popen([sleep, "600"], start_new_session=True)
        try:
            os.kill(process.pid, signal.SIGUSR1)
        finally:
            process.wait(20)
        # No exact counts: the machine is shared with parallel tests.
        await wait_until(
            pilot,
            app,
            # The name may still be python3: exec renames it a moment late.
            lambda: any(
                f"→ {process.pid} (" in line and "kill(); killed it" in line
                for line in log_text(app).splitlines()
            ),
            "the test's own SIGUSR1 in the machine's log",
        )


# -- a fake feed ------------------------------------------------------------------


async def _started(app: SigtuiApp, pilot: Pilot[int], downs: int = 10) -> None:
    """Settle, and put the cursor on a sample row (10: the sleep 4152)."""
    await settle(app, pilot)
    await pilot.press(*["down"] * downs)
    await settle(app, pilot)


async def test_w_cycles_the_scope_and_the_title_names_it() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        assert title(app).startswith("Traced: pid 4152 (sleep)")
        await pilot.press("w")
        assert title(app).startswith("Traced: group 4150")
        await pilot.press("w")
        assert title(app).startswith("Traced: 0 tagged")
        await pilot.press("w")
        assert title(app).startswith("Traced: the whole machine · SIGCHLD hidden")
        await pilot.press("w")
        assert title(app).startswith("Traced: pid 4152 (sleep)")
        assert "traced signals shown from now on: group 4150" in log_text(app)


async def test_the_log_shows_only_the_scope_s_signals() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        to_sleep = sample_signal(
            3022, "bash", 4152, "sleep", "SIGUSR1", Fate.CAUGHT, ago=1
        )
        to_cc1 = sample_signal(3022, "bash", 4151, "cc1", "SIGUSR2", Fate.CAUGHT, ago=1)
        to_pg = sample_signal(
            980, "postgres", 981, "postgres", "SIGHUP", Fate.CAUGHT, ago=1
        )
        push(app, [to_sleep, to_cc1, to_pg])
        await settle(app, pilot)
        text = log_text(app)
        assert "SIGUSR1 3022 (bash) → 4152 (sleep)" in text
        assert "SIGUSR2" not in text
        assert "SIGHUP" not in text
        await pilot.press("w")  # the group 4150: the sleep and cc1
        push(app, [to_sleep, to_cc1, to_pg])
        await settle(app, pilot)
        assert "SIGUSR2 3022 (bash) → 4151 (cc1)" in log_text(app)
        assert "SIGHUP" not in log_text(app)
        await pilot.press("space", "w")  # tag the sleep; the tagged set
        assert title(app).startswith("Traced: 1 tagged")
        push(app, [to_cc1, to_pg, to_sleep])
        await settle(app, pilot)
        last = log_text(app).splitlines()[-1]
        assert "SIGUSR1 3022 (bash) → 4152 (sleep)" in last
        await pilot.press("w")  # the machine
        push(app, [to_pg])
        await settle(app, pilot)
        assert "SIGHUP 980 (postgres) → 981 (postgres)" in log_text(app)


async def test_a_flood_is_one_counted_entry_and_a_burst_is_bounded() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        flood = [
            sample_signal(
                3022, "bash", 4152, "sleep", "SIGUSR1", Fate.CAUGHT, ago=1, id=n
            )
            for n in range(500)
        ]
        push(app, flood[:300])
        await settle(app, pilot)
        push(app, flood[300:])
        await settle(app, pilot)
        lines = [x for x in log_text(app).splitlines() if "SIGUSR1" in x]
        assert len(lines) == 1
        assert "×500 SIGUSR1 3022 (bash) → 4152 (sleep)" in lines[0]  # noqa: RUF001
        # A thousand different senders at once: a bounded number of entries.
        await pilot.press("w", "w", "w")
        before = len(log_text(app).splitlines())
        varied = [
            sample_signal(
                10_000 + n, "job", 4152, "sleep", "SIGUSR2", Fate.CAUGHT, ago=1, id=n
            )
            for n in range(1000)
        ]
        push(app, varied)
        await settle(app, pilot)
        lines = log_text(app).splitlines()
        assert len(lines) - before <= TRACE_SHOWN + 1
        assert f"… {1000 - TRACE_SHOWN} more traced signals at once" in log_text(app)
        assert "SIGUSR2 10999 (job)" in lines[-1]


async def test_lost_events_are_counted_in_the_title_and_the_log() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        assert "lost" not in title(app)
        push(app, [Lost(86_399.0, 12), Lost(86_399.1, 5)])
        await settle(app, pilot)
        assert "17 events lost" in title(app)
        assert "17 traced events lost" in log_text(app)
        push(app, [Lost(86_399.2, 3)])
        await settle(app, pilot)
        assert "20 events lost" in title(app)


async def test_sigchld_is_hidden_on_the_machine_and_c_shows_it() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot, downs=8)  # make (4150), the sleep's parent
        child = sample_signal(
            4152, "sleep", 4150, "make", "SIGCHLD", Fate.IGNORED, ago=1
        )
        push(app, [child])
        await settle(app, pilot)
        assert "SIGCHLD 4152 (sleep) → 4150 (make)" in log_text(app)
        await pilot.press("w", "w", "w")  # the whole machine: hidden
        assert "SIGCHLD hidden" in title(app)
        before = log_text(app).count("SIGCHLD 4152")
        push(app, [child])
        await settle(app, pilot)
        assert log_text(app).count("SIGCHLD 4152") == before
        await pilot.press("c")
        assert "SIGCHLD hidden" not in title(app)
        push(app, [child])
        await settle(app, pilot)
        assert log_text(app).count("SIGCHLD 4152") == before + 1
        assert "traced SIGCHLD and plain exits shown" in log_text(app)


async def test_the_details_list_recent_signals_and_how_it_ended() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        assert "none seen since sigtui started" in details(app)
        hup = sample_signal(3022, "bash", 4152, "sleep", "SIGHUP", Fate.IGNORED, ago=4)
        term = sample_signal(
            3022, "bash", 4152, "sleep", "SIGTERM", Fate.KILLED, ago=0.5, id=2
        )
        end = Exited(term.time, 4152, "sleep", signal.SIGTERM, by=term)
        push(app, [hup, term, end])
        source = app.main.source
        assert isinstance(source, SampleSource)
        source.push(without(sample_snapshot(), 4152))
        app.main.request_scan()
        await settle(app, pilot)
        text = details(app)
        assert "Ended killed by SIGTERM from 3022 (bash) 0.5 s ago" in text
        assert "0.5 s ago: SIGTERM from 3022 (bash), killed it after 42 µs" in text
        assert "4.0 s ago: SIGHUP from 3022 (bash), ignored" in text
        assert text.index("SIGTERM from") < text.index("SIGHUP from")  # newest first
        assert "4152 killed by SIGTERM from 3022 (bash)" in status(app)
        bash = app.main.view.snapshot.by_pid[3022]
        assert app.main.table.select(bash.identity)
        await settle(app, pilot)
        assert "0.5 s ago: sent SIGTERM to 4152 (sleep), killed it" in details(app)


async def test_a_send_by_sigtui_is_completed_with_its_traced_fate() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        await pilot.press("k", "enter")
        await settle(app, pilot)
        if isinstance(app.screen, ConfirmSend):
            await pilot.press("y")
            await settle(app, pilot)
        assert "SIGTERM → process 4152" in log_text(app)
        own = sample_signal(
            os.getpid(), "sigtui", 4152, "sleep", "SIGTERM", Fate.KILLED, ago=0.1
        )
        push(app, [own])
        await settle(app, pilot)
        line = next(x for x in log_text(app).splitlines() if "→ process 4152" in x)
        # Before the watched outcome, which stays last.
        assert "(sleep). · traced: killed it after 42 µs · process 4152" in line
        assert "(sigtui) → 4152" not in log_text(app)


async def test_tracing_off_says_why() -> None:
    def refused(
        _records: Callable[[list[Record]], None],
        on_state: Callable[[FeedState], None],
    ) -> SampleFeed:
        class Refused(SampleFeed):
            def start(self) -> None:
                on_state(FeedState(False, "Tracing needs root: run sigtui as root."))

        return Refused(_records, on_state)

    app = make_app(
        Options(interval=3600, trace=True),
        Deps(source=SampleSource(), trace_feed=refused),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert title(app) == "tracing off: Tracing needs root: run sigtui as root."
        assert "tracing off: Tracing needs root" in log_text(app)
        await pilot.press("w")  # says it again rather than nothing
        assert app.main.trace_scope.value == "group"


async def test_no_trace_starts_no_feed() -> None:
    started: list[object] = []

    def counted(
        records: Callable[[list[Record]], None],
        on_state: Callable[[FeedState], None],
    ) -> SampleFeed:
        started.append(records)
        return SampleFeed(records, on_state)

    app = make_app(
        Options(interval=3600), Deps(source=SampleSource(), trace_feed=counted)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert started == []
        assert title(app) == "tracing off: sigtui was started with --no-trace."


async def test_a_ui_that_falls_behind_drops_the_oldest_and_counts_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(main_screen, "TRACE_INBOX", 10)
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _started(app, pilot)
        batch = [
            sample_signal(
                3022, "bash", 4152, "sleep", "SIGUSR1", Fate.CAUGHT, ago=1, id=n
            )
            for n in range(25)
        ]
        push(app, batch)  # one batch of 25 reaches an inbox of 10
        await settle(app, pilot)
        assert "15 events lost" in title(app)
        assert "15 traced events lost" in log_text(app)
        assert "×10 SIGUSR1 3022 (bash) → 4152 (sleep)" in log_text(app)  # noqa: RUF001


async def test_a_slow_read_for_a_live_row_does_not_hide_how_it_ended() -> None:
    # The panel reads a live row's masks in a thread. If the process ends
    # meanwhile, the answer for the live row must not overwrite the newer
    # "gone, killed by ..." view (it did: the same process, so the same
    # identity, was all the panel checked).
    from textual.app import App, ComposeResult

    from sigtui.processes.layout import Row
    from sigtui.processes.model import ProcessInfo
    from sigtui.signals.sample import sample_signal_state
    from sigtui.signals.state import SignalState
    from sigtui.ui.widgets.details import ProcessDetails

    release = threading.Event()
    reading = threading.Event()

    def slow_state(info: ProcessInfo) -> SignalState:
        reading.set()
        release.wait(20)
        return sample_signal_state(info)

    class Panel(App[None]):
        def compose(self) -> ComposeResult:
            yield ProcessDetails(id="details")

    snapshot = sample_snapshot()
    info = next(p for p in snapshot.processes if p.pid == 4152)
    panel_app = Panel()
    async with panel_app.run_test(size=(80, 40)) as pilot:
        panel = panel_app.query_one(ProcessDetails)
        panel.show_row(Row(info, ()), snapshot, slow_state, [], "")
        await pilot.pause()
        assert reading.wait(20)
        ended = "killed by SIGTERM from 3022 (bash) 0.2 s ago"
        gone = Row(info, (), gone=True)
        panel.show_row(gone, snapshot, slow_state, [], ended)
        release.set()
        await panel_app.workers.wait_for_complete()
        await pilot.pause()
        assert ended in static_text(panel_app.query_one("#details-body", Static))
