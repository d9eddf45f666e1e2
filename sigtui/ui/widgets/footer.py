"""The key footer, without the watcher leak of Textual 8.2.8's own.

Textual's Footer rebuilds its keys whenever the bindings change (every dialog
opened or closed, every focus change), and each new key registers a watcher
on the footer's ``compact`` setting. Watchers of removed keys are dropped only
when ``compact`` changes, which in sigtui never happens, so each dialog left
about two dozen dead keys in memory: 7 MiB a minute in a soak test that opens
the signal picker every five seconds (Textual issue #6666).
"""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that lets go of the keys it no longer shows."""

    async def recompose(self) -> None:
        """Rebuild the keys, then drop the watchers of the removed ones."""
        await super().recompose()
        # Setting compact to a new value runs Textual's own clean-up of the
        # watchers of closed widgets; setting it back restores the look.
        compact = self.compact
        self.compact = not compact
        self.compact = compact
