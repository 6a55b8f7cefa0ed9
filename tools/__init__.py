"""The learner's tools around the kata: hints, progress, carry, backups, watch, compare, plots, interview.

Each is a nox session (``nox -l``) and a module run with ``python -m tools.<name>``.
Imports ``runner`` and ``utils``.
"""
