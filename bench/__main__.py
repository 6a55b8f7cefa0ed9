"""``nox -s bench [-- OPTIONS]``: print the figures, the ratios and each target's PASS/FAIL.

    python -m bench                       # everything (a few minutes on a laptop)
    python -m bench --no-learner-loop     # skip the learner's loop (the levels, the tools, nox itself)
    python -m bench --markdown bench.md   # also write the tables as Markdown (for the README)
    python -m bench --quick               # small sizes, a smoke run (no learner's loop)

The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

from bench import Results, loop, run
from bench import loop as bench_loop

FAST, MICROGRAD, TORCH_SCALAR = "fast (escape hatch)", "micrograd 0.1.0", "torch scalar"
VECTORIZED, TORCH_BATCHED, REFERENCE = "vectorized (numpy)", "torch batched", "reference"
COMMAND = "nox -s bench -- --markdown bench.md"
LEVEL_GOALS = {3: 6, 4: 10}  # warm time of levels 1..N, in micrograd training steps
WATCH_GOAL = 2  # watch mode's first answer to a save, in micrograd training steps
SHOW_GOAL = 8  # a tool that trains for show, in micrograd training steps (timed in its own rounds)
TOOL_GOAL = 2  # first run of a standard-library tool session, in micrograd training steps
HANG_GOAL = 10  # seconds from a level-1 run whose backward() never ends to its screen, on an idle machine
FIRST_GOAL = 10  # the first nox -s level1 in a fresh clone, empty caches, in micrograd training steps


def ms(t: float | None) -> str:
    return "-" if t is None else f"{t * 1e3:,.2f} ms"


def targets(res: Results) -> list[tuple[str, str, bool | None]]:
    """(target, figure, met?) for each target of the issue; None when it could not be measured."""
    s = res.step
    out = []

    def ratio(a, b):
        return s[b] / s[a] if a in s and b in s else None

    r = ratio(FAST, MICROGRAD)
    out.append(("escape hatch >= 6x faster than micrograd (training step)",
                "-" if r is None else f"{r:.1f}x", None if r is None else r >= 6))
    r = ratio(FAST, TORCH_SCALAR)
    out.append(("escape hatch >= 3x faster than torch scalar tensors (training step)",
                "-" if r is None else f"{r:.1f}x", None if r is None else r >= 3))
    fwd, bwd, err = res.chain.get(FAST, (None, None, "not run"))
    out.append((f"{res.chain_n:,}-node chain: backward no slower than forward, no RecursionError",
                err or f"backward/forward = {bwd / fwd:.2f}", None if fwd is None else (not err and bwd <= fwd)))
    mem = res.memory.get(FAST, (None, None))[0]
    out.append(("<= 150 bytes per graph node", "-" if mem is None else f"{mem:.0f} B",
                None if mem is None else mem <= 150))
    r = ratio(TORCH_BATCHED, VECTORIZED)
    out.append(("vectorized solution within 3x of torch batched",
                "-" if r is None else f"{r:.2f}x torch's time", None if r is None else r <= 3))
    unit = res.loop_unit or s.get(MICROGRAD)
    for n, goal in LEVEL_GOALS.items():
        if n not in res.levels:
            continue
        t, err = res.levels[n]
        out.append((f"warm level {n} (levels 1-{n}'s tests, learner-speed engine) <= {goal} micrograd steps",
                    err or ("-" if unit is None else f"{t / unit:.1f} steps"),
                    False if err else (None if unit is None else t / unit <= goal)))
    for (name, n), (t, err) in res.zoo_levels.items():
        goal = LEVEL_GOALS.get(n)
        out.append((f"warm level {n} on the zoo's {name}.py <= {goal} micrograd steps",
                    err or ("-" if unit is None else f"{t / unit:.1f} steps"),
                    False if err else (None if unit is None else t / unit <= goal)))
    if res.hang is not None:
        t, err = res.hang
        out.append((f"a backward() that never ends at level 1: its screen <= {HANG_GOAL} s (idle machine)",
                    err or f"{t:.1f} s", not err and t <= HANG_GOAL))
    if res.crowd is not None:
        c = res.crowd
        load = "" if c["load"] is None else f", load {c['load']:.1f}"
        out.append((f"{c['runs']} level-{c['level']} runs at once on correct engines: every run green, no test stopped",
                    f"{c['runs'] - len(c['not green'])} of {c['runs']} green, slowest {c['slowest']:.0f} s{load}"
                    + "".join(f"; {x}" for x in c["not green"]), not c["not green"]))
    if res.first is not None:
        f = res.first
        out.append((f"first `nox -s level1` in a fresh clone, empty caches ({f['installer']}) <= {FIRST_GOAL} micrograd steps",
                    f["error"] or ("-" if unit is None else f"{f['seconds']:.1f} s, {f['seconds'] / unit:.1f} steps"),
                    False if f["error"] else (None if unit is None else f["seconds"] / unit <= FIRST_GOAL)))
    for name, t in res.watch.items():
        if "whole level" not in name:
            out.append((f"watch mode, level 4, {name} <= {WATCH_GOAL} micrograd steps",
                        "-" if unit is None else f"{t / unit:.1f} steps", None if unit is None else t / unit <= WATCH_GOAL))
    show_unit = res.shows.get(bench_loop.UNIT) or unit
    for name in bench_loop.SHOWS:
        if res.shows.get(name) is not None:
            t = res.shows[name]
            out.append((f"`{name}` <= {SHOW_GOAL} micrograd steps", "-" if show_unit is None else f"{t / show_unit:.1f} steps",
                        None if show_unit is None else t / show_unit <= SHOW_GOAL))
    for name, t in (res.tools or {}).items():
        out.append((f"first `nox -s {name}` <= {TOOL_GOAL} micrograd steps",
                    "-" if unit is None else f"{t / unit:.1f} steps", None if unit is None else t / unit <= TOOL_GOAL))
    loop = res.loop or {}
    if "nox" in loop:
        r = loop["nox"] / loop["pytest"]
        out.append(("warm `nox -s level1` <= 1.5x bare pytest", f"{r:.2f}x", r <= 1.5))
        for env, has in loop["torch"].items():
            shown = {None: f"no .nox/{env} yet", True: "torch installed", False: "no torch"}[has]
            out.append((f"`.nox/{env}` (levels 1-2) has no torch", shown, None if has is None else not has))
    else:
        out.append(("warm `nox -s level1` <= 1.5x bare pytest", loop.get("error", "not run"), None))
    return out


def times(r: float) -> str:
    return f"{r:.1f}x" if r >= 1 else f"{r:.2f}x"


def verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "not measured"}[ok]


def tables(res: Results) -> list[tuple[str, list[str], list[list[str]]]]:
    """The figures as (title, header, rows), shared by the terminal and the Markdown output."""
    base = res.step.get(FAST)
    step_rows = [[name, ms(t), times(t / base) if base else "-", res.notes.get(name, "")]
                 for name, t in res.step.items()]
    chain_rows = []
    for name in dict.fromkeys([*res.chain, *res.memory]):
        f, b, err = res.chain.get(name, (None, None, ""))
        built, after = res.memory.get(name, (None, None))
        chain_rows.append([name, ms(f), err or ms(b), "-" if built is None else f"{built:.0f}",
                           "-" if after is None else f"{after:.0f}"])
    out = [
        (f"One training step, MLP 2-16-16-1, {res.n_points} two-moons points (median of {res.repeats})",
         ["engine", "time per step", "x escape hatch", "how"], step_rows),
        (f"A chain of {res.chain_n:,} nodes, y = y * 0.999 + 0.001 (forward: building it; bytes per node: "
         f"on {max(res.chain_n, res.memory_n):,} nodes for {FAST}, {res.memory_n:,} for the others)",
         ["engine", "forward", "backward", "bytes per node", "... after backward"], chain_rows),
    ]
    unit = res.loop_unit or res.step.get(MICROGRAD)

    def steps(t):
        return "-" if unit is None else f"{t / unit:.1f}"

    if res.levels or res.tools or res.zoo_levels or res.first:
        rows = [[f"nox -s level{n} (warm): python -m pytest katas --level={n} --impl <learner-speed engine>",
                 ms(t) if not err else err, steps(t), str(LEVEL_GOALS.get(n, "-"))]
                for n, (t, err) in res.levels.items()]
        rows += [[f"nox -s level{n} (warm) on the zoo's {name}.py", ms(t) if not err else err, steps(t),
                  str(LEVEL_GOALS.get(n, "-"))] for (name, n), (t, err) in res.zoo_levels.items()]
        if res.first is not None:
            rows.append([f"first nox -s level1 in a fresh clone, empty pip and uv caches ({res.first['installer']})",
                         res.first["error"] or ms(res.first["seconds"]), steps(res.first["seconds"]), str(FIRST_GOAL)])
        rows += [[f"nox -s {' -- '.join([name, ' '.join(loop.STDLIB_TOOLS[name])]).strip(' -')} "
                  "(first run, in a fresh copy of the repository)",
                  ms(t), steps(t), str(TOOL_GOAL)] for name, t in (res.tools or {}).items()]
        show_unit = res.shows.get(bench_loop.UNIT) or unit
        rows += [[f"{name} (warm; its own rounds)", ms(res.shows[name]),
                  "-" if show_unit is None else f"{res.shows[name] / show_unit:.1f}", str(SHOW_GOAL)]
                 for name in bench_loop.SHOWS if res.shows.get(name) is not None]
        rows += [[f"nox -s level4 -- --watch: {name}", ms(t), steps(t), str(WATCH_GOAL) if "whole" not in name else "-"]
                 for name, t in res.watch.items()]
        unit_shown = "-" if unit is None else ms(unit)
        out.append((f"The learner's loop, in training steps of micrograd 0.1.0's MLP(2, [16, 16, 1]) on "
                    f"{res.n_points} points (one step = {unit_shown}, "
                    + ("timed in a fresh process, in the same rounds as the levels)" if res.loop_unit else "timed above)"),
                    ["command", "time", "micrograd steps", "goal"], rows))
    if res.loop and "nox" in res.loop:
        lp = res.loop
        out.append((f"The learner's loop: level 1's tests on the pristine stub (median of {lp['repeats']})",
                    ["command", "time", "x bare pytest"],
                    [[".nox/kata/bin/python -m pytest katas --level=1 --impl stubs/level1", ms(lp["pytest"]), "1.00x"],
                     ["nox -s level1 -- --impl stubs/level1 (warm)", ms(lp["nox"]),
                      f"{lp['nox'] / lp['pytest']:.2f}x"]]))
    out.append(("Targets", ["target", "figure", "verdict"], [[t, f, verdict(ok)] for t, f, ok in targets(res)]))
    return out


def print_tables(res: Results) -> None:
    for title, header, rows in tables(res):
        widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
        print(f"\n{title}")
        print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for row in rows:
            print("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def markdown(res: Results) -> str:
    lines = [(f"Measured with `{COMMAND}` on {platform.python_implementation()} {platform.python_version()}, "
              f"{platform.machine()}, {os.cpu_count()} CPUs; times are medians, ratios come from the same run.")]
    for title, header, rows in tables(res):
        lines += ["", f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=9, help="rounds of training steps (default 9)")
    p.add_argument("--chain", type=int, default=1_000_000, help="nodes in the long chain (default 1,000,000)")
    p.add_argument("--no-learner-loop", action="store_true",
                   help="skip the learner's loop (each level on a learner-speed engine, the tools' first runs, nox)")
    p.add_argument("--loop-repeats", type=int, default=2, help="rounds of the levels' runs (default 2)")
    p.add_argument("--markdown", metavar="PATH", help="also write the tables as Markdown to PATH")
    p.add_argument("--first-run", action="store_true",
                   help="also time the first nox -s level1 in a fresh clone with empty caches (downloads packages)")
    p.add_argument("--quick", action="store_true", help="tiny sizes: checks that everything runs")
    args = p.parse_args(argv)
    if args.quick:
        res = run(repeats=2, n_points=10, chain_n=2_000, chain_repeats=1, memory_n=2_000, learner=False)
    else:
        res = run(repeats=args.repeats, chain_n=args.chain, learner=not args.no_learner_loop,
                  loop_repeats=args.loop_repeats, first_run=args.first_run)
    print_tables(res)
    if args.markdown:
        Path(args.markdown).write_text(markdown(res))
        print(f"\nMarkdown written to {args.markdown}")
    return 0 if all(ok is not False for _, _, ok in targets(res)) else 1


if __name__ == "__main__":
    sys.exit(main())
