"""Look at sigtui's tracing instances from a test, through a mount of the test's own.

tracefs is not mounted on this kind of machine, and a test must not mount it
where others see it: each look mounts it in a private mount namespace of a
short-lived ``unshare`` process, lists ``instances/`` and ends (taking the
mount with it). Instances are the kernel's, not the mount's, so every mount
sees the same ones.
"""

from __future__ import annotations

import subprocess

from sigtui.trace.tracefs import PREFIX
from tests.spawn import READY_TIMEOUT


def instances() -> set[str]:
    """sigtui's tracing instances on the machine (``sigtui-PID-STARTTIME``)."""
    listing = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tracefs nodev /sys/kernel/tracing && "
            "ls /sys/kernel/tracing/instances",
        ],
        capture_output=True,
        text=True,
        timeout=READY_TIMEOUT,
        check=True,
    )
    return {name for name in listing.stdout.split() if name.startswith(PREFIX)}


def owned_by(pid: int) -> set[str]:
    """The instances a reader with this pid made (at most one)."""
    return {name for name in instances() if name.startswith(f"{PREFIX}{pid}-")}
