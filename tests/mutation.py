"""Mutation testing of the reference engine against the level tests: ``nox -s mutation``.

    python -m tests.mutation                 # the highest level whose tests exist
    python -m tests.mutation --level 2       # levels 1-2 only
    python -m tests.mutation --keep          # keep the scratch copy (then: cd it && mutmut browse)
    python -m tests.mutation --strict        # exit 1 if a surviving mutant is not explained
    python -m tests.mutation --extra-tests new_tests.py   # do proposed tests kill the survivors?

mutmut (3.x) changes ``reference/engine.py`` (and ``reference/nn.py``, once it
exists) one small edit at a time, and runs ``pytest katas --level N --impl
reference`` against each mutant. A mutant the tests reject is killed; one they
pass survived, and is either a gap in the level tests or an equivalent change
(a free-form label, an error message). Everything happens in a scratch copy
of the repository, so no configuration lives in the repository and the
working tree is left as it was.

Prints the counts, the kill rate, and every surviving mutant as a diff, each
marked with the reason it is equivalent when one of EQUIVALENT explains it.
docs/mutation.md records the last run and what became of each survivor.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from runner import manifest

ROOT = manifest.ROOT
COPY = ["reference", "utils", "katas", "conftest.py", "pyproject.toml", "levels.toml"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".kata", "out")

# (function, pattern the mutated line matches, why the mutant behaves like the original).
# A rule names the function and the shape of the change, never mutmut's numbering,
# which shifts whenever the reference is edited.
EQUIVALENT = [
    (
        r".*",
        r'^\s*out = Value\(.*, "(XX.*XX|[A-Z*+]+)"\)$',
        "a different _op label: labels are free-form and no test may pin them",
    ),
    (
        r".*",
        r"^\s*raise (TypeError|ValueError)\((None|.*\{type\(None\)\.__name__\}.*)\)$",
        "the same exception with another message: the contract fixes the type, not the words",
    ),
    (
        r"__pow__",
        r"^\s*if isinstance\(k, Value\) and not isinstance\(k, Real\):$",
        "a Value exponent still raises TypeError: float ** Value has no operator to call",
    ),
    (r"relu", r"^\s*out = Value\(self\.data if self\.data >= 0 else 0\.0, .*\)$", "relu(0) is 0.0 either way"),
    (
        r"__pow__",
        r"^\s*if self\.data <= 0 and k != int\(k\):$",
        (
            "0 ** k for 0 < k < 1 (infinite slope) is outside the contract: engines that store the local "
            "derivative raise ZeroDivisionError there, this mutant raises ValueError"
        ),
    ),
    (r"__neg__", r"^\s*return self / -1$", "x / -1 and x * -1 have the same value and derivative"),
    (
        r"hinge_loss",
        r"^.*\bsum\(.*, \)",
        "sum() starting from 0 instead of Value(0.0): 0 + Value is a Value through __radd__",
    ),
]


@dataclass
class Mutant:
    name: str  # e.g. reference.engine.xǁValueǁrelu__mutmut_10
    status: str  # killed, survived, no tests, timeout, ...
    diff: str = ""
    equivalent: str | None = None

    @property
    def function(self) -> str:
        base = self.name.split("ǁ")[-1] if "ǁ" in self.name else re.sub(r"^.*?\.x_", "", self.name)
        return re.sub(r"__mutmut_\d+$", "", base)


def highest_level_with_tests() -> int:
    return max(lv.number for lv in manifest.levels() if all(p.exists() for p in lv.test_files))


def scratch_copy(dest: Path, level: manifest.Level, extra_tests: list[Path] = ()) -> list[str]:
    """Copy what the level tests need into ``dest`` and configure mutmut there;
    ``extra_tests`` go into the level's folder of the copy, beside its own tests."""
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, dest / name)
    for path in extra_tests:
        shutil.copy2(path, dest / level.folder / path.name)
    sources = [p for p in ("reference/engine.py", "reference/nn.py") if (dest / p).exists()]
    if level.number < 4:
        sources = sources[:1]  # nn.py is tested by level 4 only
    isolation = "forkserver" if level.needs_torch else "fork"  # torch is not fork-safe
    cfg = [
        "[mutmut]",
        "source_paths=" + "\n    ".join(["", *sources]),
        "also_copy=\n    utils/\n    katas/\n    conftest.py\n    levels.toml",
        "pytest_add_cli_args_test_selection=\n    katas",
        # given to every pytest run, including those mutmut narrows to a few test ids
        f"pytest_add_cli_args=\n    --level={level.number}\n    --impl=reference\n    -p\n    no:cacheprovider",
        f"process_isolation={isolation}",
    ]
    (dest / "setup.cfg").write_text("\n".join(cfg) + "\n")
    return sources


def mutmut(cwd: Path, *args: str, capture: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args], cwd=cwd, text=True, capture_output=capture, check=False
    )


def read_results(cwd: Path) -> list[Mutant]:
    out = mutmut(cwd, "results", "--all", "true").stdout
    mutants = []
    for line in out.splitlines():
        m = re.fullmatch(r"\s*(\S+): (.+)", line)
        if m:
            mutants.append(Mutant(m.group(1), m.group(2).strip()))
    return mutants


def explain(mutant: Mutant) -> str | None:
    added = [ln[1:] for ln in mutant.diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    for function, pattern, reason in EQUIVALENT:
        if re.fullmatch(function, mutant.function) and added and all(re.match(pattern, a) for a in added):
            return reason
    return None


def report(mutants: list[Mutant], level: int, sources: list[str]) -> tuple[str, int]:
    counts = Counter(m.status for m in mutants)
    tested = [m for m in mutants if m.status != "no tests"]
    caught = [m for m in tested if m.status in ("killed", "timeout", "segfault")]
    survived = [m for m in tested if m.status == "survived"]
    equivalent = [m for m in survived if m.equivalent]
    gaps = [m for m in survived if not m.equivalent]
    lines = [f"Mutation testing of {', '.join(sources)} against levels 1-{level} (mutmut)", ""]
    lines += [f"  {n:4d} {status}" for status, n in counts.most_common()]
    lines.append("")
    if tested:
        lines.append(
            f"kill rate: {len(caught)}/{len(tested)} = {len(caught) / len(tested):.1%} of the mutants the tests reach"
        )
        real = len(tested) - len(equivalent)
        if real:
            lines.append(
                f"           {len(caught)}/{real} = {len(caught) / real:.1%} leaving out "
                f"{len(equivalent)} equivalent mutants"
            )
    untested = sorted({m.function for m in mutants if m.status == "no tests"})
    if untested:
        lines.append(f"no level test reaches: {', '.join(untested)} (reference extras, not part of any level)")
    for title, group in (("SURVIVED, not explained (a gap in the tests?)", gaps), ("SURVIVED, equivalent", equivalent)):
        if group:
            lines += ["", f"{title}: {len(group)}"]
        for m in group:
            lines.append(f"\n# {m.name}" + (f"\n#   equivalent: {m.equivalent}" if m.equivalent else ""))
            lines += [ln for ln in m.diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    return "\n".join(lines), len(gaps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s mutation --", description=__doc__.split("\n\n")[0])
    parser.add_argument("--level", type=int, default=None, help="run levels 1..N (default: every level with tests)")
    parser.add_argument("--max-children", type=int, default=None, help="parallel mutant runs (default: CPU count)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy and print where it is")
    parser.add_argument(
        "--extra-tests",
        type=Path,
        nargs="+",
        default=[],
        metavar="FILE",
        help="test files (test_*.py) to add to the level's tests in the scratch copy",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a surviving mutant is not explained")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("mutmut") is None:
        print("mutmut is not installed: run `nox -s mutation`, or pip install 'mutmut>=3.0'", file=sys.stderr)
        return 2
    level = manifest.level(args.level or highest_level_with_tests())
    scratch = Path(tempfile.mkdtemp(prefix="kata-mutation-"))
    try:
        sources = scratch_copy(scratch, level, [p.resolve() for p in args.extra_tests])
        run_args = ["run"] + ([f"--max-children={args.max_children}"] if args.max_children else [])
        print(f"mutating {', '.join(sources)}; each mutant runs the tests of levels 1-{level.number}", flush=True)
        run = mutmut(scratch, *run_args, capture=False)
        if run.returncode:
            print(f"mutmut run exited with {run.returncode}", file=sys.stderr)
            return run.returncode
        mutants = read_results(scratch)
        for m in mutants:
            if m.status == "survived":
                m.diff = mutmut(scratch, "show", m.name).stdout
                m.equivalent = explain(m)
        text, gaps = report(mutants, level.number, sources)
        print("\n" + text)
    finally:
        if args.keep:
            print(f"\nscratch copy kept in {scratch}  (cd there and run: mutmut browse)")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 1 if args.strict and gaps else 0


if __name__ == "__main__":
    sys.exit(main())
