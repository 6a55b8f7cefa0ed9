"""The scripts of a staged attempt, made of the stages of the one manifest (``levels.toml``, ``[[stage]]``).

A *script* is an ordered list of stages. The default script (``full``) is the
stages marked ``default``; ``--stages a,b,c`` picks others, in that order.
A script that starts with the core starts from the pristine level-2 stub; one
without it ("level 5: beyond the engine") starts from the learner's finished
engine (or the reference), since its stages build on a working ``Value``.
"""

from __future__ import annotations

from pathlib import Path

from runner import manifest
from runner.manifest import Stage, stages

__all__ = ["Stage", "stages", "CORE", "ScriptError", "default_script", "parse", "script_name", "start_file", "minutes"]

CORE = "core"


class ScriptError(ValueError):
    """A script that cannot be played; the message is one line for the learner."""


def default_script() -> list[Stage]:
    return [s for s in stages().values() if s.default]


def parse(spec: str) -> list[Stage]:
    """``"core,ops,softmax"`` -> those stages in that order; ScriptError names the known ones."""
    names = [n.strip().lower() for n in spec.split(",") if n.strip()]
    known = stages()
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ScriptError(f"unknown stage {', '.join(unknown) or '(none given)'}; the stages are {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ScriptError(f"a stage is listed twice in {spec!r}")
    if CORE in names and names[0] != CORE:
        raise ScriptError("the core comes first: every other stage builds on it")
    return [known[n] for n in names]


def script_name(script: list[Stage]) -> str:
    """What the history calls it: ``full`` for the default script, else the stage names."""
    names = [s.name for s in script]
    if names == [s.name for s in default_script()]:
        return "full"
    return ("" if names[0] == CORE else "5:") + ",".join(names)


def start_file(script: list[Stage], from_reference: bool = False) -> Path:
    """The file the attempt starts from."""
    if script[0].name == CORE:
        return manifest.level(script[0].level).stub_path / "value.py"
    if from_reference:
        return manifest.ROOT / "reference" / "engine.py"
    return manifest.levels()[-1].learner_files[0]


def minutes(script: list[Stage]) -> float:
    return sum(s.minutes for s in script)
