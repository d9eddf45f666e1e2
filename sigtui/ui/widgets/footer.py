"""The key footer: one widget that draws whole keys, the most important first.

Textual's Footer is a container with one widget per key, rebuilt whenever the
bindings change (every focus change, every dialog). While sigtui started at
10,000 processes its keys were built twice, 25 widgets styled each time, which
cost the interface thread about 150 ms in the time the first scan's readers
need both cores. Its keys also kept watchers on the footer after they were
removed (Textual issue #6666). This footer is one widget that draws the keys
as one line of text, as Textual's Footer looks: a change of bindings is a
repaint, not new widgets. The first table came sooner with it: 1,762 against
1,481 ms (median of 18 starts each) and 1,506 against 1,467 ms (12 each) in
two runs of ``benchmarks.footprint``'s cold start, alternated.

It shows the keys that fit whole, in their order (the order of
:data:`sigtui.ui.keys.MAIN_KEYS`, the most needed first), and drops the rest;
Textual's Footer cuts them at the screen's edge ("L Le"). The command
palette's key, at the right end, shows only when every other key fits beside
it. A click on a key presses it; the pointer over a key highlights it and shows
its tooltip; a key whose action is disabled is dimmed, and a click on it rings
the bell.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

PALETTE_BORDER = "▏"
"""The thin bar before the palette's key (Textual's ``vkey`` border)."""


class FooterKey(NamedTuple):
    """One key as the footer shows it.

    Attributes:
        key: The key's name, as pressed (``question_mark``).
        display: How it is shown (``?``).
        description: What it does, in a word or two.
        enabled: Whether its action may run now.
        tooltip: The longer description shown under the pointer.
        palette: Whether this is the command palette's key.
    """

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    palette: bool = False

    def pieces(self) -> tuple[tuple[str, str], ...]:
        """Its text in parts, each with the component class that styles it.

        `` k `` then ``Signal ``, as Textual's footer keys look; the palette's
        ``▏^p palette ``. An empty class is the footer's own style.
        """
        if self.palette:
            return (
                (PALETTE_BORDER, "key-footer--border"),
                (self.display, "key-footer--key"),
                (" " + self.description, "key-footer--description"),
                (" ", ""),
            )
        if not self.description:
            return ((self.display, "key-footer--key"),)
        return (
            (f" {self.display} ", "key-footer--key"),
            (f"{self.description} ", "key-footer--description"),
        )

    @property
    def width(self) -> int:
        """Cells it takes in the footer."""
        return sum(cell_len(text) for text, _ in self.pieces())


class KeyFooter(Widget, can_focus=False):
    """The bottom line: the screen's keys that fit, drawn as one line of text."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--hover {
        color: $footer-key-foreground;
        background: $block-hover-background;
    }
    KeyFooter > .key-footer--disabled {
        text-style: dim;
    }
    KeyFooter > .key-footer--border {
        color: $foreground 20%;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--disabled",
        "key-footer--border",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[FooterKey, ...] | None = None
        self._hover: FooterKey | None = None

    def on_mount(self) -> None:
        """Follow the screen's bindings (they change with the focus and dialogs)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        """Stop following the bindings."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            # After the refresh: the focus change that updated the bindings
            # may be followed by others in the same turn.
            self.call_after_refresh(self.update_keys)

    @property
    def keys(self) -> tuple[FooterKey, ...]:
        """Every key the screen's bindings show, in order, the palette's last."""
        if self._keys is None:
            self._keys = self._read_keys()
        return self._keys

    def update_keys(self) -> None:
        """Read the keys again; repaint if they changed."""
        if not self.is_attached:
            return
        keys = self._read_keys()
        if keys != self._keys:
            self._keys = keys
            self._hover = None
            self.refresh()

    def _read_keys(self) -> tuple[FooterKey, ...]:
        """The screen's shown bindings, one key per action, as Textual's Footer."""
        app = self.app
        active = self.screen.active_bindings
        keys: list[FooterKey] = []
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(self._key(binding, enabled, tooltip))
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            keys.append(
                self._key(
                    binding, enabled, binding.tooltip or binding.description
                )._replace(palette=True)
            )
        return tuple(keys)

    def _key(self, binding: Binding, enabled: bool, tooltip: str) -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            enabled,
            tooltip,
        )

    def shown(self) -> list[tuple[int, FooterKey]]:
        """The keys that fit whole in the footer's width, each with its column.

        The keys are taken in order until one does not fit; the palette's key,
        at the right end, only when all the others fit beside it.
        """
        room = self.size.width
        keys = [key for key in self.keys if not key.palette]
        palette = [key for key in self.keys if key.palette]
        placed: list[tuple[int, FooterKey]] = []
        used = 0
        for key in keys:
            if used + key.width > room:
                break
            placed.append((used, key))
            used += key.width
        if len(placed) == len(keys):
            right = room - sum(key.width for key in palette)
            if right >= used:
                for key in palette:
                    placed.append((right, key))
                    right += key.width
        return placed

    def render(self) -> Text:
        """The keys that fit, the palette's at the right end."""
        line = Text(no_wrap=True, overflow="crop", end="")
        for column, key in self.shown():
            line.append(" " * (column - line.cell_len))
            line.append_text(self._drawn(key))
        return line

    def _drawn(self, key: FooterKey) -> Text:
        """One key as the footer draws it, as Textual's footer keys look."""
        styles = self.get_component_rich_style
        drawn = Text.assemble(
            *((text, styles(part)) if part else text for text, part in key.pieces())
        )
        if not key.enabled:
            drawn.stylize_before(styles("key-footer--disabled"))
        if key is self._hover:
            # Over the key's own colours, as a hovered footer key's background
            # shows through Textual's (the text keeps its colours).
            drawn.stylize(Style(bgcolor=styles("key-footer--hover").bgcolor))
        return drawn

    def key_at(self, x: int) -> FooterKey | None:
        """The key drawn at column ``x``, if any."""
        for column, key in self.shown():
            if column <= x < column + key.width:
                return key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Highlight the key under the pointer and show its tooltip."""
        self._point_at(self.key_at(event.x))

    def on_leave(self) -> None:
        """Nothing is under the pointer any more."""
        self._point_at(None)

    def _point_at(self, key: FooterKey | None) -> None:
        if key is not self._hover:
            self._hover = key
            self.tooltip = None if key is None else key.tooltip or None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Press the key clicked on, as Textual's footer does."""
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
