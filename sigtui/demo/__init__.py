"""The instrumented demo child, its protocol, and the supervisor that runs it.

``child.py`` and ``protocol.py`` use the standard library only.
"""
