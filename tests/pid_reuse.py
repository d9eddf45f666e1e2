"""Force a pid reuse inside a fresh pid namespace, then send to the old identity.

Run it only as pid 1 of a new pid namespace with its own /proc (as root)::

    unshare --pid --fork --mount-proc --kill-child python -m tests.pid_reuse

It refuses to do anything unless it is pid 1 and /proc shows no other
process, so it can only ever signal the two children it starts itself.

It starts a child A and records it with :class:`ProcfsScanner`, kills and
reaps A, writes ``A - 1`` to ``/proc/sys/kernel/ns_last_pid`` so that the
next fork gets A's pid, and starts B. Then it asks :class:`Sender` (and
:func:`end_gracefully`) to signal A's recorded identity. Both children block
SIGTERM, so a SIGTERM that wrongly reached B would show in B's pending set
the moment it was sent. It also rescans with the scanner that recorded A
(which kept A's stat file open) to check that it lists B as the new process.
It prints one JSON line with what happened.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sigtui.delivery import (
    Context,
    ProcessTarget,
    Sender,
    Syscalls,
    end_gracefully,
)
from sigtui.processes.scan import ProcfsScanner, parse_stat
from sigtui.signals import catalogue, decode_mask

TICKS = os.sysconf("SC_CLK_TCK")
TIMEOUT = 10.0
"""Seconds any bounded wait here may take."""


class RecordingSyscalls(Syscalls):
    """The real system calls, recording every signal sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int, int]] = []

    def pidfd_send_signal(self, fd: int, signum: int, flags: int = 0) -> None:
        self.sent.append(("pidfd_send_signal", signum, flags))
        super().pidfd_send_signal(fd, signum, flags)

    def killpg(self, pgid: int, signum: int) -> None:
        self.sent.append(("killpg", pgid, signum))
        super().killpg(pgid, signum)


def spawn() -> tuple[int, int]:
    """Fork a child that waits on a lifeline pipe; return its pid and the pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        os.read(read_end, 1)
        os._exit(0)
    os.close(read_end)
    return pid, write_end


def start_ticks(pid: int) -> int:
    """The process's start time in clock ticks after boot (stat field 22)."""
    return parse_stat(Path(f"/proc/{pid}/stat").read_bytes()).start_ticks


def shared_pending(pid: int) -> frozenset[int]:
    """The signals pending for the whole process (what kill() makes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("ShdPnd:"):
            return decode_mask(line.split()[1])
    raise ValueError(f"no ShdPnd line for pid {pid}")


def wait_for_next_tick(after: int) -> None:
    """Wait (bounded) until the boot clock is past the clock tick ``after``.

    A start time has a resolution of one clock tick, so a reuse within the
    same tick cannot be told apart by (pid, start time); that case is a known
    limit of the identity, not what this test is about.
    """
    deadline = time.monotonic() + TIMEOUT
    while int(time.clock_gettime(time.CLOCK_BOOTTIME) * TICKS) <= after:
        if time.monotonic() > deadline:
            raise TimeoutError("the boot clock did not advance")
        time.sleep(0.001)


def main() -> int:
    """Run the experiment and print its result as JSON."""
    others = sorted(int(n) for n in os.listdir("/proc") if n.isdigit()) != [1]
    if os.getpid() != 1 or others:
        print(
            "refusing: not pid 1 of a fresh pid namespace with its own /proc",
            file=sys.stderr,
        )
        return 2
    term = catalogue().parse("TERM")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # children inherit it
    a, a_lifeline = spawn()
    # The scanner keeps A's stat file open; after the reuse it must notice
    # that the descriptor is dead (ESRCH) and read B afresh.
    scanner = ProcfsScanner()
    info_a = scanner.scan().by_pid[a]
    a_ticks = start_ticks(a)
    os.kill(a, signal.SIGKILL)  # our own child, pid > 1
    os.waitpid(a, 0)
    os.close(a_lifeline)
    wait_for_next_tick(a_ticks)
    Path("/proc/sys/kernel/ns_last_pid").write_text(str(a - 1))
    b, b_lifeline = spawn()
    result: dict[str, Any] = {
        "a": a,
        "b": b,
        "a_start": info_a.start_time,
        "b_start": start_ticks(b) / TICKS,
    }
    rescanned = scanner.scan().by_pid.get(b)
    result["rescan_start"] = None if rescanned is None else rescanned.start_time
    try:
        sender_calls = RecordingSyscalls()
        [sent] = Sender(Context.current(), sender_calls).send(
            ProcessTarget(info_a), term
        )
        ending_calls = RecordingSyscalls()
        ending = end_gracefully(info_a, 0.0, syscalls=ending_calls)
        result.update(
            status=sent.status.name,
            message=sent.message,
            ending=ending.ending.name,
            ending_message=ending.message,
            signals_sent=sender_calls.sent + ending_calls.sent,
            b_alive=os.waitpid(b, os.WNOHANG) == (0, 0),
            b_pending=sorted(shared_pending(b)),
        )
    finally:
        os.close(b_lifeline)
        os.waitpid(b, 0)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
