"""`sigtui demo`'s group hint tells the truth, and the demo names itself.

Each test starts ``sigtui demo`` (the human demo child, exec'd in place) in a
session of its own, so the process group it leads is the test's own; group
sends go to that group only, while its leader is not reaped. Lines are read
with ``select`` and deadlines; "the members survived" is proved with a barrier
(a later signal to the child alone, logged after), never by waiting.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from sigtui.demo.naming import CHILD_NAME, member_name
from sigtui.procfs import signal_name
from tests.spawn import alive, wait_until
from tests.unit.test_demo_child import Lines

SIGTUI = str(Path(sys.executable).parent / "sigtui")
DEADLINE = 20.0
CLAIM = re.compile(
    r"kill -(?P<sig>[A-Z0-9]+) -- -(?P<pgid>\d+) is logged here and "
    r"(?P<effect>the members ignore it|ends the members)"
)


class Demo:
    """``sigtui demo`` in its own session, its output read line by line."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [SIGTUI, "demo"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        self.lines = Lines(self.proc.stdout.fileno())
        self.header = [self.lines.next(), self.lines.next()]
        found = re.search(r"members ([\d ]+)\.", self.header[0])
        assert found, self.header
        self.members = [int(m) for m in found.group(1).split()]

    def until(self, text: str) -> list[str]:
        """Read up to the line containing ``text``; return every line read."""
        lines = [self.lines.next()]
        while text not in lines[-1]:
            lines.append(self.lines.next())
        return lines

    def killpg(self, signo: int) -> None:
        # The group this test created: the demo leads it and is not reaped.
        assert self.proc.poll() is None
        os.killpg(self.proc.pid, signo)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(DEADLINE)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def demo() -> Iterator[Demo]:
    started = Demo()
    try:
        yield started
    finally:
        started.close()


def test_the_group_hint_says_what_the_members_do_and_they_do_it(demo: Demo) -> None:
    text = " ".join(demo.header)
    claims = list(CLAIM.finditer(text))
    assert claims, f"the group hint does not say what the members do: {text}"
    assert len(demo.members) == 2
    for claim in claims:
        assert int(claim["pgid"]) == demo.proc.pid  # its own group: ours
        assert all(alive(m) for m in demo.members)
        signo = signal.Signals[f"SIG{claim['sig']}"]
        name = signal_name(signo)
        demo.killpg(signo)
        logged = demo.until(f"{name} ({int(signo)})")
        if claim["effect"] == "ends the members":
            seen = set(logged)
            for member in demo.members:
                line = f"Member {member} killed by {name}"
                if line not in seen:
                    seen.update(demo.until(line))
            assert demo.proc.poll() is None  # the child itself logged it
            demo.members = []
        else:
            # Barrier: a signal to the child alone is logged after the group's.
            os.kill(demo.proc.pid, signal.SIGUSR2)
            logged += demo.until("SIGUSR2")
            assert not [line for line in logged if line.startswith("Member")]
            assert all(alive(m) for m in demo.members)
    effects = {c["effect"] for c in claims}
    assert effects == {"the members ignore it", "ends the members"}


def comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()


def has_cmdline(pid: int, wanted: str) -> bool:
    return cmdline(pid) == wanted


def test_the_demo_and_its_members_name_themselves(demo: Demo) -> None:
    pid = demo.proc.pid
    assert CHILD_NAME == "demo"
    wait_until(lambda: comm(pid) == CHILD_NAME, "the child's name")
    assert cmdline(pid) == "demo"
    for number, member in enumerate(demo.members, start=1):
        wanted = member_name(number)
        assert wanted == f"demo member {number}"
        wait_until(partial(has_cmdline, member, wanted), f"{wanted}'s name")
        assert comm(member) == f"demo-member-{number}"
