"""Process churn: a generator that forks short-lived children, and its controller.

Run as a script (``python benchmarks/churn.py --marker M --record FILE``), the
generator forks children at a steady rate, each of which sleeps a random time
and exits; the generator reaps every one and writes one line per child to the
record file: ``PID START END``, where START is ``time.monotonic()`` just before
the fork and END just after the child was reaped (so its pid had left
``/proc``). ``CLOCK_MONOTONIC`` is the same clock in every process, so a
reader can compare these times with its own. The children are forks, not new
programs: their command line is the generator's, which carries the marker, so
a filter on the marker shows the generator and its children only.

The generator blocks SIGCHLD, SIGTERM, SIGINT and SIGHUP and waits for them
with ``sigtimedwait``: it reaps a child as soon as it has exited, and on any of
the others it stops forking, kills its remaining children (each by its pid:
they are its own unreaped children, so the pids cannot have been reused),
reaps them, writes a summary line (``# forks=N failures=N seconds=S``) and
exits 0. It also stops by itself after ``--limit`` seconds and when its parent
goes (``PR_SET_PDEATHSIG``).

:class:`Churn` starts the generator in a new session (so in a process group
of its own, whose id is its pid) and stops it: SIGTERM to the generator's
pid, then, while the generator is still an unreaped zombie (so that neither
its pid nor its group id can be reused), SIGKILL to its group for anything
that escaped, a bounded wait until no live process is left in the group, and
only then the generator is reaped. :class:`ChurnResult` holds the record and
the survivors.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sigtui.processes.scan import read_stat

WAITED = (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
"""Signals the generator blocks and takes with sigtimedwait."""
PR_SET_PDEATHSIG = 1
STOP_TIMEOUT_S = 10.0
POLL_S = 0.02
MAX_BURST = 50
"""Forks at most in one turn of the loop when the generator has fallen behind."""


# --------------------------------------------------------------------------
# The generator (runs in its own process)


def _child(life_s: float) -> None:
    """The body of a forked child: sleep, then exit without any clean-up."""
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        time.sleep(life_s)
    finally:
        os._exit(0)


def _reap(live: dict[int, float], record: IO[str]) -> None:
    """Reap every child that has exited and write its line to the record."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        end = time.monotonic()
        start = live.pop(pid, end)
        record.write(f"{pid} {start:.6f} {end:.6f}\n")


def _die_with_parent(parent: int) -> bool:
    """Ask for SIGTERM when the parent goes; False if it has gone already."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    return parent <= 0 or os.getppid() == parent


def generate(
    *,
    rate: float,
    min_ms: float,
    max_ms: float,
    limit_s: float,
    record: IO[str],
    seed: int | None = None,
    parent: int = 0,
) -> int:
    """Fork children at ``rate`` per second until a signal or ``limit_s``.

    Runs in the generator's own process: it blocks the signals it waits for,
    and it forks. Every child is reaped and recorded before it returns.

    Args:
        rate: Children per second.
        min_ms: Shortest life of a child, in milliseconds.
        max_ms: Longest life of a child, in milliseconds.
        limit_s: Seconds after which it stops by itself.
        record: Where the lines go (``PID START END``, then the summary).
        seed: Seed of the random lives (None: random).
        parent: The pid of the parent that started it (0: do not check); the
            generator stops when that parent goes.

    Returns:
        The exit status (0).
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, WAITED)
    rng = random.Random(seed)
    live: dict[int, float] = {}
    forks = failures = 0
    period = 1.0 / rate
    t0 = time.monotonic()
    end = t0 + limit_s
    next_fork = t0
    stopping = not _die_with_parent(parent)
    while not stopping:
        now = time.monotonic()
        if now >= end:
            break
        burst = 0
        while next_fork <= now and burst < MAX_BURST:
            life = rng.uniform(min_ms, max_ms) / 1000.0
            start = time.monotonic()
            try:
                pid = os.fork()
            except OSError:
                failures += 1
                next_fork = now + 0.01  # out of processes for a moment: back off
                break
            if pid == 0:
                _child(life)
            live[pid] = start
            forks += 1
            burst += 1
            next_fork += period
        _reap(live, record)
        timeout = max(0.0, min(next_fork, end) - time.monotonic())
        info = signal.sigtimedwait(WAITED, timeout)
        if info is not None and info.si_signo != signal.SIGCHLD:
            stopping = True
        _reap(live, record)
    seconds = time.monotonic() - t0
    for pid in live:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # our own child, not reaped yet
    for pid in list(live):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        record.write(f"{pid} {live.pop(pid):.6f} {time.monotonic():.6f}\n")
    _reap(live, record)
    record.write(f"# forks={forks} failures={failures} seconds={seconds:.3f}\n")
    record.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator from the command line (see the module's docstring).

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(
        prog="churn", description="Fork short-lived children at a steady rate."
    )
    parser.add_argument("--marker", required=True, help="text for the command line")
    parser.add_argument("--record", required=True, type=Path, help="record file")
    parser.add_argument("--rate", type=float, default=300.0, help="children/second")
    parser.add_argument("--min-ms", type=float, default=1.0, help="shortest life")
    parser.add_argument("--max-ms", type=float, default=50.0, help="longest life")
    parser.add_argument("--limit", type=float, default=3600.0, help="seconds at most")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--parent", type=int, default=0, help="stop when it goes")
    args = parser.parse_args(argv)
    if args.rate <= 0 or not 0 <= args.min_ms <= args.max_ms or args.limit <= 0:
        parser.error("need --rate > 0, 0 <= --min-ms <= --max-ms and --limit > 0")
    with args.record.open("w", encoding="ascii") as record:
        return generate(
            rate=args.rate,
            min_ms=args.min_ms,
            max_ms=args.max_ms,
            limit_s=args.limit,
            record=record,
            seed=args.seed,
            parent=args.parent,
        )


# --------------------------------------------------------------------------
# The controller (runs in the test or the benchmark)


@dataclass(frozen=True)
class Life:
    """One child of the generator.

    Attributes:
        pid: Its pid.
        start: ``time.monotonic()`` just before it was forked.
        end: ``time.monotonic()`` just after it was reaped (its pid had gone).
    """

    pid: int
    start: float
    end: float


@dataclass
class ChurnResult:
    """What a stopped generator did and left.

    Attributes:
        lives: Every child, in the order it was reaped.
        forks: Children forked (from the summary line; -1 if it is missing).
        failures: Forks that failed.
        seconds: How long it forked.
        status: The generator's exit status (negative: killed by that signal).
        survivors: Live processes left in its group after the clean-up
            (``pid state``), which should be none.
        by_pid: The lives by pid (a pid may have been reused).
    """

    lives: list[Life]
    forks: int
    failures: int
    seconds: float
    status: int
    survivors: list[str]
    by_pid: dict[int, list[Life]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for life in self.lives:
            self.by_pid.setdefault(life.pid, []).append(life)

    @property
    def rate(self) -> float:
        """Children forked per second."""
        return self.forks / self.seconds if self.seconds > 0 else 0.0


def read_record(path: Path) -> tuple[list[Life], dict[str, float]]:
    """Read a record file.

    Args:
        path: The file the generator wrote.

    Returns:
        The lives, and the summary's values (empty if there is no summary).
    """
    lives: list[Life] = []
    summary: dict[str, float] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith("#"):
            for item in line[1:].split():
                key, _, value = item.partition("=")
                summary[key] = float(value)
        elif line.strip():
            pid, start, end = line.split()
            lives.append(Life(int(pid), float(start), float(end)))
    return lives, summary


def group_members(pgid: int, leader: int) -> list[tuple[int, str]]:
    """The processes in a process group, leader excepted, with their states.

    Args:
        pgid: The group.
        leader: A pid to leave out.

    Returns:
        (pid, state letter) of each member, zombies included.
    """
    members: list[tuple[int, str]] = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == leader:
            continue
        try:
            stat = read_stat(int(name))
        except OSError:  # another user's, under hidepid
            continue
        if stat is not None and stat.pgid == pgid:
            members.append((int(name), stat.state))
    return members


class Churn:
    """Runs the generator in a process group of its own, and stops it.

    Args:
        marker: Text in the generator's (and so its children's) command line.
        record: The record file.
        rate: Children per second.
        min_ms: Shortest life of a child, in milliseconds.
        max_ms: Longest life of a child, in milliseconds.
        limit_s: Seconds after which the generator stops by itself.
        seed: Seed of the random lives.
    """

    def __init__(
        self,
        marker: str,
        record: Path,
        *,
        rate: float = 300.0,
        min_ms: float = 1.0,
        max_ms: float = 50.0,
        limit_s: float = 3600.0,
        seed: int | None = None,
    ) -> None:
        self.marker = marker
        self.record = record
        self.argv = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--marker",
            marker,
            "--record",
            str(record),
            "--rate",
            f"{rate:g}",
            "--min-ms",
            f"{min_ms:g}",
            "--max-ms",
            f"{max_ms:g}",
            "--limit",
            f"{limit_s:g}",
            "--parent",
            str(os.getpid()),
        ]
        if seed is not None:
            self.argv += ["--seed", str(seed)]
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr = record.with_name(record.name + ".stderr")
        self.result: ChurnResult | None = None

    @property
    def pid(self) -> int:
        """The generator's pid, which is also its process group's id."""
        if self._proc is None:
            raise RuntimeError("the churn generator has not been started")
        return self._proc.pid

    def start(self) -> int:
        """Start the generator in a new session and process group.

        Start it from the main thread: it stops when the thread that started
        it ends (``PR_SET_PDEATHSIG`` follows the parent thread).

        Returns:
            Its pid (and group id).
        """
        if self._proc is not None:
            raise RuntimeError("the churn generator was started already")
        with self._stderr.open("wb") as err:
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        return self._proc.pid

    def __enter__(self) -> Churn:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def running(self) -> bool:
        """Whether the generator is still running (it is not reaped here)."""
        if self._proc is None or self._proc.returncode is not None:
            return False
        return _exited_status(self._proc.pid) is None

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> ChurnResult:
        """Stop the generator and everything in its group; read the record.

        Safe to call again: the second call returns the first result.

        Args:
            timeout: Seconds each step may take.

        Returns:
            The result (``survivors`` lists what could not be ended).
        """
        if self.result is not None:
            return self.result
        proc = self._proc
        if proc is None:
            raise RuntimeError("the churn generator has not been started")
        pid = proc.pid
        # Until it is reaped below, the pid and the group id stay ours.
        if _exited_status(pid) is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            if not _wait(lambda: _exited_status(pid) is not None, timeout):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                _wait(lambda: _exited_status(pid) is not None, timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # the group of our zombie: only ours

        def live_members() -> list[tuple[int, str]]:
            members = group_members(pid, pid)
            for member, state in members:
                if state == "Z":  # an orphan of ours, if we are its subreaper
                    with contextlib.suppress(ChildProcessError):
                        os.waitpid(member, os.WNOHANG)
            return [(m, s) for m, s in members if s not in ("Z", "X")]

        _wait(lambda: not live_members(), timeout)
        survivors = [f"{m} {s}" for m, s in live_members()]
        status = proc.wait(timeout=timeout)
        lives: list[Life] = []
        summary: dict[str, float] = {}
        with contextlib.suppress(FileNotFoundError):
            lives, summary = read_record(self.record)
        self.result = ChurnResult(
            lives=lives,
            forks=int(summary.get("forks", -1)),
            failures=int(summary.get("failures", 0)),
            seconds=summary.get("seconds", 0.0),
            status=status,
            survivors=survivors,
        )
        return self.result

    def stderr(self) -> str:
        """What the generator wrote to stderr (for failure messages)."""
        try:
            return self._stderr.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _exited_status(pid: int) -> int | None:
    """A child's wait status once it has exited, without reaping it; else None."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return -1  # reaped already
    if info is None:
        return None
    return info.si_status


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll a condition until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


if __name__ == "__main__":
    sys.exit(main())
