"""The hunts: one module per hunt in ``hunts/``, numbered in order of difficulty.

A hunt module is data. Its docstring is the lesson (shown once the hunt is
solved); its constants say

    TITLE       a few words for menus
    DIFFICULTY  1 (a glance) to 5 (needs a tool and a theory)
    LEVEL       what proves the fix: a kata level (the tests of levels 1..LEVEL run), or the name of a
                follow-up stage of levels.toml (its tests run, on the engine of the last level)
    FILE        the file of the hunt folder that holds the bug: value.py or nn.py
    WHERE       the function the fix belongs in ("Value.__mul__", "train_step")
    SYMPTOM     what an interviewer would say
    HINTS       three tiers: where to look with which tool, what to suspect, the fix
    BUGGY       the planted lines, and
    FIX         the lines of the reference they replace (so FIX is the answer)
    EXTRA       optional (old, new) replacements elsewhere that the bug needs (an import)
    GRAPH       optional: the arguments of ``nox -s graph --`` that draw the symptom (with ``--check``)

A hunt is planted by replacing FIX with BUGGY in a copy of the reference
(``reference/engine.py`` for value.py, ``reference/nn.py`` for nn.py).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

from runner import manifest

HUNTS_PACKAGE = "tools.bughunt.hunts"
SOURCES = {"value.py": manifest.ROOT / "reference" / "engine.py", "nn.py": manifest.ROOT / "reference" / "nn.py"}


@dataclass(frozen=True)
class Hunt:
    number: int
    slug: str  # the module name without its number: "mul_operand"
    title: str
    difficulty: int
    level: int | str  # a level's number, or a follow-up stage's name
    file: str
    where: str
    symptom: str
    hints: tuple[str, ...]
    buggy: str
    fix: str
    lesson: str
    extra: tuple[tuple[str, str], ...] = field(default=())
    graph: str = ""  # an expression (and --at) whose graph shows the symptom

    @property
    def files(self) -> tuple[str, ...]:
        """The files of the hunt folder: the engine, and the network for level-4 hunts."""
        needs_network = isinstance(self.level, str) or self.level >= 4  # a stage runs on the last level's files
        return ("value.py", "nn.py") if needs_network or self.file == "nn.py" else ("value.py",)

    @property
    def judged_by(self) -> str:
        """What the check runs, in words: "levels 1-3", "level 4" (a network's bug), "stage softmax"."""
        if isinstance(self.level, str):
            return f"stage {self.level}"
        return f"level {self.level}" if self.file == "nn.py" else f"levels 1-{self.level}"

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


def _load(name: str) -> Hunt:
    module = importlib.import_module(f"{HUNTS_PACKAGE}.{name}")
    prefix, _, slug = name.partition("_")
    lesson = (module.__doc__ or "").strip().replace("``", "`")
    return Hunt(
        number=int(prefix.lstrip("h")),
        slug=slug,
        title=module.TITLE,
        difficulty=int(module.DIFFICULTY),
        level=module.LEVEL if isinstance(module.LEVEL, str) else int(module.LEVEL),
        file=module.FILE,
        where=module.WHERE,
        symptom=module.SYMPTOM,
        hints=tuple(module.HINTS),
        buggy=module.BUGGY,
        fix=module.FIX,
        lesson=lesson,
        extra=tuple(tuple(pair) for pair in getattr(module, "EXTRA", ())),
        graph=getattr(module, "GRAPH", ""),
    )


def hunts() -> list[Hunt]:
    """Every hunt, in order of number."""
    folder = Path(__file__).parent / "hunts"
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("h"))
    return sorted((_load(n) for n in names), key=lambda h: h.number)


def hunt(key: str | int) -> Hunt:
    """A hunt by number ("3") or slug ("tanh_chain"); ValueError names the choices."""
    everything = hunts()
    for h in everything:
        if str(key) in (str(h.number), h.slug):
            return h
    raise ValueError(f"no hunt {key!r}: choose 1-{len(everything)} (nox -s bughunt -- --list)")
