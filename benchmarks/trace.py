"""Issue 17's Measure: what tracing every signal on the machine costs.

Usage: python -m benchmarks.trace [--rates 100,1000,10000,50000] [--seconds 5]
                                  [--repeat 3] [--modes json,feed] [--quick]
                                  [--write] [--keys] [--key-rate 10000]
                                  [--presses 200]
       python -m benchmarks.trace --stages

Needs root (the reader mounts tracefs privately and makes its own instance).
For each rate it starts a **target** (a Python process that catches
``SIGRTMIN`` with a handler: a realtime signal is queued, never merged, so
each signal gives a ``signal_generate`` and a ``signal_deliver`` event) and
paced **senders** (separate processes calling ``os.kill`` in batches every
millisecond, against a deadline, so a slow moment is made up; several
senders share a high rate), all started by this script and signalled only by
pid. Signals go only to that target. The reader runs in one of two forms:

* ``json``: ``python -m sigtui trace --json``, its output to a file on
  ``/dev/shm`` (memory, like ``/dev/null`` but countable afterwards);
* ``feed``: the TUI's form, a :class:`~sigtui.trace.feed.TraceFeed` in this
  process: it runs ``python -m sigtui trace --feed`` with its standard input
  held open and decodes the JSON lines on a thread (``from_json``); that
  thread's CPU is the TUI's decoding cost.

CPU % = Δ(utime+stime) of the reader process (and of the feed's thread, from
``/proc/self/task/TID/stat``) over exactly the sending window, as % of one
core. Lost = the sum of the reader's ``{"type": "lost"}`` records. Traced =
distinct records of the target's signal for the target's pid, against the
signals the senders report sent. The rate achieved is sent ÷ window.

``--keys`` also times keys in the TUI (as ``benchmarks.ui`` does) while
``--key-rate`` signals a second are sent, and says whether the app ran a
trace reader meanwhile (a child ``sigtui trace --feed``).

Everything started here is ended on every way out, Ctrl-C and SIGTERM too.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import functools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import machine_line, parse_extra, positive, progress
from sigtui.procfs import read_stat_fields
from sigtui.trace.feed import FeedState, TraceFeed
from sigtui.trace.records import Lost, Record, TracedSignal

RATES = (100, 1000, 10000, 50000)
MODES = ("json", "feed")
SIGNAL = signal.SIGRTMIN
MARKER = signal.SIGWINCH
"""Sent to the target until the reader shows it: tracing has started.

SIGWINCH is ignored by default: it makes one record (ignored) and no delivery.
"""

PER_SENDER = 25_000
"""Signals a second one Python sender is asked for at most (it manages about
twice that on the machine this was written on, with the tracepoints on)."""

QUIET_S = 1.6
"""The reader has caught up once its output has not grown for this long: the
batch (0.1 s) plus the pairing's hold (1 s) plus a margin."""

CATCH_UP_S = 60.0
"""Seconds after the last send the reader is given at most to catch up."""

READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Tracing every signal (benchmarks/trace.py)"

TARGET_CODE = """
import signal, sys
signal.signal(int(sys.argv[1]), lambda signo, frame: None)
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.buffer.read()  # until the benchmark closes our standard input
"""

SENDER_CODE = """
import json, os, signal, sys, time
target, signo, rate, start, seconds = (
    int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]),
    float(sys.argv[4]), float(sys.argv[5]),
)
kill = os.kill
tick = max(0.001, 1.0 / rate)
end = start + seconds
stopped = []
signal.signal(signal.SIGTERM, lambda signo, frame: stopped.append(signo))
time.sleep(max(0.0, start - time.monotonic()))
sent = 0
try:
    while not stopped:
        now = time.monotonic()
        if now >= end:
            break
        # Deadline-based: what is due by now, so a late wake catches up.
        for _ in range(int((now - start) * rate) - sent):
            kill(target, signo)
            sent += 1
        time.sleep(tick)
except ProcessLookupError:
    pass
print(json.dumps({"sent": sent}), flush=True)
"""


# --------------------------------------------------------------------------
# CPU from /proc.


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """utime + stime of a process (or of one of its threads), in seconds.

    Args:
        pid: The process.
        tid: One of its threads, or None for the whole process.

    Returns:
        The CPU seconds so far (0.0 if it is gone).
    """
    return sum(cpu_split(pid, tid))


def cpu_split(pid: int, tid: int | None = None) -> tuple[float, float]:
    """utime and stime of a process (or of one of its threads), in seconds.

    Args:
        pid: The process.
        tid: One of its threads, or None for the whole process.

    Returns:
        Seconds in user mode and in the kernel so far (0.0 if it is gone).
    """
    if tid is None:
        fields = read_stat_fields(pid)
    else:
        try:
            data = Path(f"/proc/{pid}/task/{tid}/stat").read_bytes()
            fields = data[data.rindex(b")") + 2 :].split()
        except (OSError, ValueError):
            fields = None
    if fields is None or len(fields) < 13:
        return 0.0, 0.0
    # Fields 14 and 15 of stat; index 0 here is field 3 (the state).
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


# --------------------------------------------------------------------------
# The load: a target that catches the signal, paced senders.


@dataclass
class Load:
    """A target process and the senders that signal it, all started here."""

    target: subprocess.Popen[bytes]
    senders: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        """The target's pid."""
        return self.target.pid

    def mark(self) -> None:
        """Send the marker signal to the target (ours, alive until we end it)."""
        if self.target.poll() is None:
            os.kill(self.target.pid, MARKER)

    def send(self, rate: int, start: float, seconds: float) -> None:
        """Start senders that together send ``rate`` signals a second.

        Args:
            rate: Signals a second, shared by ``ceil(rate / PER_SENDER)`` senders.
            start: When to start, ``time.monotonic()`` seconds.
            seconds: For how long.
        """
        count = max(1, -(-rate // PER_SENDER))
        for _ in range(count):
            self.senders.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        SENDER_CODE,
                        str(self.pid),
                        str(int(SIGNAL)),
                        str(rate / count),
                        repr(start),
                        repr(seconds),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    start_new_session=True,
                )
            )

    def cpu(self) -> float:
        """CPU seconds the target and the senders have used so far."""
        return sum(cpu_seconds(p.pid) for p in [self.target, *self.senders])

    def sent(self, timeout: float, *, now: bool = False) -> int:
        """Wait for the senders to end; the signals they sent together.

        Args:
            timeout: Seconds to wait for each.
            now: Ask them to stop now (SIGTERM) rather than at their deadline.

        Returns:
            How many signals they sent.
        """
        total = 0
        if now:
            for sender in self.senders:
                if sender.poll() is None:
                    sender.terminate()
        for sender in self.senders:
            out, _ = sender.communicate(timeout=timeout)
            with contextlib.suppress(ValueError):
                total += int(json.loads(out)["sent"])
        self.senders.clear()
        return total

    def stop(self) -> None:
        """End the senders, then the target (each by its pid), and reap them."""
        for process in [*self.senders, self.target]:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_TIMEOUT_S)
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self.senders.clear()


@contextlib.contextmanager
def load() -> Iterator[Load]:
    """A target that catches :data:`SIGNAL`; ended (with any sender) on the way out."""
    target = subprocess.Popen(
        [sys.executable, "-c", TARGET_CODE, str(int(SIGNAL))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    started = Load(target)
    try:
        assert target.stdout is not None
        if target.stdout.readline() != b"ready\n":
            raise RuntimeError("the target did not start")
        yield started
    finally:
        started.stop()


# --------------------------------------------------------------------------
# The readers: sigtui trace --json to a file, or a TraceFeed in this process.


@dataclass
class Count:
    """What a reader gave out: the target's records, losses, the rest."""

    target: int
    ids: set[int] = field(default_factory=set)
    delivered: set[int] = field(default_factory=set)
    marked: bool = False
    lost: int = 0
    other: int = 0

    def add(self, record: Record) -> None:
        """Count one record."""
        if isinstance(record, TracedSignal):
            if record.target_pid != self.target:
                self.other += 1
            elif record.signo == SIGNAL:
                self.ids.add(record.id)
                if record.taken is not None:
                    self.delivered.add(record.id)
            elif record.signo == MARKER:
                self.marked = True
        elif isinstance(record, Lost):
            self.lost += record.count
        else:
            self.other += 1

    def reset(self) -> None:
        """Forget what came before the measured window (the markers)."""
        self.ids.clear()
        self.delivered.clear()
        self.lost = 0
        self.other = 0


class JsonReader:
    """``python -m sigtui trace --json`` writing to a file in memory."""

    def __init__(self, count: Count, directory: str) -> None:
        self.count = count
        self.path = Path(directory, "trace.jsonl")
        self._out = open(self.path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sigtui", "trace", "--json"],
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._offset = 0
        self._seen = 0
        self._target_lines = 0
        self.thread_id: int | None = None

    @property
    def pid(self) -> int:
        """The reader process."""
        return self.process.pid

    def poll_marker(self) -> bool:
        """Whether the marker has shown up in the output yet."""
        with open(self.path, "rb") as file:
            file.seek(self._offset)
            data = file.read()
        if b'"signo": %d' % MARKER in data:
            self._offset += len(data)
            return True
        return False

    def progress(self) -> int:
        """Records for the target written so far (grows while it catches up).

        Only the target's: the rest of the machine may add records any time.
        """
        with open(self.path, "rb") as file:
            file.seek(self._seen)
            data = file.read()
        end = data.rfind(b"\n") + 1
        self._seen += end
        self._target_lines += data[:end].count(b'"target_pid": %d,' % self.count.target)
        return self._target_lines

    def failed(self) -> str | None:
        """Why the reader ended, if it did."""
        if self.process.poll() is None:
            return None
        assert self.process.stderr is not None
        return self.process.stderr.read().decode(errors="replace").strip()

    def stop(self) -> None:
        """SIGTERM (the reader turns it into a clean exit), then count its output."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self._out.close()

    def reset(self) -> None:
        """Start counting from here: skip what was written so far."""
        self._offset = self.path.stat().st_size
        self.count.reset()

    def tally(self) -> None:
        """Count the records written after the marker."""
        from sigtui.trace.records import from_json

        with open(self.path, "rb") as file:
            file.seek(self._offset)
            for line in file:
                with contextlib.suppress(ValueError):
                    self.count.add(from_json(line))


class FeedReader:
    """The TUI's form: a :class:`TraceFeed` whose thread decodes and counts."""

    def __init__(self, count: Count) -> None:
        self.count = count
        self._error = ""
        self._lock = threading.Lock()
        self.thread_id: int | None = None
        self.feed = TraceFeed(self._records, self._state)
        self.feed.start()
        for thread in threading.enumerate():
            if thread.name == "trace-feed":
                self.thread_id = thread.native_id

    def _records(self, records: list[Record]) -> None:
        with self._lock:
            for record in records:
                self.count.add(record)

    def _state(self, state: FeedState) -> None:
        if not state.on:
            self._error = state.sentence

    @property
    def pid(self) -> int:
        """The reader process."""
        pid = self.feed.pid
        assert pid is not None
        return pid

    def poll_marker(self) -> bool:
        """Whether the marker has come through the feed yet."""
        with self._lock:
            return self.count.marked

    def progress(self) -> int:
        """Records for the target decoded so far (grows while it catches up)."""
        with self._lock:
            return len(self.count.ids)

    def failed(self) -> str | None:
        """Why the reader ended, if it did."""
        return self._error or None

    def stop(self) -> None:
        """Close the lifeline and wait (the feed's own way to stop)."""
        self.feed.stop()

    def reset(self) -> None:
        """Start counting from here."""
        with self._lock:
            self.count.reset()

    def tally(self) -> None:
        """Nothing to do: the feed's thread counted as it decoded."""


Reader = JsonReader | FeedReader


# --------------------------------------------------------------------------
# One measurement.


@dataclass
class Row:
    """One rate in one reader form."""

    mode: str
    rate: int
    seconds: float
    sent: int = 0
    reader_cpu: float = 0.0
    reader_sys: float = 0.0
    load_cpu: float = 0.0
    decode_cpu: float | None = None
    traced: int = 0
    delivered: int = 0
    lost: int = 0
    other: int = 0
    catch_up: float = 0.0
    error: str = ""
    runs: int = 1
    cpu_min: float | None = None
    cpu_max: float | None = None

    @property
    def achieved(self) -> float:
        """Signals a second actually sent."""
        return self.sent / self.seconds if self.seconds else 0.0


def _wait_ready(reader: Reader, target: Load) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not reader.poll_marker():
        why = reader.failed()
        if why is not None:
            raise RuntimeError(f"the reader ended: {why}")
        if time.monotonic() > deadline:
            raise RuntimeError("the reader did not show the marker signal")
        target.mark()
        time.sleep(0.1)


def _caught_up(reader: Reader, since: float) -> float:
    """Wait until the reader has caught up; seconds until its last record.

    Caught up: no new record for the target for :data:`QUIET_S` while the
    reader is idle (a reader deep in a big batch writes nothing for a while,
    and stopping it then would lose what it holds), or :data:`CATCH_UP_S`.
    """
    last, grew, busy = reader.progress(), since, since
    cpu = cpu_seconds(reader.pid)
    while time.monotonic() - since < CATCH_UP_S:
        time.sleep(0.1)
        now, done, used = time.monotonic(), reader.progress(), cpu_seconds(reader.pid)
        if done != last:
            last, grew = done, now
        if used - cpu > 0.03:  # more than 30 % of a core: still working
            busy = now
        cpu = used
        if now - max(grew, busy) >= QUIET_S:
            break
    return max(0.0, grew - since)


def measure(mode: str, rate: int, seconds: float) -> Row:
    """Trace ``rate`` signals a second for ``seconds`` in one reader form.

    Args:
        mode: ``json`` or ``feed``.
        rate: Signals a second asked of the senders.
        seconds: The sending window.

    Returns:
        The row (``error`` set if it could not be measured).
    """
    row = Row(mode, rate, seconds)
    with (
        load() as target,
        tempfile.TemporaryDirectory(dir="/dev/shm", prefix="sigtui-bench-") as tmp,
    ):
        count = Count(target.pid)
        reader: Reader = JsonReader(count, tmp) if mode == "json" else FeedReader(count)
        try:
            _wait_ready(reader, target)
            time.sleep(0.2)  # the marker's own records, then a quiet reader
            reader.reset()
            start = time.monotonic() + 0.3
            target.send(rate, start, seconds)
            time.sleep(max(0.0, start - time.monotonic()))
            user0, sys0 = cpu_split(reader.pid)
            feed0 = _thread_cpu(reader)
            load0 = target.cpu()
            wall0 = time.monotonic()
            time.sleep(max(0.0, start + seconds - time.monotonic()))
            user1, sys1 = cpu_split(reader.pid)
            feed1 = _thread_cpu(reader)
            load1 = target.cpu()
            wall = time.monotonic() - wall0
            row.load_cpu = 100 * (load1 - load0) / wall
            row.sent = target.sent(timeout=seconds + 10)
            # max: float sums of ticks can come out as -0.0. min: the kernel
            # shares a process's run time out between utime and stime by
            # sampling and may move some back later (only their sum never falls).
            row.reader_cpu = max(0.0, 100 * (user1 + sys1 - user0 - sys0) / wall)
            row.reader_sys = min(row.reader_cpu, max(0.0, 100 * (sys1 - sys0) / wall))
            if feed0 is not None and feed1 is not None:
                row.decode_cpu = max(0.0, 100 * (feed1 - feed0) / wall)
            row.catch_up = _caught_up(reader, time.monotonic())
        except RuntimeError as error:
            row.error = str(error)
        finally:
            reader.stop()
        reader.tally()
    row.traced = len(count.ids)
    row.delivered = len(count.delivered)
    row.lost = count.lost
    row.other = count.other
    return row


def _thread_cpu(reader: Reader) -> float | None:
    if reader.thread_id is None:
        return None
    return cpu_seconds(os.getpid(), reader.thread_id)


# --------------------------------------------------------------------------
# Where the time goes: each stage alone, on lines shaped like the load's.


@dataclass
class Stages:
    """CPU microseconds per signal (a generate and a deliver line) by stage."""

    signals: int
    parse: float
    pair: float
    to_json: float
    from_json: float

    @property
    def reader(self) -> float:
        """What the reader process spends in Python per signal."""
        return self.parse + self.pair + self.to_json


def synthetic_lines(signals: int, rate: int = 10000) -> list[str]:
    """``trace_pipe`` text of ``signals`` signals/s caught, as the load makes it.

    One sender (this process's parent pid, so that reading its ``/proc`` works
    as in the real case) sends SIGRTMIN to a target (this process) that takes
    it 30 µs later.

    Args:
        signals: How many signals.
        rate: Signals a second (sets the times).

    Returns:
        Two lines a signal, without newlines.
    """
    sender, target = os.getppid(), os.getpid()
    lines = []
    for i in range(signals):
        sent = 1000.0 + i / rate
        lines.append(
            f"          python-{sender:<7d}({sender:7d}) [001] d..1. {sent:.6f}: "
            f"signal_generate: sig={int(SIGNAL)} errno=0 code=0 comm=python "
            f"pid={target} grp=1 res=0"
        )
        lines.append(
            f"           <...>-{target:<7d}(-------) [000] d..1. "
            f"{sent + 30e-6:.6f}: signal_deliver: sig={int(SIGNAL)} errno=0 code=0 "
            "sa_handler=7ff0500d4d00 sa_flags=c000000"
        )
    return lines


def stage_costs(signals: int = 10000, repeat: int = 3) -> Stages:
    """Time parsing, pairing, to_json and from_json alone (thread CPU, best of).

    Pairing is fed batches of 0.1 s of events, as the reader does, with "now"
    just after the batch's last event (in a flood the reader reads what came
    in a moment ago). Works with
    an older ``sigtui.trace`` too (``PYTHONPATH``), which had no
    ``parse_lines``, for before-and-after tables.

    Args:
        signals: Signals in the synthetic trace.
        repeat: Runs; the fastest counts (the machine may be busy).

    Returns:
        Microseconds per signal by stage.
    """
    from sigtui.trace import events
    from sigtui.trace.pairing import Pairer
    from sigtui.trace.records import from_json, to_json

    lines = synthetic_lines(signals)

    def parse() -> list[events.Event]:
        fast = getattr(events, "parse_lines", None)
        if fast is not None:
            return list(fast(lines))
        found = (events.parse_line(line) for line in lines)
        return [event for event in found if event is not None]

    best = [float("inf")] * 4
    per_batch = 2 * 1000  # 0.1 s at 10,000 signals/s
    for _ in range(repeat):
        t0 = time.thread_time()
        parsed = parse()
        t1 = time.thread_time()
        pairer = Pairer(exit_status=lambda pid: None)
        records: list[Record] = []
        for at in range(0, len(parsed), per_batch):
            batch = parsed[at : at + per_batch]
            last = batch[-1]
            now = (last.head.time if hasattr(last, "head") else 0.0) + 50e-6
            records += pairer.feed(batch, now)
        records += pairer.flush(float("inf"))
        t2 = time.thread_time()
        written = [to_json(record) for record in records]
        t3 = time.thread_time()
        for line in written:
            from_json(line)
        t4 = time.thread_time()
        for i, spent in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            best[i] = min(best[i], spent * 1e6 / signals)
    return Stages(signals, *best)


def stage_lines(stages: Stages) -> list[str]:
    """The stage costs as a Markdown table."""
    return [
        "| stage (\u00b5s CPU per signal, 2 lines, 1 record) | parse | pair "
        "| to_json | reader total | from_json (TUI) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| {stages.signals:,} synthetic signals at 10,000/s | {stages.parse:.1f} "
        f"| {stages.pair:.1f} | {stages.to_json:.1f} | {stages.reader:.1f} "
        f"| {stages.from_json:.1f} |",
    ]


# --------------------------------------------------------------------------
# Keys in the TUI while signals are traced.


@dataclass
class KeyRow:
    """Key latency in the TUI while the load runs."""

    rate: int
    seconds: float = 0.0
    sent: int = 0
    app_traced: bool = False
    option: str = ""
    cursor_ms: list[float] = field(default_factory=list)
    filter_ms: list[float] = field(default_factory=list)

    @property
    def achieved(self) -> float:
        """Signals a second actually sent while keys were timed."""
        return self.sent / self.seconds if self.seconds else 0.0


def trace_readers_of(pid: int) -> list[int]:
    """Children of ``pid`` that run ``sigtui trace --feed`` (the app's reader).

    Args:
        pid: The parent.

    Returns:
        Their pids.
    """
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = read_stat_fields(int(entry))
        if fields is None or len(fields) < 2 or int(fields[1]) != pid:
            continue
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            if b"trace" in argv and b"--feed" in argv:
                found.append(int(entry))
    return found


def key_latency_while_tracing(rate: int = 10000, presses: int = 200) -> KeyRow:
    """Time keys in the TUI (``benchmarks.ui.live``) while ``rate`` signals/s flow.

    The app is the one ``benchmarks.ui`` times (headless, the real scanner,
    refreshing every second); it traces if it does so by itself (a
    :class:`~sigtui.trace.feed.TraceFeed` in the main screen), or if
    :class:`~sigtui.ui.options.Options` has a boolean field named for tracing,
    which is turned on (:func:`_tracing_options`). A thread watches for the
    app's reader process and the row says whether there was one.

    Args:
        rate: Signals a second sent to a target of ours meanwhile.
        presses: Keys to time.

    Returns:
        The latencies, the rate achieved and whether the app traced.
    """
    from benchmarks import ui  # Textual only here: the rest runs without it

    row = KeyRow(rate)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.5):
            if trace_readers_of(os.getpid()):
                row.app_traced = True

    watcher = threading.Thread(target=watch, name="watch-reader", daemon=True)
    with load() as target:
        start = time.monotonic() + 0.3
        # Long enough for any run; stopped (SIGTERM) as soon as the keys are done.
        target.send(rate, start, 3600.0)
        time.sleep(max(0.0, start - time.monotonic()))
        watcher.start()
        try:
            with _tracing_options(ui) as row.option:
                result = ui.live(presses, starts=1)
        finally:
            done.set()
            watcher.join()
            row.seconds = time.monotonic() - start
            row.sent = target.sent(timeout=STOP_TIMEOUT_S, now=True)
    row.cursor_ms = result.cursor_ms
    row.filter_ms = result.filter_ms
    return row


@contextlib.contextmanager
def _tracing_options(ui: types.ModuleType) -> Iterator[str]:
    """Have ``benchmarks.ui`` make its app with tracing on, if an option says so.

    The TUI's tracing is being written elsewhere; if its ``Options`` has a
    boolean field whose name starts with ``trace`` and is off by default, the
    app is made with it on. Yields the field's name, or "" if there is none
    (the app then traces only if it does so by default).
    """
    from sigtui.ui.options import Options

    names = [
        f.name
        for f in dataclasses.fields(Options)
        if f.name.startswith("trace") and f.default is False
    ]
    if not names:
        yield ""
        return
    made = ui.Options
    on: dict[str, Any] = {names[0]: True}
    ui.Options = functools.partial(Options, **on)  # type: ignore[attr-defined]
    try:
        yield names[0]
    finally:
        ui.Options = made  # type: ignore[attr-defined]


# --------------------------------------------------------------------------
# Report.


def _percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.1f}"


def summary(rows: Sequence[Row]) -> list[Row]:
    """One row per reader form and rate from repeated runs.

    CPU figures are medians (the reader's with its min and max); counts are
    sums over the runs (a loss in any run shows); the rate achieved is over
    all the runs' windows; caught up is the slowest run's.

    Args:
        rows: Every run, in any order.

    Returns:
        The summaries, in the order each form and rate first appears.
    """
    groups: dict[tuple[str, int], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.mode, row.rate), []).append(row)
    out = []
    for (mode, rate), runs in groups.items():
        good = [r for r in runs if not r.error]
        if not good:
            out.append(runs[0])
            continue
        cpus = [r.reader_cpu for r in good]
        decode = [r.decode_cpu for r in good if r.decode_cpu is not None]
        out.append(
            Row(
                mode,
                rate,
                sum(r.seconds for r in good),
                sent=sum(r.sent for r in good),
                reader_cpu=statistics.median(cpus),
                reader_sys=statistics.median(r.reader_sys for r in good),
                load_cpu=statistics.median(r.load_cpu for r in good),
                decode_cpu=statistics.median(decode) if decode else None,
                traced=sum(r.traced for r in good),
                delivered=sum(r.delivered for r in good),
                lost=sum(r.lost for r in good),
                other=sum(r.other for r in good),
                catch_up=max(r.catch_up for r in good),
                runs=len(good),
                cpu_min=min(cpus),
                cpu_max=max(cpus),
            )
        )
    return out


def _spread(row: Row) -> str:
    if row.runs < 2 or row.cpu_min is None or row.cpu_max is None:
        return ""
    return f" ({row.cpu_min:.1f}\u2013{row.cpu_max:.1f})"


def table(rows: Sequence[Row]) -> list[str]:
    """The rows as a Markdown table."""
    lines = [
        "| reader | rate asked /s | rate achieved /s | reader CPU % "
        "| of which kernel % | TUI decode CPU % | lost events | traced / sent "
        "| delivered "
        "| caught up s | load CPU % | other records |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.error:
            lines.append(f"| {r.mode} | {r.rate:,} | {r.error} ||||||||||")
            continue
        lines.append(
            f"| {r.mode} | {r.rate:,} | {r.achieved:,.0f} "
            f"| {r.reader_cpu:.1f}{_spread(r)} | {r.reader_sys:.1f} "
            f"| {_percent(r.decode_cpu)} | {r.lost:,} "
            f"| {r.traced:,} / {r.sent:,} | {r.delivered:,} "
            f"| {r.catch_up:.1f} | {r.load_cpu:.0f} | {r.other:,} |"
        )
    return lines


def goals(rows: Sequence[Row]) -> list[str]:
    """Issue 17's goals, met or not, from the rows nearest to 1,000 and 10,000/s."""
    lines = []
    for rate, limit in ((1000, 2.0), (10000, 15.0)):
        for r in rows:
            if r.rate != rate or r.error:
                continue
            complete = r.lost == 0 and r.traced == r.sent
            met = r.reader_cpu <= limit and (rate < 10000 or complete)
            lines.append(
                f"- {r.mode} at {rate:,}/s: reader {r.reader_cpu:.1f} % "
                f"(goal \u2264 {limit:g} %)"
                + (
                    ""
                    if rate < 10000
                    else f", lost {r.lost}, traced {r.traced}/{r.sent}"
                )
                + f": {'met' if met else '**not met**'}"
            )
    for r in rows:
        if r.rate > 10000 and not r.error:
            missing = r.sent - r.traced
            shown = "counted" if r.lost or not missing else "**silent**"
            lines.append(
                f"- {r.mode} at {r.rate:,}/s: {missing:,} signals not traced, "
                f"{r.lost:,} events reported lost ({shown})"
            )
    return lines


def key_lines(row: KeyRow) -> list[str]:
    """The key-latency result as Markdown lines."""
    from benchmarks.ui import p99

    keys = row.cursor_ms + row.filter_ms
    if not keys:
        return ["Keys: none timed."]
    traced = (
        "the app ran a trace reader"
        if row.app_traced
        else "**the app did not trace**: no `sigtui trace --feed` child"
    )
    if row.option:
        traced += f"; made with `Options({row.option}=True)`"
    parts = [
        f"{name} p99 {p99(values):.1f} ms"
        for name, values in (
            ("cursor", row.cursor_ms),
            ("filter", row.filter_ms),
            ("all keys", keys),
        )
        if values
    ]
    return [
        f"Keys while {row.achieved:,.0f} signals/s were sent ({traced}): "
        + ", ".join(parts)
        + f" (goal < 50 ms), {len(keys)} keys."
    ]


NOTE = (
    "Median (min\u2013max) over the runs for the reader's CPU, medians for the "
    "other CPU figures, sums over the runs for the counts. Each signal is "
    "SIGRTMIN from `os.kill` to a Python target that catches it (queued, never "
    "merged: one generate and one deliver event a signal). CPU % = "
    "\u0394(utime+stime) of the reader process over the sending window, as % "
    "of one core; of which kernel = its stime (reading trace_pipe formats the "
    "text there, and every /proc read is a system call). TUI decode = the "
    "`TraceFeed` thread (`from_json` of every record) in the measuring process. "
    "json = `sigtui trace --json` to a file in /dev/shm; feed = `sigtui trace "
    "--feed` read by a `TraceFeed`. Traced = distinct records for the target; "
    "delivered = of those, taken by its handler; caught up = seconds after the "
    "last send until the target's last record came out (a reader that keeps up: "
    "well under a second; one that falls behind: many; the reader is stopped "
    "once it has caught up and is idle, at most 60 s); load CPU = the senders' "
    "and the target's, % of one core (the machine has only so many); other = "
    "records of the rest of the machine meanwhile."
)


def write_section(text: str, path: Path | None = None) -> None:
    """Put ``text`` (starting with :data:`SECTION`) in place of the old section."""
    path = path or RESULTS
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    begin = old.find(SECTION)
    if begin < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", begin + len(SECTION))
        rest = "" if end < 0 else old[end:]
        new = old[:begin] + text.rstrip("\n") + "\n" + rest
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


QUICK_RATES = [200]
QUICK_SECONDS = 1.0
QUICK_STAGES = (2000, 1)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=parse_extra, default=list(RATES))
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--repeat", type=positive, default=3, help="runs of each (median shown)"
    )
    parser.add_argument(
        "--modes",
        type=lambda text: [m for m in text.split(",") if m],
        default=list(MODES),
        help="json, feed or both (json,feed)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one low rate for 1 s (a smoke test)"
    )
    parser.add_argument(
        "--write", action="store_true", help=f"save the tables in {RESULTS.name}"
    )
    parser.add_argument(
        "--keys", action="store_true", help="also time keys in the TUI under load"
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="only time each stage alone on synthetic lines (no root needed)",
    )
    parser.add_argument(
        "--keys-only",
        action="store_true",
        help="only time keys in the TUI under load (implies --keys)",
    )
    parser.add_argument("--key-rate", type=positive, default=10000)
    parser.add_argument("--presses", type=positive, default=200)
    args = parser.parse_args(argv)
    if args.quick:
        args.rates, args.seconds, args.repeat = QUICK_RATES, QUICK_SECONDS, 1
    if args.keys_only:
        args.rates, args.keys = [], True
    if any(m not in MODES for m in args.modes):
        parser.error(f"--modes: each of {', '.join(MODES)}")
    if args.stages:
        print("\n".join([*stage_lines(stage_costs()), "", machine_line()]))
        return 0
    if os.geteuid() != 0:
        progress("tracing needs root")
        return 1
    previous = {
        signo: signal.signal(signo, _raise_exit)
        for signo in (signal.SIGTERM, signal.SIGHUP)
    }
    rows: list[Row] = []
    key_row: KeyRow | None = None
    try:
        # Repeats go round every rate and form, so a busy moment of the
        # machine spreads over them rather than hitting one.
        for run in range(args.repeat):
            for rate in args.rates:
                for mode in args.modes:
                    progress(
                        f"run {run + 1}/{args.repeat}: {mode} reader at {rate:,} "
                        f"signals/s for {args.seconds:g} s"
                    )
                    rows.append(measure(mode, rate, args.seconds))
                    progress("  " + table(rows[-1:])[-1])
        if args.keys:
            progress(f"keys in the TUI at {args.key_rate:,} signals/s")
            key_row = key_latency_while_tracing(args.key_rate, args.presses)
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    finally:
        for signo, handler in previous.items():
            signal.signal(signo, handler)
    rows = summary(rows)
    lines = []
    if rows:
        progress("each stage alone")
        stages = stage_costs(*QUICK_STAGES) if args.quick else stage_costs()
        lines = [*table(rows), "", *goals(rows), "", *stage_lines(stages)]
    if key_row is not None:
        lines += ["", *key_lines(key_row)] if lines else key_lines(key_row)
    lines += ["", NOTE, "", machine_line()]
    print("\n".join(lines))
    if args.write:
        command = "python -m benchmarks.trace " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        write_section(
            "\n".join(
                [SECTION, "", f"Run {stamp} with `{command.strip()}`.", "", *lines]
            )
        )
    return 0


def _raise_exit(signo: int, _frame: object) -> None:
    raise SystemExit(128 + signo)


if __name__ == "__main__":
    sys.exit(main())
