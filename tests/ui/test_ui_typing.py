"""Keys typed faster than the app handles them: after ``/`` they are the filter's.

A paste (or tmux's send-keys) queues every key before the first is handled;
posting them all at once here does the same without a terminal.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from sigtui.ui.screenshots import sample_app
from tests.pilot import settle

SIZE = (120, 30)


@pytest.mark.parametrize("typed", ["ttt", "zzq", "sleep 200"])
async def test_keys_queued_after_slash_go_to_the_filter(typed: str) -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key, character in [("slash", "/"), *((c, c) for c in typed)]:
            app.post_message(events.Key("space" if key == " " else key, character))
        await settle(app, pilot)
        assert app.query_one("#filter", Input).value == typed
        assert app.main.view.filter_text == typed
        assert not app.main.view.tree
        assert not app.main.paused
        assert not app.main.view.tagged
        assert app.is_running
