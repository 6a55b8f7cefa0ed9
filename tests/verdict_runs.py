"""Are the self-test's verdicts the same from run to run? Every engine, several fresh runs, compared.

    python -m tests.verdict_runs --runs 3 [--jobs 2] [--only NAME ...]

Runs, ``--runs`` times each and every time in a fresh pytest process, what the
self-test runs: every zoo entry at the level that must reject it (with the
options ``tests/test_zoo.py`` uses) and every correct engine of
``tests/claims.py`` at the level it claims. A run's verdict is the outcome of
every test that ran, and the first failure's message as ``said()`` reads it.
Prints one line per engine and exits 1 when any engine's verdict differs
between its runs. It takes minutes per run: it is a measurement a maintainer
makes after changing how tests order or draw their graphs
(docs/verdicts.md), not part of ``nox -s selftest``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from tests.claims import CLAIMS, written
from tests.kata_runs import LevelRun, run_level
from tests.test_zoo import LEVELS, WRONG, _failed, _run, said


def verdict(run: LevelRun) -> tuple:
    failed = _failed(run)
    first = said(run, failed[0]) if failed else ""
    return run.returncode != 0, tuple(sorted(run.outcomes.items())), first


def jobs(only: list[str]) -> dict[str, callable]:
    todo = {}
    for engine in WRONG:
        if engine.rejected_by in LEVELS:
            todo[f"zoo/{engine.name}"] = lambda e=engine: _run(e)
    for claim in CLAIMS:
        todo[f"claim/{claim.impl}"] = lambda c=claim: run_level(written(c.level), c.impl)
    return {k: v for k, v in todo.items() if not only or any(o in k for o in only)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.verdict_runs", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2, help="engines run at once (each run is its own process)")
    p.add_argument("--only", nargs="*", default=[], help="engines whose name contains one of these")
    args = p.parse_args(argv)
    todo = jobs(args.only)
    start = time.monotonic()
    tasks = [(name, i) for i in range(args.runs) for name in todo]
    with ThreadPoolExecutor(args.jobs) as pool:
        done = list(pool.map(lambda t: (t[0], verdict(todo[t[0]]())), tasks))
    seen: dict[str, list[tuple]] = {}
    for name, v in done:
        seen.setdefault(name, []).append(v)
    differ = 0
    for name, verdicts in seen.items():
        same = len(set(verdicts)) == 1
        differ += not same
        rejected, outcomes, first = verdicts[0]
        passed = sum(1 for _, o in outcomes if o == "passed")
        line = f"{'same' if same else 'DIFFERS'}  {name}: {'rejected' if rejected else 'passed'}, " \
               f"{passed}/{len(outcomes)} tests pass"
        print(line + (f"; first failure says: {first.splitlines()[0][:90]}" if first else ""))
        if not same:
            for i, (rej, out, fst) in enumerate(verdicts, 1):
                bad = [t.split("::")[-1] for t, o in out if o != "passed"]
                print(f"    run {i}: {'rejected' if rej else 'passed'}; not passed: {bad}; says: {fst[:200]!r}")
    minutes = (time.monotonic() - start) / 60
    print(f"{len(seen)} engines x {args.runs} fresh runs in {minutes:.1f} min: "
          f"{len(seen) - differ} the same every run, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
