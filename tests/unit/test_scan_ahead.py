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
from dataclasses import replace
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
if mode in ("parts", "preview"):
    scan.AHEAD_PART = 2
ahead = scan.ProcfsScanner(sources=sources)
made_by = []
def make(part):
    # In a reader: say which pid made it, and which processes it was given.
    return (os.getpid(), [info.pid for info in part.processes])
started = ahead.scan_ahead(at_least=0, make=make if mode == "preview" else None)
if mode == "threads":
    gate.set()
    other.join()
parts = []
made_with_parts = []
def take_part(part, made):
    parts.append(part)
    made_with_parts.append(made)
ahead.on_ahead_part(take_part)
previews = []
ahead.on_preview(lambda snapshot, made: previews.append((snapshot, made, len(parts))))
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
readers_seen = [reader.pid for reader in ahead._ahead]
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
preview, preview_made, _ = previews[0] if previews else (None, [], 0)
previewed = {} if preview is None else mine(preview)
print(json.dumps({
    "previews": len(previews),
    "preview_is_every_process": preview is not None
    and sorted(previewed) == sorted(a)
    and len(preview) >= len(first) - 20,
    "partial_then_whole": sorted(
        (info.partial, info.user is None, info.status_more is None)
        for info in previewed.values()
    ),
    "partial_same_but_status": all(
        replace(info, uid=a[info.pid].uid, user=a[info.pid].user,
                locked=a[info.pid].locked, status_more=a[info.pid].status_more,
                partial=False) == a[info.pid]
        for info in previewed.values()
    ),
    "made_in_readers": sorted({m[0] for m in made_with_parts + preview_made if m})
    == sorted(readers_seen) and os.getpid() not in {m[0] for m in made_with_parts if m},
    "made_for_its_part": all(
        m is None or m[1] == [info.pid for info in part.processes]
        for part, m in zip(parts, made_with_parts)
    ),
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


def test_the_first_scan_shows_every_process_before_their_status_is_read(
    spawner: Spawner,
) -> None:
    pids = _sleeps(spawner)
    found = _run("preview", pids)
    assert found["started"] is True
    assert found["same_as_plain"] is True
    # Once, before the whole records: every process, the lowest pids (the
    # first part of each reader) read whole, the rest without their status.
    assert found["previews"] == 1
    assert found["preview_is_every_process"] is True
    assert found["partial_same_but_status"] is True
    states = found["partial_then_whole"]
    assert states, "none of the test's processes was in the preview"
    assert all(state in ([True, True, True], [False, False, False]) for state in states)
    assert [True, True, True] in states
    # The rows (here, what the test's make says) were made in the readers,
    # each for its own part.
    assert found["made_in_readers"] is True
    assert found["made_for_its_part"] is True
    assert found["child_left"] is None
