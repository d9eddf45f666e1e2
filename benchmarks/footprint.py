"""Memory and cold start of sigtui, beside its anchors, in one run.

Usage: python -m benchmarks.footprint [--extra 0,10000] [--starts 5]
                                      [--warmup 5] [--samples 5]

For each N in --extra this keeps N idle processes alive
(:func:`benchmarks.common.population`) and measures two things, one after the
other:

* **Memory.** One private tmux server (200x50, clean environment, HOME in a
  temporary directory; benchmarks.cpu's) runs four windows at once: the
  installed ``sigtui --no-trace --no-config --interval 1`` (default columns),
  ``htop -d 10``, ``benchmarks/minimal_app.py`` (a Textual app with a header,
  one line and a footer) on this interpreter, and the same app started with
  ``--import sigtui.ui.app`` (``minimal+import``: what importing sigtui's code
  costs with no process read, the floor of sigtui's idle RSS; imported before
  Textual and after ``sigtui.ui.before_textual``, as the ``sigtui`` command
  does, so without OpenSSL, which the plain minimal app loads). Once each
  shows its
  screen (sigtui: the status line counts the processes of its first scan), it
  waits ``warmup`` seconds (a few refreshes) and reads VmRSS of each from
  /proc/PID/status ``samples`` times a second apart, with the number of
  processes in /proc at each; the medians are reported. Idle RSS compares
  sigtui with the minimal app (judged with at most ``IDLE_AT`` processes in
  /proc), with the import floor beside it; memory per listed process is
  (RSS at N - RSS at the smallest N) / (processes at N - processes at the
  smallest N), for sigtui and for htop, rounds of the same run.
* **Cold start.** In another private tmux server, alternately: one
  ``ps -eo pid,pgid,tty,stat,%cpu,rss,time,args`` (sigtui's default columns)
  to /dev/null, and one ``sigtui`` in a new window, timed from just before the
  ``tmux new-window`` that starts it to the first ``capture-pane`` that shows
  the full table (the status line's "N processes" and a row under the
  header), polled every ``POLL_S``; then the window is killed and the next
  run waits until that sigtui is gone. One untimed run of each comes first,
  so both find the kernel's caches (page cache, dentries, sigtui's modules)
  warm: "cold" means a new sigtui process, not a cold machine. The time is
  an upper bound: the table came after the capture before (the report's
  detection gap). The tmux client that starts sigtui is in the time. The
  captures go through one tmux client in control mode (``tmux -C``), which
  answers one for 0.2 ms: a new ``tmux capture-pane`` for each costs 3 ms of
  CPU, and 75 a second took a sixth of a core from the sigtui being timed.
  Each start is followed by one of the floor (the minimal app after importing
  ``sigtui.ui.app``), timed the same way to its first paint, and one of the
  same app reading sigtui's first scan (``--first-scan``: sigtui's scanner,
  its readers forked before the imports, the scan taken in by a thread),
  timed to its showing that the scan is in.

Every process started is cleaned up as benchmarks.cpu does it (its tmux
server by its own socket; a survivor by pid and start time). It prints one
Markdown section; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import importlib.metadata
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from benchmarks import common, cpu
from benchmarks.cpu import TmuxControl, _Proc, _Tmux
from benchmarks.minimal_app import READY as MINIMAL_READY
from sigtui.processes import DEFAULT_COLUMNS

_T = TypeVar("_T")

IMPORT_FLOOR = "minimal+import"
"""The minimal app run after ``import sigtui.ui.app``: sigtui's import floor."""
FLOOR_MODULE = "sigtui.ui.app"
"""What that app imports first: the module that imports all sigtui's UI needs."""
TOOLS = ("sigtui", "htop", "minimal", IMPORT_FLOOR)
DASH = "\u2013"
TIMES = "\u00d7"
MINIMAL_APP = Path(__file__).with_name("minimal_app.py")
FLOOR_LABEL = f"minimal app + import of {FLOOR_MODULE}"
READING_LABEL = "the same reading sigtui's first scan"
PS_ARGV = ("ps", "-eo", DEFAULT_COLUMNS)
"""ps with the columns sigtui shows by default."""
POLL_S = 0.01
"""Sleep between two screen captures while waiting for the first table."""
WARMUP_S = 5.0
"""Seconds between every program showing its screen and the first sample."""
READY_TIMEOUT_S = 60.0
EXEC_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0

IDLE_GOAL = 1.15
"""sigtui's RSS at rest is at most this many times the minimal app's."""
PER_PROCESS_GOAL = 2.0
"""sigtui's memory per listed process is at most this many times htop's."""
COLD_GOAL = 1.5
"""sigtui's first full table comes within this many times one ``ps -eo``."""
GOAL_AT = 10000
"""Processes the cold start is judged at, and how many more processes memory
per process is judged over (within 5 % + 200: the machine has its own)."""
IDLE_AT = 1000
"""Idle RSS is judged only in a round with at most this many processes."""

_COUNT = re.compile(r"(?<![\d/])(\d+) processes\b")


# --------------------------------------------------------------------------
# What the screen shows


def full_table(screen: str) -> int | None:
    """The process count of sigtui's first full table, if the screen shows it.

    Before its first scan sigtui's status line says "scanning processes…"
    over an empty table; once the scan is painted it says "N processes" and
    rows follow the header.

    Args:
        screen: The pane's text (``tmux capture-pane -p``).

    Returns:
        The N of the status line, or None while the table is not there.
    """
    lines = screen.splitlines()
    for i, line in enumerate(lines):
        found = _COUNT.search(line)
        if found is None:
            continue
        # The status line (it says "sorted by PID" too), then the header.
        for j in range(i + 1, len(lines)):
            if "PID" in lines[j]:
                below = lines[j + 1 : j + 2]
                return int(found.group(1)) if below and below[0].strip() else None
        return None
    return None


# --------------------------------------------------------------------------
# Results


@dataclass
class Memory:
    """Resident memory of one program over the samples.

    Attributes:
        tool: One of ``TOOLS``.
        rss_kib: VmRSS in KiB, one value per sample (empty if not measured).
        note: What went wrong or is worth knowing, else None.
    """

    tool: str
    rss_kib: list[int] = field(default_factory=list)
    note: str | None = None

    def median(self) -> float | None:
        """The median RSS in KiB, or None if nothing was measured."""
        return statistics.median(self.rss_kib) if self.rss_kib else None


@dataclass
class ColdStart:
    """Cold starts of sigtui against runs of ``ps -eo``.

    Attributes:
        sigtui_s: Seconds from launch to the first full table, per start.
        floor_s: Seconds from launch to the first paint of the minimal app
            with sigtui's imports (the import floor), per run.
        reading_s: Seconds from launch to the same app showing that it has
            taken in a first scan read as sigtui reads it (the floor with
            reading), per run.
        ps_s: Seconds of one whole ``ps -eo`` to /dev/null, per run.
        shown: The process count on sigtui's first full table, per start.
        procs: Processes in /proc just before each start.
        gap_s: Per start, the time between the last capture without the
            table and the first with it (how late the detection may be).
        note: What went wrong, else None.
    """

    sigtui_s: list[float] = field(default_factory=list)
    floor_s: list[float] = field(default_factory=list)
    reading_s: list[float] = field(default_factory=list)
    ps_s: list[float] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)
    procs: list[int] = field(default_factory=list)
    gap_s: list[float] = field(default_factory=list)
    note: str | None = None


@dataclass
class FootprintRound:
    """Everything measured at one N.

    Attributes:
        extra: Idle processes asked for.
        procs: Processes in /proc at each memory sample.
        memory: Per tool, in the order of ``TOOLS``.
        cold: The cold starts.
    """

    extra: int
    procs: list[int]
    memory: dict[str, Memory]
    cold: ColdStart

    def nprocs(self) -> int | None:
        """The median number of processes while memory was sampled."""
        return round(statistics.median(self.procs)) if self.procs else None


@dataclass(frozen=True)
class Goal:
    """One goal's figure at one N.

    Attributes:
        goal: What is compared.
        procs: The process count(s) it was measured at, as shown.
        measured: The figures compared, as shown.
        target: The goal, as shown.
        ratio: The ratio the goal is about, if measured.
        met: Whether it is met; None where the goal is not set (another N)
            or nothing was measured.
        floor: The floor measured beside it, as shown, if any.
    """

    goal: str
    procs: str
    measured: str
    target: str
    ratio: float | None
    met: bool | None
    floor: str | None = None


# --------------------------------------------------------------------------
# Figures and verdicts (pure)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def per_process_kib(
    base: FootprintRound, other: FootprintRound, tool: str
) -> float | None:
    """KiB of ``tool``'s RSS per process listed beyond ``base``'s.

    Args:
        base: The round with fewer processes.
        other: The round with more.
        tool: Whose memory.

    Returns:
        (RSS in other - RSS in base) / (processes in other - in base), or
        None if either was not measured or the counts do not differ.
    """
    a, b = base.memory[tool].median(), other.memory[tool].median()
    n_a, n_b = base.nprocs(), other.nprocs()
    if a is None or b is None or n_a is None or n_b is None or n_b == n_a:
        return None
    return (b - a) / (n_b - n_a)


def idle_floor(r: FootprintRound) -> str:
    """The import floor of idle RSS in one round, as the goal line shows it.

    Args:
        r: The round.

    Returns:
        "floor (minimal app + import of sigtui.ui.app) X MiB = Y" and a
        multiplication sign, Y being X ÷ the minimal app's RSS (a dash for
        what was not measured).
    """
    floor = r.memory[IMPORT_FLOOR].median()
    ratio = _ratio(floor, r.memory["minimal"].median())
    shown = DASH if ratio is None else f"{ratio:.2f}"
    return f"floor ({FLOOR_LABEL}) {_mib(floor)} MiB = {shown} {TIMES}"


def _near(n: int | None, wanted: int) -> bool:
    return n is not None and abs(n - wanted) <= 0.05 * wanted + 200


def goals(rounds: Sequence[FootprintRound]) -> list[Goal]:
    """The three goals, with a verdict where a round is at the goal's count.

    By the processes /proc listed, not the N asked for (a shared machine has
    its own): idle RSS is judged in a round with at most ``IDLE_AT``
    processes, memory per process between two rounds about ``GOAL_AT``
    processes apart, the cold start at about ``GOAL_AT`` processes; other
    rounds are shown without a verdict.

    Args:
        rounds: The rounds of one run.

    Returns:
        Idle RSS per round, memory per process per round after the first
        (against the first), cold start per round.
    """
    out: list[Goal] = []
    if not rounds:
        return out
    base = min(rounds, key=lambda r: r.extra)
    for r in rounds:
        ours, minimal = r.memory["sigtui"].median(), r.memory["minimal"].median()
        ratio, idle = _ratio(ours, minimal), r.nprocs()
        out.append(
            Goal(
                "7 idle RSS sigtui ÷ minimal Textual app",
                str(idle),
                f"{_mib(ours)} ÷ {_mib(minimal)} MiB",
                f"≤ {IDLE_GOAL:g}",
                ratio,
                None
                if ratio is None or idle is None or idle > IDLE_AT
                else ratio <= IDLE_GOAL,
                idle_floor(r),
            )
        )
    for r in rounds:
        if r is base:
            continue
        ours, htop = (
            per_process_kib(base, r, "sigtui"),
            per_process_kib(base, r, "htop"),
        )
        ratio = _ratio(ours, htop)
        n_base, n_other = base.nprocs(), r.nprocs()
        apart = None if n_base is None or n_other is None else n_other - n_base
        at_goal = _near(apart, GOAL_AT)
        out.append(
            Goal(
                "8 memory per listed process sigtui ÷ htop",
                f"{base.nprocs()} → {r.nprocs()}",
                f"{_kib(ours)} ÷ {_kib(htop)} KiB",
                f"≤ {PER_PROCESS_GOAL:g}",
                ratio,
                None if ratio is None or not at_goal else ratio <= PER_PROCESS_GOAL,
            )
        )
    for r in rounds:
        c = r.cold
        ours = statistics.median(c.sigtui_s) if c.sigtui_s else None
        ps = statistics.median(c.ps_s) if c.ps_s else None
        ratio = _ratio(ours, ps)
        procs = round(statistics.median(c.procs)) if c.procs else r.nprocs()
        floor = statistics.median(c.floor_s) if c.floor_s else None
        floor_ratio = _ratio(floor, ps)
        reading = statistics.median(c.reading_s) if c.reading_s else None
        reading_ratio = _ratio(reading, ps)
        out.append(
            Goal(
                "9 cold start sigtui ÷ ps -eo",
                str(procs),
                f"{_ms(ours)} ÷ {_ms(ps)} ms",
                f"≤ {COLD_GOAL:g}",
                ratio,
                None
                if ratio is None or not _near(procs, GOAL_AT)
                else ratio <= COLD_GOAL,
                None
                if floor_ratio is None
                else f"floor: {FLOOR_LABEL} paints in {_ms(floor)} ms "
                f"= {floor_ratio:.2f} x ps, reading no process"
                + (
                    ""
                    if reading_ratio is None
                    else f"; {READING_LABEL} shows it in {_ms(reading)} ms "
                    f"= {reading_ratio:.2f} x ps"
                ),
            )
        )
    return out


def _mib(kib: float | None) -> str:
    return DASH if kib is None else f"{kib / 1024:.1f}"


def _kib(kib: float | None) -> str:
    return DASH if kib is None else f"{kib:.2f}"


def _ms(seconds: float | None) -> str:
    return DASH if seconds is None else f"{seconds * 1000:.0f}"


def _ms_range(seconds: Sequence[float]) -> str:
    return common.med_range([s * 1000 for s in seconds], 0) if seconds else DASH


# --------------------------------------------------------------------------
# Running the programs


def _sigtui_argv() -> list[str]:
    return [str(cpu.sigtui_command()), "--no-trace", "--no-config", "--interval", "1"]


def _argvs() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each tool's argv, and why a tool cannot run."""
    argvs = {
        "sigtui": _sigtui_argv(),
        "minimal": [sys.executable, str(MINIMAL_APP)],
        IMPORT_FLOOR: [sys.executable, str(MINIMAL_APP), "--import", FLOOR_MODULE],
    }
    notes: dict[str, str] = {}
    htop, note = cpu.ensure_htop()
    if htop is None:
        notes["htop"] = note or "no htop"
    else:
        argvs["htop"] = [htop, "-d", "10"]  # tenths of a second: 1 s
    return {t: argvs[t] for t in TOOLS if t in argvs}, notes


def _ready(tool: str, screen: str) -> bool:
    """Whether a tool's screen shows that it has painted its data."""
    if tool == "sigtui":
        return full_table(screen) is not None
    if tool in ("minimal", IMPORT_FLOOR):
        return MINIMAL_READY in screen
    return "PID" in screen


def _launch(
    tmux: _Tmux, procs: list[_Proc], first: bool, name: str, argv: Sequence[str]
) -> tuple[str, _Proc | None]:
    """Open a window running ``argv``; track it (and the server, first)."""
    pane, pid = tmux.start(first, name, argv)
    if first:
        info = tmux.run("display-message", "-p", "#{pid} #{socket_path}")
        server_pid, socket_path = info.rstrip("\n").split(" ", 1)
        tmux.socket_path = Path(socket_path)
        server_start = cpu.start_ticks(int(server_pid))
        if server_start is not None:
            procs.append(_Proc(cpu.SERVER, int(server_pid), server_start))
    start = cpu.start_ticks(pid)
    if start is None:
        return pane, None
    proc = _Proc(name, pid, start)
    procs.append(proc)
    return pane, proc


def _in_tmux(name: str, body: Callable[[_Tmux, list[_Proc]], None]) -> None:
    """Run ``body`` with a private tmux server; always clean up after it.

    Args:
        name: Part of the socket's name.
        body: Gets the server and the list to add every process started to.

    Raises:
        FileNotFoundError: If tmux is not installed.
        RuntimeError: If a process survives the clean-up.
    """
    if shutil.which("tmux") is None:
        raise FileNotFoundError("tmux is not installed (apt-get install tmux)")
    survivors: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"sigtui-{name}-") as home:
        tmux = _Tmux(f"sigtui-{name}-{os.getpid()}", Path(home))
        procs: list[_Proc] = []
        with cpu._subreaper():
            try:
                body(tmux, procs)
            finally:
                with common.signals_blocked():
                    survivors = cpu._stop(tmux, procs)
    if survivors:
        raise RuntimeError(f"survived the clean-up: {', '.join(survivors)}")


def measure_memory(
    warmup: float = WARMUP_S, samples: int = 5, every: float = 1.0
) -> tuple[dict[str, Memory], list[int]]:
    """Resident memory of every tool of ``TOOLS``, all at once.

    Args:
        warmup: Seconds between every program showing its screen and the
            first sample.
        samples: How many samples.
        every: Seconds between samples.

    Returns:
        Per tool its samples, and the processes in /proc at each sample.
    """
    results = {t: Memory(t) for t in TOOLS}
    counts: list[int] = []
    argvs, notes = _argvs()
    for tool, note in notes.items():
        results[tool].note = note
        common.progress(f"{tool}: not measured: {note}")

    def body(tmux: _Tmux, procs: list[_Proc]) -> None:
        panes: dict[str, tuple[str, _Proc]] = {}
        for i, (tool, argv) in enumerate(argvs.items()):
            pane, proc = _launch(tmux, procs, i == 0, tool, argv)
            # The pane's shell execs the program: wait until the pid runs it.
            comm = Path(argv[0]).name[:15]
            if proc is None or not cpu._poll(
                functools.partial(cpu._runs, proc.pid, comm), EXEC_TIMEOUT_S
            ):
                results[tool].note = f"{tool} did not start ({' '.join(argv)})"
                continue
            panes[tool] = (pane, proc)
        t0 = time.monotonic()
        for tool, (pane, proc) in list(panes.items()):
            left = max(0.0, t0 + READY_TIMEOUT_S - time.monotonic())

            def up(tool: str = tool, pane: str = pane, proc: _Proc = proc) -> bool:
                alive = cpu.is_alive(proc.pid, proc.start)
                return not alive or _ready(tool, tmux.capture(pane))

            if cpu._poll(up, left) and cpu.is_alive(proc.pid, proc.start):
                common.progress(f"{tool}: up after {time.monotonic() - t0:.1f} s")
                continue
            last = tmux.capture(pane).strip().splitlines()[-5:]
            results[tool].note = f"{tool} not up: " + " | ".join(last)
            del panes[tool]
        common.progress(f"warming up {warmup:g} s, then {samples} samples")
        begin = time.monotonic() + warmup
        for k in range(samples):
            cpu._wait_until(begin + k * every)
            counts.append(cpu.count_processes())
            for tool, (_pane, proc) in panes.items():
                kib = cpu.rss_kib(proc.pid)
                if kib is not None and cpu.is_alive(proc.pid, proc.start):
                    results[tool].rss_kib.append(kib)

    _in_tmux("footprint", body)
    for r in results.values():
        if r.note is None and len(r.rss_kib) < samples:
            r.note = f"{r.tool} ended while sampled"
    return results, counts


def _gone(proc: _Proc) -> bool:
    return not cpu.is_alive(proc.pid, proc.start)


def _end_window(tmux: _Tmux, pane: str, proc: _Proc | None) -> None:
    """Kill a window and wait until its program has ended."""
    tmux.run("kill-window", "-t", pane, check=False)
    if proc is None or cpu._poll(functools.partial(_gone, proc), STOP_TIMEOUT_S):
        return
    if not _gone(proc):  # checked just now: still that pid and start time
        common.progress(f"sigtui (pid {proc.pid}) survived its window: SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        cpu._poll(functools.partial(_gone, proc), STOP_TIMEOUT_S)


class NoTableError(RuntimeError):
    """sigtui ended, or showed no full table in time."""


def _time_window(
    tmux: _Tmux,
    control: TmuxControl,
    procs: list[_Proc],
    name: str,
    argv: Sequence[str],
    shown_by: Callable[[str], _T | None],
) -> tuple[float, _T, float]:
    """Start ``argv`` in a new window and time it until its screen shows something.

    Args:
        tmux: The server.
        control: Its control-mode client, for the captures.
        procs: Where the window's process is tracked.
        name: The window's name.
        argv: What it runs.
        shown_by: What a capture shows, or None while it is not there yet.

    Returns:
        Seconds from launch to the first capture that shows it, what it
        showed, and the time since the capture before that one.

    Raises:
        NoTableError: If the program ends or shows nothing within the timeout.
    """
    t0 = time.perf_counter()
    pane, proc = _launch(tmux, procs, False, name, argv)
    try:
        previous = t0
        deadline = t0 + READY_TIMEOUT_S
        while True:
            before = time.perf_counter()
            shown = shown_by(control.capture(pane))
            now = time.perf_counter()
            if shown is not None:
                return now - t0, shown, now - previous
            if proc is None or _gone(proc) or now > deadline:
                last = control.capture(pane).strip().splitlines()[-5:]
                raise NoTableError(f"{name} showed nothing: " + " | ".join(last))
            previous = before
            time.sleep(POLL_S)  # the polling period
    finally:
        _end_window(tmux, pane, proc)


def _start_sigtui(
    tmux: _Tmux, control: TmuxControl, procs: list[_Proc], argv: Sequence[str]
) -> tuple[float, int, float]:
    """Start sigtui and time its first full table (see :func:`_time_window`)."""
    return _time_window(tmux, control, procs, "sigtui", argv, full_table)


def _start_floor(
    tmux: _Tmux, control: TmuxControl, procs: list[_Proc], *, reading: bool = False
) -> float:
    """Start the minimal app with sigtui's imports; seconds to its first paint.

    With ``reading``, the app reads sigtui's first scan as sigtui does, and
    the time is to its showing that the scan is in.
    """
    argv = [sys.executable, str(MINIMAL_APP), "--import", FLOOR_MODULE]
    if reading:
        argv.append("--first-scan")

    def painted(screen: str) -> bool | None:
        return True if _ready(IMPORT_FLOOR, screen) else None

    name = "reading" if reading else "floor"
    return _time_window(tmux, control, procs, name, argv, painted)[0]


def _timed_ps() -> float:
    t0 = time.perf_counter()
    subprocess.run(PS_ARGV, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def measure_cold_start(starts: int = 5) -> ColdStart:
    """Time sigtui's first full table against ``ps -eo``, alternated.

    Args:
        starts: Timed runs of each (after one untimed run of each).

    Returns:
        The times.
    """
    result = ColdStart()
    argv = _sigtui_argv()

    def body(tmux: _Tmux, procs: list[_Proc]) -> None:
        cat = shutil.which("cat") or "/bin/cat"
        _launch(tmux, procs, True, "idle", [cat])  # keeps the session alive
        _timed_ps()
        try:
            with tmux.control() as control:
                _start_sigtui(tmux, control, procs, argv)
                _start_floor(tmux, control, procs)
                _start_floor(tmux, control, procs, reading=True)
                for _ in range(starts):
                    result.ps_s.append(_timed_ps())
                    result.procs.append(cpu.count_processes())
                    took, shown, gap = _start_sigtui(tmux, control, procs, argv)
                    result.sigtui_s.append(took)
                    result.shown.append(shown)
                    result.gap_s.append(gap)
                    result.floor_s.append(_start_floor(tmux, control, procs))
                    result.reading_s.append(
                        _start_floor(tmux, control, procs, reading=True)
                    )
        except NoTableError as e:
            result.note = str(e)
            common.progress(f"cold start: {e}")

    _in_tmux("coldstart", body)
    return result


def measure_round(
    extra: int, warmup: float = WARMUP_S, samples: int = 5, starts: int = 5
) -> FootprintRound:
    """Measure memory, then cold starts, with whatever processes exist now.

    Args:
        extra: The idle processes the caller keeps alive (for the report).
        warmup: Seconds before the first memory sample.
        samples: Memory samples, a second apart.
        starts: Timed cold starts of sigtui and runs of ps.

    Returns:
        The round.
    """
    common.progress(f"+{extra}: memory of {', '.join(TOOLS)} under tmux")
    memory, counts = measure_memory(warmup, samples)
    common.progress(f"+{extra}: {starts} cold starts of sigtui against ps")
    cold = measure_cold_start(starts)
    return FootprintRound(extra, counts, memory, cold)


# --------------------------------------------------------------------------
# Report


def tool_versions() -> str:
    """The versions of htop, tmux, Textual and sigtui measured with."""
    found = []
    for argv in (["htop", "--version"], ["tmux", "-V"]):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, check=False)
        except OSError:
            continue
        if out.stdout.strip():
            found.append(out.stdout.splitlines()[0].strip())
    found.append(f"textual {importlib.metadata.version('textual')}")
    found.append(f"sigtui {importlib.metadata.version('sigtui')}")
    return "Tools: " + ", ".join(found)


def tables(rounds: Sequence[FootprintRound]) -> list[str]:
    """The memory, per-process and cold-start tables and their notes.

    Args:
        rounds: The rounds of one run.

    Returns:
        Markdown lines.
    """
    lines = [
        "| N extra | procs | sigtui RSS MiB | htop RSS MiB | minimal app RSS MiB "
        f"| {FLOOR_LABEL} RSS MiB | sigtui ÷ minimal | floor ÷ minimal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    for r in rounds:
        m = {t: r.memory[t].median() for t in TOOLS}
        ratio = _ratio(m["sigtui"], m["minimal"])
        floor = _ratio(m[IMPORT_FLOOR], m["minimal"])
        lines.append(
            f"| {r.extra} | {r.nprocs()} | {_mib(m['sigtui'])} | {_mib(m['htop'])} "
            f"| {_mib(m['minimal'])} | {_mib(m[IMPORT_FLOOR])} "
            f"| {DASH if ratio is None else f'{ratio:.2f}'} "
            f"| {DASH if floor is None else f'{floor:.2f}'} |"
        )
        notes += [
            f"N={r.extra}, {t}: {r.memory[t].note}" for t in TOOLS if r.memory[t].note
        ]
    base = min(rounds, key=lambda r: r.extra) if rounds else None
    if base is not None and len(rounds) > 1:
        lines += [
            "",
            "| from → to (procs) | sigtui KiB/process | htop KiB/process "
            "| sigtui ÷ htop |",
            "|---|---:|---:|---:|",
        ]
        for r in rounds:
            if r is base:
                continue
            ours = per_process_kib(base, r, "sigtui")
            htop = per_process_kib(base, r, "htop")
            ratio = _ratio(ours, htop)
            lines.append(
                f"| {base.nprocs()} → {r.nprocs()} | {_kib(ours)} | {_kib(htop)} "
                f"| {DASH if ratio is None else f'{ratio:.2f}'} |"
            )
    lines += [
        "",
        "| N extra | procs | sigtui first full table ms | ps -eo ms | sigtui ÷ ps "
        f"| count shown | detection gap ms | {FLOOR_LABEL}: first paint ms "
        f"| floor ÷ ps | {READING_LABEL}: shown ms | ÷ ps |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rounds:
        c = r.cold
        ours = statistics.median(c.sigtui_s) if c.sigtui_s else None
        ps = statistics.median(c.ps_s) if c.ps_s else None
        ratio = _ratio(ours, ps)
        procs = common.med_range(c.procs, 0) if c.procs else DASH
        shown = common.med_range(c.shown, 0) if c.shown else DASH
        floor = _ratio(statistics.median(c.floor_s) if c.floor_s else None, ps)
        reading = _ratio(statistics.median(c.reading_s) if c.reading_s else None, ps)
        lines.append(
            f"| {r.extra} | {procs} | {_ms_range(c.sigtui_s)} | {_ms_range(c.ps_s)} "
            f"| {DASH if ratio is None else f'{ratio:.2f}'} | {shown} "
            f"| {_ms_range(c.gap_s)} | {_ms_range(c.floor_s)} "
            f"| {DASH if floor is None else f'{floor:.2f}'} "
            f"| {_ms_range(c.reading_s)} "
            f"| {DASH if reading is None else f'{reading:.2f}'} |"
        )
        if c.note:
            notes.append(f"N={r.extra}, cold start: {c.note}")
    return lines + ([""] if notes else []) + [f"- {n}" for n in notes]


def verdicts(rounds: Sequence[FootprintRound]) -> list[str]:
    """One Markdown line per goal judged in this run: met or NOT met.

    Args:
        rounds: The rounds of one run.

    Returns:
        The lines (none for a goal whose N was not measured).
    """
    return [
        f"- {g.goal} at {g.procs} processes: {g.measured} = {g.ratio:.2f} "
        f"(goal {g.target}): {'met' if g.met else '**NOT met**'}"
        + ("" if g.floor is None else f"; {g.floor}")
        for g in goals(rounds)
        if g.met is not None
    ]


def explanation(warmup: float, samples: int, starts: int) -> str:
    """How the figures were made, for under the tables."""
    return (
        f"Memory: sigtui (`--no-trace --no-config --interval 1`, default columns "
        f"`{DEFAULT_COLUMNS}`), `htop -d 10`, `benchmarks/minimal_app.py` "
        "(a Textual app: Header, Static, Footer) and the same app started with "
        f"`--import {FLOOR_MODULE}` (the floor: what importing sigtui's code "
        "costs, with no process read) side by side in one private tmux "
        f"server at {cpu.SIZE[0]}x{cpu.SIZE[1]}; VmRSS from /proc/PID/status, "
        f"median of {samples} samples a second apart after each showed its screen "
        f"and a {warmup:g} s warm-up; procs = median count of /proc's processes "
        "at the samples. KiB/process = ΔRSS ÷ Δprocs between the rounds of this "
        "run. Cold start: sigtui started in a new tmux window, timed from just "
        "before `tmux new-window` to the first `capture-pane` showing the status "
        "line's process count and a row under the header (polled every "
        f"{POLL_S * 1000:.0f} ms plus the capture itself; the detection gap is the "
        "time between that capture and the one before, so the table came at "
        "most that much earlier), against `ps -eo "
        f"{DEFAULT_COLUMNS}` to /dev/null, alternated, {starts} runs each after "
        "one untimed run of each: the kernel's caches are warm for both, only the "
        "sigtui process is new. Each sigtui start is followed by two starts of "
        f"the minimal app after importing {FLOOR_MODULE}: timed to its first "
        "paint (the floor, reading no process), and with `--first-scan`, to its "
        "showing that it has taken in a first scan read as sigtui reads it "
        "(its default columns' scanner forking its readers before the imports, "
        "the scan taken in by a thread once the app is mounted): what sigtui's "
        "first table takes beyond that is its own screen and rows. "
        "Median (min\u2013max)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.footprint",
        description="Memory and cold start of sigtui beside htop, a minimal "
        "Textual app (also after importing sigtui.ui.app) and ps, with N extra "
        "idle processes.",
    )
    parser.add_argument(
        "--extra",
        type=common.parse_extra,
        default=[0, 10000],
        help="comma-separated numbers of extra idle processes (default 0,10000)",
    )
    parser.add_argument(
        "--starts", type=common.positive, default=5, help="timed cold starts per N"
    )
    parser.add_argument(
        "--warmup", type=float, default=WARMUP_S, help="seconds before sampling memory"
    )
    parser.add_argument(
        "--samples", type=common.positive, default=5, help="memory samples per N"
    )
    args = parser.parse_args(argv)
    if args.warmup < 0:
        parser.error("need --warmup >= 0")
    rounds: list[FootprintRound] = []
    for extra in args.extra:
        with common.population(extra):
            rounds.append(measure_round(extra, args.warmup, args.samples, args.starts))
        r = rounds[-1]
        for t in TOOLS:
            common.progress(f"+{extra}: {t}: {_mib(r.memory[t].median())} MiB")
        common.progress(
            f"+{extra}: cold start {_ms_range(r.cold.sigtui_s)} ms, "
            f"ps {_ms_range(r.cold.ps_s)} ms"
        )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m benchmarks.footprint " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    print("## Memory and cold start (benchmarks/footprint.py)")
    print()
    print(f"Run {stamp} with `{command.strip()}`.")
    print()
    print("\n".join(tables(rounds)))
    print()
    judged = verdicts(rounds)
    if judged:
        print("\n".join(judged))
        print()
    print(explanation(args.warmup, args.samples, args.starts))
    print()
    print(common.machine_line())
    print(tool_versions())
    complete = all(
        all(m.rss_kib for m in r.memory.values()) and r.cold.sigtui_s for r in rounds
    )
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
