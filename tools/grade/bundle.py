"""The Gradescope autograder: one zip, made by ``nox -s grade -- --bundle OUT.zip``.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once
to build the image, then ``run_autograder`` for every submission, with the
student's files in ``/autograder/submission``; it reads
``/autograder/results/results.json``. The zip holds the kata (the files git
tracks: the level tests, the runner, the library, this grader), ``setup.sh``
(Python, the kata's requirements, PyTorch's CPU build when level 3 or 4 is
graded) and ``run_autograder`` (the grader on that one submission).
"""

from __future__ import annotations

import shlex
import subprocess
import zipfile
from pathlib import Path

from runner import manifest

ROOT = manifest.ROOT
SKIP = (".git", ".kata", ".nox", "__pycache__", ".pytest_cache", ".hypothesis", "tests")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
{torch}/autograder/venv/bin/pip install {requirements}
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission; the student's files are in /autograder/submission.
cd /autograder/source
/autograder/venv/bin/python -m tools.grade /autograder/submission --single \\
    --out /autograder/results/kata --results /autograder/results/results.json {options}
"""


def files() -> list[Path]:
    """The kata's files, as git tracks them (or every file, outside a git checkout)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        paths = [ROOT / p for p in listed.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if p.is_file()]
    return sorted(p for p in paths if p.is_file() and not set(p.relative_to(ROOT).parts) & set(SKIP))


def requirements(levels: tuple[int, ...]) -> list[str]:
    project = manifest.tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["watch"])
    return reqs


def make(out: Path, levels: tuple[int, ...], hidden_seed: int | None = None) -> Path:
    torch = ""
    if any(manifest.level(n).needs_torch for n in levels):
        pin = next(r for r in manifest.tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"]["torch"])
        torch = (f"/autograder/venv/bin/pip install {shlex.quote(pin)} "
                 "--index-url https://download.pytorch.org/whl/cpu\n")
    options = f"--levels {levels[0]}-{levels[-1]}"
    if hidden_seed is not None:
        options += f" --hidden-seed {hidden_seed}"
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in files():
            z.write(path, path.relative_to(ROOT).as_posix())
        for name, text in (("setup.sh", SETUP.format(torch=torch, requirements=" ".join(
                shlex.quote(r) for r in requirements(levels)))), ("run_autograder", RUN.format(options=options))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable
            z.writestr(info, text)
    return out
