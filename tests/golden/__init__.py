"""Golden screens: engines with the exact screen a learner sees for each (the failure blocks and the summary).

Each folder holds ``engine.py``, ``args`` (the level, then any pytest arguments, e.g. ``2 -k rtruediv``) and
``screen.txt``. ``screen(case)`` runs ``pytest katas --level N --impl engine.py`` as a learner would and keeps the
screen from the failures on, with only machine details normalised: the engine's path, the repository's
path, timings, the line numbers in the kata's test files (they move with every edit above them), the
picture's file type (SVG with graphviz, text without) and the width of pytest's rules. tests/test_golden.py compares; to regenerate after a deliberate change, run

    python -m tests.golden --update        # rewrites every screen.txt and shows the diff
    python -m tests.golden                 # shows the diff only

The screens are checked on the lowest and the highest hypothesis the kata supports (nox -s
feedback_versions). Where a hypothesis release shrinks a random example to another one, the case
keeps that release's screen beside the other, ``screen.hypothesis-X.Y.Z.txt``; ``--update`` run
on that release (``--update --variant`` for a case that has none yet) rewrites it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASES = sorted(p.name for p in HERE.iterdir() if (p / "engine.py").exists())


def screen(case: str) -> str:
    """What the learner sees for this case, normalised."""
    folder = HERE / case
    level, *extra = shlex.split((folder / "args").read_text())
    engine = folder / "engine.py"
    with tempfile.TemporaryDirectory(prefix="kata-golden-") as state:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "katas", f"--level={level}", f"--impl={engine}", "-p", "no:randomly",
             "-p", "no:cacheprovider", *extra],
            cwd=ROOT, capture_output=True, text=True, timeout=900,
            env={**os.environ, "KATA_STATE_DIR": state, "KATA_FAILURES_DIR": str(Path(state) / "failures"),
                 "COLUMNS": "120", "KATA_HYPOTHESIS_PROFILE": "learner"})
    return normalise(proc.stdout.replace(str(Path(state) / "failures"), "out/failures"), engine)


def normalise(text: str, engine: Path) -> str:
    for path in (str(engine), str(engine.relative_to(ROOT))):
        text = text.replace(path, "<engine>")
    text = text.replace(str(ROOT) + os.sep, "")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if " FAILURES " in line or " kata: level " in line), 0)
    lines = [re.sub(r" in [\d.]+s( \(\d+:\d+:\d+\))?", " in <time>", line) for line in lines[start:]]
    # the kata tests' line numbers move whenever a test above is edited: the file and the code line stay
    lines = [re.sub(r"(katas/level\d/test_level\d\.py):\d+", r"\1:<line>", line) for line in lines]
    # the failing graph's picture: an SVG where graphviz's dot is installed, else text, DOT and Mermaid files
    lines = [re.sub(r"^(  picture +\S+?)\.(svg|txt|dot|mmd|png)$", r"\1.<picture>", line) for line in lines]
    # a rule's width follows the length of its title, which holds a path: three characters either side
    lines = [re.sub(r"^([=_])\1+ (.*?) \1+$", lambda m: f"{m[1] * 3} {m[2]} {m[1] * 3}", line) for line in lines]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def expected_path(case: str, variant: bool = False) -> Path:
    """The screen kept for this case on the running hypothesis: its own variant if the case has one."""
    import hypothesis

    own = HERE / case / f"screen.hypothesis-{hypothesis.__version__}.txt"
    return own if variant or own.exists() else HERE / case / "screen.txt"


def main(argv: list[str]) -> int:
    import difflib

    update = "--update" in argv
    changed = 0
    for case in [a for a in argv if not a.startswith("-")] or CASES:
        path = expected_path(case, "--variant" in argv)
        old = path.read_text() if path.exists() else ""
        new = screen(case)
        diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), f"{case}/{path.name}", "now",
                                         lineterm=""))
        if diff:
            changed += 1
            print("\n".join(diff))
            if update:
                path.write_text(new)
        print(f"{case}: {'changed' + (', updated' if update else '') if diff else 'unchanged'}")
    return 1 if changed and not update else 0
