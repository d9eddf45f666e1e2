"""The key footer: whole keys that fit; a click or the pointer works on a key."""

from __future__ import annotations

import pytest
from rich.console import Console

from sigtui.ui.screenshots import sample_app
from sigtui.ui.widgets.footer import KeyFooter
from tests.pilot import log_text, settle


def column_of(footer: KeyFooter, description: str) -> int:
    """Where the footer draws the key with this description."""
    return next(x for x, key in footer.shown() if key.description == description)


async def test_a_click_on_a_key_presses_it() -> None:
    app = sample_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(app, pilot)
        footer = app.main.query_one(KeyFooter)
        before = app.main.as_tree
        await pilot.click(KeyFooter, offset=(column_of(footer, "Tree") + 1, 0))
        await settle(app, pilot)
        assert app.main.as_tree is not before


async def test_the_pointer_over_a_key_highlights_it_and_shows_its_tooltip() -> None:
    app = sample_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(app, pilot)
        footer = app.main.query_one(KeyFooter)
        x = column_of(footer, "Tree")
        await pilot.hover(KeyFooter, offset=(x + 2, 0))
        await pilot.pause()
        tree = footer.key_at(x + 2)
        assert tree is not None
        assert tree.description == "Tree"
        assert footer.tooltip == tree.tooltip
        assert tree.tooltip
        # Drawn with the hover's background, which no other key has.
        hover = footer.get_component_rich_style("key-footer--hover").bgcolor
        line = footer.render()
        console = Console()
        on_hover = "".join(
            char
            for offset, char in enumerate(line.plain)
            if line.get_style_at_offset(console, offset).bgcolor == hover
        )
        assert on_hover == " t Tree "


async def test_a_disabled_key_is_dimmed_and_a_click_on_it_rings_the_bell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = sample_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(app, pilot)
        footer = app.main.query_one(KeyFooter)
        # A filter that matches nothing leaves no process to signal.
        await pilot.press("slash", *"no-such-process-anywhere", "enter")
        await settle(app, pilot)
        signal = next(key for _, key in footer.shown() if key.description == "Signal")
        assert not signal.enabled
        dim = [s for s in footer.render().spans if getattr(s.style, "dim", False)]
        assert dim
        rings: list[bool] = []
        monkeypatch.setattr(app, "bell", lambda: rings.append(True))
        logged = log_text(app)
        await pilot.click(KeyFooter, offset=(column_of(footer, "Signal") + 1, 0))
        await settle(app, pilot)
        assert rings == [True]
        assert len(app.screen_stack) == 1  # no signal picker opened
        assert log_text(app) == logged


@pytest.mark.parametrize("width", [60, 80, 120, 200])
async def test_the_keys_shown_are_whole_and_the_palette_only_when_all_fit(
    width: int,
) -> None:
    app = sample_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        footer = app.main.query_one(KeyFooter)
        shown = footer.shown()
        everything = [key for key in footer.keys if not key.palette]
        ordinary = [key for _, key in shown if not key.palette]
        assert ordinary == everything[: len(ordinary)]
        palette = [key for _, key in shown if key.palette]
        room_for_all = sum(key.width for key in footer.keys) <= width
        assert bool(palette) == room_for_all
        if not room_for_all:  # the next key did not fit
            assert len(ordinary) == len(everything) or (
                sum(key.width for key in everything[: len(ordinary) + 1]) > width
            )
        ends = [x + key.width for x, key in shown]
        assert max(ends) <= width
        text = footer.render().plain
        assert len(text) <= width
        for x, key in shown:
            assert key.display in text[x : x + key.width]
