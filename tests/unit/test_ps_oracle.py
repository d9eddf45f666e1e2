"""The oracle: ``sigtui ps`` must print what procps ``ps`` prints.

Both commands run as subprocesses over the same live system, with processes
the tests start for the awkward cases: a session on a pseudo-terminal in the
foreground (``pts/N``, ``s``, ``+``) with a background group beside it, a
stopped process (``T``), a zombie, two threads (``l``), a niced process
(``N``), locked memory (``L``), another user, and a command line with spaces,
control characters, wide characters and invalid UTF-8.

The system keeps running between two samples, so the check is bracketed:
``ps``, then ``sigtui ps``, then ``ps`` again. Every field sigtui printed must
equal what the first or the second ``ps`` printed; for other processes than
the test's own, a running process may also have changed its state letter in
between (R, S, D, I) and TIME must lie between the two ``ps`` readings (for
one that is gone by the second, grow by no more than the CPU time the machine
had meanwhile).
Processes missing from a sample, and the three commands themselves, are
ignored. The test's own processes are stable and must agree exactly.
"""

from __future__ import annotations

import math
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.spawn import (
    Child,
    Spawner,
    locked,
    niced,
    pty_session,
    sleeper,
    stopped,
    threaded,
    zombie_parent,
)

PS = shutil.which("ps")


def _is_procps(ps: str | None) -> bool:
    if ps is None:
        return False
    version = subprocess.run([ps, "--version"], capture_output=True, text=True)
    return "procps" in version.stdout


pytestmark = [
    pytest.mark.skipif(not _is_procps(PS), reason="needs procps ps as the oracle"),
    # Samples every process on the machine: a sibling test worker's processes
    # and threads coming and going between the samples are not what it checks.
    pytest.mark.serial,
]

COLS = "pid,ppid,pgid,sid,tpgid,tty,stat,user,time,comm,args"
FIELDS = COLS.split(",")[:9]
LINE = re.compile(r"^ *" + r"(\S+) +" * 8 + r"(\S+) (.*)$", re.DOTALL)

BASE_NICE = os.nice(0)
NICE = "<" if BASE_NICE < 0 else "N" if BASE_NICE > 0 else ""

AWKWARD_ARGS: list[str | bytes] = [
    "has space",
    "two  spaces",
    "nl\nx",
    "esc\x1b[31mred",
    "tab\tx",
    "wide 中文 café",
    "zw\u200bx",
    "trail ",
    b"bad\xff\xfe",
]
AWKWARD_SHOWN = (
    "has space two  spaces nl x esc?[31mred tab?x wide 中文 café zw\u200bx trail  bad??"
)


def environment(**extra: str) -> dict[str, str]:
    """The environment for ps and sigtui: a UTF-8 locale, no width limit."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.pop("LANGUAGE", None)
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


def run(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a command; return its pid and its output. It must not fail."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env or environment(),
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (argv, proc.returncode, err)
    assert err == b"", (argv, err)
    return proc.pid, out.decode("utf-8", "surrogateescape")


def sigtui(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    return run([sys.executable, "-m", "sigtui", "ps", *args], env)


def ps(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    assert PS is not None
    return run([PS, *args], env)


@dataclass(frozen=True)
class Row:
    """One line of the table: the nine space-free fields, then comm and args."""

    fields: dict[str, str]
    rest: str  # comm padded to 15, one space, args: compared as a whole
    line: str

    @property
    def comm(self) -> str:
        return self.rest[:15].rstrip(" ")

    @property
    def args(self) -> str:
        return self.rest[16:]


def parse(output: str) -> tuple[str, dict[int, Row]]:
    """Split a table into its header and its rows by pid."""
    header, *lines = output.split("\n")
    assert lines[-1] == "", "output must end with a newline"
    rows: dict[int, Row] = {}
    for line in lines[:-1]:
        match = LINE.match(line)
        assert match is not None, f"cannot parse {line!r}"
        fields = dict(zip(FIELDS, match.groups()[:9], strict=True))
        rows[int(fields["pid"])] = Row(fields, match.group(10), line)
    return header, rows


def seconds(duration: str) -> int:
    """Seconds in a TIME ([DD-]HH:MM:SS) or ELAPSED ([[DD-]HH:]MM:SS) value."""
    days, _, clock = duration.rpartition("-")
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return int(days or 0) * 86400 + total


@dataclass
class Samples:
    """ps, then sigtui ps, then ps again, over the same system."""

    before: dict[int, Row]
    sigtui: dict[int, Row]
    after: dict[int, Row]
    headers: tuple[str, str, str]
    ignored: frozenset[int]
    cpu_seconds: int  # the most CPU time any process can have used meanwhile


@dataclass
class Special:
    """The processes this module starts, by role."""

    children: dict[str, Child]

    def pid(self, role: str) -> int:
        return self.children[role].pid

    @property
    def zombie(self) -> int:
        return int(self.children["zombie_parent"].info["zombie"])

    @property
    def background(self) -> int:
        return int(self.children["pty"].info["background"])

    @property
    def tty(self) -> str:
        return str(self.children["pty"].info["tty"]).removeprefix("/dev/")

    def all_pids(self) -> list[int]:
        pids = [c.pid for c in self.children.values()]
        return sorted([*pids, self.zombie, self.background])


@pytest.fixture(scope="module")
def special() -> Iterator[Special]:
    with Spawner() as spawner:
        children = {
            "pty": pty_session(spawner),
            "stopped": stopped(spawner),
            "zombie_parent": zombie_parent(spawner),
            "threaded": threaded(spawner),
            "niced": niced(spawner),
            "locked": locked(spawner),
            "awkward": sleeper(spawner, AWKWARD_ARGS),
        }
        sleep = shutil.which("sleep")
        assert sleep is not None
        if os.geteuid() == 0:
            children["other_user"] = spawner.command(
                [sleep, "1000"], user=65534, group=65534, extra_groups=[]
            )
        else:
            children["other_user"] = spawner.command([sleep, "1000"])
        yield Special(children)


@pytest.fixture(scope="module")
def samples(special: Special) -> Samples:
    started = time.monotonic()
    ps_before, out_before = ps("-eo", COLS)
    sigtui_pid, out_sigtui = sigtui("-o", COLS)
    ps_after, out_after = ps("-eo", COLS)
    wall = time.monotonic() - started
    header_before, before = parse(out_before)
    header_sigtui, rows = parse(out_sigtui)
    header_after, after = parse(out_after)
    return Samples(
        before,
        rows,
        after,
        (header_before, header_sigtui, header_after),
        frozenset({ps_before, sigtui_pid, ps_after}),
        math.ceil(wall * (os.cpu_count() or 1)) + 1,
    )


# --- the whole table ------------------------------------------------------------


def test_headers_agree(samples: Samples) -> None:
    before, ours, after = samples.headers
    assert ours == before == after


def test_every_process_agrees_field_by_field(
    samples: Samples, special: Special
) -> None:
    mine = set(special.all_pids())
    compared = 0
    problems: list[str] = []
    for pid, row in samples.sigtui.items():
        if pid in samples.ignored or pid not in samples.before:
            continue
        references = [samples.before[pid]]
        if pid in samples.after:
            references.append(samples.after[pid])
        compared += 1
        problems += disagreements(
            pid, row, references, strict=pid in mine, cpu=samples.cpu_seconds
        )
    assert not problems, "\n".join(problems)
    assert compared >= len(mine)


def disagreements(
    pid: int, row: Row, refs: list[Row], *, strict: bool, cpu: int
) -> list[str]:
    """What sigtui printed that neither ps sample explains.

    ``cpu`` bounds how much TIME a process that exited before the second ps
    sample can have gained since the first.
    """
    problems = []
    for name, value in row.fields.items():
        seen = [ref.fields[name] for ref in refs]
        if value in seen:
            continue
        if not strict and name == "time":
            low = seconds(seen[0])
            high = seconds(seen[1]) if len(seen) == 2 else low + cpu
            if low <= seconds(value) <= high:
                continue
        if not strict and name == "stat" and _state_changed_only(value, seen):
            continue
        problems.append(f"pid {pid} {name}: sigtui {value!r}, ps {seen!r}")
    rests = [ref.rest for ref in refs]
    if row.rest not in rests and (strict or not _kworker_renamed(row.rest, rests)):
        problems.append(f"pid {pid} comm+args: sigtui {row.rest!r}, ps {rests!r}")
    return problems


# A kernel worker's name carries the workqueue it last ran
# ("kworker/1:2-events"), and the kernel renames it from one moment to the next.
_KWORKER_QUEUE = re.compile(r"(kworker/[^\s\]-]+)-[^\s\]]*")


def _kworker_renamed(value: str, seen: list[str]) -> bool:
    """Whether only a kernel worker's workqueue suffix differs."""

    def bare(rest: str) -> str:
        return " ".join(_KWORKER_QUEUE.sub(r"\1", rest).split())

    return value.startswith("kworker/") and bare(value) in [bare(s) for s in seen]


def _state_changed_only(value: str, seen: list[str]) -> bool:
    """Whether only the state letter differs, between running and sleeping ones."""
    busy = "RSDI"
    return value[0] in busy and any(s[0] in busy and s[1:] == value[1:] for s in seen)


def test_most_processes_were_compared(samples: Samples) -> None:
    both = set(samples.before) & set(samples.sigtui) & set(samples.after)
    assert len(both) >= 0.9 * len(samples.sigtui) - len(samples.ignored)


# --- the test's own processes: present, exact, and as expected -------------------


def test_own_processes_agree_exactly(samples: Samples, special: Special) -> None:
    for pid in special.all_pids():
        assert pid in samples.before, f"ps did not list {pid}"
        assert pid in samples.sigtui, f"sigtui did not list {pid}"
        assert samples.sigtui[pid].line == samples.before[pid].line
        assert samples.sigtui[pid].line == samples.after[pid].line


def test_pty_session(samples: Samples, special: Special) -> None:
    leader = special.pid("pty")
    row = samples.sigtui[leader].fields
    assert special.tty.startswith("pts/")
    assert row["tty"] == special.tty
    assert row["stat"] == f"S{NICE}s+"
    assert row["pgid"] == row["sid"] == row["tpgid"] == str(leader)
    member = samples.sigtui[special.background].fields
    assert member["tty"] == special.tty
    assert member["stat"] == f"S{NICE}"
    assert member["pgid"] == str(special.background)
    assert member["sid"] == member["tpgid"] == member["ppid"] == str(leader)


def test_stopped(samples: Samples, special: Special) -> None:
    assert samples.sigtui[special.pid("stopped")].fields["stat"] == f"T{NICE}s"


def test_zombie(samples: Samples, special: Special) -> None:
    row = samples.sigtui[special.zombie]
    comm = Path(f"/proc/{special.zombie}/comm").read_text().rstrip("\n")
    assert row.fields["stat"] == f"Z{NICE}"
    assert row.fields["ppid"] == str(special.pid("zombie_parent"))
    assert row.comm == comm
    assert row.args == f"[{comm}] <defunct>"


def test_threads_nice_and_locked(samples: Samples, special: Special) -> None:
    assert samples.sigtui[special.pid("threaded")].fields["stat"] == f"S{NICE}sl"
    niced_stat = samples.sigtui[special.pid("niced")].fields["stat"]
    assert niced_stat == ("SNs" if BASE_NICE + 5 > 0 else "Ss")
    assert samples.sigtui[special.pid("locked")].fields["stat"] == f"S{NICE}Ls"


def test_other_user(samples: Samples, special: Special) -> None:
    uid = 65534 if os.geteuid() == 0 else os.geteuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = str(uid)
    expected = name if len(name) <= 8 else name[:7] + "+"
    assert samples.sigtui[special.pid("other_user")].fields["user"] == expected


def test_awkward_command_line(samples: Samples, special: Special) -> None:
    pid = special.pid("awkward")
    for rows in (samples.before, samples.sigtui):
        assert rows[pid].args.endswith(" " + AWKWARD_SHOWN), rows[pid].args


# --- options, each against the matching ps command -----------------------------


def pid_list(special: Special) -> str:
    return ",".join(map(str, special.all_pids()))


def test_default_columns(special: Special) -> None:
    pids = pid_list(special)
    assert (
        sigtui("-p", pids)[1] == ps("-o", "pid,pgid,tty,stat,time,args", "-p", pids)[1]
    )


def test_select_pids(special: Special) -> None:
    pids = f"{special.pid('stopped')},{special.zombie}"
    ours = sigtui("-o", COLS, "-p", pids)[1]
    assert ours == ps("-o", COLS, "-p", pids)[1]
    assert len(ours.splitlines()) == 3
    # Repeated and space-separated lists, as ps takes them.
    again = sigtui("-p", str(special.pid("stopped")), "-p", str(special.zombie))[1]
    assert again == sigtui("-p", f"{special.pid('stopped')} {special.zombie}")[1]


def test_select_groups(special: Special) -> None:
    groups = [special.pid("zombie_parent"), special.background]
    ours = sigtui("-o", COLS, "-g", ",".join(map(str, groups)))[1]
    header, rows = parse(ps("-eo", COLS)[1])
    expected = [header] + [
        row.line for row in rows.values() if int(row.fields["pgid"]) in groups
    ]
    assert ours.splitlines() == expected
    assert len(expected) == 4  # the parent, its zombie, the background member


def test_no_headers(special: Special) -> None:
    pids = pid_list(special)
    ours = sigtui("--no-headers", "-o", COLS, "-p", pids)[1]
    assert ours == ps("--no-headers", "-o", COLS, "-p", pids)[1]
    assert len(ours.splitlines()) == len(special.all_pids())


@pytest.mark.parametrize(
    "columns",
    [
        "pid=",
        "pid=,comm=",
        "pid,comm=",
        "pid=Process,args",
        "user=ABCDEFGHIJK,pid,ppid",
        "args,pid",
        "comm,stat,tname,tt,sess,pgrp,ucmd,cmd",
        "euser,uname,uid,euid,state,s,cputime,tgid,session,ucomm,command",
    ],
)
def test_column_lists(special: Special, columns: str) -> None:
    pids = pid_list(special)
    assert sigtui("-o", columns, "-p", pids)[1] == ps("-o", columns, "-p", pids)[1]


def test_pid_header_only_when_asked(special: Special) -> None:
    out = sigtui("-o", "pid=", "-p", str(special.pid("stopped")))[1]
    assert out.strip() == str(special.pid("stopped"))


def test_columns_environment_cuts_lines_like_ps(special: Special) -> None:
    env = environment(COLUMNS="60")
    pids = f"{special.pid('stopped')},{special.pid('niced')}"
    ours = sigtui("-o", "pid,tty,stat,args", "-p", pids, env=env)[1]
    assert ours == ps("-o", "pid,tty,stat,args", "-p", pids, env=env)[1]
    assert max(len(line) for line in ours.splitlines()) == 60


def test_selection_that_matches_nothing_exits_1_like_ps() -> None:
    assert PS is not None
    no_such_pid = "4194305"  # above the largest pid_max Linux allows
    results = [
        subprocess.run(
            [*command, "-o", COLS, "-p", no_such_pid],
            capture_output=True,
            env=environment(),
            timeout=120,
        )
        for command in ([PS], [sys.executable, "-m", "sigtui", "ps"])
    ]
    theirs, ours = results
    assert theirs.returncode == ours.returncode == 1
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr == b""


def test_elapsed_time_agrees_within_a_second(special: Special) -> None:
    # ps counts from the boot time in whole seconds (/proc/stat btime), sigtui
    # from /proc/uptime, so the two may round to neighbouring seconds.
    pids = pid_list(special)
    before = ps("--no-headers", "-o", "pid,etime", "-p", pids)[1].split()
    ours = sigtui("--no-headers", "-o", "pid,etime", "-p", pids)[1].split()
    after = ps("--no-headers", "-o", "pid,etime", "-p", pids)[1].split()
    assert ours[::2] == before[::2] == after[::2]
    for low, value, high in zip(before[1::2], ours[1::2], after[1::2], strict=True):
        assert seconds(low) - 1 <= seconds(value) <= seconds(high) + 1
