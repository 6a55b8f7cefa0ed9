"""Watch mode: a change re-runs the level; a file that does not parse is shown and the watcher keeps going."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time

import pytest

from tests.catalogue import REFERENCE, patched
from tests.feedback_helpers import ROOT

pytest.importorskip("watchfiles")


def test_watch_reruns_on_change_and_survives_a_syntax_error(tmp_path):
    path = tmp_path / "value.py"
    path.write_text((ROOT / "stubs/level1/value.py").read_text())
    env = dict(os.environ, KATA_STATE_DIR=str(tmp_path / "state"), KATA_NO_CLEAR="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "tools.watch", "--level", "1", "--max-runs", "3",
                             f"--impl={path}", "-q", "-p", "no:cacheprovider", "-k", "add_computes_data"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    seen: list[str] = []

    def wait_for(text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return
        proc.kill()
        raise AssertionError(f"no {text!r} within {timeout} s:\n" + "".join(seen[-60:]))

    try:
        wait_for("not written yet: level 1: Value.__add__")
        wait_for("watching value.py")
        time.sleep(0.5)
        path.write_text(patched("syntax_error", tmp_path / "broken").read_text())
        wait_for("value.py changed")
        wait_for("Your engine has a syntax error")
        wait_for("watching value.py")
        time.sleep(0.5)
        path.write_text(REFERENCE.read_text())
        wait_for("value.py changed")
        wait_for("1 passed")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_save_is_answered_first_then_completed(tmp_path):
    """With pytest's cache: the failing tests run first and stop at the first failure; then the rest.
    A save that fixes them says "passing so far" before the whole level's verdict."""
    path = tmp_path / "value.py"
    path.write_text((ROOT / "stubs/level1/value.py").read_text())
    env = dict(os.environ, KATA_STATE_DIR=str(tmp_path / "state"), KATA_NO_CLEAR="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "tools.watch", "--level", "1", "--max-runs", "2", f"--impl={path}",
                             "-q", "-o", f"cache_dir={tmp_path / 'cache'}", "-k", "add_computes_data or mul_computes"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "watching value.py" in line:
                path.write_text(REFERENCE.read_text())
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = "".join(seen)
    first, rest = text.split("the rest of level 1 follows", 1)
    assert "stopping after 1 failures" in first and "1 failed" in first, first
    assert "2 failed" in rest.split("watching value.py")[0], rest
    fixed = rest.split("value.py changed")[1]
    so_far, whole = fixed.split("passing so far", 1)
    assert "2 passed" in so_far and "2 passed" in whole, fixed
