"""The Gradescope autograder, run the way Gradescope runs it: ``nox -s grade_e2e`` (as root).

For each bundle (levels 1-2 and 1-4 by default), in a mount namespace of its
own (``unshare --mount --propagation private``) with a scratch tmpfs at
``/autograder`` that vanishes with it:

1. the zip of ``nox -s grade -- --bundle`` is unpacked into ``/autograder/source``;
2. ``setup.sh`` runs once, as root, as when Gradescope builds its image (its
   apt step may add Debian packages to this machine). Its PyTorch line names
   PyTorch's own CPU index, which this machine cannot reach: for this run only,
   that one line installs the same pinned ``torch==2.13.0`` from the package
   index instead (docs/instructors.md);
3. ``run_autograder`` runs once per submission, the student's files in
   ``/autograder/submission``: a correct engine, a one-bug engine, an engine
   that crashes the interpreter, and a hostile one that forges results;
4. each ``/autograder/results/results.json`` is checked against Gradescope's
   format (tools/grade/gradescope.py) and against what the submission earns.

It prints the time of each step (what a student costs, docs/instructors.md)
and exits non-zero on any problem. ``--levels 1-2`` runs one bundle only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runner.manifest import ROOT
from tools.grade import bundle, gradescope

INSIDE = "KATA_GRADE_E2E_INSIDE"  # set in the private mount namespace
AUTOGRADER = Path("/autograder")
TORCH_INDEX = re.compile(r"^(?P<pip>\S+/pip install \S*torch\S*) --index-url https://download\.pytorch\.org/whl/cpu$",
                         re.MULTILINE)
# Gradescope's environment is not this one: a plain root shell
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
       "DEBIAN_FRONTEND": "noninteractive"}
SETUP_TIMEOUT = 1800
RUN_TIMEOUT = 3600


def _flat(path: Path) -> str:
    """A zoo engine as one file: its base (tests/zoo/_base.py) pasted where it is imported.
    A student submits value.py (and nn.py) alone; the bundle holds none of the repository's tests."""
    base = (ROOT / "tests" / "zoo" / "_base.py").read_text()
    text = path.read_text()
    for line, glue in (("from tests.zoo._base import Value as _Base", "\n_Base = Value\n"),
                       ("from tests.zoo._base import Value", "\n")):
        if line in text:
            return text.replace(line, base + glue, 1)
    return text


def submissions() -> dict[str, dict[str, str]]:
    """Each kind of submission: its files (name -> text)."""
    nn = (ROOT / "reference" / "nn.py").read_text().replace("from .engine import Value", "from .value import Value")
    return {
        "correct": {"value.py": (ROOT / "reference" / "engine.py").read_text(), "nn.py": nn},
        "one_bug": {"value.py": _flat(ROOT / "tests" / "zoo" / "relu_derivative_always_one.py"), "nn.py": nn},
        "crashing": {"value.py": _flat(ROOT / "tests" / "grade_fixtures" / "deep_recursion_crash.py")},
        "hostile": {"value.py": _flat(ROOT / "tests" / "grade_fixtures" / "forges_a_report.py")},
    }


def earned(kind: str, results: dict) -> list[str]:
    """What the submission's results.json must say, beyond the format."""
    tests = results.get("tests", [])
    score, total = results.get("score"), len(tests)
    out = []
    if total == 0 or score != sum(t.get("score", 0) for t in tests):
        out.append(f"score {score} is not the sum of {total} tests' scores")
    expect = {"correct": score == total, "one_bug": 0 < (score or 0) < total, "crashing": (score or 0) < total,
              "hostile": score == 0}[kind]
    if not expect:
        out.append(f"a {kind} engine scored {score} of {total}")
    if kind == "crashing" and "engine process ended" not in results.get("output", ""):
        out.append("the output does not say the engine process ended")
    if kind != "correct" and "Next:" not in results.get("output", ""):
        out.append("the output does not say what to do next")
    return out


def _run(cmd: list[str], timeout: float, log: Path, cwd: Path | str = "/") -> tuple[int, float]:
    # apt waits for another apt of this machine to finish (Gradescope builds its image alone)
    apt = log.parent / "apt.conf"
    apt.write_text('DPkg::Lock::Timeout "900";\n')
    started = time.monotonic()
    with log.open("ab") as f:
        try:
            code = subprocess.run(cmd, cwd=cwd, env=dict(ENV, APT_CONFIG=str(apt)), stdout=f,
                                  stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            code = -1
    return code, time.monotonic() - started


def setup_script(text: str) -> tuple[str, int]:
    """setup.sh with its PyTorch line installing the pinned wheel from the package index; how many lines changed."""
    return TORCH_INDEX.subn(r"\g<pip>", text)


def one_bundle(levels: str, work: Path) -> dict:
    """Inside the namespace: the bundle for ``levels``, unpacked, set up and run on every submission."""
    record: dict = {"levels": levels, "problems": [], "runs": {}}
    lv = tuple(range(int(levels[0]), int(levels[-1]) + 1))
    zipped = bundle.make(work / f"autograder-{levels}.zip", lv)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6g,mode=755", "autograder", str(AUTOGRADER)], check=True)
    try:
        source = AUTOGRADER / "source"
        shutil.unpack_archive(zipped, source)
        for name in ("setup.sh", "run_autograder"):
            (source / name).chmod(0o755)
        setup, changed = setup_script((source / "setup.sh").read_text())
        if changed != (1 if max(lv) >= 3 else 0):
            record["problems"].append(f"setup.sh: {changed} PyTorch line(s) replaced, expected {int(max(lv) >= 3)}")
        (source / "setup.sh").write_text(setup)
        log = work / f"setup-{levels}.log"
        code, record["setup_seconds"] = _run(["bash", str(source / "setup.sh")], SETUP_TIMEOUT, log, source)
        if code != 0:
            record["problems"].append(f"setup.sh exited with {code}: see {log}")
            return record
        shutil.copy(source / "run_autograder", AUTOGRADER / "run_autograder")
        for kind, files in submissions().items():
            record["runs"][kind] = run_one(kind, files, levels, work)
            record["problems"] += [f"{kind}: {p}" for p in record["runs"][kind]["problems"]]
    finally:
        subprocess.run(["umount", "-l", str(AUTOGRADER)], check=False)
    return record


def run_one(kind: str, files: dict[str, str], levels: str, work: Path) -> dict:
    for folder in ("submission", "results"):
        shutil.rmtree(AUTOGRADER / folder, ignore_errors=True)
        (AUTOGRADER / folder).mkdir()
    for name, text in files.items():
        (AUTOGRADER / "submission" / name).write_text(text)
    log = work / f"run-{levels}-{kind}.log"
    code, seconds = _run([str(AUTOGRADER / "run_autograder")], RUN_TIMEOUT, log, AUTOGRADER)
    out = {"seconds": round(seconds, 1), "exit": code, "problems": []}
    path = AUTOGRADER / "results" / "results.json"
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        out["problems"].append(f"no readable results.json ({type(e).__name__}); run_autograder exited {code}: {log}")
        return out
    shutil.copy(path, work / f"results-{levels}-{kind}.json")
    table = AUTOGRADER / "results" / "kata" / "class.csv"  # the seconds per level
    if table.exists():
        shutil.copy(table, work / f"class-{levels}-{kind}.csv")
    out["score"], out["max_score"] = results.get("score"), len(results.get("tests", []))
    out["problems"] = gradescope.problems(results) + earned(kind, results)
    if code != 0:
        out["problems"].append(f"run_autograder exited with {code}: {log}")
    return out


def inside(levels: list[str], work: Path) -> int:
    report = [one_bundle(lv, work) for lv in levels]
    (work / "e2e.json").write_text(json.dumps(report, indent=1))
    return 0


def show(report: list[dict], work: Path, seconds: float) -> int:
    problems = []
    for r in report:
        print(f"levels {r['levels']}: setup.sh {r.get('setup_seconds', 0):.0f} s")
        for kind, run in r["runs"].items():
            print(f"  {kind:<9} {run.get('score', '-')!s:>3}/{run.get('max_score', '-')!s:<3} "
                  f"run_autograder {run['seconds']:.0f} s")
        problems += [f"levels {r['levels']}: {p}" for p in r["problems"]]
    print(f"whole run: {seconds:.0f} s; logs and results in {work}")
    for p in problems:
        print(f"PROBLEM {p}")
    print("every results.json is in Gradescope's format and scores what its engine earns" if not problems
          else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="nox -s grade_e2e --", description=__doc__.splitlines()[0])
    p.add_argument("--levels", action="append", choices=("1-2", "1-3", "1-4"),
                   help="a bundle to run (repeatable; default 1-2 and 1-4)")
    p.add_argument("--work", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    levels = args.levels or ["1-2", "1-4"]
    if os.environ.get(INSIDE):
        return inside(levels, args.work)
    if os.geteuid() != 0:
        print("nox -s grade_e2e runs setup.sh and run_autograder as Gradescope does: as root "
              "(a container or a throw-away machine)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="kata-grade-e2e-"))
    made = not AUTOGRADER.exists()  # a mount point; the namespace's tmpfs covers whatever is there
    AUTOGRADER.mkdir(exist_ok=True)
    started = time.monotonic()
    try:
        cmd = ["unshare", "--mount", "--propagation", "private", sys.executable, "-m", "tests.grade_e2e",
               "--work", str(work), *[f"--levels={lv}" for lv in levels]]
        code = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, **{INSIDE: "1"})).returncode
    finally:
        if made:
            AUTOGRADER.rmdir()
    if code != 0 or not (work / "e2e.json").exists():
        print(f"the run in the private namespace failed (exit {code}); logs in {work}", file=sys.stderr)
        return 1
    return show(json.loads((work / "e2e.json").read_text()), work, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
