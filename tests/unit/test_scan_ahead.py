"""The first scan read ahead by two forked processes (ProcfsScanner.scan_ahead).

Each case runs in a fresh interpreter: forking is refused while a process has
other threads, and a test runner may have some.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.spawn import Spawner

_SCRIPT = """
import json, os, sys, threading
import sigtui.processes.scan as scan
from sigtui.processes import parse_columns
from sigtui.processes.columns import sources_of

scan.usable_cores = lambda: 2
mode = sys.argv[1]
pids = {int(p) for p in sys.argv[2].split(",")}
sources = sources_of(parse_columns("pid,pgid,tty,stat,%cpu,rss,user,time,args"))
if mode == "reader-fails":
    def broken(*args, **kwargs):
        raise RuntimeError("no pickling today")
    scan.pickle.dumps = broken
if mode == "threads":
    gate = threading.Event()
    other = threading.Thread(target=gate.wait)
    other.start()
if mode == "parts":
    scan.AHEAD_PART = 2
ahead = scan.ProcfsScanner(sources=sources)
started = ahead.scan_ahead(at_least=0)
if mode == "threads":
    gate.set()
    other.join()
parts = []
ahead.on_ahead_part(parts.append)
if mode == "close-first":
    readers = [reader.pid for reader in ahead._ahead]
    ahead.close()
    def reaped(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return False
    print(json.dumps({"started": started, "readers": len(readers),
                      "reaped": all(map(reaped, readers)), "parts": len(parts)}))
    sys.exit(0)
first = ahead.scan()
second = ahead.scan()
plain = scan.ProcfsScanner(sources=sources, max_open=0).scan()
try:
    left = os.waitpid(-1, os.WNOHANG)[0]
except ChildProcessError:
    left = None

def mine(snapshot):
    return {p.pid: p for p in snapshot.processes if p.pid in pids}

a, b, p = mine(first), mine(second), mine(plain)
print(json.dumps({
    "started": started,
    "listed": sorted(a),
    "same_as_plain": a == p,
    "kept": all(b[pid] is a[pid] for pid in a),
    "commands": sorted(" ".join(info.cmdline) for info in a.values()),
    "child_left": left,
    "parts": len(parts),
    "largest_part": max((len(part) for part in parts), default=0),
    "parts_are_the_scan": sorted(
        info.pid for part in parts for info in part.processes
    ) == [info.pid for info in first.processes]
    and all(
        first.by_pid[info.pid] is info for part in parts for info in part.processes
    ),
}))
"""


def _run(mode: str, pids: list[int]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode, ",".join(map(str, pids))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def _sleeps(spawner: Spawner) -> list[int]:
    # Processes of the test's own: nothing else changes them between scans.
    return [spawner.command(["sleep", f"100{n}"]).pid for n in range(5)]


def test_the_first_scan_read_ahead_is_the_scan_and_is_kept(spawner: Spawner) -> None:
    pids = _sleeps(spawner)
    found = _run("plain", pids)
    assert found["started"] is True
    assert found["listed"] == sorted(pids)
    assert found["same_as_plain"] is True
    assert found["commands"] == [f"sleep 100{n}" for n in range(5)]
    # The second scan found the adopted records unchanged and reused them,
    # as it does for records the scanner read itself.
    assert found["kept"] is True
    assert found["child_left"] is None  # both readers were reaped


def test_a_failed_reader_means_a_plain_first_scan(spawner: Spawner) -> None:
    pids = _sleeps(spawner)
    found = _run("reader-fails", pids)
    assert found["started"] is True
    assert found["listed"] == sorted(pids)
    assert found["same_as_plain"] is True
    assert found["child_left"] is None


def test_no_fork_while_other_threads_run(spawner: Spawner) -> None:
    pids = _sleeps(spawner)
    found = _run("threads", pids)
    assert found["started"] is False
    assert found["listed"] == sorted(pids)


def test_the_first_scan_comes_in_parts_that_are_the_scan(spawner: Spawner) -> None:
    pids = _sleeps(spawner)
    found = _run("parts", pids)
    assert found["started"] is True
    assert found["same_as_plain"] is True
    # Two processes per part (AHEAD_PART), handed over before the scan
    # returned: the same records, every process once.
    assert found["largest_part"] == 2
    assert found["parts"] >= len(pids) // 2
    assert found["parts_are_the_scan"] is True
    assert found["child_left"] is None


def test_a_scanner_closed_before_its_first_scan_ends_its_readers(
    spawner: Spawner,
) -> None:
    pids = _sleeps(spawner)
    found = _run("close-first", pids)
    assert found == {"started": True, "readers": 2, "reaped": True, "parts": 0}
