"""Soak: sigtui in tmux for a long time, under churn, with sends and resizes.

Usage: python -m benchmarks.soak [--minutes 10] [--rate 50] [--send-every 5]
                                 [--resize-every 10] [--interval 1]

One private tmux server (its socket in a temporary directory, a clean
environment) runs ``exec sigtui --demo --log FILE --interval 1`` in its only
pane, so the pane's process is sigtui itself. Meanwhile:

* a churn generator of our own (:mod:`benchmarks.churn`, in a process group
  of its own) forks ``--rate`` short-lived children a second (1-50 ms each);
* every ``--send-every`` seconds SIGUSR1 goes to the demo through the UI (the
  cursor is on the demo from its start: ``k``, type ``usr1``, ``enter``; the
  picker's title must name the demo's pid) and, from this script as an
  outside sender, SIGUSR2 or SIGRTMIN in turn (through a pidfd, after checking
  the demo's start time, so never to a reused pid);
* every ``--resize-every`` seconds the window is resized to the next of a few
  sizes;
* every second the screen is captured (with colours: a toast's edge colour
  tells its severity) and sigtui's memory (VmRSS, VmHWM), open files and
  threads are read from ``/proc``.

At the end the script waits (bounded) for the demo to report the last sends,
quits sigtui with ``q``, and checks, by pid and start time, that sigtui, the
demo child and its members are gone; then it stops the churn and checks that
nothing is left in its group (see :class:`benchmarks.churn.Churn`). The report
(Markdown, on stdout) gives sigtui's memory at the start, after the warm-up,
at the end and at its peak; the log file's entries by kind; sends and
receipts per signal; every error seen on screen or in the log; and what was
left behind. The exit status is 0 only if nothing was left behind, no error
was seen, every send was received and sigtui quit with status 0.

Clean-up always runs (also on Ctrl-C, SIGTERM and SIGHUP): the tmux server is
killed, anything of ours still alive is killed by its pid after its start time
is checked, and the churn group is stopped. While it runs this script is the
child subreaper of its orphans (the daemonised tmux server, and anything
sigtui leaves behind), so they end as its children and are reaped here.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from benchmarks import common
from benchmarks.churn import Churn, ChurnResult
from benchmarks.cpu import is_alive, rss_kib, sigtui_command, start_ticks
from sigtui.procfs import signal_name

SIZES = ((120, 40), (200, 50), (100, 30), (160, 45))
"""Window sizes the soak cycles through (columns, lines)."""
TERM = "screen-256color"
UI_TIMEOUT_S = 10.0
"""Seconds one step of the UI (a key's effect on screen) may take."""
START_TIMEOUT_S = 60.0
QUIT_TIMEOUT_S = 15.0
GONE_TIMEOUT_S = 5.0
"""Seconds the demo and its members may take to go after sigtui has quit."""
RECEIPT_TIMEOUT_S = 10.0
POLL_S = 0.05
SAMPLE_EVERY_S = 1.0
WARMUP_MAX_S = 60.0
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37

TMUX_CONFIG = f"""\
set-option -g status off
set-option -g default-terminal {TERM}
set-option -g default-shell /bin/sh
set-option -g remain-on-exit on
set-option -g history-limit 100
set-option -sg escape-time 0
"""
# remain-on-exit keeps the pane after sigtui exits, with its exit status.

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
"""A Select Graphic Rendition sequence, as ``tmux capture-pane -e`` writes."""
OTHER_ESCAPE = re.compile(r"\x1b(?:\[[0-9;:?]*[A-Za-z]|[()][0-9A-Za-z]|.)")
TOAST_EDGE = "▌"
"""The left edge Textual draws for a notification (a toast)."""
INFORMATION = (78, 191, 113)
"""The colour of an information toast's edge (Textual's dark theme, $success)."""
ERROR = (185, 60, 91)
"""The colour of an error toast's edge ($error)."""
TOAST_BACKGROUND = (52, 63, 73)
"""The background of a toast, its edge included."""
ERROR_TEXTS = ("Could not read processes", "Traceback (most recent call last)")
"""Text that means an error wherever it is on the screen."""
SCANNED = re.compile(r"\b\d+ processes\b")
"""sigtui's status line after its first scan."""
PICKER_ROW = re.compile(r"│\s+(\d+)\s+(SIG[A-Z0-9+-]+)\b")
"""A row of the signal picker's list: the number, then the signal's name."""
DEMO_STARTED = re.compile(
    r"^demo \((\d+)\) started in its own process group (\d+) with members ([\d, ]*)"
)
SENT = re.compile(r"^sigtui \((\d+)\) sent (SIG\S+) to demo \((\d+)\)")
RECEIVED = re.compile(r"^demo \((\d+)\) received (SIG\S+) from pid (\d+)")
LOG_KINDS = (
    ("opening line", re.compile(r"^Signal log\.")),
    ("demo starting", re.compile(r"^starting the demo child|^demo \(\d+\) started")),
    ("sent to the demo", SENT),
    # A send's entry opens with its signal and target alone; its events follow
    # as their own lines in the file (the screen completes the entry in place).
    ("send", re.compile(r"^SIG\S+ → [^:]*$")),
    ("send result", re.compile(r"^SIG\S+ → |^SIG\S+ delivered to ")),
    ("received by the demo", RECEIVED),
    ("merged sends", re.compile(r" were sent while one was pending")),
    ("outcome", re.compile(r"^process \d+ \(.*\): ")),
    ("demo ended", re.compile(r"^demo \(\d+\) (was|exited)")),
    ("demo member", re.compile(r"^demo member")),
    ("demo disposition", re.compile(r"^demo \(\d+\): ")),
    ("demo message", re.compile(r"^demo: ")),
)
"""Kinds of log entries, the first matching pattern wins; else "other"."""
LOG_ERROR = re.compile(
    r"Not sent|not sent|Could not|could not|[Ff]ailed|Permission denied|"
    r"[Rr]efused|^demo: |^demo \(\d+\) (was killed|exited)|cancelled|"
    r"^process \d+ \(.*\): exited"
)
"""Log entries that report a problem."""

Colour = tuple[int, ...] | None


# --------------------------------------------------------------------------
# Reading the screen


@dataclass(frozen=True)
class Notification:
    """A toast on the screen.

    Attributes:
        severity: "information", "warning" or "error", from its edge's colour
            (anything but the information and error colours is a warning).
        text: Its title and message, lines joined by " / ".
    """

    severity: str
    text: str


def _coloured_cells(line: str) -> list[tuple[str, Colour, Colour]]:
    """Each character of a captured line with its foreground and background."""
    cells: list[tuple[str, Colour, Colour]] = []
    fg: Colour = None
    bg: Colour = None
    pos = 0
    while pos < len(line):
        if line[pos] != "\x1b":
            cells.append((line[pos], fg, bg))
            pos += 1
            continue
        sgr = SGR.match(line, pos)
        if sgr is None:
            other = OTHER_ESCAPE.match(line, pos)
            pos = other.end() if other is not None else pos + 1
            continue
        pos = sgr.end()
        params = [int(p) if p.isdigit() else 0 for p in sgr.group(1).split(";")]
        i = 0
        while i < len(params):
            p = params[i]
            colour: Colour = None
            if p in (38, 48) and i + 4 < len(params) and params[i + 1] == 2:
                colour = tuple(params[i + 2 : i + 5])
                i += 4
            elif p in (38, 48) and i + 2 < len(params) and params[i + 1] == 5:
                colour = (params[i + 2],)
                i += 2
            if p == 0:
                fg = bg = None
            elif p == 39:
                fg = None
            elif p == 49:
                bg = None
            elif p == 38:
                fg = colour
            elif p == 48:
                bg = colour
            elif 30 <= p <= 37 or 90 <= p <= 97:
                fg = (p,)
            elif 40 <= p <= 47 or 100 <= p <= 107:
                bg = (p,)
            i += 1
    return cells


def notifications(escaped_screen: str) -> list[Notification]:
    """The toasts on a screen captured with escapes (``capture-pane -e``).

    A toast's lines start with a ``▌`` on the toast's background, coloured by
    severity; consecutive lines whose edge has the same colour are taken as
    one toast (two stacked toasts of the same kind read as one).

    Args:
        escaped_screen: The screen, with its colour escapes.

    Returns:
        The toasts, top to bottom.
    """
    found: list[Notification] = []
    colour: Colour = None
    texts: list[str] = []

    def close() -> None:
        if colour is None:
            return
        if colour == INFORMATION:
            severity = "information"
        elif colour == ERROR:
            severity = "error"
        else:
            severity = "warning"
        found.append(Notification(severity, " / ".join(t for t in texts if t)))

    for line in escaped_screen.splitlines():
        cells = _coloured_cells(line)
        edge = next(
            (
                i
                for i, (char, _, bg) in enumerate(cells)
                if char == TOAST_EDGE and bg == TOAST_BACKGROUND
            ),
            None,
        )
        if edge is None:
            close()
            colour, texts = None, []
            continue
        fg = cells[edge][1]
        if fg != colour:
            close()
            colour, texts = fg, []
        texts.append("".join(char for char, _, _ in cells[edge + 1 :]).strip())
    close()
    return found


def error_texts(screen: str) -> list[str]:
    """Error messages visible anywhere on a (plain) screen.

    Args:
        screen: The screen's text.

    Returns:
        Each line that carries one of :data:`ERROR_TEXTS`.
    """
    return [
        line.strip()
        for line in screen.splitlines()
        if any(text in line for text in ERROR_TEXTS)
    ]


def picker_signals(screen: str) -> list[str]:
    """The signal names listed in the open signal picker, top to bottom.

    Args:
        screen: A captured screen.

    Returns:
        The names (``SIGTERM``); empty when no picker is open.
    """
    return [
        m.group(2) for line in screen.splitlines() if (m := PICKER_ROW.search(line))
    ]


def table_has_keys(screen: str) -> bool:
    """Whether the table has the keys: the footer shows ``q Quit``.

    Textual's footer leaves out printable keys while a text box has the focus.

    Args:
        screen: A captured screen.

    Returns:
        True if typed letters reach the main screen's bindings.
    """
    lines = screen.splitlines()
    return bool(lines) and re.search(r"(^| )q Quit\b", lines[-1]) is not None


# --------------------------------------------------------------------------
# The log file


def classify(entry: str) -> str:
    """The kind of a log entry (see :data:`LOG_KINDS`).

    Args:
        entry: The entry's text.

    Returns:
        Its kind, or "other".
    """
    return next((kind for kind, rx in LOG_KINDS if rx.search(entry)), "other")


def read_log(path: Path) -> list[tuple[float, str]]:
    """The entries of sigtui's ``--log`` file so far.

    Args:
        path: The file.

    Returns:
        (time, text) of each complete line (a line being written is skipped).
    """
    try:
        data = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    entries: list[tuple[float, str]] = []
    for line in data.splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        record = json.loads(line)
        entries.append((float(record["time"]), str(record["entry"])))
    return entries


# --------------------------------------------------------------------------
# Processes


@dataclass(frozen=True)
class Proc:
    """A process we watch, known by pid and start time (clock ticks).

    Attributes:
        what: What it is, for the report.
        pid: Its pid.
        start: Its start time, field 22 of ``/proc/PID/stat``.
    """

    what: str
    pid: int
    start: int

    def alive(self) -> bool:
        """Whether this very process still runs (not a zombie, not reused)."""
        return is_alive(self.pid, self.start)


def watch(what: str, pid: int) -> Proc | None:
    """Note a process's start time now.

    Args:
        what: What it is.
        pid: Its pid.

    Returns:
        The process, or None if it has gone already.
    """
    start = start_ticks(pid)
    return None if start is None else Proc(what, pid, start)


def send_checked(proc: Proc, signum: int) -> bool:
    """Signal a process through a pidfd, only if it is still that process.

    Args:
        proc: The process.
        signum: The signal.

    Returns:
        Whether the signal was sent.
    """
    try:
        fd = os.pidfd_open(proc.pid)
    except ProcessLookupError:
        return False
    try:
        # The pidfd pins the process: checked after opening, the start time
        # tells that it is still ours, and the send cannot go elsewhere.
        if start_ticks(proc.pid) != proc.start:
            return False
        signal.pidfd_send_signal(fd, signum)
        return True
    except ProcessLookupError:
        return False
    finally:
        os.close(fd)


def status_value(pid: int, key: str) -> int | None:
    """A number from ``/proc/PID/status`` (``VmHWM``, ``Threads``), or None.

    Args:
        pid: The process.
        key: The field's name.

    Returns:
        Its first number (kB for memory).
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def open_files(pid: int) -> int | None:
    """How many file descriptors a process has open, or None if unknown.

    Args:
        pid: The process.

    Returns:
        The count.
    """
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


@contextlib.contextmanager
def subreaper() -> Iterator[bool]:
    """Be the child subreaper of this process's orphans while inside.

    Yields:
        Whether it worked.
    """
    libc = None
    old = ctypes.c_int(0)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        on = (
            libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(old), 0, 0, 0) == 0
            and libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        )
    except (OSError, AttributeError):
        on = False
    try:
        yield on
    finally:
        if on and libc is not None:
            libc.prctl(PR_SET_CHILD_SUBREAPER, old.value, 0, 0, 0)


def reap(pids: Sequence[int]) -> None:
    """Reap those of the pids that are our children and have ended.

    Args:
        pids: The pids (an unreaped child's pid cannot have been reused).
    """
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def poll(probe: Callable[[], bool], timeout: float) -> bool:
    """Call ``probe`` until it returns True or ``timeout`` seconds pass.

    Args:
        probe: The condition.
        timeout: Seconds.

    Returns:
        Whether it held in time.
    """
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


# --------------------------------------------------------------------------
# tmux


class Ending(NamedTuple):
    """How sigtui ended: its exit status or the signal that ended it.

    Attributes:
        status: The exit status, if it exited.
        signo: The signal's number, if a signal ended it.
        from_proc: Read from the zombie's ``/proc/PID/stat``, not from tmux.
    """

    status: int | None = None
    signo: int | None = None
    from_proc: bool = False

    @property
    def known(self) -> bool:
        """Whether anything is known yet."""
        return self.status is not None or self.signo is not None

    def __str__(self) -> str:
        if self.status is not None:
            words = f"exited with status {self.status}"
        elif self.signo is not None:
            words = f"killed by {signal_name(self.signo)}"
        else:
            return "not known (it did not quit, or the tmux server is gone)"
        return words + (
            " (read from /proc: tmux had not reaped it yet)" if self.from_proc else ""
        )


class Tmux:
    """One tmux server on a private socket, with one pane.

    Args:
        directory: Where its socket and configuration go.
    """

    def __init__(self, directory: Path) -> None:
        self.socket = directory / "tmux.sock"
        self.config = directory / "tmux.conf"
        self.config.write_text(TMUX_CONFIG, encoding="utf-8")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(directory),
            "SHELL": "/bin/sh",
            "TERM": TERM,
            "COLORTERM": "truecolor",  # toast colours as RGB (see notifications)
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        if "PYTHONPATH" in os.environ:  # to soak another copy of sigtui
            self.env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        self.pane = ""
        self.started = False

    def run(self, *args: str, check: bool = True) -> str:
        """Run a tmux command against this server.

        Args:
            *args: The command.
            check: Raise if it fails.

        Returns:
            Its stdout.
        """
        server = ("-u", "-S", str(self.socket), "-f", str(self.config))
        return common.run_tmux(server, args, self.env, check=check)

    def start(self, argv: Sequence[str], size: tuple[int, int]) -> int:
        """Start the server with one pane running ``exec argv``.

        Args:
            argv: The command.
            size: Columns and lines.

        Returns:
            The pane's pid (the command's, as it is exec'd).
        """
        self.started = True
        out = self.run(
            "new-session",
            "-d",
            "-s",
            "soak",
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            "-P",
            "-F",
            "#{pane_id} #{pane_pid}",
            "exec " + shlex.join(argv),
        )
        self.pane, pid = out.split()
        return int(pid)

    def server_pid(self) -> int:
        """The server's pid."""
        return int(self.run("display-message", "-p", "#{pid}").strip())

    def capture(self, *, escapes: bool = False) -> str:
        """The visible screen (with colour escapes if asked)."""
        args = ["capture-pane", "-p", "-t", self.pane] + (["-e"] if escapes else [])
        return self.run(*args, check=False)

    def keys(self, *keys: str) -> None:
        """Press keys by tmux name."""
        self.run("send-keys", "-t", self.pane, *keys)

    def type_text(self, text: str) -> None:
        """Type text literally."""
        self.run("send-keys", "-t", self.pane, "-l", text)

    def resize(self, size: tuple[int, int]) -> bool:
        """Resize the window; True if tmux reports the new size."""
        self.run(
            "resize-window", "-t", self.pane, "-x", str(size[0]), "-y", str(size[1])
        )
        got = self.run(
            "display-message", "-p", "-t", self.pane, "#{window_width}x#{window_height}"
        )
        return got.strip() == f"{size[0]}x{size[1]}"

    def dead(self) -> bool:
        """Whether the pane's program has ended (or the server is gone)."""
        out = self.run(
            "display-message", "-p", "-t", self.pane, "#{pane_dead}", check=False
        ).strip()
        return out in ("1", "")

    def ending(self) -> Ending:
        """How the pane's program ended, as far as anyone knows yet.

        tmux has the status once it has reaped the program. tmux 3.3a marks
        a pane dead when its terminal closes and now and then leaves the
        program a zombie for 10 s and more; the kernel keeps a zombie's
        status, so it is read from there then.
        """
        out = self.run(
            "display-message",
            "-p",
            "-t",
            self.pane,
            "#{pane_pid}/#{pane_dead_status}/#{pane_dead_signal}",
            check=False,
        ).strip()
        pid, _, dead = out.partition("/")
        status, _, signo = dead.partition("/")
        if status or signo:
            return Ending(
                int(status) if status else None, int(signo) if signo else None
            )
        wait = common.zombie_wait_status(int(pid)) if pid.isdigit() else None
        if wait is None:
            return Ending()
        if os.WIFSIGNALED(wait):
            return Ending(None, os.WTERMSIG(wait), from_proc=True)
        return Ending(os.WEXITSTATUS(wait), None, from_proc=True)

    def wait_for(self, check: Callable[[str], bool], timeout: float) -> str | None:
        """Poll the screen until ``check`` holds.

        Args:
            check: The condition on the plain screen.
            timeout: Seconds.

        Returns:
            The matching screen, or None on timeout.
        """
        found: list[str] = []

        def probe() -> bool:
            screen = self.capture()
            if check(screen):
                found.append(screen)
                return True
            return False

        return found[0] if poll(probe, timeout) else None

    def kill(self) -> None:
        """Kill this server (only it); its pane's program gets SIGHUP."""
        if self.started and self.socket.exists():
            self.run("kill-server", check=False)


# --------------------------------------------------------------------------
# The soak


@dataclass
class Sample:
    """sigtui's resources at one moment.

    Attributes:
        t: Seconds since sigtui showed its first scan.
        rss_kib: VmRSS.
        fds: Open file descriptors.
        threads: Threads.
    """

    t: float
    rss_kib: int | None
    fds: int | None
    threads: int | None


@dataclass
class Problem:
    """An error seen, counted once per distinct text.

    Attributes:
        where: "screen", "log" or "soak".
        text: What was seen.
        first: Seconds since the start when first seen.
        count: How many times it was seen.
    """

    where: str
    text: str
    first: float
    count: int = 1


@dataclass
class Soak:
    """Settings and findings of one soak run.

    Attributes:
        minutes: How long to run.
        rate: Churn children per second.
        send_every: Seconds between two rounds of sends.
        resize_every: Seconds between two resizes.
        interval: sigtui's refresh interval.
    """

    minutes: float
    rate: float = 50.0
    send_every: float = 5.0
    resize_every: float = 10.0
    interval: float = 1.0
    began: float = 0.0
    began_wall: float = 0.0
    ran_s: float = 0.0
    warmup_s: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    warm: Sample | None = None
    peak_hwm_kib: int | None = None
    problems: dict[tuple[str, str], Problem] = field(default_factory=dict)
    ui_sends: int = 0
    ui_failures: int = 0
    outside_sent: Counter[str] = field(default_factory=Counter)
    resizes: int = 0
    log: list[tuple[float, str]] = field(default_factory=list)
    quit_at: float | None = None
    ending: Ending = field(default_factory=Ending)
    left_behind: list[str] = field(default_factory=list)
    churn: ChurnResult | None = None
    sigtui: Proc | None = None
    demo: list[Proc] = field(default_factory=list)
    interrupted: str | None = None
    last_screen: str = ""
    toasts: Counter[str] = field(default_factory=Counter)

    @property
    def exit_status(self) -> int | None:
        """sigtui's exit status, if it exited (rather than being killed)."""
        return self.ending.status

    # -- findings --------------------------------------------------------------

    def problem(self, where: str, text: str) -> None:
        """Note an error (counted once per distinct text).

        Args:
            where: "screen", "log" or "soak".
            text: What was seen.
        """
        key = (where, text)
        if key in self.problems:
            self.problems[key].count += 1
        else:
            self.problems[key] = Problem(where, text, self.elapsed())
            common.progress(f"{self.elapsed():6.1f} s  problem ({where}): {text}")

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.monotonic() - self.began if self.began else 0.0

    def signal_rows(self) -> list[tuple[str, str, int, int]]:
        """(signal, sender, sent, received) from the log and our own sends."""
        me = str(os.getpid())
        sigtui = str(self.sigtui.pid) if self.sigtui else "?"
        sent_ui: Counter[str] = Counter()
        got_ui: Counter[str] = Counter()
        got_outside: Counter[str] = Counter()
        for _, entry in self.log:
            if m := SENT.match(entry):
                sent_ui[m.group(2)] += 1
            elif m := RECEIVED.match(entry):
                if m.group(3) == sigtui:
                    got_ui[m.group(2)] += 1
                elif m.group(3) == me:
                    got_outside[m.group(2)] += 1
        rows = [("SIGUSR1", "sigtui's UI", sent_ui["SIGUSR1"], got_ui["SIGUSR1"])]
        rows += [
            (name, "this script (outside)", n, got_outside[name])
            for name, n in sorted(self.outside_sent.items())
        ]
        return rows

    def missing_receipts(self) -> int:
        """Sends the demo has not reported (yet)."""
        return sum(max(0, sent - got) for _, _, sent, got in self.signal_rows())

    @property
    def passed(self) -> bool:
        """Nothing left behind, no error, every send received, sigtui exited 0."""
        return (
            self.interrupted is None
            and not self.left_behind
            and not self.problems
            and self.missing_receipts() == 0
            and self.ui_sends > 0
            and self.exit_status == 0
        )


def run(soak: Soak) -> Soak:
    """Run the soak; the findings are filled into ``soak``.

    Args:
        soak: The settings.

    Returns:
        The same object, with its findings.
    """
    duration = soak.minutes * 60.0
    soak.warmup_s = min(WARMUP_MAX_S, duration / 10)
    with tempfile.TemporaryDirectory(prefix="sigtui-soak-") as tmp, subreaper():
        directory = Path(tmp)
        log_path = directory / "sigtui-log.jsonl"
        tmux = Tmux(directory)
        marker = f"soakchurn{uuid.uuid4().hex[:12]}"
        churn = Churn(
            marker,
            directory / "children.txt",
            rate=soak.rate,
            limit_s=duration + 300,  # a bound should this script die
        )
        procs: list[Proc] = []
        try:
            churn.start()
            common.progress(f"churn: {soak.rate:g}/s, generator pid {churn.pid}")
            _run(soak, tmux, log_path, procs, duration)
        except KeyboardInterrupt:
            soak.interrupted = "interrupted (Ctrl-C)"
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
            name = signal.Signals(code - 128).name if code > 128 else str(code)
            soak.interrupted = f"interrupted ({name})"
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            soak.problem("soak", f"the soak itself failed: {err}")
        finally:
            if soak.began and not soak.ran_s:  # ended early
                soak.ran_s = soak.elapsed()
            with common.signals_blocked():
                _clean_up(soak, tmux, churn, procs)
            soak.log = read_log(log_path)
    _judge_log(soak)
    return soak


def _run(
    soak: Soak, tmux: Tmux, log_path: Path, procs: list[Proc], duration: float
) -> None:
    argv = [
        str(sigtui_command()),
        "--demo",
        "--log",
        str(log_path),
        "--interval",
        f"{soak.interval:g}",
    ]
    pid = tmux.start(argv, SIZES[0])
    server = watch("tmux server", tmux.server_pid())
    if server is not None:
        procs.append(server)
    sigtui = watch("sigtui", pid)
    if sigtui is None:
        raise RuntimeError("sigtui ended at once")
    soak.sigtui = sigtui
    procs.append(sigtui)
    if tmux.wait_for(lambda s: SCANNED.search(s) is not None, START_TIMEOUT_S) is None:
        raise RuntimeError("sigtui showed no scan in time:\n" + tmux.capture())
    soak.began = time.monotonic()
    soak.began_wall = time.time()
    _sample(soak, tmux)
    common.progress(f"sigtui (pid {pid}) up; demo starting")

    def demo_started() -> bool:
        for _, entry in read_log(log_path):
            if m := DEMO_STARTED.match(entry):
                pids = [int(m.group(1))]
                pids += [int(x) for x in m.group(3).replace(",", " ").split()]
                whats = ["demo child"] + ["demo member"] * (len(pids) - 1)
                soak.demo = [
                    p for w, x in zip(whats, pids, strict=True) if (p := watch(w, x))
                ]
                return True
        return False

    if not poll(demo_started, UI_TIMEOUT_S):
        raise RuntimeError("the demo did not start:\n" + tmux.capture())
    if not soak.demo or soak.demo[0].what != "demo child":
        raise RuntimeError("the demo ended at once")
    demo = soak.demo[0]
    procs += soak.demo
    common.progress("demo: " + ", ".join(f"{p.what} {p.pid}" for p in soak.demo))

    end = soak.began + duration
    due_sample = soak.began + SAMPLE_EVERY_S
    due_send = soak.began + soak.send_every
    due_resize = soak.began + soak.resize_every
    outside = [signal.SIGUSR2, signal.SIGRTMIN]
    rounds = 0
    size = 0
    while (now := time.monotonic()) < end:
        if now >= due_sample:
            if not _sample(soak, tmux):
                return
            due_sample += SAMPLE_EVERY_S
        if now >= due_send:
            _ui_send(soak, tmux, demo)
            signum = outside[rounds % len(outside)]
            if send_checked(demo, signum):
                soak.outside_sent[signal.Signals(signum).name] += 1
            else:
                soak.problem("soak", "the demo was gone for an outside send")
            rounds += 1
            due_send += soak.send_every
        if now >= due_resize:
            size = (size + 1) % len(SIZES)
            if tmux.resize(SIZES[size]):
                soak.resizes += 1
            else:
                soak.problem("soak", f"tmux did not resize to {SIZES[size]}")
            due_resize += soak.resize_every
        if soak.warm is None and now >= soak.began + soak.warmup_s and soak.samples:
            soak.warm = soak.samples[-1]
        wake = min(due_sample, due_send, due_resize, end)
        time.sleep(max(0.0, wake - time.monotonic()))  # the soak's timers
    soak.ran_s = time.monotonic() - soak.began

    # The demo reports what it got: wait (bounded) for the last sends.
    def caught_up() -> bool:
        soak.log = read_log(log_path)
        return soak.missing_receipts() == 0

    poll(caught_up, RECEIPT_TIMEOUT_S)
    logged = next(sent for name, _, sent, _ in soak.signal_rows() if name == "SIGUSR1")
    if logged != soak.ui_sends:
        soak.problem(
            "log", f"{soak.ui_sends} sends through the UI, {logged} logged as sent"
        )
    _sample(soak, tmux)
    # A send that worked no longer pops up (the log says it), so there is no
    # toast to check notifications() against here; error toasts are still read
    # on every sample, and errors are also looked for in the text and the log.
    soak.peak_hwm_kib = status_value(sigtui.pid, "VmHWM")
    _quit(soak, tmux)


def _sample(soak: Soak, tmux: Tmux) -> bool:
    """Read sigtui's resources and check the screen; False if sigtui ended."""
    assert soak.sigtui is not None
    pid = soak.sigtui.pid
    if tmux.dead() or not soak.sigtui.alive():
        soak.ending = tmux.ending()
        soak.problem("soak", f"sigtui ended during the soak: {soak.ending}")
        return False
    soak.samples.append(
        Sample(
            soak.elapsed(),
            rss_kib(pid),
            open_files(pid),
            status_value(pid, "Threads"),
        )
    )
    screen = tmux.capture()
    for text in error_texts(screen):
        soak.problem("screen", text)
    for toast in notifications(tmux.capture(escapes=True)):
        soak.toasts[toast.severity] += 1
        if toast.severity != "information":
            soak.problem("screen", f"{toast.severity} notification: {toast.text}")
    return True


def _ui_send(soak: Soak, tmux: Tmux, demo: Proc) -> None:
    """SIGUSR1 to the demo through the picker: k, usr1, enter."""
    if tmux.wait_for(table_has_keys, UI_TIMEOUT_S) is None:
        tmux.keys("Escape")
        soak.ui_failures += 1
        soak.problem("soak", "the table did not have the keys for a UI send")
        return
    tmux.keys("k")
    title = re.compile(r"Send a signal to process (\d+):")
    screen = tmux.wait_for(lambda s: title.search(s) is not None, UI_TIMEOUT_S)
    match = title.search(screen) if screen is not None else None
    if match is None or int(match.group(1)) != demo.pid:
        tmux.keys("Escape")
        soak.ui_failures += 1
        soak.problem(
            "soak",
            "k did not open the picker for the demo "
            + (f"but for pid {match.group(1)}" if match else "(no picker)"),
        )
        return
    tmux.type_text("usr1")
    if tmux.wait_for(lambda s: picker_signals(s) == ["SIGUSR1"], UI_TIMEOUT_S) is None:
        tmux.keys("Escape")
        soak.ui_failures += 1
        soak.problem("soak", "the picker did not narrow down to SIGUSR1")
        return
    tmux.keys("Enter")
    if tmux.wait_for(lambda s: title.search(s) is None, UI_TIMEOUT_S) is None:
        tmux.keys("Escape")
        soak.ui_failures += 1
        soak.problem("soak", "the picker stayed open after enter")
        return
    soak.ui_sends += 1


def _quit(soak: Soak, tmux: Tmux) -> None:
    """Press q in the table and wait for sigtui to exit."""
    # Escape only if needed (a picker left open), and q only once the screen
    # shows its effect: an escape and a q read together are Alt+q.
    if not table_has_keys(tmux.capture()):
        tmux.keys("Escape")
        if tmux.wait_for(table_has_keys, UI_TIMEOUT_S) is None:
            soak.problem("soak", "the table did not have the keys to quit")
    soak.quit_at = time.time()
    tmux.keys("q")
    if not poll(tmux.dead, QUIT_TIMEOUT_S):
        soak.problem("soak", f"sigtui did not quit within {QUIT_TIMEOUT_S:g} s of q")
        soak.last_screen = tmux.capture()
        return
    poll(lambda: tmux.ending().known, UI_TIMEOUT_S)
    soak.ending = tmux.ending()
    common.progress(f"sigtui quit: {soak.ending}")


def _clean_up(soak: Soak, tmux: Tmux, churn: Churn, procs: list[Proc]) -> None:
    """Note what sigtui left behind, then end and reap everything of ours."""
    if soak.quit_at is not None and soak.exit_status is not None:
        # sigtui has quit by itself: what it started must go with it.
        watched = [p for p in procs if p.what != "tmux server"]
        poll(lambda: not any(p.alive() for p in watched), GONE_TIMEOUT_S)
        soak.left_behind += [
            f"{p.what} (pid {p.pid}) still ran {GONE_TIMEOUT_S:g} s after sigtui quit"
            for p in watched
            if p.alive()
        ]
    try:
        tmux.kill()
    except (OSError, subprocess.SubprocessError) as err:
        common.progress(f"tmux kill-server failed: {err}")
    if not poll(lambda: not any(p.alive() for p in procs), GONE_TIMEOUT_S):
        for p in procs:
            if p.alive():
                common.progress(f"{p.what} (pid {p.pid}) survived: SIGKILL")
                send_checked(p, signal.SIGKILL)
        poll(lambda: not any(p.alive() for p in procs), GONE_TIMEOUT_S)
    soak.left_behind += [
        f"{p.what} (pid {p.pid}) survived the clean-up" for p in procs if p.alive()
    ]
    reap([p.pid for p in procs])
    try:
        soak.churn = churn.stop()
    except RuntimeError:  # never started
        return
    soak.left_behind += [
        f"churn child {s} survived in group {churn.pid}" for s in soak.churn.survivors
    ]
    if soak.churn.status != 0:
        soak.problem(
            "soak", f"the churn generator exited {soak.churn.status}: {churn.stderr()}"
        )
    if soak.churn.failures:
        soak.problem("soak", f"{soak.churn.failures} churn forks failed")


def _judge_log(soak: Soak) -> None:
    """Note the log file's error entries (the demo ending before q counts)."""
    for stamp, entry in soak.log:
        failed_send = classify(entry) == "send result" and "delivered" not in entry
        if not (LOG_ERROR.search(entry) or failed_send):
            continue
        if soak.quit_at is not None and stamp >= soak.quit_at:
            continue  # the demo ends with sigtui
        first = max(0.0, stamp - soak.began_wall)
        soak.problems.setdefault(("log", entry), Problem("log", entry, first))


# --------------------------------------------------------------------------
# The report


def _mib(kib: int | None) -> str:
    return "?" if kib is None else f"{kib / 1024:.1f}"


def _value(sample: Sample | None, attr: str) -> int | None:
    return None if sample is None else getattr(sample, attr)


def growth_per_minute(samples: Sequence[Sample], after: float) -> float | None:
    """The slope of RSS over time after the warm-up, by least squares.

    Args:
        samples: The samples.
        after: Seconds of warm-up to leave out.

    Returns:
        MiB per minute, or None with fewer than ten samples.
    """
    points = [(s.t, s.rss_kib) for s in samples if s.t >= after and s.rss_kib]
    if len(points) < 10:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_r = sum(r for _, r in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (r - mean_r) for t, r in points)
    return cov / var * 60 / 1024


def _nearest(samples: Sequence[Sample], t: float) -> Sample:
    return min(samples, key=lambda sample: abs(sample.t - t))


def report(soak: Soak) -> str:
    """The findings as Markdown.

    Args:
        soak: A finished run.

    Returns:
        The report.
    """
    lines = ["# sigtui soak", ""]
    lines.append(
        f"{soak.ran_s / 60:.1f} min ({soak.ran_s:.0f} s) of `sigtui --demo --log FILE "
        f"--interval {soak.interval:g}` in a private tmux server, with churn "
        f"({soak.rate:g} children/s, 1-50 ms each), sends to the demo every "
        f"{soak.send_every:g} s and a resize every {soak.resize_every:g} s "
        f"(sizes {', '.join(f'{w}x{h}' for w, h in SIZES)})."
    )
    lines.append("")
    lines.append(common.machine_line())
    lines.append("")
    if soak.passed:
        lines.append(
            "**Verdict: PASS**: no error, nothing left behind, every send "
            "received, sigtui quit with status 0."
        )
    else:
        reasons = []
        if soak.interrupted:
            reasons.append(soak.interrupted)
        if soak.problems:
            reasons.append(f"{len(soak.problems)} distinct errors")
        if soak.left_behind:
            reasons.append(f"{len(soak.left_behind)} processes left behind")
        if soak.missing_receipts():
            reasons.append(f"{soak.missing_receipts()} sends not received")
        if soak.ui_sends == 0:
            reasons.append("no send through the UI succeeded")
        if soak.exit_status != 0:
            reasons.append(f"sigtui's exit status: {soak.exit_status} ({soak.ending})")
        lines.append(f"**Verdict: FAIL**: {'; '.join(reasons)}.")
    lines += ["", "## sigtui's memory and resources", ""]
    first = soak.samples[0] if soak.samples else None
    last = soak.samples[-1] if soak.samples else None
    rss = [s.rss_kib for s in soak.samples if s.rss_kib is not None]
    fds = [s.fds for s in soak.samples if s.fds is not None]
    threads = [s.threads for s in soak.samples if s.threads is not None]
    warm = f"after warm-up ({soak.warmup_s:.0f} s)"
    lines += [
        f"| | start (first scan) | {warm} | end | peak |",
        "|---|---:|---:|---:|---:|",
        f"| RSS (MiB) | {_mib(_value(first, 'rss_kib'))} "
        f"| {_mib(_value(soak.warm, 'rss_kib'))} | {_mib(_value(last, 'rss_kib'))} "
        f"| {_mib(max(rss) if rss else None)} sampled, "
        f"{_mib(soak.peak_hwm_kib)} VmHWM |",
        f"| open files | {_value(first, 'fds')} | {_value(soak.warm, 'fds')} "
        f"| {_value(last, 'fds')} | {max(fds) if fds else '?'} |",
        f"| threads | {_value(first, 'threads')} | {_value(soak.warm, 'threads')} "
        f"| {_value(last, 'threads')} | {max(threads) if threads else '?'} |",
    ]
    slope = growth_per_minute(soak.samples, soak.warmup_s)
    if slope is not None:
        lines += [
            "",
            f"RSS trend after the warm-up: {slope:+.1f} MiB/min (least squares over "
            "the samples; not part of the verdict).",
        ]
    if soak.samples and soak.ran_s >= 120:
        by_minute: list[str] = []
        for minute in range(int(soak.ran_s // 60) + 1):
            near = _nearest(soak.samples, 60.0 * minute)
            by_minute.append(f"{minute} min: {_mib(near.rss_kib)}")
        lines += ["", "RSS (MiB) by minute: " + "; ".join(by_minute) + "."]
    lines += [
        "",
        f"Sampled every {SAMPLE_EVERY_S:g} s ({len(soak.samples)} samples) from "
        "/proc/PID/status (VmRSS, VmHWM, Threads) and /proc/PID/fd.",
        "",
        "## Signals to the demo",
        "",
        "| signal | sender | sent | received by the demo |",
        "|---|---|---:|---:|",
    ]
    for name, sender, sent, got in soak.signal_rows():
        lines.append(f"| {name} | {sender} | {sent} | {got} |")
    lines += [
        "",
        f"UI sends completed: {soak.ui_sends}, failed: {soak.ui_failures} (sent "
        "counts SIGUSR1 as sigtui logged it; received counts the demo's reports, "
        "by sender pid). Resizes: "
        f"{soak.resizes}. Notifications read on screen (once per sample while "
        "shown): "
        + (", ".join(f"{n} {k}" for k, n in sorted(soak.toasts.items())) or "none")
        + ".",
        "",
        "## Log file",
        "",
    ]
    kinds = Counter(classify(entry) for _, entry in soak.log)
    lines += [f"{len(soak.log)} entries.", "", "| kind | entries |", "|---|---:|"]
    lines += [f"| {kind} | {n} |" for kind, n in kinds.most_common()]
    lines += ["", "## Errors seen", ""]
    if soak.problems:
        lines += ["| where | first seen (s) | times | what |", "|---|---:|---:|---|"]
        for p in soak.problems.values():
            text = p.text.replace("|", "\\|")
            lines.append(f"| {p.where} | {p.first:.0f} | {p.count} | {text} |")
    else:
        lines.append(
            "Errors seen: none (no error or warning notification, no "
            '"Could not read processes", no traceback on screen; no error entry '
            "in the log)."
        )
    lines += ["", "## Churn", ""]
    if soak.churn is not None:
        c = soak.churn
        lines.append(
            f"{c.forks} children forked in {c.seconds:.0f} s ({c.rate:.1f}/s), "
            f"{c.failures} forks failed, {len(c.lives)} reaped and recorded; "
            f"generator exit status {c.status}."
        )
    lines += ["", "## Processes left behind", ""]
    checked = ", ".join(
        f"{p.what} {p.pid}" for p in ([soak.sigtui] if soak.sigtui else []) + soak.demo
    )
    if soak.left_behind:
        lines += [f"- {what}" for what in soak.left_behind]
    else:
        lines.append(
            f"Left behind: none (checked by pid and start time: {checked or '-'}; "
            "and no live process in the churn's process group)."
        )
    lines += ["", f"sigtui's exit status: {soak.exit_status}."]
    lines.append(f"How it ended: {soak.ending}.")
    if soak.last_screen:
        lines += ["", "## The screen when it went wrong", "", "```"]
        lines += [line.rstrip() for line in soak.last_screen.splitlines()]
        lines.append("```")
    return "\n".join(lines) + "\n"


def positive_float(text: str) -> float:
    """Parse a number greater than zero (argparse type).

    Args:
        text: The argument.

    Returns:
        The number.
    """
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak from the command line and print its report.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        0 if the soak passed, 1 if not, 130 if interrupted.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description="Run sigtui in tmux under churn, sends and resizes; report "
        "memory, log entries, errors and leftovers.",
    )
    parser.add_argument("--minutes", type=positive_float, default=10.0)
    parser.add_argument(
        "--rate", type=positive_float, default=50.0, help="churn children per second"
    )
    parser.add_argument(
        "--send-every",
        type=positive_float,
        default=5.0,
        help="seconds between rounds of sends",
    )
    parser.add_argument(
        "--resize-every",
        type=positive_float,
        default=10.0,
        help="seconds between resizes",
    )
    parser.add_argument(
        "--interval", type=positive_float, default=1.0, help="sigtui's refresh interval"
    )
    args = parser.parse_args(argv)
    soak = Soak(
        args.minutes,
        rate=args.rate,
        send_every=args.send_every,
        resize_every=args.resize_every,
        interval=args.interval,
    )
    # Ctrl-C too, even where the shell started this with SIGINT ignored.
    previous = {
        sig: signal.signal(sig, common.raise_exit)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        run(soak)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(report(soak), end="")
    if soak.interrupted:
        return 130
    return 0 if soak.passed else 1


if __name__ == "__main__":
    sys.exit(main())
