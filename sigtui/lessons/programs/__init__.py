"""The lessons' own processes: small stdlib-only programs started by a run.

Each is a module run as ``python -m sigtui.lessons.programs.NAME`` (importing
one does nothing), except ``groups.sh``, a shell script run by ``/bin/sh``.
"""
