"""Runs of the kata that read like a learner's screen, and an engine file loaded as a module.

The engines with one planted mistake are the catalogue's patches: ``tests.catalogue.patched(name, folder)``.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
from pathlib import Path

from runner import manifest

ROOT = manifest.ROOT
_counter = itertools.count()


def load_value(path: Path) -> type:
    spec = importlib.util.spec_from_file_location(f"_feedback_engine_{next(_counter)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Value


def kata(level: int, impl: str | Path, *args: str, state: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m pytest katas --level N --impl IMPL ARGS`` from the repository root, as a learner types it."""
    env = dict(os.environ, KATA_STATE_DIR=str(state), PYTHONDONTWRITEBYTECODE="1", COLUMNS="120")
    env.pop("PYTEST_ADDOPTS", None)
    cmd = [sys.executable, "-m", "pytest", "katas", f"--level={level}", f"--impl={impl}", "-p", "no:cacheprovider",
           "-p", "no:xdist", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    proc.output = proc.stdout + proc.stderr
    return proc


def failure_blocks(output: str) -> dict[str, str]:
    """Test name -> the text pytest printed under its ``____ name ____`` header."""
    blocks, name, lines = {}, None, []
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("___") and stripped.endswith("___") and " " in stripped:
            if name:
                blocks[name] = "\n".join(lines)
            name, lines = stripped.strip("_ "), []
        elif stripped.startswith("===") and name:
            blocks[name] = "\n".join(lines)
            name, lines = None, []
        elif name:
            lines.append(line)
    if name:
        blocks[name] = "\n".join(lines)
    return blocks
