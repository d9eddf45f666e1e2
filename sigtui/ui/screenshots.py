"""Generate the README's screenshots from the real app on fixed sample data.

Run ``python -m sigtui.ui.screenshots`` from the repository root; the SVGs go
to ``screenshots/``. The sample data (``sigtui.processes.sample``) makes the
pictures identical on every machine.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.children import Continued, Stopped
from sigtui.delivery.dry import DrySyscalls
from sigtui.demo.narrate import Narrator
from sigtui.demo.protocol import DispositionAck, SignalReport
from sigtui.lessons import Lesson, LessonSession, find_lesson
from sigtui.processes.sample import (
    SAMPLE_SELF_PID,
    SampleSource,
    sample_snapshot,
    without,
)
from sigtui.signals import catalogue
from sigtui.signals.sample import sample_signal_state
from sigtui.trace.feed import FeedState
from sigtui.trace.records import Exited, Fate, Record, Result, Sender, TracedSignal
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.widgets.lesson_panel import LessonPanel

SIZE = (130, 36)
"""Terminal size of every screenshot."""

SAMPLE_NOW = 1_795_000_000.0
"""The pretend current time (seconds since the epoch) of the pictures."""

SAMPLE_MONOTONIC = 86_400.0
"""The pretend ``time.monotonic()`` of the pictures (traced records' clock)."""


class SampleFeed:
    """A trace feed that is on and says only what it is given: no real tracing.

    Args:
        on_records: Called with each batch of records.
        on_state: Called when tracing turns on.
    """

    def __init__(
        self,
        on_records: Callable[[list[Record]], None],
        on_state: Callable[[FeedState], None],
    ) -> None:
        self._on_records = on_records
        self._on_state = on_state

    def start(self) -> None:
        """Say that tracing is on."""
        self._on_state(FeedState(on=True, instance="sample"))

    def stop(self) -> None:
        """Nothing to stop."""

    def push(self, records: Iterable[Record]) -> None:
        """Hand records to the app, as the reader process would.

        Args:
            records: The records, in trace order.
        """
        self._on_records(list(records))


def sample_signal(
    sender: int,
    sender_name: str,
    target: int,
    target_name: str,
    name: str,
    fate: Fate,
    *,
    ago: float,
    id: int = 1,
) -> TracedSignal:
    """A made-up traced signal sent with kill(), for the pictures and tests.

    Args:
        sender: The sender's pid.
        sender_name: Its command name.
        target: The target's pid.
        target_name: Its command name.
        name: The signal's name.
        fate: What became of it.
        ago: Seconds before :data:`SAMPLE_MONOTONIC` it was sent.
        id: Its number in the trace.

    Returns:
        The record.
    """
    time = SAMPLE_MONOTONIC - ago
    return TracedSignal(
        id=id,
        time=time,
        signo=catalogue().by_name(name).number,
        code=0,
        sender=Sender.PROCESS,
        sender_pid=sender,
        sender_tid=sender,
        sender_name=sender_name,
        target_pid=target,
        target_tid=target,
        target_name=target_name,
        process_directed=True,
        result=Result.IGNORED if fate is Fate.IGNORED else Result.QUEUED,
        fate=fate,
        taken=None if fate is Fate.IGNORED else time + 0.000_042,
    )


Steps = Callable[[Pilot[int]], Awaitable[None]]


async def _main_screen(pilot: Pilot[int]) -> None:
    # Put the cursor on the compiler so its whole job (make's group) lights up.
    await pilot.press(*["down"] * 9)


async def _busiest(pilot: Pilot[int]) -> None:
    # htop's P: the process using the most CPU comes first. The cursor stays
    # on the process it was on (init), so go up to the busiest.
    await pilot.press("P", "home")


async def _columns(pilot: Pilot[int]) -> None:
    # F2: every column ps knows, the shown ones ticked and first.
    await pilot.press("f2")
    await pilot.pause()


async def _tree(pilot: Pilot[int]) -> None:
    await pilot.press("t", *["down"] * 10)


async def _filter(pilot: Pilot[int]) -> None:
    pilot.app.query_one("#filter", Input).cursor_blink = False
    await pilot.press("slash", *"alice")


async def _help(pilot: Pilot[int]) -> None:
    await pilot.press("question_mark")


async def _details(pilot: Pilot[int]) -> None:
    # The nohup'd sleep: it ignores SIGHUP and has a blocked SIGUSR1 pending.
    await pilot.press(*["down"] * 10, "i")


async def _who_killed_it(pilot: Pilot[int]) -> None:
    # The nohup'd sleep (4152), its details open: bash sends it SIGHUP (it
    # ignores it), then SIGTERM, which kills it. The trace says who; the
    # row stays, marked exited, for as long as it is selected.
    app = pilot.app
    assert isinstance(app, SigtuiApp)
    await pilot.press(*["down"] * 10, "i")
    feed = app.main.trace_feed
    assert isinstance(feed, SampleFeed)
    hup = sample_signal(3022, "bash", 4152, "sleep", "SIGHUP", Fate.IGNORED, ago=4.1)
    term = sample_signal(
        3022, "bash", 4152, "sleep", "SIGTERM", Fate.KILLED, ago=0.2, id=2
    )
    feed.push([hup])
    await pilot.pause()
    feed.push([term, Exited(term.time + 0.0001, 4152, "sleep", term.signo, by=term)])
    source = app.main.source
    assert isinstance(source, SampleSource)
    source.push(without(sample_snapshot(), 4152))
    app.main.request_scan()
    # The scan, the traced batch and the panel's own read of the masks all
    # take turns; under load the picture could be taken between them.
    for _ in range(500):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if _exit_shown(app):
            return
    raise RuntimeError("the details never said who killed the sleep")


def _exit_shown(app: SigtuiApp) -> bool:
    """Whether the selected row is gone and its traced exit is known."""
    row = app.main.table.current
    if row is None or not row.gone:
        return False
    return app.main.trace_history.exit_of(row.info.pid) is not None


async def _picker(pilot: Pilot[int]) -> None:
    await pilot.press(*["down"] * 10, "k")


async def _group_picker(pilot: Pilot[int]) -> None:
    await pilot.press(*["down"] * 9, "g")


async def _group_confirm(pilot: Pilot[int]) -> None:
    # SIGTERM to make's whole job: a group send always asks first.
    await pilot.press(*["down"] * 9, "g", *"term", "enter")


async def _projector(pilot: Pilot[int]) -> None:
    # SIGHUP to the nohup'd sleep: it ignores it, and the caption says why.
    app = pilot.app
    assert isinstance(app, SigtuiApp)
    await pilot.press("J", *["down"] * 10, "k", *"hup", "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    if isinstance(app.screen, ConfirmSend):
        await pilot.press("y")
        await app.workers.wait_for_complete()


class _PretendSession(LessonSession):
    """A lesson session whose processes are the sample's: it starts nothing.

    Args:
        lesson: The lesson.
        processes: Its processes in the sample data, pid to role.
        done: Whether each step is done.
    """

    def __init__(
        self, lesson: Lesson, processes: Mapping[int, str], done: Sequence[bool]
    ) -> None:
        super().__init__(lesson, lambda _events: None)
        self._pretend = dict(processes)
        self._done = list(done)

    @property
    def processes(self) -> dict[int, str]:
        """The sample's processes of the lesson."""
        return dict(self._pretend)

    def start(self, timeout: float = 0.0) -> None:
        """Start nothing: the processes are in the sample data already.

        Args:
            timeout: Unused.
        """


async def _lesson(pilot: Pilot[int]) -> None:
    # Lesson 5 half done, as the panel, the status line and the log show it in
    # a class. A real run would start processes; here its three are in the
    # sample.
    app = pilot.app
    assert isinstance(app, SigtuiApp)
    assert isinstance(app.main.source, SampleSource)
    app.main.source.push(sample_snapshot(lesson=True))
    lesson = find_lesson("groups")
    done = tuple(i == 0 for i in range(len(lesson.steps)))
    note = f"✓ step 1 of {len(lesson.steps)} done: {lesson.steps[0].explanation}"
    processes = {4300: "sh", 4301: "sleep", 4302: "sleep"}
    app.main.lesson_session = _PretendSession(lesson, processes, done)
    app.main.request_scan()
    await app.workers.wait_for_complete()
    app.query_one("#lesson", LessonPanel).show(lesson, done, note, processes)
    app.screen.add_class("-lesson")
    app.main.update_status()
    roles = ", ".join(f"{role} ({pid})" for pid, role in processes.items())
    app.main.log_line(
        f"lesson {lesson.number}, {lesson.title}: started {roles}. "
        "L leaves it (and ends them)"
    )
    app.main.log_line(note)
    await pilot.press("slash", *"4300", "enter")
    await pilot.press("escape")


def _signal(seq: int, name: str, t_ns: int, how: str = "catch") -> SignalReport:
    number = catalogue().by_name(name).number
    return SignalReport(
        seq, number, name, SAMPLE_SELF_PID, 1000, 0, "SI_USER", t_ns, how, None
    )


async def _demo(pilot: Pilot[int]) -> None:
    # A pretend demo on the sample data: what the log shows during one, in
    # the words a real session uses (its narrator's).
    app = pilot.app
    assert isinstance(app, SigtuiApp)
    narrator = Narrator(SAMPLE_SELF_PID, 4242)
    app.main.table.demo_pids = frozenset({4242, 4243, 4244})
    await pilot.press(*["down"] * 12)
    usr1 = catalogue().by_name("SIGUSR1").number
    lines = [
        "demo (4242) started in its own process group 4242 with members 4243, 4244",
        narrator.sent(usr1, "SIGUSR1", 1_000_000),
        *narrator.received(_signal(1, "SIGUSR1", 1_310_000)),
        narrator.changed(Stopped(4242, signal.SIGSTOP)),
        narrator.changed(Continued(4242)),
        *narrator.received(_signal(2, "SIGCONT", 9_000_000)),
        narrator.disposition(DispositionAck(usr1, "SIGUSR1", "hold")),
    ]
    lines += [narrator.sent(usr1, "SIGUSR1", 20_000_000) for _ in range(5)]
    lines.append(narrator.disposition(DispositionAck(usr1, "SIGUSR1", "catch")))
    lines += narrator.received(_signal(3, "SIGUSR1", 30_000_000, "drained"))
    for line in lines:
        app.main.log_line(line)
    await pilot.pause()


SHOTS: dict[str, Steps] = {
    "main": _main_screen,
    "demo": _demo,
    "details": _details,
    "who-killed-it": _who_killed_it,
    "picker": _picker,
    "picker-group": _group_picker,
    "confirm-group": _group_confirm,
    "projector": _projector,
    "lesson": _lesson,
    "busiest": _busiest,
    "columns": _columns,
    "tree": _tree,
    "filter": _filter,
    "help": _help,
}
"""Screenshot name to the keys that lead to it."""


def sample_app(options: Options | None = None) -> SigtuiApp:
    """Build the app on the sample data, never refreshing by itself.

    Tracing is on, through a :class:`SampleFeed` that traces nothing by itself.

    Args:
        options: The options; without an interval, an hour (the sample
            data never changes, so a refresh shows nothing new).

    Returns:
        The app.
    """
    return make_app(
        replace(
            options or Options(),
            interval=(options and options.interval) or 3600,
            trace=True,
        ),
        Deps(
            source=SampleSource(),
            syscalls=DrySyscalls(sample_snapshot()),
            state_of=lambda info: info.state,
            self_pid=SAMPLE_SELF_PID,
            hostname="classroom",
            read_state=sample_signal_state,
            clock=lambda: SAMPLE_NOW,
            trace_feed=SampleFeed,
            monotonic=lambda: SAMPLE_MONOTONIC,
        ),
    )


SHOWN_INTERVAL = 2.0
"""Seconds between refreshes in the pictures (scans of the same sample)."""


async def take(name: str, steps: Steps, out: Path) -> Path:
    """Run the app headless, drive it, and save one SVG.

    Args:
        name: The file's base name.
        steps: What to do before the picture.
        out: The folder to write to.

    Returns:
        The path written.
    """
    # The interval a user would have: the status line shows it.
    app = sample_app(Options(interval=SHOWN_INTERVAL))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await steps(pilot)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = app.save_screenshot(filename=f"{name}.svg", path=str(out))
    return Path(path)


async def take_all(out: Path) -> list[Path]:
    """Write every screenshot.

    Args:
        out: The folder to write to.

    Returns:
        The paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    return [await take(name, steps, out) for name, steps in SHOTS.items()]


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    for path in asyncio.run(take_all(args.out)):
        print(path)


if __name__ == "__main__":
    main()
