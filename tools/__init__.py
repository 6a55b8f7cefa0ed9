"""The learner's tools around the kata, one module (or package) per nox session (``nox -l``):

``hints``, ``progress``, ``carry``, ``backups`` (restore), ``watch``, ``compare``, ``plots``, ``graph``,
``interview``, ``bughunt``, and for instructors ``grade``; ``clock`` shows times for them.
Each runs as ``python -m tools.<name>``. Imports ``runner`` and ``utils``.
"""
