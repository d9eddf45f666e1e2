"""CPU use of sigtui, top and htop at a 1 s refresh, side by side under tmux.

Usage: python -m benchmarks.cpu [--duration 30] [--windows 3] [--warmup 5]
                                [--extra 0,3000,10000] [--tools sigtui,top,htop]

Goal 3 of the performance issue: at a 1 s refresh, under tmux, with 3,000 and
10,000 processes, sigtui uses less CPU than ``top`` and less than half of what
``htop`` uses, all measured at the same time.

:func:`measure_cpu` starts one private tmux server (socket ``-L
sigtui-cpu-<pid>``, 200x50, a clean environment whose HOME is a temporary
directory) with one window per tool, all running at once: ``sigtui --interval
1``, ``top -d 1`` and ``htop -d 10`` (tenths of a second). Each window runs
``exec TOOL ...``, so the pane's process is the tool itself. Once every screen
shows its header, it waits ``warmup`` seconds and then measures ``windows``
consecutive windows: CPU % = delta(utime + stime) / delta(wall) x 100, from
/proc/PID/stat, which counts every thread of the process. It measures whatever
processes exist; the caller keeps the population alive.

Clean-up (always): kill that tmux server only, wait until the tools and the
server are gone, and SIGKILL a survivor by its own pid only if its start time
is the one recorded. While measuring, this process is the child subreaper of
its orphans, so the daemonised tmux server and the tools end as its children
and are reaped here (pid 1 of a container may never reap them).

The command line holds N idle processes with
:func:`benchmarks.common.population` for each N in --extra, measures, and
prints a Markdown table (with how many processes /proc listed meanwhile: the
machine may be shared); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import os
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import common
from sigtui.processes.scan import read_stat

TOOLS = ("sigtui", "top", "htop")
SIZE = (200, 50)
TERM = "screen-256color"  # in ncurses-base everywhere, unlike tmux-256color
READY_TEXT = "PID"  # every tool's table header has it
READY_TIMEOUT_S = 60.0  # sigtui's first scan at 10,000 processes is slow
EXEC_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
REAP_TIMEOUT_S = 2.0
APT_TIMEOUT_S = 300.0
POLL_S = 0.05
SERVER = "tmux server"
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
CLK_TCK = os.sysconf("SC_CLK_TCK")

TMUX_CONFIG = f"""\
set-option -g status off
set-option -g default-size {SIZE[0]}x{SIZE[1]}
set-option -g default-terminal {TERM}
set-option -g default-shell /bin/sh
set-option -g remain-on-exit on
set-option -g history-limit 100
"""
# remain-on-exit keeps a crashed tool's last screen for the error message.


@dataclass
class CpuResult:
    """CPU use of one tool over the measuring windows.

    Attributes:
        tool: "sigtui", "top" or "htop".
        percent: Percent of one core, one value per measuring window (empty
            if the tool could not be measured; ``note`` says why).
        rss_kib: Resident memory at the end (VmRSS of /proc/PID/status).
        note: What went wrong or is worth knowing, else None.
        pid: The pid the tool ran as (the tmux pane's process), if started.
        start_ticks: Its start time (field 22 of /proc/PID/stat), which tells
            it apart from a later process given the same pid.
    """

    tool: str
    percent: list[float]
    rss_kib: int | None
    note: str | None
    pid: int | None = None
    start_ticks: int | None = None


@dataclass
class _Proc:
    """A process we started (through tmux), known by pid and start time."""

    what: str
    pid: int
    start: int


# --------------------------------------------------------------------------
# /proc


def start_ticks(pid: int) -> int | None:
    """Return a process's start time in clock ticks, or None if it is gone."""
    stat = read_stat(pid)
    return None if stat is None else stat.start_ticks


def _a_thread_runs(pid: int) -> bool:
    """Whether any thread of the process has not exited yet."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return False
    for tid in tids:
        stat = read_stat(int(tid), root=f"/proc/{pid}/task")
        if stat is not None and stat.state not in ("Z", "X"):
            return True
    return False


def cpu_ticks(pid: int, start: int) -> int | None:
    """Return utime + stime of all threads, or None if the process has ended.

    Args:
        pid: The process.
        start: Its recorded start ticks; another start time means another
            process now has the pid.

    Returns:
        Clock ticks of CPU used so far; None if it is gone, its pid reused,
        or every thread has exited (a zombie).
    """
    stat = read_stat(pid)
    if stat is None or stat.start_ticks != start:
        return None
    # A zombie main thread is not the end: the others may still run (sigtui's
    # main thread exits first on SIGHUP). The process's stat sums them all.
    if stat.state in ("Z", "X") and not _a_thread_runs(pid):
        return None
    return stat.cpu_ticks


def is_alive(pid: int, start: int) -> bool:
    """Whether the process with this pid and start time still runs.

    A zombie whose threads have all exited counts as ended: it runs no more,
    and if :func:`measure_cpu` could not become subreaper, its reaper (pid 1,
    in a container often not an init) may never reap it.

    Args:
        pid: The process.
        start: Its recorded start ticks.

    Returns:
        True if a thread of it runs (it is not gone, reused or a zombie).
    """
    return cpu_ticks(pid, start) is not None


def rss_kib(pid: int) -> int | None:
    """Return VmRSS of /proc/PID/status in KiB, or None if unavailable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def _comm(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def count_processes() -> int:
    """Return how many processes (not threads) /proc lists now."""
    return sum(1 for name in os.listdir("/proc") if name.isdigit())


# --------------------------------------------------------------------------
# The tools


def sigtui_command() -> Path:
    """Return the ``sigtui`` installed next to this interpreter.

    Returns:
        Its path.

    Raises:
        FileNotFoundError: If it is not there (measuring another install's
            sigtui would measure the wrong code).
    """
    path = Path(sys.executable).parent / "sigtui"
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise FileNotFoundError(
            f"no sigtui command at {path}: install sigtui into this interpreter's "
            "environment (pip install -e '.[dev]')"
        )
    return path


def ensure_htop() -> tuple[str | None, str | None]:
    """Find htop, installing it with apt-get if it is missing.

    Returns:
        (its path, None), or (None, a note saying why there is none).
    """
    found = shutil.which("htop")
    if found is not None:
        return found, None
    apt = shutil.which("apt-get")
    if apt is None:
        return None, "htop not installed and there is no apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", "htop"]
    # The package lists may be missing or stale: update once, then retry.
    error = ""
    for argvs in ([install], [[apt, "update", "-q"], install]):
        common.progress(f"htop missing: {' && '.join(shlex.join(a) for a in argvs)}")
        try:
            for argv in argvs:
                done = subprocess.run(
                    argv,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=APT_TIMEOUT_S,
                    check=False,
                )
                if done.returncode != 0:
                    lines = (done.stderr or done.stdout).strip().splitlines()
                    error = f"{shlex.join(argv)} exited {done.returncode}: " + (
                        lines[-1] if lines else "no output"
                    )
                    break
            else:
                found = shutil.which("htop")
                if found is not None:
                    return found, None
                error = "apt-get succeeded but htop is not on PATH"
        except (OSError, subprocess.TimeoutExpired) as e:
            error = str(e)
    return None, f"htop not installed and apt-get failed: {error}"


def _tool_argv(tool: str) -> tuple[list[str] | None, str | None]:
    """The argv to run a tool at a 1 s refresh, or None and why not."""
    if tool == "sigtui":
        return [str(sigtui_command()), "--interval", "1"], None
    if tool == "top":
        top = shutil.which("top")
        if top is None:
            return None, "top not installed"
        return [top, "-d", "1"], None
    htop, note = ensure_htop()
    if htop is None:
        return None, note
    return [htop, "-d", "10"], None  # htop's delay is in tenths of a second


# --------------------------------------------------------------------------
# tmux


class _Tmux:
    """One tmux server on a private socket, in a clean environment."""

    def __init__(self, socket: str, home: Path) -> None:
        self.socket = socket
        self.socket_path: Path | None = None  # known once the server runs
        config = home / "tmux.conf"
        config.write_text(TMUX_CONFIG, encoding="utf-8")
        self.config = config
        # Built from scratch: nothing of the user's tmux, locale, terminal or
        # configuration (HOME is ours: htop writes ~/.config/htop/htoprc).
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(home),
            "SHELL": "/bin/sh",
            "TERM": TERM,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }

    def run(self, *args: str, check: bool = True) -> str:
        """Run a tmux command against this server and return its stdout."""
        return common.run_tmux(self._server(), args, self.env, check=check)

    def _server(self) -> tuple[str, ...]:
        """The options that name this server."""
        return ("-L", self.socket, "-f", str(self.config))

    def start(self, first: bool, name: str, argv: Sequence[str]) -> tuple[str, int]:
        """Open a window running ``exec argv``; return its pane id and pid."""
        command = "exec " + shlex.join(argv)
        fmt = "#{pane_id} #{pane_pid}"
        if first:
            size = ("-x", str(SIZE[0]), "-y", str(SIZE[1]))
            out = self.run(
                "new-session",
                "-d",
                "-s",
                "cpu",
                "-n",
                name,
                *size,
                "-P",
                "-F",
                fmt,
                command,
            )
        else:
            out = self.run(
                "new-window", "-d", "-t", "cpu:", "-n", name, "-P", "-F", fmt, command
            )
        pane, pid = out.split()
        return pane, int(pid)

    def capture(self, pane: str) -> str:
        return self.run("capture-pane", "-p", "-t", pane, check=False)

    def pane_size(self, pane: str) -> str:
        return self.run(
            "display-message", "-p", "-t", pane, "#{pane_width}x#{pane_height}"
        ).strip()

    @contextlib.contextmanager
    def control(self) -> Iterator[TmuxControl]:
        """A control-mode client of this server, for cheap captures while inside.

        Each :meth:`capture` runs a ``tmux`` client: a fork and exec that costs
        2.6 ms of CPU and 3.4 ms in all (measured: 100 captures of a 200 x 50
        pane). Polled every 10 ms while a program starts, that is a sixth of
        one of this machine's two cores taken from the program being timed.
        One control-mode client answers the same command for 0.2 ms.
        """
        client = TmuxControl(["tmux", *self._server()], self.env)
        try:
            yield client
        finally:
            client.close()


class TmuxControl:
    """A tmux client in control mode (``tmux -C``): commands in, blocks out.

    Attached read-only, without pane output and without a say in the window
    size, so the panes it watches stay as they are.

    Args:
        server: The argv that names the server (``tmux -L socket -f conf``).
        env: The environment it runs in.

    Raises:
        RuntimeError: If the client cannot attach.
    """

    def __init__(self, server: Sequence[str], env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [*server, "-C", "attach-session", "-f", "no-output,ignore-size,read-only"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._buffer = b""
        try:
            self._answer("attach-session")  # the attach command's own block
            if self.command("display-message", "-p", "attached") != "attached\n":
                raise RuntimeError("tmux control client: answers out of step")
        except RuntimeError:
            self.close()
            raise

    def command(self, *args: str) -> str:
        """Run one tmux command through this client; what it prints, as tmux would.

        Raises:
            RuntimeError: If the command fails, the client ends, or no answer
                comes within the tmux timeout.
        """
        assert self._proc.stdin is not None
        self._proc.stdin.write(shlex.join(args).encode() + b"\n")
        self._proc.stdin.flush()
        return self._answer(args[0])

    def _answer(self, command: str) -> str:
        """The next ``%begin`` ... ``%end`` block's text."""
        deadline = time.monotonic() + common.TMUX_TIMEOUT_S
        lines: list[bytes] | None = None
        # A block ends with the %begin line's own time, number and flags:
        # a line of the pane that merely starts with %end does not end it.
        stamp = b""
        while True:
            line = self._line(deadline)
            if lines is None:
                if line.startswith(b"%begin "):
                    lines, stamp = [], line.removeprefix(b"%begin")
                # else a notification between blocks
            elif line in (b"%end" + stamp, b"%error" + stamp):
                text = b"".join(out + b"\n" for out in lines).decode("utf-8", "replace")
                if line.startswith(b"%error"):
                    raise RuntimeError(f"tmux {command}: {text}")
                return text
            else:
                lines.append(line)

    def capture(self, pane: str) -> str:
        """The pane's text, as ``tmux capture-pane -p`` prints it."""
        return self.command("capture-pane", "-p", "-t", pane)

    def close(self) -> None:
        """Detach (closing its input ends the client) and reap it."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=common.TMUX_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def _line(self, deadline: float) -> bytes:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while (end := self._buffer.find(b"\n")) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise RuntimeError("tmux control client: no answer in time")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("tmux control client ended")
            self._buffer += chunk
        line, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
        return line


def _poll(probe: Callable[[], bool], timeout: float) -> bool:
    """Call ``probe`` until it returns True or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if probe():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)


@contextlib.contextmanager
def _subreaper() -> Iterator[bool]:
    """Be the child subreaper of this process's orphans while inside.

    tmux daemonises, so its server and, once it is gone, the tools are
    orphans; pid 1 (in a container, often not an init) may never reap them
    and they would stay zombies. As subreaper we get them and reap them.

    Yields:
        Whether it worked (Linux >= 3.4).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        old = ctypes.c_int(0)
        on = (
            libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(old), 0, 0, 0) == 0
            and libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        )
    except (OSError, AttributeError):
        on = False
    try:
        yield on
    finally:
        if on:
            libc.prctl(PR_SET_CHILD_SUBREAPER, old.value, 0, 0, 0)


def _reap(procs: list[_Proc]) -> None:
    """Reap those of our processes that ended and became our children.

    Only our own children can be reaped, and an unreaped child's pid cannot
    have been reused: this never touches anyone else's process.
    """
    pending = list(procs)

    def reaped_all() -> bool:
        for p in list(pending):
            try:
                if os.waitpid(p.pid, os.WNOHANG)[0] == 0:
                    continue  # ours, but the last thread is still on its way out
            except ChildProcessError:
                pass  # not our child (reaped already, or adopted by another)
            pending.remove(p)
        return not pending

    _poll(reaped_all, REAP_TIMEOUT_S)


def _stop(tmux: _Tmux, procs: list[_Proc]) -> list[str]:
    """Kill our tmux server, then make sure our processes are gone.

    Args:
        tmux: The server.
        procs: Its own process and the tools', with their start times.

    Returns:
        A description of each process still alive at the end (empty if none).
    """
    t0 = time.monotonic()
    try:
        tmux.run("kill-server", check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        common.progress(f"tmux kill-server failed: {e}")

    def alive() -> list[_Proc]:
        return [p for p in procs if is_alive(p.pid, p.start)]

    # Closing the panes' terminals sends the tools SIGHUP; give them time.
    if _poll(lambda: not alive(), STOP_TIMEOUT_S):
        common.progress(
            f"tmux and tools ended {time.monotonic() - t0:.1f} s after kill-server"
        )
    else:
        for p in alive():  # checked just now: still that pid and start time
            common.progress(f"{p.what} (pid {p.pid}) survived tmux: SIGKILL")
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)
        _poll(lambda: not alive(), STOP_TIMEOUT_S)
    left = alive()
    _reap([p for p in procs if p not in left])
    # tmux 3.3 leaves its socket file behind after kill-server.
    if tmux.socket_path is not None and not any(p.what == SERVER for p in left):
        with contextlib.suppress(FileNotFoundError):
            tmux.socket_path.unlink()
    return [f"{p.what} (pid {p.pid})" for p in left]


# --------------------------------------------------------------------------
# Measuring


def measure_cpu(
    duration: float = 30.0,
    windows: int = 3,
    warmup: float = 5.0,
    tools: Sequence[str] = TOOLS,
) -> list[CpuResult]:
    """Measure the CPU use of the tools, all running at once under tmux.

    Args:
        duration: Seconds measured in all, split into equal windows.
        windows: How many measuring windows.
        warmup: Seconds to wait between every tool showing its table and the
            first window.
        tools: Which of "sigtui", "top" and "htop" to run.

    Returns:
        One result per tool, in the order asked.

    Raises:
        ValueError: On a bad argument.
        FileNotFoundError: If tmux is not installed, or sigtui is asked for
            but not installed beside this interpreter.
        RuntimeError: If tmux fails, or a process survives the clean-up.
    """
    if duration <= 0 or windows < 1 or warmup < 0:
        raise ValueError("need duration > 0, windows >= 1 and warmup >= 0")
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or len(set(tools)) != len(tools):
        raise ValueError(f"tools must be distinct names out of {TOOLS}: {tools}")
    results = {t: CpuResult(t, [], None, None) for t in tools}
    argvs: dict[str, list[str]] = {}
    for tool in tools:
        argv, note = _tool_argv(tool)
        if argv is None:
            results[tool].note = note
            common.progress(f"{tool}: not measured: {note}")
        else:
            argvs[tool] = argv
    if not argvs:
        return list(results.values())
    if shutil.which("tmux") is None:
        raise FileNotFoundError("tmux is not installed (apt-get install tmux)")

    survivors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sigtui-cpu-") as home:
        tmux = _Tmux(f"sigtui-cpu-{os.getpid()}", Path(home))
        procs: list[_Proc] = []
        with _subreaper():
            try:
                _run(tmux, procs, argvs, results, duration / windows, windows, warmup)
            finally:
                # Nothing may interrupt the clean-up: Ctrl-C waits until done.
                with common.signals_blocked():
                    survivors = _stop(tmux, procs)
    if survivors:
        raise RuntimeError(f"survived the clean-up: {', '.join(survivors)}")
    return list(results.values())


def _run(
    tmux: _Tmux,
    procs: list[_Proc],
    argvs: dict[str, list[str]],
    results: dict[str, CpuResult],
    window_s: float,
    windows: int,
    warmup: float,
) -> None:
    """Start the tools, wait for them, warm up and measure; fill ``results``.

    Every process started is appended to ``procs`` at once, for clean-up.
    """
    panes: dict[str, str] = {}
    measured: dict[str, _Proc] = {}
    for i, (tool, argv) in enumerate(argvs.items()):
        pane, pid = tmux.start(i == 0, tool, argv)
        if i == 0:
            server_info = tmux.run("display-message", "-p", "#{pid} #{socket_path}")
            server_pid, socket_path = server_info.rstrip("\n").split(" ", 1)
            tmux.socket_path = Path(socket_path)
            server = int(server_pid)
            server_start = start_ticks(server)
            if server_start is not None:
                procs.append(_Proc(SERVER, server, server_start))
        start = start_ticks(pid)
        if start is None:
            results[tool].note = f"{tool} ended at once"
            continue
        panes[tool] = pane
        proc = _Proc(tool, pid, start)
        procs.append(proc)
        results[tool].pid, results[tool].start_ticks = pid, start
        # The pane's shell execs the tool: wait until the pid runs it.
        if _poll(functools.partial(_runs, pid, tool), EXEC_TIMEOUT_S):
            measured[tool] = proc
        else:
            results[tool].note = f"pane pid {pid} runs {_comm(pid)!r}, not {tool}"

    for tool, pane in panes.items():
        size = tmux.pane_size(pane)
        if size != f"{SIZE[0]}x{SIZE[1]}":
            common.progress(f"{tool}: warning: pane is {size}, not {SIZE}")

    # Every tool shows its table before any warms up: up at the same time.
    t0 = time.monotonic()
    for tool in list(measured):
        proc = measured[tool]
        left = max(0.0, t0 + READY_TIMEOUT_S - time.monotonic())
        up = functools.partial(_up_or_ended, tmux, panes[tool], proc)
        if _poll(up, left) and is_alive(proc.pid, proc.start):
            common.progress(f"{tool}: up after {time.monotonic() - t0:.1f} s")
            continue
        screen = tmux.capture(panes[tool]).strip()
        last = screen.splitlines()[-5:] if screen else ["(empty screen)"]
        results[tool].note = (
            f"{tool} not up (no {READY_TEXT!r} on screen) after "
            f"{time.monotonic() - t0:.0f} s: " + " | ".join(last)
        )
        del measured[tool]
    if not measured:
        return

    common.progress(f"warming up {warmup:g} s, then {windows} x {window_s:g} s")
    _wait_until(time.monotonic() + warmup)
    for _ in range(windows):
        before = _ticks(measured)
        begin = time.monotonic()
        _wait_until(begin + window_s)
        after = _ticks(measured)
        wall = time.monotonic() - begin
        for tool, proc in list(measured.items()):
            used_a, used_b = before.get(tool), after.get(tool)
            if used_a is None or used_b is None:
                results[tool].note = f"{tool} (pid {proc.pid}) ended while measured"
                del measured[tool]
                continue
            results[tool].percent.append((used_b - used_a) / CLK_TCK / wall * 100)
    for tool, proc in measured.items():
        results[tool].rss_kib = rss_kib(proc.pid)


def _runs(pid: int, comm: str) -> bool:
    return _comm(pid) == comm


def _up_or_ended(tmux: _Tmux, pane: str, proc: _Proc) -> bool:
    """The tool shows its table header, or has ended (no use waiting)."""
    return READY_TEXT in tmux.capture(pane) or not is_alive(proc.pid, proc.start)


def _ticks(measured: dict[str, _Proc]) -> dict[str, int | None]:
    return {tool: cpu_ticks(p.pid, p.start) for tool, p in measured.items()}


def _wait_until(deadline: float) -> None:
    """Sleep until a monotonic deadline: the timed part of a measurement."""
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(left)


# --------------------------------------------------------------------------
# Command line


def _ratio(a: CpuResult | None, b: CpuResult | None) -> float | None:
    if a is None or b is None or not a.percent or not b.percent:
        return None
    den = statistics.median(b.percent)
    return statistics.median(a.percent) / den if den > 0 else None


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class ProcessCounter:
    """Count /proc's processes once a second in a thread, keeping min and max.

    The machine may be shared: another program's processes come and go
    during a measurement, and the table must say so.
    """

    def __init__(self, every: float = 1.0) -> None:
        self.low = self.high = count_processes()
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):  # a sampling period, not a sync
            n = count_processes()
            self.low, self.high = min(self.low, n), max(self.high, n)

    def __enter__(self) -> ProcessCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def __str__(self) -> str:
        if self.low == self.high:
            return str(self.low)
        return f"{self.low}\u2013{self.high}"


def table(rows: Sequence[tuple[int, str, list[CpuResult]]]) -> list[str]:
    """Format the results as Markdown lines.

    Args:
        rows: (extra processes asked for, processes in /proc while measured
            as "min-max", results) per N.

    Returns:
        The table's lines, then the notes and a verdict per N.
    """
    lines = [
        "| N extra | procs (min\u2013max) | tool | CPU % median (min\u2013max) "
        "| RSS MiB | sigtui/top | sigtui/htop |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    for extra, procs, results in rows:
        by_tool = {r.tool: r for r in results}
        sig = by_tool.get("sigtui")
        vs_top = _ratio(sig, by_tool.get("top"))
        vs_htop = _ratio(sig, by_tool.get("htop"))
        for r in results:
            cpu = common.med_range(r.percent) if r.percent else "not measured"
            rss = "" if r.rss_kib is None else f"{r.rss_kib / 1024:.0f}"
            ratios = ("", "")
            if r.tool == "sigtui":
                ratios = (_fmt_ratio(vs_top), _fmt_ratio(vs_htop))
            lines.append(
                f"| {extra} | {procs} | {r.tool} | {cpu} | {rss} "
                f"| {ratios[0]} | {ratios[1]} |"
            )
            if r.note:
                notes.append(f"N={extra}, {r.tool}: {r.note}")
        if vs_top is not None and vs_htop is not None:
            # The goal is set at 3,000 and 10,000 processes; shown for every N.
            notes.append(
                f"N={extra}: sigtui < top: {'yes' if vs_top < 1 else 'NO'}; "
                f"sigtui < htop / 2: {'yes' if vs_htop < 0.5 else 'NO'}"
            )
    return lines + ([""] if notes else []) + notes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cpu",
        description="CPU use of sigtui, top and htop at a 1 s refresh, side by "
        "side under tmux, with N extra idle processes.",
    )
    parser.add_argument(
        "--duration", type=float, default=30.0, help="seconds measured per N"
    )
    parser.add_argument(
        "--windows", type=common.positive, default=3, help="measuring windows per N"
    )
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds before measuring"
    )
    parser.add_argument(
        "--extra",
        type=common.parse_extra,
        default=[0, 3000, 10000],
        help="comma-separated numbers of extra idle processes (default 0,3000,10000)",
    )
    parser.add_argument(
        "--tools",
        type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
        default=list(TOOLS),
        help="comma-separated tools out of sigtui,top,htop",
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0:
        parser.error("need --duration > 0 and --warmup >= 0")
    if not args.tools or any(t not in TOOLS for t in args.tools):
        parser.error(f"--tools takes names out of {','.join(TOOLS)}")

    rows: list[tuple[int, str, list[CpuResult]]] = []
    for extra in args.extra:
        with common.population(extra) as sleepers:
            if sleepers.error:
                common.progress(f"+{extra}: {sleepers.error}")
            with ProcessCounter() as procs:
                common.progress(f"+{extra}: {procs} processes, measuring")
                results = measure_cpu(
                    args.duration, args.windows, args.warmup, args.tools
                )
        rows.append((extra, str(procs), results))
        common.progress(f"+{extra}: {procs} processes while measuring")
        for r in results:
            got = common.med_range(r.percent) if r.percent else r.note
            common.progress(f"+{extra}: {r.tool}: {got}")

    print("\n".join(table(rows)))
    print()
    print(
        f"tmux {SIZE[0]}x{SIZE[1]}, TERM={TERM}; sigtui --interval 1, top -d 1, "
        f"htop -d 10 side by side; {args.warmup:g} s warm-up, then "
        f"{args.windows} windows of {args.duration / args.windows:g} s; "
        "CPU % of one core from utime+stime of all threads; procs: "
        "processes in /proc, sampled every second from start to clean-up."
    )
    print(common.machine_line())
    measured_all = all(r.percent for _, _, results in rows for r in results)
    return 0 if measured_all else 1


if __name__ == "__main__":
    sys.exit(main())
