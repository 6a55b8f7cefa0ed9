"""Grade a class: ``nox -s grade -- SUBMISSIONS --out DIR [--levels 1-3] [--hidden-seed N]``.

Each submission's engine runs in a sandboxed process of its own; the level
tests run in a trusted process beside it (tools/grade/score.py). Written to DIR:
``<student>/results.json`` (Gradescope's format) and ``class.csv``; a table is
printed. ``--bundle OUT.zip`` makes a Gradescope autograder instead
(tools/grade/bundle.py). docs/instructors.md has the whole story.
"""

from __future__ import annotations

import ctypes
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console

from tools.grade import bundle, cost, discover, report, sandbox, score
from tools.grade.options import parser


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
    console.print(cost.estimate(args.levels, len(subs), args.jobs))
    pace = cost.Pace(len(subs))
    tests = score.inventory(max(args.levels))
    scratch = Path(tempfile.mkdtemp(prefix="kata-grade-"))
    scratch.chmod(0o711)

    def one(sub: discover.Submission) -> score.Grade:
        g = score.grade(sub, args.levels, tests, scratch / sub.name, limits, args.hidden_seed, args.run_timeout)
        path = report.write_student(g, out / sub.name, hidden=args.hidden_seed is not None)
        console.print(f"  {sub.name}: {g.score}/{g.max_score}  ({g.seconds:.0f} s)  -> {path}  [{pace.step()}]")
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
