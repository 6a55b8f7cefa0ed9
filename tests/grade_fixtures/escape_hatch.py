"""Imports the escape hatch instead of writing an engine. Graded as what it runs
(a finished engine) and marked: "imports the escape hatch"."""

from utils.autograd_stub import Value  # noqa: F401
