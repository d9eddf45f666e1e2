"""Hostile conditions on a real kernel: sigtui as nobody, hidepid.

The nobody and hidepid tests run tests/as_nobody.py as pid 1 of a fresh pid
and mount namespace (``unshare``, as root): every process there is one the
test started, so nothing sigtui does as ``nobody`` can reach any other
process of this machine, and the mounts (a procfs with ``hidepid``, the
interpreter made reachable for ``nobody``) vanish with the namespace. The
helper prints what it saw as JSON; the assertions are all here.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]
NAMESPACE_TIMEOUT = 90.0
"""Seconds one run in a namespace may take (about 2-6 s normally)."""


STAMP = len("HH:MM:SS  ")


# --- in a fresh pid and mount namespace, as nobody ----------------------------------


@functools.cache
def namespace_problem() -> str | None:
    """Why the namespace tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root: to make the namespaces, mount procfs and drop to nobody"
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(
        [unshare, "--mount", "--pid", "--fork", "--mount-proc", "true"],
        capture_output=True,
        timeout=NAMESPACE_TIMEOUT,
        check=False,
    )
    if probe.returncode != 0:
        error = probe.stderr.decode(errors="replace").strip()
        return f"unshare --mount --pid --fork --mount-proc is not permitted: {error}"
    return None


def in_namespace(*args: str) -> dict[str, Any]:
    """Run ``tests.as_nobody ARGS`` in a new namespace; return its report."""
    reason = namespace_problem()
    if reason is not None:
        pytest.skip(reason)
    # --kill-child: if unshare is killed (timeout), pid 1 of the namespace
    # dies too, and with it everything in the namespace.
    run = subprocess.run(
        [
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            sys.executable,
            "-m",
            "tests.as_nobody",
            *args,
        ],
        cwd=REPO,
        capture_output=True,
        timeout=NAMESPACE_TIMEOUT,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    result: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    nobody = result["nobody"]
    assert nobody["returncode"] == 0, nobody["stderr"] or nobody.get("stdout")
    assert nobody["stderr"] == ""
    return result


def untouched(seen: dict[str, Any]) -> None:
    """The root sleeper, as root saw it afterwards: alive, asleep, root, and
    no signal pending (it blocks SIGTERM, so a SIGTERM that got through would
    be there; a SIGSTOP would have stopped it, a SIGKILL ended it)."""
    assert seen == {"alive": True, "state": "S", "uid": ["0"] * 4, "pending": []}


@pytest.mark.slow
def test_nobody_lists_what_it_may_and_every_send_to_root_is_denied() -> None:
    result = in_namespace("send")
    nobody = result["nobody"]
    sleeper, me = result["sleeper"], nobody["pid"]
    assert nobody["ids"] == [NOBODY] * 4
    assert nobody["groups"] == []
    # It lists every process of the namespace, root's included, by owner.
    listed = nobody["listed"]
    assert set(listed) == {"1", str(sleeper), str(me)}
    assert listed["1"][:2] == ["root", 0]
    assert listed[str(sleeper)] == ["root", 0, "root-sleeper"]
    assert listed[str(me)][:2] == ["nobody", NOBODY]
    name = f"process {sleeper} (root-sleeper)"
    expected = {
        "k TERM": [
            f"SIGTERM → {name} · Permission denied: {name} belongs to root; "
            "SIGTERM was not sent."
        ],
        "g TERM": [
            f"SIGTERM → process group {sleeper} (1 process) · Permission denied: "
            f"no member of process group {sleeper} (1 process) may be signalled "
            "by you (they belong to root)."
        ],
        "z": [
            f"SIGSTOP → {name} · Permission denied: {name} belongs to root; "
            "SIGSTOP was not sent."
        ],
        "x": [
            f"SIGTERM → process {sleeper}: ending gracefully",
            f"Permission denied: {name} belongs to root; nothing was sent.",
        ],
    }
    attempts = nobody["attempts"]
    assert set(attempts) == set(expected)
    for key, lines in expected.items():
        attempt = attempts[key]
        assert attempt["selected"] == sleeper, key
        assert attempt["confirm_members"] == [sleeper], key
        reasons = attempt["confirm_reasons"]
        assert f"process {sleeper} belongs to another user (root)" in reasons, key
        assert [line[STAMP:] for line in attempt["log"]] == lines, key
    # Nothing but the intro and those answers in the log.
    assert len(nobody["log"]) == 1 + sum(len(lines) for lines in expected.values())
    # The app goes on: the cursor moves, help opens, the table kept refreshing.
    assert nobody["cursor"] == [0, 1]
    assert nobody["help_opened"] is True
    assert nobody["scans"] > 2
    untouched(result["sleeper_seen_by_root"])


def ps_rows(lines: list[str]) -> dict[int, list[str]]:
    """``sigtui ps -o pid,user,uid,tty,stat,args`` lines by pid."""
    assert lines[0].split() == ["PID", "USER", "UID", "TT", "STAT", "COMMAND"]
    return {int(line.split()[0]): line.split() for line in lines[1:]}


@pytest.mark.parametrize(
    ("mode", "denied"), [("invisible", "ENOENT"), ("noaccess", "EPERM")]
)
def test_hidepid_as_nobody_shows_only_its_own_processes(mode: str, denied: str) -> None:
    result = in_namespace("hidepid", mode)
    options = set(result["proc_options"].split(","))
    number = {"invisible": "2", "noaccess": "1"}[mode]  # before Linux 5.8
    assert options & {f"hidepid={mode}", f"hidepid={number}"}
    nobody = result["nobody"]
    sleeper, me, subject = result["sleeper"], nobody["pid"], nobody["subject"]
    root_pids = {1, sleeper}
    # What the kernel does: invisible hides root's entries, noaccess lists
    # them but refuses every file in them (EPERM: a PermissionError).
    listdir = set(nobody["listdir"])
    if mode == "invisible":
        assert not listdir & root_pids
    else:
        assert root_pids <= listdir
    for files in nobody["root_files"].values():
        assert files == {"stat": denied, "cmdline": denied, "status": denied}

    # The scanner, sigtui ps (a new process) and the app list exactly its
    # own processes, all with their user; nothing crashed (stderr is empty).
    own = {str(me): ["nobody", NOBODY, True], str(subject): ["nobody", NOBODY, True]}
    assert nobody["scan_before"] == own
    ps = nobody["ps"]
    assert (ps["returncode"], ps["stderr"]) == (0, "")
    rows = ps_rows(ps["stdout"])
    assert {me, subject} < set(rows)  # and the ps process itself
    assert not set(rows) & root_pids
    assert {tuple(row[1:3]) for row in rows.values()} == {("nobody", str(NOBODY))}
    # Root's processes cannot be named either: as ps, no match is status 1.
    ps_root = nobody["ps_root"]
    assert (ps_root["returncode"], ps_root["stderr"]) == (1, "")
    assert len(ps_root["stdout"].splitlines()) == 1  # the header only
    app_before = nobody["app_before"]
    assert set(app_before) == {str(me), str(subject)}
    assert {tuple(row[1:3]) for row in app_before.values()} == {("nobody", str(NOBODY))}

    # The subject made itself undumpable: now even its own user is kept out
    # of its /proc entry, while the stat files the scanners opened before
    # stay readable.
    assert nobody["subject_files_after"] == {
        "stat": denied,
        "cmdline": denied,
        "status": denied,
    }
    if mode == "invisible":
        # Hidden from the listing: it is gone from the scan and the table.
        assert set(nobody["scan_after"]) == {str(me)}
        assert nobody["scan_after_line"] is None
        assert set(nobody["app_after"]) == {str(me)}
        assert "· 1 processes ·" in nobody["status"]
    else:
        # Listed, stat readable, cmdline and status not: `?` for the fields
        # that cannot be read, in the scan, in ps format and in the table.
        assert nobody["scan_after"][str(subject)] == [None, None, False]
        fields = nobody["scan_after_line"].split()
        assert fields[:3] == [str(subject), "?", "?"]
        assert fields[4:] == ["?"]
        row = nobody["app_after"][str(subject)]
        assert row[:3] == [str(subject), "?", "?"]
        assert row[4:] == ["?"]
        assert nobody["app_after"][str(me)][1] == "nobody"
        assert "· 2 processes ·" in nobody["status"]
    assert nobody["scans"] > 2
    untouched(result["sleeper_seen_by_root"])
