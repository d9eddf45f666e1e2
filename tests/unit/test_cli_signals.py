"""``sigtui signals [--json]``: the table, the JSON, broken pipes, bad arguments."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sigtui.cli import main
from sigtui.signals import catalogue

TIMEOUT = 120.0
"""Seconds a run may take on a loaded CI machine."""

POLL_INTERVAL = 0.005
"""Seconds between two looks in a bounded poll."""

HEADERS = ["NUM", "NAME", "ALIASES", "ACTION", "CATCH", "MEANING"]

SCRIPT = Path(sys.executable).with_name("sigtui")
"""The installed command, next to this interpreter (absent if not installed)."""


def _env() -> dict[str, str]:
    """This environment, but with stdout block-buffered as it normally is.

    PYTHONUNBUFFERED would make every line a write of its own and hide
    errors that only show when the output is flushed at exit.
    """
    return {
        k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "COLUMNS")
    }


def _commands() -> list[list[str]]:
    commands = [[sys.executable, "-m", "sigtui"]]
    if os.access(SCRIPT, os.X_OK):
        commands.append([str(SCRIPT)])
    return commands


COMMAND_IDS = ["python-m", "installed"]


@pytest.fixture(params=range(2), ids=COMMAND_IDS)
def command(request: pytest.FixtureRequest) -> list[str]:
    commands = _commands()
    if request.param >= len(commands):
        pytest.skip(f"sigtui is not installed next to {sys.executable}")
    return commands[request.param]


def run(
    command: list[str], *args: str, stdout: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        timeout=TIMEOUT,
    )


def _columns(header: str) -> list[tuple[int, int | None]]:
    """Each column's (start, end) in the table, from where the headers begin."""
    starts = [header.index(name) for name in HEADERS[1:]]
    assert starts == sorted(starts)
    bounds: list[tuple[int, int | None]] = [(0, starts[0] - 1)]
    bounds += [(a, b - 1) for a, b in itertools.pairwise(starts)]
    bounds.append((starts[-1], None))
    return bounds


# --- the table ------------------------------------------------------------------


def test_table(command: list[str]) -> None:
    result = run(command, "signals")
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.endswith("\n")
    header, *rows = result.stdout.splitlines()
    assert header.split() == HEADERS
    assert header.startswith("NUM ")
    specs = list(catalogue())
    assert len(rows) == len(specs) == 62
    bounds = _columns(header)
    for row, spec in zip(rows, specs, strict=True):
        # The columns line up: a space before every column after the first.
        for start, _ in bounds[1:]:
            assert row[start - 1] == " ", row
        cells = [row[a:b].strip() if b else row[a:] for a, b in bounds]
        assert cells == [
            str(spec.number),
            spec.name,
            ",".join(spec.aliases) or "-",
            spec.action_text,
            "yes" if spec.catchable else "no",
            spec.meaning,
        ]
        width = bounds[0][1]
        assert width is not None
        assert row[:width] == str(spec.number).rjust(width)  # right-aligned
    numbers = [int(row.split()[0]) for row in rows]
    assert 32 not in numbers
    assert 33 not in numbers
    assert {row.split()[1] for row in rows if row.split()[0] == "6"} == {"SIGABRT"}
    by_name = {row.split()[1]: row for row in rows}
    assert " SIGIOT " in by_name["SIGABRT"]
    assert " Core dump " in by_name["SIGQUIT"]
    assert " no " in by_name["SIGKILL"]
    assert " no " in by_name["SIGSTOP"]


def test_json(command: list[str]) -> None:
    result = run(command, "signals", "--json")
    assert result.returncode == 0
    assert result.stderr == ""
    rows: Any = json.loads(result.stdout)
    assert isinstance(rows, list)
    specs = list(catalogue())
    assert len(rows) == len(specs) == 62
    for row, spec in zip(rows, specs, strict=True):
        assert row == {
            "number": spec.number,
            "name": spec.name,
            "aliases": list(spec.aliases),
            "action": spec.action.value if spec.action else None,
            "catchable": spec.catchable,
            "meaning": spec.meaning,
        }
    assert [r["number"] for r in rows] == [*range(1, 32), *range(34, 65)]
    assert [r["name"] for r in rows if not r["catchable"]] == ["SIGKILL", "SIGSTOP"]
    assert {a: r["number"] for r in rows for a in r["aliases"]} == {
        "SIGIOT": 6,
        "SIGCLD": 17,
        "SIGPOLL": 29,
    }
    assert all(isinstance(r["action"], str) for r in rows)


def test_in_process_output_is_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for args in (["signals"], ["signals", "--json"]):
        assert main(args) == 0
        out, err = capsys.readouterr()
        assert err == ""
        outputs.append(out)
        sub = run([sys.executable, "-m", "sigtui"], *args)
        assert sub.stdout == out
    table, listing = outputs
    assert len(table.splitlines()) == 63
    assert len(json.loads(listing)) == 62


def test_help() -> None:
    result = run([sys.executable, "-m", "sigtui"], "signals", "--help")
    assert result.returncode == 0
    assert result.stderr == ""
    assert "--json" in result.stdout


# --- bad arguments: exit 2, one line naming the bad value ---------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["signals", "--bogus"], "--bogus"),
        (["signals", "extra"], "extra"),
        (["signals", "--json", "TERM"], "TERM"),
        (["signals", "--json=yes"], "'yes'"),
        (["signals", "-j"], "-j"),
        (["signal"], "'signal'"),
    ],
)
def test_bad_arguments(command: list[str], args: list[str], named: str) -> None:
    result = run(command, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("sigtui")
    assert "error:" in result.stderr
    assert named in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no usage dump


# --- a reader that leaves: quiet, exit 0 -------------------------------------------


@pytest.mark.parametrize("json_flag", [False, True], ids=["table", "json"])
def test_closed_pipe_is_quiet(command: list[str], json_flag: bool) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write fails with EPIPE
    try:
        result = run(
            command, "signals", *(["--json"] if json_flag else []), stdout=write_end
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 0


WRITE_SYSCALL = {"x86_64": 1, "aarch64": 64}
"""write()'s number, as /proc/PID/syscall shows it, per machine."""


def _blocked_writing_stdout(pid: int, write: int) -> bool:
    """Whether the process sits in write(1, ...), per /proc/PID/syscall."""
    try:
        with open(f"/proc/{pid}/syscall") as file:
            fields = file.read().split()
    except OSError:
        return False
    return fields[:2] == [str(write), "0x1"]


@pytest.mark.parametrize("json_flag", [False, True], ids=["table", "json"])
def test_reader_leaves_midway_is_quiet(command: list[str], json_flag: bool) -> None:
    """The reader goes after part of the output, as ``| head -1`` does.

    The pipe holds one page, less than the output, so sigtui blocks in a write
    with output still to come; only then does the reader leave, reading
    nothing (reading would let the rest through). (With the
    table flushed only at exit, Python used to say "Exception ignored ...
    BrokenPipeError" and exit 120.)
    """
    write = WRITE_SYSCALL.get(os.uname().machine)
    if write is None:
        pytest.skip(f"write()'s syscall number on {os.uname().machine} is not known")
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    args = ["signals", *(["--json"] if json_flag else [])]
    try:
        sigtui = subprocess.Popen(
            [*command, *args],
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_env(),
        )
    finally:
        os.close(write_end)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not _blocked_writing_stdout(sigtui.pid, write):
            assert sigtui.poll() is None, "sigtui ended before the pipe filled"
            assert time.monotonic() < deadline, "sigtui never blocked writing"
            time.sleep(POLL_INTERVAL)
    finally:
        os.close(read_end)
        assert sigtui.stderr is not None
        err = sigtui.stderr.read()
        sigtui.stderr.close()
        returncode = sigtui.wait(timeout=TIMEOUT)
    assert err == b""
    assert returncode == 0


def test_head_one_is_quiet(command: list[str]) -> None:
    sigtui = subprocess.Popen(
        [*command, "signals"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert sigtui.stdout is not None
    assert sigtui.stderr is not None
    head = subprocess.run(
        ["head", "-1"], stdin=sigtui.stdout, capture_output=True, timeout=TIMEOUT
    )
    sigtui.stdout.close()  # only head holds the read end now
    err = sigtui.stderr.read()
    sigtui.stderr.close()
    assert sigtui.wait(timeout=TIMEOUT) == 0
    assert err == b""
    assert head.returncode == 0
    assert head.stdout.decode().split() == HEADERS
