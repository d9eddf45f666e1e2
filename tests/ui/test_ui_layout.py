"""The layout at every terminal size: status line, footer, rows, scrollbars.

Each test renders the whole screen (what a terminal would show) at the sizes
where issue 16 found it broken: the status line kept its mode words, the
footer showed whole keys, the table kept rows, no stray block glyphs.
"""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.color import Color
from textual.pilot import Pilot

from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.keys import MAIN_KEYS
from sigtui.ui.options import Options
from sigtui.ui.screens.picker import SignalPicker
from sigtui.ui.screenshots import sample_app
from sigtui.ui.status import Status, status_line
from tests.pilot import settle, wait_until
from tests.unit.test_status_line import view_of_sample

HORIZONTAL_THUMB = "▉▊▋▌▍▎"
"""Glyphs of a horizontal scrollbar's thumb ends and of a ``tall`` border's
sides: stray blocks on screen."""


def screen_rows(app: SigtuiApp) -> list[str]:
    """Every line of the screen as a terminal shows it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def footer_labels() -> list[str]:
    """The footer's keys, most important first, as ``key description``."""
    labels = []
    for binding in MAIN_KEYS:
        assert isinstance(binding, Binding)
        if binding.show:
            key = binding.key.split(",")[0]
            shown = {"question_mark": "?", "slash": "/"}.get(key, key)
            labels.append(f"{shown} {binding.description}")
    return labels


def footer_words(row: str) -> list[str]:
    """The footer row's words, the palette's border left out."""
    return row.replace("▏", " ").split()


@pytest.mark.parametrize(("width", "least"), [(60, 4), (80, 8), (120, 12), (200, 12)])
async def test_footer_shows_whole_keys_in_order(width: int, least: int) -> None:
    app = sample_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        words = footer_words(screen_rows(app)[-1])
        if words[-2:] == ["^p", "palette"]:
            words = words[:-2]
        labels = footer_labels()
        for count in range(len(labels), -1, -1):
            if words == " ".join(labels[:count]).split():
                break
        else:
            raise AssertionError(f"footer cut a key at {width}: {words}")
        assert count >= least, f"only {count} keys at {width}: {words}"


async def test_footer_keeps_filter_tree_at_80_columns() -> None:
    app = sample_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        words = footer_words(screen_rows(app)[-1])
        assert "Filter" in words
        assert "Tree" in words


async def test_footer_refits_after_a_resize() -> None:
    app = sample_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(app, pilot)
        assert "Lessons" in footer_words(screen_rows(app)[-1])
        await pilot.resize_terminal(70, 24)
        await settle(app, pilot)
        words = footer_words(screen_rows(app)[-1])
        assert "Lessons" not in words
        assert words[:4] == ["q", "Quit", "?", "Help"]
        await pilot.resize_terminal(200, 24)
        await settle(app, pilot)
        assert "Lessons" in footer_words(screen_rows(app)[-1])


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_status_line_keeps_the_mode_words(width: int) -> None:
    app = sample_app(Options(projector=True, readonly=True))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("p", "t")
        await settle(app, pilot)
        status = screen_rows(app)[0]
        for word in ("projector", "paused", "read-only"):
            assert word in status, f"{word!r} lost at {width}: {status!r}"


async def test_status_line_keeps_demo_and_projector_at_80x24() -> None:
    # The case: `sigtui --projector --demo` at 80x24, a real demo.
    app = make_app(Options(projector=True, demo=True, interval=0.5))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot,
            app,
            lambda: app.main.demo is not None and app.main.demo.running,
            "the demo",
        )
        await wait_until(
            pilot, app, lambda: "demo" in screen_rows(app)[0], "demo in the status"
        )
        status = screen_rows(app)[0]
        assert "projector" in status, status


async def rows_shown(app: SigtuiApp, pilot: Pilot[int]) -> int:
    """How many process rows the table shows, below its header."""
    await settle(app, pilot)
    table = app.main.table
    region = table.scrollable_content_region.intersection(app.screen.region)
    return max(0, region.height - 1)


@pytest.mark.parametrize("projector", [False, True])
@pytest.mark.parametrize("details", [False, True])
async def test_at_least_five_rows_at_every_size(details: bool, projector: bool) -> None:
    app = sample_app(Options(projector=projector))
    sizes = [(w, h) for w in (60, 80, 99, 100, 120, 200) for h in (20, 24, 30, 50)]
    async with app.run_test(size=sizes[0]) as pilot:
        await settle(app, pilot)
        if details:
            await pilot.press("down", "i")
        too_few = []
        for size in sizes:
            await pilot.resize_terminal(*size)
            shown = await rows_shown(app, pilot)
            if shown < 5:
                too_few.append((size, shown))
        assert not too_few, f"fewer than 5 rows (size, rows): {too_few}"


def stray_glyphs(rows: list[str]) -> list[tuple[int, str]]:
    """Lines holding a horizontal scrollbar's block glyphs."""
    return [(y, row) for y, row in enumerate(rows) if set(row) & set(HORIZONTAL_THUMB)]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("projector", [False, True])
async def test_no_stray_block_glyphs_on_the_main_screen(
    width: int, projector: bool
) -> None:
    app = sample_app(Options(projector=projector))
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["down"] * 10, "i", "slash")
        await settle(app, pilot)
        assert not stray_glyphs(screen_rows(app))


@pytest.mark.parametrize("width", [80, 120])
async def test_no_stray_block_glyphs_in_the_signal_picker(width: int) -> None:
    app = sample_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["down"] * 10, "k")
        await wait_until(pilot, app, lambda: isinstance(app.screen, SignalPicker), "k")
        await settle(app, pilot)
        assert not stray_glyphs(screen_rows(app))


@pytest.mark.parametrize("projector", [False, True])
async def test_scrollbar_tracks_are_not_black_rectangles(projector: bool) -> None:
    app = sample_app(Options(projector=projector))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["down"] * 10, "k")
        await wait_until(pilot, app, lambda: isinstance(app.screen, SignalPicker), "k")
        await settle(app, pilot)
        background = app.main.styles.background
        scrollers = [app.main.table, app.main.query_one("#log")]
        scrollers.append(app.screen.query_one("#picker-table"))
        for widget in scrollers:
            track = widget.styles.scrollbar_background
            assert track != Color(0, 0, 0), f"{widget.id}'s track is black"
            assert track.brightness >= background.brightness, widget.id


@pytest.mark.parametrize("width", range(40, 130, 6))
def test_status_line_fits_and_keeps_modes_at_every_width(width: int) -> None:
    view, _ = view_of_sample()
    view.set_filter("sleep")
    status = Status(
        "classroom",
        paused=True,
        interval=1,
        readonly=True,
        projector=True,
        demo=(31337, 12),
    )
    full = status_line(view, view.snapshot, status)
    line = status_line(view, view.snapshot, status, width)
    assert len(line) <= width, line
    modes = ["paused", "demo", "read-only", "projector"]
    assert [word for word in modes if word in line] == modes, line
    if width >= 60:
        assert "processes" in line, line
    if len(full) <= width:
        assert line == full
