"""What one pytest run of the kata is about, kept in ``config.stash`` and shared by the plugin's modules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from runner import impl, manifest


@dataclass
class KataRun:
    """What this pytest run tests: a level (or a follow-up stage, on its level's engine) and an engine."""

    level: manifest.Level
    stage: manifest.Stage | None = None
    impl: impl.Implementation | None = None
    error: str | None = None  # why the engine could not be loaded


RUN = pytest.StashKey["KataRun | None"]()


def run_of(config) -> KataRun | None:
    return config.stash.get(RUN, None)


def load_error(config) -> str | None:
    run = run_of(config)
    return run.error if run is not None else None


def learner_files(config) -> set[str]:
    """The engine's files, resolved: frames in them are the learner's code."""
    run = run_of(config)
    if run is None or run.impl is None:
        return set()
    return {str(Path(p).resolve()) for p in run.impl.files.values()}
