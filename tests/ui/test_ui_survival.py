"""Why won't it die (pilot): the details panel and ``x``.

The outcome of a send in each state is checked without the app, on the send
flow (tests/unit/test_send_flow.py).

Real processes in each state (tests/spawn.py): uninterruptible sleep that
SIGKILL cannot end, a zombie whose parent does not reap it, a stopped process
and a process stopped by its tracer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Static

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.confirm import ConfirmSend
from tests.pilot import log_text, select, settle, wait_until
from tests.spawn import (
    Spawner,
    proc_state,
    stopped,
    traced,
    uninterruptible,
    zombie_parent,
)
from tests.ui.test_ui_delivery import SIZE, live_app
from tests.ui.test_ui_signals import static_text


def comm(pid: int) -> str:
    with open(f"/proc/{pid}/comm") as file:
        return file.read().strip()


def wchan(pid: int) -> str:
    with open(f"/proc/{pid}/wchan") as file:
        text = file.read().strip()
    assert text not in ("", "0"), f"pid {pid} sleeps nowhere"
    return text


def details(app: SigtuiApp) -> str:
    return static_text(app.query_one("#details-body", Static))


def d_victim(spawner: Spawner) -> tuple[int, list[str]]:
    victim = int(uninterruptible(spawner).info["victim"])
    return victim, [
        f"Why Uninterruptible sleep (D) in {wchan(victim)}:",
        "looks at no signal, not even SIGKILL, until it returns",
    ]


def zombie(spawner: Spawner) -> tuple[int, list[str]]:
    parent = zombie_parent(spawner)
    name = comm(parent.pid)
    return int(parent.info["zombie"]), [
        "Why A zombie: it has already exited",
        f"for its parent {parent.pid} ({name}), which has not reaped it yet",
        "Signalling the zombie does nothing: the parent must wait() for it",
        f"sending {parent.pid} SIGCHLD may remind it",
        "ending the parent lets init adopt and reap the zombie",
    ]


def stopped_one(spawner: Spawner) -> tuple[int, list[str]]:
    child = stopped(spawner)
    return child.pid, [
        "Why Stopped (T): SIGTERM and other signals wait, pending, until it gets "
        "SIGCONT; SIGKILL ends it at once."
    ]


def tracee(spawner: Spawner) -> tuple[int, list[str]]:
    tracer = traced(spawner)
    return int(tracer.info["tracee"]), [
        f"Why Stopped by its tracer {tracer.pid} ({comm(tracer.pid)}) (t, TracerPid)",
        "SIGKILL ends it at once",
    ]


@pytest.mark.parametrize("make", [d_victim, zombie, stopped_one, tracee])
async def test_details_say_why_it_is_still_there(
    spawner: Spawner, make: Callable[[Spawner], tuple[int, list[str]]]
) -> None:
    pid, expected = make(spawner)
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, pid)
        await pilot.press("i")
        await wait_until(pilot, app, lambda: "Why " in details(app), "the why row")
        body = details(app)
        for words in expected:
            assert words in body, (words, body)


@pytest.mark.slow
async def test_x_says_why_sigkill_did_not_end_it(spawner: Spawner) -> None:
    victim, _ = d_victim(spawner)
    app = live_app(grace=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, victim)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)
        await pilot.press("y")
        line = (
            f"process {victim} ({comm(victim)}) is still there after SIGKILL: it is "
            f"in uninterruptible sleep (D) in {wchan(victim)}, where no signal acts, "
            "not even SIGKILL, until that kernel call returns"
        )
        await wait_until(pilot, app, lambda: line in log_text(app), "x's message")
        assert proc_state(victim) == "D"
