"""Unit tests: parsing /proc files, naming terminals, and ps-style formatting."""

from __future__ import annotations

import os
import signal
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sigtui.processes import ttys
from sigtui.processes.format import (
    boot_time,
    command_text,
    display_escape,
    format_bsdstart,
    format_bsdtime,
    format_cputime,
    format_etime,
    format_lstart,
    format_mask,
    format_pcpu,
    format_pmem,
    format_start,
    format_stat,
    format_stime,
    mask_names,
    memory_total,
    ps_escape,
)
from sigtui.processes.model import PF_KTHREAD
from sigtui.processes.readers import parse_cmdline, parse_stat, parse_status
from sigtui.processes.ttys import split_device, tty_name
from tests.spawn import make_info


def stat_line(comm: bytes, *, state: bytes = b"S", tail: int = 52) -> bytes:
    """A /proc/PID/stat line whose fields after comm are 3, 4, 5 ... (field numbers)."""
    fields = [state] + [str(n).encode() for n in range(4, tail + 1)]
    return b"4242 (" + comm + b") " + b" ".join(fields) + b"\n"


# --- parse_stat ---------------------------------------------------------------


def test_parse_stat_takes_fields_by_number() -> None:
    stat = parse_stat(stat_line(b"sleep"))
    assert stat.comm == "sleep"
    assert stat.state == "S"
    assert (stat.ppid, stat.pgid, stat.sid) == (4, 5, 6)
    assert (stat.tty_nr, stat.tpgid, stat.flags) == (7, 8, 9)
    assert stat.cpu_ticks == 14 + 15  # utime + stime
    assert stat.nice == 19
    assert stat.num_threads == 20
    assert stat.start_ticks == 22
    assert (stat.arg_start, stat.arg_end) == (48, 49)


@pytest.mark.parametrize(
    "comm",
    [
        b"a b",
        b"x) (y",
        b")",
        b"((",
        b") S 1 2 3 ",
        b"tmux: server",
        b"",
    ],
)
def test_parse_stat_comm_with_spaces_and_parentheses(comm: bytes) -> None:
    stat = parse_stat(stat_line(comm, state=b"T"))
    assert stat.comm == comm.decode()
    assert stat.state == "T"
    assert stat.ppid == 4
    assert stat.start_ticks == 22


def test_parse_stat_comm_keeps_invalid_utf8() -> None:
    stat = parse_stat(stat_line(b"bad\xff\x1b"))
    assert os.fsencode(stat.comm) == b"bad\xff\x1b"


def test_parse_stat_old_kernel_without_argument_addresses() -> None:
    stat = parse_stat(stat_line(b"old", tail=44))
    assert stat.start_ticks == 22
    assert (stat.arg_start, stat.arg_end) == (0, 0)


@pytest.mark.parametrize("data", [b"", b"garbage", b"1 no parentheses S 1"])
def test_parse_stat_rejects_non_stat_data(data: bytes) -> None:
    with pytest.raises(ValueError, match="stat"):
        parse_stat(data)


def test_parse_stat_of_this_process() -> None:
    stat = parse_stat(Path("/proc/self/stat").read_bytes())
    assert stat.ppid == os.getppid()  # /proc/self is the reader: this process
    assert stat.pgid == os.getpgrp()
    assert stat.sid == os.getsid(0)
    assert stat.state == "R"


# --- parse_status / parse_cmdline ---------------------------------------------

STATUS = b"""Name:\tsleep
Umask:\t0022
State:\tS (sleeping)
Tgid:\t4242
Uid:\t1000\t1001\t1002\t1003
Gid:\t100\t100\t100\t100
VmPeak:\t    8000 kB
VmLck:\t       8 kB
Threads:\t1
"""


def test_parse_status_effective_uid_and_locked() -> None:
    assert parse_status(STATUS) == (1001, True)


def test_parse_status_nothing_locked() -> None:
    assert parse_status(STATUS.replace(b"       8 kB", b"       0 kB")) == (1001, False)


def test_parse_status_kernel_thread_has_no_memory_lines() -> None:
    kthread = b"Name:\tkthreadd\nUid:\t0\t0\t0\t0\nThreads:\t1\n"
    assert parse_status(kthread) == (0, False)


def test_parse_status_missing_uid() -> None:
    assert parse_status(b"Name:\tx\n") == (None, False)


def test_parse_status_first_and_unterminated_lines() -> None:
    assert parse_status(b"Uid:\t5\t6\t7\t8\nVmLck:\t  4 kB") == (6, True)
    # A key must start its line: "XVmLck" and a "Uid:" inside a value are not it.
    assert parse_status(b"Name:\tUid:\t1 2\nXVmLck:\t9 kB\n") == (None, False)


def test_parse_status_of_this_process() -> None:
    uid, _locked = parse_status(Path("/proc/self/status").read_bytes())
    assert uid == os.geteuid()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"sleep\x001000\x00", ("sleep", "1000")),
        (b"sh\x00-c\x00echo a b\x00", ("sh", "-c", "echo a b")),
        (b"a\x00\x00b\x00", ("a", "", "b")),
        (b"a\x00\x00\x00", ("a",)),
        (b"sshd: alice [priv]", ("sshd: alice [priv]",)),
        (b"", ()),
        (b"\x00\x00", ()),
        (b"nl\nx\x00esc\x1b[31m\x00", ("nl\nx", "esc\x1b[31m")),
    ],
)
def test_parse_cmdline(data: bytes, expected: tuple[str, ...]) -> None:
    assert parse_cmdline(data) == expected


def test_parse_cmdline_keeps_invalid_utf8_with_surrogateescape() -> None:
    args = parse_cmdline(b"prog\x00bad\xff\xfe\x00caf\xc3\xa9\x00")
    assert args == ("prog", "bad\udcff\udcfe", "caf\u00e9")
    assert [os.fsencode(a) for a in args] == [b"prog", b"bad\xff\xfe", b"caf\xc3\xa9"]
    # A character cut by a NUL stays two arguments' bytes (the file is
    # decoded whole, then split).
    cut = parse_cmdline(b"a\xc3\x00\xa9b\x00")
    assert cut == ("a\udcc3", "\udca9b")
    assert [os.fsencode(a) for a in cut] == [b"a\xc3", b"\xa9b"]


# --- terminals ----------------------------------------------------------------


def dev(major: int, minor: int) -> int:
    """Encode a device number the way the kernel puts it in stat's tty_nr."""
    return (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)


@pytest.fixture
def fresh_tty_caches() -> Iterator[None]:
    ttys.tty_name.cache_clear()
    ttys._drivers.cache_clear()
    yield
    ttys.tty_name.cache_clear()
    ttys._drivers.cache_clear()


def test_split_device_round_trips() -> None:
    for major, minor in [(136, 0), (136, 255), (136, 256), (136, 1048575), (4, 65)]:
        assert split_device(dev(major, minor)) == (major, minor)
    assert split_device(34816) == (136, 0)


def test_no_terminal() -> None:
    assert tty_name(0) is None


@pytest.mark.parametrize(
    ("major", "minor", "name"),
    [
        (136, 0, "pts/0"),
        (136, 7, "pts/7"),
        (136, 255, "pts/255"),
        (136, 256, "pts/256"),
        (136, 300000, "pts/300000"),
        (137, 0, "pts/256"),
        (137, 5, "pts/261"),
        (143, 255, "pts/2047"),
        (4, 0, "tty0"),
        (4, 1, "tty1"),
        (4, 63, "tty63"),
        (4, 64, "ttyS0"),
        (4, 65, "ttyS1"),
        (4, 255, "ttyS191"),
        (5, 1, "console"),
    ],
)
def test_tty_names(major: int, minor: int, name: str) -> None:
    assert tty_name(dev(major, minor)) == name


def test_research_example_is_pts0() -> None:
    assert tty_name(34816) == "pts/0"


def test_unknown_device_is_major_colon_minor(
    fresh_tty_caches: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "drivers"
    table.write_text("")
    monkeypatch.setattr(ttys, "_DRIVERS_PATH", str(table))
    assert tty_name(dev(250, 3)) == "250:3"
    assert tty_name(dev(3, 1048000)) == "3:1048000"


def test_missing_driver_table_is_not_an_error(
    fresh_tty_caches: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ttys, "_DRIVERS_PATH", str(tmp_path / "absent"))
    assert tty_name(dev(250, 3)) == "250:3"
    assert tty_name(dev(136, 2)) == "pts/2"


def test_other_devices_are_named_through_the_driver_table(
    fresh_tty_caches: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /dev/null is character device 1:3 everywhere; pretend it is a terminal.
    null = os.stat("/dev/null").st_rdev
    major, minor = os.major(null), os.minor(null)
    table = tmp_path / "drivers"
    table.write_text(
        "junk line\n"
        f"serial    /dev/ttyS  {major}  100-200 serial\n"
        f"memory    /dev/null  {major}  {minor} system\n"
    )
    monkeypatch.setattr(ttys, "_DRIVERS_PATH", str(table))
    assert tty_name(dev(major, minor)) == "null"
    # The table says the device exists, but no node under /dev has the number.
    assert tty_name(dev(major, 150)) == f"{major}:150"


# --- times --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00:00"),
        (0.99, "00:00:00"),
        (59.999, "00:00:59"),
        (60, "00:01:00"),
        (3599, "00:59:59"),
        (3661, "01:01:01"),
        (86399, "23:59:59"),
        (86400, "1-00:00:00"),
        (90061.5, "1-01:01:01"),
        (100 * 86400 + 3, "100-00:00:03"),
        (-5, "00:00:00"),
    ],
)
def test_format_cputime(seconds: float, text: str) -> None:
    assert format_cputime(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00"),
        (5.9, "00:05"),
        (59 * 60 + 59, "59:59"),
        (3600, "01:00:00"),
        (86399, "23:59:59"),
        (86400, "1-00:00:00"),
        (86405, "1-00:00:05"),
        (12 * 86400 + 3 * 3600 + 4 * 60 + 5, "12-03:04:05"),
        (-1, "00:00"),
    ],
)
def test_format_etime(seconds: float, text: str) -> None:
    assert format_etime(seconds) == text


# --- STAT ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "stat"),
    [
        ({"pid": 10, "sid": 1}, "S"),
        ({"pid": 10, "sid": 10}, "Ss"),
        ({"nice": -5, "sid": 1}, "S<"),
        ({"nice": 5, "sid": 1}, "SN"),
        ({"locked": True, "sid": 1}, "SL"),
        ({"locked": None, "sid": 1}, "S"),
        ({"num_threads": 4, "sid": 1}, "Sl"),
        ({"pgid": 50, "tpgid": 50, "sid": 1}, "S+"),
        ({"pgid": 50, "tpgid": 51, "sid": 1}, "S"),
        ({"pgid": 0, "tpgid": 0, "sid": 0}, "S"),
        ({"state": "R", "pid": 7, "sid": 7, "pgid": 7, "tpgid": 7}, "Rs+"),
        ({"state": "T", "sid": 1}, "T"),
        ({"state": "Z", "sid": 1}, "Z"),
        ({"state": "I", "nice": -20, "sid": 0}, "I<"),
        (
            {
                "state": "S",
                "pid": 9,
                "sid": 9,
                "pgid": 9,
                "tpgid": 9,
                "nice": -1,
                "locked": True,
                "num_threads": 2,
            },
            "S<Lsl+",
        ),
        ({"state": "D", "nice": 19, "num_threads": 3, "sid": 1}, "DNl"),
    ],
)
def test_format_stat_letters(fields: dict[str, Any], stat: str) -> None:
    assert format_stat(make_info(**fields)) == stat


# --- escaping -----------------------------------------------------------------


def undecodable(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("a\x1b[31mred\x1b[0m", "a?[31mred?[0m"),
        ("tab\tx", "tab?x"),
        ("nl\nx", "nl?x"),
        ("cr\rx", "cr?x"),
        ("del\x7f", "del?"),
        ("c1\x85\x9b", "c1??"),
        ("\x00", "?"),
        (undecodable(b"bad\xff\xfeutf"), "bad??utf"),
        (undecodable(b"cut\xe4\xb8"), "cut??"),
        (undecodable(b"surrogate\xed\xa0\x80"), "surrogate???"),
        ("wide 中文 café e\u0301", "wide 中文 café e\u0301"),
        # glibc's iswprint, which ps uses, accepts spaces, format characters
        # and private use; line and paragraph separators are not printable.
        ("nbsp\u00a0x ideo\u3000x", "nbsp\u00a0x ideo\u3000x"),
        ("zw\u200bx shy\u00adx rlo\u202ex", "zw\u200bx shy\u00adx rlo\u202ex"),
        ("pua\ue000", "pua\ue000"),
        ("ls\u2028x ps\u2029x", "ls?x ps?x"),
        ("unassigned\u0378", "unassigned?"),
    ],
)
def test_ps_escape(raw: str, shown: str) -> None:
    assert ps_escape(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("a\x1b[31mred", "a\\x1b[31mred"),
        ("nl\nx\ttab", "nl\\x0ax\\x09tab"),
        ("del\x7f", "del\\x7f"),
        ("c1\x85", "c1\\x85"),
        (undecodable(b"bad\xff\xfe"), "bad\\xff\\xfe"),
        ("ls\u2028", "ls\\u2028"),
        # Unlike ps, the screen never gets characters that hide or reorder text.
        ("rlo\u202ex", "rlo\\u202ex"),
        ("zw\u200bx", "zw\\u200bx"),
        ("wide 中文 café", "wide 中文 café"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_display_escape(raw: str, shown: str) -> None:
    assert display_escape(raw) == shown


def test_display_escape_output_is_always_safe() -> None:
    # Every code point of the first planes, and every undecodable byte.
    chars = [chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    chars += [chr(c) for c in range(0xDC80, 0xDD00)]
    for char in chars:
        shown = display_escape(f"<{char}>")
        safe = [c.isprintable() or unicodedata.category(c) == "Zs" for c in shown]
        assert all(safe), (hex(ord(char)), shown)
        assert "\x1b" not in shown


def test_ps_escape_output_has_no_controls() -> None:
    chars = [chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    chars += [chr(c) for c in range(0xDC80, 0xDD00)]
    for char in chars:
        shown = ps_escape(char)
        category = unicodedata.category(shown)
        assert category not in ("Cc", "Cs", "Zl", "Zp", "Cn"), hex(ord(char))


# --- command text -------------------------------------------------------------


def test_command_text_joins_arguments() -> None:
    info = make_info(cmdline=("sh", "-c", "echo a  b", ""))
    assert command_text(info) == "sh -c echo a  b "


def test_command_text_newline_becomes_space_like_ps() -> None:
    info = make_info(cmdline=("printf", "a\nb"))
    assert command_text(info) == "printf a b"


def test_command_text_kernel_thread() -> None:
    info = make_info(2, ppid=0, comm="kthreadd", cmdline=(), flags=PF_KTHREAD)
    assert command_text(info) == "[kthreadd]"


def test_command_text_zombie() -> None:
    info = make_info(state="Z", comm="x", cmdline=())
    assert command_text(info) == "[x] <defunct>"


def test_command_text_process_without_arguments() -> None:
    assert command_text(make_info(comm="cleared", cmdline=())) == "[cleared]"


def test_command_text_unreadable() -> None:
    assert command_text(make_info(cmdline=None)) == "?"
    assert command_text(make_info(cmdline=None, state="Z")) == "?"


def test_command_text_is_raw_until_escaped() -> None:
    info = make_info(cmdline=("echo", "\x1b[2J"))
    assert command_text(info) == "echo \x1b[2J"
    assert ps_escape(command_text(info)) == "echo ?[2J"
    assert display_escape(command_text(info)) == "echo \\x1b[2J"


# --- the formats of the columns added for issue 14 ------------------------------


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so the time-of-day formats are fixed."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("per_mill", "text"), [(0, "0.0"), (7, "0.7"), (123, "12.3"), (999, "99.9")]
)
def test_format_pcpu(per_mill: int, text: str) -> None:
    assert format_pcpu(per_mill) == text


def test_format_pcpu_from_100_percent_drops_the_decimal() -> None:
    # As ps: several threads can use more than one CPU.
    assert format_pcpu(1000) == "100"
    assert format_pcpu(2345) == "234"


@pytest.mark.parametrize(
    ("rss", "total", "text"),
    [(0, 1000, " 0.0"), (15, 1000, " 1.5"), (500, 1000, "50.0"), (2000, 1000, "99.9")],
)
def test_format_pmem(rss: int, total: int, text: str) -> None:
    assert format_pmem(rss, total) == text


def test_format_pmem_without_a_total() -> None:
    assert format_pmem(100, 0) == " 0.0"


@pytest.mark.parametrize(
    ("ticks", "text"), [(0, "  0:00"), (550, "  0:05"), (742_500, "123:45")]
)
def test_format_bsdtime(ticks: int, text: str) -> None:
    assert format_bsdtime(ticks, 100) == text


# 2026-12-06 04:43:51 UTC, a Sunday.
STARTED = 1796532231


@pytest.mark.usefixtures("utc")
def test_start_within_a_day_is_the_time() -> None:
    assert format_start(STARTED, STARTED + 3600) == "04:43:51"
    assert format_bsdstart(STARTED, STARTED + 3600) == " 04:43"
    assert format_stime(STARTED, STARTED + 3600) == "04:43"


@pytest.mark.usefixtures("utc")
def test_start_older_than_a_day_is_the_date() -> None:
    later = STARTED + 2 * 86400
    assert format_start(STARTED, later) == "  Dec 06"
    assert format_bsdstart(STARTED, later) == "Dec  6"
    assert format_stime(STARTED, later) == "Dec06"


@pytest.mark.usefixtures("utc")
def test_stime_of_another_year_is_the_year() -> None:
    assert format_stime(STARTED, STARTED + 40 * 86400) == "2026"


@pytest.mark.usefixtures("utc")
def test_stime_of_yesterday_within_24_hours_is_the_date() -> None:
    # 23:00 yesterday, at 04:43: another day, though not 24 hours ago.
    assert format_stime(STARTED - 6 * 3600, STARTED) == "Dec05"
    assert format_start(STARTED - 6 * 3600, STARTED) == "22:43:51"


@pytest.mark.usefixtures("utc")
def test_lstart_is_ctime() -> None:
    assert format_lstart(STARTED) == "Sun Dec  6 04:43:51 2026"


@pytest.mark.parametrize(
    ("mask", "narrow", "wide"),
    [
        (0, "00000000", "0000000000000000"),
        (0x4E8, "000004e8", "00000000000004e8"),
        (0xFFFFFFFF, "ffffffff", "00000000ffffffff"),
        # A realtime signal above 32 sets a high bit: ps marks the cut with <.
        (1 << 33 | 1, "<00000001", "0000000200000001"),
    ],
)
def test_format_mask(mask: int, narrow: str, wide: str) -> None:
    assert format_mask(mask) == narrow
    assert format_mask(mask, wide=True) == wide


@pytest.mark.parametrize(
    ("mask", "names"),
    [
        (0, "-"),
        (1 << (signal.SIGHUP - 1) | 1 << (signal.SIGUSR1 - 1), "HUP,USR1"),
        (1 << (signal.SIGKILL - 1), "KILL"),
        (1 << (signal.SIGRTMIN - 1), "RTMIN"),
        (1 << (signal.SIGRTMIN + 2), "RTMIN+3"),
        (1 << (signal.SIGRTMAX - 2), "RTMAX-1"),
    ],
)
def test_mask_names(mask: int, names: str) -> None:
    assert mask_names(mask) == names


def test_boot_time_and_memory_total_are_read() -> None:
    assert boot_time() > 0
    assert memory_total() > 0
