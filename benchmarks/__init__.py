"""Speed goals, measured beside their anchors (see README.md here)."""

from sigtui.ui import before_textual

# The benchmarks that run the app in this process (ui.py, the suite) see it as
# the command line starts it: at its frame rate, which Textual reads on
# import, and with asyncio imported without OpenSSL.
before_textual()
