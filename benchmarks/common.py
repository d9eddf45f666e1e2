"""What every benchmark here shares: idle processes to measure against, the
machine's description, and medians.

Sleepers are ``/bin/sleep 600`` children that the benchmark starts itself in a
few new process groups. Clean-up sends SIGTERM (then SIGKILL if needed) only
to the groups it created, reaps its children and checks that none survived.
:func:`population` does that on normal exit, on exceptions, on Ctrl-C and on
SIGTERM/SIGHUP.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType

from sigtui.processes.scan import read_stat

SLEEP = "/bin/sleep"
SLEEP_ARGV = ["sleep", "600"]
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
HEADROOM = 4  # sleepers given back when spawning hits a limit (RLIMIT_NPROC)


# --------------------------------------------------------------------------
# Sleepers: spawn, wait for, kill and reap our own process groups only.


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold back SIGINT/SIGTERM/SIGHUP so a spawn and its record are atomic."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@dataclass
class Sleepers:
    """N ``sleep`` children in process groups created by this script."""

    groups: list[int] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    # pid -> start ticks, filled in once /proc shows the sleeper.
    seen: dict[int, int] = field(default_factory=dict)
    survivors: list[int] = field(default_factory=list)
    error: str | None = None

    def spawn(self, n: int, n_groups: int) -> None:
        """Start up to n sleepers; on failure keep those already started."""
        if n <= 0:
            return
        devnull = [
            (os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)
        ]
        per_group = -(-n // max(1, n_groups))
        while len(self.pids) < n:
            # A new group for every per_group sleepers; the first is its leader.
            new_group = len(self.pids) % per_group == 0
            try:
                with signals_blocked():
                    pid = os.posix_spawn(
                        SLEEP,
                        SLEEP_ARGV,
                        os.environ,
                        file_actions=devnull,
                        setpgroup=0 if new_group else self.groups[-1],
                        setsigmask=(),
                        setsigdef=HANDLED_SIGNALS,
                    )
                    if new_group:
                        self.groups.append(pid)
                    self.pids.append(pid)
            except OSError as e:
                ended = self._make_room()
                self.error = (
                    f"spawn #{len(self.pids) + ended + 1} failed: {e}; ended "
                    f"{ended} of ours again to leave room for ps"
                )
                return

    def _make_room(self) -> int:
        """After a failed spawn, end a few sleepers so that ``ps`` can run.

        They are our own children not yet reaped, so their pids cannot have
        been reused by anyone else.
        """
        ended = min(HEADROOM, len(self.pids))
        with signals_blocked():
            for _ in range(ended):
                pid = self.pids.pop()
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        return ended

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> int:
        """Poll /proc until every sleeper runs ``sleep``; return how many do."""
        groups = set(self.groups)
        pending = [p for p in self.pids if p not in self.seen]
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            still: list[int] = []
            for pid in pending:
                st = read_stat(pid)
                if st is not None and st.comm == "sleep" and st.pgid in groups:
                    self.seen[pid] = st.start_ticks
                else:
                    still.append(pid)
            pending = still
            if pending:
                time.sleep(0.05)
        if pending:
            self.error = (
                f"{len(pending)} sleepers not visible in /proc after {timeout:.0f} s"
            )
        return len(self.seen)

    def stop(self) -> list[int]:
        """Kill and reap our groups; return the pids of sleepers still alive."""
        with signals_blocked():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                for pgid in self.groups:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pgid, sig)
                if self._reap(time.monotonic() + STOP_TIMEOUT_S):
                    break
            # Recorded before the signals are let through again.
            self.survivors += self._survivors()
            self.groups.clear()
            self.pids.clear()
            self.seen.clear()
        return self.survivors

    def _reap(self, deadline: float) -> bool:
        """Reap children of our groups until none is left or the deadline."""
        left = list(self.groups)
        while left:
            still: list[int] = []
            for pgid in left:
                try:
                    while True:
                        pid, _ = os.waitpid(-pgid, os.WNOHANG)
                        if pid == 0:
                            still.append(pgid)
                            break
                except ChildProcessError:
                    pass  # no child of ours left in this group
            left = still
            if left:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.02)
        return True

    def _survivors(self) -> list[int]:
        alive = []
        for pid in self.pids:
            st = read_stat(pid)
            # A pid reused by someone else has another start time.
            if st is not None and st.start_ticks == self.seen.get(pid, st.start_ticks):
                alive.append(pid)
        return alive


# --------------------------------------------------------------------------
# Report helpers.


def med_range(values: Sequence[float], digits: int = 1) -> str:
    med = statistics.median(values)
    return f"{med:.{digits}f} ({min(values):.{digits}f}\u2013{max(values):.{digits}f})"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "Processor"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ps_version() -> str:
    try:
        out = subprocess.run(
            ["ps", "--version"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return "ps ?"
    return out.strip().removeprefix("ps from ") or "ps ?"


def machine_line() -> str:
    usable = len(os.sched_getaffinity(0))
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} cores ({usable} usable), "
        f"Linux {platform.release()}, Python {platform.python_version()}, "
        f"{ps_version()}"
    )


# --------------------------------------------------------------------------
# Command-line helpers.


def parse_extra(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from e
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("need one or more integers >= 0")
    return values


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def raise_exit(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM/SIGHUP into SystemExit so the finally clause runs."""
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def population(extra: int, n_groups: int = 4) -> Iterator[Sleepers]:
    """Run with ``extra`` sleepers alive; always end and reap them afterwards.

    SIGTERM and SIGHUP become SystemExit while inside, so the clean-up runs.

    Args:
        extra: How many sleepers to start.
        n_groups: How many process groups to spread them over.

    Yields:
        The sleepers (``error`` says why fewer than asked were started).

    Raises:
        RuntimeError: If a sleeper survived the clean-up.
    """
    previous = {
        sig: signal.signal(sig, raise_exit) for sig in (signal.SIGTERM, signal.SIGHUP)
    }
    sleepers = Sleepers()
    t0 = time.monotonic()
    try:
        sleepers.spawn(extra, n_groups)
        ready = sleepers.wait_ready()
        progress(
            f"+{extra}: {len(sleepers.pids)} sleepers in {len(sleepers.groups)} "
            f"groups {sleepers.groups}, {ready} visible in /proc after "
            f"{time.monotonic() - t0:.1f} s"
        )
        if sleepers.error:
            progress(f"+{extra}: warning: {sleepers.error}")
        yield sleepers
    finally:
        # Leaving either way: nothing may interrupt the clean-up now.
        for sig in HANDLED_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        if sleepers.pids:
            n = len(sleepers.pids)
            sleepers.stop()
            progress(f"cleaned up {n} sleepers")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if sleepers.survivors:
        raise RuntimeError(f"sleepers survived clean-up: {sleepers.survivors}")


def zombie_wait_status(pid: int) -> int | None:
    """The wait status of a process that has ended but is not yet reaped.

    The kernel keeps it in ``/proc/PID/stat`` (field 52, ``exit_code``) for as
    long as the process is a zombie; a zombie keeps its pid, so no other
    process can have it meanwhile.

    Args:
        pid: The process.

    Returns:
        The wait status (``os.WIFEXITED`` and so on apply), or None if the
        process is not a zombie (running, or reaped already).
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
        fields = data[data.rindex(b")") + 2 :].split()  # from field 3, the state
        return int(fields[52 - 3]) if fields[0] == b"Z" else None
    except (OSError, ValueError, IndexError):
        return None


def progress(text: str) -> None:
    """Report progress on stderr (stdout carries only the results)."""
    print(text, file=sys.stderr, flush=True)


TMUX_TIMEOUT_S = 15.0
"""Seconds any one tmux command may take."""


def run_tmux(
    server: Sequence[str],
    args: Sequence[str],
    env: dict[str, str],
    *,
    check: bool = True,
) -> str:
    """Run one tmux command against a private server.

    Args:
        server: The options that name the server (``-L``/``-S``, ``-f``).
        args: The command.
        env: The environment tmux runs in.
        check: Raise if it fails.

    Returns:
        Its stdout.

    Raises:
        RuntimeError: If it fails and ``check`` is set.
    """
    done = subprocess.run(
        ["tmux", *server, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TMUX_TIMEOUT_S,
        check=False,
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"tmux {shlex.join(args)} exited {done.returncode}: {done.stderr.strip()}"
        )
    return done.stdout
