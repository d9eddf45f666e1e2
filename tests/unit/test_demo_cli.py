"""`sigtui demo`, an unwritable --log, and the demo dying with a SIGKILLed sigtui."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from tests.spawn import alive

SIGTUI = str(Path(sys.executable).parent / "sigtui")
DEADLINE = 20.0


def read_line(stream: IO[bytes] | None, what: str) -> str:
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], DEADLINE)
    assert ready, f"no {what} within {DEADLINE} s"
    return stream.readline().decode()


def test_sigtui_demo_runs_the_child_in_the_foreground() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [SIGTUI, "demo"], stdout=subprocess.PIPE, env=env, start_new_session=True
    )
    try:
        first = read_line(proc.stdout, "first line")
        assert str(proc.pid) in first  # exec: the child is this very process
        os.kill(proc.pid, signal.SIGUSR1)
        deadline = time.monotonic() + DEADLINE
        while True:
            line = read_line(proc.stdout, "the SIGUSR1 line")
            if "SIGUSR1" in line:
                assert str(os.getpid()) in line
                break
            assert time.monotonic() < deadline
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(DEADLINE) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_unwritable_log_file_fails_at_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [SIGTUI, "--log", str(tmp_path / "missing" / "log.jsonl")],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=DEADLINE,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot write the log file" in lines[0]
    assert "missing" in lines[0]


def test_demo_dies_with_a_sigkilled_sigtui() -> None:
    # sigtui's own demo session in a process standing in for sigtui, which the
    # test then kills with SIGKILL: the lifeline must take the demo down.
    code = (
        "import sys, time\n"
        "from sigtui.demo.session import DemoSession\n"
        "s = DemoSession(lambda events: None)\n"
        "s.start()\n"
        "print(s.pid, *s.members, flush=True)\n"
        "time.sleep(3600)\n"
    )
    host = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        pids = [int(p) for p in read_line(host.stdout, "the demo's pids").split()]
        assert len(pids) == 3
        assert all(alive(pid) for pid in pids)
        host.kill()
        host.wait(DEADLINE)
        deadline = time.monotonic() + DEADLINE
        while any(alive(pid) for pid in pids):
            assert time.monotonic() < deadline, f"demo survived: {pids}"
            time.sleep(0.05)
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
