"""The picker's prediction and the log's outcome agree with what happens.

For the demo (issue 16, bug 4), predictions come from the dispositions it
reports, not from its masks: it blocks every signal and dequeues them with
``sigtimedwait``, so its masks say "blocked" while it catches.
"""

from __future__ import annotations

import pytest

from sigtui.ui.app import make_app
from sigtui.ui.options import Options
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.screens.picker import SignalPicker
from tests.pilot import log_text, select, settle, wait_until
from tests.spawn import SLEEPER, Spawner, proc_state, wait_for_state
from tests.ui.test_ui_delivery import SIZE as DELIVERY_SIZE
from tests.ui.test_ui_delivery import TERM_IGNORER, live_app
from tests.ui.test_ui_demo import SIZE, start_demo
from tests.ui.test_ui_signals import row_texts


async def test_the_demo_set_to_catch_is_predicted_and_logged_caught() -> None:
    app = make_app(Options(interval=0.3))
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        await pilot.press("k")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, SignalPicker), "picker"
        )
        picker = app.screen
        assert isinstance(picker, SignalPicker)
        await wait_until(
            pilot,
            app,
            lambda: row_texts(picker)["SIGUSR1"][3] != "…",
            "predictions",
        )
        assert row_texts(picker)["SIGUSR1"][3] == "caught by its handler"
        await pilot.press(*"usr1", "enter")
        outcome = f"process {demo_pid} "
        await wait_until(
            pilot,
            app,
            lambda: any(
                outcome in line and "still running" in line
                for line in log_text(app).splitlines()
            ),
            "the outcome line",
        )
        [line] = [
            line
            for line in log_text(app).splitlines()
            if outcome in line and "still running" in line
        ]
        assert line.endswith("still running (caught by its handler)")


CATCHES_TERM = """
import signal
signal.signal(signal.SIGTERM, lambda *_: None)
ready()
park()
"""


@pytest.mark.parametrize(
    ("code", "predicted"),
    [
        (TERM_IGNORER, "it ignores SIGTERM: SIGKILL will end it after 7 s"),
        (CATCHES_TERM, "it has a handler for SIGTERM and may clean up"),
        (SLEEPER, "SIGTERM should end it"),
    ],
)
async def test_x_says_what_sigterm_will_do(
    spawner: Spawner, code: str, predicted: str
) -> None:
    child = spawner.python(code)
    wait_for_state(child.pid, "S")
    app = live_app(grace=7)
    async with app.run_test(size=DELIVERY_SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("x")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmSend)
        assert confirm.prediction.startswith(predicted), confirm.prediction
        assert "may clean up on SIGTERM" not in confirm.prediction
        await pilot.press("n")
    assert proc_state(child.pid) == "S"
