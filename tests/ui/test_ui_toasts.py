"""Pop-ups never cover the signal log; a send that worked is said in the log only."""

from __future__ import annotations

from textual.widgets._toast import Toast

from sigtui.ui.screenshots import sample_app
from tests.pilot import log_text, settle, wait_until

SIZE = (80, 24)


async def test_a_send_that_worked_is_in_the_log_without_a_pop_up() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"4152", "enter", "k")  # a sleep, in the sample
        await settle(app, pilot)
        await pilot.press(*"usr1", "enter")
        await settle(app, pilot)
        assert "SIGUSR1 → process 4152" in log_text(app)
        assert not app.screen.query(Toast)


async def test_a_refusal_pops_up_away_from_the_log() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("K", "slash", "2", "enter", "k")  # kthreadd (K: listed)
        await settle(app, pilot)
        await pilot.press(*"term", "enter")
        await settle(app, pilot)
        await wait_until(
            pilot, app, lambda: bool(app.screen.query(Toast)), "the refusal's pop-up"
        )
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        log = app.query_one("#log").region
        for toast in toasts:
            assert not toast.region.overlaps(log), (toast.region, log)
