"""Integration tests: the scanners against processes these tests start.

Every process here is started by the test in its own session (tests/spawn.py),
waited for with a handshake or a bounded poll on /proc, and stopped and
reaped at teardown.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import pwd
import resource
import shutil
import signal
import sys
from pathlib import Path

import pytest

from sigtui.processes import readers
from sigtui.processes import scan as scan_module
from sigtui.processes.columns import parse_columns, sources_of
from sigtui.processes.format import command_text, format_stat
from sigtui.processes.model import PF_KTHREAD, ProcessInfo, ProcessSnapshot, Source
from sigtui.processes.pstable import format_table
from sigtui.processes.scan import (
    ProcfsScanner,
    PsutilScanner,
    default_scanner,
    parse_stat,
)
from tests.spawn import (
    Child,
    Spawner,
    locked,
    niced,
    pty_session,
    sleeper,
    stopped,
    threaded,
    wait_for_state,
    wait_until,
    zombie_parent,
)

TICKS = os.sysconf("SC_CLK_TCK")
BASE_NICE = os.nice(0)
NICE = "<" if BASE_NICE < 0 else "N" if BASE_NICE > 0 else ""
"""The STAT letter children get from this runner's own nice value (usually none)."""


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def fail_reads(
    monkeypatch: pytest.MonkeyPatch, failing: dict[str, OSError]
) -> list[str]:
    """Make the scanner's file access fail for some paths; record every path.

    Both ways a scanner reaches a file go through here: ``read_file`` (a whole
    file, opened and closed) and ``open_file`` (a stat file it keeps open), in
    the scanner and in the readers of the small files.
    """
    seen: list[str] = []
    real_read, real_open = readers.read_file, readers.open_file

    def check(path: str) -> None:
        seen.append(path)
        if path in failing:
            raise failing[path]

    def read(path: str) -> bytes:
        check(path)
        return real_read(path)

    def open_(path: str) -> int:
        check(path)
        return real_open(path)

    for module in (scan_module, readers):
        monkeypatch.setattr(module, "read_file", read)
        monkeypatch.setattr(module, "open_file", open_)
    return seen


def scan_one(pid: int, scanner: ProcfsScanner | None = None) -> ProcessInfo:
    snapshot = (scanner or ProcfsScanner()).scan()
    assert pid in snapshot.by_pid, f"pid {pid} missing from the scan"
    return snapshot.by_pid[pid]


def read_stat(pid: int) -> bytes:
    return Path(f"/proc/{pid}/stat").read_bytes()


def python_argv(child: Child) -> tuple[str, ...]:
    return tuple(os.fsdecode(a) for a in child.argv)


# --- what the scanner sees of real processes ------------------------------------


def test_sleeping_child(spawner: Spawner) -> None:
    child = sleeper(spawner, ["one", "two words"])
    info = scan_one(child.pid)
    assert info.pid == child.pid
    assert info.ppid == os.getpid()
    # start_new_session: it leads its own session and group, without a terminal.
    assert (info.pgid, info.sid) == (child.pid, child.pid)
    assert info.tty is None
    assert info.tpgid == -1
    assert info.state == "S"
    assert info.nice == BASE_NICE
    assert info.num_threads == 1
    assert info.locked is False
    assert not info.kernel_thread
    assert info.uid == os.geteuid()
    assert info.user == user_name(os.geteuid())
    assert info.comm == Path(f"/proc/{child.pid}/comm").read_text().rstrip("\n")
    assert info.cmdline == python_argv(child)
    assert info.cmdline[-2:] == ("one", "two words")
    assert command_text(info).endswith(" one two words")
    assert info.session_leader
    assert not info.foreground
    assert format_stat(info) == "S" + NICE + "s"


def test_identity_is_pid_and_start_time(spawner: Spawner) -> None:
    child = sleeper(spawner)
    scanner = ProcfsScanner()
    first = scan_one(child.pid, scanner)
    start_ticks = parse_stat(read_stat(child.pid)).start_ticks
    assert first.identity == (child.pid, start_ticks / TICKS)
    second = scanner.scan()
    assert second.get(first.identity) == second.by_pid[child.pid]
    assert second.by_pid[child.pid].identity == first.identity
    spawner.close()  # stops and reaps it
    after = scanner.scan()
    assert after.get(first.identity) is None


def test_cpu_time_and_uptime(spawner: Spawner) -> None:
    child = sleeper(spawner)
    snapshot = ProcfsScanner().scan()
    info = snapshot.by_pid[child.pid]
    stat = parse_stat(read_stat(child.pid))
    assert info.cpu_time >= 0
    assert info.cpu_time <= stat.cpu_ticks / TICKS
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    assert info.start_time <= snapshot.uptime <= uptime
    assert snapshot.clock_ticks == TICKS


def test_multithreaded(spawner: Spawner) -> None:
    child = threaded(spawner)
    info = scan_one(child.pid)
    assert child.info["threads"] == 2
    assert info.num_threads == 2
    assert "l" in format_stat(info)


def test_niced(spawner: Spawner) -> None:
    child = niced(spawner)
    info = scan_one(child.pid)
    assert info.nice == child.info["nice"] == min(19, BASE_NICE + 5)
    assert format_stat(info).startswith("SN")


def test_locked_memory(spawner: Spawner) -> None:
    child = locked(spawner)
    info = scan_one(child.pid)
    assert info.locked is True
    assert format_stat(info) == "S" + NICE + "Ls"


def test_stopped(spawner: Spawner) -> None:
    child = stopped(spawner)
    info = scan_one(child.pid)
    assert info.state == "T"
    assert format_stat(info).startswith("T")


def test_zombie(spawner: Spawner) -> None:
    parent = zombie_parent(spawner)
    zombie = int(parent.info["zombie"])
    snapshot = ProcfsScanner().scan()
    info = snapshot.by_pid[zombie]
    assert info.state == "Z"
    assert info.ppid == parent.pid
    assert (info.pgid, info.sid) == (parent.pid, parent.pid)
    assert info.cmdline == ()
    assert command_text(info) == f"[{info.comm}] <defunct>"
    assert info.comm == snapshot.by_pid[parent.pid].comm
    assert format_stat(info) == "Z" + NICE


def test_pseudo_terminal_session(spawner: Spawner) -> None:
    leader = pty_session(spawner)
    background = int(leader.info["background"])
    tty = str(leader.info["tty"]).removeprefix("/dev/")
    assert tty.startswith("pts/")
    snapshot = ProcfsScanner().scan()
    lead = snapshot.by_pid[leader.pid]
    assert lead.tty == tty
    assert (lead.pgid, lead.sid, lead.tpgid) == (leader.pid, leader.pid, leader.pid)
    assert lead.session_leader
    assert lead.foreground
    assert format_stat(lead).endswith("s+")
    member = snapshot.by_pid[background]
    assert member.ppid == leader.pid
    assert (member.pgid, member.sid) == (background, leader.pid)
    assert member.tty == tty
    assert member.tpgid == leader.pid
    assert not member.session_leader
    assert not member.foreground
    assert format_stat(member) == "S" + NICE


def test_awkward_command_line(spawner: Spawner) -> None:
    args: list[str | bytes] = ["has space", "nl\nx", "esc\x1b[31mred", b"bad\xff\xfe"]
    child = sleeper(spawner, args)
    info = scan_one(child.pid)
    assert info.cmdline is not None
    assert info.cmdline[-4:] == (
        "has space",
        "nl\nx",
        "esc\x1b[31mred",
        "bad\udcff\udcfe",
    )
    assert os.fsencode(info.cmdline[-1]) == b"bad\xff\xfe"


def test_other_user(spawner: Spawner) -> None:
    sleep = shutil.which("sleep")
    assert sleep is not None
    if os.geteuid() == 0:
        uid, extra = 65534, {"user": 65534, "group": 65534, "extra_groups": []}
    else:
        uid, extra = os.geteuid(), {}
    child = spawner.command([sleep, "1000"], **extra)
    info = scan_one(child.pid)
    assert info.uid == uid
    assert info.user == user_name(uid)
    assert info.cmdline == (sleep, "1000")
    assert info.comm == "sleep"


def test_exec_with_the_same_name_refreshes_the_command_line(spawner: Spawner) -> None:
    then = "import sys\nsys.stdin.buffer.read()\n"
    child = spawner.python(
        "import sys\n"
        "ready()\n"
        "sys.stdin.buffer.readline()\n"
        f"os.execv(sys.executable, [sys.executable, '-c', {then!r}, 'second'])\n",
        ["first"],
    )
    scanner = ProcfsScanner()
    before = scan_one(child.pid, scanner)
    assert before.cmdline is not None
    assert before.cmdline[-1] == "first"
    assert child.proc.stdin is not None
    child.proc.stdin.write(b"go\n")
    child.proc.stdin.flush()
    wait_until(
        lambda: Path(f"/proc/{child.pid}/cmdline").read_bytes().endswith(b"second\0"),
        "the exec",
    )
    after = scan_one(child.pid, scanner)
    assert after.comm == before.comm
    assert after.identity == before.identity
    assert after.cmdline == (sys.executable, "-c", then, "second")


def test_whole_system_scan(spawner: Spawner) -> None:
    sleeper(spawner)
    snapshot = ProcfsScanner().scan()
    pids = [p.pid for p in snapshot.processes]
    assert pids == sorted(pids)
    assert len(set(pids)) == len(pids)
    assert snapshot.by_pid[os.getpid()].state == "R"
    assert 1 in snapshot.by_pid
    for info in snapshot.processes:
        if info.kernel_thread:
            assert info.cmdline == ()
            assert command_text(info) == f"[{info.comm}]"
    # Every row of every column formats without error.
    columns = parse_columns(
        "pid,ppid,pgid,sid,tpgid,tty,stat,user,uid,time,etime,comm,args"
    )
    lines = list(format_table(snapshot, snapshot.processes, columns))
    assert len(lines) == len(snapshot) + 1


def test_default_scanner_reads_proc() -> None:
    assert isinstance(default_scanner(), ProcfsScanner)


def test_psutil_scanner_sees_a_child(spawner: Spawner) -> None:
    child = sleeper(spawner, ["psutil"])
    snapshot = PsutilScanner().scan()
    info = snapshot.by_pid[child.pid]
    assert info.ppid == os.getpid()
    assert (info.pgid, info.sid) == (child.pid, child.pid)
    assert info.tty is None
    assert info.state == "S"
    assert info.cmdline == python_argv(child)
    assert info.user == user_name(os.geteuid())
    assert info.uid == os.geteuid()
    assert info.num_threads == 1
    procfs = scan_one(child.pid)
    assert abs(info.start_time - procfs.start_time) < 1.0


def test_psutil_scanner_sees_states(spawner: Spawner) -> None:
    stop = stopped(spawner)
    parent = zombie_parent(spawner)
    snapshot = PsutilScanner().scan()
    assert snapshot.by_pid[stop.pid].state == "T"
    assert snapshot.by_pid[int(parent.info["zombie"])].state == "Z"


# --- processes that vanish, files that cannot be read ---------------------------


def test_process_that_exits_mid_scan_is_skipped(
    spawner: Spawner, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = sleeper(spawner)
    identity = scan_one(child.pid).identity
    real_listdir = os.listdir

    def listdir_then_exit(path: str) -> list[str]:
        names = real_listdir(path)
        if path == "/proc":
            spawner.close()  # the child exits and is reaped after the listing
        return names

    monkeypatch.setattr(os, "listdir", listdir_then_exit)
    snapshot = ProcfsScanner().scan()
    assert snapshot.get(identity) is None
    assert os.getpid() in snapshot.by_pid


@pytest.mark.parametrize("error", [FileNotFoundError, ProcessLookupError])
@pytest.mark.parametrize("file", ["stat", "cmdline", "status"])
def test_vanishing_between_files_is_skipped(
    spawner: Spawner, monkeypatch: pytest.MonkeyPatch, error: type[OSError], file: str
) -> None:
    child = sleeper(spawner)
    path = f"/proc/{child.pid}/{file}"
    fail_reads(monkeypatch, {path: error(path)})
    snapshot = ProcfsScanner().scan()
    assert child.pid not in snapshot.by_pid
    assert os.getpid() in snapshot.by_pid


def test_unreadable_files_leave_unknowns(
    spawner: Spawner, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = sleeper(spawner)
    denied = [f"/proc/{child.pid}/cmdline", f"/proc/{child.pid}/status"]
    fail_reads(monkeypatch, {p: PermissionError(13, "denied", p) for p in denied})
    snapshot = ProcfsScanner().scan()
    info = snapshot.by_pid[child.pid]
    assert info.cmdline is None
    assert (info.uid, info.user, info.locked) == (None, None, None)
    assert info.state == "S"  # stat was readable
    assert command_text(info) == "?"
    columns = parse_columns("pid,user,uid,stat,args")
    (line,) = format_table(snapshot, [info], columns, headers=False)
    assert line.split() == [str(child.pid), "?", "?", format_stat(info), "?"]


# --- a made-up /proc ------------------------------------------------------------


def fake_stat(
    pid: int,
    comm: bytes,
    *,
    state: bytes = b"S",
    ppid: int = 1,
    pgid: int | None = None,
    sid: int | None = None,
    tty_nr: int = 0,
    tpgid: int = -1,
    flags: int = 0x400000,
    utime: int = 0,
    stime: int = 0,
    nice: int = 0,
    threads: int = 1,
    start: int = 1000,
) -> bytes:
    fields = [
        state.decode(),
        ppid,
        pid if pgid is None else pgid,
        pid if sid is None else sid,
        tty_nr,
        tpgid,
        flags,
        0,
        0,
        0,
        0,
        utime,
        stime,
        0,
        0,
        20,
        nice,
        threads,
        0,
        start,
    ] + [0] * 32
    return f"{pid} (".encode() + comm + b") " + " ".join(map(str, fields)).encode()


def fake_status(uid: int, locked_kb: int | None) -> bytes:
    lines = ["Name:\tx", f"Uid:\t{uid}\t{uid}\t{uid}\t{uid}"]
    if locked_kb is not None:
        lines.append(f"VmLck:\t{locked_kb:8} kB")
    return ("\n".join(lines) + "\n").encode()


def fake_process(
    root: Path,
    pid: int,
    stat: bytes | None,
    cmdline: bytes | None = b"",
    status: bytes | None = None,
) -> None:
    base = root / str(pid)
    base.mkdir()
    if stat is not None:
        (base / "stat").write_bytes(stat)
    if cmdline is not None:
        (base / "cmdline").write_bytes(cmdline)
    if status is not None:
        (base / "status").write_bytes(status)


@pytest.fixture
def fake_proc(tmp_path: Path) -> Path:
    root = tmp_path / "proc"
    root.mkdir()
    (root / "uptime").write_text("12345.67 999.00\n")
    (root / "self").mkdir()
    (root / "sys").mkdir()
    fake_process(
        root,
        100,
        fake_stat(
            100,
            b"a b) (c",
            ppid=50,
            pgid=90,
            sid=80,
            tty_nr=34816 + 3,
            tpgid=90,
            utime=250,
            stime=50,
            nice=-3,
            threads=4,
            start=4200,
        ),
        b"prog\0arg one\0bad\xff\0",
        fake_status(4242, 16),
    )
    fake_process(root, 200, None)  # exited before its stat was read
    fake_process(root, 300, fake_stat(300, b"gone"), None)  # ... before cmdline
    fake_process(root, 400, b"not a stat line", b"", fake_status(0, 0))
    fake_process(
        root,
        500,
        fake_stat(
            500, b"kworker/0:1", state=b"I", ppid=2, pgid=0, sid=0, flags=PF_KTHREAD
        ),
        b"",
        fake_status(0, None),
    )
    fake_process(root, 600, fake_stat(600, b"secret"), b"x\0", fake_status(0, 0))
    fake_process(
        root,
        700,
        fake_stat(700, b"zombie", state=b"Z", ppid=600),
        b"",
        fake_status(0, 0),
    )
    return root


def test_fake_proc_fields(fake_proc: Path) -> None:
    snapshot = ProcfsScanner(root=str(fake_proc), live_cpu=False).scan()
    assert [p.pid for p in snapshot.processes] == [100, 500, 600, 700]
    assert snapshot.uptime == 12345.67
    info = snapshot.by_pid[100]
    assert info == ProcessInfo(
        pid=100,
        ppid=50,
        pgid=90,
        sid=80,
        tpgid=90,
        tty="pts/3",
        state="S",
        flags=0x400000,
        nice=-3,
        num_threads=4,
        locked=True,
        uid=4242,
        user=user_name(4242),
        cpu_time=300 / TICKS,
        start_time=4200 / TICKS,
        comm="a b) (c",
        cmdline=("prog", "arg one", "bad\udcff"),
    )
    assert format_stat(info) == "S<Ll+"
    kthread = snapshot.by_pid[500]
    assert kthread.kernel_thread
    assert kthread.locked is False
    assert command_text(kthread) == "[kworker/0:1]"
    assert command_text(snapshot.by_pid[700]) == "[zombie] <defunct>"


def test_fake_proc_unreadable_files(
    fake_proc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = [f"{fake_proc}/600/cmdline", f"{fake_proc}/600/status"]
    denied.append(f"{fake_proc}/700/stat")
    fail_reads(monkeypatch, {p: PermissionError(13, "denied", p) for p in denied})
    snapshot = ProcfsScanner(root=str(fake_proc)).scan()
    assert [p.pid for p in snapshot.processes] == [100, 500, 600]
    secret = snapshot.by_pid[600]
    assert (secret.cmdline, secret.uid, secret.user, secret.locked) == (
        None,
        None,
        None,
        None,
    )
    assert secret.comm == "secret"
    columns = parse_columns("pid,user,stat,comm,args")
    lines = list(format_table(snapshot, [secret], columns))
    assert lines[1].split() == ["600", "?", "Ss", "secret", "?"]


def test_fake_proc_without_uptime_still_scans(fake_proc: Path) -> None:
    (fake_proc / "uptime").unlink()
    snapshot = ProcfsScanner(root=str(fake_proc)).scan()
    assert len(snapshot) == 4
    assert snapshot.uptime > 0


def test_details_are_read_once_per_identity(
    fake_proc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without kept stat files every stat read shows up as a path.
    scanner = ProcfsScanner(root=str(fake_proc), max_open=0)
    paths = fail_reads(monkeypatch, {})
    reads = _Relative(paths, str(fake_proc))
    scanner.scan()
    assert "/100/cmdline" in reads
    reads.clear()
    scanner.scan()
    assert "/100/stat" in reads
    assert "/100/cmdline" not in reads
    # A new process with a reused pid (a new start time) is read afresh.
    (fake_proc / "100" / "stat").write_bytes(fake_stat(100, b"other", start=9000))
    (fake_proc / "100" / "cmdline").write_bytes(b"other\0")
    reads.clear()
    snapshot = scanner.scan()
    assert "/100/cmdline" in reads
    assert snapshot.by_pid[100].cmdline == ("other",)


class _Relative:
    """The recorded paths below a root, as "/PID/file" (a live view)."""

    def __init__(self, paths: list[str], root: str) -> None:
        self._paths = paths
        self._root = root

    def __contains__(self, path: object) -> bool:
        return any(p.removeprefix(self._root) == path for p in self._paths)

    def clear(self) -> None:
        self._paths.clear()


def test_snapshot_is_immutable(fake_proc: Path) -> None:
    snapshot = ProcfsScanner(root=str(fake_proc)).scan()
    assert isinstance(snapshot, ProcessSnapshot)
    with pytest.raises(AttributeError):
        snapshot.processes[0].pid = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        snapshot.by_pid[1] = snapshot.processes[0]  # type: ignore[index]


# --- kept stat descriptors and reused ProcessInfo --------------------------------


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def fd_targets() -> list[tuple[int, str]]:
    """This process's open descriptors and what they point at."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:  # the descriptor listdir itself used is closed by now
            found.append((int(name), os.readlink(f"/proc/self/fd/{name}")))
        except FileNotFoundError:
            continue
    return found


def test_a_read_on_the_stat_fd_of_an_exited_process_fails_with_esrch(
    spawner: Spawner,
) -> None:
    # The kernel fact the kept descriptors rely on: after exit (and reaping)
    # the old descriptor never reads the pid's next owner.
    child = sleeper(spawner)
    fd = os.open(f"/proc/{child.pid}/stat", os.O_RDONLY)
    try:
        assert parse_stat(os.pread(fd, 4096, 0)).state == "S"
        spawner.close()
        with pytest.raises(ProcessLookupError):
            os.pread(fd, 4096, 0)
    finally:
        os.close(fd)


def test_kept_stat_files_see_changes_and_exits(spawner: Spawner) -> None:
    child = sleeper(spawner)
    scanner = ProcfsScanner()
    try:
        assert scanner.scan().by_pid[child.pid].state == "S"
        assert scanner.open_files > 0
        child.proc.send_signal(signal.SIGSTOP)
        wait_for_state(child.pid, "T")
        # Read again through the kept descriptor: procfs regenerates the file.
        assert scanner.scan().by_pid[child.pid].state == "T"
        child.proc.send_signal(signal.SIGCONT)
        path = f"/proc/{child.pid}/stat"
        assert any(target == path for _, target in fd_targets())
        spawner.close()
        snapshot = scanner.scan()
        assert child.pid not in snapshot.by_pid
        # Its kept descriptor was closed (other processes may come and go
        # meanwhile, so the total count proves nothing).
        assert not any(target == path for _, target in fd_targets())
    finally:
        scanner.close()
    assert scanner.open_files == 0


def test_kept_stat_files_are_capped_and_closed() -> None:
    gc.collect()  # scanners of earlier tests close their files when collected
    before = open_fds()
    capped = ProcfsScanner(max_open=3)
    unlimited = ProcfsScanner()
    none = ProcfsScanner(max_open=0)
    try:
        listings = [s.scan() for s in (capped, unlimited, none)]
        # Each sees the same system (pids can come and go between the scans).
        common = set.intersection(*(set(s.by_pid) for s in listings))
        assert len(common) > 3
        assert capped.open_files == 3
        assert none.open_files == 0
        assert unlimited.open_files >= len(common)
        assert open_fds() >= before + 3 + len(common)
        # Kept descriptors stay clear of the numbers select() can watch.
        floor, _ = scan_module._fd_budget()
        stat_fds = [fd for fd, target in fd_targets() if target.endswith("/stat")]
        assert len(stat_fds) >= 3 + len(common)
        assert min(stat_fds) >= floor
        read_end, write_end = os.pipe()
        os.close(read_end)
        os.close(write_end)
        assert write_end < floor
        for scanner in (capped, unlimited, none):
            # Processes of others may exit between scans; these two cannot.
            rescan = scanner.scan()
            assert {1, os.getpid()} <= set(rescan.by_pid)
    finally:
        for scanner in (capped, unlimited, none):
            scanner.close()
    assert open_fds() == before


def test_descriptor_budget_is_half_the_open_files_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (where kept descriptors start, how many there may be)
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 4096))
    assert scan_module._fd_budget() == (512, 448)
    monkeypatch.setattr(resource, "getrlimit", lambda _: (20000, 20000))
    assert scan_module._fd_budget() == (1024, 18912)
    monkeypatch.setattr(resource, "getrlimit", lambda _: (100, 100))
    assert scan_module._fd_budget() == (50, 0)
    assert ProcfsScanner().scan().by_pid[os.getpid()].pid == os.getpid()


def test_an_unchanged_process_keeps_its_info_object(spawner: Spawner) -> None:
    child = stopped(spawner)
    scanner = ProcfsScanner()
    try:
        first = scanner.scan().by_pid[child.pid]
        second = scanner.scan().by_pid[child.pid]
        assert second is first
        child.proc.send_signal(signal.SIGCONT)
        wait_for_state(child.pid, "S")
        third = scanner.scan().by_pid[child.pid]
        assert third is not first
        assert third.state == "S"
        assert third.cmdline == first.cmdline
    finally:
        scanner.close()


def test_a_changed_stat_file_is_parsed_again(fake_proc: Path) -> None:
    scanner = ProcfsScanner(root=str(fake_proc))
    first = scanner.scan().by_pid[100]
    assert scanner.scan().by_pid[100] is first
    # Same start time, more CPU: the same process, a new info.
    (fake_proc / "100" / "stat").write_bytes(
        fake_stat(100, b"a b) (c", pgid=90, sid=80, start=4200, utime=700)
    )
    later = scanner.scan().by_pid[100]
    assert later is not first
    assert later.identity == first.identity
    assert later.cpu_time > first.cpu_time
    scanner.close()


def test_without_status_the_user_and_locked_memory_are_unknown(
    spawner: Spawner, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = sleeper(spawner)
    paths = fail_reads(monkeypatch, {})
    info = ProcfsScanner(max_open=0, read_status=False).scan().by_pid[child.pid]
    assert not any(p.endswith("/status") for p in paths)
    assert (info.uid, info.user, info.locked) == (None, None, None)
    assert info.cmdline == scan_one(child.pid).cmdline


def test_running_out_of_descriptors_falls_back_to_plain_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_open = readers.open_file
    failed: list[str] = []

    def no_more_once(path: str) -> int:
        if not failed and path.endswith("/stat"):
            failed.append(path)
            raise OSError(errno.EMFILE, "Too many open files", path)
        return real_open(path)

    monkeypatch.setattr(scan_module, "open_file", no_more_once)
    scanner = ProcfsScanner()
    snapshot = scanner.scan()
    assert os.getpid() in snapshot.by_pid
    assert scanner.open_files == 0
    assert os.getpid() in scanner.scan().by_pid
    scanner.close()


# --- live %CPU, and reading other files only when a column needs them -----------


class FakeClock:
    """A steady clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_live_cpu_is_ticks_used_over_the_interval(tmp_path: Path) -> None:
    root = tmp_path / "proc"
    root.mkdir()
    (root / "uptime").write_text("5000.00 1.00\n")
    fake_process(root, 10, fake_stat(10, b"busy", utime=300, start=1000), b"busy\0")
    fake_process(root, 11, fake_stat(11, b"idle", utime=7, start=1000), b"idle\0")
    clock = FakeClock()
    scanner = ProcfsScanner(root=str(root), max_open=0, read_status=False, clock=clock)
    first = scanner.scan()
    # Nothing measured yet: 0.0, as htop's first screen.
    assert [p.cpu_percent for p in first.processes] == [0.0, 0.0]
    idle = first.by_pid[11]

    hertz = scan_module.CLOCK_TICKS
    (root / "10" / "stat").write_bytes(
        fake_stat(10, b"busy", utime=300 + hertz, start=1000)
    )
    clock.now += 2.0
    second = scanner.scan()
    assert second.by_pid[10].cpu_percent == pytest.approx(50.0)
    # An idle process is not rebuilt: the same object, still 0.0.
    assert second.by_pid[11] is idle

    clock.now += 1.0
    third = scanner.scan()
    # Same bytes, so no ticks used: back to 0.0, rebuilt once ...
    assert third.by_pid[10].cpu_percent == 0.0
    clock.now += 1.0
    # ... and then reused.
    assert scanner.scan().by_pid[10] is third.by_pid[10]


def test_a_new_process_shows_its_average_since_it_started(tmp_path: Path) -> None:
    root = tmp_path / "proc"
    root.mkdir()
    (root / "uptime").write_text("50.00 1.00\n")
    clock = FakeClock()
    scanner = ProcfsScanner(root=str(root), max_open=0, read_status=False, clock=clock)
    scanner.scan()
    hertz = scan_module.CLOCK_TICKS
    # Started at 48 s, used half a second of CPU by 50 s: 25 %.
    fake_process(
        root, 12, fake_stat(12, b"new", utime=hertz // 2, start=48 * hertz), b"x\0"
    )
    clock.now += 1.0
    assert scanner.scan().by_pid[12].cpu_percent == pytest.approx(25.0)


def test_one_off_listing_leaves_live_cpu_unmeasured() -> None:
    snapshot = scan_module.default_scanner(refreshing=False).scan()
    assert all(p.cpu_percent is None for p in snapshot.processes)


def fake_status_more() -> bytes:
    return (
        b"Name:\tx\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\nGroups:\t27 100 \n"
        b"VmSize:\t   20000 kB\nVmLck:\t       0 kB\nVmRSS:\t    9000 kB\n"
        b"VmData:\t    4000 kB\nVmStk:\t     132 kB\nSigQ:\t0/1\n"
        b"SigPnd:\t0000000000000002\nShdPnd:\t0000000200000001\n"
        b"SigBlk:\t0000000000010000\nSigIgn:\t0000000000001000\n"
        b"SigCgt:\t0000000000000201\n"
    )


def test_parse_status_more() -> None:
    more = readers.parse_status_more(fake_status_more())
    assert more.uids == (1, 2, 3, 4)
    assert more.gids == (5, 6, 7, 8)
    assert more.groups == (27, 100)
    assert (more.vm_size, more.vm_rss, more.vm_data, more.vm_stack) == (
        20000,
        9000,
        4000,
        132,
    )
    assert more.pending == 0x200000001  # ShdPnd, as ps shows it
    assert more.thread_pending == 2
    assert (more.blocked, more.ignored, more.caught) == (0x10000, 0x1000, 0x201)


def test_parse_status_more_in_any_order_reads_the_same() -> None:
    # The fast path expects the kernel's order; any other order is read by name.
    usual = fake_status_more()
    lines = usual.split(b"\n")
    shuffled = b"\n".join([lines[0], *reversed(lines[1:])])
    assert readers.parse_status_more(shuffled) == readers.parse_status_more(usual)
    real = readers.read_file(f"/proc/{os.getpid()}/status")
    assert readers.parse_status_more(real) == readers._status_more_by_name(real)


@pytest.mark.parametrize(
    "text",
    [
        None,  # this process's own file
        b"Name:\tkthreadd\nUid:\t0\t0\t0\t0\n",  # a kernel thread: no VmLck
        b"Name:\tx\nUid:\t5\t7\t5\t5\nGid:\t1\t1\t1\t1\nVmLck:\t     8 kB\n",
        b"Name:\tx\nUid:\t5\t7\t5\t5\nVmLck:\t     0 kB\n",
        b"Name:\tx\n",  # no Uid line
    ],
)
def test_the_owner_from_a_parsed_status_is_parse_status_s(text: bytes | None) -> None:
    # The scan takes the user from the parse it makes anyway for a column.
    data = readers.read_file(f"/proc/{os.getpid()}/status") if text is None else text
    more = readers.parse_status_more(data)
    assert readers.owner_of(data, more) == readers.parse_status(data)


def test_status_and_owner_in_one_pass_are_the_two_parses() -> None:
    # What the scan uses on every process of a first scan: the same answers
    # as parse_status_more and parse_status, taken in one pass. Every
    # process here, and the fake file locked, unlocked, in another order.
    usual = fake_status_more()
    locked = usual.replace(b"VmLck:\t       0 kB", b"VmLck:\t      16 kB")
    lines = locked.split(b"\n")
    shuffled = b"\n".join([lines[0], *reversed(lines[1:])])
    files = [usual, locked, shuffled]
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                files.append(readers.read_file(f"/proc/{name}/status"))
    for data in files:
        more, owner = readers.parse_status_and_owner(data)
        assert more == readers._status_more_by_name(data), data
        assert owner == readers.parse_status(data), data
    assert readers.parse_status_and_owner(locked)[1] == (2, True)
    assert readers.parse_status_and_owner(shuffled)[1] == (2, True)


def test_parse_status_more_of_a_kernel_thread() -> None:
    more = readers.parse_status_more(b"Name:\tkthreadd\nUid:\t0\t0\t0\t0\n")
    assert (more.vm_size, more.vm_rss, more.groups, more.pending) == (0, 0, (), 0)
    assert more.gids is None


def test_parse_stat_more() -> None:
    fields = ["S", 1, 1, 1, 0, -1, 0x400000, 11, 0, 12, 0, 5, 6, 3, 4, 20, 0, 1, 0]
    fields += [1000, 4096 * 10, 5, 2**64 - 1, 0x1000, 0x3000, 0x7FFF0000, 0, 0]
    fields += [0] * 8 + [1, 3, 2]
    data = b"42 (x y) " + " ".join(map(str, fields)).encode()
    more = readers.parse_stat_more(data)
    assert (more.min_flt, more.maj_flt, more.children_ticks) == (11, 12, 7)
    assert (more.priority, more.vsize, more.rss_limit) == (20, 40960, 2**64 - 1)
    assert (more.start_code, more.end_code, more.start_stack) == (
        0x1000,
        0x3000,
        0x7FFF0000,
    )
    assert (more.processor, more.rt_priority, more.policy) == (1, 3, 2)


@pytest.mark.parametrize(
    ("data", "shown"),
    [(b"0", "-"), (b"", "?"), (b"do_select", "do_select"), (b"__x64_sys", "x64_sys")],
)
def test_parse_wchan(data: bytes, shown: str) -> None:
    assert readers.parse_wchan(data) == shown


def test_parse_cgroup() -> None:
    assert readers.parse_cgroup(b"0::/\n") == "-"
    assert readers.parse_cgroup(b"0::/user.slice/a.scope\n") == (
        "0::/user.slice/a.scope"
    )
    assert readers.parse_cgroup(b"2:cpu:/x\n1:name=systemd:/\n") == "2:cpu:/x"


def test_other_files_are_read_only_once_a_column_needs_them(tmp_path: Path) -> None:
    root = tmp_path / "proc"
    root.mkdir()
    (root / "uptime").write_text("5000.00 1.00\n")
    fake_process(root, 10, fake_stat(10, b"x"), b"x\0", fake_status_more())
    scanner = ProcfsScanner(root=str(root), max_open=0, read_status=False)
    info = scanner.scan().by_pid[10]
    assert (info.stat_more, info.status_more, info.files) == (None, None, None)
    assert scanner.scan().by_pid[10] is info  # nothing new wanted: reused

    scanner.set_sources(Source.STATUS | Source.STAT)
    info = scanner.scan().by_pid[10]
    assert info.status_more is not None
    assert info.status_more.vm_rss == 9000
    assert info.stat_more is not None
    assert info.files is None
    assert info.uid == 2  # status read once serves the user too


def test_files_of_a_real_process() -> None:
    everything = readers.FILE_SOURCES | Source.STAT
    scanner = ProcfsScanner(max_open=0, sources=everything)
    files = scanner.scan().by_pid[os.getpid()].files
    assert files is not None
    assert files.exe == os.readlink("/proc/self/exe")
    assert files.namespaces is not None
    assert files.namespaces[4] == os.stat("/proc/self/ns/pid").st_ino
    assert files.oom_adj == int(Path("/proc/self/oom_score_adj").read_text())
    assert files.wchan == "-"  # it is running: reading its own files
    assert files.cgroup is not None
    assert files.io is not None
    assert len(files.io) == 7
    assert files.numa_node is not None


BLOCKS_USR1 = """
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
ready()
park()
"""


def test_masks_are_current_even_when_the_stat_line_did_not_change(
    spawner: Spawner,
) -> None:
    # A signal sent to a sleeping process that blocks it wakes nothing and
    # changes nothing in its stat line; the pending column must still show it.
    child = spawner.python(BLOCKS_USR1)
    wait_for_state(child.pid, "S")
    scanner = ProcfsScanner(max_open=0)
    scanner.set_sources(sources_of(parse_columns("pending")))
    before = scanner.scan().by_pid[child.pid]
    assert before.status_more is not None
    usr1 = 1 << (signal.SIGUSR1 - 1)
    assert not before.status_more.pending & usr1
    stat_before = Path(f"/proc/{child.pid}/stat").read_bytes()
    os.kill(child.pid, signal.SIGUSR1)
    wait_until(
        lambda: (
            f"ShdPnd:\t{usr1:016x}" in Path(f"/proc/{child.pid}/status").read_text()
        ),
        "SIGUSR1 pending in /proc",
    )
    assert Path(f"/proc/{child.pid}/stat").read_bytes() == stat_before
    after = scanner.scan().by_pid[child.pid]
    assert after.status_more is not None
    assert after.status_more.pending & usr1
    scanner.close()


def test_status_masks_read_as_parse_status_more_reads_them() -> None:
    checked = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            data = Path(f"/proc/{name}/status").read_bytes()
        except OSError:
            continue
        more = readers.parse_status_more(data)
        assert readers.status_masks(data) == (
            more.pending,
            more.thread_pending,
            more.blocked,
            more.ignored,
            more.caught,
        )
        checked += 1
    assert checked > 0


def test_with_mask_columns_an_idle_process_is_not_rebuilt(spawner: Spawner) -> None:
    # Masks are read on every refresh, but a process whose masks and stat line
    # did not change keeps its record (no rebuild of 10,000 rows a second).
    child = sleeper(spawner)
    scanner = ProcfsScanner(max_open=0)
    scanner.set_sources(sources_of(parse_columns("pid,pending,blocked")))
    first = scanner.scan().by_pid[child.pid]
    assert first.status_more is not None
    assert scanner.scan().by_pid[child.pid] is first
    scanner.close()


def test_processes_with_the_same_arguments_share_them(spawner: Spawner) -> None:
    # At 10,000 processes each one's own copy of its arguments, command name
    # and ids cost about 2 MiB.
    twins = [spawner.command(["sleep", "1007"]).pid for _ in range(2)]
    scanner = ProcfsScanner(sources=Source.STATUS)
    try:
        snapshot = scanner.scan()
        a, b = (snapshot.by_pid[pid] for pid in twins)
    finally:
        scanner.close()
    assert a.cmdline == ("sleep", "1007")
    assert a.cmdline is b.cmdline
    assert a.comm is b.comm
    assert a.status_more is not None
    assert b.status_more is not None
    assert a.status_more.uids is b.status_more.uids
