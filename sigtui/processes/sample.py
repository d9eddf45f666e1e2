"""A fixed, made-up process list: for screenshots, demos and UI tests.

Using it instead of the live system makes pictures and layout tests the same
on every machine.
"""

from __future__ import annotations

from dataclasses import replace

from sigtui.processes.model import (
    PF_KTHREAD,
    ProcessInfo,
    ProcessSnapshot,
    StatusMore,
)

SAMPLE_SELF_PID = 4200
"""The pid sigtui has in the sample (so its row is marked)."""

_Row = tuple[int, int, int, int, int, str | None, str, int, str, float, str, str]

# fmt: off
_ROWS: list[_Row] = [
    # pid, ppid, pgid, sid, tpgid, tty, state, nice, user, cpu, comm, args
    (1, 0, 1, 1, -1, None, "S", 0, "root", 4.0, "systemd", "/sbin/init"),
    (2, 0, 0, 0, -1, None, "S", 0, "root", 0.0, "kthreadd", ""),
    (3, 2, 0, 0, -1, None, "I", -20, "root", 0.0, "rcu_gp", ""),
    (412, 1, 412, 412, -1, None, "S", 0, "root", 1.0, "sshd", "sshd: /usr/sbin/sshd -D"),
    (980, 1, 980, 980, -1, None, "S", 0, "postgres", 42.0, "postgres",
     "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main"),
    (981, 980, 980, 980, -1, None, "S", 0, "postgres", 3.0, "postgres",
     "postgres: checkpointer"),
    (3010, 412, 3010, 3010, -1, None, "S", 0, "root", 0.0, "sshd", "sshd: alice [priv]"),
    (3021, 3010, 3010, 3010, -1, None, "S", 0, "alice", 0.0, "sshd", "sshd: alice@pts/0"),
    (3022, 3021, 3022, 3022, 4200, "pts/0", "S", 0, "alice", 0.0, "bash", "-bash"),
    (4100, 3022, 4100, 3022, 4200, "pts/0", "T", 0, "alice", 12.0, "vim", "vim notes.txt"),
    (4150, 3022, 4150, 3022, 4200, "pts/0", "S", 0, "alice", 0.0, "make", "make -j4 all"),
    (4151, 4150, 4150, 3022, 4200, "pts/0", "R", 0, "alice", 65.0, "cc1", "cc1 -O2 main.c"),
    (4152, 4150, 4150, 3022, 4200, "pts/0", "S", 5, "alice", 1.0, "sleep",
     "sleep 1000 # [red]not markup[/x]"),
    (4200, 3022, 4200, 3022, 4200, "pts/0", "R", 0, "alice", 2.0, "sigtui",
     "python3 -m sigtui"),
    (4242, 4200, 4242, 4242, -1, None, "S", 0, "alice", 0.0, "demo", "demo"),
    (4243, 4242, 4242, 4242, -1, None, "S", 0, "alice", 0.0, "demo-member-1", "demo member 1"),
    (4244, 4242, 4242, 4242, -1, None, "S", 0, "alice", 0.0, "demo-member-2", "demo member 2"),
    (5001, 1, 5001, 5001, -1, None, "Z", 0, "alice", 0.0, "worker", ""),
]
# fmt: on

# fmt: off
_LESSON_ROWS: list[_Row] = [
    (4300, 4200, 4300, 3022, 4200, "pts/0", "S", 0, "alice", 0.0, "sh",
     "/bin/sh /opt/sigtui/lessons/programs/groups.sh"),
    (4301, 4300, 4300, 3022, 4200, "pts/0", "S", 0, "alice", 0.0, "sleep", "sleep 600"),
    (4302, 4300, 4300, 3022, 4200, "pts/0", "S", 0, "alice", 0.0, "sleep", "sleep 601"),
]
# fmt: on


_LIVE: dict[int, tuple[float, int]] = {
    # pid: (%CPU over the last refresh, resident KiB)
    1: (0.0, 12_480),
    412: (0.0, 7_936),
    980: (1.0, 61_200),
    981: (0.0, 18_432),
    3010: (0.0, 9_216),
    3021: (0.0, 6_400),
    3022: (0.0, 5_312),
    4100: (0.0, 10_240),
    4150: (0.0, 3_072),
    4151: (97.0, 148_736),
    4152: (0.0, 1_024),
    4200: (3.0, 52_224),
    4242: (0.0, 14_336),
    4243: (0.0, 14_208),
    4244: (0.0, 14_208),
    4300: (0.0, 1_664),
    4301: (0.0, 1_024),
    4302: (0.0, 1_024),
}
"""What the sample shows in the default %CPU and RSS columns."""


def _status(uid: int, rss: int) -> StatusMore:
    ids = (uid, uid, uid, uid)
    return StatusMore(
        uids=ids,
        gids=ids,
        groups=(),
        vm_size=rss * 4 if rss else 0,
        vm_rss=rss,
        vm_data=rss // 2,
        vm_stack=132 if rss else 0,
        pending=0,
        thread_pending=0,
        blocked=0,
        ignored=0,
        caught=0,
    )


def sample_snapshot(
    uptime: float = 86_400.0, *, lesson: bool = False
) -> ProcessSnapshot:
    """Return the sample process list.

    Args:
        uptime: The pretend time since boot, in seconds.
        lesson: Add lesson 5's processes (a shell script and its two sleeps).

    Returns:
        A snapshot with a shell session, a job of three processes, a stopped
        editor, a zombie, kernel threads and sigtui itself.
    """
    rows = _ROWS + (_LESSON_ROWS if lesson else [])
    processes = []
    for pid, ppid, pgid, sid, tpgid, tty, state, nice, user, cpu, comm, args in rows:
        kernel = ppid in (0, 2) and pid != 1 and not args
        cpu_percent, rss = _LIVE.get(pid, (0.0, 0))
        uid = 0 if user == "root" else 1000
        processes.append(
            ProcessInfo(
                pid=pid,
                ppid=ppid,
                pgid=pgid,
                sid=sid,
                tpgid=tpgid,
                tty=tty,
                state=state,
                flags=PF_KTHREAD if kernel else 0,
                nice=nice,
                num_threads=4 if comm == "sigtui" else 1,
                locked=False,
                uid=uid,
                user=user,
                cpu_time=cpu,
                start_time=float(pid),
                comm=comm,
                cmdline=tuple(args.split(" ")) if args else (),
                cpu_percent=cpu_percent,
                status_more=_status(uid, rss),
            )
        )
    return ProcessSnapshot.of(processes, uptime)


def without(snapshot: ProcessSnapshot, *pids: int) -> ProcessSnapshot:
    """Return the snapshot with some processes gone (for tests of exits).

    Args:
        snapshot: The snapshot.
        *pids: The pids to leave out.

    Returns:
        A new snapshot.
    """
    kept = [p for p in snapshot.processes if p.pid not in pids]
    return ProcessSnapshot(tuple(kept), snapshot.uptime + 1, snapshot.clock_ticks)


def with_cpu(snapshot: ProcessSnapshot, pid: int, cpu_time: float) -> ProcessSnapshot:
    """Return the snapshot with one process's CPU time changed.

    Args:
        snapshot: The snapshot.
        pid: The process.
        cpu_time: Its new CPU time.

    Returns:
        A new snapshot.
    """
    changed = [
        replace(p, cpu_time=cpu_time) if p.pid == pid else p for p in snapshot.processes
    ]
    return ProcessSnapshot(tuple(changed), snapshot.uptime + 1, snapshot.clock_ticks)


class SampleSource:
    """A process source that returns prepared snapshots, then repeats the last.

    Args:
        snapshots: What successive scans return (default: the sample once).
    """

    def __init__(self, *snapshots: ProcessSnapshot) -> None:
        self._queue = list(snapshots) or [sample_snapshot()]
        self._last = self._queue[0]
        self.scans = 0

    def push(self, snapshot: ProcessSnapshot) -> None:
        """Make the next scan return this snapshot.

        Args:
            snapshot: The snapshot.
        """
        self._queue.append(snapshot)

    def scan(self) -> ProcessSnapshot:
        """Return the next prepared snapshot.

        Returns:
            The snapshot.
        """
        self.scans += 1
        if self._queue:
            self._last = self._queue.pop(0)
        return self._last
