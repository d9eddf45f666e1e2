"""The oracle for every other ``-o`` column: ``sigtui ps`` prints what ps prints.

Each group of columns is sampled as in ``test_ps_oracle``: ``ps -eo``, then
``sigtui ps -o``, then ``ps -eo`` again, and every row is compared field by
field (values are split on whitespace; columns whose values may hold spaces
are run one at a time, after the pid, and compared as a whole).

Tolerances, stated:

* The test's own processes are idle (sleeping, stopped, a zombie), so every
  field must equal what ps printed, except those that move with the clock
  alone (the lifetime CPU averages ``%cpu c cp cuu cuc``, and ``etimes``),
  which must lie between the two ps samples.
* Other processes keep running. A field must equal one of the two ps samples,
  or, for a number, lie between them (widened by ``SLACK`` for the lifetime
  CPU averages, which ps computes through a float and can round one step
  either way). A process that moved back and forth between the samples (its
  resident size grew and shrank, it woke on another CPU) can still disagree:
  up to ``MOVED_SHARE`` of the other processes (at least 3) may, in the
  columns listed in ``VOLATILE`` only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pytest

from sigtui.processes.columns import COLUMNS
from tests.spawn import (
    Spawner,
    locked,
    niced,
    sleeper,
    stopped,
    threaded,
    zombie_parent,
)
from tests.unit.test_ps_oracle import PS, _is_procps, environment, ps, sigtui

pytestmark = [
    pytest.mark.skipif(not _is_procps(PS), reason="needs procps ps as the oracle"),
    # Samples every process on the machine: a sibling test worker's processes
    # and threads coming and going between the samples are not what it checks.
    pytest.mark.serial,
]

# Columns whose values hold no spaces, sampled together after the pid.
GROUPS: dict[str, tuple[str, ...]] = {
    "cpu": ("%cpu", "pcpu", "c", "util", "cp", "cuu", "cuc"),
    "memory": (
        "%mem",
        "pmem",
        "rss",
        "rssize",
        "rsz",
        "sgi_rss",
        "vsz",
        "vsize",
        "sz",
        "size",
        "m_size",
        "drs",
        "m_drs",
        "dsiz",
        "trs",
        "m_trs",
        "trss",
        "tsiz",
        "maj_flt",
        "majflt",
        "pagein",
        "min_flt",
        "minflt",
        "lim",
    ),
    "scheduling": (
        "ni",
        "nice",
        "pri",
        "opri",
        "intpri",
        "priority",
        "pri_foo",
        "pri_bar",
        "pri_baz",
        "pri_api",
        "rtprio",
        "policy",
        "class",
        "cls",
        "sched",
        "psr",
        "cpuid",
        "lastcpu",
        "sgi_p",
        "numa",
        "nlwp",
        "thcount",
        "f",
        "flag",
        "flags",
        "lwp",
        "spid",
        "tid",
    ),
    "times": ("etimes", "cputimes", "times", "bsdtime", "atime", "stime", "start_time"),
    "users": (
        "euser",
        "uid_hack",
        "ruser",
        "suser",
        "svuser",
        "fuser",
        "fsuser",
        "ruid",
        "suid",
        "svuid",
        "fuid",
        "fsuid",
        "luid",
    ),
    "groups": (
        "group",
        "egroup",
        "rgroup",
        "sgroup",
        "svgroup",
        "fgroup",
        "fsgroup",
        "egid",
        "gid",
        "rgid",
        "sgid",
        "svgid",
        "fgid",
        "fsgid",
        "supgid",
    ),
    "signals": (
        "pending",
        "sig",
        "sig_pend",
        "tsig",
        "blocked",
        "sigmask",
        "sig_block",
        "ignored",
        "sigignore",
        "sig_ignore",
        "caught",
        "sigcatch",
        "sig_catch",
    ),
    "namespaces": (
        "cgroupns",
        "ipcns",
        "mntns",
        "netns",
        "pidns",
        "timens",
        "userns",
        "utsns",
    ),
    "other": (
        "oom",
        "oomadj",
        "ag_id",
        "ag_nice",
        "stackp",
        "start_stack",
        "esp",
        "eip",
        "rchars",
        "wchars",
        "rops",
        "wops",
        "rbytes",
        "wbytes",
        "wcbytes",
    ),
}

# Columns whose values may hold spaces (or be cut when not last): one at a time.
ALONE = (
    "lstart",
    "start",
    "bsdstart",
    "wchan",
    "wname",
    "exe",
    "cgroup",
    "cgname",
    "supgrp",
    "fname",
    "tty8",
    "longtname",
)

# Covered by test_ps_oracle (the columns sigtui had before).
COVERED_BEFORE = frozenset(
    [
        "pid",
        "tgid",
        "ppid",
        "pgid",
        "pgrp",
        "sid",
        "sess",
        "session",
        "tpgid",
        "tty",
        "tt",
        "tname",
        "stat",
        "state",
        "s",
        "user",
        "uname",
        "uid",
        "euid",
        "time",
        "cputime",
        "etime",
        "comm",
        "ucomm",
        "ucmd",
        "args",
        "cmd",
        "command",
    ]
)

CLOCK = frozenset({"%cpu", "pcpu", "c", "util", "cp", "cuu", "cuc", "etimes"})
"""Move with the clock alone, even for an idle process."""

SLACK = {"%cpu": 0.2, "pcpu": 0.2, "c": 1, "util": 1, "cp": 2, "cuu": 0.2, "cuc": 0.2}
"""How far outside the two ps samples a lifetime CPU average may be."""

VOLATILE = frozenset(
    {
        *CLOCK,
        *GROUPS["memory"],
        *("psr", "cpuid", "lastcpu", "sgi_p", "numa", "nlwp", "thcount"),
        *("ni", "nice", "pri", "opri", "intpri", "priority", "pri_foo"),
        *("pri_bar", "pri_baz", "pri_api", "f", "flag", "flags"),
        *("cputimes", "times", "bsdtime", "atime", "etimes"),
        *GROUPS["signals"],
        *("oom", "oomadj", "stackp", "start_stack", "esp", "eip"),
        *("rchars", "wchars", "rops", "wops", "rbytes", "wbytes", "wcbytes"),
        *("wchan", "wname", "cgroup", "cgname", "exe", "fname"),
    }
)
"""Columns a running process can change back and forth between two samples."""

MOVED_SHARE = 0.03


def test_every_column_is_covered() -> None:
    listed = {name for names in GROUPS.values() for name in names} | set(ALONE)
    assert set(COLUMNS) - COVERED_BEFORE == listed


@pytest.fixture(scope="module")
def own() -> Iterator[list[int]]:
    """Idle processes of our own: sleeping, stopped, niced, locked, threaded, dead."""
    with Spawner() as spawner:
        children = [
            stopped(spawner),
            zombie_parent(spawner),
            threaded(spawner),
            niced(spawner),
            locked(spawner),
            sleeper(spawner, ["plain"]),
        ]
        pids = [c.pid for c in children]
        pids.append(int(children[1].info["zombie"]))
        yield pids


Table = dict[int, list[str]]


def table(output: str, columns: Sequence[str], alone: bool) -> tuple[str, Table]:
    """Rows by pid: the values, split on whitespace (or the rest of the line).

    A row with blanks where values should be is left out: ps prints nothing
    for the fields of a process that exited while it read them (the test's
    own processes do not exit, and must be there).
    """
    header, *lines = output.rstrip("\n").split("\n")
    rows: Table = {}
    for line in lines:
        pid, _, rest = line.lstrip().partition(" ")
        values = [rest.strip(" ")] if alone else rest.split()
        if len(values) == len(columns):
            rows[int(pid)] = values
    return header, rows


def sample(columns: Sequence[str], alone: bool, **env: str) -> tuple[Table, ...]:
    spec = ",".join(["pid", *columns])
    environ = environment(**env)
    ps_before, out_before = ps("-eo", spec, env=environ)
    ours_pid, out_ours = sigtui("-o", spec, env=environ)
    ps_after, out_after = ps("-eo", spec, env=environ)
    header_before, before = table(out_before, columns, alone)
    header_ours, ours = table(out_ours, columns, alone)
    header_after, after = table(out_after, columns, alone)
    assert header_ours == header_before == header_after
    for pid in (ps_before, ours_pid, ps_after):
        for rows in (before, ours, after):
            rows.pop(pid, None)
    return before, ours, after


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def explained(name: str, value: str, seen: list[str], *, strict: bool) -> bool:
    """Whether ps's samples explain the value sigtui printed."""
    if value in seen:
        return True
    if strict and name not in CLOCK:
        return False
    number = _number(value)
    numbers = [_number(s) for s in seen]
    if number is None or None in numbers or len(numbers) < 2:
        return False
    slack = SLACK.get(name, 0)
    low = min(n for n in numbers if n is not None) - slack
    high = max(n for n in numbers if n is not None) + slack
    return low <= number <= high


def compare(
    columns: Sequence[str], samples: tuple[Table, ...], mine: Sequence[int]
) -> None:
    before, ours, after = samples
    problems: list[str] = []
    moved: dict[int, list[str]] = {}
    compared = 0
    for pid, values in ours.items():
        if pid not in before:
            continue  # started after the first sample
        compared += 1
        refs = [before[pid]] + ([after[pid]] if pid in after else [])
        strict = pid in mine
        for index, name in enumerate(columns):
            value = values[index]
            seen = [ref[index] for ref in refs]
            if explained(name, value, seen, strict=strict):
                continue
            report = f"pid {pid} {name}: sigtui {value!r}, ps {seen!r}"
            if not strict and name in VOLATILE:
                moved.setdefault(pid, []).append(report)
            else:
                problems.append(report)
    for pid in mine:
        assert pid in ours, f"sigtui did not list {pid}"
        assert pid in before, f"ps did not list {pid}"
    assert not problems, "\n".join(problems)
    assert len(moved) <= max(3, MOVED_SHARE * compared), "\n".join(
        report for reports in moved.values() for report in reports
    )


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_group_agrees_with_ps(group: str, own: list[int]) -> None:
    columns = GROUPS[group]
    compare(columns, sample(columns, alone=False), own)


@pytest.mark.parametrize("column", ALONE)
def test_column_alone_agrees_with_ps(column: str, own: list[int]) -> None:
    compare([column], sample([column], alone=True), own)


def test_masks_narrow_when_the_line_has_no_room(own: list[int]) -> None:
    """With COLUMNS=60 the four masks do not fit 16 wide: 8 digits, as ps."""
    columns = ("pending", "blocked", "ignored", "caught")
    samples = sample(columns, alone=False, COLUMNS="60")
    assert all(len(v) <= 9 for v in samples[1][own[0]])
    compare(columns, samples, own)


def test_own_values_are_the_expected_ones(own: list[int]) -> None:
    """Not only equal to ps: the values a stopped, niced, threaded process has."""
    stopped_pid, _, threaded_pid, niced_pid = own[:4]
    _, rows = table(
        sigtui(
            "-o",
            "pid,nlwp,ni,policy,rtprio,wchan",
            "-p",
            f"{stopped_pid},{threaded_pid},{niced_pid}",
        )[1],
        ["nlwp", "ni", "policy", "rtprio", "wchan"],
        alone=False,
    )
    assert rows[threaded_pid][0] == "2"
    assert rows[niced_pid][1] == str(min(19, os.nice(0) + 5))
    assert rows[stopped_pid][2:4] == ["TS", "-"]
    assert rows[stopped_pid][4] == "do_signal_stop"
