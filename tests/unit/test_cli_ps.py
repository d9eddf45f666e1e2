"""``sigtui ps``: options, exit statuses, error messages and broken pipes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from sigtui.cli import main
from sigtui.listing import output_width
from sigtui.processes.columns import column_names, pid_width
from sigtui.processes.format import ps_escape
from sigtui.processes.readers import parse_cmdline, parse_stat
from sigtui.processes.ttys import tty_name
from tests.spawn import Spawner, sleeper, wait_for_state

NO_SUCH_PID = 4194305
"""Larger than the largest pid_max Linux allows, so never a process."""


@pytest.fixture(autouse=True)
def no_width_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def run(
    *args: str, stdout: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sigtui ARGS`` in a subprocess, with no terminal."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run(
        [sys.executable, "-m", "sigtui", *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=120,
    )


def table(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> list[str]:
    """Run ``sigtui ARGV`` in this process; return its lines (it must succeed)."""
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.endswith("\n")
    return out.splitlines()


# --- errors: exit 2, one line on stderr naming the bad value ----------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["ps", "-o", "pid,bogus"], "'bogus'"),
        (["ps", "-o", "pid", "-o", "nosuch=X"], "'nosuch'"),
        (["ps", "-o", ""], "empty column list"),
        (["ps", "-o", " , "], "empty column list"),
        (["ps", "-p", "abc"], "'abc'"),
        (["ps", "-p", "12,x3"], "'x3'"),
        (["ps", "-p", "0"], "'0'"),
        (["ps", "-p", "-5"], "'-5'"),
        (["ps", "-p", "1.5"], "'1.5'"),
        (["ps", "-p", "+5"], "'+5'"),
        (["ps", "-p", "\uff11\uff12"], "'\uff11\uff12'"),  # fullwidth digits
        (["ps", "-p", "\u00b2"], "'\u00b2'"),  # superscript two
        (["ps", "-p", "2147483648"], "'2147483648'"),
        (["ps", "-p", "99999999999999999999"], "'99999999999999999999'"),
        (["ps", "-p", ""], "empty pid list"),
        (["ps", "-p", " , "], "empty pid list"),
        (["ps", "-g", "group"], "'group'"),
        (["ps", "-g", ""], "empty pgid list"),
        (["ps", "--bogus-option"], "--bogus-option"),
        (["-o", "bogus"], "'bogus'"),
    ],
)
def test_bad_arguments(args: list[str], named: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert lines[0].startswith("sigtui")
    assert "Traceback" not in result.stderr


def test_bad_arguments_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ps", "-o", "pid,label"])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "'label'" in err


# --- selection --------------------------------------------------------------------


def test_pid_that_matches_nothing_exits_1_with_the_header() -> None:
    result = run("ps", "-p", str(NO_SUCH_PID))
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [run("ps", "-p", "1").stdout.splitlines()[0]]


def test_group_that_matches_nothing_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ps", "-g", str(NO_SUCH_PID), "--no-headers"]) == 1
    assert capsys.readouterr() == ("", "")


def test_select_by_pid_and_group(
    spawner: Spawner, capsys: pytest.CaptureFixture[str]
) -> None:
    a = sleeper(spawner)
    b = sleeper(spawner)
    me = os.getpid()
    lines = table(capsys, ["ps", "-o", "pid,pgid", "-p", f"{a.pid},{me}"])
    rows = [[str(pid), str(os.getpgid(pid))] for pid in sorted([a.pid, me])]
    assert [line.split() for line in lines] == [["PID", "PGID"], *rows]
    # -g selects whole process groups; -p and -g add up, rows stay in pid order.
    lines = table(capsys, ["ps", "--no-headers", "-o", "pid", "-g", str(b.pid)])
    assert lines == [f"{b.pid:>{pid_width()}}"]
    lines = table(
        capsys, ["ps", "--no-headers", "-o", "pid", "-g", str(b.pid), "-p", str(a.pid)]
    )
    assert [int(x) for x in lines] == sorted([a.pid, b.pid])


def test_repeated_options_add_up(
    spawner: Spawner, capsys: pytest.CaptureFixture[str]
) -> None:
    a = sleeper(spawner)
    b = sleeper(spawner)
    lines = table(
        capsys,
        ["ps", "-o", "pid", "-o", "comm", "-p", str(a.pid), "-p", f"{b.pid} {a.pid}"],
    )
    assert lines[0].split() == ["PID", "COMMAND"]
    assert [int(line.split()[0]) for line in lines[1:]] == sorted([a.pid, b.pid])


# --- output -----------------------------------------------------------------------


def test_default_columns(capsys: pytest.CaptureFixture[str]) -> None:
    lines = table(capsys, ["ps", "-p", str(os.getpid())])
    assert lines[0].split() == ["PID", "PGID", "TT", "STAT", "TIME", "COMMAND"]
    assert len(lines) == 2
    pid, pgid, tty, stat, cputime, args = lines[1].split(maxsplit=5)
    assert (pid, pgid) == (str(os.getpid()), str(os.getpgrp()))
    own_tty = tty_name(parse_stat(Path("/proc/self/stat").read_bytes()).tty_nr)
    assert tty == (own_tty or "?")
    assert stat.startswith("R")  # it is this process, reading /proc
    assert re.fullmatch(r"(\d+-)?\d\d:\d\d:\d\d", cputime)
    cmdline = Path("/proc/self/cmdline").read_bytes()
    assert args == ps_escape(" ".join(parse_cmdline(cmdline)).replace("\n", " "))


def test_whole_table_lists_every_process_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = table(capsys, ["ps", "-o", "pid="])
    pids = [int(line) for line in lines]
    assert pids == sorted(set(pids))
    assert os.getpid() in pids
    assert 1 in pids


def test_no_headers(capsys: pytest.CaptureFixture[str]) -> None:
    lines = table(capsys, ["ps", "--no-headers", "-o", "pid,comm", "-p", "1"])
    assert len(lines) == 1
    assert lines[0].split()[0] == "1"


def test_empty_header_leaves_out_the_header_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert table(capsys, ["ps", "-o", "pid=", "-p", "1"]) == [f"{1:>{pid_width()}}"]
    lines = table(capsys, ["ps", "-o", "pid=,comm=", "-p", "1"])
    assert len(lines) == 1


def test_columns_environment_cuts_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "20")
    lines = table(capsys, ["ps", "-o", "pid,args"])
    assert max(len(line) for line in lines) <= 20


@pytest.mark.parametrize(
    ("columns", "tty", "width"),
    [
        (None, False, None),
        ("50", False, 50),
        ("50", True, 50),
        (" 50", False, 50),
        ("0", False, None),
        ("-3", False, None),
        ("abc", False, None),
        ("", False, None),
        (None, True, 77),
        ("abc", True, 77),
    ],
)
def testoutput_width(
    monkeypatch: pytest.MonkeyPatch, columns: str | None, tty: bool, width: int | None
) -> None:
    class Out(io.StringIO):
        def isatty(self) -> bool:
            return tty

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(
        "shutil.get_terminal_size", lambda *a: os.terminal_size((77, 24))
    )
    assert output_width(Out()) == width


@pytest.mark.parametrize(
    "command",
    [[], ["ps"], ["signals"], ["lessons"], ["lesson"], ["demo"], ["serve"]],
    ids=lambda c: " ".join(c) or "sigtui",
)
def test_every_help_prints(command: list[str]) -> None:
    # argparse expands %-formats in help texts: "%cpu" in one crashed --help.
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "usage: sigtui" in result.stdout


def test_help_names_the_default_columns_with_their_percent_signs() -> None:
    result = run("--help")
    assert "pid,pgid,tty,stat,%cpu,rss,time,args" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    "spec",
    [
        "pid,wchan:20,pid",
        "pid:10,tty:2=X,pid",
        "pid,user:2,pid",
        "pid,comm:4,pid",
        "pid,args:10,pid",
        "pid,comm:30",
        "pid:3,stat:1,time:3,%cpu:2,rss:3,pid",
        "user:3=LONGHEADER,pid",
    ],
)
@pytest.mark.serial  # under pytest-xdist the parent is the busy controller
def test_widths_as_ps_takes_them(spec: str, spawner: Spawner) -> None:
    # ps's name:WIDTH: values cut or padded to it, headers never cut. Two
    # sleeps the test started, so both read the same values: the test
    # process itself was one, and its wait channel changed between the two
    # reads whenever it was woken (as under load) while ps read it. (Not
    # Python sleepers: starting used CPU, and their %cpu fell from 10.0 to
    # 9.9 between the reads.)
    children = [spawner.command(["sleep", "600"]) for _ in range(2)]
    pids = ",".join(str(c.pid) for c in children)
    for child in children:
        wait_for_state(child.pid, "S")
    ours = run("ps", "-o", spec, "-p", pids)
    theirs = subprocess.run(
        ["ps", "-o", spec, "-p", pids],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "COLUMNS"},
    )
    assert ours.returncode == 0, ours.stderr
    # %cpu is a lifetime average that can tick between the two reads.
    if "%cpu" not in spec:
        assert ours.stdout == theirs.stdout
    else:
        assert [len(line) for line in ours.stdout.splitlines()] == [
            len(line) for line in theirs.stdout.splitlines()
        ]


@pytest.mark.parametrize("spec", ["wchan:0", "wchan:x", "wchan:", "wchan:2000"])
def test_bad_widths_are_named(spec: str) -> None:
    result = run("ps", "-o", spec)
    assert result.returncode == 2
    assert "bad width" in result.stderr
    assert spec in result.stderr


def test_help_lists_every_column() -> None:
    result = run("ps", "--help")
    assert result.returncode == 0
    assert result.stderr == ""
    for name in column_names():
        assert name in result.stdout


# --- a reader that leaves early ------------------------------------------------------


def test_closed_pipe_is_quiet() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write fails with EPIPE
    try:
        result = run("ps", stdout=write_end)
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 0


def test_head_one_is_quiet() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    sigtui = subprocess.Popen(
        [sys.executable, "-m", "sigtui", "ps", "-o", "pid,args"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert sigtui.stdout is not None
    assert sigtui.stderr is not None
    head = subprocess.run(
        ["head", "-1"], stdin=sigtui.stdout, capture_output=True, timeout=120
    )
    sigtui.stdout.close()  # only head holds the read end now
    err = sigtui.stderr.read()
    sigtui.stderr.close()
    assert sigtui.wait(timeout=120) == 0
    assert err == b""
    assert head.stdout.split() == [b"PID", b"COMMAND"]


def _ps_in(processes: str, selected: list[int]) -> list[str]:
    """``sigtui ps -p`` with the split into two processes forced on (1) or off."""
    code = (
        "import sys, sigtui.listing as listing\n"
        "from sigtui.cli import main\n"
        "listing.PARALLEL_FROM = int(sys.argv[1])\n"
        "listing.usable_cores = lambda: 2\n"
        "columns = 'pid,ppid,pgid,tty,stat,args'\n"
        "sys.exit(main(['ps', '-o', columns, '-p', sys.argv[2]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, processes, ",".join(map(str, selected))],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


def test_ps_split_between_two_processes_prints_what_one_prints(
    spawner: Spawner,
) -> None:
    # Processes of the test's own, which nothing else changes between the runs.
    pids = [spawner.command(["sleep", "1000", str(n)]).pid for n in range(7)]
    split = _ps_in("1", pids)
    assert split == _ps_in(str(10**9), pids)
    listed = [int(line.split()[0]) for line in split[1:]]
    assert listed == sorted(pids)  # in pid order, each once: halves in order
