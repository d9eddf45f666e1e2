"""Unit tests: the ps column registry, -o parsing, and the ps-style table."""

from __future__ import annotations

import random
import signal

import pytest

from sigtui.processes.columns import (
    COLUMNS,
    DEFAULT_COLUMNS,
    PS_DEFAULT_COLUMNS,
    Align,
    ColumnError,
    Field,
    column_names,
    for_screen,
    parse_columns,
    pid_width,
    sources_of,
)
from sigtui.processes.format import PAGE_KIB, group_name
from sigtui.processes.model import ProcessSnapshot, Source, StatMore, StatusMore
from sigtui.processes.pstable import (
    format_line,
    format_table,
    line_maker,
    with_wide_masks,
)
from tests.spawn import make_info

# The header procps ps prints for each -o name (checked against ps 4.0.2).
HEADERS = {
    "%cpu": "%CPU",
    "%mem": "%MEM",
    "ag_id": "AGID",
    "ag_nice": "AGNI",
    "args": "COMMAND",
    "atime": "TIME",
    "blocked": "BLOCKED",
    "bsdstart": "START",
    "bsdtime": "TIME",
    "c": "C",
    "caught": "CAUGHT",
    "cgname": "CGNAME",
    "cgroup": "CGROUP",
    "cgroupns": "CGROUPNS",
    "class": "CLS",
    "cls": "CLS",
    "cmd": "CMD",
    "comm": "COMMAND",
    "command": "COMMAND",
    "cp": "CP",
    "cpuid": "CPUID",
    "cputime": "TIME",
    "cputimes": "TIME",
    "cuc": "%CUC",
    "cuu": "%CUU",
    "drs": "DRS",
    "dsiz": "DSIZ",
    "egid": "EGID",
    "egroup": "EGROUP",
    "eip": "EIP",
    "esp": "ESP",
    "etime": "ELAPSED",
    "etimes": "ELAPSED",
    "euid": "EUID",
    "euser": "EUSER",
    "exe": "EXE",
    "f": "F",
    "fgid": "FGID",
    "fgroup": "FGROUP",
    "flag": "F",
    "flags": "F",
    "fname": "COMMAND",
    "fsgid": "FSGID",
    "fsgroup": "FSGROUP",
    "fsuid": "FSUID",
    "fsuser": "FSUSER",
    "fuid": "FUID",
    "fuser": "FUSER",
    "gid": "GID",
    "group": "GROUP",
    "ignored": "IGNORED",
    "intpri": "PRI",
    "ipcns": "IPCNS",
    "lastcpu": "C",
    "lim": "LIM",
    "longtname": "TTY",
    "lstart": "STARTED",
    "luid": "LUID",
    "lwp": "LWP",
    "m_drs": "DRS",
    "m_size": "SIZE",
    "m_trs": "TRS",
    "maj_flt": "MAJFL",
    "majflt": "MAJFLT",
    "min_flt": "MINFL",
    "minflt": "MINFLT",
    "mntns": "MNTNS",
    "netns": "NETNS",
    "ni": "NI",
    "nice": "NI",
    "nlwp": "NLWP",
    "numa": "NUMA",
    "oom": "OOM",
    "oomadj": "OOMADJ",
    "opri": "PRI",
    "pagein": "PAGEIN",
    "pcpu": "%CPU",
    "pending": "PENDING",
    "pgid": "PGID",
    "pgrp": "PGRP",
    "pid": "PID",
    "pidns": "PIDNS",
    "pmem": "%MEM",
    "policy": "POL",
    "ppid": "PPID",
    "pri": "PRI",
    "pri_api": "API",
    "pri_bar": "BAR",
    "pri_baz": "BAZ",
    "pri_foo": "FOO",
    "priority": "PRI",
    "psr": "PSR",
    "rbytes": "RBYTES",
    "rchars": "RCHARS",
    "rgid": "RGID",
    "rgroup": "RGROUP",
    "rops": "ROPS",
    "rss": "RSS",
    "rssize": "RSS",
    "rsz": "RSZ",
    "rtprio": "RTPRIO",
    "ruid": "RUID",
    "ruser": "RUSER",
    "s": "S",
    "sched": "SCH",
    "sess": "SESS",
    "session": "SESS",
    "sgi_p": "P",
    "sgi_rss": "RSS",
    "sgid": "SGID",
    "sgroup": "SGROUP",
    "sid": "SID",
    "sig": "PENDING",
    "sig_block": "BLOCKED",
    "sig_catch": "CATCHED",
    "sig_ignore": "IGNORED",
    "sig_pend": "SIGNAL",
    "sigcatch": "CAUGHT",
    "sigignore": "IGNORED",
    "sigmask": "BLOCKED",
    "size": "SIZE",
    "spid": "SPID",
    "stackp": "STACKP",
    "start": "STARTED",
    "start_stack": "STACKP",
    "start_time": "START",
    "stat": "STAT",
    "state": "S",
    "stime": "STIME",
    "suid": "SUID",
    "supgid": "SUPGID",
    "supgrp": "SUPGRP",
    "suser": "SUSER",
    "svgid": "SVGID",
    "svgroup": "SVGROUP",
    "svuid": "SVUID",
    "svuser": "SVUSER",
    "sz": "SZ",
    "tgid": "TGID",
    "thcount": "THCNT",
    "tid": "TID",
    "time": "TIME",
    "timens": "TIMENS",
    "times": "TIME",
    "tname": "TTY",
    "tpgid": "TPGID",
    "trs": "TRS",
    "trss": "TRSS",
    "tsig": "PENDING",
    "tsiz": "TSIZ",
    "tt": "TT",
    "tty": "TT",
    "tty8": "TTY",
    "ucmd": "CMD",
    "ucomm": "COMMAND",
    "uid": "UID",
    "uid_hack": "UID",
    "uname": "USER",
    "user": "USER",
    "userns": "USERNS",
    "util": "C",
    "utsns": "UTSNS",
    "vsize": "VSZ",
    "vsz": "VSZ",
    "wbytes": "WBYTES",
    "wcbytes": "WCBYTES",
    "wchan": "WCHAN",
    "wchars": "WCHARS",
    "wname": "WCHAN",
    "wops": "WOPS",
}

FIELDS = {
    "pid": Field.PID,
    "tgid": Field.PID,
    "ppid": Field.PPID,
    "pgid": Field.PGID,
    "pgrp": Field.PGID,
    "sid": Field.SID,
    "sess": Field.SID,
    "session": Field.SID,
    "tpgid": Field.TPGID,
    "tty": Field.TTY,
    "tt": Field.TTY,
    "tname": Field.TTY,
    "stat": Field.STAT,
    "state": Field.STATE,
    "s": Field.STATE,
    "user": Field.USER,
    "euser": Field.USER,
    "uname": Field.USER,
    "uid": Field.UID,
    "euid": Field.UID,
    "time": Field.TIME,
    "cputime": Field.TIME,
    "etime": Field.ETIME,
    "comm": Field.COMM,
    "ucomm": Field.COMM,
    "ucmd": Field.COMM,
    "args": Field.ARGS,
    "cmd": Field.ARGS,
    "command": Field.ARGS,
}


def test_every_registered_name_has_a_known_header() -> None:
    assert set(COLUMNS) == set(HEADERS)
    assert list(column_names()) == sorted(HEADERS)


@pytest.mark.parametrize(("name", "header"), sorted(HEADERS.items()))
def test_header_of_each_alias(name: str, header: str) -> None:
    (column,) = parse_columns(name)
    assert column.header == header
    assert column.name == name
    if name in FIELDS:
        assert column.field is FIELDS[name]


@pytest.mark.parametrize(
    ("name", "width", "align"),
    [
        ("tty", 8, Align.LEFT),
        ("stat", 4, Align.LEFT),
        ("s", 1, Align.LEFT),
        ("user", 8, Align.LEFT),
        ("uid", 5, Align.RIGHT),
        ("time", 8, Align.RIGHT),
        ("etime", 11, Align.RIGHT),
        ("comm", 15, Align.LEFT),
        ("args", 27, Align.LEFT),
    ],
)
def test_widths_and_alignment(name: str, width: int, align: Align) -> None:
    column = COLUMNS[name]
    assert (column.width, column.align) == (width, align)


@pytest.mark.parametrize("name", ["pid", "tgid", "ppid", "pgid", "sid", "tpgid"])
def test_pid_columns_are_as_wide_as_pid_max(name: str) -> None:
    with open("/proc/sys/kernel/pid_max", encoding="ascii") as f:
        digits = len(f.read().strip())
    assert pid_width() == max(5, digits)
    assert COLUMNS[name].width == pid_width()
    assert COLUMNS[name].align is Align.RIGHT


def test_default_columns() -> None:
    names = [c.name for c in parse_columns(DEFAULT_COLUMNS)]
    assert names == ["pid", "pgid", "tty", "stat", "%cpu", "rss", "time", "args"]


def test_sigtui_ps_default_columns_stay_those_of_ps_j() -> None:
    names = [c.name for c in parse_columns(PS_DEFAULT_COLUMNS)]
    assert names == ["pid", "pgid", "tty", "stat", "time", "args"]


# --- parse_columns ------------------------------------------------------------


@pytest.mark.parametrize(
    "spec", ["pid,comm", "pid comm", "pid, comm", "pid,comm,", "pid\tcomm"]
)
def test_separators(spec: str) -> None:
    assert [c.name for c in parse_columns(spec)] == ["pid", "comm"]


def test_several_lists_as_repeated_o() -> None:
    columns = parse_columns(["pid,ppid", "stat", "args"])
    assert [c.name for c in columns] == ["pid", "ppid", "stat", "args"]


def test_a_column_may_repeat() -> None:
    assert [c.name for c in parse_columns("pid,pid")] == ["pid", "pid"]


@pytest.mark.parametrize(
    ("spec", "bad"),
    [
        ("bogus", "bogus"),
        ("pid,bogus,comm", "bogus"),
        ("pid,label", "label"),
        ("nosuch=HEADER", "nosuch"),
    ],
)
def test_unknown_column_is_named(spec: str, bad: str) -> None:
    with pytest.raises(ColumnError) as err:
        parse_columns(spec)
    assert repr(bad) in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("spec", ["", " ", ",", " , ", []])
def test_empty_list(spec: str | list[str]) -> None:
    with pytest.raises(ColumnError, match="empty"):
        parse_columns(spec)


def test_column_error_is_a_value_error() -> None:
    assert issubclass(ColumnError, ValueError)


def test_rename_header() -> None:
    pid, comm = parse_columns("pid=Process,comm")
    assert (pid.field, pid.header, pid.width) == (Field.PID, "Process", 7)
    assert comm.header == "COMMAND"


def test_rename_keeps_width_when_header_is_short() -> None:
    (pid,) = parse_columns("pid=X")
    assert (pid.header, pid.width, pid.align) == ("X", pid_width(), Align.RIGHT)


def test_empty_header() -> None:
    (pid,) = parse_columns("pid=")
    assert pid.header == ""
    assert pid.width == pid_width()


def test_header_may_contain_equals() -> None:
    (pid,) = parse_columns("pid=A=B")
    assert pid.header == "A=B"


def test_renamed_user_keeps_user_name_truncation() -> None:
    (user,) = parse_columns("user=Owner")
    assert user.user_name
    assert user.width == 8


# --- values -------------------------------------------------------------------


def test_values_of_every_field() -> None:
    info = make_info(
        4242,
        ppid=17,
        pgid=4240,
        sid=4000,
        tpgid=4240,
        tty="pts/3",
        state="R",
        nice=5,
        uid=1000,
        user="alice",
        cpu_time=3723.9,
        start_time=1000.0,
        comm="make",
        cmdline=("make", "-j4"),
    )
    snapshot = ProcessSnapshot.of([info], uptime=1000.0 + 86400 + 61.5)
    values = {
        name: column.text(info, snapshot)
        for name, column in COLUMNS.items()
        if name in FIELDS
    }
    assert values == {
        "pid": "4242",
        "tgid": "4242",
        "ppid": "17",
        "pgid": "4240",
        "pgrp": "4240",
        "sid": "4000",
        "sess": "4000",
        "session": "4000",
        "tpgid": "4240",
        "tty": "pts/3",
        "tt": "pts/3",
        "tname": "pts/3",
        "stat": "RN+",
        "state": "R",
        "s": "R",
        "user": "alice",
        "euser": "alice",
        "uname": "alice",
        "uid": "1000",
        "euid": "1000",
        "time": "01:02:03",
        "cputime": "01:02:03",
        "etime": "1-00:01:01",
        "comm": "make",
        "ucomm": "make",
        "ucmd": "make",
        "args": "make -j4",
        "cmd": "make -j4",
        "command": "make -j4",
    }


def test_unknown_values_show_as_question_mark() -> None:
    info = make_info(tty=None, uid=None, user=None, cmdline=None, tpgid=-1)
    snapshot = ProcessSnapshot.of([info], uptime=2000.0)
    text = {name: COLUMNS[name].text(info, snapshot) for name in COLUMNS}
    assert text["tty"] == "?"
    assert text["user"] == "?"
    assert text["uid"] == "?"
    assert text["args"] == "?"
    assert text["tpgid"] == "-1"


def test_sort_values_put_unknown_last() -> None:
    known = make_info(1, uid=5, user="zed", tty="pts/1")
    unknown = make_info(2, uid=None, user=None, tty=None)
    snapshot = ProcessSnapshot.of([known, unknown], uptime=2000.0)
    for name in ("uid", "user", "tty"):
        keys = [COLUMNS[name].sort_value(p, snapshot) for p in (known, unknown)]
        assert keys[0] < keys[1], name


def test_sort_values_are_natural() -> None:
    young = make_info(1, start_time=900.0, cpu_time=2.0, comm="Beta")
    old = make_info(2, start_time=10.0, cpu_time=10.0, comm="alpha")
    snapshot = ProcessSnapshot.of([young, old], uptime=1000.0)

    def order(name: str) -> list[int]:
        column = COLUMNS[name]
        infos = sorted([young, old], key=lambda p: column.sort_value(p, snapshot))
        return [p.pid for p in infos]

    assert order("pid") == [1, 2]
    assert order("time") == [1, 2]  # numerically, not as text
    assert order("etime") == [1, 2]  # youngest first: least elapsed
    assert order("comm") == [2, 1]  # case-insensitive


# --- the table ----------------------------------------------------------------


def test_table_lays_out_like_ps() -> None:
    kthread = make_info(2, ppid=0, pgid=0, sid=0, comm="kthreadd", cmdline=())
    shell = make_info(
        3022,
        pgid=3022,
        sid=3022,
        tpgid=4100,
        tty="pts/0",
        cpu_time=61.0,
        comm="bash",
        cmdline=("-bash",),
    )
    snapshot = ProcessSnapshot.of([kthread, shell], uptime=5000.0)
    columns = parse_columns(PS_DEFAULT_COLUMNS)
    pw = pid_width()
    lines = list(format_table(snapshot, snapshot.processes, columns))
    assert lines == [
        f"{'PID':>{pw}} {'PGID':>{pw}} TT       STAT     TIME COMMAND",
        f"{2:>{pw}} {0:>{pw}} ?        S    00:00:00 [kthreadd]",
        f"{3022:>{pw}} {3022:>{pw}} pts/0    Ss   00:01:01 -bash",
    ]


def test_no_headers() -> None:
    snapshot = ProcessSnapshot.of([make_info(7)], uptime=5000.0)
    lines = list(
        format_table(snapshot, snapshot.processes, parse_columns("pid"), headers=False)
    )
    assert lines == [f"{7:>{pid_width()}}"]


def test_all_headers_empty_means_no_header_line() -> None:
    snapshot = ProcessSnapshot.of([make_info(7)], uptime=5000.0)
    columns = parse_columns("pid=,comm=")
    lines = list(format_table(snapshot, snapshot.processes, columns))
    assert lines == [f"{7:>{pid_width()}} sleep"]


def test_one_empty_header_still_prints_the_line() -> None:
    columns = parse_columns("pid,comm=")
    # ps keeps the separator before the empty last header: "  PID ".
    assert format_line(columns, [c.header for c in columns]) == (
        f"{'PID':>{pid_width()}} "
    )


def test_last_column_is_not_padded_but_keeps_its_own_spaces() -> None:
    columns = parse_columns("pid,tty,args")
    pw = pid_width()
    assert format_line(columns, ["1", "?", "x "]) == f"{1:>{pw}} ?        x "
    assert format_line(parse_columns("pid,tty"), ["1", "?"]) == f"{1:>{pw}} ?"


def test_long_user_is_cut_with_plus_unless_last() -> None:
    columns = parse_columns("user,pid")
    assert format_line(columns, ["systemd-network", "9"]).startswith("systemd+ ")
    (user,) = parse_columns("user")
    assert format_line([user], ["systemd-network"]) == "systemd-network"


def test_command_columns_are_cut_unless_last() -> None:
    long = "/usr/bin/python3 -m some.module --with --many --arguments"
    columns = parse_columns("args,pid")
    line = format_line(columns, [long, "1"])
    assert line.startswith(long[:27] + " ")
    assert format_line(parse_columns("pid,args"), ["1", long]).endswith(long)
    comm = parse_columns("comm,pid")
    assert format_line(comm, ["[worker] <defunct>", "1"]).startswith("[worker] <defun ")


def test_wide_value_pushes_right_and_right_columns_catch_up() -> None:
    columns = parse_columns("user=ABCDEFGHIJK,pid,ppid")
    pw = pid_width()
    header = format_line(columns, [c.header for c in columns])
    row = format_line(columns, ["root", "1", "0"])
    assert header == f"ABCDEFGHIJK {'PID':>{pw}} {'PPID':>{pw}}"
    assert row == f"root        {1:>{pw}} {0:>{pw}}"
    # A value wider than a right-aligned column: later ones give back padding.
    (pid, ppid) = parse_columns("pid,ppid")
    wide = "1" * (pw + 3)
    assert format_line([pid, ppid], [wide, "2"]) == f"{wide} {'2':>{pw - 3}}"


def test_table_escapes_what_a_terminal_must_not_get() -> None:
    info = make_info(5, comm="a\x1bb", cmdline=("echo", "\x1b[2J", "x\ny", "bad\udcff"))
    snapshot = ProcessSnapshot.of([info], uptime=5000.0)
    (line,) = format_table(
        snapshot, snapshot.processes, parse_columns("comm,args"), headers=False
    )
    assert line == "a?b             echo ?[2J x y bad?"


# --- the columns added for issue 14 ---------------------------------------------


def status_more(rss: int = 0, **masks: int) -> StatusMore:
    return StatusMore(
        uids=(1000, 1001, 1002, 1003),
        gids=(100, 101, 102, 103),
        groups=(27, 100),
        vm_size=rss * 3,
        vm_rss=rss,
        vm_data=rss // 2,
        vm_stack=132,
        pending=masks.get("pending", 0),
        thread_pending=0,
        blocked=masks.get("blocked", 0),
        ignored=0,
        caught=0,
    )


def stat_more(**values: int) -> StatMore:
    fields = {
        "min_flt": 11,
        "maj_flt": 2,
        "children_ticks": 0,
        "priority": 20,
        "rt_priority": 0,
        "policy": 0,
        "processor": 1,
        "vsize": 40 << 20,
        "rss_limit": 2**64 - 1,
        "start_code": 0x400000,
        "end_code": 0x400000 + (64 << 10),
        "start_stack": 0x7FFC0000,
        "esp": 0,
        "eip": 0,
    }
    fields.update(values)
    return StatMore(**fields)


def text(name: str, **values: object) -> str:
    info = make_info(100, **values)
    (column,) = parse_columns(name)
    return column.text(info, ProcessSnapshot.of([info], uptime=5000.0))


def test_memory_columns_come_from_status_as_ps_reads_them() -> None:
    more = status_more(rss=9000)
    assert text("rss", status_more=more) == "9000"
    assert text("vsz", status_more=more) == "27000"
    assert text("sz", status_more=more) == str(27000 // PAGE_KIB)
    assert text("size", status_more=more) == str(4500 + 132)


def test_sizes_from_stat() -> None:
    more = stat_more()
    assert text("trs", stat_more=more) == "64"
    assert text("drs", stat_more=more) == str((40 << 10) - 64)
    assert text("m_size", stat_more=more) == str(40 << 20)
    assert text("lim", stat_more=more) == "xx"
    assert text("lim", stat_more=stat_more(rss_limit=1 << 30)) == "1048576"
    # A kernel thread has no memory: ps shows 0, not a negative size.
    assert text("drs", stat_more=stat_more(vsize=0)) == "0"


@pytest.mark.parametrize(
    ("policy", "cls", "ni", "rtprio"),
    [(0, "TS", "5", "-"), (3, "B", "5", "3"), (1, "FF", "-", "3"), (2, "RR", "-", "3")],
)
def test_scheduling_columns(policy: int, cls: str, ni: str, rtprio: str) -> None:
    more = stat_more(policy=policy, rt_priority=3)
    assert text("class", stat_more=more, nice=5) == cls
    assert text("ni", stat_more=more, nice=5) == ni
    assert text("rtprio", stat_more=more, nice=5) == rtprio


def test_priorities() -> None:
    more = stat_more(priority=25)
    assert [text(n, stat_more=more) for n in ("priority", "pri", "opri")] == [
        "25",
        "14",
        "85",
    ]


def test_lifetime_cpu_as_ps() -> None:
    # 25 s of CPU over 100 s of life: 25 %.
    values = {"cpu_time": 25.0, "start_time": 4900.0}
    assert text("%cpu", **values) == "25.0"
    assert text("c", **values) == "25"
    assert text("cp", **values) == "250"
    assert text("cuu", **values) == "25.000"


def test_live_cpu_when_measured() -> None:
    values = {"cpu_time": 25.0, "start_time": 4900.0, "cpu_percent": 3.47}
    assert text("%cpu", **values) == "3.4"
    # Only %CPU is live: c and cp keep ps's lifetime meaning.
    assert text("c", **values) == "25"


def test_identities_and_groups() -> None:
    more = status_more()
    assert text("ruid", status_more=more) == "1000"
    assert text("suid", status_more=more) == "1002"
    assert text("fuid", status_more=more) == "1003"
    assert text("egid", status_more=more) == "101"
    assert text("supgid", status_more=more) == "27,100"
    assert text("rgroup", status_more=status_more()) == group_name(100)


def test_unread_values_show_a_question_mark() -> None:
    for name in ("rss", "pending", "pri", "wchan", "pidns", "ruser"):
        assert text(name) == "?"


def test_signal_masks_hex_for_ps_names_on_screen() -> None:
    more = status_more(pending=1 << (signal.SIGUSR1 - 1) | 1)
    info = make_info(100, status_more=more)
    snapshot = ProcessSnapshot.of([info], uptime=5000.0)
    (ps_column,) = parse_columns("pending")
    (screen_column,) = for_screen(parse_columns("pending"))
    assert ps_column.text(info, snapshot) == "00000201"
    assert screen_column.text(info, snapshot) == "HUP,USR1"


def test_numbers_sort_as_numbers() -> None:
    small = make_info(1, status_more=status_more(rss=9), cpu_percent=9.0)
    big = make_info(2, status_more=status_more(rss=10), cpu_percent=10.0)
    snapshot = ProcessSnapshot.of([small, big], uptime=5000.0)
    for name in ("rss", "%mem", "vsz", "%cpu"):
        (column,) = parse_columns(name)
        assert column.sort_value(small, snapshot) < column.sort_value(big, snapshot)


def test_sources_each_column_needs() -> None:
    assert sources_of(parse_columns(PS_DEFAULT_COLUMNS)) == Source.NONE
    assert sources_of(parse_columns(DEFAULT_COLUMNS)) == Source.STATUS
    assert sources_of(parse_columns("pid,pri,wchan,exe")) == (
        Source.STAT | Source.WCHAN | Source.EXE
    )


def test_masks_widen_only_when_the_line_has_room() -> None:
    columns = parse_columns("pid,pending,blocked,ignored,caught,comm")
    assert {c.width for c in with_wide_masks(columns, None) if c.mask} == {16}
    assert {c.width for c in with_wide_masks(columns, 80) if c.mask} == {16}
    assert {c.width for c in with_wide_masks(columns, 60) if c.mask} == {9}


@pytest.mark.parametrize(
    "spec",
    [
        "pid,pgid,tty,stat,time,args",
        "args,pid",
        "user,pid,ppid",
        "user=ABCDEFGHIJK,pid,ppid",
        "comm:4,pid,comm=",
        "pid,comm=",
        "pid",
        "stat,%cpu,rss,tty,time",
    ],
)
def test_the_line_maker_lays_out_every_line_as_format_line_does(spec: str) -> None:
    columns = parse_columns(spec)
    line = line_maker(columns)
    rng = random.Random(spec)
    pieces = ["", " ", "x", "12345", "systemd-network", "a b ", "[kworker/0:1]"]
    for _ in range(400):
        # Values of every length around the columns' widths: fitting, exactly
        # filling, wider (cut, or pushing the rest right), empty.
        values = [
            rng.choice(pieces) * rng.randint(0, 3) + "y" * rng.randint(0, c.width + 2)
            for c in columns
        ]
        assert line(values) == format_line(columns, values), values
