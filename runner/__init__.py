"""The kata runner: the levels manifest, the engine loader, the pytest plugin and what it says.

Imports ``utils`` (the learner's library); never imports ``tools``.
"""
