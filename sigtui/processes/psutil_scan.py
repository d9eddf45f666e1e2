"""The scanner for systems without ``/proc``: psutil reads the processes."""

from __future__ import annotations

import os
import time

from sigtui.processes.model import ProcessInfo, ProcessSnapshot

_PSUTIL_STATES = {
    "running": "R",
    "sleeping": "S",
    "disk-sleep": "D",
    "stopped": "T",
    "tracing-stop": "t",
    "zombie": "Z",
    "dead": "X",
    "wake-kill": "K",
    "waking": "W",
    "idle": "I",
    "locked": "L",
    "waiting": "W",
    "parked": "P",
}


class PsutilScanner:
    """Reads every process through psutil, for systems without ``/proc``.

    Terminal foreground groups, task flags and locked memory are not available
    this way and read as "none".
    """

    _ATTRS = (
        "pid",
        "ppid",
        "name",
        "cmdline",
        "terminal",
        "status",
        "uids",
        "username",
        "cpu_times",
        "create_time",
        "nice",
        "num_threads",
    )

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._boot = psutil.boot_time()

    def scan(self) -> ProcessSnapshot:
        """Read every process now.

        Returns:
            The snapshot. Processes that exit mid-scan are left out.
        """
        psutil = self._psutil
        found: list[ProcessInfo] = []
        for proc in psutil.process_iter():
            try:
                with proc.oneshot():
                    d = proc.as_dict(attrs=list(self._ATTRS), ad_value=None)
                    pgid = os.getpgid(proc.pid)
                    sid = os.getsid(proc.pid)
            except (psutil.NoSuchProcess, ProcessLookupError):
                continue
            except PermissionError:
                pgid = sid = -1
            found.append(self._info(d, pgid, sid))
        return ProcessSnapshot.of(found, time.time() - self._boot)

    def _info(self, d: dict[str, object], pgid: int, sid: int) -> ProcessInfo:
        cpu = d["cpu_times"]
        uids = d["uids"]
        terminal = d["terminal"]
        created = d["create_time"]
        cmdline = d["cmdline"]
        nice = d["nice"]
        threads = d["num_threads"]
        uid = getattr(uids, "effective", None)
        return ProcessInfo(
            pid=int(str(d["pid"])),
            ppid=int(str(d["ppid"] or 0)),
            pgid=pgid,
            sid=sid,
            tpgid=-1,
            tty=str(terminal).removeprefix("/dev/") if terminal else None,
            state=_PSUTIL_STATES.get(str(d["status"]), "?"),
            flags=0,
            nice=nice if isinstance(nice, int) else 0,
            num_threads=threads if isinstance(threads, int) else 1,
            locked=None,
            uid=uid,
            user=str(d["username"]) if d["username"] else None,
            cpu_time=(cpu.user + cpu.system) if cpu is not None else 0.0,  # type: ignore[attr-defined]
            start_time=(float(created) - self._boot)
            if isinstance(created, float)
            else 0.0,
            comm=str(d["name"] or "?"),
            cmdline=tuple(cmdline) if isinstance(cmdline, list) else None,
        )
