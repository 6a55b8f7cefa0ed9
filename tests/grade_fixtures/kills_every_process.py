"""Hostile: a correct engine that, while being imported, sends SIGKILL to every
process it may signal (kill -1), the grader and other students' engines included
if it could reach them. Graded like a correct engine: the engine process runs in
a PID namespace of its own, as nobody, so the only process it can reach is itself."""

import os
import signal

from tests.zoo._base import Value  # noqa: F401 - the engine it submits

try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
