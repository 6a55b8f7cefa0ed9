"""The grader's options: one parser, read by the grader and by the noxfile (which PyTorch needs).

Standard library only, so ``nox -s grade`` can read ``--levels`` before any
environment exists.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runner import manifest
from tools.grade import sandbox

DESCRIPTION = "Grade a class: nox -s grade -- SUBMISSIONS --out DIR [--levels 1-3] [--hidden-seed N]."


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
    p = argparse.ArgumentParser(prog="nox -s grade --", description=DESCRIPTION)
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
