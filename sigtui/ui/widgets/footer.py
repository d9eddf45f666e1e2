"""The key footer: whole keys, the most important first, and no watcher leak.

Textual's Footer cuts its keys at the screen's edge, in the middle of one
("L Le"); this one shows the keys that fit whole, in their order (the order
of :data:`sigtui.ui.keys.MAIN_KEYS`, the most needed first), and drops the
rest; the command palette's key, docked right, goes first.

Textual's Footer also rebuilds its keys whenever the bindings change (every
dialog opened or closed, every focus change), and each new key registers a
watcher on the footer's ``compact`` setting. Watchers of removed keys are
dropped only when ``compact`` changes, which in sigtui never happens, so each
dialog left about two dozen dead keys in memory: 7 MiB a minute in a soak test
that opens the signal picker every five seconds (Textual issue #6666).
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def _width(key: FooterKey) -> int:
    """The cells a key takes in the footer, margins included."""
    styles = key.styles
    return key.render().cell_len + styles.gutter.width + styles.margin.width


class KeyFooter(Footer):
    """A Footer of whole keys that lets go of the keys it no longer shows.

    It rebuilds its keys only when what they would show changed: Textual's
    Footer rebuilds on every change of bindings or focus, eleven times while
    sigtui starts, and with the clean-up below each rebuild restyles every
    key three times (a third of a second of a start on a busy machine).
    """

    _shown: object = None

    def _what_it_shows(self) -> object:
        """Everything the keys are made from: the bindings shown and their state."""
        return (
            self._bindings_ready,
            self.show_command_palette,
            tuple(
                (binding, enabled, tooltip)
                for _node, binding, enabled, tooltip in (
                    self.screen.active_bindings.values()
                )
            ),
        )

    async def recompose(self) -> None:
        """Rebuild the keys if they changed, then drop the removed ones' watchers."""
        if not self.is_attached:
            return
        shows = self._what_it_shows()
        if shows == self._shown:
            return
        self._shown = shows
        await super().recompose()
        self._forget_removed_keys()
        self.fit_keys()

    def _forget_removed_keys(self) -> None:
        """Drop the removed keys' watchers of ``compact``, as Textual would.

        Textual prunes a reactive's watchers of closed widgets only when the
        reactive changes. Changing ``compact`` there and back did it, but
        restyled every key twice; each restyle makes throwaway nodes for the
        key's component classes, which only a full garbage collection frees
        (about 1,000 of them per ten focus changes). This prunes the same list in
        the same way (Textual 8.2.8's ``Reactive._check_watchers``), without
        the change.
        """
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:
            watchers[:] = [
                (node, callback) for node, callback in watchers if not node._closing
            ]

    def on_resize(self) -> None:
        """Choose again the keys that fit."""
        self.fit_keys()

    def fit_keys(self) -> None:
        """Show the keys that fit whole, in order; hide the rest.

        The palette's key shows only when every other key fits beside it.
        """
        room = self.size.width
        if not room:
            return  # not laid out yet: the first resize fits them
        keys = list(self.query_children(FooterKey))
        palette = [key for key in keys if key.has_class("-command-palette")]
        ordered = [key for key in keys if key not in palette]
        widths = [_width(key) for key in ordered]
        palette_width = sum(_width(key) for key in palette)
        show_palette = sum(widths) + palette_width <= room
        for key in palette:
            key.display = show_palette
        if show_palette:
            room -= palette_width
        fits = True
        for key, width in zip(ordered, widths, strict=True):
            fits = fits and width <= room
            room -= width if fits else 0
            key.display = fits
