"""Goals 2, 4 and 5: what the UI thread does per refresh, first paint, key latency.

Usage: python -m benchmarks.ui [--extra 0,1000,3000,10000] [--presses 200]
                              [--letter f]

The app runs headless (``App.run_test``, 200x50): Textual lays out, renders
and composites as usual; this script also turns every screen update into
terminal escape codes (what the real driver would write) so that the repaint
is counted in full. Three measurements:

* **refresh** (synthetic, N processes, no sleepers needed): a fake source
  serves snapshots where per refresh 1 % of the processes changed, 0.2 % are
  new and 0.2 % gone. Timed on the UI thread (``time.thread_time``): the
  apply (installing the layout the scan worker prepared, up to the table
  marked for repaint) and the repaint that
  follows, next to the repaint a cursor move causes.
* **first paint** (real /proc with N sleepers): from the end of the first scan
  to the first screen update that shows the table.
* **key latency** (real /proc with N sleepers, refreshing every second): keys
  (cursor down/up, and typing and erasing filter text) are posted the way the
  terminal driver posts them: from a thread of their own, 20 to 120 ms after
  the previous key showed, so a key that comes while the app is busy (a
  scan's layout, a garbage collection) waits for it, and the wait counts.
  (Until 2026-12-06 they were posted from the app's event loop, which could
  post a key only once the loop was free: a pause between two keys delayed
  the next key's posting, not its answer.) Latency is from posting to
  the end of the screen update that shows the result: the first one after the
  table drew lines for the key's rows (and, for a filter key, after the
  filter box drew the new text too). Textual may show the box's echo one
  frame before the refiltered table; that earlier frame does not count.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.strip import Strip
from textual.widgets import Input

from benchmarks.common import (
    machine_line,
    med_range,
    parse_extra,
    population,
    positive,
    progress,
)
from sigtui.processes import (
    DEFAULT_COLUMNS,
    ProcessInfo,
    ProcessSnapshot,
    ProcfsScanner,
    parse_columns,
)
from sigtui.processes.columns import sources_of
from sigtui.processes.model import StatusMore
from sigtui.processes.view import Layout
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.main import SCAN_GROUP
from sigtui.ui.widgets.process_table import ProcessTable

SIZE = (200, 50)
DASH = "\u2013"


# --------------------------------------------------------------------------
# Hooks: when did the screen last reach the terminal, and what was handled.


@dataclass
class Marks:
    """Timestamps the hooks collect (perf_counter seconds)."""

    displays: list[float] = field(default_factory=list)
    handled: list[float] = field(default_factory=list)
    table_drawn: list[float] = field(default_factory=list)
    box_drawn: list[float] = field(default_factory=list)
    display_event: asyncio.Event | None = None


@contextlib.contextmanager
def hooked(marks: Marks) -> Iterator[None]:
    """Time screen updates (rendered to escape codes), table changes and draws."""
    original_display = SigtuiApp._display
    original_rows_changed = ProcessTable.rows_changed
    original_set_cursor = ProcessTable._set_cursor
    original_table_line = ProcessTable.render_line
    original_box_line = Input.render_line

    def display(self: SigtuiApp, screen: Any, renderable: Any) -> None:
        original_display(self, screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            # What the real driver would do with it; headless skips this.
            renderable.render_segments(self.console)
            marks.displays.append(time.perf_counter())
            if marks.display_event is not None:
                marks.display_event.set()

    def rows_changed(self: ProcessTable) -> None:
        original_rows_changed(self)
        marks.handled.append(time.perf_counter())

    def set_cursor(self: ProcessTable, index: int, *, repaint: bool = True) -> None:
        original_set_cursor(self, index, repaint=repaint)
        marks.handled.append(time.perf_counter())

    # A line is drawn only when it was marked for repaint: these say when the
    # table (or the filter box) drew what a key changed, which may be a frame
    # after the key was handled.
    def table_line(self: ProcessTable, y: int) -> Strip:
        marks.table_drawn.append(time.perf_counter())
        return original_table_line(self, y)

    def box_line(self: Input, y: int) -> Strip:
        if self.id == "filter":
            marks.box_drawn.append(time.perf_counter())
        return original_box_line(self, y)

    SigtuiApp._display = display  # type: ignore[method-assign,assignment,unused-ignore]
    ProcessTable.rows_changed = rows_changed  # type: ignore[method-assign]
    ProcessTable._set_cursor = set_cursor  # type: ignore[method-assign]
    ProcessTable.render_line = table_line  # type: ignore[method-assign]
    Input.render_line = box_line  # type: ignore[method-assign]
    try:
        yield
    finally:
        SigtuiApp._display = original_display  # type: ignore[method-assign]
        ProcessTable.rows_changed = original_rows_changed  # type: ignore[method-assign]
        ProcessTable._set_cursor = original_set_cursor  # type: ignore[method-assign]
        ProcessTable.render_line = original_table_line  # type: ignore[method-assign]
        Input.render_line = original_box_line  # type: ignore[method-assign]


async def next_display(marks: Marks, after: float, timeout: float = 10.0) -> float:
    """Wait for a screen update that ends after ``after``; return its time."""
    deadline = time.perf_counter() + timeout
    while True:
        if marks.displays and marks.displays[-1] > after:
            return marks.displays[-1]
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError("no screen update")
        event = marks.display_event = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=left)


def first_after(times: list[float], after: float) -> float | None:
    """The first of the (rising) times that is later than ``after``."""
    at = bisect.bisect_right(times, after)
    return times[at] if at < len(times) else None


async def shown(marks: Marks, posted: float, handled: float, *, box: bool) -> float:
    """When the screen showed a key's result; see the module's docstring.

    Args:
        marks: The hooks' timestamps.
        posted: When the key was posted.
        handled: When the table took the key's change (new rows, cursor).
        box: Also wait for the filter box to draw (a filter key).

    Returns:
        The end of the first screen update after those draws.
    """

    def drawn() -> float | None:
        table = first_after(marks.table_drawn, handled)
        echo = first_after(marks.box_drawn, posted) if box else table
        if table is None or echo is None:
            return None
        return max(table, echo)

    await wait_for(lambda: drawn() is not None, timeout=10.0)
    at = drawn()
    assert at is not None
    return await next_display(marks, at)


def post_after(app: SigtuiApp, key: events.Key, delay: float) -> float:
    """In a thread of its own, wait ``delay`` seconds, then post ``key`` to ``app``.

    This is what the terminal driver's input thread does with a key typed at
    that moment: whatever the app is busy with then (a scan's layout, a
    garbage collection), the key waits for it, and that wait is part of the
    key's latency. Timed from the app's own event loop instead, a key could
    only be posted once the loop was free again.

    Returns:
        When the key was posted (perf_counter seconds).
    """
    time.sleep(delay)
    posted = time.perf_counter()
    app.post_message(key)
    return posted


async def wait_for(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll a condition (every millisecond), bounded."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.001)


# --------------------------------------------------------------------------
# Refresh cost on synthetic data.


_STATUS = StatusMore(
    uids=(1000, 1000, 1000, 1000),
    gids=(1000, 1000, 1000, 1000),
    groups=(),
    vm_size=20_000,
    vm_rss=9_000,
    vm_data=4_000,
    vm_stack=132,
    pending=0,
    thread_pending=0,
    blocked=0,
    ignored=0,
    caught=0,
)


class TypicalChurn:
    """Snapshots of N processes; each scan changes 1 %, adds and ends 0.2 %.

    As the real scanner does for the default columns' live %CPU, a process
    that used CPU shows it for one refresh and 0.0 on the next (so about 2 %
    of the rows change per refresh); every process has a resident size.
    """

    def __init__(self, n: int, seed: int = 1) -> None:
        self._random = random.Random(seed)
        self._next_pid = 100
        self._uptime = 10_000.0
        self._processes = {p.pid: p for p in (self._new() for _ in range(n))}
        self._busy: list[int] = []
        self.current = self._snapshot()

    def _new(self) -> ProcessInfo:
        pid = self._next_pid
        self._next_pid += 1
        return ProcessInfo(
            pid=pid,
            ppid=1,
            pgid=pid - pid % 50,
            sid=pid - pid % 50,
            tpgid=-1,
            tty=None,
            state="S",
            flags=0x400000,
            nice=0,
            num_threads=1,
            locked=False,
            uid=1000,
            user="teacher",
            cpu_time=0.5,
            start_time=self._uptime - pid,
            comm="worker",
            cmdline=("worker", "--id", str(pid), "--queue", "jobs"),
            cpu_percent=0.0,
            status_more=_STATUS,
        )

    def _snapshot(self) -> ProcessSnapshot:
        ordered = tuple(sorted(self._processes.values(), key=lambda p: p.pid))
        return ProcessSnapshot(ordered, self._uptime)

    def advance(self) -> None:
        """Make the next snapshot."""
        n = len(self._processes)
        pids = list(self._processes)
        for pid in self._busy:
            p = self._processes.get(pid)
            if p is not None:
                self._processes[pid] = dataclasses.replace(p, cpu_percent=0.0)
        self._busy = self._random.sample(pids, max(1, n // 100))
        for pid in self._busy:
            p = self._processes[pid]
            self._processes[pid] = dataclasses.replace(
                p, cpu_time=p.cpu_time + 0.01, cpu_percent=1.0
            )
        for pid in self._random.sample(pids, max(1, n // 500)):
            del self._processes[pid]
        for _ in range(max(1, n // 500)):
            p = self._new()
            self._processes[p.pid] = p
        self._uptime += 1.0
        self.current = self._snapshot()

    def scan(self) -> ProcessSnapshot:
        """The current snapshot (the benchmark advances it between scans)."""
        return self.current


@dataclass
class RefreshResult:
    """UI-thread milliseconds per refresh and per cursor move."""

    n: int
    apply: list[float] = field(default_factory=list)
    refresh_cycle: list[float] = field(default_factory=list)
    key_cycle: list[float] = field(default_factory=list)


async def _refresh_cost(n: int, rounds: int) -> RefreshResult:
    source = TypicalChurn(n)
    app = make_app(
        Options(interval=3600), Deps(source=source, hostname="bench", self_pid=1)
    )
    marks = Marks()
    result = RefreshResult(n)
    applying: list[float] = []
    original = ProcessTable.show_layout

    def show_layout(self: ProcessTable, layout: Layout) -> None:
        t0 = time.perf_counter()
        original(self, layout)
        applying.append(time.perf_counter() - t0)

    ProcessTable.show_layout = show_layout  # type: ignore[method-assign]
    try:
        with hooked(marks):
            async with app.run_test(size=SIZE) as pilot:
                await wait_for(lambda: app.main.scans >= 1)
                await pilot.pause()
                for i in range(rounds):
                    source.advance()
                    scans = app.main.scans
                    cpu0 = time.thread_time()
                    app.main.request_scan()
                    await wait_for(lambda s=scans: app.main.scans > s)  # type: ignore[misc]
                    # Only changed visible lines are repainted: when none
                    # changed there is no screen update to wait for.
                    with contextlib.suppress(TimeoutError):
                        await next_display(marks, marks.handled[-1], timeout=0.1)
                    result.refresh_cycle.append((time.thread_time() - cpu0) * 1e3)
                    result.apply.append(applying[-1] * 1e3)
                    # A cursor move, for the cost of a repaint alone.
                    cpu0 = time.thread_time()
                    key = "down" if i % 2 == 0 else "up"
                    app.post_message(events.Key(key, None))
                    before = len(marks.handled)
                    await wait_for(lambda b=before: len(marks.handled) > b)  # type: ignore[misc]
                    await next_display(marks, marks.handled[-1])
                    result.key_cycle.append((time.thread_time() - cpu0) * 1e3)
                app.exit()
    finally:
        ProcessTable.show_layout = original  # type: ignore[method-assign]
    return result


def refresh_cost(n: int, rounds: int = 15) -> RefreshResult:
    """Goal 2 at N synthetic processes."""
    return asyncio.run(_refresh_cost(n, rounds))


# --------------------------------------------------------------------------
# First paint and key latency on the real system.


class TimedScanner:
    """The real scanner, remembering when each scan ended."""

    def __init__(self) -> None:
        # What the app's default scanner reads for the default columns.
        self._scanner = ProcfsScanner(
            sources=sources_of(parse_columns(DEFAULT_COLUMNS))
        )
        self.ended: list[float] = []
        self.durations: list[float] = []

    def scan(self) -> ProcessSnapshot:
        """Scan /proc."""
        t0 = time.perf_counter()
        snapshot = self._scanner.scan()
        self.ended.append(time.perf_counter())
        self.durations.append(self.ended[-1] - t0)
        return snapshot

    def close(self) -> None:
        """Close the scanner's files."""
        self._scanner.close()


LETTER = "f"
"""The filter letter typed and erased in turn. It matches a few processes
here, so each letter takes the table from every row to a few and back: the
most rows to filter and to draw again. ``--letter 1`` (any pid with a 1)
keeps many rows."""


@dataclass
class LiveResult:
    """First paint and key latencies on the real system."""

    nprocs: int
    first_scan_ms: list[float]
    paint_after_scan_ms: list[float]
    cursor_ms: list[float] = field(default_factory=list)
    filter_ms: list[float] = field(default_factory=list)
    scans: int = 0
    letter: str = LETTER
    quiet_filter_ms: list[float] = field(default_factory=list)
    """The same filter keys afterwards, with refreshing paused."""
    pid: int = 0
    """The interpreter that measured them."""


async def _live(presses: int, seed: int, letter: str = LETTER) -> LiveResult:
    source = TimedScanner()
    app = make_app(Options(interval=1.0), Deps(source=source, hostname="bench"))
    marks = Marks()
    rng = random.Random(seed)
    try:
        with hooked(marks):
            async with app.run_test(size=SIZE) as pilot:
                await wait_for(lambda: app.main.scans >= 1)
                painted = await next_display(marks, source.ended[0])
                result = LiveResult(
                    len(app.main.snapshot or ()),
                    [source.durations[0] * 1e3],
                    [(painted - source.ended[0]) * 1e3],
                    letter=letter,
                )
                await pilot.press("slash")  # open the filter box
                await pilot.press("escape")

                async def timed(key: str, filtering: bool, gap: float) -> float:
                    """Post a key ``gap`` s from now, as the driver does; ms to show."""
                    event = events.Key(key, letter if key == letter else None)
                    posted = await asyncio.to_thread(post_after, app, event, gap)
                    await wait_for(
                        lambda: first_after(marks.handled, posted) is not None
                    )
                    handled = first_after(marks.handled, posted)
                    assert handled is not None
                    end = await shown(marks, posted, handled, box=filtering)
                    return (end - posted) * 1e3

                typed = False
                filtering = False
                for i in range(presses):
                    if i % 10 == 0:
                        # Runs of ten keys of each kind in turn (at random
                        # moments within); switching focus repaints
                        # the footer, which is let settle before timing again.
                        filtering = (i // 10) % 2 == 1  # alternate the kinds
                        if filtering:
                            if not app.query_one("#filter").has_focus:
                                app.post_message(events.Key("slash", "/"))
                        else:
                            app.main.table.focus()
                        await asyncio.sleep(0.2)
                    gap = rng.uniform(0.02, 0.12)
                    if filtering:
                        # Type a letter, then erase it: every key changes the text.
                        key = "backspace" if typed else letter
                        typed = not typed
                    else:
                        key = "down" if i % 2 else "up"
                    latency = await timed(key, filtering, gap)
                    (result.filter_ms if filtering else result.cursor_ms).append(
                        latency
                    )
                result.scans = app.main.scans
                # The same filter keys with refreshing paused: what a key
                # costs without sharing the interpreter with a scan.
                app.main.paused = True
                await wait_for(
                    lambda: (
                        not any(
                            w.group == SCAN_GROUP and not w.is_finished
                            for w in app.workers
                        )
                    )
                )
                if not app.query_one("#filter").has_focus:
                    app.post_message(events.Key("slash", "/"))
                await asyncio.sleep(0.2)
                for _ in range(presses // 2):
                    gap = rng.uniform(0.02, 0.12)
                    key = "backspace" if typed else letter
                    typed = not typed
                    result.quiet_filter_ms.append(await timed(key, True, gap))
                app.exit()
    finally:
        source.close()
    return result


async def _first_paint() -> tuple[float, float]:
    """Start the app once: (first scan ms, first paint after it ms)."""
    source = TimedScanner()
    app = make_app(Options(interval=3600), Deps(source=source, hostname="bench"))
    marks = Marks()
    try:
        with hooked(marks):
            async with app.run_test(size=SIZE):
                await wait_for(lambda: app.main.scans >= 1)
                painted = await next_display(marks, source.ended[0])
                app.exit()
    finally:
        source.close()
    return source.durations[0] * 1e3, (painted - source.ended[0]) * 1e3


def live(
    presses: int = 200, seed: int = 1, starts: int = 5, letter: str = LETTER
) -> LiveResult:
    """Goals 4 and 5 on the processes running now, each start in a fresh interpreter.

    A sigtui is a process of its own. Measured in one interpreter after other
    measurements, the keys would also pay for the heap those left behind: at
    10,000 processes, after the rounds at 0, 1,000 and 3,000 had run in it,
    the garbage collector's full passes took 33 to 45 ms instead of 10 to 20,
    and the p99 of filter keys was 53 to 61 ms instead of 27 to 33; after
    just the four starts that time first paint, 53 and 56 ms instead of 37
    and 38 (300 keys, two runs each).

    Args:
        presses: Keys to time.
        seed: For the random moments between keys.
        starts: How many app starts first paint is measured over (the last
            is the one keys are then timed in).
        letter: The filter letter (see :data:`LETTER`).

    Returns:
        The timings.
    """
    firsts = [_in_fresh_interpreter({"task": "first paint"}) for _ in range(starts - 1)]
    asked = {"task": "keys", "presses": presses, "seed": seed, "letter": letter}
    result = LiveResult(**_in_fresh_interpreter(asked))
    result.first_scan_ms[:0] = [scan for scan, _ in firsts]
    result.paint_after_scan_ms[:0] = [paint for _, paint in firsts]
    return result


def _in_fresh_interpreter(task: dict[str, Any]) -> Any:
    """Run one measurement of :func:`live` in a new interpreter; its JSON result.

    Raises:
        RuntimeError: If that interpreter failed.
    """
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ui", "--live-child", json.dumps(task)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measuring interpreter exited {done.returncode}")
    return json.loads(done.stdout.splitlines()[-1])


def measure_here(task: dict[str, Any]) -> Any:
    """One measurement of :func:`live`, in this interpreter (what a child runs).

    Args:
        task: ``{"task": "first paint"}``, or ``{"task": "keys"}`` with the
            arguments of :func:`_live`.

    Returns:
        A JSON-ready result: (first scan ms, first paint ms), or the keys'
        :class:`LiveResult` as a dict.
    """
    task = dict(task)
    if task.pop("task") == "first paint":
        return asyncio.run(_first_paint())
    result = asyncio.run(_live(**task))
    result.pid = os.getpid()
    return dataclasses.asdict(result)


# --------------------------------------------------------------------------
# Report.


def p99(values: Sequence[float]) -> float:
    """The 99th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _median_p99(values: Sequence[float]) -> str:
    if not values:
        return "\u2013"
    return f"{statistics.median(values):.1f} / {p99(values):.1f}"


def tables(
    refresh_rows: Sequence[RefreshResult], live_rows: Sequence[LiveResult]
) -> list[str]:
    """The results as Markdown lines."""
    lines = [
        "| N (synthetic) | apply ms | refresh: UI-thread CPU ms "
        "| cursor move: UI-thread CPU ms |",
        "|---|---|---|---|",
    ]
    for r in refresh_rows:
        lines.append(
            f"| {r.n} | {med_range(r.apply)} | {med_range(r.refresh_cycle)} "
            f"| {med_range(r.key_cycle)} |"
        )
    lines += [
        "",
        "| N (procs) | first scan ms | first paint after scan ms "
        "| cursor key ms median / p99 | filter key ms median / p99 "
        "| same, refreshing paused | keys | scans |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lr in live_rows:
        lines.append(
            f"| {lr.nprocs} | {med_range(lr.first_scan_ms, 0)} "
            f"| {med_range(lr.paint_after_scan_ms, 0)} "
            f"| {statistics.median(lr.cursor_ms):.1f} / {p99(lr.cursor_ms):.1f} "
            f"| {statistics.median(lr.filter_ms):.1f} / {p99(lr.filter_ms):.1f} "
            f"(`{lr.letter}`) | {_median_p99(lr.quiet_filter_ms)} "
            f"| {len(lr.cursor_ms) + len(lr.filter_ms)} | {lr.scans} |"
        )
    lines += [
        "",
        "Refresh: median (min\u2013max) over rounds; apply = installing the "
        "layout the scan worker prepared; UI-thread CPU = time.thread_time() of "
        "the UI thread from the scan request to the screen update, including "
        "the repaint; a cursor move is the same for one key. Keys: latency "
        "from posting the key to the end of the screen update showing it "
        "(the table's new lines and, for a filter key, the box's text), "
        "a filter key being the letter shown, or the backspace after it, "
        "then half as many filter keys again with refreshing paused (no scan "
        "shares the interpreter with them), "
        "while the real scanner refreshes every second. First scan and first "
        "paint: over 5 starts of the app.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=parse_extra, default=[0, 1000, 3000, 10000])
    parser.add_argument("--presses", type=positive, default=200)
    parser.add_argument("--rounds", type=positive, default=15)
    parser.add_argument(
        "--letter",
        default=LETTER,
        help=f"the filter letter typed and erased (default {LETTER!r}: see LETTER)",
    )
    parser.add_argument("--live-child", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.live_child is not None:
        # One measurement for live() in the parent: its result as JSON.
        print(json.dumps(measure_here(json.loads(args.live_child))))
        return 0
    if len(args.letter) != 1 or not args.letter.isprintable():
        parser.error(f"--letter takes one printable character, not {args.letter!r}")
    refresh_rows = []
    live_rows = []
    try:
        for extra in args.extra:
            n = max(extra, 100)
            progress(f"refresh cost at {n} synthetic processes")
            refresh_rows.append(refresh_cost(n, args.rounds))
            with population(extra):
                progress(f"first paint and {args.presses} keys at +{extra}")
                live_rows.append(live(args.presses, letter=args.letter))
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    print("\n".join(tables(refresh_rows, live_rows)))
    print()
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
