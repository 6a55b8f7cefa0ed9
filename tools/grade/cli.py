"""Grade a class: ``nox -s grade -- SUBMISSIONS --out DIR [--levels 1-3] [--hidden-seed N]``.

Each submission's engine runs in a sandboxed process of its own; the level
tests run in a trusted process beside it (tools/grade/score.py). Written to DIR:
``<student>/results.json`` (Gradescope's format) and ``class.csv``; a table is
printed. ``--bundle OUT.zip`` makes a Gradescope autograder instead
(tools/grade/bundle.py). docs/instructors.md has the whole story.
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console

from runner import manifest
from tools.grade import bundle, discover, report, sandbox, score


def levels_arg(text: str) -> tuple[int, ...]:
    first, _, last = text.partition("-")
    try:
        lo, hi = int(first), int(last or first)
        for n in (lo, hi):
            manifest.level(n)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text}: expected levels such as 1-3 ({e})") from None
    if lo > hi:
        raise argparse.ArgumentTypeError(f"{text}: the first level comes first")
    return tuple(range(lo, hi + 1))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nox -s grade --", description=__doc__.split("\n\n")[0])
    p.add_argument("submissions", nargs="*", type=Path,
                   help="a folder of submissions, or submissions (a .py file, a kata-like folder, a clone)")
    p.add_argument("--out", type=Path, help="where results go (DIR/<student>/results.json, DIR/class.csv)")
    p.add_argument("--levels", type=levels_arg, default=levels_arg("1-3"),
                   help="the levels to grade, e.g. 1-3 (default) or 1-4 (level 4 needs nn.py)")
    p.add_argument("--hidden-seed", type=int, default=None,
                   help="hidden cases: hypothesis draws its examples from this seed instead of the public ones")
    p.add_argument("--single", action="store_true",
                   help="the one path given is one student, whatever it holds (Gradescope's submission folder)")
    p.add_argument("--results", type=Path, default=None,
                   help="with one submission: also write its results.json here (Gradescope reads "
                        "/autograder/results/results.json)")
    p.add_argument("--jobs", type=int, default=1, help="students graded at once (default 1)")
    p.add_argument("--memory-mb", type=int, default=sandbox.Limits.memory_mb, help="engine address space")
    p.add_argument("--cpu-seconds", type=int, default=sandbox.Limits.cpu_seconds, help="CPU time per engine process")
    p.add_argument("--answer-timeout", type=float, default=sandbox.Limits.answer_timeout,
                   help="seconds to wait for one answer of an engine (an import, a backward()) before restarting it")
    p.add_argument("--test-timeout", type=float, default=sandbox.Limits.test_timeout,
                   help="seconds per test (default 600: an engine behind a pipe is slower than in the learner's run)")
    p.add_argument("--run-timeout", type=float, default=3600, help="seconds for one student's whole run")
    p.add_argument("--bundle", type=Path, default=None, metavar="OUT.zip",
                   help="write a Gradescope autograder zip (setup.sh, run_autograder) and stop")
    return p


def _not_dumpable() -> None:
    """Other processes of this user may not read this one's memory or open its pipes (/proc/PID/fd)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console()
    if args.bundle:
        path = bundle.make(args.bundle, args.levels, args.hidden_seed)
        console.print(f"Gradescope autograder written: {path}  (docs/instructors.md says how to upload it)")
        return 0
    if not args.submissions or args.out is None:
        parser().error("give SUBMISSIONS and --out DIR (or --bundle OUT.zip)")
    _not_dumpable()
    if args.single:
        subs = [discover.one(args.submissions[0].resolve())
                or discover.Submission("submission", args.submissions[0], "folder",
                                       problem="no value.py was submitted")]
    else:
        subs = discover.discover(args.submissions)
    if args.results and len(subs) != 1:
        parser().error("--results needs exactly one submission")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    limits = sandbox.Limits(memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                            answer_timeout=args.answer_timeout, test_timeout=args.test_timeout)
    console.print(f"{len(subs)} submission(s), levels {args.levels[0]}-{args.levels[-1]}"
                  + (f", hidden seed {args.hidden_seed}" if args.hidden_seed is not None else "")
                  + f"; engines confined by: {sandbox.isolation()}")
    tests = score.inventory(max(args.levels))
    scratch = Path(tempfile.mkdtemp(prefix="kata-grade-"))
    scratch.chmod(0o711)

    def one(sub: discover.Submission) -> score.Grade:
        g = score.grade(sub, args.levels, tests, scratch / sub.name, limits, args.hidden_seed, args.run_timeout)
        path = report.write_student(g, out / sub.name, hidden=args.hidden_seed is not None)
        console.print(f"  {sub.name}: {g.score}/{g.max_score}  ({g.seconds:.0f} s)  -> {path}")
        return g

    try:
        with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            grades = list(pool.map(one, subs))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.write_class(grades, out / "class.csv")
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(out / grades[0].submission.name / "results.json", args.results)
    report.table(grades, console)
    console.print(f"class.csv: {out / 'class.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
