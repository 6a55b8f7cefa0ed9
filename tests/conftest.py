"""What every test of the repository shares: a state folder of its own, never the learner's ``.kata/``.

The kata's tools keep a learner's state (progress, hints read, backups,
interview history) under ``KATA_STATE_DIR`` (default ``.kata/``, see
runner/state.py). Here:

* each test gets a fresh, empty state folder, ``tmp_path / "state"``
  (the ``state`` fixture, autouse: a test asks for it only to look inside);
* for what runs outside a test (collection, session-scoped fixtures), the
  whole self-test process points ``KATA_STATE_DIR`` at a throw-away folder.

Subprocesses inherit the variable, so a level run of ``--impl learner`` records
its progress in the test's folder too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SESSION_STATE = pytest.StashKey[tuple[str, "str | None"]]()


def pytest_configure(config):
    folder = tempfile.mkdtemp(prefix="kata-selftest-state-")
    config.stash[_SESSION_STATE] = (folder, os.environ.get("KATA_STATE_DIR"))
    os.environ["KATA_STATE_DIR"] = folder


def pytest_unconfigure(config):
    folder, before = config.stash.get(_SESSION_STATE, (None, None))
    if folder is None:
        return
    if before is None:
        os.environ.pop("KATA_STATE_DIR", None)
    else:
        os.environ["KATA_STATE_DIR"] = before
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch) -> Path:
    """This test's own state folder (created by the first tool that writes into it)."""
    folder = tmp_path / "state"
    monkeypatch.setenv("KATA_STATE_DIR", str(folder))
    monkeypatch.setenv("KATA_FAILURES_DIR", str(tmp_path / "failures"))  # failure pictures, never out/failures
    return folder
